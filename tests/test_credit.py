"""Fail closed: no grading for credit where learner code is not walled off (grader/scoring/credit.py)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from grader.scoring import credit
from grader.sandbox import isolation, learner_uid
from grader.errors import IsolationError
from grader.paths import SOLUTIONS_DIR


@pytest.fixture
def no_isolation(monkeypatch):
    monkeypatch.setattr(isolation, "mode", lambda: "none")
    monkeypatch.setattr(learner_uid, "unavailable", lambda: "the grader is not root")


def test_without_isolation_credit_refuses_with_a_fix(no_isolation):
    with pytest.raises(IsolationError, match="refusing to grade for credit") as err:
        credit.check(for_credit=True, signing=False)
    assert "bubblewrap" in err.value.hint and "--insecure" in err.value.hint


def test_insecure_overrides_but_the_result_says_so(no_isolation):
    assert credit.check(for_credit=True, signing=False, insecure=True).insecure


def test_a_signing_key_is_never_used_without_isolation(no_isolation):
    with pytest.raises(IsolationError, match="refusing to sign"):
        credit.check(for_credit=True, signing=True, insecure=True)


def test_self_check_grading_goes_on(no_isolation):
    assert not credit.check(for_credit=False, signing=False).insecure


def test_a_key_file_other_users_can_read_is_refused(tmp_path, monkeypatch):
    from grader import keys
    monkeypatch.setattr(isolation, "mode", lambda: "learner-uid")
    monkeypatch.setattr(learner_uid, "seal_grader", lambda: None)
    folder = tmp_path / "open"
    folder.mkdir()
    key = folder / "sign.key"
    key.write_text("k" * 64)
    key.chmod(0o644)
    monkeypatch.setattr(learner_uid, "readable_by_others",
                        lambda path, need="r": path == key.resolve())
    monkeypatch.setitem(keys._read, key.resolve(), "signing key")
    with pytest.raises(IsolationError, match="chmod 600"):
        credit.check(for_credit=True, signing=True, insecure=True)


def test_readable_by_others_follows_every_folder(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    target = folder / "f"
    target.write_text("x")
    target.chmod(0o644)
    folder.chmod(0o700)
    assert not learner_uid.readable_by_others(target)


def test_the_seccomp_filter_refuses_ip_sockets_and_keeps_unix_ones():
    code = ("import sys, socket; sys.path.insert(0, 'grader/sandbox/inside'); import seccomp; "
            "seccomp.deny_network(); socket.socketpair()\n"
            "try:\n    socket.socket(); print('open')\nexcept OSError as e: print('refused', e.errno)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=SOLUTIONS_DIR.parent, check=True).stdout
    assert out.strip() == "refused 13"


def test_landlock_confines_reads_to_the_allowlist(tmp_path):
    from grader.sandbox.inside import landlock
    if landlock.abi() == 0:
        pytest.skip("this kernel has no Landlock (the result's isolation list says so)")
    secret = tmp_path / "outside.txt"
    secret.write_text("hidden")
    code = ("import sys; sys.path.insert(0, 'grader/sandbox/inside'); import landlock\n"
            "landlock.restrict(read=['/usr', '/lib', '/lib64', '/etc'] + landlock.interpreter_dirs(), write=[])\n"
            "try:\n    open(sys.argv[1]).read(); print('read')\nexcept OSError as e: print('refused', e.errno)")
    out = subprocess.run([sys.executable, "-c", code, str(secret)], capture_output=True,
                         text=True, cwd=SOLUTIONS_DIR.parent)
    assert out.stdout.strip() == "refused 13", out.stderr
