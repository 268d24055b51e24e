/* The scheduler, after proc.go: Ms and Ps, schedule and findRunnable with
 * work stealing, spinning Ms (wakep, startm, stopm), newproc, gosched,
 * goexit, gopark and goready, and the public entry points that start and
 * drive it. Run queues themselves are in runq.c.
 *
 * Spinning Ms: an M looking for work with no local work is "spinning" and
 * counted in sched.nmspinning. Whoever makes work runnable calls wakep, which
 * starts a spinning M only when there is an idle P and no M is already
 * spinning. A spinning M that gives up decrements nmspinning first and then
 * looks at every run queue once more, so work submitted in between is never
 * stranded; at most about half the busy Ps' worth of Ms spin at once. */
#include "runtime2.h"
#include "netpoll.h"
#include "sanitizer.h"
#include "platform.h"
#include "goro.h"

struct schedt sched = {
	.lock = MUTEX_INIT(lockRankSched),
	.gfree.lock = MUTEX_INIT(lockRankGFree),
	.sudoglock = MUTEX_INIT(lockRankSudog),
};
struct p *allp[MAXPROCS];
int32_t gomaxprocs;
int32_t ncpu;
uint32_t idlepmask[MAXPROCS / 32];

static struct m *allm;             /* under sched.lock */
static uint32_t runtime_started;   /* atomic: goro_main was entered */
static uint32_t main_started;      /* atomic: Go's mainStarted; Ms may be woken */
static struct note main_done;      /* goro_main's thread waits here */
static struct note never;          /* Ms park here for good once main returned */
static int main_result;
static uint64_t foreign_rand;      /* atomic: fastrand state for threads without an M */

/* The current M: read only through getm() (runtime2.h), written once per
 * thread by mstart. */
_Thread_local struct m *tls_m;

/* fastrand: wyrand on a per-M state. */
uint32_t fastrand(void)
{
	const uint64_t inc = 0xa0761d6478bd642full;
	struct m *mp = getm();
	uint64_t s;

	if (mp != NULL)
		s = mp->fastrand += inc;
	else
		s = a_xadd(&foreign_rand, inc);   /* atomic so each caller takes its own step; orders nothing */
	__uint128_t t = (__uint128_t)s * (s ^ 0xe7037ed1a0b428dbull);
	return (uint32_t)((uint64_t)(t >> 64) ^ (uint64_t)t);
}

/* casgstatus: status changes are checked transitions. Go needs a CAS
 * because the GC may set the Gscan bit from another thread; here nothing
 * but the G's one owner ever writes the status (the M running it, the M
 * that took it off a run queue, or the single waker its channel, sema or
 * selectDone elected), so a checked plain store does. The status is atomic
 * for its racy readers (traceback, gcount); store-release publishes what
 * the owner wrote before it (waitreason) to a traceback that reads it. */
void casgstatus(struct g *gp, uint32_t oldval, uint32_t newval)
{
	if (a_load_relaxed(&gp->atomicstatus) != oldval)
		throw("casgstatus: bad incoming values");
	a_store_rel(&gp->atomicstatus, newval);
}

/* The first code on g0 after mcall's switch. */
static void mcall_g0(void *gp)
{
	san_arrive_g0();
	getm()->mcallfn(gp);
}

/* mcall: save the current goroutine and run fn(gp) on g0. fn never returns;
 * the goroutine continues here when someone gogo's it, perhaps on another M. */
static void mcall(void (*fn)(void *))
{
	struct m *mp = getm();
	struct g *gp = mp->curg;
	mp->mcallfn = fn;
	san_leave_g(gp, mp);
	san_switch_g0(mp);
	goro_arch_mcall(&gp->sched.sp, mp->g0sp, mcall_g0, gp);
	san_arrive_g(gp);
}

/* A goroutine's first code (goro_arch_gostart calls it), then its function. */
static void gostart(void *arg)
{
	struct g *gp = arg;
	san_arrive_g(gp);
	gp->startfn(gp->startarg);
}

static bool on_g0(struct m *mp)
{
	struct g *gp = mp->curg;
	uintptr_t sp = arch_getsp();
	return gp == NULL || sp < gp->stack_lo || sp >= gp->stack_hi;
}

/* systemstack: run fn(arg) on g0 (or right here when already on g0 or on a
 * thread the runtime does not own), so runtime work never eats into a
 * goroutine's small stack. */
struct systemstack_args {
	void (*fn)(void *);
	void *arg;
	struct g *gp;
};

static void systemstack_g0(void *v)
{
	struct systemstack_args *a = v;
	san_arrive_g0();
	a->fn(a->arg);
	san_leave_g0(a->gp);
}

void systemstack(void (*fn)(void *), void *arg)
{
	struct m *mp = getm();
	if (mp == NULL || on_g0(mp)) {
		fn(arg);
		return;
	}
	struct systemstack_args a = { fn, arg, mp->curg };
	san_leave_g(a.gp, mp);
	san_switch_g0(mp);
	goro_arch_systemstack(mp->g0sp, systemstack_g0, &a);
	san_switch_g(a.gp);
	san_arrive_g(a.gp);
}

/* Idle-P bitmask (Go's idlepMask), so stealers skip idle Ps cheaply. */
static bool pmask_read(const uint32_t *mask, int32_t id)
{
	return (a_load(&mask[id / 32]) & (1u << (id % 32))) != 0;   /* a hint: a stale bit costs one look */
}

/* pidleput: sched.lock must be held. */
static void pidleput(struct p *pp)
{
	assertLockHeld(&sched.lock);
	if (!runqempty(pp))
		throw("pidleput: P has non-empty run queue");
	a_or(&idlepmask[pp->id / 32], 1u << (pp->id % 32));   /* written under sched.lock, read racily */
	pp->link = sched.pidle;
	sched.pidle = pp;
	/* seq_cst RMW: wakep reads npidle after making work runnable; an idle
	 * P counted here is one it will try to start */
	a_xadd(&sched.npidle, 1);
}

/* pidleget: sched.lock must be held. */
static struct p *pidleget(void)
{
	assertLockHeld(&sched.lock);
	struct p *pp = sched.pidle;
	if (pp != NULL) {
		/* seq_cst RMW: cleared before this P's new owner queues work, so
		 * checkRunqsNoP, loading it after its nmspinning decrement, sees
		 * the P busy whenever the owner's wakep saw that spinner */
		a_and(&idlepmask[pp->id / 32], ~(1u << (pp->id % 32)));
		sched.pidle = pp->link;
		/* seq_cst as Go's Xadd: a reader that still sees the old count
		 * calls startm, which finds no P under the lock and gives up */
		a_xadd(&sched.npidle, (uint32_t)-1);
	}
	return pp;
}

/* mput / mget: the idle M list. sched.lock must be held. */
static void mput(struct m *mp)
{
	assertLockHeld(&sched.lock);
	mp->schedlink = sched.midle;
	sched.midle = mp;
	sched.nmidle++;
}

static struct m *mget(void)
{
	assertLockHeld(&sched.lock);
	struct m *mp = sched.midle;
	if (mp != NULL) {
		sched.midle = mp->schedlink;
		sched.nmidle--;
	}
	return mp;
}

/* acquirep (wirep): associate pp with the current M. */
static void acquirep(struct m *mp, struct p *pp)
{
	if (mp->p != NULL)
		throw("wirep: already in go");
	if (pp->m != NULL || pp->status != Pidle)
		throw("wirep: invalid p state");
	mp->p = pp;
	pp->m = mp;
	/* relaxed: an idle P changes hands under sched.lock; from afar only
	 * retake reads status, and acts only on Psyscall, which it claims by CAS */
	a_store_relaxed(&pp->status, Prunning);
}

/* releasep: disassociate the current M from its P. */
static struct p *releasep(struct m *mp)
{
	struct p *pp = mp->p;
	if (pp == NULL || pp->m != mp || pp->status != Prunning)
		throw("releasep: invalid p state");
	mp->p = NULL;
	pp->m = NULL;
	a_store_relaxed(&pp->status, Pidle);   /* relaxed: as acquirep's */
	return pp;
}

static _Noreturn void schedule(void);

/* Once goro_main's main goroutine has returned, Ms stop here for good. */
static _Noreturn void mexit_park(void)
{
	for (;;)
		notesleep(&never);
}

static void mstart(void *arg);

/* A thread could not be made: say why (the host's error number) and how
 * many there are, which is what one needs to raise the right limit. */
static _Noreturn void newosproc_failed(const char *who, int err)
{
	startpanic();
	printstr("goro: fatal error: ");
	printstr(who);
	printstr(": cannot create thread: errno ");
	printu64((uint64_t)err);
	printstr(", with ");
	printu64((uint64_t)sched.mnext);   /* racy: a diagnostic */
	printstr(" Ms and ");
	int n = plat_thread_count();
	if (n >= 0)
		printu64((uint64_t)n);
	else
		printstr("an unknown number of");
	printstr(" threads in the process\n");
	traceback_fatal((uintptr_t)__builtin_frame_address(0));
	plat_exit(2);
}

/* newm: a new M, on a new thread, that will run fn then schedule on pp. */
static void newm(void (*fn)(void), struct p *pp, int64_t id)
{
	struct m *mp = rtmalloc(sizeof *mp);
	if (mp == NULL)
		throw("newm: out of memory");
	mp->id = id;
	mp->mstartfn = fn;
	mp->nextp = pp;
	mp->fastrand = (uint64_t)plat_nanotime() ^ ((uint64_t)id << 32);
	lock(&sched.lock);
	mp->alllink = allm;
	allm = mp;
	unlock(&sched.lock);
	int err = plat_thread_start(mstart, mp);
	if (err != 0)
		newosproc_failed("newosproc", err);
}

/* mspinning: a new M started by a spinning wakep starts out spinning. */
static void mspinning(void)
{
	getm()->spinning = true;
}

/* mstart: a new thread's first code. Record where g0's stack starts, so
 * that mcall and systemstack can return to it, and start scheduling. */
static void mstart1(void)
{
	struct m *mp = getm();
	san_mstart(mp);
	if (mp->mstartfn != NULL)
		mp->mstartfn();
	acquirep(mp, mp->nextp);
	mp->nextp = NULL;
	schedule();
}

static void mstart(void *arg)
{
	tls_m = arg;
	struct m *mp = getm();
	goro_arch_mstart(&mp->g0sp, mstart1);
}

/* checkdead: when the last M goes idle, with no timer armed, no M in a
 * blocking call and no thread in the process but the runtime's own (the Ms,
 * sysmon and goro_main's caller), no goroutine can ever run again. A thread
 * the runtime does not own might still call in and wake one, so any such
 * thread, or a host that cannot count threads, turns the check off (where Go
 * turns it off for a whole embedded program), unless GORO_DEBUG=deadlock=1;
 * sysmon looks again while every M is idle, for when such a thread has
 * exited. sched.lock must be held. */
static void checkdead(void)
{
	assertLockHeld(&sched.lock);
	/* exiting: the stop flag; the M that set it never idles, so a late
	 * look is safe. main_started was set before sysmon and the first M
	 * started, so it is always seen here. */
	if (a_load(&sched.exiting) || !a_load(&main_started))
		return;
	if (sched.mnext - sched.nmidle - sched.nmidlelocked > 0)   /* running, spinning, blocked, being born */
		return;
	if (sched.runqsize != 0)   /* queued by a thread without a P, its startm on the way */
		return;
	/* A timer will wake somebody. Each M armed its timers before the
	 * sched.lock of its stopm, so the lock orders them; seq_cst as
	 * timeSleepUntil's, where a relaxed load would do. */
	for (int32_t i = 0; i < gomaxprocs; i++)
		if (a_load(&allp[i]->timer0When) != 0)
			return;
	if (netpollinited() && netpollAnyWaiters())   /* so may a descriptor */
		return;
	/* After the waiters, seq_cst: sysmon counts itself in before netpoll
	 * takes its Gs off the waiters, and out after queuing them. */
	if (a_load(&sched.injecting) != 0)
		return;
	if (!debug.deadlock && (int64_t)plat_thread_count() != sched.mnext + 2)
		return;   /* GORO_DEBUG=deadlock=1: the program says its threads won't call in */
	unlock(&sched.lock);
	throw("all goroutines are asleep - deadlock!");
}

/* incidlelocked: only retake's bracket uses it here (goro has no locked
 * Ms); the +1 runs checkdead, as Go's does. */
static void incidlelocked(int32_t v)
{
	lock(&sched.lock);
	sched.nmidlelocked += v;
	if (v > 0)
		checkdead();
	unlock(&sched.lock);
}

/* stopm: park the current M, which holds no P, until startm hands it one. */
static void stopm(struct m *mp)
{
	if (mp->p != NULL)
		throw("stopm holding p");
	if (mp->spinning)
		throw("stopm spinning");
	lock(&sched.lock);
	mput(mp);
	checkdead();
	unlock(&sched.lock);
	notesleep(&mp->park);
	noteclear(&mp->park);
	acquirep(mp, mp->nextp);
	mp->nextp = NULL;
}

/* startm: run pp (or any idle P when pp is NULL) on an idle or new M. With
 * spinning, the caller already counted the M in nmspinning. */
static void startm(struct p *pp, bool spinning)
{
	lock(&sched.lock);
	if (pp == NULL) {
		pp = pidleget();
		if (pp == NULL) {
			unlock(&sched.lock);
			/* seq_cst as Go's: undo the caller's count; with no idle
			 * P, every P's M looks at the queues itself */
			if (spinning && (int32_t)a_xadd(&sched.nmspinning, (uint32_t)-1) < 0)
				throw("startm: negative nmspinning");
			return;
		}
	}
	struct m *nmp = mget();
	if (nmp == NULL) {
		int64_t id = sched.mnext++;
		unlock(&sched.lock);
		newm(spinning ? mspinning : NULL, pp, id);
		return;
	}
	unlock(&sched.lock);
	if (nmp->spinning)
		throw("startm: m is spinning");
	if (nmp->nextp != NULL)
		throw("startm: m has p");
	if (spinning && !runqempty(pp))
		throw("startm: p has runnable gs");
	nmp->spinning = spinning;
	nmp->nextp = pp;
	notewakeup(&nmp->park);
}

/* wakep: try to put one more P to work, when one is idle and no M is
 * already spinning (that one will find the work). */
static void startm_spinning(void *unused)
{
	(void)unused;
	startm(NULL, true);
}

/* Callable on a goroutine stack (goready): only startm, which may create a
 * thread, moves to g0. */
void wakep(void)
{
	if (a_load(&sched.npidle) == 0)
		return;
	/* seq_cst: the load after the caller's runqput (StoreLoad), paired with
	 * findRunnable's decrement then last look; the CAS elects one waker */
	if (a_load(&sched.nmspinning) != 0 || !a_cas(&sched.nmspinning, 0, 1))
		return;
	systemstack(startm_spinning, NULL);
}

/* resetspinning: the M found work; if it was the last spinner, another M
 * may be needed for the rest. */
static void resetspinning(struct m *mp)
{
	if (!mp->spinning)
		throw("resetspinning: not a spinning m");
	mp->spinning = false;
	/* seq_cst RMW: the StoreLoad before wakep's loads of npidle and
	 * nmspinning, as Go's atomic.Xadd */
	if ((int32_t)a_xadd(&sched.nmspinning, (uint32_t)-1) < 0)
		throw("findRunnable: negative nmspinning");
	wakep();
}

/* randomOrder: visit all Ps starting anywhere, in a stride coprime with
 * their number, so that stealers spread out. */
static uint32_t steal_coprimes[MAXPROCS];
static uint32_t steal_ncoprimes;

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static void steal_order_reset(uint32_t count)
{
	steal_ncoprimes = 0;
	for (uint32_t i = 1; i <= count; i++)
		if (gcd(i, count) == 1)
			steal_coprimes[steal_ncoprimes++] = i;
}

/* stealWork: four rounds over the other Ps in random order; the last round
 * also takes their runnext and runs their due timers (Go 1.19's stealWork),
 * so that an idle P's timers never wait for that P. Running timers may ready
 * goroutines onto our own queue, which runqsteal assumes empty: so it looks
 * there first, and otherwise says *newWork so findRunnable starts over. */
static struct g *stealWork(struct p *pp, bool *inherit_time, bool *newWork)
{
	const uint32_t count = (uint32_t)gomaxprocs;
	int64_t now = 0;

	*newWork = false;
	for (int i = 0; i < 4; i++) {
		bool stealTimersOrRunNextG = i == 3;
		uint32_t r = fastrand();
		uint32_t pos = r % count;
		uint32_t inc = steal_coprimes[r / count % steal_ncoprimes];
		for (uint32_t n = 0; n < count; n++, pos = (pos + inc) % count) {
			struct p *p2 = allp[pos];
			if (p2 == pp)
				continue;
			if (stealTimersOrRunNextG) {
				int64_t w = a_load_relaxed(&p2->timer0When);   /* a hint, as checkTimers */
				if (w != 0 && (now == 0 ? (now = plat_nanotime()) : now) >= w &&
				    checkTimers(p2, now)) {
					struct g *gp = runqget(pp, inherit_time);
					if (gp != NULL)
						return gp;
					*newWork = true;
				}
			}
			if (pmask_read(idlepmask, (int32_t)pos))
				continue;
			struct g *gp = runqsteal(pp, p2, stealTimersOrRunNextG);
			if (gp != NULL) {
				*inherit_time = false;
				return gp;
			}
		}
	}
	return NULL;
}

/* Run the due timers of every other P that has any; relaxed loads, as in
 * checkTimers, so a P with none costs one load. */
static void checkTimersOthers(struct p *pp)
{
	int64_t now = 0;
	for (int32_t i = 0; i < gomaxprocs; i++) {
		struct p *p2 = allp[i];
		int64_t w = a_load_relaxed(&p2->timer0When);
		if (p2 == pp || w == 0)
			continue;
		if (now == 0)
			now = plat_nanotime();
		if (w <= now)
			checkTimers(p2, now);
	}
}

/* checkRunqsNoP: after giving up its P, a spinning M looks at every busy P's
 * queue once more and takes an idle P back if it finds work. */
static struct p *checkRunqsNoP(void)
{
	/* seq_cst loads (pmask_read, runqempty) after the nmspinning
	 * decrement: the StoreLoad that Go's spinning protocol asks for,
	 * paired with the producer's runnext CAS, then wakep's loads */
	for (int32_t id = 0; id < gomaxprocs; id++) {
		if (!pmask_read(idlepmask, id) && !runqempty(allp[id])) {
			lock(&sched.lock);
			struct p *pp = pidleget();
			unlock(&sched.lock);
			return pp;
		}
	}
	return NULL;
}

/* Wake the M that sleeps for timers or descriptors, of the kind that it
 * is. netpollBreak is sticky: it wakes a netpoll that has not started yet. */
static void pollBreak(uint32_t kind)
{
	if (kind == POLL_NETPOLL) {
		netpollBreak();
		return;
	}
	/* seq_cst RMW, paired with idlepoll's load of pollKey before its
	 * timeSleepUntil: either that load sees the bump, and then our
	 * caller's timer, or the sleeper's futex wait finds the key moved */
	a_xadd(&sched.pollKey, 1);
	plat_futex_wake(&sched.pollKey, 1);
}

/* wakeNetPoller: a timer for when was armed, the earliest of its P. If an
 * M sleeps for timers and would wake later (or has not yet published when:
 * pollUntil 0), wake it to look again; a spurious wake costs a look, a
 * missed one a late timer. With no sleeper, make sure some M comes to look
 * (Go calls wakep); its findRunnable will see the timer. */
void wakeNetPoller(int64_t when)
{
	/* seq_cst: loaded after the caller's store of timer0When (StoreLoad),
	 * paired with idlepoll's CAS on polling, then its timeSleepUntil */
	uint32_t kind = a_load(&sched.polling);
	if (kind != 0) {
		/* A futex sleeper once the poller exists must come back to
		 * sleep in netpoll instead (a foreign thread's fd wait asks
		 * with when INT64_MAX for just that). seq_cst, after polling:
		 * this sleeper's until or 0, never an earlier sleeper's
		 * (idlepoll clears it before polling). */
		int64_t until = a_load(&sched.pollUntil);
		if (until == 0 || until > when || (kind == POLL_FUTEX && netpollinited()))
			pollBreak(kind);
	} else {
		wakep();
	}
}

/* Pop the first G of a netpoll list and make it runnable; the rest go to
 * injectglist. */
static struct g *netpoll_take(struct g *list)
{
	struct g *gp = list;
	injectglist(gp->schedlink);
	gp->schedlink = NULL;
	casgstatus(gp, Gwaiting, Grunnable);
	gp->migrate = debug.migrate != 0;
	return gp;
}

/* The end of findRunnable for an M that has given up its P: Go's blocking
 * netpoll(until the earliest timer). One M at a time takes the role; it
 * blocks in netpoll once the poller exists, and otherwise, with timers
 * armed, sleeps on a futex (to the nanosecond; a program that never opens
 * a descriptor never makes a poller). The earliest timer of all Ps is read
 * after the nmspinning decrement (Go's checkTimersNoP) and again after
 * taking the role (timeSleepUntil says why). An M that loses the role but
 * knows an earlier timer than the sleeper's wakes it, and so does one that
 * finds a futex sleeper once the poller exists, so that it comes back to
 * poll. Returns a G readied by netpoll, with a P, or NULL with a P
 * (spinning, so that it steals the timers due wherever they are) or
 * without one, to stopm. */
static struct g *idlepoll(struct m *mp)
{
	bool np = netpollinited();
	int64_t until = timeSleepUntil();
	if (until == 0 && !(np && netpollAnyWaiters()))
		return NULL;
	uint32_t kind = np ? POLL_NETPOLL : POLL_FUTEX;
	/* seq_cst CAS: takes the role, then loads pollKey and the timers
	 * (StoreLoad), paired with wakeNetPoller's timer0When store, then its
	 * load of polling. A loser's loads are as wakeNetPoller's. */
	if (!a_cas(&sched.polling, 0, kind)) {
		uint32_t cur = a_load(&sched.polling);
		int64_t pu = a_load(&sched.pollUntil);
		if (cur != 0 && ((until != 0 && (pu == 0 || pu > until)) || cur != kind))
			pollBreak(cur);
		return NULL;
	}
	uint32_t key = a_load(&sched.pollKey);   /* seq_cst: before the timers; see pollBreak */
	until = timeSleepUntil();
	/* seq_cst: published after the timers were read; a waker that still
	 * reads 0 breaks the sleep anyway */
	a_store(&sched.pollUntil, until);
	int64_t now = plat_nanotime();
	int64_t delay = until == 0 ? -1 : until > now ? until - now : 0;
	struct g *list = NULL;
	if (kind == POLL_NETPOLL) {
		list = netpoll(delay);
		a_store(&sched.lastpoll, plat_nanotime());   /* sysmon's timestamp; orders nothing */
	} else if (delay > 0) {
		plat_futex_wait(&sched.pollKey, key, delay);
	}
	/* seq_cst, pollUntil first: a waker that sees the next sleeper's
	 * polling then reads that sleeper's until or 0, never ours */
	a_store(&sched.pollUntil, 0);
	a_store(&sched.polling, 0);
	lock(&sched.lock);
	struct p *pp = pidleget();
	unlock(&sched.lock);
	if (pp == NULL) {
		/* every P is busy: they run the timers at their next schedule */
		injectglist(list);
		return NULL;
	}
	acquirep(mp, pp);
	if (list != NULL)
		return netpoll_take(list);
	mp->spinning = true;
	a_xadd(&sched.nmspinning, 1);   /* seq_cst as Go's: counted before findRunnable looks again */
	return NULL;
}

/* findRunnable: a runnable G for the current M, blocking (stopm) until
 * there is one. Runs on g0. */
static struct g *findRunnable(struct m *mp, bool *inherit_time)
{
	struct g *gp;
top:;
	struct p *pp = mp->p;
	*inherit_time = false;
	if (a_load(&sched.exiting))   /* the stop flag: a late look runs one more round */
		mexit_park();
	checkTimers(pp, 0);

	if (pp->schedtick % 61 == 0) {
		/* Now and then run other Ps' overdue timers too (not in Go): a
		 * P whose M the OS has descheduled, on an oversubscribed
		 * machine, would keep its timers until the M runs again, and
		 * stealWork looks only when our own queues are empty. */
		if (gomaxprocs > 1)
			checkTimersOthers(pp);
		/* And check the global queue first, so that two goroutines
		 * handing work back and forth on one P can't starve it. */
		if (a_load_relaxed(&sched.runqsize) > 0) {   /* relaxed: a hint; the lock decides */
			lock(&sched.lock);
			gp = globrunqget(pp, 1);
			unlock(&sched.lock);
			if (gp != NULL)
				return gp;
		}
	}
	gp = runqget(pp, inherit_time);
	if (gp != NULL)
		return gp;
	/* relaxed: a hint, as Go's racy read; whoever queues globally starts
	 * an M itself, and the last look below is under the lock */
	if (a_load_relaxed(&sched.runqsize) != 0) {
		lock(&sched.lock);
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		if (gp != NULL)
			return gp;
	}

	/* Poll descriptors without blocking before stealing (Go 1.19), unless
	 * an M is blocked in netpoll and will see the same events. polling is
	 * a hint here: a stale one costs a netpoll(0) or leaves the events to
	 * the blocked poller. */
	if (netpollinited() && netpollAnyWaiters() && a_load(&sched.polling) != POLL_NETPOLL) {
		struct g *list = netpoll(0);
		if (list != NULL)
			return netpoll_take(list);
	}

	/* Steal, unless enough Ms are spinning already: half the busy Ps.
	 * Both counts are hints here: a stale one only changes who spins. */
	uint32_t busy = (uint32_t)gomaxprocs - a_load(&sched.npidle);
	if (mp->spinning || 2 * a_load(&sched.nmspinning) < busy) {
		if (!mp->spinning) {
			/* seq_cst as Go's; a wakep that sees this count trusts
			 * us, and the look that keeps that safe is the one
			 * after the decrement below */
			mp->spinning = true;
			a_xadd(&sched.nmspinning, 1);
		}
		bool newWork;
		gp = stealWork(pp, inherit_time, &newWork);
		if (gp != NULL)
			return gp;
		if (newWork)
			goto top;
	}

	/* Nothing: give up the P, then stop. */
	lock(&sched.lock);
	if (sched.runqsize != 0) {
		gp = globrunqget(pp, 0);
		unlock(&sched.lock);
		return gp;
	}
	if (releasep(mp) != pp)
		throw("findRunnable: wrong p");
	pidleput(pp);
	unlock(&sched.lock);

	if (mp->spinning) {
		/* Decrement first, then look again: whoever queued work after our
		 * last look either sees nmspinning == 0 and calls startm, or
		 * queued it before this check, which then sees it. seq_cst RMW:
		 * the StoreLoad between this decrement and checkRunqsNoP's loads,
		 * paired with the producer's runqput, then wakep's look at nmspinning. */
		mp->spinning = false;
		if ((int32_t)a_xadd(&sched.nmspinning, (uint32_t)-1) < 0)
			throw("findRunnable: negative nmspinning");
		pp = checkRunqsNoP();
		if (pp != NULL) {
			acquirep(mp, pp);
			mp->spinning = true;
			a_xadd(&sched.nmspinning, 1);   /* seq_cst as Go's; resetspinning undoes it */
			goto top;
		}
	}

	gp = idlepoll(mp);
	if (gp != NULL)
		return gp;
	if (mp->p != NULL)
		goto top;
	stopm(mp);
	goto top;
}

/* execute: run gp on the current M. Never returns. */
static _Noreturn void execute(struct m *mp, struct g *gp, bool inherit_time)
{
	mp->curg = gp;
	gp->m = mp;
	gp->lastm = mp;
	casgstatus(gp, Grunnable, Grunning);
	if (!inherit_time)   /* relaxed: the owner's count; retake reads it as a hint */
		a_store_relaxed(&mp->p->schedtick, mp->p->schedtick + 1);
	san_leave_g0(gp);
	san_switch_g(gp);
	goro_arch_gogo(&gp->sched.sp);
}

/* schedule: one round of the scheduler: find a G and run it. Runs on g0. */
static _Noreturn void schedule(void)
{
	struct m *mp = getm();
	bool inherit_time;

	if (mp->curg != NULL)
		throw("schedule: holding a goroutine");
	if (mp->p == NULL)
		throw("schedule: no p");
top:;
	struct g *gp = NULL;
	struct p *pp = mp->p;
	inherit_time = false;
	if (a_load_relaxed(&pp->preempt)) {   /* relaxed: sysmon's hint; a late look costs one slice */
		/* sysmon found this P's goroutines sharing one slice for 10 ms
		 * (Go's preemptone). Without asynchronous preemption it is
		 * honoured here, where a goroutine parks or yields: the slice
		 * is over and nobody inherits it. The global queue gets a look
		 * first, and a goroutine in runnext goes behind the local ring,
		 * so that a pair readying each other cannot starve the rest. */
		a_store_relaxed(&pp->preempt, 0);   /* relaxed: a set lost to this clear is a slice just ended */
		if (a_load_relaxed(&sched.runqsize) > 0) {   /* relaxed: a hint; the lock decides */
			lock(&sched.lock);
			gp = globrunqget(pp, 1);
			unlock(&sched.lock);
		}
		if (gp == NULL) {
			bool next;
			gp = runqget(pp, &next);
			if (gp != NULL && next) {
				runqput(pp, gp, false);
				gp = NULL;
			}
		}
	}
	if (gp == NULL)
		gp = findRunnable(mp, &inherit_time);
	if (mp->spinning)
		resetspinning(mp);
	if (gp->migrate) {
		/* GORO_DEBUG=migrate=1: a goroutine readied after a park must
		 * not resume on the thread it parked on. Hand it, with this P,
		 * to another M, and stop. The flag stays set until it runs
		 * elsewhere: this M may find it again after stopm. */
		if (gp->lastm == mp) {
			runqput(mp->p, gp, true);
			startm(releasep(mp), false);
			stopm(mp);
			goto top;
		}
		gp->migrate = false;
	}
	execute(mp, gp, inherit_time);
}

/* dropg: the current M stops running its goroutine. */
static void dropg(struct m *mp)
{
	mp->curg->m = NULL;
	mp->curg = NULL;
}

/* The direct switch: when the next G is already on this P (runnext after a
 * channel handoff, the queue's head after a yield), the current goroutine
 * switches straight to it, skipping g0 and schedule. schedule's duties that
 * could apply here are checked first (direct_next), and anything unusual
 * takes the path through g0 instead. */

/* direct_next: the G to switch to directly, taken off mp's P (runnext
 * first, as runqget), or NULL to go through schedule: under ASan, without a
 * P (a blocking call), when the runtime is exiting, a timer is due (timer functions run on g0), sysmon asked for a
 * preemption, it is the 61st tick's look at the global queue, or the G must
 * migrate (GORO_DEBUG=migrate, which schedule handles). Executed only by
 * the owner P. */
static struct g *direct_next(struct m *mp, bool *inherit_time)
{
	struct p *pp = mp->p;
	/* Relaxed looks, all hints: whatever one misses, schedule sees at the
	 * next switch through g0. */
	if (!san_direct_switch || pp == NULL || a_load_relaxed(&sched.exiting) ||
	    a_load_relaxed(&pp->preempt))
		return NULL;
	if (pp->schedtick % 61 == 0 && a_load_relaxed(&sched.runqsize) > 0)
		return NULL;
	int64_t w = a_load_relaxed(&pp->timer0When);
	if (w != 0 && w <= plat_nanotime())
		return NULL;
	struct g *gp = runqget(pp, inherit_time);
	if (gp != NULL && gp->migrate) {
		runqput(pp, gp, true);   /* back where runqget found it: first in line */
		return NULL;
	}
	return gp;
}

/* switch_to: stop running gp (already Gwaiting or Grunnable, its canary
 * checked) and run next on this M, as execute would; commit(gp) runs on
 * next's stack once gp's context is saved, to publish gp (unlockf,
 * runqput). Returns when gp is resumed, perhaps on another M. */
static void switch_to(struct m *mp, struct g *gp, struct g *next, bool inherit_time,
                      void (*commit)(void *))
{
	gp->m = NULL;
	mp->curg = next;
	next->m = mp;
	next->lastm = mp;
	casgstatus(next, Grunnable, Grunning);
	if (!inherit_time)   /* relaxed: as execute's */
		a_store_relaxed(&mp->p->schedtick, mp->p->schedtick + 1);
	san_switch_g(next);
	goro_arch_switch(&gp->sched.sp, &next->sched.sp, commit, gp);
	san_arrive_g(gp);
	mp = getm();   /* the TLS rule: perhaps another M by now */
	struct g *rq = mp->requeue;
	if (rq != NULL) {   /* park_commit's unlockf refused: rq waited for us */
		mp->requeue = NULL;
		runqput(mp->p, rq, true);
	}
}

/* park_m's commit, on the next G's stack. If unlockf refuses, gp runs on
 * instead, and the G we switched to goes back to runnext, but only once we
 * are off its stack (switch_to's requeue): another M could take it. */
static void park_commit(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();
	bool (*fn)(struct g *, void *) = mp->waitunlockf;
	void *l = mp->waitlock;
	mp->waitunlockf = NULL;
	mp->waitlock = NULL;
	if (fn == NULL || fn(gp, l))
		return;
	struct g *next = mp->curg;
	casgstatus(next, Grunning, Grunnable);
	next->m = NULL;
	mp->requeue = next;
	casgstatus(gp, Gwaiting, Grunning);
	mp->curg = gp;
	gp->m = mp;
	san_switch_g(gp);
	goro_arch_gogo(&gp->sched.sp);
}

/* goyield_m's commit, on the next G's stack. */
static void yield_commit(void *arg)
{
	runqput(getm()->p, arg, false);
}

/* park_m: gopark's second half, on g0. The goroutine is Gwaiting before
 * unlockf releases whatever lets others ready it, so no wake-up is lost. */
static void park_m(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();

	stack_check_canary(gp);
	casgstatus(gp, Grunning, Gwaiting);
	dropg(mp);
	bool (*fn)(struct g *, void *) = mp->waitunlockf;
	if (fn != NULL) {
		void *l = mp->waitlock;
		mp->waitunlockf = NULL;
		mp->waitlock = NULL;
		if (!fn(gp, l)) {
			casgstatus(gp, Gwaiting, Grunnable);
			execute(mp, gp, true);
		}
	}
	schedule();
}

/* getg for blocking primitives: the running goroutine, or, on a thread the
 * runtime does not own, standin (caller's storage, alive while it blocks),
 * made into a G whose gopark sleeps on a futex instead of switching. */
struct g *getg_or(struct g *standin)
{
	struct m *mp = getm();
	if (mp != NULL && mp->curg != NULL)
		return mp->curg;
	memset(standin, 0, sizeof *standin);
	standin->foreign = true;
	standin->atomicstatus = Grunning;
	return standin;
}

/* A thread parking before goro_main started, when it is the process's only
 * thread, can never be woken: no goroutine exists and no thread is left to
 * call in. Say so, naming goro_main, rather than hang. */
static void foreign_park_check(struct g *gp)
{
	/* Any order would do: with one thread in the process, nobody else can
	 * be writing main_started or park.key. */
	if (a_load(&main_started) || gp->standin_timer != NULL || plat_thread_count() != 1 ||
	    a_load_relaxed(&gp->park.key) != 0)
		return;
	throw("a blocking call before goro_main, with no other thread to wake it: deadlock");
}

/* gopark: put gp, the current goroutine (or a stand-in from getg_or), to
 * sleep until goready. unlockf(gp, lock), if given, runs once gp is
 * Gwaiting (for a goroutine: on g0, after the switch); returning false
 * resumes gp at once. */
void gopark(struct g *gp, bool (*unlockf)(struct g *, void *), void *lock, enum waitreason reason)
{
	a_store_relaxed(&gp->waitreason, (uint8_t)reason);   /* relaxed: goro_stats reads it racily */
	gp->waitsince = a_load_relaxed(&sched.coarsenow);   /* relaxed: a listing's hint */
	if (gp->foreign) {
		casgstatus(gp, Grunning, Gwaiting);
		if (unlockf != NULL && !unlockf(gp, lock)) {
			casgstatus(gp, Gwaiting, Grunning);
			return;
		}
		foreign_park_check(gp);
		struct timer *t = gp->standin_timer;
		if (t != NULL) {
			/* A stand-in's timeout is never armed on a P: there may
			 * be none to run it (before goro_main, after it returned).
			 * It sleeps until due and fires the timer's f itself,
			 * which competes for the wake-up as an armed one would.
			 * seq_cst as notesleep's, though these are only looks:
			 * t->f claims the wake-up by its own CAS, and notesleep
			 * loads the key again. */
			int64_t d;
			while (a_load(&gp->park.key) == 0 && (d = t->when - plat_nanotime()) > 0)
				plat_futex_wait(&gp->park.key, 0, d);
			if (a_load(&gp->park.key) == 0)
				t->f(t->arg, t->seq);
		}
		notesleep(&gp->park);
		noteclear(&gp->park);
		casgstatus(gp, Grunnable, Grunning);
		return;
	}
	struct m *mp = getm();
	if (mp->curg != gp)
		throw("gopark: not the current goroutine");
	mp->waitunlockf = unlockf;
	mp->waitlock = lock;
	bool inherit_time;
	struct g *next = direct_next(mp, &inherit_time);
	if (next == NULL) {
		mcall(park_m);
		return;
	}
	stack_check_canary(gp);
	casgstatus(gp, Grunning, Gwaiting);
	switch_to(mp, gp, next, inherit_time, park_commit);
}

/* injectglist, for one G, from a thread without a P (a thread the runtime
 * does not own, sysmon): queue it globally and start an idle P for it. wakep
 * is not enough here: a spinning M that has just given up its P rechecks the
 * local run queues, not the global one, and wakep trusts it to. */
static void injectg(struct g *gp)
{
	lock(&sched.lock);
	globrunqput(gp);
	unlock(&sched.lock);
	/* After the unlock: a P idled before our lock is counted here, and an
	 * M idling its P after it saw gp under the lock (findRunnable). */
	if (a_load(&sched.npidle) != 0)
		startm(NULL, false);
}

/* injectglist: make the Gs on list (Gwaiting, linked through schedlink, as
 * netpoll returns them) runnable. Without a P they all go on the global
 * queue, with an idle P started for each; with one, one per idle P goes on
 * the global queue with an M started for it and the rest on our own. */
void injectglist(struct g *list)
{
	if (list == NULL)
		return;
	int32_t n = 0;
	for (struct g *gp = list; gp != NULL; gp = gp->schedlink) {
		casgstatus(gp, Gwaiting, Grunnable);
		gp->migrate = debug.migrate != 0;
		n++;
	}
	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;
	int32_t nglob = n;
	if (pp != NULL) {
		/* a hint, as Go's: the Gs it leaves out stay on our own queue */
		uint32_t npidle = a_load(&sched.npidle);
		if ((uint32_t)nglob > npidle)
			nglob = (int32_t)npidle;
	}
	if (nglob > 0) {
		lock(&sched.lock);
		for (int32_t i = 0; i < nglob; i++) {
			struct g *gp = list;
			list = gp->schedlink;
			gp->schedlink = NULL;
			globrunqput(gp);
		}
		unlock(&sched.lock);
		/* as injectg's, after the unlock; startm copes with no P left */
		for (int32_t i = 0; i < nglob && a_load(&sched.npidle) != 0; i++)
			startm(NULL, false);
	}
	while (list != NULL) {
		struct g *gp = list;
		list = gp->schedlink;
		gp->schedlink = NULL;
		runqput(pp, gp, false);
	}
}

/* ready: make a parked gp runnable, next on the current P. */
static void ready(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;

	casgstatus(gp, Gwaiting, Grunnable);
	gp->migrate = debug.migrate != 0;
	if (pp == NULL) {
		injectg(gp);
		return;
	}
	runqput(pp, gp, true);
	wakep();
}

/* goready: may be called from any thread, runtime-owned or not. A
 * stand-in's thread must not be touched after notewakeup: it may return and
 * its stack with it. */
void goready(struct g *gp)
{
	if (gp->foreign) {
		casgstatus(gp, Gwaiting, Grunnable);
		notewakeup(&gp->park);
		return;
	}
	/* With a P, ready runs right here: it takes at most sched.lock (a full
	 * run queue) on the way, and wakep moves to g0 itself to start an M.
	 * Without one (a blocking call), injectg starts an M: from g0. */
	struct m *mp = getm();
	if (mp != NULL && mp->p != NULL)
		ready(gp);
	else
		systemstack(ready, gp);
}

/* acquireSudog: from the P's cache, refilled from the central cache or the
 * allocator, so that a blocking operation allocates nothing in the steady
 * state. */
struct sudog *acquireSudog(void)
{
	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;

	if (pp == NULL)
		return rtmalloc(sizeof(struct sudog));
	if (pp->nsudogcache == 0) {
		lock(&sched.sudoglock);
		while (pp->nsudogcache < SUDOG_CACHE / 2 && sched.sudogcache != NULL) {
			struct sudog *s = sched.sudogcache;
			sched.sudogcache = s->next;
			s->next = NULL;
			pp->sudogcache[pp->nsudogcache++] = s;
		}
		unlock(&sched.sudoglock);
		if (pp->nsudogcache == 0)
			return rtmalloc(sizeof(struct sudog));
	}
	return pp->sudogcache[--pp->nsudogcache];
}

/* releaseSudog: a full P cache gives half back to the central one. */
void releaseSudog(struct sudog *s)
{
	if (s->elem != NULL || s->isSelect || s->next != NULL || s->prev != NULL ||
	    s->waitlink != NULL || s->c != NULL)
		throw("releaseSudog: sudog still in use");
	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;

	s->g = NULL;
	s->success = false;
	if (pp == NULL) {
		rtfree(s, sizeof *s);
		return;
	}
	if (pp->nsudogcache == SUDOG_CACHE) {
		struct sudog *first = NULL, *last = NULL;
		while (pp->nsudogcache > SUDOG_CACHE / 2) {
			struct sudog *p = pp->sudogcache[--pp->nsudogcache];
			if (first == NULL)
				first = p;
			else
				last->next = p;
			last = p;
		}
		lock(&sched.sudoglock);
		last->next = sched.sudogcache;
		sched.sudogcache = first;
		unlock(&sched.sudoglock);
	}
	pp->sudogcache[pp->nsudogcache++] = s;
}

/* goschedImpl: the current goroutine goes to the back of the global queue. */
static void gosched_m(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();

	stack_check_canary(gp);
	casgstatus(gp, Grunning, Grunnable);
	dropg(mp);
	lock(&sched.lock);
	globrunqput(gp);
	unlock(&sched.lock);
	schedule();
}

/* goyield: like gosched, but to the back of the local queue. */
static void goyield_m(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();
	struct p *pp = mp->p;

	stack_check_canary(gp);
	casgstatus(gp, Grunning, Grunnable);
	dropg(mp);
	runqput(pp, gp, false);
	schedule();
}

void goyield(void)
{
	struct m *mp = getm();
	if (mp != NULL && mp->curg != NULL)
		mcall(goyield_m);
}

/* sync_runtime_canSpin: spinning for a mutex only pays off on a multicore
 * machine with another P running, and when nothing waits on our own P. */
bool sync_canspin(int iter)
{
	enum { active_spin = 4 };
	struct m *mp = getm();
	/* the counts are hints, as Go's: a heuristic for spinning */
	if (iter >= active_spin || mp == NULL || mp->p == NULL || ncpu <= 1 ||
	    gomaxprocs <= (int32_t)(a_load(&sched.npidle) + a_load(&sched.nmspinning)) + 1)
		return false;
	return runqempty(mp->p);
}

void sync_dospin(void)
{
	arch_procyield(30);
}

/* handoffp: a P left by a blocked M goes to whoever can use it: a new M if
 * there is work, a spinning M if none is looking, else the idle list. */
static void handoffp(struct p *pp)
{
	if (!runqempty(pp) || a_load_relaxed(&sched.runqsize) != 0) {   /* relaxed: a hint */
		startm(pp, false);
		return;
	}
	/* seq_cst as wakep's: the CAS elects the one spinner; with none
	 * spinning and no P idle, nobody else would look */
	if (a_load(&sched.nmspinning) + a_load(&sched.npidle) == 0 &&
	    a_cas(&sched.nmspinning, 0, 1)) {
		startm(pp, true);
		return;
	}
	lock(&sched.lock);
	if (sched.runqsize != 0) {
		unlock(&sched.lock);
		startm(pp, false);
		return;
	}
	/* The last running P, with descriptors to watch and nobody blocked
	 * in netpoll: keep an M on it, which will poll. npidle is exact under
	 * the lock; polling is a hint. */
	if (a_load(&sched.npidle) == (uint32_t)gomaxprocs - 1 && netpollinited() &&
	    a_load(&sched.polling) != POLL_NETPOLL) {
		unlock(&sched.lock);
		startm(pp, false);
		return;
	}
	/* Go's nobarrierWakeTime: read before the P goes idle; a timer armed
	 * after this read announces itself (wakeNetPoller) */
	int64_t when = a_load(&pp->timer0When);
	pidleput(pp);
	unlock(&sched.lock);
	if (when != 0)
		wakeNetPoller(when);   /* someone must still wake for its timers */
}

/* retake: sysmon's look at every P. A P whose M has been in a blocking call
 * for a whole sysmon tick (20 us or more) is handed to another M when there
 * is other work for it or nobody else to look for some. A P that has run the
 * same goroutine for 10 ms gets its preempt flag set (Go's preemptone); v1
 * has no asynchronous preemption, so the flag is honoured where the
 * goroutine next calls goro_spawn. Returns how many Ps were retaken. */
static uint32_t retake(int64_t now)
{
	const int64_t forcePreemptNS = 10 * 1000 * 1000;
	uint32_t n = 0;

	for (int32_t i = 0; i < gomaxprocs; i++) {
		struct p *pp = allp[i];
		/* seq_cst where acquire would do (Go reads it plainly): a look
		 * that orders entersyscall's tick bump before our load of the
		 * tick; the CAS below is what claims a Psyscall P */
		uint32_t s = a_load(&pp->status);
		if (s == Prunning) {
			uint32_t t = a_load_relaxed(&pp->schedtick);   /* relaxed: the owner's count, a hint */
			if (pp->sysmon_schedtick != t) {
				pp->sysmon_schedtick = t;
				pp->sysmon_schedwhen = now;
			} else if (pp->sysmon_schedwhen + forcePreemptNS <= now) {
				a_store(&pp->preempt, 1);   /* seq_cst where relaxed would do: a hint */
			}
			continue;
		}
		if (s != Psyscall)
			continue;
		/* after the status load, which orders entersyscall's bump before
		 * it: this call's tick */
		uint32_t t = a_load(&pp->syscalltick);
		if (pp->sysmon_syscalltick != t) {
			pp->sysmon_syscalltick = t;
			pp->sysmon_syscallwhen = now;
			continue;
		}
		/* Nothing to run and others looking: leave it, for a cheap
		 * exitsyscall, unless the call has gone on for 10 ms. The counts
		 * are hints, as Go's. */
		if (runqempty(pp) && a_load(&sched.nmspinning) + a_load(&sched.npidle) > 0 &&
		    pp->sysmon_syscallwhen + 10 * 1000 * 1000 > now)
			continue;
		/* Go: "Need to decrement number of idle locked M's (pretending
		 * that one more is running) before the CAS. Otherwise the M from
		 * which we retake can exit the syscall, increment nmidle and
		 * report deadlock." */
		incidlelocked(-1);
		/* seq_cst CAS: one of this and exitsyscall's CAS wins the P; it
		 * reads entersyscall's store, which published pp->m == NULL */
		if (a_cas(&pp->status, Psyscall, Pidle)) {
			n++;
			a_xadd(&pp->syscalltick, 1);   /* ours now: the next call on it is a new one to time */
			a_xadd(&sched.nhandoff, 1);   /* a statistic */
			handoffp(pp);
		}
		incidlelocked(1);
	}
	return n;
}

/* schedtrace: one line of scheduler state, as Go's GODEBUG=schedtrace,
 * written whole (a printline). */
static void schedtrace(int64_t now)
{
	static int64_t start;
	if (start == 0)
		start = now;
	uint64_t ngo = 0;
	struct printline l;
	l.n = 0;
	/* The atomic loads below are a snapshot for one line, nothing more. */
	lock(&sched.lock);
	pl_str(&l, "SCHED ");
	pl_u64(&l, (uint64_t)(now - start) / 1000000);
	pl_str(&l, "ms: gomaxprocs=");
	pl_u64(&l, (uint64_t)gomaxprocs);
	pl_str(&l, " idleprocs=");
	pl_u64(&l, a_load(&sched.npidle));
	pl_str(&l, " threads=");
	pl_u64(&l, (uint64_t)sched.mnext);
	pl_str(&l, " spinningthreads=");
	pl_u64(&l, a_load(&sched.nmspinning));
	pl_str(&l, " idlethreads=");
	pl_u64(&l, (uint64_t)sched.nmidle);
	pl_str(&l, " runqueue=");
	pl_u64(&l, (uint64_t)sched.runqsize);
	pl_str(&l, " [");
	for (int32_t i = 0; i < gomaxprocs; i++) {
		struct p *pp = allp[i];
		uint32_t n = a_load(&pp->runqtail) - a_load(&pp->runqhead);
		if (a_load_relaxed(&pp->runnext) != NULL)
			n++;
		if (i > 0)
			pl_str(&l, " ");
		pl_u64(&l, n);
	}
	unlock(&sched.lock);
	ngo = gcount();
	pl_str(&l, "] goroutines=");
	pl_u64(&l, ngo);
	pl_str(&l, " handoffs=");
	pl_u64(&l, a_load(&sched.nhandoff));
	pl_str(&l, "\n");
	pl_flush(&l);
}

/* sysmon: a thread of its own, not an M. It sleeps 20 us, backing off to
 * 10 ms while there is nothing to do; takes Ps back from Ms stuck in
 * blocking calls and flags long runners (retake), polls descriptors
 * nobody has polled for 10 ms, starts an M for timers overdue, and prints
 * schedtrace. */
static uint32_t sysmon_key;

uintptr_t sysmon_fp;

static void sysmon(void *arg)
{
	(void)arg;
	/* relaxed: read by a traceback on this thread, or by one elsewhere
	 * that finds its sp is not below it */
	a_store_relaxed(&sysmon_fp, (uintptr_t)__builtin_frame_address(0));
	int64_t delay = 0, lasttrace = 0;
	int idle = 0;

	for (;;) {
		if (idle == 0)
			delay = 20;
		else if (idle > 50)
			delay *= 2;
		if (delay > 10 * 1000)
			delay = 10 * 1000;
		plat_futex_wait(&sysmon_key, 0, delay * 1000);
		if (a_load(&sched.exiting)) {   /* the stop flag */
			for (;;)
				plat_futex_wait(&sysmon_key, 0, -1);
		}
		int64_t now = plat_nanotime();
		/* relaxed: read only for listings; written once a second so the
		 * line stays shared in every parking core's cache */
		if (now - a_load_relaxed(&sched.coarsenow) >= 1000000000)
			a_store_relaxed(&sched.coarsenow, now);
		bool worked = retake(now) != 0;
		/* Descriptors nobody has polled for 10 ms (Go's sysmon). The CAS
		 * makes it one look per 10 ms with the poller's own updates. What
		 * it finds does not count as work, as in Go: a P kept busy by
		 * descriptors never blocks in netpoll, so this look finds
		 * goroutines every 10 ms and would pin sysmon at 20 us naps.
		 * lastpoll is a timestamp and polling a hint: the CAS only elects
		 * the look, and orders nothing. */
		int64_t lastpoll = a_load(&sched.lastpoll);
		if (netpollinited() && a_load(&sched.polling) != POLL_NETPOLL &&
		    lastpoll + 10 * 1000 * 1000 < now && a_cas(&sched.lastpoll, lastpoll, now)) {
			/* Gs netpoll hands us are no longer fd waiters and not yet
			 * queued: sysmon counts as a running M meanwhile (Go's
			 * incidlelocked(-1)), or checkdead could see a deadlock.
			 * seq_cst in, before netpoll's netpollWaiters decrement,
			 * paired with checkdead's loads of the two in the other
			 * order; out once injectglist has queued them under
			 * sched.lock, which checkdead holds. */
			a_xadd(&sched.injecting, 1);
			struct g *list = netpoll(0);
			if (list != NULL)
				injectglist(list);
			a_xadd(&sched.injecting, (uint32_t)-1);
		}
		/* Timers overdue: the M sleeping for them should have woken;
		 * start one (timers run on an M with a P, never here). */
		int64_t next = timeSleepUntil();
		if (next != 0 && next < now && a_load(&sched.npidle) != 0) {   /* a hint: wakep looks again */
			wakep();
			worked = true;
		}
		idle = worked ? 0 : idle + 1;
		/* checkdead runs when the last M goes idle; a thread of the
		 * program's that exits afterwards must not hide a deadlock for
		 * good, so look again now and then while every M is idle (the
		 * count is read from the OS: not every tick). */
		if (idle % 16 == 15) {
			/* nmidle and mnext are sched.lock's: no peeking without it */
			lock(&sched.lock);
			if (sched.nmidle == sched.mnext)
				checkdead();
			unlock(&sched.lock);
		}
		if (debug.schedtrace > 0 && now - lasttrace >= (int64_t)debug.schedtrace * 1000000) {
			lasttrace = now;
			schedtrace(now);
		}
	}
}

void sysmon_start(void)
{
	int err = plat_thread_start(sysmon, NULL);
	if (err != 0)
		newosproc_failed("sysmon", err);
}

/* entersyscall: the goroutine is about to block its thread. Its P stays
 * attached loosely (Psyscall): exitsyscall takes it back if sysmon has not
 * handed it on meanwhile. */
static void entersyscall(void)
{
	struct m *mp = getm();
	if (mp == NULL || mp->curg == NULL)
		return;
	if (mp->syscalldepth++ > 0)
		return;
	struct g *gp = mp->curg;
	struct p *pp = mp->p;
	casgstatus(gp, Grunning, Gsyscall);
	a_xadd(&pp->syscalltick, 1);   /* atomic for retake's compare; ordered by the store below */
	pp->m = NULL;
	mp->oldp = pp;
	mp->p = NULL;
	/* seq_cst, as Go's atomic.Store; a release would do: it publishes
	 * pp->m == NULL and the tick to retake's and exitsyscall's CAS, and
	 * nothing is loaded after it here (Go checks sysmonwait next) */
	a_store(&pp->status, Psyscall);
}

/* exitsyscall0, on g0: no P to be had; queue the goroutine and stop. */
static void exitsyscall0(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();

	casgstatus(gp, Gsyscall, Grunnable);
	dropg(mp);
	lock(&sched.lock);
	struct p *pp = gp->migrate ? NULL : pidleget();
	if (pp == NULL)
		globrunqput(gp);
	unlock(&sched.lock);
	if (pp != NULL) {
		acquirep(mp, pp);
		execute(mp, gp, false);
	}
	struct p *oldp = mp->oldp;
	if (oldp != NULL) {
		/* GORO_DEBUG=migrate=1 came here with its P still in Psyscall:
		 * hand it on as retake would, so another M runs gp. If retake
		 * got there first, its P may have gone idle before gp was
		 * queued: start an M for the global queue (injectg). */
		mp->oldp = NULL;
		if (a_cas(&oldp->status, Psyscall, Pidle)) {   /* seq_cst: against retake's CAS, as there */
			a_xadd(&oldp->syscalltick, 1);
			handoffp(oldp);
		} else if (a_load(&sched.npidle) != 0) {   /* after gp was queued under the lock: as injectg's */
			startm(NULL, false);
		}
	}
	stopm(mp);
	schedule();
}

/* exitsyscall: back from the blocking call. Fast path: our old P, still
 * in Psyscall; then any idle P; else park the goroutine until one frees.
 * GORO_DEBUG=migrate=1 always takes the last, so that code which reads a
 * thread-local (errno) after the pair fails in testing. Past the fast path
 * the caller's errno is saved and put back on whatever thread the goroutine
 * resumes on (the locks and the switch may change or replace it), as cgo
 * keeps errno across its calls. */
static void exitsyscall(void)
{
	struct m *mp = getm();
	if (mp == NULL || mp->curg == NULL || mp->syscalldepth == 0)
		return;
	if (--mp->syscalldepth > 0)
		return;
	struct g *gp = mp->curg;
	struct p *oldp = mp->oldp;
	mp->oldp = NULL;
	bool migrate = debug.migrate != 0;
	/* The load spares a CAS bound to fail; the seq_cst CAS takes the P
	 * back against retake's (one wins), as Go's exitsyscallfast. */
	if (!migrate && oldp != NULL && a_load(&oldp->status) == Psyscall &&
	    a_cas(&oldp->status, Psyscall, Pidle)) {
		acquirep(mp, oldp);
		casgstatus(gp, Gsyscall, Grunning);
		return;
	}
	int err = plat_errno_get();
	if (!migrate && a_load(&sched.npidle) != 0) {   /* a hint: pidleget under the lock decides */
		lock(&sched.lock);
		struct p *pp = pidleget();
		unlock(&sched.lock);
		if (pp != NULL) {
			acquirep(mp, pp);
			casgstatus(gp, Gsyscall, Grunning);
			plat_errno_set(err);
			return;
		}
	}
	if (migrate) {
		gp->migrate = true;
		mp->oldp = oldp;   /* exitsyscall0 hands it on */
	}
	mcall(exitsyscall0);
	plat_errno_set(err);
}

/* A call that may park, between goro_blocking_begin and _end: the goroutine
 * is in Gsyscall with no P, so parking would break casgstatus (procs=1) or
 * run it on without a P. Go cannot get here (a system call does not call
 * back into Go), so this is misuse: fatal, naming the call, every time. */
void blockingcheck_fail(const char *call)
{
	throw_call(call, " called between goro_blocking_begin and goro_blocking_end");
}

void goro_blocking_begin(void) { entersyscall(); }
void goro_blocking_end(void) { exitsyscall(); }

/* gfput: keep a dead G and its stack on pp's free list, spilling half of
 * it to the global list when it fills up. */
static void gfput(struct p *pp, struct g *gp)
{
	if (gp->atomicstatus != Gdead)
		throw("gfput: bad status (not Gdead)");
	if (gp->stackbig) {
		stackbig_put(gp);
		return;
	}
	pp->gfree[pp->ngfree++] = gp;
	if (pp->ngfree < GFREE_LOCAL_MAX)
		return;
	lock(&sched.gfree.lock);
	while (pp->ngfree > GFREE_LOCAL_KEEP)
		gring_push(&sched.gfree.stack, pp->gfree[--pp->ngfree]);
	a_store_relaxed(&sched.gfree.n, sched.gfree.stack.len);   /* relaxed: for gfget's peek */
	unlock(&sched.gfree.lock);
}

/* gfget: a dead G from pp's free list (refilled from the global one), or
 * from the global list when there is no P. NULL if none is cached. */
static struct g *gfget(struct p *pp)
{
	struct g *gp;

	/* relaxed: a peek at the count; the lock decides */
	if (pp == NULL || (pp->ngfree == 0 && a_load_relaxed(&sched.gfree.n) != 0)) {
		lock(&sched.gfree.lock);
		if (pp == NULL) {
			gp = gring_pop_tail(&sched.gfree.stack);
		} else {
			while (pp->ngfree < GFREE_LOCAL_KEEP && (gp = gring_pop_tail(&sched.gfree.stack)) != NULL)
				pp->gfree[pp->ngfree++] = gp;
			gp = NULL;
		}
		a_store_relaxed(&sched.gfree.n, sched.gfree.stack.len);   /* relaxed: as gfput's */
		unlock(&sched.gfree.lock);
		if (pp == NULL)
			return gp;
	}
	return pp->ngfree > 0 ? pp->gfree[--pp->ngfree] : NULL;
}

/* goexit0: the current goroutine is done; its G and stack go back to the
 * free list, on g0. */
static void goexit0(void *arg)
{
	struct g *gp = arg;
	struct m *mp = getm();

	stack_check_canary(gp);
	casgstatus(gp, Grunning, Gdead);
	dropg(mp);
	gp->param = NULL;
	gp->startfn = NULL;
	gp->startarg = NULL;
	gfput(mp->p, gp);
	schedule();
}

/* goexit1: where every goroutine's function returns to (switch.S). */
_Noreturn void goro_rt_goexit(void)
{
	mcall(goexit0);
	throw("goexit0 returned");
}

/* A goroutine id, from pp's batch of 16 (Go's goidcache) to spare the
 * shared counter, or straight from it without a P. */
static uint64_t newgoid(struct p *pp)
{
	enum { GOID_BATCH = 16 };
	/* atomic only so that ids are unique; they order nothing */
	if (pp == NULL)
		return a_xadd(&sched.goidgen, 1);
	if (pp->goidcache == pp->goidcacheend) {
		pp->goidcache = a_xadd(&sched.goidgen, GOID_BATCH) - GOID_BATCH + 1;
		pp->goidcacheend = pp->goidcache + GOID_BATCH;
	}
	return pp->goidcache++;
}

/* newproc1: a runnable G that will run fn(arg), or fn(copy of args) when
 * args is not NULL. pp, if any, supplies cached Gs and ids. */
static int newproc1(void (*fn)(void *), void *arg, const void *args, size_t size,
                    size_t stksize, struct p *pp, struct g **out)
{
	struct g *gp = stksize > stack_size ? malg_big(stksize) : gfget(pp);
	if (gp == NULL && stksize <= stack_size)
		gp = malg();
	if (gp == NULL)
		return GORO_NOMEM;
	if (a_load_relaxed(&gp->atomicstatus) == Gidle)   /* relaxed: nobody else has gp yet */
		casgstatus(gp, Gidle, Gdead);
	san_stack_reused(gp);
	uintptr_t top = gp->stack_hi;
	if (args != NULL) {
		top = (top - size) & ~(uintptr_t)15;
		memcpy((void *)top, args, size);
		arg = (void *)top;
	}
	gp->sched.sp = arch_gobuf_init(top & ~(uintptr_t)15, gostart, gp);
	gp->startfn = fn;
	gp->startarg = arg;
	gp->asan_fake_stack = NULL;
	gp->param = NULL;
	gp->waitreason = waitReasonZero;
	/* relaxed: listings read it racily; casgstatus's release publishes it */
	a_store_relaxed(&gp->goid, newgoid(pp));
	casgstatus(gp, Gdead, Grunnable);
	*out = gp;
	return GORO_OK;
}

struct newproc_args {
	void (*fn)(void *);
	void *arg;
	const void *args;
	size_t size;
	int status;
	const goro_spawn_opts *opts;   /* goro_spawn_with's, or NULL */
	uint64_t parentgoid;
	uintptr_t pc;                  /* the go statement: goro_spawn*'s return address */
	bool tail;                     /* queue at the ring's tail, not in runnext */
};

_Static_assert(sizeof ((struct g *)0)->name == GORO_NAME_MAX, "goro.h's GORO_NAME_MAX");

/* The name as listings print it: at most GORO_NAME_MAX - 1 bytes, anything
 * unprintable (a newline would forge a listing line) as '?'. */
static void setgname(struct g *gp, const char *name)
{
	size_t i = 0;
	if (name != NULL)
		for (; i < GORO_NAME_MAX - 1 && name[i] != '\0'; i++)
			gp->name[i] = name[i] >= ' ' && name[i] <= '~' ? name[i] : '?';
	gp->name[i] = '\0';
}

/* newproc, on g0: create the G and queue it to run next on this P (or
 * last, for spawn_timerfn). */
static void newproc_m(void *v)
{
	struct newproc_args *a = v;
	struct m *mp = getm();
	struct p *pp = mp != NULL ? mp->p : NULL;
	struct g *gp;

	a->status = newproc1(a->fn, a->arg, a->args, a->size,
	                     a->opts != NULL ? a->opts->stack_size : 0, pp, &gp);
	if (a->status != GORO_OK)
		return;
	gp->parentgoid = a->parentgoid;
	gp->gopc = a->pc;
	setgname(gp, a->opts != NULL ? a->opts->name : NULL);
	if (pp == NULL) {
		injectg(gp);
		return;
	}
	runqput(pp, gp, !a->tail);
	if (a_load(&main_started))   /* Go's mainStarted; always set here, as spawn checked running() */
		wakep();
}

/* Two flags, seq_cst as goro_main's and runtime_main's stores; a spawn
 * racing either is the caller's own race. */
static bool running(void)
{
	return a_load(&main_started) && !a_load(&sched.exiting);
}

static int spawn(void (*fn)(void *), void *arg, const void *args, size_t size,
                 const goro_spawn_opts *opts, uintptr_t pc)
{
	if (fn == NULL)
		return GORO_INVAL;
	if (!running()) {
		/* Go has no such moment; say which it is rather than "invalid". */
		printstr("goro: goro_spawn: the runtime is not running (before goro_main, or after "
		         "it returned); nothing spawned\n");
		return GORO_INVAL;
	}
	struct newproc_args a = { fn, arg, args, size, GORO_OK, opts, goro_id(), pc, false };
	systemstack(newproc_m, &a);

	/* A preemption point: a goroutine that has held its P for 10 ms while
	 * spawning lets the new goroutines run (and their Gs be reused). */
	struct m *mp = getm();
	/* relaxed: sysmon's hint, as schedule's */
	if (mp != NULL && mp->curg != NULL && mp->p != NULL && a_load_relaxed(&mp->p->preempt))
		mcall(gosched_m);
	return a.status;
}

/* goFunc's `go f(arg)`, from a timer pass on g0. Unlike Go's newproc the G
 * goes to the tail of the ring, not runnext: a pass firing many AfterFuncs
 * then queues them in order, each one lengthening the ring, which is what
 * checkTimers counts to stop and let them run (in runnext each would push
 * the one before into the ring, and the newest always run first). INVAL
 * when the runtime is exiting, silently: fn would not run anyway. */
int spawn_timerfn(void (*fn)(void *), void *arg)
{
	if (!running())
		return GORO_INVAL;
	struct newproc_args a = { fn, arg, NULL, 0, GORO_OK, NULL, goro_id(),
	                          (uintptr_t)__builtin_return_address(0), true };
	systemstack(newproc_m, &a);
	return a.status;
}

int goro_spawn(void (*fn)(void *), void *arg)
{
	return misuse(spawn(fn, arg, NULL, 0, NULL, (uintptr_t)__builtin_return_address(0)),
	              GORO_INVAL, "goro_spawn", INVAL_WHAT);
}

int goro_spawn_with(const goro_spawn_opts *opts, void (*fn)(void *), void *arg)
{
	int st = GORO_INVAL;
	if (opts == NULL || opts->stack_size <= ((size_t)1 << 30))
		st = spawn(fn, arg, NULL, 0, opts, (uintptr_t)__builtin_return_address(0));
	return misuse(st, GORO_INVAL, "goro_spawn_with", INVAL_WHAT);
}

int goro_spawn_copy(void (*fn)(void *), const void *args, size_t size)
{
	static const char empty[1];
	int st = GORO_INVAL;
	if (size <= GORO_SPAWN_COPY_MAX && (args != NULL || size == 0))
		st = spawn(fn, NULL, args != NULL ? args : empty, size, NULL,
		           (uintptr_t)__builtin_return_address(0));
	return misuse(st, GORO_INVAL, "goro_spawn_copy", INVAL_WHAT);
}

/* runtime.Gosched, by way of goyield: the local queue's tail rather than
 * the global queue and its lock. Still fair: the yielder runs after every
 * G already on this P's queue, and findrunnable's every-61st-tick look at
 * the global queue serves the Gs there, as Go's goyield relies on. */
void goro_yield(void)
{
	struct m *mp = getm();
	if (mp == NULL || mp->curg == NULL) {
		plat_osyield();
		return;
	}
	blockingcheck("goro_yield");
	bool inherit_time;
	struct g *next = direct_next(mp, &inherit_time);
	if (next == NULL) {
		mcall(goyield_m);
		return;
	}
	struct g *gp = mp->curg;
	stack_check_canary(gp);
	casgstatus(gp, Grunning, Grunnable);
	switch_to(mp, gp, next, inherit_time, yield_commit);
}

uint64_t goro_id(void)
{
	struct m *mp = getm();
	return mp != NULL && mp->curg != NULL ? mp->curg->goid : 0;
}

int goro_procs(void)
{
	return gomaxprocs;
}

int64_t goro_now(void)
{
	return plat_nanotime();
}

/* Parse GORO_PROCS: a positive decimal, or 0 when absent or malformed.
 * Go ignores a bad GOMAXPROCS silently; here it is warned about, as
 * GORO_DEBUG's bad values are, and one above MAXPROCS is capped (Go's
 * _MaxGomaxprocs) with a warning. */
static int env_procs(void)
{
	const char *s = plat_getenv("GORO_PROCS");
	int n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	for (const char *q = s; *q != '\0'; q++) {
		if (*q < '0' || *q > '9') {
			n = 0;
			break;
		}
		if (n <= MAXPROCS)
			n = n * 10 + (*q - '0');
	}
	if (n == 0) {
		printstr("goro: GORO_PROCS: ignoring bad value ");
		printstr(s);
		printstr(" (want 1 to ");
		printu64(MAXPROCS);
		printstr("); using the CPU count\n");
		return 0;
	}
	if (n > MAXPROCS) {
		printstr("goro: GORO_PROCS: ");
		printstr(s);
		printstr(" is more than ");
		printu64(MAXPROCS);
		printstr("; using ");
		printu64(MAXPROCS);
		printstr("\n");
		return MAXPROCS;
	}
	return n;
}

struct dbgvar debug;

static bool streq_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i] || b[i] == '\0')
			return false;
	return b[n] == '\0';
}

/* parsedebugvars: GORO_DEBUG="schedtrace=1000,migrate=1". An unknown key or
 * a bad value is warned about, never silently ignored. */
static void parsedebugvars(void)
{
	const char *s = plat_getenv("GORO_DEBUG");
	while (s != NULL && *s != '\0') {
		const char *key = s, *eq = NULL;
		while (*s != '\0' && *s != ',') {
			if (*s == '=' && eq == NULL)
				eq = s;
			s++;
		}
		const char *end = s;
		if (*s == ',')
			s++;
		if (end == key)
			continue;
		int32_t v = -1;
		if (eq != NULL && eq + 1 < end) {
			v = 0;
			for (const char *q = eq + 1; q < end; q++) {
				if (*q < '0' || *q > '9' || v > 100000000) {
					v = -1;
					break;
				}
				v = v * 10 + (*q - '0');
			}
		}
		size_t klen = (size_t)((eq != NULL ? eq : end) - key);
		int32_t *dst = NULL;
		if (streq_n(key, "schedtrace", klen))
			dst = &debug.schedtrace;
		else if (streq_n(key, "migrate", klen))
			dst = &debug.migrate;
		else if (streq_n(key, "waitshift", klen))
			dst = &debug.waitshift;
		else if (streq_n(key, "deadlock", klen))
			dst = &debug.deadlock;
		else if (streq_n(key, "strict", klen))
			dst = &debug.strict;
		if (dst == NULL || v < 0) {
			printstr("goro: GORO_DEBUG: ignoring ");
			printstr(dst == NULL ? "unknown key " : "bad value in ");
			plat_write_err(key, (size_t)(end - key));
			printstr("\n");
			continue;
		}
		*dst = v;
	}
}

/* schedinit + procresize: size the Ps and stacks; all Ps but allp[0] idle. */
static int schedinit(const goro_config *cfg)
{
	int procs = cfg != NULL ? cfg->procs : 0;
	size_t ss = cfg != NULL ? cfg->stack_size : 0;

	plat_osinit();
	ncpu = plat_ncpu();
	parsedebugvars();
	if (procs == 0)
		procs = env_procs();
	if (procs <= 0)
		procs = ncpu;
	if (procs < 1)
		procs = 1;
	if (procs > MAXPROCS)
		procs = MAXPROCS;
	if (ss == 0)
		ss = 64 << 10;
	if (ss < (16 << 10))
		ss = 16 << 10;
	stack_size = round_page(ss);

	a_store_relaxed(&sched.coarsenow, plat_nanotime());   /* before any other thread */
	mallocinit();
	struct p *ps = plat_map(sizeof(struct p) * (size_t)procs);
	if (ps == NULL)
		return GORO_NOMEM;
	gomaxprocs = procs;
	for (int i = 0; i < procs; i++) {
		allp[i] = &ps[i];
		ps[i].id = i;
		ps[i].status = Pidle;
		lockInit(&ps[i].timersLock, lockRankTimers);
	}
	lock(&sched.lock);   /* as procresize's caller: pidleput asserts it */
	for (int i = procs - 1; i > 0; i--)
		pidleput(allp[i]);
	unlock(&sched.lock);
	steal_order_reset((uint32_t)procs);
	a_store(&sched.lastpoll, plat_nanotime());   /* before sysmon starts; thread start orders it */
	return GORO_OK;
}

struct main_args {
	int (*fn)(void *);
	void *arg;
};

/* runtime.main: goroutine 1. When it returns, so does goro_main. */
static void runtime_main(void *v)
{
	struct main_args *ma = v;
	main_result = ma->fn(ma->arg);
	/* seq_cst, though it publishes nothing: the stop flag that
	 * findRunnable and sysmon poll; notewakeup publishes main_result */
	a_store(&sched.exiting, 1);
	notewakeup(&main_done);
}

int goro_main(const goro_config *cfg, int (*main_fn)(void *), void *arg)
{
	if (main_fn == NULL || (cfg != NULL && (cfg->procs < 0 || cfg->stack_size > ((size_t)1 << 30))))
		return GORO_INVAL;
	if (!a_cas(&runtime_started, 0, 1))   /* elects the one goro_main; orders nothing */
		return GORO_INVAL;
	int st = schedinit(cfg);
	if (st != GORO_OK)
		return st;

	struct main_args ma = { main_fn, arg };
	struct g *gp;
	st = newproc1(runtime_main, &ma, NULL, 0, 0, allp[0], &gp);
	if (st != GORO_OK)
		return st;
	runqput(allp[0], gp, false);   /* no M owns allp[0] yet */
	a_store(&main_started, 1);   /* seq_cst: after goroutine 1 is queued; goready (to wakep) and checkdead test it */
	/* The first M is counted before sysmon can look (schedtrace, checkdead). */
	lock(&sched.lock);
	int64_t id = sched.mnext++;
	unlock(&sched.lock);
	sysmon_start();
	newm(NULL, allp[0], id);

	notesleep(&main_done);
	return main_result;
}
