"""Every bundled ruleset on the sample data: which inputs and period each runs on, and the
grade distribution it gives (the README's table, kept equal to this by a test).

Most rulesets score ``sample_data/`` for 2025. Two need the history in their own grade scheme
(``sample_data/history-<id>.csv``, :mod:`ecocredit.synth.crosswalk`); ``chongqing-2017`` is
valid to 2021-12-31, so it scores the same synthetic province four years earlier
(``sample_data/2019-2021/``: the generator with years 2019–2021, whose firms, events and history
are the sample's shifted back four years). Print the table with::

    python -m ecocredit.synth.fit [--root .]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["SampleRun", "SAMPLE_RUNS", "distribution", "markdown_table", "main"]


@dataclass(frozen=True)
class SampleRun:
    """The inputs (paths relative to the repository root) and period a ruleset runs on."""

    period: str
    firms: str = "sample_data/firms.csv"
    events: str = "sample_data/events.csv"
    measurements: str | None = "sample_data/measurements.csv"
    history: str | None = "sample_data/history.csv"


SAMPLE_RUNS: Mapping[str, SampleRun] = {
    "guangdong-2015": SampleRun("2025"),
    "anhui-2019": SampleRun("2025"),
    "jiangsu-2020": SampleRun("2025"),
    "chongqing-2017": SampleRun("2021", firms="sample_data/2019-2021/firms.csv",
                                events="sample_data/2019-2021/events.csv", measurements=None,
                                history="sample_data/2019-2021/history.csv"),
    "jiangxi": SampleRun("2025"),
    "shandong-2020": SampleRun("2025", history="sample_data/history-shandong-2020.csv"),
    "hebei-2024": SampleRun("2025", history="sample_data/history-hebei-2024.csv"),
    "chongqing-2021": SampleRun("2025"),
    "jilin-2018": SampleRun("2025"),
}

#: What the sample run is pinned to: records known up to this day count, later dates are refused.
TODAY = "2026-01-01"


def distribution(ruleset: str, root: Path | str = ".") -> tuple[dict[str, int], int, int]:
    """``(grade → count of firms, not graded, rejected rows)`` of ``ruleset`` on its sample run
    (grades in the ruleset's order, best first)."""
    from .. import load_ruleset, score

    run, root = SAMPLE_RUNS[ruleset], Path(root)
    rs = load_ruleset(ruleset)
    res = score(root / run.firms, root / run.events, rs, period=run.period,
                measurements=root / run.measurements if run.measurements else None,
                history=root / run.history if run.history else None, today=TODAY)
    counts = res.scores.grade.value_counts()
    grades = {g: int(counts.get(g, 0)) for g in rs.grade_ids}
    return grades, len(res.scores) - sum(grades.values()), len(res.rejects)


def markdown_table(root: Path | str = ".", rulesets: Sequence[str] | None = None) -> str:
    """The README's table: per ruleset, its period and each grade's count and share of the
    graded firms, best grade first."""
    from .. import load_ruleset

    lines = ["| ruleset | period | graded | grades, best first: count (share of graded) "
             "| not graded | rejected rows |", "|---|---|---|---|---|---|"]
    for rid in rulesets or SAMPLE_RUNS:
        grades, ng, rej = distribution(rid, root)
        n = sum(grades.values())
        labels = {g.id: g.label for g in load_ruleset(rid).grades}
        cells = "; ".join(f"{labels[g]} {c:,} ({100 * c / n:.1f} %)" for g, c in grades.items())
        lines.append(f"| `{rid}` | {SAMPLE_RUNS[rid].period} | {n:,} | {cells} | {ng} | {rej} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ecocredit.synth.fit",
                                 description="Grade distributions of every bundled ruleset on "
                                 "the sample data (a Markdown table).")
    ap.add_argument("--root", default=".", help="repository root (where sample_data/ is)")
    ap.add_argument("rulesets", nargs="*", help="only these (default: all)")
    a = ap.parse_args(argv)
    print(markdown_table(a.root, a.rulesets or None), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
