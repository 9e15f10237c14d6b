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

import errno
import os
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from grader import policy, registry
from grader.sandbox import isolation, learner_uid, scratch, warmpool
from grader.sandbox.clock import Clock, ScratchWatch
from grader.sandbox.faults import (LearnerCrash, LearnerException, LearnerImportError,
                                   LearnerTimeout, exit_text)
from grader.sandbox.forbidden import loaded_libraries, refused_import
from grader.sandbox.inside import protocol
from grader.sandbox.runtime import child_environment, cold_command, cold_config, install_runtime


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
        self._lease: learner_uid.Lease | None = None  # the child's uid, without namespaces
        # Timeouts so far: per task where the unit counts them so (its manifest's
        # timeouts = "per-task": an endless training loop then costs only the
        # tests of the function that holds it), else all under None.
        self._timeouts: Counter[str | None] = Counter()
        self._crashes = 0
        self._start_fault: LearnerCrash | None = None
        # The exercise's budget over all its children (its unit's manifest,
        # else policy.EXERCISE_WALL_S and EXERCISE_CPU_S): self.exercise.budget.
        self._waited = 0.0  # wall seconds spent waiting on children so far
        self._cpu_done = 0.0  # CPU seconds of children already closed
        self._watch: ScratchWatch | None = None
        # Set when a forbidden library was found loaded in a child (by what the
        # kernel maps into its processes, which no scrubbing of sys.modules
        # undoes): the whole exercise scores 0 (grading.py) with this message.
        self.forbidden_reason: str | None = None
        self._killed_by_sigkill = False

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
        # Every write from here on has a deadline (_write), for warm and cold
        # children alike: a blocking write of a large request into a child that
        # stopped reading never returns, whatever select said before it.
        os.set_blocking(self._req_fd, False)
        self._started_at = time.monotonic()
        self._imported = False
        # Queue the import now so it overlaps with other work. The pipe is
        # empty, so this cannot block; the clock bounds it all the same.
        try:
            self._write({"op": "import", "module": self.module},
                        Clock(policy.START_TIMEOUT_S, None, None), f"import {self.module}")
        except (LearnerCrash, LearnerTimeout) as fault:
            self._start_fault = LearnerCrash(str(fault))

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
                           "not your code's; the next test starts a fresh child"
                           ).doubtful("start")

    def _start_cold(self) -> None:
        """A fresh interpreter for the child: where the warm pool cannot run."""
        install_runtime(self._runtime)
        req_r, req_w = os.pipe()
        reply_r, reply_w = os.pipe()
        log = open(self._log_path, "ab")
        config = cold_config(self._child_config(), self._scratch)
        python = sys.executable
        if isolation.uses_learner_uid():
            self._lease = learner_uid.Lease.acquire()
            self._lease.own(self._scratch)
            learner_uid.grant_read(self._runtime, upto=self.workdir)
            learner_uid.grant_read(self.submission_dir, upto=self.workdir)
            python = learner_uid.learner_python()
        command = cold_command(python, self._runtime, req_r, reply_w, self.submission_dir)
        command = isolation.wrap_command(command, submission=self.submission_dir,
                                         runtime=self._runtime, scratch=self._scratch)
        if self._lease is not None:
            command = self._lease.wrap(command)
        self._cgroup = isolation.Cgroup() if isolation.cgroups_available() else None
        if self._cgroup and self._cgroup.dirs:
            command = self._cgroup.wrap(command)  # joined as root, before the uid drops
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
        # A fresh pipe holds far more than the config, so this write cannot block.
        protocol.write_message(req_w, {"config": config})
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
            # Without namespaces, a seccomp filter (sandbox/inside/seccomp.py) and, where
            # the kernel has it, the bubblewrap allowlist as Landlock rules
            # (sandbox/inside/landlock.py); the child adds its interpreter's folders.
            "deny_network": isolation.bwrap_path() is None,
            "landlock": {"read": [*isolation.visible_host_paths(), str(self._runtime),
                                  str(self.submission_dir)],
                         "write": [str(self._scratch), "/dev/null"]},
        }

    def close(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._forbidden_loaded()  # the last look, while its processes still exist
        self._proc = None
        for fd in (self._req_fd, self._reply_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        _kill_group(proc)
        if self._cgroup is not None:
            self._cpu_done += self._cgroup.cpu_seconds() or 0.0
            self._cgroup.close()  # SIGKILLs anything that escaped the group
            self._cgroup = None
        if self._watch is not None:  # nothing it wrote is kept for the next child
            scratch.empty(self._scratch)
            self._watch = None
        if self._lease is not None:  # every process of its uid, daemons included
            self._lease.release()
            self._lease = None

    def output(self) -> str:
        """What the learner's code printed, last part only."""
        try:
            # Without bubblewrap a child could swap its log for a FIFO or a
            # link: never block on opening it, and read only a regular file.
            fd = os.open(self._log_path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            return ""
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return ""
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - policy.MAX_OUTPUT_CHARS))
            return fh.read().decode("utf-8", "replace")

    # -- requests -----------------------------------------------------------------
    def request(self, message: dict, *, what: str, task: str | None = None) -> Any:
        """Send one request; return the decoded reply value or raise a LearnerFault.

        ``task`` names the learner's function (or the one that built the object)
        the request runs, for a unit that counts timeouts per task.
        """
        key = task if self.exercise.timeouts == "per-task" else None
        if self._timeouts[key] >= policy.MAX_TIMEOUTS_PER_EXERCISE:
            whose = f"{key}() in {self.module}.py" if key else f"{self.module}.py"
            raise LearnerTimeout(f"{what} was not run: {whose} already ran past the "
                                 f"time limit {self._timeouts[key]} times")
        if self._crashes >= policy.MAX_CRASHES_PER_EXERCISE:
            raise LearnerCrash(f"{what} was not run: the process running {self.module}.py "
                               f"already died {self._crashes} times")
        if self._budget_spent():
            raise LearnerTimeout(f"{what} was not run: {self._too_slow()}")
        start = time.monotonic()
        try:
            self._ensure_ready()
            budget = self.exercise.budget
            clock = self._clock(budget.call_wall_s, budget.call_cpu_s)
            self._write(message, clock, what)
            reply = self._read(clock, what)
            if self.exercise.forbidden and (
                    self._forbidden_refused(reply) or self._forbidden_loaded()):
                self.close()
                raise LearnerImportError(self.forbidden_reason)
            if self._watch is not None and (full := self._watch.over()) is not None:
                self.close()
                raise LearnerCrash(f"{what}: {full}")
        except LearnerTimeout:
            self._timeouts[key] += 1
            raise
        except LearnerCrash:
            self._crashes += 1
            raise
        finally:
            self._waited += time.monotonic() - start
        if "exc" in reply:
            raise LearnerException.from_wire(reply["exc"], what)
        return reply["ok"]

    def _ensure_ready(self) -> None:
        if self.missing_reason or self.forbidden_reason:
            raise LearnerImportError(self.missing_reason or self.forbidden_reason)
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
            # Nothing of the learner's has run before "ready" (the interpreter,
            # its imports, the walls): that wait is the grader's, bounded by
            # START_TIMEOUT_S alone and not charged to the exercise's budget,
            # which a loaded machine's slow starts would otherwise eat.
            started = time.monotonic()
            try:
                ready = self._read(self._clock(policy.START_TIMEOUT_S, budgeted=False),
                                   f"starting Python for {self.module}.py")
            finally:
                self._waited -= time.monotonic() - started  # request() adds it back
            if "ready" not in ready or type(ready["ready"]) is not dict:
                raise LearnerCrash(f"the child for {self.module}.py did not start properly")
            if ready["ready"].get("scratch_capped") is not True:
                # No private tmpfs here: the grader watches the scratch folder.
                self._watch = ScratchWatch(self._scratch)
            reply = self._read(self._clock(self.exercise.budget.import_wall_s), f"import {self.module}")
        except (LearnerCrash, LearnerTimeout) as fault:
            self.import_error = LearnerImportError(f"importing {self.module}.py failed: {fault}")
            raise self.import_error from None
        if self._forbidden_refused(reply):
            self.close()
            raise LearnerImportError(self.forbidden_reason)
        if "exc" in reply:
            exc = LearnerException.from_wire(reply["exc"], f"import {self.module}")
            self.import_error = LearnerImportError(f"importing {self.module}.py failed: {exc}")
            self.close()
            raise self.import_error
        self._imported = True

    # -- limits ---------------------------------------------------------------------
    def _clock(self, timeout: float, cpu_budget: float | None = None, *,
               budgeted: bool = True) -> Clock:
        """The limits of one request: its own, and (when ``budgeted``) what is left
        of the exercise's wall-clock budget."""
        budget = self.exercise.budget
        return Clock(timeout, cpu_budget, self._cgroup,
                     wall_left=budget.total_wall_s - self._waited if budgeted else timeout,
                     cpu_left=budget.total_cpu_s - self._cpu_done, watch=self._watch,
                     too_slow=self._too_slow())

    def _budget_spent(self) -> bool:
        if self._waited >= self.exercise.budget.total_wall_s:
            return True
        cpu = self._cgroup.cpu_seconds() if self._cgroup is not None else None
        return self._cpu_done + (cpu or 0.0) >= self.exercise.budget.total_cpu_s

    def _too_slow(self) -> str:
        budget = self.exercise.budget
        return (f"the submission was too slow overall: {self.module}.py may take "
                f"{budget.total_wall_s:g} s (or {budget.total_cpu_s:g} s of CPU) over all of "
                "this exercise's tests, and that time is used up")

    def _forbidden_refused(self, reply: dict) -> bool:
        """Whether the child refused a forbidden import; if so, records why."""
        if self.forbidden_reason is None:
            self.forbidden_reason = refused_import(self.exercise, reply)
        return self.forbidden_reason is not None

    def _forbidden_loaded(self) -> bool:
        """Whether a process of this child has a forbidden library loaded; if so,
        records why in forbidden_reason."""
        if not self.exercise.forbidden or self._proc is None:
            return self.forbidden_reason is not None
        pids = self._cgroup.pids() if self._cgroup is not None and self._cgroup.dirs else []
        root = self._proc.pid  # None only for a warm child not yet forked
        if not pids and root is not None:
            pids = isolation.process_tree(root)
        if self.forbidden_reason is None:
            self.forbidden_reason = loaded_libraries(self.exercise, pids)
        return self.forbidden_reason is not None

    # -- the wire ---------------------------------------------------------------------
    def _write(self, message: dict, clock: Clock, what: str) -> None:
        """Send one request within the clock: a child that stops reading its
        requests is killed like one that stops answering."""
        data = memoryview(protocol.dumps(message))
        while data:
            wait = clock.next_wait()
            ready = select.select([], [self._req_fd], [], wait)[1] if wait > 0 else []
            if not ready:
                overrun = clock.overrun()
                if overrun is None:
                    continue
                self.close()
                raise LearnerTimeout(f"{what}: the child stopped reading its requests and "
                                     f"{overrun}")
            try:
                data = data[os.write(self._req_fd, data):]
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPIPE, errno.EBADF):
                    raise
                raise LearnerCrash(f"{what}: {self._death_text()}") from None  # it died

    def _read(self, clock: Clock, what: str) -> dict:
        """One reply, within the clock's limits (see Clock)."""
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

    def _read_exact(self, size: int, clock: Clock, what: str) -> bytes:
        chunks: list[bytes] = []
        while size:
            wait = clock.next_wait()
            ready = select.select([self._reply_fd], [], [], wait)[0] if wait > 0 else []
            if not ready:
                overrun = clock.overrun()
                if overrun is None:
                    continue
                self.close()
                if self.forbidden_reason:  # found loaded by close's last look
                    raise LearnerImportError(self.forbidden_reason)
                if overrun.startswith("wrote"):
                    raise LearnerCrash(f"{what}: {overrun}")
                if "overall" in overrun:  # the exercise's whole budget: not a hiccup
                    raise LearnerTimeout(f"{what} {overrun}")
                raise LearnerTimeout(f"{what} {overrun} (an endless loop, or far too slow)"
                                     ).doubtful("timeout")
            chunk = os.read(self._reply_fd, min(size, 1 << 20))
            if not chunk:
                text = self._death_text()
                raise LearnerCrash(f"{what}: {text}").doubtful(
                    "killed" if self._killed_by_sigkill else None)
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
        self._killed_by_sigkill = code == -signal.SIGKILL
        if code is None and isinstance(proc, warmpool.WarmChild) and proc.zygote.ended(1.0):
            return ("the grader's warm pool (its zygote) ended while this ran; it is replaced "
                    "for the next child")
        return exit_text(code)

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
