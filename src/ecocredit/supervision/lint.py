"""The inspection policy's own lint checks (after the document model has validated).

Known event types and groups, unique rule ids, one county rate per class, coverage cycles that
start in time, categories in a sensible order, grade maps that cover the bundled rulesets'
grades, case facts only in discretion factors. Every problem names file, line and key path; the
problems come in the order of the file's sections.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ..errors import Problem, RulesetError
from ..rules.base import PathT
from ..ruleset import load_ruleset
from ..ruleset.lint import check_rule_dates as _check_rule_dates
from ..ruleset.loader import bundled_dir as _bundled_dir
from ..ruleset.reader import format_path
from ..ruleset.reader import line_for as _line_for
from ..vocab import EVENT_TYPES, SEVERITIES, SUPERVISION_CLASSES
from .policy import Condition, Policy


class _Linter:
    """The problems found so far, and the checks every section shares."""

    def __init__(self, p: Policy, lines: dict[PathT, int], file: str) -> None:
        self.p = p
        self.lines = lines
        self.file = file
        self.problems: list[Problem] = []
        self.gids: dict[str, int] = {}
        self.seen: dict[str, str] = {}

    def add(self, path: PathT, code: str, msg: str) -> None:
        self.problems.append(Problem(self.file, _line_for(self.lines, path), format_path(path),
                                     code, msg))

    def known_types(self, types: list[str], path: PathT) -> None:
        for k in (k for k, t in enumerate(types) if t not in EVENT_TYPES):
            self.add(path + (k,), "unknown_event_type",
                     f"Event type '{types[k]}' is not an event type of docs/data-format.md.")

    def known_group(self, group: str | None, path: PathT) -> None:
        if group is not None and group not in self.gids:
            self.add(path, "unknown_group",
                     f"Event group '{group}' is not declared in event_groups.")

    def check_cond(self, c: Condition, base: PathT, allow_case: bool) -> None:
        for j, ec in enumerate(c.events):
            ep = base + ("events", j)
            self.known_group(ec.group, ep + ("group",))
            self.known_types(ec.types, ep + ("types",))
            for k in (k for k, x in enumerate(ec.severity or []) if x not in SEVERITIES):
                self.add(ep + ("severity", k), "bad_value",
                         f"Severity '{ec.severity[k]}' is not one of {', '.join(SEVERITIES)}.")
        if c.case is not None and not allow_case:
            self.add(base + ("case",), "case_outside_discretion",
                     "'case' describes a new violation; only discretion factors may use it.")
        elif c.case is not None:
            self.known_group(c.case.group, base + ("case", "group"))
            self.known_types(c.case.types, base + ("case", "types"))

    def check_dates(self, r: Any, base: PathT) -> None:
        _check_rule_dates(self.add, r, base, self.p, "policy")

    def unique(self, rid: str, path: PathT) -> None:
        """Rule ids are unique across the file."""
        if rid in self.seen:
            self.add(path, "duplicate_id", f"Rule id '{rid}' is already used by {self.seen[rid]}.")
        else:
            self.seen[rid] = format_path(path[:-1])


def lint(p: Policy, lines: dict[PathT, int], file: str) -> list[Problem]:
    """Every problem of a validated policy ``p`` (``lines``: key path → line in ``file``)."""
    li = _Linter(p, lines, file)
    for i, g in enumerate(p.event_groups):
        if g.id in li.gids:
            li.add(("event_groups", i, "id"), "duplicate_id",
                   f"Event group '{g.id}' is already declared by event_groups[{li.gids[g.id]}].")
        li.gids.setdefault(g.id, i)
        li.known_types(g.types, ("event_groups", i, "types"))
    if p.valid_to is not None and p.valid_to < p.valid_from:
        li.add(("valid_to",), "bad_dates", f"valid_to {p.valid_to} is before valid_from "
               f"{p.valid_from}.")
    for section in (_credit, _classification, _rates, _coverage, _categories, _discretion):
        section(li, p)
    return li.problems


def _credit(li: _Linter, p: Policy) -> None:
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
                    li.add(("credit", "grade_maps", i, "levels"), "unmapped_grade",
                           f"Grades {', '.join(missing)} of ruleset '{rid}' have no credit level.")
                if extra:
                    li.add(("credit", "grade_maps", i, "levels"), "unknown_grade",
                           f"Grades {extra} are not grades of ruleset '{rid}' {rs.grade_ids}.")


def _classification(li: _Linter, p: Policy) -> None:
    for i, r in enumerate(p.classification.rules):
        base = ("classification", "rules", i)
        li.unique(r.id, base + ("id",))
        li.check_dates(r, base)
        for j, c in enumerate(r.when):
            li.check_cond(c, base + ("when", j), False)
            if c.classes is not None:
                li.add(base + ("when", j, "classes"), "bad_value",
                       "A classification rule cannot read the class it assigns.")


def _rates(li: _Linter, p: Policy) -> None:
    pairs: dict[tuple[str, str], int] = {}
    for i, r in enumerate(p.rates):
        base = ("rates", i)
        li.unique(r.id, base + ("id",))
        li.check_dates(r, base)
        key = (r.class_, r.level)
        if key in pairs and r.effective is None and p.rates[pairs[key]].effective is None:
            li.add(base + ("class",), "duplicate_rate",
                   f"Class {r.class_} already has a {r.level} rate in rates[{pairs[key]}].")
        pairs.setdefault(key, i)
        if r.units_per_officer is not None and r.level != "county":
            li.add(base + ("units_per_officer",), "bad_value",
                   "A rate per officer is a county-level rate (the county's officers and units).")
    for cls in SUPERVISION_CLASSES:
        if (cls, "county") not in pairs:
            li.add(("rates",), "missing_rate",
                   f"Class {cls} has no county-level rate; every class needs one.")


def _coverage(li: _Linter, p: Policy) -> None:
    cov_classes: dict[str, int] = {}
    counts_rules = 0
    for i, c in enumerate(p.coverage):
        base = ("coverage", i)
        li.unique(c.id, base + ("id",))
        li.check_dates(c, base)
        if c.counts is not None:
            counts_rules += 1
            if counts_rules > 1:
                li.add(base + ("counts",), "duplicate_rate",
                       "Only one coverage rule may say which visits count.")
            continue
        if c.class_ in cov_classes:
            li.add(base + ("class",), "duplicate_rate", f"Class {c.class_} already has a "
                   f"coverage rule in coverage[{cov_classes[c.class_]}].")
        cov_classes.setdefault(c.class_, i)
        if c.anchor_year is not None and c.anchor_year > p.valid_from.year:
            li.add(base + ("anchor_year",), "bad_dates",
                   f"The first cycle starts in {c.anchor_year}, after the policy does "
                   f"({p.valid_from.year}); the years before it would have no cycle.")


def _categories(li: _Linter, p: Policy) -> None:
    cat_seen: dict[str, int] = {}
    for i, c in enumerate(p.categories):
        base = ("categories", i)
        if c.id in cat_seen:
            li.add(base + ("id",), "duplicate_id",
                   f"Category '{c.id}' is already declared by categories[{cat_seen[c.id]}].")
        cat_seen.setdefault(c.id, i)
        li.check_dates(c, base)
        for j, cond in enumerate(c.when):
            li.check_cond(cond, base + ("when", j), False)
        for j, cond in enumerate(c.unless):
            li.check_cond(cond, base + ("unless", j), False)
        _category_shape(li, c, base, i == len(p.categories) - 1)
    if "routine" not in cat_seen:
        li.add(("categories",), "missing_key", "The categories need a final 'routine' category "
               "(the fallback).")


def _category_shape(li: _Linter, c: Any, base: PathT, last: bool) -> None:
    """What a category of its id must (not) say: fallback, assistance, no on-site draw."""
    add = li.add
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


def _discretion(li: _Linter, p: Policy) -> None:
    for i, d in enumerate(p.discretion):
        base = ("discretion", i)
        li.unique(d.id, base + ("id",))
        li.check_dates(d, base)
        for j, cond in enumerate(d.when):
            li.check_cond(cond, base + ("when", j), True)
