/* The whole platform interface: what core/ needs from an operating system.
 * A host (host/posix, ...) implements every function here and nothing else
 * crosses the line. The Go function each one stands for is named beside it. */
#ifndef GORO_PLATFORM_H
#define GORO_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* newosproc: start an OS thread running fn(arg). fn never returns. The thread
 * needs only a small stack (core runs its scheduler there; about 64 KiB is
 * plenty) and must be able to use _Thread_local storage. 0, or the OS's
 * error number (> 0) saying why not, for the fatal error's line. */
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

/* osinit + initsig: the host's one-time setup (its fault handler), called
 * by the first goro_main before any M starts. Calls made before goro_main
 * must not depend on it. */
void plat_osinit(void);

int64_t plat_nanotime(void);          /* nanotime1: monotonic clock, ns */
int plat_ncpu(void);                  /* getproccount: CPUs this process may use */

/* Threads in the whole process right now, or -1 if the host can't tell.
 * Deadlock detection runs only when this equals the runtime's own count. */
int plat_thread_count(void);
void plat_osyield(void);              /* osyield: give up the CPU briefly */

/* getenv for the few knobs core reads (GORO_PROCS); NULL if unset. */
const char *plat_getenv(const char *name);

/* errno across a change of thread: goro_blocking_end may resume the
 * goroutine on another thread, whose errno is another variable, so core
 * reads the caller's errno on the old thread and sets it on the new one. A
 * host without errno (nolibc: -errno returns) gives 0 and ignores the set. */
int plat_errno_get(void);
void plat_errno_set(int e);

void plat_write_err(const char *s, size_t n);  /* write1(2, ...): unbuffered */

/* findfunc + funcname for tracebacks: name the code address pc. Core reads
 * no files, so the host does it (the executable's ELF symbol table, a
 * shared object's). Every field may be left 0 when unknown. Must be
 * async-signal-safe (no malloc, no stdio, no lock a faulting thread could
 * hold), and what it points to must stay valid. */
struct plat_symbol {
	const char *name;     /* the function holding pc, NUL-terminated */
	uintptr_t start;      /* its first instruction: pc - start is the offset */
	const char *module;   /* path of the executable or library holding pc */
	uintptr_t bias;       /* its load bias: pc - bias is what addr2line -e module takes */
};
void plat_symbolize(uintptr_t pc, struct plat_symbol *s);
_Noreturn void plat_exit(int code);            /* exit: the whole process */

/* ---- The netpoller's backend (netpoll_epoll.go) ----
 * One poller per process. Each descriptor is registered once, edge-triggered
 * for read, write and hang-up, and never re-armed; the key given at
 * registration comes back with each of its events (core puts a generation in
 * it, golang/go#59545, so an event for a closed descriptor cannot reach the
 * one that reuses its number). docs/PORTING.md says how kqueue does it. */
enum { PLAT_POLL_READ = 1, PLAT_POLL_WRITE = 2, PLAT_POLL_ERR = 4 };
struct plat_pollev {
	uint64_t key;    /* as given to plat_netpollopen; 0: see plat_netpoll */
	uint32_t mode;   /* PLAT_POLL_*: READ for readable or hung up, WRITE for
	                  * writable or hung up, ERR with either on an error */
};

/* netpollinit: create the poller and its wake-up (an eventfd, golang/go#65443).
 * Called once, before any other plat_netpoll*. 0 or -errno. */
int plat_netpollinit(void);

/* netpollopen: register fd for read, write and hang-up (epoll: EPOLLIN |
 * EPOLLOUT | EPOLLRDHUP | EPOLLET). key is never 0. 0, or -errno when the
 * poller refuses fd (a regular file): core then runs its I/O as blocking
 * calls. */
int plat_netpollopen(int fd, uint64_t key);

/* netpollclose: unregister fd, before it is closed. 0 or -errno. */
int plat_netpollclose(int fd);

/* netpoll: wait at most delay_ns (< 0: without limit, 0: just look) for up to
 * n events (n <= 128) and store them in ev; returns how many, 0 on timeout or
 * EINTR. Timeouts keep their nanoseconds where the system can (epoll_pwait2)
 * and round up to the next millisecond where it cannot. When delay_ns != 0,
 * a pending plat_netpollbreak is consumed and reported as one event with key
 * 0 (core then allows the next break); with delay_ns == 0 it is left for the
 * poller that blocks. */
int plat_netpoll(int64_t delay_ns, struct plat_pollev *ev, int n);

/* netpollBreak: make a plat_netpoll blocked on another thread return soon.
 * Any thread; core calls it at most once per consumed break. */
void plat_netpollbreak(void);

/* ---- Raw descriptor calls ----
 * Each returns its result (>= 0) or -errno, in the host's errno numbering:
 * the errno inside GORO_ERRNO(e) is the host's own, for the application to
 * compare with <errno.h>. Non-blocking descriptors never sleep here. EINTR is
 * returned, not retried: core retries. core recognises these few by value: */
struct plat_errnos {
	int again;        /* EAGAIN (= EWOULDBLOCK where they differ, both count) */
	int wouldblock;
	int intr;         /* EINTR */
	int inprogress;   /* EINPROGRESS: connect under way */
	int already;      /* EALREADY */
	int isconn;       /* EISCONN */
	int connaborted;  /* ECONNABORTED: accept retries */
	int notconn;      /* ENOTCONN */
	int inval;        /* EINVAL */
	int noent;        /* ENOENT: a name that does not resolve */
	int afnosupport;  /* EAFNOSUPPORT */
};
extern const struct plat_errnos plat_errno;

/* What a descriptor is, for the write path: PLAT_FD_SOCKET, PLAT_FD_PIPE (a
 * pipe or FIFO), PLAT_FD_OTHER, or -errno (EBADF). */
enum { PLAT_FD_OTHER = 0, PLAT_FD_SOCKET = 1, PLAT_FD_PIPE = 2 };
int plat_fd_kind(int fd);

int plat_setnonblock(int fd);                            /* O_NONBLOCK on: 0 or -errno */
intptr_t plat_read(int fd, void *buf, size_t n);         /* read(2) */
/* write(2) to a descriptor of the given PLAT_FD_* kind, never raising SIGPIPE
 * (a socket: send with MSG_NOSIGNAL; a pipe: -EPIPE without the signal). */
intptr_t plat_write(int fd, const void *buf, size_t n, int kind);
int plat_close(int fd);                                  /* close(2), once; EINTR counts as closed */
/* accept4(fd, addr, addrlen, SOCK_NONBLOCK | SOCK_CLOEXEC); addr may be NULL. */
int plat_accept(int fd, void *addr, uint32_t *addrlen);
int plat_connect(int fd, const void *addr, uint32_t addrlen);  /* connect(2) */
int plat_sockerror(int fd);      /* getsockopt(SO_ERROR): the pending error (>= 0, 0: none) or -errno */
int plat_getpeername(int fd);    /* 0 when fd is connected, else -errno (ENOTCONN) */
/* poll(2) with timeout 0 for modes (PLAT_POLL_READ | PLAT_POLL_WRITE): the
 * ready modes now, hang-up and error counting as both (with PLAT_POLL_ERR
 * for an error), 0 if none, or -errno. For goro_poll and select's fd cases,
 * which report readiness as a state, not an edge. */
int plat_fdpoll(int fd, int modes);
int plat_sockport(int fd);       /* getsockname's port (INET/INET6), -EINVAL for others, or -errno */
int plat_setnodelay(int fd);
int plat_unlink(const char *path);   /* unlink(2): 0 or -errno */     /* setsockopt(IPPROTO_TCP, TCP_NODELAY, 1): 0 or -errno (EOPNOTSUPP: not TCP) */

/* Sockets by a neutral address, so that core needs no sockaddr layout. */
enum { PLAT_AF_INET = 1, PLAT_AF_INET6 = 2, PLAT_AF_UNIX = 3 };
struct plat_addr {
	int family;        /* PLAT_AF_* */
	uint16_t port;     /* host order */
	uint8_t ip[16];    /* network order: 4 bytes for INET, 16 for INET6 */
	uint32_t scope;    /* INET6 scope id, 0 if none */
	char path[128];    /* UNIX: NUL-terminated; a leading NUL byte is Linux's abstract namespace */
	uint32_t pathlen;  /* UNIX: bytes of path used, without a terminating NUL */
};
/* The sockaddr for a, in sa (cap >= 128 bytes): its length, or -errno
 * (-EINVAL: a path too long for this system). */
int plat_sockaddr(const struct plat_addr *a, void *sa, uint32_t cap);
/* socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0): fd or -errno. */
int plat_socket(int family);
/* A listener: SO_REUSEADDR for INET/INET6 (Go's setDefaultListenerSockopts),
 * bind(sa), listen(backlog). 0 or -errno. */
int plat_listen(int fd, const void *sa, uint32_t salen, int backlog);
/* Resolve host for stream sockets as far as the host can (posix:
 * getaddrinfo; nolibc: numbers, /etc/hosts, localhost), family PLAT_AF_INET,
 * PLAT_AF_INET6 or 0 (both): up to n addresses in out (port 0), how many, or
 * -errno (-ENOENT: the name does not resolve). Blocks: core calls it between
 * entersyscall and exitsyscall. */
int plat_resolve(const char *host, int family, struct plat_addr *out, int n);

/* strerror, for goro_strerror's ERRNO statuses: a string that stays valid. */
const char *plat_strerror(int e);

/* Entry points core offers its host (implemented in core). */

/* sighandler's portable half (signal_unix.go's sighandler, with sigpanic's
 * stack-overflow case), for a SIGSEGV or SIGBUS the host caught on the
 * thread's signal stack: addr is the faulting address, pc, fp and sp the
 * interrupted registers from the signal context. Async-signal-safe.
 * goro_rt_sigoverflow: when addr lies in a goroutine's stack guard, prints
 * the stack overflow's fatal line and that goroutine's frames, then exits 2;
 * otherwise it returns at once, and the host may forward the signal to the
 * application's own handler (sigfwdgo).
 * goro_rt_sigpanic: any other fault: the "unexpected signal" fatal line
 * (signame: "SIGSEGV" or "SIGBUS") and the listing, as GORO_TRACEBACK says;
 * it returns, and the host restores the default action so that the fault
 * kills the process by its signal. */
void goro_rt_sigoverflow(const void *addr, uintptr_t pc, uintptr_t fp, uintptr_t sp);
void goro_rt_sigpanic(const char *signame, const void *addr, uintptr_t pc, uintptr_t fp, uintptr_t sp);

/* The host's SIGQUIT handler (and anyone dying) may list every goroutine
 * with its state on the error stream. Best effort, lock-free. */
void goro_rt_dump(void);

#endif
