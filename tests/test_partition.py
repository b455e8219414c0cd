"""Partitioned scoring gives exactly the one-shot result.

- on generated inputs (hypothesis), for every bundled ruleset, with inputs made awkward for
  partitioning: repeated event ids across firms, references to another firm's event, firm ids
  written differently, repeated firms, unknown firms;
- from files, streamed in parts, the output files are byte for byte those of a one-shot run;
- the same code runs on a process pool and on a local Dask cluster.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecocredit
from ecocredit.audit import manifest_bytes, write_run
from ecocredit.scale import partition_of, score_files_partitioned, score_partitioned
from ecocredit.ruleset import load_ruleset

from conftest import make_firm_id
from strategies import TODAY, examples, inputs

RULESETS = [rs.id for rs in ecocredit.bundled_rulesets()]
PERIOD = {"chongqing-2017": "2019", "shandong-2020": "2024", "jiangxi": "2024"}
# per ruleset; ECOCREDIT_TEST_EXAMPLES scales the count (tests/strategies.py)
SETTINGS = settings(max_examples=examples(10), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _same(a: ecocredit.ScoreResult, b: ecocredit.ScoreResult) -> None:
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(a.contributions, b.contributions)
    pd.testing.assert_frame_equal(a.rejects, b.rejects)
    pd.testing.assert_frame_equal(a.prepared.firms, b.prepared.firms)
    assert {t: s.as_dict() for t, s in a.stats.items()} == \
        {t: s.as_dict() for t, s in b.stats.items()}
    assert a.prepared.excluded_as_of == b.prepared.excluded_as_of
    for name in ("events", "measurements", "history"):
        x, y = getattr(a.prepared, name), getattr(b.prepared, name)
        assert len(x) == len(y), name


@st.composite
def awkward(draw, rs):
    """Generated inputs, then made awkward for partitioning."""
    d = draw(inputs(rs, PERIOD.get(rs.id, "2025"), max_firms=8, max_events=30))
    ev, firms = d["events"].copy(), d["firms"].copy()
    n = len(ev)
    if n >= 2:
        for _ in range(draw(st.integers(0, 3))):  # an event id repeated on another row
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            ev.loc[j, "event_id"] = ev.loc[i, "event_id"] + draw(st.sampled_from(["", " "]))
        for _ in range(draw(st.integers(0, 3))):  # a reference to any event, maybe another firm's
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            ev.loc[j, "ref_event_id"] = ev.loc[i, "event_id"]
        for _ in range(draw(st.integers(0, 2))):  # an unknown firm, an empty one
            j = draw(st.integers(0, n - 1))
            ev.loc[j, "firm_id"] = draw(st.sampled_from(["", make_firm_id(99999)]))
    if n and draw(st.booleans()):  # firm ids written differently in the events
        j = draw(st.integers(0, n - 1))
        ev.loc[j, "firm_id"] = " " + ev.loc[j, "firm_id"].lower() + " "
    if draw(st.booleans()):  # a firm repeated
        firms = pd.concat([firms, firms.iloc[[draw(st.integers(0, len(firms) - 1))]]],
                          ignore_index=True)
    d["events"], d["firms"] = ev, firms
    return d


def _run(fn, rs, d, **kw):
    return fn(d["firms"], d["events"], rs, period=d["period"], measurements=d["measurements"],
              history=d["history"], as_of=d["as_of"], today=TODAY, **kw)


@pytest.mark.parametrize("name", RULESETS)
@SETTINGS
@given(data=st.data())
def test_partitioned_equals_one_shot(name, data):
    rs = load_ruleset(name)
    d = data.draw(awkward(rs))
    k = data.draw(st.sampled_from([2, 3, 7]))
    _same(_run(score_partitioned, rs, d, partitions=k), _run(ecocredit.score, rs, d))


def _ids_in_different_parts(k: int = 4) -> tuple[str, str]:
    ids = [make_firm_id(i) for i in range(1, 40)]
    parts = partition_of(pd.Series(ids), k)
    return ids[0], ids[int(np.flatnonzero(parts != parts[0])[0])]


def test_repeats_and_references_across_parts():
    a, b = _ids_in_different_parts()
    firms = pd.DataFrame({"firm_id": [a, b, b.lower()], "name": ["甲", "乙", "乙2"],
                          "region_code": "360102"})
    events = pd.DataFrame({
        "event_id": ["E1", "E2", "E1", "E3", "E1 ", "R1"],
        "firm_id": [a, b, b, b, a, b],
        "event_date": "2025-03-01",
        "event_type": ["fine", "warning", "warning", "revocation", "fine", "revocation"],
        "ref_event_id": ["", "", "", "E1", "", "E2"]})
    args = dict(period="2025", today="2026-01-01")
    one = ecocredit.score(firms, events, "anhui-2019", **args)
    part = score_partitioned(firms, events, "anhui-2019", partitions=4, **args)
    _same(part, one)
    rej = part.rejects.set_index(["file", "row", "reason_code"])["message"]
    one_rej = one.rejects.set_index(["file", "row", "reason_code"])["message"]
    assert rej[("events", 3, "duplicate_id")] == one_rej[("events", 3, "duplicate_id")] == \
        "The same event_id is on data row 1."
    assert "another firm" in rej[("events", 4, "unknown_ref_event")]
    assert ("firms", 3, "duplicate_id") in rej.index


def test_chinese_headers_and_files(tmp_path):
    a, b = _ids_in_different_parts()
    firms = pd.DataFrame({"统一社会信用代码": [a, b], "企业名称": ["甲", "乙"],
                          "行政区划代码": "360102"})
    events = pd.DataFrame({"记录编号": ["E1", "E2"], "统一社会信用代码": [a, b],
                           "日期": "2025-03-01", "行为类型": ["罚款", "警告"]})
    firms.to_csv(tmp_path / "f.csv", index=False)
    events.to_csv(tmp_path / "e.csv", index=False, encoding="gb18030")
    args = dict(period="2025", today="2026-01-01")
    _same(score_partitioned(firms, events, "anhui-2019", partitions=3, **args),
          ecocredit.score(firms, events, "anhui-2019", **args))
    f, e = str(tmp_path / "f.csv"), str(tmp_path / "e.csv")
    _same(score_partitioned(f, e, "anhui-2019", partitions=3, **args),
          ecocredit.score(f, e, "anhui-2019", **args))


def _outputs(d: Path) -> dict[str, bytes]:
    """A run's files, but for ``explain.parquet``, which only the local engine writes (explain
    reads the inputs again for a partitioned run), and its line in the manifest."""
    out = {p.name: p.read_bytes() for p in sorted(d.iterdir())
           if not p.name.startswith(".") and p.name != "explain.parquet"}
    if "manifest.json" in out:
        m = json.loads(out["manifest.json"])
        m["outputs"].pop("explain.parquet", None)
        out["manifest.json"] = manifest_bytes(m)
    return out


@pytest.fixture(scope="module")
def province_files(tmp_path_factory):
    """A small generated province with a few awkward rows, as Parquet and CSV files."""
    from ecocredit import synth

    t = synth.generate(400, seed=11)
    ev = t["events"].astype(object).copy()
    ev.loc[5, "event_id"] = ev.loc[900, "event_id"]        # repeated id, likely another firm
    ev.loc[7, "ref_event_id"] = ev.loc[1200, "event_id"]   # a reference to another firm's event
    ev.loc[9, "firm_id"] = make_firm_id(424242)            # unknown firm
    t["events"] = ev
    root = tmp_path_factory.mktemp("prov")
    synth.write(t, root / "pq", "parquet")
    synth.write(t, root / "csv", "csv")
    return root


@pytest.mark.parametrize("fmt", ["pq", "csv"])
def test_files_partitioned_writes_the_one_shot_outputs(province_files, tmp_path, fmt):
    src = province_files / fmt
    ext = "parquet" if fmt == "pq" else "csv"
    ins = {t: str(src / f"{t}.{ext}") for t in ("firms", "events", "measurements", "history")}
    one = ecocredit.score(ins["firms"], ins["events"], "jiangsu-2020", period="2025",
                          measurements=ins["measurements"], history=ins["history"],
                          today="2026-06-30", names=ins)
    write_run(one, tmp_path / "one", ins)
    run = score_files_partitioned(ins["firms"], ins["events"], "jiangsu-2020", period="2025",
                                  measurements=ins["measurements"], history=ins["history"],
                                  today="2026-06-30", out=tmp_path / "parts", partitions=3,
                                  chunk_firms=97, batch_rows=1000)
    assert run.rejects == len(one.rejects) > 0
    assert _outputs(tmp_path / "parts") == _outputs(tmp_path / "one")


def test_on_a_process_pool(province_files, tmp_path):
    src = province_files / "pq"
    ins = {t: str(src / f"{t}.parquet") for t in ("firms", "events", "history")}
    args = dict(period="2025", history=ins["history"], today="2026-06-30")
    with ProcessPoolExecutor(2) as ex:
        part = score_partitioned(ins["firms"], ins["events"], "anhui-2019", partitions=3,
                                 executor=ex, **args)
        score_files_partitioned(ins["firms"], ins["events"], "anhui-2019", out=tmp_path / "p",
                                partitions=3, executor=ex, **args)
    one = ecocredit.score(ins["firms"], ins["events"], "anhui-2019", **args)
    _same(part, one)
    write_run(one, tmp_path / "one", ins)
    assert _outputs(tmp_path / "p") == _outputs(tmp_path / "one")


def test_on_a_local_dask_cluster(province_files, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    src = province_files / "pq"
    ins = {t: str(src / f"{t}.parquet") for t in ("firms", "events", "measurements")}
    args = dict(period="2025", measurements=ins["measurements"], today="2026-06-30")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        part = score_partitioned(ins["firms"], ins["events"], "guangdong-2015", partitions=4,
                                 executor=client, **args)
        score_files_partitioned(ins["firms"], ins["events"], "guangdong-2015",
                                out=tmp_path / "p", partitions=4, executor=client, **args)
    one = ecocredit.score(ins["firms"], ins["events"], "guangdong-2015", **args)
    _same(part, one)
    write_run(one, tmp_path / "one", ins)
    assert _outputs(tmp_path / "p") == _outputs(tmp_path / "one")


def test_the_command_line_engines(province_files, tmp_path, ecocredit_cli):
    src = province_files / "pq"
    common = ["score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
              src / "firms.parquet", "--events", src / "events.parquet", "--history",
              src / "history.parquet", "--today", "2026-06-30"]
    one = ecocredit_cli(*common, "--out", tmp_path / "one")
    part = ecocredit_cli(*common, "--out", tmp_path / "part", "--engine", "partitioned",
                         "--partitions", "3")
    assert one.returncode == part.returncode, part.stderr
    assert _outputs(tmp_path / "part") == _outputs(tmp_path / "one")
    assert one.stdout.replace(str(tmp_path / "one"), "X") == \
        part.stdout.replace(str(tmp_path / "part"), "X")
    bad = ecocredit_cli(*common, "--out", tmp_path / "x", "--engine", "spark")
    assert bad.returncode == 2
