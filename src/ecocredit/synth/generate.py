"""The public generator: whole provinces in memory, chunk by chunk, and to CSV or Parquet files."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from .block import _block
from .mix import COLUMNS, DEFAULT_MIX, Mix

__all__ = ["generate", "iter_chunks", "write", "write_chunks"]


def _check_args(n_firms: int, years: Sequence[int], events_per_firm_year: float | None
                ) -> tuple[int, ...]:
    if not isinstance(n_firms, (int, np.integer)) or n_firms < 0:
        raise ValueError(f"n_firms must be a non-negative integer; got {n_firms!r}.")
    ys = tuple(int(y) for y in years)
    if not ys or list(ys) != sorted(set(ys)) or ys[0] < 1990 or ys[-1] > 2200:
        raise ValueError(f"years must be increasing distinct years; got {tuple(years)!r}.")
    if events_per_firm_year is not None and events_per_firm_year < 0:
        raise ValueError(f"events_per_firm_year must be >= 0; got {events_per_firm_year!r}.")
    return ys


def _str_dtype() -> pd.StringDtype:
    try:  # pandas >= 2.3/3: the default "str" dtype
        return pd.StringDtype("pyarrow", na_value=np.nan)
    except TypeError:  # pandas 2.2
        return pd.StringDtype("pyarrow")


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    dtype = _str_dtype()
    return table.to_pandas(types_mapper=lambda t: dtype if t in (pa.string(), pa.large_string())
                           else None)


def _iter_blocks(
    n_firms: int,
    *,
    seed: int,
    years: tuple[int, ...],
    events_per_firm_year: float | None,
    mix: Mix,
    include_examples: bool,
    chunk_firms: int,
) -> Iterator[dict[str, pa.Table]]:
    if chunk_firms <= 0:
        raise ValueError(f"chunk_firms must be positive; got {chunk_firms!r}.")
    event_offset = 0
    firm_offset = 0
    block = 0
    while firm_offset < n_firms or block == 0:
        size = min(chunk_firms, n_firms - firm_offset)
        tables = _block(size, seed=seed, block=block, years=years,
                        events_per_firm_year=events_per_firm_year, mix=mix,
                        include_examples=include_examples and block == 0,
                        firm_offset=firm_offset, event_offset=event_offset)
        event_offset += tables["events"].num_rows
        firm_offset += size
        block += 1
        yield tables


def generate(
    n_firms: int = 3000,
    *,
    seed: int = 20251123,
    years: tuple[int, ...] = (2023, 2024, 2025),
    events_per_firm_year: float | None = None,
    include_examples: bool = True,
    mix: Mix | None = None,
) -> dict[str, pd.DataFrame]:
    """Generate a synthetic province in the contract's four tables.

    Parameters
    ----------
    n_firms : int, default 3000
        Number of random firms (the illustrative firms come on top).
    seed : int, default 20251123
        Seed; the same arguments always give identical tables.
    years : tuple of int, default (2023, 2024, 2025)
        Calendar years with events and measurements; history covers all but the last.
    events_per_firm_year : float, optional
        Target mean number of events of all types per random firm and year. ``None`` keeps the
        calibrated :attr:`Mix.adverse_per_firm_year` (about 1.9 events per firm-year in total,
        0.6 of them adverse);
        a number rescales the adverse rate so that the total is about this (use ~11 for 300,000
        firms and 10 million events over three years).
    include_examples : bool, default True
        Prepend the illustrative firms of :data:`EXAMPLES` and their events.
    mix : Mix, optional
        Shares and rates of the generator; :data:`DEFAULT_MIX` when omitted.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``firms``, ``events``, ``measurements``, ``history`` with the contract's canonical
        columns (:data:`COLUMNS`), every value a string (pyarrow-backed string dtype, no
        missing values: empty string where a CSV cell is empty). Dates are ``YYYY-MM-DD``,
        booleans ``true``/``false``.

    Examples
    --------
    >>> tables = generate(50, seed=1)
    >>> list(tables["firms"].columns)[:3]
    ['firm_id', 'name', 'region_code']
    >>> tables["firms"]["name"].iloc[0]
    '示例·清白企业'
    """
    ys = _check_args(n_firms, years, events_per_firm_year)
    mix = DEFAULT_MIX if mix is None else mix
    (tables,) = _iter_blocks(n_firms, seed=seed, years=ys,
                             events_per_firm_year=events_per_firm_year, mix=mix,
                             include_examples=include_examples,
                             chunk_firms=max(n_firms, 1))
    return {name: _to_pandas(t) for name, t in tables.items()}


def iter_chunks(
    n_firms: int,
    *,
    chunk_firms: int = 250_000,
    seed: int = 20251123,
    years: tuple[int, ...] = (2023, 2024, 2025),
    events_per_firm_year: float | None = None,
    include_examples: bool = True,
    mix: Mix | None = None,
) -> Iterator[dict[str, pd.DataFrame]]:
    """Generate a large province chunk by chunk (same tables as :func:`generate`).

    Each chunk holds ``chunk_firms`` firms and all their events, measurements and history, with
    its own random stream (seeded by ``(seed, chunk number)``); firm ids are unique across
    chunks and event ids continue from chunk to chunk. The first chunk equals
    ``generate(min(n_firms, chunk_firms), ...)``. Concatenating the chunks gives a valid
    province; it is deterministic for a given ``(seed, chunk_firms)``.

    Parameters
    ----------
    n_firms : int
        Total number of random firms.
    chunk_firms : int, default 250000
        Firms per chunk.
    seed, years, events_per_firm_year, include_examples, mix
        As in :func:`generate`.

    Yields
    ------
    dict of str to pandas.DataFrame
    """
    ys = _check_args(n_firms, years, events_per_firm_year)
    mix = DEFAULT_MIX if mix is None else mix
    for tables in _iter_blocks(n_firms, seed=seed, years=ys,
                               events_per_firm_year=events_per_firm_year, mix=mix,
                               include_examples=include_examples, chunk_firms=chunk_firms):
        yield {name: _to_pandas(t) for name, t in tables.items()}


def _as_arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(
        frame, preserve_index=False)
    return pa.Table.from_arrays([c.cast(pa.string()) for c in table.columns],
                                names=table.column_names)


class _Sink:
    """Writes one table to CSV or Parquet, one chunk at a time."""

    def __init__(self, path: Path, fmt: str, schema: pa.Schema):
        self.path, self.fmt, self.rows = path, fmt, 0
        if fmt == "csv":
            import pyarrow.csv as pacsv

            self._file = open(path, "wb")
            # the header is written by hand: pyarrow would quote the column names
            self._file.write((",".join(schema.names) + "\n").encode("utf-8"))
            self._writer = pacsv.CSVWriter(
                self._file, schema,
                write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"))
        else:
            import pyarrow.parquet as pq

            self._file = None
            self._writer = pq.ParquetWriter(path, schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        if self._file is not None:
            self._file.close()


def write_chunks(
    chunks: Iterable[Mapping[str, pd.DataFrame | pa.Table]],
    out_dir: str | Path,
    fmt: str = "csv",
) -> dict[str, int]:
    """Stream chunks of tables into ``out_dir``; return the row count of each table.

    Parameters
    ----------
    chunks : iterable of mappings
        Each maps table names (``firms``, ``events``, ``measurements``, ``history``) to a
        DataFrame or pyarrow Table of strings (e.g. from :func:`iter_chunks`).
    out_dir : str or Path
        Created if missing. Files are ``<table>.csv`` or ``<table>.parquet``.
    fmt : {'csv', 'parquet'}
        CSV is plain UTF-8 without BOM, comma-separated, ``\\n`` line ends, header row, no
        quoting (the generated values hold no commas, quotes or line breaks; a value that would
        need quoting raises). Parquet holds string columns only.

    Returns
    -------
    dict of str to int
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet'; got {fmt!r}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sinks: dict[str, _Sink] = {}
    try:
        for chunk in chunks:
            for name in COLUMNS:
                if name not in chunk:
                    continue
                table = _as_arrow(chunk[name])
                if name not in sinks:
                    sinks[name] = _Sink(out / f"{name}.{fmt}", fmt, table.schema)
                sinks[name].write(table)
    finally:
        for sink in sinks.values():
            sink.close()
    return {name: sink.rows for name, sink in sinks.items()}


def write(
    tables: Mapping[str, pd.DataFrame | pa.Table],
    out_dir: str | Path,
    fmt: str = "csv",
) -> dict[str, Path]:
    """Write the tables of :func:`generate` as ``firms.csv``, ``events.csv`` ... into ``out_dir``.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        As returned by :func:`generate`.
    out_dir : str or Path
        Created if missing; existing files of the same names are replaced.
    fmt : {'csv', 'parquet'}, default 'csv'
        See :func:`write_chunks`.

    Returns
    -------
    dict of str to Path
        The file written for each table.
    """
    write_chunks([tables], out_dir, fmt)
    return {name: Path(out_dir) / f"{name}.{fmt}" for name in COLUMNS if name in tables}
