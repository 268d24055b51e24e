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

/* The calls whose result a program must look at (an AGAIN, a NULL, a lock
 * not taken) carry this, where the compiler has it. */
#if defined(__GNUC__) || defined(__clang__)
#define GORO_MUST_CHECK __attribute__((warn_unused_result))
#else
#define GORO_MUST_CHECK
#endif

/* Statuses. Every fallible call returns one; misuse is GORO_INVAL, never a crash.
 * Out of memory: a call that returns a status returns GORO_NOMEM and leaves
 * everything as it was (goro_spawn, goro_chan_make, goro_chan_send/recv,
 * goro_select). The calls that cannot report it treat it as fatal ("goro:
 * fatal error: ... out of memory", exit 2), as Go's runtime does: the void
 * waits goro_mutex_lock, goro_rwmutex_lock/rlock, goro_wg_wait, goro_once_do
 * and goro_sleep, goro_cond_wait, and arming a select's timeout; as is
 * running out while the runtime itself grows (a new M, a run queue).
 * GORO_DEBUG=strict=1 makes misuse fatal, as Go's panics are: a send on or a
 * close of a closed channel (CLOSED), a negative WaitGroup, an unlock of an
 * unlocked mutex and any INVAL from a bad argument, each named with its call. */
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
	int    procs;       /* GOMAXPROCS; 0: GORO_PROCS from the environment (1 to 256;
	                     * a bad value is warned about), else CPUs */
	size_t stack_size;  /* per goroutine; 0: 64 KiB; rounded up to pages, at least 16 KiB */
} goro_config;

/* Boot the runtime, run main_fn(arg) as goroutine 1 and return its result
 * when it returns; cfg may be NULL. Goroutines still alive then are abandoned,
 * as in Go: they run no further once they next yield or block. Once per
 * process; a second call returns GORO_INVAL. Blocks the calling thread, which
 * the runtime does not use to run goroutines. Channels, WaitGroups and
 * mutexes may be made and used before goro_main (from main(), as from any
 * thread the runtime does not own); a blocking call there that no other
 * thread could ever end is a fatal error naming goro_main. */
int goro_main(const goro_config *cfg, int (*main_fn)(void *), void *arg);

/* go fn(arg). OK, NOMEM (no memory or mappings left for a stack; the reason
 * is also written to stderr), or INVAL (fn NULL, or the runtime not running:
 * before goro_main or after it returned, said on stderr; nothing runs).
 * May be called from a thread the runtime does not own. */
int goro_spawn(void (*fn)(void *), void *arg);

/* go fn(copy of args): copies size bytes (at most GORO_SPAWN_COPY_MAX) onto
 * the new goroutine's stack and passes fn a pointer to the copy, so the caller
 * needs no heap block per spawn. Statuses as goro_spawn; INVAL if too large. */
#define GORO_SPAWN_COPY_MAX 1024
int goro_spawn_copy(void (*fn)(void *), const void *args, size_t size);

void     goro_yield(void);   /* runtime.Gosched: let other goroutines run */
/* time.Sleep: park the goroutine (holding no thread) for at least ns; ns <= 0
 * returns at once. From a thread the runtime does not own (also before
 * goro_main and after it returned), sleeps that thread on the OS clock. */
void     goro_sleep(int64_t ns);
int64_t  goro_now(void);     /* monotonic clock, nanoseconds */
int      goro_procs(void);   /* GOMAXPROCS: the number of Ps */
uint64_t goro_id(void);      /* this goroutine's id, 1 for main; 0 outside goroutines */
/* runtime.NumGoroutine: goroutines that exist now (runnable, running,
 * parked or in a blocking call), main included; 0 before goro_main. Racy
 * snapshot; costs a walk over every G ever made (about 1 ms per 100,000). */
int      goro_num_goroutine(void);

/* Channels: make(chan T, cap). Every operation below may be called from a
 * thread the runtime does not own; a blocking one then parks that thread.
 * A NULL channel is GORO_INVAL (Go would block forever). */
typedef struct goro_chan goro_chan;

/* make(chan T, cap): cap 0 is unbuffered. NULL when out of memory or when
 * elem_size * cap does not fit in memory. elem_size may be 0 (chan struct{}). */
GORO_MUST_CHECK goro_chan *goro_chan_make(size_t elem_size, size_t cap);

/* Free c once every operation on it has returned. Freeing a channel that
 * still has goroutines parked on it is reported and the channel is leaked
 * rather than corrupted. A freed channel's memory waits in a quarantine (the
 * last 1024 channels freed, up to 1 MiB) before it is reused: until then a
 * call on the stale handle, a double free included, is reported on stderr
 * naming the call and refused (INVAL, 0, nothing done). Past that, as with
 * free(3), the handle may meet a new channel. */
void goro_chan_free(goro_chan *c);

/* c <- *elem. Blocks until a receiver takes it or the buffer has room.
 * OK, or CLOSED (c is closed, before or while waiting; Go panics). */
int goro_chan_send(goro_chan *c, const void *elem);

/* *elem = <-c. Blocks until a value arrives. OK, or CLOSED once c is closed
 * and drained (elem zeroed). elem may be NULL to discard the value. */
int goro_chan_recv(goro_chan *c, void *elem);

/* select with a default arm: never block. OK, AGAIN (would block), CLOSED.
 * A trysend's result may be ignored (a best-effort notify); a tryrecv's not. */
int goro_chan_trysend(goro_chan *c, const void *elem);
GORO_MUST_CHECK int goro_chan_tryrecv(goro_chan *c, void *elem);

/* close(c): wakes every waiting receiver (CLOSED, zeroed elem) and sender
 * (CLOSED). OK, or CLOSED if it was already closed (Go panics). */
int goro_chan_close(goro_chan *c);

size_t goro_chan_len(goro_chan *c);   /* len(c): values buffered now */
size_t goro_chan_cap(goro_chan *c);   /* cap(c) */

/* A descriptor handle (the I/O section below): its slot and generation. {0}
 * is never valid; a handle whose descriptor was closed gives GORO_CLOSED. */
typedef struct goro_fd { uint64_t id_; } goro_fd;

/* GORO_FDREAD / GORO_FDWRITE: a case that waits on cas.fd (I/O section). */
enum { GORO_RECV = 1, GORO_SEND = 2, GORO_FDREAD = 3, GORO_FDWRITE = 4 };
typedef struct goro_case {
	goro_chan *chan;   /* NULL: never ready, like a nil channel in Go */
	int        dir;    /* GORO_RECV, GORO_SEND, GORO_FDREAD or GORO_FDWRITE */
	void      *elem;   /* value to send, or where to store the received one */
	int        status; /* out, for the chosen case: OK, or CLOSED (or TIMEOUT, fd cases) */
	goro_fd    fd;     /* GORO_FDREAD/FDWRITE only; chan and elem are ignored then */
} goro_case;

/* select: wait until one of cases[0..n) can proceed, do it and return its
 * index; when several are ready, each is equally likely. timeout_ns < 0
 * waits forever; 0 never waits and returns GORO_AGAIN when nothing is ready
 * (Go's default arm); > 0 gives up after that long with GORO_TIMEOUT. A send
 * on a closed channel is ready (status CLOSED); a receive from a closed,
 * drained channel zeroes elem (NULL elem discards). n may be 0 (with a
 * timeout: a sleep). INVAL for a bad dir, or n > 65536; NOMEM when a waiter
 * could not be queued on every channel (nothing was sent or received).
 * Beyond Go, a case may wait on a descriptor: dir GORO_FDREAD or
 * GORO_FDWRITE with cas.fd (chan and elem ignored) is ready when fd is
 * readable or writable (hung up or in error counts as both), with status
 * OK; closed or a stale handle, CLOSED; past its deadline in that
 * direction, TIMEOUT. Nothing is read or written, and the readiness is
 * asked of the system each time, so one that lost to another case is still
 * seen by the next select or read. A zero fd handle is INVAL. */
int goro_select(goro_case *cases, size_t n, int64_t timeout_ns);

/* Blocking calls (entersyscall / exitsyscall). Wrap a call that may block
 * the thread (read, a lock of another library, a long computation in C)
 * between these two, so the goroutine's P can run other goroutines in the
 * meantime: after about 20 us, sysmon hands the P to another thread. Inside
 * the pair, call no other goro function: one that may park (a blocking
 * send, receive or select, sleep, yield, a wait or a contended lock) is a
 * fatal error naming it. Nesting is allowed; from a thread
 * the runtime does not own, both do nothing.
 * errno and every other thread-local are per thread, and a goroutine may
 * come back from goro_blocking_end (as from any call that can park) on
 * another thread. goro_blocking_end puts the caller's errno back on the
 * thread it returns on, but compilers keep one __errno_location() result
 * across calls, so code that touched errno before the pair may read the old
 * thread's after it: read errno inside the pair. GORO_DEBUG=migrate=1 makes
 * every goro_blocking_end change threads, so such code fails in testing. */
void goro_blocking_begin(void);
void goro_blocking_end(void);

/* Synchronisation. These types are complete so they can be embedded and
 * statically initialised; their fields are private. They park goroutines,
 * not threads, and also work from threads the runtime does not own. A call
 * rejected with GORO_INVAL leaves its object unchanged. */
struct goro_sema_private {   /* a semaphore carrying its own waiter queue */
	uint32_t count_;
	uint32_t lock_;
	void    *head_;
	void    *tail_;
};
#define GORO_SEMA_PRIVATE_INIT_ { 0, 0, NULL, NULL }

/* sync.WaitGroup. May be freed or reused as soon as its Wait returned, even
 * while the Done that released it is still returning. */
typedef struct goro_waitgroup {
	uint64_t state_;                 /* counter << 32 | waiters */
	struct goro_sema_private sema_;
} goro_waitgroup;
#define GORO_WAITGROUP_INIT { 0, GORO_SEMA_PRIVATE_INIT_ }
int  goro_wg_add(goro_waitgroup *wg, int64_t delta); /* OK; INVAL if it would go negative or overflow */
int  goro_wg_done(goro_waitgroup *wg);                /* goro_wg_add(wg, -1) */
void goro_wg_wait(goro_waitgroup *wg);                /* blocks until the counter is 0 */

/* sync.Mutex: one CAS uncontended, brief spinning, then parking; starvation
 * mode after a waiter has waited 1 ms. As in Go, any goroutine may unlock. */
typedef struct goro_mutex {
	int32_t  state_;
	uint32_t pad_;
	struct goro_sema_private sema_;
} goro_mutex;
#define GORO_MUTEX_INIT { 0, 0, GORO_SEMA_PRIVATE_INIT_ }
void goro_mutex_lock(goro_mutex *m);
GORO_MUST_CHECK bool goro_mutex_trylock(goro_mutex *m);
int  goro_mutex_unlock(goro_mutex *m);   /* OK; INVAL if not locked */

/* sync.RWMutex: many readers or one writer; a waiting writer holds off new
 * readers. */
typedef struct goro_rwmutex {
	goro_mutex w_;
	struct goro_sema_private writer_sem_;
	struct goro_sema_private reader_sem_;
	int32_t  reader_count_;
	int32_t  reader_wait_;
	uint32_t writer_;
	uint32_t pad_;
} goro_rwmutex;
#define GORO_RWMUTEX_INIT { GORO_MUTEX_INIT, GORO_SEMA_PRIVATE_INIT_, GORO_SEMA_PRIVATE_INIT_, 0, 0, 0, 0 }
void goro_rwmutex_rlock(goro_rwmutex *m);
int  goro_rwmutex_runlock(goro_rwmutex *m);   /* OK; INVAL if no reader holds it */
void goro_rwmutex_lock(goro_rwmutex *m);
int  goro_rwmutex_unlock(goro_rwmutex *m);    /* OK; INVAL if no writer holds it */
GORO_MUST_CHECK bool goro_rwmutex_tryrlock(goro_rwmutex *m);
GORO_MUST_CHECK bool goro_rwmutex_trylock(goro_rwmutex *m);

/* sync.Once: fn(arg) runs once; every caller returns after it finished. */
typedef struct goro_once {
	uint32_t done_;
	uint32_t pad_;
	goro_mutex m_;
} goro_once;
#define GORO_ONCE_INIT { 0, 0, GORO_MUTEX_INIT }
void goro_once_do(goro_once *o, void (*fn)(void *), void *arg);

/* sync.Cond, with the mutex passed to each wait as in pthreads. */
typedef struct goro_cond {
	uint32_t wait_;      /* next ticket */
	uint32_t notify_;    /* next ticket to be notified */
	uint32_t lock_;
	uint32_t pad_;
	void    *head_;
	void    *tail_;
} goro_cond;
#define GORO_COND_INIT { 0, 0, 0, 0, NULL, NULL }
/* Unlock m, wait for a signal or broadcast, lock m again. OK; INVAL if m
 * was not locked (then nothing happened). */
int  goro_cond_wait(goro_cond *c, goro_mutex *m);
void goro_cond_signal(goro_cond *c);
void goro_cond_broadcast(goro_cond *c);

/* ---- Checked channel operations and spawn options ---- */

/* go fn(arg) with options; opts may be NULL (goro_spawn's defaults). The
 * name shows in goroutine listings and in gdb (tools/goro-gdb.py): copied,
 * at most GORO_NAME_MAX - 1 bytes of it, unprintable bytes as '?'. A
 * stack_size above goro_config's gets a stack of its own (rounded up to
 * pages, kept for reuse by another such spawn once the goroutine is done);
 * a smaller one gets the common size. Statuses as goro_spawn; INVAL also
 * for a stack_size over 1 GiB. */
#define GORO_NAME_MAX 32
typedef struct goro_spawn_opts {
	size_t      stack_size;  /* 0: goro_config's */
	const char *name;        /* shown in goroutine listings; copied; may be NULL */
} goro_spawn_opts;
int goro_spawn_with(const goro_spawn_opts *opts, void (*fn)(void *), void *arg);

/* Channel operations that check the element's size: an int sent on an
 * int64_t channel reads past the int, and one received writes past it.
 * goro_chan_elem_size is the size given to goro_chan_make (0 for NULL or
 * a freed channel). send_n and recv_n are goro_chan_send and goro_chan_recv
 * but INVAL, said on stderr, and nothing happens unless size is the
 * channel's element size. Prefer the macros wherever the value is a named
 * object of the element's type (GORO_CHAN_SEND(c, v) for `c <- v`,
 * GORO_CHAN_RECV(c, v) for `v = <-c`): the compiler supplies the size, so a
 * mismatch is caught at the call. The plain forms remain for a pointer to
 * a buffer whose type the channel alone knows, and for NULL (discard). */
size_t goro_chan_elem_size(goro_chan *c);
int goro_chan_send_n(goro_chan *c, const void *elem, size_t size);
int goro_chan_recv_n(goro_chan *c, void *elem, size_t size);
#define GORO_CHAN_SEND(c, v) goro_chan_send_n((c), &(v), sizeof (v))
#define GORO_CHAN_RECV(c, v) goro_chan_recv_n((c), &(v), sizeof (v))

/* ---- Time: Timer, Ticker, AfterFunc (time/sleep.go, time/tick.go) ---- */

/* time.Duration's units, in the nanoseconds every goro call takes. */
#define GORO_NANOSECOND  1LL
#define GORO_MICROSECOND 1000LL
#define GORO_MILLISECOND 1000000LL
#define GORO_SECOND      1000000000LL

/* A Timer, a Ticker or an AfterFunc, with Go 1.23's semantics (which closed
 * Go 1.19's stale-value trap): once goro_timer_stop or goro_timer_reset has
 * returned, no value from before it is received from the channel. A value
 * that has come due but has not been received still counts as pending: Stop
 * and Reset discard it and return true. The channel is buffered (capacity 1)
 * and receives an int64_t, the goro_now() time the timer fired; a ticker
 * whose receiver is slow drops ticks rather than queueing them. Every call
 * below works from threads the runtime does not own; a NULL timer is refused
 * (false, NULL, nothing done), and so are a NULL fn and a period <= 0: fatal
 * under GORO_DEBUG=strict=1, as Go's panics are. */
typedef struct goro_timer goro_timer;

/* time.NewTimer(ns): fires once, ns from now (ns <= 0: at once; INT64_MAX:
 * never). NULL when out of memory or before goro_main (timers live on its
 * Ps; the same holds for the two calls below). */
GORO_MUST_CHECK goro_timer *goro_timer_make(int64_t ns);

/* time.NewTicker(period): fires every period ns, the first time period from
 * now. NULL when out of memory or period <= 0 (Go panics). */
GORO_MUST_CHECK goro_timer *goro_ticker_make(int64_t period);

/* time.AfterFunc(ns, fn): fn(arg) runs in a goroutine of its own once ns
 * have passed. NULL when out of memory or fn is NULL. Stop returns true if
 * it kept fn from starting; Reset re-arms it, even after fn has run. */
goro_timer *goro_after_func(int64_t ns, void (*fn)(void *), void *arg);

/* t.C: the channel to receive the firing time from, or to use in
 * goro_select; NULL for an AfterFunc (and for NULL). Valid until
 * goro_timer_free. */
goro_chan *goro_timer_chan(goro_timer *t);

/* t.Stop(): true if it stopped a pending fire (a value not yet received
 * included, which is discarded); for a ticker, true if it was running.
 * false if the timer had fired and its value was received, or was stopped. */
bool goro_timer_stop(goro_timer *t);

/* t.Reset(ns): stop t as goro_timer_stop does (the same result), then arm
 * it to fire ns from now; for a ticker ns is its new period, and ns <= 0 is
 * refused (false, ticker unchanged; Go panics). */
bool goro_timer_reset(goro_timer *t, int64_t ns);

/* Stop t, wait out a firing already under way, then free t and its
 * channel. Nothing may be waiting on the channel (goro_chan_free's rule).
 * Go has no such call: its timers are garbage collected. */
void goro_timer_free(goro_timer *t);

/* ---- Cancellation: context (context/context.go) ---- */

enum { GORO_CANCELED = -7 };   /* context.Canceled; a deadline gives GORO_TIMEOUT */

/* context.Context. A tree: each context but the background one has a
 * parent, and cancelling a context cancels all its descendants, each with
 * the error of the context cancelled (a child of a timed-out parent says
 * GORO_TIMEOUT). Every call works from threads the runtime does not own.
 * Each context made by a with_ call is freed once with goro_ctx_free, the
 * counterpart of Go's `defer cancel()`; contexts may be freed in any order:
 * memory goes once a context and all its descendants are freed. A NULL
 * context is refused (NULL, INVAL, nothing done); fatal under
 * GORO_DEBUG=strict=1, as Go's panic on a nil parent is. */
typedef struct goro_ctx goro_ctx;

/* context.Background(): never done, no deadline, no values; free is a no-op. */
goro_ctx *goro_ctx_background(void);

/* context.WithCancel(parent): a child done when goro_ctx_cancel is called on
 * it or on an ancestor. NULL when out of memory or parent is NULL. A parent
 * already done gives a child already done, with the parent's error. */
GORO_MUST_CHECK goro_ctx *goro_ctx_with_cancel(goro_ctx *parent);

/* context.WithDeadline(parent, d): as with_cancel, and done with
 * GORO_TIMEOUT at deadline (absolute goro_now() ns) unless the parent's own
 * deadline comes first. NULL also before goro_main, as for timers. */
GORO_MUST_CHECK goro_ctx *goro_ctx_with_deadline(goro_ctx *parent, int64_t deadline);

/* context.WithTimeout(parent, ns): with_deadline(parent, goro_now() + ns). */
GORO_MUST_CHECK goro_ctx *goro_ctx_with_timeout(goro_ctx *parent, int64_t ns);

/* context.WithValue(parent, key, value): a child that answers value for key
 * (compared as pointers, like Go's comparable keys) and asks its parent for
 * any other key. Done, err and deadline are the parent's. NULL when out of
 * memory or parent is NULL. */
GORO_MUST_CHECK goro_ctx *goro_ctx_with_value(goro_ctx *parent, const void *key, void *value);

/* ctx.Value(key): the value of the nearest context on the path to the root
 * made with that key, or NULL. */
void *goro_ctx_value(goro_ctx *c, const void *key);

/* The CancelFunc of with_cancel / with_deadline / with_timeout: c and all
 * its descendants become done with GORO_CANCELED (if not done already), and
 * c leaves its parent's list of children. Idempotent. On the background
 * context or one made by with_value it does nothing (Go gives those no
 * CancelFunc). */
void goro_ctx_cancel(goro_ctx *c);

/* ctx.Done(): a channel closed once c is done (a receive returns CLOSED; use
 * it in goro_select). NULL, never ready, for a context that can never be
 * done (background, and values on it). Valid until c is freed. */
goro_chan *goro_ctx_done(goro_ctx *c);

/* ctx.Err(): OK while c is live, then GORO_CANCELED or GORO_TIMEOUT for good.
 * GORO_INVAL for NULL. */
int goro_ctx_err(goro_ctx *c);

/* ctx.Deadline(): the earliest deadline of c and its ancestors (absolute
 * goro_now() ns), 0 if none. */
int64_t goro_ctx_deadline(goro_ctx *c);

/* Cancel c as goro_ctx_cancel does, then drop the caller's handle: c is not
 * used again by the caller. NULL and the background context are ignored.
 * As with goro_chan_free, every wait on c's done channel must have returned
 * first (a select woken by the cancel touches the channel as it returns):
 * free a context after the goroutines that wait on it are done with it. */
void goro_ctx_free(goro_ctx *c);

/* ---- I/O: descriptors through the netpoller (internal/poll, net) ---- */

/* Statuses of the I/O calls, beside those above. */
enum { GORO_EOF = -6 };   /* io.EOF: the peer closed its side, nothing more to read */
#define GORO_ERRNO(e)     (-1000 - (e))   /* an OS error e passed through (ECONNRESET, ...) */
#define GORO_IS_ERRNO(s)  ((s) <= -1000)
#define GORO_ERRNO_OF(s)  (-1000 - (s))   /* the errno inside such a status */

/* Descriptors are Go's poll.FD: a goroutine waiting on one is parked, holding
 * no thread, and the netpoller (epoll) readies it. Each call below may also be
 * made from a thread the runtime does not own: it then blocks that thread.
 * A zero or stale handle gives CLOSED; NULL pointers where a result must go
 * give INVAL. goro_write never raises SIGPIPE: a gone peer gives
 * ERRNO(EPIPE) or ERRNO(ECONNRESET). */
enum { GORO_FD_READ = 1, GORO_FD_WRITE = 2 };

/* poll.FD.Init (os.NewFile, net.FileConn): take ownership of sysfd and
 * register it once with the poller, setting O_NONBLOCK. A descriptor the
 * poller refuses (a regular file, a directory) is accepted too: its I/O then
 * runs as a blocking call (goro_blocking_begin/end), as Go does for files.
 * OK, NOMEM, INVAL (out NULL or sysfd < 0), ERRNO (EBADF...). */
int goro_fd_open(int sysfd, goro_fd *out);

/* FD.Sysfd: the OS descriptor (>= 0), or CLOSED. */
int goro_fd_sysfd(goro_fd f);

/* FD.Close: every goroutine waiting on f (read, write, accept, poll, select)
 * returns CLOSED now; close(2) runs once the last operation in flight has
 * returned, so the descriptor number is never reused under a running call,
 * and goro_fd_close returns after it. A descriptor in blocking mode (a
 * regular file) is not waited for, as in Go: its calls may be blocked in the
 * kernel; close(2) then runs when the last of them returns. OK, or CLOSED
 * if f was closed already. */
int goro_fd_close(goro_fd f);

/* As goro_fd_close, but the OS descriptor is handed back in *sysfd, open and
 * unregistered (os.File.Fd plus letting go of it), once the last operation in
 * flight returned. OK, CLOSED, INVAL (sysfd NULL). */
int goro_fd_detach(goro_fd f, int *sysfd);

/* FD.SetReadDeadline / SetWriteDeadline / SetDeadline: modes is
 * GORO_FD_READ, GORO_FD_WRITE or both; deadline is absolute goro_now()
 * time, 0 clears it. Once it has passed, operations in that direction
 * return TIMEOUT, also those already waiting, and so does every new one,
 * even with data available, until the deadline is changed. OK, CLOSED,
 * INVAL (modes). */
int goro_fd_set_deadline(goro_fd f, int modes, int64_t deadline);

/* FD.Read: one read(2), parking while there is nothing to read. OK with
 * *n > 0, EOF (*n 0: the peer closed its side), CLOSED, TIMEOUT, ERRNO.
 * len 0 returns OK with *n 0 at once. One reader at a time per fd; other
 * readers queue behind it (fdMutex). INVAL: buf or n NULL. */
int goro_read(goro_fd f, void *buf, size_t len, size_t *n);

/* FD.Write: all of buf, looping over short writes and parking while the
 * descriptor is full; or an error. *n is the bytes written either way (n may
 * be NULL). OK, CLOSED, TIMEOUT, ERRNO. One writer at a time per fd. */
int goro_write(goro_fd f, const void *buf, size_t len, size_t *n);

/* FD.Accept: wait for a connection on listener l; the new one is already
 * opened as *conn (accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; a connection
 * aborted before it was accepted is skipped, ECONNABORTED). addr/addrlen as
 * accept(2), may be NULL. Many goroutines may wait on one listener; each
 * connection goes to one of them. A TCP connection comes with TCP_NODELAY
 * on, as Go's newTCPConn sets it (setsockopt on goro_fd_sysfd turns Nagle's
 * algorithm back on). OK, CLOSED, TIMEOUT, NOMEM, ERRNO. */
int goro_accept(goro_fd l, goro_fd *conn, void *addr, uint32_t *addrlen);

/* netFD.connect: connect(2) on the non-blocking socket f, parking until the
 * outcome is known (EINPROGRESS, wait writable, SO_ERROR, and a getpeername
 * check against spurious wake-ups). timeout_ns as goro_select's: < 0 no limit
 * beyond f's write deadline, 0 tries once (AGAIN while still in progress),
 * > 0 gives up with TIMEOUT. OK, AGAIN, TIMEOUT, CLOSED, INVAL, ERRNO
 * (ECONNREFUSED...). */
int goro_connect(goro_fd f, const void *addr, uint32_t addrlen, int64_t timeout_ns);

/* Wait until f is readable and/or writable (modes) without doing any I/O
 * (libdill's fdin/fdout; Go's pd.waitRead). Readiness is a state: unread
 * data is reported every time. Returns the ready modes (> 0; hung up or in
 * error counts as both), AGAIN (timeout 0 and not ready), TIMEOUT (timeout_ns
 * or f's deadline), CLOSED, INVAL. */
int goro_poll(goro_fd f, int modes, int64_t timeout_ns);

/* net.Dial: network "tcp", "tcp4", "tcp6" or "unix"; address "host:port"
 * ("127.0.0.1:80", "[::1]:80", "localhost:8080") or, for unix, a path (a
 * leading '@' is Linux's abstract namespace). Numeric addresses need no
 * resolver; a name is resolved by the host in a blocking call: host/posix
 * asks getaddrinfo (so /etc/hosts and DNS, as nsswitch.conf says);
 * host/nolibc has no DNS and knows /etc/hosts, then "localhost" as
 * 127.0.0.1 and ::1, and any other name gives ENOENT. Each
 * address tried in turn until one connects; timeout_ns > 0 covers them all,
 * as net.DialTimeout, and <= 0 sets no limit (net.Dial). A TCP connection
 * has TCP_NODELAY on, as in Go (see goro_accept). OK, TIMEOUT, INVAL (unknown network, malformed address,
 * out NULL), NOMEM, ERRNO (ECONNREFUSED; ENOENT: the name does not resolve). */
int goro_dial(const char *network, const char *address, int64_t timeout_ns, goro_fd *out);

/* net.Listen: a listening stream socket on address (":8080" listens on every
 * address; port 0 picks a free one), with SO_REUSEADDR as Go sets it. A
 * unix listener's socket file, which it created, is removed when it is
 * closed (as Go's UnixListener.Close; goro_fd_detach keeps it).
 * Statuses as goro_dial. */
int goro_listen(const char *network, const char *address, goro_fd *out);

/* The port a listener or connection is bound to (net.Addr's port), or
 * CLOSED, INVAL (a socket not of INET/INET6), ERRNO (ENOTSOCK). For ":0"
 * listeners. */
int goro_fd_port(goro_fd f);

/* ---- Runtime statistics ---- */

/* A snapshot of the scheduler, for a monitoring goroutine (runtime.NumGoroutine,
 * runtime/metrics' /sched/ counts). Each count is read on its own while the
 * runtime runs, so they may disagree by a few. Costs one walk over every G ever
 * made (about 1 ms per 100,000) and one lock per P: fine once a second. */
struct goro_stats {
	uint64_t goroutines;      /* alive now, main included (goro_num_goroutine) */
	uint64_t running;         /* on a thread now */
	uint64_t runnable;        /* ready, waiting for a thread */
	uint64_t blocking;        /* inside goro_blocking_begin/end */
	uint64_t waiting;         /* parked: the sum of the wait_* counts */
	uint64_t wait_chan_recv;  /* in goro_chan_recv */
	uint64_t wait_chan_send;  /* in goro_chan_send */
	uint64_t wait_select;     /* in goro_select, none of its cases ready */
	uint64_t wait_sleep;      /* in goro_sleep */
	uint64_t wait_sync;       /* on a WaitGroup, mutex, rwmutex, Once or Cond */
	uint64_t wait_io;         /* in goro_read, goro_write, goro_accept, goro_connect, goro_poll */
	uint64_t wait_other;      /* any other reason */
	uint64_t timers;          /* armed timers: sleeps, select timeouts, goro_timer_* */
	uint64_t fds;             /* goro_fd descriptors open (goro_fd_open, accept, dial, listen) */
	uint32_t procs;           /* GOMAXPROCS (goro_procs) */
	uint32_t idle_procs;      /* Ps with nothing to run */
	uint32_t threads;         /* OS threads the runtime started (they never exit) */
	uint32_t idle_threads;    /* of those, asleep with no P */
	uint32_t spinning_threads;/* looking for work to steal */
	uint32_t reserved_;
};
/* Fill *st. OK, or INVAL for NULL. Before goro_main every count is 0. Any
 * thread may call it. */
int goro_stats(struct goro_stats *st);

#ifdef __cplusplus
}
#endif
#endif
