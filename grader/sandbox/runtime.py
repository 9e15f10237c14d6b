"""What a child process starts from: its environment, and its program's files.

Both kinds of child (cold, and forked by the warm pool's zygote) start from
the same files, copied out of ``inside/`` into a private runtime folder.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from grader import policy, registry
from grader.sandbox import isolation

# The code that runs in the child: the standard library and numpy only.
INSIDE_DIR = Path(__file__).resolve().parent / "inside"


def child_environment(home: str) -> dict[str, str]:
    """A minimal environment: nothing of the grader's (tokens, keys) leaks in."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        # One thread each: grading runs several children at once on few cores.
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }


def install_runtime(runtime: Path) -> None:
    """Copy the child's program, the wire format, its walls (walls, seccomp,
    landlock), layers.py and the exercises' provided files beside each other.

    The provided files (``pretrained.py`` and its weights) are the grader's
    copies, ahead of the submission on the child's path: a learner's own
    edited copy is never what is graded."""
    if (runtime / "child.py").exists():
        return
    (runtime / "support").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSIDE_DIR / "protocol.py", runtime / "_cnn_grader_protocol.py")
    shutil.copyfile(INSIDE_DIR / "seccomp.py", runtime / "_cnn_grader_seccomp.py")
    shutil.copyfile(INSIDE_DIR / "landlock.py", runtime / "_cnn_grader_landlock.py")
    shutil.copyfile(INSIDE_DIR / "layers.py", runtime / "support" / "layers.py")
    for provided in registry.provided_files():
        shutil.copyfile(provided, runtime / "support" / provided.name)
    shutil.copyfile(INSIDE_DIR / "zygote.py", runtime / "zygote.py")
    shutil.copyfile(INSIDE_DIR / "walls.py", runtime / "walls.py")
    shutil.copyfile(INSIDE_DIR / "child.py", runtime / "child.py")


def cold_config(config: dict, scratch: Path) -> dict:
    """A cold child's config: ``config`` and what only a fresh interpreter needs."""
    bwrap = isolation.bwrap_path() is not None
    # Its own capped tmpfs over its scratch (walls.private_tmpfs); in
    # bubblewrap, /tmp and /dev are read-only (isolation.wrap_command).
    # A learner uid cannot mount one: the grader's watcher caps it instead.
    scratch_mount = None if os.environ.get("CNN_GRADER_NO_SCRATCH_MOUNT") else {
        "targets": [str(scratch)],
        "size": policy.CHILD_TMPFS_BYTES, "inodes": policy.CHILD_TMPFS_INODES}
    # Without bubblewrap's --die-with-parent, the child watches the grader itself.
    return {**config, "scratch": scratch_mount, "parent": None if bwrap else os.getpid()}


def cold_command(python: str, runtime: Path, req_fd: int, reply_fd: int,
                 submission: Path) -> list[str]:
    """The command line of a fresh child, before isolation wraps it.

    -I: no PYTHON* variables, user site or script folder on sys.path; -B:
    write no .pyc into the submission; -u: unbuffered, so what the learner
    printed survives a kill and reaches the report. The config (which names
    the grader's protected paths) goes over the pipe, not into argv, which
    any process on the machine can read.
    """
    return [python, "-I", "-B", "-u", str(runtime / "child.py"), str(req_fd), str(reply_fd),
            str(runtime / "support"), str(submission)]
