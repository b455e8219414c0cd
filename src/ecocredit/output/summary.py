"""Summaries for the terminal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .i18n import t

__all__ = ["summary_text"]


def summary_text(grade_counts: pd.Series, labels: dict[str, str], *, head: str,
                 rejected: int, out_dir: str | Path | None = None, lang: str = "en") -> str:
    """A few lines for the terminal: grade counts and rejects (words in ``lang``, from
    :mod:`ecocredit.output.i18n`)."""
    total = int(grade_counts.sum())
    lines = [head]
    for gid, n in grade_counts.items():
        label = labels.get(str(gid), t("score.not_graded", lang))
        share = f"{100 * n / total:5.1f}%" if total else "    -"
        lines.append(f"  {gid:<11} {label:<14} {int(n):>8}  {share}")
    lines.append(t("score.rejected", lang, n=rejected)
                 + (t("score.see_rejects", lang) if rejected else ""))
    if out_dir is not None:
        lines.append(t("score.written", lang, out=out_dir))
    return "\n".join(lines)
