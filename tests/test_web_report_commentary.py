"""The council's commentary written in the web app: the complaints manager's page with a box
per section of the report, saved to the year's commentary file, and the report showing the
words (inert, whatever was typed); a draft while sections still need them."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from reports.year import FinancialYear
from rules.moments import LONDON
from tests.web_harness import csrf_token
from web.tables import audit_log

REQUIRED = ("introduction", "volume", "advocacy", "timeliness", "learning", "effectiveness", "recommendations",
            "next_steps")


def words(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


def this_year() -> str:
    return FinancialYear.of(datetime.now(LONDON).date()).label


@pytest.fixture
def folder(web, tmp_path):
    """The app's commentary folder, here a test's own."""
    app = web.app.state.web
    app.settings = dataclasses.replace(app.settings, commentary_dir=tmp_path / "commentary")
    return tmp_path / "commentary"


def editor_path(year: str) -> str:
    return f"/reports/annual/{year}/commentary"


def boxes(page_html: str) -> dict[str, str]:
    """Each section's box on the page, by key, with what it holds."""
    return {key: html.unescape(value) for key, value in
            re.findall(r'<textarea[^>]*name="section-([^"]+)"[^>]*>(.*?)</textarea>', page_html, flags=re.S)}


async def save(client, year: str, typed: dict[str, str], *, page_html: str | None = None):
    """Posts the editor's form as a browser does (multipart), each box as typed, the rest as shown."""
    if page_html is None:
        shown = await client.get(editor_path(year))
        assert shown.status_code == 200, shown.text[:500]
        page_html = shown.text
    version = re.search(r'name="version" value="([^"]*)"', page_html).group(1)
    fields = {name: html.unescape(value) for name, value in
              re.findall(r'<textarea[^>]*name="((?:section|stray)-[^"]+)"[^>]*>(.*?)</textarea>', page_html, flags=re.S)}
    fields.update({f"section-{k}": v for k, v in typed.items()})
    parts = {"csrf_token": (None, csrf_token(page_html)), "version": (None, version),
             **{k: (None, v) for k, v in fields.items()}}
    return await client.post(editor_path(year), files=parts)


async def test_the_manager_writes_the_commentary_and_the_report_shows_it(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    year = this_year()

    page = await manager.get(f"/reports/annual/{year}")
    assert page.status_code == 200
    text = words(page.text)
    assert f"Annual report {year} (draft)" in text
    assert "the final report needs the council's commentary in 8 sections still without it" in text
    assert "Introduction" in text and "Write the commentary for" in text
    assert "PDF (A4, draft)" in text
    draft = await manager.get(f"/reports/annual/{year}/report")
    assert "<title>Draft: " in draft.text

    editor = await manager.get(editor_path(year))
    assert editor.status_code == 200
    shown = boxes(editor.text)
    assert set(REQUIRED) <= set(shown), "a box for every section the final report needs"
    keys = list(shown)
    assert keys.index("introduction") < keys.index("volume") < keys.index("next_steps"), "in report order"
    intro = editor.text.split('id="section-introduction-hint"')[1].split("</div>")[0]
    assert "Needed for the final report" in intro and "which procedure applies" in intro
    assert 'enctype="multipart/form-data"' in editor.text

    typed = {key: f"The council's words on {key}." for key in REQUIRED}
    typed["introduction"] = ("A complaint is *an expression of dissatisfaction*.\n\n"
                             "# Who may complain\n\nA child, or **Siobhán O'Brien-Ng** for them.")
    saved = await save(manager, year, typed, page_html=editor.text)
    assert saved.status_code == 303 and saved.headers["location"] == editor_path(year)
    again = await manager.get(editor_path(year))
    assert "The commentary has been saved" in again.text
    assert boxes(again.text)["introduction"] == typed["introduction"]
    on_disk = (folder / f"{year}.md").read_text()
    assert "## Introduction {#introduction}" in on_disk and "Siobhán O'Brien-Ng" in on_disk
    assert not [p for p in folder.iterdir() if p.name != f"{year}.md"], "no temporary file left"

    page = await manager.get(f"/reports/annual/{year}")
    text = words(page.text)
    assert "(draft)" not in text and "PDF (A4)" in text and "Change the commentary" in text
    report = await manager.get(f"/reports/annual/{year}/report")
    assert "<title>Draft" not in report.text
    assert "<em>an expression of dissatisfaction</em>" in report.text and "<h4>Who may complain</h4>" in report.text
    assert "The council's words on next_steps." in report.text
    pdf = await manager.get(f"/reports/annual/{year}/download/report.pdf")
    assert pdf.status_code == 200 and f'filename="annual-report-{year}.pdf"' in pdf.headers["content-disposition"]

    with web.store.engine.connect() as conn:
        lines = [(r.event, r.detail) for r in conn.execute(select(audit_log))]
    saves = [d for e, d in lines if "commentary saved" in d]
    assert saves == [f"annual report {year} commentary saved: {', '.join(REQUIRED)}"], saves
    assert not any("Siobhán" in d or "dissatisfaction" in d for _, d in lines), "codes only, never the words"


async def test_hostile_markdown_is_shown_inert_in_the_report(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    year = this_year()
    hostile = ("<script>alert('x')</script>\n\n[click me](javascript:alert(1))\n\n<img src=x onerror=alert(2)>\n\n"
               "![tracking pixel](https://tracker.example/p.png)\n\nשלום 👍🏽")
    assert (await save(manager, year, {"introduction": hostile})).status_code == 303
    for path in (f"/reports/annual/{year}/report", f"/reports/annual/{year}/commentary/preview"):
        report = await manager.get(path)
        assert report.status_code == 200
        assert "<script>alert" not in report.text and "&lt;script&gt;alert" in report.text
        assert "<img src=x" not in report.text and 'href="javascript' not in report.text
        assert "tracker.example" not in report.text and "[tracking pixel]" in report.text
        assert "שלום 👍🏽" in report.text
        assert "script-src" not in report.headers["content-security-policy"]
    preview = await manager.get(f"/reports/annual/{year}/commentary/preview")
    assert "<title>Draft: " in preview.text, "a preview is always a draft"


async def test_too_long_a_section_is_refused_and_nothing_typed_is_lost(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    year = this_year()
    long = "Siobhán wrote to us. " * 2400        # 50,400 characters
    typed = {"introduction": "Our introduction, kept.", "learning": long, "volume": "A line\n## a new section?"}
    refused = await save(manager, year, typed)
    assert refused.status_code == 422
    assert "<title>Error: " in refused.text and "There is a problem" in refused.text
    text = words(refused.text)
    assert ("The commentary on Learning: what difference have complaints made? must be 50,000 characters or fewer "
            "(it has 50,399)") in text
    assert "must not have a line starting '## '" in text
    assert 'href="#section-learning"' in refused.text and 'href="#section-volume"' in refused.text
    kept = boxes(refused.text)
    assert kept["introduction"] == "Our introduction, kept." and kept["learning"] == long.rstrip()
    assert kept["volume"] == typed["volume"]
    assert not folder.exists() or not any(folder.iterdir()), "nothing saved"


async def test_a_save_by_someone_else_meanwhile_is_not_overwritten(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    other = await web.signed_in("cm2", {"complaints_manager"})
    year = this_year()
    mine = (await manager.get(editor_path(year))).text
    assert (await save(other, year, {"introduction": "The other manager's words."})).status_code == 303
    refused = await save(manager, year, {"volume": "My words."}, page_html=mine)
    assert refused.status_code == 422 and "Someone else saved the commentary" in words(refused.text)
    assert 'href="#save"' in refused.text and boxes(refused.text)["volume"] == "My words."
    on_disk = (folder / f"{year}.md").read_text()
    assert "The other manager's words." in on_disk and "My words." not in on_disk


async def test_only_the_complaints_manager_and_admin_may_write_it(web, folder):
    year = this_year()
    manager = await web.signed_in("cm", {"complaints_manager"})
    token_page = (await manager.get(editor_path(year))).text
    for username, roles, directory_id in (("clerk", {"clerk"}, None), ("olu", {"officer"}, "io-1"),
                                          ("mo", {"manager"}, "tm-1")):
        someone = await web.signed_in(username, roles, directory_id)
        assert (await someone.get(editor_path(year))).status_code == 403, username
        assert (await someone.get(f"{editor_path(year)}/preview")).status_code == 403, username
        own = await someone.get("/")
        token = csrf_token(own.text) if 'name="csrf_token"' in own.text else csrf_token(token_page)
        posted = await someone.post(editor_path(year), data={"csrf_token": token, "section-introduction": "x"})
        assert posted.status_code in (400, 403), username
    clerk = await web.signed_in("clerk2", {"clerk"})
    page = words((await clerk.get(f"/reports/annual/{year}")).text)
    assert "A complaints manager writes the commentary." in page and "Write the commentary" not in page
    admin = await web.signed_in("root", {"admin"})
    assert (await admin.get(editor_path(year))).status_code == 200
    assert not folder.exists(), "nothing saved"


async def test_a_form_without_its_token_changes_nothing(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    year = this_year()
    await manager.get(editor_path(year))
    posted = await manager.post(editor_path(year), files={"section-introduction": (None, "Sneaked in")})
    assert posted.status_code == 400 and "Your form could not be accepted" in posted.text
    assert not folder.exists()


async def test_a_broken_commentary_file_is_named_with_its_line(web, folder):
    manager = await web.signed_in("cm", {"complaints_manager"})
    year = this_year()
    folder.mkdir(parents=True)
    (folder / f"{year}.md").write_text("Words before any section\n## Introduction\n")
    for path in (f"/reports/annual/{year}", editor_path(year)):
        page = await manager.get(path)
        assert page.status_code == 503
        assert f"{year}.md, line 1: text before the first section" in words(page.text)
    # Words under a heading the report does not have: the editor opens, to move or delete them.
    (folder / f"{year}.md").write_text("## Introduction\nKept.\n## Introdcution\nMistyped.\n")
    page = await manager.get(f"/reports/annual/{year}")
    assert page.status_code == 503 and "Introdcution" in words(page.text)
    assert f'href="{editor_path(year)}"' in page.text
    editor = await manager.get(editor_path(year))
    assert editor.status_code == 200 and "Mistyped." in editor.text
    assert (await save(manager, year, {}, page_html=editor.text.replace("Mistyped.", ""))).status_code == 303
    assert "Introdcution" not in (folder / f"{year}.md").read_text()
    assert (await manager.get(f"/reports/annual/{year}")).status_code == 200
