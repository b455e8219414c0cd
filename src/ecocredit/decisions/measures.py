"""Consequences at the point of action (逢办必查、触发留痕、奖惩到位).

A ruleset's ``measures`` attach incentives, constraints, punishments and prices to grades and
lists. When a firm applies for an action (a permit, a subsidy, a loan referral, a procurement,
an award, a penalty decision, ...) on a date, :func:`check_measures` answers which measures
apply and why, from a scoring run; :func:`append_trace` writes one line per check to an
append-only log, so every trigger leaves a record.

A measure applies to a request when

1. the request date ``D`` is on or after the run's evaluation date ``E`` (the result is
   published; before it, the run says nothing and no measure is returned);
2. the action is one of the measure's ``actions``;
3. the firm's grade is one of its ``grades``, or the list in force on ``D`` (the run's list,
   while ``D <= list_until``, the last day on the list) is one of its ``lists``;
4. its ``history`` condition, if any, holds on the published history (e.g. red twice running);
5. ``D <= add_months(E, duration_months)`` when the measure has a duration: the months that
   follow the evaluation date, counted as the Civil Code counts periods (E = 2025-12-31 and 6
   months → through 2026-06-30);
6. no other measure that applies ``supersedes`` it (an explicit exception: a firm red twice
   running pays Jiangsu's black sewage surcharge, not the red one).

Everything is computed on whole columns (requests × measures), exactly. The answer depends only
on the run and the request's date ``D``; the clock time of the check (``checked_at``) is only
recorded, in the answer and in the trace log.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..days import add_months_days, day_of, iso_days
from ..engine.run import ScoreResult
from ..errors import InputError
from ..periods import previous_periods
from ..output import excel_safe
from ..rules.conditions import history_mask
from ..vocab import MEASURE_ACTIONS

__all__ = ["check_measures", "append_trace", "read_trace", "TRACE_COLUMNS", "CHECK_COLUMNS",
           "DETAIL_COLUMNS", "MeasureChecks"]

CHECK_COLUMNS = ["checked_at", "who", "firm_id", "action", "date", "ruleset", "ruleset_version",
                 "period", "grade", "list", "list_until", "in_force", "measures"]
DETAIL_COLUMNS = ["check", "firm_id", "action", "date", "measure_id", "kind", "label", "value",
                  "unit", "until", "evidence", "reference"]
TRACE_COLUMNS = CHECK_COLUMNS


@dataclass
class MeasureChecks:
    """The answer to a batch of requests.

    Attributes
    ----------
    checks : DataFrame
        One row per request (:data:`CHECK_COLUMNS`): the grade and list in force and the ids of
        the measures that apply (``;``-separated).
    details : DataFrame
        One row per request and measure that applies (:data:`DETAIL_COLUMNS`), with the
        evidence (grade, list, history) and the citation.
    """

    checks: pd.DataFrame
    details: pd.DataFrame

    def explain(self, i: int = 0) -> str:
        """A readable answer for request ``i``."""
        c = self.checks.iloc[i]
        head = (f"{c['firm_id']} applies for {c['action']} ({MEASURE_ACTIONS.get(c['action'], '')})"
                f" on {c['date']}: ruleset {c['ruleset']} {c['ruleset_version']}, period "
                f"{c['period']}, grade {c['grade'] or '-'}"
                + (f", {c['list']} list until {c['list_until']}" if c["list"] else ""))
        if not c["in_force"]:
            return head + "\n  The run's result was not yet published on that date: no measure."
        d = self.details[self.details["check"] == i]
        if d.empty:
            return head + "\n  No measure of the ruleset applies to this action."
        lines = [head]
        for r in d.itertuples(index=False):
            val = f" {r.value} {r.unit}" if r.value else ""
            until = f" (until {r.until})" if r.until else ""
            lines += [f"  {r.measure_id} [{r.kind}] {r.label}{val}{until}",
                      f"      because: {r.evidence}", f"      reference: {r.reference}"]
        return "\n".join(lines)


def _requests(requests: pd.DataFrame) -> pd.DataFrame:
    req = requests.copy()
    for c in ("firm_id", "action", "date"):
        if c not in req.columns:
            raise InputError(f"The requests table needs a column '{c}'.", column=c,
                             reason_code="missing_column")
    if "who" not in req.columns:
        req["who"] = ""
    req = req.astype({c: str for c in ("firm_id", "action", "date", "who")})
    req["firm_id"] = req["firm_id"].str.strip().str.upper()
    bad = ~req["action"].isin(list(MEASURE_ACTIONS))
    if bad.any():
        raise InputError(f"Unknown action {req.loc[bad, 'action'].iloc[0]!r}; the actions are "
                         f"{list(MEASURE_ACTIONS)}.", column="action", reason_code="bad_value")
    try:
        req["_day"] = [day_of(dt.date.fromisoformat(x.strip())) for x in req["date"]]
    except ValueError:
        raise InputError("Every request date must be YYYY-MM-DD.", column="date",
                         reason_code="bad_date") from None
    return req.reset_index(drop=True)


def _applies(result: ScoreResult, pos: np.ndarray, day: np.ndarray, in_force: np.ndarray,
             action: np.ndarray, grade: np.ndarray, list_now: np.ndarray, until_txt: np.ndarray
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per measure, per check: whether it applies (action, grade or list in force, history,
    duration), its evidence, and the last day it applies ('' for no end)."""
    s = result.scores
    n = len(pos)
    e_day = day_of(result.eval_date)
    nf = len(s)
    graded = (s["status"] == "graded").to_numpy()
    applies: dict[str, np.ndarray] = {}
    evidence_of: dict[str, np.ndarray] = {}
    until_of: dict[str, np.ndarray] = {}
    for m in result.ruleset.measures:
        ok = in_force & np.isin(action, m.actions)
        by_grade = np.isin(grade, m.grades) if m.grades else np.zeros(n, bool)
        by_list = np.isin(list_now, m.lists) if m.lists else np.zeros(n, bool)
        ok &= by_grade | by_list
        evidence = np.where(by_grade, "grade " + grade.astype(str), "").astype(object)
        lev = np.where(by_list, list_now.astype(str) + " list until " + until_txt.astype(str),
                       "").astype(object)
        evidence = evidence + np.where((evidence != "") & (lev != ""), ";", "") + lev
        if m.history is not None:
            hmask, htext = history_mask(
                result.prepared, m.history, previous_periods(result.period, m.history.periods),
                nf, graded)
            ok &= hmask[pos]
            htxt = htext.reindex(pos).fillna("").to_numpy(object)
            evidence = evidence + np.where(htxt != "", ";", "") + htxt
        m_until = np.full(n, "", dtype=object)
        if m.duration_months is not None:
            # the months that follow the evaluation date; the last one ends on the corresponding
            # day (2025-12-31 + 6 months → 2026-06-30, the last day it applies)
            last_day = int(add_months_days(np.array([e_day]), m.duration_months)[0])
            ok &= day <= last_day
            m_until[:] = iso_days(np.array([last_day]))[0]
        applies[m.id], evidence_of[m.id], until_of[m.id] = ok, evidence, m_until
    return applies, evidence_of, until_of


def check_measures(result: ScoreResult, requests: pd.DataFrame, *,
                   checked_at: dt.datetime | None = None) -> MeasureChecks:
    """Which measures apply to each request, and why.

    Parameters
    ----------
    result : ScoreResult
        The scoring run whose grades and lists are in force.
    requests : DataFrame
        ``firm_id``, ``action`` (one of :data:`ecocredit.vocab.MEASURE_ACTIONS`), ``date``
        (ISO), optional ``who``.
    checked_at : datetime, optional
        When the check is made (recorded, not used to decide); default: now, in UTC.

    Returns
    -------
    MeasureChecks

    Raises
    ------
    InputError
        A request names an unknown firm or action, or a date that is not a date.

    Examples
    --------
    A Jiangsu firm red on 2025-12-31 pays the electricity surcharge for six months:

    >>> import ecocredit
    >>> firms = pd.DataFrame({"firm_id": ["91360102000000019F"], "name": ["甲"],
    ...                       "region_code": ["360102"]})
    >>> events = pd.DataFrame({"event_id": ["E1", "E2", "E3"],
    ...     "firm_id": ["91360102000000019F"] * 3, "event_date": ["2025-11-01"] * 3,
    ...     "event_type": ["fine", "production_restriction", "daily_penalty"]})
    >>> run = ecocredit.score(firms, events, "jiangsu-2020", period="2025", today="2026-01-01")
    >>> m = check_measures(run, pd.DataFrame({"firm_id": ["91360102000000019F"] * 2,
    ...     "action": ["electricity"] * 2, "date": ["2026-06-30", "2026-07-01"]}))
    >>> m.checks[["grade", "measures"]].values.tolist()
    [['red', 'JS-M01'], ['red', '']]
    """
    rs = result.ruleset
    req = _requests(requests)
    s = result.scores
    pos = pd.Index(s["firm_id"]).get_indexer(req["firm_id"])
    if (pos < 0).any():
        raise InputError(f"Firm {req['firm_id'][pos < 0].iloc[0]!r} is not among the scored "
                         "firms of this run.", column="firm_id", reason_code="unknown_firm")
    n = len(req)
    e_day = day_of(result.eval_date)
    day = req["_day"].to_numpy(np.int64)
    grade = s["grade"].to_numpy(object)[pos]
    lst = s["list"].to_numpy(object)[pos]
    until_txt = s["list_until"].to_numpy(object)[pos]
    until = np.array([day_of(dt.date.fromisoformat(u)) if u else np.iinfo(np.int64).max
                      for u in until_txt], dtype=np.int64)
    in_force = day >= e_day
    list_now = np.where((lst != "") & (day <= until), lst, "").astype(object)
    action = req["action"].to_numpy(object)

    applies, evidence_of, until_of = _applies(result, pos, day, in_force, action, grade,
                                              list_now, until_txt)
    # explicit exceptions: a measure that applies sets aside the ones it supersedes
    kept = {k: v.copy() for k, v in applies.items()}
    for m in rs.measures:
        for other in m.supersedes:
            kept[other] &= ~applies[m.id]
            note = np.where(applies[m.id] & applies[other], f";supersedes {other}", "")
            evidence_of[m.id] = evidence_of[m.id] + note.astype(object)
    parts: list[pd.DataFrame] = []
    ids = np.full(n, "", dtype=object)
    for m in rs.measures:
        idx = np.flatnonzero(kept[m.id])
        if not len(idx):
            continue
        ids[idx] = ids[idx] + np.where(ids[idx] != "", ";", "") + m.id
        parts.append(pd.DataFrame({
            "check": idx, "firm_id": req["firm_id"].to_numpy(object)[idx],
            "action": action[idx], "date": req["date"].to_numpy(object)[idx],
            "measure_id": m.id, "kind": m.kind, "label": str(m.label),
            "value": "" if m.value is None else str(m.value), "unit": m.unit,
            "until": until_of[m.id][idx], "evidence": evidence_of[m.id][idx],
            "reference": str(m.reference)}))
    details = (pd.concat(parts, ignore_index=True).sort_values("check", kind="stable")
               .reset_index(drop=True) if parts
               else pd.DataFrame({c: pd.Series(dtype=object) for c in DETAIL_COLUMNS}))
    when = (checked_at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    checks = pd.DataFrame({
        "checked_at": when, "who": req["who"].to_numpy(object),
        "firm_id": req["firm_id"].to_numpy(object), "action": action,
        "date": req["date"].to_numpy(object),
        "ruleset": rs.id, "ruleset_version": rs.version, "period": result.period.label,
        "grade": grade, "list": np.where(in_force, list_now, ""),
        "list_until": np.where(in_force & (list_now != ""), until_txt, ""),
        "in_force": in_force, "measures": ids})
    return MeasureChecks(checks=checks, details=details[DETAIL_COLUMNS])


def append_trace(log: str | Path, checks: pd.DataFrame) -> int:
    """Append one line per check to the trace log (CSV), atomically with respect to other writers.

    The file is opened with ``O_APPEND`` and locked (``fcntl.flock``) while the header (for a
    new file, after a UTF-8 BOM) and the lines are written, so concurrent checks never
    interleave. Cells are Excel-safe (:func:`ecocredit.output.excel_safe`): a ``who`` such as
    ``=cmd()`` is written as text.

    Returns
    -------
    int
        The number of lines appended (``len(checks)``).
    """
    frame = excel_safe(checks[TRACE_COLUMNS].astype(object).map(
        lambda x: "true" if x is True or x is np.True_ else
        "false" if x is False or x is np.False_ else x))
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, lineterminator="\n")
    body = buf.getvalue().encode("utf-8")
    fd = os.open(str(log), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX: O_APPEND alone
            pass
        data = body
        if os.fstat(fd).st_size == 0:
            data = b"\xef\xbb\xbf" + (",".join(TRACE_COLUMNS) + "\n").encode("utf-8") + body
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)  # closing releases the lock
    return len(checks)


def read_trace(log: str | Path) -> pd.DataFrame:
    """The trace log as a table of strings (one row per check).

    Examples
    --------
    >>> import tempfile, os
    >>> log = os.path.join(tempfile.mkdtemp(), "trace.csv")
    >>> row = {c: "" for c in TRACE_COLUMNS} | {"who": "=HYPERLINK()", "in_force": True}
    >>> append_trace(log, pd.DataFrame([row])), append_trace(log, pd.DataFrame([row, row]))
    (1, 2)
    >>> t = read_trace(log); len(t), t["who"][0], t["in_force"][0]
    (3, "'=HYPERLINK()", 'true')
    """
    return pd.read_csv(log, dtype=str, keep_default_na=False, encoding="utf-8-sig")
