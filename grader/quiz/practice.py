"""Interactive practice: ``cnn-grader quiz`` asks the questions one by one.

Each answer gets feedback at once: what the answer gets wrong, the right
answer and the explanation. After a wrong answer to a parameterised
question the learner may try a fresh variant, with new numbers, until the
idea sits. A summary ends the session, and the questions missed at the
first try are kept in a small JSON state file so that the next session can
ask only those.

Practice never shows a learner's graded variant: its variants come from
attempt numbers above 0, and each session moves on to new ones. Input is
read with click.prompt, so it works in a terminal and from a pipe alike; the
end of the input ends the session with a summary of what was answered.
"""
from __future__ import annotations

import collections
import json
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from grader.errors import UsageError
from grader.model import QuestionResult
from grader.quiz.bank import TOPICS, Question, load_bank, score_question
from grader.quiz.variants import variant

STATE_ENV = "CNN_GRADER_QUIZ_STATE"
# Variants a session can use before the next session's begin.
_ATTEMPTS_PER_SESSION = 1000
_QUIT = {"q", "quit", "exit"}


@dataclass(frozen=True)
class PracticeSummary:
    asked: int
    right_first_time: int
    missed: tuple[str, ...]  # ids answered wrong at the first try
    skipped: tuple[str, ...]
    finished: bool  # False when the learner quit or the input ended early
    state_path: Path


def default_state_path() -> Path:
    if os.environ.get(STATE_ENV):
        return Path(os.environ[STATE_ENV])
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "cnn-grader" / "quiz-practice.json"


def read_state(path: Path) -> dict[str, Any]:
    """The saved state; a missing or unreadable file is a fresh start."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"sessions": 0, "missed": []}
    missed = data.get("missed") if isinstance(data, dict) else None
    sessions = data.get("sessions") if isinstance(data, dict) else None
    return {"sessions": sessions if isinstance(sessions, int) and sessions >= 0 else 0,
            "missed": [m for m in missed if isinstance(m, str)] if isinstance(missed, list) else []}


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def parse_answer(q: Question, text: str) -> Any:
    """What the learner typed, as the value answers.toml would hold; None if unreadable."""
    text = text.strip()
    if q.type == "numeric":
        try:
            return float(text.replace(",", "").replace("_", ""))
        except ValueError:
            return None
    if q.type == "truefalse":
        return {"true": True, "t": True, "yes": True, "y": True,
                "false": False, "f": False, "no": False, "n": False}.get(text.lower())
    ids = {c.id.lower(): c.id for c in q.choices}
    picked = [ids.get(part.lower()) for part in re.split(r"[,\s]+", text.strip("[]")) if part]
    if not picked or None in picked:
        return None
    return picked[0] if q.type == "single" and len(picked) == 1 else (
        picked if q.type == "multiple" else None)


def _how(q: Question) -> str:
    ids = ", ".join(c.id for c in q.choices)
    return {"numeric": "a number", "truefalse": "true or false", "single": f"one of {ids}",
            "multiple": f"every right one of {ids}, separated by commas"}[q.type]


def _show(q: Question, number: int, total: int) -> None:
    click.echo(f"\nQuestion {number} of {total}  [{q.topic}, {q.points:g} point(s)]")
    click.echo(textwrap.fill(q.prompt, 78))
    for c in q.choices:
        click.echo(textwrap.fill(f"{c.id}) {c.text}", 78, initial_indent="  ",
                                 subsequent_indent=" " * (len(c.id) + 4)))


def _ask(q: Question) -> Any:
    """The learner's answer; "" to skip; raises click.Abort at the end of input or on quit."""
    while True:
        text = click.prompt(f"Your answer ({_how(q)}; Enter skips, q quits)", default="",
                            show_default=False)
        if text.strip().lower() in _QUIT:
            raise click.Abort()
        if not text.strip():
            return ""
        value = parse_answer(q, text)
        if value is not None:
            return value
        click.echo(f"Could not read {text.strip()!r} as {_how(q)}; try again.")


def _feedback(r: QuestionResult) -> None:
    if r.status == "correct":
        click.secho("Correct.", fg="green")
    else:
        head = "Partly right" if r.status == "partial" else "Not quite"
        click.secho(f"{head}: {r.message}" if r.message else f"{head}.", fg="yellow")
        click.echo(f"The answer: {r.correct}")
    click.echo(textwrap.fill(f"Why: {r.explanation}", 78))


def select_questions(bank: tuple[Question, ...], *, topics: tuple[str, ...],
                     missed: list[str] | None) -> list[Question]:
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise UsageError(f"no topic named {unknown[0]!r}", hint=f"use one of {', '.join(TOPICS)}")
    chosen = [q for q in bank if not topics or q.topic in topics]
    if missed is not None:
        if not missed:
            raise UsageError("no missed questions are recorded",
                             hint="run cnn-grader quiz without --missed first")
        chosen = [q for q in chosen if q.id in set(missed)]
    if not chosen:
        raise UsageError("no question matches these options", hint="choose other topics")
    return chosen


def practise(*, learner: str = "", topics: tuple[str, ...] = (), missed_only: bool = False,
             state_path: Path | None = None, bank_path: Path | None = None) -> PracticeSummary:
    """Run one practice session on the terminal (or stdin) and save what was missed."""
    state_path = state_path or default_state_path()
    state = read_state(state_path)
    questions = select_questions(load_bank(bank_path), topics=topics,
                                 missed=state["missed"] if missed_only else None)
    first_attempt = 1 + state["sessions"] * _ATTEMPTS_PER_SESSION
    results: dict[str, QuestionResult] = {}
    skipped: list[str] = []
    finished = True
    try:
        for number, base in enumerate(questions, 1):
            attempt = first_attempt
            q = variant(base, learner, attempt)
            _show(q, number, len(questions))
            given = _ask(q)
            if given == "":
                skipped.append(q.id)
                continue
            results[q.id] = r = score_question(q, given)
            _feedback(r)
            while (r.status != "correct" and base.variation is not None and attempt - first_attempt
                   < _ATTEMPTS_PER_SESSION - 1
                   and click.confirm("Try the same question with new numbers?", default=False)):
                attempt += 1
                q = variant(base, learner, attempt)
                _show(q, number, len(questions))
                given = _ask(q)
                if given == "":
                    break
                r = score_question(q, given)
                _feedback(r)
    except click.Abort:
        finished = False
        click.echo("")
    missed_now = [qid for qid, r in results.items() if r.status != "correct"]
    # A missed-only session keeps what it did not reach on the list.
    unreached = [m for m in state["missed"] if m not in results] if missed_only else []
    _write_state(state_path, {"sessions": state["sessions"] + 1,
                              "missed": missed_now + [m for m in unreached if m not in missed_now]})
    summary = PracticeSummary(len(results), len(results) - len(missed_now), tuple(missed_now),
                              tuple(skipped), finished, state_path)
    _summarise(summary, questions, results)
    return summary


def _summarise(s: PracticeSummary, questions: list[Question],
               results: dict[str, QuestionResult]) -> None:
    click.echo(f"\nSummary: {s.right_first_time} of {s.asked} answered right at the first try"
               + ("" if s.finished else f" (stopped after {s.asked + len(s.skipped)} of "
                  f"{len(questions)} questions)") + ".")
    by_topic: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    topic_of = {q.id: q.topic for q in questions}
    for qid, r in results.items():
        by_topic[topic_of[qid]][0] += r.status == "correct"
        by_topic[topic_of[qid]][1] += 1
    for topic, (right, asked) in by_topic.items():
        click.echo(f"  {topic:<18} {right} / {asked}")
    if s.skipped:
        click.echo(f"Skipped: {', '.join(s.skipped)}")
    if s.missed:
        click.echo(f"To practise: {', '.join(s.missed)}  (cnn-grader quiz --missed)")
