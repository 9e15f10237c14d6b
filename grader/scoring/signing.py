"""Signed results: an HMAC-SHA256 over the canonical JSON of a grading.

``cnn-grader grade --sign-key FILE`` adds a ``signature`` object to the JSON
result: the algorithm, the time of signing and the HMAC, which covers every
other byte of meaning in the document (scores, tests and their seeds and
statuses, learner id, grader version, submission fingerprint) and the time.
The canonical form (sorted keys, no whitespace, UTF-8) makes the signature
independent of indentation, so a result that is only re-indented still
verifies, while any changed value, key or character does not.

``cnn-grader verify`` checks a result with the same key, and can also check
that the result belongs to a given submission (its fingerprint) and learner,
which catches a genuine result copied onto someone else's work.

Gradebook rows are signed the same way, row by row (``sign_row``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from grader.errors import UsageError
from grader.keys import SIGN_KEY_ENV, key_path, read_key_file

ALGORITHM = "HMAC-SHA256"
SIGNATURE_KEY = "signature"  # the JSON key of the signature object (and of a row's column)


def load_sign_key(given: Path | None) -> bytes | None:
    """The signing key in ``given``, else in the file $CNN_GRADER_SIGN_KEY_FILE names, else None."""
    path = key_path(given, SIGN_KEY_ENV)
    return None if path is None else read_key_file(path, what="signing key", env_var=SIGN_KEY_ENV)


def canonical_json(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _mac(key: bytes, value: Any) -> str:
    return hmac.new(key, canonical_json(value), hashlib.sha256).hexdigest()


def _unsigned(doc: Mapping[str, Any], signature: Mapping[str, Any]) -> dict[str, Any]:
    """What the HMAC covers: the document, with the signature object minus its value."""
    meta = {k: v for k, v in signature.items() if k != "value"}
    return {**{k: v for k, v in doc.items() if k != SIGNATURE_KEY}, SIGNATURE_KEY: meta}


def sign_result(doc: Mapping[str, Any], *, key: bytes, now: datetime | None = None) -> dict[str, Any]:
    """``doc`` (a JSON result) with a ``signature`` object added."""
    signed_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    meta = {"algorithm": ALGORITHM, "signed_at": signed_at.isoformat(timespec="seconds")}
    return {**doc, SIGNATURE_KEY: {**meta, "value": _mac(key, _unsigned(doc, meta))}}


@dataclass(frozen=True)
class Verification:
    genuine: bool
    reason: str  # why not, or what was checked


def verify_result(doc: Any, *, key: bytes, fingerprint: str | None = None,
                  learner: str | None = None) -> Verification:
    """Whether ``doc`` is a result this key signed, unchanged, and (when given) for
    the submission with ``fingerprint`` and for ``learner``."""
    signature = doc.get(SIGNATURE_KEY) if isinstance(doc, dict) else None
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        return Verification(False, "the result is not signed (it has no signature object)")
    if signature.get("algorithm") != ALGORITHM:
        return Verification(False, f"unknown signature algorithm {signature.get('algorithm')!r}")
    try:
        expected = _mac(key, _unsigned(doc, signature))
    except ValueError as exc:  # NaN or infinity: never written by the grader
        return Verification(False, f"the result holds a value JSON does not allow ({exc})")
    if not hmac.compare_digest(expected.encode(), signature["value"].encode("utf-8")):
        return Verification(False, "the signature does not match: the result was changed "
                                   "after it was signed, or signed with another key")
    if fingerprint is not None and doc.get("fingerprint") != fingerprint:
        return Verification(False, f"the result is for another submission: its fingerprint is "
                                   f"{doc.get('fingerprint')}, the submission's is {fingerprint}")
    if learner is not None and doc.get("learner_id") != learner:
        return Verification(False, f"the result is for learner {doc.get('learner_id')!r}, "
                                   f"not {learner!r}")
    checked = ["signature"] + ["submission"] * (fingerprint is not None) + \
        ["learner"] * (learner is not None)
    return Verification(True, f"genuine ({', '.join(checked)} checked; signed at "
                              f"{signature.get('signed_at')})")


def verify_file(*, result: Path, key_file: Path | None, submission: Path | None = None,
                learner: str | None = None) -> Verification:
    """``verify_result`` for a result file, with the key from ``key_file`` (or the
    environment) and the fingerprint computed from ``submission`` when given."""
    key = load_sign_key(key_file)
    if key is None:
        raise UsageError("no signing key: verifying needs the key the result was signed with",
                         hint=f"pass --sign-key FILE, or set {SIGN_KEY_ENV}=FILE")
    try:
        doc = json.loads(Path(result).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"the result file {result} does not exist",
                         hint="pass the JSON that cnn-grader grade --json wrote") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Verification(False, f"{result} is not a readable JSON result ({exc})")
    return verify_result(doc, key=key, learner=learner,
                         fingerprint=None if submission is None else _fingerprint_of(submission))


def _fingerprint_of(submission: Path) -> str:
    from grader.sandbox import scratch
    from grader.intake.submission import take

    with scratch.folder("verify") as tmp:
        return take(Path(submission), Path(tmp)).fingerprint


def sign_row(row: Mapping[str, Any], *, key: bytes) -> str:
    """The signature of one gradebook row (every column but ``signature`` itself)."""
    return _mac(key, {k: v for k, v in row.items() if k != SIGNATURE_KEY})


def verify_row(row: Mapping[str, Any], signature: str | None = None, *, key: bytes) -> bool:
    """Whether ``signature`` (default: the row's own ``signature`` column) signs ``row``."""
    given = row.get(SIGNATURE_KEY, "") if signature is None else signature
    return isinstance(given, str) and \
        hmac.compare_digest(sign_row(row, key=key).encode(), given.encode("utf-8"))
