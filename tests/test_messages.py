"""Messages a user reads, worded as a person would write them (issue 15): no Python list
reprs, no "1 months", and an unknown value answered with the values that are known."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

import ecocredit
from ecocredit.cli import cli
from ecocredit.vocab import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[1]
MY = ROOT / "docs" / "examples" / "my-data"
BLUE, RED = "91360102000000115Q", "913601030000001232"


def _decisions(*applications: tuple[str, str]) -> pd.DataFrame:
    result = ecocredit.score(MY / "firms.csv", MY / "events.csv", "anhui-2019", period="2025",
                             today="2026-06-01")
    apps = pd.DataFrame([{"firm_id": f, "date": d, "rectified": "M003;M005",
                          "commitment": "true", "last_repair": ""} for f, d in applications])
    return ecocredit.decide_repairs(result, apps)


def test_a_late_application_under_anhuis_one_month_window_says_1_month_not_1_months():
    out = _decisions((RED, "2026-03-15"))
    text = " ".join(out["explanation"])
    assert "too_late" in out["reasons"].iloc[0]
    assert "the 1 month for applying" in text and "1 months" not in text


def test_a_firm_with_nothing_to_repair_is_told_in_words_what_the_policy_repairs():
    text = _decisions((BLUE, "2026-01-10"))["explanation"].iloc[0]
    assert "nothing_to_repair" in text
    assert "the policy repairs only grade" in text
    assert "[" not in text and "lists -" not in text


def test_an_unknown_violation_type_is_answered_with_the_known_ones():
    result = CliRunner().invoke(cli, [
        "discretion", "--firms", str(MY / "firms.csv"), "--events", str(MY / "events.csv"),
        "--firm", RED, "--date", "2026-01-10", "--type", "littering"])
    assert result.exit_code == 2
    assert "'littering'" in result.output and "docs/data-format.md" in result.output
    assert all(code in result.output for code in EVENT_TYPES)


def test_a_condition_on_one_month_of_records_is_described_as_within_1_month():
    from ecocredit.supervision import load_policy
    from ecocredit.supervision.conditions import describe
    from ecocredit.supervision.policy import Condition

    cond = Condition.model_validate({"events": [{"types": ["fine"], "within_months": 1}]})
    text = describe(cond, load_policy("jiangxi-2020"))
    assert "within 1 month" in text and "1 months" not in text


def test_a_list_entry_of_one_month_is_explained_as_1_month():
    from ecocredit.days import months_text

    assert (months_text(1), months_text(36)) == ("1 month", "36 months")


def test_an_unknown_discretion_fact_is_answered_in_words_with_the_known_facts():
    from ecocredit.supervision import CASE_FLAGS

    result = CliRunner().invoke(cli, [
        "discretion", "--firms", str(MY / "firms.csv"), "--events", str(MY / "events.csv"),
        "--firm", RED, "--date", "2026-01-10", "--type", "fine", "--fact", "sorry"])
    assert result.exit_code == 2
    assert "'sorry'" in result.output and "[" not in result.output
    assert all(f in result.output for f in CASE_FLAGS)


def test_grades_a_policy_cannot_map_are_named_without_a_python_list():
    import ecocredit
    from ecocredit.errors import InputError

    scores = pd.DataFrame({"firm_id": [BLUE], "grade": ["purple"], "status": ["graded"],
                           "ruleset": ["anhui-2019"]})
    try:
        ecocredit.inspection_frequency("jiangxi-2020", as_of="2025-12-31",
                                       firms=MY / "firms.csv", events=MY / "events.csv",
                                       scores=scores)
    except InputError as exc:
        assert "Grades purple of ruleset 'anhui-2019'" in str(exc) and "[" not in str(exc)
    else:
        raise AssertionError("an unmapped grade must be refused")
