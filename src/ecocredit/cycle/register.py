"""The credit register: every decision of the evaluation cycle, append-only and hash-chained.

One store of the published state of every firm over time (issue 13): the draft and final
results, the changes made on objection, the dynamic adjustments and the repairs, each with the
firm, ruleset, period, stage, grade, list and its end, the day it takes effect, the publication
it belongs to, the run and rule that caused it, and the evidence. The measure checks made at the
point of action (触发留痕) go to a second table, ``trace``.

Append-only and tamper-evident: a correction is a new record that names the one it
``supersedes``, never an edit; each record carries ``hash = SHA-256(canonical JSON of its
fields, including prev_hash)`` where ``prev_hash`` is the hash of the record before it, so
changing one byte of any stored record breaks the chain from there (:meth:`Register.verify`).
A chain cannot show a cut at its end, nor a chain recomputed from the first record: that takes
a :class:`Head` kept elsewhere (each write leaves :attr:`Register.last_head`; ``verify(expect=)``).

Storage is SQLAlchemy Core, one code path for an embedded SQLite file (the default: a path) and
a PostgreSQL server (a URL such as ``postgresql://user@host/db``, driver psycopg). Every command
writes in ONE transaction that first takes the register's write lock (SQLite ``BEGIN
IMMEDIATE``; PostgreSQL ``pg_advisory_xact_lock``), so concurrent writers are serialised, each
batch is contiguous and the chain stays intact; a process killed before commit leaves the
register as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import pandas as pd
import sqlalchemy as sa

from ..errors import EcocreditError

if TYPE_CHECKING:
    from .verify import VerifyReport

__all__ = ["Register", "RegisterError", "Head", "parse_head", "STAGES",
           "IN_FORCE_STAGES", "DECISION_FIELDS", "TRACE_FIELDS"]

STAGES = ("draft", "objection", "final", "adjustment", "repair")
#: stages whose records put a grade in force (a draft or an objection change is not in force)
IN_FORCE_STAGES = ("final", "adjustment", "repair")
_LOCK_KEY = 0x45434F43  # "ECOC": the PostgreSQL advisory lock of the register's writers
GENESIS = "0" * 64

DECISION_FIELDS = ["seq", "batch", "recorded_at", "stage", "firm_id", "ruleset",
                   "ruleset_version", "period", "grade", "grade_label", "sub_level", "list",
                   "list_until", "effective_from", "effective_to", "published_on",
                   "publication_end", "run_id", "run_dir", "rule_id", "reason", "evidence",
                   "supersedes", "prev_hash", "hash"]
TRACE_FIELDS = ["seq", "batch", "recorded_at", "checked_at", "who", "firm_id", "action", "date",
                "ruleset", "ruleset_version", "period", "grade", "list", "list_until",
                "in_force", "measures", "decision_seq", "prev_hash", "hash"]

_meta = sa.MetaData()


def _table(name: str, fields: list[str]) -> sa.Table:
    cols: list[sa.Column[Any]] = [sa.Column("seq", sa.Integer, primary_key=True,
                                            autoincrement=False)]
    for f in fields[1:]:
        if f in ("supersedes", "decision_seq"):
            cols.append(sa.Column(f, sa.Integer, nullable=True))
        elif f in ("evidence", "reason", "measures", "run_dir", "rule_id"):
            cols.append(sa.Column(f, sa.Text, nullable=False, default=""))
        else:
            cols.append(sa.Column(f, sa.String(200), nullable=False, default=""))
    return sa.Table(name, _meta, *cols)


decisions_table = _table("decisions", DECISION_FIELDS)
sa.Index("ix_decisions_firm", decisions_table.c.firm_id, decisions_table.c.effective_from)
sa.Index("ix_decisions_run", decisions_table.c.run_id, decisions_table.c.stage)
trace_table = _table("trace", TRACE_FIELDS)


class RegisterError(EcocreditError):
    """The register cannot be used, or a command would record something it must not."""


def record_hash(rec: dict[str, Any], fields: Sequence[str]) -> str:
    """SHA-256 of a record's canonical JSON (every field but ``hash``, as text, sorted keys)."""
    body = {f: "" if rec.get(f) is None else str(rec[f]) for f in fields if f != "hash"}
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _url(target: str | Path) -> str:
    t = str(target)
    if "://" in t:
        if t.startswith("postgresql://") or t.startswith("postgres://"):
            return "postgresql+psycopg://" + t.split("://", 1)[1]
        return t
    p = Path(t)
    if p.parent and not p.parent.exists():
        raise RegisterError(f"{t}: the folder for the register file does not exist.")
    return "sqlite:///" + str(p.resolve())


@dataclass(frozen=True)
class Head:
    """The head of the register: per table, the last record's ``seq`` and ``hash``.

    The hash of record #n covers every record up to it (each hash covers the one before), so a
    head kept outside the register (a file, a letter, another system) proves later that records
    #1..#n are all still there, unchanged: the one thing a chain alone cannot prove, since
    cutting off its last records, or recomputing every hash, leaves a chain that checks.

    Attributes
    ----------
    tables : dict of str to (int, str)
        ``{"decisions": (seq, hash), "trace": (seq, hash)}``; an empty table is
        ``(0, "0" * 64)``.
    """

    tables: dict[str, tuple[int, str]]

    def text(self) -> str:
        """``decisions=SEQ:HASH trace=SEQ:HASH``, what ``register verify --expect-head`` takes."""
        return " ".join(f"{t}={n}:{h}" for t, (n, h) in self.tables.items())


def parse_head(text: str) -> dict[str, tuple[int, str]]:
    """A head as printed (``decisions=SEQ:HASH trace=SEQ:HASH``) or ``SEQ:HASH`` (decisions).

    Raises
    ------
    RegisterError
        Not of that form (the hash must be the full 64 hex digits), empty, or naming a
        table twice.
    """
    out: dict[str, tuple[int, str]] = {}
    for part in text.replace(",", " ").split():
        table, _, rest = part.rpartition("=")
        table = table or "decisions"
        n, _, h = rest.partition(":")
        if (table not in ("decisions", "trace") or not n.isdigit() or len(h) != 64
                or any(c not in "0123456789abcdef" for c in h.lower())):
            raise RegisterError(f"head {part!r} is not SEQ:HASH or decisions=SEQ:HASH / "
                                "trace=SEQ:HASH (HASH: the 64 hex digits printed).")
        if table in out:
            raise RegisterError(f"head {text.strip()!r} gives the {table} head twice: give "
                                "each table's head once.")
        out[table] = (int(n), h.lower())
    if not out:
        raise RegisterError("the expected head is empty (give SEQ:HASH).")
    return out


class Writer:
    """Appends records inside one locked transaction (see :meth:`Register.transaction`)."""

    def __init__(self, conn: sa.Connection, batch: str, now: str) -> None:
        self.conn, self.batch, self.now = conn, batch, now

    def _append(self, table: sa.Table, fields: list[str], rows: list[dict[str, Any]]) -> list[int]:
        seq, prev = _last(self.conn, table)
        out, seqs = [], []
        for r in rows:
            seq += 1
            rec = {f: "" for f in fields if f not in ("supersedes", "decision_seq")}
            rec.update({k: v for k, v in r.items() if k in fields})
            rec.update(seq=seq, batch=self.batch, recorded_at=self.now, prev_hash=prev)
            for f in fields:
                if f in ("supersedes", "decision_seq"):
                    rec[f] = None if rec.get(f) in (None, "") else int(rec[f])
                elif rec.get(f) is None:
                    rec[f] = ""
                else:
                    rec[f] = str(rec[f])
            rec["seq"] = seq
            rec["hash"] = prev = record_hash(rec, fields)
            out.append(rec)
            seqs.append(seq)
        for i in range(0, len(out), 5000):
            self.conn.execute(table.insert(), out[i:i + 5000])
        return seqs

    def add_decisions(self, rows: list[dict[str, Any]]) -> list[int]:
        """Append decision records (the fields of :data:`DECISION_FIELDS`); their seq numbers."""
        bad = {r.get("stage") for r in rows} - set(STAGES)
        if bad:
            raise ValueError(f"unknown stages {bad}")
        return self._append(decisions_table, DECISION_FIELDS, rows)

    def add_trace(self, rows: list[dict[str, Any]]) -> list[int]:
        """Append measure checks (the fields of :data:`TRACE_FIELDS`)."""
        return self._append(trace_table, TRACE_FIELDS, rows)

    def published(self, run_id: str, stage: str) -> pd.DataFrame:
        """The records of ``run_id`` at ``stage`` already in the register (read under the lock)."""
        t = decisions_table
        q = sa.select(t).where(t.c.run_id == run_id, t.c.stage == stage).limit(1)
        return pd.DataFrame(self.conn.execute(q).mappings().all(), columns=DECISION_FIELDS)


class Register:
    """The credit register at a SQLite file path or a database URL.

    Parameters
    ----------
    target : str or Path
        A file path (an embedded SQLite database, created on first use) or a URL such as
        ``postgresql://user@host:port/db``.

    Raises
    ------
    RegisterError
        The database cannot be reached or opened.

    Examples
    --------
    >>> import tempfile, os
    >>> reg = Register(os.path.join(tempfile.mkdtemp(), "register.sqlite"))
    >>> with reg.transaction() as w:
    ...     w.add_decisions([{"stage": "final", "firm_id": "91360102000000019F", "grade": "blue",
    ...                       "effective_from": "2026-04-01", "published_on": "2026-04-01"}])
    [1]
    >>> reg.in_force(["91360102000000019F"], "2026-05-01")["grade"].tolist()
    ['blue']
    >>> reg.verify().ok
    True
    """

    def __init__(self, target: str | Path) -> None:
        self.target = str(target)
        #: the head left by this object's last committed transaction (None before one)
        self.last_head: Head | None = None
        url = _url(target)
        self.dialect = url.split(":", 1)[0].split("+", 1)[0]
        try:
            if self.dialect == "sqlite":
                self.engine = sa.create_engine(url, connect_args={"timeout": 300})
                sa.event.listen(self.engine, "connect", _sqlite_connect)
                sa.event.listen(self.engine, "begin", _sqlite_begin)
            else:
                self.engine = sa.create_engine(url, pool_pre_ping=True)
            with self.engine.execution_options(ecocredit_write=True).begin() as conn:
                self._lock(conn)
                _meta.create_all(conn)
        except sa.exc.NoSuchModuleError:
            raise RegisterError(f"{self.target}: no database driver for this URL (PostgreSQL "
                                "needs `pip install 'ecocredit[postgresql]'`).") from None
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(f"{_safe(self.target)}: cannot open the register "
                                f"({_first_line(exc)}).") from None
        except ModuleNotFoundError as exc:
            raise RegisterError(f"{self.target}: the database driver is not installed "
                                f"({exc.name}; pip install 'ecocredit[postgresql]').") from None

    def _lock(self, conn: sa.Connection) -> None:
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """One locked transaction: everything appended in it is committed together or not at all.

        The lock is taken first, so the last hash read and the records appended belong to one
        serial history even with several writers. Read through ``Writer.conn`` inside it (another
        connection would wait for the lock). ``ECOCREDIT_CYCLE_PAUSE=SECONDS`` (a test
        hook) sleeps after the records are appended, before the commit.
        """
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        try:
            with self.engine.execution_options(ecocredit_write=True).begin() as conn:
                self._lock(conn)
                w = Writer(conn, uuid.uuid4().hex[:16], now)
                yield w
                head = _head(conn)  # under the lock: the head this transaction leaves
                pause = os.environ.get("ECOCREDIT_CYCLE_PAUSE")
                if pause:
                    marker = os.environ.get("ECOCREDIT_CYCLE_PAUSE_MARKER")
                    if marker:
                        Path(marker).write_text(w.batch)
                    time.sleep(float(pause))
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(f"{_safe(self.target)}: the register could not record the "
                                f"decisions, nothing was written ({_first_line(exc)}).") from None
        self.last_head = head  # committed

    def head(self) -> Head:
        """The register's head now (:class:`Head`)."""
        try:
            with self.engine.connect() as conn:
                return _head(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(f"{_safe(self.target)}: cannot read the register "
                                f"({_first_line(exc)}).") from None

    # ---- queries ------------------------------------------------------------------------

    def _frame(self, q: Any, fields: list[str]) -> pd.DataFrame:
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(q).mappings().all()
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(f"{_safe(self.target)}: cannot read the register "
                                f"({_first_line(exc)}).") from None
        df = pd.DataFrame([dict(r) for r in rows], columns=fields)
        for f in ("supersedes", "decision_seq"):
            if f in df.columns:
                df[f] = df[f].astype("Int64")
        return df

    def decisions(self, *, firm_id: str | None = None, stage: str | None = None,
                  run_id: str | None = None) -> pd.DataFrame:
        """Decision records in register order (``seq``), optionally for one firm/stage/run."""
        t = decisions_table
        q = sa.select(t).order_by(t.c.seq)
        if firm_id is not None:
            q = q.where(t.c.firm_id == firm_id.strip().upper())
        if stage is not None:
            q = q.where(t.c.stage == stage)
        if run_id is not None:
            q = q.where(t.c.run_id == run_id)
        return self._frame(q, DECISION_FIELDS)

    def trace(self) -> pd.DataFrame:
        """The measure checks (触发留痕) in register order."""
        return self._frame(sa.select(trace_table).order_by(trace_table.c.seq), TRACE_FIELDS)

    def publication(self, run_id: str, stage: str) -> dict[str, str] | None:
        """Publication date, end and ruleset of ``run_id`` at ``stage``, or None if unpublished."""
        d = self.decisions(run_id=run_id, stage=stage)
        if d.empty:
            return None
        r = d.iloc[0]
        return {k: str(r[k]) for k in ("published_on", "publication_end", "ruleset", "period",
                                       "run_dir", "batch")}

    def in_force(self, firm_ids: Sequence[str], on: str | dt.date) -> pd.DataFrame:
        """The record in force for each firm on a day (firms with none are left out).

        The record in force is the latest of stage final, adjustment or repair whose
        ``effective_from`` is on or before the day (ties: the later record), with
        ``effective_to`` filled in as the day before the next such record takes effect.
        """
        day = on.isoformat() if isinstance(on, dt.date) else str(on)
        ids = sorted({f.strip().upper() for f in firm_ids})
        t = decisions_table
        parts = []
        for i in range(0, len(ids), 900):
            q = (sa.select(t).where(t.c.firm_id.in_(ids[i:i + 900]),
                                    t.c.stage.in_(IN_FORCE_STAGES)).order_by(t.c.seq))
            parts.append(self._frame(q, DECISION_FIELDS))
        d = pd.concat(parts, ignore_index=True) if parts else self._frame(
            sa.select(t).where(sa.false()), DECISION_FIELDS)
        d = d.sort_values(["firm_id", "effective_from", "seq"], kind="stable")
        nxt = d.groupby("firm_id")["effective_from"].shift(-1)
        d["effective_to"] = [
            (dt.date.fromisoformat(n) - dt.timedelta(days=1)).isoformat()
            if isinstance(n, str) and n else e for n, e in zip(nxt, d["effective_to"])]
        d = d[d["effective_from"] <= day]
        return d.groupby("firm_id").tail(1).reset_index(drop=True)

    def verify(self, expect: dict[str, tuple[int, str]] | str | None = None) -> VerifyReport:
        """Recompute every hash and link of both chains; report the first breaks.

        Parameters
        ----------
        expect : dict or str, optional
            A head taken earlier and kept elsewhere (:class:`Head` tables, or its text, see
            :func:`parse_head`): the record of that number must be in the chain with that
            hash, which proves no record up to it was removed or changed since. Without it,
            the removal of the last records (or a chain recomputed from the first record)
            cannot be seen: each remaining hash still checks.

        Returns
        -------
        VerifyReport
            ``ok`` False when a hash or link does not check, a trace record or a decision
            names a decision that is not there (``decision_seq``, ``supersedes``), or the
            expected head is not found (:mod:`ecocredit.cycle.verify`).
        """
        from .verify import verify_register

        return verify_register(self, expect)

    def dispose(self) -> None:
        """Close the connections."""
        self.engine.dispose()


def _last(conn: sa.Connection, table: sa.Table) -> tuple[int, str]:
    last = conn.execute(sa.select(table.c.seq, table.c.hash)
                        .order_by(table.c.seq.desc()).limit(1)).first()
    return (int(last[0]), str(last[1])) if last else (0, GENESIS)


def _head(conn: sa.Connection) -> Head:
    return Head({"decisions": _last(conn, decisions_table), "trace": _last(conn, trace_table)})


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)


def _sqlite_begin(conn: sa.Connection) -> None:
    # a writer takes the write lock at the start: the last hash read belongs to its history;
    # readers begin a deferred transaction (a consistent snapshot, no lock held)
    write = conn.get_execution_options().get("ecocredit_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _first_line(exc: BaseException) -> str:
    s = str(getattr(exc, "orig", None) or exc)
    return s.splitlines()[0] if s else type(exc).__name__


def _safe(target: str) -> str:
    """A URL without its password."""
    if "://" in target and "@" in target:
        scheme, rest = target.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        return f"{scheme}://{cred.split(':', 1)[0]}@{host}"
    return target
