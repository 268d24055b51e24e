#!/bin/sh
# install: make install and make uninstall.   install.sh install|uninstall
# Environment: DESTDIR PREFIX INCLUDEDIR LIBDIR PKGCONFIGDIR DATADIR CMAKEDIR
# SUPPDIR (absolute, before DESTDIR), INSTALL, LIB, SOLIB, VERSION, SONAME.
# Installs include/goro.h and goro.hpp, libgoro.a, libgoro.so.VERSION
# (soname SONAME) with its two links, pkgconfig/goro.pc,
# cmake/goro/goroConfig{,Version}.cmake, share/goro/goro-gdb.py (and the
# copy gdb auto-loads beside the .so), share/goro/goro.supp (valgrind
# suppressions); uninstall removes exactly those files.
set -e
if [ "$1" = uninstall ]; then
	set -x
	rm -f "$DESTDIR$INCLUDEDIR/goro.h" "$DESTDIR$LIBDIR/libgoro.a" "$DESTDIR$LIBDIR/libgoro.so.$VERSION" \
		"$DESTDIR$LIBDIR/$SONAME" "$DESTDIR$LIBDIR/libgoro.so" "$DESTDIR$PKGCONFIGDIR/goro.pc" \
		"$DESTDIR$DATADIR/goro/goro-gdb.py" "$DESTDIR$LIBDIR/libgoro.so.$VERSION-gdb.py" \
		"$DESTDIR$INCLUDEDIR/goro.hpp" "$DESTDIR$CMAKEDIR/goroConfig.cmake" \
		"$DESTDIR$CMAKEDIR/goroConfigVersion.cmake" "$DESTDIR$SUPPDIR/goro.supp"
	{ set +x; exit 0; } 2>/dev/null
fi
# goro.pc names libdir and includedir under ${exec_prefix} and ${prefix}
# when they are below PREFIX; goroConfig.cmake finds both relative to itself.
under() { case $2 in "$1"/*) echo "$3/${2#"$1"/}" ;; *) echo "$2" ;; esac; }
pclibdir=$(under "$PREFIX" "$LIBDIR" '${exec_prefix}')
pcincludedir=$(under "$PREFIX" "$INCLUDEDIR" '${prefix}')
librel=$(realpath -m --relative-to="$CMAKEDIR" "$LIBDIR")
increl=$(realpath -m --relative-to="$CMAKEDIR" "$INCLUDEDIR")
d=$DESTDIR
set -x
$INSTALL -d "$d$INCLUDEDIR" "$d$LIBDIR" "$d$PKGCONFIGDIR" "$d$DATADIR/goro" "$d$CMAKEDIR" "$d$SUPPDIR"
$INSTALL -m 644 include/goro.h include/goro.hpp "$d$INCLUDEDIR/"
$INSTALL -m 644 "$LIB" "$d$LIBDIR/libgoro.a"
$INSTALL -m 755 "$SOLIB" "$d$LIBDIR/libgoro.so.$VERSION"
ln -sf "libgoro.so.$VERSION" "$d$LIBDIR/$SONAME"
ln -sf "$SONAME" "$d$LIBDIR/libgoro.so"
sed -e "s|@prefix@|$PREFIX|" -e "s|@version@|$VERSION|" -e "s|@libdir@|$pclibdir|" \
	-e "s|@includedir@|$pcincludedir|" goro.pc.in >"$d$PKGCONFIGDIR/goro.pc"
sed -e "s|@version@|$VERSION|" -e "s|@soname@|$SONAME|" -e "s|@libdir_rel@|$librel|" \
	-e "s|@includedir_rel@|$increl|" cmake/goroConfig.cmake.in >"$d$CMAKEDIR/goroConfig.cmake"
sed -e "s|@version@|$VERSION|" cmake/goroConfigVersion.cmake.in >"$d$CMAKEDIR/goroConfigVersion.cmake"
chmod 644 "$d$PKGCONFIGDIR/goro.pc" "$d$CMAKEDIR/goroConfig.cmake" "$d$CMAKEDIR/goroConfigVersion.cmake"
$INSTALL -m 644 tools/goro-gdb.py "$d$DATADIR/goro/goro-gdb.py"
$INSTALL -m 644 tools/goro-gdb.py "$d$LIBDIR/libgoro.so.$VERSION-gdb.py"
$INSTALL -m 644 goro.supp "$d$SUPPDIR/goro.supp"
