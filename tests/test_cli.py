"""The command line as a user runs it: ``python -m ecocredit.cli`` in a subprocess, so exit
statuses, stdout and stderr are exactly what a shell sees (and no traceback can hide in a test
runner's capture).

Exit status (contract): 0 success; 1 finished, but input rows were rejected or a replay
differs; 2 nothing was done, with one line on stderr and no traceback.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, TODAY, make_firm_id

A, B, C = (make_firm_id(i) for i in (1, 2, 3))

SCORE_COLUMNS = ["firm_id", "name", "period", "ruleset", "ruleset_version", "status", "score",
                 "grade", "grade_label", "vetoed", "rules_applied", "list"]
CONTRIBUTION_COLUMNS = ["firm_id", "rule_id", "points", "evidence", "reference"]
REJECT_COLUMNS = ["file", "row", "column", "reason_code", "value", "message"]
BOM = b"\xef\xbb\xbf"


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pd.DataFrame(rows, dtype=object).to_csv(path, index=False, encoding="utf-8")
    return path


def clean_inputs(d: Path) -> dict[str, Path]:
    """Three firms under anhui-2019 in 2025: A fined and found exceeding (100 - 6 - 5 = 89,
    blue), B warned (100 - 2 = 98, green), C with a clean record (100, green)."""
    d.mkdir(parents=True, exist_ok=True)
    firms = write_csv(d / "firms.csv", [
        {"firm_id": A, "name": "南昌甲化工有限公司", "region_code": "360102"},
        {"firm_id": B, "name": "乙环保科技有限公司", "region_code": "360111"},
        {"firm_id": C, "name": "丙公司", "region_code": "360102"},
    ])
    events = write_csv(d / "events.csv", [
        {"event_id": "E1", "firm_id": A, "event_date": "2025-03-01", "event_type": "fine",
         "amount": "50000", "recorded_at": "2025-03-05"},
        {"event_id": "E2", "firm_id": A, "event_date": "2025-04-01", "event_type": "exceedance",
         "amount": "", "recorded_at": "2025-08-01"},  # entered late: --as-of 2025-06-30 skips it
        {"event_id": "E3", "firm_id": B, "event_date": "2025-05-01", "event_type": "warning",
         "amount": "", "recorded_at": ""},
    ])
    return {"firms": firms, "events": events}


def score_args(inputs: dict[str, Path], out: Path, ruleset: str = "anhui-2019",
               period: str = "2025", *extra: str) -> list[str]:
    args = ["score", "--ruleset", ruleset, "--period", period, "--today", TODAY, "--out", out]
    for table, path in inputs.items():
        args += [f"--{table}", path]
    return args + list(extra)


def read_out(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of an output CSV, which must start with a UTF-8 BOM."""
    data = path.read_bytes()
    assert data.startswith(BOM), path
    reader = csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, r)) for r in rows]


def by_firm(path: Path) -> dict[str, dict[str, str]]:
    return {r["firm_id"]: r for r in read_out(path)[1]}


def assert_exit_2_with_one_line(proc) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("ecocredit: error: "), proc.stderr


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory, ecocredit_cli):
    """One clean scoring run shared by the read-only tests: (inputs, out dir, process)."""
    d = tmp_path_factory.mktemp("clean")
    inputs = clean_inputs(d / "in")
    out = d / "out"
    return inputs, out, ecocredit_cli(*score_args(inputs, out))


# --------------------------------------------------------------------------------------
# score
# --------------------------------------------------------------------------------------


def test_score_on_a_clean_dataset_writes_its_outputs_and_exits_0(clean_run):
    inputs, out, proc = clean_run

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "contributions.csv", "explain.parquet", "manifest.json", "rejects.csv", "scores.csv"]

    header, rows = read_out(out / "scores.csv")
    assert header[:len(SCORE_COLUMNS)] == SCORE_COLUMNS
    s = {r["firm_id"]: r for r in rows}
    assert list(s) == [A, B, C]  # one row per input firm, in input order
    assert (s[A]["score"], s[A]["grade"], s[A]["grade_label"]) == (
        str(100 - 6 - 5), "blue", "环保良好企业")  # a fine (AH-D03) and an exceedance (AH-D12)
    assert (s[B]["score"], s[B]["grade"]) == (str(100 - 2), "green")  # a warning (AH-D01)
    assert (s[C]["score"], s[C]["grade"], s[C]["vetoed"]) == ("100", "green", "false")
    assert s[A]["name"] == "南昌甲化工有限公司"

    header, rows = read_out(out / "contributions.csv")
    assert header[:len(CONTRIBUTION_COLUMNS)] == CONTRIBUTION_COLUMNS
    assert {(r["firm_id"], r["rule_id"], r["points"], r["evidence"]) for r in rows} == {
        (A, "AH-D03", "-6", "E1"), (A, "AH-D12", "-5", "E2"), (B, "AH-D01", "-2", "E3")}
    assert all(r["reference"] for r in rows)

    assert read_out(out / "rejects.csv") == (REJECT_COLUMNS, [])

    # the terminal summary: a count per grade
    lines = proc.stdout.splitlines()
    counts = {ln.split()[0]: int(ln.split()[-2]) for ln in lines if ln.startswith("  ")}
    assert counts == {"green": 2, "blue": 1, "yellow": 0, "red": 0, "not_graded": 0}
    assert "Rejected input rows: 0" in proc.stdout


def test_the_manifest_pins_package_ruleset_inputs_options_and_outputs(clean_run):
    inputs, out, _ = clean_run
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))

    assert m["package"]["version"]
    assert (m["ruleset"]["id"], m["ruleset"]["version"]) == ("anhui-2019", "2019.1")
    assert len(m["ruleset"]["sha256"]) == 64
    for table, path in inputs.items():
        info = m["inputs"][table]
        assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert (info["rows_read"], info["rows_used"], info["rows_rejected"]) == (
            {"firms": 3, "events": 3}[table], {"firms": 3, "events": 3}[table], 0)
    assert (m["options"]["period"], m["options"]["as_of"]) == ("2025", None)
    for name in ("scores.csv", "contributions.csv", "rejects.csv"):
        assert m["outputs"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()


def test_a_run_with_bad_rows_exits_1_and_every_input_file_reconciles(tmp_path, ecocredit_cli):
    firms = write_csv(tmp_path / "firms.csv", [
        {"firm_id": A, "name": "甲", "region_code": "360102"},
        {"firm_id": B[:-1] + ("0" if B[-1] != "0" else "1"), "name": "乙", "region_code": "360102"},
        {"firm_id": C, "name": "", "region_code": "3601"},  # two problems, one row
    ])
    events = write_csv(tmp_path / "events.csv", [
        {"event_id": "E1", "firm_id": A, "event_date": "2025-03-01", "event_type": "fine"},
        {"event_id": "E1", "firm_id": A, "event_date": "2025-03-02", "event_type": "fine"},
        {"event_id": "E3", "firm_id": C, "event_date": "2025-02-30", "event_type": "罚款"},
        {"event_id": "E4", "firm_id": A, "event_date": "2025-03-01", "event_type": "littering"},
    ])
    measurements = write_csv(tmp_path / "measurements.csv", [
        {"firm_id": A, "period": "2025", "indicator": "discharge_compliance_rate", "value": "1"},
        {"firm_id": A, "period": "2025", "indicator": "discharge_compliance_rate", "value": "1"},
        {"firm_id": A, "period": "2025-13", "indicator": "hazwaste_assessment", "value": "pass"},
    ])
    history = write_csv(tmp_path / "history.csv", [
        {"firm_id": A, "period": "2024", "grade": "green"},
        {"firm_id": A, "period": "2023", "grade": "purple"},
    ])
    inputs = {"firms": firms, "events": events, "measurements": measurements, "history": history}
    out = tmp_path / "out"

    proc = ecocredit_cli(*score_args(inputs, out, "guangdong-2015"))

    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    _, rejects = read_out(out / "rejects.csv")
    expected = {"firms": 2, "events": 3, "measurements": 2, "history": 1}
    for table, path in inputs.items():
        info = m["inputs"][table]
        assert info["rows_read"] == info["rows_used"] + info["rows_rejected"], table
        assert info["rows_rejected"] == expected[table], table
        rows = {(r["file"], r["row"]) for r in rejects if r["file"] == str(path)}
        assert len(rows) == info["rows_rejected"], table
    assert {r["file"] for r in rejects} == {str(p) for p in inputs.values()}
    assert list(by_firm(out / "scores.csv")) == [A]
    # rows, not lines of rejects.csv: the firm row with two problems counts once
    assert len(rejects) == 10
    assert f"Rejected input rows: {sum(expected.values())}" in proc.stdout


# --------------------------------------------------------------------------------------
# exit status 2: nothing done, one line on stderr
# --------------------------------------------------------------------------------------

BROKEN_RULESET = """\
format: 1
id: test-lint
version: "1"
title: {zh: 测试规则集, en: test ruleset}
jurisdiction: test
valid_from: 2020-01-01
last_checked: 2026-01-01
grades:
  - {id: good, label: 良好}
  - {id: poor, label: 不良}
evaluation: {mode: annual}
scoring:
  model: deduction
  base: 100
  min: 0
  max: 100
  bands:
    - {grade: good, min: 60}
    - {grade: poor}
rules:
  - id: R01
    kind: event_points
    label: {zh: 罚款, en: fine}
    reference: {document: 测试文件, article: 第1条}
    match: {types: [fine]}
    points: -5
    cap: 20
    colour: red
  - id: R02
    kind: event_points
    label: {zh: 警告, en: warning}
    match: {types: [warning]}
    points: -2
    cap: 10
"""


def _case_missing_file(tmp_path, inputs):
    return score_args({**inputs, "events": tmp_path / "nowhere.csv"}, tmp_path / "out"), \
        "nowhere.csv"


def _case_unreadable_file(tmp_path, inputs):
    garbage = tmp_path / "firms.xlsx"
    garbage.write_bytes(bytes(range(256)) * 4)
    return score_args({**inputs, "firms": garbage}, tmp_path / "out"), "firms.xlsx"


def _case_missing_column(tmp_path, inputs):
    f = tmp_path / "no_region.csv"
    pd.read_csv(inputs["firms"], dtype=str).drop(columns="region_code").to_csv(f, index=False)
    return score_args({**inputs, "firms": f}, tmp_path / "out"), "region_code"


def _case_unknown_ruleset(tmp_path, inputs):
    return score_args(inputs, tmp_path / "out", "zhejiang-1999"), "zhejiang-1999"


def _case_invalid_ruleset(tmp_path, inputs):
    f = tmp_path / "broken.yaml"
    f.write_text(BROKEN_RULESET, encoding="utf-8")
    return score_args(inputs, tmp_path / "out", str(f), "2025"), "broken.yaml"


def _case_period_not_covered(tmp_path, inputs):
    return score_args(inputs, tmp_path / "out", "anhui-2019", "2018"), "2019-07-01"


def _case_malformed_period(tmp_path, inputs):
    return score_args(inputs, tmp_path / "out", "anhui-2019", "2025-13"), "2025-13"


def _case_bad_as_of(tmp_path, inputs):
    return score_args(inputs, tmp_path / "out", "anhui-2019", "2025", "--as-of",
                      "2025-02-30"), "2025-02-30"


def _case_no_arguments(tmp_path, inputs):
    return [], "command"


def _case_unknown_option(tmp_path, inputs):
    return score_args(inputs, tmp_path / "out") + ["--colour", "red"], "--colour"


@pytest.mark.parametrize("case", [
    _case_missing_file, _case_unreadable_file, _case_missing_column, _case_unknown_ruleset,
    _case_invalid_ruleset, _case_period_not_covered, _case_malformed_period, _case_bad_as_of,
    _case_no_arguments, _case_unknown_option,
], ids=lambda f: f.__name__.removeprefix("_case_"))
def test_a_run_that_cannot_start_exits_2_with_one_line_and_writes_nothing(
        tmp_path, ecocredit_cli, case):
    inputs = clean_inputs(tmp_path / "in")
    args, mentioned = case(tmp_path, inputs)

    proc = ecocredit_cli(*args)

    assert_exit_2_with_one_line(proc)
    assert mentioned in proc.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------------------
# Excel safety
# --------------------------------------------------------------------------------------


def test_text_cells_a_spreadsheet_would_run_as_formulas_get_an_apostrophe(tmp_path, ecocredit_cli):
    names = ['=HYPERLINK("http://example.com","点我")', "@SUM(1)", "+1 abc"]
    firms = write_csv(tmp_path / "firms.csv", [  # an extra column is passed through, safely
        {"firm_id": f, "name": n, "region_code": "320102", "=cmd|' /C calc'!A0": "-x"}
        for f, n in zip((A, B, C), names)])
    # jiangsu-2020: every firm starts at 9; an environmental crime deducts 12 (JS-D13)
    events = write_csv(tmp_path / "events.csv", [
        {"event_id": "=1+1", "firm_id": A, "event_date": "2025-03-01",
         "event_type": "crime_conviction"},
        {"event_id": "E2", "firm_id": B, "event_date": "2025-03-01", "event_type": "fine",
         "amount": "-5"},
    ])
    out = tmp_path / "out"

    proc = ecocredit_cli(*score_args({"firms": firms, "events": events}, out, "jiangsu-2020"))

    assert proc.returncode == 1, proc.stderr
    header, _ = read_out(out / "scores.csv")
    assert header[-1] == "'=cmd|' /C calc'!A0"  # a header is a cell too
    s = by_firm(out / "scores.csv")
    assert [s[f]["name"] for f in (A, B, C)] == ["'" + n for n in names]
    assert s[A][header[-1]] == "'-x"
    assert s[A]["score"] == str(9 - 12)  # a negative score stays a number: -3
    _, contributions = read_out(out / "contributions.csv")
    assert {r["evidence"] for r in contributions if r["firm_id"] == A} == {"'=1+1"}
    assert [r["points"] for r in contributions if r["firm_id"] == A] == ["-12"]
    _, rejects = read_out(out / "rejects.csv")
    assert [(r["reason_code"], r["value"]) for r in rejects] == [("negative_amount", "-5")]


# --------------------------------------------------------------------------------------
# determinism and replay
# --------------------------------------------------------------------------------------


def test_two_runs_of_the_same_inputs_write_byte_identical_files(tmp_path, ecocredit_cli):
    inputs = clean_inputs(tmp_path / "in")
    write_csv(inputs["events"], [
        {"event_id": "E1", "firm_id": A, "event_date": "2025-03-01", "event_type": "fine"},
        {"event_id": "E2", "firm_id": B, "event_date": "01/03/2025", "event_type": "fine"},
    ])

    first = ecocredit_cli(*score_args(inputs, tmp_path / "one"))
    second = ecocredit_cli(*score_args(inputs, tmp_path / "two"))

    assert (first.returncode, second.returncode) == (1, 1)
    for name in ("scores.csv", "contributions.csv", "rejects.csv", "manifest.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), \
            name


def test_replay_of_an_untouched_run_says_identical_and_exits_0(clean_run, ecocredit_cli):
    _, out, _ = clean_run

    proc = ecocredit_cli("replay", out)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "identical" in proc.stdout.lower()


def test_replay_of_a_run_given_relative_paths_with_rejects_says_identical(
        tmp_path, ecocredit_cli):
    inputs = clean_inputs(tmp_path / "in")
    write_csv(inputs["events"], [
        {"event_id": "E1", "firm_id": A, "event_date": "01/03/2025", "event_type": "fine"}])
    relative = {t: p.relative_to(tmp_path) for t, p in inputs.items()}
    assert ecocredit_cli(*score_args(relative, Path("out")), cwd=tmp_path).returncode == 1
    _, rejects = read_out(tmp_path / "out" / "rejects.csv")
    assert [r["file"] for r in rejects] == [str(relative["events"])]  # the path as given

    proc = ecocredit_cli("replay", tmp_path / "out")  # from another directory

    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_replay_after_editing_the_saved_scores_exits_1_and_names_the_row(
        clean_run, tmp_path, ecocredit_cli):
    _, out, _ = clean_run
    copy = shutil.copytree(out, tmp_path / "run")
    scores = copy / "scores.csv"
    scores.write_bytes(scores.read_bytes().replace("环保良好企业".encode(), "环保诚信企业".encode()))

    proc = ecocredit_cli("replay", copy)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "scores.csv" in proc.stdout
    assert A in proc.stdout  # the edited firm's row
    assert B not in proc.stdout and C not in proc.stdout


def test_replay_after_editing_an_input_exits_1_and_names_the_file_and_rows(
        tmp_path, ecocredit_cli):
    inputs = clean_inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert ecocredit_cli(*score_args(inputs, out)).returncode == 0
    with inputs["events"].open("a", encoding="utf-8") as fh:
        fh.write(f"E9,{C},2025-06-01,fine,,\n")  # C is fined after the run

    proc = ecocredit_cli("replay", out)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "events.csv" in proc.stdout and "scores.csv" in proc.stdout
    assert C in proc.stdout and A not in proc.stdout


# --------------------------------------------------------------------------------------
# explain, rulesets, lint, --as-of
# --------------------------------------------------------------------------------------


def test_explain_prints_the_firms_rules_with_citations_and_evidence(clean_run, ecocredit_cli):
    _, out, _ = clean_run

    proc = ecocredit_cli("explain", out, A)

    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert A in text and "南昌甲化工有限公司" in text
    for rule_id, evidence in (("AH-D03", "E1"), ("AH-D12", "E2")):
        assert rule_id in text
        assert f"evidence: {evidence}" in text
    assert "皖环函〔2019〕662号" in text  # the citation of the deduction rules
    assert "blue" in text and str(100 - 6 - 5) in text
    lines = text.strip().splitlines()
    assert lines[-2] == "The reference engine agrees with the vectorized result."
    assert lines[-1] == f"The saved scores.csv agrees: grade blue, score {100 - 6 - 5}."


def test_explain_warns_when_an_input_changed_since_the_run(tmp_path, ecocredit_cli):
    inputs = clean_inputs(tmp_path / "in")
    out = tmp_path / "out"
    proc = ecocredit_cli(*score_args(inputs, out))
    assert proc.returncode == 0, proc.stderr
    with open(inputs["events"], "a", encoding="utf-8") as fh:  # a new fine for firm A
        fh.write(f"E99,{A},2025-10-01,fine,,\n")
    proc = ecocredit_cli("explain", out, A)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("WARNING: the events input") and "changed since the run" in lines[0]
    assert lines[-1].startswith("WARNING: the saved scores.csv says grade 'blue', score '89'")


def test_explain_of_a_firm_not_in_the_run_exits_2(clean_run, ecocredit_cli):
    _, out, _ = clean_run

    proc = ecocredit_cli("explain", out, make_firm_id(77))

    assert_exit_2_with_one_line(proc)
    assert make_firm_id(77) in proc.stderr


def test_rulesets_lists_the_bundled_rulesets_with_version_and_validity(ecocredit_cli):
    proc = ecocredit_cli("rulesets")

    assert proc.returncode == 0, proc.stderr
    rows = {ln.split()[0]: ln.split()[1:4] for ln in proc.stdout.splitlines()[1:]}
    assert rows == {"anhui-2019": ["2019.1", "2019-07-01", "open"],
                    "chongqing-2017": ["2017.1", "2017-01-01", "2021-12-31"],
                    "chongqing-2021": ["2021.1", "2022-01-01", "open"],
                    "guangdong-2015": ["2015.1", "2015-01-01", "open"],
                    "guizhou-2019": ["2019.1", "2019-01-01", "open"],
                    "hebei-2024": ["2024.1", "2024-01-01", "open"],
                    "jiangsu-2020": ["2020.1", "2020-01-01", "open"],
                    "jiangxi": ["2018.1", "2018-01-01", "open"],
                    "jilin-2018": ["2018.1", "2018-01-01", "open"],
                    "shandong-2020": ["2020.1", "2020-01-01", "open"]}


def test_lint_of_a_bundled_ruleset_says_ok_and_exits_0(ecocredit_cli):
    f = ROOT / "rulesets" / "anhui-2019.yaml"

    proc = ecocredit_cli("lint", f)

    assert (proc.returncode, proc.stdout.strip()) == (0, f"{f}: ok")


def test_lint_of_a_broken_ruleset_reports_every_problem_with_file_and_line(
        tmp_path, ecocredit_cli):
    f = tmp_path / "broken.yaml"
    f.write_text(BROKEN_RULESET, encoding="utf-8")
    lines = BROKEN_RULESET.splitlines()
    unknown_key = lines.index("    colour: red") + 1
    rule_without_reference = lines.index("  - id: R02") + 1

    proc = ecocredit_cli("lint", f)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{f}:{unknown_key}: rules[0].colour: ")
    assert out[0].endswith("[unknown_key]")
    assert out[1].startswith(f"{f}:{rule_without_reference}: rules[1].reference: ")
    assert out[1].endswith("[missing_reference]")


def test_as_of_is_recorded_in_the_manifest_and_leaves_out_later_records(
        tmp_path, ecocredit_cli):
    inputs = clean_inputs(tmp_path / "in")
    out = tmp_path / "out"

    proc = ecocredit_cli(*score_args(inputs, out, "anhui-2019", "2025", "--as-of", "2025-06-30"))

    assert proc.returncode == 0, proc.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["options"]["as_of"] == "2025-06-30"
    assert m["counts"]["events_excluded_as_of"] == 1
    assert by_firm(out / "scores.csv")[A]["score"] == str(100 - 6)  # E2 was entered in August
    assert ecocredit_cli("replay", out).returncode == 0  # replay re-applies the as-of date
