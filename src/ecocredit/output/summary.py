"""Summaries for the terminal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .i18n import t

__all__ = ["rejected_rows", "rows_rejected_in", "summary_text"]


def rejected_rows(rejects: pd.DataFrame) -> int:
    """How many input rows ``rejects`` rejects: distinct (file, row) pairs.

    Parameters
    ----------
    rejects : DataFrame
        A rejects table (``file``, ``row``, ...), one line per problem found: a row with two
        problems has two lines.

    Returns
    -------
    int
        The number of rows, the same number as the manifest's sum of ``rows_rejected``
        (not the number of lines of ``rejects.csv``).
    """
    if not len(rejects):
        return 0
    if not {"file", "row"} <= set(rejects.columns):
        return len(rejects)
    return len(rejects[["file", "row"]].drop_duplicates())


def rows_rejected_in(manifest: dict) -> int:
    """The input rows a run's manifest says were rejected (the sum over its inputs)."""
    ins = manifest.get("inputs") or {}
    if ins:
        return int(sum(int(i.get("rows_rejected", 0)) for i in ins.values()))
    return int(manifest.get("counts", {}).get("rejects", 0))


def summary_text(grade_counts: pd.Series, labels: dict[str, str], *, head: str,
                 rejected: int, out_dir: str | Path | None = None, lang: str = "en",
                 xlsx: bool = True) -> str:
    """A few lines for the terminal: grade counts and rejects (words in ``lang``, from
    :mod:`ecocredit.output.i18n`); ``xlsx``: the command has ``--xlsx`` (the Chinese hint
    points to the rejects.xlsx it writes)."""
    total = int(grade_counts.sum())
    lines = [head]
    for gid, n in grade_counts.items():
        label = labels.get(str(gid), t("score.not_graded", lang))
        share = f"{100 * n / total:5.1f}%" if total else "    -"
        lines.append(f"  {gid:<11} {label:<14} {int(n):>8}  {share}")
    lines.append(t("score.rejected", lang, n=rejected)
                 + (t("score.see_rejects" if xlsx else "score.see_rejects_csv", lang)
                    if rejected else ""))
    if out_dir is not None:
        lines.append(t("score.written", lang, out=out_dir))
    return "\n".join(lines)
