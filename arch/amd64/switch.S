/* amd64 context switch: gogo, mcall, the direct goroutine switch, mstart's g0
 * anchor and systemstack, after Go's asm_amd64.s. System V ABI: rbx, rbp,
 * r12-r15, the x87 control word and MXCSR are callee-saved; everything else
 * the caller already saved. Frame offsets come from arch.h (ARCH_FRAME_*),
 * shared with arch_gobuf_init. */

#include "arch.h"

	.text

/* void goro_arch_gogo(uintptr_t *sp)                     rdi = sp slot
 * Resume the context saved in *sp; never returns to its caller. */
	.globl	goro_arch_gogo
	.type	goro_arch_gogo, @function
goro_arch_gogo:
	movq	(%rdi), %rsp
.Lrestore:
	fldcw	ARCH_FRAME_FPCTL(%rsp)
	ldmxcsr	ARCH_FRAME_MXCSR(%rsp)
	movq	ARCH_FRAME_R15(%rsp), %r15
	movq	ARCH_FRAME_R14(%rsp), %r14
	movq	ARCH_FRAME_R13(%rsp), %r13
	movq	ARCH_FRAME_R12(%rsp), %r12
	movq	ARCH_FRAME_RBX(%rsp), %rbx
	movq	ARCH_FRAME_RBP(%rsp), %rbp
	addq	$ARCH_FRAME_RET, %rsp
	ret
	.size	goro_arch_gogo, .-goro_arch_gogo

/* void goro_arch_mcall(uintptr_t *save, uintptr_t g0sp, void (*fn)(void *), void *arg)
 *                      rdi = save, rsi = g0sp, rdx = fn, rcx = arg
 * Save the callee-saved state on this stack and its sp in *save, move to the
 * g0 stack at g0sp and call fn(arg) there. fn must not return; goro_arch_gogo
 * on *save later makes this call return. */
	.globl	goro_arch_mcall
	.type	goro_arch_mcall, @function
goro_arch_mcall:
	subq	$ARCH_FRAME_RET, %rsp
	movq	%rbp, ARCH_FRAME_RBP(%rsp)
	movq	%rbx, ARCH_FRAME_RBX(%rsp)
	movq	%r12, ARCH_FRAME_R12(%rsp)
	movq	%r13, ARCH_FRAME_R13(%rsp)
	movq	%r14, ARCH_FRAME_R14(%rsp)
	movq	%r15, ARCH_FRAME_R15(%rsp)
	fnstcw	ARCH_FRAME_FPCTL(%rsp)
	stmxcsr	ARCH_FRAME_MXCSR(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	movq	%rcx, %rdi
	call	*%rdx
	ud2
	.size	goro_arch_mcall, .-goro_arch_mcall

/* void goro_arch_switch(uintptr_t *save, uintptr_t *to, void (*fn)(void *), void *arg)
 *                       rdi = save, rsi = to, rdx = fn, rcx = arg
 * A direct switch between goroutines: save the callee-saved state on this
 * stack and its sp in *save (as mcall), move to the context saved in *to,
 * call fn(arg) there, below that context's frame, then resume it (as gogo).
 * fn runs once this context is saved, so it may publish it (unlock, queue).
 * Returns when goro_arch_gogo or goro_arch_switch later resumes *save. */
	.globl	goro_arch_switch
	.type	goro_arch_switch, @function
goro_arch_switch:
	subq	$ARCH_FRAME_RET, %rsp
	movq	%rbp, ARCH_FRAME_RBP(%rsp)
	movq	%rbx, ARCH_FRAME_RBX(%rsp)
	movq	%r12, ARCH_FRAME_R12(%rsp)
	movq	%r13, ARCH_FRAME_R13(%rsp)
	movq	%r14, ARCH_FRAME_R14(%rsp)
	movq	%r15, ARCH_FRAME_R15(%rsp)
	fnstcw	ARCH_FRAME_FPCTL(%rsp)
	stmxcsr	ARCH_FRAME_MXCSR(%rsp)
	movq	%rsp, (%rdi)
	movq	(%rsi), %rsp
	movq	%rcx, %rdi
	call	*%rdx
	jmp	.Lrestore
	.size	goro_arch_switch, .-goro_arch_switch

/* void goro_arch_mstart(uintptr_t *g0sp, void (*fn)(void))   rdi, rsi
 * Align this thread's stack, record the sp as the g0 anchor that every
 * goro_arch_mcall returns to, and call fn, which never returns. */
	.globl	goro_arch_mstart
	.type	goro_arch_mstart, @function
goro_arch_mstart:
	andq	$-16, %rsp
	movq	%rsp, (%rdi)
	xorl	%ebp, %ebp
	call	*%rsi
	ud2
	.size	goro_arch_mstart, .-goro_arch_mstart

/* void goro_arch_systemstack(uintptr_t sp, void (*fn)(void *), void *arg)
 *                            rdi = sp, rsi = fn, rdx = arg
 * Run fn(arg) on the idle g0 stack at sp, then come back to this stack. */
	.globl	goro_arch_systemstack
	.type	goro_arch_systemstack, @function
goro_arch_systemstack:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rdi, %rsp
	movq	%rdx, %rdi
	call	*%rsi
	movq	%rbp, %rsp
	popq	%rbp
	ret
	.size	goro_arch_systemstack, .-goro_arch_systemstack

/* A new goroutine's first return address (arch_gobuf_init): r12 = fn,
 * r13 = arg, sp 16-byte aligned. */
	.globl	goro_arch_gostart
	.type	goro_arch_gostart, @function
goro_arch_gostart:
	movq	%r13, %rdi
	call	*%r12
	call	goro_rt_goexit
	ud2
	.size	goro_arch_gostart, .-goro_arch_gostart

	.section .note.GNU-stack,"",@progbits
