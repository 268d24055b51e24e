#!/bin/sh
# bench/run.sh: run goro's benchmark suite against its Go twin, interleaved.
#
#   bench/run.sh GORO_BIN [GO_BIN]
#
# For each repetition, each procs setting and each case: one fresh process of
# GORO_BIN, then one of GO_BIN (when given), so slow drifts of the machine hit
# both sides alike and RSS figures never inherit an earlier case's memory.
# Prints raw result lines on stdout, each prefixed with the side:
#
#   goro BENCH <name> procs=<P> n=<ops> ns_per_op=<x> ...
#   go   BENCH ...
#   goro FAIL <name> setting=<procs flag> status=<exit status> (timeout: 124)
#
# bench/compare.py turns them into the table. Environment:
#   REPS (3), PROCS ("1 0": one P, then all CPUs), CASES (all),
#   TIMEOUT (seconds per process, 300), QEMU (prefix for GORO_BIN, e.g. qemu-aarch64).
set -u

goro=${1:?usage: bench/run.sh GORO_BIN [GO_BIN]}
gobin=${2:-}
REPS=${REPS:-3}
PROCS=${PROCS:-"1 0"}
TIMEOUT=${TIMEOUT:-300}
QEMU=${QEMU:-}
CASES=${CASES:-"yield pingpong prodcons0 prodcons spawn ring select2 selectnb
	mpmc chancreate mutex skynet dsum tree timers timer_reset ctx_cancel
	afterfunc parked sieve
	echo_pingpong echo_stream idle_conns"}

# run SIDE CASE PROCS CMD...: one process, its BENCH lines prefixed; anything
# else it prints goes to stderr, prefixed too.
run() {
	side=$1 c=$2 p=$3
	shift 3
	out=$(timeout "$TIMEOUT" "$@" -procs "$p" "$c" 2>/tmp/goro-bench-err.$$)
	st=$?
	printf '%s\n' "$out" | sed -n "s/^BENCH /$side BENCH /p"
	sed "s/^/[$side $c procs=$p] /" /tmp/goro-bench-err.$$ >&2
	if [ $st -ne 0 ] || ! printf '%s\n' "$out" | grep -q "^BENCH $c "; then
		echo "$side FAIL $c setting=$p status=$st"
		echo "[$side $c procs=$p] exit status $st$([ $st -eq 124 ] && echo ' (timeout)')" >&2
	fi
	rm -f /tmp/goro-bench-err.$$
}

r=1
while [ $r -le "$REPS" ]; do
	for p in $PROCS; do
		for c in $CASES; do
			run goro "$c" "$p" $QEMU "$goro"
			[ -n "$gobin" ] && run go "$c" "$p" "$gobin"
		done
	done
	r=$((r + 1))
done
exit 0
