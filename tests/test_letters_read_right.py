"""Letters that say the right thing (issue 9, part 2), read as the family reads them.

Every notice the rules send in a complaint's whole life (tests/test_every_letter.py's
LIFE and PROCEEDINGS) is rendered, for a child and for a parent, under each built-in
procedure, and written to ``tests/artifacts/letters/<procedure>/<complainant>/<kind>.txt``
and ``.html`` for review. Then each fault found in the letters sent is checked gone:

- no "Due date" as if one were pending once the stage is answered or the complaint
  withdrawn (the notice still carries the answered stage's old deadline);
- "the law allows us to pause it" only under the statutory procedure;
- stage names in plain English mid-sentence ("our response at stage 1 (local
  resolution)", never "our Local resolution response" or "at Review panel"), and no "::";
- the response letter says where the response is (sent separately, by whom, dated the
  day of the notice) and how to ask for another copy;
- the stage 3 letter promises the letters the rules do send (panel_held_letter,
  panel_report_letter);
- the council's name, address, telephone, email and signature in every letter.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

import pytest

import council
from models.complaint import COMPLAINANT, NoticeKind
from notifications.render import long_date, render
from tests.test_every_letter import LIFE, PROCEEDINGS, live
from tests.test_rules import POLICIES

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "letters"
COMPLAINANTS = {"child": "child", "parent": "parent"}       # a child, and an adult
EXAMPLE = council.load_council_file(council.EXAMPLE)


@pytest.fixture(autouse=True)
def example_council(monkeypatch):
    """The shipped example, whatever council.yaml the folder the tests run from holds."""
    monkeypatch.setenv(council.ENVIRONMENT_VARIABLE, str(council.EXAMPLE))


def flat(text: str) -> str:
    return " ".join(text.split())


def html_words(page: str) -> str:
    """What a reader sees of the HTML part: its text, without tags or the <title>."""
    body = page.split("<body", 1)[1]
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def phrases(mail) -> list[str]:
    """The letter's sentences as a reader meets them: each paragraph of the text (its
    wrapped lines joined, a table's rows apart) and each run of the HTML between tags."""
    text = re.split(r"\n\s*\n|\n(?=  )", mail.text)
    page = html.unescape(re.sub(r"<[^>]+>", "\n", mail.html.split("<body", 1)[1])).split("\n")
    return [mail.subject] + [flat(p) for p in text + page if p.strip()]


def letters(policy: str, complainant_type: str) -> list:
    """(notice, mail) for every notice of a whole life, in the order they were sent."""
    notices = live(policy, complainant_type, LIFE) + live(policy, complainant_type, PROCEEDINGS)
    return [(n, render(n)) for n in notices]


ALL = [(policy, who) for policy in sorted(POLICIES) for who in COMPLAINANTS]


@pytest.fixture(scope="module")
def written() -> dict[tuple[str, str], list]:
    """Every letter of every procedure, for a child and a parent; written out for review."""
    found = {}
    for policy, who in ALL:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv(council.ENVIRONMENT_VARIABLE, str(council.EXAMPLE))
            found[(policy, who)] = sent = letters(policy, who)
        folder = ARTIFACTS / policy / who
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.*"):
            old.unlink()
        seen: dict[str, set[int]] = defaultdict(set)
        for notice, mail in sent:
            # The first of each kind at each stage; a resubmission's acknowledgement apart.
            name = str(notice.kind)
            if notice.details.get("resubmitted"):
                name += "-resubmitted"
            elif seen[name] and notice.stage not in seen[name]:
                name += f"-stage{notice.stage}"
            elif seen[name]:
                continue
            seen[str(notice.kind)].add(notice.stage)
            if (folder / f"{name}.txt").exists():
                continue
            (folder / f"{name}.txt").write_text(f"Subject: {mail.subject}\n\n{mail.text}")
            (folder / f"{name}.html").write_text(mail.html)
    return found


def test_every_kind_is_written_out_for_review(written):
    statutory_child = ARTIFACTS / "children-statutory" / "child"
    for kind in NoticeKind:
        assert (statutory_child / f"{kind}.txt").is_file() and (statutory_child / f"{kind}.html").is_file(), kind
    for policy, who in ALL:
        assert (ARTIFACTS / policy / who / "acknowledgement.txt").is_file()
        assert len(list((ARTIFACTS / policy / who).glob("*.txt"))) >= 10


# -- the council in every letter -----------------------------------------------------------

@pytest.mark.parametrize("policy, who", ALL)
def test_every_letter_names_the_council_with_its_address_and_contacts(written, policy, who):
    for notice, mail in written[(policy, who)]:
        for body in (flat(mail.text), html_words(mail.html)):
            assert EXAMPLE.name in body, notice.kind
            for line in EXAMPLE.address:
                assert line in body, (notice.kind, line)
            for contact in (EXAMPLE.telephone, EXAMPLE.email, EXAMPLE.website_shown):
                assert contact in body, (notice.kind, contact)
            assert "the council" not in body.replace("the council's", ""), notice.kind
        assert EXAMPLE.name in mail.html.split("<body", 1)[1].split("</p>", 1)[0], "the letter's heading"


@pytest.mark.parametrize("policy, who", ALL)
def test_letters_to_the_family_are_signed_by_the_councils_signatory(written, policy, who):
    for notice, mail in written[(policy, who)]:
        signed = (f"{EXAMPLE.signature.name} {EXAMPLE.signature.role} {EXAMPLE.name}")
        if notice.to == COMPLAINANT:
            assert signed in flat(mail.text) and signed in html_words(mail.html), notice.kind
            assert "The complaints team at" not in flat(mail.text), notice.kind
        else:
            assert f"The complaints team at {EXAMPLE.name}" in flat(mail.text), notice.kind


# -- no due date once nothing is due ------------------------------------------------------

@pytest.mark.parametrize("policy, who", ALL)
def test_no_due_date_once_the_stage_is_answered_or_the_complaint_withdrawn(written, policy, who):
    checked = set()
    for notice, mail in written[(policy, who)]:
        if notice.kind not in ("response_issued", "withdrawal_confirmation", "learning_reminder"):
            continue
        checked.add(notice.kind)
        assert notice.due is not None, "the rules still carry the answered stage's deadline"
        for body in (flat(mail.text), html_words(mail.html)):
            assert "Due date" not in body and "Response due" not in body, notice.kind
            if notice.kind != "learning_reminder":
                assert long_date(notice.due) not in body, (notice.kind, notice.due)
        if notice.kind == "withdrawal_confirmation":
            assert f"Withdrawn: on {long_date(notice.at)}, as you asked. Nothing more is due from us." in flat(mail.text)
        if notice.kind == "response_issued":
            assert f"sent on {long_date(notice.at)}" in flat(mail.text)
    assert checked == {"response_issued", "withdrawal_confirmation", "learning_reminder"}


@pytest.mark.parametrize("policy, who", ALL)
def test_a_pending_due_date_is_still_in_every_other_letter(written, policy, who):
    for notice, mail in written[(policy, who)]:
        if notice.kind in ("response_issued", "withdrawal_confirmation", "learning_reminder"):
            continue
        text = flat(mail.text)
        if notice.due is not None:
            assert f"Due date: {long_date(notice.due)}" in text, notice.kind
            if notice.due < notice.at.date():
                assert "this date has passed" in text, notice.kind
        else:
            assert "Due date: none" in text, notice.kind


# -- pausing: the law, or the council's own procedure -------------------------------------

@pytest.mark.parametrize("kind", ["suspension_letter", "discontinuation_letter"])
@pytest.mark.parametrize("who", COMPLAINANTS)
def test_only_the_statutory_procedure_says_the_law_allows_a_pause(written, kind, who):
    def bodies(policy):
        found = [mail for notice, mail in written[(policy, who)] if notice.kind == kind]
        assert found, (policy, kind)
        return [b for mail in found for b in (flat(mail.text), html_words(mail.html))]

    for body in bodies("children-statutory"):
        assert "the law allows us" in body
    for body in bodies("corporate"):
        assert "law allows" not in body
        assert "our complaints procedure allows us" in body
    assert not [n for n, _ in written[("complaint-handling-code", who)] if n.kind == kind], \
        "the Code never pauses a complaint"


# -- stage names and colons read as plain English -----------------------------------------

@pytest.mark.parametrize("policy, who", ALL)
def test_stage_names_read_as_plain_english_and_no_double_colon(written, policy, who):
    names = [s.name for s in POLICIES[policy].stages]
    for notice, mail in written[(policy, who)]:
        for body in (flat(mail.text), html_words(mail.html)):
            assert "::" not in body and ": :" not in body, notice.kind
            assert "our Local resolution" not in body and "at Review panel" not in body
            assert "go to Investigation" not in body
        for phrase in phrases(mail):
            for name in names:
                # A stage's name, capitalised, after a word in the middle of a sentence.
                assert not re.search(rf"\b[a-z]+ {re.escape(name)}\b", phrase), (notice.kind, name, phrase)


def test_the_statutory_stages_are_named_with_their_numbers(written):
    text = " ".join(flat(mail.text) for _, mail in written[("children-statutory", "parent")])
    for words in ("stage 1 (local resolution)", "stage 2 (investigation)", "stage 3 (review panel)"):
        assert words in text


# -- where the response is ------------------------------------------------------------------

@pytest.mark.parametrize("policy, who", ALL)
def test_the_response_letter_says_where_the_response_is_and_how_to_get_a_copy(written, policy, who):
    responses = [(n, m) for n, m in written[(policy, who)] if n.kind == "response_issued"]
    assert len(responses) == len(POLICIES[policy].stages)
    for notice, mail in responses:
        text = flat(mail.text)
        assert "We have sent you our response" not in text
        assert f"sending it to you separately, dated {long_date(notice.at)}" in text
        sender = notice.details.get("officer_name") or "the complaints team"
        assert f"{sender}" in text
        assert "another copy" in text and EXAMPLE.telephone in text and EXAMPLE.email in text
    *earlier, last = responses
    assert "our final response" in last[1].subject and "Ombudsman" in flat(last[1].text)
    for notice, mail in earlier:
        assert f"our stage {notice.stage} response" in mail.subject


# -- the review panel's letters are the ones promised ------------------------------------

@pytest.mark.parametrize("who", COMPLAINANTS)
def test_the_stage3_letter_promises_the_letters_the_rules_send(written, who):
    sent = written[("children-statutory", who)]
    kinds = [n.kind for n, _ in sent if n.to == COMPLAINANT]
    ack = kinds.index("stage3_acknowledgement")
    assert kinds[ack + 1:ack + 4] == ["panel_held_letter", "panel_report_letter", "response_issued"]
    text = flat(next(m for n, m in sent if n.kind == "stage3_acknowledgement").text)
    assert "as we go" not in text
    assert "when the panel has met" in text and "when we have its recommendations" in text
