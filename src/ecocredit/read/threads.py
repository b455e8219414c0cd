"""The threads that check the columns of a large table side by side."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

#: threads that encode the columns of a large table side by side (Arrow and numpy release
#: the GIL); the results do not depend on their number or order
_THREADS = max(1, min(4, os.cpu_count() or 1))


#: below this many rows a table is checked on one thread (starting threads would cost more)
_THREADED_ROWS = 200_000


def _in_threads(jobs: Mapping[str, Callable[[], Any]], rows: int) -> dict[str, Any]:
    """Run independent jobs on the ingest threads; their results by name."""
    if _THREADS == 1 or len(jobs) < 2 or rows < _THREADED_ROWS:
        return {k: f() for k, f in jobs.items()}
    with ThreadPoolExecutor(_THREADS) as pool:
        futures = {k: pool.submit(f) for k, f in jobs.items()}
        return {k: f.result() for k, f in futures.items()}
