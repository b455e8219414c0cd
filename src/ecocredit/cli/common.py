"""The command group, its error handling and what several commands share.

Exit status: 0 success; 1 finished, but some input rows were rejected, a replay differs, or
lint found problems; 2 nothing was done (bad usage, unreadable input, invalid ruleset), with
a one-line reason on stderr and no traceback (set ``ECOCREDIT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, NoReturn

import click

from .. import __version__
from ..errors import EcocreditError, RulesetError


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
            what = getattr(exc, "document", "ruleset")  # a reform file says so
            cmd = getattr(exc, "lint_command", "lint")
            extra = f" (and {n - 1} more: run `ecocredit {cmd} {exc.source}`)" if n > 1 else ""
            _fail(f"invalid {what}: {first}{extra}" if first else str(exc))
        except EcocreditError as exc:
            if os.environ.get("ECOCREDIT_DEBUG"):
                raise
            _fail(str(exc).splitlines()[0])
        except BrokenPipeError:
            raise  # the reader went away: the group ends quietly (_quiet_broken_pipe)
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

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:  # `ecocredit --help | head -1`: the help is printed while parsing
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:  # before click turns it into exit status 1
            _quiet_broken_pipe()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # before click turns it into exit status 1
            _quiet_broken_pipe()

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
        except BrokenPipeError:
            _quiet_broken_pipe()
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        sys.exit(rv if isinstance(rv, int) else 0)


def _quiet_broken_pipe() -> NoReturn:
    """The reader of our output went away (``ecocredit rulesets | head -1``): stop quietly,
    exit 0, like the standard tools. stdout is pointed at /dev/null so that Python's final
    flush does not complain again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecocredit")
def cli() -> None:
    """Score the environmental credit of enterprises (企业环境信用评价) from rulesets as data."""


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows as aligned columns; the last column (a title) is left unpadded."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r[:-1], widths)) + "  " + r[-1])


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


def _score_notes(rs: Any, scores: Any, lang: str = "en") -> list[str]:
    """Lines after the grade counts: the sub-levels (档次) if the ruleset has them, the lists
    in force, and band cut-offs that are assumed."""
    from ..engine.levels import level_counts
    from ..output.i18n import t

    lines = []
    per: dict[str, list[str]] = {}
    for grade, lid, label, n in level_counts(rs, scores):
        per.setdefault(grade, []).append(f"{label} {n}")
    if per:
        lines.append(t("score.levels", lang, levels="; ".join(f"{g} {', '.join(x)}"
                                                               for g, x in per.items())))
    if rs.lists is not None:
        on = scores["list"].value_counts()
        lines.append(t("score.lists", lang, red=int(on.get("red", 0)),
                       black=int(on.get("black", 0))))
    if rs.scoring.bands_assumed:
        lines.append(t("score.bands_assumed", lang, ruleset=rs.id,
                       note=rs.scoring.bands_assumed.strip()))
    return lines


#: ``--lang``: the language of the outputs meant for people (the machine files stay English)
lang_option = click.option(
    "--lang", "lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
    help="Language of what is meant for people: the summary printed, and the headers, labels "
         "and messages of workbooks, public files and HTML pages (zh: Chinese). The CSV "
         "columns, reason codes and manifest stay English: they are the contract.")


def _read_requests(path: str) -> Any:
    """A small request table (CSV decoded per file as the inputs are, .xlsx, optionally
    ``#Sheet``, or Parquet), as strings; a row that cannot be read as written, or a file that
    cannot be read, ends the command with one line."""
    from ..errors import InputError
    from ..read.anytable import read_any_table

    try:
        df = read_any_table(path, "request")
    except InputError as exc:
        _fail(str(exc))
    return df.astype(object)


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): the trace says so
        return ""
