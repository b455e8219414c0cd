"""The double-random draw: quotas, coverage over quarters and years, selection frequencies,
reproducibility, the officers' rules and the shortfall report."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ecocredit.errors import PeriodError
from ecocredit.supervision import (
    PLAN_COLUMNS,
    PUBLIC_COLUMNS,
    coverage_quota,
    draw,
    draw_quarters,
    inspection_frequency,
    lint_policy,
    load_policy,
    parse_quarter,
    plan_history,
    quarter_quota,
    read_history,
    read_inspectors,
)

from conftest import ROOT, frame, make_firm_id

POL = load_policy("jiangxi-2020")
EVENTS = ["event_id", "firm_id", "event_date", "event_type", "ref_event_id"]
NO_EVENTS = pd.DataFrame(columns=EVENTS)


def county(n_a: int, n_b: int, n_c: int, region: str = "360102", start: int = 0,
           **kw: str) -> list[dict[str, str]]:
    classes = ["A"] * n_a + ["B"] * n_b + ["C"] * n_c
    return [{"firm_id": make_firm_id(start + i, region), "name": f"企业{start + i}",
             "region_code": region, "supervision_class": c, **kw}
            for i, c in enumerate(classes)]


def officers(n: int, unit: str = "360102", prefix: str = "P", **kw: str) -> list[dict[str, str]]:
    return [{"inspector_id": f"{prefix}{i:02d}", "name": f"执法{prefix}{i}", "county_code": unit,
             "conflicts": "", **kw} for i in range(n)]


def q(label: str):
    return parse_quarter(label)


# --------------------------------------------------------------------------------------
# quotas (exact arithmetic)
# --------------------------------------------------------------------------------------


def test_a_quarter_rate_of_25_percent_of_7_a_units_draws_at_least_2_in_every_quarter():
    # a rate "per quarter" is a floor in every quarter, not a yearly total spread over them:
    # ceil(7 × 0.25) = ceil(1.75) = 2 each quarter (2 of 7 = 29% ≥ 25%), 8 in the year
    got = [quarter_quota(POL, Fraction(1, 4), "quarter", 7, q(f"2025Q{k}")) for k in (1, 2, 3, 4)]
    assert got == [2, 2, 2, 2]
    assert all(Fraction(g, 7) >= Fraction(1, 4) for g in got)   # was 1 of 7 = 14% in Q4
    assert sum(got) == 8                                         # 8 checks for 7 units a year


@given(n=st.integers(0, 400), pct=st.integers(1, 100), quarter=st.integers(1, 4))
@settings(max_examples=200, deadline=None)
def test_a_quarter_rate_is_met_in_each_quarter_for_any_pool(n, pct, quarter):
    share = Fraction(pct, 100)
    got = quarter_quota(POL, share, "quarter", n, q(f"2025Q{quarter}"), "pool")
    assert share * n <= got < share * n + 1                     # ceiling: the least that meets it
    assert got == quarter_quota(POL, share, "quarter", n, q("2025Q1"), "pool")  # the same each quarter


def test_seven_class_a_units_of_a_county_get_at_least_a_quarter_checked_in_every_quarter():
    seven = county(7, 0, 0)
    res = draw_quarters(POL, ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], 3, firms=frame(seven),
                        events=NO_EVENTS,
                        inspectors=frame(officers(4) + officers(2, "360100", "S")))
    by_quarter = [_units(r.plan, "county", "A") for r in res]
    # 25% a quarter of 7 routine A units: ceil(1.75) = 2 in each quarter (the coverage quota,
    # ceil(7/4), ceil(5/3), ceil(3/2), ceil(1/1) = 2, 2, 2, 1, never asks for more)
    assert by_quarter == [2, 2, 2, 2]
    assert all(Fraction(k, 7) >= Fraction(1, 4) for k in by_quarter)
    # coverage across the year still holds: every A unit visited in 2025 by the county, drawn
    # without replacement (the eighth county check of the year is a unit's second, in Q4)
    county_checks = pd.concat([r.plan[r.plan["level"] == "county"] for r in res])
    assert set(county_checks["firm_id"]) == {f["firm_id"] for f in seven}
    assert county_checks["firm_id"].value_counts().tolist() == [2] + [1] * 6
    assert all(not r.plan["firm_id"].duplicated().any() for r in res)
    assert all(r.plan["status"].eq("staffed").all() for r in res)


def test_a_pool_of_its_own_at_50_percent_a_quarter_draws_its_floor_every_quarter():
    # e.g. the increased pool (50% per quarter): 3 units → ceil(1.5) = 2 in each quarter
    assert [quarter_quota(POL, Fraction(1, 2), "quarter", 3, q(f"2025Q{k}"), "p")
            for k in (1, 2, 3, 4)] == [2, 2, 2, 2]
    # and 100% a quarter (special) is the whole pool every quarter
    assert [quarter_quota(POL, Fraction(1), "quarter", 4, q(f"2025Q{k}"), "p")
            for k in (1, 2, 3, 4)] == [4, 4, 4, 4]


def test_a_yearly_rate_is_a_floor_over_the_year_not_in_every_quarter():
    # 7 C units at 20% a year: ceil(1.4) = 2 units in the year, spread over the quarters by
    # systematic rounding (floor(2q/4 + u) by quarter q): 0 or 1 a quarter, 2 in all
    res = draw_quarters(POL, ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], 3,
                        firms=frame(county(0, 0, 7)), events=NO_EVENTS,
                        inspectors=frame(officers(4)))
    by_quarter = [_units(r.plan, "county", "C") for r in res]
    assert sum(by_quarter) == 2 and set(by_quarter) <= {0, 1}


def test_a_rate_per_month_is_not_in_the_policy_format_and_is_refused_with_its_line(tmp_path):
    # the policy format states rates per quarter or per year only; a monthly rate is not read
    # as something else but refused, at its key path and line
    text = (ROOT / "policies" / "jiangxi-2020.yaml").read_text(encoding="utf-8")
    bad = text.replace("    share: 0.25\n    per: quarter\n", "    share: 0.25\n    per: month\n", 1)
    assert bad != text
    (tmp_path / "monthly.yaml").write_text(bad, encoding="utf-8")
    (p,) = lint_policy(tmp_path / "monthly.yaml")
    assert (p.code, p.path) == ("bad_value", "rates[0].per")
    assert p.line == bad.splitlines().index("    per: month") + 1


@pytest.mark.parametrize("n,share,target", [
    (9, Fraction(1, 2), 5),      # B: ceil(9 × 0.5) = 5 a year
    (12, Fraction(1, 5), 3),     # C: ceil(12 × 0.2) = ceil(2.4) = 3
    (40, Fraction(1, 20), 2),    # A at city level: 40 × 5% = 2
    (101, Fraction(1, 100), 2),  # B at city level: ceil(1.01) = 2
])
def test_a_yearly_rate_draws_its_rounded_up_target_within_the_year(n, share, target):
    for pool in ("360102|B|routine", "360403|C|routine", "x"):
        got = [quarter_quota(POL, share, "year", n, q(f"2025Q{k}"), pool) for k in (1, 2, 3, 4)]
        assert sum(got) == target
        # systematic rounding: each quarter gets floor or ceil of target / 4
        assert all(math.floor(Fraction(target, 4)) <= g <= math.ceil(Fraction(target, 4))
                   for g in got)


def test_cumulative_spreading_front_loads_and_the_rounding_is_what_the_policy_declares():
    cum = POL.model_copy(update={"quota": POL.quota.model_copy(update={"spread": "cumulative"})})
    # T = ceil(12 × 0.2) = 3; by quarter k: ceil(3k/4) = 1, 2, 3, 3
    assert [quarter_quota(cum, Fraction(1, 5), "year", 12, q(f"2025Q{k}")) for k in (1, 2, 3, 4)] \
        == [1, 1, 1, 0]
    half = POL.model_copy(update={"quota": POL.quota.model_copy(update={"rounding": "half_up"})})
    assert quarter_quota(half, Fraction(1, 4), "quarter", 6, q("2025Q1")) == 2   # 1.5 → 2
    assert quarter_quota(half, Fraction(1, 4), "quarter", 5, q("2025Q1")) == 1   # 1.25 → 1
    assert quarter_quota(POL, Fraction(1, 4), "quarter", 5, q("2025Q1")) == 2    # ceil(1.25)


def test_the_coverage_quota_spreads_the_units_not_yet_visited_over_the_quarters_left():
    assert coverage_quota(8, 1) == 8                    # nobody visited, last quarter: all
    assert coverage_quota(0, 3) == 0                    # everybody already visited
    # 8 B units nobody visited, over the 8 quarters of a cycle: ceil(u / k) each quarter
    left, drawn = 8, []
    for k in range(8, 0, -1):
        drawn.append(coverage_quota(left, k))
        left -= drawn[-1]
    assert drawn == [1] * 8 and left == 0
    # 10 left in the last four quarters: ceil(10/4) = 3, ceil(7/3) = 3, ceil(4/2) = 2, 2
    assert [coverage_quota(u, k) for u, k in ((10, 4), (7, 3), (4, 2), (2, 1))] == [3, 3, 2, 2]
    # systematic: floor(u / k + offset); one unit over four quarters falls in quarter j when the
    # offset is in [1 - j/4 ... ): each quarter for a quarter of the offsets, and never missed
    for off, quarter in ((Fraction(7, 8), 1), (Fraction(5, 7), 2), (Fraction(1, 2), 3),
                         (Fraction(0), 4)):
        left, due = 1, []
        for k in (4, 3, 2, 1):
            due.append(coverage_quota(left, k, off))
            left -= due[-1]
        assert due.index(1) + 1 == quarter and sum(due) == 1


# --------------------------------------------------------------------------------------
# a worked county
# --------------------------------------------------------------------------------------


def _units(plan: pd.DataFrame, level: str, cls: str) -> int:
    return int(((plan["level"] == level) & (plan["supervision_class"] == cls)).sum())


def test_a_county_with_8_a_8_b_and_10_c_units_over_the_four_quarters_of_2024():
    firms = frame(county(8, 8, 10))
    offs = frame(officers(6) + officers(3, "360100", "S"))
    res = draw_quarters(POL, ["2024Q1", "2024Q2", "2024Q3", "2024Q4"], 11, firms=firms,
                        events=NO_EVENTS, inspectors=offs)
    plans = [r.plan for r in res]
    # county A: 25% a quarter → ceil(8 × 0.25) = 2 each quarter, 8 in the year
    assert [_units(p, "county", "A") for p in plans] == [2, 2, 2, 2]
    # county B: 50% a year → 4 in the year (2024 is the first year of the 2024-25 cycle)
    assert sum(_units(p, "county", "B") for p in plans) == 4
    # county C: 20% a year → ceil(10 × 0.2) = 2 in the year
    assert sum(_units(p, "county", "C") for p in plans) == 2
    # city: ceil(8 × 5%) = 1 A unit and ceil(8 × 1%) = 1 B unit a year, by the city's officers
    assert sum(_units(p, "city", "A") for p in plans) == 1
    assert sum(_units(p, "city", "B") for p in plans) == 1
    city = pd.concat(plans)
    assert (city.loc[city["level"] == "city", "inspector_ids"].str.count("S") == 2).all()
    assert all(not r.has_shortfall for r in res)


def test_every_a_unit_is_visited_once_in_each_year_and_every_b_unit_in_the_two_year_cycle():
    firms = county(9, 11, 7) + county(5, 6, 4, region="360103", start=100)
    # some firms with reduced, increased or assistance categories
    for f in firms[:3]:
        f["name"] = "good"
    scores = pd.DataFrame({"firm_id": [f["firm_id"] for f in firms],
                           "grade": ["green"] * 3 + ["yellow"] * 2 + ["blue"] * (len(firms) - 5),
                           "ruleset": "anhui-2019"})
    offs = frame(officers(8) + officers(6, "360103", "Q") + officers(3, "360100", "S"))
    quarters = ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    res = draw_quarters(POL, quarters, 2024, firms=frame(firms), events=NO_EVENTS,
                        inspectors=offs, scores=scores)
    assert {r.frequency.frame["category"].value_counts().index[0] for r in res} == {"routine"}
    cats = set(res[0].frequency.frame["category"])
    assert {"reduced", "increased", "routine"} <= cats
    a_units = {f["firm_id"] for f in firms if f["supervision_class"] == "A"}
    b_units = {f["firm_id"] for f in firms if f["supervision_class"] == "B"}
    for year in (res[:4], res[4:]):
        visited = set(pd.concat([r.plan for r in year])["firm_id"])
        assert a_units <= visited
        # without replacement: a routine A unit is drawn again in the year only once every
        # routine A unit of its county has been visited, earlier or in the same quarter (the
        # per-quarter floor can take the last unvisited units and a second visit together; a
        # city check counts as a visit)
        seen: set[str] = set()
        for r in year:
            routine_a = r.frequency.frame.query("supervision_class == 'A' and "
                                                "category == 'routine'")
            now = seen | set(r.plan["firm_id"])
            for x in r.plan.query("level == 'county' and category == 'routine' and "
                                  "supervision_class == 'A'").itertuples():
                pool = set(routine_a.loc[routine_a["region_code"] == x.region_code, "firm_id"])
                assert x.firm_id not in seen or pool <= now
            seen = now
    assert b_units <= set(pd.concat([r.plan for r in res])["firm_id"])
    # no firm twice in a quarter
    assert all(not r.plan["firm_id"].duplicated().any() for r in res)


def test_without_history_a_late_cycle_quarter_catches_up_on_the_coverage_aim():
    # 2025 is the second year of the 2024-25 cycle: with no recorded visit, every B unit is due
    res = draw_quarters(POL, ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], 5,
                        firms=frame(county(0, 10, 0)), events=NO_EVENTS,
                        inspectors=frame(officers(6)))
    visited = pd.concat([r.plan for r in res])
    assert set(visited["firm_id"]) == {f["firm_id"] for f in county(0, 10, 0)}
    assert any(visited["reason"].str.startswith("coverage"))


# --------------------------------------------------------------------------------------
# selection frequencies over many seeds
# --------------------------------------------------------------------------------------


def _binom_interval(n: int, p: float, alpha: float) -> tuple[int, int]:
    """The central interval [lo, hi] of Binomial(n, p) holding at least 1 - alpha."""
    pmf = [math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
                    + k * math.log(p) + (n - k) * math.log1p(-p)) for k in range(n + 1)]
    cdf = np.cumsum(pmf)
    lo = int(np.searchsorted(cdf, alpha / 2))                  # P(X < lo) <= alpha / 2
    hi = int(np.searchsorted(cdf, 1 - alpha / 2))              # P(X > hi) <= alpha / 2
    return lo, hi


def test_selection_frequencies_over_many_seeds_match_the_declared_rates_per_class():
    firms = frame(county(12, 16, 20))
    fr = inspection_frequency(POL, as_of="2023-12-31", firms=firms, events=NO_EVENTS)
    ins = read_inspectors(frame(officers(12) + officers(4, "360100", "S")))
    seeds = 300
    counts: dict[str, int] = {f: 0 for f in firms["firm_id"]}
    city: dict[str, int] = {f: 0 for f in firms["firm_id"]}
    for s in range(seeds):
        plan = draw(POL, "2024Q1", s, inspectors=ins, frequency=fr).plan
        for f in plan.loc[plan["level"] == "county", "firm_id"]:
            counts[f] += 1
        for f in plan.loc[plan["level"] == "city", "firm_id"]:
            city[f] += 1
    # declared per-quarter selection probability of one unit in 2024Q1:
    #   A 25% a quarter: ceil(12 × 0.25) = 3 of 12; B 50% a year: 8 a year → 2 of 16;
    #   C 20% a year: ceil(4) = 4 a year → 1 of 20
    p = {"A": Fraction(3, 12), "B": Fraction(2, 16), "C": Fraction(1, 20)}
    assert p["B"] == Fraction(1, 2) / 4 and p["C"] == Fraction(1, 5) / 4
    cls = dict(zip(firms["firm_id"], firms["supervision_class"]))
    alpha = 0.001 / len(counts)            # Bonferroni over the 48 firms: family-wise 0.1%
    for f, k in counts.items():
        lo, hi = _binom_interval(seeds, float(p[cls[f]]), alpha)
        assert lo <= k <= hi, (f, cls[f], k, lo, hi)
    # and the class totals are exact: the quota every time
    for c, n in (("A", 12), ("B", 16), ("C", 20)):
        assert sum(k for f, k in counts.items() if cls[f] == c) == seeds * p[c] * n
    # city level: A 5% a year → ceil(12 × 5%) = 1 unit in 2024, B 1% → ceil(16 × 1%) = 1, C
    # none; each pool's yearly unit falls in one quarter (systematic rounding), here 2024Q1 for
    # both. The city draws its q among the n - k units the county did not draw, so
    # P = (n - k)/n × q/(n - k) = q/n per unit.
    due = {c: quarter_quota(POL, share, "year", n, q("2024Q1"), f"360100|{c}|city")
           for c, share, n in (("A", Fraction(1, 20), 12), ("B", Fraction(1, 100), 16))}
    assert due == {"A": 1, "B": 1}
    p_city = {"A": Fraction(1, 12), "B": Fraction(1, 16), "C": Fraction(0)}
    for f, k in city.items():
        lo, hi = _binom_interval(seeds, float(p_city[cls[f]]), alpha) if p_city[cls[f]] else (0, 0)
        assert lo <= k <= hi, (f, cls[f], k, lo, hi)
    assert sum(city.values()) == seeds * 2


# --------------------------------------------------------------------------------------
# reproducibility
# --------------------------------------------------------------------------------------


def _small_case():
    firms = county(6, 6, 8) + county(3, 3, 3, region="360103", start=50)
    events = [{"event_id": "E1", "firm_id": firms[0]["firm_id"], "event_date": "2024-06-01",
               "event_type": "fine"}]
    offs = officers(4) + officers(3, "360103", "Q") + officers(2, "360100", "S")
    offs[0]["conflicts"] = firms[1]["firm_id"]
    return frame(firms), frame(events), frame(offs)


def test_the_same_inputs_and_seed_give_the_same_plan_byte_for_byte_whatever_the_row_order():
    firms, events, offs = _small_case()
    a = draw(POL, "2025Q2", 99, firms=firms, events=events, inspectors=offs).files()
    b = draw(POL, "2025Q2", 99, firms=firms, events=events, inspectors=offs).files()
    c = draw(POL, "2025Q2", 99, firms=firms.iloc[::-1], events=events,
             inspectors=offs.iloc[::-1]).files()
    assert a == b == c
    d = draw(POL, "2025Q2", 100, firms=firms, events=events, inspectors=offs).files()
    assert d["plan.csv"] != a["plan.csv"]


def test_the_manifest_publishes_the_seed_the_rng_and_the_input_and_output_hashes(tmp_path,
                                                                                   ecocredit_cli):
    firms, events, offs = _small_case()
    for name, df in (("firms", firms), ("events", events), ("inspectors", offs)):
        df.to_csv(tmp_path / f"{name}.csv", index=False)
    args = ["draw", "--quarter", "2025Q1", "--seed", "20250101", "--inspectors",
            tmp_path / "inspectors.csv", "--firms", tmp_path / "firms.csv", "--events",
            tmp_path / "events.csv"]
    r1 = ecocredit_cli(*args, "--out", tmp_path / "p1")
    r2 = ecocredit_cli(*args, "--out", tmp_path / "p2")
    assert r1.returncode == r2.returncode == 0, r1.stderr
    for name in ("plan.csv", "plan_public.csv", "shortfall.csv", "manifest.json"):
        assert (tmp_path / "p1" / name).read_bytes() == (tmp_path / "p2" / name).read_bytes()
    m = json.loads((tmp_path / "p1" / "manifest.json").read_text(encoding="utf-8"))
    assert m["seed"] == 20250101 and m["quarter"] == "2025Q1" and "PCG64" in m["rng"]
    assert m["policy"]["sha256"] == POL.sha256
    for name in ("firms", "events", "inspectors"):
        assert m["inputs"][name]["sha256"] == hashlib.sha256(
            (tmp_path / f"{name}.csv").read_bytes()).hexdigest()
    plan_bytes = (tmp_path / "p1" / "plan.csv").read_bytes()
    assert m["outputs"]["plan.csv"] == hashlib.sha256(plan_bytes).hexdigest()
    assert plan_bytes.startswith(b"\xef\xbb\xbf")
    public = pd.read_csv(tmp_path / "p1" / "plan_public.csv", encoding="utf-8-sig")
    assert list(public.columns) == PUBLIC_COLUMNS
    assert not {"inspector_ids", "inspector_names"} & set(public.columns)
    plan = pd.read_csv(tmp_path / "p1" / "plan.csv", encoding="utf-8-sig", dtype=str)
    assert list(plan.columns) == PLAN_COLUMNS


# --------------------------------------------------------------------------------------
# officers
# --------------------------------------------------------------------------------------


def test_every_check_gets_two_officers_of_the_firms_unit_and_never_one_with_a_conflict():
    firms = county(8, 8, 8)
    offs = officers(5)
    offs[0]["conflicts"] = ";".join(f["firm_id"] for f in firms)   # P00 may check nobody
    offs[1]["conflicts"] = firms[0]["firm_id"]
    scores = pd.DataFrame({"firm_id": [f["firm_id"] for f in firms], "grade": "red",
                           "ruleset": "anhui-2019"})                # all special: all drawn
    r = draw(POL, "2025Q1", 3, firms=frame(firms), events=NO_EVENTS, inspectors=frame(offs),
             scores=scores)
    assert len(r.plan) == 24 and (r.plan["status"] == "staffed").all()
    pairs = r.plan["inspector_ids"].str.split(";")
    assert (pairs.map(len) == 2).all() and (pairs.map(lambda p: len(set(p))) == 2).all()
    assert not pairs.map(lambda p: "P00" in p).any()
    first = r.plan.loc[r.plan["firm_id"] == firms[0]["firm_id"], "inspector_ids"].iloc[0]
    assert "P01" not in first
    # the load is balanced: 24 checks × 2 officers over the 4 eligible officers = 12 each
    load = r.load.set_index("inspector_id")["checks"]
    assert load["P00"] == 0 and load.drop("P00").max() - load.drop("P00").min() <= 1


def test_a_firm_does_not_get_the_same_pair_of_officers_as_last_time_when_another_is_free():
    firms = county(0, 0, 1)
    scores = pd.DataFrame({"firm_id": [firms[0]["firm_id"]], "grade": "red",
                           "ruleset": "anhui-2019"})
    hist = pd.DataFrame({"firm_id": [firms[0]["firm_id"]], "date": ["2024-11-05"],
                         "inspector_ids": ["P00;P01"], "kind": ["special"]})
    fr = inspection_frequency(POL, as_of="2024-12-31", firms=frame(firms), events=NO_EVENTS,
                              scores=scores)
    three = read_inspectors(frame(officers(3)))
    for seed in range(20):
        r = draw(POL, "2025Q1", seed, inspectors=three, history=hist, frequency=fr)
        assert r.plan["inspector_ids"].iloc[0] != "P00;P01"
    # with only those two officers in the unit the check still happens, and says so
    r = draw(POL, "2025Q1", 0, firms=frame(firms), events=NO_EVENTS,
             inspectors=frame(officers(2)), scores=scores, history=hist)
    assert r.plan["inspector_ids"].iloc[0] == "P00;P01"
    assert "same officers" in r.plan["note"].iloc[0]


def test_too_few_officers_is_reported_per_county_instead_of_drawing_fewer():
    firms = county(8, 0, 0) + county(8, 0, 0, region="360103", start=50) + \
        county(8, 0, 0, region="360104", start=80)
    offs = officers(1) + officers(2, "360103", "Q", max_checks_per_quarter="1") + \
        officers(3, "360104", "R")
    offs[-1]["conflicts"] = ";".join(f["firm_id"] for f in firms[16:])
    offs[-2]["conflicts"] = ";".join(f["firm_id"] for f in firms[16:])
    r = draw(POL, "2025Q1", 1, firms=frame(firms), events=NO_EVENTS, inspectors=frame(offs))
    assert len(r.plan) == 6                               # ceil(8 × 25%) in each county
    sf = r.shortfall.set_index("unit_code")
    assert sf.loc["360102", "unstaffed"] == 2 and "1 officer(s)" in sf.loc["360102", "reason"]
    # two officers with at most 1 check each can staff one two-officer check of the two
    assert (sf.loc["360103", "staffed"], sf.loc["360103", "unstaffed"]) == (1, 1)
    assert "too few officers" in sf.loc["360103", "reason"]
    assert sf.loc["360104", "unstaffed"] == 2 and "conflicts" in sf.loc["360104", "reason"]
    assert (r.plan["status"] == "unstaffed").sum() == sf["unstaffed"].sum() == 5
    assert r.has_shortfall


def test_the_draw_exits_1_on_a_shortfall_and_unstaffed_checks_are_no_history(tmp_path,
                                                                             ecocredit_cli):
    frame(county(4, 0, 0)).to_csv(tmp_path / "firms.csv", index=False)
    NO_EVENTS.to_csv(tmp_path / "events.csv", index=False)
    frame(officers(1)).to_csv(tmp_path / "inspectors.csv", index=False)
    r = ecocredit_cli("draw", "--quarter", "2025Q1", "--seed", "1", "--inspectors",
                      tmp_path / "inspectors.csv", "--firms", tmp_path / "firms.csv",
                      "--events", tmp_path / "events.csv", "--out", tmp_path / "q1")
    assert r.returncode == 1
    assert "Shortfall: 1 unit(s)" in r.stdout and "360102 东湖区" in r.stdout
    sf = pd.read_csv(tmp_path / "q1" / "shortfall.csv", encoding="utf-8-sig", dtype=str)
    assert sf["unit_code"].tolist() == ["360102"] and sf["unstaffed"].tolist() == ["1"]
    h = read_history(tmp_path / "q1" / "plan.csv", [f["firm_id"] for f in county(4, 0, 0)],
                     parse_quarter("2025Q2").start)
    assert (h.rows_read, h.rows_used, h.rows_unstaffed) == (1, 0, 1)


def test_a_bad_quarter_or_seed_exits_2_with_one_line(tmp_path, ecocredit_cli):
    frame(county(1, 0, 0)).to_csv(tmp_path / "firms.csv", index=False)
    NO_EVENTS.to_csv(tmp_path / "events.csv", index=False)
    frame(officers(2)).to_csv(tmp_path / "inspectors.csv", index=False)
    for bad in (["--quarter", "2025Q5", "--seed", "1"], ["--quarter", "2025Q1", "--seed", "-3"]):
        r = ecocredit_cli("draw", *bad, "--inspectors", tmp_path / "inspectors.csv", "--firms",
                          tmp_path / "firms.csv", "--events", tmp_path / "events.csv", "--out",
                          tmp_path / "x")
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "x").exists()
    with pytest.raises(PeriodError, match="valid from 2020-03-04"):
        draw(POL, "2019Q4", 1, firms=frame(county(1, 0, 0)), events=NO_EVENTS,
             inspectors=frame(officers(2)))


def test_bad_inspector_and_history_rows_are_rejected_and_listed():
    offs = officers(3) + [{"inspector_id": "P01", "name": "重复", "county_code": "360102",
                           "conflicts": ""},
                          {"inspector_id": "P09", "name": "错", "county_code": "3601",
                           "conflicts": ""},
                          {"inspector_id": "P10", "name": "多", "county_code": "360102",
                           "conflicts": "", "max_checks_per_quarter": "2.5"}]
    ins = read_inspectors(frame(offs))
    assert ins.table["inspector_id"].tolist() == ["P00", "P01", "P02"]
    assert sorted(ins.rejects["reason_code"]) == ["bad_number", "bad_region_code",
                                                  "duplicate_id"]
    fid = make_firm_id(1)
    hist = pd.DataFrame({"firm_id": [fid, make_firm_id(2), fid, fid, fid],
                         "date": ["2024-03-01", "2024-03-01", "2024-13-01", "2025-04-01",
                                  "2024-05-01"],
                         "inspector_ids": ["P00;P01", "", "", "", ""],
                         "kind": ["random", "random", "random", "random", "visit"]})
    h = read_history(hist, [fid], parse_quarter("2025Q2").start)
    assert (h.rows_read, h.rows_used, h.rows_later) == (5, 1, 1)
    assert sorted(h.rejects["reason_code"]) == ["bad_date", "bad_value", "unknown_firm"]
    assert h.table["inspector_ids"].iloc[0] == ("P00", "P01")


def test_a_history_row_with_two_problems_is_one_rejected_row():
    fid = make_firm_id(1)
    hist = pd.DataFrame({"firm_id": [fid, make_firm_id(2)], "date": ["2024-03-01", "2024-13-01"],
                         "inspector_ids": ["P00", ""], "kind": ["random", "random"]})
    h = read_history(hist, [fid], parse_quarter("2025Q2").start)
    assert len(h.rejects) == 2  # unknown firm and a month the year lacks: two lines, one row
    assert h.rows_rejected == 1
    assert h.rows_read == h.rows_used + h.rows_later + h.rows_unstaffed + h.rows_rejected


def test_the_sample_province_draw_names_its_shortfall_and_stays_within_the_maximum():
    import ecocredit

    s = ecocredit.score(ROOT / "sample_data" / "firms.csv", ROOT / "sample_data" / "events.csv",
                        "anhui-2019", period="2024", today="2026-01-01")
    r = draw(POL, "2025Q1", 20250101, scores=s,
             inspectors=ROOT / "sample_data" / "inspectors.csv")
    assert (r.load["checks"] <= r.load["max_checks"]).all()
    unstaffed = r.plan[r.plan["status"] == "unstaffed"]
    assert set(unstaffed["unit_code"]) == set(r.shortfall["unit_code"])
    assert not r.plan["firm_id"].duplicated().any()
    assert len(plan_history(r.plan)) == int((r.plan["status"] == "staffed").sum())


# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------

REGIONS = ["360102", "360103"]
TYPES = sorted(POL.groups["complaints"] | POL.groups["violations"] | POL.groups["capacity"]
               | POL.groups["remedial"] | POL.groups["serious"])


@st.composite
def cases(draw_):
    n = draw_(st.integers(1, 24))
    firms = []
    for i in range(n):
        firms.append({"firm_id": make_firm_id(i, draw_(st.sampled_from(REGIONS))),
                      "name": f"企业{i}", "region_code": "",
                      "supervision_class": draw_(st.sampled_from(["A", "B", "C", ""])),
                      "positive_list": draw_(st.sampled_from(["true", "false", ""])),
                      "key_discharger": draw_(st.sampled_from(["true", "false", ""]))})
        firms[-1]["region_code"] = firms[-1]["firm_id"][2:8]
    events = []
    for k in range(draw_(st.integers(0, 12))):
        f = draw_(st.sampled_from(firms))
        events.append({"event_id": f"E{k}", "firm_id": f["firm_id"],
                       "event_date": f"2024-{draw_(st.integers(1, 12)):02d}-15",
                       "event_type": draw_(st.sampled_from(TYPES)), "ref_event_id": ""})
    offs = []
    for unit in REGIONS + ["360100"]:
        for j in range(draw_(st.integers(0, 5))):
            conf = draw_(st.lists(st.sampled_from([f["firm_id"] for f in firms]), max_size=3))
            offs.append({"inspector_id": f"{unit}-{j}", "name": "n", "county_code": unit,
                         "conflicts": ";".join(conf),
                         "max_checks_per_quarter": draw_(st.sampled_from(["", "1", "2", "4"]))})
    grades = {f["firm_id"]: draw_(st.sampled_from(["green", "blue", "yellow", "red", ""]))
              for f in firms}
    quarter = draw_(st.sampled_from(["2024Q1", "2024Q3", "2025Q1", "2025Q4"]))
    seed = draw_(st.integers(0, 2**32))
    return firms, events, offs, grades, quarter, seed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_no_firm_twice_no_officer_over_the_maximum_and_no_routine_check_off_site(case):
    firms, events, offs, grades, quarter, seed = case
    inspectors = pd.DataFrame(offs, columns=["inspector_id", "name", "county_code", "conflicts",
                                             "max_checks_per_quarter"])
    scores = pd.DataFrame({"firm_id": list(grades), "grade": list(grades.values()),
                           "ruleset": "anhui-2019", "period": "2023"})
    r = draw(POL, quarter, seed, firms=frame(firms), scores=scores,
             events=pd.DataFrame(events, columns=EVENTS), inspectors=inspectors)
    plan = r.plan
    assert not plan["firm_id"].duplicated().any()
    # every officer within the maximum (the policy's 15 by default), and the load adds up
    assert (r.load["checks"] <= r.load["max_checks"]).all()
    staffed = plan[plan["status"] == "staffed"]
    used = staffed["inspector_ids"].str.split(";").explode().value_counts()
    assert used.reindex(r.load["inspector_id"]).fillna(0).astype(int).tolist() == \
        r.load["checks"].tolist()
    # two distinct officers of the checking unit, none with a conflict with the firm
    table = read_inspectors(inspectors).table.set_index("inspector_id")
    for row in staffed.itertuples():
        ids = row.inspector_ids.split(";")
        assert len(set(ids)) == 2
        assert all(table.loc[i, "county_code"] == row.unit_code for i in ids)
        assert all(row.firm_id not in table.loc[i, "conflicts"] for i in ids)
    # a positive-list firm with no trigger (no record at all, credit neither 警示 nor 不良) is
    # never drawn for an on-site check; nor is any firm the policy put off-site
    cat = r.frequency.frame.set_index("firm_id")["category"]
    assert not plan["firm_id"].map(cat).eq("off_site").any()
    clean_listed = {f["firm_id"] for f in firms if f["positive_list"] == "true"
                    and grades[f["firm_id"]] in ("green", "blue", "")
                    and not any(e["firm_id"] == f["firm_id"] for e in events)}
    assert not clean_listed & set(plan["firm_id"])
    # every unstaffed check is counted in the shortfall of its unit
    assert int(r.shortfall["unstaffed"].sum()) == int((plan["status"] == "unstaffed").sum())


# --------------------------------------------------------------------------------------
# the other readings a policy can declare
# --------------------------------------------------------------------------------------


def _variant(tmp_path, old: str, new: str):
    text = (ROOT / "policies" / "jiangxi-2020.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    p = tmp_path / "variant.yaml"
    p.write_text(text.replace(old, new), encoding="utf-8")
    return load_policy(p)


def test_c_checks_at_five_units_per_officer_a_year_when_the_policy_names_that_reading(tmp_path):
    pol = _variant(tmp_path, "    share: 0.2\n    per: year\n", "    units_per_officer: 5\n")
    firms = frame(county(0, 0, 30))
    offs = frame(officers(2))
    res = draw_quarters(pol, ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], 8, firms=firms,
                        events=NO_EVENTS, inspectors=offs)
    # 2 officers × 5 units = 10 C units a year (of 30)
    assert sum(len(r.plan) for r in res) == 10
    fr = inspection_frequency(pol, as_of="2024-12-31", firms=firms, events=NO_EVENTS,
                              inspectors=offs)
    assert fr.frame["checks_per_year"].iloc[0] == "0.3333"        # 10 / 30, rounded to 4 places
    no_officers = inspection_frequency(pol, as_of="2024-12-31", firms=firms, events=NO_EVENTS)
    assert no_officers.frame["checks_per_year"].iloc[0] == ""
    assert "pass the inspectors" in no_officers.frame["reasons"].iloc[0]


def test_help_and_guidance_beside_enforcement_keeps_the_class_rate_and_flags_each_check(tmp_path):
    pol = _variant(tmp_path, "    draw: {share: 1, per: year, kind: assistance}\n    enforcement: instead",
                   "    draw: class\n    enforcement: beside")
    firms = county(4, 0, 0)
    events = pd.DataFrame([{"event_id": f"{t}{i}", "firm_id": f["firm_id"], "event_date": d,
                            "event_type": t, "ref_event_id": ""}
                           for i, f in enumerate(firms)
                           for t, d in (("exceedance", "2024-04-01"),
                                        ("credit_commitment", "2024-05-01"))])
    r = draw(pol, "2025Q1", 4, firms=frame(firms), events=events, inspectors=frame(officers(3)))
    assert set(r.frequency.frame["category"]) == {"assistance"}
    assert set(r.frequency.frame["checks_per_year"]) == {"1.05"}   # the class A rates
    assert len(r.plan) == 1 and r.plan["guidance"].all() and (r.plan["kind"] == "random").all()


# --------------------------------------------------------------------------------------
# the worked example of docs/inspection.md
# --------------------------------------------------------------------------------------


def test_the_worked_county_of_the_docs_gives_the_published_checks_per_class_and_quarter():
    import ecocredit

    d = ROOT / "docs" / "examples" / "inspection"
    scores = ecocredit.score(d / "firms.csv", d / "events.csv", "anhui-2019", period="2023")
    res = draw_quarters(POL, ["2024Q1", "2024Q2", "2024Q3", "2024Q4"], 20240101,
                        firms=d / "firms.csv", events=d / "events.csv", scores=scores,
                        inspectors=d / "inspectors.csv")
    doc = (ROOT / "docs" / "inspection.md").read_text(encoding="utf-8")
    table = doc.split("<!-- checks-per-class")[1].split("\n\n")[0].splitlines()[3:]
    published = {cells[0]: [int(x) for x in cells[1:]] for cells in
                 ([c.strip() for c in line.strip("|").split("|")] for line in table)}
    got = {f"{lv} {c}": [int(((r.plan["level"] == lv) & (r.plan["supervision_class"] == c)).sum())
                         for r in res] for lv in ("county", "city") for c in "ABC"}
    got = {k: v + [sum(v)] for k, v in got.items() if sum(v)}
    got["total"] = [len(r.plan) for r in res] + [sum(len(r.plan) for r in res)]
    assert got == published
    assert all((r.plan["status"] == "staffed").all() for r in res)
    # every A unit that needs a visit got one in the year; officers within one check of each other
    f = res[0].frequency.frame
    need = set(f.loc[(f["supervision_class"] == "A") & ~f["category"].isin(["excluded",
                                                                            "off_site"]), "firm_id"])
    assert need <= set(pd.concat([r.plan for r in res])["firm_id"]) and len(need) == 38
    for r in res:
        county = r.load[r.load["unit_code"] == "360124"]["checks"]
        assert county.max() - county.min() <= 1
        assert r.load_by_unit().loc["360124", "officers"] == 12


def test_the_sample_inspectors_table_is_regenerated_byte_for_byte(tmp_path):
    from ecocredit.synth.inspectors import main

    assert main(["--firms", str(ROOT / "sample_data" / "firms.csv"),
                 "--out", str(tmp_path / "inspectors.csv")]) == 0
    assert (tmp_path / "inspectors.csv").read_bytes() == \
        (ROOT / "sample_data" / "inspectors.csv").read_bytes()
    ins = read_inspectors(ROOT / "sample_data" / "inspectors.csv")
    assert len(ins.rejects) == 0 and ins.rows_read == len(ins.table) == 463
