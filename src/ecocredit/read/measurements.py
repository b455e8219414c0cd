"""The measurements table: firm, period, indicator and a value the ruleset's indicator takes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ..ruleset import Ruleset
from .checks import _firm_rows
from .encoded import _Enc
from .parse import _NUMBER_RE
from .prepared import _Rejects
from .text import STR, _np
from .threads import _in_threads


#: the values an indicator of each unit can take (inclusive); any other unit: a number of at
#: most fifteen digits either side of zero
_DOMAINS = {"fraction": (Decimal(0), Decimal(1)), "percent": (Decimal(0), Decimal(100)),
            "%": (Decimal(0), Decimal(100))}
_ANY = (Decimal("-1e15"), Decimal("1e15"))


def _domain(unit: str) -> tuple[Decimal, Decimal]:
    return _DOMAINS.get(unit.strip().lower(), _ANY)


def _within(uval: pd.Series, lo: Decimal, hi: Decimal) -> np.ndarray:
    """Which distinct values (numbers by ``_NUMBER_RE``) lie in [lo, hi], exactly; a value of
    400 digits or 1e400 lies outside any domain. Runs on the distinct values only."""
    out = np.zeros(len(uval), dtype=bool)
    for k, v in enumerate(uval.astype(object)):
        try:
            d = Decimal(str(v))
            out[k] = d.is_finite() and len(str(v)) < 40 and lo <= d <= hi
        except (InvalidOperation, ValueError):
            pass
    return out


def _measurements(df: pd.DataFrame, file: str, rej: _Rejects, ruleset: Ruleset,
                  firm_keys: pd.Series) -> tuple[pd.DataFrame, np.ndarray]:
    """Validate the measurements on the distinct values of each column."""
    n = len(df)
    bad = np.zeros(n, dtype=bool)
    enc = _in_threads({c: (lambda c=c: _Enc.of(df[c]))
                       for c in ("firm_id", "period", "indicator", "value")}, n)
    for c, e in enc.items():
        bad |= rej.missing(file, c, e.is_(""))
    idx, unknown = _firm_rows(enc["firm_id"], firm_keys, file, rej)
    bad |= unknown
    per = enc["period"]
    okp = per.per_row(_np(pc.match_substring_regex(
        per.uniq, r"^\d{4}(-(0[1-9]|1[0-2]))?$")).astype(bool)) | per.is_("")
    rej.add(file, np.flatnonzero(~okp), "period", "bad_period", per.values(~okp),
            "A period is YYYY or YYYY-MM.")
    bad |= ~okp
    ind, val = enc["indicator"], enc["value"]
    given = ~val.is_("")
    uval = pd.Series(val.uniq, dtype=STR)
    for i in ruleset.indicators:
        sel = ind.is_(i.id) & given
        if not sel.any():
            continue
        if i.kind == "numeric":  # a decimal number (not inf or nan)
            num = uval.str.fullmatch(_NUMBER_RE).to_numpy(dtype=bool)
            b = sel & ~val.per_row(num)
            rej.add(file, np.flatnonzero(b), "value", "bad_number", val.values(b),
                    f"Indicator '{i.id}' takes a number.")
            lo, hi = _domain(i.unit)
            out = sel & val.per_row(num & ~_within(uval, lo, hi))
            rej.add(file, np.flatnonzero(out), "value", "out_of_domain", val.values(out),
                    f"Indicator '{i.id}' ({i.unit or 'a number'}) takes values from {lo} to "
                    f"{hi}" + (" (a fraction: 95% is 0.95)." if i.unit == "fraction" else "."))
            b |= out
        else:
            b = sel & ~val.per_row(uval.isin(i.values).to_numpy())
            rej.add(file, np.flatnonzero(b), "value", "bad_value", val.values(b),
                    f"Indicator '{i.id}' takes one of {i.values}.")
        bad |= b
    key = ((idx.astype(np.int64) + 1) * len(per.uniq) + per.codes) * len(ind.uniq) + ind.codes
    dup = pd.Series(key).duplicated(keep="first").to_numpy() & ~bad
    rej.add(file, np.flatnonzero(dup), "indicator", "duplicate_measurement", ind.values(dup),
            "A second value for the same firm, period and indicator.")
    bad |= dup
    ok = ~bad
    out = pd.DataFrame({"firm_idx": idx[ok].astype(np.int32), "period": per.categorical(ok),
                        "indicator": ind.categorical(ok), "value": val.series(ok)}, copy=False)
    return out, ok
