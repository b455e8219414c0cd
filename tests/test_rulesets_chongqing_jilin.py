"""Worked examples of chongqing-2021 (渝环规〔2021〕7号) and jilin-2018 (Jilin's card method and the
Linjiang opinion), one firm at a time (tests/test_properties.py checks the reference engine
agrees on every bundled ruleset).

chongqing-2021: 100 - Σ deductions + Σ bonuses in [0, 108]; 诚信 ≥ 100, 良好 ≥ 80, 警示 ≥ 60, 不良
below; 诚信 → red list, 不良 → black list. jilin-2018: 0 - points (PARAMETER bands: green 0, blue
-1..-3, yellow -4..-11, red -12 or less); red card → black list; green card and a 领跑者 → red list.
"""

from __future__ import annotations

import pytest

from conftest import scored
from ecocredit.errors import PeriodError
from ecocredit.ruleset import load_ruleset

CQ = load_ruleset("chongqing-2021")
JL = load_ruleset("jilin-2018")


def one(score_rows, fid, ruleset: str, period: str, *events: str) -> dict:
    f = fid(1, "500107")
    res = score_rows([{"firm_id": f, "name": "虚构渝01实业有限公司", "region_code": "500107"}],
                     [{"event_id": f"E{i}", "firm_id": f, "event_date": f"{period}-0{i + 1}-10",
                       "event_type": t.partition(":")[0], "severity": t.partition(":")[2]}
                      for i, t in enumerate(events)], ruleset=ruleset, period=period)
    return scored(res)[f]


@pytest.mark.parametrize("events,score,grade,lst", [
    ((), "100", "green", "red"),                                   # clean: 诚信, red list
    (("commendation", "leader", "liability_insurance", "open_day",
      "cleaner_production_audit"), "108", "green", "red"),         # 5 × 2 capped at 8: the top, 108
    (("fine",), "95", "blue", ""),                                 # 100 - CQ21-D02 5
    (("production_suspension", "production_suspension"), "60", "yellow", ""),  # 100 - 2 × 20
    (("concealed_discharge",), "100", "red", "black"),             # CQ21-V02 veto → 不良
    (("permit_revoked",), "100", "red", "black"),                  # CQ21-V04 veto → 不良
], ids=["a clean firm is 诚信 and on the red list",
        "five bonus items reach the band's top of 108",
        "one fine leaves a firm 良好 at 95",
        "two orders to stop production bring a firm to 60, still 警示",
        "hidden pipes veto a firm to 不良 and the black list",
        "a revoked permit vetoes a firm to 不良, never the red list"])
def test_chongqing_2021_worked_examples(score_rows, fid, events, score, grade, lst) -> None:
    row = one(score_rows, fid, "chongqing-2021", "2024", *events)
    assert (str(row["score"]), row["grade"], row["list"] or "") == (score, grade, lst)


def test_chongqing_2021_scores_2022_onwards_and_chongqing_2017_ends_with_2021(
        score_rows, fid) -> None:
    assert one(score_rows, fid, "chongqing-2021", "2022")["grade"] == "green"
    with pytest.raises(PeriodError):
        one(score_rows, fid, "chongqing-2021", "2021")
    with pytest.raises(PeriodError):
        one(score_rows, fid, "chongqing-2017", "2022")


def test_chongqing_2021_bands_are_the_published_100_108_80_99_60_79_0_59() -> None:
    sc = CQ.scoring
    assert (sc.max, sc.min) == (108, 0)
    assert [(b.grade, b.min) for b in sc.bands] == [("green", 100), ("blue", 80),
                                                    ("yellow", 60), ("red", None)]
    assert not sc.bands_assumed


def test_chongqing_2021_carries_measures_for_every_action_the_high_tech_zone_plan_names() -> None:
    actions = {a for m in CQ.measures for a in m.actions}
    assert {"permit", "penalty_decision", "supervision", "inspection", "subsidy",
            "award"} <= actions


@pytest.mark.parametrize("events,score,grade,lst", [
    ((), "0", "green", ""),
    (("leader",), "0", "green", "red"),                   # JL-L02: green card and a 领跑者
    (("warning",), "-1", "blue", ""),                     # JL-P01
    (("daily_penalty",), "-6", "yellow", ""),             # JL-P03
    (("exceedance",) * 4, "-12", "red", "black"),         # 4 × JL-P02 3 = 12: red card
    (("permit_revoked",), "-12", "red", "black"),         # JL-P04: 12 points at once
], ids=["a firm without points holds the green card",
        "a green-card leader is on the red list",
        "a warning gives the blue card",
        "a daily penalty gives the yellow card",
        "four exceedances add up to twelve points, the red card and the black list",
        "a revoked permit gives twelve points at once, the red card and the black list"])
def test_jilin_2018_worked_examples(score_rows, fid, events, score, grade, lst) -> None:
    row = one(score_rows, fid, "jilin-2018", "2024", *events)
    assert (str(row["score"]), row["grade"], row["list"] or "") == (score, grade, lst)


def test_jilin_2018_marks_its_unpublished_card_cut_offs_as_a_parameter() -> None:
    assert "PARAMETER" in JL.scoring.bands_assumed
    assert all(r.assumption for r in JL.rules)


def test_jilin_2018_black_list_restricts_funds_loans_and_raises_the_insurance_premium() -> None:
    black = {a for m in JL.measures if "black" in m.lists for a in m.actions}
    assert {"subsidy", "loan", "insurance", "sewage_fee"} <= black


@pytest.mark.parametrize("rs", [CQ, JL], ids=["chongqing-2021", "jilin-2018"])
def test_every_rule_names_its_document_first_and_where_it_was_read(rs) -> None:
    cited = list(rs.rules) + list(rs.lists.rules) + [rs.lists.black_cap] + list(rs.measures)
    for r in cited:
        assert r.reference.document.strip(), r.id
        assert r.reference.url or r.reference.note, r.id
