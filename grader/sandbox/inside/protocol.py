"""The wire format between the grader and a learner's child process.

Both sides import this file: the grader as ``grader.sandbox.inside.protocol``, the child as
a copy beside its runner. It must therefore depend on nothing but the
standard library and numpy.

A message is a 4-byte big-endian length followed by that many bytes of JSON.
JSON, not pickle, because decoding pickle runs code chosen by the sender,
and the sender here is untrusted. On top of JSON a few tagged objects carry
what JSON lacks:

* ``{"__nd__": [dtype, shape, base64]}``: a numpy array of a plain numeric dtype
* ``{"__tuple__": [...]}``: a tuple
* ``{"__layer__": [class name, {field: value}]}``: a layer spec from layers.py
* ``{"__object__": type name}``: something the child could not encode; the
  grader shows the type name and the value never compares equal to anything.
"""
from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import fields, is_dataclass
from typing import Any, Callable

import numpy as np

HEADER = struct.Struct(">I")

# Only dtypes with a fixed, pointer-free byte layout may cross. Object and
# structured dtypes would let the sender smuggle arbitrary Python objects.
ALLOWED_DTYPES = frozenset(
    ["float64", "float32", "float16", "int64", "int32", "int16", "int8",
     "uint64", "uint32", "uint16", "uint8", "bool"]
)


class ProtocolError(Exception):
    """A message broke the wire format (too large, malformed, wrong types)."""


class Unencodable:
    """Stands for a value the child could not send; equal to nothing."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<object of type {self.type_name}>"


# --------------------------------------------------------------------------- encode

def encode(value: Any, layer_types: tuple[type, ...] = (), max_elements: int | None = None) -> Any:
    """Turn a value into JSON-ready data.

    ``layer_types`` are the dataclasses that travel as layer specs. Anything
    else unknown becomes an ``__object__`` tag rather than an error, so that
    a learner returning a strange object gets a clear message, not a crash.
    """
    if value is None or isinstance(value, (bool, str)):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    again = lambda v: encode(v, layer_types, max_elements)  # noqa: E731
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        if max_elements is not None and value.size > max_elements:
            # Refuse before encoding: a huge reply would cost time and memory on both sides.
            raise ValueError(f"an array of {value.size} elements is over the cap of "
                             f"{max_elements}")
        return _encode_array(value)
    if isinstance(value, tuple):
        return {"__tuple__": [again(v) for v in value]}
    if isinstance(value, list):
        return [again(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[again(k), again(v)] for k, v in value.items()]}
    if layer_types and isinstance(value, layer_types) and is_dataclass(value):
        return {"__layer__": [type(value).__name__,
                              {f.name: again(getattr(value, f.name)) for f in fields(value)}]}
    return {"__object__": type(value).__name__}


def _is_tensor(value: Any) -> bool:
    # Checked by module name so that this file never imports torch itself.
    return type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach")


def _encode_array(array: np.ndarray) -> Any:
    plain = np.array(array, order="C", subok=False)  # a plain copy; never a subclass
    if plain.dtype.name not in ALLOWED_DTYPES:
        return {"__object__": f"ndarray[{plain.dtype}]"}
    return {"__nd__": [plain.dtype.name, list(plain.shape),
                       base64.b64encode(plain.tobytes()).decode("ascii")]}


# --------------------------------------------------------------------------- decode

def decode(data: Any, *, max_elements: int, max_depth: int,
           make_layer: Callable[[str, dict], Any] | None = None, _depth: int = 0) -> Any:
    """Rebuild plain Python and numpy values from JSON data, checking everything.

    The result holds only ``None``, ``bool``, ``int``, ``float``, ``str``,
    ``list``, ``tuple``, ``dict``, plain ``numpy.ndarray`` and (when
    ``make_layer`` is given) layer specs, so callers can trust what they get.
    """
    if _depth > max_depth:
        raise ProtocolError(f"value nested deeper than {max_depth} levels")
    if data is None or type(data) in (bool, int, float, str):
        return data
    again = lambda d: decode(d, max_elements=max_elements, max_depth=max_depth,  # noqa: E731
                             make_layer=make_layer, _depth=_depth + 1)
    if type(data) is list:
        return [again(v) for v in data]
    if type(data) is not dict or len(data) != 1:
        raise ProtocolError(f"unexpected JSON value of type {type(data).__name__}")
    (tag, body), = data.items()
    if tag == "__nd__":
        return _decode_array(body, max_elements)
    if tag == "__tuple__" and type(body) is list:
        return tuple(again(v) for v in body)
    if tag == "__dict__" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("malformed dict entry")
            key = again(pair[0])
            if type(key) not in (str, int):
                raise ProtocolError(f"dict key of type {type(key).__name__}")
            out[key] = again(pair[1])
        return out
    if tag == "__object__" and type(body) is str:
        return Unencodable(body[:200])
    if tag == "__layer__" and make_layer is not None and type(body) is list and len(body) == 2:
        name, raw = body
        if type(name) is not str or type(raw) is not dict:
            raise ProtocolError("malformed layer spec")
        return make_layer(name, {str(k): again(v) for k, v in raw.items()})
    raise ProtocolError(f"unknown tag {str(tag)[:40]!r}")


def _decode_array(body: Any, max_elements: int) -> np.ndarray:
    if type(body) is not list or len(body) != 3:
        raise ProtocolError("malformed array")
    dtype, shape, payload = body
    if type(dtype) is not str or dtype not in ALLOWED_DTYPES:
        raise ProtocolError(f"array dtype {str(dtype)[:40]!r} is not allowed")
    if type(shape) is not list or len(shape) > 8 or any(
            type(n) is not int or n < 0 for n in shape):
        raise ProtocolError("malformed array shape")
    count = 1
    for n in shape:
        count *= n
    if count > max_elements:
        raise ProtocolError(f"array of {count} elements is over the cap of {max_elements}")
    if type(payload) is not str:
        raise ProtocolError("malformed array data")
    raw = base64.b64decode(payload.encode("ascii"), validate=True)
    itemsize = np.dtype(dtype).itemsize
    if len(raw) != count * itemsize:
        raise ProtocolError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


# --------------------------------------------------------------------------- framing

def dumps(message: Any) -> bytes:
    body = json.dumps(message, allow_nan=True, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def loads(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"reply is not valid JSON: {exc}") from None


def write_message(fd: int, message: Any) -> None:
    data = memoryview(dumps(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exact(fd: int, size: int) -> bytes:
    """Blocking read of exactly ``size`` bytes; used by the child only."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int) -> Any:
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size))
    return loads(read_exact(fd, size))
