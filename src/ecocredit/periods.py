"""Scoring periods: a calendar year ``YYYY`` or a month ``YYYY-MM``, their membership and the
periods before them (for history rules such as "rated 不良 two years running")."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from .errors import PeriodError

__all__ = ["Period", "parse_period", "previous_periods", "period_in"]




class Period(BaseModel):
    """A scoring period: a calendar year ``YYYY`` or a month ``YYYY-MM``."""

    model_config = ConfigDict(frozen=True)
    label: str
    start: dt.date
    end: dt.date


def parse_period(text: str) -> Period:
    """Parse ``YYYY`` or ``YYYY-MM`` into a :class:`Period`.

    Parameters
    ----------
    text : str
        A year (``2024``: the calendar year) or a month (``2024-02``).

    Returns
    -------
    Period
        Its label, first and last day.

    Raises
    ------
    PeriodError
        The text is neither ``YYYY`` nor ``YYYY-MM`` (or names no real month).

    Examples
    --------
    >>> parse_period("2024").end
    datetime.date(2024, 12, 31)
    >>> parse_period("2024-02").end
    datetime.date(2024, 2, 29)
    """
    s = str(text).strip()
    try:
        if len(s) == 4 and s.isdigit():
            y = int(s)
            return Period(label=s, start=dt.date(y, 1, 1), end=dt.date(y, 12, 31))
        if len(s) == 7 and s[4] == "-" and s[:4].isdigit() and s[5:].isdigit():
            y, m = int(s[:4]), int(s[5:])
            start = dt.date(y, m, 1)
            nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
            return Period(label=s, start=start, end=nxt - dt.timedelta(days=1))
    except ValueError:
        pass
    raise PeriodError(f"The period must be YYYY or YYYY-MM; got {text!r}.", period=str(text))


def previous_periods(period: Period, k: int) -> list[str]:
    """Labels of the ``k`` periods before ``period``, most recent first.

    Examples
    --------
    >>> from ecocredit.periods import parse_period
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
