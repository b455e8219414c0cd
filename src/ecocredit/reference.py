"""The reference engine: one firm at a time, in plain Python, readable next to the regulation.

It implements every rule kind a second time, independently of the vectorized engine, with
``Decimal`` arithmetic and ``datetime.date`` dates. The two must agree exactly on every firm
(the test suite checks it with hypothesis); ``ecocredit explain`` prints its reasoning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .features import tier_index, value_key
from .days import add_months
from .periods import previous_periods, period_in
from .read import Prepared
from .days import NO_DATE, date_of
from .ruleset import Match, Ruleset
from .periods import Period, parse_period
from .points import format_cents, to_cents

__all__ = ["FirmResult", "score_firm", "reference_scores", "FirmInputs", "firm_inputs",
           "FirmRows"]


@dataclass
class FirmInputs:
    """Everything the reference engine reads about one firm."""

    firm: dict[str, Any]
    events: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    history: list[dict[str, Any]]


@dataclass
class FirmResult:
    """The reference engine's verdict on one firm, with its reasoning."""

    firm_id: str
    graded: bool
    not_graded_reason: str = ""
    score: Decimal = Decimal(0)
    grade: str = ""
    vetoed: bool = False
    rules_applied: list[str] = field(default_factory=list)
    list_name: str = ""
    list_until: dt.date | None = None
    contributions: list[dict[str, Any]] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)


class FirmRows:
    """Where each firm's rows lie in the events, measurements and history of a
    :class:`~ecocredit.ingest.Prepared`, so one firm's inputs are found without scanning the
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


def _counts(ruleset: Ruleset, m: Match, ev: dict[str, Any], period: Period,
            on: dt.date) -> bool:
    """Does this event count for this match on the evaluation date ``on``?"""
    if ev["revoked"] or ev["type"] == "revocation" or ev["date"] > on:
        return False
    if ruleset.evaluation.mode == "annual" and ev["date"] < period.start:
        return False
    if ev["type"] not in m.types:
        return False
    if m.severity is not None and ev["severity"] not in m.severity:
        return False
    if m.medium is not None and ev["medium"] not in m.medium:
        return False
    if m.amount_min is not None and (ev["amount"] is None or ev["amount"] < m.amount_min):
        return False
    if m.amount_max is not None and (ev["amount"] is None or ev["amount"] >= m.amount_max):
        return False
    takes_effect = ev["date"] + dt.timedelta(days=m.effective_after_days)
    if takes_effect > on:
        return False
    if m.valid_months is not None and on >= add_months(takes_effect, m.valid_months):
        return False
    return True


def score_firm(ruleset: Ruleset, inputs: FirmInputs, period: Period,
               eval_date: dt.date) -> FirmResult:
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
    firm = inputs.firm
    res = FirmResult(firm_id=firm["firm_id"], graded=True)
    say = res.trace.append

    # 1. Is the firm graded at all?
    included = firm.get("included_day", NO_DATE)
    if firm["status"] in ("closed", "suspended"):
        res.graded, res.not_graded_reason = False, firm["status"]
    elif included != NO_DATE and date_of(included) > eval_date:
        res.graded, res.not_graded_reason = False, "not_yet_included"
    if not res.graded:
        say(f"Not graded: {res.not_graded_reason}.")
        return res

    sc = ruleset.scoring
    score = Decimal(sc.base)
    gained = Decimal(sc.base)  # the base plus every positive amount of points
    say(f"Start from the base score {format_cents(to_cents(score))}."
        + (f" ({sc.base_note})" if sc.base_note else ""))
    worst_indicator = 0

    def contribute(rule: Any, points: Decimal, evidence: str, effect: str = "") -> None:
        nonlocal gained
        if points > 0:
            gained += points
        res.contributions.append({"rule_id": rule.id, "points_cents": to_cents(points),
                                  "evidence": evidence, "effect": effect})

    # 2. Point rules, in the order the ruleset lists them.
    for rule in ruleset.rules:
        if rule.kind not in ("tiers", "event_points", "bonus", "count_threshold"):
            continue
        if not ruleset.rule_in_force(rule, eval_date):
            say(f"{rule.id} is not in force on {eval_date}; skipped.")
            continue
        if rule.kind == "tiers":
            ind = ruleset.indicator_map[rule.indicator]
            rows = [m for m in inputs.measurements
                    if m["indicator"] == rule.indicator and period_in(m["period"], period)]
            rows.sort(key=lambda m: m["period"], reverse=True)  # latest first: ties go to it
            if not rows:
                points = rule.weight * rule.missing_points
                grade = rule.missing_grade
                evidence = f"{rule.indicator}: no value"
                say(f"{rule.id} {rule.label}: no value in {period.label}, "
                    f"{rule.weight} × {rule.missing_points} = {points} points.")
            else:
                if ind.aggregate == "min":
                    row = min(rows, key=lambda m: value_key(ind, m["value"]))
                elif ind.aggregate == "max":
                    row = max(rows, key=lambda m: value_key(ind, m["value"]))
                else:
                    row = rows[0]
                tier = rule.tiers[tier_index(rule.tiers, ind, row["value"])]
                points = rule.weight * tier.points
                grade = tier.grade
                evidence = f"{rule.indicator}={row['value']} ({row['period']})"
                say(f"{rule.id} {rule.label}: {evidence} falls in the tier worth {tier.points}; "
                    f"{rule.weight} × {tier.points} = {points} points.")
            score += points
            rank = ruleset.grade_index[grade] if grade else len(ruleset.grades) - 1
            worst_indicator = max(worst_indicator, rank)
            contribute(rule, points, evidence)
            continue

        matched = sorted(e["event_id"] for e in inputs.events
                         if _counts(ruleset, rule.match, e, period, eval_date))
        if rule.kind == "count_threshold":
            points = rule.points if len(matched) >= rule.at_least else Decimal(0)
            if matched:
                say(f"{rule.id} {rule.label}: {len(matched)} matching event(s), threshold "
                    f"{rule.at_least} → {points} points.")
        else:
            points = rule.points * len(matched)
            if rule.cap is not None and abs(points) > rule.cap:
                capped = rule.cap if points > 0 else -rule.cap
                say(f"{rule.id} {rule.label}: {len(matched)} × {rule.points} = {points}, "
                    f"capped at {capped}.")
                points = capped
            elif matched:
                say(f"{rule.id} {rule.label}: {len(matched)} × {rule.points} = {points} points.")
        if points != 0:
            score += points
            contribute(rule, points, ";".join(matched))

    # 3. The score stays within the scheme's range: the base plus the points gained can never
    #    exceed the maximum (deductions come off the capped value), and the total never goes
    #    below the minimum.
    if sc.max is not None and gained > sc.max:
        excess = gained - sc.max
        res.contributions.append({"rule_id": "scoring.max", "points_cents": to_cents(-excess),
                                  "evidence": f"score limited to {format_cents(to_cents(sc.max))}",
                                  "effect": ""})
        say(f"The base and the points gained come to {gained}, more than the scheme's maximum "
            f"{sc.max}: {excess} points are not counted.")
        score -= excess
    if sc.min is not None and score < sc.min:
        res.contributions.append({"rule_id": "scoring.min",
                                  "points_cents": to_cents(sc.min - score),
                                  "evidence": f"score limited to {format_cents(to_cents(sc.min))}",
                                  "effect": ""})
        say(f"The score {score} is raised to the scheme's minimum {sc.min}.")
        score = Decimal(sc.min)
    res.score = score

    # 4. The grade: the band the score falls in, or the worst indicator's grade.
    if sc.grade_by == "bands":
        grade = len(ruleset.grades) - 1
        for band in sc.bands:
            if band.min is None or score >= band.min:
                grade = ruleset.grade_index[band.grade]
                break
        say(f"Score {format_cents(to_cents(score))} falls in the band of "
            f"'{ruleset.grades[grade].id}' ({ruleset.grades[grade].label}).")
    else:
        grade = worst_indicator
        say(f"The worst indicator's grade is '{ruleset.grades[grade].id}'.")

    # 5. Vetoes, caps and downgrades, in their declared priority order.
    worst = len(ruleset.grades) - 1
    for rule in ruleset.overrides():
        if not ruleset.rule_in_force(rule, eval_date):
            continue
        holds, evidence = _condition(ruleset, rule.when, inputs, period, eval_date)
        if not holds:
            continue
        before = grade
        if rule.kind == "downgrade":
            grade = min(grade + rule.levels, worst)
        else:
            target = ruleset.grade_index[rule.grade] if rule.grade else worst
            grade = max(grade, target)
            if rule.kind == "veto":
                res.vetoed = True
        verb = {"veto": "veto (一票否决)", "cap": "cap", "downgrade": "downgrade"}[rule.kind]
        if grade != before:
            effect = f"{ruleset.grades[before].id}→{ruleset.grades[grade].id}"
            res.rules_applied.append(rule.id)
            res.contributions.append({"rule_id": rule.id, "points_cents": 0,
                                      "evidence": ";".join(evidence), "effect": effect})
            say(f"{rule.id} {rule.label}: {verb} applies; grade {effect}.")
        else:
            say(f"{rule.id} {rule.label}: {verb} applies, but the grade is already "
                f"'{ruleset.grades[grade].id}' or worse.")
    # 6. Lists (红名单 / 黑名单): entry by the period's result, entries published earlier that are
    #    still in force, black over red; then a black-listed firm is kept below the top grade.
    if ruleset.lists is not None:
        grade = _lists(ruleset, inputs, period, eval_date, grade, res)
    res.grade = ruleset.grades[grade].id
    return res


def _condition(ruleset: Ruleset, w: Any, inputs: FirmInputs, period: Period,
               eval_date: dt.date) -> tuple[bool, list[str]]:
    """Whether a condition's events and history parts hold for the firm, and their evidence."""
    holds = True
    evidence: list[str] = []
    if w.events is not None:
        hits = [e for e in inputs.events if _counts(ruleset, w.events, e, period, eval_date)]
        matched = sorted(e["event_id"] for e in hits)
        n = len({e["type"] for e in hits}) if w.count == "types" else len(hits)
        if w.fewer_than is not None:
            holds = n < w.fewer_than
        else:
            holds = n >= w.at_least
        if matched:
            evidence.append(";".join(matched))
    if w.history is not None:
        h = w.history
        labels = previous_periods(period, h.periods)
        hits = sorted((r for r in inputs.history if r["period"] in labels
                       and (r["grade"] in h.grades or r["list"] in h.lists)),
                      key=lambda r: r["period"])
        ok = len(hits) >= 1 if h.require == "any" else len(hits) >= len(labels)
        holds = holds and ok
        if hits:
            evidence.append(";".join(
                f"history {r['period']}: {r['grade']}"
                + (f" ({r['list']} list)" if r["list"] else "") for r in sorted(
                    hits, key=lambda r: f"history {r['period']}: {r['grade']}"
                    + (f" ({r['list']} list)" if r["list"] else ""))))
    return holds, evidence


def _list_condition(ruleset: Ruleset, w: Any, inputs: FirmInputs, period: Period,
                    eval_date: dt.date, grade: int, vetoed: bool) -> tuple[bool, list[str]]:
    holds = True
    evidence: list[str] = []
    if w.grades:
        holds = ruleset.grades[grade].id in w.grades
        evidence.append(f"grade {ruleset.grades[grade].id}")
    if w.vetoed is not None:
        holds = holds and vetoed == w.vetoed
        evidence.append("vetoed" if vetoed else "not vetoed")
    ok, ev = _condition(ruleset, w, inputs, period, eval_date)
    return holds and ok, evidence + ev


def _lists(ruleset: Ruleset, inputs: FirmInputs, period: Period, eval_date: dt.date,
           grade: int, res: FirmResult) -> int:
    say = res.trace.append
    lists = ruleset.lists
    # entries published earlier (history), in force on the evaluation date
    active: dict[str, list[tuple[dt.date, str]]] = {"red": [], "black": []}
    for r in inputs.history:
        if r["list"] not in ruleset.declared_lists():  # a list this ruleset does not keep
            continue
        pend = parse_period(r["period"]).end
        if pend >= period.start:
            continue
        until = r["list_until"] or add_months(pend, getattr(lists.history_months, r["list"]))
        if eval_date <= until:  # list_until is the last day on the list
            active[r["list"]].append(
                (until, f"history {r['period']}: {r['list']} list until {until.isoformat()}"))
    # every rule that holds enters the firm; per list the latest end counts ("the longest
    # period applies when one decision has several"); black rules come first, and a
    # black-listed firm enters no red list
    entries: dict[str, list[tuple[dt.date, str]]] = {}
    for r in ruleset.list_rules():
        if not ruleset.rule_in_force(r, eval_date):
            continue
        if r.list == "red" and ("black" in entries or active["black"]):
            continue
        holds, evidence = _list_condition(ruleset, r.when, inputs, period, eval_date, grade,
                                          res.vetoed)
        if not holds:
            continue
        serious = r.serious
        if r.serious_when is not None:
            serious, sev = _list_condition(ruleset, r.serious_when, inputs, period, eval_date,
                                           grade, res.vetoed)
            if serious:
                evidence += sev
        months = r.serious_duration_months if r.serious_when is not None and serious \
            else r.duration_months
        until = add_months(eval_date, months)
        entries.setdefault(r.list, []).append(
            (until, f"{r.id}: {r.list} list until {until.isoformat()}"))
        kind = " (serious)" if serious else ""
        res.contributions.append({"rule_id": r.id, "points_cents": 0,
                                  "evidence": ";".join(x for x in evidence if x),
                                  "effect": f"{r.list} list{kind} until {until.isoformat()}"})
        say(f"{r.id} {r.label}: the firm enters the {r.list} list{kind} for {months} months, "
            f"until {until.isoformat()}.")
    for name in ("black", "red"):
        ends = [u for u, _ in active[name]] + [u for u, _ in entries.get(name, [])]
        if ends:
            res.list_name, res.list_until = name, max(ends)
            break
    if res.list_name and res.list_name not in entries:
        texts = sorted(t for _, t in active[res.list_name])
        res.contributions.append({"rule_id": f"lists.history.{res.list_name}", "points_cents": 0,
                                  "evidence": ";".join(texts),
                                  "effect": f"{res.list_name} list until {res.list_until.isoformat()}"})
        say(f"An entry on the {res.list_name} list published earlier is still in force: "
            + "; ".join(texts) + ".")
    if res.list_name == "black":
        cap = lists.black_cap
        target = ruleset.black_cap_rank()
        if grade < target:
            why = (";".join(t for _, t in entries["black"]) if "black" in entries
                   else ";".join(sorted(t for _, t in active["black"])))
            effect = f"{ruleset.grades[grade].id}→{ruleset.grades[target].id}"
            res.rules_applied.append(cap.id)
            res.contributions.append({"rule_id": cap.id, "points_cents": 0, "evidence": why,
                                      "effect": effect})
            say(f"{cap.id} {cap.label}: a black-listed firm cannot hold the top grade; "
                f"grade {effect}.")
            grade = target
    return grade


def reference_scores(prep: Prepared, ruleset: Ruleset, period: Period, eval_date: dt.date
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every firm with the reference engine (slow; for tests and audits).

    Returns the columns the two engines must agree on: scores (``firm_id``, ``status``,
    ``score_cents``, ``grade``, ``vetoed``, ``rules_applied``, ``not_graded_reason``) and
    contributions (``firm_id``, ``rule_id``, ``points_cents``, ``evidence``, ``effect``).
    """
    srows, crows = [], []
    rows = FirmRows(prep)
    for i in range(len(prep.firms)):
        r = score_firm(ruleset, firm_inputs(prep, i, rows), period, eval_date)
        srows.append({"firm_id": r.firm_id, "status": "graded" if r.graded else "not_graded",
                      "score_cents": to_cents(r.score) if r.graded else 0,
                      "grade": r.grade, "vetoed": r.vetoed,
                      "rules_applied": ";".join(r.rules_applied),
                      "list": r.list_name,
                      "list_until": r.list_until.isoformat() if r.list_until else "",
                      "not_graded_reason": r.not_graded_reason})
        for c in r.contributions:
            crows.append({"firm_id": r.firm_id, **c})
    scores = pd.DataFrame(srows, columns=["firm_id", "status", "score_cents", "grade", "vetoed",
                                          "rules_applied", "list", "list_until",
                                          "not_graded_reason"])
    contribs = pd.DataFrame(crows, columns=["firm_id", "rule_id", "points_cents", "evidence",
                                            "effect"])
    return scores, contribs
