"""Attack: dumps the environment to look for tokens."""
import os
print(dict(os.environ))

def conv_output_size(*a, **k):
    raise RuntimeError(repr(dict(os.environ)))

conv2d = conv_output_size
