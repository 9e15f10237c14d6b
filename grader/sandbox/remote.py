"""Proxies that make learner code look callable from the hidden suites.

``learner.conv.conv2d(x, w)`` in a suite sends the call to the child that
holds the learner's ``conv`` module and returns the decoded reply. What
comes back is plain data only (see ``protocol.decode``), so the suites can
compare it with expected values computed here, in the grader.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from grader import sanitize
from grader.sandbox.inside import layers
from grader.sandbox.inside import protocol
from grader.sandbox.calls import call_text
from grader.sandbox.faults import LearnerCrash
from grader.sandbox.session import Sandbox


def _wire(value: Any) -> Any:
    return protocol.encode(value, layers.ALL)


def _call_text(module: str, name: str, args: tuple, kwargs: dict) -> str:
    return call_text(f"{module}.{name}", *args, **kwargs)


@dataclass(frozen=True)
class CallResult:
    value: Any
    mutated: tuple  # positions (int) or keywords (str) of array arguments changed


class RemoteModule:
    """One learner module, living in its own child process."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox
        self._name = sandbox.module

    def __getattr__(self, name: str) -> "RemoteCallable":
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteCallable(self._sandbox, name)


class RemoteCallable:
    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self._sandbox, self._name = sandbox, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.detailed(*args, **kwargs).value

    def detailed(self, *args: Any, **kwargs: Any) -> CallResult:
        """Call, and also report which array arguments the call modified."""
        what = _call_text(self._sandbox.module, self._name, args, kwargs)
        reply = self._sandbox.request(
            {"op": "call", "module": self._sandbox.module, "name": self._name,
             "args": _wire(list(args)), "kwargs": _wire(kwargs)}, what=what)
        if type(reply) is not dict or "value" not in reply:
            raise LearnerCrash(f"{what}: the child sent a malformed reply")
        mutated = reply.get("mutated")
        return CallResult(sanitize.returned(reply["value"]),
                          tuple(mutated) if isinstance(mutated, list) else ())

    def new(self, *args: Any, **kwargs: Any) -> "RemoteObject":
        """Construct an instance of the learner's class (e.g. a torch module)."""
        what = _call_text(self._sandbox.module, self._name, args, kwargs)
        handle = self._sandbox.request(
            {"op": "new", "module": self._sandbox.module, "name": self._name,
             "args": _wire(list(args)), "kwargs": _wire(kwargs)}, what=what)
        if type(handle) is not int:
            raise LearnerCrash(f"{what}: the child sent a malformed reply")
        return RemoteObject(self._sandbox, handle, what)


class RemoteObject:
    """A torch module built by the learner's code, inspected from outside."""

    def __init__(self, sandbox: Sandbox, handle: int, built_by: str) -> None:
        self._sandbox, self._handle, self.built_by = sandbox, handle, built_by

    def _inspect(self, what: str) -> Any:
        return sanitize.returned(self._sandbox.request(
            {"op": "inspect", "handle": self._handle, "what": what},
            what=f"{self.built_by}: {what}"))

    def named_parameter_shapes(self) -> dict[str, tuple]:
        return self._inspect("named_parameter_shapes")

    def state_dict_shapes(self) -> dict[str, tuple]:
        return self._inspect("state_dict_shapes")

    def named_module_types(self) -> dict[str, str]:
        return self._inspect("named_module_types")

    def parameter_count(self) -> int:
        return self._inspect("parameter_count")

    def state_dict(self) -> dict[str, np.ndarray]:
        return self._inspect("state_dict")

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        self._sandbox.request({"op": "load_state_dict", "handle": self._handle,
                               "state": _wire(dict(state))},
                              what=f"{self.built_by}.load_state_dict(...)")

    def forward(self, x: np.ndarray, *, train: bool) -> Any:
        mode = "train" if train else "eval"
        return sanitize.returned(self._sandbox.request(
            {"op": "forward", "handle": self._handle, "x": _wire(x), "train": bool(train)},
            what=f"{self.built_by} in {mode} mode, forward(array{tuple(x.shape)} {x.dtype})"))


class Learner:
    """``learner.<exercise>`` for each exercise module of one submission."""

    def __init__(self, sandboxes: Mapping[str, Sandbox]) -> None:
        self._modules = {name: RemoteModule(box) for name, box in sandboxes.items()}

    def __getattr__(self, name: str) -> RemoteModule:
        try:
            return self.__dict__["_modules"][name]
        except KeyError:
            raise AttributeError(name) from None
