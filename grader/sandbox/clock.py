"""The limits of one wait on a learner's child, and the watch on its scratch folder.

A wait ends at the first of: the request's own wall clock, its CPU budget
(where the child's cgroup counts CPU time), what is left of the exercise's
budget over all its children (the unit's manifest, or policy.py's
defaults), and, where the child could not mount its own capped tmpfs, the
grader's count of what it wrote into its scratch folder.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from grader import policy
from grader.sandbox import isolation


class Clock:
    """The limits of one wait on a child: its wall clock and CPU budget, what
    is left of the exercise's budget, and the scratch watch where there is one."""

    # How often a long call's CPU time is looked at. The count starts at the
    # first look, so a reply that comes within POLL_S (nearly all of them)
    # costs no reading of the cgroup at all.
    POLL_S = 0.1

    def __init__(self, timeout: float, cpu_budget: float | None,
                 cgroup: isolation.Cgroup | None, *, wall_left: float = float("inf"),
                 cpu_left: float = float("inf"), watch: ScratchWatch | None = None,
                 too_slow: str = "") -> None:
        self.timeout, self.cpu_budget = timeout, cpu_budget
        now = time.monotonic()
        self.deadline = now + timeout
        self.overall = now + max(0.0, wall_left)  # the exercise's budget ends here
        self.cpu_left, self.too_slow, self.watch = cpu_left, too_slow, watch
        self._cgroup = cgroup if cpu_budget is not None else None
        self._cpu_start: float | None = None

    def next_wait(self) -> float:
        left = max(0.0, min(self.deadline, self.overall) - time.monotonic())
        polled = self._cgroup is not None or self.watch is not None
        return min(left, self.POLL_S) if polled else left

    def overrun(self) -> str | None:
        """Why the wait is over (which limit was passed), or None to keep waiting."""
        now = time.monotonic()
        if now >= self.overall and self.overall < self.deadline:
            return f"was stopped: {self.too_slow}"
        if now >= self.deadline:
            return f"did not finish within {self.timeout:g} s"
        if self.watch is not None and (full := self.watch.over()) is not None:
            return full
        used = self._cgroup.cpu_seconds() if self._cgroup is not None else None
        if used is None:
            self._cgroup = None  # nothing counts CPU here: wait for the deadline
        elif used >= self.cpu_left:
            return f"was stopped: {self.too_slow}"
        elif self._cpu_start is None:
            self._cpu_start = used
        elif self.cpu_budget is not None and used - self._cpu_start >= self.cpu_budget:
            return f"used {self.cpu_budget:g} s of CPU time without finishing"
        return None


class ScratchWatch:
    """Where a child could not mount its own capped tmpfs, the grader counts its
    scratch folder's bytes and files now and then (policy.SCRATCH_WATCH_S)."""

    def __init__(self, root: Path) -> None:
        self.root, self._next = root, 0.0

    def over(self) -> str | None:
        now = time.monotonic()
        if now < self._next:
            return None
        self._next = now + policy.SCRATCH_WATCH_S
        files, size, folders = 0, 0, [self.root]
        while folders:
            try:
                entries = list(os.scandir(folders.pop()))
            except OSError:
                continue
            for entry in entries:
                files += 1
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    else:
                        # The apparent size as well as the blocks: a file system that
                        # compresses or dedups (zeros cost no blocks there) must not
                        # hide a 3 GB file, and honest code writes no files at all.
                        stat = entry.stat(follow_symlinks=False)
                        size += max(stat.st_size, stat.st_blocks * 512)
                except OSError:
                    pass
                if files > policy.CHILD_TMPFS_INODES or size > policy.CHILD_TMPFS_BYTES:
                    return (f"wrote more than {policy.CHILD_TMPFS_BYTES >> 20} MiB or "
                            f"{policy.CHILD_TMPFS_INODES} files into its scratch folder")
        return None
