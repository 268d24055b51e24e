/* The whole platform interface: what core/ needs from an operating system.
 * A host (host/posix, ...) implements every function here and nothing else
 * crosses the line. The Go function each one stands for is named beside it. */
#ifndef GORO_PLATFORM_H
#define GORO_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* newosproc: start an OS thread running fn(arg). fn never returns. The thread
 * needs only a small stack (core runs its scheduler there; about 64 KiB is
 * plenty) and must be able to use _Thread_local storage. 0 or -1. */
int plat_thread_start(void (*fn)(void *), void *arg);

/* sysAlloc / sysFree: n bytes (a multiple of the page size) of zeroed,
 * page-aligned, read-write anonymous memory, committed lazily; NULL when the
 * system refuses. plat_unmap gives back exactly a range plat_map returned. */
void *plat_map(size_t n);
void plat_unmap(void *p, size_t n);

/* sysFault: make [p, p+n) inaccessible, page-aligned, inside a range from
 * plat_map. Returns 1 when the range became a guard without costing a new
 * kernel mapping, 0 when it did cost one (mprotect-style splitting), and -1
 * when no guard could be installed (the caller then falls back to canaries). */
int plat_guard(void *p, size_t n);

/* futexsleep: sleep while *addr == val, at most ns nanoseconds (ns < 0:
 * without limit). The compare and the sleep are atomic with respect to
 * plat_futex_wake. Spurious and early wake-ups are allowed; callers loop. */
void plat_futex_wait(uint32_t *addr, uint32_t val, int64_t ns);

/* futexwakeup: wake at most n threads sleeping on addr. */
void plat_futex_wake(uint32_t *addr, int n);

int64_t plat_nanotime(void);          /* nanotime1: monotonic clock, ns */
int plat_ncpu(void);                  /* getproccount: CPUs this process may use */

/* Threads in the whole process right now, or -1 if the host can't tell.
 * Deadlock detection runs only when this equals the runtime's own count. */
int plat_thread_count(void);
void plat_osyield(void);              /* osyield: give up the CPU briefly */

/* getenv for the few knobs core reads (GORO_PROCS); NULL if unset. */
const char *plat_getenv(const char *name);

void plat_write_err(const char *s, size_t n);  /* write1(2, ...): unbuffered */
_Noreturn void plat_exit(int code);            /* exit: the whole process */

/* Entry points core offers its host (implemented in core). */

/* The host's fault handler asks whether addr lies in the guard of some
 * goroutine's stack; returns that goroutine's id, or 0. Async-signal-safe. */
uint64_t goro_rt_guard_owner(const void *addr);

/* The goroutine running on this thread, or 0: for a fault report. */
uint64_t goro_rt_current_goid(void);

/* The host's SIGQUIT handler (and anyone dying) may list every goroutine
 * with its state on the error stream. Best effort, lock-free. */
void goro_rt_dump(void);

#endif
