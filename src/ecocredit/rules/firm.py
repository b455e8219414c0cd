"""What the reference engine reads and writes about one firm: its inputs, its verdict, and
:class:`FirmState`, what every kind's reference form reads and updates. Plain Python:
``Decimal`` points, ``datetime.date`` dates, lists of dicts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..points import to_cents

__all__ = ["FirmInputs", "FirmResult", "FirmState"]


@dataclass
class FirmInputs:
    """Everything the reference engine reads about one firm."""

    firm: dict[str, Any]
    events: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    history: list[dict[str, Any]]


@dataclass
class FirmResult:
    """The reference engine's verdict on one firm, with its reasoning."""

    firm_id: str
    graded: bool
    not_graded_reason: str = ""
    score: Decimal = Decimal(0)
    grade: str = ""
    grade_level: str = ""  # the sub-level (档次) id, "" if the grade has none
    vetoed: bool = False
    rules_applied: list[str] = field(default_factory=list)
    list_name: str = ""
    list_until: dt.date | None = None
    contributions: list[dict[str, Any]] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)


@dataclass
class FirmState:
    """One firm while the reference engine scores it.

    ``score`` is the running total and ``gained`` the base plus every positive amount (what
    ``scoring.max`` caps), both ``Decimal``; ``grade`` is a rank (0 = best); ``lists`` is the
    scratch of the list stage.
    """

    plan: Any
    inputs: FirmInputs
    res: FirmResult
    score: Decimal = Decimal(0)
    gained: Decimal = Decimal(0)
    worst_indicator: int = 0
    grade: int = 0
    lists: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        """Add a line to the firm's reasoning."""
        self.res.trace.append(text)

    def contribute(self, rule: Any, points: Decimal, evidence: str, effect: str = "") -> None:
        """A row of points for ``rule`` (positive points also count as gained)."""
        if points > 0:
            self.gained += points
        self.res.contributions.append({"rule_id": rule.id, "points_cents": to_cents(points),
                                       "evidence": evidence, "effect": effect})

    def grade_id(self, rank: int) -> str:
        return self.plan.grade_ids[rank]
