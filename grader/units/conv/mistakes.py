"""Known mistakes in conv.py, each recomputed from the same arguments.

Every mistake is the reference computation with one idea changed, so its
output is exactly what a learner who made that mistake (and only that one)
returns.
"""
from __future__ import annotations

import numpy as np

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.suites import shapes
from grader.suites.reference import reference

_conv = reference("conv")

_CONV_HINT = "the lesson's 'The convolution operation'"
_SIZE_HINT = "the output size formula in the lesson's 'Stride and Padding'"


# --------------------------------------------------------------------------- conv2d

def _conv_setup(x, weight, stride, padding):
    kh, kw = np.shape(weight)[2:]
    s = _conv._pair(stride, "stride")
    return s, _conv._padding(padding, kh, kw, s)


def _correlate(x, weight, bias, stride, pads):
    padded = np.pad(np.asarray(x), ((0, 0), (0, 0), pads[0], pads[1]))
    return _conv.conv2d(padded, weight, bias, stride=stride, padding=0)


def _flipped(x, weight, bias, stride, padding):
    s, pads = _conv_setup(x, weight, stride, padding)
    return _correlate(x, np.asarray(weight)[:, :, ::-1, ::-1], bias, s, pads)


def _no_bias(x, weight, bias, stride, padding):
    if bias is None:
        return NOT_APPLICABLE
    return _conv.conv2d(x, weight, None, stride=stride, padding=padding)


def _bias_per_input_channel(x, weight, bias, stride, padding):
    if bias is None:
        return NOT_APPLICABLE
    c_in = np.shape(weight)[1]
    return _conv.conv2d(x, weight, np.asarray(bias) * c_in, stride=stride, padding=padding)


def _one_sided(x, weight, bias, stride, padding):
    s, ((top, bottom), (left, right)) = _conv_setup(x, weight, stride, padding)
    return _correlate(x, weight, bias, s, ((top + bottom, 0), (left + right, 0)))


def _row_stride_twice(x, weight, bias, stride, padding):
    (sh, sw), pads = _conv_setup(x, weight, stride, padding)
    return NOT_APPLICABLE if sh == sw else _correlate(x, weight, bias, (sh, sh), pads)


def _column_stride_twice(x, weight, bias, stride, padding):
    (sh, sw), pads = _conv_setup(x, weight, stride, padding)
    return NOT_APPLICABLE if sh == sw else _correlate(x, weight, bias, (sw, sw), pads)


def _same_top_left(x, weight, bias, stride, padding):
    if padding != "same":
        return NOT_APPLICABLE
    s, _ = _conv_setup(x, weight, stride, padding)
    kh, kw = np.shape(weight)[2:]
    return _correlate(x, weight, bias, s, ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2)))


def _no_padding(x, weight, bias, stride, padding):
    s, _ = _conv_setup(x, weight, stride, padding)
    return _correlate(x, weight, bias, s, ((0, 0), (0, 0)))


def _no_stride(x, weight, bias, stride, padding):
    _, pads = _conv_setup(x, weight, stride, padding)
    return _correlate(x, weight, bias, (1, 1), pads)


CONV2D = (
    Mistake("conv.flipped-kernel",
            "Your output equals a true convolution: the kernel was flipped (rows and columns "
            "reversed) before sliding. A CNN layer slides the kernel as it is and multiplies "
            f"position by position (cross-correlation, as in PyTorch); see {_CONV_HINT}.",
            _flipped),
    Mistake("conv.missing-bias",
            "Your output is right except that the bias was never added. Each output channel "
            "o gets bias[o] added at every position; that is the '+ 1' per filter in the "
            "lesson's parameter count.", _no_bias),
    Mistake("conv.bias-per-input-channel",
            "Your output has the bias added once per input channel (C_in times) instead of "
            "once per output value. Add bias[o] after summing over channels and kernel "
            f"positions; see {_CONV_HINT}.", _bias_per_input_channel),
    Mistake("conv.one-sided-padding",
            "Your shapes are right but the border is shifted: all the padding went on the "
            "top and left, none on the bottom and right. Padding p adds p zero rows above "
            "and p below (and p columns on each side); see the lesson's 'Stride and Padding'.",
            _one_sided),
    Mistake("conv.row-stride-both-axes",
            "Your output uses the row stride for the columns too. With stride=(sh, sw) the "
            "kernel moves sh rows down but sw columns across; keep the two apart.",
            _row_stride_twice),
    Mistake("conv.column-stride-both-axes",
            "Your output uses the column stride for the rows too. With stride=(sh, sw) the "
            "kernel moves sh rows down but sw columns across; keep the two apart.",
            _column_stride_twice),
    Mistake("conv.same-even-top-left",
            "With padding='same' and an even kernel, your extra zero row/column went on the "
            "top/left. An even kernel cannot be centred; PyTorch puts the extra one at the "
            "bottom/right: (k - 1) // 2 before and k // 2 after.", _same_top_left),
    Mistake("conv.padding-ignored",
            "Your output is what the convolution gives with no padding at all: the padding "
            "argument was not applied. Pad x with zeros first (np.pad); see the lesson's "
            "'Stride and Padding'.", _no_padding),
    Mistake("conv.stride-ignored",
            "Your output is what the convolution gives with stride 1: the stride argument "
            "was not applied. The kernel jumps stride pixels between positions, so output "
            f"(i, j) starts at input (i * sh, j * sw); see {_SIZE_HINT}.", _no_stride),
)


# --------------------------------------------------------------------------- conv_output_size

def _size_with(span_of, numerator_of, divide):
    def produce(input_size, kernel_size, stride, padding, dilation):
        n, k, s, p, d = (int(v) for v in (input_size, kernel_size, stride, padding, dilation))
        if min(n, k, s, d) < 1 or p < 0:
            return NOT_APPLICABLE
        span = span_of(k, d)
        room = numerator_of(n, p) - span
        if room < 0:
            return NOT_APPLICABLE
        return divide(room, s)
    return produce


def _span(k, d):
    return d * (k - 1) + 1


def _both_sides(n, p):
    return n + 2 * p


OUTPUT_SIZE = (
    # round() and ceil() are one misconception: wherever round() is wrong (a
    # fraction above one half) it agrees with ceil(), so one mistake covers both.
    Mistake("conv.rounded-output-size",
            "Your size rounds the division up (as ceil, or round() above one half, do); it "
            "must round down (floor). A last step that would hang over the edge does not "
            f"happen; see {_SIZE_HINT}.",
            _size_with(_span, _both_sides, lambda r, s: -(-r // s) + 1)),
    Mistake("conv.ignores-dilation",
            "Your size ignores the dilation: a kernel of size k with dilation d spans "
            f"d * (k - 1) + 1 input cells, and that span replaces k in {_SIZE_HINT}.",
            _size_with(lambda k, d: k, _both_sides, lambda r, s: r // s + 1)),
    Mistake("conv.padding-once",
            "Your size adds the padding once; it goes on both sides, so the padded length "
            f"is n + 2p; see {_SIZE_HINT}.",
            _size_with(_span, lambda n, p: n + p, lambda r, s: r // s + 1)),
    Mistake("conv.output-size-without-plus-one",
            "Your size forgot the '+ 1': (n + 2p - k) / s counts the steps between the "
            "first and the last position, and the first position is an output too; see "
            f"{_SIZE_HINT}.", _size_with(_span, _both_sides, lambda r, s: r // s)),
)


CATALOGUE = {
    "conv.conv2d": Checked(_conv.conv2d, CONV2D, shapes.conv2d),
    "conv.conv_output_size": Checked(_conv.conv_output_size, OUTPUT_SIZE),
}


# Mistakes the suite sees directly rather than by recomputing an output.
OBSERVED = (
    Mistake("conv.modifies-input",
            "conv2d changed an array it was given (flipping or padding it in place), so "
            "the caller's data is different after the call. Hint: np.pad, slicing with "
            "[::-1] plus .copy(), and arithmetic all give new arrays; a function that "
            "computes a feature map should leave its inputs as they were.",
            lambda **_: NOT_APPLICABLE),
)
