"""Time ecocredit against the baselines, step by step, and write the figures as JSON.

Every measurement runs in a fresh child process (``python -m benchmarks.run --child ...``), so
its peak RSS (``resource.getrusage``, the high-water mark of that process, inputs included) is
its own; each step is repeated ``--runs`` times inside the child and reported as median, min
and max wall seconds, with the CPU seconds of each run (``cpu_seconds``: what to compare on a
shared machine, where wall time depends on the other work). Before anything is timed, the
baselines are checked to give the same grades, scores and vetoes as ecocredit on the ``tiny``
set: in memory (naive pandas, DuckDB, Polars) and from each file format (DuckDB and Polars
reading the files themselves).

Steps (``--steps``, default all):

``score``       ecocredit.score() from in-memory DataFrames (as ``pandas.read_parquet`` gives
                them: Arrow strings), full contributions, for every bundled ruleset
``pass``        the scoring pass alone (``ecocredit.engine.vectorized.score_prepared``, full
                contributions) on inputs validated once beforehand, for every bundled ruleset;
                ``ingest_seconds`` is that one validation
``score-cat``   the same from DataFrames whose low-cardinality columns are categoricals (as a
                Parquet reader gives dictionary-encoded columns), anhui-2019
``duckdb``      the DuckDB SQL baseline on the same in-memory DataFrames, anhui-2019
``polars``      the Polars baseline on Polars DataFrames in memory (``polars.read_parquet``
                beforehand, untimed: its own in-memory form), anhui-2019
``naive``       the naive pandas baseline (groupby-apply per firm), anhui-2019, on ``--naive-size``
                (default ``tiny``: ~11 ms a firm, a province would take about an hour)
``e2e``         end to end from files, for each of ``--formats`` (default CSV UTF-8, CSV
                GB18030 and Parquet), anhui-2019: ``ecocredit score`` as a user runs it (a
                process: read and validate every row, score, write scores, contributions,
                rejects, explain.parquet and the hashed manifest; its own peak RSS and CPU),
                DuckDB (``read_csv(..., encoding=...)`` / ``read_parquet`` → SQL → ``COPY``)
                and Polars (``scan_csv`` / ``scan_parquet`` → lazy query → ``write_csv``).
                Polars reads UTF-8 only and DuckDB reads GB18030 only with its ``encodings``
                extension (downloaded on first use): where a baseline cannot read GB18030 the
                timed run transcodes the files to UTF-8 first (``transcoded`` in its figures)
``explain``     ScoreResult.explain() of one firm (20 firms, median), anhui-2019
``explain-cli`` ``ecocredit explain RUN FIRM`` as a user runs it, on a run saved by
                ``ecocredit score`` (which reads the firm from the run's ``explain.parquet``):
                one process per firm (5 firms), wall seconds and the largest peak RSS of those
                processes, imports included; anhui-2019
``partitioned`` score_files_partitioned on local processes (peak RSS of the parent and of the
                largest worker), anhui-2019

Usage (the data sets are generated when missing; see benchmarks/generate.py)::

    python -m benchmarks.run --size province --runs 3 --out benchmarks/results-province.json
    python -m benchmarks.run --size tiny --runs 1 --steps e2e,polars,duckdb   # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
TABLES = ("firms", "events", "measurements", "history")
TODAY = "2026-06-30"
PERIOD = {"chongqing-2017": "2019", "shandong-2020": "2024", "jiangxi": "2024"}
BASELINE_RULESET = "anhui-2019"
#: columns with few distinct values, read as categoricals for the ``score-cat`` step
CATEGORICAL = {"firms": ["region_code", "industry_code", "supervision_class", "key_discharger",
                         "permit_type", "positive_list", "status", "included_since"],
               "events": ["firm_id", "event_date", "event_type", "amount", "severity", "medium",
                          "ref_event_id", "recorded_at"],
               "measurements": ["firm_id", "period", "indicator", "value"],
               "history": ["firm_id", "period", "grade", "list"]}


def period_of(ruleset: str) -> str:
    return PERIOD.get(ruleset, "2025")


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    try:
        for ln in Path("/proc/self/status").read_text().splitlines():
            if ln.startswith("VmHWM:"):
                return int(ln.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def load(data: Path, categorical: bool = False) -> dict[str, pd.DataFrame]:
    """The generated tables as DataFrames, as pandas reads the Parquet files."""
    import pyarrow.parquet as pq

    out = {}
    for t in TABLES:
        p = data / f"{t}.parquet"
        if categorical:
            names = pq.ParquetFile(p).schema_arrow.names
            cols = [c for c in CATEGORICAL[t] if c in names]
            out[t] = pq.read_table(p, read_dictionary=cols).to_pandas()
        else:
            out[t] = pd.read_parquet(p)
    return out


def _cpu(children: bool = False) -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _times(fn: Callable[[], Any], runs: int, info: dict[str, Any] | None = None,
           children: bool = False) -> tuple[list[float], Any]:
    """Wall seconds of ``runs`` calls (and, into ``info["cpu_seconds"]``, the CPU seconds of
    each: this process's, or its children's when the work runs in child processes)."""
    secs, cpu, res = [], [], None
    for _ in range(runs):
        res = None
        c0, t0 = _cpu(children), time.perf_counter()
        res = fn()
        secs.append(time.perf_counter() - t0)
        cpu.append(round(_cpu(children) - c0, 3))
    if info is not None:
        info["cpu_seconds"] = cpu
    return secs, res


def _inputs(data: Path) -> dict[str, str]:
    """The data set's four files (Parquet or CSV, whichever it holds)."""
    ext = "parquet" if (data / "firms.parquet").exists() else "csv"
    return {t: str(data / f"{t}.{ext}") for t in TABLES}


def _encoding(data: Path) -> str:
    try:
        return json.loads((data / "generated.json").read_text()).get("encoding", "utf-8")
    except (OSError, ValueError):
        return "utf-8"


# --------------------------------------------------------------------------------------
# the child: one step, timed, peak RSS of this process
# --------------------------------------------------------------------------------------


def child(step: str, data: Path, ruleset: str, runs: int, work: Path) -> dict[str, Any]:
    import ecocredit

    period = period_of(ruleset)
    info: dict[str, Any] = {}
    if step in ("score", "score-cat", "explain"):
        t = load(data, categorical=step == "score-cat")
        info["rss_inputs_mb"] = round(_peak_mb())
        rs = ecocredit.load_ruleset(ruleset)

        def run() -> Any:
            return ecocredit.score(t["firms"], t["events"], rs, period=period,
                                   measurements=t["measurements"], history=t["history"],
                                   today=TODAY)
        if step == "explain":
            res = run()
            ids = res.scores["firm_id"].to_numpy()[:: max(1, len(res.scores) // 20)][:20]
            res.explain(ids[0])  # warm
            secs = []
            for fid in ids:
                t0 = time.perf_counter()
                res.explain(fid)
                secs.append(time.perf_counter() - t0)
        else:
            secs, res = _times(run, runs, info)
            info["contributions"] = len(res.contributions)
            info["grades"] = {k: int(v) for k, v in res.grade_counts().items()}
    elif step == "pass":
        import datetime as dt

        from ecocredit.engine.vectorized import score_prepared
        from ecocredit.periods import parse_period
        from ecocredit.read import prepare

        t = load(data)
        info["rss_inputs_mb"] = round(_peak_mb())
        rs = ecocredit.load_ruleset(ruleset)
        t0 = time.perf_counter()
        prep = prepare(t["firms"], t["events"], rs, measurements=t["measurements"],
                       history=t["history"], today=dt.date.fromisoformat(TODAY))
        info["ingest_seconds"] = round(time.perf_counter() - t0, 3)
        per = parse_period(period)
        on = rs.evaluation_date(per, None)
        secs, res = _times(lambda: score_prepared(prep, rs, per, on), runs, info)
        info["contributions"] = len(res[1])
    elif step in ("duckdb", "naive"):
        t = load(data)
        info["rss_inputs_mb"] = round(_peak_mb())
        if step == "duckdb":
            from benchmarks.baselines.duckdb_sql import score_duckdb
            secs, _ = _times(lambda: score_duckdb(t["firms"], t["events"], ruleset,
                                                  period=period, history=t["history"]), runs,
                             info)
        else:
            from benchmarks.baselines.naive_pandas import score_naive
            secs, _ = _times(lambda: score_naive(t["firms"], t["events"], ruleset,
                                                 period=period, history=t["history"]), runs,
                             info)
    elif step == "polars":
        import polars as pl

        from benchmarks.baselines.polars_lazy import query
        t = {n: pl.read_parquet(data / f"{n}.parquet") for n in TABLES}
        info["rss_inputs_mb"] = round(_peak_mb())

        def run() -> Any:
            s, c = query(t["firms"].lazy(), t["events"].lazy(), ruleset, period=period,
                         history=t["history"].lazy())
            return pl.collect_all([s, c])
        secs, _ = _times(run, runs, info)
    elif step == "e2e-ecocredit":
        ins = _inputs(data)
        cmd = [sys.executable, "-m", "ecocredit.cli", "score", "--ruleset", ruleset, "--period",
               period, "--today", TODAY, "-q", "--out", str(work / "ecocredit")]
        for t in TABLES:
            cmd += [f"--{t}", ins[t]]
        secs, _ = _times(lambda: subprocess.run(cmd, check=True), runs, info, children=True)
    elif step in ("e2e-duckdb", "e2e-polars"):
        if step == "e2e-duckdb":
            from benchmarks.baselines.duckdb_sql import end_to_end
        else:
            from benchmarks.baselines.polars_lazy import end_to_end
        ins = _inputs(data)
        if step == "e2e-duckdb" and _encoding(data) != "utf-8":
            from benchmarks.baselines.duckdb_sql import _connect, load_encodings
            load_encodings(_connect())  # installed once, untimed (or found missing once)
        secs, r = _times(lambda: end_to_end(ins["firms"], ins["events"], ruleset, period=period,
                                            history=ins["history"], out=work / step,
                                            encoding=_encoding(data)), runs, info)
        if isinstance(r, dict) and "transcoded" in r:
            info["transcoded"] = r["transcoded"]
    elif step == "explain-cli":
        secs = _explain_cli(data, ruleset, period, work, info)
    elif step == "partitioned":
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from ecocredit.scale import score_files_partitioned
        ins = {t: str(data / f"{t}.parquet") for t in TABLES}
        ctx = mp.get_context("forkserver")
        parts = int(os.environ.get("ECOCREDIT_BENCH_PARTITIONS", "0")) or None

        def run() -> Any:
            with ProcessPoolExecutor(2, mp_context=ctx) as ex:
                return score_files_partitioned(
                    ins["firms"], ins["events"], ruleset, period=period,
                    measurements=ins["measurements"], history=ins["history"], today=TODAY,
                    out=work / "partitioned", executor=ex, partitions=parts)
        secs, r = _times(run, runs, info)
        info["partitions"] = r.partitions
        info["phases"] = {k: round(v, 2) for k, v in r.seconds.items()}
        info["workers_peak_mb"] = round(_children_peak_mb())
    else:
        raise SystemExit(f"unknown step {step}")
    info.update(step=step, ruleset=ruleset, runs=len(secs), seconds=[round(s, 4) for s in secs],
                median=round(statistics.median(secs), 4), min=round(min(secs), 4),
                max=round(max(secs), 4), peak_rss_mb=round(_peak_mb()))
    if step == "e2e-ecocredit":  # the CLI's own peak, not this waiting parent's
        info["peak_rss_mb"] = round(_children_peak_mb())
    return info


def _explain_cli(data: Path, ruleset: str, period: str, work: Path,
                 info: dict[str, Any]) -> list[float]:
    """Save a run with ``ecocredit score`` (Parquet or CSV inputs, whichever ``data`` holds),
    then time ``ecocredit explain`` of 5 firms, one process each."""
    ext = "parquet" if (data / "firms.parquet").exists() else "csv"
    run = work / "explain-run"
    cli = [sys.executable, "-m", "ecocredit.cli"]
    args = ["score", "--ruleset", ruleset, "--period", period, "--today", TODAY, "-q",
            "--out", str(run)]
    for t in TABLES:
        args += [f"--{t}", str(data / f"{t}.{ext}")]
    subprocess.run(cli + args, check=False, capture_output=True)
    info["explain_file_mb"] = round((run / "explain.parquet").stat().st_size / 2**20, 1)
    import pyarrow.csv as pacsv
    ids = pacsv.read_csv(run / "scores.csv").column("firm_id").to_pylist()
    secs, peaks, cpu = [], [], []
    for fid in ids[:: max(1, len(ids) // 5)][:5]:
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", _PEAK_OF_CLI, "explain", str(run), fid],
                           capture_output=True, text=True)
        secs.append(time.perf_counter() - t0)
        if p.returncode:
            raise SystemExit(p.stderr[-2000:])
        tail = p.stderr.rsplit("CPU ", 1)[1].split()
        cpu.append(float(tail[0]))
        peaks.append(int(tail[2]) / 1024)
    info["explain_peak_rss_mb"] = round(max(peaks))
    info["explain_cpu_seconds"] = [round(c, 3) for c in cpu]  # wall means little on a busy box
    info["load_average"] = os.getloadavg()
    return secs


#: the command line, then its own peak RSS (VmHWM, kB) on stderr
_PEAK_OF_CLI = """import sys
from ecocredit.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
import resource
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]
ru = resource.getrusage(resource.RUSAGE_SELF)
print("CPU", ru.ru_utime + ru.ru_stime, "PEAK", hwm, file=sys.stderr)
sys.exit(code)
"""


# --------------------------------------------------------------------------------------
# the parent: agreement checks, then one child per measurement
# --------------------------------------------------------------------------------------


def _disagreement(name: str, want: pd.DataFrame, got: pd.DataFrame) -> None:
    """Raise SystemExit if ``got`` (indexed by firm_id) differs from ecocredit's ``want``."""
    g = got.loc[want.index, want.columns]
    for c in want.columns:
        a, b = want[c].to_numpy(), g[c].to_numpy()
        if c == "score_cents":
            a, b = a.astype(np.int64), b.astype(np.int64)
        elif c == "vetoed":
            a = a.astype(bool)
            b = np.asarray([str(x).lower() == "true" for x in b]) if b.dtype == object \
                else b.astype(bool)
        else:
            a, b = a.astype(str), pd.Series(b).fillna("").astype(str).to_numpy()
        bad = np.flatnonzero(a != b)
        if len(bad):
            raise SystemExit(f"{name} disagrees with ecocredit on {c} for {len(bad)} firms, "
                             f"e.g. {want.index[bad[0]]}: {a[bad[0]]!r} vs {b[bad[0]]!r}")


def check_baselines(data: Path, formats: dict[str, Path] | None = None) -> dict[str, Any]:
    """Every baseline gives ecocredit's grades, scores and vetoes on this data (or raise):
    in memory, and DuckDB and Polars from each data set of ``formats`` (name → directory)."""
    import ecocredit
    from benchmarks.baselines import duckdb_sql, polars_lazy
    from benchmarks.baselines.naive_pandas import score_naive

    t = load(data)
    period = period_of(BASELINE_RULESET)
    res = ecocredit.score(t["firms"], t["events"], BASELINE_RULESET, period=period,
                          history=t["history"], measurements=t["measurements"], today=TODAY)
    want = res.scores.set_index("firm_id")[["status", "score_cents", "grade", "vetoed"]]
    kw = {"period": period, "history": t["history"]}
    got = {"naive pandas": score_naive(t["firms"], t["events"], BASELINE_RULESET, **kw),
           "DuckDB": duckdb_sql.score_duckdb(t["firms"], t["events"], BASELINE_RULESET, **kw)[0],
           "Polars": polars_lazy.score_polars(t["firms"], t["events"], BASELINE_RULESET, **kw)[0]}
    with tempfile.TemporaryDirectory(prefix="ecocredit-agree-") as tmp:
        for fmt, d in (formats or {}).items():
            ins = _inputs(d)
            for name, mod in (("DuckDB", duckdb_sql), ("Polars", polars_lazy)):
                out = Path(tmp) / f"{name}-{fmt}"
                mod.end_to_end(ins["firms"], ins["events"], BASELINE_RULESET, period=period,
                               history=ins["history"], out=out, encoding=_encoding(d))
                got[f"{name} from {fmt}"] = pd.read_csv(out / "scores.csv", dtype=str,
                                                        keep_default_na=False)
        for name, frame in got.items():
            _disagreement(name, want, frame.set_index("firm_id"))
    return {"firms": len(want), "graded": int((want["status"] == "graded").sum()),
            "checked": sorted(got)}


def spawn(step: str, data: Path, ruleset: str, runs: int, work: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", step, "--data", str(data),
           "--ruleset", ruleset, "--runs", str(runs), "--work", str(work)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT.parent / "src"), str(ROOT.parent), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT.parent, env=env)
    if p.returncode:
        raise SystemExit(f"{step} {ruleset} failed:\n{p.stderr[-3000:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    print(f"  {step:14s} {ruleset:15s} {data.name:18s} median {r['median']:8.3f} s  min {r['min']:8.3f}  "
          f"max {r['max']:8.3f}  peak {r['peak_rss_mb']:6d} MB", file=sys.stderr, flush=True)
    return r


def machine() -> dict[str, Any]:
    import pyarrow

    mem = ""
    try:
        mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    cpu = ""
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in
                   Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "numpy": np.__version__, "pandas": pd.__version__, "pyarrow": pyarrow.__version__,
            "load_average_at_start": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="province")
    p.add_argument("--naive-size", default="tiny",
                   help="size the naive baseline (and ecocredit beside it) run on")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--steps",
                   default="score,pass,score-cat,duckdb,polars,naive,e2e,explain,explain-cli,"
                           "partitioned")
    p.add_argument("--formats", default="csv,csv-gb18030,parquet",
                   help="the input formats of the e2e step")
    p.add_argument("--rulesets", default="all", help="for the score step: 'all' or ids")
    p.add_argument("--out", help="write the figures as JSON here")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--ruleset", default=BASELINE_RULESET, help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, Path(a.data), a.ruleset, a.runs, Path(a.work))))
        return 0

    import ecocredit
    from benchmarks.generate import data_dir, write_size
    from benchmarks.ratios import ratios

    def ensure(size: str, fmt: str = "parquet") -> Path:
        d = data_dir(size, fmt)
        if not (d / "generated.json").exists():
            print(f"generating {size} ({fmt}) …", file=sys.stderr)
            utf8 = data_dir(size, "csv")
            write_size(size, fmt=fmt, source=utf8 if fmt == "csv-gb18030" and
                       (utf8 / "generated.json").exists() else None)
        return d

    steps, formats = a.steps.split(","), a.formats.split(",")
    data = ensure(a.size)
    out: dict[str, Any] = {"size": a.size, "data": json.loads((data / "generated.json")
                                                              .read_text()),
                           "machine": machine(), "runs": a.runs, "results": []}
    t0 = time.perf_counter()
    out["agreement"] = check_baselines(ensure("tiny"),
                                       {f: ensure("tiny", f) for f in formats})
    print(f"baselines agree with ecocredit on tiny: {out['agreement']}", file=sys.stderr)
    rulesets = ([r.id for r in ecocredit.bundled_rulesets()] if a.rulesets == "all"
                else a.rulesets.split(","))
    with tempfile.TemporaryDirectory(prefix="ecocredit-bench-") as work:
        w = Path(work)
        res = out["results"]
        if "score" in steps:
            for rs in rulesets:
                res.append(spawn("score", data, rs, a.runs, w) | {"size": a.size})
        if "pass" in steps:
            for rs in rulesets:
                res.append(spawn("pass", data, rs, a.runs, w) | {"size": a.size})
        if "score-cat" in steps:
            res.append(spawn("score-cat", data, BASELINE_RULESET, a.runs, w) | {"size": a.size})
        if "duckdb" in steps:
            res.append(spawn("duckdb", data, BASELINE_RULESET, a.runs, w) | {"size": a.size})
        if "polars" in steps:
            res.append(spawn("polars", data, BASELINE_RULESET, a.runs, w) | {"size": a.size})
        if "naive" in steps:
            nd = ensure(a.naive_size)
            res.append(spawn("naive", nd, BASELINE_RULESET, 1, w) | {"size": a.naive_size})
            res.append(spawn("score", nd, BASELINE_RULESET, a.runs, w) | {"size": a.naive_size})
        if "e2e" in steps:
            for fmt in formats:
                d = ensure(a.size, fmt)
                for who in ("e2e-ecocredit", "e2e-duckdb", "e2e-polars"):
                    res.append(spawn(who, d, BASELINE_RULESET, a.runs, w)
                               | {"size": a.size, "format": fmt})
        if "explain" in steps:
            res.append(spawn("explain", data, BASELINE_RULESET, 1, w) | {"size": a.size})
        if "explain-cli" in steps:
            res.append(spawn("explain-cli", data, BASELINE_RULESET, 1, w) | {"size": a.size})
        if "partitioned" in steps:
            res.append(spawn("partitioned", data, BASELINE_RULESET, 1, w) | {"size": a.size})
    out["ratios"] = ratios(out["results"], a.size, a.naive_size, BASELINE_RULESET)
    out["total_seconds"] = round(time.perf_counter() - t0, 1)
    for k, v in out["ratios"].items():
        print(f"{k}: {v}", file=sys.stderr)
    if a.out:
        Path(a.out).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
