"""Make the pictures of docs/analysis.md: screenshots of the pages its examples write.

Run from the root of a clone (it needs Playwright for Python, of the test extra, and a Chromium:
the system's ``chromium``, or the binary named by ``ECOCREDIT_CHROMIUM``)::

    python docs/img/make_pictures.py

It runs every ``$ ecocredit`` example of ``docs/analysis.md``, in order, as
``tests/test_docs_examples.py`` does (one scratch directory in which ``sample_data``, ``docs``,
``rulesets`` and ``policies`` link to the clone's), so the pictures show what the page's
examples print; then it opens the pages in headless Chromium (a window of 1100 x 1400 CSS pixels,
1200 x 1400 for the changes against the previous period, drawn at 0.75: pictures of 825 x 1050
and 900 x 1050) and writes ``docs/img/*.png``. About two minutes.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "analysis.md"
IMG = ROOT / "docs" / "img"
#: picture: (page written by the examples, window width, id of the section shown at the top)
SHOTS = {
    "whatif.png": ("whatif-reform/report.html", 1100, None),
    "backtest.png": ("backtest/report.html", 1100, None),
    "report.png": ("runs/shandong-2024/report.html", 1100, None),
    "report-changes.png": ("runs/shandong-2024/report.html", 1200, "sec-changes"),
}
HEIGHT = 1400
SCALE = 0.75
#: how much of the section before stays visible above the one shown, in CSS pixels
ABOVE = 480


def commands(page: Path) -> list[list[str]]:
    """The ``$`` commands of a page's ``console`` blocks, in order (``\\`` continues a line)."""
    out, inside, pending = [], False, None
    for line in page.read_text(encoding="utf-8").splitlines():
        if re.match(r"^```", line):
            inside = line.strip() == "```console"
            continue
        if pending is not None:
            pending += " " + line.strip()
        elif inside and line.startswith("$ "):
            pending = line[2:]
        else:
            continue
        if pending.endswith("\\"):
            pending = pending[:-1]
        else:
            out.append(shlex.split(pending))
            pending = None
    return out


def run_examples(work: Path) -> None:
    """Run the page's ``ecocredit`` examples in ``work`` (``cat`` examples only read)."""
    for link in ("sample_data", "docs", "rulesets", "policies"):
        (work / link).symlink_to(ROOT / link)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH")
                               else [])))
    for argv in commands(PAGE):
        if argv[0] != "ecocredit":
            continue
        print("$", shlex.join(argv), flush=True)
        subprocess.run([sys.executable, "-m", "ecocredit.cli", *argv[1:]], cwd=work, env=env,
                       check=False, stdout=subprocess.DEVNULL)


def screenshots(work: Path) -> None:
    """Open each page in Chromium and write its picture into docs/img."""
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("ECOCREDIT_CHROMIUM") or shutil.which("chromium")
    if not exe:
        sys.exit("no Chromium: apt-get install chromium, or set ECOCREDIT_CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        for name, (html, width, section) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": HEIGHT},
                                    device_scale_factor=SCALE)
            page.goto((work / html).as_uri())
            if section:
                page.evaluate("([id, above]) => window.scrollTo(0, document.getElementById(id)"
                              ".getBoundingClientRect().top + window.scrollY - above)",
                              [section, ABOVE])
            page.screenshot(path=str(IMG / name))
            page.close()
            print("wrote", IMG / name, flush=True)
        browser.close()


def main() -> None:
    """Run the examples in a scratch directory and take the pictures."""
    with tempfile.TemporaryDirectory(prefix="ecocredit-docs-") as tmp:
        work = Path(tmp)
        run_examples(work)
        screenshots(work)


if __name__ == "__main__":
    main()
