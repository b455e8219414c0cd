"""Checks every table shares: required values, optional dates, rows naming an accepted firm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .encoded import _Enc
from .ids import _lookup
from .parse import _parse_days, date_messages
from .prepared import _Rejects
from .text import STR, _strip


def _stripped(df: pd.DataFrame, required: tuple[str, ...], file: str, rej: _Rejects
              ) -> tuple[pd.DataFrame, np.ndarray]:
    """A copy of a small table with the ``required`` columns stripped, and the mask of rows
    where one is empty (each such cell rejected)."""
    bad = np.zeros(len(df), dtype=bool)
    out = df.copy()
    for c in required:
        out[c] = _strip(out[c])
        bad |= rej.missing(file, c, (out[c] == "").to_numpy())
    return out, bad


def _optional_date(out: pd.DataFrame, column: str, file: str, rej: _Rejects
                   ) -> tuple[pd.Series, np.ndarray, np.ndarray, np.ndarray]:
    """Parse an optional date column of a small table (added empty when absent), rejecting
    values that are given but not dates. Returns (stripped text, days, given, parsed)."""
    if column not in out:
        out[column] = ""
    text = _strip(out[column])
    days, ok = _parse_days(text)
    given = (text != "").to_numpy()
    bad = text[given & ~ok]
    rej.add(file, np.flatnonzero(given & ~ok), column, "bad_date", bad, date_messages(bad))
    return text, days, given, ok


def _firm_rows(firm_id: _Enc, firm_keys: pd.Series, file: str, rej: _Rejects
               ) -> tuple[np.ndarray, np.ndarray]:
    """Each row's index among the accepted firms (-1 if none), looked up once per distinct
    code; rows naming a firm that is not there are rejected. Returns (index, unknown mask)."""
    fid = firm_id.map(pc.utf8_upper)
    idx = fid.per_row(_lookup(pd.Series(fid.uniq, dtype=STR), firm_keys))
    unknown = (idx < 0) & ~fid.is_("")
    rej.add(file, np.flatnonzero(unknown), "firm_id", "unknown_firm", fid.values(unknown),
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    return idx, unknown
