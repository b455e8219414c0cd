"""Classification and categories: every firm's supervision class (given, or derived by the
policy's rules) and the one category it is put in (the first whose condition holds, in the
policy's order), with the words, rule ids and evidence of why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..days import date_of
from .conditions import Context, describe, evaluate
from .policy import Condition, _in_force


def _rule_ref(r: Any) -> str:
    return str(r.reference)


def _alternatives(conds: list[Condition], ctx: Context, among: np.ndarray, tag: str
                  ) -> tuple[np.ndarray, list[list[str]], list[list[str]],
                             list[tuple[np.ndarray, list[np.ndarray]]]]:
    """Which firms of ``among`` meet any of the alternative conditions ``conds`` (OR).

    Returns the mask; per firm, the words and the ids (``tag[j]``) of the alternatives it
    meets; and per alternative, the firms meeting it with its event masks (for the evidence).
    """
    hit = np.zeros(ctx.n, dtype=bool)
    words: list[list[str]] = [[] for _ in range(ctx.n)]
    ids: list[list[str]] = [[] for _ in range(ctx.n)]
    parts = []
    for j, cond in enumerate(conds):
        h, _, masks = evaluate(cond, ctx)
        h &= among
        d = describe(cond, ctx.policy)
        for i in np.flatnonzero(h):
            words[i].append(d)
            ids[i].append(f"{tag}[{j}]")
        parts.append((h, masks))
        hit |= h
    return hit, words, ids, parts


def classify(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Supervision class of every firm: given, or derived by the policy's classification.

    Returns ``(class, source, reason, reference)`` arrays; ``source`` is ``given`` or
    ``derived``.
    """
    pol = ctx.policy
    given = ctx._col("supervision_class").astype(object)
    cls = given.copy()
    src = np.where(given != "", "given", "derived").astype(object)
    reason = np.where(given != "", "class " + given.astype(str) + " (given in the firms table)",
                      "").astype(object)
    ref = np.full(ctx.n, "", dtype=object)
    todo = given == ""
    day = date_of(ctx.ref_day)
    if todo.any():
        for r in pol.classification.rules:
            if not _in_force(r, day) or not todo.any():
                continue
            take, words, _, _ = _alternatives(r.when, ctx, todo, r.id)
            cls[take] = r.class_
            reason[take] = [f"class {r.class_} derived by {r.id}: {words[i][0]}"
                            for i in np.flatnonzero(take)]
            ref[take] = _rule_ref(r)
            todo &= ~take
        cls[todo] = pol.classification.default_class
        reason[todo] = (f"class {pol.classification.default_class} by default: "
                        f"{pol.classification.default_note or 'no classification rule applies'}")
        ref[todo] = str(pol.classification.reference)
        ref[given == ""] = np.where(ref[given == ""] == "", str(pol.classification.reference),
                                    ref[given == ""])
    return cls, src, reason, ref


@dataclass
class Categories:
    """The category of every firm (arrays aligned with the context's firms).

    ``notes`` holds why a category whose ``when`` held was blocked by its ``unless`` (e.g.
    "off_site does not apply: on the positive list, but ..."); ``evidence`` maps a firm index
    to the event ids that put it there.
    """

    category: np.ndarray
    reasons: np.ndarray
    rules: np.ndarray
    refs: np.ndarray
    notes: np.ndarray
    evidence: dict[int, list[str]] = field(default_factory=dict)


def categorize(ctx: Context) -> Categories:
    """Put every firm in the first category (policy order) whose ``when`` holds and no
    ``unless``; ``routine`` takes the rest. Reads ``ctx.supervision_class``."""
    pol = ctx.policy
    day = date_of(ctx.ref_day)
    n = ctx.n
    category = np.full(n, "", dtype=object)
    reasons = np.full(n, "", dtype=object)
    rules = np.full(n, "", dtype=object)
    refs = np.full(n, "", dtype=object)
    evidence: dict[int, list[str]] = {}
    pending_notes = np.full(n, "", dtype=object)  # e.g. "positive list, but ..."
    todo = np.ones(n, dtype=bool)
    firm_range = np.arange(n)

    def add_evidence(masks: list[np.ndarray], who: np.ndarray) -> None:
        if not who.any():
            return
        idx = firm_range[who]
        for m in masks:
            for k, v in ctx.evidence(m, idx).items():
                evidence.setdefault(k, []).append(v)

    for c in pol.categories:
        if not _in_force(c, day):
            continue
        if c.id == "routine":
            take = todo.copy()
            category[take] = "routine"
            reasons[take] = "routine: no adjustment applies, drawn at the class rates"
            rules[take] = "routine"
            refs[take] = str(c.reference)
            todo &= ~take
            continue
        hit, words, alt_ids, alt_masks = _alternatives(c.when, ctx, todo, f"{c.id}.when")
        blocked, block_words, _, block_masks = _alternatives(c.unless, ctx, hit,
                                                             f"{c.id}.unless")
        for h, masks in block_masks:
            add_evidence(masks, h)
        for i in firm_range[blocked]:
            note = (f"{c.id} does not apply: " + "; ".join(words[i]) + ", but "
                    + " and ".join(block_words[i]) + f" ({c.id}.unless)")
            pending_notes[i] = (pending_notes[i] + "; " if pending_notes[i] else "") + note
        take = hit & ~blocked
        for h, masks in alt_masks:
            add_evidence(masks, h & take)
        for i in firm_range[take]:
            reasons[i] = f"{c.id}: " + "; ".join(words[i])
            rules[i] = ";".join(alt_ids[i])
        category[take] = c.id
        refs[take] = str(c.reference)
        todo &= ~take

    return Categories(category, reasons, rules, refs, pending_notes, evidence)
