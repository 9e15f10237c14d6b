"""Fixtures of the hidden suites: the learner under test, and seeded randomness."""
import zlib

import numpy as np
import pytest

from grader.remote import Learner
from grader.runner import LEARNER_KEY


@pytest.fixture(scope="session")
def learner(request: pytest.FixtureRequest) -> Learner:
    return request.config.stash[LEARNER_KEY]


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """Random inputs that are the same on every run of the same test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))
