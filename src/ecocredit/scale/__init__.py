"""Partitioned scoring: split the inputs by firm, score each part, put the results together.

The national set (3.3 million firms, 100 million events) does not fit one process
comfortably; every rule reads the records of one firm only, so the inputs can be split **by
firm** and the parts scored independently, one after another or in parallel (a
``concurrent.futures`` executor, or a Dask client on a local or a real cluster), with results
identical to the one-shot :func:`ecocredit.score`.

Two entry points:

:func:`score_partitioned`
    DataFrames (or files) in, a :class:`~ecocredit.ScoreResult` out, equal to the one-shot
    result: the same scores, contributions and rejects (with the original 1-based rows), the
    same row counts.
:func:`score_files_partitioned`
    Files in, an output directory out, in bounded memory: the inputs are streamed (Parquet row
    group by row group, CSV block by block) into one Parquet file per part and table, the
    parts are scored by the workers, and the outputs are merged chunk by chunk into
    ``scores.csv``, ``contributions.csv``, ``rejects.csv`` and ``manifest.json``, byte for byte
    what ``ecocredit score`` writes for the same inputs.

How rows are assigned
---------------------
Every row of every table goes to the part ``hash(firm_id) mod partitions``, with the firm id
normalised as ingest does (strip, upper case) and a fixed hash (pandas' SipHash with its fixed
key), so a firm's events, measurements and history land with it; rows naming an unknown or an
empty firm id go wherever their id hashes and are rejected there as in a one-shot run. Each
part keeps the original row numbers of its rows, and the rejects' ``row`` (and the row named in
a ``duplicate_id`` message) are translated back to them.

What crosses parts, and what is done about it
---------------------------------------------
Ingest checks two things across firms, so they are settled globally before partitioning:

* **Duplicate firm ids** need nothing: rows with the same normalised id land in the same part,
  and the first occurrence is kept there as in a one-shot run.
* **Duplicate event ids** (the same ``event_id`` on rows of different firms, hence possibly in
  different parts): the first occurrence in the whole input is kept and every later one is
  rejected as ``duplicate_id`` naming the first one's row, as in a one-shot run. A part that
  holds a repeat but not the first occurrence receives, ahead of its own rows, a *stand-in* row
  with that event id and every other cell empty; ingest rejects the repeats as duplicates of the
  stand-in, and the stand-in's own rejects are then removed and its row replaced by the first
  occurrence's in the messages; the row counts leave it out.
* **References to another firm's event** (``ref_event_id`` naming an event of another firm): a
  one-shot run rejects them as ``unknown_ref_event`` "names an event of another firm"; a part
  that does not hold the other firm reports "names no accepted event". The pairs (row, row it
  names) that cross parts are found before partitioning, and the message is corrected after
  scoring when the row named was accepted in its own part. Either way the row is rejected and
  cancels nothing, as in a one-shot run.

The ``prepared`` tables of the result hold the same rows as a one-shot run's; the firms are in
input order, the events, measurements and history are grouped by part (each firm's rows keep
their input order), which :meth:`ScoreResult.explain` does not depend on.

Example
-------
>>> import ecocredit
>>> from ecocredit import synth
>>> from ecocredit.scale import score_partitioned
>>> t = synth.generate(200, seed=7)
>>> args = dict(period="2025", measurements=t["measurements"], history=t["history"],
...             today="2026-06-30")
>>> one = ecocredit.score(t["firms"], t["events"], "anhui-2019", **args)
>>> parts = score_partitioned(t["firms"], t["events"], "anhui-2019", partitions=4, **args)
>>> parts.scores.equals(one.scores), parts.contributions.equals(one.contributions)
(True, True)

Modules, in the order of the work: :mod:`.ids` (the part of a row: normalised ids, fixed
hash), :mod:`.split` (input files into part files), :mod:`.crossings` (what crosses parts),
:mod:`.part` (scoring one part), :mod:`.executors` (where parts run), :mod:`.merge` (the
parts' outputs into the CSV outputs), :mod:`.in_memory` (:func:`score_partitioned`),
:mod:`.files` (:func:`score_files_partitioned`) and :mod:`.engines` (:func:`score_on_engine`).
"""

from __future__ import annotations

from .engines import score_on_engine
from .files import PartitionedRun, score_files_partitioned
from .ids import auto_partitions, normalise_ids, partition_of
from .in_memory import score_partitioned

__all__ = ["score_partitioned", "score_files_partitioned", "score_on_engine", "PartitionedRun",
           "partition_of", "normalise_ids", "auto_partitions"]
