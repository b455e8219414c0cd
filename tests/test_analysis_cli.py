"""The analysis commands as a user runs them on the bundled sample data, and their pages opened
in a real headless browser.

The browser is the system's Chromium (Debian's ``chromium`` package; ``ECOCREDIT_CHROMIUM``
names another binary), driven with Playwright for Python through ``executable_path`` (no browser
download). Without a Chromium or Playwright the browser tests skip, saying so; CI
(``.ci/run``) installs both and sets ``ECOCREDIT_REQUIRE_BROWSER=1``, which turns the skip into a
failure.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import ecocredit
from conftest import ROOT, TODAY

S = ROOT / "sample_data"
TABLES = ["--firms", S / "firms.csv", "--events", S / "events.csv", "--measurements",
          S / "measurements.csv", "--history", S / "history.csv", "--today", TODAY]
REFORM = ROOT / "docs" / "reforms" / "anhui-yellow-65.yaml"


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, ecocredit_cli) -> dict[str, Path]:
    """One run of each command on the sample data (2024 graded, 2025 as the outcome)."""
    d = tmp_path_factory.mktemp("analysis")
    run = ecocredit_cli("score", "--ruleset", "anhui-2019", "--period", "2024", *TABLES,
                        "--out", d / "run", "-q")
    assert run.returncode == 0, run.stderr
    rep = ecocredit_cli("report", d / "run")
    whatif = ecocredit_cli("whatif", "--baseline", "anhui-2019", "--reform", REFORM,
                           "--period", "2024", *TABLES, "--out", d / "whatif")
    bt = ecocredit_cli("backtest", "--ruleset", "anhui-2019", "--ruleset", "shandong-2020",
                       "--period", "2024", "--outcome-period", "2025", "--bootstrap", "50",
                       *TABLES, "--out", d / "backtest")
    return {"dir": d, "report": rep, "whatif": whatif, "backtest": bt}


def test_whatif_writes_the_contract_files_and_prints_the_transition_matrix(outputs):
    res = outputs["whatif"]
    assert res.returncode == 0, res.stderr
    assert "Transition matrix" in res.stdout and "anhui-2019 2019.1+anhui-yellow-65" in res.stdout
    d = outputs["dir"] / "whatif"
    ch, tr = _csv(d / "changes.csv"), _csv(d / "transitions.csv")
    assert list(ch.columns[:6]) == ["firm_id", "grade_baseline", "grade_reform",
                                    "score_baseline", "score_reform", "rules"]
    assert list(tr.columns) == ["from_grade", "to_grade", "firms"]
    assert tr["firms"].astype(int).sum() == 3014  # every firm in the matrix
    moved = tr[tr["from_grade"] != tr["to_grade"]]["firms"].astype(int).sum()
    assert moved == (ch["grade_baseline"] != ch["grade_reform"]).sum() > 0
    assert (d / "report.html").stat().st_size > 10_000
    wb = openpyxl.load_workbook(io.BytesIO((d / "report.xlsx").read_bytes()), read_only=True)
    assert {"changes", "transitions", "matrix"} <= set(wb.sheetnames)
    first = next(wb["changes"].iter_rows(min_row=2, max_row=2))
    assert first[0].data_type == "s"  # the firm id is a text cell


def test_backtest_writes_metrics_with_intervals_and_agrees_with_the_scores(outputs):
    res = outputs["backtest"]
    assert res.returncode == 0, res.stderr
    d = outputs["dir"] / "backtest"
    m = _csv(d / "metrics.csv")
    assert list(m.columns[:4]) == ["metric", "value", "ci_low", "ci_high"]
    assert {"auc", "ks", "brier"} <= set(m["metric"])
    assert set(m["ruleset"]) == {"anhui-2019", "shandong-2020"}
    g = _csv(d / "by_grade.csv")
    assert list(g.columns[:4]) == ["grade", "firms", "with_outcome", "rate"]
    # the AUC recomputed from the written scores and the events file, independently
    score = ecocredit.score(S / "firms.csv", S / "events.csv", "anhui-2019", period="2024",
                            measurements=S / "measurements.csv", history=S / "history.csv",
                            today=TODAY)
    s = score.scores[score.scores["status"] == "graded"]
    sd = ecocredit.score(S / "firms.csv", S / "events.csv", "shandong-2020", period="2024",
                         measurements=S / "measurements.csv", history=S / "history.csv",
                         today=TODAY).scores
    both = set(s["firm_id"]) & set(sd.loc[sd["status"] == "graded", "firm_id"])
    s = s[s["firm_id"].isin(both)]
    ev = pd.read_csv(S / "events.csv", dtype=str, keep_default_na=False)
    revoked = set(ev.loc[ev["event_type"] == "revocation", "ref_event_id"])
    from ecocredit.analysis.backtest import OUTCOMES, auc
    types = OUTCOMES["any_penalty"][0]
    bad = ev[ev["event_type"].isin(types) & ev["event_date"].str.startswith("2025")
             & ~ev["event_id"].isin(revoked)]
    y = s["firm_id"].isin(set(bad["firm_id"])).to_numpy(int)
    rank = s["grade"].map(score.ruleset.grade_index).to_numpy(float)
    row = m[(m["ruleset"] == "anhui-2019") & (m["metric"] == "auc")].iloc[0]
    assert float(row["value"]) == pytest.approx(auc(y, rank), abs=1e-6)
    assert float(row["ci_low"]) <= float(row["value"]) <= float(row["ci_high"])
    assert g[g["ruleset"] == "anhui-2019"]["firms"].astype(int).sum() == len(s)
    assert "AUC" in res.stdout and "KS" in res.stdout


def test_report_writes_one_page_and_a_workbook_for_a_run(outputs):
    res = outputs["report"]
    assert res.returncode == 0, res.stderr
    run = outputs["dir"] / "run"
    html = (run / "report.html").read_text(encoding="utf-8")
    for chart in ("grades", "city", "industry", "lists", "rules", "changes"):
        assert f'data-chart="{chart}"' in html
    for fetch in ('src="http', "src='http", '<link', "@import", "url(http"):
        assert fetch not in html  # nothing is fetched: the page is self-contained
    wb = openpyxl.load_workbook(io.BytesIO((run / "report.xlsx").read_bytes()), read_only=True)
    assert {"grades", "by city", "by industry", "rules", "transitions"} <= set(wb.sheetnames)


def test_report_of_a_directory_without_a_run_is_a_one_line_error(ecocredit_cli, tmp_path):
    res = ecocredit_cli("report", tmp_path)
    assert res.returncode == 2
    assert res.stderr.startswith("ecocredit: error:") and len(res.stderr.splitlines()) == 1


def test_whatif_with_a_broken_reform_names_file_line_and_key(ecocredit_cli, tmp_path):
    bad = ROOT / "tests" / "fixtures" / "reforms" / "band_overlap.yaml"
    res = ecocredit_cli("whatif", "--baseline", "anhui-2019", "--reform", bad, "--period",
                        "2024", *TABLES, "--out", tmp_path / "w")
    assert res.returncode == 2
    assert f"invalid reform: {bad}:7: scoring.bands[2].min" in res.stderr
    lint = ecocredit_cli("lint-reform", bad, REFORM)
    assert lint.returncode == 1
    assert f"{REFORM}: ok" in lint.stdout


# --------------------------------------------------------------------------------------
# the pages in a real browser
# --------------------------------------------------------------------------------------


def _chromium() -> str:
    exe = os.environ.get("ECOCREDIT_CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None)
    why = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        why = "Playwright for Python is not installed (pip install playwright)"
    if exe is None:
        why = "no Chromium found (apt-get install chromium, or set ECOCREDIT_CHROMIUM)"
    if why:
        if os.environ.get("ECOCREDIT_REQUIRE_BROWSER"):
            pytest.fail(f"browser test required but {why}")
        pytest.skip(f"browser test skipped: {why}")
    return exe


PAGES = {"run": ("run", ["grades", "city", "industry", "lists", "rules", "changes"]),
         "whatif": ("whatif", ["transitions", "city_code", "industry_division",
                               "consequences"]),
         "backtest": ("backtest", ["roc", "lift", "calibration"])}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_page_renders_in_chromium_with_every_chart_and_no_console_error(outputs, name):
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    folder, expected = PAGES[name]
    page_file = outputs["dir"] / folder / "report.html"
    errors: list[str] = []
    outside: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def block(route):  # the page must not need the network
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", block)
            page.goto(page_file.as_uri(), wait_until="load")
            charts = page.evaluate("""() => Array.from(document.querySelectorAll(
                'figure.chart')).map(f => {const s = f.querySelector('svg');
                const b = s ? s.getBoundingClientRect() : {width: 0, height: 0};
                return [f.dataset.chart, b.width, b.height]; })""")
            missing = page.evaluate("""() => Array.from(document.querySelectorAll('a')).map(
                a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink',
                'href')).filter(h => h && h.startsWith('#') &&
                !document.getElementById(h.slice(1)))""")
            # a click on the largest bar (or cell) of the charts goes to its row
            x, y, target = page.evaluate("""() => {
                const area = a => { const r = a.getBoundingClientRect();
                                    return r.width * r.height; };
                const links = Array.from(document.querySelectorAll('figure.chart svg a'));
                links.sort((a, b) => area(b) - area(a));
                for (const a of links) {
                  a.scrollIntoView({block: 'center'}); const r = a.getBoundingClientRect();
                  const x = r.x + r.width / 2, y = r.y + r.height / 2;
                  if (a.contains(document.elementFromPoint(x, y))) {
                    return [x, y, a.getAttributeNS('http://www.w3.org/1999/xlink', 'href')]; } }
                return [0, 0, null]; }""")
            assert target, "no clickable bar or cell"
            page.mouse.click(x, y)
            page.wait_for_function(f"location.hash === {target!r}", timeout=5000)
        finally:
            browser.close()
    assert [c[0] for c in charts] == expected
    assert all(w > 100 and h > 100 for _, w, h in charts), charts
    assert missing == [], f"links to missing anchors: {missing[:5]}"
    assert errors == [] and outside == []


def test_the_xlsx_tables_are_those_of_the_page(outputs):
    run = outputs["dir"] / "run"
    wb = openpyxl.load_workbook(io.BytesIO((run / "report.xlsx").read_bytes()), read_only=True)
    grades = [[c.value for c in r] for r in wb["grades"].iter_rows(min_row=2)]
    s = _csv(run / "scores.csv")
    counts = s["grade"].where(s["status"] == "graded", "not_graded").value_counts()
    assert {g: n for g, _, n, _ in grades} == {g: int(counts.get(g, 0)) for g, *_ in grades}
    assert np.isclose(sum(r[3] for r in grades), 1.0, atol=1e-3)
