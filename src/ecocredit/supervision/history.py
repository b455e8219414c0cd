"""The inspection history: earlier checks (or earlier quarters' plans) as the draw reads them —
visits this year, visits in each class's coverage cycle, and the officers of each firm's last
check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..days import day_of
from ..errors import InputError, missing_column_message
from ..read.parse import no_such_day
from .inputs import _Rej, _split_ids, _table
from .policy import VISIT_KINDS

_HISTORY_ALIASES = {"统一社会信用代码": "firm_id", "检查日期": "date", "日期": "date",
                    "执法人员": "inspector_ids", "检查类型": "kind"}


@dataclass
class History:
    """Inspection history rows usable for a quarter (before it starts)."""

    table: pd.DataFrame   # firm_id, day, inspector_ids (tuple), kind
    rejects: pd.DataFrame
    rows_read: int
    rows_used: int
    rows_later: int
    rows_unstaffed: int
    files: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        """The rows rejected: distinct (file, row) of ``rejects`` (a row with two problems has
        two lines there but is one row)."""
        if not len(self.rejects):
            return 0
        return len(self.rejects[["file", "row"]].drop_duplicates())


def read_history(objs: Any, firm_ids: Iterable[str], before: dt.date | None = None,
                 names: Sequence[str] | None = None) -> History:
    """Read the inspection history: ``firm_id, date, inspector_ids (';'), kind``.

    ``objs`` is a table or path, or a list of them (e.g. earlier quarters' ``plan.csv``: their
    extra columns are ignored, and rows with ``status = unstaffed`` are skipped as checks that
    did not happen). Rows dated on or after ``before`` are not used (not rejected either).
    ``kind`` is ``random``, ``special`` or ``assistance`` (empty: random).

    Parameters
    ----------
    objs : DataFrame, path, or a list of them, or None
        The history tables (None: no history).
    firm_ids : iterable of str
        The accepted firms; a row naming another firm is rejected (``unknown_firm``).
    before : date, optional
        The first day of the quarter drawn: rows dated on or after it are not used.
    names : sequence of str, optional
        The file names written in the rejects, one per table.

    Returns
    -------
    History
        The checks used (one row per check, its officers as a tuple), the rejects and the
        counts of rows read, used, later and unstaffed.

    Raises
    ------
    InputError
        A file cannot be read, an item is neither a table nor a path, or a required column
        (``firm_id``, ``date``) is missing.
    """
    if objs is None:
        objs = []
    if isinstance(objs, (str, Path, pd.DataFrame)):
        objs = [objs]
    known = pd.Index(sorted({str(f) for f in firm_ids}))
    parts = []
    rej = _Rej()
    read = later = unstaffed = 0
    files = []
    for k, obj in enumerate(objs):
        df, file = _table(obj, "inspection history", _HISTORY_ALIASES)
        if names and k < len(names):
            file = names[k]
        files.append(file)
        part, n_late, n_unstaffed = _history_rows(_with_columns(df, file), file, known, before,
                                                  rej)
        parts.append(part)
        read += len(df)
        later += n_late
        unstaffed += n_unstaffed
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"firm_id": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
         "inspector_ids": pd.Series(dtype=object), "kind": pd.Series(dtype=object)})
    return History(table, rej.frame(), read, len(table), later, unstaffed, files)


def _with_columns(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """``df`` with the optional columns added empty.

    Raises
    ------
    InputError
        A required column (``firm_id``, ``date``) is missing.
    """
    for c in ("firm_id", "date"):
        if c not in df.columns:
            raise InputError(missing_column_message(
                file, "inspection history", c, _HISTORY_ALIASES,
                df.attrs.get("headers", df.columns)), file=file, column=c,
                reason_code="missing_column")
    for c in ("inspector_ids", "kind", "status"):
        if c not in df.columns:
            df[c] = ""
    return df


def _history_rows(df: pd.DataFrame, file: str, known: pd.Index, before: dt.date | None,
                  rej: _Rej) -> tuple[pd.DataFrame, int, int]:
    """One history table's checks: each row is rejected (an unknown firm, a bad date or
    kind: added to ``rej``), skipped (unstaffed, or dated on or after ``before``) or used.
    Returns the rows used (firm_id, day, inspector_ids, kind) and the counts of rows later
    and unstaffed."""
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    fid = df["firm_id"].astype(str).str.strip().str.upper()
    unk = (known.get_indexer(fid) < 0)
    rej.add(file, np.flatnonzero(unk), "firm_id", "unknown_firm", fid[unk],
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    bad |= unk
    ds = df["date"].astype(str).str.strip()
    parsed = pd.to_datetime(ds, format="%Y-%m-%d", errors="coerce")
    okd = parsed.notna().to_numpy() & (ds.str.len() == 10).to_numpy()
    for r, v in zip(np.flatnonzero(~okd), ds[~okd]):
        rej.add(file, [r], "date", "bad_date", [v],
                no_such_day(v) or "Not a date in the form YYYY-MM-DD.")
    bad |= ~okd
    kind = df["kind"].astype(str).str.strip().str.lower().replace("", "random")
    okk = kind.isin(VISIT_KINDS).to_numpy()
    rej.add(file, np.flatnonzero(~okk), "kind", "bad_value", df["kind"][~okk],
            f"'kind' must be one of {', '.join(VISIT_KINDS)} (or empty for random).")
    bad |= ~okk
    skip = (df["status"].astype(str).str.strip().str.lower() == "unstaffed").to_numpy() & ~bad
    days = np.zeros(n, dtype=np.int64)
    if okd.any():
        days[okd] = (parsed[okd].to_numpy(dtype="datetime64[D]")
                     - np.datetime64("1970-01-01", "D")).astype(np.int64)
    late = ~bad & ~skip & (days >= day_of(before)) if before is not None else \
        np.zeros(n, dtype=bool)
    use = ~bad & ~skip & ~late
    return pd.DataFrame({
        "firm_id": fid[use].to_numpy(dtype=object),
        "day": days[use],
        "inspector_ids": [_split_ids(x) for x in df["inspector_ids"][use]],
        "kind": kind[use].to_numpy(dtype=object),
    }), int(late.sum()), int(skip.sum())


def plan_history(plan: pd.DataFrame) -> pd.DataFrame:
    """The staffed checks of a plan as inspection-history rows (firm_id, date, inspector_ids,
    kind), to feed the next quarter's draw.

    Parameters
    ----------
    plan : DataFrame
        ``DrawResult.plan`` (or a plan.csv read as text), with ``status``, ``firm_id``,
        ``date``, ``inspector_ids`` and ``kind``.

    Returns
    -------
    DataFrame
        One row per staffed check (unstaffed checks did not happen).

    Raises
    ------
    KeyError
        A column above is missing from ``plan``.
    """
    p = plan[plan["status"] == "staffed"]
    return pd.DataFrame({"firm_id": p["firm_id"].to_numpy(dtype=object),
                         "date": p["date"].to_numpy(dtype=object),
                         "inspector_ids": p["inspector_ids"].to_numpy(dtype=object),
                         "kind": p["kind"].to_numpy(dtype=object)})



@dataclass
class Visits:
    """What the history says as a quarter starts, per firm (aligned with the sorted firms).

    Attributes
    ----------
    year : int array
        Visits (of the kinds the coverage counts) since 1 January of the quarter's year.
    cycle : int array
        Visits since the start of the firm's class's coverage cycle (the year without one).
    cycles : dict
        Class → (coverage rule, first year, last year, quarters left in the cycle, this one
        included), for the classes with a coverage aim.
    last_pair : dict
        Firm position → the officers of its last check.
    """

    year: np.ndarray
    cycle: np.ndarray
    cycles: dict[str, tuple[Any, int, int, int]]
    last_pair: dict[int, frozenset[str]]


def visits_before(pol: Any, qt: Any, hist: History, fid: np.ndarray, cls: np.ndarray
                  ) -> Visits:
    """Summarize the history ``hist`` for the firms ``fid`` (classes ``cls``) as quarter ``qt``
    of policy ``pol`` starts."""
    n = len(fid)
    day = qt.start
    h = hist.table
    pos = pd.Index(fid).get_indexer(h["firm_id"]) if len(h) else np.array([], dtype=np.int64)
    hday = h["day"].to_numpy(dtype=np.int64) if len(h) else np.array([], dtype=np.int64)
    counts = h["kind"].isin(list(pol.coverage_counts)).to_numpy() if len(h) \
        else np.array([], dtype=bool)
    year_start = day_of(dt.date(qt.year, 1, 1))
    visits_year = np.bincount(pos[counts & (hday >= year_start)], minlength=n)
    cycle_start = np.full(n, year_start, dtype=np.int64)
    cycle_info: dict[str, tuple[Any, int, int, int]] = {}
    for c in ("A", "B", "C"):
        cov = pol.coverage_for(c, day)
        if cov is None:
            continue
        y0, y1 = cov.cycle(qt.year)
        left = (y1 - qt.year) * 4 + (4 - qt.q) + 1
        cycle_info[c] = (cov, y0, y1, left)
        cycle_start[cls == c] = day_of(dt.date(y0, 1, 1))
    visits_cycle = np.bincount(pos[counts & (hday >= cycle_start[pos])], minlength=n) \
        if len(h) else np.zeros(n, dtype=np.int64)
    last_pair: dict[int, frozenset[str]] = {}
    if len(h):
        order = np.lexsort((np.arange(len(h)), hday))
        ids = h["inspector_ids"].to_numpy(dtype=object)
        for i in order:
            if ids[i]:
                last_pair[int(pos[i])] = frozenset(ids[i])
    return Visits(visits_year, visits_cycle, cycle_info, last_pair)
