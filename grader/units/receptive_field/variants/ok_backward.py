"""ok: the backward recurrence, from the output unit back to the input."""

SPATIAL = ("Conv2d", "MaxPool2d", "AvgPool2d")
IGNORED = ("ReLU", "BatchNorm2d", "Dropout")


def _kernel_stride(layer):
    k = layer.kernel_size[0] if isinstance(layer.kernel_size, tuple) else layer.kernel_size
    s = layer.stride if layer.stride is not None else layer.kernel_size
    s = s[0] if isinstance(s, tuple) else s
    d = getattr(layer, "dilation", 1)
    d = d[0] if isinstance(d, tuple) else d
    return d * (k - 1) + 1, s


def _layers(layers):
    out = []
    for layer in layers:
        name = type(layer).__name__
        if name in IGNORED:
            continue
        if name not in SPATIAL:
            raise ValueError(f"{name} sees the whole input")
        out.append(_kernel_stride(layer))
    return out


def receptive_field(layers):
    size = 1
    for k, s in reversed(_layers(layers)):
        size = s * (size - 1) + k
    return size


def effective_stride(layers):
    stride = 1
    for _, s in _layers(layers):
        stride *= s
    return stride
