"""The bad-input corpus of issue 11's input sections: one small file per kind of fault in
``tests/corpus_inputs/``, each run through the command line as a user runs it.

Every case asserts the exit status, the reason codes reported, that no traceback appears, and
(for the input tables) that every row read is either used or rejected: read = used + rejected per
file, with the rejects naming exactly the rejected rows.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus_inputs"
TODAY = ["--today", "2026-01-01"]


def no_traceback(proc: Any) -> None:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text, text[-2000:]
    assert "Error:" not in proc.stderr or proc.returncode in (1, 2), proc.stderr


# --------------------------------------------------------------------------------------------
# Rulesets and inspection policies: every malformed file is a lint error with file and line
# --------------------------------------------------------------------------------------------

RULESET_CASES = {
    # file: (reason code, line)
    "tag-custom.yaml": ("yaml_tag", 8),
    "tag-python.yaml": ("yaml_tag", 8),
    "tag-python-object.yaml": ("yaml_tag", 8),
    "merge-key.yaml": ("yaml_merge_key", 15),
    "control-char.yaml": ("yaml_control_char", 12),
    "control-char-escaped.yaml": ("yaml_control_char", 12),
    "deep-nesting.yaml": ("yaml_too_deep", 536),
    "deep-block-nesting.yaml": ("yaml_too_deep", 600),
    "alias-bomb.yaml": ("yaml_too_large", 541),
    "recursive-alias.yaml": ("yaml_alias", 536),
    "number-400-digits.yaml": ("number_out_of_range", 6),
    "number-400-digits-points.yaml": ("number_out_of_range", 92),
    "number-1e999999999.yaml": ("number_out_of_range", 92),
    "number-float-huge.yaml": ("number_out_of_range", 92),
    "number-inf.yaml": ("bad_value", 92),
}

POLICY_CASES = {
    "tag-python.yaml": ("yaml_tag", 14),
    "alias-bomb.yaml": ("yaml_too_large", 525),
    "deep-nesting.yaml": ("yaml_too_deep", 520),
}


@pytest.mark.parametrize("name", sorted(RULESET_CASES))
def test_a_malformed_ruleset_is_a_lint_error_with_file_and_line(ecocredit_cli, name):
    code, line = RULESET_CASES[name]
    path = CORPUS / "rulesets" / name
    start = time.monotonic()
    proc = ecocredit_cli("lint", path)
    assert time.monotonic() - start < 30  # bounded: an alias bomb is stopped, not expanded
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{path}:{line}:" in proc.stdout and f"[{code}]" in proc.stdout, proc.stdout


@pytest.mark.parametrize("name", ["tag-python.yaml", "alias-bomb.yaml", "number-1e999999999.yaml"])
def test_scoring_with_a_malformed_ruleset_exits_2_with_one_line(ecocredit_cli, tmp_path, name):
    proc = ecocredit_cli("score", "--ruleset", CORPUS / "rulesets" / name, "--period", "2025",
                         "--firms", "sample_data/firms.csv", "--events", "sample_data/events.csv",
                         "--out", tmp_path / "out", *TODAY)
    no_traceback(proc)
    assert proc.returncode == 2
    assert RULESET_CASES[name][0] in proc.stderr


@pytest.mark.parametrize("name", sorted(POLICY_CASES))
def test_a_malformed_inspection_policy_is_a_lint_error_with_file_and_line(ecocredit_cli, name):
    code, line = POLICY_CASES[name]
    path = CORPUS / "policies" / name
    proc = ecocredit_cli("lint-policy", path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{path}:{line}:" in proc.stdout and f"[{code}]" in proc.stdout, proc.stdout


def test_a_python_tag_never_runs(tmp_path):
    """Loading a ruleset whose value carries ``!!python/object/apply`` builds nothing."""
    from ecocredit.ruleset.reader import Reader

    marker = tmp_path / "ran"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    reader = Reader("x.yaml", text)
    assert reader.read() is None
    assert [p.code for p in reader.problems] == ["yaml_tag"]
    assert not marker.exists()


# --------------------------------------------------------------------------------------------
# Input tables: nothing silently misread
# --------------------------------------------------------------------------------------------

TABLES = CORPUS / "tables"


@dataclass
class Case:
    """One bad input: which table it replaces, the exit status, and either the reject reason
    codes by data row of that file or the words of the one-line refusal."""

    table: str
    exit: int
    rejects: dict[int, str] = field(default_factory=dict)
    refusal: str = ""
    rows: int = 3  # data rows in the file


TABLE_CASES = {
    "firms-duplicate-header.csv": Case("firms", 2, refusal="names the column 'firm_id' twice"),
    "firms-extra-field.csv": Case("firms", 1, {2: "extra_field"}),
    "firms-bare-cr.csv": Case("firms", 1, {2: "bare_cr"}),
    "firms-mixed-encoding.csv": Case("firms", 1, {3: "undecodable"}),
    "firms-gb18030.csv": Case("firms", 0),
    "firms-utf16.csv": Case("firms", 0),
    "firms-xlsx-named-csv.csv": Case("firms", 2, refusal="is an Excel workbook (.xlsx)"),
    "firms-csv-named-xls.xls": Case("firms", 2, refusal="is a text (CSV) file"),
    "firms-csv-named-xlsx.xlsx": Case("firms", 2, refusal="is a text (CSV) file"),
    "events-amounts.csv": Case("events", 1, {2: "bad_number", 3: "bad_number", 5: "amount_unit",
                                             8: "amount_unit", 9: "bad_number",
                                             10: "bad_number"}, rows=10),
    "measurements-domain.csv": Case("measurements", 1, {2: "out_of_domain", 3: "out_of_domain",
                                                        4: "out_of_domain", 7: "out_of_domain"},
                                    rows=7),
    "events-dates.csv": Case("events", 1, {5: "bad_date", 6: "bad_date", 7: "bad_date",
                                           8: "bad_date"}, rows=9),
    "events-revocations.csv": Case("events", 1, {6: "revocation_cycle", 7: "revocation_cycle",
                                                 8: "revocation_cycle"}, rows=8),
    "firms-two-sheets.xlsx": Case("firms", 0),  # a notes sheet, then firms on two sheets
    "firms-formula-merged.xlsx": Case("firms", 1, {2: "formula_no_value", 3: "merged_cell"}),
}


def run_table_case(cli, tmp_path, name: str, case: Case, ruleset: str = "anhui-2019",
                   period: str = "2025", extra: tuple = ()) -> tuple[Any, dict, list[dict]]:
    files = {"firms": TABLES / "firms.csv", "events": TABLES / "events.csv"}
    if case.table == "measurements":
        ruleset = "guangdong-2015"
    files[case.table] = TABLES / name
    args = ["score", "--ruleset", ruleset, "--period", period, "--out", tmp_path / "out", *TODAY]
    for t, p in files.items():
        args += [f"--{t}", p]
    proc = cli(*args, *extra)
    no_traceback(proc)
    if not (tmp_path / "out" / "manifest.json").exists():
        return proc, {}, []
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    with open(tmp_path / "out" / "rejects.csv", encoding="utf-8-sig", newline="") as f:
        rejects = list(csv.DictReader(f))
    return proc, manifest, rejects


@pytest.mark.parametrize("name", sorted(TABLE_CASES))
def test_a_bad_input_table_is_refused_or_its_bad_rows_rejected(ecocredit_cli, tmp_path, name):
    case = TABLE_CASES[name]
    proc, manifest, rejects = run_table_case(ecocredit_cli, tmp_path, name, case)
    assert proc.returncode == case.exit, proc.stdout + proc.stderr
    if case.refusal:
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and case.refusal in lines[0], proc.stderr
        return
    for table, st in manifest["inputs"].items():  # read = used + rejected, per file
        assert st["rows_read"] == st["rows_used"] + st["rows_rejected"], table
        listed = {int(r["row"]) for r in rejects if r["file"] == st["name"]}
        assert len(listed) == st["rows_rejected"], table
    mine = str(TABLES / name)
    got = {int(r["row"]): r["reason_code"] for r in rejects if r["file"] == mine
           and r["reason_code"] in set(case.rejects.values())}
    assert got == case.rejects
    assert manifest["inputs"][case.table]["rows_read"] == case.rows  # every row read


@pytest.mark.parametrize("text, fen", [
    ("1,500.00", 150000), ("1500", 150000), ("１，５００．００", 150000), ("１５００", 150000),
    ("500.000", 50000), ("12,345,678.9", 1234567890), ("0.5", 50), (" 7 ", 700),
    ("1,5", None), ("1,0000", None), (",500", None), ("1.005", None), ("50万", None),
    ("1e3", None), ("", None),
])
def test_an_amount_is_read_exactly_or_not_at_all(text, fen):
    import pandas as pd

    from ecocredit.read.parse import _parse_fen
    got, ok, _ = _parse_fen(pd.Series([text], dtype=pd.ArrowDtype(__import__("pyarrow").string())))
    assert (int(got[0]) if ok[0] else None) == fen


@pytest.mark.parametrize("text, day", [
    ("2024-05-01", "2024-05-01"), ("2024/5/1", "2024-05-01"), ("2024.05.01", "2024-05-01"),
    ("2024年5月1日", "2024-05-01"), ("２０２４年５月１日", "2024-05-01"),
    ("2025-12-31T16:30Z", "2026-01-01"), ("2025-12-31T15:59:59Z", "2025-12-31"),
    ("2025-12-31T16:30:00.123+0000", "2026-01-01"), ("2025-12-31T23:30+08:00", "2025-12-31"),
    ("2025-12-31 23:59:59", "2025-12-31"),
    ("1/5/2024", None), ("05-01-2024", None), ("2024/5-1", None), ("2024-02-30", None),
    ("2024/2/30", None), ("2024", None), ("", None),
])
def test_a_date_is_read_in_china_time_or_not_at_all(text, day):
    import datetime as dt

    import pandas as pd
    import pyarrow as pa

    from ecocredit.read.parse import _parse_days
    days, ok = _parse_days(pd.Series([text], dtype=pd.ArrowDtype(pa.string())))
    got = str(dt.date(1970, 1, 1) + dt.timedelta(int(days[0]))) if ok[0] else None
    assert got == day


# --------------------------------------------------------------------------------------------
# Real-world case 12 (../shared/cases/12-month-end-validity): a Jiangsu fine deducts 2 from 15
# days after the decision for 6 months (JS-D03); months end on the corresponding day or the
# month's last day, never rolling over into the next month, and never NA.
# --------------------------------------------------------------------------------------------

CASE12 = Path(__file__).resolve().parent / "fixtures" / "case12"  # codes fixed (GB 11714)
FIRMS12 = ["91320500MA00001M3H", "91320500MA00002MXP", "91320500MA00003M66",
           "91320500MA00004M2F"]
# as-of date → scores of F1..F4 (9 = base, 7 = the fine's deduction in force), as the engine
# computes them: the validity ends on the corresponding day of the sixth month (or that month's
# last day), that day included (one date-window convention, docs/concepts.md)
CASE12_SCORES = {
    "2021-02-27": [7, 7, 9, 9],   # effective 2020-08-30 and 08-31: both end 2021-02-28
    "2021-02-28": [7, 7, 9, 9],   # the end day belongs (as tests/test_date_windows.py)
    "2021-03-01": [9, 9, 9, 9],   # no roll-over into March
    "2021-10-29": [9, 9, 7, 9],   # effective 2021-04-30 ends 2021-10-30, not 10-31
    "2021-10-30": [9, 9, 7, 9],
    "2021-10-31": [9, 9, 9, 9],
    "2024-02-28": [9, 9, 9, 7],   # effective 2023-08-30 ends on the leap day 2024-02-29
    "2024-02-29": [9, 9, 9, 7],
    "2024-03-01": [9, 9, 9, 9],
}


@pytest.mark.skipif(not CASE12.exists(), reason="the shared real-world cases are not here")
@pytest.mark.parametrize("as_of", sorted(CASE12_SCORES))
def test_case_12_a_six_month_validity_ends_on_the_corresponding_day_or_the_months_last(
        ecocredit_cli, tmp_path, as_of):
    proc = ecocredit_cli("score", "--ruleset", "jiangsu-2020", "--period", as_of[:4],
                         "--as-of", as_of, "--firms", CASE12 / "firms.csv", "--events",
                         CASE12 / "events.csv", "--out", tmp_path / "out", "--quiet", *TODAY)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out" / "scores.csv", encoding="utf-8-sig", newline="") as f:
        scores = {r["firm_id"]: int(r["score"]) for r in csv.DictReader(f)}
    assert [scores[f] for f in FIRMS12] == CASE12_SCORES[as_of]


# --------------------------------------------------------------------------------------------
# Real-world cases 08 and 09 (../shared/cases/): credit codes (GB 32100)
# --------------------------------------------------------------------------------------------

CASES = Path("/work/shared/cases")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _score_case(cli, tmp_path, case: str, *extra: Any) -> tuple[Any, dict, list[dict], list]:
    d = FIXTURES / case if (FIXTURES / case).is_dir() else CASES / case
    proc = cli("score", "--ruleset", "guangdong-2015", "--period", "2021", "--firms",
               d / "firms.csv", "--events", d / "events.csv", "--out", tmp_path / "out",
               "--quiet", *TODAY, *extra)
    no_traceback(proc)
    out = tmp_path / "out"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with open(out / "rejects.csv", encoding="utf-8-sig", newline="") as f:
        rejects = [(Path(r["file"]).name, int(r["row"]), r["reason_code"], r["value"])
                   for r in csv.DictReader(f)]
    with open(out / "scores.csv", encoding="utf-8-sig", newline="") as f:
        scored = [r["firm_id"] for r in csv.DictReader(f)]
    return proc, manifest, rejects, scored


@pytest.mark.skipif(False, reason="")
def test_case_08_a_real_nonconforming_code_is_rejected_with_its_events(ecocredit_cli, tmp_path):
    proc, _, rejects, scored = _score_case(ecocredit_cli, tmp_path,
                                           "case08")
    assert proc.returncode == 1
    assert rejects == [("firms.csv", 1, "bad_credit_code", "91350203M0001QKT19"),
                       ("events.csv", 1, "unknown_firm", "91350203M0001QKT19")]
    assert scored == ["91350203MA00001X32"]


@pytest.mark.skipif(False, reason="")
def test_case_08_an_allow_list_admits_the_code_with_a_warning_recorded_in_the_manifest(
        ecocredit_cli, tmp_path):
    allow = CORPUS / "allow-codes-case08.txt"
    proc, manifest, rejects, scored = _score_case(
        ecocredit_cli, tmp_path, "case08", "--allow-codes", allow)
    assert proc.returncode == 0 and rejects == []
    assert sorted(scored) == ["91350203M0001QKT19", "91350203MA00001X32"]
    assert "Warning: 91350203M0001QKT19 fails the GB 32100 checks" in proc.stderr
    recorded = manifest["options"]["allow_codes"]
    assert recorded["admitted"] == ["91350203M0001QKT19"] and recorded["file"] == str(allow)
    replay = ecocredit_cli("replay", tmp_path / "out")
    no_traceback(replay)
    assert replay.returncode == 0, replay.stdout + replay.stderr


@pytest.mark.skipif(not (CASES / "09-uscc-edge-codes").exists(), reason="no cases")
def test_case_09_only_codes_with_the_gb_32100_structure_are_accepted(ecocredit_cli, tmp_path):
    proc, _, rejects, scored = _score_case(ecocredit_cli, tmp_path, "09-uscc-edge-codes")
    assert proc.returncode == 1
    assert rejects == [
        ("firms.csv", 1, "bad_credit_code", "362322198709086409"),  # an identity number
        ("firms.csv", 2, "bad_credit_code", "111111111111111111"),  # bad check character
        ("firms.csv", 4, "bad_credit_code", "91440606MA4UO00016"),  # 'O' not in the alphabet
    ]
    assert scored == ["12440600MB2C07549J"]  # a public institution (authority 1, type 2)


def test_the_structure_check_knows_authorities_types_divisions_and_the_embedded_check():
    from ecocredit.codes import uscc_structure_mask

    codes = ["91330100716105852F", "12440600MB2C07549J", "362322198709086409",
             "9A330100716105852F", "91990100716105852F", "91330100716105853F"]
    assert uscc_structure_mask(codes).tolist() == [True, True, False, False, False, False]
    assert uscc_structure_mask(codes, org_check=False).tolist() == [True, True, False, False,
                                                                     False, True]


def test_revoking_a_revocation_restores_the_original_and_a_revocation_in_force_cancels(
        ecocredit_cli, tmp_path):
    """E1 revoked by R1, R1 revoked by R2: E1 counts again (AH-D03, -6); E2 revoked by R3
    counts for nothing."""
    case = TABLE_CASES["events-revocations.csv"]
    proc, _, _ = run_table_case(ecocredit_cli, tmp_path, "events-revocations.csv", case)
    with open(tmp_path / "out" / "contributions.csv", encoding="utf-8-sig", newline="") as f:
        evidence = {r["evidence"] for r in csv.DictReader(f)
                    if r["firm_id"] == "91360111088611139Q"}
    assert "E1" in evidence and "E2" not in evidence


def test_a_chain_of_revocations_alternates(score_rows, fid):
    """R3 revokes R2 revokes R1 revokes E: R2 is out, so R1 stands and E is revoked."""
    a = fid(1)
    firms = [{"firm_id": a, "name": "甲", "region_code": "360102"}]
    ev = [{"event_id": "E", "firm_id": a, "event_date": "2025-03-01", "event_type": "fine"},
          {"event_id": "R1", "firm_id": a, "event_date": "2025-03-02",
           "event_type": "revocation", "ref_event_id": "E"},
          {"event_id": "R2", "firm_id": a, "event_date": "2025-03-03",
           "event_type": "revocation", "ref_event_id": "R1"},
          {"event_id": "R3", "firm_id": a, "event_date": "2025-03-04",
           "event_type": "revocation", "ref_event_id": "R2"}]
    r = score_rows(firms, ev)
    assert str(r.scores.loc[0, "score"]) == "100"
    r = score_rows(firms, ev[:3])  # R2 revokes R1: E counts again
    assert str(r.scores.loc[0, "score"]) == "94"


# --------------------------------------------------------------------------------------------
# Results that mislead: warnings in the summary and the manifest, --strict refuses
# --------------------------------------------------------------------------------------------

def test_a_run_whose_inputs_do_not_cover_the_period_warns_and_strict_refuses(
        ecocredit_cli, tmp_path):
    args = ["score", "--ruleset", "guangdong-2015", "--period", "2026", "--firms",
            TABLES / "firms.csv", "--events", TABLES / "events.csv", *TODAY]
    proc = ecocredit_cli(*args, "--out", tmp_path / "out")
    no_traceback(proc)
    assert proc.returncode == 0
    codes = ["no_events_in_period", "no_measurements", "period_not_ended"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in manifest["warnings"]] == codes
    assert proc.stdout.count("Warning: ") == 3
    strict = ecocredit_cli(*args, "--out", tmp_path / "strict", "--strict")
    no_traceback(strict)
    assert strict.returncode == 2 and len(strict.stderr.strip().splitlines()) == 1
    assert "--strict: No accepted event falls in the period 2026" in strict.stderr
    assert not (tmp_path / "strict").exists()


def test_a_run_that_covers_its_period_has_no_warnings(ecocredit_cli, tmp_path):
    proc = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                         TABLES / "firms.csv", "--events", TABLES / "events.csv", "--strict",
                         "--out", tmp_path / "out", *TODAY)
    no_traceback(proc)
    assert proc.returncode == 0 and "Warning" not in proc.stdout + proc.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert "warnings" not in manifest


@pytest.mark.skipif(not (CASES / "08-uscc-xiamen-nonconforming").exists(), reason="no cases")
def test_case_08_s_hand_made_control_code_fails_its_embedded_gb_11714_check(
        ecocredit_cli, tmp_path):
    """The shared case's control firm is made up: its GB 32100 check character is right, the
    check character of the organisation code in characters 9-17 is not."""
    proc, _, rejects, scored = _score_case(ecocredit_cli, tmp_path,
                                           "08-uscc-xiamen-nonconforming")
    assert proc.returncode == 1 and scored == []
    assert [r[2] for r in rejects if r[0] == "firms.csv"] == ["bad_credit_code", "bad_org_code"]
