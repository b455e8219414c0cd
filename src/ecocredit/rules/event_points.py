"""Kind ``event_points``: points per matching event (usually negative: a deduction per
violation), with an optional cap on the period's total.

Used by every bundled ruleset: Anhui 2019, Chongqing 2017, Guangdong 2015, Hebei 2024,
Jiangsu 2020, Jiangxi and Shandong 2020 (the deduction tables of their annexes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import numpy as np
from pydantic import Field

from ..points import to_cents
from .arrays import VectorState, ids_of, join_by_firm
from .base import LintContext, PathT, RuleBase, RuleKind
from .conditions import Match, MatchPlan, compile_match, counts, match_events
from .firm import FirmState

__all__ = ["EventPointsRule", "KIND", "lint_event_rule", "apply_points", "matched_ids"]


class EventPointsRule(RuleBase):
    """Kind 2: points per matching event (usually negative), with an optional cap per period."""

    kind: Literal["event_points"]
    match: Match
    points: Decimal
    cap: Decimal | None = Field(None, ge=0, description="Largest total (absolute) in the period.")


def lint_event_rule(r: Any, base: PathT, ctx: LintContext) -> None:
    """What every kind with ``match`` and ``points`` checks: the match, exact points (and cap),
    and no positive points for adverse events."""
    ctx.check_match(r.match, base + ("match",))
    ctx.check_cents(r.points, base + ("points",))
    if getattr(r, "cap", None) is not None:
        ctx.check_cents(r.cap, base + ("cap",))
    positive = ctx.ruleset.positive_event_types
    if r.kind == "bonus":
        bad = [t for t in r.match.types if t not in positive]
        if bad:
            ctx.add(base + ("match", "types"), "adverse_bonus",
                    f"A bonus must read positive event types only; {bad} are adverse.")
    elif r.points > 0:
        bad = [t for t in r.match.types if t not in positive]
        if bad:
            ctx.add(base + ("points",), "adverse_bonus",
                    f"Positive points for adverse events {bad} would let a violation "
                    "improve a grade.")


@dataclass(frozen=True)
class EventPointsPlan:
    """The match compiled, the points per event and the cap, in hundredths."""

    match: MatchPlan
    cents: int
    cap: int | None


def compile(r: Any, plan: Any) -> EventPointsPlan:
    cap = getattr(r, "cap", None)
    return EventPointsPlan(match=compile_match(r.match, plan), cents=to_cents(r.points),
                           cap=None if cap is None else to_cents(cap))


def apply_points(c: Any, s: VectorState, points_of: Any) -> None:
    """Vectorized, for every kind that counts matching events: ``points_of(counts)`` per firm
    (hundredths) is added; a firm whose points are not zero gets a row with its events."""
    e = s.events
    sel = match_events(e, c.data.match, s.plan.eval_day)
    mf = e.firm[sel]
    pts = points_of(np.bincount(mf, minlength=s.n))
    s.total += pts
    s.positive += np.maximum(pts, 0)
    hit = np.flatnonzero(pts != 0)
    if len(hit):
        ev = join_by_firm(mf, ids_of(e, sel))
        s.contrib.add(c.order, c.rule, hit, pts[hit], ev.reindex(hit).to_numpy(object))


def apply(c: Any, s: VectorState) -> None:
    """Vectorized: count × points, clipped to ± the cap."""
    def points_of(cnt: np.ndarray) -> np.ndarray:
        pts = cnt * c.data.cents
        return pts if c.data.cap is None else np.clip(pts, -c.data.cap, c.data.cap)
    apply_points(c, s, points_of)


def matched_ids(c: Any, fs: FirmState) -> list[str]:
    """Reference: the ids of the firm's events that count for the rule's match, sorted."""
    return sorted(e["event_id"] for e in fs.inputs.events if counts(fs.plan, c.data.match, e))


def reference(c: Any, fs: FirmState) -> None:
    """Reference: points × the number of matching events, capped."""
    rule = c.rule
    matched = matched_ids(c, fs)
    points = rule.points * len(matched)
    if rule.cap is not None and abs(points) > rule.cap:
        capped = rule.cap if points > 0 else -rule.cap
        fs.say(f"{rule.id} {rule.label}: {len(matched)} × {rule.points} = {points}, "
               f"capped at {capped}.")
        points = capped
    elif matched:
        fs.say(f"{rule.id} {rule.label}: {len(matched)} × {rule.points} = {points} points.")
    if points != 0:
        fs.score += points
        fs.contribute(rule, points, ";".join(matched))


KIND = RuleKind(
    name="event_points", model=EventPointsRule, stage="points", section="rules",
    lint=lint_event_rule, compile=compile, apply=apply, reference=reference,
    summary="points per matching event (usually a deduction), optionally capped per period",
    used_by="anhui-2019, chongqing-2017, chongqing-2021, guangdong-2015, guizhou-2019, "
            "hebei-2024, jiangsu-2020, jiangxi, jilin-2018, shandong-2020")
