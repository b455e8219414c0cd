"""``ecocredit score --engine partitioned|dask``: the partitioned file path on local processes
or on a Dask cluster."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Mapping

from ..errors import EcocreditError
from ..ruleset import Ruleset
from .files import PartitionedRun, score_files_partitioned

__all__ = ["score_on_engine"]


def score_on_engine(engine: str, inputs: Mapping[str, str | Path], ruleset: Ruleset | str | Path,
                    *, period: str | int, out: str | Path, as_of: dt.date | str | None = None,
                    today: dt.date | str | None = None, partitions: int | None = None,
                    workers: int | None = None, allow_codes: Any = None) -> PartitionedRun:
    """``ecocredit score --engine partitioned|dask``: :func:`score_files_partitioned` on local
    processes, or on a Dask cluster.

    ``dask`` connects to the scheduler named by the environment variable
    ``DASK_SCHEDULER_ADDRESS`` (a real cluster: the part files go to a scratch directory next
    to ``out``, which the workers must see, e.g. a shared file system), or starts a local
    cluster with one single-threaded worker process per core.
    """
    workers = workers or os.cpu_count() or 1
    kw = dict(period=period, out=out, measurements=inputs.get("measurements"),
              history=inputs.get("history"), as_of=as_of, today=today, partitions=partitions,
              allow_codes=allow_codes)
    if engine == "partitioned":
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods()
                             else "spawn")
        with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                           executor=ex, **kw)
    if engine == "dask":
        try:
            import logging

            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EcocreditError("--engine dask needs dask.distributed: pip install "
                                 "'ecocredit[dask]'.") from None
        address = os.environ.get("DASK_SCHEDULER_ADDRESS")
        if address:
            with Client(address) as client:
                return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                               executor=client, **kw)
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            return score_files_partitioned(inputs["firms"], inputs["events"], ruleset,
                                           executor=client, **kw)
    if engine == "local":
        return score_files_partitioned(inputs["firms"], inputs["events"], ruleset, **kw)
    raise EcocreditError(f"unknown engine {engine!r}: local, partitioned or dask.")
