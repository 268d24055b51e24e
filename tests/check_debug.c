/* GORO_DEBUG, goro's GODEBUG: schedtrace=MS prints a scheduler summary
 * line every MS milliseconds, migrate=1 readies every parked goroutine
 * through the global queue so it tends to change threads, and an unknown
 * key is warned about. Pairs with parsedebugvars and schedtrace in
 * core/proc.c. Each case runs in a child whose stderr is parsed. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goro.h"
#include "testutil.h"

/* What the child sets GORO_DEBUG to, before goro_main reads it. */
static const char *debug_env;

static void set_debug_env(void)
{
	setenv("GORO_DEBUG", debug_env, 1);
}

/* Run fn under goro_main in a child with GORO_DEBUG=debug and procs=2;
 * fails unless its goro_main returned. Returns fn's result. */
static int run_debug(const char *debug, int (*fn)(void *), test_child *c)
{
	debug_env = debug;
	test_run_child(2, fn, set_debug_env, c);
	char d[64];
	ck_assert_msg(test_child_result(c) >= 0, "child: %s; stderr: %s",
	              test_child_describe(c, d, sizeof d), c->err);
	return test_child_result(c);
}

static goro_chan *ping, *pong;

static void ponger(void *arg)
{
	(void)arg;
	int v;
	while (goro_chan_recv(ping, &v) == GORO_OK)
		goro_chan_send(pong, &v);
}

static int busy_main(void *arg)
{
	(void)arg;
	ping = goro_chan_make(sizeof(int), 0);
	pong = goro_chan_make(sizeof(int), 0);
	goro_spawn(ponger, NULL);
	int64_t end = goro_now() + 300 * MS;
	for (int i = 0; goro_now() < end; i++) {
		goro_chan_send(ping, &i);
		goro_chan_recv(pong, &i);
	}
	goro_chan_close(ping);
	return 0;
}

START_TEST(TestSchedtrace)
{
	test_child c;
	ck_assert_int_eq(run_debug("schedtrace=10", busy_main, &c), 0);
	int lines = 0, last_ms = -1;
	for (char *l = strtok(c.err, "\n"); l != NULL; l = strtok(NULL, "\n")) {
		if (strncmp(l, "SCHED ", 6) != 0)
			continue;
		int ms, procs, idle, threads, spinning, idlethreads, runq, consumed = 0;
		int got = sscanf(l, "SCHED %dms: gomaxprocs=%d idleprocs=%d threads=%d spinningthreads=%d "
		                 "idlethreads=%d runqueue=%d [%n", &ms, &procs, &idle, &threads, &spinning,
		                 &idlethreads, &runq, &consumed);
		ck_assert_msg(got == 7 && consumed > 0, "unparsable: %s", l);
		ck_assert_int_eq(procs, 2);
		ck_assert(idle >= 0 && idle <= procs);
		ck_assert(threads >= 1 && spinning >= 0 && spinning <= threads);
		ck_assert(idlethreads >= 0 && idlethreads <= threads && runq >= 0);
		ck_assert_msg(ms >= last_ms, "time went back: %s", l);
		last_ms = ms;
		/* one run-queue length per P, then the goroutine count */
		char *q = l + consumed;
		int lens = 0, len, adv;
		while (sscanf(q, "%d%n", &len, &adv) == 1) {
			ck_assert(len >= 0);
			lens++;
			q += adv;
			while (*q == ' ')
				q++;
		}
		ck_assert_int_eq(lens, procs);
		int ngo;
		ck_assert_msg(sscanf(q, "] goroutines=%d", &ngo) == 1, "no goroutine count: %s", l);
		ck_assert_msg(ngo >= 1 && ngo <= 3, "goroutines=%d: %s", ngo, l);
		lines++;
	}
	/* 30 are due; a loaded machine may delay sysmon a lot, not that much */
	ck_assert_msg(lines >= 3, "only %d SCHED lines in 300 ms at 10 ms", lines);
}
END_TEST

static int quiet_main(void *arg)
{
	(void)arg;
	return 0;
}

START_TEST(TestDebugUnknownKey)
{
	test_child c;
	ck_assert_int_eq(run_debug("nosuchknob=1,schedtrace=x", quiet_main, &c), 0);
	ck_assert_msg(strstr(c.err, "goro: GORO_DEBUG: ignoring unknown key nosuchknob=1") != NULL, "%s", c.err);
	ck_assert_msg(strstr(c.err, "goro: GORO_DEBUG: ignoring bad value in schedtrace=x") != NULL, "%s", c.err);
	ck_assert_msg(strstr(c.err, "SCHED") == NULL, "a bad value must not turn schedtrace on: %s", c.err);
}
END_TEST

/* With migrate=1 a goroutine resumes on another thread after every park.
 * A sleep always parks (a ping-pong round need not: the peer may be there
 * already), so 500 sleeps must be 500 moves. */
#define MIGRATE_PARKS 500

static int migrate_main(void *arg)
{
	(void)arg;
	long last = test_gettid();
	int moves = 0;
	for (int i = 0; i < MIGRATE_PARKS; i++) {
		goro_sleep(1000);
		long t = test_gettid();
		moves += t != last;
		last = t;
	}
	fprintf(stderr, "migrations=%d of %d\n", moves, MIGRATE_PARKS);
	return moves == MIGRATE_PARKS ? 0 : 1;
}

START_TEST(TestMigrate)
{
	test_child c;
	int r = run_debug("migrate=1", migrate_main, &c);
	ck_assert_msg(r == 0, "main goroutine stayed on its thread across parks: %s", c.err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("debug");
	TCase *tc = tcase_create("godebug");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, TestSchedtrace);
	tcase_add_test(tc, TestDebugUnknownKey);
	tcase_add_test(tc, TestMigrate);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
