"""Learner code as an unprivileged uid: the wall where there are no namespaces.

A grader running as root where bubblewrap cannot make namespaces (most
containers, Gradescope's among them) would otherwise run learner code as
root: able to read every file, signal the grader, leave its cgroup and
outlive the grading. Here each cold child runs instead under a uid of its
own, leased from a range no one else uses (``policy.LEARNER_UIDS``, or
``$CNN_GRADER_LEARNER_UIDS`` as ``FIRST-LAST``):

* ``setpriv`` drops to that uid and a gid of the same number, with no
  supplementary groups, no capabilities (bounding and inheritable sets
  cleared) and ``no_new_privs``; the child's cgroup was joined before, as
  root, and its files are root's, so the uid cannot move out of it;
* its only writable folder is its own scratch; its submission and the
  child's program are root's and read-only to it;
* the grader closes its own folder to other users, writes results with
  umask 077 (files 0600, folders 0700), and refuses a key file that other
  users could read (``exposed``);
* when the child closes, every process of the uid is killed (as that uid,
  ``kill(-1)``, until none is left) and every file it left in a
  world-writable folder is removed, before the uid goes back to the range.

A lease is a lock on a file in ``policy.LEARNER_UID_LOCK_DIR``, held by the
grading process: when that process dies the lock goes with it, and the next
lease of the uid first kills whatever the uid still runs.

The child's interpreter must be one the uid can run: ``$CNN_GRADER_LEARNER_PYTHON``,
else ``policy.LEARNER_PYTHON`` (``make learner-python`` builds it from
Debian's /usr/bin/python3 with numpy and torch).
"""
from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import stat
import subprocess
import time
from functools import cache
from pathlib import Path

from grader import policy
from grader.paths import PROJECT_DIR
from grader.sandbox import scratch

UIDS_ENV = "CNN_GRADER_LEARNER_UIDS"
PYTHON_ENV = "CNN_GRADER_LEARNER_PYTHON"
# The folders where any user may create files (sticky, world-writable).
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock")


def uid_range() -> range:
    text = os.environ.get(UIDS_ENV, "").strip()
    if not text:
        return policy.LEARNER_UIDS
    first, _, last = text.partition("-")
    try:
        span = range(int(first), int(last or first) + 1)
    except ValueError:
        span = range(0)
    if not span or span.start < 1000:
        from grader.errors import UsageError
        raise UsageError(f"${UIDS_ENV} is {text!r}, not a range of unprivileged uids",
                         hint=f"give FIRST-LAST of uids no one else uses, e.g. "
                              f"{UIDS_ENV}=64100-64199")
    return span


def learner_python() -> str:
    return os.environ.get(PYTHON_ENV, "").strip() or policy.LEARNER_PYTHON


@cache
def unavailable() -> str | None:
    """Why children cannot run as a learner uid here, or None when they can."""
    if os.geteuid() != 0:
        return "the grader is not root, so it cannot switch to a learner uid"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    python = learner_python()
    if not Path(python).is_file():
        return (f"no interpreter for the learner uid at {python} "
                f"(make learner-python, or set ${PYTHON_ENV})")
    blocked = [p for p in _interpreter_paths(python) if not readable_by_others(p, need="rx")]
    if blocked:
        return f"other users cannot run {python} ({blocked[0]} is closed to them)"
    return None


def _interpreter_paths(python: str) -> list[Path]:
    resolved = Path(python).resolve()
    # Its stdlib lives beside the binary's prefix (a venv's home or the base install).
    return [resolved, resolved.parent.parent / "lib"]


def readable_by_others(path: Path, *, need: str = "r") -> bool:
    """Whether a user who is neither the owner nor in the group can reach and
    read ``path`` (``need`` "rx": also run it or list it). The learner's gid is
    its own and it has no supplementary groups, so only the "other" bits count."""
    path = Path(os.path.abspath(path))
    try:
        for parent in reversed(path.parents):
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
        mode = os.stat(path).st_mode
    except OSError:
        return False
    bits = (stat.S_IROTH if "r" in need else 0) | (stat.S_IXOTH if "x" in need else 0)
    return mode & bits == bits


def exposed(paths) -> list[Path]:
    """Those of ``paths`` a learner uid could read."""
    return [Path(p) for p in paths if readable_by_others(Path(p))]


_SEALED = False


def seal_grader() -> None:
    """Close the grader's own folder to other users, and make every file this
    process writes from now on private (umask 077: results, OUT, scratch copies;
    ``grant_read`` opens what a child needs). Idempotent."""
    global _SEALED
    if _SEALED:
        return
    os.umask(0o077)
    mode = PROJECT_DIR.stat().st_mode
    if mode & 0o007:
        os.chmod(PROJECT_DIR, stat.S_IMODE(mode) & ~0o007)
    _SEALED = True


def grant_read(root: Path, *, upto: Path) -> None:
    """Let other users read the tree at ``root`` (a+rX) and pass through every
    folder from ``upto`` down to it (o+x): a child's program and submission,
    which are the grader's and stay read-only."""
    # upto itself and every folder below it on the way to root (root excluded).
    for rel in reversed(root.relative_to(upto).parents):
        folder = upto / rel
        os.chmod(folder, stat.S_IMODE(folder.stat().st_mode) | stat.S_IXOTH)
    for here, dirs, files in os.walk(root):
        os.chmod(here, stat.S_IMODE(os.lstat(here).st_mode) | 0o555)
        for name in files:
            path = os.path.join(here, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | 0o444)


class Lease:
    """One uid (and the gid of the same number) for one child, until ``release``."""

    def __init__(self, uid: int, lock_fd: int) -> None:
        self.uid = self.gid = uid
        self._lock_fd = lock_fd

    @classmethod
    def acquire(cls) -> Lease:
        lock_dir = Path(policy.LEARNER_UID_LOCK_DIR)
        lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(lock_dir, 0o700)
        taken = _foreign_uids()
        for uid in uid_range():
            if uid in taken:
                continue
            fd = os.open(lock_dir / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            lease = cls(uid, fd)
            lease.clean()  # whatever a grader that died while holding it left behind
            return lease
        span = uid_range()
        raise OSError(f"every learner uid in {span.start}-{span.stop - 1} is in use; "
                      f"widen the range with ${UIDS_ENV}")

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` run as this uid, with nothing it could use to climb back."""
        return ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *command]

    def own(self, scratch: Path) -> None:
        """Make ``scratch`` this uid's, and private to it."""
        for folder, dirs, files in os.walk(scratch):
            for name in dirs + files:
                os.lchown(os.path.join(folder, name), self.uid, self.gid)
        os.chown(scratch, self.uid, self.gid)
        os.chmod(scratch, 0o700)

    def clean(self) -> None:
        """Kill every process of the uid, then remove what it left where anyone may write."""
        kill_all(self.uid)
        remove_files_of(self.uid)

    def release(self) -> None:
        if self._lock_fd < 0:
            return
        self.clean()
        os.close(self._lock_fd)  # the lock goes with the descriptor
        self._lock_fd = -1


def _foreign_uids() -> set[int]:
    """uids of the range that belong to an account someone else made."""
    span = uid_range()
    return {p.pw_uid for p in pwd.getpwall() if p.pw_uid in span
            and not p.pw_name.startswith(policy.LEARNER_ACCOUNT_PREFIX)}


def processes_of(uid: int) -> list[int]:
    """pids whose real, effective or saved uid is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Uid:"):
                        if uid in {int(x) for x in line.split()[1:4]}:
                            found.append(int(entry))
                        break
        except OSError:
            pass
    return found


def kill_all(uid: int) -> None:
    """SIGKILL every process of ``uid``: as that uid, kill(-1) reaches exactly
    the processes it may signal, all of its own; repeated until none is left,
    since one of them may fork while the first round runs."""
    deadline = time.monotonic() + policy.LEARNER_KILL_S
    while processes_of(uid):
        subprocess.run(["/bin/kill", "-KILL", "-1"], user=uid, group=uid, extra_groups=[],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, cwd="/", env={})
        if time.monotonic() > deadline:
            raise OSError(f"processes of learner uid {uid} survive SIGKILL: "
                          f"{processes_of(uid)[:10]}")
        time.sleep(0.01)


def remove_files_of(uid: int) -> None:
    """Remove what ``uid`` created in the folders anyone may write to: a
    learner's only way to leave a file outside its scratch folder. Its
    processes are dead by now, so nothing can swap a path while this runs."""
    for top in SHARED_WRITABLE:
        _sweep(Path(top), uid, depth=3)


def _sweep(folder: Path, uid: int, depth: int) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid == uid:
            scratch.remove(entry.path, is_dir=stat.S_ISDIR(info.st_mode))
        elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH and depth > 1:
            _sweep(Path(entry.path), uid, depth - 1)
