"""Known mistakes in params.py, each recomputed from the same layers.

Layers are matched by class name, as the reference solutions do, so the
grader's layer specs and any copy of them look alike here.
"""
from __future__ import annotations

from grader.suites.diagnosis import Checked, Mistake, pair as _pair
from grader.suites.reference import reference

_params = reference("params")

_COUNT_HINT = "the lesson's 'Parameter count' (64 * (3*3*3 + 1) = 1,792)"


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


CATALOGUE = {
    "params.conv2d_params": Checked(_params.conv2d_params, _by_function("conv2d_params")),
    "params.linear_params": Checked(_params.linear_params, _by_function("linear_params")),
    "params.count_params": Checked(_params.count_params, _by_function("count_params")),
}
