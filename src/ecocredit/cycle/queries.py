"""``register show``: a firm's grade and list in force on a day, and the decisions behind it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..output import csv_bytes
from .register import Register

__all__ = ["show", "HISTORY_COLUMNS"]

HISTORY_COLUMNS = ["seq", "stage", "firm_id", "ruleset", "period", "grade", "grade_label", "list",
                   "list_until", "effective_from", "effective_to", "published_on",
                   "publication_end", "run_id", "rule_id", "reason", "evidence", "supersedes",
                   "in_force"]


def show(register: Register | str | Path, firm_id: str, on: dt.date | str, *,
         as_csv: bool = False) -> str:
    """The state in force on ``on`` and the firm's history, as text or CSV (the history rows).

    ``effective_to`` of a record in force is the day before the next one takes effect;
    ``in_force`` marks the record in force on the day.
    """
    reg = register if isinstance(register, Register) else Register(register)
    fid = firm_id.strip().upper()
    day = on.isoformat() if isinstance(on, dt.date) else str(on)
    hist = reg.decisions(firm_id=fid)
    now = reg.in_force([fid], day)
    seq_now = int(now.iloc[0]["seq"]) if len(now) else -1
    if len(hist):
        forced = hist[hist["stage"].isin(("final", "adjustment", "repair"))]
        hist["effective_to"] = ""
        order = forced.sort_values(["effective_from", "seq"])
        nxt = order["effective_from"].shift(-1)
        for (i, _), n in zip(order.iterrows(), nxt):
            if isinstance(n, str) and n:
                hist.at[i, "effective_to"] = (dt.date.fromisoformat(n)
                                              - dt.timedelta(days=1)).isoformat()
    hist["in_force"] = hist["seq"] == seq_now
    cols = list(HISTORY_COLUMNS)
    if len(hist) and (hist["sub_level"].fillna("") != "").any():  # a ruleset with 档次
        cols.insert(cols.index("grade_label") + 1, "sub_level")
    hist = hist[cols]
    if as_csv:
        return csv_bytes(hist.astype(object)).decode("utf-8-sig")
    if len(now):
        r = now.iloc[0]
        level = f", level {r['sub_level']}" if r.get("sub_level") else ""
        head = (f"{fid} on {day}: grade {r['grade'] or '-'} ({r['grade_label'] or 'not graded'})"
                + level
                + (f", {r['list']} list until {r['list_until']}" if r["list"] else ", on no list")
                + f"; in force from {r['effective_from']} by record #{r['seq']} "
                f"({r['stage']}, ruleset {r['ruleset']}, period {r['period']}, run {r['run_id']})")
    else:
        head = f"{fid} on {day}: no published result in force."
    lines = [head, f"History ({len(hist)} decisions):"]
    for r in hist.itertuples(index=False):
        mark = "*" if r.in_force else " "
        span = (f"in force {r.effective_from}..{r.effective_to or 'open'}"
                if r.stage in ("final", "adjustment", "repair") else
                f"published {r.published_on}" + (f", objections until {r.publication_end}"
                                                  if r.publication_end else ""))
        sup = f", supersedes #{r.supersedes}" if str(r.supersedes) not in ("", "<NA>") else ""
        lines.append(f" {mark}#{r.seq} {r.stage:<10} {r.period} {r.grade or '-':<6} "
                     f"{(r.list or '-'):<5} {span}{sup}; {r.rule_id or '-'}; {r.reason}")
    return "\n".join(lines)
