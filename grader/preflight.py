"""Static checks of a learner's module, shared by grading and by ``check``.

Grading and the learner's own ``check`` call these same functions, so that a
rule that can cost a whole exercise at grading (a forbidden library, a file
that does not compile) is one rule, and shows up in ``check`` first. Nothing
here runs learner code: ``ast.parse`` and ``compile`` only read it.

Code under ``if __name__ == "__main__":`` never runs when the grader imports
the module, so an import there is not a shortcut and is not punished.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from grader import registry


@dataclass(frozen=True)
class ForbiddenImport:
    module: str  # the top-level name, e.g. "torch"
    line: int


def syntax_problem(source: bytes | str, filename: str) -> str | None:
    """Why ``source`` does not compile ("line 3: invalid syntax"), or None."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"it cannot be compiled ({type(exc).__name__}: {exc})"
    return None


def forbidden_imports(source: bytes | str, forbidden: tuple[str, ...] | list[str]) -> list[ForbiddenImport]:
    """Each import of a module in ``forbidden`` that runs when the module is
    imported (first line of each module), sorted by module name."""
    if not forbidden:
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # syntax_problem reports it
    found: dict[str, int] = {}
    for node in _walk_skipping_main_guard(tree):
        for name in _imported_names(node):
            top = name.split(".")[0]
            if top in forbidden and top not in found:
                found[top] = getattr(node, "lineno", 0)
    return [ForbiddenImport(module, found[module]) for module in sorted(found)]


def _imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module]
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("__import__", "import_module") and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def _walk_skipping_main_guard(tree: ast.AST):
    """ast.walk, less the bodies of top-level ``if __name__ == "__main__":``
    (their ``else`` branch does run, so it is kept)."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.Module) and _is_main_guard(child):
                assert isinstance(child, ast.If)
                pending.extend(child.orelse)
                continue
            pending.append(child)


def _is_main_guard(node: ast.AST) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


def shortcut_message(exercise: str, modules: list[str]) -> str:
    """The one wording of the forbidden-library rule (grading and ``check``)."""
    numpy_only = exercise in registry.names() and registry.get(exercise).flavour == "numpy"
    why = (f"{exercise}.py must be written with numpy alone" if numpy_only else
           f"{exercise}.py learns from the data the grader gives it, not from a library's copy")
    return (f"{exercise}.py uses {', '.join(modules)}, which this exercise does not allow: "
            f"{why}, so it scores 0")


def zero_reasons(exercise: str, source: bytes | str | None,
                 forbidden: tuple[str, ...] | list[str]) -> list[str]:
    """Why grading would score ``exercise`` 0 from its source alone ([] if nothing)."""
    if source is None:
        return [f"{exercise}.py is missing"]
    problem = syntax_problem(source, f"{exercise}.py")
    if problem:
        return [f"{exercise}.py does not compile ({problem}), so none of its tests can run"]
    found = forbidden_imports(source, forbidden)
    if found:
        lines = ", ".join(f"{f.module} on line {f.line}" for f in found)
        return [shortcut_message(exercise, [f.module for f in found]) + f" (imports {lines})"]
    return []
