"""Benchmark 4: `complaints report` over 100,000 complaints, against a plain read of the rows.

    python -m bench.run report                                  # as part of make bench
    python -m bench.report_bench --build /tmp/records.db        # just build the store (to profile)
    python -m bench.report_bench --child report --database /tmp/records.db --out /tmp/report

The store: five financial years (2019-20 to 2023-24) of a large county, 100,000
complaints, written straight into a fresh SQLite record store (``RecordStore.create_schema``)
in batches of SQLAlchemy core inserts, not through the engine. Each complaint is a
``models.complaint.ComplaintState`` made up as the engine would have left it on 30
September 2024 (the report's ``as_of``), turned into rows by ``store.snapshot``, so the
rows are the engine's own shape: policies mixed (about 45% children-statutory, 45%
corporate, 10% complaint-handling-code), 1 to 3 stages with their clocks counted on the
engine's calendar (bank holidays), about 40% of responses late, extensions, suspensions,
reassignments, escalation reasons, withdrawals, discontinuations, lessons-learnt forms
with text on about 25% of officers' stages, Ombudsman referrals (about 3%), stage 2 and 3
costs, compliments, refused registrations, and the history rows of every action. The
outbox is left empty: the report never reads it. Seeded, so every run builds the same
store; the file lives in a temporary folder for the run only.

Measured, each in a fresh process (so its peak RSS, ``VmHWM``, is its own), ``repeats``
times in turn, medians reported:

- the report: ``reports.annual_report.build`` for 2023-24 (as of 30 September 2024, no
  history file) and ``write`` to a folder, timed together;
- the floor any report must pay: the columns ``reports.records.read_records`` reads of
  every complaints and stages row, with plain ``sqlite3`` and ``fetchall``, nothing else;
- a bare process importing the same modules and doing nothing (the memory floor).

The time figures are the in-process wall seconds of build+write and of the read; their
CPU seconds (a wall time well above the CPU time means the shared machine was busy) and
the whole process's time (start-up and imports included) are printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench.common import Row, say

TARGET_SECONDS = 10.0
SANE_PEAK_MB = 1024.0
MB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent

YEAR = "2023-24"
AS_OF = date(2024, 9, 30)          # the day the store is as of, and the report's as_of
FIRST_YEAR = 2019                  # 2019-20 ... 2023-24
YEARS = 5
BATCH = 10_000                     # complaints per transaction

# What every measured process imports (the report's own modules), so that the bare one
# is the memory floor of the other two.
IMPORTS = ("reports.annual_report", "reports.history", "reports.year", "store.record_store")

# ---------------------------------------------------------------------------------- the caseload

POLICY_WEIGHTS = (("children-statutory", 0.45), ("corporate", 0.45), ("complaint-handling-code", 0.10))
YEAR_WEIGHTS = (0.18, 0.19, 0.20, 0.21, 0.22)       # a slowly growing caseload
CHANNELS = (("email", 0.35), ("web", 0.30), ("phone", 0.20), ("letter", 0.10), ("in_person", 0.05))
STATUTORY_COMPLAINANTS = (
    ("child", 0.07), ("child_with_advocate", 0.08), ("parent", 0.45), ("family_member", 0.10),
    ("foster_carer", 0.06), ("special_guardian", 0.04), ("adopter", 0.02), ("professional", 0.04), ("other", 0.14),
)
OTHER_COMPLAINANTS = (("parent", 0.30), ("family_member", 0.10), ("professional", 0.05), ("other", 0.55))
STATUTORY_AREAS = ("Children in care", "Child protection", "Early help", "Disabled children", "Fostering",
                   "Adoption", "Leaving care", "Family support", "Youth justice", "Assessment and intervention")
CORPORATE_AREAS = ("Education", "SEND", "School admissions", "School transport", "Early years", "Housing",
                   "Adult social care", "Highways", "Waste and recycling", "Council tax", "Parking",
                   "Libraries", "Planning", "Customer services")
REASONS = ("communication", "delay", "quality_of_service", "staff_conduct", "decision", "policy",
           "information_sharing", "contact_arrangements", "placement", "financial_support", "discrimination")
OUTCOMES = (("upheld", 0.22), ("partially_upheld", 0.28), ("not_upheld", 0.45), ("no_finding", 0.05))
OMBUDSMAN_RESULTS = (("premature", 0.22), ("closed_after_initial_enquiries", 0.35), ("not_upheld", 0.13),
                     ("upheld_fault_and_injustice", 0.20), ("upheld_fault_no_injustice", 0.05),
                     ("upheld_remedied_already", 0.05))
WITHDRAWAL_REASONS = ("resolved informally", "no longer wishes to pursue", "complainant moved away",
                      "taken up through another route")
REFUSAL_REASONS = ("the matter arose more than 12 months before the complaint",
                   "the matter has already been considered under the procedure",
                   "the matter is the subject of legal proceedings",
                   "the complainant is not eligible to complain under this procedure")
LESSON_OPENERS = ("Staff were reminded", "The team has agreed", "Managers will check", "Training was arranged so",
                  "The service now makes sure", "Supervision will cover how", "A new checklist means",
                  "The team will review how")
LESSON_ACTIONS = ("that families are told who their new social worker is within five working days",
                  "that calls and emails are returned within two working days",
                  "that meeting notes are shared with the family before the next meeting",
                  "that decisions are explained in writing, with the reasons and how to challenge them",
                  "that the child's views are recorded and passed on to the panel",
                  "that contact arrangements are confirmed in writing to everyone concerned",
                  "that case records are checked for accuracy before they are shared",
                  "that payments are made on the date promised and any delay is explained",
                  "that a named worker is given when a case moves between teams",
                  "that complaints are acknowledged by the officer within a day of assignment")
LESSON_ENDINGS = ("", " This will be checked at the next audit.", " The change was shared at the team meeting.",
                  " Progress is reported to the service manager each quarter.")
COMPLIMENT_TEXTS = ("Thank you for listening to us and for all your help over the last months.",
                    "Our social worker went above and beyond to keep us informed.",
                    "The team was patient, kind and explained everything clearly.",
                    "We are grateful for the support our family received.",
                    "The officer sorted the problem quickly and kept in touch throughout.")
OFFICERS = [f"io-{i}" for i in range(1, 151)]
INDEPENDENT_PEOPLE = [f"Independent person {i}" for i in range(1, 21)]

LATE = 0.40                 # of stage responses (stage 3: of each of its three clocks, ~17%)
PANEL_CLOCK_LATE = 0.17
EXTEND = 0.20
SUSPEND = 0.04              # not under the Code
REASSIGN = 0.12
LEARNING = 0.25             # of stages answered by an officer
LEFT_UNANSWERED = 0.06      # of late stages 1 and 2: escalated before any response (no_response)
ESCALATE = {("children-statutory", 1): 0.22, ("children-statutory", 2): 0.33,
            ("corporate", 1): 0.15, ("complaint-handling-code", 1): 0.18}
WITHDRAW = 0.03
DISCONTINUE = 0.005         # statutory
OMBUDSMAN = {1: 0.015, 2: 0.07, 3: 0.20}     # by final stage: about 3% overall
COMPLIMENTS_PER_YEAR = 600
REFUSALS = 0.012            # registrations refused, per complaint received


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]


class WorkingDays:
    """The engine's working days (England and Wales bank holidays) as an indexed list, so that
    counting N working days is a lookup (the same answers as ``rules.deadlines``)."""

    def __init__(self, first: date, last: date) -> None:
        from rules.bank_holidays import days_off
        from rules.calendar import WorkingCalendar

        calendar = WorkingCalendar(days_off(first.year, last.year))
        self.days: list[date] = []
        self._first_on_or_after: dict[date, int] = {}
        waiting: list[date] = []
        day = first
        while day <= last:
            waiting.append(day)
            if calendar.is_working_day(day):
                for d in waiting:
                    self._first_on_or_after[d] = len(self.days)
                self.days.append(day)
                waiting = []
            day += timedelta(days=1)

    def index(self, day: date) -> int:
        """The index of the day itself if a working day, else of the next one (``start_day``)."""
        return self._first_on_or_after[day]

    def due(self, start: date, n: int) -> date:
        """``rules.deadlines.due_date``: working day N after the start day."""
        return self.days[self.index(start) + n]

    def after(self, day: date, n: int) -> date:
        """N working days after a working day."""
        return self.days[self.index(day) + n]

    def between(self, after: date, until: date) -> int:
        """Working days strictly after ``after``, up to and including ``until``."""
        return self.index(until + timedelta(days=1)) - self.index(after + timedelta(days=1))


class _Later(Exception):
    """The next thing in a complaint's life would happen after AS_OF: it has not happened yet."""


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)
    seconds_making: float = 0.0
    seconds_inserting: float = 0.0

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


class Caseload:
    """Makes up complaints as the engine would have recorded them by AS_OF."""

    def __init__(self, seed: int) -> None:
        from policies import load_policy
        from rules.complaint import LONDON

        self.rng = random.Random(seed)
        self.london = LONDON
        self.days = WorkingDays(date(FIRST_YEAR - 1, 1, 1), date(FIRST_YEAR + YEARS + 3, 12, 31))
        self.policies = {name: load_policy(name) for name, _ in POLICY_WEIGHTS}
        starts = [self.days.index(date(FIRST_YEAR + y, 4, 1)) for y in range(YEARS + 1)]
        self.year_spans = [(starts[y], starts[y + 1] - 1) for y in range(YEARS)]

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hour, minute), self.london)

    def received_day(self) -> date:
        rng = self.rng
        first, last = self.year_spans[rng.choices(range(YEARS), YEAR_WEIGHTS)[0]]
        return self.days.days[rng.randint(first, last)]

    # -- one complaint ------------------------------------------------------------

    def complaint(self, number: int):
        from models.complaint import Complainant, ComplaintState, HistoryEntry

        rng = self.rng
        policy_name = _weighted(rng, POLICY_WEIGHTS)
        policy = self.policies[policy_name]
        statutory = policy_name == "children-statutory"
        day = self.received_day()
        # Mostly office hours; some web forms late at night (in summer, 00:30 in London is
        # the previous day in UTC: the report must count the London day).
        received = (self.at(day, rng.randint(8, 17), rng.randint(0, 59)) if rng.random() < 0.9
                    else self.at(day, rng.choice((0, 1, 21, 22, 23)), rng.randint(0, 59)))
        fy = day.year if day.month >= 4 else day.year - 1
        state = ComplaintState(
            ref=f"CS-{fy}-{number:06d}", policy=policy_name, policy_version=policy.version, received=received,
            complainant=Complainant(name=f"Complainant {number}", email=f"complainant{number}@example.org",
                                    type=_weighted(rng, STATUTORY_COMPLAINANTS if statutory else OTHER_COMPLAINANTS)),
            channel=_weighted(rng, CHANNELS),
            service_area=None if rng.random() < 0.03 else rng.choice(STATUTORY_AREAS if statutory else CORPORATE_AREAS),
            reasons=rng.sample(REASONS, rng.choices((1, 2, 3), (0.55, 0.35, 0.10))[0]),
            child=f"Child {number}" if statutory else None,
            matter_date=day - timedelta(days=rng.randint(0, 300)),
        )
        state.history.append(HistoryEntry(at=received, action="register", detail=policy_name))
        withdraw_at = rng.choices((1, 2, 3), (0.7, 0.25, 0.05))[0] if rng.random() < WITHDRAW else 0
        discontinue = statutory and rng.random() < DISCONTINUE
        try:
            self._life(state, policy, withdraw_at, discontinue)
        except _Later:
            pass
        state.history.sort(key=lambda h: h.at)
        state.revision = len(state.history)
        last = state.history[-1].at.date()
        state.chased_through = AS_OF if state.status in ("open", "suspended") else min(last, AS_OF)
        return state, state.history[-1].at.astimezone(timezone.utc)

    def _happens(self, day: date) -> date:
        if day > AS_OF:
            raise _Later
        return day

    def _log(self, state, day: date, action: str, detail: str = "", hour: int = 10) -> None:
        from models.complaint import HistoryEntry

        state.history.append(HistoryEntry(at=self.at(day, hour), action=action, detail=detail))

    def _life(self, state, policy, withdraw_at: int, discontinue: bool) -> None:
        from rules.calendar import months_later

        rng, days = self.rng, self.days
        requested_at, reason = state.received, None
        number = 1
        while True:
            s = self._stage(state, policy, number, requested_at, reason, withdraw_at == number,
                            discontinue and number == 1)
            if s is None:           # withdrawn or discontinued: nothing more happens
                return
            last_day = s.responded
            if s.responded is None:     # left without a response, then escalated
                escalated = days.after(s.due, rng.randint(5, 15))
            else:
                escalated = None
                chance = ESCALATE.get((policy.name, number), 0.0)
                if number < policy.last_stage and rng.random() < chance:
                    window = policy.stage(number).escalation_window_working_days
                    escalated = days.after(s.responded, rng.randint(1, window))
            if s.responded is not None and s.responding_officer and rng.random() < LEARNING:
                learnt = days.after(s.responded, rng.randint(1, 12))
                if learnt <= AS_OF:
                    s.learning_submitted = learnt
                    s.learning_text = (f"{rng.choice(LESSON_OPENERS)} {rng.choice(LESSON_ACTIONS)}."
                                       f"{rng.choice(LESSON_ENDINGS)}")
                    self._log(state, learnt, "submit_learning", f"stage {number}", hour=14)
            elif s.responded is not None and s.responding_officer:
                s.learning_reminders_sent = min(3, max(0, days.between(s.responded, AS_OF) // 5))
            self._costs(state, policy, s)
            if escalated is not None:
                self._happens(escalated)
                if s.responded is None:
                    s.outcome, s.on_time = "no_response", False
                    reason = "no_response"
                elif not s.on_time and rng.random() < 0.5:
                    reason = "late_response"
                else:
                    reason = rng.choice(("disagree", "disagree", "disagree", "no_actions"))
                state.closed_on = None
                state.status = "open"
                self._log(state, escalated, "escalate", reason)
                requested_at = self.at(escalated, rng.randint(9, 16), rng.randint(0, 59))
                number += 1
                continue
            # Not escalated: the last stage closes on its response, the others when the window ends.
            if number == policy.last_stage:
                state.closed_on = last_day
            else:
                window_end = days.after(last_day, policy.stage(number).escalation_window_working_days)
                self._happens(window_end)
                state.closed_on = window_end
                self._log(state, window_end + timedelta(days=1), "window_closed", hour=0)
            state.status = "closed"
            self._ombudsman(state, number)
            reopen_until = months_later(state.closed_on, policy.reopen_window_months)
            self._happens(reopen_until + timedelta(days=1))
            state.archived = True
            self._log(state, reopen_until + timedelta(days=1), "archived", hour=0)
            return

    def _stage(self, state, policy, number: int, requested_at: datetime, reason: str | None,
               withdraw: bool, discontinue: bool):
        """One stage, to its response (or withdrawal); None when the complaint stops here."""
        from models.complaint import PANEL_MEETING, Assignment, Discontinuation, StageRecord, Suspension

        rng, days = self.rng, self.days
        rules = policy.stage(number)
        start = days.days[days.index(requested_at.date())]
        due = days.due(start, rules.working_days)
        s = StageRecord(stage=number, requested_at=requested_at, start_day=start, working_days=rules.working_days,
                        due=due, original_due=due, request_reason=reason,
                        clock=PANEL_MEETING if rules.panel else None)
        state.stages.append(s)
        state.stage = number
        state.status = "open"
        late = rng.random() < LATE
        busy_until = start
        if rules.has_officer:
            assigned = self._happens(days.after(start, rng.randint(0, 2)))
            s.officer = rng.choice(OFFICERS)
            state.assignments.append(Assignment(stage=number, officer=s.officer, at=self.at(assigned, 11)))
            self._log(state, assigned, "assign", s.officer, hour=11)
            busy_until = assigned
            if rng.random() < REASSIGN:
                moved = self._happens(days.after(assigned, rng.randint(1, 4)))
                before, s.officer = s.officer, rng.choice(OFFICERS)
                state.assignments.append(Assignment(stage=number, officer=s.officer, at=self.at(moved, 11),
                                                    replaced_officer=before))
                self._log(state, moved, "reassign", f"{before} -> {s.officer}", hour=11)
                busy_until = moved
        if number == 2 and policy.name == "children-statutory":
            appointed = self._happens(days.after(start, rng.randint(1, 5)))
            s.independent_person = rng.choice(INDEPENDENT_PEOPLE)
            self._log(state, appointed, "appoint_independent_person")
            busy_until = max(busy_until, appointed)
        if discontinue:
            stopped = self._happens(days.after(busy_until, rng.randint(1, 3)))
            state.discontinuation = Discontinuation(on=stopped, reason="court_proceedings", stage=number)
            s.due = None
            state.status = "discontinued"
            self._log(state, stopped, "discontinue", "court_proceedings")
            ended = stopped + timedelta(days=rng.randint(60, 400))
            if ended <= AS_OF:
                state.discontinuation.proceedings_ended = ended
                self._log(state, ended, "proceedings_ended", ended.isoformat())
            return None
        if withdraw:
            gone = self._happens(days.after(busy_until, rng.randint(1, max(1, rules.working_days - 3))))
            state.status, state.withdrawn_on = "withdrawn", gone
            state.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            self._log(state, gone, "withdraw")
            return None
        if rules.panel:
            return self._panel(state, s, rules)
        if policy.suspension_allowed and rng.random() < SUSPEND:
            stop = self._happens(days.after(busy_until, rng.randint(1, 3)))
            left = days.between(stop, s.due)
            s.suspended_on, s.days_left, s.due = stop, left, None
            suspension = Suspension(on=stop, reason=rng.choice(("court_proceedings", "police_investigation", "other")),
                                    days_left=left)
            s.suspensions.append(suspension)
            state.status = "suspended"
            self._log(state, stop, "suspend", f"{suspension.reason}; {left} working days left")
            resumed = self._happens(days.days[days.index(stop + timedelta(days=rng.randint(10, 90)))])
            suspension.resumed = resumed
            s.due = days.due(resumed, left)
            s.suspended_on, s.days_left = None, None
            state.status = "open"
            self._log(state, resumed, "resume", f"due {s.due}")
            busy_until = resumed
        elif rules.extra_working_days and rng.random() < EXTEND:
            asked = self._happens(max(busy_until, days.after(s.due, -rng.randint(0, 3))))
            s.extended_due = days.after(s.due, rules.extra_working_days)
            s.extension_reason = rng.choice(("complex", "advocate needed", "more time for the investigation"))
            s.due = s.extended_due
            self._log(state, asked, "extend", f"{s.extension_reason}; due {s.due}")
            busy_until = asked
        if late:
            if number < policy.last_stage and rng.random() < LEFT_UNANSWERED:
                return s            # the complainant escalates before any response
            answered = days.after(s.due, min(rng.randint(1, 8), rng.randint(1, 30)))
        else:
            low = days.index(busy_until) + 1
            high = days.index(s.due)
            answered = days.days[rng.randint(min(low, high), high)]
        self._happens(answered)
        s.responded, s.responding_officer = answered, s.officer
        s.outcome = _weighted(rng, OUTCOMES)
        s.on_time = answered <= s.due
        self._log(state, answered, "respond", s.outcome, hour=15)
        return s

    def _panel(self, state, s, rules):
        """Stage 3: the panel meets, reports, and the council responds, each on its own clock."""
        from models.complaint import FINAL_RESPONSE, PANEL_REPORT

        rng, days = self.rng, self.days

        def met_by(due: date, earliest: date) -> date:
            if rng.random() < PANEL_CLOCK_LATE:
                return days.after(due, rng.randint(1, 10))
            return days.days[rng.randint(min(days.index(earliest) + 1, days.index(due)), days.index(due))]

        held = self._happens(met_by(s.due, s.start_day))
        s.panel_held = held
        s.clocks_met.append(held <= s.due)
        s.clock, s.due = PANEL_REPORT, days.due(held, rules.panel.recommendations_working_days)
        self._log(state, held, "panel_held")
        reported = self._happens(met_by(s.due, held))
        s.panel_report = reported
        s.clocks_met.append(reported <= s.due)
        s.clock, s.due = FINAL_RESPONSE, days.due(reported, rules.panel.final_response_working_days)
        self._log(state, reported, "panel_report")
        answered = self._happens(met_by(s.due, reported))
        s.responded = answered
        s.outcome = _weighted(rng, OUTCOMES)
        s.clocks_met.append(answered <= s.due)
        s.on_time = all(s.clocks_met)
        self._log(state, answered, "respond", s.outcome, hour=15)
        return s

    def _costs(self, state, policy, s) -> None:
        from models.complaint import Cost

        rng = self.rng
        items: list[tuple[str, float]] = []
        if policy.name == "children-statutory" and s.stage == 2:
            items = [("investigator", rng.uniform(800, 3500)), ("independent_person", rng.uniform(300, 1200))]
        elif policy.name == "children-statutory" and s.stage == 3:
            items = [("panel", rng.uniform(600, 2000))]
            if rng.random() < 0.2:
                items.append(("other", rng.uniform(50, 400)))
        elif policy.name == "corporate" and s.stage == 2 and rng.random() < 0.25:
            items = [("investigator", rng.uniform(400, 1800))]
        on = s.responded or s.due
        for item, amount in items:
            if on is not None and on <= AS_OF:
                state.costs.append(Cost(stage=s.stage, on=on, item=item, amount_gbp=round(amount, 2)))
                self._log(state, on, "record_cost", f"stage {s.stage} {item}", hour=16)

    def _ombudsman(self, state, final: int) -> None:
        from models.complaint import OmbudsmanReferral

        rng = self.rng
        if rng.random() >= OMBUDSMAN[final]:
            return
        referred = state.closed_on + timedelta(days=rng.randint(20, 240))
        if referred > AS_OF:
            return
        referral = OmbudsmanReferral(referred=referred)
        state.ombudsman.append(referral)
        self._log(state, referred, "refer_to_ombudsman", referred.isoformat())
        decided = referred + timedelta(days=rng.randint(30, 300))
        if decided <= AS_OF:
            referral.decided, referral.result = decided, _weighted(rng, OMBUDSMAN_RESULTS)
            if referral.result == "upheld_fault_and_injustice" and rng.random() < 0.7:
                referral.remedy_gbp = float(rng.randint(2, 60) * 50)
            self._log(state, decided, "ombudsman_decision", referral.result)

    # -- not complaints -----------------------------------------------------------

    def compliments(self) -> list[dict[str, Any]]:
        rng, days = self.rng, self.days
        first, last = days.index(date(FIRST_YEAR, 4, 1)), days.index(AS_OF)
        count = round(COMPLIMENTS_PER_YEAR * (last - first) / 253)
        return [{"received": days.days[rng.randint(first, last)],
                 "team": rng.choice(STATUTORY_AREAS + CORPORATE_AREAS[:5]),
                 "officer": rng.choice(OFFICERS) if rng.random() < 0.6 else None,
                 "text": rng.choice(COMPLIMENT_TEXTS)} for _ in range(count)]

    def refusals(self, complaints: int) -> list[dict[str, Any]]:
        rng = self.rng
        found = []
        for i in range(round(complaints * REFUSALS)):
            day = self.received_day()
            found.append({"ref": f"RF-{i:06d}", "policy": _weighted(rng, POLICY_WEIGHTS), "received": day,
                          "refused_at": self.at(day, 12), "action": "register",
                          "reason": rng.choice(REFUSAL_REASONS)})
        return found


def build_store(url: str, complaints: int = 100_000, seed: int = 2024) -> Counts:
    """A fresh record store at ``url`` holding the generated caseload; returns the rows written."""
    from sqlalchemy import insert

    from store import snapshot
    from store.record_store import RecordStore
    from store.schema import metadata

    tables = metadata.tables
    store = RecordStore(url)
    store.create_schema()
    caseload = Caseload(seed)
    counts = Counts()
    writers = (("stages", snapshot.stage_rows), ("assignments", snapshot.assignment_rows),
               ("suspensions", snapshot.suspension_rows), ("history", snapshot.history_rows),
               ("ombudsman", snapshot.ombudsman_rows), ("costs", snapshot.cost_rows))
    try:
        for first in range(0, complaints, BATCH):
            t0 = time.perf_counter()
            rows: dict[str, list[dict[str, Any]]] = {"complaints": [], **{name: [] for name, _ in writers}}
            for number in range(first + 1, min(first + BATCH, complaints) + 1):
                state, updated = caseload.complaint(number)
                rows["complaints"].append(snapshot.complaint_row(state, updated))
                for name, rows_of in writers:
                    rows[name] += rows_of(state)
            t1 = time.perf_counter()
            with store.engine.begin() as conn:
                for name, batch in rows.items():      # complaints first: the others refer to them
                    if batch:
                        conn.execute(insert(tables[name]), batch)
                    counts.add(name, len(batch))
            counts.seconds_making += t1 - t0
            counts.seconds_inserting += time.perf_counter() - t1
        extra = {"compliments": caseload.compliments()}
        if "refusals" in tables:          # a schema from before refusals were recorded has none
            extra["refusals"] = caseload.refusals(complaints)
        with store.engine.begin() as conn:
            for name, batch in extra.items():
                conn.execute(insert(tables[name]), batch)
                counts.add(name, len(batch))
    finally:
        store.close()
    return counts


# ---------------------------------------------------------------------------------- the measured processes

FLOOR_QUERIES = (
    ("SELECT ref, policy, received, complainant_type, service_area, reasons, status, closed_on, withdrawn_on "
     "FROM complaints"),
    ("SELECT ref, stage, requested_at, start_day, due, extended_due, responded, outcome, on_time, request_reason, "
     "learning_submitted, learning_text FROM stages ORDER BY ref, stage"),
)


def child(kind: str, database: Path, out: Path | None) -> dict[str, Any]:
    """One measured process: ``report``, ``floor`` or ``bare``; returns what it measured."""
    import importlib

    for name in IMPORTS:
        importlib.import_module(name)
    found: dict[str, Any] = {"kind": kind}
    if kind == "report":
        from reports.annual_report import build, write
        from reports.history import load_history
        from reports.year import FinancialYear
        from store.record_store import RecordStore

        store = RecordStore(f"sqlite:///{database}")
        t0, c0 = time.perf_counter(), time.process_time()
        report = build(store, FinancialYear.parse(YEAR), load_history(None), as_of=AS_OF, draft=True)
        written = write(report, out)
        found["seconds"], found["cpu"] = time.perf_counter() - t0, time.process_time() - c0
        store.close()
        st = report.summary["statutory"]
        found["facts"] = {
            "statutory": st["total"], "statutory_late": st["stage1_late"],
            "corporate": report.summary["corporate"]["total"],
            "code": report.summary.get("complaint_handling_code", {}).get("total"),
            "referrals": report.summary["ombudsman"]["referrals"],
            "costs_gbp": round(sum(report.summary["costs_gbp"].values()), 2),
            "tables": len(report.tables), "table_rows": sum(len(t.rows) for t in report.tables),
            "html_mb": round(written[0].stat().st_size / MB, 1),
        }
    elif kind == "floor":
        t0, c0 = time.perf_counter(), time.process_time()
        conn = sqlite3.connect(database)
        rows = [len(conn.execute(query).fetchall()) for query in FLOOR_QUERIES]
        conn.close()
        found["seconds"], found["cpu"] = time.perf_counter() - t0, time.process_time() - c0
        found["rows"] = rows
    elif kind != "bare":
        raise ValueError(kind)
    found["peak_mb"] = peak_rss_mb()
    return found


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB.

    ``VmHWM`` of /proc/self/status, the high-water mark of this process's own memory since
    it exec'd. ``ru_maxrss`` would be wrong here: Linux carries the parent's high-water mark
    over a fork and exec, so a child of a benchmark that has just built a 100,000-complaint
    store starts with the parent's peak. It is the fallback where /proc is missing.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024     # Linux: KB


async def run_child(kind: str, database: Path, out: Path | None = None) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.report_bench", "--child", kind, "--database", str(database)]
    if out is not None:
        args += ["--out", str(out)]
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*args, cwd=str(REPO), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await proc.communicate()
    whole = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"the {kind} process failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    found = json.loads(stdout.decode().strip().splitlines()[-1])
    found["process_seconds"] = whole
    return found


def table_counts(database: Path) -> dict[str, int]:
    conn = sqlite3.connect(database)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        conn.close()


def store_shape(database: Path) -> str:
    """A few shares, to show the store looks like a county's (policies, stages, lateness)."""
    conn = sqlite3.connect(database)
    try:
        total = conn.execute("SELECT count(*) FROM complaints").fetchone()[0]
        policies = conn.execute("SELECT policy, count(*) FROM complaints GROUP BY policy ORDER BY 2 DESC").fetchall()
        final = dict(conn.execute("SELECT n, count(*) FROM (SELECT max(stage) n FROM stages GROUP BY ref) GROUP BY n"))
        answered, late = conn.execute(
            "SELECT count(*), sum(on_time = 0) FROM stages WHERE responded IS NOT NULL").fetchone()
        statuses = conn.execute("SELECT status, count(*) FROM complaints GROUP BY status ORDER BY 2 DESC").fetchall()
        forms = conn.execute("SELECT count(*) FROM stages WHERE learning_text IS NOT NULL").fetchone()[0]
        stages_n = conn.execute("SELECT count(*) FROM stages").fetchone()[0]
    finally:
        conn.close()

    def pct(n: int, d: int) -> str:
        return f"{100 * n / d:.0f}%" if d else "-"

    return (f"policies {', '.join(f'{p} {pct(n, total)}' for p, n in policies)}; "
            f"final stage {', '.join(f'{k}: {pct(v, total)}' for k, v in sorted(final.items()))}; "
            f"responses late {pct(late, answered)}; lessons forms on {pct(forms, stages_n)} of stages; "
            f"status {', '.join(f'{s} {n}' for s, n in statuses)}")


async def bench_report(complaints: int = 100_000, seed: int = 2024, repeats: int = 3) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        database = Path(tmp) / "records.db"
        t0 = time.perf_counter()
        counts = build_store(f"sqlite:///{database}", complaints, seed)
        built = time.perf_counter() - t0
        say(f"[report] store built in {built:.1f} s (making the complaints {counts.seconds_making:.1f} s, "
            f"inserting {counts.seconds_inserting:.1f} s): {database.stat().st_size / MB:.0f} MB, seed {seed}")
        rows_in = table_counts(database)
        say("[report] rows: " + ", ".join(f"{name} {n:,}" for name, n in rows_in.items()))
        say(f"[report] shape: {store_shape(database)}")

        runs: dict[str, list[dict[str, Any]]] = {"report": [], "floor": [], "bare": []}
        for i in range(repeats):
            # In turn, so that a noisy minute on the shared machine falls on all three alike.
            report = await run_child("report", database, Path(tmp) / f"report-{i}")
            floor = await run_child("floor", database)
            bare = await run_child("bare", database)
            for found in (report, floor, bare):
                runs[found["kind"]].append(found)
            if i == 0:
                say("[report] the report of " + YEAR + ": " + ", ".join(f"{k} {v}" for k, v in report["facts"].items()))
            say(f"[report] run {i + 1}/{repeats}: report {report['seconds']:.2f} s (CPU {report['cpu']:.2f} s; "
                f"whole process {report['process_seconds']:.2f} s), peak RSS {report['peak_mb']:.0f} MB; "
                f"plain sqlite3 read {floor['seconds']:.2f} s (CPU {floor['cpu']:.2f} s; whole process "
                f"{floor['process_seconds']:.2f} s), {floor['peak_mb']:.0f} MB; bare process "
                f"{bare['peak_mb']:.0f} MB (whole process {bare['process_seconds']:.2f} s)")

    def median(kind: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[kind])

    report_s, floor_s = median("report", "seconds"), median("floor", "seconds")
    report_cpu, floor_cpu = median("report", "cpu"), median("floor", "cpu")
    report_mb, bare_mb, floor_mb = median("report", "peak_mb"), median("bare", "peak_mb"), median("floor", "peak_mb")
    say(f"[report] medians of {repeats}: report {report_s:.2f} s against the plain read {floor_s:.2f} s "
        f"(ratio {report_s / floor_s:.1f}; CPU {report_cpu:.2f} s against {floor_cpu:.2f} s, ratio "
        f"{report_cpu / floor_cpu:.1f}); {'under' if report_s < TARGET_SECONDS else 'OVER'} the "
        f"{TARGET_SECONDS:.0f} s target. Peak RSS: report {report_mb:.0f} MB, plain read {floor_mb:.0f} MB, "
        f"bare process {bare_mb:.0f} MB (the report adds {report_mb - bare_mb:.0f} MB)"
        + ("" if report_mb <= SANE_PEAK_MB else f"; OVER {SANE_PEAK_MB:.0f} MB"))
    label = f"report {YEAR}, {complaints:,} complaints"
    return [
        Row(label, report_s, "s", floor_s, "sqlite3 read of complaints+stages", report_s / floor_s,
            f"< {TARGET_SECONDS:.0f} s", report_s < TARGET_SECONDS),
        # CPU seconds move less than wall seconds when others share the machine.
        Row(f"{label}: CPU", report_cpu, "s", floor_cpu, "same read, CPU", report_cpu / floor_cpu,
            "(reported)", None),
        Row(f"{label}: peak RSS", report_mb, "MB", bare_mb, "bare process, same imports", report_mb / bare_mb,
            f"< {SANE_PEAK_MB:.0f} MB (sanity)", report_mb < SANE_PEAK_MB),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("report", "floor", "bare"), help="be one measured process")
    parser.add_argument("--database", type=Path, help="the SQLite record store (--child)")
    parser.add_argument("--out", type=Path, help="where the report is written (--child report)")
    parser.add_argument("--build", type=Path, metavar="FILE", help="only build the store, into FILE (new)")
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args.child:
        if args.child == "report" and args.out is None:
            parser.error("--child report needs --out, the folder to write the report into")
        print(json.dumps(child(args.child, args.database, args.out)), flush=True)
    elif args.build:
        if args.build.exists():
            parser.error(f"{args.build} exists; the store is built into a new file")
        t0 = time.perf_counter()
        counts = build_store(f"sqlite:///{args.build.resolve()}", args.complaints, args.seed)
        say(f"built {args.build} in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in counts.rows.items()))
    else:
        parser.error("say --child KIND or --build FILE (the benchmark itself: python -m bench.run report)")


if __name__ == "__main__":
    main()
