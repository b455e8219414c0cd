"""Coverage of the contract's adverse event types (issue 12, cases 03 and 05).

Every bundled ruleset either scores each adverse event type of the contract with a rule or lists
it under ``not_scored`` with a reason and a citation; the linter refuses a ruleset that leaves
one out. The cases: a firm whose only record is a revoked permit was green (and on the red list)
under some rulesets; sources treat a revoked permit as one of the heaviest behaviours (12 points
at once in Shandong's 2017 standard, straight to the black list in Handan, Hebei, 2018).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import scored
from ecocredit.ruleset import bundled_rulesets, lint_ruleset, load_ruleset
from ecocredit.ruleset.lint import ADVERSE_EVENT_TYPES, scored_event_types

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted(p.stem for p in (ROOT / "rulesets").glob("*.yaml"))


@pytest.mark.parametrize("rid", BUNDLED)
def test_every_bundled_ruleset_scores_or_explains_every_adverse_event_type(rid: str) -> None:
    rs = load_ruleset(rid)
    scored_types = scored_event_types(rs)
    explained = {t for ns in rs.not_scored for t in ns.types}
    assert set(ADVERSE_EVENT_TYPES) <= scored_types | explained
    assert not scored_types & explained
    for ns in rs.not_scored:
        assert ns.reason.strip() and ns.reference.document.strip()


@pytest.mark.parametrize("rid", BUNDLED)
def test_no_bundled_ruleset_leaves_a_revoked_permit_or_a_closure_unscored(rid: str) -> None:
    assert {"permit_revoked", "closure_order", "detention"} <= scored_event_types(
        load_ruleset(rid))


def _lint_text(tmp_path: Path, text: str) -> list:
    p = tmp_path / "x.yaml"
    p.write_text(text, encoding="utf-8")
    return lint_ruleset(p)


def test_a_ruleset_without_its_not_scored_section_fails_lint_naming_the_missing_types(
        tmp_path: Path) -> None:
    text = (ROOT / "rulesets" / "shandong-2020.yaml").read_text(encoding="utf-8")
    start, end = text.index("not_scored:\n"), text.index("repair:\n")
    problems = _lint_text(tmp_path, text[:start] + text[end:])
    cov = [p for p in problems if p.code == "coverage"]
    assert len(cov) == 1 and "yellow_card, red_card" in cov[0].message


def test_listing_a_scored_type_as_not_scored_is_a_lint_error(tmp_path: Path) -> None:
    text = (ROOT / "rulesets" / "shandong-2020.yaml").read_text(encoding="utf-8")
    text = text.replace("  - types: [yellow_card, red_card]",
                        "  - types: [yellow_card, red_card, permit_revoked]", 1)
    problems = _lint_text(tmp_path, text)
    assert [p.code for p in problems] == ["coverage"]
    assert "permit_revoked" in problems[0].message


def test_an_unknown_type_under_not_scored_is_a_lint_error(tmp_path: Path) -> None:
    text = (ROOT / "rulesets" / "shandong-2020.yaml").read_text(encoding="utf-8")
    text = text.replace("  - types: [yellow_card, red_card]",
                        "  - types: [yellow_card, red_card, blue_card]", 1)
    assert [p.code for p in _lint_text(tmp_path, text)] == ["unknown_event_type"]


# case 03: Shandong's 2017 point standard, under shandong-2020 (period 2021) ------------------
CASE_03 = [  # event, amount, expected score, grade, on the black list
    ("permit_revoked", "", "-12", "black", True),
    ("fine", "5000", "-1", "blue", False),
    ("production_suspension", "", "-12", "black", True),
    ("detention", "", "-12", "black", True),
    ("crime_referral", "", "-12", "black", True),
    ("eia_unapproved_construction", "", "-12", "black", True),
    ("warning", "", "-1", "blue", False),
    ("order_to_correct", "", "-1", "blue", False),
]


@pytest.mark.parametrize("event,amount,score,grade,black", CASE_03,
                         ids=[c[0] for c in CASE_03])
def test_shandong_scores_the_2017_standard_one_behaviour_at_a_time(
        score_rows, fid, event, amount, score, grade, black) -> None:
    f = fid(1)
    res = score_rows([{"firm_id": f, "name": "虚构鲁01实业有限公司", "region_code": "370102"}],
                     [{"event_id": "E1", "firm_id": f, "event_date": "2021-05-10",
                       "event_type": event, "amount": amount}],
                     ruleset="shandong-2020", period="2021")
    row = scored(res)[f]
    assert (str(row["score"]), row["grade"]) == (score, grade)
    assert (row["list"] == "black") is black


def test_a_shandong_fine_of_ten_thousand_yuan_or_more_adds_three_points(score_rows, fid) -> None:
    f = fid(1)
    res = score_rows([{"firm_id": f, "name": "虚构鲁01实业有限公司", "region_code": "370102"}],
                     [{"event_id": "E1", "firm_id": f, "event_date": "2021-05-10",
                       "event_type": "fine", "amount": "10000"}],
                     ruleset="shandong-2020", period="2021")
    assert str(scored(res)[f]["score"]) == "-3"  # SD-P08 -1, SD-P09 -2


# case 05: Handan (Hebei) puts a revoked permit among the heaviest behaviours -----------------
def _one(score_rows, fid, ruleset: str, period: str, event: str = "permit_revoked") -> dict:
    f = fid(1, "130402")
    res = score_rows([{"firm_id": f, "name": "虚构邯01钢铁有限公司", "region_code": "130402"}],
                     [{"event_id": "E1", "firm_id": f, "event_date": f"{period}-06-10",
                       "event_type": event}], ruleset=ruleset, period=period)
    return scored(res)[f]


def test_a_revoked_permit_under_hebei_2024_is_as_heavy_as_an_order_to_stop_production(
        score_rows, fid) -> None:
    revoked = _one(score_rows, fid, "hebei-2024", "2024")
    stopped = _one(score_rows, fid, "hebei-2024", "2024", "production_suspension")
    assert (str(revoked["score"]), revoked["grade"]) == ("70", "B")  # 100 - HB-D08 30
    assert str(revoked["score"]) == str(stopped["score"])


@pytest.mark.parametrize("ruleset,period,grade,lst", [
    ("chongqing-2017", "2019", "red", "black"),   # CQ-V04 → 不良, never the red list
    ("jiangxi", "2024", "red", ""),               # JX-V03 → 较差
    ("shandong-2020", "2024", "black", "black"),  # SD-P10 12 points at once
    ("guizhou-2019", "2025", "red", "black"),     # GZ-V04 → 不良, black list
], ids=["chongqing-2017", "jiangxi", "shandong-2020", "guizhou-2019"])
def test_a_firm_whose_only_record_is_a_revoked_permit_is_never_green_nor_red_listed(
        score_rows, fid, ruleset, period, grade, lst) -> None:
    row = _one(score_rows, fid, ruleset, period)
    assert (row["grade"], row["list"] or "") == (grade, lst)


def test_the_bundled_list_names_every_ruleset_file() -> None:
    assert set(BUNDLED) <= {r.id for r in bundled_rulesets()}
