"""What the benchmarks share: a result row, and CPU accounting for this process and the dev server."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import psutil


@dataclass
class Row:
    """One line of the summary table."""

    name: str
    figure: float
    unit: str
    baseline: float | None
    baseline_label: str
    ratio: float | None
    target: str
    passed: bool | None   # None: reported, no target


@dataclass
class CpuSnapshot:
    wall: float
    own: float          # this Python process (all its threads), user+system seconds
    children: float     # the dev server (child processes named temporal*), user+system seconds


def cpu_snapshot() -> CpuSnapshot:
    me = psutil.Process(os.getpid())
    t = me.cpu_times()
    kids = 0.0
    for child in me.children(recursive=True):
        try:
            if not child.name().startswith("temporal"):
                continue
            c = child.cpu_times()
            kids += c.user + c.system
        except psutil.Error:
            pass
    return CpuSnapshot(time.perf_counter(), t.user + t.system, kids)


def cpu_between(a: CpuSnapshot, b: CpuSnapshot) -> str:
    wall = b.wall - a.wall
    own = b.own - a.own
    kids = b.children - a.children
    return (f"wall {wall:.1f} s; CPU: python {own:.1f} s ({own / wall:.0%} of one core), "
            f"dev server {kids:.1f} s ({kids / wall:.0%})")


def say(*parts: object) -> None:
    print(*parts, flush=True)


class ExternalMailSink:
    """``python -m notifications.sink`` as a process of its own, saving each mail to a folder.

    The engine's worker, in production, hands its mail to an SMTP server elsewhere; run
    here in the benchmark's own process, the sink's parsing of every message would
    compete with the worker for the GIL and be charged to the engine.
    """

    def __init__(self, save_dir: str) -> None:
        from notifications.sink import free_port

        self.save_dir = save_dir
        self.port = free_port()
        self._proc = None

    async def __aenter__(self) -> "ExternalMailSink":
        import asyncio
        import sys

        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "notifications.sink", "--port", str(self.port), "--save-dir", self.save_dir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )
        line = await asyncio.wait_for(self._proc.stdout.readline(), timeout=60)
        if b"listening" not in line:
            raise RuntimeError(f"the mail sink did not start: {line!r}")
        return self

    def count(self) -> int:
        from pathlib import Path

        return sum(1 for _ in Path(self.save_dir).glob("*.eml"))

    async def __aexit__(self, *exc: object) -> None:
        import asyncio

        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                await asyncio.wait_for(self._proc.wait(), timeout=10)
            except asyncio.TimeoutError:
                self._proc.kill()
                await self._proc.wait()
