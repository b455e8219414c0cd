"""One self-contained HTML page: inline CSS, inline SVG charts, tables with anchored rows.

Nothing on the page is fetched from the network: no fonts, scripts or images from elsewhere.
Every value from the data is HTML-escaped (a firm's name cannot inject markup). Each chart is a
``<figure class="chart" data-chart=ID>`` whose caption links to the table behind it, and whose
bars link to that table's rows (``id`` = table id + ``-`` + the row's key).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from collections.abc import Callable, Mapping

import pandas as pd

from ..output.i18n import t

__all__ = ["Section", "Chart", "anchor", "table_html", "page_html"]

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",system-ui,sans-serif;
margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:16px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;opacity:.9;font-size:14px}
nav{padding:8px 28px;background:#e8eef4;font-size:14px}nav a{margin-right:14px;color:#1f3b57}
main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:18px 0;padding:8px 18px 16px}
h2{font-size:18px;border-bottom:2px solid #1f3b57;padding-bottom:4px}
figure.chart{margin:8px 0 14px}figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:#555}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6;position:sticky;top:0}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:target{background:#ffe08a}tr:target td{font-weight:600}
.note{font-size:13px;color:#666}.more{font-size:12px;color:#888}
input.filter{font-size:13px;margin:4px 0;padding:2px 6px;width:260px}
"""

# filters the rows of the table that follows the box (plain DOM, no library)
_JS = """
document.querySelectorAll('input.filter').forEach(function (box) {
  box.addEventListener('input', function () {
    var q = box.value.toLowerCase();
    var t = document.getElementById(box.dataset.table);
    if (!t) { return; }
    t.querySelectorAll('tbody tr').forEach(function (tr) {
      tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
"""


def anchor(*parts: object) -> str:
    """An element id from parts (letters, digits, ``_`` and ``-`` only)."""
    return "-".join(re.sub(r"[^A-Za-z0-9_.\-]", "_", str(p)) for p in parts)


@dataclass
class Chart:
    """An inline SVG chart and the table (anchor) holding the rows behind it."""

    id: str
    svg: str
    target: str
    caption: str = ""


@dataclass
class Section:
    """A titled part of the page: charts, then tables (HTML) and notes."""

    id: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    body: list[str] = field(default_factory=list)


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return "<td></td>"
    if isinstance(v, float):
        return f'<td class="num">{v:.4g}</td>'
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return f'<td class="num">{v}</td>'
    return f"<td>{html.escape(str(v))}</td>"


def table_html(df: pd.DataFrame, table_id: str, *, key: str | Callable[[pd.Series], str] |
               None = None, limit: int | None = None, caption: str = "",
               filter_box: bool = False, lang: str = "en",
               headers: Mapping[str, str] | None = None) -> str:
    """A table whose rows carry ids ``<table_id>-<key>`` (``key``: a column, or a function of
    the row), at most ``limit`` rows (the rest are in the workbook); column ``c`` is headed
    ``headers[c]`` when given, its words in ``lang``."""
    shown = df if limit is None or len(df) <= limit else df.head(limit)
    names = headers or {}
    head = "".join(f"<th>{html.escape(str(names.get(str(c), c)))}</th>" for c in df.columns)
    rows = []
    for _, r in shown.iterrows():
        rid = ""
        if key is not None:
            k = r[key] if isinstance(key, str) else key(r)
            rid = f' id="{anchor(table_id, k)}"'
        rows.append(f"<tr{rid}>" + "".join(_cell(v) for v in r.tolist()) + "</tr>")
    out = []
    if caption:
        out.append(f'<p class="note">{html.escape(caption)}</p>')
    if filter_box:
        out.append(f'<input class="filter" type="search" placeholder="{t("page.filter", lang)}" '
                   f'data-table="{table_id}" aria-label="filter {table_id}">')
    out.append(f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>'
               + "".join(rows) + "</tbody></table>")
    if len(shown) < len(df):
        out.append('<p class="more">' + html.escape(t("page.more", lang, shown=len(shown),
                                                      total=len(df))) + "</p>")
    return "\n".join(out)


def page_html(title: str, lines: list[str], sections: list[Section], lang: str = "en") -> str:
    """The whole page (its own words in ``lang``)."""
    nav = "".join(f'<a href="#{s.id}">{html.escape(s.title)}</a>' for s in sections)
    parts = ["<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<header><h1>{html.escape(title)}</h1>"
             + "".join(f"<p>{html.escape(x)}</p>" for x in lines) + "</header>",
             f"<nav>{nav}</nav><main>"]
    for s in sections:
        parts.append(f'<section id="{s.id}"><h2>{html.escape(s.title)}</h2>')
        for c in s.charts:
            cap = html.escape(c.caption) + " " if c.caption else ""
            parts.append(f'<figure class="chart" id="chart-{c.id}" data-chart="{c.id}">{c.svg}'
                         f'<figcaption>{cap}<a href="#{c.target}">'
                         f'{html.escape(t("page.rows_behind", lang))}</a>'
                         f'{html.escape(t("page.click", lang))}</figcaption></figure>')
        parts += s.body
        parts.append("</section>")
    parts.append(f"</main><script>{_JS}</script></body></html>")
    return "\n".join(parts) + "\n"
