"""One block of firms: the random stream of a block, drawn in a fixed order (firms, positive
events, adverse events and their children, firm ids, measurements, history)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from .columns import _Calendar, _Events
from .events import (
    _adverse_events,
    _events_table,
    _example_events,
    _generated_events,
    _positive_events,
)
from .examples import EXAMPLES
from .firms import _apply_examples, _draw_firms, _firms_table
from .mix import Mix
from .records import _history_table, _measurements_table


def _block(
    n_firms: int,
    *,
    seed: int,
    block: int,
    years: tuple[int, ...],
    events_per_firm_year: float | None,
    mix: Mix,
    include_examples: bool,
    firm_offset: int,
    event_offset: int,
) -> dict[str, pa.Table]:
    """Generate one block: ``n_firms`` random firms (plus the examples when asked).

    The steps draw from one random stream in this order; changing the order changes every
    generated table after the step moved.
    """
    rng = np.random.default_rng([seed, block])
    cal = _Calendar.of(years)
    examples = EXAMPLES if include_examples else ()
    firms = _draw_firms(rng, n_firms, len(examples), cal, mix)
    _apply_examples(firms, examples, cal)

    positives = _positive_events(rng, firms, cal, mix)
    adverse = _adverse_events(rng, firms, cal, mix, events_per_firm_year, len(positives))
    generated, recorded = _generated_events(rng, adverse, positives, cal, mix, firms.n)
    ex_events = _example_events(examples, years)
    events = _Events.concat([ex_events, generated])
    recorded = np.concatenate([ex_events.day, recorded])

    firms_tbl, firm_ids = _firms_table(rng, firms, adverse, mix, examples, seed, firm_offset)
    return {
        "firms": firms_tbl,
        "events": _events_table(events, recorded, firm_ids, event_offset),
        "measurements": _measurements_table(rng, firms, firm_ids, adverse, cal, mix, examples),
        "history": _history_table(rng, firms, firm_ids, adverse, cal, mix, examples),
    }
