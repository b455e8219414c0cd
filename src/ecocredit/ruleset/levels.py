"""Lint of the sub-levels (档次) of the bands: each band's levels lie inside the band, go best
first (strictly falling ``min``), and cover it without a gap (every level but the last has a
``min``; the last has none, or the band's own). See :mod:`ecocredit.engine.levels` for how a
firm's level is computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..rules.base import LintContext

__all__ = ["lint_levels"]


def _upper(rs: Any, i: int) -> tuple[Decimal | None, bool]:
    """The top of band ``i``: (value, inclusive) — the band above's ``min`` (exclusive), or
    ``scoring.max`` (inclusive) for the first band, or (None, True) if unbounded."""
    for b in reversed(rs.scoring.bands[:i]):
        if b.min is not None:
            return b.min, False
    return rs.scoring.max, True


def lint_levels(rs: Any, ctx: LintContext) -> None:
    """Record every problem of the bands' ``levels`` (codes ``level_outside_band``,
    ``level_order``, ``level_gap``, ``duplicate_id``, ``bad_value``)."""
    sc, add = rs.scoring, ctx.add
    for i, b in enumerate(sc.bands):
        if not b.levels:
            continue
        base = ("scoring", "bands", i, "levels")
        if sc.grade_by != "bands":
            add(base, "bad_value", "Sub-levels need grading by bands (grade_by: bands).")
            continue
        top, inclusive = _upper(rs, i)
        seen: set[str] = set()
        last: Decimal | None = None
        for j, lv in enumerate(b.levels):
            path = base + (j,)
            if lv.id in seen:
                add(path + ("id",), "duplicate_id",
                    f"Level id '{lv.id}' is declared twice in the band of '{b.grade}'.")
            seen.add(lv.id)
            is_last = j == len(b.levels) - 1
            if lv.min is None:
                if not is_last:
                    add(path + ("min",), "level_gap", "Only the last level may omit 'min'; "
                        "the levels after it could never be reached.")
                continue
            if is_last and lv.min != b.min:
                add(path + ("min",), "level_gap",
                    f"Scores of band '{b.grade}' below {lv.min} fall in no level; give the "
                    "last level no 'min' (or the band's own).")
            elif not is_last and b.min is not None and lv.min <= b.min:
                add(path + ("min",), "level_outside_band",
                    f"Level '{lv.id}' starts at {lv.min}, not above the band's own minimum "
                    f"{b.min}: it lies outside the band of '{b.grade}' (or leaves the next "
                    "level empty).")
            elif top is not None and (lv.min > top if inclusive else lv.min >= top):
                add(path + ("min",), "level_outside_band",
                    f"Level '{lv.id}' starts at {lv.min}, at or above the top of the band of "
                    f"'{b.grade}' ({top}): no score of the band reaches it.")
            elif last is not None and lv.min >= last:
                add(path + ("min",), "level_order",
                    f"Level '{lv.id}' starts at {lv.min}, not below the level before it "
                    f"({last}); levels go best first.")
            last = lv.min
