"""Time-anchored measures, multi-year caps and windows counted from publication (issue 12).

- Jiangsu's differential electricity price follows the result on each half-year's last day
  (30 June, 31 December) and applies for the whole next half-year, the last day included
  (research.md §3.4): it is decided from that dated result, not from the run at hand.
- Hefei's cap "不良, or 警示 two years running, cannot be 诚信 within two years" holds in both
  years (anhui-2019 AH-C01, AH-C02, ``within_periods: 2``).
- Measures and the list entries of a run count from the recorded publication date when one
  is given (case 06: Guangdong's 2018 results were published on 2020-03-31).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import ecocredit
from ecocredit.days import date_of, day_of
from ecocredit.decisions.anchored import anchor_days
from ecocredit.decisions.measures import check_measures
from ecocredit.decisions.repair import decide_repairs
from ecocredit.engine.reference import reference_scores
from ecocredit.ruleset import load_ruleset
from ecocredit.ruleset.models import Measure, MeasureAnchor

from conftest import make_firm_id

F1, F2 = make_firm_id(1), make_firm_id(2)
CASE06 = Path(__file__).parent / "fixtures" / "case06"  # case 06, codes made GB 11714-valid
RED = ["fine", "production_restriction", "daily_penalty"]  # 9 - 2 - 3 - 3 = 1 → red


def _score(ruleset, period, events, *, firms=(F1,), history=None, as_of=None):
    f = pd.DataFrame({"firm_id": list(firms), "name": [f"企业{i}" for i in range(len(firms))],
                      "region_code": "320102"})
    e = pd.DataFrame([{"event_id": f"E{i}", "firm_id": fid, "event_date": d, "event_type": t,
                       "recorded_at": rec or d}
                      for i, (fid, d, t, rec) in enumerate(events)],
                     columns=["event_id", "firm_id", "event_date", "event_type", "recorded_at"])
    h = None if history is None else pd.DataFrame(history)
    return ecocredit.score(f, e, ruleset, period=period, history=h, as_of=as_of,
                           today="2027-06-30")


def _red_from(day: str, fid: str = F1, recorded: str | None = None) -> list[tuple]:
    """Events found on ``day`` that make a Jiangsu firm red from 15 days later for 6 months."""
    return [(fid, day, t, recorded) for t in RED]


def _ask(result, dates, action="electricity", fid=F1, **kw):
    return check_measures(result, pd.DataFrame({"firm_id": [fid] * len(dates),
                                                "action": [action] * len(dates),
                                                "date": list(dates)}), **kw)


# ---- time-anchored measures ---------------------------------------------------------------


def test_the_anchor_is_the_last_half_year_end_before_the_request_and_its_window_ends_on_the_next():
    days = np.array([day_of(dt.date.fromisoformat(d)) for d in
                     ["2026-07-01", "2026-12-31", "2027-01-01", "2026-06-30", "2024-02-29",
                      "2024-03-01"]])
    a, u = anchor_days(["06-30", "12-31"], days)
    got = [(date_of(int(x)).isoformat(), date_of(int(y)).isoformat()) for x, y in zip(a, u)]
    assert got == [("2026-06-30", "2026-12-31"), ("2026-06-30", "2026-12-31"),
                   ("2026-12-31", "2027-06-30"), ("2025-12-31", "2026-06-30"),
                   ("2023-12-31", "2024-06-30"), ("2023-12-31", "2024-06-30")]


def test_month_end_anchors_count_the_end_day_in_leap_and_common_years():
    days = np.array([day_of(dt.date.fromisoformat(d)) for d in
                     ["2024-02-28", "2024-02-29", "2024-03-01", "2023-03-01", "2023-02-28"]])
    a, u = anchor_days(["02-28", "08-31"], days)
    got = [(date_of(int(x)).isoformat(), date_of(int(y)).isoformat()) for x, y in zip(a, u)]
    assert got == [("2023-08-31", "2024-02-28"), ("2024-02-28", "2024-08-31"),
                   ("2024-02-28", "2024-08-31"), ("2023-02-28", "2023-08-31"),
                   ("2022-08-31", "2023-02-28")]


@pytest.mark.parametrize("bad", ["02-29", "6-30", "13-01", "06-31"])
def test_an_anchor_date_must_exist_in_every_year(bad):
    with pytest.raises(ValidationError):
        MeasureAnchor(dates=[bad])


def test_an_anchored_measure_has_no_duration_of_its_own():
    with pytest.raises(ValidationError, match="anchor"):
        Measure(id="X", label="x", kind="price", grades=["red"], actions=["electricity"],
                duration_months=6, anchor={"dates": ["06-30"]},
                reference={"document": "d"})


def test_jiangsu_firm_red_on_30_june_pays_for_july_to_december_though_blue_on_the_run_date():
    # found 2026-01-10, in force 2026-01-25 through 2026-07-25: red on 30 June, blue by 30 Sept
    r = _score("jiangsu-2020", "2026", _red_from("2026-01-10"), as_of="2026-09-30")
    assert r.scores["grade"][0] == "blue"
    m = _ask(r, ["2026-07-01", "2026-09-30", "2026-12-31", "2027-01-01"])
    assert list(m.checks["measures"]) == ["JS-M01", "JS-M01", "JS-M01", ""]
    assert list(m.details["until"]) == ["2026-12-31"] * 3  # the half-year, 31 December included
    assert m.details["evidence"][0] == ("grade red on 2026-06-30 (this run's inputs re-scored as "
                                        "of 2026-06-30)")
    assert "2026-06-30: grade red" in m.explain(2) and "applies through 2026-12-31" in m.explain(2)
    # 31 December is after this run's evaluation date: it cannot say, and says so
    assert "no result: 2026-12-31 is after this run's evaluation date 2026-09-30" in m.explain(3)


def test_jiangsu_firm_blue_on_30_june_pays_nothing_in_july_to_december_though_red_on_the_run_date():
    r = _score("jiangsu-2020", "2026", _red_from("2026-07-01"), as_of="2026-09-30")
    assert r.scores["grade"][0] == "red"
    m = _ask(r, ["2026-07-01", "2026-09-30", "2026-12-31"])
    assert list(m.checks["measures"]) == ["", "", ""]
    assert "2026-06-30: grade blue" in m.explain(1)


def test_a_run_on_1_july_prices_july_on_the_30_june_result_not_its_own():
    # in force from 2026-07-01 (found 2026-06-16 + 15 days): red on 1 July, blue on 30 June
    r = _score("jiangsu-2020", "2026", _red_from("2026-06-16"), as_of="2026-07-01")
    assert (str(r.eval_date), r.scores["grade"][0]) == ("2026-07-01", "red")
    m = _ask(r, ["2026-07-01", "2026-06-30"])
    assert list(m.checks["measures"]) == ["", ""]
    assert "2026-06-30: grade blue" in m.explain(0)
    assert "2025-12-31: grade blue" in m.explain(1)  # 30 June reads 31 December's result


def test_the_result_on_31_december_prices_january_to_june_black_pays_the_higher_rate():
    ev = _red_from("2025-12-01") + [(F1, "2025-12-01", "production_suspension", None)]
    r = _score("jiangsu-2020", "2025", ev)  # evaluated on 2025-12-31: 9 - 8 - 9 < 1 → black
    assert r.scores["grade"][0] == "black"
    m = _ask(r, ["2026-01-01", "2026-06-30", "2026-07-01"])
    assert list(m.checks["measures"]) == ["JS-M02", "JS-M02", ""]
    assert "this run, evaluated on 2025-12-31" in m.explain(0)


def test_records_entered_after_the_anchor_date_are_not_in_its_result():
    # found 2026-05-01 but recorded on 2026-07-05: the system did not know it on 30 June
    r = _score("jiangsu-2020", "2026", _red_from("2026-05-01", recorded="2026-07-05"),
               as_of="2026-09-30")
    assert r.scores["grade"][0] == "red"
    assert list(_ask(r, ["2026-08-01"]).checks["measures"]) == [""]
    r2 = _score("jiangsu-2020", "2026", _red_from("2026-05-01", recorded="2026-06-20"),
                as_of="2026-09-30")
    assert list(_ask(r2, ["2026-08-01"]).checks["measures"]) == ["JS-M01"]


def test_the_cli_says_which_dated_result_it_used(ecocredit_cli, tmp_path):
    f = tmp_path / "firms.csv"
    e = tmp_path / "events.csv"
    f.write_text(f"firm_id,name,region_code\n{F1},甲,320102\n", encoding="utf-8")
    e.write_text("event_id,firm_id,event_date,event_type\n" + "".join(
        f"E{i},{F1},2026-01-10,{t}\n" for i, t in enumerate(RED)), encoding="utf-8")
    out = tmp_path / "run"
    res = ecocredit_cli("score", "--ruleset", "jiangsu-2020", "--period", "2026", "--as-of",
                        "2026-09-30", "--firms", f, "--events", e, "--out", out, "--quiet",
                        "--today", "2026-10-01")
    assert res.returncode == 0, res.stderr
    res = ecocredit_cli("measures", out, "--firm", F1, "--action", "electricity", "--date",
                        "2026-12-31", "--who", "t")
    assert res.returncode == 0, res.stderr
    assert ("dated result: 2026-06-30: grade red (this run's inputs re-scored as of 2026-06-30),"
            " applies through 2026-12-31") in res.stdout
    assert "JS-M01 [price]" in res.stdout and "(until 2026-12-31)" in res.stdout


def test_lint_refuses_an_exception_between_measures_that_read_different_dates(tmp_path):
    text = (Path(ecocredit.__file__).parents[2] / "rulesets" / "jiangsu-2020.yaml").read_text(
        encoding="utf-8")
    text = text.replace("    supersedes: [JS-M03]", "    supersedes: [JS-M01]")
    p = tmp_path / "js.yaml"
    p.write_text(text, encoding="utf-8")
    codes = [x.code for x in ecocredit.lint_ruleset(p)]
    assert "anchor_mismatch" in codes


# ---- multi-year caps ------------------------------------------------------------------------


def _anhui(period, history):
    r = _score("anhui-2019", period, [], firms=(F1, F2), history=history)
    ref_s, ref_c = reference_scores(r.prepared, r.ruleset, r.period, r.eval_date)
    pd.testing.assert_frame_equal(r.scores[ref_s.columns].reset_index(drop=True), ref_s,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(r.contributions[ref_c.columns].reset_index(drop=True), ref_c,
                                  check_dtype=False)
    return list(r.scores["grade"]), list(r.scores["rules_applied"])


def _h(fid, grades: dict[str, str]) -> list[dict]:
    return [{"firm_id": fid, "period": p, "grade": g} for p, g in grades.items()]


@pytest.mark.parametrize("period,expected", [("2024", "blue"), ("2025", "blue"),
                                             ("2026", "green")])
def test_two_yellows_running_keep_a_firm_from_trustworthy_for_both_following_years(period,
                                                                                   expected):
    # 警示 in 2022 and 2023; 2024 capped (a clean year would be 诚信); 2025 still within two years
    hist = _h(F1, {"2022": "yellow", "2023": "yellow", "2024": "blue", "2025": "green"})
    grades, rules = _anhui(period, hist)
    assert grades[0] == expected
    assert rules[0] == ("AH-C02" if expected == "blue" else "")


@pytest.mark.parametrize("period,expected", [("2024", "blue"), ("2025", "blue"),
                                             ("2026", "green")])
def test_a_poor_rating_keeps_a_firm_from_trustworthy_for_two_years(period, expected):
    hist = _h(F2, {"2023": "red", "2024": "blue", "2025": "blue"})
    grades, rules = _anhui(period, hist)
    assert grades[1] == expected
    assert rules[1] == ("AH-C01" if expected == "blue" else "")


def test_a_multi_year_cap_needs_a_history_trigger():
    from ecocredit.rules.cap import CapRule
    with pytest.raises(ValidationError, match="within_periods"):
        CapRule(id="C", label="c", kind="cap", grade="blue", priority=1, within_periods=2,
                when={"events": {"types": ["fine"]}}, reference={"document": "d"})


# ---- windows counted from publication (case 06) -------------------------------------------


def _case06():
    return ecocredit.score(CASE06 / "firms.csv", CASE06 / "events.csv", "guangdong-2015",
                           period="2018", measurements=CASE06 / "measurements.csv",
                           today="2020-06-01")


def test_case_06_measures_are_in_force_from_publication_not_from_the_evaluation_date():
    r = _case06()
    red = r.scores.loc[r.scores["grade"] == "red", "firm_id"].iloc[0]
    before = _ask(r, ["2020-01-15"], action="loan", fid=red, published_on=dt.date(2020, 3, 31))
    after = _ask(r, ["2020-05-15"], action="loan", fid=red, published_on=dt.date(2020, 3, 31))
    assert list(before.checks["in_force"]) == [False]
    assert before.checks["measures"][0] == ""
    assert after.checks["measures"][0] != ""
    assert list(_ask(r, ["2020-01-15"], action="loan", fid=red).checks["in_force"]) == [True]


def test_a_publication_before_the_evaluation_date_is_refused():
    with pytest.raises(ecocredit.InputError, match="precedes"):
        _ask(_case06(), ["2020-05-15"], action="loan",
             fid="91440300MA00001A51", published_on=dt.date(2018, 12, 30))


def _jiangxi_red(period):
    return _score("jiangxi", period, [(F1, f"{period}-05-01", "crime_conviction", None)])


@pytest.mark.parametrize("published,last", [("2024-02-29", "2025-02-28"),
                                            ("2024-03-31", "2025-03-31"),
                                            ("2024-04-30", "2025-04-30")])
def test_a_measure_duration_counts_from_publication_through_its_end_day(published, last):
    r = _jiangxi_red("2023")  # JX-R01: no environmental funds for 12 months
    p = dt.date.fromisoformat(published)
    nxt = (dt.date.fromisoformat(last) + dt.timedelta(days=1)).isoformat()
    m = _ask(r, [last, nxt], action="subsidy", published_on=p)
    assert list(m.checks["measures"]) == ["JX-R01", ""]
    assert m.details["until"][0] == last


def test_list_entries_of_the_run_count_from_publication_history_entries_keep_their_end():
    ev = [(F1, "2023-05-01", "concealed_discharge", None)]  # veto → black list, 36 months
    r = _score("chongqing-2021", "2023", ev, firms=(F1, F2),
               history=[{"firm_id": F2, "period": "2022", "grade": "blue", "list": "black",
                         "list_until": "2024-06-30"}])
    s = r.scores.set_index("firm_id")
    assert (s.loc[F1, "list"], s.loc[F1, "list_until"]) == ("black", "2026-12-31")
    p = dt.date(2024, 2, 29)
    m = check_measures(r, pd.DataFrame({"firm_id": [F1, F1, F2], "action": ["procurement"] * 3,
                                        "date": ["2027-02-28", "2027-03-01", "2024-06-30"]}),
                       published_on=p)
    assert list(m.checks["list_until"]) == ["2027-02-28", "", "2024-06-30"]
    assert list(m.checks["list"]) == ["black", "", "black"]
    d = decide_repairs(r, pd.DataFrame({"firm_id": [F1], "date": ["2024-03-15"],
                                        "rectified": ["E0"], "commitment": ["true"]}),
                       published_on=p)
    assert d["list_until"][0] == "2027-02-28"


def test_measures_published_on_from_the_shell(ecocredit_cli, tmp_path):
    out = tmp_path / "out"
    res = ecocredit_cli("score", "--ruleset", "guangdong-2015", "--period", "2018", "--firms",
                        CASE06 / "firms.csv", "--events", CASE06 / "events.csv",
                        "--measurements", CASE06 / "measurements.csv", "--out", out, "--quiet",
                        "--today", "2020-06-01")
    assert res.returncode == 0, res.stderr
    red = pd.read_csv(out / "scores.csv", dtype=str, encoding="utf-8-sig")
    fid = red.loc[red["grade"] == "red", "firm_id"].iloc[0]
    args = ("measures", out, "--firm", fid, "--action", "loan", "--who", "t",
            "--published-on", "2020-03-31")
    early = ecocredit_cli(*args, "--date", "2020-01-15")
    assert early.returncode == 0 and "not yet published" in early.stdout
    late = ecocredit_cli(*args, "--date", "2020-05-15")
    assert late.returncode == 0 and "because: grade red" in late.stdout
    both = ecocredit_cli(*args, "--date", "2020-05-15", "--register", tmp_path / "r.db")
    assert both.returncode == 2 and "not both" in both.stderr
