"""The ratios the benchmark runner reports: ecocredit's median over the faster peer's."""

from __future__ import annotations

import statistics
from typing import Any

__all__ = ["ratios"]


def ratios(results: list[dict[str, Any]], size: str, naive_size: str,
           ruleset: str) -> dict[str, float]:
    """ecocredit's median over the faster peer's, in memory and from each format (wall
    seconds; the same from CPU seconds under ``… CPU``)."""
    def med(step: str, s: str, fmt: str | None = None, key: str = "median") -> float | None:
        for r in results:
            if r["step"] == step and r["size"] == s and r["ruleset"] == ruleset \
                    and r.get("format") == fmt:
                return r[key] if key == "median" else statistics.median(r[key])
        return None

    def ratio(eco: float | None, *peers: float | None) -> float | None:
        peers = [x for x in peers if x]
        return round(eco / min(peers), 2) if eco and peers else None

    out = {"ecocredit / faster of Polars, DuckDB (in memory)":
           ratio(med("score", size), med("polars", size), med("duckdb", size)),
           "ecocredit / DuckDB (in memory)": ratio(med("score", size), med("duckdb", size)),
           "ecocredit scoring pass / DuckDB (in memory)": ratio(med("pass", size),
                                                                med("duckdb", size)),
           "ecocredit categorical / DuckDB (in memory)": ratio(med("score-cat", size),
                                                               med("duckdb", size))}
    fmts = sorted({r["format"] for r in results if r.get("format")})
    for f in fmts:
        for key, tag in (("median", ""), ("cpu_seconds", " CPU")):
            out[f"ecocredit / faster of Polars, DuckDB (end to end, {f}){tag}"] = ratio(
                *(med(s_, size, f, key) for s_ in ("e2e-ecocredit", "e2e-polars",
                                                    "e2e-duckdb")))
    nv, ne = med("naive", naive_size), med("score", naive_size)
    if nv and ne:
        out["naive pandas / ecocredit"] = round(nv / ne, 1)
    return {k: v for k, v in out.items() if v is not None}
