"""Shape-level reasoning: which dimension is wrong, and which formula gives the learner's size.

Each rule is an output-size formula a learner plausibly used instead of
floor((n + 2p - k) / s) + 1. A shape is explained only when every wrong
dimension has a rule that gives exactly the learner's size; otherwise
there is no diagnosis.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.suites.reference import reference
from grader.model import Diagnosis

_conv = reference("conv")
_pool = reference("pooling")


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a convolution or pooling, with the learner-facing letters."""
    label: str  # "height" or "width"
    letters: dict  # symbol per quantity, e.g. {"n": "H", "k": "KH", "s": "sh", "p": "ph"}
    n: int
    k: int
    s: int
    p: tuple[int, int]  # padding before, after
    other_s: int  # the other axis's stride
    stride_given: bool = True  # False when stride=None fell back to the kernel size


@dataclass(frozen=True)
class Rule:
    id_by_axis: tuple[str, str]  # mistake id when this rule explains the height / the width
    words: str
    text: str  # the formula, with {n} {k} {s} {p} {t} placeholders (t: the other stride)
    size: Callable[[Axis], int | None]
    applies: Callable[[Axis], bool] = lambda axis: True


def _floor(num: int, s: int) -> int | None:
    return num // s + 1 if num >= 0 else None


def _rules(exercise: str) -> tuple[Rule, ...]:
    both = lambda name: (f"{exercise}.{name}", f"{exercise}.{name}")  # noqa: E731
    return (
        Rule(both("padding-ignored"), "the padding left out",
             "floor(({n} - {k}) / {s}) + 1", lambda a: _floor(a.n - a.k, a.s),
             lambda a: sum(a.p) > 0),
        Rule(both("padding-once"), "the padding counted on one side only",
             "floor(({n} + {p} - {k}) / {s}) + 1", lambda a: _floor(a.n + a.p[0] - a.k, a.s),
             lambda a: a.p[0] > 0 and a.p[0] == a.p[1]),
        Rule(both("rounded-output-size" if exercise == "conv" else "ceil-mode"),
             "rounding up instead of down",
             "ceil(({n} + 2*{p} - {k}) / {s}) + 1",
             lambda a: -(-(a.n + sum(a.p) - a.k) // a.s) + 1 if a.n + sum(a.p) >= a.k else None),
        Rule(both("rounded-output-size"), "rounding to the nearest integer instead of down",
             "round(({n} + 2*{p} - {k}) / {s}) + 1",
             lambda a: round((a.n + sum(a.p) - a.k) / a.s) + 1),
        Rule(both("output-size-without-plus-one"), "the '+ 1' for the first position left out",
             "floor(({n} + 2*{p} - {k}) / {s})", lambda a: (a.n + sum(a.p) - a.k) // a.s),
        Rule(both("stride-ignored" if exercise == "conv" else "default-stride-one"),
             "a stride of 1", "{n} + 2*{p} - {k} + 1", lambda a: a.n + sum(a.p) - a.k + 1,
             (lambda a: a.s > 1) if exercise == "conv" else (lambda a: a.s > 1 and not a.stride_given)),
        Rule((f"{exercise}.column-stride-both-axes", f"{exercise}.row-stride-both-axes"),
             "the other axis's stride", "floor(({n} + 2*{p} - {k}) / {t}) + 1",
             lambda a: _floor(a.n + sum(a.p) - a.k, a.other_s), lambda a: a.other_s != a.s),
    )


_CONV_RULES = _rules("conv")
_POOL_RULES = _rules("pooling")
RULE_IDS = {i for r in _CONV_RULES + _POOL_RULES for i in r.id_by_axis} | {"conv.output-channels"}


def _fill(text: str, axis: Axis, symbolic: bool) -> str:
    if symbolic:
        values = dict(axis.letters)
    else:
        values = {"n": axis.n, "k": axis.k, "s": axis.s, "t": axis.other_s,
                  "p": axis.p[0] if axis.p[0] == axis.p[1] else sum(axis.p) / 2}
    return text.format(**{k: values.get(k, "?") for k in "nkspt"})


def _correct_text(axis: Axis, symbolic: bool) -> str:
    return _fill("floor(({n} + 2*{p} - {k}) / {s}) + 1", axis, symbolic)


def _explain(got: Any, correct: Any, axes: list[Axis], rules: tuple[Rule, ...],
             channel_note: Callable[[int, int], str | None]) -> Diagnosis | None:
    if not (isinstance(got, np.ndarray) and isinstance(correct, np.ndarray)):
        return None
    if got.ndim != correct.ndim or got.shape == correct.shape:
        return None
    found_ids, parts = [], []
    for dim, (mine, right) in enumerate(zip(got.shape, correct.shape)):
        if mine == right:
            continue
        if dim < 2:
            note = channel_note(dim, mine)
            if note is None:
                return None
            found_ids.append(note[0])
            parts.append(note[1])
            continue
        axis = axes[dim - 2]
        rule = next((r for r in rules if r.applies(axis) and r.size(axis) == mine), None)
        if rule is None:
            return None
        found_ids.append(rule.id_by_axis[dim - 2])
        parts.append(
            f"dimension {dim} (output {axis.label}) is {mine}, which is what "
            f"{_fill(rule.text, axis, True)} = {_fill(rule.text, axis, False)} gives: "
            f"{rule.words}. The right size is {_correct_text(axis, True)} = "
            f"{_correct_text(axis, False)} = {right}")
    message = (f"Your output has shape {tuple(got.shape)}, expected {tuple(correct.shape)}: "
               + "; ".join(parts) + ". See the output size formula in the lesson's "
               "'Stride and Padding'.")
    return Diagnosis(found_ids[0], message)


def conv2d(got: Any, a: dict, correct: Any) -> Diagnosis | None:
    x, w = np.asarray(a["x"]), np.asarray(a["weight"])
    try:
        sh, sw = _conv._pair(a["stride"], "stride")
        pads = _conv._padding(a["padding"], w.shape[2], w.shape[3], (sh, sw))
    except (TypeError, ValueError):
        return None
    axes = [Axis("height", {"n": "H", "k": "KH", "s": "sh", "p": "ph", "t": "sw"},
                 x.shape[2], w.shape[2], sh, pads[0], sw),
            Axis("width", {"n": "W", "k": "KW", "s": "sw", "p": "pw", "t": "sh"},
                 x.shape[3], w.shape[3], sw, pads[1], sh)]

    def channels(dim: int, mine: int):
        if dim == 1 and mine == x.shape[1] != w.shape[0]:
            return ("conv.output-channels",
                    f"dimension 1 is {mine}, the number of input channels; the output has "
                    f"one channel per filter, weight.shape[0] = {w.shape[0]}, because each "
                    "filter sums over all input channels")
        return None
    return _explain(got, correct, axes, _CONV_RULES, channels)


def pool2d(got: Any, a: dict, correct: Any) -> Diagnosis | None:
    x = np.asarray(a["x"])
    try:
        kh, kw = _pool._pair(a["kernel_size"], "kernel_size")
        given = a["stride"] is not None
        sh, sw = _pool._pair(a["stride"], "stride") if given else (kh, kw)
        ph, pw = _pool._pair(a["padding"], "padding")
    except (TypeError, ValueError):
        return None
    if x.ndim != 4:
        return None
    axes = [Axis("height", {"n": "H", "k": "KH", "s": "sh", "p": "ph", "t": "sw"},
                 x.shape[2], kh, sh, (ph, ph), sw, given),
            Axis("width", {"n": "W", "k": "KW", "s": "sw", "p": "pw", "t": "sh"},
                 x.shape[3], kw, sw, (pw, pw), sh, given)]
    return _explain(got, correct, axes, _POOL_RULES, lambda dim, mine: None)
