"""The ``.xlsx`` files of a scoring run (``ecocredit score --xlsx``): for people using Excel.

A CSV opened in Excel shows an all-digit firm id such as ``913604030013523823`` as
``9.13604E+17`` and saves it back rounded; the workbooks keep every id, code and label as a
text cell (:mod:`ecocredit.output.xlsx`), scores and points as numbers, with Chinese headers.
``contributions.xlsx`` continues on ``贡献明细 (2)``, … past Excel's 1,048,576 rows. The CSV
files stay the record (hashed in the manifest, replayed byte for byte); the workbooks are a
view of the same tables, their SHA-256 recorded in the manifest so an edit is detected.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .i18n import RUN_HEADERS, SHEET_NAMES as _SHEETS, reject_messages, value
from .xlsx import EXCEL_MAX_ROWS, xlsx_bytes

__all__ = ["CHINESE_HEADERS", "SHEET_NAMES", "run_workbooks"]

#: column → header shown in the workbooks (the catalog :data:`ecocredit.output.i18n.RUN_HEADERS`)
CHINESE_HEADERS = RUN_HEADERS
#: workbook file → its sheet name
SHEET_NAMES = {k: v for k, v in _SHEETS.items()
               if k in ("scores.xlsx", "contributions.xlsx", "rejects.xlsx")}
_NUMBERS = ("score", "points")


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores and points as numbers (empty when not graded); every other column as written."""
    out = frame.copy()
    for c in _NUMBERS:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c].astype(object).replace("", None), errors="coerce")
    return out


def _in_lang(name: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """In ``zh``: reject messages and list names in Chinese (the columns stay the same)."""
    if lang != "zh":
        return frame
    out = reject_messages(frame, lang) if name == "rejects.xlsx" else frame.copy()
    if "list" in out.columns:
        out["list"] = [value("list", v, lang) for v in out["list"].astype(str)]
    return out


def run_workbooks(frames: Mapping[str, pd.DataFrame], *,
                  max_rows: int = EXCEL_MAX_ROWS, lang: str = "en") -> dict[str, bytes]:
    """``scores.xlsx``, ``contributions.xlsx`` and ``rejects.xlsx`` from a run's tables.

    Parameters
    ----------
    frames : mapping
        ``scores.csv``, ``contributions.csv``, ``rejects.csv`` → the table
        (:func:`ecocredit.audit.output_frames`).
    max_rows : int
        Rows per sheet, header included (Excel's limit by default).
    lang : {'en', 'zh'}
        The headers are Chinese in either language; in ``zh`` the messages of rejects.xlsx
        are the reason codes' Chinese meanings and list names are 红名单/黑名单
        (:mod:`ecocredit.output.i18n`).

    Returns
    -------
    dict
        Workbook file name → bytes.

    Examples
    --------
    >>> import io, openpyxl
    >>> books = run_workbooks({"scores.csv": pd.DataFrame({"firm_id": ["913604030013523823"],
    ...                                                    "score": ["97.5"]})})
    >>> ws = openpyxl.load_workbook(io.BytesIO(books["scores.xlsx"]))["评价结果"]
    >>> [c.value for c in ws[1]], [c.value for c in ws[2]]
    (['统一社会信用代码', '得分'], ['913604030013523823', 97.5])
    """
    books = {}
    for csv_name, frame in frames.items():
        name = csv_name.replace(".csv", ".xlsx")
        frame = _in_lang(name, frame, lang)
        books[name] = xlsx_bytes({SHEET_NAMES.get(name, name[:-5]): _for_excel(frame)},
                                 headers=CHINESE_HEADERS, max_rows=max_rows)
    return books
