"""The statutory annual report, for the Complaints Team: choose a reporting year (April to
March), read it, download it as HTML, CSV (each table, or all in a zip) or PDF.

It is the command line's report (``complaints report``, ``reports.annual_report``), built
from the record store when asked: the same HTML, the same CSVs and summary.json. The PDF
is that HTML printed by WeasyPrint (its own print styles lay it out on A4). Totals for the
years before the engine come from the council's history file, as ``--history`` gives
them: the file ``COMPLAINTS_REPORT_HISTORY`` names, else ``config/report-history.yaml``
when there is one, else none.

The years offered run from the earliest the store or the history file knows to the
current one; any other is refused with a GOV.UK error. Every view and download is
audited with the year and the format, nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from council import CouncilError
from reports.annual_report import Report, build, render_html, write
from reports.history import History, HistoryError, load_history
from reports.year import FinancialYear
from rules.moments import LONDON
from store.record_store import complaints as complaints_table
from web import audit
from web.access import CLERK, COMPLAINTS_MANAGER
from web.forms import Errors
from web.pages import Page, page_for

TEAM = (CLERK, COMPLAINTS_MANAGER)
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


def _build(store, year: FinancialYear) -> Report:
    """The year's report as the records stand. A year the records do not wholly cover (the
    year in progress, or before the records began) is shown all the same, and says on its
    first page which dates it covers: the command line alone refuses it as a final report."""
    try:
        return build(store, year, _history(), part_year=True)
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


async def _year_and_report(page: Page) -> tuple[FinancialYear, Report] | Response:
    """The year in the path and its report; or the page saying what is wrong."""
    offered = await page.db(years_offered, page.app.store)
    year = _year_asked(page.request.path_params["year"], offered)
    if year is None:
        return await _choose(page, offered, _wrong_year(Errors()))
    try:
        return year, await page.db(_build, page.app.store, year)
    except ReportUnavailable as problem:
        return page.render("reports/unavailable.html", status=503, problem=str(problem), year=year)


def tables_by_part(report: Report) -> list[tuple[str, list]]:
    """The report's tables under the part they appear in (statutory and corporate tables share
    titles), then any the HTML does not show, so every CSV is offered once."""
    seen: set[str] = set()
    groups = []
    for heading, sections in report.parts:
        mine = [t for section in sections for t in section.tables if t.name not in seen]
        seen.update(t.name for t in mine)
        if mine:
            groups.append((heading, mine))
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
                       summary=report.summary, tables=tables_by_part(report))


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


@page_for(*TEAM)
async def view_report(page: Page):
    found = await _year_and_report(page)
    if isinstance(found, Response):
        return found
    year, report = found
    html = await page.db(render_html, report)
    await page.audit(audit.VIEW, None, f"annual report {year.label}")
    return HTMLResponse(html, headers={"Content-Security-Policy": _report_csp(html)})


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
    from weasyprint import HTML  # heavy to import: only where a PDF is asked for

    return HTML(string=render_html(report)).write_pdf()


@page_for(*TEAM)
async def download(page: Page):
    found = await _year_and_report(page)
    if isinstance(found, Response):
        return found
    year, report = found
    what = page.request.path_params["file"]
    name = f"annual-report-{year.label}"
    if what == "report.html":
        body = (await page.db(render_html, report)).encode()
        response = _attachment(body, "text/html; charset=utf-8", f"{name}.html")
    elif what == "report.pdf":
        response = _attachment(await page.db(report_pdf, report), "application/pdf", f"{name}.pdf")
    elif what == "tables.zip":
        files = await page.db(report_files, report)
        tables = {k: v for k, v in files.items() if k != "report.html"}
        response = _attachment(await page.db(zipped, tables), "application/zip", f"{name}-tables.zip")
    elif what.endswith(".csv") and what[:-4] in {t.name for t in report.tables}:
        files = await page.db(report_files, report)
        response = _attachment(files[what], "text/csv; charset=utf-8", f"{name}-{what}")
    else:
        return page.forbidden()
    await page.audit(audit.DOWNLOAD, None, f"annual report {year.label}: {what}")
    return response


routes = [
    Route("/reports/annual", choose, methods=["GET", "POST"]),
    Route("/reports/annual/{year}", year_page, methods=["GET"]),
    Route("/reports/annual/{year}/report", view_report, methods=["GET"]),
    Route("/reports/annual/{year}/download/{file}", download, methods=["GET"]),
]
