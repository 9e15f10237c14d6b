"""Turn a failed test's ``detail`` into the numbers its picture needs.

The suites record evidence (see docs/architecture.md, "Failure details");
this module does the arithmetic of drawing it: where each cell or unit
goes, which colour it gets, which rows of a table disagree, and a sentence
that says the same in words for screen readers and for print. The markup
itself lives in ``templates/_figures.html.j2``.

Values inside a detail may come from the learner's output (NaN, infinity,
enormous numbers, ragged lists); those are drawn as what they are. A detail
whose structure is wrong is a bug in a suite and raises ``SuiteError``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from grader import policy
from grader.errors import SuiteError

# A diverging scale centred on zero, from blue (negative) through near-white
# to red (positive): ColorBrewer's RdBu ends, readable with red-green colour
# blindness since the two ends differ in lightness and hue.
_NEGATIVE = (33, 102, 172)
_ZERO = (247, 247, 247)
_POSITIVE = (178, 24, 43)
_NOT_A_NUMBER = (189, 189, 189)
_LEGEND_STEPS = 5
_AXIS_PX = 20  # room for the row and column numbers of a heatmap


# --- Heatmaps ---------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    text: str  # the value, short enough to fit in the cell
    title: str  # row, column and the full value, shown on hover
    fill: str
    ink: str  # text colour with the higher contrast against fill
    marked: bool  # outside tolerance: outlined, so colour is never the only cue


@dataclass(frozen=True)
class Swatch:
    x: int
    fill: str
    label: str


@dataclass(frozen=True)
class Heatmap:
    id: str  # unique in the page, for aria-labelledby
    title: str
    description: str
    width: int
    height: int
    cell: int
    cells: tuple[Cell, ...]
    row_labels: tuple[tuple[int, str], ...]  # (y, row number)
    col_labels: tuple[tuple[int, str], ...]  # (x, column number)
    legend_y: int
    legend: tuple[Swatch, ...]


@dataclass(frozen=True)
class ArraysFigure:
    kind: Literal["arrays"]
    call: str
    sample: int
    channel: int
    expected_shape: str
    actual_shape: str
    shape_differences: tuple[str, ...]
    heatmaps: tuple[Heatmap, ...]
    summary: str
    cropped: str  # "" when the whole channel is shown


# --- Parameter tables -------------------------------------------------------

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


# --- Receptive fields -------------------------------------------------------

@dataclass(frozen=True)
class LayerRow:
    name: str
    label: str  # "kernel 3, stride 2", or "input"
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
    actual: int | None
    computed: int
    brackets: tuple[Bracket, ...]
    description: str


Figure = ArraysFigure | ParametersFigure | ReceptiveFieldFigure


def figure_for(detail: dict[str, Any] | None, *, key: str) -> Figure | None:
    """The figure for one failed test's detail; ``key`` makes its ids unique in the page."""
    if detail is None:
        return None
    if not isinstance(detail, dict):
        raise _broken(f"a failure detail must be a dict, not {type(detail).__name__}")
    kind = detail.get("kind")
    if kind == "arrays":
        return _arrays(detail, key)
    if kind == "parameters":
        return _parameters(detail)
    if kind == "receptive_field":
        return _receptive_field(detail, key)
    raise _broken(f"unknown failure detail kind {kind!r}")


def _broken(message: str) -> SuiteError:
    return SuiteError(message, hint="see docs/architecture.md, 'Failure details', for the kinds and keys")


def _require(detail: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in detail]
    if missing:
        raise _broken(f"{detail.get('kind')!r} failure detail lacks {', '.join(missing)}")


# --- arrays -----------------------------------------------------------------

def _arrays(detail: dict[str, Any], key: str) -> ArraysFigure:
    _require(detail, "call", "index", "expected", "actual", "expected_shape", "actual_shape")
    sample, channel = _index(detail["index"])
    expected = _grid(detail["expected"], "expected")
    if expected is None:
        raise _broken("an 'arrays' failure detail needs the expected channel")
    actual = _grid(detail["actual"], "actual")
    exp_shape, act_shape = _shape(detail["expected_shape"]), _shape(detail["actual_shape"])
    differences = _shape_differences(exp_shape, act_shape)

    comparable = actual is not None and _dims(actual) == _dims(expected)
    diff = ([[a - e for a, e in zip(ra, re)] for ra, re in zip(actual, expected)]
            if comparable else None)
    wrong = ([[not _close(a, e) for a, e in zip(ra, re)] for ra, re in zip(actual, expected)]
             if comparable else None)
    window, cropped = _window(expected, diff)

    where = f"sample {sample}, channel {channel}"
    value_scale = _scale(expected + (actual if actual is not None else []))
    maps = [_heatmap(f"{key}-expected", f"Expected output ({where})", expected, window,
                     value_scale, None, _values_sentence("The expected values", expected))]
    if actual is not None:
        maps.append(_heatmap(f"{key}-actual", f"Your output ({where})", actual,
                             window if comparable else _full(actual), value_scale, wrong,
                             _values_sentence("Your values", actual)))
    summary = "Your output has a different shape, so only the expected values are drawn."
    if diff is not None:
        summary = _difference_sentence(diff, wrong)
        maps.append(_heatmap(f"{key}-difference", "Difference (yours minus expected)", diff,
                             window, _scale(diff), wrong, summary))
    elif actual is not None:
        summary = "Your channel has a different size from the expected one, so no difference is drawn."
    return ArraysFigure(kind="arrays", call=str(detail["call"]), sample=sample, channel=channel,
                        expected_shape=_show_shape(exp_shape), actual_shape=_show_shape(act_shape),
                        shape_differences=differences, heatmaps=tuple(maps), summary=summary,
                        cropped=cropped)


def _index(value: Any) -> tuple[int, int]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, int) for v in value)):
        raise _broken(f"'index' must be [sample, channel], not {value!r}")
    return value[0], value[1]


def _grid(value: Any, name: str) -> list[list[float]] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or not value
            or not all(isinstance(row, list) and row for row in value)):
        raise _broken(f"{name!r} must be a non-empty 2-D list of numbers")
    width = len(value[0])
    if any(len(row) != width for row in value):
        raise _broken(f"{name!r} has rows of different lengths")
    try:
        return [[float(v) for v in row] for row in value]
    except (TypeError, ValueError) as exc:
        raise _broken(f"{name!r} holds a value that is not a number ({exc})") from None


def _shape(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) for v in value):
        raise _broken(f"a shape must be a list of integers, not {value!r}")
    return tuple(value)


def _show_shape(shape: tuple[int, ...] | None) -> str:
    return "none" if shape is None else "(" + ", ".join(map(str, shape)) + ")"


_DIM_NAMES = {4: ("samples", "channels", "height", "width"), 3: ("channels", "height", "width")}


def _shape_differences(expected: tuple[int, ...] | None, actual: tuple[int, ...] | None) -> tuple[str, ...]:
    if expected is None or actual is None or expected == actual:
        return ()
    if len(expected) != len(actual):
        return (f"expected {len(expected)} dimensions, yours has {len(actual)}",)
    names = _DIM_NAMES.get(len(expected), ())
    return tuple(f"dimension {i}{f' ({names[i]})' if names else ''}: expected {e}, yours {a}"
                 for i, (e, a) in enumerate(zip(expected, actual)) if e != a)


def _dims(grid: list[list[float]]) -> tuple[int, int]:
    return len(grid), len(grid[0])


def _close(a: float, e: float) -> bool:
    if math.isnan(a) or math.isnan(e):
        return math.isnan(a) and math.isnan(e)
    if math.isinf(a) or math.isinf(e):
        return a == e
    return abs(a - e) <= policy.FIGURE_ATOL + policy.FIGURE_RTOL * abs(e)


Window = tuple[int, int, int, int]  # first row, first column, rows, columns


def _full(grid: list[list[float]]) -> Window:
    rows, cols = _dims(grid)
    side = policy.HEATMAP_MAX_SIDE
    return 0, 0, min(rows, side), min(cols, side)


def _window(expected: list[list[float]], diff: list[list[float]] | None) -> tuple[Window, str]:
    rows, cols = _dims(expected)
    side = policy.HEATMAP_MAX_SIDE
    if rows <= side and cols <= side:
        return (0, 0, rows, cols), ""
    r, c = _worst(diff) if diff is not None else (0, 0)
    r0 = min(max(r - side // 2, 0), max(rows - side, 0))
    c0 = min(max(c - side // 2, 0), max(cols - side, 0))
    h, w = min(rows, side), min(cols, side)
    return (r0, c0, h, w), (f"The channel is {rows} x {cols}; shown are rows {r0}-{r0 + h - 1} "
                            f"and columns {c0}-{c0 + w - 1}, around the largest difference.")


def _worst(diff: list[list[float]]) -> tuple[int, int]:
    best, where = -1.0, (0, 0)
    for r, row in enumerate(diff):
        for c, v in enumerate(row):
            size = math.inf if not math.isfinite(v) else abs(v)
            if size > best:
                best, where = size, (r, c)
    return where


def _scale(grid: list[list[float]]) -> float:
    finite = [abs(v) for row in grid for v in row if math.isfinite(v)]
    return max(finite, default=0.0) or 1.0


def _heatmap(id_: str, title: str, grid: list[list[float]], window: Window, vmax: float,
             wrong: list[list[bool]] | None, description: str) -> Heatmap:
    r0, c0, h, w = window
    px = policy.HEATMAP_CELL_PX
    cells = []
    for r in range(r0, r0 + h):
        for c in range(c0, c0 + w):
            v = grid[r][c]
            fill = _colour(v, vmax)
            cells.append(Cell(x=_AXIS_PX + (c - c0) * px, y=_AXIS_PX + (r - r0) * px,
                              text=_short(v), title=f"row {r}, column {c}: {v:.6g}",
                              fill=_hex(fill), ink=_ink(fill),
                              marked=bool(wrong and wrong[r][c])))
    grid_w = max(w * px, _LEGEND_STEPS * px)
    legend = tuple(Swatch(x=_AXIS_PX + i * px, fill=_hex(_colour(v, vmax)), label=_short(v))
                   for i, v in enumerate(vmax * (2 * i / (_LEGEND_STEPS - 1) - 1)
                                         for i in range(_LEGEND_STEPS)))
    legend_y = _AXIS_PX + h * px + 8
    return Heatmap(id=id_, title=title, description=description,
                   width=_AXIS_PX + grid_w + 2, height=legend_y + px // 2 + 16, cell=px,
                   cells=tuple(cells),
                   row_labels=tuple((_AXIS_PX + i * px + px // 2, str(r0 + i)) for i in range(h)),
                   col_labels=tuple((_AXIS_PX + i * px + px // 2, str(c0 + i)) for i in range(w)),
                   legend_y=legend_y, legend=legend)


def _colour(v: float, vmax: float) -> tuple[int, int, int]:
    if math.isnan(v):
        return _NOT_A_NUMBER
    t = max(-1.0, min(1.0, v / vmax))
    end = _POSITIVE if t > 0 else _NEGATIVE
    return tuple(round(z + abs(t) * (e - z)) for z, e in zip(_ZERO, end))  # type: ignore[return-value]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: tuple[int, int, int]) -> float:
    """Relative luminance as WCAG 2 defines it (0 black, 1 white)."""
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _ink(fill: tuple[int, int, int]) -> str:
    return "#000000" if contrast(fill, (0, 0, 0)) >= contrast(fill, (255, 255, 255)) else "#ffffff"


def _short(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1000 or a < 0.01:
        return f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")
    if a >= 10:
        return f"{v:.0f}"
    return f"{v:.1f}" if a >= 1 else f"{v:.2g}"


def _values_sentence(what: str, grid: list[list[float]]) -> str:
    rows, cols = _dims(grid)
    finite = [v for row in grid for v in row if math.isfinite(v)]
    odd = rows * cols - len(finite)
    span = (f"from {min(finite):.4g} to {max(finite):.4g}" if finite else "none of them finite")
    extra = f", {odd} not finite" if finite and odd else ""
    return f"{what}: {rows} by {cols}, {span}{extra}."


def _difference_sentence(diff: list[list[float]], wrong: list[list[bool]] | None) -> str:
    total = sum(len(row) for row in diff)
    bad = sum(sum(row) for row in wrong) if wrong else 0
    if not bad:
        return f"All {total} values of this channel match; the mistake is elsewhere in the output."
    r, c = _worst(diff)
    return (f"{bad} of {total} values differ (outlined); the largest difference is "
            f"{diff[r][c]:.4g} at row {r}, column {c}.")


# --- parameters -------------------------------------------------------------

def _parameters(detail: dict[str, Any]) -> ParametersFigure:
    _require(detail, "expected", "found")
    expected, found = _named_shapes(detail["expected"], "expected"), _named_shapes(detail["found"], "found")
    found_by_name = dict(found)
    rows = []
    for name, shape in expected:
        other = found_by_name.get(name)
        status: RowStatus = ("missing" if name not in found_by_name
                             else "matches" if other == shape else "wrong shape")
        rows.append(ParameterRow(name, _show_shape(shape),
                                 "none" if name not in found_by_name else _show_shape(other), status))
    known = {name for name, _ in expected}
    rows += [ParameterRow(name, "none", _show_shape(shape), "unexpected")
             for name, shape in found if name not in known]
    counts = {s: sum(r.status == s for r in rows) for s in ("wrong shape", "missing", "unexpected")}
    problems = [f"{n} {s}" for s, n in counts.items() if n]
    summary = (f"{len(expected)} parameters expected, {len(found)} found: "
               + (", ".join(problems) if problems else "names and shapes all match") + ".")
    return ParametersFigure(kind="parameters", rows=tuple(rows), summary=summary)


def _named_shapes(value: Any, name: str) -> list[tuple[str, tuple[int, ...] | None]]:
    if not isinstance(value, list) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in value):
        raise _broken(f"{name!r} must be a list of [name, shape] pairs")
    return [(p[0], _shape(p[1])) for p in value]


# --- receptive field --------------------------------------------------------

_RF_LABEL_PX = 190
_RF_ROW_PX = 44
_RF_MARGIN_UNITS = 2  # input units of context drawn on each side of the field


def _receptive_field(detail: dict[str, Any], key: str) -> ReceptiveFieldFigure:
    _require(detail, "layers", "expected", "actual")
    layers = _layers(detail["layers"])
    expected, actual = detail["expected"], detail["actual"]
    if not isinstance(expected, int) or not (actual is None or isinstance(actual, (int, float))):
        raise _broken("'expected' must be an integer and 'actual' a number or null")

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
    if actual is not None:
        brackets.append(_bracket(centre, actual, px, input_y + 50, f"your answer: {actual:g}"))
    width = _RF_LABEL_PX + policy.RF_DRAW_WIDTH_PX + 10
    chain = ", ".join(f"{n} (kernel {k}, stride {s})" for n, k, s in layers)
    seen = ", ".join(f"{spans[i]} units of {names[i]}" for i in range(len(layers) - 1, 0, -1))
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
        raise _broken("'layers' must be a non-empty list of {name, kernel, stride}")
    out = []
    for i, layer in enumerate(value):
        if not isinstance(layer, dict) or not {"name", "kernel", "stride"} <= layer.keys():
            raise _broken(f"layer {i} must have name, kernel and stride, not {layer!r}")
        out.append((str(layer["name"]), _side(layer["kernel"], i), _side(layer["stride"], i)))
    return out


def _side(value: Any, i: int) -> int:
    # A square kernel or stride may come as one number or as [height, width];
    # the drawing is one row of the image, so it uses the height.
    side = value[0] if isinstance(value, (list, tuple)) and value else value
    if not isinstance(side, int) or isinstance(side, bool) or side < 1:
        raise _broken(f"layer {i} has a kernel or stride {value!r}; expected a positive integer")
    return side


def _bracket(centre: float, size: float, px: float, y: int, label: str) -> Bracket:
    half = size * px / 2
    lo, hi = _RF_LABEL_PX, _RF_LABEL_PX + policy.RF_DRAW_WIDTH_PX
    x0, x1 = centre - half, centre + half
    clipped = x0 < lo or x1 > hi
    return Bracket(x0=max(x0, lo), x1=min(x1, hi), y=y,
                   label=label + (" (wider than the drawing)" if clipped else ""), clipped=clipped)
