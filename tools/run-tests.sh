#!/bin/sh
# run-tests: make test's runner.   run-tests.sh [-s] BINARY...
# Runs every binary (under $QEMU, at most $TIMEOUT seconds each), even after
# one failed, its output also in BINARY.log and its exit status in
# BINARY.rc, then prints "N passed, M failed" and fails on any failure.
# Check suites (with CK_FORK=yes and $TESTENV): every "Checks: X, Failures: Y,
# Errors: Z" line adds X-Y-Z to passed and Y+Z to failed; a binary that
# exits non-zero without a failure in its summary (crash, timeout, no summary
# at all) counts as one more failure.
# -s: the binary prints its own "N passed, M failed" last (tests/nolibc); it
# must say 0 failed and exit 0.
self=
[ "$1" = -s ] && { self=1; shift; }
if [ $# -eq 0 ]; then echo "make test: no tests: tests/check_*.c is empty" >&2; exit 1; fi
if [ -n "$self" ]; then
	echo "== $1"
	{ timeout "$TIMEOUT" $QEMU "$1" 2>&1; echo $? >"$1.rc"; } | tee "$1.log"
	rc=$(cat "$1.rc"); last=$(tail -n 1 "$1.log")
	if [ "$rc" -ne 0 ] || ! echo "$last" | grep -Eqx '[0-9]+ passed, 0 failed'; then
		echo "make test HOST=nolibc: exit $rc, last line: $last" >&2; exit 1; fi
	exit 0
fi
passed=0 failed=0 broken=
for t in "$@"; do
	echo "== $t"
	{ env CK_FORK=yes $TESTENV timeout "$TIMEOUT" $QEMU "$t" 2>&1; echo $? >"$t.rc"; } | tee "$t.log"
	rc=$(cat "$t.rc"); f0=$failed
	set -- $(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' "$t.log")
	[ $# -ge 3 ] || broken="$broken $(basename "$t")(no Check summary)"
	while [ $# -ge 3 ]; do
		passed=$((passed + $1 - $2 - $3)); failed=$((failed + $2 + $3)); shift 3
	done
	if [ "$rc" -ne 0 ] && [ $failed -eq $f0 ]; then
		failed=$((failed + 1)); broken="$broken $(basename "$t")(exit $rc)"; fi
done
[ -z "$broken" ] || echo "broken:$broken"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ -z "$broken" ]
