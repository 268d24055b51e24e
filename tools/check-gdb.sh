#!/bin/sh
# check-gdb: tools/goro-gdb.py's commands in gdb batch mode against
# tests/gdb/target.c stopped at a known state (gdb_stop_here): on the live
# process, and on the kernel's core dump of the same state.
#   check-gdb.sh PROGRAM [GDB [SHARED_PROGRAM SOLIB]]
# With SHARED_PROGRAM (the same program linked against SOLIB, libgoro.so.V),
# also the auto-load: SOLIB copied beside SOLIB-gdb.py, nothing sourced.
# With QEMU set (ARCH=arm64), the live part runs the program under
# `$QEMU -g PORT` and attaches GDB (gdb-multiarch) to qemu's gdb stub, and
# the core file is the one qemu-user writes for the guest.
prog=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
gdb=${2:-gdb}
py=$(cd "$(dirname "$0")" && pwd)/goro-gdb.py
dir=$(dirname "$prog")/gdb-run
rm -rf "$dir" && mkdir -p "$dir" || exit 1
fail=0

expect() {   # file, extended regex
	grep -Eq -- "$2" "$1" || { echo "check-gdb: $(basename "$1") has no line matching /$2/" >&2; fail=1; }
}

# The fetcher's frames, innermost first, as `goroutine 2 bt` printed them.
expect_order() {
	got=$(sed -n '/^goroutine 2 "fetcher"/,/^$/{p;/^$/q;}' "$1" | grep -o 'gdb_recv[123]' | tr '\n' ' ')
	[ "$got" = "gdb_recv3 gdb_recv2 gdb_recv1 " ] ||
		{ echo "check-gdb: $(basename "$1"): fetcher's frames are \"$got\"" >&2; fail=1; }
}

check() {   # a transcript of: info goroutines, goroutine 2 bt, goroutine all bt, goroutine 99 bt
	expect "$1" '^\* +1 +running +-'
	expect "$1" '^  +2 +chan receive +"fetcher" +gdb_recv3\+0x'
	expect "$1" '^ +[0-9]+ +sleep +"napper" +gdb_sleeper\+0x'
	expect "$1" '^ +[0-9]+ +chan receive +- +gdb_selector\+0x'
	expect "$1" '^goroutine 2 "fetcher" \[chan receive\]:$'
	expect "$1" '^#[0-9]+ +0x[0-9a-f]+ in gdb_recv2\+0x[0-9a-f]+ at .*tests/gdb/target\.c:[0-9]+$'
	expect "$1" '^    created by main_fn\+0x[0-9a-f]+ at .*target\.c:[0-9]+ in goroutine 1$'
	expect "$1" '^goroutine [0-9]+ "napper" \[sleep\]:$'
	expect "$1" '^#[0-9]+ +0x[0-9a-f]+ in gdb_selector\+0x'
	expect "$1" 'goroutine 99: no such goroutine'
	expect_order "$1"
}

cmds="-ex 'info goroutines' -ex 'goroutine 2 bt' -ex 'goroutine all bt' -ex 'goroutine 99 bt'"

if [ -z "$QEMU" ]; then
	eval "$gdb" -batch -nx -ex "'source $py'" -ex "'break gdb_stop_here'" -ex run $cmds \
		-ex kill "'$prog'" >"$dir/live.txt" 2>&1
	what="live process"
else
	port=$((20000 + $$ % 20000))
	$QEMU -g $port "$prog" >/dev/null 2>&1 &
	qpid=$!
	sleep 1
	eval "$gdb" -batch -nx -ex "'source $py'" -ex "'target remote :$port'" \
		-ex "'break gdb_stop_here'" -ex continue $cmds -ex kill "'$prog'" >"$dir/live.txt" 2>&1
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	what="live process under $QEMU -g"
fi
check "$dir/live.txt"

# A core dump of the same state: the kernel's, or under qemu-user qemu's
# own qemu_*.core of the guest (gdb's gcore cannot read the guard pages
# inside a slab of stacks, so it would lose them).
(cd "$dir" && ulimit -c unlimited && $QEMU "$prog" abort >/dev/null 2>&1; true) 2>/dev/null
core=$(ls "$dir"/qemu_*.core 2>/dev/null | head -n 1)
[ -n "$core" ] || core=$(ls "$dir"/core* 2>/dev/null | head -n 1)
if [ -n "$core" ]; then
	eval "$gdb" -batch -nx -ex "'source $py'" $cmds "'$prog'" "'$core'" >"$dir/core.txt" 2>&1
	check "$dir/core.txt"
	rm -f "$dir"/core* "$dir"/qemu_*.core
	what="$what and core file"
else
	echo "check-gdb: no core file in $dir (kernel.core_pattern is $(cat /proc/sys/kernel/core_pattern)): core part skipped" >&2
fi
# Auto-loaded next to the shared library, as `make install` puts it.
if [ -n "$3" ] && [ -z "$QEMU" ]; then
	lib=$dir/lib
	so=$(basename "$4")
	mkdir -p "$lib" && cp "$4" "$lib/" && cp "$py" "$lib/$so-gdb.py" &&
		ln -sf "$so" "$lib/$(echo "$so" | sed 's/\(\.so\.[0-9]*\).*/\1/')" || fail=1
	(export LD_LIBRARY_PATH="$lib"; eval "$gdb" -batch -nx -iex "'add-auto-load-safe-path $lib'" \
		-ex "'break gdb_stop_here'" -ex run $cmds -ex kill "'$3'") >"$dir/autoload.txt" 2>&1
	check "$dir/autoload.txt"
	what="$what, auto-loaded beside $so"
fi
[ $fail -eq 0 ] && echo "check-gdb: ok ($what; transcripts in $dir)"
exit $fail
