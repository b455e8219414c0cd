"""The bad-input corpus (issue 11): every case run as a user runs it, no traceback ever.

A case is a directory of ``tests/corpus/`` holding small input files and ``expected.json``
(format: ``tests/corpus/README.md``): command steps with their expected exit status and
checks (the reject reason codes by file and row, read = used + rejected per file, values of
outputs and manifests), and edit steps (replace bytes, move files) between them. One harness
for every kind: inputs, Excel, credit codes, dates, rulesets and policies, outputs, replay,
results that mislead, the partitioned engines.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + env["PYTHONPATH"]
                                             if env.get("PYTHONPATH") else "")
    env.pop("ECOCREDIT_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _records(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), path
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _edit(work: Path, step: dict[str, Any]) -> None:
    if "replace" in step:
        r = step["replace"]
        p = work / r["file"]
        data = p.read_bytes()
        if "at" in r:
            data = data[:r["at"]] + bytes([r["byte"]]) + data[r["at"] + 1:]
        else:
            old = r["old"].encode("utf-8")
            assert old in data, (r["file"], r["old"])
            data = data.replace(old, r["new"].encode("utf-8"), 1)
        p.write_bytes(data)
    else:
        m = step["move"]
        (work / m["to"]).parent.mkdir(parents=True, exist_ok=True)
        (work / m["from"]).rename(work / m["to"])


def _rejects_file(step: dict[str, Any]) -> str:
    args = step["args"]
    return step.get("rejects_file") or f"{args[args.index('--out') + 1]}/rejects.csv"


def _manifest_file(step: dict[str, Any]) -> str:
    return _rejects_file(step).rsplit("/", 1)[0] + "/manifest.json"


def _json_value(doc: Any, path: str) -> Any:
    """``a.b.c`` in a JSON document (None when absent); ``list[].key`` maps over a list."""
    for part in path.split("."):
        if doc is None:
            return None
        if part.endswith("[]"):
            return [x.get(path.split(part + ".", 1)[1]) for x in doc.get(part[:-2], [])]
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _dicts(path: Path) -> list[dict[str, str]]:
    rows = _records(path)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _check_outputs(work: Path, step: dict[str, Any]) -> None:
    """The checks on a step's output files (see tests/corpus/README.md)."""
    for f, codes in step.get("reason_codes", {}).items():
        rows = _records(work / f)
        col = rows[0].index("reason_code")
        assert sorted(r[col] for r in rows[1:]) == sorted(codes), f
    if "rejected_rows" in step:  # exactly these rows of each file named, for that reason
        got: dict[str, dict[str, set[str]]] = {}
        for r in _dicts(work / _rejects_file(step)):
            got.setdefault(r["file"], {}).setdefault(r["row"], set()).add(r["reason_code"])
        if not step["rejected_rows"]:
            assert got == {}, got
        for f, rows in step["rejected_rows"].items():
            have = got.get(f, {})
            assert sorted(have, key=int) == sorted(rows, key=int), (f, have)
            for row, code in rows.items():
                assert code in have[row], (f, row, have[row])
    for f, texts in step.get("file_contains", {}).items():  # substrings of an output file
        data = (work / f).read_text(encoding="utf-8")
        for text in texts:
            assert text in data, (f, text)
    for f, n in step.get("csv_records", {}).items():
        assert len(_records(work / f)) - 1 == n, f
    for f, values in step.get("csv_column", {}).items():  # firm_id → score
        got = {r["firm_id"]: r["score"] for r in _dicts(work / f)}
        assert {k: got.get(k) for k in values} == values, f
    for f, by_firm in step.get("evidence", {}).items():
        rows = _dicts(work / f)
        for firm, want in by_firm.items():
            have = {r["evidence"] for r in rows if r["firm_id"] == firm}
            assert {e: e in have for e in want} == want, (f, firm)
    for f in step.get("no_formula_cells", []):
        for row in _records(work / f):
            for cell in row:
                assert not cell.startswith(_FORMULA) or _NUMBER.match(cell), (f, cell)
    for f, values in step.get("json_values", {}).items():
        doc = json.loads((work / f).read_text(encoding="utf-8"))
        for path, want in values.items():
            assert _json_value(doc, path) == want, (f, path)
    if "rows_read" in step:
        m = json.loads((work / _manifest_file(step)).read_text(encoding="utf-8"))
        for table, n in step["rows_read"].items():
            assert m["inputs"][table]["rows_read"] == n, table
    if "reconciled" in step:  # read = used + rejected, and the rejects list those rows
        m = json.loads((work / step["reconciled"]).read_text(encoding="utf-8"))
        rejects = _dicts(work / (step["reconciled"].rsplit("/", 1)[0] + "/rejects.csv"))
        for table, info in m["inputs"].items():
            for e in info if isinstance(info, list) else [info]:
                if "rows_read" in e:
                    assert e["rows_read"] == e["rows_used"] + e["rows_rejected"], table
                    listed = {(r["file"], r["row"]) for r in rejects  # a workbook: NAME#SHEET
                              if r["file"] == e["name"] or r["file"].startswith(e["name"] + "#")}
                    assert len(listed) == e["rows_rejected"], table
    for a, b in step.get("same_files", []):
        assert _comparable(work / a) == _comparable(work / b), (a, b)
    for f in step.get("absent", []):
        assert not (work / f).exists(), f


def _comparable(path: Path) -> bytes | dict[str, Any]:
    """A file's bytes; for a manifest, its content without the ``explain.parquet`` entry: the
    one-shot engine saves that file for ``explain``, the partitioned engine does not (its
    explain reads the inputs), and everything else must be byte for byte the same."""
    if path.name != "manifest.json":
        return path.read_bytes()
    m = json.loads(path.read_text(encoding="utf-8"))
    m.get("outputs", {}).pop("explain.parquet", None)
    return m


def _check(work: Path, step: dict[str, Any], proc: subprocess.CompletedProcess) -> None:
    said = f"$ ecocredit {' '.join(step['args'])}\n{proc.stdout}{proc.stderr}"
    assert "Traceback" not in proc.stdout + proc.stderr, said
    assert proc.returncode == step["exit"], said
    for s in step.get("stdout_contains", []):
        assert s in proc.stdout, (s, said)
    for s in step.get("stderr_contains", []):
        assert s in proc.stderr, (s, said)
    for s, n in step.get("stdout_count", {}).items():
        assert proc.stdout.count(s) == n, (s, said)
    if "stderr_lines" in step:  # a refusal is one line
        assert len(proc.stderr.strip().splitlines()) == step["stderr_lines"], said
    _check_outputs(work, step)


def _process(step: dict[str, Any], work: Path) -> subprocess.CompletedProcess:
    """The step as its own ``python -m ecocredit.cli`` process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "ecocredit.cli", *step["args"]],
                          cwd=work, env=_env(), capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=600)


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case: str, tmp_path: Path,
                     ecocredit_cli: Callable[..., subprocess.CompletedProcess]) -> None:
    """Steps run in this process through the command line's parser (the ``ecocredit_cli``
    fixture: same exit status, stdout and stderr, an escaping exception shown as a traceback),
    those marked ``"process": true`` as their own process; ``ECOCREDIT_TEST_SUBPROCESS=1``
    runs every step as a process."""
    work = shutil.copytree(CORPUS / case, tmp_path / case)
    expected = json.loads((work / "expected.json").read_text(encoding="utf-8"))
    for step in expected["steps"]:
        if "args" not in step:
            _edit(work, step)
            continue
        start = time.monotonic()
        proc = (_process(step, work) if step.get("process")
                else ecocredit_cli(*step["args"], cwd=work))
        took = time.monotonic() - start
        _check(work, step, proc)
        # bounded: an alias bomb is stopped, not expanded
        assert took < step.get("max_seconds", 600), (step["args"], took)


def test_the_corpus_covers_every_kind_of_issue_11() -> None:
    """One case directory at least per kind named by the issue (prefix of the case name)."""
    kinds = {c.split("-")[0] for c in CASES}
    assert {"input", "codes", "dates", "ruleset", "policy", "results", "csv", "replay"} <= kinds
    assert len(CASES) >= 47
