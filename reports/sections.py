"""The report's sections: its figures put into sentences, charts and tables, in the
reference report's order, each with a place for the council's own commentary.

Every number a section prints comes from its tables as published (reports/suppression.py):
a count hidden in a table is hidden in the sentence and the chart beside it too, so no
paragraph gives back what a table hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reports import charts, wording
from reports.figures import ProcedureFigures, Table, _working_days, share
from reports.suppression import HIDDEN, hidden_cells
from reports.year import month_name

# The sections a final report cannot go without the council's words (issue 11): what a
# complaint is and which procedure applies, what changed and why, how children are
# supported, why responses were late, the themes of the learning, how well the procedure
# works, recommendations, and what the Complaints Team will do next.
REQUIRED = ("introduction", "volume", "advocacy", "timeliness", "learning", "effectiveness",
            "recommendations", "next_steps")


@dataclass
class Chart:
    title: str
    alt: str                 # what the chart shows, in a sentence or two
    uri: str                 # the SVG as a data URI
    table: str               # the title of the table holding its figures


@dataclass
class Section:
    key: str                 # the commentary file's name for it (reports/commentary.py)
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    required: bool = False   # the final report needs the council's commentary here
    commentary: str = ""     # the council's words, as safe HTML
    awaiting_commentary: bool = False   # a draft's marker: required, and none written yet


class Published:
    """The report's tables as a reader sees them, counts below the threshold hidden."""

    def __init__(self, below: int) -> None:
        self.below = below
        self._hidden: dict[int, set[tuple[int, int]]] = {}
        self._rows: dict[int, list[list[Any]]] = {}

    def hidden(self, table: Table) -> set[tuple[int, int]]:
        """The table's hidden cells, worked out once (the sections, the HTML and the CSVs ask)."""
        if id(table) not in self._hidden:
            self._hidden[id(table)] = hidden_cells(table, self.below)
        return self._hidden[id(table)]

    def rows(self, table: Table) -> list[list[Any]]:
        if id(table) not in self._rows:
            hidden = self.hidden(table)
            self._rows[id(table)] = [[HIDDEN if (r, c) in hidden else v for c, v in enumerate(row)]
                                     for r, row in enumerate(table.rows)]
        return self._rows[id(table)]

    def cell(self, table: Table, label: Any, column: str, missing: Any = 0) -> Any:
        """The published value of ``column`` in the row whose first cell is ``label``."""
        at = table.columns.index(column)
        for row in self.rows(table):
            if row[0] == label:
                return row[at]
        return missing

    def visible(self, table: Table) -> list[int]:
        """The columns printed: a comparison with the year before is left out when nothing
        is known of that year (the CSV keeps it, empty, for scripts)."""
        return [i for i, name in enumerate(table.columns)
                if not (name.startswith("previous") and all(row[i] is None for row in table.rows))]

    def column(self, table: Table, column: str) -> list[Any]:
        at = table.columns.index(column)
        return [row[at] for row in self.rows(table)]

    def number(self, n: Any) -> Any:
        """A count that stands alone (a total): hidden when small."""
        if isinstance(n, int) and not isinstance(n, bool) and 0 < n < self.below:
            return HIDDEN
        return n


# ---------------------------------------------------------------------------------- words


def _n(value: Any) -> str:
    if value is None:
        return "not known"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _complaints(value: Any) -> str:
    return "1 complaint" if value == 1 else f"{_n(value)} complaints"


def _pct(value: Any) -> str:
    if value is None:
        return "not known"
    if value == HIDDEN:
        return HIDDEN
    return wording.percent(value)


def _share_of(part: Any, whole: Any) -> Any:
    if not isinstance(part, int) or not isinstance(whole, int):
        return HIDDEN if HIDDEN in (part, whole) else None
    return share(part, whole)


def _against(value: Any, label: str) -> str:
    """', against 52% in 2022-23', or nothing when the other year's share is not known."""
    return "" if value is None else f", against {_pct(value)} in {label}"


def _plain(value: Any) -> Any:
    """A chart's value: a number, None for no data, or the hidden marker."""
    return value if value is None or value == HIDDEN or isinstance(value, (int, float)) else None


def _chart(kind: str, title: str, categories: list[str], series: list[charts.Series], table: Table,
           unit: str = "") -> Chart:
    draw = {"bar": charts.bar_chart, "line": charts.line_chart, "hbar": charts.hbar_chart}[kind]
    svg = draw(title, categories, series, unit=unit)
    return Chart(title, charts.describe(kind, title, categories, series, unit=unit), charts.data_uri(svg), table.title)


def _months(fig: ProcedureFigures) -> list[str]:
    return [month_name(m) for m in fig.year.months()]


# ---------------------------------------------------------------------------------- sentences


def volume_paragraph(fig: ProcedureFigures, pub: Published, what: str) -> str:
    total, before = pub.number(fig.facts["total"]), pub.number(fig.facts["previous"].total)
    if total is None:
        return f"How many complaints were made under the {what} in {fig.year.label} is not known."
    if total == 0:
        text = f"No complaints under the {what} were received in {fig.year.label}"
        return text + (f" ({_n(before)} were in {fig.year.previous().label})." if before else ".")
    text = f"There were {_complaints(total)} under the {what} in {fig.year.label}"
    if fig.facts["history_only"]:
        text += " (the council's published total)"
    if before:
        text += f", against {_n(before)} in {fig.year.previous().label}"
        if isinstance(total, int) and isinstance(before, int):
            change = 100 * (total - before) / before
            text += f" ({'an increase' if total >= before else 'a decrease'} of {abs(change):.0f}%)"
    return text + "."


def stage1_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    table = fig.tables["stage1_resolution"]
    now = pub.cell(table, fig.year.label, "resolved_at_stage1_pct", None)
    before = pub.cell(table, fig.year.previous().label, "resolved_at_stage1_pct", None)
    if now is None:
        text = f"How many complaints were resolved at stage 1 in {fig.year.label} is not known"
        return text + (f" ({_pct(before)} were in {fig.year.previous().label})." if before is not None else ".")
    return f"{_pct(now)} of complaints were resolved at stage 1{_against(before, fig.year.previous().label)}."


def outcomes_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    rows = pub.rows(fig.tables["outcomes"])
    if not rows:
        return ""
    told = "; ".join(f"{_n(n)} {wording.category(o, 'outcome').lower()}" for o, n, _ in rows)
    return f"Of the {_complaints(pub.number(fig.facts['total']))} received in {fig.year.label}: {told}."


def advocacy_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    table = fig.tables["complainants"]
    n = pub.cell(table, "child_with_advocate", "complaints")
    if fig.facts["total"] == 0:
        return f"No complaints were received in {fig.year.label}."
    return (f"Of the {_complaints(pub.number(fig.facts['total']))} received in {fig.year.label}, {_n(n)} "
            f"{'was' if n == 1 else 'were'} made by a child or young person supported by an advocate.")


def timeliness_paragraphs(fig: ProcedureFigures, pub: Published) -> list[str]:
    if fig.facts["history_only"]:
        return [history_timeliness(fig, pub)]
    within, extended = fig.facts["timescale_labels"]
    if fig.facts["total"] == 0:
        return [f"No complaints were received in {fig.year.label}, so no response was due."]
    table = fig.tables["timeliness"]
    by_year = fig.tables["timeliness_by_year"]
    on_time = pub.cell(table, within, "complaints")
    later = pub.cell(table, extended, "complaints")
    late = pub.cell(table, "late", "complaints")
    late_share = pub.cell(table, "late", "share_pct", None)
    before = pub.cell(by_year, fig.year.previous().label, "out_of_timescale_pct", None)
    total = pub.number(fig.facts["total"])
    found = [f"Answered within the timescale ({_working_days(within)}): {_n(on_time)} of the {_complaints(total)}."]
    if extended != within:
        found.append(f"Extended, and answered within {_working_days(extended)}: {_n(later)}.")
    found.append(f"Answered late, or not answered by the due date: {_n(late)}, "
                 f"{_pct(late_share if late else 0)} of complaints{_against(before, fig.year.previous().label)}.")
    if "open_at_year_end" in fig.tables:
        still = pub.cell(fig.tables["open_at_year_end"], 2, "complaints")
        found.append(f"Still open at stage 2 at the year's end: {_complaints(still)}.")
    return found


def history_timeliness(fig: ProcedureFigures, pub: Published) -> str:
    """A year only the history file holds: its published share out of timescale, if any."""
    within, _ = fig.facts["timescale_labels"]
    this, before = fig.facts["this"], fig.facts["previous"]
    if this.out_of_timescale_pct is None:
        text = f"How many stage 1 responses were out of timescale in {fig.year.label} is not known"
        return text + (f" ({_pct(before.out_of_timescale_pct)} were in {fig.year.previous().label})."
                       if before.out_of_timescale_pct is not None else ".")
    late = ""
    if this.out_of_timescale is not None and this.total is not None:
        late = f"{_n(pub.number(this.out_of_timescale))} of {_complaints(pub.number(this.total))}, "
    return (f"Answered later than {_working_days(within)}: {late}{_pct(this.out_of_timescale_pct)} of complaints"
            f"{_against(before.out_of_timescale_pct, fig.year.previous().label)}. The council's published figures "
            f"do not say more of how quickly it responded.")


def beyond_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    """The corporate appendix's statement, from the same table its chart draws."""
    if fig.facts["history_only"]:
        return history_timeliness(fig, pub)
    within, _ = fig.facts["timescale_labels"]
    table = fig.tables["beyond_timescale_by_month"]
    beyond = sum(r[2] for r in table.rows)
    total = sum(r[1] for r in table.rows)
    if total == 0:
        return f"No complaints were received in {fig.year.label}, so no response was due."
    shown_beyond, shown_total = pub.number(beyond), pub.number(total)
    before = fig.facts["previous"].beyond_pct
    return (f"Out of {_complaints(shown_total)}, {_n(shown_beyond)} were answered later than "
            f"{_working_days(within)} ({_pct(_share_of(shown_beyond, shown_total))})"
            f"{_against(before, fig.year.previous().label)}.")


def ombudsman_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    table = fig.tables["ombudsman_by_year"]
    referrals = pub.cell(table, fig.year.label, "referrals")
    remedies = pub.cell(table, fig.year.label, "remedies_gbp", 0.0)
    paid = wording.money(remedies) if isinstance(remedies, (int, float)) else remedies
    if referrals == 0:
        return f"No complainant took their complaint to the Local Government and Social Care Ombudsman in {fig.year.label}."
    return (f"{_n(referrals)} {'complainant' if referrals == 1 else 'complainants'} took their complaint to the "
            f"Local Government and Social Care Ombudsman in {fig.year.label}; the remedies it asked for came to "
            f"{paid}.")


def learning_paragraph(fig: ProcedureFigures, pub: Published) -> str:
    table = fig.tables["learning"]
    forms = sum(r[2] for r in table.rows if isinstance(r[2], int))
    if fig.facts["history_only"]:
        return f"How many lessons-learnt forms were returned in {fig.year.label} is not known."
    if fig.facts["total"] == 0:
        return f"No complaints were received in {fig.year.label}, so no lessons-learnt form was due."
    total = pub.number(fig.facts["total"])
    return (f"{_n(pub.number(forms))} lessons-learnt {'form was' if forms == 1 else 'forms were'} returned "
            f"for the {_complaints(total)} received in {fig.year.label}.")


def costs_paragraph(fig: ProcedureFigures) -> str:
    if fig.facts["history_only"]:
        return f"The record store holds no stage 2 and 3 costs of {fig.year.label}: they are not known."
    costs = fig.tables["costs"]
    # The previous year's total is the table's note, printed under it: not said twice.
    return f"Stage 2 and 3 costs in {fig.year.label}: {wording.money(costs.rows[-1][2])}."


# ---------------------------------------------------------------------------------- charts


def volume_by_year_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["volumes_by_year"]
    return _chart("bar", "Complaints received each year", pub.column(table, "year"),
                  [("Complaints", [_plain(v) for v in pub.column(table, "complaints")])], table)


def by_month_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["by_month"]
    series = [(fig.year.label, [_plain(v) for v in pub.column(table, "complaints")])]
    before = [_plain(v) for v in pub.column(table, "previous_year")]
    if any(v is not None for v in before):
        series.append((fig.year.previous().label, before))
    return _chart("bar", "Complaints received by month, against the previous year", _months(fig), series, table)


def categories_chart(title: str, table: Table, pub: Published, label: str, value: str) -> Chart:
    """Lying bars, one a category (a service area, an outcome), their names in full."""
    names = [wording.cell(label, v) for v in pub.column(table, label)]
    return _chart("hbar", title, names, [("Complaints", [_plain(v) for v in pub.column(table, value)])], table)


def late_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["late_by_month"]
    series = [(fig.year.label, [_plain(v) for v in pub.column(table, "late_pct")])]
    before = [_plain(v) for v in pub.column(table, "previous_year_late_pct")]
    if any(v is not None for v in before):
        series.append((fig.year.previous().label, before))
    return _chart("line", "Share of stage 1 responses out of timescale, by month received", _months(fig),
                  series, table, unit="%")


def learning_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["learning"]
    return _chart("bar", "Lessons-learnt forms returned, against complaints received", _months(fig),
                  [("Complaints", [_plain(v) for v in pub.column(table, "complaints")]),
                   ("Forms returned", [_plain(v) for v in pub.column(table, "forms_returned")])], table)


def costs_chart(fig: ProcedureFigures) -> Chart:
    table = fig.tables["costs"]
    series = [(fig.year.label, [r[2] for r in table.rows])]
    if any(r[4] is not None for r in table.rows):
        series.append((fig.year.previous().label, [r[4] for r in table.rows]))
    return _chart("line", "Costs of stages 2 and 3, added up through the year", [r[0] for r in table.rows],
                  series, table, unit="£")


def beyond_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["beyond_timescale_by_month"]
    return _chart("bar", table.title, _months(fig),
                  [("Complaints", [_plain(v) for v in pub.column(table, "complaints")]),
                   ("Answered later", [_plain(v) for v in pub.column(table, "beyond_timescale")])], table)


def beyond_by_year_chart(fig: ProcedureFigures, pub: Published) -> Chart:
    table = fig.tables["beyond_by_year"]
    return _chart("line", table.title, pub.column(table, "year"),
                  [("Share later than the timescale", [_plain(v) for v in pub.column(table, "beyond_timescale_pct")])],
                  table, unit="%")


# ---------------------------------------------------------------------------------- the parts


def _explanations(fig: ProcedureFigures) -> dict[str, Table]:
    """The tables of what the engine records for the report's explanations (why responses
    were late, how complaints arrived, stage 2 recommendations), when recorded."""
    return {name: table for name, table in fig.tables.items()
            if name in ("late_reasons", "channels", "stage2_recommendations")}


def full_sections(procedure, pub: Published, prefix: str = "") -> list[Section]:
    """The statutory procedure's sections, the report's main body, in the reference's order."""
    fig = procedure.figures
    t = fig.tables
    more = _explanations(fig)

    def section(key: str, heading: str, *rest, **named) -> Section:
        return Section(prefix + key, heading, *rest, required=not prefix and key in REQUIRED, **named)

    def present(*names: str) -> list[Table]:
        return [t[n] for n in names if n in t]

    learning_tables = [t["learning"], t["lessons"], *present("stage2_recommendations")]
    return [
        section("introduction", "Introduction",
                [f"This report counts the complaints and representations made under the {procedure.title} "
                 f"in {fig.year.label}, from the council's complaints record store."]),
        section("volume", "Volume of complaints and representations",
                [volume_paragraph(fig, pub, procedure.title)],
                [volume_by_year_chart(fig, pub), by_month_chart(fig, pub)],
                [t["volumes_by_year"], t["by_month"]]),
        section("service_areas", "Complaints by service area", [],
                [categories_chart("Complaints by service area", t["by_service_area"], pub, "service_area",
                                  "complaints")],
                [t["by_service_area"]]),
        section("complainants", "Who has made complaints", [], tables=[t["complainants"]]),
        section("advocacy", "How children and young people are supported to raise concerns",
                [advocacy_paragraph(fig, pub)]),
        section("reasons", "Reasons for complaints and for escalating",
                ["A complaint may give several reasons, so the reasons add up to more than the complaints."],
                tables=[t["reasons"], t["escalation_reasons"]]),
        *([section("channels", "How complaints arrived", [], tables=[more["channels"]])] if "channels" in more
          else []),
        section("stages", "How far complaints went", [stage1_paragraph(fig, pub)],
                tables=[t["stages"], t["stage1_resolution"]]),
        section("outcomes", "Outcomes from complaints",
                [outcomes_paragraph(fig, pub), "The investigating officer's finding at stage 1."],
                [categories_chart("Outcomes at stage 1", t["outcomes"], pub, "outcome", "complaints")],
                [t["outcomes"]]),
        section("timeliness", "How quickly we responded", timeliness_paragraphs(fig, pub),
                [late_chart(fig, pub)],
                [t["timeliness"], *present("late_reasons"), t["timeliness_by_year"], t["late_by_month"],
                 t["later_stages"], *present("open_at_year_end")]),
        section("ombudsman", "Complaints taken to the Ombudsman (LGSCO)", [ombudsman_paragraph(fig, pub)],
                tables=[t["ombudsman"], t["ombudsman_by_year"]]),
        section("learning", "Learning: what difference have complaints made?", [learning_paragraph(fig, pub)],
                [learning_chart(fig, pub)], learning_tables),
        section("effectiveness", "The effectiveness of the complaints procedure"),
        section("costs", "Financial implications", [costs_paragraph(fig)], [costs_chart(fig)], [t["costs"]]),
        section("recommendations", "Considerations and recommendations"),
        section("next_steps", "What the Complaints Team is doing to support improvement"),
    ]


def brief_sections(procedure, pub: Published, prefix: str) -> list[Section]:
    """Volumes, reasons, timeliness and learning: the corporate procedure's appendix."""
    fig = procedure.figures
    t = fig.tables
    more = _explanations(fig)
    return [
        Section(f"{prefix}introduction", "About this procedure"),
        Section(f"{prefix}volume", "Number of complaints", [volume_paragraph(fig, pub, procedure.title)],
                [by_month_chart(fig, pub)],
                [t["volumes_by_year"], t["by_month"], t["by_service_area"], t["complainants"],
                 *([more["channels"]] if "channels" in more else [])]),
        Section(f"{prefix}reasons", "Reasons for complaints", [],
                tables=[t["reasons"], t["reasons_by_year"], t["outcomes"], t["stages"]]),
        Section(f"{prefix}timeliness", "Time taken to respond", [beyond_paragraph(fig, pub)],
                [beyond_chart(fig, pub), beyond_by_year_chart(fig, pub)],
                [t["timeliness"], *([more["late_reasons"]] if "late_reasons" in more else []),
                 t["beyond_timescale_by_month"], t["beyond_by_year"], t["later_stages"]]),
        Section(f"{prefix}learning", "Learning from complaints", [learning_paragraph(fig, pub)],
                [learning_chart(fig, pub)], [t["learning"], t["lessons"]]),
    ]


def code_sections(procedure, pub: Published, prefix: str) -> list[Section]:
    """The Complaint Handling Code's: complaints refused and why, responses beyond its timescales."""
    fig, extra = procedure.figures, procedure.extra
    t = fig.tables
    return [
        Section(f"{prefix}complaints", "Complaints under the Code",
                [f"{_complaints(pub.number(fig.facts['total']))} were handled under the {procedure.title} "
                 f"in {fig.year.label}."],
                tables=[t["stages"], t["outcomes"], t["timeliness"], t["later_stages"]]),
        Section(f"{prefix}refusals", "Complaints refused, and why", [], tables=[extra[0]]),
        Section(f"{prefix}non_compliance", "Findings of non-compliance",
                ["Responses given after the Code's timescales, or not given."], tables=[extra[1]]),
    ]


PARTS = {"full": full_sections, "brief": brief_sections, "code": code_sections}


def hide_lessons_areas(fig: ProcedureFigures, pub: Published) -> None:
    """A lesson's service area is shown only where the area's count of complaints is: else
    counting the lessons would tell how many complaints a small area had."""
    areas = fig.tables["by_service_area"]
    hidden = {areas.rows[r][0] for r, _ in pub.hidden(areas)}
    lessons = fig.tables["lessons"]
    if hidden:
        lessons.rows = [[stage, "Another service area" if area in hidden else area, text]
                        for stage, area, text in lessons.rows]
