"""A synthetic inspectors table for the double-random draw (sample data, made-up people).

``sample_data/inspectors.csv`` is ``python -m ecocredit.synth.inspectors --firms
sample_data/firms.csv --out sample_data/inspectors.csv`` (seed 20251123, one officer per 8 firms,
the smallest county left with a single officer to show the shortfall report). The table has the
columns :func:`ecocredit.supervision.read_inspectors` reads.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..supervision.inputs import _read_csv_any

__all__ = ["generate_inspectors", "main"]


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强丛华车冉房边"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣博文杨雪琳晨辰士建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"


def generate_inspectors(firms: Any, *, seed: int = 20251123, firms_per_officer: int = 8,
                        min_officers: int = 3, max_officers: int = 20, city_officers: int = 4,
                        conflict_rate: float = 0.3, understaffed: int = 1) -> pd.DataFrame:
    """A synthetic inspectors table for a firms table (all names and ids made up).

    Every county with firms gets ``clip(ceil(firms / firms_per_officer), min_officers,
    max_officers)`` officers and every city unit ``city_officers``; about ``conflict_rate`` of
    the officers declare a conflict with one or two firms of their county; one in ten has a
    lower maximum (part-time, 6 checks a quarter). The ``understaffed`` smallest counties get a
    single officer, to show the shortfall report.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"firm_id": ["91360102MA35XKQ17X"] * 1, "region_code": ["360102"]})
    >>> generate_inspectors(f, understaffed=0)["county_code"].tolist()
    ['360100', '360100', '360100', '360100', '360102', '360102', '360102']
    """
    if isinstance(firms, (str, Path)):
        firms = _read_csv_any(firms, "firms")
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    f = firms.sort_values("firm_id", kind="stable")
    if "status" in f.columns:
        f = f[f["status"].astype(str) != "closed"]
    by_county = f.groupby("region_code")["firm_id"].apply(list).sort_index()
    small = list(by_county.map(len).sort_values(kind="stable").index[:understaffed])
    rows = []
    seq = 0

    def person() -> str:
        s = _SURNAMES[rng.integers(len(_SURNAMES))]
        g = "".join(_GIVEN[x] for x in rng.integers(len(_GIVEN), size=int(rng.integers(1, 3))))
        return s + g

    for city_code in sorted({c[:4] + "00" for c in by_county.index}):
        for _ in range(city_officers):
            seq += 1
            rows.append({"inspector_id": f"ZF{seq:05d}", "name": person(),
                         "county_code": city_code, "conflicts": "",
                         "max_checks_per_quarter": ""})
    for county, ids in by_county.items():
        k = 1 if county in small else int(np.clip(math.ceil(len(ids) / firms_per_officer),
                                                  min_officers, max_officers))
        for _ in range(k):
            seq += 1
            conf = ""
            if rng.random() < conflict_rate and ids:
                m = int(rng.integers(1, 3))
                conf = ";".join(sorted(rng.choice(ids, size=min(m, len(ids)), replace=False)))
            mx = "6" if rng.random() < 0.1 else ""
            rows.append({"inspector_id": f"ZF{seq:05d}", "name": person(),
                         "county_code": county, "conflicts": conf,
                         "max_checks_per_quarter": mx})
    return pd.DataFrame(rows, columns=["inspector_id", "name", "county_code", "conflicts",
                                       "max_checks_per_quarter"])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ecocredit.synth.inspectors --firms F --out inspectors.csv``: write a synthetic
    inspectors table (UTF-8, no BOM, like the other sample files)."""
    ap = argparse.ArgumentParser(prog="python -m ecocredit.synth.inspectors",
                                 description="Write a synthetic inspectors table.")
    ap.add_argument("--firms", required=True)
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--firms-per-officer", type=int, default=8)
    ap.add_argument("--understaffed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    df = generate_inspectors(a.firms, seed=a.seed, firms_per_officer=a.firms_per_officer,
                             understaffed=a.understaffed)
    Path(a.out).write_text(df.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    print(f"{len(df)} inspectors written to {a.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
