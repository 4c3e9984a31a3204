"""What every form shares: errors in the GOV.UK pattern (an error summary linking to each
field, a message beside it), dates typed in three boxes (month as a number or a name),
and limits on what a field may hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from models.field_checks import text_problem

MONTHS = {name: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}

SHORT_TEXT = 200        # a name, a reason in a few words
LONG_TEXT = 10_000      # what happened, what they would like to happen


@dataclass
class Errors:
    """Errors by field id, in the order the fields are on the page."""

    by_field: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.by_field.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def get(self, field_id: str) -> dict | None:
        """The macro's errorMessage for the field, or None (govuk_frontend_jinja's shape)."""
        message = self.by_field.get(field_id)
        return {"text": message} if message else None

    def summary(self) -> list[dict]:
        return [{"text": m, "href": f"#{f}"} for f, m in self.by_field.items()]


# Markup typed into a field: "<b>", "</p>", "<script", "<!DOCTYPE"; not "a < b" or "<3".
TAG = re.compile(r"<[/!?]?[A-Za-z]")


def text(form, name: str, errors: Errors, *, label: str, required: bool = True, limit: int = SHORT_TEXT,
         lines: bool = False, no_tags: bool = False) -> str | None:
    """A text field, stripped; None when empty. Says what is wrong in the field's own words:
    empty (when required), too long, line breaks where ``lines`` is not allowed, control
    characters, and HTML tags where ``no_tags`` (the public form: a family's words are shown
    escaped everywhere, but a tag there is more likely a probe than a complaint)."""
    value = (form.get(name) or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    title = label[:1].upper() + label[1:]
    if not value:
        if required:
            errors.add(name, f"Enter {label}")
        return None
    if len(value) > limit:
        errors.add(name, f"{title} must be {limit:,} characters or fewer")
        return None
    if no_tags and TAG.search(value):
        errors.add(name, f"{title} must not include HTML tags, like <b>")
        return None
    if text_problem(value, limit, free_text=lines) is not None:
        errors.add(name, f"{title} must not include control characters" if lines
                   else f"{title} must not include line breaks or control characters")
        return None
    return value


def choice(form, name: str, options, errors: Errors, *, message: str, required: bool = True) -> str | None:
    value = form.get(name)
    if not value:
        if required:
            errors.add(name, message)
        return None
    allowed = [o[0] if isinstance(o, tuple) else o for o in options]
    if value not in allowed:
        errors.add(name, message)
        return None
    return value


def month_number(text: str) -> int | None:
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    return MONTHS.get(text)


def date_field(form, name: str, errors: Errors, *, label: str, required: bool = True,
               not_after: date | None = None) -> date | None:
    """A date typed in the three boxes ``name-day``, ``name-month``, ``name-year``."""
    day, month, year = ((form.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year"))
    if not (day or month or year):
        if required:
            errors.add(f"{name}-day", f"Enter {label}")
        return None
    missing = [part for part, value in (("day", day), ("month", month), ("year", year)) if not value]
    if missing:
        errors.add(f"{name}-{missing[0]}", f"{label[0].upper()}{label[1:]} must include a {' and '.join(missing)}")
        return None
    number = month_number(month)
    try:
        if number is None or not day.isdigit() or not year.isdigit() or len(year) != 4:
            raise ValueError
        value = date(int(year), number, int(day))
    except ValueError:
        errors.add(f"{name}-day", f"{label[0].upper()}{label[1:]} must be a real date, like 27 3 2026")
        return None
    if not_after is not None and value > not_after:
        errors.add(f"{name}-day", f"{label[0].upper()}{label[1:]} must be today or in the past")
        return None
    return value


def date_items(form, name: str, errors: Errors, default: date | None = None) -> list[dict]:
    """The Date input's three items, keeping what was typed (or ``default``), marked when wrong."""
    wrong = any(k.startswith(f"{name}-") for k in errors.by_field)
    values = {part: form.get(f"{name}-{part}") for part in ("day", "month", "year")} if form else {}
    if not any(values.values()) and default is not None:
        values = {"day": str(default.day), "month": str(default.month), "year": str(default.year)}
    classes = {"day": "govuk-input--width-2", "month": "govuk-input--width-4", "year": "govuk-input--width-4"}
    return [{"name": part, "label": part.capitalize(), "value": values.get(part) or "",
             "classes": classes[part] + (" govuk-input--error" if wrong else "")}
            for part in ("day", "month", "year")]
