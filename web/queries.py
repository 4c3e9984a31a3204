"""The lists the staff work from, read in the database: each query filters, sorts and
limits there (a page of 50 rows, a queue of 10), so a store of tens of thousands of
complaints costs a page what it shows. Working days late or left are counted in Python,
with each complaint's own calendar, for the rows shown only.

- ``dashboard(...)``: the Complaints Team's queues (overdue, due soon, unassigned,
  suspended, awaiting a lessons-learnt form) and the counts by team and service area;
- ``complaint_list(...)``: every complaint a person may see, filtered, searched, sorted
  and paged;
- ``escalated_to(...)``: a manager's complaints escalated to them and still overdue.

The directory (names, teams) and the procedures are read from their files and kept for
a short while: every page needs them, and they change rarely.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Engine, and_, bindparam, case, exists, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import aliased

from cli.directory import Directory, directory_path, load_directory
from models.complaint import Officer
from policies import Policy, PolicyError, available_policies, load_policy
from rules.bank_holidays import days_off
from rules.calendar import WorkingCalendar
from rules.moments import LONDON
from store.record_store import OPEN_STATUSES, assignments, complaints, outbox, stages
from web.formats import long_date

PAGE_SIZE = 50
QUEUE_SIZE = 10
SOON_WORKING_DAYS = 3          # "due within 3 working days"
# How long the directory and the procedures are kept before their files are looked at again.
REFRESH_SECONDS = 30.0

c, s = complaints.c, stages.c

# ------------------------------------------------------------------ the directory and procedures


@dataclass(frozen=True)
class People:
    """The council's directory as the lists need it: names, and each officer's team."""

    officers: tuple[Officer, ...]
    names: dict[str, str]
    teams: dict[str, str]           # officer id -> their team (their manager's id; their own at the top)

    def name(self, officer_id: str | None) -> str:
        if officer_id is None:
            return ""
        return self.names.get(officer_id, "Someone no longer in the directory")

    def team_name(self, team_id: str) -> str:
        return f"{self.name(team_id)}’s team"

    def in_team(self, team_id: str) -> list[str]:
        return sorted(o for o, t in self.teams.items() if t == team_id)

    def team_ids(self) -> list[str]:
        return sorted(set(self.teams.values()), key=lambda t: self.name(t))


_lock = threading.Lock()
_people: tuple[tuple, People] | None = None


def people() -> People:
    """The directory, read again when its file changes."""
    global _people
    path, _ = directory_path()
    try:
        seen = path.stat()
        key: tuple = (str(path), seen.st_mtime_ns, seen.st_size)
    except OSError:
        key = (str(path), None, None)
    with _lock:
        if _people is not None and _people[0] == key:
            return _people[1]
    found: Directory = load_directory()
    officers = tuple(found.officers)
    made = People(officers, {o.id: o.name for o in officers}, {o.id: o.manager or o.id for o in officers})
    with _lock:
        _people = (key, made)
    return made


@dataclass(frozen=True)
class Procedures:
    by_name: dict[str, Policy]
    read_at: float

    def title(self, name: str) -> str:
        found = self.by_name.get(name)
        return found.title if found else name.replace("-", " ").capitalize()

    def stages_without_officer(self) -> list[tuple[str, int]]:
        """The stages the Complaints Team runs itself (no officer to assign): never "unassigned"."""
        return sorted((p.name, st.stage) for p in self.by_name.values() for st in p.stages if not st.has_officer)

    def learning_reminders(self, name: str) -> int:
        found = self.by_name.get(name)
        return found.chasing.learning_reminders_at_most if found else 3


_procedures: Procedures | None = None


def procedures() -> Procedures:
    global _procedures
    now = time.monotonic()
    if _procedures is not None and now - _procedures.read_at < REFRESH_SECONDS:
        return _procedures
    found = {}
    for name in sorted(available_policies()):
        try:
            found[name] = load_policy(name)
        except PolicyError:
            continue          # a file that does not validate runs no complaint
    _procedures = Procedures(found, now)
    return _procedures


@functools.lru_cache(maxsize=256)
def _calendar(first_year: int, last_year: int, closure: tuple[date, ...]) -> WorkingCalendar:
    return WorkingCalendar(days_off(first_year, last_year, closure))


def calendar_for(received: datetime, policy: str, policy_version: int, today: date) -> WorkingCalendar:
    """The complaint's own working days: the bank holidays from the year before it was
    received (as the workflow counts them) to this year, and its procedure's closure days
    while the procedure is still the version it started with."""
    year = received.astimezone(LONDON).year
    found = procedures().by_name.get(policy)
    closure = tuple(found.closure_days) if found is not None and found.version == policy_version else ()
    return _calendar(year - 1, max(year + 4, today.year + 1), closure)


@functools.lru_cache(maxsize=8)
def _soon_limits(today: date, closures: tuple[tuple[str, tuple[date, ...]], ...]) -> tuple[date, dict[str, date]]:
    plain = _calendar(today.year - 1, today.year + 1, ()).add_working_days(today, SOON_WORKING_DAYS)
    by_policy = {name: _calendar(today.year - 1, today.year + 1, days).add_working_days(today, SOON_WORKING_DAYS)
                 for name, days in closures if days}
    return plain, by_policy


def soon_limits(today: date) -> tuple[date, dict[str, date]]:
    """The last due date that is "due within 3 working days" of today, for every procedure."""
    found = procedures().by_name
    return _soon_limits(today, tuple((n, tuple(p.closure_days)) for n, p in sorted(found.items())))


# ------------------------------------------------------------------ conditions, in SQL

TODAY = bindparam("today", type_=Date())

running = (c.status == "open") & s.responded.is_(None) & s.due.is_not(None)
late = running & (s.due < TODAY)


def _soon(today: date):
    """Running, not late, and due by the third working day from today (the procedure's own)."""
    plain, by_policy = soon_limits(today)
    limit: Any = literal(plain, type_=Date())
    if by_policy:
        limit = case(*((c.policy == name, literal(day, type_=Date())) for name, day in sorted(by_policy.items())),
                     else_=limit)
    return running & (s.due >= TODAY) & (s.due <= limit)


def _needs_officer():
    pairs = procedures().stages_without_officer()
    if not pairs:
        return true()
    return not_(or_(*(and_(c.policy == name, c.stage == number) for name, number in pairs)))


def _unassigned():
    return (c.status == "open") & s.officer.is_(None) & s.responded.is_(None) & _needs_officer()


def _awaiting_learning(stage_table):
    """A stage answered by an officer whose lessons-learnt form has not come in."""
    return stage_table.c.responding_officer.is_not(None) & stage_table.c.learning_submitted.is_(None)


def _current():
    return complaints.outerjoin(stages, (s.ref == c.ref) & (s.stage == c.stage))


# ------------------------------------------------------------------ rows as a page shows them


@dataclass
class Line:
    """One complaint in a list or queue, in words."""

    ref: str
    stage: int
    status: str
    policy: str
    officer_id: str | None
    officer: str
    received: datetime
    due: date | None
    when: str                           # "3 working days late", "Due today", "2 working days left"...
    tag: str                            # the status in words
    colour: str                         # the Tag's modifier: the words carry the meaning, not the colour
    late: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def due_text(self) -> str:
        return _short(self.due)

    @property
    def received_text(self) -> str:
        return _short(self.received.astimezone(LONDON).date()) if self.received else ""


def _plural(n: int, one: str) -> str:
    return f"{n} {one}{'' if n == 1 else 's'}"


def _line(row: Any, today: date, who: People, team: tuple[tuple[str, int], ...]) -> Line:
    status, due, responded = row.status, row.due, row.responded
    line = Line(ref=row.ref, stage=row.stage, status=status, policy=row.policy, officer_id=row.officer,
                officer=who.name(row.officer), received=row.received, due=due, when="", tag="", colour="")
    if status in ("closed", "withdrawn"):
        ended = row.closed_on if status == "closed" else row.withdrawn_on
        line.tag, line.colour = ("Closed", "grey") if status == "closed" else ("Withdrawn", "grey")
        line.when = f"{line.tag} {_short(ended)}" if ended else line.tag
        return line
    if status == "discontinued":
        line.tag, line.colour, line.when = "Discontinued", "purple", "Waiting for the proceedings to end"
        return line
    if status == "suspended":
        line.tag, line.colour = "Clock stopped", "blue"
        left = row.days_left
        line.when = (f"Stopped {_short(row.suspended_on)}, {_plural(left, 'working day')} left"
                     if row.suspended_on and left is not None else "Clock stopped")
        return line
    if responded is not None:
        line.tag, line.colour, line.when = "Answered", "green", f"Answered {_short(responded)}"
        return line
    if due is None:
        line.tag, line.colour, line.when = "Open", "light-blue", ""
        return line
    calendar = calendar_for(row.received, row.policy, row.policy_version, today)
    if due < today:
        line.late = calendar.working_days_after_until(due, today)
        line.tag, line.colour = "Overdue", "red"
        line.when = _plural(line.late, "working day") + " late" if line.late else "Overdue"
        return line
    left = calendar.working_days_after_until(today, due)
    line.when = "Due today" if due == today else f"{_plural(left, 'working day')} left"
    needs = (row.policy, row.stage) not in team
    if row.officer is None and needs:
        line.tag, line.colour = "Not yet assigned", "yellow"
    elif left <= SOON_WORKING_DAYS:
        line.tag, line.colour = "Due soon", "orange"
    else:
        line.tag, line.colour = "On time", "turquoise"
    return line


@functools.lru_cache(maxsize=4096)
def _short(day: date | None) -> str:
    """A day in words, remembered: a page of 50 rows writes a few hundred dates."""
    return long_date(day)


def _lines(rows: Iterable[Any], today: date) -> list[Line]:
    who = people()
    team = tuple(procedures().stages_without_officer())
    return [_line(r, today, who, team) for r in rows]


LINE_COLUMNS = (c.ref, c.stage, c.status, c.policy, c.policy_version, c.received, c.closed_on, c.withdrawn_on,
                s.officer, s.due, s.responded, s.suspended_on, s.days_left, s.start_day)


# ------------------------------------------------------------------ the dashboard


@dataclass
class Queue:
    key: str
    title: str
    lines: list[Line]
    total: int
    view_all: str
    empty: str


@dataclass
class Count:
    name: str
    link: str                   # the list filtered to this team or area (no status)
    open: int = 0
    overdue: int = 0
    soon: int = 0
    unassigned: int = 0
    suspended: int = 0


@dataclass
class Dashboard:
    queues: list[Queue]
    by_team: list[Count]
    by_area: list[Count]


def _rows(conn, today: date, where, order, *, columns=LINE_COLUMNS, source=None) -> list[Any]:
    source = source if source is not None else _current()
    return conn.execute(select(*columns).select_from(source).where(where).order_by(*order).limit(QUEUE_SIZE),
                        {"today": today}).all()


# The last dashboard worked out, and what it was worked out from: the whole team shares
# it, and it is worked out again only when a complaint changes (each write to the record
# store raises the complaint's revision), the day changes, or the directory does.
_last_dashboard: tuple[tuple, Dashboard] | None = None


def records_version(engine: Engine) -> tuple[int, int]:
    """How many complaints the store holds and the sum of their revisions: any write, or a
    complaint removed, changes it (an ordinary index scan, no table read)."""
    with engine.connect() as conn:
        found = conn.execute(select(func.count(), func.coalesce(func.sum(c.revision), 0))
                             .select_from(complaints)).one()
    return int(found[0]), int(found[1])


def dashboard(engine: Engine, today: date) -> Dashboard:
    """The dashboard as it stands: worked out again only when the records, the day or the
    directory have changed since the last one."""
    global _last_dashboard
    key = (str(engine.url), today, records_version(engine), id(people()))
    with _lock:
        if _last_dashboard is not None and _last_dashboard[0] == key:
            return _last_dashboard[1]
    board = _work_out_dashboard(engine, today)
    with _lock:
        _last_dashboard = (key, board)
    return board


def _work_out_dashboard(engine: Engine, today: date) -> Dashboard:
    """The Complaints Team's dashboard: five queues and the counts (web.md section 5).

    One pass over the open complaints, grouped by officer and service area, gives every
    count (the queues' totals are their sums); each queue's first ten come by an index
    where one serves (unanswered stages by due date)."""
    soon = _soon(today)
    unassigned = _unassigned()
    answered = aliased(stages)
    learning_where = _awaiting_learning(answered) & (c.status != "withdrawn")
    learning_columns = (c.ref, c.policy, c.policy_version, c.received, answered.c.stage,
                        answered.c.responding_officer, answered.c.responded, answered.c.learning_reminders_sent,
                        func.count().over().label("total"))
    numbers = (func.count().label("open"), func.sum(case((late, 1), else_=0)).label("overdue"),
               func.sum(case((soon, 1), else_=0)).label("soon"),
               func.sum(case((unassigned, 1), else_=0)).label("unassigned"),
               func.sum(case((c.status == "suspended", 1), else_=0)).label("suspended"))
    still_open = c.status.in_(OPEN_STATUSES)
    with engine.connect() as conn:
        by_officer = conn.execute(select(s.officer, *numbers).select_from(_current()).where(still_open)
                                  .group_by(s.officer), {"today": today}).all()
        by_area = conn.execute(select(c.service_area, *numbers).select_from(_current()).where(still_open)
                               .group_by(c.service_area), {"today": today}).all()
        overdue_rows = _rows(conn, today, late, (s.due, c.ref))
        soon_rows = _rows(conn, today, soon, (s.due, c.ref))
        unassigned_rows = _rows(conn, today, unassigned, (s.start_day, s.due, c.ref))
        suspended_rows = _rows(conn, today, c.status == "suspended", (s.suspended_on, c.ref))
        learning_rows = _rows(conn, today, learning_where, (answered.c.responded, c.ref, answered.c.stage),
                              columns=learning_columns, source=complaints.join(answered, answered.c.ref == c.ref))
    who = people()
    by_team, by_area, totals = _counts(by_officer, by_area, who)
    queues = [
        Queue("overdue", "Overdue", _lines(overdue_rows, today), totals.overdue, "/complaints?due=overdue",
              "No complaint is overdue."),
        Queue("soon", f"Due within {SOON_WORKING_DAYS} working days", _lines(soon_rows, today), totals.soon,
              "/complaints?due=soon", f"No complaint is due within {SOON_WORKING_DAYS} working days."),
        Queue("unassigned", "Not yet assigned", _lines(unassigned_rows, today), totals.unassigned,
              "/complaints?status=unassigned", "Every complaint has an investigating officer."),
        Queue("suspended", "Clock stopped", _lines(suspended_rows, today), totals.suspended,
              "/complaints?status=suspended", "No complaint's clock is stopped."),
        Queue("learning", "Awaiting a lessons-learnt form", _learning_lines(learning_rows, who),
              learning_rows[0].total if learning_rows else 0, "/complaints?status=learning",
              "No lessons-learnt form is awaited."),
    ]
    return Dashboard(queues, by_team, by_area)


def _learning_lines(rows: Iterable[Any], who: People) -> list[Line]:
    shown = []
    for r in rows:
        most = procedures().learning_reminders(r.policy)
        shown.append(Line(ref=r.ref, stage=r.stage, status="", policy=r.policy, officer_id=r.responding_officer,
                          officer=who.name(r.responding_officer), received=r.received, due=None,
                          when=f"{r.learning_reminders_sent} of {most} reminders sent",
                          tag="Form awaited", colour="yellow", extra={"responded": r.responded}))
    return shown


def _counts(by_officer: Iterable[Any], by_area: Iterable[Any], who: People) -> tuple[list[Count], list[Count], Count]:
    """The counts by team (an officer's team is their manager's) and by area, and in all."""
    total = Count("All", "/complaints")
    teams: dict[str, Count] = {}
    for officer, *numbers in by_officer:
        key = "none" if officer is None else who.teams.get(officer, "unknown")
        team = teams.get(key)
        if team is None:
            team = teams[key] = Count(team_words(key, who), f"/complaints?team={key}")
        for into in (team, total):
            into.open += numbers[0]
            into.overdue += numbers[1] or 0
            into.soon += numbers[2] or 0
            into.unassigned += numbers[3] or 0
            into.suspended += numbers[4] or 0
    areas = [Count(area or "Not recorded", _area_link(area), *(n or 0 for n in numbers)) for area, *numbers in by_area]
    order = lambda x: (-x.overdue, -x.soon, -x.open, x.name)  # noqa: E731 - most overdue first
    return sorted(teams.values(), key=order), sorted(areas, key=order), total


def team_words(team: str, who: People) -> str:
    if team == "none":
        return "No investigating officer"
    if team == "unknown":
        return "Officers no longer in the directory"
    return who.team_name(team)


def _area_link(area: str | None) -> str:
    from urllib.parse import urlencode

    return "/complaints?" + urlencode({"area": area if area else "none"})


# ------------------------------------------------------------------ the complaint list

STATUS_FILTERS = {
    "open": "Open (still being handled)",
    "unassigned": "Not yet assigned",
    "suspended": "Clock stopped",
    "learning": "Awaiting a lessons-learnt form",
    "discontinued": "Discontinued",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
    "any": "Any status",
}
DUE_FILTERS = {"overdue": "Overdue", "soon": f"Due within {SOON_WORKING_DAYS} working days"}
SORTS = ("urgency", "reference", "received", "stage", "officer", "due")


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to (every value checked: an unknown one is as if not given)."""

    status: str = "open"
    stage: int | None = None
    procedure: str | None = None
    officer: str | None = None
    team: str | None = None
    area: str | None = None
    due: str | None = None
    reference: str | None = None
    name: str | None = None          # the Complaints Team's search by name (never from a URL)

    def without(self, key: str) -> Filters:
        return replace(self, **{key: Filters.__dataclass_fields__[key].default})


@dataclass
class Listing:
    lines: list[Line]
    total: int
    page: int
    pages: int


def _visible(officers: set[str] | None):
    """Complaints any of ``officers`` were ever assigned to (None: every complaint)."""
    if officers is None:
        return true()
    if not officers:
        return false()
    # IN (the officers' assignments) rather than EXISTS per complaint: SQLite reads the few
    # complaints by their key instead of testing every complaint.
    return c.ref.in_(select(assignments.c.ref).where(assignments.c.officer.in_(sorted(officers))))


def _where(f: Filters, today: date, visible: set[str] | None, dialect: str) -> tuple[list[Any], bool]:
    """The conditions, and whether any reads the current stage (else a count needs no join)."""
    found: list[Any] = [_visible(visible)]
    stage_read = False
    if f.status == "open":
        found.append(c.status.in_(OPEN_STATUSES))
    elif f.status == "unassigned":
        found.append(_unassigned())
        stage_read = True
    elif f.status == "learning":
        answered = aliased(stages)
        found.append((c.status != "withdrawn") & exists().where((answered.c.ref == c.ref)
                                                                & _awaiting_learning(answered)))
    elif f.status in ("suspended", "discontinued", "closed", "withdrawn"):
        found.append(c.status == f.status)
    if f.stage is not None:
        found.append(c.stage == f.stage)
    if f.procedure:
        found.append(c.policy == f.procedure)
    if f.officer:
        found.append(s.officer == f.officer)
    if f.team == "none":
        found.append(s.officer.is_(None))
    elif f.team == "unknown":
        found.append(s.officer.is_not(None) & s.officer.not_in(sorted(people().teams)))
    elif f.team:
        found.append(s.officer.in_(people().in_team(f.team)))
    stage_read = stage_read or bool(f.officer or f.team)
    if f.area == "none":
        found.append(c.service_area.is_(None))
    elif f.area:
        found.append(c.service_area == f.area)
    if f.due == "overdue":
        found.append(late)
    elif f.due == "soon":
        found.append(_soon(today))
    stage_read = stage_read or bool(f.due)
    if f.reference:
        found.append(_reference_starts(f.reference, dialect))
    if f.name:
        if dialect == "sqlite":
            words = f.name.casefold()
            found.append(or_(func.web_casefold(c.complainant_name).contains(words, autoescape=True),
                             func.web_casefold(c.child).contains(words, autoescape=True)))
        else:
            found.append(or_(c.complainant_name.icontains(f.name, autoescape=True),
                             c.child.icontains(f.name, autoescape=True)))
    return found, stage_read


def _reference_starts(typed: str, dialect: str):
    """A reference starting with what was typed, ignoring case. On SQLite, as ranges of the
    primary key (as typed, in capitals, in small letters: references are ASCII), so the
    search reads only the matching rows."""
    if dialect != "sqlite":
        return c.ref.istartswith(typed, autoescape=True)
    ranges = [and_(c.ref >= p, c.ref < p + "\x7f") for p in dict.fromkeys((typed, typed.upper(), typed.lower()))]
    return or_(*ranges)


def _order(sort: str, descending: bool) -> list[Any]:
    if sort == "urgency":
        ended = func.coalesce(c.closed_on, c.withdrawn_on)
        return [case((late, 0), (running, 1), else_=2), case((running, s.due), else_=None),
                case((ended.is_(None), 0), else_=1), ended.desc(), c.ref]
    if sort == "officer":
        names = people().names
        key: Any = (case(*((s.officer == o, n.casefold()) for o, n in sorted(names.items())), else_=s.officer)
                    if names else s.officer)
    else:
        key = {"reference": c.ref, "received": c.received, "stage": c.stage, "due": s.due}[sort]
    then = [key.desc() if descending else key, c.ref.desc() if descending else c.ref]
    if sort in ("officer", "due"):
        return [case((key.is_(None), 1), else_=0), *then]    # the empty ones last, either way
    return then


def _casefold(text: str | None) -> str | None:
    return text.casefold() if isinstance(text, str) else text


def default_sort(f: Filters) -> tuple[str, bool]:
    """Open complaints most urgent first; lists that hold closed ones, newest first."""
    if f.status in ("closed", "withdrawn", "any") and not f.due:
        return "received", True
    return "urgency", False


def complaint_list(engine: Engine, today: date, f: Filters, visible: set[str] | None, *,
                   sort: str | None = None, descending: bool = False, page: int = 1) -> Listing:
    if sort is None:
        sort, descending = default_sort(f)
    with engine.connect() as conn:
        dialect = conn.dialect.name
        if f.name and dialect == "sqlite":
            # SQLite's lower() knows only ASCII: fold case as Python does (Éva, éva).
            conn.connection.driver_connection.create_function("web_casefold", 1, _casefold, deterministic=True)
        where, stage_read = _where(f, today, visible, dialect)
        counted = _current() if stage_read else complaints
        total = conn.execute(select(func.count()).select_from(counted).where(*where), {"today": today}).scalar_one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        rows = conn.execute(select(*LINE_COLUMNS).select_from(_current()).where(*where)
                            .order_by(*_order(sort, descending)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE),
                            {"today": today}).all()
    return Listing(_lines(rows, today), total, page, pages)


_areas: dict[str, tuple[float, list[str]]] = {}


def service_areas(engine: Engine) -> list[str]:
    """The service areas complaints have been recorded under (for the filter), read again
    every half a minute: a new one appears rarely, and reading them is a pass over every row."""
    key = str(engine.url)
    now = time.monotonic()
    found = _areas.get(key)
    if found is None or now - found[0] > REFRESH_SECONDS:
        with engine.connect() as conn:
            areas = conn.execute(select(c.service_area).where(c.service_area.is_not(None)).distinct()
                                 .order_by(c.service_area)).scalars().all()
        found = _areas[key] = (now, list(areas))
    return found[1]


# ------------------------------------------------------------------ officers' and managers' own


def my_complaints(engine: Engine, today: date, officer_id: str) -> tuple[list[Line], list[Line]]:
    """An officer's complaints: those with them now, by due date; then those they had before."""
    mine = s.officer == officer_id
    ever = _visible({officer_id})
    with engine.connect() as conn:
        now = conn.execute(select(*LINE_COLUMNS).select_from(_current())
                           .where(c.status.in_(OPEN_STATUSES), mine)
                           .order_by(case((running, 0), else_=1), case((s.due.is_(None), 1), else_=0), s.due, c.ref),
                           {"today": today}).all()
        past = conn.execute(select(*LINE_COLUMNS).select_from(_current())
                            .where(ever, ~(c.status.in_(OPEN_STATUSES) & mine))
                            .order_by(c.received.desc(), c.ref).limit(PAGE_SIZE), {"today": today}).all()
    return _lines(now, today), _lines(past, today)


def escalated_to(engine: Engine, today: date, manager_id: str, team: set[str]) -> tuple[list[Line], list[Line]]:
    """A manager's list: the complaints escalated to them (the chasing's escalation notice
    went to them for the stage the complaint is at) and still overdue, most late first;
    then the rest of their team's open complaints, by due date."""
    escalated = exists().where((outbox.c.ref == c.ref) & (outbox.c.kind == "escalation")
                               & (outbox.c.recipient == manager_id) & (outbox.c.stage == c.stage))
    with engine.connect() as conn:
        first = conn.execute(select(*LINE_COLUMNS).select_from(_current()).where(late, escalated)
                             .order_by(s.due, c.ref).limit(PAGE_SIZE * 2), {"today": today}).all()
        shown = {r.ref for r in first}
        others = conn.execute(select(*LINE_COLUMNS).select_from(_current())
                              .where(c.status.in_(OPEN_STATUSES), s.officer.in_(sorted(team)) if team else false())
                              .order_by(case((late, 0), (running, 1), else_=2), s.due, c.ref)
                              .limit(PAGE_SIZE * 2 + len(shown)), {"today": today}).all()
    return _lines(first, today), _lines([r for r in others if r.ref not in shown][:PAGE_SIZE * 2], today)
