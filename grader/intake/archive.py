"""Reading an untrusted .zip: member names, what is ignored, the lone top folder.

Written once for both kinds of intake: one submission (``submission.py``)
and a class's batch (``grader/batch/listing.py``), so that the two agree on
every rule.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from grader.errors import SubmissionError

# Folders that tools leave behind (macOS's archiver, Python, git); a leading
# dot hides a file or folder from grading as well.
IGNORED_PARTS = ("__pycache__", "__MACOSX", ".git")


def ignored(rel: str) -> bool:
    """Whether the path ``rel`` (with / between parts) is left out of grading."""
    return any(p in IGNORED_PARTS or p.startswith(".") for p in PurePosixPath(rel).parts)


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name with / between its parts (Windows tools write backslashes)."""
    return info.filename.replace("\\", "/")


@contextmanager
def open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """The archive at ``path``; a damaged one is a SubmissionError that names it."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise SubmissionError(f"{path} is not a readable .zip archive ({exc})",
                              hint="make the archive again with a standard zip tool") from None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes | None:
    """The member's bytes, or None when it unpacks to more than ``budget`` bytes
    (read up to one byte past it: the declared size is never trusted)."""
    with archive.open(info) as member:
        data = member.read(budget + 1)
    return None if len(data) > budget else data


def single_folder_prefix(names: Iterable[str]) -> str:
    """"folder/" when every name lies inside one top-level folder, else ""."""
    names = list(names)
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        return next(iter(tops)) + "/"
    return ""
