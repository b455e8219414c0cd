"""Progress on stderr: shown while a long command runs on a terminal, never otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from ecocredit.progress import counted, phase

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


def _score_on_a_terminal(out: Path, *extra: str) -> tuple[int, str, bytes]:
    """Run ``ecocredit score`` with stderr on a pseudo-terminal: (status, stdout, stderr)."""
    master, slave = pty.openpty()
    env = dict(os.environ, ECOCREDIT_PROGRESS_DELAY="0",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ecocredit.cli", "score", "--ruleset", "anhui-2019", "--period",
         "2025", "--firms", str(SAMPLE / "firms.csv"), "--events", str(SAMPLE / "events.csv"),
         "--today", "2026-01-01", "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        err += chunk
    out_text, _ = proc.communicate(timeout=600)
    os.close(master)
    return proc.returncode, out_text.decode("utf-8"), err


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_scoring_run_on_a_terminal_shows_each_step_on_stderr_and_prints_the_same(tmp_path):
    status, out, err = _score_on_a_terminal(tmp_path / "tty")
    plain = subprocess.run(
        [sys.executable, "-m", "ecocredit.cli", "score", "--ruleset", "anhui-2019", "--period",
         "2025", "--firms", str(SAMPLE / "firms.csv"), "--events", str(SAMPLE / "events.csv"),
         "--today", "2026-01-01", "--out", str(tmp_path / "plain")],
        capture_output=True, text=True, encoding="utf-8",
        env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))

    assert status == plain.returncode == 0
    for step in (b"reading and checking the inputs", b"scoring", b"writing the outputs"):
        assert step in err
    assert plain.stderr == ""  # stderr not a terminal: no progress
    assert out.replace(str(tmp_path / "tty"), "X") == plain.stdout.replace(
        str(tmp_path / "plain"), "X")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_quiet_shows_no_progress_even_on_a_terminal(tmp_path):
    status, out, err = _score_on_a_terminal(tmp_path / "q", "--quiet")

    assert status == 0
    assert out == "" and err == b""


def test_without_a_display_the_library_shows_nothing(capsys):
    with phase("scoring"), counted("parts", 2) as done:
        done()
        done()

    assert capsys.readouterr() == ("", "")
