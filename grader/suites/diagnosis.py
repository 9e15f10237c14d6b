"""Name the known mistake behind a failed test, or say nothing.

The catalogue holds, for each checked function, the mistakes learners
really make, each as code that computes here, in the grader's process, what
that mistake would return for the same arguments. When a hidden test fails,
the learner's returned value (already decoded into plain data by
``protocol.py``) is compared with each mistake's output; a mistake that
reproduces it is named, unless another mistake reproduces it too (then
naming either would be a guess). A mistake only counts when, on this input, it
differs from the correct answer, so a correct value can never be diagnosed,
and when nothing reproduces the learner's value there is no diagnosis.

When an array has the wrong shape, ``shapes.py`` looks for the output-size
formula that gives the learner's size on each wrong dimension.
"""
from __future__ import annotations

import importlib
import inspect
import operator
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader import policy, registry
from grader.model import Diagnosis

# What a mistake's code returns when the mistake cannot be told apart on
# these arguments (e.g. "forgot the bias" when there is no bias).
NOT_APPLICABLE = object()


class Raises(Exception):
    """Stands for "the function raises here" on the correct side of a comparison."""


@dataclass(frozen=True)
class Mistake:
    id: str  # stable, "<exercise>.<what-went-wrong>"
    message: str  # what the learner's code did, and the idea in the lesson to revisit
    produce: Callable[..., Any]  # the checked function's arguments (bound, by name) -> its output


@dataclass(frozen=True)
class Checked:
    """One function the suites check: how to get the right answer, and the known mistakes."""
    correct: Callable[..., Any]
    mistakes: tuple[Mistake, ...]
    # (got, bound arguments, correct value) -> a diagnosis from the shape alone, or None
    shape_reasoning: Callable[[Any, dict, Any], Diagnosis | None] | None = None
    signature: inspect.Signature | None = None
    # Applied to every value before comparing: what a value may hold beyond
    # the point of the check (e.g. extra submodules) is a style, not a mistake.
    normalise: Callable[[Any], Any] | None = None

    def bind(self, args: tuple, kwargs: dict) -> dict:
        sig = self.signature or inspect.signature(self.correct)
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)


def same(a: Any, b: Any) -> bool:
    """Would a hidden test accept ``a`` where ``b`` is expected (and the other way round)?"""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype.kind not in "fiub" or b.dtype.kind not in "fiub":
            return False
        loose = np.float32 in (a.dtype, b.dtype)
        rtol = policy.RTOL_FLOAT32 if loose else policy.RTOL_FLOAT64
        atol = policy.ATOL_FLOAT32 if loose else policy.ATOL_FLOAT64
        with np.errstate(invalid="ignore", over="ignore"):
            return bool(np.isclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol,
                                   atol=atol, equal_nan=True).all())
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    # bool is an int, but True is not a parameter count.
    return type(a) is type(b) and a == b


def _outcome(func: Callable[..., Any], arguments: dict) -> Any:
    try:
        return func(**arguments)
    except Exception as exc:  # the reference or a mistake refusing these arguments
        return Raises(type(exc).__name__)


def diagnose_bound(checked: Checked, got: Any, arguments: dict) -> Diagnosis | None:
    """The one catalogued mistake that reproduces ``got`` on ``arguments``, if any."""
    keep = checked.normalise or (lambda value: value)
    got = keep(got)
    correct = keep(_outcome(checked.correct, arguments))
    if not isinstance(correct, Raises) and same(got, correct):
        return None  # not wrong at all (the test failed on something else)
    matches: dict[str, Mistake] = {}
    for mistake in checked.mistakes:
        output = keep(_outcome(mistake.produce, arguments))
        if output is NOT_APPLICABLE or isinstance(output, Raises):
            continue
        if not isinstance(correct, Raises) and same(output, correct):
            continue  # the mistake is invisible on this input
        if same(got, output):
            matches.setdefault(mistake.id, mistake)
    if len(matches) == 1:
        mistake = next(iter(matches.values()))
        return Diagnosis(mistake.id, mistake.message)
    if matches:
        return None  # two different mistakes give this value: naming one would be a guess
    if checked.shape_reasoning is not None and not isinstance(correct, Raises):
        return checked.shape_reasoning(got, arguments, correct)
    return None


def diagnose(function: str, got: Any, *args: Any, **kwargs: Any) -> Diagnosis | None:
    """Diagnose the learner's ``got`` from ``function(*args, **kwargs)``.

    ``function`` is "<exercise>.<name>" as in the catalogue; an unknown one
    has no mistakes on file, so it gets no diagnosis.
    """
    checked = catalogue(function.split(".")[0]).get(function)
    if checked is None:
        return None
    try:
        arguments = checked.bind(args, kwargs)
    except TypeError:
        return None
    return diagnose_bound(checked, got, arguments)


def by_id(mistake_id: str) -> Diagnosis:
    """The diagnosis of a mistake the suite observes directly (e.g. an input changed in place)."""
    for checked in catalogue(mistake_id.split(".")[0]).values():
        for mistake in checked.mistakes:
            if mistake.id == mistake_id:
                return Diagnosis(mistake.id, mistake.message)
    for mistake in _observed(mistake_id.split(".")[0]):
        if mistake.id == mistake_id:
            return Diagnosis(mistake.id, mistake.message)
    raise KeyError(f"no mistake {mistake_id!r} in the catalogue")


def pair(value: Any) -> tuple[int, int]:
    """A size given as one int or an (h, w) pair, as (h, w)."""
    if isinstance(value, (tuple, list)):
        return operator.index(value[0]), operator.index(value[1])
    return operator.index(value), operator.index(value)


def _units(exercise: str | None) -> list[Any]:
    """The mistakes modules of ``exercise`` (all when None), imported on demand:
    the residual mistakes need torch, which grading the numpy exercises should
    not have to load."""
    chosen = registry.exercises() if exercise is None else (
        [registry.get(exercise)] if exercise in registry.names() else [])
    return [importlib.import_module(e.mistakes_module) for e in chosen
            if (e.folder / "mistakes.py").is_file()]


def catalogue(exercise: str | None = None) -> dict[str, Checked]:
    """Checked functions, "<exercise>.<name>" -> catalogue entry; all exercises when None.

    Each unit's ``mistakes.py`` holds its ``CATALOGUE`` (and, optionally,
    ``OBSERVED``: mistakes the suite sees directly, such as an input changed
    in place).
    """
    out: dict[str, Checked] = {}
    for module in _units(exercise):
        out.update(module.CATALOGUE)
    return out


def _observed(exercise: str | None = None) -> tuple[Mistake, ...]:
    return tuple(m for module in _units(exercise) for m in getattr(module, "OBSERVED", ()))


def mistake_ids() -> set[str]:
    """Every id a diagnosis can carry."""
    ids = {m.id for c in catalogue().values() for m in c.mistakes}
    from grader.suites import shapes
    return ids | {m.id for m in _observed()} | shapes.RULE_IDS
