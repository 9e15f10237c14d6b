"""A learner's answers.toml, read the one way that grading and ``check`` share.

The file is hand-edited and untrusted, so reading it never raises, and a
slip costs as little as it can. A file that tomllib parses is taken whole.
One that does not is read again statement by statement, each parsed alone
in the table it sits in, so a malformed line loses only the question it
answers (a problem coded "answers-line" that names the line, its text and
what to write instead) and every other answer is still scored. Only what
leaves nothing to read at all (no file, not UTF-8, too large, no [answers]
table) costs the whole quiz: code "answers".

Nothing here knows the question bank. Grading passes the bank's ids and
``check`` those of the handed-out template (``known_ids``), so a released
repository, which holds no bank, names mistyped ids exactly as grading will.
"""
from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Collection

from grader import policy
from grader.model import Problem, ProblemCode
from grader.paths import ANSWERS_FILE, EXERCISES_DIR, PACKAGE_DIR

NAME = ANSWERS_FILE
# Where ``known_ids`` finds the handed-out template: in the project, exercises/;
# a released repository has no exercises/ folder, so the release puts a copy
# inside its grader/ (the learner's own answers.toml is theirs to edit).
TEMPLATE = EXERCISES_DIR / ANSWERS_FILE
RELEASED_TEMPLATE = PACKAGE_DIR / "answers_template.toml"
# A value continued over several lines (a list of choices, one per line) is
# a few lines long; the bound keeps a file of unclosed brackets linear to read.
_CONTINUATION_LINES = 20
# Named one by one; past this many, one more problem counts the rest (a file
# of thousands of stray keys should not bury the first few in the report).
_NAMED = 10
_SHOWN = 80  # characters of a learner's line echoed in a message
# A line that starts a statement of its own (a header, or a key then "=" or a
# dot; ":" too, the slip of a learner used to YAML), not a value's continuation.
_STATEMENT = re.compile(r"""\s*(\[|(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')\s*[.=:])""")
_KEY = re.compile(r"""\s*("[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_.-]+)\s*[=:]?\s*(.*)""")
_TEMPLATE_LINE = re.compile(r"^# ([a-z0-9]+(?:-[a-z0-9]+)*) = $", re.M)
_AT = re.compile(r"\s*\(at (?:line \d+, column \d+|end of document)\)$")


@dataclass(frozen=True)
class AnswersFile:
    answers: dict[str, Any]  # question id -> the value written, as TOML gave it
    learner: str | None  # the learner line, when it is a string (not yet made safe)
    problems: tuple[Problem, ...] = ()

    @property
    def lost(self) -> bool:
        """Nothing could be read, so every question scores 0."""
        return any(p.code == "answers" for p in self.problems)


def inspect(raw: bytes | None, *, known: Collection[str] | None,
            given: str | None = None) -> AnswersFile:
    """``raw`` (None: no file) read, with every problem grading would report:
    the file's or its lines' own, answers under ids not in ``known`` (None:
    not checked), and the learner id against ``given``, the id the grading
    is done for (None: none given, as in ``check``)."""
    file = read(raw)
    problems = [*file.problems, *learner_problems(file, given)]
    if known is not None:
        problems += unknown_ids(file.answers, known)
    return AnswersFile(file.answers, file.learner, tuple(problems))


def read(raw: bytes | None) -> AnswersFile:
    """The answers and learner line of ``raw``, and what could not be read."""
    if raw is None:
        return _lost(f"{NAME} was not found, so the quiz scores 0; "
                     "copy exercises/answers.toml and fill it in")
    cap = policy.MAX_ANSWERS_BYTES
    if len(raw) > cap:
        return _lost(f"{NAME} is larger than {cap // 1024} KiB, so no quiz answer was read; "
                     "it should hold one short line per question")
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some editors write
    except UnicodeDecodeError as exc:
        return _lost(f"{NAME} is not UTF-8 text (bad byte at offset {exc.start}); "
                     "save it with UTF-8 encoding")
    problems: list[Problem] = []
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError):  # ValueError: TOML, or an int of over 4300 digits
        data, problems = _by_statement(text)
    if "learner" in data and not isinstance(data["learner"], str):
        problems.append(Problem("learner-id", f"{NAME}: learner should be a string in quotes, "
                                f"such as learner = \"ann\", not {_kind(data['learner'])}", file=NAME))
    learner = data["learner"] if isinstance(data.get("learner"), str) else None
    answers = data.get("answers")
    if answers is None:
        near = difflib.get_close_matches("answers", [k for k in data if isinstance(data[k], dict)], 1)
        where = f" (there is a [{near[0]}] table: rename it [answers])" if near else \
            "; put your answers below an [answers] line"
        return AnswersFile({}, learner, (*problems, _lost_problem(
            f"{NAME} has no [answers] table, so no quiz answer was read{where}")))
    if not isinstance(answers, dict):
        return AnswersFile({}, learner, (*problems, _lost_problem(
            f"{NAME}: 'answers' must be a table ([answers]), not {_kind(answers)}")))
    return AnswersFile(answers, learner, tuple(problems))


def _lost_problem(message: str) -> Problem:
    return Problem("answers", message, file=NAME)


def _lost(message: str) -> AnswersFile:
    return AnswersFile({}, None, (_lost_problem(message),))


# --------------------------------------------------------------------------- the fallback

def _by_statement(text: str) -> tuple[dict[str, Any], list[Problem]]:
    """What can be read of a file tomllib refuses: each statement (a line, or
    a value continued over the lines after it) parsed alone, in its table."""
    data: dict[str, Any] = {}
    first_line: dict[tuple[str, ...], int] = {}  # where each key was set, for duplicates
    problems: list[Problem] = []
    table: tuple[str, ...] | None = ()  # None: under a [[table]], which holds no answers
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
        elif stripped.startswith("["):
            parsed, _, reason = _first_parse(lines, i, i + 1)
            table = _header(parsed, stripped)
            if parsed is None:
                problems.append(_bad_line(i + 1, stripped, reason, table or ()))
            if table:
                _table(data, table)  # an [answers] whose every line is bad is still there
            i += 1
        else:
            end = i + 1  # the continuation: the lines after it that start no statement
            while end < len(lines) and end - i < _CONTINUATION_LINES and not _STATEMENT.match(lines[end]):
                end += 1
            parsed, size, reason = _first_parse(lines, i, end)
            if parsed is None:
                problems.append(_bad_line(i + 1, stripped, reason, table or ()))
                # An unclosed list takes its continuation lines down with it;
                # any other bad line is that line alone.
                i = end if stripped.count("[") > stripped.count("]") else i + 1
                continue
            if table is not None:
                problems += _merge(data, table, parsed, i + 1, first_line)
            i += size
    return data, problems


def _first_parse(lines: list[str], start: int, end: int) -> tuple[dict[str, Any] | None, int, str]:
    """The shortest run of lines from ``start`` (up to ``end``) that parses,
    its length, and else why the first line alone does not."""
    reason = ""
    for stop in range(start + 1, end + 1):
        try:
            return tomllib.loads("\n".join(lines[start:stop])), stop - start, ""
        except (ValueError, RecursionError) as exc:
            if stop == start + 1:
                reason = (_AT.sub("", str(exc)).lower() if isinstance(exc, tomllib.TOMLDecodeError)
                          else "it nests too deeply" if isinstance(exc, RecursionError)
                          else "a number of thousands of digits")  # int()'s digit limit
    return None, 0, reason


def _header(parsed: dict[str, Any] | None, line: str) -> tuple[str, ...] | None:
    """The table a header line opens; for one that does not parse, the table
    it was most likely meant to open (``[answers`` opens answers)."""
    if parsed is None:
        name = re.match(r"\[+\s*([A-Za-z0-9_.-]*)", line)
        return tuple(name.group(1).split(".")) if name and name.group(1) else ()
    path: list[str] = []
    node: Any = parsed
    while isinstance(node, dict) and len(node) == 1:
        key, node = next(iter(node.items()))
        path.append(key)
    return tuple(path) if isinstance(node, dict) else None  # a list: [[an array of tables]]


def _table(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | tuple[str, ...]:
    """The table at ``path`` in ``data``, made where missing; where a value
    stands in its way, the path of that value."""
    node = data
    for k, key in enumerate(path):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            return path[:k + 1]
        node = child
    return node


def _merge(data: dict[str, Any], table: tuple[str, ...], parsed: dict[str, Any], line: int,
           first_line: dict[tuple[str, ...], int]) -> list[Problem]:
    """Set each value of ``parsed`` under ``table``. A key set twice keeps
    neither value, so its question is not scored on a guess of which was meant."""
    problems = []
    for path, value in _leaves(parsed, table):
        node = _table(data, path[:-1])
        clash = node if isinstance(node, tuple) else path
        if clash == path and path not in first_line:
            assert isinstance(node, dict)
            first_line[path] = line
            node[path[-1]] = value
            continue
        if isinstance(node, dict):
            node.pop(path[-1], None)
        question = _question(clash)
        what = f"question {question}" if question else _clip(".".join(clash))
        problems.append(Problem(
            "answers-line", f"{NAME} line {line} sets {_clip('.'.join(clash))} a second time "
            f"(first on line {first_line.get(clash, line)}), so {what} scores 0: keep the one "
            "answer you mean and delete the other line", file=NAME, question=question))
    return problems


def _leaves(parsed: dict[str, Any], prefix: tuple[str, ...]):
    """Each (key path, value) of ``parsed``; an answer is a leaf even when
    it is a table (``q = {}``), while a table opened by a dotted key is walked."""
    for key, value in parsed.items():
        path = (*prefix, key)
        if isinstance(value, dict) and value and not _question(path):
            yield from _leaves(value, path)
        else:
            yield path, value


def _question(path: tuple[str, ...]) -> str:
    """The question id a key path answers (answers, then one key), or ""."""
    return path[1] if len(path) == 2 and path[0] == "answers" else ""


def _bad_line(number: int, text: str, reason: str, table: tuple[str, ...]) -> Problem:
    shown = f"{NAME} line {number} ({_clip(text)!r}) cannot be read"
    why = f" ({reason})" if reason else ""
    if text.startswith("["):
        return Problem("answers-line", f"{shown}{why}: write it as [{'.'.join(table) or 'answers'}]",
                       file=NAME)
    key = _KEY.match(text)
    if key is None:
        return Problem("answers-line", f"{shown}{why}, so it was skipped: each answer is one "
                       'line such as some-question = "b"', file=NAME)
    written, value = key.group(1), key.group(2)
    bare = written.strip("\"'")
    path = (*table, *((bare,) if written[0] in "\"'" else bare.split(".")))
    question = _question(path)
    # The learner line is the id's problem: learner_problems then says no more of it.
    code: ProblemCode = "learner-id" if path == ("learner",) else "answers-line"
    costs = (f"question {question} scores 0" if question else "no learner id was read"
             if code == "learner-id" else "it was skipped")
    return Problem(code, f"{shown}{why}, so {costs}: {_suggest(written, value)}",
                   file=NAME, question=question)


def _suggest(key: str, value: str) -> str:
    """What to write instead of ``key = value``: a repaired line that parses
    where the slip is a common one, else the four forms an answer takes."""
    value = re.sub(r"\s+#.*$", "", value).strip()
    if not value:
        return (f'write the answer after "=", e.g. {key} = "b", or put "# " back in front '
                "of the line to leave the question unanswered")
    word = r"[A-Za-z][\w-]*"
    plain = value.strip("\"'\u201c\u201d\u2018\u2019")  # quotes, curly ones included
    tries = []
    if value.lower() in ("true", "false"):
        tries.append((value.lower(), "true and false are lower-case, without quotes"))
    if re.fullmatch(word, plain):
        tries.append((json.dumps(plain), "text, a choice id too, goes in straight double quotes"))
    words = re.fullmatch(rf"\[\s*({word}(?:\s*,\s*{word})*)\s*,?\s*\]", value)
    if words:
        ids = [w.strip() for w in words.group(1).split(",")]
        tries.append((json.dumps(ids), "each choice id in the list goes in quotes"))
    number = re.fullmatch(r"([-+]?[\d,_]*\.?\d+)\s*[A-Za-z%]*\.?", value)
    if number:
        tries.append((number.group(1).replace(",", "").replace("_", ""),
                      "a number is written alone, without commas or units"))
    for fixed, why in tries:
        line = f"{key} = {fixed}"
        try:
            tomllib.loads(line)
        except (ValueError, RecursionError):
            continue
        return f"write {line} ({why})"
    return (f'write it as {key} = 42 (a number), {key} = "b" (one choice), '
            f'{key} = ["a", "c"] (several) or {key} = true')


# --------------------------------------------------------------------------- the paper cuts

def unknown_ids(answers: dict[str, Any], known: Collection[str]) -> list[Problem]:
    """An answer under an id the quiz does not have, with the nearest id
    (it is not scored: the learner may have meant another question)."""
    stray = [qid for qid in answers if qid not in known]
    ids = list(known)
    problems = []
    for qid in stray[:_NAMED]:
        near = difflib.get_close_matches(qid, ids, n=1) \
            if len(qid) <= _SHOWN and qid != "learner" else []
        hint = ("the learner line belongs above the [answers] line" if qid == "learner"
                else f"did you mean {near[0]}? Rename it" if near
                else "copy the id from the comment above the question")
        # The nearest question carries the note only while it has no answer of its own.
        question = near[0] if near and near[0] not in answers else ""
        problems.append(Problem(
            "unknown-question", f"{NAME} answers {_clip(qid)!r}, which is not a question of "
            f"this quiz, so that answer scores nothing: {hint}", file=NAME, question=question))
    if len(stray) > _NAMED:
        problems.append(Problem("unknown-question", f"{NAME} answers {len(stray) - _NAMED} more "
                                "ids that are not questions of this quiz", file=NAME))
    return problems


def learner_problems(file: AnswersFile, given: str | None) -> list[Problem]:
    """The learner id is empty, or not the one the grading is done for. The
    numbered questions are drawn from the id graded, so a learner who answered
    another id's numbers loses them: say so, before anyone wonders why."""
    if file.lost or any(p.code == "learner-id" for p in file.problems):
        return []  # nothing was read, or the line's type is already reported
    written = (file.learner or "").strip()
    given = (given or "").strip()
    graded = f"graded as {_clip(given)!r} (the batch folder's name, or --learner)"
    fix = f"if that is right, write learner = {json.dumps(given)} in {NAME}"
    if given and written and written != given:
        return [Problem("learner-id", f"{NAME} names learner {_clip(written)!r}, but this "
                        f"submission was {graded}, and the numbered questions were drawn for "
                        f"that id: {fix}", file=NAME)]
    empty = f"{NAME} has no learner id (its learner line is empty or missing)"
    if not written and given:
        return [Problem("learner-id", f"{empty}; it was {graded}: {fix}", file=NAME)]
    if not written:
        return [Problem("learner-id", f"{empty}, so the numbered questions are drawn for an "
                        f'empty id, not for you: write learner = "your-login" at the top of {NAME}',
                        file=NAME)]
    return []


def known_ids() -> tuple[str, ...] | None:
    """The question ids of the handed-out template, or None without one."""
    for path in (TEMPLATE, RELEASED_TEMPLATE):
        try:
            return template_ids(path.read_text(encoding="utf-8"))
        except OSError:
            continue
    return None


def template_ids(text: str) -> tuple[str, ...]:
    """The ids of a template's question lines (``# some-id = ``, which
    grader/quiz/sheet.py writes for every question)."""
    return tuple(_TEMPLATE_LINE.findall(text))


# --------------------------------------------------------------------------- wording

def _clip(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN - 3] + "..."


def _kind(value: Any) -> str:
    """A TOML value's kind, in words."""
    if isinstance(value, bool):
        return "a boolean"
    return {int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), f"a {type(value).__name__}")
