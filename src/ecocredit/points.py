"""Exact points: integer hundredths of a point (fen of a point), end to end.

Ruleset values are decimals with at most two places; the engines, outputs and replays work on
integers so that the vectorized engine, the reference engine and a replay agree bit for bit.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

__all__ = ["to_cents", "from_cents", "format_cents", "fen_ceiling"]




def to_cents(value: Decimal | int) -> int:
    """Convert an exact number of points to integer hundredths of a point.

    Raises
    ------
    ValueError
        If the value has more than two decimal places (it could not be held exactly).

    Examples
    --------
    >>> to_cents(Decimal("12.75"))
    1275
    >>> to_cents(-3)
    -300
    """
    d = Decimal(value) * 100
    if d != d.to_integral_value():
        raise ValueError(f"{value} points is not a whole number of hundredths")
    return int(d)


def from_cents(cents: int) -> Decimal:
    """Integer hundredths of a point → the exact number of points (the inverse of
    :func:`to_cents`).

    Examples
    --------
    >>> from_cents(1275), from_cents(10000), from_cents(-350)
    (Decimal('12.75'), Decimal('100'), Decimal('-3.5'))
    """
    return Decimal(int(cents)) / 100


def format_cents(cents: int) -> str:
    """Format integer hundredths as the shortest exact decimal string.

    Examples
    --------
    >>> format_cents(1275), format_cents(10000), format_cents(-350)
    ('12.75', '100', '-3.5')
    """
    sign = "-" if cents < 0 else ""
    q, r = divmod(abs(int(cents)), 100)
    if r == 0:
        return f"{sign}{q}"
    return f"{sign}{q}.{r:02d}".rstrip("0")


def fen_ceiling(amount: Decimal) -> int:
    """An amount in yuan → whole fen (hundredths), rounded up: the smallest amount in fen that
    is at least ``amount``.

    Examples
    --------
    >>> fen_ceiling(Decimal("10.001"))
    1001
    """
    return int((amount * 100).to_integral_value(rounding=ROUND_CEILING))
