#!/bin/sh
# A batch that stops at a failure and is started again: --joblog records
# every finished job, --resume-failed reruns the failed one and the ones
# that never ran, --resume skips everything already recorded.
set -eu
FANOUT=${FANOUT:-fanout}
case $FANOUT in */*) FANOUT=$(cd "$(dirname "$FANOUT")" && pwd)/${FANOUT##*/} ;; esac

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"

# The work: one job per id. Job 4 fails until the "fixed" file exists,
# as a job would fail on a full disk or an unreachable server.
cat >process.sh <<'SCRIPT'
#!/bin/sh
[ "$1" = 4 ] && [ ! -e fixed ] && { echo "process $1: failed" >&2; exit 1; }
echo "$1" >>done.txt
echo "processed $1"
SCRIPT
chmod +x process.sh
seq 1 8 >ids.txt

echo "--- first run: stops at the failure"
status=0
"$FANOUT" -j1 --joblog jobs.tsv --halt soon,fail=1 ./process.sh :::: ids.txt ||
	status=$?
[ "$status" -eq 1 ] || { echo "batch-resume: first run exited $status" >&2; exit 1; }

echo "--- second run, after the fix: the failed job and the rest"
touch fixed
"$FANOUT" -j1 --joblog jobs.tsv --resume-failed ./process.sh :::: ids.txt

echo "--- third run: everything is done, nothing runs"
"$FANOUT" -j1 --joblog jobs.tsv --resume ./process.sh :::: ids.txt

echo "--- job log"
cut -f 1,7,9 jobs.tsv
if [ "$(sort -n done.txt | tr '\n' ' ')" != "1 2 3 4 5 6 7 8 " ]; then
	echo "batch-resume: not every id was processed exactly once:" >&2
	cat done.txt >&2
	exit 1
fi
