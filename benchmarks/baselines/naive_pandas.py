"""The naive baseline: one ruleset scored per firm with ``groupby(...).apply(...)``.

This is how an analyst typically writes a credit scoring script in pandas: tidy the tables,
filter the period, then group the events by firm and run a Python function on each group that
walks through the rules. It reads every rule value (types, severities, points, caps, thresholds,
veto and cap conditions, priorities, bands, min/max) from the loaded :class:`~ecocredit.Ruleset`,
so it stays in sync with the YAML; it supports what the annual deduction schemes need
(``anhui-2019``): ``event_points``, ``bonus``, ``count_threshold``, ``veto``, ``cap`` and
``downgrade`` with event and history conditions, ``annual`` evaluation, bands and min/max.
It does not validate inputs (it trusts them) and it produces scores and grades only (no
contributions table, no evidence): it does less work than ecocredit.

Usage::

    from benchmarks.baselines.naive_pandas import score_naive
    scores = score_naive(firms, events, "anhui-2019", period="2025", history=history)
    scores[["firm_id", "score_cents", "grade", "vetoed"]]
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd

from ecocredit.points import to_cents
from ecocredit.ruleset import Ruleset

from .common import SUPPORTED_KINDS, history_windows, plan

__all__ = ["SUPPORTED_KINDS", "score_naive"]


def _matching(g: pd.DataFrame, m: Any, eval_ts: pd.Timestamp) -> pd.DataFrame:
    """The events of one firm that a match selects (the way one writes it by hand)."""
    sel = g["event_type"].isin(m.types)
    if m.severity is not None:
        sel &= g["severity"].isin(m.severity)
    if m.medium is not None:
        sel &= g["medium"].isin(m.medium)
    if m.amount_min is not None or m.amount_max is not None:
        amt = g["amount"].map(lambda a: Decimal(a) if a else None)
        if m.amount_min is not None:
            sel &= amt.map(lambda a: a is not None and a >= m.amount_min)
        if m.amount_max is not None:
            sel &= amt.map(lambda a: a is not None and a < m.amount_max)
    if m.effective_after_days:
        sel &= g["event_date"] + pd.Timedelta(days=m.effective_after_days) <= eval_ts
    return g[sel]


def _window_holds(h: Any, labels: list[str], rows: Any) -> bool:
    k = sum(1 for p, gr, li in rows if p in labels and (gr in h.grades or li in h.lists))
    return k >= 1 if h.require == "any" else k >= len(labels)


def score_naive(firms: pd.DataFrame, events: pd.DataFrame, ruleset: Ruleset | str, *,
                period: str, history: pd.DataFrame | None = None,
                as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Score every firm, one ``groupby`` group at a time.

    Returns a DataFrame in the firms' order: ``firm_id``, ``status`` (graded/not_graded),
    ``score_cents`` (int hundredths, 0 when not graded), ``grade`` ('' when not graded),
    ``vetoed``.
    """
    pl = plan(ruleset, period, as_of, "naive baseline")
    rs, per, as_of_d, eval_date = pl.rs, pl.per, pl.as_of, pl.eval_date
    eval_ts = pd.Timestamp(eval_date)

    # --- tidy the tables -----------------------------------------------------------------
    f = firms.copy()
    f["firm_id"] = f["firm_id"].astype(str).str.strip().str.upper()
    status = f["status"].astype(str).str.strip().str.lower() if "status" in f else ""
    incl = (pd.to_datetime(f["included_since"].replace("", None), format="%Y-%m-%d")
            if "included_since" in f else pd.Series(pd.NaT, index=f.index))
    f["graded"] = ~pd.Series(status, index=f.index).isin(["closed", "suspended"]) & ~(
        incl > eval_ts)

    ev = events.copy()
    ev["firm_id"] = ev["firm_id"].astype(str).str.strip().str.upper()
    ev["event_date"] = pd.to_datetime(ev["event_date"], format="%Y-%m-%d")
    for c in ("severity", "medium", "amount", "ref_event_id", "recorded_at"):
        ev[c] = ev[c].astype(str).str.strip() if c in ev else ""
    if as_of_d is not None:
        rec = pd.to_datetime(ev["recorded_at"].where(ev["recorded_at"] != "",
                                                     ev["event_date"].dt.strftime("%Y-%m-%d")))
        ev = ev[rec <= pd.Timestamp(as_of_d)]
    # revoked events count for nothing, and revocations themselves neither
    revoked = set(ev.loc[ev["event_type"] == "revocation", "ref_event_id"])
    ev = ev[~ev["event_id"].isin(revoked) & (ev["event_type"] != "revocation")]
    # annual scheme: the events of the period up to the evaluation date
    ev = ev[(ev["event_date"] >= pd.Timestamp(per.start)) & (ev["event_date"] <= eval_ts)]
    ev = ev[ev["firm_id"].isin(f.loc[f["graded"], "firm_id"])]

    hist: dict[str, list[tuple[str, str, str]]] = {}
    if history is not None and len(history):
        h = history.copy()
        h["firm_id"] = h["firm_id"].astype(str).str.strip().str.upper()
        lst = h["list"].astype(str).str.strip() if "list" in h else pd.Series("", index=h.index)
        for fid, p, g, li in zip(h["firm_id"], h["period"].astype(str).str.strip(),
                                 h["grade"].astype(str).str.strip(), lst):
            hist.setdefault(fid, []).append((p, g, li))

    point_rules, overrides = pl.point_rules, pl.overrides
    sc = rs.scoring
    worst = len(rs.grades) - 1
    no_events = ev.iloc[:0]

    # --- one firm ------------------------------------------------------------------------
    def score_one(g: pd.DataFrame, fid: str) -> tuple[int, int, bool]:
        score = Decimal(sc.base)
        gained = Decimal(sc.base)
        for r in point_rules:
            n = len(_matching(g, r.match, eval_ts))
            if r.kind == "count_threshold":
                pts = r.points if n >= r.at_least else Decimal(0)
            else:
                pts = r.points * n
                if r.cap is not None and abs(pts) > r.cap:
                    pts = r.cap if pts > 0 else -r.cap
            score += pts
            if pts > 0:
                gained += pts
        if sc.max is not None and gained > sc.max:
            score -= gained - sc.max
        if sc.min is not None and score < sc.min:
            score = Decimal(sc.min)
        grade = worst
        for band in sc.bands:
            if band.min is None or score >= band.min:
                grade = rs.grade_index[band.grade]
                break
        vetoed = False
        for r in overrides:
            w = r.when
            ok = True
            if w.events is not None:
                hits = _matching(g, w.events, eval_ts)
                n = hits["event_type"].nunique() if w.count == "types" else len(hits)
                ok = n < w.fewer_than if w.fewer_than is not None else n >= w.at_least
            if w.history is not None:
                ok = ok and any(_window_holds(w.history, labels, hist.get(fid, ()))
                                for labels in history_windows(r, per))
            if not ok:
                continue
            if r.kind == "downgrade":
                grade = min(grade + r.levels, worst)
            else:
                grade = max(grade, rs.grade_index[r.grade] if r.grade else worst)
                vetoed = vetoed or r.kind == "veto"
        return to_cents(score), grade, vetoed

    # --- every firm: groupby-apply over the events, then the firms without events ---------
    by_firm = ev.groupby("firm_id", sort=False)[list(ev.columns)].apply(
        lambda g: score_one(g, g.name))
    out = []
    for fid, graded in zip(f["firm_id"], f["graded"]):
        if not graded:
            out.append((fid, "not_graded", 0, "", False))
            continue
        r = by_firm.get(fid) if len(by_firm) else None
        if r is None:
            r = score_one(no_events, fid)
        out.append((fid, "graded", r[0], rs.grade_ids[r[1]], r[2]))
    return pd.DataFrame(out, columns=["firm_id", "status", "score_cents", "grade", "vetoed"])
