"""The complaint list and the officers' and managers' own lists, on the real engine: filters
in words, search by reference (GET) and by name (the Complaints Team's, by POST: never in a
URL, audited without its words), sorting and pages; an officer sees only the complaints they
were assigned to, a manager only their team's; and the same 403 for everyone else.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from models import actions as a
from tests.browser import escalated_complaint
from tests.test_web_dashboard import REF, new_ref, ok, working_days_ago
from tests.web_harness import csrf_token
from web import queries
from web.tables import audit_log


def refs_in(html: str) -> list[str]:
    table = re.search(r'<table class="govuk-table"[^>]*>.*?</table>', html, re.S)
    return REF.findall(table.group(0)) if table else []


async def caseload(web) -> dict[str, str]:
    refs = {k: new_ref() for k in ("late", "soon", "new", "corporate", "moved", "closed")}
    await web.register(refs["late"], received=working_days_ago(20), name="Éva Ward", service_area="Fostering")
    await ok(web, refs["late"], "assign", a.Assign("io-1", by="Sam Patel"))
    await web.register(refs["soon"], received=working_days_ago(8), name="Robin Hill")
    await ok(web, refs["soon"], "assign", a.Assign("io-2", by="Sam Patel"))
    await web.register(refs["new"], name="Kim Stone")
    await web.register(refs["corporate"], policy="corporate", name="Lee Marsh", received=working_days_ago(2))
    await ok(web, refs["corporate"], "assign", a.Assign("io-2", by="Sam Patel"))
    await web.register(refs["moved"], received=working_days_ago(4), name="Ash Vale")
    await ok(web, refs["moved"], "assign", a.Assign("io-1", by="Sam Patel"))
    await ok(web, refs["moved"], "reassign", a.Assign("io-2", by="Sam Patel"))
    await web.register(refs["closed"], received=working_days_ago(5), name="Sol Reed")
    await ok(web, refs["closed"], "withdraw", a.Withdraw("resolved informally", by="Sam Patel"))
    return refs


async def test_the_team_filters_the_list_in_words(web):
    refs = await caseload(web)
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    everything = await clerk.get("/complaints")
    assert everything.status_code == 200
    listed = refs_in(everything.text)
    assert listed[0] == refs["late"], "overdue first"
    assert refs["closed"] not in listed, "open ones unless asked"
    assert set(listed) == set(refs.values()) - {refs["closed"]}

    overdue = await clerk.get("/complaints?due=overdue")
    assert refs_in(overdue.text) == [refs["late"]]
    assert "Selected filters" in overdue.text and ">Overdue</a>" in overdue.text.replace("\n", "")
    soon = await clerk.get("/complaints?due=soon")
    assert refs_in(soon.text) == [refs["soon"]]
    assert refs_in((await clerk.get("/complaints?status=unassigned")).text) == [refs["new"]]
    assert refs_in((await clerk.get("/complaints?status=withdrawn")).text) == [refs["closed"]]
    corporate = await clerk.get("/complaints?procedure=corporate")
    assert refs_in(corporate.text) == [refs["corporate"]]
    assert queries.procedures().title("corporate") in corporate.text, "the procedure by its name"
    assert set(refs_in((await clerk.get("/complaints?officer=io-2")).text)) == {
        refs["soon"], refs["corporate"], refs["moved"]}
    team = await clerk.get("/complaints?team=tm-1&area=Fostering")
    assert refs_in(team.text) == [refs["late"]]
    assert "Team Manager’s team" in team.text
    nonsense = await clerk.get("/complaints?stage=9&due=tomorrow&status=%3Cb%3E&officer=nobody")
    assert nonsense.status_code == 200 and set(refs_in(nonsense.text)) == set(listed), "unknown values are ignored"
    for code in ("children-statutory", "io-1", "tm-1"):
        assert code not in re.sub(r"<[^>]+>", " ", team.text), "filters in words, never codes"


async def test_search_by_reference_sort_and_pages(web, monkeypatch):
    refs = await caseload(web)
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    typed = refs["closed"][:-2].lower()
    found = await clerk.get(f"/complaints?reference={typed}")
    assert refs["closed"] in refs_in(found.text), "any status, ignoring case"
    assert all(r.startswith(refs["closed"][:-2]) for r in refs_in(found.text))

    ordered = await clerk.get("/complaints?status=any&sort=reference&order=desc")
    shown = refs_in(ordered.text)
    assert shown == sorted(refs.values(), reverse=True)
    header = re.search(r'<th[^>]*aria-sort="descending"[^>]*>(.*?)</th>', ordered.text, re.S).group(1)
    assert "Reference" in header
    assert ordered.text.count('aria-sort="none"') == 4
    ascending = re.search(r'href="([^"]*sort=reference[^"]*order=asc[^"]*)"', ordered.text).group(1)
    assert refs_in((await clerk.get(ascending.replace("&amp;", "&"))).text) == sorted(refs.values())

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    first = await clerk.get("/complaints?status=any&sort=reference")
    assert refs_in(first.text) == sorted(refs.values())[:2]
    assert "page 1 of 3" in first.text and 'class="govuk-pagination"' in first.text
    nxt = re.search(r'<a[^>]*href="([^"]+)"[^>]*rel="next"', first.text).group(1).replace("&amp;", "&")
    second = await clerk.get(nxt)
    assert refs_in(second.text) == sorted(refs.values())[2:4]
    last = await clerk.get("/complaints?status=any&sort=reference&page=99")
    assert refs_in(last.text) == sorted(refs.values())[4:], "a page past the end shows the last"


async def test_only_the_team_searches_by_name_by_post_and_the_words_stay_out_of_urls_and_the_log(web):
    refs = await caseload(web)
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    page = await clerk.get("/complaints")
    assert 'method="post"' in page.text and 'name="name"' in page.text
    answer = await clerk.post("/complaints", data={"csrf_token": csrf_token(page.text), "name": "éVA"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/complaints?search=name", "no name in the URL"
    found = await clerk.get(answer.headers["location"])
    assert refs_in(found.text) == [refs["late"]], "the name, ignoring case and accents' case"
    assert "Éva" not in found.text and "éVA" not in found.text, "the list shows no names"
    links = [link.lower() for link in re.findall(r'href="([^"]+)"', found.text)]
    assert all("eva" not in link and "%c3%a9" not in link for link in links), "nor do its links carry the words"
    with web.store.engine.connect() as conn:
        lines = [(r.event, r.detail) for r in conn.execute(select(audit_log)) if r.event == "search"]
    assert lines and all("éva" not in detail.lower() for _, detail in lines), "audited without its words"
    empty = await clerk.post("/complaints", data={"csrf_token": csrf_token(page.text), "name": " "})
    assert empty.status_code == 422 and "Enter a name to search for" in empty.text
    assert empty.text.count("govuk-error-summary") >= 1

    officer = await web.signed_in("olu", {"officer"}, "io-1")
    theirs = await officer.get("/complaints")
    assert 'name="name"' not in theirs.text
    token = csrf_token((await officer.get("/sign-out")).text)      # a page of theirs with a form
    refused = await officer.post("/complaints", data={"csrf_token": token, "name": "Éva"})
    assert refused.status_code == 403
    sneaked = await officer.get("/complaints?search=name&name=Eva&status=any")
    assert set(refs_in(sneaked.text)) == {refs["late"], refs["moved"]}, "a name in a URL is ignored"


async def test_an_officer_sees_only_theirs_and_a_manager_only_their_teams(web):
    refs = await caseload(web)
    one = await web.signed_in("olu", {"officer"}, "io-1", name="Investigating Officer One")
    listed = refs_in((await one.get("/complaints?status=any")).text)
    assert set(listed) == {refs["late"], refs["moved"]}, "ever assigned to them, even if moved on"
    assert 'id="filter-officer"' not in (await one.get("/complaints")).text

    mine = await one.get("/my-complaints")
    assert mine.status_code == 200
    now, before = mine.text.split("Before")
    assert refs_in(now) == [refs["late"]] and refs["moved"] in before
    assert "working days late" in now

    nobody = await web.signed_in("kit", {"manager"}, "io-2")
    assert refs_in((await nobody.get("/complaints?status=any")).text) == [], "no one reports to io-2"
    manager = await web.signed_in("tess", {"manager"}, "tm-1")
    assert set(refs_in((await manager.get("/complaints?status=any")).text)) == (
        set(refs.values()) - {refs["new"], refs["closed"]})

    for client, path in ((one, "/team"), (manager, "/my-complaints"), (one, "/"), (manager, "/")):
        answer = await client.get(path)
        assert answer.status_code == 403 and "You cannot see this page" in answer.text
    admin = await web.signed_in("ada", {"admin"})
    assert (await admin.get("/complaints")).status_code == 403


async def test_a_manager_sees_what_was_escalated_to_them_and_is_still_overdue_first(web):
    refs = await caseload(web)
    escalated = new_ref()
    await escalated_complaint(web, escalated, officer="io-1")
    manager = await web.signed_in("tess", {"manager"}, "tm-1", name="Team Manager")
    page = await manager.get("/team")
    assert page.status_code == 200
    first, rest = page.text.split("Your team’s other open complaints")
    assert "Escalated to you and still overdue" in first
    assert refs_in(first) == [escalated]
    assert escalated not in rest and refs["late"] in rest, "the team's others after"
    assert refs["new"] not in page.text

    head = await web.signed_in("hana", {"manager"}, "hos-1", name="Head of Service")
    theirs = (await head.get("/team")).text
    assert "Nothing escalated to you is overdue." in theirs, "escalated to the team manager, not up the chain yet"
    assert escalated in theirs
