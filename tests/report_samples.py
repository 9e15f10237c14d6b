"""Hand-made failed tests with all three detail kinds, as the suites record them.

The numbers are computed, not typed in: the conv case is a real
cross-correlation against the true convolution a flipped kernel gives, the
parameter lists are those of a stride-2 residual block, and the receptive
field follows from the layers.
"""
from __future__ import annotations

import numpy as np

from grader.model import QuizResult
from grader.model import Diagnosis, ExerciseResult, GradeResult, TestResult

FLIPPED_MESSAGE = ("Your output equals a true convolution: the kernel was flipped before sliding. "
                   "The layer slides the kernel as it is (cross-correlation).")


def _correlate(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    kh, kw = k.shape
    out = np.empty((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out


def arrays_detail(side: int = 6, *, actual: bool = True) -> dict:
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, size=(side, side)).astype(float)
    k = np.array([[1.0, 0.0, -1.0], [2.0, 0.5, -2.0], [1.0, 0.0, -1.0]])
    expected = _correlate(x, k)
    flipped = _correlate(x, k[::-1, ::-1])
    shape = [1, 1, *expected.shape]
    return {
        "kind": "arrays",
        "call": f"conv2d(np.arange({side * side}.).reshape(1, 1, {side}, {side}), w, b, stride=1, padding=0)",
        "index": [0, 0],
        "expected": expected.tolist(),
        "actual": flipped.tolist() if actual else None,
        "expected_shape": shape,
        "actual_shape": shape if actual else [1, 1, side - 1, side - 1],
    }


def parameters_detail() -> dict:
    expected = [["conv1.weight", [8, 4, 3, 3]], ["bn1.weight", [8]], ["bn1.bias", [8]],
                ["conv2.weight", [8, 8, 3, 3]], ["bn2.weight", [8]], ["bn2.bias", [8]],
                ["shortcut.0.weight", [8, 4, 1, 1]], ["shortcut.1.weight", [8]],
                ["shortcut.1.bias", [8]]]
    found = [p for p in expected if not p[0].startswith("shortcut.1")]
    found = [["conv1.weight", [8, 4, 3, 3]], ["conv1.bias", [8]]] + found[1:]
    found = [[n, [8, 8, 1, 1]] if n == "shortcut.0.weight" else [n, s] for n, s in found]
    return {"kind": "parameters", "expected": expected, "found": found}


def receptive_field_detail() -> dict:
    return {"kind": "receptive_field",
            "layers": [{"name": "conv1", "kernel": 3, "stride": 1},
                       {"name": "conv2", "kernel": 3, "stride": 1},
                       {"name": "pool", "kernel": 2, "stride": 2},
                       {"name": "conv3", "kernel": 3, "stride": 1}],
            "expected": 10, "actual": 8}


def _test(name: str, exercise: str, detail: dict | None, diagnosis: Diagnosis | None,
          output: str, status: str = "failed") -> TestResult:
    return TestResult(name=name, exercise=exercise, score=0, max_score=2, status=status,
                      output=output, description=f"checks {name}", diagnosis=diagnosis,
                      detail=detail, seed=None)


def sample_result() -> GradeResult:
    """A learner's result: three parts fail, each with a picture; one has a diagnosis."""
    tests = (
        _test("test_conv_matches_reference", "conv", arrays_detail(),
              Diagnosis("conv.flipped-kernel", FLIPPED_MESSAGE),
              "AssertionError: conv2d output differs from the expected values"),
        TestResult(name="test_conv_shapes", exercise="conv", score=1, max_score=1,
                   status="passed", output="", description="output shapes"),
        _test("test_residual_parameters", "residual", parameters_detail(), None,
              "AssertionError: the block's parameters differ from the expected ones"),
        _test("test_receptive_field_of_stack", "receptive_field", receptive_field_detail(), None,
              "AssertionError: receptive field 8, expected 10"),
    )
    exercises = tuple(
        ExerciseResult(name=n, score=sum(t.score for t in tests if t.exercise == n),
                       max_score=sum(t.max_score for t in tests if t.exercise == n),
                       passed=sum(t.status == "passed" for t in tests if t.exercise == n),
                       total=sum(t.exercise == n for t in tests))
        for n in ("conv", "residual", "receptive_field"))
    return GradeResult(submission="learner-42", fingerprint="0" * 64, grader_version="test",
                       exercises=exercises, tests=tests,
                       quiz=QuizResult(score=0, max_score=0, questions=()),
                       isolation=("none (hand-made result)",), files=("conv.py",),
                       learner_id="learner-42")
