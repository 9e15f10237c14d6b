"""Known mistakes in receptive_field.py, each recomputed from the same layers.

Layers are matched by class name, as the reference solutions do, so the
grader's layer specs and any copy of them look alike here.
"""
from __future__ import annotations

from grader.suites.diagnosis import NOT_APPLICABLE, Checked, Mistake, pair as _pair
from grader.suites.reference import reference

_rf = reference("receptive_field")

_RF_HINT = "the lesson's 'Receptive field' (3x3 layers: 3, 5, 7; pooling 2x2 doubles the growth)"


# --------------------------------------------------------------------------- receptive field

def _walk(layers, *, accumulate=True, dilation=True, pool_default_one=False,
          skip_pooling=False, pool_strides=True, sum_of_kernels=False, count_padding=False):
    r, j, kernels = 1, 1, 0
    for layer in layers:
        kind = type(layer).__name__
        if kind in ("ReLU", "BatchNorm2d", "Dropout"):
            continue
        if kind not in ("Conv2d", "MaxPool2d", "AvgPool2d"):
            return None  # the reference refuses these; the mistakes do too
        pool = kind != "Conv2d"
        if pool and skip_pooling:
            continue
        k = _pair(layer.kernel_size)[0]
        stride = layer.stride
        if stride is None:
            stride = 1 if pool_default_one else layer.kernel_size
        s = _pair(stride)[0]
        d = _pair(getattr(layer, "dilation", 1))[0] if dilation else 1
        grow = d * (k - 1) + (2 * _pair(layer.padding)[0] if count_padding else 0)
        r += grow * (j if accumulate else 1)
        kernels += k
        if pool_strides or not pool:
            j *= s
    return (kernels if sum_of_kernels and kernels else r), j


def _rf_mistake(id: str, message: str, *, field=True, stride=True, **knobs):
    out = {}
    if field:
        out["receptive_field"] = Mistake(id, message, lambda layers: _field(layers, 0, knobs))
    if stride:
        out["effective_stride"] = Mistake(id, message, lambda layers: _field(layers, 1, knobs))
    return out


def _field(layers, which, knobs):
    walked = _walk(layers, **knobs)
    return NOT_APPLICABLE if walked is None else walked[which]


_RF_MISTAKES = [
    _rf_mistake("receptive_field.ignores-accumulated-stride",
                "Your field grows by k - 1 for every layer, whatever came before. After a "
                "stride (or a pooling) of 2, neighbouring units are 2 input pixels apart, so "
                "a later 3x3 layer adds 2 * 2 = 4 pixels: multiply k - 1 by the product of "
                f"the earlier strides; see {_RF_HINT}.", stride=False, accumulate=False),
    _rf_mistake("receptive_field.ignores-dilation",
                "Your field ignores dilation: a kernel k with dilation d spans d * (k - 1) + 1 "
                f"inputs, so it adds d * (k - 1) times the jump; see {_RF_HINT}.",
                stride=False, dilation=False),
    _rf_mistake("receptive_field.pool-default-stride-one",
                "Your walk takes a pooling layer's stride=None as 1; it means a stride equal "
                f"to the kernel size (windows side by side); see {_RF_HINT}.",
                pool_default_one=True),
    _rf_mistake("receptive_field.skips-pooling",
                "Your walk skips pooling layers; a pooling window widens the field like a "
                "kernel and its stride multiplies the growth of every later layer; see "
                f"{_RF_HINT}.", skip_pooling=True),
    _rf_mistake("receptive_field.stride-ignores-pooling",
                "Your walk multiplies only the convolutions' strides; pooling layers stride "
                f"too (a 2x2 pooling halves the map); see {_RF_HINT}.", pool_strides=False),
    _rf_mistake("receptive_field.counts-padding",
                "Your field grows with the padding. Padded zeros are not input pixels: "
                "padding shifts where a unit looks but not how many pixels it sees; each "
                f"layer adds d * (k - 1) times the jump; see {_RF_HINT}.", stride=False,
                count_padding=True),
    _rf_mistake("receptive_field.sum-of-kernels",
                "Your field is the sum of the kernel sizes. Each layer adds k - 1 (not k), "
                f"scaled by the strides before it; see {_RF_HINT}.", stride=False,
                sum_of_kernels=True),
]


def _rf_by_function(name: str) -> tuple[Mistake, ...]:
    return tuple(m[name] for m in _RF_MISTAKES if name in m)


CATALOGUE = {
    "receptive_field.receptive_field": Checked(_rf.receptive_field,
                                               _rf_by_function("receptive_field")),
    "receptive_field.effective_stride": Checked(_rf.effective_stride,
                                                _rf_by_function("effective_stride")),
}
