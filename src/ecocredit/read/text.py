"""Columns as Arrow-backed text: every cell read as the file writes it, '' where missing, and
the low-level views (offsets, UTF-8 bytes) that the byte-level parsers and the id hash use."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pd.ArrowDtype(pa.string())


def _arrow_str(s: pd.Series) -> pd.Series:
    """One column as Arrow-backed strings with '' for missing (no per-cell Python for text)."""
    if isinstance(s.dtype, pd.CategoricalDtype):  # the categories, once each, then taken
        cats = _arr(_arrow_str(pd.Series(s.cat.categories)))
        codes = s.cat.codes.to_numpy().astype(np.int64)
        codes[codes < 0] = len(cats)
        cats = pa.concat_arrays([cats, pa.array([""], pa.string())])
        return pd.Series(cats.take(pa.array(codes)), dtype=STR, index=pd.RangeIndex(len(s)))
    if pd.api.types.is_datetime64_any_dtype(s):
        s = s.dt.strftime("%Y-%m-%d")
    elif not (pd.api.types.is_string_dtype(s) and pd.api.types.infer_dtype(
            s, skipna=True) in ("string", "empty")):
        # numbers, booleans, dates and mixed cells (Excel, Parquet): written as a CSV holds them
        s = s.astype(object).where(pd.notna(s), "").map(_cell_str)
    arr = pa.array(s.to_numpy(dtype=object) if s.dtype == object else s, from_pandas=True)
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return pd.Series(pc.fill_null(arr, ""), dtype=STR, index=pd.RangeIndex(len(s)))


def _as_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as Arrow-backed strings, missing values as ''."""
    return pd.DataFrame({c: _arrow_str(df[c]) for c in df.columns},
                        index=pd.RangeIndex(len(df)))


def _cell_str(x: Any) -> str:
    if isinstance(x, str):
        return x
    if isinstance(x, (dt.datetime, pd.Timestamp)):
        return x.strftime("%Y-%m-%d") if (x.hour, x.minute, x.second) == (0, 0, 0) else x.isoformat()
    if isinstance(x, dt.date):
        return x.isoformat()
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _arrow_text(t: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(t) if pa.types.is_string(t) or pa.types.is_large_string(t) else None


def _strip(s: pd.Series) -> pd.Series:
    return s.astype(STR).str.strip()


def _arr(s: pd.Series) -> pa.Array:
    """The Arrow array behind an Arrow-backed string Series."""
    a = pa.array(s.astype(STR))
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _np(a: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False))


def _offsets(a: pa.Array) -> np.ndarray:
    """The value offsets of an Arrow string array (int32), as numpy, without a copy."""
    return np.frombuffer(a.buffers()[1], dtype=np.int32)[a.offset:a.offset + len(a) + 1]


def _data(a: pa.Array) -> np.ndarray:
    """The UTF-8 bytes of an Arrow string array, as numpy, without a copy."""
    data = a.buffers()[2]
    return np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)


def _fixed_width_bytes(a: pa.Array, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose UTF-8 length is ``width``, their bytes as a (k, width) uint8 matrix)."""
    a = a.cast(pa.string()) if not pa.types.is_string(a.type) else a
    n = len(a)
    offsets = _offsets(a)
    rows = np.flatnonzero(np.diff(offsets) == width)
    buf = _data(a)
    if len(rows) == 0 or len(buf) == 0:
        return rows, np.zeros((0, width), dtype=np.uint8)
    start = int(offsets[0])
    if len(rows) == n and offsets[-1] - start == width * n:  # all fixed width: a plain view
        return rows, buf[start:start + width * n].reshape(n, width)
    return rows, buf[offsets[rows][:, None] + np.arange(width, dtype=np.int32)]


def _raw_text(s: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The Arrow strings behind an Arrow-backed text column (pandas ``str`` or an
    ``ArrowDtype`` string), without a copy; None for any other column."""
    dt_ = s.dtype
    if not ((isinstance(dt_, pd.StringDtype) and dt_.storage == "pyarrow")
            or (isinstance(dt_, pd.ArrowDtype) and (pa.types.is_string(dt_.pyarrow_dtype)
                                                    or pa.types.is_large_string(
                                                        dt_.pyarrow_dtype)))):
        return None
    a = pa.array(s)
    return a if pa.types.is_string(a.type) or pa.types.is_large_string(a.type) else None
