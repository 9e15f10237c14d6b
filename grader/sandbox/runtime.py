"""What a child process starts from: its environment, and its program's files.

Both kinds of child (cold, and forked by the warm pool's zygote) start from
the same files, copied out of ``inside/`` into a private runtime folder.
"""
from __future__ import annotations

import shutil
from pathlib import Path

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
    """Copy the child's program, the wire format and layers.py beside each other."""
    if (runtime / "child.py").exists():
        return
    (runtime / "support").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSIDE_DIR / "protocol.py", runtime / "_cnn_grader_protocol.py")
    shutil.copyfile(INSIDE_DIR / "layers.py", runtime / "support" / "layers.py")
    shutil.copyfile(INSIDE_DIR / "zygote.py", runtime / "zygote.py")
    shutil.copyfile(INSIDE_DIR / "child.py", runtime / "child.py")
