"""The annual report for the Complaints Team: a reporting year chosen from a list, the
report itself as a page, and its downloads (PDF, HTML, CSVs)."""

from __future__ import annotations

import csv
import html
import io
import re
import uuid
import zipfile
from datetime import datetime

from sqlalchemy import select

from models.actions import Assign
from reports.year import FinancialYear
from rules.moments import LONDON
from tests.web_harness import csrf_token
from web.tables import audit_log


def words(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def this_year() -> FinancialYear:
    return FinancialYear.of(datetime.now(LONDON).date())


async def test_the_report_for_this_year_is_shown_and_downloads(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    ref = f"CS-{uuid.uuid4().hex[:8].upper()}"
    await web.register(ref)
    assert (await web.act(ref, "assign", Assign("io-1"))).done
    year = this_year().label

    chooser = await clerk.get("/reports/annual")
    assert chooser.status_code == 200
    assert re.search(rf'<option value="{year}" selected', chooser.text), "this year is chosen already"
    chosen = await clerk.post("/reports/annual", data={"csrf_token": csrf_token(chooser.text), "year": year})
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/reports/annual/{year}"

    page = await clerk.get(f"/reports/annual/{year}")
    assert page.status_code == 200
    text = words(page.text)
    assert f"Annual report {year}" in text and "Children's statutory complaints 1" in text

    report = await clerk.get(f"/reports/annual/{year}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert f"Statutory Annual Report {year}" in report.text
    # The year in progress is shown, saying it covers only the dates the records hold.
    assert "part of the year only" in report.text
    policy = report.headers["content-security-policy"]
    assert "style-src 'sha256-" in policy and "unsafe-inline" not in policy and "script-src" not in policy

    pdf = await clerk.get(f"/reports/annual/{year}/download/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # No commentary written yet: the report is offered as a draft.
    assert f'filename="annual-report-{year}-draft.pdf"' in pdf.headers["content-disposition"]

    as_html = await clerk.get(f"/reports/annual/{year}/download/report.html")
    assert as_html.headers["content-type"].startswith("text/html")
    assert as_html.headers["content-disposition"].startswith("attachment")

    tables = await clerk.get(f"/reports/annual/{year}/download/tables.zip")
    assert tables.status_code == 200 and tables.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(tables.content)).namelist()
    assert "summary.json" in names and any(n.endswith(".csv") for n in names)

    first_csv = re.search(rf'href="(/reports/annual/{year}/download/[^"]+\.csv)"', page.text).group(1)
    one = await clerk.get(first_csv)
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(one.text))), "a header row"

    with web.store.engine.connect() as conn:
        downloads = [r.detail for r in conn.execute(select(audit_log)) if r.event == "download"]
    assert f"annual report {year}: report.pdf (draft)" in downloads and f"annual report {year}: tables.zip" in downloads


async def test_a_year_not_offered_is_a_gov_uk_error(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    chooser = await clerk.get("/reports/annual")
    future = FinancialYear(this_year().first + 1).label
    for wrong in (future, "1999-00", "not a year", ""):
        answer = await clerk.post("/reports/annual", data={"csrf_token": csrf_token(chooser.text), "year": wrong})
        assert answer.status_code == 422, wrong
        assert "<title>Error: " in answer.text and "Select a reporting year from the list" in answer.text
        assert 'href="#year"' in answer.text
    by_path = await clerk.get(f"/reports/annual/{future}/download/report.pdf")
    assert by_path.status_code == 422 and "Select a reporting year from the list" in by_path.text


async def test_officers_and_managers_cannot_see_the_annual_report(web):
    year = this_year().label
    for username, roles, directory_id in (("olu", {"officer"}, "io-1"), ("mo", {"manager"}, "tm-1")):
        someone = await web.signed_in(username, roles, directory_id)
        for path in ("/reports/annual", f"/reports/annual/{year}", f"/reports/annual/{year}/report",
                     f"/reports/annual/{year}/download/report.pdf"):
            assert (await someone.get(path)).status_code == 403, (username, path)


async def test_the_report_is_published_with_small_counts_hidden_when_the_council_says_so(web):
    from dataclasses import replace

    clerk = await web.signed_in("clerk", {"clerk"})
    ref = f"CS-{uuid.uuid4().hex[:8].upper()}"
    await web.register(ref)
    year = this_year().label
    page = await clerk.get(f"/reports/annual/{year}")
    assert "Every count is shown as counted" in words(page.text)

    exact = web.app.state.web.settings
    web.app.state.web.settings = replace(exact, report_suppress_below=5)
    try:
        page = await clerk.get(f"/reports/annual/{year}")
        assert "counts from 1 to 4" in words(page.text)
        report = await clerk.get(f"/reports/annual/{year}/report")
        assert "[c] not shown, to protect privacy" in report.text
        tables = await clerk.get(f"/reports/annual/{year}/download/tables.zip")
        names = zipfile.ZipFile(io.BytesIO(tables.content)).namelist()
        assert "summary.json" not in names and "statutory_complainants.csv" in names
        complainants = await clerk.get(f"/reports/annual/{year}/download/statutory_complainants.csv")
        rows = list(csv.DictReader(io.StringIO(complainants.text)))
        # However many complaints the shared test server holds, none below 5 shows.
        assert all(r["complaints"] == "[c]" or int(r["complaints"]) == 0 or int(r["complaints"]) >= 5
                   for r in rows)
    finally:
        web.app.state.web.settings = exact
