"""Commands of the evaluation cycle (issue 13): publish, objections, adjust, register show/verify.

Registered in :mod:`ecocredit.cli` with one ``cli.add_command`` line each. Errors follow the
command line's rule: exit status 2 and one line on stderr, nothing written.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from .common import _date, _guard, _read_requests, lang_option

__all__ = ["publish_cmd", "objections_cmd", "adjust_cmd", "register_group", "echo_head"]


_REGISTER_HELP = ("The credit register: a file path (an SQLite database, created on first use) "
                  "or a URL such as postgresql://user@host/db.")


@click.command("publish")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--register", "register", required=True, help=_REGISTER_HELP)
@click.option("--stage", type=click.Choice(["draft", "final"]), required=True,
              help="draft: published for comment (objections open); final: released, in force.")
@click.option("--published-on", "published_on", required=True, callback=_date,
              help="The publication date (YYYY-MM-DD).")
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Directory for public.xlsx, public.csv, report.html (default "
                   "RUN_DIR/publication).")
@click.option("--days", type=click.IntRange(1, 60),
              help="Publication period in days, if the ruleset declares none.")
@lang_option
@_guard
def publish_cmd(run_dir: str, register: str, stage: str, published_on: dt.date,
                out: str | None, days: int | None, lang: str = "en") -> None:
    """Record the run's grades and lists at a stage and write the public files."""
    from ..cycle.publish import publish

    reg = _open(register)
    click.echo(publish(reg, run_dir, stage=stage, published_on=published_on, out=out,
                       days=days, lang=lang).text(lang))
    echo_head(reg)


@click.command("objections")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--register", "register", required=True, help=_REGISTER_HELP)
@click.option("--applications", required=True, type=click.Path(dir_okay=False),
              help="CSV or .xlsx: firm_id, filed_on, claim (record_wrong, record_revoked, "
                   "rectified, not_our_record, other), event_ids (';'-separated), statement.")
@click.option("--corrections", type=click.Path(dir_okay=False),
              help="Events found by the investigation (rows of the events table: corrected "
                   "rows with the same event_id, or revocations).")
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Output directory (default RUN_DIR/objections): decisions.csv, "
                   "events_corrected.csv, run/ (the re-evaluation).")
@_guard
def objections_cmd(run_dir: str, register: str, applications: str, corrections: str | None,
                   out: str | None) -> None:
    """Answer objections to a published draft, re-evaluate, record the upheld changes."""
    from ..cycle.objections import answer_objections

    apps = _read_requests(applications)
    corr = _read_requests(corrections) if corrections else None
    reg = _open(register)
    click.echo(answer_objections(reg, run_dir, apps, corrections=corr, out=out).text())
    echo_head(reg)


@click.command("adjust")
@click.option("--register", "register", required=True, help=_REGISTER_HELP)
@click.option("--ruleset", required=True, help="The ruleset of the published grades.")
@click.option("--firms", required=True, type=click.Path(dir_okay=False))
@click.option("--events", required=True, type=click.Path(dir_okay=False))
@click.option("--date", "date", required=True, callback=_date,
              help="The day of the adjustment (YYYY-MM-DD); it takes effect that day.")
@click.option("--out", "out", type=click.Path(file_okay=False),
              help="Directory for adjustments.csv.")
@_guard
def adjust_cmd(register: str, ruleset: str, firms: str, events: str, date: dt.date,
               out: str | None) -> None:
    """Dynamic adjustment (动态调整) of published grades by the ruleset's rules."""
    from ..cycle.adjust import adjust

    reg = _open(register)
    click.echo(adjust(reg, ruleset, firms=firms, events=events, date=date, out=out).text())
    echo_head(reg)


@click.group("register")
def register_group() -> None:
    """The credit register: what was in force, and the proof that nothing was changed."""


@register_group.command("show")
@click.option("--register", "register", required=True, help=_REGISTER_HELP)
@click.option("--firm", "firm", required=True, help="The firm's unified social credit code.")
@click.option("--on", "on", callback=_date, help="The day asked about (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the history as CSV.")
@_guard
def show_cmd(register: str, firm: str, on: dt.date | None, as_csv: bool) -> None:
    """A firm's grade and list in force on a day, and the decisions behind it."""
    from ..cycle.queries import show

    click.echo(show(register, firm, on or dt.date.today(), as_csv=as_csv), nl=not as_csv)


@register_group.command("verify")
@click.option("--register", "register", required=True, help=_REGISTER_HELP)
@click.option("--expect-head", "expect_head", metavar="HEAD",
              help="A head printed earlier (by publish, objections, adjust, repair, measures or "
                   "verify) and kept outside the register: 'decisions=SEQ:HASH trace=SEQ:HASH', "
                   "or SEQ:HASH for the decisions. Proves no record up to it was removed or "
                   "changed; without it, records removed from the end cannot be seen.")
@_guard
def verify_cmd(register: str, expect_head: str | None) -> None:
    """Recompute the hash chain of every record and print the head; exit 1 if broken.

    Exit 1 when a record was changed, removed or re-linked, or when the --expect-head record is
    not in the chain with that hash.
    """
    from ..cycle.register import parse_head

    expected = None if expect_head is None else parse_head(expect_head)  # '' is an error
    rep = _open(register).verify(expected)
    click.echo(rep.text())
    sys.exit(0 if rep.ok else 1)


def _open(register: str) -> Any:
    """The register at a path or URL (:class:`ecocredit.cycle.register.Register`)."""
    from ..cycle.register import Register

    return Register(register)


def echo_head(reg: Any) -> None:
    """Print the head a command left in the register, to be kept elsewhere (docs/cycle.md)."""
    head = reg.last_head or reg.head()
    click.echo(f"Register head: {head.text()}")
