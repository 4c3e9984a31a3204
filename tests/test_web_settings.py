"""The council's settings page: what the letters are signed with, the procedures' limits in
words, and how staff sign in; the team and the administrator see it, nobody else."""

from __future__ import annotations


async def test_the_team_reads_the_councils_settings_in_words(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    page = await clerk.get("/settings")
    assert page.status_code == 200
    text = page.text
    assert "Example Borough Council" in text and "example details, not a real council" in text
    assert "statutory complaints procedure" in text
    assert "10 working days, up to 20 working days if extended" in text
    assert "Local accounts" in text
    assert "children-statutory" not in text.split("<main", 1)[1]


async def test_officers_and_managers_cannot_see_the_settings(web):
    for name, roles, person in (("officer", {"officer"}, "io-1"), ("manager", {"manager"}, "tm-1")):
        client = await web.signed_in(name, roles, person)
        assert (await client.get("/settings")).status_code == 403
