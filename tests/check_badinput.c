/* Bad input, table-driven: every public function of include/goro.h given
 * NULL, zero, huge sizes, a closed or a freed object, a bad direction, too
 * many select cases, a negative WaitGroup, unlocks of what is not locked.
 * Each row makes one call, compares its status with the documented one and
 * checks that the object was left as it was; after every row a ping-pong
 * proves the runtime still works. A row that fails is named in the message
 * (and, if it crashes, on stderr). Covers the misuse checks of core/chan.c,
 * select.c, sync.c and proc.c (goro_main, goro_spawn*). */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "testutil.h"

/* Reading a freed channel's magic word is exactly what ASan reports as a
 * use-after-free (the allocator poisons freed objects), so rows that use a
 * freed handle only run without it. */
#ifdef GORO_ASAN   /* the build's sanitizer switch (toolchain.mk) */
#define HAVE_ASAN 1
#endif
#ifndef HAVE_ASAN
#define HAVE_ASAN 0
#endif

static const char *volatile cur_row = "(none)";

#define ROW_ASSERT(cond) ck_assert_msg((cond), "row %s: %s", cur_row, #cond)

/* A crash inside a row: name the row, then let the runtime's own handler
 * report and die as it would have. */
static struct sigaction prev_segv, prev_bus;

static void crash_named(int sig, siginfo_t *info, void *ctx)
{
	const char *r = cur_row;
	static const char pre[] = "check_badinput: crashed in row ";
	if (write(2, pre, sizeof pre - 1) < 0 || write(2, r, strlen(r)) < 0 || write(2, "\n", 1) < 0)
		(void)0;
	struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
	if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction != NULL) {
		prev->sa_sigaction(sig, info, ctx);
		return;
	}
	signal(sig, SIG_DFL);
}

/* After the runtime installed its handlers (it does so when it starts its
 * first thread), chain ours in front. */
static void install_crash_namer(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = crash_named;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &prev_segv);
	sigaction(SIGBUS, &sa, &prev_bus);
}

/* ---- the liveness probe: main and a fresh goroutine bat a counter back
 * and forth over two unbuffered channels ---- */

static void pong_fn(void *arg)
{
	goro_chan **cs = arg;
	int v;
	while (goro_chan_recv(cs[0], &v) == GORO_OK) {
		v++;
		if (goro_chan_send(cs[1], &v) != GORO_OK)
			break;
	}
	goro_chan_close(cs[1]);
}

static void ping_pong(int rounds)
{
	goro_chan *cs[2] = { goro_chan_make(sizeof(int), 0), goro_chan_make(sizeof(int), 0) };
	ck_assert_msg(cs[0] != NULL && cs[1] != NULL, "after row %s: goro_chan_make failed", cur_row);
	ck_assert_msg(goro_spawn(pong_fn, cs) == GORO_OK, "after row %s: goro_spawn failed", cur_row);
	int v = 0;
	for (int i = 0; i < rounds; i++) {
		ck_assert_msg(goro_chan_send(cs[0], &v) == GORO_OK, "after row %s: ping %d", cur_row, i);
		int w = -1;
		ck_assert_msg(goro_chan_recv(cs[1], &w) == GORO_OK && w == v + 1,
		              "after row %s: pong %d got %d", cur_row, i, w);
		v = w;
	}
	goro_chan_close(cs[0]);
	ck_assert_msg(goro_chan_recv(cs[1], NULL) == GORO_CLOSED, "after row %s: pong did not end", cur_row);
	goro_chan_free(cs[0]);
	goro_chan_free(cs[1]);
}

/* ---- rows: each returns the status of the call under test ---- */

static goro_chan *mk(size_t elem, size_t cap)
{
	goro_chan *c = goro_chan_make(elem, cap);
	ck_assert_msg(c != NULL, "row %s: goro_chan_make(%zu, %zu) failed", cur_row, elem, cap);
	return c;
}

static void nop_fn(void *arg)
{
	(void)arg;
}

/* goro_spawn, goro_spawn_copy */
static int spawn_null_fn(void) { return goro_spawn(NULL, NULL); }
static int spawn_copy_null_fn(void) { char b[8] = { 0 }; return goro_spawn_copy(NULL, b, sizeof b); }
static int spawn_copy_too_big(void)
{
	static char b[GORO_SPAWN_COPY_MAX + 1];
	return goro_spawn_copy(nop_fn, b, sizeof b);
}
static int spawn_copy_huge(void) { char b[8] = { 0 }; return goro_spawn_copy(nop_fn, b, SIZE_MAX); }
static int spawn_copy_null_args(void) { return goro_spawn_copy(nop_fn, NULL, 8); }

static atomic_int copy_ok;
static void copy_check_fn(void *arg)
{
	const unsigned char *b = arg;
	bool ok = true;
	for (int i = 0; i < GORO_SPAWN_COPY_MAX; i++)
		ok = ok && b[i] == (unsigned char)(i * 7 + 1);
	atomic_store(&copy_ok, ok ? 1 : -1);
}
static int spawn_copy_max(void)
{
	unsigned char b[GORO_SPAWN_COPY_MAX];
	for (int i = 0; i < GORO_SPAWN_COPY_MAX; i++)
		b[i] = (unsigned char)(i * 7 + 1);
	atomic_store(&copy_ok, 0);
	int st = goro_spawn_copy(copy_check_fn, b, sizeof b);
	memset(b, 0, sizeof b);   /* the goroutine has its own copy */
	if (st == GORO_OK) {
		while (atomic_load(&copy_ok) == 0)
			goro_yield();
		ROW_ASSERT(atomic_load(&copy_ok) == 1);
	}
	return st;
}
static atomic_int zero_copy_ran;
static void zero_copy_fn(void *arg)
{
	(void)arg;
	atomic_store(&zero_copy_ran, 1);
}
static int spawn_copy_zero_null(void)   /* size 0 needs no args */
{
	atomic_store(&zero_copy_ran, 0);
	int st = goro_spawn_copy(zero_copy_fn, NULL, 0);
	if (st == GORO_OK)
		ROW_ASSERT(test_wait_flag(&zero_copy_ran));
	return st;
}
static int int_nop(void *arg) { (void)arg; return 0; }
static int main_again(void) { return goro_main(NULL, int_nop, NULL); }   /* once per process */

/* goro_sleep: zero and negative return at once; INT64_MAX must not wrap
 * into "already expired" */
static int sleep_nonpositive(void)
{
	int64_t t0 = goro_now();
	goro_sleep(0);
	goro_sleep(-1);
	goro_sleep(INT64_MIN);
	ROW_ASSERT(goro_now() - t0 < 1000 * MS);
	return GORO_OK;
}
static atomic_int long_sleep_woke;
static void long_sleep_fn(void *arg)
{
	goro_sleep(*(int64_t *)arg);
	atomic_store(&long_sleep_woke, 1);
}
static int sleep_int64_max(void)
{
	static int64_t forever = INT64_MAX;
	atomic_store(&long_sleep_woke, 0);
	int st = goro_spawn(long_sleep_fn, &forever);   /* abandoned asleep */
	goro_sleep(20 * MS);
	ROW_ASSERT(atomic_load(&long_sleep_woke) == 0);
	return st;
}

/* goro_chan_make */
static int chan_make_result(goro_chan *c)
{
	if (c == NULL)
		return -100;   /* "NULL" in the table */
	goro_chan_free(c);
	return GORO_OK;
}
static int make_huge_elem(void) { return chan_make_result(goro_chan_make(SIZE_MAX, 1)); }
static int make_huge_cap(void) { return chan_make_result(goro_chan_make(1, SIZE_MAX)); }
static int make_huge_cap_zero_elem(void) { return chan_make_result(goro_chan_make(0, SIZE_MAX)); }
static int make_product_overflow(void) { return chan_make_result(goro_chan_make(SIZE_MAX / 2 + 1, 2)); }
static int make_product_overflow2(void) { return chan_make_result(goro_chan_make((size_t)1 << 33, (size_t)1 << 31)); }
static int make_elem_huge_cap0(void) { return chan_make_result(goro_chan_make(SIZE_MAX, 0)); }
static int make_zero_zero(void)
{
	goro_chan *c = goro_chan_make(0, 0);
	if (c == NULL)
		return -100;
	ROW_ASSERT(goro_chan_cap(c) == 0 && goro_chan_len(c) == 0);
	goro_chan_free(c);
	return GORO_OK;
}

/* NULL channel */
static int null_send(void) { int v = 1; return goro_chan_send(NULL, &v); }
static int null_recv(void) { int v; return goro_chan_recv(NULL, &v); }
static int null_trysend(void) { int v = 1; return goro_chan_trysend(NULL, &v); }
static int null_tryrecv(void) { int v; return goro_chan_tryrecv(NULL, &v); }
static int null_close(void) { return goro_chan_close(NULL); }
static int null_len_cap(void) { return (int)(goro_chan_len(NULL) + goro_chan_cap(NULL)); }
static int null_free(void) { goro_chan_free(NULL); return GORO_OK; }

/* NULL element */
static int send_null_elem(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int st = goro_chan_send(c, NULL);
	ROW_ASSERT(goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int trysend_null_elem(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int st = goro_chan_trysend(c, NULL);
	ROW_ASSERT(goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int send_null_elem_size0(void)   /* chan struct{}: nothing to send */
{
	goro_chan *c = mk(0, 1);
	int st = goro_chan_send(c, NULL);
	ROW_ASSERT(goro_chan_len(c) == (st == GORO_OK ? 1u : 0u));
	goro_chan_free(c);
	return st;
}
static int recv_null_elem(void)   /* discards */
{
	goro_chan *c = mk(sizeof(int), 1);
	int v = 5;
	ROW_ASSERT(goro_chan_send(c, &v) == GORO_OK);
	int st = goro_chan_recv(c, NULL);
	ROW_ASSERT(goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int tryrecv_null_elem_empty(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int st = goro_chan_tryrecv(c, NULL);
	goro_chan_free(c);
	return st;
}

/* closed channel */
static goro_chan *mk_closed(size_t cap, int buffered)
{
	goro_chan *c = mk(sizeof(int), cap);
	for (int i = 0; i < buffered; i++)
		ROW_ASSERT(goro_chan_send(c, &i) == GORO_OK);
	ROW_ASSERT(goro_chan_close(c) == GORO_OK);
	return c;
}
static int closed_close(void)
{
	goro_chan *c = mk_closed(2, 1);
	int st = goro_chan_close(c);
	ROW_ASSERT(goro_chan_len(c) == 1);   /* the buffered value survives */
	goro_chan_free(c);
	return st;
}
static int closed_send(void)
{
	goro_chan *c = mk_closed(2, 1);
	int v = 9;
	int st = goro_chan_send(c, &v);
	ROW_ASSERT(goro_chan_len(c) == 1);
	goro_chan_free(c);
	return st;
}
static int closed_trysend(void)
{
	goro_chan *c = mk_closed(0, 0);
	int v = 9;
	int st = goro_chan_trysend(c, &v);
	goro_chan_free(c);
	return st;
}
static int closed_recv_buffered_first(void)
{
	goro_chan *c = mk_closed(3, 2);
	int v = -1;
	ROW_ASSERT(goro_chan_recv(c, &v) == GORO_OK && v == 0);
	ROW_ASSERT(goro_chan_recv(c, &v) == GORO_OK && v == 1);
	v = -1;
	int st = goro_chan_recv(c, &v);
	ROW_ASSERT(v == 0);   /* zeroed */
	goro_chan_free(c);
	return st;
}
static int closed_tryrecv(void)
{
	goro_chan *c = mk_closed(0, 0);
	int v = -1;
	int st = goro_chan_tryrecv(c, &v);
	ROW_ASSERT(v == 0);
	ROW_ASSERT(goro_chan_cap(c) == 0 && goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int closed_select_send(void)   /* a send on a closed channel is ready, CLOSED */
{
	goro_chan *c = mk_closed(1, 0);
	int v = 1;
	goro_case cs[2] = { { NULL, GORO_RECV, &v, 77, { 0 } }, { c, GORO_SEND, &v, 77, { 0 } } };
	int st = goro_select(cs, 2, -1);
	ROW_ASSERT(st == 1 && cs[1].status == GORO_CLOSED);
	goro_chan_free(c);
	return st;
}

/* freed channel: used right after the free, with no allocation between */
static int freed_send(void) { goro_chan *c = mk(sizeof(int), 1); int v = 1; goro_chan_free(c); return goro_chan_send(c, &v); }
static int freed_recv(void) { goro_chan *c = mk(sizeof(int), 1); int v; goro_chan_free(c); return goro_chan_recv(c, &v); }
static int freed_trysend(void) { goro_chan *c = mk(sizeof(int), 0); int v = 1; goro_chan_free(c); return goro_chan_trysend(c, &v); }
static int freed_tryrecv(void) { goro_chan *c = mk(sizeof(int), 0); int v; goro_chan_free(c); return goro_chan_tryrecv(c, &v); }
static int freed_close(void) { goro_chan *c = mk(sizeof(int), 0); goro_chan_free(c); return goro_chan_close(c); }
static int freed_len_cap(void) { goro_chan *c = mk(sizeof(int), 4); goro_chan_free(c); return (int)(goro_chan_len(c) + goro_chan_cap(c)); }
static int freed_free(void) { goro_chan *c = mk(sizeof(int), 4); goro_chan_free(c); goro_chan_free(c); return GORO_OK; }
static int freed_select(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int v;
	goro_case cs[2] = { { NULL, GORO_RECV, &v, 77, { 0 } }, { c, GORO_RECV, &v, 77, { 0 } } };
	goro_chan_free(c);
	int st = goro_select(cs, 2, 0);
	ROW_ASSERT(cs[0].status == 77 && cs[1].status == 77);
	return st;
}
static int freed_select_one(void)   /* select's one-case fast path */
{
	goro_chan *c = mk(sizeof(int), 1);
	int v = 1;
	goro_case cs = { c, GORO_SEND, &v, 77, { 0 } };
	goro_chan_free(c);
	return goro_select(&cs, 1, -1);
}

/* free with a parked receiver: reported, leaked, still usable */
static atomic_int parked_got;
static void parked_recv_fn(void *arg)
{
	int v = -1;
	int st = goro_chan_recv(arg, &v);
	atomic_store(&parked_got, st == GORO_OK && v == 31 ? 1 : -1);
}
static int free_with_waiter(void)
{
	goro_chan *c = mk(sizeof(int), 0);
	atomic_store(&parked_got, 0);
	ROW_ASSERT(goro_spawn(parked_recv_fn, c) == GORO_OK);
	goro_sleep(TEST_SCALE(20, 100) * MS);   /* let it park */
	goro_chan_free(c);                      /* "not freed" on stderr */
	int v = 31;
	int st = goro_chan_send(c, &v);
	ROW_ASSERT(test_wait_flag(&parked_got) && atomic_load(&parked_got) == 1);
	goro_chan_free(c);
	return st;
}

/* goro_select */
static int select_null_cases(void) { return goro_select(NULL, 1, 0); }
static int select_null_zero_poll(void) { return goro_select(NULL, 0, 0); }
static int select_null_zero_timeout(void) { return goro_select(NULL, 0, 1 * MS); }
static int select_bad_dir(int dir, bool nil_chan, size_t n)
{
	goro_chan *c = mk(sizeof(int), 1);
	int v = 3;
	goro_case cs[2] = { { c, GORO_SEND, &v, 77, { 0 } }, { nil_chan ? NULL : c, dir, &v, 77, { 0 } } };
	goro_case *p = n == 1 ? &cs[1] : cs;
	int st = goro_select(p, n, 0);
	ROW_ASSERT(goro_chan_len(c) == 0);   /* the ready send case did not run */
	ROW_ASSERT(cs[0].status == 77 && cs[1].status == 77);
	goro_chan_free(c);
	return st;
}
static int select_dir0(void) { return select_bad_dir(0, false, 2); }
static int select_dir3(void) { return select_bad_dir(GORO_RECV | GORO_SEND, false, 2); }
static int select_dir_neg(void) { return select_bad_dir(-1, false, 2); }
static int select_dir_big(void) { return select_bad_dir(INT_MAX, false, 2); }
static int select_dir0_nil_chan(void) { return select_bad_dir(0, true, 2); }
static int select_dir0_one_case(void) { return select_bad_dir(0, false, 1); }
static int select_dir0_one_case_block(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int v = 3;
	goro_case cs = { c, 0, &v, 77, { 0 } };
	int st = goro_select(&cs, 1, -1);
	ROW_ASSERT(cs.status == 77 && goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int select_send_null_elem(void)
{
	goro_chan *c = mk(sizeof(int), 1);
	int v;
	goro_case cs[2] = { { NULL, GORO_RECV, &v, 77, { 0 } }, { c, GORO_SEND, NULL, 77, { 0 } } };
	int st = goro_select(cs, 2, 0);
	ROW_ASSERT(goro_chan_len(c) == 0);
	goro_chan_free(c);
	return st;
}
static int select_too_many(size_t n)
{
	/* never read: the count is rejected first */
	static goro_case one = { NULL, GORO_RECV, NULL, 0, { 0 } };
	return goro_select(&one, n, 0);
}
static int select_65537(void) { return select_too_many(65537); }
static int select_size_max(void) { return select_too_many(SIZE_MAX); }
static int select_65536_ok(void)   /* the largest allowed: the last case is the ready one */
{
	size_t n = 65536;
	goro_case *cs = calloc(n, sizeof *cs);
	ROW_ASSERT(cs != NULL);
	goro_chan *c = mk(sizeof(int), 1);
	int v = 12, got = 0;
	ROW_ASSERT(goro_chan_send(c, &v) == GORO_OK);
	for (size_t i = 0; i < n; i++)
		cs[i] = (goro_case){ NULL, GORO_RECV, NULL, 77, { 0 } };
	cs[n - 1] = (goro_case){ c, GORO_RECV, &got, 77, { 0 } };
	int st = goro_select(cs, n, 0);
	ROW_ASSERT(st != (int)(n - 1) || (got == 12 && cs[n - 1].status == GORO_OK));
	free(cs);
	goro_chan_free(c);
	return st;
}
static void late_send_fn(void *arg)
{
	goro_sleep(20 * MS);
	int v = 4;
	goro_chan_send(arg, &v);
}
static int select_timeout_int64_max(void)   /* must not wrap into "expired" */
{
	goro_chan *c = mk(sizeof(int), 0);
	int v = 0;
	goro_case cs[2] = { { c, GORO_RECV, &v, 77, { 0 } }, { NULL, GORO_SEND, &v, 77, { 0 } } };
	ROW_ASSERT(goro_spawn(late_send_fn, c) == GORO_OK);
	int st = goro_select(cs, 2, INT64_MAX);
	ROW_ASSERT(st != 0 || v == 4);
	goro_chan_free(c);
	return st;
}

/* goro_blocking_begin/end: unbalanced end does nothing */
static int blocking_end_unbalanced(void)
{
	goro_blocking_end();
	goro_blocking_begin();
	goro_blocking_end();
	goro_blocking_end();
	return GORO_OK;
}

/* WaitGroup */
static int wg_null_add(void) { return goro_wg_add(NULL, 1); }
static int wg_null_done(void) { return goro_wg_done(NULL); }
static int wg_null_wait(void) { goro_wg_wait(NULL); return GORO_OK; }
static int wg_done_at_zero(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	int st = goro_wg_done(&wg);
	ROW_ASSERT(wg.state_ == 0);
	goro_wg_wait(&wg);   /* still zero: returns */
	return st;
}
static int wg_negative(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	ROW_ASSERT(goro_wg_add(&wg, 2) == GORO_OK);
	uint64_t before = wg.state_;
	int st = goro_wg_add(&wg, -3);
	ROW_ASSERT(wg.state_ == before);
	ROW_ASSERT(goro_wg_add(&wg, -2) == GORO_OK);
	goro_wg_wait(&wg);
	return st;
}
static int wg_int64_min(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	ROW_ASSERT(goro_wg_add(&wg, 1) == GORO_OK);
	int st = goro_wg_add(&wg, INT64_MIN);
	ROW_ASSERT(goro_wg_done(&wg) == GORO_OK && wg.state_ == 0);
	return st;
}
static int wg_int64_max(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	int st = goro_wg_add(&wg, INT64_MAX);
	ROW_ASSERT(wg.state_ == 0);
	return st;
}
static int wg_overflow(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	ROW_ASSERT(goro_wg_add(&wg, INT32_MAX) == GORO_OK);
	int st = goro_wg_add(&wg, 1);
	ROW_ASSERT(goro_wg_add(&wg, -(int64_t)INT32_MAX) == GORO_OK && wg.state_ == 0);
	return st;
}
static int wg_add_zero(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	int st = goro_wg_add(&wg, 0);
	goro_wg_wait(&wg);
	return st;
}
static void wg_worker(void *arg)
{
	goro_wg_done(arg);
}
static int wg_negative_with_waiter(void)   /* rejected while someone waits */
{
	static goro_waitgroup wg = GORO_WAITGROUP_INIT;
	ROW_ASSERT(goro_wg_add(&wg, 1) == GORO_OK);
	int st = goro_wg_add(&wg, -2);
	ROW_ASSERT(goro_spawn(wg_worker, &wg) == GORO_OK);
	goro_wg_wait(&wg);
	ROW_ASSERT(wg.state_ == 0);
	return st;
}

/* Mutex */
static int mutex_unlock_unlocked(void)
{
	goro_mutex m = GORO_MUTEX_INIT;
	int st = goro_mutex_unlock(&m);
	ROW_ASSERT(m.state_ == 0);
	ROW_ASSERT(goro_mutex_trylock(&m));
	ROW_ASSERT(goro_mutex_unlock(&m) == GORO_OK);
	return st;
}
static int mutex_double_unlock(void)
{
	goro_mutex m = GORO_MUTEX_INIT;
	goro_mutex_lock(&m);
	ROW_ASSERT(goro_mutex_unlock(&m) == GORO_OK);
	int st = goro_mutex_unlock(&m);
	goro_mutex_lock(&m);   /* still usable */
	ROW_ASSERT(!goro_mutex_trylock(&m));
	ROW_ASSERT(goro_mutex_unlock(&m) == GORO_OK);
	return st;
}
static int mutex_null_unlock(void) { return goro_mutex_unlock(NULL); }

/* RWMutex */
static int rw_unlock_unlocked(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	int st = goro_rwmutex_unlock(&m);
	ROW_ASSERT(goro_rwmutex_trylock(&m));
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	return st;
}
static int rw_runlock_unlocked(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	int st = goro_rwmutex_runlock(&m);
	ROW_ASSERT(m.reader_count_ == 0);
	ROW_ASSERT(goro_rwmutex_trylock(&m));   /* no phantom reader holds it */
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	return st;
}
static int rw_runlock_twice(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	goro_rwmutex_rlock(&m);
	ROW_ASSERT(goro_rwmutex_runlock(&m) == GORO_OK);
	int st = goro_rwmutex_runlock(&m);
	ROW_ASSERT(goro_rwmutex_trylock(&m));
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	return st;
}
static int rw_runlock_while_writer(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	goro_rwmutex_lock(&m);
	int st = goro_rwmutex_runlock(&m);
	ROW_ASSERT(!goro_rwmutex_tryrlock(&m));   /* the writer still holds it */
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	ROW_ASSERT(goro_rwmutex_tryrlock(&m));
	ROW_ASSERT(goro_rwmutex_runlock(&m) == GORO_OK);
	return st;
}
static int rw_unlock_while_reader(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	goro_rwmutex_rlock(&m);
	int st = goro_rwmutex_unlock(&m);
	ROW_ASSERT(!goro_rwmutex_trylock(&m));   /* the reader still holds it */
	ROW_ASSERT(goro_rwmutex_runlock(&m) == GORO_OK);
	ROW_ASSERT(goro_rwmutex_trylock(&m));
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	return st;
}
static int rw_double_unlock(void)
{
	goro_rwmutex m = GORO_RWMUTEX_INIT;
	goro_rwmutex_lock(&m);
	ROW_ASSERT(goro_rwmutex_unlock(&m) == GORO_OK);
	int st = goro_rwmutex_unlock(&m);
	ROW_ASSERT(goro_rwmutex_tryrlock(&m));
	ROW_ASSERT(goro_rwmutex_runlock(&m) == GORO_OK);
	return st;
}

/* Cond */
static int cond_wait_unlocked(void)
{
	goro_cond c = GORO_COND_INIT;
	goro_mutex m = GORO_MUTEX_INIT;
	int st = goro_cond_wait(&c, &m);
	ROW_ASSERT(m.state_ == 0 && c.wait_ == 0 && c.notify_ == 0);
	return st;
}
static int cond_wait_null_cond(void)
{
	goro_mutex m = GORO_MUTEX_INIT;
	goro_mutex_lock(&m);
	int st = goro_cond_wait(NULL, &m);
	ROW_ASSERT(!goro_mutex_trylock(&m));   /* still held by us */
	ROW_ASSERT(goro_mutex_unlock(&m) == GORO_OK);
	return st;
}
static int cond_wait_null_mutex(void)
{
	goro_cond c = GORO_COND_INIT;
	int st = goro_cond_wait(&c, NULL);
	ROW_ASSERT(c.wait_ == 0);
	return st;
}
static int cond_signal_nobody(void)
{
	goro_cond c = GORO_COND_INIT;
	goro_cond_signal(&c);
	goro_cond_broadcast(&c);
	ROW_ASSERT(c.head_ == NULL);
	return GORO_OK;
}

/* odds and ends */
static int strerror_unknown(void)
{
	const char *s = goro_strerror(12345);
	ROW_ASSERT(s != NULL && s[0] != '\0');
	s = goro_strerror(INT_MIN);
	ROW_ASSERT(s != NULL && s[0] != '\0');
	return GORO_OK;
}

static void once_fn(void *arg)
{
	(*(int *)arg)++;
}
static int once_twice(void)
{
	goro_once o = GORO_ONCE_INIT;
	int n = 0;
	goro_once_do(&o, once_fn, &n);
	goro_once_do(&o, once_fn, &n);
	ROW_ASSERT(n == 1);
	return GORO_OK;
}

/* from a thread the runtime does not own */
static void *foreign_thread(void *arg)
{
	int *st = arg;
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	int v = 8;
	st[0] = goro_spawn(NULL, NULL);
	st[1] = goro_chan_send(NULL, &v);
	st[2] = goro_chan_send(c, NULL);
	st[3] = goro_select(NULL, 70000, 0);
	st[4] = goro_id() == 0 ? GORO_OK : -100;
	goro_blocking_begin();   /* do nothing here */
	goro_blocking_end();
	goro_chan_free(c);
	return NULL;
}
static int foreign_misuse(void)
{
	int st[5] = { 1, 1, 1, 1, 1 };
	pthread_t t;
	ROW_ASSERT(pthread_create(&t, NULL, foreign_thread, st) == 0);
	pthread_join(t, NULL);
	ROW_ASSERT(st[0] == GORO_INVAL && st[1] == GORO_INVAL && st[2] == GORO_INVAL && st[3] == GORO_INVAL);
	return st[4];
}

#define NULLCHAN (-100)   /* chan_make_result / a non-status "NULL" */

typedef struct row {
	const char *name;
	int (*fn)(void);
	int want;
	bool uses_freed;   /* skipped under ASan */
} row;

#define ROW(fn, want) { #fn, fn, want, false }
#define FREED(fn, want) { #fn, fn, want, true }

static const row rows[] = {
	ROW(spawn_null_fn, GORO_INVAL),
	ROW(spawn_copy_null_fn, GORO_INVAL),
	ROW(spawn_copy_too_big, GORO_INVAL),
	ROW(spawn_copy_huge, GORO_INVAL),
	ROW(spawn_copy_null_args, GORO_INVAL),
	ROW(spawn_copy_max, GORO_OK),
	ROW(spawn_copy_zero_null, GORO_OK),
	ROW(main_again, GORO_INVAL),
	ROW(sleep_nonpositive, GORO_OK),
	ROW(sleep_int64_max, GORO_OK),

	ROW(make_huge_elem, NULLCHAN),
	ROW(make_huge_cap, NULLCHAN),
	ROW(make_huge_cap_zero_elem, NULLCHAN),
	ROW(make_product_overflow, NULLCHAN),
	ROW(make_product_overflow2, NULLCHAN),
	ROW(make_elem_huge_cap0, NULLCHAN),
	ROW(make_zero_zero, GORO_OK),

	ROW(null_send, GORO_INVAL),
	ROW(null_recv, GORO_INVAL),
	ROW(null_trysend, GORO_INVAL),
	ROW(null_tryrecv, GORO_INVAL),
	ROW(null_close, GORO_INVAL),
	ROW(null_len_cap, 0),
	ROW(null_free, GORO_OK),

	ROW(send_null_elem, GORO_INVAL),
	ROW(trysend_null_elem, GORO_INVAL),
	ROW(send_null_elem_size0, GORO_OK),
	ROW(recv_null_elem, GORO_OK),
	ROW(tryrecv_null_elem_empty, GORO_AGAIN),

	ROW(closed_close, GORO_CLOSED),
	ROW(closed_send, GORO_CLOSED),
	ROW(closed_trysend, GORO_CLOSED),
	ROW(closed_recv_buffered_first, GORO_CLOSED),
	ROW(closed_tryrecv, GORO_CLOSED),
	ROW(closed_select_send, 1),

	FREED(freed_send, GORO_INVAL),
	FREED(freed_recv, GORO_INVAL),
	FREED(freed_trysend, GORO_INVAL),
	FREED(freed_tryrecv, GORO_INVAL),
	FREED(freed_close, GORO_INVAL),
	FREED(freed_len_cap, 0),
	FREED(freed_free, GORO_OK),
	FREED(freed_select, GORO_INVAL),
	FREED(freed_select_one, GORO_INVAL),
	ROW(free_with_waiter, GORO_OK),

	ROW(select_null_cases, GORO_INVAL),
	ROW(select_null_zero_poll, GORO_AGAIN),
	ROW(select_null_zero_timeout, GORO_TIMEOUT),
	ROW(select_dir0, GORO_INVAL),
	ROW(select_dir3, GORO_INVAL),
	ROW(select_dir_neg, GORO_INVAL),
	ROW(select_dir_big, GORO_INVAL),
	ROW(select_dir0_nil_chan, GORO_INVAL),
	ROW(select_dir0_one_case, GORO_INVAL),
	ROW(select_dir0_one_case_block, GORO_INVAL),
	ROW(select_send_null_elem, GORO_INVAL),
	ROW(select_65537, GORO_INVAL),
	ROW(select_size_max, GORO_INVAL),
	ROW(select_65536_ok, 65535),
	ROW(select_timeout_int64_max, 0),

	ROW(blocking_end_unbalanced, GORO_OK),

	ROW(wg_null_add, GORO_INVAL),
	ROW(wg_null_done, GORO_INVAL),
	ROW(wg_null_wait, GORO_OK),
	ROW(wg_done_at_zero, GORO_INVAL),
	ROW(wg_negative, GORO_INVAL),
	ROW(wg_int64_min, GORO_INVAL),
	ROW(wg_int64_max, GORO_INVAL),
	ROW(wg_overflow, GORO_INVAL),
	ROW(wg_add_zero, GORO_OK),
	ROW(wg_negative_with_waiter, GORO_INVAL),

	ROW(mutex_unlock_unlocked, GORO_INVAL),
	ROW(mutex_double_unlock, GORO_INVAL),
	ROW(mutex_null_unlock, GORO_INVAL),

	ROW(rw_unlock_unlocked, GORO_INVAL),
	ROW(rw_runlock_unlocked, GORO_INVAL),
	ROW(rw_runlock_twice, GORO_INVAL),
	ROW(rw_runlock_while_writer, GORO_INVAL),
	ROW(rw_unlock_while_reader, GORO_INVAL),
	ROW(rw_double_unlock, GORO_INVAL),

	ROW(cond_wait_unlocked, GORO_INVAL),
	ROW(cond_wait_null_cond, GORO_INVAL),
	ROW(cond_wait_null_mutex, GORO_INVAL),
	ROW(cond_signal_nobody, GORO_OK),

	ROW(strerror_unknown, GORO_OK),
	ROW(once_twice, GORO_OK),
	ROW(foreign_misuse, GORO_OK),
};

/* A row that hangs (a blocking call on a stale handle, say) would only be
 * "Test timeout expired" to Check: name it instead and end the test. */
static atomic_int row_seq;
static atomic_int table_done;

static void watchdog_fn(void *arg)
{
	(void)arg;
	const int64_t limit = TEST_SCALE(10, 40) * 1000 * MS;
	int seen = -1;
	int64_t since = goro_now();
	while (!atomic_load(&table_done)) {
		goro_sleep(50 * MS);
		int now = atomic_load(&row_seq);
		if (now != seen) {
			seen = now;
			since = goro_now();
		} else if (goro_now() - since > limit) {
			fprintf(stderr, "check_badinput: row %s still running after %lld s\n",
			        cur_row, (long long)(limit / (1000 * MS)));
			_exit(1);
		}
	}
}

static int table_main(void *arg)
{
	int procs = *(int *)arg;
	install_crash_namer();
	ck_assert_int_eq(goro_spawn(watchdog_fn, NULL), GORO_OK);
	ROW_ASSERT(goro_procs() == procs);
	int skipped = 0;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const row *r = &rows[i];
		if (r->uses_freed && HAVE_ASAN) {
			skipped++;
			continue;
		}
		cur_row = r->name;
		atomic_fetch_add(&row_seq, 1);
		int got = r->fn();
		ck_assert_msg(got == r->want, "row %s: got %d (%s), want %d (%s)", r->name,
		              got, goro_strerror(got), r->want, goro_strerror(r->want));
		ping_pong(3);
	}
	if (skipped != 0)
		fprintf(stderr, "check_badinput: %d rows with freed channels skipped under ASan "
		        "(reading a freed channel is the use-after-free it reports)\n", skipped);
	cur_row = "(after the table)";
	atomic_fetch_add(&row_seq, 1);
	ping_pong(TEST_SCALE(1000, 200));
	atomic_store(&table_done, 1);
	return 7;
}

/* goro_main's own rows run before the runtime starts (it starts once per
 * process), and goro_spawn's "runtime not running" before and after. */
static void run_table(int procs)
{
	goro_config bad_procs = { .procs = -1 };
	goro_config bad_procs_min = { .procs = INT_MIN };
	goro_config bad_stack = { .procs = 1, .stack_size = SIZE_MAX };
	goro_config bad_stack2 = { .procs = 1, .stack_size = ((size_t)1 << 30) + 1 };
	int r;

	ck_assert_msg(goro_spawn(nop_fn, NULL) == GORO_INVAL, "row spawn_before_main");
	ck_assert_msg(goro_id() == 0, "row id_outside");
	ck_assert_msg((r = goro_main(NULL, NULL, NULL)) == GORO_INVAL, "row main_null_fn: %d", r);
	ck_assert_msg((r = goro_main(&bad_procs, table_main, &procs)) == GORO_INVAL, "row main_procs_neg: %d", r);
	ck_assert_msg((r = goro_main(&bad_procs_min, table_main, &procs)) == GORO_INVAL, "row main_procs_min: %d", r);
	ck_assert_msg((r = goro_main(&bad_stack, table_main, &procs)) == GORO_INVAL, "row main_stack_huge: %d", r);
	ck_assert_msg((r = goro_main(&bad_stack2, table_main, &procs)) == GORO_INVAL, "row main_stack_1g+1: %d", r);

	goro_config cfg = { .procs = procs };
	ck_assert_int_eq(goro_main(&cfg, table_main, &procs), 7);

	cur_row = "(after goro_main returned)";
	ck_assert_msg(goro_spawn(nop_fn, NULL) == GORO_INVAL, "row spawn_after_main");
	ck_assert_msg(goro_main(&cfg, table_main, &procs) == GORO_INVAL, "row main_after_main");
}

START_TEST(TestBadInputProcs1)
{
	run_table(1);
}
END_TEST

START_TEST(TestBadInputProcs2)
{
	run_table(2);
}
END_TEST

/* ---- NULL objects where the only defence is a check on entry: the
 * statusless calls (void, or bool for "did not get it") must return and do
 * nothing, since "misuse is GORO_INVAL, never a crash"; the RWMutex
 * unlocks must say INVAL. Each row runs in its own child so that one crash
 * does not hide the others; the failure lists every row that failed. ---- */

static int nv_rw_runlock(void) { return goro_rwmutex_runlock(NULL); }
static int nv_rw_unlock(void) { return goro_rwmutex_unlock(NULL); }
static int nv_mutex_lock(void) { goro_mutex_lock(NULL); return GORO_OK; }
static int nv_mutex_trylock(void) { return goro_mutex_trylock(NULL) ? -100 : GORO_OK; }
static int nv_rw_rlock(void) { goro_rwmutex_rlock(NULL); return GORO_OK; }
static int nv_rw_lock(void) { goro_rwmutex_lock(NULL); return GORO_OK; }
static int nv_rw_tryrlock(void) { return goro_rwmutex_tryrlock(NULL) ? -100 : GORO_OK; }
static int nv_rw_trylock(void) { return goro_rwmutex_trylock(NULL) ? -100 : GORO_OK; }
static int nv_once_null(void) { goro_once_do(NULL, nop_fn, NULL); return GORO_OK; }
static int nv_once_null_fn(void) { goro_once o = GORO_ONCE_INIT; goro_once_do(&o, NULL, NULL); return GORO_OK; }
static int nv_cond_signal(void) { goro_cond_signal(NULL); return GORO_OK; }
static int nv_cond_broadcast(void) { goro_cond_broadcast(NULL); return GORO_OK; }

static const row null_rows[] = {
	{ "goro_rwmutex_runlock(NULL)", nv_rw_runlock, GORO_INVAL, false },
	{ "goro_rwmutex_unlock(NULL)", nv_rw_unlock, GORO_INVAL, false },
	{ "goro_mutex_lock(NULL)", nv_mutex_lock, GORO_OK, false },
	{ "goro_mutex_trylock(NULL)", nv_mutex_trylock, GORO_OK, false },
	{ "goro_rwmutex_rlock(NULL)", nv_rw_rlock, GORO_OK, false },
	{ "goro_rwmutex_lock(NULL)", nv_rw_lock, GORO_OK, false },
	{ "goro_rwmutex_tryrlock(NULL)", nv_rw_tryrlock, GORO_OK, false },
	{ "goro_rwmutex_trylock(NULL)", nv_rw_trylock, GORO_OK, false },
	{ "goro_once_do(NULL, fn, arg)", nv_once_null, GORO_OK, false },
	{ "goro_once_do(o, NULL, arg)", nv_once_null_fn, GORO_OK, false },
	{ "goro_cond_signal(NULL)", nv_cond_signal, GORO_OK, false },
	{ "goro_cond_broadcast(NULL)", nv_cond_broadcast, GORO_OK, false },
};

static int null_void_row;

static int null_void_main(void *arg)
{
	(void)arg;
	const row *r = &null_rows[null_void_row];
	int got = r->fn();
	if (got != r->want) {
		fprintf(stderr, "got %d, want %d", got, r->want);
		return 8;
	}
	ping_pong(3);
	return 7;
}

START_TEST(TestBadInputNullObjects)
{
	char bad[2048] = "";
	size_t n = sizeof null_rows / sizeof null_rows[0];
	for (size_t i = 0; i < n; i++) {
		fflush(NULL);
		pid_t pid = fork();
		ck_assert_int_ne(pid, -1);
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);
			if (devnull >= 0)
				dup2(devnull, 2);   /* the runtime's fault report */
			struct rlimit nocore = { 0, 0 };
			setrlimit(RLIMIT_CORE, &nocore);
			null_void_row = (int)i;
			cur_row = null_rows[i].name;
			goro_config cfg = { .procs = 2 };
			int st = goro_main(&cfg, null_void_main, NULL);
			_exit(st == 7 ? 0 : st == 8 ? 8 : 1);
		}
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			size_t k = strlen(bad);
			snprintf(bad + k, sizeof bad - k, "\n  %s: %s %d%s", null_rows[i].name,
			         WIFSIGNALED(status) ? "killed by signal" : "exit",
			         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			         WIFEXITED(status) && WEXITSTATUS(status) == 8 ? " (wrong status)" : "");
		}
	}
	ck_assert_msg(bad[0] == '\0', "rows that crashed or returned the wrong status:%s", bad);
}
END_TEST

static Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("table");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestBadInputProcs1);
	tcase_add_test(tc, TestBadInputProcs2);
	tcase_add_test(tc, TestBadInputNullObjects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(badinput_suite());
}
