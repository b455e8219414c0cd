"""What reading gives the engines: :class:`Prepared` inputs, per-table :class:`TableStats`,
and the rejects collected on the way (one row per problem, :data:`REJECT_COLUMNS`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REJECT_COLUMNS", "Prepared", "TableStats"]


REJECT_COLUMNS = ["file", "row", "column", "reason_code", "value", "message"]


@dataclass
class TableStats:
    """Row accounting of one input table."""

    file: str
    rows_read: int = 0
    rows_used: int = 0
    rows_rejected: int = 0
    sha256: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "rows_read": self.rows_read,
                "rows_used": self.rows_used, "rows_rejected": self.rows_rejected}


@dataclass
class Prepared:
    """Validated inputs, ready for either engine.

    Attributes
    ----------
    firms : DataFrame
        Accepted firms in input order (index 0..n-1); canonical columns as strings, plus
        ``status`` normalised, ``included_day`` (int32 days since 1970, or NO_DATE) and any
        extra input columns.
    events : DataFrame
        Accepted events not excluded by the as-of date: ``event_id``, ``firm_idx`` (int32),
        ``day`` and ``recorded_day`` (int32 days since 1970), ``event_type``, ``severity``,
        ``medium`` (strings, empty if none), ``amount_fen`` (int64 fen, -1 if none),
        ``ref_event_id``, ``revoked`` (bool: cancelled by a revocation in force).
    measurements : DataFrame
        ``firm_idx``, ``period``, ``indicator``, ``value`` (string as read).
    history : DataFrame
        ``firm_idx``, ``period``, ``grade``, ``list``, ``list_until_day`` (int days, or NO_DATE).
    rejects : DataFrame
        One row per problem, columns :data:`REJECT_COLUMNS`.
    stats : dict of TableStats
    """

    firms: pd.DataFrame
    events: pd.DataFrame
    measurements: pd.DataFrame
    history: pd.DataFrame
    rejects: pd.DataFrame
    stats: dict[str, TableStats] = field(default_factory=dict)
    excluded_as_of: int = 0
    #: the allow-list of known nonconforming credit codes, when one was given: its file,
    #: SHA-256 and codes, and the firm codes it admitted (each a warning of the run)
    allowed_codes: dict[str, Any] | None = None


class _Rejects:
    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        #: input name → each data row's sheet and worksheet row (workbooks read from a file)
        self.sources: dict[str, np.ndarray] = {}

    def add(self, file: str, rows: np.ndarray, column: str, code: str, values: Any,
            message: str | pd.Series | np.ndarray) -> None:
        rows = np.asarray(rows)
        if rows.size == 0:
            return
        vals = np.asarray(values, dtype=object)
        msgs = np.asarray(message, dtype=object) if not isinstance(message, str) else message
        self.parts.append(pd.DataFrame({
            "file": file, "row": rows.astype(np.int64) + 1, "column": column,
            "reason_code": code, "value": vals, "message": msgs,
        }))

    def missing(self, file: str, column: str, empty: np.ndarray) -> np.ndarray:
        """Reject the rows whose required ``column`` is empty; returns ``empty``."""
        self.add(file, np.flatnonzero(empty), column, "missing_value",
                 np.full(int(empty.sum()), ""), f"The required value '{column}' is empty.")
        return empty

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else np.int64)
                                 for c in REJECT_COLUMNS})
        df = pd.concat(self.parts, ignore_index=True)
        return df
