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

from .xlsx import EXCEL_MAX_ROWS, xlsx_bytes

__all__ = ["CHINESE_HEADERS", "SHEET_NAMES", "run_workbooks"]

#: column → header shown in the workbooks (the contract's Chinese terms)
CHINESE_HEADERS = {
    "firm_id": "统一社会信用代码", "name": "企业名称", "period": "评价期间",
    "ruleset": "评价规则", "ruleset_version": "规则版本", "status": "评价状态", "score": "得分",
    "grade": "信用等级", "grade_label": "等级名称", "grade_level": "档次", "vetoed": "一票否决", "rules_applied":
    "适用条款", "list": "名单", "list_until": "名单截止日", "grade_colour": "等级颜色",
    "not_graded_reason": "未评级原因", "region_code": "行政区划代码", "industry_code":
    "行业代码", "supervision_class": "监管类别", "rule_id": "条款编号", "points": "分值",
    "evidence": "证据", "reference": "依据", "kind": "类型", "effect": "效果", "label": "说明",
    "file": "文件", "row": "行号", "column": "列", "reason_code": "原因代码", "value": "值",
    "message": "说明",
}
#: workbook file → its sheet name
SHEET_NAMES = {"scores.xlsx": "评价结果", "contributions.xlsx": "贡献明细",
               "rejects.xlsx": "拒收记录"}
_NUMBERS = ("score", "points")


def _for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Scores and points as numbers (empty when not graded); every other column as written."""
    out = frame.copy()
    for c in _NUMBERS:
        if c in out.columns:
            out[c] = pd.to_numeric(out[c].astype(object).replace("", None), errors="coerce")
    return out


def run_workbooks(frames: Mapping[str, pd.DataFrame], *,
                  max_rows: int = EXCEL_MAX_ROWS) -> dict[str, bytes]:
    """``scores.xlsx``, ``contributions.xlsx`` and ``rejects.xlsx`` from a run's tables.

    Parameters
    ----------
    frames : mapping
        ``scores.csv``, ``contributions.csv``, ``rejects.csv`` → the table
        (:func:`ecocredit.audit.output_frames`).
    max_rows : int
        Rows per sheet, header included (Excel's limit by default).

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
        books[name] = xlsx_bytes({SHEET_NAMES.get(name, name[:-5]): _for_excel(frame)},
                                 headers=CHINESE_HEADERS, max_rows=max_rows)
    return books
