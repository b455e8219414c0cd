"""What crosses parts: event ids repeated in another part, and references to an event of a
firm in another part (see :mod:`ecocredit.scale`), found before scoring and corrected after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..read import prepare
from ..ruleset import Ruleset
from .part import _Options


@dataclass
class _Crossings:
    """Settled before partitioning (see :mod:`ecocredit.scale`)."""

    #: part → [(event id, 0-based row of its first occurrence)] needing a stand-in
    stand_ins: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    #: rows (0-based) whose ref_event_id names the first occurrence of an event in another
    #: part → that occurrence's row
    refs: dict[int, int] = field(default_factory=dict)
    #: part → rows (0-based) named by such references, held by that part
    targets: dict[int, list[int]] = field(default_factory=dict)

    def merge(self, other: "_Crossings") -> None:
        for p, v in other.stand_ins.items():
            self.stand_ins.setdefault(p, []).extend(v)
        self.refs.update(other.refs)
        for p, v in other.targets.items():
            self.targets.setdefault(p, []).extend(v)


def _crossings(eids: pa.Array, eid_rows: np.ndarray, eid_parts: np.ndarray,
               refs: pa.Array, ref_rows: np.ndarray, ref_parts: np.ndarray) -> _Crossings:
    """Find repeats and references across parts among these event ids (in input order)."""
    out = _Crossings()
    if len(eids) == 0:
        return out
    enc = pc.dictionary_encode(eids)
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # dictionary codes are given in order of first appearance: a row is a first occurrence
    # exactly when its code exceeds every code before it
    prev_max = np.maximum.accumulate(np.r_[-1, codes[:-1]])
    first_pos = np.flatnonzero(codes > prev_max)
    assert len(first_pos) == len(enc.dictionary) and (codes[first_pos] == np.arange(
        len(first_pos))).all(), "dictionary_encode did not number values by first appearance"
    dictionary = enc.dictionary
    empty = pc.index_in(pa.array([""]), value_set=dictionary)[0].as_py()
    first_part = eid_parts[first_pos]
    dup = np.ones(len(codes), dtype=bool)
    dup[first_pos] = False
    if empty is not None:
        dup &= codes != empty
    cross = dup & (first_part[codes] != eid_parts)
    if cross.any():
        pairs = np.unique(np.stack([eid_parts[cross].astype(np.int64), codes[cross]]), axis=1)
        names = dictionary.take(pa.array(pairs[1])).to_pylist()
        for p, code, name in zip(pairs[0], pairs[1], names):
            out.stand_ins.setdefault(int(p), []).append((name, int(eid_rows[first_pos[code]])))
    if len(refs):
        hit = pc.fill_null(pc.index_in(refs, value_set=dictionary), -1).to_numpy(
            zero_copy_only=False).astype(np.int64)
        ok = hit >= 0
        if empty is not None:
            ok &= hit != empty
        sel = np.flatnonzero(ok)
        sel = sel[first_part[hit[sel]] != ref_parts[sel]]
        for i in sel:
            t = int(eid_rows[first_pos[hit[i]]])
            out.refs[int(ref_rows[i])] = t
            out.targets.setdefault(int(first_part[hit[i]]), []).append(t)
    return out


_REF_MESSAGES: dict[tuple[str, str], tuple[str, str]] = {}


def _ref_messages(ruleset: Ruleset) -> tuple[str, str]:
    """Ingest's two messages for a bad ref_event_id: (names no accepted event, names an event
    of another firm), read from ingest itself on a two-firm example."""
    key = (ruleset.id, ruleset.sha256)
    if key not in _REF_MESSAGES:
        _REF_MESSAGES[key] = _probe_ref_messages(ruleset)
    return _REF_MESSAGES[key]


def _probe_ref_messages(ruleset: Ruleset) -> tuple[str, str]:
    from ..codes import org_check_char, uscc_check_char

    ids = []
    for i in (1, 2):  # valid codes (GB 32100, with a GB 11714-valid organisation code)
        org = f"{i:08d}"
        body = "91360102" + org + org_check_char(org)
        ids.append(body + uscc_check_char(body))
    firms = pd.DataFrame({"firm_id": ids, "name": ["a", "b"], "region_code": "360102"})
    events = pd.DataFrame({"event_id": ["A", "B", "C"], "firm_id": [ids[0], ids[1], ids[1]],
                           "event_date": "2020-01-01", "event_type": "warning",
                           "ref_event_id": ["", "A", "ZZ"]})
    rej = prepare(firms, events, ruleset, today=dt.date(2021, 1, 1)).rejects
    msg = dict(zip(rej["row"], rej["message"]))
    return str(msg[3]), str(msg[2])


def _fix_ref_messages(rej: pd.DataFrame, opt: _Options, cross: _Crossings,
                      ok: set[int]) -> pd.DataFrame:
    if not cross.refs or not len(rej):
        return rej
    none_msg, other_msg = _ref_messages(opt.ruleset)
    sel = ((rej["file"] == opt.names["events"]) & (rej["reason_code"] == "unknown_ref_event")
           & (rej["message"] == none_msg)).to_numpy()
    if not sel.any():
        return rej
    rows = rej["row"].to_numpy(np.int64) - 1
    fix = np.array([bool(s) and cross.refs.get(int(r), -1) in ok for s, r in zip(sel, rows)])
    if fix.any():
        rej = rej.copy()
        rej.loc[fix, "message"] = other_msg
    return rej
