"""Every command example of the README and ``docs/*.md`` runs, exactly as written, and prints
what the page shows.

A page's examples are its fenced blocks marked ``console``. In such a block a line starting with
``$ `` is a command (a line ending in ``\\`` continues on the next), and the lines after it, up to
the next command, are what it prints (stdout and stderr). Two commands are understood:
``ecocredit ...`` (run as ``python -m ecocredit.cli`` from this checkout) and ``cat FILE``. The
commands of one page run in order in one scratch directory in which ``sample_data``, ``docs``,
``rulesets`` and ``policies`` are links to the repository's (what a reader has in a clone), so
a later example may read what an earlier one wrote (the run directories under ``out/``), as a
reader following the page would.

What the page shows is compared line by line, trailing spaces ignored, with two ways to leave
out what varies or is too long to show:

- a line that is just ``...`` stands for any number of lines (none included);
- ``...`` inside a line stands for any text within that line (a time stamp, a long reference).

A command block written any other way (```` ```sh ````, or a plain fence) is not run: use those
only for steps a reader cannot run on the bundled data (installing, generating the benchmark
sets). ``test_no_ecocredit_command_hides_outside_a_console_block`` keeps ``$ ecocredit`` lines
out of them.

Update a page after changing what a command prints: run the command in a scratch directory as
above and paste its output.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecocredit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
#: ECOCREDIT_DOCS_SUBPROCESS=1 runs each command in its own ``python -m ecocredit.cli`` process
#: (as the golden tests do); by default they run in this process through click's test runner,
#: which prints the same and saves the interpreter's start-up (1.7 s a command)
SUBPROCESS = bool(os.environ.get("ECOCREDIT_DOCS_SUBPROCESS"))
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```(\S*)\s*$")


@dataclass
class Command:
    """One ``$`` line of a page and the output the page shows for it."""

    line: int  # 1-based line of the ``$`` in the page
    argv: list[str]
    expected: list[str] = field(default_factory=list)


def _blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """(info string, line of the first content line, lines) of every fenced block."""
    blocks, info, start, body = [], None, 0, []
    for i, line in enumerate(text.splitlines(), 1):
        m = _FENCE.match(line)
        if info is None and m:
            info, start, body = m.group(1), i + 1, []
        elif info is not None and line.rstrip() == "```":
            blocks.append((info, start, body))
            info = None
        elif info is not None:
            body.append(line)
    return blocks


def commands(page: Path) -> list[Command]:
    """The console examples of a page, in order."""
    out: list[Command] = []
    for info, start, body in _blocks(page.read_text(encoding="utf-8")):
        if info != "console":
            continue
        i = 0
        while i < len(body):
            line = body[i]
            if not line.startswith("$ "):
                if not out or out[-1].line < start:
                    raise AssertionError(f"{page.name}:{start + i}: output before any command")
                out[-1].expected.append(line)
                i += 1
                continue
            first, cmd = start + i, line[2:]
            while cmd.endswith("\\"):
                i += 1
                cmd = cmd[:-1] + " " + body[i].strip()
            out.append(Command(first, shlex.split(cmd)))
            i += 1
    return out


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the output matches what the page shows (``...`` lines and parts elided)."""
    pattern = []
    for line in expected:
        line = line.rstrip()
        if line.strip() == "...":
            pattern.append(r"(?:[^\n]*\n)*?")
        else:
            pattern.append("[^\\n]*".join(re.escape(p) for p in line.split("..."))
                           + r"[ \t]*\n")
    text = "".join(a.rstrip() + "\n" for a in actual)
    return re.fullmatch("".join(pattern), text, re.DOTALL) is not None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src")]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.pop("ECOCREDIT_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(cmd: Command, work: Path) -> list[str]:
    """What the command prints, run in ``work`` (the current directory) as a reader would."""
    if cmd.argv[0] == "cat":
        return (work / cmd.argv[1]).read_text(encoding="utf-8-sig").splitlines()
    assert cmd.argv[0] == "ecocredit", f"line {cmd.line}: only `ecocredit` and `cat` are run"
    if SUBPROCESS:
        proc = subprocess.run([sys.executable, "-m", "ecocredit.cli", *cmd.argv[1:]],
                              check=False, cwd=work,
                              capture_output=True, text=True, encoding="utf-8", env=_env(),
                              timeout=300)
        return (proc.stdout + proc.stderr).splitlines()
    result = CliRunner().invoke(cli, cmd.argv[1:], prog_name="ecocredit")
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.output.splitlines()


@pytest.mark.parametrize("page", [p for p in PAGES if commands(p)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_the_page_run_and_print_what_it_shows(page: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ECOCREDIT_DEBUG", raising=False)
    for link in ("sample_data", "docs", "rulesets", "policies"):
        (tmp_path / link).symlink_to(ROOT / link)
    failures = []
    for cmd in commands(page):
        actual = run(cmd, tmp_path)
        if not _matches(cmd.expected, actual):
            failures.append(f"{page.name}:{cmd.line}: $ {shlex.join(cmd.argv)}\n"
                            "--- the page shows:\n" + "\n".join(cmd.expected)
                            + "\n--- it prints:\n" + "\n".join(actual))
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_ecocredit_command_hides_outside_a_console_block(page: Path):
    for info, start, body in _blocks(page.read_text(encoding="utf-8")):
        if info == "console":
            continue
        for i, line in enumerate(body):
            assert not line.startswith("$ ecocredit"), (
                f"{page.name}:{start + i}: a `$ ecocredit` example outside a ```console block "
                "is never run")
            assert "..." not in line or not line.lstrip().startswith("ecocredit "), (
                f"{page.name}:{start + i}: an ecocredit command with a `...` placeholder")


def test_elisions_match_what_they_should():
    assert _matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert _matches(["a", "...", "b"], ["a", "b"])
    assert _matches(["at ... o'clock"], ["at 12:00 o'clock  "])
    assert not _matches(["a", "d"], ["a", "b", "d"])
    assert not _matches(["a"], ["a", "b"])
    assert not _matches(["at ... o'clock"], ["at 12", "o'clock"])
