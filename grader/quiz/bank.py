"""The quiz: a TOML question bank, validated at load, and scoring of answers.toml.

The bank is data (``quizzes/cnn.toml``); this module only checks it and
applies the scoring rules. A learner's answers file is untrusted input, read
by ``grader.answers_file`` (which ``check`` shares): it never raises, and
every problem becomes a typed ``Problem``, about the whole file or, through
``Problem.question``, on the question it costs.
"""
from __future__ import annotations

import math
import re
import stat
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader import answers_file, policy, registry, sanitize
from grader.answers_file import AnswersFile
from grader.errors import QuizBankError
from grader.model import Problem, QuestionResult, QuestionType, QuizResult, Status
from grader.paths import QUIZ_BANK
from grader.quiz.variants import Variation, for_learner, parse_variation

TYPES = ("numeric", "single", "multiple", "truefalse")
TOPICS = ("history", "convolution", "stride-padding", "parameters", "pooling",
          "feature-maps", "receptive-field", "architectures", "residual",
          "transfer-learning")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_COMMON = ("id", "topic", "type", "prompt", "points", "explanation", "answer", "exercise")
FIELDS = {"numeric": _COMMON + ("tolerance", "compute", "params", "mistakes"), "single": _COMMON + ("choices",),
          "multiple": _COMMON + ("choices",), "truefalse": _COMMON}
# Absorbs float rounding (9.8 - 9.75 is 0.05000000000000071), not a leniency.
_ROUNDING = 1e-9
_SHOWN = 120  # characters of a learner's answer echoed back in the report


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    feedback: str = ""  # the misconception this choice stands for


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    type: QuestionType
    prompt: str
    points: float
    explanation: str
    answer: Any  # float | str | tuple[str, ...] | bool, by type
    tolerance: float = 0.0
    choices: tuple[Choice, ...] = ()
    # A parameterised question: how its variants are drawn (grader/quiz/variants.py);
    # in a learner's variant, the values drawn and what each misconception gives.
    variation: Variation | None = None
    values: tuple[tuple[str, int], ...] = ()
    traps: tuple[tuple[float, str], ...] = ()
    exercise: str | None = None  # the exercise it belongs to, when it belongs to one

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


# --------------------------------------------------------------------------- the bank

def load_bank(path: Path | None = None) -> tuple[Question, ...]:
    path = Path(path) if path is not None else QUIZ_BANK
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: TOML or UTF-8
        raise QuizBankError(f"cannot read the question bank {path}: {exc}",
                            hint="check the path, and the TOML syntax at the line named") from None
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuizBankError(f"{path} has no [[questions]]",
                            hint="add each question as a [[questions]] table")
    questions = tuple(_question(entry, i) for i, entry in enumerate(raw, 1))
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuizBankError(f"question {q.id!r}: id is used twice",
                                hint="give every question its own id")
        seen.add(q.id)
    return questions


def _number(value: Any) -> bool:
    """A finite int or float (TOML allows nan and inf; bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond float range
        return False


def _question(entry: Any, index: int) -> Question:
    qid = entry.get("id") if isinstance(entry, dict) else None
    where = f"question {qid!r}" if isinstance(qid, str) else f"question #{index}"

    def bad(field: str, problem: str, hint: str) -> QuizBankError:
        return QuizBankError(f"{where}: {field} {problem}", hint=hint)

    if not isinstance(qid, str) or not SLUG.match(qid):
        raise bad("id", f"is {qid!r}, not a slug",
                  "use lower-case letters, digits and dashes, e.g. 'conv-params-5x5'")
    qtype = entry.get("type")
    if qtype not in TYPES:
        raise bad("type", f"is {qtype!r}", f"use one of {', '.join(TYPES)}")
    unknown = sorted(set(entry) - set(FIELDS[qtype]))
    if unknown:
        raise bad(unknown[0], f"is not a field of a {qtype} question",
                  f"fix the spelling or remove it; the fields are {', '.join(FIELDS[qtype])}")
    topic = entry.get("topic")
    if topic not in TOPICS:
        raise bad("topic", f"is {topic!r}", f"use one of {', '.join(TOPICS)}")
    for field in ("prompt", "explanation"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise bad(field, "is missing or empty", f"write a {field} for every question")
    exercise = entry.get("exercise")
    if exercise is not None and exercise not in registry.names():
        raise bad("exercise", f"is {exercise!r}, not an exercise",
                  f"name one of {', '.join(registry.names())}, or leave the field out")
    points = entry.get("points")
    if not _number(points) or points <= 0:
        raise bad("points", f"is {points!r}", "give every question a positive number of points")
    tolerance = entry.get("tolerance") if qtype == "numeric" else 0.0
    if not _number(tolerance) or tolerance < 0:
        raise bad("tolerance", f"is {tolerance!r}",
                  "give an absolute tolerance >= 0 (0 for an exact count)")
    choices = _choices(entry.get("choices"), bad) if "choices" in FIELDS[qtype] else ()
    variation = parse_variation(entry, bad)
    ids = [c.id for c in choices]
    answer = entry.get("answer")
    if qtype == "numeric":
        if not _number(answer):
            raise bad("answer", f"is {answer!r}", "a numeric question needs a finite number")
        answer = float(answer)
    elif qtype == "truefalse":
        if not isinstance(answer, bool):
            raise bad("answer", f"is {answer!r}", "use true or false (no quotes)")
    elif qtype == "single":
        if not isinstance(answer, str) or answer not in ids:
            raise bad("answer", f"{answer!r} is not one of the choices {ids}",
                      "name the id of the correct choice")
    else:
        if (not isinstance(answer, list) or not answer
                or not all(isinstance(a, str) and a in ids for a in answer)
                or len(set(answer)) != len(answer)):
            raise bad("answer", f"{answer!r} is not a list of distinct choice ids from {ids}",
                      "list the id of every correct choice once")
        answer = tuple(sorted(answer))
    return Question(id=qid, topic=topic, type=qtype, prompt=entry["prompt"].strip(),
                    points=float(points), explanation=entry["explanation"].strip(),
                    answer=answer, tolerance=float(tolerance), choices=choices,
                    variation=variation, exercise=exercise)


def _choices(raw: Any, bad) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise bad("choices", "needs at least two entries", "add [[questions.choices]] tables")
    out = []
    for c in raw:
        if (not isinstance(c, dict) or set(c) - {"id", "text", "feedback"}
                or not isinstance(c.get("id"), str) or not c["id"]
                or not isinstance(c.get("text"), str) or not c["text"].strip()
                or not isinstance(c.get("feedback", ""), str)):
            raise bad("choices", f"entry {c!r} is malformed",
                      "give each choice a string id and text, and optionally a string feedback")
        out.append(Choice(c["id"], c["text"].strip(), c.get("feedback", "").strip()))
    if len({c.id for c in out}) != len(out):
        raise bad("choices", "repeat an id", "give every choice its own id")
    return tuple(out)


# --------------------------------------------------------------------------- answers

def load_answers(path: Path, *, bank: tuple[Question, ...] | None = None,
                 given: str | None = None) -> AnswersFile:
    """``path`` read, its learner id and messages made safe; never raises.
    With ``bank``, as grading reads it (``grader.answers_file.inspect``, which
    ``check`` calls too): answers under ids the bank lacks, and a learner id
    that is empty or not ``given`` (the id graded), are reported as well."""
    path = Path(path)
    cap = policy.MAX_ANSWERS_BYTES
    raw: bytes | None = None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return _unread(f"{path.name} is not a regular file, so no quiz answer was read")
        with path.open("rb") as f:  # read at most cap + 1 bytes, whatever stat said
            raw = f.read(cap + 1)
    except FileNotFoundError:
        pass  # the reader says so
    except OSError as exc:
        return _unread(f"{path.name} could not be read ({exc.strerror or exc})")
    file = answers_file.read(raw) if bank is None else \
        answers_file.inspect(raw, known=[q.id for q in bank], given=given)
    learner = file.learner
    if learner is not None:  # echoed in every report and format, and seeds the inputs
        learner = sanitize.terminal(learner, limit=policy.MAX_LEARNER_ID_CHARS)
    return AnswersFile(file.answers, learner,
                       tuple(replace(p, message=sanitize.text(p.message)) for p in file.problems))


def _unread(message: str) -> AnswersFile:
    return AnswersFile({}, None, (Problem("answers", message, file=answers_file.NAME),))


def read_answers(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The learner's answers and any problems reading them; never raises."""
    file = load_answers(path)
    return file.answers, [p.message for p in file.problems]


def read_answers_file(path: Path) -> tuple[dict[str, Any], str | None, list[str]]:
    """The answers, the ``learner`` id written in the file (or None), and any
    problems reading them; never raises."""
    file = load_answers(path)
    return file.answers, file.learner, [p.message for p in file.problems]


def _clip(value: str) -> str:
    value = sanitize.text(value, limit=_SHOWN + 1)
    return value if len(value) <= _SHOWN else value[:_SHOWN - 3] + "..."


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return _clip(", ".join(_show(v) for v in value)) if value else "(nothing selected)"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    if isinstance(value, int) and abs(value) > 10 ** 30:
        return "an integer with more than 30 digits"
    return _clip(str(value))


def _describe(value: Any) -> str:
    """What the learner wrote, named by its TOML type: for type mismatch messages."""
    if isinstance(value, str):
        return f"the string {_clip(repr(value))}"
    if isinstance(value, bool):
        return f"the boolean {_show(value)}"
    if isinstance(value, (int, float)):
        return f"the number {_show(value)}"
    if isinstance(value, list):
        return f"the list [{_show(value)}]" if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__} ({_show(value)})"


def _choice_id(q: Question, given: str) -> str:
    """The choice id ``given`` names. Case and the spaces around it do not
    matter ("B " is b): the letter carries the answer, not its typing."""
    text = given.strip()
    if q.choice(text) is not None:
        return text
    same = [c.id for c in q.choices if c.id.casefold() == text.casefold()]
    return same[0] if len(same) == 1 else text


def score_question(q: Question, given: Any, note: Problem | None = None) -> QuestionResult:
    """``given`` (None: no answer) scored; ``note`` is the problem that took a
    missing answer away (a line that does not parse, a mistyped id), if any."""
    correct = _show(q.answer)
    if q.type in ("single", "multiple"):
        ids = q.answer if isinstance(q.answer, tuple) else (q.answer,)
        correct = "; ".join(f"{i}) {c.text}" for i in ids if (c := q.choice(i)) is not None)

    def result(score: float, status: Status, message: str) -> QuestionResult:
        return QuestionResult(q.id, q.prompt, q.type, score, q.points, status,
                              "" if given is None else _show(given), correct, message,
                              q.explanation)

    if given is None:
        if note is not None:
            return result(0.0, "invalid" if note.code == "answers-line" else "missing", note.message)
        return result(0.0, "missing", "no answer given")
    if q.type == "numeric":
        if isinstance(given, bool) or not isinstance(given, (int, float)) or (
                isinstance(given, float) and math.isnan(given)):
            return result(0.0, "invalid", f"expected a number, got {_describe(given)}")
        try:
            off = abs(float(given) - q.answer)
        except OverflowError:  # an int too large for a float is far off anyway
            off = math.inf
        if off <= q.tolerance + _ROUNDING * max(1.0, abs(q.answer)):
            return result(q.points, "correct", "")
        trap = "" if math.isinf(off) else next(
            (fb for value, fb in q.traps if abs(float(given) - value) <= q.tolerance), "")
        within = f" within {_show(q.tolerance)}" if q.tolerance else " exactly"
        return result(0.0, "incorrect", trap or f"this needed {correct}{within}")
    if q.type == "truefalse":
        if not isinstance(given, bool):
            return result(0.0, "invalid",
                          f"expected true or false without quotes, got {_describe(given)}")
        return result(q.points, "correct", "") if given == q.answer else result(0.0, "incorrect", "")
    options = ", ".join(c.id for c in q.choices)
    if q.type == "single":
        if not isinstance(given, str):
            return result(0.0, "invalid", f"expected one choice id in quotes ({options}), "
                          f"got {_describe(given)}")
        if _choice_id(q, given) == q.answer:
            return result(q.points, "correct", "")
        chosen = q.choice(_choice_id(q, given))
        if chosen is None:
            return result(0.0, "invalid", f"{_clip(repr(given))} is not one of the choices "
                          f"({options})")
        return result(0.0, "incorrect", chosen.feedback)
    # multiple: one point-share per right choice picked, minus one per wrong pick
    if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
        return result(0.0, "invalid", f"expected a list of choice ids such as [\"{q.choices[0].id}\"]"
                      f" ({options}), got {_describe(given)}")
    picked = {_choice_id(q, g) for g in given}
    right = picked & set(q.answer)
    wrong = picked - set(q.answer)
    share = max(0.0, (len(right) - len(wrong)) / len(q.answer))
    if share == 1.0:
        return result(q.points, "correct", "")
    notes = [c.feedback for w in sorted(wrong) if (c := q.choice(w)) is not None and c.feedback]
    unknown = sorted(w for w in wrong if q.choice(w) is None)
    if unknown:
        notes.append(_clip(f"not choices here (counted as wrong picks): {', '.join(unknown)}"))
    missed = len(q.answer) - len(right)
    if missed:
        notes.append(f"{missed} correct choice{'s' if missed > 1 else ''} missed")
    return result(round(q.points * share, 6), "partial" if share > 0 else "incorrect",
                  "; ".join(notes))


def score_quiz(bank: tuple[Question, ...], answers: dict[str, Any], *,
               learner: str = "", problems: tuple[Problem, ...] = ()) -> QuizResult:
    """Score ``learner``'s variant of every question; answers to unknown ids
    score nothing (``load_answers`` reports them). The variant is recomputed
    from the id, never taken from the file. A problem that names a question
    (``Problem.question``) says why that question has no answer."""
    notes: dict[str, Problem] = {}
    for p in problems:
        if p.question:
            notes.setdefault(p.question, p)
    results = tuple(score_question(q, answers.get(q.id), notes.get(q.id))
                    for q in for_learner(bank, learner))
    return QuizResult(score=round(sum(r.score for r in results), 6),
                      max_score=round(sum(q.points for q in bank), 6), questions=results)
