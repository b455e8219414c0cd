"""The CSV reader (Arrow's threads, straight into Arrow text) reads every file exactly as the
former reader (the whole file decoded, then pandas) did: same headers, same text, same errors."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from ecocredit.read import csvtext
from ecocredit.read.csvtext import _pandas_csv, read_csv_text

ODD_FILES = {
    "a UTF-8 byte-order mark": b"\xef\xbb\xbfa,b\n1,2\n",
    "GB18030 from the first line": "企业,b\n是,2\n".encode("gb18030"),
    "GB18030 only at the end": b"a,b\n" + b"x,1\n" * 50 + "是,2\n".encode("gb18030"),
    "blank lines": b"a,b\n1,2\n\n3,4\n",
    "a row with too few fields": b"a,b\n1\n",
    "a header and no rows": b"a,b\n",
    "a line break inside quotes": b'a,b\n"x\ny",2\n',
    "an empty header": b"a,,c\n1,2,3\n",
    "spaces and leading zeros kept": b"a,b\n 007 ,\n",
    "doubled quotes and empty quotes": b'a,b\n"q""x",""\n',
    "Windows line ends": b"a,b\r\n1,2\r\n",
    "a quote inside a value": b'a,b\nx"y,2\n',
    "numbers, dates and booleans stay text": b"a,b,c\n1.50,2025-01-01,true\n",
}


#: files the former reader misread or refused whole, and what is read now (issue 11): the rows
#: that cannot be read as written are kept, marked with the reason, for the rejects
CHANGED = {
    "a row with too many fields": (b"a,b\n1,2,3\n4,5\n",
                                   (["a", "b", "_row_problem"], [["1", "2", "extra_field"],
                                                                 ["4", "5", ""]])),
    "a header given twice": (b"a,a\n1,2\n", ("InputError", "the header names the column 'a' twice")),
    "neither UTF-8 nor GB18030": (b"a,b\n\x80x,2\n",
                                  (["a", "b", "_row_problem"], [["\ufffdx", "2", "undecodable"]])),
    "a byte-order mark then bad UTF-8": (b"\xef\xbb\xbfa,b\n\x80,2\n",
                                         (["a", "b", "_row_problem"],
                                          [["\ufffd", "2", "undecodable"]])),
    "a bare carriage return in an unquoted value": (
        b"a,b\nx\ry,2\n3,4\n", (["a", "b", "_row_problem"], [["", "", "bare_cr"],
                                                            ["3", "4", ""]])),
    "a UTF-8 file with one GB18030 row": (
        "a,b\n是,1\n".encode() + "否,2\n".encode("gb18030") + "对,3\n".encode(),
        (["a", "b", "_row_problem"], [["是", "1", ""], ["\ufffd\ufffd", "2", "undecodable"],
                                      ["对", "3", ""]])),
    "an empty file": (b"", ("InputError", "the file is empty")),
    "UTF-16 with a byte-order mark": ("a,b\n是,1\n".encode("utf-16"), (["a", "b"], [["是", "1"]])),
}


@pytest.mark.parametrize("case", list(CHANGED))
def test_a_malformed_file_keeps_every_row_and_says_which_cannot_be_read(case, tmp_path):
    data, expected = CHANGED[case]
    p = tmp_path / "t.csv"
    p.write_bytes(data)
    got = _read(read_csv_text, p)
    if expected[0] == "InputError":
        assert got[0] == "InputError" and expected[1] in got[1]
    else:
        assert got == expected


def _read(reader, path):
    try:
        df = reader(path)
    except Exception as exc:  # the error itself must be the same
        return type(exc).__name__, str(exc)
    return list(df.columns), df.to_numpy(dtype=object).tolist()


@pytest.mark.parametrize("case", list(ODD_FILES))
def test_every_odd_file_reads_as_the_former_reader_read_it(case, tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(ODD_FILES[case])
    assert _read(read_csv_text, p) == _read(_pandas_csv, p)


def test_a_large_file_is_read_by_arrow_in_blocks_into_arrow_strings(tmp_path, monkeypatch):
    monkeypatch.setattr(csvtext, "_BLOCK", 1 << 10)  # many blocks, quoted breaks across them
    rows = [f'EV{i:09d},"line\n{i}",{i % 7:03d}\n' for i in range(2000)]
    p = tmp_path / "events.csv"
    p.write_bytes(("event_id,note,code\n" + "".join(rows)).encode())
    got = read_csv_text(p)
    assert all(isinstance(t, pd.ArrowDtype) for t in got.dtypes)
    pd.testing.assert_frame_equal(got.astype(object), _pandas_csv(p).astype(object))


cell = st.text(st.characters(codec="gb18030", exclude_characters="\x00\r"), max_size=6)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_quoted_table_reads_as_the_former_reader_read_it(rows, encoding, tmp_path_factory):
    p = tmp_path_factory.mktemp("csv") / "t.csv"
    lines = ["a,b,c"] + [",".join('"' + v.replace('"', '""') + '"' for v in r) for r in rows]
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    assert _read(read_csv_text, p) == _read(_pandas_csv, p)
