"""The record store keeps what the annual report needs, and queues each letter once.

Every test runs on SQLite (the embedded default) and on PostgreSQL, each in a database
of its own so parallel runs and reruns never see each other's complaints.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import fields, replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.complaint import (
    Assignment,
    Complainant,
    ComplaintState,
    HistoryEntry,
    OmbudsmanReferral,
    StageRecord,
    Suspension,
)
from store import OutboxMail, RecordStore, database_url
from store.schema import StageRow

LONDON = ZoneInfo("Europe/London")
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- a store per test, on each backend ----------------------------------------------

def _postgres_admin():
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        engine.connect().close()
    except Exception as error:  # pragma: no cover - only when PostgreSQL is not running
        engine.dispose()
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error.__class__.__name__}")
    return url, engine


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        records = RecordStore(f"sqlite:///{tmp_path / 'records' / 'complaints.db'}")
        records.create_schema()
        yield records
        records.close()
        return
    url, admin = _postgres_admin()
    name = f"complaints_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    records = RecordStore(url.set(database=name).render_as_string(hide_password=False))
    try:
        records.create_schema()
        yield records
    finally:
        records.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- complaints as the workflow holds them ------------------------------------------

def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def registered(ref: str = "CS-2024-001", received: date = date(2024, 3, 27),
               due: date = date(2024, 4, 12)) -> ComplaintState:
    """A stage 1 complaint, assigned, then reassigned, suspended once and resumed."""
    return ComplaintState(
        ref=ref,
        policy="children-statutory",
        policy_version=1,
        received=at(received),
        complainant=Complainant(name="A Parent", email="parent@example.org", type="parent"),
        channel="email",
        service_area="Children in care",
        reasons=["communication", "placement"],
        child="C-123",
        matter_date=date(2024, 2, 1),
        stages=[StageRecord(
            stage=1,
            requested_at=at(received),
            start_day=received,
            working_days=10,
            due=due,
            original_due=date(2024, 4, 10),
            officer="io-2",
            suspensions=[Suspension(on=date(2024, 3, 28), reason="police_investigation",
                                    days_left=9, resumed=date(2024, 3, 29))],
        )],
        assignments=[
            Assignment(stage=1, officer="io-1", at=at(date(2024, 3, 27), 11)),
            Assignment(stage=1, officer="io-2", at=at(date(2024, 4, 2), 9),
                       replaced_officer="io-1"),
        ],
        history=[
            HistoryEntry(at=at(received), action="register"),
            HistoryEntry(at=at(date(2024, 3, 27), 11), action="assign", detail="io-1"),
            HistoryEntry(at=at(date(2024, 3, 28)), action="suspend",
                         detail="police_investigation"),
            HistoryEntry(at=at(date(2024, 3, 29)), action="resume"),
            HistoryEntry(at=at(date(2024, 4, 2), 9), action="reassign", detail="io-2"),
        ],
    )


def responded_and_escalated(state: ComplaintState) -> ComplaintState:
    """The same complaint later: stage 1 answered late, stage 2 requested."""
    stage1 = replace(state.stages[0], responded=date(2024, 4, 15), responding_officer="io-2",
                     outcome="partially_upheld", on_time=False)
    stage2 = StageRecord(stage=2, requested_at=at(date(2024, 4, 22)),
                         start_day=date(2024, 4, 22), working_days=25,
                         due=date(2024, 5, 28), original_due=date(2024, 5, 28),
                         request_reason="disagree")
    return replace(
        state, stage=2, stages=[stage1, stage2],
        history=state.history + [
            HistoryEntry(at=at(date(2024, 4, 15)), action="respond", detail="partially_upheld"),
            HistoryEntry(at=at(date(2024, 4, 22)), action="escalate", detail="disagree"),
        ],
    )


def letter(ref: str, key: str, kind: str = "acknowledgement",
           text_body: str = "We have your complaint.",
           event_at: datetime | None = None) -> OutboxMail:
    return OutboxMail(
        ref=ref, key=key, stage=1, kind=kind, recipient="complainant",
        to_name="A Parent", to_email="parent@example.org",
        event_at=event_at or at(date(2024, 3, 27)), due=date(2024, 4, 12),
        subject=f"Your complaint {ref}", text_body=text_body,
        html_body=f"<p>{text_body}</p>", message_id=f"<{ref}.{key}@council.example>",
    )


# -- the tests ----------------------------------------------------------------------

def test_a_saved_complaint_reads_back_with_its_stages_assignments_and_suspensions(store):
    store.save(registered(), [letter("CS-2024-001", "ack")])

    record = store.complaint("CS-2024-001")
    assert record["policy"] == "children-statutory"
    assert record["complainant_type"] == "parent"
    assert record["complainant_name"] == "A Parent"
    assert record["service_area"] == "Children in care"
    assert record["reasons"] == ["communication", "placement"]
    assert record["matter_date"] == date(2024, 2, 1)
    assert (record["status"], record["stage"]) == ("open", 1)
    assert record["received"] == at(date(2024, 3, 27))

    [stage] = record["stages"]
    assert (stage["start_day"], stage["due"], stage["original_due"]) == (
        date(2024, 3, 27), date(2024, 4, 12), date(2024, 4, 10))
    assert stage["officer"] == "io-2"
    assert [(s["on"], s["reason"], s["days_left"], s["resumed"]) for s in stage["suspensions"]] == [
        (date(2024, 3, 28), "police_investigation", 9, date(2024, 3, 29))]

    assert [(a["officer"], a["replaced_officer"]) for a in record["assignments"]] == [
        ("io-1", None), ("io-2", "io-1")]
    assert [h["action"] for h in record["history"]] == [
        "register", "assign", "suspend", "resume", "reassign"]
    assert store.exists("CS-2024-001")
    assert not store.exists("CS-2024-999")
    assert store.complaint("CS-2024-999") is None


def test_a_retried_save_writes_everything_once(store):
    state, mail = registered(), [letter("CS-2024-001", "ack")]
    store.save(state, mail)
    store.save(state, mail)

    record = store.complaint("CS-2024-001")
    assert len(record["stages"]) == 1
    assert len(record["stages"][0]["suspensions"]) == 1
    assert len(record["assignments"]) == 2
    assert len(record["history"]) == 5
    assert [m["key"] for m in store.sent_mail("CS-2024-001")] == ["ack"]


def test_a_newer_snapshot_replaces_the_stage_data(store):
    first = registered()
    store.save(first, [letter(first.ref, "ack")])
    later = responded_and_escalated(first)
    store.save(later, [letter(first.ref, "response", kind="response_issued"),
                       letter(first.ref, "stage2-ack", kind="stage2_acknowledgement")])

    record = store.complaint(first.ref)
    assert record["stage"] == 2
    stage1, stage2 = record["stages"]
    assert (stage1["responded"], stage1["outcome"], stage1["on_time"]) == (
        date(2024, 4, 15), "partially_upheld", False)
    assert (stage2["request_reason"], stage2["due"]) == ("disagree", date(2024, 5, 28))
    assert len(record["history"]) == 7
    assert [m["kind"] for m in store.sent_mail(first.ref)] == [
        "acknowledgement", "response_issued", "stage2_acknowledgement"]


def test_ombudsman_referrals_and_costs_are_kept(store):
    from models.complaint import Cost, OmbudsmanReferral

    state = responded_and_escalated(registered())
    state.costs = [Cost(stage=2, on=date(2024, 5, 1), item="investigator", amount_gbp=1234.56)]
    state.ombudsman = [OmbudsmanReferral(referred=date(2024, 6, 3), decided=date(2024, 9, 2),
                                         result="upheld_fault_and_injustice", remedy_gbp=250.0)]
    store.save(state, [])
    record = store.complaint(state.ref)
    assert [(c["stage"], c["on"], c["item"], c["amount_gbp"]) for c in record["costs"]] == [
        (2, date(2024, 5, 1), "investigator", 1234.56)]
    assert [(o["result"], o["remedy_gbp"]) for o in record["ombudsman"]] == [("upheld_fault_and_injustice", 250.0)]


def test_an_older_snapshot_arriving_late_does_not_roll_the_record_back(store):
    first = registered()
    first.revision = 1
    later = responded_and_escalated(first)
    later.revision = 2
    store.save(later, [letter(first.ref, "response", kind="response_issued")])
    # A slow first attempt of the earlier write finishes after the later one.
    store.save(first, [letter(first.ref, "ack")])

    record = store.complaint(first.ref)
    assert record["stage"] == 2 and len(record["stages"]) == 2
    assert {m["kind"] for m in store.sent_mail(first.ref)} == {"acknowledgement", "response_issued"}


def test_a_snapshot_with_fewer_rows_leaves_none_behind(store):
    """Replacing, not merging: rows the workflow no longer has do not linger."""
    state = registered()
    store.save(state, [])
    store.save(replace(state, assignments=state.assignments[:1],
                       stages=[replace(state.stages[0], suspensions=[])]), [])

    record = store.complaint(state.ref)
    assert len(record["assignments"]) == 1
    assert record["stages"][0]["suspensions"] == []


def test_a_queued_letter_is_never_rewritten_by_a_retry(store):
    state = registered()
    store.save(state, [letter(state.ref, "ack", text_body="First wording.")])
    [again] = store.save(state, [letter(state.ref, "ack", text_body="Second wording.")])
    assert again.text_body == "First wording."          # the retry sends what was recorded

    [mail] = store.sent_mail(state.ref)
    assert mail["text_body"] == "First wording."
    assert [m.text_body for m in store.unsent(state.ref, ["ack"])] == ["First wording."]


def test_unsent_mail_until_it_is_marked_sent(store):
    state = registered()
    keys = ["ack", "assignment-io-1", "handover-io-2"]
    assert [m.key for m in store.save(state, [letter(state.ref, key) for key in keys])] == keys

    assert [m.key for m in store.unsent(state.ref, ["handover-io-2", "ack"])] == [
        "handover-io-2", "ack"]
    sent_at = datetime(2024, 3, 27, 10, 0, 5, tzinfo=timezone.utc)
    store.mark_sent(state.ref, "ack", sent_at)
    store.mark_sent(state.ref, "ack", sent_at + timedelta(minutes=5))  # delivered twice

    assert [m.key for m in store.unsent(state.ref, keys)] == ["assignment-io-1", "handover-io-2"]
    assert [m.key for m in store.all_unsent()] == ["assignment-io-1", "handover-io-2"]
    assert store.unsent(state.ref, []) == []
    by_key = {m["key"]: m["sent_at"] for m in store.sent_mail(state.ref)}
    assert by_key == {"ack": sent_at, "assignment-io-1": None, "handover-io-2": None}

    # Saving again after delivery must not queue the letter a second time, nor send it.
    assert store.save(state, [letter(state.ref, "ack")]) == []
    assert [m.key for m in store.unsent(state.ref, ["ack"])] == []


def test_all_unsent_covers_every_complaint(store):
    store.save(registered("CS-1"), [letter("CS-1", "ack")])
    store.save(registered("CS-2"), [letter("CS-2", "ack")])
    assert [(m.ref, m.key) for m in store.all_unsent()] == [("CS-1", "ack"), ("CS-2", "ack")]
    mail = store.all_unsent()[0]
    assert (mail.recipient, mail.to_email, mail.due) == (
        "complainant", "parent@example.org", date(2024, 4, 12))


def test_open_complaints_put_the_overdue_first(store):
    today = date(2024, 4, 20)
    store.save(registered("CS-DUE-LATER", due=date(2024, 5, 1)), [])
    store.save(registered("CS-DUE-SOON", due=date(2024, 4, 24)), [])
    store.save(registered("CS-OVERDUE", due=date(2024, 4, 12)), [])
    suspended = registered("CS-SUSPENDED")
    suspended.status = "suspended"
    suspended.stages[0].due = None
    store.save(suspended, [])
    closed = registered("CS-CLOSED", due=date(2024, 4, 1))
    closed.status, closed.closed_on = "closed", date(2024, 4, 2)
    store.save(closed, [])
    withdrawn = registered("CS-WITHDRAWN", due=date(2024, 4, 1))
    withdrawn.status, withdrawn.withdrawn_on = "withdrawn", date(2024, 4, 3)
    store.save(withdrawn, [])

    listed = store.open_complaints(today)
    assert [c["ref"] for c in listed] == [
        "CS-OVERDUE", "CS-DUE-SOON", "CS-DUE-LATER", "CS-SUSPENDED"]
    assert [c["overdue"] for c in listed] == [True, False, False, False]
    assert listed[0]["due"] == date(2024, 4, 12)
    assert listed[0]["officer"] == "io-2"


def test_timestamps_come_back_timezone_aware(store):
    # 10:00 in London during summer time is 09:00 UTC: the instant must survive.
    summer = date(2024, 7, 1)
    state = registered(received=summer)
    store.save(state, [letter(state.ref, "ack", event_at=at(summer))])
    store.mark_sent(state.ref, "ack", datetime(2024, 7, 1, 9, 0, 3, tzinfo=timezone.utc))

    record = store.complaint(state.ref)
    stamps = [record["received"], record["updated_at"], record["stages"][0]["requested_at"],
              *(a["at"] for a in record["assignments"]), *(h["at"] for h in record["history"])]
    [mail] = store.sent_mail(state.ref)
    stamps += [mail["event_at"], mail["created_at"], mail["sent_at"]]
    assert all(stamp.utcoffset() is not None for stamp in stamps)
    assert record["received"] == datetime(2024, 7, 1, 9, tzinfo=timezone.utc)
    assert mail["event_at"] == at(summer)
    assert store.all_unsent() == []


def test_a_timestamp_without_a_time_zone_is_refused(store):
    state = replace(registered(), received=datetime(2024, 3, 27, 10))
    with pytest.raises(Exception, match="without a time zone"):
        store.save(state, [])
    assert not store.exists(state.ref)


def test_a_failed_save_leaves_nothing_half_written(store):
    state = registered()
    store.save(state, [letter(state.ref, "ack")])
    clash = letter(state.ref, "other")
    clash.message_id = letter(state.ref, "ack").message_id   # two letters, one id: a bug
    with pytest.raises(Exception):
        store.save(responded_and_escalated(state), [clash])

    record = store.complaint(state.ref)
    assert record["stage"] == 1 and len(record["stages"]) == 1
    assert [m["key"] for m in store.sent_mail(state.ref)] == ["ack"]


def test_concurrent_saves_of_one_complaint_do_not_collide(store):
    """A timed-out activity may still be running when its retry starts."""
    state = registered()
    store.save(state, [])
    later = responded_and_escalated(state)
    errors: list[BaseException] = []

    def save_repeatedly():
        try:
            for _ in range(10):
                store.save(later, [letter(state.ref, "response")])
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=save_repeatedly) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    record = store.complaint(state.ref)
    assert len(record["stages"]) == 2 and len(record["history"]) == 7
    assert [m["key"] for m in store.sent_mail(state.ref)] == ["response"]


def test_compliments_are_recorded_for_the_annual_report(store):
    store.add_compliment(date(2024, 5, 2), "Fostering", "io-1", "Thank you for listening.")
    store.add_compliment(date(2024, 4, 9), "Children in care", None, "The team was kind.")

    assert [(c["received"], c["team"], c["officer"]) for c in store.compliments()] == [
        (date(2024, 4, 9), "Children in care", None),
        (date(2024, 5, 2), "Fostering", "io-1")]
    assert len(store.compliments(since=date(2024, 5, 1))) == 1


def test_create_schema_can_run_on_every_start(store):
    store.save(registered(), [])
    store.create_schema()
    assert store.exists("CS-2024-001")


# -- configuration, no database needed ------------------------------------------------

def test_every_stage_field_has_a_column():
    """A field added to StageRecord must reach the record, not vanish on save."""
    columns = set(StageRow.__table__.columns.keys())
    missing = {f.name for f in fields(StageRecord)} - {"suspensions"} - columns
    assert missing == set()


def test_the_default_database_is_a_sqlite_file_under_var(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///var/complaints.db"
    assert (tmp_path / "var").is_dir()


def test_a_postgresql_url_gets_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/complaints")
    assert database_url() == "postgresql+psycopg://postgres@127.0.0.1:5432/complaints"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:secret@db/complaints")
    assert database_url() == "postgresql+psycopg://u:secret@db/complaints"


# -- refused registrations ----------------------------------------------------------

def test_refused_registrations_are_kept_by_date_received_and_nothing_personal(store):
    refused_at = datetime(2024, 5, 2, 9, 30, tzinfo=timezone.utc)
    assert store.add_refusal("CS-OLD-1", "complaint-handling-code", date(2024, 5, 2), refused_at,
                             "the matter arose on 2023-01-10, more than 12 months before ...")
    assert store.add_refusal("CS-OLD-2", "children-statutory", date(2024, 3, 30), refused_at,
                             "the matter arose on 2022-11-01, more than 12 months before ...")
    assert store.add_refusal("CS-OLD-3", "corporate", date(2025, 4, 1), refused_at, "a reason")
    # The same refusal asked again is one refused complaint, not two.
    assert not store.add_refusal("CS-OLD-1", "complaint-handling-code", date(2024, 5, 2),
                                 refused_at + timedelta(hours=1),
                                 "the matter arose on 2023-01-10, more than 12 months before ...")

    year = store.refusals(since=date(2024, 4, 1), until=date(2025, 3, 31))
    assert [(r["ref"], r["policy"], r["received"], r["action"]) for r in year] == [
        ("CS-OLD-1", "complaint-handling-code", date(2024, 5, 2), "register")]
    assert year[0]["refused_at"] == refused_at
    assert [r["ref"] for r in store.refusals()] == ["CS-OLD-2", "CS-OLD-1", "CS-OLD-3"]
    assert [r["ref"] for r in store.refusals(until=date(2024, 4, 30))] == ["CS-OLD-2"]
    assert set(year[0]) == {"id", "ref", "policy", "received", "refused_at", "action", "reason"}


# -- after the complaint's workflow has ended ---------------------------------------

def archived(ref: str = "CS-2024-001") -> ComplaintState:
    """Stage 1 answered (by io-2), stage 2 answered (by io-3), closed, and a year on archived."""
    state = responded_and_escalated(registered(ref))
    state.stages[1] = replace(state.stages[1], officer="io-3", responded=date(2024, 5, 20),
                              responding_officer="io-3", outcome="not_upheld", on_time=True)
    state.status, state.closed_on, state.archived, state.revision = "closed", date(2024, 6, 18), True, 7
    return state


def the_rules_say(state: ComplaintState, action: str, req: object, now: datetime) -> str | None:
    """What the workflow's own rules answer for the same complaint."""
    from policies import load_policy
    from rules.calendar import WorkingCalendar
    from rules.complaint import Complaint

    complaint = Complaint(replace(state), load_policy(state.policy), WorkingCalendar([]), {}, "team@example.org")
    return complaint.refusal(action, req, now)


def test_after_its_workflow_an_ombudsman_referral_and_decision_go_into_the_record(store):
    from models.actions import OmbudsmanDecision, ReferToOmbudsman
    from rules.complaint import Refused

    state = archived()
    store.save(state, [])
    now = at(date(2025, 9, 1), 15)

    assert store.record_ombudsman_referral(state.ref, ReferToOmbudsman(on=date(2025, 8, 4)), now) == date(2025, 8, 4)
    record = store.complaint(state.ref)
    assert [(o["referred"], o["decided"]) for o in record["ombudsman"]] == [(date(2025, 8, 4), None)]
    assert record["revision"] == 8
    assert (record["history"][-1]["action"], record["history"][-1]["detail"]) == ("refer_to_ombudsman", "2025-08-04")
    assert record["history"][-1]["at"] == now

    state.ombudsman = [OmbudsmanReferral(referred=date(2025, 8, 4))]
    refused = [
        ("refer_to_ombudsman", ReferToOmbudsman()),
        ("ombudsman_decision", OmbudsmanDecision(result="upheld_but_not_really")),
        ("ombudsman_decision", OmbudsmanDecision(result="upheld_fault_and_injustice", remedy_gbp=-1.0)),
        ("ombudsman_decision", OmbudsmanDecision(result="not_upheld", on=date(2025, 9, 2))),
        ("ombudsman_decision", OmbudsmanDecision(result="not_upheld", on=date(2024, 3, 26))),
    ]
    for action, req in refused:
        record_it = store.record_ombudsman_referral if action == "refer_to_ombudsman" else store.record_ombudsman_decision
        with pytest.raises(Refused) as why:
            record_it(state.ref, req, now)
        assert str(why.value) == the_rules_say(state, action, req, now) is not None
    assert store.complaint(state.ref)["revision"] == 8, "a refusal leaves the complaint as it was"

    decision = OmbudsmanDecision(result="upheld_fault_and_injustice", remedy_gbp=350.5)
    assert store.record_ombudsman_decision(state.ref, decision, now) == date(2025, 9, 1)
    record = store.complaint(state.ref)
    assert [(o["referred"], o["decided"], o["result"], o["remedy_gbp"]) for o in record["ombudsman"]] == [
        (date(2025, 8, 4), date(2025, 9, 1), "upheld_fault_and_injustice", 350.5)]
    assert record["revision"] == 9
    with pytest.raises(Refused, match="not with the Ombudsman"):
        store.record_ombudsman_decision(state.ref, decision, now)
    # A second referral, once the first is decided.
    store.record_ombudsman_referral(state.ref, ReferToOmbudsman(), now)
    assert [o["seq"] for o in store.complaint(state.ref)["ombudsman"]] == [1, 2]

    # The workflow's last snapshot arriving again (a retried activity) cannot undo any of it.
    store.save(state, [])
    assert len(store.complaint(state.ref)["ombudsman"]) == 2


def test_after_its_workflow_costs_and_late_lessons_learnt_go_into_the_record(store):
    from models.actions import RecordCost, SubmitLearning
    from rules.complaint import Refused

    state = archived()
    store.save(state, [])
    now = at(date(2025, 9, 1))

    for req in (RecordCost(stage=3, item="panel", amount_gbp=900.0),
                RecordCost(stage=4, item="panel", amount_gbp=900.0),
                RecordCost(stage=2, item="lunch", amount_gbp=12.0),
                RecordCost(stage=2, item="investigator", amount_gbp=0.0),
                RecordCost(stage=2, item="investigator", amount_gbp=10.0, on=date(2025, 9, 2))):
        with pytest.raises(Refused) as why:
            store.record_cost(state.ref, req, now)
        assert str(why.value) == the_rules_say(state, "record_cost", req, now) is not None
    assert store.record_cost(state.ref, RecordCost(stage=2, item="investigator", amount_gbp=1234.56,
                                                   on=date(2024, 5, 31)), now) == date(2024, 5, 31)
    assert store.record_cost(state.ref, RecordCost(stage=2, item="independent_person", amount_gbp=400.0),
                             now) == date(2025, 9, 1)
    record = store.complaint(state.ref)
    assert [(c["seq"], c["stage"], c["on"], c["item"], c["amount_gbp"]) for c in record["costs"]] == [
        (1, 2, date(2024, 5, 31), "investigator", 1234.56), (2, 2, date(2025, 9, 1), "independent_person", 400.0)]

    # The latest stage awaiting its form first, as the workflow takes them.
    assert store.record_learning(state.ref, SubmitLearning(text="Answer sooner."), now) == 2
    assert store.record_learning(state.ref, SubmitLearning(), now) == 1
    with pytest.raises(Refused) as why:
        store.record_learning(state.ref, SubmitLearning(), now)
    done = replace(state, stages=[replace(s, learning_submitted=date(2025, 9, 1)) for s in state.stages])
    assert str(why.value) == the_rules_say(done, "submit_learning", SubmitLearning(), now)
    record = store.complaint(state.ref)
    assert [(s["learning_submitted"], s["learning_text"]) for s in record["stages"]] == [
        (date(2025, 9, 1), None), (date(2025, 9, 1), "Answer sooner.")]
    assert [h["detail"] for h in record["history"][-4:]] == [
        "stage 2 investigator", "stage 2 independent_person", "stage 2", "stage 1"]
    assert record["revision"] == 7 + 4


def test_only_an_archived_complaint_takes_actions_in_the_store_and_a_withdrawn_one_none(store):
    from models.actions import OmbudsmanDecision, RecordCost, ReferToOmbudsman, SubmitLearning
    from rules.complaint import Refused
    from store.record_store import NotAfterTheWorkflow

    now = at(date(2025, 9, 1))
    withdrawn = replace(archived("CS-WITHDRAWN"), status="withdrawn", withdrawn_on=date(2024, 5, 1),
                        closed_on=None, archived=False)
    still_running = replace(archived("CS-RUNNING"), archived=False)
    store.save(withdrawn, [])
    store.save(still_running, [])
    attempts = (
        (store.record_ombudsman_referral, ReferToOmbudsman()),
        (store.record_ombudsman_decision, OmbudsmanDecision(result="not_upheld")),
        (store.record_cost, RecordCost(stage=2, item="investigator", amount_gbp=1.0)),
        (store.record_learning, SubmitLearning()),
    )
    for record_it, req in attempts:
        with pytest.raises(Refused, match="^the complaint was withdrawn on 2024-05-01; nothing more can be done"):
            record_it("CS-WITHDRAWN", req, now)
        with pytest.raises(NotAfterTheWorkflow, match="not archived"):
            record_it("CS-RUNNING", req, now)
        with pytest.raises(NotAfterTheWorkflow, match="holds no complaint CS-NONE"):
            record_it("CS-NONE", req, now)
    assert store.complaint("CS-WITHDRAWN")["revision"] == withdrawn.revision
    assert store.complaint("CS-RUNNING")["revision"] == still_running.revision
    assert store.complaint("CS-WITHDRAWN")["ombudsman"] == store.complaint("CS-RUNNING")["costs"] == []


def test_two_referrals_at_once_after_the_workflow_make_one(store):
    from models.actions import ReferToOmbudsman
    from rules.complaint import Refused

    state = archived()
    store.save(state, [])
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def refer():
        start.wait()
        try:
            store.record_ombudsman_referral(state.ref, ReferToOmbudsman(), at(date(2025, 9, 1)))
            outcomes.append("recorded")
        except Refused:
            outcomes.append("refused")

    clerks = [threading.Thread(target=refer) for _ in range(4)]
    for clerk in clerks:
        clerk.start()
    for clerk in clerks:
        clerk.join()
    assert sorted(outcomes) == ["recorded", "refused", "refused", "refused"]
    assert len(store.complaint(state.ref)["ombudsman"]) == 1
