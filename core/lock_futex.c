/* The runtime's mutex and note on the platform futex: lock_futex.go's lock2,
 * unlock2, noteclear, notewakeup and notesleep; lock and unlock add
 * lockrank.c's checks. Usable from any
 * thread, goroutine stacks included: nothing here switches goroutines. */
#include "runtime2.h"
#include "platform.h"

enum {
	mutex_unlocked = 0,
	mutex_locked = 1,
	mutex_sleeping = 2,

	active_spin = 4,
	active_spin_cnt = 30,
	passive_spin = 1,
};

/* lock2: grab the word; on contention spin a little (actively, then by
 * yielding the thread) and finally sleep with the word marked "sleeping",
 * so the unlocker knows a wake-up is owed. */
static void lock2(uint32_t *key)
{
	/* Every Xchg and Cas here is seq_cst, as Go's; acquire on taking the
	 * word is what the lock needs, pairing with unlock2's Xchg. The
	 * relaxed loads are spinning looks; the CAS after one decides. */
	uint32_t v = a_xchg(key, mutex_locked);
	if (v == mutex_unlocked)
		return;

	/* v is what we must leave behind when we finally take it: if we saw
	 * sleepers, they stay announced. */
	uint32_t wait = v;
	int spin = ncpu > 1 ? active_spin : 0;   /* 0 until schedinit: no spinning */
	for (;;) {
		for (int i = 0; i < spin; i++) {
			while (a_load_relaxed(key) == mutex_unlocked)
				if (a_cas(key, mutex_unlocked, wait))
					return;
			arch_procyield(active_spin_cnt);
		}
		for (int i = 0; i < passive_spin; i++) {
			while (a_load_relaxed(key) == mutex_unlocked)
				if (a_cas(key, mutex_unlocked, wait))
					return;
			plat_osyield();
		}
		v = a_xchg(key, mutex_sleeping);
		if (v == mutex_unlocked)
			return;
		wait = mutex_sleeping;
		plat_futex_wait(key, mutex_sleeping, -1);
	}
}

/* unlock2 */
static void unlock2(uint32_t *key)
{
	/* seq_cst as Go's Xchg; release is what it needs, and the old value
	 * says whether a sleeper is owed a wake-up */
	uint32_t v = a_xchg(key, mutex_unlocked);
	if (v == mutex_unlocked)
		throw("unlock of unlocked lock");
	if (v == mutex_sleeping)
		plat_futex_wake(key, 1);
}

/* lockWithRank: the rank is checked before the wait, so that an inversion
 * is reported rather than deadlocked on. */
void lockWithRank(uint32_t *key, enum lockRank r)
{
	lockRankAcquire(key, r);
	lock2(key);
}

void unlockWithRank(uint32_t *key, enum lockRank r)
{
	lockRankRelease(key, r);
	unlock2(key);
}

void lock(struct mutex *l)
{
	lockWithRank(&l->key, MUTEX_RANK(l));
}

void unlock(struct mutex *l)
{
	unlockWithRank(&l->key, MUTEX_RANK(l));
}

/* noteclear: only when no one can be sleeping on or waking n. */
void noteclear(struct note *n)
{
	a_store(&n->key, 0);   /* seq_cst as Go's; with nobody racing, it orders nothing */
}

/* notewakeup: exactly one wake-up per clear. */
void notewakeup(struct note *n)
{
	/* seq_cst as Go's Xchg; release is what it needs: the waker's writes
	 * before it are seen by notesleep once its load sees 1 */
	uint32_t old = a_xchg(&n->key, 1);
	if (old != 0)
		throw("notewakeup - double wakeup");
	plat_futex_wake(&n->key, 1);
}

/* notesleep: block the thread until notewakeup. */
void notesleep(struct note *n)
{
	while (a_load(&n->key) == 0)   /* seq_cst as Go's; acquire: pairs with notewakeup's Xchg */
		plat_futex_wait(&n->key, 0, -1);
}
