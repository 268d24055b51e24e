/* goro: Go's goroutines, scheduler and concurrency primitives for C.
 * The only header an application includes. Link with libgoro.a -lpthread. */
#ifndef GORO_H
#define GORO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Statuses. Every fallible call returns one; misuse is GORO_INVAL, never a crash. */
enum {
	GORO_OK = 0,
	GORO_CLOSED = -1,
	GORO_AGAIN = -2,
	GORO_TIMEOUT = -3,
	GORO_NOMEM = -4,
	GORO_INVAL = -5
};
const char *goro_strerror(int status);

typedef struct goro_config {
	int    procs;       /* GOMAXPROCS; 0: GORO_PROCS from the environment, else CPUs */
	size_t stack_size;  /* per goroutine; 0: 64 KiB; rounded up to pages, at least 16 KiB */
} goro_config;

/* Boot the runtime, run main_fn(arg) as goroutine 1 and return its result
 * when it returns; cfg may be NULL. Goroutines still alive then are abandoned,
 * as in Go: they run no further once they next yield or block. Once per
 * process; a second call returns GORO_INVAL. Blocks the calling thread, which
 * the runtime does not use to run goroutines. */
int goro_main(const goro_config *cfg, int (*main_fn)(void *), void *arg);

/* go fn(arg). OK, NOMEM (no memory or mappings left for a stack; the reason
 * is also written to stderr), or INVAL (fn NULL, or the runtime not running).
 * May be called from a thread the runtime does not own. */
int goro_spawn(void (*fn)(void *), void *arg);

/* go fn(copy of args): copies size bytes (at most GORO_SPAWN_COPY_MAX) onto
 * the new goroutine's stack and passes fn a pointer to the copy, so the caller
 * needs no heap block per spawn. Statuses as goro_spawn; INVAL if too large. */
#define GORO_SPAWN_COPY_MAX 1024
int goro_spawn_copy(void (*fn)(void *), const void *args, size_t size);

void     goro_yield(void);   /* runtime.Gosched: let other goroutines run */
int64_t  goro_now(void);     /* monotonic clock, nanoseconds */
int      goro_procs(void);   /* GOMAXPROCS: the number of Ps */
uint64_t goro_id(void);      /* this goroutine's id, 1 for main; 0 outside goroutines */

#ifdef __cplusplus
}
#endif
#endif
