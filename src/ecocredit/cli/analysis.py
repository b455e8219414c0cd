"""Command line of the analysis (issue 14): ``whatif``, ``backtest``, ``report``, ``lint-reform``.

Registered in :mod:`ecocredit.cli` with one ``cli.add_command`` line each. Errors follow the rest
of the command line: exit status 2 with one line on stderr (the shared guard of
:mod:`ecocredit.cli`, imported when a command runs, so that the two modules do not import each
other at import time).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .common import _date, _guard, _lint_files, lang_option

__all__ = ["whatif_cmd", "backtest_cmd", "report_cmd", "lint_reform_cmd"]


def _inputs(firms: str, events: str, measurements: str | None, history: str | None
            ) -> dict[str, str]:
    ins = {"firms": firms, "events": events}
    if measurements:
        ins["measurements"] = measurements
    if history:
        ins["history"] = history
    return ins


_TABLES = [
    click.option("--firms", required=True, type=click.Path(dir_okay=False), help="Firms table."),
    click.option("--events", required=True, type=click.Path(dir_okay=False), help="Events table."),
    click.option("--measurements", type=click.Path(dir_okay=False), help="Measurements table."),
    click.option("--history", type=click.Path(dir_okay=False), help="Earlier published results."),
    click.option("--today", callback=_date, hidden=True,
                 help="Reference date for future-date checks (default: the real date)."),
    click.option("--out", "out", required=True, type=click.Path(file_okay=False),
                 help="Output directory (created if needed)."),
    click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors."),
]


def _tables(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(_TABLES):
        fn = opt(fn)
    return fn


def _csv(df: Any) -> bytes:
    from ..output import csv_bytes  # the Excel-safe CSV writer

    return csv_bytes(df)


@click.command("whatif")
@click.option("--baseline", required=True, help="The baseline: a bundled ruleset id or a file.")
@click.option("--reform", required=True,
              help="A reform file (baseline id + overrides), or a second ruleset (id or file).")
@click.option("--period", required=True, help="The period to score: YYYY (or YYYY-MM).")
@click.option("--as-of", "as_of", callback=_date, help="Records as they stood on this date.")
@click.option("--policy", default="jiangxi-2020", show_default=True,
              help="Inspection policy for the visits a year ('none': not computed).")
@_tables
@_guard
def whatif_cmd(baseline: str, reform: str, period: str, as_of: dt.date | None, policy: str,
               firms: str, events: str, measurements: str | None, history: str | None,
               today: dt.date | None, out: str, quiet: bool) -> None:
    """Score the firms under a baseline and a reform; write changes.csv, transitions.csv,
    by_city.csv, by_industry.csv, consequences.csv, rejects.csv, report.html, report.xlsx."""
    from ..analysis.report import whatif_report
    from ..analysis.whatif import whatif
    from ..output import write_files_atomically

    ins = _inputs(firms, events, measurements, history)
    w = whatif(firms, events, baseline, reform, period=period, measurements=measurements,
               history=history, as_of=as_of, today=today,
               policy=None if policy.lower() == "none" else policy, names=ins)
    rep = whatif_report(w)
    files = {"changes.csv": _csv(w.changes), "transitions.csv": _csv(w.transitions),
             "by_city.csv": _csv(w.by_region), "by_industry.csv": _csv(w.by_industry),
             "consequences.csv": _csv(w.consequences),
             "rejects.csv": _csv(w.baseline.rejects), "report.xlsx": rep.xlsx(),
             "report.html": rep.html.encode("utf-8")}
    write_files_atomically(out, files)
    if not quiet:
        a, b = w.baseline.ruleset, w.reform.ruleset
        ch = w.changes
        graded = int((ch["grade_baseline"] != ch["grade_reform"]).sum()) if len(ch) else 0
        click.echo(f"What-if for period {w.baseline.period.label}: baseline {a.id} {a.version}, "
                   f"reform {b.id} {b.version}; {len(w.baseline.scores)} firms, "
                   f"{len(ch)} change score, grade or list, {graded} of them grade (inputs "
                   "validated " + ("once)." if w.shared_inputs else "per ruleset)."))
        click.echo("Transition matrix (rows: baseline grade, columns: reform grade):")
        click.echo(w.matrix().to_string())
        click.echo("Consequences:")
        click.echo(w.consequences.to_string(index=False))
        for n in w.notes:
            click.echo(f"Note: {n}")
        click.echo(f"Outputs written to {out}")
    sys.exit(1 if len(w.baseline.rejects) else 0)


@click.command("backtest")
@click.option("--ruleset", "rulesets", required=True, multiple=True,
              help="A bundled ruleset id or file; repeat to compare several side by side.")
@click.option("--period", required=True, help="The graded period P: YYYY (or YYYY-MM).")
@click.option("--outcome-period", "outcome_period", required=True,
              help="The period Q whose adverse records are the outcome.")
@click.option("--outcome", type=click.Choice(["any_penalty", "serious_violation", "veto_type"]),
              default="any_penalty", show_default=True, help="What counts as an adverse record.")
@click.option("--bootstrap", "n_boot", type=click.IntRange(min=0), default=1000,
              show_default=True, help="Bootstrap resamples for the confidence intervals.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the resampling.")
@_tables
@_guard
def backtest_cmd(rulesets: tuple[str, ...], period: str, outcome_period: str, outcome: str,
                 n_boot: int, seed: int, firms: str, events: str, measurements: str | None,
                 history: str | None, today: dt.date | None, out: str, quiet: bool) -> None:
    """Do the grades of P predict an adverse record in Q? Write metrics.csv, by_grade.csv,
    roc.csv, report.html and report.xlsx."""
    import pandas as pd

    from ..analysis.backtest import backtest
    from ..analysis.report import backtest_report
    from ..output import write_files_atomically

    ins = _inputs(firms, events, measurements, history)
    bt = backtest(firms, events, list(rulesets), period=period, outcome_period=outcome_period,
                  outcome=outcome, measurements=measurements, history=history, n_boot=n_boot,
                  seed=seed, today=today, names=ins)
    rep = backtest_report(bt)
    roc = pd.concat([r.roc.assign(ruleset=r.ruleset.id) for r in bt.results], ignore_index=True)
    files = {"metrics.csv": _csv(_rounded(bt.metrics)), "by_grade.csv": _csv(_rounded(bt.by_grade)),
             "roc.csv": _csv(_rounded(roc)), "report.xlsx": rep.xlsx(),
             "report.html": rep.html.encode("utf-8")}
    write_files_atomically(out, files)
    if not quiet:
        click.echo(f"Back-test: grades of {bt.period}, outcome {bt.outcome_kind} in "
                   f"{bt.outcome_period}; {len(bt.firm_ids)} firms graded under every ruleset, "
                   f"{int(bt.outcome.sum())} with the outcome.")
        m = bt.metrics
        for r in bt.results:
            mm = m[m["ruleset"] == r.ruleset.id].set_index("metric")
            click.echo(f"  {r.ruleset.id:<16} " + "  ".join(
                f"{k.upper()} {mm.loc[k, 'value']:.3f} [{mm.loc[k, 'ci_low']:.3f}, "
                f"{mm.loc[k, 'ci_high']:.3f}]" for k in ("auc", "ks", "brier")))
        k, n = int(bt.outcome.sum()), len(bt.firm_ids)
        if k in (0, n):
            click.echo(f"Note: AUC and KS compare firms with and without the outcome; "
                       f"{'none' if k == 0 else 'every one'} of the {n} firms had it in "
                       f"{bt.outcome_period}, so they are undefined (nan).")
        click.echo(f"Outputs written to {out}")


def _rounded(df: Any) -> Any:
    """Floats to 6 decimals in the CSV files (the full values are in the workbook)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype.kind == "f":
            out[c] = out[c].map(lambda v: "" if v != v else f"{v:.6f}".rstrip("0").rstrip("."))
    return out


@click.command("report")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="The HTML file (default RUN_DIR/report.html); the workbook goes beside it.")
@lang_option
@_guard
def report_cmd(run_dir: str, out: str | None, lang: str = "en") -> None:
    """One self-contained HTML page for the run in RUN_DIR, and an .xlsx with its tables."""
    from ..analysis.report import run_report, write_report
    from ..output.i18n import t

    html_path, xl = write_report(run_report(run_dir, lang), out or Path(run_dir) / "report.html")
    click.echo(t("report.written", lang, html=html_path, xlsx=xl))


@click.command("lint-reform")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_reform_cmd(files: tuple[str, ...]) -> None:
    """Validate reform FILES (and the rulesets they make); report every problem."""
    from ..analysis.reform import lint_reform

    _lint_files(files, lint_reform)
