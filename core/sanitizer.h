/* What AddressSanitizer and ThreadSanitizer must be told about goroutine
 * stack switches (the role of Go's asan.go and race.go hooks). Empty inline
 * functions unless the compiler is sanitizing, so core stays free of them. */
#ifndef GORO_SANITIZER_H
#define GORO_SANITIZER_H

#include "runtime2.h"

/* GORO_ASAN and GORO_TSAN come from the build (toolchain.mk, SANITIZE=),
 * the one switch, as Go's build tag picks race0.go or race.go. */

/* g0 runs on the thread's own stack, whose bounds core does not know; the
 * hosts give threads at least this much below the g0 anchor. */
enum { G0_STACK_GUESS = 128 << 10 };

#ifdef GORO_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);

/* About to leave gp's stack for g0 (mcall, systemstack). */
static inline void san_leave_g(struct g *gp, struct m *mp)
{
	__sanitizer_start_switch_fiber(&gp->asan_fake_stack, (void *)(mp->g0sp - G0_STACK_GUESS),
	                               G0_STACK_GUESS);
}
/* About to leave g0 for gp. g0's frames are never returned to: every
 * switch to g0 starts afresh at the g0 anchor. */
static inline void san_leave_g0(struct g *gp)
{
	__sanitizer_start_switch_fiber(NULL, (void *)gp->stack_lo, gp->stack_hi - gp->stack_lo);
}
static inline void san_arrive_g0(void)
{
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
}
static inline void san_arrive_g(struct g *gp)
{
	__sanitizer_finish_switch_fiber(gp->asan_fake_stack, NULL, NULL);
}
/* A direct switch between goroutines (proc.c's switch_to) runs its commit
 * on the new goroutine's stack before that goroutine's resume code has
 * finished ASan's fiber switch: under ASan every switch goes through g0. */
enum { san_direct_switch = 0 };
#else
enum { san_direct_switch = 1 };
static inline void san_leave_g(struct g *gp, struct m *mp) { (void)gp; (void)mp; }
static inline void san_leave_g0(struct g *gp) { (void)gp; }
static inline void san_arrive_g0(void) { }
static inline void san_arrive_g(struct g *gp) { (void)gp; }
#endif

/* The allocator poisons free objects (all but the free-list link) so that
 * ASan reports a use after goro_chan_free and friends. */
#ifdef GORO_ASAN
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
static inline void san_malloc(void *p, size_t n) { __asan_unpoison_memory_region(p, n); }
static inline void san_free(void *p, size_t n)
{
	if (n > sizeof(void *))
		__asan_poison_memory_region((char *)p + sizeof(void *), n - sizeof(void *));
}
#else
static inline void san_malloc(void *p, size_t n) { (void)p; (void)n; }
static inline void san_free(void *p, size_t n) { (void)p; (void)n; }
#endif

#ifdef GORO_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);

/* Each G is a TSan fiber, made once with its stack and reused by every
 * goroutine that G carries; each M's g0 is its thread's own fiber. TSan
 * keeps a shadow call stack per fiber, and core abandons frames (g0's at
 * every gogo): so core is built without TSan's function entry/exit hooks
 * (toolchain.mk), which keeps every shadow stack balanced. Switches
 * synchronise (flags 0): a goroutine and the g0 that schedules it are one
 * line of execution; races between goroutines on different Ms are what TSan
 * reports. */
static inline void san_newg(struct g *gp) { gp->tsan_fiber = __tsan_create_fiber(0); }
static inline void san_mstart(struct m *mp) { mp->tsan_fiber = __tsan_get_current_fiber(); }
static inline void san_switch_g0(struct m *mp) { __tsan_switch_to_fiber(mp->tsan_fiber, 0); }
static inline void san_switch_g(struct g *gp) { __tsan_switch_to_fiber(gp->tsan_fiber, 0); }
#else
static inline void san_newg(struct g *gp) { (void)gp; }
static inline void san_mstart(struct m *mp) { (void)mp; }
static inline void san_switch_g0(struct m *mp) { (void)mp; }
static inline void san_switch_g(struct g *gp) { (void)gp; }
#endif

/* Valgrind (make VALGRIND=1): register each goroutine stack once, when it
 * is made, so memcheck knows a switch onto it is not a wild SP change.
 * valgrind.h's client requests are inline asm that need only <stdarg.h>. */
#ifdef GORO_VALGRIND
#include <valgrind/valgrind.h>
#include <valgrind/memcheck.h>
static inline void san_stack_made(struct g *gp)
{
	(void)VALGRIND_STACK_REGISTER(gp->stack_lo, gp->stack_hi);
}

/* newproc writes the first frame and spawn arguments into a stack that may
 * have been another goroutine's, whose returns left memcheck marking it
 * unaddressable: a stack handed to a new goroutine is fresh memory. */
static inline void san_stack_reused(struct g *gp)
{
	(void)VALGRIND_MAKE_MEM_UNDEFINED(gp->stack_lo, gp->stack_hi - gp->stack_lo);
}
#else
static inline void san_stack_made(struct g *gp) { (void)gp; }
static inline void san_stack_reused(struct g *gp) { (void)gp; }
#endif

#endif
