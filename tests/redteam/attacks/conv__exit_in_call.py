"""Attack: os._exit inside each call."""
import os

def conv_output_size(*a, **k):
    os._exit(3)

def conv2d(*a, **k):
    os._exit(3)
