"""Commands at the point of an administrative action: ``repair``, ``measures``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..audit import read_manifest, rerun
from .common import _date, _fail, _guard, _login_name, _read_requests, cli
from .cycle import echo_head


@cli.command("repair")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--applications", required=True, type=click.Path(dir_okay=False),
              help="CSV or .xlsx: firm_id, date, rectified (event ids, ';'-separated), "
                   "commitment (true/false), last_repair (optional date).")
@click.option("--out", "out", type=click.Path(dir_okay=False),
              help="Also write the decisions to this CSV (UTF-8 with BOM, written atomically).")
@click.option("--register", "register",
              help="Credit register (path or URL): count from its recorded final publication "
                   "of the run and record the granted repairs.")
@click.option("--published-on", "published_on", callback=_date, metavar="YYYY-MM-DD",
              help="The day the run's results were published (without a register): the "
                   "repair windows count from it. Default: the evaluation date.")
@_guard
def repair_cmd(run_dir: str, applications: str, out: str | None,
               register: str | None = None, published_on: dt.date | None = None) -> None:
    """Decide credit-repair applications against the ruleset of the run in RUN_DIR.

    Prints each decision with its reasons, evidence and citation. Exit status 0 whether the
    applications are granted or refused; 2 when nothing could be decided.
    """
    from ..decisions.repair import decide_repairs
    from ..output import csv_bytes, write_files_atomically

    apps = _read_requests(applications)
    if register and published_on:
        _fail("give either --register (its recorded publication) or --published-on, not both.")
    if register:  # issue 13: windows from the recorded publication; decisions recorded
        from ..cycle.point_of_action import repair_in_register
        from ..cycle.register import Register

        reg = Register(register)
        d = repair_in_register(reg, run_dir, apps)
    else:
        d = decide_repairs(rerun(read_manifest(run_dir), run_dir), apps,
                           published_on=published_on)
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
    if register:
        echo_head(reg)


@cli.command("measures")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--firm", help="The firm applying (unified social credit code).")
@click.option("--action", help="permit, eia, subsidy, loan, insurance, procurement, award, "
              "penalty_decision, inspection, supervision, electricity, sewage_fee.")
@click.option("--date", "date", callback=_date, help="The date of the action (YYYY-MM-DD).")
@click.option("--requests", type=click.Path(dir_okay=False),
              help="Batch form: CSV or .xlsx with firm_id, action, date (and who).")
@click.option("--who", default=None,
              help="Who asks (recorded in the trace log; default: the login name).")
@click.option("--log", "log", type=click.Path(dir_okay=False),
              help="Append one line per check to this trace log (CSV).")
@click.option("--register", "register",
              help="Credit register (path or URL): the grade and list in force on the day, "
                   "and each check written to its trace table.")
@click.option("--published-on", "published_on", callback=_date, metavar="YYYY-MM-DD",
              help="The day the run's results were published (without a register): they are "
                   "in force from it, and measure durations and the run's list entries count "
                   "from it. Default: the evaluation date.")
@_guard
def measures_cmd(run_dir: str, firm: str | None, action: str | None, date: dt.date | None,
                 requests: str | None, who: str | None, log: str | None,
                 register: str | None = None, published_on: dt.date | None = None) -> None:
    """Which measures apply when a firm applies for an action on a date, and why (逢办必查).

    A measure that follows the result on fixed dates (Jiangsu's electricity price: the result
    on 30 June or 31 December) reads that dated result, and the answer says which one.
    With --log, every check is appended to the trace log (触发留痕): when it was made, who
    asked, firm, action, date, the grade and list in force and the measures returned.
    """
    import pandas as pd

    from ..decisions.measures import append_trace, check_measures

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
    if register and published_on:
        _fail("give either --register (its recorded publication) or --published-on, not both.")
    if register:  # issue 13: what was in force in the register; checks to its trace table
        from ..cycle.point_of_action import measures_in_register
        from ..cycle.register import Register

        reg = Register(register)
        res = measures_in_register(reg, run_dir, req)
    else:
        res = check_measures(rerun(read_manifest(run_dir), run_dir), req,
                             published_on=published_on)
    for i in range(len(res.checks)):
        click.echo(res.explain(i))
    if log:
        n = append_trace(log, res.checks)
        click.echo(f"{n} check(s) appended to {log}")
    if register:
        click.echo(f"{len(res.checks)} check(s) recorded in the register's trace table "
                   f"(#{res.checks['trace_seq'].iloc[0]}-#{res.checks['trace_seq'].iloc[-1]})")
        echo_head(reg)
