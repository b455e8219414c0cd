"""The inspection policy's document model: what a policy file says, as validated pydantic models.

An **inspection policy** is a YAML file in ``policies/`` (shipped as ``ecocredit/_policies``):
the minimum random-check rates per supervision class (A/B/C) and level (county, city), the
coverage aims (every A unit once a year ...), the categories that adjust a firm's frequency
(reduced / routine / increased / special / assistance / off-site), the mapping of a credit
ruleset's grades to credit levels, the rule that classes a firm without a
``supervision_class``, the officers' rules of the double-random draw and the factors of
penalty-discretion guidance. Every rule carries a citation, and an ``assumption`` where the
source is silent. Its lint is :mod:`.lint`, reading a file :mod:`.loader`.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..errors import PeriodError, Problem, RulesetError
from ..rules.base import Model as _Model
from ..rules.base import Reference, Text
from ..ruleset.models import Document as _Document
from ..vocab import FIRM_STATUSES, LISTS, PERMIT_TYPES, SUPERVISION_CLASSES

POLICY_FORMAT = 1
#: Credit levels, best first; a policy maps a credit ruleset's grades onto them.
CREDIT_LEVELS = ("good", "ordinary", "poor", "bad")
#: The closed set of categories a firm can be put in.
CATEGORIES = ("excluded", "off_site", "special", "increased", "assistance", "reduced", "routine")
#: Kinds of on-site visit (also the ``kind`` column of the inspection history).
VISIT_KINDS = ("random", "special", "assistance")
#: Facts about a new violation that only the case officer can establish (discretion guidance).
CASE_FLAGS = ("low_pollution", "non_subjective", "minor", "promptly_corrected", "harmless",
              "intentional", "cooperated")


class PolicyError(RulesetError):
    """An inspection policy file is invalid; ``problems`` lists every problem found."""

    reason_code = "invalid_policy"

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        super().__init__(problems, source)
        n = len(self.problems)
        head = f"Inspection policy {source!r} has {n} problem{'s' if n != 1 else ''}"
        body = "\n".join(f"  {p}" for p in self.problems)
        self.args = (f"{head}:\n{body}" if body else head,)


# --------------------------------------------------------------------------------------
# the file format
# --------------------------------------------------------------------------------------


class _Cited(_Model):
    """Common fields of a cited rule."""

    label: Text | None = None
    reference: Reference
    description: str = ""
    assumption: str = Field("", description="What had to be assumed where the source is silent.")
    effective: dt.date | None = None
    end: dt.date | None = None


class EventGroup(_Model):
    """A named set of event types (``violations``, ``complaints`` ...) the conditions read."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    types: list[str] = Field(min_length=1)
    assumption: str = ""


class EventCount(_Model):
    """Count a firm's records of some types within a window ending on the reference date.

    Holds when ``at_least <= count`` (default 1) and, if given, ``count <= at_most``.
    ``within_months``: records dated after ``add_months(reference, -M)``, up to the reference
    date; ``calendar_year``: records of the reference date's year (``current``) or the year
    before (``previous``); neither: the whole record up to the reference date. Revoked
    records and records entered after the reference date never count. ``open``: only records
    that no ``rectification_completed`` (by the reference date) names in ``ref_event_id``.
    """

    group: str | None = None
    types: list[str] = Field(default_factory=list)
    severity: list[str] | None = None
    within_months: int | None = Field(None, ge=1)
    calendar_year: Literal["current", "previous"] | None = None
    at_least: int | None = Field(None, ge=0)
    at_most: int | None = Field(None, ge=0)
    open: bool = False

    @model_validator(mode="after")
    def _check(self) -> EventCount:
        if self.group is None and not self.types:
            raise ValueError("an event count needs 'group' or 'types'")
        if self.within_months is not None and self.calendar_year is not None:
            raise ValueError("give 'within_months' or 'calendar_year', not both")
        if (self.at_least is not None and self.at_most is not None
                and self.at_most < self.at_least):
            raise ValueError(f"at_most {self.at_most} is below at_least {self.at_least}")
        return self

    @property
    def lower(self) -> int:
        if self.at_least is not None:
            return self.at_least
        return 0 if self.at_most is not None else 1


class CaseMatch(_Model):
    """Discretion only: what the new violation must be (its type, or facts the officer states)."""

    group: str | None = None
    types: list[str] = Field(default_factory=list)
    flags: list[Literal[CASE_FLAGS]] = Field(default_factory=list)  # type: ignore[valid-type]


class Condition(_Model):
    """Every field given must hold (AND); a rule's ``when`` lists alternatives (OR)."""

    description: str = Field("", description="The condition in plain words, used in reasons.")
    events: list[EventCount] = Field(default_factory=list)
    credit: list[Literal[CREDIT_LEVELS]] | None = None  # type: ignore[valid-type]
    lists: list[Literal[LISTS]] | None = None  # type: ignore[valid-type]
    positive_list: bool | None = None
    classes: list[Literal[SUPERVISION_CLASSES]] | None = None  # type: ignore[valid-type]
    statuses: list[Literal[FIRM_STATUSES]] | None = None  # type: ignore[valid-type]
    key_discharger: bool | None = None
    permit_types: list[Literal[PERMIT_TYPES]] | None = None  # type: ignore[valid-type]
    industries: list[str] | None = Field(None, description="GB/T 4754 code prefixes.")
    case: CaseMatch | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not (self.events or self.case is not None or any(
                getattr(self, f) is not None for f in (
                    "credit", "lists", "positive_list", "classes", "statuses",
                    "key_discharger", "permit_types", "industries"))):
            raise ValueError("a condition needs at least one test (events, credit, ...)")
        return self


class GradeMap(_Model):
    """Grade ids of the credit rulesets matching ``rulesets`` (ids or globs) → credit levels."""

    rulesets: list[str] = Field(min_length=1)
    levels: dict[str, Literal[CREDIT_LEVELS]]  # type: ignore[valid-type]
    note: str = ""


class Credit(_Model):
    """How a firm's credit grade (and list) becomes a credit level."""

    default_level: Literal[CREDIT_LEVELS] = "ordinary"  # type: ignore[valid-type]
    default_note: str = ""
    lists: dict[Literal[LISTS], Literal[CREDIT_LEVELS]] = Field(  # type: ignore[valid-type]
        default_factory=dict)
    grade_maps: list[GradeMap] = Field(default_factory=list)
    reference: Reference


class ClassRule(_Cited):
    """A classification rule: ``when`` holds → ``class``."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    class_: Literal[SUPERVISION_CLASSES] = Field(alias="class")  # type: ignore[valid-type]
    when: list[Condition] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Classification(_Model):
    """Classes firms whose ``supervision_class`` is missing: first matching rule, else default."""

    reference: Reference
    default_class: Literal[SUPERVISION_CLASSES]  # type: ignore[valid-type]
    default_note: str = ""
    rules: list[ClassRule] = Field(default_factory=list)


class Quota(_Model):
    """How a rate becomes a number of units: rounding and the spread of annual rates."""

    rounding: Literal["ceiling", "half_up", "floor"] = "ceiling"
    spread: Literal["cumulative", "systematic"] = "cumulative"
    reference: Reference
    assumption: str = ""


class RateRule(_Cited):
    """A minimum random-check rate for a class at a level: ``share`` per quarter or year, or
    ``units_per_officer`` (units checked a year per enforcement officer of the unit)."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    class_: Literal[SUPERVISION_CLASSES] = Field(alias="class")  # type: ignore[valid-type]
    level: Literal["county", "city"]
    share: Decimal | None = Field(None, gt=0, le=1)
    per: Literal["quarter", "year"] | None = None
    units_per_officer: int | None = Field(None, ge=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_method(self) -> RateRule:
        if (self.share is None) == (self.units_per_officer is None):
            raise ValueError("give either 'share' (with 'per') or 'units_per_officer'")
        if self.share is not None and self.per is None:
            raise ValueError("a 'share' needs 'per' (quarter or year)")
        if self.units_per_officer is not None and self.per is not None:
            raise ValueError("'units_per_officer' is a yearly count; drop 'per'")
        return self

    def annual(self, n_units: int | None = None, officers: int | None = None
               ) -> Fraction | None:
        """Expected visits a year of one unit at this rate (exact)."""
        if self.share is not None:
            f = Fraction(self.share)
            return f * 4 if self.per == "quarter" else f
        if not n_units or officers is None:
            return None
        return min(Fraction(1), Fraction(self.units_per_officer * officers, n_units))


class CoverageRule(_Cited):
    """Every unit of ``class`` is visited at least once per cycle of ``years`` (cycles from
    ``anchor_year``); a rule with ``counts`` instead says which visit kinds count."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    class_: Literal[SUPERVISION_CLASSES] | None = Field(None, alias="class")  # type: ignore
    years: int | None = Field(None, ge=1)
    anchor_year: int | None = None
    counts: list[Literal[VISIT_KINDS]] | None = None  # type: ignore[valid-type]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _shape(self) -> CoverageRule:
        if self.counts is None and (self.class_ is None or self.years is None
                                    or self.anchor_year is None):
            raise ValueError("a coverage rule needs 'class', 'years' and 'anchor_year' "
                             "(or only 'counts')")
        if self.counts is not None and self.class_ is not None:
            raise ValueError("'counts' stands alone: put it in a rule of its own")
        return self

    def cycle(self, year: int) -> tuple[int, int]:
        """First and last calendar year of the cycle containing ``year``."""
        k = (year - self.anchor_year) // self.years
        start = self.anchor_year + k * self.years
        return start, start + self.years - 1


class Draw(_Model):
    """How a category is drawn: ``class`` (the class's rates), ``none``, or its own rate."""

    mode: Literal["class", "none", "rate"]
    share: Decimal | None = Field(None, gt=0, le=1)
    per: Literal["quarter", "year"] | None = None
    kind: Literal[VISIT_KINDS] = "random"  # type: ignore[valid-type]

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, v: Any) -> Any:
        if isinstance(v, str):
            return {"mode": v}
        if isinstance(v, dict) and "mode" not in v:
            return {"mode": "rate", **v}
        return v

    @model_validator(mode="after")
    def _shape(self) -> Draw:
        if self.mode == "rate" and (self.share is None or self.per is None):
            raise ValueError("a rate needs 'share' and 'per'")
        if self.mode != "rate" and (self.share is not None or self.per is not None):
            raise ValueError(f"draw '{self.mode}' takes no share")
        return self

    def annual(self) -> Fraction:
        if self.mode != "rate":
            return Fraction(0)
        f = Fraction(self.share)
        return f * 4 if self.per == "quarter" else f


class CategoryRule(_Cited):
    """A category: the firms whose ``when`` holds (and no ``unless``), first match wins."""

    id: Literal[CATEGORIES]  # type: ignore[valid-type]
    when: list[Condition] = Field(default_factory=list)
    unless: list[Condition] = Field(default_factory=list)
    draw: Draw
    coverage: Literal["keep", "waive"] = "keep"
    enforcement: Literal["instead", "beside"] | None = None
    notes: list[str] = Field(default_factory=list)


class Officers(_Model):
    """Officers' rules of the draw."""

    per_check: int = Field(2, ge=1)
    max_checks_per_quarter: int = Field(ge=1)
    avoid_same_pair: bool = True
    reference: Reference
    assumption: str = ""


class DiscretionFactor(_Cited):
    """A factor of penalty-discretion guidance: ``when`` holds → ``effect``."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    label: Text
    effect: Literal["upper_limit", "heavier", "lighter", "reduced_or_none"]
    when: list[Condition] = Field(min_length=1)


class Policy(_Document):
    """A validated inspection policy. Build one with :func:`load_policy`.

    ``sha256`` and ``source`` name the file it was read from.
    """

    format: int = Field(POLICY_FORMAT, description="Policy file format version.")
    kind: Literal["inspection_policy"] = Field(
        description="Always 'inspection_policy': tells a policy from a ruleset.")
    id: str = Field(pattern=r"^[a-z][a-z0-9\-]*$", description="The bundled name, e.g. jiangxi-2020.")
    version: str = Field(description="The policy's own version (goes into every manifest).")
    title: Text
    jurisdiction: str = Field(description="Where the policy applies, e.g. 'Jiangxi (江西)'.")
    valid_from: dt.date = Field(description="First day the policy applies.")
    valid_to: dt.date | None = Field(None, description="Last day it applies (open if absent).")
    last_checked: dt.date = Field(description="When it was last checked against its sources.")
    assumptions: list[str] = Field(default_factory=list,
                                   description="What had to be assumed, policy-wide.")
    event_groups: list[EventGroup] = Field(default_factory=list)
    credit: Credit
    classification: Classification
    quota: Quota
    rates: list[RateRule] = Field(min_length=1)
    coverage: list[CoverageRule] = Field(default_factory=list)
    categories: list[CategoryRule] = Field(min_length=1)
    officers: Officers
    discretion: list[DiscretionFactor] = Field(default_factory=list)

    @field_validator("format")
    @classmethod
    def _known_format(cls, v: int) -> int:
        if v == POLICY_FORMAT:
            return v
        raise ValueError(f"this version of ecocredit reads policy format {POLICY_FORMAT}")

    def __repr__(self) -> str:
        return (f"Policy(id={self.id!r}, version={self.version!r}, valid_from={self.valid_from}, "
                f"valid_to={self.valid_to}, categories={len(self.categories)})")

    # derived lookups -------------------------------------------------------------------
    @cached_property
    def groups(self) -> dict[str, frozenset[str]]:
        return {g.id: frozenset(g.types) for g in self.event_groups}

    def group_words(self, group: str) -> str:
        """A group's label for reasons (English if given): ``violations (counted by ...)``."""
        for g in self.event_groups:
            if g.id == group:
                return g.label.en or g.label.zh
        return group

    def types_of(self, group: str | None, types: Iterable[str]) -> frozenset[str]:
        """The event types a count or case match reads."""
        return frozenset(types) | (self.groups.get(group, frozenset()) if group else frozenset())

    @cached_property
    def category_map(self) -> dict[str, CategoryRule]:
        return {c.id: c for c in self.categories}

    def rate(self, cls: str, level: str, day: dt.date | None = None) -> RateRule | None:
        """The rate in force for a class at a level (None if the policy has none)."""
        for r in self.rates:
            if r.class_ == cls and r.level == level and _in_force(r, day):
                return r
        return None

    def coverage_for(self, cls: str, day: dt.date | None = None) -> CoverageRule | None:
        for c in self.coverage:
            if c.class_ == cls and _in_force(c, day):
                return c
        return None

    @cached_property
    def coverage_counts(self) -> frozenset[str]:
        for c in self.coverage:
            if c.counts is not None:
                return frozenset(c.counts)
        return frozenset(VISIT_KINDS)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def check_date(self, day: dt.date, what: str) -> None:
        """Raise :class:`PeriodError` if ``day`` is outside the policy's validity."""
        if not self.covers(day):
            until = self.valid_to.isoformat() if self.valid_to else "open-ended"
            raise PeriodError(
                f"Inspection policy '{self.id}' version {self.version} is valid from "
                f"{self.valid_from} to {until}; it does not cover {day} ({what}).",
                ruleset=self.id, period=what)

    def grade_map(self, ruleset_id: str) -> GradeMap | None:
        for gm in self.credit.grade_maps:
            if any(fnmatch.fnmatchcase(ruleset_id, pat) for pat in gm.rulesets):
                return gm
        return None

    def round_units(self, x: Fraction) -> int:
        """Whole units for a share of units, by the policy's declared rounding."""
        if self.quota.rounding == "ceiling":
            return math.ceil(x)
        if self.quota.rounding == "floor":
            return math.floor(x)
        return math.floor(x + Fraction(1, 2))


def _in_force(rule: Any, day: dt.date | None) -> bool:
    if day is None:
        return True
    return (rule.effective is None or rule.effective <= day) and (
        rule.end is None or day <= rule.end)


# --------------------------------------------------------------------------------------
# exact numbers
# --------------------------------------------------------------------------------------


def format_fraction(x: Fraction | None, places: int = 4) -> str:
    """An exact decimal string for a fraction; non-terminating ones rounded half-even.

    Examples
    --------
    >>> format_fraction(Fraction(21, 20)), format_fraction(Fraction(4)), format_fraction(Fraction(1, 3))
    ('1.05', '4', '0.3333')
    >>> format_fraction(None)
    ''
    """
    if x is None:
        return ""
    den = x.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:
        d = Decimal(x.numerator) / Decimal(x.denominator)
        s = format(d.normalize(), "f")
        return s
    q = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal(1).scaleb(-places))
    return format(q.normalize(), "f")

