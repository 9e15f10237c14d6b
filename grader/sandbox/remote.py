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
        reply, what = self._call(args, kwargs, keep=False)
        mutated = reply.get("mutated")
        return CallResult(sanitize.returned(reply["value"]),
                          tuple(mutated) if isinstance(mutated, list) else ())

    def keeping(self, *args: Any, **kwargs: Any) -> "RemoteObject":
        """Call, and keep what it returns (a model) in the child, as a ``RemoteObject``."""
        reply, what = self._call(args, kwargs, keep=True)
        if type(reply["value"]) is not int:
            raise LearnerCrash(f"{what}: the child sent a malformed reply")
        return RemoteObject(self._sandbox, reply["value"], what, task=self._name)

    def _call(self, args: tuple, kwargs: dict, *, keep: bool) -> tuple[dict, str]:
        # A RemoteObject argument (a model built in the child) travels as its
        # handle alone; the child puts its own object in its place.
        objects = [[i, a._handle] for i, a in enumerate(args) if isinstance(a, RemoteObject)]
        objects += [[k, v._handle] for k, v in kwargs.items() if isinstance(v, RemoteObject)]
        plain = [None if isinstance(a, RemoteObject) else a for a in args]
        named = {k: None if isinstance(v, RemoteObject) else v for k, v in kwargs.items()}
        what = _call_text(self._sandbox.module, self._name, args, kwargs)
        message = {"op": "call", "module": self._sandbox.module, "name": self._name,
                   "args": _wire(plain), "kwargs": _wire(named)}
        if objects or keep:
            message.update(objects=objects, keep=keep)
        reply = self._sandbox.request(message, what=what, task=self._name)
        if type(reply) is not dict or "value" not in reply:
            raise LearnerCrash(f"{what}: the child sent a malformed reply")
        return reply, what

    def new(self, *args: Any, **kwargs: Any) -> "RemoteObject":
        """Construct an instance of the learner's class (e.g. a torch module)."""
        what = _call_text(self._sandbox.module, self._name, args, kwargs)
        handle = self._sandbox.request(
            {"op": "new", "module": self._sandbox.module, "name": self._name,
             "args": _wire(list(args)), "kwargs": _wire(kwargs)}, what=what, task=self._name)
        if type(handle) is not int:
            raise LearnerCrash(f"{what}: the child sent a malformed reply")
        return RemoteObject(self._sandbox, handle, what, task=self._name)


class RemoteObject:
    """A torch module built in the child (by the learner's code, or from a provided
    module), inspected and run from outside.

    ``task`` is the learner's function or class that built it: the requests
    on the object count against that task's timeouts.
    """

    def __init__(self, sandbox: Sandbox, handle: int, built_by: str, *,
                 task: str | None = None) -> None:
        self._sandbox, self._handle, self.built_by = sandbox, handle, built_by
        self._task = task

    def __repr__(self) -> str:  # in call texts: stable, never a memory address
        return "model"

    def _inspect(self, what: str) -> Any:
        return sanitize.returned(self._sandbox.request(
            {"op": "inspect", "handle": self._handle, "what": what},
            what=f"{self.built_by}: {what}", task=self._task))

    def named_parameter_shapes(self) -> dict[str, tuple]:
        return self._inspect("named_parameter_shapes")

    def state_dict_shapes(self) -> dict[str, tuple]:
        return self._inspect("state_dict_shapes")

    def named_module_types(self) -> dict[str, str]:
        return self._inspect("named_module_types")

    def parameter_count(self) -> int:
        return self._inspect("parameter_count")

    def parameter_total(self) -> int:
        """Every parameter, trainable or frozen."""
        return self._inspect("parameter_total")

    def requires_grad(self) -> dict[str, bool]:
        return self._inspect("requires_grad")

    def leaf_layers(self) -> list:
        """[name, type, fields, own parameter count] per leaf module (child.describe_layer)."""
        return self._inspect("layers")

    def state_dict(self) -> dict[str, np.ndarray]:
        return self._inspect("state_dict")

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        self._sandbox.request({"op": "load_state_dict", "handle": self._handle,
                               "state": _wire(dict(state))},
                              what=f"{self.built_by}.load_state_dict(...)", task=self._task)

    def forward(self, x: np.ndarray, *, train: bool) -> Any:
        mode = "train" if train else "eval"
        return sanitize.returned(self._sandbox.request(
            {"op": "forward", "handle": self._handle, "x": _wire(x), "train": bool(train)},
            what=f"{self.built_by} in {mode} mode, forward(array{tuple(x.shape)} {x.dtype})",
            task=self._task))


def provided_object(sandbox: Sandbox, module: str, name: str, *args: Any,
                    seed: int | None = None) -> RemoteObject:
    """Build ``module.name(*args)`` in the child from a provided module (the grader's
    copy, e.g. pretrained.DigitsNet). With ``seed``, torch's generator in the
    child is seeded first, so what is drawn next is the same on every run."""
    sandbox.request({"op": "import", "module": module}, what=f"import {module}")
    if seed is not None:
        sandbox.request({"op": "seed", "seed": int(seed)}, what="torch.manual_seed")
    what = _call_text(module, name, args, {})
    handle = sandbox.request({"op": "new", "module": module, "name": name,
                              "args": _wire(list(args)), "kwargs": _wire({})}, what=what)
    if type(handle) is not int:
        raise LearnerCrash(f"{what}: the child sent a malformed reply")
    return RemoteObject(sandbox, handle, what)


class Learner:
    """``learner.<exercise>`` for each exercise module of one submission."""

    def __init__(self, sandboxes: Mapping[str, Sandbox]) -> None:
        self._modules = {name: RemoteModule(box) for name, box in sandboxes.items()}

    def sandbox(self, name: str) -> Sandbox:
        """The child of exercise ``name`` (to build a provided object in it)."""
        return self._modules[name]._sandbox

    def __getattr__(self, name: str) -> RemoteModule:
        try:
            return self.__dict__["_modules"][name]
        except KeyError:
            raise AttributeError(name) from None
