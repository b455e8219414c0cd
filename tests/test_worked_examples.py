"""Worked examples from the three bundled rulesets, one firm at a time.

Each test is a case a reviewer can check by hand against the ruleset file and the regulation
it cites: the name says what the regulation requires, the expected score is written as the
arithmetic of the rules that apply (base, then each rule's points, with the rule id in a
comment), and the grade follows from the bands:

- guangdong-2015 (annual, weighted tiers): base 69 + the five tiers indicators (31 at most)
  - GD-P01 (−15 per penalty, cap 15) - GD-S01 (−4 per complaint or exposure, cap 12);
  bands green ≥ 100 (and at least two green bonus items, GD-C01), blue ≥ 80, yellow ≥ 60, red.
- anhui-2019 (annual, deductions): 100 - Σ deductions (each capped) - AH-T01, in [0, 100];
  bands green ≥ 95, blue ≥ 80, yellow ≥ 60, red; 12 vetoes and 2 history caps.
- jiangsu-2020 (dynamic 12-point): 9 + valid bonuses - valid deductions, at most 12; every
  deduction counts from 15 days after the event until its validity (6 or 12 months) lapses;
  bands green ≥ 11, blue ≥ 6, yellow ≥ 3, red ≥ 1, black ≤ 0.

Every run here is also checked against the reference engine, so each worked example is a case
where the two engines must agree. The reference date is fixed (``TODAY``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from pathlib import Path

import pandas as pd
import pytest

import ecocredit
from ecocredit.engine.reference import reference_scores
from ecocredit.ruleset import load_ruleset

from conftest import make_firm_id

ROOT = Path(__file__).resolve().parents[1]

TODAY = "2026-06-30"

GD = load_ruleset("guangdong-2015")
AH = load_ruleset("anhui-2019")
JS = load_ruleset("jiangsu-2020")
RULESETS = {"guangdong-2015": GD, "anhui-2019": AH, "jiangsu-2020": JS}


def firm_id(i: int) -> str:
    """A valid unified social credit code (GB 32100-2015, its embedded organisation code valid
    per GB 11714), numbered ``i``."""
    return make_firm_id(i)


FIRM = firm_id(1)
OTHER = firm_id(2)

FIRM_COLUMNS = ["firm_id", "name", "region_code", "status", "included_since"]
EVENT_COLUMNS = ["event_id", "firm_id", "event_date", "event_type", "severity", "ref_event_id",
                 "recorded_at"]


def firm(fid: str = FIRM, **extra: str) -> dict[str, str]:
    return {"firm_id": fid, "name": "示例环保科技有限公司", "region_code": "360102", **extra}


def ev(event_id: str, date: str, event_type: str, fid: str = FIRM, **extra: str
       ) -> dict[str, str]:
    """One event row; ``extra`` sets severity, ref_event_id or recorded_at."""
    return {"event_id": event_id, "firm_id": fid, "event_date": date, "event_type": event_type,
            **extra}


def table(rows: list[dict[str, str]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{c: str(r.get(c, "")) for c in columns} for r in rows],
                        columns=columns, dtype=object)


def run(ruleset: Any, events: list[dict[str, str]] = (), *, firms: list[dict] | None = None,
        period: str = "2025", measurements: list[dict] | None = None,
        history: list[dict] | None = None, as_of: str | None = None):
    """Score, check that nothing was rejected and that both engines agree, return the result."""
    rs = RULESETS[ruleset] if isinstance(ruleset, str) else ruleset
    result = ecocredit.score(
        table(firms or [firm()], FIRM_COLUMNS), table(list(events), EVENT_COLUMNS), rs,
        period=period,
        measurements=None if measurements is None else table(
            measurements, ["firm_id", "period", "indicator", "value"]),
        history=None if history is None else table(history, ["firm_id", "period", "grade"]),
        as_of=as_of, today=TODAY)
    assert result.rejects.empty, result.rejects.to_dict("records")
    ref_s, ref_c = reference_scores(result.prepared, rs, result.period, result.eval_date)
    pd.testing.assert_frame_equal(result.scores[ref_s.columns].reset_index(drop=True), ref_s,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(result.contributions[ref_c.columns].reset_index(drop=True),
                                  ref_c, check_dtype=False)
    return result


def row(result: Any, fid: str = FIRM) -> dict[str, Any]:
    """The firm's row of the scores table."""
    rows = result.scores[result.scores["firm_id"] == fid].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def contributions(result: Any, fid: str = FIRM) -> dict[str, dict[str, Any]]:
    """rule id → the firm's contribution row."""
    c = result.contributions[result.contributions["firm_id"] == fid]
    return {r["rule_id"]: r for r in c.to_dict("records")}


def cents(points: float | int | str) -> int:
    """Points → the exact hundredths the scores table holds (``cents(79.75) == 7975``)."""
    return int(Decimal(str(points)) * 100)


def assert_adds_up(result: Any, rs: Any, fid: str = FIRM) -> None:
    """base + Σ contributions = score, to the hundredth."""
    total = sum(int(c["points_cents"]) for c in contributions(result, fid).values())
    assert cents(rs.scoring.base) + total == row(result, fid)["score_cents"]


def pts(rs: Any, rule_id: str) -> Decimal:
    return rs.rule(rule_id).points


# --------------------------------------------------------------------------------------------
# The values the examples below rely on, read from the ruleset files
# --------------------------------------------------------------------------------------------

def test_the_guangdong_values_these_examples_rely_on():
    assert GD.scoring.base == 69 and GD.scoring.min == 0 and GD.scoring.max == 100
    assert [(b.grade, b.min) for b in GD.scoring.bands] == [
        ("green", 100), ("blue", 80), ("yellow", 60), ("red", None)]
    assert [(r.id, r.weight) for r in GD.rules if r.kind == "tiers"] == [
        ("GD-N01", Decimal("0.15")), ("GD-N02", Decimal("0.05")), ("GD-N03", Decimal("0.05")),
        ("GD-N04", Decimal("0.04")), ("GD-N05", Decimal("0.02"))]
    assert [t.points for t in GD.rule("GD-N01").tiers] == [100, 90, 65, 25, 0]
    assert (pts(GD, "GD-P01"), GD.rule("GD-P01").cap) == (-15, 15)
    assert (pts(GD, "GD-S01"), GD.rule("GD-S01").cap) == (-4, 12)
    assert GD.rule("GD-C01").when.fewer_than == 2 and GD.rule("GD-C01").grade == "blue"
    assert GD.rule("GD-G01").levels == 1
    # the cap defines the grade before the incident adjustment lowers it
    assert GD.rule("GD-C01").priority < GD.rule("GD-G01").priority


def test_the_anhui_values_these_examples_rely_on():
    assert (AH.scoring.base, AH.scoring.min, AH.scoring.max) == (100, 0, 100)
    assert [(b.grade, b.min) for b in AH.scoring.bands] == [
        ("green", 95), ("blue", 80), ("yellow", 60), ("red", None)]
    assert {r: (pts(AH, r), AH.rule(r).cap) for r in
            ["AH-D03", "AH-D04", "AH-D07", "AH-D08", "AH-D12", "AH-D14", "AH-D15", "AH-D19"]
            } == {"AH-D03": (-6, 30), "AH-D04": (-15, 30), "AH-D07": (-20, 40),
                  "AH-D08": (-40, 40), "AH-D12": (-5, 20), "AH-D14": (-15, 30),
                  "AH-D15": (-10, 20), "AH-D19": (-2, 10)}
    assert (pts(AH, "AH-T01"), AH.rule("AH-T01").at_least) == (-5, 3)


def test_the_jiangsu_values_these_examples_rely_on():
    assert (JS.scoring.base, JS.scoring.min, JS.scoring.max) == (9, None, 12)
    assert [(b.grade, b.min) for b in JS.scoring.bands] == [
        ("green", 11), ("blue", 6), ("yellow", 3), ("red", 1), ("black", None)]
    assert {r: pts(JS, r) for r in ["JS-D01", "JS-D02", "JS-D03", "JS-D05", "JS-D07", "JS-D11",
                                    "JS-D13", "JS-D16", "JS-B01", "JS-B02"]} == {
        "JS-D01": -1, "JS-D02": -1, "JS-D03": -2, "JS-D05": -3, "JS-D07": -9, "JS-D11": -6,
        "JS-D13": -12, "JS-D16": -5, "JS-B01": 1, "JS-B02": 3}
    fine, suspension = JS.rule("JS-D03").match, JS.rule("JS-D07").match
    assert (fine.effective_after_days, fine.valid_months) == (15, 6)
    assert (suspension.effective_after_days, suspension.valid_months) == (15, 12)
    assert JS.rule("JS-B01").cap == 1 and JS.rule("JS-B01").match.effective_after_days == 0


# --------------------------------------------------------------------------------------------
# guangdong-2015
# --------------------------------------------------------------------------------------------

GOOD = {"discharge_compliance_rate": "1", "solid_waste_handling_rate": "1",
        "hazwaste_assessment": "pass", "noise_exceedance_db": "0", "siting_compliant": "yes"}


def measured(fid: str = FIRM, period: str = "2025", **values: str) -> list[dict[str, str]]:
    """The five Guangdong indicators, every one at its best unless overridden."""
    return [{"firm_id": fid, "period": period, "indicator": k, "value": v}
            for k, v in {**GOOD, **values}.items()]


TWO_GREEN_ITEMS = [ev("G1", "2025-02-10", "liability_insurance"),
                   ev("G2", "2025-05-20", "open_day")]


def test_a_guangdong_firm_meeting_every_indicator_with_two_green_bonus_items_is_green_at_100():
    r = run("guangdong-2015", TWO_GREEN_ITEMS, measurements=measured())
    s = row(r)
    # base 69 + N01 0.15×100 + N02 0.05×100 + N03 0.05×100 + N04 0.04×100 + N05 0.02×100
    assert s["score_cents"] == cents(69 + 15 + 5 + 5 + 4 + 2) == cents(100)
    assert s["score"] == "100"
    assert (s["grade"], s["grade_label"]) == ("green", "环保诚信企业")
    assert s["rules_applied"] == "" and not s["vetoed"]
    assert set(contributions(r)) == {"GD-N01", "GD-N02", "GD-N03", "GD-N04", "GD-N05"}
    assert contributions(r)["GD-N01"]["evidence"] == "discharge_compliance_rate=1 (2025)"
    assert_adds_up(r, GD)


def test_a_guangdong_firm_scoring_100_with_only_one_green_bonus_item_is_capped_at_blue_by_gd_c01():
    r = run("guangdong-2015", TWO_GREEN_ITEMS[:1], measurements=measured())
    s = row(r)
    assert s["score_cents"] == cents(100)  # the cap changes the grade, not the score
    assert s["grade"] == "blue"  # 100 and fewer than 2 green items → at best 环保良好 (GD-C01)
    assert s["rules_applied"] == "GD-C01" and not s["vetoed"]
    c = contributions(r)["GD-C01"]
    assert (c["effect"], c["evidence"], c["points_cents"]) == ("green→blue", "G1", 0)
    assert c["reference"] == str(GD.rule("GD-C01").reference)


def test_a_guangdong_firm_scoring_100_without_any_green_bonus_item_is_capped_at_blue():
    r = run("guangdong-2015", [], measurements=measured())
    s = row(r)
    assert (s["score_cents"], s["grade"], s["rules_applied"]) == (cents(100), "blue", "GD-C01")
    assert contributions(r)["GD-C01"]["evidence"] == ""


def test_two_green_bonus_events_of_the_same_type_are_one_item_under_guangdong():
    # GD-C01 counts indicators (count: types): two commendations are one item, so no 诚信
    r = run("guangdong-2015", [ev("G1", "2025-02-10", "commendation"),
                               ev("G2", "2025-09-01", "commendation")], measurements=measured())
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("blue", "GD-C01")
    assert contributions(r)["GD-C01"]["evidence"] == "G1;G2"


def test_green_bonus_events_of_the_previous_year_do_not_count_for_guangdong_2025():
    r = run("guangdong-2015", [ev("G1", "2024-12-31", "liability_insurance"),
                               ev("G2", "2025-05-20", "open_day")], measurements=measured())
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("blue", "GD-C01")
    assert contributions(r)["GD-C01"]["evidence"] == "G2"


def test_a_guangdong_firm_without_any_measurement_scores_93_35_and_is_blue():
    r = run("guangdong-2015", TWO_GREEN_ITEMS)
    s = row(r)
    # N01 and N04 score tier 2 (65) without a value; N02, N03 and N05 score 100
    assert s["score_cents"] == cents(69 + Decimal("0.15") * 65 + 5 + 5 + Decimal("0.04") * 65
                                     + 2) == cents("93.35")
    assert (s["score"], s["grade"]) == ("93.35", "blue")
    assert contributions(r)["GD-N01"]["evidence"] == "discharge_compliance_rate: no value"


def test_the_lowest_outlet_and_the_loudest_noise_reading_of_the_year_count_under_guangdong():
    m = measured(discharge_compliance_rate="0.95", noise_exceedance_db="0")
    m += [{"firm_id": FIRM, "period": "2025-06", "indicator": "discharge_compliance_rate",
           "value": "0.80"},
          {"firm_id": FIRM, "period": "2025-07", "indicator": "noise_exceedance_db",
           "value": "6"},
          {"firm_id": FIRM, "period": "2024", "indicator": "discharge_compliance_rate",
           "value": "0.10"}]  # another year: not read
    r = run("guangdong-2015", TWO_GREEN_ITEMS, measurements=m)
    # N01 min(0.95, 0.80) → tier [0.75, 0.90): 0.15 × 65; N04 max(0, 6) > 5 dB(A): 0.04 × 25
    assert row(r)["score_cents"] == cents(69 + Decimal("9.75") + 5 + 5 + 1 + 2) == cents("91.75")
    assert contributions(r)["GD-N01"]["evidence"] == "discharge_compliance_rate=0.80 (2025-06)"
    assert contributions(r)["GD-N04"]["evidence"] == "noise_exceedance_db=6 (2025-07)"


def test_an_outlet_below_half_compliance_scores_zero_for_gd_n01_and_exactly_half_scores_25():
    below = run("guangdong-2015", TWO_GREEN_ITEMS,
                measurements=measured(discharge_compliance_rate="0.49"))
    half = run("guangdong-2015", TWO_GREEN_ITEMS,
               measurements=measured(discharge_compliance_rate="0.50"))
    assert row(below)["score_cents"] == cents(100 - 15)  # 0.15 × 0 instead of 0.15 × 100
    assert row(half)["score_cents"] == cents(100 - 15 + Decimal("3.75"))  # 0.15 × 25


def _gd_veto_cases() -> list:
    out = []
    for r in GD.rules:
        if r.kind != "veto":
            continue
        for t in r.when.events.types:
            for sev in (r.when.events.severity or [""]):
                out.append(pytest.param(r.id, t, sev, id=f"{r.id}-{t}" + (f"-{sev}" if sev
                                                                           else "")))
    return out


@pytest.mark.parametrize("rule_id, event_type, severity", _gd_veto_cases())
def test_one_veto_event_makes_a_perfect_guangdong_firm_red_whatever_its_points(
        rule_id, event_type, severity):
    rule = GD.rule(rule_id)
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [ev("V1", "2025-08-08", event_type,
                                                   severity=severity)],
            measurements=measured())
    s = row(r)
    assert s["score_cents"] == cents(100)  # the veto event deducts nothing: 100 points, green
    assert (s["grade"], s["grade_label"]) == ("red", "环保不良企业")
    assert s["vetoed"] and s["rules_applied"] == rule_id
    c = contributions(r)[rule_id]
    assert (c["effect"], c["evidence"], c["kind"], c["points_cents"]) == (
        "green→red", "V1", "veto", 0)
    assert c["reference"] == str(rule.reference)
    assert rule.reference.document in c["reference"]


def test_an_ordinary_incident_lowers_a_green_guangdong_firm_one_level_to_blue():
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [ev("I1", "2025-07-01", "incident",
                                                   severity="general")],
            measurements=measured())
    s = row(r)
    assert s["score_cents"] == cents(100)  # no deduction: the guide adjusts the grade
    assert (s["grade"], s["rules_applied"], s["vetoed"]) == ("blue", "GD-G01", False)
    c = contributions(r)["GD-G01"]
    assert (c["effect"], c["evidence"], c["kind"]) == ("green→blue", "I1", "downgrade")


def test_two_ordinary_incidents_still_lower_a_guangdong_grade_only_one_level():
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [
        ev("I1", "2025-03-01", "incident", severity="general"),
        ev("I2", "2025-07-01", "incident", severity="general")], measurements=measured())
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("blue", "GD-G01")
    assert contributions(r)["GD-G01"]["evidence"] == "I1;I2"


def test_with_one_green_item_a_guangdong_incident_lowers_the_capped_grade_blue_to_yellow():
    # GD-C01 (priority 90) caps 100 at blue, then GD-G01 (priority 100) lowers blue to yellow
    r = run("guangdong-2015", [ev("G1", "2025-02-10", "leader"),
                               ev("I1", "2025-07-01", "incident", severity="general")],
            measurements=measured())
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("yellow", "GD-C01;GD-G01")
    c = contributions(r)
    assert (c["GD-C01"]["effect"], c["GD-G01"]["effect"]) == ("green→blue", "blue→yellow")


def test_a_larger_incident_is_a_veto_not_a_one_level_downgrade_under_guangdong():
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [ev("I1", "2025-07-01", "incident",
                                                   severity="larger")],
            measurements=measured())
    s = row(r)
    assert (s["grade"], s["vetoed"], s["rules_applied"]) == ("red", True, "GD-V08")
    assert "GD-G01" not in contributions(r)


def test_two_guangdong_penalties_deduct_15_not_30_because_gd_p01_is_capped():
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [ev("P1", "2025-03-01", "fine"),
                                                ev("P2", "2025-04-01", "order_to_correct")],
            measurements=measured())
    c = contributions(r)["GD-P01"]
    assert c["points_cents"] == cents(-15)  # 2 × −15 = −30, capped at 15
    assert c["evidence"] == "P1;P2"
    assert (row(r)["score_cents"], row(r)["grade"]) == (cents(100 - 15), "blue")
    assert_adds_up(r, GD)


def test_four_verified_complaints_or_exposures_deduct_12_not_16_under_guangdong():
    r = run("guangdong-2015", TWO_GREEN_ITEMS + [
        ev("C1", "2025-01-05", "complaint_verified"), ev("C2", "2025-02-05", "complaint_verified"),
        ev("C3", "2025-03-05", "media_exposure"), ev("C4", "2025-04-05", "complaint_verified")],
        measurements=measured())
    assert contributions(r)["GD-S01"]["points_cents"] == cents(-12)  # 4 × −4 = −16, cap 12
    assert row(r)["score_cents"] == cents(100 - 12)
    assert row(r)["grade"] == "blue"


def test_a_guangdong_firm_at_exactly_80_is_blue_and_one_at_79_75_is_yellow():
    fine = [ev("P1", "2025-03-01", "fine")]
    at_80 = run("guangdong-2015", fine, measurements=measured(
        discharge_compliance_rate="0.95", solid_waste_handling_rate="0.85",
        hazwaste_assessment="basic"))
    # 100 - 15 (GD-P01) - 0.15×(100-90) (N01 0.95) - 0.05×(100-65) (N02 0.85)
    #     - 0.05×(100-65) (N03 basic)
    assert row(at_80)["score_cents"] == cents(100 - 15 - Decimal("1.5") - Decimal("1.75")
                                              - Decimal("1.75")) == cents(80)
    assert row(at_80)["grade"] == "blue"
    below = run("guangdong-2015", fine, measurements=measured(discharge_compliance_rate="0.80"))
    # 100 - 15 (GD-P01) - 0.15×(100-65) (N01 0.80)
    assert row(below)["score_cents"] == cents(100 - 15 - Decimal("5.25")) == cents("79.75")
    assert (row(below)["score"], row(below)["grade"]) == ("79.75", "yellow")


def test_a_guangdong_firm_at_exactly_60_is_yellow_and_one_at_59_5_is_red():
    events = [ev("P1", "2025-03-01", "fine")] + [
        ev(f"C{i}", f"2025-0{i}-01", "complaint_verified") for i in (1, 2, 3)]
    at_60 = run("guangdong-2015", events, measurements=measured(
        discharge_compliance_rate="0.60", solid_waste_handling_rate="0.85"))
    # 100 - 15 (GD-P01) - 3×4 (GD-S01) - 0.15×(100-25) (N01 0.60) - 0.05×(100-65) (N02 0.85)
    assert row(at_60)["score_cents"] == cents(100 - 15 - 12 - Decimal("11.25")
                                              - Decimal("1.75")) == cents(60)
    assert row(at_60)["grade"] == "yellow"
    below = run("guangdong-2015", events, measurements=measured(
        discharge_compliance_rate="0.80", solid_waste_handling_rate="0.50",
        noise_exceedance_db="6", siting_compliant="no"))
    # 100 - 15 (GD-P01) - 12 (GD-S01) - 0.15×35 (N01 0.80) - 0.05×75 (N02 below 0.80)
    #     - 0.04×75 (N04 above 5 dB) - 0.02×75 (N05 no)
    assert row(below)["score_cents"] == cents(100 - 15 - 12 - Decimal("5.25") - Decimal("3.75")
                                              - 3 - Decimal("1.5")) == cents("59.5")
    assert row(below)["grade"] == "red"


def test_a_guangdong_firm_just_under_100_is_blue_even_with_two_green_items():
    r = run("guangdong-2015", TWO_GREEN_ITEMS,
            measurements=measured(discharge_compliance_rate="0.99"))
    # 100 - 0.15×(100-90): N01 [0.90, 1) scores 90
    assert row(r)["score_cents"] == cents(100 - Decimal("1.5")) == cents("98.5")
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("blue", "")


# --------------------------------------------------------------------------------------------
# anhui-2019
# --------------------------------------------------------------------------------------------

def test_a_clean_anhui_firm_scores_100_and_is_green():
    r = run("anhui-2019", [])
    s = row(r)
    assert (s["score_cents"], s["score"], s["grade"], s["grade_label"]) == (
        cents(100), "100", "green", "环保诚信企业")
    assert (s["vetoed"], s["rules_applied"], s["status"]) == (False, "", "graded")
    assert contributions(r) == {}


AH_SINGLE_VETOES = [pytest.param(r.id, t, sev, id=f"{r.id}-{t}" + (f"-{sev}" if sev else ""))
                    for r in AH.rules if r.kind == "veto" and r.when.at_least == 1
                    for t in r.when.events.types for sev in (r.when.events.severity or [""])]

# the Hefei "same intentional violation punished twice in a year" vetoes (at_least: 2):
# rule id, event type, the deduction each event makes on its own, the grade two events give
AH_TWICE_VETOES = [
    ("AH-V09", "monitoring_fraud", -15, 100 - 2 * 15, "yellow"),  # AH-D14 −15 each → 70
    ("AH-V10", "refused_inspection", -10, 100 - 2 * 10, "blue"),  # AH-D15 −10 each → 80
    ("AH-V11", "unlicensed_discharge", -10, 100 - 2 * 10, "blue"),  # AH-D13 −10 each → 80
]


def test_every_anhui_veto_rule_has_a_worked_example():
    vetoes = {r.id for r in AH.rules if r.kind == "veto"}
    covered = {p.values[0] for p in AH_SINGLE_VETOES} | {v[0] for v in AH_TWICE_VETOES}
    assert covered == vetoes and len(vetoes) == 12
    assert {r.id for r in AH.rules if r.kind == "veto" and r.when.at_least == 2} == {
        v[0] for v in AH_TWICE_VETOES}


@pytest.mark.parametrize("rule_id, event_type, severity", AH_SINGLE_VETOES)
def test_one_veto_event_makes_a_100_point_anhui_firm_red_whatever_its_points(
        rule_id, event_type, severity):
    rule = AH.rule(rule_id)
    r = run("anhui-2019", [ev("V1", "2025-08-08", event_type, severity=severity)])
    s = row(r)
    assert s["score_cents"] == cents(100)  # veto-type behaviours deduct nothing by themselves
    assert (s["grade"], s["vetoed"], s["rules_applied"]) == ("red", True, rule_id)
    c = contributions(r)[rule_id]
    assert (c["effect"], c["evidence"], c["kind"]) == ("green→red", "V1", "veto")
    assert c["reference"] == str(rule.reference)
    assert rule.reference.document in c["reference"]


@pytest.mark.parametrize("rule_id, event_type, each, two_score, two_banded", AH_TWICE_VETOES,
                         ids=[v[0] for v in AH_TWICE_VETOES])
def test_the_same_intentional_violation_once_deducts_and_twice_in_a_year_vetoes_under_anhui(
        rule_id, event_type, each, two_score, two_banded):
    rule = AH.rule(rule_id)
    assert rule.when.at_least == 2
    once = run("anhui-2019", [ev("V1", "2025-03-03", event_type)])
    assert row(once)["score_cents"] == cents(100 + each)
    assert row(once)["grade"] == "blue"  # 85 or 90
    assert (row(once)["vetoed"], row(once)["rules_applied"]) == (False, "")
    assert rule_id not in contributions(once)

    twice = run("anhui-2019", [ev("V1", "2025-03-03", event_type),
                               ev("V2", "2025-10-10", event_type)])
    s = row(twice)
    assert s["score_cents"] == cents(two_score)
    assert (s["grade"], s["vetoed"], s["rules_applied"]) == ("red", True, rule_id)
    c = contributions(twice)[rule_id]
    assert (c["effect"], c["evidence"]) == (f"{two_banded}→red", "V1;V2")
    assert c["reference"] == str(rule.reference)


def test_two_intentional_violations_of_different_types_do_not_veto_under_anhui():
    r = run("anhui-2019", [ev("V1", "2025-03-03", "refused_inspection"),
                           ev("V2", "2025-10-10", "unlicensed_discharge")])
    assert row(r)["score_cents"] == cents(100 - 10 - 10)  # AH-D15, AH-D13
    assert (row(r)["grade"], row(r)["vetoed"]) == ("blue", False)


def test_an_anhui_firm_already_red_on_points_is_still_vetoed_though_its_grade_stays_the_same():
    r = run("anhui-2019", [ev("P1", "2025-02-01", "closure_order"),
                           ev("P2", "2025-03-01", "production_suspension"),
                           ev("V1", "2025-04-01", "concealed_discharge")])
    s = row(r)
    assert s["score_cents"] == cents(100 - 40 - 20)  # AH-D08, AH-D07 → 40, red on points
    assert (s["grade"], s["vetoed"], s["rules_applied"]) == ("red", True, "")
    assert "AH-V04" not in contributions(r)  # the veto changed nothing, so no row


def test_a_revoked_veto_event_does_not_veto_under_anhui():
    r = run("anhui-2019", [ev("V1", "2025-04-01", "concealed_discharge"),
                           ev("R1", "2025-06-01", "revocation", ref_event_id="V1")])
    assert (row(r)["grade"], row(r)["vetoed"], row(r)["score_cents"]) == ("green", False,
                                                                          cents(100))


@pytest.mark.parametrize("events, score, grade", [
    ([("exceedance",)], 100 - 5, "green"),  # AH-D12 −5 → 95, the lowest 诚信 score
    ([("fine",)], 100 - 6, "blue"),  # AH-D03 −6 → 94
    ([("production_suspension",)], 100 - 20, "blue"),  # AH-D07 −20 → 80, the lowest 良好
    ([("daily_penalty",), ("fine",)], 100 - 15 - 6, "yellow"),  # AH-D04, AH-D03 → 79
    ([("closure_order",)], 100 - 40, "yellow"),  # AH-D08 −40 → 60, the lowest 警示
    ([("production_suspension",), ("daily_penalty",), ("fine",)], 100 - 20 - 15 - 6, "red"),
], ids=["95-green", "94-blue", "80-blue", "79-yellow", "60-yellow", "59-red"])
def test_anhui_band_edges_from_deductions(events, score, grade):
    r = run("anhui-2019", [ev(f"E{i}", f"2025-0{i + 1}-15", t) for i, (t,) in enumerate(events)])
    assert row(r)["score_cents"] == cents(score)
    assert row(r)["grade"] == grade
    assert_adds_up(r, AH)


def test_six_anhui_fines_deduct_30_not_36_because_ah_d03_is_capped():
    r = run("anhui-2019", [ev(f"F{i}", f"2025-0{i}-10", "fine") for i in range(1, 7)])
    c = contributions(r)["AH-D03"]
    assert c["points_cents"] == cents(-30)  # 6 × −6 = −36, capped at 30
    assert c["evidence"] == "F1;F2;F3;F4;F5;F6"
    assert (row(r)["score_cents"], row(r)["grade"]) == (cents(100 - 30), "yellow")


def test_two_verified_complaints_deduct_2_each_and_three_add_the_ah_t01_threshold_deduction():
    two = run("anhui-2019", [ev("C1", "2025-01-10", "complaint_verified"),
                             ev("C2", "2025-05-10", "complaint_verified")])
    assert row(two)["score_cents"] == cents(100 - 2 * 2)  # AH-D19 only → 96
    assert row(two)["grade"] == "green"
    assert "AH-T01" not in contributions(two)

    three = run("anhui-2019", [ev("C1", "2025-01-10", "complaint_verified"),
                               ev("C2", "2025-05-10", "complaint_verified"),
                               ev("C3", "2025-09-10", "complaint_verified")])
    assert row(three)["score_cents"] == cents(100 - 3 * 2 - 5)  # AH-D19 ×3, AH-T01 once → 89
    assert row(three)["grade"] == "blue"
    c = contributions(three)
    assert (c["AH-T01"]["points_cents"], c["AH-T01"]["evidence"]) == (cents(-5), "C1;C2;C3")
    assert_adds_up(three, AH)


def test_an_ordinary_incident_deducts_10_under_anhui_and_a_larger_one_vetoes_instead():
    general = run("anhui-2019", [ev("I1", "2025-07-01", "incident", severity="general")])
    assert row(general)["score_cents"] == cents(100 - 10)  # AH-D18 −10 → 90
    assert (row(general)["grade"], row(general)["vetoed"]) == ("blue", False)
    larger = run("anhui-2019", [ev("I1", "2025-07-01", "incident", severity="larger")])
    assert row(larger)["score_cents"] == cents(100)  # AH-D18 reads ordinary incidents only
    assert (row(larger)["grade"], row(larger)["rules_applied"]) == ("red", "AH-V08")


def test_anhui_is_clamped_at_0():
    r = run("anhui-2019", [
        ev("A1", "2025-01-02", "closure_order"),  # AH-D08 −40 (cap 40)
        ev("A2", "2025-01-03", "production_suspension"),
        ev("A3", "2025-01-04", "production_suspension"),  # AH-D07 2 × −20 = −40 (cap 40)
        ev("A4", "2025-01-05", "daily_penalty"),
        ev("A5", "2025-01-06", "daily_penalty")])  # AH-D04 2 × −15 = −30 (cap 30)
    # 100 - 40 - 40 - 30 = -10, clamped at 0 with a scoring.min row of +10
    assert row(r)["score_cents"] == cents(0)
    assert contributions(r)["scoring.min"]["points_cents"] == cents(10)
    assert_adds_up(r, AH)


# ---- history caps (Hefei) ------------------------------------------------------------------

def hist(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"firm_id": FIRM, "period": p, "grade": g} for p, g in pairs]


@pytest.mark.parametrize("history, grade, applied, evidence", [
    (hist(("2024", "red")), "blue", "AH-C01", "history 2024: red"),
    (hist(("2023", "red")), "blue", "AH-C01", "history 2023: red"),
    (hist(("2022", "red"), ("2023", "green"), ("2024", "green")), "green", "", None),
    (hist(("2023", "yellow"), ("2024", "yellow")), "blue", "AH-C02",
     "history 2023: yellow;history 2024: yellow"),
    (hist(("2024", "yellow")), "green", "", None),
    (hist(("2023", "yellow"), ("2024", "blue")), "green", "", None),
    # yellow two years running (2022-2023): not 诚信 within the two years that follow, 2025 too
    (hist(("2022", "yellow"), ("2023", "yellow"), ("2024", "blue")), "blue", "AH-C02",
     "history 2022: yellow;history 2023: yellow"),
], ids=["red-last-year", "red-two-years-ago", "red-three-years-ago", "yellow-both-years",
        "yellow-last-year-only", "yellow-two-years-ago-only", "yellow-2022-2023"])
def test_anhui_history_caps_keep_a_100_point_firm_out_of_green(history, grade, applied, evidence):
    r = run("anhui-2019", [], history=history)
    s = row(r)
    assert s["score_cents"] == cents(100)
    assert (s["grade"], s["rules_applied"], s["vetoed"]) == (grade, applied, False)
    if applied:
        c = contributions(r)[applied]
        assert (c["effect"], c["evidence"], c["kind"]) == ("green→blue", evidence, "cap")
        assert c["reference"] == str(AH.rule(applied).reference)


def test_an_anhui_history_cap_never_improves_a_grade():
    r = run("anhui-2019", [ev("P1", "2025-03-01", "closure_order")], history=hist(("2024", "red")))
    assert row(r)["score_cents"] == cents(100 - 40)  # AH-D08
    assert (row(r)["grade"], row(r)["rules_applied"]) == ("yellow", "")


# ---- which events count ------------------------------------------------------------------

def test_anhui_counts_the_events_dated_in_the_period_only():
    r = run("anhui-2019", [ev("E0", "2024-12-31", "fine"), ev("E1", "2025-01-01", "fine"),
                           ev("E2", "2025-12-31", "fine")])
    assert row(r)["score_cents"] == cents(100 - 2 * 6)  # E1 and E2 (AH-D03); E0 is 2024's
    assert contributions(r)["AH-D03"]["evidence"] == "E1;E2"


# --------------------------------------------------------------------------------------------
# jiangsu-2020
# --------------------------------------------------------------------------------------------

def js_score(events: list[dict], **kw) -> tuple[int, str]:
    r = run("jiangsu-2020", events, **kw)
    return row(r)["score_cents"], row(r)["grade"]


def test_a_clean_jiangsu_firm_keeps_the_initial_9_points_and_is_blue():
    r = run("jiangsu-2020", [], period="2025-06")
    s = row(r)
    assert (s["score_cents"], s["score"], s["grade"], s["grade_label"]) == (
        cents(9), "9", "blue", "蓝色")
    assert contributions(r) == {}


def test_jiangsu_has_no_veto_and_a_criminal_conviction_takes_a_firm_at_9_to_black():
    assert [r.id for r in JS.rules if r.kind in ("veto", "cap", "downgrade")] == []
    r = run("jiangsu-2020", [ev("K1", "2025-03-01", "crime_conviction")], period="2025-06")
    s = row(r)
    assert s["score_cents"] == cents(9 - 12)  # JS-D13 −12 at once; no floor
    assert (s["score"], s["grade"], s["vetoed"]) == ("-3", "black", False)


# Jiangsu's score is at most 12 at any time (满分12分): bonuses cannot bank points above 12,
# so deductions come off the capped 12.
@pytest.mark.parametrize("deduction, score, grade", [
    ("crime_conviction", 12 - 12, "black"),  # the full 12, then JS-D13 −12
    ("fine", 12 - 2, "blue"),  # the full 12, then JS-D03 −2
], ids=["conviction-to-black", "fine-to-blue"])
def test_a_jiangsu_firm_with_every_bonus_holds_12_points_and_deductions_come_off_those_12(
        deduction, score, grade):
    r = run("jiangsu-2020", [ev("L1", "2025-02-01", "leader"),
                             ev("B1", "2025-02-01", "credit_commitment"),
                             ev("K1", "2025-03-01", deduction)], period="2025-06")
    assert row(r)["score_cents"] == cents(score)
    assert row(r)["grade"] == grade


@pytest.mark.parametrize("events, score, grade", [
    ([("leader",), ("warning",)], 9 + 3 - 1, "green"),  # JS-B02 +3, JS-D01 −1 → 11
    ([("credit_commitment",)], 9 + 1, "blue"),  # JS-B01 +1 → 10
    ([("seal_seize",)], 9 - 3, "blue"),  # JS-D05 −3 → 6
    ([("fine",), ("fine",)], 9 - 2 - 2, "yellow"),  # JS-D03 −2 each → 5
    ([("detention",)], 9 - 6, "yellow"),  # JS-D11 −6 → 3
    ([("detention",), ("warning",)], 9 - 6 - 1, "red"),  # JS-D11, JS-D01 → 2
    ([("eia_unapproved_construction",), ("fine",), ("order_to_correct",)], 9 - 5 - 2 - 1, "red"),
    ([("production_suspension",)], 9 - 9, "black"),  # JS-D07 −9 → 0
], ids=["11-green", "10-blue", "6-blue", "5-yellow", "3-yellow", "2-red", "1-red", "0-black"])
def test_jiangsu_band_edges(events, score, grade):
    # events of 2025-03-01 are in force on 2025-06-30 (from 03-16, for 6 or 12 months)
    r = run("jiangsu-2020", [ev(f"E{i}", "2025-03-01", t) for i, (t,) in enumerate(events)],
            period="2025-06")
    assert row(r)["score_cents"] == cents(score)
    assert row(r)["grade"] == grade
    assert_adds_up(r, JS)


def test_the_reported_jiangsu_cases_order_and_fine_changzhou_and_nanjing():
    # sourced worked example: air exceedance, order to correct and fine → −3, 9 → 6, still blue;
    # the exceedance deducts only through its order (JS-D02 −1) and fine (JS-D03 −2)
    assert js_score([ev("X1", "2025-03-01", "exceedance"),
                     ev("O1", "2025-03-01", "order_to_correct"),
                     ev("F1", "2025-03-01", "fine")], period="2025-06") == (
        cents(9 - 1 - 2), "blue")
    # Changzhou: built without an EIA, fined and ordered to stop → 1, red (JS-D16, D03, D02)
    assert js_score([ev("U1", "2025-03-01", "eia_unapproved_construction"),
                     ev("F1", "2025-03-01", "fine"),
                     ev("O1", "2025-03-01", "order_to_correct")], period="2025-06") == (
        cents(9 - 5 - 2 - 1), "red")
    # Nanjing: ordered to stop production for rectification → 0, black (JS-D07)
    assert js_score([ev("S1", "2025-03-01", "production_suspension")], period="2025-06") == (
        cents(9 - 9), "black")


# ---- timing: 15 days' delay, 6 or 12 months' validity --------------------------------------

@pytest.mark.parametrize("as_of, score", [
    ("2025-03-15", 9),  # D+14: not yet
    ("2025-03-16", 9 - 2),  # D+15: the fine counts (JS-D03)
    ("2025-09-16", 9 - 2),  # 2025-03-16 + 6 months: the end day still counts (Art. 202)
    ("2025-09-17", 9),  # the day after: lapsed, the points return
], ids=["D+14", "D+15", "end-day", "lapse-day"])
def test_a_jiangsu_fine_dated_d_counts_from_d_plus_15_for_6_months(as_of, score):
    r = run("jiangsu-2020", [ev("F1", "2025-03-01", "fine")], period="2025", as_of=as_of)
    assert r.eval_date.isoformat() == as_of
    assert row(r)["score_cents"] == cents(score)
    if score != 9:
        assert contributions(r)["JS-D03"]["evidence"] == "F1"
    else:
        assert contributions(r) == {}


def test_a_jiangsu_fine_dated_14_days_before_the_period_end_deducts_from_the_next_month():
    fine = [ev("F1", "2025-03-17", "fine")]
    assert js_score(fine, period="2025-03") == (cents(9), "blue")  # E = 03-31 = D+14
    assert js_score(fine, period="2025-04") == (cents(9 - 2), "blue")  # E = 04-30 ≥ D+15


def test_a_jiangsu_validity_ending_in_a_short_month_ends_on_its_last_day_included():
    # 2025-08-16 + 15 days = 2025-08-31; + 6 months = 2026-02-31, i.e. 2026-02-28 (case 12)
    fine = [ev("F1", "2025-08-16", "fine")]
    assert js_score(fine, period="2026", as_of="2026-02-28") == (cents(9 - 2), "blue")
    assert js_score(fine, period="2026", as_of="2026-03-01") == (cents(9), "blue")


@pytest.mark.parametrize("as_of, score, grade", [
    ("2025-05-25", 9 - 9, "black"),  # 11 months after it took effect (2024-06-25)
    ("2025-06-25", 9 - 9, "black"),  # 2024-06-25 + 12 months: the end day still counts
    ("2025-06-26", 9, "blue"),  # the day after: lapsed
], ids=["11-months", "end-day-of-12-months", "after-12-months"])
def test_a_jiangsu_production_suspension_of_the_previous_year_counts_for_12_months(
        as_of, score, grade):
    r = run("jiangsu-2020", [ev("S1", "2024-06-10", "production_suspension")], period="2025",
            as_of=as_of)
    assert (row(r)["score_cents"], row(r)["grade"]) == (cents(score), grade)


def test_a_jiangsu_fine_of_december_still_counts_in_the_next_year_while_valid():
    # dynamic mode: 2024-12-20 + 15 = 2025-01-04, valid until 2025-07-04
    fine = [ev("F1", "2024-12-20", "fine")]
    assert js_score(fine, period="2024") == (cents(9), "blue")  # E = 2024-12-31 < 2025-01-04
    assert js_score(fine, period="2025-01") == (cents(9 - 2), "blue")
    assert js_score(fine, period="2025-07") == (cents(9), "blue")  # lapsed after 2025-07-04


def test_an_anhui_fine_of_december_does_not_count_in_the_next_year():
    # the annual contrast: only events dated in 2025 count for 2025
    r = run("anhui-2019", [ev("F1", "2024-12-20", "fine")])
    assert row(r)["score_cents"] == cents(100)


# ---- bonuses and the 12-point maximum ---------------------------------------------------------

def test_a_jiangsu_credit_commitment_adds_1_from_the_day_it_is_signed_for_12_months():
    c = [ev("B1", "2025-03-01", "credit_commitment")]
    assert js_score(c, period="2025", as_of="2025-02-28") == (cents(9), "blue")
    assert js_score(c, period="2025", as_of="2025-03-01") == (cents(9 + 1), "blue")  # JS-B01
    assert js_score(c, period="2026", as_of="2026-03-01") == (cents(9 + 1), "blue")  # end day
    assert js_score(c, period="2026", as_of="2026-03-02") == (cents(9), "blue")  # lapsed


def test_two_jiangsu_credit_commitments_add_only_1():
    r = run("jiangsu-2020", [ev("B1", "2025-03-01", "credit_commitment"),
                             ev("B2", "2025-04-01", "credit_commitment")], period="2025-06")
    c = contributions(r)["JS-B01"]
    assert (c["points_cents"], c["evidence"]) == (cents(1), "B1;B2")  # 2 × +1, cap 1
    assert row(r)["score_cents"] == cents(9 + 1)


def test_a_jiangsu_leader_with_a_credit_commitment_is_held_at_the_maximum_of_12():
    r = run("jiangsu-2020", [ev("L1", "2025-03-01", "leader"),
                             ev("B1", "2025-03-01", "credit_commitment")], period="2025-06")
    s = row(r)
    assert s["score_cents"] == cents(12)  # 9 + 3 (JS-B02) + 1 (JS-B01) = 13, at most 12
    assert (s["score"], s["grade"]) == ("12", "green")
    c = contributions(r)
    assert (c["JS-B02"]["points_cents"], c["JS-B01"]["points_cents"]) == (cents(3), cents(1))
    assert c["scoring.max"]["points_cents"] == cents(12 - 13)
    assert c["scoring.max"]["evidence"] == "score limited to 12"
    assert_adds_up(r, JS)  # 9 + 3 + 1 - 1 = 12


def test_five_jiangsu_verified_complaints_deduct_3_not_5():
    r = run("jiangsu-2020", [ev(f"C{i}", f"2025-0{i}-01", "complaint_verified")
                             for i in range(1, 6)], period="2025-07")
    assert contributions(r)["JS-D31"]["points_cents"] == cents(-3)  # 5 × −1, cap 3
    assert (row(r)["score_cents"], row(r)["grade"]) == (cents(9 - 3), "blue")


# --------------------------------------------------------------------------------------------
# every ruleset: revocations, records as of a date, firms not graded, effective dates
# --------------------------------------------------------------------------------------------

# ruleset, period, measurements, the clean score, the score with one fine dated 2025-03-01
FINE_CASES = [
    pytest.param("guangdong-2015", "2025", True, 100, 100 - 15, id="guangdong-2015"),  # GD-P01
    pytest.param("anhui-2019", "2025", False, 100, 100 - 6, id="anhui-2019"),  # AH-D03
    pytest.param("jiangsu-2020", "2025-06", False, 9, 9 - 2, id="jiangsu-2020"),  # JS-D03
]


@pytest.mark.parametrize("ruleset, period, full, clean, fined", FINE_CASES)
def test_a_revoked_fine_deducts_nothing(ruleset, period, full, clean, fined):
    m = measured() if full else None
    counted = run(ruleset, [ev("F1", "2025-03-01", "fine")], period=period, measurements=m)
    assert row(counted)["score_cents"] == cents(fined)
    revoked = run(ruleset, [ev("F1", "2025-03-01", "fine"),
                            ev("R1", "2025-04-01", "revocation", ref_event_id="F1")],
                  period=period, measurements=m)
    assert row(revoked)["score_cents"] == cents(clean)
    assert not any(c.startswith(("GD-P", "AH-D", "JS-D")) for c in contributions(revoked))


@pytest.mark.parametrize("ruleset, period, full, clean, fined", FINE_CASES)
def test_a_fine_recorded_after_the_as_of_date_is_ignored(ruleset, period, full, clean, fined):
    m = measured() if full else None
    late = [ev("F1", "2025-03-01", "fine", recorded_at="2025-06-30")]
    before = run(ruleset, late, period=period, measurements=m, as_of="2025-06-29")
    assert row(before)["score_cents"] == cents(clean)
    assert before.prepared.excluded_as_of == 1
    # recorded on the as-of date: it was in the records then
    on = run(ruleset, late, period=period, measurements=m, as_of="2025-06-30")
    assert row(on)["score_cents"] == cents(fined)


@pytest.mark.parametrize("ruleset, period, full, clean, fined", FINE_CASES)
def test_a_revocation_recorded_after_the_as_of_date_does_not_yet_cancel_the_fine(
        ruleset, period, full, clean, fined):
    m = measured() if full else None
    events = [ev("F1", "2025-03-01", "fine"),
              ev("R1", "2025-04-01", "revocation", ref_event_id="F1", recorded_at="2025-07-01")]
    assert row(run(ruleset, events, period=period, measurements=m, as_of="2025-06-30")
               )["score_cents"] == cents(fined)
    # as of 2025-07-01 the revocation is on record (for jiangsu's 2025-06, E stays 06-30)
    assert row(run(ruleset, events, period=period, measurements=m, as_of="2025-07-01")
               )["score_cents"] == cents(clean)


def test_an_annual_period_scored_as_of_a_later_date_reads_the_records_as_they_stood():
    late = [ev("F1", "2025-11-03", "fine", recorded_at="2026-01-15")]
    r = run("anhui-2019", late, as_of="2026-01-14")
    assert r.eval_date.isoformat() == "2025-12-31"  # the period's last day, which is earlier
    assert row(r)["score_cents"] == cents(100)
    assert row(run("anhui-2019", late, as_of="2026-01-15"))["score_cents"] == cents(100 - 6)


@pytest.mark.parametrize("ruleset, period", [("guangdong-2015", "2025"), ("anhui-2019", "2025"),
                                             ("jiangsu-2020", "2025")])
def test_closed_and_suspended_firms_and_firms_included_after_the_evaluation_date_are_not_graded(
        ruleset, period):
    firms = [firm(firm_id(1), status="closed"), firm(firm_id(2), status="suspended"),
             firm(firm_id(3), included_since="2026-01-01"),  # the day after E = 2025-12-31
             firm(firm_id(4), included_since="2025-12-31"),  # on E: graded
             firm(firm_id(5), status="operating")]
    events = [ev(f"F{i}", "2025-03-01", "fine", fid=firm_id(i)) for i in range(1, 6)]
    r = run(ruleset, events, firms=firms, period=period)
    assert len(r.scores) == 5  # reported, never dropped
    for i, reason in [(1, "closed"), (2, "suspended"), (3, "not_yet_included")]:
        s = row(r, firm_id(i))
        assert (s["status"], s["not_graded_reason"]) == ("not_graded", reason)
        assert (s["score"], s["grade"], s["vetoed"], s["rules_applied"]) == ("", "", False, "")
        assert contributions(r, firm_id(i)) == {}
    for i in (4, 5):
        assert row(r, firm_id(i))["status"] == "graded"
        assert row(r, firm_id(i))["not_graded_reason"] == ""


def test_a_jiangsu_firm_is_graded_from_the_day_it_is_included():
    firms = [firm(included_since="2025-06-01")]
    before = run("jiangsu-2020", [], firms=firms, period="2025", as_of="2025-05-31")
    assert row(before)["not_graded_reason"] == "not_yet_included"
    on = run("jiangsu-2020", [], firms=firms, period="2025", as_of="2025-06-01")
    assert (row(on)["status"], row(on)["score_cents"]) == ("graded", cents(9))


# ---- effective dates ----------------------------------------------------------------------

@pytest.mark.parametrize("ruleset, valid_from, month_before, day_before", [
    ("guangdong-2015", "2015-01-01", "2014-12", "2014-12-31"),
    ("anhui-2019", "2019-07-01", "2019-06", "2019-06-30"),
    ("jiangsu-2020", "2020-01-01", "2019-12", "2019-12-31"),
])
def test_scoring_the_day_before_a_ruleset_takes_effect_is_an_error_naming_the_date_and_range(
        ruleset, valid_from, month_before, day_before):
    assert RULESETS[ruleset].valid_from.isoformat() == valid_from
    with pytest.raises(ecocredit.PeriodError) as err:
        ecocredit.score(table([firm()], FIRM_COLUMNS), table([], EVENT_COLUMNS), ruleset,
                        period=month_before, today=TODAY)
    msg = str(err.value)
    assert day_before in msg and valid_from in msg and ruleset in msg and month_before in msg
    assert (err.value.ruleset, err.value.period) == (ruleset, month_before)
    assert err.value.reason_code == "period_not_covered"


@pytest.mark.parametrize("ruleset, period, on, after, month_end, clean", [
    ("guangdong-2015", "2015-01", "2015-01-01", "2015-01-02", "2015-01-31", 100),
    ("anhui-2019", "2019-07", "2019-07-01", "2019-07-02", "2019-07-31", 100),
    ("jiangsu-2020", "2020-01", "2020-01-01", "2020-01-02", "2020-01-31", 9),
])
def test_a_ruleset_scores_on_and_after_the_day_it_takes_effect(ruleset, period, on, after,
                                                               month_end, clean):
    m = measured(period=period) if ruleset == "guangdong-2015" else None
    for day in (on, after):
        r = run(ruleset, [], period=period, as_of=day, measurements=m)
        assert r.eval_date.isoformat() == day
        assert row(r)["score_cents"] == cents(clean)
    # and the whole first month, scored on its last day
    assert run(ruleset, [], period=period, measurements=m).eval_date.isoformat() == month_end


def test_an_anhui_fine_in_the_first_month_of_the_2019_revision_deducts_as_usual():
    r = run("anhui-2019", [ev("F1", "2019-07-01", "fine")], period="2019-07")
    assert (row(r)["score_cents"], row(r)["grade"]) == (cents(100 - 6), "blue")  # AH-D03


# ---- explanations ----------------------------------------------------------------------------

@pytest.mark.parametrize("ruleset, rule_id, event_type, measurements", [
    ("anhui-2019", "AH-V04", "concealed_discharge", False),
    ("guangdong-2015", "GD-V07", "hazwaste_illegal", True),
])
def test_the_explanation_of_a_vetoed_firm_names_the_rule_its_citation_and_the_evidence(
        ruleset, rule_id, event_type, measurements):
    rule = RULESETS[ruleset].rule(rule_id)
    events = [ev("VETO-7", "2025-04-04", event_type)]
    r = run(ruleset, events + (TWO_GREEN_ITEMS if measurements else []), period="2025",
            measurements=measured() if measurements else None)
    assert row(r)["vetoed"]
    text = r.explain(FIRM)
    assert rule_id in text
    assert rule.reference.document in text
    assert "VETO-7" in text
    assert "green→red" in text
    last_line = text.rstrip().splitlines()[-1]
    assert last_line == "The reference engine agrees with the vectorized result."


def test_the_worked_example_of_the_ruleset_docs_scores_92_and_is_yellow():
    # docs/rulesets.md §9: 80 + 20 + 4 gained, capped at 100, minus 3 + 3 + 2 → 92 → blue;
    # the cap EX-C01 changes nothing, the ordinary incident takes blue to yellow.
    fid = "91340100MA2N0EXA1W"
    firms = pd.DataFrame({"firm_id": [fid], "name": ["示例企业"], "region_code": ["340102"]})
    rows = [("E1", "2023-12-28", "fine", ""), ("E2", "2024-03-05", "fine", ""),
            ("E3", "2024-06-18", "fine", ""), ("E4", "2024-04-02", "complaint_verified", ""),
            ("E5", "2024-05-20", "complaint_verified", ""),
            ("E6", "2024-09-11", "complaint_verified", ""),
            ("E7", "2024-01-15", "liability_insurance", ""), ("E8", "2024-07-01", "open_day", ""),
            ("E9", "2024-11-20", "incident", "general")]
    events = pd.DataFrame([{"event_id": i, "firm_id": fid, "event_date": d, "event_type": t,
                            "severity": s} for i, d, t, s in rows])
    measurements = pd.DataFrame({"firm_id": fid, "period": ["2023-09", "2024-03", "2024-09"],
                                 "indicator": "discharge_compliance_rate",
                                 "value": ["0.60", "0.97", "0.93"]})
    history = pd.DataFrame({"firm_id": [fid], "period": ["2023"], "grade": ["red"]})
    r = ecocredit.score(firms, events, str(ROOT / "docs" / "examples" / "worked-example.yaml"),
                        period="2024", measurements=measurements, history=history,
                        today="2026-06-30")
    assert len(r.rejects) == 0
    s = r.scores.iloc[0]
    assert s["score_cents"] == cents(100 - 3 - 3 - 2)
    assert (s["grade"], s["rules_applied"], bool(s["vetoed"])) == ("yellow", "EX-G01", False)
    c = r.contributions.set_index("rule_id")
    assert c.loc["scoring.max", "points_cents"] == cents(-(80 + 20 + 4 - 100))
    assert c.loc["EX-G01", "effect"] == "blue→yellow"
