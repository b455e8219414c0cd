"""Merging the parts' outputs into ``scores.csv``, ``contributions.csv`` and ``rejects.csv``:
in input order, chunk by chunk, hashed as they are written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..vocab import TABLES
from .crossings import _Crossings, _fix_ref_messages
from .ids import ROW, _read_frame, _release_memory
from .part import _Options
from .split import _count_rows


class _HashingFile:
    def __init__(self, path: Path):
        self.path = path
        self.fh = open(path, "wb")
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.fh.write(data)
        self.sha.update(data)

    def close(self) -> str:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        return self.sha.hexdigest()


def _csv_chunk(df: pd.DataFrame, header: bool) -> bytes:
    from ..output import csv_bytes

    b = csv_bytes(df)[3:]  # without the BOM
    if not header:
        b = b[b.index(b"\n") + 1:] if b else b
    return b


#: Rows converted to pandas and written at a time by the merge (about 100 MB of text)
_MERGE_ROWS = 500_000


def _merge_write(paths: list[Path], key: Callable[[pa.Table], np.ndarray], bounds: np.ndarray,
                 out: _HashingFile, fix: Callable[[pd.DataFrame], pd.DataFrame] | None = None
                 ) -> int:
    """Merge part tables, each sorted by ``key``, into one CSV, chunk by chunk of key range.

    The part tables are memory-mapped; a chunk is put in key order as indices into them, and
    converted to pandas and CSV :data:`_MERGE_ROWS` rows at a time, so the memory used does
    not depend on how many rows a range of firms has (``fix`` works row by row).
    """
    tables = [_read_frame(p) for p in paths]
    keys = [key(t) for t in tables]
    cols = [c for c in tables[0].column_names if c != ROW]
    header = True
    n = 0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        pieces, pkeys = [], []
        for t, k in zip(tables, keys):
            a, b = np.searchsorted(k, [lo, hi])
            if b > a:
                pieces.append(t.slice(a, b - a))
                pkeys.append(k[a:b])
        if not pieces and not header:
            continue
        if pieces:
            tb = pa.concat_tables(pieces)
            o = np.argsort(np.concatenate(pkeys), kind="stable")
            slices = [tb.take(pa.array(o[i:i + _MERGE_ROWS]))
                      for i in range(0, len(o), _MERGE_ROWS)]
        else:
            slices = [tables[0].slice(0, 0)]
        for sl in slices:
            out.write(_csv_chunk(_frame(sl, cols, fix), header))
            header = False
            n += sl.num_rows
            del sl
    _release_memory()
    return n


def _frame(tb: pa.Table, cols: list[str],
           fix: Callable[[pd.DataFrame], pd.DataFrame] | None) -> pd.DataFrame:
    """A slice of merged rows as the writer takes it: the output columns, text as objects."""
    df = tb.to_pandas()[cols]
    for c in df.columns:
        if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object:
            df[c] = df[c].astype(object)
    return fix(df) if fix is not None else df


def _reject_bounds(n_tables: int, max_rows: int) -> np.ndarray:
    """Key ranges of the rejects' merge (key = file order × 2^40 + row): a million rows each."""
    rb = [0]
    for i in range(n_tables):
        rb += [i * (1 << 40) + r for r in range(0, max_rows + 1, 1_000_000)[1:]]
        rb.append((i + 1) * (1 << 40))
    return np.array(sorted(set(rb)), dtype=np.int64)


def _merge_outputs(pdirs: list[Path], inputs: dict[str, Any], opt: _Options, cross: _Crossings,
                   ok: set[int], tmp: dict[str, Path], chunk_firms: int
                   ) -> tuple[dict[str, str], int]:
    """Write the three CSV outputs to their ``tmp`` paths; return their SHA-256 and the
    number of rejects."""
    n_firm_rows = _count_rows(Path(inputs["firms"]))
    fbounds = np.r_[np.arange(0, n_firm_rows, chunk_firms), n_firm_rows + 1]
    if len(fbounds) < 2:
        fbounds = np.array([0, 1])
    hashes = {}
    small = np.int32 if n_firm_rows < 2**31 - 1 else np.int64   # halves the merge's keys

    def row_key(tb: pa.Table) -> np.ndarray:
        return np.asarray(tb.column(ROW).to_numpy(), dtype=small)

    for name, stem in (("scores.csv", "scores"), ("contributions.csv", "contributions")):
        f = _HashingFile(tmp[name])
        f.write(b"\xef\xbb\xbf")
        _merge_write([d / f"{stem}.arrow" for d in pdirs], row_key, fbounds, f)
        hashes[name] = f.close()
    forder = {opt.names[t]: i for i, t in enumerate(TABLES)}

    def rkey(tb: pa.Table) -> np.ndarray:
        files = pc.dictionary_encode(tb.column("file").combine_chunks())
        order = np.array([forder[f] for f in files.dictionary.to_pylist()], dtype=np.int64)
        fo = order[files.indices.to_numpy(zero_copy_only=False)] if len(order) \
            else np.empty(0, np.int64)
        return fo * (1 << 40) + tb.column("row").to_numpy()

    max_rows = max([_count_rows(Path(p)) for p in inputs.values()] + [1])
    f = _HashingFile(tmp["rejects.csv"])
    f.write(b"\xef\xbb\xbf")
    from ..read.excel import locate_all, row_sources
    sources = {opt.names[t]: src for t, p in inputs.items()
               if (src := row_sources(p, t)) is not None}  # workbooks: rows as Excel shows
    n_rej = _merge_write([d / "rejects.arrow" for d in pdirs], rkey,
                         _reject_bounds(len(TABLES), max_rows), f,
                         fix=lambda df: locate_all(_fix_ref_messages(df, opt, cross, ok),
                                                   sources))
    hashes["rejects.csv"] = f.close()
    return hashes, n_rej
