/* Channels, after chan.go: makechan, chansend, chanrecv, closechan and the
 * non-blocking forms, with the direct handoff between a running goroutine
 * and a parked one (send, recv, sendDirect, recvDirect). */
#include "chan.h"
#include "platform.h"
#include "sanitizer.h"

enum { MAX_CHAN_BYTES = 1u << 30 };

goro_chan *goro_chan_make(size_t elem_size, size_t cap)
{
	if (cap > UINT32_MAX / 2 || (elem_size != 0 && cap > MAX_CHAN_BYTES / elem_size) ||
	    elem_size > MAX_CHAN_BYTES)
		return NULL;
	size_t size = sizeof(struct hchan) + elem_size * cap;
	struct hchan *c = rtmalloc(size);
	if (c == NULL)
		return NULL;
	lockInit(&c->lock, lockRankHchan);
	c->buf = (char *)(c + 1);
	c->elemsize = elem_size;
	c->dataqsiz = (uint32_t)cap;
	c->allocsize = size;
	a_store_relaxed(&c->magic, CHAN_MAGIC);   /* published with c itself */
	return (goro_chan *)c;
}

/* Freed channels wait in a FIFO quarantine before their memory is reused,
 * so that a stale handle finds CHAN_FREED in the header (and is refused)
 * rather than a new channel it would act on. Bounded by count and bytes;
 * past that a stale handle may meet reused memory, as with free(3).
 *
 * The FIFO is linked through the freed headers' first word, which nothing
 * reads once magic says CHAN_FREED (every call checks magic first) and
 * which san_free leaves unpoisoned, as it does the allocator's own link;
 * the rest of the header is poisoned for ASan, which then reports the
 * stale use itself, so the size is read back under a brief unpoison.
 *
 * One FIFO per P, touched only by its owner (as the P's mcache that the
 * evicted channels go back to), so a free takes no lock: a shared one's
 * lock was two atomic read-modify-writes on every goro_chan_free. A thread
 * without a P (before goro_main, a foreign thread) uses the shared FIFO,
 * under quarantine.lock (a leaf). */
enum { QUARANTINE_N = 1024, QUARANTINE_BYTES = 1 << 20, QUARANTINE_P_BYTES = 256 << 10 };

struct qlink {
	struct hchan *next;   /* overlays a freed header's first word */
};

struct qlist {
	struct hchan *head, *tail;
	uint32_t n;
	size_t bytes;
} __attribute__((aligned(CACHE_LINE)));   /* one P's apart from the next's */

static struct {
	struct mutex lock;
	struct qlist q;
} quarantine = { .lock = MUTEX_INIT(lockRankQuarantine) };

static struct qlist pquarantine[MAXPROCS];   /* owner P only */

static size_t freed_size(struct hchan *c)
{
	san_malloc(&c->allocsize, sizeof c->allocsize);
	return c->allocsize;
}

/* Append c to q and take out up to 8 of the oldest while q is over its
 * bounds, into evict[]; returns how many. */
static int qlist_put(struct qlist *q, size_t maxbytes, struct hchan *c, size_t size,
                     struct hchan **evict, size_t *evsize)
{
	((struct qlink *)c)->next = NULL;
	if (q->tail != NULL)
		((struct qlink *)q->tail)->next = c;
	else
		q->head = c;
	q->tail = c;
	q->n++;
	q->bytes += size;
	int ne = 0;
	while (ne < 8 && (q->n > QUARANTINE_N || q->bytes > maxbytes)) {
		struct hchan *x = q->head;
		q->head = ((struct qlink *)x)->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
		evict[ne] = x;
		evsize[ne] = freed_size(x);
		q->bytes -= evsize[ne];
		ne++;
	}
	return ne;
}

static void quarantine_put(struct hchan *c, size_t size)
{
	struct hchan *evict[8];
	size_t evsize[8];
	int ne;

	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;
	if (pp != NULL) {
		ne = qlist_put(&pquarantine[pp->id], QUARANTINE_P_BYTES, c, size, evict, evsize);
	} else {
		lock(&quarantine.lock);
		ne = qlist_put(&quarantine.q, QUARANTINE_BYTES, c, size, evict, evsize);
		unlock(&quarantine.lock);
	}
	for (int i = 0; i < ne; i++)
		rtfree(evict[i], evsize[i]);
}

bool chan_bad(const struct hchan *c, const char *call)
{
	if (c == NULL)
		return false;
	/* relaxed magic loads: a stale handle is a race by contract; this
	 * only names it */
	misuse(GORO_INVAL, GORO_INVAL, call, a_load_relaxed(&c->magic) == CHAN_FREED
	       ? ": channel already freed (GORO_DEBUG=strict=1)" : ": not a channel (GORO_DEBUG=strict=1)");
	printstr("goro: ");
	printstr(call);
	if (a_load_relaxed(&c->magic) == CHAN_FREED)
		printstr(": channel already freed (a stale handle); nothing done\n");
	else
		printstr(": not a channel (a stale or wild handle); nothing done\n");
	return false;
}

void goro_chan_free(goro_chan *ch)
{
	struct hchan *c = hchan_of(ch);
	if (c != NULL && a_load_relaxed(&c->magic) == CHAN_FREED) {
		misuse(GORO_INVAL, GORO_INVAL, "goro_chan_free", ": double free (GORO_DEBUG=strict=1)");
		printstr("goro: goro_chan_free: channel already freed (double free); ignored\n");
		return;
	}
	if (!chan_valid(c, "goro_chan_free"))
		return;
	/* The contract says every operation has returned, so no lock is
	 * needed; a parked waiter is a misuse seen here at no cost. Relaxed
	 * loads and store, for the same reason. */
	if (a_load_relaxed(&c->recvq.first) != NULL || a_load_relaxed(&c->sendq.first) != NULL) {
		printstr("goro: goro_chan_free: goroutines are still waiting on the channel; not freed\n");
		return;
	}
	size_t size = c->allocsize;
	a_store_relaxed(&c->magic, CHAN_FREED);
	san_free(c, size);
	quarantine_put(c, size);
}

/* waitq.enqueue; the channel's lock is held. */
void waitq_enqueue(struct waitq *q, struct sudog *sg)
{
	struct sudog *x = q->last;
	sg->next = NULL;
	sg->prev = x;
	/* relaxed: a waiter appearing needs no order; a fast path that sees
	 * it takes the lock */
	if (x == NULL)
		a_store_relaxed(&q->first, sg);
	else
		x->next = sg;
	q->last = sg;
}

/* waitq.dequeue: the first waiter that can still be woken. A select's
 * sudog is skipped when another of its cases (or its timer) already won
 * the race to wake it, through the CAS on g->selectDone. */
struct sudog *waitq_dequeue(struct waitq *q)
{
	for (;;) {
		struct sudog *sg = q->first;
		if (sg == NULL)
			return NULL;
		struct sudog *y = sg->next;
		/* release: a lock-free reader that sees the waiter gone also
		 * sees closed, when close is what dequeues it (chan_empty) */
		if (y == NULL) {
			a_store_rel(&q->first, NULL);
			q->last = NULL;
		} else {
			y->prev = NULL;
			a_store_rel(&q->first, y);
			sg->next = NULL;
		}
		/* seq_cst CAS: claims the select's wake-up against its other
		 * cases, its timer and netpoll (select.c) */
		if (sg->isSelect && !a_cas(&sg->g->selectDone, 0, 1))
			continue;
		return sg;
	}
}

/* waitq.dequeueSudoG: take out sg, wherever it is. */
void waitq_dequeue_sudog(struct waitq *q, struct sudog *sg)
{
	struct sudog *x = sg->prev, *y = sg->next;
	if (x != NULL) {
		x->next = y;
		if (y != NULL)
			y->prev = x;
		else
			q->last = x;
	} else if (y != NULL) {
		y->prev = NULL;
		a_store_rel(&q->first, y);   /* release: as waitq_dequeue */
	} else if (q->first == sg) {
		a_store_rel(&q->first, NULL);
		q->last = NULL;
	}
	sg->next = sg->prev = NULL;
}

/* The end of send and recv: drop the channel lock(s), then hand the peer
 * its sudog (which case won, for a select) and ready it. */
static void ready_peer(struct sudog *sg, void (*unlockf)(void *), void *arg)
{
	struct g *gp = sg->g;
	unlockf(arg);
	gp->param = sg;
	sg->success = true;
	goready(gp);
}

/* send: hand ep straight to a parked receiver (sendDirect), then ready it.
 * The receiver's elem may be NULL (it discards the value). */
void chan_send_to(struct hchan *c, struct sudog *sg, const void *ep, void (*unlockf)(void *), void *arg)
{
	if (sg->elem != NULL) {
		elem_copy(sg->elem, ep, c->elemsize);
		sg->elem = NULL;
	}
	ready_peer(sg, unlockf, arg);
}

/* recv: take a parked sender's value. Unbuffered: straight from it
 * (recvDirect). Buffered and so full: take the head of the buffer and put
 * the sender's value in the slot it frees, keeping FIFO order. */
void chan_recv_from(struct hchan *c, struct sudog *sg, void *ep, void (*unlockf)(void *), void *arg)
{
	if (c->dataqsiz == 0) {
		if (ep != NULL)
			elem_copy(ep, sg->elem, c->elemsize);
	} else {
		char *qp = chanbuf(c, c->recvx);
		if (ep != NULL)
			elem_copy(ep, qp, c->elemsize);
		elem_copy(qp, sg->elem, c->elemsize);
		if (++c->recvx == c->dataqsiz)
			c->recvx = 0;
		c->sendx = c->recvx;
	}
	sg->elem = NULL;
	ready_peer(sg, unlockf, arg);
}

static void unlock_chan(void *c)
{
	unlock(&((struct hchan *)c)->lock);
}

static bool chanparkcommit(struct g *gp, void *chanlock)
{
	(void)gp;
	unlock(chanlock);
	return true;
}

/* The blocking half of chansend and chanrecv: queue a sudog for the caller
 * on q and park until a peer completes the exchange (OK) or close wakes us
 * (CLOSED). c->lock is held on entry and released by the park.
 *
 * The sudog is on this frame rather than from the P's cache (Go's
 * acquireSudog), which Go needs because its stacks move; goro's never do.
 * A peer touches it only between taking it off q under c->lock and the
 * goready that lets us return (ready_peer, goro_chan_close), so it is gone
 * no earlier than it would be released. This saves the cache's round trip
 * on every park, and a parked goroutine holds no heap memory for it. */
static int chanpark(struct hchan *c, struct waitq *q, void *ep, enum waitreason reason)
{
	struct g standin;
	struct g *gp = getg_or(&standin);
	struct sudog mysg = { .g = gp, .elem = ep, .c = c };
	gp->waiting = &mysg;
	gp->param = NULL;
	waitq_enqueue(q, &mysg);
	gopark(gp, chanparkcommit, &c->lock, reason);

	if (&mysg != gp->waiting)
		throw("G waiting list is corrupted");
	gp->waiting = NULL;
	gp->param = NULL;
	return mysg.success ? GORO_OK : GORO_CLOSED;
}

int chansend(struct hchan *c, const void *ep, bool block)
{
	if (!block && chan_send_fails_fast(c))
		return GORO_AGAIN;

	lock(&c->lock);
	if (c->closed != 0) {
		unlock(&c->lock);
		return GORO_CLOSED;
	}
	struct sudog *sg = waitq_dequeue(&c->recvq);
	if (sg != NULL) {
		chan_send_to(c, sg, ep, unlock_chan, c);
		return GORO_OK;
	}
	if (c->qcount < c->dataqsiz) {
		chan_buf_put(c, ep);
		unlock(&c->lock);
		return GORO_OK;
	}
	if (!block) {
		unlock(&c->lock);
		return GORO_AGAIN;
	}

	/* Park with a sudog on sendq until a receiver or close takes it. */
	return chanpark(c, &c->sendq, (void *)ep, waitReasonChanSend);
}

int chanrecv(struct hchan *c, void *ep, bool block)
{
	if (!block && chan_empty(c)) {
		/* seq_cst, as Go's atomic.Load: after chan_empty's load, so
		 * that empty-and-open is one moment (chan.h) */
		if (a_load(&c->closed) == 0)
			return GORO_AGAIN;
		/* Closed: but a value may have arrived between the two loads;
		 * only a channel that is still empty is closed-and-drained. */
		if (chan_empty(c)) {
			if (ep != NULL)
				memset(ep, 0, c->elemsize);
			return GORO_CLOSED;
		}
	}

	lock(&c->lock);
	if (c->closed != 0) {
		if (c->qcount == 0) {
			unlock(&c->lock);
			if (ep != NULL)
				memset(ep, 0, c->elemsize);
			return GORO_CLOSED;
		}
	} else {
		struct sudog *sg = waitq_dequeue(&c->sendq);
		if (sg != NULL) {
			chan_recv_from(c, sg, ep, unlock_chan, c);
			return GORO_OK;
		}
	}
	if (c->qcount > 0) {
		chan_buf_take(c, ep);
		unlock(&c->lock);
		return GORO_OK;
	}
	if (!block) {
		unlock(&c->lock);
		return GORO_AGAIN;
	}

	return chanpark(c, &c->recvq, ep, waitReasonChanReceive);
}

/* Arguments a caller can get wrong: a stale or NULL channel, or no element
 * to send when there is something to send. */
static bool send_args_ok(struct hchan *c, const void *elem, const char *call)
{
	return chan_valid(c, call) && (elem != NULL || c->elemsize == 0);
}

/* A send's status under GORO_DEBUG=strict=1: Go panics on a closed
 * channel, and on what is INVAL here. */
static int send_status(int st, const char *call)
{
	st = misuse(st, GORO_CLOSED, call, ": send on closed channel (GORO_DEBUG=strict=1)");
	return misuse(st, GORO_INVAL, call, INVAL_WHAT);
}

int goro_chan_send(goro_chan *ch, const void *elem)
{
	struct hchan *c = hchan_of(ch);
	blockingcheck("goro_chan_send");
	return send_status(send_args_ok(c, elem, "goro_chan_send") ? chansend(c, elem, true) : GORO_INVAL,
	                   "goro_chan_send");
}

int goro_chan_trysend(goro_chan *ch, const void *elem)
{
	struct hchan *c = hchan_of(ch);
	return send_status(send_args_ok(c, elem, "goro_chan_trysend") ? chansend(c, elem, false) : GORO_INVAL,
	                   "goro_chan_trysend");
}

int goro_chan_recv(goro_chan *ch, void *elem)
{
	struct hchan *c = hchan_of(ch);
	blockingcheck("goro_chan_recv");
	return chan_valid(c, "goro_chan_recv") ? chanrecv(c, elem, true)
	                                       : misuse(GORO_INVAL, GORO_INVAL, "goro_chan_recv", INVAL_WHAT);
}

int goro_chan_tryrecv(goro_chan *ch, void *elem)
{
	struct hchan *c = hchan_of(ch);
	return chan_valid(c, "goro_chan_tryrecv") ? chanrecv(c, elem, false)
	                                          : misuse(GORO_INVAL, GORO_INVAL, "goro_chan_tryrecv", INVAL_WHAT);
}

/* closechan: wake every waiter, receivers with a zeroed value, senders
 * with CLOSED; readied only after the lock is dropped. */
int goro_chan_close(goro_chan *ch)
{
	struct hchan *c = hchan_of(ch);
	if (!chan_valid(c, "goro_chan_close"))
		return misuse(GORO_INVAL, GORO_INVAL, "goro_chan_close", INVAL_WHAT);
	lock(&c->lock);
	if (c->closed != 0) {
		unlock(&c->lock);
		return misuse(GORO_CLOSED, GORO_CLOSED, "goro_chan_close",
		              ": close of closed channel (GORO_DEBUG=strict=1)");
	}
	/* seq_cst, under the lock; it comes before the dequeues' releases
	 * below, which chan_empty's acquire pairs with */
	a_store(&c->closed, 1);

	struct g *glist = NULL;
	struct sudog *sg;
	while ((sg = waitq_dequeue(&c->recvq)) != NULL) {
		if (sg->elem != NULL) {
			memset(sg->elem, 0, c->elemsize);
			sg->elem = NULL;
		}
		struct g *gp = sg->g;
		gp->param = sg;
		sg->success = false;
		gp->schedlink = glist;
		glist = gp;
	}
	while ((sg = waitq_dequeue(&c->sendq)) != NULL) {
		sg->elem = NULL;
		struct g *gp = sg->g;
		gp->param = sg;
		sg->success = false;
		gp->schedlink = glist;
		glist = gp;
	}
	unlock(&c->lock);

	while (glist != NULL) {
		struct g *gp = glist;
		glist = gp->schedlink;
		gp->schedlink = NULL;
		goready(gp);
	}
	return GORO_OK;
}

size_t goro_chan_len(goro_chan *ch)
{
	struct hchan *c = hchan_of(ch);
	/* relaxed: a racy snapshot, as Go's len */
	return chan_valid(c, "goro_chan_len") ? a_load_relaxed(&c->qcount) : 0;
}

size_t goro_chan_cap(goro_chan *ch)
{
	struct hchan *c = hchan_of(ch);
	return chan_valid(c, "goro_chan_cap") ? c->dataqsiz : 0;
}

/* The checked forms (libdill's chsend takes the length for the same
 * reason): an int sent on an int64_t channel would read past it, and one
 * received would write past it. */
size_t goro_chan_elem_size(goro_chan *ch)
{
	struct hchan *c = hchan_of(ch);
	return chan_valid(c, "goro_chan_elem_size") ? c->elemsize : 0;
}

static bool elem_size_ok(struct hchan *c, size_t size, const char *call)
{
	if (!chan_valid(c, call))
		return false;
	if (size == c->elemsize)
		return true;
	printstr("goro: ");
	printstr(call);
	printstr(": element of ");
	printu64(size);
	printstr(" bytes for a channel of ");
	printu64(c->elemsize);
	printstr("-byte elements; nothing sent or received\n");
	return false;
}

int goro_chan_send_n(goro_chan *ch, const void *elem, size_t size)
{
	struct hchan *c = hchan_of(ch);
	blockingcheck("goro_chan_send_n");
	if (!elem_size_ok(c, size, "goro_chan_send_n"))
		return misuse(GORO_INVAL, GORO_INVAL, "goro_chan_send_n", INVAL_WHAT);
	return goro_chan_send(ch, elem);
}

int goro_chan_recv_n(goro_chan *ch, void *elem, size_t size)
{
	struct hchan *c = hchan_of(ch);
	blockingcheck("goro_chan_recv_n");
	if (!elem_size_ok(c, size, "goro_chan_recv_n"))
		return misuse(GORO_INVAL, GORO_INVAL, "goro_chan_recv_n", INVAL_WHAT);
	return goro_chan_recv(ch, elem);
}
