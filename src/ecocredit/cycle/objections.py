"""Objections to a published draft (异议复核): checked, answered, corrected by re-evaluation.

During the publication period of the draft (``publication.days`` after the publication date,
inclusive: Guangzhou 2021-05-12 to 05-27) a firm may object. Each application names the firm,
the day filed, a claim and the events it concerns:

``record_wrong``
    the record is wrong (a corrected row with the same ``event_id`` replaces it);
``record_revoked``
    the decision behind the record was revoked (a ``revocation`` event naming it);
``not_our_record``
    the record belongs to another firm (a corrected row with the same ``event_id`` and the
    right ``firm_id``, or a revocation);
``rectified``
    the violation has been rectified: not a ground to change the evaluated year's result; the
    firm is referred to credit repair after the final publication (``rectification_is_repair``);
``other``
    any other ground, upheld only with a correction of the named records.

A claim is **upheld** when the investigation's corrections (``--corrections``, rows of the
events table) contain a row for one of its events (same ``event_id``, or a revocation whose
``ref_event_id`` names it): ``correction_accepted``; otherwise **rejected** (``no_correction``,
``rectification_is_repair``, ``not_the_firms_record``). The accepted corrections are applied in
ONE re-evaluation run (the original inputs and options, the events with the corrections), whose
manifest names the original run (``reevaluation_of``); grade before and after and the rules
whose contribution changed are reported per application, and each upheld application is
recorded in the register at stage ``objection``. The final result is then published from the
re-evaluation (``publish --stage final``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


from ..audit import write_run
from ..engine.run import score
from ..read import read_table
from ..output import csv_bytes, write_files_atomically
from .publish import RunInfo, read_run
from .register import Register, RegisterError

__all__ = ["answer_objections", "ObjectionResult", "CLAIMS", "OBJECTION_REASON_CODES",
           "DECISION_COLUMNS"]

CLAIMS = ("record_wrong", "record_revoked", "rectified", "not_our_record", "other")
OBJECTION_REASON_CODES = {
    "correction_accepted": "the investigation corrected the named records",
    "no_correction": "the investigation found the named records correct",
    "rectification_is_repair": "rectification does not change the evaluated year; apply for "
                               "credit repair after the final publication",
    "not_the_firms_record": "a named record is another firm's",
}
DECISION_COLUMNS = ["firm_id", "filed_on", "decision", "reason_code", "grade_before",
                    "grade_after", "rules_changed"]


@dataclass
class ObjectionResult:
    """The answers, the re-evaluation run and what was recorded."""

    decisions: pd.DataFrame
    reevaluation_dir: str
    reevaluation_run_id: str
    recorded: int
    out_dir: str

    def text(self) -> str:
        lines = [f"{r.firm_id} filed {r.filed_on}: {r.decision.upper()} ({r.reason_code}) "
                 f"grade {r.grade_before} → {r.grade_after}"
                 + (f"; rules changed: {r.rules_changed}" if r.rules_changed else "")
                 for r in self.decisions.itertuples(index=False)]
        up = int((self.decisions["decision"] == "upheld").sum())
        lines.append(f"{len(self.decisions)} objection(s): {up} upheld, "
                     f"{len(self.decisions) - up} rejected; {self.recorded} recorded in the "
                     f"register. Re-evaluation run {self.reevaluation_run_id} written to "
                     f"{self.reevaluation_dir}; decisions.csv in {self.out_dir}.")
        return "\n".join(lines)


def _strings(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    return df.fillna("").astype(str).map(str.strip)


def _check(apps: pd.DataFrame, run: RunInfo, draft: dict[str, str],
           events: pd.DataFrame) -> list[dt.date]:
    """Validate every application; any problem → RegisterError (nothing is written)."""
    for c in ("firm_id", "filed_on", "claim", "event_ids"):
        if c not in apps.columns:
            raise RegisterError(f"The applications table needs a column '{c}' (firm_id, "
                                "filed_on, claim, event_ids, statement).")
    firms = set(run.scores["firm_id"])
    known = set(events["event_id"])
    start, end = draft["published_on"], draft["publication_end"]
    days = []
    for i, a in enumerate(apps.itertuples(index=False), start=2):
        if a.firm_id not in firms:
            raise RegisterError(f"objection line {i}: firm {a.firm_id} is not in run "
                                f"{run.run_id}.")
        try:
            day = dt.date.fromisoformat(a.filed_on)
        except ValueError:
            raise RegisterError(f"objection line {i}: filed_on {a.filed_on!r} is not a date "
                                "YYYY-MM-DD.") from None
        if day.isoformat() < start:
            raise RegisterError(f"objection line {i}: filed on {day}, before the draft was "
                                f"published on {start}.")
        if day.isoformat() > end:
            raise RegisterError(f"objection line {i}: filed on {day}, after the deadline: "
                                f"objections could be filed from {start} until {end}.")
        if a.claim not in CLAIMS:
            raise RegisterError(f"objection line {i}: claim {a.claim!r} is not one of "
                                f"{', '.join(CLAIMS)}.")
        ids = [e for e in a.event_ids.split(";") if e.strip()]
        unknown = [e for e in ids if e not in known]
        if unknown:
            raise RegisterError(f"objection line {i}: unknown event(s) {';'.join(unknown)} "
                                "(not in the run's events).")
        if not ids and a.claim != "other":
            raise RegisterError(f"objection line {i}: a {a.claim} objection must name the "
                                "events it concerns (event_ids).")
        days.append(day)
    return days


def answer_objections(register: Register | str | Path, run_dir: str | Path,
                      applications: pd.DataFrame, *, corrections: pd.DataFrame | None = None,
                      out: str | Path | None = None) -> ObjectionResult:
    """Answer the objections to a run published as draft; re-evaluate; record upheld changes.

    Parameters
    ----------
    register : Register, str or Path
    run_dir : str or Path
        The run published at stage draft.
    applications : DataFrame
        ``firm_id``, ``filed_on``, ``claim`` (:data:`CLAIMS`), ``event_ids`` (``;``-separated),
        ``statement``.
    corrections : DataFrame, optional
        Rows of the events table found by the investigation (replacements with the same
        ``event_id``, or revocations).
    out : str or Path, optional
        Output directory (default ``RUN_DIR/objections``): ``decisions.csv``,
        ``events_corrected.csv`` and the re-evaluation run in ``run/``.

    Raises
    ------
    RegisterError
        The run was not published as draft; an application names a firm not in the run, an
        unknown event or claim, or was filed outside the publication period. Nothing is written.
    """
    reg = register if isinstance(register, Register) else Register(register)
    run = read_run(run_dir)
    draft = _published_draft(reg, run, run_dir)
    events = _strings(read_table(run.manifest["inputs"]["events"]["path"], "events"))
    apps = _applications(applications)
    _check(apps, run, draft, events)
    drafts = reg.decisions(run_id=run.run_id, stage="draft")["seq"]
    done = reg.decisions(stage="objection")
    if done["supersedes"].isin(drafts).any():
        raise RegisterError(f"the objections to run {run.run_id} are already recorded; the "
                            "final result is published from their re-evaluation.")
    corr = _strings(corrections) if corrections is not None else events.iloc[0:0]
    verdicts, accepted = _verdicts(apps, events, corr)
    keep = corr[corr.get("event_id", "").isin(accepted) | corr.get("ref_event_id", "").isin(
        accepted)] if len(corr) else corr
    fixed = pd.concat([events[~events["event_id"].isin(keep["event_id"])], keep],
                      ignore_index=True)
    out_dir = Path(out) if out else Path(run_dir) / "objections"
    rerun_dir = out_dir / "run"
    ev_path = out_dir / "events_corrected.csv"
    write_files_atomically(out_dir, {"events_corrected.csv": csv_bytes(fixed)})
    later = [d for c in ("event_date", "recorded_at") for d in keep.get(c, [])] + list(
        apps["filed_on"])
    new = _reevaluate(run, ev_path, rerun_dir, max([run.manifest["options"]["today"]] + later))
    after = new.scores.set_index("firm_id")
    changed = _rules_changed(Path(run_dir) / "contributions.csv", rerun_dir / "contributions.csv")
    rows = _decisions(apps, verdicts, run.scores.set_index("firm_id"), after, changed)
    table = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    new_run = read_run(rerun_dir)
    prior = {r.firm_id: int(r.seq) for r in reg.decisions(run_id=run.run_id, stage="draft")
             [["firm_id", "seq"]].itertuples(index=False)}
    with reg.transaction() as w:
        if not w.published(new_run.run_id, "objection").empty:
            raise RegisterError(f"the objections to run {run.run_id} are already recorded "
                                f"(re-evaluation {new_run.run_id}).")
        recs = _upheld_records(rows, apps, run, after, draft, new_run, rerun_dir, prior)
        w.add_decisions(recs)
        write_files_atomically(out_dir, {"decisions.csv": csv_bytes(table)})
    return ObjectionResult(table, str(rerun_dir), new_run.run_id, len(recs), str(out_dir))


def _published_draft(reg: Register, run: RunInfo, run_dir: str | Path) -> Any:
    """The register's draft publication of ``run``; objections answer a published draft that
    is not yet final.

    Raises
    ------
    RegisterError
        The run was not published as draft, or is already final.
    """
    draft = reg.publication(run.run_id, "draft")
    if draft is None:
        raise RegisterError(f"run {run.run_id} ({run_dir}) has not been published as a draft "
                            "in this register; objections answer a published draft.")
    if not reg.decisions(run_id=run.run_id, stage="final").empty:
        raise RegisterError(f"run {run.run_id} is already published as final.")
    return draft


def _applications(applications: pd.DataFrame) -> pd.DataFrame:
    """The objections as text, firm ids upper-case, with a ``statement`` column."""
    apps = _strings(applications)
    apps["firm_id"] = apps["firm_id"].str.upper()
    if "statement" not in apps.columns:
        apps["statement"] = ""
    return apps


def _verdicts(apps: pd.DataFrame, events: pd.DataFrame, corr: pd.DataFrame
              ) -> tuple[list[tuple[str, str]], set[str]]:
    """Per objection, ``(decision, reason code)``; and the events whose corrections are
    accepted. A rectification is a matter for credit repair, not an objection; an objection
    to another firm's record is rejected unless it says the record is not the firm's; an
    objection is upheld when the investigation corrected one of its events."""
    ev_firm = dict(zip(events["event_id"], events["firm_id"].str.upper()))
    touched = set(corr.get("event_id", pd.Series(dtype=str))) | set(
        corr.get("ref_event_id", pd.Series(dtype=str)))
    verdicts, accepted = [], set()
    for a in apps.itertuples(index=False):
        ids = [e for e in a.event_ids.split(";") if e.strip()]
        foreign = [e for e in ids if ev_firm.get(e) != a.firm_id]
        if a.claim == "rectified":
            verdicts.append(("rejected", "rectification_is_repair"))
        elif foreign and a.claim != "not_our_record":
            verdicts.append(("rejected", "not_the_firms_record"))
        elif any(e in touched for e in ids):
            verdicts.append(("upheld", "correction_accepted"))
            accepted |= set(ids)
        else:
            verdicts.append(("rejected", "no_correction"))
    return verdicts, accepted


def _decisions(apps: pd.DataFrame, verdicts: list[tuple[str, str]], before: pd.DataFrame,
               after: pd.DataFrame, changed: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of ``decisions.csv``: per objection, its decision and the grade before and
    after (the re-evaluated grade only where it is upheld)."""
    rows = []
    for a, (dec, code) in zip(apps.itertuples(index=False), verdicts):
        g0 = before.at[a.firm_id, "grade"]
        g1 = after.at[a.firm_id, "grade"] if dec == "upheld" else g0
        rows.append({"firm_id": a.firm_id, "filed_on": a.filed_on, "decision": dec,
                     "reason_code": code, "grade_before": g0, "grade_after": g1,
                     "rules_changed": changed.get(a.firm_id, "") if dec == "upheld" else ""})
    return rows


def _upheld_records(rows: list[dict[str, Any]], apps: pd.DataFrame, run: RunInfo,
                    after: pd.DataFrame, draft: Any, new_run: RunInfo, rerun_dir: Path,
                    prior: dict[str, int]) -> list[dict[str, Any]]:
    """The register's records of the upheld objections: the re-evaluated grade, superseding
    the firm's draft record."""
    recs = []
    for r, a in zip(rows, apps.itertuples(index=False)):
        if r["decision"] != "upheld":
            continue
        s = after.loc[r["firm_id"]]
        recs.append({"stage": "objection", "firm_id": r["firm_id"],
                     "ruleset": run.ruleset.id, "ruleset_version": run.ruleset.version,
                     "period": s["period"], "grade": s["grade"],
                     "grade_label": s["grade_label"], "sub_level": s.get("grade_level", ""),
                     "list": s["list"],
                     "list_until": s["list_until"], "published_on": draft["published_on"],
                     "publication_end": draft["publication_end"],
                     "run_id": new_run.run_id, "run_dir": str(rerun_dir.resolve()),
                     "rule_id": r["rules_changed"],
                     "reason": f"{a.claim}: upheld ({r['reason_code']}), filed {a.filed_on}",
                     "evidence": f"events {a.event_ids}; {a.statement}".strip("; "),
                     "supersedes": prior.get(r["firm_id"])})
    return recs


def _reevaluate(run: RunInfo, events_path: Path, out: Path, today: str) -> Any:
    """Score again with the original inputs and options and the corrected events.

    The reference date for future-date checks is the later of the original's and the day of
    the last objection or correction (a correction is recorded after the original run).
    """
    m = run.manifest
    ins, opts = m["inputs"], m["options"]
    paths = {t: info["path"] for t, info in ins.items()}
    paths["events"] = str(events_path.resolve())
    result = score(paths["firms"], paths["events"], run.ruleset, period=opts["period"],
                             measurements=paths.get("measurements"), history=paths.get("history"),
                             as_of=opts.get("as_of"), today=today, names=paths)
    write_run(result, out, paths)
    mpath = out / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest["reevaluation_of"] = {"run_id": run.run_id, "path": str(Path(run.run_dir).resolve()),
                                   "reason": "objections (异议复核): accepted corrections applied"}
    write_files_atomically(out, {"manifest.json": (json.dumps(
        manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")})
    return result


def _rules_changed(old_path: Path, new_path: Path) -> dict[str, str]:
    """Firm → ``;``-separated rules whose contribution (points or effect) differs."""
    old, new = (pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                for p in (old_path, new_path))
    key = ["firm_id", "rule_id", "points", "effect"]
    a = set(map(tuple, old[key].astype(str).to_numpy()))
    b = set(map(tuple, new[key].astype(str).to_numpy()))
    out: dict[str, set[str]] = {}
    for f, rule, *_ in a ^ b:
        out.setdefault(f, set()).add(rule)
    return {f: ";".join(sorted(r)) for f, r in out.items()}
