"""Conditions and their evaluation context, vectorized over firms: event counts in windows,
credit levels, lists, firm attributes and (for discretion) facts of the new violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..days import add_months, date_of, day_of, months_text
from .credit import CreditLevels
from .policy import CREDIT_LEVELS, CaseMatch, Condition, EventCount, Policy


def _isin(values: np.ndarray, members: Iterable[Any]) -> np.ndarray:
    """Hash-based membership of object arrays (numpy's isin sorts objects: slow)."""
    return pd.Index(values).isin(list(members)) if len(values) else np.zeros(0, dtype=bool)


@dataclass
class Context:
    """What conditions read: the firms (in table order), their events, credit and a date.

    ``ref_day`` is the last day whose records count (int days since 1970); ``year`` the
    calendar year that ``calendar_year: current`` means; ``window_day`` where month windows end
    (default ``ref_day``; discretion reads the record up to the day before the new violation,
    with windows of twelve months back from the violation's own day).
    """

    policy: Policy
    firms: pd.DataFrame
    events: pd.DataFrame
    credit: CreditLevels
    ref_day: int
    year: int
    supervision_class: np.ndarray | None = None
    window_day: int | None = None   # where month windows end (default: ref_day)

    def __post_init__(self) -> None:
        ev = self.events
        day = ev["day"].to_numpy(dtype=np.int64)
        rec = ev["recorded_day"].to_numpy(dtype=np.int64) if "recorded_day" in ev else day
        etype = ev["event_type"].to_numpy(dtype=object)
        # records as of the reference date; revocations in force cancel what they name
        known = (day <= self.ref_day) & (rec <= self.ref_day)
        refs = ev["ref_event_id"].to_numpy(dtype=object) if "ref_event_id" in ev else \
            np.full(len(ev), "", dtype=object)
        ids = ev["event_id"].to_numpy(dtype=object)
        revoked = _isin(ids, refs[known & (etype == "revocation")])
        self._live = known & ~revoked & (etype != "revocation")
        closed = refs[self._live & (etype == "rectification_completed")]
        self._closed = _isin(ids, closed[closed != ""])
        self._day = day
        self._type = etype
        self._sev = ev["severity"].to_numpy(dtype=object) if "severity" in ev else \
            np.full(len(ev), "", dtype=object)
        self._firm = ev["firm_idx"].to_numpy(dtype=np.int64)
        self._ids = ids
        self.n = len(self.firms)

    def _col(self, name: str) -> np.ndarray:
        if name in self.firms.columns:
            return self.firms[name].to_numpy(dtype=object)
        return np.full(self.n, "", dtype=object)

    def event_mask(self, ec: EventCount) -> np.ndarray:
        types = self.policy.types_of(ec.group, ec.types)
        m = self._live & _isin(self._type, types)
        if ec.severity:
            m &= _isin(self._sev, ec.severity)
        if ec.within_months is not None:
            end = self.ref_day if self.window_day is None else self.window_day
            start = day_of(add_months(date_of(end), -ec.within_months))
            m &= self._day > start
        elif ec.calendar_year is not None:
            y = self.year - (1 if ec.calendar_year == "previous" else 0)
            m &= (self._day >= day_of(dt.date(y, 1, 1))) & (self._day <= day_of(dt.date(y, 12, 31)))
        if ec.open:
            m &= ~self._closed
        return m

    def count(self, ec: EventCount) -> tuple[np.ndarray, np.ndarray]:
        m = self.event_mask(ec)
        return np.bincount(self._firm[m], minlength=self.n), m

    def evidence(self, mask: np.ndarray, firms: np.ndarray) -> dict[int, str]:
        """firm index → ';'-joined ids of the events in ``mask`` (for the given firms)."""
        sel = mask & np.isin(self._firm, firms)
        if not sel.any():
            return {}
        s = pd.Series(self._ids[sel]).groupby(self._firm[sel]).agg(";".join)
        return s.to_dict()


@dataclass
class CaseInfo:
    """A new violation for discretion guidance: its type, and facts the officer states."""

    event_type: str | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)


def evaluate(cond: Condition, ctx: Context, case: CaseInfo | None = None
             ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Evaluate one condition for every firm.

    Returns
    -------
    holds, unknown : bool arrays
        ``holds``: every test holds. ``unknown``: every test the record can answer holds, but
        the condition also asks about the new violation and that is not known.
    event_masks : list of bool arrays over the events (for the evidence)
    """
    n = ctx.n
    ok = np.ones(n, dtype=bool)
    masks: list[np.ndarray] = []
    for ec in cond.events:
        cnt, m = ctx.count(ec)
        ok &= cnt >= ec.lower
        if ec.at_most is not None:
            ok &= cnt <= ec.at_most
        if ec.lower > 0:
            masks.append(m)
    if cond.credit is not None:
        ok &= np.isin(ctx.credit.level, [CREDIT_LEVELS.index(c) for c in cond.credit])
    if cond.lists is not None:
        ok &= _isin(ctx.credit.lists, cond.lists)
    if cond.positive_list is not None:
        ok &= (ctx._col("positive_list") == "true") == cond.positive_list
    if cond.statuses is not None:
        ok &= _isin(ctx._col("status"), cond.statuses)
    if cond.key_discharger is not None:
        ok &= (ctx._col("key_discharger") == "true") == cond.key_discharger
    if cond.permit_types is not None:
        ok &= _isin(ctx._col("permit_type"), cond.permit_types)
    if cond.industries is not None:
        ind = ctx._col("industry_code").astype(str)
        hit = np.zeros(n, dtype=bool)
        for pre in cond.industries:
            hit |= np.char.startswith(ind.astype("U"), pre) if n else hit
        ok &= hit
    if cond.classes is not None:
        cls = ctx.supervision_class if ctx.supervision_class is not None else \
            ctx._col("supervision_class")
        ok &= _isin(cls, cond.classes)
    unknown = np.zeros(n, dtype=bool)
    if cond.case is not None:
        state = _case_state(cond.case, ctx.policy, case)
        if state is None:
            unknown = ok.copy()
            ok = np.zeros(n, dtype=bool)
        elif not state:
            ok = np.zeros(n, dtype=bool)
    return ok, unknown, masks


def _case_state(cm: CaseMatch, policy: Policy, case: CaseInfo | None) -> bool | None:
    """True / False / None (cannot tell) for a case match."""
    unknown = False
    if cm.group is not None or cm.types:
        t = case.event_type if case else None
        if not t:
            unknown = True
        elif t not in policy.types_of(cm.group, cm.types):
            return False
    for f in cm.flags:
        v = case.flags.get(f) if case else None
        if v is None:
            unknown = True
        elif not v:
            return False
    return None if unknown else True


def describe(cond: Condition, policy: Policy) -> str:
    """The condition in plain words (its ``description``, else generated)."""
    if cond.description:
        return cond.description
    parts = []
    for ec in cond.events:
        what = policy.group_words(ec.group) if ec.group else "/".join(ec.types)
        if ec.severity:
            what += f" ({'/'.join(ec.severity)})"
        if ec.within_months:
            when = f" within {months_text(ec.within_months)}"
        elif ec.calendar_year:
            when = f" in the {ec.calendar_year} calendar year"
        else:
            when = " on record"
        if ec.at_most == 0:
            parts.append(f"no {what}{when}")
        else:
            n = ec.lower
            more = f" (at most {ec.at_most})" if ec.at_most is not None else ""
            parts.append(f"{n} or more {what}{when}{more}" + (" not yet rectified" if ec.open
                                                              else ""))
    if cond.credit is not None:
        parts.append("credit " + "/".join(cond.credit))
    if cond.lists is not None:
        parts.append("on the " + "/".join(cond.lists) + " list")
    if cond.positive_list is not None:
        parts.append("on the positive list" if cond.positive_list else "not on the positive list")
    if cond.statuses is not None:
        parts.append("status " + "/".join(cond.statuses))
    if cond.key_discharger is not None:
        parts.append("key discharger" if cond.key_discharger else "not a key discharger")
    if cond.permit_types is not None:
        parts.append("permit " + "/".join(cond.permit_types))
    if cond.industries is not None:
        parts.append("industry " + "/".join(cond.industries))
    if cond.classes is not None:
        parts.append("class " + "/".join(cond.classes))
    if cond.case is not None:
        cm = cond.case
        if cm.group or cm.types:
            parts.append("the new violation is " + (policy.group_words(cm.group) if cm.group
                                                    else "/".join(cm.types)))
        if cm.flags:
            parts.append("the officer finds it " + " and ".join(f.replace("_", " ")
                                                               for f in cm.flags))
    return ", ".join(parts)

