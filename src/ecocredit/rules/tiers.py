"""Kind ``tiers``: a measured indicator → the first tier its value falls in → points (× the
rule's weight), and, when grading by the worst indicator, that tier's grade.

Used by Guangdong 2015 (``guangdong-2015``: weighted indicators in categories, 广东省企业环境
信用评价办法); the test rulesets also grade by the worst indicator with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from ..periods import period_in
from ..points import to_cents
from .arrays import VectorState, where
from .base import LintContext, Model, PathT, RuleBase, RuleKind
from .firm import FirmState

__all__ = ["Tier", "TiersRule", "value_key", "tier_index", "KIND"]


class Tier(Model):
    """One tier of an indicator. Numeric: ``min`` (value >= min) and/or ``max`` (value <= max);
    categorical: ``value``. The first tier that matches wins; a tier with no condition matches all."""

    min: Decimal | None = None
    max: Decimal | None = None
    value: str | None = None
    points: Decimal
    grade: str | None = None


class TiersRule(RuleBase):
    """Kind 1: a measured indicator → tier → points (× weight)."""

    kind: Literal["tiers"]
    indicator: str
    weight: Decimal = Decimal(1)
    category: str | None = None
    tiers: list[Tier] = Field(min_length=1)
    missing_points: Decimal = Field(description="Points when the firm has no value in the period.")
    missing_grade: str | None = None


def value_key(ind: Any, value: str) -> Decimal | int:
    """Order key of a measured value: the number, or for a categorical indicator minus its
    position (values are listed best first, so a larger key is a better value)."""
    if ind.kind == "numeric":
        return Decimal(value)
    return -ind.values.index(value)


def tier_index(tiers: list[Tier], ind: Any, value: str) -> int:
    """Index of the first tier that ``value`` satisfies (the last tier catches the rest)."""
    for i, t in enumerate(tiers):
        if ind.kind == "categorical":
            if t.value is None or t.value == value:
                return i
            continue
        v = Decimal(value)
        if (t.min is None or v >= t.min) and (t.max is None or v <= t.max):
            return i
    return len(tiers) - 1


def lint(r: TiersRule, base: PathT, ctx: LintContext) -> None:
    """Indicator and category declared, tier values of the indicator's kind, exact points,
    grades declared (and on every tier when grading by the worst indicator), no gap at the end."""
    rs = ctx.ruleset
    sc = rs.scoring
    ind = rs.indicator_map.get(r.indicator)
    if ind is None:
        ctx.add(base + ("indicator",), "unknown_indicator",
                f"Indicator '{r.indicator}' is not declared in indicators.")
    if r.category is not None and r.category not in {c.id for c in sc.categories}:
        ctx.add(base + ("category",), "unknown_category",
                f"Category '{r.category}' is not declared in scoring.categories.")
    for j, t in enumerate(r.tiers):
        tp = base + ("tiers", j)
        ctx.check_cents(r.weight * t.points, tp + ("points",))
        if ind is not None and ind.kind == "categorical":
            if t.min is not None or t.max is not None:
                ctx.add(tp, "bad_value", "A categorical indicator's tiers take 'value', not min/max.")
            if t.value is not None and t.value not in ind.values:
                ctx.add(tp + ("value",), "bad_value",
                        f"'{t.value}' is not a value of indicator '{ind.id}' {ind.values}.")
        elif ind is not None and t.value is not None:
            ctx.add(tp + ("value",), "bad_value", "A numeric indicator's tiers take min/max.")
        if t.grade is not None and t.grade not in rs.grade_index:
            ctx.add(tp + ("grade",), "unknown_grade", f"Grade '{t.grade}' is not declared.")
        if sc.grade_by == "worst_indicator" and t.grade is None:
            ctx.add(tp + ("grade",), "missing_key",
                    "Grading by the worst indicator needs a grade on every tier.")
        if t.grade:
            ctx.reachable.add(t.grade)
    last = r.tiers[-1]
    if last.min is not None or last.max is not None or last.value is not None:
        if not (ind is not None and ind.kind == "categorical"
                and {t.value for t in r.tiers} >= set(ind.values)):
            ctx.add(base + ("tiers", len(r.tiers) - 1), "tier_gap",
                    "Some values fall in no tier; end with a tier that has no condition.")
    ctx.check_cents(r.weight * r.missing_points, base + ("missing_points",))
    if r.missing_grade is not None and r.missing_grade not in rs.grade_index:
        ctx.add(base + ("missing_grade",), "unknown_grade",
                f"Grade '{r.missing_grade}' is not declared.")


@dataclass(frozen=True)
class TiersPlan:
    """The indicator, each tier's points (weighted, hundredths) and grade rank, and the points
    and grade rank of a firm without a value."""

    indicator: Any
    tier_cents: np.ndarray
    tier_rank: np.ndarray
    missing_cents: int
    missing_rank: int


def compile(r: TiersRule, plan: Any) -> TiersPlan:
    w = plan.worst
    return TiersPlan(
        indicator=plan.ruleset.indicator_map[r.indicator],
        tier_cents=np.array([to_cents(r.weight * t.points) for t in r.tiers], dtype=np.int64),
        tier_rank=np.array([plan.grade_index[t.grade] if t.grade else w for t in r.tiers],
                           dtype=np.int64),
        missing_cents=to_cents(r.weight * r.missing_points),
        missing_rank=plan.grade_index.get(r.missing_grade, w) if r.missing_grade else w)


def _pick_rows(rows: pd.DataFrame, r: TiersRule, ind: Any) -> tuple[np.ndarray, ...]:
    """Per firm, the measurement row the indicator's ``aggregate`` picks (ties go to the latest
    period). Returns the firm of each row, the picked positions, the value codes and distinct
    values, the period codes and distinct periods, and each distinct value's tier."""
    rfirm = rows["firm_idx"].to_numpy(np.int64)
    inv, uniq = pd.factorize(rows["value"], use_na_sentinel=False)
    uniq = [str(u) for u in uniq]
    pinv, puniq = pd.factorize(rows["period"].astype(str), use_na_sentinel=False)
    keys = [value_key(ind, u) for u in uniq]
    dense = {k: i for i, k in enumerate(sorted(set(keys)))}  # equal values, equal rank
    krank = np.array([dense[k] for k in keys], dtype=np.int64)
    tier_of_uniq = np.array([tier_index(r.tiers, ind, u) for u in uniq], dtype=np.int64)
    porder = {p: i for i, p in enumerate(sorted(str(x) for x in puniq))}
    prank = np.array([porder[str(x)] for x in puniq], dtype=np.int64)[pinv] \
        if len(pinv) else np.empty(0, np.int64)
    rk = krank[inv] if len(inv) else np.empty(0, np.int64)
    if ind.aggregate == "min":
        o = np.lexsort((-prank, rk, rfirm))
    elif ind.aggregate == "max":
        o = np.lexsort((-prank, -rk, rfirm))
    else:
        o = np.lexsort((-prank, rfirm))
    of = rfirm[o]
    first = np.ones(len(of), dtype=bool)
    first[1:] = of[1:] != of[:-1]
    return rfirm, o[first], inv, uniq, pinv, puniq, tier_of_uniq


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: every graded firm gets the points of its value's tier (or of no value)."""
    r, tp, n = c.rule, c.data, s.n
    label = s.plan.period.label
    m = s.prep.measurements
    sel = where(m["indicator"], lambda v: v == r.indicator)
    if len(label) == 4:
        sel &= where(m["period"], lambda v: v.str[:4] == label)
    else:
        sel &= where(m["period"], lambda v: v.isin([label, label[:4]]))
    rfirm, pick, inv, uniq, pinv, puniq, tier_of_uniq = _pick_rows(m[sel], r, tp.indicator)
    pts = np.full(n, tp.missing_cents, dtype=np.int64)
    g = np.full(n, tp.missing_rank, dtype=np.int64)
    src = np.full(n, len(pick), dtype=np.int64)  # row of each firm's text
    texts = pa.array([], pa.string())
    if len(pick):
        pf = rfirm[pick]
        t = tier_of_uniq[inv[pick]]
        pts[pf] = tp.tier_cents[t]
        g[pf] = tp.tier_rank[t]
        src[pf] = np.arange(len(pick))
        texts = pc.binary_join_element_wise(
            f"{r.indicator}=", pa.array(np.asarray(uniq, dtype=object)[inv[pick]],
                                        type=pa.string()),
            " (", pa.array(np.asarray([str(x) for x in puniq], dtype=object)[
                pinv[pick]], type=pa.string()), ")", "")
    graded, idx = s.graded, s.graded_idx
    s.total[graded] += pts[graded]
    s.positive[graded] += np.maximum(pts[graded], 0)
    s.worst_ind[graded] = np.maximum(s.worst_ind[graded], g[graded])
    texts = pa.concat_arrays([texts, pa.array([f"{r.indicator}: no value"])])
    s.contrib.add(c.order, r, idx, pts[idx], texts.take(pa.array(src[idx])))


def reference(c: Any, fs: FirmState) -> None:
    """Reference: the firm's rows of the indicator in the period, the one the aggregate picks
    (latest first, so ties go to it), its tier, weight × tier points."""
    rule, ind, period = c.rule, c.data.indicator, fs.plan.period
    rows = [m for m in fs.inputs.measurements
            if m["indicator"] == rule.indicator and period_in(m["period"], period)]
    rows.sort(key=lambda m: m["period"], reverse=True)  # latest first: ties go to it
    if not rows:
        points = rule.weight * rule.missing_points
        grade = rule.missing_grade
        evidence = f"{rule.indicator}: no value"
        fs.say(f"{rule.id} {rule.label}: no value in {period.label}, "
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
        fs.say(f"{rule.id} {rule.label}: {evidence} falls in the tier worth {tier.points}; "
               f"{rule.weight} × {tier.points} = {points} points.")
    fs.score += points
    rank = fs.plan.grade_index[grade] if grade else fs.plan.worst
    fs.worst_indicator = max(fs.worst_indicator, rank)
    fs.contribute(rule, points, evidence)


KIND = RuleKind(
    name="tiers", model=TiersRule, stage="points", section="rules", lint=lint, compile=compile,
    apply=apply, reference=reference,
    summary="a measured indicator's value → the first tier it falls in → points × weight "
            "(and a grade, when grading by the worst indicator)",
    used_by="guangdong-2015")
