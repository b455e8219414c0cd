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
from .run import score

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
@_guard
def score_cmd(ruleset: str, period: str, firms: str, events: str, measurements: str | None,
              history: str | None, as_of: dt.date | None, today: dt.date | None, out: str,
              quiet: bool) -> None:
    """Score every firm and write scores.csv, contributions.csv, rejects.csv, manifest.json."""
    inputs = {"firms": firms, "events": events}
    if measurements:
        inputs["measurements"] = measurements
    if history:
        inputs["history"] = history
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
                     str(len(rs.rules)), rs.title.zh))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r[:5], widths)) + "  " + r[5])


@cli.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_cmd(files: tuple[str, ...]) -> None:
    """Validate ruleset FILES and report every problem (file:line: key path: message)."""
    total = 0
    for f in files:
        if not Path(f).exists():
            _fail(f"{f}: no such file.")
        problems = lint_ruleset(f)
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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``ecocredit`` console script."""
    cli.main(args=argv, prog_name="ecocredit")


if __name__ == "__main__":  # pragma: no cover
    main()
