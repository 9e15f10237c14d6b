"""The information-only timing line for im2col.conv2d_matmul: never points.

scoring/grading.py calls ``line`` for every unit that has a ``timing.py``.

Speed is too noisy to grade on shared machines (a neighbour's job can
double any figure), so the report only compares, on one mid-size input,
the learner's conv2d_matmul with the learner's own conv2d and with the
reference. Both learner times include the same round trip to the sandbox
(sending x and weight, returning the output); the reference runs here.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from grader import policy
from grader.sandbox.faults import LearnerFault
from grader.sandbox.remote import Learner
from grader.suites.reference import reference


def _best(call: Callable[[], object]) -> float:
    """The fastest of policy.TIMING_REPEATS calls, in seconds: the least disturbed one."""
    best = float("inf")
    for _ in range(policy.TIMING_REPEATS):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def line(learner: Learner, exercises: tuple[str, ...]) -> str:
    """One sentence for the im2col section of the report (grading asks every unit
    with a timing.py); ``exercises`` are those graded, so conv2d is timed too
    where it was."""
    rng = np.random.default_rng(0)  # the same input for everyone: it is not a test
    x = rng.standard_normal(policy.TIMING_INPUT_SHAPE)
    w = rng.standard_normal(policy.TIMING_WEIGHT_SHAPE)
    b = rng.standard_normal(policy.TIMING_WEIGHT_SHAPE[0])
    size = (f"x {'x'.join(map(str, x.shape))}, weight {'x'.join(map(str, w.shape))}, "
            "padding 1")
    ref = _best(lambda: reference("im2col").conv2d_matmul(x, w, b, padding=1))
    try:
        mine = _best(lambda: learner.im2col.conv2d_matmul(x, w, b, padding=1))
    except LearnerFault as exc:
        return (f"Timing ({size}; information only, not points): your conv2d_matmul did not "
                f"finish ({type(exc).__name__}); the reference takes {_ms(ref)}.")
    own = ""
    if "conv" in exercises:
        try:
            own = f", your conv2d {_ms(_best(lambda: learner.conv.conv2d(x, w, b, padding=1)))}"
        except LearnerFault as exc:
            own = f", your conv2d did not finish ({type(exc).__name__})"
    return (f"Timing ({size}; information only, not points; best of "
            f"{policy.TIMING_REPEATS}): your conv2d_matmul {_ms(mine)}{own}, the reference "
            f"conv2d_matmul {_ms(ref)}. Your times include sending the arrays to and from "
            "the sandbox.")
