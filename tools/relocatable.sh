#!/bin/sh
# relocatable: link core+arch objects and host objects into one relocatable
# OUT; localise every global but API's functions and the host's own globals
# outside plat_* (such as a libc-free host's _start and mem*).
#   relocatable.sh OUT API FREE_OBJECT... -- HOST_OBJECT...  ($CC $CFLAGS $NM $OBJCOPY)
# core's and arch's code moves to a section of its own, goro_text, whose
# bounds (the linker's __start_goro_text, __stop_goro_text) tell a traceback
# the runtime's frames from the application's (Go's showframe).
set -e
out=$1 api=$2; shift 2
free=
while [ $# -gt 0 ] && [ "$1" != -- ]; do free="$free $1"; shift; done
[ $# -gt 0 ] && shift
$CC $CFLAGS -r -nostdlib -o "$out.free" $free
$OBJCOPY --rename-section .text=goro_text --rename-section .text.unlikely=goro_text "$out.free"
$CC $CFLAGS -r -nostdlib -o "$out.r" "$out.free" "$@"
rm -f "$out.free"
{ cat "$api"; [ $# -eq 0 ] || $NM -g --defined-only "$@" |
	awk 'NF >= 3 && $3 !~ /^plat_/ { print $3 }'; } | sort -u >"$out.keep"
$OBJCOPY --keep-global-symbols="$out.keep" "$out.r" "$out"
rm -f "$out.r"
