"""Windows counted from publication: the list entries a run made, from the day its results
were published.

A run puts firms on the red or black list from its evaluation date ``E`` for N months
(``list_until = add_months(E, N)``, :mod:`ecocredit.rules.list_entry`). The regulations count
list durations from the publication of the results (Guangdong published its 2018 results on
2020-03-31, case 06): when the publication date ``P`` is recorded, an entry this run made lasts
through ``add_months(P, N)`` (the end day included, docs/concepts.md). Entries carried over
from the history table keep their end. Credit repair counts its own windows from ``P`` too
(:mod:`ecocredit.decisions.repair`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..days import add_months
from ..engine.run import ScoreResult

__all__ = ["lists_from_publication", "list_until_from_publication"]


def list_until_from_publication(ruleset, scores: pd.DataFrame, contributions: pd.DataFrame,
                                published_on: dt.date) -> np.ndarray:
    """The last day on the list per firm, with this run's entries counted from ``published_on``.

    Parameters
    ----------
    ruleset : Ruleset
    scores : DataFrame
        ``firm_id``, ``list``, ``list_until`` (ISO text or ``""``), one row per firm.
    contributions : DataFrame
        ``firm_id``, ``rule_id``, ``effect``: the list rules' rows say which entry the run
        made (``red list (serious) until …``).
    published_on : date

    Returns
    -------
    ndarray of str, shape (len(scores),)
        ``list_until`` per firm: ``max(list_until, add_months(P, N))`` over the entries this run
        made on the list in force (``P >= E``, so an entry only lasts longer); ``""`` where the
        firm is on no list.
    """
    out = scores["list_until"].to_numpy(object).copy()
    if ruleset.lists is None or not len(contributions):
        return out
    rules = {r.id: r for r in ruleset.lists.rules}
    c = contributions[contributions["rule_id"].isin(list(rules))]
    if c.empty:
        return out
    at = pd.Index(scores["firm_id"]).get_indexer(c["firm_id"])
    lst = scores["list"].to_numpy(object)
    for i, rid, effect in zip(at, c["rule_id"], c["effect"]):
        r = rules[rid]
        if i < 0 or r.list != lst[i] or not out[i]:
            continue
        serious = "(serious)" in str(effect)
        months = (r.serious_duration_months if serious and r.serious_duration_months
                  else r.duration_months)
        out[i] = max(out[i], add_months(published_on, months).isoformat())
    return out


def lists_from_publication(result: ScoreResult, published_on: dt.date) -> np.ndarray:
    """:func:`list_until_from_publication` for a run: its scores and contributions."""
    return list_until_from_publication(result.ruleset, result.scores, result.contributions,
                                       published_on)
