"""Ruleset sections of the evaluation cycle (issue 13): publication and dynamic adjustment.

Two optional sections of a ruleset file:

``publication``
    How long the draft result is published for comment (公示期), in days: Guangzhou published
    its 2020-year draft from 2021-05-12 to 05-27 (15 days), Wuhu (Anhui) 15 days, Hunan 7 days.
    Objections must be filed from the publication date to ``published_on + days`` inclusive.
``adjustment``
    Dynamic adjustment (动态调整) of a published grade during the year: rules that match events
    dated after the final publication and lower the grade by some levels or set it directly
    (Guangdong: an ordinary incident lowers one level; Anhui: a veto-type behaviour after
    publication sets 不良), or ``rescore: true`` for a continuous model re-scored on the day
    (Jiangsu's 12-point model).

Citations are the rules' own :class:`~ecocredit.rules.base.Reference`.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from ..rules.base import Model as _Model
from ..rules.base import Reference

__all__ = ["Publication", "Adjustment", "AdjustmentRule", "AdjustmentWhen", "AdjustmentEffect"]


class Publication(_Model):
    """The publication (公示) of draft results and the objection period it opens."""

    days: int = Field(ge=1, le=60, description="Days the draft result is published for comment; "
                      "objections may be filed until published_on + days (inclusive).")
    reference: Reference
    assumption: str = ""


class AdjustmentWhen(_Model):
    """Which events, dated after the final publication, trigger an adjustment rule."""

    types: list[str] = Field(default_factory=list, description="Event types.")
    severity: list[str] | None = None
    veto_rules: bool = Field(False, description="Any event that one of the ruleset's veto rules "
                             "would match (by type and severity).")

    @model_validator(mode="after")
    def _something(self) -> "AdjustmentWhen":
        if not self.types and not self.veto_rules:
            raise ValueError("an adjustment rule needs event types or veto_rules: true")
        return self


class AdjustmentEffect(_Model):
    """What a triggered adjustment does to the grade in force."""

    lower_levels: int = Field(0, ge=0, description="Grades to go down (never below the last).")
    set_grade: str | None = Field(None, description="Grade set directly (e.g. the lowest).")

    @model_validator(mode="after")
    def _one(self) -> "AdjustmentEffect":
        if (self.lower_levels > 0) == (self.set_grade is not None):
            raise ValueError("give exactly one of lower_levels (> 0) or set_grade")
        return self


class AdjustmentRule(_Model):
    """One dynamic-adjustment rule."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    label: str
    when: AdjustmentWhen
    effect: AdjustmentEffect
    reference: Reference
    assumption: str = ""


class Adjustment(_Model):
    """Dynamic adjustment (动态调整) of the published grade during the year."""

    rescore: bool = Field(False, description="A continuous model: the firm is re-scored on the "
                          "day of adjustment and the new grade recorded if it differs.")
    rules: list[AdjustmentRule] = Field(default_factory=list)
    reference: Reference | None = None

    @model_validator(mode="after")
    def _some(self) -> "Adjustment":
        if not self.rescore and not self.rules:
            raise ValueError("adjustment needs rules or rescore: true")
        return self
