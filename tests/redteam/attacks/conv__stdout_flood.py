"""Attack: prints about 200 MB."""
import sys

def conv_output_size(*a, **k):
    line = "x" * 1_000_000 + "\n"
    for _ in range(200):
        sys.stdout.write(line)
    return -1

conv2d = conv_output_size
