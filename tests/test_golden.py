"""Golden outputs: what the command line writes and prints, byte for byte, for every bundled
ruleset on the sample data, the documented supervision examples, repair and measures, and the
tiny benchmark set.

They were saved before the package was reorganised (issue 9) and must stay identical through
any change that is not meant to change results. A change that *is* meant to change results
(a ruleset fix, a new column) regenerates them on purpose, and the diff of
``tests/golden/expected/`` shows exactly what moved::

    ECOCREDIT_GOLDEN_UPDATE=1 pytest tests/test_golden.py

Each case runs ``python -m ecocredit.cli`` in a scratch directory in which ``sample_data``,
``docs`` and ``tests`` are links to the repository's, so the paths recorded in manifests and
printed on the screen are the same on every machine. Files are compared by SHA-256 (manifests
after removing the fields that name this machine or this package version); what a command prints
is stored as text, so a failing case shows the difference line by line.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "golden" / "expected"
UPDATE = bool(os.environ.get("ECOCREDIT_GOLDEN_UPDATE"))
TODAY = ["--today", "2026-01-01"]
SAMPLE = ["--firms", "sample_data/firms.csv", "--events", "sample_data/events.csv",
          "--measurements", "sample_data/measurements.csv", "--history", "sample_data/history.csv"]

# ruleset → (period, firms whose explanation is kept: a clean firm, a vetoed one, a listed one)
RUNS = {
    "guangdong-2015": ("2025", ["91360111088611139Q", "91360602941020863D", "91360981610777802X"]),
    "anhui-2019": ("2025", ["91360111088611139Q", "91360981610777802X", "91361128MA93DU674L"]),
    "jiangsu-2020": ("2025", ["91360111088611139Q", "91360502618181448A", "91360981610777802X"]),
    "chongqing-2017": ("2021", ["91360111088611139Q", "91361025290610113L", "91360113418284426W"]),
    "jiangxi": ("2025", ["91360111088611139Q", "91360823MA7UMTB73M", "91360981610777802X"]),
    "shandong-2020": ("2025", ["91360111088611139Q", "91361127MA23H9924K"]),
    "hebei-2024": ("2025", ["91360111088611139Q", "91360113MACA0P3214", "91360981MAWKG5W75G"]),
    "chongqing-2021": ("2025", ["91360111088611139Q", "91360981610777802X"]),
    "jilin-2018": ("2025", ["91360111088611139Q", "91360981610777802X"]),
    # a 良好 一档 firm, a vetoed (不良, black-listed) one, a 诚信 二档 one
    "guizhou-2019": ("2025", ["91360111088611139Q", "91360981610777802X", "91360923632791058W"]),
}
COUNTY = "docs/examples/inspection"
COUNTY_IN = ["--firms", f"{COUNTY}/firms.csv", "--events", f"{COUNTY}/events.csv"]


def _steps() -> dict[str, list[list[str]]]:
    """case name → the commands it runs, in order (later ones read earlier ones' outputs)."""
    cases: dict[str, list[list[str]]] = {}
    for rs, (period, firms) in RUNS.items():
        out = f"out/{rs}"
        cases[f"score-{rs}"] = (
            [["score", "--ruleset", rs, "--period", period, *SAMPLE, *TODAY, "--out", out]]
            + [["explain", out, f] for f in firms])
    cases["score-anhui-2019-as-of"] = [[
        "score", "--ruleset", "anhui-2019", "--period", "2025", *SAMPLE, "--as-of", "2025-06-30",
        *TODAY, "--out", "out/as-of"]]
    cases["repair-guangdong-2015"] = [
        ["score", "--ruleset", "guangdong-2015", "--period", "2025", *SAMPLE, *TODAY,
         "--out", "out/gd"],
        ["repair", "out/gd", "--applications", "tests/golden/applications.csv",
         "--out", "out/gd/repairs.csv"]]
    cases["measures-chongqing-2017"] = [
        ["score", "--ruleset", "chongqing-2017", "--period", "2021", *SAMPLE, *TODAY,
         "--out", "out/cq"],
        ["measures", "out/cq", "--requests", "tests/golden/requests.csv"],
        ["measures", "out/cq", "--firm", "91360981610777802X", "--action", "loan",
         "--date", "2022-02-01", "--who", "窗口A"]]
    cases["measures-jiangsu-2020"] = [
        ["score", "--ruleset", "jiangsu-2020", "--period", "2025", *SAMPLE, *TODAY,
         "--out", "out/js"],
        ["measures", "out/js", "--requests", "tests/golden/requests-jiangsu.csv"]]
    plans = [f"out/county/plan-2024Q{q}/plan.csv" for q in range(1, 4)]
    cases["supervision-county"] = [
        ["score", "--ruleset", "anhui-2019", "--period", "2023", *COUNTY_IN, *TODAY,
         "--out", "out/county/scores2023"],
        ["inspection-frequency", *COUNTY_IN, "--scores", "out/county/scores2023",
         "--as-of", "2023-12-31", "--out", "out/county/frequency"],
        *[["draw", "--quarter", f"2024Q{q}", "--seed", "20240101",
           "--inspectors", f"{COUNTY}/inspectors.csv", *COUNTY_IN,
           "--scores", "out/county/scores2023",
           *[a for p in plans[:q - 1] for a in ("--inspection-history", p)],
           "--out", f"out/county/plan-2024Q{q}"] for q in range(1, 5)],
        ["discretion", *COUNTY_IN, "--scores", "out/county/scores2023",
         "--firm", "913601249629337763", "--date", "2024-06-18", "--type", "exceedance"]]
    cases["supervision-sample"] = [
        ["score", "--ruleset", "guangdong-2015", "--period", "2024", *SAMPLE, *TODAY,
         "--out", "out/gd2024"],
        ["draw", "--quarter", "2025Q1", "--seed", "20250101",
         "--inspectors", "sample_data/inspectors.csv", "--firms", "sample_data/firms.csv",
         "--events", "sample_data/events.csv", "--scores", "out/gd2024", "--out", "out/plan-2025Q1"],
        ["draw", "--quarter", "2025Q2", "--seed", "20250101",
         "--inspectors", "sample_data/inspectors.csv", "--firms", "sample_data/firms.csv",
         "--events", "sample_data/events.csv", "--scores", "out/gd2024",
         "--inspection-history", "out/plan-2025Q1/plan.csv", "--out", "out/plan-2025Q2"]]
    tiny = ["--firms", "tiny/firms.parquet", "--events", "tiny/events.parquet",
            "--measurements", "tiny/measurements.parquet", "--history", "tiny/history.parquet"]
    cases["tiny-benchmark-set"] = [
        *[["score", "--ruleset", rs, "--period", "2025", *tiny, *TODAY, "--out", f"out/tiny-{rs}"]
          for rs in ("guangdong-2015", "anhui-2019", "jiangsu-2020", "jiangxi")],
        ["score", "--engine", "partitioned", "--partitions", "3", "--ruleset", "anhui-2019",
         "--period", "2025", *tiny, *TODAY, "--out", "out/tiny-partitioned"]]
    return cases


CASES = _steps()
# fields of a manifest that name this machine, the clock or the package version, not the run
_VOLATILE = {"path", "source", "created_at", "checked_at", "package"}


def _normalised_manifest(data: bytes) -> bytes:
    def strip(obj: object) -> object:
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in _VOLATILE}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    return json.dumps(strip(json.loads(data)), sort_keys=True, ensure_ascii=False).encode()


def _digest(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".json"):
        data = _normalised_manifest(data)
    return hashlib.sha256(data).hexdigest()


def _run_case(name: str, work: Path) -> tuple[str, dict[str, str]]:
    for link in ("sample_data", "docs", "tests"):
        (work / link).symlink_to(ROOT / link)
    if name == "tiny-benchmark-set":
        subprocess.run([sys.executable, "-m", "benchmarks.generate", "--size", "tiny",
                        "--out", str(work / "tiny")], check=True, cwd=ROOT,
                       capture_output=True, env=_env())
    transcript = []
    for args in CASES[name]:
        proc = subprocess.run([sys.executable, "-m", "ecocredit.cli", *args], cwd=work,
                              capture_output=True, text=True, encoding="utf-8", env=_env(),
                              timeout=600)
        out = (proc.stdout + proc.stderr).replace(str(work), "<work>")
        transcript.append(f"$ ecocredit {' '.join(args)}\n{out}[exit {proc.returncode}]\n")
    files = {str(p.relative_to(work)): _digest(p) for p in sorted((work / "out").rglob("*"))
             if p.is_file()}
    return "\n".join(transcript), files


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.pop("ECOCREDIT_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_outputs_are_unchanged(name: str, tmp_path: Path) -> None:
    transcript, files = _run_case(name, tmp_path)
    stdout_file = EXPECTED / name / "transcript.txt"
    files_file = EXPECTED / name / "files.json"
    if UPDATE:
        stdout_file.parent.mkdir(parents=True, exist_ok=True)
        stdout_file.write_text(transcript, encoding="utf-8")
        files_file.write_text(json.dumps(files, indent=1, sort_keys=True) + "\n",
                              encoding="utf-8")
        return
    assert transcript == stdout_file.read_text(encoding="utf-8")
    assert files == json.loads(files_file.read_text(encoding="utf-8"))
