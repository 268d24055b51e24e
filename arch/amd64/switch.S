/* amd64 context switch: gogo, mcall, mstart's g0 anchor and systemstack,
 * after Go's asm_amd64.s. System V ABI: rbx, rbp, r12-r15, the x87 control
 * word and MXCSR are callee-saved; everything else the caller already saved.
 * Frame offsets are declared in arch.h (ARCH_FRAME_*). */

	.text

/* void goro_arch_gogo(uintptr_t *sp)                     rdi = sp slot
 * Resume the context saved in *sp; never returns to its caller. */
	.globl	goro_arch_gogo
	.type	goro_arch_gogo, @function
goro_arch_gogo:
	movq	(%rdi), %rsp
	fldcw	0(%rsp)
	ldmxcsr	4(%rsp)
	movq	8(%rsp), %r15
	movq	16(%rsp), %r14
	movq	24(%rsp), %r13
	movq	32(%rsp), %r12
	movq	40(%rsp), %rbx
	movq	48(%rsp), %rbp
	addq	$56, %rsp
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
	subq	$56, %rsp
	movq	%rbp, 48(%rsp)
	movq	%rbx, 40(%rsp)
	movq	%r12, 32(%rsp)
	movq	%r13, 24(%rsp)
	movq	%r14, 16(%rsp)
	movq	%r15, 8(%rsp)
	fnstcw	0(%rsp)
	stmxcsr	4(%rsp)
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	movq	%rcx, %rdi
	call	*%rdx
	ud2
	.size	goro_arch_mcall, .-goro_arch_mcall

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
