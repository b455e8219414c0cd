"""Sub-levels (档次) of a grade: a band of the grade scheme may be split into levels by score
(Guizhou splits 诚信, 良好 and 警示 into three each, 黔环通〔2018〕116号). A firm's level is read
from its final score within the band of its **final** grade, clamped to that band: a firm
capped or downgraded into a grade whose band lies below its score takes that grade's best
level, a firm raised into a band above its score its lowest. Grades without levels, and firms
not graded, have no level (``""``).

Both engines use this module: :func:`grade_levels` on whole columns (vectorized),
:func:`level_of` for one firm (reference). Scores are integer hundredths in both, so the two
agree bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..points import to_cents

__all__ = ["LevelTable", "grade_levels", "level_counts", "level_of", "level_table"]

_BELOW_ALL = np.iinfo(np.int64).min  # a padding cut-off no score is below


@dataclass(frozen=True)
class LevelTable:
    """The levels of a ruleset compiled to integers.

    Attributes
    ----------
    mins : ndarray of int64, shape (n_grades, k - 1)
        Per grade rank, the ``min`` of each level but the last, in hundredths of a point, best
        first, padded with the lowest int64 (``k`` = the most levels of any grade).
    ids : ndarray of object, shape (n_grades, k)
        Per grade rank, the level ids, padded with ``""``.
    has : ndarray of bool, shape (n_grades,)
        Whether the grade has levels.
    levels : list of list of Level
        Per grade rank, the level models (for labels and explanations).
    """

    mins: np.ndarray
    ids: np.ndarray
    has: np.ndarray
    levels: list[list[Any]]


def level_table(ruleset: Any) -> LevelTable | None:
    """Compile the levels of ``ruleset``'s bands; None if no band has levels."""
    bands = ruleset.scoring.bands
    if ruleset.scoring.grade_by != "bands" or not any(b.levels for b in bands):
        return None
    n = len(ruleset.grades)
    per: list[list[Any]] = [[] for _ in range(n)]
    for b in bands:
        if b.grade in ruleset.grade_index and b.levels:
            per[ruleset.grade_index[b.grade]] = list(b.levels)
    k = max(len(x) for x in per)
    mins = np.full((n, max(k - 1, 0)), _BELOW_ALL, dtype=np.int64)
    ids = np.full((n, k), "", dtype=object)
    for g, levels in enumerate(per):
        for j, lv in enumerate(levels):
            ids[g, j] = lv.id
            if j < len(levels) - 1 and lv.min is not None:
                mins[g, j] = to_cents(lv.min)
    return LevelTable(mins=mins, ids=ids, has=np.asarray([bool(x) for x in per]), levels=per)


def grade_levels(table: LevelTable, total: np.ndarray, grade: np.ndarray,
                 graded: np.ndarray) -> np.ndarray:
    """The level id of every firm (vectorized).

    Parameters
    ----------
    table : LevelTable
    total : ndarray of int64, shape (n,)
        Final scores in hundredths of a point.
    grade : ndarray of int64, shape (n,)
        Final grade ranks (0 = best).
    graded : ndarray of bool, shape (n,)

    Returns
    -------
    ndarray of object, shape (n,)
        The level id, or ``""`` (not graded, or a grade without levels).
    """
    if not len(total):
        return np.zeros(0, dtype=object)
    g = np.clip(grade, 0, len(table.has) - 1)
    idx = (total[:, None] < table.mins[g]).sum(axis=1)  # levels whose min the score is below
    out = table.ids[g, idx]
    return np.where(graded & table.has[g], out, "").astype(object)


def level_of(table: LevelTable, score_cents: int, grade: int) -> Any:
    """The level model of one firm's score and final grade rank (reference engine), or None.

    Walks the grade's levels best first and returns the first whose ``min`` the score reaches;
    the last level takes the rest (and scores below the band, clamped)."""
    levels = table.levels[grade]
    for lv in levels:
        if lv.min is None or score_cents >= to_cents(lv.min):
            return lv
    return levels[-1] if levels else None


def level_counts(ruleset: Any, scores: Any) -> list[tuple[str, str, str, int]]:
    """Graded firms per grade and sub-level, best first: ``(grade, level id, level label,
    firms)`` for every level of every grade that has levels (empty without levels)."""
    if "grade_level" not in scores.columns:
        return []
    graded = scores[scores["status"] == "graded"]
    n = graded.groupby(["grade", "grade_level"]).size()
    return [(b.grade, lv.id, lv.label, int(n.get((b.grade, lv.id), 0)))
            for b in ruleset.scoring.bands for lv in b.levels]
