"""Reading one input file (CSV in UTF-8 / UTF-8-BOM / GB18030, Excel, Parquet) into a table of
text with the contract's column names (Chinese aliases accepted)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from ..errors import InputError, missing_column_message
from ..vocab import COLUMN_ALIASES, TABLES
from .csvtext import ROW_PROBLEM, read_csv_text, sniff
from .digest import hashed_beside
from .excel import EXCEL_SUFFIXES, ROW_SOURCE, check_sheet, read_excel_table, split_sheet
from .text import _arrow_text, _as_strings

__all__ = ["read_table"]


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
        raise InputError(missing_column_message(
            file, table, missing[0], aliases,
            [c for c in df.columns if c not in (ROW_PROBLEM, ROW_SOURCE)]),
            file=file, column=missing[0], reason_code="missing_column")
    return out


@contextmanager
def unreadable_as_input_error(name: str, what: str) -> Iterator[None]:
    """Within it, a missing file or any parser error becomes one :class:`InputError` line
    (``unreadable``) naming the file: no traceback reaches a user."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{name}: no such file.", file=name, reason_code="unreadable") from None
    except InputError:
        raise
    except Exception as exc:  # any parser error: one line, no traceback
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{name}: cannot be read as a {what} table ({msg}).", file=name,
                         reason_code="unreadable") from None


def check_workbook(p: Path, suffix: str, sheet: str | None, name: str) -> None:
    """An Excel input is what its suffix says (not a CSV renamed, not the other workbook
    kind) and holds the sheet named after ``#``; else :class:`InputError` (one line)."""
    kind = sniff(p)
    if kind == "text":
        raise InputError(f"{name}: this is a text (CSV) file, not an Excel workbook; "
                         "rename it to .csv.", file=name, reason_code="wrong_format")
    if kind != ("xls" if suffix == ".xls" else "xlsx"):
        raise InputError(f"{name}: this is an Excel workbook of the other kind "
                         f"(.{kind}); rename it to .{kind}.", file=name,
                         reason_code="wrong_format")
    if sheet is not None:
        check_sheet(p, sheet, name)


def read_table(path: str | Path, table: str, *, as_strings: bool = True,
               sheet_rows: bool = False) -> pd.DataFrame:
    """Read one input table (CSV in UTF-8/UTF-8-BOM/GB18030, Excel ``.xlsx`` or Parquet).

    Headers are mapped to the canonical English names (Chinese aliases accepted); every value
    is returned as a string, empty where missing, so that validation sees what the file says.

    Parameters
    ----------
    path : str or Path
        The file; ``FILE.xlsx#Sheet`` reads one sheet of a workbook
        (:func:`~ecocredit.read.excel.split_sheet`).
    table : {'firms', 'events', 'measurements', 'history'}
    as_strings : bool, default True
        Every column as Arrow-backed strings. ``False`` keeps what the reader gives (Parquet
        columns written as dictionaries come as categoricals), for :func:`prepare` to encode.
    sheet_rows : bool, default False
        A workbook's table also gets the column :data:`~ecocredit.read.excel.ROW_SOURCE`
        (each row's sheet and worksheet row), which :func:`prepare` takes out to locate
        rejects as Excel shows them.

    Raises
    ------
    InputError
        If the file cannot be read, or a required column is missing.
    """
    p, sheet = split_sheet(path)
    name = str(path)
    with unreadable_as_input_error(name, table):
        suffix = p.suffix.lower()
        if "#" in name and sheet is None and not p.exists():
            file = name.rpartition("#")[0]
            if Path(file).is_file():
                raise InputError(f"{name}: a sheet can be named only for an Excel workbook "
                                 f"(.xlsx, .xlsm, .xls); {file} is not one.", file=name,
                                 reason_code="wrong_format")
        if suffix in EXCEL_SUFFIXES:
            check_workbook(p, suffix, sheet, name)
            df = (read_excel_table(p, table, sheet, sheet_rows) if suffix != ".xls" else
                  pd.read_excel(p, dtype=object, sheet_name=sheet or 0))
        elif suffix in (".parquet", ".pq"):
            # text columns stay Arrow strings (no conversion to pandas' own string type,
            # which costs seconds on ten million rows); dictionaries become categoricals
            few = _FEW_VALUES.get(table, set())
            dictionary = [c for c in pq.read_schema(p).names
                          if _canonical_name(c, table) in few]
            with hashed_beside(p):  # the manifest's SHA-256, taken while Arrow reads
                df = pq.read_table(p, read_dictionary=dictionary or None).to_pandas(
                    types_mapper=_arrow_text)
        else:
            df = read_csv_text(p)  # Arrow's threads, straight into Arrow strings
    df = _canonical_headers(df, table, name)
    return _as_strings(df) if as_strings else df


def _frame(obj: Any, table: str, name: str, as_strings: bool = True) -> pd.DataFrame:
    """An input as a DataFrame with canonical headers; with ``as_strings`` every column as
    Arrow strings (the large tables skip that: their columns are encoded one by one). A
    workbook's table carries :data:`~ecocredit.read.excel.ROW_SOURCE`."""
    if isinstance(obj, (str, Path)):
        return read_table(obj, table, as_strings=as_strings, sheet_rows=True)
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"The {table} input must be a DataFrame or a file path; got "
                         f"{type(obj).__name__}.", file=name, reason_code="bad_input")
    df = _canonical_headers(obj, table, name)
    return _as_strings(df) if as_strings else df


def _empty(table: str) -> pd.DataFrame:
    req, _ = TABLES[table]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in req})
