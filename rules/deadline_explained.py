"""How a stage's due date was worked out, in words (the complaint page's "deadline", web.md section 4).

The explanation is computed with the rules' own functions (``rules.deadlines``, the
calendar, ``rules.chasing.overdue_day_number``), replaying the stage's clock from the
record the store keeps: its start day, the working days the stage allows, the extension,
each suspension and (stage 3) the review panel's clocks, in the order the history says
they happened. Where the record says otherwise (a complaint started under an older
rulebook), the record wins: the page never shows a due date the rules did not set.

Nothing here knows about Temporal or the web; dates are written "Thursday 30 May 2024".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import holidays

from rules.bank_holidays import complaint_days_off, complaint_days_off_until, days_off
from rules.calendar import WorkingCalendar
from rules.chasing import overdue_day_number
from rules.deadlines import due_after_suspension, due_date, working_days_left
from rules.moments import LONDON

# Why the clock stopped, as the sentence "Clock stopped ... for ..." ends.
SUSPENDED_FOR = {
    "court_proceedings": "court proceedings",
    "police_investigation": "a police investigation",
    "other": "another reason",
}
# Extension reasons the forms offer as choices, in words; any other reason is free text.
EXTENDED_AS = {
    "complex": "as the complaint is complex",
    "advocate": "as an advocate is needed",
    "advocate_needed": "as an advocate is needed",
    "advocate needed": "as an advocate is needed",
}
# A free-text reason is quoted up to this many characters (the whole reason is in the history).
REASON_QUOTED = 200


@dataclass(frozen=True)
class Deadline:
    """A stage's deadline, explained."""

    stage: int
    headline: str                     # "Due Thursday 30 May 2024 (stage 1)"
    standing: str                     # "3 working days left", "5 working days late", "Answered on time"...
    lines: list[str]                  # how the due date was worked out, step by step
    bank_holidays: list[tuple[date, str]] = field(default_factory=list)   # days off in the clock's range
    due: date | None = None           # the due date the record holds (None: no clock running)
    days_left: int | None = None      # working days left today (open and not yet late)
    days_late: int | None = None      # working days late today, or when the clock stopped


# ---------------------------------------------------------------------- words

def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@functools.lru_cache(maxsize=64)
def _holiday_table(year: int) -> Mapping[date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=[year]))


def day_off_name(day: date) -> str:
    """A day off's name ("Good Friday"); a council's own closure day has none of its own."""
    name = _holiday_table(day.year).get(day)
    return name.replace(";", " and") if name else "a council closure day"


def _days_off_in(calendar: WorkingCalendar, after: date, until: date) -> list[date]:
    """The weekdays off strictly after ``after``, up to and including ``until``."""
    return sorted(d for d in calendar.days_off if after < d <= until and d.weekday() < 5)


# ---------------------------------------------------------------------- the calendar

def complaint_calendar(received: date, closure_days: Iterable[date] = (), until: date | None = None) -> WorkingCalendar:
    """The working days a complaint's clock counts, as the workflow builds them: the bank
    holidays of the years around the day it was received (and any later year it reached)
    and its procedure's closure days."""
    off = complaint_days_off(received, closure_days)
    covered = complaint_days_off_until(received)
    if until is not None and until > covered:
        off = sorted({*off, *days_off(covered.year + 1, until.year)})
    return WorkingCalendar(off)


# ---------------------------------------------------------------------- reading a record

def _get(thing: Any, name: str, default: Any = None) -> Any:
    if isinstance(thing, Mapping):
        return thing.get(name, default)
    return getattr(thing, name, default)


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date()
    return value


@dataclass
class _Event:
    """One thing that moved the clock, in the order it happened."""

    on: date
    order: int                 # its place in the history (ties on a day keep the history's order)
    kind: str                  # extend, suspend, panel_held, panel_report
    suspension: Any = None
    dated: bool = True         # False: the history does not say which day (the extension is shown undated)


def _events(stage: Any, history: Sequence[Any]) -> list[_Event]:
    requested = _get(stage, "requested_at")
    mine = [h for h in history if requested is None or _get(h, "at") >= requested]
    places: dict[str, list[tuple[int, date]]] = {"extend": [], "suspend": [], "panel_held": [], "panel_report": []}
    for index, entry in enumerate(mine):
        if _get(entry, "action") in places:
            places[_get(entry, "action")].append((index, _day(_get(entry, "at"))))
    last = len(mine)
    events: list[_Event] = []
    if _get(stage, "extended_due") is not None:
        if places["extend"]:
            index, on = places["extend"][-1]
            events.append(_Event(on, index, "extend"))
        else:
            events.append(_Event(_get(stage, "start_day"), last, "extend", dated=False))
    for k, suspension in enumerate(_get(stage, "suspensions") or []):
        index = places["suspend"][k][0] if k < len(places["suspend"]) else last
        events.append(_Event(_get(suspension, "on"), index, "suspend", suspension))
    for kind in ("panel_held", "panel_report"):
        on = _get(stage, kind)
        if on is not None:
            index = places[kind][-1][0] if places[kind] else last
            events.append(_Event(on, index, kind))
    events.sort(key=lambda e: (e.on, e.order))
    return events


# ---------------------------------------------------------------------- the explanation

def explain(stage: Any, calendar: WorkingCalendar, today: date, *, history: Sequence[Any] = (),
            status: str = "open", panel_days: tuple[int, int] | None = None) -> Deadline:
    """The stage's deadline and how it was worked out.

    ``stage`` is the store's stage (``RecordStore.complaint(ref)["stages"][-1]``) or the
    workflow's ``StageRecord``; ``history`` the complaint's history (to know when the
    extension happened, and the order of what moved the clock); ``status`` the
    complaint's; ``panel_days`` a review panel stage's (recommendations, final response)
    working days, from its policy.
    """
    number = _get(stage, "stage")
    start: date = _get(stage, "start_day")
    allowed: int = _get(stage, "working_days")
    requested = _day(_get(stage, "requested_at")) or start
    lines = [_start_line(number, requested, start, calendar)]

    due = due_date(calendar, start, allowed)
    recorded_original = _get(stage, "original_due")
    if recorded_original is not None:
        due = recorded_original
    skipped = [day_off_name(d) for d in _days_off_in(calendar, start, due)]
    what = " for the review panel to meet" if panel_days else ""
    lines.append(
        f"Stage {number} allows {working_days(allowed)}{what}; weekends and bank holidays "
        f"do not count ({_skipped(skipped)}): due {long_date(due)}.")

    reach = [start, due]
    open_suspension = None
    late_when_stopped = 0
    for event in _events(stage, history):
        if event.kind == "extend":
            new_due = _get(stage, "extended_due")
            lines.append(_extension_line(event.on if event.dated else None,
                                         calendar.working_days_after_until(due, new_due),
                                         _get(stage, "extension_reason"), new_due))
            due = new_due
        elif event.kind == "suspend":
            s = event.suspension
            line, due, late = _suspension_line(s, due, calendar)
            lines.append(line)
            if _get(s, "resumed") is None:
                open_suspension, late_when_stopped = s, late
            else:
                reach.append(_get(s, "resumed"))
        elif event.kind in ("panel_held", "panel_report") and panel_days:
            held = event.kind == "panel_held"
            n = panel_days[0] if held else panel_days[1]
            due = due_date(calendar, event.on, n)
            lines.append(
                f"The review panel met on {long_date(event.on)}; its recommendations are due {working_days(n)} "
                f"later: due {long_date(due)}." if held else
                f"The panel's report came on {long_date(event.on)}; the final response is due {working_days(n)} "
                f"later: due {long_date(due)}.")
        if due is not None:
            reach.append(due)

    recorded = _get(stage, "due")
    if recorded is not None and recorded != due:
        # The record is the truth (an older rulebook, or a clock this replay does not know).
        lines.append(f"Now due {long_date(recorded)}.")
        due = recorded
        reach.append(due)
    elif recorded is None and open_suspension is None:
        due = None

    in_range = [(d, day_off_name(d)) for d in _days_off_in(calendar, start - timedelta(days=1), max(reach))]
    headline, standing, left, late = _standing(stage, number, due, today, calendar, status,
                                               open_suspension, late_when_stopped)
    return Deadline(number, headline, standing, lines, in_range, due if open_suspension is None else None,
                    left, late)


def _start_line(number: int, requested: date, start: date, calendar: WorkingCalendar) -> str:
    came = "Received" if number == 1 else f"Stage {number} asked for on"
    if requested == start:
        return f"{came} {long_date(requested)}, a working day, so counting starts there."
    if requested in calendar.days_off and requested.weekday() < 5:
        why = f"{day_off_name(requested)}, a bank holiday"
    elif requested.weekday() >= 5:
        why = "a weekend"
    else:
        why = "not a working day"
    return (f"{came} {long_date(requested)} ({why}), so counting starts on the next working day, "
            f"{long_date(start)}.")


def _skipped(names: list[str]) -> str:
    if not names:
        return "no bank holiday fell in that time"
    return f"{_and(names)} {'was' if len(names) == 1 else 'were'} skipped"


def _extension_line(on: date | None, extra: int, reason: str | None, new_due: date) -> str:
    when = f" on {long_date(on)}" if on else ""
    words = (reason or "").strip()
    if words.casefold() in EXTENDED_AS:
        why = f", {EXTENDED_AS[words.casefold()]}"
    elif words:
        words = " ".join(words.split())
        if len(words) > REASON_QUOTED:
            words = words[:REASON_QUOTED].rstrip() + "…"
        why = f" (the reason given: {words})"
    else:
        why = ""
    return f"Extended{when} by {working_days(extra)}{why}: due {long_date(new_due)}."


def _suspension_line(s: Any, due: date, calendar: WorkingCalendar) -> tuple[str, date | None, int]:
    """The line for one suspension, the due date after it (None while it lasts), and how
    late the complaint was when the clock stopped."""
    on, resumed = _get(s, "on"), _get(s, "resumed")
    reason = _get(s, "reason")
    why = SUSPENDED_FOR.get(reason, str(reason).replace("_", " "))
    late = overdue_day_number(calendar, due, on)
    left = working_days_left(calendar, on, due)
    if late:
        state = f"{working_days(late)} late when the clock stopped; still {working_days(late)} late"
    elif left:
        state = f"{working_days(left)} {'was' if left == 1 else 'were'} left"
    else:
        state = "no working days were left (it stopped on the due date)"
    if resumed is None:
        return f"Clock stopped {long_date(on)} for {why}: {state}; it has not restarted.", None, late
    new_due = due_after_suspension(calendar, due, on, resumed)
    restart = calendar.start_day(resumed)
    paused = calendar.working_days_after_until(on, restart)
    skipped = _days_off_in(calendar, restart, new_due)
    note = ""
    if skipped:
        note = f" (bank holiday{'' if len(skipped) == 1 else 's'} {_and([long_date(d) for d in skipped])} skipped)"
    moved = (f"The due date moves to {long_date(new_due)}{note}." if late
             else f"Now due {long_date(new_due)}{note}.")
    return (f"Clock stopped {long_date(on)} for {why}, restarted {long_date(resumed)}: "
            f"{working_days(paused)} paused, {state}. {moved}"), new_due, late


def _standing(stage: Any, number: int, due: date | None, today: date, calendar: WorkingCalendar, status: str,
              open_suspension: Any, late_when_stopped: int) -> tuple[str, str, int | None, int | None]:
    """The headline and where the clock stands today: never time left when there is none."""
    responded = _get(stage, "responded")
    if responded is not None:
        late = overdue_day_number(calendar, due, responded) if due is not None else 0
        if late:
            standing = f"Answered {working_days(late)} late"
        elif _get(stage, "on_time") is False:
            standing = "Answered late: an earlier clock of the stage was missed"
        else:
            standing = "Answered on time"
        return f"Answered {long_date(responded)} (stage {number})", standing, None, late or None
    if status == "withdrawn":
        return (f"No due date: the complaint was withdrawn (stage {number})", "The clock has stopped for good",
                None, None)
    if open_suspension is not None:
        on = _get(open_suspension, "on")
        if late_when_stopped:
            standing = (f"{working_days(late_when_stopped)} late when the clock stopped; "
                        f"still {working_days(late_when_stopped)} late")
            return (f"Clock stopped since {long_date(on)} (stage {number})", standing, None, late_when_stopped)
        left = _get(open_suspension, "days_left")
        standing = (f"{working_days(left)} will be left when the clock restarts" if left
                    else "No working days left when the clock restarts")
        return f"Clock stopped since {long_date(on)} (stage {number})", standing, left, None
    if due is None:
        why = {"discontinued": "the complaint was discontinued", "closed": "the complaint is closed"}.get(
            status, "no clock is running")
        return f"No due date: {why} (stage {number})", "The clock is not running", None, None
    if status == "closed":
        return f"Was due {long_date(due)} (stage {number})", "The complaint is closed", None, None
    if today < due:
        left = calendar.working_days_after_until(today, due)
        return f"Due {long_date(due)} (stage {number})", f"{working_days(left)} left", left, None
    if today == due:
        return f"Due {long_date(due)} (stage {number})", "Due today", 0, None
    late = overdue_day_number(calendar, due, today)
    standing = f"{working_days(late)} late" if late else "The due date has passed"
    return f"Due {long_date(due)} (stage {number})", standing, None, late
