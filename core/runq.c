/* Run queues: proc.go's runqput, runqputslow, runqget, runqgrab, runqsteal,
 * runqempty and the global queue (globrunqput, globrunqputbatch,
 * globrunqget). Memory orderings are Go's, named at each access.
 *
 * A P's local queue is a ring of RUNQ_SIZE slots. Only the owner writes
 * runqtail and the slots; the owner and stealers advance runqhead by CAS, so
 * a consumer reads a slot before its CAS commits the consumption. runnext
 * holds one G that runs before the ring, for a handoff that keeps its time
 * slice (ready, newproc). */
#include "runtime2.h"
#include "platform.h"

static struct g *slot_get(struct p *pp, uint32_t i)
{
	return a_load_relaxed(&pp->runq[i % RUNQ_SIZE]);
}

static void slot_set(struct p *pp, uint32_t i, struct g *gp)
{
	a_store_relaxed(&pp->runq[i % RUNQ_SIZE], gp);
}

/* runqempty: head, tail and runnext read as one consistent snapshot. A G
 * moving from runnext into the ring (runqput with next) must not make the
 * queue look empty in between, hence the retry until tail is stable. */
bool runqempty(struct p *pp)
{
	for (;;) {
		uint32_t head = a_load(&pp->runqhead);
		uint32_t tail = a_load(&pp->runqtail);
		struct g *runnext = a_load(&pp->runnext);
		if (tail == a_load(&pp->runqtail))
			return head == tail && runnext == NULL;
	}
}

/* runqputslow: the ring is full; move half of it plus gp to the global queue
 * in one batch. False if a stealer got there first (the ring is not full). */
static bool runqputslow(struct p *pp, struct g *gp, uint32_t h, uint32_t t)
{
	struct g *batch[RUNQ_SIZE / 2 + 1];
	uint32_t n = (t - h) / 2;

	if (n != RUNQ_SIZE / 2)
		throw("runqputslow: queue is not full");
	for (uint32_t i = 0; i < n; i++)
		batch[i] = slot_get(pp, h + i);
	if (!a_cas_rel(&pp->runqhead, h, h + n))   /* cas-release: commits consume */
		return false;
	batch[n] = gp;
	lock(&sched.lock);
	globrunqputbatch(batch, (int32_t)(n + 1));
	unlock(&sched.lock);
	return true;
}

/* runqput: queue gp on pp. With next, gp goes to runnext and whatever was
 * there is kicked into the ring. Executed only by the owner P. */
void runqput(struct p *pp, struct g *gp, bool next)
{
	if (next) {
		struct g *oldnext;
		do
			oldnext = a_load_relaxed(&pp->runnext);
		while (!a_cas(&pp->runnext, oldnext, gp));
		if (oldnext == NULL)
			return;
		gp = oldnext;
	}
	for (;;) {
		uint32_t h = a_load_acq(&pp->runqhead);   /* load-acquire: synchronize with consumers */
		uint32_t t = a_load_relaxed(&pp->runqtail);
		if (t - h < RUNQ_SIZE) {
			slot_set(pp, t, gp);
			a_store_rel(&pp->runqtail, t + 1);   /* store-release: makes the item available */
			return;
		}
		if (runqputslow(pp, gp, h, t))
			return;
	}
}

/* runqget: the next G for pp; *inherit_time is true when it came from
 * runnext and should finish the current time slice. Executed only by the
 * owner P. */
struct g *runqget(struct p *pp, bool *inherit_time)
{
	struct g *next = a_load_relaxed(&pp->runnext);
	/* runnext is only ever cleared by the owner or a stealer's CAS, so the
	 * CAS here can fail only to a stealer, never spuriously succeed. */
	if (next != NULL && a_cas(&pp->runnext, next, NULL)) {
		*inherit_time = true;
		return next;
	}
	*inherit_time = false;
	for (;;) {
		uint32_t h = a_load_acq(&pp->runqhead);   /* load-acquire: synchronize with other consumers */
		uint32_t t = a_load_relaxed(&pp->runqtail);
		if (t == h)
			return NULL;
		struct g *gp = slot_get(pp, h);
		if (a_cas_rel(&pp->runqhead, h, h + 1)) {   /* cas-release: commits consume */
			/* Each G heads its own stack slot, a page of its own, so
			 * the next one's first touch is a TLB and cache miss:
			 * start it now. A stale slot (a stealer took it) costs a
			 * wasted prefetch, nothing else. */
			if (t - h > 1)
				__builtin_prefetch(slot_get(pp, h + 1));
			return gp;
		}
	}
}

/* runqgrab: copy half of pp's ring into batch at batch_head, or its runnext
 * when the ring is empty and steal_runnext is set. Returns how many. Can be
 * executed by any P. */
static uint32_t runqgrab(struct p *pp, struct g **batch, uint32_t batch_head, bool steal_runnext)
{
	for (;;) {
		uint32_t h = a_load_acq(&pp->runqhead);   /* load-acquire: synchronize with other consumers */
		uint32_t t = a_load_acq(&pp->runqtail);   /* load-acquire: synchronize with the producer */
		uint32_t n = t - h;
		n = n - n / 2;
		if (n == 0) {
			if (steal_runnext) {
				struct g *next = a_load_relaxed(&pp->runnext);
				if (next != NULL) {
					/* A running P that just readied next is likely about
					 * to block and run it itself (the ping-pong case):
					 * give it a moment before stealing it away. Sleep, as
					 * Go's usleep(3) does, rather than spin: a spinner
					 * polling runnext takes its cache line from the owner
					 * at each of the owner's runqput and runqget, and
					 * in a ping-pong finds a new next each time round. */
					if (a_load_relaxed(&pp->status) == Prunning) {
						uint32_t never = 0;
						plat_futex_wait(&never, 0, 3000);
					}
					if (!a_cas(&pp->runnext, next, NULL))
						continue;
					batch[batch_head % RUNQ_SIZE] = next;
					return 1;
				}
			}
			return 0;
		}
		if (n > RUNQ_SIZE / 2)   /* read an inconsistent h and t */
			continue;
		for (uint32_t i = 0; i < n; i++)
			a_store_relaxed(&batch[(batch_head + i) % RUNQ_SIZE], slot_get(pp, h + i));
		if (a_cas_rel(&pp->runqhead, h, h + n))   /* cas-release: commits consume */
			return n;
	}
}

/* runqsteal: move half of p2's queue onto pp's and return one of the Gs.
 * Executed only by the owner P of pp. */
struct g *runqsteal(struct p *pp, struct p *p2, bool steal_runnext)
{
	uint32_t t = a_load_relaxed(&pp->runqtail);
	uint32_t n = runqgrab(p2, pp->runq, t, steal_runnext);
	if (n == 0)
		return NULL;
	n--;
	struct g *gp = slot_get(pp, t + n);
	if (n == 0)
		return gp;
	uint32_t h = a_load_acq(&pp->runqhead);   /* load-acquire: synchronize with consumers */
	if (t - h + n >= RUNQ_SIZE)
		throw("runqsteal: runq overflow");
	a_store_rel(&pp->runqtail, t + n);   /* store-release: makes the items available */
	return gp;
}

/* Double r's capacity, keeping its order. The lock guarding r is held;
 * the allocator's locks come after every scheduler lock. */
static void gring_grow(struct gring *r)
{
	uint32_t ncap = r->cap == 0 ? 256 : r->cap * 2;
	struct g **nbuf = rtmalloc(ncap * sizeof *nbuf);
	if (nbuf == NULL)
		throw("out of memory for a run queue");
	for (uint32_t i = 0; i < r->len; i++)
		nbuf[i] = r->buf[(r->head + i) % r->cap];
	rtfree(r->buf, r->cap * sizeof *nbuf);
	r->buf = nbuf;
	r->head = 0;
	r->cap = ncap;
}

void gring_push(struct gring *r, struct g *gp)
{
	if (r->len == r->cap)
		gring_grow(r);
	r->buf[(r->head + r->len++) % r->cap] = gp;
}

struct g *gring_pop(struct gring *r)
{
	if (r->len == 0)
		return NULL;
	struct g *gp = r->buf[r->head];
	r->head = (r->head + 1) % r->cap;
	r->len--;
	return gp;
}

struct g *gring_pop_tail(struct gring *r)
{
	if (r->len == 0)
		return NULL;
	return r->buf[(r->head + --r->len) % r->cap];
}

/* globrunqput: sched.lock must be held. */
void globrunqput(struct g *gp)
{
	assertLockHeld(&sched.lock);
	gring_push(&sched.runq, gp);
	a_store_relaxed(&sched.runqsize, sched.runqsize + 1);
}

/* globrunqputbatch: append n Gs. sched.lock must be held. */
void globrunqputbatch(struct g **batch, int32_t n)
{
	assertLockHeld(&sched.lock);
	for (int32_t i = 0; i < n; i++)
		gring_push(&sched.runq, batch[i]);
	a_store_relaxed(&sched.runqsize, sched.runqsize + n);
}

/* globrunqget: take a fair share of the global queue (at most max when
 * max > 0), return one G and put the rest on pp's ring. sched.lock must be
 * held. */
struct g *globrunqget(struct p *pp, int32_t max)
{
	assertLockHeld(&sched.lock);
	if (sched.runqsize == 0)
		return NULL;
	int32_t n = sched.runqsize / gomaxprocs + 1;
	if (n > sched.runqsize)
		n = sched.runqsize;
	if (max > 0 && n > max)
		n = max;
	if (n > RUNQ_SIZE / 2)
		n = RUNQ_SIZE / 2;
	a_store_relaxed(&sched.runqsize, sched.runqsize - n);

	struct g *gp = gring_pop(&sched.runq);
	while (--n > 0)
		runqput(pp, gring_pop(&sched.runq), false);
	return gp;
}
