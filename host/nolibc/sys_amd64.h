/* amd64 Linux system calls for host/nolibc, in the manner of Linux's
 * tools/include/nolibc/arch-x86_64.h: syscall number in rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9; the kernel clobbers rcx and r11. Also the few
 * instructions that must be asm: _start, the clone trampoline, the signal
 * restorer and setting the thread pointer. Included by nolibc.h only;
 * the asm is emitted once, by start.c (NOLIBC_EMIT_ASM). */
#ifndef GORO_NOLIBC_SYS_AMD64_H
#define GORO_NOLIBC_SYS_AMD64_H

#define NR_read              0
#define NR_write             1
#define NR_close             3
#define NR_mmap              9
#define NR_mprotect         10
#define NR_munmap           11
#define NR_rt_sigaction     13
#define NR_rt_sigreturn     15
#define NR_sched_yield      24
#define NR_madvise          28
#define NR_getpid           39
#define NR_clone            56
#define NR_exit             60
#define NR_wait4            61
#define NR_kill             62
#define NR_sigaltstack     131
#define NR_arch_prctl      158
#define NR_gettid          186
#define NR_futex           202
#define NR_sched_getaffinity 204
#define NR_clock_gettime   228
#define NR_exit_group      231
#define NR_openat          257
#define NR_unlinkat        263
#define NR_lseek 8
#define NR_readlinkat 267
#define NR_dup3            292
#define NR_pipe2           293
/* Descriptors, sockets and the poller (netpoll.c, net.c). */
#define NR_fstat             5
#define NR_rt_sigprocmask   14
#define NR_socket           41
#define NR_connect          42
#define NR_sendto           44
#define NR_shutdown         48
#define NR_bind             49
#define NR_listen           50
#define NR_getsockname      51
#define NR_getpeername      52
#define NR_socketpair       53
#define NR_setsockopt       54
#define NR_getsockopt       55
#define NR_fcntl            72
#define NR_rt_sigtimedwait 128
#define NR_epoll_ctl       233
#define NR_epoll_pwait     281
#define NR_accept4         288
#define NR_eventfd2        290
#define NR_epoll_create1   291
#define NR_prlimit64       302
#define NR_ppoll           271
#define NR_epoll_pwait2    441

/* x86-64's struct epoll_event is packed (12 bytes), unlike every other
 * arch's; struct stat's st_mode is at 24. */
struct nolibc_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct nolibc_epoll_event) == 12, "the kernel's epoll_event");
#define NOLIBC_STAT_MODE_OFFSET 24

#define ARCH_SET_FS 0x1002

static inline long sys_call6(long n, long a, long b, long c, long d, long e, long f)
{
	register long rax __asm__("rax") = n;
	register long rdi __asm__("rdi") = a;
	register long rsi __asm__("rsi") = b;
	register long rdx __asm__("rdx") = c;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
	    : "+r"(rax)
	    : "r"(rdi), "r"(rsi), "r"(rdx), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return rax;
}

/* Variant II TLS (TLS_TCB_AT_TP): the static block ends at the thread
 * pointer, and the word at the thread pointer is the thread pointer itself
 * (what %fs:0 loads). */
#define NOLIBC_TLS_VARIANT 2

/* The main thread's thread pointer; clones get theirs from CLONE_SETTLS. */
static inline long sys_set_tp(void *tp)
{
	return sys_call6(NR_arch_prctl, ARCH_SET_FS, (long)tp, 0, 0, 0, 0);
}

/* _start: the kernel leaves argc at (%rsp), then argv, NULL, envp, NULL,
 * auxv. Pass that address to plat_nolibc_start_c with the ABI's alignment
 * (rsp 16-byte aligned before the call), and end frame-pointer walks. */
#ifdef NOLIBC_EMIT_ASM
__asm__(
	".text\n"
	".global _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xor  %ebp, %ebp\n"
	"	mov  %rsp, %rdi\n"
	"	and  $-16, %rsp\n"
	"	call plat_nolibc_start_c\n"
	"	hlt\n"
	".size _start, .-_start\n"

/* long plat_nolibc_clone(unsigned long flags, void *sp, void *tls):
 * clone(flags, sp, NULL, NULL, tls). The caller stored fn at sp[0] and arg
 * at sp[1], sp 16-byte aligned. The child pops them (rsp is then aligned,
 * as the ABI wants before a call), runs fn(arg) and, should fn return,
 * exits the thread alone. The parent returns the tid or -errno. */
	".global plat_nolibc_clone\n"
	".type plat_nolibc_clone, @function\n"
	"plat_nolibc_clone:\n"
	"	mov  %rdx, %r8\n"
	"	xor  %edx, %edx\n"
	"	xor  %r10d, %r10d\n"
	"	mov  $56, %eax\n"	/* NR_clone */
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz  1f\n"
	"	xor  %ebp, %ebp\n"
	"	pop  %rax\n"
	"	pop  %rdi\n"
	"	call *%rax\n"
	"	mov  $60, %eax\n"	/* NR_exit: this thread only */
	"	xor  %edi, %edi\n"
	"	syscall\n"
	"	hlt\n"
	"1:	ret\n"
	".size plat_nolibc_clone, .-plat_nolibc_clone\n"

/* The signal restorer SA_RESTORER names: x86-64 has no vDSO trampoline,
 * so a handler that returns lands here and the kernel restores the frame. */
	".global plat_nolibc_restorer\n"
	".type plat_nolibc_restorer, @function\n"
	"plat_nolibc_restorer:\n"
	"	mov  $15, %eax\n"	/* NR_rt_sigreturn */
	"	syscall\n"
	"	hlt\n"
	".size plat_nolibc_restorer, .-plat_nolibc_restorer\n"
);
#endif /* NOLIBC_EMIT_ASM */

/* The interrupted pc, frame pointer and sp in the kernel's ucontext
 * (uc_mcontext at 40: rbp, rsp, rip are its 10th, 15th and 16th words). */
static inline void nolibc_context_regs(const void *ctx, uintptr_t *pc, uintptr_t *fp, uintptr_t *sp)
{
	const unsigned long *mc = (const unsigned long *)((const char *)ctx + 40);
	*fp = mc[10];
	*sp = mc[15];
	*pc = mc[16];
}

#endif
