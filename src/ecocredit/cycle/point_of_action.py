"""Repair and measures read from the credit register (``--register``).

Credit repair (信用修复) counts its windows from the **recorded final publication** of the run,
not from the end of the evaluated year: Guangdong published its 2018-year results on
2020-03-31 and firms may apply within 6 months after that (case 06; research-2.md). Granted
repairs are recorded (stage ``repair``, effective after the notice, superseding the record in
force).

Measures at the point of action (逢办必查) answer with the grade and list **in force on the
day asked** in the register (a final result from its publication, then adjustments and
repairs), and every check is written to the register's trace table (触发留痕), linked to the
decision it relied on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


from ..decisions.measures import MeasureChecks, check_measures
from ..decisions.repair import decide_repairs
from ..audit import read_manifest, rerun
from ..decisions.anchored import DatedResult
from .publish import read_run
from .register import Register, RegisterError

__all__ = ["repair_in_register", "measures_in_register"]


def _final(reg: Register, run_dir: str | Path) -> tuple[Any, dict[str, str]]:
    run = read_run(run_dir)
    pub = reg.publication(run.run_id, "final")
    if pub is None:
        raise RegisterError(f"run {run.run_id} ({run_dir}) has no final publication in the "
                            "register; publish it with --stage final first.")
    return run, pub


def repair_in_register(register: Register | str | Path, run_dir: str | Path,
                       applications: pd.DataFrame) -> pd.DataFrame:
    """Decide repairs counting from the recorded final publication; record the granted ones.

    Returns the decisions of :func:`ecocredit.decide_repairs`, with ``register_seq`` (the
    record of a granted repair, else empty).
    """
    reg = register if isinstance(register, Register) else Register(register)
    run, pub = _final(reg, run_dir)
    result = rerun(read_manifest(run_dir))
    published = dt.date.fromisoformat(pub["published_on"])
    d = decide_repairs(result, applications, published_on=published)
    d["register_seq"] = ""
    granted = d[d["decision"] == "granted"]
    if granted.empty:
        return d
    rs = result.ruleset
    labels = {g.id: g.label for g in rs.grades}
    before = {r.firm_id: reg.in_force([r.firm_id], r.date) for r in granted.itertuples()}
    with reg.transaction() as w:
        recs = []
        for r in granted.itertuples(index=False):
            now = before[r.firm_id]
            prev = now.iloc[0] if len(now) else None
            recs.append({"stage": "repair", "firm_id": r.firm_id, "ruleset": rs.id,
                         "ruleset_version": rs.version, "period": result.period.label,
                         "grade": r.grade_after, "grade_label": labels.get(r.grade_after, ""),
                         "list": r.list if r.list_until_after == r.list_until else "",
                         "list_until": r.list_until_after, "effective_from": r.effective,
                         "published_on": pub["published_on"], "run_id": run.run_id,
                         "run_dir": str(Path(run_dir).resolve()), "rule_id": "repair",
                         "reason": f"credit repair applied {r.date}: {r.explanation}",
                         "evidence": r.evidence,
                         "supersedes": None if prev is None else int(prev["seq"])})
        seqs = w.add_decisions(recs)
    d.loc[granted.index, "register_seq"] = [str(s) for s in seqs]
    return d


def _dated(reg: Register, scores: pd.DataFrame, fid: str, day: dt.date) -> DatedResult:
    """The register's record in force for the firm on an anchor date (a measure that follows
    the result on fixed dates, :mod:`ecocredit.decisions.anchored`)."""
    n = len(scores)
    grade, lst, until = (np.full(n, "", dtype=object) for _ in range(3))
    rec = reg.in_force([fid], day)
    hit = (scores["firm_id"] == fid).to_numpy()
    if len(rec):
        r = rec.iloc[0]
        grade[hit], lst[hit], until[hit] = r["grade"], r["list"], r["list_until"]
        src = f"register #{r['seq']}, in force on {day}"
    else:
        src = f"no result in force in the register on {day}"
    return DatedResult(day, grade, lst, until, np.full(n, src, dtype=object))


def measures_in_register(register: Register | str | Path, run_dir: str | Path,
                         requests: pd.DataFrame, *, checked_at: dt.datetime | None = None
                         ) -> Any:
    """Measures with the grade and list in force in the register on each request's day.

    The run gives the ruleset's measures and the published history; the grade, list and list
    end come from the register's record in force on the day (none: the firm had no published
    result in force, no measure applies). Durations count from the final publication. A
    measure that follows the result on fixed dates (``anchor``) reads the record in force on
    its anchor date. Each
    check is appended to the register's trace table in one transaction.

    Parameters
    ----------
    register : Register, str or Path
        The credit register (an SQLite path or a database URL).
    run_dir : str or Path
        The scoring run whose ruleset's measures apply.
    requests : DataFrame
        One row per request: ``firm_id``, ``date`` (YYYY-MM-DD), ``action`` and the other
        columns of :func:`ecocredit.check_measures`.
    checked_at : datetime, optional
        The time recorded in the trace (default: now).

    Returns
    -------
    MeasureChecks
        As :func:`ecocredit.check_measures`, ``checks`` with ``register_seq`` (the decision
        relied on) and ``trace_seq``.

    Raises
    ------
    RegisterError
        A request's date is not YYYY-MM-DD, or the register cannot be opened.
    ReplayError
        ``run_dir`` holds no run manifest.
    InputError
        A request names an unknown action (as :func:`ecocredit.check_measures`).
    """
    reg = register if isinstance(register, Register) else Register(register)
    result = rerun(read_manifest(run_dir))
    req = requests.copy().reset_index(drop=True)
    checks, details, relied = [], [], []
    for i in range(len(req)):
        c, dd, seq = _check_in_register(reg, result, req.iloc[[i]].reset_index(drop=True), i,
                                        checked_at)
        checks.append(c)
        details.append(dd)
        relied.append(seq)
    out_checks = pd.concat(checks, ignore_index=True)
    out_details = pd.concat(details, ignore_index=True)
    out_checks["register_seq"] = relied
    with reg.transaction() as w:
        seqs = w.add_trace([
            {"checked_at": r.checked_at, "who": r.who, "firm_id": r.firm_id,
             "action": r.action, "date": r.date, "ruleset": r.ruleset,
             "ruleset_version": r.ruleset_version, "period": r.period, "grade": r.grade,
             "list": r.list, "list_until": r.list_until,
             "in_force": "true" if r.in_force else "false", "measures": r.measures,
             "decision_seq": r.register_seq or None}
            for r in out_checks.itertuples(index=False)])
    out_checks["trace_seq"] = [str(s) for s in seqs]
    return MeasureChecks(checks=out_checks, details=out_details)


def _check_in_register(reg: Register, result: Any, one: pd.DataFrame, i: int,
                       checked_at: dt.datetime | None
                       ) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Request ``i`` (the one-row table ``one``) checked against the register's record in
    force on its day: its check, its measures (``check`` = ``i``) and the register sequence
    number of the record relied on ("" when none was in force).

    Raises
    ------
    RegisterError
        The request's date is not YYYY-MM-DD.
    """
    fid = str(one.at[0, "firm_id"]).strip().upper()
    day = str(one.at[0, "date"]).strip()
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        raise RegisterError(f"request {i + 1}: date {day!r} is not YYYY-MM-DD.") from None
    now = reg.in_force([fid], day)
    s = result.scores.copy()
    hit = s["firm_id"] == fid
    if len(now):
        rec = now.iloc[0]
        s.loc[hit, ["grade", "list", "list_until"]] = [rec["grade"], rec["list"],
                                                       rec["list_until"]]
        s.loc[hit, "grade_label"] = rec["grade_label"]
        e = dt.date.fromisoformat(rec["published_on"] or rec["effective_from"])
        relied = str(rec["seq"])
    else:  # nothing published in force: no grade, and the check says so
        s.loc[hit, ["grade", "list", "list_until", "grade_label"]] = ""
        e = dt.date.fromisoformat(day) + dt.timedelta(days=1)
        relied = ""
    view = dataclasses.replace(result, scores=s, eval_date=e)
    m = check_measures(view, one, checked_at=checked_at,
                       dated=lambda a, fid=fid, s=s: _dated(reg, s, fid, a))
    dd = m.details.copy()
    dd["check"] = i
    return m.checks.copy(), dd, relied
