"""Red team, round two (issue 12): hostile and odd VALUES in a result.

Each case in attacks/values/<part>__<name>.py (or .toml, for answers.toml)
replaces one file of the reference submission. A case is graded by a real
``cnn-grader grade`` process, without and with ``--sign-key``, and all cases
together as one batch (warm children, signed), twice. Every run must:

* exit 0 (a batch: complete, with no learner recorded as an error);
* score the attacked part 0, or what its honest twin scores: the same
  mistake made with an ordinary value (attacks/values/twins/, e.g. 7 where
  the attack has NaN); the other parts keep full marks;
* write strict JSON (no NaN or Infinity), signed and verifiable with a key;
* stay small (JSON and HTML under ``MAX_OUTPUT_BYTES``; the grader's memory
  under ``MAX_GRADER_RSS``) and print no control character on the terminal.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest
from test_redteam import SECRET, full_marks  # noqa: F401 - a fixture

from conftest import QUICK, QUICK_ONLY

from grader.paths import PROJECT_DIR, SOLUTIONS_DIR

HERE = Path(__file__).parent / "attacks" / "values"
ATTACKS = sorted(p for p in HERE.glob("*__*.*") if p.suffix in (".py", ".toml"))
TWINS = HERE / "twins"
# Bounds measured for the worst case here (conv__huge_strings): a few
# hundred KiB of JSON and HTML, where the grader once wrote 403 MB.
MAX_OUTPUT_BYTES = 4 << 20
# The grader process's peak memory (VmHWM): 360 MiB measured for conv__huge_strings,
# where it once reached 5.3 GB.
MAX_GRADER_RSS = 1536 << 20
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

pytestmark = pytest.mark.redteam


def strict_json(text: str):
    """Parse as JavaScript's JSON.parse would: NaN and Infinity are errors."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


def part_of(attack: Path) -> str:
    target = attack.stem.split("__", 1)[0]
    return "quiz" if target == "answers" else target


def build(source: Path, dest: Path) -> Path:
    shutil.copytree(SOLUTIONS_DIR, dest)
    name = "answers.toml" if part_of(source) == "quiz" else f"{part_of(source)}.py"
    (dest / name).write_bytes(source.read_bytes())
    return dest


@lru_cache(maxsize=None)
def honest_score(attack: Path, learner_id: str) -> float:
    """What the attacked part scores when the same mistake is made with an
    ordinary value (its twin), for this learner's inputs; 0 without a twin."""
    twin = TWINS / attack.name
    part = part_of(attack)
    if part == "quiz":
        from grader.quiz.bank import load_bank, read_answers, score_quiz
        answers, _ = read_answers(twin if twin.exists() else attack)
        return score_quiz(load_bank(), answers, learner=learner_id).score
    if not twin.exists():
        return 0.0
    import tempfile

    from grader.scoring.grading import grade
    with tempfile.TemporaryDirectory() as tmp:
        sub = build(twin, Path(tmp) / "twin")
        return grade(submission=sub, learner=learner_id, exercises=(part,)).exercise(part).score


def quiz_of_solutions(learner_id: str) -> float:
    from grader.quiz.bank import load_bank, read_answers, score_quiz
    answers, _ = read_answers(SOLUTIONS_DIR / "answers.toml")
    return score_quiz(load_bank(), answers, learner=learner_id).score


def check_record(attack: Path | None, doc: dict, full: dict) -> None:
    """The scores of one learner's strict JSON result, part by part."""
    attacked = part_of(attack) if attack is not None else None
    assert set(doc["exercises"]) == {*QUICK, "quiz"}
    for name in QUICK:
        expected = (honest_score(attack, doc["learner_id"]) if name == attacked
                    else full["exercises"][name]["max_score"])
        assert doc["exercises"][name]["score"] == expected, (name, doc["exercises"][name])
    quiz = (honest_score(attack, doc["learner_id"]) if attacked == "quiz"
            else quiz_of_solutions(doc["learner_id"]))
    assert doc["exercises"]["quiz"]["score"] == quiz


def peak_rss(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) * 1024 if found else 0


@pytest.fixture(scope="module")
def sign_key(tmp_path_factory) -> Path:
    key = tmp_path_factory.mktemp("key") / "sign.key"
    key.write_text("5f1c9a0e7b3d42c8a6e9f0b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1\n")
    return key


def grade_cli(sub: Path, out: Path, key: Path | None) -> tuple[subprocess.CompletedProcess, int]:
    out.mkdir()
    command = [sys.executable, "-m", "grader.cli", "grade", str(sub), "--json", str(out / "r.json"),
               "--html", str(out / "r.html"), "--gradescope", str(out / "gs.json"),
               "--prairielearn", str(out / "pl.json"), "--junit", str(out / "junit.xml"),
               *QUICK_ONLY]
    command += ["--sign-key", str(key)] if key else []
    # Files, not pipes: --only prints every test it ran, and a pipe nobody reads
    # while the memory is polled would fill and stop the grader.
    with open(out / "stdout.txt", "w+b") as stdout, open(out / "stderr.txt", "w+b") as stderr:
        proc = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=stdout, stderr=stderr,
                                env={**os.environ, "CNN_REDTEAM_SECRET": SECRET})
        peak, deadline = 0, time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            peak = max(peak, peak_rss(proc.pid))
            time.sleep(0.2)
        proc.wait(timeout=max(1, deadline - time.monotonic()))
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(command, proc.returncode, stdout.read(),
                                           stderr.read()), peak


def test_the_round_two_value_corpus_is_there():
    names = {a.stem for a in ATTACKS}
    assert {"conv__lone_surrogate_in_exception", "residual__fractional_parameter_shape",
            "conv__honest_nan_bug", "conv__huge_strings", "answers__huge_integer",
            "conv__terminal_escape_codes"} <= names
    assert all((HERE / t.name).exists() for t in TWINS.iterdir()), "a twin without its attack"
    for source in [*HERE.glob("*.py"), *TWINS.glob("*.py")]:  # a broken twin would score 0
        compile(source.read_bytes(), str(source), "exec")


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_value_attack_in_a_single_grading(attack, signed, tmp_path, sign_key, full_marks):
    sub = build(attack, tmp_path / "submission")
    out = tmp_path / "out"
    proc, peak = grade_cli(sub, out, sign_key if signed else None)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]

    doc = strict_json((out / "r.json").read_text(encoding="utf-8"))
    for other in ("gs.json", "pl.json"):
        strict_json((out / other).read_text(encoding="utf-8"))
    ET.fromstring((out / "junit.xml").read_bytes())
    (out / "r.html").read_text(encoding="utf-8")  # strict UTF-8
    check_record(attack, doc, full_marks)
    for name in ("r.json", "r.html", "gs.json", "pl.json", "junit.xml"):
        assert (out / name).stat().st_size < MAX_OUTPUT_BYTES, name
    assert peak < MAX_GRADER_RSS, f"the grader peaked at {peak >> 20} MiB"
    assert len(doc["learner_id"]) <= 200 and not CONTROL.search(doc["learner_id"])

    stdout = proc.stdout.decode("utf-8")
    assert not CONTROL.search(stdout.replace("\n", "")), stdout
    # The summary: one line per part, before the lines of the tests --only ran
    # ("  conv::test_name: passed ...").
    lines: dict[str, str] = {}
    for line in stdout.splitlines()[1:]:
        if line.strip() and "::" in line.split()[0]:
            break
        if line.strip():
            lines[line.split()[0]] = line
    assert lines[part_of(attack)].split()[1] == f"{doc['exercises'][part_of(attack)]['score']:g}"

    if signed:
        verify = subprocess.run([sys.executable, "-m", "grader.cli", "verify", str(out / "r.json"),
                                 "--sign-key", str(sign_key), "--submission", str(sub)],
                                cwd=PROJECT_DIR, capture_output=True)
        assert verify.returncode == 0, verify.stderr.decode(errors="replace")
    else:
        assert "signature" not in doc


def test_value_attacks_in_one_batch_and_its_rerun(tmp_path, sign_key, full_marks, monkeypatch):
    """Every case, the twins and two honest learners as one signed batch of warm
    children; then the same batch again, which reuses every learner."""
    from grader.batch.run import grade_class
    from grader.scoring.signing import load_sign_key, verify_result

    monkeypatch.setenv("CNN_REDTEAM_SECRET", SECRET)
    batch = tmp_path / "class"
    learners: dict[str, Path | None] = {"honest-1": None, "honest-2": None}
    for attack in ATTACKS:
        build(attack, batch / attack.stem)
        learners[attack.stem] = attack
    for twin in TWINS.iterdir():
        build(twin, batch / f"twin-{twin.stem}")
        learners[f"twin-{twin.stem}"] = None if part_of(twin) != "quiz" else twin
    for name in ("honest-1", "honest-2"):
        shutil.copytree(SOLUTIONS_DIR, batch / name)
    key = load_sign_key(sign_key)

    out = tmp_path / "out"
    first = grade_class(submissions=batch, out=out, jobs=2, progress=False, sign_key=key,
                        exercises=QUICK)
    assert (first.graded, first.errors, first.unreadable) == (len(learners), 0, 0)
    for learner, attack in learners.items():
        raw = (out / "learners" / f"{learner}.json").read_text(encoding="utf-8")
        doc = strict_json(raw)
        assert verify_result(doc, key=key, learner=learner).genuine, learner
        if learner.startswith("twin-"):
            continue  # graded for their ids' inputs; the attacks compare with them
        check_record(attack, doc, full_marks)
        assert len(raw) < MAX_OUTPUT_BYTES
        assert (out / "learners" / f"{learner}.html").stat().st_size < MAX_OUTPUT_BYTES

    again = grade_class(submissions=batch, out=out, jobs=2, progress=False, sign_key=key,
                        exercises=QUICK)
    assert (again.reused, again.errors, again.graded) == (len(learners), 0, 0)
    strict_json((out / "learners" / "honest-1.json").read_text(encoding="utf-8"))
