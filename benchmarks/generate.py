"""Generate the benchmark data sets: a thin CLI over :mod:`ecocredit.synth` writing Parquet.

Sizes (fixed seeds, so every machine benchmarks the same data)::

    small     30,000 firms,    ~1 million events   (the CI-sized benchmark, 1/10 of a province)
    province  300,000 firms,   ~10 million events  (issue 5's province)
    national  3,300,000 firms, ~100 million events (issue 5's national set; streamed in chunks)

Every size has three years of events (2023-2025), measurements for every firm and year and
history for the earlier years, at about 11.1 events per firm and year.

Usage::

    PYTHONPATH=src python -m benchmarks.generate --size province            # → benchmarks/data/province/
    PYTHONPATH=src python -m benchmarks.generate --size small --out /tmp/s  # elsewhere
    PYTHONPATH=src python -m benchmarks.generate --size small --format csv   # CSV instead
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ecocredit import synth

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
EVENTS_PER_FIRM_YEAR = 11.1  # 300,000 firms × 3 years × 11.1 ≈ 10 million events


@dataclass(frozen=True)
class Size:
    name: str
    firms: int
    seed: int
    events_per_firm_year: float = EVENTS_PER_FIRM_YEAR
    chunk_firms: int = 250_000


SIZES: dict[str, Size] = {
    "tiny": Size("tiny", 2_000, 5001),
    "small": Size("small", 30_000, 5030),
    "province": Size("province", 300_000, 5300),
    "national": Size("national", 3_300_000, 53300),
}


def generate_tables(size: str | Size):
    """The tables of a size in memory (pandas DataFrames of strings), as :func:`synth.generate`."""
    s = SIZES[size] if isinstance(size, str) else size
    return synth.generate(s.firms, seed=s.seed, events_per_firm_year=s.events_per_firm_year)


def data_dir(size: str, fmt: str = "parquet") -> Path:
    return DATA / (size if fmt == "parquet" else f"{size}-{fmt}")


def write_size(size: str, out: str | Path | None = None, fmt: str = "parquet") -> dict:
    """Write a size to ``out`` (default ``benchmarks/data/<size>``); return counts and seconds."""
    s = SIZES[size]
    out = Path(out) if out else data_dir(size, fmt)
    t0 = time.perf_counter()
    chunks = synth.iter_chunks(s.firms, chunk_firms=s.chunk_firms, seed=s.seed,
                               events_per_firm_year=s.events_per_firm_year)
    rows = synth.write_chunks(chunks, out, fmt)
    info = {"size": s.name, "firms_random": s.firms, "seed": s.seed,
            "events_per_firm_year": s.events_per_firm_year, "chunk_firms": s.chunk_firms,
            "format": fmt, "rows": rows, "seconds": round(time.perf_counter() - t0, 2)}
    (out / "generated.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), required=True)
    p.add_argument("--out", help="output directory (default benchmarks/data/<size>)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    a = p.parse_args(argv)
    info = write_size(a.size, a.out, a.format)
    for t, n in info["rows"].items():
        print(f"{t}: {n:,} rows")
    print(f"{a.size} written to {a.out or data_dir(a.size, a.format)} in {info['seconds']} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
