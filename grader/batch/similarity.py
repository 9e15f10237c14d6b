"""Similarity review: which learners handed in much the same code, for a person to look at.

For each exercise, every pair of learners is compared by winnowing
(Schleimer, Wilkerson and Aiken 2003, as in MOSS), with copydetect's
k-gram hashing, winnowing, slicing and coverage. Before that, the code is
normalised with the standard tokenizer: every name a learner chooses
becomes ``V`` (``F`` for a function being defined, ``O`` for a class),
strings become ``S``, and comments, docstrings and layout go, so renaming
variables, moving functions around or rewriting comments changes nothing.
Whatever the handed-out stub (``exercises/<name>.py``) already holds is
removed from every learner's fingerprints, so signatures and the stub's
``raise NotImplementedError`` never count.

A pair's similarity is the mean of two shares: how much of A's fingerprinted
code is found in B, and how much of B's in A (JPlag's default measure).
Pairs at ``policy.SIMILARITY_REVIEW_THRESHOLD`` or above are listed in
class.html as "similar: worth a look". A high score is a reason to read
two files side by side, never a finding: a short exercise, a shared study
group or a textbook idiom all raise it, and only a person can tell.

Everything is read from the graded OUT folder: each learner's JSON holds
the code that was graded (``sources``), so the review of a resumed or
partly regraded batch covers every learner with that run's code. Python
salts ``hash()`` per process, so fingerprints are computed here, in one
process, and never stored.
"""
from __future__ import annotations

import builtins
import io
import keyword
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import policy, registry
from grader.atomic import write_atomic
from grader.batch.gradebook import iter_records
from grader.batch.spreadsheet import render_rows
from grader.errors import SubmissionError
from grader.intake.submission import take
from grader.registry import EXERCISES

SOURCES_KEY = "sources"
SIMILARITY_FILE = "similarity.csv"
CSV_COLUMNS = ("exercise", "learner_a", "learner_b", "similarity", "lines_a", "lines_b")
K = policy.SIMILARITY_NOISE_CHARS
WINDOW = policy.SIMILARITY_GUARANTEE_CHARS - policy.SIMILARITY_NOISE_CHARS + 1

LineRanges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SimilarPair:
    exercise: str
    learner_a: str  # the two ids in sorted order
    learner_b: str
    similarity: float  # 0..1
    lines_a: LineRanges  # (first, last) lines of A's code that B shares, 1-based
    lines_b: LineRanges


@dataclass(frozen=True)
class Excerpt:
    """One matched region of one side: its lines, numbered."""
    first: int
    last: int
    lines: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class ShownPair:
    pair: SimilarPair
    excerpt_a: tuple[Excerpt, ...]
    excerpt_b: tuple[Excerpt, ...]


@dataclass(frozen=True)
class SimilarityReview:
    threshold: float
    learners: int  # learners whose graded code is in the review
    pairs_compared: int  # over all exercises
    flagged: int  # pairs at or above the threshold
    shown: tuple[ShownPair, ...]  # the most similar of them, for class.html
    without_code: tuple[str, ...]  # graded before records kept their code
    path: Path


# --------------------------------------------------------------------------- recording
def recorded_sources(submission: Path, *, fingerprint: str) -> dict[str, Any]:
    """``{"sources": {exercise: code}}`` for a learner's record: the exercise
    modules of ``submission`` exactly as graded, or ``{}`` when its files are
    no longer the ones with ``fingerprint`` (changed while it was graded)."""
    with tempfile.TemporaryDirectory(prefix="cnn-grader-sources-") as tmp:
        try:
            sub = take(Path(submission), Path(tmp))
        except SubmissionError:
            return {}
        if sub.fingerprint != fingerprint:
            return {}
        return {SOURCES_KEY: {name: (sub.root / f"{name}.py").read_bytes().decode("utf-8", "replace")
                              for name in EXERCISES if sub.has(f"{name}.py")}}


# --------------------------------------------------------------------------- normalising
# Names a learner does not choose stay as they are: they carry the code's meaning.
_KEPT_NAMES = frozenset(dir(builtins)) | {"self", "cls"}
_LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
           tokenize.ENCODING, tokenize.ENDMARKER}
_STATEMENT_START = {None, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
# Python 3.12 splits f-strings into parts; 3.11 gives one STRING token.
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_REST = {getattr(tokenize, "FSTRING_MIDDLE", None), getattr(tokenize, "FSTRING_END", None)} - {None}


def normalize(source: str) -> tuple[str, np.ndarray]:
    """The code as compared, and the source line of each of its characters."""
    tokens = _tokens(source)
    pieces: list[str] = []
    lines: list[int] = []
    before = None  # the last token that is not a comment or a blank line
    previous_name = ""
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind in (tokenize.COMMENT, tokenize.NL):
            continue
        if kind in _LAYOUT or kind in _FSTRING_REST or (kind == tokenize.STRING and _bare(tokens, i, before)):
            before = kind
            continue
        before = kind
        if kind == tokenize.NAME:
            text = (tok.string if keyword.iskeyword(tok.string) or tok.string in _KEPT_NAMES
                    else "F" if previous_name == "def" else "O" if previous_name == "class" else "V")
            previous_name = tok.string
        else:
            text = "S" if kind == tokenize.STRING or kind == _FSTRING_START else tok.string.strip()
            previous_name = ""
        pieces.append(text)
        lines.extend([tok.start[0]] * len(text))
    return "".join(pieces), np.array(lines, dtype=np.int64)


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    """The tokens of ``source``, up to the first error in broken code."""
    found = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            found.append(tok)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _bare(tokens: list[tokenize.TokenInfo], i: int, before: int | None) -> bool:
    """Whether the string at ``i`` is a statement of its own (a docstring)."""
    if before not in _STATEMENT_START:
        return False
    for tok in tokens[i + 1:]:
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            return tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER)
    return True


# --------------------------------------------------------------------------- fingerprints
@dataclass(frozen=True)
class _Code:
    """One distinct text of one exercise, fingerprinted."""
    text: str
    positions: np.ndarray  # sorted offsets (in the normalised code) of its fingerprints
    hashes: np.ndarray  # the fingerprint at each position
    coverage: int  # normalised characters that some fingerprint covers
    lines: np.ndarray  # source line of each normalised character


def stub_hashes(exercise: str) -> frozenset[int]:
    """Every k-gram of the handed-out stub: code no learner is credited or blamed for."""
    from copydetect.utils import hashed_kgrams

    normal, _ = normalize(registry.get(exercise).stub.read_text(encoding="utf-8"))
    return frozenset(hashed_kgrams(normal, K).tolist()) if len(normal) >= K else frozenset()


def fingerprint(text: str, stub: frozenset[int]) -> _Code:
    from copydetect.utils import get_document_fingerprints, get_token_coverage

    normal, lines = normalize(text)
    if len(normal) < K:
        return _Code(text, np.zeros(0, np.int64), np.zeros(0, np.int64), 0, lines)
    # The stub is removed here rather than through copydetect's boilerplate
    # argument, which (0.5.0) also drops the repeats of any fingerprint that
    # occurs twice in the learner's code.
    _, by_hash = get_document_fingerprints(normal, K, WINDOW)
    kept = {h: idx for h, idx in by_hash.items() if int(h) not in stub}
    pairs = sorted((p, int(h)) for h, idx in kept.items() for p in idx)
    positions = np.array([p for p, _ in pairs], dtype=np.int64)
    hashes = np.array([h for _, h in pairs], dtype=np.int64)
    return _Code(text, positions, hashes, int(get_token_coverage(kept, K, len(normal))), lines)


# --------------------------------------------------------------------------- comparing
def compare_all(codes: list[_Code]) -> tuple[np.ndarray, list[list[LineRanges]]]:
    """For every ordered pair (a, b): how many of a's normalised characters
    are covered by fingerprints b shares (``overlap[a, b]``, copydetect's
    token overlap), and the source line ranges of those regions of a.

    One pass per text over all the others at once: a matrix of which of a's
    fingerprints each text shares, then copydetect's merge of overlapping
    k-grams into slices done along every row together.
    """
    n = len(codes)
    overlap = np.zeros((n, n), dtype=np.int64)
    ranges: list[list[LineRanges]] = [[() for _ in range(n)] for _ in range(n)]
    if n == 0:
        return overlap, ranges
    every = np.concatenate([c.hashes for c in codes])
    unique, column = np.unique(every, return_inverse=True)
    columns = np.split(column, np.cumsum([len(c.hashes) for c in codes])[:-1])
    # Which texts hold each fingerprint: (column, text) pairs sorted by column.
    held = np.unique(np.concatenate([col * n + t for t, col in enumerate(columns)]))
    holders, held_col = held % n, held // n
    starts = np.searchsorted(held_col, np.arange(len(unique)))
    counts = np.diff(np.append(starts, len(held)))
    for a, code in enumerate(codes):
        m = len(code.positions)
        if m == 0:
            continue
        cols = columns[a]
        count = counts[cols]
        first = np.repeat(starts[cols] - (np.cumsum(count) - count), count) + np.arange(count.sum())
        shared = np.zeros((n, m), dtype=bool)
        shared[holders[first], np.repeat(np.arange(m), count)] = True
        p = code.positions.astype(np.float64)
        chosen = np.where(shared, p, np.inf)
        after = np.minimum.accumulate(chosen[:, ::-1], axis=1)[:, ::-1]
        following = np.concatenate([after[:, 1:], np.full((n, 1), np.inf)], axis=1)
        gap_after = following - p
        overlap[a] = np.where(shared, np.minimum(gap_after, K), 0).sum(axis=1).astype(np.int64)
        chosen_back = np.where(shared, p, -np.inf)
        before = np.maximum.accumulate(chosen_back, axis=1)
        preceding = np.concatenate([np.full((n, 1), -np.inf), before[:, :-1]], axis=1)
        slice_starts = shared & (p - preceding > K - 1)
        slice_ends = shared & (gap_after > K - 1)
        rows_s, js_s = np.nonzero(slice_starts)
        rows_e, js_e = np.nonzero(slice_ends)
        first_line = code.lines[code.positions[js_s]]
        last_line = code.lines[np.minimum(code.positions[js_e] + K, len(code.lines)) - 1]
        bounds = np.searchsorted(rows_s, np.arange(n + 1))
        for b in np.nonzero(overlap[a])[0]:
            lo, hi = bounds[b], bounds[b + 1]
            ranges[a][b] = _merged(zip(first_line[lo:hi].tolist(), last_line[lo:hi].tolist()))
    return overlap, ranges


def _merged(spans) -> LineRanges:
    out: list[list[int]] = []
    for first, last in spans:
        if out and first <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return tuple((a, b) for a, b in out)


def exercise_pairs(exercise: str, sources: dict[str, str]) -> list[SimilarPair]:
    """Every pair of the learners in ``sources`` (id: code) for one exercise."""
    stub = stub_hashes(exercise)
    texts = sorted(set(sources.values()))
    index = {t: i for i, t in enumerate(texts)}
    codes = [fingerprint(t, stub) for t in texts]  # identical files: fingerprinted once
    overlap, ranges = compare_all(codes)
    learners = sorted(sources)
    cover = np.array([c.coverage for c in codes], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cover[:, None] > 0, overlap / cover[:, None], 0.0)
    score = np.minimum((share + share.T) / 2, 1.0).round(4).tolist()
    pairs = []
    for i, a in enumerate(learners):
        x = index[sources[a]]
        row, near = score[x], ranges[x]
        for b in learners[i + 1:]:
            y = index[sources[b]]
            pairs.append(SimilarPair(exercise, a, b, row[y], near[y], ranges[y][x]))
    return pairs


# --------------------------------------------------------------------------- the review
def review_similarity(*, out: Path, threshold: float = policy.SIMILARITY_REVIEW_THRESHOLD
                      ) -> SimilarityReview:
    """Compare every pair of learners of the graded folder ``out``, exercise by
    exercise; write ``out/similarity.csv`` and return what class.html shows."""
    out = Path(out)
    sources: dict[str, dict[str, str]] = {name: {} for name in EXERCISES}
    without, learners = [], 0
    for record in iter_records(out):
        if "error" in record:
            continue
        code = record.get(SOURCES_KEY)
        if not isinstance(code, dict):
            without.append(record["learner_id"])
            continue
        learners += 1
        for name, text in code.items():
            if name in sources and isinstance(text, str):
                sources[name][record["learner_id"]] = text
    pairs = [p for name in EXERCISES for p in exercise_pairs(name, sources[name])]
    pairs.sort(key=lambda p: (-p.similarity, p.exercise, p.learner_a, p.learner_b))
    path = out / SIMILARITY_FILE
    write_atomic(path, render_rows(CSV_COLUMNS, (_csv_row(p) for p in pairs)))
    flagged = [p for p in pairs if p.similarity >= threshold]
    shown = tuple(ShownPair(p, _excerpt(sources[p.exercise][p.learner_a], p.lines_a),
                            _excerpt(sources[p.exercise][p.learner_b], p.lines_b))
                  for p in flagged[:policy.SIMILARITY_REPORT_MAX_PAIRS])
    return SimilarityReview(threshold=threshold, learners=learners, pairs_compared=len(pairs),
                            flagged=len(flagged), shown=shown, without_code=tuple(without),
                            path=path)


def format_ranges(ranges: LineRanges) -> str:
    """``12-30 41`` : the form of similarity.csv's line columns."""
    return " ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)


def _csv_row(p: SimilarPair) -> dict[str, str]:
    return {"exercise": p.exercise, "learner_a": p.learner_a, "learner_b": p.learner_b,
            "similarity": f"{p.similarity:.4f}", "lines_a": format_ranges(p.lines_a),
            "lines_b": format_ranges(p.lines_b)}


def _excerpt(text: str, ranges: LineRanges) -> tuple[Excerpt, ...]:
    lines = text.splitlines()
    budget = policy.SIMILARITY_EXCERPT_MAX_LINES
    shown = []
    for first, last in ranges:
        last = min(last, len(lines), first + budget - 1)
        if first > last:
            break
        shown.append(Excerpt(first, last, tuple((n, lines[n - 1]) for n in range(first, last + 1))))
        budget -= last - first + 1
        if budget <= 0:
            break
    return tuple(shown)
