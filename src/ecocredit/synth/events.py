"""The events of a block: positive events, adverse events (Poisson in the firm's risk) with
their media, severities and amounts, the revocations and completed rectifications that refer
to them, the illustrative firms' fixed events, and the events table."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import (
    _MEDIA_CODES,
    _SEVERITY_CODES,
    _TYPE_CODES,
    _TYPE_INDEX,
    _Calendar,
    _choice,
    _dates,
    _day,
    _Events,
    _labels,
    _table,
)
from .examples import Example
from .firms import _Firms
from .mix import COLUMNS, Mix

_FIRST_EVENT_NUMBER = 1
_ID_DIGITS = 9                     # 'EV' + 9 digits


def _positive_events(rng: np.random.Generator, f: _Firms, cal: _Calendar, mix: Mix) -> _Events:
    """Positive events, independent of the adverse volume (on or after inclusion)."""
    n, ny = f.n, len(cal.years)
    parts: list[_Events] = []

    def per_firm_year(prob: np.ndarray, etype: str, window: tuple[int, int] | None = None
                      ) -> _Events:
        hit = rng.random((n, ny)) < prob
        fi, y = np.nonzero(hit)
        lo = 0 if window is None else window[0]
        hi = cal.length[y] if window is None else np.minimum(window[1], cal.length[y])
        day = cal.start[y] + lo + (rng.random(fi.size) * (hi - lo)).astype(np.int64)
        return _Events.new(fi, day, np.full(fi.size, _TYPE_INDEX[etype]))

    ones = np.ones((n, ny))
    active, heavy, key = f.active, f.heavy, f.key
    low_risk = f.latent < np.median(f.latent[active]) if f.n_firms else np.zeros(n, dtype=bool)
    boost = np.where(heavy, 1.4, 0.7)
    boost = boost / boost[active].mean() if f.n_firms else boost
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
    return positives.take(np.flatnonzero(positives.day >= f.included[positives.firm]))


def _adverse_rate(f: _Firms, cal: _Calendar, mix: Mix, events_per_firm_year: float | None,
                  n_positives: int, adv_codes: tuple[str, ...], adv_p: np.ndarray) -> float:
    """Adverse events per unit of risk and year: the calibrated rate, or the one that gives
    about ``events_per_firm_year`` events of all kinds."""
    rect_frac = float(sum(p for t, p in zip(adv_codes, adv_p) if t in mix.rectification_types))
    rate = mix.adverse_per_firm_year
    if events_per_firm_year is not None and f.n_firms:
        # expected adverse events = rate * Σ risk × (years under evaluation); each brings on
        # average `per_adverse` events with its children (less those cut by the last day)
        ny = len(cal.years)
        span = cal.end + 1 - int(cal.start[0])
        kept = 1.0 - float(np.mean(mix.rectification_days)) / span
        per_adverse = 1.0 + mix.rectification_share * rect_frac * kept + mix.revocation_share
        covered = np.clip((cal.start + cal.length)[None, :]
                          - np.maximum(cal.start[None, :], f.included[:, None]), 0, None)
        exposure = float((f.risk * (covered / cal.length[None, :]).sum(axis=1)).sum())
        target = events_per_firm_year * f.n_firms * ny - n_positives
        rate = max(0.0, target / max(exposure, 1e-9) / per_adverse)
    return rate


def _adverse_events(rng: np.random.Generator, f: _Firms, cal: _Calendar, mix: Mix,
                    events_per_firm_year: float | None, n_positives: int) -> _Events:
    """Adverse events: Poisson per firm-year in the firm's risk, with media, severities of
    incidents and amounts of fines."""
    n, ny = f.n, len(cal.years)
    adv_codes = tuple(mix.adverse_types)
    adv_p = np.array([mix.adverse_types[t] for t in adv_codes], dtype=float)
    adv_p /= adv_p.sum()
    rate = _adverse_rate(f, cal, mix, events_per_firm_year, n_positives, adv_codes, adv_p)
    counts = rng.poisson((rate * f.risk)[:, None] * np.ones((1, ny)))
    fy = np.repeat(np.arange(n * ny), counts.ravel())
    a_firm, a_year = fy // ny, fy % ny
    a_day = cal.start[a_year] + (rng.random(fy.size) * cal.length[a_year]).astype(np.int64)
    a_type = np.array([_TYPE_INDEX[t] for t in adv_codes])[_choice(rng, adv_p, fy.size)]
    adverse = _Events.new(a_firm, a_day, a_type)
    adverse = adverse.take(np.flatnonzero(adverse.day >= f.included[adverse.firm]))
    del fy, a_firm, a_year, a_day, a_type
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
    return adverse


def _generated_events(rng: np.random.Generator, adverse: _Events, positives: _Events,
                      cal: _Calendar, mix: Mix, n: int) -> tuple[_Events, np.ndarray]:
    """Adverse and positive events with their children (revocations, completed
    rectifications), ordered by date then firm, and the day each was recorded."""
    m = len(adverse)
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
    return generated, recorded


def _example_events(examples: Sequence[Example], years: tuple[int, ...]) -> _Events:
    """The illustrative firms' fixed events (firm i of the block is example i)."""
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
    return _Events.concat(ex_parts)


def _events_table(events: _Events, recorded: np.ndarray, firm_id_arr: pa.Array,
                  event_offset: int) -> pa.Table:
    """The events table; ids ``EV`` + 9 digits, numbered on from ``event_offset``."""
    numbers = event_offset + _FIRST_EVENT_NUMBER + np.arange(len(events), dtype=np.int64)
    event_ids = pc.binary_join_element_wise(
        "EV", pc.utf8_lpad(pa.array(numbers).cast(pa.string()), _ID_DIGITS, "0"), "")
    has_ref = events.ref >= 0
    ref_ids = pc.if_else(pa.array(has_ref),
                         pc.take(event_ids, pa.array(np.maximum(events.ref, 0))), "")
    has_amount = events.amount >= 0
    amount = pc.if_else(pa.array(has_amount),
                        pa.array(np.maximum(events.amount, 0)).cast(pa.string()), "")
    return _table(COLUMNS["events"], [
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
