"""The warm pool: children forked from a zygote keep every wall of a cold child.

Each test builds learners from hostile source and checks, from outside,
what they could reach: the zygote, a sibling, the next learner.
"""
import os
import signal
import textwrap
import time

import pytest

from grader import policy
from grader.sandbox import isolation
from grader.sandbox import warmpool
from grader.sandbox.faults import LearnerCrash
from grader.sandbox.remote import Learner
from grader.sandbox.session import Sandbox
from test_sandbox import processes_with

pytestmark = pytest.mark.skipif(warmpool.unavailable() is not None,
                                reason="the warm pool needs bubblewrap and namespaces")


@pytest.fixture(autouse=True)
def _pool_wanted(monkeypatch):
    """This test process grades like a batch worker: its children come from the pool."""
    monkeypatch.setattr(warmpool, "_WANTED_PID", os.getpid())

# Native calls that go around the audit hook, as a determined learner would.
NATIVE = """
import ctypes, os, signal
libc = ctypes.CDLL(None, use_errno=True)
def errno():
    return ctypes.get_errno()
"""


@pytest.fixture
def make_learner(tmp_path):
    boxes = []

    def make(source: str, module: str = "conv", files: dict | None = None):
        sub = tmp_path / f"sub{len(boxes)}"
        sub.mkdir()
        (sub / f"{module}.py").write_text(NATIVE + textwrap.dedent(source))
        for name, text in (files or {}).items():
            (sub / name).write_text(text)
        box = Sandbox(module, submission_dir=sub, workdir=tmp_path)
        boxes.append(box)
        box.start()
        return getattr(Learner({module: box}), module), box

    yield make
    for box in boxes:
        box.close()


def zygotes() -> dict:
    return warmpool.shared()._zygotes


def test_children_come_from_the_pool_and_results_say_so(make_learner):
    conv, box = make_learner("def f():\n    return os.getpid()\n")
    assert conv.f() == 1  # PID 1 of its own namespace
    assert isinstance(box._proc, warmpool.WarmChild)
    assert any(layer.startswith("warm pool:") for layer in warmpool.layers_in_force())


def test_a_child_cannot_name_signal_or_trace_the_zygote_or_a_sibling(make_learner):
    sibling, _ = make_learner("def ok():\n    return 'still here'\n", module="residual")
    conv, _ = make_learner("""
        def attack():
            visible = [pid for pid in range(1, 4096) if libc.kill(pid, 0) == 0]
            traced = [pid for pid in range(2, 300) if libc.ptrace(16, pid, 0, 0) == 0]
            libc.kill(-1, signal.SIGKILL)   # everything it may signal
            libc.kill(0, signal.SIGKILL)    # its process group
            return {"visible": visible, "traced": traced, "proc": os.listdir("/proc")}
    """)
    found = conv.attack()
    assert found == {"visible": [1], "traced": [], "proc": []}
    assert sibling.ok() == "still here"
    assert all(z.alive() for z in zygotes().values())


def test_a_child_holds_no_capability_and_cannot_undo_its_mounts(make_learner):
    conv, _ = make_learner("""
        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
        class Data(ctypes.Structure):
            _fields_ = [("e", ctypes.c_uint32), ("p", ctypes.c_uint32), ("i", ctypes.c_uint32)]
        def probe():
            header, data = Header(0x20080522, 0), (Data * 2)()
            libc.capget(ctypes.byref(header), data)
            caps = [d.e | d.p | d.i for d in data]
            no_new_privs = libc.prctl(39, 0, 0, 0, 0)
            # A user namespace of its own gives capabilities there, but the
            # mounts it inherited are locked: nothing hidden comes back.
            nested = libc.unshare(0x10000000 | 0x00020000)
            umount_proc = libc.umount2(b"/proc", 2)
            umount_tmp = libc.umount2(b"/tmp", 2)
            rw_submission = libc.mount(None, b"/tmp/submission", None, 32 | 4096, None)
            return caps, no_new_privs, nested, umount_proc, umount_tmp, rw_submission, \\
                os.listdir("/proc")
    """)
    caps, no_new_privs, _, umount_proc, umount_tmp, rw_submission, proc = conv.probe()
    assert caps == [0, 0] and no_new_privs == 1
    assert (umount_proc, umount_tmp, rw_submission) == (-1, -1, -1)
    assert proc == []


def test_the_next_learner_sees_nothing_of_the_previous_one(make_learner, tmp_path):
    marker = f"{os.getpid() % 1000}.{time.time_ns() % 100000}"
    first, box = make_learner(f"""
        import subprocess, sys, numpy
        SECRET = "first learner's secret"
        def leave_traces():
            for path in ("/tmp/trace", "/dev/shm/trace", os.path.expanduser("~/trace")):
                with open(path, "w") as fh:
                    fh.write(SECRET)
            os.environ["TRACE"] = SECRET
            numpy.TRACE = SECRET
            sys.modules["trace_module"] = sys
            subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
            refused = []
            for path in ("/trace", "/dev/trace", "/usr/trace", "/tmp/submission/trace"):
                try:
                    open(path, "w")
                except OSError:
                    refused.append(path)
            return refused
    """, files={"notes.txt": "first learner's helper file"})
    assert len(first.leave_traces()) == 4  # the root, /dev and the submission are read-only
    deadline = time.monotonic() + 5
    while not processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker)
    first_submission = str(box.submission_dir)
    box.close()
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == [], "a process of the first learner outlived it"

    second, _ = make_learner(f"""
        import sys, numpy
        def look():
            return {{
                "files": [p for p in ("/tmp/trace", "/dev/shm/trace",
                          os.path.expanduser("~/trace"), {first_submission!r})
                          if os.path.exists(p)],
                "submission": sorted(os.listdir("/tmp/submission")),
                "environment": "TRACE" in os.environ,
                "numpy": hasattr(numpy, "TRACE"),
                "modules": "trace_module" in sys.modules,
            }}
    """)
    assert second.look() == {"files": [], "submission": ["conv.py"], "environment": False,
                             "numpy": False, "modules": False}


def test_a_fork_bomb_in_one_child_leaves_its_siblings_and_the_zygote_working(make_learner):
    if not isolation.cgroups_available():
        pytest.skip("the pids limit per child needs cgroups")
    bomb, _ = make_learner("""
        import time
        def bomb():
            made = 0
            for _ in range(4 * 64):
                try:
                    if os.fork() == 0:
                        time.sleep(60)
                        os._exit(0)
                    made += 1
                except OSError:
                    break
            return made
    """)
    assert bomb.bomb() < policy.MAX_PROCESSES
    fresh, _ = make_learner("def ok():\n    return 3\n", module="pooling")
    assert fresh.ok() == 3


def test_a_dead_zygote_fails_only_the_running_learner_and_is_replaced(make_learner):
    conv, box = make_learner("def ok():\n    return 1\n")
    assert conv.ok() == 1
    zygote = zygotes()["numpy"]
    os.killpg(zygote._proc.pid, signal.SIGKILL)
    zygote._proc.wait()
    # The kernel ends the zygote's namespace, and the child in it, moments later.
    deadline = time.monotonic() + 5
    with pytest.raises(LearnerCrash, match="warm pool"):
        while time.monotonic() < deadline:
            conv.ok()
            time.sleep(0.05)
    later, later_box = make_learner("def ok():\n    return 2\n", module="pooling")
    assert later.ok() == 2  # the next learner does not pay for it
    assert zygotes()["numpy"] is not zygote and later_box._proc.zygote.alive()


def test_a_zygote_is_recycled_after_its_fork_budget(make_learner, monkeypatch):
    first, _ = make_learner("def ok():\n    return 1\n", module="pooling")
    assert first.ok() == 1
    old = zygotes()["numpy"]
    monkeypatch.setattr(policy, "WARM_POOL_MAX_FORKS", old.forks)
    first_box_child = first._sandbox._proc
    first._sandbox.close()
    assert first_box_child.zygote.live == 0
    second, _ = make_learner("def ok():\n    return 2\n", module="pooling")
    assert second.ok() == 2
    assert zygotes()["numpy"] is not old and not old.alive()


def test_without_the_pool_the_result_says_children_start_cold(monkeypatch):
    monkeypatch.setenv("CNN_GRADER_NO_WARM_POOL", "1")
    assert warmpool.shared() is None
    assert any("fresh interpreter per child" in layer for layer in warmpool.layers_in_force())


def test_a_failed_fork_is_retried_not_charged_to_the_learner(make_learner, monkeypatch):
    real, calls = warmpool.WarmPool.spawn, []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) < policy.WARM_SPAWN_ATTEMPTS:
            raise OSError("injected: a child's setup failed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(warmpool.WarmPool, "spawn", flaky)
    pooling, _ = make_learner("def ok():\n    return 5\n", module="pooling")
    assert pooling.ok() == 5
    assert len(calls) == policy.WARM_SPAWN_ATTEMPTS


def test_a_fork_that_keeps_failing_costs_one_test_and_says_whose_fault(make_learner,
                                                                       monkeypatch):
    real, calls = warmpool.WarmPool.spawn, []

    def broken_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) <= policy.WARM_SPAWN_ATTEMPTS:
            raise OSError("injected: a child's setup failed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(warmpool.WarmPool, "spawn", broken_once)
    pooling, _ = make_learner("def ok():\n    return 5\n", module="pooling")
    with pytest.raises(LearnerCrash, match="the grader could not start a child.*warm pool"):
        pooling.ok()
    assert pooling.ok() == 5  # the next request starts a fresh child
