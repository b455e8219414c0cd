"""Inspection policy as data, and the per-firm inspection frequency it gives.

An **inspection policy** is a YAML file in ``policies/`` (shipped as ``ecocredit/_policies``):
the minimum random-check rates per supervision class (A/B/C) and level (county, city), the
coverage aims (every A unit once a year ...), the categories that adjust a firm's frequency
(reduced / routine / increased / special / assistance / off-site), the mapping of a credit
ruleset's grades to credit levels, the rule that classes a firm without a
``supervision_class``, the officers' rules of the double-random draw and the factors of
penalty-discretion guidance. Every rule carries a citation, and an ``assumption`` where the
source is silent. The file is read with the ruleset loader's machinery (:mod:`ecocredit.ruleset`:
lines kept, duplicate keys refused, unknown keys refused, every problem reported at once with
file, line and key path).

:func:`inspection_frequency` puts every firm in exactly one category (the first whose condition
holds, in the policy's order) and gives its expected on-site visits per year as an exact
decimal, with the reasons, the evidence (event ids, the grade read) and the citations.
The double-random draw built on it is :mod:`ecocredit.draw`; penalty-discretion guidance is
:mod:`ecocredit.discretion`.

Examples
--------
>>> policy = load_policy("jiangxi-2020")
>>> policy
Policy(id='jiangxi-2020', version='2020.1', valid_from=2020-03-04, valid_to=None, categories=7)
>>> [c.id for c in policy.categories]
['excluded', 'off_site', 'special', 'increased', 'assistance', 'reduced', 'routine']
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field, field_validator, model_validator

from .errors import EcocreditError, InputError, PeriodError, Problem, RulesetError
from .days import add_months
from .ingest import Prepared, prepare
from .days import date_of, day_of
from .ruleset import (
    PathT,
    Reference,
    Ruleset,
    Text,
    _bundled_dir,
    _check_rule_dates,
    _data_dir,
    _Document,
    _line_for,
    _lint_document_file,
    _load_document,
    _Model,
    _parse_document,
    format_path,
    load_ruleset,
)
from .vocab import EVENT_TYPES, FIRM_STATUSES, LISTS, PERMIT_TYPES, SEVERITIES, SUPERVISION_CLASSES

__all__ = [
    "Policy",
    "PolicyError",
    "load_policy",
    "lint_policy",
    "bundled_policies",
    "inspection_frequency",
    "frequency_from",
    "credit_levels",
    "FrequencyResult",
    "CREDIT_LEVELS",
    "CATEGORIES",
    "FREQUENCY_COLUMNS",
    "format_fraction",
]

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
#: Far-future reference date: the inspection tools use the records as of their own date and
#: never reject a record for being "in the future".
_FAR = dt.date(9999, 12, 31)

FREQUENCY_COLUMNS = [
    "firm_id", "name", "region_code", "supervision_class", "class_source", "category",
    "checks_per_year", "reasons", "evidence", "reference", "visit_kind", "coverage",
    "credit_level", "credit_grade", "rules", "as_of", "policy", "policy_version",
]


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
    def _check(self) -> "EventCount":
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
    def _not_empty(self) -> "Condition":
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
    def _one_method(self) -> "RateRule":
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
    def _shape(self) -> "CoverageRule":
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
    def _shape(self) -> "Draw":
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
# loading and lint
# --------------------------------------------------------------------------------------


def _lint(p: Policy, lines: dict[PathT, int], file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: PathT, code: str, msg: str) -> None:
        problems.append(Problem(file, _line_for(lines, path), format_path(path), code, msg))

    gids: dict[str, int] = {}

    def known_types(types: list[str], path: PathT) -> None:
        for k in (k for k, t in enumerate(types) if t not in EVENT_TYPES):
            add(path + (k,), "unknown_event_type",
                f"Event type '{types[k]}' is not an event type of docs/data-format.md.")

    def known_group(group: str | None, path: PathT) -> None:
        if group is not None and group not in gids:
            add(path, "unknown_group", f"Event group '{group}' is not declared in event_groups.")

    for i, g in enumerate(p.event_groups):
        if g.id in gids:
            add(("event_groups", i, "id"), "duplicate_id",
                f"Event group '{g.id}' is already declared by event_groups[{gids[g.id]}].")
        gids.setdefault(g.id, i)
        known_types(g.types, ("event_groups", i, "types"))

    def check_cond(c: Condition, base: PathT, allow_case: bool) -> None:
        for j, ec in enumerate(c.events):
            ep = base + ("events", j)
            known_group(ec.group, ep + ("group",))
            known_types(ec.types, ep + ("types",))
            for k in (k for k, x in enumerate(ec.severity or []) if x not in SEVERITIES):
                add(ep + ("severity", k), "bad_value",
                    f"Severity '{ec.severity[k]}' is not one of {list(SEVERITIES)}.")
        if c.case is not None and not allow_case:
            add(base + ("case",), "case_outside_discretion",
                "'case' describes a new violation; only discretion factors may use it.")
        elif c.case is not None:
            known_group(c.case.group, base + ("case", "group"))
            known_types(c.case.types, base + ("case", "types"))

    def check_dates(r: Any, base: PathT) -> None:
        _check_rule_dates(add, r, base, p, "policy")

    if p.valid_to is not None and p.valid_to < p.valid_from:
        add(("valid_to",), "bad_dates", f"valid_to {p.valid_to} is before valid_from "
            f"{p.valid_from}.")

    # ids are unique across the file --------------------------------------------------
    seen: dict[str, str] = {}

    def unique(rid: str, path: PathT) -> None:
        if rid in seen:
            add(path, "duplicate_id", f"Rule id '{rid}' is already used by {seen[rid]}.")
        else:
            seen[rid] = format_path(path[:-1])

    # credit ------------------------------------------------------------------------------
    bundled = {f.stem: f for f in sorted(_bundled_dir().glob("*.yaml"))}
    for i, gm in enumerate(p.credit.grade_maps):
        for j, pat in enumerate(gm.rulesets):
            for rid, f in bundled.items():
                if not fnmatch.fnmatchcase(rid, pat):
                    continue
                try:
                    rs = load_ruleset(f)
                except RulesetError:
                    continue
                missing = [g for g in rs.grade_ids if g not in gm.levels]
                extra = [g for g in gm.levels if g not in rs.grade_ids]
                if missing:
                    add(("credit", "grade_maps", i, "levels"), "unmapped_grade",
                        f"Grades {missing} of ruleset '{rid}' have no credit level.")
                if extra:
                    add(("credit", "grade_maps", i, "levels"), "unknown_grade",
                        f"Grades {extra} are not grades of ruleset '{rid}' {rs.grade_ids}.")

    # classification ------------------------------------------------------------------
    for i, r in enumerate(p.classification.rules):
        base = ("classification", "rules", i)
        unique(r.id, base + ("id",))
        check_dates(r, base)
        for j, c in enumerate(r.when):
            check_cond(c, base + ("when", j), False)
            if c.classes is not None:
                add(base + ("when", j, "classes"), "bad_value",
                    "A classification rule cannot read the class it assigns.")

    # rates and coverage --------------------------------------------------------------
    pairs: dict[tuple[str, str], int] = {}
    for i, r in enumerate(p.rates):
        base = ("rates", i)
        unique(r.id, base + ("id",))
        check_dates(r, base)
        key = (r.class_, r.level)
        if key in pairs and r.effective is None and p.rates[pairs[key]].effective is None:
            add(base + ("class",), "duplicate_rate",
                f"Class {r.class_} already has a {r.level} rate in rates[{pairs[key]}].")
        pairs.setdefault(key, i)
        if r.units_per_officer is not None and r.level != "county":
            add(base + ("units_per_officer",), "bad_value",
                "A rate per officer is a county-level rate (the county's officers and units).")
    for cls in SUPERVISION_CLASSES:
        if (cls, "county") not in pairs:
            add(("rates",), "missing_rate",
                f"Class {cls} has no county-level rate; every class needs one.")
    cov_classes: dict[str, int] = {}
    counts_rules = 0
    for i, c in enumerate(p.coverage):
        base = ("coverage", i)
        unique(c.id, base + ("id",))
        check_dates(c, base)
        if c.counts is not None:
            counts_rules += 1
            if counts_rules > 1:
                add(base + ("counts",), "duplicate_rate",
                    "Only one coverage rule may say which visits count.")
            continue
        if c.class_ in cov_classes:
            add(base + ("class",), "duplicate_rate",
                f"Class {c.class_} already has a coverage rule in coverage[{cov_classes[c.class_]}].")
        cov_classes.setdefault(c.class_, i)
        if c.anchor_year is not None and c.anchor_year > p.valid_from.year:
            add(base + ("anchor_year",), "bad_dates",
                f"The first cycle starts in {c.anchor_year}, after the policy does "
                f"({p.valid_from.year}); the years before it would have no cycle.")

    # categories ----------------------------------------------------------------------
    cat_seen: dict[str, int] = {}
    for i, c in enumerate(p.categories):
        base = ("categories", i)
        if c.id in cat_seen:
            add(base + ("id",), "duplicate_id",
                f"Category '{c.id}' is already declared by categories[{cat_seen[c.id]}].")
        cat_seen.setdefault(c.id, i)
        check_dates(c, base)
        for j, cond in enumerate(c.when):
            check_cond(cond, base + ("when", j), False)
        for j, cond in enumerate(c.unless):
            check_cond(cond, base + ("unless", j), False)
        last = i == len(p.categories) - 1
        if c.id == "routine":
            if c.when or c.unless:
                add(base + ("when",), "bad_value",
                    "The routine category is the fallback: it takes no 'when' or 'unless'.")
            if not last:
                add(base + ("id",), "category_order",
                    "The routine category is the fallback and must come last; the categories "
                    "after it could never be given.")
            if c.draw.mode != "class":
                add(base + ("draw",), "bad_value", "The routine category draws at the class "
                    "rates: write 'draw: class'.")
        elif not c.when:
            add(base + ("when",), "missing_key",
                f"Category '{c.id}' needs a 'when' (only routine is unconditional).")
        if c.id == "assistance":
            if c.enforcement is None:
                add(base + ("enforcement",), "missing_key",
                    "Say whether help-and-guidance visits come 'instead' of or 'beside' "
                    "enforcement checks.")
            elif c.enforcement == "beside" and c.draw.mode != "class":
                add(base + ("draw",), "bad_value", "'beside' keeps the firm in its class's "
                    "routine draw (write 'draw: class'); every check then includes guidance.")
            elif c.enforcement == "instead" and c.draw.mode != "rate":
                add(base + ("draw",), "bad_value", "'instead' needs the visits' own rate "
                    "(share, per, kind: assistance).")
        elif c.enforcement is not None:
            add(base + ("enforcement",), "bad_value",
                "Only the assistance category says 'instead' or 'beside'.")
        if c.id in ("off_site", "excluded") and c.draw.mode != "none":
            add(base + ("draw",), "bad_value", f"Category '{c.id}' has no on-site draw: write "
                "'draw: none'.")
    if "routine" not in cat_seen:
        add(("categories",), "missing_key", "The categories need a final 'routine' category "
            "(the fallback).")

    # discretion ----------------------------------------------------------------------
    for i, d in enumerate(p.discretion):
        base = ("discretion", i)
        unique(d.id, base + ("id",))
        check_dates(d, base)
        for j, cond in enumerate(d.when):
            check_cond(cond, base + ("when", j), True)
    return problems


@lru_cache(maxsize=16)
def _parse(text: str, file: str) -> tuple[Policy | None, list[Problem]]:
    # a policy is immutable: the same text gives the same Policy (a draw over several quarters
    # loads it once; the lint reads the bundled rulesets' grades)
    return _parse_document(text, file, Policy, _lint, "policy")


def _policies_dir() -> Path:
    return _data_dir("policies")


def lint_policy(path: str | Path) -> list[Problem]:
    """Every problem of the inspection policy file at ``path``: an empty list means it is valid.

    The same checks as :func:`~ecocredit.ruleset.lint_ruleset` (YAML, duplicate and unknown
    keys, types, citations), then the policy's own: known event types and groups, one county
    rate per class, categories in a sensible order, grade maps that cover the bundled
    rulesets' grades. Each :class:`~ecocredit.errors.Problem` names file, line and key path.

    Examples
    --------
    >>> lint_policy(_policies_dir() / "jiangxi-2020.yaml")
    []
    """
    return _lint_document_file(path, _parse)


def load_policy(name_or_path: str | Path | Policy) -> Policy:
    """The inspection policy with this bundled id (see :func:`bundled_policies`) or file path.

    Parameters
    ----------
    name_or_path : str, Path or Policy
        ``jiangxi-2020``, or a YAML file written in the policy format (``docs/inspection.md``);
        a Policy is returned as it is.

    Returns
    -------
    Policy
        Validated and linted, stamped with the file's SHA-256 (``policy.sha256``).

    Raises
    ------
    PolicyError
        Listing all the problems of an invalid file (see :func:`lint_policy`).

    Examples
    --------
    >>> load_policy("jiangxi-2020").rate("A", "county").share
    Decimal('0.25')
    """
    if isinstance(name_or_path, Policy):
        return name_or_path
    return _load_document(name_or_path, _policies_dir(), _parse, PolicyError,
                          "inspection policy")


def bundled_policies() -> list[Policy]:
    """The inspection policies shipped with ecocredit, sorted by id.

    Examples
    --------
    >>> [p.id for p in bundled_policies()]
    ['jiangxi-2020']
    """
    return sorted((load_policy(f) for f in sorted(_policies_dir().glob("*.yaml"))),
                  key=lambda p: (p.id, p.valid_from))


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


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------


def _validation_ruleset(extra_types: Iterable[str] = ()) -> Ruleset:
    """A stub ruleset that accepts the contract's event types (and ``extra_types``)."""
    return Ruleset.model_validate({
        "id": "inspection-inputs", "version": "1", "title": "inspection inputs",
        "jurisdiction": "-", "valid_from": dt.date(1970, 1, 1),
        "last_checked": dt.date(1970, 1, 1),
        "grades": [{"id": "x", "label": "x"}, {"id": "y", "label": "y"}],
        "evaluation": {"mode": "annual"}, "scoring": {"model": "deduction"},
        "event_types": [{"id": t, "label": t} for t in sorted(set(extra_types))],
    })


def _read_csv_any(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV (UTF-8, BOM, GB18030), .xlsx or .parquet table as strings."""
    from .ingest import _as_strings, _decode
    import io

    p = Path(path)
    try:
        suffix = p.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=object, engine="openpyxl")
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        else:
            df = pd.read_csv(io.StringIO(_decode(p.read_bytes())), dtype=str,
                             keep_default_na=False, na_filter=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file.", file=str(path),
                         reason_code="unreadable") from None
    except Exception as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: cannot be read as a {what} table ({msg}).", file=str(path),
                         reason_code="unreadable") from None
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    return _as_strings(df)


@dataclass
class CreditLevels:
    """Credit levels of the firms (index-aligned with the firms table)."""

    level: np.ndarray           # int8 index into CREDIT_LEVELS
    graded: np.ndarray          # bool: a grade or a list was read
    text: np.ndarray            # object: how the level was read, for the evidence
    lists: np.ndarray           # object: 'red', 'black' or ''
    ruleset: str = ""
    period: str = ""


def _scores_frame(scores: Any) -> tuple[pd.DataFrame | None, str, str]:
    """(scores table, ruleset id, period) from a ScoreResult, a DataFrame, a file or a run
    directory."""
    from .run import ScoreResult

    if scores is None:
        return None, "", ""
    if isinstance(scores, ScoreResult):
        return scores.scores, scores.ruleset.id, scores.period.label
    if isinstance(scores, (str, Path)):
        p = Path(scores)
        if p.is_dir():
            p = p / "scores.csv"
        df = _read_csv_any(p, "scores")
    elif isinstance(scores, pd.DataFrame):
        df = scores.copy()
    else:
        raise InputError(f"The scores must be a ScoreResult, a DataFrame or a scores.csv path; "
                         f"got {type(scores).__name__}.", reason_code="bad_input")
    for c in ("firm_id", "grade"):
        if c not in df.columns:
            raise InputError(f"The scores table has no '{c}' column; give the scores.csv of an "
                             "`ecocredit score` run.", column=c, reason_code="missing_column")
    df = df.astype(object).where(df.notna(), "")
    rid = ""
    if "ruleset" in df.columns:
        ids = sorted({str(x) for x in df["ruleset"] if str(x)})
        if len(ids) > 1:
            raise InputError(f"The scores table mixes rulesets {ids}; give one run's scores.",
                             column="ruleset", reason_code="bad_input")
        rid = ids[0] if ids else ""
    per = ""
    if "period" in df.columns:
        pers = sorted({str(x) for x in df["period"] if str(x)})
        per = pers[-1] if pers else ""
    return df, rid, per


def credit_levels(policy: Policy, firm_ids: Iterable[str], scores: Any = None,
                  ruleset: str | None = None) -> CreditLevels:
    """Credit level of each firm from its grade (and list) under the policy's grade map.

    Parameters
    ----------
    policy : Policy
    firm_ids : sequence of str
    scores : ScoreResult, DataFrame or path, optional
        Scores with ``firm_id``, ``grade`` and optionally ``list``, ``status``, ``ruleset``.
    ruleset : str, optional
        The ruleset id of the grades, when the scores do not name it.

    Raises
    ------
    InputError
        If the policy maps no grades of that ruleset, or a grade is not mapped.
    """
    ids = pd.Index([str(f).strip().upper() for f in firm_ids])
    n = len(ids)
    default = CREDIT_LEVELS.index(policy.credit.default_level)
    level = np.full(n, default, dtype=np.int8)
    graded = np.zeros(n, dtype=bool)
    text = np.full(n, f"no grade: {policy.credit.default_level} by default", dtype=object)
    df, rid, per = _scores_frame(scores)
    rid = ruleset or rid
    lists = np.full(n, "", dtype=object)
    if df is None:
        return CreditLevels(level, graded, text, lists)
    gm = policy.grade_map(rid) if rid else None
    if gm is None:
        raise InputError(f"Inspection policy '{policy.id}' maps no grades of ruleset "
                         f"'{rid or '?'}'; add a credit.grade_maps entry for it (or name the "
                         "ruleset of the scores).", reason_code="unmapped_ruleset")
    fid = df["firm_id"].astype(str).str.strip().str.upper()
    grade = df["grade"].astype(str).str.strip()
    status = df["status"].astype(str) if "status" in df.columns else pd.Series("graded",
                                                                              index=df.index)
    lst = df["list"].astype(str).str.strip().str.lower() if "list" in df.columns else \
        pd.Series("", index=df.index)
    use_grade = (grade != "") & (status != "not_graded")
    unknown = sorted(set(grade[use_grade]) - set(gm.levels))
    if unknown:
        raise InputError(f"Grades {unknown} of ruleset '{rid}' have no credit level in "
                         f"inspection policy '{policy.id}'.", column="grade",
                         reason_code="unmapped_grade")
    pos = ids.get_indexer(fid)
    ok = pos >= 0
    lev = np.full(len(df), -1, dtype=np.int16)
    gl = grade.map(lambda g: CREDIT_LEVELS.index(gm.levels[g]) if g in gm.levels else -1)
    lev = np.where(use_grade.to_numpy(), gl.to_numpy(dtype=np.int16), -1)
    ll = lst.map(lambda x: CREDIT_LEVELS.index(policy.credit.lists[x])
                 if x in policy.credit.lists else -1).to_numpy(dtype=np.int16)
    best = np.maximum(lev, ll)
    has = best >= 0
    sel = ok & has
    level[pos[sel]] = best[sel].astype(np.int8)
    graded[pos[sel]] = True
    tag = f" ({rid}{', ' + per if per else ''})"
    txt = np.array([
        (f"grade {g}" if lv >= 0 else "no grade") + (f", {x} list" if x else "")
        + tag + f" → {CREDIT_LEVELS[b]}" if b >= 0 else ""
        for g, x, lv, b in zip(grade, lst, lev, best)], dtype=object)
    text[pos[sel]] = txt[sel]
    lists[pos[ok]] = lst.to_numpy(dtype=object)[ok]
    return CreditLevels(level, graded, text, lists, rid, per)


# --------------------------------------------------------------------------------------
# the evaluation context and conditions (vectorized over firms)
# --------------------------------------------------------------------------------------


def _isin(values: np.ndarray, members: Iterable[Any]) -> np.ndarray:
    """Hash-based membership of object arrays (numpy's isin sorts objects: slow)."""
    return pd.Index(values).isin(list(members)) if len(values) else np.zeros(0, dtype=bool)


@dataclass
class Context:
    """What conditions read: the firms (in table order), their events, credit and a date.

    ``ref_day`` is the last day whose records count (int days since 1970); ``year`` the
    calendar year that ``calendar_year: current`` means; ``window_day`` where month windows end
    (default ``ref_day``; discretion reads the record up to the day before the new violation,
    with windows of twelve months back from the violation's own day).
    """

    policy: Policy
    firms: pd.DataFrame
    events: pd.DataFrame
    credit: CreditLevels
    ref_day: int
    year: int
    supervision_class: np.ndarray | None = None
    window_day: int | None = None   # where month windows end (default: ref_day)

    def __post_init__(self) -> None:
        ev = self.events
        day = ev["day"].to_numpy(dtype=np.int64)
        rec = ev["recorded_day"].to_numpy(dtype=np.int64) if "recorded_day" in ev else day
        etype = ev["event_type"].to_numpy(dtype=object)
        # records as of the reference date; revocations in force cancel what they name
        known = (day <= self.ref_day) & (rec <= self.ref_day)
        refs = ev["ref_event_id"].to_numpy(dtype=object) if "ref_event_id" in ev else \
            np.full(len(ev), "", dtype=object)
        ids = ev["event_id"].to_numpy(dtype=object)
        revoked = _isin(ids, refs[known & (etype == "revocation")])
        self._live = known & ~revoked & (etype != "revocation")
        closed = refs[self._live & (etype == "rectification_completed")]
        self._closed = _isin(ids, closed[closed != ""])
        self._day = day
        self._type = etype
        self._sev = ev["severity"].to_numpy(dtype=object) if "severity" in ev else \
            np.full(len(ev), "", dtype=object)
        self._firm = ev["firm_idx"].to_numpy(dtype=np.int64)
        self._ids = ids
        self.n = len(self.firms)

    def _col(self, name: str) -> np.ndarray:
        if name in self.firms.columns:
            return self.firms[name].to_numpy(dtype=object)
        return np.full(self.n, "", dtype=object)

    def event_mask(self, ec: EventCount) -> np.ndarray:
        types = self.policy.types_of(ec.group, ec.types)
        m = self._live & _isin(self._type, types)
        if ec.severity:
            m &= _isin(self._sev, ec.severity)
        if ec.within_months is not None:
            end = self.ref_day if self.window_day is None else self.window_day
            start = day_of(add_months(date_of(end), -ec.within_months))
            m &= self._day > start
        elif ec.calendar_year is not None:
            y = self.year - (1 if ec.calendar_year == "previous" else 0)
            m &= (self._day >= day_of(dt.date(y, 1, 1))) & (self._day <= day_of(dt.date(y, 12, 31)))
        if ec.open:
            m &= ~self._closed
        return m

    def count(self, ec: EventCount) -> tuple[np.ndarray, np.ndarray]:
        m = self.event_mask(ec)
        return np.bincount(self._firm[m], minlength=self.n), m

    def evidence(self, mask: np.ndarray, firms: np.ndarray) -> dict[int, str]:
        """firm index → ';'-joined ids of the events in ``mask`` (for the given firms)."""
        sel = mask & np.isin(self._firm, firms)
        if not sel.any():
            return {}
        s = pd.Series(self._ids[sel]).groupby(self._firm[sel]).agg(";".join)
        return s.to_dict()


@dataclass
class CaseInfo:
    """A new violation for discretion guidance: its type, and facts the officer states."""

    event_type: str | None = None
    flags: Mapping[str, bool] = field(default_factory=dict)


def evaluate(cond: Condition, ctx: Context, case: CaseInfo | None = None
             ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Evaluate one condition for every firm.

    Returns
    -------
    holds, unknown : bool arrays
        ``holds``: every test holds. ``unknown``: every test the record can answer holds, but
        the condition also asks about the new violation and that is not known.
    event_masks : list of bool arrays over the events (for the evidence)
    """
    n = ctx.n
    ok = np.ones(n, dtype=bool)
    masks: list[np.ndarray] = []
    for ec in cond.events:
        cnt, m = ctx.count(ec)
        ok &= cnt >= ec.lower
        if ec.at_most is not None:
            ok &= cnt <= ec.at_most
        if ec.lower > 0:
            masks.append(m)
    if cond.credit is not None:
        ok &= np.isin(ctx.credit.level, [CREDIT_LEVELS.index(c) for c in cond.credit])
    if cond.lists is not None:
        ok &= _isin(ctx.credit.lists, cond.lists)
    if cond.positive_list is not None:
        ok &= (ctx._col("positive_list") == "true") == cond.positive_list
    if cond.statuses is not None:
        ok &= _isin(ctx._col("status"), cond.statuses)
    if cond.key_discharger is not None:
        ok &= (ctx._col("key_discharger") == "true") == cond.key_discharger
    if cond.permit_types is not None:
        ok &= _isin(ctx._col("permit_type"), cond.permit_types)
    if cond.industries is not None:
        ind = ctx._col("industry_code").astype(str)
        hit = np.zeros(n, dtype=bool)
        for pre in cond.industries:
            hit |= np.char.startswith(ind.astype("U"), pre) if n else hit
        ok &= hit
    if cond.classes is not None:
        cls = ctx.supervision_class if ctx.supervision_class is not None else \
            ctx._col("supervision_class")
        ok &= _isin(cls, cond.classes)
    unknown = np.zeros(n, dtype=bool)
    if cond.case is not None:
        state = _case_state(cond.case, ctx.policy, case)
        if state is None:
            unknown = ok.copy()
            ok = np.zeros(n, dtype=bool)
        elif not state:
            ok = np.zeros(n, dtype=bool)
    return ok, unknown, masks


def _case_state(cm: CaseMatch, policy: Policy, case: CaseInfo | None) -> bool | None:
    """True / False / None (cannot tell) for a case match."""
    unknown = False
    if cm.group is not None or cm.types:
        t = case.event_type if case else None
        if not t:
            unknown = True
        elif t not in policy.types_of(cm.group, cm.types):
            return False
    for f in cm.flags:
        v = case.flags.get(f) if case else None
        if v is None:
            unknown = True
        elif not v:
            return False
    return None if unknown else True


def describe(cond: Condition, policy: Policy) -> str:
    """The condition in plain words (its ``description``, else generated)."""
    if cond.description:
        return cond.description
    parts = []
    for ec in cond.events:
        what = policy.group_words(ec.group) if ec.group else "/".join(ec.types)
        if ec.severity:
            what += f" ({'/'.join(ec.severity)})"
        if ec.within_months:
            when = f" within {ec.within_months} months"
        elif ec.calendar_year:
            when = f" in the {ec.calendar_year} calendar year"
        else:
            when = " on record"
        if ec.at_most == 0:
            parts.append(f"no {what}{when}")
        else:
            n = ec.lower
            more = f" (at most {ec.at_most})" if ec.at_most is not None else ""
            parts.append(f"{n} or more {what}{when}{more}" + (" not yet rectified" if ec.open
                                                              else ""))
    if cond.credit is not None:
        parts.append("credit " + "/".join(cond.credit))
    if cond.lists is not None:
        parts.append("on the " + "/".join(cond.lists) + " list")
    if cond.positive_list is not None:
        parts.append("on the positive list" if cond.positive_list else "not on the positive list")
    if cond.statuses is not None:
        parts.append("status " + "/".join(cond.statuses))
    if cond.key_discharger is not None:
        parts.append("key discharger" if cond.key_discharger else "not a key discharger")
    if cond.permit_types is not None:
        parts.append("permit " + "/".join(cond.permit_types))
    if cond.industries is not None:
        parts.append("industry " + "/".join(cond.industries))
    if cond.classes is not None:
        parts.append("class " + "/".join(cond.classes))
    if cond.case is not None:
        cm = cond.case
        if cm.group or cm.types:
            parts.append("the new violation is " + (policy.group_words(cm.group) if cm.group
                                                    else "/".join(cm.types)))
        if cm.flags:
            parts.append("the officer finds it " + " and ".join(f.replace("_", " ")
                                                               for f in cm.flags))
    return ", ".join(parts)


# --------------------------------------------------------------------------------------
# classification, categories, frequency
# --------------------------------------------------------------------------------------


def _rule_ref(r: Any) -> str:
    return str(r.reference)


def _alternatives(conds: list[Condition], ctx: Context, among: np.ndarray, tag: str
                  ) -> tuple[np.ndarray, list[list[str]], list[list[str]],
                             list[tuple[np.ndarray, list[np.ndarray]]]]:
    """Which firms of ``among`` meet any of the alternative conditions ``conds`` (OR).

    Returns the mask; per firm, the words and the ids (``tag[j]``) of the alternatives it
    meets; and per alternative, the firms meeting it with its event masks (for the evidence).
    """
    hit = np.zeros(ctx.n, dtype=bool)
    words: list[list[str]] = [[] for _ in range(ctx.n)]
    ids: list[list[str]] = [[] for _ in range(ctx.n)]
    parts = []
    for j, cond in enumerate(conds):
        h, _, masks = evaluate(cond, ctx)
        h &= among
        d = describe(cond, ctx.policy)
        for i in np.flatnonzero(h):
            words[i].append(d)
            ids[i].append(f"{tag}[{j}]")
        parts.append((h, masks))
        hit |= h
    return hit, words, ids, parts


def classify(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Supervision class of every firm: given, or derived by the policy's classification.

    Returns ``(class, source, reason, reference)`` arrays; ``source`` is ``given`` or
    ``derived``.
    """
    pol = ctx.policy
    given = ctx._col("supervision_class").astype(object)
    cls = given.copy()
    src = np.where(given != "", "given", "derived").astype(object)
    reason = np.where(given != "", "class " + given.astype(str) + " (given in the firms table)",
                      "").astype(object)
    ref = np.full(ctx.n, "", dtype=object)
    todo = given == ""
    day = date_of(ctx.ref_day)
    if todo.any():
        for r in pol.classification.rules:
            if not _in_force(r, day) or not todo.any():
                continue
            take, words, _, _ = _alternatives(r.when, ctx, todo, r.id)
            cls[take] = r.class_
            reason[take] = [f"class {r.class_} derived by {r.id}: {words[i][0]}"
                            for i in np.flatnonzero(take)]
            ref[take] = _rule_ref(r)
            todo &= ~take
        cls[todo] = pol.classification.default_class
        reason[todo] = (f"class {pol.classification.default_class} by default: "
                        f"{pol.classification.default_note or 'no classification rule applies'}")
        ref[todo] = str(pol.classification.reference)
        ref[given == ""] = np.where(ref[given == ""] == "", str(pol.classification.reference),
                                    ref[given == ""])
    return cls, src, reason, ref


def policy_manifest(kind: str, version: int, policy: Policy,
                    inputs: Mapping[str, Any] | None, outputs: Mapping[str, bytes] | None,
                    **body: Any) -> dict[str, Any]:
    """The manifest of an output of the inspection tools (no clock time in it).

    Parameters
    ----------
    kind, version : str, int
        The output format (``ecocredit-frequency``, ``ecocredit-draw``) and its version.
    policy : Policy
        Recorded by id, version, SHA-256 and source file.
    inputs : mapping
        Table → the file it was read from, or a list of files: recorded by path, the name as
        given, and SHA-256.
    outputs : mapping
        File name → its bytes: recorded by SHA-256.
    **body
        The output's own entries (date, seed, counts ...).
    """
    from . import __version__

    def entry(path: Any) -> dict[str, str]:
        pp = Path(path)
        return {"path": str(pp.resolve()), "name": str(path),
                "sha256": hashlib.sha256(pp.read_bytes()).hexdigest()}

    ins = {table: [entry(x) for x in path] if isinstance(path, (list, tuple)) else entry(path)
           for table, path in (inputs or {}).items()}
    source = str(Path(policy.source).resolve()) if policy.source else ""
    return dict(
        body, inputs=ins, format=kind, format_version=version,
        outputs={k: hashlib.sha256(v).hexdigest() for k, v in (outputs or {}).items()},
        policy=dict(id=policy.id, version=policy.version, sha256=policy.sha256, source=source),
        package=dict(name="ecocredit", version=__version__))


def write_with_manifest(out_dir: str | Path, files: Mapping[str, bytes],
                        manifest: Any) -> dict[str, Any]:
    """Write ``files`` and then ``manifest.json`` (``manifest(files)``, which hashes them) into
    ``out_dir`` atomically; return the manifest."""
    import json

    from .reports import write_files_atomically

    m = manifest(files)
    out = dict(files)
    out["manifest.json"] = (json.dumps(m, indent=2, ensure_ascii=False, sort_keys=True)
                            + "\n").encode("utf-8")
    write_files_atomically(out_dir, out)
    return m


@dataclass
class FrequencyResult:
    """The outcome of :func:`inspection_frequency`.

    Attributes
    ----------
    frame : DataFrame
        One row per firm, columns :data:`FREQUENCY_COLUMNS` then ``city_code`` and
        ``firm_idx`` (the firm's row in the prepared firms table).
    policy : Policy
    as_of : date
        The last day whose records were read.
    credit_ruleset, credit_period : str
        Where the grades came from (empty without scores).
    prepared : Prepared
        The validated firms and events.
    rejects : DataFrame
        Input rows that could not be used.
    """

    frame: pd.DataFrame
    policy: Policy
    as_of: dt.date
    credit_ruleset: str
    credit_period: str
    prepared: Prepared = field(repr=False)
    rejects: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    credit: CreditLevels | None = field(repr=False, default=None)

    def __repr__(self) -> str:
        counts = self.frame["category"].value_counts().to_dict()
        return (f"FrequencyResult(policy={self.policy.id!r}, as_of={self.as_of}, "
                f"firms={len(self.frame)}, categories={counts})")

    def category_counts(self) -> pd.DataFrame:
        """Firms per category (rows, in the policy's order) and class (columns)."""
        order = [c.id for c in self.policy.categories]
        t = pd.crosstab(self.frame["category"], self.frame["supervision_class"])
        return t.reindex(index=[c for c in order if c in t.index], fill_value=0)

    def manifest(self, inputs: Mapping[str, Any] | None = None,
                 outputs: Mapping[str, bytes] | None = None) -> dict[str, Any]:
        """The manifest: policy, date, input hashes, counts, output hashes (no clock time)."""
        return policy_manifest(
            "ecocredit-frequency", POLICY_FORMAT, self.policy, inputs, outputs,
            as_of=self.as_of.isoformat(),
            credit={"ruleset": self.credit_ruleset, "period": self.credit_period},
            counts={
                "firms": int(len(self.frame)),
                "categories": {k: int(v) for k, v in
                               self.frame["category"].value_counts().sort_index().items()},
                "classes_derived": int((self.frame["class_source"] == "derived").sum()),
                "rejects": int(len(self.rejects)),
            })

    def write(self, out_dir: str | Path, inputs: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
        """Write frequency.csv, rejects.csv and manifest.json atomically; return the manifest."""
        from .ingest import REJECT_COLUMNS
        from .reports import csv_bytes

        rej = self.rejects if len(self.rejects.columns) else pd.DataFrame(
            columns=REJECT_COLUMNS)
        files = {"frequency.csv": csv_bytes(self.frame[FREQUENCY_COLUMNS]),
                 "rejects.csv": csv_bytes(rej[REJECT_COLUMNS])}
        return write_with_manifest(out_dir, files, lambda out: self.manifest(inputs, out))

    def explain(self, firm_id: str) -> str:
        """Why a firm is in its category, with the rules, evidence and citations."""
        fid = str(firm_id).strip().upper()
        hit = self.frame[self.frame["firm_id"] == fid]
        if hit.empty:
            raise KeyError(f"Firm {firm_id!r} is not in this frequency table.")
        r = hit.iloc[0]
        pol = self.policy
        lines = [f"{r['name']} ({r['firm_id']}), county {r['region_code']}",
                 f"Inspection policy {pol.id} version {pol.version}, records as of {self.as_of}",
                 ""]
        lines += [f"  {x}" for x in str(r["reasons"]).split("; ") if x]
        lines += ["", f"Result: class {r['supervision_class']} ({r['class_source']}), category "
                  f"{r['category']}, {r['checks_per_year'] or '?'} on-site visit(s) a year"
                  + (f" ({r['visit_kind']})" if r["visit_kind"] else "")]
        if r["coverage"]:
            lines.append(f"Coverage: {r['coverage']}")
        if r["evidence"]:
            lines += ["", f"Evidence: {r['evidence']}"]
        if r["reference"]:
            lines += ["", "References:"] + [f"  {x}" for x in str(r["reference"]).split(" | ")]
        return "\n".join(lines)


def _prepare_inputs(firms: Any, events: Any, scores: Any, ruleset: Any,
                    names: Mapping[str, str] | None) -> tuple[Prepared, Any]:
    from .run import ScoreResult

    if isinstance(scores, ScoreResult) and firms is None and events is None:
        return scores.prepared, scores.ruleset
    if firms is None or events is None:
        raise InputError("Give the firms and events tables (or a ScoreResult as scores).",
                         reason_code="bad_input")
    extra: set[str] = set()
    rs = None
    if isinstance(ruleset, Ruleset):
        rs = ruleset
    elif isinstance(ruleset, (str, Path)) and ruleset:
        rs = load_ruleset(ruleset)
    elif isinstance(scores, ScoreResult):
        rs = scores.ruleset
    elif scores is not None:
        # the grades' ruleset may declare extra event types the events table uses
        _, rid, _ = _scores_frame(scores)
        if rid:
            try:
                rs = load_ruleset(rid)
            except EcocreditError:
                rs = None
    if rs is not None:
        extra = {e.id for e in rs.event_types}
    # no as-of cut here: every Context reads the records as of its own date, so one
    # validated table serves several dates (the quarters of a draw)
    prep = prepare(firms, events, _validation_ruleset(extra), today=_FAR, names=names)
    return prep, rs


def _as_date(x: dt.date | str) -> dt.date:
    if isinstance(x, dt.date):
        return x
    try:
        return dt.date.fromisoformat(str(x))
    except ValueError:
        raise PeriodError(f"The as-of date must be YYYY-MM-DD; got {x!r}.") from None


def inspection_frequency(policy: Policy | str | Path, *, as_of: dt.date | str,
                         firms: Any = None, events: Any = None, scores: Any = None,
                         ruleset: Ruleset | str | None = None, inspectors: Any = None,
                         names: Mapping[str, str] | None = None) -> FrequencyResult:
    """Every firm's supervision class, category and expected on-site visits per year.

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
    as_of : date or ISO string
        The last day whose records count (records entered later are ignored). For a quarter's
        draw this is the day before the quarter starts.
    firms, events : DataFrame or path
        The input tables (docs/data-format.md). May be omitted when ``scores`` is a ScoreResult (its validated
        inputs are used).
    scores : ScoreResult, DataFrame or path of scores.csv (or its run directory), optional
        The published credit grades (and lists); the policy maps the grades of their ruleset
        to credit levels. Without scores every firm has the policy's default level.
    ruleset : Ruleset or str, optional
        The ruleset of the scores, when they do not say (also accepts its extra event types).
    inspectors : DataFrame or path, optional
        Only needed for a rate written as ``units_per_officer``.
    names : mapping, optional
        File names for the rejects table, per table.

    Returns
    -------
    FrequencyResult

    Examples
    --------
    >>> import pandas as pd
    >>> from ecocredit.codes import uscc_check_char
    >>> ids = [b + uscc_check_char(b) for b in ("91360102MA35XKQ17", "91360102MA35XKQ27")]
    >>> firms = pd.DataFrame({"firm_id": ids, "name": ["甲", "乙"], "region_code": "360102",
    ...                       "supervision_class": ["A", "C"], "positive_list": ["false", "true"]})
    >>> events = pd.DataFrame({"event_id": ["E1"], "firm_id": [ids[0]],
    ...                        "event_date": ["2024-05-01"], "event_type": ["fine"]})
    >>> fr = inspection_frequency("jiangxi-2020", as_of="2024-12-31", firms=firms, events=events)
    >>> fr.frame[["supervision_class", "category", "checks_per_year"]].values.tolist()
    [['A', 'routine', '1.05'], ['C', 'off_site', '0']]
    """
    pol = load_policy(policy)
    day = _as_date(as_of)
    pol.check_date(day, f"as of {day}")
    prep, _ = _prepare_inputs(firms, events, scores, ruleset, names)
    fids = prep.firms["firm_id"].to_numpy(dtype=object)
    rid = ruleset.id if isinstance(ruleset, Ruleset) else (ruleset if isinstance(ruleset, str)
                                                           else None)
    credit = credit_levels(pol, fids, scores, rid)
    officers = None
    if inspectors is not None:
        from .draw import read_inspectors
        officers = read_inspectors(inspectors).table["county_code"].value_counts().to_dict()
    return frequency_from(pol, prep, credit, day, officers)


def frequency_from(policy: Policy, prep: Prepared, credit: CreditLevels, day: dt.date,
                   officers: Mapping[str, int] | None = None) -> FrequencyResult:
    """:func:`inspection_frequency` on inputs already validated (one date of several)."""
    ctx = Context(policy, prep.firms, prep.events, credit, day_of(day), day.year)
    frame = _frequency_frame(ctx, officers)
    frame["as_of"] = day.isoformat()
    frame["policy"] = policy.id
    frame["policy_version"] = policy.version
    frame = frame[FREQUENCY_COLUMNS + [c for c in frame.columns if c not in FREQUENCY_COLUMNS]]
    return FrequencyResult(frame=frame, policy=policy, as_of=day, credit_ruleset=credit.ruleset,
                           credit_period=credit.period, prepared=prep, rejects=prep.rejects,
                           credit=credit)


def _coverage_text(cov: CoverageRule | None) -> str:
    if cov is None:
        return ""
    return ("once a year" if cov.years == 1 else f"once in {cov.years} years") + \
        f" ({cov.id})"


def _frequency_frame(ctx: Context, officers: Mapping[str, int] | None) -> pd.DataFrame:
    pol = ctx.policy
    day = date_of(ctx.ref_day)
    n = ctx.n
    cls, src, cls_reason, cls_ref = classify(ctx)
    ctx.supervision_class = cls
    category = np.full(n, "", dtype=object)
    reasons = np.full(n, "", dtype=object)
    rules = np.full(n, "", dtype=object)
    refs = np.full(n, "", dtype=object)
    evidence: dict[int, list[str]] = {}
    pending_notes = np.full(n, "", dtype=object)  # e.g. "positive list, but ..."
    todo = np.ones(n, dtype=bool)
    firm_range = np.arange(n)

    def add_evidence(masks: list[np.ndarray], who: np.ndarray) -> None:
        if not who.any():
            return
        idx = firm_range[who]
        for m in masks:
            for k, v in ctx.evidence(m, idx).items():
                evidence.setdefault(k, []).append(v)

    for c in pol.categories:
        if not _in_force(c, day):
            continue
        if c.id == "routine":
            take = todo.copy()
            category[take] = "routine"
            reasons[take] = "routine: no adjustment applies, drawn at the class rates"
            rules[take] = "routine"
            refs[take] = str(c.reference)
            todo &= ~take
            continue
        hit, words, alt_ids, alt_masks = _alternatives(c.when, ctx, todo, f"{c.id}.when")
        blocked, block_words, _, block_masks = _alternatives(c.unless, ctx, hit,
                                                             f"{c.id}.unless")
        for h, masks in block_masks:
            add_evidence(masks, h)
        for i in firm_range[blocked]:
            note = (f"{c.id} does not apply: " + "; ".join(words[i]) + ", but "
                    + " and ".join(block_words[i]) + f" ({c.id}.unless)")
            pending_notes[i] = (pending_notes[i] + "; " if pending_notes[i] else "") + note
        take = hit & ~blocked
        for h, masks in alt_masks:
            add_evidence(masks, h & take)
        for i in firm_range[take]:
            reasons[i] = f"{c.id}: " + "; ".join(words[i])
            rules[i] = ";".join(alt_ids[i])
        category[take] = c.id
        refs[take] = str(c.reference)
        todo &= ~take

    # expected visits a year -----------------------------------------------------------
    checks = np.full(n, "", dtype=object)
    kind = np.full(n, "", dtype=object)
    cov_txt = np.full(n, "", dtype=object)
    rate_words = np.full(n, "", dtype=object)
    region = ctx._col("region_code").astype(str)
    pool_sizes = pd.Series(list(zip(region, cls, category))).value_counts().to_dict() \
        if n else {}
    cache: dict[tuple[str, str, str], tuple[str, str, str, str, str]] = {}
    for i in range(n):
        key = (region[i], cls[i], category[i])
        if key not in cache:
            cache[key] = _expected(pol, day, cls[i], category[i], region[i],
                                   pool_sizes.get(key, 0), officers)
        checks[i], kind[i], cov_txt[i], rate_words[i], rref = cache[key]
        if rref and rref not in refs[i]:
            refs[i] = refs[i] + " | " + rref if refs[i] else rref

    full_reasons = []
    ev_out = []
    ref_out = []
    for i in range(n):
        parts = [cls_reason[i]]
        if pending_notes[i]:
            parts.append(pending_notes[i])
        parts.append(reasons[i])
        if rate_words[i]:
            parts.append(rate_words[i])
        full_reasons.append("; ".join(p for p in parts if p))
        ev = list(evidence.get(i, []))
        if ctx.credit.graded[i] or "credit" in reasons[i] or "credit" in pending_notes[i]:
            ev.append("credit: " + str(ctx.credit.text[i]))
        if category[i] == "off_site" or (pending_notes[i] and "positive list" in
                                         pending_notes[i]):
            ev.append("positive_list=true")
        ev_out.append("; ".join(dict.fromkeys(e for e in ev if e)))
        r = refs[i]
        if src[i] == "derived" and cls_ref[i]:
            r = cls_ref[i] + (" | " + r if r else "")
        ref_out.append(" | ".join(dict.fromkeys(x for x in r.split(" | ") if x)))
    out = pd.DataFrame({
        "firm_id": ctx._col("firm_id"),
        "name": ctx._col("name"),
        "region_code": region.astype(object),
        "supervision_class": cls,
        "class_source": src,
        "category": category,
        "checks_per_year": checks,
        "reasons": np.asarray(full_reasons, dtype=object),
        "evidence": np.asarray(ev_out, dtype=object),
        "reference": np.asarray(ref_out, dtype=object),
        "visit_kind": kind,
        "coverage": cov_txt,
        "credit_level": np.asarray(CREDIT_LEVELS, dtype=object)[ctx.credit.level]
        if n else np.array([], dtype=object),
        "credit_grade": ctx.credit.text,
        "rules": rules,
    })
    out["category_reason"] = reasons
    out["city_code"] = out["region_code"].str[:4] + "00"
    out["firm_idx"] = np.arange(n, dtype=np.int64)
    out["status"] = ctx._col("status")
    return out


def _expected(pol: Policy, day: dt.date, cls: str, category: str, region: str, pool_n: int,
              officers: Mapping[str, int] | None) -> tuple[str, str, str, str, str]:
    """(visits a year, visit kind, coverage text, words, reference) for one pool."""
    c = pol.category_map[category]
    cov = pol.coverage_for(cls, day) if c.coverage == "keep" else None
    floor = Fraction(1, cov.years) if cov is not None else Fraction(0)
    refs = []
    if cov is not None:
        refs.append(str(cov.reference))
    if c.draw.mode == "class":
        county = pol.rate(cls, "county", day)
        city = pol.rate(cls, "city", day)
        parts = []
        total: Fraction | None = Fraction(0)
        for r in (county, city):
            if r is None:
                continue
            unit = region if r.level == "county" else region[:4] + "00"
            a = r.annual(pool_n, None if officers is None else officers.get(unit, 0))
            if a is None:
                total = None
                parts.append(f"{r.id}: {r.units_per_officer} units a year per officer of the "
                             "unit (pass the inspectors to compute it)")
                continue
            if r.level == "county":
                a = max(a, floor)
            if total is not None:
                total += a
            parts.append(f"{r.id} {_rate_words(r)} → {format_fraction(a)} a year")
            refs.append(str(r.reference))
        if cov is not None:
            parts.append(f"at least {_coverage_text(cov)}")
        kind = "random" + (" + guidance" if c.enforcement == "beside" else "")
        return (format_fraction(total) if total is not None else "", kind,
                _coverage_text(cov), "visits: " + ", ".join(parts), " | ".join(refs))
    if c.draw.mode == "none":
        if cov is None:
            return "0", "", "", "visits: none on site" + (
                " (supervised off-site)" if category == "off_site" else ""), ""
        return (format_fraction(floor), "random", _coverage_text(cov),
                f"visits: none at random, only the coverage aim ({_coverage_text(cov)})",
                " | ".join(refs))
    a = max(c.draw.annual(), floor)
    per = "quarter" if c.draw.per == "quarter" else "year"
    words = (f"visits: {format_fraction(Fraction(c.draw.share) * 100)}% of the pool per {per} "
             f"→ {format_fraction(a)} a year ({c.draw.kind})")
    return format_fraction(a), c.draw.kind, _coverage_text(cov), words, " | ".join(refs)


def _rate_words(r: RateRule) -> str:
    if r.share is not None:
        return f"{format_fraction(Fraction(r.share) * 100)}% per {r.per}"
    return f"{r.units_per_officer} units per officer a year"
