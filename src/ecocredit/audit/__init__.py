"""Audit: the manifest that pins a run, replay, atomic run directories.

Modules: :mod:`~ecocredit.audit.manifest` (write a run with its manifest, replay it).
"""

from __future__ import annotations

from .manifest import (
    MANIFEST_FORMAT,
    OUTPUT_FILES,
    ReplayReport,
    build_manifest,
    file_sha256,
    input_changed,
    manifest_bytes,
    output_frames,
    read_manifest,
    replay,
    rerun,
    saved_score_row,
    write_run,
)

__all__ = ["MANIFEST_FORMAT", "OUTPUT_FILES", "ReplayReport", "build_manifest", "file_sha256",
           "input_changed", "manifest_bytes", "output_frames", "read_manifest", "replay",
           "rerun", "saved_score_row", "write_run"]
