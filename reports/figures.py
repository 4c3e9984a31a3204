"""The annual report's figures, as plain functions of the records (reports/definitions.md).

Nothing here reads a database or writes a file: ``procedure_figures`` takes the
complaints of one procedure and gives back its tables, so each rule of counting can be
tested on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from reports.history import History, ProcedureYear
from reports.records import ComplaintFacts, CostFacts, Records, Referral, StageFacts
from reports.year import QUARTERS, FinancialYear

STATUTORY, CORPORATE, CODE = "children-statutory", "corporate", "complaint-handling-code"
# The key of each built-in procedure in summary.json, the CSV file names and the history
# file (scripts rely on them). Any other procedure goes by its policy name.
PROCEDURE_KEYS = {STATUTORY: "statutory", CORPORATE: "corporate", CODE: "code"}
# Keys a procedure's own name must not take: the built-ins' and summary.json's own.
_TAKEN_KEYS = {*PROCEDURE_KEYS.values(), "year", "ombudsman", "costs_gbp", "complaint_handling_code", "compliments"}


def procedure_key(name: str) -> str:
    """The procedure's key in summary.json and its CSV files' names: its policy name, but
    for the three built-ins (and a name that would stand for something else)."""
    if name in PROCEDURE_KEYS:
        return PROCEDURE_KEYS[name]
    return f"{name}-procedure" if name in _TAKEN_KEYS else name

COMPLAINANT_GROUPS = {
    "child": "child", "child_with_advocate": "child_with_advocate",
    # The reference report counts parents and guardians as family members.
    "parent": "family_member", "family_member": "family_member", "special_guardian": "family_member",
    "foster_carer": "foster_carer", "adopter": "adopter", "professional": "professional", "other": "other",
}
GROUP_ORDER = ("child", "child_with_advocate", "family_member", "foster_carer", "adopter", "professional", "other")
OUTCOME_ORDER = ("upheld", "partially_upheld", "not_upheld", "no_finding", "no_response",
                 "withdrawn", "discontinued", "awaiting")
# How a stage's response stands against its clock.
ON_TIME, EXTENDED, LATE, AWAITING, WITHDRAWN, DISCONTINUED = (
    "on_time", "extended", "late", "awaiting", "withdrawn", "discontinued")
STANDING_ORDER = (ON_TIME, EXTENDED, LATE, AWAITING, WITHDRAWN, DISCONTINUED)
OMBUDSMAN_ORDER = ("premature", "closed_after_initial_enquiries", "not_upheld", "upheld_fault_and_injustice",
                   "upheld_fault_no_injustice", "upheld_remedied_already", "awaiting_decision")


@dataclass
class Table:
    """One table of the report: a CSV file and a table in the HTML."""

    name: str                       # the CSV's file name, without .csv
    title: str
    columns: list[str]
    rows: list[list[Any]]
    counts: tuple[int, ...] = ()    # indices of columns holding counts of complaints (suppressed when small)
    note: str = ""
    # For suppression (reports/suppression.py): count columns whose cells do not add up to a
    # total the report shows (a complaint may give several reasons; years are not summed);
    # a row's count that is the sum of others (whole, parts); and the columns worked out from
    # counts (a percentage, money), by the count columns they come from.
    not_additive: tuple[int, ...] = ()
    row_sum: tuple[int, tuple[int, ...]] | None = None
    derived: dict[int, tuple[int, ...]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------- per complaint


def final_stage(c: ComplaintFacts) -> int:
    return max((s.stage for s in c.stages), default=1)


def complainant_group(kind: str) -> str:
    return COMPLAINANT_GROUPS.get(kind, "other")


def _stopped_without_response(c: ComplaintFacts, s: StageFacts) -> str | None:
    """Why a stage has no response and never will, if it has none."""
    if c.withdrawn_on is not None:
        return WITHDRAWN
    if c.status == "discontinued" or (c.status == "closed" and s is c.stages[-1]):
        return DISCONTINUED
    return None


def standing(c: ComplaintFacts, s: StageFacts, as_of: date) -> str:
    """How a stage's response stands against its clock, on ``as_of``."""
    if s.responded is not None:
        if s.on_time:
            return EXTENDED if s.extended else ON_TIME
        return LATE
    if s.outcome == "no_response":          # left by escalation without a response
        return LATE
    stopped = _stopped_without_response(c, s)
    if stopped:
        return stopped
    if s.due is not None and s.due < as_of:
        return LATE
    return AWAITING


def stage1_outcome(c: ComplaintFacts, as_of: date) -> str:
    s = c.stages[0]
    if s.outcome:
        return s.outcome
    return _stopped_without_response(c, s) or AWAITING


def open_at_stage2(c: ComplaintFacts, day: date) -> bool:
    """Whether the complaint was being handled at stage 2 at the end of ``day``."""
    s2, s3 = c.stage(2), c.stage(3)
    if s2 is None or s2.requested is None or s2.requested > day:
        return False
    if s2.responded is not None and s2.responded <= day:
        return False
    if s3 is not None and s3.requested is not None and s3.requested <= day:
        return False
    ended = [d for d in (c.withdrawn_on, c.closed_on) if d is not None]
    return not any(d <= day for d in ended)


def share(part: int, whole: int) -> float | None:
    """A percentage, kept precise enough to round once when printed: 79 of 102 is 77.45%,
    printed 77%, never 77.5% and then 78% (the CSV gives one decimal place)."""
    return None if whole == 0 else round(100 * part / whole, 4)


def change(now: int | float | None, before: int | float | None) -> float | None:
    if now is None or not before:
        return None
    return round(100 * (now - before) / before, 1)


def _by_count(counts: Counter) -> list[list[Any]]:
    """Most first, ties by name: the same store gives the same table, whatever its row order."""
    return [[k, n] for k, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _ordered(counts: Counter, order: Iterable[str]) -> list[tuple[str, int]]:
    known = [(k, counts[k]) for k in order if counts.get(k)]
    others = sorted((k, n) for k, n in counts.items() if k not in order and n)
    return known + others


# ---------------------------------------------------------------------------------- one procedure


@dataclass
class YearFigures:
    """The few figures compared year on year, from the store or the council's history file."""

    total: int | None = None
    by_month: list[int] | None = None
    resolved_at_stage1: int | None = None
    resolved_at_stage1_pct: float | None = None
    out_of_timescale: int | None = None
    out_of_timescale_pct: float | None = None
    late_by_month: list[int] | None = None
    late_by_month_pct: list[float | None] | None = None
    # Answered later than the timescale, extended or late: what the corporate appendix counts.
    beyond_by_month: list[int] | None = None
    beyond_pct: float | None = None
    stage1: Counter = field(default_factory=Counter)   # stage 1 standings (records only)
    source: str = "none"                   # "records", "history" or "none"


@dataclass
class ProcedureFigures:
    policy: str
    key: str
    year: FinancialYear
    complaints: list[ComplaintFacts]
    tables: dict[str, Table] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, table: Table) -> None:
        self.tables[table.name.removeprefix(f"{self.key}_")] = table


def timescale_labels(policy) -> tuple[str, str]:
    """('within_10', 'within_20') for the statutory procedure, from the policy's own clock;
    ('on_time', 'extended') when the policy is not known."""
    if policy is None:
        return ON_TIME, EXTENDED
    first = policy.stage(1)
    return f"within_{first.working_days}", f"within_{first.max_working_days or first.working_days}"


def year_figures(complaints: list[ComplaintFacts], year: FinancialYear, as_of: date) -> YearFigures:
    mine = [c for c in complaints if c.received in year]
    if not mine:
        return YearFigures()
    months = year.months()
    by_month = Counter(FinancialYear.month_of(c.received) for c in mine)
    standings = [(c, standing(c, c.stages[0], as_of)) for c in mine]
    late_months = Counter(FinancialYear.month_of(c.received) for c, found in standings if found == LATE)
    late = sum(late_months.values())
    beyond_months = Counter(FinancialYear.month_of(c.received) for c, found in standings if found in (LATE, EXTENDED))
    return YearFigures(
        total=len(mine),
        by_month=[by_month[m] for m in months],
        resolved_at_stage1=sum(final_stage(c) == 1 for c in mine),
        resolved_at_stage1_pct=share(sum(final_stage(c) == 1 for c in mine), len(mine)),
        out_of_timescale=late,
        out_of_timescale_pct=share(late, len(mine)),
        late_by_month=[late_months[m] for m in months],
        late_by_month_pct=[share(late_months[m], by_month[m]) for m in months],
        beyond_by_month=[beyond_months[m] for m in months],
        beyond_pct=share(sum(beyond_months.values()), len(mine)),
        stage1=Counter(found for _, found in standings),
        source="records",
    )


def history_figures(history: History, year: FinancialYear, key: str) -> YearFigures:
    found = history.year(year)
    published: ProcedureYear | None = found.procedure(key) if found else None
    if published is None:
        return YearFigures()
    # Kept as a share the report counts itself is (see share()): printed 45%, never 44.6154%.
    late = published.late_share()
    late = None if late is None else round(late, 4)
    return YearFigures(
        total=published.total, by_month=published.by_month,
        resolved_at_stage1_pct=published.resolved_at_stage1_pct,
        out_of_timescale=published.out_of_timescale, out_of_timescale_pct=late,
        # The council's published "out of timescale" is what it answered beyond the timescale.
        beyond_pct=late,
        source="history",
    )


def figures_for_year(complaints: list[ComplaintFacts], history: History, year: FinancialYear,
                     key: str, as_of: date) -> YearFigures:
    """A year's comparable figures: the record store's where it holds the year, else the council's."""
    counted = year_figures(complaints, year, as_of)
    return counted if counted.source == "records" else history_figures(history, year, key)


STAGE_NAMES = {1: "Resolved at stage 1", 2: "Went on to stage 2", 3: "Went on to stage 3"}


def procedure_figures(records: Records, policy, year: FinancialYear, history: History,
                      as_of: date, name: str | None = None, beyond_table: bool = False) -> ProcedureFigures:
    """Every table of one procedure's section of the report.

    ``policy`` is None for a procedure whose policy file is no longer available (``name``
    says which): its complaints are counted as the store holds them, up to the furthest
    stage any reached, without the procedure's timescales.

    A year the record store does not hold but the history file does (the store's records
    begin after it) is the history's: its published figures where it has them, and every
    count it does not give left unknown (None), not zero. ``beyond_table`` adds the table
    of responses later than the timescale (extended or late) by month, which the corporate
    appendix reports.
    """
    name = policy.name if policy is not None else name
    key = procedure_key(name)
    everyone = [c for c in records.complaints if c.policy == name and c.stages]
    mine = [c for c in everyone if c.received in year]
    fig = ProcedureFigures(name, key, year, mine)
    last_stage = policy.last_stage if policy is not None else max(map(final_stage, everyone), default=1)
    this = year_figures(everyone, year, as_of)
    coverage = records.coverage
    history_only = (this.source != "records" and (coverage.empty or coverage.first > year.end)
                    and history_figures(history, year, key).source == "history")
    if history_only:
        this = history_figures(history, year, key)
    before = figures_for_year(everyone, history, year.previous(), key, as_of)
    total = len(mine)

    def known(n: Any) -> Any:
        """A count from the records; not known (None) in a year only the history file holds."""
        return None if history_only else n

    fig.add(_volumes_by_year(key, everyone, history, year, as_of))
    months = year.months()
    # A year with no complaints under this procedure counts zeros, month by month.
    unknown = [None] * 12 if history_only else [0] * 12
    received, late = this.by_month or unknown, this.late_by_month or unknown
    fig.add(Table(f"{key}_by_month", "Complaints received by month, against the previous year",
                  ["month", "complaints", "previous_year"],
                  [[m, received[i], before.by_month[i] if before.by_month else None]
                   for i, m in enumerate(months)], counts=(1, 2)))
    areas = Counter(c.service_area or "Not recorded" for c in mine)
    fig.add(Table(f"{key}_by_service_area", "Complaints by service area", ["service_area", "complaints"],
                  _by_count(areas), counts=(1,)))

    groups = Counter(complainant_group(c.complainant_type) for c in mine)
    fig.add(Table(f"{key}_complainants", "Who complained", ["complainant", "complaints", "share_pct"],
                  [[g, n, share(n, total)] for g, n in _ordered(groups, GROUP_ORDER)], counts=(1,),
                  derived={2: (1,)}))
    reasons = Counter(r for c in mine for r in dict.fromkeys(c.reasons))
    fig.add(Table(f"{key}_reasons", "Reasons for complaints (a complaint may give several)",
                  ["reason", "complaints"], _by_count(reasons), counts=(1,), not_additive=(1,)))
    requests = Counter((c.stage(2).request_reason or "not recorded") for c in mine if c.stage(2))
    fig.add(Table(f"{key}_escalation_reasons", "Reasons for asking for stage 2",
                  ["escalation_reason", "requests"], _by_count(requests), counts=(1,)))

    stages = Counter(final_stage(c) for c in mine)
    fig.add(Table(f"{key}_stages", "How far complaints went", ["final_stage", "description", "complaints", "share_pct"],
                  [[n, STAGE_NAMES.get(n, f"stage {n}"), known(stages[n]), share(stages[n], total)]
                   for n in range(1, last_stage + 1)], counts=(2,), derived={3: (2,)}))
    fig.add(Table(f"{key}_stage1_resolution", "Share resolved at stage 1, against the previous year",
                  ["year", "complaints", "resolved_at_stage1", "resolved_at_stage1_pct", "source"],
                  [[y.label, f.total, f.resolved_at_stage1, f.resolved_at_stage1_pct, f.source]
                   for y, f in ((year.previous(), before), (year, this))],
                  counts=(1, 2), not_additive=(1, 2), derived={3: (1, 2)}))

    outcomes = Counter(stage1_outcome(c, as_of) for c in mine)
    fig.add(Table(f"{key}_outcomes", "Outcomes at stage 1", ["outcome", "complaints", "share_pct"],
                  [[o, n, share(n, total)] for o, n in _ordered(outcomes, OUTCOME_ORDER)], counts=(1,),
                  derived={2: (1,)}))

    within, extended = timescale_labels(policy)
    names = {ON_TIME: within, EXTENDED: extended}
    first = this.stage1
    fig.add(Table(f"{key}_timeliness", "Stage 1 responses against the timescale",
                  ["category", "complaints", "share_pct"],
                  [[names.get(k, k), n, share(n, total)] for k, n in _ordered(first, STANDING_ORDER)],
                  counts=(1,), derived={2: (1,)},
                  note=f"Within {_working_days(within)}: answered on time without an extension"
                       + (f"; within {_working_days(extended)}: answered on time after an extension"
                          if extended != within else "")
                       + "; late, or not answered: answered after the due date, or not answered by it."))
    fig.add(Table(f"{key}_timeliness_by_year", "Share of stage 1 responses out of timescale",
                  ["year", "complaints", "out_of_timescale", "out_of_timescale_pct", "source"],
                  [[y.label, f.total, f.out_of_timescale, f.out_of_timescale_pct, f.source]
                   for y, f in ((year.previous(), before), (year, this))],
                  counts=(1, 2), not_additive=(1, 2), derived={3: (1, 2)}))
    late_pct = this.late_by_month_pct or [None] * 12
    before_received = before.by_month or [None] * 12
    before_late = before.late_by_month or [None] * 12
    before_pct = before.late_by_month_pct or [None] * 12
    fig.add(Table(f"{key}_late_by_month", "Stage 1 responses out of timescale, by month received",
                  ["month", "complaints", "late", "late_pct", "previous_year", "previous_year_late",
                   "previous_year_late_pct"],
                  [[m, received[i], late[i], late_pct[i], before_received[i], before_late[i], before_pct[i]]
                   for i, m in enumerate(months)], counts=(1, 2, 4, 5), derived={3: (1, 2), 6: (4, 5)}))

    later = []
    for number in range(2, last_stage + 1):
        reached = [(c, c.stage(number)) for c in mine if c.stage(number)]
        counts = Counter(standing(c, s, as_of) for c, s in reached)
        later.append([number, known(len(reached)), *(known(counts[k]) for k in STANDING_ORDER)])
    fig.add(Table(f"{key}_later_stages", "Stages 2 and 3 against their timescales",
                  ["stage", "reached", *STANDING_ORDER], later, counts=tuple(range(1, 2 + len(STANDING_ORDER))),
                  row_sum=(1, tuple(range(2, 2 + len(STANDING_ORDER))))))
    still_open = sum(open_at_stage2(c, year.end) for c in everyone)
    if last_stage >= 2:
        fig.add(Table(f"{key}_open_at_year_end", f"Complaints still open at stage 2 on {year.end:%-d %B %Y}",
                      ["stage", "complaints"], [[2, known(still_open)]], counts=(1,)))

    fig.add(_ombudsman(key, records.referrals, name, year))
    fig.add(_ombudsman_by_year(key, records.referrals, name, history, year))
    forms = Counter(FinancialYear.month_of(c.received) for c in mine
                    if any(s.learning_submitted for s in c.stages))
    fig.add(Table(f"{key}_learning", "Lessons-learnt forms returned, against complaints received",
                  ["month", "complaints", "forms_returned"],
                  [[m, received[i], known(forms[m])] for i, m in enumerate(months)], counts=(1, 2)))
    # No complaint's reference: a published report does not point at anyone's complaint.
    fig.add(Table(f"{key}_lessons", "Lessons learnt", ["stage", "service_area", "lesson"],
                  [[s.stage, c.service_area or "Not recorded", s.learning_text] for c in mine for s in c.stages
                   if s.learning_submitted and s.learning_text]))
    fig.add(_costs(key, records.costs, name, year, history))
    if beyond_table:
        fig.add(beyond_timescale_by_month(key, year, received, this.beyond_by_month or unknown, within))
        fig.add(_beyond_by_year(key, everyone, history, year, as_of, within))
        fig.add(_reasons_by_year(key, everyone, year))

    fig.facts = {
        # A year only the history file holds has the council's published total.
        "total": this.total if history_only else total,
        "history_only": history_only,
        "previous": before,
        "this": this,
        "final_stage": {str(n): stages[n] for n in range(1, last_stage + 1)},
        "outcomes": dict(_ordered(outcomes, OUTCOME_ORDER)),
        "complainants": dict(_ordered(groups, GROUP_ORDER)),
        "advocate": groups["child_with_advocate"],
        "standing": first,
        "timescale_labels": (within, extended),
        "still_open_at_stage2": still_open,
    }
    return fig


def beyond_timescale_by_month(key: str, year: FinancialYear, received: list[Any], beyond: list[Any],
                              within: str) -> Table:
    """Stage 1 responses later than the timescale (extended, or late), by month received: the
    one count the corporate appendix's statement, chart and table all show."""
    rows = [[m, received[i], beyond[i], share(beyond[i], received[i] or 0) if beyond[i] is not None else None]
            for i, m in enumerate(year.months())]
    days = _working_days(within)
    return Table(f"{key}_beyond_timescale_by_month", f"Stage 1 responses later than {days}, by month received",
                 ["month", "complaints", "beyond_timescale", "beyond_timescale_pct"], rows, counts=(1, 2),
                 derived={3: (1, 2)},
                 note=f"Later than {days}: answered after an extension, answered late, or not answered "
                      f"by the due date.")


YEARS_COMPARED = 5


def _beyond_by_year(key: str, everyone: list[ComplaintFacts], history: History, year: FinancialYear,
                    as_of: date, within: str) -> Table:
    """Five years of stage 1 responses later than the timescale: the records' count where they
    hold the year, else the council's published one."""
    rows = []
    for first in range(year.first - YEARS_COMPARED + 1, year.first + 1):
        y = FinancialYear(first)
        found = figures_for_year(everyone, history, y, key, as_of)
        if found.source == "records":
            beyond = sum(found.beyond_by_month or [])
            rows.append([y.label, found.total, beyond, share(beyond, found.total or 0), "records"])
        elif found.source == "history" and found.total is not None:
            rows.append([y.label, found.total, found.out_of_timescale, found.beyond_pct, "history"])
    days = _working_days(within)
    return Table(f"{key}_beyond_by_year", f"Stage 1 responses later than {days}, by year",
                 ["year", "complaints", "beyond_timescale", "beyond_timescale_pct", "source"], rows,
                 counts=(1, 2), not_additive=(1, 2), derived={3: (1, 2)})


def _reasons_by_year(key: str, everyone: list[ComplaintFacts], year: FinancialYear) -> Table:
    """Reasons for complaints in each of the last five years the record store holds (the
    council's published figures do not give reasons)."""
    years = [FinancialYear(f) for f in range(year.first - YEARS_COMPARED + 1, year.first + 1)]
    counted = {y: Counter(r for c in everyone if c.received in y for r in dict.fromkeys(c.reasons)) for y in years}
    held = [y for y in years if any(c.received in y for c in everyone)]
    reasons = sorted({r for y in held for r in counted[y]}, key=lambda r: (-counted[year][r], r))
    return Table(f"{key}_reasons_by_year", "Reasons for complaints, by year",
                 ["reason", *(y.label for y in held)], [[r, *(counted[y][r] for y in held)] for r in reasons],
                 counts=tuple(range(1, 1 + len(held))), not_additive=tuple(range(1, 1 + len(held))),
                 note="Years before the record store began are not shown: the council's published figures "
                      "do not give reasons." if len(held) < YEARS_COMPARED else "")


def _working_days(label: str) -> str:
    """'within_10' -> '10 working days'; the timescale, when the policy is not known."""
    return f"{label.removeprefix('within_')} working days" if label.startswith("within_") else "the timescale"


def _volumes_by_year(key: str, everyone: list[ComplaintFacts], history: History, year: FinancialYear,
                     as_of: date) -> Table:
    counted = Counter(FinancialYear.of(c.received) for c in everyone)
    rows, before = [], None
    for y in sorted(k for k in set(counted) | set(history.known_years()) if k <= year):
        total, source = (counted[y], "records") if counted[y] else (history_figures(history, y, key).total, "history")
        if total is None:
            continue
        rows.append([y.label, total, change(total, before), source])
        before = total
    return Table(f"{key}_volumes_by_year", "Complaints received each year",
                 ["year", "complaints", "change_pct", "source"], rows, counts=(1,), not_additive=(1,),
                 derived={2: (1,)})


def _ombudsman(key: str, referrals: list[Referral], policy: str, year: FinancialYear) -> Table:
    mine = [r for r in referrals if r.policy == policy and r.referred in year]
    results = Counter(r.result or "awaiting_decision" for r in mine)
    remedies: Counter = Counter()
    for r in mine:
        remedies[r.result or "awaiting_decision"] += r.remedy_gbp or 0
    rows = [[res, n, round(remedies[res], 2)] for res, n in _ordered(results, OMBUDSMAN_ORDER)]
    return Table(f"{key}_ombudsman", f"Referrals to the Ombudsman in {year.label}, and what it decided",
                 ["result", "referrals", "remedies_gbp"], rows, counts=(1,))


def _ombudsman_by_year(key: str, referrals: list[Referral], policy: str, history: History,
                       year: FinancialYear) -> Table:
    """Each year's referrals, what the Ombudsman decided and the remedies, from the records
    where they hold the year, else (the statutory procedure) the council's published figures."""
    mine = [r for r in referrals if r.policy == policy]
    counted = {FinancialYear.of(r.referred) for r in mine}
    years = sorted({y for y in counted | set(history.known_years()) if y <= year})
    rows = []
    for y in years:
        if y in counted:
            those = [r for r in mine if r.referred in y]
            results = Counter(r.result or "awaiting_decision" for r in those)
            rows.append([y.label, len(those), *(results[o] for o in OMBUDSMAN_ORDER),
                         round(sum(r.remedy_gbp or 0 for r in those), 2), "records"])
            continue
        published = history.year(y)
        if key == "statutory" and published and published.ombudsman:
            told = published.ombudsman.results
            # A year whose published figures give no breakdown: each result is not known.
            rows.append([y.label, published.ombudsman.referrals,
                         *((told.get(o, 0) if told else None) for o in OMBUDSMAN_ORDER),
                         published.ombudsman.remedies_gbp, "history"])
    last = 2 + len(OMBUDSMAN_ORDER)
    return Table(f"{key}_ombudsman_by_year", "Ombudsman referrals, decisions and remedies by year",
                 ["year", "referrals", *OMBUDSMAN_ORDER, "remedies_gbp", "source"], rows,
                 counts=tuple(range(1, last)), not_additive=tuple(range(1, last)),
                 row_sum=(1, tuple(range(2, last))))


def quarter_costs(spent: list[CostFacts], policy: str, year: FinancialYear) -> dict[str, float]:
    pence = Counter({q: 0 for q in QUARTERS})
    for cost in spent:
        if cost.policy == policy and cost.on in year:
            pence[FinancialYear.quarter_of(cost.on)] += round(cost.amount_gbp * 100)
    return {q: pence[q] / 100 for q in QUARTERS}


def _costs(key: str, spent: list[CostFacts], policy: str, year: FinancialYear, history: History) -> Table:
    this = quarter_costs(spent, policy, year)
    before: dict[str, float] | None = None
    before_total: float | None = None
    if any(c.policy == policy and c.on in year.previous() for c in spent):
        before = quarter_costs(spent, policy, year.previous())
        before_total = sum(before.values())
    elif key == "statutory" and (published := history.year(year.previous())):
        before = dict(published.costs_by_quarter) if published.costs_by_quarter else None
        before_total = published.costs_gbp if published.costs_gbp is not None else (
            sum(before.values()) if before else None)
    rows, running, running_before = [], 0, 0
    for q in QUARTERS:
        running += round(this[q] * 100)
        previous = before.get(q) if before else None
        if previous is not None:
            running_before += round(previous * 100)
        rows.append([q, this[q], running / 100, previous, running_before / 100 if before else None])
    if before is None and before_total is not None:
        # Only the year's total is known: it is where the previous year's running total ended.
        rows[-1][4] = before_total
    table = Table(f"{key}_costs", "Costs of stages 2 and 3 by quarter",
                  ["quarter", "spent_gbp", "cumulative_gbp", "previous_year_gbp", "previous_cumulative_gbp"], rows)
    if before_total is not None:
        table.note = f"The previous year's stage 2 and 3 costs came to £{before_total:,.2f} in all."
    return table


# ---------------------------------------------------------------------------------- across procedures


def compliments_tables(records: Records, year: FinancialYear, names: dict[str, str] | None = None) -> list[Table]:
    """Compliments by team, and each in full with the member of staff's name (``names`` by
    officer id, from the directory; as recorded when the directory does not know them)."""
    names = names or {}
    mine = [c for c in records.compliments if c.received in year]
    teams = Counter(c.team for c in mine)
    return [
        Table("compliments_by_team", "Compliments received, by team", ["team", "compliments"],
              _by_count(teams)),
        Table("compliments", "Compliments received", ["received", "team", "officer", "compliment"],
              [[c.received.isoformat(), c.team, names.get(c.officer, c.officer) if c.officer else "", c.text]
               for c in mine]),
    ]


def code_tables(records: Records, fig: ProcedureFigures, as_of: date) -> list[Table]:
    """What the Ombudsman's Complaint Handling Code asks a council to publish."""
    # A complaint refused and then accepted late was not, in the end, refused.
    accepted = {c.ref for c in records.complaints}
    refused = [r for r in records.refusals
               if r.policy == fig.policy and r.received in fig.year and r.ref not in accepted]
    late: Counter = Counter()
    unanswered: Counter = Counter()
    for c in fig.complaints:
        for s in c.stages:
            if standing(c, s, as_of) == LATE:
                late[s.stage] += 1
                unanswered[s.stage] += s.responded is None
    # Counted, never listed: a published report does not point at anyone's complaint.
    return [
        Table(f"{fig.key}_refusals", "Complaints refused, and why", ["reason", "complaints"],
              _by_count(Counter(r.reason for r in refused)), counts=(1,)),
        Table(f"{fig.key}_non_compliance", "Responses beyond the Code's timescales",
              ["stage", "late_responses", "not_answered"],
              [[n, late[n], unanswered[n]] for n in sorted(late)], counts=(1, 2)),
    ]
