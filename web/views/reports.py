"""The statutory annual report, for the Complaints Team: choose a reporting year (April to
March), read it, download it as HTML, CSV (each table, or all in a zip) or PDF.

It is the command line's report (``complaints report``, ``reports.annual_report``), built
from the record store when asked: the same HTML, the same CSVs and summary.json. The PDF
is that HTML printed by WeasyPrint (its own print styles lay it out on A4). Totals for the
years before the engine come from the council's history file, as ``--history`` gives
them: the file ``COMPLAINTS_REPORT_HISTORY`` names, else ``config/report-history.yaml``
when there is one, else none.

The council's own words come from its commentary file for the year
(``COMPLAINTS_COMMENTARY_DIR/<year>.md``, reports/commentary.py), which the complaints
manager writes here, section by section. Until every section that needs them has words,
the report is shown and downloaded as a draft, each such section marked.

The years offered run from the earliest the store or the history file knows to the
current one; any other is refused with a GOV.UK error. Every view and download is
audited with the year and the format, and every save of the commentary with the keys of
the sections changed, nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from council import CouncilError
from models.field_checks import text_problem
from reports import commentary as words
from reports.annual_report import CommentaryMissing, Report, build, render_html, write
from reports.pdf import pdf_bytes
from reports.history import History, HistoryError, load_history
from reports.year import FinancialYear
from rules.moments import LONDON
from store.record_store import complaints as complaints_table
from web import audit
from web.access import ADMIN, CLERK, COMPLAINTS_MANAGER
from web.forms import Errors
from web.pages import Page, page_for

TEAM = (CLERK, COMPLAINTS_MANAGER)
# Who writes the council's commentary: it is published in the council's name.
EDITORS = (COMPLAINTS_MANAGER, ADMIN)
HISTORY_ENV = "COMPLAINTS_REPORT_HISTORY"
HISTORY_DEFAULT = Path("config") / "report-history.yaml"
# However old the oldest record, the list of years stays a list a person can read.
MOST_YEARS = 30


class ReportUnavailable(Exception):
    """The report cannot be built: the history file or the council's file is wrong (the message says how)."""


def history_path() -> Path | None:
    named = os.environ.get(HISTORY_ENV)
    if named:
        return Path(named)
    return HISTORY_DEFAULT if HISTORY_DEFAULT.is_file() else None


def _history() -> History:
    path = history_path()
    try:
        return load_history(path)
    except HistoryError as problem:
        raise ReportUnavailable(f"The history file cannot be read: {problem}") from None


def years_offered(store) -> list[FinancialYear]:
    """Every reporting year from the earliest the store or history holds to this one, newest first."""
    this_year = FinancialYear.of(datetime.now(LONDON).date())
    with store.engine.connect() as conn:
        earliest = conn.execute(select(func.min(complaints_table.c.received))).scalar()
    first = this_year.first
    if earliest is not None:
        first = min(first, FinancialYear.of(earliest.astimezone(LONDON).date()).first)
    try:
        known = _history().known_years()
    except ReportUnavailable:
        known = []
    if known:
        first = min(first, known[0].first)
    first = max(first, this_year.first - MOST_YEARS)
    return [FinancialYear(y) for y in range(this_year.first, first - 1, -1)]


def commentary_file(page: Page, year: FinancialYear) -> Path:
    return words.commentary_path(year.label, page.app.settings.commentary_dir)


def _commentary(path: Path) -> words.Commentary | None:
    if not path.is_file():
        return None
    try:
        return words.load(path)
    except words.CommentaryError as problem:
        raise ReportUnavailable(f"The commentary file {problem}") from None


def _build(store, year: FinancialYear, path: Path | None = None, draft: bool = False,
           suppress_below: int = 0) -> Report:
    """The year's report as the records stand, with the council's commentary: the final report
    when every section that needs words has them, else a draft marking those that have none.
    A year the records do not wholly cover (the year in progress, or before the records began)
    is shown all the same, and says on its first page which dates it covers: the command line
    alone refuses it as a final report."""
    commentary = _commentary(path) if path is not None else None
    try:
        if not draft:
            try:
                return build(store, year, _history(), part_year=True, commentary=commentary,
                             suppress_below=suppress_below)
            except CommentaryMissing:
                pass
        return build(store, year, _history(), part_year=True, commentary=commentary, draft=True,
                     suppress_below=suppress_below)
    except words.CommentaryError as problem:
        raise ReportUnavailable(f"The commentary file {path} cannot be used: {problem}") from None
    except CouncilError as problem:
        raise ReportUnavailable(str(problem)) from None


def _year_asked(text: str | None, offered: list[FinancialYear]) -> FinancialYear | None:
    try:
        year = FinancialYear.parse(text or "")
    except ValueError:
        return None
    return year if year in offered else None


async def _choose(page: Page, offered: list[FinancialYear], errors: Errors, chosen: str | None = None):
    default = chosen or FinancialYear.of(datetime.now(LONDON).date()).label
    return page.form_page("reports/choose.html", errors, offered=offered, chosen=default,
                          history=history_path())


def _wrong_year(errors: Errors) -> Errors:
    errors.add("year", "Select a reporting year from the list")
    return errors


@page_for(*TEAM)
async def choose(page: Page):
    offered = await page.db(years_offered, page.app.store)
    if page.request.method == "POST":
        year = _year_asked(page.form.get("year"), offered)
        if year is None:
            return await _choose(page, offered, _wrong_year(Errors()))
        return page.redirect(f"/reports/annual/{year.label}")
    return await _choose(page, offered, Errors())


async def _year_and_report(page: Page, draft: bool = False) -> tuple[FinancialYear, Report] | Response:
    """The year in the path and its report; or the page saying what is wrong."""
    year = await _year(page)
    if isinstance(year, Response):
        return year
    try:
        return year, await page.db(_build, page.app.store, year, commentary_file(page, year), draft,
                                   page.app.settings.report_suppress_below)
    except ReportUnavailable as problem:
        return _unavailable(page, year, str(problem))


async def _year(page: Page) -> FinancialYear | Response:
    offered = await page.db(years_offered, page.app.store)
    year = _year_asked(page.request.path_params["year"], offered)
    if year is None:
        return await _choose(page, offered, _wrong_year(Errors()))
    return year


def _unavailable(page: Page, year: FinancialYear, problem: str) -> Response:
    return page.render("reports/unavailable.html", status=503, problem=problem, year=year,
                       may_edit=_may_edit(page))


def _may_edit(page: Page) -> bool:
    return bool(page.person and page.person.roles & set(EDITORS))


def tables_by_part(report: Report) -> list[tuple[str, list]]:
    """The report's tables under the part they appear in (statutory and corporate tables share
    titles), then any the HTML does not show, so every CSV is offered once."""
    seen: set[str] = set()
    groups = []
    for part in report.parts:
        mine = [t for section in part.sections for t in section.tables if t.name not in seen]
        seen.update(t.name for t in mine)
        if mine:
            groups.append((part.heading, mine))
    rest = [t for t in report.tables if t.name not in seen]
    if rest:
        groups.append(("Other tables", rest))
    return groups


@page_for(*TEAM)
async def year_page(page: Page):
    found = await _year_and_report(page)
    if isinstance(found, Response):
        return found
    year, report = found
    return page.render("reports/year.html", year=year, report=report, history=history_path(),
                       summary=report.summary, tables=tables_by_part(report),
                       awaiting=_awaiting(report), may_edit=_may_edit(page))


def _awaiting(report: Report) -> list[tuple[str, str]]:
    """The sections still needing the council's words, with the part each is in."""
    parts = {id(s): part.heading for part in report.parts for s in part.sections}
    return [(s.heading, parts[id(s)]) for s in report.awaiting_commentary()]


# ------------------------------------------------------------------- the report itself


def style_hashes(html: str) -> str:
    """CSP sources for the report's own <style> blocks: the report is self-contained (it
    must print and mail as one file), and a hash lets exactly its styles run, nothing else."""
    found = re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)
    return " ".join("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in found)


def _report_csp(html: str) -> str:
    styles = style_hashes(html) or "'none'"
    return (f"default-src 'none'; style-src {styles}; img-src data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


async def _show(page: Page, draft: bool = False) -> Response:
    """The report as a page of its own (its own CSP: its styles and data-URI charts only)."""
    found = await _year_and_report(page, draft=draft)
    if isinstance(found, Response):
        return found
    year, report = found
    html = await page.db(render_html, report)
    await page.audit(audit.VIEW, None, f"annual report {year.label}" + (" (draft preview)" if draft else ""))
    return HTMLResponse(html, headers={"Content-Security-Policy": _report_csp(html)})


@page_for(*TEAM)
async def view_report(page: Page):
    return await _show(page)


def _attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def report_files(report: Report) -> dict[str, bytes]:
    """The command line's files (report.html, summary.json, one CSV a table), by name."""
    with tempfile.TemporaryDirectory() as folder:
        return {path.name: path.read_bytes() for path in write(report, Path(folder))}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def report_pdf(report: Report) -> bytes:
    return pdf_bytes(render_html(report))


@page_for(*TEAM)
async def download(page: Page):
    found = await _year_and_report(page)
    if isinstance(found, Response):
        return found
    year, report = found
    what = page.request.path_params["file"]
    # The report itself is a draft while the council's words are missing; its tables are not.
    draft = report.draft and what in ("report.html", "report.pdf")
    name = f"annual-report-{year.label}{'-draft' if draft else ''}"
    if what == "report.html":
        body = (await page.db(render_html, report)).encode()
        response = _attachment(body, "text/html; charset=utf-8", f"{name}.html")
    elif what == "report.pdf":
        response = _attachment(await page.db(report_pdf, report), "application/pdf", f"{name}.pdf")
    elif what == "tables.zip":
        files = await page.db(report_files, report)
        # summary.json's exact figures are for scripts: not in what is published with small counts hidden.
        tables = {k: v for k, v in files.items()
                  if k != "report.html" and not (k == "summary.json" and report.suppress_below > 1)}
        response = _attachment(await page.db(zipped, tables), "application/zip", f"{name}-tables.zip")
    elif what.endswith(".csv") and what[:-4] in {t.name for t in report.tables}:
        files = await page.db(report_files, report)
        response = _attachment(files[what], "text/csv; charset=utf-8", f"{name}-{what}")
    else:
        return page.forbidden()
    await page.audit(audit.DOWNLOAD, None, f"annual report {year.label}: {what}{' (draft)' if draft else ''}")
    return response


# ------------------------------------------------------------------- the council's commentary

# A section's words at most: the most that always fits in one form field (MAX_FORM_BYTES),
# at four bytes a character, so a longer text gets the form's own error, never a bad request.
SECTION_LIMIT = 50_000
# The whole form: every section at its longest, with room for the form's own fields.
EDITOR_BYTES = 5_000_000


@dataclass
class Editing:
    """What the editor shows: the report's sections and what is written in each."""

    slots: list[words.Slot]
    typed: dict[str, str]               # by section key
    version: str                        # of the file as read, to notice a save by someone else
    strays: list[words.Block]           # words in the file for no section of this report, to move or delete
    awaiting: list[tuple[str, str]]


def _version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "none"


def _editing(store, year: FinancialYear, path: Path) -> Editing:
    # The sections come from the report without commentary: a file naming a section the
    # report does not have must still open, to be put right here.
    slots = _build(store, year, None, draft=True).slots()
    version = _version(path)
    found = _commentary(path) or words.Commentary()
    typed = {}
    for slot in slots:
        block = found.block(slot.key, slot.heading)
        typed[slot.key] = block.text if block is not None else ""
    missing = [(s.heading, s.part) for s in slots if s.required and not typed[s.key].strip()]
    return Editing(slots, typed, version, words.strays(found, slots), missing)


def _typed(value) -> str:
    text = value if isinstance(value, str) else ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()


def _checked(editing: Editing, form) -> Errors:
    errors = Errors()
    for slot in editing.slots:
        text = editing.typed[slot.key] = _typed(form.get(f"section-{slot.key}"))
        field = f"section-{slot.key}"
        if len(text) > SECTION_LIMIT:
            errors.add(field, f"The commentary on {slot.heading} must be {SECTION_LIMIT:,} characters or fewer "
                              f"(it has {len(text):,})")
        elif (problem := words.check_text(text)) is not None:
            errors.add(field, f"The commentary on {slot.heading} {problem}")
        elif (problem := text_problem(text, SECTION_LIMIT, free_text=True)) is not None:
            errors.add(field, f"The commentary on {slot.heading} {problem}")
    for i, block in enumerate(editing.strays):
        block.text = _typed(form.get(f"stray-{i}"))
        if len(block.text) > SECTION_LIMIT or words.check_text(block.text) is not None:
            errors.add(f"stray-{i}", f"The words under {block.heading} must be {SECTION_LIMIT:,} characters or "
                                     f"fewer, with no line starting '## '")
    return errors


def _save(editing: Editing, year: FinancialYear, path: Path, version: str | None) -> tuple[str | None, list[str]]:
    """Writes the commentary as typed; the problem (None when saved) and the sections changed."""
    if version != _version(path):
        return ("Someone else saved the commentary for this year after you opened this page. Your words are "
                "below, not saved: copy them, open the page again and add them to what is there now"), []
    before = _commentary(path) or words.Commentary()
    blocks = [words.Block(s.key, s.heading, editing.typed[s.key], 0) for s in editing.slots]
    try:
        kept = [b for b in editing.strays if not b.empty]     # emptied here: deleted
        text = words.dumps(words.Commentary(blocks + kept), editing.slots, year.label)
    except words.CommentaryError as problem:
        return f"The commentary cannot be saved: {problem.reason}", []
    changed = [s.key for s in editing.slots
               if (getattr(before.block(s.key, s.heading), "text", "") or "") != editing.typed[s.key]]
    words.save(text, path)
    return None, changed


def _editor(page: Page, year: FinancialYear, editing: Editing, errors: Errors) -> Response:
    parts: dict[str, list] = {}
    for slot in editing.slots:
        parts.setdefault(slot.part, []).append((slot, words.hint(slot)))
    return page.form_page("reports/commentary.html", errors, year=year, editing=editing, parts=parts,
                          path=commentary_file(page, year), limit=SECTION_LIMIT)


@page_for(*EDITORS, max_bytes=EDITOR_BYTES)
async def commentary_editor(page: Page):
    year = await _year(page)
    if isinstance(year, Response):
        return year
    path = commentary_file(page, year)
    try:
        editing = await page.db(_editing, page.app.store, year, path)
    except ReportUnavailable as problem:
        return _unavailable(page, year, str(problem))
    if page.request.method != "POST":
        return _editor(page, year, editing, Errors())
    errors = _checked(editing, page.form)
    if errors:
        return _editor(page, year, editing, errors)
    problem, changed = await page.db(_save, editing, year, path, page.form.get("version"))
    if problem:
        errors.add("save", problem)
        return _editor(page, year, editing, errors)
    # Which sections changed, by their keys: never the words themselves.
    await page.audit(audit.ACTION, None, f"annual report {year.label} commentary saved: "
                                         f"{', '.join(changed) if changed else 'no section changed'}")
    return page.redirect(f"/reports/annual/{year.label}/commentary", banner="The commentary has been saved")


@page_for(*EDITORS)
async def commentary_preview(page: Page):
    return await _show(page, draft=True)


routes = [
    Route("/reports/annual", choose, methods=["GET", "POST"]),
    Route("/reports/annual/{year}", year_page, methods=["GET"]),
    Route("/reports/annual/{year}/report", view_report, methods=["GET"]),
    Route("/reports/annual/{year}/download/{file}", download, methods=["GET"]),
    Route("/reports/annual/{year}/commentary", commentary_editor, methods=["GET", "POST"]),
    Route("/reports/annual/{year}/commentary/preview", commentary_preview, methods=["GET"]),
]
