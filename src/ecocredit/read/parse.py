"""Parsers of the contract's text forms, vectorized and exact: ISO dates to day numbers (on the
raw bytes) and decimal yuan to integer fen (no float on the way)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..days import NO_DATE, STAMP, calendar_problem, time_of_day
from ..days import YMD as _YMD
from ..output.i18n import t
from .text import _arr, _fixed_width_bytes, _np


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
    if len(rows):
        _iso_days(rows, b, days, ok)
    rest = np.flatnonzero(~ok & (_np(pc.utf8_length(_arr(s))) > 0))
    if len(rest):  # other written forms: few values (the large tables pass distinct values)
        values = s.iloc[rest].astype(object).tolist()
        for k, v in zip(rest, values):
            day = _other_date_form(str(v))
            if day is not None:
                days[k], ok[k] = day, True
    return days, ok


def _iso_days(rows: np.ndarray, b: np.ndarray, days: np.ndarray, ok: np.ndarray) -> None:
    """Fill ``days`` and ``ok`` at ``rows`` from their ten bytes ``b`` where they are ISO dates."""
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


CHINA = dt.timezone(dt.timedelta(hours=8), "China Standard Time")


def _other_date_form(v: str) -> int | None:
    """The day of a date written in another unambiguous form, or None.

    ``2024/5/1``, ``2024.05.01`` and ``2024年5月1日`` are year-month-day; so is the date of a
    date and time (:data:`ecocredit.days.STAMP`: ``2025-12-31T16:30Z``, ``2025/2/28 8:00``) whose
    time is a time of day (``25:00`` and ``10:99`` are not, with or without a zone). A timestamp
    with a zone is converted to China time (UTC+8) before its date is taken
    (``2025-12-31T16:30Z`` is 2026-01-01), one without a zone is China time already.
    Day-first or month-first forms (``1/5/2024``) are ambiguous and stay rejected.
    """
    v = unicodedata.normalize("NFKC", v.strip())
    m = _YMD.match(v)
    try:
        if m:
            y, mo, d = (m.group(1), m.group(3), m.group(4)) if m.group(1) else m.group(5, 6, 7)
            return int(_days_from_civil(*(np.int64(int(x)) for x in (y, mo, d)))) if _real(
                int(y), int(mo), int(d)) else None
        m = STAMP.match(v)
        if not m or not time_of_day(m):
            return None
        date = dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if m.group(8):
            zone = m.group(8)
            off = dt.timedelta(0) if zone == "Z" else (1 if zone[0] == "+" else -1) * dt.timedelta(
                hours=int(zone[1:3]), minutes=int(zone[-2:]) if len(zone) > 3 else 0)
            t = dt.datetime(date.year, date.month, date.day, int(m.group(5)), int(m.group(6)),
                            int(m.group(7) or 0), tzinfo=dt.timezone(off))
            date = t.astimezone(CHINA).date()
        return (date - dt.date(1970, 1, 1)).days
    except ValueError:  # 2025-02-30, an offset of 24 hours
        return None


def _real(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
        return True
    except ValueError:
        return False


#: the generic message of a value that is not a date (rejects.csv, ``bad_date``)
NOT_A_DATE = ("Not a date: YYYY-MM-DD (also 2024/5/1, 2024.05.01, 2024年5月1日, or a timestamp, "
              "taken in China time).")


def no_such_day(v: str, lang: str = "en") -> str | None:
    """Why a value written as a year-month-day date names no day of the calendar, or None.

    ``2025-02-30``, ``2025/4/31``, ``2023年2月29日``, ``2025-13-01``, ``2025-00-10`` and
    ``2025-01-00`` have the shape of a date (any form :func:`_parse_days` reads) but no such
    day exists; saying so is clearer than listing the accepted forms again.

    Parameters
    ----------
    v : str
        The value as written.
    lang : {'en', 'zh'}

    Returns
    -------
    str or None
        The message (catalog keys ``date.no_such_month``, ``date.day_zero`` and
        ``date.no_such_day``; :func:`ecocredit.days.calendar_problem` finds the problem), or
        None when the value is not shaped as a year-month-day date or the day exists.

    Examples
    --------
    >>> no_such_day("2025-02-30")
    '2025-02-30 is not a day of the calendar: February 2025 has 28 days.'
    >>> no_such_day("2025-13-01")
    '2025-13-01 is not a day of the calendar: a year has 12 months (01 to 12).'
    >>> no_such_day("2024-02-29") is None, no_such_day("yesterday") is None
    (True, True)
    """
    problem = calendar_problem(v, lang)
    return None if problem is None else t(problem[0], lang, **problem[1])


def date_messages(values: np.ndarray | pd.Series) -> np.ndarray:
    """The ``bad_date`` message of each rejected date value: :func:`no_such_day`'s when the
    value has the shape of a date, else :data:`NOT_A_DATE` (computed once per distinct value).
    """
    vals = np.asarray(values, dtype=object)
    once: dict[str, str] = {}
    for x in set(vals.tolist()):
        once[x] = no_such_day(str(x)) or NOT_A_DATE
    return np.array([once[x] for x in vals.tolist()], dtype=object)


_NUMBER_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
#: yuan: digits, or digits in well-formed thousands groups (1,500 but not 1,5 or 1,0000), then at
#: most two decimals (more only when they are zeros: a Parquet decimal(…, 3) reads 500.000)
_AMOUNT_RE = (r"^(?P<sign>-?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)"
              r"(?:\.(?P<frac>\d{0,2})0*)?$")
#: a number followed by a unit (万, 元, 万元, 亿, yuan): rejected with a message saying so
_UNIT_RE = r"^-?[\d,]+(\.\d+)?\s*(万元|万|亿元|亿|千元|元|yuan|RMB|CNY)$"


def _ascii_forms(a: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Full-width digits, commas, points and signs (１，５００．００) as ASCII (NFKC), only when
    some value is not ASCII; spaces around the value dropped."""
    a = pc.utf8_trim_whitespace(a)
    if not pc.all(pc.string_is_ascii(a)).as_py():
        a = pc.utf8_normalize(a, "NFKC")
    return a


def _parse_fen(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact decimal yuan (well-formed thousands separators allowed, at most two decimals,
    full-width digits read as digits) → fen.

    Returns (fen as int64, well-formed mask, negative mask); no float is involved, so
    99999.99 never becomes 100000.
    """
    a = _ascii_forms(_arr(s))
    parts = pc.extract_regex(a, _AMOUNT_RE)
    ok = _np(pc.is_valid(parts)) & _np(pc.utf8_length(a)).astype(np.int64).__lt__(24)
    if not ok.any():
        z = np.zeros(len(s), dtype=np.int64)
        return z, ok, np.zeros(len(s), dtype=bool)
    whole = pc.replace_substring(pc.fill_null(pc.struct_field(parts, "whole"), "0"), ",", "")
    ok &= _np(pc.utf8_length(whole)).astype(np.int64) < 16
    frac = pc.utf8_rpad(pc.fill_null(pc.struct_field(parts, "frac"), ""), 2, "0")
    ok_idx = np.flatnonzero(ok)
    fen = np.zeros(len(s), dtype=np.int64)
    w = _np(pc.cast(pc.take(whole, ok_idx), pa.int64()))
    f = _np(pc.cast(pc.take(frac, ok_idx), pa.int64()))
    fen[ok_idx] = w * 100 + f
    negative = ok & (_np(pc.fill_null(pc.struct_field(parts, "sign"), "")) == "-") & (fen > 0)
    return fen, ok, negative


def _has_unit(s: pd.Series) -> np.ndarray:
    """Values that are a number followed by a unit such as 万 (mask)."""
    return _np(pc.match_substring_regex(_ascii_forms(_arr(s)), _UNIT_RE)).astype(bool)
