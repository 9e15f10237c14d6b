"""Known mistakes in params.py and receptive_field.py, each recomputed from the same layers.

Layers are matched by class name, as the reference solutions do, so the
grader's layer specs and any copy of them look alike here.
"""
from __future__ import annotations

import operator

from grader.diagnosis import NOT_APPLICABLE, Checked, Mistake
from grader.reference import reference

_params = reference("params")
_rf = reference("receptive_field")

_COUNT_HINT = "the lesson's 'Parameter count' (64 * (3*3*3 + 1) = 1,792)"
_RF_HINT = "the lesson's 'Receptive field' (3x3 layers: 3, 5, 7; pooling 2x2 doubles the growth)"


def _pair(value) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        return operator.index(value[0]), operator.index(value[1])
    return operator.index(value), operator.index(value)


# --------------------------------------------------------------------------- params

def _conv_count(c_in, c_out, kernel_size, bias, *, conv_bias="per-filter", kernel="both"):
    kh, kw = _pair(kernel_size)
    if kernel == "first-side-squared":
        kw = kh
    if conv_bias == "always":
        return c_out * c_in * kh * kw + c_out
    extra = {"per-filter": c_out, "once": 1, "none": 0}[conv_bias] if bias else 0
    return c_out * c_in * kh * kw + extra


def _linear_count(n_in, n_out, bias, *, linear_bias=True):
    return n_out * n_in + (n_out if bias and linear_bias else 0)


def _stack(layers, *, bn_per_channel=2, pool_weights=False, **knobs):
    total = 0
    for layer in layers:
        kind = type(layer).__name__
        if kind == "Conv2d":
            total += _conv_count(layer.in_channels, layer.out_channels, layer.kernel_size,
                                 layer.bias, **{k: v for k, v in knobs.items()
                                                if k in ("conv_bias", "kernel")})
        elif kind == "Linear":
            total += _linear_count(layer.in_features, layer.out_features, layer.bias,
                                   linear_bias=knobs.get("linear_bias", True))
        elif kind == "BatchNorm2d":
            total += bn_per_channel * layer.num_features
        elif kind in ("MaxPool2d", "AvgPool2d") and pool_weights:
            kh, kw = _pair(layer.kernel_size)
            total += kh * kw
    return total


def _param_mistake(id: str, message: str, **knobs) -> dict[str, Mistake]:
    """One mistake as it shows in each of the three functions (absent where it cannot show)."""
    conv_knobs = {k: v for k, v in knobs.items() if k in ("conv_bias", "kernel")}
    out = {"count_params": Mistake(id, message, lambda layers: _stack(layers, **knobs))}
    if conv_knobs:
        out["conv2d_params"] = Mistake(
            id, message, lambda in_channels, out_channels, kernel_size, bias:
            _conv_count(in_channels, out_channels, kernel_size, bias, **conv_knobs))
    if "linear_bias" in knobs:
        out["linear_params"] = Mistake(
            id, message, lambda in_features, out_features, bias:
            _linear_count(in_features, out_features, bias, **knobs))
    return out


_PARAM_MISTAKES = [
    _param_mistake("params.forgets-bias",
                   "Your count leaves out the convolution's biases: every filter has one "
                   f"bias besides its in_channels * KH * KW weights; see {_COUNT_HINT}.",
                   conv_bias="none"),
    _param_mistake("params.bias-once-per-layer",
                   "Your count gives a convolution one bias in all; there is one bias per "
                   f"filter (per output channel); see {_COUNT_HINT}.", conv_bias="once"),
    _param_mistake("params.bias-flag-ignored",
                   "Your count adds the biases even when the layer is built with bias=False. "
                   "Such a layer (common before BatchNorm, which brings its own shift) has "
                   "only its out_channels * in_channels * KH * KW weights.",
                   conv_bias="always"),
    _param_mistake("params.square-of-first-kernel-side",
                   "Your count uses KH * KH for a (KH, KW) kernel; a rectangular kernel has "
                   "KH * KW weights per input channel.", kernel="first-side-squared"),
    _param_mistake("params.linear-forgets-bias",
                   "Your count leaves out the Linear layers' biases: a Linear(in, out) has "
                   "in * out weights plus out biases.", linear_bias=False),
    _param_mistake("params.batchnorm-running-stats",
                   "Your count gives BatchNorm2d(C) 4 * C parameters. Only its scale and "
                   "shift (2 * C) are learned; the running mean and variance are buffers "
                   "updated by averaging, not trained.", bn_per_channel=4),
    _param_mistake("params.pooling-has-weights",
                   "Your count gives pooling layers weights. Pooling applies a fixed rule "
                   "(take the maximum, or the mean) and learns nothing: 0 parameters, as the "
                   "lesson's quiz on 2x2 max pooling says.", pool_weights=True),
]


def _by_function(name: str) -> tuple[Mistake, ...]:
    return tuple(m[name] for m in _PARAM_MISTAKES if name in m)


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
    "params.conv2d_params": Checked(_params.conv2d_params, _by_function("conv2d_params")),
    "params.linear_params": Checked(_params.linear_params, _by_function("linear_params")),
    "params.count_params": Checked(_params.count_params, _by_function("count_params")),
    "receptive_field.receptive_field": Checked(_rf.receptive_field,
                                               _rf_by_function("receptive_field")),
    "receptive_field.effective_stride": Checked(_rf.effective_stride,
                                                _rf_by_function("effective_stride")),
}
