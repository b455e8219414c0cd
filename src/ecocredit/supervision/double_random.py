"""The double-random draw (双随机、一公开): which firms are checked in a quarter, and by whom.

For a quarter ``YYYYQn`` and a seed, :func:`draw`:

1. puts every firm in its category as the records stood the day before the quarter
   (:func:`~.frequency.inspection_frequency`);
2. draws, per county, class and category (the *pools*), the policy's quota of firms: an annual
   rate is spread over the quarters through cumulative quotas, each quota rounded as the
   policy declares; firms not yet visited in the current coverage cycle (or year) come first,
   ties broken by a uniform random key, so each cycle is a draw without replacement; where a
   class has a coverage aim (every A unit once a year ...), at least
   ``ceil(not yet covered / quarters left in the cycle)`` are drawn, so the aim is met by the
   end of the cycle;
3. draws the city-level checks of routine units from those the county did not draw;
4. assigns ``officers.per_check`` enforcement officers to every check, drawn at random from
   the unit that checks (the firm's county, or the city for city-level checks), never an
   officer with a declared conflict with the firm, not the same pair as the firm's last check
   when another eligible officer exists, and always the least-loaded eligible officers first
   (random among equals), up to each officer's maximum per quarter;
5. reports every check that cannot be staffed (``status = unstaffed``, and one row per unit
   in the shortfall table) instead of silently drawing fewer.

Randomness: ``numpy.random.Generator(PCG64(SeedSequence([seed, year, quarter])))``, firms
sorted by ``firm_id`` and officers by ``inspector_id`` before any draw, so row order never
matters and the same inputs and seed give the same plan, byte for byte. The seed, the input
hashes and the policy hash go into the plan's manifest, so anyone can re-run the draw.

Examples
--------
>>> parse_quarter("2025Q1")
Quarter(label='2025Q1', year=2025, q=1, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import PeriodError
from ..read import REJECT_COLUMNS
from ..output import csv_bytes
from .assign import LOAD_COLUMNS, SHORTFALL_COLUMNS, assign
from .credit import credit_levels
from .frequency import FrequencyResult, frequency_from
from .history import History, plan_history, read_history, visits_before
from .inputs import _prepare_inputs
from .inspectors import Inspectors, read_inspectors, unit_name
from .loader import load_policy
from .manifest import policy_manifest, write_with_manifest
from .policy import Policy
from .quarters import Quarter, parse_quarter
from .selection import select

DRAW_FORMAT = 1
PLAN_COLUMNS = [
    "quarter", "date", "firm_id", "name", "region_code", "county_name", "level", "unit_code",
    "unit_name", "supervision_class", "class_source", "category", "kind", "guidance", "reason",
    "rules", "status", "inspector_ids", "inspector_names", "note",
]
PUBLIC_COLUMNS = [
    "quarter", "firm_id", "name", "region_code", "county_name", "level", "unit_name",
    "supervision_class", "kind", "reason", "status",
]


@dataclass
class DrawResult:
    """The outcome of :func:`draw`.

    Attributes
    ----------
    plan : DataFrame
        One row per check (:data:`PLAN_COLUMNS`), staffed or not.
    public : DataFrame
        The plan without officers (:data:`PUBLIC_COLUMNS`), for publication.
    shortfall : DataFrame
        One row per unit that cannot staff all its checks (:data:`SHORTFALL_COLUMNS`).
    load : DataFrame
        Checks per officer this quarter.
    frequency : FrequencyResult
        The categories the draw used (records as of the day before the quarter).
    rejects : DataFrame
        Input rows that could not be used (firms, events, inspectors, history).
    """

    quarter: Quarter
    seed: int
    policy: Policy
    plan: pd.DataFrame
    public: pd.DataFrame
    shortfall: pd.DataFrame
    load: pd.DataFrame
    frequency: FrequencyResult = field(repr=False)
    rejects: pd.DataFrame = field(repr=False)
    history_counts: dict[str, int] = field(default_factory=dict)
    inspectors_read: int = 0

    def __repr__(self) -> str:
        st = self.plan["status"].value_counts().to_dict()
        return (f"DrawResult(quarter={self.quarter.label!r}, seed={self.seed}, "
                f"policy={self.policy.id!r}, checks={len(self.plan)}, "
                f"staffed={st.get('staffed', 0)}, unstaffed={st.get('unstaffed', 0)})")

    @property
    def has_shortfall(self) -> bool:
        return len(self.shortfall) > 0

    def checks_by_class(self) -> pd.DataFrame:
        """Checks per class (rows) and kind (columns), with totals."""
        t = pd.crosstab(self.plan["supervision_class"], self.plan["kind"], margins=True,
                        margins_name="total")
        return t

    def load_summary(self) -> dict[str, float]:
        """Officers' load this quarter: min, median, max checks per officer (all officers)."""
        c = self.load["checks"].to_numpy()
        if len(c) == 0:
            return {"officers": 0, "min": 0, "median": 0, "max": 0}
        return {"officers": len(c), "min": int(c.min()), "median": float(np.median(c)),
                "max": int(c.max())}

    def load_by_unit(self) -> pd.DataFrame:
        """Officers' load per unit this quarter: officers, checks (two-officer checks count
        once per officer), and the fewest, median and most checks of one officer."""
        g = self.load.groupby("unit_code", sort=True)["checks"]
        out = pd.DataFrame({"officers": g.size(), "officer_checks": g.sum(), "min": g.min(),
                            "median": g.median(), "max": g.max()})
        out.insert(0, "unit_name", [unit_name(u) for u in out.index])
        return out

    def manifest(self, inputs: Mapping[str, Any] | None = None,
                 outputs: Mapping[str, bytes] | None = None) -> dict[str, Any]:
        """The manifest: seed, RNG, policy and input hashes, counts, output hashes."""
        plan = self.plan
        by = {f"{lv}/{c}/{k}": int(n) for (lv, c, k), n in
              plan.groupby(["level", "supervision_class", "kind"]).size().items()}
        st = plan["status"].value_counts()
        return policy_manifest(
            "ecocredit-draw", DRAW_FORMAT, self.policy, inputs, outputs,
            quarter=self.quarter.label,
            as_of=self.frequency.as_of.isoformat(),
            seed=int(self.seed),
            rng=("numpy.random.Generator(PCG64(SeedSequence([seed, year, quarter]))); "
                 "firms sorted by firm_id, officers by inspector_id"),
            numpy=np.__version__,
            credit={"ruleset": self.frequency.credit_ruleset,
                    "period": self.frequency.credit_period},
            counts={
                "firms": len(self.frequency.frame),
                "categories": {k: int(v) for k, v in
                               self.frequency.frame["category"].value_counts().sort_index()
                               .items()},
                "checks": len(plan),
                "staffed": int(st.get("staffed", 0)),
                "unstaffed": int(st.get("unstaffed", 0)),
                "checks_by_level_class_kind": dict(sorted(by.items())),
                "officers_load": self.load_summary(),
                "shortfall_units": len(self.shortfall),
                "rejects": len(self.rejects),
                "history": dict(self.history_counts),
                "inspectors_read": int(self.inspectors_read),
            })

    def files(self) -> dict[str, bytes]:
        """The output files' bytes (Excel-safe CSV, UTF-8 with BOM)."""
        return {"plan.csv": csv_bytes(self.plan[PLAN_COLUMNS]),
                "plan_public.csv": csv_bytes(self.public[PUBLIC_COLUMNS]),
                "shortfall.csv": csv_bytes(self.shortfall[SHORTFALL_COLUMNS]),
                "officer_load.csv": csv_bytes(self.load[LOAD_COLUMNS]),
                "rejects.csv": csv_bytes(self.rejects[REJECT_COLUMNS])}

    def public_workbook(self) -> bytes:
        """``plan_public.xlsx``: the public plan for people (双随机抽查公示), with Chinese
        headers and values (:mod:`ecocredit.output.i18n`), ids kept as text cells."""
        from ..output.i18n import PLAN_PUBLIC_HEADERS, SHEET_NAMES, value
        from ..output.xlsx import xlsx_bytes

        pub = self.public[PUBLIC_COLUMNS].astype(str).copy()
        for c in ("level", "kind", "status"):
            pub[c] = [value(c, v, "zh") for v in pub[c]]
        if "reason_zh" in self.public.columns:  # the reason in Chinese (the catalog's words)
            pub["reason"] = self.public["reason_zh"].astype(str).to_numpy()
        return xlsx_bytes({SHEET_NAMES["plan_public.xlsx"]: pub}, headers=PLAN_PUBLIC_HEADERS)

    def write(self, out_dir: str | Path, inputs: Mapping[str, Any] | None = None,
              lang: str = "en") -> dict[str, Any]:
        """Write plan.csv, plan_public.csv, shortfall.csv, officer_load.csv, rejects.csv and
        manifest.json into ``out_dir`` atomically (the manifest last); returns the manifest.

        With ``lang='zh'`` also ``plan_public.xlsx`` (:meth:`public_workbook`), hashed in the
        manifest like the workbooks of a scoring run; the CSV files are the same in either
        language.

        Raises
        ------
        ValueError
            ``lang`` is not ``en`` or ``zh``.
        OSError
            ``out_dir`` cannot be written.
        """
        from ..output.i18n import check_lang

        files = self.files()
        if check_lang(lang) == "zh":
            files["plan_public.xlsx"] = self.public_workbook()
        return write_with_manifest(out_dir, files, lambda out: self.manifest(inputs, out))


def _rng(seed: int, quarter: Quarter) -> np.random.Generator:
    if int(seed) < 0:
        raise ValueError(f"The seed must be a whole number ≥ 0; got {seed}.")
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([int(seed), quarter.year, quarter.q])))


def draw(policy: Policy | str | Path, quarter: str | Quarter, seed: int, *,
         inspectors: Any, firms: Any = None, events: Any = None, scores: Any = None,
         history: Any = None, ruleset: Any = None, frequency: FrequencyResult | None = None,
         names: Mapping[str, Any] | None = None) -> DrawResult:
    """Draw the firms to check in a quarter and the officers who check them.

    The 双随机、一公开 draw (General Office of the State Council, 国办发〔2015〕58号: random
    firms, random officers, results published); the rates, coverage aims and officer rules
    are the policy's, for ``jiangxi-2020`` the Jiangxi classified supervision of 2020
    (``docs/inspection.md`` cites each one). The steps are in the module's docstring.

    Long because this docstring is the reference of the public draw (every parameter, every
    error, a worked example); the code is a few lines calling one function per step.

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
        The inspection policy (``ecocredit policies`` lists the bundled ones).
    quarter : str or Quarter
        ``YYYYQn`` (also ``YYYY-Qn``); the categories are those of the day before it starts.
    seed : int
        The published seed, a whole number ≥ 0. Same inputs and seed → the same plan, byte
        for byte.
    inspectors : DataFrame or path
        ``inspector_id, name, county_code, conflicts[, max_checks_per_quarter]``; one row per
        enforcement officer (``conflicts``: firm ids separated by ``;``).
    firms, events : DataFrame or path
        The input tables of docs/data-format.md (may be omitted when ``scores`` is a
        ScoreResult, or when ``frequency`` is given).
    scores : ScoreResult, DataFrame or path, optional
        The published credit grades (see :func:`~ecocredit.supervision.inspection_frequency`).
    ruleset : Ruleset or str, optional
        The ruleset of the scores, when they do not name it.
    history : DataFrame, path or list of them, optional
        Earlier checks (``firm_id, date, inspector_ids, kind``), e.g. earlier ``plan.csv``.
    frequency : FrequencyResult, optional
        Categories already computed as of the day before the quarter (skips that step).
    names : mapping, optional
        File names for the rejects table (``firms``, ``events``, ``inspectors``, ``history``).

    Returns
    -------
    DrawResult
        ``plan``: one row per check (checks × :data:`PLAN_COLUMNS`), staffed or not;
        ``public``: the same rows without officers (:data:`PUBLIC_COLUMNS`); ``shortfall``:
        one row per unit that cannot staff all its checks; ``load``: checks per officer;
        ``rejects``: input rows that could not be used.

    Raises
    ------
    PolicyError
        The policy file is invalid.
    PeriodError
        ``quarter`` is not a quarter, lies outside the policy's validity, or ``frequency``
        is not as of the day before the quarter.
    ValueError
        ``seed`` is negative.
    RulesetError
        ``ruleset`` names a ruleset that cannot be loaded.
    InputError
        A table cannot be read (no such file, not a table, a required column missing); firms
        or events are missing without a ScoreResult; ``scores`` is not a ScoreResult, DataFrame
        or scores.csv path, has no ``grade`` column or mixes rulesets; the policy maps no grade
        of its ruleset (``credit.grade_maps``) or a grade to no credit level. (A bad *row* goes
        to ``rejects``.)

    Examples
    --------
    Eight class A units of one county, three officers, the first quarter of 2025:

    >>> from ecocredit.codes import make_uscc
    >>> ids = make_uscc(np.random.default_rng(0), np.array(["360102"] * 8), serials=np.arange(8))
    >>> firms = pd.DataFrame({"firm_id": ids, "name": "企业", "region_code": "360102",
    ...                       "supervision_class": "A"})
    >>> events = pd.DataFrame(columns=["event_id", "firm_id", "event_date", "event_type"])
    >>> officers = pd.DataFrame({"inspector_id": ["P1", "P2", "P3"], "name": ["甲", "乙", "丙"],
    ...                          "county_code": "360102", "conflicts": ""})
    >>> r = draw("jiangxi-2020", "2025Q1", 7, firms=firms, events=events, inspectors=officers)
    >>> len(r.plan), r.plan["status"].unique().tolist()   # ceil(8 × 25%) A units
    (2, ['staffed'])
    """
    pol = load_policy(policy)
    qt = quarter if isinstance(quarter, Quarter) else parse_quarter(quarter)
    pol.check_date(qt.start, f"quarter {qt.label}")
    names = dict(names or {})
    rng = _rng(seed, qt)
    frequency, ins = _categories_and_officers(pol, qt, inspectors, firms, events, scores, ruleset,
                                              frequency, names)
    hist = read_history(history, frequency.frame["firm_id"], qt.start, _history_names(names))
    plan, shortfall, load = _draw_core(pol, qt, rng, frequency.frame, ins, hist)
    public = plan[PUBLIC_COLUMNS + ["reason_zh"]].copy()  # reason_zh: plan_public.xlsx
    return DrawResult(qt, int(seed), pol, plan.drop(columns=["reason_zh"]), public, shortfall,
                      load, frequency, _all_rejects(frequency, ins, hist), _history_counts(hist),
                      ins.rows_read)


def _categories_and_officers(pol: Policy, qt: Quarter, inspectors: Any, firms: Any, events: Any,
                             scores: Any, ruleset: Any, frequency: FrequencyResult | None,
                             names: Mapping[str, Any]) -> tuple[FrequencyResult, Inspectors]:
    """The step before a draw: the firms' categories as of the day before the quarter (from
    the inputs, or the ``frequency`` given, checked to be as of that day) and the officers."""
    as_of = qt.start - dt.timedelta(days=1)
    if frequency is None:
        tn = {k: str(v) for k, v in names.items() if k in ("firms", "events")} or None
        prep, _ = _prepare_inputs(firms, events, scores, ruleset, tn)
        credit = credit_levels(pol, prep.firms["firm_id"].to_numpy(dtype=object), scores,
                               ruleset.id if hasattr(ruleset, "id") else ruleset)
        ins = read_inspectors(inspectors, names.get("inspectors"))
        frequency = frequency_from(pol, prep, credit, as_of,
                                   ins.table["county_code"].value_counts().to_dict())
    else:
        ins = read_inspectors(inspectors, names.get("inspectors"))
        if frequency.as_of != as_of:
            raise PeriodError(f"The frequency given is as of {frequency.as_of}; quarter "
                              f"{qt.label} needs it as of {as_of}.", period=qt.label)
    return frequency, ins


def _history_names(names: Mapping[str, Any]) -> list[str] | None:
    """The file names of the inspection history as given (one name or a list), if any."""
    hnames = names.get("history")
    hnames = [hnames] if isinstance(hnames, (str, Path)) else hnames
    return [str(x) for x in hnames] if hnames else None


def _all_rejects(frequency: FrequencyResult, ins: Inspectors, hist: History) -> pd.DataFrame:
    """The rows of every input a draw could not use: firms and events, officers, history."""
    tables = (frequency.rejects, ins.rejects, hist.rejects)
    rejects = pd.concat([x for x in tables if len(x)], ignore_index=True) if any(
        len(x) for x in tables) else ins.rejects
    return rejects[REJECT_COLUMNS].reset_index(drop=True)


def _history_counts(hist: History) -> dict[str, int]:
    """What became of the inspection history's rows (recorded in the draw's manifest)."""
    return {"rows_read": hist.rows_read, "rows_used": hist.rows_used,
            "rows_later": hist.rows_later, "rows_unstaffed": hist.rows_unstaffed,
            "rows_rejected": hist.rows_rejected}


def _draw_core(pol: Policy, qt: Quarter, rng: np.random.Generator, freq: pd.DataFrame,
               ins: Inspectors, hist: History
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Select the checks, staff them, and lay out the plan (sorted by level, unit, class,
    category, firm). The random keys are drawn first, one per firm and level, in firm_id
    order; the officers' draws follow in :func:`~.assign.assign`."""
    f = freq.sort_values("firm_id", kind="stable").reset_index(drop=True)
    n = len(f)
    key_county = rng.random(n)
    key_city = rng.random(n)
    fid = f["firm_id"].to_numpy(dtype=object)
    region = f["region_code"].to_numpy(dtype=object)
    cls = f["supervision_class"].to_numpy(dtype=object)
    vis = visits_before(pol, qt, hist, fid, cls)
    officers = ins.table["county_code"].value_counts().to_dict()
    checks = select(pol, qt, f, vis, officers, key_county, key_city)
    checks, shortfall, load = assign(pol, qt, rng, checks, f, ins, vis.last_pair)
    p = checks["pos"].to_numpy(dtype=np.int64)
    plan = pd.DataFrame({
        "quarter": qt.label,
        "date": qt.start.isoformat(),
        "firm_id": fid[p],
        "name": f["name"].to_numpy(dtype=object)[p],
        "region_code": region[p],
        "county_name": [unit_name(x) for x in region[p]],
        "level": checks["level"].to_numpy(dtype=object),
        "unit_code": checks["unit_code"].to_numpy(dtype=object),
        "unit_name": [unit_name(x) for x in checks["unit_code"]],
        "supervision_class": cls[p],
        "class_source": f["class_source"].to_numpy(dtype=object)[p],
        "category": checks["category"].to_numpy(dtype=object),
        "kind": checks["kind"].to_numpy(dtype=object),
        "guidance": checks["guidance"].to_numpy(dtype=bool),
        "reason": checks["reason"].to_numpy(dtype=object),
        "reason_zh": checks["reason_zh"].to_numpy(dtype=object),
        "rules": checks["rules"].to_numpy(dtype=object),
        "status": checks["status"].to_numpy(dtype=object),
        "inspector_ids": checks["inspector_ids"].to_numpy(dtype=object),
        "inspector_names": checks["inspector_names"].to_numpy(dtype=object),
        "note": checks["note"].to_numpy(dtype=object),
    })
    cat_order = {c.id: i for i, c in enumerate(pol.categories)}
    lvl = plan["level"].map({"county": 0, "city": 1})
    plan = (plan.assign(_l=lvl, _c=plan["category"].map(cat_order))
            .sort_values(["_l", "unit_code", "supervision_class", "_c", "firm_id"], kind="stable")
            .drop(columns=["_l", "_c"]).reset_index(drop=True))
    return plan, shortfall, load


def draw_quarters(policy: Policy | str | Path, quarters: Sequence[str | Quarter],
                  seeds: int | Sequence[int], *, inspectors: Any, firms: Any = None,
                  events: Any = None, scores: Any = None, history: Any = None,
                  ruleset: Any = None) -> list[DrawResult]:
    """Draw consecutive quarters, each one's staffed checks becoming the next one's history.

    Each quarter is :func:`draw` with the categories as of the day before it and the plans of
    the quarters before it as inspection history, so coverage aims (every A unit once a year
    ...) count the visits already drawn. The inputs are read and validated once.

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
        The inspection policy.
    quarters : sequence of str or Quarter
        The quarters in order (``["2025Q1", "2025Q2"]``), q of them.
    seeds : int or sequence of int
        One seed for every quarter (the quarter is part of the RNG's seed sequence, so the
        quarters still differ) or q seeds, one per quarter; whole numbers ≥ 0.
    inspectors, firms, events, scores, ruleset
        As for :func:`draw`.
    history : DataFrame, path or list of them, optional
        Checks made before the first quarter.

    Returns
    -------
    list of DrawResult
        q results, in the order of ``quarters``.

    Raises
    ------
    ValueError
        ``seeds`` is a sequence whose length is not the number of quarters, or a seed is
        negative.
    PolicyError, PeriodError, RulesetError, InputError
        As for :func:`draw` (a quarter outside the policy's validity is a PeriodError).

    Examples
    --------
    >>> from ecocredit.codes import make_uscc
    >>> ids = make_uscc(np.random.default_rng(0), np.array(["360102"] * 8), serials=np.arange(8))
    >>> firms = pd.DataFrame({"firm_id": ids, "name": "企业", "region_code": "360102",
    ...                       "supervision_class": "A"})
    >>> events = pd.DataFrame(columns=["event_id", "firm_id", "event_date", "event_type"])
    >>> officers = pd.DataFrame({"inspector_id": ["P1", "P2"], "name": ["甲", "乙"],
    ...                          "county_code": "360102", "conflicts": ""})
    >>> rs = draw_quarters("jiangxi-2020", ["2025Q1", "2025Q2"], 7, firms=firms, events=events,
    ...                    inspectors=officers)
    >>> [len(r.plan) for r in rs]   # 8 A units, 25% a quarter: 2 each, none drawn twice
    [2, 2]
    >>> set(rs[0].plan["firm_id"]) & set(rs[1].plan["firm_id"])
    set()
    >>> draw_quarters("jiangxi-2020", ["2025Q1", "2025Q2"], [7], firms=firms, events=events,
    ...               inspectors=officers)
    Traceback (most recent call last):
    ...
    ValueError: 2 quarters need 2 seeds; got 1.
    """
    pol = load_policy(policy)
    qs = [q if isinstance(q, Quarter) else parse_quarter(q) for q in quarters]
    ss = _seeds(seeds, len(qs))
    prep, _ = _prepare_inputs(firms, events, scores, ruleset, None)
    credit = credit_levels(pol, prep.firms["firm_id"].to_numpy(dtype=object), scores,
                           ruleset.id if hasattr(ruleset, "id") else ruleset)
    ins = read_inspectors(inspectors)
    officers = ins.table["county_code"].value_counts().to_dict()
    hist: list[Any] = []
    if history is not None:
        hist = list(history) if isinstance(history, (list, tuple)) else [history]
    out = []
    for q, s in zip(qs, ss):
        fr = frequency_from(pol, prep, credit, q.start - dt.timedelta(days=1), officers)
        r = draw(pol, q, s, inspectors=ins, history=hist, frequency=fr)
        out.append(r)
        hist = hist + [plan_history(r.plan)]
    return out


def _seeds(seeds: int | Sequence[int], n: int) -> list[int]:
    """One seed per quarter: the one seed given for all of them, or the n given.

    Raises
    ------
    ValueError
        A sequence whose length is not ``n``.
    """
    ss = [int(seeds)] * n if isinstance(seeds, (int, np.integer)) else [int(s) for s in seeds]
    if len(ss) != n:
        raise ValueError(f"{n} quarters need {n} seeds; got {len(ss)}.")
    return ss
