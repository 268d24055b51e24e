/* The platform interface of core/platform/platform.h on raw Linux system calls, no
 * libc: threads are clone(2)s with their own mmap'ed stack and TLS, memory
 * is mmap, park/wake is futex(2), the clock is clock_gettime(2). Ports the
 * Linux halves of Go's os_linux.go (newosproc, futexsleep, getproccount),
 * mem_linux.go and signal_unix.go's signal plumbing. */
#include <stdatomic.h>

#include "nolibc.h"
#include "platform.h"

enum {
	THREAD_STACK = 256 << 10,	/* g0: the scheduler runs here */
	ALTSTACK = 64 << 10,		/* the fault handler runs here */
};

static int is_err(long r) { return (unsigned long)r >= (unsigned long)-4095; }

static size_t round_up(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

static _Atomic int nthreads = 1;	/* the main thread, then every clone (relaxed) */

/* What a new thread finds at the top of its stack. */
struct start {
	void (*fn)(void *);
	void *arg;
	void *alt;	/* its signal stack */
};

/* First C code on a new thread (plat_nolibc_clone calls it, TLS already
 * set by CLONE_SETTLS): its own signal stack (clone with CLONE_VM starts
 * without one), then fn. */
static void thread_entry(void *v)
{
	struct start *s = v;

	plat_nolibc_sigaltstack(s->alt, ALTSTACK);
	s->fn(s->arg);
}

/* newosproc: one mapping per thread, low to high: a guard page, the stack,
 * the signal stack, the TLS area. Threads never exit, so it is never freed. */
int plat_thread_start(void (*fn)(void *), void *arg)
{
	size_t pg = plat_nolibc_pagesize;
	size_t size = pg + THREAD_STACK + ALTSTACK + round_up(plat_nolibc_tls_size, pg);
	unsigned char *base, *top;
	struct start *s;
	uintptr_t *sp;
	long r;

	base = sys_mmap(NULL, size, NOLIBC_PROT_READ | NOLIBC_PROT_WRITE,
	    NOLIBC_MAP_PRIVATE | NOLIBC_MAP_ANONYMOUS | NOLIBC_MAP_NORESERVE | NOLIBC_MAP_STACK);
	if (is_err((long)base))
		return (int)-(long)base;
	sys_mprotect(base, pg, NOLIBC_PROT_NONE);	/* best effort: a guard */
	top = base + pg + THREAD_STACK;
	s = (struct start *)(top - sizeof *s);
	s->fn = fn;
	s->arg = arg;
	s->alt = top;
	sp = (uintptr_t *)(((uintptr_t)s - 16) & ~(uintptr_t)15);
	sp[0] = (uintptr_t)thread_entry;
	sp[1] = (uintptr_t)s;
	/* Counted before it exists: the new thread may run core's checkdead
	 * before clone even returns here, and must find itself counted. */
	atomic_fetch_add_explicit(&nthreads, 1, memory_order_relaxed);
	r = plat_nolibc_clone(NOLIBC_CLONE_VM | NOLIBC_CLONE_FS | NOLIBC_CLONE_FILES |
	    NOLIBC_CLONE_SIGHAND | NOLIBC_CLONE_THREAD | NOLIBC_CLONE_SYSVSEM |
	    NOLIBC_CLONE_SETTLS, sp, plat_nolibc_tls_init(top + ALTSTACK));
	if (r < 0) {
		atomic_fetch_sub_explicit(&nthreads, 1, memory_order_relaxed);
		sys_munmap(base, size);
		return (int)-r;
	}
	return 0;
}

/* Threads in the process: this host starts every one of them and none ever
 * exits, so its own count is exact (and, unlike /proc/self/status, is not
 * thrown off by qemu-user's helper threads); a thread being born counts.
 * relaxed: a counter compared, ordering nothing. Assumes no fork after the
 * first plat_thread_start, as any threaded program must. */
int plat_thread_count(void)
{
	return (int)atomic_load_explicit(&nthreads, memory_order_relaxed);
}

/* sysAlloc (sysAllocOS): zeroed anonymous memory, committed on first touch. */
void *plat_map(size_t n)
{
	void *p = sys_mmap(NULL, n, NOLIBC_PROT_READ | NOLIBC_PROT_WRITE,
	    NOLIBC_MAP_PRIVATE | NOLIBC_MAP_ANONYMOUS | NOLIBC_MAP_NORESERVE);

	return is_err((long)p) ? NULL : p;
}

/* sysFree (sysFreeOS) */
void plat_unmap(void *p, size_t n)
{
	sys_munmap(p, n);
}

/* Whether MADV_GUARD_INSTALL really guards: written once by guard_probe,
 * relaxed, since every thread computes the same answer. */
enum { GUARD_UNKNOWN, GUARD_MADVISE, GUARD_MPROTECT };
static _Atomic int guard_mode = GUARD_UNKNOWN;

/* Guard the first of two fresh pages and let the kernel read from it:
 * write(2) must fail with EFAULT. Debian 12's qemu-aarch64 accepts the
 * madvise and ignores it, so its return value proves nothing. */
static int guard_probe(void)
{
	size_t pg = plat_nolibc_pagesize;
	int fd[2], real = 0;
	char *p = plat_map(2 * pg);

	if (p == NULL)
		return GUARD_MPROTECT;
	if (sys_madvise(p, pg, NOLIBC_MADV_GUARD_INSTALL) == 0 &&
	    sys_pipe2(fd, NOLIBC_O_CLOEXEC | NOLIBC_O_NONBLOCK) == 0) {
		real = sys_write(fd[1], p, 1) == -NOLIBC_EFAULT;
		sys_close(fd[0]);
		sys_close(fd[1]);
	}
	plat_unmap(p, 2 * pg);
	return real ? GUARD_MADVISE : GUARD_MPROTECT;
}

/* vm.max_map_count, or Linux's default when /proc cannot tell. */
static long max_map_count(void)
{
	char buf[32];
	long fd, n, v = 0;

	fd = sys_openat(NOLIBC_AT_FDCWD, "/proc/sys/vm/max_map_count",
	    NOLIBC_O_RDONLY | NOLIBC_O_CLOEXEC);
	if (fd < 0)
		return 65530;
	n = sys_read((int)fd, buf, sizeof buf);
	sys_close((int)fd);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		v = v * 10 + (buf[i] - '0');
	return v > 0 ? v : 65530;
}

/* mprotect guards still allowed; -1 until first needed. Racy on first use,
 * which only matters by a guard or two. */
static _Atomic long guard_budget = -1;

/* sysFault (sysFaultOS): as host/posix. A madvise guard lives inside the
 * existing mapping (1); an mprotect one splits it (0) and is allowed only
 * while three quarters of vm.max_map_count, two mappings a guard, last;
 * -1 beyond, and core falls back to canaries. */
int plat_guard(void *p, size_t n)
{
	int mode = atomic_load_explicit(&guard_mode, memory_order_relaxed);
	long b;

	if (mode == GUARD_UNKNOWN) {
		mode = guard_probe();
		atomic_store_explicit(&guard_mode, mode, memory_order_relaxed);
	}
	if (mode == GUARD_MADVISE && sys_madvise(p, n, NOLIBC_MADV_GUARD_INSTALL) == 0)
		return 1;
	b = atomic_load_explicit(&guard_budget, memory_order_relaxed);
	if (b < 0) {
		b = max_map_count() * 3 / 4 / 2;
		atomic_store_explicit(&guard_budget, b, memory_order_relaxed);
	}
	if (b == 0 || sys_mprotect(p, n, NOLIBC_PROT_NONE) != 0)
		return -1;
	atomic_fetch_sub_explicit(&guard_budget, 1, memory_order_relaxed);
	return 0;
}

/* futexsleep: sleep while *addr == val, at most ns (ns < 0: forever).
 * EINTR, EAGAIN and ETIMEDOUT all just return; callers loop. */
void plat_futex_wait(uint32_t *addr, uint32_t val, int64_t ns)
{
	struct nolibc_timespec ts;

	ts.tv_sec = (long)(ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	sys_futex(addr, NOLIBC_FUTEX_WAIT_PRIVATE, val, ns >= 0 ? &ts : NULL);
}

/* futexwakeup: wake at most n sleepers on addr. */
void plat_futex_wake(uint32_t *addr, int n)
{
	sys_futex(addr, NOLIBC_FUTEX_WAKE_PRIVATE, (uint32_t)n, NULL);
}

/* nanotime1: CLOCK_MONOTONIC through the system call itself (no vDSO:
 * slower, a few hundred ns, but nothing to parse). */
int64_t plat_nanotime(void)
{
	struct nolibc_timespec ts;

	sys_clock_gettime(NOLIBC_CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* getproccount: CPUs in this process's affinity mask (at least 1). */
int plat_ncpu(void)
{
	uint64_t mask[16] = { 0 };
	long r = sys_sched_getaffinity(0, sizeof mask, mask);
	int n = 0;

	for (long i = 0; r > 0 && i < r / 8; i++)
		for (uint64_t m = mask[i]; m != 0; m &= m - 1)	/* no libgcc popcount */
			n++;
	return n > 0 ? n : 1;
}

/* osyield */
void plat_osyield(void)
{
	sys_sched_yield();
}

/* No errno here: every system call wrapper returns -errno, so nothing
 * thread-local needs carrying across a change of thread. */
int plat_errno_get(void)
{
	return 0;
}

void plat_errno_set(int e)
{
	(void)e;
}

/* write1(2, ...): every byte, across EINTR and short writes.
 * Async-signal-safe. */
void plat_write_err(const char *s, size_t n)
{
	while (n > 0) {
		long w = sys_write(2, s, n);

		if (w == -NOLIBC_EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* exit: the whole process (exit_group, not exit). */
_Noreturn void plat_exit(int code)
{
	sys_exit_group(code);
}

/* ---- The fault handler's plumbing: as host/posix/signal.c, on raw system calls ---- */

/* sighandler's plumbing, on the thread's signal stack: core reports a
 * guard hit (and exits) or any other fault; then the default action is
 * restored and the handler returns (through plat_nolibc_restorer), so the
 * faulting instruction runs again and the process dies by it. */
static void fault(int sig, struct nolibc_siginfo *info, void *ctx)
{
	struct nolibc_sigaction sa = { 0 };
	uintptr_t pc, fp, sp;

	nolibc_context_regs(ctx, &pc, &fp, &sp);
	goro_rt_sigoverflow(info->si_addr, pc, fp, sp);
	goro_rt_sigpanic(sig == NOLIBC_SIGBUS ? "SIGBUS" : "SIGSEGV", info->si_addr, pc, fp, sp);
	sa.handler = NULL;	/* SIG_DFL */
	sys_rt_sigaction(sig, &sa, NULL);
	if (info->si_code <= 0)	/* sent by kill(2): nothing will fault again */
		sys_kill((int)sys_getpid(), sig);
}

/* SIGQUIT, as Go: list every goroutine and exit 2. */
static void quit(int sig)
{
	static const char msg[] = "SIGQUIT: quit\n";

	(void)sig;
	plat_write_err(msg, sizeof msg - 1);
	goro_rt_dump();
	sys_exit_group(2);
}

/* osinit + initsig: fault for SIGSEGV and SIGBUS, on the signal stack, and
 * quit for SIGQUIT. Called once, by schedinit, before the first M starts. */
void plat_osinit(void)
{
	struct nolibc_sigaction sa = { 0 };

	sa.handler = (void *)fault;
	sa.flags = NOLIBC_SA_SIGINFO | NOLIBC_SA_ONSTACK | NOLIBC_SA_RESTORER;
	sa.restorer = plat_nolibc_restorer;
	sys_rt_sigaction(NOLIBC_SIGSEGV, &sa, NULL);
	sys_rt_sigaction(NOLIBC_SIGBUS, &sa, NULL);
	sa.handler = (void *)quit;
	sa.flags = NOLIBC_SA_ONSTACK | NOLIBC_SA_RESTORER;
	sys_rt_sigaction(NOLIBC_SIGQUIT, &sa, NULL);
}

/* minitSignalStack: [p, p+n) becomes the calling thread's signal stack. */
void plat_nolibc_sigaltstack(void *p, size_t n)
{
	struct nolibc_stack ss = { .ss_sp = p, .ss_flags = 0, .ss_size = n };

	sys_sigaltstack(&ss);
}
