"""Spot forbidden shortcuts in the numpy-only exercises before running them.

This static check reads the source in the grader (``ast.parse`` runs no
code). It catches the honest mistake early with a precise message; the
child's import blocker and its ``sys.modules`` check catch what a static
scan cannot see (imports built from strings at run time), and what the
kernel maps into the child's processes catches what no scrubbing of
``sys.modules`` undoes (``loaded_libraries``).
"""
from __future__ import annotations

from typing import Any

from grader import preflight, registry
from grader.preflight import shortcut_message
from grader.registry import Exercise
from grader.sandbox import isolation

__all__ = ["forbidden_imports", "shortcut_message", "refused_import", "loaded_libraries"]


def forbidden_imports(source: bytes, exercise: str) -> list[str]:
    """Forbidden top-level module names that ``source`` imports where it runs
    at grading (grader/preflight.py, the rule ``check`` applies too), sorted."""
    return [f.module for f in preflight.forbidden_imports(source, registry.get(exercise).forbidden)]


def refused_import(exercise: Exercise, reply: dict[str, Any]) -> str | None:
    """Why the exercise scores 0, where the child refused a forbidden import (its
    blocker or audit hook raised ForbiddenModule, whose message starts with the
    module's name); else None."""
    exc = reply.get("exc")
    if not exercise.forbidden or type(exc) is not dict or exc.get("type") != "ForbiddenModule":
        return None
    name = str(exc.get("message", "")).split(" ", 1)[0].split(".")[0]
    return shortcut_message(exercise.name, [name]) if name in exercise.forbidden else None


def loaded_libraries(exercise: Exercise, pids: list[int]) -> str | None:
    """Why the exercise scores 0, where one of ``pids`` has a forbidden library
    loaded (its shared objects in /proc/PID/maps); else None."""
    found = isolation.loaded_forbidden(pids, exercise.forbidden)
    if not found:
        return None
    return shortcut_message(exercise.name, found) + (
        " (found loaded in its process, whatever sys.modules said)")
