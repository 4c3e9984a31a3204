"""A complaint's letters as the record store's outbox has them: sent, waiting for the
mail server, or failed (and why); and `complaints retry-letters REF`, which writes each
failed letter again (a mended template) and hands it back to delivery.

Delivery itself runs in the worker (notifications.delivery): nothing here sends mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from activities.record import posted, rewritten
from cli.command_line import fail
from cli.stores import StoreUnavailable, one_line, open_existing_store, store_problem
from rules.complaint import LONDON
from store.record_store import RecordStore


def add(commands) -> None:
    retry = commands.add_parser(
        "retry-letters", help="try a complaint's failed letters again (after a template or address is mended)")
    retry.add_argument("ref")
    retry.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    retry.set_defaults(run=run_retry)


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).isoformat(sep=" ", timespec="minutes")


def standing(mail: dict[str, Any]) -> str:
    """How one letter went: sent, failed (why), or waiting (and why, once a try failed)."""
    if mail.get("channel") == "post" and mail["failed_at"] is None:
        if mail["printed_at"] is not None:
            return f"by post: printed {_when(mail['printed_at'])}"
        if mail["print_batch"] is not None:
            return f"by post: in print batch {mail['print_batch']}, not yet printed"
        return "by post: waiting to be printed (complaints post)"
    if mail["sent_at"] is not None:
        return f"sent {_when(mail['sent_at'])}"
    if mail["failed_at"] is not None:
        return f"FAILED: {one_line(mail['failure'])[:200]} (complaints retry-letters {mail['ref']} tries again)"
    if mail["attempts"]:
        return f"waiting: {mail['attempts']} tr{'y' if mail['attempts'] == 1 else 'ies'} so far, last: " \
               f"{one_line(mail['last_error'] or 'no detail')[:160]}"
    return "waiting to be sent"


def letter_lines(store: RecordStore, ref: str) -> list[str]:
    """One line a letter, in the order of the events they tell of."""
    return [
        f"  {_when(mail['event_at'])}  {mail['kind']:<26} to {mail['recipient']:<16} "
        f"due {mail['due'] or '-'}  {standing(mail)}"
        for mail in store.sent_mail(ref)
    ]


def trouble(store: RecordStore, ref: str) -> str | None:
    """A word on the complaint's letters when some wait on a failing mail server or failed."""
    mails = store.sent_mail(ref)
    failed = sum(1 for m in mails if m["sent_at"] is None and m["failed_at"] is not None)
    stuck = [m for m in mails if m["sent_at"] is None and m["failed_at"] is None and m["attempts"]]
    words = []
    if stuck:
        words.append(f"{len(stuck)} letter(s) waiting for the mail server (last: "
                     f"{one_line(stuck[-1]['last_error'] or 'no detail')[:160]}); they go when it answers")
    if failed:
        words.append(f"{failed} letter(s) FAILED: see complaints status {ref}")
    return "; ".join(words) or None


def run_retry(args) -> int:
    try:
        store = open_existing_store(args.database)
        failed = store.failed_mail(args.ref)
        if not failed:
            print(f"{args.ref}: no failed letters")
            return 0
        again = still = 0
        record = store.complaint(args.ref) or {}
        for mail in failed:
            mail = rewritten(mail)
            if mail.channel == "post":
                mail = posted(mail, record.get("complainant_name", ""), record.get("complainant_address"))
            if store.requeue(mail):
                again += mail.failure is None
                still += mail.failure is not None
    except StoreUnavailable as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot write to the record store: {store_problem(problem)}")
    print(f"{args.ref}: {again} letter(s) handed back to delivery"
          + (f"; {still} still cannot be written (see complaints status {args.ref})" if still else ""))
    return 0 if not still else 2
