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

from .history import Visits
from .policy import CategoryRule, Policy, format_fraction
from .quarters import Quarter
from .quotas import _offset, coverage_quota, quarter_quota

#: Columns of the checks table that the selection hands to the officer assignment.
CHECK_COLUMNS = ["pos", "level", "unit_code", "category", "kind", "guidance", "reason", "rules",
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
        share = (f"{format_fraction(Fraction(rate.share) * 100)}% per {rate.per}"
                 if rate.share is not None else
                 f"{rate.units_per_officer} units per officer a year")
        return rate_q, (f"random draw at the class rate: {share} of the county's "
                        f"{'routine ' if c == 'routine' else ''}class {k} units"), rate.id
    if crule.draw.mode == "rate":
        share = Fraction(crule.draw.share)
        rate_q = quarter_quota(pol, share, crule.draw.per, m, qt, key)
        return rate_q, (f"{crule.label.en if crule.label else c}: "
                        f"{format_fraction(share * 100)}% per {crule.draw.per} of the pool"), c
    return 0, "", ""


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
                reason = f"{rate_word} ({rate_q} drawn of {m} this quarter)"
                rule = rate_id
            else:
                cov, y0, y1, left = vis.cycles[k]
                span = f"{y0}" if y0 == y1 else f"{y0}–{y1}"
                reason = (f"coverage: {cov.label.en if cov.label else cov.id}; not yet visited "
                          f"in {span} ({quota - rate_q} drawn of the {uncovered} not yet "
                          f"visited, {left} quarter(s) to go)")
                rule = cov.id
            if c not in ("routine",):
                reason = f"{c}: {f.at[i, 'category_reason'].split(': ', 1)[-1]} — {reason}"
            kind = crule.draw.kind if crule.draw.mode == "rate" else "random"
            rows.append({"pos": int(i), "level": "county", "unit_code": r, "category": c,
                         "kind": kind, "guidance": crule.enforcement == "beside",
                         "reason": reason, "rules": ";".join(x for x in (
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
                             "reason": (f"city-level random draw at the class rate: "
                                        f"{format_fraction(share * 100)}% per {rate.per} of the "
                                        f"city's routine class {k} units ({quota} drawn of {m} "
                                        "this quarter)"),
                             "rules": rate.id, "prio": cat_order[cat[i]], "cov": False,
                             "key": key_city[i]})
            selected[take] = True
    return rows
