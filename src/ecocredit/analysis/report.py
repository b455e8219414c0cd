"""The analyst's pages: a scoring run, a what-if and a back-test, each one self-contained HTML
page (charts inline, no network) plus a workbook (``.xlsx``) with the same tables.

:func:`run_report` reads a run directory written by ``ecocredit score``: grades overall, by city
and by industry, the red and black lists, the rules that moved the most points, and the changes
against the previous published period when the run read a history table. :func:`whatif_report`
and :func:`backtest_report` build the pages of :func:`~ecocredit.analysis.whatif.whatif` and
:func:`~ecocredit.analysis.backtest.backtest`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import EcocreditError, InputError
from ..read import read_table
from ..ruleset import load_ruleset
from ..output.i18n import REPORT_HEADERS, REPORT_SHEETS, RUN_HEADERS
from ..output.i18n import t as t_  # (``t`` names tables here)
from ..output.summary import rows_rejected_in
from .page import Chart, Section, anchor, page_html, table_html

__all__ = ["Report", "run_report", "whatif_report", "backtest_report", "write_report"]

ROWS_SHOWN = 500


@dataclass
class Report:
    """A page and the tables behind it (sheet name → table, for the workbook)."""

    html: str
    tables: dict[str, pd.DataFrame]
    charts: list[str]
    lang: str = "en"

    def xlsx(self) -> bytes:
        """The workbook: one sheet per table (Chinese sheet names and headers in ``zh``)."""
        from ..output.xlsx import xlsx_bytes  # the shared writer: ids and all text as text cells

        if self.lang != "zh":
            return xlsx_bytes(self.tables)
        sheets = {_zh_sheet(k): v for k, v in self.tables.items()}
        return xlsx_bytes(sheets, headers=_HEADERS_ZH)


#: the Chinese headers of the report's tables (the catalog's run and report headers)
_HEADERS_ZH = {**RUN_HEADERS, **REPORT_HEADERS}


def _zh_sheet(name: str) -> str:
    for en, zh in REPORT_SHEETS.items():
        if name.startswith(en):
            return (zh + name[len(en):])[:31]
    return name


def write_report(report: Report, out_html: str | Path) -> tuple[Path, Path]:
    """Write ``report.html`` and, beside it, the workbook with the same stem (atomically)."""
    from ..output import write_files_atomically

    p = Path(out_html)
    xl = p.with_suffix(".xlsx")
    write_files_atomically(p.parent if str(p.parent) else ".",
                           {xl.name: report.xlsx(), p.name: report.html.encode("utf-8")})
    return p, xl


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _grade_info(manifest: dict, scores: pd.DataFrame) -> tuple[list[str], dict, dict]:
    """Grade ids best first, their labels and chart colours (from the run's ruleset)."""
    from . import charts  # matplotlib, imported when a page is drawn
    info = manifest.get("ruleset", {})
    try:
        src = info.get("source") or info.get("id")
        rs = load_ruleset(src if src and Path(src).exists() else info.get("id"))
        return (rs.grade_ids, {g.id: g.label for g in rs.grades},
                {g.id: charts.colour_of(g.colour or g.id, i) for i, g in enumerate(rs.grades)})
    except EcocreditError:
        ids = [g for g in dict.fromkeys(scores["grade"]) if g]
        return ids, {g: g for g in ids}, {g: charts.colour_of(g, i) for i, g in enumerate(ids)}


def _grade_of(scores: pd.DataFrame) -> pd.Series:
    return scores["grade"].where(scores["status"] == "graded", "not_graded")


def _heads(lang: str) -> dict[str, str] | None:
    return _HEADERS_ZH if lang == "zh" else None


def _grade_section(scores: pd.DataFrame, order: list[str], labels: dict, colours: dict,
                   lang: str = "en") -> tuple[Section, pd.DataFrame]:
    from . import charts  # matplotlib, imported when a page is drawn
    g = _grade_of(scores)
    counts = g.value_counts().reindex(order + ["not_graded"], fill_value=0)
    t = pd.DataFrame({"grade": counts.index, "label": [labels.get(x, t_("score.not_graded", lang))
                                                        for x in counts.index],
                      "firms": counts.to_numpy(int)})
    t["share"] = (t["firms"] / max(1, t["firms"].sum())).round(4)
    fig = charts.bar_chart(list(t["grade"]), list(t["firms"]),
                           [f"#{anchor('grades', x)}" for x in t["grade"]],
                           colours=[colours.get(x, "#999999") for x in t["grade"]])
    ch = Chart("grades", charts.svg(fig, "grades"), "grades", t_("report.grades_caption", lang))
    return Section("sec-grades", t_("report.grades", lang), [ch],
                   [table_html(t, "grades", key="grade", lang=lang, headers=_heads(lang))]), t


def _levels_section(scores: pd.DataFrame, order: list[str], labels: dict
                    ) -> tuple[Section, pd.DataFrame]:
    """Graded firms per grade and sub-level (档次), for a ruleset that defines levels."""
    g = scores[(scores["status"] == "graded") & (scores["grade_level"] != "")]
    t = g.groupby(["grade", "grade_level"]).size().rename("firms").reset_index()
    t["rank"] = t["grade"].map({x: i for i, x in enumerate(order)})
    t = t.sort_values(["rank", "grade_level"]).drop(columns="rank").reset_index(drop=True)
    t.insert(1, "label", t["grade"].map(labels))
    return Section("sec-levels", "Sub-levels (档次)", [],
                   [table_html(t, "levels", key="grade")]), t


def _by_group(scores: pd.DataFrame, key: pd.Series, name: str, title: str, order: list[str],
              colours: dict, lang: str = "en") -> tuple[Section, pd.DataFrame]:
    from . import charts  # matplotlib, imported when a page is drawn
    g = _grade_of(scores)
    t = pd.crosstab(key.rename(name), g).reindex(columns=order + ["not_graded"], fill_value=0)
    t.columns.name = None
    t["firms"] = t.sum(axis=1)
    shown = t.sort_values("firms", ascending=False).head(25)
    cols = order + ["not_graded"]
    fig = charts.stacked_bars(shown[cols], [colours.get(c, "#bbbbbb") for c in cols],
                              [f"#{anchor(name, x)}" for x in shown.index])
    tid = name
    ch = Chart(name, charts.svg(fig, name), tid,
               t_("report.by_caption", lang, title=title, shown=len(shown), total=len(t)))
    table = t.reset_index()
    return Section(f"sec-{name}", t_("report.by", lang, title=title), [ch],
                   [table_html(table, tid, key=name, filter_box=True, lang=lang,
                               headers=_heads(lang))]), table


def _lists_section(scores: pd.DataFrame, lang: str = "en"
                   ) -> tuple[Section, dict[str, pd.DataFrame]]:
    from . import charts  # matplotlib, imported when a page is drawn
    cols = [c for c in ("firm_id", "name", "grade", "score", "list", "list_until", "rules_applied",
                        "region_code", "industry_code") if c in scores.columns]
    body, tables, names, values, links = [], {}, [], [], []
    for lst in ("black", "red"):
        rows = scores[scores.get("list", pd.Series("", index=scores.index)) == lst][cols]
        tables[f"{lst} list"] = rows.reset_index(drop=True)
        names.append(lst)
        values.append(len(rows))
        links.append(f"#list-{lst}")
        body.append(f"<h3>{html.escape(t_(f'report.list_{lst}', lang, n=len(rows)))}</h3>")
        body.append(table_html(rows, f"list-{lst}", key="firm_id", limit=ROWS_SHOWN,
                               filter_box=True, lang=lang, headers=_heads(lang)))
    fig = charts.bar_chart(names, values, links, colours=["#333333", "#c8102e"])
    ch = Chart("lists", charts.svg(fig, "lists"), "list-black", t_("report.lists_caption", lang))
    return Section("sec-lists", t_("report.lists", lang), [ch], body), tables


def _rules_section(contrib: pd.DataFrame, lang: str = "en") -> tuple[Section, pd.DataFrame]:
    from . import charts  # matplotlib, imported when a page is drawn
    c = contrib.copy()
    cents = np.round(pd.to_numeric(c["points"], errors="coerce").fillna(0) * 100).astype(np.int64)
    c["cents"] = cents
    c["abs"] = cents.abs()
    lab = c["label"] if "label" in c.columns else pd.Series("", index=c.index)
    c["label_"] = lab
    g = c.groupby("rule_id", sort=False)
    t = pd.DataFrame({"rule_id": list(g.groups),
                      "label": g["label_"].first().to_numpy(object),
                      "kind": g["kind"].first().to_numpy(object) if "kind" in c.columns else "",
                      "firms": g["firm_id"].nunique().to_numpy(int),
                      "points_total": (g["cents"].sum() / 100).to_numpy(float),
                      "points_moved": (g["abs"].sum() / 100).to_numpy(float)})
    t = t.sort_values(["points_moved", "firms"], ascending=False, kind="stable").reset_index(
        drop=True)
    top = t[t["points_moved"] > 0].head(15)  # vetoes and list entries move no points: table only
    fig = charts.bar_chart(list(top["rule_id"]), list(top["points_moved"]),
                           [f"#{anchor('rules', x)}" for x in top["rule_id"]],
                           horizontal=True, ylabel="points moved (sum of |points|)")
    ch = Chart("rules", charts.svg(fig, "rules"), "rules", t_("report.rules_caption", lang))
    return Section("sec-rules", t_("report.rules", lang), [ch],
                   [table_html(t, "rules", key="rule_id", filter_box=True, lang=lang,
                               headers=_heads(lang))]), t


def _history_section(scores: pd.DataFrame, manifest: dict, order: list[str], lang: str = "en"
                     ) -> tuple[Section | None, dict[str, pd.DataFrame], str]:
    from . import charts  # matplotlib, imported when a page is drawn
    info = manifest.get("inputs", {}).get("history")
    if not info:
        return None, {}, t_("report.no_history", lang)
    try:
        h = read_table(info["path"], "history")
    except (EcocreditError, OSError) as exc:
        return None, {}, t_("report.history_unreadable", lang, why=exc)
    period = manifest.get("options", {}).get("period", "")
    h = h.astype(str)
    earlier = sorted(p for p in set(h["period"]) if len(p) == len(period) and p < period)
    if not earlier:
        return None, {}, t_("report.no_earlier", lang, period=period)
    prev = earlier[-1]
    hp = h[h["period"] == prev].drop_duplicates("firm_id", keep="last").set_index("firm_id")
    now = _grade_of(scores)
    before = hp["grade"].reindex(scores["firm_id"]).fillna("").replace("", "(none)")
    move = pd.DataFrame({"firm_id": scores["firm_id"].to_numpy(object),
                         "name": scores["name"].to_numpy(object),
                         "grade_before": before.to_numpy(object),
                         "grade_now": now.to_numpy(object),
                         "list_before": hp.get("list", pd.Series(dtype=str)).reindex(
                             scores["firm_id"]).fillna("").to_numpy(object),
                         "list_now": scores.get("list", "").to_numpy(object)})
    seen = set(move["grade_before"]) | set(move["grade_now"])
    extra = sorted(seen - set(order) - {"not_graded", "(none)"})  # grades of another scheme
    rows = order + extra + ["not_graded", "(none)"]
    m = pd.crosstab(move["grade_before"], move["grade_now"]).reindex(
        index=[r for r in rows if r in set(move["grade_before"])],
        columns=[r for r in rows if r in set(move["grade_now"])], fill_value=0)
    links = pd.DataFrame([[f"#{anchor('moves', a, b)}" for b in m.columns] for a in m.index],
                         index=m.index, columns=m.columns)
    fig = charts.heatmap(m, links, xlabel=f"grade {period}", ylabel=f"grade {prev}")
    ch = Chart("changes", charts.svg(fig, "changes"), "moves",
               t_("report.changes_caption", lang, prev=prev))
    rank = {g: i for i, g in enumerate(rows)}
    pairs = (move.groupby(["grade_before", "grade_now"]).size().rename("firms").reset_index()
             .sort_values(["grade_before", "grade_now"], key=lambda c: c.map(rank),
                          kind="stable").reset_index(drop=True))
    changed = move[(move["grade_before"] != move["grade_now"])
                   | (move["list_before"] != move["list_now"])].reset_index(drop=True)
    heads = _heads(lang)
    body = [table_html(pairs, "moves", key=lambda r: f"{r['grade_before']}-{r['grade_now']}",
                       lang=lang, headers=heads),
            "<h3>" + html.escape(t_("report.changed_firms", lang, prev=prev, n=len(changed)))
            + "</h3>",
            table_html(changed, "moved-firms", key="firm_id", limit=ROWS_SHOWN, filter_box=True,
                       lang=lang, headers=heads)]
    sec = Section("sec-changes", t_("report.changes", lang, prev=prev), [ch], body)
    return sec, {"transitions": pairs, "changed since " + prev: changed}, ""


def run_report(run_dir: str | Path, lang: str = "en") -> Report:
    """The page of a scoring run saved in ``run_dir`` (by ``ecocredit score``).

    Parameters
    ----------
    run_dir : str or Path
        The output directory of ``ecocredit score``.
    lang : {'en', 'zh'}
        The language of the page's words and of the workbook's sheet names and headers
        (:mod:`ecocredit.output.i18n`); the values (grade ids, rule ids, codes) stay as the
        run wrote them.

    Returns
    -------
    Report

    Raises
    ------
    ValueError
        ``lang`` is not ``en`` or ``zh``.
    ReplayError
        If the directory holds no run manifest.
    InputError
        If scores.csv or contributions.csv is missing.
    """
    from ..audit import read_manifest  # internal (audit/ in issue 9): the manifest reader
    from ..output.i18n import check_lang

    check_lang(lang)
    d = Path(run_dir)
    manifest = read_manifest(d)
    try:
        scores = _read_csv(d / "scores.csv")
        contrib = _read_csv(d / "contributions.csv")
    except FileNotFoundError as exc:
        raise InputError(f"{run_dir}: {Path(exc.filename).name} is missing; is this "
                         "a complete run?", reason_code="missing_output") from None
    order, labels, colours = _grade_info(manifest, scores)
    rs, opts = manifest.get("ruleset", {}), manifest.get("options", {})
    sections, tables = [], {}
    sec, tab = _grade_section(scores, order, labels, colours, lang)
    sections.append(sec)
    tables["grades"] = tab
    if "grade_level" in scores.columns:
        sec, t = _levels_section(scores, order, labels)
        sections.append(sec)
        tables["levels"] = t
    region = scores.get("region_code", pd.Series("", index=scores.index)).astype(str)
    industry = scores.get("industry_code", pd.Series("", index=scores.index)).astype(str)
    for key, name in ((region.str[:4] + "00", "city"),
                      (industry.str[:3].replace("", "(none)"), "industry")):
        sec, tab = _by_group(scores, key, name, t_(f"report.{name}", lang), order, colours, lang)
        sections.append(sec)
        tables[f"by {name}"] = tab
    sec, lt = _lists_section(scores, lang)
    sections.append(sec)
    tables.update(lt)
    sec, tab = _rules_section(contrib, lang)
    sections.append(sec)
    tables["rules"] = tab
    hsec, ht, note = _history_section(scores, manifest, order, lang)
    if hsec is not None:
        sections.append(hsec)
        tables.update(ht)
    else:
        sections.append(Section("sec-changes", t_("report.changes_none", lang), [],
                                [f'<p class="note">{html.escape(note)}</p>']))
    as_of = t_("report.as_of", lang, as_of=opts["as_of"]) if opts.get("as_of") else ""
    lines = [t_("report.line_ruleset", lang, ruleset=rs.get("id", "?"),
               version=rs.get("version", ""), period=opts.get("period", "?"),
               date=opts.get("evaluation_date", "?"), as_of=as_of),
             t_("report.line_counts", lang, firms=len(scores),
               graded=int((scores["status"] == "graded").sum()),
               rejects=rows_rejected_in(manifest)),
             t_("report.line_run", lang, dir=d.resolve(), version=__version__)]
    title = t_("report.title", lang, ruleset=rs.get("id", "?"), period=opts.get("period", ""))
    return _report(title, lines, sections, tables, lang)


def _report(title: str, lines: list[str], sections: list[Section],
            tables: dict[str, pd.DataFrame], lang: str = "en") -> Report:
    ids = [c.id for s in sections for c in s.charts]
    return Report(page_html(title, lines, sections, lang),
                  {k[:31]: v for k, v in tables.items()}, ids, lang)


def whatif_report(w: Any) -> Report:
    """The page of a :class:`~ecocredit.analysis.whatif.WhatIfResult`."""
    from . import charts  # matplotlib, imported when a page is drawn
    a, b = w.baseline.ruleset, w.reform.ruleset
    m = w.matrix()
    links = pd.DataFrame([[f"#{anchor('transitions', f, t)}" for t in m.columns]
                          for f in m.index], index=m.index, columns=m.columns)
    fig = charts.heatmap(m, links, xlabel=f"reform: {b.id} {b.version}",
                         ylabel=f"baseline: {a.id} {a.version}")
    sections = [Section("sec-transitions", "Transition matrix",
                        [Chart("transitions", charts.svg(fig, "transitions"), "transitions",
                               "Firms by baseline grade (rows) and reform grade (columns).")],
                        [table_html(w.transitions, "transitions",
                                    key=lambda r: f"{r['from_grade']}-{r['to_grade']}")])]
    dcol = {"up": "#2e8b57", "down": "#c8102e", "same": "#cccccc", "changed": "#e07b00"}
    for t, name, title in ((w.by_region, "city_code", "city"),
                           (w.by_industry, "industry_division", "industry division")):
        cols = [c for c in ("up", "down", "changed") if c in t.columns]
        moved = t[cols].sum(axis=1)
        shown = t.assign(_m=moved).sort_values(["_m", "firms"], ascending=False, kind="stable")
        shown = shown[shown["_m"] > 0].head(25).set_index(name)
        if shown.empty:
            shown = t.head(1).set_index(name)
        fig = charts.stacked_bars(shown[cols], [dcol[c] for c in cols],
                                  [f"#{anchor(name, x)}" for x in shown.index],
                                  xlabel="firms whose grade changed")
        sections.append(Section(f"sec-{name}", f"Changes by {title}", [Chart(
            name, charts.svg(fig, name), name, f"Firms up or down per {title}.")],
            [table_html(t, name, key=name, filter_box=True)]))
    cons = w.consequences
    fig = charts.bar_chart([f"{r.consequence[:18]} {k}" for r in cons.itertuples()
                            for k in ("newly", "no longer")],
                           [v for r in cons.itertuples() for v in (r.newly, r.no_longer)],
                           [f"#{anchor('consequences', r.consequence)}" for r in cons.itertuples()
                            for _ in (0, 1)], horizontal=True, ylabel="firms")
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in w.notes)
    sections.append(Section("sec-consequences", "Consequences that change", [Chart(
        "consequences", charts.svg(fig, "consequences"), "consequences",
        "Firms newly on, or no longer on, each consequence.")],
        [table_html(cons, "consequences", key="consequence"), notes]))
    sections.append(Section("sec-changes", f"Firms that change ({len(w.changes):,})", [],
                            [table_html(w.changes, "changes", key="firm_id", limit=ROWS_SHOWN,
                                        filter_box=True)]))
    lines = [f"Baseline {a.id} {a.version}; reform {b.id} {b.version}"
             + (f" ({w.reform_doc.source})" if w.reform_doc else ""),
             f"Period {w.baseline.period.label}; {len(w.baseline.scores):,} firms, "
             f"{len(w.changes):,} change; inputs validated "
             + ("once for both" if w.shared_inputs else "for each ruleset (different vocabularies)")]
    tables = {"changes": w.changes, "transitions": w.transitions, "matrix": m.reset_index(),
              "by city": w.by_region, "by industry": w.by_industry, "consequences": cons}
    return _report(f"What-if: {a.id} → {b.id} {b.version}", lines, sections, tables)


def backtest_report(bt: Any) -> Report:
    """The page of a :class:`~ecocredit.analysis.backtest.BacktestResult`."""
    from . import charts  # matplotlib, imported when a page is drawn
    names = [r.ruleset.id for r in bt.results]
    aucs = {r.ruleset.id: float(r.metrics.set_index("metric").loc["auc", "value"])
            for r in bt.results}
    links = {n: f"#{anchor('by-grade', n)}" for n in names}
    tables = {n: r.by_grade for n, r in zip(names, bt.results)}
    figs = [Chart("roc", charts.svg(charts.roc_chart({r.ruleset.id: r.roc for r in bt.results},
                                                     aucs, "#metrics"), "roc"), "metrics",
                  "ROC curve of the grades (each point a grade cut-off)."),
            Chart("lift", charts.svg(charts.lift_chart(tables, links), "lift"), "by-grade",
                  "Lift of each grade: its outcome rate over the base rate."),
            Chart("calibration", charts.svg(charts.calibration_chart(tables, links),
                                            "calibration"), "by-grade",
                  "Observed rate against the rate the grade had one period earlier.")]
    summary = bt.summary().reset_index()
    body = [table_html(summary, "summary", key="ruleset"),
            table_html(bt.metrics, "metrics", key=lambda r: f"{r['ruleset']}-{r['metric']}",
                       caption="95 % percentile bootstrap intervals.")]
    grade_body = ['<div id="by-grade"></div>']
    for r in bt.results:
        grade_body += [f'<h3 id="{anchor("by-grade", r.ruleset.id)}">{html.escape(r.ruleset.id)}'
                       f" (prediction from {html.escape(r.calibration)})</h3>",
                       table_html(r.by_grade, f"grades-{anchor(r.ruleset.id)}", key="grade")]
    sections = [Section("sec-metrics", "Metrics", figs[:1], body),
                Section("sec-by-grade", "Lift and calibration by grade", figs[1:], grade_body)]
    lines = [f"Grades of {bt.period}; outcome: {bt.outcome_kind} in {bt.outcome_period}",
             f"{len(bt.firm_ids):,} firms graded under every ruleset, "
             f"{int(bt.outcome.sum()):,} with the outcome ({bt.outcome.mean():.1%})"]
    return _report(f"Back-test: grades {bt.period} → {bt.outcome_kind} {bt.outcome_period}",
                   lines, sections, {"metrics": bt.metrics, "by grade": bt.by_grade,
                                     "summary": summary})

