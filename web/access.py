"""Who may see and do what: the roles, and the one check every complaint's page makes.

- **clerk** (the Complaints Team): every complaint, every action but discontinuing, the
  directory, the print queue, the annual report.
- **complaints_manager**: as a clerk, and discontinuing, the audit log.
- **officer**: the complaints they were ever assigned to; respond, ask for more time,
  the lessons-learnt form.
- **manager**: the complaints of the officers under them (at any depth of the directory's
  chain); reassigning within that team.
- **admin**: staff accounts.

A complaint the person may not see answers exactly as one that does not exist (the same
403), so a guessed reference tells nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from models.complaint import Officer

CLERK, COMPLAINTS_MANAGER, OFFICER, MANAGER, ADMIN = (
    "clerk", "complaints_manager", "officer", "manager", "admin")
ROLES = (CLERK, COMPLAINTS_MANAGER, OFFICER, MANAGER, ADMIN)
ROLE_NAMES = {
    CLERK: "Complaints Team",
    COMPLAINTS_MANAGER: "Complaints manager",
    OFFICER: "Investigating officer",
    MANAGER: "Manager",
    ADMIN: "Administrator",
}


@dataclass(frozen=True)
class Person:
    """The signed-in person, as the session carries them."""

    username: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    directory_id: str | None = None

    @property
    def team(self) -> bool:
        """The Complaints Team: clerks and the complaints manager."""
        return bool(self.roles & {CLERK, COMPLAINTS_MANAGER})

    def has(self, role: str) -> bool:
        return role in self.roles


def team_under(manager_id: str, officers: Iterable[Officer]) -> set[str]:
    """Every officer whose chain of managers reaches ``manager_id`` (not the manager)."""
    reports: dict[str, list[str]] = {}
    for o in officers:
        if o.manager:
            reports.setdefault(o.manager, []).append(o.id)
    seen: set[str] = set()
    todo = list(reports.get(manager_id, []))
    while todo:
        one = todo.pop()
        if one not in seen:
            seen.add(one)
            todo.extend(reports.get(one, []))
    return seen


def may_see(person: Person, assigned: Iterable[str], officers: Iterable[Officer]) -> bool:
    """May ``person`` see a complaint whose officers (at any stage, ever) were ``assigned``?"""
    if person.team:
        return True
    ever = set(assigned)
    if person.has(OFFICER) and person.directory_id in ever:
        return True
    if person.has(MANAGER) and person.directory_id:
        return bool(ever & team_under(person.directory_id, officers))
    return False


def visible_officers(person: Person, officers: Iterable[Officer]) -> set[str] | None:
    """Whose complaints the person may list: None for everyone (the team)."""
    if person.team:
        return None
    mine: set[str] = set()
    if person.directory_id and person.has(OFFICER):
        mine.add(person.directory_id)
    if person.directory_id and person.has(MANAGER):
        mine |= team_under(person.directory_id, officers)
    return mine
