/* What the runtime says about its goroutines: goro_num_goroutine
 * (runtime.NumGoroutine); goro_spawn_with's options; the listings of a
 * deadlock and a fault (names, frames, creators, wait durations, a broken
 * frame chain, GORO_TRACEBACK's levels), each from a child whose stderr is
 * checked line by line. Pairs with core/traceback.c, newproc in
 * core/proc.c and the hosts' plat_symbolize. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goro.h"
#include "testutil.h"

enum { NBLOCKED = 10 };

static void blocked(void *arg)
{
	int v;
	goro_chan_recv(arg, &v);
}

/* Wait (yielding) until the count is want; the last value seen. */
static int wait_count(int want)
{
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	int n;
	while ((n = goro_num_goroutine()) != want && goro_now() < deadline)
		goro_yield();
	return n;
}

static int numgoroutine_main(void *arg)
{
	(void)arg;
	if (goro_num_goroutine() != 1)
		return 1;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	for (int i = 0; i < NBLOCKED; i++)
		if (goro_spawn(blocked, c) != GORO_OK)
			return 2;
	if (goro_num_goroutine() != NBLOCKED + 1)
		return 3;
	goro_chan_close(c);   /* they all return; their Gs go dead */
	if (wait_count(1) != 1)
		return 4;
	/* reused Gs are counted once more */
	goro_chan *d = goro_chan_make(sizeof(int), 0);
	for (int i = 0; i < 3; i++)
		if (goro_spawn(blocked, d) != GORO_OK)
			return 5;
	if (goro_num_goroutine() != 4)
		return 6;
	goro_chan_close(d);
	return wait_count(1) == 1 ? 0 : 7;
}

START_TEST(TestNumGoroutine)
{
	ck_assert_int_eq(goro_num_goroutine(), 0);   /* before goro_main */
	test_child c;
	char d[64];
	test_run_child(2, numgoroutine_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

/* ---- goro_spawn_with: a stack of its own, reused; bad options ---- */

static atomic_int deep_ok;

/* Uses most of a 1 MiB stack: more than the default 64 KiB by far. */
static void deep_fn(void *arg)
{
	volatile char big[768 << 10];
	size_t n = sizeof big;
	for (size_t i = 0; i < n; i += 4096)
		big[i] = (char)i;
	big[n - 1] = 1;
	atomic_fetch_add(&deep_ok, big[n - 1]);
	goro_wg_done(arg);
}

static int spawn_with_main(void *arg)
{
	(void)arg;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_spawn_opts big = { .stack_size = 1 << 20, .name = "deep" };
	for (int round = 0; round < 3; round++) {   /* later rounds reuse the stacks */
		for (int i = 0; i < 4; i++) {
			goro_wg_add(&wg, 1);
			if (goro_spawn_with(&big, deep_fn, &wg) != GORO_OK)
				return 1;
		}
		goro_wg_wait(&wg);
	}
	if (atomic_load(&deep_ok) != 12)
		return 2;
	goro_spawn_opts huge = { .stack_size = ((size_t)1 << 30) + 1 };
	if (goro_spawn_with(&huge, deep_fn, &wg) != GORO_INVAL)
		return 3;
	if (goro_spawn_with(NULL, NULL, NULL) != GORO_INVAL)
		return 4;
	goro_spawn_opts small = { .stack_size = 1, .name = NULL };
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	if (goro_spawn_with(&small, blocked, c) != GORO_OK || goro_spawn_with(NULL, blocked, c) != GORO_OK)
		return 5;
	goro_chan_close(c);
	return wait_count(1) == 1 ? 0 : 6;
}

START_TEST(TestSpawnWith)
{
	goro_spawn_opts o = { 0, "early" };
	ck_assert_int_eq(goro_spawn_with(&o, blocked, NULL), GORO_INVAL);   /* before goro_main */
	test_child c;
	char d[64];
	test_run_child(2, spawn_with_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

/* ---- goro_stats: goroutines by state and wait reason, timers, Ps ---- */

enum { ST_RECV = 5, ST_SEND = 3, ST_SLEEP = 4, ST_SYNC = 2 };

static goro_waitgroup st_wg = GORO_WAITGROUP_INIT;

static void st_send(void *arg)
{
	int v = 1;
	goro_chan_send(arg, &v);
}

static void st_sleep(void *arg)
{
	(void)arg;
	goro_sleep(3600LL * 1000 * 1000 * 1000);
}

static void st_sync(void *arg)
{
	(void)arg;
	goro_wg_wait(&st_wg);
}

static goro_fd st_fd;

static void st_io(void *arg)
{
	(void)arg;
	char b;
	size_t n;
	goro_read(st_fd, &b, 1, &n);   /* nobody writes: CLOSED once main closes it */
}

static int stats_main(void *arg)
{
	(void)arg;
	struct goro_stats st;
	if (goro_stats(NULL) != GORO_INVAL)
		return 1;
	goro_chan *r = goro_chan_make(sizeof(int), 0), *s = goro_chan_make(sizeof(int), 0);
	int p[2];
	if (pipe(p) != 0 || goro_fd_open(p[0], &st_fd) != GORO_OK)
		return 7;
	goro_spawn(st_io, NULL);
	goro_wg_add(&st_wg, 1);
	for (int i = 0; i < ST_RECV; i++)
		goro_spawn(blocked, r);
	for (int i = 0; i < ST_SEND; i++)
		goro_spawn(st_send, s);
	for (int i = 0; i < ST_SLEEP; i++)
		goro_spawn(st_sleep, NULL);
	for (int i = 0; i < ST_SYNC; i++)
		goro_spawn(st_sync, NULL);
	int total = 1 + ST_RECV + ST_SEND + ST_SLEEP + ST_SYNC + 1;
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	do {   /* until every one has parked */
		goro_sleep(1000 * 1000);
		if (goro_stats(&st) != GORO_OK)
			return 2;
	} while (st.waiting != (uint64_t)total - 1 && goro_now() < deadline);
	if (st.goroutines != (uint64_t)total || st.running != 1 || st.runnable != 0 || st.blocking != 0)
		return 3;
	if (st.wait_chan_recv != ST_RECV || st.wait_chan_send != ST_SEND || st.wait_sleep != ST_SLEEP ||
	    st.wait_sync != ST_SYNC || st.wait_select != 0 || st.wait_io != 1 || st.wait_other != 0 ||
	    st.fds != 1)
		return 4;
	if (st.timers < ST_SLEEP || st.procs != 2 || st.idle_procs > 1 || st.threads < 1 ||
	    st.idle_threads >= st.threads || st.spinning_threads > st.threads)
		return 5;
	goro_chan_close(r);
	goro_chan_close(s);
	goro_wg_done(&st_wg);
	goro_fd_close(st_fd);
	while (goro_now() < deadline && (goro_stats(&st), st.goroutines != 1 + ST_SLEEP))
		goro_sleep(1000 * 1000);
	return st.goroutines == 1 + ST_SLEEP && st.wait_sleep == ST_SLEEP && st.fds == 0 ? 0 : 6;
}

START_TEST(TestStats)
{
	struct goro_stats st;
	memset(&st, 0xff, sizeof st);
	ck_assert_int_eq(goro_stats(&st), GORO_OK);   /* before goro_main: zeros */
	ck_assert(st.goroutines == 0 && st.procs == 0 && st.timers == 0 && st.threads == 0);
	test_child c;
	char d[64];
	test_run_child(2, stats_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

/* ---- listings ---- */

/* Calls that stay calls: no inlining, no tail call (the asm after it). */
#define NOINLINE __attribute__((noinline))
#define NOTAIL() __asm__ volatile("" ::: "memory")

static goro_chan *tb_chan;
static atomic_int tb_parked;

NOINLINE static void tb_recv3(void)
{
	int v;
	atomic_fetch_add(&tb_parked, 1);
	goro_chan_recv(tb_chan, &v);
	NOTAIL();
}

NOINLINE static void tb_recv2(void)
{
	tb_recv3();
	NOTAIL();
}

NOINLINE static void tb_recv1(void *arg)
{
	(void)arg;
	tb_recv2();
	NOTAIL();
}

/* A frame whose saved frame pointer is overwritten (arg: with what), as
 * code without frame pointers leaves one: the walk must end there. */
static volatile int tb_sink;

NOINLINE static void tb_broken3(void)
{
	tb_sink = 3;   /* a body of its own, or gcc folds it into tb_recv2 */
	tb_recv3();
	NOTAIL();
}

NOINLINE static void tb_broken2(uintptr_t with)
{
	uintptr_t *fp = __builtin_frame_address(0);
	fp[0] = with != 0 ? with : (uintptr_t)fp - 64;   /* 0: below itself, a loop */
	tb_broken3();
	NOTAIL();
}

NOINLINE static void tb_broken1(void *arg)
{
	tb_broken2((uintptr_t)arg);
	NOTAIL();
}

NOINLINE static int tb_spawn_named(const char *name, void (*fn)(void *), void *arg)
{
	goro_spawn_opts o = { .name = name };
	int st = goro_spawn_with(&o, fn, arg);
	NOTAIL();
	return st;
}

/* Main: a named goroutine three calls deep in a receive, an unnamed one,
 * two with broken chains, then main itself blocks: deadlock. */
static int tb_deadlock_main(void *arg)
{
	(void)arg;
	tb_chan = goro_chan_make(sizeof(int), 0);
	if (tb_chan == NULL || tb_spawn_named("fetcher\n#1", tb_recv1, NULL) != GORO_OK ||
	    goro_spawn(tb_recv1, NULL) != GORO_OK ||
	    tb_spawn_named("broken", tb_broken1, (void *)(uintptr_t)0x10) != GORO_OK ||
	    tb_spawn_named("looped", tb_broken1, NULL) != GORO_OK)
		return 1;
	while (atomic_load(&tb_parked) < 4)
		goro_yield();
	int v;
	goro_chan_recv(tb_chan, &v);
	return 2;
}

/* In the child: the environment for goro_main (set_env). */
static const char *env_traceback, *env_debug;

static void set_env(void)
{
	if (env_traceback != NULL)
		setenv("GORO_TRACEBACK", env_traceback, 1);
	if (env_debug != NULL)
		setenv("GORO_DEBUG", env_debug, 1);
}

static void run_listing(int (*fn)(void *), const char *traceback, const char *debug, test_child *c)
{
	env_traceback = traceback;
	env_debug = debug;
	test_run_child(2, fn, set_env, c);
}

/* The block of the listing that starts with the header prefix hdr
 * ("\ngoroutine 1 [", or a name), up to the next goroutine; NULL if none.
 * Copied into buf. */
static const char *block(const test_child *c, const char *hdr, char *buf, size_t n)
{
	const char *p = strstr(c->err, hdr);
	if (p == NULL)
		return NULL;
	const char *start = p;
	while (start > c->err && start[-1] != '\n')
		start--;
	const char *end = strstr(p + 1, "\ngoroutine ");
	size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
	if (len >= n)
		len = n - 1;
	memcpy(buf, start, len);
	buf[len] = '\0';
	return buf;
}

/* Each string in order, in b; NULL-terminated list. */
static void expect_in_order(const char *b, const test_child *c, ...)
{
	va_list ap;
	va_start(ap, c);
	const char *p = b, *want;
	while ((want = va_arg(ap, const char *)) != NULL) {
		const char *q = strstr(p, want);
		size_t bl = strlen(b);
		ck_assert_msg(q != NULL, "\"%s\" missing (or out of order) in:\n%.1500s\n...\n%s\nwhole stderr:\n%.1000s",
		              want, b, b + (bl > 600 ? bl - 600 : 0), c->err);
		p = q + strlen(want);
	}
	va_end(ap);
}

static void expect_absent(const char *b, const char *what, const test_child *c)
{
	ck_assert_msg(strstr(b, what) == NULL, "\"%s\" should not be in:\n%.1500s\nwhole stderr:\n%.1500s",
	              what, b, c->err);
}

static void expect_deadlock_exit(const test_child *c)
{
	char d[64];
	ck_assert_msg(!c->hung && WIFEXITED(c->status) && WEXITSTATUS(c->status) == 2,
	              "child: %s, want exit 2; stderr:\n%s", test_child_describe(c, d, sizeof d), c->err);
	ck_assert_str_eq(c->first, "goro: fatal error: all goroutines are asleep - deadlock!");
}

START_TEST(TestListingFrames)
{
	test_child c;
	char b[4096];
	run_listing(tb_deadlock_main, NULL, NULL, &c);
	expect_deadlock_exit(&c);
	/* the name, its newline made harmless; frames innermost first; the
	 * creator with its goroutine; no runtime frames */
	ck_assert_msg(block(&c, " \"fetcher?#1\" [chan receive]:\n", b, sizeof b) != NULL,
	              "no header for the named goroutine; stderr:\n%s", c.err);
	expect_in_order(b, &c, "\ntb_recv3+0x", "\ntb_recv2+0x", "\ntb_recv1+0x",
	                "\ncreated by tb_spawn_named+0x", " in goroutine 1\n", NULL);
	/* each frame's second line: the module and offset addr2line takes */
	expect_in_order(b, &c, "tb_recv3+0x", "\n\t/", "check_traceback+0x", NULL);
	expect_absent(b, "chanpark", &c);
	expect_absent(b, "gopark", &c);
	expect_absent(b, "goro_arch_gostart", &c);
	expect_absent(b, "minutes", &c);
	/* the unnamed one: created by main directly */
	int unnamed = 0;
	for (const char *p = c.err; (p = strstr(p, "\ngoroutine ")) != NULL; p++) {
		const char *q = p + strlen("\ngoroutine ");
		q += strspn(q, "0123456789");
		static const char want[] = " [chan receive]:\ntb_recv3+0x";
		if (strncmp(q, want, strlen(want)) == 0) {
			unnamed++;
			block(&c, p, b, sizeof b);
			expect_in_order(b, &c, "tb_recv1+0x", "\ncreated by tb_deadlock_main+0x", " in goroutine 1\n", NULL);
		}
	}
	ck_assert_msg(unnamed == 1, "%d unnamed goroutines in tb_recv3; stderr:\n%s", unnamed, c.err);
	/* main: its own frame, no creator */
	ck_assert(block(&c, "\ngoroutine 1 [chan receive]:\n", b, sizeof b) != NULL);
	expect_in_order(b, &c, "\ntb_deadlock_main+0x", NULL);
	expect_absent(b, "created by", &c);
	expect_absent(b, "runtime_main", &c);
}
END_TEST

START_TEST(TestListingBrokenChain)
{
	test_child c;
	char b[4096];
	run_listing(tb_deadlock_main, NULL, NULL, &c);
	expect_deadlock_exit(&c);
	/* a pointer off the stack, and one back down it: the walk stops at
	 * the frame that holds it, and the creator is still known */
	ck_assert(block(&c, " \"broken\" [chan receive]:\n", b, sizeof b) != NULL);
	expect_in_order(b, &c, "\ntb_recv3+0x", "\ntb_broken3+0x", "\ntb_broken2+0x",
	                "\ntb_broken1+0x", "\n...frame chain broken at 0x10 ", "\ncreated by ", NULL);
	ck_assert(block(&c, " \"looped\" [chan receive]:\n", b, sizeof b) != NULL);
	expect_in_order(b, &c, "\ntb_broken2+0x", "\ntb_broken1+0x", "\n...frame chain broken at 0x",
	                "\ncreated by ", NULL);
}
END_TEST

START_TEST(TestListingWaitMinutes)
{
	test_child c;
	char b[4096];
	/* a clock 150 s ahead for listings: every parked goroutine has waited
	 * two minutes */
	run_listing(tb_deadlock_main, NULL, "waitshift=150", &c);
	expect_deadlock_exit(&c);
	ck_assert(block(&c, " \"fetcher?#1\" [chan receive, 2 minutes]:\n", b, sizeof b) != NULL);
	ck_assert(block(&c, "\ngoroutine 1 [chan receive, 2 minutes]:\n", b, sizeof b) != NULL);
	run_listing(tb_deadlock_main, NULL, "waitshift=59", &c);
	expect_deadlock_exit(&c);
	expect_absent(c.err, "minute", &c);
}
END_TEST

/* Levels on a deadlock: nobody is to blame, so single lists everyone;
 * system adds the runtime's frames; none only the fatal line. */
START_TEST(TestTracebackLevelsDeadlock)
{
	test_child c;
	char b[4096];
	run_listing(tb_deadlock_main, "none", NULL, &c);
	expect_deadlock_exit(&c);
	ck_assert_msg(strcmp(c.err, "goro: fatal error: all goroutines are asleep - deadlock!\n") == 0,
	              "stderr:\n%s", c.err);

	run_listing(tb_deadlock_main, "system", NULL, &c);
	expect_deadlock_exit(&c);
	ck_assert(block(&c, " \"fetcher?#1\" [chan receive]:\n", b, sizeof b) != NULL);
	/* a runtime frame (chanpark, gopark, mcall: inlining decides) first */
	expect_in_order(b, &c, "[chan receive]:\n", "+0x", "\ntb_recv3+0x", "\ntb_recv1+0x",
	                "\ngoro_arch_gostart+0x", NULL);
	expect_absent(b, "[chan receive]:\ntb_recv3", &c);
	/* the thrower is an M going idle (schedule) or sysmon's idle re-check */
	const char *rs = strstr(c.err, "\nruntime stack:\n");
	ck_assert_msg(rs != NULL && (strstr(rs, "\nschedule+0x") != NULL || strstr(rs, "\nsysmon+0x") != NULL),
	              "no runtime stack through schedule or sysmon; stderr:\n%s", c.err);

	run_listing(tb_deadlock_main, "bogus", NULL, &c);
	expect_deadlock_exit(&c);
	expect_in_order(c.err, &c, "goro: GORO_TRACEBACK: ignoring bogus\n", "\ntb_recv1+0x", NULL);
}
END_TEST

/* ---- a fault: the goroutine that faulted, from the signal's context ---- */

static int *volatile tb_null_ptr;

NOINLINE static void tb_fault3(void)
{
	test_child_report_id();   /* a call: not a leaf, so its frame is complete */
	*tb_null_ptr = 1;
	NOTAIL();
}

NOINLINE static void tb_fault2(void)
{
	tb_fault3();
	NOTAIL();
}

NOINLINE static void tb_fault1(void *arg)
{
	(void)arg;
	tb_fault2();
	NOTAIL();
}

static int tb_fault_main(void *arg)
{
	(void)arg;
	tb_chan = goro_chan_make(sizeof(int), 0);
	if (tb_chan == NULL || tb_spawn_named("bystander", tb_recv1, NULL) != GORO_OK)
		return 1;
	while (atomic_load(&tb_parked) < 1)
		goro_yield();
	if (tb_spawn_named("crasher", tb_fault1, NULL) != GORO_OK)
		return 1;
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		goro_sleep(10 * 1000 * 1000);
	return 3;
}

static void expect_fault(const test_child *c)
{
	char d[64];
	ck_assert_msg(!c->hung && WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGSEGV,
	              "child: %s, want death by SIGSEGV; stderr:\n%s", test_child_describe(c, d, sizeof d), c->err);
	char want[128];
	snprintf(want, sizeof want, "goro: fatal error: unexpected signal SIGSEGV at address 0x%s in goroutine %s",
#ifdef GORO_UBSAN
	         "8",
#else
	         "0",
#endif
	         c->id);
	ck_assert_str_eq(c->first, want);
}

START_TEST(TestListingFault)
{
#if defined(GORO_ASAN) || defined(GORO_TSAN)
	return;   /* the sanitizer's SEGV handler came first and gets the fault (check_fatal) */
#endif
#ifdef GORO_UBSAN
	tb_null_ptr = (int *)8;   /* as check_fatal: UBSan would report NULL itself */
#endif
	test_child c;
	char b[4096], hdr[96];
	run_listing(tb_fault_main, NULL, NULL, &c);
	expect_fault(&c);
	snprintf(hdr, sizeof hdr, "\ngoroutine %s \"crasher\" [running]:\n", c.id);
	ck_assert_msg(block(&c, hdr, b, sizeof b) != NULL, "no %s; stderr:\n%s", hdr + 1, c.err);
	expect_in_order(b, &c, "\ntb_fault3+0x", "\ntb_fault2+0x", "\ntb_fault1+0x",
	                "\ncreated by tb_spawn_named+0x", " in goroutine 1\n", NULL);
	/* single: the faulting goroutine alone */
	expect_absent(c.err, "bystander", &c);

	run_listing(tb_fault_main, "all", NULL, &c);
	expect_fault(&c);
	snprintf(hdr, sizeof hdr, "\ngoroutine %s \"crasher\" [running]:\n", c.id);   /* ids may differ */
	ck_assert_msg(block(&c, hdr, b, sizeof b) != NULL, "no %s; stderr:\n%.1500s", hdr + 1, c.err);
	expect_in_order(c.err, &c, "\"crasher\" [running]:\n", "\"bystander\" [chan receive]:\ntb_recv3+0x", NULL);

	run_listing(tb_fault_main, "none", NULL, &c);
	expect_fault(&c);
	/* qemu-user adds a line of its own about the signal */
	const char *nl = strchr(c.err, '\n');
	ck_assert_msg(nl != NULL && (nl[1] == '\0' || strncmp(nl + 1, "qemu: ", 6) == 0),
	              "more than the fatal line:\n%.1500s", c.err);
}
END_TEST

/* ---- a stack overflow: the overflowing goroutine's frames, capped ---- */

static volatile long tb_depth_limit = 1L << 40;   /* volatile: gcc cannot see it end */

NOINLINE static void tb_recurse(long d)
{
	volatile char pad[256];
	pad[0] = (char)d;
	if (d < tb_depth_limit)
		tb_recurse(d + 1);
	pad[1] = pad[0];   /* after the call: no tail call */
}

static void tb_overflow_fn(void *arg)
{
	(void)arg;
	tb_recurse(0);
}

static int tb_overflow_main(void *arg)
{
	(void)arg;
	if (tb_spawn_named("deep", tb_overflow_fn, NULL) != GORO_OK)
		return 1;
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		goro_sleep(10 * 1000 * 1000);
	return 3;
}

START_TEST(TestListingOverflow)
{
	test_child c;
	char b[8192], d[64];
	run_listing(tb_overflow_main, NULL, NULL, &c);
	ck_assert_msg(!c.hung && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2,
	              "child: %s, want exit 2; stderr:\n%.1500s", test_child_describe(&c, d, sizeof d), c.err);
	ck_assert_msg(strncmp(c.first, "goro: fatal error: stack overflow in goroutine ", 47) == 0, "%s", c.first);
	ck_assert(block(&c, " \"deep\" [running]:\n", b, sizeof b) != NULL);
	expect_in_order(b, &c, "\ntb_recurse+0x", "\ntb_recurse+0x", "\n...additional frames elided...",
	                "\ncreated by tb_spawn_named+0x", NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("traceback");
	TCase *tc = tcase_create("stats");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestNumGoroutine);
	tcase_add_test(tc, TestSpawnWith);
	tcase_add_test(tc, TestStats);
	suite_add_tcase(s, tc);
	tc = tcase_create("listing");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestListingFrames);
	tcase_add_test(tc, TestListingBrokenChain);
	tcase_add_test(tc, TestListingWaitMinutes);
	tcase_add_test(tc, TestTracebackLevelsDeadlock);
	tcase_add_test(tc, TestListingFault);
	tcase_add_test(tc, TestListingOverflow);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
