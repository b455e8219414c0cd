"""The reading stage's entry point: :func:`prepare` reads and validates the four tables in
order (firms first: the others name them), and reconciles the rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..days import day_of
from ..errors import InputError
from ..ruleset import Ruleset
from ..vocab import TABLES
from . import threads
from .events import _events, _revoked
from .csvtext import ROW_PROBLEM
from .excel import ROW_SOURCE, locate_all
from .files import _empty, _frame
from .firms import _firms
from .history import _history
from .measurements import _measurements
from .prepared import Prepared, TableStats, _Rejects

__all__ = ["prepare"]


def prepare(firms: Any, events: Any, ruleset: Ruleset, *, measurements: Any = None,
            history: Any = None, as_of: dt.date | None = None, today: dt.date | None = None,
            names: Mapping[str, str] | None = None, allow_codes: Any = None) -> Prepared:
    """Validate the four input tables against the contract and the ruleset.

    Parameters
    ----------
    firms, events, measurements, history : DataFrame or path
        The input tables (measurements and history are optional).
    ruleset : Ruleset
        Declares extra event types, indicators and grade ids that the inputs may use.
    as_of : date, optional
        Records entered after this date (``recorded_at``) are left out of scoring (they are
        neither used nor rejected: they did not exist yet), and so are revocations.
    today : date, optional
        The run's reference date: dates after it are rejected as ``future_date``.
        Defaults to the real date; it is written to the manifest so a replay reuses it.
    names : mapping, optional
        File names to report in rejects, per table (defaults: ``firms``, ``events`` ...).
    allow_codes : path or collection of str, optional
        An allow-list of known nonconforming credit codes (a file: one code a line, ``#``
        comments) admitted although they fail the GB 32100 checks (real registered codes, e.g.
        some Xiamen codes issued before 2016). Each admitted firm is listed in
        ``Prepared.allowed_codes`` (a warning of the run, recorded in the manifest).

    Returns
    -------
    Prepared
    """
    names = {k: str(v) for k, v in (names or {}).items()}
    for t in TABLES:
        names.setdefault(t, str(locals()[t]) if isinstance(locals().get(t), (str, Path)) else t)
    today_day = day_of(today or dt.date.today())
    rej = _Rejects()
    stats: dict[str, TableStats] = {}

    f_acc, f_ok, allowed = _accepted_firms(firms, names["firms"], rej, today_day, allow_codes)
    stats["firms"] = _stats(names["firms"], f_ok)
    firm_keys = f_acc["firm_id"]

    # measurements and history do not depend on the events: checked on a side thread
    side_rej = _Rejects()

    def other_tables() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
        m_raw, m_unread = _unread_rows(
            _empty("measurements") if measurements is None else
            _frame(measurements, "measurements", names["measurements"], as_strings=False),
            names["measurements"], side_rej)
        ms, m_ok = _measurements(m_raw, names["measurements"], side_rej, ruleset, firm_keys)
        m_ok &= ~m_unread
        h_raw, h_unread = _unread_rows(
            _empty("history") if history is None else _frame(history, "history",
                                                             names["history"]),
            names["history"], side_rej)
        h_all, h_ok = _history(h_raw, names["history"], side_rej, ruleset, firm_keys)
        h_ok &= ~h_unread
        return ms, m_ok, h_all, h_ok

    with ThreadPoolExecutor(1) as side:
        big = (len(events) >= threads._THREADED_ROWS if isinstance(events, pd.DataFrame)
               else isinstance(events, (str, Path)))
        later = side.submit(other_tables) if threads._THREADS > 1 and big else None
        e_raw, e_unread = _unread_rows(_frame(events, "events", names["events"],
                                              as_strings=False), names["events"], rej)
        e_all, e_ok, e_target = _events(e_raw, names["events"], rej, ruleset, firm_keys,
                                        today_day)
        e_ok &= ~e_unread
        ms, m_ok, h_all, h_ok = later.result() if later is not None else other_tables()
    rej.parts += side_rej.parts
    rej.sources.update(side_rej.sources)
    stats["events"] = _stats(names["events"], e_ok)
    ev, excluded = _events_as_of(e_all, e_ok, e_target, as_of)
    if measurements is not None:
        stats["measurements"] = _stats(names["measurements"], m_ok)
    if history is not None:
        stats["history"] = _stats(names["history"], h_ok)
    return Prepared(firms=f_acc, events=ev, measurements=ms, history=_history_frame(
        h_all[h_ok]), rejects=_sorted_rejects(rej, names), stats=stats, excluded_as_of=excluded,
        allowed_codes=allowed)


def _accepted_firms(firms: Any, name: str, rej: _Rejects, today_day: int, allow_codes: Any
                    ) -> tuple[pd.DataFrame, np.ndarray, dict[str, Any] | None]:
    """The firms table read and validated: the accepted firms, the mask of accepted rows, and
    the allow-list of nonconforming codes with the firms it ``admitted`` (None without one)."""
    f_raw, f_unread = _unread_rows(_frame(firms, "firms", name), name, rej)
    allowed = read_allow_codes(allow_codes)
    f_all, f_ok, admitted = _firms(f_raw, name, rej, today_day,
                                   frozenset(allowed["codes"]) if allowed else frozenset())
    if allowed:
        allowed["admitted"] = admitted
    f_ok &= ~f_unread
    return f_all[f_ok].reset_index(drop=True), f_ok, allowed


def _events_as_of(e_all: pd.DataFrame, e_ok: np.ndarray, e_target: Any,
                  as_of: dt.date | None) -> tuple[pd.DataFrame, int]:
    """The accepted events recorded by ``as_of`` (the others did not exist yet: neither used
    nor rejected), each marked ``revoked`` if a revocation in force cancels it; and how many
    were left out by ``as_of``."""
    keep = e_ok.copy()
    excluded = 0
    if as_of is not None:
        late = e_ok & (e_all["recorded_day"].to_numpy() > day_of(as_of))
        excluded = int(late.sum())
        keep &= ~late
    # revocations in force cancel the events they name
    revoked = _revoked(e_all, keep, e_target)
    ev = e_all if keep.all() else e_all[keep].reset_index(drop=True)
    ev["revoked"] = revoked[keep]
    return ev, excluded


_UNREAD_MESSAGES = {
    "extra_field": "The row has more fields than the header (an unquoted comma?); the row is "
                   "left out, the rest of the file is read.",
    "bare_cr": "A carriage return inside an unquoted value would split the row; quote the "
               "value or remove the character.",
    "undecodable": "The row's bytes are not in the file's encoding (UTF-8); it was not decoded "
                   "in another encoding. Save the file in one encoding.",
    "formula_no_value": "A formula cell has no saved value (the workbook was never calculated): "
                        "open it in Excel and save it, or write the value.",
    "merged_cell": "The row is covered by merged cells (named in value): only the first cell "
                   "of a merged range holds the value. Unmerge and fill every row.",
}


def _unread_rows(df: pd.DataFrame, file: str, rej: _Rejects) -> tuple[pd.DataFrame, np.ndarray]:
    """Take out the reader's column of rows it could not read as written (see
    :data:`~ecocredit.read.csvtext.ROW_PROBLEM`); reject those rows with its reason. A
    workbook's column of sheet rows (:data:`~ecocredit.read.excel.ROW_SOURCE`) is taken out
    too and kept in ``rej.sources[file]``, to locate the rejects at the end.

    Returns the table without those columns and the mask of the rows not read (all False
    when the reader read every row as written).
    """
    if ROW_SOURCE in df.columns:
        rej.sources[file] = df[ROW_SOURCE].astype(object).to_numpy(dtype=object)
        df = df.drop(columns=[ROW_SOURCE])
    if ROW_PROBLEM not in df.columns:
        return df, np.zeros(len(df), dtype=bool)
    raw = df[ROW_PROBLEM].astype(object).fillna("").to_numpy(dtype=object)
    df = df.drop(columns=[ROW_PROBLEM])
    unread = raw != ""
    split = [str(w).partition(":") for w in raw]  # 'code' or 'code:detail'
    why = np.array([c for c, _, _ in split], dtype=object)
    detail = np.array([d for _, _, d in split], dtype=object)
    for code, msg in _UNREAD_MESSAGES.items():
        rows = np.flatnonzero(why == code)
        rej.add(file, rows, "", code, detail[rows], msg)
    return df, unread


def read_allow_codes(source: Any) -> dict[str, Any] | None:
    """The allow-list of credit codes: {'file', 'sha256', 'codes'} (None when not given).

    A file holds one code a line (the first field of a CSV line), blank lines and lines
    starting with ``#`` skipped, upper-cased; a collection of strings is taken as the codes.

    Raises
    ------
    InputError
        If the file cannot be read.
    """
    if source is None:
        return None
    if not isinstance(source, (str, Path)):
        return {"file": None, "sha256": None, "codes": sorted({str(c).strip().upper()
                                                                for c in source})}
    p = Path(source)
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: the allow-list of credit codes cannot be read ({exc}).",
                         file=str(p), reason_code="unreadable") from None
    codes = set()
    for line in text.splitlines():
        code = line.split(",")[0].strip().strip('"').upper()
        if code and not code.startswith("#") and code != "FIRM_ID":
            codes.add(code)
    return {"file": str(p), "sha256": hashlib.sha256(raw).hexdigest(), "codes": sorted(codes)}


def _stats(name: str, ok: np.ndarray) -> TableStats:
    """The row accounting of a table from its mask of accepted rows."""
    return TableStats(name, len(ok), int(ok.sum()), int((~ok).sum()))


def _history_frame(hs: pd.DataFrame) -> pd.DataFrame:
    """The accepted history rows in the form the engines read (plain columns)."""
    return pd.DataFrame({"firm_idx": hs["firm_idx"].to_numpy(dtype=np.int32),
                         "period": hs["period"].to_numpy(dtype=object),
                         "grade": hs["grade"].to_numpy(dtype=object),
                         "list": hs["list"].to_numpy(dtype=object),
                         "list_until_day": hs["list_until_day"].to_numpy(dtype=np.int64)})


def _sorted_rejects(rej: _Rejects, names: Mapping[str, str]) -> pd.DataFrame:
    """The rejects of every table, in table order, then by row, column and reason."""
    rejects = rej.frame()
    order = {n: i for i, n in enumerate(names[t] for t in TABLES)}
    if len(rejects):
        rejects = (rejects.assign(_f=rejects["file"].map(order))
                   .sort_values(["_f", "row", "column", "reason_code"], kind="stable")
                   .drop(columns="_f").reset_index(drop=True))
        rejects = locate_all(rejects, rej.sources)  # a workbook's rows as Excel shows them
    return rejects
