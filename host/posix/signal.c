/* The fault handler's plumbing: SIGSEGV/SIGBUS go to core's report (a hit
 * on a goroutine's stack guard, or any other fault and the usual death),
 * unless the application installed its own handler before goro_main: then
 * that one gets every fault that is not a guard hit. SIGQUIT lists the goroutines and exits 2. Ports the Linux
 * parts of Go's signal_unix.go (initsig, sighandler, sigfwdgo, sigpanic for
 * the stack-overflow case) and minitSignalStack. Async-signal-safe only. */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform.h"
#include "posix.h"

enum { ALTSTACK = 64 << 10 };

/* The SIGSEGV and SIGBUS actions the application had before initsig, as
 * Go's sigtable keeps fwdSig: faults that are not goro's go to them.
 * Written once by plat_osinit before fault can run. */
static struct sigaction old_segv, old_bus;

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

/* sighandler's plumbing, on the thread's signal stack: core reports a
 * guard hit (and exits) or, unless the application handles the signal
 * itself, any other fault; then the default action is restored and the
 * handler returns, so the faulting instruction runs again and the process
 * dies by the signal. */
static void fault(int sig, siginfo_t *info, void *ctx)
{
	struct sigaction sa;
	uintptr_t pc, fp, sp;

	context_regs(ctx, &pc, &fp, &sp);
	goro_rt_sigoverflow(info->si_addr, pc, fp, sp);
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
	goro_rt_sigpanic(sig == SIGBUS ? "SIGBUS" : "SIGSEGV", info->si_addr, pc, fp, sp);

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

/* osinit + initsig: install fault for SIGSEGV and SIGBUS and quit for
 * SIGQUIT, on the signal stack. Called once, by schedinit, before the first
 * M starts: goroutines run only on Ms, each with its signal stack. */
void plat_osinit(void)
{
	struct sigaction sa;

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
