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

from ..vocab import TABLES
from .crossings import _Crossings, _fix_ref_messages
from .ids import ROW, _read_frame
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
    from ..reports import csv_bytes

    b = csv_bytes(df)[3:]  # without the BOM
    if not header:
        b = b[b.index(b"\n") + 1:] if b else b
    return b


def _merge_write(paths: list[Path], key: Callable[[pa.Table], np.ndarray], bounds: np.ndarray,
                 out: _HashingFile, fix: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                 sort_cols: list[str] | None = None) -> int:
    """Merge part tables, each sorted by ``key``, into one CSV, chunk by chunk of key range."""
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
            df = tb.take(pa.array(o)).to_pandas()
        else:
            df = tables[0].slice(0, 0).to_pandas()
        df = df[cols]
        for c in df.columns:
            if pd.api.types.is_string_dtype(df[c]) or df[c].dtype == object:
                df[c] = df[c].astype(object)
        if fix is not None:
            df = fix(df)
        if sort_cols:
            df = df.sort_values(sort_cols, kind="stable")
        out.write(_csv_chunk(df, header))
        header = False
        n += len(df)
    return n


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
    row_key = lambda tb: tb.column(ROW).to_numpy()  # noqa: E731
    for name, stem in (("scores.csv", "scores"), ("contributions.csv", "contributions")):
        f = _HashingFile(tmp[name])
        f.write(b"\xef\xbb\xbf")
        _merge_write([d / f"{stem}.arrow" for d in pdirs], row_key, fbounds, f)
        hashes[name] = f.close()
    forder = {opt.names[t]: i for i, t in enumerate(TABLES)}

    def rkey(tb: pa.Table) -> np.ndarray:
        fo = pd.Series(tb.column("file").to_pylist(), dtype=object).map(forder)
        return fo.to_numpy(np.int64) * (1 << 40) + tb.column("row").to_numpy()

    max_rows = max([_count_rows(Path(p)) for p in inputs.values()] + [1])
    f = _HashingFile(tmp["rejects.csv"])
    f.write(b"\xef\xbb\xbf")
    n_rej = _merge_write([d / "rejects.arrow" for d in pdirs], rkey,
                         _reject_bounds(len(TABLES), max_rows), f,
                         fix=lambda df: _fix_ref_messages(df, opt, cross, ok), sort_cols=None)
    hashes["rejects.csv"] = f.close()
    return hashes, n_rej
