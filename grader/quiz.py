"""The quiz: a TOML question bank, validated at load, and scoring of answers.toml.

The bank is data (``quizzes/cnn.toml``); this module only checks it and
applies the scoring rules. A learner's answers file is untrusted input:
it is size-capped, decoded strictly and never raises; every problem becomes
a message on the question it affects.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader import policy
from grader.errors import QuizBankError

QuestionType = Literal["numeric", "single", "multiple", "truefalse"]
Status = Literal["correct", "partial", "incorrect", "missing", "invalid"]
TYPES = ("numeric", "single", "multiple", "truefalse")
TOPICS = ("history", "convolution", "stride-padding", "parameters", "pooling",
          "feature-maps", "receptive-field", "architectures", "residual",
          "transfer-learning")


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

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class QuestionResult:
    id: str
    prompt: str
    type: QuestionType
    score: float
    max_score: float
    status: Status
    given: str  # the learner's answer as shown; "" when missing
    correct: str
    message: str  # why it scored what it did
    explanation: str


@dataclass(frozen=True)
class QuizResult:
    score: float
    max_score: float
    questions: tuple[QuestionResult, ...]


# --------------------------------------------------------------------------- the bank

def load_bank(path: Path) -> tuple[Question, ...]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise QuizBankError(f"cannot read the question bank {path}: {exc}",
                            hint="check the TOML syntax at the line named") from None
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuizBankError(f"{path} has no [[questions]]",
                            hint="add questions as [[questions]] tables")
    questions = tuple(_question(entry, i) for i, entry in enumerate(raw, 1))
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise QuizBankError(f"question id {q.id!r} is used twice",
                                hint="give every question its own id")
        seen.add(q.id)
    return questions


def _question(entry: Any, index: int) -> Question:
    qid = entry.get("id") if isinstance(entry, dict) else None
    where = f"question {qid!r}" if isinstance(qid, str) else f"question #{index}"

    def bad(field: str, problem: str, hint: str) -> QuizBankError:
        return QuizBankError(f"{where}: {field} {problem}", hint=hint)

    if not isinstance(entry, dict) or not isinstance(qid, str) or not qid:
        raise bad("id", "is missing", "give each question a short unique id")
    qtype = entry.get("type")
    if qtype not in TYPES:
        raise bad("type", f"is {qtype!r}", f"use one of {', '.join(TYPES)}")
    topic = entry.get("topic")
    if topic not in TOPICS:
        raise bad("topic", f"is {topic!r}", f"use one of {', '.join(TOPICS)}")
    for field in ("prompt", "explanation"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            raise bad(field, "is missing or empty", f"write a {field} for every question")
    points = entry.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise bad("points", f"is {points!r}", "use a positive number")
    tolerance = entry.get("tolerance", 0.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
        raise bad("tolerance", f"is {tolerance!r}", "use a number >= 0")
    choices = _choices(entry.get("choices", []), bad) if qtype in ("single", "multiple") else ()
    answer = entry.get("answer")
    ids = {c.id for c in choices}
    if qtype == "numeric":
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            raise bad("answer", f"is {answer!r}", "a numeric question needs a number")
        answer = float(answer)
    elif qtype == "truefalse":
        if not isinstance(answer, bool):
            raise bad("answer", f"is {answer!r}", "use true or false")
    elif qtype == "single":
        if answer not in ids:
            raise bad("answer", f"{answer!r} is not one of the choices", "name a choice id")
    else:
        if not isinstance(answer, list) or not answer or not set(answer) <= ids:
            raise bad("answer", f"{answer!r} must be a non-empty list of choice ids",
                      "list the ids of every correct choice")
        answer = tuple(sorted(set(answer)))
    return Question(id=qid, topic=topic, type=qtype, prompt=entry["prompt"].strip(),
                    points=float(points), explanation=entry["explanation"].strip(),
                    answer=answer, tolerance=float(tolerance), choices=choices)


def _choices(raw: Any, bad) -> tuple[Choice, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise bad("choices", "need at least two entries", "add [[questions.choices]] tables")
    out = []
    for c in raw:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or not isinstance(
                c.get("text"), str):
            raise bad("choices", f"entry {c!r} lacks an id or text", "give each choice both")
        out.append(Choice(c["id"], c["text"], str(c.get("feedback", ""))))
    if len({c.id for c in out}) != len(out):
        raise bad("choices", "repeat an id", "give every choice its own id")
    return tuple(out)


# --------------------------------------------------------------------------- answers

def read_answers(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The learner's answers and any problems reading them; never raises."""
    path = Path(path)
    try:
        if path.stat().st_size > policy.MAX_ANSWERS_BYTES:
            return {}, [f"{path.name} is larger than {policy.MAX_ANSWERS_BYTES} bytes; "
                        "no quiz answer was read"]
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return {}, [f"{path.name} was not found, so the quiz scores 0"]
    except UnicodeDecodeError:
        return {}, [f"{path.name} is not UTF-8 text; save it as UTF-8"]
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path.name} is not valid TOML ({exc}); no quiz answer was read"]
    except OSError as exc:
        return {}, [f"{path.name} could not be read ({exc.strerror})"]
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        return {}, [f"{path.name}: 'answers' must be a table ([answers])"]
    return answers, []


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value)


def score_question(q: Question, given: Any) -> QuestionResult:
    correct = _show(q.answer)
    if q.type in ("single", "multiple"):
        ids = q.answer if isinstance(q.answer, tuple) else (q.answer,)
        correct = "; ".join(f"{i}) {q.choice(i).text}" for i in ids)

    def result(score: float, status: Status, message: str) -> QuestionResult:
        return QuestionResult(q.id, q.prompt, q.type, score, q.points, status,
                              "" if given is None else _show(given), correct, message,
                              q.explanation)

    if given is None:
        return result(0.0, "missing", "no answer given")
    if q.type == "numeric":
        if isinstance(given, bool) or not isinstance(given, (int, float)) or not math.isfinite(given):
            return result(0.0, "invalid", f"expected a number, got {given!r}")
        if abs(given - q.answer) <= q.tolerance:
            return result(q.points, "correct", "")
        return result(0.0, "incorrect", "")
    if q.type == "truefalse":
        if not isinstance(given, bool):
            return result(0.0, "invalid", f"expected true or false, got {given!r}")
        return result(q.points, "correct", "") if given == q.answer else result(0.0, "incorrect", "")
    if q.type == "single":
        if not isinstance(given, str):
            return result(0.0, "invalid", f"expected one choice id as a string, got {given!r}")
        if given == q.answer:
            return result(q.points, "correct", "")
        chosen = q.choice(given)
        if chosen is None:
            return result(0.0, "invalid", f"{given!r} is not one of the choices "
                          f"({', '.join(c.id for c in q.choices)})")
        return result(0.0, "incorrect", chosen.feedback)
    # multiple: one point-share per right choice picked, minus one per wrong pick
    if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
        return result(0.0, "invalid", f"expected a list of choice ids, got {given!r}")
    picked = set(given)
    right = picked & set(q.answer)
    wrong = picked - set(q.answer)
    share = max(0.0, (len(right) - len(wrong)) / len(q.answer))
    feedback = "; ".join(q.choice(w).feedback for w in sorted(wrong)
                         if q.choice(w) and q.choice(w).feedback)
    unknown = sorted(w for w in wrong if q.choice(w) is None)
    if unknown:
        feedback = "; ".join(filter(None, [feedback, f"unknown choices: {', '.join(unknown)}"]))
    if share == 1.0:
        return result(q.points, "correct", "")
    missed = len(q.answer) - len(right)
    note = f"{missed} correct choice(s) missed" if missed else ""
    return result(round(q.points * share, 6), "partial" if share > 0 else "incorrect",
                  "; ".join(filter(None, [feedback, note])))


def score_quiz(bank: tuple[Question, ...], answers: dict[str, Any]) -> QuizResult:
    results = tuple(score_question(q, answers.get(q.id)) for q in bank)
    return QuizResult(score=round(sum(r.score for r in results), 6),
                      max_score=round(sum(q.points for q in bank), 6), questions=results)
