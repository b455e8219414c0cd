"""Penalty-discretion guidance (Jiangxi): worked cases of the aggravating and mitigating factors
a firm's record and credit show for a new violation on 2025-09-15."""

from __future__ import annotations

import pandas as pd
import pytest

from ecocredit.supervision import FACTOR_COLUMNS, discretion_guidance
from ecocredit.errors import InputError

from conftest import make_firm_id

DAY = "2025-09-15"
FID = make_firm_id(1)
EVENTS = ["event_id", "firm_id", "event_date", "event_type"]


def guidance(events: list[tuple[str, str, str]] = (), grade: str | None = None,
             ruleset: str = "jiangsu-2020", positive_list: str = "false", **kw):
    firms = pd.DataFrame([{"firm_id": FID, "name": "甲公司", "region_code": "360102",
                           "supervision_class": "B", "positive_list": positive_list}])
    ev = pd.DataFrame([{"event_id": e, "firm_id": FID, "event_date": d, "event_type": t}
                       for e, d, t in events], columns=EVENTS)
    scores = None if grade is None else pd.DataFrame(
        {"firm_id": [FID], "grade": [grade], "ruleset": [ruleset], "period": ["2024"]})
    return discretion_guidance("jiangxi-2020", FID, DAY, firms=firms, events=ev, scores=scores,
                               **kw)


def status(g) -> dict[str, str]:
    return dict(zip(g.factors["factor_id"], g.factors["status"]))


def test_a_red_graded_firm_is_punished_at_the_upper_limit_of_the_band():
    g = guidance(grade="red", violation_type="exceedance")      # Jiangxi-style red → poor credit
    assert status(g)["JX-DIS-UPPER"] == "applies"
    row = g.factors.set_index("factor_id").loc["JX-DIS-UPPER"]
    assert row["effect"] == "upper_limit" and row["direction"] == "aggravating"
    assert "39.105.20.239" in row["reference"]                 # the Jiangxi credit method
    assert "JX-DIS-UPPER" not in status(guidance(grade="blue", violation_type="exceedance"))


def test_a_second_violation_within_a_year_is_aggravating_and_the_evidence_names_the_first():
    g = guidance([("F1", "2024-09-16", "fine")], violation_type="exceedance")
    assert status(g)["JX-DIS-REPEAT-YEAR"] == "applies"
    assert g.factors.set_index("factor_id").loc["JX-DIS-REPEAT-YEAR", "evidence"] == "F1"
    # 2024-09-15 is twelve months before: outside the window
    assert "JX-DIS-REPEAT-YEAR" not in status(guidance([("F1", "2024-09-15", "fine")],
                                                       violation_type="exceedance"))


def test_violations_in_two_consecutive_years_are_aggravating():
    assert status(guidance([("F1", "2024-01-10", "fine")], violation_type="exceedance"))[
        "JX-DIS-CONSECUTIVE"] == "applies"
    assert "JX-DIS-CONSECUTIVE" not in status(guidance([("F1", "2023-12-31", "fine")],
                                                       violation_type="exceedance"))


def test_a_record_of_the_same_day_as_the_new_violation_is_not_an_earlier_violation():
    g = guidance([("F1", DAY, "fine")], violation_type="exceedance")
    assert "JX-DIS-REPEAT-YEAR" not in status(g)


def test_a_first_violation_with_low_pollution_is_lighter_once_the_officer_says_low_pollution():
    assert status(guidance(violation_type="exceedance"))["JX-DIS-FIRST-LOW"] == "to_establish"
    assert status(guidance(violation_type="exceedance", flags={"low_pollution": True}))[
        "JX-DIS-FIRST-LOW"] == "applies"
    assert "JX-DIS-FIRST-LOW" not in status(guidance(violation_type="exceedance",
                                                     flags={"low_pollution": False}))
    # not a first violation: the factor is ruled out whatever the officer says
    assert "JX-DIS-FIRST-LOW" not in status(guidance([("W1", "2020-05-01", "warning")],
                                                     violation_type="exceedance",
                                                     flags={"low_pollution": True}))


def test_a_minor_violation_may_get_a_reduced_or_no_penalty():
    g = guidance(violation_type="disclosure_failure")
    assert status(g)["JX-DIS-MINOR"] == "applies"
    assert g.factors.set_index("factor_id").loc["JX-DIS-MINOR", "effect"] == "reduced_or_none"
    # an exceedance is not minor by type: the officer must establish it
    assert status(guidance(violation_type="exceedance"))["JX-DIS-MINOR"] == "to_establish"
    assert "JX-DIS-MINOR" not in status(guidance(
        violation_type="exceedance", flags={"non_subjective": False, "minor": False}))


def test_a_malicious_violation_is_punished_severely():
    g = guidance(violation_type="monitoring_fraud")
    assert status(g)["JX-DIS-MALICIOUS"] == "applies"
    assert "JX-DIS-MINOR" in status(g)          # still to establish: the officer decides


def test_a_positive_list_firm_with_a_minor_corrected_harmless_violation_may_go_unpunished():
    g = guidance(positive_list="true", violation_type="exceedance",
                 flags={"minor": True, "promptly_corrected": True, "harmless": True})
    assert status(g)["JX-DIS-POSITIVE-LIST"] == "applies"
    assert "JX-DIS-POSITIVE-LIST" not in status(guidance(
        violation_type="exceedance", flags={"minor": True, "promptly_corrected": True,
                                            "harmless": True}))


def test_the_guidance_lists_aggravating_factors_first_with_citations_and_says_it_is_no_penalty():
    g = guidance([("F1", "2025-03-02", "fine"), ("F2", "2024-06-01", "fine")], grade="red",
                 violation_type="exceedance")
    assert list(g.factors.columns) == FACTOR_COLUMNS
    d = g.factors["direction"].tolist()
    assert d == sorted(d)                       # aggravating < mitigating
    assert g.factors["reference"].str.len().gt(0).all()
    text = g.text()
    assert "not a penalty calculation" in text
    assert text.index("Aggravating") < text.index("Mitigating")


def test_the_type_is_read_from_the_recorded_event_and_unknown_facts_are_refused():
    g = guidance([("X9", DAY, "monitoring_fraud")], case_event_id="X9")
    assert g.violation_type == "monitoring_fraud"
    with pytest.raises(InputError, match="Unknown fact"):
        guidance(violation_type="exceedance", flags={"unlucky": True})
    with pytest.raises(KeyError):
        discretion_guidance("jiangxi-2020", make_firm_id(9), DAY,
                            firms=pd.DataFrame([{"firm_id": FID, "name": "甲",
                                                 "region_code": "360102"}]),
                            events=pd.DataFrame(columns=EVENTS))


def test_the_discretion_command_prints_the_guidance(tmp_path, ecocredit_cli):
    pd.DataFrame([{"firm_id": FID, "name": "甲公司", "region_code": "360102"}]).to_csv(
        tmp_path / "firms.csv", index=False)
    pd.DataFrame([{"event_id": "F1", "firm_id": FID, "event_date": "2025-03-02",
                   "event_type": "fine"}]).to_csv(tmp_path / "events.csv", index=False)
    args = ["discretion", "--firms", tmp_path / "firms.csv", "--events", tmp_path / "events.csv",
            "--date", DAY, "--type", "exceedance", "--fact", "low_pollution"]
    r = ecocredit_cli(*args, "--firm", FID)
    assert r.returncode == 0, r.stderr
    assert "[applies] JX-DIS-REPEAT-YEAR" in r.stdout
    r = ecocredit_cli(*args, "--firm", make_firm_id(7))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
