"""The stubs are clear tasks: same signatures as the solutions, a docstring
with an example, and a NotImplementedError that names the task."""
import importlib.util
import inspect
import sys

import pytest

from grader.layout import EXERCISES, EXERCISES_DIR, PACKAGE_DIR, SOLUTIONS_DIR


def load(folder, name):
    sys.path.insert(0, str(PACKAGE_DIR))  # for `from layers import ...` in docstring imports
    try:
        spec = importlib.util.spec_from_file_location(f"_{folder.name}_{name}", folder / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(PACKAGE_DIR))


def public(module):
    return {n: obj for n, obj in vars(module).items()
            if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__}


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_and_solution_have_identical_signatures(name):
    stub, solution = public(load(EXERCISES_DIR, name)), public(load(SOLUTIONS_DIR, name))
    assert set(stub) == set(solution)
    for attr, obj in stub.items():
        if inspect.isclass(obj):
            for method in ("__init__", "forward"):
                assert inspect.signature(getattr(obj, method)) == inspect.signature(
                    getattr(solution[attr], method)), f"{name}.{attr}.{method}"
        else:
            assert inspect.signature(obj) == inspect.signature(solution[attr]), f"{name}.{attr}"


@pytest.mark.parametrize("name", EXERCISES)
def test_every_stub_teaches_and_names_its_task(name):
    module = load(EXERCISES_DIR, name)
    assert module.__doc__ and "Task" in module.__doc__
    for attr, obj in public(module).items():
        doc = inspect.getdoc(obj) or ""
        assert ">>>" in doc or "Example" in doc, f"{name}.{attr} has no example"
        assert f"Task {name}." in doc, f"{name}.{attr} does not name its task"
        args = [1] * (len(inspect.signature(obj).parameters) - (1 if inspect.isclass(obj) else 0))
        if inspect.isclass(obj):
            args = [1, 1]
        with pytest.raises(NotImplementedError, match=f"Task {name}\\."):
            obj(*args)
