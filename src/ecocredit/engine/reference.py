"""The reference engine: one firm at a time, in plain Python, readable next to the regulation.

It implements every rule kind a second time, independently of the vectorized engine, with
``Decimal`` arithmetic and ``datetime.date`` dates: each kind's ``reference`` form in its
module of :mod:`ecocredit.rules`, run here stage by stage from the compiled
:class:`~.compile.Plan`. The two engines must agree exactly on every firm (the test suite
checks it with hypothesis); ``ecocredit explain`` prints its reasoning.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from ..days import NO_DATE, date_of
from ..read import Prepared
from ..periods import Period
from ..points import format_cents, from_cents, to_cents
from ..rules.firm import FirmInputs, FirmResult, FirmState
from .compile import Plan, compile_plan
from .levels import level_of

__all__ = ["FirmResult", "score_firm", "reference_scores", "FirmInputs", "firm_inputs",
           "FirmRows", "score_firm_plan"]


class FirmRows:
    """Where each firm's rows lie in the events, measurements and history of a
    :class:`~ecocredit.read.Prepared`, so one firm's inputs are found without scanning the
    tables: per table, the rows ordered by firm (a stable argsort of ``firm_idx``, so input
    order is kept within a firm) and each firm's start in that order.

    Built once (one argsort of int32 per table) and reused by :func:`firm_inputs`.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"firm_idx": [1, 0, 1, 2]})
    >>> order, starts = FirmRows._index(t, 3)
    >>> order[starts[1]:starts[2]].tolist()
    [0, 2]
    """

    def __init__(self, prep: Prepared) -> None:
        n = len(prep.firms)
        self.events = self._index(prep.events, n)
        self.measurements = self._index(prep.measurements, n)
        self.history = self._index(prep.history, n)

    @staticmethod
    def _index(table: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
        firm = table["firm_idx"].to_numpy(np.int64)
        order = np.argsort(firm, kind="stable")
        return order, np.searchsorted(firm[order], np.arange(n + 1), side="left")

    @staticmethod
    def rows(index: tuple[np.ndarray, np.ndarray], firm_idx: int) -> np.ndarray:
        """The rows (input order) of one firm in one table's ``index``."""
        order, starts = index
        return order[starts[firm_idx]:starts[firm_idx + 1]]


def firm_inputs(prep: Prepared, firm_idx: int, rows: FirmRows | None = None) -> FirmInputs:
    """Collect one firm's rows from prepared inputs (dates as ``datetime.date``).

    With ``rows`` (a :class:`FirmRows` of ``prep``) the rows are looked up instead of found by
    scanning each table, which is what makes explaining one firm of millions fast.
    """
    firm = prep.firms.iloc[firm_idx].to_dict()

    def of(table: pd.DataFrame, index: tuple[np.ndarray, np.ndarray] | None) -> pd.DataFrame:
        if index is None:
            return table[table["firm_idx"].to_numpy() == firm_idx]
        return table.iloc[FirmRows.rows(index, firm_idx)]

    ev = of(prep.events, rows.events if rows else None)
    events = [
        {"event_id": r.event_id, "date": date_of(r.day), "recorded": date_of(r.recorded_day),
         "type": r.event_type, "severity": r.severity, "medium": r.medium,
         "amount": None if r.amount_fen < 0 else Decimal(int(r.amount_fen)) / 100,
         "ref": r.ref_event_id, "revoked": bool(r.revoked)}
        for r in ev.itertuples(index=False)]
    ms = of(prep.measurements, rows.measurements if rows else None)
    measurements = [{"period": r.period, "indicator": r.indicator, "value": r.value}
                    for r in ms.itertuples(index=False)]
    hs = of(prep.history, rows.history if rows else None)
    history = [{"period": r.period, "grade": r.grade, "list": r.list,
                "list_until": None if r.list_until_day == NO_DATE else date_of(r.list_until_day)}
               for r in hs.itertuples(index=False)]
    return FirmInputs(firm, events, measurements, history)


def _bounds(fs: FirmState) -> None:
    """The score stays within the scheme's range: the base plus the points gained can never
    exceed the maximum (deductions come off the capped value), and the total never goes below
    the minimum."""
    hi, lo = fs.plan.max_cents, fs.plan.min_cents
    if hi is not None and fs.gained > from_cents(hi):
        excess = fs.gained - from_cents(hi)
        fs.res.contributions.append({"rule_id": "scoring.max", "points_cents": to_cents(-excess),
                                     "evidence": f"score limited to {format_cents(hi)}",
                                     "effect": ""})
        fs.say(f"The base and the points gained come to {fs.gained}, more than the scheme's "
               f"maximum {format_cents(hi)}: {excess} points are not counted.")
        fs.score -= excess
    if lo is not None and fs.score < from_cents(lo):
        fs.res.contributions.append({"rule_id": "scoring.min",
                                     "points_cents": to_cents(from_cents(lo) - fs.score),
                                     "evidence": f"score limited to {format_cents(lo)}",
                                     "effect": ""})
        fs.say(f"The score {fs.score} is raised to the scheme's minimum {format_cents(lo)}.")
        fs.score = from_cents(lo)


def _band(fs: FirmState) -> int:
    """The grade: the band the score falls in (the first, best first, whose lowest score it
    reaches; the last band has none), or the worst indicator's grade."""
    plan = fs.plan
    if plan.grade_by != "bands":
        fs.say(f"The worst indicator's grade is '{fs.grade_id(fs.worst_indicator)}'.")
        return fs.worst_indicator
    score = to_cents(fs.score)
    grade = plan.worst
    for i, rank in enumerate(plan.band_ranks.tolist()):
        if i == len(plan.band_mins) or score >= plan.band_mins[i]:
            grade = rank
            break
    fs.say(f"Score {format_cents(score)} falls in the band of "
           f"'{plan.grade_ids[grade]}' ({plan.grade_labels[grade]}).")
    return grade


def score_firm_plan(plan: Plan, inputs: FirmInputs) -> FirmResult:
    """Score one firm under a compiled plan, rule by rule, as the regulation reads."""
    firm = inputs.firm
    res = FirmResult(firm_id=firm["firm_id"], graded=True)
    fs = FirmState(plan=plan, inputs=inputs, res=res)

    # 1. Is the firm graded at all?
    included = firm.get("included_day", NO_DATE)
    if firm["status"] in ("closed", "suspended"):
        res.graded, res.not_graded_reason = False, firm["status"]
    elif included != NO_DATE and date_of(included) > plan.eval_date:
        res.graded, res.not_graded_reason = False, "not_yet_included"
    if not res.graded:
        fs.say(f"Not graded: {res.not_graded_reason}.")
        return res

    # 2. Start from the base; point rules, in the order the ruleset lists them.
    fs.score = fs.gained = from_cents(plan.base_cents)
    fs.say(f"Start from the base score {format_cents(plan.base_cents)}."
           + (f" ({plan.base_note})" if plan.base_note else ""))
    for c in plan.points:
        if not c.in_force:
            fs.say(f"{c.rule.id} is not in force on {plan.eval_date}; skipped.")
            continue
        c.kind.reference(c, fs)

    # 3. The score's range, 4. the grade from the bands.
    _bounds(fs)
    res.score = fs.score
    fs.grade = _band(fs)

    # 5. Vetoes, caps and downgrades, in their declared priority order; 6. lists (红名单 /
    #    黑名单): entries of the period and of the history, black over red; then a
    #    black-listed firm is kept below the top grade.
    for _, rules in plan.stages():
        kinds = {c.kind.name: c.kind for c in rules}
        for k in kinds.values():
            if k.reference_begin:
                k.reference_begin(fs)
        for c in rules:
            if c.in_force:
                c.kind.reference(c, fs)
        for k in kinds.values():
            if k.reference_finish:
                k.reference_finish(fs)
    res.grade = fs.grade_id(fs.grade)
    if plan.levels is not None:
        _level(fs)
    return res


def _level(fs: FirmState) -> None:
    """7. The sub-level (档次) of the final grade, from the score within its band."""
    res = fs.res
    lv = level_of(fs.plan.levels, to_cents(fs.score), fs.grade)
    if lv is None:
        return
    res.grade_level = lv.id
    fs.say(f"Score {format_cents(to_cents(fs.score))} is in level {lv.id} ({lv.label}) of "
           f"'{res.grade}' ({fs.plan.grade_labels[fs.grade]}).")


def score_firm(ruleset, inputs: FirmInputs, period: Period, eval_date: dt.date) -> FirmResult:
    """Score one firm, rule by rule, as the regulation reads.

    Parameters
    ----------
    ruleset : Ruleset
    inputs : FirmInputs
    period : Period
    eval_date : date

    Returns
    -------
    FirmResult
    """
    return score_firm_plan(compile_plan(ruleset, period, eval_date), inputs)


def reference_scores(prep: Prepared, ruleset, period: Period, eval_date: dt.date
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every firm with the reference engine (slow; for tests and audits).

    Returns the columns the two engines must agree on: scores (``firm_id``, ``status``,
    ``score_cents``, ``grade``, ``vetoed``, ``rules_applied``, ``not_graded_reason``, and
    ``grade_level`` when the ruleset has sub-levels) and
    contributions (``firm_id``, ``rule_id``, ``points_cents``, ``evidence``, ``effect``).
    """
    srows, crows = [], []
    rows = FirmRows(prep)
    plan = compile_plan(ruleset, period, eval_date)
    levels = plan.levels is not None
    for i in range(len(prep.firms)):
        r = score_firm_plan(plan, firm_inputs(prep, i, rows))
        srows.append({"firm_id": r.firm_id, "status": "graded" if r.graded else "not_graded",
                      "score_cents": to_cents(r.score) if r.graded else 0,
                      "grade": r.grade, "vetoed": r.vetoed,
                      "rules_applied": ";".join(r.rules_applied),
                      "list": r.list_name,
                      "list_until": r.list_until.isoformat() if r.list_until else "",
                      "not_graded_reason": r.not_graded_reason,
                      **({"grade_level": r.grade_level} if levels else {})})
        for c in r.contributions:
            crows.append({"firm_id": r.firm_id, **c})
    scores = pd.DataFrame(srows, columns=["firm_id", "status", "score_cents", "grade", "vetoed",
                                          "rules_applied", "list", "list_until",
                                          "not_graded_reason"]
                          + (["grade_level"] if levels else []))
    contribs = pd.DataFrame(crows, columns=["firm_id", "rule_id", "points_cents", "evidence",
                                            "effect"])
    return scores, contribs
