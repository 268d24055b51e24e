/* Timer, Ticker and AfterFunc over the runtime's timers: ports time/sleep.go
 * (NewTimer, Stop, Reset, AfterFunc, sendTime, goFunc) and time/tick.go
 * (NewTicker), with Go 1.23's channel semantics (runtime/time.go's seq). */
#include "chan.h"
#include "platform.h"

enum { TIMER_CHAN, TIMER_TICKER, TIMER_FUNC };

#define TIMER_MAGIC 0x74696d72u   /* "timr" */

/* The no-stale-value protocol (Go 1.23 makes its sends conditional on a
 * sequence number under t.sendLock; here the fire takes no lock, so that
 * Stop and Reset may hold theirs across deltimer and modtimer whatever
 * those wait for):
 *   - every arm gets a fresh seq, passed to t.f; live holds the seq of the
 *     arm that may still deliver, 0 when none. A one-shot fire claims it
 *     by CAS(live, seq, 0); a ticker fire only checks live == seq.
 *   - a fire counts itself in sending before it looks at live, and stops
 *     counting after its send. Stop and Reset exchange live for 0, then
 *     wait for sending to reach 0, then drain the channel: any fire that
 *     saw the old seq is counted (seq_cst increment before the load of
 *     live, exchange before the load of sending: one of the two sees the
 *     other), so its value is in the buffer by then and is drained.
 * mu serialises Stop, Reset and free on one timer (not the fires); it is a
 * runtime lock, never held across a park: mu > timer internals > hchan.lock. */
struct goro_timer {
	struct timer t;          /* the runtime timer; its seq is the arm's */
	struct mutex mu;
	uint32_t magic;          /* TIMER_MAGIC while allocated: catches stale handles */
	uint8_t kind;            /* TIMER_*; immutable */
	uintptr_t seq;           /* under mu: the last seq handed out */
	uintptr_t live;          /* atomic: the seq that may still deliver, or 0 */
	uint32_t sending;        /* atomic: fires between looking at live and their send's end
	                          * (a ticker's: 0 or 1, see sendTime) */
	goro_chan *c;            /* immutable; NULL for TIMER_FUNC */
	void (*fn)(void *);      /* TIMER_FUNC; immutable */
	void *fnarg;
};

static bool timer_valid(const goro_timer *t)
{
	return t != NULL && a_load_relaxed(&t->magic) == TIMER_MAGIC;
}

/* A handle the caller may use: refused (false) when NULL or stale, fatal
 * under GORO_DEBUG=strict=1 (Go panics on a nil *Timer). */
static bool timer_ok(const goro_timer *t, const char *call)
{
	if (timer_valid(t))
		return true;
	if (debug.strict)
		throw_call(call, INVAL_WHAT);
	return false;
}

/* sendTime: t.f of a channel timer or ticker; runs on g0, must not block.
 * A full buffer means the receiver has not taken the last value: the tick
 * is dropped, as Go's non-blocking send does.
 *
 * Two ticks of one ticker may be run at once (a periodic timer is re-armed
 * before its f runs, and a thief may fire the next tick while the M that
 * fired this one is descheduled). If both sent, the later-started could
 * read the clock first and its value arrive first: the next value received
 * would be earlier than the last, and earlier than its own period. So a
 * ticker sends one tick at a time, reading the clock only once it is the
 * sender: sending is 1 while a tick sends, and a tick that finds it so is
 * dropped, like one that finds the buffer full. A ticker's i-th value is
 * then read after i ticks came due, in order. */
static void sendTime(void *arg, uintptr_t seq)
{
	goro_timer *t = arg;
	bool deliver;
	if (t->kind == TIMER_TICKER) {
		/* seq_cst CAS: before the load of live, as the increment below */
		if (!a_cas(&t->sending, 0, 1))
			return;
		deliver = a_load(&t->live) == seq;
	} else {
		a_xadd(&t->sending, 1);   /* seq_cst: before the load of live (see above) */
		deliver = a_cas(&t->live, seq, 0);
	}
	if (deliver) {
		int64_t now = plat_nanotime();
		(void)chansend(hchan_of(t->c), &now, false);
	}
	a_xadd(&t->sending, (uint32_t)-1);   /* seq_cst: after the send, read by stop_locked */
}

/* goFunc: t.f of an AfterFunc. Once claimed, fn runs: Stop says false. */
static void goFunc(void *arg, uintptr_t seq)
{
	goro_timer *t = arg;
	if (!a_cas(&t->live, seq, 0))
		return;
	int st = spawn_timerfn(t->fn, t->fnarg);
	if (st == GORO_NOMEM)
		throw("goro_after_func: out of memory starting the function");
	/* INVAL: the program is exiting; fn would not run anyway. */
}

/* Whether timers can be armed: there are Ps to hold them (goro_main has
 * set them up). Relaxed: written once, before any goroutine runs. */
bool timers_ready(void)
{
	return a_load_relaxed(&gomaxprocs) != 0;
}

static goro_timer *newTimer(int kind, int64_t ns, int64_t period, void (*fn)(void *), void *arg)
{
	if (!timers_ready())
		return NULL;
	goro_timer *t = rtmalloc(sizeof *t);
	if (t == NULL)
		return NULL;
	lockInit(&t->mu, lockRankTimerMu);
	if (kind != TIMER_FUNC) {
		t->c = goro_chan_make(sizeof(int64_t), 1);
		if (t->c == NULL) {
			rtfree(t, sizeof *t);
			return NULL;
		}
	}
	t->kind = (uint8_t)kind;
	t->fn = fn;
	t->fnarg = arg;
	t->seq = 1;
	a_store_relaxed(&t->live, 1);
	t->t.when = when_after(ns < 0 ? 0 : ns);
	t->t.period = period;
	t->t.f = kind == TIMER_FUNC ? goFunc : sendTime;
	t->t.arg = t;
	t->t.seq = 1;
	a_store_rel(&t->magic, TIMER_MAGIC);   /* release: publishes t before a handle is used */
	addtimer(&t->t);
	return t;
}

goro_timer *goro_timer_make(int64_t ns)
{
	return newTimer(TIMER_CHAN, ns, 0, NULL, NULL);
}

goro_timer *goro_ticker_make(int64_t period)
{
	if (period <= 0) {
		if (debug.strict)
			throw_call("goro_ticker_make", ": non-positive interval for NewTicker (GORO_DEBUG=strict=1)");
		return NULL;
	}
	return newTimer(TIMER_TICKER, period, period, NULL, NULL);
}

goro_timer *goro_after_func(int64_t ns, void (*fn)(void *), void *arg)
{
	if (fn == NULL) {
		if (debug.strict)
			throw_call("goro_after_func", INVAL_WHAT);
		return NULL;
	}
	return newTimer(TIMER_FUNC, ns, 0, fn, arg);
}

goro_chan *goro_timer_chan(goro_timer *t)
{
	return timer_ok(t, "goro_timer_chan") ? t->c : NULL;
}

/* The common half of Stop and Reset (Go 1.23's timer.stop/modify for a
 * channel timer): no arm from before delivers after this returns, and a
 * value it delivered but nobody received is discarded. live becomes next:
 * 0 for Stop, the new arm's seq for Reset, which skips the deltimer (del
 * false): its modtimer moves the timer in place, and a fire of the old arm
 * meanwhile finds live changed and does nothing. True if an arm was live
 * or a value was discarded. t->mu is held. */
static bool stop_locked(goro_timer *t, bool del, uintptr_t next)
{
	bool pending = a_xchg(&t->live, next) != 0;   /* seq_cst: before the load of sending */
	if (del)
		deltimer(&t->t);
	if (t->c == NULL)
		return pending;
	while (a_load(&t->sending) != 0)
		plat_osyield();   /* a fire mid-send: a few instructions away */
	/* Empty: no stale value to drain, and none can come (the fires that
	 * saw the old live are done: their sends are ordered before the
	 * sending decrement we read). The channel is never closed. */
	struct hchan *c = hchan_of(t->c);
	if (!chan_empty(c) && chanrecv(c, NULL, false) == GORO_OK)
		pending = true;
	return pending;
}

bool goro_timer_stop(goro_timer *t)
{
	if (!timer_ok(t, "goro_timer_stop"))
		return false;
	lock(&t->mu);
	bool pending = stop_locked(t, true, 0);
	unlock(&t->mu);
	return pending;
}

bool goro_timer_reset(goro_timer *t, int64_t ns)
{
	if (!timer_ok(t, "goro_timer_reset"))
		return false;
	int64_t period = 0;
	if (t->kind == TIMER_TICKER) {
		if (ns <= 0) {
			if (debug.strict)
				throw_call("goro_timer_reset",
				           ": non-positive interval for Ticker.Reset (GORO_DEBUG=strict=1)");
			return false;
		}
		period = ns;
	}
	int64_t when = when_after(ns < 0 ? 0 : ns);
	lock(&t->mu);
	uintptr_t seq = ++t->seq;
	if (seq == 0)
		seq = ++t->seq;   /* 0 is "none" in live */
	/* live is seq before the arm: a fire reads live after claiming t
	 * from modtimer, whose release of t orders our exchange first */
	bool pending = stop_locked(t, false, seq);
	modtimer(&t->t, when, period, t->t.f, t, seq);
	unlock(&t->mu);
	return pending;
}

void goro_timer_free(goro_timer *t)
{
	if (!timer_valid(t))
		return;
	lock(&t->mu);
	(void)stop_locked(t, true, 0);
	a_store_relaxed(&t->magic, 0);
	unlock(&t->mu);
	timerwait(&t->t);   /* a fire popped before the deltimer may still run */
	if (t->c != NULL)
		goro_chan_free(t->c);
	rtfree(t, sizeof *t);
}
