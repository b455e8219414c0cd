"""Commands of the ruleset files: ``rulesets``, ``lint``, ``schema``."""

from __future__ import annotations

import json

import click

from ..ruleset import bundled_rulesets, lint_ruleset, ruleset_json_schema
from .common import _echo_table, _guard, _lint_files, cli


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


@cli.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_cmd(files: tuple[str, ...]) -> None:
    """Validate ruleset FILES and report every problem (file:line: key path: message)."""
    _lint_files(files, lint_ruleset)


@cli.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of the ruleset format."""
    click.echo(json.dumps(ruleset_json_schema(), indent=2, ensure_ascii=False, sort_keys=True))


# --------------------------------------------------------------------------------------
# inspection: frequency, the double-random draw, discretion guidance (issue 4)
# --------------------------------------------------------------------------------------
