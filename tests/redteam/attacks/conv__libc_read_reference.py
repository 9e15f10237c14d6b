"""Attack: reads the reference solution and the hidden suite through libc
(around the audit hook), then runs the stolen reference as its own code."""
import ctypes, os

libc = ctypes.CDLL(None, use_errno=True)


def libc_read(path):
    fd = libc.open(path.encode(), os.O_RDONLY)
    if fd < 0:
        return None
    chunks, buf = [], ctypes.create_string_buffer(1 << 16)
    while True:
        n = libc.read(fd, buf, len(buf))
        if n <= 0:
            break
        chunks.append(buf.raw[:n])
    libc.close(fd)
    return b"".join(chunks)


stolen = None
for root in ("PROJECT", "/work/main", "/autograder/source"):
    suite = libc_read(os.path.join(root, "grader", "units", "conv", "hidden.py"))
    if suite:
        print("read the hidden suite:", len(suite), "bytes")
    stolen = stolen or libc_read(os.path.join(root, "solutions", "conv.py"))
if stolen is None:
    raise ImportError("libc could not read the reference solution")
exec(compile(stolen, "stolen_conv.py", "exec"))
