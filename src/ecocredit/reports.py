"""Reports: the files a run writes, safe to open in Excel, written atomically.

CSV outputs are UTF-8 with a BOM (so Excel detects the encoding), and no text cell starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) unless it is a number: such a
cell gets a leading apostrophe, so a spreadsheet shows it as text instead of running it as a
formula (CSV/formula injection).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["excel_safe", "csv_bytes", "write_files_atomically", "summary_text"]

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(v: object) -> object:
    if isinstance(v, str) and v.startswith(_DANGEROUS) and not _NUMBER.match(v):
        return "'" + v
    return v


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Neutralise cells a spreadsheet would read as formulas (numbers are left alone).

    Examples
    --------
    >>> excel_safe(pd.DataFrame({"a": ["=1+1", "-3.5", "@x", "ok"]}))["a"].tolist()
    ["'=1+1", '-3.5', "'@x", 'ok']
    """
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].astype(object).map(_safe_cell)
    # headers are cells too (extra input columns are passed through under their own names)
    out.columns = [_safe_cell(c) for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The bytes of an Excel-safe CSV (UTF-8 with BOM, ``\\n`` line ends)."""
    buf = io.StringIO()
    frame = excel_safe(df)
    for c in frame.columns:
        if frame[c].dtype == bool:
            frame[c] = frame[c].map({True: "true", False: "false"})
    frame.to_csv(buf, index=False, lineterminator="\n")
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def write_files_atomically(out_dir: str | Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary name in ``out_dir``, then rename each into place.

    A reader never sees a half-written file; the files named last in ``files`` (put the
    manifest there) appear last.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temps.append((name, Path(tmp)))
        for name, tmp in temps:
            os.replace(tmp, out / name)
    finally:
        for _, tmp in temps:
            if tmp.exists():
                tmp.unlink()


def summary_text(grade_counts: pd.Series, labels: dict[str, str], *, head: str,
                 rejected: int, out_dir: str | Path | None = None) -> str:
    """A few lines for the terminal: grade counts and rejects."""
    total = int(grade_counts.sum())
    lines = [head]
    for gid, n in grade_counts.items():
        label = labels.get(str(gid), "未评级 (not graded)")
        share = f"{100 * n / total:5.1f}%" if total else "    -"
        lines.append(f"  {gid:<11} {label:<14} {int(n):>8}  {share}")
    lines.append(f"Rejected input rows: {rejected}" + (" (see rejects.csv)" if rejected else ""))
    if out_dir is not None:
        lines.append(f"Outputs written to {out_dir}")
    return "\n".join(lines)
