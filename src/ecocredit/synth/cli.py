"""``python -m ecocredit.synth``: write a synthetic province to a directory."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from .columns import _TYPE_CODES
from .generate import _check_args, _iter_blocks, write_chunks
from .mix import COLUMNS, DEFAULT_MIX

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m ecocredit.synth --firms 3000 --out sample_data``.

    Prints the row count of each table written (and of each event type with ``--by-type``).
    """
    parser = argparse.ArgumentParser(
        prog="python -m ecocredit.synth",
        description="Generate a synthetic province (firms, events, measurements, history).")
    parser.add_argument("--firms", type=int, default=3000, help="random firms (default 3000)")
    parser.add_argument("--seed", type=int, default=20251123)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024, 2025])
    parser.add_argument("--events-per-firm-year", type=float, default=None,
                        help="target mean events per firm and year (default: calibrated mix)")
    parser.add_argument("--no-examples", action="store_true",
                        help="leave out the illustrative 示例 firms")
    parser.add_argument("--chunk-firms", type=int, default=250_000,
                        help="firms per chunk written at a time (default 250000)")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--by-type", action="store_true", help="also print events per type")
    parser.add_argument("--out", required=True, help="output directory")
    args = parser.parse_args(argv)
    try:
        ys = _check_args(args.firms, args.years, args.events_per_firm_year)
    except ValueError as exc:
        parser.error(str(exc))
    started = time.perf_counter()
    type_counts: dict[str, int] = {}

    def blocks() -> Iterator[dict[str, pa.Table]]:
        for tables in _iter_blocks(args.firms, seed=args.seed, years=ys,
                                   events_per_firm_year=args.events_per_firm_year,
                                   mix=DEFAULT_MIX, include_examples=not args.no_examples,
                                   chunk_firms=args.chunk_firms):
            if args.by_type:
                counts = pc.value_counts(tables["events"].column("event_type")).to_pylist()
                for item in counts:
                    etype, count = item["values"], item["counts"]
                    type_counts[etype] = type_counts.get(etype, 0) + count
            yield tables

    rows = write_chunks(blocks(), args.out, args.format)
    elapsed = time.perf_counter() - started
    for name in COLUMNS:
        print(f"{name}: {rows.get(name, 0)} rows")
    if args.by_type:
        for etype in _TYPE_CODES:
            if etype in type_counts:
                print(f"  {etype}: {type_counts[etype]}")
    print(f"written to {args.out} ({args.format}) in {elapsed:.1f} s", file=sys.stderr)
    return 0
