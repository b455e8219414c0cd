"""The firms of a block: county, industry, size, supervision attributes, inclusion date and a
latent risk, then the firms table (USCC ids, names, positive list)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..codes import CITY_NAMES, JIANGXI_COUNTIES, make_uscc
from .columns import (
    _CLASS_CODES,
    _PERMIT_CODES,
    _STATUS_CODES,
    _bools,
    _Calendar,
    _choice,
    _dates,
    _day,
    _Events,
    _labels,
    _rank_bins,
    _table,
)
from .examples import Example, _example_ids
from .mix import COLUMNS, INDUSTRIES, Mix

_SERIAL_SPACE = 10**8 - 1000       # serials of generated firms; the top 1000 are for EXAMPLES

#: Characters for two-character trade names (字号).
_SYLLABLES = tuple(dict.fromkeys(
    "恒达鑫华泰兴源盛宏瑞丰新金天众博德利安信隆昌祥永嘉正豪海辰通锦中赣洪鸿晶凯力龙明宁鹏荣"
    "润顺腾伟旺亚阳益宇远长志卓钰邦诚创东方福光国浩和合汇佳捷杰景聚科联美铭南平普奇庆仁山胜"
    "万祺鼎晟"
))
_SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")

_COUNTY_CODES = np.array([c for c, _ in JIANGXI_COUNTIES])
_COUNTY_NAMES = [n_ for _, n_ in JIANGXI_COUNTIES]


def _short(name: str) -> str:
    """'青山湖区' -> '青山湖', '赣县区' -> '赣县', '南昌市' -> '南昌'."""
    return name[:-1] if name[-1] in "区县市" and len(name) > 2 else name


@dataclass
class _Firms:
    """The drawn attributes of a block's firms (examples first), one array element per firm."""

    n: int                    # firms in the block, examples included
    n_ex: int                 # illustrative firms (first)
    n_firms: int              # random firms
    is_ex: np.ndarray
    county: np.ndarray        # index into JIANGXI_COUNTIES
    industry: np.ndarray      # index into INDUSTRIES
    heavy: np.ndarray
    key: np.ndarray
    sclass: np.ndarray        # index into _CLASS_CODES
    permit: np.ndarray        # index into _PERMIT_CODES
    status: np.ndarray        # index into _STATUS_CODES
    included: np.ndarray      # day of inclusion
    which_prefix: np.ndarray  # name prefix: 0 county, 1 city, 2 province
    s1: np.ndarray            # trade-name syllables
    s2: np.ndarray
    suffix: np.ndarray
    latent: np.ndarray        # latent risk (gamma)
    risk: np.ndarray          # relative risk, mean about 1; 0 for the examples
    inc_year_idx: np.ndarray | None = None  # year of inclusion (-1: before the years)

    @property
    def active(self) -> np.ndarray:
        return ~self.is_ex


def _draw_firms(rng: np.random.Generator, n_firms: int, n_ex: int, cal: _Calendar, mix: Mix
                ) -> _Firms:
    """Draw the random attributes of ``n_ex + n_firms`` firms (the order of the draws is part
    of the generator's output: keep it)."""
    years = cal.years
    n = n_ex + n_firms
    is_ex = np.zeros(n, dtype=bool)
    is_ex[:n_ex] = True
    city_of = np.array([c[:4] for c in _COUNTY_CODES])
    city_size = {c: int((city_of == c).sum()) for c in CITY_NAMES}
    county_w = np.array([mix.city_weights[c] / city_size[c] for c in city_of])
    county = _choice(rng, county_w, n)
    industry = _choice(rng, [i.weight for i in INDUSTRIES], n)
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

    # latent risk
    latent = rng.gamma(mix.risk_shape, 1.0 / mix.risk_shape, n)
    class_mult = np.array([mix.class_risk[c] for c in _CLASS_CODES])[sclass]
    mult = np.where(heavy, mix.heavy_risk, mix.light_risk) * class_mult
    mult = mult / mult[~is_ex].mean() if n_firms else mult
    risk = latent * mult                          # relative risk, mean about 1
    risk[is_ex] = 0.0
    return _Firms(n, n_ex, n_firms, is_ex, county, industry, heavy, key, sclass, permit, status,
                  included, which_prefix, s1, s2, suffix, latent, risk)


def _apply_examples(f: _Firms, examples: Sequence[Example], cal: _Calendar) -> None:
    """Set the illustrative firms' fixed attributes, and every firm's year of inclusion."""
    years, n_ex = cal.years, f.n_ex
    if n_ex:
        ex_county = {c: i for i, c in enumerate(_COUNTY_CODES)}
        ex_industry = {ind.code: i for i, ind in enumerate(INDUSTRIES)}
        f.county[:n_ex] = [ex_county[ex.region_code] for ex in examples]
        f.industry[:n_ex] = [ex_industry[ex.industry_code] for ex in examples]
        f.heavy[:n_ex] = np.array([i.heavy for i in INDUSTRIES])[f.industry[:n_ex]]
        f.key[:n_ex] = [ex.key_discharger for ex in examples]
        f.sclass[:n_ex] = [_CLASS_CODES.index(ex.supervision_class) for ex in examples]
        f.permit[:n_ex] = [_PERMIT_CODES.index(ex.permit_type) for ex in examples]
        f.status[:n_ex] = 0
        f.which_prefix[:n_ex] = 0
        f.included[:n_ex] = [
            _day(f"{years[-1]}-{ex.included_since}") if ex.included_since
            else _day(f"{years[0] - 5}-01-01")
            for ex in examples
        ]
    f.inc_year_idx = np.searchsorted(cal.start, f.included, side="right") - 1


def _firms_table(rng: np.random.Generator, f: _Firms, adverse: _Events, mix: Mix,
                 examples: Sequence[Example], seed: int, firm_offset: int
                 ) -> tuple[pa.Table, pa.Array]:
    """The firms table and the firm id of each firm (drawn after the events: the positive list
    depends on them)."""
    n, n_ex, n_firms = f.n, f.n_ex, f.n_firms
    adverse_per_firm = np.bincount(adverse.firm, minlength=n)
    clean = (adverse_per_firm == 0) & f.active
    p_pos = min(1.0, mix.positive_list_share * n_firms / max(int(clean.sum()), 1))
    positive = clean & (rng.random(n) < p_pos)
    if n_ex:
        positive[:n_ex] = [ex.positive_list for ex in examples]

    serials = ((seed * 2_654_435_761) % _SERIAL_SPACE + firm_offset
               + np.arange(n_firms, dtype=np.int64)) % _SERIAL_SPACE
    random_ids = make_uscc(rng, _COUNTY_CODES[f.county[n_ex:]], serials=serials)
    firm_ids = np.concatenate([_example_ids(), random_ids]) if n_ex else random_ids
    firm_id_arr = pa.array(firm_ids, type=pa.string())

    county = f.county
    prefixes = np.array([_short(c) for c in _COUNTY_NAMES])[county]
    city_short = np.array([_short(CITY_NAMES[c[:4]]) for c in _COUNTY_CODES])[county]
    prefix = np.where(f.which_prefix == 0, prefixes,
                      np.where(f.which_prefix == 1, city_short, "江西"))
    syl = np.array(_SYLLABLES)
    words = np.array([i.word for i in INDUSTRIES])[f.industry]
    name = pc.binary_join_element_wise(
        pa.array(prefix), pa.array(syl[f.s1]), pa.array(syl[f.s2]), pa.array(words),
        pa.array(np.array(_SUFFIXES)[f.suffix]), "")
    if n_ex:
        name = pa.concat_arrays([pa.array([ex.name for ex in examples], type=pa.string()),
                                 name.slice(n_ex).cast(pa.string())])
    firms = _table(COLUMNS["firms"], [
        firm_id_arr,
        name,
        pa.array(_COUNTY_CODES[county]),
        _labels([i.code for i in INDUSTRIES], f.industry),
        _labels(_CLASS_CODES, f.sclass),
        _bools(f.key),
        _labels(_PERMIT_CODES, f.permit),
        _bools(positive),
        _labels(_STATUS_CODES, f.status),
        _dates(f.included),
    ])
    return firms, firm_id_arr
