"""Properties that hold for every bundled ruleset (and the test rulesets) on generated inputs.

- the vectorized engine and the reference engine agree exactly on every firm;
- results do not depend on the order of the input rows;
- adding an adverse event never improves a grade;
- a veto event always gives the veto grade (or worse);
- a firm on the black list is never at the top grade;
- adding an adverse event never takes a firm off the black list, nor ends its entry sooner;
- the trace log of measure checks has exactly one line per check.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecocredit
from ecocredit.engine.reference import reference_scores
from ecocredit.ruleset import load_ruleset

from strategies import TODAY, adverse_event, examples, inputs

FIXTURES = Path(__file__).parent / "fixtures"
RULESETS = [rs.id for rs in ecocredit.bundled_rulesets()]
EXTRA = sorted(str(p) for p in (FIXTURES / "rulesets").glob("*.yaml"))
ALL = RULESETS + EXTRA
PERIOD = {"guangdong-2015": "2025", "anhui-2019": "2025", "jiangsu-2020": "2025",
          "chongqing-2017": "2019", "shandong-2020": "2024", "hebei-2024": "2025",
          "jiangxi": "2024", "guizhou-2019": "2025"}
LISTED = [name for name in ALL if load_ruleset(name).lists is not None]

# per ruleset (fifteen of them with the test rulesets): the counts keep the suite within CI's
# time budget; ECOCREDIT_TEST_EXAMPLES scales them (tests/strategies.py)
SETTINGS = settings(max_examples=examples(20), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# the properties that score twice per example
LIGHT = settings(SETTINGS, max_examples=examples(12))


def _load(name: str):
    return load_ruleset(name)


def _run(rs, data, **over):
    d = {**data, **over}
    return ecocredit.score(d["firms"], d["events"], rs, period=d["period"],
                           measurements=d["measurements"], history=d["history"],
                           as_of=d["as_of"], today=TODAY)


def _key(result):
    s = result.scores[["firm_id", "status", "score_cents", "grade", "vetoed", "rules_applied",
                       "list", "list_until"]
                      + (["grade_level"] if "grade_level" in result.scores else [])]
    c = result.contributions[["firm_id", "rule_id", "points_cents", "evidence", "effect"]]
    return (s.sort_values("firm_id").reset_index(drop=True),
            c.sort_values(["firm_id", "rule_id"], kind="stable").reset_index(drop=True))


@pytest.mark.parametrize("name", ALL)
@SETTINGS
@given(data=st.data())
def test_vectorized_engine_equals_reference_engine(name, data):
    rs = _load(name)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    r = _run(rs, d)
    ref_s, ref_c = reference_scores(r.prepared, rs, r.period, r.eval_date)
    vec_s = r.scores[ref_s.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(vec_s, ref_s, check_dtype=False)
    vec_c = r.contributions[ref_c.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(vec_c, ref_c, check_dtype=False)
    # contributions reconcile with the score: base + Σ points = score
    graded = r.scores[r.scores["status"] == "graded"]
    sums = r.contributions.groupby("firm_id")["points_cents"].sum()
    base = ecocredit.points.to_cents(rs.scoring.base)
    for fid, cents in zip(graded["firm_id"], graded["score_cents"]):
        assert base + int(sums.get(fid, 0)) == int(cents)


@pytest.mark.parametrize("name", ALL)
@LIGHT
@given(data=st.data())
def test_results_do_not_depend_on_row_order(name, data):
    rs = _load(name)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shuffled = {k: (v.iloc[rng.permutation(len(v))].reset_index(drop=True)
                    if isinstance(v, pd.DataFrame) else v) for k, v in d.items()}
    a, b = _key(_run(rs, d)), _key(_run(rs, shuffled))
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


@pytest.mark.parametrize("name", ALL)
@LIGHT
@given(data=st.data())
def test_an_adverse_event_never_improves_a_grade(name, data):
    rs = _load(name)
    period = PERIOD.get(rs.id, "2025")
    d = data.draw(inputs(rs, period))
    before = _run(rs, d).scores.set_index("firm_id")
    ev = data.draw(adverse_event(rs, period))
    fid = data.draw(st.sampled_from(list(d["firms"]["firm_id"])))
    row = {"event_id": "NEW-1", "firm_id": fid, "ref_event_id": "",
           "recorded_at": ev["event_date"], **ev}
    if row["event_type"] != "incident":
        row["severity"] = ""
    if row["event_type"] not in ("fine", "daily_penalty"):
        row["amount"] = ""
    events = pd.concat([d["events"], pd.DataFrame([row])], ignore_index=True)
    after = _run(rs, d, events=events).scores.set_index("firm_id")
    graded = before["status"] == "graded"
    assert (after.loc[graded, "grade_rank"] >= before.loc[graded, "grade_rank"]).all()
    assert (after.loc[graded, "score_cents"] <= before.loc[graded, "score_cents"]).all()
    # nor takes a firm off the black list, nor ends its entry sooner
    black = graded & (before["list"] == "black")
    assert (after.loc[black, "list"] == "black").all()
    assert (after.loc[black, "list_until"] >= before.loc[black, "list_until"]).all()


@pytest.mark.parametrize("name", LISTED)
@LIGHT
@given(data=st.data())
def test_a_black_listed_firm_is_never_at_the_top_grade(name, data):
    rs = _load(name)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    s = _run(rs, d).scores
    black = s[(s["status"] == "graded") & (s["list"] == "black")]
    assert (black["grade_rank"] >= rs.black_cap_rank()).all()
    assert (black["grade_rank"] > 0).all()


VETO_CASES = [(rs_id, r.id) for rs_id in RULESETS for r in load_ruleset(rs_id).rules
              if r.kind == "veto" and r.when.events is not None and r.when.history is None]


@pytest.mark.parametrize("name,rule_id", VETO_CASES)
@settings(max_examples=examples(6), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_veto_event_always_gives_the_veto_grade(name, rule_id, data):
    rs = _load(name)
    rule = rs.rule(rule_id)
    period = PERIOD.get(rs.id, "2025")
    d = data.draw(inputs(rs, period))
    d["as_of"] = None
    d["firms"] = d["firms"].assign(status="operating", included_since="")
    fid = d["firms"]["firm_id"].iloc[0]
    m = rule.when.events
    day = ecocredit.parse_period(period).end - dt.timedelta(days=m.effective_after_days)
    rows = []
    for k in range(rule.when.at_least):
        rows.append({"event_id": f"VETO-{k}", "firm_id": fid, "event_date": day.isoformat(),
                     "event_type": m.types[k % len(m.types)],
                     "severity": (m.severity or [""])[0], "medium": (m.medium or [""])[0],
                     "amount": str(m.amount_min) if m.amount_min is not None else "",
                     "ref_event_id": "", "recorded_at": day.isoformat()})
    events = pd.concat([d["events"], pd.DataFrame(rows)], ignore_index=True)
    r = _run(rs, d, events=events)
    row = r.scores.set_index("firm_id").loc[fid]
    target = rs.grade_index[rule.grade] if rule.grade else len(rs.grades) - 1
    assert row["grade_rank"] >= target
    assert bool(row["vetoed"])


@pytest.mark.parametrize("name", RULESETS)
@settings(max_examples=examples(4), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_saved_run_replays_identically(name, data):
    import tempfile

    rs = _load(name)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for table in ("firms", "events", "measurements", "history"):
            paths[table] = Path(tmp) / f"{table}.csv"
            d[table].to_csv(paths[table], index=False)
        r = ecocredit.score(paths["firms"], paths["events"], rs, period=d["period"],
                            measurements=paths["measurements"], history=paths["history"],
                            as_of=d["as_of"], today=TODAY, names=paths)
        ecocredit.write_run(r, Path(tmp) / "out", paths)
        report = ecocredit.replay(Path(tmp) / "out")
        assert report.identical, report.text()


@pytest.mark.parametrize("name", [n for n in RULESETS if load_ruleset(n).measures])
@settings(max_examples=examples(5), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_trace_log_has_exactly_one_line_per_check(name, data):
    import tempfile

    from ecocredit.decisions.measures import append_trace, check_measures, read_trace
    from ecocredit.vocab import MEASURE_ACTIONS

    rs = _load(name)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    r = _run(rs, d)
    firms = list(r.scores["firm_id"])
    e = r.eval_date
    dates = [e - dt.timedelta(days=1), e, e + dt.timedelta(days=1), e + dt.timedelta(days=200),
             e + dt.timedelta(days=1200)]
    request = st.fixed_dictionaries({
        "firm_id": st.sampled_from(firms), "action": st.sampled_from(list(MEASURE_ACTIONS)),
        "date": st.sampled_from([x.isoformat() for x in dates]),
        "who": st.sampled_from(["窗口A", "=cmd()", "银行, 信贷部", 'say "hi"\nbye', ""])})
    batches = data.draw(st.lists(st.lists(request, min_size=1, max_size=6), min_size=1,
                                 max_size=4))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "trace.csv"
        for b in batches:
            checks = check_measures(r, pd.DataFrame(b)).checks
            assert append_trace(log, checks) == len(b) == len(checks)
        t = read_trace(log)
    flat = [x for b in batches for x in b]
    assert len(t) == len(flat)
    assert list(t["firm_id"]) == [x["firm_id"] for x in flat]
    assert list(t["action"]) == [x["action"] for x in flat]
    assert list(t["date"]) == [x["date"] for x in flat]
    assert list(t["who"]) == [("'" + x["who"]) if x["who"].startswith("=") else x["who"]
                              for x in flat]
