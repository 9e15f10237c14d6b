"""Time of the similarity review of a class (grader.similarity.review_similarity).

Two classes of N learners, each as a graded OUT folder holding just what the
review reads (records with the graded code), so no grading is needed:

* distinct: every learner's every exercise is one of the correct versions
  (the reference or a grader/units/*/variants ok_ file) disguised anew (renamed,
  reordered, new comments): no two files alike, the review's worst case;
* batch mix: the submissions bench_batch.py generates (about 80% copies of
  the reference, 15% with a bug from grader/units/*/variants, 5% slow or endless),
  i.e. the review's share of that benchmark's batch.

Prints wall and CPU seconds of the review (copydetect's import counted
separately: once per process), pairs compared and pairs flagged.

    .venv/bin/python benchmarks/bench_similarity.py --n 200
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from grader.registry import EXERCISES  # noqa: E402
from similarity_samples import generated_class, write_records  # noqa: E402


def batch_mix(n: int, seed: int, root: Path) -> dict[str, dict[str, str]]:
    from bench_batch import make_class

    folder = root / "class"
    folder.mkdir()
    make_class(folder, n, seed)
    return {p.name: {name: (p / f"{name}.py").read_text() for name in EXERCISES}
            for p in sorted(folder.iterdir())}


def timed(out: Path) -> str:
    from grader.batch.similarity import review_similarity

    wall, cpu = time.perf_counter(), time.process_time()
    review = review_similarity(out=out)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return (f"review {wall:6.2f} s wall, {cpu:6.2f} s CPU; {review.pairs_compared} pairs "
            f"compared, {review.flagged} flagged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[200])
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    import copydetect  # noqa: F401  (it imports matplotlib, for its own HTML report)
    print(f"import copydetect: {time.perf_counter() - wall:.2f} s wall, "
          f"{time.process_time() - cpu:.2f} s CPU", flush=True)
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
            root = Path(tmp)
            distinct = write_records(root / "distinct", generated_class(n, args.seed))
            print(f"N = {n} distinct:   {timed(distinct)}", flush=True)
            mix = write_records(root / "mix", batch_mix(n, args.seed, root))
            print(f"N = {n} batch mix:  {timed(mix)}", flush=True)


if __name__ == "__main__":
    main()
