"""Every registered rule kind is complete and exercised.

- each kind has its model, lint, compiled form, vectorized apply and reference apply, in its own
  module of ``ecocredit.rules``, whose docstring names the rulesets that use it;
- the table of kinds in docs/rulesets.md is the registry's, and names the bundled rulesets that
  really use each kind;
- the generic properties hold for each kind on its own (a ruleset reduced to that kind's
  rules): the vectorized engine equals the reference engine, results do not depend on row
  order, an adverse event never improves a grade, and a veto event always gives the veto grade.
"""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ecocredit
from ecocredit.engine.reference import reference_scores
from ecocredit.points import to_cents
from ecocredit.rules import KINDS
from ecocredit.rules.registry import kind_table
from ecocredit.ruleset import load_ruleset

from strategies import TODAY, adverse_event, inputs

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "rulesets"
BUNDLED = [rs.id for rs in ecocredit.bundled_rulesets()]
CANDIDATES = BUNDLED + sorted(str(p) for p in FIXTURES.glob("*.yaml"))
PERIOD = {"chongqing-2017": "2019", "shandong-2020": "2024", "jiangxi": "2024"}
KIND_NAMES = [k.name for k in KINDS]


def _kinds_of(rs) -> set[str]:
    """The kinds a ruleset uses."""
    names = {r.kind for r in rs.rules}
    if rs.lists is not None:
        names |= {"list", "black_cap"}
    return names


def _isolated(kind: str, keep_veto: bool = False):
    """The first ruleset using ``kind`` (and a veto, if asked), reduced to the rules of that
    kind (and its vetoes); list kinds keep every rule, since lists read the grade."""
    for name in CANDIDATES:
        rs = load_ruleset(name)
        used = _kinds_of(rs)
        if kind in used and (not keep_veto or "veto" in used):
            if kind in ("list", "black_cap"):
                return rs
            rules = [r for r in rs.rules if r.kind == kind or (keep_veto and r.kind == "veto")]
            return rs.model_copy(update={"rules": rules, "lists": None})
    raise LookupError(kind)


def _run(rs, data, **over):
    d = {**data, **over}
    return ecocredit.score(d["firms"], d["events"], rs, period=d["period"],
                           measurements=d["measurements"], history=d["history"],
                           as_of=d["as_of"], today=TODAY)


def _key(result):
    s = result.scores[["firm_id", "status", "score_cents", "grade", "vetoed", "rules_applied",
                       "list", "list_until"]]
    c = result.contributions[["firm_id", "rule_id", "points_cents", "evidence", "effect"]]
    return (s.sort_values("firm_id").reset_index(drop=True),
            c.sort_values(["firm_id", "rule_id"], kind="stable").reset_index(drop=True))


SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# completeness ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_every_kind_has_its_model_lint_and_both_engines_in_its_own_module(kind):
    module = inspect.getmodule(kind.model)
    assert module.__name__.startswith("ecocredit.rules."), module
    for part in ("lint", "compile", "apply", "reference"):
        fn = getattr(kind, part)
        assert callable(fn), f"kind {kind.name} has no {part}"
        assert inspect.getmodule(fn).__name__.startswith("ecocredit.rules."), (kind.name, part)
    assert kind.apply is not kind.reference, f"kind {kind.name} has no separate reference form"
    assert module.__doc__ and "Used by" in module.__doc__, f"{module.__name__} says not who uses it"
    assert kind.summary and kind.used_by


@pytest.mark.parametrize("kind", KINDS, ids=KIND_NAMES)
def test_every_kind_is_used_by_the_bundled_rulesets_its_entry_names(kind):
    users = sorted(n for n in BUNDLED if kind.name in _kinds_of(load_ruleset(n)))
    assert [u.strip() for u in kind.used_by.split(",")] == users


def test_the_docs_table_of_kinds_is_the_registry():
    text = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
    start = text.index("<!-- kinds table: begin -->\n") + len("<!-- kinds table: begin -->\n")
    end = text.index("\n<!-- kinds table: end -->")
    assert text[start:end] == kind_table(), "regenerate the table with kind_table()"


def test_every_kind_is_exercised_by_some_test_ruleset():
    used = set().union(*(_kinds_of(load_ruleset(n)) for n in CANDIDATES))
    assert set(KIND_NAMES) <= used, set(KIND_NAMES) - used


def test_the_schema_offers_exactly_the_registered_rule_kinds():
    schema = ecocredit.ruleset_json_schema()
    mapping = schema["$defs"]["Ruleset"]["properties"]["rules"]["items"]["discriminator"][
        "mapping"] if "Ruleset" in schema.get("$defs", {}) else \
        schema["properties"]["rules"]["items"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(k.name for k in KINDS if k.section == "rules")


# the generic properties, per kind ---------------------------------------------------------


@pytest.mark.parametrize("kind", KIND_NAMES)
@SETTINGS
@given(data=st.data())
def test_each_kind_alone_scores_the_same_in_both_engines(kind, data):
    rs = _isolated(kind)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    r = _run(rs, d)
    ref_s, ref_c = reference_scores(r.prepared, rs, r.period, r.eval_date)
    pd.testing.assert_frame_equal(r.scores[ref_s.columns].reset_index(drop=True), ref_s,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(r.contributions[ref_c.columns].reset_index(drop=True), ref_c,
                                  check_dtype=False)
    graded = r.scores[r.scores["status"] == "graded"]
    sums = r.contributions.groupby("firm_id")["points_cents"].sum()
    base = to_cents(rs.scoring.base)
    for fid, cents in zip(graded["firm_id"], graded["score_cents"]):
        assert base + int(sums.get(fid, 0)) == int(cents)


@pytest.mark.parametrize("kind", KIND_NAMES)
@SETTINGS
@given(data=st.data())
def test_each_kind_alone_does_not_depend_on_row_order(kind, data):
    rs = _isolated(kind)
    d = data.draw(inputs(rs, PERIOD.get(rs.id, "2025")))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    shuffled = {k: (v.iloc[rng.permutation(len(v))].reset_index(drop=True)
                    if isinstance(v, pd.DataFrame) else v) for k, v in d.items()}
    a, b = _key(_run(rs, d)), _key(_run(rs, shuffled))
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


@pytest.mark.parametrize("kind", KIND_NAMES)
@SETTINGS
@given(data=st.data())
def test_under_each_kind_alone_an_adverse_event_never_improves_a_grade(kind, data):
    rs = _isolated(kind)
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
    black = graded & (before["list"] == "black")
    assert (after.loc[black, "list"] == "black").all()


@pytest.mark.parametrize("kind", KIND_NAMES)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_veto_dominates_every_kind(kind, data):
    rs = _isolated(kind, keep_veto=True)
    rule = next(r for r in rs.rules if r.kind == "veto" and r.when.events is not None
                and r.when.history is None)
    period = PERIOD.get(rs.id, "2025")
    d = data.draw(inputs(rs, period))
    d["as_of"] = None
    d["firms"] = d["firms"].assign(status="operating", included_since="")
    fid = d["firms"]["firm_id"].iloc[0]
    m = rule.when.events
    day = ecocredit.parse_period(period).end - dt.timedelta(days=m.effective_after_days)
    rows = [{"event_id": f"VETO-{k}", "firm_id": fid, "event_date": day.isoformat(),
             "event_type": m.types[k % len(m.types)], "severity": (m.severity or [""])[0],
             "medium": (m.medium or [""])[0],
             "amount": str(m.amount_min) if m.amount_min is not None else "",
             "ref_event_id": "", "recorded_at": day.isoformat()}
            for k in range(rule.when.at_least)]
    events = pd.concat([d["events"], pd.DataFrame(rows)], ignore_index=True)
    row = _run(rs, d, events=events).scores.set_index("firm_id").loc[fid]
    target = rs.grade_index[rule.grade] if rule.grade else len(rs.grades) - 1
    assert row["grade_rank"] >= target
    assert bool(row["vetoed"])
