"""The frames of the Python API are for computing: a pandas user gets numbers beside the exact
text the files keep, and the docstring of ``ScoreResult`` names every column they have."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ecocredit
from ecocredit.audit import output_frames

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def result() -> ecocredit.ScoreResult:
    return ecocredit.score(f"{SAMPLE}/firms.csv", f"{SAMPLE}/events.csv", "guangdong-2015",
                           period="2025", measurements=f"{SAMPLE}/measurements.csv",
                           history=f"{SAMPLE}/history.csv", today="2026-01-01")


def test_a_pandas_user_averages_the_scores_with_score_points(result):
    s = result.scores
    assert s["score_points"].dtype == np.float64
    graded = s["status"] == "graded"
    mean = s["score_points"].mean()  # NaN of the not graded skipped, as pandas does
    assert mean == pytest.approx(s.loc[graded, "score_cents"].sum() / 100 / graded.sum())
    assert s.loc[~graded, "score_points"].isna().all()


def test_score_points_is_the_exact_score_text_read_as_a_number(result):
    s = result.scores[result.scores["status"] == "graded"]
    assert (s["score_points"] == pd.to_numeric(s["score"])).all()
    assert (s["score_points"] == s["score_cents"] / 100).all()


def test_the_numeric_columns_are_not_written_to_scores_csv(result):
    written = output_frames(result)["scores.csv"]
    assert not {"score_points", "score_cents", "grade_rank"} & set(written.columns)
    assert written["score"].map(type).eq(str).all()


def test_contribution_points_sum_as_integers_of_hundredths(result):
    c = result.contributions
    assert c["points_cents"].dtype == np.int64
    assert (c["points_cents"] / 100 == pd.to_numeric(c["points"])).all()


def _documented(section: str) -> set[str]:
    doc = ecocredit.ScoreResult.__doc__
    start = doc.index(f"    {section} : DataFrame")
    end = min((doc.index(f"    {n} : ", start + 1) for n in
               ("contributions", "rejects", "ruleset") if f"    {n} : " in doc[start + 1:]),
              default=len(doc))
    return set(re.findall(r"``(\w+)``", doc[start:end]))


@pytest.mark.parametrize("frame", ["scores", "contributions", "rejects"])
def test_the_docstring_names_every_column_of_every_frame(result, frame):
    columns = set(getattr(result, frame).columns)
    missing = columns - _documented(frame)
    assert not missing, f"ScoreResult.{frame}: undocumented columns {sorted(missing)}"
