"""Lint: the contradictions and references the models cannot see. Overlapping bands, weights
that do not add up, unknown grades, event types, indicators or categories, duplicate ids,
inexact points, unreachable grades. The document-wide checks are here; each rule kind's own
checks are its module's ``lint`` (:mod:`ecocredit.rules`), called through the registry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from ..errors import Problem
from ..rules import KIND_BY_NAME
from ..rules.base import LintContext, PathT
from ..rules.conditions import Match, lint_match
from ..rules.list_entry import lint_grades, lint_lists
from ..vocab import ADMIN_EVENT_TYPES, EVENT_TYPES, MEASURE_ACTIONS, POSITIVE_EVENT_TYPES
from .levels import lint_levels
from .models import Ruleset
from .reader import format_path, line_for

__all__ = ["ADVERSE_EVENT_TYPES", "check_rule_dates", "lint_document", "scored_event_types"]

#: The contract's adverse event types: every ruleset scores each or says why not (coverage).
ADVERSE_EVENT_TYPES: tuple[str, ...] = tuple(
    t for t in EVENT_TYPES if t not in POSITIVE_EVENT_TYPES and t not in ADMIN_EVENT_TYPES)


def check_rule_dates(add: Callable[[PathT, str, str], None], rule: Any, base: PathT,
                     doc: Any, what: str) -> None:
    """Lint a rule's ``effective``/``end`` against each other and the document's validity
    (``doc.valid_from``/``valid_to``); ``add(path, code, message)`` records a problem."""
    if rule.effective and rule.end and rule.end < rule.effective:
        add(base + ("end",), "bad_dates",
            f"Rule ends ({rule.end}) before it starts ({rule.effective}).")
    if rule.effective and rule.effective < doc.valid_from:
        add(base + ("effective",), "bad_dates",
            f"Rule takes effect ({rule.effective}) before the {what} does ({doc.valid_from}).")
    if rule.end and doc.valid_to and rule.end > doc.valid_to:
        add(base + ("end",), "bad_dates",
            f"Rule ends ({rule.end}) after the {what} does ({doc.valid_to}).")


def _matched_types(obj: Any, out: set[str]) -> None:
    """Collect the event types of every :class:`Match` inside a rule (any depth)."""
    if isinstance(obj, Match):
        out.update(obj.types)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            _matched_types(x, out)
    elif hasattr(obj, "__pydantic_fields__"):
        for name in type(obj).model_fields:
            _matched_types(getattr(obj, name), out)


def scored_event_types(rs: Ruleset) -> set[str]:
    """Event types some rule (points, override or list entry) reads: they affect the result."""
    out: set[str] = set()
    _matched_types(rs.rules, out)
    if rs.lists is not None:
        _matched_types(rs.lists.rules, out)
    return out


def _coverage(rs: Ruleset, ctx: LintContext) -> None:
    """Every adverse event type of the contract is scored by a rule or listed in ``not_scored``
    with a reason and a citation, never silently a non-event (cases 03 and 05: a revoked
    permit left a firm at full marks)."""
    scored = scored_event_types(rs)
    declared: dict[str, int] = {}
    for i, ns in enumerate(rs.not_scored):
        for j, t in enumerate(ns.types):
            path = ("not_scored", i, "types", j)
            if t not in EVENT_TYPES:
                ctx.add(path, "unknown_event_type",
                        f"'{t}' is not an event type of the contract.")
            elif t in scored:
                ctx.add(path, "coverage",
                        f"'{t}' is listed as not scored, but a rule scores it.")
            elif t in declared:
                ctx.add(path, "duplicate_id", f"'{t}' is already listed as not scored.")
            declared.setdefault(t, i)
    missing = [t for t in ADVERSE_EVENT_TYPES if t not in scored and t not in declared]
    if missing:
        ctx.add(("not_scored",), "coverage",
                "Adverse event types neither scored by a rule nor listed under 'not_scored' "
                f"with a reason and a citation: {', '.join(missing)}.")


def _bands(rs: Ruleset, ctx: LintContext) -> None:
    """Bands best first, contiguous, non-overlapping, reachable under ``scoring.max``."""
    sc, add, gi = rs.scoring, ctx.add, rs.grade_index
    if sc.grade_by == "bands" and not sc.bands:
        add(("scoring", "bands"), "missing_key", "Grading by bands needs at least one band.")
    last_min: Decimal | None = None
    last_rank = -1
    for i, b in enumerate(sc.bands):
        if b.grade not in gi:
            add(("scoring", "bands", i, "grade"), "unknown_grade",
                f"Band grade '{b.grade}' is not one of the grades {rs.grade_ids}.")
            continue
        rank = gi[b.grade]
        if rank <= last_rank:
            add(("scoring", "bands", i, "grade"), "band_order",
                f"Bands must go from best grade to worst; '{b.grade}' comes out of order.")
        last_rank = rank
        is_last = i == len(sc.bands) - 1
        if b.min is None and not is_last:
            add(("scoring", "bands", i, "min"), "band_gap",
                "Only the last band may omit 'min'; the bands after it could never be reached.")
        if b.min is not None and is_last:
            add(("scoring", "bands", i, "min"), "band_gap",
                f"Scores below {b.min} fall in no band; give the last band no 'min'.")
        if b.min is not None and last_min is not None and b.min >= last_min:
            add(("scoring", "bands", i, "min"), "band_overlap",
                f"Band '{b.grade}' starts at {b.min}, not below the band before it ({last_min}); "
                "bands overlap.")
        if b.min is not None and sc.max is not None and b.min > sc.max:
            add(("scoring", "bands", i, "min"), "unreachable_grade",
                f"Band '{b.grade}' starts at {b.min}, above the highest score {sc.max}.")
        if b.min is not None:
            last_min = b.min


def _weights(rs: Ruleset, ctx: LintContext) -> None:
    """The tiers rules' weights add up to the declared total; categories to 1, each category's
    rules to no more than its weight."""
    sc, add = rs.scoring, ctx.add
    tiers_rules = [r for r in rs.rules if r.kind == "tiers"]
    if sc.weights_total is not None:
        total = sum((r.weight for r in tiers_rules), Decimal(0))
        if total != sc.weights_total:
            add(("scoring", "weights_total"), "weights_sum",
                f"The weights of the tiers rules add up to {total}, not the declared "
                f"{sc.weights_total}.")
    cats = {c.id: c for c in sc.categories}
    if cats:
        ctotal = sum((c.weight for c in cats.values()), Decimal(0))
        if ctotal != 1:
            add(("scoring", "categories"), "weights_sum",
                f"The category weights add up to {ctotal}, not 1.")
        for ci, c in enumerate(sc.categories):
            used = sum((r.weight for r in tiers_rules if r.category == c.id), Decimal(0))
            if used > c.weight:
                add(("scoring", "categories", ci, "weight"), "weights_sum",
                    f"The tiers rules of category '{c.id}' weigh {used}, more than the "
                    f"category's {c.weight}.")


def _repair_and_measures(rs: Ruleset, ctx: LintContext, ids_seen: dict[str, int]) -> None:
    add = ctx.add
    if rs.repair is not None:
        rp = rs.repair
        lint_grades(rp.grades, ("repair", "grades"), ctx)
        lint_lists(rp.lists, ("repair", "lists"), ctx)
        if rp.excluded is not None:
            ctx.check_match(rp.excluded, ("repair", "excluded"))
    for i, m in enumerate(rs.measures):
        base = ("measures", i)
        if m.id in ids_seen:
            add(base + ("id",), "duplicate_id", f"Rule id '{m.id}' is already used.")
        ids_seen.setdefault(m.id, i)
        lint_grades(m.grades, base + ("grades",), ctx)
        lint_lists(m.lists, base + ("lists",), ctx)
        if m.history is not None:
            lint_grades(m.history.grades, base + ("history", "grades"), ctx)
            lint_lists(m.history.lists, base + ("history", "lists"), ctx)
        for j, a in enumerate(m.actions):
            if a not in MEASURE_ACTIONS:
                add(base + ("actions", j), "bad_value",
                    f"Action '{a}' is not one of {list(MEASURE_ACTIONS)}.")
        if m.kind == "price" and (m.value is None or not m.unit):
            add(base + ("value",), "missing_key", "A price measure needs 'value' and 'unit'.")
    by_id = {m.id: m for m in rs.measures}
    for i, m in enumerate(rs.measures):
        for j, other in enumerate(m.supersedes):
            if other not in by_id or other == m.id:
                add(("measures", i, "supersedes", j), "unknown_measure",
                    f"'{other}' is not another measure of this ruleset.")
            elif by_id[other].anchor != m.anchor:
                add(("measures", i, "supersedes", j), "anchor_mismatch",
                    f"'{other}' follows the result on other dates than '{m.id}' ('anchor'); "
                    "an exception between them would compare two different results.")


def lint_document(rs: Ruleset, lines: dict[PathT, int], file: str) -> list[Problem]:
    """Every problem of a validated ruleset, each with file, line and key path."""
    problems: list[Problem] = []

    def add(path: PathT, code: str, msg: str) -> None:
        problems.append(Problem(file, line_for(lines, path), format_path(path), code, msg))

    known_types = rs.event_type_ids
    ctx = LintContext(ruleset=rs, add=add,
                      check_match=lambda m, base: lint_match(m, base, add, known_types))
    grade_ids = rs.grade_ids
    for i, g in enumerate(rs.grades):
        if grade_ids.index(g.id) != i:
            add(("grades", i, "id"), "duplicate_id", f"Grade id '{g.id}' is declared twice.")
    _bands(rs, ctx)
    lint_levels(rs, ctx)
    _weights(rs, ctx)
    ctx.reachable = {b.grade for b in rs.scoring.bands if b.grade in rs.grade_index}

    seen: dict[str, int] = {}
    for i, r in enumerate(rs.rules):
        base: PathT = ("rules", i)
        if r.id in seen:
            add(base + ("id",), "duplicate_id",
                f"Rule id '{r.id}' is already used by rules[{seen[r.id]}].")
        seen.setdefault(r.id, i)
        check_rule_dates(add, r, base, rs, "ruleset")
        KIND_BY_NAME[r.kind].lint(r, base, ctx)

    ids_seen = dict(seen)
    if rs.lists is not None:
        for i, r in enumerate(rs.lists.rules):
            base = ("lists", "rules", i)
            if r.id in ids_seen:
                add(base + ("id",), "duplicate_id", f"Rule id '{r.id}' is already used.")
            ids_seen.setdefault(r.id, i)
            KIND_BY_NAME["list"].lint(r, base, ctx)
        bc = rs.lists.black_cap
        if bc.id in ids_seen:
            add(("lists", "black_cap", "id"), "duplicate_id", f"Rule id '{bc.id}' is already used.")
        ids_seen.setdefault(bc.id, -1)
        KIND_BY_NAME["black_cap"].lint(bc, ("lists", "black_cap"), ctx)
    _repair_and_measures(rs, ctx, ids_seen)
    _coverage(rs, ctx)

    reachable = ctx.reachable
    if ctx.downgrade and reachable:
        best = min(rs.grade_index[g] for g in reachable)
        reachable |= set(grade_ids[best:])
    for i, g in enumerate(rs.grades):
        if g.id not in reachable and rs.scoring.bands:
            add(("grades", i), "unreachable_grade",
                f"Grade '{g.id}' can never be given: no band, veto, cap or downgrade leads to it.")
    return problems
