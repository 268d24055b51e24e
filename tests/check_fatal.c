/* Fatal paths, each in a child process (Go's crash_test.go / testprog
 * pattern): deadlock (checkdead) on a channel, a select and a WaitGroup, and
 * none while a timer, a blocking call or a foreign thread can still wake
 * someone; a fault other than stack overflow (host/posix signal.c; overflow
 * is check_stack.c's); the SIGQUIT goroutine listing (traceback.c). The child runs goro_main with its stderr
 * on a pipe; the parent checks the exit status and the exact first line.
 * Pairs with core/proc.c's checkdead, core/traceback.c and the posix host's
 * signal handlers. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "testutil.h"

static const char deadlock_line[] = "goro: fatal error: all goroutines are asleep - deadlock!";

/* ---- what the child must show (test_run_child: testutil.h) ---- */

static void expect_first(const test_child *c, const char *line)
{
	ck_assert_msg(strcmp(c->first, line) == 0,
	              "first stderr line \"%s\", want \"%s\"; stderr:\n%s", c->first, line, c->err);
}

/* The listing has a line "goroutine N [state]:". */
static void expect_listed(const test_child *c, const char *state)
{
	char want[64];
	snprintf(want, sizeof want, " [%s]:\n", state);
	for (const char *p = c->err; (p = strstr(p, "\ngoroutine ")) != NULL; p++) {
		const char *q = p + strlen("\ngoroutine ");
		size_t digits = strspn(q, "0123456789");
		if (digits > 0 && strncmp(q + digits, want, strlen(want)) == 0)
			return;
	}
	ck_abort_msg("no \"goroutine N [%s]:\" line in the listing; stderr:\n%s", state, c->err);
}

/* A child that must die of deadlock: exit 2, the deadlock line first, and
 * goroutines listed in each wait state given (NULL: none asked). */
static void expect_deadlock(int procs, int (*fn)(void *), const char *state1, const char *state2)
{
	test_child c;
	test_run_child(procs, fn, NULL, &c);
	test_expect_exit(&c, 2);
	expect_first(&c, deadlock_line);
	if (state1 != NULL)
		expect_listed(&c, state1);
	if (state2 != NULL)
		expect_listed(&c, state2);
}

/* ---- checkdead: a receive and a send on different channels
 * (TestSimpleDeadlock / TestLockedDeadlock in crash_test.go) ---- */

static void dl_send_fn(void *arg)
{
	int v = 1;
	goro_chan_send(arg, &v);
	_exit(5);   /* nobody receives: unreachable */
}

static int dl_chan_main(void *arg)
{
	(void)arg;
	goro_chan *c1 = goro_chan_make(sizeof(int), 0);
	goro_chan *c2 = goro_chan_make(sizeof(int), 0);
	if (c1 == NULL || c2 == NULL || goro_spawn(dl_send_fn, c2) != GORO_OK)
		return 1;
	int v;
	goro_chan_recv(c1, &v);
	return 2;   /* unreachable */
}

START_TEST(TestDeadlockChan)
{
	expect_deadlock(1, dl_chan_main, "chan receive", "chan send");
}
END_TEST

START_TEST(TestDeadlockChanProcs4)
{
	expect_deadlock(4, dl_chan_main, "chan receive", "chan send");
}
END_TEST

/* ---- checkdead through a select with no ready case and no timeout ---- */

static int dl_select_main(void *arg)
{
	(void)arg;
	goro_chan *a = goro_chan_make(sizeof(int), 0);
	goro_chan *b = goro_chan_make(sizeof(int), 1);
	int v = 0, w = 7;
	if (a == NULL || b == NULL || goro_chan_send(b, &w) != GORO_OK)
		return 1;   /* b full: a send on it is not ready */
	goro_case cs[3] = {
		{ a, GORO_RECV, &v, 0, { 0 } },
		{ b, GORO_SEND, &w, 0, { 0 } },
		{ NULL, GORO_RECV, &v, 0, { 0 } },   /* nil channel: never ready */
	};
	goro_select(cs, 3, -1);
	return 2;
}

START_TEST(TestDeadlockSelect)
{
	expect_deadlock(2, dl_select_main, "select", NULL);
}
END_TEST

/* select {} : no cases, no timeout */
static int dl_select_empty_main(void *arg)
{
	(void)arg;
	goro_select(NULL, 0, -1);
	return 2;
}

START_TEST(TestDeadlockSelectNoCases)
{
	expect_deadlock(1, dl_select_empty_main, NULL, NULL);
}
END_TEST

/* ---- checkdead through a WaitGroup nobody will finish ---- */

static goro_waitgroup dl_wg = GORO_WAITGROUP_INIT;

static int dl_wg_main(void *arg)
{
	(void)arg;
	if (goro_wg_add(&dl_wg, 1) != GORO_OK)
		return 1;
	goro_wg_wait(&dl_wg);
	return 2;
}

START_TEST(TestDeadlockWaitGroup)
{
	expect_deadlock(2, dl_wg_main, "semacquire", NULL);
}
END_TEST

/* ---- checkdead through a mutex locked twice (sync's semacquire) ---- */

static goro_mutex dl_mu = GORO_MUTEX_INIT;

static int dl_mutex_main(void *arg)
{
	(void)arg;
	goro_mutex_lock(&dl_mu);
	goro_mutex_lock(&dl_mu);
	return 2;
}

START_TEST(TestDeadlockMutex)
{
	expect_deadlock(2, dl_mutex_main, "semacquire", NULL);
}
END_TEST

/* ---- no false positive (a): every goroutine but a sleeping one is
 * blocked; the sleeper's timer will wake it, and it wakes the rest ---- */

static void nfp_recv_fn(void *arg)
{
	goro_chan **cs = arg;
	int v = 0;
	if (goro_chan_recv(cs[0], &v) != GORO_OK || v != 42)
		_exit(6);
	goro_chan_send(cs[1], &v);
}

static int nfp_timer_main(void *arg)
{
	(void)arg;
	static goro_chan *cs[2];
	cs[0] = goro_chan_make(sizeof(int), 0);
	cs[1] = goro_chan_make(sizeof(int), 0);
	if (cs[0] == NULL || cs[1] == NULL || goro_spawn(nfp_recv_fn, cs) != GORO_OK)
		return 1;
	goro_sleep(200 * MS);
	int v = 42;
	if (goro_chan_send(cs[0], &v) != GORO_OK || goro_chan_recv(cs[1], &v) != GORO_OK || v != 42)
		return 3;
	return 0;
}

START_TEST(TestNoDeadlockTimer)
{
	test_child c;
	test_run_child(2, nfp_timer_main, NULL, &c);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* The same with a select that times out: its timer is the only one. */
static int nfp_select_timeout_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	int v;
	goro_case cs = { c, GORO_RECV, &v, 0, { 0 } };
	if (c == NULL || goro_select(&cs, 1, 200 * MS) != GORO_TIMEOUT)
		return 1;
	return 0;
}

START_TEST(TestNoDeadlockSelectTimeout)
{
	test_child c;
	test_run_child(1, nfp_select_timeout_main, NULL, &c);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* ---- no false positive (b): a goroutine in a blocking read of a pipe,
 * written 200 ms later; main waits on a channel for what it read. The
 * writer is either a plain pthread (the thread rule alone would keep
 * checkdead quiet) or another process forked before goro_main (only the
 * blocking-call rule does). ---- */

static int nfp_pipe[2] = { -1, -1 };
static goro_chan *nfp_result;

static void nfp_reader_fn(void *arg)
{
	(void)arg;
	char b = 0;
	ssize_t n;
	goro_blocking_begin();
	do
		n = read(nfp_pipe[0], &b, 1);
	while (n < 0 && errno == EINTR);
	goro_blocking_end();
	int v = n == 1 ? b : -1;
	goro_chan_send(nfp_result, &v);
}

static void *nfp_writer_thread(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	if (write(nfp_pipe[1], "x", 1) != 1)
		_exit(7);
	return NULL;
}

static int nfp_blocking_main(void *arg)
{
	bool own_thread = arg != NULL;
	nfp_result = goro_chan_make(sizeof(int), 0);
	if (nfp_result == NULL || goro_spawn(nfp_reader_fn, NULL) != GORO_OK)
		return 1;
	pthread_t t;
	if (own_thread && pthread_create(&t, NULL, nfp_writer_thread, NULL) != 0)
		return 2;
	int v = 0;
	if (goro_chan_recv(nfp_result, &v) != GORO_OK || v != 'x')
		return 3;
	if (own_thread)
		pthread_join(t, NULL);
	return 0;
}

static int nfp_blocking_thread_main(void *arg)
{
	(void)arg;
	return nfp_blocking_main((void *)1);
}

static int nfp_blocking_proc_main(void *arg)
{
	(void)arg;
	return nfp_blocking_main(NULL);
}

START_TEST(TestNoDeadlockBlockingCallThread)
{
	ck_assert_int_eq(pipe(nfp_pipe), 0);
	test_child c;
	test_run_child(2, nfp_blocking_thread_main, NULL, &c);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

START_TEST(TestNoDeadlockBlockingCallProcess)
{
	ck_assert_int_eq(pipe(nfp_pipe), 0);
	fflush(NULL);
	pid_t writer = fork();
	ck_assert_int_ne(writer, -1);
	if (writer == 0) {
		close(nfp_pipe[0]);
		usleep(200 * 1000);
		_exit(write(nfp_pipe[1], "x", 1) == 1 ? 0 : 1);
	}
	/* the goro child inherits both ends: only the read end is used there */
	test_child c;
	test_run_child(1, nfp_blocking_proc_main, NULL, &c);
	int ws;
	waitpid(writer, &ws, 0);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* ---- no false positive (c): a plain pthread, made before main blocks,
 * sends on a channel 300 ms later while main receives ---- */

static goro_chan *nfp_thread_chan;

static void *nfp_sender_thread(void *arg)
{
	(void)arg;
	usleep(300 * 1000);
	int v = 99;
	if (goro_chan_send(nfp_thread_chan, &v) != GORO_OK)
		_exit(8);
	return NULL;
}

static int nfp_thread_main(void *arg)
{
	(void)arg;
	nfp_thread_chan = goro_chan_make(sizeof(int), 0);
	if (nfp_thread_chan == NULL)
		return 1;
	pthread_t t;
	if (pthread_create(&t, NULL, nfp_sender_thread, NULL) != 0)
		return 2;
	int v = 0;
	if (goro_chan_recv(nfp_thread_chan, &v) != GORO_OK || v != 99)
		return 3;
	pthread_join(t, NULL);
	return 0;
}

START_TEST(TestNoDeadlockForeignThread)
{
	test_child c;
	test_run_child(1, nfp_thread_main, NULL, &c);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* The same with a thread the program started before goro_main: it is the
 * program's, not an emulator's, so it still counts. */
static _Atomic(goro_chan *) early_chan;

static void *early_sender_thread(void *arg)
{
	(void)arg;
	goro_chan *c;
	while ((c = atomic_load(&early_chan)) == NULL)
		usleep(1000);
	usleep(300 * 1000);
	int v = 99;
	if (goro_chan_send(c, &v) != GORO_OK)
		_exit(8);
	return NULL;
}

static void start_early_thread(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, early_sender_thread, NULL) != 0)
		_exit(9);
	pthread_detach(t);
}

static int early_thread_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	if (c == NULL)
		return 1;
	atomic_store(&early_chan, c);
	int v = 0;
	if (goro_chan_recv(c, &v) != GORO_OK || v != 99)
		return 3;
	return 0;
}

START_TEST(TestNoDeadlockThreadBeforeMain)
{
	test_child c;
	test_run_child(1, early_thread_main, start_early_thread, &c);
	test_expect_exit(&c, TEST_CHILD_RETURNED);
	ck_assert_msg(c.err[0] == '\0', "stderr:\n%s", c.err);
}
END_TEST

/* Keep main busy elsewhere (not checkdead-able) until the process dies. */
static int wait_for_death(void)
{
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		goro_sleep(10 * MS);
	return 3;
}

/* ---- any other SIGSEGV: named, listed, then the usual death ---- */

/* UBSan (SANITIZE=undefined) reports a store through NULL itself, before
 * the fault; there the test faults at 0x8, a page no one maps, instead. */
#ifdef GORO_UBSAN
#define BAD_ADDR "0x8"
static int *volatile null_ptr = (int *)8;
#else
#define BAD_ADDR "0x0"
static int *volatile null_ptr;
#endif

static void segv_fn(void *arg)
{
	(void)arg;
	test_child_report_id();
	*null_ptr = 1;
}

static int segv_main(void *arg)
{
	(void)arg;
	if (goro_spawn(segv_fn, NULL) != GORO_OK)
		return 1;
	return wait_for_death();
}

START_TEST(TestSegvNull)
{
	test_child c;
	test_run_child(2, segv_main, NULL, &c);
	char d[64];
#if defined(GORO_ASAN) || defined(GORO_TSAN)
	/* The sanitizer installed its SEGV handler before goro_main, so the
	 * fault is forwarded to it, as to any application's own (sigfwdgo). */
	ck_assert_msg(!c.hung && strstr(c.err, "Sanitizer: SEGV on unknown address") != NULL,
	              "child: %s, want the sanitizer's SEGV report; stderr:\n%s", test_child_describe(&c, d, sizeof d), c.err);
	return;
#endif
	ck_assert_msg(!c.hung && WIFSIGNALED(c.status) && WTERMSIG(c.status) == SIGSEGV,
	              "child: %s, want death by SIGSEGV; stderr:\n%s", test_child_describe(&c, d, sizeof d), c.err);
	ck_assert_msg(c.id[0] != '\0' && strcmp(c.id, "1") != 0, "goroutine id \"%s\"", c.id);
	char want[128];
	snprintf(want, sizeof want,
	         "goro: fatal error: unexpected signal SIGSEGV at address " BAD_ADDR " in goroutine %s", c.id);
	expect_first(&c, want);
	expect_listed(&c, "running");   /* the faulting one */
}
END_TEST

/* ---- SIGQUIT: goroutines in every waiting state, then main signals the
 * process; the listing shows each state ---- */

static atomic_int sq_ready;
static goro_waitgroup sq_wg = GORO_WAITGROUP_INIT;
static int sq_pipe[2] = { -1, -1 };

static void sq_recv_fn(void *arg)
{
	int v;
	atomic_fetch_add(&sq_ready, 1);
	goro_chan_recv(arg, &v);
}

static void sq_send_fn(void *arg)
{
	int v = 1;
	atomic_fetch_add(&sq_ready, 1);
	goro_chan_send(arg, &v);
}

static void sq_sleep_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add(&sq_ready, 1);
	goro_sleep(3600LL * 1000 * MS);
}

static void sq_select_fn(void *arg)
{
	int v;
	goro_case cs[2] = { { arg, GORO_RECV, &v, 0, { 0 } }, { NULL, GORO_SEND, &v, 0, { 0 } } };
	atomic_fetch_add(&sq_ready, 1);
	goro_select(cs, 2, -1);
}

static void sq_wg_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add(&sq_ready, 1);
	goro_wg_wait(&sq_wg);
}

static void sq_blocking_fn(void *arg)
{
	(void)arg;
	char b;
	atomic_fetch_add(&sq_ready, 1);
	goro_blocking_begin();
	while (read(sq_pipe[0], &b, 1) < 0 && errno == EINTR)
		;
	goro_blocking_end();
}

static int sigquit_main(void *arg)
{
	(void)arg;
	goro_chan *a = goro_chan_make(sizeof(int), 0);
	goro_chan *b = goro_chan_make(sizeof(int), 0);
	goro_chan *s = goro_chan_make(sizeof(int), 0);
	if (a == NULL || b == NULL || s == NULL || pipe(sq_pipe) != 0 || goro_wg_add(&sq_wg, 1) != GORO_OK)
		return 1;
	void (*fns[])(void *) = { sq_recv_fn, sq_send_fn, sq_sleep_fn, sq_select_fn, sq_wg_fn, sq_blocking_fn };
	void *args[] = { a, b, NULL, s, NULL, NULL };
	int n = (int)(sizeof fns / sizeof fns[0]);
	for (int i = 0; i < n; i++)
		if (goro_spawn(fns[i], args[i]) != GORO_OK)
			return 1;
	while (atomic_load(&sq_ready) < n)
		goro_yield();
	/* each flagged itself just before blocking: give them time to get there */
	goro_sleep(TEST_SCALE(200, 1000) * MS);
	kill(getpid(), SIGQUIT);
	/* the handler may run on another thread: stay running meanwhile */
	int64_t deadline = goro_now() + TEST_WAIT_NS;
	while (goro_now() < deadline)
		test_spin(1000);
	return 3;
}

START_TEST(TestSigquit)
{
	test_child c;
	test_run_child(2, sigquit_main, NULL, &c);
	test_expect_exit(&c, 2);
	expect_first(&c, "SIGQUIT: quit");
	expect_listed(&c, "chan receive");
	expect_listed(&c, "chan send");
	expect_listed(&c, "sleep");
	expect_listed(&c, "select");
	expect_listed(&c, "semacquire");
	expect_listed(&c, "blocking call");
	expect_listed(&c, "running");   /* main, in kill(2) */
}
END_TEST

static Suite *fatal_suite(void)
{
	Suite *s = suite_create("fatal");
	int t = TEST_SCALE(60, 240);

	TCase *td = tcase_create("deadlock");
	tcase_set_timeout(td, t);
	tcase_add_test(td, TestDeadlockChan);
	tcase_add_test(td, TestDeadlockChanProcs4);
	tcase_add_test(td, TestDeadlockSelect);
	tcase_add_test(td, TestDeadlockSelectNoCases);
	tcase_add_test(td, TestDeadlockWaitGroup);
	tcase_add_test(td, TestDeadlockMutex);
	suite_add_tcase(s, td);

	TCase *tn = tcase_create("nodeadlock");
	tcase_set_timeout(tn, t);
	tcase_add_test(tn, TestNoDeadlockTimer);
	tcase_add_test(tn, TestNoDeadlockSelectTimeout);
	tcase_add_test(tn, TestNoDeadlockBlockingCallThread);
	tcase_add_test(tn, TestNoDeadlockBlockingCallProcess);
	tcase_add_test(tn, TestNoDeadlockForeignThread);
	tcase_add_test(tn, TestNoDeadlockThreadBeforeMain);
	suite_add_tcase(s, tn);

	TCase *tf = tcase_create("fault");
	tcase_set_timeout(tf, t);
	tcase_add_test(tf, TestSegvNull);
	tcase_add_test(tf, TestSigquit);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	return test_run_suite(fatal_suite());
}
