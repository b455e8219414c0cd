"""Worked examples of the back-test's metrics, each computed by hand.

Eight firms in three grades (risk = the grade's rank, best 0):

| grade  | rank | firms | with the outcome | predicted rate |
|--------|------|-------|------------------|----------------|
| green  | 0    | 4     | 1                | 0.2            |
| yellow | 1    | 2     | 1                | 0.5            |
| red    | 2    | 2     | 2                | 0.8            |

Four firms have the outcome (P = 4) and four do not (N = 4).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ecocredit.analysis.backtest import auc, bootstrap_ci, brier, by_grade_table, ks

GRADES = np.array(["green"] * 4 + ["yellow"] * 2 + ["red"] * 2, dtype=object)
RISK = np.array([0, 0, 0, 0, 1, 1, 2, 2], dtype=float)
Y = np.array([1, 0, 0, 0, 1, 0, 1, 1])
PRED = {"green": 0.2, "yellow": 0.5, "red": 0.8}
P = np.array([PRED[g] for g in GRADES])


def test_the_auc_counts_the_pairs_a_firm_with_the_outcome_ranks_worse_ties_as_halves():
    # 16 (outcome, no outcome) pairs: the two red firms beat all 4 (8 wins); the yellow one
    # beats the 3 green and ties the yellow (3.5); the green one ties the 3 green (1.5)
    assert auc(Y, RISK) == pytest.approx((8 + 3.5 + 1.5) / 16)  # 0.8125


def test_the_ks_is_the_largest_gap_between_true_and_false_positive_rates():
    # cut at red: TPR 2/4, FPR 0/4 → 0.5; cut at yellow: TPR 3/4, FPR 1/4 → 0.5; all: 1 - 1 = 0
    assert ks(Y, RISK) == pytest.approx(0.5)


def test_the_brier_score_is_the_mean_squared_error_of_the_grade_rates():
    # green: 3 × 0.2² + 0.8² = 0.76; yellow: 0.5² + 0.5² = 0.5; red: 2 × 0.2² = 0.08
    assert brier(Y, P) == pytest.approx((0.76 + 0.5 + 0.08) / 8)  # 0.1675
    # the base rate 0.5 for everyone: 8 × 0.25 / 8
    assert brier(Y, np.full(8, 0.5)) == pytest.approx(0.25)


def test_the_by_grade_table_gives_rates_lift_calibration_and_the_capture_from_the_worst_grade():
    t = by_grade_table(Y, GRADES, ["green", "yellow", "red"], PRED).set_index("grade")
    assert t["firms"].tolist() == [4, 2, 2]
    assert t["with_outcome"].tolist() == [1, 1, 2]
    assert t["rate"].tolist() == pytest.approx([1 / 4, 1 / 2, 2 / 2])
    # lift = rate / base rate (4 / 8)
    assert t["lift"].tolist() == pytest.approx([0.25 / 0.5, 0.5 / 0.5, 1.0 / 0.5])
    assert t["predicted"].tolist() == pytest.approx([0.2, 0.5, 0.8])
    # from the worst grade: red holds 2/8 of the firms and 2/4 of the outcomes, red+yellow 4/8
    # and 3/4, all of them 8/8 and 4/4
    assert t["cum_firms_share"].tolist() == pytest.approx([8 / 8, 4 / 8, 2 / 8])
    assert t["cum_outcome_share"].tolist() == pytest.approx([4 / 4, 3 / 4, 2 / 4])


def _auc_by_pairs(y: np.ndarray, r: np.ndarray) -> float:
    pos, neg = r[y == 1], r[y == 0]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def _ks_by_cutoffs(y: np.ndarray, r: np.ndarray) -> float:
    return max(((r[y == 1] >= c).mean() - (r[y == 0] >= c).mean()) for c in np.unique(r))


def test_the_confidence_intervals_are_percentiles_of_metrics_on_resampled_firms():
    # the documented method, re-done by hand: resample the 8 firms 300 times with the seeded
    # generator, compute each metric on each resample (AUC and KS only when both outcomes
    # occur), take the 2.5th and 97.5th percentiles
    ci = bootstrap_ci(Y, RISK, P, n_boot=300, seed=7)
    idx = np.random.default_rng(7).integers(0, 8, size=(300, 8))
    aucs, kss, briers = [], [], []
    for row in idx:
        y, r, p = Y[row], RISK[row], P[row]
        briers.append(float(np.mean((p - y) ** 2)))
        if 0 < y.sum() < len(y):
            aucs.append(_auc_by_pairs(y, r))
            kss.append(_ks_by_cutoffs(y, r))
    assert ci["auc"] == pytest.approx(tuple(np.percentile(aucs, [2.5, 97.5])))
    assert ci["ks"] == pytest.approx(tuple(np.percentile(kss, [2.5, 97.5])))
    assert ci["brier"] == pytest.approx(tuple(np.percentile(briers, [2.5, 97.5])))
    assert ci["auc"][0] <= auc(Y, RISK) <= ci["auc"][1]


def test_the_same_seed_gives_the_same_intervals():
    assert bootstrap_ci(Y, RISK, P, n_boot=50, seed=3) == bootstrap_ci(Y, RISK, P, n_boot=50,
                                                                          seed=3)
