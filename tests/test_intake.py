"""Taking a submission in: folders, zips, and what is refused."""
import zipfile

import pytest

from grader import policy
from grader.errors import SubmissionError
from grader.intake.submission import take


def write(folder, files):
    for rel, content in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


@pytest.fixture
def dest(tmp_path):
    d = tmp_path / "copy"
    d.mkdir()
    return d


def test_a_folder_is_copied_and_missing_files_are_named(tmp_path, dest):
    src = tmp_path / "alice"
    write(src, {"conv.py": "x = 1\n", "helpers/extra.py": "y = 2\n", "__pycache__/c.pyc": b"\0"})
    sub = take(src, dest)
    assert sub.name == "alice"
    assert sub.files == ("conv.py", "helpers/extra.py")
    assert (dest / "conv.py").read_text() == "x = 1\n"
    messages = [p.message for p in sub.problems]
    assert "pooling.py is missing" in messages and "answers.toml is missing" in messages
    assert {p.code for p in sub.problems} == {"missing-file"}  # typed, for the gradebook


def test_the_fingerprint_covers_names_and_content(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    write(a, {"conv.py": "x = 1\n"})
    write(b, {"conv.py": "x = 1\n"})
    write(c, {"conv.py": "x = 2\n"})
    prints = []
    for i, src in enumerate((a, b, c)):
        (tmp_path / f"d{i}").mkdir()
        prints.append(take(src, tmp_path / f"d{i}").fingerprint)
    assert prints[0] == prints[1] != prints[2]
    assert len(prints[0]) == 64


def test_a_zip_of_a_folder_is_unwrapped(tmp_path, dest):
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bob/conv.py", "x = 1\n")
        zf.writestr("bob/pooling.py", "y = 1\n")
    sub = take(archive, dest)
    assert sub.name == "bob.zip" and sub.files == ("conv.py", "pooling.py")


def test_zip_entries_that_escape_or_link_are_ignored(tmp_path, dest):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../outside.py", "boom")
        zf.writestr("/etc/evil.py", "boom")
        link = zipfile.ZipInfo("conv.py")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("pooling.py", "ok = 1\n")
    sub = take(archive, dest)
    assert sub.files == ("pooling.py",)
    assert not (tmp_path / "outside.py").exists()
    text = "\n".join(p.message for p in sub.problems)
    assert "points outside" in text and "symbolic link" in text


def test_a_symlink_in_a_folder_is_ignored(tmp_path, dest):
    src = tmp_path / "carol"
    write(src, {"pooling.py": "ok = 1\n"})
    (src / "conv.py").symlink_to("/etc/passwd")
    sub = take(src, dest)
    assert "conv.py" not in sub.files
    assert any("symbolic link" in p for p in [p.message for p in sub.problems])


def test_a_zip_bomb_is_capped(tmp_path, dest, monkeypatch):
    monkeypatch.setattr(policy, "MAX_SUBMISSION_BYTES", 1_000_000)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("conv.py", b"#" * 5_000_000)
        zf.writestr("pooling.py", "ok = 1\n")
    sub = take(archive, dest)
    assert sub.files == ("pooling.py",)
    assert any("conv.py" in p for p in [p.message for p in sub.problems])


def test_too_many_files_are_capped(tmp_path, dest, monkeypatch):
    monkeypatch.setattr(policy, "MAX_SUBMISSION_FILES", 3)
    src = tmp_path / "many"
    write(src, {f"f{i}.py": "" for i in range(10)})
    sub = take(src, dest)
    assert len(sub.files) == 3
    assert any("more than 3 files" in p for p in [p.message for p in sub.problems])


@pytest.mark.parametrize("name, content, message", [
    ("missing", None, "no such submission"),
    ("notes.txt", "hello", "neither a folder, a .zip archive nor a notebook"),
])
def test_unusable_paths_raise_a_clear_error(tmp_path, dest, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(SubmissionError, match=message) as info:
        take(path, dest)
    assert info.value.exit_code != 0


def test_graded_files_come_before_the_file_cap(tmp_path, dest, monkeypatch):
    monkeypatch.setattr(policy, "MAX_SUBMISSION_FILES", 4)
    src = tmp_path / "many"
    write(src, {**{f"data/{i:03d}.bin": "" for i in range(30)},
                "params.py": "x = 1\n", "conv.py": "y = 2\n", "helper.py": "z = 3\n"})
    sub = take(src, dest)
    assert sub.files == ("conv.py", "data/000.bin", "helper.py", "params.py")
    problem = next(p.message for p in sub.problems if "more than 4 files" in p.message)
    assert "data/001.bin" in problem and "and 19 more" in problem
    assert "params.py is missing" not in [p.message for p in sub.problems]


def test_graded_files_come_before_the_byte_cap(tmp_path, dest, monkeypatch):
    monkeypatch.setattr(policy, "MAX_SUBMISSION_BYTES", 1000)
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("aaa/data.bin", b"#" * 990)  # first in the archive and in sorted order
        zf.writestr("params.py", "x = 1\n" * 20)
    sub = take(archive, dest)
    assert "params.py" in sub.files and "aaa/data.bin" not in sub.files
