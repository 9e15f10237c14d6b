"""Telling a batch from one submission, and listing its learners (no grading)."""
from __future__ import annotations

import shutil
import zipfile

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
    shutil.copytree(SOLUTIONS_DIR, batch / ("x" * 101))
    with pytest.raises(UsageError, match="cannot be a learner id"):
        list_learners(batch, tmp_path / "stage")
