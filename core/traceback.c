/* Goroutine listings for fatal errors, faults and SIGQUIT: traceback.go's
 * goroutineheader ("goroutine 7 "name" [chan receive, 2 minutes]:"), its
 * frames walked through frame pointers (gentraceback, reduced to what C
 * frame records give), "created by" (printcreatedby), tracebackothers over
 * the list of every G ever made (proc.go's allgs), and GORO_TRACEBACK
 * (runtime1.go's gotraceback levels). Async-signal-safe throughout: no
 * locks, no allocation, every stack word read checked against the stack's
 * bounds first. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"
#include "fd.h"

static struct g *allg;   /* atomic head; append-only, linked by alllink */

/* allgadd: lock-free push, since the fault path walks the list unlocked.
 * The CAS is seq_cst where release would do: it publishes gp and its
 * alllink to the walkers' loads of allg (acquire would do there). */
void allgadd(struct g *gp)
{
	struct g *head;
	do {
		head = a_load(&allg);
		gp->alllink = head;
	} while (!a_cas(&allg, head, gp));
}

struct g *allghead(void)
{
	return a_load(&allg);   /* pairs with allgadd's CAS */
}

/* used: tools/goro-gdb.py reads this table by name, and clang would
 * otherwise fold it into its only reader and drop the symbol. */
__attribute__((used))
static const char *const waitreason_strings[] = {
	[waitReasonZero] = "waiting",
	[waitReasonChanReceive] = "chan receive",
	[waitReasonChanSend] = "chan send",
	[waitReasonSelect] = "select",
	[waitReasonSleep] = "sleep",
	[waitReasonSemacquire] = "semacquire",
	[waitReasonSelectNoCases] = "select (no cases)",
	[waitReasonIOWait] = "IO wait",
};

static const char *gstatus_string(uint32_t st, uint8_t reason)
{
	switch (st) {
	case Grunnable: return "runnable";
	case Grunning: return "running";
	case Gsyscall: return "blocking call";
	case Gwaiting:
		if (reason < sizeof waitreason_strings / sizeof waitreason_strings[0] &&
		    waitreason_strings[reason] != NULL)
			return waitreason_strings[reason];
		return "waiting";
	}
	return "?";
}

/* ---- GORO_TRACEBACK (gotraceback) ---- */

enum { TB_NONE, TB_SINGLE, TB_ALL, TB_SYSTEM };

static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

/* none: the fatal line alone. single (default): the failing goroutine, or
 * every goroutine when none is to blame (deadlock, SIGQUIT). all: every
 * goroutine. system: all, with the runtime's own frames. Read on first use
 * (a racy, idempotent store) so that a fault before goro_main has it too. */
static int tblevel(void)
{
	static int level = -1;
	int l = a_load_relaxed(&level);
	if (l >= 0)
		return l;
	const char *s = plat_getenv("GORO_TRACEBACK");
	l = TB_SINGLE;
	if (s != NULL && *s != '\0') {
		if (streq(s, "none") || streq(s, "0"))
			l = TB_NONE;
		else if (streq(s, "all") || streq(s, "1"))
			l = TB_ALL;
		else if (streq(s, "system") || streq(s, "2"))
			l = TB_SYSTEM;
		else if (!streq(s, "single")) {
			printstr("goro: GORO_TRACEBACK: ignoring ");
			printstr(s);
			printstr("\n");
		}
	}
	a_store_relaxed(&level, l);
	return l;
}

/* ---- output: one line at a time through a fixed buffer ---- */

struct line {
	char b[256];
	size_t n;
};

static void lput(struct line *l, const char *s)
{
	while (*s != '\0' && l->n < sizeof l->b)
		l->b[l->n++] = *s++;
}

static void lputn(struct line *l, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] != '\0' && l->n < sizeof l->b; i++)
		l->b[l->n++] = s[i];
}

static void lnum(struct line *l, uint64_t v, unsigned base)
{
	char tmp[24];
	int i = 0;
	do
		tmp[i++] = "0123456789abcdef"[v % base];
	while ((v /= base) != 0);
	while (i > 0 && l->n < sizeof l->b)
		l->b[l->n++] = tmp[--i];
}

static void lhex(struct line *l, uint64_t v)
{
	lput(l, "0x");
	lnum(l, v, 16);
}

static void lflush(struct line *l)
{
	if (l->n == sizeof l->b)
		l->b[l->n - 1] = '\n';   /* a truncated line still ends */
	plat_write_err(l->b, l->n);
	l->n = 0;
}

/* ---- frames ---- */

enum { MAXFRAMES = 64 };

struct frames {
	uintptr_t pc[MAXFRAMES];
	struct plat_symbol sym[MAXFRAMES];
	int n;
	bool first_is_pc;    /* pc[0] is where it stopped, not a return address */
	bool broken;         /* the chain left the stack: code without frame pointers? */
	uintptr_t badfp;
	bool elided;         /* more than MAXFRAMES */
};

struct region { uintptr_t lo, hi; };

static bool in_region(const struct region *r, uintptr_t fp)
{
	return fp >= r->lo && fp < r->hi && r->hi - fp >= 2 * sizeof(uintptr_t);
}

/* Walk frame records from fp: [fp] is the caller's fp, [fp + 8] the return
 * address. Each fp must be aligned, inside the stack, and above the last
 * one (stacks grow down, so callers sit higher); the first that is not ends
 * the walk as broken, since reading it could fault. The walk may start on
 * g0 (r0) and cross once into the goroutine's stack (r1), as systemstack
 * and mcall leave the chain. fp 0 is the chain's end (gostart, mstart). */
static void walk(struct frames *f, uintptr_t pc, bool is_pc, uintptr_t fp,
                 struct region r0, struct region r1)
{
	const struct region *r = &r0;
	f->n = 0;
	f->first_is_pc = is_pc;
	f->broken = f->elided = false;
	if (pc != 0)
		f->pc[f->n++] = pc;
	uintptr_t last = 0;
	while (fp != 0 && fp != r0.hi) {   /* r0's top: the thread's first frame, not read */
		bool ok = in_region(r, fp) && fp > last;
		if (!ok && r == &r0 && !in_region(&r0, fp) && in_region(&r1, fp)) {
			r = &r1;   /* from g0 onto the goroutine's stack, which may lie lower */
			ok = true;
		}
		if (!ok || fp % sizeof(uintptr_t) != 0) {
			f->broken = true;
			f->badfp = fp;
			return;
		}
		const uintptr_t *rec = (const uintptr_t *)fp;
		uintptr_t next = rec[0], ret = rec[1];
		if (ret == 0)
			return;
		if (f->n == MAXFRAMES) {
			f->elided = true;
			return;
		}
		f->pc[f->n++] = ret;
		last = fp;
		fp = next;
	}
}

/* A return address names the call before it (a noreturn call may be a
 * function's last instruction); the printed offset stays the pc's own. */
static uintptr_t callpc(const struct frames *f, int i)
{
	return i == 0 && f->first_is_pc ? f->pc[0] : f->pc[i] - 1;
}

static void symbolize(struct frames *f)
{
	for (int i = 0; i < f->n; i++)
		plat_symbolize(callpc(f, i), &f->sym[i]);
}

/* core's and arch's code, which the Makefile puts in a section of its own
 * (tools/relocatable.sh); weak, so a program linking core's objects
 * without that step (tests/nolibc) sees 0 and shows every frame. */
extern const char __start_goro_text[] __attribute__((weak));
extern const char __stop_goro_text[] __attribute__((weak));

static bool is_runtime(uintptr_t pc)
{
	return pc >= (uintptr_t)__start_goro_text && pc < (uintptr_t)__stop_goro_text;
}

/* Print frames [from, to), Go's two lines each: the function and offset,
 * then where addr2line finds it (module + offset), or the bare pc. */
static void printframe(const struct plat_symbol *s, uintptr_t pc)
{
	struct line l = { .n = 0 };
	if (s->name != NULL) {
		lput(&l, s->name);
		lput(&l, "+");
		lhex(&l, pc - s->start);
	} else {
		lhex(&l, pc);
	}
	lput(&l, "\n");
	if (s->module != NULL) {
		lput(&l, "\t");
		lput(&l, s->module);
		lput(&l, "+");
		lhex(&l, pc - s->bias);
		lput(&l, "\n");
	}
	lflush(&l);
}

/* The frames, less the runtime's own unless GORO_TRACEBACK=system (Go's
 * showframe): inside, the calls the runtime made after the application
 * entered it, when the walk began in the runtime (a parked goroutine's
 * mcall, a throw; a fault in the runtime keeps them); outside, the
 * goroutine's start (goro_arch_gostart, gostart, runtime_main). */
static void printframes(struct frames *f, bool from_runtime, bool parked)
{
	int from = 0, to = f->n;
	symbolize(f);
	if (tblevel() < TB_SYSTEM && __stop_goro_text != NULL) {
		if (from_runtime)
			while (from < to && is_runtime(callpc(f, from)))
				from++;
		while (to > from && is_runtime(callpc(f, to - 1)))
			to--;
		if (from == to && !parked) {   /* all the runtime's (a throw in the scheduler): show them */
			from = 0;
			to = f->n;
		}
	}
	for (int i = from; i < to; i++)
		printframe(&f->sym[i], f->pc[i]);
	struct line l = { .n = 0 };
	if (f->broken) {
		lput(&l, "...frame chain broken at ");
		lhex(&l, f->badfp);
		lput(&l, " (code built without frame pointers?)\n");
	} else if (f->elided) {
		lput(&l, "...additional frames elided...\n");
	}
	lflush(&l);
}

/* "created by f+0x1c in goroutine 1": the function that called goro_spawn*
 * and its call site; goroutine 0 is a thread the runtime does not own. */
static void printcreatedby(struct g *gp)
{
	uintptr_t pc = gp->gopc;
	if (pc == 0)
		return;
	struct plat_symbol s;
	plat_symbolize(pc - 1, &s);
	struct line l = { .n = 0 };
	lput(&l, "created by ");
	if (s.name != NULL) {
		lput(&l, s.name);
		lput(&l, "+");
		lhex(&l, pc - s.start);
	} else {
		lhex(&l, pc);
	}
	uint64_t parent = a_load_relaxed(&gp->parentgoid);   /* relaxed: a listing's racy read */
	if (parent != 0) {
		lput(&l, " in goroutine ");
		lnum(&l, parent, 10);
	}
	lput(&l, "\n");
	if (s.module != NULL) {
		lput(&l, "\t");
		lput(&l, s.module);
		lput(&l, "+");
		lhex(&l, pc - s.bias);
		lput(&l, "\n");
	}
	lflush(&l);
}

static struct region gstack(const struct g *gp)
{
	struct region r = { gp->stack_lo, gp->stack_hi };
	return r;
}

/* goroutineheader: id, name, state, and the wait once it passes a minute
 * (Go's "[chan receive, 2 minutes]"; GORO_DEBUG=waitshift=S adds S seconds,
 * for tests). The relaxed loads are a listing's racy reads, after the
 * caller's load of st. */
static void goroutineheader(struct g *gp, uint32_t st)
{
	struct line l = { .n = 0 };
	lput(&l, "\ngoroutine ");
	lnum(&l, a_load_relaxed(&gp->goid), 10);
	if (gp->name[0] != '\0') {
		lput(&l, " \"");
		lputn(&l, gp->name, sizeof gp->name);
		lput(&l, "\"");
	}
	lput(&l, " [");
	lput(&l, gstatus_string(st, a_load_relaxed(&gp->waitreason)));
	int64_t since = gp->waitsince;
	if (st == Gwaiting && since != 0) {
		int64_t waited = plat_nanotime() + (int64_t)debug.waitshift * 1000000000 - since;
		int64_t minutes = waited / 60000000000LL;
		if (minutes >= 1) {
			lput(&l, ", ");
			lnum(&l, (uint64_t)minutes, 10);
			lput(&l, " minutes");
		}
	}
	lput(&l, "]:\n");
	lflush(&l);
}

/* A goroutine not running: its frames from the context mcall saved. One
 * running elsewhere, or in a blocking call, has no saved context. */
static void traceback_parked(struct g *gp, uint32_t st)
{
	goroutineheader(gp, st);
	if (st == Gwaiting || st == Grunnable) {
		/* relaxed: saved before the status store-release that the
		 * caller's load of st acquired; stale if gp ran since, hence
		 * the bounds check */
		uintptr_t sp = a_load_relaxed(&gp->sched.sp);
		struct region r = gstack(gp);
		if (sp >= r.lo && sp + ARCH_FRAME_SIZE <= r.hi && sp % 16 == 0) {
			const uintptr_t *fr = (const uintptr_t *)sp;
			struct frames f;
			walk(&f, fr[ARCH_FRAME_PC / 8], false, fr[ARCH_FRAME_FP / 8], r, r);
			printframes(&f, true, true);   /* a fresh G has only its start: nothing */
		}
	} else {
		printstr(st == Gsyscall ? "goroutine in a blocking call; stack unavailable\n"
		                        : "goroutine running on other thread; stack unavailable\n");
	}
	printcreatedby(gp);
}

/* tracebackothers: every live goroutine but skip (the first hundred),
 * newest first. Racy by nature; safe to call from a fault handler or a
 * dying process. */
static void listothers(struct g *skip)
{
	enum { MAX_LISTED = 100 };
	uint64_t listed = 0, more = 0;

	/* seq_cst where acquire would do: allg as allghead's; the status
	 * pairs with casgstatus's release, for the saved sp and waitreason */
	for (struct g *gp = a_load(&allg); gp != NULL; gp = gp->alllink) {
		uint32_t st = a_load(&gp->atomicstatus);
		if (st == Gdead || st == Gidle || gp == skip)
			continue;
		if (listed++ >= MAX_LISTED) {
			more++;
			continue;
		}
		traceback_parked(gp, st);
	}
	if (more != 0) {
		printstr("\n... ");
		printu64(more);
		printstr(" more goroutines\n");
	}
}

void tracebackothers(void)
{
	if (tblevel() != TB_NONE)
		listothers(NULL);
}

/* Whether sp is on sysmon's thread, below the frame sysmon began with. A
 * thread without an M is sysmon or one the runtime does not own. sysmon's
 * calls go a few frames deep; another thread's stack is a mapping of its
 * own, which lies below the whole of sysmon's (256 KiB on both hosts), so
 * 64 KiB below that frame is sysmon's alone. */
static bool on_sysmon(uintptr_t sp)
{
	uintptr_t top = a_load_relaxed(&sysmon_fp);   /* written once, by sysmon */
	return top != 0 && sp < top && top - sp < (64u << 10);
}

/* The goroutine on this thread (if any) from a point in it: pc and fp of a
 * signal context or of the caller, sp to tell its stack from g0's. Then the
 * others, as the level says; with no goroutine to blame, all of them. */
static void traceback_here(uintptr_t pc, bool is_pc, uintptr_t fp, uintptr_t sp, bool from_runtime)
{
	int level = tblevel();
	if (level == TB_NONE)
		return;
	struct m *mp = getm();
	struct g *gp = mp != NULL ? mp->curg : NULL;
	if (gp != NULL) {
		struct region r1 = gstack(gp);
		struct region r0 = r1;
		if (sp < r1.hi && sp + (64u << 10) >= r1.lo) {
			/* on the goroutine's stack, or just past its end (an overflow) */
		} else if (sp < mp->g0sp && mp->g0sp - sp < (8u << 20)) {
			r0.lo = sp;   /* on g0: systemstack or mcall */
			r0.hi = mp->g0sp;
		} else {
			r0.lo = r0.hi = 0;   /* a stack we know nothing of: trust only the G's */
		}
		goroutineheader(gp, a_load(&gp->atomicstatus));   /* as listothers' */
		struct frames f;
		walk(&f, pc, is_pc, fp, r0, r1);
		printframes(&f, from_runtime, false);
		printcreatedby(gp);
	} else if (level >= TB_SYSTEM && (mp != NULL || on_sysmon(sp))) {
		/* an M's g0, or sysmon (no M): up to the frame its thread began in */
		struct region r0 = { sp, mp != NULL ? mp->g0sp : a_load_relaxed(&sysmon_fp) };
		struct frames f;
		printstr("\nruntime stack:\n");
		walk(&f, pc, is_pc, fp, r0, r0);
		printframes(&f, from_runtime, false);
	}
	if (gp == NULL || level >= TB_ALL)
		listothers(gp);
}

/* throw's listing, from throw's frame (fp) up. */
void traceback_fatal(uintptr_t fp)
{
	traceback_here(0, false, fp, arch_getsp(), true);
}

/* A fault's listing, from the signal context's registers. */
void traceback_fault(uintptr_t pc, uintptr_t fp, uintptr_t sp)
{
	traceback_here(pc, true, fp, sp, false);
}

/* gcount: goroutines alive (racy, for schedtrace). */
uint64_t gcount(void)
{
	uint64_t n = 0;
	for (struct g *gp = a_load(&allg); gp != NULL; gp = gp->alllink) {
		uint32_t st = a_load(&gp->atomicstatus);   /* a count, racy: any order would do */
		n += st != Gdead && st != Gidle;
	}
	return n;
}

/* runtime.NumGoroutine. */
int goro_num_goroutine(void)
{
	return (int)gcount();
}

/* goro_stats: one walk over allg for the goroutines, then each P's timer
 * heap and the scheduler's counts, each under its own lock, one at a time.
 * A snapshot of moving counts, so sums may disagree by a few. */
int goro_stats(struct goro_stats *st)
{
	if (st == NULL)
		return GORO_INVAL;
	memset(st, 0, sizeof *st);
	for (struct g *gp = a_load(&allg); gp != NULL; gp = gp->alllink) {
		uint32_t status = a_load(&gp->atomicstatus);   /* seq_cst: waitreason was stored before */
		switch (status) {
		case Grunning: st->running++; break;
		case Grunnable: st->runnable++; break;
		case Gsyscall: st->blocking++; break;
		case Gwaiting:
			st->waiting++;
			switch (a_load_relaxed(&gp->waitreason)) {
			case waitReasonChanReceive: st->wait_chan_recv++; break;
			case waitReasonChanSend: st->wait_chan_send++; break;
			case waitReasonSelect:
			case waitReasonSelectNoCases: st->wait_select++; break;
			case waitReasonSleep: st->wait_sleep++; break;
			case waitReasonSemacquire: st->wait_sync++; break;
			case waitReasonIOWait: st->wait_io++; break;
			default: st->wait_other++; break;
			}
			break;
		default:
			continue;
		}
		st->goroutines++;
	}
	int32_t np = goro_procs();   /* 0 before goro_main */
	st->procs = (uint32_t)np;
	for (int32_t i = 0; i < np; i++) {
		struct p *pp = allp[i];
		if (pp == NULL)
			continue;
		lock(&pp->timersLock);
		st->timers += pp->numTimers;
		unlock(&pp->timersLock);
	}
	st->fds = pollcache_inuse();
	if (np > 0) {
		lock(&sched.lock);
		st->threads = (uint32_t)sched.mnext;
		st->idle_threads = (uint32_t)sched.nmidle;
		unlock(&sched.lock);
		st->idle_procs = a_load(&sched.npidle);   /* a snapshot, as schedtrace's */
		st->spinning_threads = a_load(&sched.nmspinning);
	}
	return GORO_OK;
}

/* For the host's SIGQUIT handler: the listing, as Go prints on SIGQUIT. */
void goro_rt_dump(void)
{
	tracebackothers();
}
