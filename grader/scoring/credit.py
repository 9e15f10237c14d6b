"""Fail closed: grading for credit only where learner code is walled off.

Grading counts for credit when a course secret or a signing key is in use,
or when the Gradescope bundle grades (``--for-credit``). Then learner code
must not be able to read the grader's files, keys or results, nor change
them, so the grading needs one of the two walls ``isolation.mode`` finds:
namespaces (bubblewrap), or, for a root grader without them, a learner uid
(``learner_uid.py``). With neither (a laptop without bubblewrap, say),
grading for credit refuses with a fix; ``--insecure`` grades anyway and
every result and report then says so in words. Self-check grading always
runs, with a one-line banner.

A signing key is never used where learner code could have read it: not
without isolation, even with ``--insecure`` (a signature would prove only
that some process read the key), and not from a file a learner uid could
read.
"""
from __future__ import annotations

from dataclasses import dataclass

from grader.sandbox import isolation, learner_uid
from grader.errors import IsolationError
from grader.keys import key_files_holding

FIX = ("install bubblewrap where it can create user namespaces (apt-get install bubblewrap; "
       "some distributions also need sysctl kernel.unprivileged_userns_clone=1), or grade "
       "as root, where each learner child runs as its own uid (make learner-python)")
INSECURE_NOTE = ("INSECURE: graded for credit with --insecure, without isolation: learner "
                 "code could read the grader's files and keys and could have changed this "
                 "result")
SELF_CHECK_BANNER = ("Note: no isolation here (no namespaces, not root): fine for a "
                     "self-check, but learner code can read and change the grader's files; "
                     "nothing graded like this may count for credit.")


@dataclass(frozen=True)
class Guard:
    mode: isolation.IsolationMode
    insecure: bool  # for credit without isolation, because --insecure said so


def check(*, for_credit: bool, signing: bool, insecure: bool = False) -> Guard:
    """May this grading go on here? Call it once the key files are read and
    before any learner code runs; raises IsolationError when it may not."""
    mode = isolation.mode()
    if mode == "namespaces":
        return Guard(mode, insecure=False)
    if mode == "learner-uid":
        learner_uid.seal_grader()
        return Guard(mode, insecure=_refuse_exposed(insecure=insecure))
    why = (f"learner code cannot be isolated from the grader here: bubblewrap cannot create "
           f"namespaces, and {learner_uid.unavailable()}")
    if signing:
        raise IsolationError(f"{why}, so a submission could read the signing key and sign a "
                             "forged result: refusing to sign (even with --insecure)",
                             hint=f"{FIX}; or grade without --sign-key")
    if for_credit and not insecure:
        raise IsolationError(f"{why}, so a submission could read the course secret and the "
                             "reference solutions, or rewrite its result: refusing to grade "
                             "for credit", hint=f"{FIX}; or pass --insecure to grade anyway "
                                                "(every result then says it is insecure)")
    return Guard(mode, insecure=for_credit)


def _refuse_exposed(*, insecure: bool) -> bool:
    """A key file a learner uid could read is no secret from it. True where
    --insecure let a readable course secret through."""
    overridden = False
    for what, always in (("signing key", True), ("course secret", False)):
        readable = learner_uid.exposed(key_files_holding(what))
        if readable and (always or not insecure):
            path = readable[0]
            raise IsolationError(
                f"the {what} file {path} can be read by other users, and so by learner "
                f"code running as a learner uid", hint=f"chmod 600 {path} (and keep its folder "
                f"closed: chmod o-rwx {path.parent})"
                + ("" if always else ", or pass --insecure"))
        overridden = overridden or bool(readable)
    return overridden
