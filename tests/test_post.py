"""Families without email: letters by post, as PDFs in a print queue.

A complainant may have an email address, a postal address or both, and a way to be
written to. A letter to someone written to by post is rendered to an A4 PDF with the
address where a window envelope shows it, and waits in the record store's print queue
(`complaints post`) instead of going to the mail server.
"""

from __future__ import annotations

import asyncio
import io
import uuid
from dataclasses import replace
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from cli import main as cli_main
from council import current
from models.actions import Assign, Registration
from models.complaint import Complainant, Notice, Officer
from models.field_checks import registration_problem
from notifications.mailer import SmtpSettings
from notifications.posted import letter_pdf
from notifications.render import render
from rules.complaint import LONDON
from store.record_store import RecordStore
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

ADDRESS = "Flat 2, 14 Orchard Row\nMillbrook\nEXAMPLETOWN\nEX1 2AB"
OFFICERS = [Officer("io-1", "Investigating Officer One", "io1@council.example")]


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_posted_letter_is_an_a4_pdf_with_the_reference_the_dates_and_the_address():
    notice = Notice(key="0000-s1-acknowledgement-complainant", ref="CS-2026-0042", stage=1, kind="acknowledgement",
                    to="complainant", to_name="Siân O'Brien", to_email="",
                    at=datetime(2026, 12, 1, 10, tzinfo=LONDON), due=date(2026, 12, 15),
                    details={"complainant_type": "parent", "complainant_name": "Siân O'Brien"})
    pdf = letter_pdf(render(notice), "Siân O'Brien", ADDRESS)
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297), "A4"
    text = text_of(pdf)
    for words in ("CS-2026-0042", "Tuesday 15 December 2026", "Siân O'Brien", "Flat 2, 14 Orchard Row",
                  "EXAMPLETOWN", "EX1 2AB"):
        assert words in text, words
    council = current()
    assert council.name in text and council.address[-1] in text, "the council's address, to write back to"


def test_a_letter_by_post_says_so_and_never_asks_for_a_reply_by_email():
    notice = Notice(key="0000-s1-acknowledgement-complainant", ref="CS-2026-0042", stage=1, kind="acknowledgement",
                    to="complainant", to_name="A Parent", to_email="", at=datetime(2026, 12, 1, 10, tzinfo=LONDON),
                    due=date(2026, 12, 15), details={"complainant_type": "parent", "write_by": "post"})
    for body in (render(notice).text, render(notice).html):
        flat = " ".join(body.split())
        assert "We will write to you by post, at the address you gave us" in flat
        assert "reply to this email" not in flat and "write to us (our address is below)" in flat
    by_email = replace(notice, to_email="parent@example.org", details={"complainant_type": "parent",
                                                                      "write_by": "email"})
    assert "We will write to you by email, at parent@example.org" in " ".join(render(by_email).text.split())


@pytest.mark.parametrize("complainant, field", [
    (Complainant("A Parent", None, "parent"), "complainant: has no email address and no postal address"),
    (Complainant("A Parent", None, "parent", address="1 High Street\nTown"), "complainant.address: ends with 'Town'"),
    (Complainant("A Parent", None, "parent", address="EX1 2AB"), "complainant.address: has 1 line(s)"),
    (Complainant("A Parent", "a@example.org", "parent", write_by="post"), "complainant.address: is needed"),
    (Complainant("A Parent", None, "parent", address=ADDRESS, write_by="email"), "complainant.email: is needed"),
    (Complainant("A Parent", "a@example.org", "parent", write_by="pigeon"), "complainant.write_by: is 'pigeon'"),
])
def test_someone_the_council_cannot_write_to_is_refused_at_registration(complainant, field):
    reg = Registration(ref="CS-1", policy="corporate", received=datetime(2026, 11, 30, 10, tzinfo=LONDON),
                       complainant=complainant, officers=OFFICERS, complaints_team_email="team@council.example")
    assert str(registration_problem(reg)).startswith(f"field {field}")


async def complaints(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(cli_main.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def test_letters_to_a_family_without_email_wait_in_the_print_queue_until_printed(
    dev_server_env, task_queue, database, mail_sink, smtp, tmp_path, capsys, monkeypatch
):
    store = RecordStore(database)
    store.create_schema()
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    ref = f"PO-{uuid.uuid4().hex[:8]}"
    reg = Registration(ref=ref, policy="corporate", received=datetime.now(LONDON),
                       complainant=Complainant("Siân O'Brien", None, "parent", address=ADDRESS),
                       officers=OFFICERS, complaints_team_email="complaints@council.example")
    try:
        async with build_worker(dev_server_env.client, store, smtp, task_queue):
            handle = await dev_server_env.client.start_workflow(
                ComplaintWorkflow.run, complaint_input(reg), id=ref, task_queue=task_queue)
            await handle.execute_update("assign", Assign("io-1"))
            assert await asyncio.to_thread(mail_sink.wait_for, 1, 20)
            await asyncio.sleep(1)
        # The officer's letter went by email; the family's waits to be printed.
        assert [m["X-Notification-Kind"] for m in mail_sink.headers() if m["X-Complaint-Ref"] == ref] == ["assignment"]
        ack = next(m for m in store.sent_mail(ref) if m["kind"] == "acknowledgement")
        assert (ack["channel"], ack["sent_at"], ack["failed_at"]) == ("post", None, None)
        assert "EX1 2AB" in text_of(ack["pdf"]) and ref in text_of(ack["pdf"])

        code, out, _ = await complaints(capsys, "post")
        assert code == 0 and ref in out and "acknowledgement" in out and "not in a batch yet" in out
        code, out, err = await complaints(capsys, "post", "--out", str(tmp_path / "print"))
        assert code == 0, err
        batch = int(out.split()[1].rstrip(":"))
        assert (tmp_path / "print" / f"batch-{batch}.pdf").is_file()
        assert ref in text_of((tmp_path / "print" / f"batch-{batch}.pdf").read_bytes())
        code, out, _ = await complaints(capsys, "post", "--printed", str(batch))
        assert code == 0 and "1 letter(s) printed and posted" in out
        code, out, _ = await complaints(capsys, "post")
        assert "no letters waiting to be printed" in out
        ack = next(m for m in store.sent_mail(ref) if m["kind"] == "acknowledgement")
        assert ack["printed_at"] is not None
        code, out, _ = await complaints(capsys, "post", "--printed", str(batch))
        assert code == 2
    finally:
        store.close()
