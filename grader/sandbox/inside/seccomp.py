"""No network for a child that has no network namespace: a seccomp filter.

Where bubblewrap cannot make namespaces, a learner's child shares the
grader's network, loopback included. The audit hook refuses Python's
sockets, but ctypes goes around it. This filter goes into the kernel before
any learner code runs and stays there for the process and everything it
forks: ``socket()`` of any family but AF_UNIX fails with EACCES, and so does
``io_uring_setup`` (io_uring can open sockets without the socket syscall).
A syscall made through another ABI (32-bit ``int 0x80`` on x86-64, x32)
kills the process, since its numbers are not the ones checked here.

Copied into the child's runtime as ``_cnn_grader_seccomp.py``; standard library
only. ``deny_network()`` raises OSError where the kernel refuses the filter.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_ALLOW, RET_KILL_PROCESS = 0x7FFF0000, 0x80000000
RET_EACCES = 0x00050000 | errno.EACCES
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06
AF_UNIX = 1
# arch (AUDIT_ARCH_*), socket, io_uring_setup: the syscall numbers differ per ABI.
ABIS = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
X32_BIT = 0x40000000  # x86-64 syscalls with this bit set use the x32 ABI


class _Filter(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def program(machine: str) -> list[tuple[int, int, int, int]]:
    """The BPF program as (code, jump-if-true, jump-if-false, k) instructions."""
    arch, socket_nr, uring_nr = ABIS[machine]
    return [
        (LD_W_ABS, 0, 0, 4),                   # seccomp_data.arch
        (JEQ_K, 1, 0, arch),
        (RET_K, 0, 0, RET_KILL_PROCESS),      # another ABI: other numbers, so no
        (LD_W_ABS, 0, 0, 0),                   # seccomp_data.nr
        (JGE_K, 0, 1, X32_BIT),
        (RET_K, 0, 0, RET_KILL_PROCESS),
        (JEQ_K, 0, 1, uring_nr),
        (RET_K, 0, 0, RET_EACCES),
        (JEQ_K, 1, 0, socket_nr),
        (RET_K, 0, 0, RET_ALLOW),
        (LD_W_ABS, 0, 0, 16),                  # args[0], low half: the address family
        (JEQ_K, 0, 1, AF_UNIX),
        (RET_K, 0, 0, RET_ALLOW),
        (RET_K, 0, 0, RET_EACCES),
    ]


def deny_network() -> None:
    """Install the filter in this process (and so in everything it forks)."""
    machine = platform.machine()
    if machine not in ABIS:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    code = b"".join(struct.pack("HBBI", *insn) for insn in program(machine))
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _Filter(len(code) // 8, ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    # Without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs.
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0)):
        if libc.prctl(*[ctypes.c_ulong(a) for a in args]) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"seccomp: {errno.errorcode.get(err, err)}")
