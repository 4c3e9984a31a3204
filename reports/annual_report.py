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
from reports import wording
from reports.figures import (
    CODE,
    CORPORATE,
    STATUTORY,
    ProcedureFigures,
    Table,
    code_tables,
    compliments_tables,
    procedure_figures,
    quarter_costs,
)
from reports.explanations import channels_table, late_reasons_table, recommendations_table
from reports.history import History
from reports.records import Coverage, Records, read_records
from reports.sections import PARTS, Published, Section, hide_lessons_areas
from reports.suppression import NOTE as SUPPRESSION_NOTE
from reports.year import FinancialYear
from rules.complaint import LONDON
from store.record_store import RecordStore

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Part:
    heading: str
    sections: list[Section]
    appendix: bool = False


@dataclass
class Report:
    year: FinancialYear
    council: Council                            # whose report: its name, address and contacts
    generated: datetime
    suppress_below: int
    parts: list[Part]
    tables: list[Table]
    summary: dict[str, Any]
    published: Published                        # the tables as printed: small counts hidden
    coverage: str = ""                          # which dates the record store holds, in words
    part_year: tuple[date, date] | None = None  # the only dates a part-year report covers
    history_only: bool = False                  # the store holds none of the year; the history file does
    draft: bool = False                         # required commentary may be missing, and is marked

    def sections(self) -> list[Section]:
        return [s for part in self.parts for s in part.sections]

    def slots(self) -> list:
        """Every section in the report's order, as the commentary file names them."""
        from reports.commentary import Slot

        return [Slot(s.key, s.heading, s.required, part.heading) for part in self.parts for s in part.sections]

    def awaiting_commentary(self) -> list[Section]:
        return [s for s in self.sections() if s.required and not s.commentary]


class CommentaryMissing(ValueError):
    """A final report asked for while a section it needs the council's words in has none."""


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
        for table in _explanations(fig):
            fig.add(table)
        found.append(Procedure(name, policy, part, fig, note))
    found.sort(key=lambda p: (p.part.appendix, p.part.order, p.name))
    for procedure in found:
        if procedure.part.sections == "code":
            procedure.extra = code_tables(records, procedure.figures, as_of)
    return found


def _explanations(fig: ProcedureFigures) -> list[Table]:
    """Why responses were late (in the council's words for its reasons), how complaints
    arrived, and stage 2 investigators' recommendations."""
    from council.late_reasons import SHIPPED, LateReasonsError, current

    try:
        reasons = current()
    except LateReasonsError:
        reasons = SHIPPED      # the report still counts; the codes the list lacks read as kept
    return [late_reasons_table(fig, reasons.words), channels_table(fig, wording.category),
            recommendations_table(fig)]


def build(store: RecordStore, year: FinancialYear, history: History, as_of: date | None = None,
          suppress_below: int = 0, council: Council | None = None, part_year: bool = False,
          commentary=None, draft: bool = False) -> Report:
    """The year's report, of ``council`` (by default the council file's, as its letters).

    A year the store's records cover only in part (or not at all, with no history file's
    figures for it) is refused with PartYearError, unless ``part_year``: then the report says
    it covers only the dates the records do.

    ``commentary`` (reports/commentary.py) is the council's words, merged into the sections
    they are written for. A final report is refused with CommentaryMissing while a section
    that needs them has none; a ``draft`` marks each such section instead.
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
    published = Published(suppress_below)
    parts: list[Part] = []
    tables: list[Table] = []
    appendices = 0
    for procedure in shown:
        heading = procedure.part.title
        if procedure.part.appendix:
            appendices += 1
            heading = f"Appendix {appendices}: {heading}"
        hide_lessons_areas(procedure.figures, published)
        prefix = "" if procedure.name == STATUTORY else f"{procedure.figures.key}_"
        sections = PARTS[procedure.part.sections](procedure, published, prefix)
        if procedure.note:
            sections[0].paragraphs.insert(0, procedure.note)
        parts.append(Part(heading, sections, procedure.part.appendix))
        tables += [*procedure.figures.tables.values(), *procedure.extra]
    praise = compliments_tables(records, year, _officer_names())
    parts.append(Part(f"Appendix {appendices + 1}: compliments",
                      [Section("compliments", "Compliments received", tables=praise)], appendix=True))
    tables += praise
    found = summary(year, shown, records, history, as_of)
    if only is not None:
        found["part_year"] = {"from": only[0].isoformat(), "to": only[1].isoformat()}
    report = Report(year, council, datetime.now(LONDON).replace(microsecond=0), suppress_below,
                    parts, tables, found, published, coverage=coverage, part_year=only,
                    history_only=state == "history", draft=draft)
    merge_commentary(report, commentary)
    return report


def merge_commentary(report: Report, commentary) -> None:
    """The council's words into their sections; a final report refused while one it needs is missing."""
    if commentary is not None:
        from reports.commentary import html

        # A block for no section of this report, or a section given twice: CommentaryError.
        written = commentary.match(report.slots())
        for section in report.sections():
            if section.key in written:
                section.commentary = html(written[section.key])
    missing = report.awaiting_commentary()
    if missing and not report.draft:
        raise CommentaryMissing(
            f"the final report needs the council's commentary in {len(missing)} "
            f"{'section' if len(missing) == 1 else 'sections'}: {'; '.join(s.heading for s in missing)}")
    for section in missing:
        section.awaiting_commentary = True


def _officer_names() -> dict[str, str]:
    """Officers' names by id, from the directory, for the compliments about them; none when
    the directory cannot be read (the compliment then shows what was recorded)."""
    from cli.directory import DirectoryError, load_directory

    try:
        return {o.id: o.name for o in load_directory().officers}
    except DirectoryError:
        return {}


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
            "refused": sum(r[1] for r in code.extra[0].rows) if code.extra else 0,
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
            **({"refused": sum(r[1] for r in procedure.extra[0].rows)} if procedure.extra else {}),
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


# ---------------------------------------------------------------------------------- writing


# A cell a spreadsheet would read as a formula (OWASP's CSV injection): = + - @, or a tab
# or carriage return before one. Such text is written after a single quote, so it shows as
# typed; a number stays a number, negative or not.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _csv_value(value: Any, column: str = "") -> Any:
    if value is None:
        return ""
    if column.endswith("_pct") and isinstance(value, float):
        return round(value, 1)
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write(report: Report, out: Path) -> list[Path]:
    """report.html, one CSV per table and summary.json in ``out``; returns the files written.

    The CSVs are published as the tables are printed, small counts hidden; summary.json
    holds the exact headline figures, for scripts and never for publication."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = out / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([_csv_value(c) for c in table.columns])
            writer.writerows([_csv_value(v, c) for v, c in zip(row, table.columns)]
                             for row in report.published.rows(table))
        written.append(path)
    summary_path = out / "summary.json"
    summary_path.write_text(json.dumps(report.summary, indent=2) + "\n", encoding="utf-8")
    html_path = out / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    return [html_path, summary_path, *written]


def render_html(report: Report) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    note = SUPPRESSION_NOTE.format(n=report.suppress_below) if report.suppress_below > 1 else ""
    return env.get_template("report.html.j2").render(
        report=report, published=report.published, words=wording, suppression_note=note)
