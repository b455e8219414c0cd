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
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

__all__ = ["SampleRun", "SAMPLE_RUNS", "Published", "PUBLISHED", "TOLERANCE_POINTS", "SMALL_FACTOR",
           "distribution", "markdown_table", "misses", "comparison_table", "main"]


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
    "guizhou-2019": SampleRun("2025"),
}

#: What the sample run is pinned to: records known up to this day count, later dates are refused.
TODAY = "2026-01-01"


def distribution(ruleset: str, root: Path | str = ".") -> tuple[dict[str, int], int, int]:
    """``(grade → count of firms, not graded, rejected rows)`` of ``ruleset`` on its sample run
    (grades in the ruleset's order, best first). Computed once per process and root."""
    grades, ng, rej = _distribution(ruleset, str(Path(root).resolve()))
    return dict(grades), ng, rej


@lru_cache(maxsize=None)
def _distribution(ruleset: str, root_s: str) -> tuple[tuple[tuple[str, int], ...], int, int]:
    from ..engine.run import score
    from ..ruleset import load_ruleset

    run, root = SAMPLE_RUNS[ruleset], Path(root_s)
    rs = load_ruleset(ruleset)
    res = score(root / run.firms, root / run.events, rs, period=run.period,
                measurements=root / run.measurements if run.measurements else None,
                history=root / run.history if run.history else None, today=TODAY)
    counts = res.scores.grade.value_counts()
    grades = tuple((g, int(counts.get(g, 0))) for g in rs.grade_ids)
    return grades, len(res.scores) - sum(c for _, c in grades), len(res.rejects)


def markdown_table(root: Path | str = ".", rulesets: Sequence[str] | None = None) -> str:
    """The README's table: per ruleset, its period and each grade's count and share of the
    graded firms, best grade first."""
    from ..ruleset import load_ruleset

    lines = ["| ruleset | period | graded | grades, best first: count (share of graded) "
             "| not graded | rejected rows |", "|---|---|---|---|---|---|"]
    for rid in rulesets or SAMPLE_RUNS:
        grades, ng, rej = distribution(rid, root)
        n = sum(grades.values())
        labels = {g.id: g.label for g in load_ruleset(rid).grades}
        cells = "; ".join(f"{labels[g]} {c:,} ({100 * c / n:.1f} %)" for g, c in grades.items())
        lines.append(f"| `{rid}` | {SAMPLE_RUNS[rid].period} | {n:,} | {cells} | {ng} | {rej} |")
    return "\n".join(lines) + "\n"


#: The tolerance aimed for: a grade the published result gives 5 % or more of the rated firms is
#: matched within this many percentage points ...
TOLERANCE_POINTS = 10
#: ... and a smaller grade (the red and black lists' few) within this factor either way (a
#: published 0 within 1 % of the graded firms).
SMALL_FACTOR = 3


@dataclass(frozen=True)
class Published:
    """A published grade distribution to compare a ruleset's sample run with.

    ``counts`` are by the ruleset's grade ids (grades the publication does not give are left
    out); ``rated`` is the number of rated firms the shares are of. ``why`` says plainly why the
    sample cannot match, where it does not (empty where it is within the tolerance); a test
    keeps each verdict true.
    """

    ruleset: str
    place: str
    rated: int
    counts: Mapping[str, int]
    source: str
    why: str = ""


_GD_WHY = ("Green needs exactly 100 points and two green bonus items, and any penalty costs the "
           "whole 15 points of GD-P01 yet leaves a firm blue (83.5–85): blue absorbs the rest. "
           "The generator's mix is one for all rulesets, calibrated on the history's 14/74/10/2 %.")
_NO_RECORD_GREEN = ("A firm without a deducted record keeps the base and is 诚信 (no indicator "
                    "shortfall is modelled: the indicator tables were not read), so green is the "
                    "two-thirds of firms without an adverse event in the year.")
PUBLISHED: tuple[Published, ...] = (
    Published("guangdong-2015", "Guangdong prov., 2017", 1060,
              {"green": 147, "blue": 781, "yellow": 106, "red": 26},
              "http://m.gh1684.com/news/show-6542.html (secondary copy)", _GD_WHY),
    Published("guangdong-2015", "Guangzhou, 2020 (draft)", 1541,
              {"green": 117, "blue": 1235, "yellow": 96, "red": 93},
              "http://sthjj.gz.gov.cn/tzggwj/content/post_7277641.html (official)"),
    Published("guangdong-2015", "Fujian prov., 2016 (draft; the national method, bands 96/70/60)",
              340, {"green": 27, "blue": 287, "yellow": 13, "red": 13},
              "http://www.ruiup.com/Details/4430.htm (secondary copy)",
              "The Guangdong veto list does not cover data fraud, refusing inspection, detention "
              "or heavy-pollution orders, which make red elsewhere."),
    Published("anhui-2019", "Anhui prov., 2020 (draft)", 2076,
              {"green": 1008, "blue": 966, "yellow": 81, "red": 21},
              "http://79b.com.cn/show-843.html (secondary copy)", _NO_RECORD_GREEN),
    Published("jiangsu-2020", "Jiangsu, all units, H1 2019 (12-point)", 46046,
              {"red": 89, "black": 52},
              "http://www.huarenpu.com/punews/index/detail.html?id=9858 (secondary copy)",
              "The 46,046 units include many small, rarely "
              "penalised ones; the sample is weighted toward heavy polluters and its event rates "
              "were set for annual schemes."),
    Published("jiangsu-2020", "Zhangjiagang (Jiangsu), 2023 (12-point)", 8700,
              {"green": 38, "blue": 8657, "black": 5},
              "https://credit.suzhou.gov.cn/news/show/384054.html (official)",
              "As against Jiangsu 2019; and green comes only from the leader bonus."),
    Published("chongqing-2017", "Chongqing trial evaluation of 100 firms (2017)", 100,
              {"green": 3, "blue": 80, "yellow": 13, "red": 4},
              "https://sthjj.cq.gov.cn/hdjl_249/rddbjyhzxtabljg/201901/t20190128_3795010_wap.html "
              "(official)", _NO_RECORD_GREEN + " In the trial only 3 % reached 100."),
    Published("chongqing-2021", "Chongqing municipal-level firms, 2021 (诚信 only)", 1053,
              {"green": 301},
              "http://xz.hyrbxqpz4.com/news/company/2023/20230228015039.html (secondary copy)",
              _NO_RECORD_GREEN),
    Published("chongqing-2021", "Tongliang (Chongqing), 2023", 115,
              {"green": 4, "blue": 107, "yellow": 0, "red": 4},
              "https://news.cqnews.net/1/detail/1278345320098967552/web/"
              "content_1278345320098967552.html (secondary copy)", _NO_RECORD_GREEN),
    Published("shandong-2020", "Qufu (Shandong), four colours", 1825,
              {"green": 1763, "blue": 35, "yellow": 27, "black": 0},
              "http://fzrzw.com/show-10148-115312-1.html (secondary copy)",
              "Shandong's points standard was not found (values borrowed from 2017): the sample "
              "gives a third of its firms some points, Qufu almost none."),
    Published("hebei-2024", "Shijiazhuang trial estimate (2020): 85 %+ in 守信 or 一般失信", 100,
              {"B": 85},
              "http://sthjj.sjz.gov.cn/eportal3.4/cms/jsp/site001/article.jsp?articleId="
              "8afaa1617490071f0174b4fb597f40d8&fchannelidenty=zhengcexiedu (official)",
              "An estimate of B and C together (counted here as B), for a scheme that gives a new "
              "firm an initial score below 100; the ruleset starts every firm at 100 (A)."),
    Published("guizhou-2019", "Guizhou prov., 2019", 753,
              {"green": 57, "blue": 568, "yellow": 109, "red": 19},
              "http://www.234de.cn/67306.html (secondary copy)"),
)


def misses(pub: Published, grades: Mapping[str, int]) -> list[str]:
    """The grades of ``pub`` the sample ``grades`` (counts by grade id) does not match within
    the tolerance (:data:`TOLERANCE_POINTS`, :data:`SMALL_FACTOR`), each as a short text."""
    n = sum(grades.values())
    out = []
    for g, c in pub.counts.items():
        p, s = 100 * c / pub.rated, 100 * grades.get(g, 0) / n
        if p >= 5:
            ok = abs(s - p) <= TOLERANCE_POINTS
        else:
            ok = s <= 1 if p == 0 else p / SMALL_FACTOR <= s <= p * SMALL_FACTOR
        if not ok:
            out.append(f"{g} {s:.1f} % against {p:.1f} %")
    return out


def comparison_table(root: Path | str = ".") -> str:
    """sample_data/README.md's comparison: per published result, its shares, the sample's,
    and whether they are within the tolerance (and why not)."""
    lines = ["| ruleset | published | rated | published shares | sample shares | within tolerance? |",
             "|---|---|---|---|---|---|"]
    cache: dict[str, dict[str, int]] = {}
    for pub in PUBLISHED:
        pshares = ", ".join(f"{g} {100 * c / pub.rated:.1f} %" for g, c in pub.counts.items())
        if pub.ruleset not in SAMPLE_RUNS:
            lines.append(f"| `{pub.ruleset}` | {pub.place} | {pub.rated:,} | {pshares} | — "
                         f"| — ({pub.why}) |")
            continue
        if pub.ruleset not in cache:
            cache[pub.ruleset] = distribution(pub.ruleset, root)[0]
        grades = cache[pub.ruleset]
        n = sum(grades.values())
        sshares = ", ".join(f"{g} {100 * grades.get(g, 0) / n:.1f} %" for g in pub.counts)
        off = misses(pub, grades)
        verdict = "yes" if not off else f"no: {'; '.join(off)}. {pub.why}"
        lines.append(f"| `{pub.ruleset}` | {pub.place} ({pub.source}) | {pub.rated:,} | {pshares} "
                     f"| {sshares} | {verdict} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ecocredit.synth.fit",
                                 description="Grade distributions of every bundled ruleset on "
                                 "the sample data (a Markdown table).")
    ap.add_argument("--root", default=".", help="repository root (where sample_data/ is)")
    ap.add_argument("--compare", action="store_true",
                    help="print the comparison with the published distributions instead")
    ap.add_argument("rulesets", nargs="*", help="only these (default: all)")
    a = ap.parse_args(argv)
    print(comparison_table(a.root) if a.compare else markdown_table(a.root, a.rulesets or None),
          end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
