# goro's one Makefile, in musl's manner: sources globbed per directory,
# objects under build/$(ARCH)/ mirroring the tree, no recursive make, one
# rule per kind of file with its flags in target-specific variables, shell
# programs in tools/. The toolchain per ARCH, host, park and sanitizer
# (the directory build/$(ARCH)$(VARIANT)) come from toolchain.mk.
#
#   make [ARCH=amd64|arm64]    build/$(ARCH)/libgoro.a, and libgoro.so (`make shared`)
#   make test [TESTS=check_x]  build and run tests/check_*.c, "N passed, M failed"
#   make test HOST=nolibc | PARK=condvar   other hosts and parks (toolchain.mk);
#                              nolibc runs tests/nolibc/nolibc_test.c alone
#   make test LOCKRANK=1       every runtime lock checked against runtime2.h's lock order
#   make test SANITIZE=address|undefined|thread | CC=clang   builds of their own
#   make check-freestanding    core/ and arch/ objects need only plat_* and mem*
#   make check-namespace       every global of libgoro.a is goro_* or plat_*, and an
#                              application defining lock, schedule, throw... links and runs
#   make check-exports         libgoro.so exports goro.h's functions and nothing else
#   make check-header          goro.h as C11/C17, C++11/17/20, goro.hpp as C++17/20
#   make check-install         install under build/, build hello.c with pkg-config and
#                              tests/link/cmake with find_package(goro), run, uninstall
#   make check-docs            core/HACKING.md's map names every core file (in make test)
#   make check-gdb             tools/goro-gdb.py in gdb batch mode (in make test when gdb exists)
#   make install | uninstall   [PREFIX=/usr/local DESTDIR= LIBDIR=$(PREFIX)/lib ...]
#   make demo                  build and run examples/*.c and examples/*.cc
#   make bench | bench-goro    bench/ against its Go twin (bench/go), or goro's side alone
#   make soak | memcheck       check_stress for minutes; suites under valgrind
#   make toolchain | deps | clean

.DEFAULT_GOAL := all
include toolchain.mk

B := build/$(ARCH)$(VARIANT)

CORE_SRCS := $(sort $(wildcard core/*.c))
ARCH_SRCS := $(sort $(wildcard arch/$(ARCH)/*.S arch/$(ARCH)/*.c))
HOST_SRCS := $(HOST_SRCS_$(HOST))
TEST_SRCS := $(sort $(wildcard tests/check_*.c))
CXX_TEST_SRCS := $(sort $(wildcard tests/check_*.cc))
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))
EXAMPLE_CXX_SRCS := $(sort $(wildcard examples/*.cc))

obj = $(patsubst %.c,$(B)/%.o,$(patsubst %.S,$(B)/%.o,$(1)))
FREE_OBJS := $(call obj,$(CORE_SRCS) $(ARCH_SRCS))
HOST_OBJS := $(call obj,$(HOST_SRCS))
PIC_OBJS := $(patsubst $(B)/%,$(B)/pic/%,$(FREE_OBJS) $(HOST_OBJS))
LIB := $(B)/libgoro.a
GORO_VERSION := 0.2.0
GORO_SOMAJOR := 0
SONAME := libgoro.so.$(GORO_SOMAJOR)
SOLIB := $(B)/libgoro.so.$(GORO_VERSION)
SOLINKS := $(B)/$(SONAME) $(B)/libgoro.so

ALL_TESTS := $(notdir $(TEST_SRCS:.c=)) \
	$(foreach f,$(CXX_FAMILIES),$(addsuffix _$(f),$(notdir $(CXX_TEST_SRCS:.cc=))))
TESTS ?= $(ALL_TESTS)
TEST_BINS := $(addprefix $(B)/tests/,$(TESTS))
EXAMPLES := $(addprefix $(B)/examples/,$(notdir $(EXAMPLE_SRCS:.c=) $(EXAMPLE_CXX_SRCS:.cc=)))
NOLIBC_TEST := $(B)/tests/nolibc/nolibc_test
GORO_BENCH := $(B)/bench/goro_bench
GDB_TARGET := $(B)/tests/gdb/target
# check-gdb: natively also the auto-load beside libgoro.so (qemu-aarch64
# can't run the dynamically linked program).
GDB ?= $(GDB_$(ARCH))
GDB_PATH := $(shell command -v $(GDB) 2>/dev/null)
GDB_SHARED := $(if $(QEMU)$(filter nolibc,$(HOST)),,$(B)/tests/gdb/target-shared)

# Seconds one test binary or one example may run before it counts as failed.
TEST_TIMEOUT ?= 600
DEMO_TIMEOUT ?= 120
# Global symbol prefixes libgoro.a may define (check-namespace); a
# libc-free host also defines the entry point and the mem* core needs.
NAMESPACE ?= goro_ plat_ $(if $(filter nolibc,$(HOST)),_start$$ memcpy$$ memmove$$ memset$$ memcmp$$)

# Check's headers alone, for a cross compiler that must not see /usr/include.
CHECK_INC_arm64 := build/arm64/include
CHECK_LINKS := $(if $(CHECK_INC_$(ARCH)),$(addprefix $(CHECK_INC_$(ARCH))/,$(notdir $(CHECK_HEADERS))))

# Goals that need no compiler; any other goal fails loudly without one.
NOBUILD_GOALS := clean toolchain deps
ifneq ($(filter-out $(NOBUILD_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(CC_PATH),)
$(error CC=$(CC) for ARCH=$(ARCH) not found; run `make deps` or pass CC=...)
endif
ifeq ($(AR_PATH),)
$(error AR=$(AR) for ARCH=$(ARCH) not found; run `make deps` or pass AR=...)
endif
FREE_INC := $(shell $(CC) -print-file-name=include)
endif
ifneq ($(filter-out $(ALL_TESTS),$(TESTS)),)
$(error TESTS: no tests/$(firstword $(filter-out $(ALL_TESTS),$(TESTS))).c; have: $(or $(ALL_TESTS),none))
endif

# One flags variable per domain. CFLAGS and LDFLAGS from the command line
# are appended everywhere (e.g. make CFLAGS=-fsanitize=thread).
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Wmissing-prototypes -Wshadow -Werror -std=c11 -Iinclude $(SANFLAGS)
# Hosts see core/platform, which holds platform.h alone: core's internals
# stay out of their reach.
CFLAGS_FREESTANDING = -ffreestanding -fno-builtin -nostdinc -isystem $(FREE_INC) \
	-fno-stack-protector -ftls-model=initial-exec -fno-omit-frame-pointer \
	$(ARCHFLAGS) $(SANFLAGS_FREE)
CFLAGS_FREE = $(CFLAGS_FREESTANDING) -Icore -Icore/platform -Iarch/$(ARCH)
CFLAGS_HOST := -D_GNU_SOURCE -pthread -Icore/platform
# host/nolibc compiles like core (freestanding, no libc headers) plus
# -fno-tree-loop-distribute-patterns, so that gcc cannot turn string.c's
# loops back into calls to memcpy and memset themselves.
CFLAGS_NOLIBC = $(CFLAGS_FREESTANDING) -fno-tree-loop-distribute-patterns -Icore/platform -Ihost/nolibc
# Tests and examples keep frame pointers, as an application should for
# goroutine listings with every frame (README, Debugging).
CFLAGS_TEST = -D_GNU_SOURCE -pthread -fno-omit-frame-pointer -Icore -Icore/platform -Iarch/$(ARCH) $(CHECK_CFLAGS)
CFLAGS_APP := -D_GNU_SOURCE -pthread -fno-omit-frame-pointer
# C++ (goro.hpp): tests and examples; CXXFLAGS from the command line appended.
CXXFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -std=c++17 -Iinclude $(SANFLAGS)
CXXFLAGS_TEST = -D_GNU_SOURCE -pthread -fno-omit-frame-pointer $(CHECK_CFLAGS)
DEPFLAGS := -MMD -MP

.PHONY: all shared test demo bench bench-goro soak memcheck memcheck-run memcheck-leaks \
	check-freestanding check-namespace check-namespace-app check-exports check-header \
	check-install check-docs check-gdb install uninstall toolchain deps clean

# libgoro.so needs a host that lives with libc (posix); HOST=nolibc is static.
all: $(LIB) $(if $(filter nolibc,$(HOST)),,shared)
shared: $(SOLIB) $(SOLINKS)

# ---- Objects: one rule per source kind, the flags by directory ----
# The pic/ twins, for libgoro.so, add -fPIC; core keeps initial-exec TLS
# there too (static TLS, fine for a library linked at start-up).
$(B)/core/%.o $(B)/arch/%.o: OBJ_FLAGS = $(CFLAGS_FREE)
$(B)/host/%.o: OBJ_FLAGS = $(CFLAGS_HOST)
$(B)/host/nolibc/%.o: OBJ_FLAGS = $(CFLAGS_NOLIBC)
$(B)/pic/core/%.o $(B)/pic/arch/%.o: OBJ_FLAGS = $(CFLAGS_FREE) -fPIC
$(B)/pic/host/%.o: OBJ_FLAGS = $(CFLAGS_HOST) -fPIC
define compile
@mkdir -p $(@D)
$(CC) $(CFLAGS_COMMON) $(OBJ_FLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
endef
$(B)/pic/%.o: %.c
	$(compile)
$(B)/pic/%.o: %.S
	$(compile)
$(B)/%.o: %.c
	$(compile)
$(B)/%.o: %.S
	$(compile)

# ---- Libraries: both hold one relocatable object whose only globals are
# goro.h's functions and a host's own (tools/relocatable.sh), so core's short
# names (lock, throw, runqput...) stay core's; goro.map exports goro_* on top.
$(LIB): $(B)/goro.o
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# The public API: every goro_* function goro.h declares.
$(B)/goro.api: include/goro.h
	@mkdir -p $(@D)
	grep -oE '\bgoro_[a-z0-9_]+[[:space:]]*\(' $< | sed 's/[[:space:]]*($$//' | sort -u >$@

relocatable = CC="$(CC)" CFLAGS="$(CFLAGS)" NM="$(NM)" OBJCOPY="$(OBJCOPY)" \
	sh tools/relocatable.sh $@ $(B)/goro.api $(1) -- $(2)
$(B)/goro.o: $(FREE_OBJS) $(HOST_OBJS) $(B)/goro.api
	$(call relocatable,$(FREE_OBJS),$(HOST_OBJS))
$(B)/pic/goro.o: $(PIC_OBJS) $(B)/goro.api
	$(call relocatable,$(filter-out $(B)/pic/host/%,$(PIC_OBJS)),$(filter $(B)/pic/host/%,$(PIC_OBJS)))

# A sanitized build links its runtime in (SANFLAGS): gcc links libasan.so or
# libtsan.so; clang leaves the runtime to the executable, so -z defs, which
# would reject its undefined __asan_* names, is dropped there.
SOLIB_DEFS := $(if $(and $(SANITIZE),$(findstring clang,$(notdir $(CC)))),,-Wl,-z,defs)
$(SOLIB): $(B)/pic/goro.o goro.map
	$(CC) $(SANFLAGS) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=goro.map \
		$(SOLIB_DEFS) -Wl,-z,relro -Wl,-z,now -o $@ $< -lpthread $(LDFLAGS)
$(B)/$(SONAME): $(SOLIB)
	ln -sf $(notdir $<) $@
$(B)/libgoro.so: $(B)/$(SONAME)
	ln -sf $(notdir $<) $@

# ---- Programs: one rule per source kind, compiler, flags and libraries
# by target. The default is an application's: examples, bench, link checks.
PROG_CC = $(CC)
PROG_FLAGS = $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) $(DEPFLAGS)
PROG_LIBS = $(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)
define link
@mkdir -p $(@D)
$(PROG_CC) $(PROG_FLAGS) -o $@ $< $(PROG_LIBS)
endef

$(B)/tests/%: PROG_FLAGS = $(CFLAGS_COMMON) $(CFLAGS_TEST) $(CFLAGS) $(DEPFLAGS)
$(B)/tests/%: PROG_LIBS = $(LIB) $(CHECK_LIBS) $(ARCH_LDFLAGS) $(LDFLAGS)
$(B)/tests/%: tests/%.c $(LIB) | $(CHECK_LINKS)
	$(link)

# These drive internals libgoro.a keeps local (check_timers: time.c's
# addtimer, deltimer, modtimer; check_lockrank: lock(), assertLockHeld;
# check_runq: runq.c's runqput, runqsteal...): they link the objects instead.
UNLOCALISED_TESTS := $(addprefix $(B)/tests/,check_timers check_lockrank check_runq)
$(UNLOCALISED_TESTS): PROG_LIBS = $(FREE_OBJS) $(HOST_OBJS) $(CHECK_LIBS) $(ARCH_LDFLAGS) $(LDFLAGS)
$(UNLOCALISED_TESTS): $(B)/tests/%: tests/%.c $(FREE_OBJS) $(HOST_OBJS) | $(CHECK_LINKS)
	$(link)

# tests/check_x.cc: one binary per C++ compiler family, check_x_<family>.
define cxx_test
$$(B)/tests/%_$(1): PROG_CC = $$(CXX_$(1)_$$(ARCH))
$$(B)/tests/%_$(1): PROG_FLAGS = $$(CXXFLAGS_COMMON) $$(CXXFLAGS_TEST) $$(CXXFLAGS) $$(DEPFLAGS)
$$(B)/tests/%_$(1): PROG_LIBS = $$(LIB) $$(CHECK_LIBS) $$(CXX_LIBS_$(1)_$$(ARCH)_$$(SANITIZE)) $$(ARCH_LDFLAGS) $$(LDFLAGS)
$$(B)/tests/%_$(1): tests/%.cc $$(LIB) | $$(CHECK_LINKS)
	$$(link)
endef
$(foreach f,$(CXX_FAMILIES),$(eval $(call cxx_test,$(f))))

CXX_EXAMPLES := $(addprefix $(B)/examples/,$(notdir $(EXAMPLE_CXX_SRCS:.cc=)))
$(CXX_EXAMPLES): PROG_CC = $(CXX)
$(CXX_EXAMPLES): PROG_FLAGS = $(CXXFLAGS_COMMON) $(CFLAGS_APP) $(CXXFLAGS) $(DEPFLAGS)
$(B)/examples/%: examples/%.c $(LIB)
	$(link)
$(B)/examples/%: examples/%.cc $(LIB)
	$(link)
$(GORO_BENCH): bench/goro_bench.c $(LIB)
	$(link)

# check-namespace's application, statically and against libgoro.so, and
# check-gdb's target against libgoro.so.
SHARED_PROGS := $(B)/link/namespace-shared $(B)/tests/gdb/target-shared
$(B)/link/namespace $(SHARED_PROGS): PROG_FLAGS = $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS)
$(SHARED_PROGS): PROG_CC = $(CC)
$(SHARED_PROGS): PROG_LIBS = -L$(B) -lgoro -lpthread $(LDFLAGS)
$(B)/link/namespace: tests/link/namespace.c $(LIB)
	$(link)
$(B)/link/namespace-shared: tests/link/namespace.c $(SOLIB) $(SOLINKS)
	$(link)
$(B)/tests/gdb/target-shared: tests/gdb/target.c $(SOLIB) $(SOLINKS)
	$(link)

# Symlinks, not intermediates: keep them.
.PRECIOUS: $(CHECK_INC_arm64)/%.h
$(CHECK_INC_arm64)/%.h: /usr/include/%.h
	@mkdir -p $(@D)
	ln -sf $< $@

# ---- Running: tests, examples ----
# An emulator is needed only to run, not to build.
need_qemu = if [ -n "$(QEMU)" ] && [ -z "$(QEMU_PATH)" ]; then \
	echo "$(QEMU) not found: needed to run ARCH=$(ARCH) binaries; run make deps" >&2; exit 1; fi

# HOST=nolibc has no libc for Check: tests/nolibc/nolibc_test.c alone.
# check-docs is cheap, so every `make test` runs it; check-gdb runs when
# that gdb is installed, but not for sanitizer or valgrind builds, whose
# runtimes fight ptrace.
TEST_RUN := $(if $(filter nolibc,$(HOST)),-s $(NOLIBC_TEST),$(TEST_BINS))
test: $(filter-out -s,$(TEST_RUN)) check-docs $(if $(GDB_PATH),$(if $(filter posix,$(HOST)$(SANITIZE)$(VALGRIND)),check-gdb))
	@$(need_qemu)
	@TIMEOUT=$(TEST_TIMEOUT) QEMU="$(QEMU)" TESTENV="$(TESTENV)" sh tools/run-tests.sh $(TEST_RUN)

demo: $(EXAMPLES)
	@$(need_qemu)
	@TIMEOUT=$(DEMO_TIMEOUT) QEMU="$(QEMU)" sh tools/run-demo.sh $(EXAMPLES)

check-docs:
	@sh tools/check-docs.sh

# ---- Link checks ----
# core/ and arch/ leave undefined only the platform interface and mem*.
check-freestanding: $(FREE_OBJS)
	@NM="$(NM)" ARCH=$(ARCH) sh tools/check-freestanding.sh $(B) $(FREE_OBJS)

# Every global libgoro.a defines has a prefix from $(NAMESPACE); an
# application with core's short names links statically and (natively:
# qemu-aarch64 hangs on dynamic threaded programs) against libgoro.so.
# The application is a libc program, so HOST=nolibc checks the names only.
check-namespace: $(LIB) $(if $(filter nolibc,$(HOST)),,check-namespace-app)
	@NM="$(NM)" ARCH=$(ARCH) sh tools/check-namespace.sh $(LIB) $(NAMESPACE)
check-namespace-app: $(B)/link/namespace $(if $(QEMU),,$(B)/link/namespace-shared)
	@$(need_qemu)
	$(QEMU) $(B)/link/namespace
	$(if $(QEMU),,LD_LIBRARY_PATH=$(B) $(B)/link/namespace-shared)

# Exported = declared in goro.h; the soname; no text relocations.
check-exports: $(SOLIB) $(B)/goro.api
	@NM="$(NM)" ARCH=$(ARCH) sh tools/check-exports.sh $(SOLIB) $(B)/goro.api $(SONAME)

# goro.h and goro.hpp under every compiler and standard they promise.
CXX_HEADER ?= g++ clang++
CC_HEADER ?= gcc clang
HEADER_WFLAGS := -Wall -Wextra -Wpedantic -Werror -Iinclude
check-header: $(if $(QEMU),,$(LIB))
	@CC_HEADER="$(CC_HEADER)" CXX_HEADER="$(CXX_HEADER)" WFLAGS="$(HEADER_WFLAGS)" QEMU="$(QEMU)" \
		ARCH=$(ARCH) sh tools/check-header.sh $(B) $(LIB)

# pkg-config and CMake consumers of an install under build/: tools/check-install.sh.
CMAKE ?= cmake
CHECK_INSTALL_PREFIX := /opt/goro
check-install: $(LIB) $(SOLIB)
	@$(need_qemu)
	@MAKE="$(MAKE)" DIR=$(CURDIR)/$(B)/check-install PREFIX=$(CHECK_INSTALL_PREFIX) \
		VERSION=$(GORO_VERSION) SONAME=$(SONAME) CC="$(CC)" CXX="$(CXX)" CMAKE="$(CMAKE)" \
		ARCH_LDFLAGS="$(ARCH_LDFLAGS)" QEMU="$(QEMU)" ARCH=$(ARCH) sh tools/check-install.sh

# ---- Install: tools/install.sh, which lists the files ----
PREFIX ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
CMAKEDIR ?= $(LIBDIR)/cmake/goro
SUPPDIR ?= $(DATADIR)/goro
INSTALL ?= install
install_sh = @DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" INCLUDEDIR="$(INCLUDEDIR)" LIBDIR="$(LIBDIR)" \
	PKGCONFIGDIR="$(PKGCONFIGDIR)" DATADIR="$(DATADIR)" CMAKEDIR="$(CMAKEDIR)" SUPPDIR="$(SUPPDIR)" \
	INSTALL="$(INSTALL)" LIB=$(LIB) SOLIB=$(SOLIB) VERSION=$(GORO_VERSION) SONAME=$(SONAME) \
	sh tools/install.sh
install: $(LIB) $(SOLIB)
	$(install_sh) install
uninstall:
	$(install_sh) uninstall

# ---- The libc-free host, HOST=nolibc ----
# tests/nolibc/nolibc_test.c with core, arch and host/nolibc only
# (-nostdlib -ffreestanding -static); nm proves that no libc got in.
LDFLAGS_NOLIBC := -nostdlib -static -no-pie
$(NOLIBC_TEST): PROG_FLAGS = $(CFLAGS_COMMON) $(CFLAGS_NOLIBC) -Icore -fno-pie $(CFLAGS) $(DEPFLAGS)
$(NOLIBC_TEST): PROG_LIBS = $(FREE_OBJS) $(HOST_OBJS) $(LDFLAGS_NOLIBC) $(LDFLAGS)
$(NOLIBC_TEST): tests/nolibc/nolibc_test.c $(FREE_OBJS) $(HOST_OBJS)
	$(link)
	@NM="$(NM)" sh tools/check-nolibc.sh $@

# ---- Benchmarks: bench/ and its Go twin in bench/go, interleaved REPS
# times at one P and at all CPUs (bench/run.sh), the table by bench/compare.py;
# without Go, goro alone. bench-goro: the C side once per procs setting.
GO ?= go
GO_PATH := $(shell command -v $(GO) 2>/dev/null)
BENCH_REPS ?= 3
BENCH_CASES ?=
BENCH_TIMEOUT ?= 300
GO_BENCH := build/bench/go_bench
# Go builds offline, module mode, no dependencies; its cache moves under
# build/ when $HOME is not writable.
GO_BENCH_ENV = GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOWORK=off \
	$$( [ -w "$${HOME:-/nonexistent}" ] || echo GOCACHE=$(CURDIR)/build/bench/gocache )
$(GO_BENCH): $(wildcard bench/go/*.go) bench/go/go.mod
	@mkdir -p $(@D)
	cd bench/go && env $(GO_BENCH_ENV) $(GO) build -o $(CURDIR)/$@ .

bench: $(GORO_BENCH) $(if $(GO_PATH),$(GO_BENCH))
	@$(need_qemu)
	@$(if $(GO_PATH),,echo "bench: $(GO) not found: goro alone"; )\
	mkdir -p build/bench; \
	REPS=$(BENCH_REPS) TIMEOUT=$(BENCH_TIMEOUT) QEMU="$(QEMU)" \
		$(if $(strip $(BENCH_CASES)),CASES="$(BENCH_CASES)") \
		sh bench/run.sh $(GORO_BENCH) $(if $(GO_PATH),$(GO_BENCH)) >build/bench/raw.txt; \
	python3 bench/compare.py build/bench/raw.txt | tee build/bench/table.txt
bench-goro: $(GORO_BENCH)
	@$(need_qemu)
	@st=0; for p in 1 0; do \
		timeout $(BENCH_TIMEOUT) $(QEMU) $(GORO_BENCH) -procs $$p $(BENCH_CASES) || st=$$?; \
	done; exit $$st

# ---- Soak: check_stress for SOAK_SECONDS rather than seconds, outside CI.
SOAK_SECONDS ?= 600
soak: $(B)/tests/check_stress
	@$(need_qemu)
	GORO_STRESS_SECONDS=$(SOAK_SECONDS) CK_FORK=yes CK_DEFAULT_TIMEOUT=$$(($(SOAK_SECONDS) * 3 + 120)) \
		$(QEMU) $(B)/tests/check_stress

# ---- Valgrind: suites under memcheck, built with VALGRIND=1 so goroutine
# stacks are registered. Not the suites that assert on timing: valgrind runs
# about 50 times slower and serialises threads, so waits with deadlines
# (check_sync at procs=2) fail. Then examples with --leak-check=full and
# goro.supp: any leak but the runtime's own threads' TLS is an error.
MEMCHECK_TESTS ?= check_chan check_select check_badinput check_arch
MEMCHECK_LEAK_EXAMPLES ?= hello wordcount
memcheck:
	$(MAKE) VALGRIND=1 TESTS="$(MEMCHECK_TESTS)" memcheck-run memcheck-leaks
memcheck-leaks: $(addprefix $(B)/examples/,$(MEMCHECK_LEAK_EXAMPLES))
	@for e in $^; do echo "== $$e (leak check, goro.supp)"; \
		GORO_PROCS=2 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
			--suppressions=goro.supp --error-exitcode=9 $$e >/dev/null || exit 1; done
memcheck-run: $(TEST_BINS)
	@for t in $(TEST_BINS); do echo "== $$t"; \
		CK_FORK=yes CK_TIMEOUT_MULTIPLIER=20 valgrind -q --error-exitcode=9 $$t || exit 1; done

# ---- gdb: tools/goro-gdb.py on tests/gdb/target.c (tools/check-gdb.sh) ----
check-gdb: $(GDB_TARGET) $(GDB_SHARED)
	@$(need_qemu)
	@if [ -z "$(GDB_PATH)" ]; then echo "check-gdb: $(GDB) not found (make deps, or GDB=...)" >&2; exit 1; fi
	@QEMU="$(QEMU)" sh tools/check-gdb.sh $(GDB_TARGET) $(GDB) $(if $(GDB_SHARED),$(GDB_SHARED) $(SOLIB))

# ---- Tools ----
toolchain:
	@echo "ARCH      = $(ARCH)   (one of: $(ARCHS))"
	@echo "CC        = $(CC)   -> $(or $(CC_PATH),NOT FOUND) [$(CC_ORIGIN)]"
	@echo "CXX       = $(CXX)   (C++ tests: $(foreach f,$(CXX_FAMILIES),$(CXX_$(f)_$(ARCH));))"
	@echo "AR        = $(AR)   -> $(or $(AR_PATH),NOT FOUND)"
	@echo "NM        = $(NM)"
	@echo "OBJCOPY   = $(OBJCOPY)"
	@echo "QEMU      = $(or $(QEMU),(native))$(if $(QEMU),   -> $(or $(QEMU_PATH),NOT FOUND))"
	@echo "LDFLAGS   = $(ARCH_LDFLAGS) $(LDFLAGS)"
	@echo "ARCHFLAGS = $(ARCHFLAGS)"
	@echo "freestanding headers = $(if $(CC_PATH),$(shell $(CC) -print-file-name=include),?)"
	@echo "CHECK_CFLAGS = $(CHECK_CFLAGS)"
	@echo "CHECK_LIBS   = $(CHECK_LIBS)"
	@echo "TESTENV   = $(TESTENV)"

# Debian/Ubuntu packages, as root or through sudo: tools/deps.sh.
deps:
	@sh tools/deps.sh

clean:
	rm -rf build

-include $(FREE_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(PIC_OBJS:.o=.d) $(TEST_BINS:=.d) \
	$(EXAMPLES:=.d) $(GORO_BENCH).d $(NOLIBC_TEST).d $(GDB_TARGET).d
