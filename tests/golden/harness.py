"""The golden submissions: graded through the installed CLI, compared field by field.

Issue 13 moved nearly every file of the grader. This harness proves that
nothing moved for users: it grades a fixed set of submissions (the
reference, the stubs, three catalogued mistakes, one hostile module) with a
fixed course secret and fixed learner ids, through ``cnn-grader grade
--json`` in a fresh process, so it depends on no module path inside the
package. The results are in ``results/``: recorded before the move, and
again at each merge of main that changes results (last: main d21a82f, seeds
v2), each time only after every case graded by main's own tree and by this
one was identical field by field.

Run ``python tests/golden/harness.py --record`` to record them again (only
when a change is meant to alter results, e.g. a change of seeds; say so in
the commit).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
# A fixed course secret (course mode), so that the per-learner inputs are fixed too.
SECRET = "golden-course-secret-0123456789abcdef"
CLI = Path(sys.executable).with_name("cnn-grader")

# name -> (learner id, how the submission is made)
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "reference": ("golden-ref", {"base": "solutions"}),
    "stubs": ("golden-stubs", {"base": "exercises"}),
    "mistake_conv": ("golden-m1", {"base": "solutions", "replace": {
        "conv.py": "grader/units/conv/variants/bug_flipped_kernel.py"}}),
    "mistake_receptive_field": ("golden-m2", {"base": "solutions", "replace": {
        "receptive_field.py": "grader/units/receptive_field/variants/bug_skips_pooling.py"}}),
    "mistake_residual": ("golden-m3", {"base": "solutions", "replace": {
        "residual.py": "grader/units/residual/variants/bug_always_projection.py"}}),
    "hostile": ("golden-hostile", {"base": "solutions", "replace": {
        "conv.py": "tests/redteam/attacks/conv__exit_in_call.py"}}),
}
# Fields that say how long something took, or what the machine offers
# (bubblewrap, cgroups), not what the code computed.
_VOLATILE = re.compile(r"(^|_)(time|times|seconds|duration|elapsed|wall|cpu)$|_s$")
_DROPPED = {"isolation"}


def build(name: str, dest: Path) -> Path:
    """The submission of case ``name``, as a folder named ``name`` under ``dest``."""
    _, how = CASES[name]
    sub = dest / name
    shutil.copytree(ROOT / how["base"], sub, symlinks=True)
    for target, source in how.get("replace", {}).items():
        (sub / target).write_bytes((ROOT / source).read_bytes())
    return sub


def grade(name: str, work: Path) -> dict[str, Any]:
    """Case ``name`` graded by the CLI, normalised (see ``normalise``)."""
    learner, _ = CASES[name]
    sub = build(name, work / "subs")
    secret = work / "course.key"
    secret.write_text(SECRET)
    out = work / f"{name}.json"
    proc = subprocess.run([str(CLI), "grade", str(sub), "--json", str(out), "--learner", learner,
                           "--secret", str(secret)], capture_output=True, text=True,
                          cwd=work, timeout=600)
    if proc.returncode != 0:
        raise AssertionError(f"grading {name} failed ({proc.returncode}):\n{proc.stderr}")
    return normalise(json.loads(out.read_text()), [str(work), str(ROOT)])


def normalise(value: Any, paths: list[str]) -> Any:
    """Drop times and machine facts; write this run's folders as placeholders."""
    if isinstance(value, dict):
        return {k: normalise(v, paths) for k, v in value.items()
                if k not in _DROPPED and not _VOLATILE.search(k)}
    if isinstance(value, list):
        return [normalise(v, paths) for v in value]
    if isinstance(value, str):
        for i, path in enumerate(paths):
            value = value.replace(path, f"<path{i}>")
        # A grading's scratch folder: cnn-grader-KIND-OWNERTAG-RANDOM (sandbox/scratch.py).
        return re.sub(r"/tmp/cnn-grader-[A-Za-z0-9_.-]+", "<tmp>", value)
    return value


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RESULTS / f"{name}.json").read_text())


def record(work: Path) -> None:
    RESULTS.mkdir(exist_ok=True)
    for name in CASES:
        result = grade(name, work)
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {result['score']} / {result['max_score']}")


if __name__ == "__main__":
    import tempfile
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python tests/golden/harness.py --record")
    with tempfile.TemporaryDirectory(prefix="golden-") as tmp:
        record(Path(tmp))
