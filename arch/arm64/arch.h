/* arm64 specifics for core: the frame goro_arch_mcall leaves on a goroutine's
 * stack, a fresh goroutine's first frame, and the spin-wait hint. */
#ifndef GORO_ARCH_H
#define GORO_ARCH_H

/* The saved frame, lowest address first. AAPCS64 makes x19-x28, x29 (fp),
 * x30 (lr) and the low halves of v8-v15 (d8-d15) callee-saved; FPCR (rounding
 * mode) is kept per goroutine too. Registers are saved in pairs (stp/ldp);
 * each macro is the offset of a pair's first register. Plain macros, so that
 * switch.S (which includes this file) and arch_gobuf_init read the same
 * numbers, as Go's asm reads go_asm.h; the asserts below check the shape. */
#define ARCH_FRAME_X19  0     /* x19 a new goroutine's fn, x20 its arg */
#define ARCH_FRAME_X21  16
#define ARCH_FRAME_X23  32
#define ARCH_FRAME_X25  48
#define ARCH_FRAME_X27  64
#define ARCH_FRAME_X29  80    /* x29, then x30: where goro_arch_gogo returns to */
#define ARCH_FRAME_D8   96
#define ARCH_FRAME_D10  112
#define ARCH_FRAME_D12  128
#define ARCH_FRAME_D14  144
#define ARCH_FRAME_FPCR 160
#define ARCH_FRAME_SIZE 176   /* keeps sp 16-byte aligned */

#define ARCH_FRAME_X20  (ARCH_FRAME_X19 + 8)
#define ARCH_FRAME_X30  (ARCH_FRAME_X29 + 8)

/* For tracebacks and debuggers (core/traceback.c, tools/goro-gdb.py): the
 * saved frame pointer, which heads the parked goroutine's frame chain, and
 * the pc it resumes at. A frame record is [fp] = caller's fp, [fp + 8] =
 * return address, on both CPUs. */
#define ARCH_FRAME_FP   ARCH_FRAME_X29
#define ARCH_FRAME_PC   ARCH_FRAME_X30

/* The cache line, for padding what different CPUs write (Go's
 * cpu.CacheLinePadSize on arm64). */
#define ARCH_CACHE_LINE 64

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

_Static_assert(ARCH_FRAME_SIZE % 16 == 0, "frame keeps sp 16-byte aligned");
_Static_assert(ARCH_FRAME_X21 == ARCH_FRAME_X19 + 16 && ARCH_FRAME_X23 == ARCH_FRAME_X21 + 16 &&
               ARCH_FRAME_X25 == ARCH_FRAME_X23 + 16 && ARCH_FRAME_X27 == ARCH_FRAME_X25 + 16 &&
               ARCH_FRAME_X29 == ARCH_FRAME_X27 + 16 && ARCH_FRAME_D8 == ARCH_FRAME_X29 + 16 &&
               ARCH_FRAME_D10 == ARCH_FRAME_D8 + 16 && ARCH_FRAME_D12 == ARCH_FRAME_D10 + 16 &&
               ARCH_FRAME_D14 == ARCH_FRAME_D12 + 16 && ARCH_FRAME_FPCR == ARCH_FRAME_D14 + 16,
               "one 16-byte slot per register pair");
_Static_assert(ARCH_FRAME_FPCR + 8 <= ARCH_FRAME_SIZE, "FPCR inside the frame");

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

	for (int i = 0; i < ARCH_FRAME_SIZE / 8; i++)
		f[i] = 0;   /* zero FPCR: round to nearest, no traps; zero fp ends walks */
	f[ARCH_FRAME_X19 / 8] = (uint64_t)(uintptr_t)fn;
	f[ARCH_FRAME_X20 / 8] = (uint64_t)(uintptr_t)arg;
	f[ARCH_FRAME_X30 / 8] = (uint64_t)(uintptr_t)goro_arch_gostart;
	return sp;
}

/* ARCH_TLS_LOAD(out, sym): out = this thread's value of sym, an
 * initial-exec _Thread_local pointer, in one asm statement the compiler may
 * neither merge with another nor move: a goroutine can resume on another
 * thread after any switch (HACKING.md's TLS rule), and a plain C access
 * would let the compiler keep the first thread's address. The linker turns
 * the GOT load into an immediate in an executable (IE to LE relaxation). */
#define ARCH_TLS_LOAD(out, sym) do { \
	uintptr_t tp_; \
	__asm__ volatile("mrs %1, tpidr_el0\n\t" \
	                 "adrp %0, :gottprel:" #sym "\n\t" \
	                 "ldr %0, [%0, #:gottprel_lo12:" #sym "]\n\t" \
	                 "ldr %0, [%1, %0]" : "=&r"(out), "=&r"(tp_)); \
} while (0)

/* procyield: a hint to the core that we are spinning. */
static inline void arch_procyield(uint32_t n)
{
	while (n-- > 0)
		__asm__ volatile("yield" ::: "memory");
}

static inline uintptr_t arch_getsp(void)
{
	uintptr_t sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

/* cputicks: the generic timer's virtual count. time.c's deadline clock
 * stays off here (arch_cputicks_invariant false): it has been measured on
 * amd64 only, and under qemu this counter is the host's. */
static inline uint64_t arch_cputicks(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static inline bool arch_cputicks_invariant(void)
{
	return false;
}

#endif /* __ASSEMBLER__ */
#endif
