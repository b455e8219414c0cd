"""Commands of a scoring run: ``score``, ``explain``, ``replay``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..audit import input_changed, read_manifest, replay, rerun, saved_score_row, write_run
from ..audit.explainfile import saved_firm_result
from ..engine.run import score
from ..output import summary_text
from ..output.i18n import t
from ..output.summary import rejected_rows, rows_rejected_in
from ..progress import enabled_for, shown
from .common import _date, _fail, _guard, _score_notes, cli, lang_option


@cli.command("score")
@click.option("--ruleset", "ruleset", required=True,
              help="A bundled ruleset id (see `ecocredit rulesets`) or a ruleset file.")
@click.option("--period", required=True, help="The period to score: YYYY (or YYYY-MM).")
@click.option("--firms", required=True, type=click.Path(dir_okay=False),
              help="Firms table (CSV UTF-8/GB18030, .xlsx or .parquet).")
@click.option("--events", required=True, type=click.Path(dir_okay=False), help="Events table.")
@click.option("--measurements", type=click.Path(dir_okay=False), help="Measurements table.")
@click.option("--history", type=click.Path(dir_okay=False), help="Earlier published results.")
@click.option("--as-of", "as_of", callback=_date,
              help="Score as the records stood on this date (YYYY-MM-DD).")
@click.option("--today", callback=_date, hidden=True,
              help="Reference date for future-date checks (default: the real date).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output directory (created if needed).")
@click.option("--allow-codes", "allow_codes", type=click.Path(dir_okay=False),
              help="A file of known nonconforming credit codes (one a line) to admit although "
                   "they fail the GB 32100 checks; recorded in the manifest, each a warning.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--strict", is_flag=True,
              help="Refuse (exit status 2, nothing written) a run with warnings: no event in "
                   "the period, indicators read without measurements, a period not ended.")
@click.option("--engine", type=click.Choice(["local", "partitioned", "dask"]), default="local",
              show_default=True,
              help="local: in one process; partitioned: by parts of firms on local processes, "
                   "streaming the inputs (bounded memory); dask: the same parts on a Dask "
                   "cluster (DASK_SCHEDULER_ADDRESS, or a local cluster). Same outputs.")
@click.option("--partitions", type=click.IntRange(min=1),
              help="Parts for --engine partitioned/dask (default: ~2.5 million events each).")
@click.option("--xlsx", "xlsx", is_flag=True,
              help="Also write scores.xlsx, contributions.xlsx and rejects.xlsx for Excel "
                   "(ids kept as text, Chinese headers); open these in Excel, not the CSVs.")
@lang_option
@_guard
def score_cmd(ruleset: str, period: str, firms: str, events: str, measurements: str | None,
              history: str | None, as_of: dt.date | None, today: dt.date | None, out: str,
              quiet: bool, engine: str = "local", partitions: int | None = None,
              xlsx: bool = False, allow_codes: str | None = None, strict: bool = False,
              lang: str = "en") -> None:
    """Score every firm and write scores.csv, contributions.csv, rejects.csv, manifest.json.

    The output directory switches atomically from the old run to the new one; concurrent
    runs into one --out wait for each other.
    """
    inputs = {"firms": firms, "events": events}
    if measurements:
        inputs["measurements"] = measurements
    if history:
        inputs["history"] = history
    if engine != "local":
        from ..output.rundir import run_directory
        from ..scale import score_on_engine

        if xlsx:
            _fail(f"--xlsx is not available with --engine {engine} (a province's "
                  "contributions do not belong in a workbook); score locally for workbooks.")
        fresh = not Path(out).exists()
        try:
            with shown("ecocredit score", enabled_for(quiet)), \
                    run_directory(out) as stage:  # --strict refuses before the switch
                run = score_on_engine(engine, inputs, ruleset, period=period, as_of=as_of,
                                      today=today, out=stage, partitions=partitions,
                                      allow_codes=allow_codes)
                _refuse_if_strict(strict, run.warnings)
        except BaseException:
            if fresh and Path(out).is_dir() and not any(Path(out).iterdir()):
                Path(out).rmdir()  # nothing written: no empty directory left either
            raise
        _admitted(run.admitted, allow_codes, lang)
        if not quiet:
            m, labels = run.manifest, {g.id: g.label for g in run.ruleset.grades}
            head = t("score.head", lang, firms=run.firms, ruleset=m["ruleset"]["id"],
                     version=m["ruleset"]["version"], period=m["options"]["period"],
                     date=m["options"]["evaluation_date"])
            click.echo(summary_text(run.grade_counts, labels, head=head, rejected=rows_rejected_in(m),
                                    out_dir=out, lang=lang, xlsx=False))  # not with --engine
        from ..periods import parse_period
        from ..read.coverage import warnings_in

        said = run.warnings if lang == "en" else warnings_in(  # the manifest's are English
            run.warnings, parse_period(period), run.ruleset,
            dt.date.fromisoformat(run.manifest["options"]["today"]), lang)
        for w in said:
            click.echo(t("warning.prefix", lang) + w["message"], err=quiet)
        sys.exit(1 if run.rejects else 0)
    from ..read.coverage import run_warnings

    with shown("ecocredit score", enabled_for(quiet)):
        result = score(firms, events, ruleset, period=period, measurements=measurements,
                       history=history, as_of=as_of, today=today, names=inputs,
                       allow_codes=allow_codes)
        warnings = run_warnings(result)
        _refuse_if_strict(strict, warnings)
        write_run(result, out, inputs, xlsx=xlsx, lang=lang)
    _admitted((result.prepared.allowed_codes or {}).get("admitted", []), allow_codes, lang)
    rs = result.ruleset
    if not quiet:
        head = t("score.head", lang, firms=len(result.scores), ruleset=rs.id,
                 version=rs.version, period=result.period.label, date=result.eval_date)
        labels = {g.id: g.label for g in rs.grades}
        click.echo(summary_text(result.grade_counts(), labels, head=head,
                                rejected=rejected_rows(result.rejects), out_dir=out, lang=lang))
        for line in _score_notes(rs, result.scores, lang):
            click.echo(line)
    for w in (warnings if lang == "en" else run_warnings(result, lang)):
        click.echo(t("warning.prefix", lang) + w["message"], err=quiet)
    sys.exit(1 if len(result.rejects) else 0)


def _refuse_if_strict(strict: bool, warnings: list[dict[str, str]]) -> None:
    """--strict: a run with warnings is refused (exit 2, one line, nothing written)."""
    if strict and warnings:
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        _fail(f"--strict: {warnings[0]['message']}{more}")


def _admitted(codes: list[str], allow_codes: str | None, lang: str = "en") -> None:
    """One warning line per credit code the allow-list admitted."""
    for code in codes:
        click.echo(t("warning.prefix", lang) + t("warning.admitted_code", lang, code=code,
                                                   allow_codes=allow_codes), err=True)


@cli.command("explain")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("firm_id")
@_guard
def explain_cmd(run_dir: str, firm_id: str) -> None:
    """Why FIRM_ID got its grade in the run saved in RUN_DIR: rule by rule, with citations."""
    manifest = read_manifest(run_dir)
    try:
        # the firm's rows saved with the run (explain.parquet): reads that firm only
        result = saved_firm_result(run_dir, manifest, firm_id)
    except KeyError as exc:
        _fail(str(exc.args[0]))
        return
    warnings = []
    if result is None:  # an older or partitioned run, or an input changed: read the inputs
        warnings = [f"WARNING: the {t} input {info['path']} changed since the run; this "
                    "explains the inputs as they are now." for t, info in
                    manifest["inputs"].items()
                    if Path(info["path"]).exists() and input_changed(info)]
        result = rerun(manifest, run_dir)
    try:
        text = result.explain(firm_id)
    except KeyError as exc:
        _fail(str(exc.args[0]))
        return
    saved = saved_score_row(run_dir, firm_id)
    now = result.scores.set_index("firm_id").loc[firm_id.strip().upper()]
    if saved is None:
        tail = "The saved scores.csv has no row for this firm."
    elif (saved["grade"], saved["score"], saved.get("grade_level", "")) == (
            now["grade"], now["score"], now.get("grade_level", "")):
        level = f", level {saved['grade_level']}" if saved.get("grade_level") else ""
        tail = (f"The saved scores.csv agrees: grade {saved['grade'] or '-'}{level}, score "
                f"{saved['score'] or '-'}.")
    else:
        level = (f", level {saved.get('grade_level', '')!r}" if "grade_level" in now.index
                 else "")
        tail = (f"WARNING: the saved scores.csv says grade {saved['grade']!r}{level}, score "
                f"{saved['score']!r}; run `ecocredit replay {run_dir}`.")
    click.echo("\n".join(warnings + [text, tail]))


@cli.command("replay")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--inputs", "inputs_dirs", multiple=True, type=click.Path(file_okay=False),
              help="A directory where the run's inputs are now, if they moved (repeatable); "
                   "each is used only if its SHA-256 is the recorded one.")
@_guard
def replay_cmd(run_dir: str, inputs_dirs: tuple[str, ...]) -> None:
    """Recompute the run saved in RUN_DIR (score, inspection-frequency or draw) and report
    whether every input, output and manifest field is what the run recorded.

    Exit status 0 identical; 1 something changed since the run (the file and both SHA-256
    are named); 2 nothing could be checked.
    """
    report = replay(run_dir, inputs_dirs)
    click.echo(report.text())
    sys.exit(0 if report.identical else 1)
