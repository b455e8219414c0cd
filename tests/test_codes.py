"""Unified social credit codes (GB 32100-2015) and division codes (GB/T 2260)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ecocredit.codes import (
    CITY_NAMES,
    JIANGXI_COUNTIES,
    PROVINCE_CODES,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    is_valid_org_code,
    is_valid_region,
    is_valid_uscc,
    make_uscc,
    org_check_char,
    uscc_check_char,
    valid_region_mask,
    valid_uscc_mask,
)

# Real codes of well-known companies, as printed on their business licences and annual reports
# (recalled from public sources, not fetched). Each one passes both the GB 32100 check
# character and the GB 11714 check character embedded at position 17, which a misremembered
# code would do with a probability of about 1 in 341, so they are good evidence that the
# published algorithm is implemented as the registries apply it.
REAL_CODES = {
    "91330100716105852F": "阿里巴巴（中国）有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "914403001922038216": "华为技术有限公司",
    "91110000802100433B": "北京百度网讯科技有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91520000214434146R": "贵州茅台酒股份有限公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "91440300192181490G": "万科企业股份有限公司",
    # the worked example used in explanations of GB 32100 (an 'M' organisation code)
    "91350100M000100Y43": "GB 32100 example",
    # given in the project brief; its holder was not checked
    "91110000600037341L": "example from the brief",
}


def test_the_weights_are_the_powers_of_3_modulo_31():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_ALPHABET) == 31 and not set("IOSVZ") & set(USCC_ALPHABET)


@pytest.mark.parametrize("code", sorted(REAL_CODES))
def test_real_codes_are_valid(code):
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]
    assert is_valid_org_code(code[8:17])
    assert valid_uscc_mask([code]).tolist() == [True]


def test_the_check_character_of_alibaba_by_hand():
    values = [USCC_ALPHABET.index(c) for c in "91330100716105852"]
    assert values == [9, 1, 3, 3, 0, 1, 0, 0, 7, 1, 6, 1, 0, 5, 8, 5, 2]
    total = sum(v * w for v, w in zip(values, USCC_WEIGHTS))
    assert total == 9 * 1 + 1 * 3 + 3 * 9 + 3 * 27 + 1 * 26 + 7 * 20 + 1 * 29 + 6 * 25 + 1 * 13 \
        + 5 * 24 + 8 * 10 + 5 * 30 + 2 * 28 == 884
    assert 31 - 884 % 31 == 31 - 16 == 15          # 884 = 28 * 31 + 16
    assert USCC_ALPHABET[15] == "F" == uscc_check_char("91330100716105852")


def test_organisation_code_check_by_hand():
    # 7 1 6 1 0 5 8 5 weighted 3 7 9 10 5 8 4 2 = 174; 174 mod 11 = 9; 11 - 9 = 2
    assert org_check_char("71610585") == "2"
    # M=22, Y=34: 22 * 3 + 1 * 5 + 34 * 2 = 139; 139 mod 11 = 7; 11 - 7 = 4
    assert org_check_char("M000100Y") == "4"


@pytest.mark.parametrize("bad", [
    "91330100716105852G",        # wrong check character
    "91330100716105852f",        # lower case
    "9133010071610585F",         # 17 characters
    "91330100716105852FF",       # 19 characters
    "91330100716I05852F",        # I is not in the alphabet
    " 91330100716105852F",       # whitespace is not stripped
    "",
])
def test_invalid_codes(bad):
    assert not is_valid_uscc(bad)
    assert valid_uscc_mask([bad]).tolist() == [False]


@pytest.mark.parametrize(
    "value", [None, float("nan"), pd.NA, 91330100716105852, b"91330100716105852F"])
def test_non_strings_are_invalid(value):
    assert not is_valid_uscc(value)
    assert valid_uscc_mask([value]).tolist() == [False]


def test_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        uscc_check_char("9133")
    with pytest.raises(ValueError):
        uscc_check_char("9133010071610585I")


def test_mask_accepts_series_arrays_and_lists():
    codes = ["91330100716105852F", "91330100716105852G", None]
    expected = [True, False, False]
    assert valid_uscc_mask(codes).tolist() == expected
    assert valid_uscc_mask(np.array(codes, dtype=object)).tolist() == expected
    assert valid_uscc_mask(pd.Series(codes)).tolist() == expected
    assert valid_uscc_mask(pd.Series(codes, dtype="string")).tolist() == expected
    assert valid_uscc_mask(np.array(codes[:2])).tolist() == expected[:2]        # '<U18'
    assert valid_uscc_mask(np.array(["91330100716105852F", "9"])).tolist() == [True, False]
    assert valid_uscc_mask(np.array(["9", "1"])).tolist() == [False, False]      # '<U1'
    assert valid_uscc_mask(np.arange(3)).tolist() == [False] * 3
    assert valid_uscc_mask([]).shape == (0,)
    assert valid_uscc_mask(np.array(codes, dtype=object).reshape(3, 1)).shape == (3, 1)
    with pytest.raises(TypeError):
        valid_uscc_mask("91330100716105852F")


# --- the scalar and vectorized versions agree -----------------------------------------------

near_alphabet = st.sampled_from(USCC_ALPHABET + "IOSVZaz -\x00é统")


@st.composite
def candidate_codes(draw):
    kind = draw(st.integers(0, 4))
    if kind == 0:   # well-formed, random check character
        return draw(st.text(st.sampled_from(USCC_ALPHABET), min_size=18, max_size=18))
    if kind == 1:   # valid, then maybe one character changed
        body = draw(st.text(st.sampled_from(USCC_ALPHABET), min_size=17, max_size=17))
        code = body + uscc_check_char(body)
        if draw(st.booleans()):
            i = draw(st.integers(0, 17))
            code = code[:i] + draw(near_alphabet) + code[i + 1:]
        return code
    if kind == 2:   # lengths around 18 over a wider alphabet
        return draw(st.text(near_alphabet, min_size=16, max_size=20))
    if kind == 3:   # anything
        return draw(st.text(max_size=25))
    return draw(st.sampled_from([None, math.nan, pd.NA, 0, 3.5, b"x", ("a",)]))


@settings(max_examples=300, deadline=None)
@given(st.lists(candidate_codes(), max_size=30))
@example(["91330100716105852F" + "\x00"])
@example(["91330100716105852F", "91330100716105852F\x00\x00"])
def test_vectorized_equals_scalar(codes):
    expected = [is_valid_uscc(c) for c in codes]
    assert valid_uscc_mask(codes).tolist() == expected
    assert valid_uscc_mask(pd.Series(codes, dtype=object)).tolist() == expected
    strings = [c for c in codes if isinstance(c, str)]
    assert valid_uscc_mask(np.array(strings, dtype=str)).tolist() == [
        is_valid_uscc(str(s)) for s in np.array(strings, dtype=str)]


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(USCC_ALPHABET), min_size=17, max_size=17),
       st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_every_single_substitution_is_detected(body, position, replacement):
    code = body + uscc_check_char(body)
    changed = code[:position] + replacement + code[position + 1:]
    assert is_valid_uscc(changed) == (changed == code)


# --- generation ------------------------------------------------------------------------------

def test_generated_codes_are_valid_unique_and_structured():
    rng = np.random.default_rng(5)
    regions = np.array([c for c, _ in JIANGXI_COUNTIES])[rng.integers(0, 100, 50_000)]
    codes = make_uscc(rng, regions, serials=np.arange(50_000) * 7 + 3)
    assert valid_uscc_mask(codes).all()
    assert len(set(codes.tolist())) == codes.size
    assert all(c[:2] == "91" for c in codes[:100])
    assert (np.array([c[2:8] for c in codes]) == regions).all()
    assert all(is_valid_org_code(c[8:17]) for c in codes[:2000])
    new_style = np.array([c[8:10] == "MA" for c in codes])
    assert 0.3 < new_style.mean() < 0.5


def test_random_bodies_are_valid_and_unique_in_practice():
    rng = np.random.default_rng(6)
    codes = make_uscc(rng, np.full(5_000, "360111"))  # ~0.05 expected collisions (seeded)
    assert valid_uscc_mask(codes).all()
    assert len(set(codes.tolist())) == codes.size


def test_generation_is_deterministic_and_checks_its_input():
    a = make_uscc(np.random.default_rng(1), np.full(10, "360102"))
    b = make_uscc(np.random.default_rng(1), np.full(10, "360102"))
    assert (a == b).all()
    with pytest.raises(ValueError):
        make_uscc(np.random.default_rng(1), np.array(["990102"]))
    with pytest.raises(ValueError):
        make_uscc(np.random.default_rng(1), np.array(["360102"]), serials=np.array([10**8]))
    assert make_uscc(np.random.default_rng(1), np.array([], dtype=str)).shape == (0,)


# --- division codes --------------------------------------------------------------------------

def test_jiangxi_counties():
    codes = [c for c, _ in JIANGXI_COUNTIES]
    assert len(codes) == len(set(codes)) == 100
    assert valid_region_mask(codes).all()
    assert {c[:4] for c in codes} == set(CITY_NAMES)
    assert dict(JIANGXI_COUNTIES)["360111"] == "青山湖区"
    assert dict(JIANGXI_COUNTIES)["360113"] == "红谷滩区"
    assert all(name[-1] in "区县市" for _, name in JIANGXI_COUNTIES)


@pytest.mark.parametrize("code,ok", [
    ("360111", True), ("110000", True), ("820000", True), ("990111", False),
    ("36011", False), ("3601110", False), ("36011a", False), ("３６０１１１", False),
    ("36011²", False), (360111, False), (None, False),
])
def test_region_codes(code, ok):
    assert is_valid_region(code) is ok
    assert valid_region_mask([code]).tolist() == [ok]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(st.sampled_from("0123456789a²"), min_size=5, max_size=7),
                          st.none(), st.integers()), max_size=20))
def test_region_mask_equals_scalar(codes):
    assert valid_region_mask(codes).tolist() == [is_valid_region(c) for c in codes]


def test_province_codes():
    assert len(PROVINCE_CODES) == 34 and "36" in PROVINCE_CODES
