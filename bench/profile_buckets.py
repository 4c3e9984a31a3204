"""Where the Python time goes: a py-spy raw profile summed into named buckets.

    .venv/bin/pip install py-spy          # into the venv only; not a project dependency
    .venv/bin/py-spy record --gil -r 100 -f raw -o /tmp/sim.txt -- .venv/bin/python -m bench.run simulate
    .venv/bin/python -m bench.profile_buckets /tmp/sim.txt

``--gil`` samples only the thread holding the GIL, so the total is the time the worker's
single Python core was busy. Each sample goes to the first bucket whose pattern matches
anywhere in its stack (the order below matters: the most specific first).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

BUCKETS: list[tuple[str, str]] = [
    ("workflow input decode: pydantic TypeAdapter built per workflow instance", r"_make_workflow_input"),
    ("sandbox: new workflow instance, re-import of the workflow module",
     r"_Instance\._create_instance|_Instance\.__init__"),
    ("activity: render notice (outbox_mail)", r"outbox_mail"),
    ("activity: build email (message_for / build_message)", r"message_for|build_message"),
    ("delivery: SMTP send (aiosmtplib)", r"send \(notifications/mailer|aiosmtplib"),
    ("delivery: outbox claim / mark_sent (SQLAlchemy, SQLite)", r"Delivery\.|notifications/delivery"),
    ("activity: RecordStore save (SQLAlchemy, SQLite)", r"RecordStore\."),
    ("activity: input decode and the rest", r"record_and_notify|ComplaintActivities\.record|_ActivityWorker|_execute_activity"),
    ("workflow: the engine's own code (rules, Complaint)", r"\(rules/|\(workflows/complaint.py|\(models/"),
    ("workflow: payload encode / visit (SDK)",
     r"PayloadVisitor|_CommandAwareDataConverter|encode_completion|get_serialization_context"),
    ("workflow: sandbox activation, other (SDK)",
     r"_WorkflowInstanceImpl\.activate|_Instance\.activate|_RunningWorkflow|_handle_activation"),
    ("client: complaint_input (policy YAML, bank holidays)", r"complaint_input"),
    ("client: ActionIn.request (a TypeAdapter per action)", r"ActionIn\.request"),
    ("client: driving (start, update, fast_forward, query)",
     r"Simulation\.|engine_lifecycle|bare_lifecycle|_run_until|open_many"),
    ("mail sink (aiosmtpd, in this process)", r"aiosmtpd|MailSink|notifications/sink"),
    ("timeline assembly", r"notification_lines|summary_line"),
    ("SDK bridge poll / complete", r"temporalio/bridge"),
    ("scenario parsing, imports", r"parse_scenario|_find_and_load"),
]


def buckets(path: str) -> tuple[int, Counter]:
    counts: Counter = Counter()
    total = 0
    compiled = [(name, re.compile(rx)) for name, rx in BUCKETS]
    with open(path) as lines:
        for line in lines:
            stack, _, n_text = line.rstrip().rpartition(" ")
            n = int(n_text)
            total += n
            for name, rx in compiled:
                if rx.search(stack):
                    counts[name] += n
                    break
            else:
                counts["other (event loop, threads, ...)"] += n
    return total, counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", help="py-spy record -f raw output")
    parser.add_argument("--rate", type=float, default=100.0, help="the -r given to py-spy (samples per second)")
    args = parser.parse_args(argv)
    total, counts = buckets(args.profile)
    print(f"GIL held in {total} samples = {total / args.rate:.1f} s")
    for name, n in counts.most_common():
        print(f"{n / total:6.1%}  {n / args.rate:6.1f} s  {name}")


if __name__ == "__main__":
    main()
