/* select tests: timeouts and the default arm, nil (NULL) channels, the same
 * channel twice, fairness, closed channels, wake-ups, pthreads, misuse and
 * stress. Pairs with core/select.c (Go's select.go; tests after the select
 * tests of chan_test.go, whose names they keep where one exists). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* ---- TestSelectTimeout: nothing ready: GORO_TIMEOUT after at least the
 * timeout, and not absurdly later ---- */

GORO_TEST(TestSelectTimeout, 1 + _i)
{
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	goro_chan *b = goro_chan_make(sizeof(int), 1);
	int one = 1;
	ck_assert_int_eq(goro_chan_send(b, &one), GORO_OK);   /* b full: no send */
	static const int64_t ts[] = { 1 * MS, 10 * MS, 50 * MS };
	for (int i = 0; i < 3; i++) {
		int v = 42;
		goro_case cs[2] = { { c, GORO_RECV, &v, 99, { 0 } }, { b, GORO_SEND, &one, 99, { 0 } } };
		int64_t t0 = goro_now();
		int r = goro_select(cs, 2, ts[i]);
		int64_t el = goro_now() - t0;
		ck_assert_int_eq(r, GORO_TIMEOUT);
		ck_assert_int_eq(v, 42);
		ck_assert_msg(el >= ts[i], "timeout %lld ns returned after %lld ns",
		              (long long)ts[i], (long long)el);
		ck_assert_msg(el < ts[i] + 500 * MS, "timeout %lld ns returned after %lld ns",
		              (long long)ts[i], (long long)el);
	}
	/* the channels are untouched and the timer is gone: a later select on
	 * them works and is not woken by a stale timeout */
	ck_assert_uint_eq(goro_chan_len(b), 1);
	goro_case cs = { b, GORO_RECV, NULL, 99, { 0 } };
	ck_assert_int_eq(goro_select(&cs, 1, -1), 0);
	ck_assert_int_eq(cs.status, GORO_OK);
	return 0;
}

/* ---- TestSelectDefault: timeout 0 never waits: AGAIN when nothing is
 * ready, else the ready case ---- */

GORO_TEST(TestSelectDefault, 0)
{
	goro_chan *u = goro_chan_make(sizeof(int), 0);
	goro_chan *b = goro_chan_make(sizeof(int), 1);
	int v = 7, w = 0;
	goro_case cs[3] = {
		{ u, GORO_RECV, &w, 99, { 0 } }, { u, GORO_SEND, &v, 99, { 0 } }, { b, GORO_RECV, &w, 99, { 0 } },
	};
	ck_assert_int_eq(goro_select(cs, 3, 0), GORO_AGAIN);
	ck_assert_int_eq(goro_select(NULL, 0, 0), GORO_AGAIN);
	ck_assert_int_eq(goro_chan_send(b, &v), GORO_OK);
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_select(cs, 3, 0), 2);
	ck_assert_int_eq(cs[2].status, GORO_OK);
	ck_assert_int_eq(w, 7);
	ck_assert_int_eq(goro_select(cs, 3, 0), GORO_AGAIN);
	ck_assert_msg(goro_now() - t0 < 100 * MS, "non-blocking select blocked");
	/* a send case ready through buffer room */
	goro_case sc[2] = { { u, GORO_SEND, &v, 99, { 0 } }, { b, GORO_SEND, &v, 99, { 0 } } };
	ck_assert_int_eq(goro_select(sc, 2, 0), 1);
	ck_assert_int_eq(sc[1].status, GORO_OK);
	ck_assert_int_eq(goro_select(sc, 2, 0), GORO_AGAIN);
	ck_assert_uint_eq(goro_chan_len(b), 1);
	return 0;
}

/* ---- TestSelectNilChannel: a NULL channel's case is never chosen ---- */

GORO_TEST(TestSelectNilChannel, 0)
{
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	int v, w = 3;
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
		goro_case cs[5] = {
			{ NULL, GORO_RECV, &v, 99, { 0 } }, { NULL, GORO_SEND, &w, 99, { 0 } }, { c, GORO_RECV, &v, 99, { 0 } },
			{ NULL, GORO_RECV, NULL, 99, { 0 } }, { NULL, GORO_SEND, NULL, 99, { 0 } },
		};
		int r = goro_select(cs, 5, i % 3 == 0 ? 0 : i % 3 == 1 ? -1 : 1000 * MS);
		ck_assert_int_eq(r, 2);
		ck_assert_int_eq(cs[2].status, GORO_OK);
		ck_assert_int_eq(v, i);
		for (int k = 0; k < 5; k++)
			if (k != 2)
				ck_assert_int_eq(cs[k].status, 99);
	}
	/* and only NULLs, with timeout 0: nothing is ready */
	goro_case cs[2] = { { NULL, GORO_RECV, &v, 99, { 0 } }, { NULL, GORO_SEND, &w, 99, { 0 } } };
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_AGAIN);
	return 0;
}

/* ---- TestSelectNilSleep: only NULL channels (or no cases) and a timeout
 * is a sleep ---- */

GORO_TEST(TestSelectNilSleep, 0)
{
	int v;
	goro_case cs[2] = { { NULL, GORO_RECV, &v, 99, { 0 } }, { NULL, GORO_SEND, &v, 99, { 0 } } };
	for (int n = 0; n <= 2; n += 2) {
		int64_t t0 = goro_now();
		ck_assert_int_eq(goro_select(n ? cs : NULL, n, 20 * MS), GORO_TIMEOUT);
		int64_t el = goro_now() - t0;
		ck_assert_msg(el >= 20 * MS && el < 520 * MS, "%d cases: slept %lld ns", n,
		              (long long)el);
	}
	return 0;
}

/* ---- TestNilSelectThenPark: a select with only NULL channels and a
 * timeout holds no channel lock, so its timer can wake it while the M that
 * parked it is still finishing the park. Pairs of goroutines alternate such
 * a select with a blocking exchange: were that M to look at the goroutine
 * again, it would find the exchange's wait instead and release a channel
 * lock it does not hold. ---- */

#define NSP_PAIRS 32
#define NSP_ROUNDS TEST_SCALE(20000, 2000)
static goro_chan *nsp_done;

struct nsp_arg { goro_chan *c; int sends_on; };

static void nsp_side(void *arg)
{
	struct nsp_arg a = *(struct nsp_arg *)arg;
	goro_case nil = { NULL, GORO_RECV, NULL, 0, { 0 } };
	for (int i = 0; i < NSP_ROUNDS; i++) {
		ck_assert_int_eq(goro_select(&nil, 1, 1 + i % 3), GORO_TIMEOUT);
		int v = i;
		if (i % 2 == a.sends_on) {
			ck_assert_int_eq(goro_chan_send(a.c, &v), GORO_OK);
		} else {
			ck_assert_int_eq(goro_chan_recv(a.c, &v), GORO_OK);
			ck_assert_int_eq(v, i);
		}
	}
	test_signal_done(nsp_done);
}

GORO_TEST(TestNilSelectThenPark, 2)
{
	goro_chan *c[NSP_PAIRS];
	nsp_done = goro_chan_make(sizeof(int), 2 * NSP_PAIRS);
	for (int i = 0; i < NSP_PAIRS; i++) {
		c[i] = goro_chan_make(sizeof(int), 0);
		for (int side = 0; side < 2; side++) {
			struct nsp_arg a = { c[i], side };
			ck_assert_int_eq(goro_spawn_copy(nsp_side, &a, sizeof a), GORO_OK);
		}
	}
	test_wait_done(nsp_done, 2 * NSP_PAIRS);
	for (int i = 0; i < NSP_PAIRS; i++)
		goro_chan_free(c[i]);
	goro_chan_free(nsp_done);
	return 0;
}

/* ---- TestSelectSameChannel: a send and a receive case on one buffered
 * channel: exactly the one that can proceed is chosen; both when both can ---- */

GORO_TEST(TestSelectSameChannel, 0)
{
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	int in, out = 0;
	goro_case cs[2] = { { c, GORO_SEND, &in, 99, { 0 } }, { c, GORO_RECV, &out, 99, { 0 } } };
	for (int i = 0; i < 1000; i++) {
		in = i;
		ck_assert_int_eq(goro_select(cs, 2, -1), 0);   /* empty: only send */
		ck_assert_int_eq(cs[0].status, GORO_OK);
		ck_assert_uint_eq(goro_chan_len(c), 1);
		ck_assert_int_eq(goro_select(cs, 2, -1), 1);   /* full: only recv */
		ck_assert_int_eq(cs[1].status, GORO_OK);
		ck_assert_int_eq(out, i);
	}
	/* capacity 2 holding one: both ready; each must be picked sometimes */
	goro_chan *d = goro_chan_make(sizeof(int), 2);
	goro_case ds[2] = { { d, GORO_SEND, &in, 99, { 0 } }, { d, GORO_RECV, &out, 99, { 0 } } };
	in = 5;
	ck_assert_int_eq(goro_chan_send(d, &in), GORO_OK);
	int cnt[2] = { 0, 0 };
	for (int i = 0; i < 1000; i++) {
		int r = goro_select(ds, 2, 0);
		ck_assert(r == 0 || r == 1);
		cnt[r]++;
		/* back to one value */
		if (r == 0)
			ck_assert_int_eq(goro_chan_recv(d, &out), GORO_OK);
		else
			ck_assert_int_eq(goro_chan_send(d, &in), GORO_OK);
		ck_assert_int_eq(out, 5);
		ck_assert_uint_eq(goro_chan_len(d), 1);
	}
	ck_assert_msg(cnt[0] > 300 && cnt[1] > 300, "send chosen %d, recv %d of 1000",
	              cnt[0], cnt[1]);
	/* the same receive case twice */
	goro_case rs[2] = { { d, GORO_RECV, &out, 99, { 0 } }, { d, GORO_RECV, &out, 99, { 0 } } };
	int r = goro_select(rs, 2, -1);
	ck_assert(r == 0 || r == 1);
	ck_assert_int_eq(out, 5);
	ck_assert_int_eq(goro_select(rs, 2, 0), GORO_AGAIN);
	return 0;
}

/* ---- TestSelfSelect (chan_test.go): two goroutines each select a send and
 * a receive on one channel; no crash, no deadlock, and on an unbuffered
 * channel a goroutine never receives its own value ---- */

static goro_chan *ss_c, *ss_done;
static atomic_int ss_self;
static size_t ss_cap;

static void ss_fn(void *arg)
{
	int p = *(int *)arg;
	for (int i = 0; i < 1000; i++) {
		int v = -1, me = p;
		goro_case send = { ss_c, GORO_SEND, &me, 99, { 0 } }, recv = { ss_c, GORO_RECV, &v, 99, { 0 } };
		goro_case cs[2];
		if (p == 0 || i % 2 == 0) {
			cs[0] = send;
			cs[1] = recv;
		} else {
			cs[0] = recv;
			cs[1] = send;
		}
		int r = goro_select(cs, 2, -1);
		ck_assert(r == 0 || r == 1);
		ck_assert_int_eq(cs[r].status, GORO_OK);
		if (cs[r].dir == GORO_RECV && ss_cap == 0 && v == p)
			atomic_store(&ss_self, 1);
	}
	test_signal_done(ss_done);
}

GORO_TEST(TestSelfSelect, 2)
{
	static const size_t caps[] = { 0, 10 };
	ss_done = goro_chan_make(sizeof(int), 2);
	for (int k = 0; k < 2; k++) {
		ss_cap = caps[k];
		ss_c = goro_chan_make(sizeof(int), ss_cap);
		for (int p = 0; p < 2; p++)
			ck_assert_int_eq(goro_spawn_copy(ss_fn, &p, sizeof p), GORO_OK);
		test_wait_done(ss_done, 2);
		ck_assert_msg(!atomic_load(&ss_self), "self receive (cap %zu)", ss_cap);
	}
	return 0;
}

/* ---- TestSelectDuplicateChannel (chan_test.go): a select queued twice on
 * c and woken through d must leave c's queue intact for a later waiter ---- */

static goro_chan *dc_c, *dc_d, *dc_e;

static void dc_a(void *arg)
{
	(void)arg;
	goro_case cs[3] = {
		{ dc_c, GORO_RECV, NULL, 0, { 0 } }, { dc_c, GORO_RECV, NULL, 0, { 0 } }, { dc_d, GORO_RECV, NULL, 0, { 0 } },
	};
	ck_assert_int_eq(goro_select(cs, 3, -1), 2);
	int nine = 9;
	ck_assert_int_eq(goro_chan_send(dc_e, &nine), GORO_OK);
}

static void dc_b(void *arg)
{
	(void)arg;
	int v = 0;
	ck_assert_int_eq(goro_chan_recv(dc_c, &v), GORO_OK);
	ck_assert_int_eq(v, 8);
	test_signal_done(dc_e);
}

GORO_TEST(TestSelectDuplicateChannel, 2)
{
	dc_c = goro_chan_make(sizeof(int), 0);
	dc_d = goro_chan_make(sizeof(int), 0);
	dc_e = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_spawn(dc_a, NULL), GORO_OK);
	goro_sleep(1 * MS);   /* A queued first on c */
	ck_assert_int_eq(goro_spawn(dc_b, NULL), GORO_OK);
	goro_sleep(1 * MS);   /* B queued on c */
	int v = 7;
	ck_assert_int_eq(goro_chan_send(dc_d, &v), GORO_OK);   /* wakes A */
	ck_assert_int_eq(goro_chan_recv(dc_e, &v), GORO_OK);
	ck_assert_int_eq(v, 9);
	v = 8;
	ck_assert_int_eq(goro_chan_send(dc_c, &v), GORO_OK);   /* must wake B */
	ck_assert_int_eq(goro_chan_recv(dc_e, NULL), GORO_OK);
	return 0;
}

/* ---- TestSelectFairness (chan_test.go): c1 and c2 always ready, c3 and c4
 * never; over 10,000 trials each of c1 and c2 wins about half, within Go's
 * six-nines margin 4.891676 / (2 * sqrt(trials)) ---- */

#define SF_TRIALS 10000
static goro_chan *sf_c[4], *sf_out, *sf_done, *sf_exit;

static void sf_fn(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned char b = 0;
		goro_case cs[4] = {
			{ sf_c[2], GORO_RECV, &b, 0, { 0 } }, { sf_c[3], GORO_RECV, &b, 0, { 0 } },
			{ sf_c[0], GORO_RECV, &b, 0, { 0 } }, { sf_c[1], GORO_RECV, &b, 0, { 0 } },
		};
		int r = goro_select(cs, 4, -1);
		ck_assert(r >= 0 && r < 4);
		goro_case os[2] = { { sf_out, GORO_SEND, &b, 0, { 0 } }, { sf_done, GORO_RECV, NULL, 0, { 0 } } };
		if (goro_select(os, 2, -1) == 1)
			break;
	}
	test_signal_done(sf_exit);
}

GORO_TEST(TestSelectFairness, 0)
{
	for (int i = 0; i < 2; i++) {
		sf_c[i] = goro_chan_make(1, SF_TRIALS + 1);
		unsigned char v = (unsigned char)(i + 1);
		for (int k = 0; k < SF_TRIALS + 1; k++)
			ck_assert_int_eq(goro_chan_send(sf_c[i], &v), GORO_OK);
	}
	sf_c[2] = goro_chan_make(1, 0);
	sf_c[3] = goro_chan_make(1, 0);
	sf_out = goro_chan_make(1, 0);
	sf_done = goro_chan_make(1, 0);
	sf_exit = goro_chan_make(sizeof(int), 1);
	ck_assert_int_eq(goro_spawn(sf_fn, NULL), GORO_OK);
	int cnt1 = 0, cnt2 = 0;
	for (int i = 0; i < SF_TRIALS; i++) {
		unsigned char b;
		ck_assert_int_eq(goro_chan_recv(sf_out, &b), GORO_OK);
		if (b == 1)
			cnt1++;
		else if (b == 2)
			cnt2++;
		else
			ck_abort_msg("unexpected value %d on channel", b);
	}
	double r = (double)cnt1 / SF_TRIALS, e = fabs(r - 0.5);
	printf("TestSelectFairness: %d %d %f %f\n", cnt1, cnt2, r, e);
	ck_assert_msg(e <= 4.891676 / (2 * sqrt(SF_TRIALS)),
	              "unfair select: in %d trials, results were %d, %d", SF_TRIALS, cnt1, cnt2);
	ck_assert_int_eq(goro_chan_close(sf_done), GORO_OK);
	test_wait_done(sf_exit, 1);
	return 0;
}

/* ---- TestPseudoRandomSend (chan_test.go): select { c <- 1; c <- 0 } picks
 * both, unbuffered and buffered ---- */

#define PRS_N 100
static goro_chan *prs_c, *prs_done;
static int prs_l[PRS_N];

static void prs_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < PRS_N; i++) {
		goro_yield();
		ck_assert_int_eq(goro_chan_recv(prs_c, &prs_l[i]), GORO_OK);
	}
	test_signal_done(prs_done);
}

GORO_TEST(TestPseudoRandomSend, 2)
{
	prs_done = goro_chan_make(sizeof(int), 1);
	for (size_t cap = 0; cap <= PRS_N; cap += PRS_N) {
		prs_c = goro_chan_make(sizeof(int), cap);
		ck_assert_int_eq(goro_spawn(prs_fn, NULL), GORO_OK);
		int one = 1, zero = 0;
		for (int i = 0; i < PRS_N; i++) {
			goro_case cs[2] = { { prs_c, GORO_SEND, &one, 0, { 0 } }, { prs_c, GORO_SEND, &zero, 0, { 0 } } };
			ck_assert_int_ge(goro_select(cs, 2, -1), 0);
		}
		test_wait_done(prs_done, 1);
		int n0 = 0, n1 = 0;
		for (int i = 0; i < PRS_N; i++) {
			n0 += (prs_l[i] + 1) % 2;
			n1 += prs_l[i];
		}
		ck_assert_msg(n0 > PRS_N / 10 && n1 > PRS_N / 10,
		              "want pseudorandom, got %d zeros and %d ones (chan cap %zu)", n0, n1, cap);
	}
	return 0;
}

/* ---- TestSelectClosed: a send case on a closed channel is ready with
 * status CLOSED; a receive case on a closed, drained one gets CLOSED and a
 * zeroed elem, after any buffered values ---- */

GORO_TEST(TestSelectClosed, 0)
{
	goro_chan *never = goro_chan_make(sizeof(long[4]), 0);
	goro_chan *c = goro_chan_make(sizeof(long[4]), 2);
	long in[4] = { 1, 2, 3, 4 }, out[4];
	ck_assert_int_eq(goro_chan_send(c, &in), GORO_OK);
	ck_assert_int_eq(goro_chan_close(c), GORO_OK);

	for (int k = 0; k < 2; k++) {   /* blocking and non-blocking */
		int64_t to = k ? 0 : -1;
		goro_case ss[3] = {
			{ never, GORO_RECV, &out, 99, { 0 } }, { NULL, GORO_SEND, &in, 99, { 0 } }, { c, GORO_SEND, &in, 99, { 0 } },
		};
		ck_assert_int_eq(goro_select(ss, 3, to), 2);
		ck_assert_int_eq(ss[2].status, GORO_CLOSED);
		ck_assert_uint_eq(goro_chan_len(c), 1);
	}
	/* the buffered value first, then CLOSED with zeros */
	goro_case rs[2] = { { never, GORO_SEND, &in, 99, { 0 } }, { c, GORO_RECV, &out, 99, { 0 } } };
	memset(out, 0xff, sizeof out);
	ck_assert_int_eq(goro_select(rs, 2, -1), 1);
	ck_assert_int_eq(rs[1].status, GORO_OK);
	ck_assert(out[0] == 1 && out[1] == 2 && out[2] == 3 && out[3] == 4);
	for (int k = 0; k < 3; k++) {
		memset(out, 0xff, sizeof out);
		rs[1].status = 99;
		ck_assert_int_eq(goro_select(rs, 2, k == 0 ? -1 : k == 1 ? 0 : 100 * MS), 1);
		ck_assert_int_eq(rs[1].status, GORO_CLOSED);
		ck_assert(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0);
	}
	/* NULL elem discards */
	rs[1].elem = NULL;
	ck_assert_int_eq(goro_select(rs, 2, -1), 1);
	ck_assert_int_eq(rs[1].status, GORO_CLOSED);
	/* an unbuffered closed channel too */
	ck_assert_int_eq(goro_chan_close(never), GORO_OK);
	goro_case us[2] = { { never, GORO_RECV, &out, 99, { 0 } }, { never, GORO_RECV, &out, 99, { 0 } } };
	memset(out, 0xff, sizeof out);
	ck_assert_int_ge(goro_select(us, 2, -1), 0);
	ck_assert(out[0] == 0 && out[3] == 0);
	return 0;
}

/* ---- TestSelectWakeup: a parked select is woken by a send, by a
 * receive, and by a close from another goroutine ---- */

static goro_chan *wk_a, *wk_b, *wk_step;

static void wk_fn(void *arg)
{
	(void)arg;
	goro_sleep(5 * MS);
	long v = 1234;
	ck_assert_int_eq(goro_chan_send(wk_b, &v), GORO_OK);   /* wake 1: a send */
	ck_assert_int_eq(goro_chan_recv(wk_step, NULL), GORO_OK);
	goro_sleep(5 * MS);
	ck_assert_int_eq(goro_chan_recv(wk_a, &v), GORO_OK);   /* wake 2: a receive */
	ck_assert_int_eq(v, 5678);
	ck_assert_int_eq(goro_chan_recv(wk_step, NULL), GORO_OK);
	goro_sleep(5 * MS);
	ck_assert_int_eq(goro_chan_close(wk_b), GORO_OK);      /* wake 3: a close */
}

GORO_TEST(TestSelectWakeup, 1 + _i)
{
	wk_a = goro_chan_make(sizeof(long), 0);
	wk_b = goro_chan_make(sizeof(long), 0);
	wk_step = goro_chan_make(0, 0);
	ck_assert_int_eq(goro_spawn(wk_fn, NULL), GORO_OK);
	long got = -1, give = 5678;
	goro_case cs[2] = { { wk_a, GORO_RECV, &got, 99, { 0 } }, { wk_b, GORO_RECV, &got, 99, { 0 } } };
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);
	ck_assert_int_eq(cs[1].status, GORO_OK);
	ck_assert_int_eq(got, 1234);
	ck_assert_int_eq(goro_chan_send(wk_step, NULL), GORO_OK);

	goro_case ss[2] = { { wk_a, GORO_SEND, &give, 99, { 0 } }, { wk_b, GORO_SEND, &give, 99, { 0 } } };
	ck_assert_int_eq(goro_select(ss, 2, 10000 * MS), 0);
	ck_assert_int_eq(ss[0].status, GORO_OK);
	ck_assert_int_eq(goro_chan_send(wk_step, NULL), GORO_OK);

	got = -1;
	cs[0].status = cs[1].status = 99;
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);
	ck_assert_int_eq(cs[1].status, GORO_CLOSED);
	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(cs[0].status, 99);
	return 0;
}

/* ---- TestSelectForeignThread: a plain pthread selects: a timeout, a
 * default arm, and a wake-up by a goroutine's send ---- */

static goro_chan *fs_c;
static atomic_int fs_parking, fs_done;
static int fs_err;
static long long fs_elapsed;

static void *fs_thread(void *arg)
{
	(void)arg;
	int v = -1;
	goro_case cs[2] = { { fs_c, GORO_RECV, &v, 99, { 0 } }, { NULL, GORO_RECV, &v, 99, { 0 } } };
	if (goro_select(cs, 2, 0) != GORO_AGAIN)
		fs_err |= 1;
	int64_t t0 = goro_now();
	if (goro_select(cs, 2, 20 * MS) != GORO_TIMEOUT)
		fs_err |= 2;
	fs_elapsed = goro_now() - t0;
	atomic_store(&fs_parking, 1);
	if (goro_select(cs, 2, 10000 * MS) != 0 || cs[0].status != GORO_OK || v != 4321)
		fs_err |= 4;
	atomic_store_explicit(&fs_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestSelectForeignThread, 2)
{
	fs_c = goro_chan_make(sizeof(int), 0);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, fs_thread, NULL), 0);
	ck_assert(test_wait_flag(&fs_parking));
	goro_sleep(5 * MS);
	int v = 4321;
	ck_assert_int_eq(goro_chan_send(fs_c, &v), GORO_OK);
	ck_assert(test_wait_flag(&fs_done));
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(fs_err, 0);
	/* Not early; the ceiling only says the timer fired by itself, which
	 * under valgrind (threads serialised) took 5 s once. */
	ck_assert_msg(fs_elapsed >= 20 * MS && fs_elapsed < 20000 * MS,
	              "pthread's 20 ms select timed out after %lld ns", fs_elapsed);
	return 0;
}

/* ---- TestSelectInval: a bad dir, too many cases, NULL cases, a NULL send
 * elem; nothing happens to the channels ---- */

GORO_TEST(TestSelectInval, 0)
{
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	int v = 1;
	ck_assert_int_eq(goro_chan_send(c, &v), GORO_OK);
	goro_case cs[2] = { { c, GORO_RECV, &v, 99, { 0 } }, { c, 0, &v, 99, { 0 } } };
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_INVAL);
	ck_assert_int_eq(goro_select(cs, 2, -1), GORO_INVAL);
	cs[1].dir = 3;
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_INVAL);
	cs[1].dir = GORO_RECV | GORO_SEND | 4;
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_INVAL);
	cs[1].chan = NULL;   /* a bad dir is bad even on a nil channel */
	cs[1].dir = -1;
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_INVAL);
	ck_assert_int_eq(goro_select(NULL, 1, 0), GORO_INVAL);
	goro_case snd = { c, GORO_SEND, NULL, 99, { 0 } };
	ck_assert_int_eq(goro_select(&snd, 1, 0), GORO_INVAL);

	size_t big = 65537;
	goro_case *many = calloc(big, sizeof *many);
	for (size_t i = 0; i < big; i++)
		many[i] = (goro_case){ NULL, GORO_RECV, NULL, 99, { 0 } };
	many[big - 1].chan = c;
	ck_assert_int_eq(goro_select(many, big, 0), GORO_INVAL);
	/* 65536 is allowed: mostly nil channels, one ready */
	ck_assert_int_eq(goro_select(many + 1, big - 1, 0), (int)(big - 2));
	ck_assert_int_eq(many[big - 1].status, GORO_OK);
	ck_assert_int_eq(goro_chan_send(c, &v), GORO_OK);
	free(many);

	ck_assert_int_eq(cs[0].status, 99);
	ck_assert_int_eq(snd.status, 99);
	ck_assert_uint_eq(goro_chan_len(c), 1);
	v = 0;
	ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
	ck_assert_int_eq(v, 1);
	return 0;
}

/* ---- TestNonblockSelectRace, TestNonblockSelectRace2 (chan_test.go): a
 * non-blocking select sees the channels at one moment: one of c1, c2 is
 * always ready, so the default arm must never be taken ---- */

#define NBS_N TEST_SCALE(20000, 2000)
static goro_chan *nbs_c1, *nbs_c2, *nbs_done;

static void nbs_fn(void *arg)
{
	(void)arg;
	goro_case cs[2] = { { nbs_c1, GORO_RECV, NULL, 0, { 0 } }, { nbs_c2, GORO_RECV, NULL, 0, { 0 } } };
	bool ok = goro_select(cs, 2, 0) >= 0;
	ck_assert_int_eq(goro_chan_send(nbs_done, &ok), GORO_OK);
}

GORO_TEST(TestNonblockSelectRace, 2)
{
	bool use_close = _i;   /* 1: TestNonblockSelectRace2 */
	nbs_done = goro_chan_make(sizeof(bool), 1);
	for (int i = 0; i < NBS_N; i++) {
		nbs_c1 = goro_chan_make(sizeof(int), 1);
		nbs_c2 = goro_chan_make(sizeof(int), use_close ? 0 : 1);
		int one = 1;
		ck_assert_int_eq(goro_chan_send(nbs_c1, &one), GORO_OK);
		ck_assert_int_eq(goro_spawn(nbs_fn, NULL), GORO_OK);
		if (use_close)
			ck_assert_int_eq(goro_chan_close(nbs_c2), GORO_OK);
		else
			ck_assert_int_eq(goro_chan_send(nbs_c2, &one), GORO_OK);
		goro_case cs = { nbs_c1, GORO_RECV, NULL, 0, { 0 } };
		goro_select(&cs, 1, 0);
		bool ok = false;
		ck_assert_int_eq(goro_chan_recv(nbs_done, &ok), GORO_OK);
		ck_assert_msg(ok, "no chan is ready (round %d)", i);
		goro_chan_free(nbs_c1);
		goro_chan_free(nbs_c2);
	}
	return 0;
}

/* ---- TestSelectStress (chan_test.go): 4 senders and 4 receivers, one per
 * channel, plus one goroutine sending N on every channel in a single select
 * and one receiving likewise; nil-ing out a finished channel. Must not
 * deadlock; every count exact. ---- */

#define SS_N TEST_SCALE(20000, 2000)
static goro_chan *sst_c[4], *sst_wg;

static void sst_send(void *arg)
{
	int k = *(int *)arg;
	int z = 0;
	for (int i = 0; i < SS_N; i++)
		ck_assert_int_eq(goro_chan_send(sst_c[k], &z), GORO_OK);
	test_signal_done(sst_wg);
}

static void sst_recv(void *arg)
{
	int k = *(int *)arg;
	for (int i = 0; i < SS_N; i++)
		ck_assert_int_eq(goro_chan_recv(sst_c[k], NULL), GORO_OK);
	test_signal_done(sst_wg);
}

static void sst_select(void *arg)
{
	int dir = *(int *)arg;
	int n[4] = { 0 }, z = 0;
	goro_case cs[4];
	for (int k = 0; k < 4; k++)
		cs[k] = (goro_case){ sst_c[k], dir, &z, 0, { 0 } };
	for (int i = 0; i < 4 * SS_N; i++) {
		int r = goro_select(cs, 4, -1);
		ck_assert(r >= 0 && r < 4);
		ck_assert_int_eq(cs[r].status, GORO_OK);
		if (++n[r] == SS_N)
			cs[r].chan = NULL;
	}
	for (int k = 0; k < 4; k++)
		ck_assert_int_eq(n[k], SS_N);
	test_signal_done(sst_wg);
}

GORO_TEST(TestSelectStress, 2)
{
	sst_c[0] = goro_chan_make(sizeof(int), 0);
	sst_c[1] = goro_chan_make(sizeof(int), 0);
	sst_c[2] = goro_chan_make(sizeof(int), 2);
	sst_c[3] = goro_chan_make(sizeof(int), 3);
	sst_wg = goro_chan_make(sizeof(int), 10);
	for (int k = 0; k < 4; k++) {
		ck_assert_int_eq(goro_spawn_copy(sst_send, &k, sizeof k), GORO_OK);
		ck_assert_int_eq(goro_spawn_copy(sst_recv, &k, sizeof k), GORO_OK);
	}
	int dir = GORO_SEND;
	ck_assert_int_eq(goro_spawn_copy(sst_select, &dir, sizeof dir), GORO_OK);
	dir = GORO_RECV;
	ck_assert_int_eq(goro_spawn_copy(sst_select, &dir, sizeof dir), GORO_OK);
	test_wait_done(sst_wg, 10);
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(goro_chan_len(sst_c[k]), 0);
	return 0;
}

/* ---- TestSelectTimeoutStress: 16 receivers select over 4 channels with
 * a 1 ms timeout, 4 senders select over them with a 1 ms timeout and retry;
 * timeouts fire all the time, yet every value arrives exactly once ---- */

#define STO_SEND 4
#define STO_RECV 16
#define STO_N TEST_SCALE(5000, 500)
static goro_chan *sto_c[4], *sto_done;
static atomic_long sto_count, sto_timeouts;
static atomic_ullong sto_sum;
static atomic_int sto_stop;

static void sto_sender(void *arg)
{
	int id = *(int *)arg;
	for (uint64_t i = 0; i < STO_N; i++) {
		uint64_t v = (uint64_t)id * STO_N + i + 1;
		goro_case cs[4];
		for (int k = 0; k < 4; k++)
			cs[k] = (goro_case){ sto_c[k], GORO_SEND, &v, 0, { 0 } };
		int r;
		while ((r = goro_select(cs, 4, 1 * MS)) == GORO_TIMEOUT)
			atomic_fetch_add(&sto_timeouts, 1);
		ck_assert(r >= 0 && r < 4);
		ck_assert_int_eq(cs[r].status, GORO_OK);
	}
	test_signal_done(sto_done);
}

static void sto_receiver(void *arg)
{
	(void)arg;
	uint64_t sum = 0, v;
	long n = 0;
	goro_case cs[5];
	for (int k = 0; k < 4; k++)
		cs[k] = (goro_case){ sto_c[k], GORO_RECV, &v, 0, { 0 } };
	cs[4] = (goro_case){ NULL, GORO_SEND, &v, 0, { 0 } };
	for (;;) {
		int r = goro_select(cs, 5, 1 * MS);
		if (r == GORO_TIMEOUT) {
			atomic_fetch_add(&sto_timeouts, 1);
			if (atomic_load(&sto_stop))
				break;
			continue;
		}
		ck_assert(r >= 0 && r < 4);
		ck_assert_int_eq(cs[r].status, GORO_OK);
		sum += v;
		n++;
	}
	atomic_fetch_add(&sto_sum, sum);
	atomic_fetch_add(&sto_count, n);
	test_signal_done(sto_done);
}

GORO_TEST(TestSelectTimeoutStress, 2)
{
	for (int k = 0; k < 4; k++)
		sto_c[k] = goro_chan_make(sizeof(uint64_t), (size_t)k);   /* 0..3 */
	sto_done = goro_chan_make(sizeof(int), STO_SEND + STO_RECV);
	for (int i = 0; i < STO_RECV; i++)
		ck_assert_int_eq(goro_spawn_copy(sto_receiver, &i, sizeof i), GORO_OK);
	for (int i = 0; i < STO_SEND; i++)
		ck_assert_int_eq(goro_spawn_copy(sto_sender, &i, sizeof i), GORO_OK);
	test_wait_done(sto_done, STO_SEND);
	/* the senders are done; receivers drain the buffers, then stop */
	for (;;) {
		size_t left = 0;
		for (int k = 0; k < 4; k++)
			left += goro_chan_len(sto_c[k]);
		if (left == 0)
			break;
		goro_sleep(1 * MS);
	}
	atomic_store(&sto_stop, 1);
	test_wait_done(sto_done, STO_RECV);
	uint64_t total = (uint64_t)STO_SEND * STO_N;
	printf("TestSelectTimeoutStress: %ld timeouts\n", atomic_load(&sto_timeouts));
	ck_assert_int_eq(atomic_load(&sto_count), (long)total);
	ck_assert_msg(atomic_load(&sto_sum) == total * (total + 1) / 2, "sum %llu, want %llu",
	              (unsigned long long)atomic_load(&sto_sum),
	              (unsigned long long)(total * (total + 1) / 2));
	ck_assert_int_gt(atomic_load(&sto_timeouts), 0);
	return 0;
}

int main(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, TestSelectTimeout, 0, 2);
	tcase_add_test(tc, TestSelectDefault);
	tcase_add_test(tc, TestSelectNilChannel);
	tcase_add_test(tc, TestSelectNilSleep);
	tcase_add_test(tc, TestSelectSameChannel);
	tcase_add_test(tc, TestSelfSelect);
	tcase_add_test(tc, TestSelectDuplicateChannel);
	tcase_add_test(tc, TestSelectFairness);
	tcase_add_test(tc, TestPseudoRandomSend);
	tcase_add_test(tc, TestSelectClosed);
	tcase_add_loop_test(tc, TestSelectWakeup, 0, 2);
	tcase_add_test(tc, TestSelectForeignThread);
	tcase_add_test(tc, TestSelectInval);
	suite_add_tcase(s, tc);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 60);
	tcase_add_loop_test(th, TestNonblockSelectRace, 0, 2);
	tcase_add_test(th, TestSelectStress);
	tcase_add_test(th, TestSelectTimeoutStress);
	tcase_add_test(th, TestNilSelectThenPark);
	suite_add_tcase(s, th);
	return test_run_suite(s);
}
