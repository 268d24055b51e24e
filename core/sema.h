/* Semaphores and notify lists (sema.go), laid over the private fields of
 * goro.h's sync types, shared by sema.c and sync.c. */
#ifndef GORO_SEMA_H
#define GORO_SEMA_H

#include <stddef.h>
#include "runtime2.h"
#include "goro.h"

/* A semaphore that queues its own waiters, where Go hashes the address
 * into a global table (golang/go#38420: a bottleneck with many objects).
 * Everything is under lock, the acquire fast path included: a waiter can
 * then never take a permit and return (and free the object) while a
 * releaser is still inside it; the releaser's last touch is its unlock. */
struct sema {
	uint32_t count;            /* permits, under lock */
	uint32_t lock;             /* a bare lock word: semlock, lockRankSema */
	struct sudog *head, *tail; /* waiters, under lock */
};
_Static_assert(sizeof(struct sema) == sizeof(struct goro_sema_private), "sema layout");
_Static_assert(offsetof(struct sema, lock) == offsetof(struct goro_sema_private, lock_), "sema layout");
_Static_assert(offsetof(struct sema, head) == offsetof(struct goro_sema_private, head_), "sema layout");

/* semacquire1: take a permit, parking until one is handed over. lifo puts
 * the waiter at the head (a mutex waiter that already waited once). */
void semacquire(struct sema *s, bool lifo);

/* semrelease1: release n permits, each straight to a waiter if any. With
 * handoff, a goroutine yields its P so the woken waiter runs at once. */
void semrelease(struct sema *s, uint32_t n, bool handoff);

/* notifyList, for goro_cond: tickets handed out by wait, consumed in order
 * by notify. Layout of goro_cond. */
struct notifyList {
	uint32_t wait;             /* atomic: next ticket */
	uint32_t notify;           /* atomic: next ticket to notify; written under lock */
	uint32_t lock;             /* a bare lock word: nllock, lockRankNotifyList */
	uint32_t pad;
	struct sudog *head, *tail; /* under lock */
};
_Static_assert(sizeof(struct notifyList) == sizeof(goro_cond), "notifyList layout");
_Static_assert(offsetof(struct notifyList, head) == offsetof(goro_cond, head_), "notifyList layout");

uint32_t notifyListAdd(struct notifyList *l);
void notifyListWait(struct notifyList *l, uint32_t t);
void notifyListNotifyOne(struct notifyList *l);
void notifyListNotifyAll(struct notifyList *l);

#endif
