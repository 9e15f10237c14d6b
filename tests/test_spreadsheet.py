"""CSV cells a spreadsheet shows as text, never runs as a formula."""
from __future__ import annotations

import csv
import io

import pytest

from grader.batch.spreadsheet import escape_cell, render_rows


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx",
                                   '=HYPERLINK("http://x","y")'])
def test_a_cell_that_would_start_a_formula_gets_an_apostrophe(value):
    assert escape_cell(value) == "'" + value


@pytest.mark.parametrize("value, text", [("alice", "alice"), ("a=b", "a=b"), (12.5, "12.5"),
                                         (None, ""), ("", ""), ("'quoted", "'quoted")])
def test_other_cells_are_left_as_they_are(value, text):
    assert escape_cell(value) == text


def test_render_rows_escapes_header_and_cells_and_quotes_commas():
    text = render_rows(("id", "=name"), [{"id": "=x", "=name": "Doe, Ann"}, {"id": "y"}])
    assert list(csv.reader(io.StringIO(text))) == [["id", "'=name"], ["'=x", "Doe, Ann"], ["y", ""]]
