"""Spot forbidden shortcuts in the numpy-only exercises before running them.

This static check reads the source in the grader (``ast.parse`` runs no
code). It catches the honest mistake early with a precise message; the
child's import blocker and its ``sys.modules`` check catch what a static
scan cannot see (imports built from strings at run time), and what the
kernel maps into the child's processes catches what no scrubbing of
``sys.modules`` undoes (``loaded_libraries``).
"""
from __future__ import annotations

import ast
from typing import Any

from grader import registry
from grader.registry import Exercise
from grader.sandbox import isolation


def forbidden_imports(source: bytes, exercise: str) -> list[str]:
    """Forbidden top-level module names that ``source`` imports, sorted."""
    forbidden = set(registry.get(exercise).forbidden)
    if not forbidden:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the import in the child reports the real problem
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
                found.add(node.args[0].value.split(".")[0])
    return sorted(found & forbidden)


def shortcut_message(exercise: str, modules: list[str]) -> str:
    return (f"{exercise}.py uses {', '.join(modules)}, which this exercise does not allow: "
            f"{exercise}.py must be written with numpy alone, so it scores 0")


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
