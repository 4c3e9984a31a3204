"""Notifications: what a family or an officer reads, and a real trip through SMTP."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta, timezone

import pytest

import council
from models.complaint import COMPLAINANT, COMPLAINTS_TEAM, Notice
from notifications.mailer import (
    MailNotSent, MailPool, SmtpSettings, build_message, message_id_for, send,
)
from notifications.render import KINDS, long_date, render
from notifications.sink import MailSink, free_port

BST = timezone(timedelta(hours=1))
DUE = date(2024, 4, 12)
DUE_WORDS = "Friday 12 April 2024"
REF = "CS-2024-001"

# procedures.md section 4: who gets each kind.
OFFICER_KINDS = {"assignment", "handover", "reassignment_notice", "due_soon", "due_today",
                 "overdue", "escalation", "learning_reminder"}
TEAM_KINDS = {"unassigned_alert"}
SPEC_KINDS = {
    "acknowledgement", "unassigned_alert", "assignment", "handover", "reassignment_notice",
    "due_soon", "due_today", "overdue", "escalation", "delay_letter", "extension_letter",
    "suspension_letter", "resumption_letter", "discontinuation_letter", "response_issued",
    "stage2_acknowledgement", "stage3_acknowledgement", "learning_reminder",
    "withdrawal_confirmation", "independent_person_letter", "panel_held_letter", "panel_report_letter",
}
OMBUDSMAN = ("Local Government and Social Care Ombudsman", "www.lgo.org.uk", "0300 061 0614")
# Written once nothing is due: the stage answered, the complaint withdrawn or set aside for
# proceedings. Their footer says what is relevant instead of a due date.
NOTHING_DUE = {"response_issued", "withdrawal_confirmation", "learning_reminder", "discontinuation_letter"}
EXAMPLE_COUNCIL = council.load_council_file(council.EXAMPLE)


@pytest.fixture(autouse=True)
def example_council(monkeypatch):
    """The shipped example council, whatever council.yaml the tests' folder holds."""
    monkeypatch.setenv(council.ENVIRONMENT_VARIABLE, str(council.EXAMPLE))


def notice(kind: str, *, due: date | None = DUE, complainant_type: str = "parent",
           to_name: str = "Alex Parent", stage: int = 1, **details: str) -> Notice:
    to = "io-1" if kind in OFFICER_KINDS else COMPLAINTS_TEAM if kind in TEAM_KINDS else COMPLAINANT
    return Notice(
        key=f"{kind}:{stage}:1", ref=REF, stage=stage, kind=kind, to=to, to_name=to_name,
        to_email="alex@example.org", at=datetime(2024, 4, 9, 9, 0, tzinfo=BST), due=due,
        details={"complainant_type": complainant_type, **details},
    )


def flat(text: str) -> str:
    # Plain text is wrapped at 72 characters; a reader sees through the line breaks.
    return " ".join(text.split())


# -- rendering -------------------------------------------------------------------------

def test_every_kind_in_the_procedures_has_templates():
    assert set(KINDS) == SPEC_KINDS


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS))
@pytest.mark.parametrize("complainant_type", ["child", "parent"])
@pytest.mark.parametrize("due", [DUE, None], ids=["due", "paused"])
def test_every_notification_names_the_reference_and_the_due_date(kind, complainant_type, due):
    mail = render(notice(kind, due=due, complainant_type=complainant_type))
    assert REF in mail.subject and "\n" not in mail.subject
    for body in (mail.text, mail.html):
        assert REF in body
        if kind in NOTHING_DUE:
            # The notice still carries the old deadline; the letter must not show it as pending.
            assert "Due date: Friday" not in flat(body) and "Due date: <strong>" not in body
        elif due:
            assert f"Due date: {DUE_WORDS}" in flat(body) or f"Due date: <strong>{DUE_WORDS}" in body
        else:
            assert "paused" in flat(body)
    assert mail.html.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("kind, says", [
    ("withdrawal_confirmation", "Withdrawn: on Tuesday 9 April 2024, as you asked. Nothing more is due from us."),
    ("response_issued", "Our final response: sent on Tuesday 9 April 2024."),
    ("learning_reminder", "Response: sent to the complainant."),
    ("discontinuation_letter", "Due date: none, because we have stopped looking at this complaint"),
])
def test_once_nothing_is_due_the_footer_says_what_is_relevant_instead(kind, says):
    mail = render(notice(kind))
    for body in (flat(mail.text), flat(mail.html.replace("<strong>", "").replace("</strong>", ""))):
        assert says in body
        assert DUE_WORDS not in body and "Due date: Friday" not in body


def test_a_response_with_a_next_stage_says_when_to_ask_for_it_instead_of_a_due_date():
    text = flat(render(notice("response_issued", escalate_by="2024-05-10",
                              stage_name="Local resolution")).text)
    assert ("Our response at stage 1 (local resolution): sent on Tuesday 9 April 2024. Nothing more is due "
            "from us unless you ask for stage 2, by Friday 10 May 2024.") in text
    assert DUE_WORDS not in text


def test_a_due_date_already_passed_is_said_to_have_passed():
    text = flat(render(notice("delay_letter", due=date(2024, 4, 5))).text)
    assert "Due date: Friday 5 April 2024 (this date has passed: our response is late)" in text


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS))
def test_every_kind_renders_with_every_detail_missing(kind):
    n = notice(kind)
    n.details = {}
    mail = render(n)
    assert REF in mail.text and EXAMPLE_COUNCIL.name in flat(mail.text)


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS))
def test_every_kind_renders_with_every_detail_given(kind):
    mail = render(notice(
        kind, complainant_name="Alex Parent", officer_name="Iris Officer",
        previous_officer_name="Owen Officer", outcome="upheld", reason="court_proceedings",
        new_due="2024-04-26", level="2", escalate_by="2024-05-10",
        proceedings="care proceedings", resubmit_until="2025-06-01",
        policy_title="Children's statutory complaints procedure", stage_name="Local resolution",
        days_left="3", learning_stage="1",
    ))
    # The council is the council file's, never a detail of the notice.
    assert EXAMPLE_COUNCIL.name in flat(mail.text) and EXAMPLE_COUNCIL.name in mail.html
    assert "Local resolution" not in flat(mail.text)


def test_dates_are_written_out_in_full():
    assert long_date(date(2024, 3, 27)) == "Wednesday 27 March 2024"
    assert long_date("2024-04-01") == "Monday 1 April 2024"


@pytest.mark.parametrize("child_type", ["child", "child_with_advocate"])
def test_a_childs_acknowledgement_offers_a_free_independent_advocate(child_type):
    mail = render(notice("acknowledgement", complainant_type=child_type))
    for body in (flat(mail.text), mail.html):
        assert "independent advocate" in body
        assert "free" in body


def test_a_parents_acknowledgement_does_not_offer_an_advocate():
    mail = render(notice("acknowledgement", complainant_type="parent"))
    assert "advocate" not in mail.text.lower()
    assert "advocate" not in mail.html.lower()


@pytest.mark.parametrize("kind", ["delay_letter", "extension_letter"])
def test_delay_and_extension_letters_give_the_ombudsmans_details(kind):
    mail = render(notice(kind, reason="complex", new_due="2024-04-26"))
    for body in (flat(mail.text), mail.html):
        for words in OMBUDSMAN:
            assert words in body
        assert "Friday 26 April 2024" in body          # the new date
    assert "complex" in flat(mail.text)                 # and the reason


def test_response_issued_says_the_outcome_and_how_and_when_to_ask_for_the_next_stage():
    text = flat(render(notice("response_issued", outcome="partially_upheld",
                              escalate_by="2024-05-10")).text)
    assert "We have partly upheld your complaint: we agree with some of it" in text
    assert "::" not in text
    assert "stage 2" in text and "by Friday 10 May 2024" in text
    assert "reply to this email" in text
    assert "Ombudsman" not in text


def test_response_issued_says_the_response_comes_separately_and_how_to_get_a_copy():
    mail = render(notice("response_issued", outcome="upheld", escalate_by="2024-05-10",
                         officer_name="Iris Officer", stage_name="Local resolution"))
    text = flat(mail.text)
    assert "We have sent you our response" not in text
    assert "Iris Officer, who looked into your complaint, is sending it to you separately, dated " \
           "Tuesday 9 April 2024" in text
    assert "another copy" in text and EXAMPLE_COUNCIL.telephone in text and EXAMPLE_COUNCIL.email in text
    assert mail.subject == f"Your complaint {REF}: our stage 1 response"
    assert "our Local resolution" not in mail.subject + text
    assert "at stage 1 (local resolution)" in text


def test_the_last_response_points_to_the_ombudsman_instead_of_a_next_stage():
    mail = render(notice("response_issued", stage=3, outcome="not_upheld"))
    text = flat(mail.text)
    assert mail.subject == f"Your complaint {REF}: our final response"
    assert "We have not upheld your complaint" in text and "final response" in text
    assert "the complaints team is sending it to you separately" in text
    assert all(words in text for words in OMBUDSMAN)
    assert "stage 4" not in text


def test_discontinuation_says_why_which_proceedings_and_the_right_to_resubmit():
    text = flat(render(notice("discontinuation_letter", due=None, reason="court_proceedings",
                              proceedings="care proceedings at the Family Court",
                              resubmit_until="2025-06-02")).text)
    assert "court proceedings" in text
    assert "care proceedings at the Family Court" in text
    assert "up to one year afterwards" in text and "Monday 2 June 2025" in text


STATUTORY_TITLE = "Children's statutory complaints procedure"


@pytest.mark.parametrize("kind", ["suspension_letter", "discontinuation_letter"])
def test_only_the_law_allows_a_statutory_pause_and_the_councils_procedure_any_other(kind):
    def text(title):
        return flat(render(notice(kind, due=None, reason="court_proceedings", policy_title=title)).text)

    assert "the law allows us" in text(STATUTORY_TITLE)
    corporate = text("Corporate complaints procedure")
    assert "law allows" not in corporate and "our complaints procedure allows us" in corporate


@pytest.mark.parametrize("stage_name, words", [
    ("Local resolution", "stage 1 (local resolution)"), ("Review panel", "stage 1 (review panel)"),
    ("Stage 1 response", "stage 1"), ("Response", "stage 1"), ("Review", "stage 1 (review)"),
])
def test_stage_names_are_lower_case_mid_sentence_with_their_number(stage_name, words):
    for kind in ("assignment", "stage2_acknowledgement", "discontinuation_letter"):
        text = render(notice(kind, stage_name=stage_name)).text
        # The case table's labels ("  Response due:") begin their lines; sentences are the rest.
        sentences = flat("\n".join(line for line in text.splitlines() if not line.startswith("  ")))
        assert words in sentences, kind
        assert not re.search(rf"[a-z,] {stage_name}\b", sentences), kind


def test_the_review_panel_letter_promises_the_letters_that_follow():
    text = flat(render(notice("stage3_acknowledgement", stage=3)).text)
    assert "as we go" not in text
    assert "when the panel has met" in text and "when we have its recommendations" in text


def test_escalation_says_the_level_and_who_the_officer_is():
    text = flat(render(notice("escalation", level="2", officer_name="Iris Officer")).text)
    assert "ESCALATION LEVEL 2" in text
    assert "The investigating officer is Iris Officer" in text
    assert "Escalation level 2" in render(notice("escalation", level="2")).subject


def test_handover_gives_the_case_so_far_and_the_unchanged_due_date():
    text = flat(render(notice("handover", previous_officer_name="Owen Officer",
                              complainant_name="Alex Parent")).text)
    assert "THE CASE SO FAR" in text and "Owen Officer" in text and "Alex Parent" in text
    assert f"The due date has not changed: the response is still due on {DUE_WORDS}" in text


def test_learning_reminder_asks_for_the_lessons_learnt_form():
    mail = render(notice("learning_reminder"))
    assert "lessons-learnt form" in mail.text and "lessons-learnt form" in mail.subject


@pytest.mark.parametrize("kind", sorted(SPEC_KINDS))
def test_html_escapes_what_people_typed(kind):
    evil = "<script>alert(1)</script>"
    mail = render(notice(kind, to_name=evil, complainant_name=evil, officer_name=evil,
                         previous_officer_name=evil, reason=evil, proceedings=evil,
                         council_name=evil))
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no template"):
        render(notice("postcard"))


# -- building the message --------------------------------------------------------------

def test_message_id_is_deterministic_and_carries_no_personal_data():
    first = message_id_for(REF, "acknowledgement:1:1")
    assert first == message_id_for(REF, "acknowledgement:1:1")
    assert first != message_id_for(REF, "acknowledgement:1:2")
    assert first != message_id_for("CS-2024-002", "acknowledgement:1:1")
    assert first.startswith("<") and first.endswith("@complaints.local>")
    assert REF not in first


def test_settings_come_from_the_environment_with_local_defaults():
    assert SmtpSettings.from_env({}) == SmtpSettings(
        host="127.0.0.1", port=8025, sender="complaints@council.example")
    s = SmtpSettings.from_env({"SMTP_HOST": "smtp.council.example", "SMTP_PORT": "587",
                               "SMTP_FROM": "Complaints <c@council.example>",
                               "SMTP_USERNAME": "u", "SMTP_PASSWORD": "secret",
                               "SMTP_STARTTLS": "true"})
    assert (s.host, s.port, s.username, s.starttls) == ("smtp.council.example", 587, "u", True)
    assert "secret" not in repr(s)
    with pytest.raises(ValueError, match="SMTP_PORT"):
        SmtpSettings.from_env({"SMTP_PORT": "twenty-five"})


def test_the_message_has_both_parts_and_the_machine_headers():
    n = notice("due_soon", days_left="3")
    msg = build_message(n, render(n), sender="complaints@council.example")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.get_payload()] == ["text/plain", "text/html"]
    assert msg["Message-ID"] == message_id_for(REF, n.key)
    assert msg["To"] == "Alex Parent <alex@example.org>"
    assert msg["X-Complaint-Ref"] == REF
    assert msg["X-Complaint-Stage"] == "1"
    assert msg["X-Notification-Kind"] == "due_soon"
    assert msg["X-Notification-Recipient"] == "io-1"
    assert msg["X-Notification-Due"] == "2024-04-12"
    assert msg["X-Notification-At"] == "2024-04-09T09:00:00+01:00"
    assert msg["X-Notification-Key"] == n.key
    assert msg["Date"] == "Tue, 09 Apr 2024 09:00:00 +0100"


def test_a_paused_clock_leaves_the_due_header_empty():
    n = notice("suspension_letter", due=None)
    msg = build_message(n, render(n), sender="complaints@council.example", message_id="<x@y>")
    assert msg["X-Notification-Due"] == ""
    assert msg["Message-ID"] == "<x@y>"


# -- a real round trip over loopback SMTP ------------------------------------------------

async def test_a_sent_message_arrives_once_with_its_headers(tmp_path):
    n = notice("acknowledgement", complainant_type="child", to_name="Zoë O'Brien")
    async with MailSink(save_dir=tmp_path) as sink:
        assert sink.port > 0
        settings = SmtpSettings(host="127.0.0.1", port=sink.port)
        message = build_message(n, render(n), sender=settings.sender)
        await send(settings, message)
        assert await asyncio.to_thread(sink.wait_for, 1)

        received = sink.messages
        assert len(received) == 1
        got = received[0]
        assert sink.received_by_message_id() == {message_id_for(REF, n.key): 1}
        assert got["X-Complaint-Ref"] == REF
        assert got["X-Notification-Kind"] == "acknowledgement"
        assert got["X-Notification-Recipient"] == "complainant"
        assert got["X-Notification-Due"] == "2024-04-12"
        assert str(got["To"]) == "Zoë O'Brien <alex@example.org>"
        assert "independent advocate" in flat(got.get_body(("plain",)).get_content())
        assert DUE_WORDS in got.get_body(("html",)).get_content()
        saved = list(tmp_path.glob("*-000001.eml"))
        assert len(saved) == 1


async def test_sending_where_nobody_listens_raises_a_clear_error():
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=5)
    n = notice("overdue")
    with pytest.raises(MailNotSent, match=r"could not send overdue for CS-2024-001") as info:
        await send(settings, build_message(n, render(n), sender=settings.sender))
    assert "alex@example.org" not in str(info.value)


# -- connections kept open between batches -----------------------------------------------

def _messages(*kinds: str):
    return [build_message(notice(kind), render(notice(kind)), sender="complaints@council.example",
                          message_id=f"<{kind}@test>") for kind in kinds]


async def test_batches_share_one_connection_while_it_is_fresh():
    async with MailSink() as sink:
        pool = MailPool(SmtpSettings(host="127.0.0.1", port=sink.port))
        for message in _messages("overdue", "escalation", "delay_letter"):
            async with pool.session("a batch") as session:
                await session.send(message)
        await pool.close()
        assert await asyncio.to_thread(sink.wait_for, 3)
        assert sink.connections() == 1


async def test_a_connection_that_failed_is_not_used_again():
    async with MailSink() as sink:
        pool = MailPool(SmtpSettings(host="127.0.0.1", port=sink.port))
        first, second = _messages("overdue", "escalation")
        with pytest.raises(RuntimeError):
            async with pool.session("a batch") as session:
                await session.send(first)
                raise RuntimeError("the worker gave up half way")
        async with pool.session("the next batch") as session:
            await session.send(second)
        await pool.close()
        assert await asyncio.to_thread(sink.wait_for, 2)
        assert sink.connections() == 2


async def test_after_the_mail_server_restarts_the_next_batch_still_goes():
    port = free_port()
    pool = MailPool(SmtpSettings(host="127.0.0.1", port=port, timeout=5))
    first, second = _messages("overdue", "escalation")
    async with MailSink(port=port) as sink:
        async with pool.session("a batch") as session:
            await session.send(first)
    await asyncio.sleep(0.1)
    async with MailSink(port=port) as restarted:
        async with pool.session("the next batch") as session:
            await session.send(second)
        await pool.close()
        assert await asyncio.to_thread(restarted.wait_for, 1)
    assert sink.received_by_message_id() == {"<overdue@test>": 1}
    assert restarted.received_by_message_id() == {"<escalation@test>": 1}
