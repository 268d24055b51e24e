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
#include <sys/wait.h>
#include <unistd.h>

#include "goro.h"
#include "testutil.h"

#define MS (1000 * 1000LL)

/* Run fn under goro_main in a child with GORO_DEBUG=debug and procs=2;
 * collect its stderr into err. Returns the child's exit status. */
static int run_child(const char *debug, int (*fn)(void *), char *err, size_t errsz)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		setenv("GORO_DEBUG", debug, 1);
		goro_config cfg = { .procs = 2 };
		_exit(goro_main(&cfg, fn, NULL));
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < errsz && (r = read(fds[0], err + n, errsz - 1 - n)) > 0)
		n += (size_t)r;
	err[n] = '\0';
	close(fds[0]);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "child died: status %d; stderr: %s", st, err);
	return WEXITSTATUS(st);
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
	int64_t end = goro_now() + 80 * MS;
	for (int i = 0; goro_now() < end; i++) {
		goro_chan_send(ping, &i);
		goro_chan_recv(pong, &i);
	}
	goro_chan_close(ping);
	return 0;
}

START_TEST(TestSchedtrace)
{
	static char err[1 << 16];
	ck_assert_int_eq(run_child("schedtrace=10", busy_main, err, sizeof err), 0);
	int lines = 0, last_ms = -1;
	for (char *l = strtok(err, "\n"); l != NULL; l = strtok(NULL, "\n")) {
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
	ck_assert_msg(lines >= 3, "only %d SCHED lines in 80 ms at 10 ms", lines);
}
END_TEST

static int quiet_main(void *arg)
{
	(void)arg;
	return 0;
}

START_TEST(TestDebugUnknownKey)
{
	char err[4096];
	ck_assert_int_eq(run_child("nosuchknob=1,schedtrace=x", quiet_main, err, sizeof err), 0);
	ck_assert_msg(strstr(err, "goro: GORO_DEBUG: ignoring unknown key nosuchknob=1") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "goro: GORO_DEBUG: ignoring bad value in schedtrace=x") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "SCHED") == NULL, "a bad value must not turn schedtrace on: %s", err);
}
END_TEST

/* With migrate=1 a goroutine that parks and is readied 2,000 times resumes
 * on another thread every time (without it, ping-pong stays put: a handful
 * of moves at most). */
static int migrate_main(void *arg)
{
	(void)arg;
	ping = goro_chan_make(sizeof(int), 0);
	pong = goro_chan_make(sizeof(int), 0);
	goro_spawn(ponger, NULL);
	long last = test_gettid();
	int moves = 0;
	for (int i = 0; i < 2000; i++) {
		goro_chan_send(ping, &i);
		goro_chan_recv(pong, &i);
		long t = test_gettid();
		moves += t != last;
		last = t;
	}
	goro_chan_close(ping);
	fprintf(stderr, "migrations=%d\n", moves);
	return moves >= 1900 ? 0 : 1;
}

START_TEST(TestMigrate)
{
	char err[4096];
	int st = run_child("migrate=1", migrate_main, err, sizeof err);
	ck_assert_msg(st == 0, "main goroutine stayed on its thread across parks: %s", err);
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
