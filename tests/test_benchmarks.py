"""The small benchmark CI runs: ecocredit against the naive pandas baseline, by ratio.

Absolute times depend on the machine (and on what else runs on it); the ratio to a naive
per-firm ``groupby().apply()`` written for the same ruleset does not much, so a regression that
makes the vectorized engine slow shows up as a ratio that falls. The full benchmarks
(``python -m benchmarks.run``) measure the province; see benchmarks/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

import ecocredit
from ecocredit import synth

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's benchmarks/

from benchmarks.baselines.naive_pandas import score_naive  # noqa: E402

RULESET, PERIOD, TODAY = "anhui-2019", "2025", "2026-06-30"
#: at 2,000 firms the naive baseline is ~230× slower (benchmarks/RESULTS.md); at this size fixed
#: costs weigh more, so the bar is lower, and still far above what a per-firm loop could reach
MIN_RATIO = 10


@pytest.fixture(scope="module")
def tables():
    return synth.generate(300, seed=2024)


def _grades(scores):
    s = scores.set_index("firm_id")
    return {f: (st, int(c), str(g), bool(v)) for f, st, c, g, v in zip(
        s.index, s["status"], s["score_cents"], s["grade"], s["vetoed"])}


def _eco(t):
    return ecocredit.score(t["firms"], t["events"], RULESET, period=PERIOD,
                           measurements=t["measurements"], history=t["history"], today=TODAY)


@pytest.fixture(scope="module")
def naive_run(tables):
    """The naive baseline's scores and its wall seconds (run once: it is the slow one)."""
    t0 = time.perf_counter()
    scores = score_naive(tables["firms"], tables["events"], RULESET, period=PERIOD,
                         history=tables["history"])
    return scores, time.perf_counter() - t0


def test_the_naive_baseline_gives_ecocredits_grades_scores_and_vetoes(tables, naive_run):
    assert _grades(naive_run[0]) == _grades(_eco(tables).scores)


@pytest.mark.parametrize("baseline", ["duckdb_sql.score_duckdb", "polars_lazy.score_polars"])
def test_the_duckdb_and_polars_baselines_give_ecocredits_grades_scores_vetoes_and_points(
        tables, baseline):
    module, func = baseline.split(".")
    pytest.importorskip({"duckdb_sql": "duckdb", "polars_lazy": "polars"}[module])
    import importlib

    score = getattr(importlib.import_module(f"benchmarks.baselines.{module}"), func)
    got, contrib = score(tables["firms"], tables["events"], RULESET, period=PERIOD,
                         history=tables["history"])
    eco = _eco(tables)
    assert _grades(got) == _grades(eco.scores)
    # the point rules' contributions carry the same points
    want = eco.contributions[eco.contributions["rule_id"].isin(contrib["rule_id"])]
    assert sorted(zip(want["firm_id"], want["rule_id"], want["points_cents"])) == \
        sorted(zip(contrib["firm_id"], contrib["rule_id"], contrib["points_cents"].astype(int)))


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_polars_and_duckdb_read_the_csv_files_themselves_and_agree(tables, tmp_path, encoding):
    """End to end from the contract's CSV files, UTF-8 and GB18030 (the runner's agreement
    check before it times them); both baselines write the same scores and contributions."""
    pytest.importorskip("polars")
    pytest.importorskip("duckdb")
    import pandas as pd

    from benchmarks.baselines import duckdb_sql, polars_lazy
    from benchmarks.baselines.common import transcode

    files = synth.write(tables, tmp_path / "in", "csv")
    if encoding != "utf-8":
        for t, f in files.items():
            files[t] = transcode(f, tmp_path / "in" / f"{t}.gb.csv", "utf-8", encoding)
    out = {}
    for name, mod in (("polars", polars_lazy), ("duckdb", duckdb_sql)):
        mod.end_to_end(files["firms"], files["events"], RULESET, period=PERIOD,
                       history=files["history"], out=tmp_path / name, encoding=encoding)
        out[name] = pd.read_csv(tmp_path / name / "scores.csv", dtype=str, keep_default_na=False)
    want = _eco(tables).scores
    for name, got in out.items():
        got = got.assign(score_cents=got["score_cents"].astype(int),
                         vetoed=got["vetoed"].str.lower() == "true")
        assert _grades(got) == _grades(want), name
    assert (tmp_path / "polars" / "contributions.csv").read_bytes() == \
        (tmp_path / "duckdb" / "contributions.csv").read_bytes()


def test_ecocredit_is_many_times_faster_than_the_naive_baseline(tables, naive_run):
    _eco(tables)  # warm: imports, ruleset cache
    eco = min(_timed(lambda: _eco(tables)) for _ in range(3))
    naive = naive_run[1]
    assert naive / eco >= MIN_RATIO, f"naive {naive:.2f} s, ecocredit {eco:.3f} s"


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_the_event_id_hash_finds_exactly_the_repeats():
    """Ingest finds repeated event ids by hashing 8-byte words; the strings decide."""
    import pandas as pd
    import pyarrow as pa

    from ecocredit.read.ids import _hash_strings, _IdIndex

    rng = np.random.default_rng(3)
    vals = [str(x) for x in rng.integers(0, 400, 600)] + ["", "EV000000001", "EV00000000１",
                                                          "a" * 40, "a" * 39 + "b", "ab"]
    a = pa.array(vals, pa.string())
    index = _IdIndex(a, _hash_strings(a))
    dup, first = index.repeats()
    want = pd.Series(vals).duplicated().to_numpy()
    assert (dup == want).all()
    firsts = {v: i for i, v in reversed(list(enumerate(vals)))}
    assert all(first[i] == firsts[v] for i, v in enumerate(vals) if dup[i])
    # look-ups find the accepted row of each id, whatever the hashes share
    queries = pa.array(["EV000000001", "ab", "nope", vals[0], ""])
    accepted = ~dup
    found = index.find(queries, _hash_strings(queries), accepted)
    assert found.tolist() == [vals.index(q) if q in vals else -1 for q in queries.to_pylist()]
    # with every hash equal, the strings alone decide
    same = _IdIndex(a, np.zeros(len(a), dtype=np.uint64))
    d2, f2 = same.repeats()
    assert (d2 == dup).all() and (f2[dup] == first[dup]).all()
    assert (same.find(queries, np.zeros(len(queries), np.uint64), accepted) == found).all()
    # one fixed width (a reshape) and mixed widths (gathered words) hash the same
    for width in (8, 16, 18):  # whole words, and the strided fast path's edges
        vals_w = ["%0*d" % (width, i * 7919) for i in range(40)]
        assert (_hash_strings(pa.array(vals_w))
                == _hash_strings(pa.array(vals_w + ["x"]))[:40]).all()
    fixed = pa.array(["EV%09d" % i for i in range(50)])
    mixed = pa.array(["EV%09d" % i for i in range(50)] + ["x"])
    assert (_hash_strings(fixed) == _hash_strings(mixed)[:50]).all()


def test_the_generator_writes_the_csv_set_again_in_gb18030(tmp_path):
    from benchmarks.generate import write_size

    utf8 = write_size("tiny", tmp_path / "csv", "csv")
    gb = write_size("tiny", tmp_path / "gb", "csv-gb18030", source=tmp_path / "csv")
    assert gb["rows"] == utf8["rows"] and gb["encoding"] == "gb18030"
    for t in ("firms", "events", "measurements", "history"):
        text = (tmp_path / "csv" / f"{t}.csv").read_bytes().decode("utf-8")
        raw = (tmp_path / "gb" / f"{t}.csv").read_bytes()
        assert raw.decode("gb18030") == text
    firms = (tmp_path / "gb" / "firms.csv").read_bytes()
    assert firms != (tmp_path / "csv" / "firms.csv").read_bytes()  # the names are Chinese
