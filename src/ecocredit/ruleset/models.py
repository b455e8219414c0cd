"""The ruleset document: its sections (grades, scoring, evaluation, indicators, event types,
lists, repair, measures) and :class:`Ruleset` itself, with the derived lookups the engines and
the linter read. The rule kinds' models come from :mod:`ecocredit.rules` (the registry's
discriminated union :data:`~ecocredit.rules.Rule`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..errors import PeriodError
from ..periods import Period
from ..rules import OVERRIDE_KINDS, POINT_KINDS, Rule
from ..rules.base import Cited, Model, Reference, Text
from ..rules.black_cap import BlackCap
from ..rules.conditions import HistoryCondition, Match
from ..rules.list_entry import ListRule
from ..vocab import EVENT_TYPES, POSITIVE_EVENT_TYPES
from .cycle import Adjustment, Publication

__all__ = ["FORMAT_VERSION", "Grade", "Level", "Band", "Category", "Scoring", "Evaluation",
           "Indicator", "EventTypeDecl", "ListDurations", "Lists", "RepairEffect", "Repair",
           "MeasureAnchor", "Measure",
           "NotScored", "Document", "Ruleset"]

FORMAT_VERSION = 1

class Grade(Model):
    """One grade of the scheme. Grades are listed best first."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str = Field(min_length=1, description="Chinese label, e.g. 环保诚信企业.")
    label_en: str = ""
    colour: str = ""


class Level(Model):
    """A sub-level (档次) of a band, best first: scores of the band at or above ``min``; the
    last level has no ``min`` (the rest of the band). See docs/rulesets.md, "Sub-levels"."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_]*$",
                    description="Level id written in the grade_level column, e.g. 1.")
    label: str = Field(min_length=1, description="Chinese label, e.g. 一档.")
    label_en: str = ""
    min: Decimal | None = None


class Band(Model):
    """Score at or above ``min`` gets ``grade``; the last band has no ``min`` (everything below).
    ``levels`` optionally splits the band into sub-levels (档次), best first."""

    grade: str
    min: Decimal | None = None
    levels: list[Level] = Field(
        default_factory=list, description="Sub-levels (档次) of the band, best first, each "
        "from its `min` up to the level above; the last has no `min`. A firm's level is read "
        "from its score within the band of its final grade (clamped to the band).")


class Category(Model):
    """A category of indicators with its weight (e.g. 污染防治 0.29)."""

    id: str
    label: Text
    weight: Decimal


class Scoring(Model):
    """How points become a score and a score becomes a grade."""

    model: Literal["weighted_tiers", "deduction", "accumulation", "dynamic"] = Field(
        description="Descriptive name of the scheme's model; the rules and bands define it."
    )
    base: Decimal = Field(Decimal(0), description="Points every firm starts the period with.")
    min: Decimal | None = Field(None, description="Lowest score: the final total is floored here.")
    max: Decimal | None = Field(
        None, description="Highest score: the base plus all positive points is capped here, "
        "before negative points are taken off (bonuses cannot bank points above the maximum).")
    grade_by: Literal["bands", "worst_indicator"] = "bands"
    bands: list[Band] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    weights_total: Decimal | None = Field(
        None, description="Declared sum of the weights of all tiers rules (checked by lint)."
    )
    base_note: str = Field("", description="Why the base is what it is.")
    bands_assumed: str = Field(
        "", description="Non-empty when the band cut-offs are not published: a PARAMETER, with "
        "what they were borrowed from. `ecocredit score` and `ecocredit rulesets` say so.")


class Evaluation(Model):
    """Which events a period's score reads.

    ``annual``: events dated within the period (subject to each rule's timing).
    ``dynamic``: events dated on or before the evaluation date whose validity window covers it.
    """

    mode: Literal["annual", "dynamic"]
    note: str = ""


class Indicator(Model):
    """A measured indicator read from the measurements table."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    kind: Literal["numeric", "categorical"]
    values: list[str] = Field(default_factory=list, description="Categorical values, best first.")
    unit: str = ""
    aggregate: Literal["min", "max", "last"] = Field(
        "min", description="How several values in the period combine (min/max, or the last period)."
    )


class EventTypeDecl(Model):
    """An event type this ruleset adds to those of the data format (docs/data-format.md)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    positive: bool = False


class ListDurations(Model):
    """How long a published list entry of the history table lasts when it has no ``list_until``:
    months from the end of its period. Only the lists the ruleset's rules put firms on are
    carried over from the history."""

    red: int = Field(12, ge=1)
    black: int = Field(12, ge=1)


class Lists(Model):
    """Red and black lists (红名单 / 黑名单): entry rules, history durations, the black cap."""

    rules: list[ListRule] = Field(min_length=1)
    history_months: ListDurations = Field(default_factory=ListDurations)
    black_cap: BlackCap
    note: str = ""


class RepairEffect(Model):
    """What a successful repair does."""

    lift_levels: int = Field(0, ge=0, description="Grade lifted this many levels.")
    notice_days: int = Field(0, ge=0, description="Public notice before the repair takes effect.")
    end_listing: bool = Field(False, description="The list entry (publication) ends early.")


class Repair(Model):
    """Credit repair (信用修复): who may apply, when, what is excluded, what it does."""

    allowed: bool
    label: Text
    reference: Reference
    description: str = ""
    assumption: str = ""
    grades: list[str] = Field(default_factory=list,
                              description="Grades that may apply (empty: any grade).")
    lists: list[str] = Field(default_factory=list,
                             description="Lists whose entries may be repaired.")
    apply_within_months: int | None = Field(
        None, ge=1, description="Application no later than this many months after publication.")
    min_months: int = Field(0, ge=0, description="Minimum months since publication (ordinary).")
    min_months_serious: int | None = Field(
        None, ge=0, description="Minimum months for an entry of serious duration.")
    excluded: Match | None = Field(
        None, description="Malicious or serious violations: a firm with such an event in the "
        "period or since is refused.")
    no_repeat_months: int | None = Field(
        None, ge=1, description="Refused within this many months of an earlier repair.")
    requires_commitment: bool = True
    requires_rectification: bool = True
    effect: RepairEffect = Field(default_factory=RepairEffect)

    @model_validator(mode="after")
    def _effect(self) -> "Repair":
        e = self.effect
        if self.allowed and not (e.lift_levels or e.end_listing):
            raise ValueError("an allowed repair needs an effect: lift_levels or end_listing")
        return self


class MeasureAnchor(Model):
    """The result on fixed dates that a measure follows (Jiangsu's differential electricity
    price: the result on each half-year's last day, applied for the whole next half-year).

    A request dated ``D`` reads the result on the anchor date ``A``, the last one before
    ``D``; the measure applies from the day after ``A`` through the next anchor date, that
    day included (30 June's result from 1 July through 31 December, 31 December's from 1
    January through 30 June). The window is the calendar half-year, not six months counted
    from ``A`` (which would end on 30 December).
    """

    dates: list[str] = Field(
        min_length=1, description="The anchor dates of every year, as MM-DD (e.g. 06-30, "
        "12-31); 02-29 is not allowed (it is not in every year).")
    applies: Literal["until_next_anchor"] = Field(
        "until_next_anchor", description="The application window: from the day after the "
        "anchor date through the next anchor date, both included.")
    note: str = Field("", description="What the source says about the dates and the window.")

    @field_validator("dates")
    @classmethod
    def _dates(cls, v: list[str]) -> list[str]:
        for x in v:
            try:
                if len(x) != 5:
                    raise ValueError
                dt.date.fromisoformat(f"2001-{x}")  # not a leap year: 02-29 is refused
            except ValueError:
                raise ValueError(f"anchor date {x!r} is not MM-DD of every year") from None
        if len(set(v)) != len(v):
            raise ValueError("anchor dates repeat")
        return sorted(v)


class Measure(Cited):
    """A consequence attached to a grade or a list (联合奖惩): checked at the point of action."""

    kind: Literal["incentive", "constraint", "punishment", "price"]
    grades: list[str] = Field(default_factory=list, description="Grades it applies to.")
    lists: list[str] = Field(default_factory=list, description="Lists it applies to.")
    history: HistoryCondition | None = Field(
        None, description="And the published history matches (e.g. red twice running).")
    actions: list[str] = Field(min_length=1, description="Actions at which it is checked.")
    value: Decimal | None = None
    unit: str = ""
    duration_months: int | None = Field(
        None, ge=1, description="Applies for this many months from the evaluation date.")
    supersedes: list[str] = Field(
        default_factory=list, description="Ids of measures that do not apply when this one does "
        "(an explicit exception: red twice running pays the black surcharge, not the red one).")
    anchor: MeasureAnchor | None = Field(
        None, description="The measure follows the result on fixed dates (not the run at "
        "hand): the grade and list on the last anchor date before the request.")

    @model_validator(mode="after")
    def _target(self) -> "Measure":
        if not self.grades and not self.lists:
            raise ValueError("a measure needs 'grades' or 'lists'")
        if self.anchor is not None and (self.duration_months is not None
                                        or self.history is not None):
            raise ValueError("an anchored measure has its window from 'anchor' (no "
                             "'duration_months') and reads the dated result (no 'history')")
        return self


class NotScored(Model):
    """An adverse event type of the contract that the ruleset deliberately does not score, and
    why (coverage lint: every adverse type is scored by a rule or listed here)."""

    types: list[str] = Field(min_length=1, description="Event types of the contract.")
    reason: str = Field(min_length=1, description="Why the source gives these no points.")
    reference: Reference


class Document(Model):
    """A validated YAML document (a ruleset, an inspection policy) and the file it came from.

    :func:`~ecocredit.ruleset.loader.load_document` sets the file's SHA-256 and path after validation.
    """

    _sha256: str = PrivateAttr("")
    _source: str = PrivateAttr("")

    @property
    def sha256(self) -> str:
        return self._sha256

    @property
    def source(self) -> str:
        return self._source


class Ruleset(Document):
    """A validated ruleset. Build one with :func:`load_ruleset`.

    Attributes
    ----------
    sha256 : str
        SHA-256 of the file the ruleset was read from (empty if built in memory).
    source : str
        The path it was read from.
    """

    format: int = Field(FORMAT_VERSION, description="Ruleset file format version.")
    id: str = Field(pattern=r"^[a-z][a-z0-9\-]*$")
    version: str
    title: Text
    jurisdiction: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    last_checked: dt.date = Field(description="When the file was last checked against its sources.")
    assumptions: list[str] = Field(default_factory=list)
    grades: list[Grade] = Field(min_length=2)
    evaluation: Evaluation
    scoring: Scoring
    indicators: list[Indicator] = Field(default_factory=list)
    event_types: list[EventTypeDecl] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    lists: Lists | None = None
    repair: Repair | None = None
    measures: list[Measure] = Field(default_factory=list)
    publication: Publication | None = None  # the evaluation cycle: ecocredit.ruleset.cycle
    adjustment: Adjustment | None = None
    not_scored: list[NotScored] = Field(
        default_factory=list, description="Adverse event types deliberately not scored, each "
        "with a reason and a citation (coverage lint).")

    @field_validator("format")
    @classmethod
    def _format(cls, v: int) -> int:
        if v != FORMAT_VERSION:
            raise ValueError(f"this version of ecocredit reads ruleset format {FORMAT_VERSION}")
        return v

    def __repr__(self) -> str:
        return (f"Ruleset(id={self.id!r}, version={self.version!r}, valid_from={self.valid_from}, "
                f"valid_to={self.valid_to}, rules={len(self.rules)})")

    # derived lookups -------------------------------------------------------------------
    @cached_property
    def grade_ids(self) -> list[str]:
        return [g.id for g in self.grades]

    @cached_property
    def grade_index(self) -> dict[str, int]:
        """Grade id → rank (0 = best)."""
        return {g.id: i for i, g in enumerate(self.grades)}

    @cached_property
    def event_type_ids(self) -> frozenset[str]:
        return frozenset(EVENT_TYPES) | {e.id for e in self.event_types}

    @cached_property
    def positive_event_types(self) -> frozenset[str]:
        return POSITIVE_EVENT_TYPES | {e.id for e in self.event_types if e.positive}

    @cached_property
    def indicator_map(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    def rule(self, rule_id: str) -> Any:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def overrides(self) -> list[Any]:
        """Vetoes, downgrades and caps in the order they apply (ascending priority)."""
        return sorted((r for r in self.rules if r.kind in OVERRIDE_KINDS), key=lambda r: r.priority)

    def list_rules(self) -> list[ListRule]:
        """List rules in the order they are tried: black rules, then red rules, each in
        ascending priority (black dominates red: a black-listed firm enters no red list)."""
        if not self.lists:
            return []
        return sorted(self.lists.rules, key=lambda r: (r.list != "black", r.priority))

    def declared_lists(self) -> tuple[str, ...]:
        """The lists this ruleset keeps (those its list rules put firms on), black first. Entries
        of other lists in the history table are not carried over."""
        names = {r.list for r in self.lists.rules} if self.lists else set()
        return tuple(x for x in ("black", "red") if x in names)

    def black_cap_rank(self) -> int:
        """Rank of the best grade a black-listed firm may hold."""
        g = self.lists.black_cap.grade if self.lists else None
        return self.grade_index[g] if g else min(1, len(self.grades) - 1)

    def find_rule(self, rule_id: str) -> Any:
        """A rule, list rule, black cap, repair policy or measure by id (None if unknown)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        if self.lists:
            for r in self.lists.rules:
                if r.id == rule_id:
                    return r
            if self.lists.black_cap.id == rule_id:
                return self.lists.black_cap
        for m in self.measures:
            if m.id == rule_id:
                return m
        return None

    def point_rules(self) -> list[Any]:
        return [r for r in self.rules if r.kind in POINT_KINDS]

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def evaluation_date(self, period: Period, as_of: dt.date | None = None) -> dt.date:
        """The date the period is scored on: the period's last day, or the as-of date if earlier.

        Raises
        ------
        PeriodError
            If the date is outside the ruleset's validity, or the as-of date precedes the period.
        """
        day = period.end if as_of is None or as_of >= period.end else as_of
        if as_of is not None and as_of < period.start:
            raise PeriodError(
                f"The as-of date {as_of} is before period {period.label} starts ({period.start}).",
                ruleset=self.id, period=period.label)
        if not self.covers(day):
            until = self.valid_to.isoformat() if self.valid_to else "open-ended"
            raise PeriodError(
                f"Ruleset '{self.id}' version {self.version} is valid from {self.valid_from} to "
                f"{until}; it does not cover {day} (period {period.label}).",
                ruleset=self.id, period=period.label)
        return day

    def rule_in_force(self, rule: Any, day: dt.date) -> bool:
        return (rule.effective is None or rule.effective <= day) and (
            rule.end is None or day <= rule.end)
