/* plat_futex_wait/wake without futexes (PARK=condvar): a fixed table of
 * buckets, each a pthread mutex and condition variable, hashed by address,
 * as a host for macOS or a BSD would do it (Go's lock_sema.go plays the same
 * role there with per-M semaphores). Same contract as park_futex.c. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "platform.h"

enum { NBUCKET = 64 };	/* a power of two */

/* One bucket. mu protects waiters and orders every sleep on an address
 * hashed here against every wake of it; cv is signalled only by broadcast,
 * since the sleepers of a bucket may wait on different addresses. Padded to
 * keep neighbours off each other's cache lines. */
struct bucket {
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* on CLOCK_MONOTONIC */
	int waiters;		/* under mu: sleepers in cv */
} __attribute__((aligned(128)));

static struct bucket table[NBUCKET];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* The condvars measure timeouts on CLOCK_MONOTONIC, as plat_nanotime does;
 * without the attribute a wall-clock step would stretch or cut a sleep. */
static void table_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	for (int i = 0; i < NBUCKET; i++) {
		pthread_mutex_init(&table[i].mu, NULL);
		pthread_cond_init(&table[i].cv, &ca);
	}
	pthread_condattr_destroy(&ca);
}

static struct bucket *bucket_of(const uint32_t *addr)
{
	uintptr_t a = (uintptr_t)addr >> 2;

	pthread_once(&table_once, table_init);
	/* Fibonacci hashing: the top bits of a * 2^64/phi */
	return &table[(uint64_t)a * 0x9e3779b97f4a7c15ull >> (64 - 6)];
}
_Static_assert(NBUCKET == 1 << 6, "bucket_of takes 6 bits");

/* futexsleep: sleep while *addr == val, at most ns (ns < 0: forever).
 * Atomic with respect to plat_futex_wake: the value is checked under the
 * bucket lock, which the sleep releases atomically, and a waker changes
 * *addr before it takes that lock to broadcast; so a wake either precedes
 * the check (which then sees the new value) or finds the sleeper in cv.
 * Returns on any wake-up, a timeout, or a broadcast meant for another
 * address of the bucket (spurious: callers loop). */
void plat_futex_wait(uint32_t *addr, uint32_t val, int64_t ns)
{
	struct bucket *b = bucket_of(addr);
	struct timespec ts;

	if (ns >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ns += ts.tv_nsec;
		ts.tv_sec += (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
	}
	pthread_mutex_lock(&b->mu);
	/* relaxed: the bucket lock orders this load after the waker's store */
	if (__atomic_load_n(addr, __ATOMIC_RELAXED) == val) {
		b->waiters++;
		if (ns >= 0)
			pthread_cond_timedwait(&b->cv, &b->mu, &ts);
		else
			pthread_cond_wait(&b->cv, &b->mu);
		b->waiters--;
	}
	pthread_mutex_unlock(&b->mu);
}

/* futexwakeup: wake the sleepers on addr. Wakes every sleeper of its
 * bucket whatever n is: signalling one could pick a sleeper on another
 * address and lose this wake-up. The caller has already changed *addr. */
void plat_futex_wake(uint32_t *addr, int n)
{
	struct bucket *b = bucket_of(addr);

	(void)n;
	pthread_mutex_lock(&b->mu);
	if (b->waiters > 0)
		pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}
