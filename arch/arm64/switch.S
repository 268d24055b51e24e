/* arm64 context switch: gogo, mcall, the direct goroutine switch, mstart's g0
 * anchor and systemstack, after Go's asm_arm64.s. AAPCS64: x19-x28, x29,
 * x30 and d8-d15 are callee-saved; FPCR is saved with them. Frame offsets
 * come from arch.h (ARCH_FRAME_*), shared with arch_gobuf_init. */

#include "arch.h"

	.text

/* void goro_arch_gogo(uintptr_t *sp)                     x0 = sp slot
 * Resume the context saved in *sp; never returns to its caller. */
	.globl	goro_arch_gogo
	.type	goro_arch_gogo, %function
goro_arch_gogo:
	ldr	x9, [x0]
	mov	sp, x9
.Lrestore:
	ldp	x19, x20, [sp, #ARCH_FRAME_X19]
	ldp	x21, x22, [sp, #ARCH_FRAME_X21]
	ldp	x23, x24, [sp, #ARCH_FRAME_X23]
	ldp	x25, x26, [sp, #ARCH_FRAME_X25]
	ldp	x27, x28, [sp, #ARCH_FRAME_X27]
	ldp	x29, x30, [sp, #ARCH_FRAME_X29]
	ldp	d8, d9, [sp, #ARCH_FRAME_D8]
	ldp	d10, d11, [sp, #ARCH_FRAME_D10]
	ldp	d12, d13, [sp, #ARCH_FRAME_D12]
	ldp	d14, d15, [sp, #ARCH_FRAME_D14]
	ldr	x9, [sp, #ARCH_FRAME_FPCR]
	msr	fpcr, x9
	add	sp, sp, #ARCH_FRAME_SIZE
	ret
	.size	goro_arch_gogo, .-goro_arch_gogo

/* void goro_arch_mcall(uintptr_t *save, uintptr_t g0sp, void (*fn)(void *), void *arg)
 *                      x0 = save, x1 = g0sp, x2 = fn, x3 = arg
 * Save the callee-saved state on this stack and its sp in *save, move to the
 * g0 stack at g0sp and call fn(arg) there. fn must not return; goro_arch_gogo
 * on *save later makes this call return (through the saved x30). */
	.globl	goro_arch_mcall
	.type	goro_arch_mcall, %function
goro_arch_mcall:
	sub	sp, sp, #ARCH_FRAME_SIZE
	stp	x19, x20, [sp, #ARCH_FRAME_X19]
	stp	x21, x22, [sp, #ARCH_FRAME_X21]
	stp	x23, x24, [sp, #ARCH_FRAME_X23]
	stp	x25, x26, [sp, #ARCH_FRAME_X25]
	stp	x27, x28, [sp, #ARCH_FRAME_X27]
	stp	x29, x30, [sp, #ARCH_FRAME_X29]
	stp	d8, d9, [sp, #ARCH_FRAME_D8]
	stp	d10, d11, [sp, #ARCH_FRAME_D10]
	stp	d12, d13, [sp, #ARCH_FRAME_D12]
	stp	d14, d15, [sp, #ARCH_FRAME_D14]
	mrs	x9, fpcr
	str	x9, [sp, #ARCH_FRAME_FPCR]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	mov	x0, x3
	blr	x2
	brk	#0
	.size	goro_arch_mcall, .-goro_arch_mcall

/* void goro_arch_switch(uintptr_t *save, uintptr_t *to, void (*fn)(void *), void *arg)
 *                       x0 = save, x1 = to, x2 = fn, x3 = arg
 * A direct switch between goroutines: save the callee-saved state on this
 * stack and its sp in *save (as mcall), move to the context saved in *to,
 * call fn(arg) there, below that context's frame, then resume it (as gogo).
 * fn runs once this context is saved, so it may publish it (unlock, queue).
 * Returns when goro_arch_gogo or goro_arch_switch later resumes *save. */
	.globl	goro_arch_switch
	.type	goro_arch_switch, %function
goro_arch_switch:
	sub	sp, sp, #ARCH_FRAME_SIZE
	stp	x19, x20, [sp, #ARCH_FRAME_X19]
	stp	x21, x22, [sp, #ARCH_FRAME_X21]
	stp	x23, x24, [sp, #ARCH_FRAME_X23]
	stp	x25, x26, [sp, #ARCH_FRAME_X25]
	stp	x27, x28, [sp, #ARCH_FRAME_X27]
	stp	x29, x30, [sp, #ARCH_FRAME_X29]
	stp	d8, d9, [sp, #ARCH_FRAME_D8]
	stp	d10, d11, [sp, #ARCH_FRAME_D10]
	stp	d12, d13, [sp, #ARCH_FRAME_D12]
	stp	d14, d15, [sp, #ARCH_FRAME_D14]
	mrs	x9, fpcr
	str	x9, [sp, #ARCH_FRAME_FPCR]
	mov	x9, sp
	str	x9, [x0]
	ldr	x9, [x1]
	mov	sp, x9
	mov	x0, x3
	blr	x2
	b	.Lrestore
	.size	goro_arch_switch, .-goro_arch_switch

/* void goro_arch_mstart(uintptr_t *g0sp, void (*fn)(void))   x0, x1
 * Align this thread's stack, record the sp as the g0 anchor that every
 * goro_arch_mcall returns to, and call fn, which never returns. */
	.globl	goro_arch_mstart
	.type	goro_arch_mstart, %function
goro_arch_mstart:
	mov	x9, sp
	and	x9, x9, #~15
	mov	sp, x9
	str	x9, [x0]
	mov	x29, #0
	blr	x1
	brk	#0
	.size	goro_arch_mstart, .-goro_arch_mstart

/* void goro_arch_systemstack(uintptr_t sp, void (*fn)(void *), void *arg)
 *                            x0 = sp, x1 = fn, x2 = arg
 * Run fn(arg) on the idle g0 stack at sp, then come back to this stack. */
	.globl	goro_arch_systemstack
	.type	goro_arch_systemstack, %function
goro_arch_systemstack:
	stp	x29, x30, [sp, #-16]!
	mov	x29, sp
	mov	sp, x0
	mov	x0, x2
	blr	x1
	mov	sp, x29
	ldp	x29, x30, [sp], #16
	ret
	.size	goro_arch_systemstack, .-goro_arch_systemstack

/* A new goroutine's first return address (arch_gobuf_init): x19 = fn,
 * x20 = arg, sp 16-byte aligned. */
	.globl	goro_arch_gostart
	.type	goro_arch_gostart, %function
goro_arch_gostart:
	mov	x0, x20
	blr	x19
	bl	goro_rt_goexit
	brk	#0
	.size	goro_arch_gostart, .-goro_arch_gostart

	.section .note.GNU-stack,"",@progbits
