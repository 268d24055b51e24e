/* Randomized stress and soak: thousands of goroutines mixing every
 * operation (send, receive, the try forms, select with and without a
 * timeout, close, sleep, mutex, rwmutex, WaitGroup, spawn) over channels of
 * several capacities, which a closer goroutine keeps retiring (close) and
 * replacing. Every value sent is a unique token; what was sent (OK) and
 * what was received are counted, summed and hashed, and after a final
 * drain they must match exactly: nothing lost, nothing duplicated.
 *
 *   GORO_STRESS_SEED=n      reproduce a run's random choices (printed at start
 *                           and on failure; scheduling still varies)
 *   GORO_STRESS_SECONDS=s   run length per procs setting (default: a short
 *                           run); the soak is this binary with s large
 *                           (Check's timeout follows s)
 *
 * Exercises core/chan.c, select.c, sync.c, sema.c, time.c and proc.c
 * together, at procs=1 and procs=2. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define US 1000LL

#define NWORKERS TEST_SCALE(2000, 300)
#define NSLOTS 16

/* ---- configuration from the environment ---- */

static uint64_t stress_seed;
static double stress_seconds;

static void read_env(void)
{
	const char *s = getenv("GORO_STRESS_SEED");
	if (s != NULL && *s != '\0') {
		stress_seed = strtoull(s, NULL, 0);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		stress_seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
	}
	stress_seconds = TEST_SCALE(2.0, 1.0);
	s = getenv("GORO_STRESS_SECONDS");
	if (s != NULL && *s != '\0') {
		double d = strtod(s, NULL);
		if (d > 0)
			stress_seconds = d;
	}
}

#define FAIL_IF(cond, ...) do { \
	if (cond) { \
		char msg_[512]; \
		snprintf(msg_, sizeof msg_, __VA_ARGS__); \
		ck_abort_msg("%s [GORO_STRESS_SEED=%" PRIu64 " procs=%d]", msg_, stress_seed, goro_procs()); \
	} \
} while (0)

/* ---- randomness: splitmix64 per goroutine ---- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15u;
	return mix64(*s);
}

static unsigned rndn(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

/* ---- accounting: count, sum and a hash sum of tokens, each side ---- */

typedef struct tally {
	atomic_uint_fast64_t n, sum, hsum;
} tally;

static tally sent, recvd;

static void tally_add(tally *t, uint64_t tok)
{
	/* relaxed: read after every goroutine has finished (WaitGroup) */
	atomic_fetch_add_explicit(&t->n, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->sum, tok, memory_order_relaxed);
	atomic_fetch_add_explicit(&t->hsum, mix64(tok ^ 0x5bd1e995u), memory_order_relaxed);
}

static atomic_uint_fast64_t bad_tokens;

static void got_token(uint64_t tok)
{
	if (tok == 0)
		atomic_fetch_add(&bad_tokens, 1);
	tally_add(&recvd, tok);
}

/* A token: a goroutine number (never reused) and its own counter, + 1 so
 * that 0 (a closed channel's zero value) is never a token. */
static atomic_uint_fast64_t next_gid;

typedef struct worker {
	uint64_t rng;
	uint64_t gid;
	uint64_t seq;
} worker;

static uint64_t token(worker *w)
{
	return (w->gid << 32 | ++w->seq) + 1;
}

/* ---- the channels: NSLOTS current ones. Every operation holds its
 * slot's RWMutex for reading around the load of the channel and its use;
 * retiring a slot closes its channel (which wakes everyone parked on it),
 * takes the slot for writing (waiting out those users), swaps in a fresh
 * channel, drains the old one into the tally and frees it. So the soak
 * runs in bounded memory, and no channel is used after its free. ---- */

static const size_t caps[NSLOTS] = { 0, 0, 0, 0, 1, 1, 2, 3, 4, 8, 16, 32, 64, 0, 1, 128 };
static goro_chan *slots[NSLOTS];           /* slot_rw[i] */
static goro_rwmutex slot_rw[NSLOTS];
static goro_mutex slots_mu = GORO_MUTEX_INIT;   /* one retirer at a time; stopped */
static bool stopped;                       /* slots_mu */
static atomic_int stop;
static atomic_uint_fast64_t closes, make_failures, drained;

static uint64_t drain(goro_chan *c);

static unsigned pick(worker *w)
{
	return rndn(&w->rng, NSLOTS);
}

static goro_chan *hold(unsigned i)
{
	goro_rwmutex_rlock(&slot_rw[i]);
	return slots[i];
}

static void release(unsigned i)
{
	if (goro_rwmutex_runlock(&slot_rw[i]) != GORO_OK)
		atomic_fetch_add(&bad_tokens, 1u << 28);
}

/* Retire slot i: close, wait out its users, replace, drain, free. */
static void retire(unsigned i)
{
	goro_mutex_lock(&slots_mu);
	if (!stopped) {
		goro_chan *c = goro_chan_make(sizeof(uint64_t), caps[i]);
		if (c != NULL) {
			goro_chan *old = slots[i];   /* only retire writes it, under slots_mu */
			if (goro_chan_close(old) != GORO_OK)
				atomic_fetch_add(&bad_tokens, 1u << 20);
			goro_rwmutex_lock(&slot_rw[i]);
			slots[i] = c;
			goro_rwmutex_unlock(&slot_rw[i]);
			atomic_fetch_add(&drained, drain(old));
			goro_chan_free(old);
			atomic_fetch_add(&closes, 1);
		} else {
			atomic_fetch_add(&make_failures, 1);
		}
	}
	goro_mutex_unlock(&slots_mu);
}

/* ---- shared state under the mutexes ---- */

static goro_mutex mu = GORO_MUTEX_INIT;
static uint64_t mu_counter;               /* mu */
static atomic_uint_fast64_t mu_ops;

static goro_rwmutex rw = GORO_RWMUTEX_INIT;
static uint64_t rw_a, rw_b;               /* rw; a == b outside a writer */
static atomic_uint_fast64_t rw_torn;

static goro_waitgroup all = GORO_WAITGROUP_INIT;  /* every goroutine of the test */
static atomic_uint_fast64_t spawns, spawn_failures, ops;

static void op_send(worker *w, bool try)
{
	unsigned i = pick(w);
	goro_chan *c = hold(i);
	uint64_t tok = token(w);
	int st = try ? goro_chan_trysend(c, &tok) : goro_chan_send(c, &tok);
	release(i);
	if (st == GORO_OK)
		tally_add(&sent, tok);
}

static void op_recv(worker *w, bool try)
{
	unsigned i = pick(w);
	goro_chan *c = hold(i);
	uint64_t tok = 0xdead;
	int st = try ? goro_chan_tryrecv(c, &tok) : goro_chan_recv(c, &tok);
	release(i);
	if (st == GORO_OK)
		got_token(tok);
	else if (st == GORO_CLOSED && tok != 0)
		atomic_fetch_add(&bad_tokens, 1);   /* a closed receive zeroes */
}

/* A select over 1..4 random cases, some nil; timeout < 0, 0 or > 0. The
 * slots are held in ascending order (a retirer waits for its slot's users
 * while users of lower slots may wait for it). */
static void op_select(worker *w)
{
	goro_case cs[4];
	uint64_t vals[4];
	int slot_of[4];
	bool held[NSLOTS] = { false };
	unsigned n = 1 + rndn(&w->rng, 4);
	bool any_chan = false;
	for (unsigned i = 0; i < n; i++) {
		bool nil = rndn(&w->rng, 8) == 0;
		slot_of[i] = nil ? -1 : (int)pick(w);
		if (!nil)
			held[slot_of[i]] = true;
		any_chan |= !nil;
	}
	for (unsigned k = 0; k < NSLOTS; k++)
		if (held[k])
			hold(k);
	for (unsigned i = 0; i < n; i++) {
		cs[i].chan = slot_of[i] < 0 ? NULL : slots[slot_of[i]];
		cs[i].dir = rndn(&w->rng, 2) ? GORO_SEND : GORO_RECV;
		vals[i] = cs[i].dir == GORO_SEND ? token(w) : 0xdead;
		cs[i].elem = &vals[i];
		cs[i].status = 77;
	}
	int64_t timeout;
	switch (rndn(&w->rng, 3)) {
	case 0: timeout = any_chan ? -1 : 0; break;   /* never all-nil forever */
	case 1: timeout = 0; break;
	default: timeout = (int64_t)rndn(&w->rng, 200) * US; break;
	}
	int r = goro_select(cs, n, timeout);
	for (unsigned k = NSLOTS; k-- > 0;)
		if (held[k])
			release(k);
	if (r == GORO_AGAIN || r == GORO_TIMEOUT)
		return;
	if (r < 0 || (unsigned)r >= n) {
		atomic_fetch_add(&bad_tokens, 1u << 24);
		return;
	}
	if (cs[r].dir == GORO_SEND) {
		if (cs[r].status == GORO_OK)
			tally_add(&sent, vals[r]);
	} else if (cs[r].status == GORO_OK) {
		got_token(vals[r]);
	} else if (vals[r] != 0) {
		atomic_fetch_add(&bad_tokens, 1);
	}
}

static void op_mutex(worker *w)
{
	goro_mutex_lock(&mu);
	uint64_t v = mu_counter;
	if (rndn(&w->rng, 4) == 0)
		goro_yield();   /* hold it across a switch */
	mu_counter = v + 1;
	goro_mutex_unlock(&mu);
	atomic_fetch_add(&mu_ops, 1);
}

static void op_rwmutex(worker *w)
{
	if (rndn(&w->rng, 4) == 0) {
		goro_rwmutex_lock(&rw);
		rw_a++;
		if (rndn(&w->rng, 2) == 0)
			goro_yield();
		rw_b++;
		goro_rwmutex_unlock(&rw);
	} else {
		goro_rwmutex_rlock(&rw);
		uint64_t a = rw_a;
		goro_yield();
		uint64_t b = rw_b;
		goro_rwmutex_runlock(&rw);
		if (a != b)
			atomic_fetch_add(&rw_torn, 1);
	}
}

static void run_ops(worker *w, int count);

/* A spawned helper: a few operations, then Done on its group(s). */
typedef struct helper_args {
	uint64_t seed;
	goro_waitgroup *group;   /* the spawner's local WaitGroup, or NULL */
} helper_args;

static void helper_fn(void *arg)
{
	helper_args a;
	memcpy(&a, arg, sizeof a);   /* spawn_copy's copy, on our stack */
	worker w = { a.seed, atomic_fetch_add(&next_gid, 1) + 1, 0 };
	run_ops(&w, 1 + rndn(&w.rng, 8));
	if (a.group != NULL)
		goro_wg_done(a.group);
	goro_wg_done(&all);
}

/* Spawn 1..4 helpers and, half the time, wait for them on a WaitGroup on
 * this stack (freed as soon as Wait returns). */
static void op_spawn(worker *w, int depth)
{
	goro_waitgroup local = GORO_WAITGROUP_INIT;
	bool wait = depth == 0 && rndn(&w->rng, 2) == 0;
	unsigned k = 1 + rndn(&w->rng, 4);
	for (unsigned i = 0; i < k; i++) {
		helper_args a = { rnd(&w->rng), wait ? &local : NULL };
		goro_wg_add(&all, 1);
		if (wait)
			goro_wg_add(&local, 1);
		if (goro_spawn_copy(helper_fn, &a, sizeof a) != GORO_OK) {
			atomic_fetch_add(&spawn_failures, 1);
			if (wait)
				goro_wg_done(&local);
			goro_wg_done(&all);
			continue;
		}
		atomic_fetch_add(&spawns, 1);
	}
	if (wait)
		goro_wg_wait(&local);
}

static void run_ops(worker *w, int count)
{
	for (int i = 0; i < count && !atomic_load_explicit(&stop, memory_order_relaxed); i++) {
		atomic_fetch_add_explicit(&ops, 1, memory_order_relaxed);
		unsigned op = rndn(&w->rng, 100);
		if (op < 20)
			op_send(w, false);
		else if (op < 40)
			op_recv(w, false);
		else if (op < 45)
			op_send(w, true);
		else if (op < 50)
			op_recv(w, true);
		else if (op < 72)
			op_select(w);
		else if (op < 80)
			goro_sleep((int64_t)rndn(&w->rng, 100) * US);
		else if (op < 86)
			op_mutex(w);
		else if (op < 90)
			op_rwmutex(w);
		else if (op < 90 + (rndn(&w->rng, 50) == 0))
			retire(rndn(&w->rng, NSLOTS));
		else if (op < 95 && w->gid <= (uint64_t)NWORKERS)
			op_spawn(w, 0);   /* workers spawn; helpers do not */
		else
			goro_yield();
	}
}

static void worker_fn(void *arg)
{
	worker w = { stress_seed ^ mix64((uint64_t)(uintptr_t)arg), (uint64_t)(uintptr_t)arg, 0 };
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		run_ops(&w, 64);
	goro_wg_done(&all);
}

/* Keeps blocked goroutines moving: every 1-2 ms a channel is retired,
 * which wakes whoever was parked on it. */
static void closer_fn(void *arg)
{
	uint64_t rng = stress_seed ^ 0xc105e;
	(void)arg;
	while (!atomic_load(&stop)) {
		goro_sleep((1 + (int64_t)rndn(&rng, 2)) * MS);
		retire(rndn(&rng, NSLOTS));
	}
	goro_wg_done(&all);
}

static void waiter_fn(void *arg)
{
	goro_wg_wait(&all);
	int one = 1;
	goro_chan_send(arg, &one);
}

/* Take everything still buffered in c; it is closed, so this ends. */
static uint64_t drain(goro_chan *c)
{
	uint64_t n = 0, tok;
	int st;
	while ((st = goro_chan_tryrecv(c, &tok)) == GORO_OK) {
		got_token(tok);
		n++;
	}
	FAIL_IF(st != GORO_CLOSED, "drain: tryrecv on a closed channel gave %d", st);
	return n;
}

static int stress_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < NSLOTS; i++) {
		slot_rw[i] = (goro_rwmutex)GORO_RWMUTEX_INIT;
		slots[i] = goro_chan_make(sizeof(uint64_t), caps[i]);
		FAIL_IF(slots[i] == NULL, "goro_chan_make");
	}
	atomic_store(&next_gid, (uint64_t)NWORKERS);   /* helpers number above the workers */
	goro_wg_add(&all, NWORKERS + 1);
	FAIL_IF(goro_spawn(closer_fn, NULL) != GORO_OK, "spawn closer");
	for (uintptr_t i = 1; i <= (uintptr_t)NWORKERS; i++)
		FAIL_IF(goro_spawn(worker_fn, (void *)i) != GORO_OK, "spawn worker %u", (unsigned)i);

	int64_t end = goro_now() + (int64_t)(stress_seconds * 1e9);
	int64_t report = goro_now() + 60LL * 1000 * MS;
	while (goro_now() < end) {
		goro_sleep(10 * MS);
		if (goro_now() >= report) {   /* a heartbeat for soak runs */
			fprintf(stderr, "check_stress: procs=%d ops=%" PRIu64 " sent=%" PRIu64 " received=%" PRIu64
			        " closes=%" PRIu64 " spawns=%" PRIu64 "\n", goro_procs(), (uint64_t)ops,
			        (uint64_t)sent.n, (uint64_t)recvd.n, (uint64_t)closes, (uint64_t)spawns);
			report += 60LL * 1000 * MS;
		}
	}

	/* Stop: no more retiring; close every current channel, so every
	 * goroutine parked on one wakes and sees the stop flag. */
	atomic_store(&stop, 1);
	goro_mutex_lock(&slots_mu);
	stopped = true;
	for (int i = 0; i < NSLOTS; i++)
		FAIL_IF(goro_chan_close(slots[i]) != GORO_OK, "close slot %d", i);   /* stays in place */
	goro_mutex_unlock(&slots_mu);

	goro_chan *done = goro_chan_make(sizeof(int), 1);
	FAIL_IF(done == NULL || goro_spawn(waiter_fn, done) != GORO_OK, "spawn waiter");
	int one;
	goro_case dc = { done, GORO_RECV, &one, 0, { 0 } };
	int r = goro_select(&dc, 1, TEST_SCALE(30, 120) * 1000 * MS);
	FAIL_IF(r != 0, "goroutines still running %d s after the stop (select: %d, WaitGroup state %#" PRIx64 ")",
	        TEST_SCALE(30, 120), r, (uint64_t)all.state_);

	uint64_t buffered = drained;
	for (int i = 0; i < NSLOTS; i++)
		buffered += drain(slots[i]);

	fprintf(stderr, "check_stress: procs=%d seed=%" PRIu64 " ops=%" PRIu64 " sent=%" PRIu64
	        " received=%" PRIu64 " (%" PRIu64 " drained) closes=%" PRIu64 " spawns=%" PRIu64 "\n",
	        goro_procs(), stress_seed, (uint64_t)ops, (uint64_t)sent.n, (uint64_t)recvd.n, buffered,
	        (uint64_t)closes, (uint64_t)spawns);

	FAIL_IF(bad_tokens != 0, "bad values received or bad statuses: %#" PRIx64, (uint64_t)bad_tokens);
	FAIL_IF(sent.n != recvd.n, "sent %" PRIu64 " tokens, received %" PRIu64 " (%s)",
	        (uint64_t)sent.n, (uint64_t)recvd.n, sent.n > recvd.n ? "lost" : "duplicated");
	FAIL_IF(sent.sum != recvd.sum || sent.hsum != recvd.hsum,
	        "same count (%" PRIu64 ") but different tokens: sum %#" PRIx64 " vs %#" PRIx64
	        ", hash %#" PRIx64 " vs %#" PRIx64, (uint64_t)sent.n, (uint64_t)sent.sum,
	        (uint64_t)recvd.sum, (uint64_t)sent.hsum, (uint64_t)recvd.hsum);
	FAIL_IF(mu_counter != mu_ops, "mutex: counter %" PRIu64 " after %" PRIu64 " locked increments",
	        mu_counter, (uint64_t)mu_ops);
	FAIL_IF(rw_torn != 0 || rw_a != rw_b, "rwmutex: %" PRIu64 " readers saw a writer's half-update",
	        (uint64_t)rw_torn);
	FAIL_IF(spawn_failures != 0 || make_failures != 0, "%" PRIu64 " spawns and %" PRIu64 " makes failed",
	        (uint64_t)spawn_failures, (uint64_t)make_failures);
	/* not vacuous: values moved, channels were closed, helpers ran */
	FAIL_IF(recvd.n == 0 || closes == 0 || spawns == 0 || mu_ops == 0,
	        "too little happened: received %" PRIu64 ", closes %" PRIu64 ", spawns %" PRIu64,
	        (uint64_t)recvd.n, (uint64_t)closes, (uint64_t)spawns);

	for (int i = 0; i < NSLOTS; i++)
		goro_chan_free(slots[i]);
	goro_chan_free(done);
	return 0;
}

static void run_stress(int procs)
{
	read_env();
	fprintf(stderr, "check_stress: GORO_STRESS_SEED=%" PRIu64 " GORO_STRESS_SECONDS=%g procs=%d goroutines=%d\n",
	        stress_seed, stress_seconds, procs, NWORKERS);
	test_run(procs, stress_main);
}

START_TEST(TestStressProcs1)
{
	run_stress(1);
}
END_TEST

START_TEST(TestStressProcs2)
{
	run_stress(2);
}
END_TEST

static Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("mix");
	read_env();
	/* the run, the wind-down bound, and a margin; qemu is slower */
	double t = stress_seconds * TEST_SCALE(1.5, 3) + TEST_SCALE(30, 120) + 60;
	tcase_set_timeout(tc, t);
	tcase_add_test(tc, TestStressProcs1);
	tcase_add_test(tc, TestStressProcs2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(stress_suite());
}
