"""Attack: removes the import blocker, then uses torch."""
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "Blocker" not in type(f).__name__]
import torch.nn.functional as F
import torch

def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1):
    return int(F.conv1d(torch.zeros(1, 1, input_size), torch.zeros(1, 1, kernel_size),
                        stride=stride, padding=padding, dilation=dilation).shape[-1])

def conv2d(x, weight, bias=None, stride=1, padding=0):
    b = None if bias is None else torch.from_numpy(bias)
    return F.conv2d(torch.from_numpy(x), torch.from_numpy(weight), b, stride=stride,
                    padding=padding).numpy()
