"""Per-learner random inputs: the seed each hidden test draws its inputs from.

A test's seed is an HMAC-SHA256 of (learner id, exercise, test name, the
fingerprint of the submitted files) under a course secret. Two learners get
different numbers, so a table of expected outputs posted by one is worthless
to the next; a resubmission gets new numbers too, so a table that a learner
builds from their own report (its calls and expected values) fails on the
next submission, which must differ to hold the table. The same files always
get the same numbers, so a regrade, or a replay of one test, is exact.
Without the secret nobody can compute a learner's inputs in advance.

The fingerprint is the whole submission's (``intake.fingerprint``), not only
the exercise's module: the child can read every file of the submission, so
a module left unchanged could read a table placed in another file (a data
file, a comment in answers.toml) on the next submission.

Without a configured secret the grader runs in self-check mode: the same
derivation under a fixed, public secret. Inputs still differ per learner, but
anyone with the hidden suites could compute them, so a self-check result says
so (``seeding`` is "self-check") and is for trying the grader out, not for
marks that count.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grader.keys import SECRET_ENV, key_path, read_key_file

SeedingMode = Literal["course", "self-check"]
# Public on purpose (it is in the source): self-check mode hides nothing.
SELF_CHECK_SECRET = b"cnn-grader self-check secret: public, so not for marks that count"
# The derivation's version is part of what is hashed: changing the scheme
# later must change every seed rather than silently reuse old ones.
_CONTEXT = b"cnn-grader hidden-test seed v2"  # v2: the fingerprint joined
# Seeds are kept below 2**53 so that they survive a trip through JSON in any
# language (JavaScript numbers are doubles) and can be typed back by hand.
_SEED_BITS = 53


@dataclass(frozen=True)
class Seeding:
    learner_id: str
    mode: SeedingMode
    secret: bytes = field(repr=False)  # never printed, never in a result
    fingerprint: str = ""  # of the submitted files (intake.fingerprint); "" for none

    def seed(self, exercise: str, test: str) -> int:
        """The seed of ``test`` (its pytest name, parameters included) in ``exercise``."""
        message = b"\0".join(s if isinstance(s, bytes) else s.encode("utf-8")
                             for s in (_CONTEXT, self.learner_id, exercise, test, self.fingerprint))
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") >> (64 - _SEED_BITS)


def self_check(learner_id: str, fingerprint: str = "") -> Seeding:
    return Seeding(learner_id=learner_id, mode="self-check", secret=SELF_CHECK_SECRET,
                   fingerprint=fingerprint)


def seeding_for(learner_id: str, *, secret_file: Path | None = None,
                fingerprint: str = "") -> Seeding:
    """The seeding of one grading: the course secret in ``secret_file`` (else in the
    file $CNN_GRADER_SECRET_FILE names), or self-check mode when neither is set."""
    path = key_path(secret_file, SECRET_ENV)
    if path is None:
        return self_check(learner_id, fingerprint)
    secret = read_key_file(path, what="course secret", env_var=SECRET_ENV)
    return Seeding(learner_id=learner_id, mode="course", secret=secret, fingerprint=fingerprint)


def secret_id(seeding: Seeding) -> str:
    """A public name of the secret behind ``seeding`` (it reveals nothing of it):
    a batch reuses a learner's grading only under the same secret."""
    return hmac.new(seeding.secret, b"cnn-grader secret id", hashlib.sha256).hexdigest()[:16]


def replay_command(*, submission: str, learner_id: str, test_id: str) -> str:
    """The one-line command that grades just ``test_id`` again, with this learner's seed.

    Run where the course secret is configured (the same $CNN_GRADER_SECRET_FILE
    as the grading), from the folder that holds the submission.
    """
    import shlex

    return " ".join(["cnn-grader", "grade", shlex.quote(submission), "--learner",
                     shlex.quote(learner_id), "--only", shlex.quote(test_id)])
