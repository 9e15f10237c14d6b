"""Known mistakes in pooling.py, each recomputed from the same arguments.

Every mistake is the reference computation with one idea changed, so its
output is exactly what a learner who made that mistake (and only that one)
returns.
"""
from __future__ import annotations

import numpy as np

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites import shapes
from grader.suites.reference import reference

_pool = reference("pooling")

_SIZE_HINT = "the output size formula in the lesson's 'Stride and Padding'"
_POOL_HINT = "the lesson's 'Pooling and dimensionality reduction'"


# --------------------------------------------------------------------------- pooling

def _emulate(x, kernel_size, stride, padding, *, fill, reduce, ceil=False, check=True,
             real_cells_only=False, default_stride_one=False):
    """Pooling spelled out window by window, with one knob per known mistake."""
    x = np.asarray(x)
    kh, kw = _pool._pair(kernel_size, "kernel_size")
    if stride is None:
        sh, sw = (1, 1) if default_stride_one else (kh, kw)
    else:
        sh, sw = _pool._pair(stride, "stride")
    ph, pw = _pool._pair(padding, "padding")
    if x.ndim != 4 or min(kh, kw, sh, sw) < 1 or min(ph, pw) < 0:
        return NOT_APPLICABLE
    if check and (ph > kh // 2 or pw > kw // 2):
        return NOT_APPLICABLE
    h, w = x.shape[2] + 2 * ph, x.shape[3] + 2 * pw
    if kh > h or kw > w:
        return NOT_APPLICABLE
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (ph, ph), (pw, pw)),
                    constant_values=fill)
    real = np.pad(np.ones(x.shape[2:]), ((ph, ph), (pw, pw)))
    rows = -(-(h - kh) // sh) + 1 if ceil else (h - kh) // sh + 1
    cols = -(-(w - kw) // sw) + 1 if ceil else (w - kw) // sw + 1
    out = np.empty(x.shape[:2] + (rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = padded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            if reduce == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            elif real_cells_only:
                cells = real[i * sh:i * sh + kh, j * sw:j * sw + kw].sum()
                out[:, :, i, j] = window.sum(axis=(2, 3)) / max(cells, 1)
            else:
                out[:, :, i, j] = window.mean(axis=(2, 3))
    return out.astype(np.result_type(x, np.float16) if x.dtype.kind == "f" else np.float64)


def _pooling(reduce, **knobs):
    fill = -np.inf if reduce == "max" else 0.0
    knobs.setdefault("fill", fill)

    def produce(x, kernel_size, stride, padding):
        if knobs.get("default_stride_one") and stride is not None:
            return NOT_APPLICABLE
        return _emulate(x, kernel_size, stride, padding, reduce=reduce, **knobs)
    return produce


def _pool_mistakes(reduce: str) -> tuple[Mistake, ...]:
    common = (
        Mistake("pooling.default-stride-one",
                "Your windows move one pixel at a time when no stride is given. "
                "stride=None means the stride equals the kernel size, so the windows sit "
                f"side by side without overlapping; see {_POOL_HINT}.",
                _pooling(reduce, default_stride_one=True)),
        Mistake("pooling.ceil-mode",
                "Your output keeps a last, partial window that hangs over the bottom or "
                "right edge (ceil mode). Pooling, like convolution, rounds the output size "
                f"down: floor((n + 2p - k) / s) + 1; see {_SIZE_HINT}.",
                _pooling(reduce, ceil=True)),
        Mistake("pooling.no-padding-check",
                "Your pooling accepted a padding larger than half the window, where a "
                "window could hold nothing but padding. Like PyTorch, raise ValueError when "
                "padding > kernel_size // 2 on either axis.", _pooling(reduce, check=False)),
        Mistake("pooling.padding-ignored",
                "Your output is what pooling gives with no padding at all: the padding "
                f"argument was not applied; see {_POOL_HINT}.",
                lambda x, kernel_size, stride, padding: _emulate(
                    x, kernel_size, stride, 0, reduce=reduce, fill=0.0)),
    )
    if reduce == "max":
        return common + (Mistake(
            "pooling.max-pads-zeros",
            "Your max pooling pads with zeros, so where every real value in a window is "
            "negative, a padded 0 wins. Pad with -inf (np.pad(..., constant_values=-np.inf)) "
            "so padding can never be the maximum.", _pooling(reduce, fill=0.0)),)
    return common + (Mistake(
        "pooling.avg-excludes-padding",
        "Your average pooling divides by the number of real cells in each window; the "
        "padded zeros count too (PyTorch's count_include_pad=True), so every window "
        "divides by kernel height x width.", _pooling(reduce, real_cells_only=True)),)


def _global(func):
    def produce(x):
        x = np.asarray(x)
        return NOT_APPLICABLE if x.ndim != 4 else func(x)
    return produce


GLOBAL = (
    Mistake("pooling.global-keeps-dims",
            "Your global average pooling keeps the spatial axes, (N, C, 1, 1). It should "
            "give one number per channel, (N, C), ready for a Linear layer; see "
            f"{_POOL_HINT} (Global Average Pooling).",
            _global(lambda x: x.mean(axis=(2, 3), keepdims=True))),
    Mistake("pooling.global-max",
            "Your global pooling takes the maximum of each map; global average pooling "
            f"takes the mean; see {_POOL_HINT}.", _global(lambda x: x.max(axis=(2, 3)))),
    Mistake("pooling.global-sum",
            "Your global pooling sums each map without dividing by H x W; it should be the "
            "mean.", _global(lambda x: x.sum(axis=(2, 3)))),
    Mistake("pooling.global-over-channels",
            "Your global pooling averaged over the channels (axis 1) as well; average each "
            "map over its height and width only, axes (2, 3).",
            _global(lambda x: x.mean(axis=(1, 2, 3)))),
)


CATALOGUE = {
    "pooling.max_pool2d": Checked(_pool.max_pool2d, _pool_mistakes("max"), shapes.pool2d),
    "pooling.avg_pool2d": Checked(_pool.avg_pool2d, _pool_mistakes("avg"), shapes.pool2d),
    "pooling.global_avg_pool2d": Checked(_pool.global_avg_pool2d, GLOBAL),
}


# Mistakes the suite sees directly rather than by recomputing an output.
OBSERVED = (
    Mistake("pooling.modifies-input",
            "Pooling changed the input array it was given. Hint: pad into a new array "
            "(np.pad) and reduce windows without writing into x.",
            lambda **_: NOT_APPLICABLE),
)
