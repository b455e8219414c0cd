"""The ``ecocredit`` command line.

Exit status: 0 success; 1 finished, but some input rows were rejected, a replay differs, or
lint found problems; 2 nothing was done (bad usage, unreadable input, invalid ruleset), with
a one-line reason on stderr and no traceback (set ``ECOCREDIT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .audit import input_changed, read_manifest, replay, rerun, saved_score_row, write_run
from .errors import EcocreditError, RulesetError
from .reports import summary_text
from .ruleset import bundled_rulesets, lint_ruleset, ruleset_json_schema
from .engine.run import score

__all__ = ["main", "cli"]


def _fail(message: str) -> None:
    click.echo(f"ecocredit: error: {message}", err=True)
    sys.exit(2)


def _guard(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into exit status 2 with one line on stderr."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RulesetError as exc:
            if os.environ.get("ECOCREDIT_DEBUG"):
                raise
            first = exc.problems[0] if exc.problems else None
            n = len(exc.problems)
            extra = f" (and {n - 1} more: run `ecocredit lint {exc.source}`)" if n > 1 else ""
            _fail(f"invalid ruleset: {first}{extra}" if first else str(exc))
        except EcocreditError as exc:
            if os.environ.get("ECOCREDIT_DEBUG"):
                raise
            _fail(str(exc).splitlines()[0])
        except (OSError, ValueError, KeyError) as exc:
            if os.environ.get("ECOCREDIT_DEBUG"):
                raise
            _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    return wrapper


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}") from None


# click >= 8.2 raises this for a group called without a command (older versions print help)
_NoArgsIsHelpError = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(click.Group):
    """A click group whose usage errors are one line on stderr (exit status 2), like the rest."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NoArgsIsHelpError as exc:
            path = exc.ctx.command_path if exc.ctx else "ecocredit"
            _fail(f"no command given; run `{path} --help` to see the commands.")
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else "ecocredit"
            _fail(f"{exc.format_message()} (see `{path} --help`)")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecocredit")
def cli() -> None:
    """Score the environmental credit of enterprises (企业环境信用评价) from rulesets as data."""


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
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--engine", type=click.Choice(["local", "partitioned", "dask"]), default="local",
              show_default=True,
              help="local: in one process; partitioned: by parts of firms on local processes, "
                   "streaming the inputs (bounded memory); dask: the same parts on a Dask "
                   "cluster (DASK_SCHEDULER_ADDRESS, or a local cluster). Same outputs.")
@click.option("--partitions", type=click.IntRange(min=1),
              help="Parts for --engine partitioned/dask (default: ~2.5 million events each).")
@_guard
def score_cmd(ruleset: str, period: str, firms: str, events: str, measurements: str | None,
              history: str | None, as_of: dt.date | None, today: dt.date | None, out: str,
              quiet: bool, engine: str = "local", partitions: int | None = None) -> None:
    """Score every firm and write scores.csv, contributions.csv, rejects.csv, manifest.json."""
    inputs = {"firms": firms, "events": events}
    if measurements:
        inputs["measurements"] = measurements
    if history:
        inputs["history"] = history
    if engine != "local":
        from .scale import score_on_engine

        run = score_on_engine(engine, inputs, ruleset, period=period, as_of=as_of, today=today,
                              out=out, partitions=partitions)
        if not quiet:
            m, labels = run.manifest, {g.id: g.label for g in run.ruleset.grades}
            head = (f"Scored {run.firms} firms under {m['ruleset']['id']} "
                    f"{m['ruleset']['version']} for period {m['options']['period']} (evaluated "
                    f"on {m['options']['evaluation_date']}).")
            click.echo(summary_text(run.grade_counts, labels, head=head, rejected=run.rejects,
                                    out_dir=out))
        sys.exit(1 if run.rejects else 0)
    result = score(firms, events, ruleset, period=period, measurements=measurements,
                   history=history, as_of=as_of, today=today, names=inputs)
    write_run(result, out, inputs)
    rs = result.ruleset
    if not quiet:
        head = (f"Scored {len(result.scores)} firms under {rs.id} {rs.version} for period "
                f"{result.period.label} (evaluated on {result.eval_date}).")
        labels = {g.id: g.label for g in rs.grades}
        click.echo(summary_text(result.grade_counts(), labels, head=head,
                                rejected=len(result.rejects), out_dir=out))
        for line in _score_notes(rs, result.scores):
            click.echo(line)
    sys.exit(1 if len(result.rejects) else 0)


@cli.command("explain")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("firm_id")
@_guard
def explain_cmd(run_dir: str, firm_id: str) -> None:
    """Why FIRM_ID got its grade in the run saved in RUN_DIR: rule by rule, with citations."""
    manifest = read_manifest(run_dir)
    warnings = [f"WARNING: the {t} input {info['path']} changed since the run; this explains "
                "the inputs as they are now." for t, info in manifest["inputs"].items()
                if Path(info["path"]).exists() and input_changed(info)]
    result = rerun(manifest)
    try:
        text = result.explain(firm_id)
    except KeyError as exc:
        _fail(str(exc.args[0]))
        return
    saved = saved_score_row(run_dir, firm_id)
    now = result.scores.set_index("firm_id").loc[firm_id.strip().upper()]
    if saved is None:
        tail = "The saved scores.csv has no row for this firm."
    elif (saved["grade"], saved["score"]) == (now["grade"], now["score"]):
        tail = (f"The saved scores.csv agrees: grade {saved['grade'] or '-'}, score "
                f"{saved['score'] or '-'}.")
    else:
        tail = (f"WARNING: the saved scores.csv says grade {saved['grade']!r}, score "
                f"{saved['score']!r}; run `ecocredit replay {run_dir}`.")
    click.echo("\n".join(warnings + [text, tail]))


@cli.command("replay")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@_guard
def replay_cmd(run_dir: str) -> None:
    """Recompute the run saved in RUN_DIR and report whether every output is identical."""
    report = replay(run_dir)
    click.echo(report.text())
    sys.exit(0 if report.identical else 1)


@cli.command("rulesets")
@_guard
def rulesets_cmd() -> None:
    """List the bundled rulesets with their versions and validity dates."""
    rows = [("id", "version", "valid from", "valid to", "rules", "title")]
    for rs in bundled_rulesets():
        rows.append((rs.id, rs.version, str(rs.valid_from), str(rs.valid_to or "open"),
                     str(len(rs.rules)), rs.title.zh
                     + (" (grade cut-offs assumed: a parameter)" if rs.scoring.bands_assumed
                        else "")))
    _echo_table(rows)


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows as aligned columns; the last column (a title) is left unpadded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r[:-1], widths)) + "  " + r[-1])


@cli.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_cmd(files: tuple[str, ...]) -> None:
    """Validate ruleset FILES and report every problem (file:line: key path: message)."""
    _lint_files(files, lint_ruleset)


def _lint_files(files: tuple[str, ...], lint: Callable[[str], list[Any]]) -> None:
    """Print every problem ``lint`` finds in each file (or ``FILE: ok``); exit 1 if any."""
    total = 0
    for f in files:
        if not Path(f).exists():
            _fail(f"{f}: no such file.")
        problems = lint(f)
        total += len(problems)
        for p in problems:
            click.echo(str(p))
        if not problems:
            click.echo(f"{f}: ok")
    sys.exit(1 if total else 0)


@cli.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the ruleset format."""
    click.echo(json.dumps(ruleset_json_schema(), indent=2, ensure_ascii=False, sort_keys=True))


# --------------------------------------------------------------------------------------
# inspection: frequency, the double-random draw, discretion guidance (issue 4)
# --------------------------------------------------------------------------------------


def _scores_option(scores: str | None) -> str | None:
    """``--scores`` names scores.csv or the output directory of ``ecocredit score``."""
    if scores is None:
        return None
    p = Path(scores)
    if p.is_dir():
        p = p / "scores.csv"
    if not p.exists():
        _fail(f"{scores}: no scores.csv there; give the scores.csv (or the output directory) "
              "of an `ecocredit score` run.")
    return str(p)


@cli.command("policies")
@_guard
def policies_cmd() -> None:
    """List the bundled inspection policies with their versions and validity dates."""
    from .supervision import bundled_policies

    rows = [("id", "version", "valid from", "valid to", "title")]
    for p in bundled_policies():
        rows.append((p.id, p.version, str(p.valid_from), str(p.valid_to or "open"), p.title.zh))
    _echo_table(rows)


@cli.command("lint-policy")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_policy_cmd(files: tuple[str, ...]) -> None:
    """Validate inspection policy FILES and report every problem (file:line: key path: message)."""
    from .supervision import lint_policy

    _lint_files(files, lint_policy)


@cli.command("inspection-frequency")
@click.option("--policy", default="jiangxi-2020", show_default=True,
              help="A bundled inspection policy id (see `ecocredit policies`) or a policy file.")
@click.option("--firms", required=True, type=click.Path(dir_okay=False), help="Firms table.")
@click.option("--events", required=True, type=click.Path(dir_okay=False), help="Events table.")
@click.option("--scores", type=click.Path(),
              help="scores.csv (or the output directory) of an earlier `ecocredit score` run: "
                   "the published grades. Without it every firm has the policy's default "
                   "credit level.")
@click.option("--ruleset", help="The ruleset of the scores, if scores.csv does not name it.")
@click.option("--as-of", "as_of", required=True, callback=_date,
              help="Read the records as they stood on this date (YYYY-MM-DD).")
@click.option("--inspectors", type=click.Path(dir_okay=False),
              help="Inspectors table (only needed for a rate per officer).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output directory (created if needed).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@_guard
def inspection_frequency_cmd(policy: str, firms: str, events: str, scores: str | None,
                             ruleset: str | None, as_of: dt.date, inspectors: str | None,
                             out: str, quiet: bool) -> None:
    """Every firm's supervision class, category and on-site visits a year, with reasons.

    Writes frequency.csv, rejects.csv and manifest.json. Exit status 1 when input rows were
    rejected.
    """
    from .supervision import inspection_frequency

    scores_path = _scores_option(scores)
    fr = inspection_frequency(policy, as_of=as_of, firms=firms, events=events,
                              scores=scores_path, ruleset=ruleset, inspectors=inspectors,
                              names={"firms": firms, "events": events})
    inputs = {"firms": firms, "events": events}
    if scores_path:
        inputs["scores"] = scores_path
    if inspectors:
        inputs["inspectors"] = inspectors
    fr.write(out, inputs)
    if not quiet:
        click.echo(f"Inspection frequency of {len(fr.frame)} firms under {fr.policy.id} "
                   f"{fr.policy.version}, records as of {fr.as_of}"
                   + (f", grades of {fr.credit_ruleset} {fr.credit_period}"
                      if fr.credit_ruleset else ", no grades given") + ".")
        click.echo(fr.category_counts().to_string())
        click.echo(f"Rejected input rows: {len(fr.rejects)}"
                   + (" (see rejects.csv)" if len(fr.rejects) else ""))
        click.echo(f"Outputs written to {out}")
    sys.exit(1 if len(fr.rejects) else 0)


@cli.command("draw")
@click.option("--policy", default="jiangxi-2020", show_default=True,
              help="A bundled inspection policy id or a policy file.")
@click.option("--quarter", required=True, help="The quarter to draw: YYYYQn, e.g. 2025Q1.")
@click.option("--seed", required=True, type=click.IntRange(min=0),
              help="The published random seed (a whole number).")
@click.option("--inspectors", required=True, type=click.Path(dir_okay=False),
              help="Inspectors: inspector_id, name, county_code, conflicts "
                   "[, max_checks_per_quarter].")
@click.option("--firms", required=True, type=click.Path(dir_okay=False), help="Firms table.")
@click.option("--events", required=True, type=click.Path(dir_okay=False), help="Events table.")
@click.option("--scores", type=click.Path(),
              help="scores.csv (or the output directory) of the published grades.")
@click.option("--ruleset", help="The ruleset of the scores, if scores.csv does not name it.")
@click.option("--inspection-history", "history", multiple=True,
              type=click.Path(dir_okay=False),
              help="Earlier checks: firm_id, date, inspector_ids, kind (repeatable; earlier "
                   "plan.csv files work as they are).")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output directory for the plan (created if needed).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@_guard
def draw_cmd(policy: str, quarter: str, seed: int, inspectors: str, firms: str, events: str,
             scores: str | None, ruleset: str | None, history: tuple[str, ...], out: str,
             quiet: bool) -> None:
    """Draw the firms to check in a quarter and their officers (双随机、一公开).

    Writes plan.csv, plan_public.csv (no officers), shortfall.csv, officer_load.csv,
    rejects.csv and manifest.json. Exit status 1 when some checks cannot be staffed (see
    shortfall.csv) or input rows were rejected.
    """
    from .supervision import draw

    scores_path = _scores_option(scores)
    names = {"firms": firms, "events": events, "inspectors": inspectors,
             "history": list(history)}
    r = draw(policy, quarter, seed, inspectors=inspectors, firms=firms, events=events,
             scores=scores_path, ruleset=ruleset, history=list(history), names=names)
    inputs: dict[str, Any] = {"firms": firms, "events": events, "inspectors": inspectors}
    if scores_path:
        inputs["scores"] = scores_path
    if history:
        inputs["inspection_history"] = list(history)
    r.write(out, inputs)
    if not quiet:
        ls = r.load_summary()
        st = r.plan["status"].value_counts()
        click.echo(f"Drew {len(r.plan)} checks for {r.quarter.label} (seed {r.seed}) under "
                   f"{r.policy.id} {r.policy.version}: {int(st.get('staffed', 0))} staffed, "
                   f"{int(st.get('unstaffed', 0))} unstaffed.")
        click.echo(r.checks_by_class().to_string())
        click.echo(f"Officers' load: {ls['officers']} officers, checks min {ls['min']}, "
                   f"median {ls['median']:g}, max {ls['max']}")
        by_unit = r.load_by_unit()
        if len(by_unit) <= 8:
            for u, x in by_unit.iterrows():
                click.echo(f"  {u} {x.unit_name}: {x.officers} officers, checks min {x['min']}, "
                           f"median {x['median']:g}, max {x['max']}")
        if r.has_shortfall:
            click.echo(f"Shortfall: {len(r.shortfall)} unit(s) cannot staff "
                       f"{int(r.shortfall['unstaffed'].sum())} check(s) (see shortfall.csv):")
            for x in r.shortfall.head(10).itertuples():
                click.echo(f"  {x.unit_code} {x.unit_name}: {x.unstaffed} of "
                           f"{x.required_checks} unstaffed; {x.reason}")
        click.echo(f"Rejected input rows: {len(r.rejects)}"
                   + (" (see rejects.csv)" if len(r.rejects) else ""))
        click.echo(f"Outputs written to {out}")
    sys.exit(1 if (r.has_shortfall or len(r.rejects)) else 0)


@cli.command("discretion")
@click.option("--policy", default="jiangxi-2020", show_default=True,
              help="A bundled inspection policy id or a policy file.")
@click.option("--firms", required=True, type=click.Path(dir_okay=False), help="Firms table.")
@click.option("--events", required=True, type=click.Path(dir_okay=False), help="Events table.")
@click.option("--scores", type=click.Path(), help="scores.csv of the published grades.")
@click.option("--ruleset", help="The ruleset of the scores, if scores.csv does not name it.")
@click.option("--firm", "firm_id", required=True, help="The firm's unified social credit code.")
@click.option("--date", "date", required=True, callback=_date,
              help="Day of the new violation (YYYY-MM-DD); the record before it is read.")
@click.option("--type", "violation_type", help="The new violation's event type.")
@click.option("--event", "case_event_id", help="The new violation's event_id, if recorded.")
@click.option("--fact", "facts", multiple=True,
              help="A fact the officer has established (repeatable): low_pollution, "
                   "non_subjective, minor, promptly_corrected, harmless, intentional, "
                   "cooperated.")
@click.option("--not-fact", "not_facts", multiple=True,
              help="A fact the officer has ruled out (repeatable).")
@_guard
def discretion_cmd(policy: str, firms: str, events: str, scores: str | None,
                   ruleset: str | None, firm_id: str, date: dt.date,
                   violation_type: str | None, case_event_id: str | None,
                   facts: tuple[str, ...], not_facts: tuple[str, ...]) -> None:
    """Aggravating and mitigating factors for a firm's new violation (guidance, not a penalty)."""
    from .supervision import discretion_guidance

    flags = {f: True for f in facts} | {f: False for f in not_facts}
    try:
        g = discretion_guidance(policy, firm_id, date, violation_type=violation_type,
                                flags=flags, case_event_id=case_event_id, firms=firms,
                                events=events, scores=_scores_option(scores), ruleset=ruleset)
    except KeyError as exc:
        _fail(str(exc.args[0]))
        return
    click.echo(g.text())


# ---- credit repair and measures at the point of action (issue 3) --------------------------


def _score_notes(rs: Any, scores: Any) -> list[str]:
    """Lines after the grade counts: the lists in force, and band cut-offs that are assumed."""
    lines = []
    if rs.lists is not None:
        on = scores["list"].value_counts()
        lines.append(f"Lists in force: red {int(on.get('red', 0))}, black "
                     f"{int(on.get('black', 0))} (see the list and list_until columns)")
    if rs.scoring.bands_assumed:
        lines.append(f"Note: the grade cut-offs of {rs.id} are not published; the bands used "
                     f"are a parameter: {rs.scoring.bands_assumed.strip()}")
    return lines


def _read_requests(path: str) -> Any:
    """A small request table (CSV in UTF-8, UTF-8 with BOM or GB18030, or .xlsx), as strings."""
    import pandas as pd

    from .read.files import _decode

    import io

    p = Path(path)
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(p, dtype=str, engine="openpyxl").fillna("")
        else:
            df = pd.read_csv(io.StringIO(_decode(p.read_bytes())), dtype=str,
                             keep_default_na=False)
    except Exception as exc:  # any parser error: one line, no traceback
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        _fail(f"{path}: cannot be read as a table ({why}).")
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    return df


@cli.command("repair")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--applications", required=True, type=click.Path(dir_okay=False, exists=True),
              help="CSV or .xlsx: firm_id, date, rectified (event ids, ';'-separated), "
                   "commitment (true/false), last_repair (optional date).")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="Also write the decisions to this CSV (UTF-8 with BOM, written atomically).")
@click.option("--published-on", "published_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day the run's results were published (YYYY-MM-DD); the repair windows "
                   "count from it. Default: the evaluation date.")
@_guard
def repair_cmd(run_dir: str, applications: str, out: str | None,
               published_on: Any = None) -> None:
    """Decide credit-repair applications against the ruleset of the run in RUN_DIR.

    Prints each decision with its reasons, evidence and citation. Exit status 0 whether the
    applications are granted or refused; 2 when nothing could be decided.
    """
    from .decisions.repair import decide_repairs
    from .reports import csv_bytes, write_files_atomically

    apps = _read_requests(applications)
    result = rerun(read_manifest(run_dir))
    d = decide_repairs(result, apps,
                       published_on=published_on.date() if published_on else None)
    for r in d.itertuples(index=False):
        click.echo(f"{r.firm_id} {r.date}: {r.decision.upper()} — {r.explanation}")
        if r.evidence:
            click.echo(f"    evidence: {r.evidence}")
        if r.reference:
            click.echo(f"    reference: {r.reference}")
    if out:
        target = Path(out)
        write_files_atomically(target.parent if str(target.parent) else ".",
                               {target.name: csv_bytes(d)})


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the trace says so
        return ""


@cli.command("measures")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--firm", help="The firm applying (unified social credit code).")
@click.option("--action", help="permit, eia, subsidy, loan, insurance, procurement, award, "
              "penalty_decision, inspection, supervision, electricity, sewage_fee.")
@click.option("--date", "date", callback=_date, help="The date of the action (YYYY-MM-DD).")
@click.option("--requests", type=click.Path(dir_okay=False, exists=True),
              help="Batch form: CSV or .xlsx with firm_id, action, date (and who).")
@click.option("--who", default=None,
              help="Who asks (recorded in the trace log; default: the login name).")
@click.option("--log", "log", type=click.Path(dir_okay=False),
              help="Append one line per check to this trace log (CSV).")
@_guard
def measures_cmd(run_dir: str, firm: str | None, action: str | None, date: dt.date | None,
                 requests: str | None, who: str | None, log: str | None) -> None:
    """Which measures apply when a firm applies for an action on a date, and why (逢办必查).

    With --log, every check is appended to the trace log (触发留痕): when it was made, who
    asked, firm, action, date, the grade and list in force and the measures returned.
    """
    import pandas as pd

    from .decisions.measures import append_trace, check_measures

    if requests:
        req = _read_requests(requests)
        if "who" not in req.columns or who is not None:
            req["who"] = who if who is not None else _login_name()
    elif firm and action and date:
        req = pd.DataFrame({"firm_id": [firm], "action": [action], "date": [date.isoformat()],
                            "who": [who if who is not None else _login_name()]})
    else:
        _fail("give --firm, --action and --date, or --requests FILE.")
        return
    result = rerun(read_manifest(run_dir))
    res = check_measures(result, req)
    for i in range(len(res.checks)):
        click.echo(res.explain(i))
    if log:
        n = append_trace(log, res.checks)
        click.echo(f"{n} check(s) appended to {log}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``ecocredit`` console script."""
    cli.main(args=argv, prog_name="ecocredit")


if __name__ == "__main__":  # pragma: no cover
    main()
