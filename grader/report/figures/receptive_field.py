"""The receptive-field drawing: the layers, and which units one output unit sees."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from grader import policy
from grader.sanitize import as_float
from grader.report.figures.detail import broken, height_of, is_integer, require


@dataclass(frozen=True)
class LayerRow:
    name: str
    label: str  # "kernel 3, stride 2", or "pixels" for the input
    y: int
    units: tuple[tuple[float, bool], ...]  # (x, seen by the output unit); empty when banded
    band: tuple[float, float] | None  # (x0, x1) of the seen region when too many units to draw
    size: float  # side of one unit's square, px
    seen: int  # units of this layer the output unit depends on
    seen_from: float  # x extent of the seen units
    seen_to: float


@dataclass(frozen=True)
class Bracket:
    x0: float
    x1: float
    y: int
    label: str
    clipped: bool  # wider than the drawing


@dataclass(frozen=True)
class ReceptiveFieldFigure:
    kind: Literal["receptive_field"]
    id: str
    rows: tuple[LayerRow, ...]  # from the output (top) to the input (bottom)
    left: int  # x where the drawing area starts, after the labels
    width: int
    height: int
    expected: int
    actual: float | None
    computed: int
    brackets: tuple[Bracket, ...]
    description: str


_RF_LABEL_PX = 190
_RF_ROW_PX = 44
_RF_MARGIN_UNITS = 2  # input units of context drawn on each side of the field
_DESCRIBED_LAYERS = 6


def receptive_field_figure(detail: dict[str, Any], key: str) -> ReceptiveFieldFigure:
    require(detail, "layers", "expected", "actual")
    layers = _layers(detail["layers"])
    expected, actual = height_of(detail["expected"]), height_of(detail["actual"])
    number = None if actual is None else as_float(actual)  # "NaN", "Infinity" included
    if not is_integer(expected) or (actual is not None and number is None):
        raise broken("'expected' must be an integer and 'actual' a number or null, "
                      f"not {detail['expected']!r} and {detail['actual']!r}")
    expected, actual = int(expected), number

    # Going up: the field of one unit (r) and the distance between neighbours
    # (j), both in input pixels. Going down: how many units of each layer one
    # output unit depends on.
    fields, jumps = [1], [1]
    for _, k, s in layers:
        fields.append(fields[-1] + (k - 1) * jumps[-1])
        jumps.append(jumps[-1] * s)
    spans = [1]
    for _, k, s in reversed(layers):
        spans.insert(0, (spans[0] - 1) * s + k)
    computed = fields[-1]

    m = _RF_MARGIN_UNITS
    px = policy.RF_DRAW_WIDTH_PX / (computed + 2 * m)
    x_of = lambda pos: _RF_LABEL_PX + (pos + m + 0.5) * px  # noqa: E731 - input position to px
    size = max(min(px * 0.8, 14.0), 1.0)
    names = ["input"] + [n for n, _, _ in layers]
    labels = ["pixels"] + [f"kernel {k}, stride {s}" for _, k, s in layers]
    rows = []
    for level in reversed(range(len(fields))):
        centre0 = (fields[level] - 1) / 2
        j, span = jumps[level], spans[level]
        first = math.ceil((-m - centre0) / j)
        last = math.floor((computed - 1 + m - centre0) / j)
        y = 16 + (len(fields) - 1 - level) * _RF_ROW_PX
        seen_from, seen_to = x_of(centre0) - size / 2, x_of(centre0 + (span - 1) * j) + size / 2
        many = last - first + 1 > policy.RF_MAX_UNITS_DRAWN
        units = () if many else tuple((x_of(centre0 + u * j), 0 <= u < span)
                                      for u in range(first, last + 1))
        rows.append(LayerRow(name=names[level], label=labels[level], y=y, units=units,
                             band=(seen_from, seen_to) if many else None, size=size,
                             seen=span, seen_from=seen_from, seen_to=seen_to))

    input_y = rows[-1].y
    centre = x_of((computed - 1) / 2)
    brackets = [_bracket(centre, expected, px, input_y + 22, f"expected: {expected}")]
    if actual is not None and math.isfinite(actual) and actual > 0:
        brackets.append(_bracket(centre, actual, px, input_y + 50, f"your answer: {actual:g}"))
    width = _RF_LABEL_PX + policy.RF_DRAW_WIDTH_PX + 10
    chain = ", ".join(f"{n} (kernel {k}, stride {s})" for n, k, s in layers)
    # Layer by layer reads well for a short stack; for a deep one (VGG's 31
    # layers) a screen reader would recite dozens of counts, so only the input's.
    seen = ", ".join(f"{spans[i]} units of {names[i]}" for i in range(len(layers) - 1, 0, -1)
                     ) if len(layers) <= _DESCRIBED_LAYERS else ""
    description = (f"Layers from input to output: {chain}. One output unit depends on "
                   + (f"{seen} and " if seen else "")
                   + f"{spans[0]} input pixels in a row, so its receptive field is {computed} wide. "
                   + ("You gave no answer." if actual is None else f"Your answer was {actual:g}."))
    if computed != expected:
        description += (f" The suite expects {expected}; the drawing counts only kernels and "
                        "strides, so the difference comes from something it does not show.")
    return ReceptiveFieldFigure(kind="receptive_field", id=key, rows=tuple(rows),
                                left=_RF_LABEL_PX, width=width, height=input_y + 72,
                                expected=expected, actual=actual, computed=computed,
                                brackets=tuple(brackets), description=description)


def _layers(value: Any) -> list[tuple[str, int, int]]:
    if not isinstance(value, list) or not value:
        raise broken("'layers' must be a non-empty list of {name, kernel, stride}")
    out = []
    for i, layer in enumerate(value):
        if not isinstance(layer, dict) or not {"name", "kernel", "stride"} <= layer.keys():
            raise broken(f"layer {i} must have name, kernel and stride, not {layer!r}")
        out.append((str(layer["name"]), _side(layer["kernel"], i), _side(layer["stride"], i)))
    return out


def _side(value: Any, i: int) -> int:
    side = height_of(value)
    if not is_integer(side) or side < 1:
        raise broken(f"layer {i} has a kernel or stride {value!r}; expected a positive integer")
    return int(side)


def _bracket(centre: float, size: float, px: float, y: int, label: str) -> Bracket:
    half = size * px / 2
    lo, hi = _RF_LABEL_PX, _RF_LABEL_PX + policy.RF_DRAW_WIDTH_PX
    x0, x1 = centre - half, centre + half
    clipped = x0 < lo or x1 > hi
    return Bracket(x0=max(x0, lo), x1=min(x1, hi), y=y,
                   label=label + (" (wider than the drawing)" if clipped else ""), clipped=clipped)
