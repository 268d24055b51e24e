/* Goroutine stack tests: a goroutine may use most of its stack (default and
 * configured sizes), 100,000 goroutines are alive at once, and overflowing a
 * stack is a fatal error (exit 2, one "goro: fatal error:" line naming the G).
 * Pairs with core/stack.c (Go's stack.go: stackalloc/stackfree, gfput/gfget). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

/* ---- TestStackDeep: recursion touching ~48 KiB of a 64 KiB stack and
 * ~200 KiB of a 256 KiB one. Each frame fills 1 KiB with its own pattern,
 * recurses, then re-reads it: a checksum that differs from the one computed
 * on the test thread's own stack means frames overlapped something. Eight
 * goroutines do it at once on 2 Ps and yield in every frame on the way back
 * up, so they switch while deep in their stacks. ---- */

#define DEEP_FRAME 1024
#define DEEP_G 8

static __attribute__((noinline)) unsigned long deep(int level, int salt, bool yield)
{
	volatile unsigned char buf[DEEP_FRAME];
	for (int i = 0; i < DEEP_FRAME; i++)
		buf[i] = (unsigned char)(i * 31 + level * 7 + salt);
	unsigned long sum = 0;
	if (level > 1)
		sum = deep(level - 1, salt, yield);
	if (yield)
		goro_yield();
	for (int i = 0; i < DEEP_FRAME; i++)
		sum = sum * 131 + buf[i];
	return sum;
}

typedef struct deep_args {
	int levels;
	int salt;
} deep_args;

static unsigned long deep_want[DEEP_G];
static unsigned long deep_got[DEEP_G];
static atomic_long deep_done;

static void deep_fn(void *arg)
{
	const deep_args *a = arg;
	deep_got[a->salt] = deep(a->levels, a->salt, true);
	atomic_fetch_add_explicit(&deep_done, 1, memory_order_release);
}

static int deep_main(void *arg)
{
	int levels = (int)(intptr_t)arg;
	for (int g = 0; g < DEEP_G; g++) {
		deep_args a = { levels, g };
		ck_assert_int_eq(goro_spawn_copy(deep_fn, &a, sizeof a), GORO_OK);
	}
	ck_assert(test_wait_atleast(&deep_done, DEEP_G));
	for (int g = 0; g < DEEP_G; g++)
		ck_assert_msg(deep_got[g] == deep_want[g],
		              "goroutine %d: %d-level recursion checksum %#lx, want %#lx",
		              g, levels, deep_got[g], deep_want[g]);
	return 0;
}

static void run_deep(size_t stack_size, int levels)
{
	for (int g = 0; g < DEEP_G; g++)
		deep_want[g] = deep(levels, g, false);  /* on the 8 MiB thread stack */
	goro_config cfg = { .procs = 2, .stack_size = stack_size };
	ck_assert_int_eq(goro_main(&cfg, deep_main, (void *)(intptr_t)levels), 0);
}

START_TEST(TestStackDeepDefault)
{
	run_deep(0, 48);  /* ~48 KiB of the default 64 KiB */
}
END_TEST

START_TEST(TestStackDeep256K)
{
	run_deep(256 * 1024, 200);  /* ~200 KiB of 256 KiB */
}
END_TEST

/* ---- TestManyGoroutinesAlive: 100,000 goroutines (20,000 on arm64) are
 * alive at once: each counts itself started, then yields until released.
 * All must start before the release; far beyond the ~32,000 a stack per
 * mmap + mprotect guard would allow under vm.max_map_count. ---- */

#define ALIVE_N TEST_SCALE(100000L, 20000L)
static atomic_long alive_started;
static atomic_long alive_finished;
static atomic_int alive_release;

static void alive_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&alive_started, 1, memory_order_relaxed);
	while (!atomic_load_explicit(&alive_release, memory_order_acquire))
		goro_yield();
	atomic_fetch_add_explicit(&alive_finished, 1, memory_order_release);
}

static int alive_main(void *arg)
{
	(void)arg;
	for (long i = 0; i < ALIVE_N; i++) {
		int st = goro_spawn(alive_fn, NULL);
		ck_assert_msg(st == GORO_OK, "spawn %ld of %ld: %s", i, ALIVE_N,
		              goro_strerror(st));
	}
	ck_assert_msg(test_wait_atleast(&alive_started, ALIVE_N),
	              "%ld of %ld goroutines started", atomic_load(&alive_started), ALIVE_N);
	ck_assert_int_eq(atomic_load(&alive_finished), 0);
	/* store-release: the goroutines see it with load-acquire and finish */
	atomic_store_explicit(&alive_release, 1, memory_order_release);
	ck_assert_msg(test_wait_atleast(&alive_finished, ALIVE_N),
	              "%ld of %ld goroutines finished", atomic_load(&alive_finished), ALIVE_N);
	return 0;
}

START_TEST(TestManyGoroutinesAlive)
{
	goro_config cfg = { .procs = 2 };
	ck_assert_int_eq(goro_main(&cfg, alive_main, NULL), 0);
}
END_TEST

/* ---- TestStackOverflowFatal (crash_test.go pattern): a child process
 * overflows a goroutine's stack; it must die with exit status 2 and first
 * stderr line "goro: fatal error: stack overflow in goroutine <id>", where
 * <id> is the one the goroutine reported (through a pipe) before recursing. */

static volatile long overflow_limit = 1L << 40;  /* never reached */
static int overflow_id_fd = -1;

static __attribute__((noinline)) long overflow(long depth)
{
	volatile char buf[1024];
	buf[0] = (char)depth;
	buf[sizeof buf - 1] = (char)depth;
	long r = 0;
	if (depth < overflow_limit)
		r = overflow(depth + 1);
	return r + buf[0] + buf[sizeof buf - 1];
}

static void overflow_report_id(void)
{
	char line[32];
	int n = snprintf(line, sizeof line, "%llu\n", (unsigned long long)goro_id());
	if (write(overflow_id_fd, line, (size_t)n) != n)
		_exit(4);
	close(overflow_id_fd);
}

static void overflow_fn(void *arg)
{
	(void)arg;
	overflow_report_id();
	overflow(0);
}

static int overflow_main(void *arg)
{
	if (arg != NULL) {  /* overflow the main goroutine itself */
		overflow_report_id();
		overflow(0);
		return 3;
	}
	if (goro_spawn(overflow_fn, NULL) != GORO_OK)
		return 5;
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		goro_yield();
	return 3;  /* the process should have died by now */
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read all of fd into buf until EOF or the deadline; NUL-terminates. */
static size_t read_all(int fd, char *buf, size_t cap, int64_t deadline_ms)
{
	size_t n = 0;
	for (;;) {
		int64_t now_ms = mono_ms();
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
		if (n == cap - 1)
			break;
	}
	buf[n] = '\0';
	return n;
}

static void run_overflow_child(bool in_main)
{
	int errp[2], idp[2];
	ck_assert_int_eq(pipe(errp), 0);
	ck_assert_int_eq(pipe(idp), 0);
	fflush(NULL);
	pid_t pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(errp[0]);
		close(idp[0]);
		dup2(errp[1], 2);
		close(errp[1]);
		overflow_id_fd = idp[1];
		int r = goro_main(NULL, overflow_main, in_main ? (void *)1 : NULL);
		_exit(r == 3 ? 3 : 6);
	}
	close(errp[1]);
	close(idp[1]);

	int64_t deadline_ms = mono_ms() + 90 * 1000;
	char idbuf[64], err[4096];
	read_all(idp[0], idbuf, sizeof idbuf, deadline_ms);
	read_all(errp[0], err, sizeof err, deadline_ms);
	close(idp[0]);
	close(errp[0]);

	int status = 0;
	pid_t w;
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (mono_ms() > deadline_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ck_abort_msg("child did not exit after overflowing its stack; stderr: %s", err);
		}
		usleep(10000);
	}
	ck_assert_int_eq(w, pid);

	char *nl = strchr(err, '\n');
	if (nl)
		*nl = '\0';  /* first line only */
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 2,
	              "child status %#x (%s %d), want exit 2; stderr: %s", status,
	              WIFEXITED(status) ? "exit" : "signal",
	              WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), err);

	static const char prefix[] = "goro: fatal error: stack overflow in goroutine ";
	ck_assert_msg(strncmp(err, prefix, sizeof prefix - 1) == 0,
	              "first stderr line: \"%s\"", err);
	const char *num = err + sizeof prefix - 1;
	size_t digits = strspn(num, "0123456789");
	ck_assert_msg(digits > 0, "no goroutine id in \"%s\"", err);

	char *idnl = strchr(idbuf, '\n');
	ck_assert_msg(idnl != NULL, "child did not report its goroutine id");
	*idnl = '\0';
	ck_assert_msg(strlen(idbuf) == digits && strncmp(num, idbuf, digits) == 0,
	              "fatal error names goroutine \"%.*s\", the overflowing one is %s",
	              (int)digits, num, idbuf);
	if (in_main)
		ck_assert_str_eq(idbuf, "1");
	else
		ck_assert_str_ne(idbuf, "1");
}

START_TEST(TestStackOverflowFatal)
{
	run_overflow_child(false);
}
END_TEST

START_TEST(TestStackOverflowFatalMain)
{
	run_overflow_child(true);
}
END_TEST

static Suite *stack_suite(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("deep");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestStackDeepDefault);
	tcase_add_test(tc, TestStackDeep256K);
	suite_add_tcase(s, tc);

	TCase *tm = tcase_create("many");
	tcase_set_timeout(tm, 120);
	tcase_add_test(tm, TestManyGoroutinesAlive);
	suite_add_tcase(s, tm);

	TCase *tf = tcase_create("fatal");
	tcase_set_timeout(tf, 120);
	tcase_add_test(tf, TestStackOverflowFatal);
	tcase_add_test(tf, TestStackOverflowFatalMain);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	return test_run_suite(stack_suite());
}
