"""The annual report as a reader gets it: opened in chromium and printed to PDF.

A generated reference year (`complaints caseload`, then `complaints simulate` through the
real engine) is reported twice by `complaints report`: in full, and as published with
small counts hidden (`--suppress-below 5`). Each opens in Debian's chromium as a file with
nothing going wrong in it and nothing axe-core (WCAG 2.2 AA) finds; each chart has alt text
that says what it shows; the PDF WeasyPrint prints numbers its pages and holds the headline
figures. The PDFs and their first pages as pictures are kept in tests/artifacts/report/.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from cli.main import main
from tests.browser import Visitor, chromium

ROOT = Path(__file__).parent.parent
HISTORY = ROOT / "reports/examples/reference-history.yaml"
ARTIFACTS = Path(__file__).parent / "artifacts" / "report"
SVG = "{http://www.w3.org/2000/svg}"
THRESHOLD = 5
VERSIONS = {"full": [], "published": ["--suppress-below", str(THRESHOLD)]}


@pytest.fixture(scope="module")
def reports(reference_year_store, tmp_path_factory) -> dict[str, Path]:
    _, _, url = reference_year_store
    work = tmp_path_factory.mktemp("report-browser")
    found = {}
    for version, extra in VERSIONS.items():
        out = work / version
        assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url,
                     "--history", str(HISTORY), *extra]) == 0
        found[version] = out
    return found


@pytest.fixture(scope="module")
def pdfs(reports) -> dict[str, Path]:
    """Each version printed by WeasyPrint, as the web app prints it (web/views/reports.py), kept
    with pictures of its first three pages for a person to look at."""
    from weasyprint import HTML

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for version, out in reports.items():
        pdf = ARTIFACTS / f"annual-report-{version}.pdf"
        HTML(filename=str(out / "report.html")).write_pdf(pdf)
        found[version] = pdf
        if shutil.which("pdftoppm"):        # Debian's poppler-utils: pictures only, nothing tested on them
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "3", str(pdf),
                            str(ARTIFACTS / f"annual-report-{version}-page")], check=True, timeout=120)
    return found


def pages_text(pdf: Path) -> list[str]:
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in PdfReader(pdf).pages]


def charts_in(html: str) -> list[tuple[str, ET.Element]]:
    """Every chart in the report: its <img>'s alt text and its SVG."""
    found = []
    for tag in re.findall(r"<img\b[^>]*>", html):
        src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag)
        alt = re.search(r'alt="([^"]*)"', tag)
        assert src, f"an image that is not an embedded chart: {tag[:120]}"
        found.append((alt[1] if alt else "", ET.fromstring(base64.b64decode(src[1]))))
    return found


# ---------------------------------------------------------------------------------- in chromium


@pytest.mark.parametrize("version", list(VERSIONS))
async def test_the_report_opens_in_chromium_with_nothing_wrong_and_axe_finds_nothing(reports, version):
    report = reports[version] / "report.html"
    async with chromium() as browser:
        reader = await Visitor.open(browser, report.parent.as_uri())
        await reader.page.goto(report.as_uri(), wait_until="load")
        broken = await reader.page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)")
        assert broken == [], f"charts that did not draw: {broken}"
        assert "2023-24" in await reader.page.title()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await reader.page.screenshot(path=str(ARTIFACTS / f"annual-report-{version}-screen.png"))
        await reader.assert_accessible(f"report.html ({version})")
        reader.assert_no_problems()
        await reader.close()


@pytest.mark.parametrize("version", list(VERSIONS))
def test_every_chart_has_alt_text_that_says_what_it_shows(reports, version):
    found = charts_in((reports[version] / "report.html").read_text(encoding="utf-8"))
    assert len(found) >= 8
    for alt, svg in found:
        title = (svg.findtext(f"{SVG}title") or "").strip()
        assert alt.strip(), f"the chart {title!r} has no alt text"
        assert alt.strip().rstrip(".").lower() != title.rstrip(".").lower(), \
            f"the chart {title!r} has its title for alt text, not what it shows"
        assert re.search(r"\d", alt), f"the alt text of {title!r} gives no figure: {alt!r}"


def test_the_published_charts_give_no_hidden_count_away(reports):
    """A chart of counts shows a count below the threshold neither as a bar (its tooltip)
    nor in its alt text: the category is starred and the chart says why."""
    html = (reports["published"] / "report.html").read_text(encoding="utf-8")
    small = re.compile(rf"(?<![\d.,£]){'|'.join(str(n) for n in range(1, THRESHOLD))}(?![\d.,%])")
    for alt, svg in charts_in(html):
        title = svg.findtext(f"{SVG}title") or ""
        if "%" in title or "share" in title.lower() or "cost" in title.lower() or "£" in title:
            continue                                        # shares and money are not counts
        for el in svg.iter():
            tip = el.findtext(f"{SVG}title") if el.tag != f"{SVG}svg" else None
            if tip and el.tag != f"{SVG}text":
                value = tip.rsplit(":", 1)[-1].strip()
                assert not small.fullmatch(value), f"{title!r} shows a hidden count: {tip!r}"


# ---------------------------------------------------------------------------------- printed


@pytest.mark.parametrize("version", list(VERSIONS))
def test_every_printed_page_after_the_first_says_which_page_it_is(pdfs, version):
    pages = pages_text(pdfs[version])
    assert len(pages) >= 3
    for n, text in enumerate(pages[1:], start=2):
        assert f"Page {n} of {len(pages)}" in text, f"page {n} of {len(pages)} has no page number: {text[-200:]!r}"


def headline_figures(summary: dict) -> dict[str, str]:
    """The figures a reader looks for in the printed report, as the report writes them."""
    st = summary["statutory"]
    figures = {
        "statutory complaints": f"{st['total']:,} complaints",
        "corporate complaints": f"{summary['corporate']['total']:,} complaints",
        "Ombudsman remedies": f"£{summary['ombudsman']['remedies_gbp']:,.2f}",
        **{f"costs {q}": f"£{v:,.2f}" for q, v in summary["costs_gbp"].items() if v},
        "total costs": f"£{sum(summary['costs_gbp'].values()):,.2f}",
    }
    for group in ("final_stage", "outcomes", "complainants"):
        figures.update({f"statutory {group} {k}": f"{v:,}" for k, v in st[group].items()})
    figures.update({f"statutory {k}": f"{v:,}" for k, v in st.items() if k.startswith("stage1_")})
    figures["corporate answered late"] = f"{summary['corporate']['stage1_beyond_timescale']:,}"
    figures["Ombudsman referrals"] = f"{summary['ombudsman']['referrals']:,}"
    return figures


def test_the_printed_report_holds_every_headline_figure(reports, pdfs):
    summary = json.loads((reports["full"] / "summary.json").read_text())
    text = " ".join(pages_text(pdfs["full"]))
    missing = {what: shown for what, shown in headline_figures(summary).items()
               if not re.search(rf"(?<![\d,.]){re.escape(shown)}(?![\d,]|\.\d)", text)}
    assert not missing, f"the PDF does not say: {missing}"


def test_the_printed_published_report_says_small_counts_are_hidden(pdfs):
    text = " ".join(pages_text(pdfs["published"]))
    assert f"below {THRESHOLD}" in text and "not shown" in text
    assert f"below {THRESHOLD}" not in " ".join(pages_text(pdfs["full"]))
