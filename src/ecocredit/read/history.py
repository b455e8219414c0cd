"""The history table: earlier grades and list entries of each firm, one record per period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..days import NO_DATE
from ..ruleset import Ruleset
from ..vocab import LISTS
from .checks import _optional_date, _stripped
from .encoded import _ZH_VALUES, _vocab
from .ids import _duplicated_codes, _lookup
from .prepared import _Rejects
from .text import _strip


def _history(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
             firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    out, bad = _stripped(df, ("firm_id", "period", "grade"), file, rej)
    fid = out["firm_id"].str.upper()
    idx = _lookup(fid, firm_keys)
    unknown = (idx < 0) & (fid != "").to_numpy()
    rej.add(file, np.flatnonzero(unknown), "firm_id", "unknown_firm", fid[unknown],
            "No accepted firm has this firm_id (check the firms table and its rejects).")
    bad |= unknown
    out["firm_idx"] = idx
    per = out["period"]
    okp = per.str.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?").to_numpy(dtype=bool) | (per == "").to_numpy()
    rej.add(file, np.flatnonzero(~okp), "period", "bad_period", per[~okp],
            "A period is YYYY or YYYY-MM.")
    bad |= ~okp
    g = out["grade"]
    okg = g.isin(ruleset.grade_ids).to_numpy() | (g == "").to_numpy()
    rej.add(file, np.flatnonzero(~okg), "grade", "unknown_grade", g[~okg],
            f"Not a grade id of ruleset '{ruleset.id}' {ruleset.grade_ids}.")
    bad |= ~okg
    if "list" not in out:
        out["list"] = ""
    lst, okl = _vocab(_strip(out["list"]), LISTS, _ZH_VALUES["list"])
    rej.add(file, np.flatnonzero(~okl), "list", "bad_value", out["list"][~okl],
            "'list' must be red, black or empty.")
    bad |= ~okl
    out["list"] = lst
    # optional: the last day of the published list entry (inclusive); without it the
    # ruleset's default duration applies (see ecocredit.rules.list_entry and docs/rulesets.md §11)
    _, ldays, lgiven, okd = _optional_date(out, "list_until", file, rej)
    bad |= lgiven & ~okd
    out["list_until_day"] = np.where(lgiven & okd, ldays, NO_DATE).astype(np.int64)
    dup = _duplicated_codes(fid, per) & ~bad
    rej.add(file, np.flatnonzero(dup), "period", "duplicate_history", per[dup],
            "A second record for the same firm and period.")
    bad |= dup
    return out, ~bad
