"""The evaluation cycle (issue 13): register, publish, objections, adjust, repair and measures.

Every register test runs on SQLite, and on a real PostgreSQL server when ECOCREDIT_TEST_PG_URL
names one (``.ci/run`` starts one with ``.ci/start-postgres``); without it the PostgreSQL cases
skip with a message. Commands are run as a user runs them (``ecocredit_cli``); concurrency and
the killed publish use real processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from ecocredit.cycle.publish import read_run
from ecocredit.cycle.register import DECISION_FIELDS, Register

ROOT = Path(__file__).resolve().parents[1]
CASE06 = Path(__file__).parent / "fixtures" / "case06"  # copy of shared/cases/06, codes fixed
PG_URL = os.environ.get("ECOCREDIT_TEST_PG_URL", "")

FIRMS = """firm_id,name,region_code,industry_code
91440300MA00001A51,虚构粤甲电子有限公司,440304,C3971
91440300MA00002BX2,虚构粤乙五金有限公司,440304,C3311
91440300MA00003C4B,虚构粤丙化工有限公司,440306,C2614
91440300MA00004D9H,=虚构粤丁纸业有限公司,440306,C2221
"""
EVENTS = """event_id,firm_id,event_date,event_type,amount,severity
E1,91440300MA00001A51,2025-05-10,fine,30000,
E2,91440300MA00002BX2,2025-04-02,fine,80000,
E3,91440300MA00002BX2,2025-06-11,complaint_verified,,
E4,91440300MA00002BX2,2025-07-20,complaint_verified,,
E5,91440300MA00003C4B,2025-03-01,eia_unapproved_construction,,
"""
A, B, C, D = ("91440300MA00001A51", "91440300MA00002BX2", "91440300MA00003C4B",
              "91440300MA00004D9H")


def _pg_database() -> str:
    """A fresh database on the test server (one per test), its URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def register_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The register under test: an SQLite file, or a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "register.sqlite")
    if not PG_URL:
        pytest.skip("no PostgreSQL server: set ECOCREDIT_TEST_PG_URL (.ci/run starts one with "
                    ".ci/start-postgres) to run the register tests on PostgreSQL")
    return _pg_database()


@pytest.fixture
def county(tmp_path: Path, ecocredit_cli) -> Path:
    """A tiny Guangdong county scored for 2025 (two yellow, one red by veto, one not fined)."""
    d = tmp_path / "county"
    d.mkdir()
    (d / "firms.csv").write_text(FIRMS, encoding="utf-8")
    (d / "events.csv").write_text(EVENTS, encoding="utf-8")
    r = ecocredit_cli("score", "--ruleset", "guangdong-2015", "--period", "2025", "--firms",
                      d / "firms.csv", "--events", d / "events.csv", "--today", "2026-05-01",
                      "--out", d / "run", "--quiet")
    assert r.returncode == 0, r.stderr
    return d


def _count(url: str) -> int:
    return len(Register(url).decisions())


def _one_line_error(r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith("ecocredit: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.stderr


# ---- publication ------------------------------------------------------------------------------


def test_a_draft_publication_records_every_firm_and_writes_public_files_without_internal_fields(
        county: Path, register_url: str, ecocredit_cli) -> None:
    r = ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "draft",
                      "--published-on", "2026-05-12")
    assert r.returncode == 0, r.stderr
    assert "objections may be filed until 2026-05-27" in r.stdout  # Guangzhou: 15 days
    reg = Register(register_url)
    d = reg.decisions()
    assert sorted(d["firm_id"]) == sorted([A, B, C, D]) and set(d["stage"]) == {"draft"}
    assert set(d["publication_end"]) == {"2026-05-27"}
    pub = county / "run" / "publication"
    csv = pd.read_csv(pub / "public.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert list(csv.columns)[:2] == ["统一社会信用代码", "企业名称"]
    assert not {"score", "rules_applied", "not_graded_reason", "分数"} & set(csv.columns)
    assert "'=虚构粤丁纸业有限公司" in set(csv["企业名称"])  # Excel-safe
    ws = openpyxl.load_workbook(pub / "public.xlsx").worksheets[0]
    assert ws["A1"].value == "统一社会信用代码"
    assert all(c.data_type == "s" for c in ws["A"][1:])  # ids are text cells
    page = (pub / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 3 and "<script" not in page and "src=\"http" not in page
    assert reg.verify().ok


def test_publishing_a_run_again_at_the_same_stage_is_refused_and_writes_nothing(
        county: Path, register_url: str, ecocredit_cli) -> None:
    args = ("publish", county / "run", "--register", register_url, "--stage", "draft",
            "--published-on", "2026-05-12")
    assert ecocredit_cli(*args).returncode == 0
    shutil.rmtree(county / "run" / "publication")
    r = ecocredit_cli(*args)
    _one_line_error(r)
    assert "already published at stage draft" in r.stderr
    assert _count(register_url) == 4 and not (county / "run" / "publication").exists()


# ---- objections -------------------------------------------------------------------------------


def _objections(d: Path, rows: str) -> Path:
    p = d / "objections.csv"
    p.write_text("firm_id,filed_on,claim,event_ids,statement\n" + rows, encoding="utf-8")
    return p


@pytest.mark.parametrize("row, message", [
    ("91440300MA00009X0X,2026-05-20,record_wrong,E1,x\n", "is not in run"),
    (f"{A},2026-05-28,record_wrong,E1,x\n", "after the deadline: objections could be filed from "
                                            "2026-05-12 until 2026-05-27"),
    (f"{A},2026-05-20,record_wrong,E1;E99,x\n", "unknown event(s) E99"),
])
def test_a_bad_objection_is_refused_with_one_line_and_nothing_is_written(
        county: Path, register_url: str, ecocredit_cli, row: str, message: str) -> None:
    assert ecocredit_cli("publish", county / "run", "--register", register_url, "--stage",
                         "draft", "--published-on", "2026-05-12").returncode == 0
    r = ecocredit_cli("objections", county / "run", "--register", register_url,
                      "--applications", _objections(county, row))
    _one_line_error(r)
    assert message in r.stderr
    assert _count(register_url) == 4 and not (county / "run" / "objections").exists()


def test_an_upheld_objection_is_re_evaluated_recorded_and_then_published_as_final(
        county: Path, register_url: str, ecocredit_cli) -> None:
    run = county / "run"
    ecocredit_cli("publish", run, "--register", register_url, "--stage", "draft",
                  "--published-on", "2026-05-12")
    corr = county / "corrections.csv"
    corr.write_text("event_id,firm_id,event_date,event_type,ref_event_id,recorded_at\n"
                    f"R1,{C},2025-12-20,revocation,E5,2026-05-22\n", encoding="utf-8")
    apps = _objections(county, f"{C},2026-05-20,record_revoked,E5,复议撤销\n"
                               f"{B},2026-05-21,rectified,E2,已整改\n")
    r = ecocredit_cli("objections", run, "--register", register_url, "--applications", apps,
                      "--corrections", corr)
    assert r.returncode == 0, r.stderr
    dec = pd.read_csv(run / "objections" / "decisions.csv", dtype=str, encoding="utf-8-sig",
                      keep_default_na=False)
    assert dec.loc[0, ["firm_id", "filed_on", "decision", "reason_code", "grade_before"]
                   ].tolist() == [C, "2026-05-20", "upheld", "correction_accepted", "red"]
    assert dec.loc[0, "grade_after"] != "red" and "GD-V02" in dec.loc[0, "rules_changed"]
    assert dec.loc[1, ["decision", "reason_code"]].tolist() == ["rejected",
                                                                "rectification_is_repair"]
    m = read_run(run / "objections" / "run").manifest
    assert m["reevaluation_of"]["run_id"] == read_run(run).run_id
    # the final result cannot be released while objections may still be filed
    early = ecocredit_cli("publish", run / "objections" / "run", "--register", register_url,
                          "--stage", "final", "--published-on", "2026-05-27")
    _one_line_error(early)
    r = ecocredit_cli("publish", run / "objections" / "run", "--register", register_url,
                      "--stage", "final", "--published-on", "2026-06-05")
    assert r.returncode == 0, r.stderr
    reg = Register(register_url)
    assert reg.decisions(stage="objection")["firm_id"].tolist() == [C]
    now = reg.in_force([C], "2026-06-05").iloc[0]
    assert now["stage"] == "final" and now["grade"] == dec.loc[0, "grade_after"]
    assert reg.in_force([C], "2026-06-04").empty  # a draft is not in force
    assert reg.verify().ok


# ---- the chain --------------------------------------------------------------------------------


def test_register_verify_detects_a_one_byte_edit_to_any_stored_decision(
        county: Path, register_url: str, ecocredit_cli) -> None:
    ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "draft",
                  "--published-on", "2026-05-12")
    ok = ecocredit_cli("register", "verify", "--register", register_url)
    assert ok.returncode == 0 and "chain intact: 4 decisions" in ok.stdout
    reg = Register(register_url)
    t = sa.Table("decisions", sa.MetaData(), autoload_with=reg.engine)
    row = reg.decisions().iloc[1].to_dict()
    for col in DECISION_FIELDS:
        if col == "seq":
            continue
        old = row[col]
        if col == "supersedes":
            new: object = 7
        else:
            s = str(old)
            new = (s[:-1] + chr(ord(s[-1]) ^ 1)) if s else "x"  # one byte changed (or added)
        with reg.engine.begin() as c:
            c.execute(t.update().where(t.c.seq == row["seq"]).values({col: new}))
        r = ecocredit_cli("register", "verify", "--register", register_url)
        assert r.returncode == 1 and "BROKEN" in r.stdout, col
        assert f"#{row['seq']}" in r.stdout, col
        with reg.engine.begin() as c:
            c.execute(t.update().where(t.c.seq == row["seq"]).values(
                {col: None if col == "supersedes" and pd.isna(old) else old}))
    assert reg.verify().ok
    with reg.engine.begin() as c:  # a deleted record breaks the chain too
        c.execute(t.delete().where(t.c.seq == 2))
    assert not reg.verify().ok


def _head(out: str) -> str:
    """The head a command printed (``Register head: decisions=SEQ:HASH trace=SEQ:HASH``)."""
    lines = [ln for ln in out.splitlines() if ln.startswith("Register head: ")]
    assert len(lines) == 1, out
    return lines[0].removeprefix("Register head: ")


def test_the_last_record_deleted_is_caught_with_the_head_kept_elsewhere_and_not_without(
        county: Path, register_url: str, ecocredit_cli) -> None:
    pub = ecocredit_cli("publish", county / "run", "--register", register_url, "--stage",
                        "draft", "--published-on", "2026-05-12")
    head = _head(pub.stdout)
    assert head.startswith("decisions=4:") and head.endswith("trace=0:" + "0" * 64)
    ok = ecocredit_cli("register", "verify", "--register", register_url, "--expect-head", head)
    assert ok.returncode == 0, ok.stdout
    assert f"Head: {head}" in ok.stdout and "The expected head is in the chain" in ok.stdout
    # the decisions part alone, as SEQ:HASH
    seq_hash = head.split()[0].removeprefix("decisions=")
    alone = ecocredit_cli("register", "verify", "--register", register_url, "--expect-head",
                          seq_hash)
    assert alone.returncode == 0, alone.stdout
    reg = Register(register_url)
    t = sa.Table("decisions", sa.MetaData(), autoload_with=reg.engine)
    with reg.engine.begin() as c:
        c.execute(t.delete().where(t.c.seq == 4))
    blind = ecocredit_cli("register", "verify", "--register", register_url)
    assert blind.returncode == 0 and "chain intact: 3 decisions" in blind.stdout  # the limit
    assert "records removed from the end would not show" in blind.stdout
    cut = ecocredit_cli("register", "verify", "--register", register_url, "--expect-head", head)
    assert cut.returncode == 1 and "BROKEN" in cut.stdout
    assert "the chain ends at #3 but the expected head is #4" in cut.stdout
    # a head kept from later (a record appended after a cut would take #4 with another hash)
    assert not reg.verify(expect={"decisions": (3, "f" * 64)}).ok


def test_every_command_that_appends_prints_the_head_it_leaves_and_an_old_head_still_checks(
        county: Path, register_url: str, ecocredit_cli, tmp_path: Path) -> None:
    run = county / "run"
    draft = _head(ecocredit_cli("publish", run, "--register", register_url, "--stage", "draft",
                                "--published-on", "2026-05-12").stdout)
    apps = tmp_path / "apps.csv"
    apps.write_text("firm_id,filed_on,claim,event_ids,statement\n"
                    f"{C},2026-05-20,record_revoked,E5,revoked on review\n", encoding="utf-8")
    corr = tmp_path / "corr.csv"
    corr.write_text("event_id,firm_id,event_date,event_type,ref_event_id,recorded_at\n"
                    f"R1,{C},2025-12-20,revocation,E5,2026-05-22\n", encoding="utf-8")
    obj = ecocredit_cli("objections", run, "--register", register_url, "--applications", apps,
                        "--corrections", corr)
    assert obj.returncode == 0, obj.stderr
    after_obj = _head(obj.stdout)
    assert after_obj.startswith("decisions=5:")
    final = ecocredit_cli("publish", run / "objections" / "run", "--register", register_url,
                          "--stage", "final", "--published-on", "2026-06-05")
    after_final = _head(final.stdout)
    assert after_final.startswith("decisions=9:")
    reg = Register(register_url)
    assert reg.head().text() == after_final
    for old in (draft, after_obj, after_final):  # any head kept earlier proves its prefix
        assert reg.verify(expect=old).ok, old
    # a one-byte edit is still caught, anchor or not
    t = sa.Table("decisions", sa.MetaData(), autoload_with=reg.engine)
    with reg.engine.begin() as c:
        c.execute(t.update().where(t.c.seq == 2).values(grade="rad"))
    for expect in (None, after_final):
        r = reg.verify(expect=expect)
        assert not r.ok and any("#2: the record was changed" in p for p in r.problems)


def test_a_malformed_expected_head_is_a_one_line_error(register_url: str, ecocredit_cli) -> None:
    h = "0" * 64
    for bad in ("4", "4:abc", "ledger=4:" + h, "x:" + h):
        r = ecocredit_cli("register", "verify", "--register", register_url, "--expect-head", bad)
        _one_line_error(r)
        assert "SEQ:HASH" in r.stderr
    for bad, says in (("", "empty"), ("  ", "empty"), (f"decisions=6029:{h} decisions=1:{h}",
                                                      "decisions head twice"),
                      (f"4:{h} decisions=4:{h}", "decisions head twice")):
        r = ecocredit_cli("register", "verify", "--register", register_url, "--expect-head", bad)
        _one_line_error(r)
        assert says in r.stderr, (bad, r.stderr)


def _publish_process(run: Path, url: str, pause: float, marker: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), ECOCREDIT_CYCLE_PAUSE=str(pause),
               ECOCREDIT_CYCLE_PAUSE_MARKER=str(marker))
    return subprocess.Popen([sys.executable, "-m", "ecocredit.cli", "publish", str(run),
                             "--register", url, "--stage", "draft", "--published-on",
                             "2026-05-12"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(p: Path, proc: subprocess.Popen, seconds: float = 90) -> None:
    end = time.monotonic() + seconds
    while not p.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the publish never reached its transaction"
        time.sleep(0.05)


def test_two_processes_publishing_at_once_are_both_recorded_in_order_with_the_chain_intact(
        county: Path, register_url: str, ecocredit_cli) -> None:
    other = county / "run2"
    r = ecocredit_cli("score", "--ruleset", "guangdong-2015", "--period", "2025", "--firms",
                      county / "firms.csv", "--events", county / "events.csv", "--today",
                      "2026-05-02", "--out", other, "--quiet")
    assert r.returncode == 0
    Register(register_url)  # create the schema first, as a deployed register would have it
    m1, m2 = county / "m1", county / "m2"
    p1 = _publish_process(county / "run", register_url, 2.0, m1)
    _wait_for(m1, p1)  # the first holds the lock, inside its transaction
    p2 = _publish_process(other, register_url, 0.0, m2)
    out = [p.communicate(timeout=120) for p in (p1, p2)]
    assert p1.returncode == 0 and p2.returncode == 0, out
    d = Register(register_url).decisions()
    assert len(d) == 8 and d["seq"].tolist() == list(range(1, 9))
    assert d["batch"].iloc[:4].nunique() == 1 and d["batch"].iloc[4:].nunique() == 1
    assert d["batch"].iloc[0] == m1.read_text() != d["batch"].iloc[4]
    assert Register(register_url).verify().ok


def test_a_publish_killed_before_commit_leaves_the_register_as_before(
        county: Path, register_url: str, ecocredit_cli) -> None:
    before = Register(register_url).verify()
    marker = county / "marker"
    p = _publish_process(county / "run", register_url, 60.0, marker)
    _wait_for(marker, p)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate()
    reg = Register(register_url)
    assert reg.decisions().empty and reg.verify().ok and before.ok
    r = ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "draft",
                      "--published-on", "2026-05-12")
    assert r.returncode == 0, r.stderr
    assert len(Register(register_url).decisions()) == 4


# ---- after the final publication --------------------------------------------------------------


def test_an_incident_after_publication_lowers_a_guangdong_grade_one_level_once(
        county: Path, register_url: str, ecocredit_cli) -> None:
    ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "final",
                  "--published-on", "2026-06-05")
    ev = county / "later.csv"
    ev.write_text("event_id,firm_id,event_date,event_type,severity\n"
                  f"L1,{A},2026-08-10,incident,general\nL0,{A},2026-06-01,incident,general\n",
                  encoding="utf-8")
    args = ("adjust", "--register", register_url, "--ruleset", "guangdong-2015", "--firms",
            county / "firms.csv", "--events", ev, "--date", "2026-08-20", "--out", county / "adj")
    r = ecocredit_cli(*args)
    assert r.returncode == 0, r.stderr
    adj = pd.read_csv(county / "adj" / "adjustments.csv", dtype=str, encoding="utf-8-sig")
    assert adj[["firm_id", "grade_before", "grade_after", "effective_from", "rule_id",
                "evidence"]].values.tolist() == [[A, "yellow", "red", "2026-08-20", "GD-ADJ01",
                                                  "L1"]]  # L0 precedes the publication
    assert "0 adjustment(s)" in ecocredit_cli(*args).stdout  # the same evidence is used once
    show = ecocredit_cli("register", "show", "--register", register_url, "--firm", A, "--on",
                         "2026-08-20")
    assert show.returncode == 0 and "grade red" in show.stdout and "#5 adjustment" in show.stdout
    csv = ecocredit_cli("register", "show", "--register", register_url, "--firm", A, "--on",
                        "2026-08-19", "--csv")
    t = pd.read_csv(__import__("io").StringIO(csv.stdout), dtype=str, keep_default_na=False)
    assert t["stage"].tolist() == ["final", "adjustment"]
    assert t["in_force"].tolist() == ["true", "false"]
    assert t["effective_to"].tolist() == ["2026-08-19", ""]


def test_a_veto_type_behaviour_after_publication_sets_an_anhui_firm_to_poor(
        county: Path, register_url: str, ecocredit_cli) -> None:
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                      county / "firms.csv", "--events", county / "events.csv", "--today",
                      "2026-05-01", "--out", county / "ah", "--quiet")
    assert r.returncode == 0
    ecocredit_cli("publish", county / "ah", "--register", register_url, "--stage", "final",
                  "--published-on", "2026-04-30")
    ev = county / "later.csv"
    ev.write_text("event_id,firm_id,event_date,event_type\n"
                  f"V1,{D},2026-07-01,concealed_discharge\n", encoding="utf-8")
    r = ecocredit_cli("adjust", "--register", register_url, "--ruleset", "anhui-2019",
                      "--firms", county / "firms.csv", "--events", ev, "--date", "2026-07-10")
    assert r.returncode == 0, r.stderr
    assert f"{D}: " in r.stdout and "→ red from 2026-07-10 (AH-ADJ01; evidence V1)" in r.stdout


def test_guangdong_repair_counts_from_the_recorded_publication_of_the_2018_results(
        tmp_path: Path, register_url: str, ecocredit_cli) -> None:
    """Case 06: the 2018 results were published on 2020-03-31; May 2020 is within 6 months."""
    if not CASE06.exists():
        pytest.skip("the shared case 06 is not available here")
    d = tmp_path / "case06"
    shutil.copytree(CASE06, d)
    r = ecocredit_cli("score", "--ruleset", "guangdong-2015", "--period", "2018", "--firms",
                      d / "firms.csv", "--events", d / "events.csv", "--measurements",
                      d / "measurements.csv", "--out", d / "out", "--quiet")
    assert r.returncode == 0, r.stderr
    early = ecocredit_cli("repair", d / "out", "--applications", d / "apps-2020.csv",
                          "--register", register_url)
    _one_line_error(early)  # not yet published as final: nothing to count from
    assert ecocredit_cli("publish", d / "out", "--register", register_url, "--stage", "final",
                         "--published-on", "2020-03-31").returncode == 0
    refused = ecocredit_cli("repair", d / "out", "--applications", d / "apps-2019.csv",
                            "--register", register_url)
    assert refused.stdout.count("REFUSED") == 2 and "before_publication" in refused.stdout
    granted = ecocredit_cli("repair", d / "out", "--applications", d / "apps-2020.csv",
                            "--register", register_url, "--out", d / "repairs.csv")
    assert granted.returncode == 0 and granted.stdout.count("GRANTED") == 2, granted.stdout
    reg = Register(register_url)
    rep = reg.decisions(stage="repair")
    assert sorted(rep["grade"]) == ["blue", "yellow"]
    assert set(rep["effective_from"]) == {"2020-05-22"}  # after the 7-day notice
    assert reg.in_force(rep["firm_id"], "2020-05-21")["stage"].tolist() == ["final", "final"]
    assert reg.verify().ok


def test_measures_read_the_grade_in_force_on_the_day_and_leave_a_trace_in_the_register(
        county: Path, register_url: str, ecocredit_cli) -> None:
    ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "final",
                  "--published-on", "2026-06-05")
    req = county / "req.csv"
    req.write_text("firm_id,action,date,who\n"
                   f"{B},subsidy,2026-06-04,窗口\n{B},subsidy,2026-06-05,窗口\n",
                   encoding="utf-8")
    r = ecocredit_cli("measures", county / "run", "--requests", req, "--register", register_url)
    assert r.returncode == 0, r.stderr
    assert "not yet published" in r.stdout and "GD-M08" in r.stdout
    tr = Register(register_url).trace()
    assert tr[["date", "in_force", "grade", "measures"]].values.tolist() == [
        ["2026-06-04", "false", "", ""], ["2026-06-05", "true", "yellow", "GD-M08"]]
    assert pd.isna(tr.loc[0, "decision_seq"]) and int(tr.loc[1, "decision_seq"]) == 2
    assert Register(register_url).verify().records == {"decisions": 4, "trace": 2}


def test_decisions_cut_from_the_end_are_caught_without_a_head_when_a_trace_record_names_one(
        county: Path, register_url: str, ecocredit_cli) -> None:
    ecocredit_cli("publish", county / "run", "--register", register_url, "--stage", "final",
                  "--published-on", "2026-06-05")
    req = county / "req.csv"
    req.write_text(f"firm_id,action,date,who\n{B},subsidy,2026-06-05,窗口\n", encoding="utf-8")
    assert ecocredit_cli("measures", county / "run", "--requests", req, "--register",
                         register_url).returncode == 0
    reg = Register(register_url)
    assert int(reg.trace().loc[0, "decision_seq"]) == 2 and reg.verify().ok
    t = sa.Table("decisions", sa.MetaData(), autoload_with=reg.engine)
    with reg.engine.begin() as c:  # the chain of decisions #1 alone still checks
        c.execute(t.delete().where(t.c.seq >= 2))
    r = ecocredit_cli("register", "verify", "--register", register_url)
    assert r.returncode == 1 and "BROKEN (1 decisions, 1 trace records)" in r.stdout, r.stdout
    assert "decisions #2, named by trace #1, is missing" in r.stdout


# ---- the worked example of docs/cycle.md ------------------------------------------------------


def test_the_worked_example_takes_a_county_from_draft_to_final_with_two_objections_one_adjustment_and_one_repair(  # noqa: E501
        tmp_path: Path, ecocredit_cli) -> None:
    script = ROOT / "docs" / "examples" / "cycle" / "run.sh"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OUT=str(tmp_path),
               E=f"{sys.executable} -m ecocredit.cli")
    r = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=env, cwd=ROOT,
                       timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    reg = Register(tmp_path / "register.sqlite")
    d = reg.decisions()
    per_stage = d["stage"].value_counts().to_dict()
    assert per_stage == {"draft": 3014, "final": 3014, "objection": 1, "adjustment": 1,
                         "repair": 1}
    assert "Register chain intact" in r.stdout
    # the head kept after the final publication (#6029) is still in the chain at the end
    assert "The expected head is in the chain (decisions #6029, trace #0)" in r.stdout
    assert reg.in_force(["91360981610777802X"], "2026-07-01")["grade"].tolist() == ["blue"]
    assert reg.in_force(["91360981MA9DYB473L"], "2026-07-22")["stage"].tolist() == ["repair"]
    assert reg.in_force(["91360981MA4QW4X70L"], "2026-08-20")["grade"].tolist() == ["yellow"]
