"""The events table: ids and their repeats, firms, types, dates, amounts, severities, media,
record dates, and references (a revocation names the event it cancels)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..ruleset import Ruleset
from ..vocab import MEDIA, SEVERITIES
from .checks import _firm_rows
from .encoded import _ZH_VALUES, _Enc, _vocab_enc
from .ids import _hash_strings, _IdIndex, _ids
from .parse import _has_unit, _parse_days, _parse_fen, date_messages
from .prepared import _Rejects
from .text import STR, _np
from .threads import _in_threads

_COLUMNS = ("firm_id", "event_date", "event_type", "amount", "severity", "medium",
            "recorded_at")


def _encode(df: pd.DataFrame) -> dict[str, Any]:
    """Every column of the events encoded, side by side on the reading threads: the event ids
    stripped and indexed by hash, the references stripped and hashed, the other columns as
    their distinct values (:class:`_Enc`, an all-empty one for a column the file lacks)."""
    n = len(df)

    def event_ids() -> tuple[pa.Array, _IdIndex]:
        a, h = _ids(df["event_id"])
        return a, _IdIndex(a, h)

    def references() -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray]:
        a = (_ids(df["ref_event_id"], hashed=False)[0] if "ref_event_id" in df
             else pa.array(np.full(n, "", dtype=object), pa.string()))
        rows = np.flatnonzero(_np(pc.not_equal(a, "")).astype(bool))
        given = a.take(pa.array(rows))
        return a, rows, given, _hash_strings(given)

    jobs: dict[str, Callable[[], Any]] = {"event_id": event_ids, "ref_event_id": references}
    for c in _COLUMNS:
        if c in df:
            jobs[c] = (lambda c=c: _Enc.of(df[c]))
    done = _in_threads(jobs, n)
    for c in _COLUMNS:
        if c not in df:
            done[c] = _Enc(np.zeros(n, np.int32), pa.array([""]))
    return done


def _dates(e: _Enc, column: str, file: str, rej: _Rejects, today_day: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A date column parsed on its distinct values; values that are not dates, or later than
    the reference date, rejected. Returns (days, parsed, given, rejected) per row."""
    udays, uok = _parse_days(pd.Series(e.uniq, dtype=STR))
    days, ok = e.per_row(udays), e.per_row(uok)
    given = ~e.is_("")
    bad = e.values(given & ~ok)
    rej.add(file, np.flatnonzero(given & ~ok), column, "bad_date", bad, date_messages(bad))
    fut = ok & (days > today_day)
    rej.add(file, np.flatnonzero(fut), column, "future_date", e.values(fut),
            "The date is later than the run's reference date.")
    return days, ok, given, (given & ~ok) | fut


def _amounts(amt: _Enc, file: str, rej: _Rejects) -> tuple[np.ndarray, np.ndarray]:
    """Amounts in exact fen per row (-1 where none or rejected), and the rejected rows."""
    ufen, uform, uneg = _parse_fen(pd.Series(amt.uniq, dtype=STR))
    ugiven = _np(pc.not_equal(amt.uniq, "")).astype(bool)
    uunit = _has_unit(pd.Series(amt.uniq, dtype=STR))
    unit = amt.per_row(ugiven & ~uform & uunit)
    rej.add(file, np.flatnonzero(unit), "amount", "amount_unit", amt.values(unit),
            "The amount carries a unit (such as 万); write the number of yuan alone "
            "(50万 is 500000).")
    badnum = amt.per_row(ugiven & ~uform & ~uunit)
    rej.add(file, np.flatnonzero(badnum), "amount", "bad_number", amt.values(badnum),
            "Not a decimal number of yuan with at most two decimals (fen); thousands "
            "separators only between groups of three digits (1,500.00).")
    badnum |= unit
    neg = amt.per_row(ugiven & uform & uneg)
    rej.add(file, np.flatnonzero(neg), "amount", "negative_amount", amt.values(neg),
            "An amount cannot be below zero.")
    fen = amt.per_row(np.where(ugiven & uform & ~uneg, ufen, -1).astype(np.int64))
    return fen, badnum | neg


def _references(done: dict[str, Any], et: pd.Categorical, idx: np.ndarray, bad: np.ndarray,
                file: str, rej: _Rejects) -> np.ndarray:
    """Check the references (second pass): a revocation must name an event, and a reference
    must name an event accepted so far, of the same firm. Like the event ids the references
    are mostly distinct, so they are hashed rather than dictionary-encoded. Marks rejected
    rows in ``bad``; returns the row each reference names (-1: none), per row that has one."""
    _, index = done["event_id"]
    _, with_ref, refs, ref_hash = done["ref_event_id"]
    has_ref = np.zeros(len(bad), dtype=bool)
    has_ref[with_ref] = True
    is_rev = np.asarray(et == "revocation", dtype=bool)
    norev = is_rev & ~has_ref
    rej.add(file, np.flatnonzero(norev), "ref_event_id", "missing_value", np.full(
        int(norev.sum()), "", dtype=object),
        "A revocation must name the event it cancels in ref_event_id.")
    bad |= norev
    target = np.full(len(with_ref), -1, dtype=np.int64)
    if len(with_ref):
        target = index.find(refs, ref_hash, ~bad)
        open_ = ~bad[with_ref]  # rows not rejected yet: the ones these reasons are reported on
        missing_ref = target < 0
        sel = missing_ref & open_
        rej.add(file, with_ref[sel], "ref_event_id", "unknown_ref_event",
                refs.filter(pa.array(sel)), "ref_event_id names no accepted event.")
        other_firm = np.zeros(len(with_ref), dtype=bool)
        found = ~missing_ref
        other_firm[found] = idx[target[found]] != idx[with_ref[found]]
        sel = other_firm & open_
        rej.add(file, with_ref[sel], "ref_event_id", "unknown_ref_event",
                refs.filter(pa.array(sel)), "ref_event_id names an event of another firm.")
        bad[with_ref[missing_ref | other_firm]] = True
        _revocation_cycles(with_ref, target, is_rev, bad, file, rej, done["ref_event_id"][2])
    return target


def _revocation_cycles(with_ref: np.ndarray, target: np.ndarray, is_rev: np.ndarray,
                       bad: np.ndarray, file: str, rej: _Rejects, refs: Any) -> None:
    """Reject the revocations that revoke themselves or take part in a cycle (R1 revokes R2,
    R2 revokes R1), and those whose chain of revocations leads into one: such a chain has no
    last revocation, so whether the event stands cannot be decided.

    Follows each revocation's chain of revoked revocations by pointer doubling (log₂ of the
    chain's length steps, each vectorized over the revocations).
    """
    r = is_rev[with_ref] & (target >= 0) & ~bad[with_ref]
    if not r.any():
        return
    rows = with_ref[r]                      # revocation rows with a found target
    pos = np.full(len(bad), -1, dtype=np.int64)
    pos[rows] = np.arange(len(rows))
    nxt = pos[target[r]]  # the revocation each revokes (-1: an ordinary event)
    for _ in range(int(np.ceil(np.log2(len(rows) + 1))) + 1):
        nxt = np.where(nxt >= 0, nxt[np.maximum(nxt, 0)], -1)  # 2^k steps ahead, or ended
    endless = nxt >= 0  # after 2^k > n steps only a chain without end goes on
    if endless.any():
        sel = np.flatnonzero(endless)
        self_ = target[r][sel] == rows[sel]
        rej.add(file, rows[sel], "ref_event_id", "revocation_cycle",
                refs.filter(pa.array(np.isin(np.arange(len(with_ref)),
                                             np.flatnonzero(r)[sel]))),
                np.where(self_, "A revocation cannot revoke itself.",
                         "The revocations revoke each other in a cycle (or lead into one); "
                         "keep the one that was decided last."))
        bad[rows[sel]] = True


def _events(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
            firm_keys: pd.Series, today_day: int
            ) -> tuple[pd.DataFrame, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Validate the events on the distinct values of each column; the event ids are hashed
    once. Returns (per-row columns, ok mask, (rows with a ref_event_id, row of the event each
    names or -1))."""
    bad = np.zeros(len(df), dtype=bool)
    done = _encode(df)
    eid, index = done["event_id"]
    enc = {c: done[c] for c in _COLUMNS}
    e_empty = _np(pc.equal(eid, "")).astype(bool)
    for c in ("event_id", "firm_id", "event_date", "event_type"):
        bad |= rej.missing(file, c, e_empty if c == "event_id" else enc[c].is_(""))
    dup, first = index.repeats()
    dup &= ~e_empty
    rej.add(file, np.flatnonzero(dup), "event_id", "duplicate_id", eid.filter(pa.array(dup)),
            np.array([f"The same event_id is on data row {r + 1}." for r in first[dup].tolist()],
                     dtype=object))
    bad |= dup
    idx, unknown = _firm_rows(enc["firm_id"], firm_keys, file, rej)
    bad |= unknown

    et, known = _vocab_enc(enc["event_type"], ruleset.event_type_ids, _ZH_VALUES["event_type"],
                           lower=False)
    rej.add(file, np.flatnonzero(~known), "event_type", "unknown_event_type",
            enc["event_type"].values(~known),
            f"Neither an event type of docs/data-format.md nor one ruleset '{ruleset.id}' "
            "declares.")
    bad |= ~known
    days, ok, _, bad_day = _dates(enc["event_date"], "event_date", file, rej, today_day)
    bad |= bad_day
    fen, bad_amount = _amounts(enc["amount"], file, rej)
    bad |= bad_amount
    vocab: dict[str, pd.Categorical] = {}
    for c, allowed in (("severity", tuple(SEVERITIES)), ("medium", tuple(MEDIA))):
        v, vok = _vocab_enc(enc[c], allowed, _ZH_VALUES[c])
        rej.add(file, np.flatnonzero(~vok), c, "bad_value", enc[c].values(~vok),
                f"'{c}' must be one of {list(allowed)} (or empty).")
        bad |= ~vok
        vocab[c] = v
    rec = enc["recorded_at"]
    rdays, rok, rgiven, bad_rec = _dates(rec, "recorded_at", file, rej, today_day)
    before = rok & ok & (rdays < days)
    rej.add(file, np.flatnonzero(before), "recorded_at", "recorded_before_event",
            rec.values(before), "The record is dated before the event it records.")
    bad |= bad_rec | before
    target = _references(done, et, idx, bad, file, rej)
    out = pd.DataFrame({
        "event_id": pd.Series(eid, dtype=STR), "firm_idx": idx.astype(np.int32),
        "day": days, "recorded_day": np.where(rgiven, rdays, days).astype(np.int32),
        "event_type": et, "severity": vocab["severity"], "medium": vocab["medium"],
        "amount_fen": fen, "ref_event_id": pd.Series(done["ref_event_id"][0], dtype=STR)},
        copy=False)
    return out, ~bad, (done["ref_event_id"][1], target)


def _revoked(events: pd.DataFrame, keep: np.ndarray, targets: tuple[np.ndarray, np.ndarray]
             ) -> np.ndarray:
    """Events cancelled by a revocation in force; an accepted revocation names an accepted
    event of its own firm, whose row :func:`_events` found.

    A revocation is in force when it is kept for scoring and not itself revoked by a
    revocation in force: revoking a revocation restores the event it named (docs/concepts.md,
    "Revocations"). Cycles were rejected by :func:`_revocation_cycles`, so the chains end and
    the evaluation below (one vectorized pass per level of the longest chain) is exact.
    """
    revoked = np.zeros(len(events), dtype=bool)
    ref_rows, named = targets
    rev = keep[ref_rows] & np.asarray(events["event_type"].iloc[ref_rows] == "revocation",
                                      dtype=bool) & (named >= 0)
    rows, named = ref_rows[rev], named[rev]
    if not len(rows):
        return revoked
    in_force = np.ones(len(rows), dtype=bool)
    for _ in range(len(rows) + 1):
        revoked[:] = False
        revoked[named[in_force]] = True
        now = ~revoked[rows]
        if (now == in_force).all():
            break
        in_force = now
    return revoked
