"""Reading: every input file read as text and every row validated into :class:`Prepared` inputs
and rejects (nothing dropped silently: ``read == used + rejected`` for each table).

The flow, module by module:

- :mod:`.files` reads a file (CSV in UTF-8 / UTF-8-BOM / GB18030, Excel, Parquet) into columns of
  text with the contract's names (:mod:`.text` holds the Arrow text helpers);
- :mod:`.validate` (:func:`prepare`) checks the tables in order: :mod:`.firms`, then
  :mod:`.events` (ids, references, revocations), :mod:`.measurements` and :mod:`.history`, with
  the shared checks in :mod:`.checks`, the parsers of dates and amounts in :mod:`.parse`, the
  distinct-value encoding of large columns in :mod:`.encoded`, and ids in :mod:`.ids`;
- :mod:`.prepared` holds what comes out: :class:`Prepared`, :class:`TableStats`, the rejects.

Only a table that cannot be used at all (unreadable, or a required column missing) raises
:class:`~ecocredit.errors.InputError`.
"""

from __future__ import annotations

from .files import read_table
from .prepared import REJECT_COLUMNS, Prepared, TableStats
from .validate import prepare

__all__ = ["REJECT_COLUMNS", "Prepared", "TableStats", "prepare", "read_table"]
