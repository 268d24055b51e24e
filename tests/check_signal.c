/* The fault handler and the application's own: a SIGSEGV handler installed
 * before goro_main still gets the faults that are not goro's (Go's
 * sigfwdgo), here an application that maps a page on first touch, while a
 * guard hit stays goro's stack-overflow report. Pairs with
 * host/posix/signal.c. Each case runs in a child process. */
#include <check.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "goro.h"
#include "testutil.h"

static char *lazy_page;          /* PROT_NONE until the app's handler opens it */
static atomic_int app_faults;

/* The application's handler: a fault on lazy_page makes it writable and
 * returns, so the store runs again; anything else is not its business. */
static void app_segv(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	char *a = info->si_addr;
	long pg = sysconf(_SC_PAGESIZE);
	if (a >= lazy_page && a < lazy_page + pg &&
	    mprotect(lazy_page, (size_t)pg, PROT_READ | PROT_WRITE) == 0) {
		atomic_fetch_add(&app_faults, 1);
		return;
	}
	signal(sig, SIG_DFL);
}

static void install_app_handler(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	lazy_page = mmap(NULL, (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lazy_page == MAP_FAILED)
		_exit(5);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = app_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) != 0)
		_exit(6);
}

static atomic_int stored;

static void toucher(void *arg)
{
	goro_waitgroup *wg = arg;
	*(volatile char *)(lazy_page + 7) = 42;
	atomic_store(&stored, lazy_page[7]);
	goro_wg_done(wg);
}

static int lazy_main(void *arg)
{
	(void)arg;
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_wg_add(&wg, 1);
	if (goro_spawn(toucher, &wg) != GORO_OK)
		return 1;
	goro_wg_wait(&wg);
	if (atomic_load(&stored) != 42)
		return 2;
	return atomic_load(&app_faults) == 1 ? 0 : 3;
}

/* issue 12: goro's handler used to replace the application's, so this
 * child died of SIGSEGV with goro's "unexpected signal" report. */
START_TEST(TestSigsegvChainsToAppHandler)
{
	test_child c;
	char d[64];
	test_run_child(2, lazy_main, install_app_handler, &c);
	ck_assert_msg(test_child_result(&c) == 0, "child: %s (result %d); stderr:\n%s",
	              test_child_describe(&c, d, sizeof d), test_child_result(&c), c.err);
}
END_TEST

/* With the application's handler installed, a stack overflow is still
 * goro's: exit 2 and the stack-overflow line. */
static volatile long deep_limit = 1L << 40;

static __attribute__((noinline)) long deep(long depth)
{
	volatile char pad[256];
	pad[0] = (char)depth;
	long r = depth;
	if (depth < deep_limit)
		r = deep(depth + 1);
	return r + pad[0];
}

static void overflow_fn(void *arg)
{
	(void)arg;
	deep(0);
}

static int overflow_main(void *arg)
{
	(void)arg;
	if (goro_spawn(overflow_fn, NULL) != GORO_OK)
		return 1;
	goro_sleep(TEST_WAIT_NS);
	return 2;
}

START_TEST(TestOverflowStaysGoros)
{
	test_child c;
	char d[64];
	test_run_child(2, overflow_main, install_app_handler, &c);
	ck_assert_msg(!c.hung && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2,
	              "child: %s, want exit 2; stderr:\n%s", test_child_describe(&c, d, sizeof d), c.err);
	static const char prefix[] = "goro: fatal error: stack overflow in goroutine ";
	ck_assert_msg(strncmp(c.first, prefix, sizeof prefix - 1) == 0, "first line \"%s\"", c.first);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signal");
	TCase *tc = tcase_create("chain");
	tcase_set_timeout(tc, TEST_SCALE(60, 240));
	tcase_add_test(tc, TestSigsegvChainsToAppHandler);
	tcase_add_test(tc, TestOverflowStaysGoros);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
