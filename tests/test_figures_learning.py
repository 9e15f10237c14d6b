"""grader/figures/learning.py: each exhibit kind becomes a drawing, learner numbers included."""
from __future__ import annotations

import math

import pytest

from grader.errors import SuiteError
from grader.figures.learning import exhibit_figure

SAMPLES = {
    "filters": {"kind": "filters", "before": [[[0.1, -0.2], [0.3, 0.0]]] * 3,
                "after": [[[1.0, -1.0], [math.nan, 0.5]]] * 3},
    "loss": {"kind": "loss", "losses": [2.3, 1.0, math.inf, 0.2], "title": "loss"},
    "kernels": {"kind": "kernels", "learned": [[1.0, 0.0, -1.0]] * 3,
                "true": [[1.0, 0.0, -1.0]] * 3, "title": "vertical"},
    "transfer": {"kind": "transfer", "fine_tuned": [0.9, 0.92, 0.91], "scratch": [0.8, 0.85, 0.9]},
    "shift": {"kind": "shift", "cnn": 0.97, "cnn_shifted": 0.3, "mlp": 0.96, "mlp_shifted": 0.2},
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_kind_draws_with_a_description(kind):
    figure = exhibit_figure(SAMPLES[kind], key="k")
    assert figure.css == kind and figure.width > 50 and figure.height > 50
    assert figure.description and figure.rects


def test_filters_side_by_side_with_nan_drawn_grey():
    figure = exhibit_figure(SAMPLES["filters"], key="k")
    assert len(figure.rects) == 2 * 3 * 4
    assert [label.text for label in figure.labels] == ["at initialisation", "after training"]
    assert "#9aa0a6" in {r.fill for r in figure.rects}


def test_a_loss_curve_skips_values_that_are_not_finite():
    figure = exhibit_figure(SAMPLES["loss"], key="k")
    assert figure.curve.count(",") == 3


def test_learner_values_of_the_wrong_type_do_not_break_the_page():
    figure = exhibit_figure({"kind": "filters", "before": "junk", "after": [[["x"]]]}, key="k")
    assert figure.rects


def test_an_unknown_kind_is_a_suite_bug():
    with pytest.raises(SuiteError):
        exhibit_figure({"kind": "nope"}, key="k")
    assert exhibit_figure(None, key="k") is None
