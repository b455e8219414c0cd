"""Progress of long work, shown on stderr while a command runs.

The library marks where its long work is (:func:`phase`: "reading and checking the inputs",
"scoring", "writing the outputs"; :func:`counted`: parts scored of the partitioned engine,
quarters drawn); nothing is shown unless a command turned a display on with :func:`shown`,
which the command line does only when stderr is a terminal and ``--quiet`` is not given.
So programs, tests, pipes and the golden transcripts see exactly what they saw before, and
the library never prints.

The display is `rich <https://rich.readthedocs.io>`_'s live progress (refreshed by its own
thread, so the elapsed time moves during a long step), transient (it disappears when the
work ends, leaving the command's own output), and it appears only after
:data:`DELAY_SECONDS`: quick commands never flash it. rich is imported only when the display
is on.

Examples
--------
>>> with phase("scoring"):  # no display turned on: does nothing
...     pass
>>> with counted("scoring the parts", 3) as done:
...     for _ in range(3):
...         done()
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["shown", "enabled_for", "phase", "counted", "DELAY_SECONDS"]

#: work shorter than this shows nothing (environment variable ``ECOCREDIT_PROGRESS_DELAY``)
DELAY_SECONDS = float(os.environ.get("ECOCREDIT_PROGRESS_DELAY", "1.5"))

_display: contextvars.ContextVar[_Display | None] = contextvars.ContextVar(
    "ecocredit_progress", default=None)


class _Display:
    """One live display for a command: a line per phase (spinner, text, elapsed time), a bar
    for counted work. Started by a timer after :data:`DELAY_SECONDS`."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.lock = threading.Lock()
        self.live: Any = None
        self.task: Any = None
        self.state: tuple[str, int | None, int] = ("", None, 0)
        self.counting = 0
        self.timer = threading.Timer(DELAY_SECONDS, self._start)
        self.timer.daemon = True
        self.timer.start()
        self.t0 = time.monotonic()

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, Progress, SpinnerColumn, TextColumn,
                                   TimeElapsedColumn)

        with self.lock:
            if self.live is not None or self.timer is None:
                return
            self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                 BarColumn(), TextColumn("{task.fields[count]}"),
                                 TimeElapsedColumn(),
                                 console=Console(stderr=True), transient=True)
            self.live.start()
            self._show()

    def _show(self) -> None:
        if self.live is None:
            return
        what, total, done = self.state
        text = f"{self.title}: {what}" if what else self.title
        count = f"{done}/{total}" if total is not None else ""
        if self.task is None:
            self.task = self.live.add_task(text, total=total, completed=done, count=count)
        else:
            self.live.update(self.task, description=text, total=total, completed=done,
                             count=count)

    def set(self, what: str, total: int | None = None, done: int = 0) -> None:
        with self.lock:
            self.state = (what, total, done)
            self._show()

    def stop(self) -> None:
        with self.lock:
            self.timer.cancel()
            self.timer = None  # type: ignore[assignment]
            if self.live is not None:
                self.live.stop()
                self.live = None


@contextlib.contextmanager
def shown(title: str, enabled: bool) -> Iterator[None]:
    """Show the progress of the work inside the block on stderr, if ``enabled``.

    Parameters
    ----------
    title : str
        What the command does (``ecocredit score``).
    enabled : bool
        The command line passes ``not quiet and sys.stderr.isatty()``.
    """
    if not enabled:
        yield
        return
    d = _Display(title)
    token = _display.set(d)
    try:
        yield
    finally:
        _display.reset(token)
        d.stop()


def enabled_for(quiet: bool) -> bool:
    """Whether a command shows progress: not ``--quiet`` and stderr is a terminal."""
    try:
        return not quiet and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def phase(what: str) -> Iterator[None]:
    """Mark a step of long work (shown while the step runs, when a display is on)."""
    d = _display.get()
    if d is not None and not d.counting:  # inside counted work, the count is what is shown
        d.set(what)
    yield


@contextlib.contextmanager
def counted(what: str, total: int) -> Iterator[Callable[[], None]]:
    """Mark work of ``total`` units; call the function it gives after each unit."""
    d = _display.get()
    done = 0

    def one() -> None:
        nonlocal done
        done += 1
        if d is not None:
            d.set(what, total, done)

    if d is None:
        yield one
        return
    d.set(what, total, 0)
    d.counting += 1
    try:
        yield one
    finally:
        d.counting -= 1
