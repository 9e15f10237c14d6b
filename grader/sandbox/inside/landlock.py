"""An allowlist of files for a child without a mount namespace: Landlock.

File permissions keep a learner uid out of what the grader closed, but not
out of what anyone may read: another checkout of the grader, another
learner's files. Where the kernel has Landlock (5.13 and later), the child
restricts itself, before any learner code runs, to the same allowlist as a
bubblewrap child: the system folders, its interpreter, its program and
submission, read-only; its scratch folder, writable. From ABI 4 on, TCP
bind and connect are refused too, and from ABI 6 on, signals and abstract
unix sockets cannot reach any process outside the child's own domain. The
restriction holds for everything the child forks and cannot be lifted.

Copied into the child's runtime as ``_cnn_grader_landlock.py``; standard
library only. ``restrict`` returns the ABI it used, or 0 where the kernel has
no Landlock (the other walls still hold; the result lists what was in force).
"""
from __future__ import annotations

import ctypes
import os
import struct
import sys

CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446  # the same on every architecture
CREATE_RULESET_VERSION, RULE_PATH_BENEATH = 1, 1
PR_SET_NO_NEW_PRIVS = 38
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1, 2, 4, 8
FS_BITS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
READ = EXECUTE | READ_FILE | READ_DIR
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
NET_TCP = 0b11  # bind and connect
SCOPES = 0b11  # abstract unix sockets and signals


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def abi() -> int:
    version = _libc().syscall(CREATE_RULESET, None, ctypes.c_size_t(0),
                              ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(0, version)


def _handled_fs(version: int) -> int:
    return FS_BITS[max(v for v in FS_BITS if v <= version)]


def interpreter_dirs() -> list[str]:
    """What this interpreter needs to read: its prefix and its base install."""
    exe = os.path.realpath(sys.executable)
    return sorted({sys.prefix, sys.base_prefix, sys.exec_prefix,
                   os.path.dirname(os.path.dirname(exe))})


def restrict(*, read: list[str], write: list[str]) -> int:
    """Confine this process to ``read`` (and execute) and ``write`` (full access
    beneath each); returns the Landlock ABI used, 0 where there is none."""
    version = abi()
    if version == 0:
        return 0
    libc = _libc()
    handled = _handled_fs(version)
    fields = [handled]
    if version >= 4:
        fields.append(NET_TCP)
    if version >= 6:
        fields.append(SCOPES)
    attr = struct.pack(f"{len(fields)}Q", *fields)
    ruleset = libc.syscall(CREATE_RULESET, ctypes.c_char_p(attr), ctypes.c_size_t(len(attr)),
                           ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for paths, access in ((read, READ & handled), (write, handled)):
            for path in paths:
                _allow(libc, ruleset, path, access)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
                libc.syscall(RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return version


def _allow(libc, ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this machine (e.g. /lib32): nothing to allow
    try:
        if not os.path.isdir(path):
            access &= FILE_ONLY
        rule = struct.pack("=Qi", access, fd)
        if libc.syscall(ADD_RULE, ruleset, ctypes.c_int(RULE_PATH_BENEATH),
                        ctypes.c_char_p(rule), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(fd)
