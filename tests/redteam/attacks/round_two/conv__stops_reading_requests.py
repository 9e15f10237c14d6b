"""Attack: floods its reply pipe with valid frames and never reads another request.

The grader reads a queued frame as the reply to each request and writes the
next request into a pipe nobody reads; once that pipe is full, a write
without a deadline never returns (issue 12: a hang with no end).
"""
import os
import stat
import sys

wire = sys.modules["_cnn_grader_protocol"]  # the child's own copy of the wire format


def _flood():
    frame = wire.dumps({"ok": wire.encode({"value": -1, "mutated": []})})
    fds = [fd for fd in range(3, 256) if _is_pipe(fd)]
    while True:
        for fd in fds:
            try:
                os.write(fd, frame)
            except OSError:
                pass


def _is_pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode)
    except OSError:
        return False


def conv_output_size(*a, **k):
    _flood()


conv2d = conv_output_size
