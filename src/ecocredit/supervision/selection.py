"""The core of the draw: which firms are checked this quarter, pool by pool.

County level: per county, class and category (the *pools*), the policy's quota of firms; firms
not yet visited in the current coverage cycle (or year) come first, ties broken by a uniform
random key, so each cycle is a draw without replacement; where a class has a coverage aim, at
least its coverage quota (:func:`~.quotas.coverage_quota`) is drawn. City level: the city's
checks of routine units, from those the county did not draw.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..output.i18n import t
from .history import Visits
from .policy import CategoryRule, Policy, format_fraction
from .quarters import Quarter
from .quotas import _offset, coverage_quota, quarter_quota

#: Columns of the checks table that the selection hands to the officer assignment.
CHECK_COLUMNS = ["pos", "level", "unit_code", "category", "kind", "guidance", "reason",
                 "reason_zh", "rules",
                 "prio", "cov", "key"]


def select(pol: Policy, qt: Quarter, f: pd.DataFrame, vis: Visits, officers: dict[str, int],
           key_county: np.ndarray, key_city: np.ndarray) -> pd.DataFrame:
    """The checks of the quarter (:data:`CHECK_COLUMNS`; ``pos`` indexes the sorted firms
    ``f``), county pools first, then the city-level draws."""
    selected = np.zeros(len(f), dtype=bool)
    rows = _county_checks(pol, qt, f, vis, officers, key_county, selected)
    rows += _city_checks(pol, qt, f, vis, key_city, selected)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _pool_rate(pol: Policy, qt: Quarter, crule: CategoryRule, key: str, m: int,
               officers: dict[str, int]) -> tuple[int, str, str]:
    """(quota, words, rule id) of a county pool's rate this quarter."""
    r, k, c = key.split("|")
    day = qt.start
    if crule.draw.mode == "class":
        rate = pol.rate(k, "county", day)
        if rate is None:
            return 0, "", ""
        if rate.share is not None:
            rate_q = quarter_quota(pol, Fraction(rate.share), rate.per, m, qt, key)
        else:
            target = min(m, rate.units_per_officer * officers.get(r, 0))
            rate_q = quarter_quota(pol, Fraction(1), "year", target, qt, key)
        share = (_say("draw.reason.share", pct=format_fraction(Fraction(rate.share) * 100),
                      per=rate.per) if rate.share is not None else
                 _say("draw.reason.per_officer", n=rate.units_per_officer))
        return rate_q, _say("draw.reason.class_rate", share=share,
                            routine=_say("draw.reason.routine") if c == "routine" else _NONE,
                            k=k), rate.id
    if crule.draw.mode == "rate":
        share = Fraction(crule.draw.share)
        rate_q = quarter_quota(pol, share, crule.draw.per, m, qt, key)
        return rate_q, _say("draw.reason.pool_rate", label=_label(crule.label, c),
                            pct=format_fraction(share * 100), per=crule.draw.per), c
    return 0, _NONE, ""


#: a reason's words in both languages (the plan keeps English, the public plan in zh Chinese)
_Words = tuple[str, str]
_NONE: _Words = ("", "")
_PER_ZH = {"quarter": "季度", "year": "年"}


def _say(key: str, **fields: Any) -> _Words:
    """The catalog message ``key`` in English and Chinese; a field given as a pair of words
    is filled in its language, ``per`` (quarter, year) is put in Chinese for ``zh``."""
    def filled(lang: str, i: int) -> str:
        vals = {k: (v[i] if isinstance(v, tuple) else
                    _PER_ZH.get(v, v) if (k == "per" and lang == "zh") else v)
                for k, v in fields.items()}
        return t(key, lang, **vals)
    return filled("en", 0), filled("zh", 1)


def _label(label: Any, fallback: str) -> _Words:
    """A policy label's words (the id when it has none)."""
    return (label.en, label.zh) if label else (fallback, fallback)


def _county_checks(pol: Policy, qt: Quarter, f: pd.DataFrame, vis: Visits,
                   officers: dict[str, int], key_county: np.ndarray, selected: np.ndarray
                   ) -> list[dict[str, Any]]:
    """The county pools' checks, pool keys in sorted order; marks them in ``selected``."""
    day = qt.start
    n = len(f)
    region = f["region_code"].to_numpy(dtype=object)
    cls = f["supervision_class"].to_numpy(dtype=object)
    cat = f["category"].to_numpy(dtype=object)
    cmap = pol.category_map
    in_pool = np.array([cmap[c].draw.mode != "none" or (
        cmap[c].coverage == "keep" and pol.coverage_for(k, day) is not None)
        for c, k in zip(cat, cls)], dtype=bool) if n else np.zeros(0, dtype=bool)
    pool_key = pd.Series([f"{r}|{k}|{c}" for r, k, c in zip(region, cls, cat)], dtype=object)
    pool_key[~in_pool] = ""
    rows: list[dict[str, Any]] = []
    cat_order = {c.id: i for i, c in enumerate(pol.categories)}
    groups = pool_key[in_pool].groupby(pool_key[in_pool]).indices if in_pool.any() else {}
    in_idx = np.flatnonzero(in_pool)
    for key in sorted(groups):
        members = in_idx[groups[key]]
        r, k, c = key.split("|")
        crule = cmap[c]
        m = len(members)
        rate_q, rate_word, rate_id = _pool_rate(pol, qt, crule, key, m, officers)
        cov_on = crule.coverage == "keep" and k in vis.cycles
        uncovered = int((vis.cycle[members] == 0).sum())
        min_cov = 0
        if cov_on:
            cov, y0, y1, left = vis.cycles[k]
            min_cov = coverage_quota(
                uncovered, left,
                _offset(f"{y0}|{key}|coverage") if pol.quota.spread == "systematic" else None)
        quota = min(m, max(rate_q, min_cov))
        if quota == 0:
            continue
        order = np.lexsort((key_county[members], vis.cycle[members] if cov_on
                            else vis.year[members]))
        take = members[order[:quota]]
        for rank, i in enumerate(take):
            if rank < rate_q:
                reason = _say("draw.reason.drawn", words=rate_word, drawn=rate_q, of=m)
                rule = rate_id
            else:
                cov, y0, y1, left = vis.cycles[k]
                span = f"{y0}" if y0 == y1 else f"{y0}–{y1}"
                reason = _say("draw.reason.coverage", label=_label(cov.label, cov.id),
                              span=span, drawn=quota - rate_q, of=uncovered, left=left)
                rule = cov.id
            if c not in ("routine",):
                why = f.at[i, "category_reason"].split(": ", 1)[-1]
                zh_label = _label(crule.label, c)[1]
                # in Chinese the pool's own rate may name the category already: once is enough
                reason = _say("draw.reason.category", head=(f"{c}: {why}", zh_label),
                              reason=(reason[0], reason[1].removeprefix(zh_label + "：")))
            kind = crule.draw.kind if crule.draw.mode == "rate" else "random"
            rows.append({"pos": int(i), "level": "county", "unit_code": r, "category": c,
                         "kind": kind, "guidance": crule.enforcement == "beside",
                         "reason": reason[0], "reason_zh": reason[1],
                         "rules": ";".join(x for x in (
                             rule, f.at[i, "rules"] if c != "routine" else "") if x),
                         "prio": cat_order[c], "cov": rank >= rate_q, "key": key_county[i]})
        selected[take] = True
    return rows


def _city_checks(pol: Policy, qt: Quarter, f: pd.DataFrame, vis: Visits, key_city: np.ndarray,
                 selected: np.ndarray) -> list[dict[str, Any]]:
    """The city-level draws of routine units (those the county did not draw)."""
    day = qt.start
    n = len(f)
    city = f["city_code"].to_numpy(dtype=object)
    cls = f["supervision_class"].to_numpy(dtype=object)
    cat = f["category"].to_numpy(dtype=object)
    cmap = pol.category_map
    cat_order = {c.id: i for i, c in enumerate(pol.categories)}
    rows: list[dict[str, Any]] = []
    class_mode = np.array([cmap[c].draw.mode == "class" for c in cat], dtype=bool) if n else \
        np.zeros(0, dtype=bool)
    for c_code in sorted(set(city[class_mode])):
        for k in ("A", "B", "C"):
            rate = pol.rate(k, "city", day)
            if rate is None or rate.share is None:
                continue
            members = np.flatnonzero(class_mode & (city == c_code) & (cls == k))
            m = len(members)
            if m == 0:
                continue
            share = Fraction(rate.share)
            quota = quarter_quota(pol, share, rate.per, m, qt, f"{c_code}|{k}|city")
            cand = members[~selected[members]]
            quota = min(quota, len(cand))
            if quota == 0:
                continue
            order = np.lexsort((key_city[cand], vis.year[cand]))
            take = cand[order[:quota]]
            for i in take:
                rows.append({"pos": int(i), "level": "city", "unit_code": c_code,
                             "category": cat[i], "kind": "random",
                             "guidance": cmap[cat[i]].enforcement == "beside",
                             **dict(zip(("reason", "reason_zh"), _say(
                                 "draw.reason.city", pct=format_fraction(share * 100),
                                 per=rate.per, k=k, drawn=quota, of=m))),
                             "rules": rate.id, "prio": cat_order[cat[i]], "cov": False,
                             "key": key_city[i]})
            selected[take] = True
    return rows
