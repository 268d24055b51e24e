#!/bin/sh
# check-nolibc: the HOST=nolibc program has no undefined symbols and none
# whose name would betray libc (or libpthread); else it is removed.
#   check-nolibc.sh PROGRAM  ($NM)
libc='malloc|free|calloc|realloc|printf|fprintf|puts|abort|exit|_exit|errno|__errno_location|__libc_.*|pthread_.*'
u=$($NM -u "$1")
if [ -n "$u" ]; then rm -f "$1"; echo "nolibc: $1 has undefined symbols:" $u >&2; exit 1; fi
l=$($NM "$1" | awk '{ print $NF }' | grep -Ex "$libc" | tr '\n' ' ')
if [ -n "$l" ]; then rm -f "$1"; echo "nolibc: libc symbols in $1: $l" >&2; exit 1; fi
echo "nolibc: $1: no undefined symbols, no libc symbols"
