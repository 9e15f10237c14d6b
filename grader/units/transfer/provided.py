"""The grader's side of the provided DigitsNet: its class and its shipped weights.

The learner's copies are ``exercises/pretrained.py`` and ``exercises/digitsnet.npz``
(the manifest's ``provided``). The grader reads the same files: in the child,
through the runtime's support folder, and here, for the from-scratch
baseline and the checks of the weights.
"""
from __future__ import annotations

import importlib.util
from functools import cache
from types import ModuleType

import numpy as np

from grader import registry
from grader.errors import SuiteError


def provided_path(name: str):
    for path in registry.get("transfer").provided_files:
        if path.name == name:
            return path
    raise SuiteError(f"the transfer unit provides no {name}")


@cache
def module() -> ModuleType:
    """exercises/pretrained.py, imported under a name no learner module can take."""
    path = provided_path("pretrained.py")
    spec = importlib.util.spec_from_file_location("_cnn_grader_pretrained", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SuiteError(f"{path} is missing; reinstall from a source checkout")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def DigitsNet(num_classes: int = 5):  # noqa: N802 - stands for the class
    return module().DigitsNet(num_classes)


def pretrained_state() -> dict[str, np.ndarray]:
    """The shipped weights, name -> array (a fresh copy each call)."""
    with np.load(provided_path("digitsnet.npz"), allow_pickle=False) as saved:
        return {k: saved[k].copy() for k in saved.files}
