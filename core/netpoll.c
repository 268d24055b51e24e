/* The netpoller, after netpoll.go: the pollDesc cache (never unmapped), the
 * rg/wg handshake between a goroutine waiting on a descriptor and the poller
 * (netpollblock, netpollunblock, netpollready), deadlines as timers
 * (poll_runtime_pollSetDeadline, netpolldeadlineimpl with its seq check),
 * pollUnblock for close, and netpoll(delay) over the host's backend, with
 * Go 1.21's generation tag in every event key (golang/go#59545).
 *
 * A goroutine waits on rg (or wg) holding no thread: it parks, and whoever
 * sees the fd ready (netpoll), its deadline pass (a timer) or its close
 * readies it. A thread the runtime does not own waits the same way on a
 * stand-in G, sleeping on its note; netpoll wakes it directly. */
#include "chan.h"
#include "fd.h"
#include "netpoll.h"
#include "platform.h"

enum { mutexClosed = 1 };
enum { PD_CHUNK = 128, PD_MAXCHUNKS = 1 << 14 };   /* up to 2M descriptors */

/* pollCache: chunks of pollDescs, mapped once and never unmapped, and a
 * free list. chunks[] is written before nchunks is published. */
static struct {
	struct mutex lock;
	struct pollDesc *first;             /* free list, under lock */
	uint64_t inuse;                     /* allocated, not yet freed, under lock (goro_stats) */
	uint32_t nchunks;                   /* atomic: store-release after chunks[i] */
	struct pollDesc *chunks[PD_MAXCHUNKS];
} pollcache = { .lock = MUTEX_INIT(lockRankPollCache) };

static uint32_t netpollInited;          /* atomic: the backend exists */
static struct mutex netpollInitLock = MUTEX_INIT(lockRankNetpollInit);
static uint32_t netpollWaiters;         /* atomic: Gs and select sudogs waiting */
static uint32_t netpollWakeSig;         /* atomic: a break is pending */

static bool pollcache_grow(void)
{
	uint32_t n = pollcache.nchunks;
	if (n == PD_MAXCHUNKS)
		return false;
	size_t size = round_page((size_t)PD_CHUNK * sizeof(struct pollDesc));
	struct pollDesc *c = plat_map(size);
	if (c == NULL)
		return false;
	for (int i = PD_CHUNK - 1; i >= 0; i--) {
		struct pollDesc *pd = &c[i];
		pd->slot = n * PD_CHUNK + (uint32_t)i;
		lockInit(&pd->lock, lockRankPollDesc);
		lockInit(&pd->dlock, lockRankPollDeadline);
		pd->fdmu.state = mutexClosed;   /* a forged handle finds it closed */
		pd->sysfd = -1;
		pd->link = pollcache.first;
		pollcache.first = pd;
	}
	pollcache.chunks[n] = c;
	/* release: a lock-free pd_lookup that sees the count sees the chunk */
	a_store_rel(&pollcache.nchunks, n + 1);
	return true;
}

/* pollcache.alloc, with the next generation. */
struct pollDesc *pollcache_alloc(void)
{
	lock(&pollcache.lock);
	if (pollcache.first == NULL && !pollcache_grow()) {
		unlock(&pollcache.lock);
		return NULL;
	}
	struct pollDesc *pd = pollcache.first;
	pollcache.first = pd->link;
	pollcache.inuse++;
	unlock(&pollcache.lock);
	pd->link = NULL;
	uint32_t seq = pd->fdseq + 1;
	if (seq == 0)
		seq = 1;
	/* Before the fdMutex opens (fd_init's store of state 0, seq_cst): a
	 * stale handle whose incref gets through sees the new seq and backs
	 * off. */
	a_store(&pd->fdseq, seq);
	return pd;
}

/* pollcache.free: the last reference is gone and destroy has run. */
void pollcache_free(struct pollDesc *pd)
{
	lock(&pollcache.lock);
	pd->link = pollcache.first;
	pollcache.first = pd;
	pollcache.inuse--;
	unlock(&pollcache.lock);
}

/* For goro_stats: descriptors open through goro_fd_open and friends. */
uint64_t pollcache_inuse(void)
{
	lock(&pollcache.lock);
	uint64_t n = pollcache.inuse;
	unlock(&pollcache.lock);
	return n;
}

/* fdseq: seq_cst where relaxed would do; the opener reads what
 * pollcache_alloc stored on its own thread. */
static uint64_t pd_key(struct pollDesc *pd)
{
	return (uint64_t)a_load(&pd->fdseq) << 32 | (pd->slot + 1);
}

goro_fd pd_handle(struct pollDesc *pd)
{
	return (goro_fd){ pd_key(pd) };
}

static struct pollDesc *pd_of_key(uint64_t key)
{
	uint32_t s = (uint32_t)key;
	if (s == 0)
		return NULL;
	s--;
	/* acquire: pairs with pollcache_grow's release */
	if (s / PD_CHUNK >= a_load_acq(&pollcache.nchunks))
		return NULL;
	return &pollcache.chunks[s / PD_CHUNK][s % PD_CHUNK];
}

struct pollDesc *pd_lookup(goro_fd f)
{
	if ((uint32_t)(f.id_ >> 32) == 0)
		return NULL;
	return pd_of_key(f.id_);
}

/* ---- the scheduler's side (netpoll.h) ---- */

/* seq_cst as Go's netpollInited.Load; acquire is what it needs: who sees 1
 * sees the backend that plat_netpollinit made (netpollGenericInit). */
bool netpollinited(void)
{
	return a_load(&netpollInited) != 0;
}

/* seq_cst as Go's Load. checkdead reads it before sched.injecting (sysmon
 * says why); for the pollers it is a hint, backed by sysmon's 10 ms look. */
bool netpollAnyWaiters(void)
{
	return a_load(&netpollWaiters) > 0;
}

/* Double-checked: the unlocked load as netpollinited's, the locked one
 * ordered by the lock; the store's release (seq_cst, as Go's) publishes
 * the backend. */
void netpollGenericInit(void)
{
	if (a_load(&netpollInited))
		return;
	lock(&netpollInitLock);
	if (!a_load(&netpollInited)) {
		if (plat_netpollinit() != 0)
			throw("netpollinit failed");
		a_store(&netpollInited, 1);
	}
	unlock(&netpollInitLock);
}

/* netpollBreak: at most one break in flight (netpollWakeSig), as Go. */
void netpollBreak(void)
{
	if (!a_load(&netpollInited))   /* as netpollinited's */
		return;
	/* seq_cst, as Go's Cas: after the caller's store of what the poller
	 * must see (a timer); one that finds a break pending relies on it,
	 * and netpoll re-arms the flag only after draining it. The load
	 * spares a CAS bound to fail. */
	if (a_load(&netpollWakeSig) != 0 || !a_cas(&netpollWakeSig, 0, 1))
		return;
	plat_netpollbreak();
}

/* ---- pollInfo ---- */

/* publishInfo: under pd->lock. */
static void publishInfo(struct pollDesc *pd)
{
	uint32_t info = 0;
	if (pd->closing)
		info |= pollClosing;
	if (pd->rd < 0)
		info |= pollExpiredReadDeadline;
	if (pd->wd < 0)
		info |= pollExpiredWriteDeadline;
	/* seq_cst: before the caller's loads of rg/wg (netpollunblock), the
	 * StoreLoad that netpollblock's recheck pairs with */
	a_store(&pd->atomicInfo, info);
}

/* netpollcheckerr. Go also reports an EPOLLERR as ErrNotPollable; here the
 * error readies both directions and the next system call reports it. */
int netpollcheckerr(struct pollDesc *pd, int mode)
{
	uint32_t info = a_load(&pd->atomicInfo);   /* seq_cst: see publishInfo */
	if (info & pollClosing)
		return pollErrClosing;
	if (((mode & PLAT_POLL_READ) && (info & pollExpiredReadDeadline)) ||
	    ((mode & PLAT_POLL_WRITE) && (info & pollExpiredWriteDeadline)))
		return pollErrTimeout;
	return pollNoError;
}

static uintptr_t *gpp_of(struct pollDesc *pd, int mode)
{
	return mode == PLAT_POLL_READ ? &pd->rg : &pd->wg;
}

/* ---- the rg/wg handshake ---- */

/* netpollblockcommit: the parking G publishes itself in *gpp, unless the
 * state moved on from pdWait meanwhile (ready, or unblocked). */
static bool netpollblockcommit(struct g *gp, void *arg)
{
	uintptr_t *gpp = arg;
	/* seq_cst CAS, as Go's: publishes the parked G to netpollunblock's
	 * CAS, which takes it; failing, a ready or an unblock came first */
	if (!a_cas(gpp, (uintptr_t)pdWait, (uintptr_t)gp))
		return false;
	/* Counted after publishing, as Go; a taker's decrement may come first,
	 * and the count wraps for a moment, which reads as a waiter. */
	a_xadd(&netpollWaiters, 1);
	if (gp->foreign)
		netpoll_foreign_wait();   /* nobody may be polling for it */
	return true;
}

/* netpollblock: true if IO is ready, false if timed out or closed. */
static bool netpollblock(struct pollDesc *pd, int mode)
{
	uintptr_t *gpp = gpp_of(pd, mode);
	for (;;) {
		/* Consume a notification that is already there (seq_cst CAS,
		 * as Go's: it acquires netpollunblock's pdReady), or publish
		 * pdWait before the recheck below. */
		if (a_cas(gpp, (uintptr_t)pdReady, 0))
			return true;
		if (a_cas(gpp, 0, (uintptr_t)pdWait))
			break;
		uintptr_t v = a_load(gpp);   /* for the check only */
		if (v != pdReady && v != 0)
			throw("runtime: double wait");
	}
	/* Recheck the error states after publishing pdWait: unblock,
	 * setDeadline and deadlineimpl store closing/rd/wd, publishInfo, then
	 * load rg/wg, the opposite order (all seq_cst). */
	if (netpollcheckerr(pd, mode) == pollNoError) {
		struct g standin;
		struct g *gp = getg_or(&standin);
		gopark(gp, netpollblockcommit, gpp, waitReasonIOWait);
	}
	/* Careful not to lose a concurrent pdReady: the Xchg (seq_cst, as
	 * Go's) takes whatever the waker left. */
	uintptr_t old = a_xchg(gpp, 0);
	if (old > pdWait)
		throw("runtime: corrupted polldesc");
	return old == pdReady;
}

/* netpollunblock: the G parked in rg/wg, if any, made no longer parked
 * there (the caller readies it). ioready leaves pdReady behind. */
static struct g *netpollunblock(struct pollDesc *pd, int mode, bool ioready)
{
	uintptr_t *gpp = gpp_of(pd, mode);
	for (;;) {
		/* seq_cst: after the caller's publishInfo, if any (StoreLoad) */
		uintptr_t old = a_load(gpp);
		if (old == pdReady)
			return NULL;
		if (old == 0 && !ioready)
			return NULL;   /* pollWait checks for timeout and close first */
		uintptr_t nv = ioready ? pdReady : 0;
		/* seq_cst CAS, the other side of netpollblock's: takes the G, or
		 * leaves pdReady (released to the consuming CAS there) */
		if (a_cas(gpp, old, nv)) {
			if (old == pdWait)
				return NULL;
			if (old != 0)
				a_xadd(&netpollWaiters, (uint32_t)-1);   /* after the take */
			return (struct g *)old;
		}
	}
}

/* A list of Gs to ready, through schedlink (they are Gwaiting). Stand-ins
 * for foreign threads are woken at once: they never go on a run queue. */
static void glist_push(struct g **list, struct g *gp)
{
	if (gp == NULL)
		return;
	if (gp->foreign) {
		goready(gp);
		return;
	}
	gp->schedlink = *list;
	*list = gp;
}

static void glist_ready(struct g *list)
{
	while (list != NULL) {
		struct g *gp = list;
		list = gp->schedlink;
		gp->schedlink = NULL;
		goready(gp);
	}
}

/* Take every select waiter off q; claim the wake-up of those whose select
 * is still undecided and push their G. pd->lock held. */
static void selwake(struct waitq *q, struct g **list)
{
	struct sudog *sg;
	while ((sg = q->first) != NULL) {
		waitq_dequeue_sudog(q, sg);
		a_xadd(&netpollWaiters, (uint32_t)-1);   /* with the dequeue, under pd->lock */
		struct g *gp = sg->g;
		/* seq_cst CAS: claims the select's wake-up against its other
		 * cases and its timer (select.c) */
		if (!a_cas(&gp->selectDone, 0, 1))
			continue;   /* another case won; its pass 3 finds sg gone */
		sg->success = true;
		gp->param = sg;
		glist_push(list, gp);
	}
}

static void selwake_mode(struct pollDesc *pd, int mode, struct g **list)
{
	if ((mode & PLAT_POLL_READ) && pd->rq.first != NULL)
		selwake(&pd->rq, list);
	if ((mode & PLAT_POLL_WRITE) && pd->wq.first != NULL)
		selwake(&pd->wq, list);
}

/* netpollready: mode (READ|WRITE) became ready on pd. The select queues
 * are peeked without the lock: a select queues itself and then looks at
 * the descriptor again (poll(2)), so readiness that came before its queue
 * entry was visible is seen by that look. */
static void netpollready(struct g **list, struct pollDesc *pd, int mode)
{
	/* The peeks are seq_cst loads; the select's side of the order is its
	 * unlock of pd->lock and then the poll(2) call, which the kernel
	 * orders against the readiness netpoll was told of. */
	if (mode & PLAT_POLL_READ)
		glist_push(list, netpollunblock(pd, PLAT_POLL_READ, true));
	if (mode & PLAT_POLL_WRITE)
		glist_push(list, netpollunblock(pd, PLAT_POLL_WRITE, true));
	if (((mode & PLAT_POLL_READ) && a_load(&pd->rq.first) != NULL) ||
	    ((mode & PLAT_POLL_WRITE) && a_load(&pd->wq.first) != NULL)) {
		lock(&pd->lock);
		selwake_mode(pd, mode, list);
		unlock(&pd->lock);
	}
}

/* ---- select's and goro_poll's waiters ---- */

void netpoll_selqueue(struct pollDesc *pd, int mode, struct sudog *sg)
{
	lock(&pd->lock);
	a_xadd(&netpollWaiters, 1);   /* with the queue entry, under pd->lock */
	waitq_enqueue(mode == PLAT_POLL_READ ? &pd->rq : &pd->wq, sg);
	unlock(&pd->lock);
	if (sg->g->foreign)
		netpoll_foreign_wait();
}

void netpoll_seldequeue(struct pollDesc *pd, int mode, struct sudog *sg)
{
	struct waitq *q = mode == PLAT_POLL_READ ? &pd->rq : &pd->wq;
	lock(&pd->lock);
	if (sg->prev != NULL || sg->next != NULL || q->first == sg) {
		waitq_dequeue_sudog(q, sg);
		a_xadd(&netpollWaiters, (uint32_t)-1);   /* as netpoll_selqueue's */
	}
	unlock(&pd->lock);
}

/* A foreign thread parks on a descriptor: an M must be in netpoll (or come
 * to findRunnable) to see the event; wakeNetPoller gets one there. */
void netpoll_foreign_wait(void)
{
	wakeNetPoller(INT64_MAX);
}

/* ---- poll_runtime_* (the runtime's side of internal/poll) ---- */

/* poll_runtime_pollOpen: pd is fresh from pollcache_alloc. */
int poll_runtime_pollOpen(struct pollDesc *pd)
{
	netpollGenericInit();
	lock(&pd->lock);
	/* Nobody can wait on a fresh pd: these loads are checks, and the
	 * stores clear a previous life's pdReady before the fdMutex opens
	 * (fd_init's seq_cst store), as fdseq. */
	uintptr_t wg = a_load(&pd->wg), rg = a_load(&pd->rg);
	if (wg != 0 && wg != pdReady)
		throw("runtime: blocked write on free polldesc");
	if (rg != 0 && rg != pdReady)
		throw("runtime: blocked read on free polldesc");
	if (pd->rq.first != NULL || pd->wq.first != NULL)
		throw("runtime: select waiting on free polldesc");
	pd->closing = false;
	pd->rseq++;
	a_store(&pd->rg, 0);
	pd->rd = 0;
	pd->wseq++;
	a_store(&pd->wg, 0);
	pd->wd = 0;
	publishInfo(pd);
	unlock(&pd->lock);
	return plat_netpollopen(pd->sysfd, pd_key(pd));
}

/* poll_runtime_pollClose: before close(2), after pollUnblock. */
void poll_runtime_pollClose(struct pollDesc *pd)
{
	if (!pd->closing)
		throw("runtime: close polldesc w/o unblock");
	uintptr_t wg = a_load(&pd->wg), rg = a_load(&pd->rg);   /* checks only */
	if (wg != 0 && wg != pdReady)
		throw("runtime: blocked write on closing polldesc");
	if (rg != 0 && rg != pdReady)
		throw("runtime: blocked read on closing polldesc");
	plat_netpollclose(pd->sysfd);
}

/* poll_runtime_pollReset: before the system call (prepareRead/Write). */
void poll_runtime_pollReset(struct pollDesc *pd, int mode)
{
	if (netpollcheckerr(pd, mode) != pollNoError)
		return;
	/* seq_cst as Go's: a stale pdReady goes before the system call; a
	 * readiness after this is a new one */
	a_store(gpp_of(pd, mode), 0);
}

/* poll_runtime_pollWait */
int poll_runtime_pollWait(struct pollDesc *pd, int mode)
{
	int errcode = netpollcheckerr(pd, mode);
	if (errcode != pollNoError)
		return errcode;
	while (!netpollblock(pd, mode)) {
		errcode = netpollcheckerr(pd, mode);
		if (errcode != pollNoError)
			return errcode;
		/* A timeout that fired and was reset before we ran: retry. */
	}
	return pollNoError;
}

/* netpolldeadlineimpl: a deadline timer fired. seq is the one it was armed
 * with; a stale one (reset, or the pollDesc reused) is ignored. */
static void netpolldeadlineimpl(struct pollDesc *pd, uintptr_t seq, bool read, bool write)
{
	struct g *list = NULL;
	lock(&pd->lock);
	uintptr_t cur = read ? pd->rseq : pd->wseq;
	if (seq != cur) {
		unlock(&pd->lock);
		return;
	}
	if (read) {
		if (pd->rd <= 0 || !pd->rt_on)
			throw("runtime: inconsistent read deadline");
		pd->rd = -1;
		publishInfo(pd);
		glist_push(&list, netpollunblock(pd, PLAT_POLL_READ, false));
		selwake_mode(pd, PLAT_POLL_READ, &list);
	}
	if (write) {
		if (pd->wd <= 0 || (!pd->wt_on && !read))
			throw("runtime: inconsistent write deadline");
		pd->wd = -1;
		publishInfo(pd);
		glist_push(&list, netpollunblock(pd, PLAT_POLL_WRITE, false));
		selwake_mode(pd, PLAT_POLL_WRITE, &list);
	}
	unlock(&pd->lock);
	glist_ready(list);
}

static void netpollDeadline(void *arg, uintptr_t seq) { netpolldeadlineimpl(arg, seq, true, true); }
static void netpollReadDeadline(void *arg, uintptr_t seq) { netpolldeadlineimpl(arg, seq, true, false); }
static void netpollWriteDeadline(void *arg, uintptr_t seq) { netpolldeadlineimpl(arg, seq, false, true); }

/* What a deadline change asks of one timer, decided under pd->lock and done
 * after it, under dlock alone. */
struct timerop {
	struct timer *t;
	int64_t when;
	void (*f)(void *, uintptr_t);
	uintptr_t seq;
	bool arm, del;
};

static void timerop_do(struct pollDesc *pd, struct timerop *op)
{
	if (op->arm)
		modtimer(op->t, op->when, 0, op->f, pd, op->seq);
	else if (op->del)
		deltimer(op->t);
}

/* poll_runtime_pollSetDeadline: d is an absolute nanotime, 0 for none, -1
 * for the past; mode READ, WRITE or both. The timer calls happen outside
 * pd->lock, which the timer's f takes (golang/go#35532), but inside dlock,
 * so that two calls cannot apply their timers in the other order. */
void poll_runtime_pollSetDeadline(struct pollDesc *pd, int64_t d, int mode)
{
	struct timerop rop = { .t = &pd->rt }, wop = { .t = &pd->wt };
	struct g *list = NULL;

	lock(&pd->dlock);
	lock(&pd->lock);
	if (pd->closing) {
		unlock(&pd->lock);
		unlock(&pd->dlock);
		return;
	}
	int64_t rd0 = pd->rd, wd0 = pd->wd;
	bool combo0 = rd0 > 0 && rd0 == wd0;
	if (mode & PLAT_POLL_READ)
		pd->rd = d;
	if (mode & PLAT_POLL_WRITE)
		pd->wd = d;
	publishInfo(pd);
	bool combo = pd->rd > 0 && pd->rd == pd->wd;
	void (*rtf)(void *, uintptr_t) = combo ? netpollDeadline : netpollReadDeadline;
	if (!pd->rt_on) {
		if (pd->rd > 0) {
			pd->rt_on = true;
			rop = (struct timerop){ &pd->rt, pd->rd, rtf, pd->rseq, true, false };
		}
	} else if (pd->rd != rd0 || combo != combo0) {
		pd->rseq++;   /* a timer armed before is stale now */
		if (pd->rd > 0) {
			rop = (struct timerop){ &pd->rt, pd->rd, rtf, pd->rseq, true, false };
		} else {
			rop.del = true;
			pd->rt_on = false;
		}
	}
	if (!pd->wt_on) {
		if (pd->wd > 0 && !combo) {
			pd->wt_on = true;
			wop = (struct timerop){ &pd->wt, pd->wd, netpollWriteDeadline, pd->wseq, true, false };
		}
	} else if (pd->wd != wd0 || combo != combo0) {
		pd->wseq++;
		if (pd->wd > 0 && !combo) {
			wop = (struct timerop){ &pd->wt, pd->wd, netpollWriteDeadline, pd->wseq, true, false };
		} else {
			wop.del = true;
			pd->wt_on = false;
		}
	}
	/* A deadline in the past unblocks whoever waits now. */
	if (pd->rd < 0) {
		glist_push(&list, netpollunblock(pd, PLAT_POLL_READ, false));
		selwake_mode(pd, PLAT_POLL_READ, &list);
	}
	if (pd->wd < 0) {
		glist_push(&list, netpollunblock(pd, PLAT_POLL_WRITE, false));
		selwake_mode(pd, PLAT_POLL_WRITE, &list);
	}
	unlock(&pd->lock);
	timerop_do(pd, &rop);
	timerop_do(pd, &wop);
	unlock(&pd->dlock);
	glist_ready(list);
}

/* poll_runtime_pollUnblock: Close has begun; everyone waiting gives up. */
void poll_runtime_pollUnblock(struct pollDesc *pd)
{
	struct g *list = NULL;
	lock(&pd->dlock);
	lock(&pd->lock);
	if (pd->closing)
		throw("runtime: unblock on closing polldesc");
	pd->closing = true;
	pd->rseq++;
	pd->wseq++;
	publishInfo(pd);
	glist_push(&list, netpollunblock(pd, PLAT_POLL_READ, false));
	glist_push(&list, netpollunblock(pd, PLAT_POLL_WRITE, false));
	selwake_mode(pd, PLAT_POLL_READ | PLAT_POLL_WRITE, &list);
	bool rt = pd->rt_on, wt = pd->wt_on;
	pd->rt_on = pd->wt_on = false;
	unlock(&pd->lock);
	if (rt)
		deltimer(&pd->rt);
	if (wt)
		deltimer(&pd->wt);
	unlock(&pd->dlock);
	glist_ready(list);
}

/* ---- netpoll ---- */

/* netpoll: the Gs made runnable by what is ready now, waiting at most delay
 * ns for something (< 0: without limit). */
struct g *netpoll(int64_t delay)
{
	if (!a_load(&netpollInited))   /* as netpollinited's */
		return NULL;
	struct plat_pollev ev[128];
	int n = plat_netpoll(delay, ev, 128);
	struct g *list = NULL;
	for (int i = 0; i < n; i++) {
		uint64_t key = ev[i].key;
		if (key == 0) {
			/* the next netpollBreak may write. seq_cst: after the drain
			 * and before the poller's next look at the timers, so a
			 * break that found 1 had stored its timer before this */
			a_store(&netpollWakeSig, 0);
			continue;
		}
		struct pollDesc *pd = pd_of_key(key);
		/* An event for a descriptor closed since is not its successor's.
		 * seq_cst as Go's fdseq.Load; a stale read costs a spurious
		 * wake-up, which every waiter survives (it retries the call). */
		if (pd == NULL || a_load(&pd->fdseq) != (uint32_t)(key >> 32))
			continue;
		int mode = (int)(ev[i].mode & (PLAT_POLL_READ | PLAT_POLL_WRITE));
		if (mode != 0)
			netpollready(&list, pd, mode);
	}
	return list;
}

/* The fd half of a select or goro_poll: is mode ready on pd now? OK,
 * CLOSED (closing), TIMEOUT (deadline passed), or FD_NOTREADY. A
 * descriptor in blocking mode (a regular file) is always ready. */
int fd_case_ready(struct pollDesc *pd, int mode)
{
	int e = netpollcheckerr(pd, mode);
	if (e == pollErrClosing)
		return GORO_CLOSED;
	if (e == pollErrTimeout)
		return GORO_TIMEOUT;
	if (pd->isBlocking)
		return GORO_OK;
	int r = plat_fdpoll(pd->sysfd, mode);
	return r != 0 ? GORO_OK : FD_NOTREADY;   /* an error there: ready, the call reports it */
}
