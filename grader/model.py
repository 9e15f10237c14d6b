"""Typed results of a grading, and their JSON form.

Every writer (JSON, HTML, later other formats) starts from ``GradeResult``.
The JSON keys are a contract with instructors' scripts: add, never rename.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TestStatus = Literal["passed", "failed", "error", "timeout"]
QuestionType = Literal["numeric", "single", "multiple", "truefalse"]
# What kind of problem a submission has (intake's notes, and an exercise that
# could not run). The gradebook's flags come from these, never from the words.
ProblemCode = Literal["missing-file", "outside-path", "symlink", "too-large", "too-many-files",
                      "answers", "forbidden-import", "import-failed", "report-failed",
                      # a note from reading a notebook (grader/notebook.py): a magic
                      # removed, a cell not tagged, a notebook that cannot be read
                      "notebook",
                      # answers.toml (grader/answers_file.py): "answers" loses the whole
                      # quiz; a line that does not parse, or an answer under an id the
                      # quiz does not have, loses one question; the learner id is
                      # empty or not the one graded, so the drawn numbers may differ
                      "answers-line", "unknown-question", "learner-id"]
# The problems of answers.toml: the terminal summary lists them under the quiz.
QUIZ_PROBLEMS: tuple[ProblemCode, ...] = ("answers", "answers-line", "unknown-question", "learner-id")
# How a quiz answer scored.
Status = Literal["correct", "partial", "incorrect", "missing", "invalid"]
# How sandbox.isolation.layers_in_force and scoring.credit.INSECURE_NOTE begin
# the entries that warn a reader the learner's code was not walled off.
UNISOLATED_PREFIXES = ("INSECURE:", "NOT ISOLATED:")


@dataclass(frozen=True)
class Problem:
    """A problem with a submission, for the learner (message) and for tools (code)."""
    code: ProblemCode
    message: str
    file: str = ""  # the submission file it is about, where there is one (e.g. "conv.py")
    question: str = ""  # the quiz question it costs, where there is one (its id)


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake that explains a failed test, in words a learner can act on."""
    id: str  # stable id of the mistake in the catalogue, e.g. "conv.flipped-kernel"
    message: str


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class, despite its name

    name: str
    exercise: str
    score: float
    max_score: float
    status: TestStatus
    output: str  # what went wrong, in words a learner can act on; "" when passed
    description: str = ""  # what the test checks (its docstring)
    diagnosis: Diagnosis | None = None  # only on a failed test whose output a known mistake explains
    # JSON-able evidence for the report's pictures, only on a failed test; see
    # docs/architecture.md ("Failure details") for the kinds and their keys.
    detail: dict[str, Any] | None = None
    seed: int | None = None  # the seed this test drew its random inputs from, if any
    # JSON-able data for a picture shown whatever the outcome (the filters a
    # network learned, its loss curve); docs/architecture.md, "Exhibits".
    exhibit: dict[str, Any] | None = None
    # The grader, not the learner, could not judge this test (status "error",
    # output "grader fault: regrade ..."); a batch run again regrades it.
    grader_fault: bool = False


@dataclass(frozen=True)
class ExerciseResult:
    name: str
    score: float
    max_score: float
    passed: int
    total: int
    message: str = ""  # a problem with the whole exercise (missing file, import failed)
    problem: ProblemCode | None = None  # its kind, when there is one
    learner_output: str = ""  # what the learner's code printed, last part only
    # Information only (a unit's timing.py, e.g. grader/units/im2col/timing.py),
    # shown in the HTML report and kept out of the JSON: it changes from run to
    # run, and a regrade must not.
    timing: str = ""


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


@dataclass(frozen=True)
class GradeResult:
    submission: str
    fingerprint: str  # sha256 over the graded files, see intake.fingerprint
    grader_version: str
    exercises: tuple[ExerciseResult, ...]
    tests: tuple[TestResult, ...]
    quiz: QuizResult
    problems: tuple[Problem, ...] = ()  # intake notes: missing files, skipped entries
    isolation: tuple[str, ...] = ()  # protection layers in force while grading
    files: tuple[str, ...] = field(default=())  # the graded files, as fingerprinted
    learner_id: str = ""  # who was graded: the grader's --learner, else answers.toml's learner
    # Where the hidden tests' random inputs came from: "course" (the course
    # secret) or "self-check" (no secret configured; see grader/suites/seeding.py).
    seeding: str = ""
    # Graded for credit without isolation, because --insecure said so (scoring/credit.py).
    insecure: bool = False

    @property
    def score(self) -> float:
        return _round(sum(e.score for e in self.exercises) + self.quiz.score)

    @property
    def max_score(self) -> float:
        return _round(sum(e.max_score for e in self.exercises) + self.quiz.max_score)

    @property
    def isolation_warning(self) -> str:
        """The isolation entry that says this grading was not walled off, or ""."""
        return next((i for i in self.isolation if i.startswith(UNISOLATED_PREFIXES)), "")

    def exercise(self, name: str) -> ExerciseResult:
        return next(e for e in self.exercises if e.name == name)


def _round(value: float) -> float:
    # Points are small fractions at worst (partial credit); rounding keeps
    # float noise such as 0.30000000000000004 out of reports and diffs.
    return round(float(value), 6)


def to_json(result: GradeResult) -> dict[str, Any]:
    exercises: dict[str, Any] = {
        e.name: {"score": _round(e.score), "max_score": _round(e.max_score),
                 "passed": e.passed, "total": e.total, "message": e.message, "problem": e.problem}
        for e in result.exercises
    }
    exercises["quiz"] = {"score": _round(result.quiz.score),
                         "max_score": _round(result.quiz.max_score)}
    return {
        "score": result.score,
        "max_score": result.max_score,
        "exercises": exercises,
        "tests": [{**asdict(t), "score": _round(t.score), "max_score": _round(t.max_score)}
                  for t in result.tests],
        "quiz": {"score": _round(result.quiz.score), "max_score": _round(result.quiz.max_score),
                 "questions": [asdict(q) for q in result.quiz.questions]},
        "submission": result.submission,
        "learner_id": result.learner_id,
        "seeding": result.seeding,
        "fingerprint": result.fingerprint,
        "grader_version": result.grader_version,
        "files": list(result.files),
        "problems": [p.message for p in result.problems],
        "problem_codes": [p.code for p in result.problems],  # one per problem, in order
        "isolation": list(result.isolation),
        "insecure": result.insecure,
    }
