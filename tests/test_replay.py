"""Replay detects every edit and never crashes; relocated inputs and supervision runs replay.

One small scoring run (three firms, one rejected row, the ruleset as a file) is saved; then
bounded sets of random one-byte edits are made to each of its files (inputs, ruleset,
outputs, manifest), one at a time on a fresh copy, and ``ecocredit replay`` is run as a user
runs it: every edit must end in exit status 1 naming what changed (never "identical", never
exit 2, never a traceback).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from test_cli import A, C, clean_inputs, score_args, write_csv

ROOT = Path(__file__).resolve().parents[1]
EDITS_PER_FILE = 4
# printable, not whitespace: an edit that changes a byte of JSON indentation into another
# space would change nothing a reader sees
_BYTES = [b for b in range(33, 127)] + [0x00, 0xFF, 0xE7]


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory, ecocredit_cli):
    d = tmp_path_factory.mktemp("replay")
    inputs = clean_inputs(d / "tree" / "in")
    with inputs["events"].open("a", encoding="utf-8") as fh:
        fh.write(f"E8,{C},2025/13/40,fine,,\n")  # one rejected row: rejects.csv is not empty
    rs = d / "tree" / "in" / "anhui.yaml"
    shutil.copy(ROOT / "rulesets" / "anhui-2019.yaml", rs)
    out = d / "tree" / "out"
    proc = ecocredit_cli(*score_args(inputs, out, str(rs)))
    assert proc.returncode == 1, proc.stderr  # the rejected row
    return d / "tree"


def _edit(path: Path, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    i = rng.randrange(len(data))
    data[i] = rng.choice([b for b in _BYTES if b != data[i]])
    path.write_bytes(bytes(data))


FILES = ["in/firms.csv", "in/events.csv", "in/anhui.yaml", "out/scores.csv",
         "out/contributions.csv", "out/rejects.csv", "out/manifest.json"]


def test_random_one_byte_edits_of_every_file_are_all_reported(saved_run, tmp_path,
                                                               ecocredit_cli):
    rng = random.Random(11)
    tried = misses = tracebacks = exit2 = 0
    for name in FILES:
        for k in range(EDITS_PER_FILE):
            tree = tmp_path / f"{Path(name).name}-{k}"
            shutil.copytree(saved_run, tree)
            # the manifest names the inputs where they were: edit them there, in a copy
            orig = saved_run / name
            backup = orig.read_bytes()
            target = orig if name.startswith("in/") else tree / name
            try:
                _edit(target, rng)
                proc = ecocredit_cli("replay", tree / "out")
            finally:
                orig.write_bytes(backup)
            tried += 1
            text = proc.stdout + proc.stderr
            tracebacks += "Traceback" in text
            exit2 += proc.returncode == 2
            if proc.returncode != 1 or "identical" in proc.stdout.lower():
                misses += 1
                print(f"MISS {name} edit {k}: exit {proc.returncode}\n{text}")
            elif name != "out/manifest.json":
                assert "changed since the run" in text and Path(name).name in text, text
            shutil.rmtree(tree)
    print(f"\nedits tried: {tried}; replay misses: {misses}; exit 2: {exit2}; "
          f"tracebacks: {tracebacks}")
    assert (misses, exit2, tracebacks) == (0, 0, 0)


@pytest.mark.parametrize("field, value", [
    (("counts", "firms"), 4), (("counts", "grades", "green"), 0),
    (("ruleset", "version"), "2019.2"), (("inputs", "firms", "name"), "other/firms.csv"),
    (("inputs", "events", "rows_read"), 99), (("options", "evaluation_date"), "2025-06-30"),
    (("contract_version"), "0.9")])
def test_an_edited_manifest_field_does_not_replay_as_identical(saved_run, tmp_path,
                                                               ecocredit_cli, field, value):
    out = shutil.copytree(saved_run / "out", tmp_path / "out")
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    keys = field if isinstance(field, tuple) else (field,)
    node = m
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    (out / "manifest.json").write_text(json.dumps(m, indent=2, ensure_ascii=False),
                                       encoding="utf-8")

    proc = ecocredit_cli("replay", out)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "manifest.json" in proc.stdout and keys[-1] in proc.stdout


def test_a_run_moved_with_its_inputs_replays_from_the_new_place(saved_run, tmp_path,
                                                                ecocredit_cli):
    moved = shutil.copytree(saved_run, tmp_path / "elsewhere" / "tree")
    hidden = saved_run.parent / "hidden"
    (saved_run / "in").rename(hidden)  # the inputs are no longer where the manifest says
    try:
        proc = ecocredit_cli("replay", moved / "out")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "identical" in proc.stdout and "found at" in proc.stdout
    finally:
        hidden.rename(saved_run / "in")


def test_inputs_named_with_the_inputs_option_are_used_when_their_hashes_match(
        saved_run, tmp_path, ecocredit_cli):
    out = shutil.copytree(saved_run / "out", tmp_path / "run" / "out")
    now = shutil.copytree(saved_run / "in", tmp_path / "archive" / "2025")
    hidden = saved_run.parent / "hidden2"
    (saved_run / "in").rename(hidden)
    try:
        gone = ecocredit_cli("replay", out)
        assert gone.returncode == 2 and "--inputs" in gone.stderr
        proc = ecocredit_cli("replay", out, "--inputs", now)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        write_csv(now / "firms.csv", [{"firm_id": A, "name": "改过", "region_code": "360102"}])
        changed = ecocredit_cli("replay", out, "--inputs", now)
        assert changed.returncode == 1
        assert "firms" in changed.stdout and "changed since the run" in changed.stdout
    finally:
        hidden.rename(saved_run / "in")


def test_inspection_frequency_runs_and_draws_replay_and_their_edits_are_reported(
        tmp_path, ecocredit_cli):
    ex = ROOT / "docs" / "examples" / "inspection"
    common = ["--firms", ex / "firms.csv", "--events", ex / "events.csv"]
    scores = tmp_path / "scores"
    assert ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2023", *common,
                         "--today", "2026-01-01", "--out", scores).returncode in (0, 1)
    freq, plan = tmp_path / "frequency", tmp_path / "plan"
    assert ecocredit_cli("inspection-frequency", *common, "--scores", scores, "--as-of",
                         "2023-12-31", "--out", freq).returncode in (0, 1)
    assert ecocredit_cli("draw", "--quarter", "2024Q1", "--seed", "20240101", "--inspectors",
                         ex / "inspectors.csv", *common, "--scores", scores, "--out",
                         plan).returncode in (0, 1)
    for run in (freq, plan):
        proc = ecocredit_cli("replay", run)
        assert proc.returncode == 0 and "identical" in proc.stdout, proc.stdout + proc.stderr

    m = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    m["counts"]["checks"] += 1
    (plan / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    out = (freq / "frequency.csv").read_bytes()
    (freq / "frequency.csv").write_bytes(out[:-2] + b"X\n")
    for run, what in ((plan, "counts.checks"), (freq, "frequency.csv changed since the run")):
        proc = ecocredit_cli("replay", run)
        assert proc.returncode == 1 and what in proc.stdout, proc.stdout + proc.stderr


def test_a_saved_warning_the_replay_does_not_give_is_reported_as_warnings_that_differ(
        saved_run, tmp_path, ecocredit_cli):
    out = shutil.copytree(saved_run / "out", tmp_path / "out")
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "warnings" not in m  # the saved run is fully covered: no warning recomputed
    m["warnings"] = [{"code": "period_not_ended", "message": "The period 2025 ends later."}]
    (out / "manifest.json").write_text(json.dumps(m, indent=2, ensure_ascii=False),
                                       encoding="utf-8")

    proc = ecocredit_cli("replay", out)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("manifest.json: the warnings differ (saved: The period 2025 ends later.; now: none)"
            in proc.stdout), proc.stdout
    assert "not something a run records" not in proc.stdout


def test_manifests_compared_say_which_side_lacks_a_field_a_run_records_only_sometimes():
    from ecocredit.audit.replay import compare_manifests

    w = [{"code": "x", "message": "Inputs end early."}]
    assert compare_manifests({"warnings": w}, {}) == [
        "manifest.json: the warnings differ (saved: Inputs end early.; now: none)"]
    assert compare_manifests({}, {"warnings": w}) == [
        "manifest.json: the warnings differ (saved: none; now: Inputs end early.)"]
    assert compare_manifests({"options": {"allow_codes": "a.csv"}}, {"options": {}}) == [
        "manifest.json: options.allow_codes is 'a.csv' in the manifest, absent when recomputed"]
    assert compare_manifests({"colour": 1}, {}) == [
        "manifest.json: colour is not something a run records"]
