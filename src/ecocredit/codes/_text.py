"""Code columns as fixed-width byte arrays (shared by the credit-code and region checks)."""

from __future__ import annotations

from typing import Any

import numpy as np


_isinstance = np.frompyfunc(isinstance, 2, 1)
_len = np.frompyfunc(len, 1, 1)


def _strings_of_length(codes: Any, length: int) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Flatten ``codes`` and find the ``str`` elements of exactly ``length`` characters.

    Returns ``(positions, codepoints, shape)``: the flat positions of those elements, their
    characters as a ``(k, length)`` uint32 matrix of code points, and the input's shape.
    Type and length checks run element-wise in C (numpy ufuncs over object arrays); there is
    no Python-level loop.
    """
    if isinstance(codes, (str, bytes)):
        raise TypeError(
            "Pass a list, array or Series of codes; use the scalar function for one code.")
    if hasattr(codes, "to_numpy"):  # pandas Series / Index / extension arrays
        arr = codes.to_numpy(dtype=object)
    elif isinstance(codes, np.ndarray):
        arr = codes
    else:
        seq = list(codes)
        arr = np.empty(len(seq), dtype=object)
        arr[:] = seq
    shape = arr.shape
    arr = arr.reshape(-1)
    if arr.dtype.kind == "U":
        # every element is a str; numpy cannot hold trailing NULs, so lengths are exact
        ok = np.char.str_len(arr) == length if arr.dtype.itemsize >= 4 * length else np.zeros(
            arr.shape, dtype=bool)
        positions = np.flatnonzero(ok)
        fixed = arr[positions].astype(f"U{length}")
    elif arr.dtype.kind == "O":
        is_str = _isinstance(arr, str).astype(bool)
        candidates = np.flatnonzero(is_str)
        if candidates.size:
            lengths = _len(arr[candidates]).astype(np.int64)
            positions = candidates[lengths == length]
        else:
            positions = candidates
        fixed = arr[positions].astype(f"U{length}") if positions.size else np.empty(0, f"U{length}")
    else:  # numbers, bytes, booleans ...: never a code
        positions = np.empty(0, dtype=np.int64)
        fixed = np.empty(0, dtype=f"U{length}")
    codepoints = np.ascontiguousarray(fixed).view(np.uint32).reshape(-1, length)
    return positions, codepoints, shape
