/* Go's package sync on the runtime's semaphores: WaitGroup (waitgroup.go),
 * Mutex (mutex.go), RWMutex (rwmutex.go), Once (once.go) and Cond
 * (cond.go). Unlike Go, misuse returns GORO_INVAL and changes nothing, so
 * the decrementing operations check before they modify (CAS loops where
 * Go uses a blind atomic add); a NULL object is INVAL, or nothing happens
 * where the call has no status. */
#include "sema.h"
#include "platform.h"

static struct sema *sema_of(struct goro_sema_private *p)
{
	return (struct sema *)p;
}

/* ---- WaitGroup ---- */

int goro_wg_add(goro_waitgroup *wg, int64_t delta)
{
	if (wg == NULL)
		return GORO_INVAL;
	uint64_t state;
	int64_t v;
	/* seq_cst CAS, as Go's Add: a Done releases what its goroutine did to
	 * the Wait that sees the count reach 0 (its load, or the semaphore) */
	do {
		state = a_load(&wg->state_);
		v = (int64_t)(int32_t)(state >> 32) + delta;
		if (v < 0)
			return misuse(GORO_INVAL, GORO_INVAL, delta == -1 ? "goro_wg_done" : "goro_wg_add",
			              ": negative WaitGroup counter (GORO_DEBUG=strict=1)");
		if (v > INT32_MAX)
			return misuse(GORO_INVAL, GORO_INVAL, "goro_wg_add", INVAL_WHAT);
	} while (!a_cas(&wg->state_, state, (uint64_t)v << 32 | (uint32_t)state));
	uint32_t w = (uint32_t)state;
	if (v > 0 || w == 0)
		return GORO_OK;
	/* The counter reached 0 with waiters: none can add any more (that
	 * would be reuse before Wait returned), so reset and release them all
	 * in one call; after it, wg may already be gone. */
	a_store(&wg->state_, 0);   /* seq_cst where Go stores plainly: nobody else touches it now */
	semrelease(sema_of(&wg->sema_), w, false);
	return GORO_OK;
}

int goro_wg_done(goro_waitgroup *wg)
{
	return goro_wg_add(wg, -1);
}

void goro_wg_wait(goro_waitgroup *wg)
{
	blockingcheck("goro_wg_wait");
	if (wg == NULL)
		return;
	for (;;) {
		/* seq_cst as Go's; acquire is what it needs, paired with the
		 * last Done's CAS. The CAS counts a waiter, which that Done
		 * then sees and releases. */
		uint64_t state = a_load(&wg->state_);
		if ((int32_t)(state >> 32) == 0)
			return;
		if (a_cas(&wg->state_, state, state + 1)) {
			semacquire(sema_of(&wg->sema_), false);
			return;
		}
	}
}

/* ---- Mutex ---- */

enum {
	mutexLocked = 1,
	mutexWoken = 2,
	mutexStarving = 4,
	mutexWaiterShift = 3,
};
#define starvationThresholdNs 1000000

/* Every CAS and Add on state_ is seq_cst, as Go's: the one that sets
 * mutexLocked is the lock's acquire, paired with goro_mutex_unlock's CAS,
 * its release; a handoff in starvation mode is ordered by the semaphore.
 * The loads only guess old values for the CASes. */
static void mutex_lock_slow(goro_mutex *m)
{
	int64_t wait_start = 0;
	bool starving = false, awoke = false;
	int iter = 0;
	int32_t old = a_load(&m->state_);

	for (;;) {
		/* Spin while it is held in normal mode and spinning can pay off;
		 * set Woken so Unlock doesn't wake anyone while we spin. */
		if ((old & (mutexLocked | mutexStarving)) == mutexLocked && sync_canspin(iter)) {
			if (!awoke && (old & mutexWoken) == 0 && old >> mutexWaiterShift != 0 &&
			    a_cas(&m->state_, old, old | mutexWoken))
				awoke = true;
			sync_dospin();
			iter++;
			old = a_load(&m->state_);
			continue;
		}
		int32_t new = old;
		if ((old & mutexStarving) == 0)
			new |= mutexLocked;   /* don't grab a starving mutex: it is handed over */
		if ((old & (mutexLocked | mutexStarving)) != 0)
			new += 1 << mutexWaiterShift;
		if (starving && (old & mutexLocked) != 0)
			new |= mutexStarving;
		if (awoke) {
			if ((new & mutexWoken) == 0)
				throw("sync: inconsistent mutex state");
			new &= ~mutexWoken;
		}
		if (!a_cas(&m->state_, old, new)) {
			old = a_load(&m->state_);
			continue;
		}
		if ((old & (mutexLocked | mutexStarving)) == 0)
			break;   /* locked it with the CAS */
		bool lifo = wait_start != 0;
		if (wait_start == 0)
			wait_start = plat_nanotime();
		semacquire(sema_of(&m->sema_), lifo);
		starving = starving || plat_nanotime() - wait_start > starvationThresholdNs;
		old = a_load(&m->state_);
		if ((old & mutexStarving) != 0) {
			/* Handed to us: fix up the state, leaving starvation mode
			 * if we are the last waiter or didn't wait long. */
			if ((old & (mutexLocked | mutexWoken)) != 0 || old >> mutexWaiterShift == 0)
				throw("sync: inconsistent mutex state");
			int32_t delta = mutexLocked - (1 << mutexWaiterShift);
			if (!starving || old >> mutexWaiterShift == 1)
				delta -= mutexStarving;
			a_xadd(&m->state_, delta);
			break;
		}
		awoke = true;
		iter = 0;
	}
}

void goro_mutex_lock(goro_mutex *m)
{
	if (m == NULL)
		return;
	if (a_cas(&m->state_, 0, mutexLocked))
		return;
	/* Checked only here: the uncontended CAS cannot park. */
	blockingcheck("goro_mutex_lock");
	mutex_lock_slow(m);
}

bool goro_mutex_trylock(goro_mutex *m)
{
	if (m == NULL)
		return false;
	int32_t old = a_load(&m->state_);
	if ((old & (mutexLocked | mutexStarving)) != 0)
		return false;
	/* There may be a goroutine waiting for the mutex, but we are running
	 * now and can try to grab it before it wakes. */
	return a_cas(&m->state_, old, old | mutexLocked);
}

static void mutex_unlock_slow(goro_mutex *m, int32_t new)
{
	if ((new & mutexStarving) != 0) {
		/* Starving: hand ownership to the next waiter and yield to it. */
		semrelease(sema_of(&m->sema_), 1, true);
		return;
	}
	int32_t old = new;
	for (;;) {
		/* No waiters, or someone already woken or holding it: done. */
		if (old >> mutexWaiterShift == 0 || (old & (mutexLocked | mutexWoken | mutexStarving)) != 0)
			return;
		new = (old - (1 << mutexWaiterShift)) | mutexWoken;
		if (a_cas(&m->state_, old, new)) {
			semrelease(sema_of(&m->sema_), 1, false);
			return;
		}
		old = a_load(&m->state_);
	}
}

int goro_mutex_unlock(goro_mutex *m)
{
	if (m == NULL)
		return GORO_INVAL;
	if (a_cas(&m->state_, mutexLocked, 0))
		return GORO_OK;
	int32_t old;
	do {
		old = a_load(&m->state_);
		if ((old & mutexLocked) == 0)
			return misuse(GORO_INVAL, GORO_INVAL, "goro_mutex_unlock",
			              ": unlock of unlocked mutex (GORO_DEBUG=strict=1)");
	} while (!a_cas(&m->state_, old, old - mutexLocked));
	if (old - mutexLocked != 0)
		mutex_unlock_slow(m, old - mutexLocked);
	return GORO_OK;
}

/* ---- RWMutex ---- */

#define rwmutexMaxReaders (1 << 30)

void goro_rwmutex_rlock(goro_rwmutex *rw)
{
	if (rw == NULL)
		return;
	/* seq_cst as Go's Add; acquire is what it needs, paired with the
	 * writer's Unlock Add (or, for a reader that waits, the semaphore) */
	if (a_xadd(&rw->reader_count_, 1) < 0) {
		blockingcheck("goro_rwmutex_rlock");
		semacquire(sema_of(&rw->reader_sem_), false);   /* a writer is pending */
	}
}

bool goro_rwmutex_tryrlock(goro_rwmutex *rw)
{
	if (rw == NULL)
		return false;
	for (;;) {
		int32_t c = a_load(&rw->reader_count_);   /* a guess; the CAS acquires, as RLock's Add */
		if (c < 0)
			return false;
		if (a_cas(&rw->reader_count_, c, c + 1))
			return true;
	}
}

int goro_rwmutex_runlock(goro_rwmutex *rw)
{
	if (rw == NULL)
		return GORO_INVAL;
	/* No reader holds it when the count is empty, or when a writer holds
	 * it (the count then includes readers waiting, not holding). A writer
	 * only ever gets it after every holding reader has left, so a genuine
	 * RUnlock never sees writer_ set. The CAS is RUnlock's release (Go's
	 * Add); the last reader out passes it on to the writer through
	 * reader_wait_ and the semaphore. writer_ is for that check alone. */
	int32_t old;
	do {
		old = a_load(&rw->reader_count_);
		if (old == 0 || old == -rwmutexMaxReaders || a_load(&rw->writer_) != 0)
			return misuse(GORO_INVAL, GORO_INVAL, "goro_rwmutex_runlock",
			              ": RUnlock of unlocked RWMutex (GORO_DEBUG=strict=1)");
	} while (!a_cas(&rw->reader_count_, old, old - 1));
	/* A pending writer waits for the readers that were in; the last one
	 * out lets it in. */
	if (old - 1 < 0 && a_xadd(&rw->reader_wait_, -1) == 0)
		semrelease(sema_of(&rw->writer_sem_), 1, false);
	return GORO_OK;
}

void goro_rwmutex_lock(goro_rwmutex *rw)
{
	blockingcheck("goro_rwmutex_lock");
	if (rw == NULL)
		return;
	goro_mutex_lock(&rw->w_);   /* first resolve competition with other writers */
	/* Announce the writer to readers, then wait for those already in
	 * (seq_cst Adds, as Go's). writer_, not in Go, is only for the
	 * misuse checks: it orders nothing. */
	int32_t r = a_xadd(&rw->reader_count_, -rwmutexMaxReaders) + rwmutexMaxReaders;
	if (r != 0 && a_xadd(&rw->reader_wait_, r) != 0)
		semacquire(sema_of(&rw->writer_sem_), false);
	a_store(&rw->writer_, 1);
}

bool goro_rwmutex_trylock(goro_rwmutex *rw)
{
	if (rw == NULL)
		return false;
	if (!goro_mutex_trylock(&rw->w_))
		return false;
	if (!a_cas(&rw->reader_count_, 0, -rwmutexMaxReaders)) {
		goro_mutex_unlock(&rw->w_);
		return false;
	}
	a_store(&rw->writer_, 1);
	return true;
}

int goro_rwmutex_unlock(goro_rwmutex *rw)
{
	if (rw == NULL)
		return GORO_INVAL;
	if (!a_cas(&rw->writer_, 1, 0))
		return misuse(GORO_INVAL, GORO_INVAL, "goro_rwmutex_unlock",
		              ": Unlock of unlocked RWMutex (GORO_DEBUG=strict=1)");
	/* Announce to readers there is no active writer; wake the blocked ones. */
	int32_t r = a_xadd(&rw->reader_count_, rwmutexMaxReaders);
	if (r >= rwmutexMaxReaders)
		throw("sync: Unlock of unlocked RWMutex");
	if (r > 0)
		semrelease(sema_of(&rw->reader_sem_), (uint32_t)r, false);
	goro_mutex_unlock(&rw->w_);
	return GORO_OK;
}

/* ---- Once ---- */

void goro_once_do(goro_once *o, void (*fn)(void *), void *arg)
{
	if (o == NULL || fn == NULL)
		return;
	blockingcheck("goro_once_do");
	/* seq_cst as Go's; acquire is what the load needs and release what
	 * the store needs: whoever sees done_ set sees what fn did. The plain
	 * read under m_ is the mutex's. */
	if (a_load(&o->done_) != 0)
		return;
	goro_mutex_lock(&o->m_);
	if (o->done_ == 0) {
		fn(arg);
		a_store(&o->done_, 1);
	}
	goro_mutex_unlock(&o->m_);
}

/* ---- Cond ---- */

int goro_cond_wait(goro_cond *c, goro_mutex *m)
{
	struct notifyList *l = (struct notifyList *)c;
	blockingcheck("goro_cond_wait");
	/* a misuse check that m is held (by someone): orders nothing */
	if (c == NULL || m == NULL || (a_load(&m->state_) & mutexLocked) == 0)
		return misuse(GORO_INVAL, GORO_INVAL, "goro_cond_wait", INVAL_WHAT);
	uint32_t t = notifyListAdd(l);
	goro_mutex_unlock(m);
	notifyListWait(l, t);
	goro_mutex_lock(m);
	return GORO_OK;
}

void goro_cond_signal(goro_cond *c)
{
	if (c == NULL)
		return;
	notifyListNotifyOne((struct notifyList *)c);
}

void goro_cond_broadcast(goro_cond *c)
{
	if (c == NULL)
		return;
	notifyListNotifyAll((struct notifyList *)c);
}
