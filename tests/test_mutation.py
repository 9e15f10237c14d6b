"""Each unit's mutants through the real grader: every mutant loses points in its
own exercise only and gets its own diagnosis; correct code never gets one.

The mutants are grader/units/<exercise>/mutants.toml (see their header). Each
mutant's cost is printed, and bounded (MAX_COST_SHARE): an entry that must cost
more says why in ``costs_more = "..."``.
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

# One misconception, a proportionate penalty (issue 14, item 4): a catalogued
# mistake costs at most this share of its exercise's points, unless its entry
# in mutants.toml says why it must cost more (``costs_more``).
MAX_COST_SHARE = 0.5
# Exercises whose suites still test several concepts in one test, so that one
# mistake fails tests about other things (issue 14, item 4, not yet done for
# them; conv's flipped kernel, for one, costs 52 of 89): their costs are
# printed but not bounded.
COSTS_NOT_YET_BOUNDED = {"conv", "params", "receptive_field", "residual", "transfer"}


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
        why = m.get("costs_more")
        assert why is None or (isinstance(why, str) and why.strip()), m  # a reason, in words
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
    problems, killed, costs = [], Counter(), []
    for mutant in mutants(exercise):
        exercise, wanted = mutant["exercise"], mutant["diagnosis"]
        result = _grade_one(tmp_path, exercise, mutant_source(mutant))
        mine = result.exercise(exercise)
        failed = [t for t in result.tests if t.status != "passed"]
        found = Counter(t.diagnosis.id for t in failed if t.diagnosis is not None)
        cost = mine.max_score - mine.score
        costs.append(f"  {wanted}: costs {cost:g} of {mine.max_score:g} "
                     f"({100 * cost / mine.max_score:.0f}%), diagnosed {dict(found) or 'nothing'}")
        if mine.score >= solutions_result.exercise(exercise).max_score:
            problems.append(f"{wanted}: not caught ({mine.score}/{mine.max_score})")
        elif mine.score <= 0:
            problems.append(f"{wanted}: lost every point; one mistake should cost less")
        elif wanted not in found:
            problems.append(f"{wanted}: caught, but diagnosed as {dict(found) or 'nothing'}")
        elif (cost > MAX_COST_SHARE * mine.max_score and "costs_more" not in mutant
              and exercise not in COSTS_NOT_YET_BOUNDED):
            problems.append(f"{wanted}: costs {cost:g} of {mine.max_score:g}, over "
                            f"{MAX_COST_SHARE:.0%}; give the concept its own tests, or say in "
                            "mutants.toml (costs_more) why it must cost more")
        else:
            killed[exercise] += 1
    total, score = len(mutants(exercise)), sum(killed.values())
    bounded = "not yet bounded" if exercise in COSTS_NOT_YET_BOUNDED else \
        f"each at most {MAX_COST_SHARE:.0%} of the exercise"
    with capsys.disabled():
        print(f"\n{exercise}: mutation score {score}/{total} ({100 * score / total:.0f}%), "
              f"each with its own diagnosis; costs ({bounded}):", *costs, sep="\n")
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
