"""Attack: a detached process keeps every descriptor of the child, the reply
pipe included, and sleeps (marker MARKER); then the child itself exits, so
the grader sees no end of file on the pipe."""
import os

if os.fork() == 0:
    os.setsid()
    os.execvp("sleep", ["sleep", "MARKER"])


def conv_output_size(*a, **k):
    os._exit(3)


conv2d = conv_output_size
