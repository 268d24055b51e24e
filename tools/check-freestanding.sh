#!/bin/sh
# check-freestanding: core/ and arch/ may leave undefined only the platform
# interface and the four mem* functions; references between their own
# objects do not count.   check-freestanding.sh BUILDDIR OBJECT...  ($NM, $ARCH)
b=$1; shift
if [ $# -eq 0 ]; then echo "check-freestanding: no core/ or arch/$ARCH/ sources" >&2; exit 1; fi
$NM -g --defined-only "$@" | awk 'NF >= 3 { print $3 }' | sort -u >"$b/free.def"
$NM -u "$@" | awk 'NF >= 2 { print $2 }' | sort -u >"$b/free.undef"
bad=$(comm -23 "$b/free.undef" "$b/free.def" |
	grep -Ev '^(plat_.*|memcpy|memmove|memset|memcmp|_GLOBAL_OFFSET_TABLE_|__st(art|op)_goro_text)$')
if [ -n "$bad" ]; then
	echo "check-freestanding: core/arch ($ARCH) need symbols outside the platform interface:" >&2
	for s in $bad; do echo "  $s (in: $($NM -A -u "$@" |
		awk -v s="$s" '$NF == s { sub(/:.*/, "", $1); print $1 }' | tr '\n' ' '))" >&2; done
	exit 1
fi
echo "check-freestanding: ok ($ARCH, $# objects)"
