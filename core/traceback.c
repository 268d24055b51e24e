/* Goroutine listings for fatal errors and SIGQUIT: the header lines of
 * traceback.go's goroutineheader ("goroutine 7 [chan receive]:"), over the
 * list of every G ever made (proc.go's allgs). No stack walks in v1. */
#include "runtime2.h"
#include "platform.h"

static struct g *allg;   /* atomic head; append-only, linked by alllink */

/* allgadd: lock-free push, since the fault path walks the list unlocked. */
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
	return a_load(&allg);
}

static const char *waitreason_strings[] = {
	[waitReasonZero] = "waiting",
	[waitReasonChanReceive] = "chan receive",
	[waitReasonChanSend] = "chan send",
	[waitReasonSelect] = "select",
	[waitReasonSleep] = "sleep",
	[waitReasonSemacquire] = "semacquire",
	[waitReasonSelectNoCases] = "select (no cases)",
};

static const char *gstatus_string(const struct g *gp)
{
	switch (a_load(&gp->atomicstatus)) {
	case Grunnable: return "runnable";
	case Grunning: return "running";
	case Gsyscall: return "blocking call";
	case Gwaiting:
		if (gp->waitreason < sizeof waitreason_strings / sizeof waitreason_strings[0])
			return waitreason_strings[gp->waitreason];
		return "waiting";
	}
	return "?";
}

/* Print one line per live goroutine (the first hundred), newest first.
 * Racy by nature; safe to call from a fault handler or a dying process. */
void tracebackothers(void)
{
	enum { MAX_LISTED = 100 };
	uint64_t listed = 0, more = 0;

	for (struct g *gp = a_load(&allg); gp != NULL; gp = gp->alllink) {
		uint32_t st = a_load(&gp->atomicstatus);
		if (st == Gdead || st == Gidle)
			continue;
		if (listed++ >= MAX_LISTED) {
			more++;
			continue;
		}
		printstr("\ngoroutine ");
		printu64(a_load_relaxed(&gp->goid));
		printstr(" [");
		printstr(gstatus_string(gp));
		printstr("]:\n");
	}
	if (more != 0) {
		printstr("\n... ");
		printu64(more);
		printstr(" more goroutines\n");
	}
}

/* gcount: goroutines alive (racy, for schedtrace). */
uint64_t gcount(void)
{
	uint64_t n = 0;
	for (struct g *gp = a_load(&allg); gp != NULL; gp = gp->alllink) {
		uint32_t st = a_load(&gp->atomicstatus);
		n += st != Gdead && st != Gidle;
	}
	return n;
}

/* runtime.NumGoroutine. */
int goro_num_goroutine(void)
{
	return (int)gcount();
}

uint64_t goro_rt_current_goid(void)
{
	struct m *mp = getm();
	return mp != NULL && mp->curg != NULL ? mp->curg->goid : 0;
}

/* For the host's SIGQUIT handler: the listing, as Go prints on SIGQUIT. */
void goro_rt_dump(void)
{
	tracebackothers();
}
