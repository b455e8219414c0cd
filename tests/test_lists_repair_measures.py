"""Worked cases for red and black lists, credit repair and the measures checked at the point of
action, ruleset by ruleset, and the trace log of measure checks.

Dates: annual periods are evaluated on 31 December (E). Months are counted as the Civil Code
counts periods: a list entry of N months runs through ``list_until = add_months(E, N)``, its last
day (2019-12-31 + 12 months → through 2020-12-31; off the list from 2021-01-01).
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pandas as pd
import pytest

import ecocredit
from ecocredit.decisions.measures import append_trace, check_measures, read_trace
from ecocredit.decisions.repair import decide_repairs
from ecocredit.vocab import MEASURE_ACTIONS

from conftest import TODAY, make_firm_id

F1, F2, F3, F4, F5 = (make_firm_id(i) for i in range(1, 6))
FIXTURES = Path(__file__).parent / "fixtures" / "rulesets"
GD_GOOD = [("discharge_compliance_rate", "1"), ("solid_waste_handling_rate", "1"),
           ("hazwaste_assessment", "pass"), ("noise_exceedance_db", "0"),
           ("siting_compliant", "yes")]


def run(ruleset: str, period: str, events: list[tuple] = (), history: list[dict] | None = None,
        firms: tuple[str, ...] = (F1,), as_of: str | None = None, measured: bool = False):
    """Score firms from short event tuples (event_id, firm_id, date, type, severity)."""
    f = pd.DataFrame({"firm_id": list(firms), "name": [f"企业{i}" for i in range(len(firms))],
                      "region_code": "500101"})
    e = pd.DataFrame([{"event_id": i, "firm_id": fid, "event_date": d, "event_type": t,
                       "severity": sev} for i, fid, d, t, sev in events],
                     columns=["event_id", "firm_id", "event_date", "event_type", "severity"])
    h = None if history is None else pd.DataFrame(history)
    m = None
    if measured:  # every recovered Guangdong indicator at its best
        m = pd.DataFrame([{"firm_id": fid, "period": period[:4], "indicator": k, "value": v}
                          for fid in firms for k, v in GD_GOOD])
    return ecocredit.score(f, e, ruleset, period=period, history=h, measurements=m,
                           as_of=as_of, today=TODAY)


def row(result, fid: str = F1) -> dict:
    return result.scores.set_index("firm_id").loc[fid].to_dict()


def contrib(result, fid: str = F1) -> dict:
    c = result.contributions[result.contributions["firm_id"] == fid]
    return {r.rule_id: (r.effect, r.evidence) for r in c.itertuples()}


def apps(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame([{"firm_id": f, "date": d, "rectified": rect, "commitment": c}
                         for f, d, rect, c in rows])


def ask(result, fid: str, action: str, date: str) -> str:
    m = check_measures(result, pd.DataFrame({"firm_id": [fid], "action": [action],
                                             "date": [date], "who": ["窗口A"]}))
    return m.checks["measures"].iloc[0]


# ---- Chongqing 2017: 诚信 → red list, 不良 → black list ---------------------------------------

def test_a_chongqing_firm_without_records_is_green_and_on_the_red_list_for_12_months():
    r = run("chongqing-2017", "2019")
    x = row(r)
    assert (x["score"], x["grade"], x["list"], x["list_until"]) == (
        "100", "green", "red", "2020-12-31")  # 100 ≥ 100 → 诚信; 2019-12-31 + 12 months
    assert contrib(r)["CQ-L01"] == ("red list until 2020-12-31", "grade green")


def test_a_chongqing_veto_puts_the_firm_on_the_black_list_for_36_months():
    r = run("chongqing-2017", "2019", [("E1", F1, "2019-05-01", "concealed_discharge", "")])
    x = row(r)
    assert (x["grade"], x["list"], x["list_until"]) == ("red", "black", "2022-12-31")
    assert contrib(r)["CQ-L02"] == ("black list (serious) until 2022-12-31", "grade red;vetoed")


def test_a_chongqing_poor_firm_without_veto_is_black_listed_for_12_months():
    ev = [(f"E{i}", F1, "2019-03-0%d" % i, "production_suspension", "") for i in (1, 2)]
    ev += [(f"F{i}", F1, "2019-04-0%d" % i, "daily_penalty", "") for i in (1, 2, 3)]
    r = run("chongqing-2017", "2019", ev)
    x = row(r)
    assert x["score"] == str(100 - 40 - 30)  # two suspensions (cap 40), three daily penalties (cap 30)
    assert (x["grade"], x["list"], x["list_until"]) == ("red", "black", "2020-12-31")
    assert contrib(r)["CQ-L02"] == ("black list until 2020-12-31", "grade red")


def test_a_chongqing_warning_grade_is_on_no_list():
    r = run("chongqing-2017", "2019", [("E1", F1, "2019-03-01", "fine", "")])
    assert (row(r)["score"], row(r)["grade"], row(r)["list"]) == (str(100 - 5), "blue", "")


def test_a_black_list_entry_in_force_keeps_a_chongqing_firm_out_of_green_and_off_the_red_list():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": "2021-12-31"}]
    r = run("chongqing-2017", "2019", history=hist)
    x = row(r)
    assert (x["score"], x["grade"], x["rules_applied"]) == ("100", "blue", "CQ-L99")
    assert (x["list"], x["list_until"]) == ("black", "2021-12-31")
    c = contrib(r)
    assert c["CQ-L99"] == ("green→blue", "history 2018: black list until 2021-12-31")
    assert c["lists.history.black"] == ("black list until 2021-12-31",
                                        "history 2018: black list until 2021-12-31")
    assert "CQ-L01" not in c


@pytest.mark.parametrize("until,on_list", [
    ("2019-12-30", False),  # its last day was the day before E
    ("2019-12-31", True),   # its last day is E
    ("2020-01-01", True),   # its last day is the day after E
])
def test_a_published_black_list_entry_ends_on_its_list_until_day(until, on_list):
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": until}]
    x = row(run("chongqing-2017", "2019", history=hist))
    assert (x["grade"], x["list"]) == (("blue", "black") if on_list else ("green", "red"))


def test_a_black_list_entry_without_list_until_lasts_the_declared_12_months():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black"}]
    # published at the end of 2018: 2018-12-31 + 12 months → through 2019-12-31, E of 2019
    x = row(run("chongqing-2017", "2019", history=hist))
    assert (x["grade"], x["list"], x["list_until"]) == ("blue", "black", "2019-12-31")
    x = row(run("chongqing-2017", "2020", history=hist))  # E = 2020-12-31: the entry has ended
    assert (x["grade"], x["list"], x["list_until"]) == ("green", "red", "2021-12-31")


def test_a_new_black_entry_and_an_earlier_one_give_the_later_end():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": "2021-06-30"}]
    poor = [(f"E{i}", F1, f"2019-0{i}-01", "production_suspension", "") for i in (1, 2)]
    poor += [(f"F{i}", F1, f"2019-0{i}-02", "daily_penalty", "") for i in (1, 2, 3)]
    r = run("chongqing-2017", "2019", poor, history=hist)
    x = row(r)  # 100 − 40 − 30 = 30: 不良, an ordinary entry until 2020-12-31 < 2021-06-30
    assert (x["grade"], x["list"], x["list_until"]) == ("red", "black", "2021-06-30")
    r = run("chongqing-2017", "2019", [("V1", F1, "2019-05-01", "hazwaste_illegal", "")],
            history=hist)
    x = row(r)  # a veto: a serious entry until 2022-12-31 > 2021-06-30
    assert (x["grade"], x["list"], x["list_until"]) == ("red", "black", "2022-12-31")


# ---- Shandong 2020: black colour = black list, 1 year / 3 years ------------------------------

def test_a_shandong_firm_with_twelve_points_is_black_and_on_the_black_list_one_year():
    ev = [(f"E{i}", F1, f"2024-0{i}-01", "exceedance", "") for i in range(1, 5)]
    x = row(run("shandong-2020", "2024", ev))
    assert (x["score"], x["grade"], x["list"], x["list_until"]) == (
        str(-4 * 3), "black", "black", "2025-12-31")  # four exceedances of 3 points: 12 → black


def test_eleven_shandong_points_are_yellow_and_on_no_list():
    ev = [(f"E{i}", F1, f"2024-0{i}-01", "exceedance", "") for i in range(1, 4)]
    ev += [(f"W{i}", F1, f"2024-0{i}-02", "warning", "") for i in (1, 2)]
    x = row(run("shandong-2020", "2024", ev))
    assert (x["score"], x["grade"], x["list"]) == (str(-3 * 3 - 2 * 1), "yellow", "")


def test_a_serious_shandong_violation_is_published_three_years():
    r = run("shandong-2020", "2024", [("E1", F1, "2024-02-01", "monitoring_fraud", "")])
    x = row(r)
    assert (x["grade"], x["list"], x["list_until"]) == ("black", "black", "2027-12-31")
    assert contrib(r)["SD-L01"] == ("black list (serious) until 2027-12-31", "grade black;E1")


def test_a_shandong_firm_still_published_cannot_be_green_and_leaves_after_three_years():
    hist = [{"firm_id": F1, "period": "2024", "grade": "black", "list": "black",
             "list_until": "2027-12-31"}]
    x = row(run("shandong-2020", "2025", history=hist))
    assert (x["score"], x["grade"], x["list"], x["rules_applied"]) == ("0", "blue", "black",
                                                                       "SD-L99")
    x = row(run("shandong-2020", "2027", history=hist))  # E = 2027-12-31: its last day
    assert (x["grade"], x["list"], x["rules_applied"]) == ("blue", "black", "SD-L99")
    x = row(run("shandong-2020", "2028", history=hist))  # the entry has ended
    assert (x["grade"], x["list"], x["rules_applied"]) == ("green", "", "")


def test_a_ruleset_keeps_only_the_lists_it_declares():
    hist = [{"firm_id": F1, "period": "2024", "grade": "green", "list": "red",
             "list_until": "2026-12-31"}]
    x = row(run("shandong-2020", "2025", history=hist))  # Shandong has a black list only
    assert (x["grade"], x["list"]) == ("green", "")


def test_a_chongqing_firm_leaves_the_black_list_when_its_entry_has_ended():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": "2021-12-31"}]
    x = row(run("chongqing-2017", "2021", history=hist))  # E = 2021-12-31: the last day
    assert (x["grade"], x["list"]) == ("blue", "black")
    r = run("chongqing-2017", "2021", history=hist, as_of="2021-12-30")
    assert (row(r)["grade"], row(r)["list"]) == ("blue", "black")
    hist[0]["list_until"] = "2021-12-30"
    x = row(run("chongqing-2017", "2021", history=hist))
    assert (x["grade"], x["list"], x["list_until"]) == ("green", "red", "2022-12-31")


# ---- Hebei 2024: E and direct entries --------------------------------------------------------

def test_a_hebei_firm_evading_supervision_is_black_listed_whatever_its_score():
    r = run("hebei-2024", "2025", [("E1", F1, "2025-02-01", "concealed_discharge", "")])
    x = row(r)
    assert (x["score"], x["grade"]) == ("100", "B")  # A by score (100 ≥ 85), capped by HB-L99
    assert (x["list"], x["list_until"], x["rules_applied"]) == ("black", "2028-12-31", "HB-L99")
    assert contrib(r)["HB-L01"] == ("black list (serious) until 2028-12-31", "E1")


def test_three_hebei_penalties_in_a_year_are_repeated_violations():
    ev = [(f"E{i}", F1, f"2025-0{i}-01", "fine", "") for i in (1, 2, 3)]
    x = row(run("hebei-2024", "2025", ev))
    assert (x["score"], x["grade"], x["list"], x["list_until"]) == (
        str(100 - 3 * 6), "B", "black", "2026-12-31")  # 82 is B anyway: the cap changes nothing
    ev = ev[:2]
    x = row(run("hebei-2024", "2025", ev))
    assert (x["score"], x["grade"], x["list"]) == (str(100 - 2 * 6), "A", "")


def test_a_hebei_firm_rated_e_is_black_listed_and_both_entries_keep_the_longest():
    ev = [(f"S{i}", F1, f"2025-0{i}-01", "production_suspension", "") for i in (1, 2)]
    ev += [(f"Q{i}", F1, f"2025-0{i}-02", "seal_seize", "") for i in (1, 2)]
    r = run("hebei-2024", "2025", ev)
    x = row(r)
    assert (x["score"], x["grade"]) == (str(100 - 60 - 30), "E")  # suspensions capped at 60
    assert (x["list"], x["list_until"]) == ("black", "2026-12-31")
    r = run("hebei-2024", "2025", ev + [("P1", F1, "2025-08-01", "penalty_not_executed", "")])
    assert (row(r)["list"], row(r)["list_until"]) == ("black", "2028-12-31")  # 36 months win
    assert set(contrib(r)) >= {"HB-L01", "HB-L03"}


# ---- lists that read the history (Shaanxi, Dongguan; a test ruleset) --------------------------

LFH = str(FIXTURES / "lists-from-history.yaml")


def test_a_two_years_running_and_the_worst_grade_two_years_running_read_the_history():
    bonus = [("B1", F1, "2025-03-01", "leader", ""), ("B2", F1, "2025-04-01", "commendation", "")]
    bad = [(f"X{i}", F2, f"2025-0{i}-01", "production_suspension", "") for i in (1, 2)]
    hist = [{"firm_id": F1, "period": "2024", "grade": "A"},
            {"firm_id": F2, "period": "2024", "grade": "D"}]
    r = run(LFH, "2025", bonus + bad, history=hist, firms=(F1, F2))
    a, d = row(r, F1), row(r, F2)
    assert (a["score"], a["grade"], a["list"], a["list_until"]) == (
        str(70 + 10 + 10), "A", "red", "2026-12-31")  # A this year (90 ≥ 90) and A in 2024
    assert (d["score"], d["grade"], d["list"], d["list_until"]) == (
        str(70 - 30 - 30), "D", "black", "2027-12-31")  # D this year and in 2024: 24 months
    assert contrib(r, F2)["DG-L01"] == ("black list until 2027-12-31",
                                        "grade D;history 2024: D")
    r = run(LFH, "2025", bonus + bad, firms=(F1, F2))  # no history: A and D once only
    assert (row(r, F1)["list"], row(r, F2)["list"]) == ("", "")


# ---- rulesets without lists ------------------------------------------------------------------

@pytest.mark.parametrize("ruleset,period", [("guangdong-2015", "2025"), ("anhui-2019", "2025"),
                                            ("jiangsu-2020", "2025"), ("jiangxi", "2024")])
def test_a_ruleset_without_lists_puts_no_firm_on_a_list_even_at_the_worst_grade(ruleset, period):
    r = run(ruleset, period, [("E1", F1, f"{period}-05-01", "crime_conviction", "")])
    x = row(r)
    assert x["grade"] == load(ruleset).grade_ids[-1]  # the veto (or −12 points) gives the worst
    assert (x["list"], x["list_until"]) == ("", "")


def load(name: str):
    return ecocredit.load_ruleset(name)


# ---- credit repair ---------------------------------------------------------------------------

def test_guangdong_repair_lifts_a_yellow_firm_one_level_after_seven_days():
    r = run("guangdong-2015", "2025", [("E1", F1, "2025-06-01", "incident", "general")])
    assert row(r)["grade"] == "yellow"  # cap to blue (GD-C01), then one level down (GD-G01)
    d = decide_repairs(r, apps((F1, "2026-03-01", "E1", "true"))).iloc[0]
    assert (d["decision"], d["grade_after"], d["effective"]) == ("granted", "blue",
                                                                  "2026-03-08")  # + 7 days
    assert "GD-" not in d["reasons"] and "粤环函〔2015〕947号" in d["reference"]


@pytest.mark.parametrize("date,decision", [
    ("2025-12-30", "before_publication"),  # the day before E
    ("2026-06-30", ""),                   # E + 6 months: the last day of the window
    ("2026-07-01", "too_late"),           # the day after
])
def test_guangdong_repair_is_open_for_six_months_after_publication(date, decision):
    r = run("guangdong-2015", "2025", [("E1", F1, "2025-06-01", "incident", "general")])
    assert decide_repairs(r, apps((F1, date, "E1", "true")))["reasons"][0] == decision


def test_guangdong_refuses_late_repeated_or_malicious_repairs():
    r = run("guangdong-2015", "2025", [("E1", F1, "2025-06-01", "concealed_discharge", ""),
                                       ("E2", F2, "2025-06-01", "incident", "general")],
            firms=(F1, F2))
    d = decide_repairs(r, apps((F1, "2026-03-01", "E1", "true"),
                               (F2, "2026-07-01", "E2", "true"),
                               (F2, "2026-02-01", "E2", "true"),
                               (F2, "2026-03-01", "E2", "true")))
    # decided in date order: F2's February application is granted; March and July fall within
    # 12 months of it (repeat), and July is also past the 6 months (too_late)
    assert list(d["reasons"]) == ["excluded_violation", "too_late;repeat", "", "repeat"]
    assert list(d["decision"]) == ["refused", "refused", "granted", "refused"]
    assert d["evidence"].iloc[0] == "E1"


def test_a_repair_without_commitment_or_rectification_is_refused():
    r = run("guangdong-2015", "2025", [("E1", F1, "2025-06-01", "incident", "general")])
    d = decide_repairs(r, apps((F1, "2026-03-01", "", "false"))).iloc[0]
    assert (d["decision"], d["reasons"], d["evidence"]) == ("refused",
                                                            "no_commitment;not_rectified", "E1")


def test_a_guangdong_good_firm_has_nothing_to_repair():
    r = run("guangdong-2015", "2025")
    assert row(r)["grade"] == "blue"
    assert decide_repairs(r, apps((F1, "2026-03-01", "", "true")))["reasons"][0] == \
        "nothing_to_repair"


def test_anhui_repair_lifts_a_poor_firm_within_one_month_only():
    ev = [("E1", F1, "2025-03-01", "production_suspension", ""),
          ("E2", F1, "2025-04-01", "closure_order", ""), ("E3", F1, "2025-05-01", "fine", "")]
    r = run("anhui-2019", "2025", ev)
    x = row(r)
    assert x["grade"] == "red" and int(x["score"]) < 60
    d = decide_repairs(r, apps((F1, "2026-01-31", "E1;E2;E3", "true"),
                               (F1, "2026-02-01", "E1;E2;E3", "true")))
    assert (d["decision"][0], d["grade_after"][0]) == ("granted", "yellow")  # one level up
    assert d["reasons"][1] == "too_late;repeat"  # E + 1 month = 2026-01-31 was the last day


def test_anhui_refuses_repair_after_a_veto_type_violation():
    r = run("anhui-2019", "2025", [("E1", F1, "2025-03-01", "hazwaste_illegal", "")])
    assert row(r)["grade"] == "red"
    d = decide_repairs(r, apps((F1, "2026-01-10", "E1", "true"))).iloc[0]
    assert (d["reasons"], d["evidence"]) == ("excluded_violation", "E1")


def test_jiangsu_allows_no_early_repair():
    r = run("jiangsu-2020", "2025", [("E1", F1, "2025-06-01", "production_suspension", "")])
    d = decide_repairs(r, apps((F1, "2026-03-01", "E1", "true"))).iloc[0]
    assert (d["decision"], d["reasons"]) == ("refused", "repair_not_allowed")


def test_jiangxi_declares_no_repair():
    r = run("jiangxi", "2024")
    assert decide_repairs(r, apps((F1, "2025-03-01", "", "true")))["reasons"][0] == \
        "no_repair_policy"


@pytest.mark.parametrize("ruleset,period,event", [
    ("chongqing-2017", "2019", "concealed_discharge"),  # veto → serious black entry (36 months)
    ("shandong-2020", "2024", "monitoring_fraud"),      # serious violation (3 years)
    ("hebei-2024", "2025", "concealed_discharge"),      # direct entry, serious (36 months)
])
def test_national_repair_ends_a_serious_black_entry_only_after_twelve_months(
        ruleset, period, event):
    r = run(ruleset, period, [("E1", F1, f"{period}-03-01", event, "")])
    assert row(r)["list"] == "black"
    y = int(period)
    d = decide_repairs(r, apps((F1, f"{y + 1}-12-31", "E1", "true"),   # E + 12 months: last day
                               (F1, f"{y + 2}-01-01", "E1", "true")))  # the day after
    assert list(d["reasons"]) == ["too_early", ""]
    # off the list from the day the repair takes effect: the day before is its last day
    assert (d["effective"][1], d["list_until_after"][1]) == (f"{y + 2}-01-01", f"{y + 1}-12-31")


def test_national_repair_ends_an_ordinary_black_entry_after_three_months():
    ev = [(f"E{i}", F1, f"2024-0{i}-01", "exceedance", "") for i in range(1, 5)]
    r = run("shandong-2020", "2024", ev)
    assert (row(r)["list"], row(r)["list_until"]) == ("black", "2025-12-31")
    d = decide_repairs(r, apps((F1, "2025-03-31", "E1;E2;E3;E4", "true"),  # E + 3 months
                               (F1, "2025-04-01", "E1;E2;E3;E4", "true"),
                               (F1, "2025-05-01", "E1;E2", "true")))
    assert list(d["reasons"]) == ["too_early", "", "repeat;not_rectified"]
    assert d["list_until_after"][1] == "2025-03-31"
    assert d["evidence"][2] == "repaired 2025-04-01;E3;E4"


def test_a_list_entry_published_earlier_counts_its_minimum_period_from_its_own_publication():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": "2021-12-31"}]  # 36 months after 2018-12-31: a serious entry
    r = run("chongqing-2017", "2019", history=hist)
    d = decide_repairs(r, apps((F1, "2019-12-31", "", "true"),
                               (F1, "2020-01-02", "", "true")))
    # published 2018-12-31, serious: the 12 months run through 2019-12-31
    assert list(d["reasons"]) == ["too_early", ""]
    assert (d["list_until_after"][1], d["grade_after"][1]) == ("2020-01-01", "blue")


def test_a_red_listed_firm_has_nothing_to_repair_under_the_national_rules():
    r = run("chongqing-2017", "2019")
    assert decide_repairs(r, apps((F1, "2020-06-01", "", "true")))["reasons"][0] == \
        "nothing_to_repair"


# ---- measures at the point of action ---------------------------------------------------------

# Per ruleset: the period, and for each grade the events that give it and the measures expected
# for every action (an action not named gets no measure).
MEASURE_TABLE = {
    "chongqing-2017": ("2019", {
        "green": ([], {"subsidy": "CQ-M01", "award": "CQ-M01", "inspection": "CQ-M02"}),
        "blue": (["fine"], {}),  # 95
        "yellow": (["production_suspension"] * 2, {  # 60
            "supervision": "CQ-M03", "permit": "CQ-M04", "eia": "CQ-M04",
            "inspection": "CQ-M05", "subsidy": "CQ-M06", "loan": "CQ-M08",
            "insurance": "CQ-M10", "award": "CQ-M11"}),
        "red": (["concealed_discharge"], {  # veto, black list
            "supervision": "CQ-M03", "permit": "CQ-M04", "eia": "CQ-M04",
            "inspection": "CQ-M05", "subsidy": "CQ-M07", "loan": "CQ-M09",
            "insurance": "CQ-M10", "award": "CQ-M11", "procurement": "CQ-M12"}),
    }),
    "chongqing-2021": ("2024", {
        "green": ([], {"subsidy": "CQ21-M01", "award": "CQ21-M01", "inspection": "CQ21-M02"}),
        "blue": (["fine"], {}),  # 95
        "yellow": (["production_suspension"] * 2, {  # 60
            "supervision": "CQ21-M03;CQ21-M14", "permit": "CQ21-M04", "eia": "CQ21-M04",
            "inspection": "CQ21-M05", "subsidy": "CQ21-M06", "loan": "CQ21-M08",
            "insurance": "CQ21-M10", "award": "CQ21-M11"}),
        "red": (["concealed_discharge"], {  # veto, black list
            "supervision": "CQ21-M03;CQ21-M14", "permit": "CQ21-M04", "eia": "CQ21-M04",
            "inspection": "CQ21-M05", "subsidy": "CQ21-M07", "loan": "CQ21-M09",
            "insurance": "CQ21-M10", "award": "CQ21-M11", "procurement": "CQ21-M12",
            "penalty_decision": "CQ21-M13"}),
    }),
    "guizhou-2019": ("2025", {
        "green": (["liability_insurance", "cleaner_production_audit", "open_day"], {}),  # 98
        "blue": ([], {}),  # 90
        "yellow": (["fine", "order_to_correct"], {  # 84: key supervision, punished heavily
            "supervision": "GZ-M01", "inspection": "GZ-M01;GZ-M04",
            "penalty_decision": "GZ-M02"}),
        "red": (["concealed_discharge"], {  # veto, black list (Qiannan: no subsidies)
            "supervision": "GZ-M01", "inspection": "GZ-M01;GZ-M04", "penalty_decision": "GZ-M02",
            "subsidy": "GZ-M03", "award": "GZ-M03"}),
    }),
    "jilin-2018": ("2024", {
        "green": ([], {"permit": "JL-M01", "eia": "JL-M01", "subsidy": "JL-M02"}),
        "blue": (["warning"], {"supervision": "JL-M03", "permit": "JL-M03",
                               "subsidy": "JL-M03"}),  # 1 point
        "yellow": (["daily_penalty"], {  # 6 points
            "inspection": "JL-M04", "permit": "JL-M05", "eia": "JL-M05", "subsidy": "JL-M05",
            "award": "JL-M05", "sewage_fee": "JL-M11"}),
        "red": (["permit_revoked"], {  # 12 points at once, black list
            "inspection": "JL-M04", "permit": "JL-M05", "eia": "JL-M05;JL-M06",
            "subsidy": "JL-M05;JL-M06;JL-M08", "award": "JL-M05", "loan": "JL-M09",
            "insurance": "JL-M10", "sewage_fee": "JL-M11"}),
    }),
    "guangdong-2015": ("2025", {
        "green": (["liability_insurance", "cleaner_production_audit"], {
            "subsidy": "GD-M01", "loan": "GD-M02", "insurance": "GD-M03",
            "inspection": "GD-M04"}),
        "blue": ([], {}),
        "yellow": (["incident:general"], {
            "supervision": "GD-M05", "permit": "GD-M06", "inspection": "GD-M07",
            "subsidy": "GD-M08", "award": "GD-M10", "loan": "GD-M11", "insurance": "GD-M13"}),
        "red": (["concealed_discharge"], {
            "supervision": "GD-M05", "permit": "GD-M06", "inspection": "GD-M07",
            "subsidy": "GD-M09", "award": "GD-M10", "loan": "GD-M12", "insurance": "GD-M13",
            "procurement": "GD-M14"}),
    }),
    "anhui-2019": ("2025", {
        "green": ([], {}),
        "blue": (["fine"], {}),  # 94
        "yellow": (["production_suspension", "fine"], {  # 100 − 20 − 6 = 74
            "supervision": "AH-M01", "inspection": "AH-M02", "subsidy": "AH-M03",
            "permit": "AH-M07"}),
        "red": (["concealed_discharge"], {
            "inspection": "AH-M02", "supervision": "AH-M04", "subsidy": "AH-M05",
            "loan": "AH-M06", "permit": "AH-M07"}),
    }),
    "jiangsu-2020": ("2025", {
        "green": (["leader"], {"inspection": "JS-M06", "subsidy": "JS-M07", "permit": "JS-M08",
                               "eia": "JS-M08"}),  # 9 + 3 = 12
        "blue": ([], {}),
        "yellow": (["production_restriction", "fine"], {}),  # 9 − 3 − 2 = 4
        "red": (["production_restriction", "fine", "daily_penalty"], {  # 9 − 3 − 2 − 3 = 1
            "electricity": "JS-M01", "sewage_fee": "JS-M03", "loan": "JS-M09",
            "award": "JS-M10"}),
        "black": (["crime_conviction"], {  # 9 − 12 = −3
            "electricity": "JS-M02", "sewage_fee": "JS-M04", "loan": "JS-M09",
            "award": "JS-M10"}),
    }),
    "jiangxi": ("2024", {
        "green": ([], {"permit": "JX-E01", "eia": "JX-E01", "subsidy": "JX-E02",
                       "loan": "JX-E03", "insurance": "JX-E04"}),
        "blue": (["fine"], {}),  # 94
        "yellow": (["production_suspension", "fine"], {}),  # 100 − 15 − 6 = 79
        "red": (["production_suspension"] * 3, {  # 100 − 45 = 55
            "subsidy": "JX-R01", "loan": "JX-R02", "insurance": "JX-R03",
            "inspection": "JX-R04", "penalty_decision": "JX-R05"}),
        "black": (["crime_conviction"], {
            "subsidy": "JX-R01", "loan": "JX-R02", "insurance": "JX-R03",
            "inspection": "JX-R04", "penalty_decision": "JX-R05", "permit": "JX-K01",
            "eia": "JX-K02"}),
    }),
    "shandong-2020": ("2024", {
        "green": ([], {"inspection": "SD-M01"}),
        "blue": (["warning"], {"inspection": "SD-M02"}),  # 1 point
        "yellow": (["exceedance"] * 2, {"inspection": "SD-M03", "award": "SD-M04"}),  # 6 points
        "black": (["monitoring_fraud"], {"award": "SD-M04", "inspection": "SD-M05",
                                         "supervision": "SD-M05"}),  # 12 points, black list
    }),
    "hebei-2024": ("2025", {
        "A": ([], {"inspection": "HB-M01"}),
        "B": (["seal_seize", "fine"], {}),  # 100 − 15 − 6 = 79
        "C": (["seal_seize"] * 3, {"supervision": "HB-M02", "permit": "HB-M03",
                                   "eia": "HB-M03"}),  # 55
        "D": (["production_suspension"] * 2, {  # 40
            "supervision": "HB-M02", "permit": "HB-M03", "eia": "HB-M03",
            "subsidy": "HB-M04", "loan": "HB-M05"}),
        "E": (["production_suspension"] * 2 + ["seal_seize"] * 2, {  # 10, black list
            "supervision": "HB-M02", "permit": "HB-M03", "eia": "HB-M03",
            "subsidy": "HB-M04", "loan": "HB-M05"}),
    }),
}


def test_every_bundled_ruleset_has_its_measure_table():
    assert sorted(MEASURE_TABLE) == sorted(r.id for r in ecocredit.bundled_rulesets())
    for name, (_, grades) in MEASURE_TABLE.items():
        assert list(grades) == load(name).grade_ids


@pytest.mark.parametrize("ruleset", sorted(MEASURE_TABLE))
def test_the_measures_returned_for_each_grade_and_action(ruleset):
    period, grades = MEASURE_TABLE[ruleset]
    firms = tuple(make_firm_id(i + 1) for i in range(len(grades)))
    events = []
    for fid, (types, _) in zip(firms, grades.values()):
        for j, t in enumerate(types):
            t, _, sev = t.partition(":")
            month = f"{j + 9:02d}" if ruleset == "jiangsu-2020" else f"{j + 1:02d}"
            events.append((f"{fid[-6:]}-{j}", fid, f"{period}-{month}-10", t, sev))
    r = run(ruleset, period, events, firms=firms, measured=ruleset == "guangdong-2015")
    assert list(r.scores["grade"]) == list(grades)
    date = f"{int(period) + 1}-02-01"
    req = pd.DataFrame([{"firm_id": fid, "action": a, "date": date}
                        for fid in firms for a in MEASURE_ACTIONS])
    got = check_measures(r, req).checks
    expected = [grades[g][1].get(a, "") for g in grades for a in MEASURE_ACTIONS]
    assert list(got["measures"]) == expected


def test_a_measure_says_why_and_cites_its_source():
    r = run("jiangxi", "2024", [("E1", F1, "2024-05-01", "crime_conviction", "")])
    m = check_measures(r, pd.DataFrame({"firm_id": [F1], "action": ["permit"],
                                        "date": ["2025-02-01"]}))
    d = m.details.iloc[0]
    assert (d["measure_id"], d["kind"], d["evidence"]) == ("JX-K01", "punishment", "grade black")
    assert "江西省企业环境信用评价及信用管理暂行办法" in d["reference"]
    assert "JX-K01" in m.explain(0) and "because: grade black" in m.explain(0)


def test_jiangsu_electricity_surcharge_lasts_six_months_and_red_twice_pays_the_higher_fee():
    ev = [("E1", F1, "2025-12-01", "fine", ""),
          ("E3", F1, "2025-11-01", "production_restriction", ""),
          ("E4", F1, "2025-11-01", "daily_penalty", "")]
    r = run("jiangsu-2020", "2025", ev)
    assert (row(r)["score"], row(r)["grade"]) == (str(9 - 2 - 3 - 3), "red")
    assert ask(r, F1, "electricity", "2026-06-30") == "JS-M01"   # +0.05 yuan/kWh
    assert ask(r, F1, "electricity", "2026-07-01") == ""         # the six months are over
    assert ask(r, F1, "sewage_fee", "2026-01-05") == "JS-M03"    # ≥ +0.6 yuan/m³
    hist = [{"firm_id": F1, "period": "2024", "grade": "red"}]
    r2 = run("jiangsu-2020", "2025", ev, history=hist)
    m = check_measures(r2, pd.DataFrame({"firm_id": [F1], "action": ["sewage_fee"],
                                         "date": ["2026-01-05"]}))
    assert m.checks["measures"][0] == "JS-M05"  # ≥ +1.0 yuan/m³ instead of 0.6
    assert m.details["evidence"][0] == "grade red;history 2024: red;supersedes JS-M03"


def test_list_measures_apply_while_the_list_is_in_force_on_the_date_of_the_action():
    hist = [{"firm_id": F1, "period": "2018", "grade": "red", "list": "black",
             "list_until": "2021-12-31"}]
    r = run("chongqing-2017", "2019", history=hist)
    assert row(r)["grade"] == "blue"  # capped; blue carries no measure of its own
    assert ask(r, F1, "loan", "2021-12-31") == "CQ-M09"  # by the black list, its last day
    assert ask(r, F1, "loan", "2022-01-01") == ""        # the list has ended


def test_no_measure_before_the_result_is_published():
    m = check_measures(run("chongqing-2017", "2019"),
                       pd.DataFrame({"firm_id": [F1], "action": ["subsidy"],
                                     "date": ["2019-06-01"]}))
    assert m.checks["measures"][0] == "" and not m.checks["in_force"][0]
    assert "not yet published" in m.explain(0)


def test_an_unknown_action_or_firm_is_a_clear_error():
    r = run("chongqing-2017", "2019")
    with pytest.raises(ecocredit.errors.InputError, match="Unknown action 'visa'"):
        check_measures(r, pd.DataFrame({"firm_id": [F1], "action": ["visa"],
                                        "date": ["2020-01-01"]}))
    with pytest.raises(ecocredit.errors.InputError, match="not among the scored firms"):
        check_measures(r, pd.DataFrame({"firm_id": [F2], "action": ["loan"],
                                        "date": ["2020-01-01"]}))


# ---- the trace log ---------------------------------------------------------------------------

def _check_in_child(args):
    log, i = args
    r = run("chongqing-2017", "2019")
    m = check_measures(r, pd.DataFrame({"firm_id": [F1] * 3, "action": ["subsidy"] * 3,
                                        "date": ["2020-01-0%d" % (i % 9 + 1)] * 3,
                                        "who": [f"p{i}"] * 3}))
    append_trace(log, m.checks)


def test_the_trace_log_has_exactly_one_line_per_check_even_with_concurrent_writers(tmp_path):
    log = tmp_path / "trace.csv"
    with mp.get_context("fork").Pool(4) as pool:
        pool.map(_check_in_child, [(str(log), i) for i in range(8)])
    t = read_trace(log)
    assert len(t) == 8 * 3
    assert sorted(t["who"].value_counts().items()) == [(f"p{i}", 3) for i in range(8)]
    assert (t["measures"] == "CQ-M01").all() and (t["list"] == "red").all()
    lines = log.read_text("utf-8-sig").splitlines()
    assert lines[0] == ",".join(ecocredit.decisions.measures.TRACE_COLUMNS) and len(lines) == 1 + 24


def test_a_trace_line_records_who_when_firm_action_grade_list_and_measures(tmp_path):
    import datetime as dt

    r = run("chongqing-2017", "2019", [("E1", F1, "2019-05-01", "concealed_discharge", "")])
    when = dt.datetime(2020, 2, 1, 9, 30, tzinfo=dt.timezone.utc)
    m = check_measures(r, pd.DataFrame({"firm_id": [F1], "action": ["loan"],
                                        "date": ["2020-02-01"], "who": ["=HYPERLINK(1)"]}),
                       checked_at=when)
    log = tmp_path / "trace.csv"
    assert append_trace(log, m.checks) == 1
    assert log.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, like every output
    t = read_trace(log).iloc[0].to_dict()
    assert t == {"checked_at": "2020-02-01T09:30:00+00:00", "who": "'=HYPERLINK(1)",
                 "firm_id": F1, "action": "loan", "date": "2020-02-01",
                 "ruleset": "chongqing-2017", "ruleset_version": "2017.1", "period": "2019",
                 "grade": "red", "list": "black", "list_until": "2022-12-31", "in_force": "true",
                 "measures": "CQ-M09"}


# ---- the commands, as a user runs them ---------------------------------------------------------

def test_score_explain_measures_and_repair_from_the_command_line(tmp_path, ecocredit_cli):
    firms = tmp_path / "firms.csv"
    events = tmp_path / "events.csv"
    pd.DataFrame({"firm_id": [F1, F2], "name": ["甲", "乙"],
                  "region_code": ["500101", "500101"]}).to_csv(firms, index=False)
    pd.DataFrame([{"event_id": "E1", "firm_id": F1, "event_date": "2019-05-01",
                   "event_type": "concealed_discharge"}]).to_csv(events, index=False)
    out = tmp_path / "run"
    p = ecocredit_cli("score", "--ruleset", "chongqing-2017", "--period", "2019", "--firms", firms,
                      "--events", events, "--out", out, "--today", TODAY)
    assert p.returncode == 0, p.stderr
    assert "Lists in force: red 1, black 1" in p.stdout
    s = pd.read_csv(out / "scores.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(s[["list", "list_until"]].itertuples(index=False, name=None)) == [
        ("black", "2022-12-31"), ("red", "2020-12-31")]
    p = ecocredit_cli("explain", out, F1)
    assert p.returncode == 0, p.stderr
    assert "black list until 2022-12-31" in p.stdout and "CQ-L02" in p.stdout

    log = tmp_path / "trace.csv"
    p = ecocredit_cli("measures", out, "--firm", F1, "--action", "loan", "--date", "2020-02-01",
                      "--who", "窗口A", "--log", log)
    assert p.returncode == 0, p.stderr
    assert "CQ-M09" in p.stdout and "black list until 2022-12-31" in p.stdout
    req = tmp_path / "requests.csv"
    pd.DataFrame({"firm_id": [F1, F2], "action": ["subsidy", "subsidy"],
                  "date": ["2020-02-01", "2020-02-01"]}).to_csv(req, index=False)
    p = ecocredit_cli("measures", out, "--requests", req, "--who", "窗口B", "--log", log)
    assert p.returncode == 0, p.stderr
    t = read_trace(log)
    assert list(t["who"]) == ["窗口A", "窗口B", "窗口B"]
    assert list(t["measures"]) == ["CQ-M09", "CQ-M07", "CQ-M01"]

    a = tmp_path / "apps.csv"
    apps((F1, "2020-06-01", "E1", "true"), (F1, "2021-01-05", "E1", "true")).to_csv(a, index=False)
    decisions = tmp_path / "decisions.csv"
    p = ecocredit_cli("repair", out, "--applications", a, "--out", decisions)
    assert p.returncode == 0, p.stderr
    assert "REFUSED" in p.stdout and "too_early" in p.stdout and "GRANTED" in p.stdout
    d = pd.read_csv(decisions, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(d["decision"]) == ["refused", "granted"]
    assert d["list_until_after"][1] == "2021-01-04"

    p = ecocredit_cli("measures", out, "--firm", F1, "--action", "visa", "--date", "2020-02-01")
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Unknown action" in p.stderr


def test_jiangxi_cut_offs_are_marked_as_a_parameter_wherever_they_are_used(tmp_path,
                                                                           ecocredit_cli):
    rs = load("jiangxi")
    assert "PARAMETER" in rs.scoring.bands_assumed
    assert [b.min for b in rs.scoring.bands[:-1]] == [95, 80, 65, 41]
    p = ecocredit_cli("rulesets")
    [line] = [x for x in p.stdout.splitlines() if x.startswith("jiangxi ")]
    assert line.endswith("(grade cut-offs assumed: a parameter)")
    marked = {x.split()[0] for x in p.stdout.splitlines() if x.endswith("a parameter)")}
    # the only three with unpublished cut-offs
    assert marked == {"jiangxi", "jilin-2018", "guizhou-2019"}
    firms, events = tmp_path / "firms.csv", tmp_path / "events.csv"
    pd.DataFrame({"firm_id": [F1], "name": ["甲"], "region_code": ["360102"]}).to_csv(
        firms, index=False)
    pd.DataFrame(columns=["event_id", "firm_id", "event_date", "event_type"]).to_csv(
        events, index=False)
    p = ecocredit_cli("score", "--ruleset", "jiangxi", "--period", "2024", "--firms", firms,
                      "--events", events, "--out", tmp_path / "out", "--today", TODAY)
    assert p.returncode == 0, p.stderr
    assert "Note: the grade cut-offs of jiangxi are not published" in p.stdout
