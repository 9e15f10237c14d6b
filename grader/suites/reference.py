"""The reference solutions, loaded into the grader's process for the suites.

They are imported by path under private names, so they never shadow a
learner module and never sit on ``sys.path`` where a child could find them.
"""
from __future__ import annotations

import importlib.util
import sys
from functools import cache
from types import ModuleType

from grader.errors import SuiteError
from grader import registry


@cache
def reference(exercise: str) -> ModuleType:
    if exercise not in registry.names():
        raise SuiteError(f"no reference solution named {exercise!r}; "
                         f"choose one of {', '.join(registry.names())}")
    path = registry.get(exercise).solution
    name = f"_cnn_grader_reference_{exercise}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SuiteError(f"reference solution {path} is missing; reinstall from a "
                         "source checkout")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
