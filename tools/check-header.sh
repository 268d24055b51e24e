#!/bin/sh
# check-header: goro.h under every compiler and standard it promises,
# warnings as errors, goro.hpp (through a program that instantiates most of
# it) as C++17/20; then, natively, the C++ program linked by each C++
# compiler and run.   check-header.sh BUILDDIR LIBRARY
# ($CC_HEADER, $CXX_HEADER, $WFLAGS, $QEMU: non-empty skips the link)
set -e
b=$1 lib=$2
mkdir -p "$b/link"
for cc in $CC_HEADER; do for std in c11 c17; do
	echo "  $cc -std=$std"; $cc -std=$std $WFLAGS -c -o /dev/null tests/link/header.c
done; done
for cxx in $CXX_HEADER; do for std in c++11 c++17 c++20; do
	echo "  $cxx -std=$std"; $cxx -std=$std $WFLAGS -c -o /dev/null tests/link/header.cc
done; done
for cxx in $CXX_HEADER; do for std in c++17 c++20; do
	echo "  $cxx -std=$std goro.hpp"
	$cxx -std=$std $WFLAGS -c -o /dev/null tests/link/cmake/pingpong.cc
done; done
if [ -n "$QEMU" ]; then
	echo "check-header: not linking the C++ program for ARCH=$ARCH"
else
	for cxx in $CXX_HEADER; do
		$cxx -std=c++11 $WFLAGS -pthread -o "$b/link/header-$cxx" tests/link/header.cc "$lib" -lpthread
		"$b/link/header-$cxx"
	done
fi
echo "check-header: ok ($CC_HEADER; $CXX_HEADER)"
