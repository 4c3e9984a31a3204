"""Letters by post, for the Complaints Team: what waits to be printed, in numbered batches,
as the command line's ``complaints post`` does it (``cli.post``).

Taking the next batch numbers every waiting letter not yet in one; a batch downloads as
one PDF (the letters joined, pypdf), as often as needed (a printer jams); once printed
and posted, marking the batch printed counts its letters as sent. Downloads are audited
by batch number only: a batch holds names and addresses, the log never does.
"""

from __future__ import annotations

import io
from datetime import datetime

from markupsafe import escape
from starlette.responses import Response
from starlette.routing import Route

from rules.moments import LONDON
from web import audit
from web.access import CLERK, COMPLAINTS_MANAGER
from web.forms import Errors
from web.pages import Page, page_for

TEAM = (CLERK, COMPLAINTS_MANAGER)


def joined_pdf(letters) -> bytes:
    """The batch's letters as one PDF, in the batch's order (by reference)."""
    from pypdf import PdfWriter  # only where batches are printed

    whole = PdfWriter()
    for letter in letters:
        if letter.pdf:
            whole.append(io.BytesIO(letter.pdf))
    out = io.BytesIO()
    whole.write(out)
    return out.getvalue()


def _batches(queue: list[dict]) -> list[tuple[int, int]]:
    """The batches taken and not yet printed, with how many letters each, oldest first."""
    counts: dict[int, int] = {}
    for row in queue:
        if row["print_batch"]:
            counts[row["print_batch"]] = counts.get(row["print_batch"], 0) + 1
    return sorted(counts.items())


async def _queue_page(page: Page, errors: Errors | None = None):
    queue = await page.db(page.app.store.print_queue)
    return page.form_page("print/queue.html", errors or Errors(), queue=queue, batches=_batches(queue),
                          not_in_batch=sum(1 for row in queue if not row["print_batch"]))


@page_for(*TEAM)
async def print_queue(page: Page):
    return await _queue_page(page)


@page_for(*TEAM)
async def take_batch(page: Page):
    number, letters = await page.db(page.app.store.take_print_batch)
    if not letters:
        return page.redirect("/letters/print", banner="No letters were waiting to go in a batch.")
    await page.audit(audit.ACTION, None, f"print batch {number} taken")
    count = len(letters)
    return page.redirect("/letters/print", banner=str(escape(
        f"Batch {number} has {count} letter{'' if count == 1 else 's'}. Download it, print it, then mark it printed.")))


def _batch_number(page: Page) -> int | None:
    text = page.request.path_params["number"]
    return int(text) if text.isdigit() and len(text) < 10 else None


@page_for(*TEAM)
async def download_batch(page: Page):
    number = _batch_number(page)
    letters = await page.db(page.app.store.print_batch, number) if number else []
    if not letters:
        return page.forbidden()
    pdf = await page.db(joined_pdf, letters)
    await page.audit(audit.DOWNLOAD, None, f"print batch {number}")
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="batch-{number}.pdf"'})


@page_for(*TEAM)
async def mark_printed(page: Page):
    number = _batch_number(page)
    queue = await page.db(page.app.store.print_queue)
    if number is None or number not in dict(_batches(queue)):
        return page.forbidden()
    if page.form.get("printed") != "yes":
        errors = Errors()
        errors.add(f"printed-{number}", f"Confirm that every letter in batch {number} is printed and posted")
        return await _queue_page(page, errors)
    count = await page.db(page.app.store.mark_printed, number, datetime.now(LONDON))
    await page.audit(audit.ACTION, None, f"print batch {number} printed")
    return page.redirect("/letters/print", banner=str(escape(
        f"Batch {number} is printed and posted: {count} letter{'' if count == 1 else 's'} counted as sent.")))


routes = [
    Route("/letters/print", print_queue, methods=["GET"]),
    Route("/letters/print/batch", take_batch, methods=["POST"]),
    Route("/letters/print/batch/{number}.pdf", download_batch, methods=["GET"]),
    Route("/letters/print/batch/{number}/printed", mark_printed, methods=["POST"]),
]
