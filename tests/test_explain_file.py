"""``explain.parquet``: explaining one firm of a saved run from that firm's rows alone gives
exactly the explanation computed from every input, and the file is an audited output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ecocredit
from ecocredit import synth
from ecocredit.audit import read_manifest, replay, write_run
from ecocredit.audit.explainfile import EXPLAIN_FILE, explain_file_bytes, saved_firm_result

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = {t: str(ROOT / "sample_data" / f"{t}.csv")
          for t in ("firms", "events", "measurements", "history")}


def _run(out: Path, ruleset: str, period: str = "2025", **kw) -> ecocredit.ScoreResult:
    r = ecocredit.score(SAMPLE["firms"], SAMPLE["events"], ruleset, period=period,
                        measurements=SAMPLE["measurements"], history=SAMPLE["history"],
                        today="2026-01-01", names=SAMPLE, **kw)
    write_run(r, out, SAMPLE)
    return r


@pytest.mark.parametrize("ruleset,period,as_of", [
    ("anhui-2019", "2025", None), ("guangdong-2015", "2025", "2025-06-30"),
    ("jiangxi", "2025", None), ("chongqing-2017", "2021", None)])
def test_every_firm_explained_from_the_saved_file_reads_as_explained_from_the_inputs(
        tmp_path, ruleset, period, as_of):
    full = _run(tmp_path / "out", ruleset, period, as_of=as_of)
    m = read_manifest(tmp_path / "out")
    ids = full.scores["firm_id"].tolist()
    for fid in ids[:: max(1, len(ids) // 60)] + ids[-3:]:
        one = saved_firm_result(tmp_path / "out", m, fid.lower() + " ", full.ruleset)
        assert one.explain(fid) == full.explain(fid), fid
        row = one.scores.iloc[0]
        assert (row["grade"], row["score"]) == tuple(
            full.scores.set_index("firm_id").loc[fid, ["grade", "score"]])


def test_the_file_has_one_row_per_firm_in_row_groups_and_the_same_bytes_each_time(tmp_path):
    r = _run(tmp_path / "out", "anhui-2019")
    f = pq.ParquetFile(tmp_path / "out" / EXPLAIN_FILE)
    assert f.metadata.num_rows == len(r.scores)
    assert f.read(columns=["firm_id"]).column(0).to_pylist() == r.scores["firm_id"].tolist()
    again = explain_file_bytes(r.prepared, SAMPLE)
    assert again.to_pybytes() == (tmp_path / "out" / EXPLAIN_FILE).read_bytes()


def test_explain_needs_no_input_once_the_run_is_saved(tmp_path, ecocredit_cli):
    ins = tmp_path / "in"
    shutil.copytree(ROOT / "sample_data", ins)
    out = tmp_path / "out"
    args = ["score", "--ruleset", "anhui-2019", "--period", "2025", "--today", "2026-01-01",
            "--out", out] + [a for t in SAMPLE for a in (f"--{t}", ins / f"{t}.csv")]
    assert ecocredit_cli(*args).returncode == 0
    before = ecocredit_cli("explain", out, "91360981610777802X")
    shutil.rmtree(ins)

    after = ecocredit_cli("explain", out, "91360981610777802X")

    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert after.stdout.rstrip().splitlines()[-1].startswith("The saved scores.csv agrees")


def test_a_run_without_the_file_is_explained_from_its_inputs(tmp_path, ecocredit_cli):
    full = _run(tmp_path / "out", "jiangsu-2020")
    (tmp_path / "out" / EXPLAIN_FILE).unlink()  # as a run written before the file existed
    m = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    del m["outputs"][EXPLAIN_FILE]
    (tmp_path / "out" / "manifest.json").write_text(json.dumps(m), encoding="utf-8")

    proc = ecocredit_cli("explain", tmp_path / "out", "91360981610777802X")

    assert proc.returncode == 0, proc.stderr
    assert full.explain("91360981610777802X") in proc.stdout
    assert replay(tmp_path / "out").identical


def test_replay_checks_the_file_like_every_output(tmp_path):
    _run(tmp_path / "out", "anhui-2019")
    assert replay(tmp_path / "out").identical
    p = tmp_path / "out" / EXPLAIN_FILE
    p.write_bytes(p.read_bytes()[:-1] + b"X")

    report = replay(tmp_path / "out")

    assert not report.identical
    assert any(EXPLAIN_FILE in problem and "changed since the run" in problem
               for problem in report.problems), report.problems


def test_a_new_run_never_keeps_an_old_runs_file(tmp_path, ecocredit_cli):
    """A partitioned run writes no explain.parquet; the previous run's must not survive in
    the directory (it would explain another run)."""
    src = tmp_path / "pq"
    synth.write(synth.generate(60, seed=3), src, "parquet")
    common = ["score", "--ruleset", "anhui-2019", "--period", "2025", "--today", "2026-01-01",
              "--firms", src / "firms.parquet", "--events", src / "events.parquet",
              "--out", tmp_path / "out"]
    assert ecocredit_cli(*common).returncode in (0, 1)
    assert (tmp_path / "out" / EXPLAIN_FILE).is_file()

    proc = ecocredit_cli(*common, "--engine", "partitioned", "--partitions", "2")

    assert proc.returncode in (0, 1), proc.stderr
    assert not (tmp_path / "out" / EXPLAIN_FILE).exists()
