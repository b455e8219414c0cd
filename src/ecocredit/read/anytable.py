"""Side tables that are not one of the contract's four (repair applications, measure requests,
saved scores): read by the same per-file decoding as the inputs, headers as given.

A CSV goes through :func:`~ecocredit.read.csvtext.read_csv_text` (UTF-8, UTF-8 with a BOM,
UTF-16 with a BOM, or GB18030 throughout; a UTF-8 file with one row in another encoding is never
decoded whole as GB18030). These tables have no rejects file: a row the reader cannot read as
written (``undecodable``, ``bare_cr``, ``extra_field``) refuses the file with one line naming
the row and the reason, rather than garbling or dropping it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .csvtext import ROW_PROBLEM, read_csv_text
from .excel import EXCEL_SUFFIXES, split_sheet
from .files import check_workbook, unreadable_as_input_error
from .text import _as_strings

__all__ = ["read_any_table"]

_WHY = {"undecodable": "its bytes are not in the file's encoding; save the file in one "
                       "encoding (UTF-8)",
        "bare_cr": "a carriage return inside an unquoted value; quote the value",
        "extra_field": "more fields than the header (an unquoted comma?)"}


def read_any_table(path: str | Path, what: str) -> pd.DataFrame:
    """A table file (CSV, Excel ``.xlsx``/``.xls``, optionally ``#Sheet``, or Parquet) as
    Arrow-backed strings, missing values ``''``, headers stripped of a BOM and blanks.

    Parameters
    ----------
    path : str or Path
    what : str
        What the table is, for messages ("applications", "scores" ...).

    Returns
    -------
    pandas.DataFrame
        Shape (data rows, columns), every row of the file read as written.

    Raises
    ------
    InputError
        No such file, a file that cannot be read (one line), or a row that cannot be read as
        written (``unreadable``, naming the data row and why).
    """
    p, sheet = split_sheet(path)
    name = str(path)
    with unreadable_as_input_error(name, what):
        suffix = p.suffix.lower()
        if suffix in EXCEL_SUFFIXES:
            check_workbook(p, suffix, sheet, name)
            df = pd.read_excel(p, dtype=object, sheet_name=sheet or 0)
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        else:
            df = read_csv_text(p)
    if ROW_PROBLEM in df.columns:
        problems = df[ROW_PROBLEM].astype(object).fillna("").to_numpy(dtype=object)
        rows = [i for i, w in enumerate(problems) if w]
        if rows:
            code = str(problems[rows[0]]).partition(":")[0]
            more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
            raise InputError(f"{name}: data row {rows[0] + 1} cannot be read as written "
                             f"({code}: {_WHY.get(code, code)}){more}; nothing was read.",
                             file=name, reason_code=code)
        df = df.drop(columns=[ROW_PROBLEM])
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    return _as_strings(df)
