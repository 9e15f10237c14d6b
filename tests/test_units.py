"""Each unit is complete and agrees with itself: the registry, the manifests, the
files beside them, and what grading the reference gives (issue 13)."""
from __future__ import annotations

import ast
from collections import Counter

import pytest

from grader import registry
from grader.errors import SuiteError
from grader.registry import EXERCISES
from grader.suites.diagnosis import catalogue

UNIT_FILES = ("manifest.toml", "hidden.py", "visible.py", "mistakes.py", "mutants.toml",
              "test_oracle.py")


def test_the_registry_lists_the_units_in_their_order():
    # The order of every list (reports, gradebook columns): part of the contract.
    assert EXERCISES == ("conv", "pooling", "params", "receptive_field", "residual", "backward",
                         "im2col", "training", "transfer")
    assert registry.submission_files() == tuple(f"{e}.py" for e in EXERCISES) + ("answers.toml",)


@pytest.mark.parametrize("name", EXERCISES)
def test_a_unit_has_every_part_and_a_stub_and_solution(name):
    unit = registry.get(name)
    for part in UNIT_FILES:
        assert (unit.folder / part).is_file(), f"{name}: {part} is missing"
    assert unit.variants_dir.is_dir() and unit.stub.is_file() and unit.solution.is_file()
    defined = {n.name for n in ast.parse(unit.solution.read_text()).body
               if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert set(unit.tasks) <= defined, f"{name}: tasks not in the solution"
    stub = {n.name for n in ast.parse(unit.stub.read_text()).body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert set(unit.tasks) <= stub, f"{name}: tasks not in the stub"
    # The catalogue names only this exercise's functions.
    assert all(key.startswith(name + ".") for key in catalogue(name))
    # A numpy-flavoured child never has torch; a torch-flavoured one may not forbid it.
    assert ("torch" in unit.forbidden) == (unit.flavour == "numpy")


def test_points_and_figure_kinds_agree_with_grading(solutions_result, broken_result):
    points = Counter()
    for t in solutions_result.tests:
        points[t.exercise] += t.max_score
    assert {e: registry.get(e).points for e in EXERCISES} == dict(points)
    for t in broken_result.tests:
        if t.detail is not None:
            assert t.detail["kind"] in registry.get(t.exercise).figures, t.name


def test_a_broken_manifest_is_refused_with_its_path(tmp_path, monkeypatch):
    unit = tmp_path / "units" / "odd"
    unit.mkdir(parents=True)
    (unit / "manifest.toml").write_text('title = "x"\norder = 1\ntasks = ["f"]\npoints = 1\n'
                                        'flavour = "jax"\n')
    monkeypatch.setattr(registry, "UNITS_DIR", tmp_path / "units")
    registry.exercises.cache_clear()
    try:
        with pytest.raises(SuiteError, match="odd/manifest.toml: flavour 'jax'"):
            registry.exercises()
        (unit / "manifest.toml").write_text('title = "x"\norder = 1\ntasks = ["f"]\npoints = 1\n'
                                            'flavour = "numpy"\nbudget = {call_wall_s = -1}\n')
        with pytest.raises(SuiteError, match="positive number of seconds"):
            registry.exercises()
        (unit / "manifest.toml").write_text('title = "x"\norder = 1\ntasks = ["f"]\npoints = 1\n'
                                            'flavour = "numpy"\ncolour = "red"\n')
        with pytest.raises(SuiteError, match="unknown key.*colour"):
            registry.exercises()
    finally:
        registry.exercises.cache_clear()


def test_an_unknown_exercise_names_the_known_ones():
    from grader.errors import UsageError
    with pytest.raises(UsageError, match="no exercise named 'nope'") as info:
        registry.get("nope")
    assert "conv, pooling" in str(info.value.hint)
