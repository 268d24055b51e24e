/* Goroutine stacks: fixed-size slots carved from large slabs, each slot a
 * guard region, the stack, and the goroutine's struct g at the very top.
 * Replaces stack.go's stackalloc for v1's fixed stacks (no growth); dead Gs
 * keep their slot (gfput/gfget in proc.c), so slots are never given back.
 *
 *   slot:  [ guard | stack_lo ........ stack_hi | struct g ]
 *          |<- GUARD_SIZE ->|<-------- stack_size --------->|
 *
 * Guards come from plat_guard, which on Linux 6.13+ installs them without
 * splitting the slab's mapping, so the kernel's vm.max_map_count no longer
 * caps the goroutine count. Where guards cost a mapping each (mprotect), they
 * are used until the kernel refuses; after that a stack gets a canary word at
 * stack_lo instead, checked at every switch away from its goroutine. */
#include "runtime2.h"
#include "sanitizer.h"
#include "platform.h"

enum {
	GUARD_SIZE = 16 << 10,   /* larger than most frames, so a big one can't jump it */
	SLAB_SLOTS = 64,
	MAX_SLABS = 1 << 16,     /* with SLAB_SLOTS: 4M goroutines */
	GSIZE = (sizeof(struct g) + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1),
};

#define STACK_CANARY 0x676f726f5f737470ull   /* "goro_stp" */

size_t stack_size = 64 << 10;

/* Slabs are appended under stack_lock and published by nslabs (store-release)
 * so that the fault handler can scan them without taking a lock. */
struct stackslab {
	uintptr_t base;          /* first slot */
	uint32_t used;           /* slots handed out, under stack_lock */
};
static struct stackslab slabs[MAX_SLABS];
static uint32_t nslabs;      /* atomic */
static struct mutex stack_lock = MUTEX_INIT(lockRankStack);
static size_t slot_size;     /* set once by the first malg, under stack_lock */

static void print_nomem(const char *why)
{
	printstr("goro: cannot allocate a goroutine stack: ");
	printstr(why);
	printstr("\n");
}

/* Find a free slot, mapping a new slab when the last one is full. */
static uintptr_t slot_alloc(void)
{
	uintptr_t slot = 0;

	lock(&stack_lock);
	if (slot_size == 0)
		slot_size = GUARD_SIZE + stack_size;   /* page multiples both */
	uint32_t n = a_load_relaxed(&nslabs);   /* relaxed: under stack_lock, its only writer */
	struct stackslab *s = n > 0 ? &slabs[n - 1] : NULL;
	if (s == NULL || s->used == SLAB_SLOTS) {
		if (n == MAX_SLABS) {
			print_nomem("too many goroutines");
			goto out;
		}
		void *base = plat_map(SLAB_SLOTS * slot_size);
		if (base == NULL) {
			print_nomem("the system refused memory");
			goto out;
		}
		s = &slabs[n];
		s->base = (uintptr_t)base;
		s->used = 0;
		a_store_rel(&nslabs, n + 1);   /* publishes s->base */
	}
	slot = s->base + s->used * slot_size;
	s->used++;
out:
	unlock(&stack_lock);
	return slot;
}

/* malg: a fresh G, status Gidle, with its own guarded stack. NULL (and the
 * reason on the error stream) when memory or address space is exhausted. */
struct g *malg(void)
{
	uintptr_t slot = slot_alloc();
	if (slot == 0)
		return NULL;

	struct g *gp = (struct g *)(slot + slot_size - GSIZE);
	gp->stack_lo = slot + GUARD_SIZE;
	gp->stack_hi = (uintptr_t)gp;
	if (plat_guard((void *)slot, GUARD_SIZE) < 0) {
		gp->canary = true;
		*(uint64_t *)gp->stack_lo = STACK_CANARY;
	}
	san_stack_made(gp);
	san_newg(gp);
	allgadd(gp);
	return gp;
}

/* Stacks larger than the common size (goro_spawn_with's stack_size): a
 * mapping each, [ guard | stack | struct g ] as a slot, never unmapped since
 * allg keeps every G. Dead ones wait in bigfree (linked by schedlink, under
 * stack_lock) for a spawn that fits. */
static struct g *bigfree;

struct g *malg_big(size_t size)
{
	lock(&stack_lock);
	for (struct g **pp = &bigfree; *pp != NULL; pp = &(*pp)->schedlink) {
		struct g *gp = *pp;
		if (gp->stack_hi - gp->stack_lo >= size) {
			*pp = gp->schedlink;
			gp->schedlink = NULL;
			unlock(&stack_lock);
			return gp;
		}
	}
	unlock(&stack_lock);

	size_t n = round_page(GUARD_SIZE + size + GSIZE);
	uintptr_t base = (uintptr_t)plat_map(n);
	if (base == 0) {
		print_nomem("the system refused memory");
		return NULL;
	}
	struct g *gp = (struct g *)(base + n - GSIZE);
	gp->stack_lo = base + GUARD_SIZE;
	gp->stack_hi = (uintptr_t)gp;
	gp->stackbig = true;
	if (plat_guard((void *)base, GUARD_SIZE) < 0) {
		gp->canary = true;
		*(uint64_t *)gp->stack_lo = STACK_CANARY;
	}
	san_stack_made(gp);
	san_newg(gp);
	allgadd(gp);
	return gp;
}

void stackbig_put(struct g *gp)
{
	lock(&stack_lock);
	gp->schedlink = bigfree;
	bigfree = gp;
	unlock(&stack_lock);
}

/* A stack without a guard page is checked each time its goroutine switches
 * out: an overwritten canary means it ran past stack_lo. */
void stack_check_canary(struct g *gp)
{
	if (gp->canary && *(volatile uint64_t *)gp->stack_lo != STACK_CANARY)
		throw_stackoverflow(gp->goid);
}

/* For the fault handler (goro_rt_sigoverflow): the goroutine whose guard
 * holds addr, or 0.
 * Async-signal-safe: reads only published slabs and never locks. */
uint64_t stack_guard_owner(const void *addr)
{
	uintptr_t a = (uintptr_t)addr;
	uint32_t n = a_load_acq(&nslabs);
	size_t ss = slot_size;

	for (uint32_t i = 0; i < n; i++) {
		uintptr_t base = slabs[i].base;
		if (a < base || a >= base + SLAB_SLOTS * ss)
			continue;
		uintptr_t slot = base + (a - base) / ss * ss;
		if (a - slot >= GUARD_SIZE)
			return 0;   /* inside a stack or a G: not an overflow */
		struct g *gp = (struct g *)(slot + ss - GSIZE);
		return a_load_relaxed(&gp->goid);   /* relaxed: a fault report's racy read */
	}
	/* Not a slab: maybe the guard of a stack of its own (rare, so a walk). */
	for (struct g *gp = allghead(); gp != NULL; gp = gp->alllink)
		if (gp->stackbig && a < gp->stack_lo && a >= gp->stack_lo - GUARD_SIZE)
			return a_load_relaxed(&gp->goid);   /* relaxed: as above */
	return 0;
}
