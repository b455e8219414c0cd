"""The DuckDB baseline: one ruleset as SQL, generated from the loaded Ruleset object.

The SQL is a chain of CTEs, one per step and rule kind:

``firms``          firm ids normalised (strip + upper), graded or not (status, included_since)
``ev_all``         events normalised, dates cast, records entered after the as-of date left out
``revoked``        the events named by a revocation
``ev``             the events that can count: graded firm, not revoked, within the period
``match_rules``    one row per (rule, event type) with the rule's severity/medium/amount/delay
                   filters, as a VALUES table generated from the ruleset
``hits``           matching events joined to the rules that read them
``counts``         per firm and rule: events, distinct types, the evidence (sorted event ids)
``event_points``   count × points, capped (``event_points`` and ``bonus`` rules)
``count_threshold``points once when at least N events match
``points``         the point rows (the contributions of point rules)
``cond``           per firm: the event counts and history counts each override reads
                   (conditional aggregation, one column per override)
``scored``         base + points, clamped to min/max, the band, then the overrides as CASE
                   expressions in ascending priority (vetoes and caps: "this grade or worse",
                   downgrades: N levels lower), ``vetoed`` and ``rules_applied``

Only what the ruleset declares is generated; rule kinds that need measurements (``tiers``) and
``valid_months`` lapses are not supported (the annual deduction schemes, e.g. ``anhui-2019``, need
neither). Inputs are trusted (no validation, no rejects), unlike ecocredit.

Usage::

    from benchmarks.baselines.duckdb_sql import score_duckdb, ruleset_sql
    scores, contributions = score_duckdb(firms, events, "anhui-2019", period="2025",
                                         history=history)
    print(ruleset_sql("anhui-2019", period="2025"))   # the SQL itself
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocredit.points import to_cents
from ecocredit.ruleset import Ruleset

from .common import SUPPORTED_KINDS, fen, history_windows, is_utf8, plan, transcode

__all__ = ["SUPPORTED_KINDS", "end_to_end", "ruleset_sql", "score_duckdb"]


def _q(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _list(values: list[str] | None) -> str:
    return "NULL" if values is None else "[" + ", ".join(_q(v) for v in values) + "]::VARCHAR[]"


def _fen(v: Decimal | None) -> str:
    return "NULL" if v is None else str(fen(v))


def _col(rule_id: str) -> str:
    return '"' + rule_id.replace('"', "") + '"'


def ruleset_sql(ruleset: Ruleset | str, *, period: str, as_of: dt.date | str | None = None,
                firms: str = "src_firms", events: str = "src_events",
                history: str | None = "src_history") -> dict[str, str]:
    """Generate the SQL of a ruleset for one period.

    ``firms``, ``events`` and ``history`` are the relations to read (a registered table name,
    or e.g. ``read_parquet('events.parquet')``); the firms relation must have an ``_ord`` column
    (the input row order). Returns ``{"scores": sql, "contributions": sql}`` sharing one CTE
    prefix in ``{"with": ...}``.
    """
    pl = plan(ruleset, period, as_of, "duckdb baseline")
    rs, per, as_of_d, eval_date = pl.rs, pl.per, pl.as_of, pl.eval_date
    E = f"DATE '{eval_date.isoformat()}'"
    sc = rs.scoring
    worst = pl.worst
    point_rules, overrides, ev_rules = pl.point_rules, pl.overrides, pl.ev_rules

    # match_rules: one row per (rule, event type), with the rule's other filters
    mrows = []
    for rid, m in ev_rules:
        for t in m.types:
            mrows.append(f"({_q(rid)}, {_q(t)}, {_list(m.severity)}, {_list(m.medium)}, "
                         f"{_fen(m.amount_min)}::BIGINT, {_fen(m.amount_max)}::BIGINT, "
                         f"{int(m.effective_after_days)})")
    match_values = ",\n    ".join(mrows) if mrows else \
        "(NULL, NULL, NULL, NULL, NULL::BIGINT, NULL::BIGINT, 0)"

    ep = [r for r in point_rules if r.kind in ("event_points", "bonus")]
    ct = [r for r in point_rules if r.kind == "count_threshold"]
    ep_values = ", ".join(
        f"({_q(r.id)}, {to_cents(r.points)}::BIGINT, "
        f"{'NULL' if r.cap is None else to_cents(r.cap)}::BIGINT, {i})"
        for i, r in enumerate(rs.rules) if r in ep)
    ct_values = ", ".join(f"({_q(r.id)}, {to_cents(r.points)}::BIGINT, {r.at_least}, {i})"
                          for i, r in enumerate(rs.rules) if r in ct)

    as_of_filter = (f"WHERE CAST(coalesce(nullif(trim(recorded_at), ''), trim(event_date)) "
                    f"AS DATE) <= DATE '{as_of_d.isoformat()}'") if as_of_d else ""
    ep_cte = (f"event_points AS (\n  SELECT c.firm_id, c.rule_id, r.ord,\n"
              f"    CASE WHEN r.cap IS NOT NULL AND abs(c.n * r.p) > r.cap THEN sign(r.p) * r.cap"
              f" ELSE c.n * r.p END AS pts, c.evidence\n"
              f"  FROM counts c JOIN (VALUES {ep_values}) r(rule_id, p, cap, ord) USING (rule_id))"
              if ep else "event_points AS (SELECT NULL::VARCHAR firm_id, NULL::VARCHAR rule_id, "
              "0 ord, 0::BIGINT pts, NULL::VARCHAR evidence WHERE false)")
    ct_cte = (f"count_threshold AS (\n  SELECT c.firm_id, c.rule_id, r.ord, r.p AS pts, "
              f"c.evidence\n  FROM counts c JOIN (VALUES {ct_values}) r(rule_id, p, at_least, ord)"
              f" USING (rule_id) WHERE c.n >= r.at_least)"
              if ct else "count_threshold AS (SELECT NULL::VARCHAR firm_id, NULL::VARCHAR "
              "rule_id, 0 ord, 0::BIGINT pts, NULL::VARCHAR evidence WHERE false)")

    # per-firm condition columns of the overrides
    cond_cols, hist_cols = [], []
    for r in overrides:
        w = r.when
        if w.events is not None:
            field = "nt" if w.count == "types" else "n"
            cond_cols.append(f"max({field}) FILTER (WHERE rule_id = {_q(r.id)}) AS {_col('n_' + r.id)}")
        if w.history is not None:
            h = w.history
            hit = []
            if h.grades:
                hit.append(f"grade IN ({', '.join(_q(g) for g in h.grades)})")
            if h.lists:
                hit.append(f"list IN ({', '.join(_q(x) for x in h.lists)})")
            for j, labels in enumerate(history_windows(r, per)):
                hist_cols.append(
                    f"count(*) FILTER (WHERE period IN ({', '.join(_q(x) for x in labels)}) AND "
                    f"({' OR '.join(hit) or 'false'})) AS {_col(f'h{j}_' + r.id)}")
    hist_cte = ""
    if hist_cols and history:
        lst = "coalesce(trim(list), '')"
        hist_cte = (f",\nhist_in AS (SELECT upper(trim(firm_id)) AS firm_id, trim(period) AS period,"
                    f" trim(grade) AS grade, {lst} AS list FROM {history}),\n"
                    f"hist AS (SELECT firm_id, {', '.join(hist_cols)} FROM hist_in GROUP BY firm_id)")

    def cond_expr(r: Any) -> str:
        w = r.when
        parts = ["f.graded"]
        if w.events is not None:
            n = f"coalesce(c.{_col('n_' + r.id)}, 0)"
            parts.append(f"{n} < {w.fewer_than}" if w.fewer_than is not None
                         else f"{n} >= {w.at_least}")
        if w.history is not None:
            held = []
            for j, labels in enumerate(history_windows(r, per)):
                k = f"coalesce(h.{_col(f'h{j}_' + r.id)}, 0)" if hist_cte else "0"
                held.append(f"{k} >= 1" if w.history.require == "any"
                            else f"{k} >= {len(labels)}")
            parts.append("(" + " OR ".join(held) + ")")
        return "(" + " AND ".join(parts) + ")"

    base = to_cents(sc.base)
    total = "raw"
    if sc.max is not None:
        total = f"(raw - greatest(gained - {to_cents(sc.max)}, 0))"
    if sc.min is not None:
        total = f"greatest({total}, {to_cents(sc.min)})"
    mins = [(to_cents(b.min), rs.grade_index[b.grade]) for b in sc.bands if b.min is not None]
    band = "CASE " + " ".join(f"WHEN total >= {m} THEN {g}" for m, g in mins) + \
        f" ELSE {rs.grade_index[sc.bands[-1].grade]} END"
    steps, applied, vetoes = [], [], []
    prev = "g0"
    for i, r in enumerate(overrides, 1):
        c = f"k{i}"
        steps.append(f"{cond_expr(r)} AS {c}")
        # each step names the previous grade once (a CASE with it in both branches would
        # double the expression at every step once DuckDB inlines the aliases)
        if r.kind == "downgrade":
            new = f"least({prev} + CASE WHEN {c} THEN {r.levels} ELSE 0 END, {worst})"
        else:
            target = rs.grade_index[r.grade] if r.grade else worst
            new = f"greatest({prev}, CASE WHEN {c} THEN {target} ELSE 0 END)"
            if r.kind == "veto":
                vetoes.append(c)
        steps.append(f"{new} AS g{i}")
        applied.append(f"CASE WHEN g{i} <> {prev} THEN {_q(r.id)} END")
        prev = f"g{i}"
    grade_ids = "[" + ", ".join(_q(g) for g in rs.grade_ids) + "]"

    f_sql = f"""CREATE OR REPLACE TEMP TABLE _firms AS
  SELECT _ord, upper(trim(firm_id)) AS firm_id,
    lower(trim(coalesce(status, ''))) NOT IN ('closed', 'suspended')
      AND NOT coalesce(TRY_CAST(nullif(trim(included_since), '') AS DATE) > {E}, false) AS graded
  FROM {firms}"""
    counts_sql = f"""CREATE OR REPLACE TEMP TABLE _counts AS
WITH
ev_all AS (
  SELECT trim(event_id) AS event_id, upper(trim(firm_id)) AS firm_id,
    CAST(trim(event_date) AS DATE) AS day, trim(event_type) AS event_type,
    trim(coalesce(severity, '')) AS severity, trim(coalesce(medium, '')) AS medium,
    CAST(round(TRY_CAST(nullif(replace(trim(coalesce(amount, '')), ',', ''), '') AS DOUBLE)
               * 100) AS BIGINT) AS fen,
    trim(coalesce(ref_event_id, '')) AS ref_event_id
  FROM {events} {as_of_filter}),
revoked AS (SELECT DISTINCT ref_event_id AS event_id FROM ev_all WHERE event_type = 'revocation'),
ev AS (
  SELECT e.* FROM ev_all e SEMI JOIN (SELECT firm_id FROM _firms WHERE graded) g USING (firm_id)
  ANTI JOIN revoked r USING (event_id)
  WHERE e.event_type <> 'revocation'
    AND e.day >= DATE '{per.start.isoformat()}' AND e.day <= {E}),
match_rules(rule_id, event_type, sev, med, amin, amax, delay) AS (VALUES
    {match_values}),
hits AS (
  SELECT m.rule_id, e.firm_id, e.event_id, e.event_type
  FROM ev e JOIN match_rules m USING (event_type)
  WHERE (m.sev IS NULL OR list_contains(m.sev, e.severity))
    AND (m.med IS NULL OR list_contains(m.med, e.medium))
    AND (m.amin IS NULL OR e.fen >= m.amin)
    AND (m.amax IS NULL OR (e.fen >= 0 AND e.fen < m.amax))
    AND e.day + m.delay <= {E})
SELECT firm_id, rule_id, count(*) AS n, count(DISTINCT event_type) AS nt,
  string_agg(event_id, ';' ORDER BY event_id) AS evidence
FROM hits GROUP BY firm_id, rule_id"""
    points_sql = f"""CREATE OR REPLACE TEMP TABLE _points AS
WITH
counts AS (SELECT * FROM _counts),
{ep_cte},
{ct_cte}
SELECT * FROM event_points WHERE pts <> 0 UNION ALL SELECT * FROM count_threshold WHERE pts <> 0"""
    scored_sql = f"""CREATE OR REPLACE TEMP TABLE _scored AS
WITH
totals AS (SELECT firm_id, sum(pts) AS pts, sum(greatest(pts, 0)) AS pos FROM _points
           GROUP BY firm_id),
cond AS (SELECT firm_id{''.join(', ' + c for c in cond_cols)} FROM _counts GROUP BY firm_id){hist_cte}
SELECT f._ord, f.firm_id, f.graded,
  {base} + coalesce(t.pts, 0) AS raw, {base} + coalesce(t.pos, 0) AS gained,
  {total} AS total,
  {band} AS g0{''.join(', ' + s for s in steps)},
  {' OR '.join(vetoes) or 'false'} AS vetoed,
  concat_ws(';'{''.join(', ' + a for a in applied)}) AS rules_applied
FROM _firms f LEFT JOIN totals t USING (firm_id) LEFT JOIN cond c USING (firm_id)
{'LEFT JOIN hist h USING (firm_id)' if hist_cte else ''}"""
    scores_sql = f"""SELECT firm_id,
  CASE WHEN graded THEN 'graded' ELSE 'not_graded' END AS status,
  CASE WHEN graded THEN total ELSE 0 END::BIGINT AS score_cents,
  CASE WHEN graded THEN {grade_ids}[{prev} + 1] ELSE '' END AS grade,
  graded AND vetoed AS vetoed,
  CASE WHEN graded THEN rules_applied ELSE '' END AS rules_applied
FROM _scored ORDER BY _ord"""
    clamp_rows = []
    if sc.max is not None:
        clamp_rows.append(f"SELECT _ord, firm_id, 1000000 AS ord, 'scoring.max' AS rule_id, "
                          f"-greatest(gained - {to_cents(sc.max)}, 0) AS pts, NULL AS evidence "
                          f"FROM _scored WHERE graded AND gained > {to_cents(sc.max)}")
    if sc.min is not None:
        pre = "raw" if sc.max is None else f"(raw - greatest(gained - {to_cents(sc.max)}, 0))"
        clamp_rows.append(f"SELECT _ord, firm_id, 1000001 AS ord, 'scoring.min' AS rule_id, "
                          f"{to_cents(sc.min)} - {pre} AS pts, NULL AS evidence "
                          f"FROM _scored WHERE graded AND {pre} < {to_cents(sc.min)}")
    contributions_sql = f"""SELECT firm_id, rule_id, pts::BIGINT AS points_cents, evidence
FROM (
  SELECT f._ord, p.firm_id, p.ord, p.rule_id, p.pts, p.evidence
  FROM _points p JOIN _firms f USING (firm_id)
  {''.join(' UNION ALL ' + c for c in clamp_rows)})
ORDER BY _ord, ord"""
    return {"setup": [f_sql, counts_sql, points_sql, scored_sql], "scores": scores_sql,
            "contributions": contributions_sql}


def _connect(threads: int | None = None) -> Any:
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def score_duckdb(firms: pd.DataFrame, events: pd.DataFrame, ruleset: Ruleset | str, *,
                 period: str, history: pd.DataFrame | None = None,
                 as_of: dt.date | str | None = None, contributions: bool = True,
                 con: Any = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Score in-memory DataFrames with the generated SQL (DuckDB scans them in place).

    Returns ``(scores, contributions)``; scores in the firms' order with ``firm_id``,
    ``status``, ``score_cents``, ``grade``, ``vetoed``, ``rules_applied``; contributions of the
    point rules and clamps (``firm_id``, ``rule_id``, ``points_cents``, ``evidence``) or None.
    """
    con = con or _connect()
    src_firms = firms.assign(_ord=np.arange(len(firms), dtype=np.int64))
    con.register("src_firms", src_firms)
    con.register("src_events", events)
    if history is not None:
        con.register("src_history", history)
    sql = ruleset_sql(ruleset, period=period, as_of=as_of,
                      history="src_history" if history is not None else None)
    for stmt in sql["setup"]:
        con.execute(stmt)
    scores = con.execute(sql["scores"]).df()
    contrib = con.execute(sql["contributions"]).df() if contributions else None
    return scores, contrib


#: set once the ``encodings`` extension could not be installed: not tried again (each try
#: waits for the download to fail)
_NO_ENCODINGS: list[bool] = []


def load_encodings(con: Any) -> bool:
    """Load DuckDB's ``encodings`` extension (GB18030 among them) into ``con``; False where it
    cannot be installed (no network) or loaded."""
    if _NO_ENCODINGS:
        return False
    try:
        con.execute("INSTALL encodings; LOAD encodings")
        return True
    except Exception:  # noqa: BLE001 - duckdb raises IOException/HTTPException/... alike
        _NO_ENCODINGS.append(True)
        return False


def end_to_end(firms: str | Path, events: str | Path, ruleset: Ruleset | str, *, period: str,
               history: str | Path | None = None, out: str | Path, encoding: str = "utf-8",
               as_of: dt.date | str | None = None, con: Any = None) -> dict[str, Any]:
    """Read Parquet or CSV files, score, and write ``scores.csv`` and ``contributions.csv``.

    CSV files are read by ``read_csv`` with ``encoding``; for GB18030 that needs DuckDB's
    ``encodings`` extension, and where it cannot be loaded the files are transcoded to UTF-8
    copies in ``out`` first (:func:`.common.transcode`). Returns the row count of the scores and
    ``"transcoded"``: whether that happened.
    """
    con = con or _connect()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    enc, transcoded = "utf-8", False
    if not is_utf8(encoding):
        if load_encodings(con):
            enc = encoding
        else:
            transcoded = True

    def rel(p: str | Path, ord_col: bool = False) -> str:
        p = Path(p)
        if p.suffix in (".parquet", ".pq"):
            return (f"(SELECT *, file_row_number AS _ord FROM read_parquet({_q(p)}, "
                    f"file_row_number = true))" if ord_col else f"read_parquet({_q(p)})")
        if transcoded:
            p = transcode(p, out / f"{p.stem}.utf8.csv", encoding, "utf-8")
        src = f"read_csv({_q(p)}, all_varchar = true, header = true, encoding = {_q(enc)})"
        return f"(SELECT *, row_number() OVER () AS _ord FROM {src})" if ord_col else src

    sql = ruleset_sql(ruleset, period=period, as_of=as_of, firms=rel(firms, True),
                      events=rel(events), history=rel(history) if history else None)
    for stmt in sql["setup"]:
        con.execute(stmt)
    for name in ("scores", "contributions"):
        con.execute(f"COPY ({sql[name]}) TO {_q(out / (name + '.csv'))} (HEADER, DELIMITER ',')")
    return {"scores": con.execute("SELECT count(*) FROM _scored").fetchone()[0],
            "transcoded": transcoded}
