"""Attack: nested values full of NaN, huge integers, surrogates and long lists.

Each function returns something the suites will quote in a message: a list
nested 30 deep, a list of 200,000 integers, a float NaN.
"""
import math


def _deep(n):
    value = [math.nan, 10 ** 300, "\ud800", -math.inf]
    for _ in range(n):
        value = [value, {"\udcff" * 50: value[0] if isinstance(value, list) else value}]
    return value


def conv2d_params(*args, **kwargs):
    return _deep(12)


def linear_params(*args, **kwargs):
    return list(range(200_000))


def count_params(*args, **kwargs):
    return math.nan
