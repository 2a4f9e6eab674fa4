#!/bin/sh
# Checksum files in parallel; --tag prefixes each line with the file name,
# and -k keeps the files in the order given.
set -eu
FANOUT=${FANOUT:-fanout}
case $FANOUT in */*) FANOUT=$(cd "$(dirname "$FANOUT")" && pwd)/${FANOUT##*/} ;; esac

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
for i in 1 2 3 4 5; do
	head -c $((i * 100000)) /dev/zero | tr '\0' "$i" >"part$i.bin"
done

"$FANOUT" -k --tag sha256sum ::: part*.bin | tee sums.tagged

# The same sums, one at a time, must agree.
for f in part*.bin; do
	printf '%s\t' "$f"
	sha256sum "$f"
done >sums.expected
if ! cmp -s sums.tagged sums.expected; then
	echo "checksum: parallel sums differ from sha256sum's" >&2
	diff sums.expected sums.tagged >&2 || true
	exit 1
fi
