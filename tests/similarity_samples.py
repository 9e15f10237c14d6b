"""Disguised copies and generated classes for the similarity review's tests and benchmark.

A disguise is what a learner who copies does to hide it: every name they
chose renamed (``self`` and the names the grader calls are kept, as a copy
that still passes must keep them), the functions and classes in another
order, the comments replaced and the code laid out anew (``ast.unparse``).
"""
from __future__ import annotations

import ast
import json
import random
from pathlib import Path

from grader import registry
from grader.paths import SOLUTIONS_DIR
from grader.registry import EXERCISES

KEPT = {"self", "cls"}


class _Rename(ast.NodeTransformer):
    def __init__(self, rng: random.Random, public: set[str]) -> None:
        self.rng, self.public, self.names = rng, public, {}

    def new(self, name: str) -> str:
        if name in KEPT or name in self.public:
            return name
        return self.names.setdefault(name, f"{self.rng.choice('abcdefghxyz')}{len(self.names)}"
                                           f"_{self.rng.randrange(10**6)}")

    def visit_arg(self, node):
        node.arg = self.new(node.arg)
        return node

    def visit_Name(self, node):
        if node.id in self.names or isinstance(node.ctx, ast.Store):
            node.id = self.new(node.id)
        return node


def disguise(source: str, seed: int, *, rename: bool = True, reorder: bool = True,
             comments: bool = True) -> str:
    """``source`` with its local names renamed, its top-level definitions
    shuffled and its comments replaced (each part can be left out)."""
    rng = random.Random(seed)
    tree = ast.parse(source)
    public = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    if rename:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                # Parameters keep their names: the hidden suites pass some by keyword.
                keep = {a.arg for a in node.args.args + node.args.kwonlyargs}
                _Rename(rng, public | keep).visit(node)
    if reorder:
        slots = [i for i, n in enumerate(tree.body) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        moved = [tree.body[i] for i in slots]
        rng.shuffle(moved)
        for i, node in zip(slots, moved):
            tree.body[i] = node
    lines = ast.unparse(tree).splitlines()
    if comments:
        lines = [f"{line}  # step {rng.randrange(100)}: my own working" if line.rstrip().endswith(":")
                 else line for line in lines]
    return "\n".join(lines) + "\n"


def bases(exercise: str) -> list[str]:
    """The correct versions of an exercise: the reference and the independent variants."""
    return [(SOLUTIONS_DIR / f"{exercise}.py").read_text()] + \
        [p.read_text() for p in sorted(registry.get(exercise).variants_dir.glob("ok_*.py"))]


def generated_class(n: int, seed: int) -> dict[str, dict[str, str]]:
    """``n`` learners' exercise code: each exercise one of the correct versions,
    disguised differently for every learner, so that no two files are alike."""
    rng = random.Random(seed)
    versions = {name: bases(name) for name in EXERCISES}
    return {f"learner{i:04d}": {name: disguise(rng.choice(versions[name]), rng.randrange(10**9))
                                for name in EXERCISES}
            for i in range(n)}


def write_records(out: Path, learners: dict[str, dict[str, str]]) -> Path:
    """A graded OUT folder holding just what the review reads: learner records with code."""
    folder = out / "learners"
    folder.mkdir(parents=True, exist_ok=True)
    for learner, sources in learners.items():
        (folder / f"{learner}.json").write_text(json.dumps({"learner_id": learner,
                                                            "sources": sources}))
    return out
