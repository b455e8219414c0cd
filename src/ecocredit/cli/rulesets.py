"""Commands of the ruleset files: ``rulesets``, ``lint``, ``schema``."""

from __future__ import annotations

import json

import click

from ..ruleset import Ruleset, bundled_rulesets, lint_ruleset, ruleset_json_schema
from ..ruleset.sources import cited_rules, secondary_only, source_table
from .common import _echo_table, _fail, _guard, _lint_files, cli


@cli.command("rulesets")
@click.option("--sources", "sources", is_flag=True,
              help="List each ruleset's sources by kind: document, articles cited, rules "
              "citing it, and its address (official publication or secondary copy).")
@click.argument("ids", nargs=-1)
@_guard
def rulesets_cmd(sources: bool, ids: tuple[str, ...]) -> None:
    """List the bundled rulesets with their versions and validity dates (or, with --sources,
    the documents each cites; IDS restricts the list to those rulesets)."""
    chosen = list(bundled_rulesets())
    unknown = [i for i in ids if i not in {rs.id for rs in chosen}]
    if unknown:
        _fail(f"No bundled ruleset '{unknown[0]}'; the bundled ones are "
              f"{', '.join(rs.id for rs in chosen)}.")
    if ids:
        chosen = [rs for rs in chosen if rs.id in ids]
    if sources:
        for i, rs in enumerate(chosen):
            if i:
                click.echo("")
            _echo_sources(rs)
        return
    rows = [("id", "version", "valid from", "valid to", "rules", "title")]
    for rs in chosen:
        rows.append((rs.id, rs.version, str(rs.valid_from), str(rs.valid_to or "open"),
                     str(len(rs.rules)), rs.title.zh
                     + (" (grade cut-offs assumed: a parameter)" if rs.scoring.bands_assumed
                        else "")))
    _echo_table(rows)


def _echo_sources(rs: Ruleset) -> None:
    """One ruleset's sources: a summary line, then each document with its kind, the number
    of articles cited and of records citing it, and its addresses (each with its kind)."""
    cited = cited_rules(rs)
    official = sum(1 for _, ref in cited if ref.url_kind == "official")
    secondary = len(secondary_only(rs))
    bare = sum(1 for _, ref in cited if not ref.url)
    click.echo(f"{rs.id}: of {len(cited)} rules, list rules and measures, {official} cite an "
               f"official publication, {secondary} only a secondary copy, {bare} no address")
    rows = [("kind", "articles", "cited by", "document")]
    for s in source_table(rs):
        rows.append((s.kind, str(len(s.articles)), str(len(s.owners)), s.document))
        for url, kind in s.urls.items():
            rows.append(("", "", "", f"  {kind or 'unmarked'}: {url}"))
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
