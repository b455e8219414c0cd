"""The Polars baseline: one ruleset as a lazy query, built from the loaded Ruleset object.

The way an analyst who knows Polars writes it: ``scan_csv`` / ``scan_parquet`` (every column
read as text, as the contract's files are), tidy the columns, one filter per rule that reads
events, ``group_by`` for the counts and the evidence, joins for points and history, the
overrides as ``when/then`` expressions in ascending priority, then ``sink_csv``. The same steps
as the DuckDB baseline's CTEs (see :mod:`.duckdb_sql`), with the same limits: the annual
deduction schemes (``anhui-2019``), no measurements (``tiers``), no ``valid_months``, inputs
trusted (no validation, no rejects), unlike ecocredit.

Usage::

    from benchmarks.baselines.polars_lazy import score_polars, end_to_end
    scores, contributions = score_polars(firms, events, "anhui-2019", period="2025",
                                         history=history)        # pandas DataFrames in memory
    end_to_end("firms.csv", "events.csv", "anhui-2019", period="2025",
               history="history.csv", out="out/")                # files in, CSV files out
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl

from ecocredit.points import to_cents
from ecocredit.ruleset import Ruleset

from .common import Plan, fen, history_windows, is_utf8, plan, transcode

__all__ = ["end_to_end", "query", "scan", "score_polars"]

_S = pl.String


def _t(c: str) -> pl.Expr:
    """A text column stripped, missing read as ''."""
    return pl.col(c).fill_null("").str.strip_chars()


def scan(path: str | Path, encoding: str = "utf8", tmp: Path | None = None) -> pl.LazyFrame:
    """A contract file as a lazy frame of text columns (CSV in ``encoding``, or Parquet).

    Polars reads UTF-8 only: a file in another encoding (GB18030) is transcoded into ``tmp``
    first (:func:`.common.transcode`, as an analyst would with ``iconv``).
    """
    p = Path(path)
    if p.suffix in (".parquet", ".pq"):
        return pl.scan_parquet(p)
    if not is_utf8(encoding):
        p = transcode(p, Path(tmp or p.parent) / f"{p.stem}.utf8.csv", encoding, "utf-8")
    return pl.scan_csv(p, infer_schema=False)


def _events(p: Plan, events: pl.LazyFrame) -> pl.LazyFrame:
    """The events that can count (not revoked, within the period), tidied."""
    cols = events.collect_schema().names()
    ev = events.select(
        _t("event_id").alias("event_id"), _t("firm_id").str.to_uppercase().alias("firm_id"),
        _t("event_date").str.to_date("%Y-%m-%d").alias("day"),
        _t("event_type").alias("event_type"), _t("severity").alias("severity"),
        _t("medium").alias("medium"),
        (_t("amount").str.replace_all(",", "").replace("", None).cast(pl.Float64) * 100)
        .round(0).cast(pl.Int64).alias("fen"),
        _t("ref_event_id").alias("ref_event_id"),
        (_t("recorded_at") if "recorded_at" in cols else pl.lit("")).alias("recorded_at"),
        _t("event_date").alias("event_date"))
    if p.as_of is not None:
        rec = pl.when(pl.col("recorded_at") != "").then(pl.col("recorded_at")) \
            .otherwise(pl.col("event_date")).str.to_date("%Y-%m-%d")
        ev = ev.filter(rec <= p.as_of)
    revoked = ev.filter(pl.col("event_type") == "revocation").select(
        pl.col("ref_event_id").alias("event_id")).unique()
    return ev.join(revoked, on="event_id", how="anti").filter(
        (pl.col("event_type") != "revocation") & (pl.col("day") >= p.per.start)
        & (pl.col("day") <= p.eval_date))


def _hits(p: Plan, ev: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (rule, matching event): the events joined to a table of the rules' filters
    (one row per rule and event type), then filtered."""
    rows = [(rid, t, m.severity, m.medium, fen(m.amount_min), fen(m.amount_max),
             int(m.effective_after_days)) for rid, m in p.ev_rules for t in m.types]
    rules = pl.LazyFrame(rows, orient="row", schema={
        "rule_id": _S, "event_type": _S, "sev": pl.List(_S), "med": pl.List(_S),
        "amin": pl.Int64, "amax": pl.Int64, "delay": pl.Int64})
    ok = ((pl.col("sev").is_null() | pl.col("sev").list.contains(pl.col("severity")))
          & (pl.col("med").is_null() | pl.col("med").list.contains(pl.col("medium")))
          & (pl.col("amin").is_null() | (pl.col("fen") >= pl.col("amin")))
          & (pl.col("amax").is_null() | ((pl.col("fen") >= 0) & (pl.col("fen") < pl.col("amax"))))
          & (pl.col("day") + pl.duration(days=pl.col("delay")) <= p.eval_date))
    return ev.join(rules, on="event_type").filter(ok.fill_null(False)).select(
        "firm_id", "event_id", "event_type", "rule_id")


def _points(p: Plan, counts: pl.LazyFrame) -> pl.LazyFrame:
    """The point rows: count × points capped, or points once at a threshold; zeros dropped."""
    order = {r.id: i for i, r in enumerate(p.rs.rules)}
    ep = [r for r in p.point_rules if r.kind in ("event_points", "bonus")]
    ct = [r for r in p.point_rules if r.kind == "count_threshold"]
    rules = pl.LazyFrame({
        "rule_id": [r.id for r in ep + ct], "ord": [order[r.id] for r in ep + ct],
        "p": [to_cents(r.points) for r in ep + ct],
        "cap": [to_cents(r.cap) if r.cap is not None else None for r in ep] + [None] * len(ct),
        "at_least": [None] * len(ep) + [int(r.at_least) for r in ct],
        "threshold": [False] * len(ep) + [True] * len(ct)},
        schema={"rule_id": _S, "ord": pl.Int64, "p": pl.Int64, "cap": pl.Int64,
                "at_least": pl.Int64, "threshold": pl.Boolean})
    n_p = pl.col("n") * pl.col("p")
    pts = (pl.when(pl.col("threshold")).then(pl.col("p"))
           .when(pl.col("cap").is_not_null() & (n_p.abs() > pl.col("cap")))
           .then(pl.col("p").sign() * pl.col("cap")).otherwise(n_p))
    return (counts.join(rules, on="rule_id")
            .filter(~pl.col("threshold") | (pl.col("n") >= pl.col("at_least")))
            .select("firm_id", "rule_id", "ord", pts.alias("pts"), "evidence")
            .filter(pl.col("pts") != 0))


def _history(p: Plan, history: pl.LazyFrame | None) -> tuple[pl.LazyFrame | None, list[str]]:
    """Per firm, for each history window an override reads, the periods it holds."""
    aggs = []
    for r in p.overrides:
        h = r.when.history
        if h is None:
            continue
        hit = pl.col("grade").is_in(list(h.grades or [])) | pl.col("list").is_in(
            list(h.lists or []))
        for j, labels in enumerate(history_windows(r, p.per)):
            aggs.append((pl.col("period").is_in(labels) & hit).sum().alias(f"h{j}_{r.id}"))
    if not aggs or history is None:
        return None, []
    cols = history.collect_schema().names()
    h = history.select(_t("firm_id").str.to_uppercase().alias("firm_id"),
                       _t("period").alias("period"), _t("grade").alias("grade"),
                       (_t("list") if "list" in cols else pl.lit("")).alias("list"))
    return h.group_by("firm_id").agg(aggs), [a.meta.output_name() for a in aggs]


def _grade(p: Plan, scored: pl.LazyFrame, hist_cols: list[str]) -> pl.LazyFrame:
    """The scored frame with ``g`` (the final grade index), ``vetoed`` and ``rules_applied``.

    Each override is one ``with_columns`` step naming the previous grade column (an expression
    holding the previous one twice would double at every step). ``hist_cols`` are the history
    columns of ``scored`` (none without a history table).
    """
    rs, sc = p.rs, p.rs.scoring
    band = pl.lit(rs.grade_index[sc.bands[-1].grade])
    for b in reversed([b for b in sc.bands if b.min is not None]):
        band = pl.when(pl.col("total") >= to_cents(b.min)).then(rs.grade_index[b.grade]) \
            .otherwise(band)
    scored = scored.with_columns(band.alias("g0"))
    vetoes, applied = [], []
    for i, r in enumerate(p.overrides, 1):
        w, k, g = r.when, pl.col("graded"), pl.col(f"g{i - 1}")
        if w.events is not None:
            n = pl.col(f"n_{r.id}").fill_null(0)
            k &= n < w.fewer_than if w.fewer_than is not None else n >= w.at_least
        if w.history is not None:
            held = pl.lit(False)
            for j, labels in enumerate(history_windows(r, p.per)):
                c = pl.col(f"h{j}_{r.id}").fill_null(0) if f"h{j}_{r.id}" in hist_cols \
                    else pl.lit(0)
                held |= c >= (1 if w.history.require == "any" else len(labels))
            k &= held
        if r.kind == "downgrade":
            new = pl.min_horizontal(g + pl.when(k).then(r.levels).otherwise(0), p.worst)
        else:
            new = pl.max_horizontal(g, pl.when(k).then(
                rs.grade_index[r.grade] if r.grade else p.worst).otherwise(0))
            if r.kind == "veto":
                vetoes.append(pl.col(f"k{i}"))
        scored = scored.with_columns(k.alias(f"k{i}"), new.alias(f"g{i}"))
        applied.append(pl.when(pl.col(f"g{i}") != g).then(pl.lit(r.id)))
    last = len(p.overrides)
    return scored.with_columns(
        pl.col(f"g{last}").alias("g"),
        (pl.any_horizontal(vetoes) if vetoes else pl.lit(False)).alias("vetoed"),
        (pl.concat_str(applied, separator=";", ignore_nulls=True) if applied else pl.lit(""))
        .alias("rules_applied"))


def query(firms: pl.LazyFrame, events: pl.LazyFrame, ruleset: Ruleset | str, *, period: str,
          history: pl.LazyFrame | None = None,
          as_of: dt.date | str | None = None) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The lazy ``(scores, contributions)`` of a ruleset for one period.

    ``scores``: ``firm_id``, ``status``, ``score_cents``, ``grade``, ``vetoed``,
    ``rules_applied`` in the firms' order; ``contributions``: ``firm_id``, ``rule_id``,
    ``points_cents``, ``evidence`` of the point rules and clamps.
    """
    p = plan(ruleset, period, as_of, "polars baseline")
    sc = p.rs.scoring
    f = firms.with_row_index("_ord").select(
        "_ord", _t("firm_id").str.to_uppercase().alias("firm_id"),
        (~_t("status").str.to_lowercase().is_in(["closed", "suspended"])
         & ~(_t("included_since").replace("", None).str.to_date("%Y-%m-%d", strict=False)
             > p.eval_date).fill_null(False)).alias("graded"))
    graded = f.filter("graded").select("firm_id")
    ev = _events(p, events).join(graded, on="firm_id", how="semi")
    counts = _hits(p, ev).group_by("firm_id", "rule_id").agg(
        pl.len().alias("n"), pl.col("event_type").n_unique().alias("nt"),
        pl.col("event_id").sort().str.join(";").alias("evidence"))
    points = _points(p, counts)
    totals = points.group_by("firm_id").agg(pl.col("pts").sum(),
                                            pl.col("pts").clip(lower_bound=0).sum().alias("pos"))
    conds = [pl.col("nt" if r.when.count == "types" else "n").filter(pl.col("rule_id") == r.id)
             .max().alias(f"n_{r.id}") for r in p.overrides if r.when.events is not None]
    scored = f.join(totals, on="firm_id", how="left")
    if conds:
        scored = scored.join(counts.group_by("firm_id").agg(conds), on="firm_id", how="left")
    hist, hist_cols = _history(p, history)
    if hist is not None:
        scored = scored.join(hist, on="firm_id", how="left")
    base = to_cents(sc.base)
    raw = base + pl.col("pts").fill_null(0)
    gained = base + pl.col("pos").fill_null(0)
    over = (gained - to_cents(sc.max)).clip(lower_bound=0) if sc.max is not None else pl.lit(0)
    total = raw - over
    if sc.min is not None:
        total = pl.max_horizontal(total, to_cents(sc.min))
    scored = scored.with_columns(raw.alias("raw"), gained.alias("gained"),
                                 over.alias("over"), total.alias("total"))
    ids = pl.Series(list(p.rs.grade_ids))
    scores = _grade(p, scored, hist_cols).sort("_ord").select(
        "firm_id", pl.when("graded").then(pl.lit("graded")).otherwise(pl.lit("not_graded"))
        .alias("status"),
        pl.when("graded").then("total").otherwise(0).cast(pl.Int64).alias("score_cents"),
        pl.when("graded").then(pl.lit(ids).gather(pl.col("g"))).otherwise(pl.lit(""))
        .alias("grade"),
        (pl.col("graded") & pl.col("vetoed")).alias("vetoed"),
        pl.when("graded").then("rules_applied").otherwise(pl.lit("")).alias("rules_applied"))
    clamps = []
    if sc.max is not None:
        clamps.append(scored.filter(pl.col("graded") & (pl.col("over") > 0)).select(
            "_ord", "firm_id", pl.lit(1_000_000).alias("ord"), pl.lit("scoring.max")
            .alias("rule_id"), (-pl.col("over")).alias("pts")))
    if sc.min is not None:
        pre = pl.col("raw") - pl.col("over")
        clamps.append(scored.filter(pl.col("graded") & (pre < to_cents(sc.min))).select(
            "_ord", "firm_id", pl.lit(1_000_001).alias("ord"), pl.lit("scoring.min")
            .alias("rule_id"), (to_cents(sc.min) - pre).alias("pts")))
    pts = points.join(f.select("_ord", "firm_id"), on="firm_id")
    contributions = pl.concat([pts] + clamps, how="diagonal_relaxed").sort("_ord", "ord").select(
        "firm_id", "rule_id", pl.col("pts").cast(pl.Int64).alias("points_cents"), "evidence")
    return scores, contributions


def score_polars(firms: pd.DataFrame, events: pd.DataFrame, ruleset: Ruleset | str, *,
                 period: str, history: pd.DataFrame | None = None,
                 as_of: dt.date | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score in-memory pandas DataFrames (converted to Polars, as an analyst would); returns
    pandas ``(scores, contributions)``."""
    lz = [pl.from_pandas(t).lazy() if t is not None else None for t in (firms, events, history)]
    s, c = query(lz[0], lz[1], ruleset, period=period, history=lz[2], as_of=as_of)
    s, c = pl.collect_all([s, c])
    return s.to_pandas(), c.to_pandas()


def end_to_end(firms: str | Path, events: str | Path, ruleset: Ruleset | str, *, period: str,
               history: str | Path | None = None, out: str | Path, encoding: str = "utf8",
               as_of: dt.date | str | None = None) -> dict[str, int]:
    """Read CSV (``encoding``) or Parquet files, score, write ``scores.csv`` and
    ``contributions.csv`` into ``out`` (and the UTF-8 copies of GB18030 inputs); return the row
    counts written and ``"transcoded"``: whether the inputs were transcoded first."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    s, c = query(scan(firms, encoding, out), scan(events, encoding, out), ruleset,
                 period=period, history=scan(history, encoding, out) if history else None,
                 as_of=as_of)
    s, c = pl.collect_all([s, c])
    s.write_csv(out / "scores.csv")
    c.write_csv(out / "contributions.csv")
    return {"scores": s.height, "contributions": c.height,
            "transcoded": not is_utf8(encoding) and Path(firms).suffix not in (".parquet", ".pq")}

