"""Partitioned scoring in memory: DataFrames in, one :class:`~ecocredit.ScoreResult` out, equal
to the one-shot result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InputError
from ..read import Prepared
from ..periods import parse_period
from ..ruleset import Ruleset, load_ruleset
from ..engine.run import ScoreResult, score
from ..vocab import TABLES
from .crossings import _crossings, _Crossings, _fix_ref_messages
from .executors import _run_parts
from .ids import _column, normalise_ids, partition_of
from .part import _date, _names, _Options, _Part, _PartResult, _score_part, _sum_stats

__all__ = ["score_partitioned"]


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
    sources: dict[str, np.ndarray] = {}
    for t, v in given.items():
        if v is None:
            continue
        if isinstance(v, (str, Path)):
            from ..read import read_table
            from ..read.excel import ROW_SOURCE
            v = read_table(v, t, sheet_rows=True)
            if ROW_SOURCE in v.columns:  # a workbook: its rejects are located at the end
                sources[opt.names[t]] = v[ROW_SOURCE].to_numpy(object)
                v = v.drop(columns=[ROW_SOURCE])
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
    res = _combine(results, opt, cross)
    if sources and len(res.rejects):
        from ..read.excel import locate_all
        res.rejects = locate_all(res.rejects, sources)
    return res


def _sort_rejects(rej: pd.DataFrame, opt: _Options) -> pd.DataFrame:
    order = {n: i for i, n in enumerate(opt.names[t] for t in TABLES)}
    return (rej.assign(_f=rej["file"].map(order))
            .sort_values(["_f", "row", "column", "reason_code"], kind="stable")
            .drop(columns="_f").reset_index(drop=True))


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
