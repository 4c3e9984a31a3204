"""Yearly totals for the years before the engine was installed, as the council published them.

A small YAML file the council keeps (``reports/examples/reference-history.yaml`` holds
the reference report's own figures for 2018-19 to 2022-23)::

    years:
      2022-23:
        statutory: {total: 55, resolved_at_stage1_pct: 52, out_of_timescale_pct: 62}
        corporate: {total: 195, out_of_timescale: 87}
        ombudsman: {referrals: 9, remedies_gbp: 100}
        costs_gbp: 19830.20

A year the record store holds is counted from the store; these figures fill the years
before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.yaml_files import YamlFileError, read_model_file
from reports.year import QUARTERS, FinancialYear

Count = Annotated[int, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
Pounds = Annotated[float, Field(ge=0)]


class HistoryError(ValueError):
    """A history file that cannot be read; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProcedureYear(_Strict):
    total: Count
    # Complaints received each month, April to March, where the council kept them.
    by_month: Annotated[list[Count], Field(min_length=12, max_length=12)] | None = None
    resolved_at_stage1_pct: Percent | None = None
    out_of_timescale: Count | None = None
    out_of_timescale_pct: Percent | None = None

    def late_share(self) -> float | None:
        if self.out_of_timescale_pct is not None:
            return self.out_of_timescale_pct
        if self.out_of_timescale is not None and self.total:
            return 100 * self.out_of_timescale / self.total
        return None


class OmbudsmanYear(_Strict):
    referrals: Count
    remedies_gbp: Pounds = 0.0
    results: dict[str, Count] = Field(default_factory=dict)


class HistoryYear(_Strict):
    statutory: ProcedureYear | None = None
    corporate: ProcedureYear | None = None
    ombudsman: OmbudsmanYear | None = None
    costs_gbp: Pounds | None = None
    costs_by_quarter: dict[str, Pounds] | None = None

    @field_validator("costs_by_quarter")
    @classmethod
    def _quarters(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and not set(value) <= set(QUARTERS):
            raise ValueError(f"quarters are {', '.join(QUARTERS)}")
        return value

    def procedure(self, key: str) -> ProcedureYear | None:
        """The published totals of the statutory or the corporate procedure; none for another."""
        return getattr(self, key) if key in ("statutory", "corporate") else None


class History(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Whose totals these are, for the file's reader. The report names the council from the
    # council's own file (council.yaml), as its letters do, not from here.
    council: str | None = None
    years: dict[str, HistoryYear] = Field(default_factory=dict)

    @field_validator("years")
    @classmethod
    def _year_labels(cls, value: dict[str, HistoryYear]) -> dict[str, HistoryYear]:
        return {FinancialYear.parse(str(label)).label: year for label, year in value.items()}

    def year(self, year: FinancialYear) -> HistoryYear | None:
        return self.years.get(year.label)

    def known_years(self) -> list[FinancialYear]:
        return sorted(FinancialYear.parse(label) for label in self.years)


def load_history(path: Path | None) -> History:
    if path is None:
        return History()
    try:
        return read_model_file(path, History)
    except YamlFileError as exc:
        raise HistoryError(str(exc)) from None
