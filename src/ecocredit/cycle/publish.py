"""Publication (公示 / 发布) of a run's results: recorded in the register, written as public files.

A run is published twice: its **draft** result is published for comment for the ruleset's
publication period (``publication.days``: Guangzhou 2021-05-12 to 05-27, 15 days; Wuhu 15 days;
Hunan 7 days; research.md §1.7, research-2.md), during which objections may be filed; after the
objections are answered, the **final** result (the original run, or its re-evaluation) is
released and is in force from its publication date. :func:`publish` records one decision per
firm at that stage and writes ``public.xlsx`` (Chinese headers, ids as text cells),
``public.csv`` (Excel-safe) and ``report.html`` (the distribution by grade, region and
industry, as inline SVG charts). Public files carry no internal fields (no score, rules,
reasons or run ids).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


from ..ruleset import load_ruleset
from ..output import csv_bytes, write_files_atomically
from ..output.i18n import PUBLIC_HEADERS as _PUBLIC_HEADERS
from ..output.i18n import NOT_GRADED, SHEET_NAMES, VALUES, check_lang, t
from ..output.xlsx import xlsx_bytes
from .register import Register, RegisterError
from .report_html import report_html

__all__ = ["publish", "PublishResult", "RunInfo", "read_run", "PUBLIC_HEADERS"]

#: public columns → Chinese headers (the only columns the public files carry; the catalog
#: :data:`ecocredit.output.i18n.PUBLIC_HEADERS` without the columns a run may lack)
PUBLIC_HEADERS = {k: v for k, v in _PUBLIC_HEADERS.items() if k != "grade_level"}
LIST_LABELS = dict(VALUES["list"])
STAGE_LABELS = {s: t(f"publish.stage.{s}", "zh") for s in ("draft", "final")}
#: the public header of the sub-level (档次) column, written only for a ruleset with levels
LEVEL_HEADER = {"grade_level": _PUBLIC_HEADERS["grade_level"]}


@dataclass
class RunInfo:
    """A saved run as published: its manifest, id, ruleset and saved scores (as text)."""

    run_dir: str
    run_id: str
    manifest: dict[str, Any]
    ruleset: Any
    scores: pd.DataFrame

    @property
    def original_run_id(self) -> str:
        """The run this one re-evaluates (objections), or ''."""
        return str(self.manifest.get("reevaluation_of", {}).get("run_id", ""))


def read_run(run_dir: str | Path) -> RunInfo:
    """Read a run directory written by ``ecocredit score`` (or ``objections``).

    The run id is the first 16 hex digits of the SHA-256 of its ``manifest.json``, which pins
    the ruleset, inputs, options and outputs. ``scores.csv`` must still be the file the run
    wrote (its SHA-256 is in the manifest).

    Raises
    ------
    RegisterError
        No manifest, or scores.csv changed since the run.
    """
    d = Path(run_dir)
    mpath = d / "manifest.json"
    try:
        raw = mpath.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise RegisterError(f"{run_dir}: no manifest.json; give the output directory of "
                            "`ecocredit score`.") from None
    except ValueError as exc:
        raise RegisterError(f"{mpath}: cannot be read ({exc}).") from None
    spath = d / "scores.csv"
    try:
        sbytes = spath.read_bytes()
    except FileNotFoundError:
        raise RegisterError(f"{run_dir}: no scores.csv.") from None
    if hashlib.sha256(sbytes).hexdigest() != manifest.get("outputs", {}).get("scores.csv"):
        raise RegisterError(f"{spath} changed since the run (its SHA-256 is not the manifest's); "
                            "run `ecocredit replay` first.")
    scores = pd.read_csv(spath, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    scores = scores.map(_unquote)
    rsinfo = manifest["ruleset"]
    src = rsinfo.get("source") or rsinfo["id"]
    rs = load_ruleset(src if Path(src).exists() else rsinfo["id"])
    return RunInfo(str(d), hashlib.sha256(raw).hexdigest()[:16], manifest, rs, scores)


def _unquote(v: str) -> str:
    # the Excel-safe CSV writes a cell that could start a formula with a leading apostrophe
    return v[1:] if isinstance(v, str) and v[:2] in ("'=", "'+", "'-", "'@") else v


@dataclass
class PublishResult:
    """What :func:`publish` recorded and wrote."""

    run_id: str
    stage: str
    published_on: dt.date
    publication_end: dt.date | None
    records: int
    first_seq: int
    last_seq: int
    out_dir: str
    grade_counts: pd.Series

    def text(self, lang: str = "en") -> str:
        """What the command prints, in ``lang`` (``en`` or ``zh``)."""
        end = (t("publish.objections_until", lang, end=self.publication_end)
               if self.publication_end else "")
        sep = "，" if lang == "zh" else ", "
        counts = sep.join(f"{g} {n}" for g, n in self.grade_counts.items())
        stage = self.stage if lang == "en" else t(f"publish.stage.{self.stage}", lang)
        return t("publish.done", lang, run_id=self.run_id, stage=stage, day=self.published_on,
                 end=end, records=self.records, first=self.first_seq, last=self.last_seq,
                 counts=counts, out=self.out_dir)


def _public_frame(run: RunInfo, stage: str, published_on: dt.date,
                  end: dt.date | None) -> pd.DataFrame:
    s = run.scores
    pub = pd.DataFrame({c: s[c] if c in s.columns else "" for c in PUBLIC_HEADERS})
    pub["grade_label"] = [lab if st == "graded" else NOT_GRADED
                          for lab, st in zip(s["grade_label"], s["status"])]
    if "grade_level" in s.columns:  # sub-levels (档次): a column of their labels after 评价等级
        names = {(b.grade, lv.id): lv.label for b in run.ruleset.scoring.bands for lv in b.levels}
        pub.insert(pub.columns.get_loc("grade_label") + 1, "grade_level",
                   [names.get((g, lv), "") for g, lv in zip(s["grade"], s["grade_level"])])
    pub["list"] = s["list"].map(LIST_LABELS).fillna(s["list"])
    pub["published_on"] = published_on.isoformat()
    pub["publication_end"] = end.isoformat() if end else ""
    if stage == "final":
        pub = pub.drop(columns=["publication_end"])
    return pub.astype(str)


def publish(register: Register | str | Path, run_dir: str | Path, *, stage: str,
            published_on: dt.date | str, out: str | Path | None = None,
            days: int | None = None, lang: str = "en") -> PublishResult:
    """Record a run at stage draft or final and write its public files.

    Parameters
    ----------
    register : Register, str or Path
        The credit register (a SQLite path or a database URL).
    run_dir : str or Path
        The run directory (``ecocredit score --out``, or the re-evaluation of ``objections``).
    stage : {'draft', 'final'}
    published_on : date or str
        The publication date (ISO). The draft's objection period ends ``days`` later.
    out : str or Path, optional
        Where the public files go (default ``RUN_DIR/publication``).
    days : int, optional
        The publication period, if the ruleset does not declare one (``publication.days``).
    lang : {'en', 'zh'}
        The language of report.html's words (public.xlsx and public.csv carry Chinese
        headers and values in either language: they are the 公示 itself).

    Returns
    -------
    PublishResult

    Raises
    ------
    RegisterError
        The run is already published at that stage, the date precedes the evaluation date or
        (final) the end of the draft's objection period, or a draft has no publication period.
        Nothing is recorded or written.
    ValueError
        ``lang`` is not ``en`` or ``zh``.
    """
    check_lang(lang)
    reg = register if isinstance(register, Register) else Register(register)
    if stage not in ("draft", "final"):
        raise RegisterError(f"stage must be draft or final, not {stage!r}.")
    day = published_on if isinstance(published_on, dt.date) else _iso(published_on)
    run = read_run(run_dir)
    rs = run.ruleset
    eval_date = dt.date.fromisoformat(run.manifest["options"]["evaluation_date"])
    if day < eval_date:
        raise RegisterError(f"published on {day}: before the run's evaluation date {eval_date}.")
    end = _publication_end(rs, stage, day, days)
    if stage == "final":  # the list entries this run made count from the publication
        run = dataclasses.replace(run, scores=run.scores.assign(list_until=_lists_from(run, day)))
    out_dir = Path(out) if out else Path(run_dir) / "publication"
    files = _public_files(run, stage, day, end, lang)
    s = run.scores
    base = {"stage": stage, "ruleset": rs.id, "ruleset_version": rs.version,
            "published_on": day.isoformat(), "publication_end": end.isoformat() if end else "",
            "effective_from": day.isoformat(), "run_id": run.run_id,
            "run_dir": str(Path(run_dir).resolve())}
    with reg.transaction() as w:
        if not w.published(run.run_id, stage).empty:
            raise RegisterError(f"run {run.run_id} ({run_dir}) is already published at stage "
                                f"{stage}; a correction is a new run (objections).")
        rows = _decision_rows(base, s, _prior(w, run, stage, day))
        seqs = w.add_decisions(rows)
        write_files_atomically(out_dir, files)
    counts = s.loc[s["status"] == "graded", "grade"].value_counts().reindex(
        [g for g in rs.grade_ids], fill_value=0)
    return PublishResult(run.run_id, stage, day, end, len(rows), seqs[0] if seqs else 0,
                         seqs[-1] if seqs else 0, str(out_dir), counts)


def _publication_end(rs: Any, stage: str, day: dt.date, days: int | None) -> dt.date | None:
    """The end of a draft's objection period (``days``, or the ruleset's
    ``publication.days``, after ``day``); None for a final publication.

    Raises
    ------
    RegisterError
        A draft, and neither ``days`` nor the ruleset gives the period.
    """
    if stage != "draft":
        return None
    n = days or (rs.publication.days if rs.publication else None)
    if not n:
        raise RegisterError(f"ruleset {rs.id} declares no publication period; give --days.")
    return day + dt.timedelta(days=n)


def _public_files(run: RunInfo, stage: str, day: dt.date, end: dt.date | None,
                  lang: str) -> dict[str, bytes]:
    """The public files of a publication: ``public.xlsx``, ``public.csv`` (Chinese headers
    and values: the 公示 itself) and ``report.html`` (its words in ``lang``)."""
    rs = run.ruleset
    pub = _public_frame(run, stage, day, end)
    title = f"{rs.title.zh} {run.manifest['options']['period']} {STAGE_LABELS[stage]}"
    return {"public.xlsx": xlsx_bytes({SHEET_NAMES[f"public.xlsx:{stage}"]: pub},
                                      headers={**PUBLIC_HEADERS, **LEVEL_HEADER}),
            "public.csv": csv_bytes(pub.rename(columns={**PUBLIC_HEADERS, **LEVEL_HEADER})),
            "report.html": report_html(run.scores, rs, title=title, stage=STAGE_LABELS[stage],
                                       published_on=day, end=end, lang=lang).encode("utf-8")}


def _decision_rows(base: dict[str, Any], s: pd.DataFrame, prior: dict[str, int]
                   ) -> list[dict[str, Any]]:
    """The register's records of a publication: one per firm of the run's scores, each
    superseding the firm's record it replaces (``prior``)."""
    return [dict(base, firm_id=r.firm_id, period=r.period, grade=r.grade,
                 grade_label=r.grade_label, sub_level=getattr(r, "grade_level", ""),
                 list=r.list, list_until=r.list_until,
                 rule_id=r.rules_applied, reason=r.status if r.status == "graded"
                 else f"{r.status}: {r.not_graded_reason}",
                 evidence=f"score {r.score}" if r.score else "",
                 supersedes=prior.get(r.firm_id))
            for r in s.itertuples(index=False)]


def _lists_from(run: RunInfo, day: dt.date) -> Any:
    """``list_until`` per firm with the run's own list entries counted from ``day`` (the
    regulations count list durations from publication; entries of the history keep their
    end)."""
    from ..decisions.published import list_until_from_publication

    path = Path(run.run_dir) / "contributions.csv"
    if not path.exists():
        return run.scores["list_until"]
    contrib = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          usecols=["firm_id", "rule_id", "effect"])
    return list_until_from_publication(run.ruleset, run.scores, contrib, day)


def _prior(w: Any, run: RunInfo, stage: str, day: dt.date) -> dict[str, int]:
    """For a final publication: each firm's latest draft or objection record of this cycle."""
    if stage != "final":
        return {}
    import sqlalchemy as sa

    from .register import decisions_table as t

    ids = [i for i in (run.run_id, run.original_run_id) if i]
    q = (sa.select(t.c.seq, t.c.firm_id, t.c.stage, t.c.publication_end)
         .where(t.c.run_id.in_(ids), t.c.stage.in_(("draft", "objection"))).order_by(t.c.seq))
    rows = w.conn.execute(q).all()
    ends = [r.publication_end for r in rows if r.stage == "draft" and r.publication_end]
    if ends and day.isoformat() <= max(ends):
        raise RegisterError(f"the final result cannot be published on {day}: objections to the "
                            f"draft may be filed until {max(ends)}.")
    return {r.firm_id: int(r.seq) for r in rows}


def _iso(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        raise RegisterError(f"expected a date YYYY-MM-DD, got {text!r}.") from None
