"""Complaint procedures as data: one YAML file a policy, validated with pydantic.

A council adds or changes a procedure by adding or editing a file here (or in the folder
named by ``COMPLAINTS_POLICY_DIR``); no code changes. A complaint is started with a copy
of its policy, so a running complaint keeps the version it started with.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from models.yaml_files import YamlFileError, cached_while_unchanged, read_model_file

BUILT_IN = Path(__file__).parent

PositiveDays = Annotated[int, Field(ge=1, le=400)]
Months = Annotated[int, Field(ge=1, le=120)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PanelClocks(_Frozen):
    """Stage 3 runs three clocks in turn: the panel meeting (the stage's own clock),
    the panel's recommendations, then the council's final response."""

    recommendations_working_days: PositiveDays = 5
    final_response_working_days: PositiveDays = 15


class Stage(_Frozen):
    stage: Annotated[int, Field(ge=1, le=3)]
    name: str
    working_days: PositiveDays
    # The furthest an extension may take the clock, in working days from the start.
    # None: the stage cannot be extended.
    max_working_days: PositiveDays | None = None
    # Working days after this stage's response in which the complainant may ask for
    # the next stage. Ignored on the last stage.
    escalation_window_working_days: PositiveDays = 20
    # Whether an investigating officer handles the stage (stage 3 is the complaints
    # team's: there is no officer to chase).
    has_officer: bool = True
    # The first engine's check (the Code's stage 2): not the previous stage's last officer.
    # Complaints started then carry this in their copy of the policy; new files use the next.
    officer_must_differ_from_previous_stage: bool = False
    # Someone new to the complaint: an officer assigned to it at any earlier stage, at any
    # time, is refused (the statutory procedure's stage 2; the Code's stage 2).
    officer_new_to_the_complaint: bool = False
    panel: PanelClocks | None = None
    # Whether an independent person (neither a member nor an officer of the council) is
    # appointed to the stage alongside its officer: stage 2 of the children's statutory
    # procedure. Appointing one at any other stage is refused.
    independent_person: StrictBool = False

    @model_validator(mode="after")
    def _extension_beyond_clock(self) -> Stage:
        if self.max_working_days is not None and self.max_working_days <= self.working_days:
            raise ValueError(
                f"max_working_days ({self.max_working_days}) must be more than "
                f"working_days ({self.working_days})"
            )
        return self

    @property
    def extra_working_days(self) -> int | None:
        if self.max_working_days is None:
            return None
        return self.max_working_days - self.working_days


class Chasing(_Frozen):
    """Who is chased, when (procedures section 4). Times are Europe/London on working days."""

    hour: Annotated[int, Field(ge=0, le=23)] = 9
    unassigned_after_working_days: PositiveDays = 1
    due_soon_working_days_before: PositiveDays = 3
    overdue_repeat_working_days: PositiveDays = 5
    learning_first_after_working_days: PositiveDays = 5
    learning_repeat_working_days: PositiveDays = 5
    learning_reminders_at_most: Annotated[int, Field(ge=0, le=20)] = 3


class ReportPart(_Frozen):
    """Where a procedure goes in the annual report (reports/annual_report.py).

    The report has a main body and numbered appendices; compliments come last. Parts go
    main body first, then appendices, each by ``order`` (then by name).
    """

    # The part's heading; an appendix's is given its number ("Appendix 1: ...").
    title: Annotated[str, Field(min_length=1, max_length=200)]
    appendix: StrictBool = True
    order: Annotated[int, Field(ge=0, le=1000)] = 100
    # Which sections the part has: "full" (every table, as the statutory procedure's main
    # body), "brief" (volumes, reasons, timeliness and learning, as the corporate
    # appendix), or "code" (the Complaint Handling Code's: refusals and late responses).
    sections: Literal["full", "brief", "code"] = "brief"
    # Shown every year, even with nothing to count; otherwise only when the record store
    # holds complaints under the procedure (or refused some in the year).
    always: StrictBool = False


# What a copy of a built-in policy made before these settings were in its file stands for
# (a running complaint carries such a copy; so may a council's own older file).
_LEGACY_INDEPENDENT_PERSON_STAGE = {"children-statutory": 2}
_LEGACY_REPORT_PARTS: dict[str, dict[str, Any]] = {
    "children-statutory": {"title": "Children's statutory complaints and representations", "appendix": False,
                           "order": 0, "sections": "full", "always": True},
    "corporate": {"title": "complaints through the corporate procedure", "appendix": True, "order": 1,
                  "sections": "brief", "always": True},
    "complaint-handling-code": {"title": "the Ombudsman's Complaint Handling Code", "appendix": True,
                                "order": 2, "sections": "code", "always": False},
}


def _says_independent_person(stage: Any) -> bool:
    if isinstance(stage, Stage):
        return "independent_person" in stage.model_fields_set
    return isinstance(stage, dict) and "independent_person" in stage


class Policy(_Frozen):
    name: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    version: Annotated[int, Field(ge=1)]
    title: str
    # Time limit to complain, in months from when the matter arose (reg 9: one year).
    time_limit_months: Months = 12
    suspension_allowed: bool = True
    # After proceedings end, a discontinued complaint may be resubmitted for this long.
    resubmission_window_months: Months = 12
    # A closed complaint may be reopened by a late-accepted request for this long.
    reopen_window_months: Months = 12
    closure_days: list[date] = Field(default_factory=list)
    stages: list[Stage]
    chasing: Chasing = Chasing()
    report: ReportPart

    @model_validator(mode="before")
    @classmethod
    def _windows_once_in_days(cls, data: Any) -> Any:
        """Version 1 of the engine kept the one-year windows as 365 days. Complaints started
        then carry that copy of their policy; it still reads, as 12 months."""
        if isinstance(data, dict):
            data = dict(data)
            for field in ("time_limit", "resubmission_window", "reopen_window"):
                days = data.pop(f"{field}_days", None)
                if days is not None:
                    data.setdefault(f"{field}_months", max(1, round(days * 12 / 365)))
        return data

    @model_validator(mode="before")
    @classmethod
    def _settings_once_in_code(cls, data: Any) -> Any:
        """Before a procedure's needs were in its file, the engine knew them by its name:
        the children's statutory procedure appointed an independent person at stage 2, and
        the report placed the three built-in procedures. A copy (or file) from then, with
        no ``independent_person`` on any stage or no ``report``, reads as it behaved. A
        file of any other name with no ``report`` is an appendix under its title."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        name, stages = data.get("name"), data.get("stages")
        number = _LEGACY_INDEPENDENT_PERSON_STAGE.get(name) if isinstance(name, str) else None
        if number is not None and isinstance(stages, list) and not any(map(_says_independent_person, stages)):
            data["stages"] = [_with_independent_person(s) if _stage_number(s) == number else s for s in stages]
        if "report" not in data:
            if isinstance(name, str) and name in _LEGACY_REPORT_PARTS:
                data["report"] = dict(_LEGACY_REPORT_PARTS[name])
            elif isinstance(data.get("title"), str) and data["title"]:
                data["report"] = {"title": data["title"]}
        return data

    @model_validator(mode="after")
    def _stages_in_order(self) -> Policy:
        numbers = [s.stage for s in self.stages]
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"stages must be numbered 1, 2, ... in order; got {numbers}")
        return self

    def stage(self, number: int) -> Stage:
        for s in self.stages:
            if s.stage == number:
                return s
        raise KeyError(f"the {self.name} procedure has no stage {number}")

    @property
    def last_stage(self) -> int:
        return self.stages[-1].stage


def _stage_number(stage: Any) -> Any:
    return stage.stage if isinstance(stage, Stage) else stage.get("stage") if isinstance(stage, dict) else None


def _with_independent_person(stage: Any) -> Any:
    if isinstance(stage, Stage):
        return stage.model_copy(update={"independent_person": True})
    return {**stage, "independent_person": True}


class PolicyError(ValueError):
    """A policy that is unknown, or whose file does not validate."""


@cached_while_unchanged
def load_policy_file(path: Path) -> Policy:
    try:
        policy = read_model_file(path, Policy, whole="(top level)")
    except YamlFileError as exc:
        raise PolicyError(f"policy file {path.name}: {exc.reason}") from None
    if policy.name != path.stem:
        raise PolicyError(f"policy file {path.name}: name: must match the file name ({path.stem!r})")
    return policy


def policy_dirs() -> list[Path]:
    extra = os.environ.get("COMPLAINTS_POLICY_DIR")
    return ([Path(extra)] if extra else []) + [BUILT_IN]


def load_policy(name: str) -> Policy:
    """The named policy; a council's own folder takes precedence over the built-in files."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise PolicyError(f"{name!r} is not a policy name (lower-case letters, digits and hyphens)")
    for folder in policy_dirs():
        path = folder / f"{name}.yaml"
        if path.is_file():
            return load_policy_file(path)
    known = ", ".join(sorted(available_policies()))
    raise PolicyError(f"unknown policy {name!r} (known: {known})")


def available_policies() -> set[str]:
    return {p.stem for folder in policy_dirs() if folder.is_dir() for p in folder.glob("*.yaml")}
