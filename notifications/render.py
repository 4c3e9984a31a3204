"""Turn a Notice into the words of a letter or reminder: a subject, plain text and HTML.

The wording lives in ``templates/`` (one ``<kind>.txt`` and one ``<kind>.html`` per
notification kind, sharing a base layout and snippets). This module only builds the
context the templates read and picks the subject line. The council that signs the
letters, with its contact details, comes from its own file (``council``), read again
only when that file changes; the Ombudsman's details are in ``_ombudsman.*``.

Everything a letter says is derived here from the notice: the rules' ``details`` are
not changed for a letter's sake (saved histories replay against them).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

import council
from models.complaint import COMPLAINANT, COMPLAINTS_TEAM, Notice, NoticeKind
from policies import PolicyError, load_policy_file, policy_dirs

TEMPLATES = Path(__file__).parent / "templates"
WIDTH = 72

# Every kind in procedures.md section 4, with its subject line. The subject names the
# reference (so replies and mail filters find the complaint) and never a person.
SUBJECTS: dict[NoticeKind, str] = {
    NoticeKind.ACKNOWLEDGEMENT: "Your complaint {ref}: we have received it",
    NoticeKind.UNASSIGNED_ALERT: "Complaint {ref} has no investigating officer yet",
    NoticeKind.ASSIGNMENT: "Complaint {ref} is assigned to you: response due {due}",
    NoticeKind.HANDOVER: "Complaint {ref} has been handed over to you: response due {due}",
    NoticeKind.REASSIGNMENT_NOTICE: "Complaint {ref} has been passed to another officer",
    NoticeKind.DUE_SOON: "Complaint {ref}: response due {due}",
    NoticeKind.DUE_TODAY: "Complaint {ref}: response due today",
    NoticeKind.OVERDUE: "Complaint {ref} is overdue: response was due {due}",
    NoticeKind.ESCALATION: "Escalation level {level}: complaint {ref} is overdue",
    NoticeKind.DELAY_LETTER: "Your complaint {ref}: our response is late",
    NoticeKind.EXTENSION_LETTER: "Your complaint {ref}: we need more time to respond",
    NoticeKind.SUSPENSION_LETTER: "Your complaint {ref}: we have paused it",
    NoticeKind.RESUMPTION_LETTER: "Your complaint {ref}: we have restarted it",
    NoticeKind.DISCONTINUATION_LETTER: "Your complaint {ref}: we have stopped looking at it for now",
    NoticeKind.RESPONSE_ISSUED: "Your complaint {ref}: our stage {stage} response",
    NoticeKind.STAGE2_ACKNOWLEDGEMENT: "Your complaint {ref}: we have received your request for stage 2",
    NoticeKind.STAGE3_ACKNOWLEDGEMENT: "Your complaint {ref}: we have received your request for a review panel",
    NoticeKind.INDEPENDENT_PERSON_LETTER: "Your complaint {ref}: an independent person has been appointed",
    NoticeKind.PANEL_HELD_LETTER: "Your complaint {ref}: the review panel has met",
    NoticeKind.PANEL_REPORT_LETTER: "Your complaint {ref}: we have the review panel's recommendations",
    NoticeKind.LEARNING_REMINDER: "Complaint {ref}: please send the lessons-learnt form",
    NoticeKind.WITHDRAWAL_CONFIRMATION: "Your complaint {ref}: withdrawn, as you asked",
}
KINDS: tuple[NoticeKind, ...] = tuple(NoticeKind)

CHILD_TYPES = ("child", "child_with_advocate")

# The last response's subject: nothing comes after it but the Ombudsman.
FINAL_RESPONSE_SUBJECT = "Your complaint {ref}: our final response"

# How an outcome reads to the person who complained: one sentence, one colon.
OUTCOME_SENTENCES = {
    "upheld": "We have upheld your complaint: we agree with it.",
    "partially_upheld": "We have partly upheld your complaint: we agree with some of it, but not all of it.",
    "not_upheld": "We have not upheld your complaint: we do not agree that we got things wrong.",
    "no_finding": "We could not reach a finding on your complaint: we could not decide what happened.",
}

# Kinds written once their stage has been answered: the notice's due date is then the
# answered stage's old deadline (or the next stage's), which nobody waits on from them, so
# the footer and the case table say what is relevant instead; so does a withdrawal's
# footer (_footer.*). The rules keep ``due`` as it was.
ANSWERED_KINDS = frozenset({NoticeKind.RESPONSE_ISSUED, NoticeKind.LEARNING_REMINDER})

# The procedure whose pauses the law allows (reg 8 of SI 2006/1738); any other procedure
# pauses a complaint because the council's own procedure says it may.
STATUTORY_POLICY = "children-statutory"

# Reasons the workflow records as codes; anything else is the council's own words.
REASON_WORDS = {
    "court_proceedings": "court proceedings",
    "police_investigation": "a police investigation",
    "complex": "your complaint is complex",
    "advocate": "we need to arrange an advocate for you",
    "other": "another reason",
}

COMPLAINANT_TYPE_WORDS = {
    "child": "a child or young person",
    "child_with_advocate": "a child or young person, with an advocate",
    "parent": "a parent",
    "family_member": "a family member",
    "foster_carer": "a foster carer",
    "special_guardian": "a special guardian",
    "adopter": "an adopter",
    "professional": "a professional",
    "other": "someone else",
}

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def long_date(value: date | datetime | str | None) -> str:
    """'Wednesday 27 March 2024'. Names are spelt out here, not by the locale, so a
    server set to another language still writes English letters."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value            # the council's own words: print them as given
    if isinstance(value, datetime):
        value = value.date()
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def sentence_start(text: str) -> str:
    """Capitalise only the first letter ('the council' -> 'The council'), unlike
    Jinja's ``capitalize``, which would also lower-case 'Manchester City Council'."""
    return text[:1].upper() + text[1:]


def mid_sentence(text: str) -> str:
    """'Local resolution' -> 'local resolution', for the middle of a sentence; a first
    word in capitals (an acronym: 'LADO review') is left as it is."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return text
    return text[:1].lower() + text[1:]


# A stage's name that only repeats its number ('Stage 1 response'), or says nothing a
# reader needs ('Response'), adds nothing to 'stage 1'.
_SAYS_NOTHING_MORE = {"", "response", "stage"}


def stage_words(number: int, name: str | None) -> str:
    """How a sentence names a stage: 'stage 1 (local resolution)', 'stage 2 (review)',
    or just 'stage 1' (the Code's 'Stage 1 response'), never 'at Local resolution'."""
    plain = f"stage {number}"
    rest = re.sub(rf"^stage\s*{number}\b", "", (name or "").strip(), flags=re.IGNORECASE)
    rest = rest.strip(" ()-:,.")
    if rest.lower() in _SAYS_NOTHING_MORE:
        return plain
    return f"{plain} ({mid_sentence(rest)})"


def _words(mapping: dict[str, str]):
    return lambda code: mapping.get(code or "", code or "")


def _outcome_sentence(code: str | None) -> str:
    return OUTCOME_SENTENCES.get(code or "") or f"The outcome is {code or 'not recorded'}."


# policy file -> ((mtime_ns, size), its title or None): read again only when it changes.
_TITLES: dict[Path, tuple[tuple[int, int], str | None]] = {}


def _statutory_titles() -> set[str]:
    """The statutory procedure's title, as each policy folder's file gives it (a council's
    own, and the built-in one a complaint's older copy may carry)."""
    titles = set()
    for folder in policy_dirs():
        path = folder / f"{STATUTORY_POLICY}.yaml"
        try:
            st = path.stat()
        except OSError:
            continue
        stamp = (st.st_mtime_ns, st.st_size)
        cached = _TITLES.get(path)
        if cached is None or cached[0] != stamp:
            try:
                title: str | None = load_policy_file(path).title
            except PolicyError:
                title = None
            cached = _TITLES[path] = (stamp, title)
        if cached[1]:
            titles.add(cached[1])
    return titles


def is_statutory(details: dict[str, str]) -> bool:
    """Whether the notice is under the children's statutory procedure, known by its
    policy's title (the only thing about the policy a notice carries)."""
    title = details.get("policy_title")
    return bool(title) and title in _statutory_titles()


@lru_cache(maxsize=1)
def environment() -> Environment:
    """One Environment for the process: it caches the compiled templates."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,      # a misspelt variable fails the tests, not a letter
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["sentence_start"] = sentence_start
    env.filters["outcome_sentence"] = _outcome_sentence
    env.filters["reason_words"] = _words(REASON_WORDS)
    env.filters["complainant_type_words"] = _words(COMPLAINANT_TYPE_WORDS)
    return env


def _subject(notice: Notice, final: bool) -> str:
    due = long_date(notice.due) if notice.due else "(clock paused)"
    template = FINAL_RESPONSE_SUBJECT if final else SUBJECTS[notice.kind]
    subject = template.format(
        ref=notice.ref, due=due, stage=notice.stage,
        level=(notice.details or {}).get("level") or "1",
    )
    # A header must be one line, whatever a detail contained.
    return re.sub(r"\s+", " ", subject).strip()


def context(notice: Notice) -> dict:
    """What every template may read. ``details`` stays a dict so templates use
    ``details.get(...)``: every detail is optional."""
    details = {k: v for k, v in (notice.details or {}).items() if v is not None}
    stage = notice.stage
    name = details.get("stage_name")
    answered_stage = str(details.get("learning_stage") or "")
    if notice.kind == NoticeKind.LEARNING_REMINDER and answered_stage.isdigit() and int(answered_stage) != stage:
        # The form is for the stage the officer answered; the complaint may have moved on.
        stage, name = int(answered_stage), None
    is_child = details.get("complainant_type") in CHILD_TYPES
    to_complainant = notice.to == COMPLAINANT
    by_post = to_complainant and details.get("write_by") == "post"
    final = notice.kind == NoticeKind.RESPONSE_ISSUED and not details.get("escalate_by")
    return {
        "notice": notice,
        "ref": notice.ref,
        "stage": stage,
        # 'stage 1 (local resolution)': how every sentence names the stage.
        "stage_words": stage_words(stage, name),
        "kind": notice.kind,
        "to": notice.to,
        "to_name": notice.to_name,
        "at": notice.at,
        "due": notice.due,
        # The due date is behind us: the letter says the response is late, not that it is coming.
        "due_passed": notice.due is not None and notice.due < notice.at.date(),
        "answered": notice.kind in ANSWERED_KINDS,
        "final": final,
        "details": details,
        "council": council.current(),
        "statutory": is_statutory(details),
        "is_child": is_child,
        "has_advocate": details.get("complainant_type") == "child_with_advocate",
        "to_complainant": to_complainant,
        # 'Dear' in a letter to an adult; 'Hello' to a child or a colleague.
        "salutation": "Dear" if to_complainant and not is_child else "Hello",
        "to_team": notice.to == COMPLAINTS_TEAM,
        # How the family is written to (the record activity says): a posted letter cannot
        # be answered by replying to it.
        "by_post": by_post,
        "reply": "write to us (our address is below)" if by_post else "reply to this email",
        "reply_or_write": "write to us (our address is below)" if by_post else "reply to this email or write to us",
        "subject": _subject(notice, final),
    }


# Phrases a line break must not split: a reader (or a search) looks for the whole date.
_UNBREAKABLE = re.compile(
    r"(?:%s) \d{1,2} (?:%s) \d{4}|\bstage \d\b|\b\d+ working days\b"
    % ("|".join(_DAYS), "|".join(_MONTHS))
)
_GLUE = "\x00"


def _wrap(line: str) -> str:
    # Templates keep one paragraph to a line; mail readers want about 72 characters.
    # Indented lines (the case facts, the Ombudsman's details) keep their indent.
    if len(line) <= WIDTH:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    glued = _UNBREAKABLE.sub(lambda m: m.group(0).replace(" ", _GLUE), line.strip())
    wrapped = textwrap.fill(glued, width=WIDTH, initial_indent=indent,
                            subsequent_indent=indent, break_long_words=False,
                            break_on_hyphens=False)
    return wrapped.replace(_GLUE, " ")


def _tidy_text(text: str) -> str:
    # Optional details leave blank lines behind; keep at most one between paragraphs.
    lines = [_wrap(line.rstrip()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def render(notice: Notice) -> RenderedMail:
    if notice.kind not in SUBJECTS:
        raise ValueError(f"no template for notification kind {notice.kind!r}")
    env = environment()
    ctx = context(notice)
    return RenderedMail(
        subject=ctx["subject"],
        text=_tidy_text(env.get_template(f"{notice.kind}.txt").render(ctx)),
        html=env.get_template(f"{notice.kind}.html").render(ctx),
    )
