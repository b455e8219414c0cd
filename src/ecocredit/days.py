"""Dates as integers: days since 1970-01-01, the engines' date, and calendar-month arithmetic
in scalar form (``datetime.date``, for the reference engine) and vector form (numpy int days,
for the vectorized engine), tested equal."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

import numpy as np

__all__ = ["NO_DATE", "NO_DAY", "add_months", "add_months_days", "date_of", "day_of", "iso_days", "months_text"]

NO_DATE = np.iinfo(np.int32).min  # sentinel for "no date" in int32 day columns
NO_DAY = np.iinfo(np.int64).min  # sentinel for "no day" in int64 day arrays of the engines


def day_of(d: dt.date) -> int:
    """Days since 1970-01-01 (the engines' integer date)."""
    return (d - dt.date(1970, 1, 1)).days


def date_of(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


_EPOCH = np.datetime64("1970-01-01", "D")


def months_text(n: int) -> str:
    """A number of months in words: ``1 month``, ``12 months``.

    Examples
    --------
    >>> months_text(1), months_text(24)
    ('1 month', '24 months')
    """
    return f"{n} month" if n == 1 else f"{n} months"


def add_months(day: dt.date, months: int) -> dt.date:
    """Add calendar months, clipping to the month's last day (31 Jan + 1 month = 28/29 Feb).

    Examples
    --------
    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> add_months(dt.date(2024, 8, 16), 6)
    datetime.date(2025, 2, 16)
    """
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """Vector form of :func:`add_months` on int days since 1970 (returns int64 days)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    mon = d.astype("datetime64[M]")
    dom = (d - mon.astype("datetime64[D]")).astype(np.int64)  # 0-based day of month
    target = mon + np.timedelta64(months, "M")
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D"))
    start = target.astype("datetime64[D]")
    out = np.minimum(start + dom.astype("timedelta64[D]"), last)
    return (out - _EPOCH).astype(np.int64)


def iso_days(days: np.ndarray) -> np.ndarray:
    """int64 days since 1970 → ISO date strings (object array; '' for :data:`NO_DAY`)."""
    d = np.asarray(days, dtype=np.int64)
    out = np.full(len(d), "", dtype=object)
    has = d != NO_DAY
    if has.any():
        out[has] = np.datetime_as_string(d[has].astype("datetime64[D]")).astype(object)
    return out


#: a date written year-month-day: 2024-05-01, 2024/5/1, 2024.05.01 or 2024年5月1日
YMD = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$|^(\d{4})年(\d{1,2})月(\d{1,2})日$", re.ASCII)
#: a date and a time of day: the date year-month-day written with '-', '/' or '.' (one or two
#: digit month and day), then 'T' or spaces, then H:MM or H:MM:SS (fractions of a second
#: allowed), then maybe a zone (Z, +08:00, +0800, +08). ISO timestamps (2025-12-31T16:30Z) and
#: what a Chinese-locale spreadsheet writes into a CSV (2025/2/28 8:00) are both this.
STAMP = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:T|\s+)(\d{1,2}):(\d{2})"
                   r"(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$", re.ASCII)
#: the date of something that starts like a timestamp (for saying that its day does not exist)
_STAMP_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:T|\s)", re.ASCII)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def calendar_problem(v: str, lang: str = "en") -> tuple[str, dict] | None:
    """Why a value shaped as a year-month-day date names no day: the message catalog's key
    and its fields (``ecocredit.read.parse.no_such_day`` words it), or None when the value
    is not so shaped or the day exists. Here, below the readers and the catalog, so that both
    can ask.

    >>> calendar_problem("2025-02-30")
    ('date.no_such_day', {'value': '2025-02-30', 'year': 2025, 'days': 28, 'month': 'February'})
    >>> calendar_problem("2024-02-29") is None
    True
    >>> calendar_problem("2025-12-31T25:00")
    ('date.no_such_time', {'value': '2025-12-31T25:00'})
    """
    text = unicodedata.normalize("NFKC", str(v).strip())
    m = YMD.match(text) or _STAMP_DATE.match(text)
    if not m:
        return None
    groups = [g for g in m.groups() if g is not None and g not in "-/."]
    y, mo, d = (int(g) for g in groups[:3])
    problem = _day_problem(text, y, mo, d, lang)
    if problem is None and not time_of_day(STAMP.match(text)):
        return "date.no_such_time", {"value": text}
    return problem


def time_of_day(stamp: re.Match[str] | None) -> bool:
    """Whether a :data:`STAMP` match's time is a time of day (00:00:00 to 23:59:59); True
    when there is no match (no time to check)."""
    if stamp is None:
        return True
    h, mi, sec = int(stamp.group(5)), int(stamp.group(6)), int(stamp.group(7) or 0)
    return h <= 23 and mi <= 59 and sec <= 59


def _day_problem(text: str, y: int, mo: int, d: int, lang: str) -> tuple[str, dict] | None:
    """:func:`calendar_problem` of the date part (year ``y``, month ``mo``, day ``d``)."""
    if not 1 <= mo <= 12:
        return "date.no_such_month", {"value": text}
    last = calendar.monthrange(y, mo)[1] if y >= 1 else 31
    if 1 <= d <= last:
        return None
    if d == 0:
        return "date.day_zero", {"value": text}
    return "date.no_such_day", {"value": text, "year": y, "days": last,
                                "month": _MONTHS[mo - 1] if lang == "en" else mo}
