"""Small numbers hidden so that nobody can be identified, and cannot be worked back out.

A council publishing counts of complaints about children hides every count from 1 to
N-1 (``--suppress-below N``). Hiding one cell is not enough when the others are shown:
a column whose total is published gives the hidden cell back by subtraction, and a
percentage beside a hidden count gives it back by multiplication. So, as official
statistics do ("secondary suppression"):

- in every column of counts that adds up to a total the report shows, a cell hidden for
  being small is never hidden alone: the next smallest cells are hidden too, until at
  least two are hidden and together they come to N or more;
- the same for a row whose count is the sum of others (stages reached, by standing);
- a percentage is hidden whenever a count it is worked out from is.

Figures the council has already published (a row whose ``source`` is its history file)
are shown as published: hiding them again would protect nobody.

Every hidden cell reads the same, "[c]", whether it was small or hidden to protect a small
one, so the reader cannot tell which.
"""

from __future__ import annotations

from typing import Any

HIDDEN = "[c]"
NOTE = ("[c] not shown, to protect privacy: a count below {n}, or a figure from which a count below {n} "
        "could be worked out.")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def hidden_cells(table, below: int) -> set[tuple[int, int]]:
    """The (row, column) cells of ``table`` to hide when counts below ``below`` are hidden."""
    if below <= 1:
        return set()
    rows = table.rows
    source = table.columns.index("source") if "source" in table.columns else None
    mine = [r for r, row in enumerate(rows) if source is None or row[source] != "history"]
    hidden = {(r, c) for r in mine for c in table.counts if _is_count(rows[r][c]) and 0 < rows[r][c] < below}
    if not hidden:
        return hidden
    groups = [[(r, c) for r in mine if _is_count(rows[r][c])]
              for c in table.counts if c not in table.not_additive]
    if table.row_sum is not None:
        whole, parts = table.row_sum
        groups += [[(r, c) for c in (whole, *parts) if _is_count(rows[r][c])] for r in mine]
    changed = True
    while changed:
        changed = False
        for group in groups:
            mine = [cell for cell in group if cell in hidden]
            if not mine:
                continue
            # Enough hidden when no single one can be worked out, and together they are not small.
            while len(mine) < 2 or sum(rows[r][c] for r, c in mine) < below:
                # A zero only when no other count is left: the same counts laid out another way
                # (a year's Ombudsman decisions as a row, not a column, with its zeros) must be
                # hidden alike.
                shown = ([cell for cell in group if cell not in hidden and rows[cell[0]][cell[1]] > 0]
                         or [cell for cell in group if cell not in hidden])
                if not shown:
                    break
                smallest = min(shown, key=lambda cell: (rows[cell[0]][cell[1]], cell))
                hidden.add(smallest)
                mine.append(smallest)
                changed = True
    for derived, sources in table.derived.items():
        for r in range(len(rows)):
            if any((r, s) in hidden for s in sources):
                hidden.add((r, derived))
    return hidden


def shown_rows(table, below: int) -> list[list[Any]]:
    """The table's rows as published: every hidden cell "[c]"."""
    hidden = hidden_cells(table, below)
    return [[HIDDEN if (r, c) in hidden else v for c, v in enumerate(row)] for r, row in enumerate(table.rows)]
