"""The service navigation: each role's items, in one table."""

from __future__ import annotations

from web.access import ADMIN, CLERK, COMPLAINTS_MANAGER, MANAGER, OFFICER, ROLES, Person

TEAM = (CLERK, COMPLAINTS_MANAGER)

# (path, words, who sees it)
ITEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/", "Dashboard", TEAM),
    ("/complaints", "Complaints", (*TEAM, OFFICER, MANAGER)),
    ("/my-complaints", "My complaints", (OFFICER,)),
    ("/team", "My team", (MANAGER,)),
    ("/complaints/new", "Register a complaint", TEAM),
    ("/directory", "Directory", TEAM),
    ("/letters/print", "Letters to print", TEAM),
    ("/reports/annual", "Annual report", TEAM),
    ("/audit", "Audit log", (COMPLAINTS_MANAGER,)),
    ("/settings", "Settings", (*TEAM, ADMIN)),
    ("/account/password", "Your password", ROLES),
    ("/admin/users", "Staff accounts", (ADMIN,)),
)


def home(person: Person) -> str:
    """Where a person lands after signing in."""
    if person.team:
        return "/"
    if person.has(OFFICER):
        return "/my-complaints"
    if person.has(MANAGER):
        return "/team"
    if person.has(ADMIN):
        return "/admin/users"
    return "/complaints"


def navigation(person: Person | None, path: str) -> list[dict]:
    """The govukServiceNavigation items for this person (none for the public)."""
    if person is None:
        return []
    items = []
    for href, words, roles in ITEMS:
        if person.roles & set(roles):
            active = path == href or (href not in ("/", "/complaints") and path.startswith(href + "/"))
            if href == "/complaints" and path.startswith("/complaints/") and not path.startswith("/complaints/new"):
                active = True
            items.append({"href": href, "text": words, "active": active})
    return items
