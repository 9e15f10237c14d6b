"""The ``cnn-grader`` command line: thin click commands over library functions."""
from __future__ import annotations

from pathlib import Path

import click

from grader import __version__
from grader.learner_cli import check, reports_errors


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnn-grader")
def main() -> None:
    """Exercises, hidden-test grading and a quiz for a lesson on CNNs."""


@main.command()
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result as JSON here.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML report here.")
@click.option("--learner", "learner", metavar="ID",
              help="The learner id (default: the learner line of answers.toml).")
@reports_errors
def grade(submission: Path, json_path: Path | None, html_path: Path | None,
          learner: str | None) -> None:
    """Grade SUBMISSION (a folder or a .zip) against the hidden suites."""
    from grader.grading import grade as grade_submission
    from grader.report import write_outputs

    result = grade_submission(submission=submission, learner=learner)
    write_outputs(result, json_path=json_path, html_path=html_path)
    click.echo(f"{result.submission}: {result.score:g} / {result.max_score:g}")
    for e in result.exercises:
        note = f"  ({e.message.splitlines()[0]})" if e.message else ""
        click.echo(f"  {e.name:<16} {e.score:>6g} / {e.max_score:<4g}{note}")
    click.echo(f"  {'quiz':<16} {result.quiz.score:>6g} / {result.quiz.max_score:<4g}")


# The learner's command lives in learner_cli.py, which a released repository ships.
main.add_command(check)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def init(directory: Path) -> None:
    """Create a learner's workspace in DIRECTORY."""
    from grader.workspace import init_workspace

    written = init_workspace(dest=directory)
    click.echo(f"Wrote {len(written)} files to {directory}. Start with conv.py, "
               f"then run: cnn-grader check {directory}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def release(directory: Path) -> None:
    """Write the learner-facing repository (no solutions, hidden tests or key) to DIRECTORY."""
    from grader.release import write_release

    written = write_release(dest=directory)
    click.echo(f"Wrote {len(written)} files to {directory}: push it as the template "
               f"repository of the assignment.")


@main.group()
def gradescope() -> None:
    """Gradescope's autograder: a bundle to upload."""


@gradescope.command("build")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def gradescope_build(out: Path) -> None:
    """Write the autograder bundle OUT.zip (it holds the solutions: keep it private)."""
    from grader.gradescope import build_bundle

    members = build_bundle(out=out)
    click.echo(f"Wrote {out} ({len(members)} files). Upload it as the assignment's "
               f"autograder on Gradescope.")


if __name__ == "__main__":
    main()
