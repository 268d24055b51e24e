/* core/lockrank.c: under GORO_LOCKRANK (make LOCKRANK=1) a lock taken out of
 * runtime2.h's order is fatal, as Go's staticlockranking; in every build a
 * function's "l must be held" is checked (assertLockHeld). Drives core's
 * internal lock API, so it links the objects, as check_timers does. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "runtime2.h"

static struct mutex sched_like = MUTEX_INIT(lockRankSched);
static struct mutex hchan_like = MUTEX_INIT(lockRankHchan);
static struct mutex leaf_like = MUTEX_INIT(lockRankArena);
static struct mutex leaf2_like = MUTEX_INIT(lockRankQuarantine);
static struct mutex hchans[3] = { MUTEX_INIT(lockRankHchan), MUTEX_INIT(lockRankHchan), MUTEX_INIT(lockRankHchan) };

#ifdef GORO_LOCKRANK
/* The fatal line for taking a (rank ra) while holding h (rank rh). */
static const char *order_line(char *buf, size_t n, const char *a, int ra, const char *h, int rh)
{
	snprintf(buf, n, "goro: fatal error: lock ordering problem: %s (rank %d) taken while holding %s (rank %d)",
	         a, ra, h, rh);
	return buf;
}
#endif

static void expect_fatal(const test_child *c, const char *first)
{
	char d[64];
	ck_assert_msg(!c->hung && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 2,
	              "child: %s, want exit 2; stderr:\n%s", test_child_describe(c, d, sizeof d), c->err);
	ck_assert_str_eq(c->first, first);
}

static void expect_returned(const test_child *c)
{
	char d[64];
	ck_assert_msg(!c->hung && WIFEXITED(c->status) && WEXITSTATUS(c->status) == TEST_CHILD_RETURNED,
	              "child: %s, want a return; stderr:\n%s", test_child_describe(c, d, sizeof d), c->err);
}

/* hchan.lock under sched.lock: the wrong way round. */
static int inversion_main(void *arg)
{
	(void)arg;
	lock(&sched_like);
	lock(&hchan_like);
	unlock(&hchan_like);
	unlock(&sched_like);
	return 0;
}

START_TEST(TestLockRankInversion)
{
	test_child c;
	test_run_child(1, inversion_main, NULL, &c);
#ifdef GORO_LOCKRANK
	char want[256];
	expect_fatal(&c, order_line(want, sizeof want, "hchan.lock", lockRankHchan, "sched.lock", lockRankSched));
#else
	expect_returned(&c);   /* unchecked without the ranks */
#endif
}
END_TEST

/* Two leaves at once: nothing may be taken under a leaf. */
static int leaves_main(void *arg)
{
	(void)arg;
	lock(&leaf2_like);
	lock(&leaf_like);
	unlock(&leaf_like);
	unlock(&leaf2_like);
	return 0;
}

START_TEST(TestLockRankLeaf)
{
	test_child c;
	test_run_child(1, leaves_main, NULL, &c);
#ifdef GORO_LOCKRANK
	char want[256];
	expect_fatal(&c, order_line(want, sizeof want, "arena_lock", lockRankArena, "quarantine.lock", lockRankQuarantine));
#else
	expect_returned(&c);
#endif
}
END_TEST

/* The right order, and several channels by ascending address as select
 * takes them, released in another order: fine. */
static int order_main(void *arg)
{
	(void)arg;
	lock(&hchan_like);
	unlock(&hchan_like);
	lock(&hchans[0]);
	lock(&hchans[1]);
	lock(&hchans[2]);
	lock(&sched_like);
	assertLockHeld(&sched_like);
	lock(&leaf_like);
	unlock(&leaf_like);
	unlock(&hchans[1]);
	unlock(&sched_like);
	unlock(&hchans[0]);
	unlock(&hchans[2]);
	return 0;
}

START_TEST(TestLockRankOrder)
{
	test_child c;
	test_run_child(1, order_main, NULL, &c);
	expect_returned(&c);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* Two channels by descending address: not select's order. */
static int descending_main(void *arg)
{
	(void)arg;
	lock(&hchans[2]);
	lock(&hchans[1]);
	return 0;
}

START_TEST(TestLockRankSameRank)
{
	test_child c;
	test_run_child(1, descending_main, NULL, &c);
#ifdef GORO_LOCKRANK
	char want[256];
	expect_fatal(&c, order_line(want, sizeof want, "hchan.lock", lockRankHchan, "hchan.lock", lockRankHchan));
#else
	expect_returned(&c);
#endif
}
END_TEST

/* assertLockHeld of a lock nobody holds: fatal in every build. */
static int notheld_main(void *arg)
{
	(void)arg;
	assertLockHeld(&sched_like);
	return 0;
}

START_TEST(TestAssertLockHeld)
{
	test_child c;
	test_run_child(1, notheld_main, NULL, &c);
	expect_fatal(&c, "goro: fatal error: not holding required lock!");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lockrank");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestLockRankInversion);
	tcase_add_test(tc, TestLockRankLeaf);
	tcase_add_test(tc, TestLockRankOrder);
	tcase_add_test(tc, TestLockRankSameRank);
	tcase_add_test(tc, TestAssertLockHeld);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
