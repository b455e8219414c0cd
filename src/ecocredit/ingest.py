"""Ingest: read the input tables, validate every row in one vectorized pass, and keep account.

Every input row is either accepted or listed in the rejects table with file, row (1-based
data row), column, reason code, value and message; nothing is dropped silently, and the
counts reconcile (``read == used + rejected`` for each table). Only a table that cannot be
used at all (unreadable, or a required column missing) raises :class:`InputError`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .codes import valid_region_mask, valid_uscc_mask
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
NO_DATE = np.iinfo(np.int32).min  # sentinel for "no date" in int32 day columns

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


def _canonical_headers(df: pd.DataFrame, table: str, file: str) -> pd.DataFrame:
    aliases = COLUMN_ALIASES[table]
    required, optional = TABLES[table]
    known = set(required) | set(optional)
    rename: dict[str, str] = {}
    for col in df.columns:
        c = str(col).replace("\ufeff", "").strip()
        low = c.lower()
        rename[col] = aliases.get(c, low if low in known else c)
    out = df.rename(columns=rename)
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


def read_table(path: str | Path, table: str) -> pd.DataFrame:
    """Read one input table (CSV in UTF-8/UTF-8-BOM/GB18030, Excel ``.xlsx`` or Parquet).

    Headers are mapped to the canonical English names (Chinese aliases accepted); every value
    is returned as a string, empty where missing, so that validation sees what the file says.

    Parameters
    ----------
    path : str or Path
    table : {'firms', 'events', 'measurements', 'history'}

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
            df = pd.read_parquet(p)
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
    return _as_strings(df)


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

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else np.int64)
                                 for c in REJECT_COLUMNS})
        df = pd.concat(self.parts, ignore_index=True)
        return df


def _strip(s: pd.Series) -> pd.Series:
    return s.astype(STR).str.strip()


def _arr(s: pd.Series) -> pa.Array:
    """The Arrow array behind an Arrow-backed string Series."""
    a = pa.array(s.astype(STR))
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _np(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def _fixed_width_bytes(a: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose UTF-8 length is ``width``, their bytes as a (k, width) uint8 matrix)."""
    a = a.cast(pa.string()) if not pa.types.is_string(a.type) else a
    n = len(a)
    offsets = np.frombuffer(a.buffers()[1], dtype=np.int32)[a.offset:a.offset + n + 1]
    rows = np.flatnonzero(np.diff(offsets) == width)
    data = a.buffers()[2]
    if len(rows) == 0 or data is None:
        return rows, np.zeros((0, width), dtype=np.uint8)
    buf = np.frombuffer(data, dtype=np.uint8)
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
    enc = pc.dictionary_encode(_arr(s))
    codes = _np(enc.indices).astype(np.int64)
    uniq = enc.dictionary.to_pylist()
    mapped = [(zh or {}).get(u, u) for u in uniq]
    mapped = [m.lower() if lower else m for m in mapped]
    good = np.array([m in allowed or m == "" for m in mapped], dtype=bool)
    ccodes, cuniq = pd.factorize(pd.Series(mapped, dtype=object), use_na_sentinel=False)
    cat = pd.Categorical.from_codes(np.asarray(ccodes)[codes] if len(codes) else codes,
                                    categories=pd.Index(cuniq, dtype=object))
    return pd.Series(cat, index=s.index), good[codes] if len(codes) else np.zeros(0, bool)


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


def day_of(d: dt.date) -> int:
    """Days since 1970-01-01 (the engines' integer date)."""
    return (d - dt.date(1970, 1, 1)).days


def date_of(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


# --------------------------------------------------------------------------------------
# per-table validation
# --------------------------------------------------------------------------------------


def _firms(df: pd.DataFrame, file: str, rej: _Rejects, today_day: int
           ) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    out = df.copy()
    for c in ("firm_id", "name", "region_code"):
        out[c] = _strip(out[c])
        empty = (out[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(empty), c, "missing_value", out[c][empty],
                f"The required value '{c}' is empty.")
        bad |= empty
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
    if "included_since" not in out:
        out["included_since"] = ""
    s = _strip(out["included_since"])
    days, ok = _parse_days(s)
    given = (s != "").to_numpy()
    rej.add(file, np.flatnonzero(given & ~ok), "included_since", "bad_date", s[given & ~ok],
            "Not a date in the form YYYY-MM-DD.")
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
            firm_keys: pd.Series, today_day: int) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    out = df.copy()
    for c in ("event_id", "firm_id", "event_date", "event_type"):
        out[c] = _strip(out[c])
        empty = (out[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(empty), c, "missing_value", out[c][empty],
                f"The required value '{c}' is empty.")
        bad |= empty
    eid = out["event_id"]
    dup, first = _first_rows(eid)
    dup &= (eid != "").to_numpy()
    rej.add(file, np.flatnonzero(dup), "event_id", "duplicate_id", eid[dup],
            pd.Series(first[dup]).map(lambda r: f"The same event_id is on data row {r}."))
    bad |= dup
    fid = out["firm_id"].str.upper()
    idx = _lookup(fid, firm_keys)
    unknown = (idx < 0) & (fid != "").to_numpy()
    rej.add(file, np.flatnonzero(unknown), "firm_id", "unknown_firm", fid[unknown],
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    bad |= unknown
    out["firm_idx"] = idx

    et, known = _vocab(out["event_type"], ruleset.event_type_ids, _ZH_VALUES["event_type"],
                       lower=False)
    rej.add(file, np.flatnonzero(~known), "event_type", "unknown_event_type",
            out["event_type"][~known],
            f"Neither a contract event type nor one ruleset '{ruleset.id}' declares.")
    bad |= ~known
    out["event_type"] = et

    days, ok = _parse_days(out["event_date"])
    given = (out["event_date"] != "").to_numpy()
    rej.add(file, np.flatnonzero(given & ~ok), "event_date", "bad_date",
            out["event_date"][given & ~ok], "Not a date in the form YYYY-MM-DD.")
    fut = ok & (days > today_day)
    rej.add(file, np.flatnonzero(fut), "event_date", "future_date", out["event_date"][fut],
            "The date is later than the run's reference date.")
    bad |= (given & ~ok) | fut
    out["day"] = days

    for c in ("amount", "severity", "medium", "ref_event_id", "recorded_at"):
        if c not in out:
            out[c] = ""
        out[c] = _strip(out[c])
    amt = out["amount"]
    has = (amt != "").to_numpy()
    fen, form_ok, negative = _parse_fen(amt)
    badnum = has & ~form_ok
    rej.add(file, np.flatnonzero(badnum), "amount", "bad_number", amt[badnum],
            "Not a decimal number of yuan with at most two decimals (fen).")
    neg = has & form_ok & negative
    rej.add(file, np.flatnonzero(neg), "amount", "negative_amount", amt[neg],
            "An amount cannot be below zero.")
    bad |= badnum | neg
    out["amount_fen"] = np.where(has & form_ok & ~negative, fen, -1).astype(np.int64)

    for c, allowed in (("severity", tuple(SEVERITIES)), ("medium", tuple(MEDIA))):
        v, ok = _vocab(out[c], allowed, _ZH_VALUES[c])
        rej.add(file, np.flatnonzero(~ok), c, "bad_value", out[c][~ok],
                f"'{c}' must be one of {list(allowed)} (or empty).")
        bad |= ~ok
        out[c] = v

    rec = out["recorded_at"]
    rgiven = (rec != "").to_numpy()
    rdays, rok = _parse_days(rec)
    rej.add(file, np.flatnonzero(rgiven & ~rok), "recorded_at", "bad_date", rec[rgiven & ~rok],
            "Not a date in the form YYYY-MM-DD.")
    rfut = rok & (rdays > today_day)
    rej.add(file, np.flatnonzero(rfut), "recorded_at", "future_date", rec[rfut],
            "The date is later than the run's reference date.")
    before = rok & ok & (rdays < days)
    rej.add(file, np.flatnonzero(before), "recorded_at", "recorded_before_event", rec[before],
            "The record is dated before the event it records.")
    bad |= (rgiven & ~rok) | rfut | before
    out["recorded_day"] = np.where(rgiven, rdays, days).astype(np.int32)

    # references: must name an event accepted so far (second pass)
    ref = out["ref_event_id"]
    is_rev = (out["event_type"] == "revocation").to_numpy(dtype=bool)
    norev = is_rev & (ref == "").to_numpy()
    rej.add(file, np.flatnonzero(norev), "ref_event_id", "missing_value", ref[norev],
            "A revocation must name the event it cancels in ref_event_id.")
    bad |= norev
    has_ref = (ref != "").to_numpy()
    if has_ref.any():
        target = _lookup(ref, eid[~bad])
        acc_firm = out["firm_idx"].to_numpy()[~bad]
        missing_ref = has_ref & (target < 0)
        rej.add(file, np.flatnonzero(missing_ref & ~bad), "ref_event_id", "unknown_ref_event",
                ref[missing_ref & ~bad], "ref_event_id names no accepted event.")
        other = has_ref & (target >= 0)
        other_firm = np.zeros(n, dtype=bool)
        if other.any():
            other_firm[other] = acc_firm[target[other]] != out["firm_idx"].to_numpy()[other]
        rej.add(file, np.flatnonzero(other_firm & ~bad), "ref_event_id", "unknown_ref_event",
                ref[other_firm & ~bad], "ref_event_id names an event of another firm.")
        bad |= missing_ref | other_firm
    return out, ~bad


def _measurements(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
                  firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    out = df.copy()
    for c in ("firm_id", "period", "indicator", "value"):
        out[c] = _strip(out[c])
        empty = (out[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(empty), c, "missing_value", out[c][empty],
                f"The required value '{c}' is empty.")
        bad |= empty
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
    ind = out["indicator"]
    val = out["value"]
    for i in ruleset.indicators:
        sel = (ind == i.id).to_numpy() & (val != "").to_numpy()
        if not sel.any():
            continue
        if i.kind == "numeric":  # a decimal number (not inf or nan)
            b = sel & ~val.str.fullmatch(_NUMBER_RE).to_numpy(dtype=bool)
            rej.add(file, np.flatnonzero(b), "value", "bad_number", val[b],
                    f"Indicator '{i.id}' takes a number.")
        else:
            b = sel & ~val.isin(i.values).to_numpy()
            rej.add(file, np.flatnonzero(b), "value", "bad_value", val[b],
                    f"Indicator '{i.id}' takes one of {i.values}.")
        bad |= b
    dup = _duplicated_codes(fid, per, ind) & ~bad
    rej.add(file, np.flatnonzero(dup), "indicator", "duplicate_measurement", ind[dup],
            "A second value for the same firm, period and indicator.")
    bad |= dup
    return out, ~bad


def _history(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
             firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    out = df.copy()
    for c in ("firm_id", "period", "grade"):
        out[c] = _strip(out[c])
        empty = (out[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(empty), c, "missing_value", out[c][empty],
                f"The required value '{c}' is empty.")
        bad |= empty
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
    dup = _duplicated_codes(fid, per) & ~bad
    rej.add(file, np.flatnonzero(dup), "period", "duplicate_history", per[dup],
            "A second record for the same firm and period.")
    bad |= dup
    return out, ~bad


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------


def _frame(obj: Any, table: str, name: str) -> pd.DataFrame:
    if isinstance(obj, (str, Path)):
        return read_table(obj, table)
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"The {table} input must be a DataFrame or a file path; got "
                         f"{type(obj).__name__}.", file=name, reason_code="bad_input")
    return _as_strings(_canonical_headers(obj, table, name))


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

    e_raw = _frame(events, "events", names["events"])
    e_all, e_ok = _events(e_raw, names["events"], rej, ruleset, firm_keys, today_day)
    stats["events"] = TableStats(names["events"], len(e_all), int(e_ok.sum()),
                                 int((~e_ok).sum()))
    keep = e_ok.copy()
    excluded = 0
    if as_of is not None:
        late = e_ok & (e_all["recorded_day"].to_numpy() > day_of(as_of))
        excluded = int(late.sum())
        keep &= ~late
    ev = e_all[keep]
    # revocations in force cancel the events they name
    rev = (ev["event_type"] == "revocation").to_numpy(dtype=bool)
    ids = _arr(ev["event_id"])
    refs = _arr(ev["ref_event_id"]).filter(pa.array(rev))
    revoked = _np(pc.is_in(ids, value_set=refs)).astype(bool)
    ev = pd.DataFrame({
        "event_id": pd.Series(ids, dtype=STR),
        "firm_idx": ev["firm_idx"].to_numpy(dtype=np.int32),
        "day": ev["day"].to_numpy(dtype=np.int32),
        "recorded_day": ev["recorded_day"].to_numpy(dtype=np.int32),
        "event_type": ev["event_type"].to_numpy(),
        "severity": ev["severity"].to_numpy(),
        "medium": ev["medium"].to_numpy(),
        "amount_fen": ev["amount_fen"].to_numpy(dtype=np.int64),
        "ref_event_id": pd.Series(_arr(ev["ref_event_id"]), dtype=STR),
        "revoked": revoked,
    })
    for c in ("event_type", "severity", "medium"):
        ev[c] = pd.Categorical(ev[c]) if not isinstance(ev[c].dtype, pd.CategoricalDtype) \
            else ev[c]

    if measurements is None:
        m_raw = _empty("measurements")
    else:
        m_raw = _frame(measurements, "measurements", names["measurements"])
    m_all, m_ok = _measurements(m_raw, names["measurements"], rej, ruleset, firm_keys)
    if measurements is not None:
        stats["measurements"] = TableStats(names["measurements"], len(m_all), int(m_ok.sum()),
                                           int((~m_ok).sum()))
    ms = m_all[m_ok]
    ms = pd.DataFrame({"firm_idx": ms["firm_idx"].to_numpy(dtype=np.int32),
                       "period": pd.Categorical(ms["period"].to_numpy(dtype=object)),
                       "indicator": pd.Categorical(ms["indicator"].to_numpy(dtype=object)),
                       "value": pd.Series(_arr(ms["value"]), dtype=STR)})

    if history is None:
        h_raw = _empty("history")
    else:
        h_raw = _frame(history, "history", names["history"])
    h_all, h_ok = _history(h_raw, names["history"], rej, ruleset, firm_keys)
    if history is not None:
        stats["history"] = TableStats(names["history"], len(h_all), int(h_ok.sum()),
                                      int((~h_ok).sum()))
    hs = h_all[h_ok]
    hs = pd.DataFrame({"firm_idx": hs["firm_idx"].to_numpy(dtype=np.int32),
                       "period": hs["period"].to_numpy(dtype=object),
                       "grade": hs["grade"].to_numpy(dtype=object),
                       "list": hs["list"].to_numpy(dtype=object)})

    rejects = rej.frame()
    order = {n: i for i, n in enumerate(names[t] for t in TABLES)}
    if len(rejects):
        rejects = (rejects.assign(_f=rejects["file"].map(order))
                   .sort_values(["_f", "row", "column", "reason_code"], kind="stable")
                   .drop(columns="_f").reset_index(drop=True))
    return Prepared(firms=f_acc, events=ev, measurements=ms, history=hs, rejects=rejects,
                    stats=stats, excluded_as_of=excluded)
