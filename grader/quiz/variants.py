"""Per-learner variants of parameterised quiz questions.

A parameterised question in the bank names a calculator (``compute``) and
lists candidate values for each of its variables (``[questions.params]``, the
lesson's own value first). A learner's variant draws one value per variable
from a generator seeded by (learner id, question id, attempt), so the same
learner always sees the same numbers and grading can recompute them from the
id alone. Every answer, and every value a listed misconception would give, is
computed here by calling the reference solutions, so the quiz can never
disagree with the exercises the learner implements.

A draw is degenerate, and drawn again, when the calculator's constraints
fail (a kernel that does not tile the input, padding wider than the kernel),
the reference refuses the values, or a misconception lands on the right
answer (then its feedback would call a correct answer wrong).
"""
from __future__ import annotations

import dataclasses
import hashlib
import math
import random
import string
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.sandbox.inside import layers as L
from grader import policy
from grader.errors import QuizBankError
from grader.suites.reference import reference


@dataclass(frozen=True)
class Variation:
    compute: str
    params: tuple[tuple[str, tuple[int, ...]], ...]  # the lesson's value first
    mistakes: tuple[tuple[str, str], ...] = ()  # (calculator, feedback naming the misconception)

    def lesson_values(self) -> dict[str, int]:
        return {name: values[0] for name, values in self.params}


@dataclass(frozen=True)
class Calculator:
    needs: tuple[str, ...]
    compute: Callable[[dict[str, int]], float]
    fits: Callable[[dict[str, int]], bool] = lambda v: True


def _conv_params(v: dict[str, int], *, bias: bool = True, channels: int | None = None) -> int:
    c_in = v["channels"] if channels is None else channels
    return reference("params").conv2d_params(c_in, v["filters"], v["kernel"], bias=bias)


def _conv_size(v: dict[str, int], *, stride: int | None = None, padding: int | None = None) -> int:
    return reference("conv").conv_output_size(
        v["size"], v["kernel"], v["stride"] if stride is None else stride,
        v["padding"] if padding is None else padding)


def _fits(v: dict[str, int]) -> bool:
    # Padding as wide as the kernel would give windows of zeros only, and a
    # kernel wider than the image leaves no interesting arithmetic.
    return v["padding"] < v["kernel"] < v["size"]


def _pool_size(v: dict[str, int], *, stride: int | None = None) -> int:
    x = np.zeros((1, 1, v["size"], v["size"]))
    out = reference("pooling").max_pool2d(x, v["window"], v["window"] if stride is None else stride)
    return out.shape[-1]


def _rf_stack(v: dict[str, int]) -> int:
    return reference("receptive_field").receptive_field(
        [L.Conv2d(1, 1, v["kernel"])] * v["layers"])


def _rf_pool(v: dict[str, int], *, pool_stride: int | None = None) -> int:
    stack = [L.Conv2d(1, 1, v["kernel"]), L.MaxPool2d(v["window"], pool_stride),
             L.Conv2d(1, 1, v["kernel2"])]
    return reference("receptive_field").receptive_field(stack)


def _stack_weights(v: dict[str, int]) -> int:
    stack = [L.Conv2d(v["channels"], v["channels"], 3, bias=False)] * v["layers"]
    return reference("params").count_params(stack)


def _one_big_kernel(v: dict[str, int]) -> int:
    """Weights of the single kernel that sees as far as the stack of 3x3s."""
    rf = _rf_stack({"kernel": 3, "layers": v["layers"]})
    return reference("params").conv2d_params(v["channels"], v["channels"], rf, bias=False)


def _dense_head(v: dict[str, int], *, pooled: bool) -> int:
    width = v["channels"] if pooled else v["channels"] * v["size"] * v["size"]
    head = [L.GlobalAvgPool2d() if pooled else L.Flatten(), L.Linear(width, v["classes"])]
    return reference("params").count_params(head)


CALCULATORS: dict[str, Calculator] = {
    "conv-params": Calculator(("channels", "filters", "kernel"), _conv_params),
    "conv-params-no-bias": Calculator(("channels", "filters", "kernel"),
                                      lambda v: _conv_params(v, bias=False)),
    "conv-params-bias-once": Calculator(("channels", "filters", "kernel"),
                                        lambda v: _conv_params(v, bias=False) + 1),
    "conv-params-one-channel": Calculator(("channels", "filters", "kernel"),
                                          lambda v: _conv_params(v, channels=1)),
    "conv-output-size": Calculator(("size", "kernel", "stride", "padding"), _conv_size, _fits),
    "conv-output-size-no-stride": Calculator(("size", "kernel", "stride", "padding"),
                                             lambda v: _conv_size(v, stride=1)),
    "conv-output-size-no-padding": Calculator(("size", "kernel", "stride", "padding"),
                                              lambda v: _conv_size(v, padding=0)),
    "pool-output-size": Calculator(("size", "window"), _pool_size,
                                   lambda v: v["size"] % v["window"] == 0),
    "pool-output-size-stride-1": Calculator(("size", "window"),
                                            lambda v: _pool_size(v, stride=1)),
    "linear-params": Calculator(("size", "channels", "neurons"), lambda v: reference(
        "params").linear_params(v["size"] * v["size"] * v["channels"], v["neurons"])),
    "linear-params-no-bias": Calculator(("size", "channels", "neurons"), lambda v: reference(
        "params").linear_params(v["size"] * v["size"] * v["channels"], v["neurons"], bias=False)),
    "rf-stack": Calculator(("layers", "kernel"), _rf_stack),
    "rf-stack-kernels-added": Calculator(("layers", "kernel"), lambda v: v["layers"] * v["kernel"]),
    "rf-after-pool": Calculator(("kernel", "window", "kernel2"), _rf_pool),
    "rf-after-pool-stride-ignored": Calculator(("kernel", "window", "kernel2"),
                                               lambda v: _rf_pool(v, pool_stride=1)),
    "stack-weights": Calculator(("layers", "channels"), _stack_weights),
    "one-big-kernel-weights": Calculator(("layers", "channels"), _one_big_kernel),
    "head-params-saved": Calculator(("size", "channels", "classes"), lambda v: _dense_head(
        v, pooled=False) - _dense_head(v, pooled=True), lambda v: v["size"] > 1),
    "head-params-flatten": Calculator(("size", "channels", "classes"),
                                      lambda v: _dense_head(v, pooled=False)),
}


# --------------------------------------------------------------------------- the bank's fields

def parse_variation(entry: dict[str, Any], bad: Callable[..., Exception]) -> Variation | None:
    """The ``compute``/``params``/``mistakes`` fields of a bank entry, checked."""
    if "compute" not in entry and "params" not in entry and "mistakes" not in entry:
        return None
    if entry.get("type") != "numeric":
        raise bad("compute", "is only for numeric questions", "remove compute and params")
    name = entry.get("compute")
    if name not in CALCULATORS:
        raise bad("compute", f"is {name!r}, not a known calculator",
                  f"use one of {', '.join(sorted(CALCULATORS))}")
    raw = entry.get("params")
    needs = CALCULATORS[name].needs
    if not isinstance(raw, dict):
        raise bad("params", "is missing", f"give [questions.params] with {', '.join(needs)}")
    for var, values in raw.items():
        if (not isinstance(values, list) or not values
                or not all(type(x) is int and x >= 0 for x in values)
                or len(set(values)) != len(values)):
            raise bad("params", f"{var} = {values!r} is not a list of distinct integers >= 0",
                      "list the candidate values, the lesson's own first")
    mistakes = []
    for m in entry.get("mistakes", []):
        if (not isinstance(m, dict) or set(m) != {"compute", "feedback"}
                or m["compute"] not in CALCULATORS or not isinstance(m["feedback"], str)
                or not m["feedback"].strip()):
            raise bad("mistakes", f"entry {m!r} is malformed",
                      "give each [[questions.mistakes]] a known compute and a feedback")
        mistakes.append((m["compute"], m["feedback"].strip()))
    used = {field for text in (entry.get("prompt", ""), entry.get("explanation", ""))
            for _, field, _, _ in string.Formatter().parse(text) if field}
    variation = Variation(name, tuple((k, tuple(v)) for k, v in raw.items()), tuple(mistakes))
    for calc in [name] + [m[0] for m in mistakes]:
        missing = set(CALCULATORS[calc].needs) - set(raw)
        if missing:
            raise bad("params", f"lack {', '.join(sorted(missing))}, which {calc} needs",
                      "add a list of values for each")
    unknown = used - set(raw) - {"answer"}
    if unknown:
        raise bad("prompt", f"uses {{{sorted(unknown)[0]}}}, which is not a parameter",
                  "name only parameters (or {answer} in the explanation) in braces")
    return variation


# --------------------------------------------------------------------------- drawing

def _rng(learner: str, qid: str, attempt: int, draw: int) -> random.Random:
    digest = hashlib.sha256(f"{learner}\x1f{qid}\x1f{attempt}\x1f{draw}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def evaluate(variation: Variation, values: dict[str, int],
             tolerance: float) -> tuple[float, tuple[tuple[float, str], ...]] | None:
    """The answer and the misconceptions' values for ``values``, or None if degenerate."""
    calc = CALCULATORS[variation.compute]
    try:
        if not calc.fits(values):
            return None
        answer = float(calc.compute(values))
        traps = tuple((float(CALCULATORS[c].compute(values)), fb) for c, fb in variation.mistakes)
    except (ValueError, ArithmeticError):  # the reference refused these values
        return None
    numbers = [answer] + [t for t, _ in traps]
    if (not all(math.isfinite(x) for x in numbers) or answer <= 0
            or (tolerance == 0 and not answer.is_integer())
            or any(abs(t - answer) <= tolerance for t, _ in traps)
            or len({t for t, _ in traps}) != len(traps)):
        return None
    return answer, traps


def draw_values(question, learner: str, attempt: int = 0) -> dict[str, int] | None:
    """This learner's values for a parameterised question; None if every draw was
    degenerate (the caller falls back to the lesson's values)."""
    v = question.variation
    for n in range(policy.QUIZ_VARIANT_DRAWS):
        rng = _rng(learner, question.id, attempt, n)
        values = {name: rng.choice(choices) for name, choices in v.params}
        if evaluate(v, values, question.tolerance) is not None:
            return values
    return None


def with_values(question, values: dict[str, int]):
    """The question with these values filled into its text, answer and feedback."""
    got = evaluate(question.variation, values, question.tolerance)
    if got is None:
        raise QuizBankError(f"question {question.id!r}: the values {values} are degenerate",
                            hint="draw them with draw_values, which skips degenerate ones")
    answer, traps = got
    shown = {**values, "answer": f"{answer:g}" if not answer.is_integer() else f"{int(answer):,}"}
    return dataclasses.replace(
        question, prompt=question.prompt.format(**shown),
        explanation=question.explanation.format(**shown), answer=answer, traps=traps,
        values=tuple(values.items()))


def variant(question, learner: str, attempt: int = 0):
    """The question as ``learner`` sees it on ``attempt`` (0 is the graded one)."""
    if question.variation is None:
        return question
    values = draw_values(question, learner, attempt) or question.variation.lesson_values()
    if evaluate(question.variation, values, question.tolerance) is None:
        raise QuizBankError(f"question {question.id!r}: no usable values, not even the "
                            f"lesson's {values}", hint="run cnn-grader quiz validate")
    return with_values(question, values)


def for_learner(bank: tuple, learner: str, attempt: int = 0) -> tuple:
    return tuple(variant(q, learner, attempt) for q in bank)


def placeholders(question) -> str:
    """The prompt with each parameter shown by name, for a sheet nobody owns."""
    if question.variation is None:
        return question.prompt
    return question.prompt.format(**{name: f"<{name}>" for name, _ in question.variation.params})
