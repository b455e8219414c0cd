"""ecocredit: enterprise environmental credit evaluation (企业环境信用评价) as data.

Rulesets are declarative, cited, versioned files; one vectorized engine scores whole
provinces and an exact per-firm reference engine explains any firm; every run can be saved
with a manifest and replayed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# The public names are imported on first use (PEP 562), so that `python -m ecocredit.cli` and
# `import ecocredit.codes` do not pay for SQLAlchemy, openpyxl and the analysis modules unless a
# command needs them; `from ecocredit import score` and `ecocredit.score` work as before.
_LAZY: dict[str, tuple[str, str | None]] = {
    "codes": (".codes", None),
    "EcocreditError": (".errors", "EcocreditError"),
    "InputError": (".errors", "InputError"),
    "PeriodError": (".errors", "PeriodError"),
    "Problem": (".errors", "Problem"),
    "ReplayError": (".errors", "ReplayError"),
    "RulesetError": (".errors", "RulesetError"),
    "prepare": (".read", "prepare"),
    "read_table": (".read", "read_table"),
    "score_firm": (".engine.reference", "score_firm"),
    "Ruleset": (".ruleset", "Ruleset"),
    "bundled_rulesets": (".ruleset", "bundled_rulesets"),
    "lint_ruleset": (".ruleset", "lint_ruleset"),
    "load_ruleset": (".ruleset", "load_ruleset"),
    "ruleset_json_schema": (".ruleset", "ruleset_json_schema"),
    "parse_period": (".periods", "parse_period"),
    "ScoreResult": (".engine.run", "ScoreResult"),
    "score": (".engine.run", "score"),
    "replay": (".audit", "replay"),
    "write_run": (".audit", "write_run"),
    "DiscretionGuidance": (".supervision", "DiscretionGuidance"),
    "DrawResult": (".supervision", "DrawResult"),
    "FrequencyResult": (".supervision", "FrequencyResult"),
    "Policy": (".supervision", "Policy"),
    "PolicyError": (".supervision", "PolicyError"),
    "bundled_policies": (".supervision", "bundled_policies"),
    "discretion_guidance": (".supervision", "discretion_guidance"),
    "draw_quarters": (".supervision", "draw_quarters"),
    "inspection_frequency": (".supervision", "inspection_frequency"),
    "lint_policy": (".supervision", "lint_policy"),
    "load_policy": (".supervision", "load_policy"),
    "parse_quarter": (".supervision", "parse_quarter"),
    "double_random_draw": (".supervision", "draw"),
    "decide_repairs": (".decisions.repair", "decide_repairs"),
    "MeasureChecks": (".decisions.measures", "MeasureChecks"),
    "append_trace": (".decisions.measures", "append_trace"),
    "check_measures": (".decisions.measures", "check_measures"),
    "read_trace": (".decisions.measures", "read_trace"),
    "Register": (".cycle", "Register"),
    "RegisterError": (".cycle", "RegisterError"),
    "adjust": (".cycle", "adjust"),
    "answer_objections": (".cycle", "answer_objections"),
    "measures_in_register": (".cycle", "measures_in_register"),
    "publish": (".cycle", "publish"),
    "repair_in_register": (".cycle", "repair_in_register"),
    "Reform": (".analysis.reform", "Reform"),
    "ReformError": (".analysis.reform", "ReformError"),
    "lint_reform": (".analysis.reform", "lint_reform"),
    "load_reform": (".analysis.reform", "load_reform"),
    "WhatIfResult": (".analysis.whatif", "WhatIfResult"),
    "whatif": (".analysis.whatif", "whatif"),
    "BacktestResult": (".analysis.backtest", "BacktestResult"),
    "backtest": (".analysis.backtest", "backtest"),
    "Report": (".analysis.report", "Report"),
    "backtest_report": (".analysis.report", "backtest_report"),
    "run_report": (".analysis.report", "run_report"),
    "whatif_report": (".analysis.report", "whatif_report"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'ecocredit' has no attribute {name!r}") from None
    value = importlib.import_module(module, __name__) if attr is None else getattr(
        importlib.import_module(module, __name__), attr)
    globals()[name] = value  # later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


if TYPE_CHECKING:  # what type checkers and IDEs see
    from . import codes
    from .errors import (
        EcocreditError,
        InputError,
        PeriodError,
        Problem,
        ReplayError,
        RulesetError,
    )
    from .read import prepare, read_table
    from .engine.reference import score_firm
    from .ruleset import Ruleset, bundled_rulesets, lint_ruleset, load_ruleset, ruleset_json_schema
    from .periods import parse_period
    from .engine.run import ScoreResult, score
    from .audit import replay, write_run
    from .supervision import (
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
    from .supervision import draw as double_random_draw
    from .decisions.repair import decide_repairs
    from .decisions.measures import MeasureChecks, append_trace, check_measures, read_trace
    from .cycle import (  # issue 13: the evaluation cycle
        Register,
        RegisterError,
        adjust,
        answer_objections,
        measures_in_register,
        publish,
        repair_in_register,
    )
    # analysis (issue 14); scikit-learn and matplotlib are imported when first used
    from .analysis.reform import Reform, ReformError, lint_reform, load_reform
    from .analysis.whatif import WhatIfResult, whatif
    from .analysis.backtest import BacktestResult, backtest
    from .analysis.report import Report, backtest_report, run_report, whatif_report

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
