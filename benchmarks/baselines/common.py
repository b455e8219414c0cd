"""What the baselines share: the rule kinds they support and the ruleset read once into a plan.

Each baseline (naive pandas, DuckDB SQL, Polars) reads every rule value from the loaded
:class:`~ecocredit.Ruleset`, so it stays in sync with the YAML; :func:`plan` gathers what they
all read (the rules in force on the evaluation date, the overrides in the order they apply,
the history windows) so that each baseline holds only its own way of computing.
"""

from __future__ import annotations

import codecs
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from ecocredit.periods import parse_period, previous_periods
from ecocredit.ruleset import Ruleset, load_ruleset

__all__ = ["SUPPORTED_KINDS", "Plan", "check_supported", "fen", "history_windows", "is_utf8", "plan",
           "transcode"]

SUPPORTED_KINDS = {"event_points", "bonus", "count_threshold", "veto", "cap", "downgrade"}


def check_supported(rs: Ruleset, who: str) -> None:
    """Raise NotImplementedError naming ``who`` if the ruleset needs what no baseline does."""
    if rs.evaluation.mode != "annual":
        raise NotImplementedError(f"{who}: only annual rulesets ({rs.id} is "
                                  f"{rs.evaluation.mode})")
    if rs.scoring.grade_by != "bands":
        raise NotImplementedError(f"{who}: only grades by bands")
    for r in rs.rules:
        if r.kind not in SUPPORTED_KINDS:
            raise NotImplementedError(f"{who}: rule kind {r.kind} ({r.id})")
        m = getattr(r, "match", None) or (r.when.events if getattr(r, "when", None) else None)
        if m is not None and m.valid_months is not None:
            raise NotImplementedError(f"{who}: valid_months ({r.id})")


def history_windows(r: Any, per: Any) -> list[list[str]]:
    """The history windows a rule reads: the previous ``k`` periods, or, for a cap that holds
    ``within_periods`` N, the N windows of k periods ending 1 … N periods before."""
    k, n = r.when.history.periods, getattr(r, "within_periods", None) or 1
    labels = previous_periods(per, k + n - 1)
    return [labels[j:j + k] for j in range(n)]


def fen(v: Decimal | None) -> int | None:
    """An amount bound in yuan as whole fen (rounded up), None kept."""
    return None if v is None else int((v * 100).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Plan:
    """One ruleset for one period, as the baselines read it.

    ``ev_rules`` pairs every rule that reads events (point rules, then overrides with an event
    condition) with its match; ``overrides`` are in the order they apply.
    """

    rs: Ruleset
    per: Any
    as_of: dt.date | None
    eval_date: dt.date
    point_rules: list[Any]
    overrides: list[Any]
    ev_rules: list[tuple[str, Any]]

    @property
    def worst(self) -> int:
        return len(self.rs.grades) - 1


def plan(ruleset: Ruleset | str, period: str, as_of: dt.date | str | None, who: str) -> Plan:
    """Load and check the ruleset; the rules in force on the evaluation date of ``period``."""
    rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    check_supported(rs, who)
    per = parse_period(str(period))
    as_of_d = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    eval_date = rs.evaluation_date(per, as_of_d)
    point_rules = [r for r in rs.rules if r.kind in ("event_points", "bonus", "count_threshold")
                   and rs.rule_in_force(r, eval_date)]
    overrides = [r for r in rs.overrides() if rs.rule_in_force(r, eval_date)]
    ev_rules = [(r.id, r.match) for r in point_rules] + [
        (r.id, r.when.events) for r in overrides if r.when.events is not None]
    return Plan(rs, per, as_of_d, eval_date, point_rules, overrides, ev_rules)


def transcode(src: str | Path, dst: str | Path, source: str, target: str,
              block: int = 16 << 20) -> Path:
    """Copy a text file from one encoding to another in blocks (memory stays flat).

    The baselines read GB18030 files this way where their reader takes UTF-8 only (Polars,
    DuckDB without its ``encodings`` extension), as an analyst would with ``iconv``; the
    benchmark generator writes the GB18030 data set from the UTF-8 one.
    """
    dec = codecs.getincrementaldecoder(source)()
    enc = codecs.getincrementalencoder(target)()
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        while chunk := fi.read(block):
            fo.write(enc.encode(dec.decode(chunk)))
        fo.write(enc.encode(dec.decode(b"", final=True), final=True))
    return Path(dst)


def is_utf8(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() == "utf8"
