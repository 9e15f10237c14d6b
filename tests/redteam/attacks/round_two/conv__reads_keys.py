"""Attack: reads the kernel's key list and leaves a key for the next learner (marker MARKER).

/proc/keys names every key of the grader's user; the session keyring is
inherited from the grader and shared by every sandbox it starts.
"""
import ctypes
import platform

KEYCTL = {"x86_64": 250, "aarch64": 219}.get(platform.machine())
ADD_KEY = {"x86_64": 248, "aarch64": 217}.get(platform.machine())
SESSION = -3  # KEY_SPEC_SESSION_KEYRING


def _report():
    try:
        with open("/proc/keys") as fh:
            print("keys: read", len(fh.read()), flush=True)
    except OSError as exc:
        print("keys: denied", exc, flush=True)
    libc = ctypes.CDLL(None, use_errno=True)
    if ADD_KEY is not None:
        serial = libc.syscall(ADD_KEY, b"user", b"cnn-redteam-MARKER", b"secret", 6, SESSION)
        print("add_key:", serial, flush=True)


def conv_output_size(*a, **k):
    _report()
    return -1


conv2d = conv_output_size
