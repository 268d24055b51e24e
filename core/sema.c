/* Parking primitives under the sync types, after sema.go: semacquire1,
 * semrelease1 and the notifyList functions, with each object's waiters
 * queued in the object itself (sema.h says why). */
#include "sema.h"

/* The lock words live in goro.h's zeroed public types, so they carry no
 * rank of their own (runtime2.h): each kind names its rank here. */
static void semlock(struct sema *s) { lockWithRank(&s->lock, lockRankSema); }
static void semunlock(struct sema *s) { unlockWithRank(&s->lock, lockRankSema); }
static void nllock(struct notifyList *l) { lockWithRank(&l->lock, lockRankNotifyList); }
static void nlunlock(struct notifyList *l) { unlockWithRank(&l->lock, lockRankNotifyList); }

static bool semparkcommit(struct g *gp, void *s)
{
	(void)gp;
	semunlock(s);
	return true;
}

static bool notifyparkcommit(struct g *gp, void *l)
{
	(void)gp;
	nlunlock(l);
	return true;
}

void semacquire(struct sema *s, bool lifo)
{
	semlock(s);
	if (s->count > 0) {
		s->count--;
		semunlock(s);
		return;
	}
	struct g standin;
	struct g *gp = getg_or(&standin);
	struct sudog *sg = acquireSudog();
	if (sg == NULL)
		throw("semacquire: out of memory");
	sg->g = gp;
	sg->ticket = 0;
	if (s->head == NULL) {
		s->head = s->tail = sg;
	} else if (lifo) {
		sg->next = s->head;
		s->head->prev = sg;
		s->head = sg;
	} else {
		sg->prev = s->tail;
		s->tail->next = sg;
		s->tail = sg;
	}
	gopark(gp, semparkcommit, s, waitReasonSemacquire);
	/* Only semrelease wakes us, having dequeued us and handed us the permit. */
	if (sg->ticket != 1)
		throw("semacquire: woken without a permit");
	sg->ticket = 0;
	releaseSudog(sg);
}

void semrelease(struct sema *s, uint32_t n, bool handoff)
{
	struct sudog *woken = NULL, **tailp = &woken;

	semlock(s);
	while (n > 0 && s->head != NULL) {
		struct sudog *sg = s->head;
		s->head = sg->next;
		if (s->head != NULL)
			s->head->prev = NULL;
		else
			s->tail = NULL;
		sg->next = sg->prev = NULL;
		sg->ticket = 1;
		*tailp = sg;
		tailp = &sg->waitlink;
		n--;
	}
	s->count += n;
	semunlock(s);

	/* From here on s may be gone: the waiters own their sudogs. */
	bool any = woken != NULL;
	while (woken != NULL) {
		struct sudog *sg = woken;
		struct g *gp = sg->g;
		woken = sg->waitlink;
		sg->waitlink = NULL;
		goready(gp);
	}
	if (handoff && any)
		goyield();
}

/* notifyListAdd: a ticket, taken before the caller unlocks its mutex. */
uint32_t notifyListAdd(struct notifyList *l)
{
	/* seq_cst as Go's Xadd: the ticket is taken under the caller's mutex,
	 * so any notify that comes after the caller's unlock sees it */
	return a_xadd(&l->wait, 1) - 1;
}

/* notifyListWait: sleep until ticket t has been notified. */
void notifyListWait(struct notifyList *l, uint32_t t)
{
	nllock(l);
	if ((int32_t)(t - l->notify) < 0) {   /* already notified */
		nlunlock(l);
		return;
	}
	struct g standin;
	struct g *gp = getg_or(&standin);
	struct sudog *sg = acquireSudog();
	if (sg == NULL)
		throw("notifyListWait: out of memory");
	sg->g = gp;
	sg->ticket = t;
	if (l->tail == NULL)
		l->head = sg;
	else
		l->tail->next = sg;
	l->tail = sg;
	gopark(gp, notifyparkcommit, l, waitReasonSemacquire);
	sg->ticket = 0;
	releaseSudog(sg);
}

/* notifyListNotifyAll */
void notifyListNotifyAll(struct notifyList *l)
{
	/* Go's fast path: no ticket since the last notify. seq_cst as Go's,
	 * where any order would do: a waiter whose notifyListAdd happens
	 * before this call is seen; one racing it may be missed, as in Go. */
	if (a_load(&l->wait) == a_load(&l->notify))
		return;
	nllock(l);
	struct sudog *sg = l->head;
	l->head = l->tail = NULL;
	/* notify is written under the lock (notifyListWait reads it there);
	 * atomic for the fast paths' unlocked look */
	a_store(&l->notify, a_load(&l->wait));
	nlunlock(l);
	while (sg != NULL) {
		struct sudog *next = sg->next;
		struct g *gp = sg->g;
		sg->next = NULL;
		goready(gp);
		sg = next;
	}
}

/* notifyListNotifyOne: wake the holder of the oldest unnotified ticket, if
 * it is already waiting; if it is not yet, its wait will return at once. */
void notifyListNotifyOne(struct notifyList *l)
{
	if (a_load(&l->wait) == a_load(&l->notify))   /* the fast path, as NotifyAll's */
		return;
	nllock(l);
	uint32_t t = l->notify;
	if (t == a_load(&l->wait)) {
		nlunlock(l);
		return;
	}
	a_store(&l->notify, t + 1);   /* under the lock, as NotifyAll's */
	for (struct sudog *p = NULL, *sg = l->head; sg != NULL; p = sg, sg = sg->next) {
		if (sg->ticket == t) {
			struct sudog *n = sg->next;
			if (p != NULL)
				p->next = n;
			else
				l->head = n;
			if (n == NULL)
				l->tail = p;
			nlunlock(l);
			struct g *gp = sg->g;
			sg->next = NULL;
			goready(gp);
			return;
		}
	}
	nlunlock(l);
}
