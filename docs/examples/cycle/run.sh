#!/bin/sh
# The worked example of docs/cycle.md: one county's year (丰城 360981, in the sample province)
# from draft to final with two objections, one adjustment and one repair.
#   E: the ecocredit command (default `ecocredit`); OUT: where everything goes (default out/cycle)
# Run from the repository root.
set -e
E=${E:-ecocredit}
OUT=${OUT:-out/cycle}
X=docs/examples/cycle
R=$OUT/register.sqlite
rm -rf "$OUT" && mkdir -p "$OUT"
echo '$ ecocredit score ... --out $OUT/run'
$E score --ruleset guangdong-2015 --period 2025 --firms sample_data/firms.csv \
  --events sample_data/events.csv --measurements sample_data/measurements.csv \
  --history sample_data/history.csv --today 2026-05-01 --out "$OUT/run" --quiet
echo '$ ecocredit publish $OUT/run --stage draft --published-on 2026-05-12'
$E publish "$OUT/run" --register "$R" --stage draft --published-on 2026-05-12
echo '$ ecocredit objections $OUT/run --applications objections.csv --corrections corrections.csv'
$E objections "$OUT/run" --register "$R" --applications $X/objections.csv --corrections $X/corrections.csv
echo '$ ecocredit publish $OUT/run/objections/run --stage final --published-on 2026-06-05'
$E publish "$OUT/run/objections/run" --register "$R" --stage final --published-on 2026-06-05 \
  > "$OUT/final.txt"
cat "$OUT/final.txt"
# the head the final publication left, kept outside the register (here a file; in practice
# a letter, the publication's record, another system): verify --expect-head below proves that
# no record up to it was removed or changed, which the chain alone cannot prove for its end
sed -n 's/^Register head: //p' "$OUT/final.txt" > "$OUT/head-after-final.txt"
echo '$ ecocredit repair $OUT/run/objections/run --applications repair_applications.csv   (without the register)'
$E repair "$OUT/run/objections/run" --applications $X/repair_applications.csv
echo '$ ecocredit repair $OUT/run/objections/run --applications repair_applications.csv --register $R'
$E repair "$OUT/run/objections/run" --applications $X/repair_applications.csv --register "$R"
echo '$ ecocredit adjust --ruleset guangdong-2015 --events events_after_publication.csv --date 2026-08-20'
$E adjust --register "$R" --ruleset guangdong-2015 --firms sample_data/firms.csv \
  --events $X/events_after_publication.csv --date 2026-08-20 --out "$OUT/adjust"
echo '$ ecocredit measures $OUT/run/objections/run --requests measure_requests.csv --register $R'
$E measures "$OUT/run/objections/run" --requests $X/measure_requests.csv --register "$R"
for f in 91360981610777802X 91360981MA9DYB473L 91360981MA4QW4X70L; do
  echo "\$ ecocredit register show --firm $f --on 2026-09-01"
  $E register show --register "$R" --firm $f --on 2026-09-01
done
echo '$ ecocredit register verify --expect-head "$(cat $OUT/head-after-final.txt)"'
$E register verify --register "$R" --expect-head "$(cat "$OUT/head-after-final.txt")"
