"""Is a port already taken? Asked before anything starts, so the answer is one clear line."""

from __future__ import annotations

import socket


def in_use(host: str, port: int) -> bool:
    """True when something listens on host:port, or the port cannot be bound there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        try:
            if probe.connect_ex((host, port)) == 0:
                return True
        except OSError:
            pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers themselves do: a port left in TIME_WAIT by the last run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def busy(host: str, wanted: dict[str, tuple[int, str]]) -> str | None:
    """One line naming the ports of ``wanted`` ({what: (port, env var)}) that are taken, or None."""
    taken = [(what, port, variable) for what, (port, variable) in wanted.items() if in_use(host, port)]
    if not taken:
        return None
    ports = ", ".join(f"{port} ({what})" for what, port, _ in taken)
    variables = " / ".join(f"{variable}=..." for _, _, variable in taken)
    plural = "s" if len(taken) > 1 else ""
    verb = "are" if len(taken) > 1 else "is"
    return (f"port{plural} {ports} on {host} {verb} already in use: is another `make up` running? "
            f"Stop it, or choose other ports with {variables}")
