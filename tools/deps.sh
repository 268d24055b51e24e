#!/bin/sh
# deps: the Debian/Ubuntu packages goro's build, tests and CI need, as root
# or through sudo; a no-op when all are installed.
pkgs="check pkg-config clang g++ gcc-aarch64-linux-gnu libc6-dev-arm64-cross gdb gdb-multiarch
	qemu-user golang-go check:arm64 libsubunit-dev:arm64 g++-aarch64-linux-gnu cmake"
st=$(dpkg-query -W -f='${db:Status-Abbrev}\n' $pkgs 2>/dev/null) &&
	! printf '%s\n' "$st" | grep -qv '^ii' && { echo "deps: all installed"; exit 0; }
if [ "$(id -u)" = 0 ]; then sudo=
elif command -v sudo >/dev/null; then sudo=sudo
else echo "deps: need root or sudo" >&2; exit 1; fi
set -x
$sudo dpkg --add-architecture arm64 &&
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update &&
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
