"""Calendar quarters, the unit of the double-random draw."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import PeriodError


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter."""

    label: str
    year: int
    q: int
    start: dt.date
    end: dt.date

    def shift(self, k: int) -> Quarter:
        """The quarter ``k`` quarters later (earlier if negative)."""
        i = self.year * 4 + self.q - 1 + k
        return parse_quarter(f"{i // 4}Q{i % 4 + 1}")


def parse_quarter(text: str) -> Quarter:
    """Parse ``2025Q1`` (also ``2025-Q1``, ``2025q1``).

    Parameters
    ----------
    text : str
        The quarter, ``YYYYQn`` with n from 1 to 4.

    Returns
    -------
    Quarter
        Its label (``2025Q1``), year, number, first and last day.

    Raises
    ------
    PeriodError
        If the text is not a quarter.
    """
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", str(text))
    if not m:
        raise PeriodError(f"A quarter is written YYYYQn (e.g. 2025Q1); got {text!r}.",
                          period=str(text))
    y, q = int(m.group(1)), int(m.group(2))
    start = dt.date(y, 3 * q - 2, 1)
    end = (dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)) - dt.timedelta(days=1)
    return Quarter(f"{y}Q{q}", y, q, start, end)

