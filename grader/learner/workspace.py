"""The learner's side: make a workspace, and check it with the visible tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import click

from grader.errors import UsageError
from grader import answers_file, notebook, registry
from grader.learner.visible_run import WORKSPACE_FILES, format_text, run_visible, workspace_sources
from grader.paths import ANSWERS_FILE, EXERCISES_DIR
from grader.registry import EXERCISES


def workspace_plan() -> dict[str, Path]:
    """Destination path (relative) -> source file, for everything a learner gets."""
    plan = {e.module_file: e.stub for e in registry.exercises()}
    plan["layers.py"] = EXERCISES_DIR / "layers.py"
    for provided in registry.provided_files():  # e.g. pretrained.py and its weights
        plan[provided.name] = provided
    plan[ANSWERS_FILE] = EXERCISES_DIR / ANSWERS_FILE
    plan["README.md"] = WORKSPACE_FILES / "README.md"
    plan["pytest.ini"] = WORKSPACE_FILES / "pytest.ini"
    for exercise in registry.exercises():
        plan[f"tests/test_{exercise.name}.py"] = exercise.visible_suite
    return plan


def notebook_text() -> str:
    """The learner's notebook (grader/notebook.py builds it)."""
    answers = (EXERCISES_DIR / ANSWERS_FILE).read_text(encoding="utf-8")
    return notebook.dumps(notebook.build(answers_text=answers))


def init_workspace(*, dest: Path, with_notebook: bool = False) -> list[str]:
    """Write a fresh workspace into ``dest``; never overwrite a learner's file."""
    plan = workspace_plan()
    written = [*plan, notebook.NOTEBOOK_FILE] if with_notebook else list(plan)
    clashes = [rel for rel in written if (dest / rel).exists()]
    if clashes:
        raise UsageError(f"{dest} already holds {', '.join(clashes[:5])}",
                         hint="choose an empty folder, so none of your work is overwritten")
    for rel, source in plan.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)  # copies content, so layers.py is a real file
    if with_notebook:
        (dest / notebook.NOTEBOOK_FILE).write_text(notebook_text(), encoding="utf-8")
    return sorted(written)


def check_workspace(*, workspace: Path, exercises: tuple[str, ...] = ()) -> int:
    """Check ``workspace`` as grading would take it: its notebook's cells where
    it has one, the preflight, then the visible tests. Print what happened;
    return 0 when everything passed and nothing would score 0, else 1."""
    if not workspace.is_dir():
        raise UsageError(f"there is no folder {workspace}",
                         hint="give the folder that 'cnn-grader init DIR' made")
    unknown = [e for e in exercises if e not in EXERCISES]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}",
                         hint=f"choose from {', '.join(EXERCISES)}")
    sources = workspace_sources(workspace)
    if not any(f"{name}.py" in sources.files for name in EXERCISES):
        raise UsageError(f"{workspace} holds none of the exercise modules ({', '.join(EXERCISES)})",
                         hint="run it in a folder made by 'cnn-grader init DIR'")
    for problem in sources.problems:
        if problem.code == "notebook":
            click.echo(f"note: {problem.message}")
    runs = run_visible(sources=sources.files, exercises=list(exercises or EXERCISES))
    for run in runs:
        click.echo(format_text(run))
    zero = [reason for run in runs for reason in run.zero]
    if not exercises:  # -e NAME checks that exercise alone
        # Read as grading will read it; only grading knows the id it is done
        # for, so here an empty learner id is all that can be said of it.
        answers = answers_file.inspect(sources.files.get(ANSWERS_FILE),
                                       known=answers_file.known_ids())
        zero += [p.message for p in answers.problems if p.code == "answers"]
        for p in answers.problems:
            if p.code != "answers":
                click.echo(f"warning: {p.message}")
    if zero:
        click.echo("\nAt grading, this would score 0 on:")
        for reason in zero:
            click.echo(f"  - {reason}")
    return 0 if all(run.ok for run in runs) and not zero else 1
