"""The learner's part of the command line: ``cnn-grader check``.

It lives apart from ``grader/cli/`` because a learner's released repository
(``cnn-grader release``) ships this module and the few it imports, and
nothing else of the grader: with no grading code, hidden suite or reference
in those files, the same ``cnn-grader check`` runs on a laptop, in the
project, and in GitHub Classroom's workflow. The instructor's CLI adds the
same ``check`` command to its own group.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from grader import __version__
from grader.errors import GraderError
from grader.registry import EXERCISES


def reports_errors(func):
    """Turn a GraderError into a clear message and its exit code."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GraderError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
    return wrapper


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-e", "--exercise", "exercises", multiple=True,
              type=click.Choice(EXERCISES), help="Only this exercise (repeatable).")
@reports_errors
def check(directory: Path, exercises: tuple[str, ...]) -> None:
    """Run the visible tests on your workspace DIRECTORY."""
    from grader.learner.workspace import check_workspace

    sys.exit(check_workspace(workspace=directory, exercises=exercises))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnn-grader")
def main() -> None:
    """Check your CNN exercises with the visible tests."""


main.add_command(check)


if __name__ == "__main__":
    main()
