/* arm64 Linux system calls for host/nolibc, in the manner of Linux's
 * tools/include/nolibc/arch-aarch64.h: syscall number in x8, arguments in
 * x0-x5, result in x0, `svc #0`. Also the few instructions that must be asm:
 * _start, the clone trampoline, the signal restorer and setting the thread
 * pointer. Included by nolibc.h only;
 * the asm is emitted once, by start.c (NOLIBC_EMIT_ASM). */
#ifndef GORO_NOLIBC_SYS_ARM64_H
#define GORO_NOLIBC_SYS_ARM64_H

/* The generic syscall table (asm-generic/unistd.h). */
#define NR_dup3             24
#define NR_openat           56
#define NR_unlinkat         35
#define NR_lseek 62
#define NR_readlinkat 78
#define NR_close            57
#define NR_pipe2            59
#define NR_read             63
#define NR_write            64
#define NR_exit             93
#define NR_exit_group       94
#define NR_futex            98
#define NR_clock_gettime   113
#define NR_sched_getaffinity 123
#define NR_sched_yield     124
#define NR_kill            129
#define NR_sigaltstack     132
#define NR_rt_sigaction    134
#define NR_rt_sigreturn    139
#define NR_getpid          172
#define NR_gettid          178
#define NR_munmap          215
#define NR_clone           220
#define NR_mmap            222
#define NR_mprotect        226
#define NR_madvise         233
#define NR_wait4           260
/* Descriptors, sockets and the poller (netpoll.c, net.c): the generic table
 * has no epoll_wait, epoll_create, eventfd or pipe, only their newer forms. */
#define NR_eventfd2         19
#define NR_epoll_create1    20
#define NR_epoll_ctl        21
#define NR_epoll_pwait      22
#define NR_fcntl            25
#define NR_fstat            80
#define NR_rt_sigprocmask  135
#define NR_rt_sigtimedwait 137
#define NR_socket          198
#define NR_socketpair      199
#define NR_bind            200
#define NR_listen          201
#define NR_connect         203
#define NR_getsockname     204
#define NR_getpeername     205
#define NR_sendto          206
#define NR_setsockopt      208
#define NR_getsockopt      209
#define NR_shutdown        210
#define NR_accept4         242
#define NR_prlimit64       261
#define NR_ppoll            73
#define NR_epoll_pwait2    441

/* struct epoll_event has its natural alignment here (16 bytes); struct
 * stat (asm-generic) has st_mode at 16. */
struct nolibc_epoll_event {
	uint32_t events;
	uint64_t data;
};
_Static_assert(sizeof(struct nolibc_epoll_event) == 16, "the kernel's epoll_event");
#define NOLIBC_STAT_MODE_OFFSET 16

static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc #0"
	    : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	    : "memory", "cc");
	return x0;
}

/* Variant I TLS (TLS_DTV_AT_TP): a 16-byte TCB at the thread pointer, the
 * static block right after it, aligned to the block's alignment. */
#define NOLIBC_TLS_VARIANT 1

/* The main thread's thread pointer; clones get theirs from CLONE_SETTLS. */
static inline long sys_set_tp(void *tp)
{
	__asm__ volatile("msr tpidr_el0, %0" :: "r"(tp) : "memory");
	return 0;
}

/* _start: the kernel leaves argc at [sp], then argv, NULL, envp, NULL, auxv,
 * and sp already 16-byte aligned (AAPCS64 wants it always). Pass that
 * address to plat_nolibc_start_c; a zero fp and lr end frame walks. */
#ifdef NOLIBC_EMIT_ASM
__asm__(
	".text\n"
	".global _start\n"
	".type _start, %function\n"
	"_start:\n"
	"	mov  x29, xzr\n"
	"	mov  x30, xzr\n"
	"	mov  x0, sp\n"
	"	and  x1, x0, #-16\n"
	"	mov  sp, x1\n"
	"	bl   plat_nolibc_start_c\n"
	"	brk  #0\n"
	".size _start, .-_start\n"

/* long plat_nolibc_clone(unsigned long flags, void *sp, void *tls):
 * clone(flags, sp, NULL, tls, NULL) (arm64 passes tls fourth). The caller
 * stored fn at sp[0] and arg at sp[1], sp 16-byte aligned. The child loads
 * them, runs fn(arg) and, should fn return, exits the thread alone. The
 * parent returns the tid or -errno. */
	".global plat_nolibc_clone\n"
	".type plat_nolibc_clone, %function\n"
	"plat_nolibc_clone:\n"
	"	mov  x3, x2\n"
	"	mov  x2, xzr\n"
	"	mov  x4, xzr\n"
	"	mov  x8, #220\n"	/* NR_clone */
	"	svc  #0\n"
	"	cbnz x0, 1f\n"
	"	ldp  x9, x0, [sp], #16\n"
	"	mov  x29, xzr\n"
	"	mov  x30, xzr\n"
	"	blr  x9\n"
	"	mov  x0, xzr\n"
	"	mov  x8, #93\n"	/* NR_exit: this thread only */
	"	svc  #0\n"
	"	brk  #0\n"
	"1:	ret\n"
	".size plat_nolibc_clone, .-plat_nolibc_clone\n"

/* The signal restorer SA_RESTORER names (the kernel would otherwise use
 * the vDSO's; naming our own keeps both arches alike). */
	".global plat_nolibc_restorer\n"
	".type plat_nolibc_restorer, %function\n"
	"plat_nolibc_restorer:\n"
	"	mov  x8, #139\n"	/* NR_rt_sigreturn */
	"	svc  #0\n"
	"	brk  #0\n"
	".size plat_nolibc_restorer, .-plat_nolibc_restorer\n"
);
#endif /* NOLIBC_EMIT_ASM */

/* The interrupted pc, frame pointer and sp in the kernel's ucontext
 * (uc_mcontext at 176: fault_address, x0..x30, sp, pc). */
static inline void nolibc_context_regs(const void *ctx, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp)
{
	const unsigned long *mc = (const unsigned long *)((const char *)ctx + 176);
	*fp = mc[1 + 29];
	*sp = mc[1 + 31];
	*pc = mc[1 + 32];
}

#endif
