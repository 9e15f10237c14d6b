"""Attack: returns a 50-million-element array."""
import numpy as np

def conv_output_size(*a, **k):
    return np.zeros(50_000_000)

conv2d = conv_output_size
