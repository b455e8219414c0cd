"""Penalty-discretion guidance (行政处罚自由裁量): the aggravating and mitigating factors that a
firm's record and credit show for a new violation.

This is guidance for the case officer, **not a penalty calculator**: it lists the factors the
policy declares (its ``discretion`` section, each cited), says which ones the record shows
(``applies``), which ones depend on facts only the officer can establish (``to_establish``:
"low pollution", "non-subjective" ...), and leaves out the ones the record rules out. The
band, the amount and the final decision stay with the officer; a lighter penalty is never
below the legal minimum and a heavier one never above the maximum.

The record read is everything dated and recorded *before* the day of the new violation;
"within 12 months" means after the same day a year earlier (a violation on 2025-09-15 looks at
2024-09-16 ... 2025-09-14).

Examples
--------
>>> import pandas as pd
>>> from ecocredit.codes import uscc_check_char
>>> fid = "91360102MA35XKQ15" + uscc_check_char("91360102MA35XKQ15")
>>> firms = pd.DataFrame({"firm_id": [fid], "name": ["甲公司"], "region_code": ["360102"]})
>>> events = pd.DataFrame({"event_id": ["E1"], "firm_id": [fid], "event_date": ["2025-03-02"],
...                        "event_type": ["fine"]})
>>> g = discretion_guidance("jiangxi-2020", fid, "2025-09-15", violation_type="exceedance",
...                         firms=firms, events=events)
>>> g.factors.loc[g.factors["status"] == "applies", "factor_id"].tolist()
['JX-DIS-REPEAT-YEAR']
"""


from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..days import day_of
from ..errors import InputError
from ..read import Prepared
from ..vocab import EVENT_TYPES
from .conditions import CaseInfo, Context, describe, evaluate
from .credit import credit_levels
from .inputs import _as_date, _prepare_inputs
from .loader import load_policy
from .policy import CASE_FLAGS, Policy

__all__ = ["FACTOR_COLUMNS", "DiscretionGuidance", "discretion_guidance"]

FACTOR_COLUMNS = ["factor_id", "direction", "effect", "status", "label", "why", "evidence",
                  "reference", "assumption"]
_DIRECTION = {"upper_limit": "aggravating", "heavier": "aggravating", "lighter": "mitigating",
              "reduced_or_none": "mitigating"}
_EFFECT_WORDS = {"upper_limit": "upper limit of the same discretion band (同档次上限)",
                 "heavier": "heavier penalty (从重)", "lighter": "lighter penalty (从轻)",
                 "reduced_or_none": "reduced or no penalty (减轻或免于处罚)"}


@dataclass
class DiscretionGuidance:
    """The outcome of :func:`discretion_guidance`.

    Attributes
    ----------
    factors : DataFrame
        One row per factor that applies or is to be established (:data:`FACTOR_COLUMNS`),
        aggravating first, in the policy's order.
    """

    policy: Policy
    firm_id: str
    name: str
    date: dt.date
    violation_type: str | None
    flags: Mapping[str, bool]
    credit: str
    factors: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        st = self.factors["status"].value_counts().to_dict()
        return (f"DiscretionGuidance(firm_id={self.firm_id!r}, date={self.date}, "
                f"violation_type={self.violation_type!r}, applies={st.get('applies', 0)}, "
                f"to_establish={st.get('to_establish', 0)})")

    def text(self) -> str:
        """The guidance as the case officer reads it."""
        pol = self.policy
        vt = self.violation_type
        what = f"{vt} {EVENT_TYPES.get(vt, '')}".strip() if vt else "type not given"
        lines = [f"Penalty discretion guidance — {self.name} ({self.firm_id})",
                 f"New violation: {what}, on {self.date}; records before that day; inspection "
                 f"policy {pol.id} {pol.version}",
                 f"Credit: {self.credit}",
                 "Guidance for the case officer, not a penalty calculation: a lighter penalty is "
                 "never below the legal minimum, a heavier one never above the maximum.", ""]
        for direction, head in (("aggravating", "Aggravating factors (从重)"),
                                ("mitigating", "Mitigating factors (从轻 / 减轻)")):
            rows = self.factors[self.factors["direction"] == direction]
            lines.append(head + (":" if len(rows) else ": none shown by the record."))
            for r in rows.itertuples():
                tag = "applies" if r.status == "applies" else "to establish"
                lines.append(f"  [{tag}] {r.factor_id} {r.label} → "
                             f"{_EFFECT_WORDS[r.effect]}")
                lines.append(f"      why: {r.why}")
                if r.evidence:
                    lines.append(f"      evidence: {r.evidence}")
                lines.append(f"      reference: {r.reference}")
                if r.assumption:
                    lines.append(f"      assumption: {r.assumption}")
            lines.append("")
        lines.append("Factors the record rules out are not listed.")
        return "\n".join(lines)


def _one_firm(prep: Prepared, firm_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    hit = np.flatnonzero((prep.firms["firm_id"] == firm_id).to_numpy())
    if not len(hit):
        raise KeyError(f"Firm {firm_id!r} is not among the accepted firms.")
    i = int(hit[0])
    firms = prep.firms.iloc[[i]].reset_index(drop=True)
    ev = prep.events[prep.events["firm_idx"].to_numpy() == i].copy()
    ev["firm_idx"] = 0
    return firms, ev.reset_index(drop=True)


def discretion_guidance(policy: Policy | str | Path, firm_id: str, date: dt.date | str, *,
                        violation_type: str | None = None,
                        flags: Mapping[str, bool] | None = None,
                        case_event_id: str | None = None, firms: Any = None,
                        events: Any = None, scores: Any = None, ruleset: Any = None
                        ) -> DiscretionGuidance:
    """List the discretion factors a firm's record and credit show for a new violation.

    The factors are the policy's ``discretion`` section, each citing its source (for
    ``jiangxi-2020``: 江西省企业环境信用评价及信用管理暂行办法, a red or black firm's new
    violation at the upper limit of its band; 江西省环境保护行政处罚自由裁量权细化标准, the
    aggravating and mitigating circumstances); guidance for the case officer, not a penalty.

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
        The inspection policy.
    firm_id : str
        The firm's unified social credit code (18 characters; case and spaces ignored).
    date : date or ISO string
        The day of the new violation; the record read ends the day before.
    violation_type : str, optional
        The new violation's event type (``exceedance``, ``monitoring_fraud`` ...).
    flags : mapping of str to bool, optional
        Facts the officer has established: ``low_pollution``, ``non_subjective``, ``minor``,
        ``promptly_corrected``, ``harmless``, ``intentional``, ``cooperated``. A factor that
        needs a fact not given is listed as ``to_establish``.
    case_event_id : str, optional
        The new violation's own record, if it is already in the events table (its type is
        read from it when ``violation_type`` is not given).
    firms, events, scores, ruleset
        As for :func:`~ecocredit.supervision.inspection_frequency`.

    Returns
    -------
    DiscretionGuidance
        ``factors``: one row per factor that applies or needs a fact (:data:`FACTOR_COLUMNS`:
        ``factor_id``, ``direction`` aggravating/mitigating, ``status`` applies/to_establish,
        the evidence and the citation), aggravating first; ``text()`` for people.

    Raises
    ------
    PolicyError
        The policy file is invalid.
    PeriodError
        ``date`` is not a date, or lies outside the policy's validity.
    KeyError
        ``firm_id`` is not among the accepted firms (a rejected row, or not in the table).
    InputError
        An unknown fact in ``flags`` (the known ones are :data:`CASE_FLAGS`), no accepted
        event has ``case_event_id``, ``violation_type`` is not an event type of
        docs/data-format.md, or the tables or scores cannot be used (as for
        :func:`~ecocredit.supervision.inspection_frequency`).
    RulesetError
        ``ruleset`` names a ruleset that cannot be loaded.
    """
    pol = load_policy(policy)
    day = _as_date(date)
    pol.check_date(day, f"violation on {day}")
    fl = _known_facts(flags)
    fid = str(firm_id).strip().upper()
    prep, _ = _prepare_inputs(firms, events, scores, ruleset, None)
    f1, ev = _one_firm(prep, fid)
    vt, ev = _violation_type(prep, ev, violation_type, case_event_id)
    rid = ruleset.id if hasattr(ruleset, "id") else ruleset
    credit = credit_levels(pol, [fid], scores, rid)
    ctx = Context(pol, f1, ev, credit, day_of(day) - 1, day.year, window_day=day_of(day))
    df = _factors(pol, day, ctx, CaseInfo(vt, fl))
    return DiscretionGuidance(pol, fid, str(f1["name"].iloc[0]), day, vt, fl,
                              str(credit.text[0]), df)


def _known_facts(flags: Mapping[str, bool] | None) -> dict[str, bool]:
    """The facts the officer states, each one of :data:`CASE_FLAGS`.

    Raises
    ------
    InputError
        An unknown fact.
    """
    fl = dict(flags or {})
    bad = [k for k in fl if k not in CASE_FLAGS]
    if bad:
        raise InputError(f"Unknown fact(s) {', '.join(map(repr, bad))}; the facts an officer "
                         f"can state are {', '.join(CASE_FLAGS)}.", reason_code="bad_value")
    return fl


def _violation_type(prep: Any, ev: pd.DataFrame, violation_type: str | None,
                    case_event_id: str | None) -> tuple[str | None, pd.DataFrame]:
    """The new violation's type (given, or read from its own record) and the firm's events
    without that record (the record read is the one before the violation).

    Raises
    ------
    InputError
        No accepted event has ``case_event_id``, or the type is not an event type.
    """
    vt = violation_type
    if case_event_id:
        row = prep.events[prep.events["event_id"] == case_event_id]
        if row.empty:
            raise InputError(f"No accepted event has event_id {case_event_id!r}.",
                             column="event_id", reason_code="unknown_event")
        vt = vt or str(row["event_type"].iloc[0])
        ev = ev[ev["event_id"] != case_event_id].reset_index(drop=True)
    if vt is not None and vt not in EVENT_TYPES:
        raise InputError(f"Unknown violation type {vt!r}; use an event type of "
                         f"docs/data-format.md: {', '.join(EVENT_TYPES)}.",
                         column="event_type", reason_code="unknown_event_type")
    return vt, ev


def _factors(pol: Policy, day: dt.date, ctx: Context, case: CaseInfo) -> pd.DataFrame:
    """The factors in force on ``day`` that apply or need a fact (:data:`FACTOR_COLUMNS`),
    aggravating first, each group in the policy's order."""
    rows = []
    for fac in pol.discretion:
        if (fac.effective and fac.effective > day) or (fac.end and fac.end < day):
            continue
        row = _factor_row(fac, ctx, case)
        if row is not None:
            rows.append(row)
    df = pd.DataFrame(rows, columns=FACTOR_COLUMNS)
    if len(df):
        df = (df.assign(_d=(df["direction"] == "mitigating").astype(int))
              .sort_values("_d", kind="stable").drop(columns="_d").reset_index(drop=True))
    return df


def _factor_row(fac: Any, ctx: Context, case: CaseInfo) -> dict[str, Any] | None:
    """The row of one factor: ``applies`` if an alternative holds on the record,
    ``to_establish`` if one needs facts not given, None if the record rules it out."""
    whys, unknowns, evid = [], [], []
    for cond in fac.when:
        holds, unknown, masks = evaluate(cond, ctx, case)
        if holds[0]:
            whys.append(describe(cond, ctx.policy))
            for m in masks:
                evid += list(ctx.evidence(m, np.array([0])).values())
        elif unknown[0]:
            unknowns.append(describe(cond, ctx.policy))
    if whys:
        status, why = "applies", "; ".join(whys)
    elif unknowns:
        status, why = "to_establish", "; ".join(unknowns)
    else:
        return None
    return {"factor_id": fac.id, "direction": _DIRECTION[fac.effect],
            "effect": fac.effect, "status": status, "label": str(fac.label),
            "why": why, "evidence": ";".join(dict.fromkeys(";".join(evid).split(";")))
            .strip(";"), "reference": str(fac.reference),
            "assumption": fac.assumption}
