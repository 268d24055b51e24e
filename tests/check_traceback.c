/* What the runtime says about its goroutines: goro_num_goroutine
 * (runtime.NumGoroutine); goro_spawn_with's options. Pairs with
 * core/traceback.c and newproc in core/proc.c. */
#include <check.h>
#include <stdatomic.h>

#include "goro.h"
#include "testutil.h"

enum { NBLOCKED = 10 };

static void blocked(void *arg)
{
	int v;
	goro_chan_recv(arg, &v);
}

/* Wait (yielding) until the count is want; the last value seen. */
static int wait_count(int want)
{
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	int n;
	while ((n = goro_num_goroutine()) != want && goro_now() < deadline)
		goro_yield();
	return n;
}

static int numgoroutine_main(void *arg)
{
	(void)arg;
	if (goro_num_goroutine() != 1)
		return 1;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	for (int i = 0; i < NBLOCKED; i++)
		if (goro_spawn(blocked, c) != GORO_OK)
			return 2;
	if (goro_num_goroutine() != NBLOCKED + 1)
		return 3;
	goro_chan_close(c);   /* they all return; their Gs go dead */
	if (wait_count(1) != 1)
		return 4;
	/* reused Gs are counted once more */
	goro_chan *d = goro_chan_make(sizeof(int), 0);
	for (int i = 0; i < 3; i++)
		if (goro_spawn(blocked, d) != GORO_OK)
			return 5;
	if (goro_num_goroutine() != 4)
		return 6;
	goro_chan_close(d);
	return wait_count(1) == 1 ? 0 : 7;
}

START_TEST(TestNumGoroutine)
{
	ck_assert_int_eq(goro_num_goroutine(), 0);   /* before goro_main */
	test_child c;
	char d[64];
	test_run_child(2, numgoroutine_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

/* ---- goro_spawn_with: a stack of its own, reused; bad options ---- */

static atomic_int deep_ok;

/* Uses most of a 1 MiB stack: more than the default 64 KiB by far. */
static void deep_fn(void *arg)
{
	volatile char big[768 << 10];
	size_t n = sizeof big;
	for (size_t i = 0; i < n; i += 4096)
		big[i] = (char)i;
	big[n - 1] = 1;
	atomic_fetch_add(&deep_ok, big[n - 1]);
	goro_wg_done(arg);
}

static int spawn_with_main(void *arg)
{
	(void)arg;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_spawn_opts big = { .stack_size = 1 << 20, .name = "deep" };
	for (int round = 0; round < 3; round++) {   /* later rounds reuse the stacks */
		for (int i = 0; i < 4; i++) {
			goro_wg_add(&wg, 1);
			if (goro_spawn_with(&big, deep_fn, &wg) != GORO_OK)
				return 1;
		}
		goro_wg_wait(&wg);
	}
	if (atomic_load(&deep_ok) != 12)
		return 2;
	goro_spawn_opts huge = { .stack_size = ((size_t)1 << 30) + 1 };
	if (goro_spawn_with(&huge, deep_fn, &wg) != GORO_INVAL)
		return 3;
	if (goro_spawn_with(NULL, NULL, NULL) != GORO_INVAL)
		return 4;
	goro_spawn_opts small = { .stack_size = 1, .name = NULL };
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	if (goro_spawn_with(&small, blocked, c) != GORO_OK || goro_spawn_with(NULL, blocked, c) != GORO_OK)
		return 5;
	goro_chan_close(c);
	return wait_count(1) == 1 ? 0 : 6;
}

START_TEST(TestSpawnWith)
{
	goro_spawn_opts o = { 0, "early" };
	ck_assert_int_eq(goro_spawn_with(&o, blocked, NULL), GORO_INVAL);   /* before goro_main */
	test_child c;
	char d[64];
	test_run_child(2, spawn_with_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("traceback");
	TCase *tc = tcase_create("stats");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestNumGoroutine);
	tcase_add_test(tc, TestSpawnWith);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
