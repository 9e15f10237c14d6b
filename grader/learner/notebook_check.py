"""``check("conv")`` in the learner's notebook (its first cell imports it).

It checks the exercise's cell as it was last run, not a file on disk: it
finds the newest cell in the kernel's history that starts with the
exercise's marker line (``grader.notebook.MARKER``; a cell's tags are not
visible to the kernel). A cell never run, or one whose marker was deleted,
is read from the saved notebook instead, and ``check`` says so. The tests
run in a child process, bounded in time (``grader.learner.visible_run``), so
a loop in the cell stops the check and not the kernel.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from grader import notebook, policy, registry
from grader.learner.visible_run import VisibleRun, format_text, html_picture, run_visible


def check(name: str, *, timeout_s: float = policy.CHECK_TIMEOUT_S) -> None:
    """Run the visible tests of exercise ``name`` on its cell, and print what
    happened (nothing is returned, so the cell shows only the report)."""
    exercise = registry.get(name)  # a UsageError that lists the exercises
    source, where = _cell_source(exercise.name)
    if source is None:
        print(f"{name}: there is no cell to check: run the cell that starts with "
              f"'{notebook.marker(name)}', then this one")
        return
    clean, removed = notebook.strip_magics(source)
    if where:
        print(f"{name}: {where}")
    if removed:
        print(f"{name}: line(s) {', '.join(map(str, removed))} are IPython magics or shell "
              "commands; grading removes them, so the tests ran without them")
    sources = {exercise.module_file: clean.encode("utf-8")}
    run = run_visible(sources=sources, exercises=[name], timeout_s=timeout_s)[0]
    print(format_text(run, pictures=not _in_jupyter()))
    _show_pictures(run)


def _cell_source(name: str) -> tuple[str | None, str]:
    """(the cell's source, a note on where it came from, "" for the kernel's run)."""
    for entry in reversed(_history()):
        if notebook.is_marked(entry, name):
            return entry, ""
    for path in _saved_notebooks():
        cells = notebook.read(path.read_bytes(), path.name)
        if f"{name}.py" in cells.files:
            return cells.files[f"{name}.py"], (
                f"checked the {name} cell as saved in {path.name}; run the cell first to "
                "check what you see")
    return None, ""


def _history() -> list[str]:
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    return [entry for entry in shell.history_manager.input_hist_raw if isinstance(entry, str)]


def _saved_notebooks() -> list[Path]:
    here = Path.cwd()
    preferred = here / notebook.NOTEBOOK_FILE
    return [preferred] if preferred.is_file() else sorted(here.glob("*.ipynb"))


def _show_pictures(run: VisibleRun) -> None:
    """Draw each failure's picture inline where Jupyter can show HTML."""
    if not _in_jupyter():
        return  # format_text already drew them as text
    from IPython.display import HTML, display

    for failure in run.failures:
        if failure.diff:
            display(HTML(f"<p><b>{escape(failure.test)}</b></p>" + html_picture(failure.diff)))
            break  # one picture per check; the text names the rest


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
