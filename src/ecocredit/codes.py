"""Identifiers: unified social credit codes and administrative division codes.

Two national standards name the firms that ecocredit grades:

* **GB 32100-2015** 《法人和其他组织统一社会信用代码编码规则》: the 18-character unified social
  credit code (统一社会信用代码, "USCC") that is the ``firm_id`` of every table.
* **GB/T 2260** 《中华人民共和国行政区划代码》: the 6-digit administrative division code that is a
  firm's ``region_code`` (and is also embedded in characters 3–8 of its USCC).

Structure of a USCC (positions 1-based)::

    9 1 360111 MA35XKQ1 7 R
    | | |      |        | `-- 18: check character (GB 32100, modulus 31)
    | | |      |        `---- 17: check character of the organisation code (GB 11714, modulus 11)
    | | |      `------------- 9-16: organisation code body (GB 11714)
    | | `-------------------- 3-8: registration administrative division (GB/T 2260)
    | `---------------------- 2: organisation type (1 = enterprise, for authority 9)
    `------------------------ 1: registration authority (9 = market regulation, 工商)

The alphabet of a USCC is the digits and the capital letters without ``I``, ``O``, ``S``, ``V``
and ``Z`` (31 characters, a character's value is its index). The check character is
``ALPHABET[(31 - Σ value_i × w_i mod 31) mod 31]`` with weights ``w_i = 3**(i-1) mod 31``.

:func:`is_valid_uscc` (scalar) and :func:`valid_uscc_mask` (vectorized) check the length, the
alphabet and the GB 32100 check character, which is what the data contract requires ("the check
character is verified"). They do not check the embedded organisation-code check character or the
division code: real registers contain codes whose embedded parts predate the standard, and a
firm's USCC keeps the division of its first registration even after it moves or the division is
renamed. :func:`is_valid_org_code` checks the GB 11714 part separately for callers that want it.
Neither function strips whitespace or upper-cases: normalising input is the reader's job.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

__all__ = [
    "uscc_structure_mask", "USCC_AUTHORITY_TYPES",
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "ORG_ALPHABET",
    "ORG_WEIGHTS",
    "PROVINCE_CODES",
    "CITY_NAMES",
    "JIANGXI_COUNTIES",
    "uscc_check_char",
    "is_valid_uscc",
    "valid_uscc_mask",
    "org_check_char",
    "is_valid_org_code",
    "make_uscc",
    "is_valid_region",
    "valid_region_mask",
]

#: The 31 characters of GB 32100-2015; a character's value is its index.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1..17: ``3**(i-1) mod 31``.
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
#: GB 11714 organisation-code characters: digits 0-9 (values 0-9) and A-Z (values 10-35).
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Weights of the 8 body characters of a GB 11714 organisation code.
ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)

assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_ORG_VALUE = {c: i for i, c in enumerate(ORG_ALPHABET)}

# code point (0..127) -> value, -1 for characters outside the alphabet; index 128 catches
# every code point >= 128 after np.minimum(cp, 128).
_USCC_LUT = np.full(129, -1, dtype=np.int16)
for _c, _v in _USCC_VALUE.items():
    _USCC_LUT[ord(_c)] = _v
_USCC_W = np.asarray(USCC_WEIGHTS, dtype=np.int64)
_USCC_BYTES = np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)
_ORG_BYTES = np.frombuffer(ORG_ALPHABET.encode("ascii"), dtype=np.uint8)
_ORG_W = np.asarray(ORG_WEIGHTS, dtype=np.int64)

#: Province-level divisions of GB/T 2260 (first two digits of a division code), including
#: Taiwan (71), Hong Kong (81) and Macao (82).
PROVINCE_CODES: frozenset[str] = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})
_PROVINCE_LUT = np.zeros(100, dtype=bool)
_PROVINCE_LUT[[int(p) for p in PROVINCE_CODES]] = True

#: The 11 prefecture-level cities of Jiangxi (GB/T 2260, first four digits).
CITY_NAMES: Mapping[str, str] = MappingProxyType({
    "3601": "南昌市",
    "3602": "景德镇市",
    "3603": "萍乡市",
    "3604": "九江市",
    "3605": "新余市",
    "3606": "鹰潭市",
    "3607": "赣州市",
    "3608": "吉安市",
    "3609": "宜春市",
    "3610": "抚州市",
    "3611": "上饶市",
})

#: The 100 county-level divisions of Jiangxi (districts, counties, county-level cities) with
#: their current GB/T 2260 codes (as of the 2020s: 红谷滩区 2019, 广信区 2019, 龙南市 2020,
#: 庐山市/濂溪区 2016, 柴桑区 2017, 东乡区 2017, 余江区 2018, 南康区 2013, 赣县区 2016,
#: 广丰区 2015). Development zones with non-standard codes are not included.
JIANGXI_COUNTIES: tuple[tuple[str, str], ...] = (
    # 南昌市 3601
    ("360102", "东湖区"), ("360103", "西湖区"), ("360104", "青云谱区"),
    ("360111", "青山湖区"), ("360112", "新建区"), ("360113", "红谷滩区"),
    ("360121", "南昌县"), ("360123", "安义县"), ("360124", "进贤县"),
    # 景德镇市 3602
    ("360202", "昌江区"), ("360203", "珠山区"), ("360222", "浮梁县"), ("360281", "乐平市"),
    # 萍乡市 3603
    ("360302", "安源区"), ("360313", "湘东区"), ("360321", "莲花县"), ("360322", "上栗县"),
    ("360323", "芦溪县"),
    # 九江市 3604
    ("360402", "濂溪区"), ("360403", "浔阳区"), ("360404", "柴桑区"), ("360423", "武宁县"),
    ("360424", "修水县"), ("360425", "永修县"), ("360426", "德安县"), ("360428", "都昌县"),
    ("360429", "湖口县"), ("360430", "彭泽县"), ("360481", "瑞昌市"), ("360482", "共青城市"),
    ("360483", "庐山市"),
    # 新余市 3605
    ("360502", "渝水区"), ("360521", "分宜县"),
    # 鹰潭市 3606
    ("360602", "月湖区"), ("360603", "余江区"), ("360681", "贵溪市"),
    # 赣州市 3607
    ("360702", "章贡区"), ("360703", "南康区"), ("360704", "赣县区"), ("360722", "信丰县"),
    ("360723", "大余县"), ("360724", "上犹县"), ("360725", "崇义县"), ("360726", "安远县"),
    ("360728", "定南县"), ("360729", "全南县"), ("360730", "宁都县"), ("360731", "于都县"),
    ("360732", "兴国县"), ("360733", "会昌县"), ("360734", "寻乌县"), ("360735", "石城县"),
    ("360781", "瑞金市"), ("360783", "龙南市"),
    # 吉安市 3608
    ("360802", "吉州区"), ("360803", "青原区"), ("360821", "吉安县"), ("360822", "吉水县"),
    ("360823", "峡江县"), ("360824", "新干县"), ("360825", "永丰县"), ("360826", "泰和县"),
    ("360827", "遂川县"), ("360828", "万安县"), ("360829", "安福县"), ("360830", "永新县"),
    ("360881", "井冈山市"),
    # 宜春市 3609
    ("360902", "袁州区"), ("360921", "奉新县"), ("360922", "万载县"), ("360923", "上高县"),
    ("360924", "宜丰县"), ("360925", "靖安县"), ("360926", "铜鼓县"), ("360981", "丰城市"),
    ("360982", "樟树市"), ("360983", "高安市"),
    # 抚州市 3610
    ("361002", "临川区"), ("361003", "东乡区"), ("361021", "南城县"), ("361022", "黎川县"),
    ("361023", "南丰县"), ("361024", "崇仁县"), ("361025", "乐安县"), ("361026", "宜黄县"),
    ("361027", "金溪县"), ("361028", "资溪县"), ("361030", "广昌县"),
    # 上饶市 3611
    ("361102", "信州区"), ("361103", "广丰区"), ("361104", "广信区"), ("361123", "玉山县"),
    ("361124", "铅山县"), ("361125", "横峰县"), ("361126", "弋阳县"), ("361127", "余干县"),
    ("361128", "鄱阳县"), ("361129", "万年县"), ("361130", "婺源县"), ("361181", "德兴市"),
)


# ---------------------------------------------------------------------------------------------
# scalar checks (plain Python, the readable reference)
# ---------------------------------------------------------------------------------------------

def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a USCC.

    Parameters
    ----------
    first17 : str
        Exactly 17 characters over :data:`USCC_ALPHABET`.

    Returns
    -------
    str
        The 18th character.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 characters over the alphabet.

    Examples
    --------
    >>> uscc_check_char("91330100716105852")
    'F'
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError(f"A USCC check character needs exactly 17 characters; got {first17!r}.")
    total = 0
    for char, weight in zip(first17, USCC_WEIGHTS):
        if char not in _USCC_VALUE:
            raise ValueError(
                f"{char!r} is not a character of a unified social credit code "
                f"(allowed: {USCC_ALPHABET}); got {first17!r}."
            )
        total += _USCC_VALUE[char] * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: Any) -> bool:
    """Tell whether ``code`` is a well-formed unified social credit code (GB 32100-2015).

    Checks the length (18), the alphabet (digits and capitals without I, O, S, V, Z) and the
    check character. Anything that is not a ``str`` is invalid.

    Parameters
    ----------
    code : object
        The candidate code.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_valid_uscc("91330100716105852F")
    True
    >>> is_valid_uscc("91330100716105852G")
    False
    >>> is_valid_uscc(None)
    False
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(char not in _USCC_VALUE for char in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def org_check_char(body: str) -> str:
    """Return the GB 11714 check character of an 8-character organisation-code body.

    ``c9 = 11 - (Σ value_i × w_i mod 11)`` with weights ``3 7 9 10 5 8 4 2``; 10 is written
    ``X`` and 11 is written ``0``.

    Parameters
    ----------
    body : str
        8 characters over ``0-9A-Z``.

    Returns
    -------
    str

    Examples
    --------
    >>> org_check_char("71610585")
    '2'
    """
    if not isinstance(body, str) or len(body) != 8 or any(c not in _ORG_VALUE for c in body):
        raise ValueError(f"An organisation-code body is 8 characters over 0-9A-Z; got {body!r}.")
    total = sum(_ORG_VALUE[c] * w for c, w in zip(body, ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid_org_code(code: Any) -> bool:
    """Tell whether ``code`` is a 9-character GB 11714 organisation code with a correct check.

    Parameters
    ----------
    code : object
        E.g. characters 9–17 of a USCC.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_valid_org_code("716105852")
    True
    """
    if not isinstance(code, str) or len(code) != 9 or any(c not in _ORG_VALUE for c in code[:8]):
        return False
    return org_check_char(code[:8]) == code[8]


def is_valid_region(code: Any) -> bool:
    """Tell whether ``code`` looks like a GB/T 2260 division code.

    Six ASCII digits whose first two are a province-level code (:data:`PROVINCE_CODES`). The
    code is not looked up in a register of divisions (which changes every year).

    Parameters
    ----------
    code : object

    Returns
    -------
    bool

    Examples
    --------
    >>> is_valid_region("360111")
    True
    >>> is_valid_region("990111")
    False
    """
    return (
        isinstance(code, str)
        and len(code) == 6
        and code.isascii()
        and code.isdigit()
        and code[:2] in PROVINCE_CODES
    )


# ---------------------------------------------------------------------------------------------
# vectorized checks
# ---------------------------------------------------------------------------------------------

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


def valid_uscc_mask(codes: Any) -> np.ndarray:
    """Vectorized :func:`is_valid_uscc`: one boolean per element of ``codes``.

    Parameters
    ----------
    codes : pandas.Series, numpy.ndarray or sequence
        Candidate codes. ``None``, ``NaN``, ``pd.NA`` and anything that is not a ``str`` are
        invalid.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``codes`` (a Series gives a 1-D array in its order).

    Notes
    -----
    The ``str`` elements of length 18 are converted to a fixed-width unicode array and viewed as
    an ``(n, 18)`` matrix of code points; a 129-entry lookup table maps code points to values
    (``-1`` outside the alphabet) and a matrix product with :data:`USCC_WEIGHTS` gives the
    check sums. It agrees exactly with :func:`is_valid_uscc`.

    Examples
    --------
    >>> valid_uscc_mask(["91330100716105852F", "91330100716105852G", None, 42]).tolist()
    [True, False, False, False]
    """
    positions, cp, shape = _strings_of_length(codes, 18)
    out = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=bool)
    if positions.size:
        values = _USCC_LUT[np.minimum(cp, 128)]
        ok = (values >= 0).all(axis=1)
        total = values[:, :17].astype(np.int64) @ _USCC_W
        check = (31 - total % 31) % 31
        ok &= values[:, 17] == check
        out[positions] = ok
    return out.reshape(shape)


#: GB 32100-2015 code table: registration authority (character 1) → its organisation types
#: (character 2). 1 organisation-establishment offices (1 organ, 2 public institution, 3 mass
#: organisation, 9 other); 2 foreign affairs (1, 9); 3 justice (1 law firm, 2 notary, 3 legal
#: service, 4 forensic, 5 arbitration, 9); 4 culture (1, 9); 5 civil affairs (1 social
#: organisation, 2 private non-enterprise unit, 3 foundation, 9); 6 tourism (1, 2, 9);
#: 7 religion (1, 2, 9); 8 trade unions (1, 9); 9 market regulation (1 enterprise,
#: 2 individual business, 3 farmers' cooperative); A the military's establishment office
#: (1, 9); N agriculture (1, 2, 3 collective economic organisations, 9); Y other (1).
USCC_AUTHORITY_TYPES: Mapping[str, str] = MappingProxyType({
    "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129",
    "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1"})
_PAIR_LUT = np.zeros((129, 129), dtype=bool)
for _a, _types in USCC_AUTHORITY_TYPES.items():
    for _t in _types:
        _PAIR_LUT[ord(_a), ord(_t)] = True
_ORG_LUT = np.full(129, -1, dtype=np.int16)
for _i, _c in enumerate(ORG_ALPHABET):
    _ORG_LUT[ord(_c)] = _i


def uscc_structure_mask(codes: Any, org_check: bool = True) -> np.ndarray:
    """Which codes have the structure GB 32100-2015 gives a USCC, beyond its check character.

    Checks characters 1–2 (a registration authority and one of its organisation types,
    :data:`USCC_AUTHORITY_TYPES`), characters 3–8 (six digits whose first two are a
    province-level division, :data:`PROVINCE_CODES`, or ``10`` for the national level) and
    characters 9–17 (an organisation code whose own GB 11714 check character is right).
    A resident identity number such as ``362322198709086409`` satisfies the GB 32100 check
    character by chance; it fails here ('36' is no authority-type pair, and the embedded
    organisation code's check digit is wrong). Use it together with :func:`valid_uscc_mask`.

    Parameters
    ----------
    codes : pandas.Series, numpy.ndarray or sequence
    org_check : bool, default True
        Check the embedded organisation code's GB 11714 check character too. The reading
        stage passes False for now: hand-made codes in test data and shared cases carry a
        correct GB 32100 check character but not a correct embedded one.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``codes``; anything not a ``str`` of 18 characters is False.

    Examples
    --------
    >>> uscc_structure_mask(["91330100716105852F", "362322198709086409"]).tolist()
    [True, False]
    """
    positions, cp, shape = _strings_of_length(codes, 18)
    out = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=bool)
    if positions.size:
        c = np.minimum(cp, 128)
        ok = _PAIR_LUT[c[:, 0], c[:, 1]]
        d = c[:, 2:8]
        ok &= ((d >= 48) & (d <= 57)).all(axis=1)
        prov = np.clip((d[:, 0] - 48) * 10 + (d[:, 1] - 48), 0, 99)
        ok &= _PROVINCE_LUT[prov] | (prov == 10)
        if org_check:
            org = _ORG_LUT[c[:, 8:16]]
            ok &= (org >= 0).all(axis=1)
            check = 11 - (org.astype(np.int64) @ _ORG_W) % 11
            want = np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), 48 + check))
            ok &= c[:, 16] == want
        out[positions] = ok
    return out.reshape(shape)


def valid_region_mask(codes: Any) -> np.ndarray:
    """Vectorized :func:`is_valid_region`: one boolean per element of ``codes``.

    Parameters
    ----------
    codes : pandas.Series, numpy.ndarray or sequence
        Candidate division codes; anything that is not a ``str`` is invalid.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> valid_region_mask(["360111", "36011", "990111", 360111]).tolist()
    [True, False, False, False]
    """
    positions, cp, shape = _strings_of_length(codes, 6)
    out = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=bool)
    if positions.size:
        digits = cp.astype(np.int64) - 48
        ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
        province = np.where(ok, digits[:, 0] * 10 + digits[:, 1], 0)
        out[positions] = ok & _PROVINCE_LUT[province]
    return out.reshape(shape)


# ---------------------------------------------------------------------------------------------
# generation
# ---------------------------------------------------------------------------------------------

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
    body = np.empty((n, 8), dtype=np.int64)  # GB 11714 values (0-35)
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
