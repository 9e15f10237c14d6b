"""Make what a learner can put into a result safe, once, where it enters.

Learner text and values reach a result in a few places only: a child's
exception (``faults.py``), values a child returns (``remote.py``), printed
output and exercise messages (``scoring/grading.py``), a test's message, diagnosis
and detail (``suites/runner.py``) and answers.toml (``quiz/bank.py``). Each of them
passes what it takes in through this module, so that every writer (JSON,
HTML, signing, Gradescope, PrairieLearn, JUnit, the terminal) can rely on:

* text is valid UTF-8 (lone surrogates and undecodable bytes become U+FFFD,
  NUL too) and at most a capped number of characters long;
* numbers in JSON-bound data are finite: NaN and the infinities are written
  as the strings "NaN", "Infinity" and "-Infinity" (what JavaScript calls
  them), and an integer beyond 64 bits becomes a float (or "Infinity");
* shapes are tuples of non-negative ints, or None when they are not;
* JSON is written strictly (``dumps``: ``allow_nan=False``).

Writers for a terminal also strip control characters (``terminal``), so
printed text cannot move the cursor or paint a fake line.
"""
from __future__ import annotations

import json
import math
import re
from numbers import Integral, Real
from typing import Any

from grader import policy

# Lone surrogates cannot be encoded as UTF-8 at all; NUL ends strings in C
# and is refused by some databases an LMS keeps results in.
_NOT_UTF8 = re.compile("[\ud800-\udfff\x00]")
# C0 and C1 controls (but newline and tab), DEL, and the bidirectional
# embeddings, overrides and isolates that reorder what a terminal shows.
_NOT_FOR_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INT64 = 2 ** 63


def text(value: Any, *, limit: int = policy.MAX_TEXT_CHARS) -> str:
    """``value`` as valid text of at most ``limit`` characters.

    Bytes are decoded as UTF-8 with replacement; anything else that is not
    a str is converted with ``str``. Idempotent: text(text(x)) == text(x).
    """
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value[:4 * limit + 4]).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    value = _NOT_UTF8.sub("\N{REPLACEMENT CHARACTER}", value[:limit + 1])
    if len(value) <= limit:
        return value
    note = f" [... cut at {limit} characters]"
    return value[:max(limit - len(note), 0)] + note[:limit]


def terminal(value: Any, *, limit: int = policy.MAX_TEXT_CHARS) -> str:
    """``text(value)`` with control characters (escape codes, carriage
    returns, backspaces, bidi overrides) shown as U+FFFD: one line can only
    print itself."""
    return _NOT_FOR_TERMINAL.sub("\N{REPLACEMENT CHARACTER}", text(value, limit=limit))


def number(value: Any) -> int | float | str:
    """A JSON-safe number: ints within 64 bits and finite floats as they are,
    larger ints as floats, the rest as "NaN", "Infinity" or "-Infinity"."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        value = int(value)
        if -_INT64 <= value < _INT64:
            return value
        try:
            return float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def as_float(value: Any) -> float | None:
    """A number written by ``number`` (or any real number) back as a float;
    None for anything else."""
    if isinstance(value, str):
        return NON_FINITE.get(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]  # a Real compares


def data(value: Any, *, limit: int = policy.MAX_TEXT_CHARS, _depth: int = 0) -> Any:
    """A JSON-safe copy of nested data (a detail payload): text capped, numbers
    finite or named, tuples as lists, keys as text. Anything else, or data
    nested deeper than ``policy.MAX_NESTING``, becomes its capped ``repr``."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return text(value, limit=limit)
    if isinstance(value, Real):
        return number(value)
    if _depth < policy.MAX_NESTING:
        if isinstance(value, (list, tuple)):
            return [data(v, limit=limit, _depth=_depth + 1) for v in value]
        if isinstance(value, dict):
            return {text(k, limit=policy.MAX_VALUE_TEXT_CHARS): data(v, limit=limit,
                                                                     _depth=_depth + 1)
                    for k, v in value.items()}
    return text(repr(value), limit=policy.MAX_VALUE_TEXT_CHARS)


def returned(value: Any, *, _depth: int = 0) -> Any:
    """A value a child returned, as the suites may see it: every str in it
    (keys too) made valid and capped at ``policy.MAX_VALUE_TEXT_CHARS``.
    Numbers and arrays are left as they are, so comparisons stay exact."""
    if isinstance(value, str):
        return text(value, limit=policy.MAX_VALUE_TEXT_CHARS)
    if _depth > policy.MAX_NESTING:  # protocol.decode already refuses deeper values
        return value
    if type(value) is list:
        return [returned(v, _depth=_depth + 1) for v in value]
    if type(value) is tuple:
        return tuple(returned(v, _depth=_depth + 1) for v in value)
    if type(value) is dict:
        return {returned(k, _depth=_depth + 1): returned(v, _depth=_depth + 1)
                for k, v in value.items()}
    return value


def shape(value: Any) -> tuple[int, ...] | None:
    """``value`` as a shape (a tuple of non-negative ints), or None when it is not one."""
    if not isinstance(value, (list, tuple)) or len(value) > policy.MAX_NESTING:
        return None
    if not all(isinstance(v, Integral) and not isinstance(v, bool) and 0 <= v < _INT64  # type: ignore[operator]
               for v in value):
        return None
    return tuple(int(v) for v in value)


def dumps(doc: Any, *, indent: int | None = 2) -> str:
    """Strict JSON: a NaN or infinity left anywhere is a bug here, not valid output."""
    return json.dumps(doc, indent=indent, allow_nan=False)


def loads_strict(raw: str) -> Any:
    """JSON as a strict parser (JavaScript's JSON.parse) reads it: no NaN, no Infinity."""
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")
    return json.loads(raw, parse_constant=refuse)
