"""Inspection policy and per-firm frequency: worked cases from the Jiangxi measures.

Every case is one firm (or a few) of county 360102 with records as of 2024-12-31; the expected
visits a year are written as the arithmetic of the policy's rates (policies/jiangxi-2020.yaml).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ecocredit.errors import InputError, PeriodError
from ecocredit.supervision import (
    CATEGORIES,
    FREQUENCY_COLUMNS,
    PolicyError,
    bundled_policies,
    inspection_frequency,
    lint_policy,
    load_policy,
)

from conftest import ROOT, frame, make_firm_id

POLICY = ROOT / "policies" / "jiangxi-2020.yaml"
AS_OF = "2024-12-31"
EVENT_COLUMNS = ["event_id", "firm_id", "event_date", "event_type", "severity", "ref_event_id"]


def firm(i: int, cls: str = "A", **kw: str) -> dict[str, str]:
    row = {"firm_id": make_firm_id(i), "name": f"企业{i}", "region_code": "360102",
           "supervision_class": cls}
    row.update(kw)
    return row


def ev(eid: str, i: int, date: str, etype: str, **kw: str) -> dict[str, str]:
    return {"event_id": eid, "firm_id": make_firm_id(i), "event_date": date,
            "event_type": etype, **kw}


def grades(ruleset: str, **by_firm: str) -> pd.DataFrame:
    """Scores of ``ruleset``: firm number → grade (``"red/black"`` adds a list)."""
    rows = []
    for k, g in by_firm.items():
        grade, _, lst = g.partition("/")
        rows.append({"firm_id": make_firm_id(int(k[1:])), "grade": grade, "list": lst,
                     "ruleset": ruleset, "period": "2024", "status": "graded"})
    return pd.DataFrame(rows)


def frequency(firms: list[dict], events: list[dict] = (), scores: pd.DataFrame | None = None,
              as_of: str = AS_OF) -> dict[str, dict]:
    fr = inspection_frequency("jiangxi-2020", as_of=as_of, firms=frame(firms),
                              events=frame(list(events), EVENT_COLUMNS), scores=scores)
    return {r["firm_id"]: r for r in fr.frame.to_dict("records")}


def row(result: dict[str, dict], i: int) -> dict:
    return result[make_firm_id(i)]


# --------------------------------------------------------------------------------------
# the policy file
# --------------------------------------------------------------------------------------


def test_the_bundled_jiangxi_policy_loads_and_lints_clean():
    assert lint_policy(POLICY) == []
    pol = load_policy("jiangxi-2020")
    assert [p.id for p in bundled_policies()] == ["jiangxi-2020"]
    assert [c.id for c in pol.categories] == list(CATEGORIES)
    assert len(pol.sha256) == 64


def test_the_policies_are_shipped_inside_the_package_and_read_from_there_once_installed(
        tmp_path, monkeypatch):
    import shutil
    import tomllib

    import ecocredit.ruleset.loader

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = conf["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert wheel["policies"] == "ecocredit/_policies"
    # an installed package holds ecocredit/_policies (a checkout has policies/ at the top)
    pkg = tmp_path / "site-packages" / "ecocredit"
    (pkg / "_policies").mkdir(parents=True)
    shutil.copy(POLICY, pkg / "_policies" / "jiangxi-2020.yaml")
    monkeypatch.setattr(ecocredit.ruleset.loader.resources, "files", lambda name: pkg)
    pol = load_policy("jiangxi-2020")
    assert Path(pol.source) == pkg / "_policies" / "jiangxi-2020.yaml"
    assert pol.sha256 == load_policy(POLICY).sha256
    assert [p.id for p in bundled_policies()] == ["jiangxi-2020"]


def test_every_rule_of_the_policy_cites_a_document_and_the_rates_cite_the_jiangxi_measures():
    pol = load_policy("jiangxi-2020")
    rules = (list(pol.rates) + [c for c in pol.coverage] + list(pol.categories)
             + list(pol.classification.rules) + list(pol.discretion))
    for r in rules:
        assert r.reference.document, r
    for r in pol.rates:
        assert "分类监管办法" in r.reference.document and r.reference.url
    # where the source is silent the rule says what was assumed
    assert pol.category_map["special"].assumption
    assert pol.category_map["assistance"].assumption
    assert all(r.assumption for r in pol.classification.rules)


BROKEN = [
    # (what, replace this, with this, reason code, key path, the line holds this text)
    ("an unknown key", "    share: 0.25\n", "    shares: 0.25\n", "unknown_key",
     "rates[0].shares", "shares: 0.25"),
    ("a share above 100%", "    share: 0.5\n    per: year\n", "    share: 1.5\n    per: year\n",
     "bad_value", "rates[2].share", "share: 1.5"),
    ("a duplicate key", "  - id: JX-RATE-A-CITY\n    class: A\n",
     "  - id: JX-RATE-A-CITY\n    class: A\n    class: B  # again\n", "duplicate_key",
     "rates[1].class", "class: B  # again"),
    ("an unknown event type", "    types: [complaint_verified, media_exposure]",
     "    types: [complaint_verified, media_exposed]", "unknown_event_type",
     "event_groups[3].types[1]", "media_exposed"),
    ("an unknown event group", "{group: complaints, within_months: 12, at_least: 3}",
     "{group: complaint, within_months: 12, at_least: 3}", "unknown_group",
     "categories[2].when[0].events[0].group", "group: complaint,"),
    ("a case condition outside discretion", "      - credit: [poor, bad]\n    draw: none",
     "      - credit: [poor, bad]\n        case: {group: minor}\n    draw: none",
     "case_outside_discretion", "categories[1].unless[2].case", "case: {group: minor}"),
    ("a class without a county rate", "    class: C\n    level: county",
     "    class: C\n    level: city", "missing_rate", "rates", "rates:"),
]


@pytest.mark.parametrize("what,old,new,code,path,line_text", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_policy_is_refused_with_file_line_and_key_path(tmp_path, what, old, new, code,
                                                                path, line_text):
    text = POLICY.read_text(encoding="utf-8")
    assert text.count(old) == 1, what
    bad = tmp_path / "broken.yaml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    problems = lint_policy(bad)
    hit = [p for p in problems if p.code == code]
    assert hit, problems
    p = hit[0]
    want_line = next(n for n, t in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1)
                     if line_text in t)
    assert (p.file, p.path) == (str(bad), path)
    assert p.line == want_line
    with pytest.raises(PolicyError) as exc:
        load_policy(bad)
    assert str(bad) in str(exc.value) and path in str(exc.value)


def test_a_category_without_a_citation_is_refused_as_missing_reference(tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    start = text.index("  - id: increased\n")
    ref = text.index("    reference:\n", start)
    end = text.index("    assumption:", ref)
    bad = tmp_path / "uncited.yaml"
    bad.write_text(text[:ref] + text[end:], encoding="utf-8")
    codes = {(p.code, p.path) for p in lint_policy(bad)}
    assert ("missing_reference", "categories[3].reference") in codes


def test_the_routine_fallback_must_come_last(tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    a = text.index("  - id: reduced\n")
    b = text.index("  - id: routine\n")
    c = text.index("# ---- officers")
    swapped = text[:a] + text[b:c] + text[a:b] + text[c:]
    bad = tmp_path / "order.yaml"
    bad.write_text(swapped, encoding="utf-8")
    assert ("category_order", "categories[5].id") in {(p.code, p.path) for p in lint_policy(bad)}


def test_a_date_before_the_policy_takes_effect_is_an_error_naming_the_validity():
    with pytest.raises(PeriodError, match=r"valid from 2020-03-04 to open-ended.*2019-12-31"):
        frequency([firm(1)], as_of="2019-12-31")


# --------------------------------------------------------------------------------------
# base rates per class
# --------------------------------------------------------------------------------------


def test_a_routine_class_a_unit_gets_the_county_quarter_rate_and_the_city_year_rate():
    r = row(frequency([firm(1, "A")]), 1)
    assert r["category"] == "routine"
    assert r["checks_per_year"] == "1.05"          # 4 × 25% (county, a quarter) + 5% (city)
    assert r["coverage"] == "once a year (JX-COV-A)"
    assert "JX-RATE-A-COUNTY" in r["reasons"] and "JX-RATE-A-CITY" in r["reasons"]


def test_a_routine_class_b_unit_gets_half_a_visit_a_year_plus_the_city_one_percent():
    r = row(frequency([firm(1, "B")]), 1)
    assert r["checks_per_year"] == "0.51"          # 50% (county, a year) + 1% (city)
    assert r["coverage"] == "once in 2 years (JX-COV-B)"


def test_a_routine_class_c_unit_gets_the_county_twenty_percent():
    r = row(frequency([firm(1, "C")]), 1)
    assert r["checks_per_year"] == "0.2"           # 20% (county, a year); no city rate, no aim
    assert r["coverage"] == ""


def test_the_frequency_table_has_the_documented_columns_and_a_reason_per_firm():
    fr = inspection_frequency("jiangxi-2020", as_of=AS_OF, firms=pd.DataFrame([firm(1)]),
                              events=pd.DataFrame(columns=EVENT_COLUMNS))
    assert list(fr.frame.columns[:len(FREQUENCY_COLUMNS)]) == FREQUENCY_COLUMNS
    assert "JX-RATE-A-COUNTY" in fr.explain(make_firm_id(1))
    assert "hz56.cc" in fr.explain(make_firm_id(1))     # the cited source of the rates


# --------------------------------------------------------------------------------------
# adjustments of the 2020 measures
# --------------------------------------------------------------------------------------


def test_good_credit_and_a_clean_record_for_24_months_mean_fewer_checks_but_the_class_floor():
    res = frequency([firm(1, "A"), firm(2, "B"), firm(3, "C")],
                    scores=grades("anhui-2019", f1="green", f2="green", f3="green"))
    assert [row(res, i)["category"] for i in (1, 2, 3)] == ["reduced"] * 3
    # out of the random draws; only the coverage aim is kept
    assert [row(res, i)["checks_per_year"] for i in (1, 2, 3)] == ["1", "0.5", "0"]


def test_an_adverse_record_inside_the_24_month_window_cancels_the_reduction():
    # window: records dated after add_months(2024-12-31, -24) = 2022-12-31
    res = frequency([firm(1, "C"), firm(2, "C")],
                    [ev("E1", 1, "2023-01-01", "warning"), ev("E2", 2, "2022-12-31", "warning")],
                    scores=grades("anhui-2019", f1="green", f2="green"))
    assert row(res, 1)["category"] == "routine"    # one day inside the window
    assert row(res, 2)["category"] == "reduced"    # on the edge: outside


def test_without_grades_a_clean_firm_has_ordinary_credit_and_stays_routine():
    r = row(frequency([firm(1, "C")]), 1)
    assert r["category"] == "routine" and r["credit_level"] == "ordinary"


def test_three_verified_complaints_in_twelve_months_put_a_firm_in_the_special_pool():
    three = [ev(f"C{k}", 1, d, "complaint_verified") for k, d in
             enumerate(("2024-01-05", "2024-06-01", "2024-12-31"))]
    two = [ev(f"D{k}", 2, d, "complaint_verified") for k, d in
           enumerate(("2023-12-31", "2024-06-01", "2024-12-31"))]   # the first is 12 months + 0 days old
    res = frequency([firm(1, "C"), firm(2, "C")], three + two)
    r = row(res, 1)
    assert r["category"] == "special" and r["checks_per_year"] == "4"   # every quarter
    assert r["visit_kind"] == "special"
    assert set(r["evidence"].split("; ")[0].split(";")) == {"C0", "C1", "C2"}
    assert row(res, 2)["category"] == "routine"


def test_frequent_violations_three_penalty_decisions_in_a_year_mean_the_special_pool():
    events = [ev(f"F{k}", 1, d, "fine") for k, d in
              enumerate(("2024-02-01", "2024-05-01", "2024-09-01"))]
    r = row(frequency([firm(1, "B")], events), 1)
    assert r["category"] == "special"
    assert "frequent violations" in r["reasons"]


def test_black_credit_means_key_supervision_and_jiangxi_red_means_increased_checks():
    res = frequency([firm(1, "C"), firm(2, "C"), firm(3, "C")],
                    scores=grades("jiangsu-2020", f1="black", f2="red", f3="blue"))
    assert row(res, 1)["category"] == "special"              # black: key supervision
    assert row(res, 2)["category"] == "increased"            # red: more inspections
    assert row(res, 2)["checks_per_year"] == "2"             # 50% a quarter × 4
    assert "grade red (jiangsu-2020, 2024) → poor" in row(res, 2)["evidence"]
    assert row(res, 3)["category"] == "routine"


def test_a_black_list_entry_is_bad_credit_whatever_the_grade():
    res = frequency([firm(1, "C")], scores=grades("anhui-2019", f1="blue/black"))
    assert row(res, 1)["credit_level"] == "bad" and row(res, 1)["category"] == "special"


def test_a_yellow_card_keeps_a_firm_special_until_a_rectification_removes_it():
    res = frequency([firm(1, "C"), firm(2, "C")],
                    [ev("Y1", 1, "2024-05-06", "yellow_card"),
                     ev("Y2", 2, "2024-05-06", "yellow_card"),
                     ev("R2", 2, "2024-08-01", "rectification_completed", ref_event_id="Y2")])
    assert row(res, 1)["category"] == "special"
    assert row(res, 2)["category"] != "special"


def test_a_willing_firm_lacking_capacity_gets_help_and_guidance_instead_of_enforcement():
    res = frequency([firm(1, "B"), firm(2, "B")],
                    [ev("X1", 1, "2024-04-18", "exceedance"),
                     ev("K1", 1, "2024-05-01", "credit_commitment"),
                     ev("X2", 2, "2024-04-18", "exceedance"),
                     ev("K2", 2, "2024-05-01", "credit_commitment"),
                     ev("M2", 2, "2023-06-01", "monitoring_fraud")])   # malicious: no help
    r = row(res, 1)
    assert r["category"] == "assistance" and r["visit_kind"] == "assistance"
    assert r["checks_per_year"] == "1"                               # 100% a year
    assert set(r["evidence"].split("; ")[0].split(";")) | set(
        r["evidence"].split("; ")[1].split(";")) >= {"X1", "K1"}
    assert row(res, 2)["category"] == "routine"


def test_a_positive_list_firm_is_supervised_off_site_until_a_complaint_arises():
    res = frequency([firm(1, "A", positive_list="true"), firm(2, "A", positive_list="true"),
                     firm(3, "A", positive_list="true")],
                    [ev("C2", 2, "2024-03-01", "complaint_verified"),
                     ev("S3", 3, "2023-03-01", "concealed_discharge")])
    assert row(res, 1)["category"] == "off_site" and row(res, 1)["checks_per_year"] == "0"
    assert row(res, 2)["category"] == "routine"
    assert "off_site does not apply" in row(res, 2)["reasons"]
    assert "C2" in row(res, 2)["evidence"]
    assert row(res, 3)["category"] == "routine"             # a serious violation in 24 months


def test_a_closed_firm_is_kept_in_the_table_and_never_inspected():
    r = row(frequency([firm(1, "A", status="closed")]), 1)
    assert (r["category"], r["checks_per_year"]) == ("excluded", "0")


def test_a_firm_without_a_class_is_classed_by_the_declared_rule_and_says_why():
    res = frequency([firm(1, "", key_discharger="true", permit_type="key", industry_code="C2614"),
                     firm(2, "", key_discharger="true", permit_type="simplified",
                          industry_code="C1512"),
                     firm(3, "", permit_type="registration", industry_code="C1512"),
                     firm(4, "", permit_type="registration")],
                    [ev("I4", 4, "2023-07-08", "incident", severity="larger")])
    assert [(row(res, i)["supervision_class"], row(res, i)["class_source"]) for i in (1, 2, 3, 4)] \
        == [("A", "derived"), ("B", "derived"), ("C", "derived"), ("A", "derived")]
    assert "JX-CLS-A1" in row(res, 1)["reasons"]
    assert "JX-CLS-B1" in row(res, 2)["reasons"]
    assert "by default" in row(res, 3)["reasons"]
    assert "JX-CLS-A2" in row(res, 4)["reasons"]                # a larger incident: high risk
    assert "分类监管办法" in row(res, 3)["reference"]


def test_grades_of_a_ruleset_the_policy_does_not_map_are_refused():
    with pytest.raises(InputError, match="maps no grades of ruleset 'zhejiang-2030'"):
        frequency([firm(1)], scores=grades("zhejiang-2030", f1="A"))
    with pytest.raises(InputError, match=r"Grades purple of ruleset"):
        frequency([firm(1)], scores=grades("anhui-2019", f1="purple"))


def test_records_entered_after_the_as_of_date_do_not_count():
    events = [ev(f"C{k}", 1, "2024-12-20", "complaint_verified", recorded_at=r) for k, r in
              enumerate(("2024-12-20", "2024-12-21", "2025-01-05"))]
    fr = inspection_frequency("jiangxi-2020", as_of="2024-12-31",
                              firms=frame([firm(1, "C")]), events=frame(events))
    assert fr.frame.loc[0, "category"] == "routine"   # two of three known on 2024-12-31
    fr = inspection_frequency("jiangxi-2020", as_of="2025-01-05",
                              firms=frame([firm(1, "C")]), events=frame(events))
    assert fr.frame.loc[0, "category"] == "special"


def test_the_frequency_does_not_depend_on_the_order_of_the_rows():
    firms = [firm(i, "ABC"[i % 3], positive_list="true" if i % 5 == 0 else "false")
             for i in range(1, 16)]
    events = [ev(f"E{i}", i, "2024-0%d-01" % (1 + i % 9), t) for i, t in
              zip(range(1, 16), ["fine", "complaint_verified", "exceedance", "credit_commitment",
                                 "warning"] * 3)]
    sc = grades("anhui-2019", **{f"f{i}": ["green", "blue", "yellow", "red"][i % 4]
                                 for i in range(1, 16)})
    a = frequency(firms, events, sc)
    b = frequency(firms[::-1], events[::-1], sc.iloc[::-1])
    cols = ["category", "checks_per_year", "reasons", "evidence"]
    assert {k: [v[c] for c in cols] for k, v in a.items()} == \
        {k: [v[c] for c in cols] for k, v in b.items()}


def test_the_sample_province_gets_every_category(tmp_path):
    import ecocredit

    s = ecocredit.score(ROOT / "sample_data" / "firms.csv", ROOT / "sample_data" / "events.csv",
                        "anhui-2019", period="2024", today="2026-01-01")
    fr = inspection_frequency("jiangxi-2020", as_of=AS_OF, scores=s)
    counts = fr.frame["category"].value_counts()
    assert set(counts.index) == set(CATEGORIES)
    assert len(fr.frame) == len(s.scores)


# --------------------------------------------------------------------------------------
# the command line
# --------------------------------------------------------------------------------------


def test_inspection_frequency_writes_an_excel_safe_table_and_a_manifest(tmp_path, ecocredit_cli):
    pd.DataFrame([firm(1, "A"), firm(2, "C", positive_list="true")]).to_csv(
        tmp_path / "firms.csv", index=False)
    pd.DataFrame([ev("E1", 1, "2024-05-01", "fine")]).to_csv(tmp_path / "events.csv",
                                                               index=False)
    out = tmp_path / "out"
    r = ecocredit_cli("inspection-frequency", "--firms", tmp_path / "firms.csv", "--events",
                      tmp_path / "events.csv", "--as-of", AS_OF, "--out", out)
    assert r.returncode == 0, r.stderr
    raw = (out / "frequency.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out / "frequency.csv", dtype=str, keep_default_na=False,
                     encoding="utf-8-sig")
    assert list(df.columns) == FREQUENCY_COLUMNS
    assert df["checks_per_year"].tolist() == ["1.05", "0"]
    import hashlib
    import json
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["policy"]["id"] == "jiangxi-2020" and m["as_of"] == AS_OF
    assert m["outputs"]["frequency.csv"] == hashlib.sha256(raw).hexdigest()


def test_inspection_frequency_with_an_invalid_policy_exits_2_with_one_line(tmp_path,
                                                                           ecocredit_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY.read_text(encoding="utf-8").replace("    share: 0.25\n",
                                                              "    shares: 0.25\n"),
                   encoding="utf-8")
    pd.DataFrame([firm(1)]).to_csv(tmp_path / "firms.csv", index=False)
    pd.DataFrame(columns=EVENT_COLUMNS).to_csv(tmp_path / "events.csv", index=False)
    r = ecocredit_cli("inspection-frequency", "--policy", bad, "--firms", tmp_path / "firms.csv",
                      "--events", tmp_path / "events.csv", "--as-of", AS_OF, "--out",
                      tmp_path / "out")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "rates[0].shares" in r.stderr
    assert not (tmp_path / "out").exists()
    r = ecocredit_cli("lint-policy", bad)
    assert r.returncode == 1 and re.search(r"bad\.yaml:\d+: rates\[0\]\.shares", r.stdout)
