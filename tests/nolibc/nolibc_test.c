/* Self-test of host/nolibc: goro on raw Linux system calls, no libc and no
 * Check, so its own assertions and output. Runs the scheduler, channel,
 * select, timer and sync scenarios of the Check suites in miniature inside
 * one goro_main (procs = 2), after the fatal paths (stack overflow,
 * deadlock) in forked children. Ends with one line "N passed, M failed";
 * exit status 0 only when M == 0. Built -nostdlib -ffreestanding -static. */
#include <stdatomic.h>

#include "goro.h"
#include "nolibc.h"
#include "netpoll.h"
#include "platform.h"

#ifdef __aarch64__
#define SCALE(native, arm64) (arm64)	/* under qemu-aarch64 */
#else
#define SCALE(native, arm64) (native)
#endif

static int npassed, nfailed;
static int cur_failed;
static const char *cur_name;

/* ---- output: fd 1, unbuffered ---- */

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

static void out(const char *s)
{
	size_t n = slen(s);
	while (n > 0) {
		long w = sys_write(1, s, n);
		if (w == -NOLIBC_EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void outnum(long long v)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	out(p);
}

/* CHECK(cond): records a failure of the current test with its line; the
 * test goes on, so one run reports every broken check. */
#define CHECK(c) do { if (!(c)) check_fail(#c, __LINE__); } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) check_fail_eq(#a " == " #b, a_, b_, __LINE__); } while (0)

static void check_fail(const char *what, int line)
{
	out("  FAIL ");
	out(cur_name);
	out(" line ");
	outnum(line);
	out(": ");
	out(what);
	out("\n");
	cur_failed = 1;
}

static void check_fail_eq(const char *what, long long a, long long b, int line)
{
	check_fail(what, line);
	out("    got ");
	outnum(a);
	out(", want ");
	outnum(b);
	out("\n");
}

static const char *only;	/* argv[1]: run just the tests with this name */

static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

static void run(const char *name, void (*fn)(void))
{
	if (only != NULL && !streq(only, name))
		return;
	cur_name = name;
	cur_failed = 0;
	fn();
	if (cur_failed)
		nfailed++;
	else
		npassed++;
	out(cur_failed ? "FAIL " : "ok   ");
	out(name);
	out("\n");
}

/* ---- TLS: the init image and .tbss, per thread ---- */

static _Thread_local long tls_data = 0x5eed1234;	/* .tdata */
static _Thread_local long tls_zero[4];			/* .tbss */

/* Never inlined, so each call computes the address on the current thread. */
__attribute__((noinline)) static long *tls_data_addr(void)
{
	long *p = &tls_data;
	__asm__ volatile("" : "+r"(p));
	return p;
}

static bool tls_fresh(void)
{
	return tls_data == 0x5eed1234 && tls_zero[0] == 0 && tls_zero[3] == 0;
}

static void test_tls_main_thread(void)
{
	CHECK(tls_fresh());
	tls_data = 7;
	tls_zero[3] = 9;
	CHECK_EQ(*tls_data_addr(), 7);
	tls_data = 0x5eed1234;
	tls_zero[3] = 0;
}

static char **main_envp;

static void test_getenv(void)
{
	/* every NAME=value of the initial environment reads back */
	int n = 0;
	for (char **e = main_envp; *e != NULL && n < 16; e++, n++) {
		char name[64];
		size_t i = 0;
		while ((*e)[i] != '=' && (*e)[i] != '\0' && i < sizeof name - 1) {
			name[i] = (*e)[i];
			i++;
		}
		if ((*e)[i] != '=')
			continue;
		name[i] = '\0';
		const char *v = plat_getenv(name);
		CHECK(v == *e + i + 1 || (v != NULL && v < *e));	/* first match wins */
	}
	CHECK(plat_getenv("GORO_NOLIBC_SURELY_UNSET_") == NULL);
}

/* ---- fatal paths, each in a forked child that runs its own goro_main ---- */

static volatile long depth_limit = 1L << 40;	/* volatile: gcc cannot see it end */

static void recurse(void *arg)
{
	volatile char pad[512];
	long d = (long)(uintptr_t)arg;

	pad[0] = (char)d;
	if (d < depth_limit)
		recurse((void *)(uintptr_t)(d + 1));
	pad[1] = pad[0];	/* after the call: no tail call */
}

static int overflow_main(void *arg)
{
	(void)arg;
	goro_spawn(recurse, NULL);
	goro_sleep(10LL * 1000 * 1000 * 1000);
	return 0;
}

static int deadlock_main(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	int v;
	goro_chan_recv(c, &v);
	return 0;
}

/* The last child's whole stderr (as far as the caller's buffer reached). */
static char child_err[8192];

/* Runs main_fn under goro_main in a child with stderr on a pipe; returns
 * its exit status (128 + signal if killed) and its first stderr line. */
static int run_child(int (*main_fn)(void *), char *line, size_t cap)
{
	int fd[2], status = 0;
	long pid;
	size_t n = 0;

	if (sys_pipe2(fd, NOLIBC_O_CLOEXEC) != 0)
		return -2;
	pid = sys_fork();
	if (pid == 0) {
		goro_config cfg = { .procs = 2 };
		sys_dup3(fd[1], 2, 0);
		sys_close(fd[0]);
		sys_exit_group(goro_main(&cfg, main_fn, NULL));
	}
	sys_close(fd[1]);
	if (pid < 0) {
		sys_close(fd[0]);
		return -2;
	}
	/* read to EOF, keeping what fits: a reader that stopped early would
	 * kill a child still writing its listing with SIGPIPE */
	for (;;) {
		char scratch[512];
		long r = n < cap - 1 ? sys_read(fd[0], line + n, cap - 1 - n)
		                     : sys_read(fd[0], scratch, sizeof scratch);
		if (r == -NOLIBC_EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < cap - 1)
			n += (size_t)r;
	}
	line[n] = '\0';
	for (size_t i = 0; i <= n && i < sizeof child_err; i++)
		child_err[i] = i < sizeof child_err - 1 ? line[i] : '\0';
	for (size_t i = 0; i < n; i++)
		if (line[i] == '\n') {
			line[i] = '\0';
			break;
		}
	sys_close(fd[0]);
	while (sys_wait4((int)pid, &status, 0) == -NOLIBC_EINTR)
		;
	return (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
}

static bool has_prefix(const char *s, const char *p)
{
	while (*p != '\0')
		if (*s++ != *p++)
			return false;
	return true;
}

static void test_stack_overflow(void)
{
	char line[256];
	int st = run_child(overflow_main, line, sizeof line);

	CHECK_EQ(st, 2);
	CHECK(has_prefix(line, "goro: fatal error: stack overflow in goroutine "));
	if (!has_prefix(line, "goro: fatal error: stack overflow")) {
		out("    stderr: ");
		out(line);
		out("\n");
	}
}

static volatile uintptr_t bad_addr = 16;	/* volatile: no constant for gcc to check */

static void nil_store(void *arg)
{
	(void)arg;
	*(volatile int *)bad_addr = 1;	/* SIGSEGV, not in any guard */
}

static int segv_main(void *arg)
{
	(void)arg;
	goro_spawn(nil_store, NULL);
	goro_sleep(10LL * 1000 * 1000 * 1000);
	return 0;
}

/* The handler reports, restores SIG_DFL and returns through the restorer:
 * the store faults again and the signal kills the child. */
static void test_unexpected_signal(void)
{
	char line[256];
	int st = run_child(segv_main, line, sizeof line);

	CHECK_EQ(st, 128 + NOLIBC_SIGSEGV);
	CHECK(has_prefix(line, "goro: fatal error: unexpected signal SIGSEGV at address 0x10 in goroutine "));
}

static bool contains(const char *s, const char *w)
{
	for (; *s != '\0'; s++)
		if (has_prefix(s, w))
			return true;
	return false;
}

/* The listing names main's frame from the executable's own symbol table
 * (host/nolibc/symbolize.c), with the file and offset for addr2line. */
static void test_deadlock(void)
{
	char line[8192];
	int st = run_child(deadlock_main, line, sizeof line);

	CHECK_EQ(st, 2);
	CHECK(has_prefix(line, "goro: fatal error: all goroutines are asleep - deadlock!"));
	CHECK(contains(child_err, "\ngoroutine 1 [chan receive]:\n"));
	CHECK(contains(child_err, "\ndeadlock_main+0x"));
	CHECK(contains(child_err, "nolibc_test+0x"));
}

/* ---- scenarios, run on goroutines inside one goro_main ---- */

static atomic_long counter;

static void bump(void *wg)
{
	atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
	goro_wg_done(wg);
}

static void test_spawn_many(void)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	long n = SCALE(20000, 5000);

	atomic_store(&counter, 0);
	for (long i = 0; i < n; i++) {
		goro_wg_add(&wg, 1);
		if (goro_spawn(bump, &wg) != GORO_OK) {
			goro_wg_done(&wg);
			CHECK(!"goro_spawn failed");
			break;
		}
	}
	goro_wg_wait(&wg);
	CHECK_EQ(atomic_load(&counter), n);
}

struct pp { goro_chan *ping, *pong; long rounds; };

static void ponger(void *arg)
{
	struct pp *p = arg;
	long v;
	while (goro_chan_recv(p->ping, &v) == GORO_OK)
		goro_chan_send(p->pong, &(long){ v + 1 });
}

static void test_pingpong(void)
{
	struct pp p = { goro_chan_make(sizeof(long), 0), goro_chan_make(sizeof(long), 0),
		SCALE(20000, 5000) };
	long v = 0;

	CHECK(p.ping != NULL && p.pong != NULL);
	goro_spawn(ponger, &p);
	for (long i = 0; i < p.rounds; i++) {
		CHECK_EQ(goro_chan_send(p.ping, &v), GORO_OK);
		CHECK_EQ(goro_chan_recv(p.pong, &v), GORO_OK);
	}
	CHECK_EQ(v, p.rounds);
	goro_chan_close(p.ping);
	goro_sleep(1000000);	/* let ponger see the close before the free */
	goro_chan_free(p.ping);
	goro_chan_free(p.pong);
}

enum { PRODUCERS = 4, CONSUMERS = 3 };
struct pc { goro_chan *c; long per; atomic_long sum; goro_waitgroup pw, cw; };

static void producer(void *arg)
{
	struct pc *s = arg;
	for (long i = 1; i <= s->per; i++)
		goro_chan_send(s->c, &i);
	goro_wg_done(&s->pw);
}

static void consumer(void *arg)
{
	struct pc *s = arg;
	long v, sum = 0;
	while (goro_chan_recv(s->c, &v) == GORO_OK)
		sum += v;
	atomic_fetch_add(&s->sum, sum);
	goro_wg_done(&s->cw);
}

static void test_prodcons(void)
{
	struct pc s = { .c = goro_chan_make(sizeof(long), 16), .per = SCALE(20000, 5000),
		.pw = GORO_WAITGROUP_INIT, .cw = GORO_WAITGROUP_INIT };

	CHECK(s.c != NULL);
	CHECK_EQ(goro_chan_cap(s.c), 16);
	goro_wg_add(&s.pw, PRODUCERS);
	goro_wg_add(&s.cw, CONSUMERS);
	for (int i = 0; i < CONSUMERS; i++)
		goro_spawn(consumer, &s);
	for (int i = 0; i < PRODUCERS; i++)
		goro_spawn(producer, &s);
	goro_wg_wait(&s.pw);
	goro_chan_close(s.c);
	goro_wg_wait(&s.cw);
	CHECK_EQ(atomic_load(&s.sum), (long long)PRODUCERS * s.per * (s.per + 1) / 2);
	goro_chan_free(s.c);
}

static void send_later(void *c)
{
	goro_sleep(5000000);
	goro_chan_send(c, &(int){ 42 });
}

static void test_select(void)
{
	goro_chan *a = goro_chan_make(sizeof(int), 0), *b = goro_chan_make(sizeof(int), 1);
	int va = 0, vb = 0;
	goro_case cs[2] = { { a, GORO_RECV, &va, 0, { 0 } }, { b, GORO_RECV, &vb, 0, { 0 } } };
	int64_t t0;

	/* nothing ready: default arm, then a timeout that really waited */
	CHECK_EQ(goro_select(cs, 2, 0), GORO_AGAIN);
	t0 = goro_now();
	CHECK_EQ(goro_select(cs, 2, 20000000), GORO_TIMEOUT);
	CHECK(goro_now() - t0 >= 20000000);
	/* a buffered value is ready at once */
	goro_chan_send(b, &(int){ 7 });
	CHECK_EQ(goro_select(cs, 2, -1), 1);
	CHECK_EQ(vb, 7);
	/* a sender that comes later wakes the select */
	goro_spawn(send_later, a);
	CHECK_EQ(goro_select(cs, 2, 5LL * 1000 * 1000 * 1000), 0);
	CHECK_EQ(va, 42);
	CHECK_EQ(cs[0].status, GORO_OK);
	/* a closed channel is ready, its receive zeroed */
	goro_chan_close(b);
	vb = 5;
	CHECK_EQ(goro_select(cs, 2, -1), 1);
	CHECK_EQ(cs[1].status, GORO_CLOSED);
	CHECK_EQ(vb, 0);
	goro_chan_free(a);
	goro_chan_free(b);
}

static void test_sleep(void)
{
	int64_t t0 = goro_now();

	goro_sleep(15000000);
	CHECK(goro_now() - t0 >= 15000000);
	CHECK(goro_now() - t0 < 5LL * 1000 * 1000 * 1000);
}

struct mc { goro_mutex m; long n; long per; goro_waitgroup wg; };

static void mutex_worker(void *arg)
{
	struct mc *s = arg;
	for (long i = 0; i < s->per; i++) {
		goro_mutex_lock(&s->m);
		long v = s->n;
		if ((i & 15) == 0)
			goro_yield();	/* hold it across a switch now and then */
		s->n = v + 1;
		goro_mutex_unlock(&s->m);
	}
	goro_wg_done(&s->wg);
}

static void test_mutex_counter(void)
{
	struct mc s = { .m = GORO_MUTEX_INIT, .per = SCALE(5000, 1000), .wg = GORO_WAITGROUP_INIT };

	goro_wg_add(&s.wg, 8);
	for (int i = 0; i < 8; i++)
		goro_spawn(mutex_worker, &s);
	goro_wg_wait(&s.wg);
	CHECK_EQ(s.n, 8 * s.per);
	CHECK_EQ(goro_mutex_unlock(&s.m), GORO_INVAL);
}

struct fan { goro_waitgroup wg; atomic_long done; };

static void fan_leaf(void *arg)
{
	struct fan *f = arg;
	goro_sleep(1000000);
	atomic_fetch_add(&f->done, 1);
	goro_wg_done(&f->wg);
}

static void fan_mid(void *arg)
{
	struct fan *f = arg;
	for (int i = 0; i < 10; i++)
		goro_spawn(fan_leaf, f);
	goro_wg_done(&f->wg);
}

static void test_waitgroup_fanout(void)
{
	struct fan f = { .wg = GORO_WAITGROUP_INIT };

	goro_wg_add(&f.wg, 10 + 100);
	for (int i = 0; i < 10; i++)
		goro_spawn(fan_mid, &f);
	goro_wg_wait(&f.wg);
	CHECK_EQ(atomic_load(&f.done), 100);
	CHECK_EQ(goro_wg_add(&f.wg, -1), GORO_INVAL);
}

struct rw { goro_rwmutex m; long a, b; atomic_int bad; goro_waitgroup wg; };

static void rw_worker(void *arg)
{
	struct rw *s = arg;
	for (int i = 0; i < 500; i++) {
		if (i % 5 == 0) {
			goro_rwmutex_lock(&s->m);
			s->a++;
			goro_yield();
			s->b++;
			goro_rwmutex_unlock(&s->m);
		} else {
			goro_rwmutex_rlock(&s->m);
			if (s->a != s->b)
				atomic_store(&s->bad, 1);
			goro_rwmutex_runlock(&s->m);
		}
	}
	goro_wg_done(&s->wg);
}

static void test_rwmutex(void)
{
	struct rw s = { .m = GORO_RWMUTEX_INIT, .wg = GORO_WAITGROUP_INIT };

	goro_wg_add(&s.wg, 6);
	for (int i = 0; i < 6; i++)
		goro_spawn(rw_worker, &s);
	goro_wg_wait(&s.wg);
	CHECK_EQ(s.a, 6 * 100);
	CHECK_EQ(s.a, s.b);
	CHECK_EQ(atomic_load(&s.bad), 0);
}

/* Two goroutines that each wait, without yielding, for the other to be
 * running: only two OS threads at once can satisfy both. Each checks that
 * its thread has its own, freshly initialised TLS. */
struct two { atomic_int in[2]; long tid[2]; long *tls[2]; int fresh[2]; goro_waitgroup wg; };

static void spinner(void *arg)
{
	struct two *t = (struct two *)((uintptr_t)arg & ~(uintptr_t)1);
	int me = (int)((uintptr_t)arg & 1);
	int64_t deadline = goro_now() + 20LL * 1000 * 1000 * 1000;

	t->tid[me] = sys_gettid();
	t->tls[me] = tls_data_addr();
	t->fresh[me] = tls_data == 0x5eed1234 && tls_zero[0] == 0;
	atomic_store(&t->in[me], 1);
	while (!atomic_load(&t->in[!me]) && goro_now() < deadline)
		;
	goro_wg_done(&t->wg);
}

static void test_procs2_two_threads(void)
{
	struct two t = { .wg = GORO_WAITGROUP_INIT };

	CHECK_EQ(goro_procs(), 2);
	goro_wg_add(&t.wg, 2);
	goro_spawn(spinner, (void *)((uintptr_t)&t | 0));
	goro_spawn(spinner, (void *)((uintptr_t)&t | 1));
	goro_wg_wait(&t.wg);
	CHECK(atomic_load(&t.in[0]) && atomic_load(&t.in[1]));
	CHECK(t.tid[0] != t.tid[1]);
	CHECK(t.tls[0] != t.tls[1]);
	CHECK(t.fresh[0] && t.fresh[1]);
	CHECK(t.tid[0] != sys_getpid() && t.tid[1] != sys_getpid());
}

/* ---- Descriptors: host/nolibc's epoll backend and raw calls ---- */

/* The echo side of a connection: write back what arrives, until EOF. */
static void echo_back(void *arg)
{
	goro_fd f = *(goro_fd *)arg;
	char buf[1024];
	size_t n;

	while (goro_read(f, buf, sizeof buf, &n) == GORO_OK)
		if (goro_write(f, buf, n, NULL) != GORO_OK)
			break;
	goro_fd_close(f);
}

static int read_full(goro_fd f, void *buf, size_t len)
{
	size_t got = 0, n;

	while (got < len) {
		int st = goro_read(f, (char *)buf + got, len - got, &n);
		if (st != GORO_OK)
			return st;
		got += n;
	}
	return GORO_OK;
}

/* rounds messages of len bytes, each a pattern of (seed, round), echoed and
 * compared; the status of the first failure or OK. */
static int exchange(goro_fd f, long rounds, size_t len, int seed)
{
	char msg[512], got[512];

	for (long r = 0; r < rounds; r++) {
		for (size_t i = 0; i < len; i++)
			msg[i] = (char)(seed * 31 + r * 7 + (long)i);
		int st = goro_write(f, msg, len, NULL);
		if (st == GORO_OK)
			st = read_full(f, got, len);
		if (st != GORO_OK)
			return st;
		if (memcmp(msg, got, len) != 0)
			return GORO_INVAL;
	}
	return GORO_OK;
}

static void test_net_socketpair(void)
{
	int sv[2];
	goro_fd a, b;
	size_t n;
	char c;

	CHECK_EQ(sys_socketpair(NOLIBC_AF_UNIX, NOLIBC_SOCK_STREAM | NOLIBC_SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(goro_fd_open(sv[0], &a), GORO_OK);
	CHECK_EQ(goro_fd_open(sv[1], &b), GORO_OK);
	CHECK_EQ(goro_spawn_copy(echo_back, &b, sizeof b), GORO_OK);
	CHECK_EQ(exchange(a, SCALE(2000, 300), 100, 1), GORO_OK);
	/* The echo side closes once it has read our EOF: we then read EOF. */
	CHECK_EQ(sys_shutdown(sv[0], NOLIBC_SHUT_WR), 0);
	CHECK_EQ(goro_read(a, &c, 1, &n), GORO_EOF);
	CHECK_EQ(goro_fd_close(a), GORO_OK);
	CHECK_EQ(goro_read(a, &c, 1, &n), GORO_CLOSED);
	CHECK_EQ(goro_fd_close(a), GORO_CLOSED);
}

enum { TCP_CLIENTS = 4 };
struct tcp_client { char addr[32]; int id, status; goro_waitgroup *wg; };

static void tcp_acceptor(void *arg)
{
	goro_fd ln = *(goro_fd *)arg, c;

	while (goro_accept(ln, &c, NULL, NULL) == GORO_OK)
		goro_spawn_copy(echo_back, &c, sizeof c);
}

static void tcp_client(void *arg)
{
	struct tcp_client *t = arg;
	goro_fd c;

	t->status = goro_dial("tcp", t->addr, -1, &c);
	if (t->status == GORO_OK) {
		t->status = exchange(c, SCALE(500, 100), 512, t->id);
		goro_fd_close(c);
	}
	goro_wg_done(t->wg);
}

static void put_addr(char *p, const char *host, int port)
{
	char num[8], *q = num + sizeof num;

	while (*host)
		*p++ = *host++;
	*p++ = ':';
	*--q = '\0';
	do
		*--q = (char)('0' + port % 10);
	while ((port /= 10) != 0);
	while (*q)
		*p++ = *q++;
	*p = '\0';
}

static void test_net_tcp(void)
{
	struct tcp_client cl[TCP_CLIENTS];
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_fd ln, c;
	int port;

	CHECK_EQ(goro_listen("tcp", "127.0.0.1:0", &ln), GORO_OK);
	port = goro_fd_port(ln);
	CHECK(port > 0);
	CHECK_EQ(goro_spawn_copy(tcp_acceptor, &ln, sizeof ln), GORO_OK);
	goro_wg_add(&wg, TCP_CLIENTS);
	for (int i = 0; i < TCP_CLIENTS; i++) {
		/* half by number, half by name: localhost comes from /etc/hosts or
		 * the built-in fallback */
		put_addr(cl[i].addr, i % 2 ? "localhost" : "127.0.0.1", port);
		cl[i].id = i;
		cl[i].wg = &wg;
		CHECK_EQ(goro_spawn(tcp_client, &cl[i]), GORO_OK);
	}
	goro_wg_wait(&wg);
	for (int i = 0; i < TCP_CLIENTS; i++)
		CHECK_EQ(cl[i].status, GORO_OK);
	/* a dialed connection has TCP_NODELAY on (plat_setnodelay) */
	int on = 0;
	uint32_t ol = sizeof on;
	CHECK_EQ(goro_dial("tcp", cl[0].addr, -1, &c), GORO_OK);
	CHECK_EQ(sys_getsockopt(goro_fd_sysfd(c), NOLIBC_IPPROTO_TCP, NOLIBC_TCP_NODELAY, &on, &ol), 0);
	CHECK(on != 0);
	CHECK_EQ(goro_fd_close(c), GORO_OK);
	CHECK_EQ(goro_fd_close(ln), GORO_OK);
	/* a unix listener's close unlinks its file (plat_unlink): the path
	 * can be listened on again */
	char path[48] = "/tmp/goro-nolibc-test";
	put_addr(path + 21, "", (int)sys_getpid());	/* ":pid" */
	path[21] = '-';
	CHECK_EQ(goro_listen("unix", path, &ln), GORO_OK);
	CHECK_EQ(goro_fd_close(ln), GORO_OK);
	CHECK_EQ(goro_listen("unix", path, &ln), GORO_OK);
	CHECK_EQ(goro_fd_close(ln), GORO_OK);
	CHECK_EQ(sys_unlinkat(NOLIBC_AT_FDCWD, path, 0), -NOLIBC_ENOENT);	/* gone already */
	/* Nobody listens there now: refused, as an errno status. */
	CHECK_EQ(goro_dial("tcp", cl[0].addr, -1, &c), GORO_ERRNO(111));	/* ECONNREFUSED */
	CHECK_EQ(goro_dial("tcp", "no.such.host.invalid:1", -1, &c), GORO_ERRNO(NOLIBC_ENOENT));
}

enum { PIPE_BYTES = 256 << 10 };	/* four times a pipe's buffer: the writer parks */
struct pipe_w { goro_fd w; int status; goro_waitgroup wg; };

static void pipe_writer(void *arg)
{
	struct pipe_w *p = arg;
	static char chunk[4096];
	int st = GORO_OK;

	for (long off = 0; off < PIPE_BYTES && st == GORO_OK; off += sizeof chunk) {
		for (size_t i = 0; i < sizeof chunk; i++)
			chunk[i] = (char)((off + (long)i) % 251);
		st = goro_write(p->w, chunk, sizeof chunk, NULL);
	}
	p->status = st;
	goro_fd_close(p->w);
	goro_wg_done(&p->wg);
}

static void test_net_pipe(void)
{
	struct pipe_w p = { .wg = GORO_WAITGROUP_INIT };
	int fd[2], bad = 0;
	long total = 0;
	goro_fd r;
	char buf[1000], x = 'x';
	size_t n;
	int st;

	CHECK_EQ(sys_pipe2(fd, NOLIBC_O_CLOEXEC), 0);
	CHECK_EQ(goro_fd_open(fd[0], &r), GORO_OK);
	CHECK_EQ(goro_fd_open(fd[1], &p.w), GORO_OK);
	goro_wg_add(&p.wg, 1);
	CHECK_EQ(goro_spawn(pipe_writer, &p), GORO_OK);
	while ((st = goro_read(r, buf, sizeof buf, &n)) == GORO_OK) {
		for (size_t i = 0; i < n; i++)
			bad += buf[i] != (char)((total + (long)i) % 251);
		total += (long)n;
	}
	CHECK_EQ(st, GORO_EOF);
	CHECK_EQ(total, PIPE_BYTES);
	CHECK_EQ(bad, 0);
	goro_wg_wait(&p.wg);
	CHECK_EQ(p.status, GORO_OK);
	CHECK_EQ(goro_fd_close(r), GORO_OK);

	/* A write to a pipe nobody reads: EPIPE, and no SIGPIPE kills us. */
	CHECK_EQ(sys_pipe2(fd, NOLIBC_O_CLOEXEC), 0);
	CHECK_EQ(goro_fd_open(fd[1], &p.w), GORO_OK);
	sys_close(fd[0]);
	CHECK_EQ(goro_write(p.w, &x, 1, NULL), GORO_ERRNO(NOLIBC_EPIPE));
	CHECK_EQ(goro_fd_close(p.w), GORO_OK);
}

/* A read deadline expires for a reader already parked; the poller's timed
 * wait (epoll_pwait2, or epoll_pwait under qemu) ends it. */
static void test_net_deadline(void)
{
	int sv[2];
	goro_fd a;
	size_t n;
	char c;

	CHECK_EQ(sys_socketpair(NOLIBC_AF_UNIX, NOLIBC_SOCK_STREAM | NOLIBC_SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(goro_fd_open(sv[0], &a), GORO_OK);
	int64_t t0 = goro_now();
	CHECK_EQ(goro_fd_set_deadline(a, GORO_FD_READ, t0 + 20 * 1000000), GORO_OK);
	CHECK_EQ(goro_read(a, &c, 1, &n), GORO_TIMEOUT);
	int64_t dt = goro_now() - t0;
	CHECK(dt >= 20 * 1000000);
	CHECK(dt < 5000 * 1000000LL);	/* generous: a loaded machine */
	/* A short sleep with the poller in use: not rounded to a millisecond
	 * where epoll_pwait2 exists, never early where it does not. */
	t0 = goro_now();
	goro_sleep(100000);
	CHECK(goro_now() - t0 >= 100000);
	CHECK_EQ(goro_fd_close(a), GORO_OK);
	sys_close(sv[1]);
}

/* The host's own halves: the resolver and the sockaddr layouts. */
static void test_net_host(void)
{
	struct plat_addr ad[4];
	unsigned char sa[128];

	CHECK_EQ(plat_resolve("10.1.2.3", 0, ad, 4), 1);
	CHECK_EQ(ad[0].family, PLAT_AF_INET);
	CHECK_EQ(ad[0].ip[0], 10);
	CHECK_EQ(ad[0].ip[3], 3);
	CHECK_EQ(plat_resolve("fe80::1:2", 0, ad, 4), 1);
	CHECK_EQ(ad[0].family, PLAT_AF_INET6);
	CHECK_EQ(ad[0].ip[0], 0xfe);
	CHECK_EQ(ad[0].ip[13], 1);
	CHECK_EQ(ad[0].ip[15], 2);
	CHECK_EQ(plat_resolve("::ffff:1.2.3.4", PLAT_AF_INET6, ad, 4), 1);
	CHECK_EQ(ad[0].ip[10], 0xff);
	CHECK_EQ(ad[0].ip[12], 1);
	CHECK_EQ(plat_resolve("10.1.2.3", PLAT_AF_INET6, ad, 4), -NOLIBC_ENOENT);
	CHECK_EQ(plat_resolve("1::2::3", 0, ad, 4), -NOLIBC_ENOENT);
	CHECK_EQ(plat_resolve("256.1.1.1", 0, ad, 4), -NOLIBC_ENOENT);
	CHECK(plat_resolve("localhost", PLAT_AF_INET, ad, 4) >= 1);
	CHECK_EQ(ad[0].ip[0], 127);

	ad[0] = (struct plat_addr){ .family = PLAT_AF_INET, .port = 0x1234, .ip = { 127, 0, 0, 1 } };
	CHECK_EQ(plat_sockaddr(&ad[0], sa, sizeof sa), 16);
	CHECK_EQ(sa[0] | sa[1] << 8, NOLIBC_AF_INET);
	CHECK_EQ(sa[2], 0x12);	/* the port, big-endian */
	CHECK_EQ(sa[3], 0x34);
	CHECK_EQ(sa[4], 127);
	ad[0] = (struct plat_addr){ .family = PLAT_AF_INET6, .port = 80, .scope = 7 };
	CHECK_EQ(plat_sockaddr(&ad[0], sa, sizeof sa), 28);
	CHECK_EQ(sa[24], 7);
	ad[0] = (struct plat_addr){ .family = PLAT_AF_UNIX, .path = "/tmp/x", .pathlen = 6 };
	CHECK_EQ(plat_sockaddr(&ad[0], sa, sizeof sa), 2 + 6 + 1);
	ad[0].pathlen = 108;	/* no room for the NUL */
	CHECK_EQ(plat_sockaddr(&ad[0], sa, sizeof sa), -NOLIBC_EINVAL);
	CHECK(plat_strerror(104)[0] == 'C');	/* Connection reset by peer */
}

/* The events plat_netpoll reports for key, or'ed, out of one call. */
static uint32_t poll_modes(int64_t delay, uint64_t key, int *breaks)
{
	struct plat_pollev ev[128];
	int n = plat_netpoll(delay, ev, 128);
	uint32_t m = 0;

	for (int i = 0; i < n; i++) {
		if (ev[i].key == key)
			m |= ev[i].mode;
		if (ev[i].key == 0 && breaks != NULL)
			(*breaks)++;
	}
	return m;
}

/* The backend alone, before goro_main starts the scheduler, so no poller in
 * core competes for the events: registration once, edge-triggered reports,
 * the break, timeouts, and the raw socket calls of a loopback connection. */
static void test_net_backend(void)
{
	const uint64_t K1 = 0x100000001ull, K2 = 0x200000002ull, K3 = 0x300000003ull;
	unsigned char sa[128];
	struct plat_addr lo = { .family = PLAT_AF_INET, .ip = { 127, 0, 0, 1 } };
	int sv[2], pfd[2], breaks = 0;
	char c = 'x';

	netpollGenericInit();
	if (!netpollinited())	/* a core whose poller is still a stub */
		CHECK_EQ(plat_netpollinit(), 0);

	CHECK_EQ(sys_socketpair(NOLIBC_AF_UNIX, NOLIBC_SOCK_STREAM | NOLIBC_SOCK_CLOEXEC, 0, sv), 0);
	CHECK_EQ(plat_fd_kind(sv[0]), PLAT_FD_SOCKET);
	CHECK_EQ(plat_setnonblock(sv[0]), 0);
	CHECK_EQ(plat_netpollopen(sv[0], K1), 0);
	/* Registered writable and nothing to read: one WRITE edge, then quiet. */
	CHECK_EQ(poll_modes(0, K1, NULL), PLAT_POLL_WRITE);
	CHECK_EQ(poll_modes(0, K1, NULL), 0);
	CHECK_EQ(plat_read(sv[0], &c, 1), -NOLIBC_EAGAIN);
	CHECK_EQ(plat_fdpoll(sv[0], PLAT_POLL_READ | PLAT_POLL_WRITE), PLAT_POLL_WRITE);
	CHECK_EQ(plat_write(sv[1], "y", 1, PLAT_FD_SOCKET), 1);
	CHECK(poll_modes(1000000000, K1, NULL) & PLAT_POLL_READ);
	CHECK_EQ(poll_modes(0, K1, NULL), 0);	/* edge-triggered: not re-armed */
	/* ...but plat_fdpoll tells the state, every time it is asked */
	CHECK_EQ(plat_fdpoll(sv[0], PLAT_POLL_READ), PLAT_POLL_READ);
	CHECK_EQ(plat_fdpoll(sv[0], PLAT_POLL_READ), PLAT_POLL_READ);
	CHECK_EQ(plat_read(sv[0], &c, 1), 1);
	CHECK_EQ(c, 'y');

	/* A break is left for a blocking poll by a look (delay 0), and drained
	 * by the blocking one, once. */
	plat_netpollbreak();
	poll_modes(0, K1, &breaks);
	CHECK_EQ(breaks, 0);
	poll_modes(5000000000LL, K1, &breaks);	/* returns at once: the break */
	CHECK_EQ(breaks, 1);
	poll_modes(0, K1, &breaks);
	CHECK_EQ(breaks, 1);
	/* A timed wait with nothing to report lasts its time, not less. */
	int64_t t0 = plat_nanotime();
	CHECK_EQ(poll_modes(3000000, K1, &breaks), 0);
	CHECK(plat_nanotime() - t0 >= 3000000);
	CHECK(plat_nanotime() - t0 < 5000000000LL);

	/* The peer hangs up: readable (EOF), as Go treats RDHUP. */
	sys_close(sv[1]);
	CHECK(poll_modes(1000000000, K1, NULL) & PLAT_POLL_READ);
	CHECK(plat_fdpoll(sv[0], PLAT_POLL_READ) & PLAT_POLL_READ);
	CHECK_EQ(plat_read(sv[0], &c, 1), 0);
	CHECK_EQ(plat_netpollclose(sv[0]), 0);
	CHECK_EQ(plat_netpollclose(sv[0]), -2);	/* ENOENT: registered no more */
	CHECK_EQ(plat_close(sv[0]), 0);
	CHECK_EQ(plat_fdpoll(sv[0], PLAT_POLL_READ), -NOLIBC_EBADF);

	/* A regular file: the poller refuses it, so core will run it blocking. */
	long f = sys_openat(NOLIBC_AT_FDCWD, "/etc/hosts", NOLIBC_O_RDONLY | NOLIBC_O_CLOEXEC);
	if (f >= 0) {
		CHECK_EQ(plat_fd_kind((int)f), PLAT_FD_OTHER);
		CHECK(plat_netpollopen((int)f, K2) < 0);
		sys_close((int)f);
	}

	/* A pipe: its kind, and EPIPE without a SIGPIPE once the reader is gone. */
	CHECK_EQ(sys_pipe2(pfd, NOLIBC_O_CLOEXEC | NOLIBC_O_NONBLOCK), 0);
	CHECK_EQ(plat_fd_kind(pfd[1]), PLAT_FD_PIPE);
	sys_close(pfd[0]);
	CHECK_EQ(plat_write(pfd[1], "z", 1, PLAT_FD_PIPE), -NOLIBC_EPIPE);
	sys_close(pfd[1]);

	/* Loopback TCP by the raw calls: listen, a non-blocking connect that
	 * completes once writable, accept. */
	int l = plat_socket(PLAT_AF_INET), s = plat_socket(PLAT_AF_INET), a = -1;
	CHECK(l >= 0 && s >= 0);
	int salen = plat_sockaddr(&lo, sa, sizeof sa);
	CHECK_EQ(salen, 16);
	CHECK_EQ(plat_listen(l, sa, (uint32_t)salen, 16), 0);
	int port = plat_sockport(l);
	CHECK(port > 0);
	lo.port = (uint16_t)port;
	salen = plat_sockaddr(&lo, sa, sizeof sa);
	CHECK_EQ(plat_netpollopen(l, K2), 0);
	CHECK_EQ(plat_netpollopen(s, K3), 0);
	CHECK_EQ(plat_getpeername(s), -NOLIBC_ENOTCONN);
	int r = plat_connect(s, sa, (uint32_t)salen);
	CHECK(r == 0 || r == -NOLIBC_EINPROGRESS);
	for (int i = 0; i < 100 && a < 0; i++) {
		a = plat_accept(l, NULL, NULL);
		if (a == -NOLIBC_EAGAIN)
			poll_modes(100000000, K2, NULL);
	}
	CHECK(a >= 0);
	CHECK(poll_modes(0, K3, NULL) & PLAT_POLL_WRITE);
	CHECK_EQ(plat_sockerror(s), 0);
	CHECK_EQ(plat_getpeername(s), 0);
	CHECK_EQ(plat_write(s, "hi", 2, PLAT_FD_SOCKET), 2);
	char buf[4] = { 0 };
	for (int i = 0; i < 100 && plat_read(a, buf, 2) == -NOLIBC_EAGAIN; i++)
		plat_osyield();
	CHECK(buf[0] == 'h' && buf[1] == 'i');
	plat_netpollclose(l);
	plat_netpollclose(s);
	plat_close(a);
	plat_close(s);
	/* Nobody listens now: refused, through SO_ERROR or at once. */
	plat_close(l);
	s = plat_socket(PLAT_AF_INET);
	CHECK_EQ(plat_netpollopen(s, K3), 0);
	r = plat_connect(s, sa, (uint32_t)salen);
	if (r == -NOLIBC_EINPROGRESS) {
		poll_modes(1000000000, K3, NULL);
		r = -plat_sockerror(s);
	}
	CHECK_EQ(r, -111);	/* ECONNREFUSED */
	plat_netpollclose(s);
	plat_close(s);
}

/* Goroutines run on the runtime's clones, never on the thread blocked in
 * goro_main: their TLS is not the main thread's, and starts from the image. */
static long *main_tls;

static void test_tls_threads(void)
{
	long *mine = tls_data_addr();

	CHECK(mine != main_tls);
	CHECK_EQ(*mine, 0x5eed1234);
}

static int goro_body(void *arg)
{
	(void)arg;
	run("tls_threads", test_tls_threads);
	run("spawn_many", test_spawn_many);
	run("pingpong", test_pingpong);
	run("prodcons_checksum", test_prodcons);
	run("select_timeout", test_select);
	run("sleep", test_sleep);
	run("mutex_counter", test_mutex_counter);
	run("rwmutex", test_rwmutex);
	run("waitgroup_fanout", test_waitgroup_fanout);
	run("procs2_two_threads", test_procs2_two_threads);
	run("net_socketpair", test_net_socketpair);
	run("net_tcp", test_net_tcp);
	run("net_pipe", test_net_pipe);
	run("net_deadline", test_net_deadline);
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	goro_config cfg = { .procs = 2 };
	int r;

	if (argc > 1)
		only = argv[1];
	main_envp = envp;
	main_tls = tls_data_addr();
	run("tls_main_thread", test_tls_main_thread);
	run("getenv", test_getenv);
	run("stack_overflow", test_stack_overflow);
	run("deadlock", test_deadlock);
	run("unexpected_signal", test_unexpected_signal);
	run("net_host", test_net_host);
	run("net_backend", test_net_backend);
	r = goro_main(&cfg, goro_body, NULL);
	if (r != 0) {
		out("goro_main returned ");
		outnum(r);
		out("\n");
		nfailed++;
	}
	outnum(npassed);
	out(" passed, ");
	outnum(nfailed);
	out(" failed\n");
	return nfailed == 0 ? 0 : 1;
}
