/* What the runtime says about its goroutines: goro_num_goroutine
 * (runtime.NumGoroutine). Pairs with core/traceback.c. */
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

int main(void)
{
	Suite *s = suite_create("traceback");
	TCase *tc = tcase_create("stats");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestNumGoroutine);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
