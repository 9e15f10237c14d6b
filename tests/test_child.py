"""The child's own checks, run here on a Server object without any process around it."""
import importlib.util
import sys
import types

import numpy as np
import pytest

from grader.sandbox.inside import layers
from grader.sandbox.inside import protocol
from grader.paths import PACKAGE_DIR


@pytest.fixture
def child():
    spec = importlib.util.spec_from_file_location("child_under_test", PACKAGE_DIR / "sandbox" / "inside" / "child.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_modules():
    added = []

    def add(name):
        sys.modules[name] = types.ModuleType(name)
        added.append(name)
    yield add
    for name in added:
        sys.modules.pop(name, None)


def test_a_forbidden_module_that_appears_after_earlier_checks_is_caught_every_time(
        child, fake_modules):
    server = child.Server(protocol, np, layers, "/nowhere", forbidden=("cnnforbiddenlib",))
    server.check_forbidden()  # everything present now is allowed, and remembered as such
    fake_modules("cnnallowedlib")
    server.check_forbidden()
    # Only a submodule's name: the top-level package was taken out of sys.modules.
    fake_modules("cnnforbiddenlib.signal")
    for _ in range(2):
        with pytest.raises(child.ForbiddenModule, match="cnnforbiddenlib may not be used"):
            server.check_forbidden()


def test_without_forbidden_libraries_nothing_is_scanned(child, fake_modules):
    server = child.Server(protocol, np, layers, "/nowhere")
    fake_modules("cnnforbiddenlib")
    server.check_forbidden()
    assert server.cleared == set()
