/* select, after select.go's selectgo: cases polled in a random order (a
 * per-M fastrand shuffle), channels locked in address order (heap sort, as
 * Go), then pass 1 takes any ready case, pass 2 enqueues a sudog on every
 * channel and parks, pass 3 dequeues from the cases that lost. A timeout is
 * a timer that competes for the wake-up through g->selectDone.
 *
 * Beyond Go, a case may wait on a descriptor (GORO_FDREAD, GORO_FDWRITE).
 * Its readiness is a state, asked of the system (plat_fdpoll) in pass 1 and
 * again once the case is queued on the pollDesc, so an event that lost to
 * another case is still there for the next select or read. Each fd case
 * holds a reference on its descriptor for the whole select, so Close waits
 * for it to return. */
#include "chan.h"
#include "fd.h"
#include "platform.h"

enum { SELECT_MAX_CASES = 1 << 16, SELECT_STACK_CASES = 64 };
enum { SELECT_SPURIOUS = -100 };   /* selectgo: an fd case woke us, not ready: again */

struct selstate {
	goro_case *cases;
	uint16_t *lockorder;     /* the channel cases (n), then the fd cases (nfd) */
	int n;                   /* cases with a channel */
	int nfd;                 /* cases on a descriptor */
};

static bool is_fd(const goro_case *cas)
{
	return cas->dir == GORO_FDREAD || cas->dir == GORO_FDWRITE;
}

static int fd_mode(const goro_case *cas)
{
	return cas->dir == GORO_FDREAD ? PLAT_POLL_READ : PLAT_POLL_WRITE;
}

/* The pollDesc of an fd case; the select holds a reference on it. */
static struct pollDesc *casepd(const goro_case *cas)
{
	return pd_lookup(cas->fd);
}

static struct hchan *casechan(const struct selstate *s, int i)
{
	return hchan_of(s->cases[s->lockorder[i]].chan);
}

/* sellock: lock each distinct channel once, in address order. */
static void sellock(const struct selstate *s)
{
	struct hchan *c = NULL;
	for (int i = 0; i < s->n; i++) {
		struct hchan *c0 = casechan(s, i);
		if (c0 != c) {
			c = c0;
			lock(&c->lock);
		}
	}
}

/* selunlock: in reverse. Once the last lock is gone, the select may be
 * woken and return: nothing of its frame may be touched after it. */
static void selunlock(void *arg)
{
	const struct selstate *s = arg;
	for (int i = s->n - 1; i >= 0; i--) {
		struct hchan *c = casechan(s, i);
		if (i > 0 && c == casechan(s, i - 1))
			continue;
		unlock(&c->lock);
	}
}

/* The timer's f: claim the wake-up unless a channel got there first. The
 * seq_cst CAS on selectDone is the one claim: waitq_dequeue's, netpoll's
 * selwake's and selparkcommit's own race this one, and one wins. */
static void select_timeout(void *arg, uintptr_t seq)
{
	(void)seq;
	struct g *gp = arg;
	if (a_cas(&gp->selectDone, 0, 1)) {
		gp->param = NULL;
		goready(gp);
	}
}

/* selparkcommit: runs once gp is parked. The timer is armed while the
 * channel locks are still held, so a wake-up from it must wait for them;
 * the channels are unlocked through gp's sudogs (heap memory), not through
 * the select's frame, which may be gone once the last lock is dropped.
 * With no channels at all, nothing holds gp back: it may be woken, return
 * and be waiting somewhere else as soon as the timer is armed. So the list
 * is read first, and gp is not touched after addtimer.
 *
 * fd cases (sudogs with no channel, after the channel ones, elem the
 * pollDesc, ticket the mode) are queued on their pollDesc here, once gp is
 * Gwaiting, so that netpoll may ready it; then each descriptor is asked
 * again, and one found ready claims the wake-up itself: gp does not sleep.
 * An fd waker may ready gp while this still runs, so gp->selcommit holds
 * gp back (selectgo spins on it) until the last touch here. */
struct selpark {
	struct timer *t;
	bool fds;
};

static bool selparkcommit(struct g *gp, void *arg)
{
	struct selpark *sp = arg;   /* on the select's frame: read it first */
	struct timer *t = sp->t;
	bool fds = sp->fds;
	struct sudog *list = gp->waiting;
	bool selfwake = false;
	if (fds) {
		/* seq_cst where relaxed would do: netpoll_selqueue's unlock
		 * publishes it to any fd waker, which readies gp after */
		a_store(&gp->selcommit, 1);
		for (struct sudog *sg = list; sg != NULL; sg = sg->waitlink) {
			if (sg->c != NULL)
				continue;
			struct pollDesc *pd = sg->elem;
			int mode = (int)sg->ticket;
			netpoll_selqueue(pd, mode, sg);
			/* the CAS: as select_timeout's */
			if (fd_case_ready(pd, mode) != FD_NOTREADY && a_cas(&gp->selectDone, 0, 1)) {
				sg->success = true;
				gp->param = sg;
				selfwake = true;
				break;
			}
		}
	}
	if (t != NULL && !selfwake)
		addtimer(t);
	struct hchan *lastc = NULL;
	for (struct sudog *sg = list; sg != NULL && sg->c != NULL; sg = sg->waitlink) {
		if (sg->c != lastc && lastc != NULL)
			unlock(&lastc->lock);
		lastc = sg->c;
	}
	if (lastc != NULL)
		unlock(&lastc->lock);
	if (fds)
		a_store_rel(&gp->selcommit, 0);   /* release: pairs with selectgo's spin */
	return !selfwake;
}

static bool is_send(const goro_case *cas)
{
	return cas->dir == GORO_SEND;
}

/* Heap sort of the case indices by channel address (Go's lock order). */
static int sort_lockorder(goro_case *cases, const uint16_t *pollorder, uint16_t *lockorder, int norder)
{
#define KEY(i) ((uintptr_t)cases[lockorder[i]].chan)
	int n = 0;
	for (int i = 0; i < norder; i++) {
		if (is_fd(&cases[pollorder[i]]))
			continue;
		int j = n++;
		uintptr_t c = (uintptr_t)cases[pollorder[i]].chan;
		while (j > 0 && KEY((j - 1) / 2) < c) {
			int k = (j - 1) / 2;
			lockorder[j] = lockorder[k];
			j = k;
		}
		lockorder[j] = pollorder[i];
	}
	for (int i = n - 1; i >= 0; i--) {
		uint16_t o = lockorder[i];
		uintptr_t c = (uintptr_t)cases[o].chan;
		lockorder[i] = lockorder[0];
		int j = 0;
		for (;;) {
			int k = j * 2 + 1;
			if (k >= i)
				break;
			if (k + 1 < i && KEY(k) < KEY(k + 1))
				k++;
			if (c < KEY(k)) {
				lockorder[j] = lockorder[k];
				j = k;
				continue;
			}
			break;
		}
		lockorder[j] = o;
	}
#undef KEY
	/* The fd cases follow, in poll order. */
	int k = n;
	for (int i = 0; i < norder; i++)
		if (is_fd(&cases[pollorder[i]]))
			lockorder[k++] = pollorder[i];
	return n;
}

/* Out of memory halfway through pass 2: take the n sudogs queued so far (in
 * lock order, on gp->waiting) back off their channels, as chanpark gives up
 * before it queues. Every channel is still locked, so no peer has seen them. */
static void selunqueue(struct selstate *s, struct g *gp, int n)
{
	struct sudog *sg = gp->waiting;
	for (int i = 0; i < n; i++) {
		goro_case *k = &s->cases[s->lockorder[i]];
		if (!is_fd(k)) {   /* fd sudogs are queued only at selparkcommit */
			struct hchan *c = hchan_of(k->chan);
			waitq_dequeue_sudog(is_send(k) ? &c->sendq : &c->recvq, sg);
		}
		struct sudog *next = sg->waitlink;
		sg->waitlink = NULL;
		sg->isSelect = false;
		sg->elem = NULL;
		sg->c = NULL;
		releaseSudog(sg);
		sg = next;
	}
	gp->waiting = NULL;
}

/* selectgo. order holds 2 * ncases slots: pollorder, then lockorder. */
static int selectgo(goro_case *cases, uint16_t *order, int ncases, int64_t timeout_ns)
{
	uint16_t *pollorder = order, *lockorder = order + ncases;
	bool block = timeout_ns != 0;

	/* Shuffle the cases with a channel or a descriptor into pollorder
	 * (inside-out Fisher-Yates); NULL channels are never ready and drop out. */
	int norder = 0;
	for (int i = 0; i < ncases; i++) {
		if (cases[i].chan == NULL && !is_fd(&cases[i]))
			continue;
		int j = (int)((uint64_t)fastrand() * (uint32_t)(norder + 1) >> 32);
		pollorder[norder] = pollorder[j];
		pollorder[j] = (uint16_t)i;
		norder++;
	}
	int nchan = sort_lockorder(cases, pollorder, lockorder, norder);
	struct selstate s = { cases, lockorder, nchan, norder - nchan };

	sellock(&s);

	/* pass 1: look for something already waiting, in poll order. */
	int casi = -1;
	goro_case *cas = NULL;
	struct hchan *c = NULL;
	struct sudog *sg;
	for (int i = 0; i < norder; i++) {
		casi = pollorder[i];
		cas = &cases[casi];
		if (is_fd(cas)) {
			int st = fd_case_ready(casepd(cas), fd_mode(cas));
			if (st != FD_NOTREADY) {
				selunlock(&s);
				cas->status = st;
				return casi;
			}
			continue;
		}
		c = hchan_of(cas->chan);
		if (!is_send(cas)) {
			if ((sg = waitq_dequeue(&c->sendq)) != NULL)
				goto recv;
			if (c->qcount > 0)
				goto bufrecv;
			if (c->closed != 0)
				goto rclose;
		} else {
			if (c->closed != 0)
				goto sclose;
			if ((sg = waitq_dequeue(&c->recvq)) != NULL)
				goto send;
			if (c->qcount < c->dataqsiz)
				goto bufsend;
		}
	}
	if (!block) {
		selunlock(&s);
		return GORO_AGAIN;
	}

	/* pass 2: enqueue on every channel, in lock order, and park. */
	struct g standin;
	struct g *gp = getg_or(&standin);
	if (gp->waiting != NULL)
		throw("gp.waiting != nil");
	struct sudog **nextp = &gp->waiting;
	for (int i = 0; i < norder; i++) {
		cas = &cases[lockorder[i]];
		sg = acquireSudog();
		if (sg == NULL) {
			selunqueue(&s, gp, i);
			selunlock(&s);
			return GORO_NOMEM;
		}
		sg->g = gp;
		sg->isSelect = true;
		*nextp = sg;
		nextp = &sg->waitlink;
		if (is_fd(cas)) {
			sg->elem = casepd(cas);
			sg->c = NULL;
			sg->ticket = (uint32_t)fd_mode(cas);
			continue;
		}
		c = hchan_of(cas->chan);
		sg->elem = cas->elem;
		sg->c = c;
		if (is_send(cas))
			waitq_enqueue(&c->sendq, sg);
		else
			waitq_enqueue(&c->recvq, sg);
	}
	gp->param = NULL;

	struct timer t = { .f = select_timeout, .arg = gp };
	struct timer *tp = NULL;
	if (timeout_ns > 0) {
		t.when = when_after(timeout_ns);
		tp = &t;
	}
	gp->standin_timer = gp->foreign ? tp : NULL;   /* gopark fires it (proc.c) */
	struct selpark sp = { gp->foreign ? NULL : tp, s.nfd > 0 };
	gopark(gp, selparkcommit, &sp, norder == 0 && tp == NULL ? waitReasonSelectNoCases : waitReasonSelect);
	if (s.nfd > 0) {
		/* acquire: pairs with selparkcommit's last store */
		while (a_load_acq(&gp->selcommit) != 0)
			plat_osyield();
	}

	/* Woken by one channel, or by the timer (param NULL). Disarm the timer
	 * and wait out a select_timeout under way before selectDone is reset
	 * (after pass 3), or a late one could wake the next select; t is on
	 * this frame. */
	if (tp != NULL) {
		deltimer(tp);
		timerwait(tp);
	}
	sellock(&s);
	struct sudog *winner = gp->param;
	gp->param = NULL;

	/* pass 3: dequeue from the unsuccessful channels; the winner's sudog
	 * was already dequeued by whoever woke us. */
	casi = -1;
	cas = NULL;
	bool success = false;
	int fd_status = GORO_OK;
	struct sudog *sglist = gp->waiting;
	for (struct sudog *sg1 = gp->waiting; sg1 != NULL; sg1 = sg1->waitlink) {
		sg1->isSelect = false;
		if (sg1->c != NULL)
			sg1->elem = NULL;
		sg1->c = NULL;
	}
	gp->waiting = NULL;
	for (int i = 0; i < norder; i++) {
		goro_case *k = &cases[lockorder[i]];
		if (is_fd(k)) {
			/* Off the pollDesc, if the waker has not taken it off. */
			netpoll_seldequeue(sglist->elem, (int)sglist->ticket, sglist);
			sglist->elem = NULL;
			sglist->ticket = 0;
			if (sglist == winner) {
				casi = lockorder[i];
				cas = k;
				/* An edge-triggered event can be older than a read
				 * that consumed its data: then the case is not ready
				 * after all, and the select starts over. */
				fd_status = fd_case_ready(casepd(k), fd_mode(k));
			}
		} else if (sglist == winner) {
			casi = lockorder[i];
			cas = k;
			success = sglist->success;
		} else {
			c = hchan_of(k->chan);
			if (is_send(k))
				waitq_dequeue_sudog(&c->sendq, sglist);
			else
				waitq_dequeue_sudog(&c->recvq, sglist);
		}
		struct sudog *sgnext = sglist->waitlink;
		sglist->waitlink = NULL;
		releaseSudog(sglist);
		sglist = sgnext;
	}
	/* Only now, with every sudog off its queue: an fd case's sudog sits
	 * on its pollDesc under pd->lock, not under the channel locks held
	 * here, and a netpoll that found it there before pass 3 took it off
	 * would win a reset selectDone and goready a running gp. seq_cst
	 * where release would do: after the dequeues, under the channel
	 * locks, which hand it to the next select's wakers. */
	a_store(&gp->selectDone, 0);
	selunlock(&s);
	if (cas == NULL) {
		if (winner == NULL && tp != NULL)
			return GORO_TIMEOUT;
		throw("selectgo: bad wakeup");
	}
	if (is_fd(cas)) {
		if (fd_status == FD_NOTREADY)
			return SELECT_SPURIOUS;
		cas->status = fd_status;
	} else
		cas->status = success ? GORO_OK : GORO_CLOSED;
	return casi;

bufrecv:
	chan_buf_take(c, cas->elem);
	selunlock(&s);
	cas->status = GORO_OK;
	return casi;

bufsend:
	chan_buf_put(c, cas->elem);
	selunlock(&s);
	cas->status = GORO_OK;
	return casi;

recv:
	chan_recv_from(c, sg, cas->elem, selunlock, &s);
	cas->status = GORO_OK;
	return casi;

rclose:
	selunlock(&s);
	if (cas->elem != NULL)
		memset(cas->elem, 0, c->elemsize);
	cas->status = GORO_CLOSED;
	return casi;

send:
	chan_send_to(c, sg, cas->elem, selunlock, &s);
	cas->status = GORO_OK;
	return casi;

sclose:
	selunlock(&s);
	cas->status = GORO_CLOSED;
	return casi;
}

/* Arguments a caller can get wrong, for one case. */
/* Drop the references taken on the fd cases among cases[0..n). */
static void fd_release_cases(goro_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_fd(&cases[i]))
			fd_release(pd_lookup(cases[i].fd));
}

static bool case_ok(const goro_case *cas)
{
	if (is_fd(cas))
		return cas->fd.id_ != 0;
	if (cas->dir != GORO_RECV && cas->dir != GORO_SEND)
		return false;
	if (cas->chan == NULL)
		return true;
	const struct hchan *c = hchan_of(cas->chan);
	return chan_valid(c, "goro_select") && (cas->dir == GORO_RECV || cas->elem != NULL || c->elemsize == 0);
}

static int select1(goro_case *cases, size_t n, int64_t timeout_ns) __attribute__((noinline));

/* GORO_DEBUG=strict=1: Go panics on a send to a closed channel in a select
 * too, and on what is INVAL here.
 *
 * The first test is selectnbrecv/selectnbsend's fast "no" (a one-case
 * select with a default arm, which Go compiles to a plain non-blocking
 * chanrecv or chansend): a live channel (the magic check, from the line the
 * fast check reads anyway) that would block returns AGAIN here, before
 * select1's frame and the status checks, none of which AGAIN needs.
 * Anything else, a stale handle included, goes the whole way. */
int goro_select(goro_case *cases, size_t n, int64_t timeout_ns)
{
	if (n == 1 && timeout_ns == 0 && cases != NULL && cases[0].chan != NULL) {
		const goro_case *cas = &cases[0];
		struct hchan *c = hchan_of(cas->chan);
		/* relaxed: as chan_valid, a check against stale handles */
		if (a_load_relaxed(&c->magic) == CHAN_MAGIC) {
			if (cas->dir == GORO_RECV && chan_recv_fails_fast(c))
				return GORO_AGAIN;
			if (cas->dir == GORO_SEND && (cas->elem != NULL || c->elemsize == 0) &&
			    chan_send_fails_fast(c))
				return GORO_AGAIN;
		}
	}
	if (timeout_ns != 0)
		blockingcheck("goro_select");
	int i = misuse(select1(cases, n, timeout_ns), GORO_INVAL, "goro_select", INVAL_WHAT);
	if (i >= 0 && cases[i].dir == GORO_SEND)
		misuse(cases[i].status, GORO_CLOSED, "goro_select",
		       ": send on closed channel (GORO_DEBUG=strict=1)");
	return i;
}

static int select1(goro_case *cases, size_t n, int64_t timeout_ns)
{
	if ((n > 0 && cases == NULL) || n > SELECT_MAX_CASES)
		return GORO_INVAL;

	/* One case and no timer is a plain send or receive, as Go's compiler
	 * makes of it (selectnbsend, selectnbrecv, or the blocking forms). */
	if (n == 1 && cases[0].chan != NULL && !is_fd(&cases[0]) && timeout_ns <= 0) {
		if (!case_ok(&cases[0]))
			return GORO_INVAL;
		struct hchan *c = hchan_of(cases[0].chan);
		bool block = timeout_ns < 0, send = cases[0].dir == GORO_SEND;
		if (!block && (send ? chan_send_fails_fast(c) : chan_recv_fails_fast(c)))
			return GORO_AGAIN;
		int st = send ? chansend(c, cases[0].elem, block) : chanrecv(c, cases[0].elem, block);
		if (st == GORO_AGAIN || st == GORO_NOMEM)
			return st;
		cases[0].status = st;
		return 0;
	}

	size_t nfd = 0;
	for (size_t i = 0; i < n; i++) {
		if (!case_ok(&cases[i]))
			return GORO_INVAL;
		nfd += is_fd(&cases[i]);
	}

	/* A reference on every descriptor, for the whole select; a closed one
	 * (or a stale handle) is a ready case with status CLOSED. */
	size_t held = 0;
	for (size_t i = 0; nfd > 0 && i < n; i++) {
		if (!is_fd(&cases[i]))
			continue;
		if (fd_acquire(cases[i].fd) == NULL) {
			fd_release_cases(cases, held);
			cases[i].status = GORO_CLOSED;
			return (int)i;
		}
		held = i + 1;
	}

	uint16_t stack_order[2 * SELECT_STACK_CASES];
	uint16_t *order = stack_order;
	int r = GORO_NOMEM;
	if (n > SELECT_STACK_CASES)
		order = rtmalloc(2 * n * sizeof *order);
	int64_t until = timeout_ns > 0 ? when_after(timeout_ns) : 0;
	while (order != NULL) {
		r = selectgo(cases, order, (int)n, timeout_ns);
		if (r != SELECT_SPURIOUS)
			break;
		r = GORO_TIMEOUT;
		if (until != 0 && (timeout_ns = until - plat_nanotime()) <= 0)
			break;
	}
	if (order != stack_order && order != NULL)
		rtfree(order, 2 * n * sizeof *order);
	if (nfd > 0)
		fd_release_cases(cases, n);
	return r;
}
