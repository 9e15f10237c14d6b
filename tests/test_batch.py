"""A class graded as a batch: per-learner files, gradebook, class report, resume."""
from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader import __version__
from grader.batch.run import grade_class
from grader.batch.class_report import class_stats
from grader.errors import UsageError
from grader.batch.gradebook import COLUMNS, read_gradebook, row
from grader.paths import SOLUTIONS_DIR
from grader.registry import EXERCISES
from batch_samples import buggy, make_class, solution_with
from conftest import QUICK

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    batch = make_class(root)
    result = grade_class(submissions=batch, out=root / "out", jobs=2, progress=False, exercises=QUICK)
    return batch, root / "out", result


def _records(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in (out / "learners").glob("*.json")}


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    # os.replace gives a rewritten file a new inode: a file graded again shows here.
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "learners").iterdir()}


def test_every_learner_has_a_record_and_the_counts_add_up(graded):
    batch, out, result = graded
    records = _records(out)
    assert set(records) == {"alice", "bob", "carol", "dave", "eve", "frank<b>"}
    assert (result.learners, result.graded, result.reused, result.unreadable, result.errors) \
        == (6, 5, 0, 1, 0)
    for learner, record in records.items():
        assert record["learner_id"] == learner
        if learner != "eve":
            assert (out / "learners" / f"{learner}.html").is_file()
            assert record["grader_version"] == __version__


def test_scores_follow_the_submissions(graded):
    _, out, _ = graded
    r = _records(out)
    # Full marks on every exercise (the quiz's numbers vary with the learner id).
    assert all(r["alice"]["exercises"][n]["score"] == r["alice"]["exercises"][n]["max_score"] > 0
               for n in QUICK)
    assert all(e["score"] == 0 for e in r["bob"]["exercises"].values())
    conv = lambda name: r[name]["exercises"]["conv"]  # noqa: E731
    assert 0 < conv("carol")["score"] < conv("alice")["score"]
    assert conv("dave")["score"] == 0 and "torch" in conv("dave")["message"]
    rf = r["frank<b>"]["exercises"]["receptive_field"]
    assert rf["score"] < r["alice"]["exercises"]["receptive_field"]["score"]
    assert r["frank<b>"]["exercises"]["conv"] == r["alice"]["exercises"]["conv"]
    assert "not a .zip" in r["eve"]["error"] or "neither" in r["eve"]["error"]


def test_gradebook_matches_the_learner_files_row_for_row(graded):
    _, out, _ = graded
    book = read_gradebook(out / "gradebook.csv")
    assert tuple(book[0]) == COLUMNS
    assert [b["learner_id"] for b in book] == sorted(_records(out))
    records = _records(out)
    for entry in book:
        record = records[entry["learner_id"]]
        assert entry == row(record)
        if "error" not in record:
            assert float(entry["total"]) == record["score"]
            assert sum(float(entry[n]) for n in (*QUICK, "quiz")) == pytest.approx(record["score"])
            assert all(entry[n] == "" for n in EXERCISES if n not in QUICK)  # not graded


def test_flags_name_what_an_instructor_must_look_at(graded):
    _, out, _ = graded
    flags = {b["learner_id"]: b["flags"].split() for b in read_gradebook(out / "gradebook.csv")}
    assert flags == {"alice": [], "bob": ["learner-id"], "carol": ["learner-id"],
                     "dave": ["integrity", "learner-id"], "eve": ["unreadable"],
                     "frank<b>": ["timeout", "learner-id"]}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_class_report_shows_histogram_hardest_tests_quiz_and_flags(graded):
    _, out, _ = graded
    html = (out / "class.html").read_text()
    page = _Collect()
    page.feed(html)
    assert "svg" in page.tags and page.tags.count("rect") == 10
    assert "<b>" not in html and "frank&lt;b&gt;" in html  # the learner id is escaped
    stats = class_stats(out)
    rates = [t.rate for t in stats.test_rates()]
    assert rates == sorted(rates) and rates[0] < rates[-1]
    # Each hidden test was taken by the five graded learners.
    assert {t.total for t in stats.test_rates()} == {5}
    # The first rows of the table are the hardest tests, in that order.
    hardest = stats.test_rates()[:3]
    positions = [html.index(f"<code>{t.name}</code>") for t in hardest]
    assert positions == sorted(positions)
    assert len(stats.question_rates()) > 0
    assert all(0 <= q.right <= q.total == 5 for q in stats.question_rates())
    text = " ".join(page.text)
    for learner, flag in [("dave", "integrity"), ("eve", "unreadable"), ("frank<b>", "timeout")]:
        assert learner in text and flag in text
    assert sum(b.count for b in stats.histogram()) == 5


def test_a_second_run_grades_nothing_again(graded):
    batch, out, _ = graded
    before = _stamps(out)
    again = grade_class(submissions=batch, out=out, jobs=2, progress=False, exercises=QUICK)
    assert (again.graded, again.reused) == (0, 5)
    after = _stamps(out)
    assert {k: v for k, v in after.items() if not k.startswith("eve")} == \
        {k: v for k, v in before.items() if not k.startswith("eve")}


def test_a_changed_submission_and_a_new_learner_are_graded(graded, tmp_path):
    batch, out, _ = graded
    copy = tmp_path / "class"
    shutil.copytree(batch, copy, symlinks=True)
    shutil.rmtree(copy / "frank<b>")  # a learner gone from the folder keeps its record
    solution_with(copy / "grace", buggy("params", "bug_forgets_bias"))
    (copy / "alice" / "pooling.py").write_text((SOLUTIONS_DIR / "pooling.py").read_text()
                                                + "\n# one more comment\n")
    work = tmp_path / "out"
    shutil.copytree(out, work)
    before = _stamps(work)
    result = grade_class(submissions=copy, out=work, jobs=2, progress=False, exercises=QUICK)
    assert (result.graded, result.reused) == (2, 3)
    after = _stamps(work)
    changed = {k.rsplit(".", 1)[0] for k in after if after[k] != before.get(k)}
    assert changed == {"alice", "grace", "eve"}  # eve: refused again, its note rewritten
    book = read_gradebook(work / "gradebook.csv")
    assert {b["learner_id"] for b in book} == {"alice", "bob", "carol", "dave", "eve",
                                              "frank<b>", "grace"}


def test_one_submission_is_not_a_batch(tmp_path):
    with pytest.raises(UsageError, match="not a batch"):
        grade_class(submissions=SOLUTIONS_DIR, out=tmp_path / "out", jobs=1, progress=False, exercises=QUICK)


def test_a_dask_cluster_grades_like_the_local_workers(graded, tmp_path):
    distributed = pytest.importorskip("distributed")
    batch, out, _ = graded
    subset = tmp_path / "class"
    subset.mkdir()
    for name in ("alice", "dave.zip"):
        source = batch / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, subset / name)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        result = grade_class(submissions=subset, out=tmp_path / "out", jobs=2,
                             dask_address=cluster.scheduler_address, progress=False, exercises=QUICK)
    assert (result.graded, result.errors) == (2, 0)
    local = {b["learner_id"]: b for b in read_gradebook(out / "gradebook.csv")}
    on_dask = read_gradebook(tmp_path / "out" / "gradebook.csv")
    assert on_dask == [local[name] for name in ("alice", "dave")], {
        f"{where}/{name}": _not_passed(folder / "learners" / f"{name}.json")
        for where, folder in (("local", out), ("dask", tmp_path / "out"))
        for name in ("alice", "dave")}


def _not_passed(path: Path) -> list:
    """What a learner's record says of its tests that did not pass (for failure messages)."""
    record = json.loads(path.read_text())
    return [(t["name"], t["status"], t["output"][:500]) for t in record.get("tests", ())
            if t["status"] != "passed"]


def test_a_course_secret_regrades_and_a_key_signs_files_and_rows(graded, tmp_path):
    from grader.scoring.signing import verify_result, verify_row

    batch, out, _ = graded
    subset = tmp_path / "class"
    shutil.copytree(batch / "carol", subset / "carol")
    work = tmp_path / "out"
    shutil.copytree(out, work)
    secret, key = tmp_path / "secret", tmp_path / "key"
    secret.write_text("c" * 64)
    key.write_text("k" * 64)
    key_bytes = key.read_bytes()
    # carol was graded in self-check mode: under the course secret she is graded again.
    result = grade_class(submissions=subset, out=work, jobs=1, progress=False, exercises=QUICK,
                         secret_file=secret, sign_key=key_bytes)
    assert (result.graded, result.reused) == (1, 0)
    record = json.loads((work / "learners" / "carol.json").read_text())
    assert record["seeding"] == "course"
    assert verify_result(record, key=key_bytes, learner="carol").genuine
    book = {b["learner_id"]: b for b in read_gradebook(work / "gradebook.csv")}
    assert verify_row(book["carol"], key=key_bytes) and "unverified" not in book["carol"]["flags"]
    # The others were recorded without the key: their files do not verify under it,
    # so their rows are flagged and carry no signature (never laundered into one).
    others = [b for name, b in book.items() if name != "carol"]
    assert others and all("unverified" in b["flags"].split() and b["signature"] == ""
                          and not verify_row(b, key=key_bytes) for b in others)
    assert not verify_row({**book["carol"], "total": "999"}, key=key_bytes)
    assert "c" * 64 not in (work / "gradebook.csv").read_text() + json.dumps(record)


def test_records_keep_the_graded_code_and_the_batch_reviews_similarity(graded):
    from grader.batch.similarity import CSV_COLUMNS

    _, out, _ = graded
    records = _records(out)
    assert records["alice"]["sources"]["conv"] == (SOLUTIONS_DIR / "conv.py").read_text()
    assert "sources" not in records["eve"]
    rows = (out / "similarity.csv").read_text().splitlines()
    assert rows[0] == ",".join(CSV_COLUMNS)
    pairs = {tuple(r.split(",")[:3]) for r in rows[1:]}
    # alice, carol and frank<b> hand in the same conv.py: a pair worth a look.
    assert ("conv", "alice", "frank<b>") in pairs
    html = (out / "class.html").read_text()
    assert "similar: worth a look" in html and "frank&lt;b&gt;" in html


def test_no_similarity_leaves_the_review_out(graded, tmp_path):
    batch, out, _ = graded
    work = tmp_path / "out"
    shutil.copytree(out, work)
    (work / "similarity.csv").unlink()
    grade_class(submissions=batch, out=work, jobs=1, progress=False, similarity=False,
                exercises=QUICK)
    assert not (work / "similarity.csv").exists()
    assert "not run" in (work / "class.html").read_text()
