"""Fixtures of the hidden suites: the learner under test, and per-learner randomness.

A test that asks for ``rng`` draws its random inputs from its own seed, which
comes from the learner id, the exercise, the test's name and the course
secret (``grader/suites/seeding.py``). A property test (hypothesis) gets the same
seed for its examples. Tests that ask for neither (the lesson's worked
examples, edge and error cases) are the same for every learner.

The runner registers this module as a pytest plugin, so the suites in the
units need no conftest of their own.
"""
from __future__ import annotations

import numpy as np
import pytest

from grader import registry
from grader.sandbox.remote import Learner
from grader.suites.seeding import Seeding

# Where the fixtures find this grading's learner (set by the runner's plugin).
LEARNER_KEY = pytest.StashKey[Learner]()
# Whose seeds the suites draw from (the learner id and course secret), and,
# on each test item, the seed it drew.
SEEDING_KEY = pytest.StashKey[Seeding]()
TEST_SEED_KEY = pytest.StashKey[int]()
# On each test item, the picture it shows whether it passes or not.
EXHIBIT_KEY = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def learner(request: pytest.FixtureRequest) -> Learner:
    return request.config.stash[LEARNER_KEY]


@pytest.fixture
def seed(request: pytest.FixtureRequest) -> int:
    """This learner's seed for this test; recorded, so that a report can show it."""
    exercise = registry.exercise_of(str(request.node.fspath))
    value = request.config.stash[SEEDING_KEY].seed(exercise, request.node.name)
    request.node.stash[TEST_SEED_KEY] = value
    return value


@pytest.fixture(scope="module")
def module_seed(request: pytest.FixtureRequest) -> int:
    """This learner's seed for work a whole suite shares (a network trained once)."""
    exercise = registry.exercise_of(str(request.node.fspath))
    return request.config.stash[SEEDING_KEY].seed(exercise, "module") % 2**31


@pytest.fixture
def exhibit(request: pytest.FixtureRequest):
    """``exhibit(kind=..., ...)`` records the picture the report shows for this test,
    passed or failed (its kinds: registry.ExhibitKind)."""
    def record(**data) -> None:
        request.node.stash[EXHIBIT_KEY] = data
    return record


@pytest.fixture
def rng(seed: int) -> np.random.Generator:
    """Random inputs: the same on every run for one learner, different for another."""
    return np.random.default_rng(seed)


@pytest.fixture(autouse=True)
def _per_learner_examples(request: pytest.FixtureRequest):
    """Point a property test's example generator at this learner's seed, for this run."""
    test = getattr(request.node, "obj", None)
    if test is None or not getattr(test, "is_hypothesis_test", False):
        yield
        return
    # This is the attribute hypothesis.seed() sets; setting it directly (and
    # putting it back) avoids stacking a new settings object on the function
    # at every grading of a long-lived batch worker. It wins over derandomize.
    saved = getattr(test, "_hypothesis_internal_use_seed", None)
    test._hypothesis_internal_use_seed = request.getfixturevalue("seed")
    try:
        yield
    finally:
        test._hypothesis_internal_use_seed = saved
