"""A synthetic province: firms, events, measurements and history for examples and benchmarks.

The generator draws a Jiangxi-like population of polluting enterprises and their recorded
environmental behaviour over a few years, in the tables and columns of the data contract
(``docs/data-format.md``), every value a string as a CSV holds it. It is vectorized
(numpy for the numbers, pyarrow compute for the strings; loops run over vocabularies and
chunks, never over firms or events), deterministic for a given seed, and fast: 300,000 firms
with 10 million events take 11–14 s on two cores, and :func:`iter_chunks` / :func:`write_chunks`
stream a national-scale population (3.3 million firms, 100 million events: about 2.5 minutes
to Parquet, under 4 GB of memory) chunk by chunk.

The model, in short:

* **Firms** get a county of Jiangxi (weighted by city), an industry from a list of real
  GB/T 4754-2017 classes weighted toward heavy polluters, a latent size that makes heavy
  industries more often key dischargers and class A, and a latent **risk** (gamma distributed
  with a small shape, so most firms are near zero and a few are far out in the tail).
* **Adverse events** per firm and year are Poisson with the firm's risk (times industry and
  supervision-class multipliers) as mean, so with the default :class:`Mix` about two thirds of
  firms (67–68 % in ``sample_data``) have none in a year and veto-type behaviour reaches
  1.1–1.6 % of firms a year. Some adverse events are followed by a ``rectification_completed``
  or, rarely, a ``revocation`` that refers to them.
* **Positive events** (credit commitment, pollution liability insurance, cleaner-production
  audit, commendation, open day, leader) are Bernoulli draws per firm or firm-year; with the
  defaults they outnumber the adverse events about two to one.
* **Measurements** (compliance rates, hazardous-waste assessment, noise, siting) and
  **history** (earlier grades and red/black lists) are correlated with risk and with the
  events of the same year.
* A few **illustrative firms** named ``示例·…`` come first, with fixed, documented events
  (:data:`EXAMPLES`), so that docs and tests can point at them.

All tunable shares and rates live in one frozen dataclass, :class:`Mix`; pass a modified copy
(``dataclasses.replace(DEFAULT_MIX, adverse_per_firm_year=0.9)``) to :func:`generate`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .codes import CITY_NAMES, JIANGXI_COUNTIES, make_uscc
from .vocab import (
    ADMIN_EVENT_TYPES,
    EVENT_TYPES,
    MEDIA,
    POSITIVE_EVENT_TYPES,
    SEVERITIES,
    TABLES,
)

__all__ = [
    "COLUMNS",
    "INDUSTRIES",
    "Industry",
    "Mix",
    "DEFAULT_MIX",
    "ExampleEvent",
    "Example",
    "EXAMPLES",
    "INDICATORS",
    "HISTORY_GRADES",
    "generate",
    "iter_chunks",
    "write",
    "write_chunks",
    "main",
]

#: Optional columns the generator leaves out: extensions of the contract that synthetic data does not need
#: (``history.list_until``: without it a published list entry runs for the ruleset's declared duration).
_NOT_GENERATED: frozenset[str] = frozenset({"list_until"})

#: Canonical column names of each table, in contract order.
COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {table: required + tuple(c for c in optional if c not in _NOT_GENERATED)
     for table, (required, optional) in TABLES.items()}
)

#: The measurement indicators generated per firm and year (``period`` = ``YYYY``).
INDICATORS: tuple[str, ...] = (
    "discharge_compliance_rate",   # fraction of supervisory-monitoring samples within limits
    "solid_waste_handling_rate",   # fraction of general solid waste handled as required
    "hazwaste_assessment",         # hazardous-waste management assessment: pass / basic / fail
    "noise_exceedance_db",         # worst boundary-noise exceedance in dB(A), 0 when compliant
    "siting_compliant",            # siting conforms to planning and protection distances: yes / no
)

#: Grade ids written to the history table (the national 4 colours).
HISTORY_GRADES: tuple[str, ...] = ("green", "blue", "yellow", "red")

_FIRST_EVENT_NUMBER = 1
_ID_DIGITS = 9                     # 'EV' + 9 digits
_SERIAL_SPACE = 10**8 - 1000       # serials of generated firms; the top 1000 are for EXAMPLES


# ---------------------------------------------------------------------------------------------
# industries
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Industry:
    """One GB/T 4754-2017 class used by the generator.

    Attributes
    ----------
    code : str
        Section letter + 4-digit class, e.g. ``C2614``.
    label : str
        The class's Chinese name.
    word : str
        The industry word used in synthetic firm names (``化工``, ``纸业`` ...).
    weight : float
        Relative frequency among generated firms.
    heavy : bool
        A heavy-polluting industry (重污染行业): more often a key discharger and class A, and a
        higher event rate.
    """

    code: str
    label: str
    word: str
    weight: float
    heavy: bool


#: Industries of the synthetic province, weighted toward heavy polluters (Jiangxi has copper,
#: tungsten, rare earths, lithium batteries, ceramics, paper and chemicals).
INDUSTRIES: tuple[Industry, ...] = (
    Industry("D4411", "火力发电", "发电", 2.0, True),
    Industry("D4412", "热电联产", "热电", 2.0, True),
    Industry("D4620", "污水处理及其再生利用", "水务", 5.0, False),
    Industry("C3110", "炼铁", "钢铁", 1.5, True),
    Industry("C3120", "炼钢", "特钢", 1.5, True),
    Industry("C3130", "钢压延加工", "钢材", 3.0, False),
    Industry("C3011", "水泥制造", "水泥", 4.0, True),
    Industry("C3041", "平板玻璃制造", "玻璃", 1.0, True),
    Industry("C3071", "建筑陶瓷制品制造", "陶瓷", 3.0, True),
    Industry("C3074", "日用陶瓷制品制造", "瓷业", 2.0, False),
    Industry("C2614", "有机化学原料制造", "化工", 5.0, True),
    Industry("C2619", "其他基础化学原料制造", "化学", 4.0, True),
    Industry("C2613", "无机盐制造", "盐化", 1.5, True),
    Industry("C2621", "氮肥制造", "化肥", 1.0, True),
    Industry("C2631", "化学农药制造", "农化", 2.0, True),
    Industry("C2641", "涂料制造", "涂料", 2.0, False),
    Industry("C2651", "初级形态塑料及合成树脂制造", "新材料", 2.0, True),
    Industry("C2211", "木竹浆制造", "浆业", 1.0, True),
    Industry("C2221", "机制纸及纸板制造", "纸业", 3.0, True),
    Industry("C2710", "化学药品原料药制造", "药业", 3.0, True),
    Industry("C2720", "化学药品制剂制造", "制药", 2.0, False),
    Industry("C1910", "皮革鞣制加工", "皮革", 1.0, True),
    Industry("C1713", "棉印染精加工", "印染", 3.0, True),
    Industry("C3360", "金属表面处理及热处理加工", "电镀", 3.0, True),
    Industry("C1512", "白酒制造", "酒业", 2.0, True),
    Industry("C1513", "啤酒制造", "啤酒", 0.5, False),
    Industry("C1340", "制糖业", "糖业", 0.5, True),
    Industry("C1351", "牲畜屠宰", "食品", 2.0, False),
    Industry("B0610", "烟煤和无烟煤开采洗选", "煤业", 2.0, True),
    Industry("B0911", "铜矿采选", "矿业", 1.0, True),
    Industry("B0931", "钨钼矿采选", "钨业", 1.0, True),
    Industry("B0932", "稀土金属矿采选", "稀土", 1.0, True),
    Industry("B1011", "石灰石、石膏开采", "石业", 2.0, False),
    Industry("C3211", "铜冶炼", "铜业", 1.5, True),
    Industry("C3212", "铅锌冶炼", "冶炼", 1.0, True),
    Industry("C3216", "铝冶炼", "铝业", 0.5, True),
    Industry("C3232", "稀土金属冶炼", "稀土", 1.0, True),
    Industry("C2521", "炼焦", "焦化", 1.0, True),
    Industry("C2511", "原油加工及石油制品制造", "石化", 0.5, True),
    Industry("C2911", "轮胎制造", "橡胶", 1.0, False),
    Industry("C3841", "锂离子电池制造", "锂电", 3.0, False),
    Industry("C3843", "铅蓄电池制造", "电源", 1.0, True),
    Industry("C3982", "电子电路制造", "电子", 3.0, False),
)

#: Characters for two-character trade names (字号).
_SYLLABLES = tuple(dict.fromkeys(
    "恒达鑫华泰兴源盛宏瑞丰新金天众博德利安信隆昌祥永嘉正豪海辰通锦中赣洪鸿晶凯力龙明宁鹏荣"
    "润顺腾伟旺亚阳益宇远长志卓钰邦诚创东方福光国浩和合汇佳捷杰景聚科联美铭南平普奇庆仁山胜"
    "万祺鼎晟"
))
_SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")


def _short(name: str) -> str:
    """'青山湖区' -> '青山湖', '赣县区' -> '赣县', '南昌市' -> '南昌'."""
    return name[:-1] if name[-1] in "区县市" and len(name) > 2 else name


# ---------------------------------------------------------------------------------------------
# the tunable mix
# ---------------------------------------------------------------------------------------------

def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def _default_adverse() -> Mapping[str, float]:
    return _frozen({
        # routine findings and penalties (relative weights; normalised when used)
        "order_to_correct": 0.24,
        "fine": 0.19,
        "warning": 0.05,
        "exceedance": 0.10,
        "self_monitoring_failure": 0.08,
        "disclosure_failure": 0.06,
        "complaint_verified": 0.09,
        "unlicensed_discharge": 0.03,
        "production_restriction": 0.015,
        "production_suspension": 0.002,
        "seal_seize": 0.012,
        "daily_penalty": 0.004,
        "listed_supervision": 0.004,
        "closure_order": 0.0004,
        "incident": 0.008,
        "yellow_card": 0.006,
        "red_card": 0.0015,
        "media_exposure": 0.005,
        # veto-type behaviour (一票否决 in most rulesets): about 2 % of adverse events
        "eia_unapproved_construction": 0.004,
        "acceptance_unapproved_operation": 0.003,
        "major_change_unapproved": 0.0016,
        "total_load_exceeded": 0.0012,
        "concealed_discharge": 0.0016,
        "hazwaste_illegal": 0.0024,
        "monitoring_fraud": 0.0016,
        "crime_referral": 0.0004,
        "crime_conviction": 0.0001,
        "detention": 0.0008,
        "permit_revoked": 0.0002,
        "penalty_not_executed": 0.0005,
        "heavy_pollution_order_refused": 0.0005,
        "refused_inspection": 0.0008,
    })


def _default_media() -> Mapping[str, Mapping[str, float]]:
    wa = {"water": 0.5, "air": 0.5}
    return _frozen({k: _frozen(v) for k, v in {
        # the remaining probability of each row is "no medium" (empty)
        "exceedance": {"water": 0.50, "air": 0.42, "noise": 0.08},
        "incident": {"water": 0.45, "air": 0.30, "soil": 0.10, "hazardous_waste": 0.10,
                     "solid": 0.05},
        "fine": {"water": 0.35, "air": 0.30, "solid": 0.08, "hazardous_waste": 0.07,
                 "noise": 0.05},
        "order_to_correct": {"water": 0.30, "air": 0.30, "solid": 0.10, "hazardous_waste": 0.08,
                             "noise": 0.07},
        "warning": {"water": 0.30, "air": 0.30, "noise": 0.10, "solid": 0.10},
        "complaint_verified": {"air": 0.35, "noise": 0.35, "water": 0.20, "solid": 0.10},
        "media_exposure": {"water": 0.40, "air": 0.40, "solid": 0.20},
        "listed_supervision": {"water": 0.50, "air": 0.30, "soil": 0.10, "solid": 0.10},
        "seal_seize": {"water": 0.40, "air": 0.40, "hazardous_waste": 0.20},
        "concealed_discharge": {"water": 0.90, "air": 0.10},
        "hazwaste_illegal": {"hazardous_waste": 1.0},
        "heavy_pollution_order_refused": {"air": 1.0},
        "daily_penalty": {"water": 0.60, "air": 0.40},
        "total_load_exceeded": wa, "monitoring_fraud": wa, "yellow_card": wa, "red_card": wa,
        "unlicensed_discharge": wa, "production_restriction": wa, "production_suspension": wa,
        "self_monitoring_failure": wa,
    }.items()})


@dataclass(frozen=True)
class Mix:
    """Every share, rate and distribution parameter of the generator.

    The defaults aim at the published distributions (``shared/domain/brief.md``, "Realistic
    grade distributions"). With 3,000 firms and the default seed and years (``sample_data``)
    they give 67.0–67.8 % of firms without an adverse event in a year, veto-type behaviour in
    1.1–1.6 % of firms a year (veto types are about 2 % of the adverse events), history grades
    green/blue/yellow/red = 14/74/10/2 %, and per firm and year about 1.9 events in all: 0.60
    adverse, 1.15 positive (pollution liability insurance on about 58 % of firms) and 0.13
    completed rectifications. Replace fields with :func:`dataclasses.replace` to calibrate.

    Attributes
    ----------
    adverse_per_firm_year : float
        Mean number of adverse events per firm and year (before the industry and class
        multipliers, which are normalised to mean 1). :func:`generate`'s
        ``events_per_firm_year`` overrides it to reach a total volume.
    risk_shape : float
        Shape of the gamma distribution of the latent firm risk (mean 1). Small values give
        many clean firms and a heavy tail; the share of firms without an adverse event in a year
        is about ``(1 + adverse_per_firm_year / risk_shape) ** -risk_shape`` (``2 ** -0.6``
        ≈ 0.66 with the defaults; the industry and class multipliers spread the risk and raise it
        to 0.67–0.68).
    heavy_risk, light_risk : float
        Risk multiplier of heavy-polluting and other industries.
    class_risk : Mapping[str, float]
        Risk (inspection intensity) multiplier per supervision class.
    adverse_types : Mapping[str, float]
        Relative frequency of each adverse event type.
    incident_severity : Mapping[str, float]
        Severity distribution of ``incident`` events.
    media : Mapping[str, Mapping[str, float]]
        Per event type, the probability of each medium; the rest is "no medium".
    fine_median, fine_sigma, daily_penalty_median, daily_penalty_sigma : float
        Lognormal amounts in yuan (median and sigma of the log), rounded to 100, at least 1,000.
    rectification_share : float
        Probability that a rectifiable adverse event is followed by ``rectification_completed``.
    rectification_types : frozenset[str]
        The adverse types that can be rectified.
    rectification_days, revocation_days : tuple[int, int]
        Inclusive range of days between an event and its rectification / revocation (children
        falling after the last day of the last year are not generated).
    revocation_share : float
        Share of all adverse events later revoked (``revocation`` naming them).
    revocation_exempt : frozenset[str]
        Adverse types never revoked (facts rather than decisions).
    recorded_lag_days : int
        ``recorded_at`` is ``event_date`` plus 0..this many days (capped at the last day).
    credit_commitment_firms, insurance_firms : float
        Share of firms with one ``credit_commitment`` / with pollution liability insurance.
    insurance_renewal : float
        Probability that an insured firm records ``liability_insurance`` in a given year.
    cleaner_production_per_year, commendation_per_year, open_day_per_year, leader_per_year : float
        Yearly probability of these positive events before the per-firm factors: audits × 1.5 in
        heavy industries and × 0.5 in others (a mean of about 0.35 a firm-year with the default
        industries, which are about 70 % heavy); commendations × 2 for the lower-risk half of the
        firms and none for the others; open days × 2.2 for key dischargers and × 0.35 for others;
        leaders × 5.5 for lower-risk key dischargers only. The last three factors average about
        1, so those means are about the values given.
    supervision_class_shares : Mapping[str, float]
        Shares of classes A, B, C (A goes to the largest, heavy-industry, key dischargers).
    key_discharger_share, positive_list_share, new_firm_share : float
        Share of key dischargers, of positive-list firms (drawn among firms without adverse
        events), of firms included during the last year.
    status_shares : Mapping[str, float]
        Shares of operating, suspended and closed firms.
    included_from : str
        First possible ``included_since`` date of the other firms (they end on 31 December of
        the year before the first generated year).
    city_weights : Mapping[str, float]
        Relative number of firms per city (4-digit code); counties share their city's weight.
    compliance_scale : float
        Scale of the exponential shortfall of ``discharge_compliance_rate`` below 1 for a firm of
        average risk.
    history_grades : Mapping[str, float]
        Shares of the history grades (assigned by rank of a risk-and-events score per period).
    red_list_share_of_green, black_list_share_of_red : float
        Share of green history records on the red list and of red ones on the black list.
    measurement_gap_firms, measurement_gap_rows : float
        Share of firms with incomplete measurements, and the share of their rows dropped.
    """

    adverse_per_firm_year: float = 0.6
    risk_shape: float = 0.6
    heavy_risk: float = 1.4
    light_risk: float = 0.6
    class_risk: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"A": 1.5, "B": 1.1, "C": 0.85}))
    adverse_types: Mapping[str, float] = field(default_factory=_default_adverse)
    incident_severity: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"general": 0.90, "larger": 0.08, "major": 0.018, "especially_major": 0.002}))
    media: Mapping[str, Mapping[str, float]] = field(default_factory=_default_media)
    fine_median: float = 50_000.0
    fine_sigma: float = 1.0
    daily_penalty_median: float = 300_000.0
    daily_penalty_sigma: float = 0.8
    rectification_share: float = 0.35
    rectification_types: frozenset[str] = frozenset({
        "order_to_correct", "exceedance", "production_restriction", "production_suspension",
        "seal_seize", "listed_supervision", "yellow_card", "red_card", "self_monitoring_failure",
        "disclosure_failure", "unlicensed_discharge", "total_load_exceeded", "complaint_verified",
    })
    rectification_days: tuple[int, int] = (15, 120)
    revocation_share: float = 0.002
    revocation_exempt: frozenset[str] = frozenset(
        {"incident", "complaint_verified", "media_exposure"})
    revocation_days: tuple[int, int] = (30, 180)
    recorded_lag_days: int = 20
    credit_commitment_firms: float = 0.10
    insurance_firms: float = 0.60
    insurance_renewal: float = 0.90
    cleaner_production_per_year: float = 0.30
    commendation_per_year: float = 0.10
    open_day_per_year: float = 0.12
    leader_per_year: float = 0.001
    supervision_class_shares: Mapping[str, float] = field(
        default_factory=lambda: _frozen({"A": 0.12, "B": 0.33, "C": 0.55}))
    key_discharger_share: float = 0.35
    positive_list_share: float = 0.04
    new_firm_share: float = 0.05
    status_shares: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"operating": 0.97, "suspended": 0.02, "closed": 0.01}))
    included_from: str = "2015-01-01"
    city_weights: Mapping[str, float] = field(default_factory=lambda: _frozen({
        "3601": 0.16, "3602": 0.04, "3603": 0.06, "3604": 0.13, "3605": 0.04, "3606": 0.04,
        "3607": 0.14, "3608": 0.09, "3609": 0.12, "3610": 0.07, "3611": 0.11,
    }))
    compliance_scale: float = 0.02
    history_grades: Mapping[str, float] = field(default_factory=lambda: _frozen(
        {"green": 0.14, "blue": 0.74, "yellow": 0.10, "red": 0.02}))
    red_list_share_of_green: float = 0.5
    black_list_share_of_red: float = 0.5
    measurement_gap_firms: float = 0.05
    measurement_gap_rows: float = 0.4

    def __post_init__(self) -> None:
        for name in ("class_risk", "adverse_types", "incident_severity", "media",
                     "supervision_class_shares", "status_shares", "city_weights",
                     "history_grades"):
            value = getattr(self, name)
            if name == "media":
                value = {k: _frozen(v) for k, v in value.items()}
            object.__setattr__(self, name, _frozen(value))
        problems = []
        allowed = set(EVENT_TYPES) - POSITIVE_EVENT_TYPES - ADMIN_EVENT_TYPES
        for key in self.adverse_types:
            if key not in allowed:
                problems.append(f"adverse_types has {key!r}, which is not an adverse event type")
        for key, dist in self.media.items():
            if key not in EVENT_TYPES:
                problems.append(f"media has {key!r}, which is not an event type")
            bad = set(dist) - set(MEDIA)
            if bad:
                problems.append(f"media[{key!r}] names unknown media {sorted(bad)}")
            if sum(dist.values()) > 1 + 1e-9:
                problems.append(f"media[{key!r}] probabilities add up to more than 1")
        checks = {
            "incident_severity": set(SEVERITIES),
            "supervision_class_shares": {"A", "B", "C"},
            "class_risk": {"A", "B", "C"},
            "status_shares": {"operating", "suspended", "closed"},
            "city_weights": set(CITY_NAMES),
            "history_grades": set(HISTORY_GRADES),
        }
        for name, keys in checks.items():
            if set(getattr(self, name)) != keys:
                problems.append(f"{name} must have exactly the keys {sorted(keys)}")
        for name in ("adverse_types", "incident_severity", "supervision_class_shares",
                     "status_shares", "city_weights", "history_grades"):
            values = list(getattr(self, name).values())
            if any(v < 0 for v in values) or sum(values) <= 0:
                problems.append(f"{name} needs non-negative weights with a positive sum")
        for name in ("rectification_share", "revocation_share", "credit_commitment_firms",
                     "insurance_firms", "insurance_renewal", "cleaner_production_per_year",
                     "commendation_per_year", "open_day_per_year", "leader_per_year",
                     "key_discharger_share", "positive_list_share", "new_firm_share",
                     "red_list_share_of_green", "black_list_share_of_red",
                     "measurement_gap_firms", "measurement_gap_rows"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name} must be between 0 and 1; got {getattr(self, name)}")
        if self.adverse_per_firm_year < 0 or self.risk_shape <= 0:
            problems.append("adverse_per_firm_year must be >= 0 and risk_shape > 0")
        if problems:
            raise ValueError("Invalid generator Mix: " + "; ".join(problems) + ".")

    def __repr__(self) -> str:
        """Show only the fields that differ from the defaults, like scikit-learn estimators."""
        default = _DEFAULTS.get("mix")
        changed = [
            f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
            if default is None or getattr(self, f.name) != getattr(default, f.name)
        ]
        return f"Mix({', '.join(changed)})"


_DEFAULTS: dict[str, Mix] = {}
#: The calibrated defaults.
DEFAULT_MIX = Mix()
_DEFAULTS["mix"] = DEFAULT_MIX


# ---------------------------------------------------------------------------------------------
# illustrative firms
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExampleEvent:
    """One fixed event of an illustrative firm.

    ``years_back`` counts back from the last generated year (0 = the last year) and ``day`` is
    ``MM-DD``. ``ref`` is the index of an earlier event of the same firm in
    :attr:`Example.events`. ``recorded_at`` equals ``event_date``.
    """

    day: str
    event_type: str
    amount: int | None = None
    severity: str = ""
    medium: str = ""
    ref: int | None = None
    years_back: int = 0


@dataclass(frozen=True)
class Example:
    """An illustrative firm named ``示例·<what>`` with fixed attributes and events.

    Measurements are complete and clean (compliance 1.000, solid waste 1.000, hazardous waste
    ``pass``, noise 0.0, siting ``yes``) for every year since inclusion unless
    ``compliance_last_year`` says otherwise. History is ``blue`` with no list for every earlier
    period unless ``history`` (years back → (grade, list)) says otherwise.
    """

    what: str
    description: str
    region_code: str
    industry_code: str
    supervision_class: str = "B"
    key_discharger: bool = False
    permit_type: str = "simplified"
    positive_list: bool = False
    included_since: str | None = None     # 'MM-DD' of the last year; None: 1 January five
    #                                       years before the first year (2018-01-01 by default)
    events: tuple[ExampleEvent, ...] = ()
    compliance_last_year: str = "1.000"
    history: Mapping[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The firm's name, ``示例·<what>``."""
        return f"示例·{self.what}"


E = ExampleEvent
#: The illustrative firms, first in every generated firms table (dates relative to the last
#: generated year Y; with the default years, Y = 2025).
EXAMPLES: tuple[Example, ...] = (
    Example("清白企业", "clean: full clean measurements, liability insurance and a cleaner-"
            "production audit in Y, on the positive list, green and on the red list before",
            "360111", "C2614", "A", True, "key", True,
            events=(E("02-15", "liability_insurance"), E("06-20", "cleaner_production_audit")),
            history={1: ("green", "red"), 2: ("green", "red")}),
    Example("未批先建", "construction before EIA approval (veto type) on Y-05-12",
            "360981", "C3011", "A", True, "key",
            events=(E("05-12", "eia_unapproved_construction"),)),
    Example("一般突发环境事件", "a general (一般) water pollution incident on Y-07-08",
            "360403", "C2619", "B", True, "key",
            events=(E("07-08", "incident", severity="general", medium="water"),)),
    Example("较大突发环境事件", "a larger (较大) water pollution incident on Y-08-19 (veto type)",
            "360482", "C2614", "A", True, "key",
            events=(E("08-19", "incident", severity="larger", medium="water"),)),
    Example("罚款两次", "two fines in Y: 50,000 yuan on Y-03-02 and 120,000 yuan on Y-09-15",
            "360702", "C1713", "B", False, "simplified",
            events=(E("03-02", "fine", 50_000, medium="water"),
                    E("09-15", "fine", 120_000, medium="water"))),
    Example("达标率低", "discharge compliance rate 0.600 in Y, no events",
            "360302", "C3110", "A", True, "key", compliance_last_year="0.600"),
    Example("历年不良", "rated red in both earlier periods (Y-2, Y-1), no events in Y",
            "361102", "C2221", "B", True, "key",
            history={1: ("red", ""), 2: ("red", "")}),
    Example("黑名单", "rated red and on the black list in Y-1, no events in Y",
            "360602", "C3211", "A", True, "key", history={1: ("red", "black")}),
    Example("新纳入", "included on Y-06-01 (dynamic schemes start it at the initial score), "
            "no events", "360113", "C3982", "C", False, "registration", included_since="06-01"),
    Example("信用承诺", "a public credit commitment on Y-04-01",
            "360802", "C2710", "B", False, "simplified",
            events=(E("04-01", "credit_commitment"),)),
    Example("处罚已撤销", "a 80,000-yuan fine on Y-02-20, revoked on Y-06-30",
            "361002", "C1910", "B", False, "simplified",
            events=(E("02-20", "fine", 80_000, medium="water"), E("06-30", "revocation", ref=0))),
    Example("停产整治", "ordered to suspend production for rectification on Y-08-31, four "
            "months before the end of Y", "360502", "C3120", "A", True, "key",
            events=(E("08-31", "production_suspension", medium="air"),)),
    Example("整改完成", "ordered to correct on Y-03-10, rectification completed on Y-05-20",
            "360902", "C3841", "C", False, "simplified",
            events=(E("03-10", "order_to_correct", medium="water"),
                    E("05-20", "rectification_completed", ref=0))),
    Example("黄牌警示", "exceedance on Y-04-18 and a yellow card on Y-05-06",
            "361181", "C3211", "B", True, "key",
            events=(E("04-18", "exceedance", medium="water"),
                    E("05-06", "yellow_card", medium="water"))),
)
del E


def _example_ids() -> np.ndarray:
    """The fixed USCCs of :data:`EXAMPLES` (independent of seed and years)."""
    regions = np.array([ex.region_code for ex in EXAMPLES])
    serials = 10**8 - 1 - np.arange(len(EXAMPLES))
    return make_uscc(np.random.default_rng(0), regions, serials=serials, new_style_share=0.0)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def _dates(days: np.ndarray) -> pa.Array:
    """int days since 1970-01-01 -> 'YYYY-MM-DD' strings (formats each distinct day once)."""
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return pa.array([], type=pa.string())
    lo = int(days.min())
    calendar = np.arange(lo, int(days.max()) + 1).astype("datetime64[D]")
    return pc.take(pa.array(calendar).cast(pa.string()), pa.array(days - lo))


def _labels(labels: Sequence[str], idx: np.ndarray) -> pa.Array:
    """Strings by index into ``labels``; index -1 gives ''."""
    dictionary = pa.array([""] + list(labels), type=pa.string())
    return pc.take(dictionary, pa.array(np.asarray(idx, dtype=np.int64) + 1))


def _decimal(units: np.ndarray, decimals: int) -> pa.Array:
    """Non-negative integers in units of 10**-decimals -> fixed-point strings ('0.987')."""
    units = np.asarray(units, dtype=np.int64)
    scale = 10**decimals
    whole = pa.array(units // scale).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(units % scale).cast(pa.string()), decimals, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def _bools(mask: np.ndarray) -> pa.Array:
    return _labels(("false", "true"), np.asarray(mask, dtype=np.int64))


def _rank_bins(score: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """Bin index per element by rank of ``score`` (ascending) into consecutive ``shares``."""
    n = score.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(score, kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    cuts = np.cumsum(np.asarray(shares, dtype=float) / np.sum(shares)) * n
    return np.minimum(np.searchsorted(cuts, ranks, side="right"), len(shares) - 1)


def _choice(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(p.size, size=size, p=p / p.sum())


def _table(columns: Sequence[str], arrays: Sequence[pa.Array]) -> pa.Table:
    return pa.Table.from_arrays([a.cast(pa.string()) for a in arrays], names=list(columns))


# ---------------------------------------------------------------------------------------------
# one block of firms
# ---------------------------------------------------------------------------------------------

@dataclass
class _Events:
    """Columns of generated events before they become strings."""

    firm: np.ndarray
    day: np.ndarray
    etype: np.ndarray                 # index into _TYPE_CODES
    amount: np.ndarray                # yuan, -1 for none
    severity: np.ndarray              # index into SEVERITIES, -1 for none
    medium: np.ndarray                # index into MEDIA, -1 for none
    ref: np.ndarray                   # index of the referenced event in the same block, -1

    @classmethod
    def empty(cls) -> "_Events":
        z = np.zeros(0, dtype=np.int64)
        return cls.new(z, z, z)

    @classmethod
    def new(cls, firm: np.ndarray, day: np.ndarray, etype: np.ndarray) -> "_Events":
        minus = np.full(firm.size, -1, dtype=np.int8)
        return cls(firm.astype(np.int32), day.astype(np.int32), etype.astype(np.int8),
                   np.full(firm.size, -1, dtype=np.int64), minus.copy(), minus.copy(),
                   np.full(firm.size, -1, dtype=np.int64))

    def __len__(self) -> int:
        return int(self.firm.size)

    def take(self, idx: np.ndarray) -> "_Events":
        return _Events(*(getattr(self, f.name)[idx] for f in dataclasses.fields(self)))

    @staticmethod
    def concat(parts: Sequence["_Events"], shift_refs: bool = True) -> "_Events":
        """Concatenate; with ``shift_refs`` the refs of each part (indices into that part) are
        shifted by the part's offset, otherwise they are kept (indices into the result)."""
        if not parts:
            return _Events.empty()
        offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
        cols = {}
        for f in dataclasses.fields(_Events):
            arrays = []
            for p, off in zip(parts, offsets):
                a = getattr(p, f.name)
                if f.name == "ref" and shift_refs:
                    a = np.where(a >= 0, a + off, -1)
                arrays.append(a)
            cols[f.name] = np.concatenate(arrays)
        return _Events(**cols)


_TYPE_CODES: tuple[str, ...] = tuple(EVENT_TYPES)
_TYPE_INDEX = {t: i for i, t in enumerate(_TYPE_CODES)}
_SEVERITY_CODES: tuple[str, ...] = tuple(SEVERITIES)
_MEDIA_CODES: tuple[str, ...] = tuple(MEDIA)
_STATUS_CODES = ("operating", "suspended", "closed")
_CLASS_CODES = ("A", "B", "C")
_PERMIT_CODES = ("key", "simplified", "registration")
_VETO_TYPES = frozenset({
    "eia_unapproved_construction", "acceptance_unapproved_operation", "major_change_unapproved",
    "total_load_exceeded", "concealed_discharge", "hazwaste_illegal", "monitoring_fraud",
    "crime_referral", "crime_conviction", "detention", "permit_revoked", "penalty_not_executed",
    "heavy_pollution_order_refused", "refused_inspection",
})


@dataclass(frozen=True)
class _Calendar:
    years: tuple[int, ...]
    start: np.ndarray        # first day of each year (int days)
    length: np.ndarray       # days in each year
    end: int                 # last day of the last year

    @classmethod
    def of(cls, years: tuple[int, ...]) -> "_Calendar":
        start = np.array([_day(f"{y}-01-01") for y in years], dtype=np.int64)
        stop = np.array([_day(f"{y + 1}-01-01") for y in years], dtype=np.int64)
        return cls(years, start, stop - start, int(stop[-1] - 1))


def _block(
    n_firms: int,
    *,
    seed: int,
    block: int,
    years: tuple[int, ...],
    events_per_firm_year: float | None,
    mix: Mix,
    include_examples: bool,
    firm_offset: int,
    event_offset: int,
) -> dict[str, pa.Table]:
    """Generate one block: ``n_firms`` random firms (plus the examples when asked)."""
    rng = np.random.default_rng([seed, block])
    cal = _Calendar.of(years)
    ny = len(years)
    examples = EXAMPLES if include_examples else ()
    n_ex = len(examples)
    n = n_ex + n_firms
    is_ex = np.zeros(n, dtype=bool)
    is_ex[:n_ex] = True

    # --- firms: region, industry, size, key discharger, class, status, inclusion ---------------
    county_codes = np.array([c for c, _ in JIANGXI_COUNTIES])
    county_names = [n_ for _, n_ in JIANGXI_COUNTIES]
    city_of = np.array([c[:4] for c in county_codes])
    city_size = {c: int((city_of == c).sum()) for c in CITY_NAMES}
    county_w = np.array([mix.city_weights[c] / city_size[c] for c in city_of])
    county = _choice(rng, county_w, n)
    ind_w = [i.weight for i in INDUSTRIES]
    industry = _choice(rng, ind_w, n)
    heavy = np.array([i.heavy for i in INDUSTRIES])[industry]
    size = rng.normal(size=n) + 0.9 * heavy
    key = _rank_bins(-(size + rng.normal(scale=0.5, size=n)),
                     (mix.key_discharger_share, 1 - mix.key_discharger_share)) == 0
    cls_shares = [mix.supervision_class_shares[c] for c in _CLASS_CODES]
    sclass = _rank_bins(-(size + 1.5 * key + rng.normal(scale=0.5, size=n)), cls_shares)
    permit = np.where(key, np.where(rng.random(n) < 0.92, 0, 1),
                      np.where(rng.random(n) < 0.45, 1, 2))
    status = _choice(rng, [mix.status_shares[s] for s in _STATUS_CODES], n)
    first_day = _day(mix.included_from)
    last_old = int(cal.start[0] - 1)
    if last_old < first_day:
        first_day = _day(f"{years[0] - 8}-01-01")
    new_firm = rng.random(n) < mix.new_firm_share
    included = np.where(
        new_firm,
        cal.start[-1] + (rng.random(n) * cal.length[-1]).astype(np.int64),
        first_day + (rng.random(n) * (last_old - first_day + 1)).astype(np.int64),
    )

    # names: prefix (county, city or province) + trade name + industry word + suffix
    which_prefix = _choice(rng, (0.60, 0.25, 0.15), n)
    s1 = rng.integers(0, len(_SYLLABLES), n)
    s2 = (s1 + 1 + rng.integers(0, len(_SYLLABLES) - 1, n)) % len(_SYLLABLES)
    suffix = _choice(rng, (0.85, 0.10, 0.05), n)

    # --- latent risk -------------------------------------------------------------------------
    latent = rng.gamma(mix.risk_shape, 1.0 / mix.risk_shape, n)
    class_mult = np.array([mix.class_risk[c] for c in _CLASS_CODES])[sclass]
    mult = np.where(heavy, mix.heavy_risk, mix.light_risk) * class_mult
    mult = mult / mult[~is_ex].mean() if n_firms else mult
    risk = latent * mult                          # relative risk, mean about 1
    risk[is_ex] = 0.0

    # --- overrides for the illustrative firms --------------------------------------------------
    if n_ex:
        ex_county = {c: i for i, c in enumerate(county_codes)}
        ex_industry = {ind.code: i for i, ind in enumerate(INDUSTRIES)}
        county[:n_ex] = [ex_county[ex.region_code] for ex in examples]
        industry[:n_ex] = [ex_industry[ex.industry_code] for ex in examples]
        heavy[:n_ex] = np.array([i.heavy for i in INDUSTRIES])[industry[:n_ex]]
        key[:n_ex] = [ex.key_discharger for ex in examples]
        sclass[:n_ex] = [_CLASS_CODES.index(ex.supervision_class) for ex in examples]
        permit[:n_ex] = [_PERMIT_CODES.index(ex.permit_type) for ex in examples]
        status[:n_ex] = 0
        which_prefix[:n_ex] = 0
        included[:n_ex] = [
            _day(f"{years[-1]}-{ex.included_since}") if ex.included_since
            else _day(f"{years[0] - 5}-01-01")
            for ex in examples
        ]
    inc_year_idx = np.searchsorted(cal.start, included, side="right") - 1   # -1: before years

    # --- positive events (independent of the adverse volume) ----------------------------------
    parts: list[_Events] = []

    def per_firm_year(prob: np.ndarray, etype: str, window: tuple[int, int] | None = None
                      ) -> _Events:
        hit = rng.random((n, ny)) < prob
        f, y = np.nonzero(hit)
        lo = 0 if window is None else window[0]
        hi = cal.length[y] if window is None else np.minimum(window[1], cal.length[y])
        day = cal.start[y] + lo + (rng.random(f.size) * (hi - lo)).astype(np.int64)
        return _Events.new(f, day, np.full(f.size, _TYPE_INDEX[etype]))

    ones = np.ones((n, ny))
    active = ~is_ex
    low_risk = latent < np.median(latent[active]) if n_firms else np.zeros(n, dtype=bool)
    boost = np.where(heavy, 1.4, 0.7)
    boost = boost / boost[active].mean() if n_firms else boost
    insured = (rng.random(n) < mix.insurance_firms * boost) & active
    parts.append(per_firm_year(ones * (insured * mix.insurance_renewal)[:, None],
                               "liability_insurance", (0, 120)))
    parts.append(per_firm_year(ones * (active * mix.cleaner_production_per_year
                                       * np.where(heavy, 1.5, 0.5))[:, None],
                               "cleaner_production_audit"))
    parts.append(per_firm_year(ones * (active * low_risk * 2 * mix.commendation_per_year)[:, None],
                               "commendation"))
    parts.append(per_firm_year(ones * (active * mix.open_day_per_year
                                       * np.where(key, 2.2, 0.35))[:, None], "open_day"))
    parts.append(per_firm_year(ones * (active * low_risk * key * 5.5
                                       * mix.leader_per_year)[:, None], "leader"))
    committed = np.flatnonzero((rng.random(n) < mix.credit_commitment_firms) & active)
    cy = rng.integers(0, ny, committed.size)
    c_day = cal.start[cy] + (rng.random(cy.size) * cal.length[cy]).astype(np.int64)
    parts.append(_Events.new(committed, c_day,
                             np.full(committed.size, _TYPE_INDEX["credit_commitment"])))
    positives = _Events.concat(parts)
    positives = positives.take(np.flatnonzero(positives.day >= included[positives.firm]))

    # --- adverse events ----------------------------------------------------------------------
    adv_codes = tuple(mix.adverse_types)
    adv_p = np.array([mix.adverse_types[t] for t in adv_codes], dtype=float)
    adv_p /= adv_p.sum()
    rect_frac = float(sum(p for t, p in zip(adv_codes, adv_p) if t in mix.rectification_types))
    rate = mix.adverse_per_firm_year
    if events_per_firm_year is not None and n_firms:
        # expected adverse events = rate * Σ risk × (years under evaluation); each brings on
        # average `per_adverse` events with its children (less those cut by the last day)
        span = cal.end + 1 - int(cal.start[0])
        kept = 1.0 - float(np.mean(mix.rectification_days)) / span
        per_adverse = 1.0 + mix.rectification_share * rect_frac * kept + mix.revocation_share
        covered = np.clip((cal.start + cal.length)[None, :]
                          - np.maximum(cal.start[None, :], included[:, None]), 0, None)
        exposure = float((risk * (covered / cal.length[None, :]).sum(axis=1)).sum())
        target = events_per_firm_year * n_firms * ny - len(positives)
        rate = max(0.0, target / max(exposure, 1e-9) / per_adverse)
    counts = rng.poisson((rate * risk)[:, None] * np.ones((1, ny)))
    fy = np.repeat(np.arange(n * ny), counts.ravel())
    a_firm, a_year = fy // ny, fy % ny
    a_day = cal.start[a_year] + (rng.random(fy.size) * cal.length[a_year]).astype(np.int64)
    a_type = np.array([_TYPE_INDEX[t] for t in adv_codes])[_choice(rng, adv_p, fy.size)]
    adverse = _Events.new(a_firm, a_day, a_type)
    adverse = adverse.take(np.flatnonzero(adverse.day >= included[adverse.firm]))
    del fy, a_firm, a_year, a_day, a_type
    m = len(adverse)
    for etype, dist in mix.media.items():          # loop over the vocabulary
        sel = np.flatnonzero(adverse.etype == _TYPE_INDEX[etype])
        if sel.size:
            probs = [dist.get(md, 0.0) for md in _MEDIA_CODES]
            probs.append(max(0.0, 1.0 - sum(probs)))
            pick = _choice(rng, probs, sel.size)
            adverse.medium[sel] = np.where(pick < len(_MEDIA_CODES), pick, -1)
    sel = np.flatnonzero(adverse.etype == _TYPE_INDEX["incident"])
    adverse.severity[sel] = _choice(
        rng, [mix.incident_severity[s] for s in _SEVERITY_CODES], sel.size)
    for etype, median, sigma in (("fine", mix.fine_median, mix.fine_sigma),
                                 ("daily_penalty", mix.daily_penalty_median,
                                  mix.daily_penalty_sigma)):
        sel = np.flatnonzero(adverse.etype == _TYPE_INDEX[etype])
        amount = rng.lognormal(np.log(median), sigma, sel.size)
        adverse.amount[sel] = np.maximum(1000, np.round(amount / 100).astype(np.int64) * 100)

    # children: revocations (of decisions) and completed rectifications
    revocable = ~np.isin(adverse.etype, [_TYPE_INDEX[t] for t in mix.revocation_exempt])
    rev_frac = max(float(revocable.mean()) if m else 1.0, 1e-9)
    revoked = revocable & (rng.random(m) < mix.revocation_share / rev_frac)
    rectifiable = np.isin(adverse.etype, [_TYPE_INDEX[t] for t in mix.rectification_types])
    rectified = rectifiable & ~revoked & (rng.random(m) < mix.rectification_share)
    children = []
    for mask, etype, (lo, hi) in ((revoked, "revocation", mix.revocation_days),
                                  (rectified, "rectification_completed", mix.rectification_days)):
        parent = np.flatnonzero(mask)
        day = adverse.day[parent] + rng.integers(lo, hi + 1, parent.size)
        keep = day <= cal.end
        parent, day = parent[keep], day[keep]
        child = _Events.new(adverse.firm[parent], day, np.full(parent.size, _TYPE_INDEX[etype]))
        child.ref[:] = parent            # index into `adverse`
        children.append(child)
    # the children's refs index `adverse`, which comes first: keep them as they are
    generated = _Events.concat([adverse, positives, *children], shift_refs=False)
    recorded = generated.day + rng.integers(0, mix.recorded_lag_days + 1, len(generated))
    recorded = np.minimum(recorded, cal.end)

    # order the generated events by date, then firm; ids follow that order
    order = np.argsort(generated.day.astype(np.int64) * max(n, 1) + generated.firm, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    generated = generated.take(order)
    recorded = recorded[order]
    generated.ref = np.where(generated.ref >= 0, position[np.maximum(generated.ref, 0)], -1)

    # the examples' events come first
    ex_parts = []
    for i, ex in enumerate(examples):
        if not ex.events:
            continue
        ev = _Events.new(
            np.full(len(ex.events), i),
            np.array([_day(f"{years[-1] - e.years_back}-{e.day}") for e in ex.events]),
            np.array([_TYPE_INDEX[e.event_type] for e in ex.events]),
        )
        ev.amount[:] = [-1 if e.amount is None else e.amount for e in ex.events]
        ev.severity[:] = [_SEVERITY_CODES.index(e.severity) if e.severity else -1
                          for e in ex.events]
        ev.medium[:] = [_MEDIA_CODES.index(e.medium) if e.medium else -1 for e in ex.events]
        ev.ref[:] = [-1 if e.ref is None else e.ref for e in ex.events]
        ex_parts.append(ev)
    ex_events = _Events.concat(ex_parts)
    events = _Events.concat([ex_events, generated])
    recorded = np.concatenate([ex_events.day, recorded])

    # --- firm columns that depend on events ----------------------------------------------------
    adverse_per_firm = np.bincount(adverse.firm, minlength=n)
    clean = (adverse_per_firm == 0) & active
    p_pos = min(1.0, mix.positive_list_share * n_firms / max(int(clean.sum()), 1))
    positive = clean & (rng.random(n) < p_pos)
    if n_ex:
        positive[:n_ex] = [ex.positive_list for ex in examples]

    serials = ((seed * 2_654_435_761) % _SERIAL_SPACE + firm_offset
               + np.arange(n_firms, dtype=np.int64)) % _SERIAL_SPACE
    random_ids = make_uscc(rng, county_codes[county[n_ex:]], serials=serials)
    firm_ids = np.concatenate([_example_ids(), random_ids]) if n_ex else random_ids
    firm_id_arr = pa.array(firm_ids, type=pa.string())

    prefixes = np.array([_short(c) for c in county_names])[county]
    city_short = np.array([_short(CITY_NAMES[c[:4]]) for c in county_codes])[county]
    prefix = np.where(which_prefix == 0, prefixes, np.where(which_prefix == 1, city_short, "江西"))
    syl = np.array(_SYLLABLES)
    words = np.array([i.word for i in INDUSTRIES])[industry]
    name = pc.binary_join_element_wise(
        pa.array(prefix), pa.array(syl[s1]), pa.array(syl[s2]), pa.array(words),
        pa.array(np.array(_SUFFIXES)[suffix]), "")
    if n_ex:
        name = pa.concat_arrays([pa.array([ex.name for ex in examples], type=pa.string()),
                                 name.slice(n_ex).cast(pa.string())])
    firms = _table(COLUMNS["firms"], [
        firm_id_arr,
        name,
        pa.array(county_codes[county]),
        _labels([i.code for i in INDUSTRIES], industry),
        _labels(_CLASS_CODES, sclass),
        _bools(key),
        _labels(_PERMIT_CODES, permit),
        _bools(positive),
        _labels(_STATUS_CODES, status),
        _dates(included),
    ])

    # --- events table ----------------------------------------------------------------------------
    numbers = event_offset + _FIRST_EVENT_NUMBER + np.arange(len(events), dtype=np.int64)
    event_ids = pc.binary_join_element_wise(
        "EV", pc.utf8_lpad(pa.array(numbers).cast(pa.string()), _ID_DIGITS, "0"), "")
    has_ref = events.ref >= 0
    ref_ids = pc.if_else(pa.array(has_ref),
                         pc.take(event_ids, pa.array(np.maximum(events.ref, 0))), "")
    has_amount = events.amount >= 0
    amount = pc.if_else(pa.array(has_amount),
                        pa.array(np.maximum(events.amount, 0)).cast(pa.string()), "")
    events_tbl = _table(COLUMNS["events"], [
        event_ids,
        pc.take(firm_id_arr, pa.array(events.firm)),
        _dates(events.day),
        _labels(_TYPE_CODES, events.etype),
        amount,
        _labels(_SEVERITY_CODES, events.severity),
        _labels(_MEDIA_CODES, events.medium),
        ref_ids,
        _dates(recorded),
    ])

    # --- measurements ---------------------------------------------------------------------------
    yr = np.arange(ny)[None, :]
    has_row = yr >= np.maximum(inc_year_idx, 0)[:, None]
    has_row &= (inc_year_idx < ny)[:, None]
    mf, my = np.nonzero(has_row)
    rows = mf.size
    exceed_idx = _TYPE_INDEX["exceedance"]
    adv_year = np.searchsorted(cal.start, adverse.day, side="right") - 1
    adv_key = adverse.firm.astype(np.int64) * ny + adv_year          # firm-year of each event
    exceed_fy = np.bincount(adv_key, weights=(adverse.etype == exceed_idx), minlength=n * ny)
    exceed_fy = exceed_fy.reshape(n, ny)[mf, my]
    rel = risk[mf]
    shortfall = rng.exponential(mix.compliance_scale * (0.5 + rel)) + 0.03 * exceed_fy
    shortfall = np.where((rng.random(rows) < 0.3) & (exceed_fy == 0), 0.0, shortfall)
    compliance = np.clip(1000 - np.round(shortfall * 1000), 0, 1000).astype(np.int64)
    solid = np.where(rng.random(rows) < 0.92, 1000,
                     np.clip(1000 - np.round(rng.exponential(0.05, rows) * 1000) - 1, 500, 999))
    p_fail = np.minimum(0.5, 0.03 * rel)
    p_basic = np.minimum(0.4, 0.12 * np.sqrt(rel))
    u = rng.random(rows)
    hazwaste = np.where(u < p_fail, 2, np.where(u < p_fail + p_basic, 1, 0))
    noisy = rng.random(rows) < 0.08 * np.minimum(3.0, np.sqrt(rel))
    noise = np.where(noisy, np.clip(np.round(5 + rng.exponential(20, rows)), 5, 100), 0)
    siting = (rng.random(rows) < np.where(heavy[mf], 0.03, 0.015)).astype(np.int64)
    if n_ex:
        ex_row = mf < n_ex
        compliance[ex_row] = 1000
        solid[ex_row] = 1000
        hazwaste[ex_row] = 0
        noise[ex_row] = 0
        siting[ex_row] = 0
        for i, ex in enumerate(examples):
            sel = ex_row & (mf == i) & (my == ny - 1)
            compliance[sel] = round(float(ex.compliance_last_year) * 1000)
    gap_firm = (rng.random(n) < mix.measurement_gap_firms) & active
    k = len(INDICATORS)
    values = pa.concat_arrays([
        _decimal(compliance, 3),
        _decimal(solid, 3),
        _labels(("pass", "basic", "fail"), hazwaste),
        _decimal(noise, 1),
        _labels(("yes", "no"), siting),
    ])
    interleave = (np.arange(k)[None, :] * rows + np.arange(rows)[:, None]).ravel()
    keep = ~(gap_firm[np.repeat(mf, k)] & (rng.random(rows * k) < mix.measurement_gap_rows))
    take = interleave[keep]
    m_firm = np.repeat(mf, k)[keep]
    m_year = np.repeat(my, k)[keep]
    measurements = _table(COLUMNS["measurements"], [
        pc.take(firm_id_arr, pa.array(m_firm)),
        _labels([str(y) for y in years], m_year),
        _labels(INDICATORS, np.tile(np.arange(k), rows)[keep]),
        pc.take(values, pa.array(take)),
    ])

    # --- history -------------------------------------------------------------------------------
    hist_years = ny - 1
    h_has = (np.arange(hist_years)[None, :] >= np.maximum(inc_year_idx, 0)[:, None]) \
        & (inc_year_idx < hist_years)[:, None]
    hf, hy = np.nonzero(h_has)
    veto_idx = [_TYPE_INDEX[t] for t in _VETO_TYPES]
    veto_ev = np.isin(adverse.etype, veto_idx) | (
        (adverse.etype == _TYPE_INDEX["incident"]) & (adverse.severity >= 1))
    adv_fy = np.bincount(adv_key, minlength=n * ny).reshape(n, ny)
    veto_fy = np.bincount(adv_key, weights=veto_ev, minlength=n * ny).reshape(n, ny)
    score = (1.2 * np.log1p(adv_fy[hf, hy]) + 2.5 * (veto_fy[hf, hy] > 0)
             + 0.4 * np.log(np.maximum(risk[hf], 1e-3)) + rng.normal(scale=0.6, size=hf.size))
    grade = np.zeros(hf.size, dtype=np.int64)
    shares = [mix.history_grades[g] for g in HISTORY_GRADES]
    for y in range(hist_years):                      # loop over periods
        sel = np.flatnonzero((hy == y) & ~is_ex[hf])
        grade[sel] = _rank_bins(score[sel], shares)
    u = rng.random(hf.size)
    hlist = np.where((grade == 0) & (u < mix.red_list_share_of_green), 0,
                     np.where((grade == 3) & (u < mix.black_list_share_of_red), 1, -1))
    if n_ex:
        for i, ex in enumerate(examples):
            sel = np.flatnonzero(hf == i)
            for j in sel:                              # a handful of example rows
                g, lst = ex.history.get(hist_years - hy[j], ("blue", ""))
                grade[j] = HISTORY_GRADES.index(g)
                hlist[j] = ("red", "black").index(lst) if lst else -1
    history = _table(COLUMNS["history"], [
        pc.take(firm_id_arr, pa.array(hf)),
        _labels([str(y) for y in years], hy),
        _labels(HISTORY_GRADES, grade),
        _labels(("red", "black"), hlist),
    ])
    return {"firms": firms, "events": events_tbl, "measurements": measurements,
            "history": history}


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------

def _check_args(n_firms: int, years: Sequence[int], events_per_firm_year: float | None
                ) -> tuple[int, ...]:
    if not isinstance(n_firms, (int, np.integer)) or n_firms < 0:
        raise ValueError(f"n_firms must be a non-negative integer; got {n_firms!r}.")
    ys = tuple(int(y) for y in years)
    if not ys or list(ys) != sorted(set(ys)) or ys[0] < 1990 or ys[-1] > 2200:
        raise ValueError(f"years must be increasing distinct years; got {tuple(years)!r}.")
    if events_per_firm_year is not None and events_per_firm_year < 0:
        raise ValueError(f"events_per_firm_year must be >= 0; got {events_per_firm_year!r}.")
    return ys


def _str_dtype() -> pd.StringDtype:
    try:  # pandas >= 2.3/3: the default "str" dtype
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pandas 2.2
        return pd.StringDtype("pyarrow")


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    dtype = _str_dtype()
    return table.to_pandas(types_mapper=lambda t: dtype if t in (pa.string(), pa.large_string())
                           else None)


def _iter_blocks(
    n_firms: int,
    *,
    seed: int,
    years: tuple[int, ...],
    events_per_firm_year: float | None,
    mix: Mix,
    include_examples: bool,
    chunk_firms: int,
) -> Iterator[dict[str, pa.Table]]:
    if chunk_firms <= 0:
        raise ValueError(f"chunk_firms must be positive; got {chunk_firms!r}.")
    event_offset = 0
    firm_offset = 0
    block = 0
    while firm_offset < n_firms or block == 0:
        size = min(chunk_firms, n_firms - firm_offset)
        tables = _block(size, seed=seed, block=block, years=years,
                        events_per_firm_year=events_per_firm_year, mix=mix,
                        include_examples=include_examples and block == 0,
                        firm_offset=firm_offset, event_offset=event_offset)
        event_offset += tables["events"].num_rows
        firm_offset += size
        block += 1
        yield tables


def generate(
    n_firms: int = 3000,
    *,
    seed: int = 20251123,
    years: tuple[int, ...] = (2023, 2024, 2025),
    events_per_firm_year: float | None = None,
    include_examples: bool = True,
    mix: Mix | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate a synthetic province in the contract's four tables.

    Parameters
    ----------
    n_firms : int, default 3000
        Number of random firms (the illustrative firms come on top).
    seed : int, default 20251123
        Seed; the same arguments always give identical tables.
    years : tuple of int, default (2023, 2024, 2025)
        Calendar years with events and measurements; history covers all but the last.
    events_per_firm_year : float, optional
        Target mean number of events of all types per random firm and year. ``None`` keeps the
        calibrated :attr:`Mix.adverse_per_firm_year` (about 1.9 events per firm-year in total,
        0.6 of them adverse);
        a number rescales the adverse rate so that the total is about this (use ~11 for 300,000
        firms and 10 million events over three years).
    include_examples : bool, default True
        Prepend the illustrative firms of :data:`EXAMPLES` and their events.
    mix : Mix, optional
        Shares and rates of the generator; :data:`DEFAULT_MIX` when omitted.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``firms``, ``events``, ``measurements``, ``history`` with the contract's canonical
        columns (:data:`COLUMNS`), every value a string (pyarrow-backed string dtype, no
        missing values: empty string where a CSV cell is empty). Dates are ``YYYY-MM-DD``,
        booleans ``true``/``false``.

    Examples
    --------
    >>> tables = generate(50, seed=1)
    >>> list(tables["firms"].columns)[:3]
    ['firm_id', 'name', 'region_code']
    >>> tables["firms"]["name"].iloc[0]
    '示例·清白企业'
    """
    ys = _check_args(n_firms, years, events_per_firm_year)
    mix = DEFAULT_MIX if mix is None else mix
    (tables,) = _iter_blocks(n_firms, seed=seed, years=ys,
                             events_per_firm_year=events_per_firm_year, mix=mix,
                             include_examples=include_examples,
                             chunk_firms=max(n_firms, 1))
    return {name: _to_pandas(t) for name, t in tables.items()}


def iter_chunks(
    n_firms: int,
    *,
    chunk_firms: int = 250_000,
    seed: int = 20251123,
    years: tuple[int, ...] = (2023, 2024, 2025),
    events_per_firm_year: float | None = None,
    include_examples: bool = True,
    mix: Mix | None = None,
) -> Iterator[dict[str, pd.DataFrame]]:
    """Generate a large province chunk by chunk (same tables as :func:`generate`).

    Each chunk holds ``chunk_firms`` firms and all their events, measurements and history, with
    its own random stream (seeded by ``(seed, chunk number)``); firm ids are unique across
    chunks and event ids continue from chunk to chunk. The first chunk equals
    ``generate(min(n_firms, chunk_firms), ...)``. Concatenating the chunks gives a valid
    province; it is deterministic for a given ``(seed, chunk_firms)``.

    Parameters
    ----------
    n_firms : int
        Total number of random firms.
    chunk_firms : int, default 250000
        Firms per chunk.
    seed, years, events_per_firm_year, include_examples, mix
        As in :func:`generate`.

    Yields
    ------
    dict of str to pandas.DataFrame
    """
    ys = _check_args(n_firms, years, events_per_firm_year)
    mix = DEFAULT_MIX if mix is None else mix
    for tables in _iter_blocks(n_firms, seed=seed, years=ys,
                               events_per_firm_year=events_per_firm_year, mix=mix,
                               include_examples=include_examples, chunk_firms=chunk_firms):
        yield {name: _to_pandas(t) for name, t in tables.items()}


def _as_arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
        frame, preserve_index=False)
    return pa.Table.from_arrays([c.cast(pa.string()) for c in table.columns],
                                names=table.column_names)


class _Sink:
    """Writes one table to CSV or Parquet, one chunk at a time."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema):
        self.path, self.fmt, self.rows = path, fmt, 0
        if fmt == "csv":
            import pyarrow.csv as pacsv

            self._file = open(path, "wb")
            # the header is written by hand: pyarrow would quote the column names
            self._file.write((",".join(schema.names) + "\n").encode("utf-8"))
            self._writer = pacsv.CSVWriter(
                self._file, schema,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
        else:
            import pyarrow.parquet as pq

            self._file = None
            self._writer = pq.ParquetWriter(path, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()


def write_chunks(
    chunks: Iterable[Mapping[str, pd.DataFrame | pa.Table]],
    out_dir: str | Path,
    fmt: str = "csv",
) -> dict[str, int]:
    """Stream chunks of tables into ``out_dir``; return the row count of each table.

    Parameters
    ----------
    chunks : iterable of mappings
        Each maps table names (``firms``, ``events``, ``measurements``, ``history``) to a
        DataFrame or pyarrow Table of strings (e.g. from :func:`iter_chunks`).
    out_dir : str or Path
        Created if missing. Files are ``<table>.csv`` or ``<table>.parquet``.
    fmt : {'csv', 'parquet'}
        CSV is plain UTF-8 without BOM, comma-separated, ``\\n`` line ends, header row, no
        quoting (the generated values hold no commas, quotes or line breaks; a value that would
        need quoting raises). Parquet holds string columns only.

    Returns
    -------
    dict of str to int
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet'; got {fmt!r}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sinks: dict[str, _Sink] = {}
    try:
        for chunk in chunks:
            for name in COLUMNS:
                if name not in chunk:
                    continue
                table = _as_arrow(chunk[name])
                if name not in sinks:
                    sinks[name] = _Sink(out / f"{name}.{fmt}", fmt, table.schema)
                sinks[name].write(table)
    finally:
        for sink in sinks.values():
            sink.close()
    return {name: sink.rows for name, sink in sinks.items()}


def write(
    tables: Mapping[str, pd.DataFrame | pa.Table],
    out_dir: str | Path,
    fmt: str = "csv",
) -> dict[str, Path]:
    """Write the tables of :func:`generate` as ``firms.csv``, ``events.csv`` ... into ``out_dir``.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        As returned by :func:`generate`.
    out_dir : str or Path
        Created if missing; existing files of the same names are replaced.
    fmt : {'csv', 'parquet'}, default 'csv'
        See :func:`write_chunks`.

    Returns
    -------
    dict of str to Path
        The file written for each table.
    """
    write_chunks([tables], out_dir, fmt)
    return {name: Path(out_dir) / f"{name}.{fmt}" for name in COLUMNS if name in tables}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m ecocredit.synth --firms 3000 --out sample_data``.

    Prints the row count of each table written (and of each event type with ``--by-type``).
    """
    parser = argparse.ArgumentParser(
        prog="python -m ecocredit.synth",
        description="Generate a synthetic province (firms, events, measurements, history).")
    parser.add_argument("--firms", type=int, default=3000, help="random firms (default 3000)")
    parser.add_argument("--seed", type=int, default=20251123)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024, 2025])
    parser.add_argument("--events-per-firm-year", type=float, default=None,
                        help="target mean events per firm and year (default: calibrated mix)")
    parser.add_argument("--no-examples", action="store_true",
                        help="leave out the illustrative 示例 firms")
    parser.add_argument("--chunk-firms", type=int, default=250_000,
                        help="firms per chunk written at a time (default 250000)")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--by-type", action="store_true", help="also print events per type")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    try:
        ys = _check_args(args.firms, args.years, args.events_per_firm_year)
    except ValueError as exc:
        parser.error(str(exc))
    started = time.perf_counter()
    type_counts: dict[str, int] = {}

    def blocks() -> Iterator[dict[str, pa.Table]]:
        for tables in _iter_blocks(args.firms, seed=args.seed, years=ys,
                                   events_per_firm_year=args.events_per_firm_year,
                                   mix=DEFAULT_MIX, include_examples=not args.no_examples,
                                   chunk_firms=args.chunk_firms):
            if args.by_type:
                counts = pc.value_counts(tables["events"].column("event_type")).to_pylist()
                for item in counts:
                    etype, count = item["values"], item["counts"]
                    type_counts[etype] = type_counts.get(etype, 0) + count
            yield tables

    rows = write_chunks(blocks(), args.out, args.format)
    elapsed = time.perf_counter() - started
    for name in COLUMNS:
        print(f"{name}: {rows.get(name, 0)} rows")
    if args.by_type:
        for etype in _TYPE_CODES:
            if etype in type_counts:
                print(f"  {etype}: {type_counts[etype]}")
    print(f"written to {args.out} ({args.format}) in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
