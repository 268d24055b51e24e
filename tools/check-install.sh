#!/bin/sh
# check-install: `make install` into $DIR/dest (PREFIX $PREFIX); build
# examples/hello.c from a copy outside the tree with nothing but
# pkg-config's flags (PKG_CONFIG_SYSROOT_DIR maps the installed paths into
# the DESTDIR), statically and against the .so; then the CMake package:
# tests/link/cmake (a C and a C++ program) copied out of the tree, found
# through find_package(goro 0.2) on CMAKE_PREFIX_PATH, built against the
# static library (goro_USE_STATIC=ON) and the shared one. Run them all
# (under $QEMU, the static builds only, linked $ARCH_LDFLAGS), `make
# uninstall`, and check that nothing is left.
# Environment: MAKE DIR PREFIX VERSION SONAME CC CXX CMAKE ARCH_LDFLAGS QEMU ARCH
set -e
d=$DIR top=$(pwd)
rm -rf "$d"; mkdir -p "$d/src"
iv="PREFIX=$PREFIX DESTDIR=$d/dest INCLUDEDIR=$PREFIX/include LIBDIR=$PREFIX/lib PKGCONFIGDIR=$PREFIX/lib/pkgconfig"
$MAKE --no-print-directory install $iv
lib=$d/dest$PREFIX/lib
for f in include/goro.h lib/libgoro.a lib/libgoro.so.$VERSION lib/pkgconfig/goro.pc \
	share/goro/goro-gdb.py lib/libgoro.so.$VERSION-gdb.py include/goro.hpp \
	lib/cmake/goro/goroConfig.cmake lib/cmake/goro/goroConfigVersion.cmake share/goro/goro.supp; do
	[ -f "$d/dest$PREFIX/$f" ] || { echo "check-install: $f not installed" >&2; exit 1; }
done
[ "$(readlink "$lib/$SONAME")" = "libgoro.so.$VERSION" ] &&
[ "$(readlink "$lib/libgoro.so")" = "$SONAME" ] || { echo "check-install: bad .so links" >&2; exit 1; }

needs() {   # program, kind (shared: needs $SONAME; static: no libgoro.so)
	if [ "$2" = shared ]; then readelf -d "$1" | grep -q "NEEDED.*\[$SONAME\]"
	else ! readelf -d "$1" | grep -q 'NEEDED.*libgoro'; fi ||
		{ echo "check-install: $1 ($2) $([ "$2" = shared ] && echo "does not need $SONAME" || echo "needs libgoro.so")" >&2; exit 1; }
}
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_LIBDIR="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$d/dest"
pkg-config --modversion goro | grep -qx "$VERSION"
echo "  pkg-config --cflags --libs goro: $(pkg-config --cflags --libs goro)"
cp examples/hello.c "$d/src/"; cd "$d/src"
echo "  $CC -static: hello-static"
$CC -O2 -o hello-static hello.c $(pkg-config --cflags goro) -static $(pkg-config --static --libs goro)
echo "  $CC: hello-shared"
$CC -O2 -o hello-shared hello.c $(pkg-config --cflags --libs goro)
needs hello-shared shared; needs hello-static static
$QEMU ./hello-static >/dev/null
if [ -n "$QEMU" ]; then echo "  (not running hello-shared under $QEMU)"
else LD_LIBRARY_PATH=$lib ./hello-shared >/dev/null; fi
cd "$top"

cross=
[ -z "$QEMU" ] || cross="-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=$($CC -dumpmachine | cut -d- -f1)"
set -- $CXX; cxx=$1; shift; cxxflags=$*
cp -R tests/link/cmake "$d/cmake-src"; cp examples/hello.c "$d/cmake-src/"
for kind in static shared; do
	b=$d/cmake-$kind; static=$([ $kind = static ] && echo ON || echo OFF)
	echo "  cmake: find_package(goro 0.2), goro_USE_STATIC=$static: hello, pingpong_cxx"
	{ $CMAKE -S "$d/cmake-src" -B "$b" -DCMAKE_PREFIX_PATH="$d/dest$PREFIX" \
		-Dgoro_USE_STATIC=$static $cross \
		-DCMAKE_C_COMPILER="${CC%% *}" -DCMAKE_CXX_COMPILER="$cxx" "-DCMAKE_CXX_FLAGS=$cxxflags" \
		"-DCMAKE_EXE_LINKER_FLAGS=$([ $kind = static ] && echo $ARCH_LDFLAGS)" &&
	  $CMAKE --build "$b"; } >"$b.log" 2>&1 || { cat "$b.log" >&2
		echo "check-install: the CMake project failed ($kind): $b.log" >&2; exit 1; }
	for e in hello pingpong_cxx; do
		needs "$b/$e" $kind
		if [ $kind = static ] || [ -z "$QEMU" ]; then
			$QEMU "$b/$e" >/dev/null || { echo "check-install: cmake $e ($kind) failed" >&2; exit 1; }
		fi
	done
done

$MAKE --no-print-directory uninstall $iv
left=$(find "$d/dest" ! -type d)
[ -z "$left" ] || { echo "check-install: uninstall left:" $left >&2; exit 1; }
echo "check-install: ok ($ARCH: installed; pkg-config and CMake builds: static ran, shared $([ -n "$QEMU" ] && echo built || echo ran); uninstalled)"
