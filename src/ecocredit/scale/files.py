"""Partitioned scoring of files in bounded memory: split the inputs by firm into part files,
score the parts on the workers, merge their outputs into what ``ecocredit score`` writes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..progress import phase
from ..errors import InputError
from ..read import TableStats
from ..read.coverage import coverage_warnings
from ..read.excel import split_sheet
from ..read.validate import read_allow_codes
from ..periods import parse_period
from ..ruleset import Ruleset, load_ruleset
from ..engine.run import score
from .crossings import _Crossings
from .executors import _run_parts, _workers
from .ids import _release_memory, auto_partitions
from .merge import _HashingFile, _merge_outputs
from .part import _date, _names, _Options, _Part, _PartResult, _score_part, _sum_stats
from .split import _bucket_crossings, _count_rows, _ID_SCHEMA, _PartWriters, _split

__all__ = ["score_files_partitioned", "PartitionedRun"]


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
    #: coverage warnings (``{"code", "message"}``, as :func:`~ecocredit.read.coverage.run_warnings`)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: the credit codes the allow-list admitted
    admitted: list[str] = field(default_factory=list)

    @property
    def firms(self) -> int:
        return int(self.manifest["counts"]["firms"])


def score_files_partitioned(firms: str | Path, events: str | Path,
                            ruleset: Ruleset | str | Path, *, period: str | int,
                            out: str | Path, measurements: str | Path | None = None,
                            history: str | Path | None = None, as_of: dt.date | str | None = None,
                            today: dt.date | str | None = None, partitions: int | None = None,
                            executor: Any = None, workdir: str | Path | None = None,
                            batch_rows: int = 1_000_000, chunk_firms: int = 200_000,
                            keep_workdir: bool = False, allow_codes: Any = None
                            ) -> PartitionedRun:
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
    allow_codes : path or collection of str, optional
        Known nonconforming credit codes to admit, as in :func:`ecocredit.score`; recorded in
        the manifest with the codes admitted.

    Returns
    -------
    PartitionedRun
    """
    t_start = time.perf_counter()
    rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    inputs = _inputs(firms, events, measurements, history)
    opt, recorded = _options(rs, inputs, period, as_of, today, allow_codes)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    root = _workdir(workdir, out)
    seconds: dict[str, float] = {}
    try:
        # 1. split every table by firm (and the event ids by their own hash)
        t0 = time.perf_counter()
        if partitions is None:
            partitions = auto_partitions(_count_rows(Path(events)), _workers(executor))
        with phase(f"splitting the inputs into {partitions} parts"):
            cross = _split_inputs(inputs, partitions, root, batch_rows)
        if cross is None:
            # a required column is missing or a file is empty: let the one-shot path report
            return _one_shot_files(inputs, rs, opt, out, partitions)
        _release_memory()  # the split's batches, before the workers start
        seconds["split"] = time.perf_counter() - t0

        # 2. score the parts
        t0 = time.perf_counter()
        results = _score_parts(inputs, partitions, root, cross, opt, executor)
        seconds["score"] = time.perf_counter() - t0

        # 3. merge the outputs, in input order, chunk by chunk
        t0 = time.perf_counter()
        with phase("merging the parts' outputs"):
            manifest, grade_counts, n_rej, stats, admitted = _merge_and_publish(
                results, inputs, rs, opt, cross, root, out, chunk_firms, recorded)
        seconds["merge"] = time.perf_counter() - t0
        seconds["total"] = time.perf_counter() - t_start
        return PartitionedRun(manifest, grade_counts, n_rej, partitions, seconds, stats, rs,
                              manifest.get("warnings", []), admitted)
    finally:
        _clean_up(out, root, keep_workdir)


def _clean_up(out: Path, root: Path, keep_workdir: bool) -> None:
    """Remove the temporary files left in ``out`` and, unless kept, the part files."""
    for p in out.glob(".*.tmp"):
        p.unlink(missing_ok=True)
    if not keep_workdir:
        shutil.rmtree(root, ignore_errors=True)


def _inputs(firms: Any, events: Any, measurements: Any, history: Any) -> dict[str, Any]:
    """The input files by table (measurements and history only when given)."""
    inputs = {"firms": firms, "events": events}
    if measurements is not None:
        inputs["measurements"] = measurements
    if history is not None:
        inputs["history"] = history
    return inputs


def _options(rs: Ruleset, inputs: dict[str, Any], period: str | int, as_of: Any, today: Any,
             allow_codes: Any) -> tuple[_Options, dict[str, Any]]:
    """The options every part is scored with, and the run's options as the manifest records
    them (period, as-of, today, evaluation date).

    Raises
    ------
    PeriodError
        The period is not a period, or the ruleset does not cover it.
    InputError
        An input file does not exist.
    """
    names = {t: str(p) for t, p in inputs.items()}
    opt = _Options(rs, str(period), _date(as_of), _date(today) or dt.date.today(),
                   _names(inputs, names), tuple(t for t in ("measurements", "history")
                                                if t in inputs),
                   read_allow_codes(allow_codes))
    per = parse_period(opt.period)
    eval_date = rs.evaluation_date(per, opt.as_of)
    for t, p in inputs.items():
        if not split_sheet(p)[0].exists():
            raise InputError(f"{p}: no such file.", file=str(p), reason_code="unreadable")
    return opt, {"period": per.label, "as_of": opt.as_of.isoformat() if opt.as_of else None,
                 "today": opt.today.isoformat(), "evaluation_date": eval_date.isoformat()}


def _workdir(workdir: str | Path | None, out: Path) -> Path:
    """The scratch directory of the part files: ``workdir``, or a new hidden directory in
    ``out`` (on the same file system as the outputs)."""
    root = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=".ecocredit-parts-",
                                                               dir=out))
    root.mkdir(parents=True, exist_ok=True)
    return root


def _score_parts(inputs: dict[str, Any], partitions: int, root: Path, cross: _Crossings,
                 opt: _Options, executor: Any) -> list[_PartResult]:
    """Score every part (``root/part-NNNN``) on the executor; the results in part order."""
    parts = [_Part(p, {t: str(root / f"part-{p:04d}" / f"{t}.parquet") for t in inputs},
                   None, cross.stand_ins.get(p, []), cross.targets.get(p, []),
                   out_dir=str(root / f"part-{p:04d}"))
             for p in range(partitions)]
    return sorted(_run_parts(_score_part, parts, opt, executor), key=lambda r: r.index)


def _split_inputs(inputs: dict[str, Any], partitions: int, root: Path, batch_rows: int
                  ) -> _Crossings | None:
    """Split every input file into ``root/part-NNNN/<table>.parquet`` and find what crosses
    parts; ``None`` when a file cannot be streamed (a required column missing, or empty)."""
    buckets = max(1, min(64, partitions))
    id_writers = _PartWriters(root / "ids", "ids", buckets)
    streamed = True
    for t, p in inputs.items():
        _, ok = _split(Path(p), t, partitions, root, batch_rows, buckets,
                       id_writers if t == "events" else None)
        streamed &= ok
    id_writers.close(_ID_SCHEMA)
    if not streamed:
        return None
    cross = _Crossings()
    for path in id_writers.paths:
        cross.merge(_bucket_crossings(path))
    return cross


def _merge_and_publish(results: list[_PartResult], inputs: dict[str, Any], rs: Ruleset,
                       opt: _Options, cross: _Crossings, root: Path, out: Path,
                       chunk_firms: int, options: dict[str, Any]
                       ) -> tuple[dict[str, Any], pd.Series, int, dict[str, TableStats],
                                  list[str]]:
    """Merge the parts' outputs into temporary files in ``out``, build the manifest, then move
    every output into place (the manifest last)."""
    from ..audit import OUTPUT_FILES, build_manifest, manifest_bytes

    pdirs = [root / f"part-{r.index:04d}" for r in results]
    ok = {t for r in results for t in r.targets_ok}
    tmp: dict[str, Path] = {}
    for name in OUTPUT_FILES:
        fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
        os.close(fd)
        tmp[name] = Path(path)
    hashes, n_rej = _merge_outputs(pdirs, inputs, opt, cross, ok, tmp, chunk_firms)

    stats = _sum_stats(results, opt)
    grade_counts = sum((r.grade_counts for r in results[1:]), results[0].grade_counts)
    grade_counts = grade_counts.astype(np.int64).rename("firms")
    n_firms = sum(len(r.firm_rows) for r in results)
    graded = int(grade_counts.drop("not_graded", errors="ignore").sum())
    admitted = sorted({c for r in results for c in r.admitted})
    if opt.allow:  # recorded as the one-shot run records it
        options = {**options, "allow_codes": {**opt.allow, "admitted": admitted}}
    manifest = build_manifest(
        rs, inputs, stats, options=options,
        counts={"firms": int(n_firms), "graded": graded,
                "grades": {k: int(v) for k, v in grade_counts.items()},
                "rejects": int(n_rej),
                "events_excluded_as_of": int(sum(r.excluded_as_of for r in results))},
        outputs={name: hashes[name] for name in OUTPUT_FILES})
    warnings = coverage_warnings(parse_period(opt.period), rs, opt.today,
                                 sum(r.events_in_period for r in results),
                                 sum(r.measurements for r in results))
    if warnings:
        manifest["warnings"] = warnings
    f = _HashingFile(Path(tempfile.mkstemp(prefix=".manifest.json.", suffix=".tmp",
                                           dir=out)[1]))
    f.write(manifest_bytes(manifest))
    f.close()
    for name in OUTPUT_FILES:
        os.replace(tmp[name], out / name)
    os.replace(f.path, out / "manifest.json")
    return manifest, grade_counts, int(n_rej), stats, admitted


def _one_shot_files(inputs: dict[str, Any], rs: Ruleset, opt: _Options, out: Path,
                    partitions: int) -> PartitionedRun:
    from ..audit import write_run

    t0 = time.perf_counter()
    res = score(inputs["firms"], inputs["events"], rs, period=opt.period,
                measurements=inputs.get("measurements"), history=inputs.get("history"),
                as_of=opt.as_of, today=opt.today, names=opt.names,
                allow_codes=opt.allow["codes"] if opt.allow else None)
    manifest = write_run(res, out, inputs)
    return PartitionedRun(manifest, res.grade_counts(), len(res.rejects), 1,
                          {"total": time.perf_counter() - t0}, res.stats, rs,
                          manifest.get("warnings", []),
                          list((res.prepared.allowed_codes or {}).get("admitted", [])))
