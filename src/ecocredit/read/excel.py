"""Excel workbooks (``.xlsx``): every sheet that holds the table, formulas without a value and
merged cells said plainly.

- Every sheet whose header row has the table's required columns is read, in workbook order
  (firms on a second sheet no longer vanish); with none, the first sheet is read (and the
  missing column is reported as before). A sheet with some of the required columns but not all
  is refused (its rows would be neither used nor rejected), naming the column and the fix
  (``FILE.xlsx#SHEET``); a sheet with none of them (notes) is passed over.
- A formula cell without a cached value (a workbook written by a program and never opened in
  Excel) would read as empty: its row is rejected as ``formula_no_value``.
- A cell covered by merged cells (other than the range's top-left cell) is empty in the file:
  its row is rejected as ``merged_cell``, naming the range, rather than read with a value
  missing.

A sheet can be named instead: ``FILE.xlsx#Sheet`` for any input option of any command
(:func:`split_sheet`); only that sheet is read, and a name the workbook lacks is refused with the
sheets it has.

Rows are read across the sheets in order (the second sheet's first data row follows the
first sheet's last). Each problem goes into :data:`~ecocredit.read.csvtext.ROW_PROBLEM` as
``code:detail``, and each row's sheet and worksheet row number (as Excel shows it: the header
is row 1) into :data:`ROW_SOURCE`, so that a reject names the row the user can find
(:func:`locate_rejects`: ``file`` ``events.xlsx#Sheet1``, ``row`` the worksheet row).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..vocab import COLUMN_ALIASES, TABLES
from .csvtext import ROW_PROBLEM
from .text import _cell_str

__all__ = ["EXCEL_SUFFIXES", "ROW_SOURCE", "locate_all", "locate_rejects", "row_sources", "read_excel_table", "split_sheet"]

#: the reader's column of each row's sheet and worksheet row (``sheet`` + US + ``row``); taken
#: out before validation, like :data:`~ecocredit.read.csvtext.ROW_PROBLEM`
ROW_SOURCE = "\x00sheet_row"
_US = "\x1f"
_DATA_ROW = re.compile(r"\bdata row (\d+)\b")

#: the file name endings read as Excel workbooks
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def split_sheet(spec: str | Path) -> tuple[Path, str | None]:
    """The file and the sheet an input names: ``FILE.xlsx#Sheet`` → (FILE.xlsx, 'Sheet').

    The suffix ``#NAME`` names a sheet when the text before the last ``#`` ends in an Excel
    suffix (:data:`EXCEL_SUFFIXES`) and no file is named by the whole text (a file whose name
    holds ``#`` is still read as itself).

    Parameters
    ----------
    spec : str or Path
        An input as given on the command line or to :func:`~ecocredit.read.read_table`.

    Returns
    -------
    (Path, str or None)
        The file, and the sheet (None: every sheet holding the table).

    Examples
    --------
    >>> split_sheet("in/firms.xlsx#企业名单")
    (PosixPath('in/firms.xlsx'), '企业名单')
    >>> split_sheet("in/firms.csv")
    (PosixPath('in/firms.csv'), None)
    """
    text = str(spec)
    file, hash_, sheet = text.rpartition("#")
    if hash_ and Path(file).suffix.lower() in EXCEL_SUFFIXES and not Path(text).exists():
        return Path(file), sheet
    return Path(text), None


def sheet_names(p: Path) -> list[str]:
    """The names of a workbook's sheets, in order (``.xls`` too)."""
    if p.suffix.lower() == ".xls":
        return list(pd.ExcelFile(p).sheet_names)
    import openpyxl  # imported when a workbook is read (0.6 s the CSV and Parquet paths skip)

    wb = openpyxl.load_workbook(p, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def check_sheet(p: Path, sheet: str, name: str) -> None:
    """Refuse a sheet name the workbook lacks, naming the sheets it has.

    Raises
    ------
    InputError
        ``no_such_sheet``.
    """
    have = sheet_names(p)
    if sheet not in have:
        raise InputError(f"{name}: the workbook {p.name} has no sheet named {sheet!r}; its sheets "
                         f"are {', '.join(repr(s) for s in have)}.", file=name,
                         reason_code="no_such_sheet")


def _canon(col: Any, table: str) -> str:
    c = str(col).replace("\ufeff", "").strip()
    return COLUMN_ALIASES[table].get(c, c.lower())


def _holds_table(header: tuple, table: str) -> bool:
    return not _lacks(header, table)


def _lacks(header: tuple, table: str) -> list[str]:
    """The table's required columns that the sheet's ``header`` row lacks."""
    names = {_canon(h, table) for h in header if h is not None}
    return [c for c in TABLES[table][0] if c not in names]


def _refuse_part_tables(p: Path, table: str, rows_of: dict[str, list[tuple]],
                        sheets: list[str]) -> None:
    """Refuse a workbook read without ``#Sheet`` where a sheet holds some of the table's
    required columns but not all: its rows would be neither used nor rejected. A sheet with
    none of them (notes, a cover sheet) or holding another table (an events sheet, which has
    ``firm_id``, beside the firms) clearly is not the table and is passed over; a workbook of
    one sheet keeps the usual missing-column refusal.

    Raises
    ------
    InputError
        ``missing_column``: naming the sheet, the column and the fix (``FILE.xlsx#SHEET``).
    """
    if len(rows_of) < 2:
        return
    required, zh = TABLES[table][0], {v: k for k, v in COLUMN_ALIASES[table].items()}
    for title, rows in rows_of.items():
        missing = _lacks(rows[0], table) if rows else []
        if not missing or len(missing) == len(required) or any(
                _holds_table(rows[0], other) for other in TABLES if other != table):
            continue  # the table, clearly not it, or another table (events beside firms)
        cols = ", ".join(f"{c} ({zh[c]})" if c in zh else c for c in missing)
        eg = f" (e.g. {p.name}#{sheets[0]})" if sheets else ""
        raise InputError(
            f"{p.name}: sheet {title!r} holds some of the {table} table's columns but lacks the "
            f"required column{'s' if len(missing) > 1 else ''} {cols}, so its rows would be left "
            f"out; add the column, or name the sheets wanted with FILE.xlsx#SHEET{eg}.",
            file=p.name, column=missing[0], reason_code="missing_column")


def read_excel_table(p: Path, table: str, sheet: str | None = None,
                     sheet_rows: bool = False) -> pd.DataFrame:
    """The table from every sheet of the workbook at ``p`` that holds it, or from the named
    ``sheet`` only (see the module; the caller checks that the sheet exists); with
    ``sheet_rows`` also the column :data:`ROW_SOURCE`."""
    import openpyxl

    values = openpyxl.load_workbook(p, data_only=True)
    formulas = openpyxl.load_workbook(p, data_only=False)
    rows_of = {ws.title: list(ws.iter_rows(values_only=True)) for ws in values.worksheets
               if sheet is None or ws.title == sheet}
    sheets = [t for t, rows in rows_of.items() if rows and _holds_table(rows[0], table)]
    if sheet is None:
        _refuse_part_tables(p, table, rows_of, sheets)
    if sheet is not None:
        sheets = [sheet]
    elif not sheets:
        sheets = [values.worksheets[0].title]
    frames = [_sheet(rows_of[t], formulas[t], table, t) for t in sheets]
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[table][0]})
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return (out if sheet_rows else out.drop(columns=[ROW_SOURCE])).fillna("")


def _sheet(rows: list[tuple], fsheet: Any, table: str, title: str) -> pd.DataFrame | None:
    if not rows:
        return None
    header = [("" if h is None else str(h)) or f"Unnamed: {i}" for i, h in enumerate(rows[0])]
    covered: dict[tuple[int, int], str] = {}
    for rng in fsheet.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    covered[(r, c)] = str(rng)
    frows = list(fsheet.iter_rows(values_only=True))
    data, problems, where = [], [], []
    for i, row in enumerate(rows[1:], start=2):  # worksheet row numbers
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            if not any((i, c) in covered for c in range(1, len(header) + 1)):
                continue  # a blank row
        problem = ""
        frow = frows[i - 1] if i - 1 < len(frows) else ()
        for j, v in enumerate(row[:len(header)]):
            f = frow[j] if j < len(frow) else None
            if v is None and isinstance(f, str) and f.startswith("="):
                problem = f"formula_no_value:{f[:60]}"
                break
            if (i, j + 1) in covered:
                problem = f"merged_cell:{covered[(i, j + 1)]}"
                break
        data.append(["" if v is None else _cell_str(v) for v in row[:len(header)]]
                    + [""] * (len(header) - len(row)))
        problems.append(problem)
        where.append(f"{title}{_US}{i}")
    df = pd.DataFrame(data, columns=header, dtype=object) if data else pd.DataFrame(
        {h: pd.Series(dtype=object) for h in header})
    if any(problems):
        df[ROW_PROBLEM] = pd.Series(problems, dtype=object, index=df.index)
    df[ROW_SOURCE] = pd.Series(where, dtype=object, index=df.index)
    return df


def locate_rejects(rejects: pd.DataFrame, name: str, sources: np.ndarray) -> pd.DataFrame:
    """The rejects of the workbook input ``name`` located as the user sees them in Excel.

    Parameters
    ----------
    rejects : DataFrame
        Rejects (:data:`~ecocredit.read.prepared.REJECT_COLUMNS`) whose ``row`` counts the
        table's data rows from 1 across the sheets read.
    name : str
        The input as named in ``file`` (``events.xlsx`` or ``events.xlsx#Sheet1``).
    sources : ndarray of str
        Per data row, its :data:`ROW_SOURCE` value (sheet, worksheet row).

    Returns
    -------
    DataFrame
        A copy where the rows of ``name`` have ``file`` ``NAME#SHEET`` (unless ``name``
        already names the sheet) and ``row`` the worksheet row (the header is row 1, so the
        first data row is 2); a message naming another data row (``duplicate_id``) names
        that row the same way. Rows of other files are unchanged.
    """
    mine = (rejects["file"] == name).to_numpy() if len(rejects) else np.zeros(0, bool)
    if not mine.any():
        return rejects
    named = split_sheet(name)[1] is not None

    def at(data_row: int) -> tuple[str, int]:
        sheet, _, row = str(sources[data_row - 1]).partition(_US)
        return sheet, int(row)

    out = rejects.copy()
    rows = out["row"].to_numpy(np.int64).copy()
    files = out["file"].to_numpy(object).copy()
    msgs = out["message"].to_numpy(object).copy()
    for k in np.flatnonzero(mine):
        sheet, rows[k] = at(int(rows[k]))
        files[k] = name if named else f"{name}#{sheet}"

        def other(m: re.Match) -> str:
            s, r = at(int(m.group(1)))
            return f"row {r}" if named or s == sheet else f"row {r} of sheet {s}"

        msgs[k] = _DATA_ROW.sub(other, str(msgs[k]))
    return out.assign(file=files, row=rows, message=msgs)


def row_sources(spec: str | Path, table: str) -> np.ndarray | None:
    """Each data row's sheet and worksheet row (:data:`ROW_SOURCE`) of the workbook input
    ``spec`` (``FILE.xlsx`` or ``FILE.xlsx#Sheet``), or None for any other input (a CSV,
    Parquet, ``.xls``): what the partitioned engine needs to locate its rejects at the end as
    the one-shot engine does."""
    p, sheet = split_sheet(spec)
    if p.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    return read_excel_table(p, table, sheet, sheet_rows=True)[ROW_SOURCE].to_numpy(object)


def locate_all(rejects: pd.DataFrame, sources: dict[str, np.ndarray]) -> pd.DataFrame:
    """:func:`locate_rejects` for every workbook input (input name → its row sources)."""
    for name, src in sources.items():
        rejects = locate_rejects(rejects, name, src)
    return rejects
