"""Supervision: the inspection policy, the per-firm inspection frequency, the double-random
draw (双随机、一公开) and penalty-discretion guidance, in the order the data flows.

=================  ====================================================================
module             holds
=================  ====================================================================
``policy``         the policy file's document model (rates, coverage, categories ...)
``lint``           the policy's own lint checks
``loader``         reading policy files: ``load_policy``, ``lint_policy``, bundled
``manifest``       manifests of supervision runs
``inputs``         firms and events validated once; table files read as strings
``inspectors``     the enforcement officers' table
``credit``         credit levels read from a credit run's scores
``conditions``     conditions and their evaluation context, vectorized over firms
``classify``       supervision class and category of every firm
``frequency``      expected on-site visits a year: ``inspection_frequency``
``quarters``       calendar quarters
``history``        the inspection history and what it says as a quarter starts
``quotas``         units to draw per pool and quarter (rates, coverage aims)
``selection``      which firms are checked, pool by pool
``assign``         officers for every check, and the shortfall
``double_random``  the draw of a quarter (or several) and its result: ``draw``
``discretion``     penalty-discretion guidance for a new violation
=================  ====================================================================

Each module imports only the ones above it in this table (no cycles).
"""

from __future__ import annotations

from .assign import LOAD_COLUMNS, SHORTFALL_COLUMNS
from .credit import CreditLevels, credit_levels
from .discretion import FACTOR_COLUMNS, DiscretionGuidance, discretion_guidance
from .double_random import PLAN_COLUMNS, PUBLIC_COLUMNS, DrawResult, draw, draw_quarters
from .frequency import FREQUENCY_COLUMNS, FrequencyResult, frequency_from, inspection_frequency
from .history import History, plan_history, read_history
from .inspectors import Inspectors, read_inspectors
from .loader import bundled_policies, lint_policy, load_policy
from .policy import (
                     CASE_FLAGS,
                     CATEGORIES,
                     CREDIT_LEVELS,
                     VISIT_KINDS,
                     Policy,
                     PolicyError,
                     format_fraction,
)
from .quarters import Quarter, parse_quarter
from .quotas import coverage_quota, quarter_quota

__all__ = [
                     "CASE_FLAGS",
                     "CATEGORIES",
                     "CREDIT_LEVELS",
                     "FACTOR_COLUMNS",
                     "FREQUENCY_COLUMNS",
                     "LOAD_COLUMNS",
                     "PLAN_COLUMNS",
                     "PUBLIC_COLUMNS",
                     "SHORTFALL_COLUMNS",
                     "VISIT_KINDS",
                     "CreditLevels",
                     "DiscretionGuidance",
                     "DrawResult",
                     "FrequencyResult",
                     "History",
                     "Inspectors",
                     "Policy",
                     "PolicyError",
                     "Quarter",
                     "bundled_policies",
                     "coverage_quota",
                     "credit_levels",
                     "discretion_guidance",
                     "draw",
                     "draw_quarters",
                     "format_fraction",
                     "frequency_from",
                     "inspection_frequency",
                     "lint_policy",
                     "load_policy",
                     "parse_quarter",
                     "plan_history",
                     "quarter_quota",
                     "read_history",
                     "read_inspectors",
]
