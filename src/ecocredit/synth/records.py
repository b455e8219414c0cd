"""Measurements and history of a block: compliance rates, hazardous-waste assessment, noise and
siting per firm and year, and earlier grades and lists, correlated with risk and events."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import (
    _TYPE_INDEX,
    _VETO_TYPES,
    _Calendar,
    _decimal,
    _Events,
    _labels,
    _rank_bins,
    _table,
)
from .examples import Example
from .firms import _Firms
from .mix import COLUMNS, HISTORY_GRADES, INDICATORS, Mix


def _firm_year(adverse: _Events, cal: _Calendar) -> np.ndarray:
    """The firm-year (firm × years + year index) of each adverse event."""
    adv_year = np.searchsorted(cal.start, adverse.day, side="right") - 1
    return adverse.firm.astype(np.int64) * len(cal.years) + adv_year


def _measurements_table(rng: np.random.Generator, f: _Firms, firm_ids: pa.Array,
                        adverse: _Events, cal: _Calendar, mix: Mix,
                        examples: Sequence[Example]) -> pa.Table:
    """One row per firm, year since inclusion and indicator (a few firms with gaps)."""
    n, n_ex, years = f.n, f.n_ex, cal.years
    ny = len(years)
    inc_year_idx = f.inc_year_idx
    yr = np.arange(ny)[None, :]
    has_row = yr >= np.maximum(inc_year_idx, 0)[:, None]
    has_row &= (inc_year_idx < ny)[:, None]
    mf, my = np.nonzero(has_row)
    rows = mf.size
    exceed_idx = _TYPE_INDEX["exceedance"]
    exceed_fy = np.bincount(_firm_year(adverse, cal), weights=(adverse.etype == exceed_idx),
                            minlength=n * ny)
    exceed_fy = exceed_fy.reshape(n, ny)[mf, my]
    rel = f.risk[mf]
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
    siting = (rng.random(rows) < np.where(f.heavy[mf], 0.03, 0.015)).astype(np.int64)
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
    gap_firm = (rng.random(n) < mix.measurement_gap_firms) & f.active
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
    return _table(COLUMNS["measurements"], [
        pc.take(firm_ids, pa.array(m_firm)),
        _labels([str(y) for y in years], m_year),
        _labels(INDICATORS, np.tile(np.arange(k), rows)[keep]),
        pc.take(values, pa.array(take)),
    ])


def _history_table(rng: np.random.Generator, f: _Firms, firm_ids: pa.Array, adverse: _Events,
                   cal: _Calendar, mix: Mix, examples: Sequence[Example]) -> pa.Table:
    """Grades and lists of the earlier periods (every year but the last), ranked by a score
    of adverse and veto-type events and risk within each period."""
    n, years, ny = f.n, cal.years, len(cal.years)
    inc_year_idx, is_ex = f.inc_year_idx, f.is_ex
    hist_years = ny - 1
    h_has = (np.arange(hist_years)[None, :] >= np.maximum(inc_year_idx, 0)[:, None]) \
        & (inc_year_idx < hist_years)[:, None]
    hf, hy = np.nonzero(h_has)
    veto_idx = [_TYPE_INDEX[t] for t in _VETO_TYPES]
    veto_ev = np.isin(adverse.etype, veto_idx) | (
        (adverse.etype == _TYPE_INDEX["incident"]) & (adverse.severity >= 1))
    adv_key = _firm_year(adverse, cal)
    adv_fy = np.bincount(adv_key, minlength=n * ny).reshape(n, ny)
    veto_fy = np.bincount(adv_key, weights=veto_ev, minlength=n * ny).reshape(n, ny)
    score = (1.2 * np.log1p(adv_fy[hf, hy]) + 2.5 * (veto_fy[hf, hy] > 0)
             + 0.4 * np.log(np.maximum(f.risk[hf], 1e-3)) + rng.normal(scale=0.6, size=hf.size))
    grade = np.zeros(hf.size, dtype=np.int64)
    shares = [mix.history_grades[g] for g in HISTORY_GRADES]
    for y in range(hist_years):                      # loop over periods
        sel = np.flatnonzero((hy == y) & ~is_ex[hf])
        grade[sel] = _rank_bins(score[sel], shares)
    u = rng.random(hf.size)
    hlist = np.where((grade == 0) & (u < mix.red_list_share_of_green), 0,
                     np.where((grade == 3) & (u < mix.black_list_share_of_red), 1, -1))
    if f.n_ex:
        for i, ex in enumerate(examples):
            sel = np.flatnonzero(hf == i)
            for j in sel:                              # a handful of example rows
                g, lst = ex.history.get(hist_years - hy[j], ("blue", ""))
                grade[j] = HISTORY_GRADES.index(g)
                hlist[j] = ("red", "black").index(lst) if lst else -1
    return _table(COLUMNS["history"], [
        pc.take(firm_ids, pa.array(hf)),
        _labels([str(y) for y in years], hy),
        _labels(HISTORY_GRADES, grade),
        _labels(("red", "black"), hlist),
    ])
