"""Cells that a spreadsheet shows as text, never runs as a formula.

A CSV the grader writes is opened by people in Excel, LibreOffice or Google
Sheets, and some of its cells come from learners (ids, folder names). A
cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before looking) is read as a formula, so
a learner named ``=HYPERLINK(...)`` could run something on the instructor's
machine. OWASP's advice: such a cell gets a leading apostrophe, which the
spreadsheet shows as text. Every CSV writer in the grader (gradebook,
similarity review, LMS exports) escapes its cells with this one function.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """``value`` as CSV cell text, with a leading ``'`` where it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def render_rows(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A CSV document: a header of ``columns``, then one escaped line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([escape_cell(c) for c in columns])
    for row in rows:
        writer.writerow([escape_cell(row.get(c, "")) for c in columns])
    return buffer.getvalue()
