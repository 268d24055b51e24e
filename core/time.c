/* Timers: one 4-ary min-heap of timers under one lock (time.go's heap
 * discipline: siftupTimer, siftdownTimer, with Go 1.9's single heap rather
 * than 1.14's per-P heaps), the internal timer API (CONTRACT.md) and
 * goro_sleep (timeSleep).
 *
 * Who runs timers: every M checks for due timers at each findrunnable; an M
 * with nothing to run sleeps only until the earliest timer (proc.c); sysmon
 * runs overdue ones if nobody else did. A timer's f runs with no lock held. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

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

/* A when in the past stays in the past, but 0 means "no timer" to when0. */
static int64_t clamp_when(int64_t when)
{
	return when > 0 ? when : 1;
}

/* Put t in the heap; timers.lock held. True if t is now the earliest. */
static bool heap_add(struct timer *t)
{
	if (timers.len == timers.cap && !heap_grow())
		throw("addtimer: out of memory");
	t->when = clamp_when(t->when);
	t->armed = 1;
	heap_set(timers.len++, t);
	siftup((uint32_t)t->heapidx);
	update_when0();
	return timers.heap[0] == t;
}

/* addtimer: arm t for t->when, which must not be armed already. A caller
 * may hold channel locks (selparkcommit): wakeNetPoller takes only
 * sched.lock and futexes. */
void addtimer(struct timer *t)
{
	lock(&timers.lock);
	if (t->armed)
		throw("addtimer called with initialized timer");
	int64_t when = clamp_when(t->when);
	bool first = heap_add(t);
	unlock(&timers.lock);
	if (first)
		wakeNetPoller(when);
}

/* deltimer: disarm t. True if t was armed, so that f will not run for
 * this arming. Never waits for a running f, which may itself be the caller
 * or wait for a lock the caller holds (golang/go#35532): before freeing t
 * its owner calls timerwait. */
bool deltimer(struct timer *t)
{
	bool removed = false;
	lock(&timers.lock);
	if (t->armed) {
		heap_remove((uint32_t)t->heapidx);
		t->armed = 0;
		removed = true;
	}
	unlock(&timers.lock);
	return removed;
}

/* modtimer: re-arm t with new fields, armed or not, running or not. A
 * running f keeps the arg and seq it was called with; seq is how its owner
 * tells a stale call from a current one. True if t was pending. */
bool modtimer(struct timer *t, int64_t when, int64_t period,
              void (*f)(void *, uintptr_t), void *arg, uintptr_t seq)
{
	lock(&timers.lock);
	bool pending = t->armed != 0;
	if (pending) {
		heap_remove((uint32_t)t->heapidx);
		t->armed = 0;
	}
	t->when = when;
	t->period = period;
	t->f = f;
	t->arg = arg;
	t->seq = seq;
	when = clamp_when(when);
	bool first = heap_add(t);
	unlock(&timers.lock);
	if (first)
		wakeNetPoller(when);
	return pending;
}

/* timerwait: return once no call of t's f is under way. The runner's
 * decrement is its last touch of t, so after this the owner may free it.
 * Never from t's own f, which would wait for itself. */
void timerwait(struct timer *t)
{
	/* acquire: pairs with the runner's seq_cst decrement, so that what f
	 * wrote is visible to the owner that frees t */
	while (a_load_acq(&t->nrunning) != 0)
		plat_osyield();
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

/* runtimer, for every timer due: pop it (re-arm it if periodic), run f
 * unlocked, and count the call in t->nrunning meanwhile. */
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
		/* Under the lock, so that deltimer's caller, seeing t disarmed,
		 * sees this call in t->nrunning too. */
		a_xadd(&t->nrunning, 1);
		void (*f)(void *, uintptr_t) = t->f;
		void *arg = t->arg;
		uintptr_t seq = t->seq;
		if (t->period > 0) {
			/* Skip the periods missed: the next tick after now. */
			int64_t w = t->when + t->period * (1 + (now - t->when) / t->period);
			t->when = w < t->when ? INT64_MAX : w;
			siftdown(0);
			update_when0();
		} else {
			heap_remove(0);
			t->armed = 0;
		}
		unlock(&timers.lock);
		f(arg, seq);
		a_xadd(&t->nrunning, (uint32_t)-1);   /* after this, t may be gone */
		a_xadd(&timers.nrunning, (uint32_t)-1);
		lock(&timers.lock);
	}
	unlock(&timers.lock);
}

static void goready_timer(void *arg, uintptr_t seq)
{
	(void)seq;
	goready(arg);
}

/* resetForSleep: arm the sleep timer only once the goroutine is parked, so
 * that its goready cannot come first. Once armed, t may fire and the sleeper
 * return at once, so t is not read after addtimer. */
static bool sleep_arm(struct g *gp, void *arg)
{
	(void)gp;
	addtimer(arg);
	return true;
}

/* timeSleep. A thread the runtime does not own sleeps on the OS clock: no
 * timer of ours could wake it before goro_main started or after it
 * returned, and holding that thread is what it asked for. */
void goro_sleep(int64_t ns)
{
	if (ns <= 0)
		return;
	struct g standin;
	struct g *gp = getg_or(&standin);
	if (gp->foreign) {
		int64_t until = when_after(ns), now;
		uint32_t never = 0;
		while ((now = plat_nanotime()) < until)
			plat_futex_wait(&never, 0, until - now);
		return;
	}
	struct timer t = { .when = when_after(ns), .f = goready_timer, .arg = gp };
	gopark(gp, sleep_arm, &t, waitReasonSleep);
	deltimer(&t);
	timerwait(&t);   /* the tail of goready_timer may still be running */
}
