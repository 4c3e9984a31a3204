"""What each field of a registration, an action or a compliment may hold, checked at the door.

A value the record store, the mail server or Temporal cannot carry must be refused when
a clerk types it, not found later by a record activity that retries for ever (a complaint
registered but never recorded, its letters never sent). So every field is checked the
same way on every path, and on both databases, before anything is started or written:
``complaints register`` (flags and file), every action command, ``complaints simulate``
(its scenario, before anything runs), ``complaints compliment``, the record store's own
``record_*`` methods, and the rules' checks, so an Update sent by any client is refused
by its validator.

The limits follow ``store.schema``: references, officer ids, policy names, channels and
codes fit its ``String(64)`` columns; names, teams and one-line texts are at most 200
characters; free text (the lessons learnt, a reason's detail, a withdrawal's reason) at
most 10,000 characters. No field holds NUL or another control character (PostgreSQL
takes no NUL; a line break in a name breaks the letter's To: header); only free text may
hold line breaks and tabs. Email addresses are ASCII (the mail path does not speak
SMTPUTF8) and well formed. Dates are from 2000 on and at most ten years ahead of the day
the action is taken; amounts are finite and at most £1,000,000 (the store keeps
``Numeric(12, 2)``, below £10,000,000,000, and no stage 2 or 3 costs a million).

Each check is a plain function returning why a value cannot be taken (or None);
``FieldProblem`` names the field as the record does (``complainant.email``,
``officers.2.name``), for the caller to show in one line.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from models import actions as a
from models.complaint import WRITE_BY

IDENTIFIER_MAX = 64          # store.schema: String(64) (ref, officer ids, policy, channel, codes)
LINE_MAX = 200               # a name, a team, a service area, a reason's code: one line
FREE_TEXT_MAX = 10_000       # the lessons learnt, a reason's detail: line breaks allowed
EMAIL_MAX = 254              # RFC 5321's limit on a forward path, less its angle brackets
EMAIL_LOCAL_MAX = 64
REASONS_MAX = 50
EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10
MAX_AMOUNT_GBP = 1_000_000   # store.schema: Numeric(12, 2) holds less than 10,000,000,000
# The workflow's input carries the registration with the council's directory and the
# policy; Temporal refuses a payload of about 2 MB, so the directory is kept well below.
REGISTRATION_MAX_CHARS = 1_000_000

# NUL and the other C0/C1 controls, DEL, the Unicode line and paragraph separators, and
# lone surrogates (which no database or mail encoding can carry).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_UNSAFE_IN_FREE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"
_IDENTIFIER = re.compile(r"[!-~]+")     # printable ASCII, no spaces: it goes into mail headers
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class FieldProblem:
    """Why the value of ``field`` cannot be taken, in words for a clerk."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"field {self.field}: {self.reason}"


# A check: the value, and the day the action is taken (None: not known, no bound ahead).
Check = Callable[[Any, "date | None"], "str | None"]


# ---------------------------------------------------------------------------------- values


def _characters(value: str, *, free_text: bool) -> str | None:
    found = (_UNSAFE_IN_FREE_TEXT if free_text else _UNSAFE).search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "has a NUL character; take it out"
    if char in _LINE_BREAKS:
        return "has a line break; write it on one line"
    if "\ud800" <= char <= "\udfff":
        return "has a broken character (a lone surrogate); type it again"
    return f"has a control character (U+{ord(char):04X}); take it out"


def text_problem(value: Any, limit: int = LINE_MAX, *, free_text: bool = False) -> str | None:
    """A text of at most ``limit`` characters: one line, or (``free_text``) with line breaks."""
    if not isinstance(value, str):
        return "is not text"
    if len(value) > limit:
        return f"is {len(value):,} characters long; at most {limit:,}"
    return _characters(value, free_text=free_text)


def identifier_problem(value: Any) -> str | None:
    """A reference or an officer's id: printable ASCII without spaces, at most 64 characters."""
    if (problem := text_problem(value, IDENTIFIER_MAX)) is not None:
        return problem
    if not value:
        return "is empty"
    if not _IDENTIFIER.fullmatch(value):
        if any(c.isspace() for c in value):
            return "has a space; write it without spaces"
        return "has characters other than ASCII letters, digits and punctuation"
    return None


def name_problem(value: Any) -> str | None:
    """A person's name: one line, at most 200 characters, not blank."""
    if (problem := text_problem(value, LINE_MAX)) is not None:
        return problem
    if not value.strip():
        return "is empty; a name is needed"
    return None


def email_problem(value: Any) -> str | None:
    """An email address the council's mail can send to: ASCII, one @, a real domain."""
    if (problem := text_problem(value, EMAIL_MAX)) is not None:
        return problem
    if not value:
        return "is empty; an email address is needed"
    if not value.isascii():
        return ("has characters other than ASCII, which the council's mail cannot send to; "
                "ask for an address without them")
    if any(c.isspace() for c in value):
        return "is not an email address: it has a space"
    if value.count("@") != 1:
        return f"is not an email address: it has {'no' if '@' not in value else 'more than one'} @"
    local, domain = value.split("@")
    if not local:
        return "is not an email address: nothing comes before the @"
    if len(local) > EMAIL_LOCAL_MAX:
        return f"is not an email address: more than {EMAIL_LOCAL_MAX} characters come before the @"
    if not _LOCAL_PART.fullmatch(local):
        return "is not an email address: the part before the @ has characters or dots an address cannot have"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return "is not an email address: the part after the @ is not a domain such as example.org"
    return None


def day_problem(value: Any, today: date | None, *, future: bool = True) -> str | None:
    """A plausible date: from 2000 on, at most ten years after ``today`` (not after it at
    all unless ``future``); without ``today`` only the lower bound is checked."""
    if not isinstance(value, date):
        return "is not a date (YYYY-MM-DD)"
    day = value.date() if isinstance(value, datetime) else value
    if day < EARLIEST:
        return f"{day} is before {EARLIEST.year}; is the year right?"
    if today is not None:
        if not future and day > today:
            return f"{day} is a day still to come"
        if day > today + timedelta(days=round(365.25 * YEARS_AHEAD)):
            return f"{day} is more than {YEARS_AHEAD} years ahead; is the year right?"
    return None


def _pounds(value: float) -> str:
    return f"£{value:,.2f}" if abs(value) < 1e15 else f"£{value:g}"


def amount_problem(value: Any, limit: float = MAX_AMOUNT_GBP) -> str | None:
    """A sum of money in pounds: a finite number, at most ``limit`` (its sign is the rules')."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "is not an amount of money"
    if not math.isfinite(value):
        return f"{value} is not an amount of money; give a number of pounds"
    if value > limit:
        return f"{_pounds(value)} is more than {_pounds(limit)}, too much to be right"
    return None


# The kinds of field, as checks of (value, today); None is "not given", for the rules to judge.

def _optional(check: Callable[[Any], str | None]) -> Check:
    return lambda value, today: None if value is None else check(value)


identifier = _optional(identifier_problem)
code = _optional(lambda value: text_problem(value, IDENTIFIER_MAX))          # an enumerated value
line = _optional(lambda value: text_problem(value, LINE_MAX))
short_line = _optional(lambda value: text_problem(value, IDENTIFIER_MAX))    # a String(64) column
free_text = _optional(lambda value: text_problem(value, FREE_TEXT_MAX, free_text=True))
person = line          # a blank name is the rules' to refuse ("the independent person's name is needed")
flag = _optional(lambda value: None if isinstance(value, bool) else "is not true or false")
stage_number = _optional(
    lambda value: None if isinstance(value, int) and not isinstance(value, bool) else "is not a stage number")


RECOMMENDATIONS_MAX = 30
RECOMMENDATION_MAX = 1_000   # a sentence or two, on one line
LATE_REASONS_MAX = 100


def _list_of(check: Callable[[Any], str | None], most: int, what: str) -> Check:
    """A list (None: not given) of at most ``most`` values, each passing ``check``."""
    def checked(values: Any, today: date | None) -> str | None:
        if values is None:
            return None
        if not isinstance(values, list):
            return "is not a list"
        if len(values) > most:
            return f"has {len(values)} {what}; at most {most}"
        for i, value in enumerate(values, start=1):
            if (why := check(value)) is not None:
                return f"{what} {i} {why}"
        return None
    return checked


recommendations = _list_of(lambda v: text_problem(v, RECOMMENDATION_MAX), RECOMMENDATIONS_MAX, "recommendations")
codes = _list_of(lambda v: text_problem(v, IDENTIFIER_MAX), LATE_REASONS_MAX, "codes")


def day(value: Any, today: date | None) -> str | None:
    return None if value is None else day_problem(value, today)


def amount(value: Any, today: date | None) -> str | None:
    return None if value is None else amount_problem(value)


# ---------------------------------------------------------------------------------- records


def _fields(record: Any, kinds: dict[str, Check], today: date | None, prefix: str = "") -> FieldProblem | None:
    for name, check in kinds.items():
        reason = check(getattr(record, name, None), today)
        if reason is not None:
            return FieldProblem(prefix + name, reason)
    return None


OFFICER = {"id": lambda v, t: identifier_problem(v), "name": lambda v, t: name_problem(v),
           "email": lambda v, t: email_problem(v), "manager": identifier}


def directory_problem(officers: Iterable[Any] | None, complaints_team_email: str | None = None,
                      field: str = "officers") -> FieldProblem | None:
    """The council's directory: each officer's id, name, email and manager; the team's address."""
    listed = list(officers or [])
    for i, officer in enumerate(listed):
        if (problem := _fields(officer, OFFICER, None, f"{field}.{i}.")) is not None:
            return problem
    if complaints_team_email is not None and (reason := email_problem(complaints_team_email)) is not None:
        return FieldProblem("complaints_team.email", reason)
    size = sum(len(json.dumps(dataclasses.asdict(o) if dataclasses.is_dataclass(o) else vars(o)))
               for o in listed)
    if size > REGISTRATION_MAX_CHARS // 2:
        return FieldProblem(field, f"the council's directory is {size:,} characters long, too large to go with "
                                   f"each complaint (at most {REGISTRATION_MAX_CHARS // 2:,})")
    return None


COMPLAINANT = {"name": lambda v, t: name_problem(v), "type": code}

ADDRESS_LINES_MAX = 7
ADDRESS_LINE_MAX = 100
# A UK postcode (the format the Royal Mail's PAF uses), the last line of an address.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", re.IGNORECASE)


def address_problem(value: Any) -> str | None:
    """A postal address a letter can go to: two to seven lines, the UK postcode last."""
    if not isinstance(value, str):
        return "is not a postal address"
    if (problem := text_problem(value, ADDRESS_LINES_MAX * (ADDRESS_LINE_MAX + 1), free_text=True)) is not None:
        return problem
    lines = [line.strip() for line in value.replace("\r", "").split("\n") if line.strip()]
    if not 2 <= len(lines) <= ADDRESS_LINES_MAX:
        return f"has {len(lines)} line(s); give 2 to {ADDRESS_LINES_MAX}, one line of the envelope each, the postcode last"
    if long := next((line for line in lines if len(line) > ADDRESS_LINE_MAX), None):
        return f"has a line of {len(long)} characters; at most {ADDRESS_LINE_MAX}"
    if not _POSTCODE.fullmatch(lines[-1]):
        return f"ends with {lines[-1]!r}, not a UK postcode; put the postcode on the last line"
    return None


def complainant_problem(complainant: Any, today: date | None) -> FieldProblem | None:
    """Someone the council can write to: an email address, a postal address, or both,
    and a way to write that they have."""
    if (problem := _fields(complainant, COMPLAINANT, today, "complainant.")) is not None:
        return problem
    email, address = getattr(complainant, "email", None), getattr(complainant, "address", None)
    write_by = getattr(complainant, "write_by", None)
    if not email and not address:
        return FieldProblem("complainant", "has no email address and no postal address; give one, or both")
    if email and (reason := email_problem(email)) is not None:
        return FieldProblem("complainant.email", reason)
    if address is not None and (reason := address_problem(address)) is not None:
        return FieldProblem("complainant.address", reason)
    if write_by is not None and write_by not in WRITE_BY:
        return FieldProblem("complainant.write_by", f"is {write_by!r}; write by one of {', '.join(WRITE_BY)}")
    if write_by == "post" and not address:
        return FieldProblem("complainant.address", "is needed to write by post")
    if write_by == "email" and not email:
        return FieldProblem("complainant.email", "is needed to write by email")
    return None

REGISTRATION: dict[str, Check] = {
    "ref": lambda v, t: identifier_problem(v),
    "policy": code,
    "received": day,
    "channel": short_line,
    "service_area": line,
    "child": line,
    "matter_date": day,
    "late_accepted": flag,
    "late_reason": free_text,
}


def registration_problem(reg: a.Registration, today: date | None = None) -> FieldProblem | None:
    """What in a registration cannot be taken; ``today`` bounds its dates ahead (None: not)."""
    if (problem := _fields(reg, REGISTRATION, today)) is not None:
        return problem
    if not isinstance(reg.received, datetime):
        return FieldProblem("received", "is not a date and time")
    if (problem := complainant_problem(reg.complainant, today)) is not None:
        return problem
    reasons = reg.reasons
    if not isinstance(reasons, list):
        return FieldProblem("reasons", "is not a list")
    if len(reasons) > REASONS_MAX:
        return FieldProblem("reasons", f"has {len(reasons)} reasons; at most {REASONS_MAX}")
    for i, reason in enumerate(reasons):
        if (why := text_problem(reason, LINE_MAX)) is not None:
            return FieldProblem(f"reasons.{i}", why)
    return directory_problem(reg.officers, reg.complaints_team_email)


# Every field of every action's input record (models.actions), by kind.
REQUESTS: dict[type, dict[str, Check]] = {
    a.Assign: {"officer": identifier},          # officers: directory_problem
    a.Extend: {"reason": free_text, "new_due": day},
    a.Suspend: {"reason": code, "detail": free_text},
    a.Resume: {},
    a.Respond: {"outcome": code, "late_reason": code, "late_note": free_text, "late_reasons": codes,
                "recommendations": recommendations},
    a.LateReason: {"reason": code, "note": free_text, "stage": stage_number, "late_reasons": codes},
    a.SubmitLearning: {"text": free_text},
    a.Escalate: {"reason": code, "late_accepted": flag, "late_reason": free_text},
    a.AppointIndependentPerson: {"name": person},
    a.PanelHeld: {},
    a.PanelReport: {},
    a.Discontinue: {"reason": code, "detail": free_text},
    a.ProceedingsEnded: {"on": day},
    a.Resubmit: {"late_accepted": flag, "late_reason": free_text},
    a.Withdraw: {"reason": free_text},
    a.ReferToOmbudsman: {"on": day},
    a.OmbudsmanDecision: {"result": code, "remedy_gbp": amount, "on": day},
    a.RecordCost: {"stage": stage_number, "item": code, "amount_gbp": amount, "on": day},
}


# Every record says who did it, in one line; the actions dated by the clerk, the day.
for _kinds in (REGISTRATION, *REQUESTS.values()):
    _kinds["by"] = line
for _kind in (a.Assign, a.Extend, a.Suspend, a.Resume, a.Respond, a.Escalate, a.PanelHeld, a.PanelReport,
              a.Withdraw):
    REQUESTS[_kind]["on"] = day


def request_problem(action: str, req: object, today: date | None) -> FieldProblem | None:
    """What in an action's input record cannot be taken, the action taken on ``today``."""
    kinds = REQUESTS.get(type(req))
    if kinds is None:
        return FieldProblem("(record)", f"is not the input of {action}")
    if (problem := _fields(req, kinds, today)) is not None:
        return problem
    if isinstance(req, a.Assign) and req.officers is not None:
        return directory_problem(req.officers)
    return None


def compliment_problem(received: Any, team: Any, officer: Any, text: Any, today: date | None,
                       *, future: bool = False) -> FieldProblem | None:
    """A compliment about staff: its date (not to come, unless ``future``), team, officer, text."""
    if (why := day_problem(received, today, future=future)) is not None:
        return FieldProblem("date", why)
    if (why := name_problem(team)) is not None:
        return FieldProblem("team", why.replace("a name is needed", "the team is needed"))
    if officer is not None and (why := identifier_problem(officer)) is not None:
        return FieldProblem("officer", why)
    if (why := text_problem(text, FREE_TEXT_MAX, free_text=True)) is not None:
        return FieldProblem("text", why)
    return None
