"""The wire format: what may cross from the child, and how it is checked."""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.sandbox.inside import layers
from grader.sandbox.inside import protocol

LIMITS = dict(max_elements=10_000, max_depth=8)


def roundtrip(value, **limits):
    body = protocol.dumps(protocol.encode(value, layers.ALL))[protocol.HEADER.size:]
    make = lambda name, kw: layers.BY_NAME[name](**kw)  # noqa: E731
    return protocol.decode(protocol.loads(body), make_layer=make, **(limits or LIMITS))


@settings(max_examples=50, deadline=None, derandomize=True)
@given(hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, max_side=5)))
def test_arrays_round_trip_exactly(array):
    back = roundtrip(array)
    assert type(back) is np.ndarray
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_plain_values_tuples_dicts_and_layer_specs_round_trip():
    value = {"a": (1, 2.5, None, True, "s"), 3: [layers.Conv2d(3, 8, (3, 3), padding=1)]}
    assert roundtrip(value) == value


def test_numpy_scalars_and_int_subclasses_become_plain_python():
    class Liar(int):
        def __eq__(self, other):
            return True
    out = roundtrip([np.int64(5), np.float32(0.5), np.bool_(True), Liar(3)])
    assert out == [5, 0.5, True, 3]
    assert [type(v) for v in out] == [int, float, bool, int]


def test_ndarray_subclass_arrives_as_plain_ndarray():
    class Always(np.ndarray):
        def __eq__(self, other):
            return True
    fake = np.zeros(3).view(Always)
    back = roundtrip(fake)
    assert type(back) is np.ndarray
    assert not np.array_equal(back, np.ones(3))


def test_unknown_objects_arrive_as_unequal_placeholders():
    class Sneaky:
        def __eq__(self, other):
            return True
    back = roundtrip(Sneaky())
    assert isinstance(back, protocol.Unencodable)
    assert back != back and back != 0 and "Sneaky" in repr(back)
    assert isinstance(roundtrip(np.array([object()], dtype=object)), protocol.Unencodable)


@pytest.mark.parametrize("data, reason", [
    ({"__nd__": ["object", [1], ""]}, "not allowed"),
    ({"__nd__": ["float64", [10**9], ""]}, "over the cap"),
    ({"__nd__": ["float64", [2], "AAAA"]}, "does not match"),
    ({"__nd__": ["float64", [-1], ""]}, "shape"),
    ({"__pickle__": "x"}, "unknown tag"),
    ({"a": 1, "b": 2}, "unexpected"),
    ({"__layer__": ["Conv2d", {}]}, "unknown tag"),  # layers are not accepted from a child
])
def test_malformed_or_dangerous_data_is_rejected(data, reason):
    with pytest.raises(protocol.ProtocolError, match=reason):
        protocol.decode(data, **LIMITS)


def test_nesting_is_capped():
    deep = []
    for _ in range(20):
        deep = [deep]
    with pytest.raises(protocol.ProtocolError, match="nested"):
        protocol.decode(json.loads(json.dumps(deep)), **LIMITS)
