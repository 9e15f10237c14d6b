"""The parameter table of a module: names and shapes, expected against found."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from grader.report.figures.detail import broken, parse_shape, require, show_shape


RowStatus = Literal["matches", "wrong shape", "missing", "unexpected"]


@dataclass(frozen=True)
class ParameterRow:
    name: str
    expected: str
    found: str
    status: RowStatus

    @property
    def ok(self) -> bool:
        return self.status == "matches"


@dataclass(frozen=True)
class ParametersFigure:
    kind: Literal["parameters"]
    rows: tuple[ParameterRow, ...]
    summary: str


def parameters_figure(detail: dict[str, Any]) -> ParametersFigure:
    require(detail, "expected", "found")
    expected, found = _named_shapes(detail["expected"], "expected"), _named_shapes(detail["found"], "found")
    found_by_name = dict(found)
    rows = []
    for name, shape in expected:
        other = found_by_name.get(name)
        status: RowStatus = ("missing" if name not in found_by_name
                             else "matches" if other == shape else "wrong shape")
        shown = ("none" if name not in found_by_name else
                 "not a shape" if other is None else show_shape(other))
        rows.append(ParameterRow(name, show_shape(shape), shown, status))
    known = {name for name, _ in expected}
    rows += [ParameterRow(name, "none", "not a shape" if shape is None else show_shape(shape),
                          "unexpected")
             for name, shape in found if name not in known]
    counts = {s: sum(r.status == s for r in rows) for s in ("wrong shape", "missing", "unexpected")}
    problems = [f"{n} {s}" for s, n in counts.items() if n]
    summary = (f"{len(expected)} parameters expected, {len(found)} found: "
               + (", ".join(problems) if problems else "names and shapes all match") + ".")
    return ParametersFigure(kind="parameters", rows=tuple(rows), summary=summary)


def _named_shapes(value: Any, name: str) -> list[tuple[str, tuple[int, ...] | None]]:
    if not isinstance(value, list) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in value):
        raise broken(f"{name!r} must be a list of [name, shape] pairs")
    return [(p[0], parse_shape(p[1])) for p in value]

