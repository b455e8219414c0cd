"""Credit levels: reading a credit run's scores (grades and lists) as the policy's levels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .inputs import _scores_frame
from .policy import CREDIT_LEVELS, Policy


@dataclass
class CreditLevels:
    """Credit levels of the firms (index-aligned with the firms table)."""

    level: np.ndarray           # int8 index into CREDIT_LEVELS
    graded: np.ndarray          # bool: a grade or a list was read
    text: np.ndarray            # object: how the level was read, for the evidence
    lists: np.ndarray           # object: 'red', 'black' or ''
    ruleset: str = ""
    period: str = ""


def credit_levels(policy: Policy, firm_ids: Iterable[str], scores: Any = None,
                  ruleset: str | None = None) -> CreditLevels:
    """Credit level of each firm from its grade (and list) under the policy's grade map.

    Parameters
    ----------
    policy : Policy
    firm_ids : sequence of str
    scores : ScoreResult, DataFrame or path, optional
        Scores with ``firm_id``, ``grade`` and optionally ``list``, ``status``, ``ruleset``.
    ruleset : str, optional
        The ruleset id of the grades, when the scores do not name it.

    Returns
    -------
    CreditLevels
        Aligned with ``firm_ids`` (n firms): ``level`` (int8 index into
        :data:`CREDIT_LEVELS`), ``graded`` (bool), ``text`` (the grade and ruleset in words)
        and ``lists``; firms without a grade get the policy's ``credit.default_level``.

    Raises
    ------
    InputError
        If the policy maps no grades of that ruleset, or a grade is not mapped; or the
        scores are not a ScoreResult, DataFrame or scores.csv path, lack a column or mix
        rulesets.
    """
    ids = pd.Index([str(f).strip().upper() for f in firm_ids])
    n = len(ids)
    default = CREDIT_LEVELS.index(policy.credit.default_level)
    level = np.full(n, default, dtype=np.int8)
    graded = np.zeros(n, dtype=bool)
    text = np.full(n, f"no grade: {policy.credit.default_level} by default", dtype=object)
    df, rid, per = _scores_frame(scores)
    rid = ruleset or rid
    lists = np.full(n, "", dtype=object)
    if df is None:
        return CreditLevels(level, graded, text, lists)
    gm = policy.grade_map(rid) if rid else None
    if gm is None:
        raise InputError(f"Inspection policy '{policy.id}' maps no grades of ruleset "
                         f"'{rid or '?'}'; add a credit.grade_maps entry for it (or name the "
                         "ruleset of the scores).", reason_code="unmapped_ruleset")
    fid = df["firm_id"].astype(str).str.strip().str.upper()
    grade = df["grade"].astype(str).str.strip()
    status = df["status"].astype(str) if "status" in df.columns else pd.Series("graded",
                                                                              index=df.index)
    lst = df["list"].astype(str).str.strip().str.lower() if "list" in df.columns else \
        pd.Series("", index=df.index)
    use_grade = (grade != "") & (status != "not_graded")
    unknown = sorted(set(grade[use_grade]) - set(gm.levels))
    if unknown:
        raise InputError(f"Grades {', '.join(unknown)} of ruleset '{rid}' have no credit level in "
                         f"inspection policy '{policy.id}'.", column="grade",
                         reason_code="unmapped_grade")
    pos = ids.get_indexer(fid)
    ok = pos >= 0
    lev = np.full(len(df), -1, dtype=np.int16)
    gl = grade.map(lambda g: CREDIT_LEVELS.index(gm.levels[g]) if g in gm.levels else -1)
    lev = np.where(use_grade.to_numpy(), gl.to_numpy(dtype=np.int16), -1)
    ll = lst.map(lambda x: CREDIT_LEVELS.index(policy.credit.lists[x])
                 if x in policy.credit.lists else -1).to_numpy(dtype=np.int16)
    best = np.maximum(lev, ll)
    has = best >= 0
    sel = ok & has
    level[pos[sel]] = best[sel].astype(np.int8)
    graded[pos[sel]] = True
    tag = f" ({rid}{', ' + per if per else ''})"
    txt = np.array([
        (f"grade {g}" if lv >= 0 else "no grade") + (f", {x} list" if x else "")
        + tag + f" → {CREDIT_LEVELS[b]}" if b >= 0 else ""
        for g, x, lv, b in zip(grade, lst, lev, best)], dtype=object)
    text[pos[sel]] = txt[sel]
    lists[pos[ok]] = lst.to_numpy(dtype=object)[ok]
    return CreditLevels(level, graded, text, lists, rid, per)

