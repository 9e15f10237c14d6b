"""Tell a batch of submissions from one submission, and list its learners.

The rule (the same for a folder and for a .zip, after a zip of one
top-level folder is unwrapped, as intake does):

* a ``.py`` file or ``answers.toml`` at the top level: it is ONE submission;
* otherwise, subfolders or ``.zip`` files at the top level, or two or more
  notebooks (``.ipynb``): it is a BATCH, one learner per subfolder, .zip or
  notebook, the learner id being its name (without ``.zip`` or ``.ipynb``);
* a lone notebook and nothing else: ONE submission (a learner's notebook);
* otherwise (empty): one submission, which intake then reports as empty.

Hidden entries (a leading dot) and ``__MACOSX``/``__pycache__`` are ignored
everywhere. A learner in a batch .zip is staged as its own .zip file in a
scratch folder, so that ``grader.intake.submission`` applies every one of its checks
(paths, links, caps) to it exactly as to a single submission.
"""
from __future__ import annotations

import unicodedata
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from grader import policy
from grader.errors import UsageError
from grader.intake.archive import ignored, member_name, open_zip, read_member, single_folder_prefix
from grader.paths import ANSWERS_FILE


@dataclass(frozen=True)
class LearnerSource:
    learner_id: str
    path: Path  # a folder or a .zip, as intake takes it


def is_batch(path: Path) -> bool:
    """Whether ``path`` holds many learners' submissions (see the module's rule)."""
    if path.is_dir():
        names = [(p.name, p.is_dir()) for p in path.iterdir()]
    elif path.is_file() and zipfile.is_zipfile(path):
        names = _zip_top_level(path)
    else:
        return False
    names = [(n, d) for n, d in names if not ignored(n)]
    if any(not d and (n.endswith(".py") or n == ANSWERS_FILE) for n, d in names):
        return False
    notebooks = sum(1 for n, d in names if not d and _is_notebook(n))
    return notebooks > 1 or any(d or n.lower().endswith(".zip") for n, d in names)


def _is_notebook(name: str) -> bool:
    return name.lower().endswith(".ipynb")


def _is_learner_file(name: str) -> bool:
    return name.lower().endswith(".zip") or _is_notebook(name)


def list_learners(path: Path, stage: Path) -> list[LearnerSource]:
    """Every learner of the batch ``path``, sorted by id; zip members are
    staged under ``stage``. Two entries with one id are refused."""
    if path.is_dir():
        found = [LearnerSource(_learner_id(p.name, p.is_dir()), p) for p in sorted(path.iterdir())
                 if not ignored(p.name) and (p.is_dir() or _is_learner_file(p.name))]
        for source in found:
            _check_id(source.learner_id, path)
    else:
        found = _stage_zip(path, stage)
    seen: dict[str, LearnerSource] = {}
    for source in found:
        if source.learner_id in seen:
            raise UsageError(
                f"two submissions of learner {source.learner_id!r} in {path}: "
                f"{seen[source.learner_id].path.name} and {source.path.name}",
                hint="keep one of them (a folder and a .zip of the same name count as one learner)")
        seen[source.learner_id] = source
    return sorted(seen.values(), key=lambda s: s.learner_id)


def _learner_id(name: str, is_dir: bool) -> str:
    return name if is_dir else name.rsplit(".", 1)[0]


def _zip_top_level(path: Path) -> list[tuple[str, bool]]:
    """(name, is_folder) of the top level of a zip, a lone top folder unwrapped."""
    members = _zip_members(path)
    prefix = single_folder_prefix(members)
    tops: dict[str, bool] = {}
    for name in members:
        rest = name[len(prefix):]
        head, sep, _ = rest.partition("/")
        if head:
            tops[head] = tops.get(head, False) or bool(sep)
    return list(tops.items())


def _zip_members(path: Path) -> list[str]:
    with open_zip(path) as archive:
        names = [member_name(i) for i in archive.infolist()]
    return [n for n in names if n and not ignored(n)]


def _stage_zip(path: Path, stage: Path) -> list[LearnerSource]:
    """Write each learner of a batch .zip to ``stage/<n>/<id>.zip``: an inner
    .zip as it is, a folder packed into a new .zip with the same names.

    The members are grouped by learner first and each learner's zip is then
    written in one pass: reopening it in append mode for every member costs
    a read of its whole central directory each time, which made a folder of
    4,000 files take minutes (quadratic) to stage."""
    groups: dict[str, tuple[bool, list[tuple[zipfile.ZipInfo, str]]]] = {}
    with open_zip(path) as archive:
        members = [(i, member_name(i)) for i in archive.infolist()]
        members = [(i, n) for i, n in members if not ignored(n)]
        prefix = single_folder_prefix([n for _, n in members])
        suffixes: dict[str, str] = {}
        for info, name in members:
            head, sep, inner = name[len(prefix):].partition("/")
            from_folder = bool(sep)
            if not head or (not from_folder and not _is_learner_file(head)):
                continue  # a stray file beside the learners' submissions
            learner = _learner_id(head, from_folder)
            _check_id(learner, path)
            was_folder, entries = groups.setdefault(learner, (from_folder, []))
            suffixes.setdefault(learner, "zip" if from_folder else head.rsplit(".", 1)[1].lower())
            if was_folder != from_folder or (not from_folder and entries):
                raise UsageError(f"two submissions of learner {learner!r} in {path}",
                                 hint="keep either the folder or the .zip of that learner")
            if info.is_dir() or not inner and from_folder:
                continue
            entries.append((info, inner))
        return [LearnerSource(learner, _stage_one(archive, stage / str(n), learner, *group,
                                                  suffix=suffixes[learner]))
                for n, (learner, group) in enumerate(groups.items())]


def _stage_one(archive: zipfile.ZipFile, folder: Path, learner: str, from_folder: bool,
               entries: list[tuple[zipfile.ZipInfo, str]], *, suffix: str) -> Path:
    """One learner's staged .zip (or notebook), written once; members over the
    size cap are left out (intake then reports what is missing)."""
    folder.mkdir(parents=True)
    target = folder / f"{learner}.{suffix}"
    budget = policy.MAX_SUBMISSION_BYTES
    with ExitStack() as stack:
        packed = stack.enter_context(zipfile.ZipFile(target, "w")) if from_folder else None
        for info, inner in entries:
            data = read_member(archive, info, budget)
            if data is None:
                budget = 0
                continue
            budget -= len(data)
            if packed is not None:
                packed.writestr(inner, data)
            else:
                target.write_bytes(data)
        if packed is None and not target.exists():
            target.write_bytes(b"")  # an inner .zip over the cap: intake refuses it by name
    return target


def _check_id(learner: str, path: Path) -> None:
    """Refuse only the names no learner can have and no file can be named after:
    any other Unicode name is an id (U+200F and its kin come with Hebrew and
    Arabic names); wherever an id is shown, it is escaped there."""
    reason = unusable_id(learner)
    if reason:
        raise UsageError(f"{ascii(learner)} in {path} cannot be a learner id: {reason}",
                         hint="rename that learner's folder or .zip: a name of at most "
                              f"{policy.MAX_LEARNER_ID_BYTES} bytes of UTF-8, not starting "
                              "with a dot, without slashes or control characters")


def unusable_id(learner: str) -> str:
    """Why ``learner`` cannot be an id (it names files in OUT/learners/), or ""."""
    if not learner:
        return "it is empty"
    if learner.startswith("."):
        return "it starts with a dot"
    if "/" in learner or "\\" in learner:
        return "it holds a path separator"
    try:
        size = len(learner.encode("utf-8"))
    except UnicodeEncodeError:
        return "it is not valid Unicode (a folder name in another encoding)"
    if size > policy.MAX_LEARNER_ID_BYTES:
        return f"it is {size} bytes long in UTF-8"
    if any(unicodedata.category(c) == "Cc" for c in learner):
        return "it holds a control character"
    return ""
