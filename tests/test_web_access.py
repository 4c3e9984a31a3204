"""Who may see what: every role against every page and a sample of actions, on the real
engine. A page a person may not see is the 403 page; a complaint they may not see answers
exactly as one that does not exist, so an officer guessing references learns nothing; a
stranger is sent to sign in and back."""

from __future__ import annotations

import uuid

from models import actions as a

# The dev server lives as long as the test session: each run gets references of its own.
_RUN = uuid.uuid4().hex[:6].upper()
REF = f"CS-{_RUN}-0001"
UNKNOWN = f"CS-{_RUN}-0999"

# Who: (roles, directory id). io-1 investigates REF; io-2 is another officer; tm-1 manages both.
PEOPLE = {
    "clerk": ({"clerk"}, None),
    "manager-cm": ({"complaints_manager"}, None),
    "officer": ({"officer"}, "io-1"),
    "other-officer": ({"officer"}, "io-2"),
    "manager": ({"manager"}, "tm-1"),
    "admin": ({"admin"}, None),
}
TEAM = {"clerk", "manager-cm"}

# Each page, and who may open it (everyone else: 403).
PAGES = {
    "/": TEAM,
    "/complaints": TEAM | {"officer", "other-officer", "manager"},
    f"/complaints/{REF}": TEAM | {"officer", "manager"},
    f"/complaints/{REF}/assign": TEAM,
    f"/complaints/{REF}/reassign": TEAM | {"manager"},
    f"/complaints/{REF}/extend": TEAM | {"officer"},
    f"/complaints/{REF}/respond": TEAM | {"officer"},
    f"/complaints/{REF}/suspend": TEAM,
    f"/complaints/{REF}/withdraw": TEAM,
    f"/complaints/{REF}/discontinue": {"manager-cm"},
    f"/complaints/{REF}/record-cost": TEAM,
    "/complaints/new": TEAM,
    "/my-complaints": {"officer", "other-officer"},
    "/team": {"manager"},
    "/directory": TEAM,
    "/directory/io-1/handover": TEAM,
    "/letters/print": TEAM,
    "/reports/annual": TEAM,
    "/audit": {"manager-cm"},
    "/admin/users": {"admin"},
}


async def test_each_role_sees_only_its_pages_and_a_guessed_reference_tells_nothing(web):
    await web.register(REF)
    assert (await web.act(REF, "assign", a.Assign(officer="io-1", by="Sam Clerk"))).done
    clients = {name: await web.signed_in(name, roles, directory_id) for name, (roles, directory_id) in PEOPLE.items()}

    wrong = []
    for path, allowed in PAGES.items():
        for name, client in clients.items():
            answer = await client.get(path)
            expected = 200 if name in allowed else 403
            if answer.status_code != expected:
                wrong.append(f"{name} {path}: {answer.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)

    # A reference that does not exist answers as one the person may not see, word for word.
    for name, client in clients.items():
        for suffix in ("", "/assign", "/respond"):
            unknown = await client.get(f"/complaints/{UNKNOWN}{suffix}")
            assert unknown.status_code == 403, (name, suffix)
            if f"/complaints/{REF}{suffix}" in PAGES and name not in PAGES[f"/complaints/{REF}{suffix}"]:
                forbidden = await client.get(f"/complaints/{REF}{suffix}")
                assert forbidden.text == unknown.text, (name, suffix)
                assert REF not in forbidden.text and UNKNOWN not in unknown.text


async def test_an_action_posted_by_someone_not_allowed_changes_nothing(web):
    ref = REF.replace("-0001", "-0002")
    await web.register(ref)
    assert (await web.act(ref, "assign", a.Assign(officer="io-1", by="Sam Clerk"))).done
    before = web.store.complaint(ref)
    other = await web.signed_in("other-officer", {"officer"}, "io-2")
    # The other officer's own session token, on a form they were never shown.
    page = await other.get("/account/password")
    from tests.web_harness import csrf_token
    token = csrf_token(page.text)
    for action, data in (("extend", {"reason": "other", "reason-detail": "x"}), ("respond", {"outcome": "upheld"}),
                         ("withdraw", {}), ("assign", {"officer": "io-2"})):
        answer = await other.post(f"/complaints/{ref}/{action}", data={"csrf_token": token, **data})
        assert answer.status_code == 403, (action, answer.status_code)
    after = web.store.complaint(ref)
    assert after["revision"] == before["revision"]
    assert after["stages"][-1]["officer"] == "io-1"


async def test_a_stranger_is_sent_to_sign_in_from_every_staff_page(web):
    stranger = web.client()
    for path in PAGES:
        answer = await stranger.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/sign-in?next="), path
    for public in ("/complain", "/accessibility", "/privacy", "/cookies", "/sign-in"):
        assert (await stranger.get(public)).status_code == 200, public
