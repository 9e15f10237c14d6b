"""Run one learner module in a child process and talk to it.

The split that keeps grading honest: learner code runs only in the child;
the grader sends it inputs and receives plain data back (``protocol.py``).
Tests, reference solutions and expected values stay in this process, so
nothing the child does (printing, patching, walking frames) can reach them.

A ``Sandbox`` serves one exercise. A crash, an exit or a hang ends the child;
the failing request raises, and the next request starts a fresh child. If the
module cannot even be imported, every request fails fast with that reason.
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from grader import policy, registry
from grader.sandbox import isolation
from grader.sandbox.runtime import child_environment, install_runtime
from grader.sandbox.inside import protocol
from grader.sandbox import warmpool
from grader.sandbox.faults import LearnerCrash, LearnerException, LearnerImportError, LearnerTimeout

class Sandbox:
    """A child interpreter serving one learner module (e.g. ``conv``)."""

    def __init__(self, module: str, *, submission_dir: Path, workdir: Path,
                 missing_reason: str | None = None) -> None:
        self.module = module
        self.exercise = registry.get(module)
        self.submission_dir = submission_dir
        self.workdir = workdir
        self.missing_reason = missing_reason
        self.import_error: LearnerImportError | None = None
        self._proc: subprocess.Popen | warmpool.WarmChild | None = None
        self._req_fd = self._reply_fd = -1
        self._log_path = workdir / f"{module}.out"
        self._runtime = workdir / "runtime"
        self._scratch = Path(tempfile.mkdtemp(prefix=f"{module}-", dir=workdir))
        self._imported = False
        self._cgroup: isolation.Cgroup | None = None
        self._timeouts = 0
        self._crashes = 0
        self._start_fault: LearnerCrash | None = None

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> None:
        """Start the child and queue the import; returns without waiting."""
        if self._proc is not None or self.missing_reason or self.import_error:
            return
        pool = warmpool.shared()
        if pool is not None:
            try:
                self._start_warm(pool)
            except LearnerCrash as fault:
                self._start_fault = fault  # raised by the request that needed this child
                return
        else:
            self._start_cold()
        self._started_at = time.monotonic()
        self._imported = False
        # Queue the import now so it overlaps with other work.
        protocol.write_message(self._req_fd, {"op": "import", "module": self.module})

    def _start_warm(self, pool: warmpool.WarmPool) -> None:
        """A child forked from the warm pool's zygote (numpy and torch already imported)."""
        environment = {k: v for k, v in child_environment("").items()
                       if k not in ("HOME", "TMPDIR")}
        problem: Exception | None = None
        # A failure here is the grader's, never the learner's: the child waits
        # for its files before it runs anything of the learner's, so another
        # try is safe, and a learner does not lose a test to a hiccup of ours.
        for _ in range(policy.WARM_SPAWN_ATTEMPTS):
            self._cgroup = isolation.Cgroup() if isolation.cgroups_available() else None
            try:
                self._proc, self._req_fd, self._reply_fd = pool.spawn(
                    self.module, submission_dir=self.submission_dir, log_path=self._log_path,
                    config=self._child_config(), cgroup=self._cgroup,
                    environment=environment)
                return
            except (warmpool.ZygoteDied, OSError) as exc:
                problem = exc
                if self._cgroup is not None:
                    self._cgroup.close()
                    self._cgroup = None
        raise LearnerCrash(f"the grader could not start a child for {self.module}.py: "
                           f"its warm pool failed ({problem}). This is the grader's fault, "
                           "not your code's; the next test starts a fresh child")

    def _start_cold(self) -> None:
        """A fresh interpreter for the child: where the warm pool cannot run."""
        install_runtime(self._runtime)
        req_r, req_w = os.pipe()
        reply_r, reply_w = os.pipe()
        log = open(self._log_path, "ab")
        # -I: no PYTHON* variables, user site or script folder on sys.path;
        # -B: write no .pyc into the submission; -u: unbuffered, so what
        # the learner printed survives a kill and reaches the report.
        command = [sys.executable, "-I", "-B", "-u", str(self._runtime / "child.py"),
                   str(req_r), str(reply_w), str(self._runtime / "support"),
                   str(self.submission_dir), json.dumps(self._child_config())]
        command = isolation.wrap_command(command, submission=self.submission_dir,
                                         runtime=self._runtime, scratch=self._scratch)
        self._cgroup = isolation.Cgroup() if isolation.cgroups_available() else None
        if self._cgroup and self._cgroup.dirs:
            command = self._cgroup.wrap(command)
        try:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(req_r, reply_w), cwd=self._scratch,
                env=child_environment(str(self._scratch)),
                start_new_session=True,  # its own process group, killed as one
            )
        finally:
            log.close()
            os.close(req_r)
            os.close(reply_w)
        self._req_fd, self._reply_fd = req_w, reply_r

    def _child_config(self) -> dict:
        return {
            "rlimits": {
                "RLIMIT_AS": policy.MAX_ADDRESS_SPACE_BYTES,
                "RLIMIT_CPU": self.exercise.budget.exercise_cpu_s,
                "RLIMIT_FSIZE": policy.MAX_FILE_BYTES,
                "RLIMIT_NOFILE": policy.MAX_OPEN_FILES,
                "RLIMIT_NPROC": policy.MAX_PROCESSES,
                "RLIMIT_CORE": 0,
            },
            "forbidden": list(self.exercise.forbidden),
            "max_elements": policy.MAX_ARRAY_ELEMENTS,
            # Paths the audit hook refuses to open: the grader's own files.
            "protected": [str(p) for p in isolation.protected_paths()],
        }

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for fd in (self._req_fd, self._reply_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        _kill_group(proc)
        if self._cgroup is not None:
            self._cgroup.close()  # SIGKILLs anything that escaped the group
            self._cgroup = None

    def output(self) -> str:
        """What the learner's code printed, last part only."""
        try:
            with open(self._log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - policy.MAX_OUTPUT_CHARS))
                return fh.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # -- requests -----------------------------------------------------------------
    def request(self, message: dict, *, what: str) -> Any:
        """Send one request; return the decoded reply value or raise a LearnerFault."""
        if self._timeouts >= policy.MAX_TIMEOUTS_PER_EXERCISE:
            raise LearnerTimeout(f"{what} was not run: {self.module}.py already ran past the "
                                 f"time limit {self._timeouts} times")
        if self._crashes >= policy.MAX_CRASHES_PER_EXERCISE:
            raise LearnerCrash(f"{what} was not run: the process running {self.module}.py "
                               f"already died {self._crashes} times")
        self._ensure_ready()
        try:
            try:
                protocol.write_message(self._req_fd, message)
            except BrokenPipeError:  # it died between two requests
                raise LearnerCrash(f"{what}: {self._death_text()}") from None
            budget = self.exercise.budget
            reply = self._read(budget.call_wall_s, what, cpu_budget=budget.call_cpu_s)
        except LearnerTimeout:
            self._timeouts += 1
            raise
        except LearnerCrash:
            self._crashes += 1
            raise
        if "exc" in reply:
            raise LearnerException.from_wire(reply["exc"], what)
        return reply["ok"]

    def _ensure_ready(self) -> None:
        if self.missing_reason:
            raise LearnerImportError(self.missing_reason)
        if self.import_error:
            # A fresh exception per test: re-raising one instance would grow
            # its traceback with every test, and pytest formats all of it.
            raise LearnerImportError(str(self.import_error))
        if self._proc is None:
            self.start()
        fault, self._start_fault = self._start_fault, None
        if fault is not None:
            raise fault
        if self._imported:
            return
        try:
            ready = self._read(policy.START_TIMEOUT_S, f"starting Python for {self.module}.py")
            if "ready" not in ready:
                raise LearnerCrash(f"the child for {self.module}.py did not start properly")
            reply = self._read(self.exercise.budget.import_wall_s, f"import {self.module}")
        except (LearnerCrash, LearnerTimeout) as fault:
            self.import_error = LearnerImportError(f"importing {self.module}.py failed: {fault}")
            raise self.import_error from None
        if "exc" in reply:
            exc = LearnerException.from_wire(reply["exc"], f"import {self.module}")
            self.import_error = LearnerImportError(f"importing {self.module}.py failed: {exc}")
            self.close()
            raise self.import_error
        self._imported = True

    def _read(self, timeout: float, what: str, cpu_budget: float | None = None) -> dict:
        """One reply, within ``timeout`` seconds of wall clock and, where the
        child's cgroup counts CPU time, ``cpu_budget`` seconds of its CPU."""
        clock = _Clock(timeout, cpu_budget, self._cgroup)
        try:
            header = self._read_exact(protocol.HEADER.size, clock, what)
            (size,) = protocol.HEADER.unpack(header)
            if size > policy.MAX_REPLY_BYTES:
                raise protocol.ProtocolError(
                    f"reply of {size} bytes is over the cap of {policy.MAX_REPLY_BYTES}")
            reply = protocol.loads(self._read_exact(size, clock, what))
            if type(reply) is not dict or len(reply) != 1 or next(iter(reply)) not in (
                    "ok", "exc", "ready"):
                raise protocol.ProtocolError("reply is not an ok/exc message")
            if "ok" in reply:
                reply = {"ok": protocol.decode(
                    reply["ok"], max_elements=policy.MAX_ARRAY_ELEMENTS,
                    max_depth=policy.MAX_NESTING, make_layer=None)}
            return reply
        except protocol.ProtocolError as exc:
            self.close()
            raise LearnerCrash(f"{what}: the child sent a malformed reply ({exc})") from None

    def _read_exact(self, size: int, clock: _Clock, what: str) -> bytes:
        chunks: list[bytes] = []
        while size:
            wait = clock.next_wait()
            ready = select.select([self._reply_fd], [], [], wait)[0] if wait > 0 else []
            if not ready:
                overrun = clock.overrun()
                if overrun is None:
                    continue
                self.close()
                raise LearnerTimeout(f"{what} {overrun} (an endless loop, or far too slow)")
            chunk = os.read(self._reply_fd, min(size, 1 << 20))
            if not chunk:
                raise LearnerCrash(f"{what}: {self._death_text()}")
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def _death_text(self) -> str:
        proc = self._proc
        if proc is not None:
            try:  # it closed its pipe; give it a moment to report how it ended
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.close()
        code = proc.returncode if proc is not None else None
        if code is None and isinstance(proc, warmpool.WarmChild) and proc.zygote.ended(1.0):
            return ("the grader's warm pool (its zygote) ended while this ran; it is replaced "
                    "for the next child")
        if code is None:
            return "the learner's process stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            hint = {signal.SIGKILL: " (often: out of memory or a resource limit)",
                    signal.SIGXCPU: " (its CPU time limit ran out)",
                    signal.SIGXFSZ: " (it wrote more output than the file size limit)",
                    }.get(signal.Signals(-code), "")
            return f"the learner's process was killed by {name}{hint}"
        return f"the learner's process exited with status {code}"


class _Clock:
    """The limits of one wait for a reply: wall clock, and the child's CPU time."""

    # How often a long call's CPU time is looked at. The count starts at the
    # first look, so a reply that comes within POLL_S (nearly all of them)
    # costs no reading of the cgroup at all.
    POLL_S = 0.1

    def __init__(self, timeout: float, cpu_budget: float | None,
                 cgroup: isolation.Cgroup | None) -> None:
        self.timeout, self.cpu_budget = timeout, cpu_budget
        self.deadline = time.monotonic() + timeout
        self._cgroup = cgroup if cpu_budget is not None else None
        self._cpu_start: float | None = None

    def next_wait(self) -> float:
        left = max(0.0, self.deadline - time.monotonic())
        return min(left, self.POLL_S) if self._cgroup is not None else left

    def overrun(self) -> str | None:
        """Why the wait is over (which limit was passed), or None to keep waiting."""
        if time.monotonic() >= self.deadline:
            return f"did not finish within {self.timeout:g} s"
        used = self._cgroup.cpu_seconds() if self._cgroup is not None else None
        if used is None:
            self._cgroup = None  # nothing counts CPU here: wait for the deadline
        elif self._cpu_start is None:
            self._cpu_start = used
        elif self.cpu_budget is not None and used - self._cpu_start >= self.cpu_budget:
            return f"used {self.cpu_budget:g} s of CPU time without finishing"
        return None


def _kill_group(proc: subprocess.Popen | warmpool.WarmChild) -> None:
    """Kill the child and everything it started in its process group."""
    if isinstance(proc, warmpool.WarmChild):
        proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
