"""Issue 11's input checks at the level of one value or one function: amounts, dates, the
credit-code structure, revocation chains, YAML tags that never run. The files of each kind of
fault, run as a user runs them, are the corpus of ``tests/corpus/`` (``tests/test_corpus.py``).
"""

from __future__ import annotations

import pytest


def test_a_python_tag_never_runs(tmp_path):
    """Loading a ruleset whose value carries ``!!python/object/apply`` builds nothing."""
    from ecocredit.ruleset.reader import Reader

    marker = tmp_path / "ran"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    reader = Reader("x.yaml", text)
    assert reader.read() is None
    assert [p.code for p in reader.problems] == ["yaml_tag"]
    assert not marker.exists()


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
    # a date and time as a Chinese-locale spreadsheet exports it to CSV: China time, the day kept
    ("2025/2/28 8:00", "2025-02-28"), ("2025.02.28 08:00", "2025-02-28"),
    ("2025-2-28 8:00", "2025-02-28"), ("2025/2/28 23:59:59", "2025-02-28"),
    ("2025/2/28 25:00", None), ("2025/2/30 8:00", None),
    # a time that is not a time of day: rejected with a zone and without one alike
    ("2025-12-31T25:00", None), ("2025-02-28T10:99", None), ("2025-02-28T10:99+08:00", None),
    ("2025-12-31T25:00+08:00", None), ("2025-12-31 24:00", None), ("2025-12-31T23:59:60Z", None),
])
def test_a_date_is_read_in_china_time_or_not_at_all(text, day):
    import datetime as dt

    import pandas as pd
    import pyarrow as pa

    from ecocredit.read.parse import _parse_days
    days, ok = _parse_days(pd.Series([text], dtype=pd.ArrowDtype(pa.string())))
    got = str(dt.date(1970, 1, 1) + dt.timedelta(int(days[0]))) if ok[0] else None
    assert got == day


@pytest.mark.parametrize("text, why", [
    ("2025-02-30", "2025-02-30 is not a day of the calendar: February 2025 has 28 days."),
    ("2023-02-29", "2023-02-29 is not a day of the calendar: February 2023 has 28 days."),
    ("2025-04-31", "2025-04-31 is not a day of the calendar: April 2025 has 30 days."),
    ("2025/4/31", "2025/4/31 is not a day of the calendar: April 2025 has 30 days."),
    ("2025年2月29日", "2025年2月29日 is not a day of the calendar: February 2025 has 28 days."),
    ("2025-13-01", "2025-13-01 is not a day of the calendar: a year has 12 months (01 to 12)."),
    ("2025-01-00", "2025-01-00 is not a day of the calendar: the days of a month count from 01."),
    ("2024-02-29", None), ("yesterday", None), ("1/5/2024", None),
    ("2025-12-31T25:00", ("2025-12-31T25:00: the time is not a time of day (hours 00 to 23, "
                          "minutes and seconds 00 to 59).")),
    ("2025-02-28T10:99+08:00", ("2025-02-28T10:99+08:00: the time is not a time of day (hours "
                                "00 to 23, minutes and seconds 00 to 59).")),
    ("2025-02-30T10:00", ("2025-02-30T10:00 is not a day of the calendar: February 2025 has 28 "
                          "days.")),
    ("2025-12-31T23:59", None),
])
def test_a_date_the_calendar_lacks_is_named_as_such_not_as_a_wrong_form(text, why):
    from ecocredit.read.parse import NOT_A_DATE, date_messages, no_such_day

    assert no_such_day(text) == why
    assert date_messages([text]).tolist() == [why or NOT_A_DATE]


def test_a_request_for_a_day_the_calendar_lacks_is_refused_saying_so():
    import pandas as pd

    from ecocredit.decisions.measures import _requests
    from ecocredit.errors import InputError

    with pytest.raises(InputError, match="February 2025 has 28 days"):
        _requests(pd.DataFrame({"firm_id": ["X"], "action": ["permit"],
                                "date": ["2025-02-30"]}))


def test_the_structure_check_knows_authorities_types_divisions_and_the_embedded_check():
    from ecocredit.codes import uscc_structure_mask

    codes = ["91330100716105852F", "12440600MB2C07549J", "362322198709086409",
             "9A330100716105852F", "91990100716105852F", "91330100716105853F"]
    assert uscc_structure_mask(codes).tolist() == [True, True, False, False, False, False]
    assert uscc_structure_mask(codes, org_check=False).tolist() == [True, True, False, False,
                                                                     False, True]


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



def test_the_reading_stage_rejects_a_code_whose_embedded_organisation_code_fails_gb_11714(
        score_rows):
    """91360102000000010K: right GB 32100 check character, wrong GB 11714 one (should be 9)."""
    firms = [{"firm_id": "91360102000000010K", "name": "甲", "region_code": "360102"},
             {"firm_id": "91360102000000019F", "name": "乙", "region_code": "360102"}]
    r = score_rows(firms, [])
    assert r.rejects["reason_code"].tolist() == ["bad_org_code"]
    assert r.scores["firm_id"].tolist() == ["91360102000000019F"]
