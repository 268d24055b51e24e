/* fdMutex, after internal/poll/fd_mutex.go: one reader and one writer at a
 * time per descriptor, others queue on a semaphore; a reference count that
 * Close waits out; the closed bit that turns every later attempt away. The
 * state word's layout is in fd.h. One change from Go: a queued reader or
 * writer keeps a reference while it sleeps (fd.h says why). */
#include "fd.h"

#define mutexClosed  ((uint64_t)1 << 0)
#define mutexRLock   ((uint64_t)1 << 1)
#define mutexWLock   ((uint64_t)1 << 2)
#define mutexRef     ((uint64_t)1 << 3)
#define mutexRefMask ((((uint64_t)1 << 20) - 1) << 3)
#define mutexRWait   ((uint64_t)1 << 23)
#define mutexRMask   ((((uint64_t)1 << 20) - 1) << 23)
#define mutexWWait   ((uint64_t)1 << 43)
#define mutexWMask   ((((uint64_t)1 << 20) - 1) << 43)

static const char overflowMsg[] =
	"too many concurrent operations on a single file or socket (max 1048575)";

/* All CASes here are seq_cst, as Go's: the state word orders everything
 * done under a reference against Close. The load before each only guesses
 * the old value for its CAS. */

/* incref: one more reference, unless closed. */
bool fdmu_incref(struct fdMutex *mu)
{
	for (;;) {
		uint64_t old = a_load(&mu->state);
		if (old & mutexClosed)
			return false;
		uint64_t nw = old + mutexRef;
		if ((nw & mutexRefMask) == 0)
			throw(overflowMsg);
		if (a_cas(&mu->state, old, nw))
			return true;
	}
}

/* increfAndClose: mark closed, take a reference, and turn every queued
 * reader and writer away (they wake, see closed and fail). */
bool fdmu_increfAndClose(struct fdMutex *mu)
{
	for (;;) {
		uint64_t old = a_load(&mu->state);
		if (old & mutexClosed)
			return false;
		uint64_t nw = (old | mutexClosed) + mutexRef;
		if ((nw & mutexRefMask) == 0)
			throw(overflowMsg);
		nw &= ~(mutexRMask | mutexWMask);
		if (a_cas(&mu->state, old, nw)) {
			while (old & mutexRMask) {
				old -= mutexRWait;
				semrelease(&mu->rsema, 1, false);
			}
			while (old & mutexWMask) {
				old -= mutexWWait;
				semrelease(&mu->wsema, 1, false);
			}
			return true;
		}
	}
}

/* decref: true if this was the last reference of a closed descriptor: the
 * caller then destroys it. */
bool fdmu_decref(struct fdMutex *mu)
{
	for (;;) {
		uint64_t old = a_load(&mu->state);
		if ((old & mutexRefMask) == 0)
			throw("inconsistent poll.fdMutex");
		uint64_t nw = old - mutexRef;
		if (a_cas(&mu->state, old, nw))
			return (nw & (mutexClosed | mutexRefMask)) == mutexClosed;
	}
}

/* rwlock: the read (or write) lock and a reference. 1: locked; 0: closed;
 * -1: closed, and the reference this waiter held while queued was the last
 * one, so the caller must destroy. */
int fdmu_rwlock(struct fdMutex *mu, bool read)
{
	uint64_t bit = read ? mutexRLock : mutexWLock;
	uint64_t wait = read ? mutexRWait : mutexWWait;
	uint64_t mask = read ? mutexRMask : mutexWMask;
	struct sema *sema = read ? &mu->rsema : &mu->wsema;
	for (;;) {
		uint64_t old = a_load(&mu->state);
		if (old & mutexClosed)
			return 0;
		uint64_t nw;
		if ((old & bit) == 0) {
			nw = (old | bit) + mutexRef;
			if ((nw & mutexRefMask) == 0)
				throw(overflowMsg);
		} else {
			/* Queue, holding a reference while asleep. */
			nw = old + wait + mutexRef;
			if ((nw & mask) == 0 || (nw & mutexRefMask) == 0)
				throw(overflowMsg);
		}
		if (!a_cas(&mu->state, old, nw))
			continue;
		if ((old & bit) == 0)
			return 1;
		semacquire(sema, false);
		if (fdmu_decref(mu))
			return -1;
	}
}

/* rwunlock: drop the lock and its reference, handing the lock's turn to
 * one queued waiter. True as decref. */
bool fdmu_rwunlock(struct fdMutex *mu, bool read)
{
	uint64_t bit = read ? mutexRLock : mutexWLock;
	uint64_t wait = read ? mutexRWait : mutexWWait;
	uint64_t mask = read ? mutexRMask : mutexWMask;
	struct sema *sema = read ? &mu->rsema : &mu->wsema;
	for (;;) {
		uint64_t old = a_load(&mu->state);
		if ((old & bit) == 0 || (old & mutexRefMask) == 0)
			throw("inconsistent poll.fdMutex");
		uint64_t nw = (old & ~bit) - mutexRef;
		if (old & mask)
			nw -= wait;
		if (a_cas(&mu->state, old, nw)) {
			if (old & mask)
				semrelease(sema, 1, false);
			return (nw & (mutexClosed | mutexRefMask)) == mutexClosed;
		}
	}
}
