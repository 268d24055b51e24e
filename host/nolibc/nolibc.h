/* What host/nolibc's files (and its self-test, tests/nolibc) share: the
 * system calls as inline functions over the per-arch sys_<arch>.h, the
 * kernel's constants and structures that libc headers would supply, and the
 * host's own plat_nolibc_* entry points. Linux only; no libc headers. */
#ifndef GORO_NOLIBC_H
#define GORO_NOLIBC_H

#include <stddef.h>
#include <stdint.h>

/* The one arch switch of this host: which syscall table and asm. */
#if defined(__x86_64__)
#include "sys_amd64.h"
#elif defined(__aarch64__)
#include "sys_arm64.h"
#else
#error "host/nolibc: no sys_<arch>.h for this CPU"
#endif

/* Values shared by amd64 and arm64 (asm-generic and x86 agree on these). */
enum {
	NOLIBC_EINTR = 4, NOLIBC_EAGAIN = 11, NOLIBC_EFAULT = 14,

	NOLIBC_PROT_NONE = 0, NOLIBC_PROT_READ = 1, NOLIBC_PROT_WRITE = 2,
	NOLIBC_MAP_PRIVATE = 0x02, NOLIBC_MAP_ANONYMOUS = 0x20,
	NOLIBC_MAP_NORESERVE = 0x4000, NOLIBC_MAP_STACK = 0x20000,
	NOLIBC_MADV_GUARD_INSTALL = 102,	/* Linux 6.13 */

	NOLIBC_FUTEX_WAIT_PRIVATE = 0 | 128, NOLIBC_FUTEX_WAKE_PRIVATE = 1 | 128,
	NOLIBC_CLOCK_MONOTONIC = 1,

	NOLIBC_CLONE_VM = 0x100, NOLIBC_CLONE_FS = 0x200, NOLIBC_CLONE_FILES = 0x400,
	NOLIBC_CLONE_SIGHAND = 0x800, NOLIBC_CLONE_THREAD = 0x10000,
	NOLIBC_CLONE_SYSVSEM = 0x40000, NOLIBC_CLONE_SETTLS = 0x80000,

	NOLIBC_SIGQUIT = 3, NOLIBC_SIGBUS = 7, NOLIBC_SIGSEGV = 11, NOLIBC_SIGCHLD = 17,
	NOLIBC_SA_SIGINFO = 4, NOLIBC_SA_ONSTACK = 0x08000000,
	NOLIBC_SA_RESTORER = 0x04000000,

	NOLIBC_O_RDONLY = 0, NOLIBC_O_NONBLOCK = 04000, NOLIBC_O_CLOEXEC = 02000000,
	NOLIBC_AT_FDCWD = -100,

	NOLIBC_AT_PHDR = 3, NOLIBC_AT_PHNUM = 5, NOLIBC_AT_PAGESZ = 6,
	NOLIBC_PT_PHDR = 6, NOLIBC_PT_TLS = 7,

	/* Descriptors, sockets and the poller (netpoll.c, net.c). */
	NOLIBC_ENOENT = 2, NOLIBC_EBADF = 9, NOLIBC_ENOMEM = 12, NOLIBC_EINVAL = 22,
	NOLIBC_EPIPE = 32, NOLIBC_ENOSYS = 38, NOLIBC_EAFNOSUPPORT = 97,
	NOLIBC_ECONNABORTED = 103, NOLIBC_EISCONN = 106, NOLIBC_ENOTCONN = 107,
	NOLIBC_EALREADY = 114, NOLIBC_EINPROGRESS = 115,

	NOLIBC_F_GETFL = 3, NOLIBC_F_SETFL = 4,
	NOLIBC_S_IFMT = 0170000, NOLIBC_S_IFSOCK = 0140000, NOLIBC_S_IFIFO = 0010000,
	NOLIBC_SIGPIPE = 13, NOLIBC_SIG_BLOCK = 0, NOLIBC_SIG_SETMASK = 2,

	NOLIBC_AF_UNIX = 1, NOLIBC_AF_INET = 2, NOLIBC_AF_INET6 = 10,
	NOLIBC_SOCK_STREAM = 1, NOLIBC_SOCK_NONBLOCK = 04000, NOLIBC_SOCK_CLOEXEC = 02000000,
	NOLIBC_SOL_SOCKET = 1, NOLIBC_SO_REUSEADDR = 2, NOLIBC_SO_ERROR = 4,
	NOLIBC_IPPROTO_TCP = 6, NOLIBC_TCP_NODELAY = 1,
	NOLIBC_MSG_NOSIGNAL = 0x4000, NOLIBC_SHUT_WR = 1,
	NOLIBC_RLIMIT_NOFILE = 7,

	NOLIBC_EPOLL_CLOEXEC = 02000000, NOLIBC_EFD_CLOEXEC = 02000000,
	NOLIBC_EFD_NONBLOCK = 04000,
	NOLIBC_EPOLL_CTL_ADD = 1, NOLIBC_EPOLL_CTL_DEL = 2,
	NOLIBC_EPOLLIN = 0x001, NOLIBC_EPOLLOUT = 0x004, NOLIBC_EPOLLERR = 0x008,
	NOLIBC_EPOLLHUP = 0x010, NOLIBC_EPOLLRDHUP = 0x2000,
	NOLIBC_POLLIN = 0x001, NOLIBC_POLLOUT = 0x004, NOLIBC_POLLERR = 0x008,
	NOLIBC_POLLHUP = 0x010, NOLIBC_POLLNVAL = 0x020, NOLIBC_POLLRDHUP = 0x2000,
};

struct nolibc_pollfd { int fd; short events, revents; };
#define NOLIBC_EPOLLET (1u << 31)

struct nolibc_timespec { long tv_sec, tv_nsec; };

/* The kernel's struct sigaction for rt_sigaction (not libc's). */
struct nolibc_sigaction {
	void *handler;
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

struct nolibc_stack { void *ss_sp; int ss_flags; size_t ss_size; };

/* The head of siginfo_t: for SIGSEGV/SIGBUS the address follows at 16. */
struct nolibc_siginfo { int si_signo, si_errno, si_code, pad_; void *si_addr; };

struct nolibc_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

#define sys0(n)                sys_call6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a)             sys_call6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b)          sys_call6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c)       sys_call6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d)    sys_call6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys6(n, a, b, c, d, e, f) \
	sys_call6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* Every wrapper returns what the kernel did: a result, or -errno. */
static inline long sys_read(int fd, void *p, size_t n)  { return sys3(NR_read, fd, p, n); }
static inline long sys_write(int fd, const void *p, size_t n) { return sys3(NR_write, fd, p, n); }
static inline long sys_close(int fd)                    { return sys1(NR_close, fd); }
static inline long sys_openat(int dir, const char *path, int flags)
{
	return sys4(NR_openat, dir, path, flags, 0);
}
static inline long sys_unlinkat(int dir, const char *path, int flags)
{
	return sys3(NR_unlinkat, dir, path, flags);
}
static inline long sys_pipe2(int fd[2], int flags)      { return sys2(NR_pipe2, fd, flags); }
static inline long sys_dup3(int a, int b, int flags)    { return sys3(NR_dup3, a, b, flags); }
static inline void *sys_mmap(void *p, size_t n, int prot, int flags)
{
	return (void *)sys6(NR_mmap, p, n, prot, flags, -1, 0);
}
static inline void *sys_mmap_fd(size_t n, int prot, int flags, int fd)
{
	return (void *)sys6(NR_mmap, 0, n, prot, flags, fd, 0);
}
static inline long sys_lseek(int fd, long off, int whence) { return sys3(NR_lseek, fd, off, whence); }
static inline long sys_readlinkat(int dir, const char *path, char *buf, size_t n)
{
	return sys4(NR_readlinkat, dir, path, buf, n);
}
static inline long sys_munmap(void *p, size_t n)        { return sys2(NR_munmap, p, n); }
static inline long sys_mprotect(void *p, size_t n, int prot) { return sys3(NR_mprotect, p, n, prot); }
static inline long sys_madvise(void *p, size_t n, int advice) { return sys3(NR_madvise, p, n, advice); }
static inline long sys_futex(uint32_t *a, int op, uint32_t v, const struct nolibc_timespec *ts)
{
	return sys6(NR_futex, a, op, v, ts, 0, 0);
}
static inline long sys_clock_gettime(int clk, struct nolibc_timespec *ts)
{
	return sys2(NR_clock_gettime, clk, ts);
}
static inline long sys_sched_yield(void)                { return sys0(NR_sched_yield); }
static inline long sys_sched_getaffinity(int pid, size_t n, void *mask)
{
	return sys3(NR_sched_getaffinity, pid, n, mask);
}
static inline long sys_rt_sigaction(int sig, const struct nolibc_sigaction *sa,
    struct nolibc_sigaction *old)
{
	return sys4(NR_rt_sigaction, sig, sa, old, sizeof(uint64_t));
}
static inline long sys_sigaltstack(const struct nolibc_stack *ss) { return sys2(NR_sigaltstack, ss, 0); }
static inline long sys_getpid(void)                     { return sys0(NR_getpid); }
static inline long sys_gettid(void)                     { return sys0(NR_gettid); }
static inline long sys_kill(int pid, int sig)           { return sys2(NR_kill, pid, sig); }
static inline long sys_wait4(int pid, int *status, int options)
{
	return sys4(NR_wait4, pid, status, options, 0);
}
static inline long sys_fcntl(int fd, int cmd, long arg)  { return sys3(NR_fcntl, fd, cmd, arg); }
/* fstat into a buffer big enough for either arch's struct stat (144 bytes
 * at most); the mode is at NOLIBC_STAT_MODE_OFFSET. */
static inline long sys_fstat(int fd, void *st)           { return sys2(NR_fstat, fd, st); }
static inline long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old)
{
	return sys4(NR_rt_sigprocmask, how, set, old, sizeof(uint64_t));
}
static inline long sys_rt_sigtimedwait(const uint64_t *set, const struct nolibc_timespec *ts)
{
	return sys4(NR_rt_sigtimedwait, set, 0, ts, sizeof(uint64_t));
}
static inline long sys_socket(int family, int type, int proto) { return sys3(NR_socket, family, type, proto); }
static inline long sys_socketpair(int family, int type, int proto, int fd[2])
{
	return sys4(NR_socketpair, family, type, proto, fd);
}
static inline long sys_bind(int fd, const void *sa, uint32_t len) { return sys3(NR_bind, fd, sa, len); }
static inline long sys_listen(int fd, int backlog)       { return sys2(NR_listen, fd, backlog); }
static inline long sys_accept4(int fd, void *sa, uint32_t *len, int flags)
{
	return sys4(NR_accept4, fd, sa, len, flags);
}
static inline long sys_connect(int fd, const void *sa, uint32_t len) { return sys3(NR_connect, fd, sa, len); }
static inline long sys_getsockname(int fd, void *sa, uint32_t *len) { return sys3(NR_getsockname, fd, sa, len); }
static inline long sys_getpeername(int fd, void *sa, uint32_t *len) { return sys3(NR_getpeername, fd, sa, len); }
static inline long sys_setsockopt(int fd, int level, int opt, const void *v, uint32_t len)
{
	return sys6(NR_setsockopt, fd, level, opt, v, len, 0);
}
static inline long sys_getsockopt(int fd, int level, int opt, void *v, uint32_t *len)
{
	return sys6(NR_getsockopt, fd, level, opt, v, len, 0);
}
static inline long sys_sendto(int fd, const void *p, size_t n, int flags)
{
	return sys6(NR_sendto, fd, p, n, flags, 0, 0);
}
static inline long sys_shutdown(int fd, int how)         { return sys2(NR_shutdown, fd, how); }
static inline long sys_prlimit64(int pid, int res, const uint64_t lim[2], uint64_t old[2])
{
	return sys4(NR_prlimit64, pid, res, lim, old);
}
static inline long sys_epoll_create1(int flags)          { return sys1(NR_epoll_create1, flags); }
static inline long sys_epoll_ctl(int ep, int op, int fd, struct nolibc_epoll_event *ev)
{
	return sys4(NR_epoll_ctl, ep, op, fd, ev);
}
static inline long sys_epoll_pwait(int ep, struct nolibc_epoll_event *ev, int n, int ms)
{
	return sys6(NR_epoll_pwait, ep, ev, n, ms, 0, sizeof(uint64_t));
}
static inline long sys_epoll_pwait2(int ep, struct nolibc_epoll_event *ev, int n,
    const struct nolibc_timespec *ts)
{
	return sys6(NR_epoll_pwait2, ep, ev, n, ts, 0, sizeof(uint64_t));
}
static inline long sys_ppoll(struct nolibc_pollfd *p, unsigned n, const struct nolibc_timespec *ts)
{
	return sys6(NR_ppoll, p, n, ts, 0, sizeof(uint64_t), 0);
}
static inline long sys_eventfd2(unsigned init, int flags) { return sys2(NR_eventfd2, init, flags); }

/* fork: clone(SIGCHLD) with no new stack (arm64 has no fork syscall). */
static inline long sys_fork(void)                       { return sys2(NR_clone, NOLIBC_SIGCHLD, 0); }
static inline _Noreturn void sys_exit_group(int code)
{
	for (;;)
		sys1(NR_exit_group, code);
}

/* In host/nolibc (string.c): what <string.h> would declare. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* In host/nolibc (start.c, platform.c). */
long plat_nolibc_clone(unsigned long flags, void *sp, void *tls);	/* asm */
void plat_nolibc_restorer(void);					/* asm */
_Noreturn void plat_nolibc_start_c(long *sp);
/* One thread's TLS: a fresh copy of the init image in [area, area+size),
 * returning the thread pointer to install. plat_nolibc_tls_size is what an
 * area needs, alignment included. */
extern size_t plat_nolibc_tls_size;
void *plat_nolibc_tls_init(void *area);
/* A thread's signal stack (platform.c). */
void plat_nolibc_sigaltstack(void *p, size_t n);
extern size_t plat_nolibc_pagesize;
/* The executable's program headers and load bias, from the auxiliary
 * vector (start.c), for plat_symbolize (symbolize.c). */
extern const struct nolibc_phdr *plat_nolibc_phdr;
extern unsigned long plat_nolibc_phnum;
extern uintptr_t plat_nolibc_bias;

#endif
