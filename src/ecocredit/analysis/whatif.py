"""What-if: score the same firms under a baseline and a reform, and show what changes.

The inputs are read and validated once when both rulesets accept the same vocabulary (event
types, indicators and grade ids: always so for a reform file that does not add any); the two
rulesets are then scored on the same validated tables. Two rulesets of different vocabularies
(e.g. a four-grade and a five-grade method) are each validated against their own.

Per firm: grades, scores, lists and the rules that made the difference (points or effect that
differ between the two passes, or the bands when only the cut-offs moved). Then the transition
matrix, the counts by city and industry, and the consequences that change: firms newly on the
black list, paying a differential price (a measure of kind ``price``, e.g. Jiangsu's surcharges),
and visited more often under an inspection policy (Jiangxi 2020 by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from ..decisions.measures import check_measures
from ..engine.run import score
from ..errors import EcocreditError
from ..periods import parse_period
from ..read import prepare
from ..ruleset import Ruleset, load_ruleset
from ..supervision import inspection_frequency
from ..engine.run import score_validated
from ..points import format_cents
from .reform import Reform, load_ruleset_or_reform

__all__ = ["whatif", "WhatIfResult", "CHANGE_COLUMNS", "TRANSITION_COLUMNS"]

CHANGE_COLUMNS = ["firm_id", "grade_baseline", "grade_reform", "score_baseline", "score_reform",
                  "rules", "name", "region_code", "industry_code", "list_baseline",
                  "list_reform", "direction", "newly_black", "price_baseline", "price_reform",
                  "checks_baseline", "checks_reform"]
TRANSITION_COLUMNS = ["from_grade", "to_grade", "firms"]
NOT_GRADED = "not_graded"


@dataclass
class WhatIfResult:
    """The outcome of :func:`whatif`.

    Attributes
    ----------
    baseline, reform : ScoreResult
    changes : DataFrame
        One row per firm whose grade, score or list differs (:data:`CHANGE_COLUMNS`).
    transitions : DataFrame
        ``from_grade``, ``to_grade``, ``firms``: every pair with at least one firm (the grades
        of not-graded firms are ``not_graded``).
    by_region, by_industry : DataFrame
        Firms per city (region code's first 4 digits) or industry division (first 3 characters
        of the GB/T 4754 code) that went up, down or stayed.
    consequences : DataFrame
        ``consequence``, ``baseline``, ``reform``, ``newly``, ``no_longer``: firms on the black
        list, paying a differential price, visited more often under the inspection policy.
    shared_inputs : bool
        True when both rulesets were scored on one validation of the inputs.
    notes : list of str
        What could not be computed and why (e.g. a policy that maps no grades of a ruleset).
    """

    baseline: Any
    reform: Any
    changes: pd.DataFrame
    transitions: pd.DataFrame
    by_region: pd.DataFrame
    by_industry: pd.DataFrame
    consequences: pd.DataFrame
    shared_inputs: bool
    reform_doc: Reform | None = None
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"WhatIfResult(baseline={self.baseline.ruleset.id!r} "
                f"{self.baseline.ruleset.version!r}, reform={self.reform.ruleset.id!r} "
                f"{self.reform.ruleset.version!r}, changed={len(self.changes)})")

    def matrix(self) -> pd.DataFrame:
        """The transition matrix as a table: baseline grades down, reform grades across."""
        t = self.transitions
        rows = self.baseline.ruleset.grade_ids + [NOT_GRADED]
        cols = self.reform.ruleset.grade_ids + [NOT_GRADED]
        m = t.pivot_table(index="from_grade", columns="to_grade", values="firms", aggfunc="sum",
                          fill_value=0)
        return m.reindex(index=rows, columns=cols, fill_value=0).astype("int64")


def _same_vocabulary(a: Any, b: Any) -> bool:
    return (a.event_type_ids == b.event_type_ids and a.grade_ids == b.grade_ids
            and a.indicators == b.indicators)


def score_pair(firms: Any, events: Any, baseline: Any, reform: Any, *, period: str,
               measurements: Any = None, history: Any = None, as_of: Any = None,
               today: Any = None, names: dict | None = None) -> tuple[Any, Any, bool]:
    """Score baseline and reform, sharing one validation of the inputs when their
    vocabularies agree. Returns both results and whether the inputs were shared."""
    per = parse_period(str(period))
    as_of_d = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    today_d = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    kw = dict(measurements=measurements, history=history, as_of=as_of_d, today=today_d,
              names=names)
    if _same_vocabulary(baseline, reform):
        baseline.evaluation_date(per, as_of_d)  # a period outside the ruleset: error first
        prep = prepare(firms, events, baseline, **kw)
        return (score_validated(prep, baseline, per, as_of=as_of_d, today=today_d),
                score_validated(prep, reform, per, as_of=as_of_d, today=today_d), True)
    return (score(firms, events, baseline, period=period, **kw),
            score(firms, events, reform, period=period, **kw), False)


def _rule_points(result: Any, known: set[str] | None = None) -> pd.DataFrame:
    """firm × rule → points (cents) and effect. With ``known`` (the baseline's rule ids), a
    rule a reform split at a date (``ID.YYYY-MM-DD``) counts under its baseline id."""
    c = result.contributions
    eff = c["effect"].fillna("").astype(str) if "effect" in c.columns else ""
    rid = c["rule_id"].astype(str)
    if known is not None:
        base = rid.str.replace(r"\.\d{4}-\d{2}-\d{2}$", "", regex=True)
        rid = base.where(base.isin(known) & (base != rid), rid)
    df = pd.DataFrame({"firm_id": c["firm_id"].to_numpy(object), "rule_id": rid.to_numpy(object),
                       "cents": c["points_cents"].to_numpy(np.int64),
                       "effect": np.asarray(eff, dtype=object)})
    if known is not None and df.duplicated(["firm_id", "rule_id"]).any():
        df = df.groupby(["firm_id", "rule_id"], sort=False, as_index=False).agg(
            cents=("cents", "sum"), effect=("effect", lambda e: ";".join(x for x in e if x)))
    return df


def _fmt(cents: Any, effect: Any) -> str:
    if pd.isna(cents):
        return "none"
    text = format_cents(int(cents))
    if isinstance(effect, str) and effect:
        return effect if int(cents) == 0 else f"{text} {effect}"
    return text


def rule_differences(base: Any, reform: Any) -> pd.Series:
    """firm_id → ``;``-separated ``rule (baseline → reform)`` for each rule whose points or
    effect differ between the two results."""
    a = _rule_points(base).set_index(["firm_id", "rule_id"])
    known = {r.id for r in base.ruleset.rules}
    b = _rule_points(reform, known).set_index(["firm_id", "rule_id"])
    j = a.merge(b, how="outer", left_index=True, right_index=True, suffixes=("_a", "_b"))
    same = (j["cents_a"] == j["cents_b"]) & (j["effect_a"].fillna("") == j["effect_b"].fillna(""))
    d = j[~same].reset_index()
    if d.empty:
        return pd.Series(dtype=object)
    d["text"] = [f"{r} ({_fmt(ca, ea)} → {_fmt(cb, eb)})" for r, ca, ea, cb, eb in zip(
        d["rule_id"], d["cents_a"], d["effect_a"], d["cents_b"], d["effect_b"])]
    return d.groupby("firm_id", sort=False)["text"].agg(";".join)


def _grade(result: Any) -> pd.Series:
    s = result.scores
    return s["grade"].where(s["status"] == "graded", NOT_GRADED).fillna(NOT_GRADED)


def _prices(result: Any) -> np.ndarray:
    """Firms that pay a differential price (a measure of kind ``price``) on the evaluation date."""
    rs = result.ruleset
    price = [m for m in rs.measures if m.kind == "price"]
    n = len(result.scores)
    if not price:
        return np.zeros(n, dtype=bool)
    actions = sorted({a for m in price for a in m.actions})
    ids = result.scores["firm_id"].to_numpy(object)
    req = pd.DataFrame({"firm_id": np.repeat(ids, len(actions)),
                        "action": np.tile(actions, n),
                        "date": result.eval_date.isoformat()})
    checks = check_measures(result, req).checks
    price_ids = {m.id for m in price}
    hit = checks["measures"].map(lambda s: bool(price_ids & set(filter(None, s.split(";")))))
    return hit.to_numpy(bool).reshape(n, len(actions)).any(axis=1)


def _checks(result: Any, policy: str | None, notes: list[str]) -> np.ndarray | None:
    """On-site visits a year under the inspection policy, as fractions (None if unavailable)."""
    if not policy:
        return None
    try:
        fr = inspection_frequency(policy, as_of=result.eval_date, scores=result)
    except EcocreditError as exc:
        notes.append(f"Inspection frequency under {result.ruleset.id}: {str(exc).splitlines()[0]}")
        return None
    per = pd.Series([Fraction(x) for x in fr.frame["checks_per_year"]],
                    index=fr.frame["firm_id"].to_numpy(object))
    return per.reindex(result.scores["firm_id"].to_numpy(object)).to_numpy(object)


def _counts_by(key: pd.Series, direction: pd.Series, name: str) -> pd.DataFrame:
    cols = ["up", "down", "same"] + (["changed"] if (direction == "changed").any() else [])
    t = pd.crosstab(key.rename(name), direction.rename("direction")).reindex(columns=cols,
                                                                             fill_value=0)
    t["firms"] = t.sum(axis=1)
    t.columns.name = None
    return t.reset_index().sort_values([name], kind="stable").reset_index(drop=True)


def whatif(firms: Any, events: Any, baseline: Any, reform: Any, *, period: str | int,
           measurements: Any = None, history: Any = None, as_of: Any = None, today: Any = None,
           policy: str | None = "jiangxi-2020", names: dict | None = None) -> WhatIfResult:
    """Score firms under a baseline and a reform; per-firm changes, transitions, consequences.

    Parameters
    ----------
    firms, events, measurements, history : DataFrame or path
        The contract's tables.
    baseline : Ruleset, or a bundled id or ruleset file
    reform : Ruleset, Reform, or a bundled id, ruleset file or reform file
    period : str or int
        ``YYYY`` (or ``YYYY-MM``).
    as_of, today : date or ISO string, optional
        As in :func:`ecocredit.score`.
    policy : str or None, default "jiangxi-2020"
        Inspection policy for the visits a year (None: not computed).

    Returns
    -------
    WhatIfResult

    Raises
    ------
    RulesetError (ReformError for a reform file), PeriodError, InputError

    Examples
    --------
    >>> import pandas as pd
    >>> from ecocredit.codes import uscc_check_char
    >>> fid = "91360102MA35XKQ15" + uscc_check_char("91360102MA35XKQ15")
    >>> firms = pd.DataFrame({"firm_id": [fid], "name": ["甲"], "region_code": ["360102"]})
    >>> events = pd.DataFrame({"event_id": ["E1"], "firm_id": [fid],
    ...                        "event_date": ["2025-03-01"], "event_type": ["fine"]})
    >>> w = whatif(firms, events, "anhui-2019", "guangdong-2015", period="2025",
    ...            today="2026-01-01", policy=None)
    >>> w.transitions.values.tolist()  # one fine: 94 points (blue) in Anhui, 78.35 (yellow) in Guangdong
    [['blue', 'yellow', 1]]
    """
    rs_a = baseline if isinstance(baseline, Ruleset) else load_ruleset(baseline)
    doc = reform if isinstance(reform, Reform) else None
    if doc is not None:
        rs_b = doc.ruleset
    elif isinstance(reform, Ruleset):
        rs_b = reform
    else:
        rs_b, doc = load_ruleset_or_reform(reform)
    a, b, shared = score_pair(firms, events, rs_a, rs_b, period=str(period),
                              measurements=measurements, history=history, as_of=as_of,
                              today=today, names=names)
    return compare(a, b, shared=shared, policy=policy, reform_doc=doc)


def compare(a: Any, b: Any, *, shared: bool = False, policy: str | None = "jiangxi-2020",
            reform_doc: Reform | None = None) -> WhatIfResult:
    """What changes between two results on the same firms (see :func:`whatif`)."""
    notes: list[str] = []
    sa, sb = a.scores.reset_index(drop=True), b.scores.set_index("firm_id")
    sb = sb.reindex(sa["firm_id"]).reset_index()
    ga = _grade(a).to_numpy(object)
    gb = sb["grade"].where(sb["status"] == "graded", NOT_GRADED).fillna(NOT_GRADED).to_numpy(object)
    ra = {g: i for i, g in enumerate(a.ruleset.grade_ids)}
    rb = {g: i for i, g in enumerate(b.ruleset.grade_ids)}
    # worse = larger rank; compared as shares of the scale when the scales differ in length
    pa = np.array([ra[g] / max(1, len(ra) - 1) if g in ra else np.nan for g in ga])
    pb = np.array([rb[g] / max(1, len(rb) - 1) if g in rb else np.nan for g in gb])
    direction = np.where(pb < pa, "up", np.where(pb > pa, "down", "same")).astype(object)
    direction[np.isnan(pa) | np.isnan(pb)] = np.where(ga == gb, "same", "changed")[
        np.isnan(pa) | np.isnan(pb)]
    la = sa["list"].fillna("").to_numpy(object)
    lb = sb["list"].fillna("").to_numpy(object)
    ids = sa["firm_id"].to_numpy(object)
    price_a, price_b = _prices(a), _align(b, _prices(b), ids).astype(bool)
    chk_a, chk_b = _checks(a, policy, notes), _checks(b, policy, notes)
    if chk_b is not None:
        chk_b = _align(b, chk_b, ids)
    score_a = sa["score"].fillna("").astype(str).to_numpy(object)
    score_b = sb["score"].fillna("").astype(str).to_numpy(object)
    diff_rules = rule_differences(a, b)
    rules = np.array(diff_rules.reindex(sa["firm_id"]).fillna("").tolist(), dtype=object)
    band_only = (ga != gb) & (rules == "")
    rules[band_only] = "bands"
    changed = (ga != gb) | (score_a != score_b) | (la != lb)
    n = len(sa)
    chk_a_txt, chk_b_txt = _visits_text(chk_a, n), _visits_text(chk_b, n)
    ch = pd.DataFrame({
        "firm_id": sa["firm_id"].to_numpy(object), "grade_baseline": ga, "grade_reform": gb,
        "score_baseline": score_a, "score_reform": score_b, "rules": rules,
        "name": sa["name"].to_numpy(object),
        "region_code": sa.get("region_code", pd.Series([""] * n)).to_numpy(object),
        "industry_code": sa.get("industry_code", pd.Series([""] * n)).fillna("").to_numpy(object),
        "list_baseline": la, "list_reform": lb, "direction": direction,
        "newly_black": (lb == "black") & (la != "black"),
        "price_baseline": price_a, "price_reform": price_b,
        "checks_baseline": chk_a_txt, "checks_reform": chk_b_txt})
    changes = ch[changed][CHANGE_COLUMNS].reset_index(drop=True)
    trans = (pd.DataFrame({"from_grade": ga, "to_grade": gb}).value_counts(sort=False)
             .rename("firms").reset_index())
    order_a = {g: i for i, g in enumerate(a.ruleset.grade_ids + [NOT_GRADED])}
    order_b = {g: i for i, g in enumerate(b.ruleset.grade_ids + [NOT_GRADED])}
    trans = trans.sort_values(["from_grade", "to_grade"], key=lambda s: s.map(
        order_a if s.name == "from_grade" else order_b), kind="stable").reset_index(drop=True)
    trans["firms"] = trans["firms"].astype("int64")
    d = pd.Series(direction)
    city = ch["region_code"].astype(str).str[:4] + "00"
    industry = ch["industry_code"].astype(str).str[:3].replace("", "(none)")
    cons = [_consequence("black list", la == "black", lb == "black"),
            _consequence("differential price", price_a, price_b)]
    if chk_a is not None and chk_b is not None:
        more = np.array([x > y for x, y in zip(chk_b, chk_a)], dtype=bool)
        fewer = np.array([x < y for x, y in zip(chk_b, chk_a)], dtype=bool)
        cons.append({"consequence": f"inspection visits a year ({policy})",
                     "baseline": _total(chk_a), "reform": _total(chk_b),
                     "newly": int(more.sum()), "no_longer": int(fewer.sum())})
        ch_more = pd.Series(more, index=ch.index)
        changes["inspected_more"] = ch_more[changed].to_numpy(bool)
    return WhatIfResult(baseline=a, reform=b, changes=changes, transitions=trans,
                        by_region=_counts_by(city, d, "city_code"),
                        by_industry=_counts_by(industry, d, "industry_division"),
                        consequences=pd.DataFrame(cons), shared_inputs=shared,
                        reform_doc=reform_doc, notes=notes)


def _align(result: Any, values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Per-firm values of ``result`` in the order of the firm ids ``ids``."""
    return pd.Series(values, index=result.scores["firm_id"].to_numpy(object)).reindex(
        ids).to_numpy(object)


def _decimal(x: Fraction) -> str:
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d.normalize(), "f") if d else "0"


def _visits_text(visits: np.ndarray | None, n: int) -> np.ndarray:
    if visits is None:
        return np.full(n, "", dtype=object)
    return np.array([_decimal(x) if isinstance(x, Fraction) else "" for x in visits], object)


def _total(visits: np.ndarray) -> str:
    return f"{float(sum(visits, Fraction(0))):.2f}"


def _consequence(name: str, before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    before, after = np.asarray(before, bool), np.asarray(after, bool)
    return {"consequence": name, "baseline": str(int(before.sum())),
            "reform": str(int(after.sum())),
            "newly": int((after & ~before).sum()), "no_longer": int((before & ~after).sum())}
