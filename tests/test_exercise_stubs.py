"""The stubs learners start from agree with the reference solutions.

For every exercise module, exercises/<name>.py (the stub) and
solutions/<name>.py (the reference) must offer the same public functions and
classes with the same signatures, so that a learner who fills in the stub is
graded against exactly the interface they were given. Each stub must also be
a clear task: it raises NotImplementedError naming its task, and its
docstring carries a worked example, which must hold for the reference.
"""
from __future__ import annotations

import doctest
import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
from torch import nn

from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader import registry
from grader.registry import EXERCISES
from grader.sandbox.forbidden import forbidden_imports


def _load(path: Path, name: str) -> ModuleType:
    """Import a file by path under a private name, with exercises/ importable.

    The stubs (and their docstring examples) may say ``from layers import
    ...``; layers.py lives in exercises/, so that folder must be on sys.path
    while they run. Nothing is left behind in sys.path or sys.modules.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    with _exercises_on_path():
        spec.loader.exec_module(module)
    return module


class _exercises_on_path:
    def __enter__(self):
        self._had_layers = "layers" in sys.modules
        sys.path.insert(0, str(EXERCISES_DIR))

    def __exit__(self, *exc):
        sys.path.remove(str(EXERCISES_DIR))
        if not self._had_layers:
            sys.modules.pop("layers", None)
        return False


@pytest.fixture(scope="module", params=EXERCISES)
def pair(request) -> tuple[str, ModuleType, ModuleType]:
    name = request.param
    stub = _load(EXERCISES_DIR / f"{name}.py", f"_stub_{name}")
    solution = _load(SOLUTIONS_DIR / f"{name}.py", f"_solution_{name}")
    return name, stub, solution


def public_api(module: ModuleType) -> dict[str, object]:
    """Functions and classes defined in ``module`` whose names do not start with _."""
    return {name: obj for name, obj in vars(module).items()
            if not name.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__}


# Every public name of every stub, the task it belongs to, and arguments that
# reach its body. A new stub function must be added here.
TASKS = {
    "conv": {
        "conv_output_size": ("conv.1", lambda: (32, 3)),
        "conv2d": ("conv.2", lambda: (np.zeros((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))),
    },
    "pooling": {
        "max_pool2d": ("pooling.1", lambda: (np.zeros((1, 1, 4, 4)), 2)),
        "avg_pool2d": ("pooling.2", lambda: (np.zeros((1, 1, 4, 4)), 2)),
        "global_avg_pool2d": ("pooling.3", lambda: (np.zeros((1, 2, 3, 3)),)),
    },
    "params": {
        "conv2d_params": ("params.1", lambda: (3, 64, 3)),
        "linear_params": ("params.2", lambda: (400, 120)),
        "count_params": ("params.3", lambda: ([],)),
    },
    "receptive_field": {
        "receptive_field": ("receptive_field.1", lambda: ([],)),
        "effective_stride": ("receptive_field.2", lambda: ([],)),
    },
    "residual": {
        "ResidualBlock": ("residual.1", lambda: (4, 4)),
    },
    "backward": {
        "conv2d_backward": ("backward.1", lambda: (np.ones((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)),
                                                   np.ones((1, 1, 2, 2)))),
        "max_pool2d_backward": ("backward.2", lambda: (np.ones((1, 1, 2, 2)),
                                                       np.zeros((1, 1, 4, 4)), 2)),
        "avg_pool2d_backward": ("backward.3", lambda: (np.ones((1, 1, 2, 2)),
                                                       np.zeros((1, 1, 4, 4)), 2)),
    },
    "im2col": {
        "im2col": ("im2col.1", lambda: (np.zeros((1, 1, 3, 3)), 2)),
        "conv2d_matmul": ("im2col.2", lambda: (np.zeros((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))),
        "avg_pool_as_conv": ("im2col.3", lambda: (2, 2)),
    },
    "training": {
        "learn_kernel": ("training.1", lambda: (np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 2, 2)), 3)),
        "build_digits_cnn": ("training.2", lambda: ()),
        "train_classifier": ("training.3", lambda: (None, np.zeros((1, 1, 8, 8)), np.zeros(1))),
    },
    "transfer": {
        "prepare_for_transfer": ("transfer.1", lambda: (None, 5)),
        "fine_tune": ("transfer.2", lambda: (None, np.zeros((1, 1, 8, 8)), np.zeros(1))),
    },
}


def _shape(signature: inspect.Signature) -> list[tuple]:
    """What a caller relies on: names, kinds and defaults (annotations are cosmetic)."""
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def test_every_exercise_is_covered():
    assert set(TASKS) == set(EXERCISES)
    # The calls below are this test's; the names are the manifests'.
    assert {e: sorted(TASKS[e]) for e in EXERCISES} == {
        e: sorted(registry.get(e).tasks) for e in EXERCISES}


def test_stubs_and_solutions_offer_the_same_names(pair):
    name, stub, solution = pair
    assert sorted(public_api(stub)) == sorted(public_api(solution)), name
    assert sorted(public_api(stub)) == sorted(TASKS[name]), (
        f"exercises/{name}.py has public names the TASKS table of this test does not list")


def test_signatures_are_identical(pair):
    name, stub, solution = pair
    for attr, obj in public_api(stub).items():
        ref = getattr(solution, attr)
        if inspect.isclass(obj):
            assert issubclass(obj, nn.Module) and issubclass(ref, nn.Module), attr
            for method in ("__init__", "forward"):
                assert _shape(inspect.signature(getattr(obj, method))) == \
                    _shape(inspect.signature(getattr(ref, method))), f"{name}.{attr}.{method}"
        else:
            assert _shape(inspect.signature(obj)) == _shape(inspect.signature(ref)), \
                f"{name}.{attr}"


def test_stubs_raise_not_implemented_naming_their_task(pair):
    name, stub, _ = pair
    for attr, (task, make_args) in TASKS[name].items():
        obj = getattr(stub, attr)
        with pytest.raises(NotImplementedError, match=rf"\bTask {task}\b"):
            obj(*make_args())
        if inspect.isclass(obj):
            # forward must be a task too, even on an object built without the
            # stub's __init__ (which raises before creating anything).
            block = obj.__new__(obj)
            nn.Module.__init__(block)
            with pytest.raises(NotImplementedError, match=rf"\bTask {task}\b"):
                block.forward(torch.zeros(1, 4, 4, 4))


def test_stubs_teach_with_docstrings(pair):
    name, stub, _ = pair
    assert stub.__doc__ and len(stub.__doc__.split()) >= 30, f"{name}: module docstring"
    for attr, obj in public_api(stub).items():
        doc = inspect.getdoc(obj) or ""
        task = TASKS[name][attr][0]
        assert f"Task {task}" in doc, f"{name}.{attr} docstring does not name task {task}"
        assert ">>>" in doc, f"{name}.{attr} docstring has no example"


def test_docstring_examples_hold_for_the_reference(pair):
    """Run each stub's examples with the reference solution's functions in place."""
    name, stub, solution = pair
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    failures = []
    for attr, obj in public_api(stub).items():
        globs = {"np": np, "torch": torch, **vars(solution)}
        test = parser.get_doctest(inspect.getdoc(obj) or "", globs, f"{name}.{attr}",
                                  str(EXERCISES_DIR / f"{name}.py"), 0)
        assert test.examples, f"{name}.{attr} has no runnable example"
        with _exercises_on_path():
            result = runner.run(test, out=failures.append, clear_globs=True)
        assert result.failed == 0, "".join(failures)


@pytest.mark.parametrize("name", EXERCISES)
def test_numpy_only_stubs_pass_the_import_check(name):
    source = (EXERCISES_DIR / f"{name}.py").read_bytes()
    assert forbidden_imports(source, name) == []
