"""Officer assignment: ``officers.per_check`` enforcement officers for every check, drawn at
random from the unit that checks, and the shortfall when a unit cannot staff its checks.

Never an officer with a declared conflict with the firm; not the same pair as the firm's last
check when another eligible officer exists; always the least-loaded eligible officers first
(random among equals), up to each officer's maximum per quarter. The most important checks of
a unit are staffed first: pool order, then coverage checks, then the random key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..output.i18n import t
from .inspectors import Inspectors, unit_name
from .policy import Policy
from .quarters import Quarter

SHORTFALL_COLUMNS = [
    "quarter", "unit_code", "unit_name", "level", "officers", "capacity", "required_checks",
    "officer_slots_needed", "staffed", "unstaffed", "reason",
]
LOAD_COLUMNS = ["quarter", "inspector_id", "name", "unit_code", "checks", "max_checks"]


def assign(pol: Policy, qt: Quarter, rng: np.random.Generator, checks: pd.DataFrame,
           f: pd.DataFrame, ins: Inspectors, last_pair: Mapping[int, frozenset[str]]
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Staff the ``checks`` (rows with ``pos`` into the sorted firms ``f``, ``unit_code``,
    ``prio``, ``cov``, ``key``), unit by unit in code order.

    Returns the checks with ``status``, ``inspector_ids``, ``inspector_names`` and ``note``;
    the shortfall (:data:`SHORTFALL_COLUMNS`); the officers' load (:data:`LOAD_COLUMNS`).
    """
    t = ins.table
    fid = f["firm_id"].to_numpy(dtype=object)
    out = {"status": np.full(len(checks), "unstaffed", dtype=object),
           "inspector_ids": np.full(len(checks), "", dtype=object),
           "inspector_names": np.full(len(checks), "", dtype=object),
           "note": np.full(len(checks), "", dtype=object)}
    load_rows: list[dict[str, Any]] = []
    short_rows: list[dict[str, Any]] = []
    for u in sorted(set(checks["unit_code"]) | set(t["county_code"])):
        offs = t[t["county_code"] == u]
        idx = np.flatnonzero((checks["unit_code"] == u).to_numpy())
        if len(idx):
            sub = checks.iloc[idx]
            # the most important checks are staffed first: pool order, coverage, random key
            order = np.lexsort((sub["key"].to_numpy(), ~sub["cov"].to_numpy(dtype=bool),
                                sub["prio"].to_numpy()))
            idx = idx[order]
        o_max, load = _staff_unit(pol, rng, checks, idx, offs, fid, last_pair, out)
        o_ids = offs["inspector_id"].to_numpy(dtype=object)
        o_names = offs["name"].to_numpy(dtype=object)
        for k in range(len(offs)):
            load_rows.append({"quarter": qt.label, "inspector_id": o_ids[k], "name": o_names[k],
                              "unit_code": u, "checks": int(load[k]), "max_checks": int(o_max[k])})
        required = len(idx)
        unstaffed = int((out["status"][idx] == "unstaffed").sum()) if required else 0
        if unstaffed:
            short_rows.append(_shortfall_row(pol, qt, u, len(offs), int(o_max.sum()), required,
                                             unstaffed))
    res = checks.copy()
    res["status"] = out["status"]
    res["inspector_ids"] = out["inspector_ids"]
    res["inspector_names"] = out["inspector_names"]
    res["note"] = np.where(out["status"] == "unstaffed",
                           "no eligible officers: see shortfall.csv", out["note"])
    shortfall = pd.DataFrame(short_rows, columns=SHORTFALL_COLUMNS)
    load_df = pd.DataFrame(load_rows, columns=LOAD_COLUMNS)
    return res, shortfall, load_df


def _staff_unit(pol: Policy, rng: np.random.Generator, checks: pd.DataFrame, idx: np.ndarray,
                offs: pd.DataFrame, fid: np.ndarray, last_pair: Mapping[int, frozenset[str]],
                out: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Staff one unit's checks ``idx`` (in order) from its officers ``offs``, filling ``out``.
    Returns each officer's maximum and load this quarter."""
    per = pol.officers.per_check
    o_ids = offs["inspector_id"].to_numpy(dtype=object)
    o_names = offs["name"].to_numpy(dtype=object)
    o_conf = offs["conflicts"].to_numpy(dtype=object)
    o_max = np.where(offs["max_checks_per_quarter"].to_numpy() > 0,
                     offs["max_checks_per_quarter"].to_numpy(),
                     pol.officers.max_checks_per_quarter).astype(np.int64)
    load = np.zeros(len(offs), dtype=np.int64)
    for j in idx:
        i = int(checks.at[j, "pos"])
        firm = fid[i]
        keys = rng.random(len(offs))
        elig = (load < o_max) & np.array([firm not in c for c in o_conf], dtype=bool)
        cand = np.flatnonzero(elig)
        if len(cand) < per:
            continue
        cand = cand[np.lexsort((keys[cand], load[cand]))]
        pick = list(cand[:per])
        note = ""
        last = last_pair.get(i)
        if pol.officers.avoid_same_pair and last is not None and \
                frozenset(o_ids[pick]) == last:
            if len(cand) > per:
                pick[-1] = cand[per]
            else:
                note = ("same officers as the firm's last check: no other eligible officer "
                        "in the unit")
        pick = sorted(pick, key=lambda x: o_ids[x])
        load[pick] += 1
        out["status"][j] = "staffed"
        out["inspector_ids"][j] = ";".join(o_ids[pick])
        out["inspector_names"][j] = ";".join(o_names[pick])
        out["note"][j] = note
    return o_max, load


def shortfall_reason(officers: int, per: int, cap: int, required: int, unstaffed: int,
                     lang: str = "en") -> str:
    """Why a unit cannot staff its checks, in ``lang`` (the ``reason`` of ``shortfall.csv`` is
    the English one): too few officers for one check, too few officer-checks for all, or
    declared conflicts and maximums."""
    if officers < per:
        return t("draw.short.officers", lang, officers=officers, per=per)
    if per * required > cap:
        return t("draw.short.capacity", lang, officers=officers, cap=cap, required=required,
                 slots=per * required)
    return t("draw.short.conflicts", lang, per=per, unstaffed=unstaffed)


def _shortfall_row(pol: Policy, qt: Quarter, u: str, officers: int, cap: int, required: int,
                   unstaffed: int) -> dict[str, Any]:
    """One unit's row of the shortfall table, with the reason its checks cannot be staffed."""
    per = pol.officers.per_check
    why = shortfall_reason(officers, per, cap, required, unstaffed)
    return {"quarter": qt.label, "unit_code": u, "unit_name": unit_name(u),
            "level": "city" if u.endswith("00") else "county",
            "officers": officers, "capacity": cap,
            "required_checks": required, "officer_slots_needed": per * required,
            "staffed": required - unstaffed, "unstaffed": unstaffed, "reason": why}

