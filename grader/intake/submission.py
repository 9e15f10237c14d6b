"""Take a submission (a folder, a .zip or a notebook) into a private scratch copy.

Nothing is read from the original after intake: the child imports the copy,
and the fingerprint covers exactly the bytes that were graded. Untrusted
archives are unpacked by hand, member by member, so that no path, link or
size in them can reach outside the copy. A notebook (``.ipynb``, alone or at
the top of a folder or zip) is read by ``grader/notebook.py``: its tagged cells
become the modules and answers.toml that are copied and graded.
"""
from __future__ import annotations

import hashlib
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader import notebook, policy
from grader.errors import SubmissionError
from grader.model import Problem, ProblemCode
from grader.intake.archive import (ignored, member_name, open_zip, read_member,
                                   single_folder_prefix)
from grader.registry import submission_files


class Problems(list[Problem]):
    """Intake's notes, each with its typed code (the gradebook's flags read the codes)."""

    def add(self, code: ProblemCode, message: str) -> None:
        self.append(Problem(code, message))


@dataclass(frozen=True)
class Submission:
    name: str  # what the instructor called it (folder or zip name)
    root: Path  # the private copy
    files: tuple[str, ...]  # relative paths copied, sorted
    fingerprint: str
    problems: tuple[Problem, ...]

    def has(self, relpath: str) -> bool:
        return relpath in self.files


def take(source: Path, dest: Path) -> Submission:
    """Copy ``source`` (folder, .zip or .ipynb) into the empty folder ``dest``."""
    if not source.exists():
        raise SubmissionError(f"no such submission: {source}",
                              hint="give a folder or a .zip holding conv.py, pooling.py, ..., "
                                   "or a notebook (.ipynb)")
    problems = Problems()
    if source.is_dir():
        entries = _folder_entries(source, problems)
    elif zipfile.is_zipfile(source):
        entries = _zip_entries(source, problems)
    elif source.suffix.lower() == ".ipynb":
        entries = _notebook_entry(source, problems)
    else:
        raise SubmissionError(f"{source} is neither a folder, a .zip archive nor a notebook",
                              hint="zip the folder that holds your .py files, or pass the folder "
                                   "or your .ipynb")
    entries = _from_notebook(_unwrap_single_folder(entries), problems)
    files: list[str] = []
    total = 0
    skipped: list[str] = []
    for rel, data in sorted(entries.items(), key=lambda item: _priority(item[0])):
        if len(files) >= policy.MAX_SUBMISSION_FILES:
            skipped.append(rel)
            continue
        total += len(data)
        if total > policy.MAX_SUBMISSION_BYTES:
            problems.add("too-large", f"the submission is over {policy.MAX_SUBMISSION_BYTES} bytes; "
                            f"{rel} and later files were ignored")
            break
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files.append(rel)
    if skipped:
        named = ", ".join(skipped[:policy.MAX_NAMED_SKIPPED_FILES])
        more = len(skipped) - policy.MAX_NAMED_SKIPPED_FILES
        problems.add("too-many-files", f"more than {policy.MAX_SUBMISSION_FILES} files; these were not taken: "
                     f"{named}" + (f" and {more} more" if more > 0 else "")
                     + " (the exercise modules and answers.toml are taken first)")
    said = {p.file for p in problems if p.code == "missing-file"}  # a notebook's own words
    for required in submission_files():
        if required not in files and required not in said:
            problems.append(Problem("missing-file", f"{required} is missing", file=required))
    return Submission(source.name, dest, tuple(sorted(files)), fingerprint(dest, files),
                      tuple(problems))


def _priority(rel: str) -> tuple[int, str]:
    """The order files are taken in, so that no cap pushes out what is graded:
    the exercise modules, answers.toml and a notebook first (also inside a
    lone top folder, which is unwrapped later), then Python files the modules may
    import, then everything else, each in sorted order."""
    top = rel.partition("/")[2] if "/" in rel else rel
    graded = top in submission_files() or rel in submission_files() or (
        "/" not in top and top.lower().endswith(".ipynb"))
    return (0 if graded else 1 if rel.endswith(".py") else 2), rel


def fingerprint(root: Path, files: list[str] | tuple[str, ...]) -> str:
    """sha256 over each graded file's path and content, in sorted order."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        content = (root / rel).read_bytes()
        digest.update(f"{rel}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _folder_entries(source: Path, problems: Problems) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    budget = policy.MAX_SUBMISSION_BYTES
    paths = {path.relative_to(source).as_posix(): path for path in source.rglob("*")}
    for rel in sorted(paths, key=_priority):
        path = paths[rel]
        if ignored(rel):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            problems.add("symlink", f"{rel} is a symbolic link and was ignored")
        elif stat.S_ISREG(mode):
            size = path.stat().st_size
            if size > budget:
                problems.add("too-large", f"{rel} ({size} bytes) is too large and was ignored")
                continue
            budget -= size
            entries[rel] = path.read_bytes()
    return entries


def _notebook_entry(source: Path, problems: Problems) -> dict[str, bytes]:
    size = source.stat().st_size
    if size > policy.MAX_SUBMISSION_BYTES:
        problems.add("too-large", f"{source.name} ({size} bytes) is too large and was ignored "
                     "(clear its outputs in Jupyter and submit it again)")
        return {}
    return {source.name: source.read_bytes()}


def _from_notebook(entries: dict[str, bytes], problems: Problems) -> dict[str, bytes]:
    """Replace a top-level notebook by the files its tagged cells hold."""
    entries, notes = notebook.resolve(entries)
    problems.extend(notes)
    return entries


def _zip_entries(source: Path, problems: Problems) -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    budget = policy.MAX_SUBMISSION_BYTES
    with open_zip(source) as archive:
        for info in sorted(archive.infolist(), key=lambda i: _priority(member_name(i))):
            rel = _safe_member_name(info, problems)
            if rel is None or info.is_dir() or ignored(rel):
                continue
            if info.file_size > budget:
                problems.add("too-large", f"{rel} unpacks to {info.file_size} bytes, over what "
                                "is left of the size cap; ignored")
                continue
            data = read_member(archive, info, budget)
            if data is None:
                problems.add("too-large", f"{rel} unpacks to more than the size cap; ignored")
                continue
            budget -= len(data)
            entries[rel] = data
    return entries


def _safe_member_name(info: zipfile.ZipInfo, problems: Problems) -> str | None:
    name = member_name(info)
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (name[1:2] == ":"):
        problems.add("outside-path", f"archive entry {name!r} points outside the submission; ignored")
        return None
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.add("symlink", f"archive entry {name!r} is a symbolic link; ignored")
        return None
    return path.as_posix()  # PurePosixPath already drops "./" parts


def _unwrap_single_folder(entries: dict[str, bytes]) -> dict[str, bytes]:
    """A zip of a folder holds ``folder/conv.py``; grade it as ``conv.py``."""
    top = single_folder_prefix(entries)
    return {rel[len(top):]: data for rel, data in entries.items()} if top else entries
