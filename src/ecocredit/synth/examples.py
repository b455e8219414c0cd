"""The illustrative firms named ``示例·…``: fixed attributes and events that docs and tests name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from ..codes import make_uscc

__all__ = ["ExampleEvent", "Example", "EXAMPLES"]

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

