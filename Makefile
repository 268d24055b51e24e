# goro's one Makefile, in musl's manner: sources globbed per directory,
# objects under build/$(ARCH)/ mirroring the tree, no recursive make, one
# flags variable per domain. Toolchain per ARCH comes from toolchain.mk.
#
#   make [ARCH=amd64|arm64]   build/$(ARCH)/libgoro.a
#   make test [TESTS=check_x]  build and run tests/check_*.c, "N passed, M failed"
#   make check-freestanding    core/ and arch/ objects need only plat_* and mem*
#   make check-namespace       every global of libgoro.a is goro_* or plat_*
#   make check-docs            core/HACKING.md's map names every core file (in make test)
#   make check-gdb             tools/goro-gdb.py in gdb batch mode (in make test when gdb exists)
#   make install | uninstall   [PREFIX=/usr/local DESTDIR=]; see "Install" below
#   make check-exports | check-header | check-install   (also below)
#   make test HOST=nolibc | PARK=condvar   other hosts and parks: toolchain.mk, nolibc section
#   make test LOCKRANK=1        every runtime lock checked against runtime2.h's lock order
#   make demo                  build and run examples/*.c and examples/*.cc
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
LIB := $(B)/libgoro.a

ALL_TESTS := $(notdir $(TEST_SRCS:.c=)) \
	$(foreach f,$(CXX_FAMILIES),$(addsuffix _$(f),$(notdir $(CXX_TEST_SRCS:.cc=))))
TESTS ?= $(ALL_TESTS)
TEST_BINS := $(addprefix $(B)/tests/,$(TESTS))
EXAMPLES := $(addprefix $(B)/examples/,$(notdir $(EXAMPLE_SRCS:.c=) $(EXAMPLE_CXX_SRCS:.cc=)))

# Seconds one test binary or one example may run before it counts as failed.
TEST_TIMEOUT ?= 600
DEMO_TIMEOUT ?= 120

# Global symbol prefixes libgoro.a may define (check-namespace).
NAMESPACE ?= goro_ plat_
space := $(subst ,, )

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
# Tests and examples keep frame pointers, as an application should for
# goroutine listings with every frame (README, Debugging).
CFLAGS_TEST = -D_GNU_SOURCE -pthread -fno-omit-frame-pointer -Icore -Icore/platform -Iarch/$(ARCH) $(CHECK_CFLAGS)
CFLAGS_APP := -D_GNU_SOURCE -pthread -fno-omit-frame-pointer
# C++ (goro.hpp): tests and examples; CXXFLAGS from the command line appended.
CXXFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -std=c++17 -Iinclude $(SANFLAGS)
CXXFLAGS_TEST = -D_GNU_SOURCE -pthread -fno-omit-frame-pointer $(CHECK_CFLAGS)
DEPFLAGS := -MMD -MP

ifneq ($(filter-out $(ALL_TESTS),$(TESTS)),)
$(error TESTS: no tests/$(firstword $(filter-out $(ALL_TESTS),$(TESTS))).c; have: $(or $(ALL_TESTS),none))
endif

.PHONY: all test demo check-freestanding check-namespace toolchain deps clean

all: $(LIB)

$(B)/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/arch/%.o: arch/%.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/arch/%.o: arch/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/host/%.o: host/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_HOST) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

# One relocatable object, its internal names made local: see "Install,
# shared library and link checks" below.
$(LIB): $(B)/goro.o
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# Symlinks, not intermediates: keep them.
.PRECIOUS: $(CHECK_INC_arm64)/%.h
$(CHECK_INC_arm64)/%.h: /usr/include/%.h
	@mkdir -p $(@D)
	ln -sf $< $@

$(B)/tests/%: tests/%.c $(LIB) | $(CHECK_LINKS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_TEST) $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(LIB) $(CHECK_LIBS) $(ARCH_LDFLAGS) $(LDFLAGS)

# check_timers drives time.c's internal API (addtimer, deltimer, modtimer),
# check_lockrank lock() and assertLockHeld, check_runq runq.c (runqput,
# runqsteal...), which libgoro.a keeps local:
# they link the objects themselves instead.
$(B)/tests/check_timers $(B)/tests/check_lockrank $(B)/tests/check_runq: $(B)/tests/%: tests/%.c $(FREE_OBJS) $(HOST_OBJS) | $(CHECK_LINKS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_TEST) $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(FREE_OBJS) $(HOST_OBJS) $(CHECK_LIBS) $(ARCH_LDFLAGS) $(LDFLAGS)

$(B)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)

# tests/check_x.cc: one binary per C++ compiler family, check_x_<family>.
define cxx_test_rule
$$(B)/tests/%_$(1): tests/%.cc $$(LIB) | $$(CHECK_LINKS)
	@mkdir -p $$(@D)
	$$(CXX_$(1)_$$(ARCH)) $$(CXXFLAGS_COMMON) $$(CXXFLAGS_TEST) $$(CXXFLAGS) $$(DEPFLAGS) -o $$@ $$< \
		$$(LIB) $$(CHECK_LIBS) $$(CXX_LIBS_$(1)_$$(ARCH)_$$(SANITIZE)) $$(ARCH_LDFLAGS) $$(LDFLAGS)
endef
$(foreach f,$(CXX_FAMILIES),$(eval $(call cxx_test_rule,$(f))))

$(B)/examples/%: examples/%.cc $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_COMMON) $(CFLAGS_APP) $(CXXFLAGS) $(DEPFLAGS) -o $@ $< \
		$(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)

# An emulator is needed only to run, not to build.
need_qemu = if [ -n "$(QEMU)" ] && [ -z "$(QEMU_PATH)" ]; then \
	echo "$(QEMU) not found: needed to run ARCH=$(ARCH) binaries; run make deps" >&2; exit 1; fi

# HOST=nolibc has no libc for Check: its `test` is in the nolibc section.
ifneq ($(HOST),nolibc)
# Runs every suite, even after one failed, then sums Check's
# "Checks: X, Failures: Y, Errors: Z" lines: passed += X-Y-Z, failed += Y+Z.
# A binary that exits non-zero without a failure in its summary (crash,
# timeout, no summary at all) counts as one more failure.
test: $(TEST_BINS)
	@$(need_qemu)
	@if [ -z "$(strip $(TEST_BINS))" ]; then \
		echo "make test: no tests: tests/check_*.c is empty" >&2; exit 1; fi; \
	passed=0; failed=0; broken=""; \
	for t in $(TEST_BINS); do \
		echo "== $$t"; \
		{ CK_FORK=yes $(TESTENV) timeout $(TEST_TIMEOUT) $(QEMU) $$t 2>&1; \
		  echo $$? >$$t.rc; } | tee $$t.log; \
		rc=$$(cat $$t.rc); f0=$$failed; \
		set -- $$(sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' $$t.log); \
		[ $$# -ge 3 ] || broken="$$broken $$(basename $$t)(no Check summary)"; \
		while [ $$# -ge 3 ]; do \
			passed=$$((passed + $$1 - $$2 - $$3)); failed=$$((failed + $$2 + $$3)); shift 3; \
		done; \
		if [ $$rc -ne 0 ] && [ $$failed -eq $$f0 ]; then \
			failed=$$((failed + 1)); broken="$$broken $$(basename $$t)(exit $$rc)"; fi; \
	done; \
	[ -z "$$broken" ] || echo "broken:$$broken"; \
	echo "$$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ] && [ -z "$$broken" ]
endif

demo: $(EXAMPLES)
	@$(need_qemu)
	@if [ -z "$(strip $(EXAMPLES))" ]; then \
		echo "make demo: no examples: examples/*.c is empty" >&2; exit 1; fi; \
	bad=""; \
	for e in $(EXAMPLES); do \
		echo "== $$e"; \
		timeout $(DEMO_TIMEOUT) $(QEMU) $$e || { \
			echo "$$e: exit $$?" >&2; bad="$$bad $$(basename $$e)"; }; \
	done; \
	if [ -n "$$bad" ]; then echo "demo failed:$$bad" >&2; exit 1; fi; \
	echo "demo: $(words $(EXAMPLES)) examples ran"

# core/HACKING.md's map names every core file (tools/check-docs.sh); cheap,
# so every `make test` runs it first.
.PHONY: check-docs
check-docs:
	@sh tools/check-docs.sh
test: check-docs

# core/ and arch/ may leave undefined only the platform interface and the
# four mem* functions; references between their own objects do not count.
check-freestanding: $(FREE_OBJS)
	@if [ -z "$(strip $(FREE_OBJS))" ]; then \
		echo "check-freestanding: no core/ or arch/$(ARCH)/ sources" >&2; exit 1; fi; \
	$(NM) -g --defined-only $(FREE_OBJS) | awk 'NF >= 3 { print $$3 }' | sort -u >$(B)/free.def; \
	$(NM) -u $(FREE_OBJS) | awk 'NF >= 2 { print $$2 }' | sort -u >$(B)/free.undef; \
	bad=$$(comm -23 $(B)/free.undef $(B)/free.def | \
		grep -Ev '^(plat_.*|memcpy|memmove|memset|memcmp|_GLOBAL_OFFSET_TABLE_|__st(art|op)_goro_text)$$'); \
	if [ -n "$$bad" ]; then \
		echo "check-freestanding: core/arch ($(ARCH)) need symbols outside the platform interface:" >&2; \
		for s in $$bad; do echo "  $$s (in: $$($(NM) -A -u $(FREE_OBJS) | \
			awk -v s=$$s '$$NF == s { sub(/:.*/, "", $$1); print $$1 }' | tr '\n' ' '))" >&2; done; \
		exit 1; fi; \
	echo "check-freestanding: ok ($(ARCH), $(words $(FREE_OBJS)) objects)"

# One link namespace: every global symbol libgoro.a defines has a prefix
# from $(NAMESPACE).
check-namespace: $(LIB)
	@bad=$$($(NM) -g --defined-only $(LIB) | awk 'NF >= 3 { print $$3 }' | sort -u | \
		grep -Ev '^($(subst $(space),|,$(strip $(NAMESPACE))))'); \
	if [ -n "$$bad" ]; then \
		echo "check-namespace: globals outside $(NAMESPACE):" >&2; \
		for s in $$bad; do echo "  $$s" >&2; done; exit 1; fi; \
	echo "check-namespace: ok ($(ARCH))"

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

# Debian/Ubuntu, as root or through sudo; a no-op when all are installed.
DEPS_PKGS := check pkg-config clang g++ gcc-aarch64-linux-gnu libc6-dev-arm64-cross gdb gdb-multiarch \
	qemu-user golang-go check:arm64 libsubunit-dev:arm64 g++-aarch64-linux-gnu cmake
deps:
	@st=$$(dpkg-query -W -f='$${db:Status-Abbrev}\n' $(DEPS_PKGS) 2>/dev/null) && \
	! printf '%s\n' "$$st" | grep -qv '^ii' && { echo "deps: all installed"; exit 0; }; \
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null; then sudo=sudo; \
	else echo "deps: need root or sudo" >&2; exit 1; fi; \
	set -x; \
	$$sudo dpkg --add-architecture arm64 && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS_PKGS)

clean:
	rm -rf build

-include $(FREE_OBJS:.o=.d) $(HOST_OBJS:.o=.d) $(TEST_BINS:=.d) $(EXAMPLES:=.d)

# ---- Benchmarks (bench/): goro's suite and its Go twin in bench/go ----
#   make bench         build both, run them interleaved REPS times at one P and
#                      at all CPUs (every case its own process), print the table
#   make bench-goro    the C side only, once per procs setting, raw BENCH lines
# BENCH_REPS, BENCH_CASES, BENCH_TIMEOUT tune `make bench`. Without Go the
# table shows goro alone. Nothing in `make test` depends on these.
GO ?= go
GO_PATH := $(shell command -v $(GO) 2>/dev/null)
BENCH_REPS ?= 3
BENCH_CASES ?=
BENCH_TIMEOUT ?= 300
GORO_BENCH := $(B)/bench/goro_bench
GO_BENCH := build/bench/go_bench
GO_BENCH_SRCS := $(wildcard bench/go/*.go) bench/go/go.mod
# Go builds offline, module mode, no dependencies; its cache moves under
# build/ when $HOME is not writable.
GO_BENCH_ENV = GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on GOWORK=off \
	$$( [ -w "$${HOME:-/nonexistent}" ] || echo GOCACHE=$(CURDIR)/build/bench/gocache )

.PHONY: bench bench-goro

$(GORO_BENCH): bench/goro_bench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)

$(GO_BENCH): $(GO_BENCH_SRCS)
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

-include $(GORO_BENCH).d

# ---- Install, shared library and link checks ----
#   make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
#                        include/goro.h and goro.hpp, libgoro.a, libgoro.so.$(GORO_VERSION)
#                        (soname libgoro.so.$(GORO_SOMAJOR)) with its two links,
#                        pkgconfig/goro.pc, cmake/goro/goroConfig{,Version}.cmake,
#                        share/goro/goro.supp (valgrind suppressions)
#   make uninstall       removes exactly those files
#   make check-exports   libgoro.so exports goro.h's functions and nothing else
#   make check-namespace (above) also links and runs an application that
#                        defines lock, unlock, schedule, throw, runqput, sched
#   make check-header    goro.h as C11/C17 and C++11/17/20, goro.hpp as C++17/20,
#                        -Wpedantic -Werror, gcc and clang; the C++ program links and runs
#   make check-install   install under build/, build examples/hello.c out of
#                        tree with pkg-config, static and shared, and tests/link/cmake
#                        through find_package(goro), static and shared, run, uninstall
#
# Both libraries hold one relocatable object: `cc -r` over the core, arch and
# host objects, then objcopy keeps global only the functions goro.h declares
# (plus a host's globals outside plat_*, such as a libc-free host's _start and
# mem*). core's short names (lock, throw, runqput, sched...) stay core's, and
# the .so's version script (goro.map) exports goro_* on top of that. The .so
# is built from -fPIC objects under $(B)/pic/; core keeps initial-exec TLS
# there too (static TLS, fine for a library linked at start-up).
GORO_VERSION := 0.2.0
GORO_SOMAJOR := 0
PREFIX ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DATADIR ?= $(PREFIX)/share
CMAKEDIR ?= $(LIBDIR)/cmake/goro
SUPPDIR ?= $(DATADIR)/goro
INSTALL ?= install
CXX_HEADER ?= g++ clang++
CC_HEADER ?= gcc clang

SONAME := libgoro.so.$(GORO_SOMAJOR)
SOLIB := $(B)/libgoro.so.$(GORO_VERSION)
SOLINKS := $(B)/$(SONAME) $(B)/libgoro.so
PIC_OBJS := $(patsubst $(B)/%,$(B)/pic/%,$(FREE_OBJS) $(HOST_OBJS))
# Files `make install` creates, relative to $(DESTDIR).
INSTALLED := $(INCLUDEDIR)/goro.h $(LIBDIR)/libgoro.a $(LIBDIR)/libgoro.so.$(GORO_VERSION) \
	$(LIBDIR)/$(SONAME) $(LIBDIR)/libgoro.so $(PKGCONFIGDIR)/goro.pc \
	$(DATADIR)/goro/goro-gdb.py $(LIBDIR)/libgoro.so.$(GORO_VERSION)-gdb.py \
	$(INCLUDEDIR)/goro.hpp $(CMAKEDIR)/goroConfig.cmake $(CMAKEDIR)/goroConfigVersion.cmake \
	$(SUPPDIR)/goro.supp

.PHONY: shared install uninstall check-exports check-namespace-app check-header check-install

# libgoro.so needs a host that lives with libc (posix); HOST=nolibc is static.
all: $(if $(filter nolibc,$(HOST)),,shared)
shared: $(SOLIB) $(SOLINKS)

# The public API: every goro_* function goro.h declares.
$(B)/goro.api: include/goro.h
	@mkdir -p $(@D)
	grep -oE '\bgoro_[a-z0-9_]+[[:space:]]*\(' $< | sed 's/[[:space:]]*($$//' | sort -u >$@

# $(call relocatable,core+arch objects,host objects): link them into $@ and
# localise every global but the API and the host's own non-plat_ globals.
# core's and arch's code moves to a section of its own, goro_text, whose
# bounds (the linker's __start_goro_text, __stop_goro_text) tell a
# traceback the runtime's frames from the application's (Go's showframe).
relocatable = $(CC) $(CFLAGS) -r -nostdlib -o $@.free $(1) && \
	$(OBJCOPY) --rename-section .text=goro_text --rename-section .text.unlikely=goro_text $@.free && \
	$(CC) $(CFLAGS) -r -nostdlib -o $@.r $@.free $(2) && rm -f $@.free && \
	{ cat $(B)/goro.api; $(if $(strip $(2)),$(NM) -g --defined-only $(2) | \
	  awk 'NF >= 3 && $$3 !~ /^plat_/ { print $$3 }';) } | sort -u >$@.keep && \
	$(OBJCOPY) --keep-global-symbols=$@.keep $@.r $@ && rm -f $@.r

$(B)/goro.o: $(FREE_OBJS) $(HOST_OBJS) $(B)/goro.api
	$(call relocatable,$(FREE_OBJS),$(HOST_OBJS))

$(B)/pic/goro.o: $(PIC_OBJS) $(B)/goro.api
	$(call relocatable,$(filter-out $(B)/pic/host/%,$(PIC_OBJS)),$(filter $(B)/pic/host/%,$(PIC_OBJS)))

$(B)/pic/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) -fPIC $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/pic/arch/%.o: arch/%.S
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) -fPIC $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/pic/arch/%.o: arch/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_FREE) -fPIC $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/pic/host/%.o: host/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_HOST) -fPIC $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

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

install: $(LIB) $(SOLIB)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -m 644 include/goro.h $(DESTDIR)$(INCLUDEDIR)/goro.h
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libgoro.a
	$(INSTALL) -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libgoro.so.$(GORO_VERSION)
	ln -sf libgoro.so.$(GORO_VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libgoro.so
	sed -e 's|@prefix@|$(PREFIX)|' -e 's|@version@|$(GORO_VERSION)|' \
		-e 's|@libdir@|$(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))|' \
		-e 's|@includedir@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		goro.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/goro.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/goro.pc
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/goro
	$(INSTALL) -m 644 tools/goro-gdb.py $(DESTDIR)$(DATADIR)/goro/goro-gdb.py
	$(INSTALL) -m 644 tools/goro-gdb.py $(DESTDIR)$(LIBDIR)/libgoro.so.$(GORO_VERSION)-gdb.py
	$(INSTALL) -d $(DESTDIR)$(CMAKEDIR) $(DESTDIR)$(SUPPDIR)
	$(INSTALL) -m 644 include/goro.hpp $(DESTDIR)$(INCLUDEDIR)/goro.hpp
	sed -e 's|@version@|$(GORO_VERSION)|' -e 's|@soname@|$(SONAME)|' \
		-e "s|@libdir_rel@|$$(realpath -m --relative-to=$(CMAKEDIR) $(LIBDIR))|" \
		-e "s|@includedir_rel@|$$(realpath -m --relative-to=$(CMAKEDIR) $(INCLUDEDIR))|" \
		cmake/goroConfig.cmake.in >$(DESTDIR)$(CMAKEDIR)/goroConfig.cmake
	sed -e 's|@version@|$(GORO_VERSION)|' cmake/goroConfigVersion.cmake.in \
		>$(DESTDIR)$(CMAKEDIR)/goroConfigVersion.cmake
	chmod 644 $(DESTDIR)$(CMAKEDIR)/goroConfig.cmake $(DESTDIR)$(CMAKEDIR)/goroConfigVersion.cmake
	$(INSTALL) -m 644 goro.supp $(DESTDIR)$(SUPPDIR)/goro.supp

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# Exported = declared: nothing outside goro_*, nothing goro.h does not
# declare, nothing goro.h declares missing; the soname; no text relocations.
check-exports: $(SOLIB) $(B)/goro.api
	@$(NM) -D --defined-only $(SOLIB) | awk 'NF >= 3 { sub(/@.*/, "", $$3); print $$3 }' | \
		sort -u >$(B)/goro.exports; \
	fail=0; \
	bad=$$(grep -v '^goro_' $(B)/goro.exports); \
	[ -z "$$bad" ] || { fail=1; echo "check-exports: $(SOLIB) exports symbols outside goro_*:" >&2; \
		printf '  %s\n' $$bad >&2; }; \
	bad=$$(comm -23 $(B)/goro.exports $(B)/goro.api | grep '^goro_'); \
	[ -z "$$bad" ] || { fail=1; echo "check-exports: exported but not declared in goro.h:" >&2; \
		printf '  %s\n' $$bad >&2; }; \
	bad=$$(comm -13 $(B)/goro.exports $(B)/goro.api); \
	[ -z "$$bad" ] || { fail=1; echo "check-exports: declared in goro.h but not exported:" >&2; \
		printf '  %s\n' $$bad >&2; }; \
	readelf -d $(SOLIB) | grep -q 'Library soname: \[$(SONAME)\]' || { fail=1; \
		echo "check-exports: $(SOLIB) has no soname $(SONAME)" >&2; }; \
	! readelf -d $(SOLIB) | grep -q TEXTREL || { fail=1; \
		echo "check-exports: $(SOLIB) has text relocations" >&2; }; \
	[ $$fail -eq 0 ] && echo "check-exports: ok ($(ARCH), $$(wc -l <$(B)/goro.exports) symbols, soname $(SONAME))"

# The application with core's short names, linked statically and (natively;
# qemu-aarch64 hangs on dynamic threaded programs) against libgoro.so.
check-namespace: check-namespace-app
check-namespace-app: $(B)/link/namespace $(if $(QEMU),,$(B)/link/namespace-shared)
	@$(need_qemu)
	$(QEMU) $(B)/link/namespace
	$(if $(QEMU),,LD_LIBRARY_PATH=$(B) $(B)/link/namespace-shared)

$(B)/link/namespace: tests/link/namespace.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) -o $@ $< $(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)

$(B)/link/namespace-shared: tests/link/namespace.c $(SOLIB) $(SOLINKS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) -o $@ $< -L$(B) -lgoro -lpthread $(LDFLAGS)

# goro.h under every compiler and standard it promises, warnings as errors,
# and goro.hpp (through a program that instantiates most of it) as C++17/20;
# then (natively) the C++ program linked by each C++ compiler and run.
HEADER_WFLAGS := -Wall -Wextra -Wpedantic -Werror -Iinclude
check-header: $(if $(QEMU),,$(LIB))
	@set -e; mkdir -p $(B)/link; \
	for cc in $(CC_HEADER); do for std in c11 c17; do \
		echo "  $$cc -std=$$std"; $$cc -std=$$std $(HEADER_WFLAGS) -c -o /dev/null tests/link/header.c; \
	done; done; \
	for cxx in $(CXX_HEADER); do for std in c++11 c++17 c++20; do \
		echo "  $$cxx -std=$$std"; $$cxx -std=$$std $(HEADER_WFLAGS) -c -o /dev/null tests/link/header.cc; \
	done; done; \
	for cxx in $(CXX_HEADER); do for std in c++17 c++20; do \
		echo "  $$cxx -std=$$std goro.hpp"; \
		$$cxx -std=$$std $(HEADER_WFLAGS) -c -o /dev/null tests/link/cmake/pingpong.cc; \
	done; done; \
	$(if $(QEMU),echo "check-header: not linking the C++ program for ARCH=$(ARCH)";,\
	for cxx in $(CXX_HEADER); do \
		$$cxx -std=c++11 $(HEADER_WFLAGS) -pthread -o $(B)/link/header-$$cxx tests/link/header.cc $(LIB) -lpthread; \
		$(B)/link/header-$$cxx; \
	done;) \
	echo "check-header: ok ($(CC_HEADER); $(CXX_HEADER))"

# Install into a DESTDIR under build/, build examples/hello.c from a copy
# outside the tree with nothing but pkg-config's flags (PKG_CONFIG_SYSROOT_DIR
# maps the installed paths into DESTDIR), statically and against the .so, run
# both, uninstall, and check that nothing is left.
CHECK_INSTALL := $(B)/check-install
# The CMake package: tests/link/cmake (a C and a C++ program) copied out of
# the tree, found through find_package(goro 0.2) on CMAKE_PREFIX_PATH, built
# against the static library (goro_USE_STATIC=ON) and the shared one, and
# run (under qemu, the static build only, linked -static).
CMAKE ?= cmake
CMAKE_CROSS := $(if $(QEMU),-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=$(shell $(CC) -dumpmachine | cut -d- -f1))
check_install_cmake = \
	for f in include/goro.hpp lib/cmake/goro/goroConfig.cmake lib/cmake/goro/goroConfigVersion.cmake \
		share/goro/goro.supp; do \
		[ -f $$d/dest$(CHECK_INSTALL_PREFIX)/$$f ] || { echo "check-install: $$f not installed" >&2; exit 1; }; done; \
	cp -R tests/link/cmake $$d/cmake-src; cp examples/hello.c $$d/cmake-src/; \
	for kind in static shared; do \
		b=$$d/cmake-$$kind; static=$$([ $$kind = static ] && echo ON || echo OFF); \
		echo "  cmake: find_package(goro 0.2), goro_USE_STATIC=$$static: hello, pingpong_cxx"; \
		{ $(CMAKE) -S $$d/cmake-src -B $$b -DCMAKE_PREFIX_PATH=$$d/dest$(CHECK_INSTALL_PREFIX) \
			-Dgoro_USE_STATIC=$$static $(CMAKE_CROSS) \
			-DCMAKE_C_COMPILER=$(firstword $(CC)) -DCMAKE_CXX_COMPILER=$(firstword $(CXX)) \
			"-DCMAKE_CXX_FLAGS=$(wordlist 2,99,$(CXX))" \
			"-DCMAKE_EXE_LINKER_FLAGS=$$([ $$kind = static ] && echo $(ARCH_LDFLAGS))" && \
		  $(CMAKE) --build $$b; } >$$b.log 2>&1 || { cat $$b.log >&2; \
			echo "check-install: the CMake project failed ($$kind): $$b.log" >&2; exit 1; }; \
		for e in hello pingpong_cxx; do \
			if [ $$kind = shared ]; then \
				readelf -d $$b/$$e | grep -q 'NEEDED.*\[$(SONAME)\]' || { \
					echo "check-install: cmake $$e (shared) does not need $(SONAME)" >&2; exit 1; }; \
				$(if $(QEMU),:,$$b/$$e >/dev/null) || { echo "check-install: cmake $$e (shared) failed" >&2; exit 1; }; \
			else \
				! readelf -d $$b/$$e | grep -q 'NEEDED.*libgoro' || { \
					echo "check-install: cmake $$e (static) needs libgoro.so" >&2; exit 1; }; \
				$(QEMU) $$b/$$e >/dev/null || { echo "check-install: cmake $$e (static) failed" >&2; exit 1; }; \
			fi; \
		done; \
	done;
CHECK_INSTALL_PREFIX := /opt/goro
check-install: $(LIB) $(SOLIB)
	@$(need_qemu)
	@set -e; d=$(CURDIR)/$(CHECK_INSTALL); rm -rf $$d; mkdir -p $$d/src; \
	iv="PREFIX=$(CHECK_INSTALL_PREFIX) DESTDIR=$$d/dest INCLUDEDIR=$(CHECK_INSTALL_PREFIX)/include \
		LIBDIR=$(CHECK_INSTALL_PREFIX)/lib PKGCONFIGDIR=$(CHECK_INSTALL_PREFIX)/lib/pkgconfig"; \
	$(MAKE) --no-print-directory install $$iv; \
	lib=$$d/dest$(CHECK_INSTALL_PREFIX)/lib; \
	for f in include/goro.h lib/libgoro.a lib/libgoro.so.$(GORO_VERSION) lib/pkgconfig/goro.pc \
		share/goro/goro-gdb.py lib/libgoro.so.$(GORO_VERSION)-gdb.py; do \
		[ -f $$d/dest$(CHECK_INSTALL_PREFIX)/$$f ] || { echo "check-install: $$f not installed" >&2; exit 1; }; done; \
	[ "$$(readlink $$lib/$(SONAME))" = libgoro.so.$(GORO_VERSION) ] && \
	[ "$$(readlink $$lib/libgoro.so)" = $(SONAME) ] || { echo "check-install: bad .so links" >&2; exit 1; }; \
	export PKG_CONFIG_PATH=$$lib/pkgconfig PKG_CONFIG_LIBDIR=$$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$$d/dest; \
	pkg-config --modversion goro | grep -qx '$(GORO_VERSION)'; \
	echo "  pkg-config --cflags --libs goro: $$(pkg-config --cflags --libs goro)"; \
	cp examples/hello.c $$d/src/; cd $$d/src; \
	echo "  $(CC) -static: hello-static"; \
	$(CC) -O2 -o hello-static hello.c $$(pkg-config --cflags goro) -static $$(pkg-config --static --libs goro); \
	echo "  $(CC): hello-shared"; \
	$(CC) -O2 -o hello-shared hello.c $$(pkg-config --cflags --libs goro); \
	readelf -d hello-shared | grep -q 'NEEDED.*\[$(SONAME)\]' || { echo "check-install: hello-shared does not need $(SONAME)" >&2; exit 1; }; \
	! readelf -d hello-static | grep -q 'NEEDED.*libgoro' || { echo "check-install: hello-static needs libgoro.so" >&2; exit 1; }; \
	$(QEMU) ./hello-static >/dev/null; \
	$(if $(QEMU),echo "  (not running hello-shared under $(QEMU))";,LD_LIBRARY_PATH=$$lib ./hello-shared >/dev/null;) \
	cd $(CURDIR); $(check_install_cmake) \
	$(MAKE) --no-print-directory uninstall $$iv; \
	left=$$(find $$d/dest ! -type d); \
	[ -z "$$left" ] || { echo "check-install: uninstall left:" $$left >&2; exit 1; }; \
	echo "check-install: ok ($(ARCH): installed; pkg-config and CMake builds: static ran, shared $(if $(QEMU),built,ran); uninstalled)"

-include $(PIC_OBJS:.o=.d)

# ---- The libc-free host, HOST=nolibc ----
#   make test HOST=nolibc [ARCH=arm64]   build tests/nolibc/nolibc_test.c with
#       core, arch and host/nolibc only (-nostdlib -ffreestanding -static),
#       prove with nm that no libc got in, run it (qemu-aarch64 for arm64)
# host/nolibc compiles like core (freestanding, no libc headers) plus
# -fno-tree-loop-distribute-patterns, so that gcc cannot turn string.c's
# loops back into calls to memcpy and memset themselves. The host table
# (HOST, PARK, VARIANT) is in toolchain.mk.
CFLAGS_NOLIBC = $(CFLAGS_FREESTANDING) -fno-tree-loop-distribute-patterns -Icore/platform -Ihost/nolibc
LDFLAGS_NOLIBC := -nostdlib -static -no-pie
NOLIBC_TEST := $(B)/tests/nolibc/nolibc_test
# Names that would betray libc (or libpthread) in the binary.
NOLIBC_LIBC_SYMS := malloc|free|calloc|realloc|printf|fprintf|puts|abort|exit|_exit|errno|__errno_location|__libc_.*|pthread_.*

$(B)/host/nolibc/%.o: host/nolibc/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_NOLIBC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(NOLIBC_TEST): tests/nolibc/nolibc_test.c $(FREE_OBJS) $(HOST_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_NOLIBC) -Icore -fno-pie $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(FREE_OBJS) $(HOST_OBJS) $(LDFLAGS_NOLIBC) $(LDFLAGS)
	@u=$$($(NM) -u $@); if [ -n "$$u" ]; then rm -f $@; \
		echo "nolibc: $@ has undefined symbols:" $$u >&2; exit 1; fi; \
	l=$$($(NM) $@ | awk '{ print $$NF }' | grep -Ex '$(NOLIBC_LIBC_SYMS)' | tr '\n' ' '); \
	if [ -n "$$l" ]; then rm -f $@; echo "nolibc: libc symbols in $@: $$l" >&2; exit 1; fi; \
	echo "nolibc: $@: no undefined symbols, no libc symbols"

ifeq ($(HOST),nolibc)
# The program prints its own "N passed, M failed" last; it must say 0 failed
# and exit 0.
test: $(NOLIBC_TEST)
	@$(need_qemu)
	@echo "== $<"; \
	{ timeout $(TEST_TIMEOUT) $(QEMU) $< 2>&1; echo $$? >$<.rc; } | tee $<.log; \
	rc=$$(cat $<.rc); last=$$(tail -n 1 $<.log); \
	if [ $$rc -ne 0 ] || ! echo "$$last" | grep -Eqx '[0-9]+ passed, 0 failed'; then \
		echo "make test HOST=nolibc: exit $$rc, last line: $$last" >&2; exit 1; fi
endif

-include $(NOLIBC_TEST).d

# ---- Soak: check_stress for minutes ----
# The randomized stress suite for minutes rather than seconds, outside CI:
# make soak [ARCH=arm64] [SOAK_SECONDS=600]. It prints its seed first.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: $(B)/tests/check_stress
	@$(need_qemu)
	GORO_STRESS_SECONDS=$(SOAK_SECONDS) CK_FORK=yes CK_DEFAULT_TIMEOUT=$$(($(SOAK_SECONDS) * 3 + 120)) \
		$(QEMU) $(B)/tests/check_stress


# ---- Valgrind: suites under memcheck ----
# make memcheck [MEMCHECK_TESTS=...]: suites under valgrind's memcheck, built
# with VALGRIND=1 so goroutine stacks are registered. Suites that assert on
# timing are left out by default: valgrind runs about 50 times slower and
# serialises threads, so waits with deadlines (check_sync at procs=2) fail.
MEMCHECK_TESTS ?= check_chan check_select check_badinput check_arch
# Then examples with --leak-check=full and goro.supp, the suppressions make
# install ships: any leak but the runtime's own threads' TLS is an error.
MEMCHECK_LEAK_EXAMPLES ?= hello wordcount
.PHONY: memcheck memcheck-run memcheck-leaks
memcheck:
	$(MAKE) VALGRIND=1 TESTS="$(MEMCHECK_TESTS)" memcheck-run memcheck-leaks
memcheck-leaks: $(addprefix $(B)/examples/,$(MEMCHECK_LEAK_EXAMPLES))
	@for e in $^; do echo "== $$e (leak check, goro.supp)"; \
		GORO_PROCS=2 valgrind -q --leak-check=full --errors-for-leak-kinds=definite,possible \
			--suppressions=goro.supp --error-exitcode=9 $$e >/dev/null || exit 1; done
memcheck-run: $(TEST_BINS)
	@for t in $(TEST_BINS); do echo "== $$t"; \
		CK_FORK=yes CK_TIMEOUT_MULTIPLIER=20 valgrind -q --error-exitcode=9 $$t || exit 1; done

# ---- gdb: goroutines in the debugger (tools/goro-gdb.py) ----
#   make check-gdb [ARCH=arm64]   tools/check-gdb.sh: gdb in batch mode on
#       tests/gdb/target.c stopped at a known state, on the live process and
#       on a core dump of it (arm64: under qemu-aarch64 -g, with
#       gdb-multiarch). `make test` runs it when that gdb is installed
#       (not for sanitizer or valgrind builds, whose runtimes fight ptrace).
GDB_amd64 = gdb
GDB_arm64 = gdb-multiarch
GDB ?= $(GDB_$(ARCH))
GDB_PATH := $(shell command -v $(GDB) 2>/dev/null)
GDB_TARGET := $(B)/tests/gdb/target
# Natively, also the auto-load beside libgoro.so (qemu-aarch64 can't run
# the dynamically linked program).
GDB_SHARED := $(if $(QEMU)$(filter nolibc,$(HOST)),,$(B)/tests/gdb/target-shared)
.PHONY: check-gdb
check-gdb: $(GDB_TARGET) $(GDB_SHARED)
	@$(need_qemu)
	@if [ -z "$(GDB_PATH)" ]; then echo "check-gdb: $(GDB) not found (make deps, or GDB=...)" >&2; exit 1; fi
	@QEMU="$(QEMU)" sh tools/check-gdb.sh $(GDB_TARGET) $(GDB) $(if $(GDB_SHARED),$(GDB_SHARED) $(SOLIB))

$(B)/tests/gdb/target-shared: tests/gdb/target.c $(SOLIB) $(SOLINKS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) -o $@ $< -L$(B) -lgoro -lpthread $(LDFLAGS)
ifneq ($(GDB_PATH),)
ifeq ($(HOST)$(SANITIZE)$(VALGRIND),posix)
test: check-gdb
endif
endif
-include $(GDB_TARGET).d
