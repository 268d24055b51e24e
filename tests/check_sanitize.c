/* Sanitizer builds catch what they should in goro programs: a use of a
 * channel after goro_chan_free (ASan, through the allocator's poisoning in
 * core/malloc.c and sanitizer.h), undefined behaviour in a goroutine
 * (UBSan) and a data race between goroutines on two Ms (TSan, told about
 * every stack switch by core/sanitizer.h). In a build without that sanitizer, the same misuse is checked
 * for what the runtime alone promises. Pairs with core/sanitizer.h. */
#include <check.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goro.h"
#include "testutil.h"

/* The build's sanitizer switch (toolchain.mk, SANITIZE=). */
#ifdef GORO_ASAN
#define HAVE_ASAN 1
#endif
#ifdef GORO_TSAN
#define HAVE_TSAN 1
#endif
#ifdef GORO_UBSAN
#define HAVE_UBSAN 1
#endif

static volatile size_t sink;

static int use_after_free(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(long), 4);
	long v = 7;
	goro_chan_send(c, &v);
	goro_chan_recv(c, &v);
	goro_chan_free(c);
	sink = goro_chan_len(c);   /* the seeded bug */
	/* Only without ASan do we get here: the stale handle must be refused. */
	return sink == 0 && goro_chan_trysend(c, &v) == GORO_INVAL ? 0 : 1;
}

START_TEST(TestChanUseAfterFree)
{
	test_child c;
	char d[64];
	test_run_child(0, use_after_free, NULL, &c);
#ifdef HAVE_ASAN
	ck_assert_msg(!c.hung && test_child_result(&c) != 0, "use after free went unreported (%s)",
	              test_child_describe(&c, d, sizeof d));
	ck_assert_msg(strstr(c.err, "ERROR: AddressSanitizer") != NULL, "no ASan report: %s", c.err);
	ck_assert_msg(strstr(c.err, "goro_chan_len") != NULL, "report does not name goro_chan_len: %s", c.err);
#else
	/* Without ASan the stale handle is caught by the channel's magic word,
	 * while its memory has not been reused: len reads as 0, send is INVAL. */
	ck_assert_msg(test_child_result(&c) == 0, "child: %s: %s", test_child_describe(&c, d, sizeof d), c.err);
#endif
}
END_TEST

static int shift_by;

static int ub_out;

static void ub_fn(void *arg)
{
	ub_out = 1 << shift_by;   /* shift_by is 40: undefined */
	goro_wg_done(arg);
}

/* Joined, not slept on: under qemu the goroutine may not have run yet
 * after any fixed time. */
static int undefined_behaviour(void *arg)
{
	(void)arg;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	shift_by = 40;
	goro_wg_add(&wg, 1);
	if (goro_spawn(ub_fn, &wg) != GORO_OK)
		return 1;
	goro_wg_wait(&wg);
	return 0;
}

START_TEST(TestUndefinedInGoroutine)
{
	test_child c;
	char d[64];
	test_run_child(0, undefined_behaviour, NULL, &c);
#ifdef HAVE_UBSAN
	ck_assert_msg(!c.hung && strstr(c.err, "runtime error: shift exponent 40") != NULL,
	              "no UBSan report (child: %s): %s", test_child_describe(&c, d, sizeof d), c.err);
#else
	ck_assert_msg(test_child_result(&c) == 0, "child: %s: %s", test_child_describe(&c, d, sizeof d), c.err);
#endif
}
END_TEST

/* Two goroutines, on two Ms, add to a plain counter. */
static long racy_counter;
static atomic_int racers_started;

static void racer(void *arg)
{
	goro_waitgroup *wg = arg;
	atomic_fetch_add(&racers_started, 1);
	while (atomic_load(&racers_started) < 2)
		;   /* run side by side, not one after the other on one M */
	for (int i = 0; i < 100000; i++)
		racy_counter++;   /* the seeded bug */
	goro_wg_done(wg);
}

static int data_race(void *arg)
{
	(void)arg;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_wg_add(&wg, 2);
	goro_spawn(racer, &wg);
	goro_spawn(racer, &wg);
	goro_wg_wait(&wg);
	return racy_counter > 0 ? 0 : 1;
}

START_TEST(TestDataRaceBetweenGoroutines)
{
	test_child c;
	char d[64];
	test_run_child(2, data_race, NULL, &c);
#ifdef HAVE_TSAN
	ck_assert_msg(!c.hung && strstr(c.err, "WARNING: ThreadSanitizer: data race") != NULL,
	              "no TSan report (child: %s): %s", test_child_describe(&c, d, sizeof d), c.err);
	ck_assert_msg(strstr(c.err, "racer") != NULL, "report does not name racer: %s", c.err);
#else
	ck_assert_msg(test_child_result(&c) == 0, "child: %s: %s", test_child_describe(&c, d, sizeof d), c.err);
#endif
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sanitize");
	TCase *tc = tcase_create("seeded");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestChanUseAfterFree);
	tcase_add_test(tc, TestUndefinedInGoroutine);
	tcase_add_test(tc, TestDataRaceBetweenGoroutines);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0;
}
