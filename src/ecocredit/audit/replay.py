"""Replay: recompute a saved run and say whether anything changed since it was written.

``ecocredit replay DIR`` reads the manifest of a scoring run, an inspection-frequency run or
a draw (the supervision runs are recomputed by :mod:`ecocredit.audit.supervision`), finds its
inputs and ruleset (or policy), checks every SHA-256, recomputes, and compares:

* every input, the ruleset and every output file against the hash the manifest recorded
  (an edit is reported as "changed since the run", with the file and both hashes, even when
  the edit makes the file unreadable);
* every field of the manifest against the manifest recomputed now (counts, ruleset version,
  options, output hashes ...), so an edited manifest does not replay as identical;
* the saved outputs against the recomputed ones, row by row where they differ.

Inputs that moved are found again: the option ``--inputs DIR`` names where they are now, and
a tree moved as a whole (the run directory with its inputs beside it) is searched by the
inputs' paths relative to the run directory's ancestors. A file is used only when its
SHA-256 is the recorded one, so a moved input can never be mistaken for another.

Exit status of the command: 0 identical; 1 something changed (reported); 2 nothing could be
checked (no manifest, an input nowhere to be found).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..errors import ReplayError
from .explainfile import EXPLAIN_FILE, explain_file_bytes
from .manifest import (
    OUTPUT_FILES,
    RUN_FORMATS,
    run_manifest,
    file_sha256,
    output_frames,
    read_manifest,
    rerun,
)

__all__ = ["ReplayReport", "replay", "locate_input", "compare_manifests", "check_outputs"]

#: manifest fields that name this machine or place (compared by hash, or reported apart)
_PLACE = {"path", "source", "package", "name"}
#: errors reading or recomputing from files that changed since the run may raise: reported
#: as part of the change, never a traceback. Any exception: a changed file can make a reader
#: fail in ways its own validation does not foresee (a NUL byte in a ruleset is a PyYAML
#: ReaderError, for one), and the replay's verdict is "changed" whatever the reader says.
_RECOMPUTE_ERRORS = (Exception,)


@dataclass
class ReplayReport:
    """What a replay found: ``identical`` and, if not, what differs.

    Attributes
    ----------
    identical : bool
    problems : list of str
        What changed since the run (files with both hashes, manifest fields, outputs).
    differing_rows : dict of DataFrame
        Output file → its rows that differ (``side`` = saved or replayed).
    notes : list of str
        What is worth knowing but changes nothing (inputs found at a new place).
    """

    identical: bool
    problems: list[str] = field(default_factory=list)
    differing_rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        notes = [f"  note: {n}" for n in self.notes]
        if self.identical:
            return "\n".join(["Replay identical: every output matches the manifest byte for "
                              "byte."] + notes)
        lines = ["Replay differs:"] + [f"  - {p}" for p in self.problems] + notes
        for name, rows in self.differing_rows.items():
            lines.append(f"  {name}: {len(rows)} differing row(s); first ones:")
            lines.append(rows.head(10).to_string(index=False))
        return "\n".join(lines)


def _candidates(info: dict[str, Any], run_dir: Path | None,
                inputs_dirs: Sequence[str | Path]) -> Iterable[Path]:
    recorded = Path(str(info.get("path", "")))
    parts = [p for p in recorded.parts if p not in ("/", "\\")]
    name = Path(str(info.get("name") or recorded.name))
    for d in inputs_dirs:  # where the user says they are now: by name, then by path suffix
        d = Path(d)
        yield d / recorded.name
        yield d / name
        for k in range(2, min(5, len(parts)) + 1):
            yield d.joinpath(*parts[-k:])
    yield recorded
    if recorded.is_file():  # still where it was: that file is the input, changed or not
        return
    if run_dir is not None:  # the tree moved as a whole: same path relative to an ancestor
        here = Path(run_dir).resolve()
        if not name.is_absolute():
            yield here.parent / name
        for anc in [here, *here.parents][:6]:
            for k in range(1, min(5, len(parts)) + 1):
                yield anc.joinpath(*parts[-k:])


def locate_input(info: dict[str, Any], run_dir: str | Path | None = None,
                 inputs_dirs: Sequence[str | Path] = ()) -> tuple[Path | None, str | None]:
    """Where an input named in a manifest is now, and its SHA-256 there.

    Parameters
    ----------
    info : dict
        The manifest's entry of the input (``path``, ``name``, ``sha256``).
    run_dir : path, optional
        The run directory (inputs moved together with it are found relative to it).
    inputs_dirs : sequence of path
        Directories where the inputs are now (``replay --inputs DIR``).

    Returns
    -------
    (Path or None, str or None)
        The first candidate whose SHA-256 is the recorded one; else the first file found
        (changed since the run) and its SHA-256; else ``(None, None)``. Candidates: the
        ``inputs_dirs``, then the recorded path; only when nothing is at the recorded path,
        the same path relative to the run directory's ancestors (the tree moved).
    """
    seen: set[Path] = set()
    first: tuple[Path, str] | None = None
    for c in _candidates(info, Path(run_dir) if run_dir else None, inputs_dirs):
        try:
            key = c.resolve()
        except (OSError, RuntimeError):
            continue
        if key in seen or not c.is_file():
            continue
        seen.add(key)
        try:
            h = file_sha256(c)
        except OSError:
            continue
        if h == info.get("sha256"):
            return c, h
        if first is None:
            first = (c, h)
    return first if first else (None, None)


def _name_matches_path(info: dict[str, Any]) -> bool:
    """The name as given must be the recorded path's tail (an edited name is not)."""
    name, path = info.get("name"), info.get("path")
    if not isinstance(name, str) or not isinstance(path, str):
        return False
    sheet = info.get("sheet")
    if isinstance(sheet, str) and name.endswith(f"#{sheet}"):  # FILE.xlsx#Sheet
        name = name[:-len(sheet) - 1]
    tail = [p for p in Path(name).parts if p not in (".", "..")]
    return not tail or Path(path).parts[-len(tail):] == tuple(tail)


def check_inputs(m: dict[str, Any], run_dir: Path, inputs_dirs: Sequence[str | Path],
                 problems: list[str], notes: list[str]) -> dict[str, Any]:
    """Find every input, check its hash and name; table → the path to recompute from
    (a list for tables of several files)."""
    where: dict[str, Any] = {}
    for table, entry in m["inputs"].items():
        entries = entry if isinstance(entry, list) else [entry]
        found = []
        for info in entries:
            p, h = locate_input(info, run_dir, inputs_dirs)
            if p is None:
                raise ReplayError(f"The {table} input {info.get('path')} named in the manifest "
                                  "is gone; name where the inputs are now with --inputs DIR.")
            if h != info.get("sha256"):
                problems.append(f"the {table} input {p} changed since the run (SHA-256 "
                                f"{info.get('sha256')} in the manifest, {h} now)")
            elif str(p.resolve()) != str(info.get("path")):
                notes.append(f"the {table} input was found at {p} (recorded at "
                             f"{info.get('path')}); its SHA-256 matches")
            if not _name_matches_path(info):
                problems.append(f"manifest.json: the {table} input's name {info.get('name')!r} "
                                f"is not the file it records ({info.get('path')})")
            found.append(str(p) + (f"#{info['sheet']}" if info.get("sheet") else ""))
        where[table] = found if isinstance(entry, list) else found[0]
    return where


def check_outputs(m: dict[str, Any], run_dir: Path, problems: list[str]) -> dict[str, bytes]:
    """Every output file against its recorded SHA-256; name → the saved bytes."""
    import hashlib

    saved = {}
    for name, h in m["outputs"].items():
        p = run_dir / name
        if not p.is_file():
            problems.append(f"{name} is missing from {run_dir}")
            continue
        data = p.read_bytes()
        now = hashlib.sha256(data).hexdigest()
        if now != h:
            problems.append(f"{name} changed since the run (SHA-256 {h} in the manifest, "
                            f"{now} now)")
        saved[name] = data
    return saved


#: fields a run records only sometimes (a warning, an allow-list, a named sheet): absent from
#: the recomputed manifest they differ, they are not foreign to a run
_SOMETIMES = frozenset({"warnings", "allow_codes", "sheet", "as_of"})


def _warning_texts(warnings: Any) -> str:
    """The messages of a manifest's ``warnings`` (a list of {code, message}), or 'none'."""
    if not warnings:
        return "none"
    return " | ".join(str(w.get("message", w)) if isinstance(w, dict) else str(w)
                      for w in warnings)


def compare_manifests(saved: Any, now: Any, where: str = "") -> list[str]:
    """Every field of the saved manifest that is not what recomputing gives now.

    Fields naming the place (paths, names, the package) and ``.xlsx`` output hashes (checked
    against the files only: workbooks are not byte-reproducible) are not compared.
    """
    if isinstance(saved, dict) and isinstance(now, dict):
        out = []
        for k in sorted(set(saved) | set(now), key=str):
            if k in _PLACE or str(k).endswith(".xlsx"):
                continue
            sub = f"{where}.{k}" if where else str(k)
            if sub == "warnings" and saved.get(k) != now.get(k):
                out.append(f"manifest.json: the warnings differ (saved: "
                           f"{_warning_texts(saved.get(k))}; now: {_warning_texts(now.get(k))})")
            elif k not in now and k in _SOMETIMES:
                out.append(f"manifest.json: {sub} is {saved[k]!r} in the manifest, absent when "
                           "recomputed")
            elif k not in now:
                out.append(f"manifest.json: {sub} is not something a run records")
            elif k not in saved:
                out.append(f"manifest.json: {sub} is missing (recomputed: {now[k]!r})")
            else:
                out += compare_manifests(saved[k], now[k], sub)
        return out
    if isinstance(saved, list) and isinstance(now, list) and len(saved) == len(now):
        return [p for i, (a, b) in enumerate(zip(saved, now))
                for p in compare_manifests(a, b, f"{where}[{i}]")]
    if saved != now or type(saved) is not type(now):
        return [f"manifest.json: {where} is {saved!r} in the manifest, {now!r} when recomputed"]
    return []


def _diff_rows(old: bytes, new: bytes, key: list[str]) -> pd.DataFrame | None:
    try:
        a = pd.read_csv(io.BytesIO(old), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        b = pd.read_csv(io.BytesIO(new), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        on = list(a.columns) if list(a.columns) == list(b.columns) else key
        both = a.merge(b, how="outer", indicator=True, on=on)
    except (ValueError, KeyError, UnicodeError, pd.errors.ParserError):
        return None  # the saved file no longer reads as a table: its hash says it changed
    d = both[both["_merge"] != "both"].copy()
    d["_merge"] = d["_merge"].map({"left_only": "saved", "right_only": "replayed"})
    return d.rename(columns={"_merge": "side"})


def replay(run_dir: str | Path, inputs_dirs: Sequence[str | Path] = ()) -> ReplayReport:
    """Recompute a saved run and compare everything with what was saved.

    Parameters
    ----------
    run_dir : str or Path
        An output directory of ``ecocredit score``, ``inspection-frequency`` or ``draw``.
    inputs_dirs : sequence of path
        Where the inputs are now, if they moved.

    Returns
    -------
    ReplayReport

    Raises
    ------
    ReplayError
        No manifest in ``run_dir``, or an input is nowhere to be found.
    """
    run_dir = Path(run_dir)
    try:
        m = read_manifest(run_dir, RUN_FORMATS)
    except ReplayError as exc:
        if (run_dir / "manifest.json").is_file() and "cannot be read" in str(exc):
            return ReplayReport(False, [f"manifest.json changed since the run: {exc}"])
        raise
    problems: list[str] = []
    notes: list[str] = []
    try:
        if m["format"] != "ecocredit-run":
            from .supervision import replay_supervision

            replay_supervision(m, run_dir, inputs_dirs, problems, notes)
            return ReplayReport(not problems, problems, notes=notes)
        diffs = _replay_score(m, run_dir, inputs_dirs, problems, notes)
    except ReplayError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        # a field the replay needs is missing or of the wrong kind: the manifest was edited
        problems.append(f"manifest.json changed since the run: {type(exc).__name__} "
                        f"{str(exc)[:200]}")
        diffs = {}
    if isinstance(m.get("package"), dict) and m["package"].get("version") != __version__:
        notes.append(f"saved by ecocredit {m['package'].get('version')}, replayed by "
                     f"{__version__}")
    return ReplayReport(not problems, problems, diffs, notes)


def _load_ruleset(m: dict[str, Any], problems: list[str]) -> Any:
    """The run's ruleset, checked against its recorded SHA-256; None if it cannot be read."""
    from ..ruleset import load_ruleset

    return load_recorded(m["ruleset"], load_ruleset, "ruleset", problems)


def load_recorded(info: dict[str, Any], load: Any, what: str, problems: list[str]) -> Any:
    """The document a manifest records (``info``: ``id``, ``source``, ``sha256``) loaded with
    ``load`` from its file, or by id when the file is gone; a changed or unreadable file is
    appended to ``problems`` with both hashes. None if it cannot be read."""
    src = info.get("source") or ""
    use = src if src and Path(src).is_file() else info["id"]
    try:
        doc = load(use)
    except _RECOMPUTE_ERRORS as exc:
        now = file_sha256(use) if Path(str(use)).is_file() else "none (not a file)"
        problems.append(f"the {what} {use} changed since the run (SHA-256 {info.get('sha256')} "
                        f"in the manifest, {now} now) and cannot be read: "
                        f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
        return None
    if doc.sha256 != info.get("sha256"):
        problems.append(f"the {what} {use} changed since the run (SHA-256 {info.get('sha256')} "
                        f"in the manifest, {doc.sha256} now)")
    return doc


def _replay_score(m: dict[str, Any], run_dir: Path, inputs_dirs: Sequence[str | Path],
                  problems: list[str], notes: list[str]) -> dict[str, pd.DataFrame]:
    """Replay a scoring run; fills ``problems`` and ``notes``, returns the differing rows."""
    from ..output import csv_bytes

    where = check_inputs(m, run_dir, inputs_dirs, problems, notes)
    saved = check_outputs(m, run_dir, problems)
    rs = _load_ruleset(m, problems)
    if rs is None:
        return {}
    try:
        result = rerun(m, run_dir, tuple(inputs_dirs))
    except _RECOMPUTE_ERRORS as exc:
        problems.append("cannot recompute the run from its inputs as they are now: "
                        + (str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        return {}
    frames = output_frames(result)
    files: dict[str, Any] = {name: csv_bytes(df) for name, df in frames.items()}
    if EXPLAIN_FILE in m["outputs"]:  # runs written before explain.parquet existed have none
        explain = explain_file_bytes(result.prepared, where)
        if explain is not None:
            files[EXPLAIN_FILE] = explain
    now = run_manifest(result, where, files)
    problems += compare_manifests(m, json.loads(json.dumps(now)))
    diffs: dict[str, pd.DataFrame] = {}
    for name in OUTPUT_FILES:
        if name in saved and saved[name] != files[name]:
            problems.append(f"{name} differs when recomputed")
            key = ["firm_id"] if name != "rejects.csv" else ["file", "row", "column"]
            rows = _diff_rows(saved[name], files[name], key)
            if rows is not None and len(rows):
                diffs[name] = rows
    if EXPLAIN_FILE in saved and saved[EXPLAIN_FILE] != files.get(EXPLAIN_FILE):
        problems.append(f"{EXPLAIN_FILE} differs when recomputed")
    return diffs
