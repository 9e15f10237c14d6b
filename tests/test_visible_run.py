"""check's child run of the visible tests (grader/learner/visible_run.py, check_plugin.py)."""
from __future__ import annotations

from grader.learner.visible_run import run_visible
from grader.paths import SOLUTIONS_DIR

LOOP = "\n\ndef linear_params(in_features, out_features, bias=True):\n    while True:\n        pass\n"


def sources(**changed: str) -> dict[str, bytes]:
    names = ("params", "receptive_field")
    files = {f"{n}.py": (SOLUTIONS_DIR / f"{n}.py").read_bytes() for n in names}
    files.update({f"{n}.py": text.encode() for n, text in changed.items()})
    return files


def test_an_endless_loop_fails_its_own_tests_and_the_rest_still_run():
    looping = (SOLUTIONS_DIR / "params.py").read_text() + LOOP
    params, receptive = run_visible(sources=sources(params=looping),
                                    exercises=["params", "receptive_field"], test_timeout_s=2)
    assert not params.stopped and not receptive.stopped, "the alarm stops tests, not the run"
    assert receptive.ok
    assert 0 < params.passed < params.total
    messages = [f.message for f in params.failures]
    stopped = [m for m in messages if "ran past 2 s" in m and "loop" in m]
    assert 1 <= len(stopped) <= 2, messages  # grading's count of timeouts, then no more waits
    assert all("ran past 2 s" in m or "not run" in m for m in messages), messages


def test_the_whole_run_has_a_backstop_for_code_that_swallows_the_alarm():
    swallowing = (SOLUTIONS_DIR / "params.py").read_text() + (
        "\n\ndef linear_params(in_features, out_features, bias=True):\n"
        "    while True:\n        try:\n            while True:\n                pass\n"
        "        except BaseException:\n            pass\n")
    (params,) = run_visible(sources=sources(params=swallowing), exercises=["params"],
                            timeout_s=6, test_timeout_s=1)
    assert "did not finish within 6 s" in params.stopped and not params.ok
