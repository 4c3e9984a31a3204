"""A generated council's directory (generic names, @council.example) and the YAML writer
for scenario files: dates as YYYY-MM-DD, no aliases."""

from __future__ import annotations

from typing import IO, Any

import yaml


def officers(heads: int = 2, managers: int = 4, investigators: int = 12) -> list[dict[str, Any]]:
    """A director, ``heads`` heads of service, ``managers`` team managers and ``investigators``
    investigating officers, each line managed by the level above (spread evenly)."""
    out: list[dict[str, Any]] = [
        {"id": "dir-1", "name": "Director of Children's Services", "email": "dir1@council.example"}
    ]
    for h in range(1, heads + 1):
        out.append({"id": f"hos-{h}", "name": f"Head of Service {h}", "email": f"hos{h}@council.example",
                    "manager": "dir-1"})
    for t in range(1, managers + 1):
        out.append({"id": f"tm-{t}", "name": f"Team Manager {t}", "email": f"tm{t}@council.example",
                    "manager": f"hos-{(t - 1) * heads // managers + 1}"})
    for i in range(1, investigators + 1):
        out.append({"id": f"io-{i}", "name": f"Investigating Officer {i}", "email": f"io{i}@council.example",
                    "manager": f"tm-{(i - 1) * managers // investigators + 1}"})
    return out


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_scenario(scenario: dict[str, Any], stream: IO[str] | None = None) -> str | None:
    """The scenario as YAML (to ``stream``, or returned as text when there is none)."""
    return yaml.dump(scenario, stream, Dumper=_NoAliases, sort_keys=False, default_flow_style=None, width=120)
