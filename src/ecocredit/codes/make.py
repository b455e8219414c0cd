"""Well-formed synthetic credit codes (GB 32100 with a valid GB 11714 body) for the sample and
the tests: distinct, deterministic, spread over the code space."""

from __future__ import annotations

from typing import Any

import numpy as np

from .regions import valid_region_mask
from .uscc import (_ORG_BYTES, _ORG_W, _USCC_BYTES, _USCC_LUT, _USCC_W, ORG_ALPHABET,
                   USCC_ALPHABET)


_OLD_SPACE = 10**8          # 8 digits: organisation codes issued before the USCC
_NEW_SPACE = 31**6          # 'MA' + 6 USCC characters: codes issued since 2015
_ORG_LETTER_IDX = np.asarray([ORG_ALPHABET.index(c) for c in USCC_ALPHABET], dtype=np.int64)


def _scramble(serials: np.ndarray, base: int, width: int, a1: int, b1: int, a2: int, b2: int
              ) -> np.ndarray:
    """A bijection of ``[0, base**width)``: affine map, digit reversal, affine map.

    Returns the ``(n, width)`` matrix of base-``base`` digits of the image.
    """
    modulus = base**width
    x = (serials.astype(np.int64) % modulus * a1 + b1) % modulus
    digits = np.empty((x.size, width), dtype=np.int64)
    for j in range(width):  # loop over digit positions, not elements
        digits[:, j] = x % base
        x //= base
    # digits[:, 0] is now the least significant digit: reading it as most significant reverses
    x = np.zeros(serials.size, dtype=np.int64)
    for j in range(width):
        x = x * base + digits[:, j]
    x = (x * a2 + b2) % modulus
    for j in range(width - 1, -1, -1):
        digits[:, j] = x % base
        x //= base
    return digits


def make_uscc(
    rng: np.random.Generator,
    region_codes: Any,
    *,
    serials: np.ndarray | None = None,
    new_style_share: float = 0.4,
) -> np.ndarray:
    """Generate valid enterprise USCCs, vectorized.

    Each code is ``'91'`` + the division code + an 8-character organisation-code body + the
    GB 11714 check character + the GB 32100 check character. A share ``new_style_share`` of the
    bodies are in the post-2015 style ``'MA'`` + 6 characters of :data:`USCC_ALPHABET`, the rest
    are 8 digits.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (style and, without ``serials``, the body).
    region_codes : array-like of str
        One 6-digit GB/T 2260 code per code to generate.
    serials : numpy.ndarray of int, optional
        Distinct non-negative integers below ``10**8``. When given, each body is a fixed
        bijective scramble of its serial, so distinct serials give distinct codes whatever the
        regions and styles (use this for guaranteed uniqueness, also across chunks). Without
        it, bodies are random: unique in practice for a few thousand codes per division (with
        ``n`` codes in one division about ``0.2 * n**2 / 10**8`` pairs collide), not
        guaranteed.
    new_style_share : float, default 0.4
        Probability of an ``'MA'`` body.

    Returns
    -------
    numpy.ndarray of str (dtype ``<U18``)

    Raises
    ------
    ValueError
        If a region code is not 6 digits with a province prefix, or serials are out of range.

    Examples
    --------
    >>> from ecocredit.codes import valid_uscc_mask
    >>> codes = make_uscc(np.random.default_rng(1), np.array(["360111"] * 3))
    >>> bool(valid_uscc_mask(codes).all()), codes[0][:8]
    (True, '91360111')
    """
    regions = np.asarray(region_codes)
    if regions.ndim != 1:
        regions = regions.reshape(-1)
    n = regions.size
    if n and not valid_region_mask(regions).all():
        bad = regions[~valid_region_mask(regions)][0]
        raise ValueError(f"make_uscc needs 6-digit GB/T 2260 division codes; got {bad!r}.")
    new_style = rng.random(n) < new_style_share
    return _with_check_characters(regions, _bodies(rng, new_style, serials))


def _bodies(rng: np.random.Generator, new_style: np.ndarray, serials: np.ndarray | None
            ) -> np.ndarray:
    """The ``(n, 8)`` GB 11714 values (0-35) of the organisation-code bodies: 8 digits, or
    ``'MA'`` + 6 characters where ``new_style``; random, or a scramble of ``serials``.

    Raises
    ------
    ValueError
        Serials not one per code, or out of ``[0, 10**8)``.
    """
    n = new_style.size
    body = np.empty((n, 8), dtype=np.int64)
    if serials is None:
        body[:] = rng.integers(0, 10, size=(n, 8))
        tail = rng.integers(0, 31, size=(n, 6))
        body[new_style, 2:] = _ORG_LETTER_IDX[tail[new_style]]
    else:
        serials = np.asarray(serials, dtype=np.int64).reshape(-1)
        if serials.size != n:
            raise ValueError(f"make_uscc got {serials.size} serials for {n} region codes.")
        if serials.size and (serials.min() < 0 or serials.max() >= _OLD_SPACE):
            raise ValueError("make_uscc serials must lie in [0, 10**8).")
        body[:] = _scramble(serials, 10, 8, 73_939_133, 19_260_817, 48_271_009, 31_415_927)
        if new_style.any():
            tail = _scramble(serials[new_style], 31, 6, 16_807, 271_828, 69_621, 141_421)
            body[new_style, 2:] = _ORG_LETTER_IDX[tail]
    body[new_style, 0] = ORG_ALPHABET.index("M")
    body[new_style, 1] = ORG_ALPHABET.index("A")
    return body


def _with_check_characters(regions: np.ndarray, body: np.ndarray) -> np.ndarray:
    """The codes: ``'91'`` + division + body + GB 11714 check + GB 32100 check (``<U18``)."""
    n = regions.size
    org_check = 11 - (body @ _ORG_W) % 11                     # 1..11
    org_check_char = np.where(org_check == 10, ord("X"),
                              np.where(org_check == 11, ord("0"), ord("0") + org_check % 10))

    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, 0] = ord("9")
    chars[:, 1] = ord("1")
    chars[:, 2:8] = np.ascontiguousarray(regions.astype("U6")).view(np.uint32).reshape(n, 6)
    chars[:, 8:16] = _ORG_BYTES[body]
    chars[:, 16] = org_check_char
    values = _USCC_LUT[chars[:, :17]].astype(np.int64)
    check = (31 - (values @ _USCC_W) % 31) % 31
    chars[:, 17] = _USCC_BYTES[check]
    return chars.view("S18").reshape(n).astype("U18")
