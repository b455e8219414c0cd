"""Verification of the credit register: the hash chains, the expected head, the cross-references.

Three checks, each seeing what the others cannot:

* each chain (``decisions``, ``trace``): every record's number follows the one before, its
  ``prev_hash`` is the hash of the record before it and its own hash still matches its fields, so
  a record changed, removed in the middle or re-linked shows;
* the cross-references inside the register: a trace record's ``decision_seq`` and a decision's
  ``supersedes`` must name a decision that is there. The trace chain is hash-chained on its own,
  so a decision cut from the end of its chain while a trace record still names it shows here
  even without a head kept elsewhere;
* a head kept elsewhere (``expect``): the record of that number is in the chain with that hash,
  which proves no record up to it was removed or changed, the one thing the register cannot
  prove about itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from .register import (DECISION_FIELDS, GENESIS, TRACE_FIELDS, Head, RegisterError, _first_line,
                       _safe, decisions_table, parse_head, record_hash, trace_table)

if TYPE_CHECKING:
    from .register import Register

__all__ = ["VerifyReport", "verify_register"]

#: the columns that name a decision, per table: (table, column, how the message names it)
_REFERENCES = (("trace", "decision_seq", "trace"), ("decisions", "supersedes", "decisions"))


@dataclass
class VerifyReport:
    """What :meth:`Register.verify` found: ``ok``, the records checked, the first problems.

    ``head`` is the head found (:class:`Head`); ``expected`` the head it was checked against
    (``{}`` when none was given: then the removal of the last records cannot be seen, unless a
    trace record or a later decision names one of them).
    """

    ok: bool
    records: dict[str, int]
    problems: list[str] = field(default_factory=list)
    head: Head | None = None
    expected: dict[str, tuple[int, str]] = field(default_factory=dict)

    def text(self) -> str:
        n = ", ".join(f"{v} {k}" for k, v in self.records.items())
        if not self.ok:
            return "\n".join([f"Register chain BROKEN ({n} records):"] + ["  " + p for p in
                                                                            self.problems])
        lines = [f"Register chain intact: {n} records, every hash verified."]
        if self.head is not None:
            lines.append(f"Head: {self.head.text()}")
        if self.expected:
            at = ", ".join(f"{t} #{s}" for t, (s, _) in self.expected.items())
            lines.append(f"The expected head is in the chain ({at}): no record up to it was "
                         "removed or changed.")
        else:
            lines.append("No expected head given (--expect-head): records removed from the "
                         "end would not show.")
        return "\n".join(lines)


def verify_register(reg: Register,
                    expect: dict[str, tuple[int, str]] | str | None = None) -> VerifyReport:
    """Recompute every hash and link of both chains, check the cross-references and the head.

    Parameters
    ----------
    reg : Register
        The register read.
    expect : dict or str, optional
        A head taken earlier and kept elsewhere (see :meth:`Register.verify`).

    Returns
    -------
    VerifyReport
        ``ok`` False when a hash or link does not check, a cross-reference names a decision
        that is not there, or the expected head is not found.

    Raises
    ------
    RegisterError
        The register cannot be read.
    """
    expected = parse_head(expect) if isinstance(expect, str) else dict(expect or {})
    problems: list[str] = []
    counts: dict[str, int] = {}
    last: dict[str, tuple[int, str]] = {}
    seqs: dict[str, set[int]] = {}
    refs: list[tuple[int, str, int]] = []  # (named decision, table naming it, its seq)
    for name, table, fields in (("decisions", decisions_table, DECISION_FIELDS),
                                ("trace", trace_table, TRACE_FIELDS)):
        want = expected.get(name)
        prev, expect_seq, n, at_want = GENESIS, 1, 0, GENESIS if want and not want[0] else None
        seqs[name] = set()
        try:
            with reg.engine.connect() as conn:
                for row in conn.execute(sa.select(table).order_by(table.c.seq)).mappings():
                    n += 1
                    rec = dict(row)
                    problems += _link_problems(name, rec, fields, expect_seq, prev)
                    seqs[name].add(rec["seq"])
                    refs += _references(name, rec)
                    if want and rec["seq"] == want[0]:
                        at_want = rec["hash"]
                    prev, expect_seq = rec["hash"], rec["seq"] + 1
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(f"{_safe(reg.target)}: cannot read the register "
                                f"({_first_line(exc)}).") from None
        counts[name], last[name] = n, (expect_seq - 1, prev)
        if want:
            problems += _head_problems(name, want, at_want, expect_seq - 1)
    problems += [f"decisions #{d}, named by {by} #{s}, is missing" for d, by, s in refs
                 if d not in seqs["decisions"]]
    return VerifyReport(ok=not problems, records=counts, problems=problems[:20],
                        head=Head(last), expected=expected)


def _references(name: str, rec: dict[str, Any]) -> list[tuple[int, str, int]]:
    """The decisions one record names: ``(decision seq, its table, its seq)``."""
    out = []
    for table, column, by in _REFERENCES:
        v = rec.get(column) if table == name else None
        if v is not None and str(v).strip() not in ("", "None"):
            try:
                out.append((int(v), by, rec["seq"]))
            except (TypeError, ValueError):
                pass  # not a number: the hash check reports the changed record
    return out


def _link_problems(name: str, rec: dict[str, Any], fields: list[str], expect_seq: int,
                   prev: str) -> list[str]:
    """What is wrong with one record of a chain: its number, its link, its own hash."""
    out = []
    if rec["seq"] != expect_seq:
        out.append(f"{name} #{rec['seq']}: expected #{expect_seq} (a record is missing)")
    if rec["prev_hash"] != prev:
        out.append(f"{name} #{rec['seq']}: prev_hash does not match the hash of the record "
                   "before it")
    if record_hash(rec, fields) != rec["hash"]:
        out.append(f"{name} #{rec['seq']}: the record was changed after it was recorded (its "
                   "hash does not match)")
    return out


def _head_problems(name: str, want: tuple[int, str], found: str | None, last: int) -> list[str]:
    """Whether the expected head ``want`` (seq, hash) is in the chain (``found``: its hash)."""
    seq, h = want
    if found is None and last < seq:
        return [(f"{name}: the chain ends at #{last} but the expected head is #{seq}: "
                 f"{seq - last} record(s) at its end were removed")]
    if found is None:
        return [f"{name} #{seq}: the expected head's record is missing"]
    if found != h:
        return [(f"{name} #{seq}: its hash is not the expected head's: the records up to it "
                 "are not those the head was taken from")]
    return []

