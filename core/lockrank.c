/* Lock ranking, Go's lockrank_on.go (lockWithRank's checkRanks, unlock's
 * release, assertLockHeld): under GORO_LOCKRANK every runtime lock carries a
 * rank from runtime2.h's lock order, each M records the locks it holds, and
 * taking one out of order is fatal. Threads without an M go unchecked. */
#include "runtime2.h"
#include "platform.h"

#ifdef GORO_LOCKRANK
static const char *const lockNames[lockRankCount] = {
	[lockRankUnranked] = "an unranked lock",
	[lockRankCtx] = "goro_ctx.mu",
	[lockRankTimerMu] = "goro_timer.mu",
	[lockRankPollDeadline] = "pollDesc.dlock",
	[lockRankHchan] = "hchan.lock",
	[lockRankPollDesc] = "pollDesc.lock",
	[lockRankSema] = "sema.lock",
	[lockRankNotifyList] = "notifyList.lock",
	[lockRankTimers] = "p.timersLock",
	[lockRankSched] = "sched.lock",
	[lockRankGFree] = "sched.gfree.lock",
	[lockRankStack] = "stack_lock",
	[lockRankSudog] = "sched.sudoglock",
	[lockRankPollCache] = "pollcache.lock",
	[lockRankNetpollInit] = "netpollInitLock",
	[lockRankQuarantine] = "quarantine.lock",
	[lockRankMallocClass] = "class_lock",
	[lockRankMcentral] = "central.lock",
	[lockRankArena] = "arena_lock",
};

static void printrank(uint32_t r)
{
	printstr(r < lockRankCount && lockNames[r] != NULL ? lockNames[r] : "?");
	printstr(" (rank ");
	printu64(r);
	printstr(")");
}

/* checkRanks' throw: the lock being taken and the one held that forbids it. */
static _Noreturn void throwLockOrder(uint32_t held, uint32_t r)
{
	startpanic();
	printstr("goro: fatal error: lock ordering problem: ");
	printrank(r);
	printstr(" taken while holding ");
	printrank(held);
	printstr("\n");
	traceback_fatal((uintptr_t)__builtin_frame_address(0));
	plat_exit(2);
}

void lockRankAcquire(uint32_t *key, enum lockRank r)
{
	if (r == lockRankUnranked)
		throw("lock ordering problem: a lock with no rank (lockInit or MUTEX_INIT missing)");
	struct m *mp = getm();
	if (mp == NULL)
		return;
	int32_t n = mp->locksHeldLen;
	if (n > 0) {
		struct heldLockInfo *top = &mp->locksHeld[n - 1];
		/* the highest held: ranks only grow along the list */
		if (top->rank >= lockRankLeaf || top->rank > (uint32_t)r)
			throwLockOrder(top->rank, r);
		if (top->rank == (uint32_t)r) {
			if (r != lockRankHchan || key <= top->key)
				throwLockOrder(top->rank, r);
			top->key = key;
			top->count++;
			return;
		}
	}
	if (n == (int32_t)(sizeof mp->locksHeld / sizeof mp->locksHeld[0]))
		throw("too many locks held concurrently for rank checking");
	mp->locksHeld[n].key = key;
	mp->locksHeld[n].rank = r;
	mp->locksHeld[n].count = 1;
	mp->locksHeldLen = n + 1;
}

/* Locks may be dropped in any order. An hchan entry stands for all the
 * channels select holds; any of them drops one. */
void lockRankRelease(uint32_t *key, enum lockRank r)
{
	struct m *mp = getm();
	if (mp == NULL)
		return;
	for (int32_t i = mp->locksHeldLen - 1; i >= 0; i--) {
		struct heldLockInfo *h = &mp->locksHeld[i];
		if (h->rank != (uint32_t)r || (r != lockRankHchan && h->key != key))
			continue;
		if (--h->count == 0) {
			for (int32_t j = i + 1; j < mp->locksHeldLen; j++)
				mp->locksHeld[j - 1] = mp->locksHeld[j];
			mp->locksHeldLen--;
		}
		return;
	}
	throw("unlock without matching lock acquire");
}

void assertLockHeld(struct mutex *l)
{
	struct m *mp = getm();
	if (mp == NULL) {
		if (a_load_relaxed(&l->key) == 0)   /* relaxed: that someone holds it, no more */
			throw("not holding required lock!");
		return;
	}
	for (int32_t i = 0; i < mp->locksHeldLen; i++)
		if (mp->locksHeld[i].key == &l->key)
			return;
	throw("not holding required lock!");
}
#else
/* Without ranks, only that someone holds it: cheap enough for release builds. */
void assertLockHeld(struct mutex *l)
{
	if (a_load_relaxed(&l->key) == 0)   /* relaxed: a check, ordering nothing */
		throw("not holding required lock!");
}
#endif
