"""Walls a child builds around itself before learner code runs (Linux system calls).

Shared by the warm pool's forked children (``zygote.py``) and cold children
(``child.py``), so both kinds get the same walls from the same code. Standard
library only: it is copied beside ``child.py`` and runs inside the sandbox.

* ``private_tmpfs``: its own memory-backed folders (scratch, /tmp, /dev/shm),
  capped in bytes and in files (inodes), so no learner file reaches the host's
  disk and no learner can fill it. Needs a mount namespace: as root directly,
  otherwise inside a fresh user namespace (bubblewrap's, or the machine's).
* ``drop_privileges``: no capability left and none to gain, so the mounts
  above can no longer be undone.
* ``new_session_keyring``: the kernel's session keyring is inherited from
  the grader and shared by every sandbox it starts; a fresh one per child
  closes that channel between learners.
* ``die_with_parent``: where bubblewrap is missing, a grader that is killed
  takes its children along.
"""
from __future__ import annotations

import ctypes
import os
import platform
import signal

LIBC = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
CAP_VERSION_3 = 0x20080522
KEYCTL_JOIN_SESSION_KEYRING = 1
# keyctl has no libc wrapper without libkeyutils; its number differs per machine.
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219, "i686": 288, "i386": 288, "armv7l": 311,
              "ppc64le": 250, "s390x": 250, "riscv64": 219}.get(platform.machine())


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    check(LIBC.mount(enc(source), enc(target), enc(fstype), flags, enc(data)),
          f"mount {target}")


def unshare_as_self(flags: int) -> None:
    """New namespaces (``flags`` with CLONE_NEWUSER), mapping this uid and gid to themselves."""
    uid, gid = os.getuid(), os.getgid()
    check(LIBC.unshare(flags), "unshare")
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"{gid} {gid} 1")


def tmpfs_options(size: int, inodes: int, mode: str = "0755") -> str:
    return f"size={size},nr_inodes={inodes},mode={mode}"


def private_tmpfs(targets: list[str], *, size: int, inodes: int) -> bool:
    """Cover each existing folder of ``targets`` with its own capped tmpfs, in a
    private mount namespace. True when it held; False where this machine
    allows no mount namespace (the grader then watches the scratch folder).

    Must run while the process is single-threaded (a user namespace needs it).
    """
    try:
        check(LIBC.unshare(CLONE_NEWNS), "unshare")  # root without bubblewrap
    except OSError:
        try:
            unshare_as_self(CLONE_NEWUSER | CLONE_NEWNS)
        except OSError:
            return False
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    for target in targets:
        if os.path.isdir(target):
            mount("none", target, "tmpfs", MS_NOSUID | MS_NODEV, tmpfs_options(size, inodes))
    return True


def drop_privileges() -> None:
    """No capability left, none to gain: the mounts made so far can no longer change."""
    for cap in range(64):
        LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header, data = _CapHeader(CAP_VERSION_3, 0), (_CapData * 2)()
    check(LIBC.capset(ctypes.byref(header), data), "capset")
    check(LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def new_session_keyring() -> bool:
    """Join a fresh, empty, anonymous session keyring; False where that failed."""
    if SYS_KEYCTL is None:
        return False
    return LIBC.syscall(SYS_KEYCTL, KEYCTL_JOIN_SESSION_KEYRING, None) >= 0


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` (the grader) ends, even by SIGKILL."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)
