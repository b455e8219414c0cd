"""The sample fits every bundled ruleset: each runs on its sample inputs without a rejected row,
the README shows each one's grade distribution, and sample_data/README.md's comparison with the
published distributions keeps every verdict (within the stated tolerance, or why not) true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ecocredit.ruleset import bundled_rulesets
from ecocredit.synth.crosswalk import CROSSWALKS, crosswalk_history
from ecocredit.synth.fit import (
    PUBLISHED,
    SAMPLE_RUNS,
    comparison_table,
    distribution,
    markdown_table,
    misses,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def _between(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name}:begin -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert m, name
    return m.group(1)


def test_every_bundled_ruleset_has_a_sample_run():
    assert sorted(SAMPLE_RUNS) == sorted(rs.id for rs in bundled_rulesets())


@pytest.mark.parametrize("ruleset", sorted(SAMPLE_RUNS))
def test_a_bundled_ruleset_scores_the_sample_without_a_rejected_row(ruleset):
    grades, not_graded, rejected = distribution(ruleset, ROOT)
    assert rejected == 0
    assert not_graded == 91  # the suspended and closed firms, in either calendar
    assert sum(grades.values()) == 2923


def test_the_readme_shows_every_rulesets_distribution_on_the_sample():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _between(readme, "sample-fit") == markdown_table(ROOT)


def test_the_sample_readme_compares_with_the_published_distributions_as_computed():
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert _between(text, "sample-compare") == comparison_table(ROOT)


@pytest.mark.parametrize("pub", [p for p in PUBLISHED if p.ruleset in SAMPLE_RUNS],
                         ids=lambda p: f"{p.ruleset}:{p.place[:24]}")
def test_a_comparison_says_why_exactly_when_the_sample_is_outside_the_tolerance(pub):
    grades = distribution(pub.ruleset, ROOT)[0]
    assert set(pub.counts) <= set(grades)
    assert bool(misses(pub, grades)) == bool(pub.why), misses(pub, grades)


def test_the_guangzhou_2020_result_is_matched_within_the_tolerance():
    [gz] = [p for p in PUBLISHED if p.place.startswith("Guangzhou, 2020")]
    assert misses(gz, distribution("guangdong-2015", ROOT)[0]) == []


@pytest.mark.parametrize("ruleset", sorted(CROSSWALKS))
def test_a_per_ruleset_history_is_the_crosswalk_of_the_samples(ruleset):
    text = (SAMPLE / "history.csv").read_text(encoding="utf-8")
    want = (SAMPLE / f"history-{ruleset}.csv").read_text(encoding="utf-8")
    assert crosswalk_history(text, ruleset) == want


def test_hebei_black_listed_red_firms_become_e_and_keep_the_list():
    out = crosswalk_history("firm_id,period,grade,list\nX,2024,red,black\nY,2024,red,\n"
                            "Z,2024,green,red\n", "hebei-2024")
    assert out.splitlines()[1:] == ["X,2024,E,black", "Y,2024,D,", "Z,2024,A,red"]


def test_the_province_four_years_earlier_regenerates_byte_for_byte(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ecocredit.synth", "--firms", "3000", "--seed", "20251123",
         "--years", "2019", "2020", "2021", "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert proc.returncode == 0, proc.stderr
    for name in ("firms.csv", "events.csv", "history.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / "2019-2021" / name).read_bytes(), name
