"""Measures that follow the result on fixed dates (``anchor`` of a measure).

Jiangsu's differential electricity price follows the system's result on the last day of each
half-year (30 June, 31 December) and applies to the whole next half-year's consumption
(research.md §3.4). Such a measure is not decided from whatever run is at hand: a request
dated ``D`` reads the result on the anchor date ``A``, the last anchor date before ``D``, and
the measure applies from ``A + 1`` through the next anchor date, that day included (the
window is the calendar half-year: six months counted from 30 June would end on 30 December,
docs/concepts.md).

Where the dated result comes from:

- from a run (:func:`result_on`): the run itself when ``A`` is its evaluation date; otherwise
  the run's inputs re-scored as of ``A`` (records entered after ``A`` left out, revocations
  recorded after ``A`` not yet in force). A date after the run's evaluation date cannot be
  answered from the run: the result is marked unavailable and the check says so;
- from the credit register (:mod:`ecocredit.cycle.point_of_action`): the record in force on
  ``A``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..days import date_of, day_of
from ..engine.run import ScoreResult, score_validated
from ..periods import parse_period
from ..read import Prepared
from ..read.events import _revoked

__all__ = ["DatedResult", "DatedSource", "anchor_days", "result_on"]


@dataclass
class DatedResult:
    """The grades and lists in force on one anchor date, aligned with a run's ``scores``.

    Attributes
    ----------
    day : date
        The anchor date.
    grade, list, list_until : ndarray of str, shape (n_firms,)
        Per firm of the run (in the order of ``scores``): the grade, the list and its last day
        on that date (``""`` where none).
    source : ndarray of str, shape (n_firms,)
        Per firm, which result this is (said in every answer that uses it).
    """

    day: dt.date
    grade: np.ndarray
    list: np.ndarray
    list_until: np.ndarray
    source: np.ndarray


#: where the dated result of a day comes from: a run re-scored, or the register
DatedSource = Callable[[dt.date], DatedResult]


def anchor_days(dates: list[str], days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For request days ``D``, the last anchor date before ``D`` and the next anchor date.

    Parameters
    ----------
    dates : list of str
        ``MM-DD`` anchor dates of every year (02-29 excluded by the model), sorted.
    days : ndarray of int64, shape (n,)
        Request days (days since 1970-01-01).

    Returns
    -------
    anchor, until : ndarray of int64, shape (n,)
        ``A < D <= until``: the measure reads the result on ``A`` and applies through ``until``.

    Examples
    --------
    >>> d = np.array([day_of(dt.date(2026, 7, 1)), day_of(dt.date(2026, 12, 31)),
    ...               day_of(dt.date(2027, 1, 1)), day_of(dt.date(2024, 6, 30))])
    >>> a, u = anchor_days(["06-30", "12-31"], d)
    >>> [(date_of(int(x)).isoformat(), date_of(int(y)).isoformat()) for x, y in zip(a, u)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('2026-06-30', '2026-12-31'), ('2026-06-30', '2026-12-31'),
     ('2026-12-31', '2027-06-30'), ('2023-12-31', '2024-06-30')]
    """
    if not len(days):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    years = sorted({date_of(int(x)).year for x in (days.min(), days.max())})
    cand = np.array(sorted(day_of(dt.date.fromisoformat(f"{y}-{md}"))
                           for y in range(years[0] - 1, years[-1] + 2) for md in dates),
                    dtype=np.int64)
    i = np.searchsorted(cand, days, side="left") - 1  # the last anchor strictly before D
    return cand[i], cand[i + 1]


def _prepared_as_of(prep: Prepared, day: dt.date) -> Prepared:
    """The inputs as the records stood on ``day``: events recorded later left out, and
    revocations recorded later not in force."""
    ev = prep.events
    keep = ev["recorded_day"].to_numpy(np.int64) <= day_of(day)
    if keep.all():
        return prep
    is_ref = ((ev["event_type"] == "revocation") & (ev["ref_event_id"] != "")).to_numpy()
    ref_rows = np.flatnonzero(is_ref)
    key = ev["firm_idx"].astype(str) + "\x1f" + ev["event_id"].astype(str)
    ref_key = (ev["firm_idx"].astype(str) + "\x1f" + ev["ref_event_id"].astype(str))[is_ref]
    first = pd.Series(np.arange(len(key)), index=key.to_numpy(object))
    first = first[~first.index.duplicated()]
    named = first.reindex(ref_key.to_numpy(object)).fillna(-1).to_numpy(np.int64)
    revoked = _revoked(ev, keep, (ref_rows, named))
    out = ev[keep].reset_index(drop=True)
    out["revoked"] = revoked[keep]
    return dataclasses.replace(prep, events=out)


def _unavailable(result: ScoreResult, day: dt.date, why: str) -> DatedResult:
    n = len(result.scores)
    empty = np.full(n, "", dtype=object)
    return DatedResult(day, empty, empty.copy(), empty.copy(), np.full(n, why, dtype=object))


def result_on(result: ScoreResult, day: dt.date) -> DatedResult:
    """The run's result on ``day``: the run itself on its evaluation date, else its inputs
    re-scored as of ``day`` (the period of the same length that contains ``day``).

    A day after the run's evaluation date, or outside the ruleset's validity, gives no grade,
    and ``source`` says why.
    """
    E = result.eval_date
    s = result.scores
    if day == E:
        r, src = result, f"this run, evaluated on {E}"
    elif day > E:
        return _unavailable(result, day, f"no result: {day} is after this run's evaluation "
                            f"date {E}; score as of {day} to decide")
    else:
        label = str(day.year) if len(result.period.label) == 4 else f"{day:%Y-%m}"
        if not result.ruleset.covers(day):
            return _unavailable(result, day, f"no result: ruleset {result.ruleset.id} is not "
                                f"in force on {day}")
        r = score_validated(_prepared_as_of(result.prepared, day), result.ruleset,
                            parse_period(label), as_of=day, today=result.today)
        src = f"this run's inputs re-scored as of {day}"
    pos = pd.Index(r.scores["firm_id"]).get_indexer(s["firm_id"])
    rs_ = r.scores
    graded = (rs_["status"] == "graded").to_numpy()

    def col(c: str) -> np.ndarray:
        v = np.where(graded, rs_[c].to_numpy(object), "")[pos]
        return np.where(pos >= 0, v, "").astype(object)

    return DatedResult(day, col("grade"), col("list"), col("list_until"),
                       np.full(len(s), src, dtype=object))
