"""The public ``report.html`` of a publication: one self-contained page, charts as inline SVG.

The distribution of graded firms by grade, by region (the city: the first four digits of the
GB/T 2260 code, when there are many counties) and by industry (the GB/T 4754 division: the
letter and two digits), drawn with matplotlib into SVG text (no images, scripts or network
requests). Text in the SVG stays text (``svg.fonttype = none``), so the reader's browser draws
the Chinese labels with its own fonts.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import warnings
from typing import Any

import pandas as pd

from ..engine.levels import level_counts
from ..output.i18n import t

__all__ = ["report_html"]

_COLOURS = {"green": "#2e7d32", "blue": "#1565c0", "yellow": "#f9a825", "red": "#c62828",
            "black": "#212121"}


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _stacked(table: pd.DataFrame, colours: list[str], title: str, ylabel: str = "firms") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ecocredit"}):
        fig, ax = plt.subplots(figsize=(min(2 + 0.45 * len(table), 14), 3.6))
        table.plot.bar(stacked=True, ax=ax, color=colours, width=0.8, legend=len(table.columns) > 1)
        ax.set_title(title)
        ax.set_xlabel("")
        ax.set_ylabel(ylabel)
        return _svg(fig)


def _grouping(codes: pd.Series, width: int, many: int = 25, lang: str = "en"
              ) -> tuple[pd.Series, str]:
    """Group codes by their first ``width`` characters when there are more than ``many``."""
    if codes.nunique() > many:
        return codes.str[:width], t("html.first_chars", lang, width=width)
    return codes, ""


def report_html(scores: pd.DataFrame, ruleset: Any, *, title: str, stage: str,
                published_on: dt.date, end: dt.date | None, lang: str = "en") -> str:
    """The HTML page (str) for the saved scores of a run (text columns, as in scores.csv);
    its words in ``lang`` (``en`` or ``zh``, from :mod:`ecocredit.output.i18n`)."""
    s = scores[scores["status"] == "graded"]
    grades = [g.id for g in ruleset.grades]
    labels = {g.id: g.label for g in ruleset.grades}
    colours = [_COLOURS.get(getattr(g, "colour", "") or g.id, "#888888") for g in ruleset.grades]
    by_grade = s["grade"].value_counts().reindex(grades, fill_value=0)
    firms = t("html.firms", lang)
    charts = [_stacked(by_grade.rename("firms").to_frame().T.rename(
        index={"firms": t("html.all", lang)}), colours, t("html.by_grade", lang), firms)]
    tables = []
    for col, name, width in (("region_code", "region", 4), ("industry_code", "industry", 3)):
        if col not in s.columns:
            continue
        key, note = _grouping(s[col].astype(str), width, lang=lang)
        tab = pd.crosstab(key, s["grade"]).reindex(columns=grades, fill_value=0)
        top = tab.sum(axis=1).sort_values(ascending=False).index[:30]
        tab = tab.loc[sorted(top)]
        what = t(f"html.by_{name}", lang) + note
        charts.append(_stacked(tab, colours, what
                               + (t("html.largest", lang) if len(top) == 30 else ""), firms))
        tables.append((what, tab))
    n_not = int((scores["status"] != "graded").sum())
    head = "".join(f"<th>{html.escape(labels[g])}</th>" for g in grades)
    rows = "".join(f"<td>{int(by_grade[g])}</td>" for g in grades)
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{html.escape(stage)}: {published_on}"
             + (html.escape(t("html.objection_window", lang, end=end)) if end else "")
             + "</p>",
             "<p>" + html.escape(t("html.ruleset_line", lang, ruleset=ruleset.id,
                                   version=ruleset.version, graded=len(s),
                                   not_graded=n_not)) + "</p>",
             f"<table><tr>{head}</tr><tr>{rows}</tr></table>"]
    parts += [f"<figure>{c}</figure>" for c in charts]
    if "grade_level" in s.columns:  # sub-levels (档次), for a ruleset that defines them
        lv = [(labels[g], lab, n) for g, _, lab, n in level_counts(ruleset, scores)]
        parts.append("<h2>档次 (sub-levels)</h2><table><tr><th>等级</th><th>档次</th><th>firms</th>"
                     "</tr>" + "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td>"
                                       f"<td>{n}</td></tr>" for a, b, n in lv) + "</table>")
    for name, tab in tables:
        parts.append(f"<h2>{html.escape(name[:1].upper() + name[1:])}</h2>"
                     + tab.rename(columns=labels).to_html(border=0))
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;"
             "text-align:right}figure{margin:1em 0}")
    return ("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
