"""CPU time of the scoring pass alone, on one checkout (``python benchmarks/pass_cpu.py REPO N``):
the check of issue 9 that the reorganisation did not slow the pass by more than 10%, measured
as process CPU time (``time.process_time``) so that other work on a shared machine distorts it
less than wall time. Reads the ``small`` benchmark set from /tmp/core-small
(``python -m benchmarks.generate --size small --out /tmp/core-small``)."""
import sys, time, statistics, datetime as dt, pathlib
sys.path.insert(0, sys.argv[1] + "/src"); sys.path.insert(0, sys.argv[1])
import ecocredit
from benchmarks.run import load, TODAY
try:
    from ecocredit.scoring import score_prepared
except ImportError:
    from ecocredit.engine.vectorized import score_prepared
try:
    from ecocredit.ingest import prepare
except ImportError:
    from ecocredit.read import prepare
from ecocredit.periods import parse_period
t = load(pathlib.Path("/tmp/core-small"))
for rsid, period in (("anhui-2019", "2025"), ("guangdong-2015", "2025"), ("jiangsu-2020", "2025")):
    rs = ecocredit.load_ruleset(rsid)
    prep = prepare(t["firms"], t["events"], rs, measurements=t["measurements"], history=t["history"], today=dt.date.fromisoformat(TODAY))
    per = parse_period(period); on = rs.evaluation_date(per, None)
    score_prepared(prep, rs, per, on)
    cpu = []
    for _ in range(int(sys.argv[2])):
        t0 = time.process_time(); s, c = score_prepared(prep, rs, per, on); cpu.append(time.process_time() - t0)
    print(rsid, "cpu median %.3f min %.3f" % (statistics.median(cpu), min(cpu)), flush=True)
