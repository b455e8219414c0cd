"""Ids: stripping, a 64-bit hash over the Arrow buffers, the sorted index that finds repeated
event ids and resolves references, and look-ups of keys among accepted rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .encoded import _Enc
from .text import _arr, _arrow_str, _data, _np, _offsets

_MIX = np.uint64(0x9E3779B97F4A7C15)
#: bytes that can begin or end a value Unicode would strip: ASCII space and controls, and
#: any non-ASCII byte (U+3000 and other wide spaces start, and end, with one)
_MAYBE_SPACE = np.zeros(256, dtype=bool)
_MAYBE_SPACE[:33] = True
_MAYBE_SPACE[127:] = True


def _trimmed(a: pa.Array) -> pa.Array:
    """``utf8_trim_whitespace``, skipped (a plain look at the first and last byte of every
    value) when no value can begin or end with white space, as is usual for ids."""
    if len(a) == 0 or a.null_count:
        return pc.utf8_trim_whitespace(a)
    off, buf = _offsets(a), _data(a)
    lens = np.diff(off)
    n, w = len(a), int(lens[0])
    if w > 0 and int(lens.min()) == int(lens.max()):  # one width: strided looks, no gather
        s0 = int(off[0])
        first, last = buf[s0:s0 + n * w:w], buf[s0 + w - 1:s0 + n * w:w]
    else:
        full = lens > 0
        first, last = buf[off[:-1][full]], buf[off[1:][full] - 1]
    if len(first) and (_MAYBE_SPACE[first].any() or _MAYBE_SPACE[last].any()):
        return pc.utf8_trim_whitespace(a)
    return a


def _mix(acc: np.ndarray, word: np.ndarray, tmp: np.ndarray) -> None:
    """One step of the string hash, in place: ``acc = (acc ^ word) * MIX; acc ^= acc >> 29``."""
    np.bitwise_xor(acc, word, out=acc)
    np.multiply(acc, _MIX, out=acc)
    np.right_shift(acc, np.uint64(29), out=tmp)
    np.bitwise_xor(acc, tmp, out=acc)


def _hash_fixed(buf: np.ndarray, s0: int, n: int, w: int) -> np.ndarray:
    """:func:`_hash_strings` of ``n >= 2`` values of one width ``w >= 8`` lying end to end
    from byte ``s0``: each 8-byte word read as a strided view of the buffer, nothing copied."""
    acc = np.full(n, w, dtype=np.uint64)
    np.multiply(acc, _MIX, out=acc)
    tmp = np.empty(n, dtype=np.uint64)
    word = np.empty(n, dtype=np.uint64)
    for pos in range(0, w, 8):
        rem = w - pos
        if rem >= 8:
            view = np.ndarray((n,), dtype="<u8", buffer=buf, offset=s0 + pos, strides=(w,))
            _mix(acc, view, tmp)
            continue
        # a partial last word: read 8 bytes (the next value's first bytes) and mask them off;
        # the last value's word is assembled on its own, never reading past the buffer
        view = np.ndarray((n - 1,), dtype="<u8", buffer=buf, offset=s0 + pos, strides=(w,))
        np.bitwise_and(view, np.uint64((1 << (8 * rem)) - 1), out=word[:n - 1])
        tail = buf[s0 + (n - 1) * w + pos:s0 + n * w].tobytes()
        word[n - 1] = int.from_bytes(tail, "little")
        _mix(acc, word, tmp)
    return acc


def _hash_strings(a: pa.Array) -> np.ndarray:
    """A 64-bit hash of every string (a function of its bytes only), computed on 8-byte words
    of the Arrow buffers without hashing each cell in Python. Equal strings hash equal; callers
    confirm every match on the strings themselves, so collisions cost time, never results.
    Kept (not replaced by Arrow's hashing) for the figures in :class:`_IdIndex`.

    The hash of a value of ``w`` bytes: ``acc = w * MIX``, then for each 8-byte little-endian
    word of the value (the last one zero-padded) ``acc = (acc ^ word) * MIX; acc ^= acc >> 29``.
    """
    n = len(a)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    offsets = _offsets(a)
    buf = _data(a)
    lens = np.diff(offsets)
    lo, hi = int(lens.min()), int(lens.max())
    if lo == hi and lo >= 8 and n >= 2:  # ids of one width: the usual case, and the fast one
        return _hash_fixed(buf, int(offsets[0]), n, lo)
    h = np.zeros(n, dtype=np.uint64)
    widths = np.flatnonzero(np.bincount(lens))
    for w in widths.tolist():
        every = len(widths) == 1
        rows = None if every else np.flatnonzero(lens == w)
        starts = offsets[:-1] if every else offsets[rows]
        padded = -(-max(w, 1) // 8) * 8
        if every and w:  # one width: the values lie end to end, a plain reshape
            s0 = int(offsets[0])
            mat = buf[s0:s0 + w * n].reshape(n, w)
        else:
            mat = buf[starts.astype(np.int64)[:, None] + np.arange(w, dtype=np.int64)]
        words = np.zeros((len(starts), padded), dtype=np.uint8)
        words[:, :w] = mat
        acc = np.full(len(starts), w, dtype=np.uint64) * _MIX
        tmp = np.empty(len(starts), dtype=np.uint64)
        for word in words.view("<u8").T:
            _mix(acc, word, tmp)
        if every:
            h[:] = acc
        else:
            h[rows] = acc
    return h


def _ids(s: pd.Series, hashed: bool = True) -> tuple[pa.Array, np.ndarray | None]:
    """An id column stripped, as an Arrow string array, and its hashes (with ``hashed``)."""
    a = _trimmed(_arr(_arrow_str(s)) if not isinstance(s.dtype, pd.CategoricalDtype)
                 else _arr(_Enc.of(s, strip=False).series()))
    return a, (_hash_strings(a) if hashed else None)


class _IdIndex:
    """An id column's rows sorted by hash, to find repeated ids and look ids up without a
    hash table of millions of strings.

    Each row's hash keeps its high bits and carries the row number in the low ones, so one
    plain integer sort orders rows by hash and, within equal hashes, by row. Rows with equal
    (shortened) hashes are only candidates: the strings decide.

    Why this is kept rather than a library call (issue 10), measured in CPU seconds (process
    time, median of 3, 2 shared cores; ``benchmarks/ids_cpu.py``) on the province's 9,983,002
    event ids and 1,686,055 references: this class with :func:`_hash_strings` finds the
    repeats and resolves the references in 1.7 s; Arrow doing the same
    (``pc.dictionary_encode`` of the ids, the first occurrences from the codes, ``pc.index_in``
    of the references) takes 8.2 s (``dictionary_encode`` alone 4.3 s, ``index_in`` alone
    3.4 s). On the ``small`` set (998,301 ids): 0.16 s against 0.78 s. Polars'
    ``is_duplicated`` on the same ids did not finish within the benchmark's 15-minute budget
    on an earlier, heavily loaded run.
    """

    def __init__(self, ids: pa.Array, hashes: np.ndarray) -> None:
        n = len(ids)
        self.ids = ids
        self.k = np.uint64(max(int(n).bit_length(), 1))
        key = ((hashes >> self.k) << self.k) | np.arange(n, dtype=np.uint64)
        key.sort()
        self.prefix = key >> self.k
        self.rows = (key & ((np.uint64(1) << self.k) - np.uint64(1))).astype(np.int64)

    def repeats(self) -> tuple[np.ndarray, np.ndarray]:
        """(row repeats an earlier row's id, 0-based row of that first occurrence)."""
        n = len(self.ids)
        dup = np.zeros(n, dtype=bool)
        first = np.zeros(n, dtype=np.int64)
        same = np.flatnonzero(self.prefix[1:] == self.prefix[:-1])
        if len(same) == 0:
            return dup, first
        at = np.zeros(n, dtype=bool)
        at[same] = True
        at[same + 1] = True
        cand = np.sort(self.rows[at])  # in row order: first occurrences come first
        enc = pc.dictionary_encode(self.ids.take(pa.array(cand)))
        codes = _np(enc.indices).astype(np.int64)
        first_at = np.full(len(enc.dictionary), len(cand), dtype=np.int64)
        np.minimum.at(first_at, codes, np.arange(len(cand), dtype=np.int64))
        again = first_at[codes] != np.arange(len(cand))
        dup[cand[again]] = True
        first[cand[again]] = cand[first_at[codes[again]]]
        return dup, first

    def find(self, queries: pa.Array, hashes: np.ndarray, accepted: np.ndarray) -> np.ndarray:
        """Row of the accepted id equal to each query, -1 if none (repeats of an id are never
        accepted, so there is at most one)."""
        n = len(self.ids)
        target = np.full(len(queries), -1, dtype=np.int64)
        if n == 0 or len(queries) == 0:
            return target
        q = hashes >> self.k
        order = np.argsort(q)  # any order of equal hashes will do
        pos = np.empty(len(q), dtype=np.int64)
        pos[order] = np.searchsorted(self.prefix, q[order])  # sorted probes: cache friendly
        pc_ = np.minimum(pos, n - 1)
        hit = (pos < n) & (self.prefix[pc_] == q)
        nxt = np.minimum(pc_ + 1, n - 1)
        multi = hit & (pc_ + 1 < n) & (self.prefix[nxt] == q)
        one = np.flatnonzero(hit & ~multi)
        rows = self.rows[pc_[one]]
        same = _np(pc.equal(queries.take(pa.array(one)), self.ids.take(pa.array(rows))))
        good = same.astype(bool) & accepted[rows]
        target[one[good]] = rows[good]
        for i in np.flatnonzero(multi).tolist():  # ids repeated (or hashes shared): rare
            want = queries[i].as_py()
            j = int(pc_[i])
            while j < n and self.prefix[j] == q[i]:
                r = int(self.rows[j])
                if accepted[r] and self.ids[r].as_py() == want:
                    target[i] = r
                    break
                j += 1
        return target


def _first_rows(key: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(is a repeat of an earlier row, 1-based data row of the first occurrence) per row;
    the second array is only meaningful where the first is true."""
    dup = np.array(key.duplicated(keep="first").to_numpy(dtype=bool))  # writable
    first = np.zeros(len(key), dtype=np.int64)
    if dup.any():
        first[dup] = _lookup(key[dup], key).astype(np.int64) + 1
    return dup, first


def _duplicated_codes(*cols: pd.Series) -> np.ndarray:
    """Rows whose combination of values appeared on an earlier row (hashing each column once
    and combining integer codes, instead of hashing concatenated strings)."""
    key = np.zeros(len(cols[0]), dtype=np.int64)
    for c in cols:
        enc = pc.dictionary_encode(_arr(c))
        key = key * len(enc.dictionary) + _np(enc.indices).astype(np.int64)
    return pd.Series(key).duplicated(keep="first").to_numpy()


def _lookup(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each value in ``keys`` (-1 if absent), by hashing in Arrow."""
    idx = pc.index_in(_arr(values), value_set=_arr(keys))
    return _np(pc.fill_null(idx, -1)).astype(np.int32)
