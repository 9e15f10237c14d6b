"""grader/report/figures/learning.py: each exhibit kind becomes a drawing, whatever
numbers the learner's network gave (NaN, infinity, the wrong type)."""
from __future__ import annotations

import math
from typing import get_args

import pytest

from grader import registry
from grader.errors import SuiteError
from grader.report.figures.learning import _KINDS, exhibit_figure

SAMPLES = {
    "filters": {"kind": "filters", "before": [[[0.1, -0.2], [0.3, 0.0]]] * 3,
                "after": [[[1.0, -1.0], [math.nan, 0.5]]] * 3},
    "loss": {"kind": "loss", "losses": [2.3, 1.0, math.inf, 0.2], "title": "loss"},
    "kernels": {"kind": "kernels", "learned": [[1.0, 0.0, -1.0]] * 3,
                "true": [[1.0, 0.0, -1.0]] * 3, "title": "vertical"},
    "transfer": {"kind": "transfer", "fine_tuned": [0.9, 0.92, 0.91], "scratch": [0.8, 0.85, 0.9]},
    "shift": {"kind": "shift", "cnn": 0.97, "cnn_shifted": 0.3, "mlp": 0.96, "mlp_shifted": 0.2},
}


def test_the_report_draws_every_kind_a_manifest_may_name():
    assert set(_KINDS) == set(get_args(registry.ExhibitKind)) == set(SAMPLES)
    named = {kind for e in registry.exercises() for kind in e.exhibits}
    assert named == set(SAMPLES)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_kind_draws_with_a_description(kind):
    figure = exhibit_figure(SAMPLES[kind], key="k")
    assert figure is not None
    assert figure.css == kind and figure.width > 50 and figure.height > 50
    assert figure.description and figure.rects


def test_filters_side_by_side_with_nan_drawn_grey():
    figure = exhibit_figure(SAMPLES["filters"], key="k")
    assert figure is not None and len(figure.rects) == 2 * 3 * 4
    assert [label.text for label in figure.labels] == ["at initialisation", "after training"]
    assert "#9aa0a6" in {r.fill for r in figure.rects}


def test_a_loss_curve_skips_values_that_are_not_finite():
    figure = exhibit_figure(SAMPLES["loss"], key="k")
    assert figure is not None and figure.curve.count(",") == 3


def test_the_shift_sentence_follows_the_numbers():
    kept = exhibit_figure(SAMPLES["shift"], key="k")
    lost = exhibit_figure({**SAMPLES["shift"], "cnn_shifted": 0.1}, key="k")
    assert kept is not None and lost is not None
    assert "cost your CNN 0.67 and the MLP 0.76" in kept.description
    assert "no less than the MLP's" in lost.description


def test_learner_values_of_the_wrong_type_do_not_break_the_page():
    figure = exhibit_figure({"kind": "filters", "before": "junk", "after": [[["x"]]]}, key="k")
    assert figure is not None and figure.rects


def test_an_unknown_kind_is_a_suite_bug():
    with pytest.raises(SuiteError):
        exhibit_figure({"kind": "nope"}, key="k")
    assert exhibit_figure(None, key="k") is None
