"""Excel-safe CSV: the bytes of every CSV file ecocredit writes.

Every cell holding a comma, a double quote, a line feed or a carriage return is quoted (its
quotes doubled), so a record never splits whatever the text: a bare CR inside a name no longer
starts a new row in readers that end lines at CR (Excel among them).

CSV outputs are UTF-8 with a BOM (so Excel detects the encoding), and no text cell starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) unless it is a number: such a
cell gets a leading apostrophe, so a spreadsheet shows it as text instead of running it as a
formula (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["excel_safe", "csv_bytes"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(v: object) -> object:
    if isinstance(v, str) and v.startswith(_DANGEROUS) and not _NUMBER.match(v):
        return "'" + v
    return v


#: cells that may need the apostrophe: they start with a dangerous character and are not
#: plainly an ASCII number (a superset of what :func:`_safe_cell` changes, which decides)
_RISKY = r"^[=+\-@\t\r]"
_ASCII_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _text_array(col: pd.Series, type_: pa.DataType = pa.string()) -> pa.Array | None:
    """A text column (object of str, or a string dtype) as one Arrow array, missing as null;
    None when some cell is not text."""
    try:
        a = pa.array(col.to_numpy(object) if col.dtype == object else col, type=type_,
                     from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _risky_rows(col: pd.Series) -> np.ndarray | None:
    """Positions of the cells that may need neutralising, found in Arrow's string kernels
    (a million cells cost milliseconds, not a Python call each); None when the column is not
    all text (each cell is then checked in Python)."""
    a = _text_array(col)
    if a is None:
        return None
    risky = pc.and_(pc.match_substring_regex(a, _RISKY),
                    pc.invert(pc.match_substring_regex(a, _ASCII_NUMBER)))
    return np.flatnonzero(pc.fill_null(risky, False).to_numpy(zero_copy_only=False))


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise cells a spreadsheet would read as formulas (numbers are left alone).

    Examples
    --------
    >>> excel_safe(pd.DataFrame({"a": ["=1+1", "-3.5", "@x", "ok"]}))["a"].tolist()
    ["'=1+1", '-3.5', "'@x", 'ok']
    """
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            rows = _risky_rows(col)
            if rows is None:
                out[c] = col.astype(object).map(_safe_cell)
            elif len(rows):
                vals = col.to_numpy(object).copy()
                vals[rows] = [_safe_cell(v) for v in vals[rows]]
                out[c] = pd.Series(vals, index=col.index, dtype=object)
    # headers are cells too (extra input columns are passed through under their own names)
    out.columns = [_safe_cell(c) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The bytes of an Excel-safe CSV (UTF-8 with BOM, ``\\n`` line ends).

    The bytes are those of ``DataFrame.to_csv`` (the ``csv`` module's minimal quoting);
    frames of text, integer and boolean columns, as every output of a run is, are written by
    Arrow's string kernels instead of row by row (a million rows in well under a second).
    """
    frame = excel_safe(df)
    for c in frame.columns:
        if frame[c].dtype == bool:
            frame[c] = frame[c].map({True: "true", False: "false"})
    fast = _arrow_csv(frame)
    if fast is not None:
        return b"\xef\xbb\xbf" + fast
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    text = buf.getvalue()
    if "\r" in text:
        text = _quote_carriage_returns(frame)
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _quote_carriage_returns(frame: pd.DataFrame) -> str:
    """pandas' CSV of a frame with a CR in some cell, every such cell quoted.

    The ``csv`` module quotes only the characters of its line terminator: written with
    ``\\r\\n`` every cell with a CR or LF is quoted; the records are then read back and
    joined again with ``\\n`` line ends (cells as pandas formatted them, minimal quoting).
    """
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\r\n")
    rows = csv.reader(io.StringIO(buf.getvalue(), newline=""))
    return "".join(",".join(_quoted(f) for f in row) + "\n" if row != [""] else '""\n'
                   for row in rows)


def _quoted(field: str) -> str:
    if any(c in field for c in ',"\n\r'):
        return '"' + field.replace('"', '""') + '"'
    return field


def _csv_field(a: pa.Array) -> pa.Array:
    """Minimal quoting, as the ``csv`` module does it with ``\\n`` line ends, plus CR: a value
    with a comma, a double quote, a line feed or a carriage return is quoted, its quotes
    doubled."""
    needs = pc.match_substring_regex(a, '[,"\n\r]')
    if not pc.any(needs).as_py():
        return a
    q, empty = pa.scalar('"', a.type), pa.scalar("", a.type)
    quoted = pc.binary_join_element_wise(q, pc.replace_substring(a, '"', '""'), q, empty)
    return pc.if_else(needs, quoted, a)


def _arrow_csv(frame: pd.DataFrame) -> bytes | None:
    """The CSV body and header of a frame of text, integer (no missing) and boolean-as-text
    columns; None for any other frame (written by pandas)."""
    if frame.shape[1] < 2 or not all(isinstance(c, str) for c in frame.columns):
        return None  # a one-column row quotes an empty cell: left to the csv module
    cols = []
    for c in frame.columns:
        s = frame[c]
        a: pa.Array | None = None
        if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":  # numpy integers only
            a = pa.array(s.to_numpy()).cast(pa.large_string())
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            a = _text_array(s, pa.large_string())
        if a is None:
            return None  # nullable integers, floats, mixed cells: pandas writes them
        cols.append(_csv_field(pc.fill_null(a, "")))
    header = ",".join(_csv_field(pa.array(list(frame.columns), pa.large_string())).to_pylist())
    if len(frame) == 0:
        return (header + "\n").encode("utf-8")
    text = pa.large_string()
    lines = pc.binary_join_element_wise(*cols, pa.scalar(",", text))
    lines = pc.binary_join_element_wise(lines, pa.scalar("\n", text), pa.scalar("", text))
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:
                                                                 lines.offset + len(lines) + 1]
    body = lines.buffers()[2].to_pybytes()[int(offsets[0]):int(offsets[-1])]
    return (header + "\n").encode("utf-8") + body
