/* core's allocator: size classes with per-P caches over central free lists,
 * carved from arenas that come from plat_map; large objects mapped directly.
 * A much reduced malloc.go/mcache.go/mcentral.go: no GC, so frees are
 * explicit and sized, which spares every object a header. */
#include "runtime2.h"
#include "sanitizer.h"
#include "platform.h"

enum {
	MAX_SMALL = 8192,            /* largest size class */
	ARENA_CHUNK = 4 << 20,       /* what the heap asks plat_map for at once */
	REFILL_BYTES = 16 << 10,     /* a per-P refill moves about this much */
};

static const uint32_t class_size[NUM_SIZE_CLASSES] = {
	16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
	3072, 4096, 6144, 8192,
};

/* size_to_class8 for sizes rounded up to 16 bytes. Filled by mallocinit on
 * the first allocation, which may come before goro_main (a channel made in
 * main()) and from several threads at once: class_inited is stored with
 * release after the table, and read with acquire before it is used. */
static uint8_t size_to_class16[MAX_SMALL / 16 + 1];
static uint32_t class_inited;
/* Objects per refill of class c: REFILL_BYTES / size, at least 4. A table,
 * not the division, since rtfree asks on every free; filled with
 * size_to_class16. */
static uint32_t class_refill[NUM_SIZE_CLASSES];
static struct mutex class_lock = MUTEX_INIT(lockRankMallocClass);

/* Central free list per class, under its own lock (a heap lock). */
static struct {
	struct mutex lock;
	struct mlink *free;
	uint32_t nfree;
} central[NUM_SIZE_CLASSES];

/* The arena bump pointer, under arena_lock (a heap lock, innermost). */
static struct mutex arena_lock = MUTEX_INIT(lockRankArena);
static uintptr_t arena_next, arena_end;

/* mallocinit: idempotent; callers race through class_lock. */
void mallocinit(void)
{
	if (a_load_acq(&class_inited))   /* acquire: pairs with the release below */
		return;
	lock(&class_lock);
	if (!a_load_relaxed(&class_inited)) {   /* relaxed: the lock orders it */
		int c = 0;
		for (size_t i = 0; i <= MAX_SMALL / 16; i++) {
			while (class_size[c] < i * 16)
				c++;
			size_to_class16[i] = (uint8_t)c;
		}
		for (c = 0; c < NUM_SIZE_CLASSES; c++) {
			lockInit(&central[c].lock, lockRankMcentral);
			uint32_t n = REFILL_BYTES / class_size[c];
			class_refill[c] = n < 4 ? 4 : n;
		}
		a_store_rel(&class_inited, 1);   /* release: publishes the tables and locks */
	}
	unlock(&class_lock);
}

/* The size class of a small size, initialising the table on first use. */
static int size_class(size_t size)
{
	if (!a_load_acq(&class_inited))   /* acquire: as mallocinit's */
		mallocinit();
	return size_to_class16[(size + 15) / 16];
}

/* persistentalloc-like: bytes that are never given back to the system. */
static void *arena_alloc(size_t n)
{
	void *v = NULL;
	lock(&arena_lock);
	if (arena_end - arena_next < n) {
		size_t chunk = n > ARENA_CHUNK ? round_page(n) : ARENA_CHUNK;
		void *p = plat_map(chunk);
		if (p == NULL)
			goto out;
		arena_next = (uintptr_t)p;
		arena_end = arena_next + chunk;
	}
	v = (void *)arena_next;
	arena_next += n;
out:
	unlock(&arena_lock);
	return v;
}

static uint32_t refill_count(int c)
{
	return class_refill[c];
}

/* mcentral.cacheSpan, roughly: take up to want objects of class c, carving
 * fresh ones from the arena when the central list runs dry. Returns a list. */
static struct mlink *central_take(int c, uint32_t want, uint32_t *got)
{
	struct mlink *head = NULL;
	uint32_t n = 0;

	lock(&central[c].lock);
	while (n < want && central[c].free != NULL) {
		struct mlink *x = central[c].free;
		central[c].free = x->next;
		central[c].nfree--;
		x->next = head;
		head = x;
		n++;
	}
	unlock(&central[c].lock);

	if (n < want) {
		size_t sz = class_size[c];
		uint32_t more = want - n;
		char *span = arena_alloc(sz * more);
		if (span != NULL) {
			for (uint32_t i = 0; i < more; i++) {
				struct mlink *x = (struct mlink *)(span + i * sz);
				x->next = head;
				head = x;
			}
			n += more;
		}
	}
	*got = n;
	return head;
}

static void central_put(int c, struct mlink *head, struct mlink *tail, uint32_t n)
{
	lock(&central[c].lock);
	tail->next = central[c].free;
	central[c].free = head;
	central[c].nfree += n;
	unlock(&central[c].lock);
}

static struct p *current_p(void)
{
	struct m *mp = getm();
	return mp != NULL ? mp->p : NULL;
}

/* mallocgc without the GC: zeroed memory of at least size bytes. Uses the
 * current P's cache when there is one; from a thread without a P it goes to
 * the central lists. */
void *rtmalloc(size_t size)
{
	if (size == 0)
		size = 1;
	if (size > MAX_SMALL) {
		/* Large objects: their own zeroed mapping. */
		return plat_map(round_page(size));
	}
	int c = size_class(size);
	struct p *pp = current_p();
	struct mlink *x;

	if (pp != NULL) {
		struct mcache *mc = &pp->mcache;
		x = mc->free[c];
		if (x == NULL) {
			uint32_t got;
			x = central_take(c, refill_count(c), &got);
			if (x == NULL)
				return NULL;
			mc->nfree[c] = got;
		}
		mc->free[c] = x->next;
		mc->nfree[c]--;
	} else {
		uint32_t got;
		x = central_take(c, 1, &got);
		if (x == NULL)
			return NULL;
	}
	san_malloc(x, size);
	memset(x, 0, size);
	return x;
}

/* Give back an object from rtmalloc(size). A P's cache that grows past two
 * refills' worth returns one refill to the central list. */
void rtfree(void *ptr, size_t size)
{
	if (ptr == NULL)
		return;
	if (size == 0)
		size = 1;
	if (size > MAX_SMALL) {
		plat_unmap(ptr, round_page(size));
		return;
	}
	int c = size_class(size);
	struct mlink *x = ptr;
	struct p *pp = current_p();

	san_free(x, class_size[c]);
	if (pp == NULL) {
		central_put(c, x, x, 1);
		return;
	}
	struct mcache *mc = &pp->mcache;
	x->next = mc->free[c];
	mc->free[c] = x;
	if (++mc->nfree[c] >= 2 * refill_count(c)) {
		uint32_t n = refill_count(c);
		struct mlink *head = mc->free[c], *tail = head;
		for (uint32_t i = 1; i < n; i++)
			tail = tail->next;
		mc->free[c] = tail->next;
		mc->nfree[c] -= n;
		central_put(c, head, tail, n);
	}
}
