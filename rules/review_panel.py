"""Stage 3: the review panel meets, then reports; each ends a clock and starts the next."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import COMPLAINANT, FINAL_RESPONSE, PANEL_MEETING, PANEL_REPORT, Notice
from rules.deadlines import due_date
from rules.moments import fmt, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def _refusal_panel(c: Complaint, action: str, expected_clock: str) -> str | None:
    if (r := c.general_refusal(action)) is not None:
        return r
    s = c.stage
    if s.clock is None:
        return f"{action} is for a stage 3 review panel; the complaint is at stage {s.stage}"
    if c.state.status == "suspended":
        return f"the complaint is suspended; resume it before recording {action}"
    if s.clock != expected_clock:
        order = {PANEL_MEETING: "the panel has not met yet", PANEL_REPORT: "the panel has already met",
                 FINAL_RESPONSE: "the panel's recommendations are already in"}
        return f"{action} is out of order: {order[s.clock]}"
    return None


def refuse_panel_held(c: Complaint, req: a.PanelHeld, now: datetime) -> str | None:
    return _refusal_panel(c, "panel_held", PANEL_MEETING)


def refuse_panel_report(c: Complaint, req: a.PanelReport, now: datetime) -> str | None:
    return _refusal_panel(c, "panel_report", PANEL_REPORT)


def _next_panel_clock(c: Complaint, now: datetime, clock: str, working_days: int) -> None:
    s, today = c.stage, london(now).date()
    s.clocks_met.append(today <= s.due)
    s.clock = clock
    s.due = due_date(c.calendar, today, working_days)


def panel_held(c: Complaint, req: a.PanelHeld, now: datetime) -> list[Notice]:
    c.stage.panel_held = london(now).date()
    _next_panel_clock(c, now, PANEL_REPORT, c.stage_policy().panel.recommendations_working_days)
    c.log(now, "panel_held")
    return _panel_letter(c, now, "panel_held_letter", {"panel_held": fmt(c.stage.panel_held)})


def panel_report(c: Complaint, req: a.PanelReport, now: datetime) -> list[Notice]:
    c.stage.panel_report = london(now).date()
    _next_panel_clock(c, now, FINAL_RESPONSE, c.stage_policy().panel.final_response_working_days)
    c.log(now, "panel_report")
    return _panel_letter(c, now, "panel_report_letter", {"panel_report": fmt(c.stage.panel_report)})


def _panel_letter(c: Complaint, now: datetime, kind: str, extra: dict[str, str]) -> list[Notice]:
    if c.state.rules_version < 2:
        return []
    return c.notices(now, [(kind, COMPLAINANT, extra)])
