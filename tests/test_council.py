"""The council's own identity (issue 9, part 1): one file, validated like the policies,
used by every letter and by the annual report, cached, and read again when it changes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

import council
from council import CouncilError, current, current_file, load_council_file
from models.complaint import COMPLAINANT, Notice, NoticeKind
from notifications.render import render

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = load_council_file(council.EXAMPLE)

OWN = {
    "name": "Barsetshire County Council",
    "address": ["Complaints and Representations", "County Hall", "Barchester", "ZZ9 9ZZ"],
    "telephone": "01632 960123",
    "website": "www.barsetshire.example/complaints",
    "email": "complaints@barsetshire.example",
    "signature": {"name": "Pat Proudie", "role": "Complaints and Representations Manager"},
}


@pytest.fixture(autouse=True)
def no_council_file(monkeypatch, tmp_path):
    """Each test from a folder of its own, with no council file named."""
    monkeypatch.delenv(council.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)


def write(path: Path, data: dict | str) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def touch_later(path: Path, seconds: int = 5) -> None:
    """A modification time of its own, whatever the file system's clock granularity."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


def letter(kind: str = "acknowledgement", **details: str) -> Notice:
    return Notice(
        key=f"{kind}:1", ref="CS-2024-001", stage=1, kind=NoticeKind(kind), to=COMPLAINANT, to_name="Alex Parent",
        to_email="alex@example.org", at=datetime(2024, 4, 9, 9, 0, tzinfo=timezone(timedelta(hours=1))),
        due=date(2024, 4, 12), details={"complainant_type": "parent", **details},
    )


def flat(text: str) -> str:
    return " ".join(text.split())


# -- which file ------------------------------------------------------------------------

def test_with_no_file_the_shipped_example_is_used_and_is_clearly_example_data():
    found = current_file()
    assert found.is_example and found.path == council.EXAMPLE
    assert found.council == EXAMPLE
    assert "Example" in EXAMPLE.name
    assert EXAMPLE.email.endswith("@example.gov.uk") and "example.gov.uk" in EXAMPLE.website
    assert EXAMPLE.telephone.startswith("01632 960")         # Ofcom's numbers for drama


def test_council_yaml_in_the_folder_the_engine_runs_from_is_used(tmp_path):
    write(tmp_path / "council.yaml", OWN)
    found = current_file()
    assert (found.source, found.is_example, found.council.name) == ("council.yaml", False, OWN["name"])
    assert found.council.website == "https://www.barsetshire.example/complaints"   # https:// added
    assert found.council.website_shown == "www.barsetshire.example/complaints"


def test_the_environment_variable_names_the_file_and_comes_first(tmp_path, monkeypatch):
    write(tmp_path / "council.yaml", {**OWN, "name": "Not This Council"})
    named = write(tmp_path / "elsewhere.yaml", OWN)
    monkeypatch.setenv(council.ENVIRONMENT_VARIABLE, str(named))
    assert current().name == OWN["name"]
    monkeypatch.setenv(council.ENVIRONMENT_VARIABLE, str(tmp_path / "missing.yaml"))
    with pytest.raises(CouncilError, match=r"^council file .*missing\.yaml: cannot be read"):
        current()


# -- a file that does not validate is refused, naming it and the field ---------------------

BAD = [
    ("email", {"email": "complaints at barsetshire"}, "field email: .*not an email address"),
    ("telephone as a number", {"telephone": 1632960123}, "field telephone: .*write it in quotes"),
    ("telephone", {"telephone": "ring the town hall"}, "field telephone: .*not a telephone number"),
    ("website", {"website": "ftp://barsetshire.example"}, "field website: .*not a web address"),
    ("name", {"name": "Barsetshire\nCounty Council"}, "field name: .*line break"),
    ("blank name", {"name": "  "}, "field name: .*is empty"),
    ("no address", {"address": []}, "field address: "),
    ("address line", {"address": ["County Hall", ""]}, r"field address\.1: .*is empty"),
    ("signature role", {"signature": {"name": "Pat Proudie"}}, r"field signature\.role: Field required"),
    ("misspelt field", {"emial": "x@barsetshire.example"}, "field emial: Extra inputs are not permitted"),
]


@pytest.mark.parametrize("what, change, message", BAD, ids=[b[0] for b in BAD])
def test_a_council_file_with_a_bad_field_is_refused_naming_the_file_and_the_field(tmp_path, what, change, message):
    path = write(tmp_path / "council.yaml", {**OWN, **change})
    with pytest.raises(CouncilError, match=rf"^council file {path}: .*{message}"):
        load_council_file(path)
    with pytest.raises(CouncilError, match=rf"^council file council\.yaml: .*{message}"):
        current()


def test_a_missing_field_and_a_file_that_is_not_yaml_are_named(tmp_path):
    write(tmp_path / "council.yaml", {k: v for k, v in OWN.items() if k != "signature"})
    with pytest.raises(CouncilError, match=r"^council file council\.yaml: field signature: Field required"):
        current()
    write(tmp_path / "council.yaml", "name: [Barsetshire\n")
    with pytest.raises(CouncilError, match=r"^council file council\.yaml: not valid YAML"):
        current()


# -- cheap, and fresh when the file changes ------------------------------------------------

def test_the_file_is_read_once_while_it_is_unchanged(tmp_path, monkeypatch):
    write(tmp_path / "council.yaml", OWN)
    reads = []
    real = council.load_council_file
    monkeypatch.setattr(council, "load_council_file", lambda path: reads.append(path) or real(path))
    first = current()
    for _ in range(200):                     # the record activity renders every letter
        render(letter())
    assert current() is first and len(reads) == 1


def test_an_edited_file_is_seen_by_the_next_letter_without_a_restart(tmp_path):
    path = write(tmp_path / "council.yaml", OWN)
    assert OWN["name"] in flat(render(letter()).text)
    write(path, {**OWN, "name": "Barsetshire Unitary Council", "telephone": "01632 960999"})
    touch_later(path)
    text = flat(render(letter()).text)
    assert "Barsetshire Unitary Council" in text and "01632 960999" in text
    assert "Barsetshire County Council" not in text


def test_a_file_broken_while_running_fails_the_letter_not_the_record_and_mending_it_is_enough(tmp_path):
    from activities.record import outbox_mail

    path = write(tmp_path / "council.yaml", OWN)
    assert outbox_mail(letter()).failure is None
    write(path, {**OWN, "email": "nobody"})
    touch_later(path)
    failed = outbox_mail(letter())
    assert failed.failure.startswith("the acknowledgement letter could not be written: CouncilError: "
                                     "council file council.yaml: field email")
    write(path, OWN)
    touch_later(path, 10)
    assert outbox_mail(letter()).failure is None


# -- every letter, and the report, use it ----------------------------------------------------

@pytest.mark.parametrize("kind", ["acknowledgement", "withdrawal_confirmation", "overdue"])
def test_a_councils_own_file_signs_and_heads_its_letters(tmp_path, kind):
    write(tmp_path / "council.yaml", OWN)
    mail = render(letter(kind))
    text = flat(mail.text)
    assert OWN["name"] in text and all(line in text for line in OWN["address"])
    assert OWN["telephone"] in text and OWN["email"] in text and "www.barsetshire.example/complaints" in text
    assert f"{OWN['signature']['name']} {OWN['signature']['role']} {OWN['name']}" in text
    assert EXAMPLE.name not in text and "the council" not in text
    assert f"<p style=\"color:#505a5f; font-size:14px;\">{OWN['name']}:" in mail.html
    assert 'href="https://www.barsetshire.example/complaints"' in mail.html
    assert f'href="mailto:{OWN["email"]}"' in mail.html


def test_what_the_council_typed_is_escaped_in_html(tmp_path):
    write(tmp_path / "council.yaml", {**OWN, "name": "<b>Barsetshire</b> & Co",
                                      "signature": {"name": "<i>Pat</i>", "role": "Manager"}})
    page = render(letter()).html
    assert "<b>Barsetshire</b>" not in page and "&lt;b&gt;Barsetshire&lt;/b&gt; &amp; Co" in page
    assert "<i>Pat</i>" not in page


def _report_html(tmp_path: Path) -> str:
    from reports.annual_report import build, write as write_report
    from reports.history import load_history
    from reports.year import FinancialYear
    from store.record_store import RecordStore

    store = RecordStore(f"sqlite:///{tmp_path / 'records.db'}")
    store.create_schema()
    try:
        history = load_history(REPO / "reports" / "examples" / "reference-history.yaml")
        report = build(store, FinancialYear(2023), history, as_of=date(2024, 9, 30), draft=True)
    finally:
        store.close()
    write_report(report, tmp_path / "report")
    return (tmp_path / "report" / "report.html").read_text()


def test_the_annual_report_is_titled_with_the_councils_name_and_gives_its_contacts(tmp_path):
    page = _report_html(tmp_path)
    # A draft (no commentary here): its title begins "Draft: ", then the council's name.
    assert f"{EXAMPLE.name}: Children's Complaints and Representations, Annual Report 2023-24</title>" in page
    assert f'<p class="council">{EXAMPLE.name}</p>' in page
    assert "Reference council" not in page                # the history file's, no longer the report's
    assert EXAMPLE.telephone in page and EXAMPLE.email in page and EXAMPLE.website_shown in page
    write(tmp_path / "council.yaml", OWN)
    (tmp_path / "own").mkdir()
    page = _report_html(tmp_path / "own")
    assert f"<title>Draft: {OWN['name']}: " in page and EXAMPLE.name not in page


# -- make up ships the example and says so ------------------------------------------------

def test_the_banner_names_the_council_and_says_when_it_is_the_example(tmp_path):
    from stack.settings import StackSettings
    from stack.up import banner
    from workflows.engine import TemporalSettings

    s = StackSettings.from_env({})
    text = banner(s, TemporalSettings(), {})
    assert f"Council          {EXAMPLE.name}, from " in text and "example data" in text
    assert "council.yaml" in text and council.ENVIRONMENT_VARIABLE in text
    write(tmp_path / "council.yaml", OWN)
    text = banner(s, TemporalSettings(), {})
    assert f"Council          {OWN['name']}, from council.yaml (read again whenever it changes)" in text


def test_make_up_refuses_a_council_file_that_does_not_validate_before_starting_anything(tmp_path):
    from notifications.sink import free_port

    write(tmp_path / "council.yaml", {**OWN, "telephone": "ring the town hall"})
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    temporal, ui, smtp = sorted(ports)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COMPLAINTS_", "TEMPORAL_", "SMTP_")) and k != "DATABASE_URL"}
    env.update(TEMPORAL_PORT=str(temporal), TEMPORAL_UI_PORT=str(ui), SMTP_PORT=str(smtp), PYTHONUNBUFFERED="1")
    done = subprocess.run([sys.executable, "-m", "stack.up"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert [line for line in done.stderr.splitlines() if line.startswith("make up:")] == [
        "make up: council file council.yaml: field telephone: Value error, is not a telephone number: "
        "write its digits and spaces, such as 01632 960000"
    ]
    assert not (tmp_path / "var").exists()
