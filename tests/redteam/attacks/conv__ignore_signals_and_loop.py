"""Attack: ignores SIGTERM and SIGINT, then loops."""
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)

def conv_output_size(*a, **k):
    while True:
        pass

conv2d = conv_output_size
