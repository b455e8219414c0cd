"""Replay of the supervision tools' runs: ``inspection-frequency`` and the double-random draw.

Their manifests (``ecocredit-frequency``, ``ecocredit-draw``) record the policy (id, version,
SHA-256, source), the inputs (path, name as given, SHA-256; a list for the inspection
history), the date, seed and counts, and every output's SHA-256. A replay finds the inputs
(:func:`ecocredit.audit.replay.locate_input`), recomputes through the public API
(:func:`ecocredit.inspection_frequency`, :func:`ecocredit.double_random_draw`), writes the
result to a scratch directory with the result's own ``write`` and compares every file and
every manifest field with what was saved.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..supervision import draw, inspection_frequency, load_policy
from .replay import (_RECOMPUTE_ERRORS, check_inputs, check_outputs, compare_manifests,
                     load_recorded)

__all__ = ["replay_supervision"]


def _policy(m: dict[str, Any], problems: list[str]) -> Any:
    """The policy file (or bundled id) of the run, checked against its SHA-256."""
    return load_recorded(m["policy"], load_policy, "policy", problems)


def _names(m: dict[str, Any]) -> dict[str, Any]:
    """The file names as given at the run (the rejects table uses them)."""
    out: dict[str, Any] = {}
    for table, e in m["inputs"].items():
        key = "history" if table == "inspection_history" else table
        out[key] = [x.get("name") for x in e] if isinstance(e, list) else e.get("name")
    return out


def _recompute(m: dict[str, Any], pol: Any, where: dict[str, Any], scratch: Path) -> None:
    """Run the tool again and write its outputs and manifest into ``scratch``."""
    credit = m.get("credit") or {}
    scores = where.get("scores")
    ruleset = (credit.get("ruleset") or None) if scores else None
    names = _names(m)
    if m["format"] == "ecocredit-frequency":
        fr = inspection_frequency(
            pol, as_of=m["as_of"], firms=where["firms"], events=where["events"],
            scores=scores, ruleset=ruleset, inspectors=where.get("inspectors"),
            names={"firms": names["firms"], "events": names["events"]})
        fr.write(scratch, where)
    else:
        r = draw(
            pol, m["quarter"], int(m["seed"]), inspectors=where["inspectors"],
            firms=where["firms"], events=where["events"], scores=scores, ruleset=ruleset,
            history=list(where.get("inspection_history", [])), names=names)
        r.write(scratch, where)


def replay_supervision(m: dict[str, Any], run_dir: Path, inputs_dirs: Sequence[str | Path],
                       problems: list[str], notes: list[str]) -> None:
    """Replay an inspection-frequency run or a draw; fills ``problems`` and ``notes``."""
    where = check_inputs(m, run_dir, inputs_dirs, problems, notes)
    saved = check_outputs(m, run_dir, problems)
    pol = _policy(m, problems)
    if pol is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "run"
        try:
            _recompute(m, pol, where, scratch)
        except _RECOMPUTE_ERRORS as exc:
            problems.append("cannot recompute the run from its inputs as they are now: "
                            + (str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
            return
        now = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
        problems += compare_manifests(m, now)
        for name in now.get("outputs", {}):
            if name in saved and saved[name] != (scratch / name).read_bytes():
                problems.append(f"{name} differs when recomputed")
