/* Scheduler tests: spawn, yield, goroutine ids, parallelism on several Ps,
 * work spreading between Ps, goro_main/goro_spawn misuse, config and clock.
 * Pairs with core/proc.c (Go's proc.go; tests after proc_test.go). */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

/* ---- TestGoroutineYieldExit: a goroutine yields, sets a flag, exits ---- */

static atomic_int yield_exit_flag;

static void yield_exit_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++)
		goro_yield();
	/* store-release: main's load-acquire sees the flag after our yields */
	atomic_store_explicit(&yield_exit_flag, 1, memory_order_release);
}

GORO_TEST(TestGoroutineYieldExit, 0)
{
	ck_assert_int_eq(goro_spawn(yield_exit_fn, NULL), GORO_OK);
	ck_assert_msg(test_wait_flag(&yield_exit_flag), "spawned goroutine never ran");
	return 0;
}

/* ---- TestYieldMany: 10,000 goroutines each yield 100 times ---- */

#define YIELD_G 10000
#define YIELD_N 100
static atomic_long yield_done;

static void yield_many_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < YIELD_N; i++)
		goro_yield();
	atomic_fetch_add_explicit(&yield_done, 1, memory_order_release);
}

GORO_TEST(TestYieldMany, 2)
{
	for (int i = 0; i < YIELD_G; i++)
		ck_assert_int_eq(goro_spawn(yield_many_fn, NULL), GORO_OK);
	ck_assert_msg(test_wait_atleast(&yield_done, YIELD_G),
	              "only %ld of %d goroutines finished",
	              atomic_load(&yield_done), YIELD_G);
	ck_assert_int_eq(atomic_load(&yield_done), YIELD_G);
	return 0;
}

/* ---- TestYieldRoundRobin: at procs=1, goroutines that only yield take
 * turns: a yield goes behind the other runnable goroutines, never ahead of
 * them (runnext), so every window of 2 * RR_G turns has each of them. (Not
 * a strict cycle: every 61st schedule looks at the global queue first.) ---- */

#define RR_G 3
#define RR_ROUNDS 200
static int rr_seq[RR_G * RR_ROUNDS];
static int rr_len;   /* one P: the goroutines never run at once */
static goro_waitgroup rr_wg = GORO_WAITGROUP_INIT;

static void rr_fn(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < RR_ROUNDS; i++) {
		rr_seq[rr_len++] = id;
		goro_yield();
	}
	goro_wg_done(&rr_wg);
}

GORO_TEST(TestYieldRoundRobin, 1)
{
	goro_wg_add(&rr_wg, RR_G);
	for (int i = 0; i < RR_G; i++)
		ck_assert_int_eq(goro_spawn(rr_fn, (void *)(intptr_t)i), GORO_OK);
	goro_wg_wait(&rr_wg);
	ck_assert_int_eq(rr_len, RR_G * RR_ROUNDS);
	/* Windows start once every goroutine has had a turn (sysmon may preempt
	 * the spawning loop between spawns) and end at the first one's last
	 * turn: after it, fewer run. */
	int begin = 0, end = rr_len;
	for (int id = 0; id < RR_G; id++) {
		int first = 0, last = rr_len - 1;
		while (rr_seq[first] != id)
			first++;
		while (rr_seq[last] != id)
			last--;
		if (first > begin)
			begin = first;
		if (last + 1 < end)
			end = last + 1;
	}
	ck_assert_int_ge(end - begin, rr_len / 2);
	for (int i = begin; i + 2 * RR_G <= end; i++) {
		int seen = 0;
		for (int j = i; j < i + 2 * RR_G; j++)
			seen |= 1 << rr_seq[j];
		ck_assert_msg(seen == (1 << RR_G) - 1,
		              "turns %d to %d left out a goroutine (seen mask %#x)",
		              i, i + 2 * RR_G - 1, (unsigned)seen);
	}
	return 0;
}

/* ---- TestYieldNoStarvation: at procs=1, a goroutine that yields in a loop
 * must let a goroutine readied onto the global run queue (by a thread the
 * runtime does not own) run within a bounded number of its yields. ---- */

static goro_chan *starve_c;
static atomic_int starve_sent, starve_ran;

static void *starve_thread(void *arg)
{
	(void)arg;
	int v = 1;
	goro_chan_send(starve_c, &v);   /* readies the receiver from outside */
	atomic_store_explicit(&starve_sent, 1, memory_order_release);
	return NULL;
}

static void starve_recv_fn(void *arg)
{
	(void)arg;
	int v;
	goro_chan_recv(starve_c, &v);
	atomic_store_explicit(&starve_ran, 1, memory_order_release);
}

GORO_TEST(TestYieldNoStarvation, 1)
{
	starve_c = goro_chan_make(sizeof(int), 0);
	ck_assert_ptr_nonnull(starve_c);
	ck_assert_int_eq(goro_spawn(starve_recv_fn, NULL), GORO_OK);
	goro_yield();   /* the receiver parks */
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, starve_thread, NULL), 0);
	ck_assert(test_wait_flag(&starve_sent));
	long n = 0;
	while (!atomic_load_explicit(&starve_ran, memory_order_acquire) && n < 100000) {
		goro_yield();
		n++;
	}
	ck_assert_msg(n < 1000, "the readied goroutine waited %ld yields", n);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	goro_chan_free(starve_c);
	return 0;
}

/* ---- TestGoroutineParallelism (proc_test.go): with procs=2 the main
 * goroutine and one it spawned pass a token back and forth 1000 times, each
 * waiting for its turn without yielding. Only a goroutine running on the
 * other P at the same time can hand the turn back, so this finishes only if
 * the spawn woke an idle P that took the new goroutine (wakep + steal). ---- */

#define PAR_ROUNDS 10
#define PAR_HANDOFFS 1000
static atomic_long par_turn;
static atomic_long par_done;
static atomic_int par_stuck;

/* Take PAR_HANDOFFS turns of parity me; false if the partner went missing. */
static bool par_play(long me)
{
	int64_t deadline = goro_now() + 20LL * 1000 * 1000 * 1000;
	for (long i = 0; i < PAR_HANDOFFS; i++) {
		unsigned long spins = 0;
		/* load-acquire / fetch_add-release: the turn is the only shared state */
		while (atomic_load_explicit(&par_turn, memory_order_acquire) % 2 != me) {
			if ((++spins & 0xffff) == 0 && goro_now() > deadline)
				return false;
		}
		atomic_fetch_add_explicit(&par_turn, 1, memory_order_release);
	}
	return true;
}

static void par_fn(void *arg)
{
	(void)arg;
	if (!par_play(1))
		atomic_store(&par_stuck, 1);
	atomic_fetch_add_explicit(&par_done, 1, memory_order_release);
}

GORO_TEST(TestGoroutineParallelism, 2)
{
	for (int r = 0; r < PAR_ROUNDS; r++) {
		atomic_store(&par_turn, 0);
		atomic_store(&par_done, 0);
		ck_assert_int_eq(goro_spawn(par_fn, NULL), GORO_OK);
		/* no yield from here on: the partner must run on the other P */
		ck_assert_msg(par_play(0),
		              "round %d: the spawned goroutine never ran in parallel "
		              "with main on 2 Ps (turn %ld)", r, atomic_load(&par_turn));
		ck_assert_msg(test_wait_atleast(&par_done, 1), "round %d did not end", r);
		ck_assert_int_eq(atomic_load(&par_stuck), 0);
		ck_assert_int_eq(atomic_load(&par_turn), 2 * PAR_HANDOFFS);
	}
	return 0;
}

/* ---- TestGoroutinesOnSeveralThreads: with procs=2 and 64 goroutines that
 * spin and yield, goroutines are observed on at least 2 OS threads. ---- */

#define SEV_G 64
static test_tidset sev_tids;
static atomic_long sev_done;

static void sev_fn(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50; i++) {
		test_tidset_add(&sev_tids, test_gettid());
		test_spin(20000);
		goro_yield();
	}
	atomic_fetch_add_explicit(&sev_done, 1, memory_order_release);
}

GORO_TEST(TestGoroutinesOnSeveralThreads, 2)
{
	ck_assert_int_eq(goro_procs(), 2);
	for (int i = 0; i < SEV_G; i++)
		ck_assert_int_eq(goro_spawn(sev_fn, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&sev_done, SEV_G));
	int k = test_tidset_count(&sev_tids);
	ck_assert_msg(k >= 2, "goroutines ran on %d OS thread(s), want >= 2", k);
	return 0;
}

/* ---- TestSpawnTree: goroutines spawning goroutines from every P: a binary
 * tree of depth 10 (2047 nodes), each node spawns its children. ---- */

#define TREE_DEPTH 10
#define TREE_NODES ((1L << (TREE_DEPTH + 1)) - 1)
static atomic_long tree_nodes;
static atomic_int tree_spawn_err;
static test_tidset tree_spawn_tids;

static void tree_fn(void *arg)
{
	long depth = (long)(intptr_t)arg;
	test_spin(5000);
	if (depth < TREE_DEPTH) {
		for (int c = 0; c < 2; c++) {
			test_tidset_add(&tree_spawn_tids, test_gettid());
			if (goro_spawn(tree_fn, (void *)(intptr_t)(depth + 1)) != GORO_OK)
				atomic_store(&tree_spawn_err, 1);
			goro_yield();
		}
	}
	atomic_fetch_add_explicit(&tree_nodes, 1, memory_order_release);
}

GORO_TEST(TestSpawnTree, 2)
{
	ck_assert_int_eq(goro_spawn(tree_fn, (void *)(intptr_t)0), GORO_OK);
	ck_assert_msg(test_wait_atleast(&tree_nodes, TREE_NODES),
	              "%ld of %ld tree nodes ran", atomic_load(&tree_nodes), TREE_NODES);
	/* let any excess node show up before counting exactly */
	for (int i = 0; i < 1000; i++)
		goro_yield();
	ck_assert_int_eq(atomic_load(&tree_spawn_err), 0);
	ck_assert_int_eq(atomic_load(&tree_nodes), TREE_NODES);
	int k = test_tidset_count(&tree_spawn_tids);
	ck_assert_msg(k >= 2, "spawns happened on %d OS thread(s), want >= 2", k);
	return 0;
}

/* ---- TestGoroutineID: main is 1; ids unique and nonzero ---- */

#define ID_G 1000
static uint64_t id_seen[ID_G];
static atomic_long id_done;

static void id_fn(void *arg)
{
	long i = (long)(intptr_t)arg;
	goro_yield();
	id_seen[i] = goro_id();
	atomic_fetch_add_explicit(&id_done, 1, memory_order_release);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int id_main(void *arg)
{
	(void)arg;
	ck_assert_uint_eq(goro_id(), 1);
	for (long i = 0; i < ID_G; i++)
		ck_assert_int_eq(goro_spawn(id_fn, (void *)(intptr_t)i), GORO_OK);
	ck_assert(test_wait_atleast(&id_done, ID_G));
	ck_assert_uint_eq(goro_id(), 1);
	qsort(id_seen, ID_G, sizeof id_seen[0], cmp_u64);
	ck_assert_msg(id_seen[0] > 1, "a spawned goroutine has id %llu",
	              (unsigned long long)id_seen[0]);
	for (int i = 1; i < ID_G; i++)
		ck_assert_msg(id_seen[i] != id_seen[i - 1], "id %llu seen twice",
		              (unsigned long long)id_seen[i]);
	return 0;
}

START_TEST(TestGoroutineID)
{
	ck_assert_uint_eq(goro_id(), 0);  /* not a goroutine */
	test_run(0, id_main);
}
END_TEST

/* ---- TestGoroutineIDAfterMigration: goro_id() read after the goroutine
 * resumed on another OS thread is still its own (the TLS trap). Watchers
 * yield until they see a new gettid(); the main goroutine keeps spawning
 * short-lived churn so Ps run dry and steal, which migrates goroutines. ---- */

#define MIG_W 8
#define MIG_BOUND 2000000L
static atomic_long mig_done;
static atomic_int mig_observed;  /* watchers that saw a migration */
static atomic_int mig_wrong_id;
static atomic_int mig_stop;
static atomic_long churn_live;

static __attribute__((noinline)) uint64_t mig_read_id(void)
{
	return goro_id();
}

static void mig_watcher(void *arg)
{
	(void)arg;
	uint64_t id0 = mig_read_id();
	long tid0 = test_gettid();
	for (long i = 0; i < MIG_BOUND && !atomic_load(&mig_stop); i++) {
		goro_yield();
		if (mig_read_id() != id0)
			atomic_store(&mig_wrong_id, 1);
		if (test_gettid() != tid0) {
			atomic_fetch_add(&mig_observed, 1);
			break;
		}
	}
	if (goro_id() != id0)
		atomic_store(&mig_wrong_id, 1);
	atomic_fetch_add_explicit(&mig_done, 1, memory_order_release);
}

static void churn_fn(void *arg)
{
	(void)arg;
	test_spin(2000);
	goro_yield();
	atomic_fetch_sub(&churn_live, 1);
}

GORO_TEST(TestGoroutineIDAfterMigration, 2)
{
	for (int i = 0; i < MIG_W; i++)
		ck_assert_int_eq(goro_spawn(mig_watcher, NULL), GORO_OK);
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (atomic_load_explicit(&mig_done, memory_order_acquire) < MIG_W) {
		if (goro_now() > deadline)
			atomic_store(&mig_stop, 1);
		if (atomic_load(&churn_live) < 64 && !atomic_load(&mig_stop)) {
			atomic_fetch_add(&churn_live, 1);
			ck_assert_int_eq(goro_spawn(churn_fn, NULL), GORO_OK);
		}
		goro_yield();
	}
	ck_assert_msg(atomic_load(&mig_wrong_id) == 0,
	              "goro_id() changed after a goroutine moved to another thread");
	ck_assert_msg(atomic_load(&mig_observed) >= 1,
	              "no goroutine was ever seen to migrate between threads");
	return 0;
}

/* ---- TestMillionGoroutines: 1,000,000 goroutines in batches of 10,000
 * (200,000 on arm64 under qemu); dead Gs and stacks must be reused. ---- */

#define MILLION_BATCH 10000L
#define MILLION_BATCHES TEST_SCALE(100L, 20L)
static atomic_long million_done;

static void million_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add_explicit(&million_done, 1, memory_order_release);
}

GORO_TEST(TestMillionGoroutines, 2)
{
	for (long b = 0; b < MILLION_BATCHES; b++) {
		for (long i = 0; i < MILLION_BATCH; i++) {
			int st = goro_spawn(million_fn, NULL);
			ck_assert_msg(st == GORO_OK, "spawn %ld: %s", b * MILLION_BATCH + i,
			              goro_strerror(st));
		}
		ck_assert_msg(test_wait_atleast(&million_done, (b + 1) * MILLION_BATCH),
		              "batch %ld: %ld done", b, atomic_load(&million_done));
	}
	ck_assert_int_eq(atomic_load(&million_done), MILLION_BATCHES * MILLION_BATCH);
	return 0;
}

/* ---- TestGOMAXPROCS: goro_procs reports cfg.procs, GORO_PROCS, or CPUs ---- */

static int procs_main(void *arg)
{
	(void)arg;
	return goro_procs();
}

START_TEST(TestGOMAXPROCSConfig)
{
	unsetenv("GORO_PROCS");
	goro_config cfg = { .procs = 3 };
	ck_assert_int_eq(goro_main(&cfg, procs_main, NULL), 3);
}
END_TEST

START_TEST(TestGOMAXPROCSOne)
{
	goro_config cfg = { .procs = 1 };
	ck_assert_int_eq(goro_main(&cfg, procs_main, NULL), 1);
}
END_TEST

START_TEST(TestGOMAXPROCSEnv)
{
	setenv("GORO_PROCS", "3", 1);
	goro_config cfg = { .procs = 0 };
	ck_assert_int_eq(goro_main(&cfg, procs_main, NULL), 3);
}
END_TEST

START_TEST(TestGOMAXPROCSDefault)
{
	unsetenv("GORO_PROCS");
	cpu_set_t set;
	CPU_ZERO(&set);
	int affinity = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
	int online = (int)sysconf(_SC_NPROCESSORS_ONLN);
	int got = goro_main(NULL, procs_main, NULL);
	ck_assert_msg(got >= 1 && (got == affinity || got == online),
	              "goro_procs() = %d, CPUs: affinity %d, online %d",
	              got, affinity, online);
}
END_TEST

/* ---- TestMainAndSpawnMisuse ---- */

static atomic_int misuse_ran;

static void misuse_fn(void *arg)
{
	(void)arg;
	atomic_store(&misuse_ran, 1);
}

static int misuse_main(void *arg)
{
	(void)arg;
	ck_assert_int_eq(goro_spawn(NULL, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_spawn_copy(NULL, "x", 1), GORO_INVAL);
	return 42;
}

START_TEST(TestMainReturnsAndOncePerProcess)
{
	ck_assert_int_eq(goro_main(NULL, misuse_main, NULL), 42);
	ck_assert_int_eq(goro_main(NULL, misuse_main, NULL), GORO_INVAL);
}
END_TEST

static int spawn_before_main(void *arg)
{
	(void)arg;
	/* whatever was offered before the runtime ran must not have run */
	for (int i = 0; i < 100; i++)
		goro_yield();
	ck_assert_int_eq(atomic_load(&misuse_ran), 0);
	return 0;
}

START_TEST(TestSpawnOutsideRuntime)
{
	ck_assert_int_eq(goro_spawn(misuse_fn, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_spawn_copy(misuse_fn, "abc", 4), GORO_INVAL);
	ck_assert_uint_eq(goro_id(), 0);
	test_run(0, spawn_before_main);
}
END_TEST

static void check_strerror(void)
{
	static const int all[] = { GORO_OK, GORO_CLOSED, GORO_AGAIN, GORO_TIMEOUT,
	                           GORO_NOMEM, GORO_INVAL };
	const int n = (int)(sizeof all / sizeof all[0]);
	for (int i = 0; i < n; i++) {
		const char *s = goro_strerror(all[i]);
		ck_assert_ptr_nonnull(s);
		ck_assert_msg(s[0] != '\0', "empty string for %d", all[i]);
		for (int j = 0; j < i; j++)
			ck_assert_msg(strcmp(s, goro_strerror(all[j])) != 0,
			              "statuses %d and %d share \"%s\"", all[i], all[j], s);
	}
	static const int unknown[] = { 1, 7, -6, -100, 12345, INT32_MIN, INT32_MAX };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		const char *s = goro_strerror(unknown[i]);
		ck_assert_ptr_nonnull(s);
		ck_assert_msg(s[0] != '\0', "empty string for unknown %d", unknown[i]);
	}
}

static int strerror_main(void *arg)
{
	(void)arg;
	check_strerror();
	return 0;
}

START_TEST(TestStrerror)
{
	check_strerror();  /* works without the runtime */
	test_run(0, strerror_main);
}
END_TEST

/* ---- TestSpawnCopy: args are copied at spawn time ---- */

typedef struct copy_args {
	int idx;
	int words[64];
	char tag[32];
} copy_args;

#define COPY_G 100
static atomic_long copy_done;
static atomic_int copy_bad;
static atomic_int copy_misaligned;
static const void *copy_src_addr;

static void copy_fn(void *arg)
{
	copy_args *a = arg;
	if ((uintptr_t)arg % _Alignof(max_align_t) != 0)
		atomic_store(&copy_misaligned, 1);
	if (arg == copy_src_addr)
		atomic_store(&copy_bad, 1);
	goro_yield();  /* the copy lives on our stack: it survives switches */
	char want[32];
	snprintf(want, sizeof want, "goroutine-%d", a->idx);
	if (strcmp(a->tag, want) != 0)
		atomic_store(&copy_bad, 1);
	for (int i = 0; i < 64; i++)
		if (a->words[i] != a->idx * 1000 + i)
			atomic_store(&copy_bad, 1);
	atomic_fetch_add_explicit(&copy_done, 1, memory_order_release);
}

static atomic_int copy_max_ok;

static void copy_max_fn(void *arg)
{
	const unsigned char *p = arg;
	int ok = 1;
	for (int i = 0; i < GORO_SPAWN_COPY_MAX; i++)
		if (p[i] != (unsigned char)(i * 7 + 1))
			ok = 0;
	atomic_store_explicit(&copy_max_ok, ok ? 1 : -1, memory_order_release);
}

GORO_TEST(TestSpawnCopy, 2)
{
	copy_args src;  /* one buffer reused for every spawn */
	copy_src_addr = &src;
	for (int g = 0; g < COPY_G; g++) {
		src.idx = g;
		for (int i = 0; i < 64; i++)
			src.words[i] = g * 1000 + i;
		snprintf(src.tag, sizeof src.tag, "goroutine-%d", g);
		ck_assert_int_eq(goro_spawn_copy(copy_fn, &src, sizeof src), GORO_OK);
		/* mutate the source at once: the goroutine must see the original */
		memset(&src, 0xAB, sizeof src);
	}
	ck_assert(test_wait_atleast(&copy_done, COPY_G));
	ck_assert_msg(atomic_load(&copy_bad) == 0, "a goroutine saw mutated or shared args");
	ck_assert_msg(atomic_load(&copy_misaligned) == 0,
	              "goro_spawn_copy passed a pointer not aligned to max_align_t");

	static unsigned char big[GORO_SPAWN_COPY_MAX + 1];
	for (int i = 0; i < GORO_SPAWN_COPY_MAX + 1; i++)
		big[i] = (unsigned char)(i * 7 + 1);
	ck_assert_int_eq(goro_spawn_copy(copy_max_fn, big, GORO_SPAWN_COPY_MAX + 1),
	                 GORO_INVAL);
	ck_assert_int_eq(goro_spawn_copy(copy_max_fn, big, GORO_SPAWN_COPY_MAX), GORO_OK);
	memset(big, 0, sizeof big);
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (atomic_load_explicit(&copy_max_ok, memory_order_acquire) == 0 &&
	       goro_now() < deadline)
		goro_yield();
	ck_assert_int_eq(atomic_load(&copy_max_ok), 1);
	return 0;
}

/* ---- TestSpawnFromForeignThread: a plain pthread may call goro_spawn ---- */

#define FOREIGN_G 100
static atomic_long foreign_ran;
static atomic_int foreign_bad_id;
static atomic_int foreign_thread_done;
static uint64_t foreign_thread_id = 99;
static int foreign_spawn_err;

static void foreign_fn(void *arg)
{
	(void)arg;
	uint64_t id = goro_id();
	if (id == 0 || id == 1)
		atomic_store(&foreign_bad_id, 1);
	atomic_fetch_add_explicit(&foreign_ran, 1, memory_order_release);
}

static void *foreign_thread(void *arg)
{
	(void)arg;
	foreign_thread_id = goro_id();
	for (int i = 0; i < FOREIGN_G; i++) {
		int st = goro_spawn(foreign_fn, NULL);
		if (st != GORO_OK)
			foreign_spawn_err = st;
	}
	atomic_store_explicit(&foreign_thread_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestSpawnFromForeignThread, 2)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, foreign_thread, NULL), 0);
	ck_assert(test_wait_flag(&foreign_thread_done));
	ck_assert_int_eq(pthread_join(t, NULL), 0);  /* it has already finished */
	ck_assert_int_eq(foreign_spawn_err, GORO_OK);
	ck_assert_uint_eq(foreign_thread_id, 0);
	ck_assert_msg(test_wait_atleast(&foreign_ran, FOREIGN_G),
	              "%ld of %d goroutines spawned from a pthread ran",
	              atomic_load(&foreign_ran), FOREIGN_G);
	ck_assert_int_eq(atomic_load(&foreign_bad_id), 0);
	return 0;
}

/* ---- TestNanotime: goro_now is monotonic and advances like the clock ---- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

GORO_TEST(TestNanotime, 2)
{
	int64_t prev = goro_now();
	for (int i = 0; i < 100000; i++) {
		int64_t t = goro_now();
		ck_assert_msg(t >= prev, "goro_now went back: %lld after %lld",
		              (long long)t, (long long)prev);
		prev = t;
		if (i % 1000 == 0)
			goro_yield();  /* and across switches, maybe threads */
	}
	int64_t g0 = goro_now(), m0 = mono_ns();
	while (mono_ns() - m0 < 20 * 1000 * 1000)
		;
	int64_t gd = goro_now() - g0;
	ck_assert_msg(gd >= 10 * 1000 * 1000,
	              "goro_now advanced %lld ns over 20 ms", (long long)gd);
	return 0;
}

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestGoroutineYieldExit);
	tcase_add_test(tc, TestGoroutineID);
	tcase_add_test(tc, TestGOMAXPROCSConfig);
	tcase_add_test(tc, TestGOMAXPROCSOne);
	tcase_add_test(tc, TestGOMAXPROCSEnv);
	tcase_add_test(tc, TestGOMAXPROCSDefault);
	tcase_add_test(tc, TestMainReturnsAndOncePerProcess);
	tcase_add_test(tc, TestSpawnOutsideRuntime);
	tcase_add_test(tc, TestStrerror);
	tcase_add_test(tc, TestSpawnCopy);
	tcase_add_test(tc, TestSpawnFromForeignThread);
	tcase_add_test(tc, TestNanotime);
	tcase_add_test(tc, TestYieldRoundRobin);
	tcase_add_test(tc, TestYieldNoStarvation);
	suite_add_tcase(s, tc);

	TCase *tp = tcase_create("parallel");
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, TestGoroutineParallelism);
	tcase_add_test(tp, TestGoroutinesOnSeveralThreads);
	tcase_add_test(tp, TestSpawnTree);
	tcase_add_test(tp, TestGoroutineIDAfterMigration);
	suite_add_tcase(s, tp);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 120);
	tcase_add_test(th, TestYieldMany);
	tcase_add_test(th, TestMillionGoroutines);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	return test_run_suite(proc_suite());
}
