"""The child process: faults become clear exceptions, and grading can go on."""
import os
import textwrap
import time

import numpy as np
import pytest

from grader import policy
from grader.sandbox import isolation
from grader.sandbox import warmpool
from grader.sandbox.faults import LearnerCrash, LearnerException, LearnerImportError, LearnerTimeout
from grader.sandbox.remote import Learner
from grader.sandbox.session import Sandbox


@pytest.fixture(params=["cold", "warm"])
def make_learner(request, tmp_path, monkeypatch):
    """Learners in cold children (one grading) or warm ones (a batch worker)."""
    if request.param == "warm":
        if warmpool.unavailable() is not None:
            pytest.skip(warmpool.unavailable())
        monkeypatch.setattr(warmpool, "_WANTED_PID", os.getpid())
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


def test_values_come_back_and_mutated_inputs_are_reported(make_learner):
    conv, _ = make_learner("""
        def double(x):
            return x * 2
        def scale_in_place(x):
            x *= 3
            return x
    """)
    assert conv.double(21) == 42
    result = conv.scale_in_place.detailed(np.ones(2))
    np.testing.assert_array_equal(result.value, [3.0, 3.0])
    assert result.mutated == (0,)
    assert conv.double.detailed(np.ones(2)).mutated == ()


def test_an_exception_names_its_type_message_and_the_learners_line(make_learner):
    conv, _ = make_learner("""
        def conv2d(x):
            raise ValueError("channels do not match")
    """)
    with pytest.raises(LearnerException) as info:
        conv.conv2d(1)
    exc = info.value
    assert exc.type_name == "ValueError" and "ValueError" in exc.mro
    assert "channels do not match" in str(exc) and "conv.py" in exc.traceback


def test_system_exit_and_keyboard_interrupt_in_a_call_are_just_exceptions(make_learner):
    conv, _ = make_learner("""
        import sys
        def quit():
            sys.exit(0)
        def interrupt():
            raise KeyboardInterrupt
        def ok():
            return 1
    """)
    for name in ("quit", "interrupt"):
        with pytest.raises(LearnerException):
            getattr(conv, name)()
    assert conv.ok() == 1


def test_a_hard_exit_is_a_crash_and_the_next_call_gets_a_fresh_child(make_learner):
    conv, _ = make_learner("""
        import os
        def die():
            os._exit(7)
        def ok():
            return "alive"
    """)
    with pytest.raises(LearnerCrash, match="exited with status 7"):
        conv.die()
    assert conv.ok() == "alive"


needs_cpu_accounting = pytest.mark.skipif(
    not isolation.cgroup_counts_cpu(),
    reason="no cgroup counts CPU time here; the wall clock alone applies")


@pytest.mark.parametrize("wall, cpu, stopped_by", [
    (1.0, 60.0, "did not finish within 1 s"),
    # The CPU budget ends it long before the wall clock would.
    pytest.param(60.0, 0.3, "used 0.3 s of CPU time without finishing",
                 marks=needs_cpu_accounting),
])
def test_an_endless_loop_times_out_and_grading_goes_on(make_learner, monkeypatch, wall, cpu,
                                                       stopped_by):
    monkeypatch.setattr(policy, "CALL_TIMEOUT_S", wall)
    monkeypatch.setattr(policy, "CALL_CPU_S", cpu)
    conv, _ = make_learner("""
        def spin():
            while True:
                pass
        def ok():
            return 2
    """)
    start = time.monotonic()
    with pytest.raises(LearnerTimeout, match=stopped_by):
        conv.spin()
    assert time.monotonic() - start < 5
    assert conv.ok() == 2


@needs_cpu_accounting
def test_waiting_uses_no_cpu_budget_and_each_call_gets_a_budget_of_its_own(
        make_learner, monkeypatch):
    monkeypatch.setattr(policy, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(policy, "CALL_CPU_S", 0.3)
    conv, _ = make_learner("""
        import time
        def work(seconds):
            end = time.process_time() + seconds
            while time.process_time() < end:
                pass
            return seconds
        def nap():
            time.sleep(30)
    """)
    # Three calls of 0.2 CPU seconds: 0.6 in all, more than one call's budget.
    assert [conv.work(0.2) for _ in range(3)] == [0.2] * 3
    with pytest.raises(LearnerTimeout, match="did not finish within 1 s"):
        conv.nap()


def test_cpu_time_is_read_from_cgroup_v2_and_v1_files(tmp_path):
    v2, v1 = tmp_path / "v2", tmp_path / "v1"
    v2.mkdir()
    v1.mkdir()
    (v2 / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n")
    (v1 / "cpuacct.usage").write_text("1250000000\n")
    for dirs, seconds in (([v2], 2.5), ([tmp_path, v1], 1.25), ([tmp_path], None)):
        group = isolation.Cgroup.__new__(isolation.Cgroup)
        group.dirs, group.cpu_file = dirs, isolation.cpu_counter(dirs)
        assert group.cpu_seconds() == seconds


@pytest.mark.parametrize("source, needle", [
    ("def broken(:\n", "SyntaxError"),
    ("import sys\nsys.exit(3)\n", "SystemExit"),
    ("import os\nos._exit(4)\n", "exited with status 4"),
    ("import no_such_module_here\n", "ModuleNotFoundError"),
])
def test_a_module_that_cannot_be_imported_fails_every_call_with_the_reason(
        make_learner, source, needle):
    conv, box = make_learner(source)
    for _ in range(2):
        with pytest.raises(LearnerImportError, match=needle):
            conv.anything()
    assert box._proc is None  # no child left running


def test_a_missing_module_is_reported_without_starting_python(tmp_path):
    box = Sandbox("pooling", submission_dir=tmp_path, workdir=tmp_path,
                  missing_reason="pooling.py is missing from the submission")
    box.start()
    with pytest.raises(LearnerImportError, match="pooling.py is missing"):
        Learner({"pooling": box}).pooling.max_pool2d(1, 2)
    assert box._proc is None


def test_printed_output_is_kept_for_the_report(make_learner):
    conv, box = make_learner("""
        print("importing")
        def shout():
            print("hello from the learner")
            return 0
    """)
    conv.shout()
    assert "importing" in box.output() and "hello from the learner" in box.output()


def test_the_child_gets_a_minimal_environment(make_learner, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cr3t")
    conv, _ = make_learner("""
        import os
        def env():
            return dict(os.environ)
    """)
    env = conv.env()
    assert "GRADER_SECRET_TOKEN" not in env
    assert "s3cr3t" not in repr(env)


def test_a_reply_over_the_size_cap_is_refused(make_learner, monkeypatch):
    monkeypatch.setattr(policy, "MAX_REPLY_BYTES", 10_000)
    conv, _ = make_learner("""
        import numpy as np
        def big():
            return np.zeros(100_000)
        def ok():
            return 1
    """)
    with pytest.raises(LearnerCrash, match="over the cap"):
        conv.big()
    assert conv.ok() == 1


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if marker.encode() in fh.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


def test_closing_kills_processes_the_learner_started_even_detached(make_learner):
    marker = f"{os.getpid() % 1000}.{time.time_ns() % 100000}"
    conv, box = make_learner(f"""
        import subprocess
        def spawn():
            subprocess.Popen(["sleep", "{marker}"])
            subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
            return True
    """)
    assert conv.spawn() is True
    # Popen returns once exec has begun, a moment before the kernel sets the
    # new program's command line (a busy machine widens that moment).
    deadline = time.monotonic() + 5
    while len(processes_with(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes_with(marker)) == 2
    box.close()
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == [], "a learner process outlived the sandbox"


def test_the_scratch_watch_counts_what_a_file_claims_not_only_its_blocks(tmp_path, monkeypatch):
    """Where the grader watches the scratch folder, a file of zeros must count in
    full even on a file system that stores it in no blocks (compressed, sparse):
    CI's 3 GB of zeros once ran the call out of CPU time before the watch saw it."""
    from grader.sandbox.clock import ScratchWatch
    watch = ScratchWatch(tmp_path)
    (tmp_path / "small").write_bytes(b"\0" * 4096)
    assert watch.over() is None
    with open(tmp_path / "sparse", "wb") as fh:  # a hole: no blocks, a large size
        fh.truncate(policy.CHILD_TMPFS_BYTES + (1 << 20))
    assert os.stat(tmp_path / "sparse").st_blocks * 512 < policy.CHILD_TMPFS_BYTES
    monkeypatch.setattr(watch, "_next", 0.0)  # the next look is due now
    assert "into its scratch folder" in (watch.over() or "")
