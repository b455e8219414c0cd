"""One part: its inputs and options, scoring it, and translating its rejects back to the rows
of the whole input (stand-in rows removed, rows named in messages translated)."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..read import TableStats
from ..read.coverage import events_in_period
from ..ruleset import Ruleset
from ..engine.run import ScoreResult, score
from ..vocab import TABLES
from .ids import ROW, _column, _release_memory, _write_frame

_ROW_REF = re.compile(r"\brow (\d+)\b")


@dataclass
class _Options:
    ruleset: Ruleset
    period: str
    as_of: dt.date | None
    today: dt.date
    names: dict[str, str]
    given: tuple[str, ...]  # the optional tables given (measurements, history)
    allow: dict[str, Any] | None = None  # the allow-list of credit codes (read_allow_codes)


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
    admitted: tuple[str, ...] = ()          # codes the allow-list admitted in this part
    events_in_period: int = 0               # accepted events in the period (coverage warnings)
    measurements: int = 0                   # accepted measurement rows


def _date(v: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) else v


def _names(inputs: Mapping[str, Any], names: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(names or {})
    for t in TABLES:
        v = inputs.get(t)
        out.setdefault(t, str(v) if isinstance(v, (str, Path)) else t)
    return out


def _stand_in_rows(events: pd.DataFrame, eid_col: Any, stand_ins: list[tuple[str, int]]
                   ) -> pd.DataFrame:
    ph = events.iloc[:0].reindex(range(len(stand_ins)))
    ph[eid_col] = pd.Series([e for e, _ in stand_ins], dtype=object)
    return ph


def _read_part(part: _Part) -> tuple[dict[str, pd.DataFrame | None], dict[str, np.ndarray]]:
    """The part's tables (stand-in rows first in the events) and the original 0-based row of
    each of their rows (stand-ins: -1, -2, …)."""
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
    if n_stand:
        ev = frames["events"]
        eid_col = _column(ev.columns, "events", "event_id")
        frames["events"] = pd.concat([_stand_in_rows(ev, eid_col, part.stand_ins), ev],
                                     ignore_index=True)
        rows["events"] = np.r_[-1 - np.arange(n_stand), rows["events"]]
    return frames, rows


def _original_rejects(rej: pd.DataFrame, rows: dict[str, np.ndarray], part: _Part,
                      opt: _Options) -> pd.DataFrame:
    """The part's rejects with original rows (also in ``duplicate_id`` messages), without
    the stand-in rows'."""
    if not len(rej):
        return rej
    n_stand = len(part.stand_ins)
    stand_first = np.array([r for _, r in part.stand_ins], dtype=np.int64)
    file_table = {opt.names[t]: t for t in TABLES}
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
    return rej.assign(row=orig + 1, message=msgs)[~stand].reset_index(drop=True)


def _targets_ok(part: _Part, rej: pd.DataFrame, rows: dict[str, np.ndarray], opt: _Options
                ) -> list[int]:
    """The rows named from another part that were accepted here before the reference check."""
    if not part.targets:
        return []
    ev_rej = rej[rej["file"] == opt.names["events"]]
    other = ~((ev_rej["reason_code"] == "unknown_ref_event") &
              (ev_rej["column"] == "ref_event_id"))
    bad = set((ev_rej["row"][other] - 1).tolist())
    ev_rows = set(rows["events"].tolist())
    return [t for t in part.targets if t in ev_rows and t not in bad]


def _score_part(part: _Part, opt: _Options) -> _PartResult:
    """Score one part and translate its rejects back to the original rows."""
    t0 = time.perf_counter()
    frames, rows = _read_part(part)
    res = score(frames["firms"], frames["events"], opt.ruleset, period=opt.period,
                measurements=frames["measurements"], history=frames["history"],
                as_of=opt.as_of, today=opt.today, names=opt.names,
                allow_codes=opt.allow["codes"] if opt.allow else None)
    del frames
    rej = _original_rejects(res.rejects, rows, part, opt)
    stats = {t: TableStats(s.file, s.rows_read, s.rows_used, s.rows_rejected, s.sha256)
             for t, s in res.stats.items()}
    n_stand = len(part.stand_ins)
    if n_stand:
        stats["events"].rows_read -= n_stand
        stats["events"].rows_rejected -= n_stand

    # accepted firms: the part's firm rows not rejected
    f_rej = rej["row"][rej["file"] == opt.names["firms"]].to_numpy(np.int64) - 1 if len(rej) \
        else np.empty(0, np.int64)
    firm_rows = rows["firms"][~np.isin(rows["firms"], f_rej)]
    assert len(firm_rows) == len(res.scores)

    out = _PartResult(part.index, firm_rows, stats, res.prepared.excluded_as_of,
                      _targets_ok(part, rej, rows, opt))
    out.admitted = tuple((res.prepared.allowed_codes or {}).get("admitted", ()))
    out.events_in_period = events_in_period(res)
    out.measurements = len(res.prepared.measurements)
    if part.out_dir is None:
        res.rejects = rej
        out.result, out.rejects = res, rej
    else:
        _write_part_outputs(res, rej, firm_rows, Path(part.out_dir))
        out.grade_counts = res.grade_counts()
        out.n_rejects = len(rej)
        out.n_contributions = len(res.contributions)
        del res, rej, rows
        _release_memory()  # the worker waits for its next part holding nothing
    out.seconds = time.perf_counter() - t0
    return out


def _write_part_outputs(res: ScoreResult, rej: pd.DataFrame, firm_rows: np.ndarray,
                        out: Path) -> None:
    from ..audit import output_frames

    frames = output_frames(res)
    scores = frames["scores.csv"].assign(**{ROW: firm_rows})
    local = pd.Index(res.prepared.firms["firm_id"]).get_indexer(res.contributions["firm_id"])
    contrib = frames["contributions.csv"].assign(**{ROW: firm_rows[local] if len(local)
                                                    else np.empty(0, np.int64)})
    out.mkdir(parents=True, exist_ok=True)
    for name, df in (("scores", scores), ("contributions", contrib), ("rejects", rej)):
        _write_frame(df, out / f"{name}.arrow")


def _sum_stats(results: Sequence[_PartResult], opt: _Options) -> dict[str, TableStats]:
    stats: dict[str, TableStats] = {}
    for r in results:
        for t, s in r.stats.items():
            acc = stats.setdefault(t, TableStats(s.file, 0, 0, 0, s.sha256))
            acc.rows_read += s.rows_read
            acc.rows_used += s.rows_used
            acc.rows_rejected += s.rows_rejected
    return {t: stats[t] for t in TABLES if t in stats}
