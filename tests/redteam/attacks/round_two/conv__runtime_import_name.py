"""Attack: the issue's own case. The import name is built at run time, the
blocker removed and sys.modules scrubbed after each call (but the child's
audit hook is left alone)."""
import importlib
import sys

NAME = "".join(["to", "rch"])


def _torch():
    sys.meta_path[:] = [f for f in sys.meta_path if "Blocker" not in type(f).__name__]
    return importlib.import_module(NAME)


def _scrub():
    for name in list(sys.modules):
        if name == NAME or name.startswith(NAME + "."):
            del sys.modules[name]


def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    torch = _torch()
    try:
        return int(torch.nn.functional.conv1d(
            torch.zeros(1, 1, input_size), torch.zeros(1, 1, kernel_size), stride=stride,
            padding=padding, dilation=dilation).shape[-1])
    finally:
        _scrub()


def conv2d(x, weight, bias=None, stride=1, padding=0):
    torch = _torch()
    try:
        b = None if bias is None else torch.from_numpy(bias)
        return torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(weight), b,
                                          stride=stride, padding=padding).numpy()
    finally:
        _scrub()
