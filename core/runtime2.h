/* The runtime's data: g, m, p and schedt, after Go's runtime2.go, and the
 * prototypes core's files share. Every field says who may touch it. The lock
 * order is written once, beside struct mutex below. */
#ifndef GORO_RUNTIME2_H
#define GORO_RUNTIME2_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "atomic.h"
#include "arch.h"

struct g;
struct m;
struct p;
struct hchan;

/* Machine facts, named once. PHYS_PAGE_SIZE is what plat_map sizes are
 * rounded to and plat_guard protects: Go reads physPageSize from the
 * auxiliary vector, goro assumes 4 KiB. CACHE_LINE pads what different
 * CPUs write. */
enum { PHYS_PAGE_SIZE = 4096, CACHE_LINE = ARCH_CACHE_LINE };
static inline size_t round_page(size_t n)
{
	return (n + PHYS_PAGE_SIZE - 1) & ~(size_t)(PHYS_PAGE_SIZE - 1);
}

/* Lock order, the one copy (Go's lockrank.go): a thread holding a lock takes
 * only locks of a higher rank, never the reverse; no runtime lock is held
 * across a context switch but gopark's, which its unlockf drops on g0 of
 * the same M. The ranks below are the order, outermost first; under
 * GORO_LOCKRANK (make LOCKRANK=1) each lock() checks them (lockrank.c).
 * A timer's f and goready run with no lock held; closechan and semrelease
 * collect the Gs to wake and ready them after unlocking. */
enum lockRank {
	lockRankUnranked,     /* zeroed memory no lockInit reached: fatal under GORO_LOCKRANK */
	lockRankCtx,          /* goro_ctx.mu (context.c): one context at a time; the
	                       * deadline is armed under it and the timer's f takes it */
	lockRankTimerMu,      /* goro_timer.mu (sleep.c): Stop and Reset drain the channel
	                       * and deltimer/modtimer under it; the fire takes no lock of its own */
	lockRankPollDeadline, /* pollDesc.dlock (fd.h): a deadline's timer is armed and
	                       * disarmed under it; no timer's f takes it; then its pd's lock */
	lockRankHchan,        /* hchan.lock (chan.h): select takes several, by ascending
	                       * address, the one rank held more than once */
	lockRankPollDesc,     /* pollDesc.lock: one at a time (selparkcommit queues fd
	                       * cases with its channels locked); the Gs netpoll, a
	                       * deadline or a close wake are readied after unlocking */
	lockRankSema,         /* sema.lock (sema.h): one object at a time */
	lockRankNotifyList,   /* notifyList.lock (sema.h): one object at a time */
	lockRankTimers,       /* p.timersLock (time.c): one P's at a time; selparkcommit
	                       * arms its timer under the channel locks */
	lockRankSched,        /* sched.lock: addtimer's wakeNetPoller may startm */
	lockRankGFree,        /* sched.gfree.lock */
	lockRankStack,        /* stack_lock (stack.c) */
	lockRankSudog,        /* sched.sudoglock: chanpark and selectgo get and free sudogs locked */
	/* Leaves: taken under any lock above, nothing taken under them, never
	 * two at once. */
	lockRankLeaf,
	lockRankPollCache = lockRankLeaf,   /* pollcache.lock (netpoll.c) */
	lockRankNetpollInit,  /* netpollInitLock (netpoll.c) */
	lockRankQuarantine,   /* quarantine.lock (chan.c) */
	lockRankMallocClass,  /* class_lock (malloc.c) */
	lockRankMcentral,     /* central[c].lock (malloc.c) */
	lockRankArena,        /* arena_lock (malloc.c) */
	lockRankCount
};

/* lock_futex.c: the runtime's own mutex and one-shot note (Go's mutex and
 * note). key is 0 (unlocked/clear), 1 (locked/woken) or 2 (sleepers wait).
 * A mutex in zeroed memory gets its rank from lockInit before first use, a
 * static one from MUTEX_INIT; the mutexes laid over goro.h's public types
 * (sema.h) are bare words taken with lockWithRank. */
struct mutex {
	uint32_t key;
#ifdef GORO_LOCKRANK
	uint32_t rank;        /* enum lockRank */
#endif
};
#ifdef GORO_LOCKRANK
#define MUTEX_INIT(r) { 0, (r) }
#define MUTEX_RANK(l) ((enum lockRank)(l)->rank)
#else
#define MUTEX_INIT(r) { 0 }
#define MUTEX_RANK(l) lockRankUnranked
#endif
static inline void lockInit(struct mutex *l, enum lockRank r)
{
#ifdef GORO_LOCKRANK
	l->rank = r;
#else
	(void)l;
	(void)r;
#endif
}
struct note { uint32_t key; };

void lock(struct mutex *l);
void unlock(struct mutex *l);
void lockWithRank(uint32_t *key, enum lockRank r);   /* a bare lock word */
void unlockWithRank(uint32_t *key, enum lockRank r);
/* assertLockHeld: a function's "l must be held", checked on entry. Under
 * GORO_LOCKRANK, held by this M; otherwise held by someone. */
void assertLockHeld(struct mutex *l);
/* lockrank.c: record and check a lock this M takes or drops; nothing
 * without GORO_LOCKRANK. */
#ifdef GORO_LOCKRANK
void lockRankAcquire(uint32_t *key, enum lockRank r);
void lockRankRelease(uint32_t *key, enum lockRank r);
#else
static inline void lockRankAcquire(uint32_t *key, enum lockRank r) { (void)key; (void)r; }
static inline void lockRankRelease(uint32_t *key, enum lockRank r) { (void)key; (void)r; }
#endif
void noteclear(struct note *n);
void notewakeup(struct note *n);
void notesleep(struct note *n);

/* A goroutine's saved context: the sp at which goro_arch_mcall left its
 * callee-saved frame (arch.h's ARCH_FRAME_*). switch.S takes the address of
 * this word (goro_arch_gogo(&gp->sched.sp)); what it finds there is laid out
 * by arch.h alone. */
struct gobuf { uintptr_t sp; };

/* G status, as runtime2.go. */
enum {
	Gidle,       /* just allocated, not yet initialised */
	Grunnable,   /* on a run queue, not running */
	Grunning,    /* running on an M that holds a P */
	Gsyscall,    /* in a blocking call (goro_blocking_begin .. _end) */
	Gwaiting,    /* parked (gopark); waitreason says on what */
	Gdead,       /* exited; on a free list with its stack */
};

/* Why a goroutine is Gwaiting; names shown in goroutine dumps. */
enum waitreason {
	waitReasonZero,
	waitReasonChanReceive,
	waitReasonChanSend,
	waitReasonSelect,
	waitReasonSleep,
	waitReasonSemacquire,
	waitReasonSelectNoCases,
	waitReasonIOWait,
};

/* A goroutine. Lives at the top of its own stack slot (stack.c), so a G and
 * its stack are allocated, cached and reused as one. Fields not marked
 * otherwise belong to whoever holds the G: the M running it, or the queue or
 * lock it sits behind. */
struct g {
	struct gobuf sched;      /* first, asserted below: a G's sp is at offset 0 */
	uintptr_t stack_lo;      /* usable stack is [stack_lo, stack_hi) */
	uintptr_t stack_hi;
	uint32_t atomicstatus;   /* G*: only casgstatus changes it, by the G's owner; atomic for racy readers */
	uint8_t waitreason;      /* enum waitreason, valid while Gwaiting */
	bool canary;             /* no guard page: check stack_lo's canary at switches */
	struct g *schedlink;     /* run queue / free list link, owned by that list */
	struct m *m;             /* the M running it, or NULL */
	struct m *lastm;         /* the M that ran it last */
	bool migrate;            /* GORO_DEBUG=migrate: move it off lastm */
	void *param;             /* passed to a goroutine by whoever readies it */
	uint64_t goid;
	void (*startfn)(void *); /* what newproc was asked to run */
	void *startarg;
	struct sudog *waiting;   /* sudogs this G is queued with (select), in lock order */
	uint32_t selectDone;     /* atomic: a select's wake-up is claimed (dequeue, timer) */
	uint32_t selcommit;      /* atomic: selparkcommit still queues this G's fd cases */
	bool foreign;            /* stand-in for a thread the runtime does not own */
	struct note park;        /* a stand-in sleeps here instead of parking */
	struct timer *standin_timer;  /* a stand-in's timeout (select), fired by itself if due */
	struct g *alllink;       /* allg list (traceback.c), append-only */
	void *asan_fake_stack;   /* sanitizer.h */
	void *tsan_fiber;        /* sanitizer.h */
	/* For listings and debuggers (traceback.c, tools/goro-gdb.py), set by
	 * newproc_m before the G is queued; read racily, never trusted. */
	uint64_t parentgoid;     /* the spawning goroutine, 0 for another thread */
	uintptr_t gopc;          /* return address of its goro_spawn* call */
	int64_t waitsince;       /* coarse time (sched.coarsenow) it parked */
	bool stackbig;           /* a stack of its own (goro_spawn_with), not a slab slot */
	char name[32];           /* goro_spawn_with's, NUL-terminated; "" if none */
};
/* A debugger or a fault handler finds a parked G's sp in its first word,
 * as Go's asm finds g.sched at a fixed offset (go_asm.h). */
_Static_assert(offsetof(struct g, sched) == 0 && offsetof(struct gobuf, sp) == 0,
               "g->sched.sp is a G's first word");

/* A G waiting on a channel or semaphore, as runtime2.go's sudog. A G can be
 * on many wait lists (select), so a sudog is the membership, not the G.
 * Fields are protected by the lock of the channel it is queued on (c). */
struct sudog {
	struct g *g;
	struct sudog *next, *prev;   /* wait queue links */
	void *elem;                  /* data element (may point into g's stack) */
	struct sudog *waitlink;      /* g->waiting list */
	struct hchan *c;             /* channel it waits on; NULL for a select fd case,
	                              * whose elem is its pollDesc and ticket its mode */
	bool isSelect;               /* g is in select: claim it via g->selectDone */
	bool success;                /* woken by a communication, not by close */
	uint32_t ticket;             /* sema.c */
	struct sudog *parent;        /* sema.c */
};

struct waitq { struct sudog *first, *last; };

/* A timer (time.c; the internal API in CONTRACT.md), on the heap of the P
 * that armed it, as Go 1.14+. The owner fills in when (absolute nanotime),
 * period (0: one-shot), f, arg and seq, arms it with addtimer or modtimer,
 * and keeps t alive until deltimer and then timerwait have returned. A
 * zeroed timer is not armed. f(arg, seq) runs on an M holding a P (its own
 * or a thief's), with no runtime lock held; a periodic timer is re-armed
 * before its f runs, so two calls of one f may overlap.
 *
 * Invariants (the one copy):
 * - t->pp is the P whose heap holds t (at t->heapidx), NULL when t is not
 *   armed, or TIMER_BUSY while one addtimer/modtimer, having claimed the
 *   unarmed t by CAS from NULL, puts it on a heap. It changes from or to a
 *   P only under that P's timersLock: whoever locks t->pp's lock and finds
 *   t->pp still the same P knows t is on that heap.
 * - An armed t->pp may carry TIMER_CLAIMED (P structs are cache-line
 *   aligned): the one claimant, who set it by CAS from the bare P, alone
 *   reads or writes when, period, f, arg and seq until it stores the next
 *   t->pp (release). A modtimer making t later claims it without the lock;
 *   a holder of the lock claims it before it fires, moves or removes t.
 *   So a fire and a modification never both win one arming.
 * - Under pp->timersLock, pp->timers[0..numTimers) is a 4-ary min-heap on
 *   the slot's when, every when > 0, each t->heapidx its index. A slot's
 *   when is t->when, or earlier when a lock-free modtimer has made t later
 *   since (Go 1.19's timerModifiedLater): checkTimers moves, rather than
 *   fires, a due slot whose when is not t->when, so t is never early.
 *   pp->timer0When is timers[0].when or 0 when empty. It is read without
 *   the lock as a hint: a stale or early read only costs a look, because
 *   whoever makes a P's earliest timer earlier calls wakeNetPoller after
 *   unlocking.
 * - t->nrunning counts calls of t's f under way; the runner increments it
 *   under the lock, in the same critical section that disarms (or re-arms)
 *   t, and decrements it as its last touch of t. So once deltimer has seen
 *   t disarmed, timerwait sees every call that could still touch t. */
struct timer {
	int64_t when;
	int64_t period;
	void (*f)(void *arg, uintptr_t seq);
	void *arg;
	uintptr_t seq;
	/* private to time.c */
	struct p *pp;                /* atomic: see above */
	int32_t heapidx;             /* under pp->timersLock, while t->pp is pp */
	uint32_t nrunning;           /* atomic */
};
#define TIMER_BUSY ((struct p *)1)
#define TIMER_CLAIMED ((uintptr_t)2)   /* a bit of an armed t->pp */

/* A heap slot: the timer and, beside it, its when (Go 1.23's timerWhen). */
struct timerWhen {
	struct timer *t;
	int64_t when;                /* == t->when */
};

/* An OS thread (machine). Created by newm, never freed. */
struct m {
	uintptr_t g0sp;          /* g0 anchor: mcall and systemstack run from here */
	struct g *curg;          /* running goroutine, or NULL on g0 */
	struct p *p;             /* attached P, or NULL */
	struct p *nextp;         /* P to acquire when woken (startm) */
	struct p *oldp;          /* P held before entersyscall, to try to reacquire */
	int32_t syscalldepth;    /* nesting of goro_blocking_begin */
	int64_t id;
	bool spinning;           /* looking for work; counted in sched.nmspinning */
	void (*mstartfn)(void);  /* run once before the first schedule */
	struct note park;        /* stopm sleeps here */
	bool (*waitunlockf)(struct g *, void *);   /* gopark's, for park_m on g0 */
	void *waitlock;
	struct m *schedlink;     /* sched.midle link, under sched.lock */
	struct m *alllink;       /* allm, append-only */
	uint64_t fastrand;       /* owned by the thread */
	void (*mcallfn)(void *); /* what mcall runs on g0 */
	struct g *requeue;       /* switch_to: a G to put back in runnext once off its stack */
	void *tsan_fiber;        /* sanitizer.h: g0's */
#ifdef GORO_LOCKRANK
	int32_t locksHeldLen;    /* lockrank.c: this M's locks, in the order taken */
	struct heldLockInfo {
		uint32_t *key;       /* the lock word; hchan's: the last one taken */
		uint32_t rank;
		uint32_t count;      /* > 1 only for hchan.lock, taken several at once */
	} locksHeld[16];
#endif
};

/* P status. */
enum { Pidle, Prunning, Psyscall, Pdead };

enum { RUNQ_SIZE = 256, GFREE_LOCAL_MAX = 64, GFREE_LOCAL_KEEP = 32, SUDOG_CACHE = 128 };

/* A growable ring of G pointers, for the global run queue (FIFO) and the
 * global free list (LIFO). Go threads both through g.schedlink; an array
 * moves Gs without touching them, which matters here because every G sits
 * on its own stack page: a list walk costs a cache and TLB miss per G.
 * Protected by whichever lock guards its owner. */
struct gring {
	struct g **buf;
	uint32_t head, len, cap;
};

/* Per-P allocation cache (malloc.c): one free list per size class. */
enum { NUM_SIZE_CLASSES = 36 };
struct mlink { struct mlink *next; };
struct mcache {
	struct mlink *free[NUM_SIZE_CLASSES];
	uint32_t nfree[NUM_SIZE_CLASSES];
};

/* A processor: the right to run Go code, and the queues that go with it.
 * Owner = the M in p->m; runqhead, runnext and the runq slots are also read
 * (and runqhead advanced) by stealing Ms, with the orderings in runq.c. */
struct p {
	int32_t id;
	uint32_t status;         /* P*: under sched.lock, or owner */
	struct p *link;          /* sched.pidle link, under sched.lock */
	uint32_t schedtick;      /* owner: incremented on every schedule */
	struct m *m;             /* owning M, or NULL when idle */

	uint64_t goidcache;      /* owner: next goid to hand out ... */
	uint64_t goidcacheend;   /* ... and the end of the cached batch */

	uint32_t runqhead;       /* atomic: consumers (owner and stealers) */
	uint32_t runqtail;       /* atomic: written by the owner only */
	struct g *runq[RUNQ_SIZE];
	struct g *runnext;       /* atomic: runs next, inheriting the time slice */

	struct g *gfree[GFREE_LOCAL_MAX];   /* owner: dead Gs with their stacks */
	int32_t ngfree;

	struct mcache mcache;    /* owner */

	struct sudog *sudogcache[SUDOG_CACHE];   /* owner */
	int32_t nsudogcache;

	uint32_t preempt;        /* atomic: sysmon asks the running G to yield soon */
	uint32_t sysmon_schedtick;     /* sysmon's: schedtick when it last looked */
	int64_t sysmon_schedwhen;      /* sysmon's: when it saw that tick first */

	/* Timers armed on this P (time.c; invariants at struct timer). Any M
	 * may run them (a thief in stealWork), under timersLock. */
	struct mutex timersLock;
	struct timerWhen *timers;   /* under timersLock: the heap */
	uint32_t numTimers;      /* under timersLock */
	uint32_t timerscap;      /* under timersLock */
	int64_t timer0When;      /* atomic: written under timersLock, read anywhere */

	uint32_t syscalltick;    /* atomic: bumped by every entersyscall and retake */
	uint32_t sysmon_syscalltick;   /* sysmon's: syscalltick when it last looked */
	int64_t sysmon_syscallwhen;    /* sysmon's: when it saw that tick first */
} __attribute__((aligned(CACHE_LINE)));

enum { MAXPROCS = 256 };

/* Global scheduler state. */
struct schedt {
	struct mutex lock;
	uint64_t goidgen;        /* atomic */

	struct m *midle;         /* idle Ms waiting for work, under lock */
	int32_t nmidle;          /* under lock */
	int32_t nmidlelocked;    /* under lock: -1 while retake hands a P on (incidlelocked) */
	int64_t mnext;           /* next M id, under lock */

	struct p *pidle;         /* idle Ps, under lock */
	uint32_t npidle;         /* atomic; written under lock */
	uint32_t nmspinning;     /* atomic */

	struct gring runq;       /* global run queue, under lock */
	int32_t runqsize;        /* runq.len, written under lock; racy reads are a hint */

	struct {
		struct mutex lock;
		struct gring stack;  /* dead Gs with stacks, under gfree.lock */
		uint32_t n;          /* stack.len, for unlocked peeks */
	} gfree;

	struct mutex sudoglock;
	struct sudog *sudogcache; /* under sudoglock, linked by next */

	/* The one M with no P and nothing to run that sleeps until the
	 * earliest timer of all Ps, in netpoll once the poller exists, else on
	 * a futex (Go: the M blocked in netpoll, findRunnable; its role is
	 * Go's lastpoll == 0).
	 * It takes the role by CAS on polling, then reads pollKey, then the
	 * timers, then publishes pollUntil; wakeNetPoller, after arming a
	 * timer, reads polling and pollUntil and bumps pollKey if the sleeper
	 * would wake too late. seq_cst throughout: each side stores, then
	 * loads what the other stores. */
	uint32_t polling;        /* atomic: 0, or the sleeper's POLL_* */
	int64_t pollUntil;       /* atomic: when it wakes; 0 until published, or never */
	uint32_t pollKey;        /* atomic: a POLL_FUTEX sleeper's futex word */
	int64_t lastpoll;        /* atomic: when netpoll last looked (sysmon's 10 ms) */
	uint32_t injecting;      /* atomic: sysmon holds Gs from netpoll, not yet queued */

	uint32_t exiting;        /* atomic: goro_main's main returned */
	int64_t coarsenow;       /* atomic: plat_nanotime() as sysmon last saw it, to the
	                            second: gopark's waitsince without a clock read */
	uint64_t nhandoff;       /* atomic: Ps retaken from blocking calls (schedtrace) */
};

extern struct schedt sched;
extern struct p *allp[MAXPROCS];
extern int32_t gomaxprocs;
extern int32_t ncpu;                        /* plat_ncpu(), read once by schedinit */
extern uint32_t idlepmask[MAXPROCS / 32];   /* atomic: bit set while P idle */
extern size_t stack_size;                   /* usable bytes per goroutine stack */

/* GORO_DEBUG knobs (Go's GODEBUG), read once by schedinit. */
extern struct dbgvar {
	int32_t schedtrace;      /* ms between scheduler summaries; 0: off */
	int32_t migrate;         /* 1: a readied G resumes on another M */
	int32_t waitshift;       /* seconds added to waits in listings (tests of "N minutes") */
	int32_t deadlock;        /* 1: checkdead even with threads goro does not own */
	int32_t strict;          /* 1: misuse Go panics on is fatal (misuse below) */
} debug;

/* The current M lives in thread-local storage, but a goroutine may resume
 * on another thread, and compilers cache the address of a _Thread_local
 * across calls. So it is read only here, by arch.h's ARCH_TLS_LOAD: one
 * volatile asm per call, which the compiler cannot cache or hoist. Never
 * hold the result across a context switch. NULL on a thread the runtime
 * does not own. */
extern _Thread_local struct m *tls_m;

static inline struct m *getm(void)
{
	struct m *mp;
	ARCH_TLS_LOAD(mp, tls_m);
	return mp;
}

/* proc.c */
uint32_t fastrand(void);
void casgstatus(struct g *gp, uint32_t oldval, uint32_t newval);
void systemstack(void (*fn)(void *), void *arg);
void gopark(struct g *gp, bool (*unlockf)(struct g *, void *), void *lock, enum waitreason reason);
void goready(struct g *gp);
void wakep(void);
void goyield(void);
bool sync_canspin(int iter);
void sync_dospin(void);
void sysmon_start(void);
extern uintptr_t sysmon_fp;   /* sysmon's first frame, for its tracebacks (traceback.c) */
_Noreturn void goro_rt_goexit(void);

/* proc.c: blocking primitives and threads the runtime does not own */
struct g *getg_or(struct g *standin);
struct sudog *acquireSudog(void);
void releaseSudog(struct sudog *s);
enum { POLL_FUTEX = 1, POLL_NETPOLL = 2 };   /* sched.polling */
void injectglist(struct g *list);     /* Gwaiting Gs linked by schedlink: make runnable */
void wakeNetPoller(int64_t when);    /* a timer for when was armed: see that an M wakes for it */

/* time.c */
void addtimer(struct timer *t);       /* arm t; wakes a sleeping M if need be */
bool deltimer(struct timer *t);       /* true if t was stopped before f ran; never waits */
bool modtimer(struct timer *t, int64_t when, int64_t period,
              void (*f)(void *, uintptr_t), void *arg, uintptr_t seq);   /* true if t was pending */
void timerwait(struct timer *t);      /* until no f of t runs (not from f) */
int64_t when_after(int64_t ns);       /* now + ns, saturating at INT64_MAX */

/* sleep.c */
bool timers_ready(void);              /* goro_main has made the Ps timers live on */
bool checkTimers(struct p *pp, int64_t now);   /* run pp's due timers; true if any ran */
int spawn_timerfn(void (*fn)(void *), void *arg);   /* goFunc's go statement: queued last */
int64_t timeSleepUntil(void);         /* earliest timer of all Ps, or 0 */

/* runq.c (proc.go's run-queue section) */
void runqput(struct p *pp, struct g *gp, bool next);
struct g *runqget(struct p *pp, bool *inherit_time);
struct g *runqsteal(struct p *pp, struct p *p2, bool steal_runnext);
bool runqempty(struct p *pp);
void globrunqput(struct g *gp);
void globrunqputbatch(struct g **batch, int32_t n);
void gring_push(struct gring *r, struct g *gp);   /* at the tail; throws when out of memory */
struct g *gring_pop(struct gring *r);             /* from the head, or NULL */
struct g *gring_pop_tail(struct gring *r);        /* from the tail, or NULL */
struct g *globrunqget(struct p *pp, int32_t max);

/* stack.c */
struct g *malg(void);                 /* a new G on a fresh stack, or NULL */
struct g *malg_big(size_t size);      /* a Gdead or Gidle G with a stack of its own, >= size */
void stackbig_put(struct g *gp);      /* a dead one goes back to malg_big's cache */
void stack_check_canary(struct g *gp);
uint64_t stack_guard_owner(const void *addr);   /* whose guard holds addr, or 0; async-signal-safe */

/* malloc.c */
void mallocinit(void);
void *rtmalloc(size_t size);          /* zeroed; NULL when out of memory */
void rtfree(void *ptr, size_t size);  /* size as passed to rtmalloc */

/* traceback.c */
void allgadd(struct g *gp);
struct g *allghead(void);             /* newest G; walk by alllink, lock-free */
void tracebackothers(void);
void traceback_fatal(uintptr_t fp);   /* throw's, from its frame fp: this goroutine, or all, per GORO_TRACEBACK */
void traceback_fault(uintptr_t pc, uintptr_t fp, uintptr_t sp);   /* a signal's, from its context; async-signal-safe */
uint64_t gcount(void);

/* panic.c */
_Noreturn void throw(const char *s);
_Noreturn void throw_stackoverflow(uint64_t goid);   /* the canary's; the guard's is goro_rt_sigoverflow */
_Noreturn void throw_call(const char *call, const char *what);
void startpanic(void);   /* before a fatal line: a second thrower blocks for good */
/* GORO_DEBUG=strict=1: status is returned, unless it is bad and strict mode
 * is on; then "goro: fatal error: <call>: <what>", as Go's panic would be. */
static inline int misuse(int status, int bad, const char *call, const char *what)
{
	if (__builtin_expect(status == bad, 0) && debug.strict)
		throw_call(call, what);
	return status;
}
#define INVAL_WHAT ": invalid argument (GORO_DEBUG=strict=1)"
/* A goro call that may park, made inside goro_blocking_begin/end: fatal,
 * naming call (blockingcheck_fail, proc.c). Inline: it is on every
 * blocking channel call's fast path, and one TLS load and a predictable
 * branch is all it costs there. */
_Noreturn void blockingcheck_fail(const char *call);
static inline void blockingcheck(const char *call)
{
	struct m *mp = getm();
	if (__builtin_expect(mp != NULL && mp->syscalldepth > 0, 0))
		blockingcheck_fail(call);
}
void printstr(const char *s);
void printu64(uint64_t v);
struct printline {
	size_t n;
	char   b[504];
};
void pl_str(struct printline *l, const char *s);
void pl_u64(struct printline *l, uint64_t v);
void pl_flush(struct printline *l);

/* The subset of libc core may use; freestanding targets must supply these. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
