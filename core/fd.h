/* A descriptor: runtime's pollDesc (netpoll.go) and internal/poll's FD
 * (fd_unix.go, fd_mutex.go) in one object, shared by netpoll.c, fd_mutex.c,
 * fd_unix.c, net.c and select.c's fd cases. */
#ifndef GORO_FD_H
#define GORO_FD_H

#include "runtime2.h"
#include "sema.h"
#include "goro.h"

/* fdMutex (fd_mutex.go): a reference count, a read lock and a write lock
 * with their waiter counts, and the closed bit, in one word.
 *   bit 0: closed; bit 1: read lock; bit 2: write lock;
 *   bits 3-22: references; 23-42: read waiters; 43-62: write waiters.
 * Unlike Go, a waiter also holds a reference while it sleeps on rsema or
 * wsema: the object is reused once the last reference goes (Go's is
 * garbage collected), and a sleeper must not wake up in its successor. */
struct fdMutex {
	uint64_t state;          /* atomic */
	struct sema rsema, wsema;
};

/* rg and wg, as netpoll.go: 0, pdReady, pdWait, or the G parked there. */
enum { pdReady = 1, pdWait = 2 };

/* pollInfo bits (netpoll.go), a snapshot of closing, rd < 0 and wd < 0
 * published under lock for netpollcheckerr's lock-free read. */
enum { pollClosing = 1, pollExpiredReadDeadline = 4, pollExpiredWriteDeadline = 8 };

/* netpollcheckerr's answers. */
enum { pollNoError = 0, pollErrClosing = 1, pollErrTimeout = 2 };

/* One descriptor. The memory is never unmapped (Go's pollCache), so a stale
 * handle or a late event may always look at it: fdseq tells the current
 * incarnation from an old one (golang/go#59545). A handle and an epoll key
 * are both fdseq << 32 | (slot + 1).
 *
 * Its locks (dlock, lock) have their place in runtime2.h's lock order. */
struct pollDesc {
	struct pollDesc *link;   /* pollcache free list, under pollcache.lock */
	uint32_t slot;           /* immutable */
	uint32_t fdseq;          /* atomic: bumped at each open; 0 never used */

	uintptr_t rg, wg;        /* atomic: pdReady, pdWait, a G, or 0 */
	uint32_t atomicInfo;     /* atomic: pollInfo, written under lock */

	struct mutex lock;       /* protects the fields below up to fdmu */
	bool closing;
	bool rt_on, wt_on;       /* rt / wt in use (Go: rt.f != nil) */
	uintptr_t rseq, wseq;    /* bumped to make a pending deadline timer stale */
	int64_t rd, wd;          /* deadlines: nanotime, 0 none, -1 expired */
	struct waitq rq, wq;     /* select and goro_poll waiters (sudogs) */
	struct mutex dlock;
	struct timer rt, wt;

	/* poll.FD */
	struct fdMutex fdmu;
	int sysfd;               /* under a reference; -1 once destroyed */
	int kind;                /* PLAT_FD_* */
	bool isBlocking;         /* the poller refused it: blocking calls */
	bool detach;             /* destroy hands sysfd back instead of closing */
	struct sema csema;       /* Close waits here for destroy */
	/* A unix socket's path goro_listen bound (rtmalloc'ed, NUL-terminated),
	 * unlinked by the one close that gets past increfAndClose; NULL if none.
	 * Written before the handle is handed out. */
	char *unlink_path;
};

/* netpoll.c */
struct pollDesc *pd_lookup(goro_fd f);          /* the slot's pollDesc, no reference; NULL if none */
struct pollDesc *pollcache_alloc(void);         /* with a new fdseq; NULL: no memory */
void pollcache_free(struct pollDesc *pd);
uint64_t pollcache_inuse(void);                 /* pollDescs allocated now (goro_stats) */
goro_fd pd_handle(struct pollDesc *pd);
int poll_runtime_pollOpen(struct pollDesc *pd);  /* 0, or -errno: not pollable */
void poll_runtime_pollClose(struct pollDesc *pd);
void poll_runtime_pollReset(struct pollDesc *pd, int mode);
int poll_runtime_pollWait(struct pollDesc *pd, int mode);   /* pollNoError, pollErr* */
void poll_runtime_pollSetDeadline(struct pollDesc *pd, int64_t d, int mode);
void poll_runtime_pollUnblock(struct pollDesc *pd);
int netpollcheckerr(struct pollDesc *pd, int mode);
/* select's fd cases: queue sg (sg->g in select) for mode, or take it off. */
void netpoll_selqueue(struct pollDesc *pd, int mode, struct sudog *sg);
void netpoll_seldequeue(struct pollDesc *pd, int mode, struct sudog *sg);
/* A foreign thread is about to wait on a descriptor: make sure some M polls. */
void netpoll_foreign_wait(void);

/* fd_mutex.c */
bool fdmu_incref(struct fdMutex *mu);
bool fdmu_increfAndClose(struct fdMutex *mu);
bool fdmu_decref(struct fdMutex *mu);           /* true: the last reference of a closed fd */
int fdmu_rwlock(struct fdMutex *mu, bool read); /* 1 locked; 0 closed; -1 closed, destroy is ours */
bool fdmu_rwunlock(struct fdMutex *mu, bool read);

/* fd_unix.c */
void fd_destroy(struct pollDesc *pd);
/* A reference on the descriptor behind f (FD.incref), or NULL: closed. */
struct pollDesc *fd_acquire(goro_fd f);
void fd_release(struct pollDesc *pd);            /* FD.decref */
int fd_init(int sysfd, int kind, goro_fd *out);  /* FD.Init for sysfd of known kind */
/* Wait for mode (PLAT_POLL_READ/WRITE) on a referenced pd, as goro_poll. */
int fd_poll(struct pollDesc *pd, goro_fd f, int modes, int64_t timeout_ns);

/* netpoll.c, for select.c: the status of an fd case ready now (OK, CLOSED,
 * TIMEOUT), or FD_NOTREADY. */
enum { FD_NOTREADY = 1 };
int fd_case_ready(struct pollDesc *pd, int mode);

#endif
