"""Audit: the manifest that pins a run, replay, atomic run directories.

Modules: :mod:`~ecocredit.audit.manifest` (write a scoring run with its manifest),
:mod:`~ecocredit.audit.replay` (recompute and compare: every file hash, every manifest field,
relocated inputs), :mod:`~ecocredit.audit.supervision` (replay of inspection-frequency runs
and draws), :func:`run_directory` (atomic run directories, serialized writers, from
:mod:`ecocredit.output.rundir`).
"""

from __future__ import annotations

from .manifest import (
    MANIFEST_FORMAT,
    OUTPUT_FILES,
    RUN_FORMATS,
    build_manifest,
    file_sha256,
    input_changed,
    manifest_bytes,
    output_frames,
    read_manifest,
    rerun,
    saved_score_row,
    write_run,
)
from .replay import ReplayReport, locate_input, replay
from ..output.rundir import run_directory, write_run_files

__all__ = ["MANIFEST_FORMAT", "OUTPUT_FILES", "RUN_FORMATS", "ReplayReport", "build_manifest",
           "file_sha256", "input_changed", "locate_input", "manifest_bytes", "output_frames",
           "read_manifest", "replay", "rerun", "run_directory", "saved_score_row",
           "write_run", "write_run_files"]
