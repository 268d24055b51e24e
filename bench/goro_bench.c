/* goro_bench: goro's benchmark suite; bench/go/main.go is its Go twin, case
 * for case, with the same sizes and the same output.
 *
 *   goro_bench [-procs N] [-n OPS] [case ...]
 *
 * -procs N sets GOMAXPROCS (0: all CPUs), -n overrides every selected case's
 * size (for quick runs). Without case names all cases run, in one goro_main.
 * One line per case:
 *
 *   BENCH <name> procs=<P> n=<ops> ns_per_op=<x> [key=value ...]
 *
 * A case whose result is wrong (a checksum, an unexpected status) prints
 * "BENCH-FAIL <name> ..." on stderr and makes the exit status 1.
 * `make bench` runs every case in its own process (so RSS figures do not
 * inherit earlier cases' memory), interleaved with the Go twin.
 *
 * Build: cc -O2 -pthread -Iinclude bench/goro_bench.c build/amd64/libgoro.a */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "goro.h"

static int64_t n_override;   /* -n */
static int failures;

#define FAIL(name, ...) do { \
	fprintf(stderr, "BENCH-FAIL %s: ", name); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	failures++; \
} while (0)

static int64_t size_of(int64_t dflt)
{
	return n_override > 0 ? n_override : dflt;
}

static void report(const char *name, int64_t n, int64_t ns, const char *extra)
{
	printf("BENCH %s procs=%d n=%lld ns_per_op=%.2f%s%s\n", name, goro_procs(),
	       (long long)n, n > 0 ? (double)ns / (double)n : 0.0,
	       extra && *extra ? " " : "", extra ? extra : "");
	fflush(stdout);
}

static goro_chan *mkchan(size_t elem, size_t cap)
{
	goro_chan *c = goro_chan_make(elem, cap);
	if (c == NULL) {
		fprintf(stderr, "goro_bench: goro_chan_make: out of memory\n");
		exit(2);
	}
	return c;
}

static void spawn_or_die(void (*fn)(void *), void *arg)
{
	int st = goro_spawn(fn, arg);
	if (st != GORO_OK) {
		fprintf(stderr, "goro_bench: goro_spawn: %s\n", goro_strerror(st));
		exit(2);
	}
}

static void spawn_copy_or_die(void (*fn)(void *), const void *args, size_t size)
{
	int st = goro_spawn_copy(fn, args, size);
	if (st != GORO_OK) {
		fprintf(stderr, "goro_bench: goro_spawn_copy: %s\n", goro_strerror(st));
		exit(2);
	}
}

/* Resident set size now, bytes (/proc/self/statm, second field). */
static int64_t rss_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long long size = 0, res = 0;
	if (f == NULL)
		return 0;
	if (fscanf(f, "%lld %lld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

static int64_t rss_peak(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)ru.ru_maxrss * 1024;
}

/* ---- yield ---- */

struct yield_arg {
	int64_t n;
	goro_waitgroup *wg;
};

static void yield_fn(void *p)
{
	struct yield_arg *a = p;
	for (int64_t i = 0; i < a->n; i++)
		goro_yield();
	goro_wg_done(a->wg);
}

static void bench_yield(const char *name)
{
	int64_t n = size_of(2000000);   /* switches: n/2 yields per goroutine */
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	struct yield_arg a = { n / 2, &wg };
	goro_wg_add(&wg, 2);
	int64_t t0 = goro_now();
	spawn_or_die(yield_fn, &a);
	spawn_or_die(yield_fn, &a);
	goro_wg_wait(&wg);
	report(name, n, goro_now() - t0, NULL);
}

/* ---- pingpong ---- */

struct pp_arg {
	goro_chan *ping, *pong;
	int64_t n;
};

/* A copy of the arguments: they live in bench_pingpong's frame, which is
 * gone once the last send is received, while this loop still tests i < n. */
static void pong_fn(void *p)
{
	struct pp_arg a = *(struct pp_arg *)p;
	int64_t v;
	for (int64_t i = 0; i < a.n; i++) {
		goro_chan_recv(a.ping, &v);
		v++;
		goro_chan_send(a.pong, &v);
	}
}

static void bench_pingpong(const char *name)
{
	int64_t n = size_of(500000);
	struct pp_arg a = { mkchan(sizeof(int64_t), 0), mkchan(sizeof(int64_t), 0), n };
	int64_t v = 0, t0 = goro_now();
	spawn_or_die(pong_fn, &a);
	for (int64_t i = 0; i < n; i++) {
		goro_chan_send(a.ping, &v);
		goro_chan_recv(a.pong, &v);
	}
	int64_t dt = goro_now() - t0;
	if (v != n)
		FAIL(name, "value %lld, want %lld", (long long)v, (long long)n);
	report(name, n, dt, NULL);
	goro_chan_free(a.ping);
	goro_chan_free(a.pong);
}

/* ---- prodcons0, prodcons ---- */

struct pc_arg {
	goro_chan *c;
	int64_t n;
};

static void producer_fn(void *p)
{
	struct pc_arg *a = p;
	for (int64_t i = 0; i < a->n; i++)
		goro_chan_send(a->c, &i);
	goro_chan_close(a->c);
}

static void bench_prodcons(const char *name, size_t cap, int64_t dflt)
{
	int64_t n = size_of(dflt);
	struct pc_arg a = { mkchan(sizeof(int64_t), cap), n };
	int64_t v, sum = 0, got = 0, t0 = goro_now();
	spawn_or_die(producer_fn, &a);
	while (goro_chan_recv(a.c, &v) == GORO_OK) {
		sum += v;
		got++;
	}
	int64_t dt = goro_now() - t0;
	if (got != n || sum != n * (n - 1) / 2)
		FAIL(name, "got %lld items summing %lld", (long long)got, (long long)sum);
	report(name, n, dt, NULL);
	goro_chan_free(a.c);
}

static void bench_prodcons0(const char *name) { bench_prodcons(name, 0, 500000); }
static void bench_prodcons128(const char *name) { bench_prodcons(name, 128, 5000000); }

/* ---- spawn ---- */

static void done_fn(void *p)
{
	goro_wg_done(p);
}

static void bench_spawn(const char *name)
{
	int64_t n = size_of(1000000);
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_wg_add(&wg, n);
	int64_t t0 = goro_now();
	for (int64_t i = 0; i < n; i++)
		spawn_or_die(done_fn, &wg);
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0;
	char extra[64];
	snprintf(extra, sizeof extra, "peak_rss=%lld", (long long)rss_peak());
	report(name, n, dt, extra);
}

/* ---- ring ---- */

#define RING 503

struct ring_arg {
	goro_chan *in, *out, *done;
	goro_waitgroup *wg;
};

static void ring_fn(void *p)
{
	struct ring_arg *a = p;
	int64_t tok;
	while (goro_chan_recv(a->in, &tok) == GORO_OK) {
		if (tok == 0) {
			goro_chan_send(a->done, &tok);
			continue;
		}
		tok--;
		if (goro_chan_send(a->out, &tok) != GORO_OK)
			break;
	}
	goro_wg_done(a->wg);
}

static void bench_ring(const char *name)
{
	int64_t n = size_of(1000000);
	static goro_chan *ch[RING];
	static struct ring_arg args[RING];
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_chan *done = mkchan(sizeof(int64_t), 0);
	for (int i = 0; i < RING; i++)
		ch[i] = mkchan(sizeof(int64_t), 0);
	goro_wg_add(&wg, RING);
	for (int i = 0; i < RING; i++) {
		args[i] = (struct ring_arg){ ch[i], ch[(i + 1) % RING], done, &wg };
		spawn_or_die(ring_fn, &args[i]);
	}
	int64_t tok = n, t0 = goro_now();
	goro_chan_send(ch[0], &tok);
	goro_chan_recv(done, &tok);
	int64_t dt = goro_now() - t0;
	report(name, n, dt, NULL);
	for (int i = 0; i < RING; i++)
		goro_chan_close(ch[i]);
	goro_wg_wait(&wg);
	for (int i = 0; i < RING; i++)
		goro_chan_free(ch[i]);
	goro_chan_free(done);
}

/* ---- select2, selectnb ---- */

static void bench_select2(const char *name)
{
	int64_t n = size_of(500000) & ~(int64_t)1;
	struct pc_arg a = { mkchan(sizeof(int64_t), 0), n / 2 };
	struct pc_arg b = { mkchan(sizeof(int64_t), 0), n / 2 };
	int64_t va, vb, sum = 0;
	spawn_or_die(producer_fn, &a);   /* before the clock starts, as in the Go twin */
	spawn_or_die(producer_fn, &b);
	int64_t t0 = goro_now();
	goro_case cs[2] = {
		{ a.c, GORO_RECV, &va, 0, { 0 } },
		{ b.c, GORO_RECV, &vb, 0, { 0 } },
	};
	for (int64_t i = 0; i < n; i++) {
		int k = goro_select(cs, 2, -1);
		if (k < 0) {
			FAIL(name, "select returned %d at %lld", k, (long long)i);
			break;
		}
		if (cs[k].status == GORO_CLOSED) {   /* that producer is done */
			cs[k].chan = NULL;
			i--;
			continue;
		}
		sum += k == 0 ? va : vb;
	}
	int64_t dt = goro_now() - t0;
	int64_t h = n / 2;
	if (sum != h * (h - 1))
		FAIL(name, "sum %lld, want %lld", (long long)sum, (long long)(h * (h - 1)));
	report(name, n, dt, NULL);
	/* Both producers close after their last send; wait for the closes. */
	if (cs[0].chan)
		goro_chan_recv(a.c, NULL);
	if (cs[1].chan)
		goro_chan_recv(b.c, NULL);
	goro_chan_free(a.c);
	goro_chan_free(b.c);
}

static void bench_selectnb(const char *name)
{
	int64_t n = size_of(20000000);
	goro_chan *c = mkchan(sizeof(int64_t), 0);
	int64_t v, miss = 0, t0 = goro_now();
	goro_case cs[1] = { { c, GORO_RECV, &v, 0, { 0 } } };
	for (int64_t i = 0; i < n; i++)
		miss += goro_select(cs, 1, 0) == GORO_AGAIN;
	int64_t dt = goro_now() - t0;
	if (miss != n)
		FAIL(name, "%lld of %lld selects did not return AGAIN", (long long)(n - miss), (long long)n);
	/* For comparison (no Go twin): goro_chan_tryrecv, the same operation
	 * without select's machinery; Go compiles the select above into it. */
	int64_t t1 = goro_now();
	for (int64_t i = 0; i < n; i++)
		miss += goro_chan_tryrecv(c, &v) == GORO_AGAIN;
	char extra[64];
	snprintf(extra, sizeof extra, "tryrecv_ns=%.2f", (double)(goro_now() - t1) / (double)n);
	report(name, n, dt, extra);
	goro_chan_free(c);
}

/* ---- mpmc ---- */

struct mp_arg {
	goro_chan *c;
	int64_t n;
	goro_waitgroup *wg;
	_Atomic int64_t *sum;
};

static void mp_producer(void *p)
{
	struct mp_arg *a = p;
	for (int64_t i = 0; i < a->n; i++)
		goro_chan_send(a->c, &i);
	goro_wg_done(a->wg);
}

static void mp_consumer(void *p)
{
	struct mp_arg *a = p;
	int64_t v, s = 0;
	while (goro_chan_recv(a->c, &v) == GORO_OK)
		s += v;
	atomic_fetch_add(a->sum, s);
	goro_wg_done(a->wg);
}

static void bench_mpmc(const char *name)
{
	int k = 4 * goro_procs();
	int64_t per = size_of(4000000) / k, n = per * k;
	goro_waitgroup pwg = GORO_WAITGROUP_INIT, cwg = GORO_WAITGROUP_INIT;
	_Atomic int64_t sum = 0;
	goro_chan *c = mkchan(sizeof(int64_t), 128);
	struct mp_arg pa = { c, per, &pwg, &sum }, ca = { c, 0, &cwg, &sum };
	goro_wg_add(&pwg, k);
	goro_wg_add(&cwg, k);
	int64_t t0 = goro_now();
	for (int i = 0; i < k; i++)
		spawn_or_die(mp_consumer, &ca);
	for (int i = 0; i < k; i++)
		spawn_or_die(mp_producer, &pa);
	goro_wg_wait(&pwg);
	goro_chan_close(c);
	goro_wg_wait(&cwg);
	int64_t dt = goro_now() - t0;
	if (sum != k * (per * (per - 1) / 2))
		FAIL(name, "sum %lld, want %lld", (long long)sum, (long long)(k * (per * (per - 1) / 2)));
	report(name, n, dt, NULL);
	goro_chan_free(c);
}

/* ---- chancreate ---- */

static void bench_chancreate(const char *name)
{
	int64_t n = size_of(5000000);
	int64_t v, sum = 0, t0 = goro_now();
	for (int64_t i = 0; i < n; i++) {
		goro_chan *c = mkchan(sizeof(int64_t), 1);
		goro_chan_send(c, &i);
		goro_chan_recv(c, &v);
		sum += v;
		goro_chan_free(c);
	}
	int64_t dt = goro_now() - t0;
	if (sum != n * (n - 1) / 2)
		FAIL(name, "sum %lld", (long long)sum);
	report(name, n, dt, NULL);
}

/* ---- mutex ---- */

struct mu_arg {
	goro_mutex mu;
	int64_t counter;
	int64_t per;
	goro_waitgroup wg;
};

static void mu_fn(void *p)
{
	struct mu_arg *a = p;
	for (int64_t i = 0; i < a->per; i++) {
		goro_mutex_lock(&a->mu);
		a->counter++;
		goro_mutex_unlock(&a->mu);
	}
	goro_wg_done(&a->wg);
}

static void bench_mutex(const char *name)
{
	int k = 4 * goro_procs();
	static struct mu_arg a = { GORO_MUTEX_INIT, 0, 0, GORO_WAITGROUP_INIT };
	a.per = size_of(10000000) / k;
	a.counter = 0;
	int64_t n = a.per * k;
	goro_wg_add(&a.wg, k);
	int64_t t0 = goro_now();
	for (int i = 0; i < k; i++)
		spawn_or_die(mu_fn, &a);
	goro_wg_wait(&a.wg);
	int64_t dt = goro_now() - t0;
	if (a.counter != n)
		FAIL(name, "counter %lld, want %lld", (long long)a.counter, (long long)n);
	report(name, n, dt, NULL);
}

/* ---- skynet ---- */

struct sky_arg {
	goro_chan *out;
	int64_t num, size;
};

static void skynet_fn(void *p)
{
	struct sky_arg *a = p;
	if (a->size == 1) {
		goro_chan_send(a->out, &a->num);
		return;
	}
	goro_chan *rc = mkchan(sizeof(int64_t), 10);
	int64_t sub = a->size / 10;
	for (int64_t i = 0; i < 10; i++) {
		struct sky_arg c = { rc, a->num + i * sub, sub };
		spawn_copy_or_die(skynet_fn, &c, sizeof c);
	}
	int64_t sum = 0, v;
	for (int i = 0; i < 10; i++) {
		goro_chan_recv(rc, &v);
		sum += v;
	}
	goro_chan_free(rc);
	goro_chan_send(a->out, &sum);
}

static void bench_skynet(const char *name)
{
	int64_t n = 1000000;   /* fixed: the tree of fan-out 10 needs a power of 10 */
	if (n_override > 0)
		for (n = 1; n * 10 <= n_override; n *= 10)
			;
	goro_chan *c = mkchan(sizeof(int64_t), 1);
	struct sky_arg a = { c, 0, n };
	int64_t sum, t0 = goro_now();
	spawn_copy_or_die(skynet_fn, &a, sizeof a);
	goro_chan_recv(c, &sum);
	int64_t dt = goro_now() - t0;
	int64_t total = n, x = n;
	while (x > 1) {   /* goroutines in the tree: n + n/10 + ... + 1 */
		x /= 10;
		total += x;
	}
	if (sum != n * (n - 1) / 2)
		FAIL(name, "sum %lld, want %lld", (long long)sum, (long long)(n * (n - 1) / 2));
	char extra[64];
	snprintf(extra, sizeof extra, "sum=%lld", (long long)sum);
	report(name, total, dt, extra);
	goro_chan_free(c);
}

/* ---- dsum ---- */

#define DSUM_LEAF 1

struct ds_arg {
	int64_t lo, hi;
	int64_t *out;
	goro_waitgroup *wg;
};

static _Atomic int64_t dsum_tasks;

static void dsum_fn(void *p)
{
	struct ds_arg *a = p;
	int64_t s = 0;
	if (a->hi - a->lo <= DSUM_LEAF) {
		for (int64_t i = a->lo; i < a->hi; i++)
			s += i;
	} else {
		int64_t mid = a->lo + (a->hi - a->lo) / 2, r[2];
		goro_waitgroup wg = GORO_WAITGROUP_INIT;
		goro_wg_add(&wg, 2);
		struct ds_arg l = { a->lo, mid, &r[0], &wg }, h = { mid, a->hi, &r[1], &wg };
		spawn_copy_or_die(dsum_fn, &l, sizeof l);
		spawn_copy_or_die(dsum_fn, &h, sizeof h);
		atomic_fetch_add_explicit(&dsum_tasks, 2, memory_order_relaxed);
		goro_wg_wait(&wg);
		s = r[0] + r[1];
	}
	*a->out = s;
	if (a->wg)
		goro_wg_done(a->wg);
}

static void bench_dsum(const char *name)
{
	int64_t n = size_of(1000000), sum = 0;
	struct ds_arg a = { 0, n, &sum, NULL };
	dsum_tasks = 0;
	int64_t t0 = goro_now();
	dsum_fn(&a);
	int64_t dt = goro_now() - t0;
	if (sum != n * (n - 1) / 2)
		FAIL(name, "sum %lld, want %lld", (long long)sum, (long long)(n * (n - 1) / 2));
	char extra[64];
	snprintf(extra, sizeof extra, "leaf=%d range=%lld", DSUM_LEAF, (long long)n);
	report(name, dsum_tasks, dt, extra);
}

/* ---- tree ---- */

/* A complete binary tree of goroutines: each inner node spawns two children
 * and joins them with a WaitGroup on its stack; leaves only report done.
 * Measures spawn, a new goroutine's first switch and the join, in a shape
 * that can spread over every P from the start. */
struct tree_arg {
	int depth;   /* levels below this node */
	goro_waitgroup *parent;
};

static void tree_fn(void *p)
{
	struct tree_arg *a = p;
	if (a->depth > 0) {
		goro_waitgroup wg = GORO_WAITGROUP_INIT;
		struct tree_arg c = { a->depth - 1, &wg };
		goro_wg_add(&wg, 2);
		spawn_copy_or_die(tree_fn, &c, sizeof c);
		spawn_copy_or_die(tree_fn, &c, sizeof c);
		goro_wg_wait(&wg);
	}
	goro_wg_done(a->parent);
}

static void bench_tree(const char *name)
{
	int depth = 19;   /* 2^20 - 1 goroutines */
	if (n_override > 0)
		for (depth = 0; ((int64_t)2 << (depth + 1)) - 1 <= n_override; depth++)
			;
	int64_t nodes = ((int64_t)2 << depth) - 1;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	struct tree_arg a = { depth, &wg };
	goro_wg_add(&wg, 1);
	int64_t t0 = goro_now();
	spawn_copy_or_die(tree_fn, &a, sizeof a);
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0;
	char extra[64];
	snprintf(extra, sizeof extra, "depth=%d", depth);
	report(name, nodes, dt, extra);
}

/* ---- timers ---- */

struct tm_arg {
	int64_t *late;
	uint64_t seed;
	goro_waitgroup *wg;
	goro_chan *gate;
};

/* Every sleeper waits at the gate (closed once all exist), so lateness is
 * the timers' and not the spawning loop's that holds a P meanwhile. */
static void timer_fn(void *p)
{
	struct tm_arg *a = p;
	goro_chan_recv(a->gate, NULL);
	/* 1-10 ms, uniform, from a per-goroutine splitmix64 draw */
	uint64_t z = a->seed + 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	int64_t d = 1000000 + (int64_t)(z % 9000001);
	int64_t t = goro_now();
	goro_sleep(d);
	*a->late = goro_now() - t - d;
	goro_wg_done(a->wg);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static void bench_timers(const char *name)
{
	int64_t n = size_of(100000);
	int64_t *late = calloc(n, sizeof *late);
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_chan *gate = goro_chan_make(0, 0);
	goro_wg_add(&wg, n);
	for (int64_t i = 0; i < n; i++) {
		struct tm_arg a = { &late[i], (uint64_t)i, &wg, gate };
		spawn_copy_or_die(timer_fn, &a, sizeof a);
	}
	int64_t t0 = goro_now();
	goro_chan_close(gate);
	goro_wg_wait(&wg);
	goro_chan_free(gate);
	int64_t dt = goro_now() - t0;
	double sum = 0;
	int neg = 0;
	for (int64_t i = 0; i < n; i++) {
		sum += (double)late[i];
		neg += late[i] < 0;
	}
	if (neg)
		FAIL(name, "%d sleeps returned early", neg);
	qsort(late, n, sizeof *late, cmp_i64);
	char extra[128];
	snprintf(extra, sizeof extra, "mean_us=%.1f p99_us=%.1f max_us=%.1f",
	         sum / (double)n / 1e3, (double)late[(n * 99) / 100] / 1e3,
	         (double)late[n - 1] / 1e3);
	report(name, n, dt, extra);
	free(late);
}

/* ---- timer_reset: 1,000 goroutines, each resetting its own timer to
 * 50-51 ms (1 us steps) and yielding every 16 resets; ns per reset ---- */

struct tr_arg {
	int64_t resets;
	goro_waitgroup *wg;
	goro_chan *gate;
};

static void timer_reset_fn(void *p)
{
	struct tr_arg *a = p;
	goro_chan_recv(a->gate, NULL);
	goro_timer *t = goro_timer_make(50 * GORO_MILLISECOND);
	if (t == NULL) {
		FAIL("timer_reset", "goro_timer_make: out of memory");
		goro_wg_done(a->wg);
		return;
	}
	for (int64_t i = 0; i < a->resets; i++) {
		goro_timer_reset(t, 50 * GORO_MILLISECOND + (i % 1000) * GORO_MICROSECOND);
		if (i % 16 == 15)
			goro_yield();
	}
	goro_timer_free(t);
	goro_wg_done(a->wg);
}

static void bench_timer_reset(const char *name)
{
	enum { G = 1000 };
	int64_t n = size_of(2000000), per = n / G > 0 ? n / G : 1;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_chan *gate = mkchan(0, 0);
	goro_wg_add(&wg, G);
	for (int i = 0; i < G; i++) {
		struct tr_arg a = { per, &wg, gate };
		spawn_copy_or_die(timer_reset_fn, &a, sizeof a);
	}
	int64_t t0 = goro_now();
	goro_chan_close(gate);
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0;
	goro_chan_free(gate);
	report(name, per * G, dt, NULL);
}

/* ---- ctx_cancel: a cancellable root with 10,000 children, a goroutine
 * blocked on each child's done; ns per child from cancelling the root to
 * every goroutine having seen it ---- */

struct cc_arg {
	goro_ctx *c;
	goro_waitgroup *started, *woke;
};

static void ctx_cancel_fn(void *p)
{
	struct cc_arg *a = p;
	goro_wg_done(a->started);
	goro_chan_recv(goro_ctx_done(a->c), NULL);
	goro_wg_done(a->woke);
}

static void bench_ctx_cancel(const char *name)
{
	int64_t n = size_of(10000);
	goro_ctx **cs = malloc(n * sizeof *cs);
	int64_t b0 = goro_now();
	goro_ctx *root = goro_ctx_with_cancel(goro_ctx_background());
	for (int64_t i = 0; i < n; i++)
		if ((cs[i] = goro_ctx_with_cancel(root)) == NULL) {
			FAIL(name, "goro_ctx_with_cancel: out of memory");
			exit(1);
		}
	int64_t build = goro_now() - b0;
	goro_waitgroup started = GORO_WAITGROUP_INIT, woke = GORO_WAITGROUP_INIT;
	goro_wg_add(&started, n);
	goro_wg_add(&woke, n);
	for (int64_t i = 0; i < n; i++) {
		struct cc_arg a = { cs[i], &started, &woke };
		spawn_copy_or_die(ctx_cancel_fn, &a, sizeof a);
	}
	goro_wg_wait(&started);
	goro_sleep(20 * GORO_MILLISECOND);   /* let the last ones park on done */
	int64_t t0 = goro_now();
	goro_ctx_cancel(root);
	goro_wg_wait(&woke);
	int64_t dt = goro_now() - t0;
	for (int64_t i = 0; i < n; i++)
		if (goro_ctx_err(cs[i]) != GORO_CANCELED)
			FAIL(name, "child %lld: err %d", (long long)i, goro_ctx_err(cs[i]));
	char extra[64];
	snprintf(extra, sizeof extra, "build_ns_per_child=%.1f", (double)build / (double)n);
	report(name, n, dt, extra);
	for (int64_t i = 0; i < n; i++)
		goro_ctx_free(cs[i]);
	goro_ctx_free(root);
	free(cs);
}

/* ---- afterfunc: 100,000 AfterFunc timers with random 1-10 ms delays (the
 * same splitmix64 draw as the Go twin); lateness = when fn ran minus when it
 * was due ---- */

struct af_slot {
	int64_t due, late;
	goro_waitgroup *wg;
};

static void afterfunc_fn(void *p)
{
	struct af_slot *s = p;
	s->late = goro_now() - s->due;
	goro_wg_done(s->wg);
}

static void bench_afterfunc(const char *name)
{
	int64_t n = size_of(100000);
	struct af_slot *slots = calloc(n, sizeof *slots);
	goro_timer **ts = malloc(n * sizeof *ts);
	int64_t *late = malloc(n * sizeof *late);
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_wg_add(&wg, n);
	int64_t t0 = goro_now();
	for (int64_t i = 0; i < n; i++) {
		/* splitmix64 with seed 1: state 1 + (i+1) * golden */
		uint64_t z = 1 + (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		int64_t d = (int64_t)(1000 + z % 9001) * GORO_MICROSECOND;
		slots[i].wg = &wg;
		slots[i].due = goro_now() + d;
		if ((ts[i] = goro_after_func(d, afterfunc_fn, &slots[i])) == NULL) {
			FAIL(name, "goro_after_func: out of memory");
			exit(1);
		}
	}
	int64_t create = goro_now() - t0;
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0;
	double sum = 0;
	int neg = 0;
	for (int64_t i = 0; i < n; i++) {
		late[i] = slots[i].late;
		sum += (double)late[i];
		neg += late[i] < 0;
		goro_timer_free(ts[i]);
	}
	if (neg)
		FAIL(name, "%d functions ran early", neg);
	qsort(late, n, sizeof *late, cmp_i64);
	char extra[128];
	snprintf(extra, sizeof extra, "late_mean_us=%.1f late_p99_us=%.1f create_ms=%.1f",
	         sum / (double)n / 1e3, (double)late[(n * 99) / 100] / 1e3, (double)create / 1e6);
	report(name, n, dt, extra);
	free(slots);
	free(ts);
	free(late);
}

/* ---- parked ---- */

struct pk_arg {
	goro_chan *c;
	goro_waitgroup *started, *exited;
};

static void parked_fn(void *p)
{
	struct pk_arg *a = p;
	goro_wg_done(a->started);
	goro_chan_recv(a->c, NULL);
	goro_wg_done(a->exited);
}

static void bench_parked(const char *name)
{
	int64_t n = size_of(100000);
	goro_chan **cs = malloc(n * sizeof *cs);
	struct pk_arg *args = malloc(n * sizeof *args);
	goro_waitgroup started = GORO_WAITGROUP_INIT, exited = GORO_WAITGROUP_INIT;
	for (int64_t i = 0; i < n; i++) {
		cs[i] = mkchan(0, 0);
		args[i] = (struct pk_arg){ cs[i], &started, &exited };
	}
	goro_wg_add(&started, n);
	goro_wg_add(&exited, n);
	int64_t before = rss_now(), t0 = goro_now();
	for (int64_t i = 0; i < n; i++)
		spawn_or_die(parked_fn, &args[i]);
	goro_wg_wait(&started);
	int64_t dt = goro_now() - t0;
	goro_sleep(20 * 1000000);   /* let the last ones reach their receive */
	int64_t after = rss_now();
	char extra[96];
	snprintf(extra, sizeof extra, "rss_per_g=%.0f rss_delta=%lld",
	         (double)(after - before) / (double)n, (long long)(after - before));
	report(name, n, dt, extra);
	for (int64_t i = 0; i < n; i++)
		goro_chan_close(cs[i]);
	goro_wg_wait(&exited);
	for (int64_t i = 0; i < n; i++)
		goro_chan_free(cs[i]);
	free(cs);
	free(args);
}

/* ---- sieve ---- */

struct sv_state {
	goro_chan **chans;   /* every channel, to close them all at the end */
	int64_t nchans;
	goro_waitgroup wg;
};

struct sv_arg {
	goro_chan *in, *out;
	int64_t prime;
	goro_waitgroup *wg;
};

static void generate_fn(void *p)
{
	struct sv_arg *a = p;
	for (int64_t i = 2;; i++)
		if (goro_chan_send(a->out, &i) != GORO_OK)
			break;
	goro_wg_done(a->wg);
}

static void filter_fn(void *p)
{
	struct sv_arg *a = p;
	int64_t v;
	while (goro_chan_recv(a->in, &v) == GORO_OK)
		if (v % a->prime != 0 && goro_chan_send(a->out, &v) != GORO_OK)
			break;
	goro_wg_done(a->wg);
}

static void bench_sieve(const char *name)
{
	int64_t n = size_of(5000);
	struct sv_state st = { calloc(n + 1, sizeof(goro_chan *)), 0, GORO_WAITGROUP_INIT };
	int64_t prime = 0, t0 = goro_now();
	goro_chan *ch = mkchan(sizeof(int64_t), 0);
	st.chans[st.nchans++] = ch;
	goro_wg_add(&st.wg, 1);
	struct sv_arg g = { NULL, ch, 0, &st.wg };
	spawn_copy_or_die(generate_fn, &g, sizeof g);
	for (int64_t i = 0; i < n; i++) {
		goro_chan_recv(ch, &prime);
		if (i == n - 1)
			break;
		goro_chan *ch1 = mkchan(sizeof(int64_t), 0);
		st.chans[st.nchans++] = ch1;
		goro_wg_add(&st.wg, 1);
		struct sv_arg f = { ch, ch1, prime, &st.wg };
		spawn_copy_or_die(filter_fn, &f, sizeof f);
		ch = ch1;
	}
	int64_t dt = goro_now() - t0;
	if (n == 5000 && prime != 48611)
		FAIL(name, "5000th prime %lld, want 48611", (long long)prime);
	char extra[64];
	snprintf(extra, sizeof extra, "last=%lld", (long long)prime);
	report(name, n, dt, extra);
	for (int64_t i = 0; i < st.nchans; i++)
		goro_chan_close(st.chans[i]);
	goro_wg_wait(&st.wg);
	for (int64_t i = 0; i < st.nchans; i++)
		goro_chan_free(st.chans[i]);
	free(st.chans);
}

/* ---- echo_pingpong, echo_stream, idle_conns: TCP on 127.0.0.1 ---- */

/* RLIMIT_NOFILE's soft limit up to the hard one (Go 1.19 does this at start),
 * returning the limit now in force. */
static int64_t raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	return (int64_t)rl.rlim_cur;
}

/* The process's OS threads (Threads: in /proc/self/status). Neither runtime
 * ends its threads in these cases, so at the end of a case this is also the
 * peak. */
static long threads_now(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Threads:", 8) == 0) {
			v = atol(line + 8);
			break;
		}
	fclose(f);
	return v;
}

/* The process's CPU time, user and system, ns: what a case costs however
 * loaded the machine is (a shared box's wall clock also counts others). */
static int64_t cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

#define ECHO_MSG 512    /* bytes per message, both directions */
#define ECHO_BUF 4096   /* the server's read buffer */

static void die_status(const char *what, int st)
{
	fprintf(stderr, "goro_bench: %s: %s\n", what, goro_strerror(st));
	exit(2);
}

/* io.ReadFull: all of len bytes, or the first error. */
static int read_full(goro_fd f, void *buf, size_t len)
{
	size_t got = 0, n;
	while (got < len) {
		int st = goro_read(f, (char *)buf + got, len - got, &n);
		if (st != GORO_OK)
			return st;
		got += n;
	}
	return GORO_OK;
}

/* The server's goroutine per connection: write back what it reads. */
static void echo_serve(void *p)
{
	goro_fd c = *(goro_fd *)p;
	char buf[ECHO_BUF];
	size_t n, w;
	while (goro_read(c, buf, sizeof buf, &n) == GORO_OK)
		if (goro_write(c, buf, n, &w) != GORO_OK)
			break;
	goro_fd_close(c);
}

struct listener {
	goro_fd l;
	void (*serve)(void *);   /* runs with a pointer to the connection's goro_fd */
	char addr[32];           /* "127.0.0.1:port" */
};

static void accept_loop(void *p)
{
	struct listener *ls = p;
	goro_fd c;
	while (goro_accept(ls->l, &c, NULL, NULL) == GORO_OK)
		spawn_copy_or_die(ls->serve, &c, sizeof c);
}

/* A listener on 127.0.0.1 (any port) whose accept loop gives every
 * connection a goroutine running serve. */
static void echo_listen(struct listener *ls, void (*serve)(void *))
{
	int st = goro_listen("tcp", "127.0.0.1:0", &ls->l);
	if (st != GORO_OK)
		die_status("goro_listen", st);
	snprintf(ls->addr, sizeof ls->addr, "127.0.0.1:%d", goro_fd_port(ls->l));
	ls->serve = serve;
	spawn_or_die(accept_loop, ls);
}

static goro_fd dial_or_die(const char *addr)
{
	goro_fd c;
	int st = goro_dial("tcp", addr, -1, &c);
	if (st != GORO_OK)
		die_status("goro_dial", st);
	return c;
}

struct echo_client {
	goro_fd c;
	int64_t rounds;   /* round trips, or messages for echo_stream */
	int i;
	goro_chan *gate;
	goro_waitgroup *wg;
	_Atomic int64_t *bad;
};

static void pingpong_client(void *p)
{
	struct echo_client *a = p;
	char msg[ECHO_MSG] = { 0 }, got[ECHO_MSG];
	size_t w;
	goro_chan_recv(a->gate, NULL);
	for (int64_t r = 0; r < a->rounds; r++) {
		msg[0] = (char)r;
		msg[ECHO_MSG - 1] = (char)a->i;
		if (goro_write(a->c, msg, sizeof msg, &w) != GORO_OK) {
			atomic_fetch_add(a->bad, 1);
			break;
		}
		if (read_full(a->c, got, sizeof got) != GORO_OK ||
		    got[0] != msg[0] || got[ECHO_MSG - 1] != msg[ECHO_MSG - 1]) {
			atomic_fetch_add(a->bad, 1);
			break;
		}
	}
	goro_wg_done(a->wg);
}

static void bench_echo_pingpong(const char *name)
{
	enum { CONNS = 1000 };
	static struct echo_client cl[CONNS];
	static struct listener ls;
	raise_nofile();
	int64_t rounds = size_of(200000) / CONNS;
	if (rounds < 1)
		rounds = 1;
	int64_t n = rounds * CONNS;
	goro_chan *gate = mkchan(0, 0);
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	_Atomic int64_t bad = 0;
	echo_listen(&ls, echo_serve);
	for (int i = 0; i < CONNS; i++)
		cl[i] = (struct echo_client){ dial_or_die(ls.addr), rounds, i, gate, &wg, &bad };
	goro_wg_add(&wg, CONNS);
	for (int i = 0; i < CONNS; i++)
		spawn_or_die(pingpong_client, &cl[i]);
	int64_t c0 = cpu_now(), t0 = goro_now();
	goro_chan_close(gate);
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0, cpu = cpu_now() - c0;
	if (bad != 0)
		FAIL(name, "%lld connections failed", (long long)bad);
	char extra[96];
	snprintf(extra, sizeof extra, "conns=%d size=%d threads=%ld cpu_ns=%.2f", CONNS, ECHO_MSG,
	         threads_now(), (double)cpu / (double)n);
	report(name, n, dt, extra);
	for (int i = 0; i < CONNS; i++)
		goro_fd_close(cl[i].c);
	goro_fd_close(ls.l);
	goro_chan_free(gate);
}

static void stream_writer(void *p)
{
	struct echo_client *a = p;
	char msg[ECHO_MSG] = { 0 };
	size_t w;
	goro_chan_recv(a->gate, NULL);
	for (int64_t k = 0; k < a->rounds; k++) {
		msg[0] = (char)k;
		if (goro_write(a->c, msg, sizeof msg, &w) != GORO_OK) {
			atomic_fetch_add(a->bad, 1);
			break;
		}
	}
	goro_wg_done(a->wg);
}

static void stream_reader(void *p)
{
	struct echo_client *a = p;
	char got[ECHO_MSG];
	goro_chan_recv(a->gate, NULL);
	for (int64_t k = 0; k < a->rounds; k++)
		if (read_full(a->c, got, sizeof got) != GORO_OK || got[0] != (char)k) {
			atomic_fetch_add(a->bad, 1);
			break;
		}
	goro_wg_done(a->wg);
}

static void bench_echo_stream(const char *name)
{
	enum { CONNS = 4 };
	static struct echo_client cl[CONNS];
	static struct listener ls;
	int64_t per = size_of(1000000) / CONNS;
	if (per < 1)
		per = 1;
	int64_t n = per * CONNS;
	goro_chan *gate = mkchan(0, 0);
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	_Atomic int64_t bad = 0;
	echo_listen(&ls, echo_serve);
	for (int i = 0; i < CONNS; i++)
		cl[i] = (struct echo_client){ dial_or_die(ls.addr), per, i, gate, &wg, &bad };
	goro_wg_add(&wg, 2 * CONNS);
	for (int i = 0; i < CONNS; i++) {
		spawn_or_die(stream_writer, &cl[i]);
		spawn_or_die(stream_reader, &cl[i]);
	}
	int64_t c0 = cpu_now(), t0 = goro_now();
	goro_chan_close(gate);
	goro_wg_wait(&wg);
	int64_t dt = goro_now() - t0, cpu = cpu_now() - c0;
	if (bad != 0)
		FAIL(name, "%lld goroutines failed", (long long)bad);
	char extra[96];
	snprintf(extra, sizeof extra, "conns=%d size=%d threads=%ld cpu_ns=%.2f", CONNS, ECHO_MSG,
	         threads_now(), (double)cpu / (double)n);
	report(name, n, dt, extra);
	for (int i = 0; i < CONNS; i++)
		goro_fd_close(cl[i].c);
	goro_fd_close(ls.l);
	goro_chan_free(gate);
}

static goro_waitgroup idle_started = GORO_WAITGROUP_INIT, idle_exited = GORO_WAITGROUP_INIT;

static void idle_serve(void *p)
{
	goro_fd c = *(goro_fd *)p;
	char b[16];
	size_t n;
	goro_wg_done(&idle_started);
	goro_read(c, b, sizeof b, &n);   /* blocks until the client closes */
	goro_fd_close(c);
	goro_wg_done(&idle_exited);
}

static void bench_idle_conns(const char *name)
{
	static struct listener ls;
	/* Two descriptors a connection, and a few for the runtime and the listener. */
	int64_t n = size_of(10000), fit = (raise_nofile() - 64) / 2;
	if (n > fit)
		n = fit;
	goro_fd *cs = malloc(n * sizeof *cs);
	goro_wg_add(&idle_started, n);
	goro_wg_add(&idle_exited, n);
	int64_t before = rss_now();
	echo_listen(&ls, idle_serve);
	int64_t c0 = cpu_now(), t0 = goro_now();
	for (int64_t i = 0; i < n; i++)
		cs[i] = dial_or_die(ls.addr);
	goro_wg_wait(&idle_started);
	int64_t dt = goro_now() - t0, cpu = cpu_now() - c0;
	goro_sleep(20 * 1000000);   /* let the last ones reach their read */
	int64_t after = rss_now();
	char extra[128];
	snprintf(extra, sizeof extra, "rss_per_conn=%.0f rss_delta=%lld threads=%ld cpu_ns=%.2f",
	         (double)(after - before) / (double)n, (long long)(after - before), threads_now(),
	         (double)cpu / (double)n);
	report(name, n, dt, extra);
	for (int64_t i = 0; i < n; i++)
		goro_fd_close(cs[i]);
	goro_wg_wait(&idle_exited);
	goro_fd_close(ls.l);
	free(cs);
}

/* ---- driver ---- */

static const struct bench {
	const char *name;
	void (*fn)(const char *);
} benches[] = {
	{ "yield", bench_yield },
	{ "pingpong", bench_pingpong },
	{ "prodcons0", bench_prodcons0 },
	{ "prodcons", bench_prodcons128 },
	{ "spawn", bench_spawn },
	{ "ring", bench_ring },
	{ "select2", bench_select2 },
	{ "selectnb", bench_selectnb },
	{ "mpmc", bench_mpmc },
	{ "chancreate", bench_chancreate },
	{ "mutex", bench_mutex },
	{ "skynet", bench_skynet },
	{ "dsum", bench_dsum },
	{ "tree", bench_tree },
	{ "timers", bench_timers },
	{ "timer_reset", bench_timer_reset },
	{ "ctx_cancel", bench_ctx_cancel },
	{ "afterfunc", bench_afterfunc },
	{ "parked", bench_parked },
	{ "sieve", bench_sieve },
	{ "echo_pingpong", bench_echo_pingpong },
	{ "echo_stream", bench_echo_stream },
	{ "idle_conns", bench_idle_conns },
};
#define NBENCH (sizeof benches / sizeof benches[0])

struct run {
	const struct bench *sel[64];
	int nsel;
};

static int bench_main(void *p)
{
	struct run *r = p;
	for (int i = 0; i < r->nsel; i++)
		r->sel[i]->fn(r->sel[i]->name);
	return failures ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: goro_bench [-procs N] [-n OPS] [case ...]\ncases:");
	for (size_t i = 0; i < NBENCH; i++)
		fprintf(stderr, " %s", benches[i].name);
	fputc('\n', stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	goro_config cfg = { 0, 0 };
	struct run r = { .nsel = 0 };
	int procs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-')
			a++;
		if (strcmp(a, "-procs") == 0 && i + 1 < argc) {
			procs = atoi(argv[++i]);
		} else if (strncmp(a, "-procs=", 7) == 0) {
			procs = atoi(a + 7);
		} else if (strcmp(a, "-n") == 0 && i + 1 < argc) {
			n_override = atoll(argv[++i]);
		} else if (strncmp(a, "-n=", 3) == 0) {
			n_override = atoll(a + 3);
		} else if (a[0] == '-') {
			usage();
		} else {
			size_t k;
			for (k = 0; k < NBENCH; k++)
				if (strcmp(a, benches[k].name) == 0)
					break;
			if (k == NBENCH || r.nsel == 64) {
				fprintf(stderr, "goro_bench: unknown case %s\n", a);
				usage();
			}
			r.sel[r.nsel++] = &benches[k];
		}
	}
	if (r.nsel == 0)
		for (size_t k = 0; k < NBENCH; k++)
			r.sel[r.nsel++] = &benches[k];
	if (procs <= 0) {
		/* 0 means all CPUs, whatever GORO_PROCS says: like the Go twin */
		long nc = sysconf(_SC_NPROCESSORS_ONLN);
		procs = nc > 0 ? (int)nc : 1;
	}
	cfg.procs = procs;
	int rc = goro_main(&cfg, bench_main, &r);
	if (rc < 0) {
		fprintf(stderr, "goro_bench: goro_main: %s\n", goro_strerror(rc));
		return 2;
	}
	return rc;
}
