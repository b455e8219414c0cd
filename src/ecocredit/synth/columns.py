"""Shared pieces of the generator: integer days, string columns from codes, the event arrays of
a block before they become strings, and the calendar of the generated years."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..vocab import EVENT_TYPES, MEDIA, SEVERITIES

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

