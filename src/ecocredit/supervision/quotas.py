"""Quotas: how many units of a pool the draw takes in a quarter, for the policy's rates and for
its coverage aims, rounded as the policy declares."""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction

from .policy import Policy
from .quarters import Quarter


def _offset(key: str) -> Fraction:
    """A fixed offset in [0, 1) for systematic rounding, from a pool's key and year (the same
    in every quarter of the year, different between pools)."""
    return Fraction(int(hashlib.sha256(key.encode()).hexdigest()[:12], 16), 16 ** 12)


def quarter_quota(pol: Policy, share: Fraction, per: str, n: int, qt: Quarter,
                  pool: str = "") -> int:
    """Units of a pool of ``n`` to draw in quarter ``qt`` at ``share`` per quarter or year.

    A quarterly rate is a floor in **every** quarter, not a yearly total spread over the
    quarters: each quarter draws ``round(n × share)`` units (the policy's rounding; with
    ``ceiling`` never fewer than the share), so 7 A units at 25% a quarter give 2 in each
    quarter (2 of 7 = 29% ≥ 25%), 8 in the year. A yearly rate is a minimum over the year: its
    target ``T = round(n × share)`` is spread over the quarters, ``cumulative``
    (``round(T × q / 4)`` by quarter q) or ``systematic`` (``floor(T × q / 4 + u)``, ``u`` the
    pool's offset in [0, 1) for the year, so pools with less than a unit a quarter do not all
    fall in the same quarter); either way exactly ``T`` in the year. Coverage aims (every A unit
    once a year ...) are a separate floor (:func:`coverage_quota`); the draw takes the larger.

    Parameters
    ----------
    pol : Policy
        Gives the rounding (``quota.rounding``) and the spread (``quota.spread``).
    share : Fraction
        The rate, a fraction of the pool's units (``1/4`` for 25%).
    per : {'quarter', 'year'}
        Whether ``share`` is per quarter or per year.
    n : int
        Units in the pool (≥ 0).
    qt : Quarter
        The quarter drawn.
    pool : str, optional
        The pool's key (county, class, category), for the systematic spread's offset.

    Returns
    -------
    int
        Units to draw this quarter (≥ 0).

    Examples
    --------
    >>> from ecocredit import load_policy, parse_quarter
    >>> pol = load_policy("jiangxi-2020")
    >>> [quarter_quota(pol, Fraction(1, 4), "quarter", 7, parse_quarter(f"2025Q{q}"))
    ...  for q in (1, 2, 3, 4)]                    # ceil(7 × 0.25) in every quarter
    [2, 2, 2, 2]
    >>> sum(quarter_quota(pol, Fraction(1, 2), "year", 9, parse_quarter(f"2025Q{q}"), "x")
    ...     for q in (1, 2, 3, 4))                 # ceil(9 × 0.5) = 5 in the year
    5
    """
    if per == "quarter":
        return pol.round_units(share * n)
    target = pol.round_units(share * n)
    return _spread(pol, target, qt.q, 4, f"{qt.year}|{pool}")


def _spread(pol: Policy, target: int, k: int, length: int, key: str) -> int:
    """Units due in step ``k`` (1-based) of ``length`` for ``target`` units in all."""
    def cum(j: int) -> int:
        if j <= 0:
            return 0
        if j >= length:
            return target
        if pol.quota.spread == "cumulative":
            return pol.round_units(Fraction(target * j, length))
        return math.floor(Fraction(target * j, length) + _offset(key))
    return max(0, cum(k) - cum(k - 1))


def coverage_quota(uncovered: int, quarters_left: int, offset: Fraction | None = None) -> int:
    """Units of a pool to draw this quarter for its coverage aim.

    The units not yet visited in the cycle are spread evenly over the quarters left (this one
    included): ``ceil(uncovered / quarters_left)`` (the policy's ``spread: cumulative``), or
    ``floor(uncovered / quarters_left + offset)`` with the pool's fixed offset in [0, 1)
    (``spread: systematic``), so that the many pools of one or two units do not all fall in the
    first quarter. Either way every unit is visited by the end of the cycle (in the last quarter
    the quota is all that is left) and a gap in the history is caught up evenly.

    Parameters
    ----------
    uncovered : int
        Units of the pool not yet visited in the current coverage cycle.
    quarters_left : int
        Quarters left in the cycle, this one included (≥ 1).
    offset : Fraction, optional
        The pool's offset in [0, 1) (systematic spread); None for the cumulative spread.

    Returns
    -------
    int
        Units to draw this quarter for the coverage aim (≥ 0).

    Raises
    ------
    ValueError
        ``quarters_left`` is below 1.

    Examples
    --------
    >>> coverage_quota(2, 1)               # the last quarter of the cycle: the two left
    2
    >>> [coverage_quota(u, k) for u, k in ((10, 4), (7, 3), (4, 2), (2, 1))]
    [3, 3, 2, 2]
    >>> [coverage_quota(1, k, Fraction(3, 5)) for k in (4, 3, 2)]  # one unit: due in the 3rd
    [0, 0, 1]
    """
    if quarters_left < 1:
        raise ValueError(f"quarters_left must be at least 1; got {quarters_left}.")
    if offset is None:
        return -(-max(0, uncovered) // quarters_left)
    return math.floor(Fraction(max(0, uncovered), quarters_left) + offset)
