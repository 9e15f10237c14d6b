"""The ``cnn-grader`` command line: thin click commands over library functions."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import __version__
from grader.learner.cli import check, reports_errors


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
@click.option("--gradescope", "gradescope_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write Gradescope's results.json here.")
@click.option("--prairielearn", "prairielearn_path",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also write PrairieLearn's external-grader results.json here.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the tests as JUnit XML here (for CI systems).")
@click.option("--secret", "secret_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The course secret behind each learner's hidden inputs (default: the file "
                   "$CNN_GRADER_SECRET_FILE names; without either: self-check mode).")
@click.option("--sign-key", "sign_key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Sign the JSON result with the key in this file (default: the file "
                   "$CNN_GRADER_SIGN_KEY_FILE names).")
@click.option("--only", "only", multiple=True, metavar="EXERCISE::TEST",
              help="Run just this hidden test (repeatable), e.g. to replay a failure; an "
                   "exercise named alone (--only conv) runs all of its tests and no others. "
                   "A batch takes exercises only (the quiz is always graded).")
@click.option("--reveal/--no-reveal", default=True,
              help="Show the quiz's correct answers and explanations in what learners see (the "
                   "HTML report, --gradescope, --prairielearn, --junit); hide them before a "
                   "deadline. The --json result always keeps them, for the instructor.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              help="Batch: write the per-learner reports, gradebook.csv and class.html here.")
@click.option("--jobs", "jobs", type=click.IntRange(min=1), metavar="N",
              help="Batch: learners graded in parallel (default: the core count).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Batch: grade on the Dask cluster whose scheduler is at ADDRESS.")
@click.option("--similarity/--no-similarity", default=True,
              help="Batch: compare every pair of learners' code, exercise by exercise, into "
                   "similarity.csv and class.html, for a person to review (default: on).")
@click.option("--for-credit", is_flag=True,
              help="Grade for credit even without --secret or --sign-key (the Gradescope "
                   "bundle passes it): refuse where learner code cannot be isolated.")
@click.option("--insecure", is_flag=True,
              help="Grade for credit even where learner code cannot be isolated from the "
                   "grader; every result and report then says so. Never signs.")
@reports_errors
def grade(submission: Path, json_path: Path | None, html_path: Path | None,
          learner: str | None, out: Path | None = None, jobs: int | None = None,
          dask_address: str | None = None, reveal: bool = True,
          gradescope_path: Path | None = None, prairielearn_path: Path | None = None,
          junit_path: Path | None = None, secret_file: Path | None = None,
          sign_key_file: Path | None = None, only: tuple[str, ...] = (),
          similarity: bool = True, for_credit: bool = False,
          insecure: bool = False) -> None:
    """Grade SUBMISSION (a folder, a .zip or a notebook .ipynb) against the hidden suites.

    SUBMISSION may also be a batch: a folder or .zip holding one subfolder,
    .zip or notebook per learner (and no .py file of its own); then give --out.
    """
    from grader.batch.listing import is_batch

    if out is not None or jobs is not None or dask_address is not None or is_batch(submission):
        _grade_batch(submission, out=out, jobs=jobs, dask_address=dask_address,
                     secret_file=secret_file, sign_key_file=sign_key_file, reveal=reveal,
                     similarity=similarity, for_credit=for_credit, insecure=insecure,
                     only=only,
                     single_only={"--json": json_path, "--html": html_path, "--learner": learner,
                                  "--gradescope": gradescope_path, "--junit": junit_path,
                                  "--prairielearn": prairielearn_path})
        return
    import time

    from grader.report.formats import write_formats
    from grader.scoring.grading import grade as grade_submission
    from grader.report.html import write_outputs
    from grader.errors import UsageError
    from grader.model import QUIZ_PROBLEMS
    from grader.sanitize import terminal
    from grader.scoring.signing import load_sign_key

    if sign_key_file is not None and json_path is None:
        raise UsageError("--sign-key signs the JSON result, and no --json was given",
                         hint="add --json RESULT.json")
    sign_key = load_sign_key(sign_key_file)  # a bad key file fails before the grading
    started = time.monotonic()
    result = grade_submission(submission=submission, learner=learner, secret_file=secret_file,
                              only=only, for_credit=for_credit, signing=sign_key is not None,
                              insecure=insecure)
    _banner(result.isolation_warning)
    result = write_outputs(result, json_path=json_path, html_path=html_path, reveal=reveal,
                           sign_key=sign_key)
    write_formats(result, gradescope=gradescope_path, prairielearn=prairielearn_path,
                  junit=junit_path, execution_time=time.monotonic() - started, reveal=reveal)
    # Learner text on the instructor's terminal: control characters are
    # replaced, so no message can move the cursor or paint a fake score.
    click.echo(terminal(f"{result.submission}: {result.score:g} / {result.max_score:g}"))
    for e in result.exercises:
        note = f"  ({terminal(e.message.splitlines()[0], limit=200)})" if e.message else ""
        click.echo(f"  {e.name:<16} {e.score:>6g} / {e.max_score:<4g}{note}")
    click.echo(f"  {'quiz':<16} {result.quiz.score:>6g} / {result.quiz.max_score:<4g}")
    for p in result.problems:  # what answers.toml cost, which the quiz's score alone hides
        if p.code in QUIZ_PROBLEMS:
            click.echo(f"    {terminal(p.message, limit=400)}")
    for t in result.tests if only else ():
        seed = "fixed inputs" if t.seed is None else f"seed {t.seed}"
        output = "\n    ".join(terminal(line) for line in t.output.splitlines())
        click.echo(f"  {t.exercise}::{t.name}: {t.status} ({seed}, {result.seeding})"
                   + (f"\n    {output}" if t.output else ""))


def _banner(warning: str) -> None:
    """One line on stderr where nothing walled the learner's code off."""
    from grader.scoring.credit import SELF_CHECK_BANNER
    if warning:
        click.echo(warning if warning.startswith("INSECURE") else SELF_CHECK_BANNER, err=True)


def _grade_batch(submission: Path, *, out: Path | None, jobs: int | None,
                 dask_address: str | None, secret_file: Path | None,
                 sign_key_file: Path | None, reveal: bool, for_credit: bool, insecure: bool,
                 single_only: dict[str, object], similarity: bool = True,
                 only: tuple[str, ...] = ()) -> None:
    from grader.batch.run import grade_class
    from grader.errors import UsageError
    from grader.scoring.signing import load_sign_key

    if out is None:
        raise UsageError(f"{submission} is a batch of submissions: say where its reports go",
                         hint=f"cnn-grader grade {submission} --out DIR")
    given = [name for name, value in single_only.items() if value is not None]
    if given:
        raise UsageError(f"{', '.join(given)} grade(s) a single submission, not a batch",
                         hint="a batch writes OUT/learners/ID.json and .html; drop the option")
    tests = [name for name in only if "::" in name]
    if tests:
        raise UsageError(f"--only {tests[0]} names one test; a batch grades whole exercises",
                         hint=f"--only {tests[0].split('::')[0]}, or replay the test on that "
                              "learner's own submission")
    try:
        c = grade_class(submissions=submission, out=out, jobs=jobs, dask_address=dask_address,
                        secret_file=secret_file, sign_key=load_sign_key(sign_key_file),
                        reveal=reveal, similarity=similarity, for_credit=for_credit,
                        insecure=insecure, exercises=only or None)
    except KeyboardInterrupt:
        click.echo(f"Stopped. What was graded is in {out}; run the same command again "
                   f"to grade the rest.", err=True)
        sys.exit(130)
    from grader.sanitize import terminal

    def named(count: int, ids: tuple[str, ...]) -> str:
        # Learner ids are folder names: control characters stripped for the terminal.
        return f"{count}" + (f" ({', '.join(terminal(i) for i in ids)})" if ids else "")

    click.echo(f"{c.learners} learner{'' if c.learners == 1 else 's'}: {c.graded} graded, "
               f"{c.reused} already graded, {named(c.unreadable, c.unreadable_ids)} unreadable, "
               f"{named(c.errors, c.error_ids)} failed (graded again next run).")
    click.echo(f"Gradebook: {c.gradebook}\nClass report: {c.class_report}")
    if similarity:
        click.echo(f"Similarity review: {out / 'similarity.csv'} (the pairs worth a look "
                   f"are in class.html)")

    _banner(c.isolation_warning)


@main.command("export")
@click.argument("graded", metavar="GRADED_DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(["canvas", "moodle"]),
              help="The LMS whose gradebook import reads the file.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="CSV mapping learner ids to the LMS's: a learner_id column, then for Canvas "
                   "any of Student, ID, SIS User ID, SIS Login ID, Section; for Moodle any of "
                   "First name, Last name, ID number, Username, Email address.")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="Where to write the CSV.")
@reports_errors
def export(graded: Path, fmt: str, roster: Path | None, out: Path) -> None:
    """Write GRADED_DIR's grades (a batch's --out folder) as a CSV the LMS imports.

    One column per exercise, the quiz and the total. Canvas: the header and
    "Points Possible" row of the Instructor Guide's "How do I import grades in
    the Gradebook?" (community.canvaslms.com, Instructor Guide), as canvas-lms's
    GradebookImporter reads them. Moodle: MoodleDocs "Grade import"
    (docs.moodle.org/en/Grade_import), CSV; on import, identify users by the
    identifier column and map each grade column to a grade item.
    """
    from grader.platforms.grade_export import export_grades

    e = export_grades(graded=graded, fmt=fmt, out=out, roster=roster)
    click.echo(f"Wrote {e.path}: {e.learners} learners for {e.format}, identified by "
               f"{e.identifier!r}.")
    if not e.roster_used:
        click.echo(f"No roster: learner id used as {e.identifier!r}. Give --roster FILE to map "
                   f"learner ids to the LMS's.", err=True)
    for learner in e.not_graded:
        click.echo(f"In the roster but not graded (empty grades): {learner}", err=True)
    for learner in e.not_in_roster:
        click.echo(f"Graded but not in the roster (left out of the file): {learner}", err=True)
    for learner in e.ungraded:
        click.echo(f"Could not be graded (empty grades; see learners/{learner}.json): {learner}",
                   err=True)
    if e.format == "moodle":
        click.echo("Moodle takes each grade's maximum from its grade item: create the items "
                   "first, out of " + ", ".join(f"{t} {p:g}" for t, p in e.points.items()) + ".")


@main.command()
@click.argument("result", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sign-key", "sign_key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The key the result was signed with (default: the file "
                   "$CNN_GRADER_SIGN_KEY_FILE names).")
@click.option("--submission", type=click.Path(path_type=Path),
              help="Also check that RESULT is the grading of this submission (its fingerprint).")
@click.option("--learner", metavar="ID", help="Also check that RESULT is this learner's.")
@reports_errors
def verify(result: Path, sign_key_file: Path | None, submission: Path | None,
           learner: str | None) -> None:
    """Say whether RESULT (a signed JSON result) is genuine: exit 0 if so, 1 if not."""
    from grader.scoring.signing import verify_file

    v = verify_file(result=result, key_file=sign_key_file, submission=submission, learner=learner)
    click.echo(f"{result}: {'' if v.genuine else 'NOT GENUINE: '}{v.reason}", err=not v.genuine)
    sys.exit(0 if v.genuine else 1)


# The learner's command lives in learner/cli.py, which a released repository ships.
main.add_command(check)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--notebook", "with_notebook", is_flag=True,
              help="Also write cnn-exercises.ipynb: every exercise in a tagged cell with a "
                   "check() cell after it, for learners who work in Jupyter.")
@reports_errors
def init(directory: Path, with_notebook: bool = False) -> None:
    """Create a learner's workspace in DIRECTORY."""
    from grader.learner.workspace import init_workspace

    written = init_workspace(dest=directory, with_notebook=with_notebook)
    start = "cnn-exercises.ipynb in Jupyter" if with_notebook else "conv.py"
    click.echo(f"Wrote {len(written)} files to {directory}. Start with {start}, "
               f"then run: cnn-grader check {directory}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def release(directory: Path) -> None:
    """Write the learner-facing repository (no solutions, hidden tests or key) to DIRECTORY."""
    from grader.platforms.classroom import write_release

    written = write_release(dest=directory)
    click.echo(f"Wrote {len(written)} files to {directory}: push it as the template "
               f"repository of the assignment.")


@main.group()
def gradescope() -> None:
    """Gradescope's autograder: a bundle to upload."""


@gradescope.command("build")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--secret", "secret_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Put the course secret in this file into the bundle, so that Gradescope "
                   "grades in course mode (without it: self-check mode).")
@click.option("--reveal/--no-reveal", default=True,
              help="Show the quiz's correct answers in learners' results on Gradescope "
                   "(build with --no-reveal before the deadline, again without it after).")
@reports_errors
def gradescope_build(out: Path, secret_file: Path | None, reveal: bool) -> None:
    """Write the autograder bundle OUT.zip (it holds the solutions: keep it private)."""
    from grader.platforms.gradescope_bundle import build_bundle

    b = build_bundle(out=out, secret_file=secret_file, reveal=reveal)
    click.echo(f"Wrote {out} ({len(b.members)} files). Upload it as the assignment's "
               f"autograder on Gradescope.")
    if b.seeding == "course":
        click.echo(f"It grades in course mode, with the course secret from {secret_file}.")
    else:
        click.echo("Warning: no --secret, so it grades in self-check mode: anyone with the "
                   "grader can compute the hidden inputs. Fine for a trial run; for marks "
                   "that count, build it again with --secret FILE.", err=True)
    click.echo("Learners' results show the quiz's correct answers and explanations."
               if b.reveal else "Learners' results hide the quiz's correct answers and "
               "explanations (--no-reveal); after the deadline, build and upload it again "
               "without --no-reveal.")


@gradescope.command("learner-id")
@click.argument("metadata", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def gradescope_learner_id(metadata: Path) -> None:
    """Print the learner id to grade as, from Gradescope's submission_metadata.json."""
    from grader.platforms.gradescope_bundle import learner_from_metadata

    who = learner_from_metadata(metadata)
    if len(who.users) > 1:
        click.echo(f"Group submission of {', '.join(who.users)}: graded as {who.id}, the "
                   f"first of them in sorted order.", err=True)
    click.echo(who.id)



@main.group(invoke_without_command=True)
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Only questions on TOPIC (repeatable); see cnn-grader quiz validate.")
@click.option("--missed", is_flag=True, help="Only the questions missed last time.")
@click.option("--learner", default="", metavar="ID", help="Whose numbers to practise with.")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The practice state file (default: ~/.local/state/cnn-grader/"
                   "quiz-practice.json, or $CNN_GRADER_QUIZ_STATE).")
@click.pass_context
@reports_errors
def quiz(ctx: click.Context, topics: tuple[str, ...], missed: bool, learner: str,
         state_path: Path | None) -> None:
    """Practise the quiz interactively (run alone), or show, export or validate it."""
    if ctx.invoked_subcommand is None:
        from grader.quiz.practice import practise

        practise(learner=learner, topics=topics, missed_only=missed, state_path=state_path)


@quiz.command("show")
@click.option("--learner", required=True, metavar="ID", help="The learner whose variant to print.")
@reports_errors
def quiz_show(learner: str) -> None:
    """Print LEARNER's variant of the quiz, as an answers.toml to fill in."""
    from grader.quiz.sheet import learner_sheet

    click.echo(learner_sheet(learner=learner), nl=False)


@quiz.command("export")
@click.option("--format", "fmt", required=True,
              type=click.Choice(["moodle-xml", "gift", "qti"]), help="The platform's format.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: cnn-quiz.xml, cnn-quiz.gift.txt or cnn-quiz.zip).")
@click.option("--variants", default=None, type=int,
              help="Fixed variants per parameterised question.")
@reports_errors
def quiz_export(fmt: str, out: Path | None, variants: int | None) -> None:
    """Export the quiz for Moodle (XML or GIFT) or Canvas (QTI 1.2 zip)."""
    from grader import policy
    from grader.platforms.lms_export import SUFFIX, export_quiz

    s = export_quiz(fmt=fmt, out=out or Path(f"cnn-quiz{SUFFIX[fmt]}"),
                    variants=policy.QUIZ_EXPORT_VARIANTS if variants is None else variants)
    click.echo(f"Wrote {s.path}: {s.items} items from {s.questions} questions ({s.format}).")


@quiz.command("validate")
@reports_errors
def quiz_validate() -> None:
    """Check the question bank, recomputing every variant with the reference solutions."""
    from grader.quiz.validate import validate_bank

    r = validate_bank()
    click.echo(f"The bank is valid: {r.questions} questions, {r.parameterised} parameterised, "
               f"{r.variants_checked} variants recomputed for {r.learners} sampled learners.")

if __name__ == "__main__":
    main()
