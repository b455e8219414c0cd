"""``explain``: why a firm got its grade, as text — every step of the reference engine's
reasoning (read from the compiled plan), each contribution with its evidence and citation, and
a last line confirming that the reference engine agrees with the vectorized result.
"""

from __future__ import annotations

from typing import Any

from ..points import format_cents
from ..rules.firm import FirmResult
from .levels import level_of

__all__ = ["explain_text"]


def explain_text(result: Any, res: FirmResult, row: Any) -> str:
    """The explanation of one firm of a :class:`~ecocredit.engine.run.ScoreResult`.

    Parameters
    ----------
    result : ScoreResult
    res : FirmResult
        The reference engine's verdict on the firm.
    row : Series
        The firm's row of ``result.scores`` (the vectorized result).
    """
    rs, plan = result.ruleset, result.plan
    cited = {c.rule.id: c.rule for _, rules in [("points", plan.points)] + plan.stages()
             for c in rules}
    lines = [f"{row['name']} ({row['firm_id']})",
             f"Ruleset {rs.id} version {rs.version} ({rs.title.zh}), period "
             f"{result.period.label}, evaluated on {result.eval_date}"
             + (f", records as of {result.as_of}" if result.as_of else ""), ""]
    lines += [f"  {t}" for t in res.trace]
    if res.graded:
        g = plan.grade_index[res.grade]
        lv = level_of(plan.levels, int(row["score_cents"]), g) \
            if plan.levels is not None and res.grade_level else None
        lines += ["", f"Result: score {format_cents(int(row['score_cents']))}, grade "
                  f"{plan.grade_ids[g]} {plan.grade_labels[g]}"
                  + (f", level {lv.id} {lv.label}" if lv else "")
                  + (" (vetoed)" if res.vetoed else "")
                  + (f", {res.list_name} list until {res.list_until}" if res.list_name else "")]
        if res.contributions:
            lines += ["", "Contributions:"]
            for c in res.contributions:
                rid = c["rule_id"]
                found = cited.get(rid)
                ref = str(found.reference) if found is not None else ""
                pts = format_cents(c["points_cents"])
                eff = f" {c['effect']}" if c["effect"] else ""
                lines.append(f"  {rid}: {pts} points{eff}")
                if c["evidence"]:
                    lines.append(f"      evidence: {c['evidence']}")
                if ref:
                    lines.append(f"      reference: {ref}")
    agree = (res.grade == (row["grade"] or "")) and (
        res.grade_level == (row.get("grade_level", "") or "")) and (
        not res.graded or res.score * 100 == int(row["score_cents"]))
    lines += ["", "The reference engine agrees with the vectorized result." if agree else
              "WARNING: the reference engine disagrees with the vectorized result "
              f"(grade {row['grade']!r}, score {row['score']!r}); please report this."]
    return "\n".join(lines)
