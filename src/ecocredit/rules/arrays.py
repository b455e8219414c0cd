"""Column helpers of the vectorized pass: the event arrays a match reads, per-firm evidence
joined in Arrow, the contributions collector, and :class:`VectorState`, what every kind's
vectorized apply reads and updates.

No per-firm Python loop: evidence strings for millions of events are sorted and joined in
Arrow's C++ kernels, per-rule texts are expanded by an Arrow take.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..points import format_cents

__all__ = ["Events", "VectorState", "Contributions", "CONTRIBUTION_COLUMNS", "arrow", "codes",
           "where", "join_by_firm", "ids_of", "append_text", "format_cents_array"]

CONTRIBUTION_COLUMNS = ["firm_id", "rule_id", "points", "evidence", "reference", "kind",
                        "effect", "label"]


@dataclass
class Events:
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


def arrow(s: pd.Series) -> pa.Array:
    """A column as one Arrow string array."""
    a = pa.array(s, type=pa.string(), from_pandas=True)
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def codes(col: pd.Series, vocab: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Position of each value in ``vocab`` (-1 for a value outside it, such as '' for none),
    of every row or of ``rows``.

    Mapped on the distinct values (the column's categories when it is categorical), so no
    Categorical is ever built from values outside its categories.
    """
    index = pd.Index(vocab)
    if isinstance(col.dtype, pd.CategoricalDtype):
        lookup = index.get_indexer(col.cat.categories.astype(str))
        table = np.append(lookup, -1).astype(np.int16)  # code -1 (missing) reads the last
        c = col.cat.codes.to_numpy()
        return table[c if rows is None else c[rows]]
    return index.get_indexer((col if rows is None else col.iloc[rows]).astype(str)
                             ).astype(np.int16)


def where(col: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``test`` (on the values as strings) for every row, as a bool array; a categorical
    column is tested on its categories, not its rows."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        per_cat = test(pd.Series(col.cat.categories.astype(str))).to_numpy(dtype=bool)
        return np.append(per_cat, False)[col.cat.codes.to_numpy()]  # code -1: missing
    return test(col.astype(str)).to_numpy(dtype=bool)


def ids_of(e: Events, sel: np.ndarray) -> pa.Array:
    """The event ids of the matched positions ``sel``."""
    return e.ids.take(pa.array(e.rows[sel]))


def join_by_firm(firm: np.ndarray, text: np.ndarray | pa.Array) -> pd.Series:
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


def append_text(ev: np.ndarray, txt: np.ndarray) -> np.ndarray:
    """Per firm, ``ev`` and ``txt`` joined by ';' (no separator next to an empty text)."""
    sep = np.where((ev != "") & (txt != ""), ";", "")
    return ev + sep + txt


def format_cents_array(cents: np.ndarray) -> np.ndarray:
    """Vector form of :func:`ecocredit.points.format_cents` (object array of str).

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


def str_series(a: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow string array as a pandas ``str`` Series (no copy of the strings)."""
    return pd.Series(a, dtype="str")


class Contributions:
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
            return str_series(pa.concat_arrays(arrays).take(take))

        def per_rule(k: int) -> pd.Series:
            d = pa.array([m[k] for m in self.meta], type=pa.string())
            return str_series(d.take(pa.array(part)))

        inv, uniq = pd.factorize(cents)  # points take few distinct values
        points = pa.array([format_cents(int(v)) for v in uniq], type=pa.string()).take(
            pa.array(inv))
        return pd.DataFrame({
            "firm_id": str_series(firm_ids.take(pa.array(firm[perm]))),
            "rule_id": per_rule(0), "points": str_series(points),
            "evidence": texts(self.evidence),
            "reference": per_rule(1), "kind": per_rule(2), "effect": texts(self.effect),
            "label": per_rule(3), "points_cents": cents})


@dataclass
class VectorState:
    """What the vectorized pass holds while it runs, one entry per firm in every array.

    Point kinds add to ``total`` (and ``positive``, the base plus every positive amount, which
    ``scoring.max`` caps) and ``worst_ind``; overrides, list entries and the black cap move
    ``grade`` (rank, 0 = best) and record ``applied`` (firms, rule id); every kind adds its
    rows to ``contrib``. ``lists`` is the scratch of the list stage.
    """

    plan: Any
    prep: Any
    n: int
    graded: np.ndarray
    events: Events
    total: np.ndarray
    positive: np.ndarray
    worst_ind: np.ndarray
    contrib: Contributions
    grade: np.ndarray | None = None
    vetoed: np.ndarray | None = None
    applied: list[tuple[np.ndarray, str]] = field(default_factory=list)
    list_code: np.ndarray | None = None
    list_until: np.ndarray | None = None
    lists: dict[str, Any] = field(default_factory=dict)

    @property
    def graded_idx(self) -> np.ndarray:
        return np.flatnonzero(self.graded)

    def grade_change(self, order: int, rule: Any, new: np.ndarray,
                     evidence: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Move the grade to ``new``; the firms whose grade changed get a row (evidence from
        ``evidence(changed)``, effect ``old→new``) and the rule in ``rules_applied``."""
        changed = np.flatnonzero(new != self.grade)
        if len(changed):
            gids = np.asarray(self.plan.grade_ids, dtype=object)
            self.contrib.add(order, rule, changed, np.zeros(len(changed), np.int64),
                             evidence(changed),
                             gids[self.grade[changed]] + "→" + gids[new[changed]])
            self.applied.append((changed, rule.id))
        self.grade = new
        return changed
