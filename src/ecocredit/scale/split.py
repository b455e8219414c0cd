"""Splitting input files into parts by firm, streamed: every table is read in batches (Parquet
row group by row group, CSV block by block) and written to one Parquet file per part, and the
event ids (and the ids they refer to) to buckets by their own hash, to find what crosses
parts."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .crossings import _crossings, _Crossings
from .ids import ROW, _column, _hash, _read_frame, normalise_ids, partition_of


def _detect_encoding(path: Path) -> str:
    """The encoding ingest would use: UTF-8 (with or without BOM), else GB18030."""
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head == b"\xef\xbb\xbf":
            return "utf-8"
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 24):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _batches(path: Path, table: str, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Stream a table file in record batches as ingest would read it."""
    from ..read.excel import split_sheet
    suffix = split_sheet(path)[0].suffix.lower()  # FILE.xlsx#Sheet names one sheet
    if suffix in (".parquet", ".pq"):
        pf = pq.ParquetFile(path)
        yield from pf.iter_batches(batch_size=batch_rows)
        return
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from ..read import read_table
        yield from pa.Table.from_pandas(read_table(path, table),
                                        preserve_index=False).to_batches(batch_rows)
        return
    import pyarrow.csv as pacsv
    enc = _detect_encoding(path)
    with open(path, "rb") as fh:
        first = fh.readline().decode(enc).lstrip("\ufeff").rstrip("\r\n")
    import csv
    names = next(csv.reader([first]))
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(encoding=enc, block_size=1 << 24,
                                             column_names=names, skip_rows=1),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False,
                                             quoted_strings_can_be_null=False))
    for b in reader:
        yield b


class _PartWriters:
    def __init__(self, root: Path, name: str, partitions: int):
        self.paths = [root / f"part-{p:04d}" / f"{name}.parquet" for p in range(partitions)]
        self.writers: list[pq.ParquetWriter | None] = [None] * partitions
        self.rows = [0] * partitions

    def write(self, p: int, table: pa.Table) -> None:
        if self.writers[p] is None:
            self.paths[p].parent.mkdir(parents=True, exist_ok=True)
            self.writers[p] = pq.ParquetWriter(self.paths[p], table.schema)
        self.writers[p].write_table(table)  # type: ignore[union-attr]
        self.rows[p] += table.num_rows

    def close(self, empty_schema: pa.Schema | None) -> None:
        for p, w in enumerate(self.writers):
            if w is not None:
                w.close()
            elif empty_schema is not None:
                self.paths[p].parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(empty_schema.empty_table(), self.paths[p])


def _split(path: Path, table: str, partitions: int, root: Path, batch_rows: int,
           buckets: int, id_writers: _PartWriters | None) -> tuple[int, bool]:
    """Write one input table into its parts; for events also the id buckets. Returns (rows,
    whether it could be streamed)."""
    writers = _PartWriters(root, table, partitions)
    offset = 0
    schema = None
    try:
        for batch in _batches(path, table, batch_rows):
            tb = pa.Table.from_batches([batch])
            if schema is None:
                schema = tb.schema
                fcol = _column(tb.column_names, table, "firm_id")
                if fcol is None:
                    return 0, False  # ingest reports the missing column
                if table == "events":
                    ecol = _column(tb.column_names, table, "event_id")
                    rcol = _column(tb.column_names, table, "ref_event_id")
                    if ecol is None:
                        return 0, False
            n = tb.num_rows
            part = partition_of(tb.column(fcol), partitions)
            rows = np.arange(offset, offset + n, dtype=np.int64)
            tb = tb.append_column(ROW, pa.array(rows))
            o = np.argsort(part, kind="stable")
            bounds = np.searchsorted(part[o], np.arange(partitions + 1))
            sorted_tb = tb.take(pa.array(o))
            for p in range(partitions):
                if bounds[p + 1] > bounds[p]:
                    writers.write(p, sorted_tb.slice(bounds[p], bounds[p + 1] - bounds[p]))
            if table == "events" and id_writers is not None:
                eids = normalise_ids(tb.column(ecol), upper=False)
                refs = normalise_ids(tb.column(rcol), upper=False) if rcol is not None else None
                _write_id_buckets(id_writers, buckets, eids, refs, rows, part)
            offset += n
    finally:
        writers.close(None if schema is None else schema.append(pa.field(ROW, pa.int64())))
    if schema is None:
        return 0, False
    return offset, True


_ID_SCHEMA = pa.schema([("id", pa.string()), ("row", pa.int64()), ("part", pa.int32()),
                        ("kind", pa.int8())])


def _write_id_buckets(w: _PartWriters, buckets: int, eids: pa.Array, refs: pa.Array | None,
                      rows: np.ndarray, part: np.ndarray) -> None:
    ids, kind, r, pt = [eids], [np.zeros(len(eids), np.int8)], [rows], [part]
    if refs is not None:
        has = pc.not_equal(refs, "").to_numpy(zero_copy_only=False)
        if has.any():
            sel = pa.array(np.flatnonzero(has))
            ids.append(refs.take(sel))
            kind.append(np.ones(int(has.sum()), np.int8))
            r.append(rows[has])
            pt.append(part[has])
    idv = pa.concat_arrays(ids)
    b = (_hash(idv) % np.uint64(buckets)).astype(np.int64)
    tb = pa.table({"id": idv, "row": np.concatenate(r), "part": np.concatenate(pt).astype(np.int32),
                   "kind": np.concatenate(kind)}, schema=_ID_SCHEMA)
    o = np.argsort(b, kind="stable")
    bounds = np.searchsorted(b[o], np.arange(buckets + 1))
    tb = tb.take(pa.array(o))
    for k in range(buckets):
        if bounds[k + 1] > bounds[k]:
            w.write(k, tb.slice(bounds[k], bounds[k + 1] - bounds[k]))


def _bucket_crossings(path: Path) -> _Crossings:
    tb = pq.read_table(path)
    kind = tb.column("kind").to_numpy()
    e = tb.filter(pa.array(kind == 0))
    r = tb.filter(pa.array(kind == 1))
    # event entries were written in input order within a bucket
    return _crossings(e.column("id").combine_chunks(), e.column("row").to_numpy(),
                      e.column("part").to_numpy(), r.column("id").combine_chunks(),
                      r.column("row").to_numpy(), r.column("part").to_numpy())


def _count_rows(path: Path) -> int:
    from ..read.excel import split_sheet
    suffix = split_sheet(path)[0].suffix.lower()
    if suffix in (".parquet", ".pq"):
        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".arrow":
        return _read_frame(path).num_rows
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return 1_000_000
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
    return n
