"""The tunable part of the generator: the contract's columns, the industries and :class:`Mix`.

Every share, rate and distribution parameter of the synthetic province lives here, in one
frozen dataclass; the modules that draw firms, events and records read them from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from ..codes import CITY_NAMES
from ..vocab import ADMIN_EVENT_TYPES, EVENT_TYPES, MEDIA, POSITIVE_EVENT_TYPES, SEVERITIES, TABLES

__all__ = ["COLUMNS", "INDICATORS", "HISTORY_GRADES", "Industry", "INDUSTRIES", "Mix",
           "DEFAULT_MIX"]


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

