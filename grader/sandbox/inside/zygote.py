"""The fork server that runs inside the grader's sandbox (see ``warmpool.py``).

Started once per grading process under bubblewrap, with the same read-only
allowlist as a cold child but no submission mounted. It imports numpy (and,
for the torch flavour, torch) and the child's program, then waits on a unix
socket for one request: "fork". Each fork becomes one learner's child for
one exercise, and walls itself off before any learner code runs:

    zygote ──fork──► waiter (A) ──unshare──fork──► server (B, PID 1 of its own namespace)

* A waits on its request pipe until the grader has moved it into its own
  cgroup, then creates a fresh user, mount, PID, IPC, UTS and network
  namespace. It forks B, waits for it and reports B's exit status.
* B mounts an empty read-only tmpfs over /proc (the zygote's processes
  cannot be named), its own /tmp and /dev/shm, writes the learner's files
  (sent over the pipe) into a folder that it then makes read-only, and drops
  every capability with no_new_privs set. Then ``child.serve`` runs exactly
  as in a cold child: rlimits, import blocker, audit hook, JSON replies.

This module never runs learner code and uses the standard library only
(numpy and torch are imported to be inherited, not used).

Run as ``python -I -B -u zygote.py SOCKET_FD CONFIG_JSON``, beside ``child.py``.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import walls  # noqa: E402 - beside this file, in the runtime folder
from walls import (CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID,  # noqa: E402
                   CLONE_NEWUSER, CLONE_NEWUTS, LIBC, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID,
                   MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, PR_SET_DUMPABLE, PR_SET_PDEATHSIG)

NAMESPACES = (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
              | CLONE_NEWNET)
SUBMISSION, SCRATCH = "/tmp/submission", "/tmp/scratch"
_mount = walls.mount


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    config = json.loads(sys.argv[2])
    for name in config["imports"]:  # inherited by every child, paid for once
        __import__(name)
    import child  # noqa: F401 - imported here so that children start warm
    import _cnn_grader_protocol  # noqa: F401
    # Nothing may read this process's memory through /proc, not even as the same user.
    LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    # Waiters end on their own; the kernel reaps them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    sock.send(json.dumps({"ready": os.getpid(), "probe": _probe()}).encode())
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 4096, 8)
        except OSError:
            return
        if not data:
            return  # the grader closed the socket: it is done with us
        request = json.loads(data)
        if request.get("op") != "fork" or len(fds) != 5:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "malformed fork request"}).encode())
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": f"fork failed: {exc}"}).encode())
            continue
        if pid == 0:
            try:
                waiter(sock, *fds)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps({"forked": pid}).encode())


def _probe() -> str:
    """"" when a fork can build its own namespaces here, else why not."""
    pid = os.fork()
    if pid == 0:
        try:
            _unshare()
        except OSError:
            os._exit(1)
        os._exit(0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _, status = os.waitpid(pid, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    return "" if os.waitstatus_to_exitcode(status) == 0 else (
        "a forked child could not create its own user, PID and mount namespaces")


def _unshare() -> None:
    walls.unshare_as_self(NAMESPACES)


def waiter(zygote: socket.socket, req_fd: int, reply_fd: int, status_fd: int,
           cred_fd: int, log_fd: int) -> None:
    """Process A: becomes the learner's server (B) in fresh namespaces, reports how B ended."""
    zygote.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    keep = {req_fd, reply_fd, status_fd, cred_fd, log_fd}
    low = 3
    for fd in sorted(keep) + [1 << 16]:  # whatever else the zygote held
        os.closerange(low, fd)
        low = fd + 1
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    cred = socket.socket(fileno=cred_fd)
    cred.send(b"A")  # the kernel attaches this process's id as the grader sees it
    import _cnn_grader_protocol as wire
    # The grader answers with the setup only once this process is in its cgroup,
    # so that nothing below can start outside it.
    setup = wire.read_message(req_fd)
    _unshare()
    pid = os.fork()
    if pid == 0:
        os.close(status_fd)
        server(setup, cred, req_fd, reply_fd)
        os._exit(0)
    cred.close()
    os.close(req_fd)
    os.close(reply_fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    os.write(status_fd, json.dumps({"returncode": code}).encode())
    os._exit(0)


def server(setup: dict, cred: socket.socket, req_fd: int, reply_fd: int) -> None:
    """Process B: PID 1 of its namespaces; builds its walls, then serves the learner."""
    cred.send(b"B")
    cred.close()
    os.setsid()  # its own session and group: a group signal reaches only its own processes
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    # The zygote's /proc would name the zygote and the other children: cover it.
    _mount("none", "/proc", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    size = walls.tmpfs_options(setup["tmpfs_bytes"], setup["tmpfs_inodes"])
    _mount("none", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)
    _mount("none", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, size)
    os.mkdir(SCRATCH)
    os.mkdir(SUBMISSION)
    for rel, data in setup["files"].items():
        path = os.path.join(SUBMISSION, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))
    _mount(SUBMISSION, SUBMISSION, None, MS_BIND)
    _mount(None, SUBMISSION, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    walls.drop_privileges()
    os.chdir(SCRATCH)
    os.environ.clear()
    os.environ.update({**setup["environment"], "HOME": SCRATCH, "TMPDIR": SCRATCH})
    import child
    import numpy as np
    import _cnn_grader_protocol as wire
    forbidden = tuple(setup["config"]["forbidden"])
    for name in list(sys.modules):  # the zygote imported them; the learner may not use them
        if name.split(".")[0] in forbidden:
            del sys.modules[name]
    sys.path.remove(HERE)
    child.serve(req_fd, reply_fd, setup["support"], SUBMISSION, setup["config"], wire, np)


if __name__ == "__main__":
    main()
