"""Which part a row goes to: ids normalised as ingest does, a fixed hash of the firm id, the
column that carries each row's original number, and the Arrow files the parts exchange."""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import math
import sys
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..vocab import COLUMN_ALIASES, TABLES

__all__ = ["partition_of", "normalise_ids", "auto_partitions"]

ROW = "__ecocredit_row__"          # the original 0-based row, carried through part files
_ASCII_WS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip() removes from ASCII text
_EVENTS_PER_PART = 2_500_000       # auto_partitions aims at about this many events per part


def _cell_str(x: Any) -> str:
    """A cell as ingest reads it into a string (kept in step with ingest's own rule)."""
    if isinstance(x, str):
        return x
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, (dt.datetime, pd.Timestamp)):
        return x.strftime("%Y-%m-%d") if (x.hour, x.minute, x.second) == (0, 0, 0) else x.isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _as_arrow_strings(col: Any) -> pa.Array:
    """A column (pandas Series, Arrow array) as an Arrow string array, missing as ''."""
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        arr = col
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return _as_arrow_strings(arr.to_pandas())
    else:
        s = col
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        if pd.api.types.is_string_dtype(s) and not s.dtype == object:
            arr = pa.array(s, from_pandas=True)
        else:
            arr = pa.array([_cell_str(x) for x in s.astype(object)], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pc.fill_null(arr, "")


def normalise_ids(col: Any, upper: bool = True) -> pa.Array:
    """Ids as ingest compares them: ``str.strip()`` (and ``str.upper()``), exactly.

    ASCII values go through Arrow kernels; the rare others through Python's own ``strip`` and
    ``upper``, whose Unicode rules Arrow does not share.

    Examples
    --------
    >>> normalise_ids(pd.Series([" 91ab ", None, "x\\x1f"])).to_pylist()
    ['91AB', '', 'X']
    """
    arr = _as_arrow_strings(col)
    ascii_ = pc.string_is_ascii(arr)
    out = pc.utf8_trim(arr, _ASCII_WS)
    if upper:
        out = pc.ascii_upper(out)
    if len(arr) and not pc.all(ascii_).as_py():
        other = np.flatnonzero(~ascii_.to_numpy(zero_copy_only=False))
        vals = [v.strip() for v in arr.take(pa.array(other)).to_pylist()]
        if upper:
            vals = [v.upper() for v in vals]
        py = out.to_pylist()
        for i, v in zip(other, vals):
            py[i] = v
        out = pa.array(py, type=pa.string())
    return out


def _hash(values: pa.Array) -> np.ndarray:
    """A fixed 64-bit hash of every string (pandas' SipHash with its fixed key)."""
    enc = pc.dictionary_encode(values)
    uniq = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    h = pd.util.hash_array(uniq, categorize=False) if len(uniq) else np.empty(0, np.uint64)
    return h[enc.indices.to_numpy(zero_copy_only=False)] if len(values) else np.empty(0, np.uint64)


def partition_of(firm_ids: Any, partitions: int) -> np.ndarray:
    """The part (0 … partitions-1) of each row, from its firm id (normalised, hashed).

    Examples
    --------
    The same firm written two ways lands in the same part:

    >>> parts = partition_of(pd.Series(["91360102MA35XKQ17X", " 91360102ma35xkq17x"]), 8)
    >>> bool(parts[0] == parts[1]), bool(0 <= parts[0] < 8)
    (True, True)
    """
    if partitions <= 1:
        return np.zeros(len(firm_ids), dtype=np.int32)
    return (_hash(normalise_ids(firm_ids)) % np.uint64(partitions)).astype(np.int32)


def auto_partitions(events_rows: int, workers: int = 1) -> int:
    """A number of parts for an events table of this size: about 2.5 million events each,
    and at least one per worker."""
    return max(int(workers), math.ceil(events_rows / _EVENTS_PER_PART), 1)


def _column(columns: Iterable[Any], table: str, canonical: str) -> Any:
    """The input column that ingest reads as ``canonical`` (English name or Chinese alias)."""
    aliases = COLUMN_ALIASES[table]
    required, optional = TABLES[table]
    known = set(required) | set(optional)
    for col in columns:
        c = str(col).replace("\ufeff", "").strip()
        low = c.lower()
        if aliases.get(c, low if low in known else c) == canonical:
            return col
    return None



def _write_frame(df: pd.DataFrame, path: Path) -> None:
    """Write a part's output frame as an uncompressed Arrow (Feather) file."""
    import pyarrow.feather as feather

    feather.write_feather(pa.Table.from_pandas(df, preserve_index=False), path,
                          compression="uncompressed")


def _read_frame(path: Path) -> pa.Table:
    """Memory-map an Arrow file written by :func:`_write_frame`."""
    import pyarrow.feather as feather

    return feather.read_table(path, memory_map=True)


def _release_memory() -> None:
    """Hand memory freed by this process back to the operating system.

    Python's garbage first, then Arrow's memory pool, then glibc's heap (pandas and numpy
    allocate through ``malloc``, which keeps freed pages in its arenas): without this a worker
    that has scored a part keeps the part's peak while it waits for the next one, and the
    parent keeps the split's peak through the scoring and the merge.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # pragma: no cover - not glibc
            pass
