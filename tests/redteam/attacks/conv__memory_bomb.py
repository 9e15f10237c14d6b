"""Attack: allocates 6 GiB per call."""
def conv_output_size(*a, **k):
    blocks = [bytearray(1 << 30) for _ in range(6)]
    return len(blocks)

conv2d = conv_output_size
