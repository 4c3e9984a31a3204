"""`complaints post`: the letters that go by post, for whoever prints them.

    complaints post                   what is waiting to be printed
    complaints post --out DIR         take every waiting letter as the next numbered batch,
                                      and write its PDFs into DIR (one a letter, and all.pdf)
    complaints post --printed N       batch N is printed and posted: its letters count as sent

Taking a batch again (``--out DIR --batch N``) writes the same letters again, for a
printer that jammed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from cli.command_line import fail
from cli.stores import StoreUnavailable, open_existing_store, store_problem
from rules.complaint import LONDON


def add(commands) -> None:
    post = commands.add_parser("post", help="letters by post: list those waiting, take a batch to print, "
                                            "mark a batch printed")
    post.add_argument("--out", help="write the next batch's PDFs into this folder")
    post.add_argument("--batch", type=int, help="with --out: write this batch again")
    post.add_argument("--printed", type=int, metavar="N", help="batch N is printed and posted")
    post.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    post.set_defaults(run=run_post)


def run_post(args) -> int:
    try:
        store = open_existing_store(args.database)
        if args.printed is not None:
            count = store.mark_printed(args.printed, datetime.now(LONDON))
            if not count:
                return fail(f"post: batch {args.printed} has no letters waiting to be printed")
            print(f"batch {args.printed}: {count} letter(s) printed and posted")
            return 0
        if args.out is not None:
            return _write_batch(store, Path(args.out), args.batch)
        queue = store.print_queue()
    except StoreUnavailable as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot use the record store: {store_problem(problem)}")
    if not queue:
        print("no letters waiting to be printed")
        return 0
    for row in queue:
        batch = f"batch {row['print_batch']}" if row["print_batch"] else "not in a batch yet"
        when = row["event_at"].astimezone(LONDON).isoformat(sep=" ", timespec="minutes")
        print(f"{row['ref']}  {row['kind']:<26} stage {row['stage']}  {when}  {batch}")
    return 0


def _write_batch(store, folder: Path, again: int | None) -> int:
    if again is not None:
        number, letters = again, store.print_batch(again)
    else:
        number, letters = store.take_print_batch()
    if not letters:
        print("no letters waiting to be printed" if again is None else f"batch {again} has no letters")
        return 0 if again is None else 2
    from pypdf import PdfWriter  # only where batches are printed

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    whole = PdfWriter()
    for letter in letters:
        path = folder / f"{letter.ref}-{letter.key}.pdf"
        path.write_bytes(letter.pdf or b"")
        whole.append(str(path))
    with open(folder / f"batch-{number}.pdf", "wb") as out:
        whole.write(out)
    print(f"batch {number}: {len(letters)} letter(s) in {folder} (batch-{number}.pdf has them all); "
          f"once printed and posted: complaints post --printed {number}")
    return 0
