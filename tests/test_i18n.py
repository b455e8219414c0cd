"""Chinese headers and messages by option (``--lang zh``, issue 15).

The catalog :mod:`ecocredit.output.i18n` holds every word of a people's output; these tests
check that it misses no key, and run the commands with ``--lang zh`` as a user would: the
people's files and the summaries are Chinese, the machine files (CSV columns, reason codes,
manifests) are the very same bytes as with the default ``--lang en``.
"""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ecocredit.engine.vectorized import CONTRIBUTION_COLUMNS, SCORE_COLUMNS
from ecocredit.output import i18n
from ecocredit.read.prepared import REJECT_COLUMNS
from ecocredit.supervision import PUBLIC_COLUMNS
from ecocredit.vocab import REASON_CODES

ROOT = Path(__file__).resolve().parents[1]
MY = ROOT / "docs" / "examples" / "my-data"
COUNTY = ROOT / "docs" / "examples" / "inspection"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


# ---- the catalog misses no key -----------------------------------------------------------------


def test_every_column_of_the_run_tables_has_a_chinese_header_in_the_workbooks():
    missing = [c for c in SCORE_COLUMNS + CONTRIBUTION_COLUMNS + REJECT_COLUMNS
               if not _has_chinese(i18n.RUN_HEADERS.get(c, ""))]
    assert missing == []


def test_every_column_of_the_public_draw_plan_has_a_chinese_header():
    assert [c for c in PUBLIC_COLUMNS if not _has_chinese(i18n.PLAN_PUBLIC_HEADERS.get(c, ""))
            ] == []


def test_every_public_column_of_a_publication_has_a_chinese_header():
    from ecocredit.cycle.publish import PUBLIC_HEADERS

    assert all(_has_chinese(v) for v in PUBLIC_HEADERS.values())
    assert set(PUBLIC_HEADERS) <= set(i18n.PUBLIC_HEADERS)


def test_every_reason_code_of_rejects_csv_has_a_chinese_message():
    assert [c for c in REASON_CODES if not _has_chinese(i18n.REASONS_ZH.get(c, ""))] == []


def test_every_message_has_both_languages_with_the_same_placeholders():
    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    for key, by_lang in i18n.TEXT.items():
        assert set(by_lang) == set(i18n.LANGS), key
        assert fields(by_lang["en"]) == fields(by_lang["zh"]), key
        assert _has_chinese(by_lang["zh"]) or not by_lang["zh"].strip(" ：:"), key


def test_a_language_other_than_en_or_zh_is_refused():
    with pytest.raises(ValueError, match="en, zh"):
        i18n.t("score.rejected", "fr", n=1)


def test_the_report_tables_have_a_chinese_header_for_every_column_that_is_not_a_grade_id(
        tmp_path: Path, ecocredit_cli) -> None:
    from ecocredit.analysis.report import _HEADERS_ZH, run_report

    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                      MY / "firms.csv", "--events", MY / "events.csv", "--today", "2026-06-01",
                      "--out", tmp_path / "run", "-q")
    assert r.returncode in (0, 1), r.stderr
    rep = run_report(tmp_path / "run", lang="zh")
    grades = {"green", "blue", "yellow", "red", "black"}
    missing = {c for tab in rep.tables.values() for c in tab.columns
               if c not in grades and c not in _HEADERS_ZH}
    assert missing == set()


# ---- the commands, run as a user runs them --------------------------------------------------------


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_score_with_lang_zh_prints_chinese_and_writes_chinese_reject_messages_in_the_workbook(
        tmp_path: Path, ecocredit_cli) -> None:
    runs = {}
    for lang in ("en", "zh"):
        r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                          MY / "firms.csv", "--events", MY / "events.csv", "--today",
                          "2026-06-01",
                          "--xlsx", "--lang", lang, "--out", tmp_path / lang)
        assert r.returncode == 1, r.stderr  # my-data has one bad date: 2025-02-30
        runs[lang] = r.stdout
    assert runs["zh"].startswith("已按评价规则 anhui-2019")
    assert "拒收的输入行：1（见 rejects.csv；中文说明见 --xlsx 写出的 rejects.xlsx）" in runs["zh"]
    assert "Rejected input rows: 1 (see rejects.csv)" in runs["en"]
    # the machine files are the contract: the same bytes in either language
    for name in ("scores.csv", "contributions.csv", "rejects.csv"):
        assert _sha(tmp_path / "en" / name) == _sha(tmp_path / "zh" / name), name
    ws = openpyxl.load_workbook(tmp_path / "zh" / "rejects.xlsx")["拒收记录"]
    head = [c.value for c in ws[1]]
    assert head == [i18n.RUN_HEADERS[c] for c in REJECT_COLUMNS]
    row = dict(zip(REJECT_COLUMNS, [c.value for c in ws[2]]))
    assert row["reason_code"] == "bad_date"  # the code stays the contract's
    assert row["message"] == "2025-02-30 不是日历上存在的日期：2025年2月只有 28 天。"
    en = openpyxl.load_workbook(tmp_path / "en" / "rejects.xlsx")["拒收记录"]
    assert en["F2"].value == "2025-02-30 is not a day of the calendar: February 2025 has 28 days."
    r = ecocredit_cli("replay", tmp_path / "zh")
    assert r.returncode == 0, r.stdout


def test_publish_with_lang_zh_writes_a_chinese_report_and_prints_chinese(
        tmp_path: Path, ecocredit_cli) -> None:
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                      MY / "firms.csv", "--events", MY / "events.csv", "--today", "2026-06-01",
                      "--out", tmp_path / "run", "-q")
    assert r.returncode == 1, r.stderr  # my-data's one bad date
    r = ecocredit_cli("publish", tmp_path / "run", "--register", tmp_path / "reg.sqlite",
                      "--stage", "draft", "--published-on", "2026-06-01", "--days", "15",
                      "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert "异议受理截止 2026-06-16" in r.stdout and "公示文件已写入" in r.stdout
    pub = tmp_path / "run" / "publication"
    csv = pd.read_csv(pub / "public.csv", dtype=str, encoding="utf-8-sig")
    assert list(csv.columns)[:3] == ["统一社会信用代码", "企业名称", "行政区划代码"]
    page = (pub / "report.html").read_text(encoding="utf-8")
    assert "各评价等级企业数" in page and "评价规则 anhui-2019" in page
    assert "Ruleset " not in page and "graded firms" not in page


def test_draw_with_lang_zh_writes_a_public_plan_workbook_and_replays_identical(
        tmp_path: Path, ecocredit_cli) -> None:
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2023", "--firms",
                      COUNTY / "firms.csv", "--events", COUNTY / "events.csv", "--out",
                      tmp_path / "scores", "-q")
    assert r.returncode == 0, r.stderr
    out = {}
    for lang in ("en", "zh"):
        r = ecocredit_cli("draw", "--quarter", "2024Q1", "--seed", "20240101", "--inspectors",
                          COUNTY / "inspectors.csv", "--firms", COUNTY / "firms.csv",
                          "--events", COUNTY / "events.csv", "--scores", tmp_path / "scores",
                          "--lang", lang, "--out", tmp_path / lang)
        assert r.returncode == 0, r.stderr
        out[lang] = r.stdout
    assert out["zh"].startswith("按 jiangxi-2020（2020.1）为 2024Q1 抽取 38 次检查")
    assert not (tmp_path / "en" / "plan_public.xlsx").exists()
    for name in ("plan.csv", "plan_public.csv", "rejects.csv"):
        assert _sha(tmp_path / "en" / name) == _sha(tmp_path / "zh" / name), name
    ws = openpyxl.load_workbook(tmp_path / "zh" / "plan_public.xlsx")["双随机抽查公示"]
    assert [c.value for c in ws[1]] == [i18n.PLAN_PUBLIC_HEADERS[c] for c in PUBLIC_COLUMNS]
    status = [row[-1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert set(status) == {"已安排检查人员"}
    r = ecocredit_cli("replay", tmp_path / "zh")
    assert r.returncode == 0, r.stdout


def test_report_with_lang_zh_has_chinese_sections_sheets_and_headers(
        tmp_path: Path, ecocredit_cli) -> None:
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                      MY / "firms.csv", "--events", MY / "events.csv", "--today", "2026-06-01",
                      "--out", tmp_path / "run", "-q")
    assert r.returncode == 1, r.stderr  # my-data's one bad date
    r = ecocredit_cli("report", tmp_path / "run", "--lang", "zh")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("报告已写入")
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    assert "<h2>评价等级分布</h2>" in page and "<h2>红名单与黑名单</h2>" in page
    wb = openpyxl.load_workbook(tmp_path / "run" / "report.xlsx")
    assert wb.sheetnames[0] == "评价等级分布"
    assert [c.value for c in wb.worksheets[0][1]][:3] == ["信用等级", "说明", "企业数"]


def test_an_unknown_language_is_a_usage_error_of_one_line(ecocredit_cli) -> None:
    r = ecocredit_cli("score", "--lang", "fr", "--ruleset", "anhui-2019", "--period", "2025",
                      "--firms", MY / "firms.csv", "--events", MY / "events.csv", "--out", "x")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "'fr'" in r.stderr


def test_the_warnings_of_a_run_are_printed_in_chinese_and_recorded_in_english(tmp_path):
    import datetime as dt

    from ecocredit import load_ruleset, parse_period
    from ecocredit.read.coverage import coverage_warnings

    args = (parse_period("2025"), load_ruleset("guangdong-2015"), dt.date(2025, 6, 30), 0, 0)
    en, zh = coverage_warnings(*args), coverage_warnings(*args, lang="zh")

    assert [w["code"] for w in en] == [w["code"] for w in zh] == [
        "no_events_in_period", "no_measurements", "period_not_ended"]
    assert en[0]["message"].startswith("No accepted event falls in the period 2025")
    assert zh[0]["message"].startswith("评价期间 2025 内没有任何被接受的事件记录")
    assert "guangdong-2015" in zh[1]["message"] and "2025-12-31" in zh[2]["message"]


def test_not_graded_is_written_in_the_regulations_words_in_either_language() -> None:
    """不评定等级 (the regulations' term), never 未评级: one catalog entry for every output."""
    words = [i18n.t("score.not_graded", lang) for lang in i18n.LANGS]
    words += [i18n.VALUES["status"]["not_graded"], i18n.REPORT_HEADERS["not_graded"]]
    assert all(i18n.NOT_GRADED in w for w in words), words
    tables = [i18n.RUN_HEADERS, i18n.PUBLIC_HEADERS, i18n.PLAN_PUBLIC_HEADERS,
              i18n.REPORT_HEADERS, i18n.REPORT_SHEETS, i18n.SHEET_NAMES, i18n.TABLE_LABELS,
              i18n.REASONS_ZH, *i18n.VALUES.values(), *i18n.TEXT.values()]
    assert not [v for tab in tables for v in tab.values() if "未评级" in v]


def test_the_partitioned_engine_warns_in_chinese_with_lang_zh(tmp_path: Path, ecocredit_cli) -> None:
    """Its warnings come back from the manifest (English there) and are said again in zh."""
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2026", "--firms",
                      MY / "firms.csv", "--events", MY / "events.csv", "--today", "2026-03-01",
                      "--engine", "partitioned", "--partitions", "2", "--lang", "zh",
                      "--out", tmp_path / "p")
    assert r.returncode == 1, r.stderr
    warned = [line for line in r.stdout.splitlines() if line.startswith("警告：")]
    assert warned == [
        "警告：" + i18n.t("warning.no_events_in_period", "zh", period="2026"),
        "警告：" + i18n.t("warning.period_not_ended", "zh", period="2026", end="2026-12-31",
                         today="2026-03-01")]


def test_the_public_draw_plan_gives_its_reasons_in_chinese() -> None:
    from ecocredit.supervision.selection import _say

    en, zh = _say("draw.reason.drawn", words=_say("draw.reason.share", pct="25", per="quarter"),
                  drawn=3, of=9)
    assert en == "25% per quarter (3 drawn of 9 this quarter)"
    assert zh == "每季度 25%（本季度从 9 家中抽取 3 家）"


@pytest.mark.parametrize("code, message, value, zh", [
    ("duplicate_id", "The same firm_id is on row 3 of sheet 企业1.", "9144X",
     "firm_id 与工作表“企业1”第 3 行重复：9144X"),
    ("duplicate_id", "The same event_id is on row 7.", "E1", "event_id 与第 7 行重复：E1"),
    ("duplicate_id", "The same event_id is on data row 2.", "E1",
     "event_id 与第 2 个数据行（不计表头）重复：E1"),
    ("bad_number", "Not a decimal number of yuan with at most two decimals (fen); thousands "
                   "separators only between groups of three digits (1,500.00).", "12.345",
     "不是以元为单位、最多两位小数（分）的十进制数字；千位分隔符只能用于每三位数字之间"
     "（如 1,500.00）：12.345"),
    ("bad_number", "Indicator 'ratio' takes a number.", "high", "指标 ratio 的取值须为十进制数字：high"),
    ("out_of_domain", "Indicator 'ratio' (fraction) takes values from 0 to 1 (a fraction: 95% "
                      "is 0.95).", "95", "指标 ratio（fraction）的取值范围为 0 至 1：95"),
    ("missing_value", "A required value is empty.", "", "必填值为空"),
])
def test_a_chinese_reject_message_carries_the_facts_of_the_english_one(code, message, value, zh):
    rejects = pd.DataFrame([{"file": "f.xlsx", "row": 4, "column": "c", "reason_code": code,
                             "value": value, "message": message}])
    assert i18n.reject_messages(rejects, "zh")["message"].tolist() == [zh]
    assert i18n.reject_messages(rejects, "en")["message"].tolist() == [message]


def test_the_chinese_duplicate_id_of_a_workbook_names_the_other_row_and_sheet(
        tmp_path: Path, ecocredit_cli) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业1"
    ws.append(["firm_id", "name", "region_code", "supervision_class"])
    ws.append(["91340100MA2RXL8G0A", "甲", "340100", "general"])
    ws.append(["91340100MA2RXL8G0A", "乙", "340100", "general"])
    wb.save(tmp_path / "firms.xlsx")
    (tmp_path / "events.csv").write_text("event_id,firm_id,event_date,event_type\n",
                                         encoding="utf-8")
    r = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2025", "--firms",
                      tmp_path / "firms.xlsx", "--events", tmp_path / "events.csv", "--today",
                      "2026-06-01", "--xlsx", "--lang", "zh", "--out", tmp_path / "out")
    assert r.returncode in (0, 1), r.stderr
    ws = openpyxl.load_workbook(tmp_path / "out" / "rejects.xlsx")["拒收记录"]
    rows = [dict(zip(REJECT_COLUMNS, [c.value for c in row])) for row in ws.iter_rows(min_row=2)]
    dup = [x for x in rows if x["reason_code"] == "duplicate_id"]
    assert [x["message"] for x in dup] == ["firm_id 与第 2 行重复：91340100MA2RXL8G0A"], rows
