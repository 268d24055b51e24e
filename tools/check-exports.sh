#!/bin/sh
# check-exports: exported = declared. Nothing outside goro_*, nothing goro.h
# does not declare, nothing goro.h declares missing; the soname; no text
# relocations.   check-exports.sh SOLIB API SONAME  ($NM, $ARCH)
# API lists goro.h's functions; the exports go beside it, in goro.exports.
so=$1 api=$2 soname=$3
exports=$(dirname "$api")/goro.exports
$NM -D --defined-only "$so" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$exports"
fail=0
bad=$(grep -v '^goro_' "$exports")
[ -z "$bad" ] || { fail=1; echo "check-exports: $so exports symbols outside goro_*:" >&2
	printf '  %s\n' $bad >&2; }
bad=$(comm -23 "$exports" "$api" | grep '^goro_')
[ -z "$bad" ] || { fail=1; echo "check-exports: exported but not declared in goro.h:" >&2
	printf '  %s\n' $bad >&2; }
bad=$(comm -13 "$exports" "$api")
[ -z "$bad" ] || { fail=1; echo "check-exports: declared in goro.h but not exported:" >&2
	printf '  %s\n' $bad >&2; }
readelf -d "$so" | grep -q "Library soname: \[$soname\]" || { fail=1
	echo "check-exports: $so has no soname $soname" >&2; }
! readelf -d "$so" | grep -q TEXTREL || { fail=1
	echo "check-exports: $so has text relocations" >&2; }
[ $fail -eq 0 ] && echo "check-exports: ok ($ARCH, $(wc -l <"$exports") symbols, soname $soname)"
