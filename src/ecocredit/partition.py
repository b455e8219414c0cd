"""Partitioned scoring: split the inputs by firm, score each part, put the results together.

The national set (3.3 million firms, 100 million events) does not fit one process
comfortably; every rule reads the records of one firm only, so the inputs can be split **by
firm** and the parts scored independently, one after another or in parallel (a
``concurrent.futures`` executor, or a Dask client on a local or a real cluster), with results
identical to the one-shot :func:`ecocredit.score`.

Two entry points:

:func:`score_partitioned`
    DataFrames (or files) in, a :class:`~ecocredit.ScoreResult` out, equal to the one-shot
    result: the same scores, contributions and rejects (with the original 1-based rows), the
    same row counts.
:func:`score_files_partitioned`
    Files in, an output directory out, in bounded memory: the inputs are streamed (Parquet row
    group by row group, CSV block by block) into one Parquet file per part and table, the
    parts are scored by the workers, and the outputs are merged chunk by chunk into
    ``scores.csv``, ``contributions.csv``, ``rejects.csv`` and ``manifest.json``, byte for byte
    what ``ecocredit score`` writes for the same inputs.

How rows are assigned
---------------------
Every row of every table goes to the part ``hash(firm_id) mod partitions``, with the firm id
normalised as ingest does (strip, upper case) and a fixed hash (pandas' SipHash with its fixed
key), so a firm's events, measurements and history land with it; rows naming an unknown or an
empty firm id go wherever their id hashes and are rejected there as in a one-shot run. Each
part keeps the original row numbers of its rows, and the rejects' ``row`` (and the row named in
a ``duplicate_id`` message) are translated back to them.

What crosses parts, and what is done about it
---------------------------------------------
Ingest checks two things across firms, so they are settled globally before partitioning:

* **Duplicate firm ids** need nothing: rows with the same normalised id land in the same part,
  and the first occurrence is kept there as in a one-shot run.
* **Duplicate event ids** (the same ``event_id`` on rows of different firms, hence possibly in
  different parts): the first occurrence in the whole input is kept and every later one is
  rejected as ``duplicate_id`` naming the first one's row, as in a one-shot run. A part that
  holds a repeat but not the first occurrence receives, ahead of its own rows, a *stand-in* row
  with that event id and every other cell empty; ingest rejects the repeats as duplicates of the
  stand-in, and the stand-in's own rejects are then removed and its row replaced by the first
  occurrence's in the messages; the row counts leave it out.
* **References to another firm's event** (``ref_event_id`` naming an event of another firm): a
  one-shot run rejects them as ``unknown_ref_event`` "names an event of another firm"; a part
  that does not hold the other firm reports "names no accepted event". The pairs (row, row it
  names) that cross parts are found before partitioning, and the message is corrected after
  scoring when the row named was accepted in its own part. Either way the row is rejected and
  cancels nothing, as in a one-shot run.

The ``prepared`` tables of the result hold the same rows as a one-shot run's; the firms are in
input order, the events, measurements and history are grouped by part (each firm's rows keep
their input order), which :meth:`ScoreResult.explain` does not depend on.

Example
-------
>>> import ecocredit
>>> from ecocredit import synth
>>> from ecocredit.partition import score_partitioned
>>> t = synth.generate(200, seed=7)
>>> args = dict(period="2025", measurements=t["measurements"], history=t["history"],
...             today="2026-06-30")
>>> one = ecocredit.score(t["firms"], t["events"], "anhui-2019", **args)
>>> parts = score_partitioned(t["firms"], t["events"], "anhui-2019", partitions=4, **args)
>>> parts.scores.equals(one.scores), parts.contributions.equals(one.contributions)
(True, True)
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import EcocreditError, InputError
from .ingest import Prepared, TableStats, prepare
from .ruleset import Ruleset, load_ruleset
from .periods import parse_period
from .run import ScoreResult, score
from .vocab import COLUMN_ALIASES, TABLES

__all__ = ["score_partitioned", "score_files_partitioned", "score_on_engine", "PartitionedRun",
           "partition_of", "normalise_ids", "auto_partitions"]

ROW = "__ecocredit_row__"          # the original 0-based row, carried through part files
_ASCII_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip() removes from ASCII text
_ROW_REF = re.compile(r"\brow (\d+)\b")
_EVENTS_PER_PART = 2_500_000       # auto_partitions aims at about this many events per part


# --------------------------------------------------------------------------------------
# normalised ids and the partition of a row
# --------------------------------------------------------------------------------------


def _cell_str(x: Any) -> str:
    """A cell as ingest reads it into a string (kept in step with ingest's own rule)."""
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, (dt.datetime, pd.Timestamp)):
        return x.strftime("%Y-%m-%d") if (x.hour, x.minute, x.second) == (0, 0, 0) else x.isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _as_arrow_strings(col: Any) -> pa.Array:
    """A column (pandas Series, Arrow array) as an Arrow string array, missing as ''."""
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        arr = col
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return _as_arrow_strings(arr.to_pandas())
    else:
        s = col
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        if pd.api.types.is_string_dtype(s) and not s.dtype == object:
            arr = pa.array(s, from_pandas=True)
        else:
            arr = pa.array([_cell_str(x) for x in s.astype(object)], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pc.fill_null(arr, "")


def normalise_ids(col: Any, upper: bool = True) -> pa.Array:
    """Ids as ingest compares them: ``str.strip()`` (and ``str.upper()``), exactly.

    ASCII values go through Arrow kernels; the rare others through Python's own ``strip`` and
    ``upper``, whose Unicode rules Arrow does not share.

    Examples
    --------
    >>> normalise_ids(pd.Series([" 91ab ", None, "x\\x1f"])).to_pylist()
    ['91AB', '', 'X']
    """
    arr = _as_arrow_strings(col)
    ascii_ = pc.string_is_ascii(arr)
    out = pc.utf8_trim(arr, _ASCII_WS)
    if upper:
        out = pc.ascii_upper(out)
    if len(arr) and not pc.all(ascii_).as_py():
        other = np.flatnonzero(~ascii_.to_numpy(zero_copy_only=False))
        vals = [v.strip() for v in arr.take(pa.array(other)).to_pylist()]
        if upper:
            vals = [v.upper() for v in vals]
        py = out.to_pylist()
        for i, v in zip(other, vals):
            py[i] = v
        out = pa.array(py, type=pa.string())
    return out


def _hash(values: pa.Array) -> np.ndarray:
    """A fixed 64-bit hash of every string (pandas' SipHash with its fixed key)."""
    enc = pc.dictionary_encode(values)
    uniq = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    h = pd.util.hash_array(uniq, categorize=False) if len(uniq) else np.empty(0, np.uint64)
    return h[enc.indices.to_numpy(zero_copy_only=False)] if len(values) else np.empty(0, np.uint64)


def partition_of(firm_ids: Any, partitions: int) -> np.ndarray:
    """The part (0 … partitions-1) of each row, from its firm id (normalised, hashed).

    Examples
    --------
    The same firm written two ways lands in the same part:

    >>> parts = partition_of(pd.Series(["91360102MA35XKQ17X", " 91360102ma35xkq17x"]), 8)
    >>> bool(parts[0] == parts[1]), bool(0 <= parts[0] < 8)
    (True, True)
    """
    if partitions <= 1:
        return np.zeros(len(firm_ids), dtype=np.int32)
    return (_hash(normalise_ids(firm_ids)) % np.uint64(partitions)).astype(np.int32)


def auto_partitions(events_rows: int, workers: int = 1) -> int:
    """A number of parts for an events table of this size: about 2.5 million events each,
    and at least one per worker."""
    return max(int(workers), math.ceil(events_rows / _EVENTS_PER_PART), 1)


def _column(columns: Iterable[Any], table: str, canonical: str) -> Any:
    """The input column that ingest reads as ``canonical`` (English name or Chinese alias)."""
    aliases = COLUMN_ALIASES[table]
    required, optional = TABLES[table]
    known = set(required) | set(optional)
    for col in columns:
        c = str(col).replace("\ufeff", "").strip()
        low = c.lower()
        if aliases.get(c, low if low in known else c) == canonical:
            return col
    return None


# --------------------------------------------------------------------------------------
# what crosses parts: repeated event ids and references to another firm's event
# --------------------------------------------------------------------------------------


@dataclass
class _Crossings:
    """Settled before partitioning (see the module docstring)."""

    #: part → [(event id, 0-based row of its first occurrence)] needing a stand-in
    stand_ins: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    #: rows (0-based) whose ref_event_id names the first occurrence of an event in another
    #: part → that occurrence's row
    refs: dict[int, int] = field(default_factory=dict)
    #: part → rows (0-based) named by such references, held by that part
    targets: dict[int, list[int]] = field(default_factory=dict)

    def merge(self, other: "_Crossings") -> None:
        for p, v in other.stand_ins.items():
            self.stand_ins.setdefault(p, []).extend(v)
        self.refs.update(other.refs)
        for p, v in other.targets.items():
            self.targets.setdefault(p, []).extend(v)


def _crossings(eids: pa.Array, eid_rows: np.ndarray, eid_parts: np.ndarray,
               refs: pa.Array, ref_rows: np.ndarray, ref_parts: np.ndarray) -> _Crossings:
    """Find repeats and references across parts among these event ids (in input order)."""
    out = _Crossings()
    if len(eids) == 0:
        return out
    enc = pc.dictionary_encode(eids)
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # dictionary codes are given in order of first appearance: a row is a first occurrence
    # exactly when its code exceeds every code before it
    prev_max = np.maximum.accumulate(np.r_[-1, codes[:-1]])
    first_pos = np.flatnonzero(codes > prev_max)
    assert len(first_pos) == len(enc.dictionary) and (codes[first_pos] == np.arange(
        len(first_pos))).all(), "dictionary_encode did not number values by first appearance"
    dictionary = enc.dictionary
    empty = pc.index_in(pa.array([""]), value_set=dictionary)[0].as_py()
    first_part = eid_parts[first_pos]
    dup = np.ones(len(codes), dtype=bool)
    dup[first_pos] = False
    if empty is not None:
        dup &= codes != empty
    cross = dup & (first_part[codes] != eid_parts)
    if cross.any():
        pairs = np.unique(np.stack([eid_parts[cross].astype(np.int64), codes[cross]]), axis=1)
        names = dictionary.take(pa.array(pairs[1])).to_pylist()
        for p, code, name in zip(pairs[0], pairs[1], names):
            out.stand_ins.setdefault(int(p), []).append((name, int(eid_rows[first_pos[code]])))
    if len(refs):
        hit = pc.fill_null(pc.index_in(refs, value_set=dictionary), -1).to_numpy(
            zero_copy_only=False).astype(np.int64)
        ok = hit >= 0
        if empty is not None:
            ok &= hit != empty
        sel = np.flatnonzero(ok)
        sel = sel[first_part[hit[sel]] != ref_parts[sel]]
        for i in sel:
            t = int(eid_rows[first_pos[hit[i]]])
            out.refs[int(ref_rows[i])] = t
            out.targets.setdefault(int(first_part[hit[i]]), []).append(t)
    return out


_REF_MESSAGES: dict[tuple[str, str], tuple[str, str]] = {}


def _ref_messages(ruleset: Ruleset) -> tuple[str, str]:
    """Ingest's two messages for a bad ref_event_id: (names no accepted event, names an event
    of another firm), read from ingest itself on a two-firm example."""
    key = (ruleset.id, ruleset.sha256)
    if key not in _REF_MESSAGES:
        _REF_MESSAGES[key] = _probe_ref_messages(ruleset)
    return _REF_MESSAGES[key]


def _probe_ref_messages(ruleset: Ruleset) -> tuple[str, str]:
    from .codes import uscc_check_char

    ids = []
    for i in (1, 2):
        body = f"9136010200000{i:03d}0"
        ids.append(body + uscc_check_char(body))
    firms = pd.DataFrame({"firm_id": ids, "name": ["a", "b"], "region_code": "360102"})
    events = pd.DataFrame({"event_id": ["A", "B", "C"], "firm_id": [ids[0], ids[1], ids[1]],
                           "event_date": "2020-01-01", "event_type": "warning",
                           "ref_event_id": ["", "A", "ZZ"]})
    rej = prepare(firms, events, ruleset, today=dt.date(2021, 1, 1)).rejects
    msg = dict(zip(rej["row"], rej["message"]))
    return str(msg[3]), str(msg[2])


# --------------------------------------------------------------------------------------
# one part
# --------------------------------------------------------------------------------------


@dataclass
class _Options:
    ruleset: Ruleset
    period: str
    as_of: dt.date | None
    today: dt.date
    names: dict[str, str]
    given: tuple[str, ...]  # the optional tables given (measurements, history)


@dataclass
class _Part:
    index: int
    tables: dict[str, Any]                  # DataFrames, or Parquet paths with a ROW column
    rows: dict[str, np.ndarray] | None      # original 0-based rows (None: in the ROW column)
    stand_ins: list[tuple[str, int]]
    targets: list[int]
    out_dir: str | None = None              # files mode: write the outputs here


@dataclass
class _PartResult:
    index: int
    firm_rows: np.ndarray                   # original rows of the accepted firms, in order
    stats: dict[str, TableStats]
    excluded_as_of: int
    targets_ok: list[int]                   # rows of `targets` accepted before the ref check
    result: ScoreResult | None = None       # in-memory mode
    rejects: pd.DataFrame | None = None     # in-memory mode (rows already original)
    grade_counts: pd.Series | None = None   # files mode
    n_rejects: int = 0
    n_contributions: int = 0
    seconds: float = 0.0


def _stand_in_rows(events: pd.DataFrame, eid_col: Any, stand_ins: list[tuple[str, int]]
                   ) -> pd.DataFrame:
    ph = events.iloc[:0].reindex(range(len(stand_ins)))
    ph[eid_col] = pd.Series([e for e, _ in stand_ins], dtype=object)
    return ph


def _score_part(part: _Part, opt: _Options) -> _PartResult:
    """Score one part and translate its rejects back to the original rows."""
    t0 = time.perf_counter()
    frames: dict[str, pd.DataFrame | None] = {}
    rows: dict[str, np.ndarray] = {}
    for t in TABLES:
        src = part.tables.get(t)
        if src is None:
            frames[t] = None
            continue
        df = pd.read_parquet(src) if isinstance(src, (str, Path)) else src
        if ROW in df.columns:
            rows[t] = df[ROW].to_numpy(np.int64)
            df = df.drop(columns=[ROW])
        else:
            rows[t] = part.rows[t]  # type: ignore[index]
        frames[t] = df
    n_stand = len(part.stand_ins)
    stand_first = np.array([r for _, r in part.stand_ins], dtype=np.int64)
    if n_stand:
        ev = frames["events"]
        eid_col = _column(ev.columns, "events", "event_id")
        frames["events"] = pd.concat([_stand_in_rows(ev, eid_col, part.stand_ins), ev],
                                     ignore_index=True)
        rows["events"] = np.r_[-1 - np.arange(n_stand), rows["events"]]
    res = score(frames["firms"], frames["events"], opt.ruleset, period=opt.period,
                measurements=frames["measurements"], history=frames["history"],
                as_of=opt.as_of, today=opt.today, names=opt.names)

    # rejects: original rows, the rows named in messages, no stand-ins
    rej = res.rejects
    file_table = {opt.names[t]: t for t in TABLES}
    if len(rej):
        tables = rej["file"].map(file_table).to_numpy(object)
        local = rej["row"].to_numpy(np.int64)
        orig = np.empty(len(rej), dtype=np.int64)
        for t in set(tables):
            sel = tables == t
            orig[sel] = rows[t][local[sel] - 1]
        stand = orig < 0
        msgs = rej["message"].to_numpy(object).copy()
        for i in np.flatnonzero(rej["reason_code"].to_numpy(object) == "duplicate_id"):
            t = tables[i]

            def fix(m: re.Match, t: str = t) -> str:
                r = rows[t][int(m.group(1)) - 1]
                r = stand_first[-1 - r] if r < 0 else r
                return f"row {r + 1}"

            msgs[i] = _ROW_REF.sub(fix, str(msgs[i]))
        if n_stand:
            seen = set(orig[stand].tolist())
            assert seen == set(range(-n_stand, 0)), "a stand-in row was not rejected"
        rej = rej.assign(row=orig + 1, message=msgs)[~stand].reset_index(drop=True)
    stats = {t: TableStats(s.file, s.rows_read, s.rows_used, s.rows_rejected, s.sha256)
             for t, s in res.stats.items()}
    if n_stand:
        stats["events"].rows_read -= n_stand
        stats["events"].rows_rejected -= n_stand

    # accepted firms: the part's firm rows not rejected
    f_rej = rej["row"][rej["file"] == opt.names["firms"]].to_numpy(np.int64) - 1 if len(rej) \
        else np.empty(0, np.int64)
    firm_rows = rows["firms"][~np.isin(rows["firms"], f_rej)]
    assert len(firm_rows) == len(res.scores)

    # references named from another part: accepted here before the reference check?
    targets_ok: list[int] = []
    if part.targets:
        ev_rej = rej[rej["file"] == opt.names["events"]]
        other = ~((ev_rej["reason_code"] == "unknown_ref_event") &
                  (ev_rej["column"] == "ref_event_id"))
        bad = set((ev_rej["row"][other] - 1).tolist())
        ev_rows = set(rows["events"].tolist())
        targets_ok = [t for t in part.targets if t in ev_rows and t not in bad]

    out = _PartResult(part.index, firm_rows, stats, res.prepared.excluded_as_of, targets_ok)
    if part.out_dir is None:
        res.rejects = rej
        out.result, out.rejects = res, rej
    else:
        _write_part_outputs(res, rej, firm_rows, Path(part.out_dir))
        out.grade_counts = res.grade_counts()
        out.n_rejects = len(rej)
        out.n_contributions = len(res.contributions)
    out.seconds = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------------------
# running the parts: sequentially, on an executor, or on a Dask client
# --------------------------------------------------------------------------------------


def _run_parts(fn: Callable[..., Any], parts: Sequence[Any], opt: Any, executor: Any) -> list:
    if executor is None:
        return [fn(p, opt) for p in parts]
    if hasattr(executor, "gather") and hasattr(executor, "scatter"):  # a dask.distributed Client
        [opt_f] = executor.scatter([opt], broadcast=True)
        futures = executor.map(fn, parts, opt=opt_f, pure=False)
        return executor.gather(futures)
    if isinstance(executor, Executor) or hasattr(executor, "submit"):
        futures = [executor.submit(fn, p, opt) for p in parts]
        return [f.result() for f in futures]
    raise TypeError(f"executor must be a concurrent.futures.Executor or a dask.distributed "
                    f"Client; got {type(executor).__name__}")


# --------------------------------------------------------------------------------------
# in memory
# --------------------------------------------------------------------------------------


def _date(v: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) else v


def _names(inputs: Mapping[str, Any], names: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(names or {})
    for t in TABLES:
        v = inputs.get(t)
        out.setdefault(t, str(v) if isinstance(v, (str, Path)) else t)
    return out


def score_partitioned(firms: Any, events: Any, ruleset: Ruleset | str | Path, *,
                      period: str | int, measurements: Any = None, history: Any = None,
                      as_of: dt.date | str | None = None, today: dt.date | str | None = None,
                      names: Mapping[str, str] | None = None, partitions: int = 8,
                      executor: Any = None) -> ScoreResult:
    """Score by parts of firms, with the same result as :func:`ecocredit.score`.

    Parameters
    ----------
    firms, events, measurements, history, ruleset, period, as_of, today, names
        As in :func:`ecocredit.score`. File paths are read whole (use
        :func:`score_files_partitioned` to stream large files).
    partitions : int, default 8
        Number of parts (rows are assigned by a fixed hash of the normalised firm id).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to score the parts; in this process, one after another, when omitted.

    Returns
    -------
    ScoreResult
        Equal to the one-shot result (see the module docstring for what is settled across
        parts, and for the order of the ``prepared`` tables).
    """
    rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    given = {"firms": firms, "events": events, "measurements": measurements, "history": history}
    opt = _Options(rs, str(period), _date(as_of), _date(today) or dt.date.today(),
                   _names(given, names), tuple(t for t in ("measurements", "history")
                                               if given[t] is not None))
    parse_period(opt.period)
    rs.evaluation_date(parse_period(opt.period), opt.as_of)  # fail early, as score() does
    frames: dict[str, pd.DataFrame] = {}
    for t, v in given.items():
        if v is None:
            continue
        if isinstance(v, (str, Path)):
            from .ingest import read_table
            v = read_table(v, t)
        if not isinstance(v, pd.DataFrame):
            raise InputError(f"The {t} input must be a DataFrame or a file path; got "
                             f"{type(v).__name__}.", file=opt.names[t], reason_code="bad_input")
        frames[t] = v
    fid_cols = {t: _column(df.columns, t, "firm_id") for t, df in frames.items()}
    eid_col = _column(frames["events"].columns, "events", "event_id")
    if any(c is None for c in fid_cols.values()) or eid_col is None or partitions <= 1:
        # a required column is missing (ingest says which), or nothing to split
        return score(firms, events, rs, period=period, measurements=measurements,
                     history=history, as_of=opt.as_of, today=opt.today, names=opt.names)

    parts_of = {t: partition_of(df[fid_cols[t]], partitions) for t, df in frames.items()}
    ev = frames["events"]
    ref_col = _column(ev.columns, "events", "ref_event_id")
    n_ev = len(ev)
    eids = normalise_ids(ev[eid_col], upper=False)
    refs = normalise_ids(ev[ref_col], upper=False) if ref_col is not None else pa.array([], pa.string())
    rows_ev = np.arange(n_ev, dtype=np.int64)
    cross = _crossings(eids, rows_ev, parts_of["events"], refs,
                       rows_ev[:len(refs)], parts_of["events"][:len(refs)])

    parts = []
    for p in range(partitions):
        tabs, rows = {}, {}
        for t, df in frames.items():
            idx = np.flatnonzero(parts_of[t] == p)
            tabs[t] = df.iloc[idx].reset_index(drop=True)
            rows[t] = idx.astype(np.int64)
        parts.append(_Part(p, tabs, rows, cross.stand_ins.get(p, []), cross.targets.get(p, [])))
    results = sorted(_run_parts(_score_part, parts, opt, executor), key=lambda r: r.index)
    return _combine(results, opt, cross)


def _fix_ref_messages(rej: pd.DataFrame, opt: _Options, cross: _Crossings,
                      ok: set[int]) -> pd.DataFrame:
    if not cross.refs or not len(rej):
        return rej
    none_msg, other_msg = _ref_messages(opt.ruleset)
    sel = ((rej["file"] == opt.names["events"]) & (rej["reason_code"] == "unknown_ref_event")
           & (rej["message"] == none_msg)).to_numpy()
    if not sel.any():
        return rej
    rows = rej["row"].to_numpy(np.int64) - 1
    fix = np.array([bool(s) and cross.refs.get(int(r), -1) in ok for s, r in zip(sel, rows)])
    if fix.any():
        rej = rej.copy()
        rej.loc[fix, "message"] = other_msg
    return rej


def _sort_rejects(rej: pd.DataFrame, opt: _Options) -> pd.DataFrame:
    order = {n: i for i, n in enumerate(opt.names[t] for t in TABLES)}
    return (rej.assign(_f=rej["file"].map(order))
            .sort_values(["_f", "row", "column", "reason_code"], kind="stable")
            .drop(columns="_f").reset_index(drop=True))


def _sum_stats(results: Sequence[_PartResult], opt: _Options) -> dict[str, TableStats]:
    stats: dict[str, TableStats] = {}
    for r in results:
        for t, s in r.stats.items():
            acc = stats.setdefault(t, TableStats(s.file, 0, 0, 0, s.sha256))
            acc.rows_read += s.rows_read
            acc.rows_used += s.rows_used
            acc.rows_rejected += s.rows_rejected
    return {t: stats[t] for t in TABLES if t in stats}


def _combine(results: list[_PartResult], opt: _Options, cross: _Crossings) -> ScoreResult:
    firm_rows = np.concatenate([r.firm_rows for r in results])
    order = np.argsort(firm_rows, kind="stable")          # concatenated → input order
    new_idx = np.empty(len(order), dtype=np.int64)
    new_idx[order] = np.arange(len(order))                  # concatenated → global firm index
    offsets = np.cumsum([0] + [len(r.firm_rows) for r in results])
    res = [r.result for r in results]
    nonempty = [x for x in res if len(x.scores)] or res[:1]
    scores = pd.concat([x.scores for x in nonempty], ignore_index=True)
    scores = scores.iloc[order].reset_index(drop=True)

    cparts, fparts = [], []
    for r, off in zip(res, offsets):
        c = r.contributions
        if len(c):
            local = pd.Index(r.prepared.firms["firm_id"]).get_indexer(c["firm_id"])
            cparts.append(c)
            fparts.append(new_idx[off + local])
    if cparts:
        contributions = pd.concat(cparts, ignore_index=True)
        contributions = contributions.iloc[np.argsort(np.concatenate(fparts), kind="stable")
                                           ].reset_index(drop=True)
    else:
        contributions = res[0].contributions

    ok = {t for r in results for t in r.targets_ok}
    rej_parts = [r.rejects for r in results if r.rejects is not None and len(r.rejects)]
    rejects = pd.concat(rej_parts, ignore_index=True) if rej_parts else results[0].rejects
    rejects = _sort_rejects(_fix_ref_messages(rejects, opt, cross, ok), opt) \
        if len(rejects) else rejects

    def cat(name: str) -> pd.DataFrame:
        frames = []
        for r, off in zip(res, offsets):
            df = getattr(r.prepared, name)
            if len(df):
                df = df.copy()
                df["firm_idx"] = new_idx[off + df["firm_idx"].to_numpy(np.int64)].astype(
                    df["firm_idx"].dtype)
                frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else getattr(res[0].prepared, name)

    pf = pd.concat([x.prepared.firms for x in nonempty], ignore_index=True)
    prep = Prepared(firms=pf.iloc[order].reset_index(drop=True), events=cat("events"),
                    measurements=cat("measurements"), history=cat("history"), rejects=rejects,
                    stats=_sum_stats(results, opt),
                    excluded_as_of=sum(r.excluded_as_of for r in results))
    first = res[0]
    return ScoreResult(scores=scores, contributions=contributions, rejects=rejects,
                       ruleset=first.ruleset, period=first.period, eval_date=first.eval_date,
                       as_of=first.as_of, today=first.today, stats=prep.stats, prepared=prep)


# --------------------------------------------------------------------------------------
# files: stream in, score by parts, merge out (bounded memory)
# --------------------------------------------------------------------------------------


@dataclass
class PartitionedRun:
    """What :func:`score_files_partitioned` did."""

    manifest: dict[str, Any]
    grade_counts: pd.Series
    rejects: int
    partitions: int
    seconds: dict[str, float]
    stats: dict[str, TableStats]
    ruleset: Ruleset

    @property
    def firms(self) -> int:
        return int(self.manifest["counts"]["firms"])


def _detect_encoding(path: Path) -> str:
    """The encoding ingest would use: UTF-8 (with or without BOM), else GB18030."""
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head == b"\xef\xbb\xbf":
            return "utf-8"
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 24):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _batches(path: Path, table: str, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Stream a table file in record batches as ingest would read it."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        pf = pq.ParquetFile(path)
        yield from pf.iter_batches(batch_size=batch_rows)
        return
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from .ingest import read_table
        yield from pa.Table.from_pandas(read_table(path, table),
                                        preserve_index=False).to_batches(batch_rows)
        return
    import pyarrow.csv as pacsv
    enc = _detect_encoding(path)
    with open(path, "rb") as fh:
        first = fh.readline().decode(enc).lstrip("\ufeff").rstrip("\r\n")
    import csv
    names = next(csv.reader([first]))
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(encoding=enc, block_size=1 << 24,
                                             column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    for b in reader:
        yield b


class _PartWriters:
    def __init__(self, root: Path, name: str, partitions: int):
        self.paths = [root / f"part-{p:04d}" / f"{name}.parquet" for p in range(partitions)]
        self.writers: list[pq.ParquetWriter | None] = [None] * partitions
        self.rows = [0] * partitions

    def write(self, p: int, table: pa.Table) -> None:
        if self.writers[p] is None:
            self.paths[p].parent.mkdir(parents=True, exist_ok=True)
            self.writers[p] = pq.ParquetWriter(self.paths[p], table.schema)
        self.writers[p].write_table(table)  # type: ignore[union-attr]
        self.rows[p] += table.num_rows

    def close(self, empty_schema: pa.Schema | None) -> None:
        for p, w in enumerate(self.writers):
            if w is not None:
                w.close()
            elif empty_schema is not None:
                self.paths[p].parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(empty_schema.empty_table(), self.paths[p])


def _split(path: Path, table: str, partitions: int, root: Path, batch_rows: int,
           buckets: int, id_writers: _PartWriters | None) -> tuple[int, bool]:
    """Write one input table into its parts; for events also the id buckets. Returns (rows,
    whether it could be streamed)."""
    writers = _PartWriters(root, table, partitions)
    offset = 0
    schema = None
    try:
        for batch in _batches(path, table, batch_rows):
            tb = pa.Table.from_batches([batch])
            if schema is None:
                schema = tb.schema
                fcol = _column(tb.column_names, table, "firm_id")
                if fcol is None:
                    return 0, False  # ingest reports the missing column
                if table == "events":
                    ecol = _column(tb.column_names, table, "event_id")
                    rcol = _column(tb.column_names, table, "ref_event_id")
                    if ecol is None:
                        return 0, False
            n = tb.num_rows
            part = partition_of(tb.column(fcol), partitions)
            rows = np.arange(offset, offset + n, dtype=np.int64)
            tb = tb.append_column(ROW, pa.array(rows))
            o = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[o], np.arange(partitions + 1))
            sorted_tb = tb.take(pa.array(o))
            for p in range(partitions):
                if bounds[p + 1] > bounds[p]:
                    writers.write(p, sorted_tb.slice(bounds[p], bounds[p + 1] - bounds[p]))
            if table == "events" and id_writers is not None:
                eids = normalise_ids(tb.column(ecol), upper=False)
                refs = normalise_ids(tb.column(rcol), upper=False) if rcol is not None else None
                _write_id_buckets(id_writers, buckets, eids, refs, rows, part)
            offset += n
    finally:
        writers.close(None if schema is None else schema.append(pa.field(ROW, pa.int64())))
    if schema is None:
        return 0, False
    return offset, True


_ID_SCHEMA = pa.schema([("id", pa.string()), ("row", pa.int64()), ("part", pa.int32()),
                        ("kind", pa.int8())])


def _write_id_buckets(w: _PartWriters, buckets: int, eids: pa.Array, refs: pa.Array | None,
                      rows: np.ndarray, part: np.ndarray) -> None:
    ids, kind, r, pt = [eids], [np.zeros(len(eids), np.int8)], [rows], [part]
    if refs is not None:
        has = pc.not_equal(refs, "").to_numpy(zero_copy_only=False)
        if has.any():
            sel = pa.array(np.flatnonzero(has))
            ids.append(refs.take(sel))
            kind.append(np.ones(int(has.sum()), np.int8))
            r.append(rows[has])
            pt.append(part[has])
    idv = pa.concat_arrays(ids)
    b = (_hash(idv) % np.uint64(buckets)).astype(np.int64)
    tb = pa.table({"id": idv, "row": np.concatenate(r), "part": np.concatenate(pt).astype(np.int32),
                   "kind": np.concatenate(kind)}, schema=_ID_SCHEMA)
    o = np.argsort(b, kind="stable")
    bounds = np.searchsorted(b[o], np.arange(buckets + 1))
    tb = tb.take(pa.array(o))
    for k in range(buckets):
        if bounds[k + 1] > bounds[k]:
            w.write(k, tb.slice(bounds[k], bounds[k + 1] - bounds[k]))


def _bucket_crossings(path: Path) -> _Crossings:
    tb = pq.read_table(path)
    kind = tb.column("kind").to_numpy()
    e = tb.filter(pa.array(kind == 0))
    r = tb.filter(pa.array(kind == 1))
    # event entries were written in input order within a bucket
    return _crossings(e.column("id").combine_chunks(), e.column("row").to_numpy(),
                      e.column("part").to_numpy(), r.column("id").combine_chunks(),
                      r.column("row").to_numpy(), r.column("part").to_numpy())


def _write_part_outputs(res: ScoreResult, rej: pd.DataFrame, firm_rows: np.ndarray,
                        out: Path) -> None:
    from .audit import output_frames

    frames = output_frames(res)
    scores = frames["scores.csv"].assign(**{ROW: firm_rows})
    local = pd.Index(res.prepared.firms["firm_id"]).get_indexer(res.contributions["firm_id"])
    contrib = frames["contributions.csv"].assign(**{ROW: firm_rows[local] if len(local)
                                                    else np.empty(0, np.int64)})
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("scores", scores), ("contributions", contrib), ("rejects", rej)):
        _write_frame(df, out / f"{name}.arrow")


def _write_frame(df: pd.DataFrame, path: Path) -> None:
    import pyarrow.feather as feather

    feather.write_feather(pa.Table.from_pandas(df, preserve_index=False), path,
                          compression="uncompressed")


def _read_frame(path: Path) -> pa.Table:
    import pyarrow.feather as feather

    return feather.read_table(path, memory_map=True)


class _HashingFile:
    def __init__(self, path: Path):
        self.path = path
        self.fh = open(path, "wb")
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha.update(data)

    def close(self) -> str:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        return self.sha.hexdigest()


def _csv_chunk(df: pd.DataFrame, header: bool) -> bytes:
    from .output import csv_bytes

    b = csv_bytes(df)[3:]  # without the BOM
    if not header:
        b = b[b.index(b"\n") + 1:] if b else b
    return b


def _to_pandas(tb: pa.Table, like: dict[str, str]) -> pd.DataFrame:
    df = tb.to_pandas()
    for c, kind in like.items():
        if kind == "object" and c in df.columns:
            df[c] = df[c].astype(object)
    return df


def _merge_write(paths: list[Path], key: Callable[[pa.Table], np.ndarray], bounds: np.ndarray,
                 out: _HashingFile, fix: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                 sort_cols: list[str] | None = None) -> int:
    """Merge part tables, each sorted by ``key``, into one CSV, chunk by chunk of key range."""
    tables = [_read_frame(p) for p in paths]
    keys = [key(t) for t in tables]
    cols = [c for c in tables[0].column_names if c != ROW]
    header = True
    n = 0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        pieces, pkeys = [], []
        for t, k in zip(tables, keys):
            a, b = np.searchsorted(k, [lo, hi])
            if b > a:
                pieces.append(t.slice(a, b - a))
                pkeys.append(k[a:b])
        if not pieces and not header:
            continue
        if pieces:
            tb = pa.concat_tables(pieces)
            o = np.argsort(np.concatenate(pkeys), kind="stable")
            df = tb.take(pa.array(o)).to_pandas()
        else:
            df = tables[0].slice(0, 0).to_pandas()
        df = df[cols]
        for c in df.columns:
            if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object:
                df[c] = df[c].astype(object)
        if fix is not None:
            df = fix(df)
        if sort_cols:
            df = df.sort_values(sort_cols, kind="stable")
        out.write(_csv_chunk(df, header))
        header = False
        n += len(df)
    return n


def score_files_partitioned(firms: str | Path, events: str | Path,
                            ruleset: Ruleset | str | Path, *, period: str | int,
                            out: str | Path, measurements: str | Path | None = None,
                            history: str | Path | None = None, as_of: dt.date | str | None = None,
                            today: dt.date | str | None = None, partitions: int | None = None,
                            executor: Any = None, workdir: str | Path | None = None,
                            batch_rows: int = 1_000_000, chunk_firms: int = 200_000,
                            keep_workdir: bool = False) -> PartitionedRun:
    """Score input files by parts in bounded memory and write the outputs of ``ecocredit score``.

    The outputs (``scores.csv``, ``contributions.csv``, ``rejects.csv``, ``manifest.json``) are
    byte for byte those of the one-shot command on the same inputs and options.

    Parameters
    ----------
    firms, events, measurements, history : path
        Parquet (streamed by row group), CSV (streamed by block) or Excel (read whole).
    ruleset, period, as_of, today
        As in :func:`ecocredit.score`.
    out : path
        The output directory.
    partitions : int, optional
        Number of parts; by default about 2.5 million events per part
        (:func:`auto_partitions`).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Where to score the parts (they read and write files under ``workdir``, which must be
        visible to the workers). In this process when omitted.
    workdir : path, optional
        Scratch space for the part files (a temporary directory next to ``out`` by default).
    batch_rows, chunk_firms : int
        Rows read at a time when splitting; firms per chunk when merging the outputs.

    Returns
    -------
    PartitionedRun
    """
    from .audit import OUTPUT_FILES, build_manifest, manifest_bytes

    t_start = time.perf_counter()
    rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    inputs = {"firms": firms, "events": events}
    if measurements is not None:
        inputs["measurements"] = measurements
    if history is not None:
        inputs["history"] = history
    names = {t: str(p) for t, p in inputs.items()}
    opt = _Options(rs, str(period), _date(as_of), _date(today) or dt.date.today(),
                   _names(inputs, names), tuple(t for t in ("measurements", "history")
                                                if t in inputs))
    per = parse_period(opt.period)
    eval_date = rs.evaluation_date(per, opt.as_of)
    for t, p in inputs.items():
        if not Path(p).exists():
            raise InputError(f"{p}: no such file.", file=str(p), reason_code="unreadable")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=".ecocredit-parts-",
                                                               dir=out))
    root.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    try:
        # 1. split every table by firm (and the event ids by their own hash)
        t0 = time.perf_counter()
        if partitions is None:
            ev_rows = _count_rows(Path(events))
            partitions = auto_partitions(ev_rows, _workers(executor))
        buckets = max(1, min(64, partitions))
        id_writers = _PartWriters(root / "ids", "ids", buckets)
        streamed = True
        for t, p in inputs.items():
            _, ok = _split(Path(p), t, partitions, root, batch_rows, buckets,
                           id_writers if t == "events" else None)
            streamed &= ok
        id_writers.close(_ID_SCHEMA)
        if not streamed:
            # a required column is missing or a file is empty: let the one-shot path report
            return _one_shot_files(inputs, rs, opt, out, partitions)
        cross = _Crossings()
        for path in id_writers.paths:
            cross.merge(_bucket_crossings(path))
        seconds["split"] = time.perf_counter() - t0

        # 2. score the parts
        t0 = time.perf_counter()
        parts = []
        for p in range(partitions):
            tabs = {t: str(root / f"part-{p:04d}" / f"{t}.parquet") for t in inputs}
            parts.append(_Part(p, tabs, None, cross.stand_ins.get(p, []),
                               cross.targets.get(p, []), out_dir=str(root / f"part-{p:04d}")))
        results = sorted(_run_parts(_score_part, parts, opt, executor), key=lambda r: r.index)
        seconds["score"] = time.perf_counter() - t0

        # 3. merge the outputs, in input order, chunk by chunk
        t0 = time.perf_counter()
        n_firm_rows = _count_rows(Path(firms))
        fbounds = np.r_[np.arange(0, n_firm_rows, chunk_firms), n_firm_rows + 1]
        if len(fbounds) < 2:
            fbounds = np.array([0, 1])
        pdirs = [root / f"part-{r.index:04d}" for r in results]
        ok = {t for r in results for t in r.targets_ok}
        hashes = {}
        tmp: dict[str, Path] = {}
        for name in OUTPUT_FILES:
            fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            os.close(fd)
            tmp[name] = Path(path)
        row_key = lambda tb: tb.column(ROW).to_numpy()  # noqa: E731
        f = _HashingFile(tmp["scores.csv"])
        f.write(b"\xef\xbb\xbf")
        _merge_write([d / "scores.arrow" for d in pdirs], row_key, fbounds, f)
        hashes["scores.csv"] = f.close()
        f = _HashingFile(tmp["contributions.csv"])
        f.write(b"\xef\xbb\xbf")
        n_contrib = _merge_write([d / "contributions.arrow" for d in pdirs], row_key, fbounds, f)
        hashes["contributions.csv"] = f.close()
        # rejects: key = file order × 2^40 + row
        forder = {opt.names[t]: i for i, t in enumerate(TABLES)}

        def rkey(tb: pa.Table) -> np.ndarray:
            fo = pd.Series(tb.column("file").to_pylist(), dtype=object).map(forder)
            return fo.to_numpy(np.int64) * (1 << 40) + tb.column("row").to_numpy()

        rparts = [d / "rejects.arrow" for d in pdirs]
        max_rows = max([_count_rows(Path(p)) for p in inputs.values()] + [1])
        rb = [0]
        for i in range(len(TABLES)):
            rb += [i * (1 << 40) + r for r in range(0, max_rows + 1, 1_000_000)[1:]]
            rb.append((i + 1) * (1 << 40))
        rbounds = np.array(sorted(set(rb)), dtype=np.int64)
        f = _HashingFile(tmp["rejects.csv"])
        f.write(b"\xef\xbb\xbf")
        n_rej = _merge_write(rparts, rkey, rbounds, f,
                             fix=lambda df: _fix_ref_messages(df, opt, cross, ok),
                             sort_cols=None)
        hashes["rejects.csv"] = f.close()

        stats = _sum_stats(results, opt)
        grade_counts = sum((r.grade_counts for r in results[1:]), results[0].grade_counts)
        grade_counts = grade_counts.astype(np.int64).rename("firms")
        n_firms = sum(len(r.firm_rows) for r in results)
        graded = int(grade_counts.drop("not_graded", errors="ignore").sum())
        manifest = build_manifest(
            rs, inputs, stats,
            options={"period": per.label,
                     "as_of": opt.as_of.isoformat() if opt.as_of else None,
                     "today": opt.today.isoformat(),
                     "evaluation_date": eval_date.isoformat()},
            counts={"firms": int(n_firms), "graded": graded,
                    "grades": {k: int(v) for k, v in grade_counts.items()},
                    "rejects": int(n_rej),
                    "events_excluded_as_of": int(sum(r.excluded_as_of for r in results))},
            outputs={name: hashes[name] for name in OUTPUT_FILES})
        data = manifest_bytes(manifest)
        f = _HashingFile(Path(tempfile.mkstemp(prefix=".manifest.json.", suffix=".tmp",
                                               dir=out)[1]))
        f.write(data)
        f.close()
        for name in OUTPUT_FILES:
            os.replace(tmp[name], out / name)
        os.replace(f.path, out / "manifest.json")
        seconds["merge"] = time.perf_counter() - t0
        seconds["total"] = time.perf_counter() - t_start
        del n_contrib
        return PartitionedRun(manifest, grade_counts, int(n_rej), partitions, seconds, stats, rs)
    finally:
        for p in out.glob(".*.tmp"):
            p.unlink(missing_ok=True)
        if not keep_workdir:
            shutil.rmtree(root, ignore_errors=True)


def _one_shot_files(inputs: dict[str, Any], rs: Ruleset, opt: _Options, out: Path,
                    partitions: int) -> PartitionedRun:
    from .audit import write_run

    t0 = time.perf_counter()
    res = score(inputs["firms"], inputs["events"], rs, period=opt.period,
                measurements=inputs.get("measurements"), history=inputs.get("history"),
                as_of=opt.as_of, today=opt.today, names=opt.names)
    manifest = write_run(res, out, inputs)
    return PartitionedRun(manifest, res.grade_counts(), len(res.rejects), 1,
                          {"total": time.perf_counter() - t0}, res.stats, rs)


def _count_rows(path: Path) -> int:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".arrow":
        return _read_frame(path).num_rows
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return 1_000_000
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
    return n


def _workers(executor: Any) -> int:
    if executor is None:
        return 1
    if hasattr(executor, "nthreads"):
        try:
            return max(1, sum(executor.nthreads().values()))
        except Exception:  # pragma: no cover - a client without workers yet
            return 1
    return int(getattr(executor, "_max_workers", 1) or 1)


def score_on_engine(engine: str, inputs: Mapping[str, str | Path], ruleset: Ruleset | str | Path,
                    *, period: str | int, out: str | Path, as_of: dt.date | str | None = None,
                    today: dt.date | str | None = None, partitions: int | None = None,
                    workers: int | None = None) -> PartitionedRun:
    """``ecocredit score --engine partitioned|dask``: :func:`score_files_partitioned` on local
    processes, or on a Dask cluster.

    ``dask`` connects to the scheduler named by the environment variable
    ``DASK_SCHEDULER_ADDRESS`` (a real cluster: the part files go to a scratch directory next
    to ``out``, which the workers must see, e.g. a shared file system), or starts a local
    cluster with one single-threaded worker process per core.
    """
    workers = workers or os.cpu_count() or 1
    kw = dict(period=period, out=out, measurements=inputs.get("measurements"),
              history=inputs.get("history"), as_of=as_of, today=today, partitions=partitions)
    if engine == "partitioned":
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods()
                             else "spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                           executor=ex, **kw)
    if engine == "dask":
        try:
            import logging

            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EcocreditError("--engine dask needs dask.distributed: pip install "
                                 "'ecocredit[dask]'.") from None
        address = os.environ.get("DASK_SCHEDULER_ADDRESS")
        if address:
            with Client(address) as client:
                return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                               executor=client, **kw)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                           executor=client, **kw)
    if engine == "local":
        return score_files_partitioned(inputs["firms"], inputs["events"], ruleset, **kw)
    raise EcocreditError(f"unknown engine {engine!r}: local, partitioned or dask.")
