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
/* time.Sleep: park the goroutine (holding no thread) for at least ns; ns <= 0
 * returns at once. From a thread the runtime does not own, sleeps that thread. */
void     goro_sleep(int64_t ns);
int64_t  goro_now(void);     /* monotonic clock, nanoseconds */
int      goro_procs(void);   /* GOMAXPROCS: the number of Ps */
uint64_t goro_id(void);      /* this goroutine's id, 1 for main; 0 outside goroutines */

/* Channels: make(chan T, cap). Every operation below may be called from a
 * thread the runtime does not own; a blocking one then parks that thread.
 * A NULL channel is GORO_INVAL (Go would block forever). */
typedef struct goro_chan goro_chan;

/* make(chan T, cap): cap 0 is unbuffered. NULL when out of memory or when
 * elem_size * cap does not fit in memory. elem_size may be 0 (chan struct{}). */
goro_chan *goro_chan_make(size_t elem_size, size_t cap);

/* Free c once every operation on it has returned. Freeing a channel that
 * still has goroutines parked on it is reported and the channel is leaked
 * rather than corrupted. */
void goro_chan_free(goro_chan *c);

/* c <- *elem. Blocks until a receiver takes it or the buffer has room.
 * OK, or CLOSED (c is closed, before or while waiting; Go panics). */
int goro_chan_send(goro_chan *c, const void *elem);

/* *elem = <-c. Blocks until a value arrives. OK, or CLOSED once c is closed
 * and drained (elem zeroed). elem may be NULL to discard the value. */
int goro_chan_recv(goro_chan *c, void *elem);

/* select with a default arm: never block. OK, AGAIN (would block), CLOSED. */
int goro_chan_trysend(goro_chan *c, const void *elem);
int goro_chan_tryrecv(goro_chan *c, void *elem);

/* close(c): wakes every waiting receiver (CLOSED, zeroed elem) and sender
 * (CLOSED). OK, or CLOSED if it was already closed (Go panics). */
int goro_chan_close(goro_chan *c);

size_t goro_chan_len(goro_chan *c);   /* len(c): values buffered now */
size_t goro_chan_cap(goro_chan *c);   /* cap(c) */

enum { GORO_RECV = 1, GORO_SEND = 2 };
typedef struct goro_case {
	goro_chan *chan;   /* NULL: never ready, like a nil channel in Go */
	int        dir;    /* GORO_RECV or GORO_SEND */
	void      *elem;   /* value to send, or where to store the received one */
	int        status; /* out, for the chosen case: OK, or CLOSED */
} goro_case;

/* select: wait until one of cases[0..n) can proceed, do it and return its
 * index; when several are ready, each is equally likely. timeout_ns < 0
 * waits forever; 0 never waits and returns GORO_AGAIN when nothing is ready
 * (Go's default arm); > 0 gives up after that long with GORO_TIMEOUT. A send
 * on a closed channel is ready (status CLOSED); a receive from a closed,
 * drained channel zeroes elem (NULL elem discards). n may be 0 (with a
 * timeout: a sleep). INVAL for a bad dir, or n > 65536. */
int goro_select(goro_case *cases, size_t n, int64_t timeout_ns);

#ifdef __cplusplus
}
#endif
#endif
