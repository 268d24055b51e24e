/* The channel as chan.go declares it, shared by chan.c and select.c. */
#ifndef GORO_CHAN_H
#define GORO_CHAN_H

#include "runtime2.h"
#include "goro.h"

/* Invariants, under lock (as chan.go states them):
 *   at least one of sendq and recvq is empty, except for an unbuffered
 *   channel with a single goroutine blocked on it both ways in a select;
 *   for a buffered channel: qcount > 0 implies recvq is empty, and
 *   qcount < dataqsiz implies sendq is empty.
 * qcount, closed and the queues' first pointers are also read without the
 * lock (len, and the try paths' fast check), hence atomic. */
struct hchan {
	uint32_t qcount;          /* values in buf */
	uint32_t dataqsiz;        /* capacity; immutable */
	char *buf;                /* dataqsiz slots of elemsize bytes */
	size_t elemsize;          /* immutable */
	uint32_t closed;
	uint32_t magic;           /* CHAN_MAGIC while allocated: catches stale handles */
	uint32_t sendx, recvx;    /* ring indices into buf */
	struct waitq recvq;       /* parked receivers */
	struct waitq sendq;       /* parked senders */
	struct mutex lock;
	size_t allocsize;         /* what rtmalloc was asked for */
};

#define CHAN_MAGIC 0x6368616eu   /* "chan" */
#define CHAN_FREED 0x66726565u   /* "free": freed, held in quarantine (chan.c) */

static inline struct hchan *hchan_of(goro_chan *c)
{
	return (struct hchan *)c;
}

/* A handle that is not a live channel: NULL is silent (the documented
 * INVAL); a freed one, or no channel at all, is said on stderr naming call. */
bool chan_bad(const struct hchan *c, const char *call);

/* Is c a live channel? call names the public function for the report. */
/* relaxed: a check against stale handles, racy by contract. */
static inline bool chan_valid(const struct hchan *c, const char *call)
{
	if (c != NULL && a_load_relaxed(&c->magic) == CHAN_MAGIC)
		return true;
	return chan_bad(c, call);
}

/* typedmemmove for one element. core is built -fno-builtin, so memcpy is
 * always a call; the common sizes are a load and a store instead, which
 * __builtin_memcpy with a constant size gives (any alignment). */
static inline void elem_copy(void *dst, const void *src, size_t n)
{
	switch (n) {
	case 0: return;
	case 4: __builtin_memcpy(dst, src, 4); return;
	case 8: __builtin_memcpy(dst, src, 8); return;
	case 16: __builtin_memcpy(dst, src, 16); return;
	default: memcpy(dst, src, n);
	}
}

static inline char *chanbuf(struct hchan *c, uint32_t i)
{
	return c->buf + (size_t)i * c->elemsize;
}

/* Append *ep to the buffer, which has room; c->lock is held. qcount is
 * relaxed here: the lock orders it; atomic for the lock-free readers. */
static inline void chan_buf_put(struct hchan *c, const void *ep)
{
	elem_copy(chanbuf(c, c->sendx), ep, c->elemsize);
	if (++c->sendx == c->dataqsiz)
		c->sendx = 0;
	a_store_relaxed(&c->qcount, c->qcount + 1);
}

/* Take the head of the non-empty buffer into ep (NULL: discard); c->lock
 * is held. qcount as chan_buf_put's. */
static inline void chan_buf_take(struct hchan *c, void *ep)
{
	if (ep != NULL)
		elem_copy(ep, chanbuf(c, c->recvx), c->elemsize);
	if (++c->recvx == c->dataqsiz)
		c->recvx = 0;
	a_store_relaxed(&c->qcount, c->qcount - 1);
}

/* full: would a send block? Racy by design: used only to fail fast.
 * qcount relaxed, as Go's plain read: chan.go's chansend says why its two
 * loads (closed, then full) may be seen in either order. */
static inline bool chan_full(struct hchan *c)
{
	if (c->dataqsiz == 0)
		return a_load_acq(&c->recvq.first) == NULL;   /* acquire: see chan_empty */
	return a_load_relaxed(&c->qcount) == c->dataqsiz;
}

/* empty: would a receive block? For an unbuffered channel, Go's
 * atomic.Loadp: acquire, so that the load of closed after it cannot be
 * satisfied first (arm64 would allow it for a relaxed load), and, pairing
 * with the dequeue's release, a sender seen gone because close took it is
 * seen with closed set. Otherwise a try receive racing a close, with a
 * sender parked, could return AGAIN at a moment that never existed. */
static inline bool chan_empty(struct hchan *c)
{
	if (c->dataqsiz == 0)
		return a_load_acq(&c->sendq.first) == NULL;
	/* seq_cst as Go's Loaduint: before the closed load that follows */
	return a_load(&c->qcount) == 0;
}

/* The try forms' fast "no": a send that would block on an open channel,
 * or a receive from an empty open one. Reading closed and then full (or
 * empty and then closed) is one consistent moment: see chan.go. The
 * send's closed is relaxed, as Go's plain read; the receive's is seq_cst,
 * after empty, as Go's atomic.Load. */
static inline bool chan_send_fails_fast(struct hchan *c)
{
	return a_load_relaxed(&c->closed) == 0 && chan_full(c);
}

static inline bool chan_recv_fails_fast(struct hchan *c)
{
	return chan_empty(c) && a_load(&c->closed) == 0;
}

/* chansend / chanrecv: OK, CLOSED, AGAIN (block false and not ready) or
 * NOMEM; the arguments are already checked. */
int chansend(struct hchan *c, const void *ep, bool block);
int chanrecv(struct hchan *c, void *ep, bool block);

void waitq_enqueue(struct waitq *q, struct sudog *sg);
struct sudog *waitq_dequeue(struct waitq *q);
void waitq_dequeue_sudog(struct waitq *q, struct sudog *sg);

/* Complete a communication with a parked peer; unlockf(arg) releases the
 * channel lock(s) before the peer is readied. */
void chan_send_to(struct hchan *c, struct sudog *sg, const void *ep, void (*unlockf)(void *), void *arg);
void chan_recv_from(struct hchan *c, struct sudog *sg, void *ep, void (*unlockf)(void *), void *arg);

#endif
