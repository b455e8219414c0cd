"""Where the parts run: in this process, on a ``concurrent.futures`` executor, or on a
``dask.distributed`` client."""

from __future__ import annotations

from concurrent.futures import Executor, as_completed
from typing import Any, Callable, Sequence

from ..progress import counted


def _run_parts(fn: Callable[..., Any], parts: Sequence[Any], opt: Any, executor: Any) -> list:
    with counted("scoring the parts", len(parts)) as done:
        return _collect(fn, parts, opt, executor, done)


def _collect(fn: Callable[..., Any], parts: Sequence[Any], opt: Any, executor: Any,
             done: Callable[[], None]) -> list:
    """The parts' results in the parts' order; ``done`` is called as each part finishes."""
    if executor is None:
        out = []
        for p in parts:
            out.append(fn(p, opt))
            done()
        return out
    if hasattr(executor, "gather") and hasattr(executor, "scatter"):  # a dask.distributed Client
        [opt_f] = executor.scatter([opt], broadcast=True)
        futures = executor.map(fn, parts, opt=opt_f, pure=False)
        return executor.gather(futures)
    if isinstance(executor, Executor) or hasattr(executor, "submit"):
        futures = [executor.submit(fn, p, opt) for p in parts]
        for _ in as_completed(futures):
            done()
        return [f.result() for f in futures]
    raise TypeError(f"executor must be a concurrent.futures.Executor or a dask.distributed "
                    f"Client; got {type(executor).__name__}")



def _workers(executor: Any) -> int:
    if executor is None:
        return 1
    if hasattr(executor, "nthreads"):
        try:
            return max(1, sum(executor.nthreads().values()))
        except Exception:  # pragma: no cover - a client without workers yet
            return 1
    return int(getattr(executor, "_max_workers", 1) or 1)
