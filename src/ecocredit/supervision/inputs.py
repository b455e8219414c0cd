"""The inspection tools' inputs: firms and events validated once (the contract's checks), any
table file read as strings, and dates as given by a user."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import EcocreditError, InputError, PeriodError
from ..read import REJECT_COLUMNS, Prepared, prepare
from ..ruleset import Ruleset, load_ruleset

#: Far-future reference date: the inspection tools use the records as of their own date and
#: never reject a record for being "in the future".
_FAR = dt.date(9999, 12, 31)


def _validation_ruleset(extra_types: Iterable[str] = ()) -> Ruleset:
    """A stub ruleset that accepts the contract's event types (and ``extra_types``)."""
    return Ruleset.model_validate({
        "id": "inspection-inputs", "version": "1", "title": "inspection inputs",
        "jurisdiction": "-", "valid_from": dt.date(1970, 1, 1),
        "last_checked": dt.date(1970, 1, 1),
        "grades": [{"id": "x", "label": "x"}, {"id": "y", "label": "y"}],
        "evaluation": {"mode": "annual"}, "scoring": {"model": "deduction"},
        "event_types": [{"id": t, "label": t} for t in sorted(set(extra_types))],
    })


def _read_csv_any(path: str | Path, what: str) -> pd.DataFrame:
    """Read a CSV (decoded per file, as the inputs are), .xlsx or .parquet table as strings
    (:func:`~ecocredit.read.anytable.read_any_table`)."""
    from ..read.anytable import read_any_table

    return read_any_table(path, what)


def _scores_frame(scores: Any) -> tuple[pd.DataFrame | None, str, str]:
    """(scores table, ruleset id, period) from a ScoreResult, a DataFrame, a file or a run
    directory."""
    from ..engine.run import ScoreResult

    if scores is None:
        return None, "", ""
    if isinstance(scores, ScoreResult):
        return scores.scores, scores.ruleset.id, scores.period.label
    if isinstance(scores, (str, Path)):
        p = Path(scores)
        if p.is_dir():
            p = p / "scores.csv"
        df = _read_csv_any(p, "scores")
    elif isinstance(scores, pd.DataFrame):
        df = scores.copy()
    else:
        raise InputError(f"The scores must be a ScoreResult, a DataFrame or a scores.csv path; "
                         f"got {type(scores).__name__}.", reason_code="bad_input")
    for c in ("firm_id", "grade"):
        if c not in df.columns:
            raise InputError(f"The scores table has no '{c}' column; give the scores.csv of an "
                             "`ecocredit score` run.", column=c, reason_code="missing_column")
    df = df.astype(object).where(df.notna(), "")
    rid = ""
    if "ruleset" in df.columns:
        ids = sorted({str(x) for x in df["ruleset"] if str(x)})
        if len(ids) > 1:
            raise InputError(f"The scores table mixes rulesets {ids}; give one run's scores.",
                             column="ruleset", reason_code="bad_input")
        rid = ids[0] if ids else ""
    per = ""
    if "period" in df.columns:
        pers = sorted({str(x) for x in df["period"] if str(x)})
        per = pers[-1] if pers else ""
    return df, rid, per


def _prepare_inputs(firms: Any, events: Any, scores: Any, ruleset: Any,
                    names: Mapping[str, str] | None) -> tuple[Prepared, Any]:
    from ..engine.run import ScoreResult

    if isinstance(scores, ScoreResult) and firms is None and events is None:
        return scores.prepared, scores.ruleset
    if firms is None or events is None:
        raise InputError("Give the firms and events tables (or a ScoreResult as scores).",
                         reason_code="bad_input")
    extra: set[str] = set()
    rs = None
    if isinstance(ruleset, Ruleset):
        rs = ruleset
    elif isinstance(ruleset, (str, Path)) and ruleset:
        rs = load_ruleset(ruleset)
    elif isinstance(scores, ScoreResult):
        rs = scores.ruleset
    elif scores is not None:
        # the grades' ruleset may declare extra event types the events table uses
        _, rid, _ = _scores_frame(scores)
        if rid:
            try:
                rs = load_ruleset(rid)
            except EcocreditError:
                rs = None
    if rs is not None:
        extra = {e.id for e in rs.event_types}
    # no as-of cut here: every Context reads the records as of its own date, so one
    # validated table serves several dates (the quarters of a draw)
    prep = prepare(firms, events, _validation_ruleset(extra), today=_FAR, names=names)
    return prep, rs


def _as_date(x: dt.date | str) -> dt.date:
    if isinstance(x, dt.date):
        return x
    try:
        return dt.date.fromisoformat(str(x))
    except ValueError:
        raise PeriodError(f"The as-of date must be YYYY-MM-DD; got {x!r}.") from None



class _Rej:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, file: str, rows: Iterable[int], column: str, code: str, values: Iterable[Any],
            message: str) -> None:
        for r, v in zip(rows, values):
            self.rows.append({"file": file, "row": int(r) + 1, "column": column,
                              "reason_code": code, "value": str(v), "message": message})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=REJECT_COLUMNS)
        df["row"] = df["row"].astype(np.int64)
        return df


def _table(obj: Any, what: str, aliases: Mapping[str, str]) -> tuple[pd.DataFrame, str]:
    if isinstance(obj, (str, Path)):
        df, name = _read_csv_any(obj, what), str(obj)
    elif isinstance(obj, pd.DataFrame):
        from ..read.text import _as_strings
        df, name = _as_strings(obj.reset_index(drop=True)), what
    else:
        raise InputError(f"The {what} must be a DataFrame or a file path; got "
                         f"{type(obj).__name__}.", reason_code="bad_input")
    headers = [str(c).strip() for c in df.columns]
    df = df.rename(columns=lambda c: aliases.get(str(c).strip(), str(c).strip().lower()))
    df.attrs["headers"] = headers  # as the file names them, for a missing column's error
    return df, name


def _split_ids(s: str, upper: bool = False) -> tuple[str, ...]:
    parts = re.split(r"[;；,，\s]+", str(s).strip())
    return tuple(p.upper() if upper else p for p in parts if p)

