"""The answers file a learner fills in, written from the bank.

``exercises/answers.toml`` is this module's output for nobody in particular
(parameterised numbers shown by name); ``cnn-grader quiz show --learner ID``
prints the same file with that learner's numbers and id filled in, ready to
save as the learner's answers.toml. A test keeps the checked-in template
equal to what this writes, so the bank and the template never drift apart.
"""
from __future__ import annotations

import json
import textwrap

from grader.quiz.bank import Question
from grader.quiz.variants import for_learner, placeholders

_WIDTH = 79
_HEADER = """\
# Your quiz answers for the CNN lesson.
#
# Every question below is commented out and scores 0 until you answer it:
# remove the leading "# " from its last line and write your answer after "=".
#   a number:          some-question = 42          (no units, no commas)
#   one choice:        some-question = "b"         (the choice id, in quotes)
#   several choices:   some-question = ["a", "c"]  (every choice you think is
#                                                   right; wrong picks cost)
#   true or false:     some-question = true        (no quotes)
# A line like "question-id =" with nothing after it is not valid TOML: that
# question scores 0 (the other answers still count), so leave a question you
# skip commented out. `cnn-grader check` names every line grading cannot read.
"""
_GENERIC = """\
#
# Questions with <names> in them are drawn for each learner: your numbers
# depend on your learner id. Your instructor hands them out (the command
# `cnn-grader quiz show --learner YOUR-ID` prints this file with your numbers),
# and grading recomputes them from the id below, so answer your own variant.
"""


def _comment(text: str, indent: str = "", later: str = "") -> list[str]:
    lines = textwrap.wrap(text, _WIDTH - 2 - len(indent), subsequent_indent=later,
                          break_on_hyphens=False) or [""]
    return [f"# {indent}{line}" for line in lines]


def _how(q: Question) -> str:
    if q.type == "numeric":
        return "a number, e.g. 42"
    if q.type == "truefalse":
        return "true or false, without quotes"
    if q.type == "single":
        return 'one choice id in quotes, e.g. "a"'
    return f"a list of choice ids, e.g. {json.dumps([c.id for c in q.choices[:2]])}"


def render_answers_template(bank: tuple[Question, ...], *, learner: str | None = None) -> str:
    """The answers file: for ``learner``'s variant, or (None) for anyone."""
    parts = [_HEADER]
    if learner is None:
        parts.append(_GENERIC)
        questions = [(q, placeholders(q)) for q in bank]
    else:
        questions = [(q, q.prompt) for q in for_learner(bank, learner)]
    parts.append(f"\nlearner = {json.dumps(learner or '')}"
                 f"{'  # your learner id, e.g. your university login' if learner is None else ''}"
                 "\n\n[answers]\n")
    for q, prompt in questions:
        lines = [""] + _comment(prompt)
        for c in q.choices:
            lines += _comment(f"{c.id}) {c.text}", "  ", " " * (len(c.id) + 2))
        lines += [f"# Answer: {_how(q)}", f"# {q.id} = "]
        parts.append("\n".join(lines) + "\n")
    return "".join(parts)


def learner_sheet(*, learner: str, bank_path=None) -> str:
    """``learner``'s variant of the quiz as an answers file to fill in."""
    from grader.errors import UsageError
    from grader.quiz.bank import load_bank

    if not learner.strip():
        raise UsageError("the learner id is empty", hint="pass --learner ID, e.g. a login")
    return render_answers_template(load_bank(bank_path), learner=learner.strip())
