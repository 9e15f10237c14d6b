"""Attack: returns ndarray subclasses and objects whose == is always True."""
import numpy as np

class Always(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), bool)
    def __array_finalize__(self, obj):
        pass

class Yes:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.zeros(1)

def conv_output_size(*a, **k):
    return Yes()

def conv2d(x, weight, *a, **k):
    return np.zeros((99,)).view(Always)
