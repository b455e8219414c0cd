"""Excel workbooks that Excel cannot damage: every text cell stays text.

A CSV opened in Excel loses information: an all-digit firm id such as ``913604030013523823``
is shown as ``9.13604E+17`` and saved back rounded; a cell ``=2+2`` runs as a formula. An
``.xlsx`` written here keeps every text value as a text cell (type ``s``, number format ``@``,
never a formula, whatever its first character), numbers as numbers, booleans as ``TRUE``/
``FALSE``, and splits a table longer than Excel's 1,048,576 rows over several sheets
(``contributions``, ``contributions (2)``, …) instead of truncating it.

openpyxl (write-only mode, streamed) does the writing; this module only decides cell types.
"""

from __future__ import annotations

import functools
import io
import math
import re
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

__all__ = ["EXCEL_MAX_ROWS", "xlsx_bytes", "sheet_names", "ooxml_escape", "ooxml_unescape"]

#: rows in one Excel worksheet, the header row included
EXCEL_MAX_ROWS = 1_048_576
_SHEET_NAME_MAX = 31
_ILLEGAL = str.maketrans({c: " " for c in "[]:*?/\\"})


_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)|([\x00-\x08\x0b\x0c\x0d\x0e-\x1f])")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    r"""Text as an OOXML string (ECMA-376 Part 1, 22.9.2.19 ST_Xstring): control characters
    XML cannot hold or keep (a CR is read back as LF by every XML parser) become ``_xHHHH_``,
    and a literal ``_xHHHH_`` in the text has its underscore escaped (``_x005F_``) so Excel
    does not decode it.

    Examples
    --------
    >>> ooxml_escape("虚构\r=2+2"), ooxml_escape("_x0041_")
    ('虚构_x000D_=2+2', '_x005F_x0041_')
    >>> ooxml_unescape(ooxml_escape("a\rb_x0041_\x01")) == "a\rb_x0041_\x01"
    True
    """
    def sub(m: re.Match[str]) -> str:
        return "_x005F_" + m.group(1) if m.group(1) else f"_x{ord(m.group(2)):04X}_"

    return _ESCAPE.sub(sub, text)


def ooxml_unescape(text: str) -> str:
    """What Excel shows for an OOXML string: ``_xHHHH_`` decoded (the inverse of
    :func:`ooxml_escape`; openpyxl reads inline strings without decoding them)."""
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def sheet_names(name: str, parts: int) -> list[str]:
    """The names of the sheets a table of ``parts`` sheets is written to.

    Examples
    --------
    >>> sheet_names("contributions", 3)
    ['contributions', 'contributions (2)', 'contributions (3)']
    """
    base = str(name).translate(_ILLEGAL)[:_SHEET_NAME_MAX - 4] or "sheet"
    return [base] + [f"{base} ({i})" for i in range(2, parts + 1)]


@functools.cache
def _openpyxl() -> tuple[Any, Any]:
    """openpyxl's cell and font, imported where a workbook is written, not with the package:
    0.6 s of imports that ``ecocredit explain`` and the CSV-only commands do not need."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    return WriteOnlyCell, Font


def _cell(ws: Any, value: Any, bold: bool = False) -> WriteOnlyCell:
    WriteOnlyCell, Font = _openpyxl()  # noqa: N806 - the classes, under their own names
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and math.isnan(value)):
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, (bool, np.bool_)):
        cell = WriteOnlyCell(ws, value=bool(value))
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        cell = WriteOnlyCell(ws, value=int(value))
    elif isinstance(value, (float, np.floating)):
        cell = WriteOnlyCell(ws, value=float(value) if math.isfinite(value) else str(value))
    else:
        # text, dates written as text: a string cell, never a formula (openpyxl would read a
        # leading "=" as one), shown as text ("@") so Excel does not re-interpret it on edit
        cell = WriteOnlyCell(ws, value=None)
        cell.value = ooxml_escape(str(value))
        cell.data_type = "s"
        cell.number_format = "@"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *,
               headers: Mapping[str, str] | None = None,
               max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    """Write tables to one workbook, one sheet per table (more when a table is too long).

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name → table, in the order the sheets should appear. Column dtypes decide cell
        types: integer, float and boolean columns give numbers and booleans; every other
        column (ids, codes, dates, labels) gives text cells.
    headers : mapping of str to str, optional
        Column name → header shown (e.g. Chinese headers for people); unlisted columns keep
        their name.
    max_rows : int, default 1,048,576
        Rows per sheet including the header row (Excel's limit); a longer table continues on
        ``name (2)``, ``name (3)``, … with the header repeated.

    Returns
    -------
    bytes
        The ``.xlsx`` file.

    Examples
    --------
    >>> import openpyxl
    >>> data = xlsx_bytes({"scores": pd.DataFrame({"firm_id": ["913604030013523823"],
    ...                                             "score": [97.5], "note": ["=2+2"]})})
    >>> ws = openpyxl.load_workbook(io.BytesIO(data))["scores"]
    >>> [(c.value, c.data_type) for c in ws[2]]
    [('913604030013523823', 's'), (97.5, 'n'), ('=2+2', 's')]
    """
    if max_rows < 2:
        raise ValueError("max_rows must leave room for a header and one row")
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    names = dict(headers or {})
    for name, frame in sheets.items():
        per_sheet = max_rows - 1
        parts = max(1, -(-len(frame) // per_sheet))
        columns = list(frame.columns)
        numeric = [pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
                   for c in columns]
        for part, title in enumerate(sheet_names(name, parts)):
            ws = wb.create_sheet(title)
            ws.append([_cell(ws, names.get(str(c), str(c)), bold=True) for c in columns])
            chunk = frame.iloc[part * per_sheet:(part + 1) * per_sheet]
            cols = [chunk[c].to_numpy(object) for c in columns]
            for row in zip(*cols):
                ws.append([_cell(ws, v) if num else _cell(ws, None if _missing(v) else str(v))
                           for v, num in zip(row, numeric)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
