"""CPU seconds of finding repeated event ids and resolving references: ecocredit's own hashing
(:mod:`ecocredit.read.ids`) against Arrow's ``dictionary_encode`` + ``index_in`` doing the
same (issue 10: keep our own hashing only where the library is slower; the figures are in the
docstring of :class:`ecocredit.read.ids._IdIndex`).

Usage: ``PYTHONPATH=src python benchmarks/ids_cpu.py EVENTS.csv`` (median of 3, process CPU
seconds, which other work on a shared machine distorts less than wall time).
"""

import resource
import statistics
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from ecocredit.read.ids import _hash_strings, _IdIndex


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main(path: str) -> None:
    cols = {"event_id": pa.string(), "ref_event_id": pa.string()}
    t = pv.read_csv(path, convert_options=pv.ConvertOptions(
        include_columns=list(cols), column_types=cols, strings_can_be_null=False))
    ids, ref = t["event_id"].combine_chunks(), t["ref_event_id"].combine_chunks()
    given = ref.filter(pc.not_equal(ref, ""))
    print(f"{len(ids):,} ids, {len(given):,} references")

    def ours():
        idx = _IdIndex(ids, _hash_strings(ids))
        dup, _first = idx.repeats()
        return dup, idx.find(given, _hash_strings(given), ~dup)

    def arrow():
        enc = pc.dictionary_encode(ids)
        codes = enc.indices.to_numpy()
        _, first = np.unique(codes, return_index=True)  # first occurrence of each id
        dup = np.ones(len(codes), bool)
        dup[first] = False
        return dup, pc.index_in(given, value_set=enc.dictionary)

    for name, fn in (("ecocredit (_hash_strings + _IdIndex)", ours),
                     ("Arrow (dictionary_encode + np.unique + index_in)", arrow)):
        xs = []
        for _ in range(3):
            c = cpu()
            fn()
            xs.append(cpu() - c)
        print(f"{name:50s} median {statistics.median(xs):.2f} s CPU", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
