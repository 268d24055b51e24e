/* Timer, Ticker and AfterFunc: pairs with core/sleep.c, after Go's
 * time/sleep_test.go and tick_test.go (TestAfterFunc, TestAfterStress,
 * TestTimerStopStress, TestReset, TestZeroTimer, TestTicker,
 * TestTickerResetLtZeroDuration) and Go 1.23's synchronous-channel rule:
 * once Stop or Reset has returned, no value from before it is received.
 * Loop tests run with procs 1 and 2 (_i + 1). Bounds are loose: they catch
 * a timer that is early, lost, duplicated or wildly late. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define US GORO_MICROSECOND
#define LATE (2000 * MS)   /* "not wildly late" on a loaded 2-core box or qemu */

/* A receive with a limit: the value, or -1 on timeout. */
static int64_t recv_within(goro_chan *c, int64_t ns)
{
	int64_t v = 0;
	goro_case cs = { .chan = c, .dir = GORO_RECV, .elem = &v };
	int r = goro_select(&cs, 1, ns);
	if (r == GORO_TIMEOUT)
		return -1;
	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(cs.status, GORO_OK);
	return v;
}

/* ---- TestTimerFires: t.C gets the time it fired; never early ---- */

static int fires_main(void *arg)
{
	(void)arg;
	ck_assert_int_eq(GORO_SECOND, 1000 * GORO_MILLISECOND);
	ck_assert_int_eq(GORO_MILLISECOND, 1000 * GORO_MICROSECOND);
	ck_assert_int_eq(GORO_MICROSECOND, 1000 * GORO_NANOSECOND);
	int64_t t0 = goro_now();
	goro_timer *t = goro_timer_make(10 * MS);
	ck_assert_ptr_nonnull(t);
	goro_chan *c = goro_timer_chan(t);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(goro_chan_cap(c), 1);
	int64_t v;
	ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
	int64_t t1 = goro_now();
	ck_assert_msg(v >= t0 + 10 * MS, "fired %lld ns after the arm", (long long)(v - t0));
	ck_assert(v <= t1);
	ck_assert_msg(t1 - t0 < LATE, "10 ms timer took %lld ns", (long long)(t1 - t0));
	ck_assert(!goro_timer_stop(t));   /* fired and received: nothing to stop */
	ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);   /* fired once */
	goro_timer_free(t);
	return 0;
}

START_TEST(TestTimerFires)
{
	test_run(_i + 1, fires_main);
}
END_TEST

/* ---- TestZeroTimer: 0 and negative durations fire at once ---- */

GORO_TEST(TestZeroTimer, _i + 1)
{
	static const int64_t ds[] = { 0, -1, -1000 * MS, INT64_MIN };
	for (int k = 0; k < 400; k++) {
		int64_t t0 = goro_now();
		goro_timer *t = goro_timer_make(ds[k % 4]);
		ck_assert_ptr_nonnull(t);
		int64_t v = recv_within(goro_timer_chan(t), LATE);
		ck_assert_msg(v >= t0, "timer %d: %lld", k, (long long)v);
		goro_timer_free(t);
	}
	return 0;
}

/* ---- TestBadTimer: NULL and bad arguments are refused, not a crash ---- */

static void never(void *arg)
{
	(void)arg;
	ck_abort_msg("never runs");
}

GORO_TEST(TestBadTimer, 1)
{
	ck_assert(!goro_timer_stop(NULL));
	ck_assert(!goro_timer_reset(NULL, MS));
	ck_assert_ptr_null(goro_timer_chan(NULL));
	goro_timer_free(NULL);
	ck_assert_ptr_null(goro_ticker_make(0));
	ck_assert_ptr_null(goro_ticker_make(-MS));
	ck_assert_ptr_null(goro_after_func(MS, NULL, NULL));
	goro_timer *f = goro_after_func(INT64_MAX, never, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(goro_timer_chan(f));
	goro_timer_free(f);
	return 0;
}

/* ---- TestTimerBeforeMain: timers live on goro_main's Ps: before it,
 * making one says NULL, and the runtime still starts ---- */

START_TEST(TestTimerBeforeMain)
{
	ck_assert_ptr_null(goro_timer_make(MS));
	ck_assert_ptr_null(goro_ticker_make(MS));
	ck_assert_ptr_null(goro_after_func(MS, never, NULL));
	test_run(1, fires_main);
}
END_TEST

/* ---- TestStopPending: Stop before the fire prevents it ---- */

GORO_TEST(TestStopPending, _i + 1)
{
	goro_timer *t = goro_timer_make(30 * MS);
	ck_assert(goro_timer_stop(t));
	ck_assert(!goro_timer_stop(t));   /* stopped already */
	ck_assert_int_eq(recv_within(goro_timer_chan(t), 80 * MS), -1);
	goro_timer_free(t);
	return 0;
}

/* ---- TestStopUnreceived (Go 1.23): a value that came due but was not
 * received is still pending: Stop discards it and returns true; Reset
 * likewise, and what then arrives is the new arm's ---- */

GORO_TEST(TestStopUnreceived, _i + 1)
{
	goro_timer *t = goro_timer_make(1 * MS);
	goro_chan *c = goro_timer_chan(t);
	int64_t deadline = goro_now() + LATE;
	while (goro_chan_len(c) == 0 && goro_now() < deadline)
		goro_sleep(1 * MS);
	ck_assert_int_eq(goro_chan_len(c), 1);   /* fired, value waiting */
	ck_assert(goro_timer_stop(t));
	int64_t v;
	ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);
	ck_assert(!goro_timer_stop(t));

	/* Reset over an unreceived value. */
	ck_assert(!goro_timer_reset(t, 1 * MS));   /* stopped: not pending */
	while (goro_chan_len(c) == 0 && goro_now() < deadline)
		goro_sleep(1 * MS);
	ck_assert_int_eq(goro_chan_len(c), 1);
	int64_t r0 = goro_now();
	ck_assert(goro_timer_reset(t, 20 * MS));
	ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);   /* the old value is gone */
	v = recv_within(c, LATE);
	ck_assert_msg(v >= r0 + 20 * MS, "value %lld ns after the reset", (long long)(v - r0));
	goro_timer_free(t);
	return 0;
}

/* ---- TestReset: a reset timer fires at the new time, not the old; Reset
 * of a pending timer says true, of a fired and received one false ---- */

GORO_TEST(TestReset, _i + 1)
{
	int64_t t0 = goro_now();
	goro_timer *t = goro_timer_make(10 * MS);
	goro_chan *c = goro_timer_chan(t);
	goro_sleep(5 * MS);
	int64_t r0 = goro_now();
	ck_assert(goro_timer_reset(t, 40 * MS));
	int64_t v = recv_within(c, LATE);
	ck_assert_msg(v >= r0 + 40 * MS, "fired %lld ns after the reset", (long long)(v - r0));
	ck_assert(v - t0 >= 45 * MS);
	ck_assert(!goro_timer_reset(t, 5 * MS));   /* fired and received */
	r0 = goro_now();
	v = recv_within(c, LATE);
	ck_assert(v >= r0);
	ck_assert_int_eq(recv_within(c, 20 * MS), -1);   /* once per arm */
	goro_timer_free(t);
	return 0;
}

/* ---- TestStopResetRace: thousands of rounds where Stop or Reset lands
 * just before, during or after the fire on another M: never a stale value
 * (one fired before the last Stop/Reset returned) nor a duplicate ---- */

#define SR_ROUNDS TEST_SCALE(20000, 3000)

GORO_TEST(TestStopResetRace, _i + 1)
{
	goro_timer *t = goro_timer_make(INT64_MAX);
	goro_chan *c = goro_timer_chan(t);
	uint32_t seed = 7;
	long stops_fired = 0;
	for (int r = 0; r < SR_ROUNDS; r++) {
		seed = seed * 1103515245u + 12345u;
		int64_t d = (int64_t)((seed >> 8) % 30) * US;
		int64_t a = goro_now();
		goro_timer_reset(t, d);
		test_spin((seed >> 4) % 40000);   /* land anywhere around the fire */
		if ((seed >> 20) % 4 == 0)
			goro_yield();   /* with one P, timers run only at a schedule */
		int64_t v;
		switch (r % 3) {
		case 0:   /* stop: afterwards nothing may arrive */
			if (goro_chan_len(c) != 0)
				stops_fired++;   /* racy peek, for the printout only */
			/* Armed or fired-but-unreceived: pending either way. */
			ck_assert(goro_timer_stop(t));
			ck_assert_msg(goro_chan_tryrecv(c, &v) == GORO_AGAIN,
			              "round %d: value %lld after Stop returned", r, (long long)v);
			break;
		case 1:   /* receive: this arm's value, once */
			v = recv_within(c, LATE);
			ck_assert_msg(v >= a + d, "round %d: stale value %lld ns before the arm", r,
			              (long long)(a + d - v));
			ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);
			break;
		case 2: { /* reset again: only the second arm's value arrives */
			int64_t a2 = goro_now();
			goro_timer_reset(t, d);
			v = recv_within(c, LATE);
			ck_assert_msg(v >= a2 + d, "round %d: value of the first arm after the second Reset",
			              r);
			ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);
			break;
		}
		}
	}
	printf("TestStopResetRace: procs %d, %d rounds, %ld of the Stops after the fire\n",
	       goro_procs(), SR_ROUNDS, stops_fired);
	goro_timer_free(t);
	return 0;
}

/* ---- TestStopFromOtherGoroutine (TestTimerStopStress and kin): one
 * goroutine stops and resets while another receives; every value received
 * belongs to an arm made after the last Stop the receiver knows of ---- */

#define SO_ROUNDS TEST_SCALE(5000, 800)
static goro_timer *so_t;
static goro_chan *so_go, *so_ack;
static _Atomic int64_t so_stop_at;   /* when the last Stop returned */

static void so_stopper(void *arg)
{
	(void)arg;
	for (int r = 0; r < SO_ROUNDS; r++) {
		int x;
		goro_chan_recv(so_go, &x);
		test_spin(r % 3000);
		goro_timer_stop(so_t);
		atomic_store(&so_stop_at, goro_now());
		goro_chan_send(so_ack, &x);
	}
}

GORO_TEST(TestStopFromOtherGoroutine, _i + 1)
{
	so_t = goro_timer_make(INT64_MAX);
	so_go = goro_chan_make(sizeof(int), 0);
	so_ack = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_spawn(so_stopper, NULL), GORO_OK);
	goro_chan *c = goro_timer_chan(so_t);
	long got = 0;
	for (int r = 0; r < SO_ROUNDS; r++) {
		goro_timer_reset(so_t, (r % 20) * US);
		ck_assert_int_eq(goro_chan_send(so_go, &r), GORO_OK);
		int x;
		ck_assert_int_eq(goro_chan_recv(so_ack, &x), GORO_OK);
		int64_t v;
		/* The stopper's Stop has returned: whatever fired is gone. */
		ck_assert_msg(goro_chan_tryrecv(c, &v) == GORO_AGAIN,
		              "round %d: a value after Stop returned (fired %lld ns before its return)",
		              r, (long long)(atomic_load(&so_stop_at) - v));
		if (r % 7 == 0) {   /* and the timer still works */
			int64_t a = goro_now();
			goro_timer_reset(so_t, 0);
			v = recv_within(c, LATE);
			ck_assert(v >= a);
			got++;
		}
	}
	ck_assert(got > 0);
	goro_timer_free(so_t);
	return 0;
}

/* ---- TestTicker: ticks at multiples of the period, never early; Stop
 * ends them; Reset changes the period ---- */

GORO_TEST(TestTicker, _i + 1)
{
	int64_t t0 = goro_now();
	goro_timer *tk = goro_ticker_make(10 * MS);
	ck_assert_ptr_nonnull(tk);
	goro_chan *c = goro_timer_chan(tk);
	int64_t last = t0;
	for (int i = 1; i <= 5; i++) {
		int64_t v = recv_within(c, LATE);
		ck_assert_msg(v >= t0 + i * 10 * MS, "tick %d at %lld ns", i, (long long)(v - t0));
		ck_assert(v > last);
		last = v;
	}
	/* Reset to a shorter period: the next ticks come at that pace. */
	int64_t r0 = goro_now();
	ck_assert(goro_timer_reset(tk, 2 * MS));   /* a running ticker is pending */
	for (int i = 1; i <= 5; i++) {
		int64_t v = recv_within(c, LATE);
		ck_assert(v >= r0 + i * 2 * MS);
	}
	ck_assert(goro_timer_stop(tk));   /* running: true */
	ck_assert_int_eq(recv_within(c, 30 * MS), -1);   /* no tick after Stop */
	ck_assert(!goro_timer_stop(tk));
	/* A stopped ticker restarts with Reset. */
	ck_assert(!goro_timer_reset(tk, 1 * MS));
	ck_assert(recv_within(c, LATE) >= 0);
	goro_timer_free(tk);
	return 0;
}

/* ---- TestTickerResetLtZeroDuration: a ticker refuses a period <= 0
 * (Go panics) and keeps its old one ---- */

GORO_TEST(TestTickerResetLtZeroDuration, 1)
{
	goro_timer *tk = goro_ticker_make(2 * MS);
	ck_assert(!goro_timer_reset(tk, 0));
	ck_assert(!goro_timer_reset(tk, -1));
	ck_assert(!goro_timer_reset(tk, INT64_MIN));
	goro_chan *c = goro_timer_chan(tk);
	for (int i = 0; i < 3; i++)
		ck_assert(recv_within(c, LATE) >= 0);   /* still ticking */
	goro_timer_free(tk);
	return 0;
}

/* ---- TestTickerDrops: a receiver slower than the ticker gets the latest
 * ticks, not a queue of old ones (the buffer holds one) ---- */

GORO_TEST(TestTickerDrops, _i + 1)
{
	goro_timer *tk = goro_ticker_make(1 * MS);
	goro_chan *c = goro_timer_chan(tk);
	goro_sleep(60 * MS);
	ck_assert_int_eq(goro_chan_len(c), 1);   /* 60 ticks came due; one is kept */
	int64_t v, r = goro_now();
	ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
	ck_assert(v < r - 40 * MS);   /* the first tick, kept */
	v = recv_within(c, LATE);   /* the next one is new, not from the backlog */
	ck_assert_msg(v >= r, "tick from %lld ns before the receive", (long long)(r - v));
	goro_timer_free(tk);
	return 0;
}

/* ---- TestTickerOverlap: ticks of one ticker may be run by two Ms at
 * once (the owner's and a thief's, the first one descheduled by the OS
 * after re-arming); still every tick received is later than the last and
 * the i-th is no earlier than the i-th period. Short periods and more Ms
 * than CPUs make the overlap common ---- */

enum { TO_TICKERS = 8, TO_PERIOD = 50 * US };

static goro_waitgroup to_wg = GORO_WAITGROUP_INIT;
static atomic_int to_stop, to_bad;
static atomic_long to_ticks;

static void to_recv(void *arg)
{
	(void)arg;
	int64_t t0 = goro_now();
	goro_timer *tk = goro_ticker_make(TO_PERIOD);
	ck_assert_ptr_nonnull(tk);
	goro_chan *c = goro_timer_chan(tk);
	int64_t last = 0;
	for (int64_t i = 1; !atomic_load(&to_stop); i++) {
		int64_t v = recv_within(c, LATE);
		if (v < t0 + i * TO_PERIOD || v <= last) {
			if (atomic_fetch_add(&to_bad, 1) == 0)
				fprintf(stderr, "TestTickerOverlap: tick %lld at %lld ns, the last at %lld ns\n",
				        (long long)i, (long long)(v - t0), (long long)(last - t0));
		}
		last = v;
		atomic_fetch_add(&to_ticks, 1);
	}
	goro_timer_free(tk);
	goro_wg_done(&to_wg);
}

static void to_hog(void *arg)
{
	(void)arg;
	while (!atomic_load(&to_stop)) {
		test_spin(2000);
		goro_yield();
	}
	goro_wg_done(&to_wg);
}

GORO_TEST(TestTickerOverlap, 4)
{
	goro_wg_add(&to_wg, 2 * TO_TICKERS);
	for (int i = 0; i < TO_TICKERS; i++) {
		ck_assert_int_eq(goro_spawn(to_recv, NULL), GORO_OK);
		ck_assert_int_eq(goro_spawn(to_hog, NULL), GORO_OK);
	}
	goro_sleep(TEST_SCALE(1000, 3000) * MS);
	atomic_store(&to_stop, 1);
	goro_wg_wait(&to_wg);
	int bad = atomic_load(&to_bad);
	fprintf(stderr, "TestTickerOverlap: %ld ticks, %d early or out of order\n",
	        atomic_load(&to_ticks), bad);
	ck_assert_int_eq(bad, 0);
	return 0;
}

/* ---- TestAfterFunc: the chain of Go's TestAfterFunc (each fn arms the
 * next); fn runs in a goroutine of its own, so it may block ---- */

static goro_chan *af_c;
static atomic_int af_i;

static void af_fn(void *arg)
{
	(void)arg;
	if (atomic_fetch_sub(&af_i, 1) > 1) {
		ck_assert_ptr_nonnull(goro_after_func(0, af_fn, NULL));   /* leaked, as Go's */
		return;
	}
	int one = 1;
	goro_chan_send(af_c, &one);
}

static goro_chan *afb_c;
static atomic_int afb_ran;

static void afb_block(void *arg)
{
	(void)arg;
	int x;
	goro_chan_recv(afb_c, &x);   /* parks its own goroutine, not the timers */
	atomic_store(&afb_ran, x);
}

static void afb_release(void *arg)
{
	(void)arg;
	int x = 2;
	goro_chan_send(afb_c, &x);
}

GORO_TEST(TestAfterFunc, _i + 1)
{
	af_c = goro_chan_make(sizeof(int), 0);
	atomic_store(&af_i, 10);
	ck_assert_ptr_nonnull(goro_after_func(0, af_fn, NULL));
	int x;
	goro_case cs = { .chan = af_c, .dir = GORO_RECV, .elem = &x };
	ck_assert_int_eq(goro_select(&cs, 1, LATE), 0);

	afb_c = goro_chan_make(sizeof(int), 0);
	goro_timer *b = goro_after_func(1 * MS, afb_block, NULL);
	goro_timer *r = goro_after_func(10 * MS, afb_release, NULL);
	int64_t deadline = goro_now() + LATE;
	while (atomic_load(&afb_ran) == 0 && goro_now() < deadline)
		goro_sleep(1 * MS);
	ck_assert_int_eq(atomic_load(&afb_ran), 2);
	ck_assert(!goro_timer_stop(b));   /* ran */
	/* Reset after it ran: it runs again (and Reset says false). */
	atomic_store(&afb_ran, 0);
	ck_assert(!goro_timer_reset(b, 0));
	ck_assert(!goro_timer_reset(r, 5 * MS));
	while (atomic_load(&afb_ran) == 0 && goro_now() < deadline)
		goro_sleep(1 * MS);
	ck_assert_int_eq(atomic_load(&afb_ran), 2);
	goro_timer_free(b);
	goro_timer_free(r);
	return 0;
}

/* ---- TestAfterFuncSelf: fn re-arms its own timer (a periodic AfterFunc,
 * as Go programs write it), and the last run frees it ---- */

static goro_timer *_Atomic afself_t;
static atomic_int afself_runs, afself_freed;

static void afself_fn(void *arg)
{
	(void)arg;
	goro_timer *t;
	while ((t = atomic_load(&afself_t)) == NULL)
		goro_yield();   /* the first run may beat goro_after_func's return */
	if (atomic_fetch_add(&afself_runs, 1) + 1 < 20) {
		ck_assert(!goro_timer_reset(t, 100 * US));   /* it ran: not pending */
		return;
	}
	goro_timer_free(t);   /* from its own fn's goroutine: waits out goFunc */
	atomic_store_explicit(&afself_freed, 1, memory_order_release);
}

GORO_TEST(TestAfterFuncSelf, _i + 1)
{
	goro_timer *t = goro_after_func(0, afself_fn, NULL);
	ck_assert_ptr_nonnull(t);
	atomic_store(&afself_t, t);
	ck_assert(test_wait_flag(&afself_freed));
	goro_sleep(5 * MS);
	ck_assert_int_eq(atomic_load(&afself_runs), 20);
	return 0;
}

/* ---- TestAfterFuncStop: Stop before the fire keeps fn from running ---- */

static atomic_int afs_ran;

static void afs_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add(&afs_ran, 1);
}

GORO_TEST(TestAfterFuncStop, _i + 1)
{
	goro_timer *ts[100];
	int64_t t0 = goro_now();
	for (int i = 0; i < 100; i++)
		ts[i] = goro_after_func(20 * MS, afs_fn, NULL);
	/* A Stop may come after the fire only if the box (qemu, loaded)
	 * took the 20 ms to get here: then fn ran, and Stop says so. */
	int late = 0;
	for (int i = 0; i < 100; i += 2) {
		if (!goro_timer_stop(ts[i])) {
			ck_assert_msg(goro_now() - t0 >= 20 * MS, "Stop of a pending AfterFunc said false");
			late++;
		}
	}
	goro_sleep(60 * MS);
	int64_t deadline = goro_now() + LATE;
	while (atomic_load(&afs_ran) < 50 + late && goro_now() < deadline)
		goro_sleep(1 * MS);
	goro_sleep(10 * MS);
	ck_assert_int_eq(atomic_load(&afs_ran), 50 + late);
	for (int i = 0; i < 100; i++) {
		ck_assert(!goro_timer_stop(ts[i]));   /* stopped, or ran */
		goro_timer_free(ts[i]);
	}
	return 0;
}

/* ---- TestAfterFuncBurst: thousands of AfterFuncs due at once do not
 * all become goroutines before the first runs: the timer pass stops to let
 * them run, so their Gs and stacks are reused (each fresh stack costs page
 * faults). Counted as the most goroutines alive while a fn runs. ---- */

#define AB_N 4000
static atomic_long ab_done;
static atomic_int ab_max;

static void ab_fn(void *arg)
{
	(void)arg;
	int n = goro_num_goroutine();
	int m = atomic_load(&ab_max);
	while (n > m && !atomic_compare_exchange_weak(&ab_max, &m, n))
		;
	atomic_fetch_add_explicit(&ab_done, 1, memory_order_release);
}

static goro_timer *ab_t[AB_N];

GORO_TEST(TestAfterFuncBurst, _i + 1)
{
	/* One when for all: they come due together whatever the creation
	 * costs, and while main creates them (it never yields) none fires on
	 * its P. */
	int64_t d = 20 * MS;
	for (int i = 0; i < AB_N; i++) {
		ab_t[i] = goro_after_func(d, ab_fn, NULL);
		ck_assert_ptr_nonnull(ab_t[i]);
		d = 0;   /* what is left of the first's 20 ms: due no later than it */
	}
	ck_assert(test_wait_atleast(&ab_done, AB_N));
	/* Two Ps' rings of 32 and what they run; all AB_N when the pass
	 * spawns every due fn before any runs. */
	ck_assert_msg(atomic_load(&ab_max) <= AB_N / 8, "%d goroutines alive at once",
	              atomic_load(&ab_max));
	for (int i = 0; i < AB_N; i++)
		goro_timer_free(ab_t[i]);
	return 0;
}

/* ---- TestTimersBusyP: a P whose run queue is never short still runs its
 * due timers, of every kind: the pass that stops after readying enough
 * always fires at least one ---- */

#define BP_YIELDERS 128
#define BP_AF 200
static atomic_int bp_stop, bp_gaveup;
static int64_t bp_deadline;
static goro_waitgroup bp_timers = GORO_WAITGROUP_INIT, bp_yielders = GORO_WAITGROUP_INIT;

static void bp_yielder(void *arg)
{
	(void)arg;
	while (!atomic_load(&bp_stop)) {
		if (goro_now() > bp_deadline) {
			atomic_store(&bp_gaveup, 1);
			break;
		}
		goro_yield();
	}
	goro_wg_done(&bp_yielders);
}

static void bp_af(void *arg)
{
	(void)arg;
	goro_wg_done(&bp_timers);
}

static void bp_sleeper(void *arg)
{
	(void)arg;
	goro_sleep(1 * MS);
	goro_wg_done(&bp_timers);
}

static void bp_chan(void *arg)
{
	goro_timer *t = arg;
	ck_assert_int_eq(goro_chan_recv(goro_timer_chan(t), NULL), GORO_OK);
	goro_wg_done(&bp_timers);
}

GORO_TEST(TestTimersBusyP, _i + 1)
{
	bp_deadline = goro_now() + LATE;
	goro_wg_add(&bp_yielders, BP_YIELDERS);
	for (int i = 0; i < BP_YIELDERS; i++)
		ck_assert_int_eq(goro_spawn(bp_yielder, NULL), GORO_OK);
	goro_wg_add(&bp_timers, BP_AF + 2);
	static goro_timer *af[BP_AF];
	for (int i = 0; i < BP_AF; i++)
		ck_assert_ptr_nonnull(af[i] = goro_after_func(1 * MS, bp_af, NULL));
	goro_timer *ct = goro_timer_make(1 * MS);
	ck_assert_ptr_nonnull(ct);
	ck_assert_int_eq(goro_spawn(bp_sleeper, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(bp_chan, ct), GORO_OK);
	/* The yielders keep every ring longer than a pass's quota meanwhile;
	 * should the timers wait for a short queue, they wait for the
	 * yielders to give up. */
	goro_wg_wait(&bp_timers);
	atomic_store(&bp_stop, 1);
	goro_wg_wait(&bp_yielders);
	ck_assert_msg(!atomic_load(&bp_gaveup), "the timers waited %lld ms for the yielders",
	              (long long)(LATE / MS));
	for (int i = 0; i < BP_AF; i++)
		goro_timer_free(af[i]);
	goro_timer_free(ct);
	return 0;
}

/* ---- TestAfterStress / TestManyTimers: 100,000 AfterFunc timers with
 * random 1-10 ms deadlines each fire exactly once and never early ---- */

#ifdef TEST_TSAN   /* each fn is a goroutine, each goroutine a TSan fiber: TSan stops at 8128 */
#define MT_N 3000
#else
#define MT_N TEST_SCALE(100000, 10000)
#endif
static atomic_uchar mt_fired[100000];
static atomic_long mt_count, mt_early;

struct mt_arg { int64_t due; };
static struct mt_arg mt_args[100000];

static void mt_fn(void *arg)
{
	struct mt_arg *a = arg;
	if (goro_now() < a->due)
		atomic_fetch_add(&mt_early, 1);
	atomic_fetch_add(&mt_fired[a - mt_args], 1);
	atomic_fetch_add_explicit(&mt_count, 1, memory_order_release);
}

static goro_timer *mt_t[100000];

GORO_TEST(TestManyTimers, _i + 1)
{
	uint64_t z = 1;
	for (int i = 0; i < MT_N; i++) {
		z = z * 6364136223846793005ull + 1442695040888963407ull;
		int64_t d = (int64_t)(1000 + (z >> 33) % 9001) * US;
		mt_args[i].due = goro_now() + d;
		mt_t[i] = goro_after_func(d, mt_fn, &mt_args[i]);
		ck_assert_ptr_nonnull(mt_t[i]);
	}
	ck_assert_msg(test_wait_atleast(&mt_count, MT_N), "%ld of %d fired",
	              atomic_load(&mt_count), MT_N);
	goro_sleep(20 * MS);   /* room for a duplicate to show */
	ck_assert_int_eq(atomic_load(&mt_count), MT_N);
	ck_assert_int_eq(atomic_load(&mt_early), 0);
	for (int i = 0; i < MT_N; i++) {
		ck_assert_int_eq(atomic_load(&mt_fired[i]), 1);
		goro_timer_free(mt_t[i]);
	}
	return 0;
}

/* ---- TestFreePending: free a timer, ticker or AfterFunc while armed,
 * while firing, and with a value waiting; an AfterFunc freed before its
 * time never runs. Under ASan a use after free shows here. ---- */

#define FP_N TEST_SCALE(10000, 1000)
static atomic_int fp_ran;

static void fp_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add(&fp_ran, 1);
}

GORO_TEST(TestFreePending, _i + 1)
{
	uint32_t seed = 99;
	for (int i = 0; i < FP_N; i++) {
		seed = seed * 1103515245u + 12345u;
		int64_t d = (int64_t)((seed >> 8) % 50) * US;
		goro_timer *t;
		switch (i % 3) {
		case 0: t = goro_timer_make(d); break;
		case 1: t = goro_ticker_make(d + 1); break;
		default: t = goro_after_func(d, fp_fn, NULL); break;
		}
		ck_assert_ptr_nonnull(t);
		test_spin((seed >> 4) % 100000);   /* up to ~50 us: free about when it fires */
		if (seed & 1)
			goro_yield();
		goro_timer_free(t);
	}
	/* Tickers that fire all the time (on another M, with procs 2): freed
	 * while a fire is under way, often. */
	for (int i = 0; i < FP_N / 4; i++) {
		goro_timer *t = goro_ticker_make(1);
		ck_assert_ptr_nonnull(t);
		test_spin(i % 2000);
		goro_timer_free(t);
	}
	/* Freed far ahead of its time: never runs. */
	atomic_store(&fp_ran, 0);
	goro_timer *late = goro_after_func(5 * MS, fp_fn, NULL);
	goro_timer_free(late);
	goro_sleep(30 * MS);
	ck_assert_int_eq(atomic_load(&fp_ran), 0);
	return 0;
}

/* ---- TestOverflowTimer: INT64_MAX durations neither overflow into the
 * past nor fire ---- */

GORO_TEST(TestOverflowTimer, _i + 1)
{
	goro_timer *t = goro_timer_make(INT64_MAX);
	goro_timer *tk = goro_ticker_make(INT64_MAX);
	goro_timer *f = goro_after_func(INT64_MAX, never, NULL);
	goro_timer *r = goro_timer_make(1 * MS);
	ck_assert(goro_timer_reset(r, INT64_MAX));
	goro_case cs[3] = {
		{ .chan = goro_timer_chan(t), .dir = GORO_RECV },
		{ .chan = goro_timer_chan(tk), .dir = GORO_RECV },
		{ .chan = goro_timer_chan(r), .dir = GORO_RECV },
	};
	ck_assert_int_eq(goro_select(cs, 3, 50 * MS), GORO_TIMEOUT);
	ck_assert(goro_timer_stop(t));
	ck_assert(goro_timer_stop(tk));
	ck_assert(goro_timer_stop(f));
	ck_assert(goro_timer_stop(r));
	goro_timer_free(t);
	goro_timer_free(tk);
	goro_timer_free(f);
	goro_timer_free(r);
	return 0;
}

/* ---- TestTimerForeignThread: a plain pthread makes timers and tickers,
 * blocks on their channels, stops, resets and frees them ---- */

static atomic_int ft_done;
static char ft_err[256];

#define FT_FAIL(...) do { snprintf(ft_err, sizeof ft_err, __VA_ARGS__); goto out; } while (0)

static void ft_fn(void *arg)
{
	goro_chan_close(arg);
}

static void *ft_thread(void *arg)
{
	(void)arg;
	int64_t t0 = goro_now(), v = 0;
	goro_timer *t = goro_timer_make(5 * MS);
	goro_timer *tk = goro_ticker_make(2 * MS);
	goro_chan *c = goro_chan_make(0, 0);
	goro_timer *f = NULL;
	if (t == NULL || tk == NULL || c == NULL)
		FT_FAIL("make failed");
	if (goro_chan_recv(goro_timer_chan(t), &v) != GORO_OK || v < t0 + 5 * MS)
		FT_FAIL("timer: %lld", (long long)(v - t0));
	for (int i = 0; i < 3; i++)
		if (goro_chan_recv(goro_timer_chan(tk), &v) != GORO_OK)
			FT_FAIL("tick");
	if (!goro_timer_stop(tk))
		FT_FAIL("ticker stop");
	goro_sleep(10 * MS);
	if (goro_chan_tryrecv(goro_timer_chan(tk), &v) != GORO_AGAIN)
		FT_FAIL("tick after Stop");
	int64_t r0 = goro_now();
	goro_timer_reset(t, 3 * MS);
	if (goro_chan_recv(goro_timer_chan(t), &v) != GORO_OK || v < r0 + 3 * MS)
		FT_FAIL("reset timer");
	f = goro_after_func(1 * MS, ft_fn, c);
	if (f == NULL || goro_chan_recv(c, NULL) != GORO_CLOSED)
		FT_FAIL("after func");
out:
	goro_timer_free(t);
	goro_timer_free(tk);
	goro_timer_free(f);
	if (c != NULL)
		goro_chan_free(c);
	atomic_store_explicit(&ft_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestTimerForeignThread, _i + 1)
{
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, ft_thread, NULL), 0);
	ck_assert(test_wait_flag(&ft_done));
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(ft_err[0] == '\0', "pthread: %s", ft_err);
	return 0;
}

/* ---- TestTimerStrict: under GORO_DEBUG=strict=1 what Go panics on is
 * fatal and named ---- */

static const char *const timer_strict_rows[] = {
	"goro_ticker_make: non-positive interval for NewTicker (GORO_DEBUG=strict=1)",
	"goro_timer_reset: non-positive interval for Ticker.Reset (GORO_DEBUG=strict=1)",
	"goro_timer_stop: invalid argument (GORO_DEBUG=strict=1)",
	"goro_timer_reset: invalid argument (GORO_DEBUG=strict=1)",
	"goro_timer_chan: invalid argument (GORO_DEBUG=strict=1)",
	"goro_after_func: invalid argument (GORO_DEBUG=strict=1)",
};
static int strict_row;

static int strict_main(void *arg)
{
	(void)arg;
	goro_timer *tk = goro_ticker_make(MS);
	goro_timer_free(NULL);   /* free(NULL): fine even here */
	switch (strict_row) {
	case 0: if (goro_ticker_make(0) != NULL) return 4; break;
	case 1: goro_timer_reset(tk, -1); break;
	case 2: goro_timer_stop(NULL); break;
	case 3: goro_timer_reset(NULL, MS); break;
	case 4: goro_timer_chan(NULL); break;
	case 5: goro_after_func(MS, NULL, NULL); break;
	}
	return 3;   /* came back: not fatal */
}

START_TEST(TestTimerStrict)
{
	strict_row = _i;
	test_child c;
	test_run_child(1, strict_main, test_set_strict, &c);
	char how[64], want[200];
	ck_assert_msg(!c.hung && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2, "child: %s",
	              test_child_describe(&c, how, sizeof how));
	snprintf(want, sizeof want, "goro: fatal error: %s\n", timer_strict_rows[_i]);
	ck_assert_msg(strstr(c.err, want) != NULL, "no line \"%s\"; stderr:\n%s", want, c.err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timer");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, TestTimerFires, 0, 2);
	tcase_add_loop_test(tc, TestZeroTimer, 0, 2);
	tcase_add_test(tc, TestBadTimer);
	tcase_add_test(tc, TestTimerBeforeMain);
	tcase_add_loop_test(tc, TestTimerStrict, 0, 6);
	tcase_add_loop_test(tc, TestStopPending, 0, 2);
	tcase_add_loop_test(tc, TestStopUnreceived, 0, 2);
	tcase_add_loop_test(tc, TestReset, 0, 2);
	tcase_add_loop_test(tc, TestTicker, 0, 2);
	tcase_add_test(tc, TestTickerResetLtZeroDuration);
	tcase_add_loop_test(tc, TestTickerDrops, 0, 2);
	tcase_add_loop_test(tc, TestAfterFunc, 0, 2);
	tcase_add_loop_test(tc, TestAfterFuncSelf, 0, 2);
	tcase_add_loop_test(tc, TestAfterFuncStop, 0, 2);
	tcase_add_loop_test(tc, TestAfterFuncBurst, 0, 2);
	tcase_add_loop_test(tc, TestTimersBusyP, 0, 2);
	tcase_add_loop_test(tc, TestOverflowTimer, 0, 2);
	tcase_add_loop_test(tc, TestTimerForeignThread, 0, 2);
	suite_add_tcase(s, tc);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 240);
	tcase_add_loop_test(th, TestStopResetRace, 0, 2);
	tcase_add_test(th, TestTickerOverlap);
	tcase_add_loop_test(th, TestStopFromOtherGoroutine, 0, 2);
	tcase_add_loop_test(th, TestManyTimers, 0, 2);
	tcase_add_loop_test(th, TestFreePending, 0, 2);
	suite_add_tcase(s, th);
	return test_run_suite(s);
}
