"""The bad-input corpus (issue 11): every case run as a user runs it, no traceback ever.

A case is a directory of ``tests/corpus/`` holding small input files and ``expected.json``
(format: ``tests/corpus/README.md``): command steps with their expected exit status and
checks, and edit steps (replace bytes, move files) between them.
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
from pathlib import Path
from typing import Any

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


def _check(work: Path, step: dict[str, Any], proc: subprocess.CompletedProcess) -> None:
    said = f"$ ecocredit {' '.join(step['args'])}\n{proc.stdout}{proc.stderr}"
    assert "Traceback" not in proc.stdout + proc.stderr, said
    assert proc.returncode == step["exit"], said
    for s in step.get("stdout_contains", []):
        assert s in proc.stdout, (s, said)
    for s in step.get("stderr_contains", []):
        assert s in proc.stderr, (s, said)
    for f, codes in step.get("reason_codes", {}).items():
        rows = _records(work / f)
        col = rows[0].index("reason_code")
        assert sorted(r[col] for r in rows[1:]) == sorted(codes), f
    for f, n in step.get("csv_records", {}).items():
        assert len(_records(work / f)) - 1 == n, f
    for f in step.get("no_formula_cells", []):
        for row in _records(work / f):
            for cell in row:
                assert not cell.startswith(_FORMULA) or _NUMBER.match(cell), (f, cell)
    if "reconciled" in step:
        m = json.loads((work / step["reconciled"]).read_text(encoding="utf-8"))
        for table, info in m["inputs"].items():
            for e in info if isinstance(info, list) else [info]:
                if "rows_read" in e:
                    assert e["rows_read"] == e["rows_used"] + e["rows_rejected"], table


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case: str, tmp_path: Path) -> None:
    work = shutil.copytree(CORPUS / case, tmp_path / case)
    expected = json.loads((work / "expected.json").read_text(encoding="utf-8"))
    for step in expected["steps"]:
        if "args" not in step:
            _edit(work, step)
            continue
        proc = subprocess.run([sys.executable, "-m", "ecocredit.cli", *step["args"]],
                              cwd=work, env=_env(), capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=600)
        _check(work, step, proc)
