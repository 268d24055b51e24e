/* Sync tests: Mutex (exclusion, trylock, misuse, fairness, foreign threads),
 * RWMutex, WaitGroup (fan-in, reuse, misuse, lifetime), Once and Cond.
 * Pairs with core/sync.c and core/sema.c (Go's sync package over sema.go;
 * tests after the sync package tests, keeping Go's names where Go has the test). */
#include <pthread.h>
#include <string.h>

#include "testutil.h"

/* Yield until *v >= target or ns pass; whether the target was reached. */
static bool wait_atleast_for(atomic_long *v, long target, int64_t ns)
{
	int64_t deadline = goro_now() + ns;
	for (unsigned long i = 0;; i++) {
		/* load-acquire: pairs with the writers' release increments */
		if (atomic_load_explicit(v, memory_order_acquire) >= target)
			return true;
		if ((i & 15) == 0 && goro_now() > deadline)
			return false;
		goro_yield();
	}
}

/* Let other goroutines run for about ns (goro_sleep would park us; this
 * keeps the caller runnable, as a busy goroutine is). */
static void yield_for(int64_t ns)
{
	int64_t end = goro_now() + ns;
	while (goro_now() < end)
		goro_yield();
}

#define SEC (1000LL * MS)

/* ======================= Mutex ======================= */

/* ---- TestMutex: 16 goroutines x 10,000 increments of a plain counter
 * under the mutex, on procs=1 and procs=2 (loop test: procs = 1 + _i). Every
 * 1000th critical section yields while holding the lock, so others park. ---- */

#define MUTEX_G 16
#define MUTEX_N TEST_SCALE(10000, 2000)
static goro_mutex mutex_m = GORO_MUTEX_INIT;
static long mutex_counter;   /* plain: only mutex_m protects it */
static atomic_long mutex_done;

static void mutex_hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < MUTEX_N; i++) {
		goro_mutex_lock(&mutex_m);
		long v = mutex_counter;
		if (i % 1000 == 0)
			goro_yield();   /* hold it across a reschedule */
		mutex_counter = v + 1;
		ck_assert_int_eq(goro_mutex_unlock(&mutex_m), GORO_OK);
	}
	atomic_fetch_add_explicit(&mutex_done, 1, memory_order_release);
}

GORO_TEST(TestMutex, 1 + _i)
{
	for (int i = 0; i < MUTEX_G; i++)
		ck_assert_int_eq(goro_spawn(mutex_hammer, NULL), GORO_OK);
	ck_assert_msg(test_wait_atleast(&mutex_done, MUTEX_G), "only %ld of %d finished",
	              atomic_load(&mutex_done), MUTEX_G);
	goro_mutex_lock(&mutex_m);
	ck_assert_int_eq(mutex_counter, (long)MUTEX_G * MUTEX_N);
	ck_assert_int_eq(goro_mutex_unlock(&mutex_m), GORO_OK);
	return 0;
}

/* ---- TestMutexTryLock: trylock takes a free mutex only; a holder on
 * another goroutine makes it fail there too ---- */

static goro_mutex try_m = GORO_MUTEX_INIT;
static atomic_int try_other_result;   /* 1: false as expected, 2: true */

static void try_other(void *arg)
{
	(void)arg;
	bool got = goro_mutex_trylock(&try_m);
	atomic_store_explicit(&try_other_result, got ? 2 : 1, memory_order_release);
}

GORO_TEST(TestMutexTryLock, 2)
{
	goro_mutex m = GORO_MUTEX_INIT;
	ck_assert(goro_mutex_trylock(&m));
	ck_assert(!goro_mutex_trylock(&m));
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	ck_assert(goro_mutex_trylock(&m));
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	goro_mutex_lock(&m);
	ck_assert(!goro_mutex_trylock(&m));
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);

	goro_mutex_lock(&try_m);
	ck_assert_int_eq(goro_spawn(try_other, NULL), GORO_OK);
	ck_assert(test_wait_flag(&try_other_result));
	ck_assert_int_eq(atomic_load(&try_other_result), 1);
	ck_assert_int_eq(goro_mutex_unlock(&try_m), GORO_OK);
	ck_assert(goro_mutex_trylock(&try_m));
	ck_assert_int_eq(goro_mutex_unlock(&try_m), GORO_OK);
	return 0;
}

/* ---- TestMutexMisuse: unlocking an unlocked mutex is GORO_INVAL (Go
 * throws) and leaves it working: free, lockable, excluding ---- */

GORO_TEST(TestMutexMisuse, 0)
{
	goro_mutex m = GORO_MUTEX_INIT;
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_INVAL);
	ck_assert_int_eq(goro_mutex_unlock(NULL), GORO_INVAL);
	ck_assert(goro_mutex_trylock(&m));        /* still free */
	ck_assert(!goro_mutex_trylock(&m));       /* and excludes */
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_INVAL);   /* double unlock */
	goro_mutex_lock(&m);
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	ck_assert(goro_mutex_trylock(&m));
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	return 0;
}

/* ---- TestMutexFairness (mutex_test.go): one goroutine holds the lock
 * almost all the time, letting go only between a release and an immediate
 * relock; another must still get it 10 times within the bound. Without
 * starvation mode (waiter > 1 ms: the lock is handed to it) it loses every
 * race to the holder's relock. ---- */

static goro_mutex fair_m = GORO_MUTEX_INIT;
static atomic_int fair_stop;
static atomic_long fair_got;

static void fair_holder(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&fair_stop, memory_order_acquire)) {
		goro_mutex_lock(&fair_m);
		goro_sleep(100 * 1000);   /* Go: time.Sleep(100 * time.Microsecond) */
		goro_mutex_unlock(&fair_m);
	}
}

static void fair_waiter(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		goro_sleep(100 * 1000);
		goro_mutex_lock(&fair_m);
		goro_mutex_unlock(&fair_m);
		atomic_fetch_add_explicit(&fair_got, 1, memory_order_release);
	}
}

GORO_TEST(TestMutexFairness, 1 + _i)
{
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_spawn(fair_holder, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(fair_waiter, NULL), GORO_OK);
	bool ok = wait_atleast_for(&fair_got, 10, TEST_SCALE(1, 5) * SEC);
	int64_t took = goro_now() - t0;
	atomic_store_explicit(&fair_stop, 1, memory_order_release);
	ck_assert_msg(ok, "waiter got the mutex only %ld of 10 times in %lld ms: starved",
	              atomic_load(&fair_got), (long long)(took / MS));
	return 0;
}

/* ---- TestMutexForeignThread: two plain pthreads and 4 goroutines
 * increment one plain counter under one mutex; the pthreads park on a
 * futex when it is held. Exact total. ---- */

#define FOREIGN_N TEST_SCALE(20000, 3000)
#define FOREIGN_THREADS 2
#define FOREIGN_G 4
static goro_mutex foreign_m = GORO_MUTEX_INIT;
static long foreign_counter;
static atomic_long foreign_done;

static void *foreign_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < FOREIGN_N; i++) {
		goro_mutex_lock(&foreign_m);
		foreign_counter++;
		if (i % 512 == 0)
			sched_yield();   /* hold it while descheduled */
		if (goro_mutex_unlock(&foreign_m) != GORO_OK)
			abort();
	}
	atomic_fetch_add_explicit(&foreign_done, 1, memory_order_release);
	return NULL;
}

static void foreign_goroutine(void *arg)
{
	(void)arg;
	for (int i = 0; i < FOREIGN_N; i++) {
		goro_mutex_lock(&foreign_m);
		foreign_counter++;
		if (i % 512 == 0)
			goro_yield();
		ck_assert_int_eq(goro_mutex_unlock(&foreign_m), GORO_OK);
	}
	atomic_fetch_add_explicit(&foreign_done, 1, memory_order_release);
}

GORO_TEST(TestMutexForeignThread, 2)
{
	pthread_t th[FOREIGN_THREADS];
	for (int i = 0; i < FOREIGN_THREADS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, foreign_thread, NULL), 0);
	for (int i = 0; i < FOREIGN_G; i++)
		ck_assert_int_eq(goro_spawn(foreign_goroutine, NULL), GORO_OK);
	ck_assert_msg(test_wait_atleast(&foreign_done, FOREIGN_THREADS + FOREIGN_G),
	              "only %ld of %d finished", atomic_load(&foreign_done),
	              FOREIGN_THREADS + FOREIGN_G);
	for (int i = 0; i < FOREIGN_THREADS; i++)
		pthread_join(th[i], NULL);   /* done counting: returns at once */
	ck_assert_int_eq(foreign_counter, (long)(FOREIGN_THREADS + FOREIGN_G) * FOREIGN_N);
	return 0;
}

/* ======================= RWMutex ======================= */

/* ---- TestParallelReaders (rwmutex_test.go): N readers all hold the read
 * lock at once: each takes it, counts itself in, and waits (yielding, still
 * holding it) until all N are in. Exclusive readers never get there. ---- */

#define PAR_READERS 8
static goro_rwmutex par_rw = GORO_RWMUTEX_INIT;
static atomic_long par_in, par_out;

static void par_reader(void *arg)
{
	(void)arg;
	goro_rwmutex_rlock(&par_rw);
	atomic_fetch_add_explicit(&par_in, 1, memory_order_release);
	ck_assert_msg(wait_atleast_for(&par_in, PAR_READERS, 10 * SEC),
	              "readers do not share: %ld of %d inside", atomic_load(&par_in),
	              PAR_READERS);
	ck_assert_int_eq(goro_rwmutex_runlock(&par_rw), GORO_OK);
	atomic_fetch_add_explicit(&par_out, 1, memory_order_release);
}

GORO_TEST(TestParallelReaders, 1 + _i)
{
	for (int i = 0; i < PAR_READERS; i++)
		ck_assert_int_eq(goro_spawn(par_reader, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&par_out, PAR_READERS));
	ck_assert(goro_rwmutex_trylock(&par_rw));   /* all gone: free */
	ck_assert_int_eq(goro_rwmutex_unlock(&par_rw), GORO_OK);
	return 0;
}

/* ---- TestRWMutex (rwmutex_test.go's HammerRWMutex): readers add 1 to an
 * activity count, writers 10000; inside a read section the count must be in
 * [1, 10000), inside a write section exactly 10000. Critical sections
 * sometimes yield so others run (and park) while the lock is held. ---- */

#define HAMMER_N TEST_SCALE(1000, 200)
static goro_rwmutex hammer_rw = GORO_RWMUTEX_INIT;
static atomic_int hammer_activity;
static atomic_long hammer_done;

static void hammer_reader(void *arg)
{
	long id = (long)(intptr_t)arg;
	for (int i = 0; i < HAMMER_N; i++) {
		goro_rwmutex_rlock(&hammer_rw);
		int n = atomic_fetch_add(&hammer_activity, 1) + 1;
		ck_assert_msg(n >= 1 && n < 10000, "reader: activity %d", n);
		test_spin(100);
		if ((i + id) % 7 == 0)
			goro_yield();
		atomic_fetch_sub(&hammer_activity, 1);
		ck_assert_int_eq(goro_rwmutex_runlock(&hammer_rw), GORO_OK);
	}
	atomic_fetch_add_explicit(&hammer_done, 1, memory_order_release);
}

static void hammer_writer(void *arg)
{
	long id = (long)(intptr_t)arg;
	for (int i = 0; i < HAMMER_N; i++) {
		goro_rwmutex_lock(&hammer_rw);
		int n = atomic_fetch_add(&hammer_activity, 10000) + 10000;
		ck_assert_msg(n == 10000, "writer: activity %d", n);
		test_spin(100);
		if ((i + id) % 5 == 0)
			goro_yield();
		atomic_fetch_sub(&hammer_activity, 10000);
		ck_assert_int_eq(goro_rwmutex_unlock(&hammer_rw), GORO_OK);
	}
	atomic_fetch_add_explicit(&hammer_done, 1, memory_order_release);
}

static void hammer(int readers)
{
	atomic_store(&hammer_done, 0);
	/* Go: two writers and numReaders readers, interleaved */
	ck_assert_int_eq(goro_spawn(hammer_writer, (void *)(intptr_t)0), GORO_OK);
	int i;
	for (i = 0; i < readers / 2; i++)
		ck_assert_int_eq(goro_spawn(hammer_reader, (void *)(intptr_t)i), GORO_OK);
	ck_assert_int_eq(goro_spawn(hammer_writer, (void *)(intptr_t)1), GORO_OK);
	for (; i < readers; i++)
		ck_assert_int_eq(goro_spawn(hammer_reader, (void *)(intptr_t)i), GORO_OK);
	ck_assert_msg(test_wait_atleast(&hammer_done, 2 + readers),
	              "hammer(%d readers): only %ld of %d finished", readers,
	              atomic_load(&hammer_done), 2 + readers);
	ck_assert_int_eq(atomic_load(&hammer_activity), 0);
}

GORO_TEST(TestRWMutex, 1 + _i)
{
	static const int readers[] = { 1, 3, 10, 5 };
	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
		hammer(readers[i]);
	ck_assert(goro_rwmutex_trylock(&hammer_rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&hammer_rw), GORO_OK);
	return 0;
}

/* ---- TestRWMutexWriterBlocksReaders: a reader holds the lock; a writer
 * waits in lock; from then on a new reader's tryrlock fails and its rlock
 * waits until the writer has been in and out. ---- */

static goro_rwmutex wbr_rw = GORO_RWMUTEX_INIT;
static atomic_int wbr_w_started, wbr_w_locked, wbr_w_release, wbr_w_unlocked;
static atomic_int wbr_r_started, wbr_r_locked, wbr_r_saw_unlocked;

static void wbr_writer(void *arg)
{
	(void)arg;
	atomic_store(&wbr_w_started, 1);
	goro_rwmutex_lock(&wbr_rw);
	atomic_store(&wbr_w_locked, 1);
	ck_assert(test_wait_flag(&wbr_w_release));
	atomic_store(&wbr_w_unlocked, 1);   /* before: the reader may run at once */
	ck_assert_int_eq(goro_rwmutex_unlock(&wbr_rw), GORO_OK);
}

static void wbr_reader(void *arg)
{
	(void)arg;
	atomic_store(&wbr_r_started, 1);
	goro_rwmutex_rlock(&wbr_rw);
	atomic_store(&wbr_r_saw_unlocked, atomic_load(&wbr_w_unlocked));
	atomic_store(&wbr_r_locked, 1);
	ck_assert_int_eq(goro_rwmutex_runlock(&wbr_rw), GORO_OK);
}

GORO_TEST(TestRWMutexWriterBlocksReaders, 1 + _i)
{
	goro_rwmutex_rlock(&wbr_rw);
	ck_assert(goro_rwmutex_tryrlock(&wbr_rw));   /* readers share */
	ck_assert_int_eq(goro_rwmutex_runlock(&wbr_rw), GORO_OK);
	ck_assert(!goro_rwmutex_trylock(&wbr_rw));   /* but exclude writers */

	ck_assert_int_eq(goro_spawn(wbr_writer, NULL), GORO_OK);
	ck_assert(test_wait_flag(&wbr_w_started));
	/* Once the writer is waiting, tryrlock fails. */
	int64_t deadline = goro_now() + 10 * SEC;
	bool blocked = false;
	while (!blocked && goro_now() < deadline) {
		if (goro_rwmutex_tryrlock(&wbr_rw)) {
			ck_assert_int_eq(goro_rwmutex_runlock(&wbr_rw), GORO_OK);
			goro_yield();
		} else {
			blocked = true;
		}
	}
	ck_assert_msg(blocked, "a waiting writer does not hold off tryrlock");
	ck_assert_msg(!atomic_load(&wbr_w_locked), "writer got in beside a reader");

	ck_assert_int_eq(goro_spawn(wbr_reader, NULL), GORO_OK);
	ck_assert(test_wait_flag(&wbr_r_started));
	yield_for(20 * MS);
	ck_assert_msg(!atomic_load(&wbr_r_locked), "new reader got in past a waiting writer");
	ck_assert(!atomic_load(&wbr_w_locked));

	ck_assert_int_eq(goro_rwmutex_runlock(&wbr_rw), GORO_OK);  /* writer's turn */
	ck_assert_msg(test_wait_flag(&wbr_w_locked), "writer never got the lock");
	yield_for(10 * MS);
	ck_assert_msg(!atomic_load(&wbr_r_locked), "reader got in beside the writer");
	ck_assert(!goro_rwmutex_tryrlock(&wbr_rw));

	atomic_store(&wbr_w_release, 1);
	ck_assert_msg(test_wait_flag(&wbr_r_locked), "reader never got in after the writer");
	ck_assert_int_eq(atomic_load(&wbr_r_saw_unlocked), 1);
	return 0;
}

/* ---- TestRWMutexTry: tryrlock / trylock against each state ---- */

GORO_TEST(TestRWMutexTry, 0)
{
	goro_rwmutex rw = GORO_RWMUTEX_INIT;
	ck_assert(goro_rwmutex_trylock(&rw));
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert(!goro_rwmutex_tryrlock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);
	ck_assert(goro_rwmutex_tryrlock(&rw));
	ck_assert(goro_rwmutex_tryrlock(&rw));
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_OK);
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_OK);
	ck_assert(goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);
	goro_rwmutex_lock(&rw);
	ck_assert(!goro_rwmutex_tryrlock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);
	goro_rwmutex_rlock(&rw);
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_OK);
	return 0;
}

/* ---- TestRWMutexMisuse: runlock without a reader, unlock without a
 * writer: GORO_INVAL, and the lock's state is as before ---- */

GORO_TEST(TestRWMutexMisuse, 0)
{
	goro_rwmutex rw = GORO_RWMUTEX_INIT;
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_INVAL);
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_INVAL);
	ck_assert(goro_rwmutex_trylock(&rw));   /* still free */
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);

	/* a reader holds it: unlock is misuse, the reader still holds it */
	goro_rwmutex_rlock(&rw);
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_INVAL);
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_OK);
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_INVAL);   /* one too many */
	ck_assert(goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);

	/* a writer holds it: runlock is misuse, the writer still holds it */
	goro_rwmutex_lock(&rw);
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_INVAL);
	ck_assert(!goro_rwmutex_tryrlock(&rw));
	ck_assert(!goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_INVAL);   /* double unlock */
	ck_assert(goro_rwmutex_tryrlock(&rw));
	ck_assert_int_eq(goro_rwmutex_runlock(&rw), GORO_OK);
	ck_assert(goro_rwmutex_trylock(&rw));
	ck_assert_int_eq(goro_rwmutex_unlock(&rw), GORO_OK);
	return 0;
}

/* ---- TestRWMutexMisuseWithWaitingReader: a writer holds the lock and a
 * reader waits in rlock; a runlock by nobody holding a read lock is
 * GORO_INVAL and changes nothing: the writer's unlock then lets the
 * waiting reader in, and the lock ends free. ---- */

static goro_rwmutex mwr_rw = GORO_RWMUTEX_INIT;
static atomic_int mwr_started, mwr_locked;

static void mwr_reader(void *arg)
{
	(void)arg;
	atomic_store(&mwr_started, 1);
	goro_rwmutex_rlock(&mwr_rw);
	atomic_store(&mwr_locked, 1);
	ck_assert_int_eq(goro_rwmutex_runlock(&mwr_rw), GORO_OK);
}

GORO_TEST(TestRWMutexMisuseWithWaitingReader, 0)
{
	goro_rwmutex_lock(&mwr_rw);
	ck_assert_int_eq(goro_spawn(mwr_reader, NULL), GORO_OK);
	ck_assert(test_wait_flag(&mwr_started));
	yield_for(10 * MS);   /* let it reach rlock and park */
	ck_assert(!atomic_load(&mwr_locked));
	ck_assert_int_eq(goro_rwmutex_runlock(&mwr_rw), GORO_INVAL);
	ck_assert(!atomic_load(&mwr_locked));
	ck_assert_int_eq(goro_rwmutex_unlock(&mwr_rw), GORO_OK);
	ck_assert_msg(test_wait_flag(&mwr_locked), "waiting reader never got in");
	int64_t deadline = goro_now() + 10 * SEC;
	while (!goro_rwmutex_trylock(&mwr_rw)) {
		ck_assert_msg(goro_now() < deadline, "rwmutex never free again");
		goro_yield();
	}
	ck_assert_int_eq(goro_rwmutex_unlock(&mwr_rw), GORO_OK);
	return 0;
}

/* ======================= WaitGroup ======================= */

/* ---- TestWaitGroup (waitgroup_test.go): a barrier of two WaitGroups,
 * 8 rounds on the same pair, so each round starts from a proper state ---- */

#define WG_N 16
static goro_waitgroup wg1 = GORO_WAITGROUP_INIT, wg2 = GORO_WAITGROUP_INIT;
static atomic_long wg_exited;

static void wg_barrier(void *arg)
{
	(void)arg;
	ck_assert_int_eq(goro_wg_done(&wg1), GORO_OK);
	goro_wg_wait(&wg2);
	atomic_fetch_add_explicit(&wg_exited, 1, memory_order_release);
}

GORO_TEST(TestWaitGroup, 1 + _i)
{
	for (int round = 0; round < 8; round++) {
		atomic_store(&wg_exited, 0);
		ck_assert_int_eq(goro_wg_add(&wg1, WG_N), GORO_OK);
		ck_assert_int_eq(goro_wg_add(&wg2, WG_N), GORO_OK);
		for (int i = 0; i < WG_N; i++)
			ck_assert_int_eq(goro_spawn(wg_barrier, NULL), GORO_OK);
		goro_wg_wait(&wg1);
		for (int i = 0; i < WG_N; i++) {
			goro_yield();
			ck_assert_msg(atomic_load(&wg_exited) == 0, "WaitGroup released group too soon");
			ck_assert_int_eq(goro_wg_done(&wg2), GORO_OK);
		}
		ck_assert_msg(test_wait_atleast(&wg_exited, WG_N), "round %d: only %ld exited",
		              round, atomic_load(&wg_exited));
	}
	return 0;
}

/* ---- TestWaitGroupFanOut: 10,000 goroutines (arm64: 2,000) each add
 * their index to a sum and call Done; Wait returns after all of them ---- */

#define FAN_N TEST_SCALE(10000, 2000)
static goro_waitgroup fan_wg = GORO_WAITGROUP_INIT;
static atomic_long fan_sum;

static void fan_worker(void *arg)
{
	long i = (long)(intptr_t)arg;
	if (i % 3 == 0)
		goro_yield();
	atomic_fetch_add_explicit(&fan_sum, i, memory_order_relaxed);
	ck_assert_int_eq(goro_wg_done(&fan_wg), GORO_OK);
}

GORO_TEST(TestWaitGroupFanOut, 2)
{
	for (long i = 0; i < FAN_N; i++) {
		ck_assert_int_eq(goro_wg_add(&fan_wg, 1), GORO_OK);
		ck_assert_int_eq(goro_spawn(fan_worker, (void *)(intptr_t)i), GORO_OK);
	}
	goro_wg_wait(&fan_wg);
	/* Wait orders the workers' adds before this load */
	ck_assert_int_eq(atomic_load_explicit(&fan_sum, memory_order_relaxed),
	                 (long)FAN_N * (FAN_N - 1) / 2);
	return 0;
}

/* ---- TestWaitGroupReuse: one WaitGroup, many rounds, with three waiters
 * a round (main and two goroutines); each Wait returns only after all of
 * that round's Dones. ---- */

#define REUSE_ROUNDS 50
#define REUSE_WORKERS 8
static goro_waitgroup reuse_wg = GORO_WAITGROUP_INIT;
static atomic_long reuse_work, reuse_waiters_ok;
static atomic_int reuse_bad;

static void reuse_worker(void *arg)
{
	(void)arg;
	goro_yield();
	atomic_fetch_add_explicit(&reuse_work, 1, memory_order_release);
	ck_assert_int_eq(goro_wg_done(&reuse_wg), GORO_OK);
}

static void reuse_waiter(void *arg)
{
	long want = (long)(intptr_t)arg;
	goro_wg_wait(&reuse_wg);
	if (atomic_load_explicit(&reuse_work, memory_order_acquire) < want)
		atomic_store(&reuse_bad, 1);
	atomic_fetch_add_explicit(&reuse_waiters_ok, 1, memory_order_release);
}

GORO_TEST(TestWaitGroupReuse, 1 + _i)
{
	for (int round = 1; round <= REUSE_ROUNDS; round++) {
		long want = (long)round * REUSE_WORKERS;
		atomic_store(&reuse_waiters_ok, 0);
		ck_assert_int_eq(goro_wg_add(&reuse_wg, REUSE_WORKERS), GORO_OK);
		for (int i = 0; i < 2; i++)
			ck_assert_int_eq(goro_spawn(reuse_waiter, (void *)(intptr_t)want), GORO_OK);
		goro_yield();
		for (int i = 0; i < REUSE_WORKERS; i++)
			ck_assert_int_eq(goro_spawn(reuse_worker, NULL), GORO_OK);
		goro_wg_wait(&reuse_wg);
		ck_assert_int_eq(atomic_load(&reuse_work), want);
		/* both waiters return before the next round's Add: a waiter that
		 * had not yet called Wait sees the counter 0 and returns too */
		ck_assert(test_wait_atleast(&reuse_waiters_ok, 2));
		ck_assert_msg(!atomic_load(&reuse_bad), "round %d: a Wait returned early", round);
	}
	goro_wg_wait(&reuse_wg);   /* zero: returns at once */
	return 0;
}

/* ---- TestWaitGroupMisuse: a negative counter is GORO_INVAL (Go panics)
 * and leaves the counter as it was; so is overflow ---- */

static goro_waitgroup misuse_wg = GORO_WAITGROUP_INIT;
static atomic_int misuse_release;

static void misuse_doner(void *arg)
{
	(void)arg;
	ck_assert(test_wait_flag(&misuse_release));
	ck_assert_int_eq(goro_wg_done(&misuse_wg), GORO_OK);
}

GORO_TEST(TestWaitGroupMisuse, 0)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	ck_assert_int_eq(goro_wg_done(&wg), GORO_INVAL);
	ck_assert_int_eq(goro_wg_add(&wg, -1), GORO_INVAL);
	ck_assert_int_eq(goro_wg_add(NULL, 1), GORO_INVAL);
	ck_assert_int_eq(goro_wg_done(NULL), GORO_INVAL);
	goro_wg_wait(&wg);   /* still zero */
	ck_assert_int_eq(goro_wg_add(&wg, INT32_MAX), GORO_OK);
	ck_assert_int_eq(goro_wg_add(&wg, 1), GORO_INVAL);     /* overflow */
	ck_assert_int_eq(goro_wg_add(&wg, -INT32_MAX), GORO_OK);
	goro_wg_wait(&wg);

	/* add 1, add -2: rejected, counter still 1; Wait blocks until Done */
	ck_assert_int_eq(goro_wg_add(&misuse_wg, 1), GORO_OK);
	ck_assert_int_eq(goro_wg_add(&misuse_wg, -2), GORO_INVAL);
	ck_assert_int_eq(goro_spawn(misuse_doner, NULL), GORO_OK);
	atomic_store(&misuse_release, 1);
	goro_wg_wait(&misuse_wg);
	ck_assert_int_eq(goro_wg_done(&misuse_wg), GORO_INVAL);   /* now zero */
	return 0;
}

/* ---- TestWaitGroupMisuseWaitBlocks: after add 1, add -2 (rejected) Wait
 * does block: it returns only after the Done ---- */

static goro_waitgroup mwb_wg = GORO_WAITGROUP_INIT;
static atomic_int mwb_done_called, mwb_wait_returned;

static void mwb_waiter(void *arg)
{
	(void)arg;
	goro_wg_wait(&mwb_wg);
	atomic_store(&mwb_wait_returned, atomic_load(&mwb_done_called) ? 1 : 2);
}

GORO_TEST(TestWaitGroupMisuseWaitBlocks, 1 + _i)
{
	ck_assert_int_eq(goro_wg_add(&mwb_wg, 1), GORO_OK);
	ck_assert_int_eq(goro_wg_add(&mwb_wg, -2), GORO_INVAL);
	ck_assert_int_eq(goro_spawn(mwb_waiter, NULL), GORO_OK);
	yield_for(20 * MS);
	ck_assert_msg(atomic_load(&mwb_wait_returned) == 0, "Wait returned before Done");
	atomic_store(&mwb_done_called, 1);
	ck_assert_int_eq(goro_wg_done(&mwb_wg), GORO_OK);
	ck_assert(test_wait_flag(&mwb_wait_returned));
	ck_assert_int_eq(atomic_load(&mwb_wait_returned), 1);
	return 0;
}

/* ---- TestWaitGroupOnStack: the common C case. A function keeps its
 * WaitGroup on its own stack, spawns goroutines that call Done, waits and
 * returns; the next call reuses the stack. The contract: Wait returning
 * means no Done touches the WaitGroup again. Checked three ways: the
 * bytes do not change after Wait returned, the next round (same address,
 * scribbled over in between) works, and no Wait returns early. ---- */

#define STACK_ROUNDS TEST_SCALE(20000, 2000)
#define STACK_K 3
static atomic_long stack_work;

static void stack_doner(void *arg)
{
	goro_waitgroup *wg = arg;
	atomic_fetch_add_explicit(&stack_work, 1, memory_order_release);
	if (goro_wg_done(wg) != GORO_OK)
		ck_abort_msg("Done on a stack WaitGroup failed");
}

static __attribute__((noinline)) int stack_round(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	atomic_store(&stack_work, 0);
	if (goro_wg_add(&wg, STACK_K) != GORO_OK)
		return 1;
	for (int i = 0; i < STACK_K; i++)
		if (goro_spawn(stack_doner, &wg) != GORO_OK)
			return 2;
	goro_wg_wait(&wg);
	if (atomic_load_explicit(&stack_work, memory_order_acquire) != STACK_K)
		return 3;   /* returned before every Done */
	goro_waitgroup snap;
	memcpy(&snap, &wg, sizeof wg);
	goro_yield();   /* a straggling Done would write now */
	goro_yield();
	if (memcmp(&snap, &wg, sizeof wg) != 0)
		return 4;
	return 0;
}

static __attribute__((noinline)) void stack_scribble(void)
{
	volatile unsigned char buf[1024];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = 0xA5;
	(void)buf[0];
}

GORO_TEST(TestWaitGroupOnStack, 2)
{
	for (int i = 0; i < STACK_ROUNDS; i++) {
		int r = stack_round();
		ck_assert_msg(r == 0, "round %d: %s", i,
		              r == 3 ? "Wait returned before the last Done" :
		              r == 4 ? "the WaitGroup was written after Wait returned" :
		              "add/spawn failed");
		stack_scribble();
	}
	return 0;
}

/* ---- TestWaitGroupForeignThread: Wait from a plain pthread (parks on a
 * futex) while goroutines call Done; and Done from a pthread releasing a
 * waiting goroutine ---- */

static goro_waitgroup fwg_a = GORO_WAITGROUP_INIT, fwg_b = GORO_WAITGROUP_INIT;
static atomic_long fwg_work;
static atomic_int fwg_thread_waited;

static void fwg_doner(void *arg)
{
	(void)arg;
	goro_sleep(1 * MS);
	atomic_fetch_add_explicit(&fwg_work, 1, memory_order_release);
	ck_assert_int_eq(goro_wg_done(&fwg_a), GORO_OK);
}

static void *fwg_thread(void *arg)
{
	(void)arg;
	goro_wg_wait(&fwg_a);
	/* acquire via Wait: all 8 Dones came before */
	atomic_store(&fwg_thread_waited,
	             atomic_load_explicit(&fwg_work, memory_order_acquire) == 8 ? 1 : 2);
	usleep(5000);
	if (goro_wg_done(&fwg_b) != GORO_OK)
		abort();
	return NULL;
}

GORO_TEST(TestWaitGroupForeignThread, 1 + _i)
{
	goro_wg_wait(&fwg_a);   /* zero: at once, from a goroutine */
	ck_assert_int_eq(goro_wg_add(&fwg_a, 8), GORO_OK);
	ck_assert_int_eq(goro_wg_add(&fwg_b, 1), GORO_OK);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, fwg_thread, NULL), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(goro_spawn(fwg_doner, NULL), GORO_OK);
	goro_wg_wait(&fwg_b);   /* released by the pthread's Done */
	ck_assert_int_eq(atomic_load(&fwg_thread_waited), 1);
	pthread_join(th, NULL);
	return 0;
}

/* ---- TestWaitGroupZero: Wait on a zero counter returns at once, on a
 * fresh WaitGroup and after the counter went up and back down ---- */

GORO_TEST(TestWaitGroupZero, 0)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	int64_t t0 = goro_now();
	goro_wg_wait(&wg);
	ck_assert_int_eq(goro_wg_add(&wg, 3), GORO_OK);
	ck_assert_int_eq(goro_wg_add(&wg, -3), GORO_OK);
	goro_wg_wait(&wg);
	goro_wg_wait(NULL);   /* tolerated */
	ck_assert_int_lt(goro_now() - t0, TEST_SCALE(100, 1000) * MS);
	return 0;
}

/* ======================= Once ======================= */

/* ---- TestOnce (once_test.go): 100 goroutines call Do at once; fn runs
 * exactly once, takes a while (it sleeps), and no caller returns before it
 * finished ---- */

#define ONCE_G 100
static goro_once once_o = GORO_ONCE_INIT;
static atomic_int once_calls, once_finished;
static atomic_long once_returned;

static void once_fn(void *arg)
{
	ck_assert_ptr_eq(arg, &once_o);
	atomic_fetch_add(&once_calls, 1);
	goro_sleep(20 * MS);   /* the others arrive and wait meanwhile */
	atomic_store_explicit(&once_finished, 1, memory_order_release);
}

static void once_never(void *arg)
{
	(void)arg;
	ck_abort_msg("a second Once function ran");
}

static void once_caller(void *arg)
{
	(void)arg;
	goro_once_do(&once_o, once_fn, &once_o);
	ck_assert_msg(atomic_load_explicit(&once_finished, memory_order_acquire),
	              "Do returned before fn finished");
	ck_assert_int_eq(atomic_load(&once_calls), 1);
	atomic_fetch_add_explicit(&once_returned, 1, memory_order_release);
}

GORO_TEST(TestOnce, 1 + _i)
{
	for (int i = 0; i < ONCE_G; i++)
		ck_assert_int_eq(goro_spawn(once_caller, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&once_returned, ONCE_G));
	goro_once_do(&once_o, once_never, NULL);
	ck_assert_int_eq(atomic_load(&once_calls), 1);
	return 0;
}

/* ======================= Cond ======================= */

/* ---- TestCondSignal (cond_test.go): two waiters; each Signal wakes
 * exactly one ---- */

static goro_mutex cs_m = GORO_MUTEX_INIT;
static goro_cond cs_c = GORO_COND_INIT;
static atomic_long cs_running, cs_awake;

static void cs_waiter(void *arg)
{
	(void)arg;
	goro_mutex_lock(&cs_m);
	atomic_fetch_add(&cs_running, 1);
	ck_assert_int_eq(goro_cond_wait(&cs_c, &cs_m), GORO_OK);
	atomic_fetch_add(&cs_awake, 1);
	ck_assert_int_eq(goro_mutex_unlock(&cs_m), GORO_OK);
}

GORO_TEST(TestCondSignal, 1 + _i)
{
	long n = 2;
	for (long i = 0; i < n; i++)
		ck_assert_int_eq(goro_spawn(cs_waiter, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&cs_running, n));
	for (long woken = 0; woken < n; woken++) {
		yield_for(5 * MS);
		ck_assert_msg(atomic_load(&cs_awake) == woken, "goroutine not asleep");
		goro_mutex_lock(&cs_m);
		goro_cond_signal(&cs_c);
		ck_assert_int_eq(goro_mutex_unlock(&cs_m), GORO_OK);
		ck_assert_msg(wait_atleast_for(&cs_awake, woken + 1, 10 * SEC),
		              "Signal woke nobody");
		yield_for(5 * MS);
		ck_assert_msg(atomic_load(&cs_awake) == woken + 1, "too many goroutines awake");
	}
	goro_cond_signal(&cs_c);   /* nobody waiting: a no-op */
	return 0;
}

/* ---- TestCondSignalGenerations (cond_test.go): Signal wakes waiters in
 * the order they started waiting ---- */

#define GEN_N 100
static goro_mutex gen_m = GORO_MUTEX_INIT;
static goro_cond gen_c = GORO_COND_INIT;
static atomic_long gen_running, gen_awake;
static atomic_long gen_last = -1;

static void gen_waiter(void *arg)
{
	long i = (long)(intptr_t)arg;
	goro_mutex_lock(&gen_m);
	atomic_fetch_add(&gen_running, 1);
	ck_assert_int_eq(goro_cond_wait(&gen_c, &gen_m), GORO_OK);
	atomic_store(&gen_last, i);
	atomic_fetch_add(&gen_awake, 1);
	ck_assert_int_eq(goro_mutex_unlock(&gen_m), GORO_OK);
}

GORO_TEST(TestCondSignalGenerations, 1 + _i)
{
	for (long i = 0; i < GEN_N; i++) {
		ck_assert_int_eq(goro_spawn(gen_waiter, (void *)(intptr_t)i), GORO_OK);
		if (i > 0) {
			ck_assert(test_wait_atleast(&gen_awake, i));
			ck_assert_msg(atomic_load(&gen_last) == i - 1,
			              "wrong goroutine woke up: want %ld, got %ld", i - 1,
			              atomic_load(&gen_last));
		}
		ck_assert(test_wait_atleast(&gen_running, i + 1));
		goro_mutex_lock(&gen_m);
		goro_cond_signal(&gen_c);
		ck_assert_int_eq(goro_mutex_unlock(&gen_m), GORO_OK);
	}
	ck_assert(test_wait_atleast(&gen_awake, GEN_N));
	return 0;
}

/* ---- TestCondBroadcast: N waiters, several rounds; each Broadcast wakes
 * every one of them ---- */

#define BC_N 50
#define BC_ROUNDS 5
static goro_mutex bc_m = GORO_MUTEX_INIT;
static goro_cond bc_c = GORO_COND_INIT;
static atomic_long bc_running, bc_awake;

static void bc_waiter(void *arg)
{
	(void)arg;
	for (int r = 0; r < BC_ROUNDS; r++) {
		goro_mutex_lock(&bc_m);
		atomic_fetch_add(&bc_running, 1);
		ck_assert_int_eq(goro_cond_wait(&bc_c, &bc_m), GORO_OK);
		atomic_fetch_add(&bc_awake, 1);
		ck_assert_int_eq(goro_mutex_unlock(&bc_m), GORO_OK);
	}
}

GORO_TEST(TestCondBroadcast, 1 + _i)
{
	for (int i = 0; i < BC_N; i++)
		ck_assert_int_eq(goro_spawn(bc_waiter, NULL), GORO_OK);
	for (long r = 1; r <= BC_ROUNDS; r++) {
		/* every waiter took its ticket under bc_m before we can lock it */
		ck_assert(test_wait_atleast(&bc_running, r * BC_N));
		goro_mutex_lock(&bc_m);
		goro_cond_broadcast(&bc_c);
		ck_assert_int_eq(goro_mutex_unlock(&bc_m), GORO_OK);
		ck_assert_msg(wait_atleast_for(&bc_awake, r * BC_N, 10 * SEC),
		              "round %ld: Broadcast woke %ld of %d", r,
		              atomic_load(&bc_awake) - (r - 1) * BC_N, BC_N);
	}
	goro_cond_broadcast(&bc_c);   /* nobody waiting: a no-op */
	return 0;
}

/* ---- TestCondMisuse: cond_wait with an unlocked mutex is GORO_INVAL and
 * takes no ticket: the next Signal still wakes the next real waiter ---- */

static goro_mutex cm_m = GORO_MUTEX_INIT;
static goro_cond cm_c = GORO_COND_INIT;
static atomic_int cm_in, cm_awake;

static void cm_waiter(void *arg)
{
	(void)arg;
	goro_mutex_lock(&cm_m);
	atomic_store(&cm_in, 1);
	ck_assert_int_eq(goro_cond_wait(&cm_c, &cm_m), GORO_OK);
	atomic_store(&cm_awake, 1);
	ck_assert_int_eq(goro_mutex_unlock(&cm_m), GORO_OK);
}

GORO_TEST(TestCondMisuse, 0)
{
	ck_assert_int_eq(goro_cond_wait(&cm_c, &cm_m), GORO_INVAL);
	ck_assert_int_eq(goro_cond_wait(NULL, &cm_m), GORO_INVAL);
	ck_assert_int_eq(goro_cond_wait(&cm_c, NULL), GORO_INVAL);
	ck_assert(goro_mutex_trylock(&cm_m));   /* the mutex untouched */
	ck_assert_int_eq(goro_mutex_unlock(&cm_m), GORO_OK);

	ck_assert_int_eq(goro_spawn(cm_waiter, NULL), GORO_OK);
	ck_assert(test_wait_flag(&cm_in));
	goro_mutex_lock(&cm_m);
	goro_cond_signal(&cm_c);
	ck_assert_int_eq(goro_mutex_unlock(&cm_m), GORO_OK);
	ck_assert_msg(test_wait_flag(&cm_awake), "Signal went to a rejected wait");
	return 0;
}

/* ---- TestCondProducerConsumer: a bounded buffer with two Conds, 4
 * producers and 4 consumers; every item is consumed exactly once ---- */

#define PC_CAP 8
#define PC_PRODUCERS 4
#define PC_CONSUMERS 4
#define PC_PER TEST_SCALE(5000, 1000)
static goro_mutex pc_m = GORO_MUTEX_INIT;
static goro_cond pc_notempty = GORO_COND_INIT, pc_notfull = GORO_COND_INIT;
static long pc_buf[PC_CAP];
static int pc_head, pc_len;           /* pc_m */
static long pc_produced_end;          /* pc_m: producers finished */
static atomic_long pc_sum, pc_count, pc_done;

static void pc_producer(void *arg)
{
	long base = (long)(intptr_t)arg * PC_PER;
	for (long i = 1; i <= PC_PER; i++) {
		goro_mutex_lock(&pc_m);
		while (pc_len == PC_CAP)
			ck_assert_int_eq(goro_cond_wait(&pc_notfull, &pc_m), GORO_OK);
		pc_buf[(pc_head + pc_len) % PC_CAP] = base + i;
		pc_len++;
		goro_cond_signal(&pc_notempty);
		ck_assert_int_eq(goro_mutex_unlock(&pc_m), GORO_OK);
	}
	goro_mutex_lock(&pc_m);
	if (++pc_produced_end == PC_PRODUCERS)
		goro_cond_broadcast(&pc_notempty);   /* consumers may stop */
	goro_mutex_unlock(&pc_m);
	atomic_fetch_add(&pc_done, 1);
}

static void pc_consumer(void *arg)
{
	(void)arg;
	for (;;) {
		goro_mutex_lock(&pc_m);
		while (pc_len == 0 && pc_produced_end < PC_PRODUCERS)
			ck_assert_int_eq(goro_cond_wait(&pc_notempty, &pc_m), GORO_OK);
		if (pc_len == 0) {
			goro_mutex_unlock(&pc_m);
			break;
		}
		long v = pc_buf[pc_head];
		pc_head = (pc_head + 1) % PC_CAP;
		pc_len--;
		goro_cond_signal(&pc_notfull);
		ck_assert_int_eq(goro_mutex_unlock(&pc_m), GORO_OK);
		atomic_fetch_add(&pc_sum, v);
		atomic_fetch_add(&pc_count, 1);
	}
	atomic_fetch_add(&pc_done, 1);
}

GORO_TEST(TestCondProducerConsumer, 1 + _i)
{
	for (int i = 0; i < PC_CONSUMERS; i++)
		ck_assert_int_eq(goro_spawn(pc_consumer, NULL), GORO_OK);
	for (int i = 0; i < PC_PRODUCERS; i++)
		ck_assert_int_eq(goro_spawn(pc_producer, (void *)(intptr_t)i), GORO_OK);
	ck_assert_msg(test_wait_atleast(&pc_done, PC_PRODUCERS + PC_CONSUMERS),
	              "stuck: %ld of %d done, %ld items consumed", atomic_load(&pc_done),
	              PC_PRODUCERS + PC_CONSUMERS, atomic_load(&pc_count));
	long total = (long)PC_PRODUCERS * PC_PER;
	ck_assert_int_eq(atomic_load(&pc_count), total);
	ck_assert_int_eq(atomic_load(&pc_sum), total * (total + 1) / 2);
	return 0;
}

static Suite *sync_suite(void)
{
	Suite *s = suite_create("sync");

	TCase *tm = tcase_create("mutex");
	tcase_set_timeout(tm, 120);
	tcase_add_loop_test(tm, TestMutex, 0, 2);
	tcase_add_test(tm, TestMutexTryLock);
	tcase_add_test(tm, TestMutexMisuse);
	tcase_add_loop_test(tm, TestMutexFairness, 0, 2);
	tcase_add_test(tm, TestMutexForeignThread);
	suite_add_tcase(s, tm);

	TCase *trw = tcase_create("rwmutex");
	tcase_set_timeout(trw, 120);
	tcase_add_loop_test(trw, TestParallelReaders, 0, 2);
	tcase_add_loop_test(trw, TestRWMutex, 0, 2);
	tcase_add_loop_test(trw, TestRWMutexWriterBlocksReaders, 0, 2);
	tcase_add_test(trw, TestRWMutexTry);
	tcase_add_test(trw, TestRWMutexMisuse);
	tcase_add_test(trw, TestRWMutexMisuseWithWaitingReader);
	suite_add_tcase(s, trw);

	TCase *twg = tcase_create("waitgroup");
	tcase_set_timeout(twg, 120);
	tcase_add_loop_test(twg, TestWaitGroup, 0, 2);
	tcase_add_test(twg, TestWaitGroupFanOut);
	tcase_add_loop_test(twg, TestWaitGroupReuse, 0, 2);
	tcase_add_test(twg, TestWaitGroupMisuse);
	tcase_add_loop_test(twg, TestWaitGroupMisuseWaitBlocks, 0, 2);
	tcase_add_test(twg, TestWaitGroupOnStack);
	tcase_add_loop_test(twg, TestWaitGroupForeignThread, 0, 2);
	tcase_add_test(twg, TestWaitGroupZero);
	suite_add_tcase(s, twg);

	TCase *to = tcase_create("once");
	tcase_set_timeout(to, 120);
	tcase_add_loop_test(to, TestOnce, 0, 2);
	suite_add_tcase(s, to);

	TCase *tc = tcase_create("cond");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, TestCondSignal, 0, 2);
	tcase_add_loop_test(tc, TestCondSignalGenerations, 0, 2);
	tcase_add_loop_test(tc, TestCondBroadcast, 0, 2);
	tcase_add_test(tc, TestCondMisuse);
	tcase_add_loop_test(tc, TestCondProducerConsumer, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(sync_suite());
}
