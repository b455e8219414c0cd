"""A scoring run: inputs + ruleset + options → :class:`ScoreResult`.

This is the Python API most callers need::

    import ecocredit
    rs = ecocredit.load_ruleset("anhui-2019")
    result = ecocredit.score(firms, events, rs, period="2025")
    result.scores, result.contributions, result.rejects
    print(result.explain("91360100MA35XXXXXX"))

DataFrames in, DataFrames out; no global state. The same inputs and options give the same
result, byte for byte once written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..read import Prepared, TableStats, prepare
from ..periods import Period, parse_period
from ..progress import phase
from ..ruleset import Ruleset, load_ruleset
from .compile import Plan, compile_plan
from .explain import explain_text
from .reference import FirmResult, FirmRows, firm_inputs, score_firm_plan
from .vectorized import score_plan

__all__ = ["score", "ScoreResult"]


@dataclass
class ScoreResult:
    """The outcome of :func:`score`.

    Attributes
    ----------
    scores : DataFrame
        One row per accepted firm, in input order (index 0..n-1). The columns of
        ``scores.csv`` first, then three for computing (not written to any file). Text columns
        hold ``""`` where they do not apply (a firm not graded has no score, grade or rules).

        ======================  =======  =========================================================
        column                  dtype    meaning
        ======================  =======  =========================================================
        ``firm_id``             str      unified social credit code (统一社会信用代码), 18 chars
        ``name``                str      firm name as read
        ``period``              str      the period scored: ``YYYY`` or ``YYYY-MM``
        ``ruleset``             str      ruleset id, e.g. ``anhui-2019``
        ``ruleset_version``     str      ruleset version, e.g. ``2019.1``
        ``status``              str      ``graded`` or ``not_graded``
        ``score``               str      the score in points, exact decimal text as written to
                                         scores.csv (``79.75``, ``-3``); ``""`` if not graded.
                                         Text, so it never rounds: use ``score_points`` to compute
        ``grade``               str      grade id of the ruleset (``green``, ``blue`` ...)
        ``grade_label``         str      the grade's Chinese name (环保诚信企业 ...)
        ``grade_level``         str      the sub-level (档次) id within the grade (``1``, ``2``
                                         ...), ``""`` if the grade has none. Only for a
                                         ruleset whose bands have ``levels``
        ``vetoed``              bool     a veto rule set the grade
        ``rules_applied``       str      ids of the rules that moved the grade after the bands
                                         (vetoes, caps, downgrades, list entries), ``;``-joined,
                                         in the order they applied
        ``list``                str      ``red``, ``black`` or ``""``: the list the firm is on
        ``list_until``          str      ``YYYY-MM-DD``, last day on that list, or ``""``
        ``grade_colour``        str      the colour the grade is published in
        ``not_graded_reason``   str      why a firm is not graded (``not_yet_included``,
                                         ``suspended``, ``closed`` ...); ``""`` if graded
        ``region_code``,        str      copied from the firms table (GB/T 2260 region code,
        ``industry_code``,               GB/T 4754 industry code, supervision class A/B/C),
        ``supervision_class``            then any extra input column, as read
        ``score_points``        float64  the score in points as a number (``score_cents / 100``,
                                         the nearest double), NaN if not graded: for
                                         ``.mean()``, plots and models. Not written to files
        ``score_cents``         int64    the exact score in hundredths of a point (0 if not
                                         graded): sums and comparisons without rounding
        ``grade_rank``          int64    the grade's rank, 0 = best grade of the ruleset; -1 if
                                         not graded
        ======================  =======  =========================================================

        (``region_code``, ``industry_code``, ``supervision_class`` come only when the firms
        table has them.)
    contributions : DataFrame
        One row per firm and rule that moved the score or the grade, by firm (input order),
        then in the order the rules applied; the columns of ``contributions.csv`` then
        ``points_cents``.

        ================  =====  ==============================================================
        column            dtype  meaning
        ================  =====  ==============================================================
        ``firm_id``       str    the firm
        ``rule_id``       str    the rule's id in the ruleset (``GD-P01``)
        ``points``        str    points the rule added (negative: deducted), exact decimal
                                 text; ``0`` for a rule that moved the grade only
        ``evidence``      str    ids of the events (or the indicator values) it counted,
                                 ``;``-joined
        ``reference``     str    the rule's citation: document, article, URL
        ``kind``          str    the rule kind (``event_points``, ``veto``, ``tiers`` ...)
        ``effect``        str    what it did to the grade or lists (``green→red``,
                                 ``black list until 2025-12-31``), or ``""``
        ``label``         str    the rule's label (Chinese, with an English gloss)
        ``points_cents``  int64  ``points`` in exact hundredths of a point: sum these
        ================  =====  ==============================================================
    rejects : DataFrame
        One row per problem found in the inputs (a row with several bad values has several);
        the columns of ``rejects.csv``.

        ===============  =====  ===============================================================
        column           dtype  meaning
        ===============  =====  ===============================================================
        ``file``         str    the input file (or table name) the row came from; a
                                workbook's sheet after ``#`` (``events.xlsx#Sheet1``)
        ``row``          int64  the data row in that file, counted from 1 (header not
                                counted); in a workbook the row Excel shows (header = 1)
        ``column``       str    the column with the bad value
        ``reason_code``  str    why (see docs/data-format.md: ``bad_date``, ``unknown_firm`` ...)
        ``value``        str    the value as read
        ``message``      str    one English sentence for a person
        ===============  =====  ===============================================================
    ruleset : Ruleset
    period : Period
    eval_date : date
        The date the period was scored on.
    as_of, today : date or None
        The options the run used (see :func:`score`).
    stats : dict of TableStats
        Rows read, used and rejected per input table.
    """

    scores: pd.DataFrame
    contributions: pd.DataFrame
    rejects: pd.DataFrame
    ruleset: Ruleset
    period: Period
    eval_date: dt.date
    as_of: dt.date | None
    today: dt.date
    stats: dict[str, TableStats]
    prepared: Prepared = field(repr=False)
    # built on the first explain: firm_id → position, and each firm's rows in the inputs
    _lookup: tuple[pd.Index, FirmRows] | None = field(default=None, init=False, repr=False,
                                                      compare=False)
    _plan: Plan | None = field(default=None, repr=False, compare=False)

    @property
    def plan(self) -> Plan:
        """The compiled plan the run was scored with (compiled again if it was not kept)."""
        if self._plan is None:
            self._plan = compile_plan(self.ruleset, self.period, self.eval_date)
        return self._plan

    def __repr__(self) -> str:
        graded = int((self.scores["status"] == "graded").sum())
        return (f"ScoreResult(ruleset={self.ruleset.id!r}, period={self.period.label!r}, "
                f"firms={len(self.scores)}, graded={graded}, rejects={len(self.rejects)})")

    def grade_counts(self) -> pd.Series:
        """Number of graded firms per grade, best first (and ``not_graded``)."""
        g = self.scores["grade"].where(self.scores["status"] == "graded", "not_graded")
        order = self.ruleset.grade_ids + ["not_graded"]
        return g.value_counts().reindex(order, fill_value=0).rename("firms")

    def _index(self) -> tuple[pd.Index, FirmRows]:
        """Built once, on the first explanation: explaining one firm of millions then looks
        its rows up instead of scanning the tables."""
        if self._lookup is None:
            ids = pd.Index(self.prepared.firms["firm_id"].to_numpy(object))
            self._lookup = (ids, FirmRows(self.prepared))
        return self._lookup

    def _firm_index(self, firm_id: str) -> int:
        ids, _ = self._index()
        hits = ids.get_indexer([str(firm_id).strip().upper()])
        if hits[0] < 0:
            raise KeyError(f"Firm {firm_id!r} is not among the scored firms of this run.")
        return int(hits[0])

    def explanation(self, firm_id: str) -> FirmResult:
        """The reference engine's rule-by-rule verdict on one firm."""
        i = self._firm_index(firm_id)
        return score_firm_plan(self.plan, firm_inputs(self.prepared, i, self._index()[1]))

    def explain(self, firm_id: str) -> str:
        """Why a firm got its grade: every step, rule, citation and piece of evidence.

        The reasoning comes from the reference engine; the text ends by confirming that it
        agrees with the vectorized result in :attr:`scores`.
        """
        i = self._firm_index(firm_id)
        return explain_text(self, self.explanation(firm_id), self.scores.iloc[i])


def score(firms: Any, events: Any, ruleset: Ruleset | str | Path, *, period: str | int,
          measurements: Any = None, history: Any = None, as_of: dt.date | str | None = None,
          today: dt.date | str | None = None, names: Mapping[str, str] | None = None,
          allow_codes: Any = None) -> ScoreResult:
    """Score firms for one period under a ruleset.

    Parameters
    ----------
    firms, events : DataFrame or path
        The firms and events tables of docs/data-format.md (Chinese headers accepted).
    ruleset : Ruleset, or a bundled name or file path
    period : str or int
        ``YYYY`` (or ``YYYY-MM``).
    measurements, history : DataFrame or path, optional
    as_of : date or ISO string, optional
        Score as the records stood on this date: later ``recorded_at`` are ignored, and a
        dynamic ruleset is evaluated on this date if it falls within the period.
    today : date or ISO string, optional
        Reference date for rejecting future dates (default: the real date).
    names : mapping, optional
        File names to use in the rejects table, per table.
    allow_codes : path or collection of str, optional
        Known nonconforming credit codes to admit (see :func:`ecocredit.read.prepare`).

    Returns
    -------
    ScoreResult

    Raises
    ------
    RulesetError, PeriodError, InputError

    Examples
    --------
    >>> import pandas as pd, ecocredit
    >>> body = "91360102MA35XKQ15"
    >>> fid = body + ecocredit.codes.uscc_check_char(body)
    >>> firms = pd.DataFrame({"firm_id": [fid], "name": ["甲公司"], "region_code": ["360102"]})
    >>> events = pd.DataFrame({"event_id": ["E1"], "firm_id": [fid],
    ...                        "event_date": ["2025-03-01"], "event_type": ["crime_conviction"]})
    >>> r = ecocredit.score(firms, events, "anhui-2019", period="2025", today="2026-01-01")
    >>> r.scores.loc[0, "grade"], bool(r.scores.loc[0, "vetoed"])
    ('red', True)
    """
    rs = ruleset if isinstance(ruleset, Ruleset) else load_ruleset(ruleset)
    per = parse_period(str(period))
    as_of_d = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    today_d = dt.date.fromisoformat(today) if isinstance(today, str) else (today or dt.date.today())
    rs.evaluation_date(per, as_of_d)  # a period the ruleset does not cover: error before reading
    with phase("reading and checking the inputs"):
        prep = prepare(firms, events, rs, measurements=measurements, history=history,
                       as_of=as_of_d, today=today_d, names=names, allow_codes=allow_codes)
    with phase("scoring"):
        return score_validated(prep, rs, per, as_of=as_of_d, today=today_d)


def score_validated(prep: Prepared, rs: Ruleset, period: Period, *, as_of: dt.date | None,
                    today: dt.date) -> ScoreResult:
    """Score inputs already validated by :func:`ecocredit.prepare` against ``rs``'s vocabulary:
    what :func:`score` does after reading. Lets one validation serve several rulesets that
    accept the same event types, indicators and grades (a what-if's baseline and reform).

    Raises
    ------
    PeriodError
        If ``rs`` does not cover the period's evaluation date.
    """
    eval_date = rs.evaluation_date(period, as_of)
    plan = compile_plan(rs, period, eval_date)
    scores, contributions = score_plan(prep, plan)
    extra = [c for c in prep.firms.columns if c not in scores.columns and c not in (
        "included_day", "region_code", "industry_code", "supervision_class", "key_discharger",
        "permit_type", "positive_list", "status", "included_since")]
    for c in ["region_code", "industry_code", "supervision_class"] + extra:
        if c in prep.firms.columns:
            scores[c] = prep.firms[c].to_numpy(object)
    return ScoreResult(scores=scores, contributions=contributions, rejects=prep.rejects,
                       ruleset=rs, period=period, eval_date=eval_date, as_of=as_of,
                       today=today, stats=prep.stats, prepared=prep, _plan=plan)
