"""`complaints report`: the statutory annual report, written as HTML, CSVs and summary.json.

The sections follow the reference council's annual report: the statutory procedure
in the body, the corporate procedure as an appendix, the Ombudsman's Complaint Handling
Code where a council uses it, and compliments last. Where each procedure goes, and which
sections it has, is its policy file's ``report`` setting; every procedure the record
store holds is reported, a procedure whose policy file is gone under its name. The
council it is the report of (its name in the title, its contact details at the end) is
the council's own file's (``council``), as in its letters.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

import council as council_identity
from council import Council
from policies import Policy, PolicyError, ReportPart, available_policies, load_policy
from reports import charts
from reports.figures import (
    CODE,
    _working_days,
    CORPORATE,
    STATUTORY,
    ProcedureFigures,
    Table,
    code_tables,
    compliments_tables,
    procedure_figures,
    quarter_costs,
    share,
)
from reports.history import History
from reports.records import Coverage, Records, read_records
from reports.year import FinancialYear, month_name
from rules.complaint import LONDON
from store.record_store import RecordStore

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)      # (alt text, data URI)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    year: FinancialYear
    council: Council                            # whose report: its name, address and contacts
    generated: datetime
    suppress_below: int
    parts: list[tuple[str, list[Section]]]      # (part heading, its sections)
    tables: list[Table]
    summary: dict[str, Any]
    coverage: str = ""                          # which dates the record store holds, in words
    part_year: tuple[date, date] | None = None  # the only dates a part-year report covers
    history_only: bool = False                  # the store holds none of the year; the history file does


class PartYearError(ValueError):
    """A final report asked for a year the record store's records do not cover."""


def _day(d: date) -> str:
    return f"{d:%-d %B %Y}"


def year_coverage(coverage: Coverage, year: FinancialYear, history: History) -> tuple[str, str]:
    """How the store's records stand to the year ("full", "part", "history", "none" or
    "empty"), and a sentence saying so (reports/definitions.md, "Which dates the report covers")."""
    whole = f"{year.label} (1 April {year.first} to 31 March {year.first + 1})"
    if coverage.empty:
        return "empty", "The complaints record store holds no complaints."
    held = f"records from {_day(coverage.first)} to {_day(coverage.last)}"
    if coverage.first > year.end or coverage.last < year.start:
        if coverage.first > year.end and history.year(year) is not None:
            return "history", (f"The complaints record store holds no complaints of {year.label} (it holds {held}): "
                               f"the figures for {year.label} are the council's published totals, from its history "
                               f"file, and what they do not give is not known.")
        return "none", f"The complaints record store holds none of {whole}: it holds {held}."
    # The first complaint after the engine went live may take some days to come: records
    # that begin in the year's first month cover it from its start.
    starts = coverage.first < date(year.first, 5, 1)
    if starts and coverage.last >= year.end:
        return "full", f"Counted from the complaints record store, which holds {held}."
    return "part", f"The complaints record store holds {held}, not the whole of {whole}."


def part_year_dates(coverage: Coverage, year: FinancialYear) -> tuple[date, date]:
    """The dates of the year the store's records cover (the first day of the year to the last
    when they cover none of it)."""
    if coverage.empty or coverage.first > year.end or coverage.last < year.start:
        return year.start, year.start
    return max(coverage.first, year.start), min(coverage.last, year.end)


class Suppressor:
    """Shows a count below the council's threshold as "fewer than N", so nobody can be identified."""

    def __init__(self, below: int) -> None:
        self.below = below

    def count(self, n: Any) -> Any:
        if isinstance(n, int) and not isinstance(n, bool) and 0 < n < self.below:
            return f"fewer than {self.below}"
        return n

    def row(self, table: Table, row: list[Any]) -> list[Any]:
        return [self.count(v) if i in table.counts else v for i, v in enumerate(row)]


# ---------------------------------------------------------------------------------- building


@dataclass
class Procedure:
    """One procedure of the report: its policy (None when its file is gone), its part and figures."""

    name: str
    policy: Policy | None
    part: ReportPart
    figures: ProcedureFigures
    note: str = ""                      # why the procedure is counted without its policy
    extra: list[Table] = field(default_factory=list)    # the Code's refusals and late responses

    @property
    def title(self) -> str:
        return self.policy.title if self.policy is not None else f"{self.name} procedure"


def _missing_part(name: str) -> ReportPart:
    # After every procedure whose file says where it goes.
    return ReportPart(title=f"complaints under the {name} procedure", appendix=True, order=1000, sections="brief")


def procedures(records: Records, year: FinancialYear, history: History, as_of: date) -> list[Procedure]:
    """Every procedure the report shows, in the report's order: those whose policy says to
    show them every year, and every procedure the store holds complaints (or, this year,
    refusals) under, its policy file or not."""
    held = {c.policy for c in records.complaints} | {r.policy for r in records.refusals if r.received in year}
    files = available_policies()
    found = []
    for name in sorted(files | held):
        try:
            policy: Policy | None = load_policy(name)
        except PolicyError as problem:
            if name not in held:
                continue                 # a file the council is still writing: nothing to count under it
            policy, why = None, ("is no longer available" if name not in files else f"cannot be read ({problem})")
        if policy is None:
            note = (f"The {name} procedure's policy file {why}: its complaints are counted as the record store "
                    f"holds them, without the procedure's own timescales.")
            part = _missing_part(name)
        elif policy.report.always or name in held:
            note, part = "", policy.report
        else:
            continue
        fig = procedure_figures(records, policy, year, history, as_of, name=name,
                                beyond_table=part.sections == "brief")
        found.append(Procedure(name, policy, part, fig, note))
    found.sort(key=lambda p: (p.part.appendix, p.part.order, p.name))
    for procedure in found:
        if procedure.part.sections == "code":
            procedure.extra = code_tables(records, procedure.figures, as_of)
    return found


def build(store: RecordStore, year: FinancialYear, history: History, as_of: date | None = None,
          suppress_below: int = 0, council: Council | None = None, part_year: bool = False) -> Report:
    """The year's report, of ``council`` (by default the council file's, as its letters).

    A year the store's records cover only in part (or not at all, with no history file's
    figures for it) is refused with PartYearError, unless ``part_year``: then the report says
    it covers only the dates the records do.
    """
    council = council or council_identity.current()
    as_of = as_of or datetime.now(LONDON).date()
    records = read_records(store, until=year.end)
    state, coverage = year_coverage(records.coverage, year, history)
    only: tuple[date, date] | None = None
    if state in ("part", "none"):
        if not part_year:
            raise PartYearError(f"{coverage[0].lower()}{coverage[1:-1]}; a final report needs the whole year: "
                                f"add --part-year to report only the dates the records cover")
        only = part_year_dates(records.coverage, year)
        coverage += (f" This report covers only {_day(only[0])} to {_day(only[1])}."
                     if only[0] != only[1] or state == "part" else " This report covers none of the year.")
    shown = procedures(records, year, history, as_of)
    hide = Suppressor(suppress_below)
    parts: list[tuple[str, list[Section]]] = []
    tables: list[Table] = []
    appendices = 0
    for procedure in shown:
        heading = procedure.part.title
        if procedure.part.appendix:
            appendices += 1
            heading = f"Appendix {appendices}: {heading}"
        sections = SECTIONS[procedure.part.sections](procedure, hide)
        if procedure.note:
            sections[0].paragraphs.insert(0, procedure.note)
        parts.append((heading, sections))
        tables += [*procedure.figures.tables.values(), *procedure.extra]
    praise = compliments_tables(records, year)
    parts.append((f"Appendix {appendices + 1}: compliments", [Section("Compliments received", tables=praise)]))
    tables += praise
    found = summary(year, shown, records, history, as_of)
    if only is not None:
        found["part_year"] = {"from": only[0].isoformat(), "to": only[1].isoformat()}
    return Report(year, council, datetime.now(LONDON).replace(microsecond=0), suppress_below,
                  parts, tables, found, coverage=coverage, part_year=only, history_only=state == "history")


def summary(year: FinancialYear, shown: list[Procedure], records: Records, history: History,
            as_of: date) -> dict[str, Any]:
    """The headline figures for scripts, in the shape the issue gives (exact counts, never
    suppressed): the statutory and corporate procedures' always, the Code's when the report
    has it, and every other procedure's under its policy name."""
    by_name = {p.name: p for p in shown}

    def figures(name: str) -> ProcedureFigures:
        if name in by_name:
            return by_name[name].figures
        return procedure_figures(records, None, year, history, as_of, name=name)

    statutory, corporate = figures(STATUTORY), figures(CORPORATE)
    st = statutory.facts
    referrals = [r for r in records.referrals if r.policy == STATUTORY and r.referred in year]
    outcomes = {k: st["outcomes"].get(k, 0) for k in ("upheld", "partially_upheld", "not_upheld", "no_response")}
    outcomes.update({k: n for k, n in st["outcomes"].items() if k not in outcomes})
    found: dict[str, Any] = {
        "year": year.label,
        "statutory": {
            "total": st["total"],
            "final_stage": st["final_stage"],
            "outcomes": outcomes,
            "complainants": st["complainants"],
            **_stage1(statutory),
        },
        "corporate": {
            "total": corporate.facts["total"],
            "stage1_beyond_timescale": corporate.facts["standing"]["late"] + corporate.facts["standing"]["extended"],
        },
        "ombudsman": {"referrals": len(referrals),
                      "remedies_gbp": round(float(sum(r.remedy_gbp or 0 for r in referrals)), 2)},
        "costs_gbp": quarter_costs(records.costs, STATUTORY, year),
    }
    if CODE in by_name:
        code = by_name[CODE]
        found["complaint_handling_code"] = {
            "total": code.figures.facts["total"],
            "refused": len(code.extra[0].rows) if code.extra else 0,
            "stage1_late": code.figures.facts["standing"]["late"],
        }
    for procedure in shown:
        if procedure.name in (STATUTORY, CORPORATE, CODE):
            continue
        facts = procedure.figures.facts
        mine = [r for r in records.referrals if r.policy == procedure.name and r.referred in year]
        found[procedure.figures.key] = {
            "title": procedure.title,
            "total": facts["total"],
            "final_stage": facts["final_stage"],
            "outcomes": facts["outcomes"],
            "complainants": facts["complainants"],
            **_stage1(procedure.figures),
            **({"refused": len(procedure.extra[0].rows)} if procedure.extra else {}),
            "ombudsman_referrals": len(mine),
            "costs_gbp": quarter_costs(records.costs, procedure.name, year),
            **({"note": procedure.note} if procedure.note else {}),
        }
    return found


def _stage1(fig: ProcedureFigures) -> dict[str, int]:
    """Stage 1 responses within the timescale, within the extended one, and late."""
    within, extended = fig.facts["timescale_labels"]
    standing = fig.facts["standing"]
    found = {f"stage1_{within}": standing["on_time"]}
    if extended != within:
        found[f"stage1_{extended}"] = standing["extended"]
    else:           # a stage 1 that cannot be extended
        found[f"stage1_{within}"] += standing["extended"]
    found["stage1_late"] = standing["late"]
    return found


# ---------------------------------------------------------------------------------- sections


def _complaints(n: Any) -> str:
    return f"{n} complaint" if n == 1 else f"{n} complaints"


def _pct(value: float | None) -> str:
    """A share in a sentence, as a whole number (41%), as the reference report writes them."""
    return "not known" if value is None else f"{value:.0f}%"


def _against(value: float | None, year: FinancialYear) -> str:
    """', against 52% in 2022-23', or nothing when the previous year's share is not known."""
    return "" if value is None else f", against {_pct(value)} in {year.label}"


def _months(fig: ProcedureFigures) -> list[str]:
    return [month_name(m) for m in fig.year.months()]


def _by_month_chart(fig: ProcedureFigures, title: str) -> tuple[str, str]:
    table = fig.tables["by_month"]
    series = [(fig.year.label, [r[1] for r in table.rows])]
    if any(r[2] is not None for r in table.rows):
        series.append((fig.year.previous().label, [r[2] for r in table.rows]))
    return title, charts.data_uri(charts.bar_chart(title, _months(fig), series))


def _late_chart(fig: ProcedureFigures) -> tuple[str, str]:
    table = fig.tables["late_by_month"]
    title = "Share of stage 1 responses out of timescale, by month received"
    series = [(fig.year.label, [r[3] for r in table.rows])]
    if any(r[4] is not None for r in table.rows):
        series.append((fig.year.previous().label, [r[4] for r in table.rows]))
    return title, charts.data_uri(charts.line_chart(title, _months(fig), series, unit="%"))


def _learning_chart(fig: ProcedureFigures) -> tuple[str, str]:
    table = fig.tables["learning"]
    title = "Lessons-learnt forms returned, against complaints received"
    return title, charts.data_uri(charts.bar_chart(
        title, _months(fig), [("Complaints", [r[1] for r in table.rows]), ("Forms returned", [r[2] for r in table.rows])]))


def _volume_paragraph(fig: ProcedureFigures, hide: Suppressor, what: str) -> str:
    total, before = fig.facts["total"], fig.facts["previous"].total
    if total is None:
        return f"How many complaints were made under the {what} in {fig.year.label} is not known."
    text = f"There were {hide.count(total)} complaints under the {what} in {fig.year.label}"
    if fig.facts["history_only"]:
        text += " (the council's published total)"
    if before:
        text += (f", against {hide.count(before)} in {fig.year.previous().label} "
                 f"({'an increase' if total >= before else 'a decrease'} of {abs(100 * (total - before) / before):.0f}%)")
    return text + "."


def _full_sections(procedure: Procedure, hide: Suppressor) -> list[Section]:
    """Every table: the statutory procedure's, the report's main body."""
    fig = procedure.figures
    t, facts = fig.tables, fig.facts
    total = facts["total"]
    st = facts["standing"]
    within, extended = facts["timescale_labels"]
    before = facts["previous"]
    volume_by_year = t["volumes_by_year"]
    sections = [
        Section("Volume of complaints and representations",
                [_volume_paragraph(fig, hide, procedure.title)],
                [("Complaints received each year", charts.data_uri(charts.bar_chart(
                    "Complaints received each year", [r[0] for r in volume_by_year.rows],
                    [("Complaints", [r[1] for r in volume_by_year.rows])]))),
                 _by_month_chart(fig, "Complaints received by month, against the previous year")],
                [volume_by_year, t["by_month"]]),
        Section("Complaints by service area", [],
                [("Complaints by service area", charts.data_uri(charts.bar_chart(
                    "Complaints by service area", [r[0] for r in t["by_service_area"].rows],
                    [("Complaints", [r[1] for r in t["by_service_area"].rows])])))],
                [t["by_service_area"]]),
        Section("Who has made complaints",
                [f"{hide.count(facts['advocate'])} of the {hide.count(total)} complaints were made by a child or "
                 f"young person supported by an advocate."
                 if {"child", "child_with_advocate"} & set(facts["complainants"]) else ""],
                tables=[t["complainants"]]),
        Section("Reasons for complaints and for escalating",
                ["A complaint may give several reasons, so the reasons add up to more than the complaints."],
                tables=[t["reasons"], t["escalation_reasons"]]),
        Section("How far complaints went",
                [_stage1_paragraph(fig)],
                tables=[t["stages"], t["stage1_resolution"]]),
        Section("Outcomes", ["The investigating officer's finding at stage 1."], tables=[t["outcomes"]]),
        Section("How quickly we responded",
                [f"Answered within the timescale ({_working_days(within)}): "
                 f"{_complaints(hide.count(st['on_time']))}. Extended and answered within "
                 f"{_working_days(extended)}: {hide.count(st['extended'])}. "
                 f"Answered late or not at all: {hide.count(st['late'])}, {_pct(share(st['late'], total))} of "
                 f"complaints{_against(before.out_of_timescale_pct, fig.year.previous())}.",
                 f"Still open at stage 2 at the year's end: {_complaints(hide.count(facts['still_open_at_stage2']))}."]
                if not facts["history_only"] else [_history_timeliness(fig, hide, within)],
                [_late_chart(fig)],
                [t["timeliness"], t["timeliness_by_year"], t["late_by_month"], t["later_stages"], t["open_at_year_end"]]),
        Section("Complaints taken to the Ombudsman (LGSCO)", [], tables=[t["ombudsman"], t["ombudsman_by_year"]]),
        Section("Learning: what difference have complaints made?", [], [_learning_chart(fig)],
                [t["learning"], t["lessons"]]),
    ]
    costs = t["costs"]
    series = [(fig.year.label, [r[2] for r in costs.rows])]
    if any(r[4] is not None for r in costs.rows):
        series.append((fig.year.previous().label, [r[4] for r in costs.rows]))
    sections.append(Section(
        "Financial implications",
        # The previous year's total is the table's note, printed under it: not said twice.
        [f"Stage 2 and 3 costs in {fig.year.label}: GBP {costs.rows[-1][2]:,.2f}."
         if not facts["history_only"] else
         f"The record store holds no stage 2 and 3 costs of {fig.year.label}: they are not known."],
        [("Cumulative costs of stages 2 and 3", charts.data_uri(charts.line_chart(
            "Cumulative costs of stages 2 and 3 (GBP)", [r[0] for r in costs.rows], series)))],
        [costs]))
    return sections


def _brief_sections(procedure: Procedure, hide: Suppressor) -> list[Section]:
    """Volumes, reasons, timeliness and learning: the corporate procedure's appendix."""
    fig = procedure.figures
    t, facts = fig.tables, fig.facts
    within, _ = facts["timescale_labels"]
    before = facts["previous"]
    return [
        Section("Number of complaints", [_volume_paragraph(fig, hide, procedure.title)],
                [_by_month_chart(fig, "Complaints received by month, against the previous year")],
                [t["volumes_by_year"], t["by_month"], t["by_service_area"], t["complainants"]]),
        Section("Reasons for complaints", [], tables=[t["reasons"], t["outcomes"], t["stages"]]),
        Section("Time taken to respond", [_beyond_paragraph(fig, hide, within)], [_beyond_chart(fig)],
                [t["timeliness"], t["beyond_timescale_by_month"], t["later_stages"]]),
        Section("Learning from complaints", [], [_learning_chart(fig)], [t["learning"], t["lessons"]]),
    ]


def _stage1_paragraph(fig: ProcedureFigures) -> str:
    facts = fig.facts
    before = facts["previous"].resolved_at_stage1_pct
    if facts["history_only"]:
        now = facts["this"].resolved_at_stage1_pct
    else:
        now = share(facts["final_stage"].get("1", 0), facts["total"])
    if now is None:
        text = f"How many complaints were resolved at stage 1 in {fig.year.label} is not known"
        return text + (f" ({_pct(before)} were in {fig.year.previous().label})." if before is not None else ".")
    return f"{_pct(now)} of complaints were resolved at stage 1{_against(before, fig.year.previous())}."


def _history_timeliness(fig: ProcedureFigures, hide: Suppressor, within: str) -> str:
    """A year only the history file holds: its published share out of timescale, if any."""
    this, before = fig.facts["this"], fig.facts["previous"]
    if this.out_of_timescale_pct is None:
        text = f"How many stage 1 responses were out of timescale in {fig.year.label} is not known"
        return text + (f" ({_pct(before.out_of_timescale_pct)} were in {fig.year.previous().label})."
                       if before.out_of_timescale_pct is not None else ".")
    late = (f"{hide.count(this.out_of_timescale)} of {_complaints(hide.count(this.total))}, "
            if this.out_of_timescale is not None and this.total is not None else "")
    return (f"Answered later than {_working_days(within)}: {late}{_pct(this.out_of_timescale_pct)} of complaints"
            f"{_against(before.out_of_timescale_pct, fig.year.previous())}. The council's published figures do not "
            f"say more of how quickly it responded.")


def _beyond_paragraph(fig: ProcedureFigures, hide: Suppressor, within: str) -> str:
    """The corporate appendix's statement, from the same table its chart draws."""
    facts, before = fig.facts, fig.facts["previous"]
    rows = fig.tables["beyond_timescale_by_month"].rows
    if facts["history_only"]:
        return _history_timeliness(fig, hide, within)
    beyond = sum(r[2] for r in rows)
    total = sum(r[1] for r in rows)
    return (f"Out of {_complaints(hide.count(total))}, {hide.count(beyond)} were answered later than "
            f"{_working_days(within)} ({_pct(share(beyond, total))}){_against(before.beyond_pct, fig.year.previous())}.")


def _beyond_chart(fig: ProcedureFigures) -> tuple[str, str]:
    table = fig.tables["beyond_timescale_by_month"]
    title = table.title
    return title, charts.data_uri(charts.bar_chart(
        title, _months(fig), [("Complaints", [r[1] for r in table.rows]),
                              ("Answered later", [r[2] for r in table.rows])]))


def _code_sections(procedure: Procedure, hide: Suppressor) -> list[Section]:
    """The Complaint Handling Code's: complaints refused and why, responses beyond its timescales."""
    fig, extra = procedure.figures, procedure.extra
    t = fig.tables
    return [
        Section("Complaints under the Code",
                [f"{hide.count(fig.facts['total'])} complaints were handled under the {procedure.title} "
                 f"in {fig.year.label}."],
                tables=[t["stages"], t["outcomes"], t["timeliness"], t["later_stages"]]),
        Section("Complaints refused, and why", [], tables=[extra[0]]),
        Section("Findings of non-compliance",
                ["Responses given after the Code's timescales, or not given."], tables=[extra[1]]),
    ]


# Which sections a part has, by its policy's report setting.
SECTIONS = {"full": _full_sections, "brief": _brief_sections, "code": _code_sections}


# ---------------------------------------------------------------------------------- writing


# A cell a spreadsheet would read as a formula (OWASP's CSV injection): = + - @, or a tab
# or carriage return before one. Such text is written after a single quote, so it shows as
# typed; a number stays a number, negative or not.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write(report: Report, out: Path) -> list[Path]:
    """report.html, one CSV per table and summary.json in ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    hide = Suppressor(report.suppress_below)
    written = []
    for table in report.tables:
        path = out / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([_csv_value(c) for c in table.columns])
            writer.writerows([_csv_value(v) for v in hide.row(table, row)] for row in table.rows)
        written.append(path)
    summary_path = out / "summary.json"
    summary_path.write_text(json.dumps(report.summary, indent=2) + "\n", encoding="utf-8")
    html_path = out / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    return [html_path, summary_path, *written]


def render_html(report: Report) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    hide = Suppressor(report.suppress_below)

    def cell(column: str, value: Any) -> str:
        if value is None or value == "":
            return "–"
        if column.endswith("_pct") and isinstance(value, (int, float)):
            return f"{value:g}%"
        if isinstance(value, float):
            return f"{value:,.2f}"
        if isinstance(value, str) and " " not in value:
            return value.replace("_", " ")      # category codes read as words
        return str(value)

    return env.get_template("report.html.j2").render(report=report, hide=hide, cell=cell)
