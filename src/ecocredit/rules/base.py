"""What every rule kind shares: the strict pydantic base, labels, citations, and the
:class:`RuleKind` record by which a kind declares its model, lint, compile step and both engines.

A rule kind never imports :mod:`ecocredit.ruleset` (the file format imports the kinds, through
:mod:`ecocredit.rules.registry`); whatever a kind needs of the ruleset it gets from its callers
(the :class:`LintContext` of the linter, the plan of :mod:`ecocredit.engine.compile`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..points import to_cents

__all__ = ["Model", "Text", "Reference", "Cited", "RuleBase", "PathT", "LintContext",
           "RuleKind"]

PathT = tuple[Union[str, int], ...]


class Model(BaseModel):
    """Strict and frozen: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Model):
    """A label in Chinese, with an English rendering."""

    zh: str = Field(min_length=1)
    en: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, v: Any) -> Any:
        return {"zh": v} if isinstance(v, str) else v

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})" if self.en else self.zh


class Reference(Model):
    """The legal citation of a rule: document, article, and a link where one exists."""

    document: str = Field(min_length=1, description="Title and number of the document.")
    article: str = Field("", description="Article, annex item or section.")
    url: str = ""
    url_kind: Literal["official", "secondary"] | None = Field(
        None, description="What the url is: 'official' (the text as a government body publishes "
        "it on its own site, *.gov.cn) or 'secondary' (a news report, repost, aggregator or "
        "mirror). Required with a url (lint code url_kind).")
    note: str = Field("", description="Where the text was read, if not the document itself.")

    def __str__(self) -> str:
        parts = [self.document + (f" {self.article}" if self.article else "")]
        if self.url:
            parts.append(self.url)
        return " ".join(parts)


class Cited(Model):
    """What every rule-like record carries: an id, a label, a citation and its caveats."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    label: Text
    reference: Reference
    description: str = ""
    assumption: str = Field("", description="What had to be assumed where the source is silent.")


class RuleBase(Cited):
    effective: dt.date | None = None
    end: dt.date | None = None


@dataclass
class LintContext:
    """What a kind's lint reads of the ruleset, and where it records what it finds.

    ``add(path, code, message)`` records a problem; ``reachable`` collects the grades some band
    or rule can give, ``downgrade`` is set when a downgrade can lower any grade, ``priorities``
    maps an override priority to the first rule that uses it.
    """

    ruleset: Any
    add: Callable[[PathT, str, str], None]
    check_match: Callable[[Any, PathT], None]
    reachable: set[str] = field(default_factory=set)
    downgrade: bool = False
    priorities: dict[int, str] = field(default_factory=dict)
    list_priorities: dict[int, str] = field(default_factory=dict)

    @property
    def grade_ids(self) -> list[str]:
        return self.ruleset.grade_ids

    def check_cents(self, value: Decimal, path: PathT) -> None:
        """Points must be held exactly in hundredths."""
        try:
            to_cents(value)
        except ValueError:
            self.add(path, "inexact_points",
                     f"{value} points cannot be held exactly in hundredths of a point.")


Stage = Literal["points", "override", "list", "black_cap"]


@dataclass(frozen=True)
class RuleKind:
    """One rule kind, as the registry lists it.

    Attributes
    ----------
    name : str
        The ``kind`` tag in the YAML file.
    model : type
        Its pydantic model.
    stage : str
        When it acts: ``points`` (in the order listed), ``override`` (by priority, after the
        bands), ``list`` (list entries, after the overrides), ``black_cap`` (last).
    section : str
        Where its rules are written in a ruleset file.
    lint : callable
        ``lint(rule, path, ctx: LintContext)``: the checks the model cannot make.
    compile : callable
        ``compile(rule, plan) -> compiled``: the rule's integers for the plan.
    apply : callable
        The vectorized form: ``apply(compiled, state)`` on whole columns.
    reference : callable
        The reference form: ``reference(compiled, firm_state)`` on one firm, plain Python.
    summary : str
        One line for the table of kinds in docs/rulesets.md.
    used_by : str
        Which regulations (bundled rulesets) use it.
    begin, finish, reference_begin, reference_finish : callable, optional
        Steps of the kind's stage before its first rule and after its last, in each engine
        (the list stage reads the history before and picks the list in force after).
    """

    name: str
    model: type
    stage: Stage
    section: str
    lint: Callable[..., None]
    compile: Callable[..., Any]
    apply: Callable[..., Any]
    reference: Callable[..., Any]
    summary: str
    used_by: str
    begin: Callable[..., None] | None = None
    finish: Callable[..., None] | None = None
    reference_begin: Callable[..., None] | None = None
    reference_finish: Callable[..., None] | None = None
