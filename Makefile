# goro's one Makefile, in musl's manner: sources globbed per directory,
# objects under build/$(ARCH)/ mirroring the tree, no recursive make, one
# flags variable per domain. Toolchain per ARCH comes from toolchain.mk.
#
#   make [ARCH=amd64|arm64]   build/$(ARCH)/libgoro.a
#   make test [TESTS=check_x]  build and run tests/check_*.c, "N passed, M failed"
#   make check-freestanding    core/ and arch/ objects need only plat_* and mem*
#   make check-namespace       every global of libgoro.a is goro_* or plat_*
#   make demo                  build and run examples/*.c
#   make toolchain | deps | clean

.DEFAULT_GOAL := all
include toolchain.mk

B := build/$(ARCH)

CORE_SRCS := $(sort $(wildcard core/*.c))
ARCH_SRCS := $(sort $(wildcard arch/$(ARCH)/*.S arch/$(ARCH)/*.c))
HOST_SRCS := $(sort $(wildcard host/posix/*.c))
TEST_SRCS := $(sort $(wildcard tests/check_*.c))
EXAMPLE_SRCS := $(sort $(wildcard examples/*.c))

obj = $(patsubst %.c,$(B)/%.o,$(patsubst %.S,$(B)/%.o,$(1)))
FREE_OBJS := $(call obj,$(CORE_SRCS) $(ARCH_SRCS))
HOST_OBJS := $(call obj,$(HOST_SRCS))
LIB := $(B)/libgoro.a

ALL_TESTS := $(notdir $(TEST_SRCS:.c=))
TESTS ?= $(ALL_TESTS)
TEST_BINS := $(addprefix $(B)/tests/,$(TESTS))
EXAMPLES := $(addprefix $(B)/examples/,$(notdir $(EXAMPLE_SRCS:.c=)))

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
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Werror -std=c11 -Iinclude
CFLAGS_FREE = -ffreestanding -fno-builtin -nostdinc -isystem $(FREE_INC) \
	-fno-stack-protector -ftls-model=initial-exec -fno-omit-frame-pointer \
	-Icore -Iarch/$(ARCH) $(ARCHFLAGS)
CFLAGS_HOST := -D_GNU_SOURCE -pthread -Icore
CFLAGS_TEST = -D_GNU_SOURCE -pthread -Icore -Iarch/$(ARCH) $(CHECK_CFLAGS)
CFLAGS_APP := -D_GNU_SOURCE -pthread
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

$(LIB): $(FREE_OBJS) $(HOST_OBJS)
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

$(B)/examples/%: examples/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(CFLAGS_APP) $(CFLAGS) $(DEPFLAGS) -o $@ $< \
		$(LIB) -lpthread $(ARCH_LDFLAGS) $(LDFLAGS)

# An emulator is needed only to run, not to build.
need_qemu = if [ -n "$(QEMU)" ] && [ -z "$(QEMU_PATH)" ]; then \
	echo "$(QEMU) not found: needed to run ARCH=$(ARCH) binaries; run make deps" >&2; exit 1; fi

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

# core/ and arch/ may leave undefined only the platform interface and the
# four mem* functions; references between their own objects do not count.
check-freestanding: $(FREE_OBJS)
	@if [ -z "$(strip $(FREE_OBJS))" ]; then \
		echo "check-freestanding: no core/ or arch/$(ARCH)/ sources" >&2; exit 1; fi; \
	$(NM) -g --defined-only $(FREE_OBJS) | awk 'NF >= 3 { print $$3 }' | sort -u >$(B)/free.def; \
	$(NM) -u $(FREE_OBJS) | awk 'NF >= 2 { print $$2 }' | sort -u >$(B)/free.undef; \
	bad=$$(comm -23 $(B)/free.undef $(B)/free.def | \
		grep -Ev '^(plat_.*|memcpy|memmove|memset|memcmp|_GLOBAL_OFFSET_TABLE_)$$'); \
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
	@echo "AR        = $(AR)   -> $(or $(AR_PATH),NOT FOUND)"
	@echo "NM        = $(NM)"
	@echo "QEMU      = $(or $(QEMU),(native))$(if $(QEMU),   -> $(or $(QEMU_PATH),NOT FOUND))"
	@echo "LDFLAGS   = $(ARCH_LDFLAGS) $(LDFLAGS)"
	@echo "ARCHFLAGS = $(ARCHFLAGS)"
	@echo "freestanding headers = $(if $(CC_PATH),$(shell $(CC) -print-file-name=include),?)"
	@echo "CHECK_CFLAGS = $(CHECK_CFLAGS)"
	@echo "CHECK_LIBS   = $(CHECK_LIBS)"
	@echo "TESTENV   = $(TESTENV)"

# Debian/Ubuntu, as root or through sudo; a no-op when all are installed.
DEPS_PKGS := check pkg-config gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
	qemu-user golang-go check:arm64 libsubunit-dev:arm64
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
