"""The sample's history in another grade scheme: a per-ruleset history table.

The generator writes earlier grades in the national four colours (green/blue/yellow/red, by
rank of each firm's adverse and veto-type events and risk: :data:`~ecocredit.synth.HISTORY_GRADES`).
A ruleset whose grades are another scheme's (Hebei's A–E, Shandong's green/blue/yellow/black)
rejects those rows, so the sample carries one history file per such ruleset, made from
``sample_data/history.csv`` by a fixed crosswalk that keeps each firm's rank: the same firms,
periods and order, each grade (and list) replaced by the grade of the same standing in the other
scheme. Regenerate (byte for byte) with::

    python -m ecocredit.synth.crosswalk --ruleset hebei-2024 --history sample_data/history.csv \\
        --out sample_data/history-hebei-2024.csv

:data:`CROSSWALKS` gives each mapping and why.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, Sequence

__all__ = ["CROSSWALKS", "crosswalk_history", "main"]

#: ruleset id → {(national grade, list) → (grade, list)}; ``""`` is no list.
#:
#: ``hebei-2024`` (A ≥ 85, B 70–84, C 50–69, D 30–49, E ≤ 29; E is the black list): 诚信 green → A,
#: 良好 blue → B, 警示 yellow → C, 不良 red → D, and a red firm already on the black list → E
#: (the scheme's own black-list grade). A red-list entry stays with its A firm.
#:
#: ``shandong-2020`` (green/blue/yellow/black = 守法 / 轻微失信 / 一般失信 / 严重失信; black is the
#: black list): green, blue and yellow keep their ids; 不良 red → black, which in Shandong *is* the
#: black list, so every such row carries the list.
CROSSWALKS: Mapping[str, Mapping[tuple[str, str], tuple[str, str]]] = MappingProxyType({
    "hebei-2024": MappingProxyType({
        ("green", ""): ("A", ""), ("green", "red"): ("A", "red"),
        ("blue", ""): ("B", ""), ("yellow", ""): ("C", ""),
        ("red", ""): ("D", ""), ("red", "black"): ("E", "black"),
    }),
    "shandong-2020": MappingProxyType({
        ("green", ""): ("green", ""), ("green", "red"): ("green", "red"),
        ("blue", ""): ("blue", ""), ("yellow", ""): ("yellow", ""),
        ("red", ""): ("black", "black"), ("red", "black"): ("black", "black"),
    }),
})


def crosswalk_history(text: str, ruleset: str) -> str:
    """The history CSV ``text`` (canonical columns ``firm_id, period, grade, list``) with each
    grade and list mapped by :data:`CROSSWALKS` ``[ruleset]``; rows, order and line endings kept.

    Raises
    ------
    KeyError
        If the ruleset has no crosswalk, or a (grade, list) pair has no mapping.

    Examples
    --------
    >>> print(crosswalk_history("firm_id,period,grade,list\\nX,2024,red,black\\n", "hebei-2024"), end="")
    firm_id,period,grade,list
    X,2024,E,black
    """
    table = CROSSWALKS[ruleset]
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    g, lst = header.index("grade"), header.index("list")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for r in body:
        r = list(r)
        r[g], r[lst] = table[(r[g], r[lst])]
        w.writerow(r)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m ecocredit.synth.crosswalk",
        description="Write the sample's history in the grade scheme of a ruleset.")
    ap.add_argument("--ruleset", required=True, choices=sorted(CROSSWALKS))
    ap.add_argument("--history", required=True, help="history CSV in the national four colours")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    text = Path(a.history).read_text(encoding="utf-8")
    Path(a.out).write_text(crosswalk_history(text, a.ruleset), encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
