"""The per-firm inspection frequency: every firm's supervision class, category and expected
on-site visits per year as an exact decimal, with the reasons, the evidence (event ids, the
grade read) and the citations.

The flow: the inputs validated once (:mod:`.inputs`), the credit levels read from a run's
scores (:mod:`.credit`), the firms classed and categorized (:mod:`.classify`, reading
conditions through :mod:`.conditions`), then each pool's rate and coverage turned into visits
a year (here).

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
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..days import date_of, day_of
from ..read import REJECT_COLUMNS, Prepared
from ..output import csv_bytes
from ..ruleset import Ruleset
from .classify import Categories, categorize, classify
from .conditions import Context
from .credit import CreditLevels, credit_levels
from .inputs import _as_date, _prepare_inputs
from .inspectors import read_inspectors
from .loader import load_policy
from .manifest import policy_manifest, write_with_manifest
from .policy import CREDIT_LEVELS, POLICY_FORMAT, CoverageRule, Policy, RateRule, format_fraction

FREQUENCY_COLUMNS = [
    "firm_id", "name", "region_code", "supervision_class", "class_source", "category",
    "checks_per_year", "reasons", "evidence", "reference", "visit_kind", "coverage",
    "credit_level", "credit_grade", "rules", "as_of", "policy", "policy_version",
]



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
                "firms": len(self.frame),
                "categories": {k: int(v) for k, v in
                               self.frame["category"].value_counts().sort_index().items()},
                "classes_derived": int((self.frame["class_source"] == "derived").sum()),
                "rejects": len(self.rejects),
            })

    def write(self, out_dir: str | Path, inputs: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
        """Write frequency.csv, rejects.csv and manifest.json atomically; return the manifest."""
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


def inspection_frequency(policy: Policy | str | Path, *, as_of: dt.date | str,
                         firms: Any = None, events: Any = None, scores: Any = None,
                         ruleset: Ruleset | str | None = None, inspectors: Any = None,
                         names: Mapping[str, str] | None = None) -> FrequencyResult:
    """Every firm's supervision class, category and expected on-site visits per year.

    The rules are the policy's (data, not code): for the bundled ``jiangxi-2020``, the Jiangxi
    classified supervision of 2020 (江西省生态环境分类监管与“双随机、一公开”抽查, with the
    "20 measures" of differentiated supervision; ``docs/inspection.md`` cites each rule).

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
        The inspection policy (``ecocredit policies`` lists the bundled ones).
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
        ``frame``: one row per accepted firm (n firms × :data:`FREQUENCY_COLUMNS`):
        ``supervision_class`` (A/B/C), ``category``, ``checks_per_year`` (on-site visits a
        year, a decimal written as text, e.g. ``'1.05'``), the reason and its evidence;
        ``rejects``: the input rows that could not be used (:data:`REJECT_COLUMNS`).

    Raises
    ------
    PolicyError
        The policy file is invalid (every problem listed, as :func:`lint_policy` gives them).
    PeriodError
        ``as_of`` is not a date, or lies outside the policy's validity (``valid_from`` ..
        ``valid_to``).
    RulesetError
        ``ruleset`` names a ruleset that cannot be loaded.
    InputError
        A table cannot be read (no such file, not a table, a required column missing), firms
        or events are missing (and ``scores`` is not a ScoreResult), ``scores`` is not a
        ScoreResult, DataFrame or scores.csv path, has no ``grade`` column or mixes rulesets,
        the policy maps no grades of the scores' ruleset (``credit.grade_maps``), or a grade
        has no credit level in the policy. A bad *row* is not an error: it goes to
        ``rejects``.

    Examples
    --------
    >>> import pandas as pd
    >>> from ecocredit.codes import uscc_check_char
    >>> ids = [b + uscc_check_char(b) for b in ("91360102MA35XKQ15", "91360102MA35XKQ23")]
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
        officers = read_inspectors(inspectors).table["county_code"].value_counts().to_dict()
    return frequency_from(pol, prep, credit, day, officers)


def frequency_from(policy: Policy, prep: Prepared, credit: CreditLevels, day: dt.date,
                   officers: Mapping[str, int] | None = None) -> FrequencyResult:
    """:func:`inspection_frequency` on inputs already validated (one date of several).

    Parameters
    ----------
    policy : Policy
        A loaded policy (:func:`load_policy`).
    prep : Prepared
        Firms and events validated by :func:`ecocredit.prepare`.
    credit : CreditLevels
        Each firm's credit level (:func:`credit_levels`), aligned with ``prep.firms``.
    day : date
        The last day whose records count.
    officers : mapping of str to int, optional
        Officers per county code (for a rate written as ``units_per_officer``).

    Returns
    -------
    FrequencyResult
        As :func:`inspection_frequency`; its ``rejects`` are ``prep.rejects``. A rate written
        as ``units_per_officer`` without ``officers`` leaves ``checks_per_year`` empty and
        says so in the reason (nothing is raised).
    """
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
    n = ctx.n
    cls, src, cls_reason, cls_ref = classify(ctx)
    ctx.supervision_class = cls
    cats = categorize(ctx)
    region = ctx._col("region_code").astype(str)
    checks, kind, cov_txt, rate_words = _visits(ctx, region, cls, cats, officers)
    full_reasons, ev_out, ref_out = _explained(ctx, cats, cls_reason, cls_ref, src, rate_words)
    out = pd.DataFrame({
        "firm_id": ctx._col("firm_id"),
        "name": ctx._col("name"),
        "region_code": region.astype(object),
        "supervision_class": cls,
        "class_source": src,
        "category": cats.category,
        "checks_per_year": checks,
        "reasons": np.asarray(full_reasons, dtype=object),
        "evidence": np.asarray(ev_out, dtype=object),
        "reference": np.asarray(ref_out, dtype=object),
        "visit_kind": kind,
        "coverage": cov_txt,
        "credit_level": np.asarray(CREDIT_LEVELS, dtype=object)[ctx.credit.level]
        if n else np.array([], dtype=object),
        "credit_grade": ctx.credit.text,
        "rules": cats.rules,
    })
    out["category_reason"] = cats.reasons
    out["city_code"] = out["region_code"].str[:4] + "00"
    out["firm_idx"] = np.arange(n, dtype=np.int64)
    out["status"] = ctx._col("status")
    return out


def _visits(ctx: Context, region: np.ndarray, cls: np.ndarray, cats: Categories,
            officers: Mapping[str, int] | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Visits a year, visit kind, coverage text and rate words of every firm, computed once per
    pool (county, class, category); the rates' references are added to ``cats.refs``."""
    pol = ctx.policy
    day = date_of(ctx.ref_day)
    n = ctx.n
    category, refs = cats.category, cats.refs
    checks = np.full(n, "", dtype=object)
    kind = np.full(n, "", dtype=object)
    cov_txt = np.full(n, "", dtype=object)
    rate_words = np.full(n, "", dtype=object)
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
    return checks, kind, cov_txt, rate_words


def _explained(ctx: Context, cats: Categories, cls_reason: np.ndarray, cls_ref: np.ndarray,
               src: np.ndarray, rate_words: np.ndarray
               ) -> tuple[list[str], list[str], list[str]]:
    """Every firm's reasons, evidence and references, joined for the frequency table."""
    reasons, pending_notes, refs = cats.reasons, cats.notes, cats.refs
    full_reasons = []
    ev_out = []
    ref_out = []
    for i in range(ctx.n):
        parts = [cls_reason[i]]
        if pending_notes[i]:
            parts.append(pending_notes[i])
        parts.append(reasons[i])
        if rate_words[i]:
            parts.append(rate_words[i])
        full_reasons.append("; ".join(p for p in parts if p))
        ev = list(cats.evidence.get(i, []))
        if ctx.credit.graded[i] or "credit" in reasons[i] or "credit" in pending_notes[i]:
            ev.append("credit: " + str(ctx.credit.text[i]))
        if cats.category[i] == "off_site" or (pending_notes[i] and "positive list" in
                                              pending_notes[i]):
            ev.append("positive_list=true")
        ev_out.append("; ".join(dict.fromkeys(e for e in ev if e)))
        r = refs[i]
        if src[i] == "derived" and cls_ref[i]:
            r = cls_ref[i] + (" | " + r if r else "")
        ref_out.append(" | ".join(dict.fromkeys(x for x in r.split(" | ") if x)))
    return full_reasons, ev_out, ref_out


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
