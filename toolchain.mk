# The toolchain table, keyed by ARCH: everything the Makefile needs to know
# about a target. A new architecture is a new column here plus arch/<arch>/.
# CC, AR, NM and OBJCOPY given on the make command line win (make CC=clang); values from
# the environment or make's built-in defaults do not, so an exported CC=gcc
# cannot break a cross build. `make toolchain` prints what was resolved.

ARCHS := amd64 arm64
ARCH ?= amd64

CC_amd64 = gcc
CC_arm64 = aarch64-linux-gnu-gcc
AR_amd64 = ar
AR_arm64 = aarch64-linux-gnu-ar
NM_amd64 = nm
NM_arm64 = aarch64-linux-gnu-nm
OBJCOPY_amd64 = objcopy
OBJCOPY_arm64 = aarch64-linux-gnu-objcopy

# Emulator prefix for running target binaries; empty runs them natively.
QEMU_amd64 =
QEMU_arm64 = qemu-aarch64
# The debugger for check-gdb (arm64: attached to qemu-aarch64's gdb stub).
GDB_amd64 = gdb
GDB_arm64 = gdb-multiarch

# Debian 12's qemu-aarch64 hangs on dynamically linked threaded programs.
LDFLAGS_amd64 =
LDFLAGS_arm64 = -static

# Extra flags for core/ and arch/: no outline atomics, whose libgcc helpers
# read a flag set up through libc (getauxval); plain LL/SC inline instead.
ARCHFLAGS_amd64 =
ARCHFLAGS_arm64 = -mno-outline-atomics

# Check (unit tests). amd64: pkg-config. arm64: the arm64 multiarch archives
# by full path, and only Check's own headers (symlinked under build/arm64/
# include), never -I/usr/include, which would mix amd64 libc headers in.
CHECK_MULTIARCH_arm64 = /usr/lib/aarch64-linux-gnu
CHECK_CFLAGS_amd64 = $(shell pkg-config --cflags check)
CHECK_LIBS_amd64 = $(shell pkg-config --libs check) -lpthread -lm
CHECK_CFLAGS_arm64 = -Ibuild/arm64/include
CHECK_LIBS_arm64 = $(CHECK_MULTIARCH_arm64)/libcheck.a \
	$(CHECK_MULTIARCH_arm64)/libsubunit.a -lm -lrt -lpthread
CHECK_HEADERS = /usr/include/check.h /usr/include/check_stdint.h

# Check's per-test timeouts (4 s by default) are scaled under emulation.
TESTENV_amd64 =
TESTENV_arm64 = CK_TIMEOUT_MULTIPLIER=4

# $(call one_of,VAR,CHOICES): VAR's value is one of CHOICES, or make stops.
one_of = $(if $(filter $($(1)),$(2)),,$(error $(1)=$($(1)) is not one of: $(2)))
$(call one_of,ARCH,$(ARCHS))

# Table lookups. Only a command-line (or override) CC, AR, NM, OBJCOPY replaces the table.
CC_ORIGIN := $(origin CC)
$(foreach t,CC AR NM OBJCOPY,$(if $(filter command line override,$(origin $(t))),,$(eval $(t) := $($(t)_$(ARCH)))))
QEMU := $(QEMU_$(ARCH))
ARCH_LDFLAGS := $(LDFLAGS_$(ARCH))
ARCHFLAGS := $(ARCHFLAGS_$(ARCH))
CHECK_CFLAGS = $(CHECK_CFLAGS_$(ARCH))
CHECK_LIBS = $(CHECK_LIBS_$(ARCH))
TESTENV := $(TESTENV_$(ARCH))

CC_PATH := $(shell command -v $(firstword $(CC)) 2>/dev/null)
AR_PATH := $(shell command -v $(firstword $(AR)) 2>/dev/null)
QEMU_PATH := $(if $(QEMU),$(shell command -v $(firstword $(QEMU)) 2>/dev/null))

# ---- Host and park table ----
# HOST picks the platform layer: posix (libc + pthreads) or nolibc (raw Linux
# system calls, -nostdlib, tested by tests/nolibc alone). PARK picks how
# host/posix implements plat_futex_wait/wake: futex(2), or pthread condvars
# in a hashed table (what macOS or a BSD would need). Every non-default
# choice builds under its own directory, build/$(ARCH)$(VARIANT), so objects
# of different configurations never mix.
HOSTS := posix nolibc
HOST ?= posix
PARKS := futex condvar
PARK ?= futex
$(call one_of,HOST,$(HOSTS))
$(call one_of,PARK,$(PARKS))
ifeq ($(HOST)-$(PARK),nolibc-condvar)
$(error PARK=condvar needs HOST=posix: host/nolibc has no pthreads)
endif
VARIANT := $(if $(filter nolibc,$(HOST)),-nolibc)$(if $(filter condvar,$(PARK)),-condvar)

# ---- Compilers and sanitizers ----
# A clang build and SANITIZE=address|undefined|thread builds live in their
# own directories too. Sanitized builds instrument everything, core included
# (core/sanitizer.h tells ASan and TSan about stack switches), so
# check-freestanding does not apply to them.
SANITIZERS := address undefined thread
ifneq ($(SANITIZE),)
$(call one_of,SANITIZE,$(SANITIZERS))
# The one switch everything reads (core/sanitizer.h, the posix host, the
# tests): GORO_ASAN, GORO_TSAN or GORO_UBSAN, set here by the build as Go
# picks race0.go or race.go by build tag; no file sniffs the compiler.
SANFLAG_address := -DGORO_ASAN=1
SANFLAG_thread := -DGORO_TSAN=1
SANFLAG_undefined := -DGORO_UBSAN=1
SANFLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer \
	$(SANFLAG_$(SANITIZE))
# core abandons g0 frames at every switch; without entry/exit hooks there
# TSan's per-fiber shadow stacks stay balanced (core/sanitizer.h).
ifeq ($(SANITIZE),thread)
SANFLAGS_FREE := $(if $(findstring clang,$(notdir $(CC))),-mllvm -tsan-instrument-func-entry-exit=false,--param=tsan-instrument-func-entry-exit=0)
endif
endif
# VALGRIND=1: goroutine stacks registered with valgrind (core/sanitizer.h).
ifneq ($(VALGRIND),)
SANFLAGS += -DGORO_VALGRIND -idirafter /usr/include
endif
# LOCKRANK=1: every runtime lock checked against runtime2.h's lock order
# (core/lockrank.c), as Go's GOEXPERIMENT=staticlockranking.
ifneq ($(LOCKRANK),)
SANFLAGS += -DGORO_LOCKRANK
endif
VARIANT := $(VARIANT)$(if $(findstring clang,$(notdir $(CC))),-clang)$(if $(SANITIZE),-$(SANITIZE))$(if $(VALGRIND),-valgrind)$(if $(LOCKRANK),-lockrank)
HOST_SRCS_posix = $(filter-out host/posix/park_%.c,$(sort $(wildcard host/posix/*.c))) \
	host/posix/park_$(PARK).c
HOST_SRCS_nolibc = $(sort $(wildcard host/nolibc/*.c))

# ---- C++: goro.hpp's tests, examples/*.cc, check-install's CMake project ----
# Every tests/check_*.cc is built once per family in CXX_FAMILIES, as
# <name>_<family> (check_cxx_gcc, check_cxx_clang), so `make test` covers
# both compilers on every ARCH. CXX (examples, the CMake project) is the
# family of CC; a command-line CXX wins, as for CC.
CXX_FAMILIES := gcc clang
# Debian's clang has sanitizer runtimes for x86_64 only: sanitized arm64
# builds test C++ with gcc alone.
CXX_SAN_FAMILIES_arm64 = gcc
ifneq ($(SANITIZE),)
CXX_FAMILIES := $(or $(CXX_SAN_FAMILIES_$(ARCH)),$(CXX_FAMILIES))
endif
# g++ -static links libubsan.a after libstdc++, which its C++ checks need
# (__dynamic_cast): name it ahead of libstdc++ in static (arm64) links.
CXX_LIBS_gcc_arm64_undefined = -lubsan
CXX_gcc_amd64 = g++
CXX_clang_amd64 = clang++
CXX_gcc_arm64 = aarch64-linux-gnu-g++
CXX_clang_arm64 = clang++ --target=aarch64-linux-gnu
ifeq ($(filter command line override,$(origin CXX)),)
CXX := $(CXX_$(if $(findstring clang,$(notdir $(CC))),clang,gcc)_$(ARCH))
endif
