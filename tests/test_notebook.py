"""Notebook mode (grader/notebook.py): the notebook init writes, how intake and
check read it, and a real Jupyter kernel running it (nbclient, ipykernel)."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from grader import notebook, preflight, registry
from grader.batch.listing import is_batch, list_learners
from grader.cli import main
from grader.intake.submission import take
from grader.learner.workspace import check_workspace
from grader.paths import ANSWERS_FILE, EXERCISES_DIR, PACKAGE_DIR, SOLUTIONS_DIR
from grader.registry import EXERCISES
from grader.scoring.grading import grade


def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    result = CliRunner().invoke(main, ["init", str(ws), "--notebook"])
    assert result.exit_code == 0, result.output
    return ws


def load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def tagged(nb: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if tag in c.metadata.get("tags", [])]


def fill(nb: nbformat.NotebookNode, bodies: dict[str, str]) -> nbformat.NotebookNode:
    """Put each exercise's body (default: its reference solution) in its cell,
    under the marker line, as a learner would, and the key in the answers cell."""
    for name in EXERCISES:
        cell, = tagged(nb, f"exercise:{name}")
        body = bodies.get(name, (SOLUTIONS_DIR / f"{name}.py").read_text())
        cell.source = f"{notebook.marker(name)}\n{body}"
    answers, = tagged(nb, "answers")
    answers.source = (SOLUTIONS_DIR / ANSWERS_FILE).read_text()
    return nb


def solved_notebook(tmp_path: Path, bodies: dict[str, str] | None = None) -> Path:
    path = tmp_path / "solved.ipynb"
    nb = fill(load(workspace(tmp_path) / notebook.NOTEBOOK_FILE), bodies or {})
    path.write_text(notebook.dumps(nb))
    return path


# --- what init --notebook writes (the contract) ------------------------------------

def test_init_notebook_holds_each_exercise_its_check_and_the_answers(tmp_path):
    ws = workspace(tmp_path)
    nb = load(ws / notebook.NOTEBOOK_FILE)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == "from grader.learner.notebook_check import check"
    for exercise in registry.exercises():
        cell, = tagged(nb, f"exercise:{exercise.name}")
        assert cell.cell_type == "code"
        assert cell.source == f"{notebook.marker(exercise.name)}\n" + exercise.stub.read_text().rstrip("\n")
        at = nb.cells.index(cell)
        intro = nb.cells[at - 1]
        assert intro.cell_type == "markdown" and exercise.intro and exercise.intro in intro.source
        assert nb.cells[at + 1].cell_type == "code"
        assert nb.cells[at + 1].source == f'check("{exercise.name}")'
    answers, = tagged(nb, "answers")
    assert answers.cell_type == "raw"
    assert answers.source == (EXERCISES_DIR / ANSWERS_FILE).read_text().rstrip("\n")


def test_every_unit_has_a_notebook_introduction():
    for exercise in registry.exercises():
        assert len(exercise.intro) > 200, f"{exercise.name}'s manifest needs an intro"


# --- reading a notebook --------------------------------------------------------------

@pytest.mark.parametrize("source, kept, removed", [
    ("%timeit f()\nx = 1", "\nx = 1", [1]),
    ("!pip install torch\n  !ls", "\n", [1, 2]),
    ("%%time\ny = 2", "\ny = 2", [1]),
    ("x = (1\n  != 2)", "x = (1\n  != 2)", []),  # a continuation, not a shell escape
    ("z = 3 \\\n % 2", "z = 3 \\\n % 2", []),
    ('s = """\n% of the pixels\n"""', 's = """\n% of the pixels\n"""', []),  # inside a string
    ("if a != b:\n    pass", "if a != b:\n    pass", []),
])
def test_magics_and_shell_escapes_are_removed_and_nothing_else(source, kept, removed):
    assert notebook.strip_magics(source) == (kept, removed)


def cells_of(*cells: dict, extra: dict | None = None) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.from_dict(c) for c in cells]
    return json.dumps({**nb, **(extra or {})}).encode()


def code_cell(source: str, *tags: str, kind: str = "code") -> dict:
    cell = {"cell_type": kind, "metadata": {"tags": list(tags)}, "source": source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def test_untagged_cells_are_ignored_and_a_missing_tag_says_which():
    cells = notebook.read(cells_of(code_cell("def conv2d(): ...", "exercise:conv"),
                                   code_cell("print('scratch')")))
    assert cells.files == {"conv.py": "def conv2d(): ..."}
    missing = [p.message for p in cells.problems if p.code == "missing-file"]
    assert len(missing) == len(EXERCISES) - 1
    assert any("pooling.py is missing" in m and "'exercise:pooling'" in m for m in missing)


def test_an_unreadable_notebook_is_a_clear_problem_and_no_files():
    for data in (b"{not json", b"\xff\xfe", b'{"cells": 3}'):
        cells = notebook.read(data, "mine.ipynb")
        assert cells.files == {}
        assert any(p.code == "notebook" and "mine.ipynb" in p.message for p in cells.problems)


def test_odd_tags_and_cells_are_noted_and_the_rest_still_read():
    data = cells_of(code_cell("x = 1", "exercise:nope"),
                    code_cell("# notes", "exercise:pooling", kind="markdown"),
                    code_cell("a = 1", "exercise:conv"), code_cell("b = 2", "exercise:conv"),
                    code_cell('learner = "ann"', "answers", kind="raw"),
                    extra={"metadata": {"kernelspec": "not an object"}})
    cells = notebook.read(data)
    assert cells.files == {"conv.py": "a = 1\n\nb = 2", ANSWERS_FILE: 'learner = "ann"'}
    notes = " | ".join(p.message for p in cells.problems if p.code == "notebook")
    assert "no exercise 'nope'" in notes and "markdown cell" in notes
    assert "two cells are tagged for conv.py" in notes and "notebook format" in notes


# --- intake: alone, in a folder or zip, in a batch -----------------------------------

def test_a_notebook_alone_in_a_zip_and_in_a_folder_is_the_submission(tmp_path):
    solved = solved_notebook(tmp_path)
    zipped = tmp_path / "sub.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(solved, "mine/cnn-exercises.ipynb")
    for n, source in enumerate([solved, zipped]):
        sub = take(source, tmp_path / f"copy{n}")
        assert set(sub.files) == {f"{e}.py" for e in EXERCISES} | {ANSWERS_FILE}
        assert (sub.root / "conv.py").read_text() == \
            f"{notebook.marker('conv')}\n{(SOLUTIONS_DIR / 'conv.py').read_text()}"
        assert not sub.problems


def test_beside_py_files_a_cell_wins_unless_it_is_still_the_stub(tmp_path):
    ws = workspace(tmp_path)  # every cell as init wrote it, every .py a stub
    (ws / "conv.py").write_text((SOLUTIONS_DIR / "conv.py").read_text())  # worked in the file
    nb = load(ws / notebook.NOTEBOOK_FILE)
    cell, = tagged(nb, "exercise:pooling")
    cell.source = f"{notebook.marker('pooling')}\n{(SOLUTIONS_DIR / 'pooling.py').read_text()}"
    (ws / notebook.NOTEBOOK_FILE).write_text(notebook.dumps(nb))  # and in the notebook
    sub = take(ws, tmp_path / "copy")
    assert (sub.root / "conv.py").read_text() == (SOLUTIONS_DIR / "conv.py").read_text()
    assert (sub.root / "pooling.py").read_text().endswith((SOLUTIONS_DIR / "pooling.py").read_text())
    notes = " | ".join(p.message for p in sub.problems)
    assert "cell for conv.py is still as init wrote it" in notes
    assert "pooling.py beside the notebook was not graded" in notes
    assert not [p for p in sub.problems if "params" in p.message]  # both untouched: nothing to say


def test_a_folder_of_notebooks_is_a_batch_of_learners(tmp_path):
    solved = solved_notebook(tmp_path)
    batch = tmp_path / "batch"
    batch.mkdir()
    for learner in ("ann", "bob"):
        (batch / f"{learner}.ipynb").write_bytes(solved.read_bytes())
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "cnn-exercises.ipynb").write_bytes(solved.read_bytes())
    assert is_batch(batch) and not is_batch(tmp_path / "one")
    assert [s.learner_id for s in list_learners(batch, tmp_path / "stage")] == ["ann", "bob"]
    zipped = tmp_path / "batch.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(solved, "class/ann.ipynb")
        archive.write(solved, "class/bob.ipynb")
    staged = list_learners(zipped, tmp_path / "stage2")
    assert [(s.learner_id, s.path.suffix) for s in staged] == [("ann", ".ipynb"), ("bob", ".ipynb")]
    assert take(staged[0].path, tmp_path / "copy").has("conv.py")


def with_torch(source: str) -> str:
    """``source`` with an import of torch, the shortcut a numpy-only exercise forbids."""
    future = "from __future__ import annotations\n"
    assert future in source
    return source.replace(future, future + "import torch\n", 1)


# --- preflight: one rule for grading and check -------------------------------------

def test_an_import_under_the_main_guard_is_not_a_shortcut():
    forbidden = registry.get("conv").forbidden
    guarded = 'import numpy as np\nif __name__ == "__main__":\n    import torch\nelse:\n    import scipy\n'
    assert [f.module for f in preflight.forbidden_imports(guarded, forbidden)] == ["scipy"]
    assert preflight.forbidden_imports("if '__main__' == __name__:\n    import torch\n", forbidden) == []
    assert [f.line for f in preflight.forbidden_imports("def f():\n    import torch\n", forbidden)] == [2]


def test_check_reads_the_notebook_cells_and_says_what_would_score_zero(tmp_path, capsys):
    ws = workspace(tmp_path)
    nb = load(ws / notebook.NOTEBOOK_FILE)
    fill(nb, {"pooling": with_torch((SOLUTIONS_DIR / "pooling.py").read_text())})
    (ws / notebook.NOTEBOOK_FILE).write_text(notebook.dumps(nb))
    assert check_workspace(workspace=ws, exercises=("params",)) == 0  # the cell, not the stub params.py
    assert "params: 6 of 6 visible tests passed" in capsys.readouterr().out
    assert check_workspace(workspace=ws, exercises=("pooling",)) == 1
    out = capsys.readouterr().out
    assert "At grading, this would score 0 on:" in out and "pooling.py uses torch" in out


# --- a real kernel -------------------------------------------------------------------

def execute(path: Path, cwd: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = load(path)
    NotebookClient(nb, timeout=240, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    path.write_text(nbformat.writes(nb))
    return nb


def check_output(nb: nbformat.NotebookNode, name: str) -> tuple[str, list[str]]:
    """The text a check cell printed, and the MIME types of what it displayed."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(f'check("{name}"'))
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    shown = [mime for o in cell.outputs if o.output_type == "display_data" for mime in o.data]
    errors = [o.ename for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"check({name!r}) raised {errors}"
    return text, shown


@pytest.mark.slow
def test_the_solved_notebook_checks_clean_in_a_kernel_and_grades_full_marks(tmp_path, solutions_result):
    solved = solved_notebook(tmp_path)
    nb = execute(solved, solved.parent / "ws")
    for name in EXERCISES:
        text, _ = check_output(nb, name)
        total = text.split(" of ")[0].rsplit(" ", 1)[-1]
        assert f"{name}: {total} of {total} visible tests passed" in text, text
        assert "hidden tests" in text
    result = grade(submission=solved)
    assert result.score == result.max_score == solutions_result.max_score


@pytest.mark.slow
def test_a_broken_cell_loses_only_its_exercise_and_check_says_so_first(tmp_path, solutions_result):
    solution = {name: (SOLUTIONS_DIR / f"{name}.py").read_text() for name in EXERCISES}
    bodies = {
        "conv": with_torch(solution["conv"]),
        "pooling": solution["pooling"] + "\ndef oops(:\n    pass\n",
        "params": solution["params"] + "\n\ndef linear_params(i, o, bias=True):\n    while True:\n        pass\n",
        "im2col": (PACKAGE_DIR / "units/im2col/variants/bug_positions_column_major.py").read_text(),
        "receptive_field": "%time x = 1\n" + solution["receptive_field"],
    }
    path = solved_notebook(tmp_path, bodies)
    nb = load(path)
    loop_check = next(c for c in nb.cells if c.source == 'check("params")')
    loop_check.source = 'check("params", timeout_s=8)'  # the bound itself, without a minute's wait
    path.write_text(nbformat.writes(nb))
    nb = execute(path, path.parent / "ws")

    conv, _ = check_output(nb, "conv")
    assert "at grading, this would score 0" in conv and "uses torch" in conv
    pooling, _ = check_output(nb, "pooling")
    assert "would score 0" in pooling and "does not compile (line" in pooling
    params, _ = check_output(nb, "params")
    assert "did not finish within 8 s" in params and "loop" in params
    im2col, shown = check_output(nb, "im2col")
    assert "FAILED" in im2col and "text/html" in shown  # the difference, drawn inline
    assert "X marks" not in im2col  # in Jupyter the picture is HTML, not text
    receptive, _ = check_output(nb, "receptive_field")
    assert "magics" in receptive and "8 of 8 visible tests passed" in receptive

    result = grade(submission=path)
    full = {e.name: e.max_score for e in solutions_result.exercises}
    scores = {e.name: e.score for e in result.exercises}
    assert scores["conv"] == scores["pooling"] == 0
    assert 0 < scores["params"] < full["params"] and 0 < scores["im2col"] < full["im2col"]
    for name in ("receptive_field", "residual", "backward"):
        assert scores[name] == full[name], name
    assert any(p.code == "notebook" and "receptive_field" in p.message for p in result.problems)


@pytest.mark.slow
def test_a_batch_of_notebooks_grades_each_learner(tmp_path, solutions_result):
    solved = solved_notebook(tmp_path)
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ann.ipynb").write_bytes(solved.read_bytes())
    (batch / "bob.ipynb").write_bytes((workspace(tmp_path / "b") / notebook.NOTEBOOK_FILE).read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade", str(batch), "--out", str(out), "--jobs", "2",
                                       "--no-similarity"])
    assert result.exit_code == 0, result.output
    rows = {r["learner_id"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text()))}
    # (The quiz's numbers are drawn per learner id, so only the exercises are the reference's.)
    for exercise in solutions_result.exercises:
        if exercise.name != "quiz":
            assert rows["ann"][exercise.name] == f"{exercise.max_score:g}", exercise.name
    assert rows["bob"]["total"] == "0"  # the untouched notebook: every stub


def test_check_reports_an_unreadable_answers_file_with_its_line(tmp_path, capsys):
    ws = tmp_path / "ws"
    assert CliRunner().invoke(main, ["init", str(ws)]).exit_code == 0
    for name in EXERCISES:
        (ws / f"{name}.py").write_text((SOLUTIONS_DIR / f"{name}.py").read_text())
    (ws / ANSWERS_FILE).write_text('learner = "ann"\nq = b\n')
    assert check_workspace(workspace=ws) == 1
    out = capsys.readouterr().out
    # The line is named; with no [answers] table above it, the whole quiz is lost.
    assert "warning: answers.toml line 2 ('q = b') cannot be read" in out
    assert "no [answers] table" in out.split("At grading, this would score 0 on:")[1]


def test_a_batch_zip_with_an_empty_learner_folder_beside_notebooks_is_listed(tmp_path):
    solved = solved_notebook(tmp_path)
    zipped = tmp_path / "batch.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("class/ann/", "")  # a folder entry and nothing in it
        archive.write(solved, "class/bob.ipynb")
    staged = list_learners(zipped, tmp_path / "stage")
    assert [(s.learner_id, s.path.suffix) for s in staged] == [("ann", ".zip"), ("bob", ".ipynb")]


def test_notes_on_a_notebook_stay_short_however_many_cells_it_has():
    many = [code_cell(f"x{i} = 1", "exercise:conv") for i in range(300)]
    many += [code_cell("%time y = 1", "exercise:pooling") for _ in range(300)]
    many += [code_cell("z = 1", f"exercise:nope{i}") for i in range(300)]
    cells = notebook.read(cells_of(*many))
    notes = [p.message for p in cells.problems if p.code == "notebook"]
    assert len(notes) == 4 and all(len(n) < 400 for n in notes), notes
    assert "300 cells are tagged for conv.py" in " ".join(notes)
    assert cells.files["conv.py"].count("\n\n") == 299
