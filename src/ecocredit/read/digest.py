"""SHA-256 of input files taken while they are read, so the manifest need not read them again.

Each input file (CSV or Parquet) is hashed in a thread beside Arrow's read of it
(:func:`hashed_beside`: hashlib releases the GIL, and the second read of the bytes comes from
the page cache). Each digest is remembered under
the file's resolved path, size and modification time; :func:`~ecocredit.audit.file_sha256`
takes a remembered digest when the file is still the same, and reads the file otherwise.

Measured on the province set (``benchmarks/RESULTS.md``): the inputs (1.06 GB) were read twice,
once by the reader and once by the manifest; hashing them costs about 1.3 s of CPU, now spent
in a thread while Arrow's threads parse.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

__all__ = ["hash_file", "hashed_beside", "remember", "remembered"]

_lock = threading.Lock()
#: (resolved path, size, mtime_ns) → hex digest; a few entries per run
_DIGESTS: dict[tuple[str, int, int], str] = {}
_BLOCK = 1 << 24


def _key(p: str | Path) -> tuple[str, int, int]:
    st = os.stat(p)
    return str(Path(p).resolve()), st.st_size, st.st_mtime_ns


def remember(p: str | Path, digest: str, key: tuple[str, int, int] | None = None) -> None:
    """Record ``digest`` as the SHA-256 of ``p`` as it is now (or as it was at ``key``)."""
    with _lock:
        _DIGESTS[key or _key(p)] = digest


def remembered(p: str | Path) -> str | None:
    """The digest taken while ``p`` was read, if the file has not changed since."""
    try:
        k = _key(p)
    except OSError:
        return None
    with _lock:
        return _DIGESTS.get(k)


def hash_file(p: str | Path) -> str:
    """SHA-256 of a file read in 16 MiB blocks, remembered for the manifest."""
    key = _key(p)
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while chunk := fh.read(_BLOCK):
            h.update(chunk)  # the GIL is released while a block is hashed
    digest = h.hexdigest()
    if _key(p) == key:  # not rewritten while it was hashed
        remember(p, digest, key)
    return digest


@contextmanager
def hashed_beside(p: str | Path) -> Iterator[Future]:
    """Hash ``p`` in a thread while the body reads it (the future gives the digest). The
    thread is waited for on leaving; a failed hash is ignored (the manifest then reads the file
    itself)."""
    with ThreadPoolExecutor(1, thread_name_prefix="ecocredit-hash") as pool:
        fut = pool.submit(hash_file, p)
        try:
            yield fut
        finally:
            fut.exception()  # wait; never raise from here
