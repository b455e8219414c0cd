"""Rulesets as data: the file format, its strict loader, and the linter.

A ruleset is a YAML file: one regulation (or one local reading of it), versioned, with
validity dates and a citation on every rule. It is read with a safe loader that keeps the
line of every key and refuses duplicate keys, validated by the pydantic models below (which
refuse unknown keys), and then linted for contradictions: overlapping bands, unreachable
grades, weights that do not add up, references to unknown event types, indicators or grades.
Every problem is collected and reported at once, each with file, line and key path.

No code runs from a ruleset: a rule is one of a small closed set of *kinds*, each
implemented once in :mod:`ecocredit.scoring` (vectorized) and once in
:mod:`ecocredit.reference` (plain Python).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Literal, TypeVar, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import PeriodError, Problem, RulesetError
from .periods import Period
from .points import to_cents
from .vocab import EVENT_TYPES, LISTS, MEASURE_ACTIONS, MEDIA, POSITIVE_EVENT_TYPES, SEVERITIES
from .ruleset_cycle import Adjustment, Publication  # issue 13

__all__ = [
    "Ruleset",
    "Rule",
    "load_ruleset",
    "lint_ruleset",
    "bundled_rulesets",
    "ruleset_json_schema",
]

FORMAT_VERSION = 1

# --------------------------------------------------------------------------------------
# the file format
# --------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A label in Chinese, with an English rendering."""

    zh: str = Field(min_length=1)
    en: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, v: Any) -> Any:
        return {"zh": v} if isinstance(v, str) else v

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})" if self.en else self.zh


class Reference(_Model):
    """The legal citation of a rule: document, article, and a link where one exists."""

    document: str = Field(min_length=1, description="Title and number of the document.")
    article: str = Field("", description="Article, annex item or section.")
    url: str = ""
    note: str = Field("", description="Where the text was read, if not the document itself.")

    def __str__(self) -> str:
        parts = [self.document + (f" {self.article}" if self.article else "")]
        if self.url:
            parts.append(self.url)
        return " ".join(parts)


class Grade(_Model):
    """One grade of the scheme. Grades are listed best first."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: str = Field(min_length=1, description="Chinese label, e.g. 环保诚信企业.")
    label_en: str = ""
    colour: str = ""


class Band(_Model):
    """Score at or above ``min`` gets ``grade``; the last band has no ``min`` (everything below)."""

    grade: str
    min: Decimal | None = None


class Category(_Model):
    """A category of indicators with its weight (e.g. 污染防治 0.29)."""

    id: str
    label: Text
    weight: Decimal


class Scoring(_Model):
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


class Evaluation(_Model):
    """Which events a period's score reads.

    ``annual``: events dated within the period (subject to each rule's timing).
    ``dynamic``: events dated on or before the evaluation date whose validity window covers it.
    """

    mode: Literal["annual", "dynamic"]
    note: str = ""


class Indicator(_Model):
    """A measured indicator read from the measurements table."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    kind: Literal["numeric", "categorical"]
    values: list[str] = Field(default_factory=list, description="Categorical values, best first.")
    unit: str = ""
    aggregate: Literal["min", "max", "last"] = Field(
        "min", description="How several values in the period combine (min/max, or the last period)."
    )


class EventTypeDecl(_Model):
    """An event type this ruleset adds to the contract's vocabulary."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    positive: bool = False


class Match(_Model):
    """Which events a rule reads, and when each one counts.

    An event counts on the evaluation date ``E`` if its type (and severity, medium, amount)
    match, it is not revoked, and ``event_date + effective_after_days <= E`` and, when
    ``valid_months`` is set, ``E < add_months(event_date + effective_after_days, valid_months)``.
    In ``annual`` evaluation the event must also be dated within the period.
    """

    types: list[str] = Field(min_length=1)
    severity: list[str] | None = None
    medium: list[str] | None = None
    amount_min: Decimal | None = Field(None, description="Amount at least this (yuan).")
    amount_max: Decimal | None = Field(None, description="Amount below this (yuan).")
    effective_after_days: int = Field(0, ge=0)
    valid_months: int | None = Field(None, ge=1)


class HistoryCondition(_Model):
    """A condition on previously published results (the history table)."""

    grades: list[str] = Field(default_factory=list)
    lists: list[str] = Field(default_factory=list)
    periods: int = Field(1, ge=1, description="How many earlier periods to look at.")
    require: Literal["any", "all"] = "any"


class Condition(_Model):
    """When an override applies: matching events (at least N, or fewer than N), and/or history."""

    events: Match | None = None
    count: Literal["events", "types"] = Field(
        "events", description="Count matching events, or the distinct event types among them.")
    at_least: int = Field(1, ge=1)
    fewer_than: int | None = Field(None, ge=1)
    history: HistoryCondition | None = None

    @model_validator(mode="after")
    def _something(self) -> "Condition":
        if self.events is None and self.history is None:
            raise ValueError("a condition needs 'events' or 'history'")
        if self.fewer_than is not None and self.events is None:
            raise ValueError("'fewer_than' needs 'events'")
        return self


class _Cited(_Model):
    """What every rule-like record carries: an id, a label, a citation and its caveats."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    label: Text
    reference: Reference
    description: str = ""
    assumption: str = Field("", description="What had to be assumed where the source is silent.")


class _RuleBase(_Cited):
    effective: dt.date | None = None
    end: dt.date | None = None


class Tier(_Model):
    """One tier of an indicator. Numeric: ``min`` (value >= min) and/or ``max`` (value <= max);
    categorical: ``value``. The first tier that matches wins; a tier with no condition matches all."""

    min: Decimal | None = None
    max: Decimal | None = None
    value: str | None = None
    points: Decimal
    grade: str | None = None


class TiersRule(_RuleBase):
    """Kind 1: a measured indicator → tier → points (× weight)."""

    kind: Literal["tiers"]
    indicator: str
    weight: Decimal = Decimal(1)
    category: str | None = None
    tiers: list[Tier] = Field(min_length=1)
    missing_points: Decimal = Field(description="Points when the firm has no value in the period.")
    missing_grade: str | None = None


class EventPointsRule(_RuleBase):
    """Kind 2: points per matching event (usually negative), with an optional cap per period."""

    kind: Literal["event_points"]
    match: Match
    points: Decimal
    cap: Decimal | None = Field(None, ge=0, description="Largest total (absolute) in the period.")


class BonusRule(_RuleBase):
    """Kind 4: positive points per matching (positive) event, with an optional cap."""

    kind: Literal["bonus"]
    match: Match
    points: Decimal = Field(gt=0)
    cap: Decimal | None = Field(None, gt=0)


class CountThresholdRule(_RuleBase):
    """Kind 3: ``at_least`` matching events → ``points`` once."""

    kind: Literal["count_threshold"]
    match: Match
    at_least: int = Field(ge=1)
    points: Decimal


class VetoRule(_RuleBase):
    """Kind 5: one-vote veto (一票否决): a matching condition sets the firm to ``grade``
    (default: the worst) or worse."""

    kind: Literal["veto"]
    when: Condition
    grade: str | None = None
    priority: int


class DowngradeRule(_RuleBase):
    """Kind 6: a matching condition lowers the grade by ``levels``."""

    kind: Literal["downgrade"]
    when: Condition
    levels: int = Field(1, ge=1)
    priority: int


class CapRule(_RuleBase):
    """Kind 7: a matching condition keeps the grade at or below ``grade``."""

    kind: Literal["cap"]
    when: Condition
    grade: str
    priority: int


# --------------------------------------------------------------------------------------
# lists, credit repair and measures (optional sections)
# --------------------------------------------------------------------------------------


class ListCondition(Condition):
    """When a list rule puts a firm on a list: the existing condition (events, history) plus
    the period's own result, read after the overrides: ``grades`` (the grade is one of these)
    and ``vetoed`` (a veto's condition held). Every part given must hold."""

    grades: list[str] = Field(default_factory=list,
                              description="The period's grade (after overrides) is one of these.")
    vetoed: bool | None = Field(None, description="true: a veto held this period.")

    @model_validator(mode="after")
    def _something(self) -> "ListCondition":
        if (self.events is None and self.history is None and not self.grades
                and self.vetoed is None):
            raise ValueError("a list condition needs 'grades', 'vetoed', 'events' or 'history'")
        if self.fewer_than is not None and self.events is None:
            raise ValueError("'fewer_than' needs 'events'")
        return self


class ListRule(_RuleBase):
    """A red or black list entry: when ``when`` holds after the grade and the overrides, the firm
    is on ``list`` from the evaluation date for ``duration_months`` (``serious_duration_months``
    when ``serious_when`` holds too). Every rule that holds enters the firm; per list the latest
    end counts (the longest period applies when one decision has several). Black dominates red:
    a black-listed firm enters no red list. ``priority`` orders the rules in the explanation."""

    kind: Literal["list"] = "list"
    list: Literal["red", "black"]
    when: ListCondition
    duration_months: int = Field(ge=1, description="How long the entry (its publication) lasts.")
    serious: bool = Field(False, description="Every entry by this rule is serious dishonesty "
                          "(严重失信): credit repair waits for repair.min_months_serious.")
    serious_when: ListCondition | None = None
    serious_duration_months: int | None = Field(None, ge=1)
    priority: int

    @model_validator(mode="after")
    def _serious(self) -> "ListRule":
        if (self.serious_when is None) != (self.serious_duration_months is None):
            raise ValueError("'serious_when' and 'serious_duration_months' go together")
        if self.serious and self.serious_when is not None:
            raise ValueError("'serious: true' makes every entry serious; drop 'serious_when'")
        return self


class BlackCap(_Cited):
    """The top-grade cap of black-listed firms: a firm on the black list on the evaluation date
    (entered this period, or an earlier entry still in force) is at best ``grade``."""

    grade: str | None = Field(None, description="Best grade allowed (default: the second grade).")
    kind: Literal["cap"] = "cap"


class ListDurations(_Model):
    """How long a published list entry of the history table lasts when it has no ``list_until``:
    months from the end of its period. Only the lists the ruleset's rules put firms on are
    carried over from the history."""

    red: int = Field(12, ge=1)
    black: int = Field(12, ge=1)


class Lists(_Model):
    """Red and black lists (红名单 / 黑名单): entry rules, history durations, the black cap."""

    rules: list[ListRule] = Field(min_length=1)
    history_months: ListDurations = Field(default_factory=ListDurations)
    black_cap: BlackCap
    note: str = ""


class RepairEffect(_Model):
    """What a successful repair does."""

    lift_levels: int = Field(0, ge=0, description="Grade lifted this many levels.")
    notice_days: int = Field(0, ge=0, description="Public notice before the repair takes effect.")
    end_listing: bool = Field(False, description="The list entry (publication) ends early.")


class Repair(_Model):
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


class Measure(_Cited):
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

    @model_validator(mode="after")
    def _target(self) -> "Measure":
        if not self.grades and not self.lists:
            raise ValueError("a measure needs 'grades' or 'lists'")
        return self


Rule = Annotated[
    Union[TiersRule, EventPointsRule, BonusRule, CountThresholdRule, VetoRule, DowngradeRule,
          CapRule],
    Field(discriminator="kind"),
]
POINT_KINDS = ("tiers", "event_points", "bonus", "count_threshold")
OVERRIDE_KINDS = ("veto", "downgrade", "cap")


class _Document(_Model):
    """A validated YAML document (a ruleset, an inspection policy) and the file it came from.

    :func:`_load_document` sets the file's SHA-256 and path after validation.
    """

    _sha256: str = PrivateAttr("")
    _source: str = PrivateAttr("")

    @property
    def sha256(self) -> str:
        return self._sha256

    @property
    def source(self) -> str:
        return self._source


class Ruleset(_Document):
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
    publication: Publication | None = None  # issue 13, ecocredit.ruleset_cycle
    adjustment: Adjustment | None = None  # issue 13, ecocredit.ruleset_cycle

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


# --------------------------------------------------------------------------------------
# YAML with lines and no duplicate keys
# --------------------------------------------------------------------------------------

PathT = tuple[Union[str, int], ...]


def format_path(path: Iterable[str | int]) -> str:
    """``('rules', 3, 'tiers', 1, 'min')`` → ``rules[3].tiers[1].min``."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Reader:
    """Compose YAML with the safe loader, then build plain values while recording lines."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.lines: dict[PathT, int] = {}
        self.problems: list[Problem] = []

    def read(self) -> Any:
        loader = yaml.SafeLoader(self.text)
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            self.problems.append(Problem(self.file, line, "", "yaml_syntax",
                                         f"Not valid YAML: {getattr(exc, 'problem', exc)}."))
            return None
        finally:
            loader.dispose()
        if node is None:
            return None
        return self._build(node, (), yaml.SafeLoader(""))

    def _build(self, node: yaml.Node, path: PathT, ctor: yaml.SafeLoader) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for knode, vnode in node.value:
                key = ctor.construct_object(knode, deep=True)
                if isinstance(key, (dt.date, int, float, bool)) or key is None:
                    key = knode.value
                if key in out:
                    self.problems.append(Problem(
                        self.file, knode.start_mark.line + 1, format_path(path + (key,)),
                        "duplicate_key",
                        f"The key '{key}' appears twice; the first is on line "
                        f"{self.lines.get(path + (key,), '?')}. Keep one."))
                    continue
                self.lines[path + (key,)] = knode.start_mark.line + 1
                out[key] = self._build(vnode, path + (key,), ctor)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(v, path + (i,), ctor) for i, v in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:float":
            try:
                return Decimal(node.value.replace("_", ""))
            except Exception:  # .inf, .nan
                return ctor.construct_object(node)
        return ctor.construct_object(node)


def _line_for(lines: dict[PathT, int], path: PathT) -> int | None:
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get((), None)


def _data_path(data: Any, loc: Iterable[Any]) -> PathT:
    """Turn a pydantic error location into a path in the data (dropping union tags)."""
    out: list[str | int] = []
    cur = data
    tag_next = False
    for part in loc:
        if tag_next and isinstance(cur, dict) and part == cur.get("kind"):
            # the discriminator tag pydantic puts after rules[i]; it is not a key, even when
            # it is spelled like one ('tiers', 'cap')
            tag_next = False
            continue
        tag_next = False
        if isinstance(cur, dict) and part in cur:
            out.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
            tag_next = out == ["rules", part]
        elif isinstance(cur, dict) and isinstance(part, str) and not out[-1:] == [part]:
            # a missing or unknown key: keep it in the path if it names a field, skip union tags
            if part in _KNOWN_FIELD_NAMES:
                out.append(part)
                cur = None
        else:
            continue
    return tuple(out)


def _known_field_names() -> frozenset[str]:
    names: set[str] = set()
    for m in (Ruleset, Text, Reference, Grade, Band, Category, Scoring, Evaluation, Indicator,
              EventTypeDecl, Match, HistoryCondition, Condition, Tier, TiersRule,
              EventPointsRule, BonusRule, CountThresholdRule, VetoRule, DowngradeRule, CapRule,
              ListCondition, ListRule, BlackCap, ListDurations, Lists, RepairEffect, Repair,
              Measure):
        names.update(m.model_fields)
    return frozenset(names)


_KNOWN_FIELD_NAMES = _known_field_names()

_PYDANTIC_CODES = {
    "extra_forbidden": "unknown_key",
    "missing": "missing_key",
    "union_tag_invalid": "unknown_rule_kind",
    "union_tag_not_found": "missing_key",
}


def _pydantic_problems(exc: ValidationError, data: Any, lines: dict[PathT, int],
                       file: str, what: str = "ruleset") -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        path = _data_path(data, loc)
        code = _PYDANTIC_CODES.get(err["type"], "bad_value")
        if code == "missing_key" and loc and loc[-1] == "reference":
            code = "missing_reference"
        if code == "unknown_key":
            msg = f"Unknown key '{loc[-1]}'; check its spelling against the {what} format."
            path = path if path and path[-1] == loc[-1] else path + (str(loc[-1]),)
        elif code in ("missing_key", "missing_reference"):
            field = loc[-1] if err["type"] == "missing" else "kind"
            what = "citation" if code == "missing_reference" else "key"
            msg = f"The required {what} '{field}' is missing."
            if path[-1:] != (field,):
                path = path + (str(field),)
        elif code == "unknown_rule_kind":
            msg = (f"Unknown rule kind {err.get('input', {}).get('kind')!r}; the kinds are "
                   "tiers, event_points, bonus, count_threshold, veto, downgrade, cap.")
            path = path + ("kind",)  # point at the offending key, not at the rule
        else:
            msg = err["msg"][0].upper() + err["msg"][1:] + "."
        problems.append(Problem(file, _line_for(lines, path), format_path(path), code, msg))
    return problems


# --------------------------------------------------------------------------------------
# lint: contradictions and references the models cannot see
# --------------------------------------------------------------------------------------


def _check_rule_dates(add: Callable[[PathT, str, str], None], rule: Any, base: PathT,
                      doc: Any, what: str) -> None:
    """Lint a rule's ``effective``/``end`` against each other and the document's validity
    (``doc.valid_from``/``valid_to``); ``add(path, code, message)`` records a problem."""
    if rule.effective and rule.end and rule.end < rule.effective:
        add(base + ("end",), "bad_dates",
            f"Rule ends ({rule.end}) before it starts ({rule.effective}).")
    if rule.effective and rule.effective < doc.valid_from:
        add(base + ("effective",), "bad_dates",
            f"Rule takes effect ({rule.effective}) before the {what} does ({doc.valid_from}).")
    if rule.end and doc.valid_to and rule.end > doc.valid_to:
        add(base + ("end",), "bad_dates",
            f"Rule ends ({rule.end}) after the {what} does ({doc.valid_to}).")


def _lint(rs: Ruleset, lines: dict[PathT, int], file: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: PathT, code: str, msg: str) -> None:
        problems.append(Problem(file, _line_for(lines, path), format_path(path), code, msg))

    grade_ids = rs.grade_ids
    gset = set(grade_ids)
    for i, g in enumerate(rs.grades):
        if grade_ids.index(g.id) != i:
            add(("grades", i, "id"), "duplicate_id", f"Grade id '{g.id}' is declared twice.")

    # bands ------------------------------------------------------------------------------
    sc = rs.scoring
    if sc.grade_by == "bands" and not sc.bands:
        add(("scoring", "bands"), "missing_key", "Grading by bands needs at least one band.")
    last_min: Decimal | None = None
    last_rank = -1
    for i, b in enumerate(sc.bands):
        if b.grade not in gset:
            add(("scoring", "bands", i, "grade"), "unknown_grade",
                f"Band grade '{b.grade}' is not one of the grades {grade_ids}.")
            continue
        rank = rs.grade_index[b.grade]
        if rank <= last_rank:
            add(("scoring", "bands", i, "grade"), "band_order",
                f"Bands must go from best grade to worst; '{b.grade}' comes out of order.")
        last_rank = rank
        is_last = i == len(sc.bands) - 1
        if b.min is None and not is_last:
            add(("scoring", "bands", i, "min"), "band_gap",
                "Only the last band may omit 'min'; the bands after it could never be reached.")
        if b.min is not None and is_last:
            add(("scoring", "bands", i, "min"), "band_gap",
                f"Scores below {b.min} fall in no band; give the last band no 'min'.")
        if b.min is not None and last_min is not None and b.min >= last_min:
            add(("scoring", "bands", i, "min"), "band_overlap",
                f"Band '{b.grade}' starts at {b.min}, not below the band before it ({last_min}); "
                "bands overlap.")
        if b.min is not None and sc.max is not None and b.min > sc.max:
            add(("scoring", "bands", i, "min"), "unreachable_grade",
                f"Band '{b.grade}' starts at {b.min}, above the highest score {sc.max}.")
        if b.min is not None:
            last_min = b.min

    # weights ----------------------------------------------------------------------------
    tiers_rules = [(i, r) for i, r in enumerate(rs.rules) if r.kind == "tiers"]
    cats = {c.id: c for c in sc.categories}
    if sc.weights_total is not None:
        total = sum((r.weight for _, r in tiers_rules), Decimal(0))
        if total != sc.weights_total:
            add(("scoring", "weights_total"), "weights_sum",
                f"The weights of the tiers rules add up to {total}, not the declared "
                f"{sc.weights_total}.")
    if cats:
        ctotal = sum((c.weight for c in cats.values()), Decimal(0))
        if ctotal != 1:
            add(("scoring", "categories"), "weights_sum",
                f"The category weights add up to {ctotal}, not 1.")
        for ci, c in enumerate(sc.categories):
            used = sum((r.weight for _, r in tiers_rules if r.category == c.id), Decimal(0))
            if used > c.weight:
                add(("scoring", "categories", ci, "weight"), "weights_sum",
                    f"The tiers rules of category '{c.id}' weigh {used}, more than the "
                    f"category's {c.weight}.")

    # rules ------------------------------------------------------------------------------
    seen: dict[str, int] = {}
    prio: dict[int, str] = {}
    reachable = {b.grade for b in sc.bands if b.grade in gset}
    downgrade = False
    known_types = rs.event_type_ids

    def check_match(m: Match, base: PathT) -> None:
        for j, t in enumerate(m.types):
            if t not in known_types:
                add(base + ("types", j), "unknown_event_type",
                    f"Event type '{t}' is neither a contract type nor declared in event_types.")
        for j, s in enumerate(m.severity or []):
            if s not in SEVERITIES:
                add(base + ("severity", j), "bad_value",
                    f"Severity '{s}' is not one of {list(SEVERITIES)}.")
        for j, s in enumerate(m.medium or []):
            if s not in MEDIA:
                add(base + ("medium", j), "bad_value", f"Medium '{s}' is not one of {list(MEDIA)}.")
        if (m.amount_min is not None and m.amount_max is not None
                and m.amount_min >= m.amount_max):
            add(base + ("amount_max",), "bad_value",
                f"amount_max {m.amount_max} must be above amount_min {m.amount_min}.")

    def check_cents(value: Decimal, path: PathT) -> None:
        try:
            to_cents(value)
        except ValueError:
            add(path, "inexact_points",
                f"{value} points cannot be held exactly in hundredths of a point.")

    for i, r in enumerate(rs.rules):
        base: PathT = ("rules", i)
        if r.id in seen:
            add(base + ("id",), "duplicate_id",
                f"Rule id '{r.id}' is already used by rules[{seen[r.id]}].")
        seen.setdefault(r.id, i)
        _check_rule_dates(add, r, base, rs, "ruleset")

        if r.kind == "tiers":
            ind = rs.indicator_map.get(r.indicator)
            if ind is None:
                add(base + ("indicator",), "unknown_indicator",
                    f"Indicator '{r.indicator}' is not declared in indicators.")
            if r.category is not None and r.category not in cats:
                add(base + ("category",), "unknown_category",
                    f"Category '{r.category}' is not declared in scoring.categories.")
            for j, t in enumerate(r.tiers):
                tp = base + ("tiers", j)
                check_cents(r.weight * t.points, tp + ("points",))
                if ind is not None and ind.kind == "categorical":
                    if t.min is not None or t.max is not None:
                        add(tp, "bad_value", "A categorical indicator's tiers take 'value', not min/max.")
                    if t.value is not None and t.value not in ind.values:
                        add(tp + ("value",), "bad_value",
                            f"'{t.value}' is not a value of indicator '{ind.id}' {ind.values}.")
                elif ind is not None and t.value is not None:
                    add(tp + ("value",), "bad_value", "A numeric indicator's tiers take min/max.")
                if t.grade is not None and t.grade not in gset:
                    add(tp + ("grade",), "unknown_grade", f"Grade '{t.grade}' is not declared.")
                if sc.grade_by == "worst_indicator" and t.grade is None:
                    add(tp + ("grade",), "missing_key",
                        "Grading by the worst indicator needs a grade on every tier.")
                if t.grade:
                    reachable.add(t.grade)
            last = r.tiers[-1]
            if last.min is not None or last.max is not None or last.value is not None:
                if not (ind is not None and ind.kind == "categorical"
                        and {t.value for t in r.tiers} >= set(ind.values)):
                    add(base + ("tiers", len(r.tiers) - 1), "tier_gap",
                        "Some values fall in no tier; end with a tier that has no condition.")
            check_cents(r.weight * r.missing_points, base + ("missing_points",))
            if r.missing_grade is not None and r.missing_grade not in gset:
                add(base + ("missing_grade",), "unknown_grade",
                    f"Grade '{r.missing_grade}' is not declared.")
        elif r.kind in ("event_points", "bonus", "count_threshold"):
            check_match(r.match, base + ("match",))
            check_cents(r.points, base + ("points",))
            if r.kind in ("event_points", "bonus") and r.cap is not None:
                check_cents(r.cap, base + ("cap",))
            if r.kind == "bonus":
                bad = [t for t in r.match.types if t not in rs.positive_event_types]
                if bad:
                    add(base + ("match", "types"), "adverse_bonus",
                        f"A bonus must read positive event types only; {bad} are adverse.")
            elif r.points > 0:
                bad = [t for t in r.match.types if t not in rs.positive_event_types]
                if bad:
                    add(base + ("points",), "adverse_bonus",
                        f"Positive points for adverse events {bad} would let a violation "
                        "improve a grade.")
        else:
            if r.priority in prio:
                add(base + ("priority",), "priority_clash",
                    f"Priority {r.priority} is also used by rule '{prio[r.priority]}'; overrides "
                    "need distinct priorities so their order is declared.")
            prio.setdefault(r.priority, r.id)
            w = r.when
            if w.events is not None:
                check_match(w.events, base + ("when", "events"))
                if w.fewer_than is not None:
                    bad = [t for t in w.events.types if t not in rs.positive_event_types]
                    if bad:
                        add(base + ("when", "fewer_than"), "adverse_bonus",
                            f"'fewer_than' on adverse events {bad} would let a violation lift "
                            "a cap.")
            if w.history is not None:
                for j, g in enumerate(w.history.grades):
                    if g not in gset:
                        add(base + ("when", "history", "grades", j), "unknown_grade",
                            f"Grade '{g}' is not declared.")
                for j, lst in enumerate(w.history.lists):
                    if lst not in LISTS:
                        add(base + ("when", "history", "lists", j), "bad_value",
                            f"List '{lst}' is not one of {list(LISTS)}.")
            target = getattr(r, "grade", None)
            if target is not None and target not in gset:
                add(base + ("grade",), "unknown_grade",
                    f"Grade '{target}' is not one of the grades {grade_ids}.")
            elif r.kind == "veto":
                reachable.add(target or grade_ids[-1])
            elif r.kind == "cap":
                reachable.add(target)
            else:
                downgrade = True

    # lists, repair, measures ----------------------------------------------------------------
    def check_grades(gs: list[str], path: PathT) -> None:
        for j, g in enumerate(gs):
            if g not in gset:
                add(path + (j,), "unknown_grade", f"Grade '{g}' is not one of the grades {grade_ids}.")

    def check_lists(ls: list[str], path: PathT) -> None:
        for j, lst in enumerate(ls):
            if lst not in LISTS:
                add(path + (j,), "bad_value", f"List '{lst}' is not one of {list(LISTS)}.")

    def check_list_condition(c: ListCondition, path: PathT, black: bool) -> None:
        check_grades(c.grades, path + ("grades",))
        if c.events is not None:
            check_match(c.events, path + ("events",))
        if c.history is not None:
            check_grades(c.history.grades, path + ("history", "grades"))
            check_lists(c.history.lists, path + ("history", "lists"))
        if not black:
            return
        # a black list entry must be monotone: an adverse record can only put a firm on it
        ranks = sorted(rs.grade_index[g] for g in c.grades if g in gset)
        if ranks and ranks != list(range(ranks[0], len(grade_ids))):
            add(path + ("grades",), "list_not_monotone",
                f"A black list condition must take every grade from its best one down to the "
                f"worst ({grade_ids[ranks[0]:]}); otherwise a worse grade could take a firm off "
                "the black list.")
        if c.fewer_than is not None:
            add(path + ("fewer_than",), "list_not_monotone",
                "A black list condition cannot use 'fewer_than': a violation could lift it.")
        if c.vetoed is False:
            add(path + ("vetoed",), "list_not_monotone",
                "A black list condition cannot require 'vetoed: false'.")

    ids_seen = dict(seen)
    if rs.lists is not None:
        lprio: dict[int, str] = {}
        for i, r in enumerate(rs.lists.rules):
            base = ("lists", "rules", i)
            if r.id in ids_seen:
                add(base + ("id",), "duplicate_id", f"Rule id '{r.id}' is already used.")
            ids_seen.setdefault(r.id, i)
            if r.priority in lprio:
                add(base + ("priority",), "priority_clash",
                    f"Priority {r.priority} is also used by list rule '{lprio[r.priority]}'.")
            lprio.setdefault(r.priority, r.id)
            check_list_condition(r.when, base + ("when",), r.list == "black")
            if r.effective and r.end and r.end < r.effective:
                add(base + ("end",), "bad_dates",
                    f"Rule ends ({r.end}) before it starts ({r.effective}).")
            if r.serious_when is not None:
                check_list_condition(r.serious_when, base + ("serious_when",), r.list == "black")
                if r.serious_duration_months is not None and \
                        r.serious_duration_months < r.duration_months:
                    add(base + ("serious_duration_months",), "bad_value",
                        "A serious entry cannot last less than an ordinary one.")
        bc = rs.lists.black_cap
        if bc.id in ids_seen:
            add(("lists", "black_cap", "id"), "duplicate_id", f"Rule id '{bc.id}' is already used.")
        ids_seen.setdefault(bc.id, -1)
        if bc.grade is not None:
            if bc.grade not in gset:
                add(("lists", "black_cap", "grade"), "unknown_grade",
                    f"Grade '{bc.grade}' is not one of the grades {grade_ids}.")
            elif rs.grade_index[bc.grade] == 0:
                add(("lists", "black_cap", "grade"), "bad_value",
                    "The black cap must be below the top grade.")
            else:
                reachable.add(bc.grade)
    if rs.repair is not None:
        rp = rs.repair
        check_grades(rp.grades, ("repair", "grades"))
        check_lists(rp.lists, ("repair", "lists"))
        if rp.excluded is not None:
            check_match(rp.excluded, ("repair", "excluded"))
    for i, m in enumerate(rs.measures):
        base = ("measures", i)
        if m.id in ids_seen:
            add(base + ("id",), "duplicate_id", f"Rule id '{m.id}' is already used.")
        ids_seen.setdefault(m.id, i)
        check_grades(m.grades, base + ("grades",))
        check_lists(m.lists, base + ("lists",))
        if m.history is not None:
            check_grades(m.history.grades, base + ("history", "grades"))
            check_lists(m.history.lists, base + ("history", "lists"))
        for j, a in enumerate(m.actions):
            if a not in MEASURE_ACTIONS:
                add(base + ("actions", j), "bad_value",
                    f"Action '{a}' is not one of {list(MEASURE_ACTIONS)}.")
        if m.kind == "price" and (m.value is None or not m.unit):
            add(base + ("value",), "missing_key", "A price measure needs 'value' and 'unit'.")
    measure_ids = {m.id for m in rs.measures}
    for i, m in enumerate(rs.measures):
        for j, other in enumerate(m.supersedes):
            if other not in measure_ids or other == m.id:
                add(("measures", i, "supersedes", j), "unknown_measure",
                    f"'{other}' is not another measure of this ruleset.")

    if downgrade and reachable:
        best = min(rs.grade_index[g] for g in reachable)
        reachable |= set(grade_ids[best:])
    for i, g in enumerate(rs.grades):
        if g.id not in reachable and sc.bands:
            add(("grades", i), "unreachable_grade",
                f"Grade '{g.id}' can never be given: no band, veto, cap or downgrade leads to it.")
    return problems


# --------------------------------------------------------------------------------------
# public loading API
# --------------------------------------------------------------------------------------


_D = TypeVar("_D", bound=_Document)


def _parse_document(text: str, file: str, model: type[_D],
                    lint: Callable[[_D, dict[PathT, int], str], list[Problem]],
                    what: str = "ruleset") -> tuple[_D | None, list[Problem]]:
    """Read a YAML document with :class:`_Reader`, validate it with ``model``, then ``lint`` it.

    Returns the document (None if it could not be validated) and every problem found, each
    with file, line and key path; ``what`` names the kind of file in the messages.
    """
    reader = _Reader(file, text)
    data = reader.read()
    early = list(reader.problems)  # duplicate keys: reported, and validation goes on
    if any(p.code == "yaml_syntax" for p in early):
        return None, early
    if not isinstance(data, dict):
        return None, early + [Problem(file, 1, "", "bad_value",
                                      f"A {what} file must be a YAML mapping.")]
    try:
        doc = model.model_validate(data)
    except ValidationError as exc:
        return None, early + _pydantic_problems(exc, data, reader.lines, file, what)
    return doc, early + lint(doc, reader.lines, file)


def _parse(text: str, file: str) -> tuple[Ruleset | None, list[Problem]]:
    return _parse_document(text, file, Ruleset, _lint)


def _lint_document_file(path: str | Path,
                        parse: Callable[[str, str], tuple[Any, list[Problem]]]
                        ) -> list[Problem]:
    """Every problem ``parse`` finds in the file at ``path`` (an unreadable file is one)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(str(p), None, "", "unreadable", f"Cannot read the file: {exc}.")]
    return parse(text, str(p))[1]


def lint_ruleset(path: str | Path) -> list[Problem]:
    """Check a ruleset file and return every problem found (empty when it is valid).

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    list of Problem
        Each with file, line, key path, reason code and message.
    """
    return _lint_document_file(path, _parse)


def _data_dir(name: str) -> Path:
    """A folder of bundled YAML files: ``ecocredit/_<name>`` in an installed package (the
    wheel force-includes it, see pyproject.toml), else ``<name>/`` at the top of a checkout."""
    pkg = resources.files("ecocredit") / f"_{name}"
    if pkg.is_dir():
        return Path(str(pkg))
    return Path(__file__).resolve().parents[2] / name


def _bundled_dir() -> Path:
    return _data_dir("rulesets")


def bundled_rulesets() -> list[Ruleset]:
    """The rulesets shipped with ecocredit, sorted by id.

    Examples
    --------
    >>> [r.id for r in bundled_rulesets()][:1]
    ['anhui-2019']
    """
    return sorted((load_ruleset(p) for p in sorted(_bundled_dir().glob("*.yaml"))),
                  key=lambda r: (r.id, r.valid_from))


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Load, validate and lint a ruleset, by bundled name (``anhui-2019``) or by file path.

    Parameters
    ----------
    name_or_path : str or Path
        A bundled ruleset id, or the path of a YAML file.

    Returns
    -------
    Ruleset

    Raises
    ------
    RulesetError
        With every problem found, each naming file, line and key path.

    Examples
    --------
    >>> rs = load_ruleset("jiangsu-2020")
    >>> rs.grade_ids
    ['green', 'blue', 'yellow', 'red', 'black']
    """
    return _load_document(name_or_path, _bundled_dir(), _parse, RulesetError, "ruleset")


def _load_document(name_or_path: str | Path, folder: Path,
                   parse: Callable[[str, str], tuple[_D | None, list[Problem]]],
                   error: type[RulesetError], what: str) -> _D:
    """Load a document by bundled name (``folder/<name>.yaml``) or by path, parse it, and
    stamp it with the file's SHA-256 and path; raise ``error`` with every problem found."""
    p = Path(name_or_path)
    if not p.suffix and not p.exists():
        cand = folder / f"{name_or_path}.yaml"
        if not cand.exists():
            names = sorted(x.stem for x in folder.glob("*.yaml"))
            code = "unknown_" + what.split()[-1]
            raise error([Problem(str(name_or_path), None, "", code,
                                 f"No bundled {what} is called '{name_or_path}'; "
                                 f"the bundled ones are {names}.")], str(name_or_path))
        p = cand
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise error([Problem(str(p), None, "", "unreadable",
                             f"Cannot read the file: {exc}.")], str(p)) from None
    doc, problems = parse(text, str(p))
    if problems or doc is None:
        raise error(problems, str(p))
    doc._sha256 = hashlib.sha256(raw).hexdigest()
    doc._source = str(p)
    return doc


def ruleset_json_schema() -> dict[str, Any]:
    """The JSON Schema of the ruleset file format (published as ``docs/ruleset.schema.json``)."""
    schema = Ruleset.model_json_schema()
    schema["$id"] = f"https://ecocredit.invalid/ruleset.schema.v{FORMAT_VERSION}.json"
    schema["title"] = "ecocredit ruleset"
    return schema
