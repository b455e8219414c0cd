"""The enforcement officers (执法人员) who staff the checks: reading and validating their table,
and the names of the units they belong to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..codes import CITY_NAMES, JIANGXI_COUNTIES, valid_region_mask
from ..errors import InputError, missing_column_message
from .inputs import _Rej, _split_ids, _table

_INSPECTOR_ALIASES = {"执法人员编号": "inspector_id", "编号": "inspector_id", "姓名": "name",
                      "单位代码": "county_code", "所属单位": "county_code",
                      "行政区划代码": "county_code", "回避企业": "conflicts",
                      "每季度最多检查": "max_checks_per_quarter"}
_COUNTY_NAMES = dict(JIANGXI_COUNTIES)


def unit_name(code: str) -> str:
    """The name of a county (``360102`` → 东湖区) or a city unit (``360100`` → 南昌市)."""
    if code in _COUNTY_NAMES:
        return _COUNTY_NAMES[code]
    if code.endswith("00") and code[:4] in CITY_NAMES:
        return CITY_NAMES[code[:4]]
    return code



@dataclass
class Inspectors:
    """Validated enforcement officers.

    Attributes
    ----------
    table : DataFrame
        ``inspector_id, name, county_code, conflicts`` (frozenset of firm ids),
        ``max_checks_per_quarter`` (int, 0 = the policy's default), sorted by inspector_id.
    rejects : DataFrame
    rows_read : int
    """

    table: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    file: str = "inspectors"


def read_inspectors(obj: Any, name: str | None = None) -> Inspectors:
    """Read and validate the inspectors table.

    Columns: ``inspector_id``, ``name``, ``county_code`` (6-digit code of the unit the officer
    belongs to: a county, or a city unit ``CCCC00``), ``conflicts`` (``;``-separated firm ids
    the officer must never check), optional ``max_checks_per_quarter``. Bad rows go to the
    rejects (file, row, column, reason_code, value, message); only a missing column raises.

    Parameters
    ----------
    obj : DataFrame, str, Path or Inspectors
        The table, or its file (CSV in UTF-8/GB18030, or .xlsx); an Inspectors is returned as
        it is.
    name : str, optional
        The file name written in the rejects (default: the path, or ``inspectors``).

    Returns
    -------
    Inspectors
        ``table``: the accepted officers (one row each, sorted by ``inspector_id``);
        ``rejects``: the rows that could not be used; ``rows_read``.

    Raises
    ------
    InputError
        The file cannot be read, ``obj`` is neither a table nor a path, or a required column
        (``inspector_id``, ``name``, ``county_code``) is missing.

    Examples
    --------
    >>> t = pd.DataFrame({"inspector_id": ["P1", "P2", "P2"], "name": ["张", "李", "王"],
    ...                   "county_code": ["360102", "36010", "360102"], "conflicts": ""})
    >>> ins = read_inspectors(t)
    >>> ins.table["inspector_id"].tolist(), ins.rejects["reason_code"].tolist()
    (['P1'], ['bad_region_code', 'duplicate_id'])
    """
    if isinstance(obj, Inspectors):
        return obj
    df, file = _table(obj, "inspectors", _INSPECTOR_ALIASES)
    file = name or file
    df = _with_columns(df, file)
    rej = _Rej()
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    for c in ("inspector_id", "name", "county_code"):
        df[c] = df[c].astype(str).str.strip()
        e = (df[c] == "").to_numpy()
        rej.add(file, np.flatnonzero(e), c, "missing_value", df[c][e],
                f"The required value '{c}' is empty.")
        bad |= e
    code = df["county_code"]
    okc = valid_region_mask(code.to_numpy()) | (code == "").to_numpy()
    rej.add(file, np.flatnonzero(~okc), "county_code", "bad_region_code", code[~okc],
            "Not a 6-digit GB/T 2260 code of a county or city unit.")
    bad |= ~okc
    dup = (df["inspector_id"].duplicated() & (df["inspector_id"] != "")).to_numpy()
    rej.add(file, np.flatnonzero(dup), "inspector_id", "duplicate_id", df["inspector_id"][dup],
            "The same inspector_id is on an earlier data row.")
    bad |= dup
    mx = df["max_checks_per_quarter"].astype(str).str.strip()
    num = pd.to_numeric(mx.where(mx != "", "0"), errors="coerce")
    okm = (num.notna() & (num >= 0) & (num == num.round())).to_numpy() | (mx == "").to_numpy()
    rej.add(file, np.flatnonzero(~okm), "max_checks_per_quarter", "bad_number", mx[~okm],
            "Must be a whole number of checks, at least 1 (or empty for the policy's default).")
    bad |= ~okm
    return Inspectors(_accepted(df, num, ~bad), rej.frame(), n, file)


def _with_columns(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """``df`` with the optional columns added empty.

    Raises
    ------
    InputError
        A required column (``inspector_id``, ``name``, ``county_code``) is missing.
    """
    for c in ("inspector_id", "name", "county_code"):
        if c not in df.columns:
            raise InputError(missing_column_message(
                file, "inspectors", c, _INSPECTOR_ALIASES, df.attrs.get("headers", df.columns)),
                file=file, column=c, reason_code="missing_column")
    for c in ("conflicts", "max_checks_per_quarter"):
        if c not in df.columns:
            df[c] = ""
    return df


def _accepted(df: pd.DataFrame, max_checks: pd.Series, ok: np.ndarray) -> pd.DataFrame:
    """The accepted officers, one row each, sorted by ``inspector_id`` (conflicts as a
    frozenset of firm ids; no maximum: 0, the policy's default)."""
    return pd.DataFrame({
        "inspector_id": df["inspector_id"][ok].to_numpy(dtype=object),
        "name": df["name"][ok].to_numpy(dtype=object),
        "county_code": df["county_code"][ok].to_numpy(dtype=object),
        "conflicts": [frozenset(_split_ids(x, upper=True)) for x in df["conflicts"][ok]],
        "max_checks_per_quarter": max_checks[ok].fillna(0).astype(np.int64).to_numpy(),
    }).sort_values("inspector_id", kind="stable").reset_index(drop=True)

