"""The grader's digits (grader/suites/digits.py): scikit-learn's, read without importing it."""
from __future__ import annotations

import subprocess
import sys

import numpy as np

from grader import policy
from grader.suites import digits


def test_the_table_is_load_digits_exactly():
    from sklearn.datasets import load_digits
    data = load_digits()
    table = digits.load()
    assert table.shape == (1797, 65)
    assert np.array_equal(table[:, :-1].reshape(-1, 8, 8), data.images)
    assert np.array_equal(table[:, -1].astype(np.int64), data.target)


def test_the_split_is_fixed_and_disjoint():
    split = digits.split()
    assert split.x_train.shape == (1797 - policy.DIGITS_HELD_OUT, 1, 8, 8)
    assert split.x_test.shape == (policy.DIGITS_HELD_OUT, 1, 8, 8)
    assert split.x_train.dtype == np.float32 and 0 <= split.x_train.min() <= split.x_train.max() <= 1
    assert set(np.unique(split.y_test)) == set(range(10))
    train = {row.tobytes() for row in split.x_train.reshape(len(split.y_train), -1)}
    assert sum(row.tobytes() in train for row in split.x_test.reshape(len(split.y_test), -1)) < 10


def test_reading_the_digits_imports_no_scikit_learn():
    code = ("import sys; from grader.suites import digits; digits.split(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy')))")
    printed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
    assert printed.strip() == "[]"
