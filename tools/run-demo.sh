#!/bin/sh
# run-demo: make demo's runner.   run-demo.sh EXAMPLE...
# Runs every example (under $QEMU, at most $TIMEOUT seconds each), even after
# one failed, and fails if any did.
if [ $# -eq 0 ]; then echo "make demo: no examples: examples/*.c is empty" >&2; exit 1; fi
bad=
for e in "$@"; do
	echo "== $e"
	timeout "$TIMEOUT" $QEMU "$e" || { echo "$e: exit $?" >&2; bad="$bad $(basename "$e")"; }
done
if [ -n "$bad" ]; then echo "demo failed:$bad" >&2; exit 1; fi
echo "demo: $# examples ran"
