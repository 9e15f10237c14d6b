"""scikit-learn's 8x8 digits, and the grader's fixed split of them.

1,797 images of handwritten digits, 8x8 pixels of 0..16, ship inside
scikit-learn's wheel (``sklearn.datasets.load_digits``): real data, read
from disk, never downloaded. The training and transfer exercises, the
script that pretrains ``DigitsNet`` (``grader/units/transfer/pretrain.py``) and
the tests all see the same split:
360 held-out images, drawn once by a fixed permutation, and the other 1,437
for training. Held-out labels stay in the grader's process; only images
are sent to a learner's child.
"""
from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from grader import policy
from grader.errors import GraderError


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray  # (1437, 1, 8, 8) float32 in [0, 1]
    y_train: np.ndarray  # (1437,) int64
    x_test: np.ndarray  # (360, 1, 8, 8) float32
    y_test: np.ndarray  # (360,) int64


@cache
def split() -> Split:
    table = load()
    x = (table[:, :-1].reshape(-1, 8, 8) / 16.0).astype(np.float32)[:, None, :, :]
    y = table[:, -1].astype(np.int64)
    order = np.random.default_rng(policy.DIGITS_SPLIT_SEED).permutation(len(y))
    test, train = order[:policy.DIGITS_HELD_OUT], order[policy.DIGITS_HELD_OUT:]
    return Split(x[train], y[train], x[test], y[test])


def load() -> np.ndarray:
    """The digits as scikit-learn ships them: 1,797 rows of 64 pixels and the label.

    Read from the file ``load_digits`` reads, found without importing
    scikit-learn: its import (scipy with it) costs about 1.8 CPU s, which every
    grading process would pay for one gzipped table (tests/test_digits.py
    checks it against ``load_digits``).
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise GraderError("scikit-learn is not installed, and it holds the digits the training "
                          "and transfer exercises use", hint="make install")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz"
    if not path.is_file():
        raise GraderError(f"scikit-learn's digits are not at {path}, where load_digits reads "
                          "them", hint="reinstall the pinned scikit-learn: make install")
    with gzip.open(path, "rt") as table:
        return np.loadtxt(table, delimiter=",")


def classes(x: np.ndarray, y: np.ndarray, wanted: range) -> tuple[np.ndarray, np.ndarray]:
    """Only the images of the digits in ``wanted``, relabelled 0, 1, ... in that order."""
    keep = np.isin(y, list(wanted))
    return x[keep], (y[keep] - wanted.start).astype(np.int64)


def shifted(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each image moved by 1 or 2 pixels in a random direction, zeros shifted in."""
    out = np.zeros_like(x)
    for i, image in enumerate(x):
        while True:
            dy, dx = (int(v) for v in rng.integers(-2, 3, size=2))
            if max(abs(dy), abs(dx)) >= 1:
                break
        h, w = image.shape[-2:]
        src = image[..., max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
        out[i, ..., max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)] = src
    return out
