"""The red-team corpus: hostile submissions, each with an asserted outcome.

Every attack in attacks/<exercise>__<name>.py replaces one module of the
reference submission. For each, a real ``cnn-grader grade`` process must
exit 0 within a bounded time; the attacked exercise scores 0; the exercise
graded beside it and the quiz keep full marks (a single grading runs just those
two, with --only; the batch test grades every exercise of every attack); and
nothing is left behind: no
process, no file outside the scratch folder, no connection to a loopback
listener, no secret from the grader's environment in the results.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from grader.paths import PROJECT_DIR, SOLUTIONS_DIR
from grader.registry import EXERCISES

from conftest import QUICK, QUICK_ONLY

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py"))
SECRET = "cnn-redteam-secret-7f3a"
WATCHED = [SOLUTIONS_DIR / f"{n}.py" for n in EXERCISES] + [
    PROJECT_DIR / "grader" / "policy.py", PROJECT_DIR / "quizzes" / "cnn.toml"]

pytestmark = pytest.mark.redteam
# Each attack runs in both walls: bubblewrap's namespaces, and, as root with
# CNN_GRADER_NO_BWRAP=1, the learner uid (grader/sandbox/learner_uid.py).
MODES = {"namespaces": {}, "learner-uid": {"CNN_GRADER_NO_BWRAP": "1"}}


@pytest.fixture(scope="module", params=list(MODES))
def mode(request):
    if request.param == "learner-uid":
        from grader.sandbox import learner_uid
        if os.geteuid() != 0:
            pytest.skip("the learner uid needs a root grader (without root, credit.py refuses)")
        assert learner_uid.unavailable() is None, (
            f"{learner_uid.unavailable()}: run make learner-python")
    return request.param


@pytest.fixture(scope="module")
def sign_key(tmp_path_factory):
    """A signing key as an instructor keeps it: 0600, in a folder anyone may
    pass through, named on the grader's command line."""
    folder = Path(tempfile.mkdtemp(prefix="cnn-redteam-keys-"))
    folder.chmod(0o755)
    key = folder / "sign.key"
    key.write_text("k" * 64)
    key.chmod(0o600)
    yield key
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def full_marks(tmp_path_factory):
    """The reference graded on QUICK (every attack targets one of those)."""
    out = tmp_path_factory.mktemp("honest") / "r.json"
    run_grade(SOLUTIONS_DIR, out, only=QUICK)
    return json.loads(out.read_text())


def run_grade(submission: Path, out: Path, html: Path | None = None, *,
              mode: str = "namespaces", sign_key: Path | None = None,
              only: tuple[str, ...] = ()) -> tuple[int, float]:
    env = {**os.environ, "CNN_REDTEAM_SECRET": SECRET, **MODES[mode]}
    command = [sys.executable, "-m", "grader.cli", "grade", str(submission), "--json", str(out)]
    if html:
        command += ["--html", str(html)]
    for exercise in only:
        command += ["--only", exercise]
    if sign_key:
        command += ["--sign-key", str(sign_key)]
    start = time.monotonic()
    proc = subprocess.run(command, env=env, capture_output=True, timeout=300, cwd=PROJECT_DIR)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.returncode, time.monotonic() - start


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


def digest(paths) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    yield server
    server.close()


def accepted_any(server) -> bool:
    try:
        conn, _ = server.accept()
    except (socket.timeout, BlockingIOError):
        return False
    conn.close()
    return True


def attack_source(attack: Path, marker: str, listener: socket.socket) -> bytes:
    """The attack's source with its placeholders filled in: this project's folder,
    a marker naming its processes and files, the loopback listener's port."""
    source = attack.read_bytes()
    for placeholder, value in ((b"PROJECT", str(PROJECT_DIR)), (b"MARKER", marker),
                               (b"PORT", str(listener.getsockname()[1]))):
        source = source.replace(placeholder, value.encode())
    return source


def test_the_corpus_covers_at_least_thirty_attacks():
    assert len(ATTACKS) >= 30


def left_in_tmp(marker: str) -> list[Path]:
    return [*Path("/tmp").glob(f"cnn-redteam-{marker}*"),
            *Path("/dev/shm").glob(f"cnn-redteam-{marker}*")]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_attack_is_contained(attack, mode, tmp_path, listener, full_marks, sign_key):
    from grader.scoring.signing import verify_result
    target, _ = attack.stem.split("__", 1)
    marker = f"{4000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    sub = tmp_path / "submission"
    shutil.copytree(SOLUTIONS_DIR, sub)
    (sub / f"{target}.py").write_bytes(attack_source(attack, marker, listener))
    before = digest(WATCHED)

    out, html = tmp_path / "r.json", tmp_path / "r.html"
    # The attacked exercise and the one after it: a child started beside the
    # attack's must come through untouched.
    beside = EXERCISES[(EXERCISES.index(target) + 1) % len(EXERCISES)]
    _, seconds = run_grade(sub, out, html, mode=mode, sign_key=sign_key, only=(target, beside))
    written = out.read_bytes()
    result = json.loads(written)
    assert set(result["exercises"]) == {target, beside, "quiz"}

    assert seconds < 120, f"grading took {seconds:.0f} s"
    assert result["exercises"][target]["score"] == 0, [
        (t["name"], t["status"], t["output"][:200]) for t in result["tests"]
        if t["exercise"] == target and t["status"] == "passed"]
    for name, part in result["exercises"].items():
        if name != target:
            assert part == full_marks["exercises"][name], name
    everything = out.read_text() + html.read_text()
    assert SECRET not in everything
    assert "conv-params-5x5 = 1216" not in everything  # the quiz key stays hidden
    assert digest(WATCHED) == before
    assert "k" * 64 not in everything  # the signing key
    assert left_in_tmp(marker) == []
    assert not accepted_any(listener)
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == [], "a learner process outlived grading"
    # Nothing rewrote the result after the grader exited, and it is the grader's own.
    assert out.read_bytes() == written
    assert verify_result(result, key=sign_key.read_bytes().strip()).genuine


def test_the_corpus_is_contained_in_a_batch_too(mode, tmp_path, listener, full_marks,
                                                monkeypatch, sign_key):
    """The same attacks as learners of one batch: with namespaces a batch's
    workers fork their children from the warm pool (a single grading starts
    them cold); with the learner uid they start cold, each as its own uid."""
    from grader.sandbox import isolation
    from grader.batch.run import grade_class
    from grader.scoring.signing import verify_result
    monkeypatch.setenv("CNN_REDTEAM_SECRET", SECRET)  # the workers inherit it
    for name, value in MODES[mode].items():
        monkeypatch.setenv(name, value)
    isolation.bwrap_path.cache_clear()  # this process decides the mode too (credit.check)
    key = sign_key.read_bytes().strip()
    batch, markers = tmp_path / "class", {}
    for i, attack in enumerate(ATTACKS):
        target = attack.stem.split("__", 1)[0]
        markers[attack.stem] = f"{5000 + os.getpid() % 1000}.{i}.{time.time_ns() % 10**6}"
        shutil.copytree(SOLUTIONS_DIR, batch / attack.stem)
        (batch / attack.stem / f"{target}.py").write_bytes(
            attack_source(attack, markers[attack.stem], listener))
    shutil.copytree(SOLUTIONS_DIR, batch / "honest")
    before = digest(WATCHED)

    # Not the two exercises that train networks (conftest.QUICK): nothing here
    # attacks them, and they took this batch to 917 s.
    graded = QUICK
    assert {a.stem.split("__", 1)[0] for a in ATTACKS} <= set(graded)
    start = time.monotonic()
    try:
        result = grade_class(submissions=batch, out=tmp_path / "out", jobs=2, progress=False,
                             sign_key=key, exercises=graded)
    finally:
        monkeypatch.undo()
        isolation.bwrap_path.cache_clear()
    print(f"batch of {len(ATTACKS) + 1} ({mode}): {time.monotonic() - start:.0f} s")
    # Well under pytest-timeout's 1,200 s, beside the rest of the suite on 2 cores.
    assert time.monotonic() - start < 600
    assert (result.graded, result.errors) == (len(ATTACKS) + 1, 0)
    records = {p.stem: json.loads(p.read_text())
               for p in (tmp_path / "out" / "learners").glob("*.json")}
    wall = "warm pool:" if mode == "namespaces" else "its own unprivileged uid"
    assert all(any(wall in layer for layer in r["isolation"]) for r in records.values())
    assert all(verify_result(r, key=key).genuine for r in records.values())
    for learner, record in records.items():
        target = learner.split("__", 1)[0] if learner != "honest" else None
        assert set(record["exercises"]) == {*graded, "quiz"}
        for name in graded:  # the quiz's numbers depend on the learner id
            expected = 0 if name == target else full_marks["exercises"][name]["max_score"]
            assert record["exercises"][name]["score"] == expected, (learner, name)
    everything = "".join(p.read_text(errors="replace")
                         for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert SECRET not in everything
    assert "conv-params-5x5 = 1216" not in everything
    assert digest(WATCHED) == before
    assert not accepted_any(listener)
    for marker in markers.values():
        assert left_in_tmp(marker) == []
        deadline = time.monotonic() + 5
        while processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(marker) == [], "a learner process outlived grading"


def make_zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, members[name].comment or b"")
            else:
                zf.writestr(name, data)
    return path


def solution_members(skip: str) -> dict:
    return {p.name: p.read_bytes() for p in SOLUTIONS_DIR.iterdir()
            if p.is_file() and p.name != skip}


@pytest.mark.parametrize("case", ["dotdot", "absolute", "symlink", "bomb", "folder"])
def test_hostile_archive_is_contained(case, tmp_path, full_marks):
    members = solution_members("conv.py")
    if case == "dotdot":
        members["../../conv.py"] = b"raise SystemExit"
    elif case == "absolute":
        members["/tmp/cnn-redteam-abs/conv.py"] = b"raise SystemExit"
    elif case == "symlink":
        link = zipfile.ZipInfo("conv.py")
        link.external_attr = 0o120777 << 16
        link.comment = str(SOLUTIONS_DIR / "conv.py").encode()
        members["conv.py"] = link
    elif case == "bomb":
        members["conv.py"] = b"#" * (200 << 20)  # 200 MiB of one byte: a few hundred KiB zipped
    else:
        members["conv/__init__.py"] = b"from conv.impl import *"
    archive = make_zip(tmp_path / "sub.zip", members)
    out = tmp_path / "r.json"
    _, seconds = run_grade(archive, out, only=QUICK)
    result = json.loads(out.read_text())
    assert seconds < 120
    assert result["exercises"]["conv"]["score"] == 0
    assert result["problems"], "the report must say what was wrong with the archive"
    for name in QUICK:
        if name != "conv":
            assert result["exercises"][name] == full_marks["exercises"][name]
    assert not Path("/tmp/cnn-redteam-abs").exists()
    assert not (tmp_path.parent / "conv.py").exists()


def test_honest_scores_do_not_depend_on_hostile_neighbours(tmp_path, full_marks):
    """Hostile and honest submissions graded side by side, at the same time: the
    honest ones get exactly the scores they get alone."""
    attacks = ["conv__fork_bomb", "conv__memory_bomb", "conv__write_outside_scratch",
               "conv__background_daemon"]
    procs = []
    for i, name in enumerate(attacks + ["honest-1", "honest-2"]):
        sub = tmp_path / f"s{i}"
        shutil.copytree(SOLUTIONS_DIR, sub)
        if not name.startswith("honest"):
            source = (Path(__file__).parent / "attacks" / f"{name}.py").read_text()
            source = source.replace("PROJECT", str(PROJECT_DIR)).replace("MARKER", f"77.{i}")
            (sub / "conv.py").write_text(source)
        out = tmp_path / f"r{i}.json"
        procs.append((name, out, subprocess.Popen(
            [sys.executable, "-m", "grader.cli", "grade", str(sub), "--json", str(out),
             *QUICK_ONLY],
            cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    for name, out, proc in procs:
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr[-2000:]
        result = json.loads(out.read_text())
        if name.startswith("honest"):
            assert result["exercises"] == full_marks["exercises"]
            assert result["tests"] == full_marks["tests"]
        else:
            assert result["exercises"]["conv"]["score"] == 0


def test_fallback_without_namespaces_still_grades_and_says_so(tmp_path, full_marks):
    out = tmp_path / "r.json"
    env = {**os.environ, "CNN_GRADER_NO_BWRAP": "1", "CNN_GRADER_NO_CGROUP": "1"}
    subprocess.run([sys.executable, "-m", "grader.cli", "grade", str(SOLUTIONS_DIR), "--json",
                    str(out), *QUICK_ONLY],
                   env=env, check=True, capture_output=True, cwd=PROJECT_DIR)
    result = json.loads(out.read_text())
    assert result["exercises"] == full_marks["exercises"]
    assert any("no namespaces" in layer for layer in result["isolation"])
    assert not any("cgroup" in layer for layer in result["isolation"])
    assert any("bubblewrap" in layer for layer in full_marks["isolation"])
