"""Registering a complaint: what is refused at the door (procedures, section 6)."""

from __future__ import annotations

from models import actions as a
from models.complaint import COMPLAINANT_TYPES
from models.field_checks import registration_problem
from policies import Policy
from rules.calendar import months_later
from rules.moments import london


def registration_refusal(reg: a.Registration, policy: Policy) -> str | None:
    """Why a complaint cannot be registered, or None.

    A field no record could hold (a name over two lines, an address the mail cannot
    carry) is refused (models.field_checks). The commands check fields before they
    get here, so such a registration is never recorded as a refused complaint.
    """
    if not reg.ref or any(c.isspace() for c in reg.ref):
        return "a complaint reference must be given, without spaces"
    if reg.received.tzinfo is None:
        return "the date received must carry its time zone"
    if (problem := registration_problem(reg)) is not None:
        return str(problem)
    if reg.complainant.type not in COMPLAINANT_TYPES:
        return f"complainant type {reg.complainant.type!r} is not one of {', '.join(COMPLAINANT_TYPES)}"
    received = london(reg.received).date()
    if reg.matter_date is not None:
        if reg.matter_date > received:
            return f"the matter date {reg.matter_date} is after the complaint was received ({received})"
        limit = months_later(reg.matter_date, policy.time_limit_months)
        if received > limit and not reg.late_accepted:
            return (
                f"the matter arose on {reg.matter_date}, more than {policy.time_limit_months} months before the "
                f"complaint was received ({received}); register it with late_accepted and a reason to accept it late"
            )
    if reg.late_accepted and not reg.late_reason:
        return "a complaint accepted late needs the reason it was accepted"
    return None
