"""The exercises, discovered from their units: every list of exercises comes from here.

An exercise is one folder, ``grader/units/<name>/``, holding its manifest
(``manifest.toml``), its hidden and visible suites, its catalogue of known
mistakes, its mutants, its variants and its oracle tests (README, "Adding
an exercise"). The learner's stub is ``exercises/<name>.py`` and the
reference ``solutions/<name>.py``. This module reads only the manifests
(TOML, no code), so every stage can ask it what the exercises are, and a
released learner repository ships it with the manifests alone.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal, get_args

from grader import policy
from grader.errors import SuiteError, UsageError
from grader.paths import ANSWERS_FILE, EXERCISES_DIR, SOLUTIONS_DIR, UNITS_DIR

Flavour = Literal["numpy", "torch"]
# The kinds of `detail` the report can draw (docs/architecture.md, "Failure details").
# How an exercise counts its children's timeouts (policy.MAX_TIMEOUTS_PER_EXERCISE):
# over the whole exercise, or per task (function) of the learner's.
TimeoutScope = Literal["per-exercise", "per-task"]
FigureKind = Literal["arrays", "parameters", "receptive_field"]
# The kinds of exhibit (a picture shown whether the test passed or not, such as
# the filters a network learned) the report can draw; docs/architecture.md, "Exhibits".
ExhibitKind = Literal["kernels", "filters", "loss", "shift", "transfer"]
MANIFEST = "manifest.toml"


# A unit's [budget] keys, each with the policy.py number it overrides (the
# reason for each default is there).
_BUDGET_DEFAULTS = {
    "call_wall_s": "CALL_TIMEOUT_S",  # one call, wall clock
    "call_cpu_s": "CALL_CPU_S",  # one call, CPU time where a cgroup counts it
    "import_wall_s": "IMPORT_TIMEOUT_S",  # importing the learner's module
    "exercise_cpu_s": "MAX_CPU_SECONDS",  # one child's whole life (its RLIMIT_CPU)
    # One submission's whole exercise, over every wait on its children (starts,
    # imports, calls, in every child it needed) and their CPU time.
    "total_wall_s": "EXERCISE_WALL_S",
    "total_cpu_s": "EXERCISE_CPU_S",
}


@dataclass(frozen=True)
class Budget:
    """Time limits of one exercise's children: the manifest's [budget] where it
    sets one, else policy.py's number, read when it is used (so that policy.py
    stays the one place to change a default, at any time)."""
    given: tuple[tuple[str, float], ...] = ()

    def _get(self, key: str) -> float:
        return dict(self.given).get(key, getattr(policy, _BUDGET_DEFAULTS[key]))

    @property
    def call_wall_s(self) -> float:
        return self._get("call_wall_s")

    @property
    def call_cpu_s(self) -> float:
        return self._get("call_cpu_s")

    @property
    def import_wall_s(self) -> float:
        return self._get("import_wall_s")

    @property
    def exercise_cpu_s(self) -> int:
        return int(self._get("exercise_cpu_s"))

    @property
    def total_wall_s(self) -> float:
        return self._get("total_wall_s")

    @property
    def total_cpu_s(self) -> float:
        return self._get("total_cpu_s")


@dataclass(frozen=True)
class Exercise:
    name: str  # the module's name: exercises/<name>.py; part of every seed, never renamed
    title: str
    order: int  # where it comes in lists, reports and gradebook columns
    tasks: tuple[str, ...]  # the functions and classes the learner writes
    points: float  # the sum of the hidden suite's @points (a test checks it)
    flavour: Flavour  # "numpy": written with numpy alone; "torch": uses torch
    forbidden: tuple[str, ...]  # libraries the learner's module may not import
    figures: tuple[FigureKind, ...]  # the kinds of failure detail its suite produces
    budget: Budget
    folder: Path
    # The notebook's markdown before the exercise's cell (cnn-grader init --notebook):
    # the idea, the formula and the shapes, in a few lines.
    intro: str = ""
    # Files the exercise ships beside the stub, in exercises/ (a provided module,
    # its weights): the learner gets them, and the child imports the grader's copies.
    provided: tuple[str, ...] = ()
    exhibits: tuple[ExhibitKind, ...] = ()  # the kinds of exhibit its suite records
    timeouts: TimeoutScope = "per-exercise"

    @property
    def module_file(self) -> str:
        return f"{self.name}.py"

    @property
    def hidden_suite(self) -> Path:
        return self.folder / "hidden.py"

    @property
    def visible_suite(self) -> Path:
        return self.folder / "visible.py"

    @property
    def mistakes_module(self) -> str:
        return f"grader.units.{self.name}.mistakes"

    @property
    def mutants_file(self) -> Path:
        return self.folder / "mutants.toml"

    @property
    def variants_dir(self) -> Path:
        return self.folder / "variants"

    @property
    def stub(self) -> Path:
        return EXERCISES_DIR / self.module_file

    @property
    def solution(self) -> Path:
        return SOLUTIONS_DIR / self.module_file

    @property
    def provided_files(self) -> tuple[Path, ...]:
        return tuple(EXERCISES_DIR / name for name in self.provided)


_KEYS = {"title", "order", "tasks", "points", "flavour", "forbidden", "figures", "budget", "intro",
         "provided", "exhibits", "timeouts"}


def _load(folder: Path) -> Exercise:
    path = folder / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SuiteError(f"the manifest {path} cannot be read ({exc})",
                         hint="see README, 'Adding an exercise'") from None

    def bad(what: str) -> SuiteError:
        return SuiteError(f"{path}: {what}", hint="see README, 'Adding an exercise'")

    unknown = set(data) - _KEYS
    if unknown:
        raise bad(f"unknown key(s) {', '.join(sorted(unknown))}; the keys are "
                  f"{', '.join(sorted(_KEYS))}")
    budget_keys = set(_BUDGET_DEFAULTS)
    budget = data.get("budget", {})
    if not isinstance(budget, dict) or set(budget) - budget_keys:
        raise bad(f"[budget] takes only {', '.join(sorted(budget_keys))}")
    if any(type(v) not in (int, float) or v <= 0 for v in budget.values()):
        raise bad("every [budget] value is a positive number of seconds")
    if data.get("flavour") not in get_args(Flavour):
        raise bad(f"flavour {data.get('flavour')!r} is not one of {get_args(Flavour)}")
    figures: tuple[FigureKind, ...] = tuple(data.get("figures", ()))
    if set(figures) - set(get_args(FigureKind)):
        raise bad(f"figures {figures} name a kind the report cannot draw; the kinds are "
                  f"{get_args(FigureKind)}")
    exhibits: tuple[ExhibitKind, ...] = tuple(data.get("exhibits", ()))
    if set(exhibits) - set(get_args(ExhibitKind)):
        raise bad(f"exhibits {exhibits} name a kind the report cannot draw; the kinds are "
                  f"{get_args(ExhibitKind)}")
    if data.get("timeouts", "per-exercise") not in get_args(TimeoutScope):
        raise bad(f"timeouts {data.get('timeouts')!r} is not one of {get_args(TimeoutScope)}")
    provided = tuple(str(name) for name in data.get("provided", ()))
    if any("/" in name or name.startswith(".") or name == MANIFEST for name in provided):
        raise bad(f"provided {provided}: each is a plain file name in exercises/")
    try:
        exercise = Exercise(
            name=folder.name, title=str(data["title"]), order=int(data["order"]),
            tasks=tuple(str(t) for t in data["tasks"]), points=float(data["points"]),
            flavour=data["flavour"], forbidden=tuple(str(m) for m in data.get("forbidden", ())),
            figures=figures,  # checked against FigureKind above
            budget=Budget(tuple(sorted(budget.items()))), folder=folder,
            intro=str(data.get("intro", "")).strip(), provided=provided,
            exhibits=exhibits,  # checked against ExhibitKind above
            timeouts=data.get("timeouts", "per-exercise"))
    except KeyError as exc:
        raise bad(f"{exc.args[0]} is missing") from None
    except (TypeError, ValueError) as exc:
        raise bad(f"a value has the wrong type ({exc})") from None
    if not exercise.tasks:
        raise bad("tasks is empty: name the functions and classes the learner writes")
    return exercise


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every unit under grader/units/, in their manifests' order."""
    found = [_load(folder) for folder in sorted(UNITS_DIR.iterdir())
             if (folder / MANIFEST).is_file()]
    return tuple(sorted(found, key=lambda e: (e.order, e.name)))


def names() -> tuple[str, ...]:
    return tuple(e.name for e in exercises())


def get(name: str) -> Exercise:
    """The exercise called ``name``, or a UsageError that lists them."""
    for exercise in exercises():
        if exercise.name == name:
            return exercise
    raise UsageError(f"there is no exercise named {name!r}",
                     hint=f"the exercises are {', '.join(names())}")


def exercise_of(path: str | Path) -> str:
    """The exercise a suite file belongs to: the name of its unit folder."""
    return _unit_folder_name(str(path))


@lru_cache(maxsize=1024)
def _unit_folder_name(path: str) -> str:
    # Cached: every test's seed asks, and resolve() costs system calls each time.
    return Path(path).resolve().parent.name


def provided_files() -> tuple[Path, ...]:
    """Every file the exercises ship beside their stubs (not layers.py, which all share)."""
    return tuple(path for e in exercises() for path in e.provided_files)


def submission_files() -> tuple[str, ...]:
    """What a complete submission holds: each exercise's module, and the quiz."""
    return tuple(e.module_file for e in exercises()) + (ANSWERS_FILE,)


# Most callers want the names; the registry is read once, at first import.
EXERCISES: tuple[str, ...] = names()
