"""The vectorized scoring engine.

One pass over whole columns (numpy/pandas, no per-firm Python loop) computes, for every firm,
the points of every rule, the total, the grade from the bands, the overrides in priority
order, and, in the same pass, the long contributions table (firm × rule × points × evidence ×
citation). Points are integer hundredths (``int64``), so the result is exact and agrees bit for
bit with :mod:`ecocredit.reference`, the plain per-firm twin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .features import tier_index, value_key
from .days import add_months_days
from .periods import previous_periods
from .read import Prepared
from .days import NO_DATE, date_of, day_of
from .ruleset import Match, Ruleset
from .periods import Period, parse_period
from .points import format_cents, to_cents
from .vocab import MEDIA, SEVERITIES

__all__ = ["score_prepared", "CONTRIBUTION_COLUMNS", "SCORE_COLUMNS", "format_cents_array"]

SCORE_COLUMNS = ["firm_id", "name", "period", "ruleset", "ruleset_version", "status", "score",
                 "grade", "grade_label", "vetoed", "rules_applied", "list", "list_until"]
CONTRIBUTION_COLUMNS = ["firm_id", "rule_id", "points", "evidence", "reference", "kind",
                        "effect", "label"]


def _fen_ceiling(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_CEILING))


@dataclass
class _Events:
    """The events that can count at all (not revoked, not a revocation, dated by the
    evaluation date, in the period for annual rulesets, of a graded firm), grouped by event
    type: the rows of type ``c`` are ``type_start[c]:type_start[c + 1]`` of every array here,
    so a rule's match reads only the events of its types, never the whole table."""

    rows: np.ndarray  # row in prep.events
    firm: np.ndarray
    day: np.ndarray
    type_code: np.ndarray
    sev: np.ndarray
    med: np.ndarray
    fen: np.ndarray
    type_start: np.ndarray
    ids: pa.Array  # every event id (index with ``rows``)
    type_codes: dict[str, int]


def _arrow(s: pd.Series) -> pa.Array:
    a = pa.array(s, type=pa.string(), from_pandas=True)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _codes(col: pd.Series, vocab: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Position of each value in ``vocab`` (-1 for a value outside it, such as '' for none),
    of every row or of ``rows``.

    Mapped on the distinct values (the column's categories when it is categorical), so no
    Categorical is ever built from values outside its categories.
    """
    index = pd.Index(vocab)
    if isinstance(col.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(col.cat.categories.astype(str))
        table = np.append(lookup, -1).astype(np.int16)  # code -1 (missing) reads the last
        codes = col.cat.codes.to_numpy()
        return table[codes if rows is None else codes[rows]]
    return index.get_indexer((col if rows is None else col.iloc[rows]).astype(str)
                             ).astype(np.int16)


def _event_arrays(prep: Prepared, ruleset: Ruleset, period: Period, eval_day: int,
                  graded: np.ndarray) -> _Events:
    ev = prep.events
    types = sorted(ruleset.event_type_ids)
    tcode = _codes(ev["event_type"], types)
    firm = ev["firm_idx"].to_numpy(np.int32)
    day = ev["day"].to_numpy(np.int32)
    base = (~ev["revoked"].to_numpy(bool)) & (tcode >= 0) & (tcode != types.index("revocation"))
    base &= day <= eval_day
    if ruleset.evaluation.mode == "annual":
        base &= day >= day_of(period.start)
    if len(firm):
        base &= graded[firm]
    rows = np.flatnonzero(base)
    rows = rows[np.argsort(tcode[rows], kind="stable")]  # by type, input order within a type
    tc = tcode[rows]
    return _Events(
        rows=rows, firm=firm[rows].astype(np.int64), day=day[rows].astype(np.int64),
        type_code=tc, sev=_codes(ev["severity"], list(SEVERITIES), rows),
        med=_codes(ev["medium"], list(MEDIA), rows),
        fen=ev["amount_fen"].to_numpy(np.int64)[rows],
        type_start=np.searchsorted(tc, np.arange(len(types) + 1), side="left"),
        ids=_arrow(ev["event_id"]), type_codes={t: i for i, t in enumerate(types)})


def _match(e: _Events, m: Match, eval_day: int) -> np.ndarray:
    """Positions (in ``e``'s arrays) of the events that count for a match."""
    codes = sorted(e.type_codes[t] for t in m.types)
    sel = np.concatenate([np.arange(e.type_start[c], e.type_start[c + 1]) for c in codes]
                         ) if codes else np.zeros(0, np.int64)
    keep = np.ones(len(sel), dtype=bool)
    if m.severity is not None:
        keep &= np.isin(e.sev[sel], [list(SEVERITIES).index(x) for x in m.severity])
    if m.medium is not None:
        keep &= np.isin(e.med[sel], [list(MEDIA).index(x) for x in m.medium])
    if m.amount_min is not None or m.amount_max is not None:
        fen = e.fen[sel]
        if m.amount_min is not None:
            keep &= fen >= _fen_ceiling(m.amount_min)
        if m.amount_max is not None:
            keep &= (fen >= 0) & (fen < _fen_ceiling(m.amount_max))
    start = e.day[sel] + m.effective_after_days
    keep &= start <= eval_day
    if m.valid_months is not None and keep.any():
        k = np.flatnonzero(keep)
        keep[k] = eval_day < add_months_days(start[k], m.valid_months)
    return sel[keep]


def _ids_of(e: _Events, sel: np.ndarray) -> pa.Array:
    """The event ids of the matched positions ``sel``."""
    return e.ids.take(pa.array(e.rows[sel]))


def _join_by_firm(firm: np.ndarray, text: np.ndarray | pa.Array) -> pd.Series:
    """';'-joined texts per firm, texts sorted, indexed by firm (ascending).

    Sorting and joining run in Arrow's C++ kernels (sort_indices, binary_join on list
    offsets), so evidence strings for millions of events cost no Python per firm.
    """
    if len(firm) == 0:
        return pd.Series(dtype=object)
    t = pa.table({"f": pa.array(np.asarray(firm, dtype=np.int64)),
                  "t": text if isinstance(text, pa.Array) else pa.array(text, type=pa.string())})
    t = t.take(pc.sort_indices(t, sort_keys=[("f", "ascending"), ("t", "ascending")]))
    f = t.column("f").to_numpy()
    starts = np.flatnonzero(np.r_[True, f[1:] != f[:-1]])
    offsets = pa.array(np.r_[starts, len(f)].astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, t.column("t").combine_chunks()), ";")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=f[starts], dtype=object)


def format_cents_array(cents: np.ndarray) -> np.ndarray:
    """Vector form of :func:`ecocredit.ruleset.format_cents` (object array of str).

    Examples
    --------
    >>> format_cents_array(np.array([-1050, 0, 2, 300])).tolist()
    ['-10.5', '0', '0.02', '3']
    """
    c = np.asarray(cents, dtype=np.int64)
    if len(c) == 0:
        return np.empty(0, dtype=object)
    inv, uniq = pd.factorize(c)  # points take few distinct values
    return np.asarray([format_cents(int(v)) for v in uniq], dtype=object)[inv]


def _str_series(a: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow string array as a pandas ``str`` Series (no copy of the strings)."""
    return pd.Series(a, dtype="str")


class _Contributions:
    """Collects contribution rows per rule as column arrays; :meth:`frame` orders them by firm
    and rule once, at the end. Per-rule texts (id, citation, kind, label) are kept once per
    rule and expanded by an Arrow take, never built as a million Python strings."""

    def __init__(self) -> None:
        self.firms: list[np.ndarray] = []
        self.orders: list[int] = []
        self.cents: list[np.ndarray] = []
        self.evidence: list[str | np.ndarray | pa.Array] = []
        self.effect: list[str | np.ndarray] = []
        self.meta: list[tuple[str, str, str, str]] = []

    def add(self, order: int, rule: Any, firms: np.ndarray, cents: np.ndarray,
            evidence: pd.Series | np.ndarray | pa.Array, effect: str | np.ndarray = ""
            ) -> None:
        if len(firms) == 0:
            return
        self.firms.append(np.asarray(firms, dtype=np.int64))
        self.orders.append(order)
        self.cents.append(np.asarray(cents, dtype=np.int64))
        self.evidence.append(evidence if isinstance(evidence, pa.Array)
                             else np.asarray(evidence, dtype=object))
        self.effect.append(effect if isinstance(effect, str) else np.asarray(effect, object))
        self.meta.append((str(rule.id), str(rule.reference), str(rule.kind), str(rule.label)))

    def frame(self, firm_ids: pa.Array) -> pd.DataFrame:
        """The contributions table, by firm, then rule order (contract columns and
        ``points_cents``)."""
        if not self.firms:
            c = pd.DataFrame({k: pd.Series(dtype=object) for k in CONTRIBUTION_COLUMNS})
            c["points_cents"] = pd.Series(dtype=np.int64)
            return c
        sizes = [len(x) for x in self.firms]
        firm = np.concatenate(self.firms)
        part = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        order = np.asarray(self.orders, dtype=np.int64)[part]
        perm = np.lexsort((order, firm))  # stable: parts in the order they were added
        part = part[perm]
        cents = np.concatenate(self.cents)[perm]

        take = pa.array(perm)

        def texts(parts: list[str | np.ndarray | pa.Array]) -> pd.Series:
            arrays = [pa.repeat(pa.scalar(p, pa.string()), n) if isinstance(p, str)
                      else p if isinstance(p, pa.Array) else pa.array(p, type=pa.string())
                      for p, n in zip(parts, sizes)]
            return _str_series(pa.concat_arrays(arrays).take(take))

        def per_rule(k: int) -> pd.Series:
            d = pa.array([m[k] for m in self.meta], type=pa.string())
            return _str_series(d.take(pa.array(part)))

        inv, uniq = pd.factorize(cents)  # points take few distinct values
        points = pa.array([format_cents(int(v)) for v in uniq], type=pa.string()).take(
            pa.array(inv))
        return pd.DataFrame({
            "firm_id": _str_series(firm_ids.take(pa.array(firm[perm]))),
            "rule_id": per_rule(0), "points": _str_series(points),
            "evidence": texts(self.evidence),
            "reference": per_rule(1), "kind": per_rule(2), "effect": texts(self.effect),
            "label": per_rule(3), "points_cents": cents})


def _where(col: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``test`` (on the values as strings) for every row, as a bool array; a categorical
    column is tested on its categories, not its rows."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        per_cat = test(pd.Series(col.cat.categories.astype(str))).to_numpy(dtype=bool)
        return np.append(per_cat, False)[col.cat.codes.to_numpy()]  # code -1: missing
    return test(col.astype(str)).to_numpy(dtype=bool)


def _history_mask(prep: Prepared, cond: Any, period: Period, n: int, graded: np.ndarray
                  ) -> tuple[np.ndarray, pd.Series]:
    labels = previous_periods(period, cond.periods)
    h = prep.history
    sel = h["period"].isin(labels).to_numpy()
    hit = sel & (h["grade"].isin(cond.grades).to_numpy() | h["list"].isin(cond.lists).to_numpy())
    firm = h["firm_idx"].to_numpy(np.int64)[hit]
    counts = np.bincount(firm, minlength=n)
    ok = counts >= 1 if cond.require == "any" else counts >= len(labels)
    text = ("history " + h["period"][hit].astype(str) + ": " + h["grade"][hit].astype(str)
            + np.where(h["list"][hit] != "", " (" + h["list"][hit].astype(str) + " list)", ""))
    return ok & graded, _join_by_firm(firm, text.to_numpy(object))


_NO_DAY = np.iinfo(np.int64).min


def _iso_days(days: np.ndarray) -> np.ndarray:
    """int days since 1970 → ISO date strings ('' for no day)."""
    d = np.asarray(days, dtype=np.int64)
    out = np.full(len(d), "", dtype=object)
    has = d != _NO_DAY
    if has.any():
        out[has] = np.datetime_as_string(d[has].astype("datetime64[D]")).astype(object)
    return out


def _condition(e: _Events, prep: Prepared, w: Any, period: Period, n: int, graded: np.ndarray,
               eval_day: int) -> tuple[np.ndarray, list[pd.Series]]:
    """Where a condition's events and history parts hold, with their evidence per firm."""
    cond = graded.copy()
    evidence_parts: list[pd.Series] = []
    if w.events is not None:
        sel = _match(e, w.events, eval_day)
        mf = e.firm[sel]
        if w.count == "types":  # distinct event types per firm
            pairs = np.unique(mf * 65536 + e.type_code[sel].astype(np.int64))
            counts = np.bincount(pairs // 65536, minlength=n)
        else:
            counts = np.bincount(mf, minlength=n)
        cond &= counts < w.fewer_than if w.fewer_than is not None else counts >= w.at_least
        evidence_parts.append(_join_by_firm(mf, _ids_of(e, sel)))
    if w.history is not None:
        hmask, htext = _history_mask(prep, w.history, period, n, graded)
        cond &= hmask
        evidence_parts.append(htext)
    return cond, evidence_parts


def _list_condition(e: _Events, prep: Prepared, ruleset: Ruleset, w: Any, period: Period, n: int,
                    graded: np.ndarray, eval_day: int, grade: np.ndarray, vetoed: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """A list condition: the period's grade and veto, then events and history; evidence text."""
    cond = graded.copy()
    ev = np.full(n, "", dtype=object)

    def append(txt: np.ndarray) -> None:
        nonlocal ev
        sep = np.where((ev != "") & (txt != ""), ";", "")
        ev = ev + sep + txt

    gids = np.asarray(ruleset.grade_ids, dtype=object)
    if w.grades:
        cond &= np.isin(grade, [ruleset.grade_index[g] for g in w.grades])
        append("grade " + gids[grade] if n else np.empty(0, object))
    if w.vetoed is not None:
        cond &= vetoed == w.vetoed
        append(np.where(vetoed, "vetoed", "not vetoed").astype(object))
    c2, parts = _condition(e, prep, w, period, n, graded, eval_day)
    cond &= c2
    for part in parts:
        append(part.reindex(np.arange(n)).fillna("").to_numpy(object))
    return cond, ev


def _active_history_lists(prep: Prepared, ruleset: Ruleset, period: Period, eval_day: int, n: int
                          ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per list: the latest end (int day, or _NO_DAY) of a published entry still in force on the
    evaluation date, and its evidence text, per firm."""
    h = prep.history
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    labels = h["period"].astype(str).to_numpy(object)
    ends = {lab: day_of(parse_period(lab).end) for lab in set(labels)}
    pend = pd.Series(labels, dtype=object).map(ends).to_numpy(np.int64)  # per distinct label
    lst = h["list"].to_numpy(object)
    given = h["list_until_day"].to_numpy(np.int64)
    firm = h["firm_idx"].to_numpy(np.int64)
    before = pend < day_of(period.start)
    for name in ("red", "black"):
        if name not in ruleset.declared_lists():  # a list the ruleset does not keep
            out[name] = (np.full(n, _NO_DAY, dtype=np.int64), np.full(n, "", dtype=object))
            continue
        months = getattr(ruleset.lists.history_months, name)
        sel = before & (lst == name)
        until = np.where(given != NO_DATE, given,
                         add_months_days(pend, months) if len(pend) else pend)
        sel &= until >= eval_day  # list_until is the last day on the list
        best = np.full(n, _NO_DAY, dtype=np.int64)
        np.maximum.at(best, firm[sel], until[sel])
        text = ("history " + pd.Series(labels[sel], dtype=object) + ": " + name
                + " list until " + pd.Series(_iso_days(until[sel]), dtype=object))
        joined = _join_by_firm(firm[sel], text.to_numpy(object))
        out[name] = (best, joined.reindex(np.arange(n)).fillna("").to_numpy(object))
    return out


def _lists(e: _Events, prep: Prepared, ruleset: Ruleset, period: Period, eval_day: int, n: int,
           graded: np.ndarray, grade: np.ndarray, vetoed: np.ndarray, contrib: "_Contributions"
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List entries this period (every rule that holds enters the firm; per list the latest end
    counts), combined with entries of the history still in force; black dominates red. Returns
    list code, end day, and the evidence of the black list per firm."""
    hist = _active_history_lists(prep, ruleset, period, eval_day, n)
    entry_until = {k: np.full(n, _NO_DAY, dtype=np.int64) for k in ("red", "black")}
    entry_ev = {k: np.full(n, "", dtype=object) for k in ("red", "black")}
    start = np.full(n, eval_day, dtype=np.int64)
    for li, r in enumerate(ruleset.list_rules()):
        if not ruleset.rule_in_force(r, date_of(eval_day)):
            continue
        cond, ev = _list_condition(e, prep, ruleset, r.when, period, n, graded, eval_day, grade,
                                   vetoed)
        new = cond.copy()
        if r.list == "red":  # black rules come first; a black-listed firm enters no red list
            new &= (entry_until["black"] == _NO_DAY) & (hist["black"][0] == _NO_DAY)
        if r.serious_when is not None:
            scond, sev = _list_condition(e, prep, ruleset, r.serious_when, period, n, graded,
                                         eval_day, grade, vetoed)
            sep = np.where((ev != "") & (sev != "") & scond, ";", "")
            ev = ev + sep + np.where(scond, sev, "")
            until = np.where(scond, add_months_days(start, r.serious_duration_months),
                             add_months_days(start, r.duration_months))
        else:
            scond = np.full(n, r.serious, dtype=bool)
            until = add_months_days(start, r.duration_months)
        idx = np.flatnonzero(new)
        if not len(idx):
            continue
        entry_until[r.list][idx] = np.maximum(entry_until[r.list][idx], until[idx])
        iso = _iso_days(until[idx])
        text = r.id + ": " + r.list + " list until " + iso
        prev = entry_ev[r.list][idx]
        entry_ev[r.list][idx] = prev + np.where(prev != "", ";", "") + text
        effect = (r.list + " list" + np.where(scond[idx], " (serious)", "").astype(object)
                  + " until " + iso)
        contrib.add(3_000_000 + li, r, idx, np.zeros(len(idx), np.int64), ev[idx], effect)
    code = np.zeros(n, dtype=np.int64)
    until_out = np.full(n, _NO_DAY, dtype=np.int64)
    for c, name in ((1, "red"), (2, "black")):  # black last: it dominates red
        u = np.maximum(entry_until[name], hist[name][0])
        on = graded & (u != _NO_DAY)
        code[on] = c
        until_out[on] = u[on]
    for c, name in ((1, "red"), (2, "black")):
        # the list in force comes from the history only: a row says so, with its evidence
        idx = np.flatnonzero((code == c) & (entry_until[name] == _NO_DAY))
        if len(idx):
            contrib.add(3_900_000 + c, _HistoryList(ruleset, name), idx,
                        np.zeros(len(idx), np.int64), hist[name][1][idx],
                        name + " list until " + _iso_days(until_out[idx]))
    black_ev = np.where(entry_ev["black"] != "", entry_ev["black"], hist["black"][1])
    return code, until_out, black_ev


def score_prepared(prep: Prepared, ruleset: Ruleset, period: Period, eval_date: dt.date
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every firm of a prepared input in one vectorized pass.

    Parameters
    ----------
    prep : Prepared
        Validated inputs from :func:`ecocredit.ingest.prepare`.
    ruleset : Ruleset
    period : Period
    eval_date : date
        The evaluation date (see :meth:`Ruleset.evaluation_date`).

    Returns
    -------
    scores, contributions : DataFrame
        ``scores`` has the contract's columns plus ``score_cents`` (exact), ``grade_rank``,
        ``grade_colour``, ``base_score`` and ``not_graded_reason``; ``contributions`` has the
        contract's columns plus ``points_cents``, ``kind``, ``effect`` and ``label``.
    """
    f = prep.firms
    n = len(f)
    eval_day = day_of(eval_date)
    status = f["status"].to_numpy(object)
    incl = f["included_day"].to_numpy(np.int64)
    reason = np.where(np.isin(status, ["closed", "suspended"]), status,
                      np.where((incl != np.iinfo(np.int32).min) & (incl > eval_day),
                               "not_yet_included", "")).astype(object)
    graded = reason == ""
    e = _event_arrays(prep, ruleset, period, eval_day, graded)
    sc = ruleset.scoring
    total = np.full(n, to_cents(sc.base), dtype=np.int64)
    positive = total.copy()  # base + positive points: what scoring.max caps
    worst_ind = np.zeros(n, dtype=np.int64)
    contrib = _Contributions()
    in_force = [r for r in ruleset.rules if ruleset.rule_in_force(r, eval_date)]
    order = {r.id: i for i, r in enumerate(ruleset.rules)}
    m = prep.measurements
    graded_idx = np.flatnonzero(graded)

    for r in in_force:
        if r.kind == "tiers":
            ind = ruleset.indicator_map[r.indicator]
            sel = _where(m["indicator"], lambda v: v == r.indicator)
            if len(period.label) == 4:
                sel &= _where(m["period"], lambda v: v.str[:4] == period.label)
            else:
                sel &= _where(m["period"], lambda v: v.isin([period.label, period.label[:4]]))
            rows = m[sel]
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
            pick = o[first]
            tier_pts = np.array([to_cents(r.weight * t.points) for t in r.tiers], dtype=np.int64)
            worst_rank = len(ruleset.grades) - 1
            tier_grade = np.array([ruleset.grade_index[t.grade] if t.grade else worst_rank
                                   for t in r.tiers], dtype=np.int64)
            pts = np.full(n, to_cents(r.weight * r.missing_points), dtype=np.int64)
            g = np.full(n, ruleset.grade_index.get(r.missing_grade, len(ruleset.grades) - 1)
                        if r.missing_grade else len(ruleset.grades) - 1, dtype=np.int64)
            src = np.full(n, len(pick), dtype=np.int64)  # row of each firm's text
            texts = pa.array([], pa.string())
            if len(pick):
                pf = rfirm[pick]
                t = tier_of_uniq[inv[pick]]
                pts[pf] = tier_pts[t]
                g[pf] = tier_grade[t]
                src[pf] = np.arange(len(pick))
                texts = pc.binary_join_element_wise(
                    f"{r.indicator}=", pa.array(np.asarray(uniq, dtype=object)[inv[pick]],
                                                type=pa.string()),
                    " (", pa.array(np.asarray([str(x) for x in puniq], dtype=object)[
                        pinv[pick]], type=pa.string()), ")", "")
            total[graded] += pts[graded]
            positive[graded] += np.maximum(pts[graded], 0)
            worst_ind[graded] = np.maximum(worst_ind[graded], g[graded])
            texts = pa.concat_arrays([texts, pa.array([f"{r.indicator}: no value"])])
            contrib.add(order[r.id], r, graded_idx, pts[graded_idx],
                        texts.take(pa.array(src[graded_idx])))
        elif r.kind in ("event_points", "bonus", "count_threshold"):
            sel = _match(e, r.match, eval_day)
            mf = e.firm[sel]
            counts = np.bincount(mf, minlength=n)
            p = to_cents(r.points)
            if r.kind == "count_threshold":
                pts = np.where(counts >= r.at_least, p, 0).astype(np.int64)
            else:
                pts = counts * p
                if r.cap is not None:
                    cap = to_cents(r.cap)
                    pts = np.clip(pts, -cap, cap)
            total += pts
            positive += np.maximum(pts, 0)
            hit = np.flatnonzero(pts != 0)
            if len(hit):
                ev = _join_by_firm(mf, _ids_of(e, sel))
                contrib.add(order[r.id], r, hit, pts[hit], ev.reindex(hit).to_numpy(object))

    # the declared range, with a row that says so (so contributions add up to the score):
    # bonuses cannot lift the score above max (deductions come off the capped value), and the
    # total never goes below min
    if sc.max is not None:
        hi = to_cents(sc.max)
        excess = np.where(graded, np.maximum(positive - hi, 0), 0)
        idx = np.flatnonzero(excess)
        total = total - excess
        contrib.add(1_000_000, _ScoringBound(ruleset, "max"), idx, -excess[idx],
                    np.full(len(idx), f"score limited to {format_cents(hi)}", object))
    if sc.min is not None:
        lo = to_cents(sc.min)
        short = np.where(graded, np.maximum(lo - total, 0), 0)
        idx = np.flatnonzero(short)
        total = total + short
        contrib.add(1_000_001, _ScoringBound(ruleset, "min"), idx, short[idx],
                    np.full(len(idx), f"score limited to {format_cents(lo)}", object))

    # grade from the bands (or the worst indicator)
    if sc.grade_by == "bands":
        mins = np.array([to_cents(b.min) for b in sc.bands[:-1]], dtype=np.int64)
        band_rank = np.array([ruleset.grade_index[b.grade] for b in sc.bands], dtype=np.int64)
        band = (total[:, None] < mins[None, :]).sum(axis=1) if len(mins) else np.zeros(n, np.int64)
        grade = band_rank[band]
    else:
        grade = worst_ind.copy()

    # overrides in priority order
    worst = len(ruleset.grades) - 1
    vetoed = np.zeros(n, dtype=bool)
    applied: list[tuple[np.ndarray, str]] = []
    for oi, r in enumerate(ruleset.overrides()):
        if not ruleset.rule_in_force(r, eval_date):
            continue
        cond, evidence_parts = _condition(e, prep, r.when, period, n, graded, eval_day)
        if r.kind == "downgrade":
            new = np.where(cond, np.minimum(grade + r.levels, worst), grade)
        else:
            target = ruleset.grade_index[r.grade] if r.grade else worst
            new = np.where(cond, np.maximum(grade, target), grade)
            if r.kind == "veto":
                vetoed |= cond
        changed = np.flatnonzero(new != grade)
        if len(changed):
            ev = np.full(len(changed), "", dtype=object)
            for part in evidence_parts:
                txt = part.reindex(changed).fillna("").to_numpy(object)
                sep = np.where((ev != "") & (txt != ""), ";", "")
                ev = ev + sep + txt
            effect = (pd.Series(ruleset.grade_ids, dtype=object).to_numpy()[grade[changed]]
                      + "→" + pd.Series(ruleset.grade_ids, dtype=object).to_numpy()[new[changed]])
            contrib.add(2_000_000 + oi, r, changed, np.zeros(len(changed), np.int64), ev,
                        effect)
            applied.append((changed, r.id))
        grade = new

    # lists (红名单 / 黑名单), then the top-grade cap of black-listed firms
    list_code = np.zeros(n, dtype=np.int64)  # 0 none, 1 red, 2 black
    list_until = np.full(n, _NO_DAY, dtype=np.int64)
    if ruleset.lists is not None:
        list_code, list_until, black_ev = _lists(e, prep, ruleset, period, eval_day, n, graded,
                                                 grade, vetoed, contrib)
        cap = ruleset.lists.black_cap
        new = np.where(list_code == 2, np.maximum(grade, ruleset.black_cap_rank()), grade)
        changed = np.flatnonzero(new != grade)
        if len(changed):
            gids = np.asarray(ruleset.grade_ids, dtype=object)
            contrib.add(4_000_000, cap, changed, np.zeros(len(changed), np.int64),
                        black_ev[changed], gids[grade[changed]] + "→" + gids[new[changed]])
            applied.append((changed, cap.id))
        grade = new

    # assemble the scores table
    gid = np.asarray(ruleset.grade_ids, dtype=object)
    glabel = np.asarray([g.label for g in ruleset.grades], dtype=object)
    gcolour = np.asarray([g.colour for g in ruleset.grades], dtype=object)
    rules_applied = np.full(n, "", dtype=object)
    if applied:
        af = np.concatenate([a for a, _ in applied])
        ar = np.concatenate([np.full(len(a), i) for i, (a, _) in enumerate(applied)])
        names = np.asarray([rid for _, rid in applied], dtype=object)
        o = np.lexsort((ar, af))  # per firm, in the order the rules applied
        af, ar = af[o], ar[o]
        starts = np.flatnonzero(np.r_[True, af[1:] != af[:-1]])
        lists = pa.ListArray.from_arrays(pa.array(np.r_[starts, len(af)].astype(np.int32)),
                                         pa.array(names[ar], type=pa.string()))
        rules_applied[af[starts]] = pc.binary_join(lists, ";").to_numpy(zero_copy_only=False)
    score_str = format_cents_array(total)
    scores = pd.DataFrame({
        "firm_id": f["firm_id"].to_numpy(object),
        "name": f["name"].to_numpy(object),
        "period": period.label,
        "ruleset": ruleset.id,
        "ruleset_version": ruleset.version,
        "status": np.where(graded, "graded", "not_graded").astype(object),
        "score": np.where(graded, score_str, ""),
        "grade": np.where(graded, gid[grade] if n else gid[:0], ""),
        "grade_label": np.where(graded, glabel[grade] if n else glabel[:0], ""),
        "vetoed": vetoed & graded,
        "rules_applied": np.where(graded, rules_applied, ""),
        "list": np.asarray(["", "red", "black"], dtype=object)[list_code],
        "list_until": _iso_days(list_until),
        "grade_colour": np.where(graded, gcolour[grade] if n else gcolour[:0], ""),
        "not_graded_reason": reason,
        "score_cents": np.where(graded, total, 0).astype(np.int64),
        "grade_rank": np.where(graded, grade, -1).astype(np.int64),
    })

    c = contrib.frame(_arrow(f["firm_id"]))
    return scores, c[CONTRIBUTION_COLUMNS + ["points_cents"]]


class _ScoringBound:
    """A pseudo-rule for the clamp to scoring.min / scoring.max, so contributions reconcile."""

    kind = "bound"

    def __init__(self, ruleset: Ruleset, which: str) -> None:
        self.id = f"scoring.{which}"
        self.reference = f"{ruleset.title.zh}: scoring.{which}"
        self.label = f"score limited to the scheme's {'lowest' if which == 'min' else 'highest'} value"


class _HistoryList:
    """A pseudo-rule for a list entry published earlier and still in force (history table)."""

    kind = "list"

    def __init__(self, ruleset: Ruleset, which: str) -> None:
        self.id = f"lists.history.{which}"
        self.reference = (f"{ruleset.title.zh}: lists (history table; without list_until an "
                          f"entry lasts {getattr(ruleset.lists.history_months, which)} months)")
        self.label = f"{which} list entry published earlier, still in force"
