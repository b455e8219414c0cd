"""Manifests of supervision runs (frequency tables, draws): policy, inputs and outputs by hash,
no clock time; written atomically after the files they describe."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .policy import Policy


def policy_manifest(kind: str, version: int, policy: Policy,
                    inputs: Mapping[str, Any] | None, outputs: Mapping[str, bytes] | None,
                    **body: Any) -> dict[str, Any]:
    """The manifest of an output of the inspection tools (no clock time in it).

    Parameters
    ----------
    kind, version : str, int
        The output format (``ecocredit-frequency``, ``ecocredit-draw``) and its version.
    policy : Policy
        Recorded by id, version, SHA-256 and source file.
    inputs : mapping
        Table → the file it was read from, or a list of files: recorded by path, the name as
        given, and SHA-256.
    outputs : mapping
        File name → its bytes: recorded by SHA-256.
    **body
        The output's own entries (date, seed, counts ...).
    """
    from .. import __version__

    def entry(path: Any) -> dict[str, str]:
        pp = Path(path)
        return {"path": str(pp.resolve()), "name": str(path),
                "sha256": hashlib.sha256(pp.read_bytes()).hexdigest()}

    ins = {table: [entry(x) for x in path] if isinstance(path, (list, tuple)) else entry(path)
           for table, path in (inputs or {}).items()}
    source = str(Path(policy.source).resolve()) if policy.source else ""
    return dict(
        body, inputs=ins, format=kind, format_version=version,
        outputs={k: hashlib.sha256(v).hexdigest() for k, v in (outputs or {}).items()},
        policy=dict(id=policy.id, version=policy.version, sha256=policy.sha256, source=source),
        package=dict(name="ecocredit", version=__version__))


def write_with_manifest(out_dir: str | Path, files: Mapping[str, bytes],
                        manifest: Any) -> dict[str, Any]:
    """Write ``files`` and then ``manifest.json`` (``manifest(files)``, which hashes them) into
    ``out_dir`` as one atomic directory switch; return the manifest."""
    import json

    from ..output.rundir import write_run_files

    m = manifest(files)
    out = dict(files)
    out["manifest.json"] = (json.dumps(m, indent=2, ensure_ascii=False, sort_keys=True)
                            + "\n").encode("utf-8")
    write_run_files(out_dir, out)
    return m

