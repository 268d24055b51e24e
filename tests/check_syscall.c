/* Blocking-call tests: a goroutine blocked in a real system call between
 * goro_blocking_begin/end loses its P to another thread (sysmon's retake +
 * handoffp) so other goroutines keep running, and gets a P back afterwards.
 * Pairs with the entersyscall/exitsyscall/retake part of core/proc.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#define SEC (1000LL * MS)

/* Most tests block a goroutine in read(2) on an empty pipe on procs=1 and
 * let another goroutine write the byte that unblocks it: that goroutine can
 * run only if the blocked one's P was handed to another thread. So that a
 * broken handoff fails with a message rather than a hang, a watchdog
 * pthread writes 'W' into the pipe after WATCHDOG_NS; the reader then sees
 * 'W' instead of the goroutine's 'X'. */
#define WATCHDOG_NS TEST_SCALE(5 * SEC, 20 * SEC)

struct watchdog {
	pthread_t th;
	int fd;
	atomic_int stop;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void *watchdog_run(void *arg)
{
	struct watchdog *w = arg;
	int64_t deadline = mono_ns() + WATCHDOG_NS;
	while (!atomic_load(&w->stop)) {
		if (mono_ns() > deadline) {
			char b = 'W';
			if (write(w->fd, &b, 1) != 1)
				abort();
			return NULL;
		}
		usleep(5000);
	}
	return NULL;
}

static void watchdog_start(struct watchdog *w, int fd)
{
	w->fd = fd;
	atomic_store(&w->stop, 0);
	ck_assert_int_eq(pthread_create(&w->th, NULL, watchdog_run, w), 0);
}

/* Called from a goroutine: a plain pthread_join would block its thread,
 * so wrap it too (the watchdog notices stop within 5 ms). */
static void watchdog_stop(struct watchdog *w)
{
	atomic_store(&w->stop, 1);
	goro_blocking_begin();
	pthread_join(w->th, NULL);
	goro_blocking_end();
}

/* read(2) one byte from fd inside begin/end; 0 on error. */
static char blocking_read_byte(int fd)
{
	char b = 0;
	ssize_t n;
	goro_blocking_begin();
	do
		n = read(fd, &b, 1);
	while (n < 0 && errno == EINTR);
	goro_blocking_end();
	return n == 1 ? b : 0;
}

static void write_byte(int fd, char b)
{
	ck_assert_int_eq(write(fd, &b, 1), 1);
}

/* ---- TestBlockingReadHandoff: procs=1. The reader blocks in read; the
 * main goroutine (then on another thread) spawns a worker that does some
 * work and writes the byte. The worker ran on another OS thread than the
 * blocked reader; after goro_blocking_end the reader runs again and its
 * channel operations work. ---- */

static int hr_pipe[2];
static atomic_int hr_reader_in, hr_reader_out, hr_worker_done;
static atomic_long hr_reader_tid, hr_worker_tid;
static atomic_int hr_byte;
static goro_chan *hr_c;

static void hr_reader(void *arg)
{
	(void)arg;
	atomic_store(&hr_reader_tid, test_gettid());
	atomic_store(&hr_reader_in, 1);
	char b = blocking_read_byte(hr_pipe[0]);
	atomic_store(&hr_byte, b);
	atomic_store(&hr_reader_out, 1);
	/* back on a P: channel operations park and wake as usual */
	int v = 42;
	ck_assert_int_eq(goro_chan_send(hr_c, &v), GORO_OK);
	ck_assert_int_eq(goro_chan_recv(hr_c, &v), GORO_OK);
	ck_assert_int_eq(v, 7);
	goro_yield();
	v = 43;
	ck_assert_int_eq(goro_chan_send(hr_c, &v), GORO_OK);
}

static void hr_worker(void *arg)
{
	(void)arg;
	atomic_store(&hr_worker_tid, test_gettid());
	test_spin(100000);
	/* procs=1: we run only because the reader's P was handed off */
	ck_assert_msg(!atomic_load(&hr_reader_out), "reader returned without the byte");
	write_byte(hr_pipe[1], 'X');
	atomic_store(&hr_worker_done, 1);
}

GORO_TEST(TestBlockingReadHandoff, 1)
{
	struct watchdog w;
	ck_assert_int_eq(pipe(hr_pipe), 0);
	hr_c = goro_chan_make(sizeof(int), 0);
	ck_assert_ptr_nonnull(hr_c);
	watchdog_start(&w, hr_pipe[1]);
	ck_assert_int_eq(goro_spawn(hr_reader, NULL), GORO_OK);
	/* procs=1: once we see the flag, the reader has left the P in read */
	ck_assert(test_wait_flag(&hr_reader_in));
	ck_assert_int_eq(goro_spawn(hr_worker, NULL), GORO_OK);
	int v = 0;
	ck_assert_int_eq(goro_chan_recv(hr_c, &v), GORO_OK);
	ck_assert_int_eq(v, 42);
	ck_assert_msg(atomic_load(&hr_byte) == 'X',
	              "reader got '%c' from the watchdog: nothing ran while it was blocked",
	              (char)atomic_load(&hr_byte));
	ck_assert(atomic_load(&hr_worker_done));
	ck_assert_msg(atomic_load(&hr_worker_tid) != atomic_load(&hr_reader_tid),
	              "worker ran on the blocked reader's thread %ld",
	              atomic_load(&hr_reader_tid));
	v = 7;
	ck_assert_int_eq(goro_chan_send(hr_c, &v), GORO_OK);
	ck_assert_int_eq(goro_chan_recv(hr_c, &v), GORO_OK);
	ck_assert_int_eq(v, 43);
	watchdog_stop(&w);
	return 0;
}

/* ---- TestBlockingPingPong: procs=1, two goroutines pass a byte back and
 * forth through two pipes, each blocking in read between turns: every turn
 * needs a handoff, and every goro_blocking_end finds a P again. ---- */

#define PP_ROUNDS TEST_SCALE(200, 50)
static int pp_ab[2], pp_ba[2];
static atomic_long pp_done;
static atomic_int pp_bad;

static void pp_a(void *arg)
{
	(void)arg;
	for (int i = 0; i < PP_ROUNDS; i++) {
		write_byte(pp_ab[1], 'X');
		if (blocking_read_byte(pp_ba[0]) != 'X') {
			atomic_store(&pp_bad, 1);   /* the watchdog's: stop */
			break;
		}
	}
	atomic_fetch_add(&pp_done, 1);
}

static void pp_b(void *arg)
{
	(void)arg;
	for (int i = 0; i < PP_ROUNDS; i++) {
		if (blocking_read_byte(pp_ab[0]) != 'X') {
			atomic_store(&pp_bad, 1);
			break;
		}
		write_byte(pp_ba[1], 'X');
	}
	atomic_fetch_add(&pp_done, 1);
}

GORO_TEST(TestBlockingPingPong, 1)
{
	struct watchdog w1, w2;
	ck_assert_int_eq(pipe(pp_ab), 0);
	ck_assert_int_eq(pipe(pp_ba), 0);
	watchdog_start(&w1, pp_ab[1]);
	watchdog_start(&w2, pp_ba[1]);
	ck_assert_int_eq(goro_spawn(pp_b, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(pp_a, NULL), GORO_OK);
	ck_assert_msg(test_wait_atleast(&pp_done, 2), "ping-pong stuck");
	ck_assert_msg(!atomic_load(&pp_bad), "a read was ended by the watchdog: no handoff");
	watchdog_stop(&w1);
	watchdog_stop(&w2);
	return 0;
}

/* ---- TestBlockingSleepsParallel: procs=2, 8 goroutines each block in
 * usleep(20 ms) inside begin/end while a counter goroutine keeps counting.
 * Without the handoff a blocked thread keeps its P, so at most 2 sleepers
 * are ever inside their calls at once, and while 2 are, nothing else runs.
 * With it, more than 2 sleep at once on separate threads, the counter
 * counts on while 2 or more sleep. The total time is printed, not
 * asserted: 2 at a time would take 80 ms, all 8 at once 20, and a loaded
 * machine has made the second take 132. ---- */

#define SL_G 8
#define SL_NS (20 * MS)
static atomic_int sl_stop;
static atomic_long sl_count, sl_count_during, sl_done, sl_inside, sl_maxinside;

static void sl_counter(void *arg)
{
	(void)arg;
	while (!atomic_load(&sl_stop)) {
		atomic_fetch_add(&sl_count, 1);
		if (atomic_load(&sl_inside) >= 2)
			atomic_fetch_add(&sl_count_during, 1);
		goro_yield();
	}
}

static void sl_sleeper(void *arg)
{
	(void)arg;
	goro_blocking_begin();
	/* plain atomics only: no goro call inside the pair */
	long in = atomic_fetch_add(&sl_inside, 1) + 1;
	long max = atomic_load(&sl_maxinside);
	while (in > max && !atomic_compare_exchange_weak(&sl_maxinside, &max, in))
		;
	usleep(SL_NS / 1000);
	atomic_fetch_sub(&sl_inside, 1);
	goro_blocking_end();
	atomic_fetch_add_explicit(&sl_done, 1, memory_order_release);
}

GORO_TEST(TestBlockingSleepsParallel, 2)
{
	ck_assert_int_eq(goro_spawn(sl_counter, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&sl_count, 100));   /* counting */
	/* sysmon backs off to 10 ms ticks when idle and needs two ticks to
	 * retake a P: one blocking call of our own first, long enough to be
	 * retaken, so that sysmon is awake (20 us ticks) when the sleepers
	 * start. */
	goro_blocking_begin();
	usleep(30 * 1000);
	goro_blocking_end();
	int64_t t0 = goro_now();
	for (int i = 0; i < SL_G; i++)
		ck_assert_int_eq(goro_spawn(sl_sleeper, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&sl_done, SL_G));
	int64_t elapsed = goro_now() - t0;
	atomic_store(&sl_stop, 1);
	long maxin = atomic_load(&sl_maxinside);
	long during = atomic_load(&sl_count_during);
	/* Either shows the handoff; a broken one fails both, always. Under
	 * heavy load or qemu one of them alone can miss. */
	ck_assert_msg(maxin > 2 || during > 0,
	              "no handoff: at most %ld sleepers were in their calls at once, "
	              "and the counter stood still while two were", maxin);
	printf("TestBlockingSleepsParallel: %d sleeps of 20 ms took %lld ms, at most %ld at once\n",
	       SL_G, (long long)(elapsed / MS), maxin);
	return 0;
}

/* ---- TestBlockingNested: begin, begin, end (inner: nothing yet), a
 * blocking read still inside the outer pair, end. The read needs the
 * handoff, so the inner end must not have taken the P back. ---- */

static int nest_pipe[2];
static atomic_int nest_in, nest_byte, nest_out;

static void nest_reader(void *arg)
{
	(void)arg;
	char b = 0;
	goro_blocking_begin();
	goro_blocking_begin();
	goro_blocking_end();
	atomic_store(&nest_in, 1);   /* still inside the outer pair */
	ssize_t n;
	do
		n = read(nest_pipe[0], &b, 1);
	while (n < 0 && errno == EINTR);
	goro_blocking_end();
	atomic_store(&nest_byte, n == 1 ? b : 0);
	goro_yield();   /* a goroutine again */
	atomic_store(&nest_out, 1);
}

GORO_TEST(TestBlockingNested, 1)
{
	struct watchdog w;
	ck_assert_int_eq(pipe(nest_pipe), 0);
	watchdog_start(&w, nest_pipe[1]);
	ck_assert_int_eq(goro_spawn(nest_reader, NULL), GORO_OK);
	ck_assert(test_wait_flag(&nest_in));
	write_byte(nest_pipe[1], 'X');
	ck_assert(test_wait_flag(&nest_out));
	ck_assert_msg(atomic_load(&nest_byte) == 'X',
	              "reader got '%c': nothing ran while it was blocked",
	              (char)atomic_load(&nest_byte));
	watchdog_stop(&w);
	return 0;
}

/* ---- TestBlockingEndWithoutBegin: a stray goro_blocking_end does
 * nothing: the goroutine keeps running, and a later begin/end pair around
 * a blocking read still hands the P off and takes one back. ---- */

static int ewb_pipe[2];
static atomic_int ewb_in, ewb_byte, ewb_out;

static void ewb_reader(void *arg)
{
	(void)arg;
	goro_blocking_end();
	goro_blocking_end();
	goro_yield();
	atomic_store(&ewb_in, 1);
	atomic_store(&ewb_byte, blocking_read_byte(ewb_pipe[0]));
	goro_yield();
	atomic_store(&ewb_out, 1);
}

GORO_TEST(TestBlockingEndWithoutBegin, 1)
{
	struct watchdog w;
	goro_blocking_end();   /* on the main goroutine too */
	ck_assert_int_eq(pipe(ewb_pipe), 0);
	watchdog_start(&w, ewb_pipe[1]);
	ck_assert_int_eq(goro_spawn(ewb_reader, NULL), GORO_OK);
	ck_assert(test_wait_flag(&ewb_in));
	write_byte(ewb_pipe[1], 'X');
	ck_assert(test_wait_flag(&ewb_out));
	ck_assert_msg(atomic_load(&ewb_byte) == 'X',
	              "reader got '%c': nothing ran while it was blocked",
	              (char)atomic_load(&ewb_byte));
	watchdog_stop(&w);
	return 0;
}

/* ---- TestBlockingForeignThread: on a plain pthread begin and end do
 * nothing, balanced or not; the thread's channel send afterwards works.
 * Meanwhile the main goroutine is blocked in read on procs=1, and the
 * goroutine that receives the pthread's value writes its byte: that needs
 * the handoff. ---- */

static int ft_pipe[2];
static goro_chan *ft_c;
static atomic_int ft_thread_ok;

static void *ft_thread(void *arg)
{
	(void)arg;
	goro_blocking_begin();
	goro_blocking_end();
	goro_blocking_end();
	goro_blocking_begin();
	goro_blocking_begin();
	usleep(1000);
	int v = 99;
	if (goro_chan_send(ft_c, &v) != GORO_OK)
		return NULL;
	goro_blocking_end();
	atomic_store(&ft_thread_ok, 1);
	return NULL;
}

static void ft_relay(void *arg)
{
	(void)arg;
	int v = 0;
	ck_assert_int_eq(goro_chan_recv(ft_c, &v), GORO_OK);
	ck_assert_int_eq(v, 99);
	write_byte(ft_pipe[1], 'X');
}

GORO_TEST(TestBlockingForeignThread, 1)
{
	struct watchdog w;
	ck_assert_int_eq(pipe(ft_pipe), 0);
	ft_c = goro_chan_make(sizeof(int), 0);
	ck_assert_ptr_nonnull(ft_c);
	watchdog_start(&w, ft_pipe[1]);
	ck_assert_int_eq(goro_spawn(ft_relay, NULL), GORO_OK);
	goro_yield();   /* the relay parks in recv */
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, ft_thread, NULL), 0);
	char b = blocking_read_byte(ft_pipe[0]);
	ck_assert_msg(b == 'X', "read '%c': the relay did not run while main was blocked", b);
	goro_blocking_begin();
	pthread_join(th, NULL);
	goro_blocking_end();
	ck_assert(atomic_load(&ft_thread_ok));
	watchdog_stop(&w);
	return 0;
}

static Suite *syscall_suite(void)
{
	Suite *s = suite_create("syscall");
	TCase *tc = tcase_create("blocking");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, TestBlockingReadHandoff);
	tcase_add_test(tc, TestBlockingPingPong);
	tcase_add_test(tc, TestBlockingSleepsParallel);
	tcase_add_test(tc, TestBlockingNested);
	tcase_add_test(tc, TestBlockingEndWithoutBegin);
	tcase_add_test(tc, TestBlockingForeignThread);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return test_run_suite(syscall_suite());
}
