"""The naive baseline's pytest plugin: the hidden suites against learner code imported directly.

This is what a grader without a sandbox does: one ``pytest`` process per
submission, the learner's modules imported into that same process, the same
hidden suites, results read from JUnit XML. The suites reach the learner
through the ``learner`` fixture; here it calls the learner's functions in
this process (through the child's own request handler, so that the suites see
exactly the values they see in the real grader, without any pipe or child).

Used by ``bench_batch.py``: ``NAIVE_SUBMISSION=DIR python -m pytest -p naive_plugin ...``
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from grader import policy, registry
from grader.sandbox.inside import layers
from grader.sandbox.inside import protocol
from grader.sandbox.faults import LearnerException
from grader.paths import PACKAGE_DIR
from grader.registry import EXERCISES
from grader.sandbox.remote import Learner
from grader.suites.runner import LEARNER_KEY


def _load_child_module():
    spec = importlib.util.spec_from_file_location("naive_child", PACKAGE_DIR / "sandbox" / "inside" / "child.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class InProcess:
    """Stands where a Sandbox would: same requests, answered in this very process."""

    def __init__(self, module: str, server) -> None:
        self.module, self._server = module, server

    def request(self, message: dict, *, what: str, task: str | None = None):
        # ``task`` is the Sandbox's budget per learner function; nothing is budgeted here.
        reply = self._server.handle(message)
        if "exc" in reply:
            raise LearnerException.from_wire(reply["exc"], what)
        return protocol.decode(reply["ok"], max_elements=policy.MAX_ARRAY_ELEMENTS,
                               max_depth=policy.MAX_NESTING, make_layer=None)


def pytest_configure(config) -> None:
    submission = Path(os.environ["NAIVE_SUBMISSION"])
    sys.path.insert(0, str(submission))
    # The provided modules (transfer's pretrained.py) come from the grader's own
    # copies, as in the child: after the submission, like the runtime's support folder.
    for folder in sorted({str(p.parent) for p in registry.provided_files()}):
        sys.path.insert(1, folder)
    server = _load_child_module().Server(protocol, np, layers, str(submission))
    server.max_elements = policy.MAX_ARRAY_ELEMENTS
    boxes = {}
    for name in EXERCISES:
        box = boxes[name] = InProcess(name, server)
        try:
            box.request({"op": "import", "module": name}, what=f"import {name}")
        except LearnerException:
            pass  # its tests fail when they call it, as in a naive grader
    config.stash[LEARNER_KEY] = Learner(boxes)
    try:  # per-learner random inputs, where the grader has them
        from grader.suites.runner import SEEDING_KEY
        from grader.suites.seeding import self_check
        config.stash[SEEDING_KEY] = self_check("")
    except ImportError:
        pass


def pytest_unconfigure(config) -> None:
    """Forgets this learner's modules, so that one process can grade the next (suite_floor.py)."""
    submission = os.environ["NAIVE_SUBMISSION"]
    provided = registry.provided_files()
    folders = {str(p.parent) for p in provided}
    sys.path[:] = [p for p in sys.path if p != submission and p not in folders]
    for name in (*EXERCISES, "layers", *(p.stem for p in provided if p.suffix == ".py")):
        module = sys.modules.get(name)
        if module is not None and module is not layers:
            del sys.modules[name]
