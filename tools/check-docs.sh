#!/bin/sh
# check-docs: every file in core/ has a row in core/HACKING.md's map (the
# table whose first column names core files, several per row allowed:
# "| chan.c, chan.h | chan.go |"), and every file the map names exists.
# Prints what to add or fix for each one wrong.
cd "$(dirname "$0")/.." || exit 1
map=core/HACKING.md
listed=$(sed -n 's/^| *\([^|]*[a-z0-9_]\.[ch][^|]*\)|.*/\1/p' "$map" | tr ',' '\n' | tr -d ' ')
bad=0 n=0
for f in core/*.c core/*.h core/platform/*.h; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=${f#core/}
	if ! printf '%s\n' "$listed" | grep -qx "$name"; then
		echo "check-docs: $f is not in $map's map; add a row" >&2
		echo "    | $name | <the Go file(s) it ports, and its main functions> |" >&2
		bad=1
	fi
done
for name in $listed; do
	[ -e "core/$name" ] && continue
	echo "check-docs: $map's map names core/$name, which does not exist: fix or drop its row" >&2
	bad=1
done
[ $bad -eq 0 ] && echo "check-docs: ok ($n core files in $map)"
exit $bad
