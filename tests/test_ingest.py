"""Ingest: every input row is either used or listed in the rejects table with its file, data row,
column, reason code and value; rejected rows never reach scoring; and the same table reads the
same from CSV (UTF-8, UTF-8 with BOM, GB18030), Excel and Parquet, with English or Chinese
headers.

Unless said otherwise the ruleset is anhui-2019 for the year 2025: every firm starts at 100 and
a fine deducts 6 (AH-D03), so 100 is 环保诚信 (green) and 100 - 6 = 94 is 环保良好 (blue).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

import ecocredit
from ecocredit.errors import InputError
from ecocredit.vocab import REASON_CODES

from conftest import TODAY, assert_reconciled, make_firm_id, reject_rows, scored

A, B, C, D = (make_firm_id(i) for i in (1, 2, 3, 4))
Z = make_firm_id(99)  # a valid code that no firms table lists
FINE = 100 - 6  # anhui-2019 AH-D03: one fine deducts 6 points


def firm(firm_id: str, **extra: str) -> dict[str, str]:
    return {"firm_id": firm_id, "name": f"企业{firm_id[-4:]}", "region_code": "360102", **extra}


def event(event_id: str, firm_id: str, event_type: str = "fine", event_date: str = "2025-03-01",
          **extra: str) -> dict[str, str]:
    return {"event_id": event_id, "firm_id": firm_id, "event_date": event_date,
            "event_type": event_type, **extra}


def wrong_check_char(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def score_of(result, firm_id: str) -> Decimal:
    """The firm's score as written (e.g. '94', '93.35'), exactly."""
    return Decimal(scored(result)[firm_id]["score"])


# --------------------------------------------------------------------------------------
# the accounts reconcile
# --------------------------------------------------------------------------------------


def test_a_clean_dataset_is_used_whole_and_rejects_nothing(score_rows):
    r = score_rows([firm(A), firm(B)], [event("E1", A, amount="5000")])

    assert reject_rows(r) == []
    assert {t: (s.rows_read, s.rows_used, s.rows_rejected) for t, s in r.stats.items()} == {
        "firms": (2, 2, 0), "events": (1, 1, 0)}
    assert score_of(r, A) == 100 - 6  # one fine
    assert score_of(r, B) == 100


def test_the_ingest_reason_codes_are_the_contract_closed_set():
    produced = {"missing_value", "bad_credit_code", "bad_org_code", "bad_region_code", "bad_date",
                "future_date",
                "recorded_before_event", "bad_number", "negative_amount", "bad_value",
                "unknown_event_type", "duplicate_id", "unknown_firm", "unknown_ref_event",
                "bad_period", "unknown_grade", "duplicate_measurement", "duplicate_history",
                # issue 11 (tests/corpus/, tests/test_corpus.py)
                "amount_unit", "out_of_domain", "revocation_cycle", "extra_field", "bare_cr",
                "undecodable", "formula_no_value", "merged_cell"}
    # unknown_indicator is in the vocabulary, but an undeclared indicator is accepted (below)
    assert produced | {"unknown_indicator"} == set(REASON_CODES)


# --------------------------------------------------------------------------------------
# firms
# --------------------------------------------------------------------------------------


def test_an_empty_required_value_is_rejected_as_missing_value_and_the_firm_is_not_scored(
        score_rows):
    r = score_rows([firm(A), firm(B, name=""), firm(C, region_code=" ")],
                   [event("E1", A, event_date="")])

    assert reject_rows(r) == [
        ("firms.csv", 2, "name", "missing_value", ""),
        ("firms.csv", 3, "region_code", "missing_value", ""),
        ("events.csv", 1, "event_date", "missing_value", ""),
    ]
    assert list(r.scores["firm_id"]) == [A]
    assert score_of(r, A) == 100  # the fine without a date deducts nothing
    assert_reconciled(r)


def test_a_credit_code_with_a_wrong_check_character_is_rejected_as_bad_credit_code(score_rows):
    bad = wrong_check_char(B)
    r = score_rows([firm(A), firm(bad), firm("91360102MA35XKQ1")], [])

    assert reject_rows(r) == [
        ("firms.csv", 2, "firm_id", "bad_credit_code", bad),
        ("firms.csv", 3, "firm_id", "bad_credit_code", "91360102MA35XKQ1"),  # 16 characters
    ]
    assert list(r.scores["firm_id"]) == [A]
    assert_reconciled(r)


@pytest.mark.parametrize("code", ["36010", "3601020", "36O102", "990102"])
def test_a_region_code_that_is_not_six_digits_of_a_province_is_rejected(score_rows, code):
    r = score_rows([firm(A, region_code=code), firm(B)], [])

    assert reject_rows(r) == [("firms.csv", 1, "region_code", "bad_region_code", code)]
    assert list(r.scores["firm_id"]) == [B]
    assert_reconciled(r)


@pytest.mark.parametrize("column, value", [
    ("status", "bankrupt"),
    ("supervision_class", "D"),
    ("permit_type", "heavy"),
    ("key_discharger", "maybe"),
    ("positive_list", "2"),
])
def test_a_firm_value_outside_its_vocabulary_is_rejected_as_bad_value(score_rows, column, value):
    r = score_rows([firm(A, **{column: value}), firm(B)], [])

    assert reject_rows(r) == [("firms.csv", 1, column, "bad_value", value)]
    assert list(r.scores["firm_id"]) == [B]
    assert_reconciled(r)


def test_a_repeated_firm_id_is_rejected_as_duplicate_id_and_the_first_row_is_kept(score_rows):
    r = score_rows([firm(A, name="第一"), firm(B), firm(A, name="第二")], [])

    assert reject_rows(r) == [("firms.csv", 3, "firm_id", "duplicate_id", A)]
    assert "data row 1" in r.rejects.loc[0, "message"]
    assert list(r.scores["firm_id"]) == [A, B]
    assert scored(r)[A]["name"] == "第一"
    assert_reconciled(r)


@pytest.mark.parametrize("value, code", [
    ("2025-02-30", "bad_date"), ("01/01/2025", "bad_date"), ("20250101", "bad_date"),
    ("2026-01-02", "future_date"),  # the day after the run's reference date
])
def test_a_bad_or_future_inclusion_date_rejects_the_firm(score_rows, value, code):
    r = score_rows([firm(A, included_since=value), firm(B, included_since=TODAY)], [])

    assert reject_rows(r) == [("firms.csv", 1, "included_since", code, value)]
    assert list(r.scores["firm_id"]) == [B]
    assert_reconciled(r)


# --------------------------------------------------------------------------------------
# events
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2025-02-30", "01/03/2025", "3/1/2025", "1 March 2025"])
def test_an_event_date_that_is_not_a_year_month_day_calendar_date_is_rejected_as_bad_date(
        score_rows, value):
    r = score_rows([firm(A)], [event("E1", A, event_date=value), event("E2", A)])

    assert reject_rows(r) == [("events.csv", 1, "event_date", "bad_date", value)]
    assert score_of(r, A) == FINE  # only E2 counts
    assert_reconciled(r)


def test_an_event_dated_after_the_reference_date_is_rejected_and_one_on_it_is_accepted(
        score_rows):
    r = score_rows([firm(A)], [event("E1", A, event_date="2026-01-02"),
                               event("E2", A, event_date=TODAY)])

    assert reject_rows(r) == [("events.csv", 1, "event_date", "future_date", "2026-01-02")]
    assert r.stats["events"].rows_used == 1
    assert_reconciled(r)


def test_a_record_entered_before_its_event_is_rejected_as_recorded_before_event(score_rows):
    r = score_rows([firm(A)], [
        event("E1", A, event_date="2025-03-01", recorded_at="2025-02-28"),
        event("E2", A, event_date="2025-03-01", recorded_at="2025-03-01"),
        event("E3", A, event_date="2025-03-01", recorded_at="2025-13-01"),
        event("E4", A, event_date="2025-03-01", recorded_at="2026-01-02"),
    ])

    assert reject_rows(r) == [
        ("events.csv", 1, "recorded_at", "recorded_before_event", "2025-02-28"),
        ("events.csv", 3, "recorded_at", "bad_date", "2025-13-01"),
        ("events.csv", 4, "recorded_at", "future_date", "2026-01-02"),
    ]
    assert score_of(r, A) == FINE  # only E2 counts
    assert_reconciled(r)


@pytest.mark.parametrize("value, code", [
    ("abc", "bad_number"), ("1O00", "bad_number"), ("inf", "bad_number"), ("nan", "bad_number"),
    ("1e400", "bad_number"), ("-100", "negative_amount"),
])
def test_a_fine_amount_that_is_not_a_number_or_below_zero_is_rejected(score_rows, value, code):
    r = score_rows([firm(A)], [event("E1", A, amount=value), event("E2", A, amount="1,000.50")])

    assert reject_rows(r) == [("events.csv", 1, "amount", code, value)]
    assert score_of(r, A) == FINE  # only E2 counts
    assert_reconciled(r)


@pytest.mark.parametrize("column, value", [("severity", "huge"), ("medium", "lava")])
def test_an_event_value_outside_its_vocabulary_is_rejected_as_bad_value(score_rows, column,
                                                                         value):
    r = score_rows([firm(A)], [event("E1", A, **{column: value}),
                               event("E2", A, severity="较大", medium="水")])

    assert reject_rows(r) == [("events.csv", 1, column, "bad_value", value)]
    assert score_of(r, A) == FINE  # only E2 counts
    assert_reconciled(r)


def test_an_event_type_neither_the_contract_nor_the_ruleset_knows_is_rejected(score_rows):
    r = score_rows([firm(A)], [event("E1", A, "littering"), event("E2", A)])

    assert reject_rows(r) == [("events.csv", 1, "event_type", "unknown_event_type", "littering")]
    assert score_of(r, A) == FINE
    assert_reconciled(r)


def test_a_known_event_type_the_ruleset_does_not_score_is_accepted_and_earns_nothing(
        score_rows):
    # anhui-2019 has no rule for a yellow card (黄牌警示)
    r = score_rows([firm(A)], [event("E1", A, "yellow_card")])

    assert reject_rows(r) == []
    assert r.stats["events"].rows_used == 1
    assert score_of(r, A) == 100
    assert r.contributions.empty


def test_a_repeated_event_id_is_rejected_as_duplicate_id_and_the_first_row_is_kept(score_rows):
    r = score_rows([firm(A)], [event("E1", A, "fine"), event("E1", A, "production_suspension")])

    assert reject_rows(r) == [("events.csv", 2, "event_id", "duplicate_id", "E1")]
    assert score_of(r, A) == FINE  # the fine, not the order to stop production (-20)
    assert_reconciled(r)


def test_an_event_of_an_unlisted_or_rejected_firm_is_rejected_as_unknown_firm(score_rows):
    r = score_rows([firm(A), firm(B, region_code="36010")],
                   [event("E1", Z), event("E2", B), event("E3", A)])

    assert reject_rows(r) == [
        ("firms.csv", 2, "region_code", "bad_region_code", "36010"),
        ("events.csv", 1, "firm_id", "unknown_firm", Z),
        ("events.csv", 2, "firm_id", "unknown_firm", B),  # its own row was rejected
    ]
    assert list(r.scores["firm_id"]) == [A]
    assert score_of(r, A) == FINE
    assert_reconciled(r)


def test_a_revocation_naming_no_event_or_another_firms_event_is_rejected(score_rows):
    r = score_rows([firm(A), firm(B)], [
        event("E1", A), event("E2", B),
        event("R1", A, "revocation", "2025-06-01", ref_event_id="NOPE"),
        event("R2", A, "revocation", "2025-06-01", ref_event_id="E2"),
        event("R3", A, "revocation", "2025-06-01"),
    ])

    assert reject_rows(r) == [
        ("events.csv", 3, "ref_event_id", "unknown_ref_event", "NOPE"),
        ("events.csv", 4, "ref_event_id", "unknown_ref_event", "E2"),  # B's event
        ("events.csv", 5, "ref_event_id", "missing_value", ""),
    ]
    assert score_of(r, A) == FINE
    assert score_of(r, B) == FINE  # A cannot revoke B's fine
    assert_reconciled(r)


def test_a_revocation_naming_a_rejected_event_is_rejected_too(score_rows):
    r = score_rows([firm(A)], [event("E1", A, amount="-1"),
                               event("R1", A, "revocation", "2025-06-01", ref_event_id="E1")])

    assert reject_rows(r) == [("events.csv", 1, "amount", "negative_amount", "-1"),
                              ("events.csv", 2, "ref_event_id", "unknown_ref_event", "E1")]
    assert_reconciled(r)


def test_several_problems_on_one_row_give_several_rejects_but_the_row_counts_once(score_rows):
    r = score_rows([firm(A)], [
        event("E1", A, "littering", "03/01/2025", amount="-5", severity="huge"),
        event("E2", A),
    ])

    assert reject_rows(r) == [
        ("events.csv", 1, "amount", "negative_amount", "-5"),
        ("events.csv", 1, "event_date", "bad_date", "03/01/2025"),
        ("events.csv", 1, "event_type", "unknown_event_type", "littering"),
        ("events.csv", 1, "severity", "bad_value", "huge"),
    ]
    st = r.stats["events"]
    assert (st.rows_read, st.rows_used, st.rows_rejected) == (2, 1, 1)
    assert_reconciled(r)


# --------------------------------------------------------------------------------------
# revocations and --as-of
# --------------------------------------------------------------------------------------


def test_a_revocation_cancels_the_event_it_names(score_rows):
    fine = event("E1", A)
    revoke = event("R1", A, "revocation", "2025-05-01", ref_event_id="E1")

    assert score_of(score_rows([firm(A)], [fine]), A) == 100 - 6
    r = score_rows([firm(A)], [fine, revoke])
    assert reject_rows(r) == []
    assert score_of(r, A) == 100  # the fine was overturned and counts for nothing
    assert r.contributions.empty


def test_scoring_as_of_a_date_ignores_records_entered_later(score_rows):
    events = [event("E1", A, recorded_at="2025-03-01"),
              event("E2", A, recorded_at="2025-08-01")]  # a fine of March entered in August

    assert score_of(score_rows([firm(A)], events), A) == 100 - 2 * 6
    r = score_rows([firm(A)], events, as_of="2025-06-30")
    assert score_of(r, A) == 100 - 6
    # the late record is neither rejected nor scored: it did not exist yet
    assert reject_rows(r) == []
    assert r.prepared.excluded_as_of == 1
    assert_reconciled(r)


def test_a_revocation_entered_after_the_as_of_date_does_not_cancel(score_rows):
    events = [event("E1", A, recorded_at="2025-03-01"),
              event("R1", A, "revocation", "2025-09-01", ref_event_id="E1")]

    assert score_of(score_rows([firm(A)], events), A) == 100
    assert score_of(score_rows([firm(A)], events, as_of="2025-06-30"), A) == 100 - 6


# --------------------------------------------------------------------------------------
# measurements and history
# --------------------------------------------------------------------------------------

GD = "guangdong-2015"


def test_an_indicator_the_ruleset_does_not_declare_is_accepted_and_unused(score_rows):
    rate = {"firm_id": A, "period": "2025", "indicator": "discharge_compliance_rate",
            "value": "0.8"}
    other = {"firm_id": A, "period": "2025", "indicator": "made_up_indicator", "value": "7"}

    plain = score_rows([firm(A)], [], ruleset=GD, measurements=[rate])
    r = score_rows([firm(A)], [], ruleset=GD, measurements=[rate, other])

    assert reject_rows(r) == []
    assert "unknown_indicator" not in set(r.rejects["reason_code"])
    assert r.stats["measurements"].rows_used == 2
    assert score_of(r, A) == score_of(plain, A)
    assert "made_up_indicator" not in " ".join(r.contributions["evidence"])


@pytest.mark.parametrize("indicator, value, code", [
    ("discharge_compliance_rate", "high", "bad_number"),
    ("discharge_compliance_rate", "inf", "bad_number"),
    ("hazwaste_assessment", "excellent", "bad_value"),
])
def test_a_measurement_value_the_indicator_cannot_take_is_rejected(score_rows, indicator,
                                                                    value, code):
    bad = {"firm_id": A, "period": "2025", "indicator": indicator, "value": value}
    r = score_rows([firm(A)], [], ruleset=GD, measurements=[bad])
    plain = score_rows([firm(A)], [], ruleset=GD, measurements=[])

    assert reject_rows(r) == [("measurements.csv", 1, "value", code, value)]
    assert score_of(r, A) == score_of(plain, A)  # as if the row were not there
    assert_reconciled(r)


@pytest.mark.parametrize("period", ["2025-13", "25", "2025Q1", "2025/01"])
def test_a_period_that_is_not_yyyy_or_yyyy_mm_is_rejected_as_bad_period(score_rows, period):
    r = score_rows([firm(A)], [], ruleset=GD,
                   measurements=[{"firm_id": A, "period": period,
                                  "indicator": "discharge_compliance_rate", "value": "1"}],
                   history=[{"firm_id": A, "period": period, "grade": "red"}])

    assert reject_rows(r) == [("measurements.csv", 1, "period", "bad_period", period),
                              ("history.csv", 1, "period", "bad_period", period)]
    assert_reconciled(r)


def test_a_measurement_or_history_row_of_an_unknown_firm_is_rejected(score_rows):
    r = score_rows([firm(A)], [], ruleset=GD,
                   measurements=[{"firm_id": Z, "period": "2025",
                                  "indicator": "discharge_compliance_rate", "value": "1"}],
                   history=[{"firm_id": Z, "period": "2024", "grade": "red"}])

    assert reject_rows(r) == [("measurements.csv", 1, "firm_id", "unknown_firm", Z),
                              ("history.csv", 1, "firm_id", "unknown_firm", Z)]
    assert_reconciled(r)


def test_a_second_value_for_the_same_firm_period_and_indicator_is_rejected(score_rows):
    first = {"firm_id": A, "period": "2025", "indicator": "discharge_compliance_rate",
             "value": "1"}
    second = dict(first, value="0.5")

    r = score_rows([firm(A)], [], ruleset=GD, measurements=[first, second])

    assert reject_rows(r) == [
        ("measurements.csv", 2, "indicator", "duplicate_measurement", "discharge_compliance_rate")]
    assert score_of(r, A) == score_of(score_rows([firm(A)], [], ruleset=GD,
                                                 measurements=[first]), A)
    assert_reconciled(r)


def test_a_history_grade_the_ruleset_does_not_define_is_rejected_as_unknown_grade(score_rows):
    r = score_rows([firm(A)], [], history=[{"firm_id": A, "period": "2024", "grade": "purple"},
                                           {"firm_id": A, "period": "2023", "grade": "red",
                                            "list": "grey"}])

    assert reject_rows(r) == [("history.csv", 1, "grade", "unknown_grade", "purple"),
                              ("history.csv", 2, "list", "bad_value", "grey")]
    assert scored(r)[A]["grade"] == "green"  # neither row caps the grade (AH-C01)
    assert_reconciled(r)


def test_a_second_history_record_for_the_same_firm_and_period_is_rejected(score_rows):
    blue = {"firm_id": A, "period": "2024", "grade": "blue"}
    red = {"firm_id": A, "period": "2024", "grade": "red"}

    # AH-C01: a firm rated 不良 (red) in either of the two previous years is at best blue
    assert scored(score_rows([firm(A)], [], history=[red]))[A]["grade"] == "blue"
    r = score_rows([firm(A)], [], history=[blue, red])
    assert reject_rows(r) == [("history.csv", 2, "period", "duplicate_history", "2024")]
    assert scored(r)[A]["grade"] == "green"  # the rejected red record is not read
    assert_reconciled(r)


# --------------------------------------------------------------------------------------
# headers, labels and file formats
# --------------------------------------------------------------------------------------

FIRMS_ZH = pd.DataFrame({
    "统一社会信用代码": [A, B, C],
    "企业名称": ["南昌甲化工有限公司", "乙环保科技", "丙公司"],
    "行政区划代码": ["360102", "360111", "36010"],  # the third is rejected
    "状态": ["正常", "", "关闭"],
})
EVENTS_ZH = pd.DataFrame({
    "记录编号": ["E1", "E2", "E3", "E4"],
    "统一社会信用代码": [A, A, B, B],
    "日期": ["2025-03-01", "2025-04-02", "2025-05-03", "05/04/2025"],  # E4 is rejected
    "行为类型": ["罚款", "超标排放", "警告", "罚款"],
    "罚款金额": ["50000", "", "", "1000"],
    "要素": ["水", "大气", "", ""],
})


def _english(df: pd.DataFrame, table: str) -> pd.DataFrame:
    from ecocredit.vocab import COLUMN_ALIASES
    return df.rename(columns=dict(COLUMN_ALIASES[table]))


def _score_files(firms, events, **kw):
    return ecocredit.score(firms, events, "anhui-2019", period="2025", today=TODAY,
                           names={"firms": "firms", "events": "events"}, **kw)


def test_chinese_headers_and_event_type_labels_are_read_like_the_english_ones():
    zh = _score_files(FIRMS_ZH, EVENTS_ZH)
    en = _english(EVENTS_ZH, "events").assign(
        event_type=["fine", "exceedance", "warning", "fine"], medium=["water", "air", "", ""])
    english = _score_files(_english(FIRMS_ZH, "firms").assign(status=["operating", "", "closed"]),
                           en)

    pd.testing.assert_frame_equal(zh.scores, english.scores)
    pd.testing.assert_frame_equal(zh.contributions, english.contributions)
    assert reject_rows(zh) == [("firms", 3, "region_code", "bad_region_code", "36010"),
                               ("events", 4, "event_date", "bad_date", "05/04/2025")]
    assert score_of(zh, A) == 100 - 6 - 5  # a fine (AH-D03) and an exceedance (AH-D12)
    assert score_of(zh, B) == 100 - 2  # a warning (AH-D01)


def test_a_missing_required_column_raises_input_error_naming_the_column_and_file(tmp_path):
    firms = tmp_path / "企业.csv"
    FIRMS_ZH.drop(columns="行政区划代码").to_csv(firms, index=False)
    events = tmp_path / "events.csv"
    EVENTS_ZH.to_csv(events, index=False)

    with pytest.raises(InputError) as exc:
        ecocredit.score(firms, events, "anhui-2019", period="2025", today=TODAY)

    assert exc.value.column == "region_code"
    assert exc.value.file == str(firms)
    assert "region_code" in str(exc.value) and str(firms) in str(exc.value)
    assert "行政区划代码" in str(exc.value)  # the alias, to help a reader of Chinese headers


def test_a_missing_event_column_in_a_dataframe_raises_input_error():
    with pytest.raises(InputError, match="event_type"):
        ecocredit.score(FIRMS_ZH, EVENTS_ZH.drop(columns="行为类型"), "anhui-2019", period="2025",
                        today=TODAY)


def _outputs(result):
    return result.scores, result.contributions, result.rejects


@pytest.fixture(scope="module")
def by_csv():
    return _outputs(_score_files(FIRMS_ZH, EVENTS_ZH))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_reads_the_same_in_utf8_utf8_with_bom_and_gb18030(tmp_path, by_csv, encoding):
    firms, events = tmp_path / "firms.csv", tmp_path / "events.csv"
    FIRMS_ZH.to_csv(firms, index=False, encoding=encoding)
    EVENTS_ZH.to_csv(events, index=False, encoding=encoding)
    if encoding == "gb18030":  # make sure the bytes really are not UTF-8
        with pytest.raises(UnicodeDecodeError):
            firms.read_bytes().decode("utf-8")

    for got, want in zip(_outputs(_score_files(firms, events)), by_csv):
        pd.testing.assert_frame_equal(got, want)


def test_an_excel_workbook_reads_the_same_as_the_csv(tmp_path, by_csv):
    firms, events = tmp_path / "firms.xlsx", tmp_path / "events.xlsx"
    f = FIRMS_ZH.copy()
    f["行政区划代码"] = [360102, 360111, 36010]  # typed as numbers in the sheet
    f.to_excel(firms, index=False, engine="openpyxl")
    e = EVENTS_ZH.copy()
    e["日期"] = [dt.date(2025, 3, 1), dt.date(2025, 4, 2), dt.date(2025, 5, 3), "05/04/2025"]
    e["罚款金额"] = [50000, None, None, 1000]
    e.to_excel(events, index=False, engine="openpyxl")

    scores, contributions, rejects = _outputs(_score_files(firms, events))
    pd.testing.assert_frame_equal(scores, by_csv[0])
    pd.testing.assert_frame_equal(contributions, by_csv[1])
    # the same rejects, located as Excel shows them: the sheet named, the header is row 1
    want = by_csv[2].assign(file=by_csv[2]["file"] + "#Sheet1", row=by_csv[2]["row"] + 1)
    pd.testing.assert_frame_equal(rejects, want)


def test_a_parquet_file_reads_the_same_as_the_csv(tmp_path, by_csv):
    firms, events = tmp_path / "firms.parquet", tmp_path / "events.parquet"
    FIRMS_ZH.to_parquet(firms, index=False)
    e = EVENTS_ZH.copy()
    e["罚款金额"] = [50000.0, None, None, 1000.0]  # a float column with nulls
    e.to_parquet(events, index=False)

    for got, want in zip(_outputs(_score_files(firms, events)), by_csv):
        pd.testing.assert_frame_equal(got, want)


# --------------------------------------------------------------------------------------
# firms that are not graded
# --------------------------------------------------------------------------------------


def test_closed_and_suspended_firms_are_reported_not_graded_and_not_dropped(score_rows):
    r = score_rows([firm(A), firm(B, status="closed"), firm(C, status="suspended"),
                    firm(D, status="停产")],
                   [event("E1", B), event("E2", C)])

    assert reject_rows(r) == []  # the events of firms not graded are still accepted
    s = scored(r)
    assert list(s) == [A, B, C, D]
    assert s[A]["status"] == "graded"
    for f, reason in ((B, "closed"), (C, "suspended"), (D, "suspended")):
        assert (s[f]["status"], s[f]["grade"], s[f]["score"]) == ("not_graded", "", "")
        assert s[f]["not_graded_reason"] == reason
    assert r.grade_counts()["not_graded"] == 3


def test_a_firm_included_after_the_evaluation_date_is_not_graded(score_rows):
    # 2024 is evaluated on 2024-12-31
    r = score_rows([firm(A, included_since="2024-12-31"), firm(B, included_since="2025-01-01")],
                   [], period="2024")

    s = scored(r)
    assert s[A]["status"] == "graded"
    assert (s[B]["status"], s[B]["not_graded_reason"]) == ("not_graded", "not_yet_included")
    assert_reconciled(r)


# --- the byte-level date parser agrees with the standard library ------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from ecocredit.read.parse import _parse_days  # noqa: E402
from ecocredit.read.text import STR  # noqa: E402
from ecocredit.days import day_of


def _stdlib_day(text: str):
    """The oracle: ISO dates, year-month-day with '-', '/' or '.' or in Chinese (full-width
    digits allowed), and ISO timestamps (with a zone: taken in China time), by the standard
    library's own parsers."""
    import re
    import unicodedata

    t = unicodedata.normalize("NFKC", text.strip())
    if not t.isascii() and "年" not in t:
        return None
    for sep in "-/.":
        if re.fullmatch(rf"\d{{4}}{re.escape(sep)}\d{{1,2}}{re.escape(sep)}\d{{1,2}}", t,
                        re.ASCII):
            try:
                return day_of(dt.datetime.strptime(t, f"%Y{sep}%m{sep}%d").date())
            except ValueError:
                return None
    if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t, re.ASCII):
        try:
            return day_of(dt.datetime.strptime(t, "%Y年%m月%d日").date())
        except ValueError:
            return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*"
                    r"(Z|[+-]\d{2}(:?\d{2})?)?", t, re.ASCII):
        try:
            stamp = dt.datetime.fromisoformat(t.replace(" ", "T", 1).replace(" ", ""))
        except ValueError:
            return None
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.timezone(dt.timedelta(hours=8)))
        return day_of(stamp.date())
    return None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z"),
    st.from_regex(r"\A[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}\Z"),
    st.from_regex(r"\A[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日\Z"),
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda t: t.isoformat()),
    st.text(max_size=12)), max_size=30))
def test_dates_are_parsed_exactly_as_the_standard_library_reads_them(texts):
    days, ok = _parse_days(pd.Series(texts, dtype=STR))
    for text, d, good in zip(texts, days, ok):
        expected = _stdlib_day(text)
        assert (int(d) if good else None) == expected, text


def test_threaded_ingest_gives_exactly_what_one_thread_gives(monkeypatch):
    """Large tables are encoded on threads; the prepared inputs and rejects are the same."""
    import ecocredit.read as ingest
    from conftest import ROOT
    from ecocredit.read import threads

    d = ROOT / "sample_data"
    tables = {t: ingest.read_table(d / f"{t}.csv", t) for t in
              ("firms", "events", "measurements", "history")}
    ev = tables["events"]
    # some trouble to find: a repeated id, a reference to nothing, a revocation of a repeat
    extra = ev.iloc[:3].copy()
    extra["ref_event_id"] = ["", "NO-SUCH-EVENT", ev["event_id"].iloc[5]]
    extra["event_type"] = ["fine", "rectification_completed", "revocation"]
    tables["events"] = pd.concat([ev, extra], ignore_index=True)
    rs = ecocredit.load_ruleset("anhui-2019")

    def prepared(threaded_rows: int):
        monkeypatch.setattr(threads, "_THREADED_ROWS", threaded_rows)
        return ingest.prepare(tables["firms"], tables["events"], rs,
                              measurements=tables["measurements"], history=tables["history"],
                              today=dt.date.fromisoformat(TODAY))

    one, many = prepared(10**12), prepared(0)
    assert len(one.rejects) >= 3
    for name in ("firms", "events", "measurements", "history", "rejects"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(many, name))
    assert one.stats == many.stats
    assert one.events["revoked"].sum() == many.events["revoked"].sum() > 0
