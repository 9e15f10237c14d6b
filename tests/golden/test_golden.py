"""Nothing moved for users: the golden submissions grade exactly as recorded (issue 13).

Every field of each JSON result is compared, except times and the machine's
isolation layers (see harness.py); a difference names the field.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

pytestmark = pytest.mark.slow


# Keys added since the recording (the JSON contract: add keys, never rename),
# each with the issue that added it. Any other new key is a difference.
ADDED = {
    "problem_codes",  # issue 13: the typed code of each of `problems`, in order
    "problem",  # issue 13: each exercise's problem code (missing-file, forbidden-import, ...)
}


def _differences(got, want, where="") -> list[str]:
    if isinstance(got, dict) and isinstance(want, dict):
        out = [f"{where}.{k}: missing" for k in want.keys() - got.keys()]
        out += [f"{where}.{k}: new" for k in got.keys() - want.keys() if k not in ADDED]
        for k in want.keys() & got.keys():
            out += _differences(got[k], want[k], f"{where}.{k}")
        return out
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return [f"{where}: {len(got)} items, recorded {len(want)}"]
        return [d for i, (g, w) in enumerate(zip(got, want))
                for d in _differences(g, w, f"{where}[{i}]")]
    return [] if got == want else [f"{where}: {got!r} (recorded {want!r})"]


@pytest.mark.parametrize("name", list(harness.CASES))
def test_grades_as_recorded(name, tmp_path):
    got = harness.grade(name, tmp_path)
    differences = _differences(got, harness.recorded(name))
    assert not differences, "\n".join(differences[:40])


def test_every_case_is_recorded():
    assert sorted(p.stem for p in harness.RESULTS.glob("*.json")) == sorted(harness.CASES)
