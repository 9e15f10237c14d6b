"""A pytest plugin for ``check``'s child: what each visible test did, as JSON.

``check`` runs the visible tests in a child pytest (learner code may loop or
crash, and ``check`` must outlive it) and loads this plugin there with
``-p grader.learner.check_plugin``. For each test it records the outcome,
the test's own line that failed (what was called), the assertion's message
and, where the failing frames compared two arrays of one shape, the first
differing 2-D slice of both, which ``check`` draws. It writes the file named
by ``CNN_CHECK_RESULTS`` when the session ends; a child killed before then
leaves none, which ``check`` reports as a timeout or a crash.

Each test runs under an alarm (``CNN_CHECK_TEST_TIMEOUT`` seconds): a test
that runs past it fails with a message that says so, and after
``policy.MAX_TIMEOUTS_PER_EXERCISE`` of them the file's other tests fail at
once, as grading counts them. An endless loop then costs its own tests, not
the whole check; the parent's overall limit is the backstop for code that
swallows the alarm.
"""
from __future__ import annotations

import json
import os
import signal
from collections import Counter
from typing import Any

import numpy as np
import pytest

from grader import policy

RESULTS_ENV = "CNN_CHECK_RESULTS"
TEST_TIMEOUT_ENV = "CNN_CHECK_TEST_TIMEOUT"
# The part of a differing slice that is drawn, around its first difference:
# a screen's width of cells is enough to see a pattern (a shifted row, a border).
CROP = 12
_ARRAY_NAMES = (("got", "expected"), ("actual", "desired"))

_records: list[dict[str, Any]] = []
_timeouts: Counter[str] = Counter()  # per test file: tests stopped by the alarm


class CheckTimeout(Exception):
    """A visible test ran past its time: raised in the test by the alarm."""


def _limit() -> float:
    return float(os.environ.get(TEST_TIMEOUT_ENV, policy.CHECK_TEST_TIMEOUT_S))


def _ring(signum, frame):
    raise CheckTimeout(f"this test ran past {_limit():g} s and was stopped: look for a loop "
                       "that never ends (at grading, a call that runs past its time limit "
                       "fails its test)")


def pytest_runtest_setup(item):
    stopped = _timeouts[_file_of(item.nodeid)]
    if stopped >= policy.MAX_TIMEOUTS_PER_EXERCISE:
        pytest.fail(f"not run: {stopped} tests of this file already ran past {_limit():g} s "
                    "(grading, too, stops calling a function after that)", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    previous = signal.signal(signal.SIGALRM, _ring)
    signal.setitimer(signal.ITIMER_REAL, _limit())
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and not report.passed):
        record: dict[str, Any] = {"test": item.nodeid, "file": _file_of(item.nodeid),
                                  "outcome": report.outcome,
                                  "doc": (getattr(item.function, "__doc__", None) or "").strip()}
        if report.failed and call.excinfo is not None:
            record.update(_failure(item, call.excinfo))
            if call.excinfo.errisinstance(CheckTimeout):
                _timeouts[record["file"]] += 1
        _records.append(record)


def pytest_collectreport(report):
    if report.failed:
        _records.append({"test": report.nodeid, "file": _file_of(report.nodeid),
                         "outcome": "error", "doc": "",
                         "message": str(report.longrepr)[-policy.CHECK_MESSAGE_CHARS:]})


def pytest_sessionfinish(session):
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_records, out)


def _failure(item, excinfo) -> dict[str, Any]:
    message = excinfo.exconly().strip()
    found: dict[str, Any] = {"message": message[:policy.CHECK_MESSAGE_CHARS], "call": "",
                             "diff": None}
    for entry in excinfo.traceback:
        if entry.frame.code.raw is getattr(item.function, "__code__", None):
            found["call"] = str(entry.statement).strip()[:policy.CHECK_MESSAGE_CHARS]
        if found["diff"] is None:
            found["diff"] = _diff(entry.frame.f_locals)
    return found


def _diff(local: dict[str, Any]) -> dict[str, Any] | None:
    for got_name, expected_name in _ARRAY_NAMES:
        got, expected = local.get(got_name), local.get(expected_name)
        if isinstance(got, np.ndarray) and isinstance(expected, np.ndarray) \
                and got.shape == expected.shape and got.ndim >= 1 and got.size \
                and got.dtype.kind in "fiub" and expected.dtype.kind in "fiub":
            return _slice(got.astype(float), expected.astype(float))
    return None


def _slice(got: np.ndarray, expected: np.ndarray) -> dict[str, Any] | None:
    bad = ~np.isclose(got, expected, rtol=policy.RTOL_FLOAT64, atol=policy.ATOL_FLOAT64,
                      equal_nan=True)
    if not bad.any():
        return None
    if got.ndim == 1:
        got, expected, bad = got[None], expected[None], bad[None]
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    lead, (row, col) = first[:-2], first[-2:]
    g, e = got[lead], expected[lead]
    top, left = max(0, row - CROP // 2), max(0, col - CROP // 2)
    window = (slice(top, top + CROP), slice(left, left + CROP))
    return {"shape": list(got.shape), "index": list(lead), "top": top, "left": left,
            "got": g[window].tolist(), "expected": e[window].tolist(),
            "bad": bad[lead][window].tolist(),
            "differing": int(bad.sum()), "total": int(bad.size)}
