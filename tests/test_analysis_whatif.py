"""What-if worked examples: five firms, a reform file each time, the transition matrix checked.

Under anhui-2019 (base 100, a fine -6 capped at 30, a warning or order to correct -2 each;
green >= 95, blue >= 80, yellow >= 60) in 2024:

| firm | record                                   | score                    | grade            |
|------|------------------------------------------|--------------------------|------------------|
| F1   | nothing                                  | 100                      | green            |
| F2   | one fine                                 | 100 - 6 = 94             | blue             |
| F3   | six fines, two orders, two warnings      | 100 - 30 - 4 - 4 = 62    | yellow           |
| F4   | construction before EIA approval (veto)  | 100                      | red (AH-V02)     |
| F5   | two fines                                | 100 - 12 = 88            | blue             |
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ecocredit
from conftest import EVENT_COLUMNS, FIRM_COLUMNS, TODAY, frame, make_firm_id

FIXTURES = Path(__file__).parent / "fixtures" / "reforms"
IDS = [make_firm_id(i) for i in range(1, 6)]
F1, F2, F3, F4, F5 = IDS


def _firms() -> pd.DataFrame:
    return frame([{"firm_id": f, "name": f"F{i + 1}", "region_code": "360102",
                   "industry_code": "C2614"} for i, f in enumerate(IDS)], FIRM_COLUMNS)


def _events(year: int) -> pd.DataFrame:
    rows: list[dict] = []

    def add(f: str, kind: str, n: int) -> None:
        for _ in range(n):
            rows.append({"event_id": f"E{len(rows)}", "firm_id": f, "event_type": kind,
                         "event_date": f"{year}-03-01"})

    add(F2, "fine", 1)
    add(F3, "fine", 6)
    add(F3, "order_to_correct", 2)
    add(F3, "warning", 2)
    add(F4, "eia_unapproved_construction", 1)
    add(F5, "fine", 2)
    return frame(rows, EVENT_COLUMNS)


def _reform(tmp_path: Path, body: str, baseline: str = "anhui-2019") -> Path:
    p = tmp_path / "reform.yaml"
    p.write_text(f"format: 1\nreform: test-reform\nbaseline: {baseline}\nchanges:\n{body}",
                 encoding="utf-8")
    return p


def _whatif(reform, baseline="anhui-2019", year=2024, **kw):
    return ecocredit.whatif(_firms(), _events(year), baseline, reform, period=str(year),
                            today=TODAY, policy=None, **kw)


def _pairs(w) -> dict[tuple[str, str], int]:
    return {(a, b): n for a, b, n in w.transitions.itertuples(index=False)}


def test_moving_the_yellow_band_from_60_to_65_turns_a_firm_at_62_red(tmp_path):
    w = _whatif(_reform(tmp_path, "  - set: scoring.bands[yellow].min\n    value: 65\n"))

    assert w.shared_inputs  # one validation of the inputs for both passes
    assert _pairs(w) == {("green", "green"): 1, ("blue", "blue"): 2, ("yellow", "red"): 1,
                         ("red", "red"): 1}
    assert w.matrix().loc["yellow", "red"] == 1
    assert int(w.matrix().to_numpy().sum()) == 5
    ch = w.changes.set_index("firm_id")
    assert list(ch.index) == [F3]
    assert ch.loc[F3, ["grade_baseline", "grade_reform", "score_baseline", "score_reform"]
                  ].tolist() == ["yellow", "red", "62", "62"]
    assert ch.loc[F3, "rules"] == "bands"  # no rule's points changed: the cut-off did
    assert ch.loc[F3, "direction"] == "down"


def test_doubling_the_fine_deduction_moves_a_firm_with_two_fines_from_blue_to_yellow(tmp_path):
    w = _whatif(_reform(tmp_path, "  - set: rules[AH-D03].points\n    value: -12\n"))

    ch = w.changes.set_index("firm_id")
    # F2: 100 - 12 = 88 (blue, unchanged); F5: 100 - 2 * 12 = 76 (yellow); F3: six fines
    # stay capped at 30, so F3 does not change
    assert sorted(ch.index) == sorted([F2, F5])
    assert ch.loc[F5, ["grade_baseline", "grade_reform", "score_baseline", "score_reform"]
                  ].tolist() == ["blue", "yellow", "88", "76"]
    assert ch.loc[F5, "rules"] == "AH-D03 (-12 → -24)"
    assert ch.loc[F2, "rules"] == "AH-D03 (-6 → -12)"
    assert _pairs(w) == {("green", "green"): 1, ("blue", "blue"): 1, ("blue", "yellow"): 1,
                         ("yellow", "yellow"): 1, ("red", "red"): 1}


def test_a_deduction_changed_from_a_date_counts_under_its_baseline_rule(tmp_path):
    # evaluations on or after 2024-07-01 use the new value (2024 is evaluated on 2024-12-31)
    w = _whatif(_reform(tmp_path, "  - set: rules[AH-D03].points\n    value: -12\n"
                                  "    from: 2024-07-01\n"))
    rs = w.reform.ruleset
    assert rs.rule("AH-D03").end.isoformat() == "2024-06-30"
    assert rs.rule("AH-D03.2024-07-01").effective.isoformat() == "2024-07-01"
    assert w.changes.set_index("firm_id").loc[F5, "rules"] == "AH-D03 (-12 → -24)"


def test_dropping_a_veto_grades_the_firm_by_its_points(tmp_path):
    # without a rule, the behaviour must be declared not scored, with a reason (coverage lint)
    w = _whatif(_reform(tmp_path, "  - disable: AH-V02\n"
                                  "  - to: not_scored\n"
                                  "    add:\n"
                                  "      types: [eia_unapproved_construction]\n"
                                  "      reason: the draft drops the veto and scores nothing instead\n"
                                  "      reference: {document: draft reform, article: '1'}\n"))

    ch = w.changes.set_index("firm_id")
    assert list(ch.index) == [F4]
    assert ch.loc[F4, ["grade_baseline", "grade_reform"]].tolist() == ["red", "green"]
    assert ch.loc[F4, "rules"] == "AH-V02 (green→red → none)"
    assert ch.loc[F4, "direction"] == "up"
    assert _pairs(w)[("red", "green")] == 1


def test_a_reform_that_leaves_a_behaviour_unscored_without_saying_why_is_a_lint_error(tmp_path):
    problems = ecocredit.lint_reform(_reform(tmp_path, "  - disable: AH-V02\n"))

    assert [p.code for p in problems] == ["coverage"]
    assert "eia_unapproved_construction" in problems[0].message


def test_chongqing_2017_against_guangdong_2015_on_the_same_firms():
    w = _whatif("guangdong-2015", baseline="chongqing-2017", year=2021)

    # chongqing: F1 100 green, F2 95 blue, F3 72 yellow, F4 veto red, F5 90 blue;
    # guangdong's weighted method: F1 blue, F2, F3 and F5 yellow, F4 veto red
    assert _pairs(w) == {("green", "blue"): 1, ("blue", "yellow"): 2, ("yellow", "yellow"): 1,
                         ("red", "red"): 1}
    m = w.matrix()
    assert list(m.index) == ["green", "blue", "yellow", "red", "not_graded"]
    assert m.loc["blue", "yellow"] == 2
    assert (w.consequences.set_index("consequence").loc["black list", ["baseline", "reform"]]
            .tolist() == ["1", "0"])  # chongqing black-lists the vetoed firm, guangdong keeps none


def test_a_chongqing_reform_that_raises_the_yellow_band_puts_a_firm_newly_on_the_black_list(
        tmp_path):
    w = _whatif(_reform(tmp_path, "  - set: scoring.bands[yellow].min\n    value: 75\n",
                        baseline="chongqing-2017"), baseline="chongqing-2017", year=2021)

    ch = w.changes.set_index("firm_id")
    # F3: 100 - 8 (four warnings or orders) - 20 (fines, capped) = 72 < 75 → red → black list
    assert ch.loc[F3, ["grade_baseline", "grade_reform", "list_baseline", "list_reform"]
                  ].tolist() == ["yellow", "red", "", "black"]
    assert bool(ch.loc[F3, "newly_black"])
    c = w.consequences.set_index("consequence").loc["black list"]
    assert (c["baseline"], c["reform"], c["newly"], c["no_longer"]) == ("1", "2", 1, 0)


def test_a_firm_turning_red_under_jiangsu_pays_the_differential_price_and_is_visited_more():
    firms, events = _firms(), _events(2024)
    w = ecocredit.whatif(firms, events, "anhui-2019", "jiangsu-2020", period="2024",
                         today=TODAY, policy="jiangxi-2020")
    assert not w.shared_inputs  # four grades against five: each validated on its own
    cons = w.consequences.set_index("consequence")
    price = cons.loc["differential price"]
    assert int(price["baseline"]) == 0  # anhui has no price measures
    # Jiangsu's surcharges follow the result on the half-year's last day (time-anchored
    # measures): evaluated on 2024-12-31, the price is the one of the 30 June result
    on_30_june = ecocredit.score(firms, events, "jiangsu-2020", period="2024",
                                 as_of="2024-06-30", today=TODAY)
    red_or_black = on_30_june.scores["grade"].isin(["red", "black"]).sum()
    assert int(price["reform"]) == red_or_black == price["newly"] == 1
    assert "checks_reform" in w.changes.columns


def test_scoring_baseline_and_reform_on_one_validation_gives_what_scoring_each_gives(tmp_path):
    p = _reform(tmp_path, "  - set: scoring.bands[yellow].min\n    value: 65\n")
    w = _whatif(p)
    alone = ecocredit.score(_firms(), _events(2024), ecocredit.load_reform(p).ruleset,
                            period="2024", today=TODAY)
    pd.testing.assert_frame_equal(w.reform.scores.reset_index(drop=True),
                                  alone.scores.reset_index(drop=True))


BROKEN = {
    "unknown_key": ("unknown_key", 6, "changes[0].vlaue"),
    "unknown_rule": ("unknown_rule", 6, "changes[1].disable"),
    "unknown_path": ("unknown_key", 4, "changes[0].set"),
    "band_overlap": ("band_overlap", 7, "scoring.bands[2].min"),
    "bad_value": ("bad_value", 5, "rules[2].cap"),
    "added_rule_unknown_type": ("unknown_event_type", 9, "rules[35].match.types[0]"),
    "missing_citation": ("missing_reference", 4, "rules[35].reference"),
    "from_on_band": ("bad_value", 6, "changes[0].from"),
    "duplicate_key": ("duplicate_key", 3, "baseline"),
    "two_actions": ("bad_value", 4, "changes[0]"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_reform_is_reported_with_file_line_and_key_path(name):
    code, line, path = BROKEN[name]
    file = FIXTURES / f"{name}.yaml"

    problems = ecocredit.lint_reform(file)

    assert [(p.code, p.line, p.path) for p in problems] == [(code, line, path)]
    assert problems[0].file == str(file)  # the reform's line, also for the ruleset it makes
    assert str(problems[0]).startswith(f"{file}:{line}: ")
    with pytest.raises(ecocredit.ReformError):
        ecocredit.load_reform(file)


def test_the_documented_reform_is_valid():
    docs = Path(__file__).parents[1] / "docs" / "reforms"
    for f in sorted(docs.glob("*.yaml")):
        assert ecocredit.lint_reform(f) == [], f
