"""A scenario file (docs/contracts.md, `complaints simulate`), validated before anything runs.

Errors name the complaint, the action and the field, so a council officer can find
the line to fix.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from models.actions import ACTIONS, Registration
from models.complaint import COMPLAINANT_TYPES, Complainant, Officer
from models.field_checks import (
    compliment_problem,
    directory_problem,
    identifier_problem,
    registration_problem,
    request_problem,
)
from models.validation import field_errors
from models.yaml_files import YamlFileError, read_yaml_file
from policies import PolicyError, load_policy
from rules.complaint import LONDON

ACTION_HOUR = 10  # an action without `at:` happens at 10:00 on its date


class ScenarioError(ValueError):
    """A scenario that does not validate; the message names where."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficerIn(_Strict):
    id: str
    name: str
    email: str
    manager: str | None = None


class ComplainantIn(_Strict):
    name: str
    # An email address, a postal address (one line of the envelope a line, postcode last),
    # or both; and how to write: by email (the default where there is an address) or post.
    email: str | None = None
    type: Literal[COMPLAINANT_TYPES]  # type: ignore[valid-type]
    address: str | None = None
    write_by: Literal["email", "post"] | None = None


class ComplaintsTeamIn(_Strict):
    email: str


class ActionIn(BaseModel):
    """One scheduled action; its own fields are checked against the action's input record."""

    model_config = ConfigDict(extra="allow")
    date: date
    do: Literal[tuple(ACTIONS)]  # type: ignore[valid-type]
    at: datetime | None = None

    def moment(self) -> datetime:
        if self.at is not None:
            return self.at if self.at.tzinfo else self.at.replace(tzinfo=LONDON)
        return datetime.combine(self.date, time(ACTION_HOUR), LONDON)

    def fields(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    def request(self) -> object:
        return _adapter(ACTIONS[self.do]).validate_python(self.fields())


@functools.cache
def _adapter(kind: type) -> TypeAdapter:
    return TypeAdapter(kind)


class ComplaintIn(_Strict):
    ref: Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
    policy: str
    received: datetime | date
    complainant: ComplainantIn
    channel: str | None = None
    service_area: str | None = None
    reasons: list[str] = Field(default_factory=list)
    child: str | None = None
    matter_date: date | None = None
    late_accepted: bool = False
    late_reason: str | None = None
    actions: list[ActionIn] = Field(default_factory=list)

    def received_at(self) -> datetime:
        if isinstance(self.received, datetime):
            return self.received if self.received.tzinfo else self.received.replace(tzinfo=LONDON)
        return datetime.combine(self.received, time(ACTION_HOUR), LONDON)

    def registration(self, officers: list[Officer], team_email: str) -> Registration:
        return Registration(
            ref=self.ref, policy=self.policy, received=self.received_at(),
            complainant=Complainant(**self.complainant.model_dump()),
            officers=officers, complaints_team_email=team_email,
            channel=self.channel, service_area=self.service_area, reasons=list(self.reasons),
            child=self.child, matter_date=self.matter_date,
            late_accepted=self.late_accepted, late_reason=self.late_reason,
        )


class ComplimentIn(_Strict):
    """A compliment about staff (procedures.md section 5), for the annual report."""

    date: date
    team: Annotated[str, Field(min_length=1)]
    officer: str | None = None              # an officer id of the scenario's directory
    text: Annotated[str, Field(min_length=1)]


class Scenario(_Strict):
    officers: list[OfficerIn]
    complaints_team: ComplaintsTeamIn
    until: date | None = None
    complaints: list[ComplaintIn]
    compliments: list[ComplimentIn] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_refs(self) -> Scenario:
        seen: set[str] = set()
        for c in self.complaints:
            if c.ref in seen:
                raise ValueError(f"complaint reference {c.ref} appears twice")
            seen.add(c.ref)
        return self

    def directory(self) -> list[Officer]:
        return [Officer(**o.model_dump()) for o in self.officers]

    def end(self) -> datetime | None:
        """The last moment simulated: the end of the `until` day."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(0), LONDON)


def _where(data: Any, loc: tuple) -> str:
    """'complaint CS-1, action 3 (extend), field new_due' from a pydantic error location."""
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "compliments" and isinstance(loc[1], int):
        parts.append(f"compliment {loc[1] + 1}")
        loc = loc[2:]
    if len(loc) >= 2 and loc[0] == "complaints" and isinstance(loc[1], int):
        complaint = _item(data, "complaints", loc[1])
        parts.append(f"complaint {complaint.get('ref', f'#{loc[1] + 1}')}")
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "actions" and isinstance(loc[1], int):
            do = _item(complaint, "actions", loc[1]).get("do", "?")
            parts.append(f"action {loc[1] + 1} ({do})")
            loc = loc[2:]
    if loc:
        parts.append("field " + ".".join(str(p) for p in loc))
    return ", ".join(parts) or "scenario"


def _item(data: Any, key: str, index: int) -> dict:
    try:
        item = data[key][index]
    except (KeyError, IndexError, TypeError):
        return {}
    return item if isinstance(item, dict) else {}


def _describe(data: Any, error: ValidationError) -> str:
    return "; ".join(f"{_where(data, tuple(e['loc']))}: {e['msg']}" for e in error.errors())


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; raises ScenarioError naming what is wrong."""
    try:
        data = read_yaml_file(path)
    except YamlFileError as exc:
        raise ScenarioError(exc.reason) from None
    return parse_scenario(data)


def parse_scenario(data: Any) -> Scenario:
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_describe(data, exc)) from exc
    # Every field as the engine will check it (models.field_checks), so a value no record
    # could hold stops the scenario here, before anything runs.
    today = datetime.now(LONDON).date()
    problem = directory_problem(scenario.directory(), scenario.complaints_team.email)
    if problem is not None:
        raise ScenarioError(str(problem))
    for n, c in enumerate(scenario.complaints, start=1):
        complaint = f"complaint {c.ref}" if identifier_problem(c.ref) is None else f"complaint #{n}"
        # Dated by the machine's clock: a scenario may run in years to come, but not in centuries.
        problem = registration_problem(c.registration([], scenario.complaints_team.email), today)
        if problem is not None:
            raise ScenarioError(f"{complaint}, {problem}")
        try:
            load_policy(c.policy)
        except PolicyError as exc:
            raise ScenarioError(f"complaint {c.ref}, field policy: {exc}") from exc
        previous: datetime | None = None
        for i, act in enumerate(c.actions, start=1):
            where = f"complaint {c.ref}, action {i} ({act.do})"
            try:
                request = act.request()
            except ValidationError as exc:
                raise ScenarioError(f"{where}, {field_errors(exc)}") from exc
            # As the workflow checks it, on the day the action is taken.
            problem = request_problem(act.do, request, act.moment().astimezone(LONDON).date())
            if problem is not None:
                raise ScenarioError(f"{where}, {problem}")
            if previous is not None and act.moment() < previous:
                raise ScenarioError(f"{where}, field date: actions must be in date order")
            if act.moment() < c.received_at():
                raise ScenarioError(f"{where}, field date: before the complaint was received")
            previous = act.moment()
    officers = {o.id for o in scenario.officers}
    for i, compliment in enumerate(scenario.compliments, start=1):
        problem = compliment_problem(compliment.date, compliment.team, compliment.officer, compliment.text,
                                     today, future=True)
        if problem is not None:
            raise ScenarioError(f"compliment {i}, {problem}")
        if compliment.officer is not None and compliment.officer not in officers:
            raise ScenarioError(f"compliment {i}, field officer: {compliment.officer!r} is not one of "
                                f"the scenario's officers")
    return scenario
