"""Attack: unbounded recursion with the recursion limit lifted."""
import sys
sys.setrecursionlimit(10**7)

def down(n):
    return down(n + 1) + 1

def conv_output_size(*a, **k):
    return down(0)

conv2d = conv_output_size
