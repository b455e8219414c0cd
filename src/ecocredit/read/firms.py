"""The firms table: credit codes (GB 32100), region codes (GB/T 2260), repeated firms,
supervision class, permit type, status, flags and the date of inclusion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import uscc_structure_mask, valid_region_mask, valid_uscc_mask
from ..vocab import FIRM_STATUSES, PERMIT_TYPES, SUPERVISION_CLASSES
from .checks import _optional_date, _stripped
from .encoded import _BOOL, _ZH_VALUES, _vocab
from .ids import _first_rows
from .prepared import _Rejects
from .text import _strip


def _firms(df: pd.DataFrame, file: str, rej: _Rejects, today_day: int,
           allow: frozenset[str] = frozenset()) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Validate the firms; codes in ``allow`` (an allow-list of known nonconforming codes)
    pass the GB 32100 checks. Returns (table, accepted mask, the codes the allow-list admitted)."""
    out, bad = _stripped(df, ("firm_id", "name", "region_code"), file, rej)
    fid = out["firm_id"].str.upper()
    allowed = fid.isin(allow).to_numpy() if allow else np.zeros(len(fid), dtype=bool)
    okid = valid_uscc_mask(fid.to_numpy(dtype=object)) | (fid == "").to_numpy() | allowed
    rej.add(file, np.flatnonzero(~okid), "firm_id", "bad_credit_code", out["firm_id"][~okid],
            "Not a valid unified social credit code: 18 characters whose last is the GB "
            "32100-2015 check character.")
    bad |= ~okid
    # the structure too: a resident identity number can satisfy the check character by chance
    codes = fid.to_numpy(dtype=object)
    empty = (fid == "").to_numpy()
    shape = uscc_structure_mask(codes, org_check=False) | ~okid | empty | allowed
    rej.add(file, np.flatnonzero(~shape), "firm_id", "bad_credit_code", out["firm_id"][~shape],
            "Not a unified social credit code: its first two characters are not a registration "
            "authority and organisation type of GB 32100-2015, or characters 3-8 are not a "
            "division code (it may be a resident identity number).")
    bad |= ~shape
    # characters 9-17 are an organisation code with its own GB 11714 check character
    org = uscc_structure_mask(codes) | ~okid | ~shape | empty | allowed
    rej.add(file, np.flatnonzero(~org), "firm_id", "bad_org_code", out["firm_id"][~org],
            "Characters 9-17 (the embedded organisation code) fail their GB 11714 check "
            "character. If this is a real registered code, admit it with an allow-list "
            "(--allow-codes).")
    bad |= ~org
    admitted = sorted(set(fid[allowed & ~(valid_uscc_mask(codes) & uscc_structure_mask(codes))]))
    out["firm_id"] = fid
    dup, first = _first_rows(fid)
    dup &= (fid != "").to_numpy()
    rej.add(file, np.flatnonzero(dup), "firm_id", "duplicate_id", fid[dup],
            pd.Series(first[dup]).map(lambda r: f"The same firm_id is on data row {r}."))
    bad |= dup
    reg = out["region_code"]
    okreg = valid_region_mask(reg.to_numpy(dtype=object)) | (reg == "").to_numpy()
    rej.add(file, np.flatnonzero(~okreg), "region_code", "bad_region_code", reg[~okreg],
            "Not a 6-digit GB/T 2260 administrative division code.")
    bad |= ~okreg
    for c, allowed, lower in (("supervision_class", SUPERVISION_CLASSES, False),
                              ("permit_type", PERMIT_TYPES, True),
                              ("status", FIRM_STATUSES, True)):
        if c not in out:
            out[c] = ""
            continue
        s = _strip(out[c])
        if not lower:
            s = s.str.upper()
        v, ok = _vocab(s, allowed, _ZH_VALUES.get(c), lower)
        rej.add(file, np.flatnonzero(~ok), c, "bad_value", s[~ok],
                f"'{c}' must be one of {list(allowed)} (or empty).")
        bad |= ~ok
        out[c] = v.astype(object)
    out["status"] = out["status"].where(out["status"] != "", "operating")
    for c in ("key_discharger", "positive_list"):
        if c not in out:
            out[c] = ""
            continue
        s = _strip(out[c]).str.lower()
        canon = {k: ("true" if v else "false") for k, v in _BOOL.items()}
        v, ok = _vocab(s, ("true", "false"), canon)
        rej.add(file, np.flatnonzero(~ok), c, "bad_value", out[c][~ok],
                f"'{c}' must be true or false (or empty).")
        bad |= ~ok
        out[c] = v.astype(object)
    s, days, given, ok = _optional_date(out, "included_since", file, rej)
    fut = ok & (days > today_day)
    rej.add(file, np.flatnonzero(fut), "included_since", "future_date", s[fut],
            "The date is later than the run's reference date.")
    bad |= (given & ~ok) | fut
    out["included_since"] = s
    out["included_day"] = days
    for c in out.columns:  # the firms table is small: plain Python strings are easiest downstream
        if isinstance(out[c].dtype, pd.ArrowDtype):
            out[c] = out[c].astype(object)
    return out, ~bad, admitted
