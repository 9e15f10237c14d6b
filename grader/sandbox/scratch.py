"""The grader's temporary folders, and the removal of those a killed grader left.

A grading copies the learner's files into a temporary folder, and a child's
cgroup lives until the grader removes it. A grader killed with SIGKILL (or
by the machine) removes neither, so every folder and cgroup is named with
its owner's tag: the PID namespace, the process id and that process's start
time. The next grader to start (``leftovers.sweep``) removes those whose owner is
gone, and nothing else: a folder of a grader still running (even one in
another PID namespace, which it cannot see) is never touched.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

_TAG = re.compile(r"cnn-grader-(?:[a-z]+-)?(\d+)\.(\d+)\.(\d+)-")


def _start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot), or None if it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    return int(stat.rpartition(b")")[2].split()[19])  # field 22 of proc(5)


def _pid_namespace() -> int:
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


@cache
def _tag_of(pid: int) -> str:
    return f"{_pid_namespace()}.{pid}.{_start_time(pid)}"


def owner_tag() -> str:
    """This process's tag: ``PIDNS.PID.STARTTIME``."""
    return _tag_of(os.getpid())


def owner_gone(name: str) -> bool:
    """Whether ``name`` carries a tag of this PID namespace whose process has ended."""
    match = _TAG.match(name)
    if match is None or int(match[1]) != _pid_namespace():
        return False
    return _start_time(int(match[2])) != int(match[3])


@contextmanager
def folder(kind: str) -> Iterator[Path]:
    """A fresh private folder under the system's temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix=f"cnn-grader-{kind}-{owner_tag()}-") as path:
        yield Path(path)


def make(kind: str) -> Path:
    """Like ``folder``, for an owner that removes it itself (the warm pool)."""
    return Path(tempfile.mkdtemp(prefix=f"cnn-grader-{kind}-{owner_tag()}-"))


def remove(path: str, *, is_dir: bool) -> None:
    """Remove one file, or one folder with all it holds; what cannot be removed
    (already gone, not ours) is left as it is."""
    if is_dir:
        shutil.rmtree(path, ignore_errors=True)
        return
    try:
        os.unlink(path)
    except OSError:
        pass


def empty(folder: Path) -> None:
    """Remove everything in ``folder``, keeping the folder itself."""
    for entry in list(os.scandir(folder)) if folder.is_dir() else []:
        remove(entry.path, is_dir=entry.is_dir(follow_symlinks=False))
