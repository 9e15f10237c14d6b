"""The learner's notebook: written by ``init --notebook``, read by intake and ``check``.

A notebook is a submission in another wrapping. Each exercise is one code
cell tagged ``exercise:<name>`` in its ``metadata.tags``; that cell is the
module ``<name>.py``. One cell tagged ``answers`` is ``answers.toml``.
Every other cell is the learner's scratch paper and is ignored.

Reading trusts nothing in the file: nbformat parses and validates it, and
each cell's fields are checked for type before use, so that a damaged
notebook costs only what it damaged. Lines that IPython would run as a magic
(``%timeit``) or a shell escape (``!pip``) are not Python; they are removed,
with a note, because at grading the module is imported by plain Python.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from typing import Any

import nbformat

from grader import policy, registry
from grader.model import Problem
from grader.paths import ANSWERS_FILE, EXERCISES_DIR

NOTEBOOK_FILE = "cnn-exercises.ipynb"
EXERCISE_TAG = "exercise:"
ANSWERS_TAG = "answers"
# The first line of every exercise cell: ``check`` finds the cell's latest run
# in the kernel's history by it (a cell's tags are not visible to the kernel).
MARKER = "# exercise:{name}: this cell is graded as {name}.py"
# The cell metadata init writes: {"as_written": sha256 of the cell's text}.
METADATA_KEY = "cnn_grader"
CHECK_IMPORT = "from grader.learner.notebook_check import check"


@dataclass
class Cells:
    """What a notebook holds for grading: file name -> text, and notes."""
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    untouched: set[str] = field(default_factory=set)  # files whose cell is as init wrote it

    def note(self, message: str) -> None:
        self.problems.append(Problem("notebook", message))


def marker(name: str) -> str:
    return MARKER.format(name=name)


def is_marked(source: str, name: str) -> bool:
    """Whether ``source`` starts with the marker line of exercise ``name``."""
    lines = source.lstrip().splitlines()
    return bool(lines) and lines[0].startswith(f"# exercise:{name}:")


def exercise_cell_source(name: str) -> str:
    """The exercise cell as ``init`` writes it: the marker, then the stub."""
    stub = (EXERCISES_DIR / f"{name}.py").read_text(encoding="utf-8")
    return f"{marker(name)}\n{stub}".rstrip("\n")


def _digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _as_written(cell: Any, source: str) -> bool:
    """Whether a cell still holds what ``init`` wrote in it: ``init`` records
    a digest of it in the cell's metadata (so that a released repository,
    which ships no stubs, can tell too). A learner who edits the digest only
    makes the file beside the notebook count instead of the cell."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    ours = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    written = ours.get("as_written") if isinstance(ours, dict) else None
    return isinstance(written, str) and written == _digest(source)


def strip_magics(source: str) -> tuple[str, list[int]]:
    """``source`` without IPython magic and shell-escape lines, and their numbers.

    A line counts when its first non-blank character is ``%`` or ``!`` and it
    does not continue a statement (inside brackets or a triple-quoted string,
    or after a backslash), where ``!= b`` or ``% n`` can be ordinary Python.
    Removed lines become blank, so that the line numbers of every message
    still match the cell."""
    kept: list[str] = []
    removed: list[int] = []
    state = _Scan()
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.lstrip()
        if state.at_statement_start() and stripped[:1] in ("%", "!") \
                and not stripped.startswith("!="):
            kept.append("")
            removed.append(number)
            continue
        kept.append(line)
        state.feed(line)
    return "\n".join(kept), removed


@dataclass
class _Scan:
    """Just enough of Python's tokenizer to tell where a statement may start:
    open brackets, an open triple-quoted string, a trailing backslash."""
    depth: int = 0
    quote: str = ""  # an open triple quote, carried to the next line
    continued: bool = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and not self.quote and not self.continued

    def feed(self, line: str) -> None:
        i = 0
        while i < len(line):
            ch = line[i]
            if self.quote:
                if ch == "\\":
                    i += 1
                elif line.startswith(self.quote, i):
                    i += len(self.quote) - 1
                    self.quote = ""
            elif ch == "#":
                break
            elif ch in "'\"":
                self.quote = ch * 3 if line.startswith(ch * 3, i) else ch
                i += len(self.quote) - 1
            elif ch in "([{":
                self.depth += 1
            elif ch in ")]}":
                self.depth = max(0, self.depth - 1)
            i += 1
        if len(self.quote) == 1:
            self.quote = ""  # a one-line string cannot span lines (without a backslash)
        self.continued = line.rstrip().endswith("\\") and not self.quote


def read(data: bytes, filename: str = NOTEBOOK_FILE) -> Cells:
    """The modules and answers in the notebook ``data`` (never raises)."""
    cells = Cells()
    with warnings.catch_warnings():
        # nbformat warns about cells without ids (older notebooks): harmless here.
        warnings.simplefilter("ignore")
        try:
            notebook = nbformat.reads(data.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        except Exception as exc:  # nbformat raises many kinds for a damaged file
            cells.note(f"{filename} is not a notebook that can be read ({type(exc).__name__}: "
                       f"{_first_line(exc)}); nothing in it was graded. Open it in Jupyter, "
                       "save it again, and resubmit")
            return cells
        try:
            nbformat.validate(notebook)
        except Exception as exc:  # ValidationError, or a version nbformat does not know
            cells.note(f"{filename} does not follow the notebook format ({_first_line(exc)}); "
                       "its tagged cells were read anyway")
    known = set(registry.names())
    pieces: dict[str, list[str]] = {}  # file -> its cells' texts, in notebook order
    unknown: list[str] = []
    not_code: list[str] = []
    magics: dict[str, list[str]] = {}
    raw_cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for index, cell in enumerate(raw_cells if isinstance(raw_cells, list) else [], start=1):
        tags, source, kind = _cell_fields(cell)
        for tag in dict.fromkeys(tags):  # a tag given twice counts once
            if tag == ANSWERS_TAG:
                rel, text = ANSWERS_FILE, source
            elif tag.startswith(EXERCISE_TAG):
                name = tag[len(EXERCISE_TAG):]
                if name not in known:
                    unknown.append(repr(name[:40]))
                    continue
                if kind != "code":
                    not_code.append(f"cell {index} (a {kind[:20] or 'typeless'} cell)")
                    continue
                text, removed = strip_magics(source)
                magics.setdefault(name, []).extend(f"cell {index} line {n}" for n in removed)
                rel = f"{name}.py"
            else:
                continue
            if rel not in pieces and _as_written(cell, source):
                cells.untouched.add(rel)
            else:
                cells.untouched.discard(rel)
            pieces.setdefault(rel, []).append(text)
    cells.files = {rel: "\n\n".join(texts) for rel, texts in pieces.items()}
    if unknown:
        cells.note(f"cells tagged for no exercise {_some(sorted(set(unknown)))} were ignored; "
                   f"the exercises are {', '.join(sorted(known))}")
    if not_code:
        cells.note(f"{_some(not_code)} tagged for an exercise: only a code cell is graded, "
                   "so it was ignored")
    for name, lines in magics.items():
        if lines:
            cells.note(f"{name}: removed IPython magic or shell line(s) ({_some(lines)}); at "
                       f"grading {name}.py is imported by plain Python, which cannot run them")
    for rel, texts in pieces.items():
        if len(texts) > 1:
            count = "two" if len(texts) == 2 else str(len(texts))
            cells.note(f"{count} cells are tagged for {rel}; they were joined in notebook order")
    for exercise in registry.exercises():
        if exercise.module_file not in cells.files:
            cells.problems.append(Problem(
                "missing-file", f"{exercise.module_file} is missing: no code cell of {filename} "
                f"is tagged '{EXERCISE_TAG}{exercise.name}' (in Jupyter: View, then Cell Toolbar, "
                "then Tags)", file=exercise.module_file))
    return cells


def _some(items: list[str]) -> str:
    """The first few of ``items``, and how many more: a note stays a line long
    however many cells a notebook holds."""
    shown = ", ".join(items[:policy.MAX_NAMED_IN_NOTE])
    more = len(items) - policy.MAX_NAMED_IN_NOTE
    return shown + (f" and {more} more" if more > 0 else "")


def resolve(entries: dict[str, bytes]) -> tuple[dict[str, bytes], list[Problem]]:
    """A submission's files (relative path -> bytes) with its top-level notebook,
    if it has one, replaced by the files its tagged cells hold; and the notes.

    Intake and ``check`` both call this, so they agree on what is graded. A
    cell wins over a file of the same name beside the notebook, unless the cell
    is still exactly what ``init`` wrote (the learner worked in the .py file):
    fair to both ways of working in an ``init --notebook`` workspace."""
    books = sorted(rel for rel in entries if "/" not in rel and rel.lower().endswith(".ipynb"))
    if not books:
        return entries, []
    chosen = NOTEBOOK_FILE if NOTEBOOK_FILE in books else books[0]
    problems = [Problem("notebook", f"{other} was not graded: one notebook is, and it is {chosen}")
                for other in books if other != chosen]
    cells = read(entries[chosen], chosen)
    entries = {rel: data for rel, data in entries.items() if rel not in books}
    problems += [p for p in cells.problems if not (p.code == "missing-file" and p.file in entries)]
    for rel, text in cells.files.items():
        if rel in entries and rel in cells.untouched:
            body = text.split("\n", 1)[-1] if is_marked(text, rel.removesuffix(".py")) else text
            if entries[rel].decode("utf-8", "replace").strip() != body.strip():
                problems.append(Problem("notebook", f"the notebook's cell for {rel} is still as "
                                        f"init wrote it, so the {rel} beside the notebook was graded"))
            continue
        data = text.encode("utf-8")
        if rel in entries and entries[rel] != data:
            problems.append(Problem("notebook", f"{rel} beside the notebook was not graded: "
                                    "the notebook's cell was"))
        entries[rel] = data
    return entries, problems


def _cell_fields(cell: Any) -> tuple[list[str], str, str]:
    """(tags, source, cell type) of a cell, each of the right type or empty."""
    if not isinstance(cell, dict):
        return [], "", ""
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    tags = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    kind = cell.get("cell_type")
    return tags, source if isinstance(source, str) else "", kind if isinstance(kind, str) else ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def build(*, answers_text: str) -> nbformat.NotebookNode:
    """The learner's notebook: per exercise its introduction, its tagged stub
    cell and a check cell; then the answers cell."""
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell(
            "# CNN exercises\n\nWrite each exercise in its tagged cell, run the cell, then run "
            "the `check` cell below it. `check` runs the visible tests on the cell as it is now. "
            "Grading runs many more hidden tests, so a pass is a good sign, not a score.\n\n"
            "Submit this notebook as it is: each cell tagged `exercise:<name>` is graded as "
            "`<name>.py`, and the cell tagged `answers` as `answers.toml`. Lines starting with "
            "`%` or `!` are removed at grading."),
        v4.new_code_cell(CHECK_IMPORT),
    ]
    for exercise in registry.exercises():
        cells.append(v4.new_markdown_cell(f"## {exercise.title} (`{exercise.name}`)\n\n"
                                          f"{exercise.intro}"))
        code = v4.new_code_cell(exercise_cell_source(exercise.name))
        code.metadata["tags"] = [f"{EXERCISE_TAG}{exercise.name}"]
        code.metadata[METADATA_KEY] = {"as_written": _digest(code.source)}
        cells.append(code)
        cells.append(v4.new_code_cell(f"check({json.dumps(exercise.name)})"))
    cells.append(v4.new_markdown_cell(
        "## Quiz\n\nAnswer in the raw cell below (TOML, as in `answers.toml`)."))
    answers = v4.new_raw_cell(answers_text.rstrip("\n"))
    answers.metadata["tags"] = [ANSWERS_TAG]
    answers.metadata[METADATA_KEY] = {"as_written": _digest(answers.source)}
    cells.append(answers)
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def dumps(notebook: nbformat.NotebookNode) -> str:
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
