/* Per-P timer tests on time.c's internal API (addtimer, deltimer, modtimer,
 * timerwait; CONTRACT.md), linked against core's objects rather than
 * libgoro.a, which hides those names: timers fire on a P that is busy or
 * idle, deltimer from a timer's own f and under a lock f wants, modtimer
 * racing the fire, periodic timers. Pairs with core/time.c and the timer
 * parts of core/proc.c (Go's time.go and proc.go). */
#include <pthread.h>
#include <stdio.h>

#include "testutil.h"
#include "runtime2.h"

/* ---- TestTimerOnBusyP: with two Ps, a goroutine arms timers on its own P
 * and then keeps that P busy without ever yielding. The timers still fire
 * on time: the idle P's M sleeps until them and steals them (stealWork);
 * nothing waits for the busy P to schedule. ---- */

static atomic_long bp_fired;
static int64_t bp_when[8], bp_ran[8];

static void bp_f(void *arg, uintptr_t seq)
{
	(void)arg;
	bp_ran[seq] = goro_now();
	atomic_fetch_add_explicit(&bp_fired, 1, memory_order_release);
}

static atomic_int bp_done;

static void bp_spinner(void *arg)
{
	struct timer *ts = arg;
	int64_t t0 = goro_now();
	for (int i = 0; i < 8; i++) {
		ts[i] = (struct timer){ .when = t0 + (5 + 5 * i) * MS, .f = bp_f, .seq = (uintptr_t)i };
		bp_when[i] = ts[i].when;
		addtimer(&ts[i]);
	}
	/* Busy for up to 2 s, or until all have fired: never yields. */
	while (atomic_load_explicit(&bp_fired, memory_order_acquire) < 8 &&
	       goro_now() - t0 < 2000 * MS)
		test_spin(1000);
	atomic_store_explicit(&bp_done, 1, memory_order_release);
}

GORO_TEST(TestTimerOnBusyP, 2)
{
	static struct timer ts[8];
	ck_assert_int_eq(goro_spawn(bp_spinner, ts), GORO_OK);
	/* main parks, so its P goes idle: the only other M must do the work */
	while (!atomic_load_explicit(&bp_done, memory_order_acquire))
		goro_sleep(50 * MS);
	ck_assert_int_eq(atomic_load(&bp_fired), 8);
	int64_t worst = 0;
	for (int i = 0; i < 8; i++) {
		deltimer(&ts[i]);
		timerwait(&ts[i]);
		ck_assert_msg(bp_ran[i] >= bp_when[i], "timer %d early", i);
		if (bp_ran[i] - bp_when[i] > worst)
			worst = bp_ran[i] - bp_when[i];
	}
	printf("TestTimerOnBusyP: 8 timers on a busy P, worst lateness %.3f ms\n", worst / 1e6);
	ck_assert_msg(worst < 500 * MS, "a timer waited %lld ns for its busy P", (long long)worst);
	return 0;
}

/* ---- TestTimerOnBusyPOthersBusy: as TestTimerOnBusyP, but main keeps the
 * other P busy too, yielding, so that it never runs out of work and never
 * steals: its findRunnable still runs the spinner's overdue timers now and
 * then (checkTimersOthers). ---- */

GORO_TEST(TestTimerOnBusyPOthersBusy, 2)
{
	static struct timer ts[8];
	atomic_store(&bp_fired, 0);
	atomic_store(&bp_done, 0);
	ck_assert_int_eq(goro_spawn(bp_spinner, ts), GORO_OK);
	while (!atomic_load_explicit(&bp_done, memory_order_acquire))
		goro_yield();
	ck_assert_int_eq(atomic_load(&bp_fired), 8);
	int64_t worst = 0;
	for (int i = 0; i < 8; i++) {
		deltimer(&ts[i]);
		timerwait(&ts[i]);
		if (bp_ran[i] - bp_when[i] > worst)
			worst = bp_ran[i] - bp_when[i];
	}
	printf("TestTimerOnBusyPOthersBusy: worst lateness %.3f ms\n", worst / 1e6);
	ck_assert_msg(worst < 500 * MS, "a timer waited %lld ns for its busy P", (long long)worst);
	return 0;
}

/* ---- TestTimerOnIdleP: a goroutine arms a timer and parks for good on a
 * channel, so its P goes idle, while main keeps the other P busy without
 * yielding. The timer's f (the only thing that can release the parked
 * goroutine) still runs. ---- */

static goro_chan *ip_c;
static atomic_int ip_woke, ip_armed;
static struct timer ip_t;

static void ip_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	ck_assert_int_eq(goro_chan_trysend(ip_c, NULL), GORO_OK);
}

static void ip_waiter(void *arg)
{
	(void)arg;
	ip_t = (struct timer){ .when = when_after(20 * MS), .f = ip_f };
	addtimer(&ip_t);
	atomic_store_explicit(&ip_armed, 1, memory_order_release);
	ck_assert_int_eq(goro_chan_recv(ip_c, NULL), GORO_OK);
	atomic_store_explicit(&ip_woke, 1, memory_order_release);
}

GORO_TEST(TestTimerOnIdleP, 2)
{
	ip_c = goro_chan_make(0, 1);
	ck_assert_ptr_nonnull(ip_c);
	ck_assert_int_eq(goro_spawn(ip_waiter, NULL), GORO_OK);
	ck_assert(test_wait_flag(&ip_armed));
	int64_t t0 = goro_now();
	while (!atomic_load_explicit(&ip_woke, memory_order_acquire) && goro_now() - t0 < 2000 * MS)
		test_spin(1000);   /* never yields: the timer's P must be idle, not ours */
	ck_assert_msg(atomic_load(&ip_woke), "a timer on an idle P never fired");
	deltimer(&ip_t);
	timerwait(&ip_t);
	goro_chan_free(ip_c);
	return 0;
}

/* ---- TestDeltimerFromF: f deletes itself (already disarmed: false),
 * another armed timer (true: that one never fires) and its own periodic
 * timer (which then stops); nothing waits for itself. ---- */

static struct timer df_self, df_other, df_tick;
static atomic_long df_self_ran, df_other_ran, df_tick_ran;
static atomic_int df_self_del, df_other_del;

static void df_other_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	atomic_fetch_add(&df_other_ran, 1);
}

static void df_self_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	atomic_store(&df_self_del, deltimer(&df_self) ? 1 : 2);
	atomic_store(&df_other_del, deltimer(&df_other) ? 1 : 2);
	atomic_fetch_add_explicit(&df_self_ran, 1, memory_order_release);
}

static void df_tick_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	if (atomic_fetch_add(&df_tick_ran, 1) + 1 == 3)
		ck_assert(deltimer(&df_tick));   /* periodic: still armed while f runs */
}

GORO_TEST(TestDeltimerFromF, 1 + _i)
{
	df_self = (struct timer){ .when = when_after(2 * MS), .f = df_self_f };
	df_other = (struct timer){ .when = when_after(200 * MS), .f = df_other_f };
	df_tick = (struct timer){ .when = when_after(1 * MS), .period = 1 * MS, .f = df_tick_f };
	addtimer(&df_other);
	addtimer(&df_self);
	addtimer(&df_tick);
	ck_assert(test_wait_atleast(&df_self_ran, 1));
	goro_sleep(250 * MS);
	ck_assert_int_eq(atomic_load(&df_self_del), 2);
	ck_assert_int_eq(atomic_load(&df_other_del), 1);
	ck_assert_int_eq(atomic_load(&df_other_ran), 0);
	/* 3, or 4 if another M ran the next tick before the third's deltimer */
	ck_assert_int_ge(atomic_load(&df_tick_ran), 3);
	ck_assert_int_le(atomic_load(&df_tick_ran), 4);
	ck_assert(!deltimer(&df_self));
	ck_assert(!deltimer(&df_tick));
	timerwait(&df_self);
	timerwait(&df_tick);
	return 0;
}

/* ---- TestDeltimerUnderFLock (golang/go#35532): f takes a lock that the
 * owner holds while it calls deltimer. A deltimer that waited for the
 * running f would never return. ---- */

static atomic_int dl_lock, dl_entered;
static struct timer dl_t;

static void dl_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	atomic_store_explicit(&dl_entered, 1, memory_order_release);
	int z = 0;
	while (!atomic_compare_exchange_weak(&dl_lock, &z, 1)) {
		z = 0;
		sched_yield();
	}
	atomic_store(&dl_lock, 0);
}

GORO_TEST(TestDeltimerUnderFLock, 2)
{
	for (int round = 0; round < 20; round++) {
		atomic_store(&dl_entered, 0);
		atomic_store(&dl_lock, 1);   /* the owner's lock, taken before f can run */
		dl_t = (struct timer){ .when = when_after(1 * MS), .f = dl_f };
		addtimer(&dl_t);
		/* Wait without yielding: f fires on the other M (which sleeps
		 * until dl_t is due) and spins there. Were we to yield, this P
		 * could fire f itself, on its g0, with us queued behind it and
		 * only a thief to run us: a hang no public call can make, as
		 * only runtime code runs on g0. */
		int64_t deadline = goro_now() + TEST_WAIT_NS;
		while (!atomic_load_explicit(&dl_entered, memory_order_acquire) && goro_now() < deadline)
			sched_yield();
		ck_assert_msg(atomic_load(&dl_entered), "round %d: f never ran", round);
		ck_assert(!deltimer(&dl_t));   /* f is running, waiting for our lock */
		atomic_store(&dl_lock, 0);
		timerwait(&dl_t);
	}
	return 0;
}

/* ---- TestModtimerRace: goroutines on both Ps re-arm one timer with
 * modtimer, racing each other and the fire, for 300 ms (millions of
 * rounds natively). Every
 * arming ends exactly one way: its f runs, a modtimer replaces it (returns
 * true), or a deltimer removes it (true). So fires + replaced + deleted
 * equals armings, and no arming fires twice. ---- */

#define MR_G 4
#define MR_MAXSEQ TEST_SCALE(4000000, 400000)
#define MR_NS (300 * MS)
static struct timer mr_t;
static atomic_long mr_fires, mr_replaced, mr_deleted, mr_armings, mr_stale, mr_done;
static atomic_uintptr_t mr_seq;
static uint8_t *mr_state;   /* per seq: 1 armed, 2 replaced, 3 fired */

static void mr_f(void *arg, uintptr_t seq)
{
	(void)arg;
	uint8_t old = __atomic_exchange_n(&mr_state[seq], 3, __ATOMIC_ACQ_REL);
	if (old != 1)
		atomic_fetch_add(&mr_stale, 1);
	atomic_fetch_add(&mr_fires, 1);
}

static void mr_worker(void *arg)
{
	(void)arg;
	int64_t end = goro_now() + MR_NS;
	for (int i = 0; (i & 255) != 0 || goro_now() < end; i++) {
		uintptr_t seq = atomic_fetch_add(&mr_seq, 1) + 1;
		if (seq > MR_MAXSEQ)
			break;
		__atomic_store_n(&mr_state[seq], 1, __ATOMIC_RELEASE);
		atomic_fetch_add(&mr_armings, 1);
		/* due now, in 10 or in 20 us: some fire, some are replaced */
		int64_t d = (int64_t)(seq % 3) * 10000;
		/* half the time disarm first, so that armings of an unarmed t
		 * race each other too */
		if ((i & 1) && deltimer(&mr_t))
			atomic_fetch_add(&mr_deleted, 1);
		if (modtimer(&mr_t, when_after(d), 0, mr_f, NULL, seq))
			atomic_fetch_add(&mr_replaced, 1);
		if ((i & 7) == 0)
			goro_yield();
	}
	atomic_fetch_add_explicit(&mr_done, 1, memory_order_release);
}

GORO_TEST(TestModtimerRace, 2)
{
	mr_state = calloc((size_t)MR_MAXSEQ + 1, 1);
	ck_assert_ptr_nonnull(mr_state);
	for (uintptr_t i = 0; i < MR_G; i++)
		ck_assert_int_eq(goro_spawn(mr_worker, (void *)i), GORO_OK);
	ck_assert(test_wait_atleast(&mr_done, MR_G));
	long deleted = atomic_load(&mr_deleted) + (deltimer(&mr_t) ? 1 : 0);
	timerwait(&mr_t);
	long fires = atomic_load(&mr_fires), replaced = atomic_load(&mr_replaced);
	long armings = atomic_load(&mr_armings);
	printf("TestModtimerRace: %ld armings: %ld fired, %ld replaced, %ld deleted\n",
	       armings, fires, replaced, deleted);
	long stale = atomic_load(&mr_stale);
	ck_assert_int_eq(stale, 0);
	ck_assert_int_eq(fires + replaced + deleted, armings);
	ck_assert_msg(fires > 0 && replaced > 0, "the race never happened both ways");
	free(mr_state);
	return 0;
}

/* ---- TestTimerForeignThread: a thread the runtime does not own arms and
 * disarms timers (they go on a P picked at random); each fires once. ---- */

#define FT_N 200
static struct timer ft_t[FT_N];
static atomic_long ft_fired;
static atomic_int ft_done;

static void ft_f(void *arg, uintptr_t seq)
{
	(void)arg;
	(void)seq;
	atomic_fetch_add_explicit(&ft_fired, 1, memory_order_release);
}

static void *ft_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < FT_N; i++) {
		ft_t[i] = (struct timer){ .when = when_after((i % 10) * MS), .f = ft_f };
		addtimer(&ft_t[i]);
	}
	/* every other one disarmed again: those that were still pending never fire */
	long stopped = 0;
	for (int i = 0; i < FT_N; i += 2)
		stopped += deltimer(&ft_t[i]);
	int64_t t0 = goro_now();
	while (atomic_load(&ft_fired) < FT_N - stopped && goro_now() - t0 < 10000 * MS)
		usleep(1000);
	usleep(20000);
	ck_assert_int_eq(atomic_load(&ft_fired), FT_N - stopped);
	for (int i = 0; i < FT_N; i++)
		timerwait(&ft_t[i]);
	atomic_store_explicit(&ft_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestTimerForeignThread, 2)
{
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, ft_thread, NULL), 0);
	while (!atomic_load_explicit(&ft_done, memory_order_acquire))
		goro_sleep(5 * MS);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	return 0;
}

int main(void)
{
	Suite *s = suite_create("timers");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestTimerOnBusyP);
	tcase_add_test(tc, TestTimerOnBusyPOthersBusy);
	tcase_add_test(tc, TestTimerOnIdleP);
	tcase_add_loop_test(tc, TestDeltimerFromF, 0, 2);
	tcase_add_test(tc, TestDeltimerUnderFLock);
	tcase_add_test(tc, TestModtimerRace);
	tcase_add_test(tc, TestTimerForeignThread);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
