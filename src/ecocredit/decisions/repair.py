"""Credit repair (信用修复): applications decided by the ruleset's ``repair`` policy.

An application names a firm, a date, the records it has rectified and whether it gave a
credit commitment. :func:`decide_repairs` checks it against the policy of the run's ruleset,
in a fixed order, and says what a granted repair does:

1. the ruleset has a policy (``no_repair_policy``) that allows early repair
   (``repair_not_allowed``: Jiangsu's deductions lapse on their own);
2. the firm was scored and graded in the run (``unknown_firm``, ``not_graded``);
3. there is something to repair: a grade among ``grades`` or a list among ``lists`` in force on
   the date (``nothing_to_repair``);
4. timing, counting months as the Civil Code counts periods (Art. 201–202: the day of
   publication is not counted, and N months end on the corresponding day, or the month's last
   day, ``add_months(P, N)``, which belongs to the period). The publication date ``P`` is the
   run's evaluation date ``E`` for the grade and for a list entry of this period; for a list in
   force only through an entry published earlier (the history table), the end of that entry's
   period. The application must not precede ``E`` (``before_publication``), must come after
   the minimum period, ``min_months`` from ``P`` (``min_months_serious`` for a serious entry)
   (``too_early``), and within ``apply_within_months`` of ``E`` (``too_late``). An entry of
   this period is serious when its contribution says so; an earlier one when it lasts longer
   than every ordinary ``duration_months`` of the ruleset's rules for that list;
5. no malicious or serious violation: no event matching ``excluded`` (types, severity,
   medium, amount) dated from the period's start to the application date
   (``excluded_violation``);
6. no earlier repair within ``no_repeat_months`` (an earlier granted application of the same
   batch, or the application's ``last_repair`` date) (``repeat``);
7. a credit commitment (``no_commitment``) and every adverse record behind the grade or list
   named as rectified (``not_rectified``).

Every failed check is reported (reason codes from :data:`ecocredit.vocab.REPAIR_REASON_CODES`),
with its evidence. A granted repair takes effect after ``notice_days``: the grade is lifted
``lift_levels`` (never to the top grade while the firm stays black-listed) and/or the list
entry ends (``end_listing``): the firm is off the list from that day, so ``list_until_after``
(the last day on the list) is the day before. The decisions read the run's records only: an
event recorded after the run is not seen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..days import NO_DATE, add_months, date_of, months_text
from ..engine.run import ScoreResult
from ..errors import InputError
from ..periods import parse_period
from ..points import fen_ceiling
from ..read.parse import no_such_day
from ..rules.conditions import Match
from ..ruleset import Ruleset
from ..vocab import REPAIR_REASON_CODES
from .published import lists_from_publication

__all__ = ["decide_repairs", "DECISION_COLUMNS"]

DECISION_COLUMNS = ["firm_id", "date", "decision", "reasons", "grade", "grade_after", "list",
                    "list_until", "list_until_after", "effective", "evidence", "reference",
                    "explanation"]

_TRUE = {"true", "1", "yes", "y", "是", "t"}


def _date(text: Any, column: str) -> dt.date | None:
    t = str(text or "").strip()
    if not t:
        return None
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        why = no_such_day(t)
        raise InputError(f"Application '{column}': {why}" if why else
                         f"Every application '{column}' must be a date YYYY-MM-DD; got {t!r}.",
                         column=column, reason_code="bad_date") from None


def _matches(m: Match, ev: pd.DataFrame) -> np.ndarray:
    """Which of these events match ``m`` by type, severity, medium and amount (not timing)."""
    ok = ev["event_type"].astype(str).isin(m.types).to_numpy()
    if m.severity is not None:
        ok &= ev["severity"].astype(str).isin(m.severity).to_numpy()
    if m.medium is not None:
        ok &= ev["medium"].astype(str).isin(m.medium).to_numpy()
    fen = ev["amount_fen"].to_numpy(np.int64)
    if m.amount_min is not None:
        ok &= (fen >= 0) & (fen >= fen_ceiling(m.amount_min))
    if m.amount_max is not None:
        ok &= (fen >= 0) & (fen < fen_ceiling(m.amount_max))
    return ok


def _publication(rs: Ruleset, result: ScoreResult, firm_idx: int, list_name: str,
                 contrib: pd.DataFrame) -> tuple[dt.date, bool, str]:
    """When the list entry in force was published, whether it is serious, and the evidence."""
    E = result.eval_date
    own = contrib[contrib["kind"].eq("list") & contrib["effect"].str.startswith(list_name + " list")
                  & ~contrib["rule_id"].str.startswith("lists.history.")]
    if len(own):
        serious = own["effect"].str.contains("(serious)", regex=False).any()
        return E, bool(serious), ""
    h = result.prepared.history
    rows = h[(h["firm_idx"].to_numpy() == firm_idx) & (h["list"] == list_name).to_numpy()]
    default = getattr(rs.lists.history_months, list_name) if rs.lists else 12
    ordinary = max([r.duration_months for r in (rs.lists.rules if rs.lists else [])
                    if r.list == list_name and not r.serious] or [default])
    best: tuple[dt.date, dt.date, str] | None = None
    for r in rows.itertuples(index=False):
        pend = parse_period(r.period).end
        if pend >= result.period.start:
            continue
        until = (date_of(r.list_until_day) if r.list_until_day != NO_DATE
                 else add_months(pend, default))
        if E <= until and (best is None or until > best[1]):
            best = (pend, until, str(r.period))
    if best is None:  # cannot happen for a list in force; count from E
        return E, False, ""
    pend, until, label = best
    return pend, until > add_months(pend, ordinary), f"history {label}: {list_name} list"


def _repairable(pol: Any) -> str:
    """What a repair policy repairs, in words: ``grades yellow and red``, ``the black list``."""
    def both(xs: list[str]) -> str:
        return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]

    parts = []
    if pol.grades:
        parts.append(("grade " if len(pol.grades) == 1 else "grades ") + both(list(pol.grades)))
    if pol.lists:
        parts.append("the " + both(list(pol.lists)) + (" list" if len(pol.lists) == 1
                                                         else " lists"))
    return ", and ".join(parts)


def decide_repairs(result: ScoreResult, applications: pd.DataFrame, *,
                   published_on: dt.date | None = None) -> pd.DataFrame:
    """Decide credit-repair applications against the ruleset's ``repair`` policy.

    Parameters
    ----------
    result : ScoreResult
        The run whose grades and lists the applications would repair.
    applications : DataFrame
        ``firm_id``, ``date`` (ISO); optional ``rectified`` (``;``-separated event ids),
        ``commitment`` (true/false), ``last_repair`` (ISO date of an earlier repair).

    published_on : date, optional
        The recorded publication date of the final result (the credit register,
        :mod:`ecocredit.cycle`): the windows count from it instead of the evaluation date.

    Returns
    -------
    DataFrame
        One row per application (:data:`DECISION_COLUMNS`), in the order given; ``decision``
        is ``granted`` or ``refused``, ``reasons`` the ``;``-separated reason codes.

    Raises
    ------
    InputError
        A required column is missing or a date is not a date, or ``published_on`` precedes
        the evaluation date.

    Examples
    --------
    A Guangdong firm lowered to 警示 by an ordinary incident applies within 6 months:

    >>> import ecocredit
    >>> firms = pd.DataFrame({"firm_id": ["91360102000000019F"], "name": ["甲"],
    ...                       "region_code": ["360102"]})
    >>> events = pd.DataFrame({"event_id": ["E1"], "firm_id": ["91360102000000019F"],
    ...                        "event_date": ["2025-06-01"], "event_type": ["incident"],
    ...                        "severity": ["general"]})
    >>> run = ecocredit.score(firms, events, "guangdong-2015", period="2025", today="2026-01-01")
    >>> d = decide_repairs(run, pd.DataFrame({"firm_id": ["91360102000000019F"],
    ...     "date": ["2026-03-01"], "rectified": ["E1"], "commitment": ["true"]}))
    >>> d.loc[0, ["decision", "grade", "grade_after", "effective"]].tolist()
    ['granted', 'yellow', 'blue', '2026-03-08']
    """
    for c in ("firm_id", "date"):
        if c not in applications.columns:
            raise InputError(f"The applications table needs a column '{c}'.", column=c,
                             reason_code="missing_column")
    apps = applications.fillna("").astype(str).reset_index(drop=True)
    for c in ("rectified", "commitment", "last_repair"):
        if c not in apps.columns:
            apps[c] = ""
    dates = [_date(x, "date") for x in apps["date"]]
    if any(d is None for d in dates):
        raise InputError("Every application needs a date YYYY-MM-DD.", column="date",
                         reason_code="missing_value")
    last = [_date(x, "last_repair") for x in apps["last_repair"]]
    if published_on is not None and published_on < result.eval_date:
        raise InputError(f"The publication date {published_on} precedes the evaluation date "
                         f"{result.eval_date}: results are published after they are evaluated.",
                         column="published_on", reason_code="bad_value")
    run = _Run(result, published_on)
    out: list[tuple[int, dict[str, Any]]] = []
    # decide in date order (a repeat is judged against earlier grants), report in given order
    for i in sorted(range(len(apps)), key=lambda k: (dates[k], k)):
        day = dates[i]
        assert day is not None
        out.append((i, _decide(run, apps.iloc[i], day, last[i])))
    out.sort(key=lambda t: t[0])
    return pd.DataFrame([r for _, r in out], columns=DECISION_COLUMNS)


class _Run:
    """What every decision reads of the run, and the repairs granted so far (by firm)."""

    def __init__(self, result: ScoreResult, published_on: dt.date | None = None) -> None:
        self.result = result
        self.rs = result.ruleset
        self.pol = self.rs.repair
        #: the publication the windows count from: recorded in the register, or the evaluation date
        self.E = published_on or result.eval_date
        self.published_on = published_on
        scores = result.scores
        if published_on is not None:  # this run's list entries count from the publication
            scores = scores.assign(list_until=lists_from_publication(result, published_on))
        self.scores = scores.set_index("firm_id")
        self.contrib = result.contributions
        self.ev = result.prepared.events
        self.ev_firm = self.ev["firm_idx"].to_numpy()
        self.firm_pos = {f: i for i, f in enumerate(
            result.prepared.firms["firm_id"].to_numpy(object))}
        self.granted: dict[str, dt.date] = {}


class _Decision:
    """One application's record, reason codes, evidence and explanation lines."""

    def __init__(self, rec: dict[str, Any]) -> None:
        self.rec = rec
        self.reasons: list[str] = []
        self.evidence: list[str] = []
        self.lines: list[str] = []

    def refuse(self, code: str, why: str, ev_text: str = "") -> None:
        self.reasons.append(code)
        self.lines.append(f"refused ({code}): {why}")
        if ev_text:
            self.evidence.append(ev_text)

    def finish(self) -> dict[str, Any]:
        return _finish(self.rec, self.reasons, self.evidence, self.lines)


def _decide(run: _Run, a: pd.Series, day: dt.date, last_repair: dt.date | None
            ) -> dict[str, Any]:
    """Decide one application: the firm and policy, then timing, record and commitment."""
    rs, pol, scores = run.rs, run.pol, run.scores
    fid = a["firm_id"].strip().upper()
    row = scores.loc[fid] if fid in scores.index else None
    grade = "" if row is None else row["grade"]
    lst = "" if row is None else row["list"]
    until = "" if row is None else row["list_until"]
    d = _Decision({"firm_id": fid, "date": day.isoformat(), "grade": grade,
                   "grade_after": grade, "list": lst, "list_until": until,
                   "list_until_after": until, "effective": "",
                   "reference": str(pol.reference) if pol else ""})
    if pol is None:
        d.refuse("no_repair_policy", f"ruleset {rs.id} declares no credit repair.")
    elif not pol.allowed:
        d.refuse("repair_not_allowed", f"{pol.label}: {pol.description.strip()}")
    elif row is None:
        d.refuse("unknown_firm", f"{fid} is not among the run's firms.")
    elif row["status"] != "graded":
        d.refuse("not_graded", f"{fid} was not graded ({row['not_graded_reason']}).")
    if d.reasons or pol is None:
        return d.finish()
    k = run.firm_pos[fid]
    c = run.contrib[run.contrib["firm_id"] == fid]
    list_on = lst if lst and day <= dt.date.fromisoformat(until) else ""
    by_grade = bool(pol.grades) and grade in pol.grades
    by_list = bool(pol.lists) and list_on in pol.lists
    if (pol.grades or pol.lists) and not (by_grade or by_list):
        d.refuse("nothing_to_repair",
                 f"grade {grade}" + (f", {list_on} list" if list_on else ", on no list")
                 + f": the policy repairs only {_repairable(pol)}.")
    _check_timing(run, d, day, k, list_on if by_list else "", c)
    fe = run.ev.iloc[np.flatnonzero(run.ev_firm == k)]
    _check_record(run, d, a, day, fid, last_repair, fe, c)
    if not d.reasons:
        _grant(run, d, day, fid, grade, list_on, until, by_grade, by_list)
    return d.finish()


def _check_timing(run: _Run, d: _Decision, day: dt.date, k: int, list_on: str,
                  c: pd.DataFrame) -> None:
    """Not before publication, not before the minimum period, not after the deadline."""
    pol, E = run.pol, run.E
    published, serious, pub_ev = E, False, ""
    if list_on:
        published, serious, pub_ev = _publication(run.rs, run.result, k, list_on, c)
        published = E if published == run.result.eval_date else published
    if day < E:
        d.refuse("before_publication", f"{day} is before the "
                 + (f"publication on {E}." if run.published_on else f"evaluation date {E}."))
    months = pol.min_months_serious if serious and pol.min_months_serious is not None \
        else pol.min_months
    if months and day <= add_months(published, months):
        d.refuse("too_early", f"the minimum period of {months_text(months)}"
                 + (" (serious entry)" if serious else "")
                 + f" from publication on {published} runs to the end of "
                 f"{add_months(published, months)}.", pub_ev)
    if pol.apply_within_months and day > add_months(E, pol.apply_within_months):
        d.refuse("too_late", f"the {months_text(pol.apply_within_months)} for applying after "
                 f"publication ended on {add_months(E, pol.apply_within_months)}.")


def _check_record(run: _Run, d: _Decision, a: pd.Series, day: dt.date, fid: str,
                  last_repair: dt.date | None, fe: pd.DataFrame, c: pd.DataFrame) -> None:
    """No excluded violation, no recent repair, a commitment, every adverse record
    rectified."""
    pol = run.pol
    if pol.excluded is not None and len(fe):
        start, end = (run.result.period.start - dt.date(1970, 1, 1)).days, \
            (day - dt.date(1970, 1, 1)).days
        days = fe["day"].to_numpy(np.int64)
        hit = (_matches(pol.excluded, fe) & ~fe["revoked"].to_numpy(bool)
               & (days >= start) & (days <= end))
        hits = sorted(str(x) for x in fe["event_id"].to_numpy(object)[hit])
        if hits:
            d.refuse("excluded_violation", "malicious or serious violations: "
                     + ";".join(hits) + ".", ";".join(hits))
    if pol.no_repeat_months:
        prev = [x for x in (run.granted.get(fid), last_repair) if x]
        recent = [p for p in prev if day <= add_months(p, pol.no_repeat_months)]
        if recent:
            d.refuse("repeat", f"an earlier repair on {max(recent)} is within "
                     f"{months_text(pol.no_repeat_months)}.", f"repaired {max(recent)}")
    if pol.requires_commitment and a["commitment"].strip().lower() not in _TRUE:
        d.refuse("no_commitment", "no public credit commitment was given.")
    if pol.requires_rectification:
        own_ids = set(str(x) for x in fe["event_id"].to_numpy(object))
        adverse: set[str] = set()
        for r in c.itertuples(index=False):
            if r.points_cents < 0 or r.kind in ("veto", "downgrade", "cap", "list"):
                adverse |= {t for t in str(r.evidence).split(";") if t in own_ids}
        done = {t.strip() for t in a["rectified"].split(";") if t.strip()}
        missing = sorted(adverse - done)
        if missing:
            d.refuse("not_rectified", "records not shown rectified: " + ";".join(missing)
                     + ".", ";".join(missing))


def _grant(run: _Run, d: _Decision, day: dt.date, fid: str, grade: str, list_on: str,
           until: str, by_grade: bool, by_list: bool) -> None:
    """The repair's effect: after the notice, off the list and/or the grade lifted."""
    rs, pol, rec = run.rs, run.pol, d.rec
    eff = day + dt.timedelta(days=pol.effect.notice_days)
    rec["effective"] = eff.isoformat()
    what = []
    after_list = list_on
    if pol.effect.end_listing and by_list:
        rec["list_until_after"] = (eff - dt.timedelta(days=1)).isoformat()
        after_list = ""
        what.append(f"off the {list_on} list from {eff}")
    if pol.effect.lift_levels and (by_grade or not pol.grades):
        r0 = rs.grade_index[grade]
        r1 = max(r0 - pol.effect.lift_levels, 0)
        if after_list == "black":
            r1 = max(r1, rs.black_cap_rank())
        rec["grade_after"] = rs.grade_ids[r1]
        what.append(f"grade {grade}→{rs.grade_ids[r1]} on {eff}")
    d.lines.append(f"granted: {'; '.join(what) or 'nothing changes'}"
                   + (f" (after a {pol.effect.notice_days}-day public notice)"
                      if pol.effect.notice_days else "") + ".")
    d.evidence.append(f"grade {grade}" + (f";{list_on} list until {until}" if list_on
                                            else ""))
    run.granted[fid] = day


def _finish(rec: dict[str, Any], reasons: list[str], evidence: list[str],
            lines: list[str]) -> dict[str, Any]:
    unknown = [r for r in reasons if r not in REPAIR_REASON_CODES]
    if unknown:  # a programming error: the reason codes are a closed set
        raise ValueError(f"unknown repair reason codes {unknown}")
    rec["decision"] = "refused" if reasons else "granted"
    rec["reasons"] = ";".join(reasons)
    rec["evidence"] = ";".join(e for e in evidence if e)
    rec["explanation"] = " ".join(lines)
    return rec
