"""The engines: :mod:`.compile` (ruleset + period + evaluation date → a plan of integers),
:mod:`.vectorized` (every firm in one pass over columns), :mod:`.reference` (one firm at a time,
plain Python), :mod:`.explain` (the reference engine's reasoning as text), and :mod:`.run`
(``ecocredit.score(...)`` → :class:`ScoreResult`)."""

from __future__ import annotations

from .compile import CompiledRule, Plan, compile_plan
from .reference import FirmResult, reference_scores, score_firm
from .run import ScoreResult, score
from .vectorized import CONTRIBUTION_COLUMNS, SCORE_COLUMNS, score_prepared

__all__ = ["Plan", "CompiledRule", "compile_plan", "score_prepared", "score_firm",
           "reference_scores", "FirmResult", "ScoreResult", "score", "SCORE_COLUMNS",
           "CONTRIBUTION_COLUMNS"]
