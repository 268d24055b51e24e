/* select, after select.go's selectgo: cases polled in a random order (a
 * per-M fastrand shuffle), channels locked in address order (heap sort, as
 * Go), then pass 1 takes any ready case, pass 2 enqueues a sudog on every
 * channel and parks, pass 3 dequeues from the cases that lost. A timeout is
 * a timer that competes for the wake-up through g->selectDone. */
#include "chan.h"
#include "platform.h"

enum { SELECT_MAX_CASES = 1 << 16, SELECT_STACK_CASES = 64 };

struct selstate {
	goro_case *cases;
	uint16_t *lockorder;
	int n;                   /* cases with a channel, the length of lockorder */
};

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

/* The timer's f: claim the wake-up unless a channel got there first. */
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
 * is read first, and gp is not touched after addtimer. */
static bool selparkcommit(struct g *gp, void *arg)
{
	struct timer *t = arg;
	struct sudog *list = gp->waiting;
	if (t != NULL)
		addtimer(t);
	struct hchan *lastc = NULL;
	for (struct sudog *sg = list; sg != NULL; sg = sg->waitlink) {
		if (sg->c != lastc && lastc != NULL)
			unlock(&lastc->lock);
		lastc = sg->c;
	}
	if (lastc != NULL)
		unlock(&lastc->lock);
	return true;
}

static bool is_send(const goro_case *cas)
{
	return cas->dir == GORO_SEND;
}

/* Heap sort of the case indices by channel address (Go's lock order). */
static void sort_lockorder(goro_case *cases, const uint16_t *pollorder, uint16_t *lockorder, int n)
{
#define KEY(i) ((uintptr_t)cases[lockorder[i]].chan)
	for (int i = 0; i < n; i++) {
		int j = i;
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
}

/* Out of memory halfway through pass 2: take the n sudogs queued so far (in
 * lock order, on gp->waiting) back off their channels, as chanpark gives up
 * before it queues. Every channel is still locked, so no peer has seen them. */
static void selunqueue(struct selstate *s, struct g *gp, int n)
{
	struct sudog *sg = gp->waiting;
	for (int i = 0; i < n; i++) {
		goro_case *k = &s->cases[s->lockorder[i]];
		struct hchan *c = hchan_of(k->chan);
		waitq_dequeue_sudog(is_send(k) ? &c->sendq : &c->recvq, sg);
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

	/* Shuffle the cases with a channel into pollorder (inside-out
	 * Fisher-Yates); NULL channels are never ready and drop out. */
	int norder = 0;
	for (int i = 0; i < ncases; i++) {
		if (cases[i].chan == NULL)
			continue;
		int j = (int)((uint64_t)fastrand() * (uint32_t)(norder + 1) >> 32);
		pollorder[norder] = pollorder[j];
		pollorder[j] = (uint16_t)i;
		norder++;
	}
	sort_lockorder(cases, pollorder, lockorder, norder);
	struct selstate s = { cases, lockorder, norder };

	sellock(&s);

	/* pass 1: look for something already waiting, in poll order. */
	int casi = -1;
	goro_case *cas = NULL;
	struct hchan *c = NULL;
	struct sudog *sg;
	for (int i = 0; i < norder; i++) {
		casi = pollorder[i];
		cas = &cases[casi];
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
		c = hchan_of(cas->chan);
		sg = acquireSudog();
		if (sg == NULL) {
			selunqueue(&s, gp, i);
			selunlock(&s);
			return GORO_NOMEM;
		}
		sg->g = gp;
		sg->isSelect = true;
		sg->elem = cas->elem;
		sg->c = c;
		*nextp = sg;
		nextp = &sg->waitlink;
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
	gopark(gp, selparkcommit, tp, norder == 0 && tp == NULL ? waitReasonSelectNoCases : waitReasonSelect);

	/* Woken by one channel, or by the timer (param NULL). Disarm the timer
	 * and wait out a select_timeout under way before selectDone is reset,
	 * or a late one could wake the next select; t is on this frame. */
	if (tp != NULL) {
		deltimer(tp);
		timerwait(tp);
	}
	sellock(&s);
	a_store(&gp->selectDone, 0);
	struct sudog *winner = gp->param;
	gp->param = NULL;

	/* pass 3: dequeue from the unsuccessful channels; the winner's sudog
	 * was already dequeued by whoever woke us. */
	casi = -1;
	cas = NULL;
	bool success = false;
	struct sudog *sglist = gp->waiting;
	for (struct sudog *sg1 = gp->waiting; sg1 != NULL; sg1 = sg1->waitlink) {
		sg1->isSelect = false;
		sg1->elem = NULL;
		sg1->c = NULL;
	}
	gp->waiting = NULL;
	for (int i = 0; i < norder; i++) {
		goro_case *k = &cases[lockorder[i]];
		if (sglist == winner) {
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
	selunlock(&s);
	if (cas == NULL) {
		if (winner == NULL && tp != NULL)
			return GORO_TIMEOUT;
		throw("selectgo: bad wakeup");
	}
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
static bool case_ok(const goro_case *cas)
{
	if (cas->dir != GORO_RECV && cas->dir != GORO_SEND)
		return false;
	if (cas->chan == NULL)
		return true;
	const struct hchan *c = hchan_of(cas->chan);
	return chan_valid(c) && (cas->dir == GORO_RECV || cas->elem != NULL || c->elemsize == 0);
}

int goro_select(goro_case *cases, size_t n, int64_t timeout_ns)
{
	if ((n > 0 && cases == NULL) || n > SELECT_MAX_CASES)
		return GORO_INVAL;

	/* One case and no timer is a plain send or receive, as Go's compiler
	 * makes of it (selectnbsend, selectnbrecv, or the blocking forms). */
	if (n == 1 && cases[0].chan != NULL && timeout_ns <= 0) {
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

	for (size_t i = 0; i < n; i++)
		if (!case_ok(&cases[i]))
			return GORO_INVAL;

	uint16_t stack_order[2 * SELECT_STACK_CASES];
	uint16_t *order = stack_order;
	if (n > SELECT_STACK_CASES) {
		order = rtmalloc(2 * n * sizeof *order);
		if (order == NULL)
			return GORO_NOMEM;
	}
	int r = selectgo(cases, order, (int)n, timeout_ns);
	if (order != stack_order)
		rtfree(order, 2 * n * sizeof *order);
	return r;
}
