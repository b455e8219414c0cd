"""Workbooks Excel cannot damage: ids stay text, formulas never run, long tables are split."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocredit.output.xlsx import ooxml_unescape, xlsx_bytes


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_an_all_digit_firm_id_is_a_text_cell_and_numbers_stay_numbers() -> None:
    df = pd.DataFrame({"firm_id": ["913604030013523823", "91360111088611139Q"],
                       "score_cents": [9750, 10000], "vetoed": [False, True]})
    ws = _read(xlsx_bytes({"scores": df}, headers={"firm_id": "统一社会信用代码"}))["scores"]
    assert [c.value for c in ws[1]] == ["统一社会信用代码", "score_cents", "vetoed"]
    assert [(c.value, c.data_type) for c in ws[2]] == [
        ("913604030013523823", "s"), (9750, "n"), (False, "b")]
    assert ws["A2"].number_format == "@"


def test_a_table_longer_than_a_sheet_continues_on_numbered_sheets() -> None:
    df = pd.DataFrame({"rule_id": [f"R{i}" for i in range(7)]})
    wb = _read(xlsx_bytes({"contributions": df}, max_rows=3))
    assert wb.sheetnames == ["contributions", "contributions (2)", "contributions (3)",
                             "contributions (4)"]
    rows = [r[0].value for name in wb.sheetnames for r in wb[name].iter_rows(min_row=2)]
    assert rows == [f"R{i}" for i in range(7)]
    assert all(wb[n]["A1"].value == "rule_id" for n in wb.sheetnames)


_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=20),
    st.text(st.sampled_from(list("_x000D1F\r\n=+-@甲")), max_size=12))


@settings(max_examples=50, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_any_text_reads_back_unchanged_and_never_as_a_formula(values: list[str]) -> None:
    ws = _read(xlsx_bytes({"t": pd.DataFrame({"v": values})}))["t"]
    # what Excel shows: the OOXML string escapes (_x000D_ for a CR) decoded
    back = [None if c[0] is None else ooxml_unescape(c[0])
            for c in ws.iter_rows(min_row=2, values_only=True)]
    assert back == [v if v != "" else None for v in values]
    assert all(c.data_type != "f" for row in ws.iter_rows(min_row=2) for c in row)
