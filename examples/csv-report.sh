#!/bin/sh
# Columns of a CSV file as {1}, {2}, ..., and the job number {#}: make one
# report per row, then every combination of two lists with ::: ... :::.
set -eu
FANOUT=${FANOUT:-fanout}
case $FANOUT in */*) FANOUT=$(cd "$(dirname "$FANOUT")" && pwd)/${FANOUT##*/} ;; esac

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

cat >hosts.csv <<'CSV'
alpha,10.0.0.1,web
beta,10.0.0.2,db
gamma,10.0.0.3,cache
CSV

# Shell syntax (the redirection) makes fanout run the command under
# /bin/sh -c; the values are quoted for it.
"$FANOUT" --colsep , 'printf "%s\t%s\t%s\n" {#} {1} {3} > {1}.report' :::: hosts.csv
cat alpha.report beta.report gamma.report

# Every combination, last group fastest; -k prints in that order.
"$FANOUT" -k echo {1}-{2} ::: alpha beta ::: debug release >combos.txt
cat combos.txt
printf '%s\n' alpha-debug alpha-release beta-debug beta-release |
	cmp -s - combos.txt || { echo "csv-report: wrong combinations" >&2; exit 1; }
