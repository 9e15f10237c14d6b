"""solutions/pooling.py against torch.nn.functional's pooling."""
import ast
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.suites.reference import reference

pooling = reference("pooling")
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


def as_int_or_pair(draw, pair):
    """The same setting spelled as an int (when square) or as a pair."""
    if pair[0] == pair[1] and draw(st.booleans()):
        return pair[0]
    return pair


@st.composite
def pool_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = draw(st.one_of(st.none(), st.integers(1, 3),
                            st.tuples(st.integers(1, 3), st.integers(1, 3))))
    ph, pw = draw(st.integers(0, kh // 2)), draw(st.integers(0, kw // 2))
    h = draw(st.integers(max(1, kh - 2 * ph), kh + 6))
    w = draw(st.integers(max(1, kw - 2 * pw), kw + 6))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), h, w)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    # Shifting the data below zero makes -inf padding matter for max pooling.
    shift = draw(st.sampled_from([0.0, -10.0]))
    return (shape, as_int_or_pair(draw, (kh, kw)), stride, as_int_or_pair(draw, (ph, pw)),
            dtype, shift)


def check(got, expected, x, x0):
    assert isinstance(got, np.ndarray)
    assert got.shape == expected.shape and got.dtype == x.dtype
    tol = 1e-12 if x.dtype == np.float64 else 1e-6
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    np.testing.assert_array_equal(x, x0)  # input unmodified


@SETTINGS
@given(case=pool_cases())
def test_pooling_matches_torch(case):
    shape, kernel, stride, padding, dtype, shift = case
    x = (np.random.default_rng(0).standard_normal(shape) + shift).astype(dtype)
    x0, t = x.copy(), torch.tensor(x)
    check(pooling.max_pool2d(x, kernel, stride, padding),
          F.max_pool2d(t, kernel, stride, padding).numpy(), x, x0)
    check(pooling.avg_pool2d(x, kernel, stride, padding),
          F.avg_pool2d(t, kernel, stride, padding).numpy(), x, x0)
    check(pooling.global_avg_pool2d(x), F.adaptive_avg_pool2d(t, 1).numpy()[:, :, 0, 0], x, x0)


def test_max_pooling_never_picks_padding():
    x = -np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    got = pooling.max_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_array_equal(got, F.max_pool2d(torch.tensor(x), 3, 1, 1).numpy())
    assert (got < 0).all()


def test_average_pooling_counts_padded_zeros():
    x = np.ones((1, 1, 4, 4))
    got = pooling.avg_pool2d(x, 3, stride=1, padding=1)
    np.testing.assert_allclose(got, F.avg_pool2d(torch.tensor(x), 3, 1, 1).numpy())
    assert got[0, 0, 0, 0] == pytest.approx(4 / 9)  # a corner window holds 4 ones and 5 zeros


@pytest.mark.parametrize("kernel, stride, padding", [
    (2, None, 0),          # the lesson's 2x2 pooling halves each side
    (2, 2, 0),
    (3, 2, 1),             # AlexNet-style overlapping windows
    ((1, 3), (1, 2), (0, 1)),
    ((3, 1), None, (1, 0)),
    (5, 1, 2),
    (7, 7, 0),             # the window covers the whole (odd) map, floor drops the rest
])
def test_pooling_selected_cases(kernel, stride, padding):
    x = np.random.default_rng(1).standard_normal((2, 3, 9, 8))
    t = torch.tensor(x)
    check(pooling.max_pool2d(x, kernel, stride, padding),
          F.max_pool2d(t, kernel, stride, padding).numpy(), x, x.copy())
    check(pooling.avg_pool2d(x, kernel, stride, padding),
          F.avg_pool2d(t, kernel, stride, padding).numpy(), x, x.copy())


def test_the_lessons_64_to_32():
    x = np.random.default_rng(2).standard_normal((1, 4, 64, 64))
    assert pooling.max_pool2d(x, 2, 2).shape == (1, 4, 32, 32)


def test_numpy_integer_settings_and_read_only_input():
    x = np.random.default_rng(3).standard_normal((2, 2, 7, 6))
    x.setflags(write=False)
    t = torch.tensor(x)
    k, s, p = (np.int64(3), np.int32(2)), np.int64(2), (np.int16(1), np.int8(0))
    np.testing.assert_allclose(pooling.max_pool2d(x, k, s, p),
                               F.max_pool2d(t, (3, 2), 2, (1, 0)).numpy())
    np.testing.assert_allclose(pooling.avg_pool2d(x, k, s, p),
                               F.avg_pool2d(t, (3, 2), 2, (1, 0)).numpy())


def test_max_pooling_integer_input_with_padding():
    x = np.arange(-8, 8, dtype=np.int64).reshape(1, 1, 4, 4)
    got = pooling.max_pool2d(x, 2, padding=1)
    np.testing.assert_array_equal(got, F.max_pool2d(torch.tensor(x), 2, padding=1).numpy())
    assert got.dtype == np.int64


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (3, 5, 4, 7), (2, 1, 9, 1)])
def test_global_average_pooling(shape):
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    got = pooling.global_avg_pool2d(x)
    assert got.shape == shape[:2] and got.dtype == np.float32
    np.testing.assert_allclose(got, F.adaptive_avg_pool2d(torch.tensor(x), 1).numpy()[:, :, 0, 0],
                               rtol=1e-6, atol=1e-6)


# torch rejects each of these too (RuntimeError), which the test confirms.
@pytest.mark.parametrize("shape, kernel, stride, padding", [
    ((1, 1, 5, 5), 0, None, 0),             # empty kernel
    ((1, 1, 5, 5), (2, 0), None, 0),
    ((1, 1, 5, 5), 2, 0, 0),                # stride 0
    ((1, 1, 5, 5), 2, (1, 0), 0),
    ((1, 1, 5, 5), 3, 1, -1),               # negative padding
    ((1, 1, 5, 5), 3, 1, (0, -1)),
    ((1, 1, 6, 6), 2, None, 2),             # padding over half the kernel
    ((1, 1, 6, 6), (4, 2), None, (2, 2)),   # ... checked per axis
    ((1, 1, 6, 6), 3, 1, 2),
    ((1, 1, 5, 5), 7, None, 0),             # window larger than the input
    ((1, 1, 3, 5), (6, 1), 1, (1, 0)),      # ... than the padded input
])
def test_pooling_rejects_what_torch_rejects(shape, kernel, stride, padding):
    x = np.zeros(shape)
    for ours, theirs in ((pooling.max_pool2d, F.max_pool2d), (pooling.avg_pool2d, F.avg_pool2d)):
        with pytest.raises(ValueError):
            ours(x, kernel, stride, padding)
        with pytest.raises(RuntimeError):
            theirs(torch.tensor(x), kernel, stride, padding)


def test_pooling_uses_numpy_only():
    assert imports_of(pooling) <= {"__future__", "numpy", "operator"}


def imports_of(module) -> set[str]:
    """Top-level modules a solution file imports, read from its source."""
    tree = ast.parse(Path(module.__file__).read_text())
    return {(node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names}
