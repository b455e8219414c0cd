"""CSV files straight into Arrow text columns, on Arrow's multithreaded reader.

Every value is read as text (no type is guessed, so ``007`` stays ``007``), with the meaning
pandas gave the same file before (``read_csv(dtype=str, keep_default_na=False)``): UTF-8 with or
without a byte-order mark, else GB18030 for the whole file (transcoded by Arrow's reader), blank
lines skipped, quoted values may hold delimiters and line breaks. No cell becomes a Python
object. Files Arrow reads differently from pandas (a row with fewer or more fields than the
header, repeated or empty header names, an undecodable file) go to :func:`_pandas_csv`, the
former reader, which gives those files today's exact table or today's exact error.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

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
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return "gb18030", False
    return "utf8", False


def _arrow_csv(p: Path, encoding: str) -> pa.Table | None:
    """The file as a table of Arrow strings, or None where pandas would read it otherwise."""
    opts = pv.ReadOptions(encoding=encoding, block_size=_BLOCK)
    parse = pv.ParseOptions(newlines_in_values=True)
    with pv.open_csv(p, read_options=pv.ReadOptions(encoding=encoding, block_size=1 << 16),
                     parse_options=parse) as head:
        names = head.schema.names
    if len(set(names)) != len(names) or any(n == "" for n in names):
        return None  # pandas renames such headers ('x.1', 'Unnamed: 0')
    conv = pv.ConvertOptions(column_types={n: pa.string() for n in names},
                             strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pv.read_csv(p, read_options=opts, parse_options=parse, convert_options=conv)


def _pandas_csv(p: Path) -> pd.DataFrame:
    """The former reader: the file decoded whole into one string, parsed by pandas."""
    return pd.read_csv(io.StringIO(_decode(p.read_bytes())), dtype=str, keep_default_na=False,
                       na_filter=False, skipinitialspace=False)


def read_csv_text(p: Path) -> pd.DataFrame:
    """Read a CSV file: every column as Arrow-backed strings (pandas ``ArrowDtype``).

    Raises
    ------
    Exception
        Whatever the former reader raises on a file it cannot read (the caller turns it into
        one line of :class:`~ecocredit.errors.InputError`).
    """
    encoding, bom = _encoding(p)
    table = None
    try:
        table = _arrow_csv(p, encoding)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        # a byte further on that is not UTF-8: the whole file is GB18030 (as before)
        if encoding == "utf8" and not bom and "UTF8" in str(exc).upper().replace("-", ""):
            try:
                table = _arrow_csv(p, "gb18030")
            except (pa.ArrowInvalid, UnicodeDecodeError):
                table = None
    if table is None:
        return _pandas_csv(p)
    return table.to_pandas(types_mapper=_arrow_text, self_destruct=True)
