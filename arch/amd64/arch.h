/* amd64 specifics for core: the frame goro_arch_mcall leaves on a goroutine's
 * stack, a fresh goroutine's first frame, and the spin-wait hint. */
#ifndef GORO_ARCH_H
#define GORO_ARCH_H

/* The saved frame, lowest address first: x87 control word and MXCSR packed in
 * one slot, r15, r14, r13, r12, rbx, rbp, return address. Plain macros, so
 * that switch.S (which includes this file) and arch_gobuf_init read the same
 * numbers, as Go's asm reads go_asm.h; the asserts below check the shape. */
#define ARCH_FRAME_FPCTL 0    /* fnstcw at +0 (16 bits), stmxcsr at +4 */
#define ARCH_FRAME_MXCSR 4
#define ARCH_FRAME_R15   8
#define ARCH_FRAME_R14   16
#define ARCH_FRAME_R13   24   /* a new goroutine's arg */
#define ARCH_FRAME_R12   32   /* a new goroutine's fn */
#define ARCH_FRAME_RBX   40
#define ARCH_FRAME_RBP   48
#define ARCH_FRAME_RET   56   /* pushed by mcall's caller, popped by gogo's ret */
#define ARCH_FRAME_SIZE  64

/* For tracebacks and debuggers (core/traceback.c, tools/goro-gdb.py): the
 * saved frame pointer, which heads the parked goroutine's frame chain, and
 * the pc it resumes at. A frame record is [fp] = caller's fp, [fp + 8] =
 * return address, on both CPUs. */
#define ARCH_FRAME_FP   ARCH_FRAME_RBP
#define ARCH_FRAME_PC   ARCH_FRAME_RET   /* keeps the saved sp 16-byte aligned */

#define ARCH_X87_CW_DEFAULT 0x037f   /* round to nearest, 64-bit precision, all masked */
#define ARCH_MXCSR_DEFAULT  0x1f80   /* round to nearest, all exceptions masked */

/* The cache line, for padding what different CPUs write (Go's
 * cpu.CacheLinePadSize on amd64). */
#define ARCH_CACHE_LINE 64

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* mcall's subq/addq cover the slots below the return address, which the
 * call itself pushed: the saved sp is then 16-byte aligned again. */
_Static_assert(ARCH_FRAME_RET == ARCH_FRAME_SIZE - 8, "return address is the top slot");
_Static_assert(ARCH_FRAME_SIZE % 16 == 0, "frame keeps sp 16-byte aligned");
_Static_assert(ARCH_FRAME_R15 == ARCH_FRAME_FPCTL + 8 && ARCH_FRAME_R14 == ARCH_FRAME_R15 + 8 &&
               ARCH_FRAME_R13 == ARCH_FRAME_R14 + 8 && ARCH_FRAME_R12 == ARCH_FRAME_R13 + 8 &&
               ARCH_FRAME_RBX == ARCH_FRAME_R12 + 8 && ARCH_FRAME_RBP == ARCH_FRAME_RBX + 8 &&
               ARCH_FRAME_RET == ARCH_FRAME_RBP + 8, "one 8-byte slot per register");

/* Entry points of switch.S; sp slots are the first word of a gobuf. */
void goro_arch_gogo(uintptr_t *sp) __attribute__((noreturn));
void goro_arch_mcall(uintptr_t *save, uintptr_t g0sp, void (*fn)(void *), void *arg);
void goro_arch_switch(uintptr_t *save, uintptr_t *to, void (*fn)(void *), void *arg);
void goro_arch_mstart(uintptr_t *g0sp, void (*fn)(void)) __attribute__((noreturn));
void goro_arch_systemstack(uintptr_t sp, void (*fn)(void *), void *arg);
void goro_arch_gostart(void);

/* Lay out a goroutine's first frame below top (16-byte aligned) so that
 * goro_arch_gogo "returns" into goro_arch_gostart, which calls fn(arg) and
 * then goro_rt_goexit. Returns the sp to store in the gobuf. */
static inline uintptr_t arch_gobuf_init(uintptr_t top, void (*fn)(void *), void *arg)
{
	uintptr_t sp = top - ARCH_FRAME_SIZE;
	uint64_t *f = (uint64_t *)sp;

	f[ARCH_FRAME_FPCTL / 8] = (uint64_t)ARCH_X87_CW_DEFAULT | (uint64_t)ARCH_MXCSR_DEFAULT << 32;
	f[ARCH_FRAME_R15 / 8] = 0;
	f[ARCH_FRAME_R14 / 8] = 0;
	f[ARCH_FRAME_R13 / 8] = (uint64_t)(uintptr_t)arg;
	f[ARCH_FRAME_R12 / 8] = (uint64_t)(uintptr_t)fn;
	f[ARCH_FRAME_RBX / 8] = 0;
	f[ARCH_FRAME_RBP / 8] = 0;   /* ends frame-pointer walks */
	f[ARCH_FRAME_RET / 8] = (uint64_t)(uintptr_t)goro_arch_gostart;
	return sp;
}

/* ARCH_TLS_LOAD(out, sym): out = this thread's value of sym, an
 * initial-exec _Thread_local pointer, in one asm statement the compiler may
 * neither merge with another nor move: a goroutine can resume on another
 * thread after any switch (HACKING.md's TLS rule), and a plain C access
 * would let the compiler keep the first thread's address. The linker turns
 * the GOT load into an immediate in an executable (IE to LE relaxation). */
#define ARCH_TLS_LOAD(out, sym) \
	__asm__ volatile("movq " #sym "@gottpoff(%%rip), %0\n\tmovq %%fs:(%0), %0" : "=r"(out))

/* procyield: a hint to the core that we are spinning. */
static inline void arch_procyield(uint32_t n)
{
	while (n-- > 0)
		__asm__ volatile("pause" ::: "memory");
}

static inline uintptr_t arch_getsp(void)
{
	uintptr_t sp;
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	return sp;
}

/* cputicks: the time-stamp counter, unserialised (it may be read a few
 * instructions early). time.c's when_after uses it only where the CPU says
 * the counter is invariant (arch_cputicks_invariant). */
static inline uint64_t arch_cputicks(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* CPUID 0x80000007 EDX bit 8: the counter runs at a constant rate in every
 * P-, C- and T-state. */
static inline bool arch_cputicks_invariant(void)
{
	uint32_t a = 0x80000000u, b, c = 0, d;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (a < 0x80000007u)
		return false;
	a = 0x80000007u;
	c = 0;
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (d >> 8 & 1) != 0;
}

#endif /* __ASSEMBLER__ */
#endif
