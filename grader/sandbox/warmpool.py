"""The warm pool: children forked from a sandboxed zygote instead of started cold.

A cold child pays for a fresh interpreter and its imports (numpy; torch,
about 1.2 s here) every time. The pool starts one zygote per flavour per
grading process (``numpy`` for the numpy-only exercises, ``torch`` for the
rest), already inside bubblewrap with the common allowlist and no
submission, and asks it to fork one child per (learner, exercise). See
``zygote.py`` for the walls each child builds around itself before it runs
learner code; this module is the grader's side: it hands each child its
pipes, learns its process ids from the kernel (``SCM_CREDENTIALS``, so a
child cannot lie about them), moves it into its own cgroup before it may
start, and replaces a zygote that dies or misbehaves.

Nothing of one learner reaches the next: children never return anything to
the zygote, and the zygote never runs learner code.

Only a process that grades many submissions uses the pool (a batch's
workers call ``use_in_this_process``). For one submission alone, waiting
for the zygotes' imports costs more than it saves: cold children start
sooner (the README's Speed section has the figures).
"""
from __future__ import annotations

import atexit
import base64
import json
import multiprocessing.util
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

from grader import policy, registry
from grader.sandbox import isolation, scratch
from grader.sandbox.runtime import child_environment, install_runtime
from grader.sandbox.inside import protocol

# Where the zygote's program and layers.py appear inside its sandbox: not
# under /tmp, which every child covers with its own.
RUNTIME_IN_SANDBOX = "/run/cnn-grader"
# torch._dynamo too: the first step() of any torch.optim optimiser imports it
# (torch/optim/optimizer.py), about 2 CPU s that every training child would pay
# again; imported once here, every fork inherits it. It maps no package that a
# torch exercise forbids (they forbid none; the numpy zygote never has torch).
FLAVOURS = {"numpy": ("numpy",), "torch": ("numpy", "torch", "torch._dynamo")}
_CRED = struct.Struct("3i")


class ZygoteDied(Exception):
    """The zygote did not answer a fork request (it ended, or answered nonsense)."""


def flavour_for(module: str) -> str:
    # A numpy-only exercise must not inherit torch in memory: it could be
    # found by walking the garbage collector, around the import blocker.
    return registry.get(module).flavour


class Zygote:
    """One fork server in its own bubblewrap sandbox."""

    def __init__(self, flavour: str, runtime: Path) -> None:
        self.flavour = flavour
        self.forks = 0
        self.live = 0
        self._ready: dict | None = None
        self._lock = threading.Lock()
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-I", "-B", "-u", f"{RUNTIME_IN_SANDBOX}/zygote.py",
                   str(theirs.fileno()), json.dumps({"imports": FLAVOURS[flavour]})]
        command = isolation.wrap_zygote(command, runtime=runtime,
                                        inside=RUNTIME_IN_SANDBOX)
        with open(runtime / f"zygote-{flavour}.log", "ab") as log:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(theirs.fileno(),), cwd="/",
                env=child_environment("/tmp"), start_new_session=True)
        theirs.close()

    def ready(self) -> dict:
        """The zygote's greeting (waits for its imports); raises ZygoteDied."""
        if self._ready is None:
            self._ready = self._receive(policy.START_TIMEOUT_S)
            if "ready" not in self._ready:
                raise ZygoteDied(f"the {self.flavour} zygote greeted with {self._ready!r}")
        return self._ready

    def fork(self, fds: list[int]) -> None:
        with self._lock:
            self.ready()
            try:
                socket.send_fds(self._sock, [b'{"op": "fork"}'], fds)
            except OSError as exc:
                raise ZygoteDied(f"the {self.flavour} zygote is gone ({exc})") from None
            reply = self._receive(policy.START_TIMEOUT_S)
            if "forked" not in reply:
                raise ZygoteDied(f"the {self.flavour} zygote could not fork: {reply}")
            self.forks += 1
            self.live += 1

    def _receive(self, timeout: float) -> dict:
        self._sock.settimeout(timeout)
        try:
            data = self._sock.recv(4096)
            reply = json.loads(data) if data else None
        except (OSError, ValueError):
            reply = None
        if type(reply) is not dict:
            raise ZygoteDied(f"the {self.flavour} zygote stopped answering")
        return reply

    def alive(self) -> bool:
        return self._proc.poll() is None

    def ended(self, within: float) -> bool:
        """Whether the zygote has ended, or ends within ``within`` seconds."""
        try:
            self._proc.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """Closing the socket ends the zygote; its PID namespace takes every child along."""
        self._sock.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()


class WarmChild:
    """The grader's handle on one forked child; quacks like the parts of Popen we use."""

    def __init__(self, zygote: Zygote, cred: socket.socket, status_fd: int) -> None:
        self.zygote = zygote
        self._cred, self._status_fd = cred, status_fd
        # pidfds, taken while each process is alive, so that a kill can never
        # reach another process that later gets the same number.
        self._pidfds: list[int] = []
        self.pid = self._next_pid(policy.START_TIMEOUT_S)  # the waiter (A)
        self.server_pid: int | None = None  # the learner's server (B), once it exists
        self.returncode: int | None = None
        self._ended = False

    def _next_pid(self, timeout: float) -> int | None:
        if not select.select([self._cred], [], [], timeout)[0]:
            return None
        try:
            _, ancillary, _, _ = self._cred.recvmsg(1, socket.CMSG_SPACE(_CRED.size))
        except OSError:
            return None
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = _CRED.unpack(data[:_CRED.size])[0]
                try:
                    self._pidfds.append(os.pidfd_open(pid))
                except OSError:
                    pass  # it has ended already
                return pid
        return None

    def wait(self, timeout: float | None = None) -> int | None:
        """How the learner's server ended, as its waiter reports it."""
        if self._status_fd >= 0 and select.select([self._status_fd], [], [], timeout)[0]:
            data = os.read(self._status_fd, 256)
            try:
                self.returncode = int(json.loads(data)["returncode"])
            except (ValueError, KeyError, TypeError):
                pass
            os.close(self._status_fd)
            self._status_fd = -1
        elif self._status_fd >= 0:
            raise subprocess.TimeoutExpired("warm child", timeout or 0)
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the server (PID 1 of its namespace: everything in it dies), then the waiter."""
        if self.server_pid is None:
            self.server_pid = self._next_pid(0.5)
        for pidfd in reversed(self._pidfds):  # the server first
            try:
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.close(pidfd)
        self._pidfds = []
        try:
            self.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._cred.close()
        if not self._ended:
            self._ended = True
            self.zygote.live -= 1


class WarmPool:
    """The zygotes of this grading process, started on first use."""

    def __init__(self) -> None:
        self.runtime = scratch.make("zygote")
        install_runtime(self.runtime)
        self._zygotes = {name: Zygote(name, self.runtime) for name in FLAVOURS}
        self.problem = ""
        for zygote in self._zygotes.values():
            try:
                self.problem = zygote.ready().get("probe") or self.problem
            except ZygoteDied as exc:
                self.problem = str(exc)

    def spawn(self, module: str, *, submission_dir: Path, log_path: Path, config: dict,
              environment: dict, cgroup: isolation.Cgroup | None) -> tuple[WarmChild, int, int]:
        """A fresh child for ``module``; returns it with the request and reply fds."""
        req_r, req_w = os.pipe()
        reply_r, reply_w = os.pipe()
        status_r, status_w = os.pipe()
        cred, cred_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cred.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        theirs = [req_r, reply_w, status_w, cred_theirs.fileno(), log]
        try:
            zygote = self._zygote(flavour_for(module))
            try:
                zygote.fork(theirs)
            except ZygoteDied:
                # Its fault, not this learner's: replace it and try once more.
                zygote = self._replace(zygote)
                zygote.fork(theirs)
        finally:
            for fd in (req_r, reply_w, status_w, log):
                os.close(fd)
            cred_theirs.close()
        child = WarmChild(zygote, cred, status_r)
        try:
            if child.pid is None:
                raise ZygoteDied("a forked child did not report in")
            if cgroup is not None:
                cgroup.add(child.pid)  # before the setup message lets it go on
            protocol.write_message(req_w, {
                "files": _read_files(submission_dir), "config": config,
                "support": f"{RUNTIME_IN_SANDBOX}/support", "environment": environment,
                "tmpfs_bytes": policy.CHILD_TMPFS_BYTES,
                "tmpfs_inodes": policy.CHILD_TMPFS_INODES})
        except BaseException:
            child.kill()
            os.close(req_w)
            os.close(reply_r)
            raise
        return child, req_w, reply_r

    def _zygote(self, flavour: str) -> Zygote:
        zygote = self._zygotes[flavour]
        if not zygote.alive() or (zygote.forks >= policy.WARM_POOL_MAX_FORKS
                                  and zygote.live == 0):
            zygote = self._replace(zygote)
        return zygote

    def _replace(self, old: Zygote) -> Zygote:
        old.stop()
        new = self._zygotes[old.flavour] = Zygote(old.flavour, self.runtime)
        return new

    def stop(self) -> None:
        for zygote in self._zygotes.values():
            zygote.stop()
        shutil.rmtree(self.runtime, ignore_errors=True)


def _read_files(root: Path) -> dict[str, str]:
    """The submission's files, for the child to write into its own read-only folder.

    Intake has already capped their number and size (``policy.MAX_SUBMISSION_*``).
    """
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = base64.b64encode(
                path.read_bytes()).decode("ascii")
    return files


_POOL: WarmPool | None = None
_POOL_PID = 0
_POOL_LOCK = threading.Lock()
_WANTED_PID = 0  # the process that asked for the pool (use_in_this_process)


def use_in_this_process() -> None:
    """Let the children of this process come from the warm pool: for a
    process that grades many submissions, such as a batch worker."""
    global _WANTED_PID
    _WANTED_PID = os.getpid()


def shared() -> WarmPool | None:
    """This process's pool, or None where children must start cold (and why is in ``why_cold``)."""
    global _POOL, _POOL_PID
    if why_cold() is not None:
        return None
    with _POOL_LOCK:
        if _POOL is None or _POOL_PID != os.getpid():
            _POOL, _POOL_PID = WarmPool(), os.getpid()
            atexit.register(_POOL.stop)
            # A multiprocessing worker (a batch's) leaves by os._exit, which
            # skips atexit but runs these finalizers.
            multiprocessing.util.Finalize(_POOL, _POOL.stop, exitpriority=10)
        if _POOL.problem:
            return None
        return _POOL


def unavailable() -> str | None:
    """Why the warm pool cannot run on this machine at all, or None."""
    if os.environ.get("CNN_GRADER_NO_WARM_POOL"):
        return "warm pool turned off (CNN_GRADER_NO_WARM_POOL)"
    if isolation.bwrap_path() is None:
        return "no warm pool: it needs bubblewrap"
    return None


def why_cold() -> str | None:
    """Why this process does not use the warm pool, or None when it does (or will)."""
    reason = unavailable()
    if reason is not None:
        return reason
    if _WANTED_PID != os.getpid() and not os.environ.get("CNN_GRADER_WARM_POOL"):
        return "no warm pool for a single submission (cold children start sooner)"
    if _POOL is not None and _POOL_PID == os.getpid() and _POOL.problem:
        return f"no warm pool: {_POOL.problem}"
    return None


def layers_in_force() -> tuple[str, ...]:
    """Every isolation layer in force for this process's children, in words (in every result)."""
    names = isolation.layers_around_every_child()
    cold = why_cold()
    names.append(cold + "; a fresh interpreter per child" if cold else
                 "warm pool: each child forked from a sandboxed zygote into its own user, "
                 "PID, mount, IPC and network namespaces; no /proc, private /tmp and "
                 "/dev/shm, read-only submission, no capabilities, no_new_privs")
    return tuple(names)
