/* The platform interface of core/platform/platform.h on POSIX, Linux first: threads,
 * memory, guard pages, clock and the fatal-error channel; park/wake is in
 * park_futex.c or park_condvar.c (make PARK=). Ports the Linux halves of
 * Go's os_linux.go, mem_linux.go and sys_linux_*.s. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "platform.h"
#include "posix.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102	/* Linux 6.13; older headers lack it */
#endif

enum { THREAD_STACK = 256 << 10 };

struct start {
	void (*fn)(void *);
	void *arg;
};

static void *thread_main(void *v)
{
	struct start s = *(struct start *)v;

	free(v);
	plat_posix_sigaltstack();
	s.fn(s.arg);
	return NULL;	/* fn never returns; keep pthread's contract anyway */
}

/* newosproc: a detached pthread with a 256 KiB stack running fn(arg) after it
 * installed its own signal stack. Any thread may call it. */
int plat_thread_start(void (*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t t;
	struct start *s;
	int err;

	s = malloc(sizeof *s);
	if (s == NULL)
		return ENOMEM;
	s->fn = fn;
	s->arg = arg;
	if ((err = pthread_attr_init(&attr)) != 0)
		goto fail1;
	if ((err = pthread_attr_setstacksize(&attr, THREAD_STACK)) != 0 ||
	    (err = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED)) != 0)
		goto fail2;
	err = pthread_create(&t, &attr, thread_main, s);
	pthread_attr_destroy(&attr);
	if (err != 0)
		goto fail1;
	return 0;
fail2:
	pthread_attr_destroy(&attr);
fail1:
	free(s);
	return err;
}

/* sysAlloc (sysAllocOS): zeroed anonymous memory, committed on first touch. */
void *plat_map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* sysFree (sysFreeOS): give back a range plat_map returned. */
void plat_unmap(void *p, size_t n)
{
	munmap(p, n);
}

/* Whether MADV_GUARD_INSTALL really guards. Written once by guard_probe,
 * read with relaxed loads: the answer is the same whoever computes it. */
enum { GUARD_UNKNOWN, GUARD_MADVISE, GUARD_MPROTECT };
static _Atomic int guard_mode = GUARD_UNKNOWN;

/* Guard the first of two fresh pages and ask the kernel to read from it:
 * write(2) must fail with EFAULT. Debian 12's qemu-aarch64 accepts the
 * madvise and ignores it, so the return value of madvise proves nothing. */
static int guard_probe(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd[2], real = 0;
	char *p;

	p = plat_map(2 * (size_t)pg);
	if (p == NULL)
		return GUARD_MPROTECT;
	if (madvise(p, (size_t)pg, MADV_GUARD_INSTALL) == 0 &&
	    pipe2(fd, O_CLOEXEC | O_NONBLOCK) == 0) {
		real = write(fd[1], p, 1) < 0 && errno == EFAULT;
		close(fd[0]);
		close(fd[1]);
	}
	plat_unmap(p, 2 * (size_t)pg);
	return real ? GUARD_MADVISE : GUARD_MPROTECT;
}

/* mprotect guards still allowed; -1 until first needed. Racy on first use,
 * which only matters by a guard or two. */
static _Atomic long guard_budget = -1;

/* sysFault (sysFaultOS): make [p, p+n) a guard. A madvise guard lives inside
 * the existing mapping (returns 1); mprotect splits it and costs one more of
 * vm.max_map_count's mappings (returns 0); -1 when neither worked. */
int plat_guard(void *p, size_t n)
{
	int mode = atomic_load_explicit(&guard_mode, memory_order_relaxed);

	if (mode == GUARD_UNKNOWN) {
		mode = guard_probe();
		atomic_store_explicit(&guard_mode, mode, memory_order_relaxed);
	}
	if (mode == GUARD_MADVISE && madvise(p, n, MADV_GUARD_INSTALL) == 0)
		return 1;
	/* No madvise guards, or this one failed (ENOMEM, ...): split the map,
	 * while the mapping budget lasts. Each such guard costs up to two of
	 * vm.max_map_count's mappings; keep a quarter of them for everything
	 * else (slabs, threads, libc), so that running out of guards never
	 * means running out of memory. Past that, core uses stack canaries. */
	long b = atomic_load_explicit(&guard_budget, memory_order_relaxed);
	if (b < 0) {
		long max = 65530;
		FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
		if (f != NULL) {
			if (fscanf(f, "%ld", &max) != 1)
				max = 65530;
			fclose(f);
		}
		b = max * 3 / 4 / 2;
		atomic_store_explicit(&guard_budget, b, memory_order_relaxed);
	}
	if (b == 0)
		return -1;
	if (mprotect(p, n, PROT_NONE) != 0)
		return -1;
	atomic_fetch_sub_explicit(&guard_budget, 1, memory_order_relaxed);
	return 0;
}

/* nanotime1: CLOCK_MONOTONIC in nanoseconds. */
int64_t plat_nanotime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int proc_threads(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	int n = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Threads that were there before main: 1, or more where an emulator's own
 * threads show in /proc (qemu-user's RCU thread). They can never call into
 * goro, so they don't count. Counted at load time, not in plat_osinit: a
 * thread the program starts before goro_main may call in, and must count
 * (check_fatal's TestNoDeadlockThreadBeforeMain); /proc tells it from
 * qemu's by nothing but the moment it appeared. */
static int threads_at_start = -1;

#ifdef GORO_TSAN   /* the build's sanitizer switch (toolchain.mk) */
static void *no_op(void *arg)
{
	return arg;
}

/* TSan starts a thread of its own at the first pthread_create, which would
 * look like a program thread that can still wake someone, and deadlock
 * detection would never fire. Have it started now, before the count, and
 * wait until the no-op thread has left /proc. */
static void start_sanitizer_thread(void)
{
	int before = proc_threads();
	pthread_t t;
	if (pthread_create(&t, NULL, no_op, NULL) != 0)
		return;
	pthread_join(t, NULL);
	for (int i = 0; i < 100000 && proc_threads() > before + 1; i++)
		sched_yield();
}
#else
static void start_sanitizer_thread(void)
{
}
#endif

__attribute__((constructor)) static void count_threads_at_start(void)
{
	start_sanitizer_thread();
	threads_at_start = proc_threads();
}

/* Threads in this process that could call into goro, from
 * /proc/self/status; -1 if unreadable. Only for deadlock detection, so
 * plain stdio is fine. */
int plat_thread_count(void)
{
	int n = proc_threads();

	if (n < 0 || threads_at_start < 1)
		return -1;
	return n - (threads_at_start - 1);
}

/* getproccount: CPUs in this process's affinity mask, else those online. */
int plat_ncpu(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* osyield */
void plat_osyield(void)
{
	sched_yield();
}

/* gogetenv, for the few knobs core reads. */
const char *plat_getenv(const char *name)
{
	return getenv(name);
}

/* errno for core's exitsyscall: each call computes this thread's errno
 * afresh (a separate function, so no __errno_location is reused). */
int plat_errno_get(void)
{
	return errno;
}

void plat_errno_set(int e)
{
	errno = e;
}

/* write1(2, ...): every byte, unbuffered, across EINTR and short writes.
 * Async-signal-safe. */
void plat_write_err(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, s, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

/* exit: the whole process, now, without atexit handlers or stdio flushing. */
_Noreturn void plat_exit(int code)
{
	_exit(code);
}
