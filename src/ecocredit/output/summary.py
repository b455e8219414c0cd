"""Summaries for the terminal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["summary_text"]


def summary_text(grade_counts: pd.Series, labels: dict[str, str], *, head: str,
                 rejected: int, out_dir: str | Path | None = None) -> str:
    """A few lines for the terminal: grade counts and rejects."""
    total = int(grade_counts.sum())
    lines = [head]
    for gid, n in grade_counts.items():
        label = labels.get(str(gid), "未评级 (not graded)")
        share = f"{100 * n / total:5.1f}%" if total else "    -"
        lines.append(f"  {gid:<11} {label:<14} {int(n):>8}  {share}")
    lines.append(f"Rejected input rows: {rejected}" + (" (see rejects.csv)" if rejected else ""))
    if out_dir is not None:
        lines.append(f"Outputs written to {out_dir}")
    return "\n".join(lines)
