"""Letters by post for the Complaints Team: the letters waiting are listed, the next batch
downloads as one PDF, and marking it printed empties the queue."""

from __future__ import annotations

import html
import io
import re
import uuid
from datetime import datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from cli.directory import load_directory
from models import actions as a
from models.complaint import Complainant
from rules.moments import LONDON
from tests.web_harness import csrf_token
from web import engine as web_engine
from web.tables import audit_log

ADDRESS = "Flat 2, 14 Orchard Row\nMillbrook\nEXAMPLETOWN\nEX1 2AB"


def words(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


async def register_by_post(web) -> str:
    """A family with no email address: their acknowledgement waits in the print queue."""
    ref = f"PO-{uuid.uuid4().hex[:8].upper()}"
    directory = load_directory()
    reg = a.Registration(
        ref=ref, policy="corporate", received=datetime.now(LONDON) - timedelta(minutes=1),
        complainant=Complainant("Siân O'Brien", None, "parent", address=ADDRESS, write_by="post"),
        officers=directory.officers, complaints_team_email=directory.complaints_team_email,
        service_area="Children in care", reasons=["communication"])
    assert isinstance(await web_engine.register(web.temporal, web.task_queue, reg), web_engine.Registered)
    await web.settled(ref)
    return ref


async def test_a_posted_letter_is_listed_downloaded_as_a_pdf_and_marked_printed(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    ref = await register_by_post(web)
    page = await clerk.get("/letters/print")
    assert page.status_code == 200
    text = words(page.text)
    assert f"{ref} Acknowledgement 1" in text and "Not in a batch yet" in text
    assert "Siân" not in text and "EX1 2AB" not in text, "the queue shows no names or addresses"

    taken = await web.form(clerk, "/letters/print/batch", {}, form_path="/letters/print")
    assert taken.status_code == 303
    page = await clerk.get("/letters/print")
    number = int(re.search(r"Batch (\d+) has 1 letter", page.text).group(1))
    assert f"Batch {number}" in words(page.text)

    pdf = await clerk.get(f"/letters/print/batch/{number}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    letters = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert ref in letters and "EX1 2AB" in letters

    unconfirmed = await clerk.post(f"/letters/print/batch/{number}/printed", data={"csrf_token": csrf_token(page.text)})
    assert unconfirmed.status_code == 422
    assert f"Confirm that every letter in batch {number} is printed and posted" in unconfirmed.text
    assert [row["ref"] for row in web.store.print_queue()] == [ref], "nothing changed"

    printed = await clerk.post(f"/letters/print/batch/{number}/printed",
                               data={"csrf_token": csrf_token(page.text), "printed": "yes"})
    assert printed.status_code == 303
    page = await clerk.get("/letters/print")
    assert "1 letter counted as sent" in page.text
    assert "No letters are waiting to be printed" in page.text
    assert web.store.print_queue() == []
    assert next(m for m in web.store.sent_mail(ref) if m["kind"] == "acknowledgement")["printed_at"] is not None

    with web.store.engine.connect() as conn:
        downloads = [(r.ref, r.detail) for r in conn.execute(select(audit_log)) if r.event == "download"]
    assert downloads == [(None, f"print batch {number}")], "the batch's number only"


async def test_a_batch_that_does_not_exist_is_the_same_403(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    await register_by_post(web)
    assert (await clerk.get("/letters/print/batch/999.pdf")).status_code == 403
    assert (await clerk.get("/letters/print/batch/x.pdf")).status_code == 403
    nothing = await web.form(clerk, "/letters/print/batch/999/printed", {"printed": "yes"}, form_path="/letters/print")
    assert nothing.status_code == 403


async def test_officers_and_managers_cannot_see_the_print_queue(web):
    await register_by_post(web)
    for username, roles, directory_id in (("olu", {"officer"}, "io-1"), ("mo", {"manager"}, "tm-1")):
        someone = await web.signed_in(username, roles, directory_id)
        assert (await someone.get("/letters/print")).status_code == 403
        assert (await someone.get("/letters/print/batch/1.pdf")).status_code == 403
        assert (await someone.post("/letters/print/batch", data={})).status_code == 403
    assert all(row["print_batch"] is None for row in web.store.print_queue()), "nobody took a batch"
