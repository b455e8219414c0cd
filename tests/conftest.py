"""Shared helpers of the ingest and command-line tests: valid firm ids, input tables built from
short row lists, a scoring call with a fixed reference date, the reconciliation check of the
rejects table, and the command line run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

from ecocredit.codes import org_check_char, uscc_check_char

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TODAY = "2026-01-01"  # every run's reference date, so results never depend on the clock


def make_firm_id(i: int, region: str = "360102") -> str:
    """A valid 18-character unified social credit code (GB 32100-2015) numbered ``i``: its
    characters 9-17 are an organisation code with a right GB 11714 check character."""
    body = f"91{region}{i:08d}" + org_check_char(f"{i:08d}")
    return body + uscc_check_char(body)


@pytest.fixture
def fid() -> Callable[[int], str]:
    """``fid(i)``: a valid unified social credit code, different for every ``i``."""
    return make_firm_id


def frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """A table of strings from row dicts (missing cells empty), columns in first-seen order."""
    cols = list(columns or [])
    for r in rows:
        cols += [c for c in r if c not in cols]
    return pd.DataFrame([{c: str(r.get(c, "")) for c in cols} for r in rows], columns=cols,
                        dtype=object)


FIRM_COLUMNS = ["firm_id", "name", "region_code"]
EVENT_COLUMNS = ["event_id", "firm_id", "event_date", "event_type"]
MEASUREMENT_COLUMNS = ["firm_id", "period", "indicator", "value"]
HISTORY_COLUMNS = ["firm_id", "period", "grade"]
NAMES = {"firms": "firms.csv", "events": "events.csv", "measurements": "measurements.csv",
         "history": "history.csv"}


@pytest.fixture
def score_rows() -> Callable[..., Any]:
    """``score_rows(firms, events, ruleset=..., period=..., ...)``: score row dicts in memory.

    Rejects name the tables ``firms.csv``, ``events.csv``, ``measurements.csv`` and
    ``history.csv``; the reference date is :data:`TODAY`.
    """
    import ecocredit

    def run(firms: list[dict], events: list[dict], ruleset: str = "anhui-2019",
            period: str = "2025", measurements: list[dict] | None = None,
            history: list[dict] | None = None, as_of: str | None = None) -> Any:
        return ecocredit.score(
            frame(firms, FIRM_COLUMNS), frame(events, EVENT_COLUMNS), ruleset, period=period,
            measurements=None if measurements is None else frame(measurements,
                                                                 MEASUREMENT_COLUMNS),
            history=None if history is None else frame(history, HISTORY_COLUMNS),
            as_of=as_of, today=TODAY, names=NAMES)

    return run


def reject_rows(result: Any) -> list[tuple]:
    """The rejects table as (file, row, column, reason_code, value) tuples."""
    r = result.rejects
    return [(f, int(n), c, code, v) for f, n, c, code, v in
            zip(r["file"], r["row"], r["column"], r["reason_code"], r["value"])]


def assert_reconciled(result: Any) -> None:
    """Every table: read == used + rejected, and the rejects name exactly the rejected rows."""
    for table, st in result.stats.items():
        assert st.rows_read == st.rows_used + st.rows_rejected, table
        listed = set(result.rejects.loc[result.rejects["file"] == st.file, "row"])
        assert len(listed) == st.rows_rejected, table


def scored(result: Any) -> dict[str, dict[str, Any]]:
    """firm_id → its scores row (as a dict)."""
    return {row["firm_id"]: row for row in result.scores.to_dict("records")}


#: ECOCREDIT_TEST_SUBPROCESS=1 runs every ``ecocredit_cli`` call in its own ``python -m
#: ecocredit.cli`` process; by default the commands run in the test's process through click's
#: test runner, which gives the same exit status, stdout and stderr and saves the interpreter's
#: start-up (about 2 s of CPU a command: a third of the suite's time). The tests that depend on
#: a real process (closed pipes, kills, terminals, the golden transcripts, the bad-input corpus)
#: start one themselves.
SUBPROCESS = bool(os.environ.get("ECOCREDIT_TEST_SUBPROCESS"))


@pytest.fixture(scope="session")
def ecocredit_cli() -> Callable[..., subprocess.CompletedProcess]:
    """``ecocredit_cli(*args, cwd=None)``: run the command line as a user would; its exit
    status, stdout and stderr (text) as a :class:`subprocess.CompletedProcess`. An exception
    that escapes the command is printed to stderr as Python would (exit status 1), so that
    tests asserting "no traceback" see it."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                    else "")
    env.pop("ECOCREDIT_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"

    def run(*args: Any, cwd: Path | None = None) -> subprocess.CompletedProcess:
        argv = [str(a) for a in args]
        if SUBPROCESS:
            return subprocess.run([sys.executable, "-m", "ecocredit.cli", *argv],
                                  capture_output=True, text=True, encoding="utf-8", env=env,
                                  cwd=cwd or ROOT, timeout=120)
        return _in_process(argv, Path(cwd or ROOT))

    return run


def _in_process(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    import traceback

    from click.testing import CliRunner

    from ecocredit.cli import cli

    here, debug = os.getcwd(), os.environ.pop("ECOCREDIT_DEBUG", None)
    os.chdir(cwd)
    try:
        res = CliRunner().invoke(cli, argv, prog_name="ecocredit")
    finally:
        os.chdir(here)
        if debug is not None:
            os.environ["ECOCREDIT_DEBUG"] = debug
    stderr, code = res.stderr, res.exit_code
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(res.exception))
        code = 1
    return subprocess.CompletedProcess(["ecocredit", *argv], code, res.stdout, stderr)
