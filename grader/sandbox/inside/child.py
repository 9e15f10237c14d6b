"""The program that runs inside a learner's child process.

It imports one learner module, then answers requests from the grader: call a
function, build an object, run a torch module. It knows nothing of tests,
reference solutions or expected values; those never leave the grader.

Run as ``python -I -B -u child.py REQ_FD REPLY_FD SUPPORT_DIR SUBMISSION_DIR``
from a private copy (see ``sandbox.py``), beside a copy of ``protocol.py``
saved as ``_cnn_grader_protocol.py``; the first request is ``{"config": ...}``
(over the pipe: argv is readable by every process on the machine). Standard library and
numpy only, until a request needs torch.

Before any learner code runs, it lowers its own resource limits (soft and
hard, so they cannot be raised again) and, for the numpy-only exercises,
blocks the libraries that would do the work for the learner.
"""
from __future__ import annotations

import copy
import importlib
import importlib.abc
import json
import os
import resource
import struct
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    req_fd, reply_fd = int(sys.argv[1]), int(sys.argv[2])
    support_dir, submission_dir = sys.argv[3], sys.argv[4]
    # The config names the grader's protected paths, so it comes over the
    # pipe, never in argv (any process can read /proc/PID/cmdline).
    config = _read_config(req_fd)
    sys.path.insert(0, HERE)
    import walls
    if config.get("parent") is not None:  # no bubblewrap: die with the grader
        walls.die_with_parent(config["parent"])
    scratch = config.get("scratch")
    # Its own capped tmpfs (walls.private_tmpfs), while still single-threaded:
    # before numpy, and before anything of the learner's.
    config["scratch_capped"] = False
    if scratch and walls.private_tmpfs(scratch["targets"], size=scratch["size"],
                                       inodes=scratch["inodes"]):
        config["scratch_capped"] = True
        os.chdir(scratch["targets"][0])  # the tmpfs, not the folder under it
        walls.drop_privileges()
    import _cnn_grader_protocol as wire
    import numpy as np
    sys.path.remove(HERE)
    serve(req_fd, reply_fd, support_dir, submission_dir, config, wire, np)


def _read_config(fd: int) -> dict:
    """The first message on the request pipe, read before numpy is imported
    (the scratch mount must happen while the process is single-threaded), so
    without the wire module: a 4-byte big-endian length, then plain JSON."""
    def exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = os.read(fd, size - len(data))
            if not chunk:
                raise SystemExit("the grader closed the pipe before sending the config")
            data += chunk
        return data
    (size,) = struct.unpack(">I", exactly(4))
    return json.loads(exactly(size))["config"]


def serve(req_fd: int, reply_fd: int, support_dir: str, submission_dir: str, config: dict,
          wire, np) -> None:
    """Lock this process down, import nothing of the learner's yet, then answer requests.

    Shared by a cold child (``main``) and a child forked by the warm pool's
    zygote (``zygote.py``), so both get the same walls in the same order.
    """
    for name, value in config["rlimits"].items():
        limit = getattr(resource, name)
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass  # already lower, or not settable here; the report lists layers
    import walls
    walls.new_session_keyring()  # no keys shared with other sandboxes
    if config.get("deny_network"):  # no namespaces: the kernel's own walls instead
        sys.path.insert(0, HERE)
        import _cnn_grader_landlock
        import _cnn_grader_seccomp
        sys.path.remove(HERE)
        _cnn_grader_seccomp.deny_network()
        allowed = config["landlock"]
        _cnn_grader_landlock.restrict(
            read=allowed["read"] + _cnn_grader_landlock.interpreter_dirs(), write=allowed["write"])
    forbidden = tuple(config["forbidden"])
    if forbidden:
        sys.meta_path.insert(0, Blocker(forbidden))
    sys.addaudithook(make_audit_hook(tuple(config.get("protected", ())), os.getpid(),
                                     forbidden))

    # The grader's layers.py comes first, so a learner's own copy is ignored.
    sys.path[:0] = [support_dir, submission_dir]
    importlib.invalidate_caches()
    import layers

    server = Server(wire, np, layers, submission_dir, forbidden)
    server.max_elements = config.get("max_elements")
    wire.write_message(reply_fd, {"ready": {
        "pid": os.getpid(), "scratch_capped": config.get("scratch_capped", False)}})
    while True:
        try:
            request = wire.read_message(req_fd)
        except EOFError:
            return
        wire.write_message(reply_fd, server.handle(request))


class ForbiddenModule(ImportError):
    pass


def make_audit_hook(protected: tuple[str, ...], own_pid: int, forbidden: tuple[str, ...] = ()):
    """One more layer, for machines without namespaces (see docs/threat-model.md).

    An audit hook cannot be removed from Python code, though native code
    (ctypes) can go around it; the namespaces are the real wall.
    """
    parent = os.getppid()

    def hook(event: str, args: tuple) -> None:
        if event == "import" and forbidden and str(args[0]).split(".")[0] in forbidden:
            # Still there when the Blocker was taken off sys.meta_path.
            raise ForbiddenModule(f"{args[0]} may not be used in this exercise")
        if event == "open" and isinstance(args[0], (str, bytes)):
            path = os.path.realpath(os.fsdecode(args[0]))
            if any(path == p or path.startswith(p + os.sep) for p in protected):
                raise PermissionError(f"reading {path} is not allowed while grading")
        elif event == "os.kill" and (args[0] <= 0 or args[0] == parent):
            raise PermissionError("signalling the grader or a process group is not allowed")
        elif event == "os.killpg":
            raise PermissionError("signalling a process group is not allowed")
        elif event in ("socket.connect", "socket.bind", "socket.sendto") and not (
                isinstance(args[1], str)):  # AF_UNIX paths are strings; IP addresses are tuples
            raise PermissionError("network access is not allowed while grading")

    return hook


class Blocker(importlib.abc.MetaPathFinder):
    """Refuses to import the libraries a numpy-only exercise may not use."""

    def __init__(self, forbidden: tuple[str, ...]) -> None:
        self.forbidden = forbidden

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.forbidden:
            raise ForbiddenModule(
                f"{fullname} may not be used in this exercise")
        return None


class Server:
    def __init__(self, wire, np, layers, submission_dir: str, forbidden=()) -> None:
        self.wire, self.np, self.layers = wire, np, layers
        self.submission_dir = submission_dir
        self.forbidden = forbidden
        self.cleared: set[str] = set()  # names in sys.modules already found allowed
        self.modules: dict[str, object] = {}
        self.handles: dict[int, object] = {}
        self.max_elements: int | None = None  # set by serve() from the grader's config

    # -- plumbing -------------------------------------------------------------
    def handle(self, request: dict) -> dict:
        try:
            op = getattr(self, "op_" + request["op"])
            value = op(request)
            self.check_forbidden()
        except BaseException as exc:  # noqa: BLE001 - SystemExit and KeyboardInterrupt too
            return {"exc": self.describe(exc)}
        try:
            return {"ok": self.wire.encode(value, self.layers.ALL, self.max_elements)}
        except BaseException as exc:  # noqa: BLE001 - a return value that breaks encoding
            return {"exc": {"type": "UnsendableValue", "mro": ["UnsendableValue"],
                            "message": f"the return value could not be sent to the "
                                       f"grader ({type(exc).__name__}: {exc})",
                            "traceback": ""}}

    def check_forbidden(self) -> None:
        """Catches a blocker removed from sys.meta_path, or a module smuggled in."""
        if not self.forbidden:
            return
        # Only names not yet cleared need a look: a torch child holds some
        # 1,500 modules, and splitting every name on every request cost more
        # than the request itself. The set difference runs in C.
        new = sys.modules.keys() - self.cleared
        used = sorted({name.split(".")[0] for name in new} & set(self.forbidden))
        if used:
            raise ForbiddenModule(f"{', '.join(used)} may not be used in this exercise")
        self.cleared |= new

    def describe(self, exc: BaseException) -> dict:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.startswith(self.submission_dir)]
        tb = "".join(traceback.format_list(frames[-6:]))
        return {"type": type(exc).__name__,
                "mro": [c.__name__ for c in type(exc).__mro__],
                "message": str(exc)[:2000], "traceback": tb[:4000]}

    def decode(self, data):
        return self.wire.decode(data, max_elements=50_000_000, max_depth=64,
                                make_layer=lambda name, kw: self.layers.BY_NAME[name](**kw))

    def args(self, request):
        return self.decode(request.get("args", [])), self.decode(request.get("kwargs", {"__dict__": []}))

    # -- operations -------------------------------------------------------------
    def op_import(self, request):
        name = request["module"]
        self.modules[name] = importlib.import_module(name)
        return None

    def op_seed(self, request):
        """Seed torch's global generator, so that what is built next is the same every run."""
        import torch
        torch.manual_seed(int(request["seed"]))
        return None

    def op_call(self, request):
        func = getattr(self.modules[request["module"]], request["name"])
        args, kwargs = self.args(request)
        before = copy.deepcopy((args, kwargs))
        # Objects built earlier in this child (a model) stand in for their
        # handles: only the handle's number crossed the wire.
        for key, handle in request.get("objects", []):
            if type(key) is int:
                args[key] = self.handles[handle]
            else:
                kwargs[key] = self.handles[handle]
        value = func(*args, **kwargs)
        mutated = self.mutated(before, (args, kwargs))
        if request.get("keep"):  # what it returned (a model) stays here, as a handle
            value = self.keep(value)
        return {"value": value, "mutated": mutated}

    def keep(self, value) -> int:
        handle = len(self.handles) + 1
        self.handles[handle] = value
        return handle

    def mutated(self, before, after) -> list:
        """Positions (index or keyword) of array arguments the call changed."""
        (args0, kwargs0), (args1, kwargs1) = before, after
        pairs = [(i, a, b) for i, (a, b) in enumerate(zip(args0, args1))]
        pairs += [(k, kwargs0[k], kwargs1[k]) for k in kwargs0]
        np = self.np
        return [key for key, a, b in pairs if isinstance(a, np.ndarray)
                and not (a.shape == b.shape and np.array_equal(a, b, equal_nan=True))]

    def op_new(self, request):
        cls = getattr(self.modules[request["module"]], request["name"])
        args, kwargs = self.args(request)
        return self.keep(cls(*args, **kwargs))

    def op_inspect(self, request):
        module = self.handles[request["handle"]]
        what = request["what"]
        if what == "named_parameter_shapes":
            return {n: tuple(p.shape) for n, p in module.named_parameters()}
        if what == "state_dict_shapes":
            return {n: tuple(t.shape) for n, t in module.state_dict().items()}
        if what == "named_module_types":
            return {n: type(m).__name__ for n, m in module.named_modules()}
        if what == "parameter_count":
            return sum(p.numel() for p in module.parameters() if p.requires_grad)
        if what == "parameter_total":
            return sum(p.numel() for p in module.parameters())
        if what == "requires_grad":
            return {n: bool(p.requires_grad) for n, p in module.named_parameters()}
        if what == "layers":
            return [self.describe_layer(name, m) for name, m in module.named_modules()
                    if not list(m.children())]
        if what == "state_dict":
            return {n: t.detach().cpu().numpy() for n, t in module.state_dict().items()}
        raise ValueError(f"unknown inspection {what!r}")

    @staticmethod
    def describe_layer(name: str, module) -> list:
        """[name, type, fields, own parameter count] of a leaf module, as plain data.

        The grader rebuilds a layer spec from the fields of the layers
        layers.py can describe and counts them with the params reference; the
        module's own tensors count the rest.
        """
        kind, fields = type(module).__name__, {}
        if kind == "Conv2d":
            fields = {"in_channels": module.in_channels, "out_channels": module.out_channels,
                      "kernel_size": list(module.kernel_size), "groups": module.groups,
                      "bias": module.bias is not None}
        elif kind == "Linear":
            fields = {"in_features": module.in_features, "out_features": module.out_features,
                      "bias": module.bias is not None}
        elif kind == "BatchNorm2d":
            fields = {"num_features": module.num_features, "affine": bool(module.affine)}
        own = sum(p.numel() for p in module.parameters(recurse=False))
        return [name, kind, fields, own]

    def op_load_state_dict(self, request):
        import torch
        state = self.decode(request["state"])
        module = self.handles[request["handle"]]
        module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
        return None

    def op_forward(self, request):
        import torch
        module = self.handles[request["handle"]]
        x = torch.from_numpy(self.decode(request["x"]))
        module.train(bool(request["train"]))
        with torch.no_grad():
            return module(x)


if __name__ == "__main__":
    main()
