"""The class report: how a whole batch did, as one self-contained HTML page.

It is computed from the per-learner files alone, one file at a time, so
it always agrees with the gradebook and its memory does not grow with the
size of the class beyond one small row per learner.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import __version__
from grader.atomic import write_atomic
from grader.batch.gradebook import flags, iter_records
from grader.batch.similarity import SimilarityReview, format_ranges
from grader.report.html import environment

CLASS_REPORT_FILE = "class.html"
# Ten bins of 10 % each: the grade bands instructors think in.
HISTOGRAM_BINS = 10
HISTOGRAM_WIDTH_PX, HISTOGRAM_HEIGHT_PX = 560, 180


@dataclass(frozen=True)
class Rate:
    """How many learners got one test (or one quiz question) right."""
    name: str
    label: str  # the exercise of a test, the prompt of a question
    right: int
    total: int

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class Bar:
    low: int  # percent
    high: int
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class ClassStats:
    learners: int = 0
    graded: int = 0
    max_score: float = 0.0
    percents: list[float] = field(default_factory=list)
    tests: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    questions: dict[str, list[Any]] = field(default_factory=dict)
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # id, flags, score

    def add(self, record: dict[str, Any]) -> None:
        self.learners += 1
        marks = flags(record)
        score = "" if "error" in record else f"{record['score']:g} / {record['max_score']:g}"
        if marks:
            self.flagged.append((record["learner_id"], " ".join(marks), score))
        if "error" in record:
            return
        self.graded += 1
        self.max_score = max(self.max_score, record["max_score"])
        self.percents.append(100 * record["score"] / record["max_score"] if record["max_score"] else 0)
        for test in record["tests"]:
            counts = self.tests.setdefault((test["exercise"], test["name"]), [0, 0])
            counts[0] += test["status"] == "passed"
            counts[1] += 1
        for q in record["quiz"]["questions"]:
            counts = self.questions.setdefault(q["id"], [q["prompt"], 0, 0])
            counts[1] += q["status"] == "correct"
            counts[2] += 1

    def test_rates(self) -> list[Rate]:
        """Hardest first: lowest pass rate, then by exercise and name."""
        rates = [Rate(name, exercise, right, total)
                 for (exercise, name), (right, total) in self.tests.items()]
        return sorted(rates, key=lambda r: (r.rate, r.label, r.name))

    def question_rates(self) -> list[Rate]:
        return [Rate(qid, prompt, right, total)
                for qid, (prompt, right, total) in self.questions.items()]

    def histogram(self) -> list[Bar]:
        counts = [0] * HISTOGRAM_BINS
        for p in self.percents:
            # 100 % falls in the top bin, not in a bin of its own.
            counts[min(int(p * HISTOGRAM_BINS // 100), HISTOGRAM_BINS - 1)] += 1
        tallest = max(counts) or 1
        width = HISTOGRAM_WIDTH_PX / HISTOGRAM_BINS
        step = 100 // HISTOGRAM_BINS
        bars = []
        for i, count in enumerate(counts):
            height = HISTOGRAM_HEIGHT_PX * count / tallest
            bars.append(Bar(i * step, (i + 1) * step, count, x=i * width + 1,
                            y=HISTOGRAM_HEIGHT_PX - height, width=width - 2, height=height))
        return bars

    def median(self) -> float | None:
        ordered = sorted(self.percents)
        if not ordered:
            return None
        mid = len(ordered) // 2
        return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def class_stats(out: Path) -> ClassStats:
    stats = ClassStats()
    for record in iter_records(out):
        stats.add(record)
    return stats


def render_class_report(stats: ClassStats, similarity: SimilarityReview | None = None) -> str:
    return environment.get_template("class.html.j2").render(
        similarity=similarity, format_ranges=format_ranges,
        s=stats, bars=stats.histogram(), tests=stats.test_rates(),
        questions=stats.question_rates(), median=stats.median(),
        width=HISTOGRAM_WIDTH_PX, height=HISTOGRAM_HEIGHT_PX, version=__version__)


def write_class_report(out: Path, *, similarity: SimilarityReview | None = None) -> Path:
    """Write ``OUT/class.html`` from every per-learner file in ``OUT`` (and the
    similarity review of them, when there is one)."""
    path = out / CLASS_REPORT_FILE
    write_atomic(path, render_class_report(class_stats(out), similarity))
    return path
