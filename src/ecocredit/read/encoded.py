"""Large columns as their distinct values and a code per row (:class:`_Enc`), so that ten million
cells are validated by checking a few thousand values; vocabularies (Chinese labels mapped)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..vocab import EVENT_TYPES, MEDIA, SEVERITIES
from .text import STR, _arr, _arrow_str, _np, _raw_text

_BOOL = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
         "y": True, "n": False, "是": True, "否": False, "t": True, "f": False}
_ZH_VALUES: dict[str, dict[str, str]] = {
    "event_type": {v: k for k, v in EVENT_TYPES.items()},
    "severity": {v: k for k, v in SEVERITIES.items()},
    "medium": {v: k for k, v in MEDIA.items()} | {"气": "air", "固废": "solid", "危废": "hazardous_waste"},
    "status": {"正常": "operating", "运营": "operating", "在产": "operating", "停产": "suspended",
               "关闭": "closed", "注销": "closed"},
    "permit_type": {"重点管理": "key", "简化管理": "simplified", "登记管理": "registration"},
    "list": {"红名单": "red", "黑名单": "black"},
}


def _vocab(s: pd.Series, allowed: tuple[str, ...] | frozenset[str], zh: Mapping[str, str] | None,
           lower: bool = True) -> tuple[pd.Series, np.ndarray]:
    """Normalise a vocabulary column (Chinese labels mapped, lower-cased); returns (values as
    a Categorical, ok mask). '' is ok. Works on the distinct values, not on every cell."""
    cat, good = _vocab_enc(_Enc.of(s, strip=False), allowed, zh, lower)
    return pd.Series(cat, index=s.index), good


def _vocab_enc(e: _Enc, allowed: tuple[str, ...] | frozenset[str],
               zh: Mapping[str, str] | None, lower: bool = True
               ) -> tuple[pd.Categorical, np.ndarray]:
    """:func:`_vocab` on an encoded column: (Categorical of the mapped values, ok per row)."""
    mapped = [(zh or {}).get(u, u) for u in e.uniq.to_pylist()]
    mapped = [m.lower() if lower else m for m in mapped]
    good = np.array([m in allowed or m == "" for m in mapped], dtype=bool)
    ccodes, cuniq = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=False)
    cat = pd.Categorical.from_codes(np.asarray(ccodes, dtype=np.int32)[e.codes],
                                    categories=pd.Index(cuniq, dtype=object))
    return cat, good[e.codes]


class _Enc:
    """One column as its distinct values (``uniq``, Arrow strings, each listed once) and a code
    per row: ten million cells with a few thousand distinct values are validated by checking
    the few thousand. Categorical (or Arrow dictionary) inputs, as Parquet readers give them,
    are used as they come, without hashing the cells."""

    __slots__ = ("codes", "uniq")

    def __init__(self, codes: np.ndarray, uniq: pa.Array) -> None:
        self.codes = codes
        self.uniq = uniq

    @classmethod
    def of(cls, s: pd.Series, strip: bool = True) -> _Enc:
        codes, uniq = _dictionary(s)
        e = cls(codes, uniq)
        return e.map(pc.utf8_trim_whitespace) if strip else e

    def map(self, fn: Callable[[pa.Array], pa.Array]) -> _Enc:
        """Apply a string function to the distinct values; values it makes equal merge."""
        enc = pc.dictionary_encode(fn(self.uniq))
        if len(enc.dictionary) == len(self.uniq):  # no two values merged: the same codes
            return _Enc(self.codes, enc.dictionary)
        return _Enc(_np(enc.indices).astype(np.int32)[self.codes], enc.dictionary)

    def per_row(self, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.codes]

    def is_(self, value: str) -> np.ndarray:
        return self.per_row(_np(pc.equal(self.uniq, value)).astype(bool))

    def values(self, mask: np.ndarray) -> np.ndarray:
        """The (stripped) values of the rows where ``mask`` holds, as an object array."""
        rows = self.codes[mask]
        return np.asarray(self.uniq.take(pa.array(rows)).to_numpy(zero_copy_only=False),
                          dtype=object)

    def series(self, mask: np.ndarray | None = None) -> pd.Series:
        """Every value (or those where ``mask`` holds) as an Arrow-backed string Series."""
        rows = self.codes if mask is None else self.codes[mask]
        return pd.Series(self.uniq.take(pa.array(rows)), dtype=STR)

    def categorical(self, mask: np.ndarray) -> pd.Categorical:
        """The values where ``mask`` holds as a Categorical of the values used, sorted."""
        codes = self.codes[mask]
        used = np.flatnonzero(np.bincount(codes, minlength=len(self.uniq)))
        names = np.asarray(self.uniq.take(pa.array(used)).to_pylist(), dtype=object)
        order = np.argsort(names, kind="stable")
        remap = np.full(len(self.uniq), -1, dtype=np.int32)
        remap[used[order]] = np.arange(len(used), dtype=np.int32)
        return pd.Categorical.from_codes(remap[codes], categories=pd.Index(names[order],
                                                                            dtype=object))


def _dictionary(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(int32 code per row, distinct values as strings) of a column, missing as ''."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = _arr(_arrow_str(pd.Series(s.cat.categories.to_numpy(),
                                         dtype=s.cat.categories.dtype)))
        codes = np.array(s.cat.codes.to_numpy(), dtype=np.int32)
        if (codes < 0).any():
            codes[codes < 0] = len(cats)
            cats = pa.concat_arrays([cats, pa.array([""], pa.string())])
        return codes, cats
    if isinstance(s.dtype, pd.ArrowDtype) and pa.types.is_dictionary(s.dtype.pyarrow_dtype):
        a = pa.array(s)
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        return _dictionary(pd.Series(pd.Categorical.from_codes(
            _np(pc.fill_null(a.indices, -1)).astype(np.int32),
            categories=pd.Index(a.dictionary.to_pandas()))))
    raw = _raw_text(s)
    if raw is not None:  # Arrow-backed text as it is (no cast, no copy), chunks and all
        enc = pc.dictionary_encode(raw)
        chunks = enc.chunks if isinstance(enc, pa.ChunkedArray) else [enc]
        if chunks:  # every chunk carries the whole dictionary
            uniq = chunks[-1].dictionary.cast(pa.string())
            codes = np.concatenate([_np(pc.fill_null(c.indices, -1)).astype(np.int32)
                                    for c in chunks])
            if (codes < 0).any():  # missing reads as ''
                at = pc.index(uniq, "").as_py()
                if at < 0:
                    at, uniq = len(uniq), pa.concat_arrays([uniq, pa.array([""], pa.string())])
                codes[codes < 0] = at
            return codes, uniq
    enc = pc.dictionary_encode(_arr(_arrow_str(s)))
    return _np(enc.indices).astype(np.int32), enc.dictionary
