"""grader.report.figures: the numbers behind the report's pictures."""
from __future__ import annotations

import math

import pytest
from report_samples import arrays_detail, parameters_detail, receptive_field_detail

from grader import policy
from grader.errors import SuiteError
from grader.report.figures import contrast, figure_for


def _rgb(fill: str) -> tuple[int, int, int]:
    return tuple(int(fill[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_no_detail_no_figure():
    assert figure_for(None, key="k") is None


# --- arrays -----------------------------------------------------------------

def test_a_flipped_kernel_gives_expected_learner_and_difference_maps():
    detail = arrays_detail()
    f = figure_for(detail, key="k")
    assert [h.title.split(" (")[0] for h in f.heatmaps] == ["Expected output", "Your output", "Difference"]
    expected, actual = detail["expected"], detail["actual"]
    rows, cols = len(expected), len(expected[0])
    assert all(len(h.cells) == rows * cols for h in f.heatmaps)
    differing = sum(a != e for ra, re in zip(actual, expected) for a, e in zip(ra, re))
    diff_map = f.heatmaps[2]
    assert sum(c.marked for c in diff_map.cells) == differing > 0
    assert not any(c.marked for c in f.heatmaps[0].cells)  # the expected map marks nothing
    assert f"{differing} of {rows * cols} values differ" in f.summary
    # the worst cell named in the summary really is the largest difference
    worst = max(((r, c) for r in range(rows) for c in range(cols)),
                key=lambda rc: abs(actual[rc[0]][rc[1]] - expected[rc[0]][rc[1]]))
    assert f"row {worst[0]}, column {worst[1]}" in f.summary
    assert f.call == detail["call"] and f.shape_differences == ()
    assert {f.heatmaps[i].id for i in range(3)} == {"k-expected", "k-actual", "k-difference"}


def test_cells_show_their_values_and_sign_picks_the_hue():
    f = figure_for({**arrays_detail(), "expected": [[-2.0, 0.0, 2.0]], "actual": [[-2.0, 0.0, 2.0]],
                    "expected_shape": [1, 1, 1, 3], "actual_shape": [1, 1, 1, 3]}, key="k")
    neg, zero, pos = f.heatmaps[0].cells
    assert (neg.text, zero.text, pos.text) == ("-2.0", "0", "2.0")
    r, g, b = _rgb(neg.fill)
    assert b > r  # negative is blue
    r, g, b = _rgb(pos.fill)
    assert r > b  # positive is red
    assert min(_rgb(zero.fill)) > 240  # zero is near white
    assert "All 3 values of this channel match" in f.summary
    assert not any(c.marked for c in f.heatmaps[2].cells)


def test_every_cell_colour_keeps_its_text_readable():
    values = [[v / 10 for v in range(-20, 21)]]
    f = figure_for({**arrays_detail(), "expected": values, "actual": values}, key="k")
    for cell in f.heatmaps[0].cells:
        assert contrast(_rgb(cell.fill), _rgb(cell.ink)) >= 4.5, cell


def test_a_wrong_shape_draws_the_expected_map_and_names_the_dimensions():
    f = figure_for(arrays_detail(6, actual=False), key="k")
    assert len(f.heatmaps) == 1
    assert f.shape_differences == ("dimension 2 (height): expected 4, yours 5",
                                   "dimension 3 (width): expected 4, yours 5")
    assert "different shape" in f.summary


def test_a_large_channel_is_cropped_around_the_largest_difference():
    side = policy.HEATMAP_MAX_SIDE + 8
    expected = [[float(r * side + c) for c in range(side)] for r in range(side)]
    actual = [row[:] for row in expected]
    actual[15][17] += 5
    f = figure_for({**arrays_detail(), "expected": expected, "actual": actual,
                    "expected_shape": [1, 1, side, side], "actual_shape": [1, 1, side, side]}, key="k")
    diff_map = f.heatmaps[2]
    assert len(diff_map.cells) == policy.HEATMAP_MAX_SIDE ** 2
    [marked] = [c for c in diff_map.cells if c.marked]
    assert marked.title.startswith("row 15, column 17:")
    assert f"The channel is {side} x {side}" in f.cropped


def test_nan_and_infinity_from_the_learner_are_drawn_not_fatal():
    detail = arrays_detail()
    actual = [row[:] for row in detail["expected"]]
    actual[0][0], actual[1][1] = math.nan, math.inf
    f = figure_for({**detail, "actual": actual}, key="k")
    texts = {c.text for c in f.heatmaps[1].cells}
    assert {"NaN", "inf"} <= texts
    assert sum(c.marked for c in f.heatmaps[2].cells) == 2
    assert "2 not finite" in f.heatmaps[1].description


# --- parameters -------------------------------------------------------------

def test_parameter_table_marks_every_kind_of_mismatch():
    f = figure_for(parameters_detail(), key="k")
    status = {r.name: r.status for r in f.rows}
    assert status["conv1.weight"] == "matches"
    assert status["shortcut.0.weight"] == "wrong shape"
    assert status["shortcut.1.weight"] == status["shortcut.1.bias"] == "missing"
    assert status["conv1.bias"] == "unexpected"
    assert [r.name for r in f.rows][-1] == "conv1.bias"  # extras after the expected ones
    row = next(r for r in f.rows if r.name == "shortcut.0.weight")
    assert (row.expected, row.found) == ("(8, 4, 1, 1)", "(8, 8, 1, 1)")
    assert f.summary == ("9 parameters expected, 8 found: 1 wrong shape, 2 missing, 1 unexpected.")


# --- receptive field --------------------------------------------------------

def test_three_3x3_layers_see_7_pixels():
    # The lesson's numbers: one 3x3 layer sees 3, two see 5, three see 7.
    layers = [{"name": f"conv{i}", "kernel": 3, "stride": 1} for i in (1, 2, 3)]
    f = figure_for({"kind": "receptive_field", "layers": layers, "expected": 7, "actual": 5}, key="rf")
    assert f.computed == 7
    assert [r.seen for r in f.rows] == [1, 3, 5, 7]
    assert [r.name for r in f.rows] == ["conv3", "conv2", "conv1", "input"]


def test_pooling_doubles_the_step_and_brackets_scale_with_the_answers():
    f = figure_for(receptive_field_detail(), key="rf")
    assert f.computed == f.expected == 10
    assert [r.seen for r in f.rows] == [1, 3, 6, 8, 10]
    expected, actual = f.brackets
    assert (expected.x1 - expected.x0) / (actual.x1 - actual.x0) == pytest.approx(10 / 8)
    # the seen units of every row lie inside the expected bracket
    for row in f.rows:
        xs = [x for x, seen in row.units if seen]
        assert len(xs) == row.seen
        assert expected.x0 <= min(xs) and max(xs) <= expected.x1
    assert "receptive field is 10 wide" in f.description and "Your answer was 8" in f.description


def test_a_huge_answer_is_clipped_and_a_deep_stack_drawn_as_bands():
    layers = [{"name": f"c{i}", "kernel": 3, "stride": 2} for i in range(7)]
    f = figure_for({"kind": "receptive_field", "layers": layers, "expected": 255, "actual": 10_000},
                   key="rf")
    assert f.computed == 255
    assert f.rows[-1].band is not None and f.rows[-1].units == ()
    assert "units of" not in f.description  # a deep stack is described by its input only
    assert f.brackets[1].clipped and "wider than the drawing" in f.brackets[1].label
    assert f.brackets[1].x1 <= f.left + policy.RF_DRAW_WIDTH_PX


def test_no_answer_gives_one_bracket():
    f = figure_for({**receptive_field_detail(), "actual": None}, key="rf")
    assert len(f.brackets) == 1 and "no answer" in f.description


# --- broken details are a suite's bug ---------------------------------------

@pytest.mark.parametrize("detail, named", [
    ({"kind": "heatmap"}, "'heatmap'"),
    ({"kind": "arrays", "call": "f()"}, "index"),
    ({**arrays_detail(), "expected": [[1.0, 2.0], [3.0]]}, "different lengths"),
    ({**arrays_detail(), "index": 0}, "[sample, channel]"),
    ({"kind": "parameters", "expected": [["w"]], "found": []}, "[name, shape]"),
    ({**receptive_field_detail(), "layers": [{"name": "c", "kernel": 0, "stride": 1}]}, "kernel or stride 0"),
])
def test_a_malformed_detail_names_what_is_wrong(detail, named):
    with pytest.raises(SuiteError) as info:
        figure_for(detail, key="k")
    assert named in info.value.message
    assert "Failure details" in info.value.hint


def test_sizes_as_height_width_pairs_and_odd_answers():
    layers = [{"name": "c", "kernel": [3, 3], "stride": [1, 1]}]
    f = figure_for({"kind": "receptive_field", "layers": layers, "expected": [3, 3], "actual": [-1, -1]},
                   key="rf")
    assert f.computed == 3 and len(f.brackets) == 1  # a negative answer has no bracket to draw
    assert "Your answer was -1" in f.description
    f = figure_for({"kind": "receptive_field", "layers": layers, "expected": 3, "actual": math.nan},
                   key="rf")
    assert len(f.brackets) == 1


def test_an_integer_beyond_float_range_is_drawn_as_infinity():
    detail = arrays_detail()
    actual = [row[:] for row in detail["expected"]]
    actual[0][0] = 10 ** 400
    f = figure_for({**detail, "actual": actual}, key="k")
    assert f.heatmaps[1].cells[0].text == "inf"
