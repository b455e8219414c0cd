"""Atomic run directories: a reader (or a kill) never sees half of one run beside another.

A run is built in a new directory beside its target (``.NAME.ecocredit-new-XXXX`` in the same
parent, so on the same file system), then swapped with the target in one step: Linux's
``renameat2(RENAME_EXCHANGE)`` exchanges the two directories atomically; elsewhere the old
directory is renamed aside and the new one into place (a kill between the two renames leaves
the old run aside, and the next run puts it back before anything else). The old run is then
deleted. Whatever the moment of a kill, the target holds either the whole old run or the whole
new one; what a killed run leaves behind (its half-built directory, the old run it had moved
aside, temporary files of older versions) is removed by the next run into the same target.

Writers of one target are serialized: each holds an exclusive ``flock`` on the target
directory itself while it cleans, builds and swaps (the kernel drops the lock when a process
dies, so a killed run never blocks the next one). A second writer waits, then builds its own
whole run; the target ends as one run or the other, never a mixture.

Files the user keeps in the target that a run does not write (notes, copies of the inputs)
are carried over into the new run (hard links, copies where links are impossible).

Modes follow the umask: directories ``0777 & ~umask``, files ``0666 & ~umask``.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

try:  # POSIX; without it (Windows) writers are not serialized
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["run_directory", "write_run_files", "RUN_FILES", "current_umask"]

#: every file name a run of ecocredit writes (score, inspection-frequency, draw, with and
#: without --xlsx): these are never carried over from the old run into the new one
RUN_FILES = frozenset(
    [f"{n}.{ext}" for n in ("scores", "contributions", "rejects", "frequency", "plan",
                            "plan_public", "shortfall", "officer_load")
     for ext in ("csv", "xlsx")] + ["manifest.json", "explain.parquet"])
# temporary files of earlier versions (write_files_atomically, the partitioned engine)
_OLD_TEMPS = re.compile(r"^\.(.+\.tmp|ecocredit-parts-.*)$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # pragma: no cover  (not Linux)
    os.umask(mask)
    return mask


def _prefix(target: Path) -> str:
    return f".{target.name}.ecocredit-"


def _lock(target: Path) -> int | None:
    """Create ``target`` if needed and hold an exclusive lock on it; return the descriptor.

    The lock is on the directory itself; after a swap the path names a new directory, so a
    writer that was waiting checks that it locked what the path names now, or tries again.
    """
    while True:
        _recover_moved_aside(target)
        target.mkdir(parents=True, exist_ok=True)
        if fcntl is None:  # pragma: no cover
            return None
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            now = os.stat(target)
        except FileNotFoundError:
            now = None
        held = os.fstat(fd)
        if now is not None and (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev):
            return fd
        os.close(fd)


def _recover_moved_aside(target: Path) -> None:
    """Without an atomic exchange, a kill between the two renames leaves no target and the
    old run aside: put it back."""
    if target.exists():
        return
    aside = sorted(target.parent.glob(_prefix(target) + "old-*"))
    if aside:
        with contextlib.suppress(OSError):
            os.rename(aside[-1], target)


def _clean_stale(target: Path) -> None:
    """Remove what killed runs left: their build directories, old runs set aside, and the
    hidden temporary files older versions wrote into the target itself."""
    for p in target.parent.glob(_prefix(target) + "*"):
        _remove(p)
    for p in target.iterdir():
        if _OLD_TEMPS.match(p.name):
            _remove(p)


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _follow_umask(stage: Path) -> None:
    """Give everything a run wrote the modes the umask asks for (temporary files are
    created 0600 by ``mkstemp``, here and in the engines)."""
    mask = current_umask()
    for root, dirs, files in os.walk(stage):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o777 & ~mask)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, 0o666 & ~mask)
    os.chmod(stage, 0o777 & ~mask)


def _carry_over(old: Path, new: Path) -> None:
    """Keep the user's own files: every entry of the old run that runs do not write."""
    for p in old.iterdir():
        if p.name in RUN_FILES or _OLD_TEMPS.match(p.name) or (new / p.name).exists():
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.copytree(p, new / p.name, symlinks=True, copy_function=_link_or_copy)
        elif p.is_symlink():
            os.symlink(os.readlink(p), new / p.name)
        else:
            _link_or_copy(str(p), str(new / p.name))


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux ≥ 3.15, glibc ≥ 2.28); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(stage: Path, target: Path) -> None:
    """Put the built run in place of the target, atomically; delete the old run."""
    _carry_over(target, stage)
    if _exchange(stage, target):
        old = stage  # the old run now has the build directory's name
    else:
        old = target.parent / (_prefix(target) + "old-" + secrets.token_hex(4))
        os.rename(target, old)
        os.rename(stage, target)
    _fsync_dir(target.parent)
    _remove(old)


def _fsync_dir(d: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def run_directory(target: str | Path) -> Iterator[Path]:
    """Build a run in a new directory and swap it in place of ``target`` on success.

    Parameters
    ----------
    target : str or Path
        The output directory (``--out``); created if needed.

    Yields
    ------
    Path
        The directory to write the run's files into. When the block ends normally it replaces
        ``target`` atomically; when it raises, it is deleted and ``target`` is left as it was.

    Raises
    ------
    OSError
        If the target's parent cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "out"
    >>> with run_directory(out) as d:
    ...     _ = (d / "scores.csv").write_bytes(b"firm_id\\n")
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['scores.csv'], ['out'])
    """
    target = Path(os.path.abspath(target))
    if target.is_symlink():  # swap the directory it names, not the link
        target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = _lock(target)
    try:
        _clean_stale(target)
        stage = target.parent / (_prefix(target) + "new-" + secrets.token_hex(4))
        os.mkdir(stage, 0o777)
        try:
            yield stage
            _follow_umask(stage)
            _swap_in(stage, target)
        except BaseException:
            _remove(stage)
            raise
    finally:
        if fd is not None:
            os.close(fd)


def write_run_files(out_dir: str | Path, files: Mapping[str, bytes]) -> None:
    """Write a whole run (file name → bytes, the manifest among them) as one atomic directory
    switch (:func:`run_directory`)."""
    with run_directory(out_dir) as stage:
        for name, data in files.items():
            write_file(stage / name, data)


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) with ``data``, flushed to disk, mode per umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
