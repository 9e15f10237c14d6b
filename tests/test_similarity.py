"""The similarity review: disguised copies are found, independent work and the stub are not."""
from __future__ import annotations

import csv
import itertools
import json

import numpy as np
import pytest

from grader import policy, registry
from grader.batch.class_report import ClassStats, render_class_report
from grader.paths import EXERCISES_DIR
from grader.registry import EXERCISES
from grader.batch.similarity import (CSV_COLUMNS, K, compare_all, exercise_pairs, fingerprint,
                               normalize, review_similarity, stub_hashes)
from similarity_samples import bases, disguise, write_records

THRESHOLD = policy.SIMILARITY_REVIEW_THRESHOLD


def _score(exercise: str, a: str, b: str) -> float:
    return exercise_pairs(exercise, {"a": a, "b": b})[0].similarity


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("parts", [dict(rename=True, reorder=False, comments=False),
                                   dict(rename=False, reorder=True, comments=False),
                                   dict(rename=False, reorder=False, comments=True),
                                   dict(rename=True, reorder=True, comments=True)],
                         ids=["renamed", "reordered", "comments", "all-three"])
def test_a_disguised_copy_is_still_flagged(exercise, parts):
    for n, source in enumerate(bases(exercise)):
        copy = disguise(source, seed=n, **parts)
        assert copy != source
        assert _score(exercise, source, copy) >= THRESHOLD, (exercise, n, parts)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_correct_variants_written_independently_are_not_flagged(exercise):
    variants = {p.stem: p.read_text() for p in sorted(registry.get(exercise).variants_dir.glob("ok_*.py"))}
    assert len(variants) >= 2
    pairs = exercise_pairs(exercise, variants)
    assert len(pairs) == len(variants) * (len(variants) - 1) // 2
    assert all(p.similarity < THRESHOLD for p in pairs), [(p.learner_a, p.learner_b, p.similarity)
                                                           for p in pairs]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_pair_that_shares_only_the_stub_is_not_flagged(exercise):
    stub = (EXERCISES_DIR / f"{exercise}.py").read_text()
    assert _score(exercise, stub, stub) == 0.0  # two untouched stubs share nothing of their own
    one, other = sorted(registry.get(exercise).variants_dir.glob("ok_*.py"))[:2]
    # Each learner filled the stub in their own way: the stub's signatures
    # and docstrings are in both files, and count for nothing.
    assert _score(exercise, stub + "\n" + one.read_text(), stub + "\n" + other.read_text()) < THRESHOLD


def test_docstrings_and_comments_are_left_out():
    code = 'def f(x):\n    """A long docstring that both learners copied from the notes."""\n' \
           '    # a comment\n    return x + 1  # another\n'
    normal, lines = normalize(code)
    assert normal == "defF(V):returnV+1"
    assert lines.tolist() == [1] * 8 + [4] * 9
    # One shared docstring, different code: nothing in common.
    doc = '    """' + "Compute the thing the way the lesson explains it, step by step. " * 5 + '"""\n'
    a = "def conv2d(x, w):\n" + doc + "    return sum(v * 2 for v in x) - min(w)\n"
    b = "def conv2d(x, w):\n" + doc + "    out = []\n    for row in x:\n        out.append(row)\n    return out\n"
    assert _score("conv", a, b) == 0.0


def test_broken_code_is_compared_up_to_where_it_breaks():
    source = bases("params")[0]
    broken = source + "\ndef oops(:\n    return (\n"
    assert _score("params", source, broken) >= THRESHOLD


def test_the_overlap_is_copydetects():
    """All pairs at once give exactly what copydetect's pairwise functions give."""
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices

    stub = stub_hashes("conv")
    codes = [fingerprint(t, stub) for t in bases("conv")[:3] + [disguise(bases("conv")[1], 5)]]
    overlap, ranges = compare_all(codes)
    for a, b in itertools.product(range(len(codes)), repeat=2):
        index = [{} for _ in (0, 1)]
        for side, code in zip(index, (codes[a], codes[b])):
            for h, p in zip(code.hashes.tolist(), code.positions.tolist()):
                side.setdefault(h, []).append(p)
        shared, _ = find_fingerprint_overlap(set(index[0]), set(index[1]), *index)
        slices = get_copied_slices(shared, K)
        assert overlap[a, b] == (np.sum(slices[1] - slices[0]) if len(slices[0]) else 0)
        lines = codes[a].lines
        expected = sorted({(int(lines[s]), int(lines[e - 1])) for s, e in zip(*slices)})
        assert [r for r in ranges[a][b]] == _merge(expected) if len(slices[0]) else ranges[a][b] == ()
    assert overlap[0, 0] == codes[0].coverage


def _merge(spans):
    out = []
    for first, last in spans:
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def _learners():
    conv = bases("conv")
    return {
        "alice": {"conv": conv[0], "params": bases("params")[1]},
        "bob": {"conv": disguise(conv[0], 7), "params": bases("params")[2]},
        "=carol": {"conv": conv[2]},
        "dave<b>": {"conv": conv[3], "params": disguise(bases("params")[1], 3)},
    }


def test_review_writes_every_pair_and_lists_the_similar_ones(tmp_path):
    out = write_records(tmp_path / "out", _learners())
    (out / "learners" / "old.json").write_text(json.dumps({"learner_id": "old", "score": 1}))
    (out / "learners" / "eve.json").write_text(json.dumps({"learner_id": "eve", "error": "x",
                                                           "status": "unreadable"}))
    review = review_similarity(out=out)
    with review.path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, r)) for r in rows[1:]]
    assert len(body) == review.pairs_compared == 6 + 3  # conv: 4 learners, params: 3
    scores = [float(r["similarity"]) for r in body]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert "'=carol" in {r["learner_a"] for r in body} | {r["learner_b"] for r in body}
    flagged = {(p.pair.exercise, p.pair.learner_a, p.pair.learner_b) for p in review.shown}
    assert flagged == {("conv", "alice", "bob"), ("params", "alice", "dave<b>")}
    assert review.without_code == ("old",) and review.learners == 4
    top = review.shown[0]
    assert top.pair.lines_a and top.pair.lines_b
    for excerpt in top.excerpt_a:
        assert [n for n, _ in excerpt.lines] == list(range(excerpt.first, excerpt.last + 1))
    assert next(r for r in body if r["learner_a"] == "alice" and r["learner_b"] == "bob"
                and r["exercise"] == "conv")["lines_a"]


def test_class_report_words_it_as_a_reason_to_look(tmp_path):
    out = write_records(tmp_path / "out", _learners())
    html = render_class_report(ClassStats(), review_similarity(out=out))
    assert "similar: worth a look" in html
    for word in ("plagiar", "cheat", "copied", "guilty", "misconduct"):
        assert word not in html.lower()
    assert "dave&lt;b&gt;" in html and "dave<b>" not in html
    assert html.count('class="pair"') == 2
    off = render_class_report(ClassStats(), None)
    assert "not run" in off and 'class="pair"' not in off
