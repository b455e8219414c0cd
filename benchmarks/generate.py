"""Generate the benchmark data sets: a thin CLI over :mod:`ecocredit.synth` writing Parquet or CSV.

Sizes (fixed seeds, so every machine benchmarks the same data)::

    small     30,000 firms,    ~1 million events   (the CI-sized benchmark, 1/10 of a province)
    province  300,000 firms,   ~10 million events  (issue 5's province)
    national  3,300,000 firms, ~100 million events (issue 5's national set; streamed in chunks)

Every size has three years of events (2023-2025), measurements for every firm and year and
history for the earlier years, at about 11.1 events per firm and year.

Usage::

    PYTHONPATH=src python -m benchmarks.generate --size province            # → benchmarks/data/province/
    PYTHONPATH=src python -m benchmarks.generate --size small --out /tmp/s  # elsewhere
    PYTHONPATH=src python -m benchmarks.generate --size small --format csv   # CSV (UTF-8) instead
    PYTHONPATH=src python -m benchmarks.generate --size small --format csv-gb18030  # CSV in GB18030
    # GB18030 copies of a UTF-8 CSV set already written (no second generation):
    PYTHONPATH=src python -m benchmarks.generate --size province --format csv-gb18030 \
        --from benchmarks/data/province-csv

Formats: ``parquet`` (string columns), ``csv`` (UTF-8, no BOM) and ``csv-gb18030`` (the same
bytes' text in GB18030, as many Chinese offices save their CSV). Default directories are
``benchmarks/data/<size>`` for Parquet and ``benchmarks/data/<size>-<format>`` otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ecocredit import synth

from .baselines.common import transcode

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
EVENTS_PER_FIRM_YEAR = 11.1  # 300,000 firms × 3 years × 11.1 ≈ 10 million events
FORMATS = ("parquet", "csv", "csv-gb18030")
TABLES = ("firms", "events", "measurements", "history")


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


def write_size(size: str, out: str | Path | None = None, fmt: str = "parquet",
               source: str | Path | None = None) -> dict:
    """Write a size to ``out`` (default :func:`data_dir`); return counts and seconds.

    ``csv-gb18030`` is written as UTF-8 CSV, then transcoded file by file; with ``source`` (a
    directory holding the UTF-8 CSV of this size) only the transcoding is done.
    """
    s = SIZES[size]
    out = Path(out) if out else data_dir(size, fmt)
    t0 = time.perf_counter()
    if source is not None:
        if fmt != "csv-gb18030":
            raise SystemExit("--from only makes GB18030 copies (--format csv-gb18030)")
        src = Path(source)
        rows = json.loads((src / "generated.json").read_text())["rows"]
    else:
        chunks = synth.iter_chunks(s.firms, chunk_firms=s.chunk_firms, seed=s.seed,
                                   events_per_firm_year=s.events_per_firm_year)
        rows = synth.write_chunks(chunks, out, "parquet" if fmt == "parquet" else "csv")
        src = out
    if fmt == "csv-gb18030":
        out.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            tmp = transcode(src / f"{t}.csv", out / f"{t}.csv.part", "utf-8", "gb18030")
            tmp.replace(out / f"{t}.csv")
    info = {"size": s.name, "firms_random": s.firms, "seed": s.seed,
            "events_per_firm_year": s.events_per_firm_year, "chunk_firms": s.chunk_firms,
            "format": fmt, "encoding": "gb18030" if fmt == "csv-gb18030" else "utf-8",
            "rows": rows, "seconds": round(time.perf_counter() - t0, 2)}
    (out / "generated.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=sorted(SIZES), required=True)
    p.add_argument("--out", help="output directory (default benchmarks/data/<size>)")
    p.add_argument("--format", choices=FORMATS, default="parquet")
    p.add_argument("--from", dest="source",
                   help="with --format csv-gb18030: transcode this UTF-8 CSV set of the size")
    a = p.parse_args(argv)
    info = write_size(a.size, a.out, a.format, a.source)
    for t, n in info["rows"].items():
        print(f"{t}: {n:,} rows")
    print(f"{a.size} written to {a.out or data_dir(a.size, a.format)} in {info['seconds']} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
