"""Ingest: read the input tables, validate every row in one vectorized pass, and keep account.

Every input row is either accepted or listed in the rejects table with file, row (1-based
data row), column, reason code, value and message; nothing is dropped silently, and the
counts reconcile (``read == used + rejected`` for each table). Only a table that cannot be
used at all (unreadable, or a required column missing) raises :class:`InputError`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .codes import valid_region_mask, valid_uscc_mask
from .days import NO_DATE, day_of
from .errors import InputError
from .ruleset import Ruleset
from .vocab import (
    COLUMN_ALIASES,
    EVENT_TYPES,
    FIRM_STATUSES,
    LISTS,
    MEDIA,
    PERMIT_TYPES,
    SEVERITIES,
    SUPERVISION_CLASSES,
    TABLES,
)

__all__ = ["read_table", "prepare", "Prepared", "TableStats", "REJECT_COLUMNS"]

REJECT_COLUMNS = ["file", "row", "column", "reason_code", "value", "message"]
EPOCH = np.datetime64("1970-01-01", "D")

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


@dataclass
class TableStats:
    """Row accounting of one input table."""

    file: str
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0
    sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows_read": self.rows_read,
                "rows_used": self.rows_used, "rows_rejected": self.rows_rejected}


@dataclass
class Prepared:
    """Validated inputs, ready for either engine.

    Attributes
    ----------
    firms : DataFrame
        Accepted firms in input order (index 0..n-1); canonical columns as strings, plus
        ``status`` normalised, ``included_day`` (int32 days since 1970, or NO_DATE) and any
        extra input columns.
    events : DataFrame
        Accepted events not excluded by the as-of date: ``event_id``, ``firm_idx`` (int32),
        ``day`` and ``recorded_day`` (int32 days since 1970), ``event_type``, ``severity``,
        ``medium`` (strings, empty if none), ``amount_fen`` (int64 fen, -1 if none),
        ``ref_event_id``, ``revoked`` (bool: cancelled by a revocation in force).
    measurements : DataFrame
        ``firm_idx``, ``period``, ``indicator``, ``value`` (string as read).
    history : DataFrame
        ``firm_idx``, ``period``, ``grade``, ``list``, ``list_until_day`` (int days, or NO_DATE).
    rejects : DataFrame
        One row per problem, columns :data:`REJECT_COLUMNS`.
    stats : dict of TableStats
    """

    firms: pd.DataFrame
    events: pd.DataFrame
    measurements: pd.DataFrame
    history: pd.DataFrame
    rejects: pd.DataFrame
    stats: dict[str, TableStats] = field(default_factory=dict)
    excluded_as_of: int = 0


# --------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _canonical_name(col: Any, table: str) -> str:
    """A header as the contract names it (Chinese aliases and case mapped)."""
    required, optional = TABLES[table]
    c = str(col).replace("\ufeff", "").strip()
    low = c.lower()
    return COLUMN_ALIASES[table].get(c, low if low in set(required) | set(optional) else c)


#: columns of the large tables with few distinct values (a firm has many events): read from
#: Parquet as dictionaries, which ingest then validates value by value without re-encoding
_FEW_VALUES = {"events": {"firm_id", "event_date", "event_type", "amount", "severity", "medium",
                          "recorded_at"},
               "measurements": {"firm_id", "period", "indicator", "value"}}


def _canonical_headers(df: pd.DataFrame, table: str, file: str) -> pd.DataFrame:
    aliases = COLUMN_ALIASES[table]
    required, _ = TABLES[table]
    out = df.rename(columns={col: _canonical_name(col, table) for col in df.columns})
    dup = out.columns[out.columns.duplicated()].tolist()
    if dup:
        raise InputError(f"{file}: the column {dup[0]!r} appears twice (perhaps once in English "
                         "and once as its Chinese alias); keep one.", file=file, column=dup[0],
                         reason_code="duplicate_column")
    missing = [c for c in required if c not in out.columns]
    if missing:
        zh = {v: k for k, v in aliases.items()}
        c = missing[0]
        raise InputError(
            f"{file}: the required column '{c}' ({zh.get(c, c)}) is missing from the {table} "
            f"table; found {list(out.columns)}.", file=file, column=c,
            reason_code="missing_column")
    return out


STR = pd.ArrowDtype(pa.string())


def _arrow_str(s: pd.Series) -> pd.Series:
    """One column as Arrow-backed strings with '' for missing (no per-cell Python for text)."""
    if isinstance(s.dtype, pd.CategoricalDtype):  # the categories, once each, then taken
        cats = _arr(_arrow_str(pd.Series(s.cat.categories)))
        codes = s.cat.codes.to_numpy().astype(np.int64)
        codes[codes < 0] = len(cats)
        cats = pa.concat_arrays([cats, pa.array([""], pa.string())])
        return pd.Series(cats.take(pa.array(codes)), dtype=STR, index=pd.RangeIndex(len(s)))
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d")
    elif not (pd.api.types.is_string_dtype(s) and pd.api.types.infer_dtype(
            s, skipna=True) in ("string", "empty")):
        # numbers, booleans, dates and mixed cells (Excel, Parquet): written as a CSV holds them
        s = s.astype(object).where(pd.notna(s), "").map(_cell_str)
    arr = pa.array(s.to_numpy(dtype=object) if s.dtype == object else s, from_pandas=True)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pd.Series(pc.fill_null(arr, ""), dtype=STR, index=pd.RangeIndex(len(s)))


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as Arrow-backed strings, missing values as ''."""
    return pd.DataFrame({c: _arrow_str(df[c]) for c in df.columns},
                        index=pd.RangeIndex(len(df)))


def _cell_str(x: Any) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, (dt.datetime, pd.Timestamp)):
        return x.strftime("%Y-%m-%d") if (x.hour, x.minute, x.second) == (0, 0, 0) else x.isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _arrow_text(t: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(t) if pa.types.is_string(t) or pa.types.is_large_string(t) else None


def read_table(path: str | Path, table: str, *, as_strings: bool = True) -> pd.DataFrame:
    """Read one input table (CSV in UTF-8/UTF-8-BOM/GB18030, Excel ``.xlsx`` or Parquet).

    Headers are mapped to the canonical English names (Chinese aliases accepted); every value
    is returned as a string, empty where missing, so that validation sees what the file says.

    Parameters
    ----------
    path : str or Path
    table : {'firms', 'events', 'measurements', 'history'}
    as_strings : bool, default True
        Every column as Arrow-backed strings. ``False`` keeps what the reader gives (Parquet
        columns written as dictionaries come as categoricals), for :func:`prepare` to encode.

    Raises
    ------
    InputError
        If the file cannot be read, or a required column is missing.
    """
    p = Path(path)
    name = str(path)
    try:
        suffix = p.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, dtype=object, engine="openpyxl" if suffix != ".xls" else None)
        elif suffix in (".parquet", ".pq"):
            # text columns stay Arrow strings (no conversion to pandas' own string type,
            # which costs seconds on ten million rows); dictionaries become categoricals
            few = _FEW_VALUES.get(table, set())
            dictionary = [c for c in pq.read_schema(p).names
                          if _canonical_name(c, table) in few]
            df = pq.read_table(p, read_dictionary=dictionary or None).to_pandas(
                types_mapper=_arrow_text)
        else:
            text = _decode(p.read_bytes())
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                             na_filter=False, skipinitialspace=False)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file.", file=name, reason_code="unreadable") from None
    except InputError:
        raise
    except Exception as exc:  # any parser error: one line, no traceback
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: cannot be read as a {table} table ({msg}).", file=name,
                         reason_code="unreadable") from None
    df = _canonical_headers(df, table, name)
    return _as_strings(df) if as_strings else df


# --------------------------------------------------------------------------------------
# validation helpers (vectorized)
# --------------------------------------------------------------------------------------


class _Rejects:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, file: str, rows: np.ndarray, column: str, code: str, values: Any,
            message: str | pd.Series | np.ndarray) -> None:
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        vals = np.asarray(values, dtype=object)
        msgs = np.asarray(message, dtype=object) if not isinstance(message, str) else message
        self.parts.append(pd.DataFrame({
            "file": file, "row": rows.astype(np.int64) + 1, "column": column,
            "reason_code": code, "value": vals, "message": msgs,
        }))

    def missing(self, file: str, column: str, empty: np.ndarray) -> np.ndarray:
        """Reject the rows whose required ``column`` is empty; returns ``empty``."""
        self.add(file, np.flatnonzero(empty), column, "missing_value",
                 np.full(int(empty.sum()), ""), f"The required value '{column}' is empty.")
        return empty

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else np.int64)
                                 for c in REJECT_COLUMNS})
        df = pd.concat(self.parts, ignore_index=True)
        return df


#: threads that encode the columns of a large table side by side (Arrow and numpy release
#: the GIL); the results do not depend on their number or order
_THREADS = max(1, min(4, os.cpu_count() or 1))


#: below this many rows a table is checked on one thread (starting threads would cost more)
_THREADED_ROWS = 200_000


def _in_threads(jobs: Mapping[str, Callable[[], Any]], rows: int) -> dict[str, Any]:
    """Run independent jobs on the ingest threads; their results by name."""
    if _THREADS == 1 or len(jobs) < 2 or rows < _THREADED_ROWS:
        return {k: f() for k, f in jobs.items()}
    with ThreadPoolExecutor(_THREADS) as pool:
        futures = {k: pool.submit(f) for k, f in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def _strip(s: pd.Series) -> pd.Series:
    return s.astype(STR).str.strip()


def _arr(s: pd.Series) -> pa.Array:
    """The Arrow array behind an Arrow-backed string Series."""
    a = pa.array(s.astype(STR))
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _np(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def _offsets(a: pa.Array) -> np.ndarray:
    """The value offsets of an Arrow string array (int32), as numpy, without a copy."""
    return np.frombuffer(a.buffers()[1], dtype=np.int32)[a.offset:a.offset + len(a) + 1]


def _data(a: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of an Arrow string array, as numpy, without a copy."""
    data = a.buffers()[2]
    return np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _fixed_width_bytes(a: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose UTF-8 length is ``width``, their bytes as a (k, width) uint8 matrix)."""
    a = a.cast(pa.string()) if not pa.types.is_string(a.type) else a
    n = len(a)
    offsets = _offsets(a)
    rows = np.flatnonzero(np.diff(offsets) == width)
    buf = _data(a)
    if len(rows) == 0 or len(buf) == 0:
        return rows, np.zeros((0, width), dtype=np.uint8)
    start = int(offsets[0])
    if len(rows) == n and offsets[-1] - start == width * n:  # all fixed width: a plain view
        return rows, buf[start:start + width * n].reshape(n, width)
    return rows, buf[offsets[rows][:, None] + np.arange(width, dtype=np.int32)]


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _parse_days(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Strict ISO dates ``YYYY-MM-DD`` → (int32 days since 1970, ok mask). '' is not ok.

    Works on the raw bytes of the Arrow string column (ten ASCII characters per date), so
    ten million dates parse in well under a second; impossible dates (2025-02-30) are refused.
    """
    n = len(s)
    days = np.full(n, NO_DATE, dtype=np.int32)
    ok = np.zeros(n, dtype=bool)
    rows, b = _fixed_width_bytes(_arr(s), 10)
    if len(rows) == 0:
        return days, ok
    shape = (b[:, 4] == 45) & (b[:, 7] == 45)  # '-'
    dig = {}
    for i in (0, 1, 2, 3, 5, 6, 8, 9):
        col = b[:, i]
        shape &= (col >= 48) & (col <= 57)
        dig[i] = col.astype(np.int32) - 48
    y = dig[0] * 1000 + dig[1] * 100 + dig[2] * 10 + dig[3]
    m = dig[5] * 10 + dig[6]
    d = dig[8] * 10 + dig[9]
    mm = np.clip(m, 1, 12)
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    last = _MONTH_DAYS[mm] + ((mm == 2) & leap)
    good = shape & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last) & (y >= 1)
    sel = rows[good]
    ok[sel] = True
    days[sel] = _days_from_civil(y[good], m[good], d[good]).astype(np.int32)
    return days, ok


def _vocab(s: pd.Series, allowed: tuple[str, ...] | frozenset[str], zh: Mapping[str, str] | None,
           lower: bool = True) -> tuple[pd.Series, np.ndarray]:
    """Normalise a vocabulary column (Chinese labels mapped, lower-cased); returns (values as
    a Categorical, ok mask). '' is ok. Works on the distinct values, not on every cell."""
    cat, good = _vocab_enc(_Enc.of(s, strip=False), allowed, zh, lower)
    return pd.Series(cat, index=s.index), good


def _vocab_enc(e: "_Enc", allowed: tuple[str, ...] | frozenset[str],
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


# --------------------------------------------------------------------------------------
# large tables: validate the distinct values of a column, hash ids once
# --------------------------------------------------------------------------------------


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
    def of(cls, s: pd.Series, strip: bool = True) -> "_Enc":
        codes, uniq = _dictionary(s)
        e = cls(codes, uniq)
        return e.map(pc.utf8_trim_whitespace) if strip else e

    def map(self, fn: Callable[[pa.Array], pa.Array]) -> "_Enc":
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


def _raw_text(s: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The Arrow strings behind an Arrow-backed text column (pandas ``str`` or an
    ``ArrowDtype`` string), without a copy; None for any other column."""
    dt_ = s.dtype
    if not ((isinstance(dt_, pd.StringDtype) and dt_.storage == "pyarrow")
            or (isinstance(dt_, pd.ArrowDtype) and (pa.types.is_string(dt_.pyarrow_dtype)
                                                    or pa.types.is_large_string(
                                                        dt_.pyarrow_dtype)))):
        return None
    a = pa.array(s)
    return a if pa.types.is_string(a.type) or pa.types.is_large_string(a.type) else None


_MIX = np.uint64(0x9E3779B97F4A7C15)
#: bytes that can begin or end a value Unicode would strip: ASCII space and controls, and
#: any non-ASCII byte (U+3000 and other wide spaces start, and end, with one)
_MAYBE_SPACE = np.zeros(256, dtype=bool)
_MAYBE_SPACE[:33] = True
_MAYBE_SPACE[127:] = True


def _trimmed(a: pa.Array) -> pa.Array:
    """``utf8_trim_whitespace``, skipped (a plain look at the first and last byte of every
    value) when no value can begin or end with white space, as is usual for ids."""
    if len(a) == 0 or a.null_count:
        return pc.utf8_trim_whitespace(a)
    off, buf = _offsets(a), _data(a)
    lens = np.diff(off)
    n, w = len(a), int(lens[0])
    if w > 0 and int(lens.min()) == int(lens.max()):  # one width: strided looks, no gather
        s0 = int(off[0])
        first, last = buf[s0:s0 + n * w:w], buf[s0 + w - 1:s0 + n * w:w]
    else:
        full = lens > 0
        first, last = buf[off[:-1][full]], buf[off[1:][full] - 1]
    if len(first) and (_MAYBE_SPACE[first].any() or _MAYBE_SPACE[last].any()):
        return pc.utf8_trim_whitespace(a)
    return a


def _mix(acc: np.ndarray, word: np.ndarray, tmp: np.ndarray) -> None:
    """One step of the string hash, in place: ``acc = (acc ^ word) * MIX; acc ^= acc >> 29``."""
    np.bitwise_xor(acc, word, out=acc)
    np.multiply(acc, _MIX, out=acc)
    np.right_shift(acc, np.uint64(29), out=tmp)
    np.bitwise_xor(acc, tmp, out=acc)


def _hash_fixed(buf: np.ndarray, s0: int, n: int, w: int) -> np.ndarray:
    """:func:`_hash_strings` of ``n >= 2`` values of one width ``w >= 8`` lying end to end
    from byte ``s0``: each 8-byte word read as a strided view of the buffer, nothing copied."""
    acc = np.full(n, w, dtype=np.uint64)
    np.multiply(acc, _MIX, out=acc)
    tmp = np.empty(n, dtype=np.uint64)
    word = np.empty(n, dtype=np.uint64)
    for pos in range(0, w, 8):
        rem = w - pos
        if rem >= 8:
            view = np.ndarray((n,), dtype="<u8", buffer=buf, offset=s0 + pos, strides=(w,))
            _mix(acc, view, tmp)
            continue
        # a partial last word: read 8 bytes (the next value's first bytes) and mask them off;
        # the last value's word is assembled on its own, never reading past the buffer
        view = np.ndarray((n - 1,), dtype="<u8", buffer=buf, offset=s0 + pos, strides=(w,))
        np.bitwise_and(view, np.uint64((1 << (8 * rem)) - 1), out=word[:n - 1])
        tail = buf[s0 + (n - 1) * w + pos:s0 + n * w].tobytes()
        word[n - 1] = int.from_bytes(tail, "little")
        _mix(acc, word, tmp)
    return acc


def _hash_strings(a: pa.Array) -> np.ndarray:
    """A 64-bit hash of every string (a function of its bytes only), computed on 8-byte words
    of the Arrow buffers without hashing each cell in Python. Equal strings hash equal; callers
    confirm every match on the strings themselves, so collisions cost time, never results.

    The hash of a value of ``w`` bytes: ``acc = w * MIX``, then for each 8-byte little-endian
    word of the value (the last one zero-padded) ``acc = (acc ^ word) * MIX; acc ^= acc >> 29``.
    """
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = _offsets(a)
    buf = _data(a)
    lens = np.diff(offsets)
    lo, hi = int(lens.min()), int(lens.max())
    if lo == hi and lo >= 8 and n >= 2:  # ids of one width: the usual case, and the fast one
        return _hash_fixed(buf, int(offsets[0]), n, lo)
    h = np.zeros(n, dtype=np.uint64)
    widths = np.flatnonzero(np.bincount(lens))
    for w in widths.tolist():
        every = len(widths) == 1
        rows = None if every else np.flatnonzero(lens == w)
        starts = offsets[:-1] if every else offsets[rows]
        padded = -(-max(w, 1) // 8) * 8
        if every and w:  # one width: the values lie end to end, a plain reshape
            s0 = int(offsets[0])
            mat = buf[s0:s0 + w * n].reshape(n, w)
        else:
            mat = buf[starts.astype(np.int64)[:, None] + np.arange(w, dtype=np.int64)]
        words = np.zeros((len(starts), padded), dtype=np.uint8)
        words[:, :w] = mat
        acc = np.full(len(starts), w, dtype=np.uint64) * _MIX
        tmp = np.empty(len(starts), dtype=np.uint64)
        for word in words.view("<u8").T:
            _mix(acc, word, tmp)
        if every:
            h[:] = acc
        else:
            h[rows] = acc
    return h


def _ids(s: pd.Series, hashed: bool = True) -> tuple[pa.Array, np.ndarray | None]:
    """An id column stripped, as an Arrow string array, and its hashes (with ``hashed``)."""
    a = _trimmed(_arr(_arrow_str(s)) if not isinstance(s.dtype, pd.CategoricalDtype)
                 else _arr(_Enc.of(s, strip=False).series()))
    return a, (_hash_strings(a) if hashed else None)


class _IdIndex:
    """An id column's rows sorted by hash, to find repeated ids and look ids up without a
    hash table of millions of strings.

    Each row's hash keeps its high bits and carries the row number in the low ones, so one
    plain integer sort orders rows by hash and, within equal hashes, by row. Rows with equal
    (shortened) hashes are only candidates: the strings decide.
    """

    def __init__(self, ids: pa.Array, hashes: np.ndarray) -> None:
        n = len(ids)
        self.ids = ids
        self.k = np.uint64(max(int(n).bit_length(), 1))
        key = ((hashes >> self.k) << self.k) | np.arange(n, dtype=np.uint64)
        key.sort()
        self.prefix = key >> self.k
        self.rows = (key & ((np.uint64(1) << self.k) - np.uint64(1))).astype(np.int64)

    def repeats(self) -> tuple[np.ndarray, np.ndarray]:
        """(row repeats an earlier row's id, 0-based row of that first occurrence)."""
        n = len(self.ids)
        dup = np.zeros(n, dtype=bool)
        first = np.zeros(n, dtype=np.int64)
        same = np.flatnonzero(self.prefix[1:] == self.prefix[:-1])
        if len(same) == 0:
            return dup, first
        at = np.zeros(n, dtype=bool)
        at[same] = True
        at[same + 1] = True
        cand = np.sort(self.rows[at])  # in row order: first occurrences come first
        enc = pc.dictionary_encode(self.ids.take(pa.array(cand)))
        codes = _np(enc.indices).astype(np.int64)
        first_at = np.full(len(enc.dictionary), len(cand), dtype=np.int64)
        np.minimum.at(first_at, codes, np.arange(len(cand), dtype=np.int64))
        again = first_at[codes] != np.arange(len(cand))
        dup[cand[again]] = True
        first[cand[again]] = cand[first_at[codes[again]]]
        return dup, first

    def find(self, queries: pa.Array, hashes: np.ndarray, accepted: np.ndarray) -> np.ndarray:
        """Row of the accepted id equal to each query, -1 if none (repeats of an id are never
        accepted, so there is at most one)."""
        n = len(self.ids)
        target = np.full(len(queries), -1, dtype=np.int64)
        if n == 0 or len(queries) == 0:
            return target
        q = hashes >> self.k
        order = np.argsort(q)  # any order of equal hashes will do
        pos = np.empty(len(q), dtype=np.int64)
        pos[order] = np.searchsorted(self.prefix, q[order])  # sorted probes: cache friendly
        pc_ = np.minimum(pos, n - 1)
        hit = (pos < n) & (self.prefix[pc_] == q)
        nxt = np.minimum(pc_ + 1, n - 1)
        multi = hit & (pc_ + 1 < n) & (self.prefix[nxt] == q)
        one = np.flatnonzero(hit & ~multi)
        rows = self.rows[pc_[one]]
        same = _np(pc.equal(queries.take(pa.array(one)), self.ids.take(pa.array(rows))))
        good = same.astype(bool) & accepted[rows]
        target[one[good]] = rows[good]
        for i in np.flatnonzero(multi).tolist():  # ids repeated (or hashes shared): rare
            want = queries[i].as_py()
            j = int(pc_[i])
            while j < n and self.prefix[j] == q[i]:
                r = int(self.rows[j])
                if accepted[r] and self.ids[r].as_py() == want:
                    target[i] = r
                    break
                j += 1
        return target


def _first_rows(key: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(is a repeat of an earlier row, 1-based data row of the first occurrence) per row;
    the second array is only meaningful where the first is true."""
    dup = np.array(key.duplicated(keep="first").to_numpy(dtype=bool))  # writable
    first = np.zeros(len(key), dtype=np.int64)
    if dup.any():
        first[dup] = _lookup(key[dup], key).astype(np.int64) + 1
    return dup, first


def _duplicated_codes(*cols: pd.Series) -> np.ndarray:
    """Rows whose combination of values appeared on an earlier row (hashing each column once
    and combining integer codes, instead of hashing concatenated strings)."""
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        enc = pc.dictionary_encode(_arr(c))
        key = key * len(enc.dictionary) + _np(enc.indices).astype(np.int64)
    return pd.Series(key).duplicated(keep="first").to_numpy()


def _lookup(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each value in ``keys`` (-1 if absent), by hashing in Arrow."""
    idx = pc.index_in(_arr(values), value_set=_arr(keys))
    return _np(pc.fill_null(idx, -1)).astype(np.int32)


_NUMBER_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_AMOUNT_RE = r"^(?P<sign>-?)(?P<whole>\d+)(?:\.(?P<frac>\d{0,2}))?$"


def _parse_fen(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact decimal yuan (thousands separators allowed, at most two decimals) → fen.

    Returns (fen as int64, well-formed mask, negative mask); no float is involved, so
    99999.99 never becomes 100000.
    """
    a = pc.replace_substring(_arr(s), ",", "")
    parts = pc.extract_regex(a, _AMOUNT_RE)
    ok = _np(pc.is_valid(parts)) & _np(pc.utf8_length(a)).astype(np.int64).__lt__(17)
    if not ok.any():
        z = np.zeros(len(s), dtype=np.int64)
        return z, ok, np.zeros(len(s), dtype=bool)
    whole = pc.fill_null(pc.struct_field(parts, "whole"), "0")
    frac = pc.utf8_rpad(pc.fill_null(pc.struct_field(parts, "frac"), ""), 2, "0")
    ok_idx = np.flatnonzero(ok)
    fen = np.zeros(len(s), dtype=np.int64)
    w = _np(pc.cast(pc.take(whole, ok_idx), pa.int64()))
    f = _np(pc.cast(pc.take(frac, ok_idx), pa.int64()))
    fen[ok_idx] = w * 100 + f
    negative = ok & (_np(pc.fill_null(pc.struct_field(parts, "sign"), "")) == "-") & (fen > 0)
    return fen, ok, negative


# --------------------------------------------------------------------------------------
# per-table validation
# --------------------------------------------------------------------------------------


def _stripped(df: pd.DataFrame, required: tuple[str, ...], file: str, rej: _Rejects
              ) -> tuple[pd.DataFrame, np.ndarray]:
    """A copy of a small table with the ``required`` columns stripped, and the mask of rows
    where one is empty (each such cell rejected)."""
    bad = np.zeros(len(df), dtype=bool)
    out = df.copy()
    for c in required:
        out[c] = _strip(out[c])
        bad |= rej.missing(file, c, (out[c] == "").to_numpy())
    return out, bad


def _optional_date(out: pd.DataFrame, column: str, file: str, rej: _Rejects
                   ) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Parse an optional date column of a small table (added empty when absent), rejecting
    values that are given but not dates. Returns (stripped text, days, given, parsed)."""
    if column not in out:
        out[column] = ""
    text = _strip(out[column])
    days, ok = _parse_days(text)
    given = (text != "").to_numpy()
    rej.add(file, np.flatnonzero(given & ~ok), column, "bad_date", text[given & ~ok],
            "Not a date in the form YYYY-MM-DD.")
    return text, days, given, ok


def _firm_rows(firm_id: "_Enc", firm_keys: pd.Series, file: str, rej: _Rejects
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's index among the accepted firms (-1 if none), looked up once per distinct
    code; rows naming a firm that is not there are rejected. Returns (index, unknown mask)."""
    fid = firm_id.map(pc.utf8_upper)
    idx = fid.per_row(_lookup(pd.Series(fid.uniq, dtype=STR), firm_keys))
    unknown = (idx < 0) & ~fid.is_("")
    rej.add(file, np.flatnonzero(unknown), "firm_id", "unknown_firm", fid.values(unknown),
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    return idx, unknown


def _firms(df: pd.DataFrame, file: str, rej: _Rejects, today_day: int
           ) -> tuple[pd.DataFrame, np.ndarray]:
    out, bad = _stripped(df, ("firm_id", "name", "region_code"), file, rej)
    fid = out["firm_id"].str.upper()
    okid = valid_uscc_mask(fid.to_numpy(dtype=object)) | (fid == "").to_numpy()
    rej.add(file, np.flatnonzero(~okid), "firm_id", "bad_credit_code", out["firm_id"][~okid],
            "Not a valid unified social credit code: 18 characters whose last is the GB "
            "32100-2015 check character.")
    bad |= ~okid
    out["firm_id"] = fid
    dup, first = _first_rows(fid)
    dup &= (fid != "").to_numpy()
    rej.add(file, np.flatnonzero(dup), "firm_id", "duplicate_id", fid[dup],
            pd.Series(first[dup]).map(lambda r: f"The same firm_id is on data row {r}."))
    bad |= dup
    reg = out["region_code"]
    okreg = valid_region_mask(reg.to_numpy(dtype=object)) | (reg == "").to_numpy()
    rej.add(file, np.flatnonzero(~okreg), "region_code", "bad_region_code", reg[~okreg],
            "Not a 6-digit GB/T 2260 administrative division code.")
    bad |= ~okreg
    for c, allowed, lower in (("supervision_class", SUPERVISION_CLASSES, False),
                              ("permit_type", PERMIT_TYPES, True),
                              ("status", FIRM_STATUSES, True)):
        if c not in out:
            out[c] = ""
            continue
        s = _strip(out[c])
        if not lower:
            s = s.str.upper()
        v, ok = _vocab(s, allowed, _ZH_VALUES.get(c), lower)
        rej.add(file, np.flatnonzero(~ok), c, "bad_value", s[~ok],
                f"'{c}' must be one of {list(allowed)} (or empty).")
        bad |= ~ok
        out[c] = v.astype(object)
    out["status"] = out["status"].where(out["status"] != "", "operating")
    for c in ("key_discharger", "positive_list"):
        if c not in out:
            out[c] = ""
            continue
        s = _strip(out[c]).str.lower()
        canon = {k: ("true" if v else "false") for k, v in _BOOL.items()}
        v, ok = _vocab(s, ("true", "false"), canon)
        rej.add(file, np.flatnonzero(~ok), c, "bad_value", out[c][~ok],
                f"'{c}' must be true or false (or empty).")
        bad |= ~ok
        out[c] = v.astype(object)
    s, days, given, ok = _optional_date(out, "included_since", file, rej)
    fut = ok & (days > today_day)
    rej.add(file, np.flatnonzero(fut), "included_since", "future_date", s[fut],
            "The date is later than the run's reference date.")
    bad |= (given & ~ok) | fut
    out["included_since"] = s
    out["included_day"] = days
    for c in out.columns:  # the firms table is small: plain Python strings are easiest downstream
        if isinstance(out[c].dtype, pd.ArrowDtype):
            out[c] = out[c].astype(object)
    return out, ~bad


def _events(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
            firm_keys: pd.Series, today_day: int
            ) -> tuple[pd.DataFrame, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Validate the events on the distinct values of each column; the event ids are hashed
    once. Returns (per-row columns, ok mask, (rows with a ref_event_id, row of the event each
    names or -1))."""
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    cols = ("firm_id", "event_date", "event_type", "amount", "severity", "medium",
            "recorded_at")
    def event_ids() -> tuple[pa.Array, _IdIndex]:
        a, h = _ids(df["event_id"])
        return a, _IdIndex(a, h)

    def references() -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray]:
        a = (_ids(df["ref_event_id"], hashed=False)[0] if "ref_event_id" in df
             else pa.array(np.full(n, "", dtype=object), pa.string()))
        rows = np.flatnonzero(_np(pc.not_equal(a, "")).astype(bool))
        given = a.take(pa.array(rows))
        return a, rows, given, _hash_strings(given)

    jobs: dict[str, Callable[[], Any]] = {"event_id": event_ids, "ref_event_id": references}
    for c in cols:
        if c in df:
            jobs[c] = (lambda c=c: _Enc.of(df[c]))
    done = _in_threads(jobs, n)
    eid, index = done["event_id"]
    enc = {c: done[c] if c in df else _Enc(np.zeros(n, np.int32), pa.array([""])) for c in cols}
    e_empty = _np(pc.equal(eid, "")).astype(bool)
    for c in ("event_id", "firm_id", "event_date", "event_type"):
        bad |= rej.missing(file, c, e_empty if c == "event_id" else enc[c].is_(""))
    dup, first = index.repeats()
    dup &= ~e_empty
    rej.add(file, np.flatnonzero(dup), "event_id", "duplicate_id", eid.filter(pa.array(dup)),
            np.array([f"The same event_id is on data row {r + 1}." for r in first[dup].tolist()],
                     dtype=object))
    bad |= dup
    idx, unknown = _firm_rows(enc["firm_id"], firm_keys, file, rej)
    bad |= unknown

    et, known = _vocab_enc(enc["event_type"], ruleset.event_type_ids, _ZH_VALUES["event_type"],
                           lower=False)
    rej.add(file, np.flatnonzero(~known), "event_type", "unknown_event_type",
            enc["event_type"].values(~known),
            f"Neither an event type of docs/data-format.md nor one ruleset '{ruleset.id}' "
            "declares.")
    bad |= ~known

    d = enc["event_date"]
    udays, uok = _parse_days(pd.Series(d.uniq, dtype=STR))
    days, ok = d.per_row(udays), d.per_row(uok)
    given = ~d.is_("")
    rej.add(file, np.flatnonzero(given & ~ok), "event_date", "bad_date", d.values(given & ~ok),
            "Not a date in the form YYYY-MM-DD.")
    fut = ok & (days > today_day)
    rej.add(file, np.flatnonzero(fut), "event_date", "future_date", d.values(fut),
            "The date is later than the run's reference date.")
    bad |= (given & ~ok) | fut

    amt = enc["amount"]
    ufen, uform, uneg = _parse_fen(pd.Series(amt.uniq, dtype=STR))
    ugiven = _np(pc.not_equal(amt.uniq, "")).astype(bool)
    badnum = amt.per_row(ugiven & ~uform)
    rej.add(file, np.flatnonzero(badnum), "amount", "bad_number", amt.values(badnum),
            "Not a decimal number of yuan with at most two decimals (fen).")
    neg = amt.per_row(ugiven & uform & uneg)
    rej.add(file, np.flatnonzero(neg), "amount", "negative_amount", amt.values(neg),
            "An amount cannot be below zero.")
    bad |= badnum | neg

    vocab: dict[str, pd.Categorical] = {}
    for c, allowed in (("severity", tuple(SEVERITIES)), ("medium", tuple(MEDIA))):
        v, vok = _vocab_enc(enc[c], allowed, _ZH_VALUES[c])
        rej.add(file, np.flatnonzero(~vok), c, "bad_value", enc[c].values(~vok),
                f"'{c}' must be one of {list(allowed)} (or empty).")
        bad |= ~vok
        vocab[c] = v

    rec = enc["recorded_at"]
    rgiven = ~rec.is_("")
    urdays, urok = _parse_days(pd.Series(rec.uniq, dtype=STR))
    rdays, rok = rec.per_row(urdays), rec.per_row(urok)
    rej.add(file, np.flatnonzero(rgiven & ~rok), "recorded_at", "bad_date",
            rec.values(rgiven & ~rok), "Not a date in the form YYYY-MM-DD.")
    rfut = rok & (rdays > today_day)
    rej.add(file, np.flatnonzero(rfut), "recorded_at", "future_date", rec.values(rfut),
            "The date is later than the run's reference date.")
    before = rok & ok & (rdays < days)
    rej.add(file, np.flatnonzero(before), "recorded_at", "recorded_before_event",
            rec.values(before), "The record is dated before the event it records.")
    bad |= (rgiven & ~rok) | rfut | before

    # references: must name an event accepted so far (second pass); like the event ids, the
    # references are mostly distinct, so they are hashed rather than dictionary-encoded
    ref, with_ref, refs, ref_hash = done["ref_event_id"]
    has_ref = np.zeros(n, dtype=bool)
    has_ref[with_ref] = True
    is_rev = np.asarray(et == "revocation", dtype=bool)
    norev = is_rev & ~has_ref
    rej.add(file, np.flatnonzero(norev), "ref_event_id", "missing_value", np.full(
        int(norev.sum()), "", dtype=object),
        "A revocation must name the event it cancels in ref_event_id.")
    bad |= norev
    # the row each reference names, per row that has one (-1: none)
    target = np.full(len(with_ref), -1, dtype=np.int64)
    if len(with_ref):
        target = index.find(refs, ref_hash, ~bad)
        open_ = ~bad[with_ref]  # rows not rejected yet: the ones these reasons are reported on
        missing_ref = target < 0
        sel = missing_ref & open_
        rej.add(file, with_ref[sel], "ref_event_id", "unknown_ref_event",
                refs.filter(pa.array(sel)), "ref_event_id names no accepted event.")
        other_firm = np.zeros(len(with_ref), dtype=bool)
        found = ~missing_ref
        other_firm[found] = idx[target[found]] != idx[with_ref[found]]
        sel = other_firm & open_
        rej.add(file, with_ref[sel], "ref_event_id", "unknown_ref_event",
                refs.filter(pa.array(sel)), "ref_event_id names an event of another firm.")
        bad[with_ref[missing_ref | other_firm]] = True
    out = pd.DataFrame({
        "event_id": pd.Series(eid, dtype=STR), "firm_idx": idx.astype(np.int32),
        "day": days, "recorded_day": np.where(rgiven, rdays, days).astype(np.int32),
        "event_type": et, "severity": vocab["severity"], "medium": vocab["medium"],
        "amount_fen": amt.per_row(np.where(ugiven & uform & ~uneg, ufen, -1).astype(np.int64)),
        "ref_event_id": pd.Series(ref, dtype=STR)}, copy=False)
    return out, ~bad, (with_ref, target)


def _measurements(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
                  firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Validate the measurements on the distinct values of each column."""
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    enc = _in_threads({c: (lambda c=c: _Enc.of(df[c]))
                       for c in ("firm_id", "period", "indicator", "value")}, n)
    for c, e in enc.items():
        bad |= rej.missing(file, c, e.is_(""))
    idx, unknown = _firm_rows(enc["firm_id"], firm_keys, file, rej)
    bad |= unknown
    per = enc["period"]
    okp = per.per_row(_np(pc.match_substring_regex(
        per.uniq, r"^\d{4}(-(0[1-9]|1[0-2]))?$")).astype(bool)) | per.is_("")
    rej.add(file, np.flatnonzero(~okp), "period", "bad_period", per.values(~okp),
            "A period is YYYY or YYYY-MM.")
    bad |= ~okp
    ind, val = enc["indicator"], enc["value"]
    given = ~val.is_("")
    uval = pd.Series(val.uniq, dtype=STR)
    for i in ruleset.indicators:
        sel = ind.is_(i.id) & given
        if not sel.any():
            continue
        if i.kind == "numeric":  # a decimal number (not inf or nan)
            b = sel & ~val.per_row(uval.str.fullmatch(_NUMBER_RE).to_numpy(dtype=bool))
            rej.add(file, np.flatnonzero(b), "value", "bad_number", val.values(b),
                    f"Indicator '{i.id}' takes a number.")
        else:
            b = sel & ~val.per_row(uval.isin(i.values).to_numpy())
            rej.add(file, np.flatnonzero(b), "value", "bad_value", val.values(b),
                    f"Indicator '{i.id}' takes one of {i.values}.")
        bad |= b
    key = ((idx.astype(np.int64) + 1) * len(per.uniq) + per.codes) * len(ind.uniq) + ind.codes
    dup = pd.Series(key).duplicated(keep="first").to_numpy() & ~bad
    rej.add(file, np.flatnonzero(dup), "indicator", "duplicate_measurement", ind.values(dup),
            "A second value for the same firm, period and indicator.")
    bad |= dup
    ok = ~bad
    out = pd.DataFrame({"firm_idx": idx[ok].astype(np.int32), "period": per.categorical(ok),
                        "indicator": ind.categorical(ok), "value": val.series(ok)}, copy=False)
    return out, ok


def _history(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
             firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    out, bad = _stripped(df, ("firm_id", "period", "grade"), file, rej)
    fid = out["firm_id"].str.upper()
    idx = _lookup(fid, firm_keys)
    unknown = (idx < 0) & (fid != "").to_numpy()
    rej.add(file, np.flatnonzero(unknown), "firm_id", "unknown_firm", fid[unknown],
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    bad |= unknown
    out["firm_idx"] = idx
    per = out["period"]
    okp = per.str.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?").to_numpy(dtype=bool) | (per == "").to_numpy()
    rej.add(file, np.flatnonzero(~okp), "period", "bad_period", per[~okp],
            "A period is YYYY or YYYY-MM.")
    bad |= ~okp
    g = out["grade"]
    okg = g.isin(ruleset.grade_ids).to_numpy() | (g == "").to_numpy()
    rej.add(file, np.flatnonzero(~okg), "grade", "unknown_grade", g[~okg],
            f"Not a grade id of ruleset '{ruleset.id}' {ruleset.grade_ids}.")
    bad |= ~okg
    if "list" not in out:
        out["list"] = ""
    lst, okl = _vocab(_strip(out["list"]), LISTS, _ZH_VALUES["list"])
    rej.add(file, np.flatnonzero(~okl), "list", "bad_value", out["list"][~okl],
            "'list' must be red, black or empty.")
    bad |= ~okl
    out["list"] = lst
    # optional: the last day of the published list entry (inclusive); without it the
    # ruleset's default duration applies (see ecocredit.scoring and docs/rulesets.md §11)
    _, ldays, lgiven, okd = _optional_date(out, "list_until", file, rej)
    bad |= lgiven & ~okd
    out["list_until_day"] = np.where(lgiven & okd, ldays, NO_DATE).astype(np.int64)
    dup = _duplicated_codes(fid, per) & ~bad
    rej.add(file, np.flatnonzero(dup), "period", "duplicate_history", per[dup],
            "A second record for the same firm and period.")
    bad |= dup
    return out, ~bad


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------


def _frame(obj: Any, table: str, name: str, as_strings: bool = True) -> pd.DataFrame:
    """An input as a DataFrame with canonical headers; with ``as_strings`` every column as
    Arrow strings (the large tables skip that: their columns are encoded one by one)."""
    if isinstance(obj, (str, Path)):
        return read_table(obj, table, as_strings=as_strings)
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"The {table} input must be a DataFrame or a file path; got "
                         f"{type(obj).__name__}.", file=name, reason_code="bad_input")
    df = _canonical_headers(obj, table, name)
    return _as_strings(df) if as_strings else df


def _empty(table: str) -> pd.DataFrame:
    req, _ = TABLES[table]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in req})


def prepare(firms: Any, events: Any, ruleset: Ruleset, *, measurements: Any = None,
            history: Any = None, as_of: dt.date | None = None, today: dt.date | None = None,
            names: Mapping[str, str] | None = None) -> Prepared:
    """Validate the four input tables against the contract and the ruleset.

    Parameters
    ----------
    firms, events, measurements, history : DataFrame or path
        The input tables (measurements and history are optional).
    ruleset : Ruleset
        Declares extra event types, indicators and grade ids that the inputs may use.
    as_of : date, optional
        Records entered after this date (``recorded_at``) are left out of scoring (they are
        neither used nor rejected: they did not exist yet), and so are revocations.
    today : date, optional
        The run's reference date: dates after it are rejected as ``future_date``.
        Defaults to the real date; it is written to the manifest so a replay reuses it.
    names : mapping, optional
        File names to report in rejects, per table (defaults: ``firms``, ``events`` ...).

    Returns
    -------
    Prepared
    """
    names = {k: str(v) for k, v in (names or {}).items()}
    for t in TABLES:
        names.setdefault(t, str(locals()[t]) if isinstance(locals().get(t), (str, Path)) else t)
    today_day = day_of(today or dt.date.today())
    rej = _Rejects()
    stats: dict[str, TableStats] = {}

    f_raw = _frame(firms, "firms", names["firms"])
    f_all, f_ok = _firms(f_raw, names["firms"], rej, today_day)
    f_acc = f_all[f_ok].reset_index(drop=True)
    stats["firms"] = TableStats(names["firms"], len(f_all), int(f_ok.sum()), int((~f_ok).sum()))
    firm_keys = f_acc["firm_id"]

    # measurements and history do not depend on the events: checked on a side thread
    side_rej = _Rejects()

    def other_tables() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
        m_raw = (_empty("measurements") if measurements is None else
                 _frame(measurements, "measurements", names["measurements"], as_strings=False))
        ms, m_ok = _measurements(m_raw, names["measurements"], side_rej, ruleset, firm_keys)
        h_raw = _empty("history") if history is None else _frame(history, "history",
                                                                  names["history"])
        h_all, h_ok = _history(h_raw, names["history"], side_rej, ruleset, firm_keys)
        return ms, m_ok, h_all, h_ok

    with ThreadPoolExecutor(1) as side:
        big = (len(events) >= _THREADED_ROWS if isinstance(events, pd.DataFrame)
               else isinstance(events, (str, Path)))
        later = side.submit(other_tables) if _THREADS > 1 and big else None
        e_raw = _frame(events, "events", names["events"], as_strings=False)
        e_all, e_ok, e_target = _events(e_raw, names["events"], rej, ruleset, firm_keys,
                                        today_day)
        ms, m_ok, h_all, h_ok = later.result() if later is not None else other_tables()
    rej.parts += side_rej.parts
    stats["events"] = TableStats(names["events"], len(e_all), int(e_ok.sum()),
                                 int((~e_ok).sum()))
    keep = e_ok.copy()
    excluded = 0
    if as_of is not None:
        late = e_ok & (e_all["recorded_day"].to_numpy() > day_of(as_of))
        excluded = int(late.sum())
        keep &= ~late
    # revocations in force cancel the events they name (an accepted revocation names an
    # accepted event of its own firm: ingest found its row)
    revoked = np.zeros(len(e_all), dtype=bool)
    ref_rows, named = e_target
    rev = keep[ref_rows] & np.asarray(e_all["event_type"].iloc[ref_rows] == "revocation",
                                      dtype=bool)
    named = named[rev]
    revoked[named[named >= 0]] = True
    ev = e_all if keep.all() else e_all[keep].reset_index(drop=True)
    ev["revoked"] = revoked[keep]

    if measurements is not None:
        stats["measurements"] = TableStats(names["measurements"], len(m_ok), int(m_ok.sum()),
                                           int((~m_ok).sum()))
    if history is not None:
        stats["history"] = TableStats(names["history"], len(h_all), int(h_ok.sum()),
                                      int((~h_ok).sum()))
    hs = h_all[h_ok]
    hs = pd.DataFrame({"firm_idx": hs["firm_idx"].to_numpy(dtype=np.int32),
                       "period": hs["period"].to_numpy(dtype=object),
                       "grade": hs["grade"].to_numpy(dtype=object),
                       "list": hs["list"].to_numpy(dtype=object),
                       "list_until_day": hs["list_until_day"].to_numpy(dtype=np.int64)})

    rejects = rej.frame()
    order = {n: i for i, n in enumerate(names[t] for t in TABLES)}
    if len(rejects):
        rejects = (rejects.assign(_f=rejects["file"].map(order))
                   .sort_values(["_f", "row", "column", "reason_code"], kind="stable")
                   .drop(columns="_f").reset_index(drop=True))
    return Prepared(firms=f_acc, events=ev, measurements=ms, history=hs, rejects=rejects,
                    stats=stats, excluded_as_of=excluded)
