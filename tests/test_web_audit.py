"""The audit log's page, for the complaints manager: what happened, filtered by person,
complaint and dates (a range the wrong way round is a GOV.UK error), 50 lines a page,
the filtered lines as CSV; and the log itself cannot be changed, by anyone, on SQLite or
PostgreSQL: the database refuses.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DatabaseError

from rules.moments import LONDON
from store.record_store import RecordStore
from web import audit, tables
from web.access import Person
from web.tables import audit_log


def _line(web, at: datetime, who: str, event: str, ref: str | None = None, detail: str = "") -> None:
    with web.store.engine.begin() as conn:
        conn.execute(insert(audit_log).values(at=at, who=who, name=who.title(), event=event, ref=ref,
                                              detail=detail))


def _days_ago(n: int) -> datetime:
    return datetime.now(LONDON).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=n)


async def _filter(web, client, **fields):
    return await web.form(client, "/audit", {"action": "apply", **fields})


async def test_the_complaints_manager_reads_the_log_newest_first(web):
    _line(web, _days_ago(2), "io-1", "view", "CS-2026-0007", "viewed complaint")
    chris = await web.signed_in("chris", {"complaints_manager"}, name="Chris Manager")
    page = await chris.get("/audit")
    assert page.status_code == 200 and "<h1 class=\"govuk-heading-l\">Audit log</h1>" in page.text
    assert page.text.index("Signed in") < page.text.index("Viewed"), "newest first"
    assert "Chris Manager" in page.text and "CS-2026-0007" in page.text and "viewed complaint" in page.text
    when = _days_ago(2)
    assert f"{when:%A} {when.day} {when:%B %Y}" in page.text and "12:00pm" in page.text
    assert "Download CSV" in page.text


async def test_only_the_complaints_manager_reads_it(web):
    for roles in ({"clerk"}, {"officer"}, {"manager"}, {"admin"}):
        client = await web.signed_in("-".join(sorted(roles)), roles)
        assert (await client.get("/audit")).status_code == 403
        assert (await client.get("/audit/download")).status_code == 403


async def test_filter_by_person_complaint_and_dates_then_download_those_lines(web):
    chris = await web.signed_in("chris", {"complaints_manager"})
    web.add_user("io-1", {"officer"}, directory_id="io-1", name="Ira Officer")
    _line(web, _days_ago(10), "io-1", "view", "CS-2026-0001", "viewed complaint")
    _line(web, _days_ago(5), "io-1", "action", "CS-2026-0001", "extend")
    _line(web, _days_ago(5), "io-1", "view", "CS-2026-0002", "viewed complaint")
    _line(web, _days_ago(1), "chris", "view", "CS-2026-0001", "viewed complaint")
    chosen = await _filter(web, chris, who="io-1", ref="cs-2026-0001")
    assert chosen.status_code == 303 and chosen.headers["location"] == "/audit", "no one's name in the address"
    page = await chris.get("/audit")
    assert "2 lines match the filter" in page.text
    assert "CS-2026-0002" not in page.text
    since = _days_ago(7)
    await _filter(web, chris, who="io-1", ref="CS-2026-0001", **{
        "from-day": str(since.day), "from-month": since.strftime("%B"), "from-year": str(since.year)})
    page = await chris.get("/audit")
    assert "1 line matches the filter" in page.text
    assert ">Action<" in page.text and "Viewed" not in page.text.split("<tbody")[1]
    download = await chris.get("/audit/download")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["Time (UK)", "Username", "Name", "Event", "Complaint", "Detail"]
    assert [r[1:] for r in rows[1:]] == [["io-1", "Io-1", "action", "CS-2026-0001", "extend"]]
    with web.store.engine.connect() as conn:
        last = conn.execute(select(audit_log).order_by(audit_log.c.seq.desc())).first()
    assert (last.who, last.event, last.detail) == ("chris", "download", "audit log CSV (filtered)")
    cleared = await web.form(chris, "/audit", {"action": "clear"})
    assert cleared.status_code == 303
    assert "match the filter" not in (await chris.get("/audit")).text


async def test_a_date_range_the_wrong_way_round_is_an_error(web):
    chris = await web.signed_in("chris", {"complaints_manager"})
    answer = await _filter(web, chris, **{"from-day": "14", "from-month": "12", "from-year": "2026",
                                          "to-day": "1", "to-month": "dec", "to-year": "2026"})
    assert answer.status_code == 422
    assert "<title>Error: Audit log" in answer.text and "govuk-error-summary" in answer.text
    assert "The ‘from’ date must be the same as or before the ‘to’ date" in answer.text
    assert 'href="#from-day"' in answer.text and 'value="14"' in answer.text, "what was typed is kept"
    not_a_date = await _filter(web, chris, **{"from-day": "31", "from-month": "2", "from-year": "2026"})
    assert not_a_date.status_code == 422 and "must be a real date" in not_a_date.text
    nobody = await _filter(web, chris, who="someone-made-up")
    assert nobody.status_code == 422 and "Select someone from the list" in nobody.text


async def test_a_long_log_comes_in_pages(web):
    chris = await web.signed_in("chris", {"complaints_manager"})
    for n in range(120):
        _line(web, _days_ago(3) + timedelta(minutes=n), "io-1", "view", f"CS-2026-{n:04d}", "viewed complaint")
    first = await chris.get("/audit")
    assert "121 lines." in first.text and "Lines 1 to 50" in first.text
    assert 'class="govuk-pagination' in first.text and 'href="/audit?page=3"' in first.text
    third = await chris.get("/audit?page=3")
    assert "Lines 101 to 121" in third.text and "<title>Audit log (page 3 of 3)" in third.text
    assert "CS-2026-0000" in third.text, "the oldest last"
    assert (await chris.get("/audit?page=99")).status_code == 200
    assert (await chris.get("/audit?page=x")).status_code == 200


def test_the_log_cannot_be_changed_or_deleted_in_the_database(database):
    store = RecordStore(database)
    store.create_schema()
    tables.create(store.engine)
    tables.create(store.engine)                     # twice: the guard is put in place once
    try:
        audit.record(store.engine, Person("sam", "Sam Patel"), audit.VIEW, "CS-2026-0001", "viewed complaint")
        for change in (update(audit_log).values(detail="nothing happened"), delete(audit_log),
                       update(audit_log).values(at=datetime.now(timezone.utc) - timedelta(days=400))):
            with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
                conn.execute(change)
        with store.engine.connect() as conn:
            rows = conn.execute(select(audit_log)).all()
        assert [(r.who, r.detail) for r in rows] == [("sam", "viewed complaint")]
    finally:
        store.close()
