"""Features: the shared, exact building blocks both engines read the inputs through.

Dates are integers (days since 1970-01-01) in the vectorized engine and ``datetime.date`` in
the reference engine; month arithmetic, period membership and history look-back are defined
here once in scalar form and once in vector form, and tested equal.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import numpy as np

from .ruleset import Indicator, Period, Tier

__all__ = [
    "add_months",
    "add_months_days",
    "previous_periods",
    "period_in",
    "tier_index",
    "value_key",
]

_EPOCH = np.datetime64("1970-01-01", "D")


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, clipping to the month's last day (31 Jan + 1 month = 28/29 Feb).

    Examples
    --------
    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> add_months(dt.date(2024, 8, 16), 6)
    datetime.date(2025, 2, 16)
    """
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """Vector form of :func:`add_months` on int days since 1970 (returns int64 days)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    mon = d.astype("datetime64[M]")
    dom = (d - mon.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = mon + np.timedelta64(months, "M")
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D"))
    start = target.astype("datetime64[D]")
    out = np.minimum(start + dom.astype("timedelta64[D]"), last)
    return (out - _EPOCH).astype(np.int64)


def previous_periods(period: Period, k: int) -> list[str]:
    """Labels of the ``k`` periods before ``period``, most recent first.

    Examples
    --------
    >>> from ecocredit.ruleset import parse_period
    >>> previous_periods(parse_period("2025"), 2)
    ['2024', '2023']
    >>> previous_periods(parse_period("2025-01"), 2)
    ['2024-12', '2024-11']
    """
    if len(period.label) == 4:
        y = int(period.label)
        return [str(y - i) for i in range(1, k + 1)]
    y, m = int(period.label[:4]), int(period.label[5:])
    out = []
    for _ in range(k):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(f"{y:04d}-{m:02d}")
    return out


def period_in(label: str, period: Period) -> bool:
    """Whether a measurement period label (``YYYY`` or ``YYYY-MM``) lies within ``period``.

    A yearly value belongs to a monthly scoring period of the same year.
    """
    if len(label) == 4:
        return label == period.label[:4]
    if len(period.label) == 4:
        return label[:4] == period.label
    return label == period.label


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
