"""hypothesis strategies for input tables, derived from a ruleset's own declarations.

Event types, severities, amounts, indicators, values near tier thresholds, grade ids and the
dates that matter (period edges, effective-after delays, validity lapses) are all read from
the ruleset, so every bundled ruleset is exercised where its rules have edges.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pandas as pd
from hypothesis import strategies as st

from ecocredit.codes import org_check_char, uscc_check_char
from ecocredit.days import add_months
from ecocredit.ruleset import Ruleset
from ecocredit.periods import parse_period
from ecocredit.vocab import EVENT_TYPES, MEDIA, POSITIVE_EVENT_TYPES, SEVERITIES

TODAY = dt.date(2030, 1, 1)
#: multiplies the example counts of the property tests that run per bundled ruleset
#: (``ECOCREDIT_TEST_EXAMPLES=5 pytest`` for a thorough run before a release); the default keeps
#: the suite within CI's time budget, and since CI keeps no example database, every run draws
#: new examples
EXAMPLES_SCALE = float(os.environ.get("ECOCREDIT_TEST_EXAMPLES", "1"))


def examples(n: int) -> int:
    """``n`` examples, times :data:`EXAMPLES_SCALE` (at least one)."""
    return max(1, round(n * EXAMPLES_SCALE))
ALPHA = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def firm_id(i: int) -> str:
    body = f"91360102{i:08d}"[:16]
    body += org_check_char(body[8:])  # characters 9-17: a GB 11714 organisation code
    return body + uscc_check_char(body)


def _matches(ruleset: Ruleset) -> list:
    out = []
    for r in ruleset.rules:
        if getattr(r, "match", None) is not None:
            out.append(r.match)
        w = getattr(r, "when", None)
        if w is not None and w.events is not None:
            out.append(w.events)
    for r in ruleset.list_rules():  # list entries read events too (Hebei's direct black list)
        for w in (r.when, r.serious_when):
            if w is not None and w.events is not None:
                out.append(w.events)
    return out


def interesting_types(ruleset: Ruleset) -> list[str]:
    types = {t for m in _matches(ruleset) for t in m.types}
    return sorted(types | {"warning", "fine", "incident", "complaint_verified",
                           "credit_commitment", "order_to_correct"})


def adverse_types(ruleset: Ruleset) -> list[str]:
    return sorted(t for t in ruleset.event_type_ids
                  if t not in ruleset.positive_event_types and t != "revocation")


def key_dates(ruleset: Ruleset, period_label: str) -> list[dt.date]:
    """Dates at which an event's counting flips: period edges and validity lapses."""
    p = parse_period(period_label)
    end = p.end
    days = {p.start, p.start - dt.timedelta(days=1), end, end - dt.timedelta(days=1)}
    for m in _matches(ruleset):
        delay = dt.timedelta(days=m.effective_after_days)
        days.add(end - delay)
        days.add(end - delay + dt.timedelta(days=1))
        if m.valid_months:
            # the last day on which an event still counts on `end`, and the first that lapses
            for back in range(m.valid_months, m.valid_months + 1):
                start_limit = add_months(end - delay, -back)
                days.update({start_limit, start_limit - dt.timedelta(days=1),
                             start_limit + dt.timedelta(days=1)})
    return sorted(d for d in days if dt.date(2000, 1, 1) < d < TODAY)


def amounts(ruleset: Ruleset) -> st.SearchStrategy[str]:
    edges = {Decimal(0), Decimal("50000"), Decimal("100000")}
    for m in _matches(ruleset):
        for v in (m.amount_min, m.amount_max):
            if v is not None:
                edges.update({v, v - Decimal("0.01"), v + Decimal("0.01")})
    return st.one_of(
        st.just(""),
        st.sampled_from(sorted(str(e) for e in edges if e >= 0)),
        st.decimals(min_value=0, max_value=2_000_000, places=2).map(str),
    )


def measurement_values(ruleset: Ruleset, indicator: str) -> st.SearchStrategy[str]:
    ind = ruleset.indicator_map[indicator]
    if ind.kind == "categorical":
        return st.sampled_from(ind.values)
    edges: set[Decimal] = set()
    for r in ruleset.rules:
        if r.kind == "tiers" and r.indicator == indicator:
            for t in r.tiers:
                for v in (t.min, t.max):
                    if v is not None:
                        edges.update({v, v - Decimal("0.001"), v + Decimal("0.001")})
    return st.one_of(st.sampled_from(sorted(str(e) for e in edges) or ["0"]),
                     st.decimals(min_value=-1, max_value=120, places=3).map(str))


@st.composite
def inputs(draw, ruleset: Ruleset, period_label: str = "2025", max_firms: int = 6,
           max_events: int = 25) -> dict:
    """Firms, events, measurements, history and options for one scoring run."""
    p = parse_period(period_label)
    n = draw(st.integers(1, max_firms))
    ids = [firm_id(i + 1) for i in range(n)]
    statuses = draw(st.lists(st.sampled_from(["operating"] * 6 + ["closed", "suspended", ""]),
                             min_size=n, max_size=n))
    included = draw(st.lists(st.sampled_from(["", "2015-01-01", p.start.isoformat(),
                                              (p.end + dt.timedelta(days=1)).isoformat()]),
                             min_size=n, max_size=n))
    firms = pd.DataFrame({"firm_id": ids, "name": [f"企业{i}" for i in range(n)],
                          "region_code": "360102", "status": statuses,
                          "included_since": included})

    dates = key_dates(ruleset, period_label)
    date_st = st.one_of(
        st.sampled_from(dates),
        st.dates(min_value=p.start - dt.timedelta(days=800), max_value=p.end),
    )
    types = interesting_types(ruleset)
    m = draw(st.integers(0, max_events))
    rows = []
    for j in range(m):
        t = draw(st.sampled_from(types))
        d = draw(date_st)
        rows.append({
            "event_id": f"E{j:04d}",
            "firm_id": ids[draw(st.integers(0, n - 1))],
            "event_date": d.isoformat(),
            "event_type": t,
            "amount": draw(amounts(ruleset)) if t in ("fine", "daily_penalty") else "",
            "severity": draw(st.sampled_from(list(SEVERITIES))) if t == "incident" else "",
            "medium": draw(st.sampled_from([""] + list(MEDIA))),
            "ref_event_id": "",
            "recorded_at": (d + dt.timedelta(days=draw(st.integers(0, 40)))).isoformat(),
        })
    # a few revocations of earlier events of the same firm
    for j in range(draw(st.integers(0, 2)) if rows else 0):
        target = rows[draw(st.integers(0, len(rows) - 1))]
        d = dt.date.fromisoformat(target["event_date"]) + dt.timedelta(days=draw(st.integers(0, 60)))
        rows.append({"event_id": f"R{j:03d}", "firm_id": target["firm_id"],
                     "event_date": d.isoformat(), "event_type": "revocation", "amount": "",
                     "severity": "", "medium": "", "ref_event_id": target["event_id"],
                     "recorded_at": d.isoformat()})
    events = pd.DataFrame(rows, columns=["event_id", "firm_id", "event_date", "event_type",
                                         "amount", "severity", "medium", "ref_event_id",
                                         "recorded_at"])

    mrows = []
    for ind in ruleset.indicators:
        for fid in ids:
            if draw(st.booleans()):
                per = draw(st.sampled_from([p.label[:4], str(int(p.label[:4]) - 1),
                                            f"{p.label[:4]}-06"]))
                mrows.append({"firm_id": fid, "period": per, "indicator": ind.id,
                              "value": draw(measurement_values(ruleset, ind.id))})
    measurements = pd.DataFrame(mrows, columns=["firm_id", "period", "indicator", "value"])
    measurements = measurements.drop_duplicates(["firm_id", "period", "indicator"])

    hrows = []
    y = int(p.label[:4])
    for fid in ids:
        for back in range(1, 4):
            if draw(st.booleans()):
                lst = draw(st.sampled_from(["", "", "red", "black"]))
                # an explicit end of the list entry around the evaluation date, or the default
                until = draw(st.sampled_from(["", "", (p.end - dt.timedelta(days=1)).isoformat(),
                                              p.end.isoformat(),
                                              (p.end + dt.timedelta(days=1)).isoformat(),
                                              add_months(p.end, 24).isoformat()])) if lst else ""
                hrows.append({"firm_id": fid, "period": str(y - back),
                              "grade": draw(st.sampled_from(ruleset.grade_ids)),
                              "list": lst, "list_until": until})
    history = pd.DataFrame(hrows, columns=["firm_id", "period", "grade", "list", "list_until"])
    as_of = draw(st.one_of(st.none(), st.sampled_from(
        [p.end, p.end - dt.timedelta(days=20), add_months(p.end, -3)])))
    if as_of is not None and not ruleset.covers(min(as_of, p.end)):
        as_of = None
    return {"firms": firms, "events": events, "measurements": measurements,
            "history": history, "as_of": as_of, "period": period_label}


def adverse_event(ruleset: Ruleset, period_label: str) -> st.SearchStrategy[dict]:
    """One adverse event, dated where it counts or near an edge."""
    p = parse_period(period_label)
    return st.fixed_dictionaries({
        "event_type": st.sampled_from(adverse_types(ruleset)),
        "event_date": st.one_of(st.sampled_from(key_dates(ruleset, period_label)),
                                st.dates(min_value=p.start - dt.timedelta(days=400),
                                         max_value=p.end)).map(dt.date.isoformat),
        "severity": st.sampled_from(["", *SEVERITIES]),
        "medium": st.sampled_from(["", *MEDIA]),
        "amount": amounts(ruleset),
    })


__all__ = ["inputs", "adverse_event", "firm_id", "TODAY", "EVENT_TYPES", "POSITIVE_EVENT_TYPES"]
