"""``explain.parquet``: what ``ecocredit explain`` needs, saved with a scoring run, so that
explaining one firm of a province reads that firm's rows only (not every input again).

The file holds the run's validated inputs (:class:`~ecocredit.read.Prepared`) with **one row
per accepted firm**, in the run's firm order (the order of ``scores.csv``): the firm's
prepared columns (``firm_id``, ``name``, ``status``, ``included_day`` ...), and three list
columns, ``_explain_events``, ``_explain_measurements`` and ``_explain_history``, holding that
firm's rows of each table in input order (the columns of :class:`~ecocredit.read.Prepared`
without ``firm_idx``; categoricals as dictionaries, and every column's pandas dtype in the
metadata, restored when read). Row groups of :data:`FIRMS_PER_GROUP` firms,
zstd-compressed. Explaining a firm reads the ``firm_id`` column, then the one row group that
holds the firm, and scores that firm alone: the vectorized engine and the reference engine on
exactly the rows the run used (the engines score each firm from its own rows only, which is
also why the partitioned engine gives the one-shot result).

The file also records the size in bytes of every input file (key ``ecocredit.input_sizes`` of
the Parquet metadata): an input whose size changed since the run makes ``explain`` fall back to
reading the inputs again and say so, as it did before this file existed.

It is an output of the run like the CSV files: its SHA-256 is in the manifest, and ``replay``
recomputes it and compares the bytes (:mod:`ecocredit.audit.replay`). The bytes depend on the
pyarrow version that wrote them (Parquet records its writer).

Measured on the province set (300,014 firms, 10 million events): see ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["EXPLAIN_FILE", "FIRMS_PER_GROUP", "explain_file_bytes", "saved_firm_result"]

#: the file's name in a run directory
EXPLAIN_FILE = "explain.parquet"
#: firms per row group: explaining one firm decodes one group (about 70,000 events on the
#: province set, a few milliseconds), and the footer stays small (150 groups on a province)
FIRMS_PER_GROUP = 2048
_TABLES = ("events", "measurements", "history")
_SIZES_KEY = b"ecocredit.input_sizes"
#: the pandas dtype of every column of the prepared tables, restored when read back
_DTYPES_KEY = b"ecocredit.dtypes"


def _nested_name(table: str) -> str:
    return f"_explain_{table}"


def _few_valued(prep: Any) -> list[str]:
    """The Parquet columns worth dictionary pages: those the run held as categoricals (types,
    severities, media, periods ...); ids and names are mostly distinct, and trying a
    dictionary on them only costs time."""
    out = [c for c, d in prep.firms.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
    for t in _TABLES:
        out += [f"{_nested_name(t)}.list.element.{c}"
                for c, d in getattr(prep, t).dtypes.items() if isinstance(d, pd.CategoricalDtype)]
    return out


def input_sizes(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Table → size in bytes of its input file (a list for a table of several files)."""
    from ..read.excel import split_sheet

    def size(p: Any) -> int:
        return split_sheet(p)[0].stat().st_size  # ``FILE.xlsx#Sheet``: the file's size

    return {t: [size(x) for x in p] if isinstance(p, (list, tuple)) else size(p)
            for t, p in inputs.items()}


def explain_file_bytes(prep: Any, inputs: Mapping[str, Any]) -> pa.Buffer | None:
    """The bytes of ``explain.parquet`` for a run's prepared inputs.

    Parameters
    ----------
    prep : Prepared
        The run's validated inputs (``ScoreResult.prepared``).
    inputs : mapping
        Table name → the file it was read from (their sizes are recorded).

    Returns
    -------
    pyarrow.Buffer or None
        None when the firms table has a column Arrow cannot store (an extra input column of
        mixed Python types): the run is then written without the file, and ``explain`` reads
        the inputs again.
    """
    try:
        firms = pa.Table.from_pandas(prep.firms, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    n = firms.num_rows
    tables = {}
    for name in _TABLES:
        df = getattr(prep, name)
        firm = df["firm_idx"].to_numpy(np.int64)
        order = np.argsort(firm, kind="stable")  # by firm, input order within a firm
        starts = np.searchsorted(firm[order], np.arange(n + 1), side="left")
        t = pa.Table.from_pandas(df.drop(columns=["firm_idx"]), preserve_index=False)
        t = t.replace_schema_metadata(None).combine_chunks()
        tables[name] = (pa.StructArray.from_arrays([c.chunk(0) if c.num_chunks else
                                                    pa.array([], c.type) for c in t.columns],
                                                   names=t.column_names), order, starts)
    sizes = json.dumps(input_sizes(inputs), sort_keys=True).encode()
    dtypes = json.dumps({t: {c: str(d) for c, d in getattr(prep, t).dtypes.items()}
                         for t in ("firms",) + _TABLES}, sort_keys=True).encode()
    sink = pa.BufferOutputStream()
    writer = None
    for a in range(0, max(n, 1), FIRMS_PER_GROUP):
        b = min(a + FIRMS_PER_GROUP, n)
        part = firms.slice(a, b - a)
        for name, (values, order, starts) in tables.items():
            offsets = pa.array((starts[a:b + 1] - starts[a]).astype(np.int32))
            part = part.append_column(_nested_name(name), pa.ListArray.from_arrays(
                offsets, values.take(order[starts[a]:starts[b]])))
        if writer is None:
            schema = part.schema.with_metadata({**(part.schema.metadata or {}),
                                                _SIZES_KEY: sizes, _DTYPES_KEY: dtypes})
            writer = pq.ParquetWriter(sink, schema, compression="zstd", compression_level=1,
                                      use_dictionary=_few_valued(prep), write_statistics=False)
        writer.write_table(part.replace_schema_metadata(writer.schema.metadata),
                           row_group_size=max(b - a, 1))
    writer.close()
    return sink.getvalue()


def _sizes_unchanged(meta: Mapping[bytes, bytes] | None, manifest: Mapping[str, Any]) -> bool:
    """Whether every input still at its recorded path has its recorded size."""
    if not meta or _SIZES_KEY not in meta:
        return False
    sizes = json.loads(meta[_SIZES_KEY])
    for table, info in manifest["inputs"].items():
        infos = info if isinstance(info, list) else [info]
        want = sizes.get(table)
        want = want if isinstance(want, list) else [want]
        for i, one in zip(want, infos):
            p = Path(str(one.get("path", "")))
            if p.is_file() and p.stat().st_size != i:
                return False
    return True


def _frame(lists: pa.ChunkedArray) -> pd.DataFrame:
    """One firm's rows of a table (a one-row list column) as the engines read them, with
    ``firm_idx`` 0 as the second column (where :class:`~ecocredit.read.Prepared` has it)."""
    df = pa.Table.from_struct_array(lists.combine_chunks().flatten()).to_pandas()
    df.insert(min(1, len(df.columns)), "firm_idx", np.zeros(len(df), np.int32))
    return df


def saved_firm_result(run_dir: str | Path, manifest: Mapping[str, Any], firm_id: str,
                      ruleset: Any = None) -> Any:
    """The run scored again for one firm from its ``explain.parquet``: a one-firm
    :class:`~ecocredit.ScoreResult` whose ``explain(firm_id)`` is the run's explanation.

    Parameters
    ----------
    run_dir : path
    manifest : dict
        The run's manifest (:func:`~ecocredit.audit.read_manifest`).
    firm_id : str
        The firm's credit code (case and surrounding spaces ignored).
    ruleset : Ruleset, optional
        The run's ruleset, if the caller has it loaded (else loaded as ``rerun`` does).

    Returns
    -------
    ScoreResult or None
        None when the run has no usable ``explain.parquet`` (an older run, a partitioned
        one) or an input's size changed since the run: the caller then reads the inputs.

    Raises
    ------
    KeyError
        If the firm is not among the run's scored firms (the message of
        :meth:`ScoreResult.explain`).
    """
    from ..engine.run import score_validated
    from ..periods import parse_period
    from ..read import Prepared
    from .manifest import load_run_ruleset

    path = Path(run_dir) / EXPLAIN_FILE
    if EXPLAIN_FILE not in manifest.get("outputs", {}) or not path.is_file():
        return None
    pf = pq.ParquetFile(path)
    if not _sizes_unchanged(pf.schema_arrow.metadata, manifest):
        return None
    ids = pf.read(columns=["firm_id"]).column(0)
    i = pc.index(ids, str(firm_id).strip().upper()).as_py()
    if i < 0:
        raise KeyError(f"Firm {firm_id!r} is not among the scored firms of this run.")
    group = 0
    while i >= pf.metadata.row_group(group).num_rows:
        i -= pf.metadata.row_group(group).num_rows
        group += 1
    row = pf.read_row_group(group).slice(i, 1)
    nested = {t: _nested_name(t) for t in _TABLES}
    firm_cols = [c for c in row.column_names if c not in nested.values()]
    firms = pa.table([row[c] for c in firm_cols], names=firm_cols).to_pandas()
    frames = {t: _frame(row[col]) for t, col in nested.items()}
    frames["firms"] = firms
    dtypes = json.loads(pf.schema_arrow.metadata[_DTYPES_KEY])
    for t, df in frames.items():  # the dtypes the run's tables had (categories by name)
        for c, d in dtypes[t].items():
            if str(df[c].dtype) != d:
                df[c] = df[c].astype(d)
    opts = manifest["options"]
    rs = ruleset if ruleset is not None else load_run_ruleset(manifest)
    prep = Prepared(firms=frames["firms"], events=frames["events"], measurements=frames["measurements"],
                    history=frames["history"], rejects=pd.DataFrame())
    as_of = dt.date.fromisoformat(opts["as_of"]) if opts.get("as_of") else None
    return score_validated(prep, rs, parse_period(str(opts["period"])), as_of=as_of,
                           today=dt.date.fromisoformat(opts["today"]))
