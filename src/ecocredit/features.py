"""Features: the shared, exact building blocks both engines read the inputs through.

Measured values are ordered and matched to an indicator's tiers here, once, for both engines;
dates live in :mod:`ecocredit.days` and periods in :mod:`ecocredit.periods`.
"""

from __future__ import annotations

from decimal import Decimal

from .ruleset import Indicator, Tier

__all__ = [
    "tier_index",
    "value_key",
]


def value_key(ind: Indicator, value: str) -> Decimal | int:
    """Order key of a measured value: the number, or for a categorical indicator minus its
    position (values are listed best first, so a larger key is a better value)."""
    if ind.kind == "numeric":
        return Decimal(value)
    return -ind.values.index(value)


def tier_index(tiers: list[Tier], ind: Indicator, value: str) -> int:
    """Index of the first tier that ``value`` satisfies (the last tier catches the rest)."""
    for i, t in enumerate(tiers):
        if ind.kind == "categorical":
            if t.value is None or t.value == value:
                return i
            continue
        v = Decimal(value)
        if (t.min is None or v >= t.min) and (t.max is None or v <= t.max):
            return i
    return len(tiers) - 1
