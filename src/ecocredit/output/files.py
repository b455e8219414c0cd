"""Files written atomically: a reader never sees a half-written file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["write_files_atomically"]


def write_files_atomically(out_dir: str | Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary name in ``out_dir``, then rename each into place.

    A reader never sees a half-written file; the files named last in ``files`` (put the
    manifest there) appear last. Files are created with mode ``0666 & ~umask``. For a whole
    run directory (several files that belong together) use
    :func:`ecocredit.output.rundir.write_run_files`, which switches the directory atomically.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            # created like any file (mode per umask), under a name no one else uses
            tmp = str(out / f".{name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            temps.append((name, Path(tmp)))
        for name, tmp in temps:
            os.replace(tmp, out / name)
    finally:
        for _, tmp in temps:
            if tmp.exists():
                tmp.unlink()
