"""CSV outputs: Excel-safe cells and the bytes of ``DataFrame.to_csv``, however they are written."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocredit.output.csvfile import _safe_cell, csv_bytes, excel_safe

# text that exercises quoting and formula neutralising: separators, quotes, line ends,
# leading formula characters, numbers, wide characters
_TEXT = st.one_of(
    st.none(),
    # no CR here: pandas (the csv module) leaves a CR unquoted with "\n" line ends, which
    # ecocredit does not (test_csv_roundtrip.py proves any text, CR included, reads back)
    st.text(alphabet=st.sampled_from(list('ab,"\n\t =+-@.5e１甲 ')), max_size=8),
    st.sampled_from(["-3.5", "+1e5", "=SUM(A1)", "@x", "-", "", "-3\n", "1,5", '"q"']))


def _pandas_csv(df: pd.DataFrame) -> bytes:
    """The reference: every cell through the per-cell rule, then pandas' own writer."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).map(_safe_cell)
        elif out[c].dtype == bool:
            out[c] = out[c].map({True: "true", False: "false"})
    out.columns = [_safe_cell(c) for c in out.columns]
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_TEXT, _TEXT, st.integers(-10**12, 10**12), st.booleans()),
                     max_size=12),
       as_arrow=st.booleans(), header=st.sampled_from(["value", "=cmd", "a,b", 'say "x"']))
def test_written_csv_is_byte_for_byte_what_pandas_writes(rows, as_arrow, header):
    df = pd.DataFrame(rows, columns=["text", header, "row", "flag"])
    df["row"] = df["row"].astype(np.int64)
    df["flag"] = df["flag"].astype(bool)
    if as_arrow:
        df["text"] = df["text"].astype("str")
    assert csv_bytes(df) == _pandas_csv(df)


def test_mixed_object_cells_and_one_column_frames_fall_back_to_pandas():
    df = pd.DataFrame({"value": ["=1", 3, None, 2.5], "n": [1, 2, 3, 4]})
    assert csv_bytes(df) == _pandas_csv(df)
    nullable = pd.DataFrame({"n": pd.array([1, None, -3], dtype="Int64"), "t": ["a", "b", "c"],
                             "u": np.array([2**64 - 1, 0, 7], dtype=np.uint64)})
    assert csv_bytes(nullable) == _pandas_csv(nullable)
    one = pd.DataFrame({"only": ["", "=x", None]})
    assert csv_bytes(one) == _pandas_csv(one)
    assert csv_bytes(one).endswith(b'""\n\'=x\n""\n')


def test_excel_safe_neutralises_formulas_and_leaves_numbers():
    df = pd.DataFrame({"a": ["=1+1", "-3.5", "@x", "ok", "-１", "\tx", None, "+5e3"]})
    got = [v if isinstance(v, str) else None for v in excel_safe(df)["a"]]
    assert got == ["'=1+1", "-3.5", "'@x", "ok", "-１", "'\tx", None, "+5e3"]
