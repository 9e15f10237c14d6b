"""Evidence for the report: pasteable calls that reproduce a failure, and the
'arrays', 'parameters' and 'receptive_field' details in the shape the
report's figures read."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from grader.sandbox.inside import layers as L
from grader.report.figures import figure_for
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.suites.reference import reference
from grader.suites.evidence import (array_source, arrays_detail, parameters_detail,
                                    python_call, receptive_field_detail)


@pytest.mark.parametrize("a", [
    np.array([[1 / 3, -0.0], [np.inf, -np.inf]]),
    np.array([np.nan, 1e-300, 2.5]),
    np.arange(16.0).reshape(1, 1, 4, 4),
    np.full((2, 3), 7.0),
    np.full((3,), 2.0),
    np.arange(6, dtype=np.float32).reshape(2, 3) / 3,
    np.array([[1, -2], [3, 4]], dtype=np.int64),
], ids=["thirds-inf", "nan", "arange", "full", "full-1d", "float32", "int64"])
def test_array_source_rebuilds_the_array_exactly(a):
    rebuilt = eval(array_source(a), {"np": np})  # noqa: S307 - our own output, in a test
    assert rebuilt.dtype == a.dtype and rebuilt.shape == a.shape
    assert np.array_equal(rebuilt, a, equal_nan=True)
    assert np.array_equal(np.signbit(rebuilt), np.signbit(a))


def _run_line(line: str, monkeypatch):
    """Run a pasted line as a learner would, in a folder holding their modules."""
    monkeypatch.syspath_prepend(str(EXERCISES_DIR))  # layers.py
    monkeypatch.syspath_prepend(str(SOLUTIONS_DIR))  # a correct conv.py and friends
    for name in ("conv", "pooling", "receptive_field", "layers"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    *statements, expression = line.split("; ")
    namespace: dict = {}
    exec("\n".join(statements), namespace)  # noqa: S102 - our own output, in a test
    return eval(expression, namespace)  # noqa: S307


def test_pasted_conv_call_reproduces_the_call(monkeypatch):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 2, 5, 4)), rng.integers(-3, 4, (3, 2, 2, 3)).astype(float)
    line = python_call("conv", "conv2d", x, w, None, stride=(2, 1), padding="same")
    assert line.startswith("import numpy as np; from conv import conv2d; conv2d(np.array(")
    with pytest.raises(Exception, match="stride 1"):  # the pasted call fails the same way
        _run_line(line, monkeypatch)
    line = python_call("conv", "conv2d", x, w, None, stride=(2, 1), padding=1)
    expected = reference("conv").conv2d(x, w, None, stride=(2, 1), padding=1)
    assert np.array_equal(_run_line(line, monkeypatch), expected)


def test_pasted_layer_stack_call_reproduces_the_call(monkeypatch):
    stack = [L.Conv2d(3, 8, 3, stride=2), L.ReLU(), L.MaxPool2d(2, padding=1)]
    line = python_call("receptive_field", "receptive_field", stack)
    assert "from layers import Conv2d, MaxPool2d, ReLU" in line
    assert "Conv2d(3, 8, 3, stride=2)" in line and "MaxPool2d(2, padding=1)" in line
    assert _run_line(line, monkeypatch) == reference("receptive_field").receptive_field(stack)


def test_arrays_detail_shows_the_channel_that_is_most_wrong():
    expected = np.zeros((2, 3, 2, 2))
    got = expected.copy()
    got[1, 2, 0, 1] = 5.0
    got[0, 0, 0, 0] = 1.0
    detail = arrays_detail("f(x)", got, expected)
    assert detail["index"] == [1, 2] and detail["actual"][0][1] == 5.0
    assert detail["expected_shape"] == detail["actual_shape"] == [2, 3, 2, 2]
    wrong_shape = arrays_detail("f(x)", np.zeros((2, 3, 3, 2)), expected)
    assert wrong_shape["actual"] is None and wrong_shape["actual_shape"] == [2, 3, 3, 2]
    assert arrays_detail("f(x)", np.zeros((2, 3)), np.ones((2, 3))) is None  # no channel
    for detail in (detail, wrong_shape):
        assert figure_for(detail, key="t") is not None  # the report can draw it


def test_receptive_field_detail_draws_windowed_layers_with_their_span():
    stack = [L.Conv2d(3, 8, 3, dilation=2), L.ReLU(), L.MaxPool2d(2), L.Conv2d(8, 8, 3)]
    detail = receptive_field_detail(stack, 10, 7)
    assert [(x["kernel"], x["stride"]) for x in detail["layers"]] == [(5, 1), (2, 2), (3, 1)]
    assert detail["expected"] == 10 and detail["actual"] == 7
    assert receptive_field_detail(stack, 10, "seven")["actual"] is None
    assert receptive_field_detail([L.ReLU()], 1, 2) is None
    assert figure_for(detail, key="rf") is not None


def test_parameters_detail_lists_name_shape_pairs():
    detail = parameters_detail({"conv1.weight": (8, 4, 3, 3)},
                               {"conv1.weight": (8, 4, 3, 3), "conv1.bias": (8,)})
    assert detail["expected"] == [["conv1.weight", [8, 4, 3, 3]]]
    assert detail["found"][1] == ["conv1.bias", [8]]
    assert figure_for(detail, key="p") is not None
    assert parameters_detail({"a": (1,)}, "not a dict")["found"] == []
