"""The manifest that pins a scoring run, and writing a run with it.

The manifest records the package version, the ruleset (id, version, SHA-256), every input
file (path, SHA-256, rows read, used and rejected), the options (period, as-of date, the
reference date used for future-date checks) and the SHA-256 of every output file. It holds
no clock time, so the same inputs and options give the same bytes.
:func:`ecocredit.audit.replay.replay` recomputes from the inputs the manifest names and
reports whether every output is identical, or what changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .. import __version__
from ..engine.run import ScoreResult, score
from ..engine.vectorized import API_ONLY_COLUMNS, CONTRIBUTION_COLUMNS, score_columns
from ..errors import ReplayError
from ..output import csv_bytes, run_workbooks
from ..read import TableStats
from ..read.digest import remembered
from ..read.excel import split_sheet
from ..ruleset import Ruleset, load_ruleset
from ..vocab import CONTRACT_VERSION
from ..output.rundir import write_run_files

__all__ = ["write_run", "read_manifest", "output_frames", "rerun", "input_changed",
           "saved_score_row", "build_manifest", "run_manifest", "manifest_bytes", "file_sha256",
           "RUN_FORMATS", "MANIFEST_FORMAT", "OUTPUT_FILES"]

MANIFEST_FORMAT = 1
OUTPUT_FILES = ("scores.csv", "contributions.csv", "rejects.csv")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def output_frames(result: ScoreResult) -> dict[str, pd.DataFrame]:
    """The tables written for a run, with their public columns in order."""
    s = result.scores
    public = score_columns(s.columns)
    extra = [c for c in s.columns if c not in public and c not in API_ONLY_COLUMNS]
    scores = s[public + extra]
    contributions = result.contributions[CONTRIBUTION_COLUMNS]
    return {"scores.csv": scores, "contributions.csv": contributions,
            "rejects.csv": result.rejects}


def run_manifest(result: ScoreResult, inputs: Mapping[str, str | Path],
                 files: Mapping[str, bytes]) -> dict[str, Any]:
    """The manifest of a scoring run: what :func:`write_run` records and what ``replay``
    recomputes to compare, field by field (one function, so the two cannot drift).

    Parameters
    ----------
    result : ScoreResult
    inputs : mapping
        Table name → the file it was read from.
    files : mapping of str to bytes
        The output files (name → bytes) whose SHA-256 the manifest records.
    """
    from ..read.coverage import run_warnings

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
    warnings = run_warnings(result)
    if warnings:  # inputs that do not cover the period (issue 11): said in the manifest too
        manifest["warnings"] = warnings
    return manifest


def write_run(result: ScoreResult, out_dir: str | Path, inputs: dict[str, str | Path],
              *, xlsx: bool = False, lang: str = "en") -> dict[str, Any]:
    """Write scores, contributions, rejects, ``explain.parquet`` (what ``explain`` reads:
    :mod:`ecocredit.audit.explainfile`) and the manifest into ``out_dir``, atomically.

    The whole directory switches at once (:func:`ecocredit.output.rundir.run_directory`): a
    kill at any moment leaves ``out_dir`` holding the old run or the new one, never a mixture,
    and concurrent writers of one ``out_dir`` are serialized.

    Parameters
    ----------
    result : ScoreResult
    out_dir : str or Path
    inputs : dict
        Table name → the file it was read from (for the manifest and replay).
    xlsx : bool
        Also write ``scores.xlsx``, ``contributions.xlsx`` and ``rejects.xlsx`` (ids as text
        cells, Chinese headers; :mod:`ecocredit.output.workbooks`), hashed in the manifest.
    lang : {'en', 'zh'}
        The language of the workbooks' messages (the CSV files and the manifest are the same
        in either language).

    Returns
    -------
    dict
        The manifest.
    """
    from concurrent.futures import ThreadPoolExecutor

    from .explainfile import EXPLAIN_FILE, explain_file_bytes

    from ..progress import phase

    with phase("writing the outputs"), ThreadPoolExecutor(1) as pool:
        # explain.parquet is built by Arrow (the GIL released) beside the CSV text
        explain_job = pool.submit(explain_file_bytes, result.prepared, inputs)
        frames = output_frames(result)
        files: dict[str, Any] = {name: csv_bytes(df) for name, df in frames.items()}
        explain = explain_job.result()
        if explain is not None:
            files[EXPLAIN_FILE] = explain
        if xlsx:
            files.update(run_workbooks(frames, lang=lang))
        manifest = run_manifest(result, inputs, files)
        files["manifest.json"] = manifest_bytes(manifest)
        write_run_files(out_dir, files)
    return manifest


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 16 MiB chunks (inputs can be gigabytes); an input hashed while
    it was read (:mod:`ecocredit.read.digest`) and unchanged since is not read again."""
    known = remembered(path)
    if known is not None:
        return known
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
        file, sheet = split_sheet(path)  # FILE.xlsx#Sheet: the file is hashed, the sheet noted
        ins[table] = {
            "path": str(file.resolve()),
            # the name the rejects table uses (the path as given), so a replay writes it again
            "name": st.file if st else str(path),
            **({"sheet": sheet} if sheet is not None else {}),
            "sha256": file_sha256(file),
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


#: manifest formats: a scoring run, and the supervision tools' runs
RUN_FORMATS = ("ecocredit-run", "ecocredit-frequency", "ecocredit-draw")


def read_manifest(run_dir: str | Path, formats: tuple[str, ...] = ("ecocredit-run",)
                  ) -> dict[str, Any]:
    """Read a run's manifest (of one of ``formats``).

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
    if not isinstance(m, dict) or m.get("format") not in formats:
        raise ReplayError(f"{p}: not an ecocredit run manifest"
                          + (" of a scoring run." if formats == ("ecocredit-run",) else "."))
    return m


def rerun(manifest: dict[str, Any], run_dir: str | Path | None = None,
          inputs_dirs: tuple[str | Path, ...] = ()) -> ScoreResult:
    """Score again from the inputs and options a manifest names.

    Inputs are looked for where the manifest says, then where they may have moved
    (:func:`ecocredit.audit.replay.locate_input`: ``inputs_dirs``, and beside the run
    directory as the tree stood at the run).

    Raises
    ------
    ReplayError
        If an input is nowhere to be found.
    """
    from .replay import locate_input

    rs = load_run_ruleset(manifest)
    ins = manifest["inputs"]
    where = {}
    for table, info in ins.items():
        found, _ = locate_input(info, run_dir, inputs_dirs)
        if found is None:
            raise ReplayError(f"The {table} input {info['path']} named in the manifest is gone; "
                              "name where the inputs are now with --inputs DIR.")
        where[table] = str(found) + (f"#{info['sheet']}" if info.get("sheet") else "")
    opts = manifest["options"]
    return score(where["firms"], where["events"], rs, period=opts["period"],
                 measurements=where.get("measurements"), history=where.get("history"),
                 as_of=opts.get("as_of"), today=opts["today"],
                 allow_codes=(opts["allow_codes"].get("file") or opts["allow_codes"]["codes"])
                 if opts.get("allow_codes") else None,
                 names={t: info.get("name") or info["path"] for t, info in ins.items()})


def load_run_ruleset(manifest: dict[str, Any]) -> Ruleset:
    """The ruleset a manifest names: its recorded file if it is still there, else the
    bundled ruleset of that id."""
    rsinfo = manifest["ruleset"]
    src = rsinfo.get("source") or rsinfo["id"]
    return load_ruleset(src if Path(src).exists() else rsinfo["id"])


def input_changed(info: dict[str, Any]) -> bool:
    """Whether an input file named in a manifest no longer has its recorded SHA-256."""
    return _sha256(Path(info["path"]).read_bytes()) != info["sha256"]


def saved_score_row(run_dir: str | Path, firm_id: str) -> dict[str, str] | None:
    """The row of a saved run's scores.csv for one firm (as strings), or None.

    Read by Arrow's CSV reader, every column as text (a province's scores.csv in a fraction
    of a second), then the firm's row taken.
    """
    import csv

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    p = Path(run_dir) / "scores.csv"
    if not p.exists():
        return None
    with open(p, encoding="utf-8-sig", newline="") as fh:
        head = next(csv.reader(fh), [])
    table = pacsv.read_csv(p, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in head}, strings_can_be_null=False,
        quoted_strings_can_be_null=False))
    hit = table.filter(pc.equal(table["firm_id"], firm_id.strip().upper()))
    return None if hit.num_rows == 0 else hit.slice(0, 1).to_pylist()[0]
