"""How a call into the learner's code is written in messages.

For example ``conv2d(array(1, 1, 5, 5) float64, ...)``.

The sandbox names the call that failed, and the suites name the call they
checked, in the same words.
"""
from __future__ import annotations

from typing import Any

import numpy as np


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
