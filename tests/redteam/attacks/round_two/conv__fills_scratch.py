"""Attack: fills its scratch folder (and anything else writable) with bytes and empty files.

Without a cap a cold child wrote 3.1 GB into the host's scratch folder. It
prints how much it managed (marker MARKER), so the test can hold it to the caps.
"""
import os
import tempfile

_done = []


def _fill():
    if _done:
        return
    _done.append(1)
    chunk = b"\0" * (1 << 20)
    for where in (os.getcwd(), tempfile.gettempdir(), "/tmp", "/dev/shm"):
        written = files = 0
        try:
            folder = os.path.join(where, "fill-MARKER")
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "big"), "wb") as fh:
                while written < (3 << 30):
                    fh.write(chunk)
                    written += len(chunk)
        except OSError:
            pass
        try:
            while files < 200_000:
                open(os.path.join(folder, f"f{files}"), "wb").close()
                files += 1
        except OSError:
            pass
        print(f"fill {where}: {written >> 20} MiB, {files} files", flush=True)


def conv_output_size(*a, **k):
    _fill()
    return -1


conv2d = conv_output_size
