"""Guizhou 2019 (guizhou-2019) and the grade scheme's sub-levels (档次).

Worked examples with the points written as arithmetic (base 90 = the 60 of enterprise
responsibility and the 30 of enforcement and supervision, kept unless deducted; social
responsibility earned, at most 10), the Qiannan rule that a black-listed firm is never 诚信, the
levels computed alike by both engines (hypothesis), and the sample's distribution against the
published 2019 result.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import firm_id

import ecocredit
from ecocredit.engine.levels import grade_levels, level_of, level_table
from ecocredit.engine.reference import reference_scores
from ecocredit.ruleset.models import Band, Level

RS = ecocredit.load_ruleset("guizhou-2019")
FIRM = firm_id(1)
TODAY = dt.date(2030, 1, 1)
FIRM_COLUMNS = ["firm_id", "name", "region_code"]
EVENT_COLUMNS = ["event_id", "firm_id", "event_date", "event_type", "severity"]


def _table(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{c: str(r.get(c, "")) for c in columns} for r in rows],
                        columns=columns, dtype=object)


def run(events: list[tuple[str, ...]] = (), *, history: list[dict] | None = None,
        ruleset=RS) -> dict:
    """Score one firm for 2025 from (event_type[, severity]) tuples; both engines must agree.
    Returns the firm's row of the scores."""
    evs = [{"event_id": f"E{i}", "firm_id": FIRM, "event_date": "2025-05-10",
            "event_type": e[0], "severity": e[1] if len(e) > 1 else ""}
           for i, e in enumerate(events)]
    r = ecocredit.score(
        _table([{"firm_id": FIRM, "name": "黔南示例化工有限公司", "region_code": "522701"}],
               FIRM_COLUMNS), _table(evs, EVENT_COLUMNS), ruleset, period="2025",
        history=None if history is None else _table(history, ["firm_id", "period", "grade", "list"]),
        today=TODAY)
    assert r.rejects.empty, r.rejects.to_dict("records")
    ref, _ = reference_scores(r.prepared, r.ruleset, r.period, r.eval_date)
    pd.testing.assert_frame_equal(r.scores[ref.columns].reset_index(drop=True), ref,
                                  check_dtype=False)
    return r.scores.iloc[0].to_dict()


def grade(row: dict) -> tuple[str, str, str]:
    return row["score"], row["grade"], row["grade_level"]


# ---- worked examples ------------------------------------------------------------------------

def test_a_guizhou_firm_without_any_record_keeps_90_points_and_is_good_in_its_second_level():
    assert grade(run()) == (str(90), "blue", "2")


def test_a_guizhou_firm_with_92_points_is_good_in_its_second_level():
    # 90 + 2 (GZ-R02 liability insurance) = 92: 良好 (88 ≤ 92 < 96), 二档 (90 ≤ 92 < 93)
    assert grade(run([("liability_insurance",)])) == (str(90 + 2), "blue", "2")


def test_a_guizhou_firm_with_95_points_is_good_in_its_first_level():
    # 90 + 2 (insurance) + 3 (cleaner-production audit) = 95: 良好 一档 (93 ≤ 95 < 96)
    assert grade(run([("liability_insurance",), ("cleaner_production_audit",)])) == (
        str(90 + 2 + 3), "blue", "1")


def test_a_guizhou_firm_with_98_points_is_honest_in_its_second_level():
    # 90 + 2 + 3 + 3 = 98: 诚信 (≥ 96), 二档 (97.5 ≤ 98 < 99)
    assert grade(run([("liability_insurance",), ("cleaner_production_audit",),
                      ("open_day",)])) == (str(90 + 2 + 3 + 3), "green", "2")


def test_a_guizhou_firm_earning_every_social_point_is_honest_in_its_first_level():
    # 90 + 2 + min(3 × 3, 8) = 100: the social-responsibility section is worth 10 at most
    row = run([("liability_insurance",), ("cleaner_production_audit",), ("open_day",),
               ("commendation",)])
    assert grade(row) == (str(90 + 2 + 8), "green", "1")


def test_a_guizhou_firm_with_a_fine_and_an_order_to_correct_is_a_warning_firm_in_its_first_level():
    # 90 − 4 (GZ-S02 fine) − 2 (GZ-S01 order to correct) = 84: 警示 (76 ≤ 84 < 88), 一档 (≥ 84)
    assert grade(run([("fine",), ("order_to_correct",)])) == (str(90 - 4 - 2), "yellow", "1")


def test_a_guizhou_firm_below_76_points_is_poor_and_poor_has_no_sub_levels():
    # 90 − 15 (GZ-S04 suspension) = 75 < 76: 不良, which the 2018 method does not split
    assert grade(run([("production_suspension",)])) == (str(90 - 15), "red", "")


def test_a_guizhou_firm_that_built_before_eia_approval_is_poor_whatever_its_points():
    row = run([("eia_unapproved_construction",), ("liability_insurance",)])
    assert (row["score"], row["grade"], row["grade_level"], row["vetoed"]) == (
        str(90 + 2), "red", "", True)
    assert row["list"] == "black"  # GZ-L01: 不良 → black list, 36 months after a veto
    assert row["list_until"] == "2028-12-31"


# ---- Qiannan: a black-listed firm may never be 环保诚信 -----------------------------------------

def test_a_black_listed_guizhou_firm_with_100_points_is_never_honest():
    # 黔南州关于构建现代环境治理体系的实施方案 (二十二): 被纳入环境保护失信黑名单的企业不得评为环保诚信企业
    row = run([("liability_insurance",), ("cleaner_production_audit",), ("open_day",),
               ("commendation",)],
              history=[{"firm_id": FIRM, "period": "2024", "grade": "red", "list": "black"}])
    assert (row["score"], row["grade"], row["list"]) == (str(100), "blue", "black")
    assert "GZ-L99" in row["rules_applied"]
    # its score lies above the band of 良好: the level is clamped to the band's best
    assert row["grade_level"] == "1"


@settings(max_examples=15, deadline=None)
@given(types=st.lists(st.sampled_from(
    ["liability_insurance", "cleaner_production_audit", "open_day", "commendation", "leader",
     "fine", "warning", "exceedance", "disclosure_failure"]), max_size=8))
def test_no_black_listed_guizhou_firm_is_ever_honest(types):
    row = run([(t,) for t in types],
              history=[{"firm_id": FIRM, "period": "2024", "grade": "red", "list": "black"}])
    assert row["grade"] != "green"


# ---- sub-levels: both engines, exact hundredths ------------------------------------------------

def _levels_ruleset(cuts: list[list[Decimal]]):
    """guizhou-2019 with the first three bands' levels replaced by ``cuts`` (each a falling
    list of level minimums inside the band)."""
    bands = []
    for b, mins in zip(RS.scoring.bands, cuts + [[]]):
        levels = [Level(id=str(j + 1), label=f"{j + 1}档", min=m) for j, m in enumerate(mins)]
        if levels:
            levels.append(Level(id=str(len(mins) + 1), label=f"{len(mins) + 1}档"))
        bands.append(Band(grade=b.grade, min=b.min, levels=levels))
    sc = RS.scoring.model_copy(update={"bands": bands})
    return RS.model_copy(update={"scoring": sc})


@st.composite
def _cuts(draw):
    """Random level minimums for 诚信 [96, 100], 良好 [88, 96), 警示 [76, 88), in hundredths."""
    out = []
    for lo, hi in ((9600, 10000), (8800, 9599), (7600, 8799)):
        k = draw(st.integers(0, 4))
        mins = sorted(set(draw(st.lists(st.integers(lo + 1, hi), min_size=k, max_size=k))),
                      reverse=True)
        out.append([Decimal(m) / 100 for m in mins])
    return out


@settings(max_examples=200, deadline=None)
@given(cuts=_cuts(), totals=st.lists(st.integers(-1000, 11000), min_size=1, max_size=30),
       grades=st.data(), graded=st.data())
def test_both_level_computations_agree_to_the_hundredth(cuts, totals, grades, graded):
    rs = _levels_ruleset(cuts)
    table = level_table(rs)
    if table is None:
        return
    n = len(totals)
    g = np.asarray(grades.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)), np.int64)
    ok = np.asarray(graded.draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    vec = grade_levels(table, np.asarray(totals, np.int64), g, ok)
    for i in range(n):
        lv = level_of(table, totals[i], int(g[i])) if ok[i] else None
        assert vec[i] == (lv.id if lv is not None else "")
        if lv is not None:  # the level is the best whose minimum the score reaches
            levels = table.levels[int(g[i])]
            reached = [x for x in levels if x.min is None or totals[i] >= x.min * 100]
            assert lv is (reached[0] if reached else levels[-1])


@settings(max_examples=15, deadline=None)
@given(cuts=_cuts(), types=st.lists(st.sampled_from(
    ["liability_insurance", "cleaner_production_audit", "open_day", "commendation", "fine",
     "warning", "order_to_correct", "exceedance", "disclosure_failure", "seal_seize",
     "crime_referral"]), max_size=8))
def test_the_engines_agree_on_the_level_of_any_record(cuts, types):
    rs = _levels_ruleset(cuts)
    row = run([(t,) for t in types], ruleset=rs)  # run() compares both engines, level included
    band = next(b for b in rs.scoring.bands if b.grade == row["grade"])
    assert (row.get("grade_level", "") != "") == bool(band.levels)


def test_a_ruleset_without_levels_writes_no_grade_level_column():
    r = ecocredit.score(_table([{"firm_id": FIRM, "name": "甲", "region_code": "360102"}],
                               FIRM_COLUMNS), _table([], EVENT_COLUMNS), "anhui-2019",
                        period="2025", today=TODAY)
    assert "grade_level" not in r.scores.columns


# ---- the sample against the published 2019 result --------------------------------------------

#: Guizhou 2019 (http://www.234de.cn/67306.html): 753 evaluated, 57 / 568 / 109 / 19
PUBLISHED = {"green": 57 / 753, "blue": 568 / 753, "yellow": 109 / 753, "red": 19 / 753}
#: tolerance: each grade's share of the graded sample firms within 1.5 percentage points
TOLERANCE = 0.015


def test_the_sample_2025_distribution_resembles_guizhous_published_2019_result():
    s = "sample_data/"
    r = ecocredit.score(s + "firms.csv", s + "events.csv", RS, period="2025",
                        measurements=s + "measurements.csv", history=s + "history.csv",
                        today="2026-01-01")
    graded = r.scores[r.scores["status"] == "graded"]
    share = graded["grade"].value_counts(normalize=True)
    for g, p in PUBLISHED.items():
        assert abs(share.get(g, 0) - p) <= TOLERANCE, (g, share.get(g, 0), p)
    # every level of every split grade is used
    levels = graded[graded["grade"] != "red"].groupby(["grade", "grade_level"]).size()
    assert len(levels) == 9 and (levels > 0).all()


# ---- every output that shows a grade shows the level -------------------------------------------

def test_the_level_is_in_scores_workbook_explain_public_files_register_and_reports(
        tmp_path, ecocredit_cli):
    import io

    import openpyxl

    honest, good = firm_id(11), firm_id(12)
    firms, events = tmp_path / "firms.csv", tmp_path / "events.csv"
    _table([{"firm_id": f, "name": n, "region_code": "522701"}
            for f, n in ((honest, "黔南甲公司"), (good, "黔南乙公司"))], FIRM_COLUMNS).to_csv(
        firms, index=False)
    _table([{"event_id": f"E{i}", "firm_id": honest, "event_date": "2025-03-01",
             "event_type": t} for i, t in enumerate(
                 ["liability_insurance", "cleaner_production_audit", "open_day"])],
           EVENT_COLUMNS).to_csv(events, index=False)
    out, reg = tmp_path / "run", tmp_path / "register.db"
    p = ecocredit_cli("score", "--ruleset", "guizhou-2019", "--period", "2025", "--firms", firms,
                      "--events", events, "--today", "2026-01-01", "--out", out, "--xlsx")
    assert p.returncode == 0, p.stderr
    assert "Sub-levels (档次): green 一档 0, 二档 1, 三档 0; blue 一档 0, 二档 1" in p.stdout
    scores = pd.read_csv(out / "scores.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")
    assert list(scores.columns[7:11]) == ["grade", "grade_label", "grade_level", "vetoed"]
    assert list(zip(scores["grade"], scores["grade_level"])) == [("green", "2"), ("blue", "2")]
    ws = openpyxl.load_workbook(out / "scores.xlsx")["评价结果"]
    assert [c.value for c in ws[1]][7:10] == ["信用等级", "等级名称", "档次"]
    p = ecocredit_cli("explain", out, honest)
    assert "Result: score 98, grade green 环保诚信企业, level 2 二档" in p.stdout
    assert "The saved scores.csv agrees: grade green, level 2, score 98." in p.stdout
    p = ecocredit_cli("publish", out, "--register", reg, "--stage", "draft", "--published-on",
                      "2026-02-01", "--days", "10")
    assert p.returncode == 0, p.stderr
    pub = pd.read_csv(io.BytesIO((out / "publication" / "public.csv").read_bytes()), dtype=str,
                      keep_default_na=False, encoding="utf-8-sig")
    assert list(pub.columns[5:7]) == ["评价等级", "档次"]
    assert list(pub["档次"]) == ["二档", "二档"]
    assert "<h2>档次 (sub-levels)</h2>" in (out / "publication" / "report.html").read_text("utf-8")
    p = ecocredit_cli("register", "show", "--register", reg, "--firm", honest, "--on",
                      "2026-02-05", "--csv")
    assert "grade_label,sub_level" in p.stdout
    p = ecocredit_cli("report", out)
    assert p.returncode == 0, p.stderr
    assert "Sub-levels (档次)" in (out / "report.html").read_text("utf-8")
