"""ok: the forward recurrence with isinstance checks."""
from layers import AvgPool2d, BatchNorm2d, Conv2d, Dropout, MaxPool2d, ReLU


def _one(v):
    if isinstance(v, tuple):
        if v[0] != v[1]:
            raise ValueError("only square kernels")
        return v[0]
    return v


def _walk(layers):
    rf, jump = 1, 1
    for layer in layers:
        if isinstance(layer, (ReLU, BatchNorm2d, Dropout)):
            continue
        if not isinstance(layer, (Conv2d, MaxPool2d, AvgPool2d)):
            raise ValueError(f"{type(layer).__name__} has no receptive field")
        k = _one(layer.kernel_size)
        s = _one(layer.kernel_size if layer.stride is None else layer.stride)
        d = _one(getattr(layer, "dilation", 1))
        rf += (d * (k - 1)) * jump
        jump *= s
    return rf, jump


def receptive_field(layers):
    return _walk(layers)[0]


def effective_stride(layers):
    return _walk(layers)[1]
