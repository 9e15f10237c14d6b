"""Turn a failed test's ``detail`` into the numbers its picture needs.

The suites record evidence (see docs/architecture.md, "Failure details");
this package does the arithmetic of drawing it: where each cell or unit
goes, which colour it gets, which rows of a table disagree, and a sentence
that says the same in words for screen readers and for print. The markup
itself lives in ``templates/_figures.html.j2``.

Values inside a detail may come from the learner's output (NaN, infinity,
enormous numbers, ragged lists); those are drawn as what they are. A detail
whose structure is wrong is a bug in a suite and raises ``SuiteError``.
"""
from __future__ import annotations

from typing import Any

from grader.report.figures.detail import broken
from grader.report.figures.heatmaps import ArraysFigure, arrays_figure, contrast
from grader.report.figures.parameters import ParametersFigure, parameters_figure
from grader.report.figures.receptive_field import ReceptiveFieldFigure, receptive_field_figure

__all__ = ["Figure", "contrast", "figure_for"]

Figure = ArraysFigure | ParametersFigure | ReceptiveFieldFigure


def figure_for(detail: dict[str, Any] | None, *, key: str) -> Figure | None:
    """The figure for one failed test's detail; ``key`` makes its ids unique in the page."""
    if detail is None:
        return None
    if not isinstance(detail, dict):
        raise broken(f"a failure detail must be a dict, not {type(detail).__name__}")
    kind = detail.get("kind")
    if kind == "arrays":
        return arrays_figure(detail, key)
    if kind == "parameters":
        return parameters_figure(detail)
    if kind == "receptive_field":
        return receptive_field_figure(detail, key)
    raise broken(f"unknown failure detail kind {kind!r}")

