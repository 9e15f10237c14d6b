"""Layers of isolation around a learner's child process, as the machine allows.

Each layer is tried where it can work and named in every result, so an
instructor can see what protected a grading:

* ``bubblewrap``: user, PID, network, IPC and UTS namespaces. The child sees
  a read-only root, its submission read-only, an empty /tmp, and nothing of
  the grader (its package, the reference solutions, the quiz key, the home
  folder). When the child's PID 1 ends, the kernel kills every process left
  in the namespace, daemons included.
* ``cgroup``: a pids and memory cgroup per child (fork bombs, memory summed
  over processes); emptied with SIGKILL when the child closes.
* ``rlimits``: CPU time, address space, file size, open files, no core
  dumps; set by ``child.py`` before it imports learner code.
* ``process group``: always; the whole group is killed on timeout and close.

Without bubblewrap (an unprivileged laptop without user namespaces, say) the
grader still grades, with the remaining layers, and says so.
"""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import uuid
from functools import cache
from pathlib import Path
from typing import Literal

from grader import policy
from grader.paths import PROJECT_DIR
from grader.sandbox import scratch

# The only parts of the host the child sees (read-only), besides its Python,
# its submission and its scratch folder: an allowlist, so that no other copy
# of the solutions or any other learner's files anywhere on disk is visible.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
                "/etc/localtime", "/etc/hosts")


def visible_host_paths() -> list[str]:
    """The host's parts a child may read where no mount namespace hides the rest
    (Landlock): the same allowlist as bubblewrap's, plus what the kernel serves."""
    return [*SYSTEM_DIRS, *SYSTEM_FILES, "/proc", "/sys/devices/system/cpu", "/dev"]


def protected_paths() -> list[Path]:
    """What the learner must never read: reference code, suites, the quiz key, tests,
    and the course secret and signing key files."""
    from grader.keys import key_files_read
    from grader.paths import PACKAGE_DIR, QUIZ_BANK, SOLUTIONS_DIR
    return [SOLUTIONS_DIR, QUIZ_BANK.parent, PACKAGE_DIR, PROJECT_DIR / "tests",
            *key_files_read()]


@cache
def bwrap_path() -> str | None:
    """bubblewrap, if it is installed and can create namespaces here."""
    if os.environ.get("CNN_GRADER_NO_BWRAP"):  # lets tests exercise the fallback
        return None
    path = shutil.which("bwrap")
    if path is None:
        return None
    probe = subprocess.run([path, "--ro-bind", "/", "/", "--unshare-all", "--uid", "65534",
                            "--", "/bin/true"], capture_output=True, timeout=30)
    return path if probe.returncode == 0 else None


def _python_dirs() -> list[str]:
    """What the child's interpreter needs to see: its install, venv and packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    exe = Path(sys.executable)
    dirs.add(str(exe.parent))
    dirs.add(str(exe.resolve().parent.parent))
    return sorted(d for d in dirs if Path(d).exists())


def wrap_command(command: list[str], *, submission: Path, runtime: Path,
                 scratch: Path) -> list[str]:
    """``command`` wrapped in bubblewrap, or unchanged where it is unavailable."""
    bwrap = bwrap_path()
    if bwrap is None:
        return command
    args = [bwrap, *_allowlist(),
            "--ro-bind", str(submission), str(submission),
             "--ro-bind", str(runtime), str(runtime),
             "--bind", str(scratch), str(scratch),
             "--chdir", str(scratch),
             # Writable: the scratch folder alone, which the child covers with
             # its own capped tmpfs (walls.private_tmpfs); bubblewrap's /tmp
             # and /dev would be uncapped.
             "--remount-ro", "/tmp", "--remount-ro", "/dev",
             "--unshare-all", "--uid", "65534", "--gid", "65534",
             "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--"]
    return args + command


def _allowlist() -> list[str]:
    """The host's parts every child sees, read-only: system, Python, nothing else."""
    # /proc/keys and /proc/key-users would list the keys of every process of
    # the grader's user (other sandboxes' among them): covered.
    args = ["--dev", "/dev", "--proc", "/proc", "--ro-bind", "/dev/null", "/proc/keys",
            "--ro-bind", "/dev/null", "/proc/key-users", "--tmpfs", "/tmp"]
    for system in SYSTEM_DIRS + SYSTEM_FILES:
        if Path(system).exists():
            # --ro-bind-try keeps symlinked layouts (/lib -> usr/lib) working
            args += ["--ro-bind-try", system, system]
    for needed in _python_dirs():
        args += ["--ro-bind", needed, needed]
    return args


def wrap_zygote(command: list[str], *, runtime: Path, inside: str) -> list[str]:
    """The warm pool's zygote in bubblewrap: the common allowlist, no submission.

    Its children share this sandbox until each builds its own namespaces
    (``zygote.py``), so nothing in it may be writable by them: the root and
    /dev are remounted read-only, and /tmp is covered by each child's own.
    """
    bwrap = bwrap_path()
    assert bwrap is not None, "the warm pool runs only where bubblewrap does"
    return [bwrap, *_allowlist(), "--ro-bind", str(runtime), inside,
            "--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/",
            "--unshare-all", "--uid", "65534", "--gid", "65534",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--", *command]


def uses_learner_uid() -> bool:
    """Whether cold children run as a learner uid: no namespaces, but root
    (``learner_uid.py``)."""
    from grader.sandbox import learner_uid
    return bwrap_path() is None and learner_uid.unavailable() is None


IsolationMode = Literal["namespaces", "learner-uid", "none"]


def mode() -> IsolationMode:
    """What keeps learner code from the grader's files here: namespaces
    (bubblewrap), a learner uid (root without namespaces), or nothing."""
    if bwrap_path() is not None:
        return "namespaces"
    return "learner-uid" if uses_learner_uid() else "none"


class Cgroup:
    """A pids + memory cgroup for one child, where cgroups are writable; it
    also counts the child's CPU time where the kernel does (see cpu_seconds)."""

    def __init__(self) -> None:
        self.dirs: list[Path] = []
        # The owner's tag in the name lets a later grader remove what a killed
        # one left behind, and nothing of a grader still running (leftovers.sweep).
        name = f"cnn-grader-{scratch.owner_tag()}-{uuid.uuid4().hex[:12]}"
        for controller, settings in _cgroup_settings().items():
            path = controller / name
            try:
                path.mkdir()
                for key, value in settings.items():
                    (path / key).write_text(value)
            except OSError:
                remove_cgroup(path)
                continue
            self.dirs.append(path)
        self.cpu_file = cpu_counter(self.dirs)

    def wrap(self, command: list[str]) -> list[str]:
        """Prefix ``command`` with a shell that joins the cgroup, then execs it.

        Joining happens before the learner's program exists, so nothing it
        forks can start outside the cgroup. (A preexec_fn would do the same
        but is unsafe once torch has started threads in the grader.)
        """
        joins = " && ".join(f'echo $$ > "{path}/cgroup.procs"' for path in self.dirs)
        return ["/bin/sh", "-c", f'{joins} && exec "$@"', "sh", *command]

    def add(self, pid: int) -> None:
        """Move a process that has not started learner code yet into this cgroup."""
        for path in self.dirs:
            (path / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        """Every process in the cgroup (as this process's PID namespace names them)."""
        try:
            return [int(p) for p in (self.dirs[0] / "cgroup.procs").read_text().split()]
        except (OSError, ValueError, IndexError):
            return []

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by every process in the cgroup, or None
        where nothing counts them (no CPU accounting controller joined)."""
        if self.cpu_file is None:
            return None
        try:
            text = self.cpu_file.read_text()
            if self.cpu_file.name == "cpuacct.usage":  # v1: nanoseconds
                return int(text) / 1e9
            for line in text.splitlines():  # v2: a usage_usec line among others
                key, _, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
        except (OSError, ValueError):
            pass
        return None

    def close(self) -> None:
        for path in self.dirs:
            remove_cgroup(path)
        self.dirs = []


@cache
def cgroups_available() -> bool:
    if os.environ.get("CNN_GRADER_NO_CGROUP"):  # lets tests exercise the fallback
        return False
    probe = Cgroup()
    ok = bool(probe.dirs)
    probe.close()
    return ok


def cpu_counter(dirs: list[Path]) -> Path | None:
    """The file among a cgroup's ``dirs`` that counts its CPU time (v1 or v2), if any."""
    return next((path / name for path in dirs for name in ("cpuacct.usage", "cpu.stat")
                 if (path / name).exists()), None)


@cache
def cgroup_counts_cpu() -> bool:
    """Whether a child's cgroup here counts its CPU time (for policy.CALL_CPU_S)."""
    if not cgroups_available():
        return False
    probe = Cgroup()
    try:
        return probe.cpu_seconds() is not None
    finally:
        probe.close()


def _cgroup_settings() -> dict[Path, dict[str, str]]:
    root = Path("/sys/fs/cgroup")
    if (root / "cgroup.controllers").exists():  # cgroup v2, unified
        return {root: {"pids.max": str(policy.MAX_PROCESSES),
                       "memory.max": str(policy.MAX_MEMORY_BYTES)}}
    return {root / "pids": {"pids.max": str(policy.MAX_PROCESSES)},
            root / "memory": {"memory.limit_in_bytes": str(policy.MAX_MEMORY_BYTES)},
            root / "cpuacct": {}}  # no limit: it only counts CPU time (cpu_seconds)


def stale_cgroups() -> list[Path]:
    """This project's cgroups whose grader has ended (leftovers.sweep removes them)."""
    found = []
    for controller in _cgroup_settings():
        try:
            entries = list(controller.glob("cnn-grader-*"))
        except OSError:
            continue
        found += [path for path in entries if scratch.owner_gone(path.name)]
    return found


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, where no cgroup lists a child's processes."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo += [int(p) for p in fh.read().split()]
        except (OSError, ValueError):
            pass
    return found


def loaded_forbidden(pids: list[int], forbidden: tuple[str, ...]) -> list[str]:
    """The forbidden packages whose native code is mapped into any of ``pids``.

    Read from the kernel's /proc/PID/maps, from outside the child: nothing the
    learner does to sys.modules, the import system or the child's own checks
    changes it, and an extension module is never unloaded. It sees packages
    with native code (torch, scipy, cv2, sklearn, ...); pure-Python ones are
    left to the child's import blocker and sys.modules check.
    """
    names = set(forbidden)
    found: set[str] = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps", "rb") as fh:
                maps = fh.read()
        except OSError:
            continue
        for line in maps.split(b"\n"):
            path = line.partition(b"/")[2]
            if b"-packages/" not in path:
                continue
            top = path.split(b"-packages/", 1)[1].split(b"/", 1)[0].decode(errors="replace")
            top = top.removesuffix(".libs")  # e.g. scipy.libs holds scipy's own BLAS
            if top in names:
                found.add(top)
    return sorted(found)


def remove_cgroup(path: Path) -> None:
    """Kill whatever is left in a cgroup, then remove it."""
    import signal
    import time
    procs = path / "cgroup.procs"
    for _ in range(200):
        try:
            pids = [int(p) for p in procs.read_text().split()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.005)
    try:
        path.rmdir()
    except OSError:
        pass


@cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI (0: none); children without namespaces use it."""
    from grader.sandbox.inside import landlock
    return landlock.abi()


def _call_limits() -> str:
    return (f"time limit per call: {policy.CALL_TIMEOUT_S:g} s of wall clock"
            + (f", {policy.CALL_CPU_S:g} s of CPU" if cgroup_counts_cpu() else ""))


def layers_around_every_child() -> list[str]:
    """The layers every child gets, warm or cold (warmpool.layers_in_force adds its own)."""
    names = ["separate child process per exercise, own process group",
             "JSON-only replies, validated and size-capped",
             "minimal environment", _call_limits(),
             "rlimits (CPU, address space, file size, open files, no core)",
             "import blocking for the numpy-only exercises",
             "audit hook: no opening grader files, no signals outside the child, no sockets"]
    current = mode()
    if current == "namespaces":
        names.append("bubblewrap: user, PID, network, IPC namespaces; only the system, "
                     "Python, the submission and a scratch folder visible")
    if current != "namespaces" and landlock_abi():
        names.append(f"Landlock (ABI {landlock_abi()}): the child reads only the system, its "
                     "interpreter, its program and submission, writes only its scratch; no "
                     "TCP" + (", no signals or abstract sockets outside it"
                              if landlock_abi() >= 6 else ""))
    if current == "learner-uid":
        names.append("no namespaces (bubblewrap unavailable); instead each child runs as "
                     "its own unprivileged uid (no groups, no capabilities, no_new_privs), "
                     "the grader's files closed to it, scratch its only writable folder, "
                     "no sockets but AF_UNIX (seccomp), every process of the uid killed "
                     "at the end")
    elif current == "none":
        from grader.sandbox import learner_uid
        names.append("NOT ISOLATED: no namespaces (bubblewrap unavailable) and no learner "
                     f"uid ({learner_uid.unavailable()}): learner code can read the "
                     "grader's files and keys and could change this result")
    if cgroups_available():
        names.append(f"cgroup: at most {policy.MAX_PROCESSES} processes and "
                     f"{policy.MAX_MEMORY_BYTES >> 30} GiB")
    return names
