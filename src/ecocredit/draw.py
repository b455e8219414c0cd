"""The double-random draw (双随机、一公开): which firms are checked in a quarter, and by whom.

For a quarter ``YYYYQn`` and a seed, :func:`draw`:

1. puts every firm in its category as the records stood the day before the quarter
   (:func:`ecocredit.inspection.inspection_frequency`);
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
import hashlib
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .codes import CITY_NAMES, JIANGXI_COUNTIES, valid_region_mask
from .errors import InputError, PeriodError
from .ingest import REJECT_COLUMNS
from .days import day_of
from .inspection import (
    VISIT_KINDS,
    FrequencyResult,
    Policy,
    _prepare_inputs,
    _read_csv_any,
    credit_levels,
    format_fraction,
    frequency_from,
    load_policy,
    policy_manifest,
    write_with_manifest,
)
from .reports import csv_bytes

__all__ = [
    "Quarter",
    "parse_quarter",
    "quarter_quota",
    "coverage_quota",
    "draw",
    "draw_quarters",
    "DrawResult",
    "Inspectors",
    "read_inspectors",
    "read_history",
    "plan_history",
    "PLAN_COLUMNS",
    "PUBLIC_COLUMNS",
    "SHORTFALL_COLUMNS",
]

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
SHORTFALL_COLUMNS = [
    "quarter", "unit_code", "unit_name", "level", "officers", "capacity", "required_checks",
    "officer_slots_needed", "staffed", "unstaffed", "reason",
]
LOAD_COLUMNS = ["quarter", "inspector_id", "name", "unit_code", "checks", "max_checks"]

_INSPECTOR_ALIASES = {"执法人员编号": "inspector_id", "编号": "inspector_id", "姓名": "name",
                      "单位代码": "county_code", "所属单位": "county_code",
                      "行政区划代码": "county_code", "回避企业": "conflicts",
                      "每季度最多检查": "max_checks_per_quarter"}
_HISTORY_ALIASES = {"统一社会信用代码": "firm_id", "检查日期": "date", "日期": "date",
                    "执法人员": "inspector_ids", "检查类型": "kind"}
_COUNTY_NAMES = dict(JIANGXI_COUNTIES)


def unit_name(code: str) -> str:
    """The name of a county (``360102`` → 东湖区) or a city unit (``360100`` → 南昌市)."""
    if code in _COUNTY_NAMES:
        return _COUNTY_NAMES[code]
    if code.endswith("00") and code[:4] in CITY_NAMES:
        return CITY_NAMES[code[:4]]
    return code


# --------------------------------------------------------------------------------------
# quarters
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter."""

    label: str
    year: int
    q: int
    start: dt.date
    end: dt.date

    def shift(self, k: int) -> "Quarter":
        """The quarter ``k`` quarters later (earlier if negative)."""
        i = self.year * 4 + self.q - 1 + k
        return parse_quarter(f"{i // 4}Q{i % 4 + 1}")


def parse_quarter(text: str) -> Quarter:
    """Parse ``2025Q1`` (also ``2025-Q1``, ``2025q1``).

    Raises
    ------
    PeriodError
        If the text is not a quarter.
    """
    m = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", str(text))
    if not m:
        raise PeriodError(f"A quarter is written YYYYQn (e.g. 2025Q1); got {text!r}.",
                          period=str(text))
    y, q = int(m.group(1)), int(m.group(2))
    start = dt.date(y, 3 * q - 2, 1)
    end = (dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)) - dt.timedelta(days=1)
    return Quarter(f"{y}Q{q}", y, q, start, end)


# --------------------------------------------------------------------------------------
# inspectors and inspection history
# --------------------------------------------------------------------------------------


class _Rej:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, file: str, rows: Iterable[int], column: str, code: str, values: Iterable[Any],
            message: str) -> None:
        for r, v in zip(rows, values):
            self.rows.append({"file": file, "row": int(r) + 1, "column": column,
                              "reason_code": code, "value": str(v), "message": message})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=REJECT_COLUMNS)
        df["row"] = df["row"].astype(np.int64)
        return df


def _table(obj: Any, what: str, aliases: Mapping[str, str]) -> tuple[pd.DataFrame, str]:
    if isinstance(obj, (str, Path)):
        df, name = _read_csv_any(obj, what), str(obj)
    elif isinstance(obj, pd.DataFrame):
        from .ingest import _as_strings
        df, name = _as_strings(obj.reset_index(drop=True)), what
    else:
        raise InputError(f"The {what} must be a DataFrame or a file path; got "
                         f"{type(obj).__name__}.", reason_code="bad_input")
    df = df.rename(columns=lambda c: aliases.get(str(c).strip(), str(c).strip().lower()))
    return df, name


def _split_ids(s: str, upper: bool = False) -> tuple[str, ...]:
    parts = re.split(r"[;；,，\s]+", str(s).strip())
    return tuple(p.upper() if upper else p for p in parts if p)


@dataclass
class Inspectors:
    """Validated enforcement officers.

    Attributes
    ----------
    table : DataFrame
        ``inspector_id, name, county_code, conflicts`` (frozenset of firm ids),
        ``max_checks_per_quarter`` (int, 0 = the policy's default), sorted by inspector_id.
    rejects : DataFrame
    rows_read : int
    """

    table: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    file: str = "inspectors"


def read_inspectors(obj: Any, name: str | None = None) -> Inspectors:
    """Read and validate the inspectors table.

    Columns: ``inspector_id``, ``name``, ``county_code`` (6-digit code of the unit the officer
    belongs to: a county, or a city unit ``CCCC00``), ``conflicts`` (``;``-separated firm ids
    the officer must never check), optional ``max_checks_per_quarter``. Bad rows go to the
    rejects (file, row, column, reason_code, value, message); only a missing column raises.

    Examples
    --------
    >>> t = pd.DataFrame({"inspector_id": ["P1", "P2", "P2"], "name": ["张", "李", "王"],
    ...                   "county_code": ["360102", "36010", "360102"], "conflicts": ""})
    >>> ins = read_inspectors(t)
    >>> ins.table["inspector_id"].tolist(), ins.rejects["reason_code"].tolist()
    (['P1'], ['bad_region_code', 'duplicate_id'])
    """
    if isinstance(obj, Inspectors):
        return obj
    df, file = _table(obj, "inspectors", _INSPECTOR_ALIASES)
    file = name or file
    for c in ("inspector_id", "name", "county_code"):
        if c not in df.columns:
            raise InputError(f"{file}: the required column '{c}' is missing from the inspectors "
                             f"table; found {list(df.columns)}.", file=file, column=c,
                             reason_code="missing_column")
    for c in ("conflicts", "max_checks_per_quarter"):
        if c not in df.columns:
            df[c] = ""
    rej = _Rej()
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    for c in ("inspector_id", "name", "county_code"):
        df[c] = df[c].astype(str).str.strip()
        e = (df[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(e), c, "missing_value", df[c][e],
                f"The required value '{c}' is empty.")
        bad |= e
    code = df["county_code"]
    okc = valid_region_mask(code.to_numpy()) | (code == "").to_numpy()
    rej.add(file, np.flatnonzero(~okc), "county_code", "bad_region_code", code[~okc],
            "Not a 6-digit GB/T 2260 code of a county or city unit.")
    bad |= ~okc
    dup = (df["inspector_id"].duplicated() & (df["inspector_id"] != "")).to_numpy()
    rej.add(file, np.flatnonzero(dup), "inspector_id", "duplicate_id", df["inspector_id"][dup],
            "The same inspector_id is on an earlier data row.")
    bad |= dup
    mx = df["max_checks_per_quarter"].astype(str).str.strip()
    num = pd.to_numeric(mx.where(mx != "", "0"), errors="coerce")
    okm = (num.notna() & (num >= 0) & (num == num.round())).to_numpy() | (mx == "").to_numpy()
    rej.add(file, np.flatnonzero(~okm), "max_checks_per_quarter", "bad_number", mx[~okm],
            "Must be a whole number of checks, at least 1 (or empty for the policy's default).")
    bad |= ~okm
    ok = ~bad
    t = pd.DataFrame({
        "inspector_id": df["inspector_id"][ok].to_numpy(dtype=object),
        "name": df["name"][ok].to_numpy(dtype=object),
        "county_code": df["county_code"][ok].to_numpy(dtype=object),
        "conflicts": [frozenset(_split_ids(x, upper=True)) for x in df["conflicts"][ok]],
        "max_checks_per_quarter": num[ok].fillna(0).astype(np.int64).to_numpy(),
    }).sort_values("inspector_id", kind="stable").reset_index(drop=True)
    return Inspectors(t, rej.frame(), n, file)


@dataclass
class History:
    """Inspection history rows usable for a quarter (before it starts)."""

    table: pd.DataFrame   # firm_id, day, inspector_ids (tuple), kind
    rejects: pd.DataFrame
    rows_read: int
    rows_used: int
    rows_later: int
    rows_unstaffed: int
    files: list[str] = field(default_factory=list)


def read_history(objs: Any, firm_ids: Iterable[str], before: dt.date | None = None,
                 names: Sequence[str] | None = None) -> History:
    """Read the inspection history: ``firm_id, date, inspector_ids (';'), kind``.

    ``objs`` is a table or path, or a list of them (e.g. earlier quarters' ``plan.csv``: their
    extra columns are ignored, and rows with ``status = unstaffed`` are skipped as checks that
    did not happen). Rows dated on or after ``before`` are not used (not rejected either).
    ``kind`` is ``random``, ``special`` or ``assistance`` (empty: random).
    """
    if objs is None:
        objs = []
    if isinstance(objs, (str, Path, pd.DataFrame)):
        objs = [objs]
    known = pd.Index(sorted({str(f) for f in firm_ids}))
    parts = []
    rej = _Rej()
    read = later = unstaffed = 0
    files = []
    for k, obj in enumerate(objs):
        df, file = _table(obj, "inspection history", _HISTORY_ALIASES)
        if names and k < len(names):
            file = names[k]
        files.append(file)
        for c in ("firm_id", "date"):
            if c not in df.columns:
                raise InputError(f"{file}: the required column '{c}' is missing from the "
                                 f"inspection history; found {list(df.columns)}.", file=file,
                                 column=c, reason_code="missing_column")
        for c in ("inspector_ids", "kind", "status"):
            if c not in df.columns:
                df[c] = ""
        n = len(df)
        read += n
        bad = np.zeros(n, dtype=bool)
        fid = df["firm_id"].astype(str).str.strip().str.upper()
        unk = (known.get_indexer(fid) < 0)
        rej.add(file, np.flatnonzero(unk), "firm_id", "unknown_firm", fid[unk],
                "No accepted firm has this firm_id (check the firms table and its rejects).")
        bad |= unk
        ds = df["date"].astype(str).str.strip()
        parsed = pd.to_datetime(ds, format="%Y-%m-%d", errors="coerce")
        okd = parsed.notna().to_numpy() & (ds.str.len() == 10).to_numpy()
        rej.add(file, np.flatnonzero(~okd), "date", "bad_date", ds[~okd],
                "Not a date in the form YYYY-MM-DD.")
        bad |= ~okd
        kind = df["kind"].astype(str).str.strip().str.lower().replace("", "random")
        okk = kind.isin(VISIT_KINDS).to_numpy()
        rej.add(file, np.flatnonzero(~okk), "kind", "bad_value", df["kind"][~okk],
                f"'kind' must be one of {list(VISIT_KINDS)} (or empty for random).")
        bad |= ~okk
        skip = (df["status"].astype(str).str.strip().str.lower() == "unstaffed").to_numpy() & ~bad
        unstaffed += int(skip.sum())
        days = np.zeros(n, dtype=np.int64)
        if okd.any():
            days[okd] = (parsed[okd].to_numpy(dtype="datetime64[D]")
                         - np.datetime64("1970-01-01", "D")).astype(np.int64)
        late = ~bad & ~skip & (days >= day_of(before)) if before is not None else \
            np.zeros(n, dtype=bool)
        later += int(late.sum())
        use = ~bad & ~skip & ~late
        parts.append(pd.DataFrame({
            "firm_id": fid[use].to_numpy(dtype=object),
            "day": days[use],
            "inspector_ids": [_split_ids(x) for x in df["inspector_ids"][use]],
            "kind": kind[use].to_numpy(dtype=object),
        }))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"firm_id": pd.Series(dtype=object), "day": pd.Series(dtype=np.int64),
         "inspector_ids": pd.Series(dtype=object), "kind": pd.Series(dtype=object)})
    return History(table, rej.frame(), read, len(table), later, unstaffed, files)


def plan_history(plan: pd.DataFrame) -> pd.DataFrame:
    """The staffed checks of a plan as inspection-history rows (firm_id, date, inspector_ids,
    kind), to feed the next quarter's draw."""
    p = plan[plan["status"] == "staffed"]
    return pd.DataFrame({"firm_id": p["firm_id"].to_numpy(dtype=object),
                         "date": p["date"].to_numpy(dtype=object),
                         "inspector_ids": p["inspector_ids"].to_numpy(dtype=object),
                         "kind": p["kind"].to_numpy(dtype=object)})


# --------------------------------------------------------------------------------------
# the draw
# --------------------------------------------------------------------------------------


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
        return {"officers": int(len(c)), "min": int(c.min()), "median": float(np.median(c)),
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
                "firms": int(len(self.frequency.frame)),
                "categories": {k: int(v) for k, v in
                               self.frequency.frame["category"].value_counts().sort_index()
                               .items()},
                "checks": int(len(plan)),
                "staffed": int(st.get("staffed", 0)),
                "unstaffed": int(st.get("unstaffed", 0)),
                "checks_by_level_class_kind": dict(sorted(by.items())),
                "officers_load": self.load_summary(),
                "shortfall_units": int(len(self.shortfall)),
                "rejects": int(len(self.rejects)),
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

    def write(self, out_dir: str | Path, inputs: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
        """Write plan.csv, plan_public.csv, shortfall.csv, officer_load.csv, rejects.csv and
        manifest.json into ``out_dir`` atomically (the manifest last); returns the manifest."""
        return write_with_manifest(out_dir, self.files(), lambda out: self.manifest(inputs, out))


def _rng(seed: int, quarter: Quarter) -> np.random.Generator:
    if int(seed) < 0:
        raise ValueError(f"The seed must be a whole number ≥ 0; got {seed}.")
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence([int(seed), quarter.year, quarter.q])))


def _offset(key: str) -> Fraction:
    """A fixed offset in [0, 1) for systematic rounding, from a pool's key and year (the same
    in every quarter of the year, different between pools)."""
    return Fraction(int(hashlib.sha256(key.encode()).hexdigest()[:12], 16), 16 ** 12)


def quarter_quota(pol: Policy, share: Fraction, per: str, n: int, qt: Quarter,
                  pool: str = "") -> int:
    """Units of a pool of ``n`` to draw in quarter ``qt`` at ``share`` per quarter or year.

    A quarterly rate is a minimum every quarter: by the end of quarter q at least
    ``round(n × share × q)`` units have been drawn this year (the policy's rounding, applied
    cumulatively). A yearly rate is a minimum over the year: its target ``T = round(n × share)``
    is spread over the quarters, ``cumulative`` (``round(T × q / 4)`` by quarter q) or
    ``systematic`` (``floor(T × q / 4 + u)``, ``u`` the pool's offset in [0, 1) for the year, so
    pools with less than a unit a quarter do not all fall in the same quarter); either way
    exactly ``T`` in the year.

    Examples
    --------
    >>> pol = load_policy("jiangxi-2020")
    >>> [quarter_quota(pol, Fraction(1, 4), "quarter", 7, parse_quarter(f"2025Q{q}"))
    ...  for q in (1, 2, 3, 4)]                    # ceil(7 × 0.25 × q) - ceil(7 × 0.25 × (q-1))
    [2, 2, 2, 1]
    >>> sum(quarter_quota(pol, Fraction(1, 2), "year", 9, parse_quarter(f"2025Q{q}"), "x")
    ...     for q in (1, 2, 3, 4))                 # ceil(9 × 0.5) = 5 in the year
    5
    """
    q = qt.q
    if per == "quarter":
        return max(0, pol.round_units(share * n * q) - pol.round_units(share * n * (q - 1)))
    target = pol.round_units(share * n)
    return _spread(pol, target, q, 4, f"{qt.year}|{pool}")


def _spread(pol: Policy, target: int, k: int, length: int, key: str) -> int:
    """Units due in step ``k`` (1-based) of ``length`` for ``target`` units in all."""
    def cum(j: int) -> int:
        if j <= 0:
            return 0
        if j >= length:
            return target
        if pol.quota.spread == "cumulative":
            return pol.round_units(Fraction(target * j, length))
        return math.floor(Fraction(target * j, length) + _offset(key))
    return max(0, cum(k) - cum(k - 1))


def coverage_quota(uncovered: int, quarters_left: int, offset: Fraction | None = None) -> int:
    """Units of a pool to draw this quarter for its coverage aim.

    The units not yet visited in the cycle are spread evenly over the quarters left (this one
    included): ``ceil(uncovered / quarters_left)`` (the policy's ``spread: cumulative``), or
    ``floor(uncovered / quarters_left + offset)`` with the pool's fixed offset in [0, 1)
    (``spread: systematic``), so that the many pools of one or two units do not all fall in the
    first quarter. Either way every unit is visited by the end of the cycle (in the last quarter
    the quota is all that is left) and a gap in the history is caught up evenly.

    Examples
    --------
    >>> coverage_quota(2, 1)               # the last quarter of the cycle: the two left
    2
    >>> [coverage_quota(u, k) for u, k in ((10, 4), (7, 3), (4, 2), (2, 1))]
    [3, 3, 2, 2]
    >>> [coverage_quota(1, k, Fraction(3, 5)) for k in (4, 3, 2)]  # one unit: due in the 3rd
    [0, 0, 1]
    """
    if quarters_left < 1:
        raise ValueError(f"quarters_left must be at least 1; got {quarters_left}.")
    if offset is None:
        return -(-max(0, uncovered) // quarters_left)
    return math.floor(Fraction(max(0, uncovered), quarters_left) + offset)


def draw(policy: Policy | str | Path, quarter: str | Quarter, seed: int, *,
         inspectors: Any, firms: Any = None, events: Any = None, scores: Any = None,
         history: Any = None, ruleset: Any = None, frequency: FrequencyResult | None = None,
         names: Mapping[str, Any] | None = None) -> DrawResult:
    """Draw the firms to check in a quarter and the officers who check them.

    Parameters
    ----------
    policy : Policy, or a bundled id or file path
    quarter : str or Quarter
        ``YYYYQn``.
    seed : int
        The published seed. Same inputs and seed → the same plan, byte for byte.
    inspectors : DataFrame or path
        ``inspector_id, name, county_code, conflicts[, max_checks_per_quarter]``.
    firms, events : DataFrame or path
        The input tables of docs/data-format.md (may be omitted when ``scores`` is a ScoreResult, or when
        ``frequency`` is given).
    scores : ScoreResult, DataFrame or path, optional
        The published credit grades (see :func:`~ecocredit.inspection.inspection_frequency`).
    history : DataFrame, path or list of them, optional
        Earlier checks (``firm_id, date, inspector_ids, kind``), e.g. earlier ``plan.csv``.
    frequency : FrequencyResult, optional
        Categories already computed as of the day before the quarter (skips that step).
    names : mapping, optional
        File names for the rejects table (``firms``, ``events``, ``inspectors``, ``history``).

    Returns
    -------
    DrawResult

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
    as_of = qt.start - dt.timedelta(days=1)
    pol.check_date(qt.start, f"quarter {qt.label}")
    names = dict(names or {})
    rng = _rng(seed, qt)
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
    hnames = names.get("history")
    if isinstance(hnames, (str, Path)):
        hnames = [str(hnames)]
    hist = read_history(history, frequency.frame["firm_id"], qt.start,
                        [str(x) for x in hnames] if hnames else None)
    plan, shortfall, load = _draw_core(pol, qt, rng, frequency.frame, ins, hist)
    public = plan[PUBLIC_COLUMNS].copy()
    rejects = pd.concat([x for x in (frequency.rejects, ins.rejects, hist.rejects) if len(x)],
                        ignore_index=True) if any(len(x) for x in (
                            frequency.rejects, ins.rejects, hist.rejects)) else ins.rejects
    rejects = rejects[REJECT_COLUMNS].reset_index(drop=True)
    hc = {"rows_read": hist.rows_read, "rows_used": hist.rows_used,
          "rows_later": hist.rows_later, "rows_unstaffed": hist.rows_unstaffed,
          "rows_rejected": int(len(hist.rejects))}
    return DrawResult(qt, int(seed), pol, plan, public, shortfall, load, frequency, rejects, hc,
                      ins.rows_read)


def _draw_core(pol: Policy, qt: Quarter, rng: np.random.Generator, freq: pd.DataFrame,
               ins: Inspectors, hist: History
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    f = freq.sort_values("firm_id", kind="stable").reset_index(drop=True)
    n = len(f)
    key_county = rng.random(n)
    key_city = rng.random(n)
    fid = f["firm_id"].to_numpy(dtype=object)
    region = f["region_code"].to_numpy(dtype=object)
    city = f["city_code"].to_numpy(dtype=object)
    cls = f["supervision_class"].to_numpy(dtype=object)
    cat = f["category"].to_numpy(dtype=object)
    day = qt.start

    # history: visits this year, visits in the class's coverage cycle, the last officers ------
    h = hist.table
    pos = pd.Index(fid).get_indexer(h["firm_id"]) if len(h) else np.array([], dtype=np.int64)
    hday = h["day"].to_numpy(dtype=np.int64) if len(h) else np.array([], dtype=np.int64)
    counts = h["kind"].isin(list(pol.coverage_counts)).to_numpy() if len(h) \
        else np.array([], dtype=bool)
    year_start = day_of(dt.date(qt.year, 1, 1))
    visits_year = np.bincount(pos[counts & (hday >= year_start)], minlength=n)
    cycle_start = np.full(n, year_start, dtype=np.int64)
    cycle_info: dict[str, tuple[Any, int, int, int]] = {}
    for c in ("A", "B", "C"):
        cov = pol.coverage_for(c, day)
        if cov is None:
            continue
        y0, y1 = cov.cycle(qt.year)
        left = (y1 - qt.year) * 4 + (4 - qt.q) + 1
        cycle_info[c] = (cov, y0, y1, left)
        cycle_start[cls == c] = day_of(dt.date(y0, 1, 1))
    visits_cycle = np.bincount(pos[counts & (hday >= cycle_start[pos])], minlength=n) \
        if len(h) else np.zeros(n, dtype=np.int64)
    last_pair: dict[int, frozenset[str]] = {}
    if len(h):
        order = np.lexsort((np.arange(len(h)), hday))
        ids = h["inspector_ids"].to_numpy(dtype=object)
        for i in order:
            if ids[i]:
                last_pair[int(pos[i])] = frozenset(ids[i])

    # county-level pools ------------------------------------------------------------------
    cmap = pol.category_map
    in_pool = np.array([cmap[c].draw.mode != "none" or (
        cmap[c].coverage == "keep" and pol.coverage_for(k, day) is not None)
        for c, k in zip(cat, cls)], dtype=bool) if n else np.zeros(0, dtype=bool)
    officers_per_unit = ins.table["county_code"].value_counts().to_dict()
    pool_key = pd.Series([f"{r}|{k}|{c}" for r, k, c in zip(region, cls, cat)], dtype=object)
    pool_key[~in_pool] = ""
    selected = np.zeros(n, dtype=bool)
    rows: list[dict[str, Any]] = []
    cat_order = {c.id: i for i, c in enumerate(pol.categories)}

    groups = pool_key[in_pool].groupby(pool_key[in_pool]).indices if in_pool.any() else {}
    in_idx = np.flatnonzero(in_pool)
    for key in sorted(groups):
        members = in_idx[groups[key]]
        r, k, c = key.split("|")
        crule = cmap[c]
        m = len(members)
        rate_q = 0
        rate_word = ""
        rate_id = ""
        if crule.draw.mode == "class":
            rate = pol.rate(k, "county", day)
            if rate is not None:
                if rate.share is not None:
                    rate_q = quarter_quota(pol, Fraction(rate.share), rate.per, m, qt, key)
                else:
                    target = min(m, rate.units_per_officer * officers_per_unit.get(r, 0))
                    rate_q = quarter_quota(pol, Fraction(1), "year", target, qt, key)
                rate_id = rate.id
                share = (f"{format_fraction(Fraction(rate.share) * 100)}% per {rate.per}"
                         if rate.share is not None else
                         f"{rate.units_per_officer} units per officer a year")
                rate_word = (f"random draw at the class rate: {share} of the county's "
                             f"{'routine ' if c == 'routine' else ''}class {k} units")
        elif crule.draw.mode == "rate":
            share = Fraction(crule.draw.share)
            rate_q = quarter_quota(pol, share, crule.draw.per, m, qt, key)
            rate_id = f"{c}"
            rate_word = (f"{crule.label.en if crule.label else c}: "
                         f"{format_fraction(share * 100)}% per {crule.draw.per} of the pool")
        cov_on = crule.coverage == "keep" and k in cycle_info
        min_cov = 0
        if cov_on:
            cov, y0, y1, left = cycle_info[k]
            min_cov = coverage_quota(
                int((visits_cycle[members] == 0).sum()), left,
                _offset(f"{y0}|{key}|coverage") if pol.quota.spread == "systematic" else None)
        quota = min(m, max(rate_q, min_cov))
        if quota == 0:
            continue
        vis = visits_cycle[members] if cov_on else visits_year[members]
        order = np.lexsort((key_county[members], vis))
        take = members[order[:quota]]
        for rank, i in enumerate(take):
            if rank < rate_q:
                reason = f"{rate_word} ({rate_q} drawn of {m} this quarter)"
                rule = rate_id
            else:
                cov, y0, y1, left = cycle_info[k]
                span = f"{y0}" if y0 == y1 else f"{y0}–{y1}"
                reason = (f"coverage: {cov.label.en if cov.label else cov.id}; not yet visited "
                          f"in {span} ({quota - rate_q} drawn of the "
                          f"{int((visits_cycle[members] == 0).sum())} not yet visited, {left} "
                          "quarter(s) to go)")
                rule = cov.id
            if c not in ("routine",):
                reason = f"{c}: {f.at[i, 'category_reason'].split(': ', 1)[-1]} — {reason}"
            kind = crule.draw.kind if crule.draw.mode == "rate" else "random"
            rows.append({"pos": int(i), "level": "county", "unit_code": r, "category": c,
                         "kind": kind, "guidance": crule.enforcement == "beside",
                         "reason": reason, "rules": ";".join(x for x in (
                             rule, f.at[i, "rules"] if c != "routine" else "") if x),
                         "prio": cat_order[c], "cov": rank >= rate_q, "key": key_county[i]})
        selected[take] = True

    # city-level draws of routine units ---------------------------------------------------
    class_mode = np.array([cmap[c].draw.mode == "class" for c in cat], dtype=bool) if n else \
        np.zeros(0, dtype=bool)
    for c_code in sorted(set(city[class_mode])):
        for k in ("A", "B", "C"):
            rate = pol.rate(k, "city", day)
            if rate is None or rate.share is None:
                continue
            members = np.flatnonzero(class_mode & (city == c_code) & (cls == k))
            m = len(members)
            if m == 0:
                continue
            share = Fraction(rate.share)
            quota = quarter_quota(pol, share, rate.per, m, qt, f"{c_code}|{k}|city")
            cand = members[~selected[members]]
            quota = min(quota, len(cand))
            if quota == 0:
                continue
            order = np.lexsort((key_city[cand], visits_year[cand]))
            take = cand[order[:quota]]
            for i in take:
                rows.append({"pos": int(i), "level": "city", "unit_code": c_code,
                             "category": cat[i], "kind": "random",
                             "guidance": cmap[cat[i]].enforcement == "beside",
                             "reason": (f"city-level random draw at the class rate: "
                                        f"{format_fraction(share * 100)}% per {rate.per} of the "
                                        f"city's routine class {k} units ({quota} drawn of {m} "
                                        "this quarter)"),
                             "rules": rate.id, "prio": cat_order[cat[i]], "cov": False,
                             "key": key_city[i]})
            selected[take] = True

    checks = pd.DataFrame(rows, columns=["pos", "level", "unit_code", "category", "kind",
                                         "guidance", "reason", "rules", "prio", "cov", "key"])
    # officers -----------------------------------------------------------------------------
    checks, shortfall, load = _assign(pol, qt, rng, checks, f, ins, last_pair)
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
        "rules": checks["rules"].to_numpy(dtype=object),
        "status": checks["status"].to_numpy(dtype=object),
        "inspector_ids": checks["inspector_ids"].to_numpy(dtype=object),
        "inspector_names": checks["inspector_names"].to_numpy(dtype=object),
        "note": checks["note"].to_numpy(dtype=object),
    })
    lvl = plan["level"].map({"county": 0, "city": 1})
    plan = (plan.assign(_l=lvl, _c=plan["category"].map(cat_order))
            .sort_values(["_l", "unit_code", "supervision_class", "_c", "firm_id"], kind="stable")
            .drop(columns=["_l", "_c"]).reset_index(drop=True))
    return plan, shortfall, load


def _assign(pol: Policy, qt: Quarter, rng: np.random.Generator, checks: pd.DataFrame,
            f: pd.DataFrame, ins: Inspectors, last_pair: Mapping[int, frozenset[str]]
            ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    per = pol.officers.per_check
    default_max = pol.officers.max_checks_per_quarter
    t = ins.table
    fid = f["firm_id"].to_numpy(dtype=object)
    status = np.full(len(checks), "unstaffed", dtype=object)
    ids_out = np.full(len(checks), "", dtype=object)
    names_out = np.full(len(checks), "", dtype=object)
    notes = np.full(len(checks), "", dtype=object)
    load_rows = []
    short_rows = []
    units = sorted(set(checks["unit_code"]) | set(t["county_code"]))
    for u in units:
        offs = t[t["county_code"] == u]
        o_ids = offs["inspector_id"].to_numpy(dtype=object)
        o_names = offs["name"].to_numpy(dtype=object)
        o_conf = offs["conflicts"].to_numpy(dtype=object)
        o_max = np.where(offs["max_checks_per_quarter"].to_numpy() > 0,
                         offs["max_checks_per_quarter"].to_numpy(), default_max).astype(np.int64)
        load = np.zeros(len(offs), dtype=np.int64)
        idx = np.flatnonzero((checks["unit_code"] == u).to_numpy())
        if len(idx):
            sub = checks.iloc[idx]
            # the most important checks are staffed first: pool order, coverage, random key
            order = np.lexsort((sub["key"].to_numpy(), ~sub["cov"].to_numpy(dtype=bool),
                                sub["prio"].to_numpy()))
            idx = idx[order]
        conflict_short = 0
        for j in idx:
            i = int(checks.at[j, "pos"])
            firm = fid[i]
            keys = rng.random(len(offs))
            elig = (load < o_max) & np.array([firm not in c for c in o_conf], dtype=bool)
            cand = np.flatnonzero(elig)
            if len(cand) < per:
                if (load < o_max).sum() >= per:
                    conflict_short += 1
                continue
            cand = cand[np.lexsort((keys[cand], load[cand]))]
            pick = list(cand[:per])
            note = ""
            last = last_pair.get(i)
            if pol.officers.avoid_same_pair and last is not None and \
                    frozenset(o_ids[pick]) == last:
                if len(cand) > per:
                    pick[-1] = cand[per]
                else:
                    note = ("same officers as the firm's last check: no other eligible officer "
                            "in the unit")
            pick = sorted(pick, key=lambda x: o_ids[x])
            load[pick] += 1
            status[j] = "staffed"
            ids_out[j] = ";".join(o_ids[pick])
            names_out[j] = ";".join(o_names[pick])
            notes[j] = note
        for k in range(len(offs)):
            load_rows.append({"quarter": qt.label, "inspector_id": o_ids[k], "name": o_names[k],
                              "unit_code": u, "checks": int(load[k]), "max_checks": int(o_max[k])})
        required = len(idx)
        unstaffed = int((status[idx] == "unstaffed").sum()) if required else 0
        if unstaffed:
            cap = int(o_max.sum())
            if len(offs) < per:
                why = (f"{len(offs)} officer(s) in the unit; every check needs {per}")
            elif per * required > cap:
                why = (f"too few officers: {len(offs)} officers can take {cap} officer-checks "
                       f"this quarter; {required} checks need {per * required}")
            else:
                why = (f"declared conflicts or the officers' maximum leave fewer than {per} "
                       f"eligible officers for {unstaffed} check(s)")
            short_rows.append({"quarter": qt.label, "unit_code": u, "unit_name": unit_name(u),
                               "level": "city" if u.endswith("00") else "county",
                               "officers": len(offs), "capacity": cap,
                               "required_checks": required, "officer_slots_needed": per * required,
                               "staffed": required - unstaffed, "unstaffed": unstaffed,
                               "reason": why})
    out = checks.copy()
    out["status"] = status
    out["inspector_ids"] = ids_out
    out["inspector_names"] = names_out
    out["note"] = np.where(status == "unstaffed", "no eligible officers: see shortfall.csv",
                           notes)
    shortfall = pd.DataFrame(short_rows, columns=SHORTFALL_COLUMNS)
    load_df = pd.DataFrame(load_rows, columns=LOAD_COLUMNS)
    return out, shortfall, load_df


# --------------------------------------------------------------------------------------
# several quarters
# --------------------------------------------------------------------------------------


def draw_quarters(policy: Policy | str | Path, quarters: Sequence[str | Quarter],
                  seeds: int | Sequence[int], *, inspectors: Any, firms: Any = None,
                  events: Any = None, scores: Any = None, history: Any = None,
                  ruleset: Any = None) -> list[DrawResult]:
    """Draw consecutive quarters, each one's staffed checks becoming the next one's history.

    ``seeds`` is one seed for every quarter (the quarter is part of the RNG's seed sequence, so
    the quarters still differ) or one seed per quarter.
    """
    pol = load_policy(policy)
    qs = [q if isinstance(q, Quarter) else parse_quarter(q) for q in quarters]
    ss = [int(seeds)] * len(qs) if isinstance(seeds, (int, np.integer)) else [int(s) for s in
                                                                               seeds]
    if len(ss) != len(qs):
        raise ValueError(f"{len(qs)} quarters need {len(qs)} seeds; got {len(ss)}.")
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
