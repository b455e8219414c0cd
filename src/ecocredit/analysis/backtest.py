"""Back-testing: do the grades of period P predict an adverse record in period Q?

Firms are graded on P under each ruleset; the outcome of a firm is whether it has, in Q, an
event of the chosen kind (not revoked): ``any_penalty`` (the contract's penalties and orders),
``serious_violation`` (coercive measures and heavier, and the veto-type behaviours) or
``veto_type`` (the national one-vote-veto behaviours, 环发〔2013〕150号, and incidents of larger
severity or worse). Only firms graded under every ruleset compared are counted, so the rulesets
are compared on the same firms.

The risk of a firm is its grade's rank (best grade 0). The metrics are scikit-learn's:

* ROC AUC (:func:`sklearn.metrics.roc_auc_score`): the chance that a firm with the outcome has a
  worse grade than one without (ties count one half);
* KS: the largest gap between the true- and false-positive rates along the ROC curve
  (:func:`sklearn.metrics.roc_curve`), i.e. the Kolmogorov–Smirnov distance between the grade
  distributions of firms with and without the outcome;
* Brier score (:func:`sklearn.metrics.brier_score_loss`) of the grade's predicted probability:
  the outcome rate of that grade one period earlier (grades of P-1, outcomes of Q-1), so the
  prediction is out of sample; when P-1 cannot be scored the rates of P itself are used
  (``calibration`` says which). ``brier_base`` is the Brier score of the base rate, and
  ``brier_skill`` = 1 - brier / brier_base;
* a calibration table (predicted rate against observed rate, by grade) and the lift of each
  grade (its rate over the base rate), cumulated from the worst grade;
* percentile bootstrap confidence intervals (95 %): ``n_boot`` resamples of the firms with
  replacement, drawn with ``numpy.random.default_rng(seed)``; resamples with one class only
  are skipped for AUC and KS. Each resample is scored from its counts per grade and outcome
  (exactly what the scikit-learn functions give on its rows; a test checks it by hand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..engine.run import score
from ..errors import EcocreditError, InputError
from ..periods import parse_period
from ..ruleset import Ruleset, load_ruleset

__all__ = ["backtest", "BacktestResult", "OUTCOMES", "outcome_flags", "auc", "ks", "brier",
           "bootstrap_ci", "by_grade_table", "METRIC_COLUMNS", "BY_GRADE_COLUMNS"]

PENALTIES = ("warning", "order_to_correct", "fine", "daily_penalty", "seal_seize",
             "production_restriction", "production_suspension", "closure_order", "permit_revoked",
             "detention", "crime_referral", "crime_conviction", "penalty_not_executed",
             "listed_supervision")
VETO_TYPES = ("eia_unapproved_construction", "acceptance_unapproved_operation",
              "major_change_unapproved", "total_load_exceeded", "concealed_discharge",
              "hazwaste_illegal", "monitoring_fraud", "refused_inspection",
              "heavy_pollution_order_refused", "crime_referral", "crime_conviction")
SERIOUS_INCIDENT = ("larger", "major", "especially_major")
# outcome → (event types, plus incidents of these severities)
OUTCOMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "any_penalty": (PENALTIES, ()),
    "serious_violation": (tuple(t for t in PENALTIES if t not in (
        "warning", "order_to_correct", "fine")) + VETO_TYPES, SERIOUS_INCIDENT),
    "veto_type": (VETO_TYPES, SERIOUS_INCIDENT),
}
METRIC_COLUMNS = ["metric", "value", "ci_low", "ci_high", "ruleset", "outcome"]
BY_GRADE_COLUMNS = ["grade", "firms", "with_outcome", "rate", "lift", "predicted",
                    "cum_firms_share", "cum_outcome_share", "ruleset"]


def auc(y: Any, risk: Any) -> float:
    """ROC AUC of ``risk`` for the binary outcome ``y``.

    >>> auc([0, 0, 1, 1], [0, 1, 1, 2])
    0.875
    """
    from sklearn.metrics import roc_auc_score  # imported on use: scikit-learn loads slowly

    return float(roc_auc_score(np.asarray(y, int), np.asarray(risk, float)))


def ks(y: Any, risk: Any) -> float:
    """Kolmogorov–Smirnov statistic: max over thresholds of TPR - FPR.

    >>> ks([0, 0, 1, 1], [0, 1, 1, 2])
    0.5
    """
    fpr, tpr = roc_points(y, risk)
    return float(np.max(tpr - fpr))


def roc_points(y: Any, risk: Any) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at each cut-off of ``risk`` (scikit-learn's roc_curve)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(np.asarray(y, int), np.asarray(risk, float),
                            drop_intermediate=False)
    return fpr, tpr


def brier(y: Any, p: Any) -> float:
    """Mean squared difference between the predicted probability and the outcome.

    >>> brier([0, 1], [0.5, 0.5])
    0.25
    """
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(np.asarray(y, int), np.asarray(p, float)))


def bootstrap_ci(y: np.ndarray, risk: np.ndarray, p: np.ndarray, *, n_boot: int = 1000,
                 seed: int = 0, level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap intervals of AUC, KS and Brier (firms resampled with replacement).

    The resamples are ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))``;
    AUC and KS skip resamples in which every firm has the same outcome. Each resample is
    scored exactly from its counts of firms per (risk value, outcome) — the same numbers as
    scikit-learn's functions on the resampled rows, for all resamples at once.
    """
    y, risk, p = np.asarray(y, int), np.asarray(risk, float), np.asarray(p, float)
    n = len(y)
    if n == 0 or n_boot <= 0:
        return {m: (np.nan, np.nan) for m in ("auc", "ks", "brier")}
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    _, level_of = np.unique(risk, return_inverse=True)
    k = int(level_of.max()) + 1
    cell = (level_of * 2 + y)[idx] + 2 * k * np.arange(n_boot)[:, None]
    counts = np.bincount(cell.ravel(), minlength=2 * k * n_boot).reshape(n_boot, k, 2)
    neg, pos = counts[:, :, 0].astype(float), counts[:, :, 1].astype(float)
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    ok = (n_pos > 0) & (n_neg > 0)
    below = np.cumsum(neg, axis=1) - neg  # firms without the outcome at a lower risk
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    tpr = np.cumsum(pos[:, ::-1], axis=1) / np.maximum(n_pos, 1)[:, None]
    fpr = np.cumsum(neg[:, ::-1], axis=1) / np.maximum(n_neg, 1)[:, None]
    vals = {"auc": (wins / np.maximum(n_pos * n_neg, 1))[ok],
            "ks": np.maximum((tpr - fpr).max(axis=1), 0.0)[ok],
            "brier": ((p - y) ** 2)[idx].mean(axis=1)}
    q = [50 * (1 - level), 100 - 50 * (1 - level)]
    return {m: tuple(float(x) for x in np.percentile(v, q)) if len(v) else (np.nan, np.nan)
            for m, v in vals.items()}


def by_grade_table(y: np.ndarray, grades: np.ndarray, grade_ids: Sequence[str],
                   predicted: dict[str, float] | None = None) -> pd.DataFrame:
    """Firms, outcomes, rate, lift and cumulative capture by grade (best grade first; the
    cumulative shares count from the worst grade up)."""
    y = np.asarray(y, int)
    base = y.mean() if len(y) else np.nan
    rows = []
    for g in grade_ids:
        m = grades == g
        n, k = int(m.sum()), int(y[m].sum())
        rate = k / n if n else np.nan
        rows.append({"grade": g, "firms": n, "with_outcome": k, "rate": rate,
                     "lift": rate / base if n and base else np.nan,
                     "predicted": (predicted or {}).get(g, np.nan)})
    t = pd.DataFrame(rows)
    rev = t.iloc[::-1]
    t["cum_firms_share"] = (rev["firms"].cumsum() / max(1, t["firms"].sum()))[::-1].to_numpy()
    t["cum_outcome_share"] = (rev["with_outcome"].cumsum()
                              / max(1, t["with_outcome"].sum()))[::-1].to_numpy()
    return t


def outcome_flags(result: Any, period: Any, outcome: str) -> np.ndarray:
    """Per firm of ``result``: an event of the outcome's kind dated in ``period`` (not revoked)."""
    if outcome not in OUTCOMES:
        raise InputError(f"Unknown outcome {outcome!r}; the outcomes are "
                         f"{sorted(OUTCOMES)}.", reason_code="bad_value")
    types, severities = OUTCOMES[outcome]
    e = result.prepared.events
    start = (period.start - dt.date(1970, 1, 1)).days
    end = (period.end - dt.date(1970, 1, 1)).days
    day = e["day"].to_numpy(np.int64)
    kind = e["event_type"].to_numpy(object)
    hit = np.isin(kind, types) | ((kind == "incident")
                                  & np.isin(e["severity"].to_numpy(object), severities))
    hit &= (day >= start) & (day <= end) & ~e["revoked"].to_numpy(bool)
    flags = np.zeros(len(result.scores), dtype=bool)
    flags[e["firm_idx"].to_numpy(np.int64)[hit]] = True
    return flags


@dataclass
class RulesetBacktest:
    """One ruleset's back-test: metrics, the by-grade table and the ROC curve."""

    ruleset: Any
    metrics: pd.DataFrame
    by_grade: pd.DataFrame
    roc: pd.DataFrame
    calibration: str


@dataclass
class BacktestResult:
    """The outcome of :func:`backtest`: one :class:`RulesetBacktest` per ruleset, on the same
    firms (``firm_ids``) with the same outcomes (``outcome``)."""

    period: str
    outcome_period: str
    outcome_kind: str
    firm_ids: np.ndarray
    outcome: np.ndarray
    results: list[RulesetBacktest]
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"BacktestResult(period={self.period!r}, outcome_period={self.outcome_period!r}, "
                f"outcome={self.outcome_kind!r}, firms={len(self.firm_ids)}, "
                f"rulesets={[r.ruleset.id for r in self.results]})")

    @property
    def metrics(self) -> pd.DataFrame:
        return pd.concat([r.metrics for r in self.results], ignore_index=True)[METRIC_COLUMNS]

    @property
    def by_grade(self) -> pd.DataFrame:
        return pd.concat([r.by_grade for r in self.results],
                         ignore_index=True)[BY_GRADE_COLUMNS]

    def summary(self) -> pd.DataFrame:
        """AUC, KS and Brier of each ruleset side by side (rows: rulesets)."""
        m = self.metrics
        m = m[m["metric"].isin(["auc", "ks", "brier", "brier_skill"])]
        return m.pivot(index="ruleset", columns="metric", values="value")[
            ["auc", "ks", "brier", "brier_skill"]]


def _shift(period: Any, years: int) -> str:
    label = period.label
    return str(int(label[:4]) + years) + label[4:]


def _predicted_rates(firms: Any, events: Any, rs: Any, period: Any, outcome_period: Any,
                     outcome: str, kw: dict) -> tuple[dict[str, float], float, str]:
    """Outcome rate of each grade one period earlier (the prediction the grades carried)."""
    p0, q0 = _shift(period, -1), _shift(outcome_period, -1)
    try:
        r0 = score(firms, events, rs, period=p0, **kw)
    except EcocreditError as exc:
        return {}, np.nan, (f"in-sample rates: {p0} could not be scored "
                            f"({type(exc).__name__}, e.g. a period the ruleset does not cover)")
    y0 = outcome_flags(r0, parse_period(q0), outcome)
    g0 = r0.scores["grade"].to_numpy(object)
    ok = (r0.scores["status"] == "graded").to_numpy()
    rates = {g: float(y0[ok & (g0 == g)].mean()) for g in rs.grade_ids if (ok & (g0 == g)).any()}
    return rates, float(y0[ok].mean()) if ok.any() else np.nan, f"grades {p0}, outcomes {q0}"


def backtest(firms: Any, events: Any, rulesets: Sequence[Any] | Any, *, period: str | int,
             outcome_period: str | int, outcome: str = "any_penalty", measurements: Any = None,
             history: Any = None, n_boot: int = 1000, seed: int = 0, today: Any = None,
             names: dict | None = None) -> BacktestResult:
    """Grade firms on ``period`` under each ruleset and test the grades against ``outcome``
    in ``outcome_period``.

    Parameters
    ----------
    firms, events, measurements, history : DataFrame or path
    rulesets : Ruleset or id/path, or a sequence of them
        Compared side by side on the firms graded under all of them.
    period, outcome_period : str or int
        ``YYYY`` (or ``YYYY-MM``); the outcome period usually follows the graded one.
    outcome : {"any_penalty", "serious_violation", "veto_type"}
    n_boot, seed : int
        Bootstrap resamples and the seed of their generator.

    Returns
    -------
    BacktestResult

    Raises
    ------
    InputError
        ``outcome`` is not one of :data:`OUTCOMES`, or an input table cannot be used.
    RulesetError, PeriodError
        A ruleset cannot be loaded, or does not cover the period.
    """
    if outcome not in OUTCOMES:
        raise InputError(f"Unknown outcome {outcome!r}; the outcomes are "
                         f"{sorted(OUTCOMES)}.", reason_code="bad_value")
    many = rulesets if isinstance(rulesets, (list, tuple)) else [rulesets]
    rss = [r if isinstance(r, Ruleset) else load_ruleset(r) for r in many]
    per, qper = parse_period(str(period)), parse_period(str(outcome_period))
    kw = dict(measurements=measurements, history=history, today=today, names=names)
    results = [score(firms, events, rs, period=str(period), **kw) for rs in rss]
    ids = results[0].scores["firm_id"].to_numpy(object)
    graded = np.ones(len(ids), dtype=bool)
    for r in results:
        g = pd.Series((r.scores["status"] == "graded").to_numpy(),
                      index=r.scores["firm_id"].to_numpy(object))
        graded &= g.reindex(ids).fillna(False).to_numpy(bool)
    y = outcome_flags(results[0], qper, outcome)[graded].astype(int)
    keep_ids = ids[graded]
    out = []
    for rs, r in zip(rss, results):
        s = r.scores.set_index("firm_id").reindex(keep_ids)
        grades = s["grade"].to_numpy(object)
        risk = np.array([rs.grade_index[g] for g in grades], dtype=float)
        rates, base0, how = _predicted_rates(firms, events, rs, per, qper, outcome, kw)
        if not rates:
            rates = {g: float(y[grades == g].mean()) for g in rs.grade_ids if (grades == g).any()}
            base0 = float(y.mean()) if len(y) else np.nan
        p = np.array([rates.get(g, base0) for g in grades], dtype=float)
        out.append(_one(rs, y, grades, risk, p, rates, how, outcome, n_boot, seed))
    return BacktestResult(period=per.label, outcome_period=qper.label, outcome_kind=outcome,
                          firm_ids=keep_ids, outcome=y.astype(bool), results=out)


def _one(rs: Any, y: np.ndarray, grades: np.ndarray, risk: np.ndarray, p: np.ndarray,
         rates: dict[str, float], how: str, outcome: str, n_boot: int,
         seed: int) -> RulesetBacktest:
    both = 0 < y.sum() < len(y)
    base = float(y.mean()) if len(y) else np.nan
    vals = {"auc": auc(y, risk) if both else np.nan, "ks": ks(y, risk) if both else np.nan,
            "brier": brier(y, p) if len(y) else np.nan}
    ci = bootstrap_ci(y, risk, p, n_boot=n_boot, seed=seed)
    b_base = brier(y, np.full(len(y), base)) if len(y) else np.nan
    rows = [{"metric": m, "value": v, "ci_low": ci[m][0], "ci_high": ci[m][1]}
            for m, v in vals.items()]
    rows += [{"metric": "brier_base", "value": b_base},
             {"metric": "brier_skill",
              "value": 1 - vals["brier"] / b_base if b_base else np.nan},
             {"metric": "base_rate", "value": base},
             {"metric": "firms", "value": float(len(y))},
             {"metric": "with_outcome", "value": float(y.sum())}]
    metrics = pd.DataFrame(rows).reindex(columns=METRIC_COLUMNS)
    metrics["ruleset"], metrics["outcome"] = rs.id, outcome
    table = by_grade_table(y, grades, rs.grade_ids, rates)
    table["ruleset"] = rs.id
    if both:
        fpr, tpr = roc_points(y, risk)
        roc = pd.DataFrame({"fpr": fpr, "tpr": tpr})
    else:
        roc = pd.DataFrame({"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]})
    return RulesetBacktest(ruleset=rs, metrics=metrics, by_grade=table, roc=roc,
                           calibration=how)
