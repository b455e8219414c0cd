"""Inputs are hashed while they are read; the manifest takes that digest, or reads a changed file."""

from __future__ import annotations

import hashlib
import os

import pandas as pd

from ecocredit.audit import file_sha256
from ecocredit.read import read_table
from ecocredit.read.digest import remembered


def _sha(p) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_csv_and_a_parquet_file_are_hashed_while_read_and_a_changed_file_is_read_again(
        tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text("firm_id,period,grade\n91360111088611139Q,2024,green\n", encoding="utf-8")
    pq = tmp_path / "history.parquet"
    pd.DataFrame({"firm_id": ["91360111088611139Q"], "period": ["2024"],
                  "grade": ["green"]}).to_parquet(pq)
    for p in (csv, pq):
        assert remembered(p) is None
        read_table(p, "history")
        assert remembered(p) == _sha(p) == file_sha256(p)
    csv.write_text("firm_id,period,grade\n91360111088611139Q,2024,red\n", encoding="utf-8")
    os.utime(csv, ns=(1, 1))  # another time stamp, the same size: not the remembered file
    assert remembered(csv) is None
    assert file_sha256(csv) == _sha(csv)


def test_a_line_break_inside_a_quoted_value_is_still_read_as_one_value(tmp_path):
    p = tmp_path / "history.csv"
    p.write_text('firm_id,period,grade\n91360111088611139Q,2024,"gr\neen"\n', encoding="utf-8")
    assert read_table(p, "history")["grade"].tolist() == ["gr\neen"]
