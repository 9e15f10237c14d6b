"""Attack: leaves a detached daemon running (marker MARKER)."""
import os, subprocess

def conv_output_size(*a, **k):
    subprocess.Popen(["sleep", "MARKER"], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "MARKER"])
        os._exit(0)
    return -1

conv2d = conv_output_size
