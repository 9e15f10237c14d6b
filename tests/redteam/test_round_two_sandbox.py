"""Red-team round two, the sandbox's part (issue 12): hangs, slow submissions,
scratch floods, scrubbed imports, shared keys, leftovers after SIGKILL.

Each attack in attacks/round_two/ is graded alone (a real ``cnn-grader grade``
process, cold children) and all of them as one batch (warm children). Each
asserts: the grading finishes (exit 0), the attacked exercise scores 0 (or,
for a correct but slow submission, no more than its honest score), every
other exercise is unchanged, the JSON is strict, the run ends within a bound
of the honest time, and nothing outlives it (no process, nothing in /tmp).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import isolation, leftovers, scratch, warmpool
from grader import policy
from grader.sandbox.faults import LearnerImportError, LearnerTimeout
from grader.paths import PROJECT_DIR, SOLUTIONS_DIR
from grader.sandbox.remote import Learner
from grader.sandbox.session import Sandbox
from test_redteam import SECRET, attack_source, listener, processes_with  # noqa: F401

from conftest import QUICK, QUICK_ONLY

# How a forbidden library's message reads (sandbox/forbidden.py, shortcut_message).
FORBIDDEN_TEXT = "which this exercise does not allow"
ATTACKS = sorted((Path(__file__).parent / "attacks" / "round_two").glob("*.py"))
# Seconds an attack may add to an honest grading: the exercise budget for the
# slow one, two write deadlines for the one that stops reading, a little for the rest.
EXTRA_S = {"conv__sleeps_in_every_call": policy.EXERCISE_WALL_S + 2 * policy.CALL_TIMEOUT_S,
           "conv__stops_reading_requests": 3 * policy.CALL_TIMEOUT_S}
DEFAULT_EXTRA_S = 30.0


def strict_json(text: str) -> dict:
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


def submission_with(attack: Path, folder: Path, marker: str, server) -> Path:
    target = attack.stem.split("__", 1)[0]
    shutil.copytree(SOLUTIONS_DIR, folder)
    source = attack_source(attack, marker, server)
    if b"(APPEND to the reference" in source:  # a correct module, made slow
        source = (SOLUTIONS_DIR / f"{target}.py").read_bytes() + b"\n" + source
    (folder / f"{target}.py").write_bytes(source)
    return folder


def grade_process(submission: Path, out: Path, env: dict | None = None) -> tuple[float, int]:
    """A real grading of QUICK; returns its seconds and its pid (for the leftover checks)."""
    command = [sys.executable, "-m", "grader.cli", "grade", str(submission), "--json", str(out),
               "--html", str(out.with_suffix(".html")),  # the printed output is in the report
               *QUICK_ONLY]
    start = time.monotonic()
    proc = subprocess.Popen(command, env={**os.environ, "CNN_REDTEAM_SECRET": SECRET, **(env or {})},
                            cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr.decode(errors="replace")[-2000:]
    return time.monotonic() - start, proc.pid


def leftovers_of(pid: int) -> list[str]:
    """Folders in /tmp and processes named after the grading process ``pid``."""
    tag = f".{pid}."
    folders = [e.name for e in os.scandir(tempfile.gettempdir())
               if e.name.startswith("cnn-grader-") and tag in e.name]
    return folders + [str(p) for p in processes_with(f"cnn-grader-grading-{scratch._pid_namespace()}.{pid}.")]


def assert_nothing_outlives(pid: int, marker: str) -> None:
    deadline = time.monotonic() + 5
    while (leftovers_of(pid) or processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers_of(pid) == [] and processes_with(marker) == []


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    out = tmp_path_factory.mktemp("honest2") / "r.json"
    seconds, _ = grade_process(SOLUTIONS_DIR, out)
    return strict_json(out.read_text()), seconds


def check_outcome(name: str, record: dict, full: dict, printed: str) -> None:
    """``printed``: the report's HTML, which holds what the learner's code printed."""
    target = name.split("__", 1)[0]
    mine = [t for t in record["tests"] if t["exercise"] == target]
    got = record["exercises"][target]
    if name == "conv__sleeps_in_every_call":
        assert 0 < got["score"] < got["max_score"]
        assert any("too slow overall" in t["output"] for t in mine if t["status"] == "timeout")
    else:
        assert got["score"] == 0, [(t["name"], t["output"][:200]) for t in mine
                                   if t["status"] == "passed"]
    if name in ("conv__scrubs_torch", "conv__runtime_import_name"):
        assert got["problem"] == "forbidden-import"  # the gradebook's integrity flag
    if name == "conv__fills_scratch":
        for line in re.findall(r"fill (\S+): (\d+) MiB, (\d+) files", printed):
            assert int(line[1]) <= policy.CHILD_TMPFS_BYTES >> 20, line
            assert int(line[2]) <= policy.CHILD_TMPFS_INODES, line
    if name == "conv__reads_keys":
        assert "keys: denied" in printed
    assert set(record["exercises"]) == {*QUICK, "quiz"}
    for exercise in QUICK:
        if exercise != target:
            assert record["exercises"][exercise]["score"] == full["exercises"][exercise][
                "max_score"], (name, exercise)


@pytest.mark.redteam
@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_round_two_attack_is_contained_in_a_single_grading(attack, tmp_path, listener, honest):
    full, honest_s = honest
    marker = f"{6000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    sub = submission_with(attack, tmp_path / "submission", marker, listener)
    seconds, pid = grade_process(sub, tmp_path / "r.json")
    record = strict_json((tmp_path / "r.json").read_text())
    check_outcome(attack.stem, record, full, (tmp_path / "r.html").read_text())
    assert seconds < honest_s + EXTRA_S.get(attack.stem, DEFAULT_EXTRA_S), seconds
    assert_nothing_outlives(pid, marker)
    assert f"cnn-redteam-{marker}" not in Path("/proc/keys").read_text()


@pytest.mark.redteam
@pytest.mark.slow
def test_round_two_attacks_are_contained_in_a_batch(tmp_path, listener, honest, monkeypatch):
    from grader.batch.run import grade_class
    full, honest_s = honest
    monkeypatch.setenv("CNN_REDTEAM_SECRET", SECRET)
    batch, markers = tmp_path / "class", {}
    for i, attack in enumerate(ATTACKS):
        markers[attack.stem] = f"{7000 + os.getpid() % 1000}.{i}.{time.time_ns() % 10**6}"
        submission_with(attack, batch / attack.stem, markers[attack.stem], listener)
    shutil.copytree(SOLUTIONS_DIR, batch / "honest")
    start = time.monotonic()
    result = grade_class(submissions=batch, out=tmp_path / "out", jobs=2, progress=False,
                         exercises=QUICK)
    seconds = time.monotonic() - start
    assert (result.graded, result.errors) == (len(ATTACKS) + 1, 0)
    assert seconds < (len(ATTACKS) + 1) * honest_s + sum(
        EXTRA_S.get(a.stem, DEFAULT_EXTRA_S) for a in ATTACKS)
    for path in (tmp_path / "out" / "learners").glob("*.json"):
        record = strict_json(path.read_text())
        assert any("warm pool:" in layer for layer in record["isolation"])
        if path.stem == "honest":
            assert {k: v["score"] for k, v in record["exercises"].items() if k != "quiz"} == {
                k: v["score"] for k, v in full["exercises"].items() if k != "quiz"}
        else:
            check_outcome(path.stem, record, full, path.with_suffix(".html").read_text())
    for marker in markers.values():
        deadline = time.monotonic() + 5
        while processes_with(marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_with(marker) == []
        assert f"cnn-redteam-{marker}" not in Path("/proc/keys").read_text()


@pytest.mark.redteam
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["no bubblewrap", "no mount at all"])
def test_scratch_stays_capped_without_bubblewrap(mode, tmp_path, listener, honest):
    """Without bubblewrap the child mounts its own capped tmpfs (as root, or in a
    user namespace); where neither works the grader watches the folder."""
    attack = next(a for a in ATTACKS if a.stem == "conv__fills_scratch")
    marker = f"{8000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    sub = submission_with(attack, tmp_path / "submission", marker, listener)
    env = {"CNN_GRADER_NO_BWRAP": "1"}
    if mode == "no mount at all":
        env["CNN_GRADER_NO_SCRATCH_MOUNT"] = "1"
    seconds, pid = grade_process(sub, tmp_path / "r.json", env)
    record = strict_json((tmp_path / "r.json").read_text())
    conv = record["exercises"]["conv"]
    assert conv["score"] == 0
    if mode == "no bubblewrap":
        fills = dict((w, int(m)) for w, m, _ in re.findall(
            r"fill (\S+): (\d+) MiB, (\d+) files", (tmp_path / "r.html").read_text()))
        assert min(fills.values()) <= policy.CHILD_TMPFS_BYTES >> 20  # its scratch, capped
    else:
        assert "scratch folder" in " ".join(t["output"] for t in record["tests"]
                                            if t["exercise"] == "conv")
    shutil.rmtree(f"/tmp/fill-{marker}", ignore_errors=True)  # no bubblewrap: /tmp is the host's
    shutil.rmtree(f"/dev/shm/fill-{marker}", ignore_errors=True)
    assert_nothing_outlives(pid, marker)


# --- leftovers after SIGKILL of the grader ----------------------------------------

SLEEPER = "import time\ndef conv_output_size(*a, **k):\n    time.sleep(600)\nconv2d = conv_output_size\n"


@pytest.mark.redteam
@pytest.mark.slow
@pytest.mark.parametrize("bwrap", [True, False], ids=["bubblewrap", "no bubblewrap"])
def test_a_killed_grader_leaves_no_child_and_the_next_start_removes_its_files(bwrap, tmp_path):
    sub = tmp_path / "submission"
    shutil.copytree(SOLUTIONS_DIR, sub)
    (sub / "conv.py").write_text(SLEEPER)
    env = {**os.environ} if bwrap else {**os.environ, "CNN_GRADER_NO_BWRAP": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "grade", str(sub), "--json",
                             str(tmp_path / "r.json")], env=env, cwd=PROJECT_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = f"cnn-grader-grading-{scratch._pid_namespace()}.{proc.pid}."
    deadline = time.monotonic() + 120
    while not processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    children = processes_with(marker)
    assert children, "the grading never started its children"
    time.sleep(1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_with(marker) == [], "a child outlived its killed grader"
    left = [e.name for e in os.scandir(tempfile.gettempdir()) if f".{proc.pid}." in e.name]
    assert left, "the killed grading's folder should be there until the next start"
    leftovers.sweep.cache_clear()
    leftovers.sweep()
    assert [e.name for e in os.scandir(tempfile.gettempdir()) if f".{proc.pid}." in e.name] == []
    assert [p for p in isolation.stale_cgroups() if f".{proc.pid}." in p.name] == []


def test_the_sweep_leaves_folders_of_live_graders_and_foreign_names_alone(tmp_path):
    mine = scratch.make("grading")
    foreign = Path(tempfile.mkdtemp(prefix="cnn-grader-"))  # no owner tag: never ours to judge
    try:
        leftovers.sweep.cache_clear()
        leftovers.sweep()
        assert mine.exists() and foreign.exists()
        assert not scratch.owner_gone(mine.name)
        ns = scratch._pid_namespace()
        assert scratch.owner_gone(f"cnn-grader-grading-{ns}.{os.getpid()}.1-abc")  # pid reused
        assert not scratch.owner_gone(f"cnn-grader-grading-{ns + 1}.999999999.1-abc")
    finally:
        shutil.rmtree(mine)
        shutil.rmtree(foreign)


# --- unit tests: write deadline, exercise budget, loaded libraries ---------------

@pytest.fixture(params=["cold", "warm"])
def learner(request, tmp_path, monkeypatch):
    """A learner in a cold child (one grading) or a warm one (a batch worker): the
    two start differently, and a deadline missing from one hangs that path only."""
    if request.param == "warm" and warmpool.unavailable() is not None:
        pytest.skip(warmpool.unavailable())
    # Set either way: a batch test earlier in this process may have asked for the pool.
    monkeypatch.setattr(warmpool, "_WANTED_PID", os.getpid() if request.param == "warm" else 0)
    boxes = []

    def make(source: str, module: str = "conv"):
        sub = tmp_path / f"sub{len(boxes)}"
        sub.mkdir()
        (sub / f"{module}.py").write_text(textwrap.dedent(source))
        box = Sandbox(module, submission_dir=sub, workdir=tmp_path)
        boxes.append(box)
        box.start()
        return getattr(Learner({module: box}), module), box

    yield make
    for box in boxes:
        box.close()


def test_a_child_that_stops_reading_its_requests_is_killed_within_the_call_clock(
        learner, monkeypatch):
    monkeypatch.setattr(policy, "CALL_TIMEOUT_S", 1.5)
    source = (Path(__file__).parent / "attacks" / "round_two" /
              "conv__stops_reading_requests.py").read_text()
    conv, box = learner(source + "\ndef ok():\n    return 7\n")
    assert conv.conv2d() == -1  # a queued frame, read as the reply
    start = time.monotonic()
    with pytest.raises(LearnerTimeout, match="stopped reading its requests"):
        for _ in range(20):  # requests of 4 MB each: the second fills the pipe
            conv.conv2d(np.zeros(500_000))
    assert time.monotonic() - start < 10
    assert conv.ok() == 7  # a fresh child, and grading goes on


def test_an_exercise_whose_budget_is_spent_fails_its_remaining_tests_at_once(
        learner, monkeypatch):
    monkeypatch.setattr(policy, "EXERCISE_WALL_S", 1.5)
    conv, _ = learner("""
        import time
        def nap():
            time.sleep(0.6)
            return 1
    """)
    results = []
    start = time.monotonic()
    for _ in range(6):
        try:
            results.append(conv.nap())
        except LearnerTimeout as exc:
            results.append(str(exc))
    assert time.monotonic() - start < 5
    assert results[0] == 1
    assert all("too slow overall" in r for r in results[-3:])
    later = time.monotonic()
    with pytest.raises(LearnerTimeout, match="was not run"):
        conv.nap()
    assert time.monotonic() - later < 0.1


@pytest.mark.skipif(not isolation.cgroup_counts_cpu(), reason="no cgroup counts CPU time here")
def test_the_exercise_cpu_budget_spans_calls_and_children(learner, monkeypatch):
    # The child's start (Python and numpy, some 0.5 s of CPU) counts too.
    monkeypatch.setattr(policy, "EXERCISE_CPU_S", 1.5)
    conv, box = learner("""
        import time
        def work():
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
            return 1
    """)
    outcomes = []
    for _ in range(8):
        try:
            outcomes.append(conv.work())
        except LearnerTimeout as exc:
            outcomes.append("slow" if "too slow overall" in str(exc) else str(exc))
    assert outcomes[0] == 1 and outcomes[-1] == "slow"


def test_a_forbidden_library_loaded_behind_the_childs_back_voids_the_exercise(learner,
                                                                              monkeypatch):
    monkeypatch.setattr(policy, "CALL_TIMEOUT_S", 60.0)  # importing torch under load
    source = (Path(__file__).parent / "attacks" / "round_two" / "conv__scrubs_torch.py").read_text()
    conv, box = learner(source)
    with pytest.raises(LearnerImportError, match=FORBIDDEN_TEXT):
        conv.conv_output_size(5, 3)
    assert box.forbidden_reason and "torch" in box.forbidden_reason
    with pytest.raises(LearnerImportError, match=FORBIDDEN_TEXT):
        conv.conv_output_size(5, 3)  # every later test fails at once


def test_loaded_libraries_are_read_from_the_kernel_maps(tmp_path):
    # A process of its own, importing torch and nothing else: this test process
    # may have loaded anything (scikit-learn's digits map scipy, for one).
    with subprocess.Popen([sys.executable, "-c", "import sys, torch; print(1, flush=True); sys.stdin.read()"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == b"1"
            assert isolation.loaded_forbidden([child.pid], ("torch", "scipy")) == ["torch"]
            assert isolation.loaded_forbidden([child.pid], ("cv2",)) == []
        finally:
            child.kill()
    assert isolation.loaded_forbidden([2**22 + 7], ("torch",)) == []  # no such process
