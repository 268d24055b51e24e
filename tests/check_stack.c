/* Goroutine stack tests: a goroutine may use most of its stack (default and
 * configured sizes), 100,000 goroutines are alive at once, and overflowing a
 * stack is a fatal error (exit 2, one "goro: fatal error:" line naming the G).
 * Pairs with core/stack.c (Go's stack.go: stackalloc/stackfree, gfput/gfget). */
#include <string.h>
#include <sys/wait.h>

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
 * alive at once: each counts itself started, then waits at a gate. All must
 * start before the gate opens; far beyond the ~32,000 a stack per mmap +
 * mprotect guard would allow under vm.max_map_count. ---- */

#ifdef TEST_TSAN
#define ALIVE_N 4000L   /* TSan dies beyond 8,128 threads and fibers together */
#else
#define ALIVE_N TEST_SCALE(100000L, 20000L)
#endif
static atomic_long alive_started;
static atomic_long alive_finished;
static goro_waitgroup alive_gate = GORO_WAITGROUP_INIT;

static void alive_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&alive_started, 1, memory_order_relaxed);
	goro_wg_wait(&alive_gate);
	atomic_fetch_add_explicit(&alive_finished, 1, memory_order_release);
}

GORO_TEST(TestManyGoroutinesAlive, 2)
{
	ck_assert_int_eq(goro_wg_add(&alive_gate, 1), GORO_OK);
	for (long i = 0; i < ALIVE_N; i++) {
		int st = goro_spawn(alive_fn, NULL);
		ck_assert_msg(st == GORO_OK, "spawn %ld of %ld: %s", i, ALIVE_N,
		              goro_strerror(st));
	}
	ck_assert_msg(test_wait_atleast(&alive_started, ALIVE_N),
	              "%ld of %ld goroutines started", atomic_load(&alive_started), ALIVE_N);
	ck_assert_int_eq(atomic_load(&alive_finished), 0);
	ck_assert_int_eq(goro_wg_done(&alive_gate), GORO_OK);
	ck_assert_msg(test_wait_atleast(&alive_finished, ALIVE_N),
	              "%ld of %ld goroutines finished", atomic_load(&alive_finished), ALIVE_N);
	return 0;
}

/* ---- TestStackOverflowFatal (crash_test.go pattern): a child process
 * overflows a goroutine's stack; it must die with exit status 2 and first
 * stderr line "goro: fatal error: stack overflow in goroutine <id> (raise
 * goro_config.stack_size, or goro_spawn_with's stack_size)", where
 * <id> is the one the goroutine reported (through a pipe) before recursing. */

static volatile long overflow_limit = 1L << 40;  /* never reached */

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

static void overflow_fn(void *arg)
{
	(void)arg;
	test_child_report_id();
	overflow(0);
}

static int overflow_spawn_main(void *arg)
{
	(void)arg;
	if (goro_spawn(overflow_fn, NULL) != GORO_OK)
		return 5;
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		goro_yield();
	return 3;  /* the process should have died by now */
}

/* Overflow the main goroutine itself. */
static int overflow_self_main(void *arg)
{
	(void)arg;
	test_child_report_id();
	overflow(0);
	return 3;
}

static void run_overflow_child(bool in_main)
{
	test_child c;
	test_run_child(0, in_main ? overflow_self_main : overflow_spawn_main, NULL, &c);
	char d[64];
	ck_assert_msg(!c.hung, "child did not exit after overflowing its stack; stderr: %s", c.err);
	ck_assert_msg(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2,
	              "child: %s, want exit 2; stderr: %s", test_child_describe(&c, d, sizeof d), c.err);

	static const char prefix[] = "goro: fatal error: stack overflow in goroutine ";
	ck_assert_msg(strncmp(c.first, prefix, sizeof prefix - 1) == 0,
	              "first stderr line: \"%s\"", c.first);
	const char *num = c.first + sizeof prefix - 1;
	size_t digits = strspn(num, "0123456789");
	ck_assert_msg(digits > 0, "no goroutine id in \"%s\"", c.first);
	/* ... and names the knobs that size a stack */
	ck_assert_str_eq(num + digits, " (raise goro_config.stack_size, or goro_spawn_with's stack_size)");

	ck_assert_msg(c.id[0] != '\0', "child did not report its goroutine id");
	ck_assert_msg(strlen(c.id) == digits && strncmp(num, c.id, digits) == 0,
	              "fatal error names goroutine \"%.*s\", the overflowing one is %s",
	              (int)digits, num, c.id);
	if (in_main)
		ck_assert_str_eq(c.id, "1");
	else
		ck_assert_str_ne(c.id, "1");
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
