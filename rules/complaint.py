"""One complaint under its procedure: what may be done to it, and what that does.

``Complaint`` wraps the state the workflow keeps (``ComplaintState``) with the policy it
started under, its working-day calendar and the council's directory. Each action has
a ``refusal_*`` check (None, or the reason a person would be given) and a method that
applies it and returns the notices to send. Nothing here knows about Temporal: the
workflow supplies the time and sends what comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models import actions as a
from models.complaint import (
    COMPLAINANT,
    COMPLAINANT_TYPES,
    COMPLAINTS_TEAM,
    COST_ITEMS,
    ESCALATION_REASONS,
    FINAL_RESPONSE,
    OMBUDSMAN_RESULTS,
    OUTCOMES,
    PANEL_MEETING,
    PANEL_REPORT,
    SUSPENSION_REASONS,
    Assignment,
    ComplaintState,
    Cost,
    Discontinuation,
    HistoryEntry,
    Notice,
    OmbudsmanReferral,
    Officer,
    SentNotice,
    StageRecord,
    Suspension,
)
from policies import Policy
from rules import chasing
from rules.calendar import WorkingCalendar, months_later
from rules.deadlines import due_after_resumption, due_date, extended_due, working_days_left

LONDON = ZoneInfo("Europe/London")


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def at_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON)


def fmt(day: date | None) -> str:
    return day.isoformat() if day else ""


class Refused(ValueError):
    """An action the procedure does not allow; the message says why, in plain words."""


def registration_refusal(reg: a.Registration, policy: Policy) -> str | None:
    """Why a complaint cannot be registered, or None."""
    if not reg.ref or any(c.isspace() for c in reg.ref):
        return "a complaint reference must be given, without spaces"
    if reg.received.tzinfo is None:
        return "the date received must carry its time zone"
    if reg.complainant.type not in COMPLAINANT_TYPES:
        return f"complainant type {reg.complainant.type!r} is not one of {', '.join(COMPLAINANT_TYPES)}"
    received = london(reg.received).date()
    if reg.matter_date is not None:
        if reg.matter_date > received:
            return f"the matter date {reg.matter_date} is after the complaint was received ({received})"
        limit = months_later(reg.matter_date, policy.time_limit_months)
        if received > limit and not reg.late_accepted:
            return (
                f"the matter arose on {reg.matter_date}, more than {policy.time_limit_months} months before the "
                f"complaint was received ({received}); register it with late_accepted and a reason to accept it late"
            )
    if reg.late_accepted and not reg.late_reason:
        return "a complaint accepted late needs the reason it was accepted"
    return None


# ---------------------------------------------------------------------- after the council
# The checks on what comes after the council (the Ombudsman, costs, a late lessons-learnt
# form), as plain functions: the workflow runs them on its state, and the record store on
# its rows once a complaint's workflow has ended (a year after it closed), so both refuse
# for the same reasons in the same words. Records are the workflow's dataclasses or the
# store's rows: only the attributes named are read.


def withdrawn_refusal(withdrawn_on: date | None) -> str:
    return f"the complaint was withdrawn on {withdrawn_on}; nothing more can be done to it"


def dated(day: date | None, today: date, received: date, what: str) -> tuple[date, str | None]:
    """The day to record (``day``, else today), and why it cannot be that day, or None."""
    day = day or today
    if day > today:
        return day, f"{what} cannot be dated {day}, a day still to come"
    if day < received:
        return day, f"{what} cannot be dated {day}, before the complaint was received"
    return day, None


def open_referral(referrals: Iterable[Any]) -> Any | None:
    """The referral (``referred``, ``decided``) still awaiting the Ombudsman's decision."""
    return next((r for r in referrals if r.decided is None), None)


def referral_refusal(req: a.ReferToOmbudsman, referrals: Iterable[Any], received: date, today: date) -> str | None:
    waiting = open_referral(referrals)
    if waiting is not None:
        return f"the complaint is already with the Ombudsman (referred {waiting.referred}), awaiting a decision"
    return dated(req.on, today, received, "a referral")[1]


def decision_refusal(req: a.OmbudsmanDecision, referrals: Iterable[Any], received: date, today: date) -> str | None:
    if open_referral(referrals) is None:
        return "the complaint is not with the Ombudsman (record refer_to_ombudsman first)"
    if req.result not in OMBUDSMAN_RESULTS:
        return f"Ombudsman result {req.result!r} is not one of {', '.join(OMBUDSMAN_RESULTS)}"
    if req.remedy_gbp is not None and req.remedy_gbp < 0:
        return f"a remedy cannot be negative ({req.remedy_gbp})"
    return dated(req.on, today, received, "a decision")[1]


def cost_refusal(
    req: a.RecordCost, stages_reached: Collection[int], last_stage: int, received: date, today: date
) -> str | None:
    if req.stage not in (2, 3) or req.stage > last_stage:
        return f"costs are recorded for stages 2 and 3 of a procedure that has them; not stage {req.stage}"
    if req.stage not in stages_reached:
        return f"the complaint has not reached stage {req.stage}"
    if req.item not in COST_ITEMS:
        return f"cost item {req.item!r} is not one of {', '.join(COST_ITEMS)}"
    if not req.amount_gbp > 0:
        return f"a cost must be more than nothing ({req.amount_gbp})"
    return dated(req.on, today, received, "a cost")[1]


def awaiting_learning(stages: Sequence[Any]) -> Any | None:
    """The latest stage (``stage``, ``responding_officer``, ``learning_submitted``)
    answered by an officer whose lessons-learnt form has not come in."""
    for record in reversed(stages):
        if record.responding_officer and record.learning_submitted is None:
            return record
    return None


def learning_refusal(stages: Sequence[Any]) -> str | None:
    if awaiting_learning(stages) is None:
        return "no lessons-learnt form is awaited: no stage has been answered by an officer without one"
    return None


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

    # ------------------------------------------------------------------ registration

    @classmethod
    def register(
        cls,
        reg: a.Registration,
        policy: Policy,
        calendar: WorkingCalendar,
        now: datetime,
    ) -> tuple[Complaint, list[Notice]]:
        """A new complaint at stage 1, its clock running from the day received."""
        received = london(reg.received)
        state = ComplaintState(
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
        complaint._start_stage(1, received, reason=None)
        now = london(now)
        state.chased_through = now.date() if now.hour >= policy.chasing.hour else now.date() - timedelta(days=1)
        complaint._log(now, "register", policy.name)
        return complaint, complaint._notices(now, [("acknowledgement", COMPLAINANT, {})])

    # ------------------------------------------------------------------ helpers

    @property
    def stage(self) -> StageRecord:
        return self.state.current

    def _stage_policy(self, number: int | None = None):
        return self.policy.stage(number or self.state.stage)

    def _start_stage(self, number: int, requested: datetime, reason: str | None, late_reason: str | None = None) -> None:
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

    def _log(self, now: datetime, action: str, detail: str = "") -> None:
        self.state.history.append(HistoryEntry(at=london(now), action=action, detail=detail))

    def _person(self, to: str) -> tuple[str, str]:
        if to == COMPLAINANT:
            return self.state.complainant.name, self.state.complainant.email
        if to == COMPLAINTS_TEAM:
            return "Complaints Team", self.team_email
        officer = self.officers[to]
        return officer.name, officer.email

    def _officer_name(self, officer_id: str | None) -> str:
        if officer_id and officer_id in self.officers:
            return self.officers[officer_id].name
        return ""

    def _notices(self, at: datetime, items: list[tuple[str, str, dict[str, str]]]) -> list[Notice]:
        """Turn (kind, recipient, extra details) into notices, and remember them as sent."""
        stage = self.stage
        notices = []
        for kind, to, extra in items:
            name, email = self._person(to)
            seq = len(self.state.sent)
            key = f"{seq:04d}-s{stage.stage}-{kind}-{to}"
            details = {
                "complainant_type": self.state.complainant.type,
                "complainant_name": self.state.complainant.name,
                "officer_name": self._officer_name(stage.officer),
                "policy_title": self.policy.title,
                "stage_name": self._stage_policy(stage.stage).name,
                **extra,
            }
            notice = Notice(
                key=key, ref=self.state.ref, stage=stage.stage, kind=kind, to=to,
                to_name=name, to_email=email, at=london(at), due=stage.due, details=details,
            )
            notices.append(notice)
            self.state.sent.append(SentNotice(key=key, stage=stage.stage, kind=kind, to=to, at=notice.at, due=stage.due))
        return notices

    def _is_overdue(self, today: date) -> bool:
        s = self.stage
        return s.responded is None and s.due is not None and today > s.due

    def _window_end(self, record: StageRecord) -> date | None:
        """The last day the complainant may ask for the next stage after this one's response."""
        if record.responded is None or record.stage >= self.policy.last_stage:
            return None
        rules = self.policy.stage(record.stage)
        return self.calendar.add_working_days(record.responded, rules.escalation_window_working_days)

    def _general_refusal(self, action: str) -> str | None:
        st = self.state
        if st.status == "withdrawn":
            return withdrawn_refusal(st.withdrawn_on)
        if st.status == "closed" and not (action == "resubmit" and self._awaiting_resubmission()):
            return f"the complaint closed on {st.closed_on}; only a late request accepted with a reason can reopen it"
        if st.status == "discontinued" and action not in ("proceedings_ended", "resubmit", "withdraw"):
            return (
                f"the complaint was discontinued on {st.discontinuation.on} for proceedings; "
                "it can only be resubmitted (after proceedings_ended) or withdrawn"
            )
        return None

    def _needs_running_clock(self, action: str) -> str | None:
        s = self.stage
        if self.state.status == "suspended":
            return f"the complaint is suspended (since {s.suspended_on}); resume it before you {action}"
        if s.responded is not None:
            return f"stage {s.stage} was answered on {s.responded}; there is nothing left to {action} at this stage"
        return None

    # ------------------------------------------------------------------ assign / reassign

    def refusal_assign(self, req: a.Assign, reassign: bool = False) -> str | None:
        verb = "reassign" if reassign else "assign"
        if (r := self._general_refusal(verb)) is not None:
            return r
        s = self.stage
        if not self._stage_policy().has_officer:
            return f"stage {s.stage} is run by the complaints team and the review panel; it has no investigating officer"
        directory = {o.id: o for o in req.officers} if req.officers else self.officers
        if req.officer not in directory:
            return f"officer {req.officer!r} is not in the council's directory"
        if s.responded is not None:
            return f"stage {s.stage} was answered on {s.responded}; there is nothing left to investigate"
        if not reassign and s.officer is not None:
            return f"stage {s.stage} already has an investigating officer ({s.officer}); use reassign to change officer"
        if reassign and s.officer is None:
            return f"stage {s.stage} has no investigating officer yet; use assign"
        if reassign and s.officer == req.officer:
            return f"{req.officer} is already the investigating officer for stage {s.stage}"
        if self._stage_policy().officer_must_differ_from_previous_stage and s.stage > 1:
            previous = self.state.stages[-2]
            if req.officer in (previous.officer, previous.responding_officer):
                return (
                    f"the {self.policy.name} procedure needs someone other than the stage {previous.stage} "
                    f"officer ({req.officer}) to handle stage {s.stage}"
                )
        return None

    def _refresh_directory(self, officers: list[Officer] | None) -> None:
        """Take the council's directory as it is now; someone who has left stays known,
        so the complaint can still tell them it has moved on."""
        if officers:
            self.officers = {**self.officers, **{o.id: o for o in officers}}

    def assign(self, req: a.Assign, now: datetime) -> list[Notice]:
        self._refresh_directory(req.officers)
        s = self.stage
        s.officer = req.officer
        self.state.assignments.append(Assignment(stage=s.stage, officer=req.officer, at=london(now)))
        self._log(now, "assign", req.officer)
        return self._notices(now, [("assignment", req.officer, {})])

    def reassign(self, req: a.Assign, now: datetime) -> list[Notice]:
        self._refresh_directory(req.officers)
        s = self.stage
        previous = s.officer
        s.officer = req.officer
        self.state.assignments.append(
            Assignment(stage=s.stage, officer=req.officer, at=london(now), replaced_officer=previous)
        )
        self._log(now, "reassign", f"{previous} -> {req.officer}")
        extra = {"previous_officer_name": self._officer_name(previous)}
        return self._notices(now, [("handover", req.officer, extra), ("reassignment_notice", previous, extra)])

    # ------------------------------------------------------------------ extend / suspend / resume

    def refusal_extend(self, req: a.Extend, now: datetime) -> str | None:
        if (r := self._general_refusal("extend")) is not None:
            return r
        if (r := self._needs_running_clock("extend")) is not None:
            return r
        s = self.stage
        extra = self._stage_policy().extra_working_days
        if extra is None:
            return f"stage {s.stage} of the {self.policy.name} procedure cannot be extended"
        if s.extended_due is not None:
            return f"stage {s.stage} was already extended (to {s.extended_due}); a stage is extended once"
        if not req.reason:
            return "an extension needs a reason"
        furthest = extended_due(self.calendar, s.due, extra)
        if req.new_due is not None:
            if req.new_due <= s.due:
                return f"the new due date {req.new_due} is not after the current due date {s.due}"
            if req.new_due > furthest:
                return f"the new due date {req.new_due} is beyond the furthest this stage may be extended to ({furthest})"
            if not self.calendar.is_working_day(req.new_due):
                return f"the new due date {req.new_due} is not a working day"
        return None

    def extend(self, req: a.Extend, now: datetime) -> list[Notice]:
        s = self.stage
        s.due = req.new_due or extended_due(self.calendar, s.due, self._stage_policy().extra_working_days)
        s.extended_due = s.due
        s.extension_reason = req.reason
        self._log(now, "extend", f"{req.reason}; due {s.due}")
        return self._notices(now, [("extension_letter", COMPLAINANT, {"reason": req.reason, "new_due": fmt(s.due)})])

    def refusal_suspend(self, req: a.Suspend, now: datetime) -> str | None:
        if (r := self._general_refusal("suspend")) is not None:
            return r
        if not self.policy.suspension_allowed:
            return f"the {self.policy.name} procedure does not allow a complaint to be paused"
        if self.state.status == "suspended":
            return f"the complaint is already suspended (since {self.stage.suspended_on})"
        if (r := self._needs_running_clock("suspend")) is not None:
            return r
        if req.reason not in SUSPENSION_REASONS:
            return f"suspension reason {req.reason!r} is not one of {', '.join(SUSPENSION_REASONS)}"
        return None

    def suspend(self, req: a.Suspend, now: datetime) -> list[Notice]:
        s, today = self.stage, london(now).date()
        left = working_days_left(self.calendar, today, s.due)
        s.suspensions.append(Suspension(on=today, reason=req.reason, days_left=left))
        s.suspended_on, s.days_left, s.due = today, left, None
        self.state.status = "suspended"
        self._log(now, "suspend", f"{req.reason}; {left} working days left")
        return self._notices(now, [("suspension_letter", COMPLAINANT, {"reason": req.reason, "days_left": str(left)})])

    def refusal_resume(self, req: a.Resume, now: datetime) -> str | None:
        if (r := self._general_refusal("resume")) is not None:
            return r
        if self.state.status != "suspended":
            return "the complaint is not suspended"
        return None

    def resume(self, req: a.Resume, now: datetime) -> list[Notice]:
        s, today = self.stage, london(now).date()
        s.due = due_after_resumption(self.calendar, today, s.days_left)
        s.suspensions[-1].resumed = today
        s.suspended_on, s.days_left = None, None
        self.state.status = "open"
        self._log(now, "resume", f"due {s.due}")
        return self._notices(now, [("resumption_letter", COMPLAINANT, {"new_due": fmt(s.due)})])

    # ------------------------------------------------------------------ respond / learning

    def refusal_respond(self, req: a.Respond, now: datetime) -> str | None:
        if (r := self._general_refusal("respond")) is not None:
            return r
        if (r := self._needs_running_clock("respond")) is not None:
            return r
        s = self.stage
        if req.outcome not in OUTCOMES:
            return f"outcome {req.outcome!r} is not one of {', '.join(OUTCOMES)}"
        if self._stage_policy().has_officer and s.officer is None:
            return f"stage {s.stage} has no investigating officer; assign one before recording the response"
        if s.clock == PANEL_MEETING:
            return "the review panel has not met yet (record panel_held first)"
        if s.clock == PANEL_REPORT:
            return "the panel's recommendations have not been received yet (record panel_report first)"
        return None

    def respond(self, req: a.Respond, now: datetime) -> list[Notice]:
        s, today = self.stage, london(now).date()
        s.responded, s.outcome, s.responding_officer = today, req.outcome, s.officer
        if s.clock is not None:
            s.clocks_met.append(today <= s.due)
            s.on_time = all(s.clocks_met)
        else:
            s.on_time = today <= s.due
        extra = {"outcome": req.outcome}
        window_end = self._window_end(s)
        if window_end:
            extra["escalate_by"] = fmt(window_end)
        else:
            self._close(today)
        self._log(now, "respond", req.outcome)
        return self._notices(now, [("response_issued", COMPLAINANT, extra)])

    def refusal_submit_learning(self, req: a.SubmitLearning, now: datetime) -> str | None:
        if self.state.status == "withdrawn":
            return self._general_refusal("submit_learning")
        return learning_refusal(self.state.stages)

    def submit_learning(self, req: a.SubmitLearning, now: datetime) -> list[Notice]:
        record = awaiting_learning(self.state.stages)
        record.learning_submitted = london(now).date()
        record.learning_text = req.text
        self._log(now, "submit_learning", f"stage {record.stage}")
        return []

    # ------------------------------------------------------------------ escalation between stages

    def refusal_escalate(self, req: a.Escalate, now: datetime) -> str | None:
        st, s, today = self.state, self.stage, london(now).date()
        if st.status == "withdrawn":
            return self._general_refusal("escalate")
        if st.status in ("suspended", "discontinued"):
            return f"the complaint is {st.status}; it cannot move to the next stage now"
        if req.reason not in ESCALATION_REASONS:
            return f"escalation reason {req.reason!r} is not one of {', '.join(ESCALATION_REASONS)}"
        if s.stage >= self.policy.last_stage:
            return f"the {self.policy.name} procedure has no stage after stage {s.stage}"
        if req.late_accepted and not req.late_reason:
            return "a request accepted late needs the reason it was accepted"
        if st.status == "closed":
            if not req.late_accepted:
                return f"the complaint closed on {st.closed_on}; a later request must be accepted late, with a reason"
            if today > self._reopen_until():
                return f"the complaint closed on {st.closed_on}, more than a year ago; it cannot be reopened"
            return None
        if s.responded is None:
            if not self._is_overdue(today):
                return (
                    f"stage {s.stage} has not been answered and is not overdue (due {s.due}); "
                    "the complainant may ask for the next stage after the response or once it is late"
                )
            return None
        window_end = self._window_end(s)
        if today > window_end and not req.late_accepted:
            return (
                f"the window to ask for stage {s.stage + 1} closed on {window_end}; "
                "a later request must be accepted late, with a reason"
            )
        return None

    def escalate(self, req: a.Escalate, now: datetime) -> list[Notice]:
        s = self.stage
        if s.responded is None:
            # Left without a response: the stage shows no response and not on time.
            s.outcome, s.on_time = "no_response", False
        self.state.closed_on = None
        self._start_stage(s.stage + 1, london(now), req.reason, req.late_reason if req.late_accepted else None)
        self._log(now, "escalate", req.reason)
        kind = f"stage{self.state.stage}_acknowledgement"
        return self._notices(now, [(kind, COMPLAINANT, {"reason": req.reason})])

    def refusal_appoint_independent_person(self, req: a.AppointIndependentPerson, now: datetime) -> str | None:
        if (r := self._general_refusal("appoint")) is not None:
            return r
        if self.state.stage != 2 or self.policy.name != "children-statutory":
            return "an independent person is appointed for stage 2 of the children's statutory procedure"
        if not req.name:
            return "the independent person's name is needed"
        return None

    def appoint_independent_person(self, req: a.AppointIndependentPerson, now: datetime) -> list[Notice]:
        self.stage.independent_person = req.name
        self._log(now, "appoint_independent_person")
        return []

    # ------------------------------------------------------------------ stage 3 review panel

    def _refusal_panel(self, action: str, expected_clock: str) -> str | None:
        if (r := self._general_refusal(action)) is not None:
            return r
        s = self.stage
        if s.clock is None:
            return f"{action} is for a stage 3 review panel; the complaint is at stage {s.stage}"
        if self.state.status == "suspended":
            return f"the complaint is suspended; resume it before recording {action}"
        if s.clock != expected_clock:
            order = {PANEL_MEETING: "the panel has not met yet", PANEL_REPORT: "the panel has already met",
                     FINAL_RESPONSE: "the panel's recommendations are already in"}
            return f"{action} is out of order: {order[s.clock]}"
        return None

    def refusal_panel_held(self, req: a.PanelHeld, now: datetime) -> str | None:
        return self._refusal_panel("panel_held", PANEL_MEETING)

    def refusal_panel_report(self, req: a.PanelReport, now: datetime) -> str | None:
        return self._refusal_panel("panel_report", PANEL_REPORT)

    def _next_panel_clock(self, now: datetime, clock: str, working_days: int) -> None:
        s, today = self.stage, london(now).date()
        s.clocks_met.append(today <= s.due)
        s.clock = clock
        s.due = due_date(self.calendar, today, working_days)

    def panel_held(self, req: a.PanelHeld, now: datetime) -> list[Notice]:
        self.stage.panel_held = london(now).date()
        self._next_panel_clock(now, PANEL_REPORT, self._stage_policy().panel.recommendations_working_days)
        self._log(now, "panel_held")
        return []

    def panel_report(self, req: a.PanelReport, now: datetime) -> list[Notice]:
        self.stage.panel_report = london(now).date()
        self._next_panel_clock(now, FINAL_RESPONSE, self._stage_policy().panel.final_response_working_days)
        self._log(now, "panel_report")
        return []

    # ------------------------------------------------------------------ proceedings (reg 8)

    def refusal_discontinue(self, req: a.Discontinue, now: datetime) -> str | None:
        if (r := self._general_refusal("discontinue")) is not None:
            return r
        if self.state.status == "discontinued":
            return f"the complaint is already discontinued (since {self.state.discontinuation.on})"
        if not self.policy.suspension_allowed:
            return f"the {self.policy.name} procedure does not allow a complaint to be set aside for proceedings"
        if self.stage.responded is not None:
            return f"stage {self.stage.stage} was answered on {self.stage.responded}; there is nothing to discontinue"
        if req.reason not in SUSPENSION_REASONS:
            return f"reason {req.reason!r} is not one of {', '.join(SUSPENSION_REASONS)}"
        return None

    def discontinue(self, req: a.Discontinue, now: datetime) -> list[Notice]:
        s, today = self.stage, london(now).date()
        self.state.discontinuation = Discontinuation(on=today, reason=req.reason, stage=s.stage)
        s.due, s.suspended_on, s.days_left = None, None, None
        self.state.status = "discontinued"
        self._log(now, "discontinue", req.reason)
        extra = {"reason": req.reason, "proceedings": req.detail or req.reason.replace("_", " ")}
        return self._notices(now, [("discontinuation_letter", COMPLAINANT, extra)])

    def refusal_proceedings_ended(self, req: a.ProceedingsEnded, now: datetime) -> str | None:
        if (r := self._general_refusal("proceedings_ended")) is not None:
            return r
        d = self.state.discontinuation
        if self.state.status != "discontinued":
            return "the complaint is not discontinued for proceedings"
        if req.on > london(now).date():
            return f"proceedings cannot be recorded as ended on {req.on}, a date still to come"
        if req.on < d.on:
            return f"the proceedings cannot have ended on {req.on}, before the complaint was discontinued ({d.on})"
        return None

    def proceedings_ended(self, req: a.ProceedingsEnded, now: datetime) -> list[Notice]:
        self.state.discontinuation.proceedings_ended = req.on
        self._log(now, "proceedings_ended", fmt(req.on))
        return []

    def _resubmission_deadline(self) -> date | None:
        d = self.state.discontinuation
        if d is None or d.proceedings_ended is None:
            return None
        return months_later(d.proceedings_ended, self.policy.resubmission_window_months)

    def _reopen_until(self) -> date:
        """The last day a late-accepted request can reopen the closed complaint."""
        return months_later(self.state.closed_on, self.policy.reopen_window_months)

    def _awaiting_resubmission(self) -> bool:
        """Discontinued for proceedings and not resubmitted (possibly closed when the window ran out)."""
        d = self.state.discontinuation
        return d is not None and d.resubmitted is None and self.state.status in ("discontinued", "closed")

    def refusal_resubmit(self, req: a.Resubmit, now: datetime) -> str | None:
        if (r := self._general_refusal("resubmit")) is not None:
            return r
        if not self._awaiting_resubmission():
            return "the complaint is not discontinued; only a discontinued complaint can be resubmitted"
        if self.state.status == "closed" and london(now).date() > self._reopen_until():
            return f"the complaint closed on {self.state.closed_on}, more than a year ago; it cannot be reopened"
        deadline = self._resubmission_deadline()
        if deadline is None:
            return "the proceedings have not been recorded as ended (record proceedings_ended first)"
        if req.late_accepted and not req.late_reason:
            return "a resubmission accepted late needs the reason it was accepted"
        if london(now).date() > deadline and not req.late_accepted:
            return f"the window to resubmit closed on {deadline}; a later resubmission must be accepted late, with a reason"
        return None

    def resubmit(self, req: a.Resubmit, now: datetime) -> list[Notice]:
        d, old = self.state.discontinuation, self.stage
        d.resubmitted = london(now).date()
        self.state.closed_on = None
        # The stage starts again with its full clock from the resubmission; the officer stays.
        self.state.stages.pop()
        self._start_stage(d.stage, london(now), old.request_reason, old.late_accepted_reason)
        self.stage.officer = old.officer
        self._log(now, "resubmit")
        return self._notices(now, [("acknowledgement", COMPLAINANT, {"resubmitted": "yes"})])

    # ------------------------------------------------------------------ after the council: Ombudsman, costs

    def _on_or_today(self, day: date | None, now: datetime, what: str) -> tuple[date, str | None]:
        return dated(day, london(now).date(), self.state.received.date(), what)

    def refusal_refer_to_ombudsman(self, req: a.ReferToOmbudsman, now: datetime) -> str | None:
        if self.state.status == "withdrawn":
            return self._general_refusal("refer_to_ombudsman")
        return referral_refusal(req, self.state.ombudsman, self.state.received.date(), london(now).date())

    def refer_to_ombudsman(self, req: a.ReferToOmbudsman, now: datetime) -> list[Notice]:
        day, _ = self._on_or_today(req.on, now, "a referral")
        self.state.ombudsman.append(OmbudsmanReferral(referred=day))
        self._log(now, "refer_to_ombudsman", fmt(day))
        return []

    def refusal_ombudsman_decision(self, req: a.OmbudsmanDecision, now: datetime) -> str | None:
        return decision_refusal(req, self.state.ombudsman, self.state.received.date(), london(now).date())

    def ombudsman_decision(self, req: a.OmbudsmanDecision, now: datetime) -> list[Notice]:
        referral = open_referral(self.state.ombudsman)
        referral.decided, _ = self._on_or_today(req.on, now, "a decision")
        referral.result, referral.remedy_gbp = req.result, req.remedy_gbp
        self._log(now, "ombudsman_decision", req.result)
        return []

    def refusal_record_cost(self, req: a.RecordCost, now: datetime) -> str | None:
        return cost_refusal(
            req, {s.stage for s in self.state.stages}, self.policy.last_stage,
            self.state.received.date(), london(now).date(),
        )

    def record_cost(self, req: a.RecordCost, now: datetime) -> list[Notice]:
        day, _ = self._on_or_today(req.on, now, "a cost")
        self.state.costs.append(Cost(stage=req.stage, on=day, item=req.item, amount_gbp=req.amount_gbp))
        self._log(now, "record_cost", f"stage {req.stage} {req.item}")
        return []

    # ------------------------------------------------------------------ withdrawal

    def refusal_withdraw(self, req: a.Withdraw, now: datetime) -> str | None:
        return self._general_refusal("withdraw")

    def withdraw(self, req: a.Withdraw, now: datetime) -> list[Notice]:
        self.state.status = "withdrawn"
        self.state.withdrawn_on = london(now).date()
        self.state.withdrawal_reason = req.reason
        self._log(now, "withdraw")
        return self._notices(now, [("withdrawal_confirmation", COMPLAINANT, {})])

    def _close(self, day: date) -> None:
        self.state.status = "closed"
        self.state.closed_on = day

    # ------------------------------------------------------------------ the passing of time

    def chases_on(self, day: date) -> list[chasing.Chase]:
        """Everything chasing sends at the chasing hour of ``day``."""
        st, s = self.state, self.stage
        if st.status in ("suspended", "discontinued", "withdrawn") or not self.calendar.is_working_day(day):
            return []
        found: list[chasing.Chase] = []
        if st.status == "open" and s.responded is None and s.due is not None:
            needs_officer = self._stage_policy().has_officer
            chain = chasing.escalation_chain(self.officers, s.officer) if s.officer else []
            found += chasing.clock_chases(
                self.calendar, self.policy.chasing, day, start_day=s.start_day, due=s.due,
                officer=s.officer, needs_officer=needs_officer, chain=chain,
            )
        for record in st.stages:
            if record.responding_officer and record.learning_submitted is None:
                nxt = chasing.next_learning_reminder(
                    self.calendar, self.policy.chasing, record.responded, record.learning_reminders_sent
                )
                if nxt is not None and nxt <= day:
                    found.append(chasing.Chase("learning_reminder", record.responding_officer, level=record.stage))
        return found

    def _transitions(self) -> list[tuple[datetime, str]]:
        """Moments when the complaint changes by itself: a window runs out."""
        st, s = self.state, self.stage
        out: list[tuple[datetime, str]] = []
        midnight = lambda day: datetime.combine(day + timedelta(days=1), time(0), LONDON)  # noqa: E731
        if st.status == "open" and (end := self._window_end(s)) is not None:
            out.append((midnight(end), "window_closed"))
        if st.status == "discontinued" and (end := self._resubmission_deadline()) is not None:
            out.append((midnight(end), "resubmission_window_closed"))
        if st.status == "closed" and not st.archived:
            out.append((midnight(self._reopen_until()), "archived"))
        return out

    def next_wake(self, horizon_days: int = 400) -> datetime | None:
        """The next moment something is due to happen on its own, or None."""
        candidates = [when for when, _ in self._transitions()]
        day = self.state.chased_through + timedelta(days=1)
        for _ in range(horizon_days):
            if self.chases_on(day):
                candidates.append(at_hour(day, self.policy.chasing.hour))
                break
            day += timedelta(days=1)
        return min(candidates) if candidates else None

    def advance(self, now: datetime) -> list[Notice]:
        """Do everything that has fallen due by ``now``: chasing days, then windows running out."""
        now = london(now)
        notices: list[Notice] = []
        hour = self.policy.chasing.hour
        while True:
            day = self.state.chased_through + timedelta(days=1)
            chased_at = at_hour(day, hour)
            if chased_at > now:
                break
            notices += self._send_chases(day, chased_at)
            self.state.chased_through = day
        # One window running out can open the next (closing starts the reopen window).
        while due := sorted(t for t in self._transitions() if t[0] <= now):
            when, what = due[0]
            if what == "archived":
                self.state.archived = True
            else:
                self._close(when.date() - timedelta(days=1))
            self._log(when, what)
        return notices

    def _send_chases(self, day: date, at: datetime) -> list[Notice]:
        items = []
        for chase in self.chases_on(day):
            extra: dict[str, str] = {}
            if chase.kind == "escalation":
                extra = {"level": str(chase.level), "officer_name": self._officer_name(self.stage.officer)}
            if chase.kind == "learning_reminder":
                record = self.state.stages[chase.level - 1]
                record.learning_reminders_sent += 1
                extra = {"officer_name": self._officer_name(record.responding_officer),
                         "learning_stage": str(record.stage)}
            items.append((chase.kind, chase.to, extra))
        return self._notices(at, items)

    def is_finished(self) -> bool:
        """Whether the workflow can end: withdrawn, or closed past its reopen window with nothing left to chase."""
        st = self.state
        if st.status == "withdrawn":
            return True
        return st.status == "closed" and st.archived and self.next_wake(horizon_days=30) is None

    # ------------------------------------------------------------------ actions by name

    def refusal(self, action: str, req: object, now: datetime) -> str | None:
        if action == "assign":
            return self.refusal_assign(req)
        if action == "reassign":
            return self.refusal_assign(req, reassign=True)
        check: Callable[[object, datetime], str | None] = getattr(self, f"refusal_{action}")
        return check(req, now)

    def apply(self, action: str, req: object, now: datetime) -> list[Notice]:
        return getattr(self, action)(req, now)
