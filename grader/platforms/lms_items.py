"""What every LMS export shares: the items (a parameterised question as fixed
variants) and the scoring rules, written once for Moodle, GIFT and QTI."""
from __future__ import annotations

from dataclasses import dataclass

from grader.quiz.bank import Question
from grader.quiz.variants import draw_values, with_values


@dataclass(frozen=True)
class ExportItem:
    ident: str  # the bank id, with -v1, -v2 ... for the variants of a parameterised one
    question: Question


def export_items(bank: tuple[Question, ...], *, variants: int) -> list[ExportItem]:
    """Every question once, a parameterised one as up to ``variants`` distinct variants."""
    items = []
    for q in bank:
        if q.variation is None:
            items.append(ExportItem(q.id, q))
            continue
        seen: list[dict[str, int]] = []
        for n in range(variants * 20):  # distinct value sets; small lists may hold fewer
            values = draw_values(q, f"export-{n}")
            if values is not None and values not in seen:
                seen.append(values)
            if len(seen) == variants:
                break
        items += [ExportItem(f"{q.id}-v{i}", with_values(q, v)) for i, v in enumerate(seen, 1)]
    return items


def number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"


def fraction(share: float) -> str:
    """A percentage as Moodle lists them (33.33333, 50, -25)."""
    return f"{100 * share:.5f}".rstrip("0").rstrip(".")


def choice_shares(q: Question) -> list[tuple[str, str, float, str]]:
    """(choice id, text, share of the points, feedback) for a choice question."""
    right = q.answer if q.type == "multiple" else (q.answer,)
    share = 1 / len(right)
    return [(c.id, c.text, share if c.id in right else (-share if q.type == "multiple" else 0.0),
             c.feedback) for c in q.choices]
