"""Evidence a failed check leaves for the report: a call to paste, and the ``detail`` dicts.

The kinds and their keys are the contract in docs/architecture.md
("Failure details"); figures.py draws them.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from grader.sanitize import shape


def _float_text(value: float) -> str:
    # repr round-trips a float exactly; inf and nan need numpy's names.
    if np.isnan(value):
        return "np.nan"
    if np.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(float(value))


def array_source(a: np.ndarray) -> str:
    """Python source that rebuilds ``a`` exactly (values, shape and dtype)."""
    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype.name}"
    if a.size and a.dtype.kind in "fiu":
        flat = a.reshape(-1)
        shape = ", ".join(str(d) for d in a.shape)
        if np.array_equal(flat, np.arange(a.size)):
            start = "np.arange(" + (f"{a.size}.0" if a.dtype == np.float64 else f"{a.size}")
            return f"{start}{dtype}).reshape({shape})"
        if (flat == flat[0]).all() and np.isfinite(flat[0]):
            value = flat[0].item()
            return f"np.full(({shape}{',' if a.ndim == 1 else ''}), {value!r}{dtype})"
    if a.dtype.kind == "f":
        body = _nested(a, _float_text)
    else:
        body = repr(a.tolist())
    return f"np.array({body}{dtype})"


def _nested(a: np.ndarray, fmt) -> str:
    if a.ndim == 0:
        return fmt(a.item())
    return "[" + ", ".join(_nested(sub, fmt) for sub in a) + "]"


def value_source(value: Any) -> str:
    """Python source for one argument: arrays written out, layer specs as constructor calls."""
    if isinstance(value, np.ndarray):
        return array_source(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [f for f in dataclasses.fields(value)]
        shown = [value_source(getattr(value, f.name)) if i < _positional(value)
                 else f"{f.name}={value_source(getattr(value, f.name))}"
                 for i, f in enumerate(fields)
                 if i < _positional(value) or getattr(value, f.name) != f.default]
        return f"{type(value).__name__}({', '.join(shown)})"
    if isinstance(value, list):
        return "[" + ", ".join(value_source(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(value_source(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def _positional(spec: Any) -> int:
    """Fields without a default are written positionally, the rest by name."""
    return sum(f.default is dataclasses.MISSING for f in dataclasses.fields(spec))


def python_call(module: str, func: str, *args: Any, **kwargs: Any) -> str:
    """One line that reproduces the call in a Python session started in the exercise folder."""
    parts = [value_source(a) for a in args] + [f"{k}={value_source(v)}" for k, v in kwargs.items()]
    imports = [f"from {module} import {func}"]
    everything = list(args) + list(kwargs.values())
    if any(_mentions_numpy(v) for v in everything):
        imports.insert(0, "import numpy as np")
    layer_names = sorted(_layer_names(everything))
    if layer_names:
        imports.append(f"from layers import {', '.join(layer_names)}")
    return "; ".join(imports + [f"{func}({', '.join(parts)})"])


def _mentions_numpy(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, (list, tuple)):
        return any(_mentions_numpy(v) for v in value)
    return False


def _layer_names(values: list) -> set[str]:
    names = set()
    for v in values:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            names.add(type(v).__name__)
        elif isinstance(v, (list, tuple)):
            names |= _layer_names(list(v))
    return names


def _grid(a: np.ndarray) -> list:
    return [[float(v) for v in row] for row in a]


# How the first two axes of a 4-D gradient are named in the report.
_INDEX_NAMES = {"dweight": ["filter", "input channel"]}


def arrays_detail(call: str, got: Any, expected: np.ndarray,
                  part: str | None = None) -> dict[str, Any] | None:
    """The 'arrays' detail for a 4-D result: the channel with the largest difference.

    None for results that are not (N, C, H, W) maps (global pooling's (N, C),
    say): there is no channel to draw. ``part`` names one array of a tuple
    result (a gradient: "dx", "dweight"), which the report then draws as such.
    """
    if expected.ndim != 4 or expected.size == 0:
        return None
    shape_ok = isinstance(got, np.ndarray) and got.shape == expected.shape
    n, c = 0, 0
    if shape_ok and got.dtype.kind in "fiub":
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
        diff = np.where(np.isnan(diff) & ~(np.isnan(got) & np.isnan(expected)), np.inf, diff)
        diff = np.nan_to_num(diff, nan=0.0)
        n, c = (int(i) for i in np.unravel_index(np.argmax(diff.max(axis=(2, 3))),
                                                 expected.shape[:2]))
    named = {} if part is None else {"part": part,
                                      "index_names": _INDEX_NAMES.get(part, ["sample", "channel"])}
    return {
        "kind": "arrays",
        **named,
        "call": call,
        "index": [n, c],
        "expected": _grid(expected[n, c]),
        "actual": _grid(got[n, c]) if shape_ok and got.dtype.kind in "fiub" else None,
        "expected_shape": list(expected.shape),
        "actual_shape": list(got.shape) if isinstance(got, np.ndarray) else None,
    }


def parameters_detail(expected: dict, found: Any) -> dict[str, Any]:
    """The 'parameters' detail: [name, shape] pairs, expected and found."""
    # A learner's module may report anything as a shape, (1.5,) say; that is
    # its mistake, drawn as "not a shape", never a broken detail.
    pairs = lambda d: [[str(k), None if (s := shape(v)) is None else list(s)]  # noqa: E731
                       for k, v in d.items()]
    return {"kind": "parameters", "expected": pairs(expected),
            "found": pairs(found) if isinstance(found, dict) else []}


_SEES_THROUGH = {"ReLU", "BatchNorm2d", "Dropout"}


def receptive_field_detail(stack: list, expected: int, actual: Any) -> dict[str, Any] | None:
    """The 'receptive_field' detail: the stack's windowed layers, input to output.

    A dilated kernel is drawn as the span it covers, d * (k - 1) + 1; layers
    that see one pixel (ReLU, BatchNorm2d, Dropout) are left out. None when no
    layer has a window (an empty stack has nothing to draw).
    """
    layers = []
    for layer in stack:
        kind = type(layer).__name__
        if kind in _SEES_THROUGH or not hasattr(layer, "kernel_size"):
            continue
        k = _side(layer.kernel_size)
        d = _side(getattr(layer, "dilation", 1))
        s = _side(layer.kernel_size if layer.stride is None else layer.stride)
        name = f"{kind} {k}x{k}" + (f" dilation {d}" if d != 1 else "")
        layers.append({"name": name, "kernel": d * (k - 1) + 1, "stride": s,
                       "kernel_size": k, "dilation": d})
    if not layers:
        return None
    number = actual if type(actual) in (int, float) else None
    return {"kind": "receptive_field", "layers": layers, "expected": expected, "actual": number}


def _side(value: Any) -> int:
    return int(value[0]) if isinstance(value, (list, tuple)) else int(value)
