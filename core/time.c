/* Timers: per-P 4-ary min-heaps of timers (Go 1.14+ time.go: siftupTimer,
 * siftdownTimer, doaddtimer, runtimer's re-arming of periodic timers), the
 * internal timer API of CONTRACT.md, and goro_sleep (timeSleep). The
 * invariants are written once, at struct timer in runtime2.h.
 *
 * Who runs timers: findRunnable runs its own P's due timers (checkTimers),
 * and other Ps' in stealWork and at every 61st schedule (checkTimersOthers),
 * so the timers of a P that is idle, or held by a goroutine that does not
 * yield, do not wait for it; the one M sleeping for timers (proc.c) sleeps
 * until the earliest of all Ps; sysmon only starts an M for timers overdue.
 * f runs with no lock held. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

/* siftupTimer. The heap holds each timer's when beside its pointer (Go
 * 1.23's timerWhen): timers sit on goroutine stacks, a page each, so a
 * sift that read t->when would take a cache and TLB miss per comparison. */
static void siftupTimer(struct timerWhen *h, uint32_t i)
{
	struct timerWhen tw = h[i];
	while (i > 0) {
		uint32_t p = (i - 1) / 4;
		if (tw.when >= h[p].when)
			break;
		h[i] = h[p];
		h[i].t->heapidx = (int32_t)i;
		i = p;
	}
	h[i] = tw;
	tw.t->heapidx = (int32_t)i;
}

/* siftdownTimer */
static void siftdownTimer(struct timerWhen *h, uint32_t n, uint32_t i)
{
	struct timerWhen tw = h[i];
	for (;;) {
		uint32_t c = i * 4 + 1, best = i;
		int64_t w = tw.when;
		for (uint32_t k = c; k < c + 4 && k < n; k++) {
			if (h[k].when < w) {
				w = h[k].when;
				best = k;
			}
		}
		if (best == i)
			break;
		h[i] = h[best];
		h[i].t->heapidx = (int32_t)i;
		i = best;
	}
	h[i] = tw;
	tw.t->heapidx = (int32_t)i;
}

/* updateTimer0When; pp->timersLock held. seq_cst: an arming stores it and
 * then looks for a sleeping M (wakeNetPoller), while an M about to sleep
 * publishes that and then reads every P's (timeSleepUntil): one of the two
 * must see the other. */
static void updateTimer0When(struct p *pp)
{
	a_store(&pp->timer0When, pp->numTimers > 0 ? pp->timers[0].when : 0);
}

/* A when in the past stays in the past, but 0 means "no timer" to timer0When. */
static int64_t clamp_when(int64_t when)
{
	return when > 0 ? when : 1;
}

_Static_assert(_Alignof(struct p) > TIMER_CLAIMED, "the claim bit is free in a P's address");

/* The P in an armed t->pp, with or without its claim bit. */
static struct p *timer_pp(struct p *v)
{
	return (struct p *)((uintptr_t)v & ~TIMER_CLAIMED);
}

static struct p *timer_claimed(struct p *pp)
{
	return (struct p *)((uintptr_t)pp | TIMER_CLAIMED);
}

/* Take the claim bit of t, armed on pp, whose timersLock we hold: a
 * lock-free modtimer may have it for the few instructions it writes t's
 * fields in (Go 1.19's timerModifying, which runtimer and deltimer wait
 * out the same way). seq_cst CAS: acquires that modtimer's release of the
 * bit, so we read the fields it wrote. Released by a release store of the
 * next t->pp (pp, or NULL in dodeltimer). */
static void timer_claim_armed(struct p *pp, struct timer *t)
{
	for (int i = 0; !a_cas(&t->pp, pp, timer_claimed(pp)); i++) {
		if (i < 10)
			arch_procyield(10);
		else
			plat_osyield();
	}
}

/* doaddtimer: put t, claimed (TIMER_BUSY), on pp's heap; pp->timersLock
 * held. True if t is now pp's earliest. */
static bool doaddtimer(struct p *pp, struct timer *t)
{
	if (pp->numTimers == pp->timerscap) {
		uint32_t ncap = pp->timerscap == 0 ? 64 : pp->timerscap * 2;
		struct timerWhen *nh = rtmalloc(ncap * sizeof *nh);
		if (nh == NULL)
			throw("addtimer: out of memory");
		if (pp->numTimers > 0)
			memcpy(nh, pp->timers, pp->numTimers * sizeof *nh);
		rtfree(pp->timers, pp->timerscap * sizeof *nh);
		pp->timers = nh;
		pp->timerscap = ncap;
	}
	uint32_t i = pp->numTimers++;
	pp->timers[i] = (struct timerWhen){ t, t->when };
	siftupTimer(pp->timers, i);
	/* release: a deltimer or modtimer that reads pp here and then takes
	 * its lock finds t on the heap; the lock orders the rest */
	a_store_rel(&t->pp, pp);
	if (t->heapidx != 0)
		return false;
	updateTimer0When(pp);
	return true;
}

/* dodeltimer: take the timer at i, whose claim bit we hold, off pp's
 * heap; pp->timersLock held. Release: a modtimer that sees NULL and claims
 * t then writes t's fields, after our last read of them. */
static void dodeltimer(struct p *pp, uint32_t i)
{
	struct timer *t = pp->timers[i].t;
	uint32_t last = --pp->numTimers;
	if (i != last) {
		pp->timers[i] = pp->timers[last];
		pp->timers[i].t->heapidx = (int32_t)i;
		siftdownTimer(pp->timers, last, i);
		siftupTimer(pp->timers, i);
	}
	pp->timers[last] = (struct timerWhen){ NULL, 0 };
	a_store_rel(&t->pp, NULL);
	if (i == 0)   /* the moved timer was no earlier than the root */
		updateTimer0When(pp);
}

/* The P a new timer goes on: the current one, as Go; a thread without a P
 * (a foreign thread, an M in a blocking call) picks one at random, whose
 * due timers are run by whoever steals them if it stays idle. */
static struct p *timer_p(void)
{
	struct m *mp = getm();
	if (mp != NULL && mp->p != NULL)
		return mp->p;
	if (gomaxprocs == 0)
		throw("addtimer: before goro_main");
	return allp[fastrand() % (uint32_t)gomaxprocs];
}

/* Claim an unarmed t for arming: NULL -> TIMER_BUSY. False if it is armed.
 * A racing claimer of the same t waits here the few instructions the
 * holder needs to put it on a heap. */
static bool timer_claim(struct timer *t)
{
	for (;;) {
		struct p *pp = a_load_acq(&t->pp);
		if (pp == TIMER_BUSY) {
			plat_osyield();
			continue;
		}
		if (pp != NULL)
			return false;
		/* seq_cst CAS: acquires the NULL store of the last disarming,
		 * so our writes to t's fields come after its reads of them */
		if (a_cas(&t->pp, (struct p *)NULL, TIMER_BUSY))
			return true;
	}
}

/* Put a claimed t on the current P's heap and wake a sleeping M for it if
 * it is that P's earliest now. The caller may hold channel locks
 * (selparkcommit): wakeNetPoller takes only sched.lock and futexes. */
static void timer_arm(struct timer *t)
{
	int64_t when = t->when = clamp_when(t->when);
	struct p *pp = timer_p();
	lock(&pp->timersLock);
	bool first = doaddtimer(pp, t);
	unlock(&pp->timersLock);
	if (first)
		wakeNetPoller(when);
}

/* addtimer: arm t, which must not be armed already, for t->when. */
void addtimer(struct timer *t)
{
	if (!timer_claim(t))
		throw("addtimer called with initialized timer");
	timer_arm(t);
}

/* Lock the P whose heap holds t and return it, or return NULL (t not armed)
 * with no lock held. */
static struct p *lock_timer_p(struct timer *t)
{
	for (;;) {
		/* acquire, for the pp it names; the lock and the re-check
		 * under it are what make the answer true. The claim bit does
		 * not change which P holds t. */
		struct p *pp = a_load_acq(&t->pp);
		if (pp == NULL)
			return NULL;
		if (pp == TIMER_BUSY) {
			plat_osyield();
			continue;
		}
		pp = timer_pp(pp);
		lock(&pp->timersLock);
		if (timer_pp(a_load_relaxed(&t->pp)) == pp)
			return pp;
		unlock(&pp->timersLock);
	}
}

/* deltimer: disarm t. True if t was armed, so that f will not run for that
 * arming. Never waits for a running f, which may be the caller itself or
 * wait for a lock the caller holds (golang/go#35532): before freeing t its
 * owner calls timerwait. */
bool deltimer(struct timer *t)
{
	struct p *pp = lock_timer_p(t);
	if (pp == NULL)
		return false;
	timer_claim_armed(pp, t);
	dodeltimer(pp, (uint32_t)t->heapidx);
	unlock(&pp->timersLock);
	return true;
}

/* modtimer: re-arm t with new fields, armed or not, running or not. An
 * armed t is changed in place on its P's heap; an unarmed one goes on the
 * current P. A running f keeps the arg and seq it was called with: seq is
 * how its owner tells a stale call from a current one. True if t was
 * pending.
 *
 * A later when on an armed t takes no lock (Go 1.19's timerModifiedLater):
 * t keeps its heap slot, whose when is now earlier than t->when, and
 * checkTimers moves it when that slot comes due. Never early: t fires only
 * from a slot whose when is t->when. */
bool modtimer(struct timer *t, int64_t when, int64_t period,
              void (*f)(void *, uintptr_t), void *arg, uintptr_t seq)
{
	when = clamp_when(when);
	struct p *v = a_load_relaxed(&t->pp);   /* a guess: the CAS decides */
	if (v != NULL && v != TIMER_BUSY && v == timer_pp(v) &&
	    a_cas(&t->pp, v, timer_claimed(v))) {
		/* seq_cst CAS: acquires the fields as the last holder of the
		 * claim (a fire's re-arm, another modtimer) left them */
		if (when >= t->when) {
			t->period = period;
			t->f = f;
			t->arg = arg;
			t->seq = seq;
			t->when = when;
			/* release: the next claimer reads what we wrote */
			a_store_rel(&t->pp, v);
			return true;
		}
		a_store_rel(&t->pp, v);   /* earlier: its slot must move, under the lock */
	}
	for (;;) {
		struct p *pp = lock_timer_p(t);
		if (pp != NULL) {
			timer_claim_armed(pp, t);
			t->period = period;
			t->f = f;
			t->arg = arg;
			t->seq = seq;
			t->when = when;
			uint32_t i = (uint32_t)t->heapidx;
			int64_t old = pp->timers[i].when;
			pp->timers[i].when = when;
			if (when < old)
				siftupTimer(pp->timers, i);
			else
				siftdownTimer(pp->timers, pp->numTimers, i);
			bool first = pp->timers[0].t == t;
			if (first || i == 0)
				updateTimer0When(pp);
			a_store_rel(&t->pp, pp);   /* release the claim */
			unlock(&pp->timersLock);
			if (first && when < old)
				wakeNetPoller(when);
			return true;
		}
		if (timer_claim(t))
			break;
		/* armed meanwhile by another modtimer: modify that arming */
	}
	t->period = period;
	t->f = f;
	t->arg = arg;
	t->seq = seq;
	t->when = when;
	timer_arm(t);
	return false;
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

/* A clock for deadlines that is never behind plat_nanotime and at most a
 * few microseconds ahead, for less than the vDSO's clock_gettime costs (a
 * Reset or a sleep reads the clock once: on a VM the call is most of a
 * Reset). Not in Go, whose when() reads nanotime.
 *
 * From the last base pair (tsc, ns), ns read just after tsc, the estimate
 * is ns + (now's ticks - tsc) * mult + FC_SLACK_NS, where mult is the ns
 * per tick measured once, made larger by 1/512 (2,000 ppm: CLOCK_MONOTONIC
 * is the same counter scaled, and NTP slews that scale by at most 500 ppm).
 * It is used only for FC_WINDOW_NS after its base; then plat_nanotime is
 * read and becomes the base. While that rate bound holds the estimate is
 * never early (FC_SLACK_NS covers counter skew between CPUs and a read a
 * few instructions early). Should it fail (the counter slowed, another
 * CPU's lags, the rate was mismeasured), the next base read in a quick
 * pair shows it: the estimate it replaces fell short, and the estimate is
 * turned off for good, after at most one window of early deadlines. */
enum {
	FC_SLACK_NS = 1000,         /* counter skew between CPUs, its read a few instructions early */
	FC_WINDOW_NS = 250000,
	FC_CAL_NS = 10000000,       /* calibrate over at least this */
	FC_QUICK_TICKS = 4096,      /* a pair read with no preemption between */
};
#define FC_OFF UINT64_MAX

static struct {
	uint32_t seq;      /* seqlock over tsc and ns: odd while a base is written */
	uint64_t tsc;      /* the base */
	int64_t ns;
	uint64_t mult;     /* ns per tick << 32 (inflated); 0: not yet measured; FC_OFF */
	uint64_t window;   /* FC_WINDOW_NS in ticks */
	uint64_t cal_tsc;  /* the calibration's first pair */
	int64_t cal_ns;
} fc __attribute__((aligned(CACHE_LINE)));

/* plat_nanotime, and a new base from it. The seqlock's data are written
 * with release stores after the odd seq's CAS and read with acquire loads
 * before the re-check of seq (no fences: TSan has none), so a reader that
 * saw any new datum sees seq changed. */
static int64_t fc_refresh(void)
{
	uint64_t mult = a_load_relaxed(&fc.mult);   /* written only under the seqlock, below */
	if (mult == FC_OFF)
		return plat_nanotime();
	uint64_t t0 = arch_cputicks();
	int64_t now = plat_nanotime();
	uint64_t t1 = arch_cputicks();
	bool quick = t1 - t0 < FC_QUICK_TICKS;
	uint32_t s = a_load_relaxed(&fc.seq);
	if ((s & 1) != 0 || !a_cas(&fc.seq, s, s + 1))
		return now;   /* another thread is writing a base */
	mult = a_load_relaxed(&fc.mult);
	if (mult == 0) {
		int64_t cal_ns = a_load_relaxed(&fc.cal_ns);
		/* CPUID once (a VM exit): before the first sample */
		if (cal_ns == 0 && !arch_cputicks_invariant()) {
			a_store_rel(&fc.mult, FC_OFF);
		} else if (quick) {
			uint64_t cal_tsc = a_load_relaxed(&fc.cal_tsc);
			int64_t dns = now - cal_ns;
			if (cal_ns == 0 || dns > (int64_t)1 << 30 || t0 <= cal_tsc) {
				a_store_relaxed(&fc.cal_ns, now);   /* (re)start: dns << 32 stays in range */
				a_store_relaxed(&fc.cal_tsc, t0);
			} else if (dns >= FC_CAL_NS) {
				uint64_t m = ((uint64_t)dns << 32) / (t0 - cal_tsc);
				m += m / 512 + 1;
				a_store_rel(&fc.window, ((uint64_t)FC_WINDOW_NS << 32) / m);
				a_store_rel(&fc.tsc, t0);
				a_store_rel(&fc.ns, now);
				a_store_rel(&fc.mult, m);
			}
		}
	} else if (mult != FC_OFF) {
		/* What the estimate would say at t1, by when now had been
		 * read: below now, it fell short. Unchecked after a long gap
		 * (no estimate was made from that base since its window). */
		uint64_t base = a_load_relaxed(&fc.tsc);
		uint64_t d = t1 - base;
		if (quick && t1 >= base && d < a_load_relaxed(&fc.window) << 12 &&
		    a_load_relaxed(&fc.ns) + (int64_t)(d * mult >> 32) + FC_SLACK_NS < now)
			a_store_rel(&fc.mult, FC_OFF);
		a_store_rel(&fc.tsc, t0);
		a_store_rel(&fc.ns, now);
	}
	a_store_rel(&fc.seq, s + 2);
	return now;
}

/* A time no earlier than plat_nanotime() now, and at most a few us later. */
static int64_t nanotime_deadline(void)
{
	/* acquire: the seqlock's read side, as Linux's read_seqcount_begin */
	uint32_t s = a_load_acq(&fc.seq);
	uint64_t mult = a_load_acq(&fc.mult);
	if ((s & 1) == 0 && mult != 0 && mult != FC_OFF) {
		uint64_t base = a_load_acq(&fc.tsc);
		int64_t ns = a_load_acq(&fc.ns);
		uint64_t window = a_load_acq(&fc.window);
		uint64_t d = arch_cputicks() - base;
		/* relaxed: the acquire loads above keep it after them */
		if (d < window && a_load_relaxed(&fc.seq) == s)
			return ns + (int64_t)(d * mult >> 32) + FC_SLACK_NS;
	}
	return fc_refresh();
}

/* A deadline ns from now; "forever" rather than a wrapped past. */
int64_t when_after(int64_t ns)
{
	int64_t now = nanotime_deadline();
	return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

/* The ring length at which a checkTimers pass stops and leaves the rest
 * due (see checkTimers). Not in Go, whose pass fires all.
 * A burst of AfterFuncs all due at once would otherwise spawn one goroutine
 * per timer before any of them runs, each taking a fresh G and stack (a
 * first touch of its pages: page faults, most of the cost); stopping lets
 * the first ones run and exit, and the next pass reuses their Gs from the
 * P's free list (GFREE_LOCAL_KEEP of them stay there), warm. */
enum { TIMERS_READY_MAX = 32 };

/* The length of the current P's ring, runnext aside; read by its owner. */
static int32_t runq_len(const struct p *cur)
{
	/* relaxed: the owner's tail; a stealer's head advance only makes the
	 * ring look shorter, so the pass runs a little longer */
	return (int32_t)(a_load_relaxed(&cur->runqtail) - a_load_relaxed(&cur->runqhead));
}

/* checkTimers: run pp's timers due at now (0: read the clock if need be),
 * as Go's checkTimers and runtimer. Called with a P held, pp being it or a
 * victim of stealWork. Nothing due costs one relaxed load and a compare
 * (a stale read is made good by wakeNetPoller, see struct timer). True if
 * any f ran, which may have readied goroutines onto the current P.
 *
 * A pass stops once a fire has lengthened the current P's ring and it holds
 * TIMERS_READY_MAX or more, leaving the rest due. So every pass that has
 * due timers fires until one readies a goroutine here, however long the
 * ring was (a busy P's timers still advance, one per schedule at least),
 * and fires that ready nothing here (sends nobody waits for, stale
 * AfterFuncs, Gs spilled to the global queue) do not stop it. timer0When
 * stays in the past: the next schedule on this P (which has the ring to
 * run first) fires more, direct_next sends every switch through schedule
 * meanwhile, other Ps steal the rest (stealWork, checkTimersOthers,
 * sysmon's wakep for overdue timers), and an M that finds nothing else to
 * run never sleeps for them (idlepoll's delay is 0). AfterFunc Gs go to
 * the ring's tail (spawn_timerfn) so that each one counts and they run in
 * order; a goready puts its G in runnext, and the one it displaces counts. */
bool checkTimers(struct p *pp, int64_t now)
{
	int64_t next = a_load_relaxed(&pp->timer0When);
	if (next == 0)
		return false;
	if (now == 0)
		now = plat_nanotime();
	if (next > now)
		return false;
	bool ran = false;
	struct p *cur = getm()->p;
	int32_t q0 = runq_len(cur);
	lock(&pp->timersLock);
	while (pp->numTimers > 0) {
		if (pp->timers[0].when > now)
			break;
		struct timer *t = pp->timers[0].t;
		timer_claim_armed(pp, t);
		if (t->when > pp->timers[0].when) {
			/* made later by a lock-free modtimer: move it (Go
			 * 1.19's adjusttimers/runtimer on timerModifiedLater) */
			pp->timers[0].when = t->when;
			siftdownTimer(pp->timers, pp->numTimers, 0);
			updateTimer0When(pp);
			a_store_rel(&t->pp, pp);   /* release the claim */
			continue;
		}
		/* In the critical section that disarms t (see struct timer) */
		a_xadd(&t->nrunning, 1);
		void (*f)(void *, uintptr_t) = t->f;
		void *arg = t->arg;
		uintptr_t seq = t->seq;
		if (t->period > 0) {
			/* runtimer: the next tick after now, skipping the missed */
			int64_t w = t->when + t->period * (1 + (now - t->when) / t->period);
			t->when = w < t->when ? INT64_MAX : w;
			pp->timers[0].when = t->when;
			siftdownTimer(pp->timers, pp->numTimers, 0);
			updateTimer0When(pp);
			a_store_rel(&t->pp, pp);   /* release the claim */
		} else {
			dodeltimer(pp, 0);
		}
		unlock(&pp->timersLock);
		f(arg, seq);
		a_xadd(&t->nrunning, (uint32_t)-1);   /* after this, t may be gone */
		ran = true;
		int32_t q = runq_len(cur);
		if (q > q0 && q >= TIMERS_READY_MAX)
			return true;
		lock(&pp->timersLock);
	}
	unlock(&pp->timersLock);
	return ran;
}

/* timeSleepUntil: the earliest timer over all Ps, or 0 if there is none.
 * seq_cst loads: the M that sleeps until this reads it after publishing
 * that it sleeps, and an addtimer publishes its timer before it looks for
 * a sleeper (wakeNetPoller), so one of the two sees the other. */
int64_t timeSleepUntil(void)
{
	int64_t next = 0;
	for (int32_t i = 0; i < gomaxprocs; i++) {
		int64_t w = a_load(&allp[i]->timer0When);
		if (w != 0 && (next == 0 || w < next))
			next = w;
	}
	return next;
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
	blockingcheck("goro_sleep");
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
