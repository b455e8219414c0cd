"""Results that would mislead: a run whose inputs do not cover what the ruleset reads.

A period with no events in it, a ruleset that reads measured indicators when no measurements
were given (every tiers rule then scores as if the indicator were unknown: guangdong-2015 grades
nobody green), or a period that has not ended all grade every firm as if everything were known.
:func:`run_warnings` names each such condition; the command line prints them with the summary,
writes them to the manifest, and ``--strict`` makes them an error (exit status 2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..days import day_of

__all__ = ["coverage_warnings", "events_in_period", "run_warnings"]


def run_warnings(result: Any, lang: str = "en") -> list[dict[str, str]]:
    """The warnings of a scoring run, each ``{"code": ..., "message": ...}``.

    Parameters
    ----------
    result : ScoreResult
    lang : {'en', 'zh'}
        The language of the messages (the manifest records English ones).

    Returns
    -------
    list of dict
        Codes ``no_events_in_period``, ``no_measurements``, ``period_not_ended``, in that
        order; empty when the inputs cover the period.
    """
    return coverage_warnings(result.period, result.ruleset, result.today,
                             events_in_period(result), len(result.prepared.measurements),
                             lang)


def events_in_period(result: Any) -> int:
    """How many accepted events of a run fall in its period (a part's count: the partitioned
    path sums them over the parts)."""
    per, prep = result.period, result.prepared
    days = np.asarray(prep.events["day"]) if "day" in prep.events else np.zeros(0)
    inside = ((days >= day_of(per.start)) & (days <= day_of(per.end))).sum() if len(days) else 0
    return int(inside)


def coverage_warnings(per: Any, rs: Any, today: Any, in_period: int,
                      measurements: int, lang: str = "en") -> list[dict[str, str]]:
    """The warnings from the counts of a run (one-shot or summed over parts).

    Parameters
    ----------
    per : Period
    rs : Ruleset
    today : datetime.date
        The run's reference date.
    in_period : int
        Accepted events falling in the period.
    measurements : int
        Accepted measurement rows.
    lang : {'en', 'zh'}
        The language of the messages (the manifest records English ones).

    Returns
    -------
    list of dict
        As :func:`run_warnings`.
    """
    from ..output.i18n import t

    out: list[dict[str, str]] = []
    if in_period == 0:
        out.append({"code": "no_events_in_period",
                    "message": t("warning.no_events_in_period", lang, period=per.label)})
    reads = sorted({i.id for i in rs.indicators})
    if reads and measurements == 0:
        shown = ", ".join(reads[:3]) + (", ..." if len(reads) > 3 else "")
        out.append({"code": "no_measurements", "message": t(
            "warning.no_measurements", lang, ruleset=rs.id, indicators=shown)})
    if today < per.end:
        out.append({"code": "period_not_ended", "message": t(
            "warning.period_not_ended", lang, period=per.label, end=per.end, today=today)})
    return out


def warnings_in(warnings: list[dict[str, str]], per: Any, rs: Any, today: Any,
                lang: str) -> list[dict[str, str]]:
    """The same warnings in ``lang``: those of a run known only by their codes (a partitioned
    run's, read back from its manifest, where they are English) said again through the
    catalog, in the same order.

    Parameters
    ----------
    warnings : list of dict
        ``{"code", "message"}`` as :func:`coverage_warnings` gave them.
    per : Period
    rs : Ruleset
    today : datetime.date
    lang : {'en', 'zh'}

    Returns
    -------
    list of dict
    """
    codes = [w["code"] for w in warnings]
    again = {w["code"]: w for w in coverage_warnings(
        per, rs, today, 0 if "no_events_in_period" in codes else 1,
        0 if "no_measurements" in codes else 1, lang)}
    return [again.get(w["code"], w) for w in warnings]
