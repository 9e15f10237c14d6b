"""Each unit's mutants through the real grader: every mutant loses points in its
own exercise only and gets its own diagnosis; correct code never gets one.

The mutants are grader/units/<exercise>/mutants.toml (see their header).
"""
from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from grader import registry
from grader.registry import EXERCISES
from grader.scoring.grading import grade
from grader.suites.diagnosis import mistake_ids

from conftest import exercise_of_variant, submission_with, variants


def mutants(exercise: str) -> list[dict]:
    unit = registry.get(exercise)
    found = tomllib.loads(unit.mutants_file.read_text())["mutant"]
    return [{**m, "exercise": exercise} for m in found]


MUTANTS = [m for e in EXERCISES for m in mutants(e)]


def mutant_name(mutant: dict) -> str:
    return mutant["diagnosis"]


def mutant_source(mutant: dict) -> str:
    """The learner module of one mutant."""
    unit = registry.get(mutant["exercise"])
    if "file" in mutant:
        return (unit.folder / mutant["file"]).read_text()
    source = unit.solution.read_text()
    for old, new in mutant["replace"]:
        assert source.count(old) == 1, f"{mutant_name(mutant)}: {old!r} is not in the solution once"
        source = source.replace(old, new)
    return source


def test_catalogue_is_complete_and_well_formed():
    per_exercise = Counter(m["exercise"] for m in MUTANTS)
    assert set(per_exercise) == set(EXERCISES)
    assert min(per_exercise.values()) >= 6 and len(MUTANTS) >= 30, per_exercise
    ids = [m["diagnosis"] for m in MUTANTS]
    assert len(set(ids)) == len(ids), "each mutant has a diagnosis of its own"
    assert not set(ids) - mistake_ids(), "every mutant's diagnosis is in the catalogue"
    for m in MUTANTS:
        assert m["diagnosis"].startswith(m["exercise"] + ".")
        assert ("file" in m) != ("replace" in m), m
        assert mutant_source(m) != registry.get(m["exercise"]).solution.read_text()
    listed = {(m["exercise"], m["file"]) for m in MUTANTS if "file" in m}
    buggy = {(exercise_of_variant(p), f"variants/{p.name}") for p in variants("bug_*.py")}
    assert buggy <= listed, f"buggy variants missing from the catalogue: {buggy - listed}"


def _grade_one(tmp_path: Path, exercise: str, source: str):
    where = tmp_path / f"{exercise}-{abs(hash(source))}"
    where.mkdir()
    submission = submission_with(where, {f"{exercise}.py": source})
    # Only the mutated file differs from the solutions, so grading its exercise
    # alone shows everything; the other exercises are the reference, untouched.
    for other in registry.get(exercise).solution.parent.iterdir():
        if other.is_file() and other.name != f"{exercise}.py":
            assert (submission / other.name).read_bytes() == other.read_bytes()
    return grade(submission=submission, exercises=(exercise,))


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES)
def test_mutation_score_is_100_percent(exercise, tmp_path, solutions_result, capsys):
    problems, killed = [], Counter()
    for mutant in mutants(exercise):
        exercise, wanted = mutant["exercise"], mutant["diagnosis"]
        result = _grade_one(tmp_path, exercise, mutant_source(mutant))
        mine = result.exercise(exercise)
        failed = [t for t in result.tests if t.status != "passed"]
        found = Counter(t.diagnosis.id for t in failed if t.diagnosis is not None)
        if mine.score >= solutions_result.exercise(exercise).max_score:
            problems.append(f"{wanted}: not caught ({mine.score}/{mine.max_score})")
        elif mine.score <= 0:
            problems.append(f"{wanted}: lost every point; one mistake should cost less")
        elif wanted not in found:
            problems.append(f"{wanted}: caught, but diagnosed as {dict(found) or 'nothing'}")
        else:
            killed[exercise] += 1
    total, score = len(mutants(exercise)), sum(killed.values())
    with capsys.disabled():
        print(f"\n{exercise}: mutation score {score}/{total} ({100 * score / total:.0f}%), "
              "each with its own diagnosis")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_correct_submissions_get_no_diagnosis(tmp_path, solutions_result):
    assert all(t.status == "passed" for t in solutions_result.tests)
    assert not [t.name for t in solutions_result.tests if t.diagnosis or t.detail]
    for variant in variants("ok_*.py"):
        exercise = exercise_of_variant(variant)
        result = _grade_one(tmp_path, exercise, variant.read_text())
        assert result.exercise(exercise).score == solutions_result.exercise(exercise).max_score
        assert not [t.name for t in result.tests if t.diagnosis or t.detail], variant
