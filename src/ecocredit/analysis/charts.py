"""Charts of the analysis pages, drawn with matplotlib as inline SVG.

Each chart is a :class:`matplotlib.figure.Figure` (no pyplot: no global state, no display
backend) saved as SVG text with its text as paths (no font needed to view it) and with
deterministic ids (``svg.hashsalt``). Bars and cells carry links (``Artist.set_url``) to the
rows of the page's tables they stand for, so a click on a bar jumps to those rows. Labels are
ids and codes (ASCII): the Chinese labels are in the tables, where the browser's fonts show them.
"""

from __future__ import annotations

import io
import re
from typing import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["svg", "bar_chart", "stacked_bars", "heatmap", "roc_chart", "lift_chart",
           "calibration_chart", "colour_of"]

_COLOURS = {"green": "#2e8b57", "blue": "#3b6fb6", "yellow": "#e0b000", "red": "#c8102e",
            "black": "#333333", "orange": "#e07b00", "grey": "#999999", "gray": "#999999"}
_CYCLE = ["#3b6fb6", "#e07b00", "#2e8b57", "#c8102e", "#7b4ea3", "#8c564b", "#17becf"]


def colour_of(name: str, i: int = 0) -> str:
    """A chart colour for a grade colour name (or the i-th colour of a cycle)."""
    return _COLOURS.get(str(name).lower(), _CYCLE[i % len(_CYCLE)])


def svg(fig: Figure, chart_id: str) -> str:
    """The figure as SVG text for inlining (no XML prolog, ids unique to ``chart_id``)."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None},
                    bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # matplotlib opens links in a new window; these go to rows of the same page
    text = text.replace(' target="_blank"', "")
    # matplotlib's own element ids repeat from chart to chart (figure_1, axes_1, patch_1):
    # prefix them so that the ids on one page stay unique
    text = re.sub(r'id="((?:figure|axes|patch|line2d|text|matplotlib|legend|xtick|ytick|'
                  r'PolyCollection|QuadMesh|image|PathCollection|LineCollection)[^"]*)"',
                  lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{chart_id}" ', 1)


def _fig(w: float = 7.0, h: float = 3.2) -> tuple[Figure, object]:
    fig = Figure(figsize=(w, h), dpi=96)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def bar_chart(labels: Sequence[str], values: Sequence[float], links: Sequence[str], *,
              colours: Sequence[str] | None = None, xlabel: str = "", ylabel: str = "firms",
              horizontal: bool = False) -> Figure:
    """Bars, one link each."""
    n = len(labels)
    fig, ax = _fig(7.0, max(2.4, 0.28 * n + 0.8) if horizontal else 3.2)
    cols = list(colours) if colours else [colour_of("", 0)] * n
    pos = np.arange(n)
    bars = (ax.barh(pos, values, color=cols) if horizontal else ax.bar(pos, values, color=cols))
    for b, link in zip(bars, links):
        b.set_url(link)
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        ax.set_xticks(pos, labels, rotation=30 if n > 6 else 0, ha="right" if n > 6 else "center")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
    for b, v in zip(bars, values):
        if horizontal:
            ax.annotate(f"{v:g}", (b.get_width(), b.get_y() + b.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate(f"{v:g}", (b.get_x() + b.get_width() / 2, b.get_height()),
                        xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    return fig


def stacked_bars(table: pd.DataFrame, colours: Sequence[str], links: Sequence[str], *,
                 xlabel: str = "firms") -> Figure:
    """Horizontal bars, one per row of ``table`` (index: the row labels), stacked over its
    columns; every segment of a row links to that row's link."""
    n = len(table)
    fig, ax = _fig(7.5, max(2.4, 0.3 * n + 1.0))
    left = np.zeros(n)
    pos = np.arange(n)
    for j, c in enumerate(table.columns):
        vals = table[c].to_numpy(float)
        bars = ax.barh(pos, vals, left=left, color=colours[j], label=str(c))
        for b, link in zip(bars, links):
            b.set_url(link)
        left += vals
    ax.set_yticks(pos, [str(x) for x in table.index])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.legend(ncols=min(6, len(table.columns)), fontsize=8, loc="lower right",
              bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def heatmap(matrix: pd.DataFrame, links: pd.DataFrame, *, xlabel: str, ylabel: str) -> Figure:
    """A count matrix, each non-empty cell linked (``links`` has the same shape)."""
    r, c = matrix.shape
    fig, ax = _fig(1.0 + 0.9 * c, 0.8 + 0.55 * r)
    vals = matrix.to_numpy(float)
    ax.imshow(np.log1p(vals), cmap="Blues", aspect="auto")
    for i in range(r):
        for j in range(c):
            v = int(vals[i, j])
            if v:
                t = ax.text(j, i, str(v), ha="center", va="center", fontsize=9,
                            color="white" if vals[i, j] > vals.max() / 3 else "black")
                t.set_url(links.iat[i, j])
                cell = matplotlib.patches.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False,
                                                    edgecolor="#cccccc", linewidth=0.5)
                cell.set_url(links.iat[i, j])
                ax.add_patch(cell)
    ax.set_xticks(range(c), [str(x) for x in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(r), [str(x) for x in matrix.index])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["left", "bottom"]].set_visible(False)
    return fig


def roc_chart(curves: dict[str, pd.DataFrame], aucs: dict[str, float], link: str) -> Figure:
    """ROC curves of several rulesets on one plot, with the chance diagonal."""
    fig, ax = _fig(5.2, 4.4)
    ax.plot([0, 1], [0, 1], ls=":", color="#999999", label="chance")
    for i, (name, roc) in enumerate(curves.items()):
        (line,) = ax.plot(roc["fpr"], roc["tpr"], marker="o", ms=3, color=colour_of("", i),
                          label=f"{name} (AUC {aucs[name]:.3f})")
        line.set_url(link)
    ax.set_xlabel("false-positive rate (firms without the outcome)")
    ax.set_ylabel("true-positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def lift_chart(tables: dict[str, pd.DataFrame], links: dict[str, str]) -> Figure:
    """Lift of each grade (its outcome rate over the base rate), grouped by ruleset."""
    fig, ax = _fig(7.5, 3.4)
    x0 = 0.0
    ticks, labels = [], []
    for i, (name, t) in enumerate(tables.items()):
        t = t[t["firms"] > 0]
        pos = x0 + np.arange(len(t))
        bars = ax.bar(pos, t["lift"].fillna(0), color=colour_of("", i), label=name)
        for b in bars:
            b.set_url(links[name])
        ticks += list(pos)
        labels += [str(g) for g in t["grade"]]
        x0 = pos[-1] + 2 if len(pos) else x0 + 2
    ax.axhline(1.0, ls=":", color="#999999")
    ax.set_xticks(ticks, labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("lift (rate / base rate)")
    ax.legend(fontsize=8, ncols=3, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return fig


def calibration_chart(tables: dict[str, pd.DataFrame], links: dict[str, str]) -> Figure:
    """Observed rate against predicted rate per grade (point size: firms)."""
    fig, ax = _fig(5.2, 4.4)
    top = 0.05
    for i, (name, t) in enumerate(tables.items()):
        t = t[(t["firms"] > 0) & t["predicted"].notna()]
        sc = ax.scatter(t["predicted"], t["rate"], s=12 + 60 * np.sqrt(t["firms"] / max(
            1, t["firms"].max())), color=colour_of("", i), label=name, alpha=0.8)
        sc.set_urls([links[name]] * len(t))
        if len(t):
            top = max(top, float(t[["predicted", "rate"]].max().max()))
    ax.plot([0, top * 1.05], [0, top * 1.05], ls=":", color="#999999")
    ax.set_xlabel("predicted rate (grade's rate one period earlier)")
    ax.set_ylabel("observed rate")
    ax.legend(fontsize=8, loc="upper left")
    return fig
