"""Telling a batch from one submission, and listing its learners (no grading)."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from batch_samples import solution_with, zip_folder
from grader.batch.listing import is_batch, list_learners
from grader.errors import UsageError
from grader.intake.submission import take
from grader.paths import EXERCISES_DIR, SOLUTIONS_DIR


def test_one_submission_is_not_a_batch(tmp_path):
    assert not is_batch(SOLUTIONS_DIR)
    assert not is_batch(EXERCISES_DIR)
    # A zip of one folder is one submission, as intake unwraps it.
    assert not is_batch(zip_folder(SOLUTIONS_DIR, tmp_path / "one.zip", prefix="alice/"))
    assert not is_batch(zip_folder(SOLUTIONS_DIR, tmp_path / "flat.zip"))
    (tmp_path / "empty").mkdir()
    assert not is_batch(tmp_path / "empty")
    assert not is_batch(tmp_path / "missing")


def test_a_folder_with_a_py_file_of_its_own_is_one_submission(tmp_path):
    # A learner who keeps a helper package in a subfolder is still one learner.
    sub = solution_with(tmp_path / "sub")
    (sub / "helpers").mkdir()
    assert not is_batch(sub)


def test_folders_and_zips_of_learners_are_a_batch(tmp_path):
    batch = tmp_path / "class"
    solution_with(batch / "alice")
    zip_folder(SOLUTIONS_DIR, batch / "bob.zip")
    (batch / ".DS_Store").write_text("finder litter")
    (batch / "__MACOSX").mkdir()
    (batch / "notes.txt").write_text("not a learner")
    assert is_batch(batch)
    learners = list_learners(batch, tmp_path / "stage")
    assert [(s.learner_id, s.path.name) for s in learners] == [("alice", "alice"),
                                                               ("bob", "bob.zip")]


def test_a_zip_of_zips_and_folders_is_staged_learner_by_learner(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(zip_folder(SOLUTIONS_DIR, tmp_path / "a.zip", prefix="a/"), "class/alice.zip")
        for path in sorted(SOLUTIONS_DIR.glob("*.py")):
            z.write(path, f"class/bob/{path.name}")
        z.writestr("class/README.txt", "handed in on time")
    assert is_batch(archive)
    learners = list_learners(archive, tmp_path / "stage")
    assert [s.learner_id for s in learners] == ["alice", "bob"]
    for source in learners:
        sub = take(source.path, tmp_path / f"copy-{source.learner_id}")
        assert "conv.py" in sub.files
        expected = take(SOLUTIONS_DIR, tmp_path / f"ref-{source.learner_id}")
        assert (sub.root / "conv.py").read_bytes() == (expected.root / "conv.py").read_bytes()


def test_a_learner_twice_is_refused_by_name(tmp_path):
    batch = tmp_path / "class"
    solution_with(batch / "alice")
    zip_folder(SOLUTIONS_DIR, batch / "alice.zip")
    with pytest.raises(UsageError, match="alice"):
        list_learners(batch, tmp_path / "stage")


def test_the_learner_id_must_be_usable_as_a_file_name(tmp_path):
    batch = tmp_path / "class"
    shutil.copytree(SOLUTIONS_DIR, batch / ("x" * 201))
    with pytest.raises(UsageError, match="cannot be a learner id"):
        list_learners(batch, tmp_path / "stage")


@pytest.mark.parametrize("name", ["\u05d3\u05e0\u05d4\u200f", "\u200f\u0633\u0627\u0631\u0629",
                                  "=HYPERLINK(x)", "@SUM(1)", "x" * 101, "Zo\u00eb Smith"])
def test_any_unicode_name_is_a_learner_id(tmp_path, name):
    batch = tmp_path / "class"
    solution_with(batch / name)
    solution_with(batch / "alice")
    assert [s.learner_id for s in list_learners(batch, tmp_path / "stage")] == sorted(
        ["alice", name])


@pytest.mark.parametrize("name, reason", [("", "empty"), (".x", "dot"), ("a\\b", "separator"),
                                          ("a\x1bb", "control"), ("\udcff", "Unicode"),
                                          ("\u05d3" * 101, "bytes")])
def test_only_names_no_file_can_have_are_refused(name, reason):
    from grader.batch.listing import unusable_id
    assert reason in unusable_id(name)


def _zip_of_one_big_learner(path: Path, files: int) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for i in range(files):
            z.writestr(f"class/mallory/data/f{i:05d}.bin", b"")
        for source in sorted(SOLUTIONS_DIR.glob("*.py")) + [SOLUTIONS_DIR / "answers.toml"]:
            z.write(source, f"class/mallory/{source.name}")
        z.writestr("class/alice/conv.py", "x = 1\n")
    return path


def test_staging_is_linear_in_the_number_of_files(tmp_path):
    # Before: 2,000 files took 58-82 s and 4,000 took 280 s (each member
    # reopened the staged zip). One pass per learner: well under a second.
    import time
    archive = _zip_of_one_big_learner(tmp_path / "class.zip", 4000)
    start = time.monotonic()
    learners = list_learners(archive, tmp_path / "stage")
    assert time.monotonic() - start < 10
    assert [s.learner_id for s in learners] == ["alice", "mallory"]
    sub = take(learners[1].path, tmp_path / "copy")
    # The data/ folder sorts before params.py; the cap keeps params.py anyway.
    assert all(f in sub.files for f in ("conv.py", "params.py", "answers.toml"))
    assert not any(p.code == "missing-file" for p in sub.problems)
    messages = [q.message for q in sub.problems]
    assert any("more than 500 files" in p and "data/f0" in p and " more " in p for p in messages)


def test_a_learner_whose_only_zip_is_over_the_cap_is_still_listed(tmp_path, monkeypatch):
    from grader import policy
    monkeypatch.setattr(policy, "MAX_SUBMISSION_BYTES", 1000)
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("class/big.zip", b"x" * 5000)
        z.writestr("class/alice/conv.py", "x = 1\n")
    assert [s.learner_id for s in list_learners(archive, tmp_path / "stage")] == ["alice", "big"]
