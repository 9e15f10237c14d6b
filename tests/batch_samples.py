"""Small batches of learner submissions, built from solutions/, exercises/ and
the variants in grader/units/*/variants/, for the batch tests."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR

from conftest import variant  # noqa: E402


def solution_with(dest: Path, replacements: dict[str, str] | None = None) -> Path:
    """A copy of solutions/ at ``dest`` with some modules' source replaced."""
    shutil.copytree(SOLUTIONS_DIR, dest, ignore=shutil.ignore_patterns("__pycache__"))
    for rel, text in (replacements or {}).items():
        (dest / rel).write_text(text)
    return dest


def zip_folder(folder: Path, archive: Path, *, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def buggy(exercise: str, name: str) -> dict[str, str]:
    return {f"{exercise}.py": variant(exercise, name).read_text()}


def endless(exercise: str, function: str) -> dict[str, str]:
    """The solution, except that ``function`` never returns."""
    source = (SOLUTIONS_DIR / f"{exercise}.py").read_text()
    return {f"{exercise}.py": source + f"\n\ndef {function}(*args, **kwargs):\n"
                                       f"    while True:\n        pass\n"}


def shortcut() -> dict[str, str]:
    """conv.py leaning on torch, which the numpy-only exercise forbids."""
    return {"conv.py": "import torch\n" + (SOLUTIONS_DIR / "conv.py").read_text()}


def make_class(root: Path) -> Path:
    """A batch folder of six learners, one of each kind a class brings:
    full marks, untouched stubs, one bug, a forbidden shortcut (as a .zip),
    an endless loop, and an archive that is not a zip at all. One learner
    id carries markup, which every report must escape."""
    batch = root / "class"
    batch.mkdir(parents=True)
    alice = solution_with(batch / "alice") / "answers.toml"
    # Her own id, as a learner writes it; the others keep the reference's (or
    # the stubs' empty one), which the gradebook flags "learner-id".
    alice.write_text(alice.read_text().replace('learner = "reference"', 'learner = "alice"'))
    shutil.copytree(EXERCISES_DIR, batch / "bob", symlinks=True)
    solution_with(batch / "carol", buggy("conv", "bug_flipped_kernel"))
    shortcut_dir = solution_with(root / "dave-src", shortcut())
    zip_folder(shortcut_dir, batch / "dave.zip", prefix="dave/")
    solution_with(batch / "frank<b>", endless("receptive_field", "receptive_field"))
    (batch / "eve.zip").write_bytes(b"PK\x03\x04 this archive was cut short")
    return batch
