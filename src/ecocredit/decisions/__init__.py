"""Lists and decisions at the point of action: credit repair (:mod:`.repair`) and the
measures attached to grades and lists, checked when a firm applies for something
(:mod:`.measures`)."""

from __future__ import annotations

from .measures import MeasureChecks, append_trace, check_measures, read_trace
from .repair import decide_repairs

__all__ = ["decide_repairs", "MeasureChecks", "append_trace", "check_measures", "read_trace"]
