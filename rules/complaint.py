"""One complaint under its procedure: what may be done to it, and what that does.

``Complaint`` wraps the state the workflow keeps (``ComplaintState``) with the policy it
started under, its working-day calendar and the council's directory. What each action
checks and does lives with its concern (``officers``, ``clock``, ``answering``,
``review_panel``, ``proceedings``, ``lessons_learnt``, ``after_the_council``,
``withdrawal``); ``ACTIONS`` below names, for every action, its request, its check (None,
or the reason a person would be given) and its effect (the notices to send). What
happens as days pass is in ``time_passing``. Nothing here knows about Temporal: the
workflow supplies the time and sends what comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from models import actions as a
from models.field_checks import request_problem
from models.complaint import (
    COMPLAINANT,
    COMPLAINTS_TEAM,
    PANEL_MEETING,
    ComplaintState,
    HistoryEntry,
    Notice,
    NoticeKind,
    Officer,
    SentNotice,
    StageRecord,
)
from policies import Policy
from rules import (
    after_the_council,
    answering,
    chasing,
    clock,
    lateness,
    lessons_learnt,
    officers,
    proceedings,
    review_panel,
    time_passing,
    withdrawal,
)
# What the rest of the engine takes from the rulebook, from one address.
from rules.after_the_council import (
    cost_refusal,
    decision_refusal,
    open_referral,
    referral_refusal,
    withdrawn_refusal,
)
from rules.calendar import WorkingCalendar, months_later
from rules.deadlines import due_date
from rules.lessons_learnt import awaiting_learning, learning_refusal
from rules.moments import LONDON, dated, fmt, london
from rules.refused import Refused
from rules.registration import registration_refusal

__all__ = [
    "ACTIONS", "LONDON", "RULES_VERSION", "Action", "Complaint", "Refused", "awaiting_learning", "cost_refusal",
    "dated", "decision_refusal", "fmt", "learning_refusal", "london", "open_referral", "referral_refusal",
    "registration_refusal", "withdrawn_refusal",
]

# The rulebook's versions. A complaint keeps the version it was registered under
# (ComplaintState.rules_version), so a complaint started on older code runs on, and
# replays, exactly as it began. 1: the first engine. 2 (December 2026): a suspension
# never erases lateness; letters when an independent person is appointed and when the
# review panel meets and reports; a complaint registered after its first due date is
# told its response is late. 3 (December 2026): every field of an action is checked
# (models.field_checks) before the rules' own checks, so an Update with a value no record
# could hold is refused by its validator. Complaints registered earlier may hold such
# values already accepted; replayed, they must be accepted again. 4 (December 2026): the
# actions in DATED_ACTIONS may be dated on the day they happened, and are judged by it.
# (The reasons for lateness and the stage 2 recommendations came without a new version:
# only a request that gives them is checked for them, and a response without them does
# what it always did, so every complaint, however old, may take them.)
RULES_VERSION = 4

# What a clerk may record on the day it happened (a response sent yesterday, a complaint
# entered a month late): the rules judge it by that day. Dated events stay in order.
DATED_ACTIONS = frozenset({
    "assign", "reassign", "extend", "suspend", "resume", "respond", "escalate", "panel_held", "panel_report",
    "withdraw",
})

Check = Callable[["Complaint", Any, datetime], "str | None"]
Effect = Callable[["Complaint", Any, datetime], "list[Notice]"]


@dataclass(frozen=True)
class Action:
    """One action of the rulebook: what it is given, why it may be refused, what it does."""

    request: type
    check: Check
    effect: Effect


ACTIONS: dict[str, Action] = {
    "assign": Action(a.Assign, officers.refuse_assign, officers.assign),
    "reassign": Action(a.Assign, officers.refuse_reassign, officers.reassign),
    "extend": Action(a.Extend, clock.refuse_extend, clock.extend),
    "suspend": Action(a.Suspend, clock.refuse_suspend, clock.suspend),
    "resume": Action(a.Resume, clock.refuse_resume, clock.resume),
    "respond": Action(a.Respond, answering.refuse_respond, answering.respond),
    "late_reason": Action(a.LateReason, lateness.refuse_late_reason, lateness.late_reason),
    "escalate": Action(a.Escalate, answering.refuse_escalate, answering.escalate),
    "appoint_independent_person": Action(
        a.AppointIndependentPerson, answering.refuse_appoint_independent_person, answering.appoint_independent_person
    ),
    "submit_learning": Action(a.SubmitLearning, lessons_learnt.refuse_submit_learning, lessons_learnt.submit_learning),
    "panel_held": Action(a.PanelHeld, review_panel.refuse_panel_held, review_panel.panel_held),
    "panel_report": Action(a.PanelReport, review_panel.refuse_panel_report, review_panel.panel_report),
    "discontinue": Action(a.Discontinue, proceedings.refuse_discontinue, proceedings.discontinue),
    "proceedings_ended": Action(
        a.ProceedingsEnded, proceedings.refuse_proceedings_ended, proceedings.proceedings_ended
    ),
    "resubmit": Action(a.Resubmit, proceedings.refuse_resubmit, proceedings.resubmit),
    "refer_to_ombudsman": Action(
        a.ReferToOmbudsman, after_the_council.refuse_refer_to_ombudsman, after_the_council.refer_to_ombudsman
    ),
    "ombudsman_decision": Action(
        a.OmbudsmanDecision, after_the_council.refuse_ombudsman_decision, after_the_council.ombudsman_decision
    ),
    "record_cost": Action(a.RecordCost, after_the_council.refuse_record_cost, after_the_council.record_cost),
    "withdraw": Action(a.Withdraw, withdrawal.refuse_withdraw, withdrawal.withdraw),
}


class Complaint:
    def __init__(
        self,
        state: ComplaintState,
        policy: Policy,
        calendar: WorkingCalendar,
        officers: dict[str, Officer],
        complaints_team_email: str,
    ) -> None:
        self.state = state
        self.policy = policy
        self.calendar = calendar
        self.officers = officers
        self.team_email = complaints_team_email

    @classmethod
    def register(
        cls,
        reg: a.Registration,
        policy: Policy,
        calendar: WorkingCalendar,
        now: datetime,
        rules_version: int = RULES_VERSION,
    ) -> tuple[Complaint, list[Notice]]:
        """A new complaint at stage 1, its clock running from the day received."""
        received = london(reg.received)
        state = ComplaintState(
            rules_version=rules_version,
            ref=reg.ref,
            policy=policy.name,
            policy_version=policy.version,
            received=received,
            complainant=reg.complainant,
            channel=reg.channel,
            service_area=reg.service_area,
            reasons=list(reg.reasons),
            child=reg.child,
            matter_date=reg.matter_date,
            late_accepted_reason=reg.late_reason if reg.late_accepted else None,
        )
        complaint = cls(state, policy, calendar, {o.id: o for o in reg.officers}, reg.complaints_team_email)
        complaint.start_stage(1, received, reason=None)
        now = london(now)
        state.chased_through = now.date() if now.hour >= policy.chasing.hour else now.date() - timedelta(days=1)
        complaint.log(now, "register", policy.name, by=reg.by)
        return complaint, complaint.notices(now, [("acknowledgement", COMPLAINANT, complaint.lateness_on_entry(now))])

    def lateness_on_entry(self, now: datetime) -> dict[str, str]:
        """A complaint entered after its first due date (a letter that reached the team
        late): the acknowledgement must not promise a day already gone. It apologises
        and says when the response will come: within the chasing interval, the point at
        which the officer's manager would next be told."""
        today, s = london(now).date(), self.stage
        if self.state.rules_version < 2 or not today > s.due:
            return {}
        reply_by = self.calendar.add_working_days(
            self.calendar.start_day(today), self.policy.chasing.overdue_repeat_working_days
        )
        return {"late": "yes", "received": fmt(s.start_day), "was_due": fmt(s.due), "reply_by": fmt(reply_by)}

    # ------------------------------------------------------------------ what every action reads

    @property
    def stage(self) -> StageRecord:
        return self.state.current

    def stage_policy(self, number: int | None = None):
        return self.policy.stage(number or self.state.stage)

    def start_stage(self, number: int, requested: datetime, reason: str | None, late_reason: str | None = None) -> None:
        rules = self.policy.stage(number)
        start = self.calendar.start_day(requested.date())
        due = due_date(self.calendar, start, rules.working_days)
        record = StageRecord(
            stage=number,
            requested_at=requested,
            start_day=start,
            working_days=rules.working_days,
            due=due,
            original_due=due,
            request_reason=reason,
            late_accepted_reason=late_reason,
            clock=PANEL_MEETING if rules.panel else None,
        )
        self.state.stages.append(record)
        self.state.stage = number
        self.state.status = "open"

    def log(self, now: datetime, action: str, detail: str = "", by: str | None = None) -> None:
        self.state.history.append(HistoryEntry(at=london(now), action=action, detail=detail, by=by))

    def person(self, to: str) -> tuple[str, str]:
        if to == COMPLAINANT:
            return self.state.complainant.name, self.state.complainant.email or ""
        if to == COMPLAINTS_TEAM:
            return "Complaints Team", self.team_email
        officer = self.officers[to]
        return officer.name, officer.email

    def officer_name(self, officer_id: str | None) -> str:
        if officer_id and officer_id in self.officers:
            return self.officers[officer_id].name
        return ""

    def notices(self, at: datetime, items: list[tuple[str, str, dict[str, str]]]) -> list[Notice]:
        """Turn (kind, recipient, extra details) into notices, and remember them as sent."""
        stage = self.stage
        notices = []
        for kind, to, extra in items:
            name, email = self.person(to)
            seq = len(self.state.sent)
            key = f"{seq:04d}-s{stage.stage}-{kind}-{to}"
            details = {
                "complainant_type": self.state.complainant.type,
                "complainant_name": self.state.complainant.name,
                "officer_name": self.officer_name(stage.officer),
                "policy_title": self.policy.title,
                "stage_name": self.stage_policy(stage.stage).name,
                **extra,
            }
            notice = Notice(
                key=key, ref=self.state.ref, stage=stage.stage, kind=NoticeKind(kind), to=to,
                to_name=name, to_email=email, at=london(at), due=stage.due, details=details,
            )
            notices.append(notice)
            self.state.sent.append(SentNotice(key=key, stage=stage.stage, kind=kind, to=to, at=notice.at, due=stage.due))
        return notices

    def is_overdue(self, today: date) -> bool:
        s = self.stage
        return s.responded is None and s.due is not None and today > s.due

    def window_end(self, record: StageRecord) -> date | None:
        """The last day the complainant may ask for the next stage after this one's response."""
        if record.responded is None or record.stage >= self.policy.last_stage:
            return None
        rules = self.policy.stage(record.stage)
        return self.calendar.add_working_days(record.responded, rules.escalation_window_working_days)

    def general_refusal(self, action: str) -> str | None:
        st = self.state
        if st.status == "withdrawn":
            return withdrawn_refusal(st.withdrawn_on)
        if st.status == "closed" and not (action == "resubmit" and self.awaiting_resubmission()):
            return f"the complaint closed on {st.closed_on}; only a late request accepted with a reason can reopen it"
        if st.status == "discontinued" and action not in ("proceedings_ended", "resubmit", "withdraw"):
            return (
                f"the complaint was discontinued on {st.discontinuation.on} for proceedings; "
                "it can only be resubmitted (after proceedings_ended) or withdrawn"
            )
        return None

    def needs_running_clock(self, action: str) -> str | None:
        s = self.stage
        if self.state.status == "suspended":
            return f"the complaint is suspended (since {s.suspended_on}); resume it before you {action}"
        if s.responded is not None:
            return f"stage {s.stage} was answered on {s.responded}; there is nothing left to {action} at this stage"
        return None

    def refresh_directory(self, officers: list[Officer] | None) -> None:
        """Take the council's directory as it is now; someone who has left stays known,
        so the complaint can still tell them it has moved on."""
        if officers:
            self.officers = {**self.officers, **{o.id: o for o in officers}}

    def resubmission_deadline(self) -> date | None:
        d = self.state.discontinuation
        if d is None or d.proceedings_ended is None:
            return None
        return months_later(d.proceedings_ended, self.policy.resubmission_window_months)

    def reopen_until(self) -> date:
        """The last day a late-accepted request can reopen the closed complaint."""
        return months_later(self.state.closed_on, self.policy.reopen_window_months)

    def awaiting_resubmission(self) -> bool:
        """Discontinued for proceedings and not resubmitted (possibly closed when the window ran out)."""
        d = self.state.discontinuation
        return d is not None and d.resubmitted is None and self.state.status in ("discontinued", "closed")

    def on_or_today(self, day: date | None, now: datetime, what: str) -> tuple[date, str | None]:
        return dated(day, london(now).date(), self.state.received.date(), what)

    def close(self, day: date) -> None:
        self.state.status = "closed"
        self.state.closed_on = day

    # ------------------------------------------------------------------ the passing of time

    def chases_on(self, day: date) -> list[chasing.Chase]:
        return time_passing.chases_on(self, day)

    def next_wake(self, horizon_days: int = 400) -> datetime | None:
        return time_passing.next_wake(self, horizon_days)

    def advance(self, now: datetime) -> list[Notice]:
        return time_passing.advance(self, now)

    def is_finished(self) -> bool:
        return time_passing.is_finished(self)

    # ------------------------------------------------------------------ actions by name

    def refusal(self, action: str, req: object, now: datetime) -> str | None:
        """Why ``action`` cannot be done now, or None. A field no record could hold (a
        line break in a name, an amount of inf) is refused first, in the words of every
        other path (models.field_checks), from rulebook 3 on."""
        if self.state.rules_version >= 3:
            problem = request_problem(action, req, london(now).date())
            if problem is not None:
                return str(problem)
        happened, why = self.when_it_happened(action, req, now)
        if why is not None:
            return why
        return ACTIONS[action].check(self, req, happened)

    def apply(self, action: str, req: object, now: datetime) -> list[Notice]:
        """Do ``action`` (its check passed) and return the notices it sends. It is done as
        of the day it happened; its letters go now, and say so. Whoever the request says
        did it is written beside what it adds to the history."""
        logged, sent = len(self.state.history), len(self.state.sent)
        happened, _ = self.when_it_happened(action, req, now)
        notices = ACTIONS[action].effect(self, req, happened)
        if happened != now:
            for notice in notices:
                notice.at = london(now)
            for record in self.state.sent[sent:]:
                record.at = london(now)
        if (by := getattr(req, "by", None)) is not None:
            for entry in self.state.history[logged:]:
                entry.by = by
        return notices

    def when_it_happened(self, action: str, req: object, now: datetime) -> tuple[datetime, str | None]:
        """The moment the rules judge the action by: ``now``, or the day the request is dated
        (at the same time of day); and why it cannot be that day, or None."""
        on = getattr(req, "on", None) if action in DATED_ACTIONS else None
        if on is None:
            return now, None
        now = london(now)
        what = action.replace("_", " ")
        if self.state.rules_version < 4:
            return now, (f"this complaint was registered before actions could be dated; record the {what} "
                         "as of today (the history can say when it happened)")
        if on > now.date():
            return now, f"the {what} cannot be dated {on}, a day still to come"
        received = london(self.state.received).date()
        if on < received:
            return now, f"the {what} cannot be dated {on}, before the complaint was received ({received})"
        previous = self.last_action_day()
        if previous is not None and on < previous:
            return now, (f"the {what} cannot be dated {on}, before the complaint's previous action "
                         f"({previous}): dated actions stay in order")
        return datetime.combine(on, now.time(), LONDON), None

    def last_action_day(self) -> date | None:
        """The day of the latest action in the history. (Not the registration: a complaint
        entered today may have had its officer and its response on earlier days.)"""
        for entry in reversed(self.state.history):
            if entry.action in ACTIONS:
                return london(entry.at).date()
        return None
