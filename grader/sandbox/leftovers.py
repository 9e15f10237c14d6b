"""Remove what killed graders left behind: their scratch folders and cgroups.

Each is named with its owner's tag (``scratch.owner_tag``); only those whose
owner has ended are removed, so a grader still running keeps everything.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from grader.sandbox import isolation, scratch


@cache
def sweep() -> int:
    """Remove what killed graders left (folders, cgroups); once per process.
    Returns how many were removed."""
    removed = 0
    for path in isolation.stale_cgroups():
        isolation.remove_cgroup(path)  # kills what is left in it first
        removed += 1
    root = Path(tempfile.gettempdir())
    uid = os.getuid()
    for entry in os.scandir(root):
        try:
            ours = entry.is_dir(follow_symlinks=False) and entry.stat(
                follow_symlinks=False).st_uid == uid
        except OSError:
            continue
        if ours and scratch.owner_gone(entry.name):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed
