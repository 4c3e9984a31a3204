"""A local mail sink: a real SMTP server on loopback that keeps every message it gets.

``make up``, the tests and the simulation point the engine's SMTP settings at it, so
every notification is really sent over TCP and can be counted afterwards (each
Message-ID exactly once). It runs in its own thread (aiosmtpd's Controller), so it
works beside any event loop, or none.

    python -m notifications.sink --port 8025 --save-dir var/mail
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)
# aiosmtpd logs every sender and recipient address at INFO: personal data, kept out.
_AIOSMTPD_LOG = logging.getLogger("mail.log")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now. aiosmtpd's Controller cannot start on
    port 0 (it connects to its own port to check it is up), so we ask the OS first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _write_private(path: Path, data: bytes) -> None:
    """A saved message, readable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


class _Keeper:
    """aiosmtpd handler: parse each message and hand it to the sink."""

    def __init__(self, sink: MailSink):
        self._sink = sink
        self._one_at_a_time = asyncio.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self._sink.refuse:
            return "550 5.1.1 No such mailbox here"
        # A slow server (failure tests) takes one message at a time, so senders queue
        # mid-conversation, before their message is accepted, when a worker is killed.
        if self._sink.pause_before_accepting:
            async with self._one_at_a_time:
                await asyncio.sleep(self._sink.pause_before_accepting)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        self._sink._keep(raw, session.peer)
        if self._sink.on_accepting is not None:
            # Failure tests: the message is the server's now, its 250 not yet sent.
            await asyncio.to_thread(self._sink.on_accepting)
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, save_dir: Path | str | None = None,
        pause_before_accepting: float = 0.0, on_accepting: Callable[[], None] | None = None,
        refuse: set[str] | None = None,
    ):
        self.pause_before_accepting = pause_before_accepting
        self.refuse = refuse or set()        # addresses refused for good (550), for failure tests
        self.on_accepting = on_accepting
        self.host = host
        self.port = port
        self.save_dir = Path(save_dir) if save_dir is not None else None
        # Raw bytes as received; parsed on demand (parsing every message as it arrives
        # cost a simulation more than sending it did).
        self._raw: list[bytes] = []
        self._peers: list[object] = []            # the client end of the connection each came on
        self._parsed: dict[int, EmailMessage] = {}
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    # -- running -----------------------------------------------------------------

    def start(self) -> MailSink:
        if self._controller is not None:
            return self
        if self.save_dir is not None:
            # Letters name children and families: the folder and each message are the
            # owner's alone (0700, 0600), whatever the umask.
            self.save_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.save_dir.stat().st_mode & 0o077:
                self.save_dir.chmod(0o700)
        if self.port == 0:
            self.port = free_port(self.host)
        if _AIOSMTPD_LOG.getEffectiveLevel() < logging.WARNING:
            _AIOSMTPD_LOG.setLevel(logging.WARNING)
        self._controller = Controller(
            _Keeper(self), hostname=self.host, port=self.port,
            enable_SMTPUTF8=True,           # names and addresses may not be ASCII
        )
        self._controller.start()
        log.info("mail sink listening on %s:%s", self.host, self.port)
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    async def __aenter__(self) -> MailSink:
        # start() blocks until the server answers; keep the caller's loop free meanwhile.
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc) -> None:
        await asyncio.to_thread(self.stop)

    # -- what arrived ------------------------------------------------------------

    def connections(self) -> int:
        """How many SMTP connections the messages came on."""
        return len(set(self._peers))

    def _keep(self, raw: bytes, peer: object = None) -> None:
        with self._arrived:
            self._raw.append(raw)
            self._peers.append(peer)
            n = len(self._raw)
            if self.save_dir is not None:
                name = f"{datetime.now():%Y%m%d-%H%M%S}-{n:06d}.eml"
                _write_private(self.save_dir / name, raw)
            self._arrived.notify_all()
        log.debug("mail sink received message #%d", n)

    def _message(self, index: int) -> EmailMessage:
        if index not in self._parsed:
            self._parsed[index] = BytesParser(policy=policy.default).parsebytes(self._raw[index])
        return self._parsed[index]

    @property
    def messages(self) -> list[EmailMessage]:
        """Everything received, in arrival order (parsed, bodies included)."""
        with self._arrived:
            return [self._message(i) for i in range(len(self._raw))]

    def headers(self) -> list[Message]:
        """Only the headers of everything received, in arrival order: quick to read."""
        with self._arrived:
            raw = list(self._raw)
        return [BytesHeaderParser(policy=policy.compat32).parsebytes(r) for r in raw]

    def clear(self) -> None:
        with self._arrived:
            self._raw.clear()
            self._peers.clear()
            self._parsed.clear()

    def received_by_message_id(self) -> Counter[str]:
        """How many times each Message-ID arrived: every count should be 1."""
        return Counter(str(m.get("Message-ID", "")).strip() for m in self.headers())

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least ``count`` messages have arrived; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self._raw) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
            return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local SMTP server that keeps every message.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--save-dir", type=Path, default=None,
                        help="save each message as <YYYYmmdd-HHMMSS>-<n>.eml here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with MailSink(args.host, args.port, args.save_dir) as sink:
        print(f"mail sink listening on {sink.host}:{sink.port}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
