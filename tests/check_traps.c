/* Traps a C programmer walks into when writing the natural program from the
 * README: calls made before goro_main; errno after goro_blocking_end; the
 * wrong element size (the checked channel calls); stale channel handles;
 * messages that must name the right thing. Each
 * test shows the trap; the messages are checked in child processes
 * (testutil.h's test_run_child). Pairs with core/malloc.c (the allocator
 * initialised on first use), core/proc.c (spawn and park without a running
 * runtime; exitsyscall's errno), core/time.c (goro_sleep on a plain thread)
 * the hosts' plat_errno_get/set, and core/chan.c (checked calls, the
 * quarantine of freed channels). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* ---- calls before goro_main ---- */

/* The jobs/results program of the README with its channels, WaitGroup and
 * mutex made in main() before goro_main: before the allocator set itself
 * up on first use, every pre-main object came from the 16-byte class, two
 * channels overlapped and the sum came out wrong. */
enum { PM_JOBS = 1000, PM_WORKERS = 4 };

static goro_chan *pm_jobs, *pm_results;
static goro_waitgroup pm_wg = GORO_WAITGROUP_INIT;
static goro_mutex pm_mu = GORO_MUTEX_INIT;
static long pm_total;

static void pm_worker(void *arg)
{
	(void)arg;
	int64_t j;
	while (goro_chan_recv(pm_jobs, &j) == GORO_OK) {
		int64_t r = 2 * j;
		goro_chan_send(pm_results, &r);
		goro_mutex_lock(&pm_mu);
		pm_total++;
		goro_mutex_unlock(&pm_mu);
	}
	goro_wg_done(&pm_wg);
}

static int pm_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < PM_WORKERS; i++)
		if (goro_spawn(pm_worker, NULL) != GORO_OK)
			return 1;
	for (int64_t j = 0; j < PM_JOBS; j++)
		if (goro_chan_send(pm_jobs, &j) != GORO_OK)
			return 2;
	goro_chan_close(pm_jobs);
	int64_t sum = 0, r;
	for (int i = 0; i < PM_JOBS; i++) {
		if (goro_chan_recv(pm_results, &r) != GORO_OK)
			return 3;
		sum += r;
	}
	goro_wg_wait(&pm_wg);
	if (sum != (int64_t)PM_JOBS * (PM_JOBS - 1))
		return 4;
	return pm_total == PM_JOBS ? 0 : 5;
}

START_TEST(test_objects_made_before_main)
{
	pm_jobs = goro_chan_make(sizeof(int64_t), 16);
	pm_results = goro_chan_make(sizeof(int64_t), PM_JOBS);
	ck_assert_ptr_nonnull(pm_jobs);
	ck_assert_ptr_nonnull(pm_results);
	/* Each channel holds its buffer: they cannot be 16 bytes apart. */
	uintptr_t a = (uintptr_t)pm_jobs, b = (uintptr_t)pm_results;
	ck_assert_msg((a > b ? a - b : b - a) >= 16 * sizeof(int64_t),
	              "two channels made before goro_main are %zu bytes apart",
	              (size_t)(a > b ? a - b : b - a));
	ck_assert_int_eq(goro_wg_add(&pm_wg, PM_WORKERS), GORO_OK);
	test_run(2, pm_main);
}
END_TEST

/* A value sent and received in plain main(), before goro_main, through a
 * buffered channel, and through an unbuffered one with a pthread on the
 * other side: both block or hand off on futexes, with no runtime. */
static void *pm_sender(void *arg)
{
	int v = 42;
	if (goro_chan_send(arg, &v) != GORO_OK)
		return (void *)1;
	return NULL;
}

START_TEST(test_chan_before_main)
{
	goro_chan *b = goro_chan_make(sizeof(int), 2);
	goro_chan *u = goro_chan_make(sizeof(int), 0);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(u);
	int v = 7, w = 0;
	ck_assert_int_eq(goro_chan_send(b, &v), GORO_OK);
	ck_assert_int_eq(goro_chan_recv(b, &w), GORO_OK);
	ck_assert_int_eq(w, 7);

	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, pm_sender, u), 0);
	ck_assert_int_eq(goro_chan_recv(u, &w), GORO_OK);
	ck_assert_int_eq(w, 42);
	void *r;
	pthread_join(t, &r);
	ck_assert_ptr_null(r);

	goro_mutex m = GORO_MUTEX_INIT;
	goro_mutex_lock(&m);
	ck_assert_int_eq(goro_mutex_unlock(&m), GORO_OK);
	goro_chan_free(b);
	goro_chan_free(u);
}
END_TEST

/* A receive in plain main() with no goro_main and no other thread can never
 * be woken: it is reported as such, naming goro_main, not as "unlock of
 * unlocked lock" (the corrupted sudog of old) nor as a silent hang. */
static void lone_recv(void)
{
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	int v;
	goro_chan_recv(c, &v);
	_exit(5);
}

START_TEST(test_lone_recv_before_main)
{
	test_child c;
	test_run_child(1, NULL, lone_recv, &c);
	test_expect_exit(&c, 2);
	ck_assert_msg(strncmp(c.first, "goro: fatal error: ", 19) == 0 && strstr(c.first, "goro_main") != NULL,
	              "first line \"%s\" should be fatal and name goro_main; stderr:\n%s", c.first, c.err);
}
END_TEST

/* goro_spawn before goro_main: INVAL, nothing runs, and stderr says the
 * runtime is not running rather than leaving "invalid argument" to guess. */
static atomic_int spawned_ran;

static void spawned_fn(void *arg)
{
	(void)arg;
	atomic_store(&spawned_ran, 1);
}

static int spawned_main(void *arg)
{
	(void)arg;
	goro_yield();
	goro_sleep(10 * MS);
	return atomic_load(&spawned_ran);
}

static void spawn_early(void)
{
	if (goro_spawn(spawned_fn, NULL) != GORO_INVAL)
		_exit(6);
	if (goro_spawn_copy(spawned_fn, "x", 1) != GORO_INVAL)
		_exit(7);
}

START_TEST(test_spawn_before_main)
{
	test_child c;
	test_run_child(1, spawned_main, spawn_early, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: result %d (1: a spawn made before goro_main ran); stderr:\n%s",
	              test_child_result(&c), c.err);
	ck_assert_msg(strstr(c.first, "goro_spawn") != NULL && strstr(c.first, "not running") != NULL &&
	              strstr(c.first, "goro_main") != NULL,
	              "first line \"%s\" should say goro_spawn: the runtime is not running (goro_main)", c.first);
}
END_TEST

/* goro_sleep on a thread with no runtime to serve it sleeps on the OS
 * clock: before goro_main, and from a pthread whose sleep began while the
 * runtime ran and ends after goro_main returned (its join used to hang). */
static void *late_sleeper(void *arg)
{
	atomic_int *started = arg;
	atomic_store(started, 1);
	goro_sleep(200 * MS);
	return NULL;
}

static pthread_t sleeper;
static atomic_int sleeper_started;

static int start_sleeper_main(void *arg)
{
	(void)arg;
	if (pthread_create(&sleeper, NULL, late_sleeper, &sleeper_started) != 0)
		return 1;
	while (!atomic_load(&sleeper_started))
		goro_yield();
	return 0;
}

START_TEST(test_sleep_without_runtime)
{
	int64_t t0 = goro_now();
	goro_sleep(20 * MS);
	int64_t d = goro_now() - t0;
	ck_assert_msg(d >= 20 * MS, "goro_sleep(20 ms) before goro_main returned after %lld ns", (long long)d);

	test_run(1, start_sleeper_main);
	pthread_join(sleeper, NULL);   /* hangs (Check's timeout) if nothing wakes it */

	t0 = goro_now();
	goro_sleep(5 * MS);
	ck_assert(goro_now() - t0 >= 5 * MS);
}
END_TEST

/* ---- errno after goro_blocking_end ---- */

/* Set and read errno in functions of their own, so that each computes this
 * thread's errno afresh (the compiler may keep one __errno_location()
 * across calls within a function: the rule goro.h states). */
static __attribute__((noinline)) void errno_put(int e)
{
	errno = e;
}

static __attribute__((noinline)) int errno_take(void)
{
	return errno;
}

enum { EN_ROUNDS = 200 };

struct errno_run {
	int wrong;        /* errno read after the pair was not the one set inside */
	int moved;        /* rounds that came back on another thread */
	atomic_int done;
};

/* Inside the pair: set a distinct errno, block the thread a little; after
 * it, that errno must be back, whichever thread the goroutine is now on. */
static void errno_rounds(struct errno_run *r, int64_t block_ns, int want_moved)
{
	/* Until EN_ROUNDS are done and want_moved came back elsewhere: how
	 * soon sysmon looks depends on the load (it backs off to 10 ms). */
	int64_t deadline = goro_now() + TEST_WAIT_NS / 2;
	for (int i = 0; i < EN_ROUNDS || (r->moved < want_moved && goro_now() < deadline); i++) {
		long tid = test_gettid();
		goro_blocking_begin();
		errno_put(1000 + i % 1000);
		if (block_ns > 0) {
			struct timespec ts = { 0, block_ns };
			nanosleep(&ts, NULL);
			errno_put(1000 + i % 1000);   /* nanosleep may not keep it */
		}
		goro_blocking_end();
		if (errno_take() != 1000 + i % 1000)
			r->wrong++;
		if (test_gettid() != tid)
			r->moved++;
	}
}

/* GORO_DEBUG=migrate=1 sends every goro_blocking_end through exitsyscall's
 * slow path to another thread: code that reads errno there must see its
 * own. Red without the forced slow path (nothing moves) or without the
 * host carrying errno across (every round wrong). */
static struct errno_run en_run;

static int errno_migrate_main(void *arg)
{
	(void)arg;
	errno_rounds(&en_run, 0, 0);
	return 0;
}

START_TEST(test_errno_forced_migration)
{
	setenv("GORO_DEBUG", "migrate=1", 1);
	test_run(2, errno_migrate_main);
	ck_assert_msg(en_run.moved >= EN_ROUNDS * 9 / 10,
	              "migrate=1: only %d of %d goro_blocking_end came back on another thread",
	              en_run.moved, EN_ROUNDS);
	ck_assert_msg(en_run.wrong == 0, "%d of %d errno reads after goro_blocking_end were wrong",
	              en_run.wrong, EN_ROUNDS);
}
END_TEST

/* Without the debug knob: at procs=1 a goroutine that keeps the P busy gets
 * it from sysmon while the other is in its blocking call, which then ends
 * in the slow path and resumes on the busy goroutine's thread. */
static void errno_busy(void *arg)
{
	struct errno_run *r = arg;
	while (!atomic_load_explicit(&r->done, memory_order_acquire)) {
		test_spin(TEST_SCALE(200000, 50000));
		goro_yield();
	}
}

static int errno_natural_main(void *arg)
{
	(void)arg;
	if (goro_spawn(errno_busy, &en_run) != GORO_OK)
		return 1;
	goro_yield();
	errno_rounds(&en_run, 2 * MS, 10);
	atomic_store_explicit(&en_run.done, 1, memory_order_release);
	return 0;
}

START_TEST(test_errno_after_handoff)
{
	test_run(1, errno_natural_main);
	ck_assert_msg(en_run.wrong == 0, "%d errno reads after goro_blocking_end were wrong (%d moved)",
	              en_run.wrong, en_run.moved);
	/* The trap needs the slow path: if nothing moved, this test shows nothing. */
	ck_assert_msg(en_run.moved > 0, "no goro_blocking_end came back on another thread");
}
END_TEST

/* ---- the wrong element size: goro_chan_send_n / recv_n ---- */

/* An int received from an int64_t channel through the plain call writes
 * 8 bytes into 4 and overwrites the next field; the checked forms refuse
 * it, leave the channel as it was and say so on stderr. */
struct pair32 {
	int32_t first;
	int32_t next;
};

static int elem_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int64_t), 2);
	if (c == NULL || goro_chan_elem_size(c) != sizeof(int64_t) || goro_chan_elem_size(NULL) != 0)
		return 1;
	int32_t small = 5;
	if (GORO_CHAN_SEND(c, small) != GORO_INVAL || goro_chan_len(c) != 0)
		return 2;
	int64_t v = 1LL << 40 | 7;
	if (GORO_CHAN_SEND(c, v) != GORO_OK || goro_chan_len(c) != 1)
		return 3;
	struct pair32 p = { 0, 99 };
	if (GORO_CHAN_RECV(c, p.first) != GORO_INVAL || p.first != 0 || p.next != 99 ||
	    goro_chan_len(c) != 1)
		return 4;
	int64_t w = 0;
	if (GORO_CHAN_RECV(c, w) != GORO_OK || w != v)
		return 5;
	goro_chan_close(c);
	if (GORO_CHAN_RECV(c, w) != GORO_CLOSED || w != 0)
		return 6;
	goro_chan_free(c);
	/* chan struct{}: size 0 on both sides */
	goro_chan *e = goro_chan_make(0, 1);
	if (e == NULL || goro_chan_send_n(e, NULL, 0) != GORO_OK || goro_chan_recv_n(e, NULL, 0) != GORO_OK)
		return 8;
	goro_chan_free(e);
	return 0;
}

START_TEST(test_elem_size_checked)
{
	test_child c;
	test_run_child(1, elem_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: result %d; stderr:\n%s", test_child_result(&c), c.err);
	ck_assert_msg(strcmp(c.first, "goro: goro_chan_send_n: element of 4 bytes for a channel of 8-byte "
	                              "elements; nothing sent or received") == 0,
	              "first line \"%s\"", c.first);
	ck_assert_msg(strstr(c.err, "goro: goro_chan_recv_n: element of 4 bytes") != NULL,
	              "no recv_n line; stderr:\n%s", c.err);
}
END_TEST

/* ---- stale channel handles ---- */

/* After goro_chan_free the memory went straight back to the allocator and
 * the next channel of that size got it: a stale handle then acted on the
 * new channel (goro_chan_close(stale) closed it and returned OK), and a
 * double free freed the new one. Freed channels now wait in a quarantine
 * with their header marked freed. Reading a freed header is what ASan
 * reports itself (check_sanitize.c), so these run without it. */
static int stale_main(void *arg)
{
	(void)arg;
	goro_chan *old = goro_chan_make(sizeof(int), 4);
	if (old == NULL)
		return 1;
	goro_chan_free(old);
	/* Enough new channels of the same size that, without a quarantine,
	 * one of them reuses old's memory (the P's cache is LIFO). */
	goro_chan *fresh[64];
	int reused = 0;
	for (int i = 0; i < 64; i++) {
		fresh[i] = goro_chan_make(sizeof(int), 4);
		if (fresh[i] == NULL)
			return 2;
		reused |= fresh[i] == old;
	}
	int v = 3;
	if (goro_chan_close(old) != GORO_INVAL)
		return 3;
	if (goro_chan_send(old, &v) != GORO_INVAL || goro_chan_trysend(old, &v) != GORO_INVAL)
		return 4;
	if (goro_chan_recv(old, &v) != GORO_INVAL || goro_chan_tryrecv(old, &v) != GORO_INVAL)
		return 5;
	if (goro_chan_len(old) != 0 || goro_chan_cap(old) != 0 || goro_chan_elem_size(old) != 0)
		return 6;
	goro_case cs[1] = { { .chan = old, .dir = GORO_RECV, .elem = &v } };
	if (goro_select(cs, 1, 0) != GORO_INVAL)
		return 7;
	goro_chan_free(old);   /* double free: reported, nothing else freed */
	for (int i = 0; i < 64; i++) {
		if (goro_chan_trysend(fresh[i], &v) != GORO_OK || goro_chan_len(fresh[i]) != 1)
			return 8;   /* closed, freed or filled through the stale handle */
		goro_chan_free(fresh[i]);
	}
	return reused ? 9 : 0;
}

START_TEST(test_stale_chan_handle)
{
#ifdef GORO_ASAN
	fprintf(stderr, "test_stale_chan_handle: skipped under ASan (a freed header is its report)\n");
	return;
#endif
	test_child c;
	test_run_child(1, stale_main, NULL, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: result %d; stderr:\n%s", test_child_result(&c), c.err);
	static const char *const want[] = {
		"goro: goro_chan_close: channel already freed (a stale handle); nothing done\n",
		"goro: goro_chan_send: channel already freed",
		"goro: goro_chan_trysend: channel already freed",
		"goro: goro_chan_recv: channel already freed",
		"goro: goro_chan_tryrecv: channel already freed",
		"goro: goro_chan_len: channel already freed",
		"goro: goro_select: channel already freed",
		"goro: goro_chan_free: channel already freed (double free); ignored\n",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(c.err, want[i]) != NULL, "no \"%s\" on stderr:\n%s", want[i], c.err);
}
END_TEST

/* ---- messages that name the right thing ---- */

/* A goro call that may park, made between goro_blocking_begin and
 * goro_blocking_end: it died with "casgstatus: bad incoming values" at
 * procs=1 and silently worked otherwise (when it did not happen to park).
 * Now fatal on every such call, naming it. */
static const char *const inpair_calls[] = {
	"goro_chan_send", "goro_chan_recv", "goro_chan_send_n", "goro_select",
	"goro_sleep", "goro_yield", "goro_wg_wait", "goro_once_do",
};
enum { INPAIR_N = sizeof inpair_calls / sizeof inpair_calls[0] };
static int inpair_which;

static void once_fn(void *arg)
{
	(void)arg;
}

static int inpair_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 4);
	int v = 1;
	goro_chan_send(c, &v);           /* so that the recv would not park */
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_once once = GORO_ONCE_INIT;
	goro_case cs[1] = { { .chan = c, .dir = GORO_RECV, .elem = &v } };
	goro_blocking_begin();
	switch (inpair_which) {
	case 0: goro_chan_send(c, &v); break;
	case 1: goro_chan_recv(c, &v); break;
	case 2: goro_chan_send_n(c, &v, sizeof v); break;
	case 3: goro_select(cs, 1, 1000 * MS); break;
	case 4: goro_sleep(MS); break;
	case 5: goro_yield(); break;
	case 6: goro_wg_wait(&wg); break;
	case 7: goro_once_do(&once, once_fn, NULL); break;
	}
	goro_blocking_end();
	return 3;   /* came through: the call was not caught */
}

static void run_inpair(int procs, int which)
{
	inpair_which = which;
	test_child c;
	test_run_child(procs, inpair_main, NULL, &c);
	char want[160];
	snprintf(want, sizeof want, "goro: fatal error: %s called between goro_blocking_begin and goro_blocking_end",
	         inpair_calls[which]);
	test_expect_exit(&c, 2);
	ck_assert_msg(strcmp(c.first, want) == 0, "procs %d: first line \"%s\", want \"%s\"; stderr:\n%s",
	              procs, c.first, want, c.err);
}

START_TEST(test_call_inside_blocking_pair)
{
	run_inpair(1, _i);
	run_inpair(2, _i);
}
END_TEST

/* GORO_PROCS=abc, -3 or 100000 was silently replaced by the CPU count:
 * now each is warned about on stderr (as GORO_DEBUG's bad values), and one
 * above the maximum is capped. */
static const struct {
	const char *value, *warning;
	int procs;   /* 0: the CPU count */
} procs_rows[] = {
	{ "abc", "goro: GORO_PROCS: ignoring bad value abc (want 1 to 256); using the CPU count", 0 },
	{ "-3", "goro: GORO_PROCS: ignoring bad value -3 (want 1 to 256); using the CPU count", 0 },
	{ "0", "goro: GORO_PROCS: ignoring bad value 0 (want 1 to 256); using the CPU count", 0 },
	{ "100000", "goro: GORO_PROCS: 100000 is more than 256; using 256", 256 },
	{ "3", "", 3 },
};
static int procs_row;

static void set_procs_env(void)
{
	setenv("GORO_PROCS", procs_rows[procs_row].value, 1);
}

static int procs_main(void *arg)
{
	(void)arg;
	int want = procs_rows[procs_row].procs;
	if (want == 0)
		return goro_procs() >= 1 && goro_procs() <= 256 ? 0 : 1;
	return goro_procs() == want ? 0 : 2;
}

START_TEST(test_bad_goro_procs)
{
	procs_row = _i;
	test_child c;
	test_run_child(0, procs_main, set_procs_env, &c);
	ck_assert_msg(test_child_result(&c) == 0, "GORO_PROCS=%s: result %d; stderr:\n%s",
	              procs_rows[_i].value, test_child_result(&c), c.err);
	ck_assert_msg(strcmp(c.first, procs_rows[_i].warning) == 0, "GORO_PROCS=%s: first line \"%s\", want \"%s\"",
	              procs_rows[_i].value, c.first, procs_rows[_i].warning);
}
END_TEST

/* newosproc's line said only "cannot create thread". With the address
 * space capped just above what the process uses, the next M's stack cannot
 * be mapped: the line must say why (errno) and how many threads exist. */
static atomic_int nt_stop;

static void nt_busy(void *arg)
{
	(void)arg;
	while (!atomic_load(&nt_stop))
		goro_yield();
}

static void nt_blocker(void *arg)
{
	(void)arg;
	for (int64_t t0 = goro_now(); goro_now() - t0 < 20000 * MS && !atomic_load(&nt_stop);) {
		goro_blocking_begin();
		usleep(50000);
		goro_blocking_end();
	}
}

static int nothread_main(void *arg)
{
	(void)arg;
	if (goro_spawn(nt_busy, NULL) != GORO_OK)
		return 1;
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f == NULL || fscanf(f, "%ld", &pages) != 1)
		return 2;
	fclose(f);
	struct rlimit lim = { (rlim_t)pages * 4096 + (64 << 10), RLIM_INFINITY };
	lim.rlim_max = lim.rlim_cur;
	if (setrlimit(RLIMIT_AS, &lim) != 0)
		return 3;
	/* The busy goroutine is runnable: sysmon hands our P on, to a new M
	 * (how soon depends on the load: keep trying for a while). Eight more
	 * goroutines block at the same time, so that the one or two idle Ms
	 * that may exist already cannot serve every hand-off by taking turns. */
	for (int i = 0; i < 8; i++)
		if (goro_spawn(nt_blocker, NULL) != GORO_OK)
			return 5;
	nt_blocker(NULL);
	atomic_store(&nt_stop, 1);
	return 4;   /* every thread was made: the test shows nothing */
}

/* For a child that must run without GORO_DEBUG (a CI run's migrate=1):
 * here because migrate sends each blocking call's end through a stopm that
 * leaves its M idle, and idle Ms serve every hand-off, so no new thread is
 * needed; in the pair test below because it moves the P to another thread
 * at every hand-off of the pair, so sysmon seldom finds an M to flag for
 * preemption, which is what that test is about. */
static void without_goro_debug(void)
{
	unsetenv("GORO_DEBUG");
}

START_TEST(test_newosproc_says_why)
{
#if defined(GORO_ASAN) || defined(GORO_TSAN) || defined(__aarch64__)
	/* ASan and TSan reserve their shadow up front, and qemu-user the
	 * guest's whole address space: a cap on it means nothing there. */
	return;
#endif
	test_child c;
	test_run_child(1, nothread_main, without_goro_debug, &c);
	test_expect_exit(&c, 2);
	static const char prefix[] = "goro: fatal error: newosproc: cannot create thread: errno ";
	ck_assert_msg(strncmp(c.first, prefix, sizeof prefix - 1) == 0, "first line \"%s\"; stderr:\n%s", c.first, c.err);
	int err = 0, ms = 0, threads = 0;
	ck_assert_msg(sscanf(c.first + sizeof prefix - 1, "%d, with %d Ms and %d threads in the process",
	                     &err, &ms, &threads) == 3 && err > 0 && ms >= 1 && threads >= 2,
	              "first line \"%s\"", c.first);
}
END_TEST

/* Deadlock detection is off while the process has a thread goro does not
 * own (it might still call in). GORO_DEBUG=deadlock=1 turns it on anyway;
 * and a program thread that exits after the last M went idle re-arms it
 * (it never did: the check ran only when an M went idle). Both hung. */
static void *forever_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *short_thread(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	return NULL;
}

static void start_forever_deadlock1(void)
{
	setenv("GORO_DEBUG", "deadlock=1", 1);
	pthread_t t;
	if (pthread_create(&t, NULL, forever_thread, NULL) != 0)
		_exit(7);
}

static void start_short_thread(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, short_thread, NULL) != 0 || pthread_detach(t) != 0)
		_exit(7);
}

static int dl_recv_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	int v;
	goro_chan_recv(c, &v);
	return 5;
}

static void expect_deadlock_line(void (*before)(void))
{
	test_child c;
	test_run_child(1, dl_recv_main, before, &c);
	test_expect_exit(&c, 2);
	ck_assert_msg(strcmp(c.first, "goro: fatal error: all goroutines are asleep - deadlock!") == 0,
	              "first line \"%s\"; stderr:\n%s", c.first, c.err);
}

START_TEST(test_deadlock_forced_with_foreign_thread)
{
	expect_deadlock_line(start_forever_deadlock1);
}
END_TEST

START_TEST(test_deadlock_after_thread_exits)
{
	expect_deadlock_line(start_short_thread);
}
END_TEST

/* GORO_DEBUG=strict=1: the misuse Go panics on, which goro reports as a
 * status a program may ignore, is fatal and named. */
static const struct {
	const char *line;   /* after "goro: fatal error: " */
} strict_rows[] = {
	{ "goro_chan_send: send on closed channel (GORO_DEBUG=strict=1)" },
	{ "goro_chan_close: close of closed channel (GORO_DEBUG=strict=1)" },
	{ "goro_wg_done: negative WaitGroup counter (GORO_DEBUG=strict=1)" },
	{ "goro_mutex_unlock: unlock of unlocked mutex (GORO_DEBUG=strict=1)" },
	{ "goro_chan_send: invalid argument (GORO_DEBUG=strict=1)" },
	{ "goro_select: invalid argument (GORO_DEBUG=strict=1)" },
	{ "goro_select: send on closed channel (GORO_DEBUG=strict=1)" },
	{ "goro_spawn: invalid argument (GORO_DEBUG=strict=1)" },
	{ "goro_chan_send_n: invalid argument (GORO_DEBUG=strict=1)" },
	{ "goro_rwmutex_unlock: Unlock of unlocked RWMutex (GORO_DEBUG=strict=1)" },
	{ "goro_spawn_copy: invalid argument (GORO_DEBUG=strict=1)" },
	{ "goro_spawn_with: invalid argument (GORO_DEBUG=strict=1)" },
};
enum { STRICT_N = sizeof strict_rows / sizeof strict_rows[0] };
static int strict_row;

static int strict_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	int v = 1;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_mutex m = GORO_MUTEX_INIT;
	goro_rwmutex rw = GORO_RWMUTEX_INIT;
	goro_case bad[1] = { { .chan = c, .dir = 9, .elem = &v } };
	goro_case snd[1] = { { .chan = c, .dir = GORO_SEND, .elem = &v } };
	int64_t wide = 0;
	switch (strict_row) {
	case 0: goro_chan_close(c); goro_chan_send(c, &v); break;
	case 1: goro_chan_close(c); goro_chan_close(c); break;
	case 2: goro_wg_done(&wg); break;
	case 3: goro_mutex_unlock(&m); break;
	case 4: goro_chan_send(c, NULL); break;
	case 5: goro_select(bad, 1, 0); break;
	case 6: goro_chan_close(c); goro_select(snd, 1, -1); break;
	case 7: goro_spawn(NULL, NULL); break;
	case 8: GORO_CHAN_SEND(c, wide); break;
	case 9: goro_rwmutex_unlock(&rw); break;
	case 10: goro_spawn_copy(once_fn, NULL, 8); break;
	case 11: goro_spawn_with(&(goro_spawn_opts){ .stack_size = (size_t)1 << 40 }, once_fn, NULL); break;
	}
	return 3;   /* came back: not fatal */
}

START_TEST(test_strict_misuse_fatal)
{
	strict_row = _i;
	test_child c;
	test_run_child(1, strict_main, test_set_strict, &c);
	test_expect_exit(&c, 2);
	char want[200];
	snprintf(want, sizeof want, "goro: fatal error: %s\n", strict_rows[_i].line);
	ck_assert_msg(strstr(c.err, want) != NULL, "no line \"%s\"; stderr:\n%s", want, c.err);
}
END_TEST

/* ---- found by an adversarial review ---- */

/* At procs=1 two goroutines passing a token over unbuffered channels kept
 * everyone else off the P: each wake-up put the partner in runnext with the
 * time slice inherited, so the global queue (where goro_yield puts its
 * caller) was never looked at, and sysmon's preempt flag was read only by
 * goro_spawn. goro_yield never returned. Go lets the third run within 25 ms. */
static atomic_int pair_stop;
static goro_chan *ping_c, *pong_c;

static void pinger(void *arg)
{
	(void)arg;
	int v = 0;
	while (!atomic_load_explicit(&pair_stop, memory_order_relaxed)) {
		goro_chan_send(ping_c, &v);
		goro_chan_recv(pong_c, &v);
	}
	goro_chan_close(ping_c);
}

static void ponger(void *arg)
{
	(void)arg;
	int v;
	while (goro_chan_recv(ping_c, &v) == GORO_OK)
		goro_chan_send(pong_c, &v);
}

static atomic_int third_ran;

static void third(void *arg)
{
	(void)arg;
	atomic_store(&third_ran, 1);
}

static int pair_main(void *arg)
{
	(void)arg;
	ping_c = goro_chan_make(sizeof(int), 0);
	pong_c = goro_chan_make(sizeof(int), 0);
	if (ping_c == NULL || pong_c == NULL || goro_spawn(pinger, NULL) != GORO_OK ||
	    goro_spawn(ponger, NULL) != GORO_OK)
		return 1;
	int64_t t0 = goro_now();
	goro_yield();   /* to the global queue, behind the pair */
	int64_t waited = goro_now() - t0;
	/* and one that sits in the local ring while the pair runs */
	if (goro_spawn(third, NULL) != GORO_OK || goro_spawn(third, NULL) != GORO_OK)
		return 2;
	int64_t t1 = goro_now();
	goro_sleep(MS);
	while (!atomic_load(&third_ran) && goro_now() - t1 < 5000 * MS)
		goro_sleep(MS);
	atomic_store(&pair_stop, 1);
	fprintf(stderr, "pair: goro_yield came back after %.1f ms; the third ran: %d\n", waited / 1e6,
	       atomic_load(&third_ran));
	return waited < 2000 * MS && atomic_load(&third_ran) ? 0 : 3;
}

START_TEST(test_pair_does_not_starve_others)
{
	test_child c;
	test_run_child(1, pair_main, without_goro_debug, &c);
	char d[64];
	ck_assert_msg(test_child_result(&c) == 0, "child: %s, result %d; stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
	printf("%s", c.err);
}
END_TEST

/* A timed goro_select on a plain thread hung forever before goro_main
 * (no M, no sysmon to run its timer) and after goro_main returned, also one
 * begun while the runtime ran, so a pthread_join at shutdown hung. */
static void *late_selector(void *arg)
{
	atomic_int *started = arg;
	goro_chan *never = goro_chan_make(sizeof(int), 0);
	int v;
	goro_case cs[1] = { { .chan = never, .dir = GORO_RECV, .elem = &v } };
	atomic_store(started, 1);
	int r = goro_select(cs, 1, 200 * MS);
	return (void *)(intptr_t)(r == GORO_TIMEOUT ? 0 : 1);
}

static pthread_t selector;
static atomic_int selector_started;

static int start_selector_main(void *arg)
{
	(void)arg;
	if (pthread_create(&selector, NULL, late_selector, &selector_started) != 0)
		return 1;
	while (!atomic_load(&selector_started))
		goro_yield();
	return 0;
}

START_TEST(test_timed_select_without_runtime)
{
	goro_chan *never = goro_chan_make(sizeof(int), 0);
	int v;
	goro_case cs[1] = { { .chan = never, .dir = GORO_RECV, .elem = &v } };
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_select(cs, 1, 20 * MS), GORO_TIMEOUT);
	ck_assert(goro_now() - t0 >= 20 * MS);

	test_run(1, start_selector_main);
	void *r;
	pthread_join(selector, &r);   /* hangs (Check's timeout) if nothing fires it */
	ck_assert_ptr_null(r);

	t0 = goro_now();
	ck_assert_int_eq(goro_select(cs, 1, 5 * MS), GORO_TIMEOUT);
	ck_assert(goro_now() - t0 >= 5 * MS);
}
END_TEST

static Suite *traps_suite(void)
{
	Suite *s = suite_create("traps");
	TCase *tc = tcase_create("before_main");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_objects_made_before_main);
	tcase_add_test(tc, test_chan_before_main);
	tcase_add_test(tc, test_lone_recv_before_main);
	tcase_add_test(tc, test_spawn_before_main);
	tcase_add_test(tc, test_sleep_without_runtime);
	suite_add_tcase(s, tc);

	tc = tcase_create("errno");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_errno_forced_migration);
	tcase_add_test(tc, test_errno_after_handoff);
	suite_add_tcase(s, tc);

	tc = tcase_create("elem_size");
	tcase_add_test(tc, test_elem_size_checked);
	suite_add_tcase(s, tc);

	tc = tcase_create("stale");
	tcase_add_test(tc, test_stale_chan_handle);
	suite_add_tcase(s, tc);

	tc = tcase_create("messages");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_call_inside_blocking_pair, 0, INPAIR_N);
	tcase_add_loop_test(tc, test_bad_goro_procs, 0, sizeof procs_rows / sizeof procs_rows[0]);
	tcase_add_test(tc, test_newosproc_says_why);
	tcase_add_test(tc, test_deadlock_forced_with_foreign_thread);
	tcase_add_test(tc, test_deadlock_after_thread_exits);
	tcase_add_loop_test(tc, test_strict_misuse_fatal, 0, STRICT_N);
	suite_add_tcase(s, tc);

	tc = tcase_create("review");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pair_does_not_starve_others);
	tcase_add_test(tc, test_timed_select_without_runtime);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(traps_suite());
}
