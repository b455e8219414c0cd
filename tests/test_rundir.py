"""Atomic run directories, as a user meets them: real processes killed at random moments,
real concurrent runs into one --out, stale leftovers cleaned, modes that follow the umask."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecocredit.output.rundir import run_directory, write_run_files

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
KILLS = 20
ROUNDS = 3
WRITERS = 4


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + env["PYTHONPATH"]
                                             if env.get("PYTHONPATH") else "")
    env.pop("ECOCREDIT_DEBUG", None)
    return env


def _score_cmd(out: Path, period: str) -> list[str]:
    return [sys.executable, "-m", "ecocredit.cli", "score", "--ruleset", "anhui-2019",
            "--period", period, "--firms", str(SAMPLE / "firms.csv"), "--events",
            str(SAMPLE / "events.csv"), "--today", "2026-01-01", "--out", str(out), "-q",
            "--xlsx"]


def _whole_run(out: Path) -> str:
    """The period of the run ``out`` holds, after checking it is one whole run: exactly the
    files its manifest names, each with its recorded SHA-256, nothing hidden."""
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    names = {p.name for p in out.iterdir()}
    assert names == set(m["outputs"]) | {"manifest.json"}, names
    for name, h in m["outputs"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == h, name
    return m["options"]["period"]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


# A writer as small as possible (the run-directory module alone, loaded from its file, so
# each process starts in a blink even on a loaded machine) that writes a whole run of several
# megabytes, fsynced file by file, then switches: the kill lands anywhere in it.
_WRITER = r"""
import hashlib, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("rundir", sys.argv[1])
rundir = importlib.util.module_from_spec(spec); spec.loader.exec_module(rundir)
tag = sys.argv[3]
files = {n: (tag * 200_000 + n).encode() * 24 for n in ("scores.csv", "contributions.csv",
                                                    "rejects.csv", "scores.xlsx")}
m = {"options": {"period": tag}, "outputs": {n: hashlib.sha256(d).hexdigest()
                                            for n, d in files.items()}}
files["manifest.json"] = json.dumps(m).encode()
rundir.write_run_files(sys.argv[2], files)
"""
RUNDIR = ROOT / "src" / "ecocredit" / "output" / "rundir.py"


def _writer(out: Path, tag: str) -> list[str]:
    return [sys.executable, "-c", _WRITER, str(RUNDIR), str(out), tag]


def test_a_run_killed_at_random_moments_leaves_the_old_run_or_the_new_one_whole(tmp_path):
    out = tmp_path / "out"
    t0 = time.monotonic()
    subprocess.run(_writer(out, "2024"), check=True, timeout=300)
    took = time.monotonic() - t0
    rng = random.Random(20261130)
    seen = {"2024": 0, "2025": 0}
    failures = mid_run = 0
    for i in range(KILLS):
        proc = subprocess.Popen(_writer(out, "2025" if i % 2 == 0 else "2024"))
        time.sleep(rng.uniform(0.1 * took, took))
        mid_run += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        try:
            seen[_whole_run(out)] += 1
        except (AssertionError, OSError, ValueError, KeyError):
            failures += 1
    print(f"\nkills tried: {KILLS} ({mid_run} while the writer was running); atomicity "
          f"failures: {failures}; the directory held the 2024 run {seen['2024']} times, the "
          f"2025 run {seen['2025']} times")
    assert failures == 0
    assert mid_run >= KILLS // 2  # the kills did land during the runs
    # the next run cleans what the killed ones left beside the target
    subprocess.run(_writer(out, "2025"), check=True, timeout=300)
    assert _whole_run(out) == "2025"
    assert _leftovers(out) == []


def test_concurrent_writers_of_one_out_never_mix_their_files(tmp_path):
    out = tmp_path / "out"
    tags = [str(2020 + i) for i in range(WRITERS)]
    for _ in range(ROUNDS):
        procs = [subprocess.Popen(_writer(out, t), stderr=subprocess.PIPE, text=True)
                 for t in tags]
        for p in procs:
            _, err = p.communicate(timeout=600)
            assert p.returncode == 0, err  # every writer finishes: serialized, not refused
        assert _whole_run(out) in tags
        assert _leftovers(out) == []


def test_two_score_commands_into_one_out_end_with_one_whole_run(tmp_path):
    out = tmp_path / "out"
    procs = [subprocess.Popen(_score_cmd(out, p), env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for p in ("2024", "2025")]
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode in (0, 1) and "Traceback" not in err, err
    assert _whole_run(out) in ("2024", "2025")
    assert {p.name for p in out.iterdir()} >= {"scores.xlsx", "contributions.xlsx"}
    assert _leftovers(out) == []


def test_stale_leftovers_of_killed_runs_are_removed_and_user_files_kept(tmp_path):
    out = tmp_path / "out"
    write_run_files(out, {"scores.csv": b"old\n", "manifest.json": b"{}\n"})
    (out / "notes.txt").write_text("mine")
    (out / "inputs").mkdir()
    (out / "inputs" / "firms.csv").write_text("firm_id\n")
    (out / ".scores.csv.abc123.tmp").write_bytes(b"x" * 1000)  # an older version's temp file
    (tmp_path / ".out.ecocredit-new-dead").mkdir()  # a killed run's half-built directory
    (tmp_path / ".out.ecocredit-new-dead" / "scores.csv").write_bytes(b"half")

    write_run_files(out, {"scores.csv": b"new\n", "manifest.json": b"{}\n"})

    assert sorted(p.name for p in out.iterdir()) == ["inputs", "manifest.json", "notes.txt",
                                                     "scores.csv"]
    assert (out / "scores.csv").read_bytes() == b"new\n"
    assert (out / "inputs" / "firms.csv").read_text() == "firm_id\n"
    assert _leftovers(out) == []


def test_a_failing_run_leaves_the_old_run_untouched(tmp_path):
    out = tmp_path / "out"
    write_run_files(out, {"scores.csv": b"old\n"})
    with pytest.raises(RuntimeError), run_directory(out) as stage:
        (stage / "scores.csv").write_bytes(b"new\n")
        raise RuntimeError("scoring failed")
    assert (out / "scores.csv").read_bytes() == b"old\n"
    assert _leftovers(out) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_files_and_directories_follow_the_umask(tmp_path, umask):
    code = ("import os, sys; os.umask(int(sys.argv[2], 8));"
            "from ecocredit.output.rundir import write_run_files;"
            "write_run_files(sys.argv[1], {'scores.csv': b'x', 'manifest.json': b'{}'})")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", code, str(out), oct(umask)[2:]], env=_env(),
                   check=True)
    assert (out / "scores.csv").stat().st_mode & 0o777 == 0o666 & ~umask
    assert (out / "manifest.json").stat().st_mode & 0o777 == 0o666 & ~umask
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_closed_pipe_ends_every_listing_quietly_with_exit_0():
    for cmd in (["rulesets"], ["policies"], ["schema"], ["--help"], ["score", "--help"]):
        r, w = os.pipe()
        os.close(r)  # the reader (head -1) is gone before anything is written
        proc = subprocess.run([sys.executable, "-m", "ecocredit.cli", *cmd], stdout=w,
                              stderr=subprocess.PIPE, text=True, env=_env(), timeout=120)
        os.close(w)
        assert (proc.returncode, proc.stderr) == (0, ""), cmd
