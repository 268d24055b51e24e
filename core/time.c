/* Timers and sysmon: one 4-ary min-heap of timers under one lock (time.go's
 * heap discipline: siftupTimer, siftdownTimer, with Go 1.9's single heap
 * rather than 1.14's per-P heaps) and goro_sleep (timeSleep).
 *
 * Who runs timers: every M checks for due timers at each findrunnable; an M
 * with nothing to run sleeps only until the earliest timer (proc.c); sysmon
 * runs overdue ones if nobody else did. A timer's f runs with no lock held. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

enum { timerNone, timerWaiting, timerRunning };

/* The heap, under timers.lock (after hchan locks, before heap locks). */
static struct {
	struct mutex lock;
	struct timer **heap;
	uint32_t len, cap;
	int64_t when0;          /* atomic: heap[0]->when, or 0 when empty */
	uint32_t nrunning;      /* atomic: timers popped whose f has not returned */
} timers;

static void heap_set(uint32_t i, struct timer *t)
{
	timers.heap[i] = t;
	t->heapidx = (int32_t)i;
}

/* siftupTimer */
static void siftup(uint32_t i)
{
	struct timer *t = timers.heap[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 4;
		if (t->when >= timers.heap[p]->when)
			break;
		heap_set(i, timers.heap[p]);
		i = p;
	}
	heap_set(i, t);
}

/* siftdownTimer */
static void siftdown(uint32_t i)
{
	uint32_t n = timers.len;
	struct timer *t = timers.heap[i];
	for (;;) {
		uint32_t c = i * 4 + 1, best = i;
		int64_t w = t->when;
		for (uint32_t k = c; k < c + 4 && k < n; k++) {
			if (timers.heap[k]->when < w) {
				w = timers.heap[k]->when;
				best = k;
			}
		}
		if (best == i)
			break;
		heap_set(i, timers.heap[best]);
		i = best;
	}
	heap_set(i, t);
}

static void update_when0(void)
{
	a_store(&timers.when0, timers.len > 0 ? timers.heap[0]->when : 0);
}

static bool heap_grow(void)
{
	uint32_t ncap = timers.cap == 0 ? 64 : timers.cap * 2;
	struct timer **nh = rtmalloc(ncap * sizeof *nh);
	if (nh == NULL)
		return false;
	if (timers.len > 0)
		memcpy(nh, timers.heap, timers.len * sizeof *nh);
	rtfree(timers.heap, timers.cap * sizeof *nh);
	timers.heap = nh;
	timers.cap = ncap;
	return true;
}

/* addtimer: arm t for t->when. Returns true when t is now the earliest
 * timer, in which case the caller must timer_poke(t->when) once it holds no
 * locks, so that a sleeping M wakes for it. */
bool addtimer(struct timer *t)
{
	lock(&timers.lock);
	if (timers.len == timers.cap && !heap_grow())
		throw("addtimer: out of memory");
	a_store(&t->status, timerWaiting);
	heap_set(timers.len++, t);
	siftup((uint32_t)t->heapidx);
	bool first = timers.heap[0] == t;
	update_when0();
	unlock(&timers.lock);
	return first;
}

static void heap_remove(uint32_t i)
{
	uint32_t last = --timers.len;
	if (i != last) {
		heap_set(i, timers.heap[last]);
		siftdown(i);
		siftup(i);
	}
	update_when0();
}

/* deltimer: disarm t. If its f is running right now, wait until it is done,
 * so that on return the owner may reuse or free t. */
bool deltimer(struct timer *t)
{
	bool removed = false;
	lock(&timers.lock);
	if (t->heapidx >= 0) {
		heap_remove((uint32_t)t->heapidx);
		t->heapidx = -1;
		a_store(&t->status, timerNone);
		removed = true;
	}
	unlock(&timers.lock);
	while (a_load(&t->status) == timerRunning)
		plat_osyield();
	return removed;
}

int64_t timer_next(void)
{
	return a_load(&timers.when0);
}

/* A deadline ns from now; "forever" rather than a wrapped past. */
int64_t when_after(int64_t ns)
{
	int64_t now = plat_nanotime();
	return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

/* For checkdead: a timer armed, or one whose f (a goready) is under way. */
bool timers_pending(void)
{
	return a_load(&timers.when0) != 0 || a_load(&timers.nrunning) != 0;
}

/* runtimer, for every timer due: pop it, run f unlocked, mark it done. */
void checktimers(void)
{
	int64_t next = a_load(&timers.when0);
	if (next == 0)
		return;
	int64_t now = plat_nanotime();
	if (next > now)
		return;
	lock(&timers.lock);
	while (timers.len > 0 && timers.heap[0]->when <= now) {
		struct timer *t = timers.heap[0];
		a_xadd(&timers.nrunning, 1);   /* before when0 can read empty */
		heap_remove(0);
		t->heapidx = -1;
		a_store(&t->status, timerRunning);
		unlock(&timers.lock);
		t->f(t->arg);
		a_store(&t->status, timerNone);   /* after this, t may be gone */
		a_xadd(&timers.nrunning, (uint32_t)-1);
		lock(&timers.lock);
	}
	unlock(&timers.lock);
}

static void goready_timer(void *arg)
{
	goready(arg);
}

/* resetForSleep: arm the sleep timer only once the goroutine is parked, so
 * that its goready cannot come first. Once armed, t may fire and the sleeper
 * return at once, so t is not read after addtimer. */
static bool sleep_arm(struct g *gp, void *arg)
{
	(void)gp;
	struct timer *t = arg;
	int64_t when = t->when;
	if (addtimer(t))
		timer_poke(when);
	return true;
}

/* timeSleep */
void goro_sleep(int64_t ns)
{
	if (ns <= 0)
		return;
	struct g standin;
	struct g *gp = getg_or(&standin);
	struct timer t = { .when = when_after(ns), .f = goready_timer, .arg = gp, .heapidx = -1 };
	gopark(gp, sleep_arm, &t, waitReasonSleep);
	deltimer(&t);   /* waits out the tail of goready_timer */
}
