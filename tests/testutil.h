/* Helpers shared by the Check suites: a test whose body is goro_main's main
 * (GORO_TEST), thread ids, bounded waits that yield, done channels, a
 * lock-free set of OS thread ids, busy work the compiler cannot remove,
 * goro_main run in a child process. Header-only (static functions); every
 * suite is its own program. */
#ifndef GORO_TESTUTIL_H
#define GORO_TESTUTIL_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "goro.h"

/* Under qemu-aarch64 everything is several times slower, and so is every
 * goroutine switch under TSan (a fiber switch each): scale the heaviest
 * counts with this (TEST_SCALE(native, arm64)). */
#ifdef GORO_TSAN   /* the build's sanitizer switch (toolchain.mk) */
#define TEST_TSAN 1
#endif
#if defined(__aarch64__) || defined(TEST_TSAN)
#define TEST_SCALE(native, arm64) (arm64)
#else
#define TEST_SCALE(native, arm64) (native)
#endif

/* Nanoseconds in a millisecond, for goro_sleep, timeouts and deadlines. */
#define MS GORO_MILLISECOND

/* GORO_TEST(Name, nprocs) { ... return 0; }: the Check test Name, whose body
 * runs as goro_main's main goroutine on nprocs Ps (0: as a NULL config,
 * GORO_PROCS or the CPUs) and returns goro_main's result, which must be 0.
 * Check's loop index _i is in scope in nprocs and in the body, for
 * tcase_add_loop_test. GORO_TEST_CFG(Name, .procs = 2, .stack_size = ...)
 * takes the whole goro_config initializer. */
#define GORO_TEST(name, nprocs) GORO_TEST_CFG(name, .procs = (nprocs))
#define GORO_TEST_CFG(name, ...)                                                \
	static int name##_main(int _i __attribute__((unused)));                 \
	static int name##_goro(void *test_arg)                                  \
	{                                                                       \
		return name##_main(*(const int *)test_arg);                     \
	}                                                                       \
	START_TEST(name)                                                        \
	{                                                                       \
		goro_config test_cfg = { __VA_ARGS__ };                         \
		int test_loop_i = _i;                                           \
		ck_assert_int_eq(goro_main(&test_cfg, name##_goro, &test_loop_i), 0); \
	}                                                                       \
	END_TEST                                                                \
	static int name##_main(int _i __attribute__((unused)))

/* goro_main(fn) on procs Ps, which must return 0: for a test that does
 * work on its own thread first, or whose main two tests share. */
static inline void test_run(int procs, int (*fn)(void *))
{
	goro_config cfg = { .procs = procs };
	ck_assert_int_eq(goro_main(&cfg, fn, NULL), 0);
}

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

/* A done channel (of int): each worker sends one, the waiter receives n.
 * Runs on a goroutine or a thread of the program's own. */
static inline void test_wait_done(goro_chan *done, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(goro_chan_recv(done, NULL), GORO_OK);
}

static inline void test_signal_done(goro_chan *done)
{
	int one = 1;
	ck_assert_int_eq(goro_chan_send(done, &one), GORO_OK);
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

/* ---- goro_main in a child process (Go's crash_test.go / testprog
 * pattern), for fatal paths and for what a program writes to stderr ---- */

/* How long a child may take before it counts as hung (and is killed). */
#define TEST_CHILD_DEADLINE_MS TEST_SCALE(30 * 1000, 90 * 1000)

/* Exit statuses of a child whose goro_main returned: main_fn's result
 * (0..98) plus 100, so none is confused with the runtime's fatal 2 or a
 * sanitizer's 1; any other result exits 100 + TEST_CHILD_BADMAIN. */
enum { TEST_CHILD_RETURNED = 100, TEST_CHILD_BADMAIN = 99 };

typedef struct test_child {
	int  status;        /* from waitpid */
	bool hung;          /* killed at the deadline */
	char err[1 << 16];  /* its stderr, up to the size (schedtrace is long) */
	char first[512];    /* its first stderr line, without the newline */
	char id[32];        /* what it reported through test_child_report_id, if anything */
} test_child;

/* In the child: where test_child_report_id writes. */
static int test_child_id_fd = -1;

/* In the child, before it faults: tell the parent goro_id(), so the fatal
 * line can be checked to name this goroutine. */
static inline void test_child_report_id(void)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%llu\n", (unsigned long long)goro_id());
	if (write(test_child_id_fd, line, (size_t)n) != n)
		_exit(4);
	close(test_child_id_fd);
}

static inline int64_t test_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read fd until EOF, a full buf or the deadline; NUL-terminates. */
static inline size_t test_read_all(int fd, char *buf, size_t cap, int64_t deadline_ms)
{
	size_t n = 0;
	while (n < cap - 1) {
		int64_t now_ms = test_mono_ms();
		if (now_ms >= deadline_ms)
			break;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)(deadline_ms - now_ms));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		ssize_t k = read(fd, buf + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
	return n;
}

/* Fork; in the child call before_main if any (setenv, or start a thread of
 * the program's own), then goro_main(procs, fn, NULL) with stderr on a
 * pipe. Everything about the child lands in *c. */
static inline void test_run_child(int procs, int (*fn)(void *), void (*before_main)(void),
                                  test_child *c)
{
	int errp[2], idp[2];
	memset(c, 0, sizeof *c);
	ck_assert_int_eq(pipe(errp), 0);
	ck_assert_int_eq(pipe(idp), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);   /* a child that faults: no core file */
		close(errp[0]);
		close(idp[0]);
		dup2(errp[1], 2);
		close(errp[1]);
		test_child_id_fd = idp[1];
		if (before_main != NULL)
			before_main();
		goro_config cfg = { .procs = procs };
		int r = goro_main(&cfg, fn, NULL);
		_exit(TEST_CHILD_RETURNED + (r >= 0 && r < TEST_CHILD_BADMAIN ? r : TEST_CHILD_BADMAIN));
	}
	close(errp[1]);
	close(idp[1]);

	int64_t deadline_ms = test_mono_ms() + TEST_CHILD_DEADLINE_MS;
	/* stderr first: it reaches EOF when the child dies (its id pipe is
	 * written, if at all, before the fault, so it cannot fill up); once it
	 * is closed, a child writing more than err holds fails, not blocks */
	test_read_all(errp[0], c->err, sizeof c->err, deadline_ms);
	/* the id pipe has data or EOF by now; a 1 ms deadline could lapse
	 * before the first poll on a loaded machine */
	test_read_all(idp[0], c->id, sizeof c->id, test_mono_ms() + 1000);
	close(errp[0]);
	close(idp[0]);

	pid_t w;
	while ((w = waitpid(pid, &c->status, WNOHANG)) == 0) {
		if (test_mono_ms() > deadline_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &c->status, 0);
			c->hung = true;
			break;
		}
		usleep(10000);
	}
	ck_assert(c->hung || w == pid);

	size_t k = strcspn(c->err, "\n");
	if (k >= sizeof c->first)
		k = sizeof c->first - 1;
	memcpy(c->first, c->err, k);
	c->first[k] = '\0';
	c->id[strcspn(c->id, "\n")] = '\0';
}

/* main_fn's result if the child's goro_main returned; -1 if it hung, died
 * of a signal or exited otherwise (a fatal error: 2). */
static inline int test_child_result(const test_child *c)
{
	if (c->hung || !WIFEXITED(c->status) || WEXITSTATUS(c->status) < TEST_CHILD_RETURNED)
		return -1;
	return WEXITSTATUS(c->status) - TEST_CHILD_RETURNED;
}

/* How the child ended, for failure messages. */
static inline const char *test_child_describe(const test_child *c, char *buf, size_t n)
{
	if (c->hung)
		snprintf(buf, n, "hung (killed after %d ms)", TEST_CHILD_DEADLINE_MS);
	else if (WIFEXITED(c->status))
		snprintf(buf, n, "exit %d", WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status))
		snprintf(buf, n, "killed by signal %d", WTERMSIG(c->status));
	else
		snprintf(buf, n, "status %#x", c->status);
	return buf;
}

/* The child exited with code (2: the runtime's fatal error). */
static inline void test_expect_exit(const test_child *c, int code)
{
	char d[64];
	ck_assert_msg(!c->hung && WIFEXITED(c->status) && WEXITSTATUS(c->status) == code,
	              "child: %s, want exit %d; stderr:\n%s", test_child_describe(c, d, sizeof d), code, c->err);
}

/* A before_main for test_run_child: GORO_DEBUG=strict=1, misuse is fatal. */
static inline void test_set_strict(void)
{
	setenv("GORO_DEBUG", "strict=1", 1);
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
