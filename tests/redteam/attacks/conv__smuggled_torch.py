"""Attack: imports torch through a string built at run time."""
import importlib

def _lib():
    return importlib.import_module("tor" + "ch")

def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    t = _lib()
    return int(t.nn.functional.conv1d(t.zeros(1, 1, input_size), t.zeros(1, 1, kernel_size),
                                      stride=stride, padding=padding, dilation=dilation).shape[-1])

def conv2d(x, weight, bias=None, stride=1, padding=0):
    t = _lib()
    b = None if bias is None else t.from_numpy(bias)
    return t.nn.functional.conv2d(t.from_numpy(x), t.from_numpy(weight), b, stride=stride,
                                  padding=padding).numpy()
