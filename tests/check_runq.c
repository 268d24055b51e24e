/* core/runq.c driven directly, as Go's export_test.go does with
 * RunSchedLocalQueueTest, RunSchedLocalQueueStealTest and
 * RunSchedLocalQueueEmptyTest (proc_test.go's TestSchedLocalQueue*): fake Ps
 * and Gs on plain threads, no goro_main, so nothing but the test touches
 * sched's global queue. runqput and friends are local in libgoro.a, so this
 * suite links the objects, as check_timers does. runq.c never dereferences
 * a G, lock() and rtmalloc work on a thread without an M. */
#include <pthread.h>
#include <stdio.h>

#include "testutil.h"
#include "runtime2.h"

static struct p p1, p2;
enum { NG = RUNQ_SIZE * 32 };   /* Gs a round of the race */
static struct g gs[NG];

static int gidx(struct g *gp)
{
	return gp == NULL ? -1 : (int)(gp - gs);
}

/* Everything left in sched's global queue, in order, into out. */
static int drain_global(struct g **out, int cap)
{
	int n = 0;
	struct g *gp;
	lock(&sched.lock);
	while ((gp = gring_pop(&sched.runq)) != NULL) {
		ck_assert_int_lt(n, cap);
		out[n++] = gp;
	}
	sched.runqsize = 0;
	unlock(&sched.lock);
	return n;
}

/* ---- single thread ---- */

/* RunSchedLocalQueueTest: i Gs in, the same i out in FIFO order, for every
 * fill up to the ring's size; the ring is empty before and after. */
START_TEST(TestSchedLocalQueue)
{
	for (int i = 0; i <= RUNQ_SIZE; i++) {
		bool inh = true;
		ck_assert_ptr_null(runqget(&p1, &inh));
		ck_assert(runqempty(&p1));
		for (int j = 0; j < i; j++)
			runqput(&p1, &gs[j], false);
		ck_assert(i == 0 || !runqempty(&p1));
		for (int j = 0; j < i; j++) {
			struct g *gp = runqget(&p1, &inh);
			ck_assert_msg(gp == &gs[j], "iter %d: got G %d at %d", i, gidx(gp), j);
			ck_assert(!inh);
		}
		ck_assert_ptr_null(runqget(&p1, &inh));
	}
	ck_assert_int_eq(sched.runqsize, 0);   /* a full ring never spilled */
}
END_TEST

/* runnext: the newest next G runs first and inherits the time slice; the
 * one it displaces joins the ring's tail, behind the Gs already there. */
START_TEST(TestRunnext)
{
	bool inh;
	runqput(&p1, &gs[0], false);
	runqput(&p1, &gs[1], true);
	ck_assert_ptr_eq(a_load(&p1.runnext), &gs[1]);
	runqput(&p1, &gs[2], true);   /* kicks 1 into the ring after 0 */
	ck_assert_ptr_eq(a_load(&p1.runnext), &gs[2]);
	runqput(&p1, &gs[3], false);

	int want[] = { 2, 0, 1, 3 };
	for (int k = 0; k < 4; k++) {
		ck_assert(!runqempty(&p1));
		struct g *gp = runqget(&p1, &inh);
		ck_assert_msg(gp == &gs[want[k]], "get %d: G %d, want %d", k, gidx(gp), want[k]);
		ck_assert_int_eq(inh, k == 0);
	}
	ck_assert_ptr_null(runqget(&p1, &inh));
	ck_assert(runqempty(&p1));

	/* runnext alone: not empty, and a stealer takes it when asked to */
	runqput(&p1, &gs[4], true);
	ck_assert(!runqempty(&p1));
	ck_assert_ptr_null(runqsteal(&p2, &p1, false));
	ck_assert_ptr_eq(runqsteal(&p2, &p1, true), &gs[4]);
	ck_assert(runqempty(&p1));
	ck_assert(runqempty(&p2));
}
END_TEST

/* runqputslow: the 257th put moves the older half of the ring plus the new
 * G to the global queue in one batch, in order; after many more puts
 * nothing is lost or doubled between the ring and the global queue. */
START_TEST(TestRunqOverflow)
{
	static struct g *glob[RUNQ_SIZE * 4];
	int count[RUNQ_SIZE * 4] = { 0 };
	const int n = RUNQ_SIZE * 4;
	bool inh;

	for (int i = 0; i <= RUNQ_SIZE; i++)
		runqput(&p1, &gs[i], false);
	ck_assert_int_eq(sched.runqsize, RUNQ_SIZE / 2 + 1);
	ck_assert_int_eq(p1.runqtail - p1.runqhead, RUNQ_SIZE / 2);
	int ng = drain_global(glob, n);
	ck_assert_int_eq(ng, RUNQ_SIZE / 2 + 1);
	for (int k = 0; k < RUNQ_SIZE / 2; k++)
		ck_assert_msg(glob[k] == &gs[k], "global %d: G %d", k, gidx(glob[k]));
	ck_assert_ptr_eq(glob[RUNQ_SIZE / 2], &gs[RUNQ_SIZE]);
	for (int k = 0; k < ng; k++)
		count[gidx(glob[k])]++;

	for (int i = RUNQ_SIZE + 1; i < n; i++)
		runqput(&p1, &gs[i], (i % 5) == 0);
	struct g *gp;
	while ((gp = runqget(&p1, &inh)) != NULL)
		count[gidx(gp)]++;
	ng = drain_global(glob, n);
	for (int k = 0; k < ng; k++)
		count[gidx(glob[k])]++;
	for (int i = 0; i < n; i++)
		ck_assert_msg(count[i] == 1, "G %d seen %d times", i, count[i]);
}
END_TEST

/* RunSchedLocalQueueStealTest: a steal takes half the Gs (rounded up), the
 * rest stay; every G comes out once. */
START_TEST(TestSchedLocalQueueSteal)
{
	int count[RUNQ_SIZE];
	bool inh;
	for (int i = 0; i <= RUNQ_SIZE; i++) {
		memset(count, 0, sizeof count);
		for (int j = 0; j < i; j++)
			runqput(&p1, &gs[j], false);
		struct g *gp = runqsteal(&p2, &p1, true);
		int s = 0;
		if (gp != NULL) {
			s++;
			count[gidx(gp)]++;
		}
		while ((gp = runqget(&p2, &inh)) != NULL) {
			s++;
			count[gidx(gp)]++;
		}
		while ((gp = runqget(&p1, &inh)) != NULL)
			count[gidx(gp)]++;
		for (int j = 0; j < i; j++)
			ck_assert_msg(count[j] == 1, "G %d seen %d times at iter %d", j, count[j], i);
		ck_assert_msg(s == i / 2 || s == i / 2 + 1, "stole %d of %d", s, i);
	}
}
END_TEST

/* globrunqget: a fair share of the global queue, one G returned and the
 * rest on the P's ring, in order; max caps it. sched.lock held. */
START_TEST(TestGlobrunqget)
{
	int32_t saved = gomaxprocs;
	bool inh;
	gomaxprocs = 2;
	lock(&sched.lock);
	for (int i = 0; i < 10; i++)
		globrunqput(&gs[i]);
	ck_assert_ptr_eq(globrunqget(&p1, 1), &gs[0]);   /* max 1: nothing moves */
	ck_assert(runqempty(&p1));
	ck_assert_ptr_eq(globrunqget(&p1, 0), &gs[1]);   /* 9/2+1 = 5 */
	ck_assert_int_eq(sched.runqsize, 4);
	unlock(&sched.lock);
	for (int i = 2; i < 6; i++)
		ck_assert_ptr_eq(runqget(&p1, &inh), &gs[i]);
	ck_assert_ptr_null(runqget(&p1, &inh));
	struct g *rest[4];
	ck_assert_int_eq(drain_global(rest, 4), 4);
	ck_assert_ptr_eq(rest[0], &gs[6]);
	gomaxprocs = saved;
}
END_TEST

/* ---- an owner and a stealer on two threads ---- */

/* The owner puts NG Gs in random bursts (some as runnext, bursts that fill
 * the ring so runqputslow races the stealer's CAS), takes some back, pulls
 * from the global queue now and then; the stealer steals from it into its
 * own P (runqsteal, with and without runnext) and drains that. Each G must
 * be taken exactly once a round, and its taker must see what the owner
 * wrote to it before runqput: sig is plain memory published only by the
 * queue's release/acquire pairs, as a G's saved context is (Go's test uses
 * g.sig alike). Under SANITIZE=thread a missing pair is a reported race;
 * on a weakly ordered CPU, a stale sig. */
static atomic_int got[NG];
static int sig[NG];          /* owner writes before runqput; taker reads */
static int round_sig;        /* this round's sig, set before the stealer starts */
static atomic_long stale;    /* takes that saw another round's sig */
static atomic_int taken;     /* Gs taken this round, by either side */
static atomic_int stop;      /* the stealer's end of round; join orders what it did */
static atomic_long nsteals;  /* the stealer's count, read after join */
static long nglobal;   /* owner's: globrunqget calls that found Gs */

static _Atomic(struct g *) stranger;   /* a pointer that is none of gs */

/* No ck_assert here: in fork mode each one is a write to Check's pipe. */
static void take(struct g *gp)
{
	int i = gidx(gp);
	if (i < 0 || i >= NG) {
		atomic_store(&stranger, gp);
		return;
	}
	if (sig[i] != round_sig)
		atomic_fetch_add_explicit(&stale, 1, memory_order_relaxed);
	/* relaxed: counts are read after pthread_join or after seeing taken */
	atomic_fetch_add_explicit(&got[i], 1, memory_order_relaxed);
	/* release: the owner's acquire of taken == NG sees every count */
	atomic_fetch_add_explicit(&taken, 1, memory_order_release);
}

static void *stealer(void *arg)
{
	(void)arg;
	bool inh;
	long n = 0;
	for (unsigned k = 0; !atomic_load_explicit(&stop, memory_order_acquire); k++) {
		struct g *gp = runqsteal(&p2, &p1, (k & 1) != 0);
		if (gp == NULL)
			continue;
		n++;
		take(gp);
		/* p2 empty again before the next steal, as findRunnable's is */
		while ((gp = runqget(&p2, &inh)) != NULL)
			take(gp);
	}
	atomic_store_explicit(&nsteals, n, memory_order_relaxed);
	return NULL;
}

static uint64_t rnd_state;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 11);
}

static void owner_round(int round)
{
	bool inh;
	struct g *gp;
	int i = 0;
	while (i < NG) {
		uint32_t burst = 1 + rnd() % (RUNQ_SIZE + 64);
		for (uint32_t k = 0; k < burst && i < NG; k++, i++) {
			sig[i] = round_sig;
			runqput(&p1, &gs[i], rnd() % 8 == 0);
		}
		uint32_t gets = rnd() % (burst + 1);
		for (uint32_t k = 0; k < gets && (gp = runqget(&p1, &inh)) != NULL; k++)
			take(gp);
		if (rnd() % 4 == 0)   /* "run" a G: the stealer's chance at a full ring */
			test_spin(rnd() % 2048);
		if (rnd() % 4 == 0) {
			lock(&sched.lock);
			gp = globrunqget(&p1, 1);   /* max 1: never refills the ring */
			unlock(&sched.lock);
			if (gp != NULL) {
				nglobal++;
				take(gp);
			}
		}
	}
	/* Drain as findRunnable does: local first, then the global queue
	 * (whose batch fits the ring only once the ring is empty). */
	int64_t deadline = test_mono_ms() + TEST_SCALE(10000, 30000);
	while (atomic_load_explicit(&taken, memory_order_acquire) < NG) {
		if ((gp = runqget(&p1, &inh)) != NULL) {
			take(gp);
			continue;
		}
		lock(&sched.lock);
		gp = globrunqget(&p1, 0);
		unlock(&sched.lock);
		if (gp != NULL) {
			nglobal++;
			take(gp);
			continue;
		}
		if (test_mono_ms() > deadline || atomic_load(&stranger) != NULL)
			break;
		sched_yield();
	}
	ck_assert_msg(atomic_load(&stranger) == NULL, "round %d: took %p, not one of ours", round,
	              (void *)atomic_load(&stranger));
	ck_assert_msg(atomic_load(&taken) == NG, "round %d: %d of %d Gs taken",
	              round, atomic_load(&taken), NG);
}

START_TEST(TestRunqStealRace)
{
	int32_t saved = gomaxprocs;
	gomaxprocs = 2;
	const int rounds = TEST_SCALE(2000, 250);
	long steals = 0;
	rnd_state = 0x9e3779b97f4a7c15ull ^ (uint64_t)test_mono_ms();
	uint64_t seed = rnd_state;
	int64_t t0 = test_mono_ms();
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < NG; i++)
			atomic_store(&got[i], 0);
		atomic_store(&taken, 0);
		atomic_store(&stop, 0);
		round_sig = r + 1;
		/* half the rounds a running owner: the stealer naps before
		 * taking its runnext (runqgrab) */
		p1.status = (r & 1) ? Prunning : Pidle;
		pthread_t th;
		ck_assert_int_eq(pthread_create(&th, NULL, stealer, NULL), 0);
		owner_round(r);
		atomic_store_explicit(&stop, 1, memory_order_release);
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		steals += atomic_load_explicit(&nsteals, memory_order_relaxed);
		for (int i = 0; i < NG; i++)
			if (atomic_load(&got[i]) != 1)
				ck_abort_msg("round %d (seed %#llx): G %d taken %d times",
				             r, (unsigned long long)seed, i, atomic_load(&got[i]));
		ck_assert_msg(atomic_load(&stale) == 0, "round %d: %ld takes saw a stale sig", r,
		              atomic_load(&stale));
		ck_assert(runqempty(&p1));
		ck_assert(runqempty(&p2));
		ck_assert_int_eq(sched.runqsize, 0);
	}
	printf("TestRunqStealRace: %d rounds of %d Gs, %ld steals, %ld globrunqget hits, %lld ms\n",
	       rounds, NG, steals, nglobal, (long long)(test_mono_ms() - t0));
	ck_assert_int_gt(steals, 0);
	gomaxprocs = saved;
}
END_TEST

/* RunSchedLocalQueueEmptyTest: while the owner moves a G between runnext
 * and the ring (runqput with next, then runqget), runqempty on another
 * thread never sees the queue empty. */
/* seq_cst, as Go's Xadd and Load: the two sides meet at ready each
 * iteration, and the owner waits for empty_done before the next. */
static atomic_uint ready;
static atomic_uint empty_done;
static atomic_int empty_seen, empty_iters;

/* Spin until *v >= target; a yield now and then, for a loaded machine. */
static void spin_until(atomic_uint *v, unsigned target)
{
	for (unsigned k = 1; atomic_load(v) < target; k++)
		if (k % 256 == 0)
			sched_yield();
}

static void *empty_checker(void *arg)
{
	(void)arg;
	int iters = atomic_load(&empty_iters);
	for (int i = 0; i < iters; i++) {
		atomic_fetch_add(&ready, 1);
		spin_until(&ready, 2u * (unsigned)(i + 1));
		if (runqempty(&p1))
			atomic_fetch_add(&empty_seen, 1);
		atomic_store(&empty_done, (unsigned)i + 1);
	}
	return NULL;
}

START_TEST(TestSchedLocalQueueEmpty)
{
	const int iters = TEST_SCALE(100000, 40000);
	bool inh;
	atomic_store(&empty_iters, iters);
	int64_t t0 = test_mono_ms();
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, empty_checker, NULL), 0);
	for (int i = 0; i < iters; i++) {
		bool next0 = (i & 1) == 0, next1 = (i & 2) == 0;
		runqput(&p1, &gs[0], next0);
		atomic_fetch_add(&ready, 1);
		spin_until(&ready, 2u * (unsigned)(i + 1));
		runqput(&p1, &gs[1], next1);
		runqget(&p1, &inh);
		spin_until(&empty_done, (unsigned)i + 1);
		runqget(&p1, &inh);
	}
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	printf("TestSchedLocalQueueEmpty: %d iterations, %lld ms\n", iters, (long long)(test_mono_ms() - t0));
	ck_assert_msg(atomic_load(&empty_seen) == 0, "runqempty true %d times in %d", atomic_load(&empty_seen),
	              iters);
	ck_assert(runqempty(&p1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runq");
	TCase *tc = tcase_create("single");
	tcase_add_test(tc, TestSchedLocalQueue);
	tcase_add_test(tc, TestRunnext);
	tcase_add_test(tc, TestRunqOverflow);
	tcase_add_test(tc, TestSchedLocalQueueSteal);
	tcase_add_test(tc, TestGlobrunqget);
	suite_add_tcase(s, tc);
	TCase *tr = tcase_create("race");
	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, TestRunqStealRace);
	tcase_add_test(tr, TestSchedLocalQueueEmpty);
	suite_add_tcase(s, tr);
	return test_run_suite(s);
}
