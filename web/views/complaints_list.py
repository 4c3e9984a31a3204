"""The complaint list (``/complaints``): every complaint the person may see (the
Complaints Team: all; an officer: those they were ever assigned to; a manager: those of
the officers under them), filtered, searched, sorted and paged in the database.

Filters and sorting are GET parameters (a link can be kept or shared; they hold no
personal data): ``status``, ``stage``, ``procedure``, ``officer``, ``team``, ``area``,
``due`` (overdue, soon), ``reference``, ``sort``, ``order``, ``page``. An unknown value is
as if not given. Searching by a person's name is the Complaints Team's alone, and by POST:
the words are kept in the server-side session, never in a URL (the list then carries
``search=name``), and the audit log notes that a search was made, never its words.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from starlette.routing import Route

from rules.moments import LONDON
from web import queries
from web.access import CLERK, COMPLAINTS_MANAGER, MANAGER, OFFICER, Person, visible_officers
from web.forms import Errors, text
from web.pages import Page, page_for

SEARCH = "search"              # the audit log's event for a search by name (its words are never written)
NAME_KEY = "name_search"       # where the session keeps the words
MAX_REFERENCE = 64

SORT_COLUMNS = (("reference", "Reference"), ("stage", "Stage"), ("officer", "Investigating officer"),
                ("received", "Received"), ("due", "Due"))


def _int(value: str | None, low: int, high: int) -> int | None:
    if value and value.isdigit() and low <= int(value) <= high:
        return int(value)
    return None


def read_filters(params, person: Person, who: queries.People, visible: set[str] | None) -> queries.Filters:
    """The filters from a URL's parameters, each checked against what it may be."""
    reference = (params.get("reference") or "").strip()[:MAX_REFERENCE] or None
    status = params.get("status")
    if status not in queries.STATUS_FILTERS:
        status = "any" if reference or params.get("search") == "name" else "open"
    procedure = params.get("procedure")
    officer = params.get("officer")
    if officer not in who.names or (visible is not None and officer not in visible):
        officer = None
    team = params.get("team")
    allowed_teams = set(teams_for(who, visible)) | ({"none", "unknown"} if visible is None else set())
    area = (params.get("area") or "").strip()[:200] or None
    return queries.Filters(
        status=status, stage=_int(params.get("stage"), 1, 3),
        procedure=procedure if procedure in queries.procedures().by_name else None,
        officer=officer, team=team if team in allowed_teams else None, area=area,
        due=params.get("due") if params.get("due") in queries.DUE_FILTERS else None, reference=reference)


def teams_for(who: queries.People, visible: set[str] | None) -> list[str]:
    """The teams a person may filter by: every team, or those with an officer they may see."""
    if visible is None:
        return who.team_ids()
    return [t for t in who.team_ids() if set(who.in_team(t)) & visible]


def _visible(page: Page, who: queries.People) -> set[str] | None:
    return visible_officers(page.person, who.officers)


@page_for(CLERK, COMPLAINTS_MANAGER, OFFICER, MANAGER)
async def complaint_list(page: Page):
    person = page.person
    who = queries.people()
    visible = _visible(page, who)
    errors = Errors()
    if page.request.method == "POST":
        if not person.team:
            return page.forbidden()
        words = text(page.form, "name", errors, label="a name to search for")
        if not errors:
            page.session[NAME_KEY] = words
            await page.audit(SEARCH, None, "complaint list searched by a person's name")
            return page.redirect("/complaints?search=name")
    params = page.request.query_params
    filters = read_filters(params, person, who, visible)
    name = page.session.get(NAME_KEY) if person.team and params.get("search") == "name" else None
    if name:
        filters = queries.Filters(**{**filters.__dict__, "name": name})
    default = queries.default_sort(filters)
    if params.get("sort") in queries.SORTS:
        sort, descending = params["sort"], params.get("order") == "desc"
    else:
        sort, descending = default
    today = datetime.now(LONDON).date()
    listing = await page.db(queries.complaint_list, page.app.engine, today, filters, visible, sort=sort,
                            descending=descending, page=_int(params.get("page"), 1, 1_000_000) or 1)
    areas = await page.db(queries.service_areas, page.app.engine)
    return page.render(
        "lists/complaints.html", status=422 if errors else 200, errors=errors, listing=listing, filters=filters,
        chosen=_chosen(filters, who), options=_options(filters, who, visible, areas, person),
        url=_url_maker(filters, sort, descending, name is not None, default), sort=sort, descending=descending,
        sort_columns=SORT_COLUMNS, explicit_sort=params.get("sort") in queries.SORTS,
        name_searched=name is not None, may_search_names=person.team,
        name_typed=(page.form or {}).get("name", ""))


def _params(f: queries.Filters) -> dict[str, str]:
    found = {"status": f.status if f.status != "open" else None, "stage": f.stage, "procedure": f.procedure,
             "officer": f.officer, "team": f.team, "area": f.area, "due": f.due, "reference": f.reference}
    return {k: str(v) for k, v in found.items() if v is not None}


def _url_maker(f: queries.Filters, sort: str, descending: bool, by_name: bool, default: tuple[str, bool]):
    """``url(sort=..., page=...)``: this list with some of its parameters changed."""
    base = _params(f)
    if f.status == "open" and (f.reference or by_name):
        base["status"] = "open"       # searches look at every status unless told otherwise
    if by_name:
        base["search"] = "name"
    if (sort, descending) != default:
        base["sort"] = sort
        base["order"] = "desc" if descending else "asc"

    def url(**changes) -> str:
        found = dict(base)
        for key, value in changes.items():
            if value is None:
                found.pop(key, None)
            else:
                found[key] = str(value)
        return "/complaints" + ("?" + urlencode(found) if found else "")

    return url


def _chosen(f: queries.Filters, who: queries.People) -> list[tuple[str, str, str]]:
    """The filters in force, in words: (heading, words, the parameter that removes it)."""
    found = []
    if f.status != "open":
        found.append(("Status", queries.STATUS_FILTERS[f.status], "status"))
    if f.due:
        found.append(("Due", queries.DUE_FILTERS[f.due], "due"))
    if f.stage:
        found.append(("Stage", f"Stage {f.stage}", "stage"))
    if f.procedure:
        found.append(("Procedure", queries.procedures().title(f.procedure), "procedure"))
    if f.team:
        found.append(("Team", queries.team_words(f.team, who), "team"))
    if f.officer:
        found.append(("Investigating officer", who.name(f.officer), "officer"))
    if f.area:
        found.append(("Service area", "Not recorded" if f.area == "none" else f.area, "area"))
    if f.reference:
        found.append(("Reference", f"Starts with {f.reference}", "reference"))
    return found


def _options(f: queries.Filters, who: queries.People, visible: set[str] | None, areas: list[str],
             person: Person) -> dict[str, list[tuple[str, str]]]:
    officers = sorted(((o.id, o.name) for o in who.officers if visible is None or o.id in visible),
                      key=lambda o: o[1])
    teams = [(t, queries.team_words(t, who)) for t in teams_for(who, visible)]
    if visible is None:
        teams.append(("none", queries.team_words("none", who)))
    found = {
        "status": list(queries.STATUS_FILTERS.items()),
        "due": list(queries.DUE_FILTERS.items()),
        "stage": [(str(n), f"Stage {n}") for n in (1, 2, 3)],
        "procedure": [(name, p.title) for name, p in sorted(queries.procedures().by_name.items())],
        "officer": officers if len(officers) > 1 or visible is None else [],
        "team": teams if len(teams) > 1 or visible is None else [],
        "area": [(a, a) for a in areas] + ([("none", "Not recorded")] if visible is None else []),
    }
    # (value, words, whether chosen) for each select
    return {key: [(code, words, str(getattr(f, key)) == code) for code, words in options]
            for key, options in found.items()}


routes = [Route("/complaints", complaint_list, methods=["GET", "POST"])]
