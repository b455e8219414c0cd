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

When the run's publication date ``P`` is given (``published_on``; the register's recorded
final publication), the result is in force from ``P`` instead of ``E``, durations count from
``P``, and so do the list entries this run made (``list_until = add_months(P, N)``; entries
carried over from the history keep their end).

A measure with an ``anchor`` follows the result on fixed dates, not the run at hand
(:mod:`ecocredit.decisions.anchored`): its grade and list are those of the last anchor date
``A`` before ``D`` (Jiangsu's electricity price: the result on 30 June or 31 December), it
applies through the next anchor date, that day included, and every answer says which dated
result it used.

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
from typing import Any

import numpy as np
import pandas as pd

from ..days import add_months_days, date_of, day_of, iso_days
from ..engine.run import ScoreResult
from ..errors import InputError
from ..periods import previous_periods
from ..read.parse import no_such_day
from ..output import excel_safe
from ..rules.conditions import history_mask
from ..vocab import MEASURE_ACTIONS
from .anchored import DatedResult, DatedSource, anchor_days, result_on
from .published import lists_from_publication

__all__ = ["check_measures", "append_trace", "read_trace", "TRACE_COLUMNS", "CHECK_COLUMNS",
           "DETAIL_COLUMNS", "MeasureChecks"]

TRACE_COLUMNS = ["checked_at", "who", "firm_id", "action", "date", "ruleset", "ruleset_version",
                 "period", "grade", "list", "list_until", "in_force", "measures"]
#: the trace's columns, then ``dated``: the dated results the anchored measures of the action
#: read (``""`` when none)
CHECK_COLUMNS = TRACE_COLUMNS + ["dated"]
DETAIL_COLUMNS = ["check", "firm_id", "action", "date", "measure_id", "kind", "label", "value",
                  "unit", "until", "evidence", "reference"]


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
        dated = c.get("dated", "")
        d = self.details[self.details["check"] == i]
        lines = [head] + [f"  dated result: {x}" for x in dated.split("\n") if x]
        if not c["in_force"]:
            if not dated:
                return head + "\n  The run's result was not yet published on that date: no measure."
            lines.append("  The run's result was not yet published on that date: only the "
                         "measures that follow a dated result are checked.")
        elif d.empty:
            lines.append("  No measure of the ruleset applies to this action.")
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
    days = []
    for x in req["date"]:
        try:
            days.append(day_of(dt.date.fromisoformat(x.strip())))
        except ValueError:
            why = no_such_day(x)
            raise InputError(why or f"Every request date must be YYYY-MM-DD; got {x.strip()!r}.",
                             column="date", reason_code="bad_date") from None
    req["_day"] = days
    return req.reset_index(drop=True)


@dataclass
class _Asked:
    """The requests as columns: run position of the firm, day, action, and the run's grade
    and list in force on the day."""

    pos: np.ndarray
    day: np.ndarray
    in_force: np.ndarray
    action: np.ndarray
    grade: np.ndarray
    list_now: np.ndarray
    until_txt: np.ndarray


def _target(m, grade: np.ndarray, list_now: np.ndarray, until_txt: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Whether the grade or list matches the measure's, and that evidence."""
    n = len(grade)
    by_grade = np.isin(grade, m.grades) if m.grades else np.zeros(n, bool)
    by_list = np.isin(list_now, m.lists) if m.lists else np.zeros(n, bool)
    evidence = np.where(by_grade, "grade " + grade.astype(str), "").astype(object)
    lev = np.where(by_list, list_now.astype(str) + " list until " + until_txt.astype(str),
                   "").astype(object)
    evidence = evidence + np.where((evidence != "") & (lev != ""), ";", "") + lev
    return by_grade | by_list, evidence


def _dated(m, a: _Asked, source: DatedSource, cache: dict[int, DatedResult]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """An anchored measure: per check, whether it applies on the dated result, its evidence,
    its last day, and the text naming the dated result read."""
    n = len(a.pos)
    anchor, last = anchor_days(m.anchor.dates, a.day)
    grade, lst, until = (np.full(n, "", dtype=object) for _ in range(3))
    src = np.full(n, "", dtype=object)
    for A in np.unique(anchor):
        if int(A) not in cache:
            cache[int(A)] = source(date_of(int(A)))
        r, at = cache[int(A)], anchor == A
        grade[at], lst[at], until[at] = r.grade[a.pos[at]], r.list[a.pos[at]], r.list_until[
            a.pos[at]]
        src[at] = r.source[a.pos[at]]
    a_txt, last_txt = iso_days(anchor), iso_days(last)
    ok, evidence = _target(m, grade, lst, until)
    ok &= np.isin(a.action, m.actions)
    evidence = np.where(evidence != "", evidence + " on " + a_txt + " (" + src + ")", "")
    said = (a_txt + ": grade " + np.where(grade != "", grade, "-")
            + np.where(lst != "", ", " + lst + " list", "") + " (" + src + "), applies through "
            + last_txt)
    return ok, evidence.astype(object), last_txt.astype(object), said.astype(object)


def _applies(result: ScoreResult, a: _Asked, start_day: int, source: DatedSource
             ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray],
                        np.ndarray]:
    """Per measure, per check: whether it applies (action, grade or list in force, history,
    duration; or the dated result for an anchored measure), its evidence, and the last day
    it applies ('' for no end); and per check the dated results read."""
    s = result.scores
    n = len(a.pos)
    nf = len(s)
    graded = (s["status"] == "graded").to_numpy()
    applies: dict[str, np.ndarray] = {}
    evidence_of: dict[str, np.ndarray] = {}
    until_of: dict[str, np.ndarray] = {}
    dated_txt = np.full(n, "", dtype=object)
    cache: dict[int, DatedResult] = {}
    for m in result.ruleset.measures:
        if m.anchor is not None:
            ok, evidence, m_until, said = _dated(m, a, source, cache)
            asked = np.isin(a.action, m.actions)
            for i in np.flatnonzero(asked):  # one line per dated result read
                if said[i] not in dated_txt[i].split("\n"):
                    dated_txt[i] += ("\n" if dated_txt[i] else "") + said[i]
            applies[m.id], evidence_of[m.id], until_of[m.id] = ok, evidence, m_until
            continue
        ok = a.in_force & np.isin(a.action, m.actions)
        hit, evidence = _target(m, a.grade, a.list_now, a.until_txt)
        ok &= hit
        if m.history is not None:
            hmask, htext = history_mask(
                result.prepared, m.history, previous_periods(result.period, m.history.periods),
                nf, graded)
            ok &= hmask[a.pos]
            htxt = htext.reindex(a.pos).fillna("").to_numpy(object)
            evidence = evidence + np.where(htxt != "", ";", "") + htxt
        m_until = np.full(n, "", dtype=object)
        if m.duration_months is not None:
            # the months that follow the evaluation date (or the publication); the last one
            # ends on the corresponding day (2025-12-31 + 6 months → 2026-06-30, included)
            last_day = int(add_months_days(np.array([start_day]), m.duration_months)[0])
            ok &= a.day <= last_day
            m_until[:] = iso_days(np.array([last_day]))[0]
        applies[m.id], evidence_of[m.id], until_of[m.id] = ok, evidence, m_until
    return applies, evidence_of, until_of, dated_txt


def check_measures(result: ScoreResult, requests: pd.DataFrame, *,
                   checked_at: dt.datetime | None = None,
                   published_on: dt.date | None = None,
                   dated: DatedSource | None = None) -> MeasureChecks:
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
    published_on : date, optional
        The day the run's results were published: they are in force from it, and the
        windows the regulations count from publication (measure durations, this run's list
        entries) count from it. Default: the evaluation date.
    dated : callable, optional
        ``date -> DatedResult``: where the result on an anchor date comes from (the credit
        register gives its record in force). Default: :func:`~ecocredit.decisions.anchored.
        result_on` (the run, re-scored as of that date).

    Returns
    -------
    MeasureChecks

    Raises
    ------
    InputError
        A request names an unknown firm or action, or a date that is not a date, or
        ``published_on`` precedes the evaluation date.

    Examples
    --------
    A Jiangsu firm red on 2025-12-31 pays the electricity surcharge for the next half-year
    (the result on the half-year's last day), through 2026-06-30:

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
    start = day_of(published_on or result.eval_date)
    asked = _asked(result, req, published_on, start)
    applies, evidence_of, until_of, dated_txt = _applies(
        result, asked, start, dated or (lambda d: result_on(result, d)))
    kept = _set_aside_superseded(rs, applies, evidence_of)
    details, ids = _details(rs, req, asked, kept, until_of, evidence_of)
    when = (checked_at or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    in_force, list_now = asked.in_force, asked.list_now
    checks = pd.DataFrame({
        "checked_at": when, "who": req["who"].to_numpy(object),
        "firm_id": req["firm_id"].to_numpy(object), "action": asked.action,
        "date": req["date"].to_numpy(object),
        "ruleset": rs.id, "ruleset_version": rs.version, "period": result.period.label,
        "grade": asked.grade, "list": np.where(in_force, list_now, ""),
        "list_until": np.where(in_force & (list_now != ""), asked.until_txt, ""),
        "in_force": in_force, "measures": ids, "dated": dated_txt})
    return MeasureChecks(checks=checks, details=details[DETAIL_COLUMNS])


def _asked(result: ScoreResult, req: pd.DataFrame, published_on: dt.date | None,
           start: int) -> _Asked:
    """The requests against the run: each firm's position, and its grade and list in force
    on the request's day (lists counted from the publication when it is given).

    Raises
    ------
    InputError
        A request names a firm the run did not score, or ``published_on`` precedes the
        evaluation date.
    """
    s = result.scores
    pos = pd.Index(s["firm_id"]).get_indexer(req["firm_id"])
    if (pos < 0).any():
        raise InputError(f"Firm {req['firm_id'][pos < 0].iloc[0]!r} is not among the scored "
                         "firms of this run.", column="firm_id", reason_code="unknown_firm")
    if published_on is not None and published_on < result.eval_date:
        raise InputError(f"The publication date {published_on} precedes the evaluation date "
                         f"{result.eval_date}.", column="published_on", reason_code="bad_value")
    day = req["_day"].to_numpy(np.int64)
    grade = s["grade"].to_numpy(object)[pos]
    lst = s["list"].to_numpy(object)[pos]
    until_all = (lists_from_publication(result, published_on) if published_on is not None
                 else s["list_until"].to_numpy(object))
    until_txt = until_all[pos]
    until = np.array([day_of(dt.date.fromisoformat(u)) if u else np.iinfo(np.int64).max
                      for u in until_txt], dtype=np.int64)
    list_now = np.where((lst != "") & (day <= until), lst, "").astype(object)
    return _Asked(pos, day, day >= start, req["action"].to_numpy(object), grade, list_now,
                  until_txt)


def _set_aside_superseded(rs: Any, applies: dict[str, np.ndarray],
                          evidence_of: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The explicit exceptions: a measure that applies sets aside the ones it supersedes
    (its evidence says so). Returns, per measure, the requests it is kept for."""
    kept = {k: v.copy() for k, v in applies.items()}
    for m in rs.measures:
        for other in m.supersedes:
            kept[other] &= ~applies[m.id]
            note = np.where(applies[m.id] & applies[other], f";supersedes {other}", "")
            evidence_of[m.id] = evidence_of[m.id] + note.astype(object)
    return kept


def _details(rs: Any, req: pd.DataFrame, asked: _Asked, kept: dict[str, np.ndarray],
             until_of: dict[str, np.ndarray], evidence_of: dict[str, np.ndarray]
             ) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per measure kept for a request (in request order, then the ruleset's order of
    measures), and per request the ids of its measures, ``;``-joined."""
    parts: list[pd.DataFrame] = []
    ids = np.full(len(req), "", dtype=object)
    for m in rs.measures:
        idx = np.flatnonzero(kept[m.id])
        if not len(idx):
            continue
        ids[idx] = ids[idx] + np.where(ids[idx] != "", ";", "") + m.id
        parts.append(pd.DataFrame({
            "check": idx, "firm_id": req["firm_id"].to_numpy(object)[idx],
            "action": asked.action[idx], "date": req["date"].to_numpy(object)[idx],
            "measure_id": m.id, "kind": m.kind, "label": str(m.label),
            "value": "" if m.value is None else str(m.value), "unit": m.unit,
            "until": until_of[m.id][idx], "evidence": evidence_of[m.id][idx],
            "reference": str(m.reference)}))
    details = (pd.concat(parts, ignore_index=True).sort_values("check", kind="stable")
               .reset_index(drop=True) if parts
               else pd.DataFrame({c: pd.Series(dtype=object) for c in DETAIL_COLUMNS}))
    return details, ids


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
