"""Audit: save a run with a manifest that pins everything, and replay it to prove it.

The manifest records the package version, the ruleset (id, version, SHA-256), every input
file (path, SHA-256, rows read, used and rejected), the options (period, as-of date, the
reference date used for future-date checks) and the SHA-256 of every output file. It holds
no clock time, so the same inputs and options give the same bytes. :func:`replay` recomputes
from the inputs the manifest names and reports whether every output is identical, or which
rows differ.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from . import __version__
from .errors import ReplayError
from .reports import csv_bytes, write_files_atomically
from .read import TableStats
from .ruleset import Ruleset, load_ruleset
from .engine.run import ScoreResult, score
from .engine.vectorized import CONTRIBUTION_COLUMNS, SCORE_COLUMNS
from .vocab import CONTRACT_VERSION

__all__ = ["write_run", "replay", "ReplayReport", "read_manifest", "output_frames", "rerun",
           "input_changed", "saved_score_row", "MANIFEST_FORMAT"]

MANIFEST_FORMAT = 1
OUTPUT_FILES = ("scores.csv", "contributions.csv", "rejects.csv")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def output_frames(result: ScoreResult) -> dict[str, pd.DataFrame]:
    """The tables written for a run, with their public columns in order."""
    s = result.scores
    extra = [c for c in s.columns if c not in SCORE_COLUMNS
             and c not in ("score_cents", "grade_rank")]
    scores = s[SCORE_COLUMNS + extra]
    contributions = result.contributions[CONTRIBUTION_COLUMNS]
    return {"scores.csv": scores, "contributions.csv": contributions,
            "rejects.csv": result.rejects}


def write_run(result: ScoreResult, out_dir: str | Path, inputs: dict[str, str | Path]
              ) -> dict[str, Any]:
    """Write scores, contributions, rejects and the manifest into ``out_dir``, atomically.

    Parameters
    ----------
    result : ScoreResult
    out_dir : str or Path
    inputs : dict
        Table name → the file it was read from (for the manifest and replay).

    Returns
    -------
    dict
        The manifest.
    """
    files = {name: csv_bytes(df) for name, df in output_frames(result).items()}
    graded = result.scores["status"] == "graded"
    manifest = build_manifest(
        result.ruleset, inputs, result.stats,
        options={"period": result.period.label,
                 "as_of": result.as_of.isoformat() if result.as_of else None,
                 "today": result.today.isoformat(),
                 "evaluation_date": result.eval_date.isoformat(),
                 **({"allow_codes": result.prepared.allowed_codes}
                    if result.prepared.allowed_codes else {})},
        counts={"firms": int(len(result.scores)), "graded": int(graded.sum()),
                "grades": {k: int(v) for k, v in result.grade_counts().items()},
                "rejects": int(len(result.rejects)),
                "events_excluded_as_of": int(result.prepared.excluded_as_of)},
        outputs={name: _sha256(data) for name, data in files.items()})
    from .read.coverage import run_warnings

    warnings = run_warnings(result)
    if warnings:  # inputs that do not cover the period (issue 11): said in the manifest too
        manifest["warnings"] = warnings
    files["manifest.json"] = manifest_bytes(manifest)
    write_files_atomically(out_dir, files)
    return manifest


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 16 MiB chunks (inputs can be gigabytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


def build_manifest(ruleset: Ruleset, inputs: Mapping[str, str | Path],
                   stats: Mapping[str, TableStats], *, options: dict[str, Any],
                   counts: dict[str, Any], outputs: dict[str, str]) -> dict[str, Any]:
    """The manifest of a run: what was read, with which ruleset and options, and what came out.

    One builder for the one-shot run (:func:`write_run`) and the partitioned one
    (:mod:`ecocredit.scale`), so both pin a run the same way and replay reads either.

    Parameters
    ----------
    ruleset : Ruleset
    inputs : mapping
        Table name → the file it was read from.
    stats : mapping
        Table name → :class:`~ecocredit.read.TableStats` (rows read, used, rejected).
    options : dict
        ``period``, ``as_of``, ``today``, ``evaluation_date`` (ISO text).
    counts : dict
        Firms, graded, grade counts, rejects, events excluded by the as-of date.
    outputs : dict
        Output file name → SHA-256.

    Returns
    -------
    dict
    """
    ins: dict[str, Any] = {}
    for table, path in inputs.items():
        st = stats.get(table)
        ins[table] = {
            "path": str(Path(path).resolve()),
            # the name the rejects table uses (the path as given), so a replay writes it again
            "name": st.file if st else str(path),
            "sha256": file_sha256(path),
            "rows_read": st.rows_read if st else 0,
            "rows_used": st.rows_used if st else 0,
            "rows_rejected": st.rows_rejected if st else 0,
        }
    return {
        "format": "ecocredit-run",
        "format_version": MANIFEST_FORMAT,
        "contract_version": CONTRACT_VERSION,
        "package": {"name": "ecocredit", "version": __version__},
        "ruleset": {"id": ruleset.id, "version": ruleset.version, "sha256": ruleset.sha256,
                    "source": str(Path(ruleset.source).resolve()) if ruleset.source else ""},
        "inputs": ins,
        "options": options,
        "counts": counts,
        "outputs": outputs,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as written: sorted keys, indented, UTF-8, so equal runs give equal bytes."""
    return (json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True)
            + "\n").encode("utf-8")


def read_manifest(run_dir: str | Path) -> dict[str, Any]:
    """Read a run's manifest.

    Raises
    ------
    ReplayError
        If there is no readable manifest in the directory.
    """
    p = Path(run_dir) / "manifest.json"
    try:
        m = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReplayError(f"{run_dir}: no manifest.json; is this an ecocredit output "
                          "directory?") from None
    except (OSError, ValueError) as exc:
        raise ReplayError(f"{p}: cannot be read ({exc}).") from None
    if m.get("format") != "ecocredit-run":
        raise ReplayError(f"{p}: not an ecocredit run manifest.")
    return m


def rerun(manifest: dict[str, Any]) -> ScoreResult:
    """Score again from the inputs and options a manifest names."""
    rsinfo = manifest["ruleset"]
    src = rsinfo.get("source") or rsinfo["id"]
    rs = load_ruleset(src if Path(src).exists() else rsinfo["id"])
    ins = manifest["inputs"]
    for table, info in ins.items():
        if not Path(info["path"]).exists():
            raise ReplayError(f"The {table} input {info['path']} named in the manifest is gone.")
    opts = manifest["options"]
    return score(ins["firms"]["path"], ins["events"]["path"], rs, period=opts["period"],
                 measurements=ins.get("measurements", {}).get("path"),
                 history=ins.get("history", {}).get("path"),
                 as_of=opts.get("as_of"), today=opts["today"],
                 allow_codes=(opts["allow_codes"].get("file") or opts["allow_codes"]["codes"])
                 if opts.get("allow_codes") else None,
                 names={t: info.get("name") or info["path"] for t, info in ins.items()})


@dataclass
class ReplayReport:
    """What a replay found: ``identical`` and, if not, what differs."""

    identical: bool
    problems: list[str] = field(default_factory=list)
    differing_rows: dict[str, pd.DataFrame] = field(default_factory=dict)

    def text(self) -> str:
        if self.identical:
            return "Replay identical: every output matches the manifest byte for byte."
        lines = ["Replay differs:"] + [f"  - {p}" for p in self.problems]
        for name, rows in self.differing_rows.items():
            lines.append(f"  {name}: {len(rows)} differing row(s); first ones:")
            lines.append(rows.head(10).to_string(index=False))
        return "\n".join(lines)


def _diff_rows(old: bytes, new: bytes, key: list[str]) -> pd.DataFrame:
    import io
    a = pd.read_csv(io.BytesIO(old), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    b = pd.read_csv(io.BytesIO(new), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    both = a.merge(b, how="outer", indicator=True, on=list(a.columns)
                   if list(a.columns) == list(b.columns) else key)
    d = both[both["_merge"] != "both"].copy()
    d["_merge"] = d["_merge"].map({"left_only": "saved", "right_only": "replayed"})
    return d.rename(columns={"_merge": "side"})


def replay(run_dir: str | Path) -> ReplayReport:
    """Recompute a saved run and compare every output with what was saved.

    Parameters
    ----------
    run_dir : str or Path
        An output directory of ``ecocredit score``.

    Returns
    -------
    ReplayReport
    """
    m = read_manifest(run_dir)
    problems = []
    if m["package"]["version"] != __version__:
        problems.append(f"saved by ecocredit {m['package']['version']}, replayed by {__version__}")
    for table, info in m["inputs"].items():
        p = Path(info["path"])
        if p.exists() and input_changed(info):
            problems.append(f"the {table} input {p} changed since the run (SHA-256 differs)")
    result = rerun(m)
    if result.ruleset.sha256 != m["ruleset"]["sha256"]:
        problems.append(f"ruleset {m['ruleset']['id']} changed since the run (SHA-256 differs)")
    with tempfile.TemporaryDirectory() as tmp:
        new_manifest = write_run(result, tmp, {t: i["path"] for t, i in m["inputs"].items()})
        diffs: dict[str, pd.DataFrame] = {}
        for name in OUTPUT_FILES:
            saved = Path(run_dir) / name
            if not saved.exists():
                problems.append(f"{name} is missing from {run_dir}")
                continue
            saved_bytes = saved.read_bytes()
            if _sha256(saved_bytes) != m["outputs"].get(name):
                problems.append(f"{name} was modified after the run (it no longer matches the "
                                "manifest)")
            if new_manifest["outputs"][name] != m["outputs"].get(name) or \
                    _sha256(saved_bytes) != new_manifest["outputs"][name]:
                problems.append(f"{name} differs when recomputed")
                new_bytes = (Path(tmp) / name).read_bytes()
                key = ["firm_id"] if name != "rejects.csv" else ["file", "row", "column"]
                diffs[name] = _diff_rows(saved_bytes, new_bytes, key)
    return ReplayReport(identical=not problems, problems=problems, differing_rows=diffs)


def input_changed(info: dict[str, Any]) -> bool:
    """Whether an input file named in a manifest no longer has its recorded SHA-256."""
    return _sha256(Path(info["path"]).read_bytes()) != info["sha256"]


def saved_score_row(run_dir: str | Path, firm_id: str) -> dict[str, str] | None:
    """The row of a saved run's scores.csv for one firm (as strings), or None."""
    import io
    p = Path(run_dir) / "scores.csv"
    if not p.exists():
        return None
    df = pd.read_csv(io.BytesIO(p.read_bytes()), dtype=str, keep_default_na=False,
                     encoding="utf-8-sig")
    hit = df[df["firm_id"] == firm_id.strip().upper()]
    return None if hit.empty else hit.iloc[0].to_dict()
