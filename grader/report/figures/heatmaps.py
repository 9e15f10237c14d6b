"""Heatmaps of one channel: expected, the learner's, and their difference.

Colours come from a diverging scale centred on zero; every cell also shows
its value as text in the ink (black or white) with the higher contrast, and
cells outside tolerance are outlined, so nothing depends on colour alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from grader import policy
from grader.sanitize import as_float
from grader.report.figures.detail import broken, is_integer, parse_shape, require, show_shape

# A diverging scale centred on zero, from blue (negative) through near-white
# to red (positive): ColorBrewer's RdBu ends, readable with red-green colour
# blindness since the two ends differ in lightness and hue.
_NEGATIVE = (33, 102, 172)
_ZERO = (247, 247, 247)
_POSITIVE = (178, 24, 43)
_NOT_A_NUMBER = (189, 189, 189)
_LEGEND_STEPS = 5
_AXIS_PX = 20  # room for the row and column numbers of a heatmap


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
    part: str = "Output"  # what is drawn: the output, or one gradient ("dx", "dweight")
    where: str = ""  # which 2-D slice, e.g. "sample 0, channel 1" or "filter 2, input channel 0"


def arrays_figure(detail: dict[str, Any], key: str) -> ArraysFigure:
    require(detail, "call", "index", "expected", "actual", "expected_shape", "actual_shape")
    sample, channel = _index(detail["index"])
    expected = _grid(detail["expected"], "expected")
    if expected is None:
        raise broken("an 'arrays' failure detail needs the expected channel")
    actual = _grid(detail["actual"], "actual")
    exp_shape, act_shape = parse_shape(detail["expected_shape"]), parse_shape(detail["actual_shape"])
    differences = _shape_differences(exp_shape, act_shape)

    comparable = actual is not None and _dims(actual) == _dims(expected)
    actual_grid = actual or []  # read only when comparable
    diff = ([[a - e for a, e in zip(ra, re)] for ra, re in zip(actual_grid, expected)]
            if comparable else None)
    wrong = ([[not _close(a, e) for a, e in zip(ra, re)] for ra, re in zip(actual_grid, expected)]
             if comparable else None)
    window, cropped = _window(expected, diff)

    # A gradient is drawn like an output; dweight's slice is a filter's input channel.
    part = str(detail.get("part", "Output"))
    first, second = _index_names(detail.get("index_names", ("sample", "channel")))
    where = f"{first} {sample}, {second} {channel}"
    noun = "output" if part == "Output" else part
    value_scale = _scale(expected + (actual if actual is not None else []))
    maps = [_heatmap(f"{key}-expected", f"Expected {noun} ({where})", expected, window,
                     value_scale, None, _values_sentence("The expected values", expected))]
    if actual is not None:
        maps.append(_heatmap(f"{key}-actual", f"Your {noun} ({where})", actual,
                             window if comparable else _full(actual), value_scale, wrong,
                             _values_sentence("Your values", actual)))
    summary = ("Your function did not return an array of numbers, so only the expected values are drawn."
               if act_shape is None else
               "Your output has a different shape, so only the expected values are drawn.")
    if diff is not None:
        summary = _difference_sentence(diff, wrong)
        maps.append(_heatmap(f"{key}-difference", "Difference (yours minus expected)", diff,
                             window, _scale(diff), wrong, summary))
    elif actual is not None:
        summary = "Your channel has a different size from the expected one, so no difference is drawn."
    return ArraysFigure(kind="arrays", call=str(detail["call"]), sample=sample, channel=channel,
                        expected_shape=show_shape(exp_shape), actual_shape=show_shape(act_shape),
                        shape_differences=differences, heatmaps=tuple(maps), summary=summary,
                        cropped=cropped, part=part, where=where)


def _index_names(value: Any) -> tuple[str, str]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(isinstance(v, str) for v in value)):
        raise broken(f"'index_names' must be two words, not {value!r}")
    return value[0], value[1]


def _index(value: Any) -> tuple[int, int]:
    if (not isinstance(value, (list, tuple)) or len(value) != 2
            or not all(is_integer(v) for v in value)):
        raise broken(f"'index' must be [sample, channel], not {value!r}")
    return int(value[0]), int(value[1])


def _grid(value: Any, name: str) -> list[list[float]] | None:
    if value is None:
        return None
    if (not isinstance(value, list) or not value
            or not all(isinstance(row, list) and row for row in value)):
        raise broken(f"{name!r} must be a non-empty 2-D list of numbers")
    width = len(value[0])
    if any(len(row) != width for row in value):
        raise broken(f"{name!r} has rows of different lengths")
    try:
        return [[_number(v) for v in row] for row in value]
    except (TypeError, ValueError) as exc:
        raise broken(f"{name!r} holds a value that is not a number ({exc})") from None


def _number(v: Any) -> float:
    # Details are strict JSON (grader/sanitize.py): NaN and the infinities
    # arrive as "NaN", "Infinity" and "-Infinity".
    value = as_float(v)
    if value is None:
        raise ValueError(f"{v!r} is not a number")
    return value


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

