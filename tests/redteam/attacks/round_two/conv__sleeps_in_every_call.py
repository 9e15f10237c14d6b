"""Attack (APPEND to the reference conv.py): correct, but sleeps 3.5 s in every call.

Each call stays inside the 5 s per-call clock, so only a budget for the whole
exercise stops it from holding a worker for some 1,400 s (issue 12).
"""
import functools as _functools
import time as _time


def _slow(func):
    @_functools.wraps(func)
    def slowly(*args, **kwargs):
        _time.sleep(3.5)
        return func(*args, **kwargs)
    return slowly


conv_output_size = _slow(conv_output_size)  # noqa: F821 - defined by the reference above
conv2d = _slow(conv2d)  # noqa: F821
