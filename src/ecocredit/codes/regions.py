"""GB/T 2260 administrative divisions: province codes, the sample's city and county names, and
the region-code checks (scalar and vectorized)."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ._text import _strings_of_length


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
