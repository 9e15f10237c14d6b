"""Attack: an endless loop in every call."""
def conv_output_size(*a, **k):
    while True:
        pass

def conv2d(*a, **k):
    while True:
        pass
