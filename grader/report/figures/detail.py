"""Reading a failure detail: what every kind's parser shares.

A detail whose structure is wrong is a bug in a hidden suite, so it raises
``SuiteError`` naming the key; values that came from the learner's output
are never a reason to raise.
"""
from __future__ import annotations

from numbers import Integral
from typing import Any

from grader.errors import SuiteError


def is_integer(value: Any) -> bool:
    """A Python or numpy integer, but not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def broken(message: str) -> SuiteError:
    return SuiteError(message, hint="see docs/architecture.md, 'Failure details', for the kinds and keys")


def require(detail: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in detail]
    if missing:
        raise broken(f"{detail.get('kind')!r} failure detail lacks {', '.join(missing)}")


def parse_shape(value: Any) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(is_integer(v) for v in value):
        raise broken(f"a shape must be a list of integers, not {value!r}")
    return tuple(int(v) for v in value)


def show_shape(shape: tuple[int, ...] | None) -> str:
    return "none" if shape is None else "(" + ", ".join(map(str, shape)) + ")"


def height_of(value: Any) -> Any:
    # A size may come as one number or as [height, width]; the drawing is one
    # row of the image, so it uses the height.
    return value[0] if isinstance(value, (list, tuple)) and value else value

