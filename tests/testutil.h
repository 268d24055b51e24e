/* Helpers shared by the Check suites: thread ids, bounded waits that yield,
 * a lock-free set of OS thread ids, busy work the compiler cannot remove.
 * Header-only (static functions); every suite is its own program. */
#ifndef GORO_TESTUTIL_H
#define GORO_TESTUTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <check.h>

#include "goro.h"

/* Under qemu-aarch64 everything is several times slower: scale the heaviest
 * counts with this (TEST_SCALE(native, arm64)). */
#ifdef __aarch64__
#define TEST_SCALE(native, arm64) (arm64)
#else
#define TEST_SCALE(native, arm64) (native)
#endif

/* How long a waiting loop may take before the test fails rather than hangs;
 * below the per-tcase Check timeouts so the failure message is ours. */
#define TEST_WAIT_NS (50LL * 1000 * 1000 * 1000)

static inline long test_gettid(void)
{
	return (long)syscall(SYS_gettid);
}

/* Spin with goro_yield until *v >= target or TEST_WAIT_NS pass. Returns
 * whether the target was reached. Runs on a goroutine. */
static inline bool test_wait_atleast(atomic_long *v, long target)
{
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	for (unsigned long i = 0;; i++) {
		/* load-acquire: pairs with the workers' increments, so what they
		 * wrote before counting is visible once the target is seen */
		if (atomic_load_explicit(v, memory_order_acquire) >= target)
			return true;
		if ((i & 63) == 0 && goro_now() > deadline)
			return false;
		goro_yield();
	}
}

static inline bool test_wait_flag(atomic_int *f)
{
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	for (unsigned long i = 0;; i++) {
		if (atomic_load_explicit(f, memory_order_acquire) != 0)
			return true;
		if ((i & 63) == 0 && goro_now() > deadline)
			return false;
		goro_yield();
	}
}

/* Burn roughly n iterations of CPU without a syscall or a yield. */
static inline void test_spin(long n)
{
	volatile long sink = 0;
	for (long i = 0; i < n; i++)
		sink += i;
	(void)sink;
}

/* A set of OS thread ids, filled concurrently from any goroutine. */
#define TEST_TIDSET_CAP 256
typedef struct test_tidset {
	atomic_long slot[TEST_TIDSET_CAP];  /* 0: free; CAS claims a slot */
} test_tidset;

static inline void test_tidset_add(test_tidset *s, long tid)
{
	for (int i = 0; i < TEST_TIDSET_CAP; i++) {
		long cur = atomic_load_explicit(&s->slot[i], memory_order_relaxed);
		if (cur == tid)
			return;
		if (cur == 0) {
			long expect = 0;
			/* relaxed: only the set's contents matter, read after a join */
			if (atomic_compare_exchange_strong_explicit(&s->slot[i], &expect,
			        tid, memory_order_relaxed, memory_order_relaxed))
				return;
			if (expect == tid)
				return;
		}
	}
}

static inline int test_tidset_count(test_tidset *s)
{
	int n = 0;
	for (int i = 0; i < TEST_TIDSET_CAP; i++)
		if (atomic_load_explicit(&s->slot[i], memory_order_relaxed) != 0)
			n++;
	return n;
}

/* Run one suite in Check's default (fork) mode; exit status for main(). */
static inline int test_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
