"""Run the engine's benchmarks and print their figures beside baselines measured in the same run.

    python -m bench.run                    # all five
    python -m bench.run simulate           # or lifecycle, memory, report, web (several may be named)

Each benchmark prints what it measured as it goes, then one table sums them up: the
figure, the baseline, their ratio, the target, and PASS or MISS. The exit status is 0
whatever the figures (benchmarks report; tests decide).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import time

import psutil

from bench.common import Row, say

BENCHMARKS = ("simulate", "lifecycle", "memory", "report", "web")


async def run_one(name: str, args: argparse.Namespace) -> list[Row]:
    if name == "simulate":
        from bench.simulate_bench import bench_simulate

        return await bench_simulate(complaints=args.complaints, seed=args.seed)
    if name == "lifecycle":
        from bench.lifecycle import bench_lifecycle

        return await bench_lifecycle(lifecycles=args.lifecycles, concurrency=args.concurrency)
    if name == "memory":
        from bench.memory import bench_memory

        return await bench_memory(open_complaints=args.open_complaints, max_cached=args.max_cached)
    if name == "report":
        from bench.report_bench import bench_report

        return await bench_report(complaints=args.report_complaints, seed=args.seed, repeats=args.report_repeats)
    if name == "web":
        from bench.web import bench_web

        return await bench_web(complaints=args.web_complaints, concurrency=args.web_users, requests=args.web_requests)
    raise ValueError(name)


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(rows: list[Row]) -> str:
    head = ("benchmark", "figure", "baseline", "ratio", "target", "result")
    body = [
        (
            r.name,
            fmt(r.figure, r.unit),
            (fmt(r.baseline, r.unit) + (f" ({r.baseline_label})" if r.baseline_label else "")) if r.baseline is not None else "-",
            fmt(r.ratio),
            r.target,
            {True: "PASS", False: "MISS", None: "-"}[r.passed],
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def quiet_sdk_core() -> None:
    """The SDK core logs each slow workflow task to stdout; keep the figures readable (errors still show)."""
    from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    Runtime.set_default(Runtime(telemetry=TelemetryConfig(
        logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR")))))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The engine's benchmarks.")
    parser.add_argument("which", nargs="*", metavar="{simulate,lifecycle,memory,report,web}",
                        help="which to run (default: all five)")
    parser.add_argument("--complaints", type=int, default=200, help="simulate: complaints in the year")
    parser.add_argument("--seed", type=int, default=2024, help="simulate, report: the caseload's seed")
    parser.add_argument("--lifecycles", type=int, default=200, help="lifecycle: lifecycles of each kind")
    parser.add_argument("--concurrency", type=int, default=20, help="lifecycle: at most this many at once")
    parser.add_argument("--open-complaints", type=int, default=2000, help="memory: complaints to open")
    parser.add_argument("--max-cached", type=int, default=None,
                        help="memory: the worker's max_cached_workflows (default: the worker's own default)")
    parser.add_argument("--report-complaints", type=int, default=100_000,
                        help="report: complaints in the generated store (five years)")
    parser.add_argument("--report-repeats", type=int, default=3, help="report: runs of each process (medians)")
    parser.add_argument("--web-complaints", type=int, default=10_000, help="web: complaints in the store")
    parser.add_argument("--web-users", type=int, default=20, help="web: signed-in users fetching at once")
    parser.add_argument("--web-requests", type=int, default=400, help="web: answers measured per page")
    parser.add_argument("--verbose", action="store_true", help="keep the SDK core's warnings (slow workflow tasks)")
    args = parser.parse_args(argv)
    which = args.which or list(BENCHMARKS)
    for name in which:
        if name not in BENCHMARKS:
            parser.error(f"unknown benchmark {name!r}: choose from {', '.join(BENCHMARKS)}")
    logging.basicConfig(level=logging.WARNING)
    if not args.verbose:
        quiet_sdk_core()

    say(f"machine: {platform.python_implementation()} {platform.python_version()}, "
        f"{psutil.cpu_count()} CPUs, load average {', '.join(f'{x:.2f}' for x in psutil.getloadavg())}")
    rows: list[Row] = []
    for name in which:
        t0 = time.perf_counter()
        say(f"== {name}")
        rows += asyncio.run(run_one(name, args))
        say(f"== {name} took {time.perf_counter() - t0:.0f} s")
    say("")
    say(table(rows))


if __name__ == "__main__":
    main()
