"""Pictures of what a network learned (test exhibits): filters, loss curves, accuracies.

An exhibit is shown whether its test passed or failed (see
``model.TestResult.exhibit``); its numbers may come from the learner's
network (NaN, infinity, ragged lists), which are drawn as grey cells or
left out of a curve rather than breaking the page. Each kind becomes one
``Drawing``: rectangles, a polyline and labels, with a sentence that says
the same in words. The markup is the ``drawing`` macro of
``report/templates/_figures.html.j2``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from grader.report.figures.detail import broken

CELL = 14  # px per filter pixel
BAR_W, PLOT_W, PLOT_H = 36, 420, 180


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"
    ink: str = "#1f2328"


@dataclass(frozen=True)
class Drawing:
    kind: Literal["drawing"]
    css: str  # filters, loss, kernels, transfer, shift
    id: str
    title: str
    description: str
    width: int
    height: int
    rects: tuple[Rect, ...] = ()
    labels: tuple[Label, ...] = ()
    curve: str = ""  # polyline points, "x,y x,y ..."


def _number(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else math.nan


def _matrix(value: Any) -> list[list[float]]:
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        return []
    return [[_number(v) for v in row] for row in value]


def _shade(v: float, scale: float) -> str:
    """Blue for negative, red for positive, white at zero: sign and size of a weight."""
    if math.isnan(v) or scale <= 0:
        return "#9aa0a6"
    t = max(-1.0, min(1.0, v / scale))
    a = int(255 * (1 - abs(t)))
    return f"#ff{a:02x}{a:02x}" if t > 0 else f"#{a:02x}{a:02x}ff"


def _grid(m: list[list[float]], x0: float, y0: float, scale: float, cell: int = CELL,
          values: bool = False) -> tuple[list[Rect], list[Label]]:
    rects, labels = [], []
    for i, row in enumerate(m):
        for j, v in enumerate(row):
            rects.append(Rect(x0 + j * cell, y0 + i * cell, cell, cell, _shade(v, scale),
                              f"{v:.3g}"))
            if values:
                strong = not math.isnan(v) and scale > 0 and abs(v) / scale > 0.6
                labels.append(Label(x0 + j * cell + cell / 2, y0 + i * cell + cell / 2 + 4,
                                    f"{v:.2f}", ink="#ffffff" if strong else "#1f2328"))
    return rects, labels


def _scale(*matrices: list[list[float]]) -> float:
    finite = [abs(v) for m in matrices for row in m for v in row if not math.isnan(v)]
    return max(finite, default=0.0)


def filters(ex: dict, key: str) -> Drawing:
    """conv1's filters before and after training, side by side, one colour scale per side."""
    panels = [[_matrix(f) for f in ex.get(side) or []] for side in ("before", "after")]
    count = max(len(p) for p in panels)
    size = max((len(m) for p in panels for m in p), default=1)
    per_row = 8
    step = size * CELL + 6
    panel_w = per_row * step
    rows = max(1, math.ceil(count / per_row))
    rects, labels = [], []
    for side, (name, panel) in enumerate(zip(("at initialisation", "after training"), panels)):
        x0 = 10 + side * (panel_w + 30)
        labels.append(Label(x0 + panel_w / 2, 14, name))
        scale = _scale(*panel)
        for k, m in enumerate(panel):
            r, _ = _grid(m, x0 + (k % per_row) * step, 24 + (k // per_row) * step, scale)
            rects += r
    return Drawing("drawing", "filters", key, "First-layer filters (conv1)",
                   f"{count} filters of conv1 drawn as {size}x{size} squares, red positive, "
                   "blue negative: on the left as initialised (random), on the right after "
                   "training, where many look like oriented edge and stroke detectors.",
                   int(20 + 2 * panel_w + 30), int(30 + rows * step), tuple(rects), tuple(labels))


def loss(ex: dict, key: str) -> Drawing:
    values = [_number(v) for v in ex.get("losses") or []]
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite, default=1.0) or 1.0
    x0, y0 = 50, 20
    dx = PLOT_W / max(1, len(values) - 1)
    points = " ".join(f"{x0 + i * dx:.1f},{y0 + PLOT_H * (1 - min(v, top) / top):.1f}"
                      for i, v in enumerate(values) if not math.isnan(v))
    labels = [Label(x0 - 6, y0 + 4, f"{top:.2f}", "end"), Label(x0 - 6, y0 + PLOT_H + 4, "0", "end"),
              Label(x0 + PLOT_W / 2, y0 + PLOT_H + 30, "epoch"),
              Label(x0, y0 + PLOT_H + 16, "1"),
              Label(x0 + PLOT_W, y0 + PLOT_H + 16, str(len(values)))]
    axes = [Rect(x0, y0 + PLOT_H, PLOT_W, 1, "#59636e"), Rect(x0, y0, 1, PLOT_H, "#59636e")]
    words = (f"from {finite[0]:.3f} in the first epoch to {finite[-1]:.3f} in the last"
             if finite else "no finite values")
    return Drawing("drawing", "loss", key, str(ex.get("title", "Training loss")),
                   f"Mean training loss per epoch over {len(values)} epochs, {words}.",
                   PLOT_W + 70, PLOT_H + 60, tuple(axes), tuple(labels), points)


def kernels(ex: dict, key: str) -> Drawing:
    learned, true = _matrix(ex.get("learned")), _matrix(ex.get("true"))
    cell = 40
    scale = _scale(learned, true)
    rects, labels = [], []
    for side, (name, m) in enumerate((("learned", learned), ("true", true))):
        x0 = 10 + side * (cell * 3 + 40)
        labels.append(Label(x0 + cell * len(m[0] if m else [0]) / 2, 14, name))
        r, lab = _grid(m, x0, 22, scale, cell, values=True)
        rects += r
        labels += lab
    title = f"Learned against true {ex.get('title', 'kernel')}"
    return Drawing("drawing", "kernels", key, title,
                   f"{title}, values written in each cell (red positive, blue negative).",
                   2 * (cell * 3 + 40), 30 + cell * max(len(learned), len(true), 1),
                   tuple(rects), tuple(labels))


def _bars(groups: list[tuple[str, list[tuple[str, float, str]]]], key: str, css: str,
          title: str, description: str) -> Drawing:
    rects, labels = [], []
    x = 40
    base = 20 + PLOT_H
    for group, bars in groups:
        start = x
        for name, value, fill in bars:
            v = 0.0 if math.isnan(value) else max(0.0, min(1.0, value))
            rects.append(Rect(x, base - PLOT_H * v, BAR_W, PLOT_H * v, fill, f"{name}: {value:.3f}"))
            labels.append(Label(x + BAR_W / 2, base - PLOT_H * v - 4, f"{value:.2f}"))
            labels.append(Label(x + BAR_W / 2, base + 14, name))
            x += BAR_W + 6
        labels.append(Label((start + x - 6) / 2, base + 30, group))
        x += 24
    rects.append(Rect(34, base, x - 40, 1, "#59636e"))
    return Drawing("drawing", css, key, title, description, int(x + 10), PLOT_H + 60,
                   tuple(rects), tuple(labels))


def transfer(ex: dict, key: str) -> Drawing:
    tuned = [_number(v) for v in ex.get("fine_tuned") or []]
    scratch = [_number(v) for v in ex.get("scratch") or []]
    groups = [(f"seed {i + 1}", [("tuned", a, "#1a7f37"), ("scratch", b, "#9a6700")])
              for i, (a, b) in enumerate(zip(tuned, scratch))]
    mean = lambda vs: sum(vs) / len(vs) if vs else math.nan  # noqa: E731
    groups.append(("mean", [("tuned", mean(tuned), "#1a7f37"),
                            ("scratch", mean(scratch), "#9a6700")]))
    return _bars(groups, key, "transfer",
                 "Held-out accuracy on 5-9: fine-tuned against from scratch (information, no points)",
                 f"Fine-tuning the pretrained DigitsNet on 50 images: mean held-out accuracy "
                 f"{mean(tuned):.3f}; the same network trained from scratch on the same images "
                 f"and epochs: {mean(scratch):.3f}. The comparison is information only and "
                 f"worth no points: on these small, easy digits training from scratch is a strong "
                 f"baseline, and which one wins depends on the 50 images drawn.")


def shift(ex: dict, key: str) -> Drawing:
    v = {k: _number(ex.get(k)) for k in ("cnn", "cnn_shifted", "mlp", "mlp_shifted")}
    groups = [("as drawn", [("CNN", v["cnn"], "#0969da"), ("MLP", v["mlp"], "#8250df")]),
              ("shifted 1-2 px", [("CNN", v["cnn_shifted"], "#0969da"),
                                  ("MLP", v["mlp_shifted"], "#8250df")])]
    cnn_drop, mlp_drop = v["cnn"] - v["cnn_shifted"], v["mlp"] - v["mlp_shifted"]
    verdict = (f"The shift cost your CNN {cnn_drop:.2f} and the MLP {mlp_drop:.2f}: convolution "
               "reuses one detector at every position, and pooling forgives small moves."
               if cnn_drop < mlp_drop else
               f"Here the shift cost your CNN {cnn_drop:.2f}, no less than the MLP's "
               f"{mlp_drop:.2f}; pooling layers are what make a CNN forgive small moves.")
    return _bars(groups, key, "shift", "Held-out accuracy on shifted digits (information, no points)",
                 f"Your CNN: {v['cnn']:.3f} held out, {v['cnn_shifted']:.3f} with every digit moved "
                 f"by 1-2 pixels; a small MLP trained the same way: {v['mlp']:.3f} and "
                 f"{v['mlp_shifted']:.3f}. {verdict}")


# One drawing per registry.ExhibitKind (tests/test_figures.py checks that they agree).
_KINDS = {"filters": filters, "loss": loss, "kernels": kernels, "transfer": transfer,
          "shift": shift}


def exhibit_figure(exhibit: dict[str, Any] | None, *, key: str) -> Drawing | None:
    if exhibit is None:
        return None
    if not isinstance(exhibit, dict) or exhibit.get("kind") not in _KINDS:
        raise broken(f"unknown exhibit {exhibit!r:.80}")
    return _KINDS[exhibit["kind"]](exhibit, key)
