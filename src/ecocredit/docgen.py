"""Generated documentation: the input data format (``docs/data-format.md``).

The page is written from the vocabularies the ingest validates with (:mod:`ecocredit.vocab`:
tables, columns, Chinese aliases, event types, severities, media, statuses, lists, reason codes)
and from :data:`COLUMN_FORMATS` below, which says for every column its type, its values and the
reason code a bad value gets in ``rejects.csv``. ``tests/test_docs.py`` regenerates the page and
compares it with the file, and feeds every documented bad value through :func:`ecocredit.score`
to check that it is rejected with the documented reason code, so the page cannot drift from the
code.

Regenerate after changing the vocabulary::

    python -m ecocredit.docgen data-format > docs/data-format.md
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ecocredit.vocab import (
    ADMIN_EVENT_TYPES,
    BOOLEAN_VALUES,
    COLUMN_ALIASES,
    CONTRACT_VERSION,
    EVENT_TYPES,
    FIRM_STATUSES,
    LISTS,
    MEDIA,
    PERMIT_TYPES,
    POSITIVE_EVENT_TYPES,
    REASON_CODES,
    SEVERITIES,
    SUPERVISION_CLASSES,
    TABLES,
    VALUE_ALIASES,
)

__all__ = ["COLUMN_FORMATS", "RECORD_REASON_CODES", "UNUSED_REASON_CODES", "Column", "data_format_markdown", "main"]


@dataclass(frozen=True)
class Column:
    """How one input column is read.

    Attributes
    ----------
    type : str
        ``text``, ``date``, ``decimal``, ``boolean``, ``code`` (a closed vocabulary) or ``period``.
    values : str
        The values it takes, in one line of Markdown.
    rejects : tuple of (reason_code, example bad value)
        What a bad value gets in ``rejects.csv``; the example is checked by the tests (an
        empty example means the empty value, a value prefixed ``dup:`` repeats an earlier one).
    """

    type: str
    values: str
    rejects: tuple[tuple[str, str], ...] = ()


def _codes(values: object) -> str:
    return ", ".join(f"`{v}`" for v in values)  # type: ignore[attr-defined]


def _with_zh(table: str, column: str, labels: Mapping[str, str] | None = None) -> str:
    aliases = VALUE_ALIASES.get(column, {})
    parts = [_codes(labels or ())] if labels else []
    if aliases:
        parts.append("in Chinese " + ", ".join(f"`{k}` (= `{v}`)" for k, v in aliases.items()))
    return "; ".join(parts)


_DATE = "an ISO date `YYYY-MM-DD`"
_BOOL = ("`true` or `false`; also " + ", ".join(f"`{k}`" for k in BOOLEAN_VALUES
                                                if k not in ("true", "false"))
         + "; or empty")

#: table → column → how it is read; the columns of :data:`ecocredit.vocab.TABLES`, in order
COLUMN_FORMATS: Mapping[str, Mapping[str, Column]] = MappingProxyType({
    "firms": MappingProxyType({
        "firm_id": Column("text", "the 18-character unified social credit code "
                          "(统一社会信用代码), GB 32100-2015 check character and structure verified, "
                          "and the GB 11714 check character of the organisation code it embeds "
                          "(characters 9-17); upper-cased; unique",
                          (("missing_value", ""), ("bad_credit_code", "91360102000000001X"),
                           ("bad_org_code", "91360102000000010K"),
                           ("duplicate_id", "dup:"))),
        "name": Column("text", "the firm's name", (("missing_value", ""),)),
        "region_code": Column("code", "a 6-digit GB/T 2260 administrative division code "
                              "(`360102`)", (("missing_value", ""), ("bad_region_code", "36010"))),
        "industry_code": Column("text", "the GB/T 4754 industry code, as given (rulesets may "
                                "match on it)"),
        "supervision_class": Column("code", _codes(SUPERVISION_CLASSES) + " (lower case "
                                    "accepted) or empty", (("bad_value", "D"),)),
        "key_discharger": Column("boolean", _BOOL, (("bad_value", "maybe"),)),
        "permit_type": Column("code", _with_zh("firms", "permit_type", dict.fromkeys(PERMIT_TYPES))
                              + "; or empty", (("bad_value", "major"),)),
        "positive_list": Column("boolean", _BOOL, (("bad_value", "maybe"),)),
        "status": Column("code", _with_zh("firms", "status", dict.fromkeys(FIRM_STATUSES))
                         + "; empty = `operating`", (("bad_value", "bankrupt"),)),
        "included_since": Column("date", _DATE + ", the day the firm entered the evaluation",
                                 (("bad_date", "2024-02-30"), ("future_date", "2099-01-01"))),
    }),
    "events": MappingProxyType({
        "event_id": Column("text", "the record's identifier, unique in the table",
                           (("missing_value", ""), ("duplicate_id", "dup:"))),
        "firm_id": Column("text", "a `firm_id` of an accepted row of the firms table",
                          (("missing_value", ""), ("unknown_firm", "91360102MA00000003"))),
        "event_date": Column("date", _DATE + ": the day of the decision, finding or event",
                             (("missing_value", ""), ("bad_date", "01/03/2025"),
                              ("future_date", "2099-01-01"))),
        "event_type": Column("code", "an event type below (code or its Chinese name), or one "
                             "the ruleset declares in `event_types`",
                             (("missing_value", ""), ("unknown_event_type", "littering"))),
        "amount": Column("decimal", "yuan, at most two decimals (fen), thousands separators "
                         "allowed (`12,500.50`); the fine of a `fine`",
                         (("bad_number", "12.345"), ("negative_amount", "-100"),
                          ("amount_unit", "5万"))),
        "severity": Column("code", _with_zh("events", "severity", SEVERITIES)
                           + " (least to most serious); or empty", (("bad_value", "huge"),)),
        "medium": Column("code", _with_zh("events", "medium", MEDIA) + "; or empty",
                         (("bad_value", "light"),)),
        "ref_event_id": Column("text", "the `event_id` of an accepted record of the same firm; "
                               "required on a `revocation` (the record it cancels: "
                               "`missing_value` without it)",
                               (("unknown_ref_event", "EV-NONE"),)),
        "recorded_at": Column("date", _DATE + ", the day the record was entered (`--as-of` "
                              "ignores records entered later); empty = `event_date`",
                              (("bad_date", "yesterday"), ("future_date", "2099-01-01"),
                               ("recorded_before_event", "2020-01-01"))),
    }),
    "measurements": MappingProxyType({
        "firm_id": Column("text", "a `firm_id` of an accepted firm",
                          (("missing_value", ""), ("unknown_firm", "91360102MA00000003"))),
        "period": Column("period", "`YYYY` or `YYYY-MM`", (("missing_value", ""),
                                                           ("bad_period", "2025Q1"))),
        "indicator": Column("text", "an indicator id the ruleset declares (`ecocredit lint` "
                            "shows them in the ruleset file); other indicators are accepted "
                            "and not used", (("missing_value", ""),
                                             ("duplicate_measurement", "dup:"))),
        "value": Column("decimal", "a number for a numeric indicator (`0.95`, `1e-3`), one of "
                        "the declared values for a categorical one (`pass`)",
                        (("missing_value", ""), ("bad_number", "high"),
                         ("out_of_domain", "95"))),
    }),
    "history": MappingProxyType({
        "firm_id": Column("text", "a `firm_id` of an accepted firm",
                          (("missing_value", ""), ("unknown_firm", "91360102MA00000003"))),
        "period": Column("period", "`YYYY` or `YYYY-MM`; one record per firm and period",
                         (("missing_value", ""), ("bad_period", "25"),
                          ("duplicate_history", "dup:"))),
        "grade": Column("code", "a grade id of the ruleset (`ecocredit explain` and the ruleset "
                        "file name them)", (("missing_value", ""), ("unknown_grade", "AAA"))),
        "list": Column("code", _with_zh("history", "list", dict.fromkeys(LISTS)) + "; or empty",
                       (("bad_value", "grey"),)),
        "list_until": Column("date", _DATE + ", the last day of the published list entry; "
                             "empty = the ruleset's duration", (("bad_date", "2025-13-01"),)),
    }),
})

#: reason codes that concern a whole row or file rather than one column's value, and where
RECORD_REASON_CODES: Mapping[str, str] = MappingProxyType({
    "extra_field": "a CSV row with more fields than the header (that row only)",
    "bare_cr": "a carriage return alone inside an unquoted CSV field (that row only)",
    "undecodable": "a row of a UTF-8 file whose bytes are not UTF-8 (e.g. one GB18030 row)",
    "formula_no_value": "an Excel cell holding a formula without a saved value",
    "merged_cell": "an Excel row covered by merged cells (the range is named)",
    "revocation_cycle": "`events.ref_event_id`: a revocation of itself, or revocations that "
                        "revoke each other in a cycle",
})

#: reason codes of the closed set that the ingest does not emit today, and why
UNUSED_REASON_CODES: Mapping[str, str] = MappingProxyType({
    "unknown_indicator": "reserved: a measurement of an indicator the ruleset does not declare "
                         "is accepted and not used",
})

_EVENT_GROUPS = (
    ("penalties and orders", "warning", "listed_supervision"),
    ("violations found", "exceedance", "self_monitoring_failure"),
    ("incidents and social supervision", "incident", "red_card"),
    ("positive and remedial", "rectification_completed", "cleaner_production_audit"),
    ("administrative", "revocation", "revocation"),
)

_INTRO = f"""\
# Input data format

<!-- GENERATED by `python -m ecocredit.docgen data-format` from src/ecocredit/vocab.py and
src/ecocredit/docgen.py; tests/test_docs.py fails when this file differs. Do not edit by hand. -->

Version {CONTRACT_VERSION} of the data format. `ecocredit score` (and `ecocredit.score()`, the
supervision commands) read four tables: `firms` and `events` (required), `measurements` and
`history` (optional).

**Files.** CSV (UTF-8, UTF-8 with BOM, or GB18030; comma-separated; one header row), Excel
`.xlsx` or Parquet; in Python also a pandas DataFrame. Every value is read as text and checked.

**Excel sheets.** Every sheet whose first row holds the table's required columns is read, in
workbook order. To read one sheet only, name it after the
file with `#`, for any input option of any command: `--firms 名单.xlsx#企业2` (quote it in a
shell if the name has spaces). A sheet the workbook lacks stops the run (exit 2) with a line
naming the sheets it has; the manifest records the file, its hash and the sheet. Read without
`#`, a sheet with some of the table's required columns but not all stops the run (exit 2),
naming the sheet and the column (its rows would otherwise be neither used nor rejected); a
sheet with none of them (notes) is passed over.

**Headers** are the English names below or their Chinese aliases (a file may mix them, but not
name one column twice). Other columns are kept: the firms table's extra columns are copied to
`scores.csv`.

**Bad values.** A row with a bad value is not used and gets one line per problem in
`rejects.csv` (`file, row, column, reason_code, value, message`), and the command exits 1:
every input row is either used or in the rejects. Where a row is: in a CSV or Parquet file,
`row` counts the data rows from 1 (the header is not counted: row 1 is the line after it); in
an Excel workbook, `file` names the sheet (`events.xlsx#Sheet1`) and `row` is the row number
Excel shows (the header is row 1, so the first data row is 2; blank rows count), and a
message naming another row (`duplicate_id`) names it the same way. A missing required
column, a column named twice or an unreadable file stops the run before anything is scored
(exit 2, one line on stderr).

**Dates** are year-month-day: `2024-05-01`, also `2024/5/1`, `2024.05.01` and `2024年5月1日`.
A date with a time of day is read as its day in China time (UTC+8): with a zone it is converted
first (`2025-12-31T16:30Z` is 2026-01-01); without one, as ISO writes it
(`2025-12-31 23:59:59`) or as a Chinese-locale spreadsheet exports it to CSV (`2025/2/28 8:00`,
`2025.02.28 08:00`, `2025-2-28 8:00`), it is China time already and only the day is used. The
time must be a time of day (`2025-12-31T25:00` and `10:99` are `bad_date`). Day-first or
month-first forms (`1/5/2025`) are ambiguous and rejected.

Reference date: dates later than the run's reference date (today, or the date the command is
given) are rejected as `future_date`.
"""


_EXAMPLE = """\
## Example: three firms of one's own

`docs/examples/my-data/` holds two small tables written from this page, with Chinese headers
and Chinese values (`在产`, `罚款`, `较大`), an amount with a thousands separator, and one bad
row: 30 February.

```console
$ cat docs/examples/my-data/firms.csv
统一社会信用代码,企业名称,行政区划代码,监管类别,状态
91360102000000115Q,南昌示例化工有限公司,360102,A,在产
913601030000001232,南昌示例印染有限公司,360103,B,正常
91360121000000131Y,南昌县示例砖厂,360121,C,停产
$ cat docs/examples/my-data/events.csv
记录编号,统一社会信用代码,日期,行为类型,罚款金额,事件等级
M001,91360102000000115Q,2025-03-12,罚款,"50,000",
M002,91360102000000115Q,2025-03-12,责令改正,,
M003,913601030000001232,2025-06-01,超标排放,,
M004,91360121000000131Y,2025-02-30,罚款,20000,
M005,913601030000001232,2025-09-15,突发环境事件,,较大
$ ecocredit score --ruleset anhui-2019 --period 2025 --firms docs/examples/my-data/firms.csv \\
    --events docs/examples/my-data/events.csv --out out/mine
Scored 3 firms under anhui-2019 2019.1 for period 2025 (evaluated on 2025-12-31).
  green       环保诚信企业                0    0.0%
  blue        环保良好企业                1   33.3%
  yellow      环保警示企业                0    0.0%
  red         环保不良企业                1   33.3%
  not_graded  不评定等级 (not graded)        1   33.3%
Rejected input rows: 1 (see rejects.csv)
Outputs written to out/mine
$ cat out/mine/rejects.csv
file,row,column,reason_code,value,message
docs/examples/my-data/events.csv,4,event_date,bad_date,2025-02-30,2025-02-30 is not a day of the calendar: February 2025 has 28 days.
```

The fourth event is not used (exit status 1); the brick works, suspended (`停产`), is not graded;
the dyeing works' incident of 较大 severity vetoes it to red. `ecocredit explain out/mine
913601030000001232` shows why, rule by rule.
"""


def _table(table: str) -> list[str]:
    required, optional = TABLES[table]
    zh = {v: k for k, v in COLUMN_ALIASES[table].items()}
    lines = [f"## `{table}`", "", ("| column | Chinese | required | type | values | bad value → "
             "reason code (example) |"), "|---|---|---|---|---|---|"]
    for name in (*required, *optional):
        col = COLUMN_FORMATS[table][name]
        rejects = "; ".join(
            f"`{code}`" + ("" if ex == "" and code == "missing_value"
                           else " (repeated)" if ex.startswith("dup:") else f" (`{ex}`)")
            for code, ex in col.rejects) or "—"
        lines.append(f"| `{name}` | {zh.get(name, '')} | {'yes' if name in required else 'no'} "
                     f"| {col.type} | {col.values} | {rejects} |")
    return lines + [""]


def _event_types() -> list[str]:
    lines = ["## Event types", "",
             ("`event_type` takes the code or the Chinese name. Positive and remedial types raise "
             "or restore credit where a ruleset scores them; `revocation` cancels the record "
             "its `ref_event_id` names. A ruleset may add types of its own (`event_types` in "
             "the ruleset file); an event type that the ruleset does not score is accepted and "
             "has no effect."), "", "| group | code | Chinese |", "|---|---|---|"]
    codes = list(EVENT_TYPES)
    for group, first, last in _EVENT_GROUPS:
        for code in codes[codes.index(first):codes.index(last) + 1]:
            lines.append(f"| {group} | `{code}` | {EVENT_TYPES[code]} |")
    return lines + [""]


def _reason_codes() -> list[str]:
    lines = ["## Reason codes of `rejects.csv`", "", "| reason_code | meaning | columns |",
             "|---|---|---|"]
    for code, meaning in REASON_CODES.items():
        where = [f"{t}.{c}" for t, cols in COLUMN_FORMATS.items() for c, col in cols.items()
                 if any(r == code for r, _ in col.rejects)]
        note = UNUSED_REASON_CODES.get(code) or RECORD_REASON_CODES.get(code)
        cols = ", ".join(f"`{w}`" for w in where) or (note or "")
        lines.append(f"| `{code}` | {meaning} | {cols} |")
    return lines + [""]


def data_format_markdown() -> str:
    """The text of ``docs/data-format.md``.

    Returns
    -------
    str
        Markdown: the files accepted, one table per input table (column, Chinese alias, required,
        type, values, reason codes of bad values), the event types with their Chinese names and
        the reason codes of ``rejects.csv``.
    """
    assert set(POSITIVE_EVENT_TYPES) | set(ADMIN_EVENT_TYPES) <= set(EVENT_TYPES)
    lines = [_INTRO]
    for table in TABLES:
        lines += _table(table)
    lines += _event_types()
    lines += _reason_codes()
    return "\n".join(lines) + "\n" + _EXAMPLE


def main(argv: list[str] | None = None) -> int:
    """``python -m ecocredit.docgen data-format``: print the page on stdout."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["data-format"]:
        print("usage: python -m ecocredit.docgen data-format > docs/data-format.md",
              file=sys.stderr)
        return 2
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.write(data_format_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
