/* The fault handler: turns a hit on a goroutine's stack guard into Go's one
 * fatal line, and any other SIGSEGV/SIGBUS into a report naming the
 * goroutine and the usual death, unless the application installed its own
 * handler before goro_main: then that one gets every fault that is not a
 * guard hit. SIGQUIT lists the goroutines and exits 2. Ports the Linux
 * parts of Go's signal_unix.go (initsig, sighandler, sigfwdgo, sigpanic for
 * the stack-overflow case) and minitSignalStack. Async-signal-safe only. */
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform.h"
#include "posix.h"

enum { ALTSTACK = 64 << 10 };

static _Atomic int siginit_done;

/* The SIGSEGV and SIGBUS actions the application had before initsig, as
 * Go's sigtable keeps fwdSig: faults that are not goro's go to them.
 * Written once by plat_posix_siginit before fault can run. */
static struct sigaction old_segv, old_bus;

/* Appends s to the buffer at *p, which is at least as long as needed. */
static char *put(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *putdec(char *p, uint64_t v)
{
	char tmp[20];
	int i = 0;

	do
		tmp[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0)
		*p++ = tmp[--i];
	return p;
}

static char *puthex(char *p, uintptr_t v)
{
	char tmp[2 * sizeof v];
	int i = 0;

	do
		tmp[i++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	while (i > 0)
		*p++ = tmp[--i];
	return p;
}

/* The interrupted pc, frame pointer and sp, for the traceback: the one
 * place host/posix knows a CPU. */
static void context_regs(const void *ctx, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp)
{
	const ucontext_t *uc = ctx;
#if defined(__x86_64__)
	*pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	*fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	*sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	*pc = (uintptr_t)uc->uc_mcontext.pc;
	*fp = (uintptr_t)uc->uc_mcontext.regs[29];
	*sp = (uintptr_t)uc->uc_mcontext.sp;
#else
	(void)uc;
	*pc = *fp = *sp = 0;
#endif
}

/* sighandler: runs on the thread's signal stack. A guard hit is a stack
 * overflow: one line, exit 2, as Go's "stack overflow" throw. Anything else
 * is reported, the default action restored, and the handler returns so the
 * faulting instruction runs again and the process dies by the signal. */
static void fault(int sig, siginfo_t *info, void *ctx)
{
	char buf[192], *p = buf;
	struct sigaction sa;
	uint64_t id;

	id = goro_rt_guard_owner(info->si_addr);
	if (id != 0) {
		p = put(p, "goro: fatal error: stack overflow in goroutine ");
		p = putdec(p, id);
		p = put(p, GORO_OVERFLOW_HINT "\n");
		plat_write_err(buf, (size_t)(p - buf));
		uintptr_t pc, fp, sp;
		context_regs(ctx, &pc, &fp, &sp);
		goro_rt_traceback_fault(pc, fp, sp);
		_exit(2);
	}
	/* sigfwdgo: not a guard hit, and the application handles this signal
	 * itself (a lazily mapped region, a JIT, a crash reporter): its call. */
	const struct sigaction *old = sig == SIGBUS ? &old_bus : &old_segv;
	if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		if (old->sa_flags & SA_SIGINFO)
			old->sa_sigaction(sig, info, ctx);
		else
			old->sa_handler(sig);
		return;
	}
	p = put(p, "goro: fatal error: unexpected signal ");
	p = put(p, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
	p = put(p, " at address 0x");
	p = puthex(p, (uintptr_t)info->si_addr);
	id = goro_rt_current_goid();
	if (id != 0) {
		p = put(p, " in goroutine ");
		p = putdec(p, id);
	}
	p = put(p, "\n");
	plat_write_err(buf, (size_t)(p - buf));
	uintptr_t pc, fp, sp;
	context_regs(ctx, &pc, &fp, &sp);
	goro_rt_traceback_fault(pc, fp, sp);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	/* Sent by kill(2) and friends: no instruction will fault again. The
	 * signal stays blocked until we return, then kills with SIG_DFL. */
	if (info->si_code <= 0)
		raise(sig);
}

/* SIGQUIT, as Go: list every goroutine and exit 2. */
static void quit(int sig)
{
	static const char msg[] = "SIGQUIT: quit\n";

	(void)sig;
	plat_write_err(msg, sizeof msg - 1);
	goro_rt_dump();
	_exit(2);
}

/* initsig: install fault for SIGSEGV and SIGBUS, on the signal stack, once.
 * Concurrent callers may return before the first finished; harmless, since
 * only threads started after plat_thread_start's call can overflow a guard
 * with a signal stack to report it on. */
void plat_posix_siginit(void)
{
	struct sigaction sa;

	if (atomic_exchange_explicit(&siginit_done, 1, memory_order_relaxed))
		return;	/* relaxed: the flag orders nothing, it only elects */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sa.sa_flags = SA_ONSTACK;
	sa.sa_handler = quit;
	sigaction(SIGQUIT, &sa, NULL);
}

/* minitSignalStack: a 64 KiB signal stack from mmap for the calling thread.
 * Threads never exit, so it is never freed. Without one (no memory), a guard
 * hit still kills the process by SIGSEGV, only without the goro line. */
void plat_posix_sigaltstack(void)
{
	stack_t ss;
	void *p;

	p = mmap(NULL, ALTSTACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return;
	ss.ss_sp = p;
	ss.ss_size = ALTSTACK;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) != 0)
		munmap(p, ALTSTACK);
}
