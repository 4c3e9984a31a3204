"""The council's commentary file: read section by section, wrong files refused with their
line, the Markdown shown inert whatever is typed, and written back without losing a word."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from reports.commentary import (
    MAX_BYTES,
    Block,
    Commentary,
    CommentaryError,
    Slot,
    commentary_dir,
    dumps,
    html,
    load,
    parse,
    save,
    slug,
    template,
)

SLOTS = [
    Slot("introduction", "Introduction", True, "the statutory procedure"),
    Slot("volume", "Volume of complaints and representations", True, "the statutory procedure"),
    Slot("service_areas", "Complaints by service area", False, "the statutory procedure"),
    Slot("learning", "Learning: what difference have complaints made?", True, "the statutory procedure"),
    Slot("next_steps", "What the Complaints Team will do next", True, "the statutory procedure"),
]


def get(commentary: Commentary, key: str) -> Block | None:
    slot = next(s for s in SLOTS if s.key == key)
    return commentary.get(slot.key, slot.heading)


def test_a_file_gives_each_section_its_block_by_key_or_by_heading():
    found = parse(
        "# Commentary 2023-24\n\n"
        "## Introduction {#introduction}\n\n"
        "<!-- What a complaint is. -->\n\n"
        "A complaint is an expression of dissatisfaction.\n\n"
        "It may be made by a child.\n"
        "## LEARNING - what difference have complaints made\n"
        "Families were listened to.\n"
        "## Complaints by service area {#service_areas}\n"
        "<!-- Optional. -->\n"
        "## Next steps\n"
        "Train every officer.\n")
    assert get(found, "introduction").text == ("A complaint is an expression of dissatisfaction.\n\n"
                                               "It may be made by a child.")
    assert get(found, "introduction").line == 3
    assert get(found, "learning").text == "Families were listened to."
    assert get(found, "service_areas") is None, "a block with only the note in it is no commentary"
    assert get(found, "next_steps").text == "Train every officer.", "a heading saying the key in words"
    assert get(found, "volume") is None
    assert set(found.match(SLOTS)) == {"introduction", "learning", "next_steps"}


def test_slug_ignores_case_and_punctuation():
    assert slug("Learning: what difference have complaints made?") == slug("learning — WHAT difference, have "
                                                                           "complaints made")
    assert slug("next_steps") == "next-steps"


@pytest.mark.parametrize("text, line, reason", [
    ("# Title\nSome words\n## Introduction\n", 2, "text before the first section"),
    ("## Introduction\nOne\n\n## introduction!\nTwo\n", 4, "given twice (first on line 1)"),
    ("## Introduction {#introduction}\nOne\n## Introduction\nTwo\n", 3, "given twice (first on line 1)"),
    ("## Introduction {#Intro Duction}\n", 1, "is not a section's key"),
    ("## {#introduction}\n", 1, "has no words"),
    ("## Introduction\n<!-- never closed\n\n## Volume\n", 2, "never closed"),
])
def test_a_wrong_file_is_refused_with_its_line_and_why(text, line, reason):
    with pytest.raises(CommentaryError) as refused:
        parse(text)
    assert refused.value.line == line and reason in str(refused.value), str(refused.value)
    assert str(refused.value).startswith(f"line {line}: ")


def test_a_block_for_no_section_or_a_second_block_for_one_is_named_with_its_line():
    with pytest.raises(CommentaryError, match=r"line 3: 'Introdcution' is not a section of this report"):
        parse("## Introduction {#introduction}\nWords\n## Introdcution\nMore\n").match(SLOTS)
    with pytest.raises(CommentaryError, match=r"line 3: the section 'Introduction' is given twice \(first on line 1\)"):
        parse("## Intro {#introduction}\nWords\n## Introduction\nMore\n").match(SLOTS)


def test_a_heading_in_a_note_or_a_code_block_does_not_start_a_section():
    found = parse("<!-- A note before the sections:\n## Introduction\n-->\n# Title\n"
                  "## Introduction\nWords\n```\n## Volume of complaints and representations\n```\n")
    assert [b.heading for b in found.blocks] == ["Introduction"]
    assert "## Volume" in get(found, "introduction").text


def test_files_too_large_not_utf8_or_missing_are_refused_naming_the_file(tmp_path):
    big = tmp_path / "big.md"
    big.write_text("## Introduction\n" + "a" * MAX_BYTES)
    with pytest.raises(CommentaryError, match=r"big\.md: the file is larger than 1 MB"):
        load(big)
    with pytest.raises(CommentaryError, match="larger than 1 MB"):
        parse("## Introduction\n" + "é" * (MAX_BYTES // 2))
    latin = tmp_path / "latin.md"
    latin.write_bytes(b"## Introduction\nWords\nSiobh\xe1n\n")
    with pytest.raises(CommentaryError, match=r"latin\.md, line 3: is not UTF-8 text"):
        load(latin)
    with pytest.raises(CommentaryError, match=r"gone\.md: cannot be read \(No such file or directory\)"):
        load(tmp_path / "gone.md")
    windows = tmp_path / "windows.md"
    windows.write_bytes("\ufeff# Title\r\n## Introduction\r\nSiobhán\r\n".encode())
    assert get(load(windows), "introduction").text == "Siobhán"


def test_hostile_markdown_is_shown_inert():
    shown = html(Block("introduction", "Introduction", (
        "<script>alert(1)</script>\n\n"
        "[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [rel](/admin/users)\n\n"
        "<img src=x onerror=alert(1)>\n\n"
        "![a chart of the year](https://tracker.example/pixel.png)\n\n"
        "<javascript:alert(2)> [web](https://www.example.gov.uk/complaints) [mail](mailto:complaints@example.gov.uk)\n\n"
        "<a href='javascript:alert(3)'>x</a> <div onclick=alert(4)>y</div>"), 1))
    assert "<script" not in shown and "&lt;script&gt;" in shown
    assert "<img" not in shown and "&lt;img src=x onerror=alert(1)&gt;" in shown
    assert "<div" not in shown and "<a href='" not in shown
    hrefs = re.findall(r'href="([^"]*)"', shown)
    assert hrefs == ["https://www.example.gov.uk/complaints", "mailto:complaints@example.gov.uk"]
    assert "pixel.png" not in shown and "[a chart of the year]" in shown, "an image is its words, never fetched"


def test_headings_in_a_block_sit_under_the_sections_heading():
    shown = html(Block("learning", "Learning", "# Themes\n\n## Communication\n\n#### Deep\n\nWords", 1))
    assert "<h4>Themes</h4>" in shown and "<h5>Communication</h5>" in shown and "<h6>Deep</h6>" in shown
    assert not re.search(r"<h[123]", shown)


def test_names_right_to_left_text_and_emoji_come_through_as_written():
    text = "Siobhán O'Brien-Ng thanked Zoë 👍🏽 and שלום עליכם, مرحبا بكم"
    shown = html(Block("introduction", "Introduction", text, 1))
    assert "Siobhán O&#x27;Brien-Ng" in shown or "Siobhán O'Brien-Ng" in shown
    assert "👍🏽" in shown and "שלום עליכם" in shown and "مرحبا بكم" in shown


def test_a_block_of_almost_a_megabyte_is_read_and_shown():
    paragraph = "The team answered every family within the timescale, and learnt from each. " * 13
    text = "## Introduction\n" + ("\n\n".join([paragraph] * 1000))[:MAX_BYTES - 100]
    started = time.monotonic()
    block = get(parse(text), "introduction")
    shown = html(block)
    assert shown.count("<p>") == 1000 and time.monotonic() - started < 20
    hostile = html(Block("x", "x", "[" * 100_000 + "![" * 50_000, 1))
    assert "<a" not in hostile and "<img" not in hostile


def test_the_template_lists_every_section_in_report_order_with_what_to_write():
    text = template(SLOTS, "2023-24")
    assert text.startswith("# Commentary for the annual report 2023-24\n")
    headings = re.findall(r"^## (.*)$", text, flags=re.M)
    assert headings == [f"{s.heading} {{#{s.key}}}" for s in SLOTS]
    intro = text.split("{#introduction}")[1].split("## ")[0]
    assert "Required" in intro and "which procedure applies" in intro
    assert "Required" not in text.split("{#service_areas}")[1].split("## ")[0]
    blank = parse(text)
    assert blank.match(SLOTS) == {}, "a new file has no commentary yet"


def test_written_back_it_reads_the_same_and_keeps_words_for_no_section():
    before = parse("## Introduction\nSiobhán's words.\n\n- one\n- two\n"
                   "## Next steps {#next_steps}\n# Training\nAll officers.\n"
                   "## Old section {#old}\nKept.\n")
    again = parse(dumps(before, SLOTS, "2023-24"))
    assert get(again, "introduction").text == "Siobhán's words.\n\n- one\n- two"
    assert get(again, "next_steps").text == "# Training\nAll officers."
    assert again.get("old", "Old section").text == "Kept."
    with pytest.raises(CommentaryError, match="What the Complaints Team will do next must not have a line "
                                              "starting '## '"):
        dumps(Commentary([Block("next_steps", "x", "Words\n## Sneaky", 1)]), SLOTS, "2023-24")


def test_saving_replaces_the_file_whole(tmp_path):
    path = tmp_path / "commentary" / "2023-24.md"
    save("## Introduction\nOne\n", path)
    save("## Introduction\nTwo\n", path)
    assert path.read_text() == "## Introduction\nTwo\n"
    assert [p.name for p in path.parent.iterdir()] == ["2023-24.md"], "no temporary file left behind"


def test_where_the_commentary_files_are():
    assert commentary_dir({}) == commentary_dir({"COMPLAINTS_VAR_DIR": "var"})
    assert str(commentary_dir({})) == "var/commentary"
    assert str(commentary_dir({"COMPLAINTS_VAR_DIR": "/srv/complaints"})) == "/srv/complaints/commentary"
    assert str(commentary_dir({"COMPLAINTS_COMMENTARY_DIR": "/srv/words"})) == "/srv/words"


# ---------------------------------------------------------------------------------- the command line

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO / "reports" / "examples" / "reference-history.yaml"


@pytest.fixture
def records(tmp_path, monkeypatch):
    """An empty record store: 2023-24 is reported from the history file's figures."""
    from store.record_store import RecordStore

    url = f"sqlite:///{tmp_path / 'records.db'}"
    store = RecordStore(url)
    store.create_schema()
    store.close()
    monkeypatch.setenv("COMPLAINTS_COMMENTARY_DIR", str(tmp_path / "no-commentary-here"))
    return url


def report(url: str, *more: str, out: Path | None = None) -> list[str]:
    argv = ["report", "--year", "2023-24", "--database", url, "--history", str(HISTORY), "--as-of", "2024-09-30"]
    return [*argv, *(["--out", str(out)] if out else []), *more]


def written_in_full(template_text: str, words: dict[str, str]) -> str:
    """The template with words under every section that must have them."""
    blocks = template_text.split("\n## ")
    for i, block in enumerate(blocks[1:], start=1):
        key = re.search(r"\{#([^}]+)\}", block).group(1)
        if "Required" in block:
            blocks[i] = block.rstrip("\n") + "\n\n" + words.get(key, f"The council's words on {key}.") + "\n"
    return "\n## ".join(blocks)


def test_the_template_the_final_report_refused_then_built_with_the_councils_words(records, tmp_path, capsys):
    from cli.main import main

    assert main(report(records, "--commentary-template")) == 0
    on_screen = capsys.readouterr().out
    assert on_screen.startswith("# Commentary for the annual report 2023-24")
    keys = re.findall(r"\{#([^}]+)\}", on_screen)
    assert {"introduction", "volume", "advocacy", "timeliness", "learning", "effectiveness", "recommendations",
            "next_steps"} <= set(keys)
    assert len(keys) == len(set(keys))
    path = tmp_path / "2023-24.md"
    assert main(report(records, "--commentary-template", out=path)) == 0
    assert path.read_text() == on_screen
    assert main(report(records, "--commentary-template", out=path)) == 2, "never over the council's words"
    assert "already exists" in capsys.readouterr().err

    # Without the words, a final report is refused, naming what is missing in words.
    assert main(report(records, "--commentary", str(path), out=tmp_path / "final")) == 2
    refused = capsys.readouterr().err.strip().splitlines()
    assert len(refused) == 1 and refused[0].startswith("complaints: ")
    assert "Introduction" in refused[0] and "--draft" in refused[0] and str(path) in refused[0]
    assert not (tmp_path / "final").exists(), "nothing written"

    # As a draft it is built, marked as one.
    assert main(report(records, "--commentary", str(path), "--draft", out=tmp_path / "draft")) == 0
    said = capsys.readouterr().out
    assert "(draft, commentary from" in said and str(path) in said
    assert "<title>Draft: " in (tmp_path / "draft" / "report.html").read_text()

    path.write_text(written_in_full(on_screen, {
        "introduction": "A complaint is *an expression of dissatisfaction*, made by **Siobhán O'Brien-Ng** "
                        "or anyone for a child.\n\n<script>alert('x')</script> [see](javascript:alert(1))",
        "next_steps": "# Training\n\nEvery investigating officer is trained by April 2025."}))
    out = tmp_path / "published"
    assert main(report(records, "--commentary", str(path), "--pdf", out=out)) == 0
    said = capsys.readouterr().out
    assert said.startswith("annual report 2023-24 (final, commentary from ") and "report.pdf" in said
    page = (out / "report.html").read_text()
    assert "<title>Draft" not in page
    assert "<em>an expression of dissatisfaction</em>" in page and "Siobhán O" in page
    assert "<h4>Training</h4>" in page and "Every investigating officer is trained by April 2025." in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page and 'href="javascript' not in page
    pdf = (out / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Every investigating officer is trained by April 2025." in " ".join(text.split())


def test_the_web_apps_file_for_the_year_is_used_when_none_is_named(records, tmp_path, monkeypatch, capsys):
    from cli.main import main

    assert main(report(records, "--commentary-template")) == 0
    folder = tmp_path / "words"
    folder.mkdir()
    (folder / "2023-24.md").write_text(written_in_full(capsys.readouterr().out, {}))
    monkeypatch.setenv("COMPLAINTS_COMMENTARY_DIR", str(folder))
    assert main(report(records, out=tmp_path / "out")) == 0
    assert f"commentary from {folder / '2023-24.md'}" in capsys.readouterr().out


@pytest.mark.parametrize("content, reason", [
    (b"# Title\nWords before any section\n## Introduction\n", r", line 2: text before the first section"),
    (b"## Introduction\nSiobh\xe1n\n", r", line 2: is not UTF-8 text"),
    (b"## Introduction {#introduction}\nOne\n## Volumes of everything\nTwo\n",
     r"line 3: .*Volumes of everything.* is not a section of"),
    (None, r": cannot be read \(No such file or directory\)"),
])
def test_a_bad_commentary_file_is_one_line_with_the_file_the_line_and_why(records, tmp_path, capsys,
                                                                          content, reason):
    from cli.main import main

    path = tmp_path / "commentary.md"
    if content is not None:
        path.write_bytes(content)
    assert main(report(records, "--commentary", str(path), "--draft", out=tmp_path / "out")) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"complaints: the commentary file {path}")
    assert re.search(reason, lines[0]), lines[0]
    assert not (tmp_path / "out").exists()
