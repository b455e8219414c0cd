"""Commands of supervision (the Jiangxi measures): ``policies``, ``lint-policy``,
``inspection-frequency``, ``draw``, ``discretion``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from ..output.i18n import t
from ..output.summary import rejected_rows
from ..supervision.assign import shortfall_reason
from .common import (_date, _echo_table, _fail, _guard, _lint_files, _scores_option, cli,
                     lang_option)


@cli.command("policies")
@_guard
def policies_cmd() -> None:
    """List the bundled inspection policies with their versions and validity dates."""
    from ..supervision import bundled_policies

    rows = [("id", "version", "valid from", "valid to", "title")]
    for p in bundled_policies():
        rows.append((p.id, p.version, str(p.valid_from), str(p.valid_to or "open"), p.title.zh))
    _echo_table(rows)


@cli.command("lint-policy")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_guard
def lint_policy_cmd(files: tuple[str, ...]) -> None:
    """Validate inspection policy FILES and report every problem (file:line: key path: message)."""
    from ..supervision import lint_policy

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
@lang_option
@_guard
def inspection_frequency_cmd(policy: str, firms: str, events: str, scores: str | None,
                             ruleset: str | None, as_of: dt.date, inspectors: str | None,
                             out: str, quiet: bool, lang: str = "en") -> None:
    """Every firm's supervision class, category and on-site visits a year, with reasons.

    Writes frequency.csv, rejects.csv and manifest.json. Exit status 1 when input rows were
    rejected.
    """
    from ..supervision import inspection_frequency

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
        grades = (t("frequency.grades", lang, ruleset=fr.credit_ruleset,
                    period=fr.credit_period) if fr.credit_ruleset
                  else t("frequency.no_grades", lang))
        click.echo(t("frequency.head", lang, firms=len(fr.frame), policy=fr.policy.id,
                     version=fr.policy.version, as_of=fr.as_of, grades=grades))
        counts = fr.category_counts()
        if lang == "zh":
            counts = counts.rename(index={c.id: c.label.zh for c in fr.policy.categories})
        click.echo(_printed_table(counts, lang))
        _echo_tail(rejected_rows(fr.rejects), out, lang)
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
@lang_option
@_guard
def draw_cmd(policy: str, quarter: str, seed: int, inspectors: str, firms: str, events: str,
             scores: str | None, ruleset: str | None, history: tuple[str, ...], out: str,
             quiet: bool, lang: str = "en") -> None:
    """Draw the firms to check in a quarter and their officers (双随机、一公开).

    Writes plan.csv, plan_public.csv (no officers), shortfall.csv, officer_load.csv,
    rejects.csv and manifest.json (with --lang zh also plan_public.xlsx, the public plan
    with Chinese headers). Exit status 1 when some checks cannot be staffed (see
    shortfall.csv) or input rows were rejected.
    """
    from ..supervision import draw

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
    r.write(out, inputs, lang=lang)
    if not quiet:
        _echo_draw(r, out, lang)
    sys.exit(1 if (r.has_shortfall or len(r.rejects)) else 0)


def _printed_table(table: Any, lang: str) -> str:
    """A crosstab as printed: in ``zh`` its axis names, kinds and totals in Chinese."""
    if lang == "zh":
        from ..output.i18n import TABLE_LABELS, VALUES

        words = {**VALUES["kind"], **TABLE_LABELS}
        table = table.rename(index=words, columns=words)
        table.index.name = TABLE_LABELS.get(str(table.index.name), table.index.name)
        table.columns.name = TABLE_LABELS.get(str(table.columns.name), table.columns.name)
        import pandas as pd

        with pd.option_context("display.unicode.east_asian_width", True):  # columns line up
            return table.to_string()
    return table.to_string()


def _echo_tail(rejects: int, out: str, lang: str) -> None:
    click.echo(t("score.rejected", lang, n=rejects)
               + (t("score.see_rejects_csv", lang) if rejects else ""))  # no --xlsx here
    click.echo(t("score.written", lang, out=out))


def _echo_draw(r: Any, out: str, lang: str) -> None:
    """The summary of a draw, in ``lang``."""
    ls = r.load_summary()
    st = r.plan["status"].value_counts()
    click.echo(t("draw.head", lang, checks=len(r.plan), quarter=r.quarter.label, seed=r.seed,
                 policy=r.policy.id, version=r.policy.version,
                 staffed=int(st.get("staffed", 0)), unstaffed=int(st.get("unstaffed", 0))))
    click.echo(_printed_table(r.checks_by_class(), lang))
    click.echo(t("draw.load", lang, **ls))
    by_unit = r.load_by_unit()
    if len(by_unit) <= 8:
        for u, x in by_unit.iterrows():
            click.echo(t("draw.unit_load", lang, unit=u, unit_name=x.unit_name,
                         officers=x.officers, min=x["min"], median=x["median"], max=x["max"]))
    if r.has_shortfall:
        click.echo(t("draw.shortfall", lang, units=len(r.shortfall),
                     checks=int(r.shortfall["unstaffed"].sum())))
        for x in r.shortfall.head(10).itertuples():
            why = x.reason if lang == "en" else shortfall_reason(
                x.officers, x.officer_slots_needed // max(x.required_checks, 1), x.capacity,
                x.required_checks, x.unstaffed, lang)
            click.echo(t("draw.shortfall_unit", lang, unit=x.unit_code, unit_name=x.unit_name,
                         unstaffed=x.unstaffed, required=x.required_checks, reason=why))
    _echo_tail(rejected_rows(r.rejects), out, lang)
    if lang == "zh":
        click.echo(t("draw.public_written", lang, path=f"{out}/plan_public.xlsx"))


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
    from ..supervision import discretion_guidance

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
