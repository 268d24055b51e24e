/* Contexts: pairs with core/context.c, after Go's context/context_test.go
 * (TestBackground, TestWithCancel, TestParentFinishesChild,
 * TestChildFinishesFirst, TestDeadline, TestTimeout, TestCanceledTimeout,
 * TestValues, TestSimultaneousCancels, TestInterlockedCancels,
 * TestLayersCancel, TestLayersTimeout, TestCancelRemoves), plus what C adds:
 * freeing in any order (run it under SANITIZE=address), 10,000 children,
 * deep chains, done in goro_select, threads the runtime does not own. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#define LATE (5000 * MS)   /* "not wildly late" on a loaded box or qemu */

static int k1, k2, k3;   /* context keys: their addresses */

/* Is c's done channel closed now? */
static bool is_done(goro_ctx *c)
{
	goro_chan *d = goro_ctx_done(c);
	return d != NULL && goro_chan_tryrecv(d, NULL) == GORO_CLOSED;
}

/* Wait at most ns for c to be done. */
static bool wait_done(goro_ctx *c, int64_t ns)
{
	goro_case cs = { .chan = goro_ctx_done(c), .dir = GORO_RECV };
	int r = goro_select(&cs, 1, ns);
	if (r == 0)
		ck_assert_int_eq(cs.status, GORO_CLOSED);
	return r == 0;
}

/* ---- TestBackground, and NULL refused ---- */

static int bg_main(void *arg)
{
	(void)arg;
	goro_ctx *bg = goro_ctx_background();
	ck_assert_ptr_nonnull(bg);
	ck_assert_ptr_eq(goro_ctx_background(), bg);
	ck_assert_int_eq(goro_ctx_err(bg), GORO_OK);
	ck_assert_ptr_null(goro_ctx_done(bg));
	ck_assert_int_eq(goro_ctx_deadline(bg), 0);
	ck_assert_ptr_null(goro_ctx_value(bg, "k"));
	goro_ctx_cancel(bg);
	goro_ctx_free(bg);
	ck_assert_int_eq(goro_ctx_err(bg), GORO_OK);

	ck_assert_ptr_null(goro_ctx_with_cancel(NULL));
	ck_assert_ptr_null(goro_ctx_with_deadline(NULL, 1));
	ck_assert_ptr_null(goro_ctx_with_timeout(NULL, MS));
	ck_assert_ptr_null(goro_ctx_with_value(NULL, "k", "v"));
	ck_assert_ptr_null(goro_ctx_value(NULL, "k"));
	ck_assert_ptr_null(goro_ctx_done(NULL));
	ck_assert_int_eq(goro_ctx_err(NULL), GORO_INVAL);
	ck_assert_int_eq(goro_ctx_deadline(NULL), 0);
	goro_ctx_cancel(NULL);
	goro_ctx_free(NULL);
	ck_assert_str_eq(goro_strerror(GORO_CANCELED), "context canceled");

	/* A value on the background is never done either. */
	goro_ctx *v = goro_ctx_with_value(bg, "k", "v");
	ck_assert_ptr_null(goro_ctx_done(v));
	ck_assert_int_eq(goro_ctx_err(v), GORO_OK);
	goro_ctx_cancel(v);   /* no CancelFunc in Go: nothing */
	ck_assert_int_eq(goro_ctx_err(v), GORO_OK);
	goro_ctx_free(v);
	return 0;
}

START_TEST(TestBackground)
{
	test_run(1, bg_main);
}
END_TEST

/* ---- TestContextBeforeMain: contexts without a deadline work before
 * goro_main; one with a deadline needs its Ps for the timer: NULL ---- */

START_TEST(TestContextBeforeMain)
{
	goro_ctx *c = goro_ctx_with_cancel(goro_ctx_background());
	ck_assert_ptr_nonnull(c);
	goro_ctx *v = goro_ctx_with_value(c, &k1, "v");
	ck_assert_ptr_null(goro_ctx_with_timeout(c, MS));
	ck_assert_ptr_null(goro_ctx_with_deadline(v, goro_now() + MS));
	goro_ctx_cancel(c);
	ck_assert_int_eq(goro_ctx_err(v), GORO_CANCELED);
	ck_assert(is_done(v));
	goro_ctx_free(c);
	goro_ctx_free(v);
	test_run(1, bg_main);
}
END_TEST

/* ---- TestWithCancel: cancel reaches the child through a value; Err says
 * CANCELED; done is closed once and stays closed ---- */

GORO_TEST(TestWithCancel, _i + 1)
{
	goro_ctx *c1 = goro_ctx_with_cancel(goro_ctx_background());
	ck_assert_ptr_nonnull(c1);
	goro_ctx *o = goro_ctx_with_value(c1, "k", "v");
	goro_ctx *c2 = goro_ctx_with_cancel(o);
	goro_ctx *cs[3] = { c1, o, c2 };
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(goro_ctx_done(cs[i]));
		ck_assert_int_eq(goro_ctx_err(cs[i]), GORO_OK);
		ck_assert(!is_done(cs[i]));
	}
	ck_assert_ptr_eq(goro_ctx_done(o), goro_ctx_done(c1));   /* a value's Done is its parent's */
	goro_ctx_cancel(c1);
	goro_ctx_cancel(c1);   /* idempotent */
	for (int i = 0; i < 3; i++) {
		ck_assert(wait_done(cs[i], LATE));
		ck_assert(is_done(cs[i]));
		ck_assert_int_eq(goro_ctx_err(cs[i]), GORO_CANCELED);
	}
	goro_ctx_free(c2);
	goro_ctx_free(o);
	goro_ctx_free(c1);
	return 0;
}

/* ---- TestParentFinishesChild / TestChildFinishesFirst ---- */

GORO_TEST(TestParentFinishesChild, _i + 1)
{
	goro_ctx *parent = goro_ctx_with_cancel(goro_ctx_background());
	goro_ctx *cancel_child = goro_ctx_with_cancel(parent);
	goro_ctx *timer_child = goro_ctx_with_timeout(parent, 3600 * GORO_SECOND);
	goro_ctx *value_child = goro_ctx_with_value(parent, "k", "v");
	goro_ctx *grand = goro_ctx_with_cancel(value_child);
	goro_ctx *all[] = { cancel_child, timer_child, value_child, grand };

	/* The child finishes first: the parent and siblings are not done. */
	goro_ctx *first = goro_ctx_with_cancel(parent);
	goro_ctx_cancel(first);
	ck_assert_int_eq(goro_ctx_err(first), GORO_CANCELED);
	ck_assert_int_eq(goro_ctx_err(parent), GORO_OK);
	for (int i = 0; i < 4; i++)
		ck_assert(!is_done(all[i]));
	goro_ctx_free(first);

	goro_ctx_cancel(parent);
	for (int i = 0; i < 4; i++) {
		ck_assert(is_done(all[i]));
		ck_assert_int_eq(goro_ctx_err(all[i]), GORO_CANCELED);
	}
	/* Made from a parent already done: done at once, with its error. */
	goro_ctx *late = goro_ctx_with_cancel(parent);
	ck_assert(is_done(late));
	ck_assert_int_eq(goro_ctx_err(late), GORO_CANCELED);
	goro_ctx *late_t = goro_ctx_with_timeout(grand, 3600 * GORO_SECOND);
	ck_assert_int_eq(goro_ctx_err(late_t), GORO_CANCELED);
	goro_ctx_free(late_t);
	goro_ctx_free(late);
	for (int i = 3; i >= 0; i--)
		goro_ctx_free(all[i]);
	goro_ctx_free(parent);
	return 0;
}

/* ---- TestDeadline / TestTimeout: done with TIMEOUT, not before the
 * deadline; deadlines are inherited; a later deadline under an earlier
 * one keeps the earlier ---- */

GORO_TEST(TestDeadline, _i + 1)
{
	goro_ctx *bg = goro_ctx_background();
	int64_t t0 = goro_now();
	goro_ctx *c = goro_ctx_with_deadline(bg, t0 + 30 * MS);
	ck_assert_int_eq(goro_ctx_deadline(c), t0 + 30 * MS);
	goro_ctx *later = goro_ctx_with_deadline(c, t0 + 3600 * GORO_SECOND);
	ck_assert_int_eq(goro_ctx_deadline(later), t0 + 30 * MS);   /* the parent's comes first */
	goro_ctx *sooner = goro_ctx_with_timeout(c, 3600 * GORO_SECOND);
	ck_assert_int_eq(goro_ctx_deadline(sooner), t0 + 30 * MS);
	goro_ctx *vmid = goro_ctx_with_value(c, "k", NULL);
	goro_ctx *plain = goro_ctx_with_cancel(vmid);
	ck_assert_int_eq(goro_ctx_deadline(plain), t0 + 30 * MS);

	ck_assert(wait_done(c, LATE));
	int64_t el = goro_now() - t0;
	ck_assert_msg(el >= 30 * MS, "done after %lld ns", (long long)el);
	ck_assert_int_eq(goro_ctx_err(c), GORO_TIMEOUT);
	/* Its descendants say TIMEOUT too: the parent's error. */
	ck_assert(is_done(later) && is_done(sooner) && is_done(plain));
	ck_assert_int_eq(goro_ctx_err(later), GORO_TIMEOUT);
	ck_assert_int_eq(goro_ctx_err(plain), GORO_TIMEOUT);

	/* TestTimeout, with a nearer own deadline under a far one. */
	goro_ctx *far = goro_ctx_with_timeout(bg, 3600 * GORO_SECOND);
	int64_t t1 = goro_now();
	goro_ctx *near = goro_ctx_with_timeout(far, 20 * MS);
	ck_assert(goro_ctx_deadline(near) >= t1 + 20 * MS && goro_ctx_deadline(near) < goro_ctx_deadline(far));
	ck_assert(wait_done(near, LATE));
	ck_assert(goro_now() - t1 >= 20 * MS);
	ck_assert_int_eq(goro_ctx_err(near), GORO_TIMEOUT);
	ck_assert_int_eq(goro_ctx_err(far), GORO_OK);

	/* A deadline already past: done at once. */
	goro_ctx *past = goro_ctx_with_deadline(far, goro_now() - 1);
	ck_assert(is_done(past));
	ck_assert_int_eq(goro_ctx_err(past), GORO_TIMEOUT);
	goro_ctx *zero = goro_ctx_with_timeout(far, 0);
	ck_assert_int_eq(goro_ctx_err(zero), GORO_TIMEOUT);
	goro_ctx *huge = goro_ctx_with_timeout(bg, INT64_MAX);   /* saturates: never */
	ck_assert_int_eq(goro_ctx_err(huge), GORO_OK);
	goro_ctx_free(huge);
	goro_ctx_free(zero);
	goro_ctx_free(past);
	goro_ctx_free(near);
	goro_ctx_free(far);

	goro_ctx_free(vmid);   /* before its child: the child keeps it */
	goro_ctx_free(plain);
	goro_ctx_free(sooner);
	goro_ctx_free(later);
	goro_ctx_free(c);
	return 0;
}

/* ---- TestCanceledTimeout: cancelling a timeout context says CANCELED,
 * and its timer does not later turn that into TIMEOUT ---- */

GORO_TEST(TestCanceledTimeout, _i + 1)
{
	/* 200 ms: the OK check below must come first even on a loaded qemu */
	goro_ctx *c = goro_ctx_with_timeout(goro_ctx_background(), 200 * MS);
	goro_ctx *o = goro_ctx_with_value(c, "k", "v");
	goro_ctx *child = goro_ctx_with_timeout(o, 3600 * GORO_SECOND);
	goro_ctx_cancel(child);
	ck_assert_int_eq(goro_ctx_err(child), GORO_CANCELED);
	ck_assert_int_eq(goro_ctx_err(c), GORO_OK);
	goro_ctx_cancel(c);
	ck_assert_int_eq(goro_ctx_err(c), GORO_CANCELED);
	goro_sleep(400 * MS);   /* past the timeout: the timer must not win now */
	ck_assert_int_eq(goro_ctx_err(c), GORO_CANCELED);
	ck_assert_int_eq(goro_ctx_err(o), GORO_CANCELED);
	goro_ctx_free(child);
	goro_ctx_free(o);
	goro_ctx_free(c);
	return 0;
}

/* ---- TestValues: nearest value for each key; shadowing; keys are
 * pointers ---- */

GORO_TEST(TestValues, 1)
{
	goro_ctx *bg = goro_ctx_background();
	goro_ctx *c1 = goro_ctx_with_value(bg, &k1, "c1k1");
	ck_assert_str_eq(goro_ctx_value(c1, &k1), "c1k1");
	ck_assert_ptr_null(goro_ctx_value(c1, &k2));
	goro_ctx *c2 = goro_ctx_with_value(c1, &k2, "c2k2");
	ck_assert_str_eq(goro_ctx_value(c2, &k1), "c1k1");
	ck_assert_str_eq(goro_ctx_value(c2, &k2), "c2k2");
	goro_ctx *c3 = goro_ctx_with_value(c2, &k3, "c3k3");
	goro_ctx *c4 = goro_ctx_with_value(c3, &k1, "c4k1");   /* shadows c1's */
	ck_assert_str_eq(goro_ctx_value(c4, &k1), "c4k1");
	ck_assert_str_eq(goro_ctx_value(c4, &k3), "c3k3");
	ck_assert_str_eq(goro_ctx_value(c3, &k1), "c1k1");
	/* Through cancel and timeout layers. */
	goro_ctx *cc = goro_ctx_with_cancel(c4);
	goro_ctx *tc = goro_ctx_with_timeout(cc, 3600 * GORO_SECOND);
	ck_assert_str_eq(goro_ctx_value(tc, &k1), "c4k1");
	ck_assert_str_eq(goro_ctx_value(tc, &k2), "c2k2");
	ck_assert_ptr_null(goro_ctx_value(tc, "other"));
	goro_ctx *nil_val = goro_ctx_with_value(tc, &k2, NULL);   /* a NULL value shadows too */
	ck_assert_ptr_null(goro_ctx_value(nil_val, &k2));
	/* Freed in creation order: each stays readable through its children. */
	goro_ctx *order[] = { c1, c2, c3, c4, cc, tc };
	for (int i = 0; i < 6; i++) {
		goro_ctx_free(order[i]);
		ck_assert_str_eq(goro_ctx_value(nil_val, &k1), "c4k1");
		ck_assert_str_eq(goro_ctx_value(nil_val, &k3), "c3k3");
	}
	ck_assert_int_eq(goro_ctx_err(nil_val), GORO_CANCELED);   /* freeing cc cancelled it */
	goro_ctx_free(nil_val);
	return 0;
}

/* ---- TestDoneInSelect: done is a channel select can wait on beside
 * others ---- */

static goro_ctx *ds_ctx;

static void ds_canceller(void *arg)
{
	(void)arg;
	goro_sleep(10 * MS);
	goro_ctx_cancel(ds_ctx);
}

GORO_TEST(TestDoneInSelect, _i + 1)
{
	ds_ctx = goro_ctx_with_cancel(goro_ctx_background());
	goro_chan *work = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_spawn(ds_canceller, NULL), GORO_OK);
	int x;
	goro_case cs[2] = {
		{ .chan = work, .dir = GORO_RECV, .elem = &x },
		{ .chan = goro_ctx_done(ds_ctx), .dir = GORO_RECV },
	};
	ck_assert_int_eq(goro_select(cs, 2, LATE), 1);
	ck_assert_int_eq(cs[1].status, GORO_CLOSED);
	ck_assert_int_eq(goro_ctx_err(ds_ctx), GORO_CANCELED);
	/* And stays ready. */
	ck_assert_int_eq(goro_select(cs, 2, 0), 1);
	/* A timeout context's done, the same way. */
	goro_ctx *t = goro_ctx_with_timeout(goro_ctx_background(), 5 * MS);
	cs[1].chan = goro_ctx_done(t);
	ck_assert_int_eq(goro_select(cs, 2, LATE), 1);
	ck_assert_int_eq(goro_ctx_err(t), GORO_TIMEOUT);
	goro_ctx_free(t);
	goro_ctx_free(ds_ctx);
	goro_chan_free(work);
	return 0;
}

/* ---- TestManyChildren: 10,000 children, a goroutine blocked on each
 * one's done; cancelling the root wakes them all, each seeing CANCELED ---- */

#define MC_N TEST_SCALE(10000, 2000)
static goro_ctx *mc_child[10000];
static atomic_long mc_ready, mc_woke, mc_bad;

static void mc_waiter(void *arg)
{
	goro_ctx *c = *(goro_ctx **)arg;
	atomic_fetch_add(&mc_ready, 1);
	if (goro_chan_recv(goro_ctx_done(c), NULL) != GORO_CLOSED || goro_ctx_err(c) != GORO_CANCELED)
		atomic_fetch_add(&mc_bad, 1);
	atomic_fetch_add_explicit(&mc_woke, 1, memory_order_release);
}

GORO_TEST(TestManyChildren, _i + 1)
{
	goro_ctx *root = goro_ctx_with_cancel(goro_ctx_background());
	for (int i = 0; i < MC_N; i++) {
		/* every third through a value, every fifth with a far deadline */
		goro_ctx *p = i % 3 == 0 ? goro_ctx_with_value(root, &k1, NULL) : root;
		mc_child[i] = i % 5 == 0 ? goro_ctx_with_timeout(p, 3600 * GORO_SECOND)
		                         : goro_ctx_with_cancel(p);
		ck_assert_ptr_nonnull(mc_child[i]);
		if (p != root)
			goro_ctx_free(p);   /* the child keeps it */
		ck_assert_int_eq(goro_spawn_copy(mc_waiter, &mc_child[i], sizeof mc_child[i]), GORO_OK);
	}
	ck_assert(test_wait_atleast(&mc_ready, MC_N));
	goro_sleep(5 * MS);   /* let them park */
	int64_t t0 = goro_now();
	goro_ctx_cancel(root);
	ck_assert(test_wait_atleast(&mc_woke, MC_N));
	printf("TestManyChildren: procs %d, %d children woken in %.3f ms\n", goro_procs(), MC_N,
	       (goro_now() - t0) / 1e6);
	ck_assert_int_eq(atomic_load(&mc_bad), 0);
	/* Free in an interleaved order, the root in the middle. */
	for (int i = 0; i < MC_N; i += 2)
		goro_ctx_free(mc_child[i]);
	goro_ctx_free(root);
	for (int i = 1; i < MC_N; i += 2)
		goro_ctx_free(mc_child[i]);
	return 0;
}

/* ---- TestCancelRemoves: a cancelled (and freed) child leaves its
 * parent's list, so a long-lived parent does not accumulate them: a
 * million children made and cancelled under one parent cost no memory ---- */

#define CR_N TEST_SCALE(1000000, 200000)

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;
	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

GORO_TEST(TestCancelRemoves, 1)
{
	goro_ctx *parent = goro_ctx_with_cancel(goro_ctx_background());
	goro_ctx *keep = goro_ctx_with_cancel(parent);
	for (int i = 0; i < 1000; i++) {   /* warm the allocator's caches */
		goro_ctx *c = goro_ctx_with_cancel(parent);
		goro_ctx_free(c);
	}
	/* No ck_assert in the loop: Check allocates for each, and under ASan
	 * freed blocks sit in its quarantine, which RSS would count. */
	long before = rss_kib(), bad = 0;
	for (int i = 0; i < CR_N; i++) {
		goro_ctx *c = i % 4 == 0 ? goro_ctx_with_timeout(parent, 3600 * GORO_SECOND)
		                         : goro_ctx_with_cancel(parent);
		if (c == NULL) {
			bad++;
			break;
		}
		if (i % 2 == 0) {
			goro_ctx_cancel(c);   /* leaves the list here */
			bad += goro_ctx_err(c) != GORO_CANCELED;
		}
		goro_ctx_free(c);   /* or here */
	}
	long grew = rss_kib() - before;
	ck_assert_int_eq(bad, 0);
	printf("TestCancelRemoves: %d children under one parent: RSS grew %ld KiB\n", CR_N, grew);
	ck_assert_msg(grew < 16 * 1024, "RSS grew %ld KiB over %d cancelled children", grew, CR_N);
	ck_assert_int_eq(goro_ctx_err(parent), GORO_OK);
	ck_assert_int_eq(goro_ctx_err(keep), GORO_OK);
	goro_ctx_cancel(parent);
	ck_assert_int_eq(goro_ctx_err(keep), GORO_CANCELED);
	goro_ctx_free(keep);
	goro_ctx_free(parent);
	return 0;
}

/* ---- TestFreeAnyOrder: trees freed root first, leaves first and at
 * random; the survivors keep working (values, done, err). Memory misuse
 * shows under SANITIZE=address. ---- */

#define FA_ROUNDS TEST_SCALE(2000, 300)
#define FA_NODES 24

GORO_TEST(TestFreeAnyOrder, _i + 1)
{
	uint32_t seed = 3;
	for (int r = 0; r < FA_ROUNDS; r++) {
		goro_ctx *n[FA_NODES];
		n[0] = goro_ctx_with_cancel(goro_ctx_background());
		for (int i = 1; i < FA_NODES; i++) {
			seed = seed * 1103515245u + 12345u;
			goro_ctx *p = n[(seed >> 8) % i];
			switch ((seed >> 20) % 4) {
			case 0: n[i] = goro_ctx_with_cancel(p); break;
			case 1: n[i] = goro_ctx_with_value(p, &k1, n + i); break;
			case 2: n[i] = goro_ctx_with_timeout(p, (int64_t)((seed >> 4) % 200) * 1000); break;
			default: n[i] = goro_ctx_with_timeout(p, 3600 * GORO_SECOND); break;
			}
			ck_assert_ptr_nonnull(n[i]);
		}
		if (r % 3 == 1)
			goro_ctx_cancel(n[(seed >> 12) % FA_NODES]);
		/* a permutation: root first, leaves first, or shuffled */
		int perm[FA_NODES];
		for (int i = 0; i < FA_NODES; i++)
			perm[i] = r % 3 == 0 ? i : r % 3 == 1 ? FA_NODES - 1 - i : i;
		if (r % 3 == 2)
			for (int i = FA_NODES - 1; i > 0; i--) {
				seed = seed * 1103515245u + 12345u;
				int j = (int)((seed >> 8) % (uint32_t)(i + 1)), t = perm[i];
				perm[i] = perm[j];
				perm[j] = t;
			}
		bool freed[FA_NODES] = { false };
		for (int k = 0; k < FA_NODES; k++) {
			goro_ctx_free(n[perm[k]]);
			freed[perm[k]] = true;
			if ((r & 7) == 0)
				goro_yield();   /* let deadline timers fire in between */
			for (int i = 0; i < FA_NODES; i++) {   /* the rest still answer */
				if (freed[i])
					continue;
				(void)goro_ctx_value(n[i], &k1);
				bool d = is_done(n[i]);   /* first: err is set before done closes */
				int e = goro_ctx_err(n[i]);
				ck_assert(e == GORO_OK || e == GORO_CANCELED || e == GORO_TIMEOUT);
				ck_assert_msg(!d || e != GORO_OK, "round %d: node %d done with err OK", r, i);
			}
		}
	}
	return 0;
}

/* ---- TestDeepChain: 10,000 contexts each the child of the last:
 * cancelling the root reaches the leaf without eating the stack; freed
 * leaf-first and root-first ---- */

#define DC_N 10000
static goro_ctx *dc[DC_N];

GORO_TEST(TestDeepChain, 1)
{
	for (int pass = 0; pass < 2; pass++) {
		dc[0] = goro_ctx_with_cancel(goro_ctx_background());
		for (int i = 1; i < DC_N; i++) {
			dc[i] = i % 2 ? goro_ctx_with_cancel(dc[i - 1]) : goro_ctx_with_value(dc[i - 1], &k2, NULL);
			ck_assert_ptr_nonnull(dc[i]);
		}
		ck_assert_ptr_null(goro_ctx_value(dc[DC_N - 1], &k1));   /* walks all the way */
		goro_ctx_cancel(dc[0]);
		ck_assert_int_eq(goro_ctx_err(dc[DC_N - 1]), GORO_CANCELED);
		if (pass == 0)
			for (int i = DC_N - 1; i >= 0; i--)
				goro_ctx_free(dc[i]);
		else
			for (int i = 0; i < DC_N; i++)   /* the last free releases the whole chain */
				goro_ctx_free(dc[i]);
	}
	return 0;
}

/* ---- TestSimultaneousCancels: a tree cancelled from many goroutines at
 * once, root and inner nodes racing; everything ends done ---- */

#define SC_ROUNDS TEST_SCALE(300, 60)
#define SC_NODES 64
static goro_ctx *sc_n[SC_NODES];
static atomic_long sc_cancelled;

static void sc_cancel(void *arg)
{
	goro_ctx_cancel(*(goro_ctx **)arg);
	atomic_fetch_add_explicit(&sc_cancelled, 1, memory_order_release);
}

GORO_TEST(TestSimultaneousCancels, _i + 1)
{
	uint32_t seed = 11;
	for (int r = 0; r < SC_ROUNDS; r++) {
		sc_n[0] = goro_ctx_with_cancel(goro_ctx_background());
		for (int i = 1; i < SC_NODES; i++) {
			seed = seed * 1103515245u + 12345u;
			sc_n[i] = goro_ctx_with_cancel(sc_n[(seed >> 8) % i]);
		}
		atomic_store(&sc_cancelled, 0);
		for (int i = SC_NODES - 1; i >= 0; i--)
			ck_assert_int_eq(goro_spawn_copy(sc_cancel, &sc_n[i], sizeof sc_n[i]), GORO_OK);
		ck_assert(test_wait_atleast(&sc_cancelled, SC_NODES));
		for (int i = 0; i < SC_NODES; i++) {
			ck_assert(wait_done(sc_n[i], LATE));
			ck_assert_int_eq(goro_ctx_err(sc_n[i]), GORO_CANCELED);
		}
		for (int i = 0; i < SC_NODES; i++)
			goro_ctx_free(sc_n[(i * 37) % SC_NODES]);
	}
	return 0;
}

/* ---- TestInterlockedCancels: a goroutine waits for the parent to be done
 * and then cancels the child, while the parent's cancel reaches the child
 * too: no deadlock ---- */

static goro_ctx *ic_parent, *ic_child;
static atomic_int ic_done;

static void ic_fn(void *arg)
{
	(void)arg;
	goro_chan_recv(goro_ctx_done(ic_parent), NULL);
	goro_ctx_cancel(ic_child);
	atomic_store_explicit(&ic_done, 1, memory_order_release);
}

GORO_TEST(TestInterlockedCancels, _i + 1)
{
	for (int r = 0; r < 200; r++) {
		ic_parent = goro_ctx_with_cancel(goro_ctx_background());
		ic_child = goro_ctx_with_cancel(ic_parent);
		atomic_store(&ic_done, 0);
		ck_assert_int_eq(goro_spawn(ic_fn, NULL), GORO_OK);
		goro_yield();
		goro_ctx_cancel(ic_parent);
		ck_assert(test_wait_flag(&ic_done));
		ck_assert_int_eq(goro_ctx_err(ic_child), GORO_CANCELED);
		goro_ctx_free(ic_child);
		goro_ctx_free(ic_parent);
	}
	return 0;
}

/* ---- TestLayersCancel / TestLayersTimeout: random stacks of value,
 * cancel and timeout layers over a root; the root's cancel or timeout
 * reaches the top with the root's error ---- */

static void layers(bool timeout, uint32_t seed)
{
	goro_ctx *bg = goro_ctx_background();
	goro_ctx *root = timeout ? goro_ctx_with_timeout(bg, 20 * MS) : goro_ctx_with_cancel(bg);
	goro_ctx *ls[16];
	goro_ctx *c = root;
	int n = 0;
	for (int i = 0; i < 16; i++) {
		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 8) % 3) {
		case 0: c = goro_ctx_with_value(c, &k1, ls + i); break;
		case 1: c = goro_ctx_with_cancel(c); break;
		default: c = goro_ctx_with_timeout(c, 3600 * GORO_SECOND); break;
		}
		ls[n++] = c;
	}
	ck_assert_int_eq(goro_ctx_err(c), GORO_OK);
	if (!timeout)
		goro_ctx_cancel(root);
	ck_assert(wait_done(c, LATE));
	int want = timeout ? GORO_TIMEOUT : GORO_CANCELED;
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(goro_ctx_err(ls[i]), want);
	ck_assert_int_eq(goro_ctx_err(root), want);
	goro_ctx_free(root);
	for (int i = 0; i < n; i++)
		goro_ctx_free(ls[i]);
}

GORO_TEST(TestLayers, _i + 1)
{
	for (uint32_t s = 1; s <= 20; s++) {
		layers(false, s);
		layers(true, s);
	}
	return 0;
}

/* ---- TestContextForeignThread: a pthread derives contexts, blocks on a
 * timeout's done, and cancels a context goroutines are waiting on ---- */

static goro_ctx *fc_shared;
static atomic_long fc_woke;
static atomic_int fc_thread_done;
static char fc_err[256];

static void fc_waiter(void *arg)
{
	(void)arg;
	goro_chan_recv(goro_ctx_done(fc_shared), NULL);
	atomic_fetch_add_explicit(&fc_woke, 1, memory_order_release);
}

static void *fc_thread(void *arg)
{
	(void)arg;
	int64_t t0 = goro_now();
	goro_ctx *t = goro_ctx_with_timeout(fc_shared, 10 * MS);
	goro_ctx *v = goro_ctx_with_value(t, &k3, "v");
	if (t == NULL || v == NULL) {
		snprintf(fc_err, sizeof fc_err, "with_ failed");
	} else if (goro_chan_recv(goro_ctx_done(v), NULL) != GORO_CLOSED) {
		snprintf(fc_err, sizeof fc_err, "done recv");   /* parks this thread */
	} else if (goro_now() - t0 < 10 * MS || goro_ctx_err(v) != GORO_TIMEOUT) {
		snprintf(fc_err, sizeof fc_err, "err %d after %lld ns", goro_ctx_err(v),
		         (long long)(goro_now() - t0));
	} else if (strcmp(goro_ctx_value(v, &k3), "v") != 0) {
		snprintf(fc_err, sizeof fc_err, "value");
	} else {
		goro_ctx_cancel(fc_shared);   /* wakes the goroutines */
	}
	goro_ctx_free(v);
	goro_ctx_free(t);
	atomic_store_explicit(&fc_thread_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestContextForeignThread, _i + 1)
{
	fc_shared = goro_ctx_with_cancel(goro_ctx_background());
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(goro_spawn(fc_waiter, NULL), GORO_OK);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, fc_thread, NULL), 0);
	ck_assert(test_wait_flag(&fc_thread_done));
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(fc_err[0] == '\0', "pthread: %s", fc_err);
	ck_assert(test_wait_atleast(&fc_woke, 10));
	ck_assert_int_eq(goro_ctx_err(fc_shared), GORO_CANCELED);
	goro_ctx_free(fc_shared);
	return 0;
}

/* ---- TestContextStrict: under GORO_DEBUG=strict=1 a nil parent or
 * context is fatal and named, as Go's panics ---- */

static const char *const ctx_strict_rows[] = {
	"goro_ctx_with_cancel: cannot create context from nil parent (GORO_DEBUG=strict=1)",
	"goro_ctx_with_timeout: cannot create context from nil parent (GORO_DEBUG=strict=1)",
	"goro_ctx_with_deadline: cannot create context from nil parent (GORO_DEBUG=strict=1)",
	"goro_ctx_with_value: cannot create context from nil parent (GORO_DEBUG=strict=1)",
	"goro_ctx_err: invalid argument (GORO_DEBUG=strict=1)",
	"goro_ctx_done: invalid argument (GORO_DEBUG=strict=1)",
	"goro_ctx_value: invalid argument (GORO_DEBUG=strict=1)",
	"goro_ctx_cancel: invalid argument (GORO_DEBUG=strict=1)",
	"goro_ctx_deadline: invalid argument (GORO_DEBUG=strict=1)",
};
static int strict_row;

static int strict_main(void *arg)
{
	(void)arg;
	goro_ctx_free(NULL);   /* free(NULL): fine even here */
	goro_ctx_cancel(goro_ctx_background());   /* no CancelFunc: not misuse */
	switch (strict_row) {
	case 0: if (goro_ctx_with_cancel(NULL) != NULL) return 4; break;
	case 1: if (goro_ctx_with_timeout(NULL, MS) != NULL) return 4; break;
	case 2: if (goro_ctx_with_deadline(NULL, 1) != NULL) return 4; break;
	case 3: if (goro_ctx_with_value(NULL, &k1, NULL) != NULL) return 4; break;
	case 4: goro_ctx_err(NULL); break;
	case 5: goro_ctx_done(NULL); break;
	case 6: goro_ctx_value(NULL, &k1); break;
	case 7: goro_ctx_cancel(NULL); break;
	case 8: goro_ctx_deadline(NULL); break;
	}
	return 3;   /* came back: not fatal */
}

START_TEST(TestContextStrict)
{
	strict_row = _i;
	test_child c;
	test_run_child(1, strict_main, test_set_strict, &c);
	char how[64], want[200];
	ck_assert_msg(!c.hung && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2, "child: %s",
	              test_child_describe(&c, how, sizeof how));
	snprintf(want, sizeof want, "goro: fatal error: %s\n", ctx_strict_rows[_i]);
	ck_assert_msg(strstr(c.err, want) != NULL, "no line \"%s\"; stderr:\n%s", want, c.err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("context");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestBackground);
	tcase_add_test(tc, TestContextBeforeMain);
	tcase_add_loop_test(tc, TestContextStrict, 0, 9);
	tcase_add_loop_test(tc, TestWithCancel, 0, 2);
	tcase_add_loop_test(tc, TestParentFinishesChild, 0, 2);
	tcase_add_loop_test(tc, TestDeadline, 0, 2);
	tcase_add_loop_test(tc, TestCanceledTimeout, 0, 2);
	tcase_add_test(tc, TestValues);
	tcase_add_loop_test(tc, TestDoneInSelect, 0, 2);
	tcase_add_loop_test(tc, TestInterlockedCancels, 0, 2);
	tcase_add_loop_test(tc, TestLayers, 0, 2);
	tcase_add_loop_test(tc, TestContextForeignThread, 0, 2);
	suite_add_tcase(s, tc);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 240);
	tcase_add_loop_test(th, TestManyChildren, 0, 2);
	tcase_add_test(th, TestCancelRemoves);
	tcase_add_loop_test(th, TestFreeAnyOrder, 0, 2);
	tcase_add_test(th, TestDeepChain);
	tcase_add_loop_test(th, TestSimultaneousCancels, 0, 2);
	suite_add_tcase(s, th);
	return test_run_suite(s);
}
