"""The safe layer (grader/sanitize.py): text, numbers, shapes and strict JSON."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import policy, sanitize

# Text as a learner's code can produce it: any code point, surrogates included.
any_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                 blacklist_categories=()), max_size=300)
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(min_value=-(10 ** 400), max_value=10 ** 400))
nested = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, any_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(any_text, inner, max_size=4)),
    max_leaves=30)


@given(any_text, st.integers(min_value=0, max_value=400))
def test_text_is_valid_utf8_capped_and_idempotent(value, limit):
    out = sanitize.text(value, limit=limit)
    out.encode("utf-8")  # strict: raises on a lone surrogate
    assert "\x00" not in out
    assert len(out) <= limit
    assert sanitize.text(out, limit=limit) == out
    if len(value) <= limit and not any("\ud800" <= c <= "\udfff" or c == "\x00" for c in value):
        assert out == value


def test_text_replaces_surrogates_and_bad_bytes_and_says_where_it_cut():
    assert sanitize.text("a\ud800b\udcff") == "a\ufffdb\ufffd"
    assert sanitize.text(b"ok \xff\xfe") == "ok \ufffd\ufffd"
    cut = sanitize.text("A" * (16 << 20))
    assert len(cut) == policy.MAX_TEXT_CHARS and cut.endswith(
        f"[... cut at {policy.MAX_TEXT_CHARS} characters]")


@given(any_text)
def test_terminal_text_has_no_control_characters(value):
    out = sanitize.terminal(value)
    assert not any(c in out for c in "\x1b\r\x08\x07\x9b\u202e\x00")
    assert all(c == "\n" or c == "\t" or not (ord(c) < 32 or 127 <= ord(c) <= 159) for c in out)


@given(numbers)
def test_numbers_are_finite_or_named(value):
    out = sanitize.number(value)
    json.dumps(out, allow_nan=False)
    if isinstance(out, str):
        assert out in ("NaN", "Infinity", "-Infinity")
        back = sanitize.as_float(out)
        assert (math.isnan(back) and math.isnan(float(value))) or back == (
            math.inf if value > 0 else -math.inf)
    elif isinstance(value, float):
        assert out == value


def test_numbers_beyond_64_bits_become_floats_or_infinity():
    assert sanitize.number(2 ** 63 - 1) == 2 ** 63 - 1
    assert sanitize.number(2 ** 70) == float(2 ** 70)
    assert sanitize.number(10 ** 400) == "Infinity"
    assert sanitize.number(-(10 ** 400)) == "-Infinity"
    assert sanitize.number(np.float32("nan")) == "NaN"
    assert sanitize.number(np.int64(3)) == 3 and type(sanitize.number(np.int64(3))) is int
    assert sanitize.as_float("nan") is None and sanitize.as_float(True) is None


@given(nested)
def test_data_is_strict_json_with_valid_text(value):
    out = sanitize.data(value)
    text = json.dumps(out, allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    assert sanitize.loads_strict(text) == out


def test_data_of_something_deeper_than_the_cap_is_its_repr():
    deep = current = []
    for _ in range(policy.MAX_NESTING + 5):
        current.append([])
        current = current[0]
    out = sanitize.data(deep)
    json.dumps(out, allow_nan=False)


@given(nested)
def test_returned_values_keep_their_numbers_and_cap_their_text(value):
    out = sanitize.returned(value)

    def walk(a, b):
        if isinstance(a, str):
            assert b == sanitize.text(a, limit=policy.MAX_VALUE_TEXT_CHARS)
        elif isinstance(a, float) and math.isnan(a):
            assert math.isnan(b)
        elif isinstance(a, (list, tuple)):
            assert type(a) is type(b) and len(a) == len(b)
            for x, y in zip(a, b):
                walk(x, y)
        elif isinstance(a, dict):
            assert len(b) <= len(a)
        else:
            assert a == b and type(a) is type(b)
    walk(value, out)


def test_returned_arrays_are_left_alone():
    a = np.array([np.nan, np.inf, 1.0])
    assert sanitize.returned({"x": [a]})["x"][0] is a


@pytest.mark.parametrize("value, expected", [
    ((1, 2, 3), (1, 2, 3)), ([4], (4,)), ((), ()), (np.array([2, 3]).tolist(), (2, 3)),
    ((np.int64(5),), (5,)), ((1.5,), None), ((True,), None), ((-1,), None), ("12", None),
    (None, None), ((2 ** 64,), None), (((1,),), None)])
def test_shapes_are_tuples_of_non_negative_ints(value, expected):
    assert sanitize.shape(value) == expected


def test_dumps_refuses_what_strict_parsers_refuse():
    with pytest.raises(ValueError):
        sanitize.dumps({"x": math.nan})
    with pytest.raises(ValueError):
        sanitize.loads_strict('{"x": NaN}')
    assert sanitize.loads_strict(sanitize.dumps({"x": "NaN"})) == {"x": "NaN"}
