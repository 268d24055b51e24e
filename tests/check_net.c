/* Netpoll tests: descriptors waited on by parked goroutines (core/netpoll.c,
 * fd_unix.c, fd_mutex.c, net.c; Go's netpoll.go and internal/poll). Echo
 * over TCP, unix sockets and pipes; EOF versus reset; a big write to a slow
 * reader; deadlines; close while parked; many acceptors; connect refused
 * and timing out; goro_poll; select over channels and descriptors; regular
 * files; thousands of idle connections on few threads; foreign threads;
 * deadlock detection with descriptors; bad input. Loopback only. */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "testutil.h"

static int port_of(goro_fd l)
{
	int p = goro_fd_port(l);
	ck_assert_msg(p > 0, "goro_fd_port: %s", goro_strerror(p));
	return p;
}

static goro_fd listen_tcp(int *port)
{
	goro_fd l;
	int st = goro_listen("tcp", "127.0.0.1:0", &l);
	ck_assert_msg(st == GORO_OK, "listen: %s", goro_strerror(st));
	*port = port_of(l);
	return l;
}

static goro_fd dial_tcp(int port)
{
	char a[64];
	snprintf(a, sizeof a, "127.0.0.1:%d", port);
	goro_fd c;
	int st = goro_dial("tcp", a, 5000 * MS, &c);
	ck_assert_msg(st == GORO_OK, "dial %s: %s", a, goro_strerror(st));
	return c;
}

/* Read exactly len bytes (io.ReadFull). */
static int read_full(goro_fd f, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		size_t n;
		int st = goro_read(f, (char *)buf + got, len - got, &n);
		if (st != GORO_OK)
			return st;
		got += n;
	}
	return GORO_OK;
}

/* An echo server goroutine for one connection: until EOF, then close. */
static void echo_conn(void *arg)
{
	goro_fd c = *(goro_fd *)arg;
	char buf[4096];
	for (;;) {
		size_t n;
		int st = goro_read(c, buf, sizeof buf, &n);
		if (st != GORO_OK)
			break;
		if (goro_write(c, buf, n, NULL) != GORO_OK)
			break;
	}
	goro_fd_close(c);
}

/* Accepts until the listener is closed, an echo goroutine each. */
static atomic_long srv_accepted;

static void echo_server(void *arg)
{
	goro_fd l = *(goro_fd *)arg;
	for (;;) {
		goro_fd c;
		if (goro_accept(l, &c, NULL, NULL) != GORO_OK)
			return;
		atomic_fetch_add(&srv_accepted, 1);
		ck_assert_int_eq(goro_spawn_copy(echo_conn, &c, sizeof c), GORO_OK);
	}
}

/* Send 100 messages of varying size through c and expect them back. */
static void echo_roundtrips(goro_fd c)
{
	char out[3000], in[3000];
	for (int i = 0; i < 100; i++) {
		size_t len = 1 + (size_t)(i * 37) % sizeof out;
		for (size_t k = 0; k < len; k++)
			out[k] = (char)(i + k);
		size_t n;
		ck_assert_int_eq(goro_write(c, out, len, &n), GORO_OK);
		ck_assert_uint_eq(n, len);
		ck_assert_int_eq(read_full(c, in, len), GORO_OK);
		ck_assert(memcmp(in, out, len) == 0);
	}
}

/* ---- TestEchoTCP / Unix / Pipe ---- */

GORO_TEST(TestEchoTCP, 1 + _i)
{
	int port;
	goro_fd l = listen_tcp(&port);
	ck_assert_int_eq(goro_spawn_copy(echo_server, &l, sizeof l), GORO_OK);
	goro_fd c = dial_tcp(port);
	echo_roundtrips(c);
	/* after our close the server reads EOF and closes; a second client works too */
	ck_assert_int_eq(goro_fd_close(c), GORO_OK);
	ck_assert_int_eq(goro_fd_close(c), GORO_CLOSED);
	goro_fd c2 = dial_tcp(port);
	echo_roundtrips(c2);
	ck_assert_int_eq(goro_fd_close(c2), GORO_OK);
	/* a name, resolved in a blocking call ("tcp4": the listener is IPv4) */
	char a[64];
	snprintf(a, sizeof a, "localhost:%d", port);
	goro_fd c3;
	int st = goro_dial("tcp4", a, 5000 * MS, &c3);
	ck_assert_msg(st == GORO_OK, "dial %s: %s", a, goro_strerror(st));
	echo_roundtrips(c3);
	ck_assert_int_eq(goro_fd_close(c3), GORO_OK);

	ck_assert_int_eq(goro_fd_close(l), GORO_OK);
	return 0;
}

static char unix_path[108];

GORO_TEST(TestEchoUnix, 2)
{
	snprintf(unix_path, sizeof unix_path, "/tmp/goro-check-net-%d.sock", (int)getpid());
	unlink(unix_path);
	goro_fd l;
	ck_assert_int_eq(goro_listen("unix", unix_path, &l), GORO_OK);
	ck_assert_int_eq(goro_spawn_copy(echo_server, &l, sizeof l), GORO_OK);
	goro_fd c;
	ck_assert_int_eq(goro_dial("unix", unix_path, 0, &c), GORO_OK);
	echo_roundtrips(c);
	goro_fd_close(c);
	/* Linux's abstract namespace, '@' as in Go */
	char abs[64];
	snprintf(abs, sizeof abs, "@goro-check-net-%d", (int)getpid());
	goro_fd l2, c2;
	ck_assert_int_eq(goro_listen("unix", abs, &l2), GORO_OK);
	ck_assert_int_eq(goro_spawn_copy(echo_server, &l2, sizeof l2), GORO_OK);
	ck_assert_int_eq(goro_dial("unix", abs, 0, &c2), GORO_OK);
	echo_roundtrips(c2);
	goro_fd_close(c2);
	goro_fd_close(l2);
	/* the listener's close removes the file it made (UnixListener.Close),
	 * so the path can be listened on again */
	struct stat st;
	ck_assert_int_eq(stat(unix_path, &st), 0);
	goro_fd_close(l);
	ck_assert_msg(stat(unix_path, &st) < 0 && errno == ENOENT, "%s still there after close", unix_path);
	ck_assert_int_eq(goro_listen("unix", unix_path, &l), GORO_OK);
	int sysfd;
	ck_assert_int_eq(goro_fd_detach(l, &sysfd), GORO_OK);   /* a detached one keeps it */
	ck_assert_int_eq(stat(unix_path, &st), 0);
	close(sysfd);
	unlink(unix_path);
	return 0;
}

/* Two pipes, a goroutine copying one to the other. */
struct pipe_pair { goro_fd in, out; };

static void pipe_copier(void *arg)
{
	struct pipe_pair p = *(struct pipe_pair *)arg;
	char buf[512];   /* smaller than the messages: many short reads */
	for (;;) {
		size_t n;
		if (goro_read(p.in, buf, sizeof buf, &n) != GORO_OK)
			break;
		ck_assert_int_eq(goro_write(p.out, buf, n, NULL), GORO_OK);
	}
	goro_fd_close(p.out);
	goro_fd_close(p.in);
}

GORO_TEST(TestEchoPipe, 1 + _i)
{
	int a[2], b[2];
	ck_assert_int_eq(pipe(a), 0);
	ck_assert_int_eq(pipe(b), 0);
	goro_fd aw, ar, bw, br;
	ck_assert_int_eq(goro_fd_open(a[0], &ar), GORO_OK);
	ck_assert_int_eq(goro_fd_open(a[1], &aw), GORO_OK);
	ck_assert_int_eq(goro_fd_open(b[0], &br), GORO_OK);
	ck_assert_int_eq(goro_fd_open(b[1], &bw), GORO_OK);
	ck_assert(fcntl(a[0], F_GETFL) & O_NONBLOCK);   /* FD.Init set it */
	struct pipe_pair p = { ar, bw };
	ck_assert_int_eq(goro_spawn_copy(pipe_copier, &p, sizeof p), GORO_OK);
	char out[3000], in[3000];
	for (int i = 0; i < 50; i++) {
		size_t len = 1 + (size_t)(i * 61) % sizeof out;
		memset(out, 'a' + i % 26, len);
		ck_assert_int_eq(goro_write(aw, out, len, NULL), GORO_OK);
		ck_assert_int_eq(read_full(br, in, len), GORO_OK);
		ck_assert(memcmp(in, out, len) == 0);
	}
	goro_fd_close(aw);   /* the copier sees EOF, closes bw: we see EOF */
	size_t n = 9;
	ck_assert_int_eq(goro_read(br, in, sizeof in, &n), GORO_EOF);
	ck_assert_uint_eq(n, 0);
	goro_fd_close(br);
	return 0;
}

/* ---- TestEOFReset: a graceful close reads as EOF, an abortive one (linger
 * 0: RST) as ERRNO(ECONNRESET); writing to a gone pipe is EPIPE, no signal ---- */

GORO_TEST(TestEOFReset, 2)
{
	int port;
	goro_fd l = listen_tcp(&port);
	goro_fd c = dial_tcp(port), s;
	ck_assert_int_eq(goro_accept(l, &s, NULL, NULL), GORO_OK);
	ck_assert_int_eq(goro_write(s, "bye", 3, NULL), GORO_OK);
	ck_assert_int_eq(goro_fd_close(s), GORO_OK);
	char buf[16];
	size_t n;
	ck_assert_int_eq(goro_read(c, buf, sizeof buf, &n), GORO_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(goro_read(c, buf, sizeof buf, &n), GORO_EOF);
	ck_assert_int_eq(goro_read(c, buf, sizeof buf, &n), GORO_EOF);   /* and stays so */
	goro_fd_close(c);

	c = dial_tcp(port);
	ck_assert_int_eq(goro_accept(l, &s, NULL, NULL), GORO_OK);
	struct linger lg = { 1, 0 };
	ck_assert_int_eq(setsockopt(goro_fd_sysfd(s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
	ck_assert_int_eq(goro_fd_close(s), GORO_OK);
	int st = goro_read(c, buf, sizeof buf, &n);
	ck_assert_msg(st == GORO_ERRNO(ECONNRESET), "read after RST: %s", goro_strerror(st));
	ck_assert(GORO_IS_ERRNO(st) && GORO_ERRNO_OF(st) == ECONNRESET);
	ck_assert(strstr(goro_strerror(st), "reset") != NULL);
	/* a write to the reset connection: EPIPE, and no SIGPIPE (it would
	 * kill the test) */
	st = goro_write(c, "x", 1, &n);
	ck_assert_msg(st == GORO_ERRNO(EPIPE) || st == GORO_ERRNO(ECONNRESET), "write after RST: %s",
	              goro_strerror(st));
	goro_fd_close(c);
	goro_fd_close(l);

	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd pw;
	ck_assert_int_eq(goro_fd_open(p[1], &pw), GORO_OK);
	close(p[0]);
	st = goro_write(pw, "x", 1, &n);   /* SIGPIPE would kill the test */
	ck_assert_msg(st == GORO_ERRNO(EPIPE), "write to a gone pipe: %s", goro_strerror(st));
	goro_fd_close(pw);
	return 0;
}

/* ---- TestBigWrite: 8 MiB in one goro_write to a reader that sleeps ---- */

#define BW_SIZE (8 << 20)
static atomic_int bw_ok;

static void bw_reader(void *arg)
{
	goro_fd c = *(goro_fd *)arg;
	static char buf[65536];
	size_t total = 0;
	uint32_t sum = 0;
	for (;;) {
		size_t n;
		int st = goro_read(c, buf, sizeof buf, &n);
		if (st == GORO_EOF)
			break;
		ck_assert_int_eq(st, GORO_OK);
		for (size_t i = 0; i < n; i++)
			sum = sum * 31 + (uint8_t)buf[i];
		total += n;
		if ((total / n) % 8 == 0)
			goro_sleep(1 * MS);   /* slow */
	}
	uint32_t want = 0;
	for (size_t i = 0; i < BW_SIZE; i++)
		want = want * 31 + (uint8_t)(i * 7 + i / 4096);
	ck_assert_uint_eq(total, BW_SIZE);
	ck_assert_uint_eq(sum, want);
	goro_fd_close(c);
	atomic_store(&bw_ok, 1);
}

GORO_TEST(TestBigWrite, 1 + _i)
{
	int port;
	goro_fd l = listen_tcp(&port);
	goro_fd c = dial_tcp(port), s;
	ck_assert_int_eq(goro_accept(l, &s, NULL, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn_copy(bw_reader, &s, sizeof s), GORO_OK);
	char *big = malloc(BW_SIZE);
	for (size_t i = 0; i < BW_SIZE; i++)
		big[i] = (char)(i * 7 + i / 4096);
	size_t n = 0;
	ck_assert_int_eq(goro_write(c, big, BW_SIZE, &n), GORO_OK);
	ck_assert_uint_eq(n, BW_SIZE);
	free(big);
	goro_fd_close(c);
	ck_assert(test_wait_flag(&bw_ok));
	goro_fd_close(l);
	return 0;
}

/* ---- TestDeadline ---- */

static goro_fd dl_r;
static atomic_int dl_status = 99;
static atomic_long dl_took;

static void dl_reader(void *arg)
{
	(void)arg;
	char b[8];
	size_t n;
	int64_t t0 = goro_now();
	atomic_store(&dl_status, 100);   /* about to read */
	int st = goro_read(dl_r, b, sizeof b, &n);
	atomic_store(&dl_took, goro_now() - t0);
	atomic_store(&dl_status, st);
}

static void wait_status_not(int v)
{
	int64_t end = goro_now() + TEST_WAIT_NS;
	while (atomic_load(&dl_status) == v && goro_now() < end)
		goro_sleep(1 * MS);
	ck_assert_int_ne(atomic_load(&dl_status), v);
}

GORO_TEST(TestDeadline, 1 + _i)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd w;
	ck_assert_int_eq(goro_fd_open(p[0], &dl_r), GORO_OK);
	ck_assert_int_eq(goro_fd_open(p[1], &w), GORO_OK);
	char b[8];
	size_t n;

	/* set: a read with no data times out, not early */
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, t0 + 50 * MS), GORO_OK);
	ck_assert_int_eq(goro_read(dl_r, b, sizeof b, &n), GORO_TIMEOUT);
	int64_t el = goro_now() - t0;
	ck_assert_msg(el >= 50 * MS && el < 5000 * MS, "deadline after %lld ns", (long long)el);
	/* and keeps timing out, even with data there, until changed */
	ck_assert_int_eq(goro_write(w, "a", 1, NULL), GORO_OK);
	ck_assert_int_eq(goro_read(dl_r, b, sizeof b, &n), GORO_TIMEOUT);
	ck_assert_int_eq(goro_poll(dl_r, GORO_FD_READ, -1), GORO_TIMEOUT);
	/* the write direction is not affected */
	ck_assert_int_eq(goro_write(w, "b", 1, NULL), GORO_OK);
	/* cleared */
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 0), GORO_OK);
	ck_assert_int_eq(read_full(dl_r, b, 2), GORO_OK);

	/* in the past: TIMEOUT at once with data available */
	ck_assert_int_eq(goro_write(w, "c", 1, NULL), GORO_OK);
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 1), GORO_OK);
	ck_assert_int_eq(goro_read(dl_r, b, sizeof b, &n), GORO_TIMEOUT);
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 0), GORO_OK);
	ck_assert_int_eq(read_full(dl_r, b, 1), GORO_OK);

	/* expires for a reader already waiting */
	atomic_store(&dl_status, 99);
	ck_assert_int_eq(goro_spawn(dl_reader, NULL), GORO_OK);
	wait_status_not(99);
	goro_sleep(20 * MS);   /* let it park */
	ck_assert_int_eq(atomic_load(&dl_status), 100);
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, goro_now() + 10 * MS), GORO_OK);
	wait_status_not(100);
	ck_assert_int_eq(atomic_load(&dl_status), GORO_TIMEOUT);
	/* and one set in the past wakes it at once */
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 0), GORO_OK);
	atomic_store(&dl_status, 99);
	ck_assert_int_eq(goro_spawn(dl_reader, NULL), GORO_OK);
	wait_status_not(99);
	goro_sleep(20 * MS);
	ck_assert_int_eq(atomic_load(&dl_status), 100);
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ | GORO_FD_WRITE, 1), GORO_OK);
	wait_status_not(100);
	ck_assert_int_eq(atomic_load(&dl_status), GORO_TIMEOUT);

	/* moved later before it fires: the parked reader keeps waiting past
	 * the first deadline, then reads. The two calls are back to back, so
	 * only a stall of 200 ms between them (not the spawn, not the wait for
	 * the reader, which a loaded qemu has made longer than 40 ms) can get
	 * the first one to fire. */
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ | GORO_FD_WRITE, 0), GORO_OK);
	atomic_store(&dl_status, 99);
	ck_assert_int_eq(goro_spawn(dl_reader, NULL), GORO_OK);
	wait_status_not(99);
	goro_sleep(20 * MS);   /* let it park */
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, goro_now() + 200 * MS), GORO_OK);
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, goro_now() + 60000 * MS), GORO_OK);
	goro_sleep(400 * MS);
	ck_assert_int_eq(atomic_load(&dl_status), 100);
	ck_assert_int_eq(goro_write(w, "d", 1, NULL), GORO_OK);
	wait_status_not(100);
	ck_assert_int_eq(atomic_load(&dl_status), GORO_OK);

	/* expiring just as data arrives: either outcome, never a hang or a
	 * lost byte */
	ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 0), GORO_OK);
	int ok = 0, to = 0;
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, goro_now() + 2 * MS), GORO_OK);
		atomic_store(&dl_status, 99);
		ck_assert_int_eq(goro_spawn(dl_reader, NULL), GORO_OK);
		goro_sleep((1 + i % 3) * MS - MS / 2);   /* 0.5, 1.5, 2.5 ms */
		ck_assert_int_eq(goro_write(w, "e", 1, NULL), GORO_OK);
		wait_status_not(99);
		wait_status_not(100);
		int st = atomic_load(&dl_status);
		ck_assert(st == GORO_OK || st == GORO_TIMEOUT);
		if (st == GORO_OK) {
			ok++;
		} else {
			to++;
			ck_assert_int_eq(goro_fd_set_deadline(dl_r, GORO_FD_READ, 0), GORO_OK);
			ck_assert_int_eq(read_full(dl_r, b, 1), GORO_OK);   /* the byte is there */
		}
	}
	printf("TestDeadline: data at the deadline: %d read, %d timed out\n", ok, to);

	/* a write deadline stops a writer blocked on a full pipe, with *n */
	ck_assert_int_eq(goro_fd_set_deadline(w, GORO_FD_WRITE, goro_now() + 30 * MS), GORO_OK);
	static char big[1 << 20];
	n = 0;
	ck_assert_int_eq(goro_write(w, big, sizeof big, &n), GORO_TIMEOUT);
	ck_assert(n > 0 && n < sizeof big);
	goro_fd_close(w);
	goro_fd_close(dl_r);
	return 0;
}

/* ---- TestCloseParked: a reader, a writer and an acceptor parked; close
 * each: all return CLOSED at once; the reused number has no stale
 * readiness; the stale handle is CLOSED ---- */

static goro_fd cp_rd, cp_wr, cp_l;

/* A handle's slot, as core/netpoll.c lays it out (the low 32 bits). */
static uint32_t pd_slot(goro_fd f)
{
	return (uint32_t)f.id_;
}
static atomic_int cp_st[3];
static atomic_long cp_started;

static void cp_reader(void *arg)
{
	(void)arg;
	char b[16];
	size_t n;
	atomic_fetch_add(&cp_started, 1);
	atomic_store(&cp_st[0], goro_read(cp_rd, b, sizeof b, &n));
}

static void cp_writer(void *arg)
{
	(void)arg;
	static char big[4 << 20];
	size_t n;
	atomic_fetch_add(&cp_started, 1);
	atomic_store(&cp_st[1], goro_write(cp_wr, big, sizeof big, &n));
}

static void cp_acceptor(void *arg)
{
	(void)arg;
	goro_fd c;
	atomic_fetch_add(&cp_started, 1);
	atomic_store(&cp_st[2], goro_accept(cp_l, &c, NULL, NULL));
}

GORO_TEST(TestCloseParked, 1 + _i)
{
	int p[2], q[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	int rdnum = p[0];
	ck_assert_int_eq(goro_fd_open(p[0], &cp_rd), GORO_OK);
	ck_assert_int_eq(goro_fd_open(q[1], &cp_wr), GORO_OK);
	int port;
	cp_l = listen_tcp(&port);
	for (int i = 0; i < 3; i++)
		atomic_store(&cp_st[i], 99);
	ck_assert_int_eq(goro_spawn(cp_reader, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(cp_writer, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(cp_acceptor, NULL), GORO_OK);
	ck_assert(test_wait_atleast(&cp_started, 3));
	goro_sleep(50 * MS);   /* all parked */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(atomic_load(&cp_st[i]), 99);
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_fd_close(cp_rd), GORO_OK);
	ck_assert_int_eq(goro_fd_close(cp_wr), GORO_OK);
	ck_assert_int_eq(goro_fd_close(cp_l), GORO_OK);
	/* Close waited for the operations in flight, which are returning now
	 * (their goroutines store the status just after) */
	for (int i = 0; i < 3; i++) {
		while (atomic_load(&cp_st[i]) == 99 && goro_now() - t0 < 2000 * MS)
			goro_yield();
		ck_assert_msg(atomic_load(&cp_st[i]) == GORO_CLOSED, "op %d: %d", i, atomic_load(&cp_st[i]));
	}
	ck_assert(goro_now() - t0 < 2000 * MS);
	/* close(2) ran: the number is free */
	ck_assert(fcntl(rdnum, F_GETFD) == -1 && errno == EBADF);

	/* The number is reused by a new pipe; nothing from before reaches it. */
	int r[2];
	ck_assert_int_eq(pipe(r), 0);
	ck_assert_int_eq(r[0], rdnum);
	goro_fd nr, nw;
	ck_assert_int_eq(goro_fd_open(r[0], &nr), GORO_OK);
	ck_assert_int_eq(goro_fd_open(r[1], &nw), GORO_OK);
	ck_assert(nr.id_ != cp_rd.id_);
	ck_assert_int_eq(goro_poll(nr, GORO_FD_READ, 0), GORO_AGAIN);
	ck_assert_int_eq(goro_poll(nr, GORO_FD_READ, 20 * MS), GORO_TIMEOUT);
	/* the stale handle is CLOSED for everything, and harms nothing */
	char b[4];
	size_t n;
	ck_assert_int_eq(goro_read(cp_rd, b, sizeof b, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_write(cp_rd, b, 1, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_sysfd(cp_rd), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_set_deadline(cp_rd, GORO_FD_READ, 1), GORO_CLOSED);
	ck_assert_int_eq(goro_poll(cp_rd, GORO_FD_READ, -1), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_close(cp_rd), GORO_CLOSED);
	/* and so are the others, whose slots the new pipe's handles reuse */
	ck_assert(pd_slot(nr) == pd_slot(cp_l) || pd_slot(nr) == pd_slot(cp_wr) ||
	          pd_slot(nw) == pd_slot(cp_l) || pd_slot(nw) == pd_slot(cp_wr));
	ck_assert_int_eq(goro_fd_sysfd(cp_l), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_sysfd(cp_wr), GORO_CLOSED);
	ck_assert_int_eq(goro_write(cp_wr, b, 1, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_read(cp_l, b, 1, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_close(cp_l), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_close(cp_wr), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_sysfd(nr), rdnum);
	ck_assert_int_eq(goro_write(nw, "z", 1, NULL), GORO_OK);
	ck_assert_int_eq(read_full(nr, b, 1), GORO_OK);
	ck_assert_int_eq(b[0], 'z');
	int fd;
	ck_assert_int_eq(goro_fd_detach(nr, &fd), GORO_OK);   /* handed back open */
	ck_assert_int_eq(fd, rdnum);
	ck_assert(fcntl(fd, F_GETFD) != -1);
	close(fd);
	goro_fd_close(nw);
	close(p[1]);
	close(q[0]);
	return 0;
}

/* ---- TestAcceptMany: 64 goroutines accept on one listener; each of 256
 * connections is accepted exactly once ---- */

#define AM_G 64
#define AM_N 256
static goro_fd am_l;
static atomic_int am_seen[AM_N];
static atomic_long am_count;

static void am_acceptor(void *arg)
{
	(void)arg;
	for (;;) {
		goro_fd c;
		int st = goro_accept(am_l, &c, NULL, NULL);
		if (st == GORO_CLOSED)
			return;
		ck_assert_int_eq(st, GORO_OK);
		uint16_t id;
		ck_assert_int_eq(read_full(c, &id, sizeof id), GORO_OK);
		ck_assert(id < AM_N);
		atomic_fetch_add(&am_seen[id], 1);
		atomic_fetch_add(&am_count, 1);
		goro_fd_close(c);
	}
}

GORO_TEST(TestAcceptMany, 1 + _i)
{
	int port;
	am_l = listen_tcp(&port);
	for (int i = 0; i < AM_G; i++)
		ck_assert_int_eq(goro_spawn(am_acceptor, NULL), GORO_OK);
	goro_sleep(20 * MS);
	for (uint16_t i = 0; i < AM_N; i++) {
		goro_fd c = dial_tcp(port);
		ck_assert_int_eq(goro_write(c, &i, sizeof i, NULL), GORO_OK);
		goro_fd_close(c);
	}
	ck_assert(test_wait_atleast(&am_count, AM_N));
	goro_fd_close(am_l);
	for (int i = 0; i < AM_N; i++)
		ck_assert_int_eq(atomic_load(&am_seen[i]), 1);
	ck_assert_int_eq(atomic_load(&am_count), AM_N);
	return 0;
}

/* ---- TestConnect: refused; timing out against a full backlog; AGAIN
 * with timeout 0 ---- */

GORO_TEST(TestConnect, 2)
{
	int port;
	goro_fd l = listen_tcp(&port);
	goro_fd_close(l);
	char a[64];
	snprintf(a, sizeof a, "127.0.0.1:%d", port);
	goro_fd c;
	int st = goro_dial("tcp", a, 0, &c);
	ck_assert_msg(st == GORO_ERRNO(ECONNREFUSED), "dial a closed port: %s", goro_strerror(st));

	/* A listener that never accepts, backlog 0: once its queue is full,
	 * the kernel drops further SYNs and connect stays in progress. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(s, 0), 0);
	socklen_t sl = sizeof sin;
	getsockname(s, (struct sockaddr *)&sin, &sl);
	snprintf(a, sizeof a, "127.0.0.1:%d", ntohs(sin.sin_port));
	goro_fd held[16];
	int nheld = 0, timedout = 0;
	for (int i = 0; i < 16 && !timedout; i++) {
		int64_t t0 = goro_now();
		st = goro_dial("tcp", a, 200 * MS, &c);
		if (st == GORO_OK) {
			held[nheld++] = c;
			continue;
		}
		ck_assert_msg(st == GORO_TIMEOUT, "dial a full backlog: %s", goro_strerror(st));
		ck_assert(goro_now() - t0 >= 200 * MS);
		timedout = 1;
	}
	ck_assert_msg(timedout, "no dial timed out after %d connections", nheld);

	/* goro_connect with timeout 0: AGAIN while in progress */
	int raw = socket(AF_INET, SOCK_STREAM, 0);
	goro_fd f;
	ck_assert_int_eq(goro_fd_open(raw, &f), GORO_OK);
	st = goro_connect(f, &sin, sizeof sin, 0);
	ck_assert_msg(st == GORO_AGAIN, "connect, timeout 0: %s", goro_strerror(st));
	ck_assert_int_eq(goro_connect(f, &sin, sizeof sin, 50 * MS), GORO_TIMEOUT);
	/* timeout < 0: the write deadline alone bounds it */
	ck_assert_int_eq(goro_fd_set_deadline(f, GORO_FD_WRITE, goro_now() + 50 * MS), GORO_OK);
	ck_assert_int_eq(goro_connect(f, &sin, sizeof sin, -1), GORO_TIMEOUT);
	goro_fd_close(f);
	for (int i = 0; i < nheld; i++)
		goro_fd_close(held[i]);
	close(s);
	return 0;
}

/* ---- TestDialParks: at one P, a dial on loopback, whose connection is
 * made at once, still parks in the poller and lets the other goroutines run
 * (Go's connect waits in pd.waitWrite; asking poll(2) first would not park,
 * and a dialing loop would starve its acceptor) ---- */

static atomic_long dp_ran;

static void dp_mark(void *arg)
{
	(void)arg;
	atomic_fetch_add(&dp_ran, 1);
}

GORO_TEST(TestDialParks, 1)
{
	int port;
	goro_fd l = listen_tcp(&port);   /* nobody accepts: the backlog holds them */
	goro_fd c[20];
	atomic_store(&dp_ran, 0);
	for (int i = 0; i < 20; i++) {
		ck_assert_int_eq(goro_spawn(dp_mark, NULL), GORO_OK);
		c[i] = dial_tcp(port);
	}
	long ran = atomic_load(&dp_ran);
	for (int i = 0; i < 20; i++)
		goro_fd_close(c[i]);
	goro_fd_close(l);
	/* Each dial's park runs the goroutine spawned before it; a stray
	 * netpoll between socket and connect may spare a few the park. */
	ck_assert_msg(ran >= 10, "%ld of 20 goroutines ran during the dials", ran);
	return 0;
}

/* ---- TestPoll ---- */

static goro_fd pl_w;

static void pl_later(void *arg)
{
	(void)arg;
	goro_sleep(30 * MS);
	goro_write(pl_w, "p", 1, NULL);
}

GORO_TEST(TestPoll, 1 + _i)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd r;
	ck_assert_int_eq(goro_fd_open(p[0], &r), GORO_OK);
	ck_assert_int_eq(goro_fd_open(p[1], &pl_w), GORO_OK);
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, 0), GORO_AGAIN);
	ck_assert_int_eq(goro_poll(pl_w, GORO_FD_WRITE, 0), GORO_FD_WRITE);
	ck_assert_int_eq(goro_poll(pl_w, GORO_FD_WRITE, -1), GORO_FD_WRITE);
	int64_t t0 = goro_now();
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, 30 * MS), GORO_TIMEOUT);
	ck_assert(goro_now() - t0 >= 30 * MS);
	/* parked, woken by data */
	ck_assert_int_eq(goro_spawn(pl_later, NULL), GORO_OK);
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, -1), GORO_FD_READ);
	/* a state: asked again, still readable */
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, 0), GORO_FD_READ);
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, -1), GORO_FD_READ);
	char b;
	size_t n;
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);
	ck_assert_int_eq(goro_poll(r, GORO_FD_READ, 0), GORO_AGAIN);

	/* both ways on a socket with data waiting */
	int port;
	goro_fd l = listen_tcp(&port);
	goro_fd c = dial_tcp(port), s;
	ck_assert_int_eq(goro_accept(l, &s, NULL, NULL), GORO_OK);
	/* both ends with TCP_NODELAY, as Go's newTCPConn */
	goro_fd ends[2] = { c, s };
	for (int i = 0; i < 2; i++) {
		int on = 0;
		socklen_t ol = sizeof on;
		ck_assert_int_eq(getsockopt(goro_fd_sysfd(ends[i]), IPPROTO_TCP, TCP_NODELAY, &on, &ol), 0);
		ck_assert_msg(on != 0, "TCP_NODELAY off on the %s end", i == 0 ? "dialed" : "accepted");
	}
	ck_assert_int_eq(goro_poll(s, GORO_FD_READ | GORO_FD_WRITE, -1), GORO_FD_WRITE);
	ck_assert_int_eq(goro_write(c, "x", 1, NULL), GORO_OK);
	ck_assert_int_eq(goro_poll(s, GORO_FD_READ, -1), GORO_FD_READ);
	ck_assert_int_eq(goro_poll(s, GORO_FD_READ | GORO_FD_WRITE, -1), GORO_FD_READ | GORO_FD_WRITE);
	/* hung up: readable */
	goro_fd_close(c);
	ck_assert(goro_poll(s, GORO_FD_READ, 1000 * MS) & GORO_FD_READ);
	/* closed while waiting in poll */
	goro_fd_close(s);
	goro_fd_close(l);
	goro_fd_close(r);
	goro_fd_close(pl_w);
	return 0;
}

/* ---- TestSelectFd: channel and fd cases together ---- */

static goro_fd sf_w;
static goro_chan *sf_c;

static void sf_write_later(void *arg)
{
	(void)arg;
	goro_sleep(20 * MS);
	goro_write(sf_w, "s", 1, NULL);
}

static void sf_send_later(void *arg)
{
	(void)arg;
	goro_sleep(20 * MS);
	int v = 7;
	goro_chan_send(sf_c, &v);
}

static goro_fd sf_closeme;

static void sf_close_later(void *arg)
{
	(void)arg;
	goro_sleep(20 * MS);
	goro_fd_close(sf_closeme);
}

GORO_TEST(TestSelectFd, 1 + _i)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd r;
	ck_assert_int_eq(goro_fd_open(p[0], &r), GORO_OK);
	ck_assert_int_eq(goro_fd_open(p[1], &sf_w), GORO_OK);
	sf_c = goro_chan_make(sizeof(int), 1);
	int v = 0;
	goro_case cs[2] = {
		{ .chan = sf_c, .dir = GORO_RECV, .elem = &v },
		{ .chan = NULL, .dir = GORO_FDREAD, .fd = r },
	};
	/* nothing ready */
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_AGAIN);
	ck_assert_int_eq(goro_select(cs, 2, 20 * MS), GORO_TIMEOUT);
	/* parked on both, woken by the descriptor */
	ck_assert_int_eq(goro_spawn(sf_write_later, NULL), GORO_OK);
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);
	ck_assert_int_eq(cs[1].status, GORO_OK);
	/* readiness that loses to a channel case is not lost: the channel
	 * case wins about half the time, the fd stays readable throughout */
	int won_chan = 0, won_fd = 0;
	for (int i = 0; i < 200; i++) {
		int one = 1;
		ck_assert_int_eq(goro_chan_trysend(sf_c, &one), GORO_OK);
		int k = goro_select(cs, 2, -1);
		ck_assert(k == 0 || k == 1);
		if (k == 0) {
			won_chan++;
			goro_case fdonly = { .dir = GORO_FDREAD, .fd = r };
			ck_assert_int_eq(goro_select(&fdonly, 1, 0), 0);   /* still there */
		} else {
			won_fd++;
			ck_assert_int_eq(goro_chan_tryrecv(sf_c, &v), GORO_OK);
		}
	}
	ck_assert(won_chan > 20 && won_fd > 20);
	char b;
	size_t n;
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);   /* the byte */
	ck_assert_int_eq(b, 's');
	/* parked on both, woken by the channel */
	ck_assert_int_eq(goro_spawn(sf_send_later, NULL), GORO_OK);
	ck_assert_int_eq(goro_select(cs, 2, -1), 0);
	ck_assert_int_eq(v, 7);
	/* then the fd still works for a read (nothing left queued on it) */
	ck_assert_int_eq(goro_write(sf_w, "t", 1, NULL), GORO_OK);
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);
	/* writable case; deadline and close give TIMEOUT and CLOSED */
	goro_case wc = { .dir = GORO_FDWRITE, .fd = sf_w };
	ck_assert_int_eq(goro_select(&wc, 1, -1), 0);
	ck_assert_int_eq(wc.status, GORO_OK);
	ck_assert_int_eq(goro_fd_set_deadline(r, GORO_FD_READ, goro_now() + 20 * MS), GORO_OK);
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);
	ck_assert_int_eq(cs[1].status, GORO_TIMEOUT);
	ck_assert_int_eq(goro_fd_set_deadline(r, GORO_FD_READ, 0), GORO_OK);
	sf_closeme = r;
	ck_assert_int_eq(goro_spawn(sf_close_later, NULL), GORO_OK);
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);
	ck_assert_int_eq(cs[1].status, GORO_CLOSED);
	ck_assert_int_eq(goro_select(cs, 2, -1), 1);   /* stale handle: CLOSED at once */
	ck_assert_int_eq(cs[1].status, GORO_CLOSED);
	goro_fd_close(sf_w);
	goro_chan_free(sf_c);
	return 0;
}

/* ---- TestRegularFile: accepted, blocking-call I/O, always ready ---- */

GORO_TEST(TestRegularFile, 2)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/goro-check-net-%d.txt", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	goro_fd f;
	ck_assert_int_eq(goro_fd_open(fd, &f), GORO_OK);
	ck_assert_int_eq(goro_write(f, "hello, file", 11, NULL), GORO_OK);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	char b[32];
	size_t n;
	ck_assert_int_eq(goro_read(f, b, sizeof b, &n), GORO_OK);
	ck_assert_uint_eq(n, 11);
	ck_assert(memcmp(b, "hello, file", 11) == 0);
	ck_assert_int_eq(goro_read(f, b, sizeof b, &n), GORO_EOF);
	ck_assert_int_eq(goro_poll(f, GORO_FD_READ | GORO_FD_WRITE, 0), GORO_FD_READ | GORO_FD_WRITE);
	ck_assert_int_eq(goro_fd_set_deadline(f, GORO_FD_READ, goro_now() + MS), GORO_INVAL);
	ck_assert_int_eq(goro_fd_close(f), GORO_OK);
	ck_assert(fcntl(fd, F_GETFD) == -1);
	return 0;
}

/* ---- TestManyConns: 2,000 connections (500 under qemu) with their server
 * goroutines blocked reading, on at most procs + 8 threads (+ 32 under
 * GORO_DEBUG=migrate=1) ---- */

#define MC_N TEST_SCALE(2000, 500)
static goro_fd mc_cli[MC_N];

static int proc_threads_now(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	int n = -1;
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return n;
}

static int many_conns_main(void *arg)
{
	(void)arg;
	int port;
	atomic_store(&srv_accepted, 0);
	goro_fd l = listen_tcp(&port);
	ck_assert_int_eq(goro_spawn_copy(echo_server, &l, sizeof l), GORO_OK);
	for (int i = 0; i < MC_N; i++)
		mc_cli[i] = dial_tcp(port);
	ck_assert(test_wait_atleast(&srv_accepted, MC_N));
	goro_sleep(100 * MS);   /* every server goroutine parked in goro_read */
	int threads = proc_threads_now();
	printf("TestManyConns: procs %d, %d connections blocked reading, %d threads\n",
	       goro_procs(), MC_N, threads);
	/* GORO_DEBUG=migrate=1 hands the P on at every blocking call's end,
	 * each a new M's wake-up, so a few more threads come and go; still
	 * nothing like one per connection */
	const char *dbg = getenv("GORO_DEBUG");
	int slack = dbg != NULL && strstr(dbg, "migrate=1") != NULL ? 32 : 8;
	ck_assert_msg(threads <= goro_procs() + slack, "%d threads", threads);
	/* and they all still echo */
	for (int i = 0; i < MC_N; i++)
		ck_assert_int_eq(goro_write(mc_cli[i], &i, sizeof i, NULL), GORO_OK);
	for (int i = 0; i < MC_N; i++) {
		int v;
		ck_assert_int_eq(read_full(mc_cli[i], &v, sizeof v), GORO_OK);
		ck_assert_int_eq(v, i);
	}
	for (int i = 0; i < MC_N; i++)
		goro_fd_close(mc_cli[i]);
	goro_fd_close(l);
	return 0;
}

START_TEST(TestManyConns)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < 2 * MC_N + 100) {
		printf("TestManyConns: skipped, RLIMIT_NOFILE %llu\n", (unsigned long long)rl.rlim_cur);
		return;
	}
	test_run(1 + _i, many_conns_main);
}
END_TEST

/* ---- TestForeignThread: the I/O calls from a pthread the runtime does
 * not own, which they block ---- */

static int ft_port;
static atomic_int ft_done;

static void *ft_thread(void *arg)
{
	(void)arg;
	char a[64];
	snprintf(a, sizeof a, "127.0.0.1:%d", ft_port);
	goro_fd c;
	ck_assert_int_eq(goro_dial("tcp", a, 5000 * MS, &c), GORO_OK);
	char out[100], in[100];
	for (int i = 0; i < 20; i++) {
		memset(out, i, sizeof out);
		ck_assert_int_eq(goro_write(c, out, sizeof out, NULL), GORO_OK);
		ck_assert_int_eq(read_full(c, in, sizeof in), GORO_OK);   /* parks this thread */
		ck_assert(memcmp(in, out, sizeof in) == 0);
	}
	ck_assert_int_eq(goro_poll(c, GORO_FD_READ, 20 * MS), GORO_TIMEOUT);
	ck_assert_int_eq(goro_fd_set_deadline(c, GORO_FD_READ, goro_now() + 20 * MS), GORO_OK);
	size_t n;
	ck_assert_int_eq(goro_read(c, in, sizeof in, &n), GORO_TIMEOUT);
	goro_case cs = { .dir = GORO_FDWRITE, .fd = c };
	ck_assert_int_eq(goro_select(&cs, 1, -1), 0);
	ck_assert_int_eq(goro_fd_close(c), GORO_OK);
	/* a listener waited on from here, dialled from a goroutine */
	atomic_store(&ft_done, 1);
	return NULL;
}

static void slow_echo_conn(void *arg)
{
	goro_sleep(5 * MS);   /* the foreign reader parks first */
	echo_conn(arg);
}

static void slow_echo_server(void *arg)
{
	goro_fd l = *(goro_fd *)arg;
	goro_fd c;
	if (goro_accept(l, &c, NULL, NULL) == GORO_OK)
		goro_spawn_copy(slow_echo_conn, &c, sizeof c);
}

static goro_fd ft_l;
static atomic_int ft_acc;

static void *ft_acceptor(void *arg)
{
	(void)arg;
	goro_fd c;
	ck_assert_int_eq(goro_accept(ft_l, &c, NULL, NULL), GORO_OK);
	char b[3];
	ck_assert_int_eq(read_full(c, b, 3), GORO_OK);
	ck_assert(memcmp(b, "hey", 3) == 0);
	goro_fd_close(c);
	atomic_store(&ft_acc, 1);
	return NULL;
}

GORO_TEST(TestForeignThread, 1 + _i)
{
	goro_fd l = listen_tcp(&ft_port);
	ck_assert_int_eq(goro_spawn_copy(slow_echo_server, &l, sizeof l), GORO_OK);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, ft_thread, NULL), 0);
	ck_assert(test_wait_flag(&ft_done));
	pthread_join(t, NULL);

	int port;
	ft_l = listen_tcp(&port);
	ck_assert_int_eq(pthread_create(&t, NULL, ft_acceptor, NULL), 0);
	goro_sleep(30 * MS);   /* the thread parks in accept */
	goro_fd c = dial_tcp(port);
	ck_assert_int_eq(goro_write(c, "hey", 3, NULL), GORO_OK);
	ck_assert(test_wait_flag(&ft_acc));
	pthread_join(t, NULL);
	goro_fd_close(c);
	goro_fd_close(ft_l);
	goro_fd_close(l);
	return 0;
}

/* ---- TestNoFalseDeadlock: every goroutine waits on descriptors fed by
 * another process, with no timer armed: not a deadlock. An open descriptor
 * nobody waits on hides a real one. ---- */

static int nfd_pipe[2];

static void nfd_reader(void *arg)
{
	(void)arg;
	goro_fd r;
	ck_assert_int_eq(goro_fd_open(nfd_pipe[0], &r), GORO_OK);
	char b;
	size_t n;
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);
	goro_fd_close(r);
}

static int nfd_main(void *arg)
{
	(void)arg;
	int p2 = dup(nfd_pipe[0]);   /* before the reader can close the original */
	ck_assert_int_eq(goro_spawn(nfd_reader, NULL), GORO_OK);
	goro_fd r;
	ck_assert_int_eq(goro_fd_open(p2, &r), GORO_OK);
	char b;
	size_t n;
	/* the child writes two bytes after 300 ms: both readers get one */
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);
	goro_fd_close(r);
	goro_sleep(10 * MS);
	return 0;
}

START_TEST(TestNoFalseDeadlock)
{
	ck_assert_int_eq(pipe(nfd_pipe), 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(300 * 1000);
		if (write(nfd_pipe[1], "ab", 2) != 2)
			_exit(1);
		_exit(0);
	}
	close(nfd_pipe[1]);
	test_run(2, nfd_main);
	waitpid(pid, NULL, 0);
}
END_TEST

static int open_fd_deadlock_main(void *arg)
{
	(void)arg;
	int p[2];
	if (pipe(p) != 0)
		return 1;
	goro_fd r;
	goro_fd_open(p[0], &r);
	goro_chan *c = goro_chan_make(0, 0);
	goro_chan_recv(c, NULL);   /* nobody sends: deadlock */
	return 3;
}

START_TEST(TestOpenFdDeadlock)
{
	test_child c;
	test_run_child(2, open_fd_deadlock_main, NULL, &c);
	ck_assert_msg(!c.hung && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 2,
	              "status %d hung %d: %s", c.status, c.hung, c.err);
	ck_assert_msg(strstr(c.first, "deadlock") != NULL, "%s", c.first);
}
END_TEST

/* ---- TestBadInput ---- */

GORO_TEST(TestBadInput, 2)
{
	goro_fd z = { 0 }, f;
	char b[4];
	size_t n;
	ck_assert_int_eq(goro_read(z, b, 1, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_write(z, b, 1, &n), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_close(z), GORO_CLOSED);
	int sfd;
	ck_assert_int_eq(goro_fd_detach(z, &sfd), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_sysfd(z), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_set_deadline(z, GORO_FD_READ, 0), GORO_CLOSED);
	ck_assert_int_eq(goro_accept(z, &f, NULL, NULL), GORO_CLOSED);
	ck_assert_int_eq(goro_poll(z, GORO_FD_READ, 0), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_port(z), GORO_CLOSED);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	ck_assert_int_eq(goro_connect(z, &sin, sizeof sin, 0), GORO_CLOSED);
	goro_fd forged = { 0x100000001ull };   /* a slot never opened */
	ck_assert_int_eq(goro_read(forged, b, 1, &n), GORO_CLOSED);
	goro_fd huge = { 0xffffffffffffffffull };
	ck_assert_int_eq(goro_fd_close(huge), GORO_CLOSED);

	ck_assert_int_eq(goro_fd_open(-1, &f), GORO_INVAL);
	ck_assert_int_eq(goro_fd_open(0, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_fd_open(100000, &f), GORO_ERRNO(EBADF));

	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd r, w;
	ck_assert_int_eq(goro_fd_open(p[0], &r), GORO_OK);
	ck_assert_int_eq(goro_fd_open(p[1], &w), GORO_OK);
	ck_assert_int_eq(goro_read(r, NULL, 1, &n), GORO_INVAL);
	ck_assert_int_eq(goro_read(r, b, 1, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_read(r, b, 0, &n), GORO_OK);
	ck_assert_int_eq(goro_write(w, NULL, 1, &n), GORO_INVAL);
	ck_assert_int_eq(goro_write(w, NULL, 0, &n), GORO_OK);
	ck_assert_int_eq(goro_write(w, "a", 1, NULL), GORO_OK);
	ck_assert_int_eq(goro_fd_set_deadline(r, 0, 0), GORO_INVAL);
	ck_assert_int_eq(goro_fd_set_deadline(r, 4, 0), GORO_INVAL);
	ck_assert_int_eq(goro_fd_set_deadline(r, GORO_FD_READ, -5), GORO_INVAL);
	ck_assert_int_eq(goro_poll(r, 0, 0), GORO_INVAL);
	ck_assert_int_eq(goro_poll(r, 8, 0), GORO_INVAL);
	ck_assert_int_eq(goro_fd_detach(r, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_accept(r, NULL, NULL, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_accept(r, &f, b, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_connect(w, NULL, 16, 0), GORO_INVAL);
	ck_assert_int_eq(goro_fd_port(r), GORO_ERRNO(ENOTSOCK));
	goro_case bad = { .dir = GORO_FDREAD };   /* zero handle */
	ck_assert_int_eq(goro_select(&bad, 1, 0), GORO_INVAL);
	/* nothing was lost: the byte is still there */
	ck_assert_int_eq(read_full(r, b, 1), GORO_OK);

	ck_assert_int_eq(goro_dial(NULL, "127.0.0.1:1", 0, &f), GORO_INVAL);
	ck_assert_int_eq(goro_dial("tcp", NULL, 0, &f), GORO_INVAL);
	ck_assert_int_eq(goro_dial("tcp", "127.0.0.1:1", 0, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_dial("udp", "127.0.0.1:1", 0, &f), GORO_INVAL);
	ck_assert_int_eq(goro_dial("", "127.0.0.1:1", 0, &f), GORO_INVAL);
	static const char *const malformed[] = {
		"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http",
		"[::1", "[::1]", "::1:80", "a:b:80", "[1:2:3:4:5:6:7:8:9]:80", "[1::2::3]:80",
		"", ":",
	};
	for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
		int st = goro_dial("tcp", malformed[i], 0, &f);
		ck_assert_msg(st == GORO_INVAL, "dial %s: %s", malformed[i], goro_strerror(st));
		st = goro_listen("tcp", malformed[i], &f);
		ck_assert_msg(st == GORO_INVAL, "listen %s: %s", malformed[i], goro_strerror(st));
	}
	ck_assert_int_eq(goro_dial("tcp4", "[::1]:80", 0, &f), GORO_INVAL);
	ck_assert_int_eq(goro_dial("tcp6", "127.0.0.1:80", 0, &f), GORO_INVAL);
	ck_assert_int_eq(goro_listen("unix", "", &f), GORO_INVAL);
	char longpath[200];
	memset(longpath, 'x', sizeof longpath - 1);
	longpath[sizeof longpath - 1] = '\0';
	ck_assert_int_eq(goro_listen("unix", longpath, &f), GORO_INVAL);
	ck_assert_int_eq(goro_listen("tcp", NULL, &f), GORO_INVAL);
	/* IPv6 literals parse; ::1 may not be configured, so any status but INVAL */
	ck_assert_int_ne(goro_dial("tcp6", "[::1]:1", 0, &f), GORO_INVAL);
	ck_assert_int_ne(goro_dial("tcp", "[::ffff:127.0.0.1]:1", 0, &f), GORO_INVAL);
	ck_assert_int_ne(goro_dial("tcp", "[0:0:0:0:0:0:0:1]:1", 0, &f), GORO_INVAL);
	ck_assert(strcmp(goro_strerror(GORO_EOF), "end of file") == 0);
	goro_fd_close(r);
	goro_fd_close(w);
	return 0;
}

/* ---- TestSleepPrecision: a 100 us sleep while the idle M blocks in
 * netpoll (a descriptor open, a goroutine waiting on it): epoll_pwait2 keeps
 * nanoseconds; the millisecond fallback (qemu) would make it 1 ms ---- */

enum { SP_N = 200 };

/* Median and p90 of SP_N sleeps of 100 us, in us. */
static void sp_measure(double *med, double *p90)
{
	int64_t d[SP_N];
	for (int i = 0; i < SP_N; i++) {
		int64_t t0 = goro_now();
		goro_sleep(100 * 1000);
		d[i] = goro_now() - t0;
		ck_assert(d[i] >= 100 * 1000);
	}
	for (int i = 1; i < SP_N; i++)   /* insertion sort */
		for (int j = i; j > 0 && d[j] < d[j - 1]; j--) {
			int64_t t = d[j];
			d[j] = d[j - 1];
			d[j - 1] = t;
		}
	*med = d[SP_N / 2] / 1e3;
	*p90 = d[SP_N * 9 / 10] / 1e3;
}

GORO_TEST(TestSleepPrecision, 1)
{
	double m0, q0, m1, q1;
	sp_measure(&m0, &q0);   /* no poller yet: the futex sleep */
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd r;
	ck_assert_int_eq(goro_fd_open(p[0], &r), GORO_OK);
	ck_assert_int_eq(goro_spawn_copy(echo_conn, &r, sizeof r), GORO_OK);   /* parks reading */
	goro_sleep(10 * MS);
	sp_measure(&m1, &q1);
	printf("TestSleepPrecision: 100 us sleep: no descriptors (futex) median %.1f us p90 %.1f us; "
	       "a descriptor waited on (netpoll) median %.1f us p90 %.1f us\n", m0, q0, m1, q1);
	close(p[1]);
	return 0;
}

/* ---- TestFdStress: readers that alternate goro_read, goro_poll and a
 * select on (channel, fd), against writers that write a byte at a time,
 * with deadlines moving under them: every byte arrives, nothing hangs ---- */

#define FS_PAIRS 8
#define FS_BYTES TEST_SCALE(4000, 500)
static goro_fd fs_r[FS_PAIRS], fs_w[FS_PAIRS];
static goro_chan *fs_tick, *fs_quiet;   /* ticks now and then; never */
static atomic_long fs_done;

static void fs_writer(void *arg)
{
	int i = (int)(intptr_t)arg;
	for (int k = 0; k < FS_BYTES; k++) {
		char b = (char)k;
		ck_assert_int_eq(goro_write(fs_w[i], &b, 1, NULL), GORO_OK);
		if (k % 7 == 0)
			goro_yield();
	}
	atomic_fetch_add(&fs_done, 1);
}

static void fs_reader(void *arg)
{
	int i = (int)(intptr_t)arg;
	int got = 0, polls = 0;
	while (got < FS_BYTES) {
		char b[64];
		size_t n;
		int st;
		switch ((got + polls) % 4) {
		case 0:
			st = goro_read(fs_r[i], b, sizeof b, &n);
			ck_assert_msg(st == GORO_OK, "read: %s", goro_strerror(st));
			for (size_t k = 0; k < n; k++)
				ck_assert_int_eq(b[k], (char)(got + (int)k));
			got += (int)n;
			break;
		case 1:
			/* no timeout: a lost wake-up hangs here */
			st = goro_poll(fs_r[i], GORO_FD_READ, polls % 3 == 0 ? 1 * MS : -1);
			ck_assert(st == GORO_FD_READ || st == GORO_TIMEOUT);
			polls++;
			break;
		case 2: {
			goro_case cs[2] = {
				{ .chan = polls % 2 ? fs_tick : fs_quiet, .dir = GORO_RECV },
				{ .dir = GORO_FDREAD, .fd = fs_r[i] },
			};
			st = goro_select(cs, 2, -1);
			ck_assert(st == 0 || st == 1);
			if (st == 1)
				ck_assert_int_eq(cs[1].status, GORO_OK);
			polls++;
			break;
		}
		default:
			/* a deadline far enough away never fires, but moves */
			ck_assert_int_eq(goro_fd_set_deadline(fs_r[i], GORO_FD_READ,
			                                      goro_now() + 10000 * MS), GORO_OK);
			polls++;
		}
	}
	atomic_fetch_add(&fs_done, 1);
}

GORO_TEST(TestFdStress, 1 + _i)
{
	fs_tick = goro_chan_make(0, 0);
	fs_quiet = goro_chan_make(0, 0);
	for (int i = 0; i < FS_PAIRS; i++) {
		int p[2];
		ck_assert_int_eq(pipe(p), 0);
		ck_assert_int_eq(goro_fd_open(p[0], &fs_r[i]), GORO_OK);
		ck_assert_int_eq(goro_fd_open(p[1], &fs_w[i]), GORO_OK);
	}
	for (int i = 0; i < FS_PAIRS; i++) {
		ck_assert_int_eq(goro_spawn(fs_reader, (void *)(intptr_t)i), GORO_OK);
		ck_assert_int_eq(goro_spawn(fs_writer, (void *)(intptr_t)i), GORO_OK);
	}
	/* ticks for the selects, until everyone is done */
	while (atomic_load(&fs_done) < 2 * FS_PAIRS) {
		int ignored = goro_chan_trysend(fs_tick, NULL);   /* nobody waiting: fine */
		(void)ignored;
		goro_sleep(5 * MS);
	}
	for (int i = 0; i < FS_PAIRS; i++) {
		goro_fd_close(fs_r[i]);
		goro_fd_close(fs_w[i]);
	}
	goro_chan_free(fs_tick);
	goro_chan_free(fs_quiet);
	return 0;
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);   /* a SIGPIPE must kill the test, not hide */
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, TestEchoTCP, 0, 2);
	tcase_add_test(tc, TestEchoUnix);
	tcase_add_loop_test(tc, TestEchoPipe, 0, 2);
	tcase_add_test(tc, TestEOFReset);
	tcase_add_loop_test(tc, TestBigWrite, 0, 2);
	tcase_add_loop_test(tc, TestDeadline, 0, 2);
	tcase_add_loop_test(tc, TestCloseParked, 0, 2);
	tcase_add_loop_test(tc, TestAcceptMany, 0, 2);
	tcase_add_test(tc, TestConnect);
	tcase_add_test(tc, TestDialParks);
	tcase_add_loop_test(tc, TestPoll, 0, 2);
	tcase_add_loop_test(tc, TestSelectFd, 0, 2);
	tcase_add_test(tc, TestRegularFile);
	tcase_add_loop_test(tc, TestForeignThread, 0, 2);
	tcase_add_test(tc, TestNoFalseDeadlock);
	tcase_add_test(tc, TestOpenFdDeadlock);
	tcase_add_test(tc, TestBadInput);
	tcase_add_test(tc, TestSleepPrecision);
	suite_add_tcase(s, tc);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 120);
	tcase_add_loop_test(th, TestManyConns, 0, 2);
	tcase_add_loop_test(th, TestFdStress, 0, 4);
	suite_add_tcase(s, th);
	return test_run_suite(s);
}
