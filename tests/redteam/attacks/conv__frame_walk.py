"""Attack: walks stack frames and the garbage collector for expected values."""
import gc, inspect, sys
import numpy as np

def _steal(shape_hint):
    for frame in inspect.stack():
        for value in frame.frame.f_locals.values():
            if isinstance(value, np.ndarray) and value.ndim == 4 and value is not shape_hint:
                return value
    for obj in gc.get_objects():
        if isinstance(obj, np.ndarray) and obj.ndim == 4 and obj is not shape_hint:
            return obj
    return np.zeros(1)

def conv_output_size(*a, **k):
    return -1

def conv2d(x, weight, *a, **k):
    return _steal(x)
