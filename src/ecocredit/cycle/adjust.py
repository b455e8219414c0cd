"""Dynamic adjustment (动态调整) of published grades during the year.

After the final publication the grade in force can change before the next evaluation
(research.md §1.8): Guangdong lowers a firm one level for an ordinary (一般) sudden environmental
incident; Anhui sets a firm directly to 不良 for a veto-type behaviour, or concealment/fraud,
found after publication. The ruleset declares these rules (``adjustment.rules``). Jiangsu's
12-point model is continuous (``adjustment.rescore``): the firm is re-scored on the day.

:func:`adjust` reads the grade in force on the day from the register, takes each firm's events
dated after the publication of that grade and on or before the day (not revoked, not already
the evidence of an earlier adjustment), applies the first matching rule per event in date
order, and records each change (stage ``adjustment``, effective from the day, the rule and the
event as evidence). Running it again with the same events records nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


from ..engine.run import score
from ..read import read_table
from ..ruleset import load_ruleset
from ..output import csv_bytes, write_files_atomically
from .register import Register, RegisterError

__all__ = ["adjust", "AdjustResult", "ADJUSTMENT_COLUMNS"]

ADJUSTMENT_COLUMNS = ["firm_id", "grade_before", "grade_after", "list", "effective_from",
                      "rule_id", "evidence"]


@dataclass
class AdjustResult:
    """The adjustments recorded (:data:`ADJUSTMENT_COLUMNS`) and where they were written."""

    adjustments: pd.DataFrame
    firms_in_force: int
    out_dir: str | None

    def text(self) -> str:
        lines = [f"{r.firm_id}: {r.grade_before} → {r.grade_after} from {r.effective_from} "
                 f"({r.rule_id}; evidence {r.evidence})"
                 for r in self.adjustments.itertuples(index=False)]
        lines.append(f"{len(self.adjustments)} adjustment(s) recorded among "
                     f"{self.firms_in_force} firms with a published grade in force"
                     + (f"; adjustments.csv in {self.out_dir}" if self.out_dir else "") + ".")
        return "\n".join(lines)


def _conditions(rs: Any) -> list[tuple[Any, list[tuple[set[str], set[str] | None]]]]:
    """Each adjustment rule with the (types, severities) it matches."""
    out = []
    for rule in rs.adjustment.rules:
        conds: list[tuple[set[str], set[str] | None]] = []
        if rule.when.types:
            conds.append((set(rule.when.types),
                          set(rule.when.severity) if rule.when.severity else None))
        if rule.when.veto_rules:
            for r in rs.rules:
                ev = getattr(getattr(r, "when", None), "events", None)
                if r.kind == "veto" and ev is not None:
                    conds.append((set(ev.types), set(ev.severity) if ev.severity else None))
        out.append((rule, conds))
    return out


def _new_grade(rs: Any, grade: str, effect: Any) -> str:
    ids = rs.grade_ids
    if effect.set_grade:
        return effect.set_grade if ids.index(effect.set_grade) > ids.index(grade) else grade
    return ids[min(ids.index(grade) + effect.lower_levels, len(ids) - 1)]


def adjust(register: Register | str | Path, ruleset: Any, *, firms: str | Path,
           events: str | Path, date: dt.date | str,
           out: str | Path | None = None) -> AdjustResult:
    """Apply the ruleset's dynamic-adjustment rules on ``date`` and record the changes.

    Parameters
    ----------
    register : Register, str or Path
    ruleset : Ruleset or str
        The ruleset of the published grades (its ``adjustment`` section).
    firms, events : str or Path
        The firms and the events tables (the events after publication among them).
    date : date or str
        The day of the adjustment; it takes effect that day.
    out : str or Path, optional
        Directory for ``adjustments.csv``.

    Raises
    ------
    RegisterError
        The ruleset declares no adjustment, or no grade of it is in force on the day.
    """
    reg = register if isinstance(register, Register) else Register(register)
    rs = ruleset if not isinstance(ruleset, (str, Path)) else load_ruleset(str(ruleset))
    if rs.adjustment is None:
        raise RegisterError(f"ruleset {rs.id} declares no dynamic adjustment.")
    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    f = read_table(firms, "firms").fillna("").astype(str)
    ids = f["firm_id"].str.strip().str.upper().tolist()
    now = reg.in_force(ids, day)
    now = now[now["ruleset"] == rs.id]
    if now.empty:
        raise RegisterError(f"no grade under {rs.id} published as final is in force on {day} "
                            "for these firms; publish the final result first.")
    if rs.adjustment.rescore:
        rows = _rescore(rs, now, firms, events, day)
    else:
        rows = _by_rules(reg, rs, now, events, day)
    table = pd.DataFrame([{c: r[c] for c in ADJUSTMENT_COLUMNS} for r in rows],
                         columns=ADJUSTMENT_COLUMNS)
    with reg.transaction() as w:
        w.add_decisions([r["record"] for r in rows])
        if out:
            write_files_atomically(out, {"adjustments.csv": csv_bytes(table)})
    return AdjustResult(table, len(now), str(out) if out else None)


def _record(rec: Any, grade: str, label: str, day: dt.date, rule: str, evidence: str,
            reason: str) -> dict[str, Any]:
    return {"stage": "adjustment", "firm_id": rec.firm_id, "ruleset": rec.ruleset,
            "ruleset_version": rec.ruleset_version, "period": rec.period, "grade": grade,
            "grade_label": label, "list": rec.list, "list_until": rec.list_until,
            "effective_from": day.isoformat(), "published_on": rec.published_on,
            "run_id": rec.run_id, "run_dir": rec.run_dir, "rule_id": rule, "reason": reason,
            "evidence": evidence, "supersedes": int(rec.seq)}


def _by_rules(reg: Register, rs: Any, now: pd.DataFrame, events: str | Path,
              day: dt.date) -> list[dict[str, Any]]:
    ev = read_table(events, "events").fillna("").astype(str)
    ev["firm_id"] = ev["firm_id"].str.strip().str.upper()
    for c in ("severity", "ref_event_id"):  # optional columns of the events table
        if c not in ev.columns:
            ev[c] = ""
    revoked = set(ev.loc[ev["event_type"] == "revocation", "ref_event_id"])
    ev = ev[~ev["event_id"].isin(revoked) & (ev["event_type"] != "revocation")]
    used: set[str] = set()
    for e in reg.decisions(stage="adjustment")["evidence"]:
        used |= {x for x in str(e).split(";") if x}
    labels = {g.id: g.label for g in rs.grades}
    rules = _conditions(rs)
    ev = ev[ev["firm_id"].isin(set(now["firm_id"]))]  # only firms with events are looked at
    rows = []
    for rec in now[now["firm_id"].isin(set(ev["firm_id"]))].itertuples(index=False):
        fe = ev[(ev["firm_id"] == rec.firm_id) & (ev["event_date"] > rec.published_on)
                & (ev["event_date"] <= day.isoformat()) & ~ev["event_id"].isin(used)]
        grade, prev = rec.grade, rec
        for e in fe.sort_values(["event_date", "event_id"]).itertuples(index=False):
            for rule, conds in rules:
                if any(e.event_type in t and (s is None or e.severity in s) for t, s in conds):
                    new = _new_grade(rs, grade, rule.effect) if grade else grade
                    if new != grade:
                        r = _record(prev, new, labels[new], day, rule.id, e.event_id,
                                    f"{rule.label} ({e.event_type} {e.event_date})")
                        rows.append({"firm_id": rec.firm_id, "grade_before": grade,
                                     "grade_after": new, "list": rec.list,
                                     "effective_from": day.isoformat(), "rule_id": rule.id,
                                     "evidence": e.event_id, "record": r})
                        grade = new
                    break
    return rows


def _rescore(rs: Any, now: pd.DataFrame, firms: str | Path, events: str | Path,
             day: dt.date) -> list[dict[str, Any]]:
    """A continuous model: score on the day (period = the day's month) and compare."""
    period = f"{day.year}-{day.month:02d}"
    res = score(str(firms), str(events), rs, period=period, as_of=day, today=day)
    s = res.scores.set_index("firm_id")
    rows = []
    for rec in now.itertuples(index=False):
        if rec.firm_id not in s.index or s.at[rec.firm_id, "status"] != "graded":
            continue
        new = s.at[rec.firm_id, "grade"]
        if new != rec.grade:
            rules = s.at[rec.firm_id, "rules_applied"]
            r = _record(rec, new, s.at[rec.firm_id, "grade_label"], day, "rescore",
                        f"score {s.at[rec.firm_id, 'score']} on {day}; rules {rules}",
                        f"re-scored on {day} (period {period})")
            rows.append({"firm_id": rec.firm_id, "grade_before": rec.grade, "grade_after": new,
                         "list": s.at[rec.firm_id, "list"], "effective_from": day.isoformat(),
                         "rule_id": "rescore", "evidence": r["evidence"], "record": r})
    return rows
