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

import json
from dataclasses import dataclass, field
from typing import Any

import nbformat

from grader import registry
from grader.model import Problem
from grader.paths import ANSWERS_FILE, EXERCISES_DIR

NOTEBOOK_FILE = "cnn-exercises.ipynb"
EXERCISE_TAG = "exercise:"
ANSWERS_TAG = "answers"
# The first line of every exercise cell: ``check`` finds the cell's latest run
# in the kernel's history by it (a cell's tags are not visible to the kernel).
MARKER = "# exercise:{name}: this cell is graded as {name}.py"
CHECK_IMPORT = "from grader.learner.notebook_check import check"


@dataclass
class Cells:
    """What a notebook holds for grading: file name -> text, and notes."""
    files: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def note(self, message: str) -> None:
        self.problems.append(Problem("notebook", message))


def marker(name: str) -> str:
    return MARKER.format(name=name)


def exercise_cell_source(name: str) -> str:
    """The exercise cell as ``init`` writes it: the marker, then the stub."""
    stub = (EXERCISES_DIR / f"{name}.py").read_text(encoding="utf-8")
    return f"{marker(name)}\n{stub}".rstrip("\n")


def untouched(rel: str, text: str) -> bool:
    """Whether the cell for ``rel`` still holds exactly what ``init`` wrote."""
    if rel == ANSWERS_FILE:
        template = EXERCISES_DIR / ANSWERS_FILE
        return template.is_file() and text.strip() == template.read_text(encoding="utf-8").strip()
    name = rel.removesuffix(".py")
    if name not in registry.names() or not (EXERCISES_DIR / rel).is_file():
        return False
    return text.strip() == exercise_cell_source(name).strip()


def strip_magics(source: str) -> tuple[str, list[int]]:
    """``source`` without IPython magic and shell-escape lines, and their numbers.

    A line counts when its first non-blank character is ``%`` or ``!`` and it
    is not a continuation (inside brackets, or after a backslash), where
    ``!= b`` or ``% n`` can be ordinary Python. Removed lines become blank, so
    that the line numbers of every message still match the cell."""
    kept: list[str] = []
    removed: list[int] = []
    depth = 0
    continued = False
    for number, line in enumerate(source.split("\n"), start=1):
        stripped = line.lstrip()
        if depth == 0 and not continued and stripped[:1] in ("%", "!") \
                and not stripped.startswith("!="):
            kept.append("")
            removed.append(number)
            continue
        kept.append(line)
        depth = max(0, depth + _bracket_change(line))
        continued = line.rstrip().endswith("\\")
    return "\n".join(kept), removed


def _bracket_change(line: str) -> int:
    """How many brackets ``line`` opens minus closes, outside strings and
    comments (a rough tokenizer: enough to tell a continuation line)."""
    change, quote, i = 0, "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch == "#":
            break
        elif ch in "'\"":
            quote = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(quote) - 1
        elif ch in "([{":
            change += 1
        elif ch in ")]}":
            change -= 1
        i += 1
    return change


def read(data: bytes, filename: str = NOTEBOOK_FILE) -> Cells:
    """The modules and answers in the notebook ``data`` (never raises)."""
    cells = Cells()
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
    raw_cells = notebook.get("cells") if isinstance(notebook, dict) else None
    for index, cell in enumerate(raw_cells if isinstance(raw_cells, list) else [], start=1):
        tags, source, kind = _cell_fields(cell)
        for tag in tags:
            if tag == ANSWERS_TAG:
                _add(cells, ANSWERS_FILE, source, f"cell {index}")
            elif tag.startswith(EXERCISE_TAG):
                name = tag[len(EXERCISE_TAG):]
                if name not in known:
                    cells.note(f"cell {index} is tagged {tag!r}, but there is no exercise "
                               f"{name!r}; the exercises are {', '.join(sorted(known))}")
                elif kind != "code":
                    cells.note(f"cell {index} is tagged {tag!r} but is a {kind} cell; "
                               "only a code cell is graded, so it was ignored")
                else:
                    clean, removed = strip_magics(source)
                    if removed:
                        cells.note(f"{name}: removed IPython magic or shell line(s) "
                                   f"{', '.join(map(str, removed))} of cell {index}; at grading "
                                   f"{name}.py is imported by plain Python, which cannot run them")
                    _add(cells, f"{name}.py", clean, f"cell {index}")
    for exercise in registry.exercises():
        if exercise.module_file not in cells.files:
            cells.problems.append(Problem(
                "missing-file", f"{exercise.module_file} is missing: no code cell of {filename} "
                f"is tagged '{EXERCISE_TAG}{exercise.name}' (in Jupyter: View, then Cell Toolbar, "
                "then Tags)"))
    return cells


def _add(cells: Cells, rel: str, source: str, where: str) -> None:
    if rel in cells.files:
        cells.note(f"two cells are tagged for {rel}; {where} was added after the first")
        cells.files[rel] += "\n\n" + source
    else:
        cells.files[rel] = source


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
        cells.append(code)
        cells.append(v4.new_code_cell(f"check({json.dumps(exercise.name)})"))
    cells.append(v4.new_markdown_cell(
        "## Quiz\n\nAnswer in the raw cell below (TOML, as in `answers.toml`)."))
    answers = v4.new_raw_cell(answers_text.rstrip("\n"))
    answers.metadata["tags"] = [ANSWERS_TAG]
    cells.append(answers)
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def dumps(notebook: nbformat.NotebookNode) -> str:
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
