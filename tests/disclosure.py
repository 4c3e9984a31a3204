"""An attacker's attempt to work hidden counts back out of a published annual report.

Given the report as published (CSVs and HTML, ``--suppress-below N``) and the same report
unsuppressed (the truth, which the attacker does not have but the test needs to say what
was recovered), it tries what a reader could: subtract the shown cells of a column from
its total, the shown parts of a row from its whole, multiply a shown percentage by its
base, read the same count where another table shows it, and read the charts' SVG. It
shares no code with reports/suppression.py.
"""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

HIDDEN = "[c]"
# A row's whole and its parts, where a table has one (column names in the CSV).
ROW_SUMS = {
    "_later_stages": ("reached", ("on_time", "extended", "late", "awaiting", "withdrawn", "discontinued")),
    "_ombudsman_by_year": ("referrals", ("premature", "closed_after_initial_enquiries", "not_upheld",
                                         "upheld_fault_and_injustice", "upheld_fault_no_injustice",
                                         "upheld_remedied_already", "awaiting_decision")),
}
# Columns whose cells do not add up to a total anyone knows (a complaint gives several
# reasons; years are not summed).
NOT_SUMMED = ("_reasons", "_reasons_by_year", "_volumes_by_year", "_stage1_resolution", "_timeliness_by_year",
              "_beyond_by_year", "_ombudsman_by_year")
# A percentage and the count and base it is worked out from; None: the column's total.
SHARES = {"share_pct": ("complaints", None), "late_pct": ("late", "complaints"),
          "beyond_timescale_pct": ("beyond_timescale", "complaints"),
          "resolved_at_stage1_pct": ("resolved_at_stage1", "complaints"),
          "out_of_timescale_pct": ("out_of_timescale", "complaints"),
          "previous_year_late_pct": ("previous_year_late", "previous_year")}


def read(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            tables[path.stem] = list(csv.DictReader(f))
    return tables


def _int(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d+", text or "") else None


def recovered(published: Path, truth: Path) -> list[str]:
    """Every hidden count the attacker can work out exactly, in words."""
    shown, exact = read(published), read(truth)
    found: list[str] = []
    for name, rows in shown.items():
        real = exact[name]
        assert len(rows) == len(real), f"{name}: the published table has other rows than the truth"
        if not rows:
            continue
        columns = list(rows[0])
        label = columns[0]

        def hidden_count(r: int, column: str) -> bool:
            return rows[r][column] == HIDDEN and _int(real[r][column]) is not None

        # 1. A column's total less its shown cells. (A table of one row has no total
        # apart from its one cell: what it hides is not published anywhere else.)
        if not name.endswith(NOT_SUMMED) and len(rows) > 1:
            for column in columns[1:]:
                if not any(_int(row[column]) is not None for row in real):
                    continue
                mine = [r for r in range(len(rows)) if hidden_count(r, column)]
                if len(mine) == 1:
                    r = mine[0]
                    found.append(f"{name}: {rows[r][label]} {column} = {real[r][column]} (the column's total)")
        # 2. A row's whole less its shown parts, or its parts added up.
        for suffix, (whole, parts) in ROW_SUMS.items():
            if not name.endswith(suffix):
                continue
            for r in range(len(rows)):
                cells = [whole, *parts]
                if any(_int(real[r][c]) is None for c in cells):
                    continue
                mine = [c for c in cells if hidden_count(r, c)]
                if len(mine) == 1:
                    found.append(f"{name}: {rows[r][label]} {mine[0]} = {real[r][mine[0]]} (the row's sum)")
        # 3. A shown percentage times its base.
        for pct, (count, base) in SHARES.items():
            if pct not in columns or count not in columns:
                continue
            total = sum(_int(row[count]) or 0 for row in real)
            for r in range(len(rows)):
                if not hidden_count(r, count) or rows[r][pct] in ("", HIDDEN):
                    continue
                whole = total if base is None else _int(rows[r][base])
                if whole is None:
                    continue
                value = float(rows[r][pct])
                fits = [x for x in range(whole + 1) if round(100 * x / whole, 1) == value] if whole else []
                if len(fits) == 1:
                    found.append(f"{name}: {rows[r][label]} {count} = {fits[0]} (from {pct} {value})")
    # 4. The same count shown in another table.
    vectors: dict[tuple, list[tuple[str, str]]] = {}
    for name, real in exact.items():
        if not real:
            continue
        label = list(real[0])[0]
        for column in list(real[0])[1:]:
            values = tuple(row[column] for row in real)
            if all(_int(v) is not None for v in values):
                key = (tuple(row[label] for row in real), column, values)
                vectors.setdefault(key, []).append((name, column))
    for places in vectors.values():
        for name, column in places:
            for other, other_column in places:
                for r, row in enumerate(shown[name]):
                    if row[column] == HIDDEN and shown[other][r][other_column] != HIDDEN:
                        found.append(f"{name}: {row[list(row)[0]]} {column} is shown in {other}")
    # 5. The year's Ombudsman decisions, a column of one table and a row of another.
    for name in shown:
        if not name.endswith("_ombudsman") or f"{name}_by_year" not in shown:
            continue
        by_year = shown[f"{name}_by_year"]
        if not by_year or by_year[-1]["source"] != "records":
            continue
        for row in shown[name]:
            other = by_year[-1].get(row["result"])
            if (row["referrals"] == HIDDEN) != (other == HIDDEN):
                found.append(f"{name}: {row['result']} is hidden in one table and shown in the other")
    return found


def chart_texts(html: str) -> list[str]:
    """The text of every chart in the report (each an SVG in a data URI)."""
    return [base64.b64decode(m).decode() for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def primary_only(truth: Path, out: Path, below: int) -> None:
    """The naive publication: each small count hidden on its own (for the attack's own test)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in read(truth).items():
        with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            if not rows:
                f.write("x\n")
                continue
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                writer.writerow({k: HIDDEN if (_int(v) is not None and 0 < int(v) < below and k != list(row)[0])
                                 else v for k, v in row.items()})
