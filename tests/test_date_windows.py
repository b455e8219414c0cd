"""The one date-window convention (docs/concepts.md, Civil Code Art. 201–202) and windows counted
from publication (issue 12, cases 06 and 12).

N months from day D end on the corresponding day of the last month, or that month's last day
where it has no such day, and the end day belongs to the window: an event's validity, a list
entry, a measure's duration, the repair windows. Repair windows count from the day the results
were published (``published_on``), not from the end of the evaluated year.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import ecocredit
from conftest import scored
from ecocredit.days import add_months
from ecocredit.decisions.repair import decide_repairs
from ecocredit.errors import InputError

from pathlib import Path

CASE06 = Path(__file__).parent / "fixtures" / "case06"  # copy of shared/cases/06


@pytest.mark.parametrize("start,months,end", [
    ("2020-08-30", 6, "2021-02-28"), ("2020-08-31", 6, "2021-02-28"),
    ("2021-04-30", 6, "2021-10-30"), ("2023-08-30", 6, "2024-02-29"),
    ("2024-02-29", 12, "2025-02-28"), ("2019-12-31", 12, "2020-12-31"),
    ("2024-01-31", 1, "2024-02-29"), ("2023-01-31", 1, "2023-02-28"),
])
def test_n_months_end_on_the_corresponding_day_or_the_month_s_last_day(start, months, end):
    assert add_months(dt.date.fromisoformat(start), months) == dt.date.fromisoformat(end)


# case 12: a Jiangsu fine deducts 2 from 15 days after the decision, for 6 months (JS-D03) ----
FINES = {  # firm → decision date (takes effect 15 days later)
    "91320500MA00001M3H": "2020-08-15",  # effective 2020-08-30 → ends 2021-02-28
    "91320500MA00002MXP": "2020-08-16",  # effective 2020-08-31 → ends 2021-02-28
    "91320500MA00003M66": "2021-04-15",  # effective 2021-04-30 → ends 2021-10-30
    "91320500MA00004M2F": "2023-08-15",  # effective 2023-08-30 → ends 2024-02-29
}


def _jiangsu(score_rows, as_of: str) -> dict[str, str]:
    firms = [{"firm_id": f, "name": f"虚构苏州{i}号有限公司", "region_code": "320505"}
             for i, f in enumerate(FINES, 1)]
    events = [{"event_id": f"E{i}", "firm_id": f, "event_date": d, "event_type": "fine",
               "amount": "20000"} for i, (f, d) in enumerate(FINES.items(), 1)]
    res = score_rows(firms, events, ruleset="jiangsu-2020", period=as_of[:4], as_of=as_of)
    return {f: str(r["score"]) for f, r in scored(res).items()}


@pytest.mark.parametrize("as_of,deducted", [
    ("2021-02-27", {"91320500MA00001M3H", "91320500MA00002MXP"}),
    ("2021-02-28", {"91320500MA00001M3H", "91320500MA00002MXP"}),  # the end day belongs
    ("2021-03-01", set()),                                          # no roll-over into March
    ("2021-10-30", {"91320500MA00003M66"}),                         # corresponding day, not 10-31
    ("2021-10-31", set()),
    ("2024-02-29", {"91320500MA00004M2F"}),                         # a leap February
    ("2024-03-01", set()),
])
def test_a_jiangsu_fine_counts_through_the_last_day_of_its_six_months_and_not_after(
        score_rows, as_of, deducted):
    got = _jiangsu(score_rows, as_of)
    assert {f for f, s in got.items() if s == "7"} == deducted  # 9 - JS-D03 2
    assert all(s in ("7", "9") for s in got.values())


# case 06: Guangdong published its 2018-year results on 2020-03-31 ----------------------------
def _case06():
    d = CASE06
    read = lambda n: pd.read_csv(f"{d}/{n}", dtype=str, keep_default_na=False)  # noqa: E731
    run = ecocredit.score(read("firms.csv"), read("events.csv"), "guangdong-2015", period="2018",
                          measurements=read("measurements.csv"), today="2026-01-01")
    return run, read("apps-2020.csv"), read("apps-2019.csv")


def test_guangdong_applications_six_weeks_after_publication_are_granted_one_level():
    run, apps2020, _ = _case06()
    d = decide_repairs(run, apps2020, published_on=dt.date(2020, 3, 31))
    assert list(d["decision"]) == ["granted", "granted"]
    assert list(zip(d["grade"], d["grade_after"])) == [("yellow", "blue"), ("red", "yellow")]
    assert list(d["effective"]) == ["2020-05-22", "2020-05-22"]  # after the 7-day notice


def test_without_the_publication_date_the_same_applications_are_counted_from_the_year_end():
    run, apps2020, _ = _case06()
    d = decide_repairs(run, apps2020)
    assert all("too_late" in r for r in d["reasons"])


def test_guangdong_applications_before_publication_are_refused():
    run, _, apps2019 = _case06()
    d = decide_repairs(run, apps2019, published_on=dt.date(2020, 3, 31))
    assert list(d["reasons"]) == ["before_publication", "before_publication"]


def test_the_window_for_applying_includes_its_last_day():
    run, apps2020, _ = _case06()
    last = apps2020.assign(date="2020-09-30")   # 6 months from 2020-03-31
    after = apps2020.assign(date="2020-10-01")
    assert list(decide_repairs(run, last, published_on=dt.date(2020, 3, 31))["decision"]) == \
        ["granted", "granted"]
    assert all("too_late" in r for r in
               decide_repairs(run, after, published_on=dt.date(2020, 3, 31))["reasons"])


def test_a_publication_date_before_the_evaluation_date_is_a_clear_error():
    run, apps2020, _ = _case06()
    with pytest.raises(InputError, match="precedes the evaluation date"):
        decide_repairs(run, apps2020, published_on=dt.date(2018, 6, 30))


def test_the_repair_command_counts_from_published_on_as_a_user_runs_it(ecocredit_cli, tmp_path):
    d = CASE06
    out = tmp_path / "run"
    p = ecocredit_cli("score", "--ruleset", "guangdong-2015", "--period", "2018",
                      "--firms", f"{d}/firms.csv", "--events", f"{d}/events.csv",
                      "--measurements", f"{d}/measurements.csv", "--out", out, "--quiet")
    assert p.returncode == 0, p.stderr
    p = ecocredit_cli("repair", out, "--applications", f"{d}/apps-2020.csv",
                      "--published-on", "2020-03-31")
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("GRANTED") == 2
    p = ecocredit_cli("repair", out, "--applications", f"{d}/apps-2020.csv",
                      "--published-on", "2018-01-01")
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
