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

from .make import make_uscc
from .regions import (CITY_NAMES, JIANGXI_COUNTIES, PROVINCE_CODES, is_valid_region,
                      valid_region_mask)
from .uscc import (ORG_ALPHABET, ORG_WEIGHTS, USCC_ALPHABET, USCC_AUTHORITY_TYPES, USCC_WEIGHTS,
                   is_valid_org_code, is_valid_uscc, org_check_char, uscc_check_char,
                   uscc_structure_mask, valid_uscc_mask)

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
