"""Outputs: the Excel-safe CSV writer, the ``.xlsx`` writer, atomic file writes and run
directories, summaries, the words shown to people (``i18n``).

Modules: :mod:`~ecocredit.output.csvfile` (Excel-safe CSV bytes), :mod:`~ecocredit.output.xlsx`
(workbooks Excel cannot damage), :mod:`~ecocredit.output.files` (atomic file writes),
:mod:`~ecocredit.output.rundir` (whole run directories switched atomically, serialized writers),
:mod:`~ecocredit.output.summary` (terminal summaries), :mod:`~ecocredit.output.workbooks`
(the ``.xlsx`` files of a run).
"""

from __future__ import annotations

from .csvfile import csv_bytes, excel_safe
from .files import write_files_atomically
from .summary import summary_text
from .workbooks import run_workbooks
from .xlsx import EXCEL_MAX_ROWS, sheet_names, xlsx_bytes

__all__ = ["csv_bytes", "excel_safe", "write_files_atomically", "summary_text",
           "xlsx_bytes", "sheet_names", "EXCEL_MAX_ROWS", "run_workbooks"]
