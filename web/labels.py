"""Words for the engine's codes: one table, so a page never shows `court_proceedings`
where a person should read "Court proceedings" (a test fails on any code in a page).
"""

from __future__ import annotations

import re
from datetime import date

from models.words import LABELS


def in_words(text: str, officers=()) -> str:
    """A sentence the rules wrote (for the command line: officer ids, ISO dates, procedure
    names and codes) as a person reads it: officers by name, days as "Tuesday 1 December
    2026", procedures and codes in words, the first letter a capital."""
    from web.formats import long_date

    names = {o.id: o.name for o in officers}
    if names:
        ids = "|".join(re.escape(i) for i in sorted(names, key=len, reverse=True))
        text = re.sub(rf"(?<![\w-])({ids})(?![\w-])", lambda m: names[m.group(1)], text)

    def day(found: re.Match) -> str:
        try:
            return long_date(date.fromisoformat(found.group(0)))
        except ValueError:
            return found.group(0)

    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", day, text)
    for code, words in LABELS["policy"].items():
        text = text.replace(f"the {code} procedure", f"the {words}").replace(code, words)
    for kind in ("suspension_reason", "escalation_reason", "outcome", "complainant_type", "ombudsman_result",
                 "cost_item", "status"):
        for code, words in LABELS[kind].items():
            if "_" in code:
                text = re.sub(rf"\b{code}\b", words[:1].lower() + words[1:], text)
    # The council's own reasons for lateness ("staff_capacity": "Staff capacity"), and the
    # command a refusal names for saying why with the response.
    for code in late_reason_codes():
        if "_" in code:
            words = late_reason_words(code)
            text = re.sub(rf"\b{code}\b", words[:1].lower() + words[1:], text)
    text = text.replace(" (respond --late-reason)", "")
    text = text.replace("late_accepted", "accepted late").replace("late_reason", "the reason to accept it late")
    return text[:1].upper() + text[1:]


def _council_late_reasons():
    from council import late_reasons

    try:
        return late_reasons.current()
    except late_reasons.LateReasonsError:
        # A list the council broke is reported where a reason is asked; words for the
        # codes already kept still come from the list shipped with the engine.
        return late_reasons.SHIPPED


def late_reason_codes() -> list[str]:
    return _council_late_reasons().codes


def late_reason_words(code: str | None) -> str:
    """A reason for lateness in the council's words; a code since taken off its list made readable."""
    return _council_late_reasons().words(code)


def label(kind: str, code: str | None) -> str:
    """The words for ``code``; an unknown code is made readable rather than shown raw."""
    if code is None:
        return ""
    found = LABELS.get(kind, {}).get(code)
    if found is not None:
        return found
    return str(code).replace("_", " ").replace("-", " ").capitalize()


def choices(kind: str, codes) -> list[tuple[str, str]]:
    return [(code, label(kind, code)) for code in codes]
