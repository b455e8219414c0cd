"""The vectorized scoring engine.

One pass over whole columns (numpy/pandas, no per-firm Python loop) computes, for every firm,
the points of every rule, the total, the grade from the bands, the overrides in priority
order, the lists, and, in the same pass, the long contributions table (firm × rule × points ×
evidence × citation). Each rule kind's vectorized apply lives in its module of
:mod:`ecocredit.rules`; this module runs the stages of the compiled :class:`~.compile.Plan`.
Points are integer hundredths (``int64``), so the result is exact and agrees bit for bit with
:mod:`ecocredit.engine.reference`, the plain per-firm twin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..days import NO_DAY, iso_days
from ..read import Prepared
from ..periods import Period
from ..points import format_cents
from ..rules.arrays import (CONTRIBUTION_COLUMNS, Contributions, Events, VectorState, arrow,
                            codes, format_cents_array)
from ..vocab import MEDIA, SEVERITIES
from .compile import ORDER_BOUND, Plan, compile_plan
from .levels import grade_levels

__all__ = ["score_prepared", "score_plan", "CONTRIBUTION_COLUMNS", "SCORE_COLUMNS",
           "API_ONLY_COLUMNS", "format_cents_array", "score_columns"]

SCORE_COLUMNS = ["firm_id", "name", "period", "ruleset", "ruleset_version", "status", "score",
                 "grade", "grade_label", "vetoed", "rules_applied", "list", "list_until"]
#: columns of :attr:`ScoreResult.scores` for computing in Python, never written to scores.csv
#: (whose ``score`` is the exact decimal text)
API_ONLY_COLUMNS = ("score_points", "score_cents", "grade_rank")


def score_columns(columns: Any) -> list[str]:
    """The public columns of scores.csv in order: :data:`SCORE_COLUMNS`, with ``grade_level``
    after ``grade_label`` when the ruleset has sub-levels (档次) and so the scores have it (a
    ruleset without levels writes exactly the columns it always wrote)."""
    if "grade_level" not in columns:
        return list(SCORE_COLUMNS)
    i = SCORE_COLUMNS.index("grade_label") + 1
    return SCORE_COLUMNS[:i] + ["grade_level"] + SCORE_COLUMNS[i:]


def _event_arrays(prep: Prepared, plan: Plan, graded: np.ndarray) -> Events:
    """The events that can count at all, grouped by event type (see :class:`Events`)."""
    ev = prep.events
    tcode = codes(ev["event_type"], plan.event_types)
    firm = ev["firm_idx"].to_numpy(np.int32)
    day = ev["day"].to_numpy(np.int32)
    base = (~ev["revoked"].to_numpy(bool)) & (tcode >= 0) & (
        tcode != plan.type_codes["revocation"])
    base &= day <= plan.eval_day
    if plan.annual:
        base &= day >= plan.start_day
    if len(firm):
        base &= graded[firm]
    rows = np.flatnonzero(base)
    rows = rows[np.argsort(tcode[rows], kind="stable")]  # by type, input order within a type
    tc = tcode[rows]
    return Events(
        rows=rows, firm=firm[rows].astype(np.int64), day=day[rows].astype(np.int64),
        type_code=tc, sev=codes(ev["severity"], list(SEVERITIES), rows),
        med=codes(ev["medium"], list(MEDIA), rows),
        fen=ev["amount_fen"].to_numpy(np.int64)[rows],
        type_start=np.searchsorted(tc, np.arange(len(plan.event_types) + 1), side="left"),
        ids=arrow(ev["event_id"]))


def _not_graded_reason(prep: Prepared, plan: Plan) -> np.ndarray:
    """Per firm: 'closed', 'suspended', 'not_yet_included' (by the evaluation date), or ''."""
    f = prep.firms
    status = f["status"].to_numpy(object)
    incl = f["included_day"].to_numpy(np.int64)
    return np.where(np.isin(status, ["closed", "suspended"]), status,
                    np.where((incl != np.iinfo(np.int32).min) & (incl > plan.eval_day),
                             "not_yet_included", "")).astype(object)


class _ScoringBound:
    """A pseudo-rule for the clamp to scoring.min / scoring.max, so contributions reconcile."""

    kind = "bound"

    def __init__(self, ruleset: Any, which: str) -> None:
        self.id = f"scoring.{which}"
        self.reference = f"{ruleset.title.zh}: scoring.{which}"
        self.label = f"score limited to the scheme's {'lowest' if which == 'min' else 'highest'} value"


def _bounds(s: VectorState) -> None:
    """The declared range, with a row that says so (so contributions add up to the score):
    bonuses cannot lift the score above max (deductions come off the capped value), and the
    total never goes below min."""
    plan, graded = s.plan, s.graded
    if plan.max_cents is not None:
        hi = plan.max_cents
        excess = np.where(graded, np.maximum(s.positive - hi, 0), 0)
        idx = np.flatnonzero(excess)
        s.total = s.total - excess
        s.contrib.add(ORDER_BOUND, _ScoringBound(plan.ruleset, "max"), idx, -excess[idx],
                      np.full(len(idx), f"score limited to {format_cents(hi)}", object))
    if plan.min_cents is not None:
        lo = plan.min_cents
        short = np.where(graded, np.maximum(lo - s.total, 0), 0)
        idx = np.flatnonzero(short)
        s.total = s.total + short
        s.contrib.add(ORDER_BOUND + 1, _ScoringBound(plan.ruleset, "min"), idx, short[idx],
                      np.full(len(idx), f"score limited to {format_cents(lo)}", object))


def _band_grade(s: VectorState) -> np.ndarray:
    """Grade rank from the bands (or the worst indicator)."""
    plan, n = s.plan, s.n
    if plan.grade_by != "bands":
        return s.worst_ind.copy()
    mins = plan.band_mins
    band = (s.total[:, None] < mins[None, :]).sum(axis=1) if len(mins) else np.zeros(n, np.int64)
    return plan.band_ranks[band]


def _rules_applied(s: VectorState) -> np.ndarray:
    """Per firm, the ids of the rules that changed its grade, ';'-joined, in the order they
    applied."""
    out = np.full(s.n, "", dtype=object)
    if not s.applied:
        return out
    af = np.concatenate([a for a, _ in s.applied])
    ar = np.concatenate([np.full(len(a), i) for i, (a, _) in enumerate(s.applied)])
    names = np.asarray([rid for _, rid in s.applied], dtype=object)
    o = np.lexsort((ar, af))  # per firm, in the order the rules applied
    af, ar = af[o], ar[o]
    starts = np.flatnonzero(np.r_[True, af[1:] != af[:-1]])
    lists = pa.ListArray.from_arrays(pa.array(np.r_[starts, len(af)].astype(np.int32)),
                                     pa.array(names[ar], type=pa.string()))
    out[af[starts]] = pc.binary_join(lists, ";").to_numpy(zero_copy_only=False)
    return out


def _scores_table(s: VectorState, reason: np.ndarray) -> pd.DataFrame:
    """The scores table: contract columns, then the extras (see :func:`score_prepared`)."""
    plan, f, graded, n, grade = s.plan, s.prep.firms, s.graded, s.n, s.grade
    rs = plan.ruleset
    gid = np.asarray(plan.grade_ids, dtype=object)
    glabel = np.asarray(plan.grade_labels, dtype=object)
    gcolour = np.asarray(plan.grade_colours, dtype=object)
    score_str = format_cents_array(s.total)
    table = pd.DataFrame({
        "firm_id": f["firm_id"].to_numpy(object),
        "name": f["name"].to_numpy(object),
        "period": plan.period.label,
        "ruleset": rs.id,
        "ruleset_version": rs.version,
        "status": np.where(graded, "graded", "not_graded").astype(object),
        "score": np.where(graded, score_str, ""),
        "grade": np.where(graded, gid[grade] if n else gid[:0], ""),
        "grade_label": np.where(graded, glabel[grade] if n else glabel[:0], ""),
        "vetoed": s.vetoed & graded,
        "rules_applied": np.where(graded, _rules_applied(s), ""),
        "list": np.asarray(["", "red", "black"], dtype=object)[s.list_code],
        "list_until": iso_days(s.list_until),
        "grade_colour": np.where(graded, gcolour[grade] if n else gcolour[:0], ""),
        "not_graded_reason": reason,
        "score_points": np.where(graded, s.total / 100, np.nan),  # float64, NaN if not graded
        "score_cents": np.where(graded, s.total, 0).astype(np.int64),
        "grade_rank": np.where(graded, grade, -1).astype(np.int64),
    })
    if plan.levels is not None:  # sub-levels (档次): only for a ruleset that defines them
        table.insert(table.columns.get_loc("grade_label") + 1, "grade_level",
                     grade_levels(plan.levels, s.total, grade, graded))
    return table


def score_plan(prep: Prepared, plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every firm of a prepared input under a compiled plan (see :func:`score_prepared`).

    The stages: point rules in the order listed, the score's bounds, the grade from the bands,
    then every later stage's rules (overrides by priority, list entries, the black cap), each
    kind's ``begin``/``apply``/``finish`` from the registry.
    """
    n = len(prep.firms)
    reason = _not_graded_reason(prep, plan)
    graded = reason == ""
    total = np.full(n, plan.base_cents, dtype=np.int64)
    s = VectorState(plan=plan, prep=prep, n=n, graded=graded,
                    events=_event_arrays(prep, plan, graded), total=total,
                    positive=total.copy(), worst_ind=np.zeros(n, dtype=np.int64),
                    contrib=Contributions(), vetoed=np.zeros(n, dtype=bool),
                    list_code=np.zeros(n, dtype=np.int64),
                    list_until=np.full(n, NO_DAY, dtype=np.int64))
    for c in plan.points:
        if c.in_force:
            c.kind.apply(c, s)
    _bounds(s)
    s.grade = _band_grade(s)
    for _, rules in plan.stages():
        kinds = {c.kind.name: c.kind for c in rules}
        for k in kinds.values():
            if k.begin:
                k.begin(s)
        for c in rules:
            if c.in_force:
                c.kind.apply(c, s)
        for k in kinds.values():
            if k.finish:
                k.finish(s)
    scores = _scores_table(s, reason)
    c = s.contrib.frame(arrow(prep.firms["firm_id"]))
    return scores, c[CONTRIBUTION_COLUMNS + ["points_cents"]]


def score_prepared(prep: Prepared, ruleset: Any, period: Period, eval_date: dt.date
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every firm of a prepared input in one vectorized pass.

    Parameters
    ----------
    prep : Prepared
        Validated inputs from :func:`ecocredit.read.prepare`.
    ruleset : Ruleset
    period : Period
    eval_date : date
        The evaluation date (see :meth:`Ruleset.evaluation_date`).

    Returns
    -------
    scores, contributions : DataFrame
        ``scores`` has the contract's columns plus ``grade_colour``, ``not_graded_reason``,
        ``score_points`` (float64), ``score_cents`` (exact) and ``grade_rank`` (see
        :class:`ecocredit.ScoreResult`); ``contributions`` has the
        contract's columns plus ``points_cents``, ``kind``, ``effect`` and ``label``.
    """
    return score_plan(prep, compile_plan(ruleset, period, eval_date))
