"""A synthetic province: firms, events, measurements and history for examples and benchmarks.

The generator draws a Jiangxi-like population of polluting enterprises and their recorded
environmental behaviour over a few years, in the tables and columns of the data contract
(``docs/data-format.md``), every value a string as a CSV holds it. It is vectorized
(numpy for the numbers, pyarrow compute for the strings; loops run over vocabularies and
chunks, never over firms or events), deterministic for a given seed, and fast: 300,000 firms
with 10 million events take 11–14 s on two cores, and :func:`iter_chunks` / :func:`write_chunks`
stream a national-scale population (3.3 million firms, 100 million events: about 2.5 minutes
to Parquet, under 4 GB of memory) chunk by chunk.

The model, in short:

* **Firms** get a county of Jiangxi (weighted by city), an industry from a list of real
  GB/T 4754-2017 classes weighted toward heavy polluters, a latent size that makes heavy
  industries more often key dischargers and class A, and a latent **risk** (gamma distributed
  with a small shape, so most firms are near zero and a few are far out in the tail).
* **Adverse events** per firm and year are Poisson with the firm's risk (times industry and
  supervision-class multipliers) as mean, so with the default :class:`Mix` about two thirds of
  firms (67–68 % in ``sample_data``) have none in a year and veto-type behaviour reaches
  1.1–1.6 % of firms a year. Some adverse events are followed by a ``rectification_completed``
  or, rarely, a ``revocation`` that refers to them.
* **Positive events** (credit commitment, pollution liability insurance, cleaner-production
  audit, commendation, open day, leader) are Bernoulli draws per firm or firm-year; with the
  defaults they outnumber the adverse events about two to one.
* **Measurements** (compliance rates, hazardous-waste assessment, noise, siting) and
  **history** (earlier grades and red/black lists) are correlated with risk and with the
  events of the same year.
* A few **illustrative firms** named ``示例·…`` come first, with fixed, documented events
  (:data:`EXAMPLES`), so that docs and tests can point at them.

All tunable shares and rates live in one frozen dataclass, :class:`Mix`; pass a modified copy
(``dataclasses.replace(DEFAULT_MIX, adverse_per_firm_year=0.9)``) to :func:`generate`.

Modules, in the order a block is drawn: :mod:`.mix` (columns, industries, :class:`Mix`),
:mod:`.examples` (the illustrative firms), :mod:`.columns` (shared arrays and string columns),
:mod:`.firms`, :mod:`.events`, :mod:`.records` (measurements, history), :mod:`.block` (one block
of firms), :mod:`.generate` (the public generator and writers), :mod:`.cli`
(``python -m ecocredit.synth``) and :mod:`.inspectors` (``python -m ecocredit.synth.inspectors``,
a synthetic inspectors table for the draw).
"""

from __future__ import annotations

from .cli import main
from .examples import EXAMPLES, Example, ExampleEvent
from .generate import generate, iter_chunks, write, write_chunks
from .mix import COLUMNS, DEFAULT_MIX, HISTORY_GRADES, INDICATORS, INDUSTRIES, Industry, Mix

__all__ = [
    "COLUMNS",
    "INDUSTRIES",
    "Industry",
    "Mix",
    "DEFAULT_MIX",
    "ExampleEvent",
    "Example",
    "EXAMPLES",
    "INDICATORS",
    "HISTORY_GRADES",
    "generate",
    "iter_chunks",
    "write",
    "write_chunks",
    "main",
]
