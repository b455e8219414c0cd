"""ecocredit: enterprise environmental credit evaluation (企业环境信用评价) as data.

Rulesets are declarative, cited, versioned files; one vectorized engine scores whole
provinces and an exact per-firm reference engine explains any firm; every run can be saved
with a manifest and replayed.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import codes  # noqa: E402
from .errors import (  # noqa: E402
    EcocreditError,
    InputError,
    PeriodError,
    Problem,
    ReplayError,
    RulesetError,
)
from .read import prepare, read_table  # noqa: E402
from .engine.reference import score_firm  # noqa: E402
from .ruleset import Ruleset, bundled_rulesets, lint_ruleset, load_ruleset, ruleset_json_schema  # noqa: E402
from .periods import parse_period  # noqa: E402
from .engine.run import ScoreResult, score  # noqa: E402
from .audit import replay, write_run  # noqa: E402
from .supervision import (  # noqa: E402
    DiscretionGuidance,
    DrawResult,
    FrequencyResult,
    Policy,
    PolicyError,
    bundled_policies,
    discretion_guidance,
    draw_quarters,
    inspection_frequency,
    lint_policy,
    load_policy,
    parse_quarter,
)
from .supervision import draw as double_random_draw  # noqa: E402
from .decisions.repair import decide_repairs  # noqa: E402
from .decisions.measures import MeasureChecks, append_trace, check_measures, read_trace  # noqa: E402
from .cycle import (  # noqa: E402  (issue 13: the evaluation cycle)
    Register,
    RegisterError,
    adjust,
    answer_objections,
    measures_in_register,
    publish,
    repair_in_register,
)
# analysis (issue 14); scikit-learn and matplotlib are imported when first used
from .analysis.reform import Reform, ReformError, lint_reform, load_reform  # noqa: E402
from .analysis.whatif import WhatIfResult, whatif  # noqa: E402
from .analysis.backtest import BacktestResult, backtest  # noqa: E402
from .analysis.report import Report, backtest_report, run_report, whatif_report  # noqa: E402

__all__ = [
    "__version__",
    "codes",
    "EcocreditError",
    "InputError",
    "PeriodError",
    "Problem",
    "ReplayError",
    "RulesetError",
    "Ruleset",
    "ScoreResult",
    "bundled_rulesets",
    "lint_ruleset",
    "load_ruleset",
    "parse_period",
    "prepare",
    "read_table",
    "replay",
    "ruleset_json_schema",
    "score",
    "score_firm",
    "write_run",
    "DiscretionGuidance",
    "DrawResult",
    "FrequencyResult",
    "Policy",
    "PolicyError",
    "bundled_policies",
    "discretion_guidance",
    "double_random_draw",
    "draw_quarters",
    "inspection_frequency",
    "lint_policy",
    "load_policy",
    "parse_quarter",
    "MeasureChecks",
    "append_trace",
    "check_measures",
    "decide_repairs",
    "read_trace",
    "Register",
    "RegisterError",
    "adjust",
    "answer_objections",
    "measures_in_register",
    "publish",
    "repair_in_register",
    "BacktestResult",
    "Reform",
    "ReformError",
    "Report",
    "WhatIfResult",
    "backtest",
    "backtest_report",
    "lint_reform",
    "load_reform",
    "run_report",
    "whatif",
    "whatif_report",
]
