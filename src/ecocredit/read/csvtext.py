"""CSV files straight into Arrow text columns, on Arrow's multithreaded reader.

Every value is read as text (no type is guessed, so ``007`` stays ``007``), with the meaning
pandas gave the same file before (``read_csv(dtype=str, keep_default_na=False)``): UTF-8 with or
without a byte-order mark, else GB18030 for the whole file (transcoded by Arrow's reader), blank
lines skipped, quoted values may hold delimiters and line breaks. No cell becomes a Python
object. Files Arrow cannot read as they are (a row with fewer or more fields than the header, a bare
carriage return, empty header names, bytes that are not UTF-8) go to :func:`_python_csv`, which
reads row by row and marks each row it cannot read as written (reason in :data:`ROW_PROBLEM`)
so that it is rejected, never dropped or misread. A header naming a column twice, and a workbook
saved under a ``.csv`` name, are refused with one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

from ..errors import InputError
from .digest import hashed_beside
from .text import _arrow_text

__all__ = ["read_csv_text"]

_BOM = b"\xef\xbb\xbf"
#: bytes looked at to choose the encoding before reading (the whole file is checked by the
#: reader itself: a later invalid UTF-8 byte sends the file to GB18030 as before)
_PROBE = 1 << 20
#: Arrow's block: large enough that the threads get work, small enough to keep memory flat
_BLOCK = 16 << 20


def _decode(raw: bytes) -> str:
    """The whole file as text: UTF-8 (a leading byte-order mark dropped), else GB18030."""
    if raw.startswith(_BOM):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _encoding(p: Path) -> tuple[str, bool]:
    """(the encoding to try first, the file starts with a UTF-8 byte-order mark)."""
    with open(p, "rb") as f:
        head = f.read(_PROBE)
        whole = not f.read(1)
    if head.startswith(_BOM):
        return "utf8", True
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        lines = head.split(b"\n")
        if _line_encoding(lines if whole else lines[:-1]) == "utf-8":
            return "mixed", False  # UTF-8 with rows that are not: the slow reader, by row
        return "gb18030", False
    return "utf8", False


def _arrow_csv(p: Path, encoding: str, newlines: bool = True) -> pa.Table | None:
    """The file as a table of Arrow strings, or None where pandas would read it otherwise.

    ``newlines=False`` (line breaks inside quoted values not looked for) is for files without
    a double quote only (:func:`_has_quote`).
    """
    opts = pv.ReadOptions(encoding=encoding, block_size=_BLOCK)
    parse = pv.ParseOptions(newlines_in_values=newlines)
    with pv.open_csv(p, read_options=pv.ReadOptions(encoding=encoding, block_size=1 << 16),
                     parse_options=parse) as head:
        names = head.schema.names
    dup = [n for i, n in enumerate(names) if n in names[:i] and n != ""]
    if dup:
        raise InputError(f"{p}: the header names the column {dup[0]!r} twice; keep one.",
                         file=str(p), column=dup[0], reason_code="duplicate_column")
    if any(n == "" for n in names):
        return None  # the slow reader names such columns 'Unnamed: i' 
    conv = pv.ConvertOptions(column_types={n: pa.string() for n in names},
                             strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pv.read_csv(p, read_options=opts, parse_options=parse, convert_options=conv)


def _pandas_csv(p: Path) -> pd.DataFrame:
    """The former reader (the file decoded whole, parsed by pandas): the reference the tests
    compare the Arrow reader with on well-formed files."""
    return pd.read_csv(io.StringIO(_decode(p.read_bytes())), dtype=str, keep_default_na=False,
                       na_filter=False, skipinitialspace=False)


#: the column the slow reader adds: why a row cannot be read as written ('' when it can)
ROW_PROBLEM = "_row_problem"

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _python_csv(p: Path) -> pd.DataFrame:
    """The slow reader, for files Arrow's would read otherwise or refuse: row by row.

    Only a line feed ends a row (a bare carriage return inside an unquoted value does not
    split it: the row is rejected as ``bare_cr``); a row with more fields than the header keeps
    the first ones and is rejected as ``extra_field``; the file's encoding is chosen by
    :func:`_line_encoding` and a line that does not decode in it is rejected as
    ``undecodable`` (never decoded in another encoding). Each reason is in the column
    :data:`ROW_PROBLEM`, which :func:`~ecocredit.read.validate.prepare` turns into rejects.
    """
    raw = p.read_bytes()
    bom = raw.startswith(_BOM)
    lines = raw[3 if bom else 0:].split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    encoding = "utf-8" if bom else _line_encoding(lines)
    undecodable: set[int] = set()

    def text_lines():
        for i, line in enumerate(lines):
            try:
                yield line.decode(encoding) + "\n"
            except UnicodeDecodeError:
                undecodable.add(i + 1)
                yield line.decode(encoding, errors="replace") + "\n"

    reader = csv.reader(text_lines(), strict=False)
    header: list[str] | None = None
    rows: list[list[str]] = []
    problems: list[str] = []
    last = 0
    while True:
        try:
            rec = next(reader)
            problem = ""
        except StopIteration:
            break
        except csv.Error:  # a carriage return inside an unquoted value
            rec, problem = [], "bare_cr"
        first, last = last + 1, reader.line_num
        if not rec and not problem:
            continue  # a blank line
        if any(i in undecodable for i in range(first, last + 1)):
            problem = "undecodable"
        if header is None:
            if problem:
                raise InputError(f"{p}: the header line cannot be read ({problem}).",
                                 file=str(p), reason_code="unreadable")
            header = [h or f"Unnamed: {i}" for i, h in enumerate(rec)]
            continue
        if len(rec) > len(header) and not problem:
            problem = "extra_field"
        rows.append((rec + [""] * len(header))[:len(header)])
        problems.append(problem)
    if header is None:
        raise InputError(f"{p}: the file is empty.", file=str(p), reason_code="unreadable")
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(
        {h: pd.Series(dtype=object) for h in header})
    if any(problems):
        df[ROW_PROBLEM] = pd.Series(problems, dtype=object, index=df.index)
    return df


def _line_encoding(lines: list[bytes]) -> str:
    """UTF-8 unless no line with non-ASCII bytes is UTF-8 (then the file is GB18030).

    A UTF-8 file with one GB18030 row stays UTF-8 (its other names are not garbled); only a
    file written in GB18030 throughout is decoded as GB18030.
    """
    utf8 = other = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
    return "utf-8" if utf8 or not other else "gb18030"


def sniff(p: Path) -> str | None:
    """What the file really is when its name says otherwise: 'xlsx', 'xls', 'text' or None."""
    with open(p, "rb") as f:
        head = f.read(8)
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC):
        return "xls"
    return "text"


def read_csv_text(p: Path) -> pd.DataFrame:
    """Read a CSV file: every column as Arrow-backed strings (pandas ``ArrowDtype``).

    Raises
    ------
    InputError
        A workbook named ``.csv``, a header naming a column twice.
    Exception
        Whatever the reader raises on a file it cannot read (the caller turns it into
        one line of :class:`~ecocredit.errors.InputError`).
    """
    kind = sniff(p)
    if kind in ("xlsx", "xls"):
        raise InputError(f"{p}: this is an Excel workbook (.{kind}), not a CSV file; rename it "
                         f"to .{kind} or save it as CSV.", file=str(p), reason_code="wrong_format")
    encoding, bom = _encoding(p)
    table = None
    with hashed_beside(p):  # the manifest's SHA-256, taken while Arrow reads
        if encoding != "mixed":
            table = _read_arrow(p, encoding)
    if table is None:
        return _python_csv(p) if encoding != "utf-16" else _pandas_utf16(p)
    return table.to_pandas(types_mapper=_arrow_text, self_destruct=True)


def _read_arrow(p: Path, encoding: str) -> pa.Table | None:
    """Arrow's reading of the file, or None where the slow reader decides row by row (a byte
    further on that is not UTF-8, a row not as long as the header)."""
    try:
        return _arrow_csv(p, encoding, newlines=encoding == "utf-16" or _has_quote(p))
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None


def _has_quote(p: Path) -> bool:
    """Whether the file holds a double quote: byte 0x22, which no multi-byte UTF-8 or GB18030
    sequence contains. A file without one cannot hold a line break inside a value, and Arrow's
    reader then need not look for one: on the ``small`` benchmark set's events (80 MB) the scan
    (``memchr`` over the mapped file) costs 0.02 s of CPU, and reading without the look 0.49 s
    instead of 0.64 s (median of 9, 2 cores)."""
    if p.stat().st_size == 0:
        return False
    with open(p, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b'"') >= 0


def _pandas_utf16(p: Path) -> pd.DataFrame:
    return pd.read_csv(p, encoding="utf-16", dtype=str, keep_default_na=False, na_filter=False)
