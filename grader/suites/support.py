"""Helpers the hidden suites share: points, and comparisons that explain themselves.

Everything here runs in the grader's process. Values from the learner reach
it only as plain decoded data (``numpy.ndarray`` of a numeric dtype, ``int``,
``float``, ``bool``, ``str``, ``None``, lists, tuples and dicts of those), so
a comparison here can trust ``type()`` and ``isinstance``.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from grader import policy
from grader.sandbox.calls import call_text, describe  # noqa: F401 - the suites use both
from grader.sandbox.faults import LearnerException
from grader.model import Diagnosis
from grader.suites.evidence import arrays_detail, python_call

# Given the learner's value, the known mistake that explains it (or None).
Diagnoser = Callable[[Any], "Diagnosis | None"]


class CheckFailed(pytest.fail.Exception):  # type: ignore[name-defined]  # pytest's Failed
    """A failed check, carrying what the report shows besides the message.

    It is pytest's own failure (as ``pytest.fail(..., pytrace=False)`` raises),
    so pytest reports it without formatting a traceback nobody reads.
    """

    def __init__(self, message: str, *, diagnosis: Diagnosis | None = None,
                 detail: dict[str, Any] | None = None) -> None:
        super().__init__(msg=message, pytrace=False)
        self.diagnosis = diagnosis
        self.detail = detail


def fail(message: str, *, got: Any = None, diagnose: Diagnoser | None = None,
         detail: dict[str, Any] | None = None) -> None:
    """Fail the test; name the known mistake behind ``got`` when one explains it."""
    diagnosis = None
    if diagnose is not None:
        try:
            diagnosis = diagnose(got)
        except Exception:  # noqa: BLE001 - odd learner values must not stop grading
            diagnosis = None
    raise CheckFailed(message, diagnosis=diagnosis, detail=detail)


def points(n: float) -> pytest.MarkDecorator:
    """Mark a test as worth ``n`` points."""
    return pytest.mark.points(n)


# Property-based tests: the same examples on every run (derandomize, no
# example database), no deadline (a learner's loops may be slow, and the
# call timeout already guards against endless ones), and no health checks
# that would fail a test because the learner's code, not the data, is slow.
property_test = settings(
    max_examples=policy.PROPERTY_EXAMPLES, derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=False, print_blob=False)
# The same for suites with a CPU budget of their own (policy.CHEAP_PROPERTY_EXAMPLES).
cheap_property_test = settings(property_test, max_examples=policy.CHEAP_PROPERTY_EXAMPLES)


def integer_arrays(draw, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """float64 arrays of small integers (-3..3): exact sums, short to write out.

    The values come from one drawn seed rather than one draw per value, so
    hypothesis shrinks only the shapes and settings: a few dozen calls into
    the learner's child instead of hundreds.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return [rng.integers(-3, 4, size=shape).astype(np.float64) for shape in shapes]


def evidence(exercise: str, func: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``diagnose`` and ``repro`` for checking the learner's ``exercise.func(*args, **kwargs)``."""
    from grader.suites.diagnosis import diagnose
    return {"diagnose": lambda got: diagnose(f"{exercise}.{func}", got, *args, **kwargs),
            "repro": lambda: python_call(exercise, func, *args, **kwargs)}


def _tolerances(expected: np.ndarray) -> tuple[float, float]:
    if expected.dtype == np.float32:
        return policy.RTOL_FLOAT32, policy.ATOL_FLOAT32
    return policy.RTOL_FLOAT64, policy.ATOL_FLOAT64


def assert_array_matches(got: Any, expected: np.ndarray, *, call: str,
                         diagnose: Diagnoser | None = None,
                         repro: Callable[[], str] | None = None,
                         part: str | None = None) -> None:
    """Fail with a message naming the call, the shapes and the first wrong value.

    ``diagnose`` names a known mistake; ``repro`` gives the call as a line to
    paste into Python (asked for only on failure), which turns on the
    'arrays' detail for the report; ``part`` names the array drawn when it is
    one of several a function returns (a gradient).
    """
    def say(message: str) -> None:
        detail = arrays_detail(repro(), got, expected, part) if repro is not None else None
        fail(message, got=got, diagnose=diagnose, detail=detail)
    if not isinstance(got, np.ndarray):
        say(f"{call} returned {type(got).__name__}, expected a numpy array "
            f"of shape {tuple(expected.shape)}")
    if got.shape != expected.shape:
        say(f"{call} returned shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    if got.dtype.kind not in "fiub":
        say(f"{call} returned dtype {got.dtype}, expected a real number dtype")
    rtol, atol = _tolerances(expected)
    got64 = got.astype(np.float64)
    exp64 = expected.astype(np.float64)
    close = np.isclose(got64, exp64, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    say(f"{call}: shape {tuple(got.shape)} is right, but {len(wrong)} of {got.size} "
        f"values differ; first at index {first}: got {got64[first]!r}, "
        f"expected {exp64[first]!r} (max abs difference "
        f"{float(np.nanmax(np.abs(got64 - exp64))):.3g})")


def assert_int_equals(got: Any, expected: int, *, call: str, diagnose: Diagnoser | None = None,
                      detail: dict[str, Any] | None = None) -> None:
    # bool is an int subclass; True is not an answer to "how many parameters".
    if type(got) is not int:
        fail(f"{call} returned {type(got).__name__} {got!r}, expected the int {expected}",
             got=got, diagnose=diagnose, detail=detail)
    if got != expected:
        fail(f"{call} returned {got}, expected {expected}", got=got, diagnose=diagnose,
             detail=detail)


def assert_raises(exc_name: str, func: Callable[..., Any], args: tuple = (),
                  kwargs: dict | None = None, *, call: str,
                  diagnose: Diagnoser | None = None) -> None:
    """Expect ``func(*args, **kwargs)`` (a learner call) to raise ``exc_name``.

    Unlike ``expect_raises``, this sees the value when the call returns
    normally, so a known mistake that returns that value can be named.
    """
    try:
        got = func(*args, **(kwargs or {}))
    except LearnerException as exc:
        if exc_name in exc.mro:
            return
        fail(f"{call} raised {exc.type_name}: {exc.message}; expected {exc_name}")
    fail(f"{call} returned normally; expected it to raise {exc_name}", got=got,
         diagnose=diagnose)


@contextlib.contextmanager
def expect_raises(exc_name: str, *, call: str) -> Iterator[None]:
    """Expect the learner's code to raise ``exc_name`` (or a subclass of it)."""
    try:
        yield
    except LearnerException as exc:
        if exc_name in exc.mro:
            return
        pytest.fail(f"{call} raised {exc.type_name}: {exc.message}; expected "
                    f"{exc_name}", pytrace=False)
    pytest.fail(f"{call} returned normally; expected it to raise {exc_name}",
                pytrace=False)
