"""`complaints caseload`: a generated year of complaints shaped like a council's report.

``generate("reference-2023-24", seed)`` gives a scenario dict for `complaints simulate`
(docs/contracts.md) whose annual report (reports/definitions.md) has exactly the
profile's figures; the seed changes which complaint gets what, the dates and the texts.
Profiles are data (``caseload.profiles``); the generator is ``caseload.year``.
"""

from __future__ import annotations

from typing import Any

from caseload.profiles import PROFILES, Profile


class UnknownProfile(ValueError):
    """A profile name that is not in ``PROFILES``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown caseload profile {name!r}; known: {', '.join(sorted(PROFILES))}")


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(name) from None


def generate(like: str, seed: int) -> dict[str, Any]:
    """A year shaped like the profile named ``like``, the same for the same seed."""
    from caseload.year import generate as generate_year

    return generate_year(profile(like), seed)
