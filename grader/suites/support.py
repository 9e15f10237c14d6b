"""Helpers the hidden suites share: points, and comparisons that explain themselves.

Everything here runs in the grader's process. Values from the learner reach
it only as plain decoded data (``numpy.ndarray`` of a numeric dtype, ``int``,
``float``, ``bool``, ``str``, ``None``, lists, tuples and dicts of those), so
a comparison here can trust ``type()`` and ``isinstance``.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np
import pytest

from grader import policy
from grader.faults import LearnerException


def points(n: float) -> pytest.MarkDecorator:
    """Mark a test as worth ``n`` points."""
    return pytest.mark.points(n)


def describe(value: Any) -> str:
    """A short human description of an argument, for "what was called" lines."""
    if isinstance(value, np.ndarray):
        return f"array{tuple(value.shape)} {value.dtype}"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"{type(value).__name__} of {len(value)} items"
    return repr(value)


def call_text(func: str, *args: Any, **kwargs: Any) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return f"{func}({', '.join(parts)})"


def _tolerances(expected: np.ndarray) -> tuple[float, float]:
    if expected.dtype == np.float32:
        return policy.RTOL_FLOAT32, policy.ATOL_FLOAT32
    return policy.RTOL_FLOAT64, policy.ATOL_FLOAT64


def assert_array_matches(got: Any, expected: np.ndarray, *, call: str) -> None:
    """Fail with a message naming the call, the shapes and the first wrong value."""
    if not isinstance(got, np.ndarray):
        pytest.fail(f"{call} returned {type(got).__name__}, expected a numpy array "
                    f"of shape {tuple(expected.shape)}", pytrace=False)
    if got.shape != expected.shape:
        pytest.fail(f"{call} returned shape {tuple(got.shape)}, expected "
                    f"{tuple(expected.shape)}", pytrace=False)
    if got.dtype.kind not in "fiub":
        pytest.fail(f"{call} returned dtype {got.dtype}, expected a real number dtype",
                    pytrace=False)
    rtol, atol = _tolerances(expected)
    got64 = got.astype(np.float64)
    exp64 = expected.astype(np.float64)
    close = np.isclose(got64, exp64, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    wrong = np.argwhere(~close)
    first = tuple(int(i) for i in wrong[0])
    pytest.fail(
        f"{call}: shape {tuple(got.shape)} is right, but {len(wrong)} of {got.size} "
        f"values differ; first at index {first}: got {got64[first]!r}, "
        f"expected {exp64[first]!r} (max abs difference "
        f"{float(np.nanmax(np.abs(got64 - exp64))):.3g})",
        pytrace=False,
    )


def assert_int_equals(got: Any, expected: int, *, call: str) -> None:
    # bool is an int subclass; True is not an answer to "how many parameters".
    if type(got) is not int:
        pytest.fail(f"{call} returned {type(got).__name__} {got!r}, expected the int "
                    f"{expected}", pytrace=False)
    if got != expected:
        pytest.fail(f"{call} returned {got}, expected {expected}", pytrace=False)


def assert_equals(got: Any, expected: Any, *, call: str) -> None:
    if got != expected or type(got) is not type(expected):
        pytest.fail(f"{call} returned {got!r}, expected {expected!r}", pytrace=False)


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
