#!/bin/sh
# Compress log files in parallel, then check every archive.
# Run: examples/compress-logs.sh   (FANOUT=./fanout to use a build tree)
set -eu
FANOUT=${FANOUT:-fanout}
case $FANOUT in */*) FANOUT=$(cd "$(dirname "$FANOUT")" && pwd)/${FANOUT##*/} ;; esac

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Some sample logs, a few thousand lines each.
for app in api auth billing cron mail web; do
	seq 1 5000 | sed "s/^/$app: request /" >"$dir/$app.log"
done

# One gzip per file, as many at a time as there are CPUs.
"$FANOUT" gzip -9 ::: "$dir"/*.log

# Test every archive the same way; fanout's exit status is the number of
# jobs that failed, so set -e stops here if one is broken.
"$FANOUT" gzip -t ::: "$dir"/*.log.gz
ls "$dir"
if ls "$dir"/*.log >/dev/null 2>&1; then
	echo "compress-logs: some logs were not compressed" >&2
	exit 1
fi
