#!/bin/sh
# check-namespace: every global symbol LIBRARY defines starts with one of
# PREFIXES.   check-namespace.sh LIBRARY PREFIX...  ($NM, $ARCH)
lib=$1; shift
bad=$($NM -g --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sort -u |
	grep -Ev "^($(echo "$@" | tr ' ' '|'))")
if [ -n "$bad" ]; then
	echo "check-namespace: globals outside $*:" >&2
	for s in $bad; do echo "  $s" >&2; done; exit 1
fi
echo "check-namespace: ok ($ARCH)"
