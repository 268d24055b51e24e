/* Channel tests: direct handoff, buffering and FIFO order, close in every
 * state, the non-blocking forms, odd element sizes, misuse, stress, and
 * channels shared with plain pthreads. Pairs with core/chan.c (Go's chan.go;
 * tests after chan_test.go, whose names they keep where one exists). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

static bool all_bytes(const void *p, int byte, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)byte)
			return false;
	return true;
}

/* ---- TestChan (chan_test.go): for each capacity, receive from empty
 * blocks, send to full blocks, closed gives zeros after the buffered values,
 * close unblocks a receive, FIFO order, 4 senders x 4 receivers, len/cap ---- */

#define TC_CAPS TEST_SCALE(20, 8)
static atomic_int tc_recv1, tc_sent;
static goro_chan *tc_done;

/* The channel comes as the argument, not through a global that the next
 * block overwrites: a late receiver's read of it would race that write. */
static void tc_recv_fn(void *arg)
{
	int v;
	goro_chan_recv(arg, &v);
	atomic_store(&tc_recv1, 1);
}

static void tc_send_fn(void *arg)
{
	int z = 0;
	goro_chan_send(arg, &z);
	atomic_store(&tc_sent, 1);
}

static void tc_close_recv_fn(void *arg)
{
	goro_chan *c = arg;
	int v = -1;
	int ok = goro_chan_recv(c, &v) == GORO_CLOSED && v == 0;
	ck_assert_int_eq(goro_chan_send(tc_done, &ok), GORO_OK);
}

static void tc_fifo_fn(void *arg)
{
	goro_chan *c = arg;
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
}

#define TC_P 4
#define TC_L 1000
static atomic_int tc_recv_counts[TC_L];

static void tc_multi_send_fn(void *arg)
{
	goro_chan *c = arg;
	for (int i = 0; i < TC_L; i++)
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
}

static void tc_multi_recv_fn(void *arg)
{
	goro_chan *c = arg;
	for (int i = 0; i < TC_L; i++) {
		int v;
		ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
		ck_assert(v >= 0 && v < TC_L);
		atomic_fetch_add(&tc_recv_counts[v], 1);
	}
	test_signal_done(tc_done);
}

GORO_TEST(TestChan, 4)
{
	tc_done = goro_chan_make(sizeof(int), 2 * TC_P);
	ck_assert_ptr_nonnull(tc_done);
	for (int cap = 0; cap < TC_CAPS; cap++) {
		int v, zero = 0;
		{	/* receive from an empty channel blocks */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			ck_assert_ptr_nonnull(c);
			atomic_store(&tc_recv1, 0);
			ck_assert_int_eq(goro_spawn(tc_recv_fn, c), GORO_OK);
			ck_assert_int_eq(goro_spawn(tc_recv_fn, c), GORO_OK);
			goro_sleep(1 * MS);
			ck_assert_msg(!atomic_load(&tc_recv1), "chan[%d]: receive from empty chan", cap);
			ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_AGAIN);
			goro_case cs = { c, GORO_RECV, &v, 99, { 0 } };
			ck_assert_int_eq(goro_select(&cs, 1, 0), GORO_AGAIN);
			ck_assert_int_eq(goro_chan_send(c, &zero), GORO_OK);
			ck_assert_int_eq(goro_chan_send(c, &zero), GORO_OK);
			ck_assert(test_wait_flag(&tc_recv1));
			/* the receivers are gone once both values are taken */
			while (goro_chan_len(c) != 0)
				goro_yield();
		}
		{	/* send to a full channel blocks */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			for (int i = 0; i < cap; i++)
				ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
			atomic_store(&tc_sent, 0);
			ck_assert_int_eq(goro_spawn(tc_send_fn, c), GORO_OK);
			goro_sleep(1 * MS);
			ck_assert_msg(!atomic_load(&tc_sent), "chan[%d]: send to full chan", cap);
			ck_assert_int_eq(goro_chan_trysend(c, &zero), GORO_AGAIN);
			goro_case cs = { c, GORO_SEND, &zero, 99, { 0 } };
			ck_assert_int_eq(goro_select(&cs, 1, 0), GORO_AGAIN);
			ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
			ck_assert(test_wait_flag(&tc_sent));
		}
		{	/* zeros from a closed channel, after what was buffered */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			for (int i = 0; i < cap; i++)
				ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
			ck_assert_int_eq(goro_chan_close(c), GORO_OK);
			for (int i = 0; i < cap; i++) {
				ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
				ck_assert_msg(v == i, "chan[%d]: received %d, expected %d", cap, v, i);
			}
			v = 7;
			ck_assert_int_eq(goro_chan_recv(c, &v), GORO_CLOSED);
			ck_assert_int_eq(v, 0);
			goro_chan_free(c);
		}
		{	/* close unblocks a receive */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			ck_assert_int_eq(goro_spawn(tc_close_recv_fn, c), GORO_OK);
			goro_sleep(1 * MS);
			ck_assert_int_eq(goro_chan_close(c), GORO_OK);
			int ok;
			ck_assert_int_eq(goro_chan_recv(tc_done, &ok), GORO_OK);
			ck_assert_msg(ok, "chan[%d]: received non zero from closed chan", cap);
		}
		{	/* 100 integers in FIFO order, twice; then 4 x 1000 */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			for (int round = 0; round < 2; round++) {
				ck_assert_int_eq(goro_spawn(tc_fifo_fn, c), GORO_OK);
				for (int i = 0; i < 100; i++) {
					ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
					ck_assert_msg(v == i, "chan[%d]: received %d, expected %d", cap, v, i);
				}
			}
			for (int i = 0; i < TC_L; i++)
				atomic_store(&tc_recv_counts[i], 0);
			for (int p = 0; p < TC_P; p++)
				ck_assert_int_eq(goro_spawn(tc_multi_send_fn, c), GORO_OK);
			for (int p = 0; p < TC_P; p++)
				ck_assert_int_eq(goro_spawn(tc_multi_recv_fn, c), GORO_OK);
			test_wait_done(tc_done, TC_P);
			for (int i = 0; i < TC_L; i++)
				ck_assert_msg(atomic_load(&tc_recv_counts[i]) == TC_P,
				              "chan[%d]: value %d received %d times, expected %d",
				              cap, i, atomic_load(&tc_recv_counts[i]), TC_P);
			goro_chan_free(c);
		}
		{	/* len/cap */
			goro_chan *c = goro_chan_make(sizeof(int), cap);
			ck_assert_uint_eq(goro_chan_len(c), 0);
			ck_assert_uint_eq(goro_chan_cap(c), (size_t)cap);
			for (int i = 0; i < cap; i++)
				ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
			ck_assert_uint_eq(goro_chan_len(c), (size_t)cap);
			ck_assert_uint_eq(goro_chan_cap(c), (size_t)cap);
			goro_chan_free(c);
		}
	}
	return 0;
}

/* ---- TestChanPingPong: a value goes back and forth over two unbuffered
 * channels, incremented each way; every hop is a direct handoff ---- */

#define PP_ROUNDS TEST_SCALE(100000, 10000)
static goro_chan *pp_ping, *pp_pong;

static void pp_echo(void *arg)
{
	(void)arg;
	uint64_t v;
	while (goro_chan_recv(pp_ping, &v) == GORO_OK) {
		v++;
		ck_assert_int_eq(goro_chan_send(pp_pong, &v), GORO_OK);
	}
}

GORO_TEST(TestChanPingPong, 1 + _i)   /* procs 1 and 2 */
{
	pp_ping = goro_chan_make(sizeof(uint64_t), 0);
	pp_pong = goro_chan_make(sizeof(uint64_t), 0);
	ck_assert_ptr_nonnull(pp_ping);
	ck_assert_ptr_nonnull(pp_pong);
	ck_assert_int_eq(goro_spawn(pp_echo, NULL), GORO_OK);
	for (uint64_t i = 0; i < PP_ROUNDS; i++) {
		uint64_t v = i * 2 + 0x1234567800000000ull;
		ck_assert_int_eq(goro_chan_send(pp_ping, &v), GORO_OK);
		uint64_t w = 0;
		ck_assert_int_eq(goro_chan_recv(pp_pong, &w), GORO_OK);
		ck_assert_msg(w == v + 1, "round %llu: sent %llx, got back %llx",
		              (unsigned long long)i, (unsigned long long)v, (unsigned long long)w);
		/* unbuffered: nothing is ever queued */
		ck_assert_uint_eq(goro_chan_len(pp_ping), 0);
	}
	ck_assert_int_eq(goro_chan_close(pp_ping), GORO_OK);
	return 0;
}

/* ---- TestChanProdCons: several producers and consumers over channels of
 * capacity 0, 1, 2, 16, 128. Values are (producer id << 32 | seq), each
 * unique; count, sum and xor show nothing was lost or duplicated, and each
 * consumer sees every producer's seqs increase (FIFO per sender). ---- */

static const size_t pc_caps[] = { 0, 1, 2, 16, 128 };
#define PC_PROD 4
#define PC_CONS 4
#define PC_N TEST_SCALE(20000, 2000)
static goro_chan *pc_c, *pc_done;
static atomic_ullong pc_sum, pc_xor;
static atomic_long pc_count;

static uint64_t pc_value(uint64_t id, uint64_t seq)
{
	return (id + 1) << 32 | seq;
}

static void pc_producer(void *arg)
{
	uint64_t id = *(int *)arg;
	for (uint64_t seq = 0; seq < PC_N; seq++) {
		uint64_t v = pc_value(id, seq);
		ck_assert_int_eq(goro_chan_send(pc_c, &v), GORO_OK);
	}
	test_signal_done(pc_done);
}

static void pc_consumer(void *arg)
{
	(void)arg;
	int64_t last[PC_PROD];
	for (int i = 0; i < PC_PROD; i++)
		last[i] = -1;
	uint64_t sum = 0, x = 0;
	long n = 0;
	uint64_t v;
	int st;
	while ((st = goro_chan_recv(pc_c, &v)) == GORO_OK) {
		uint64_t id = (v >> 32) - 1;
		int64_t seq = (int64_t)(v & 0xffffffffu);
		ck_assert_msg(id < PC_PROD && seq < PC_N, "bad value %llx", (unsigned long long)v);
		ck_assert_msg(seq > last[id], "producer %d: seq %lld after %lld",
		              (int)id, (long long)seq, (long long)last[id]);
		last[id] = seq;
		sum += v;
		x ^= v;
		n++;
	}
	ck_assert_int_eq(st, GORO_CLOSED);
	ck_assert_msg(v == 0, "closed receive left %llx", (unsigned long long)v);
	atomic_fetch_add(&pc_sum, sum);
	atomic_fetch_xor(&pc_xor, x);
	atomic_fetch_add(&pc_count, n);
	test_signal_done(pc_done);
}

GORO_TEST(TestChanProdCons, 2)
{
	size_t cap = pc_caps[_i];
	pc_c = goro_chan_make(sizeof(uint64_t), cap);
	pc_done = goro_chan_make(sizeof(int), PC_PROD + PC_CONS);
	ck_assert_ptr_nonnull(pc_c);
	ck_assert_ptr_nonnull(pc_done);
	for (int i = 0; i < PC_CONS; i++)
		ck_assert_int_eq(goro_spawn(pc_consumer, NULL), GORO_OK);
	for (int i = 0; i < PC_PROD; i++)
		ck_assert_int_eq(goro_spawn_copy(pc_producer, &i, sizeof i), GORO_OK);
	test_wait_done(pc_done, PC_PROD);
	ck_assert_int_eq(goro_chan_close(pc_c), GORO_OK);
	test_wait_done(pc_done, PC_CONS);

	uint64_t sum = 0, x = 0;
	for (uint64_t id = 0; id < PC_PROD; id++)
		for (uint64_t seq = 0; seq < PC_N; seq++) {
			sum += pc_value(id, seq);
			x ^= pc_value(id, seq);
		}
	ck_assert_int_eq(atomic_load(&pc_count), (long)PC_PROD * PC_N);
	ck_assert_msg(atomic_load(&pc_sum) == sum, "sum %llx, want %llx",
	              (unsigned long long)atomic_load(&pc_sum), (unsigned long long)sum);
	ck_assert_msg(atomic_load(&pc_xor) == x, "xor %llx, want %llx",
	              (unsigned long long)atomic_load(&pc_xor), (unsigned long long)x);
	ck_assert_uint_eq(goro_chan_len(pc_c), 0);
	return 0;
}

/* ---- TestChanFIFOPerSender: the same producers, one consumer, which must
 * see each producer's exact sequence 0, 1, 2, ... ---- */

GORO_TEST(TestChanFIFOPerSender, 2)
{
	size_t cap = pc_caps[_i];
	pc_c = goro_chan_make(sizeof(uint64_t), cap);
	pc_done = goro_chan_make(sizeof(int), PC_PROD);
	for (int i = 0; i < PC_PROD; i++)
		ck_assert_int_eq(goro_spawn_copy(pc_producer, &i, sizeof i), GORO_OK);
	int64_t next[PC_PROD] = { 0 };
	for (long n = 0; n < (long)PC_PROD * PC_N; n++) {
		uint64_t v;
		ck_assert_int_eq(goro_chan_recv(pc_c, &v), GORO_OK);
		uint64_t id = (v >> 32) - 1;
		ck_assert_msg(id < PC_PROD, "bad value %llx", (unsigned long long)v);
		ck_assert_msg((int64_t)(v & 0xffffffffu) == next[id],
		              "producer %d: got seq %lld, want %lld", (int)id,
		              (long long)(v & 0xffffffffu), (long long)next[id]);
		next[id]++;
	}
	test_wait_done(pc_done, PC_PROD);
	uint64_t v;
	ck_assert_int_eq(goro_chan_tryrecv(pc_c, &v), GORO_AGAIN);
	return 0;
}

/* ---- TestChanCloseEmpty: receive from a closed, empty channel gives
 * CLOSED and zeroes every byte of elem; trysend/tryrecv/send likewise ---- */

struct blob { unsigned char b[40]; };

GORO_TEST(TestChanCloseEmpty, 0)
{
	for (size_t cap = 0; cap <= 4; cap += 4) {
		goro_chan *c = goro_chan_make(sizeof(struct blob), cap);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(goro_chan_close(c), GORO_OK);
		struct blob e;
		memset(&e, 0xff, sizeof e);
		ck_assert_int_eq(goro_chan_recv(c, &e), GORO_CLOSED);
		ck_assert_msg(all_bytes(&e, 0, sizeof e), "cap %zu: elem not zeroed", cap);
		memset(&e, 0xff, sizeof e);
		ck_assert_int_eq(goro_chan_tryrecv(c, &e), GORO_CLOSED);
		ck_assert_msg(all_bytes(&e, 0, sizeof e), "cap %zu: tryrecv elem not zeroed", cap);
		ck_assert_int_eq(goro_chan_recv(c, NULL), GORO_CLOSED);
		ck_assert_int_eq(goro_chan_send(c, &e), GORO_CLOSED);
		ck_assert_int_eq(goro_chan_trysend(c, &e), GORO_CLOSED);
		ck_assert_uint_eq(goro_chan_len(c), 0);
		goro_chan_free(c);
	}
	return 0;
}

/* ---- TestChanCloseBuffered: values buffered before close are still
 * received, in order, then CLOSED ---- */

GORO_TEST(TestChanCloseBuffered, 0)
{
	goro_chan *c = goro_chan_make(sizeof(int), 8);
	for (int i = 1; i <= 5; i++)
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
	ck_assert_int_eq(goro_chan_close(c), GORO_OK);
	int x = 6;
	ck_assert_int_eq(goro_chan_send(c, &x), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_trysend(c, &x), GORO_CLOSED);
	ck_assert_uint_eq(goro_chan_len(c), 5);
	for (int i = 1; i <= 5; i++) {
		int v = -1;
		/* alternate the blocking and the non-blocking form */
		ck_assert_int_eq(i % 2 ? goro_chan_recv(c, &v) : goro_chan_tryrecv(c, &v), GORO_OK);
		ck_assert_int_eq(v, i);
		ck_assert_uint_eq(goro_chan_len(c), (size_t)(5 - i));
	}
	int v = -1;
	ck_assert_int_eq(goro_chan_recv(c, &v), GORO_CLOSED);
	ck_assert_int_eq(v, 0);
	v = -1;
	ck_assert_int_eq(goro_chan_tryrecv(c, &v), GORO_CLOSED);
	ck_assert_int_eq(v, 0);
	goro_chan_free(c);
	return 0;
}

/* ---- TestChanCloseWakesSenders: senders parked on a full (or unbuffered)
 * channel all get CLOSED; a buffered channel keeps what it held ---- */

#define CW_N 8
static goro_chan *cw_c, *cw_done;
static atomic_int cw_started, cw_ok, cw_closed, cw_other;

static void cw_sender(void *arg)
{
	(void)arg;
	int v = 1000;
	atomic_fetch_add(&cw_started, 1);
	int st = goro_chan_send(cw_c, &v);
	atomic_fetch_add(st == GORO_CLOSED ? &cw_closed : st == GORO_OK ? &cw_ok : &cw_other, 1);
	test_signal_done(cw_done);
}

GORO_TEST(TestChanCloseWakesSenders, 2)
{
	size_t cap = _i * 2;   /* 0 and 2 */
	cw_c = goro_chan_make(sizeof(int), cap);
	cw_done = goro_chan_make(sizeof(int), CW_N);
	for (int i = 0; i < (int)cap; i++)
		ck_assert_int_eq(goro_chan_send(cw_c, &i), GORO_OK);
	for (int i = 0; i < CW_N; i++)
		ck_assert_int_eq(goro_spawn(cw_sender, NULL), GORO_OK);
	while (atomic_load(&cw_started) < CW_N)
		goro_yield();
	goro_sleep(5 * MS);   /* let them park */
	ck_assert_int_eq(atomic_load(&cw_ok) + atomic_load(&cw_closed), 0);
	ck_assert_int_eq(goro_chan_close(cw_c), GORO_OK);
	test_wait_done(cw_done, CW_N);
	ck_assert_int_eq(atomic_load(&cw_closed), CW_N);
	ck_assert_int_eq(atomic_load(&cw_ok), 0);
	ck_assert_int_eq(atomic_load(&cw_other), 0);
	for (int i = 0; i < (int)cap; i++) {
		int v = -1;
		ck_assert_int_eq(goro_chan_recv(cw_c, &v), GORO_OK);
		ck_assert_int_eq(v, i);
	}
	ck_assert_int_eq(goro_chan_recv(cw_c, NULL), GORO_CLOSED);
	return 0;
}

/* ---- TestChanCloseWakesReceivers: every parked receiver gets CLOSED and
 * a zeroed elem (prefilled with 0xff) ---- */

static void cw_receiver(void *arg)
{
	(void)arg;
	struct blob e;
	memset(&e, 0xff, sizeof e);
	atomic_fetch_add(&cw_started, 1);
	int st = goro_chan_recv(cw_c, &e);
	if (st == GORO_CLOSED && all_bytes(&e, 0, sizeof e))
		atomic_fetch_add(&cw_closed, 1);
	else
		atomic_fetch_add(st == GORO_OK ? &cw_ok : &cw_other, 1);
	test_signal_done(cw_done);
}

GORO_TEST(TestChanCloseWakesReceivers, 2)
{
	size_t cap = _i * 2;
	cw_c = goro_chan_make(sizeof(struct blob), cap);
	cw_done = goro_chan_make(sizeof(int), CW_N);
	for (int i = 0; i < CW_N; i++)
		ck_assert_int_eq(goro_spawn(cw_receiver, NULL), GORO_OK);
	while (atomic_load(&cw_started) < CW_N)
		goro_yield();
	goro_sleep(5 * MS);
	ck_assert_int_eq(atomic_load(&cw_ok) + atomic_load(&cw_closed), 0);
	ck_assert_int_eq(goro_chan_close(cw_c), GORO_OK);
	test_wait_done(cw_done, CW_N);
	ck_assert_msg(atomic_load(&cw_closed) == CW_N,
	              "%d of %d receivers got CLOSED with a zeroed elem (%d OK, %d other)",
	              atomic_load(&cw_closed), CW_N, atomic_load(&cw_ok), atomic_load(&cw_other));
	return 0;
}

/* ---- TestChanDoubleClose, TestChanSendClosed: Go panics; goro says CLOSED ---- */

GORO_TEST(TestChanDoubleClose, 0)
{
	goro_chan *c = goro_chan_make(sizeof(int), 1);
	ck_assert_int_eq(goro_chan_close(c), GORO_OK);
	ck_assert_int_eq(goro_chan_close(c), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_close(c), GORO_CLOSED);
	int v = 1;
	ck_assert_int_eq(goro_chan_send(c, &v), GORO_CLOSED);
	ck_assert_uint_eq(goro_chan_len(c), 0);
	goro_chan *u = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_chan_close(u), GORO_OK);
	ck_assert_int_eq(goro_chan_send(u, &v), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_trysend(u, &v), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_close(u), GORO_CLOSED);
	goro_chan_free(c);
	goro_chan_free(u);
	return 0;
}

/* ---- TestChanTry: AGAIN exactly when the blocking form would block ---- */

static goro_chan *try_c;
static atomic_int try_flag;

static void try_recv_fn(void *arg)
{
	(void)arg;
	int v = 0;
	ck_assert_int_eq(goro_chan_recv(try_c, &v), GORO_OK);
	ck_assert_int_eq(v, 77);
	atomic_store(&try_flag, 1);
}

static void try_send_fn(void *arg)
{
	(void)arg;
	int v = 88;
	ck_assert_int_eq(goro_chan_send(try_c, &v), GORO_OK);
	atomic_store(&try_flag, 2);
}

GORO_TEST(TestChanTry, 2)
{
	int v = 5;
	/* unbuffered, nobody waiting */
	goro_chan *u = try_c = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_chan_trysend(u, &v), GORO_AGAIN);
	ck_assert_int_eq(goro_chan_tryrecv(u, &v), GORO_AGAIN);
	ck_assert_int_eq(v, 5);   /* untouched */
	/* a parked receiver makes trysend succeed */
	ck_assert_int_eq(goro_spawn(try_recv_fn, NULL), GORO_OK);
	v = 77;
	int st;
	int64_t deadline = goro_now() + 10 * 1000 * MS;
	while ((st = goro_chan_trysend(u, &v)) == GORO_AGAIN && goro_now() < deadline)
		goro_yield();
	ck_assert_int_eq(st, GORO_OK);
	ck_assert(test_wait_flag(&try_flag));
	/* a parked sender makes tryrecv succeed */
	ck_assert_int_eq(goro_spawn(try_send_fn, NULL), GORO_OK);
	v = 0;
	while ((st = goro_chan_tryrecv(u, &v)) == GORO_AGAIN && goro_now() < deadline)
		goro_yield();
	ck_assert_int_eq(st, GORO_OK);
	ck_assert_int_eq(v, 88);
	ck_assert_int_eq(goro_chan_tryrecv(u, NULL), GORO_AGAIN);
	ck_assert_int_eq(goro_chan_close(u), GORO_OK);
	ck_assert_int_eq(goro_chan_trysend(u, &v), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_tryrecv(u, &v), GORO_CLOSED);

	/* buffered, capacity 2 */
	goro_chan *b = goro_chan_make(sizeof(int), 2);
	ck_assert_int_eq(goro_chan_tryrecv(b, &v), GORO_AGAIN);
	v = 1;
	ck_assert_int_eq(goro_chan_trysend(b, &v), GORO_OK);
	v = 2;
	ck_assert_int_eq(goro_chan_trysend(b, &v), GORO_OK);
	v = 3;
	ck_assert_int_eq(goro_chan_trysend(b, &v), GORO_AGAIN);
	ck_assert_uint_eq(goro_chan_len(b), 2);
	ck_assert_int_eq(goro_chan_tryrecv(b, &v), GORO_OK);
	ck_assert_int_eq(v, 1);
	v = 4;
	ck_assert_int_eq(goro_chan_trysend(b, &v), GORO_OK);
	ck_assert_int_eq(goro_chan_close(b), GORO_OK);
	ck_assert_int_eq(goro_chan_trysend(b, &v), GORO_CLOSED);
	ck_assert_int_eq(goro_chan_tryrecv(b, &v), GORO_OK);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(goro_chan_tryrecv(b, &v), GORO_OK);
	ck_assert_int_eq(v, 4);
	v = 9;
	ck_assert_int_eq(goro_chan_tryrecv(b, &v), GORO_CLOSED);
	ck_assert_int_eq(v, 0);
	goro_chan_free(u);
	goro_chan_free(b);
	return 0;
}

/* ---- TestChanSendInterface (chan_test.go): non-blocking sends, alone and
 * as two cases of one select, on a full channel ---- */

GORO_TEST(TestChanSendInterface, 0)
{
	goro_chan *c = goro_chan_make(sizeof(void *), 1);
	void *m = &m, *m2 = &c;
	ck_assert_int_eq(goro_chan_send(c, &m), GORO_OK);
	ck_assert_int_eq(goro_chan_trysend(c, &m), GORO_AGAIN);
	goro_case cs[2] = { { c, GORO_SEND, &m, 0, { 0 } }, { c, GORO_SEND, &m2, 0, { 0 } } };
	ck_assert_int_eq(goro_select(cs, 2, 0), GORO_AGAIN);
	void *got = NULL;
	ck_assert_int_eq(goro_chan_recv(c, &got), GORO_OK);
	ck_assert_ptr_eq(got, m);
	goro_chan_free(c);
	return 0;
}

/* ---- TestChanLenCap ---- */

GORO_TEST(TestChanLenCap, 0)
{
	goro_chan *c = goro_chan_make(sizeof(short), 3);
	ck_assert_uint_eq(goro_chan_cap(c), 3);
	for (short i = 0; i < 3; i++) {
		ck_assert_uint_eq(goro_chan_len(c), (size_t)i);
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
	}
	ck_assert_uint_eq(goro_chan_len(c), 3);
	/* wrap the ring a few times */
	for (short i = 3; i < 20; i++) {
		short v;
		ck_assert_int_eq(goro_chan_recv(c, &v), GORO_OK);
		ck_assert_int_eq(v, i - 3);
		ck_assert_int_eq(goro_chan_send(c, &i), GORO_OK);
		ck_assert_uint_eq(goro_chan_len(c), 3);
	}
	ck_assert_int_eq(goro_chan_close(c), GORO_OK);
	ck_assert_uint_eq(goro_chan_len(c), 3);
	ck_assert_uint_eq(goro_chan_cap(c), 3);
	goro_chan *u = goro_chan_make(sizeof(short), 0);
	ck_assert_uint_eq(goro_chan_len(u), 0);
	ck_assert_uint_eq(goro_chan_cap(u), 0);
	goro_chan_free(c);
	goro_chan_free(u);
	return 0;
}

/* ---- TestChanZeroSize: chan struct{}: NULL elems, counts still right ---- */

#define ZS_N 1000
static goro_chan *zs_c;

static void zs_sender(void *arg)
{
	(void)arg;
	for (int i = 0; i < ZS_N; i++)
		ck_assert_int_eq(goro_chan_send(zs_c, NULL), GORO_OK);
	ck_assert_int_eq(goro_chan_close(zs_c), GORO_OK);
}

GORO_TEST(TestChanZeroSize, 2)
{
	goro_chan *b = goro_chan_make(0, 3);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(goro_chan_cap(b), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(goro_chan_send(b, NULL), GORO_OK);
	ck_assert_uint_eq(goro_chan_len(b), 3);
	ck_assert_int_eq(goro_chan_trysend(b, NULL), GORO_AGAIN);
	char junk = 'x';
	ck_assert_int_eq(goro_chan_recv(b, &junk), GORO_OK);   /* writes 0 bytes */
	ck_assert_int_eq(junk, 'x');
	ck_assert_uint_eq(goro_chan_len(b), 2);
	ck_assert_int_eq(goro_chan_tryrecv(b, NULL), GORO_OK);
	ck_assert_int_eq(goro_chan_recv(b, NULL), GORO_OK);
	ck_assert_int_eq(goro_chan_tryrecv(b, NULL), GORO_AGAIN);
	ck_assert_uint_eq(goro_chan_len(b), 0);
	goro_chan_free(b);

	for (size_t cap = 0; cap <= 5; cap += 5) {
		zs_c = goro_chan_make(0, cap);
		ck_assert_ptr_nonnull(zs_c);
		ck_assert_int_eq(goro_spawn(zs_sender, NULL), GORO_OK);
		int n = 0;
		while (goro_chan_recv(zs_c, NULL) == GORO_OK)
			n++;
		ck_assert_int_eq(n, ZS_N);
	}
	return 0;
}

/* ---- TestChanLargeElem: 2 KiB and 16 KiB values, each byte patterned
 * from its index and sequence number, through buffered and unbuffered ---- */

#define LE_N 200
static goro_chan *le_c;
static size_t le_size;

static void le_fill(unsigned char *p, size_t n, int seq)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + (size_t)seq * 7 + (i >> 8));
}

static void le_sender(void *arg)
{
	(void)arg;
	size_t size = le_size;   /* read before the first send: main moves on after the last */
	goro_chan *c = le_c;
	unsigned char *buf = malloc(size);
	ck_assert_ptr_nonnull(buf);
	for (int s = 0; s < LE_N; s++) {
		le_fill(buf, size, s);
		ck_assert_int_eq(goro_chan_send(c, buf), GORO_OK);
		/* the value was copied: scribbling on it now must not matter */
		memset(buf, 0xee, size);
	}
	free(buf);
}

GORO_TEST(TestChanLargeElem, 2)
{
	static const size_t sizes[] = { 2048, 16384 };
	for (int k = 0; k < 2; k++)
		for (size_t cap = 0; cap <= 4; cap += 4) {
			le_size = sizes[k];
			le_c = goro_chan_make(le_size, cap);
			ck_assert_ptr_nonnull(le_c);
			ck_assert_int_eq(goro_spawn(le_sender, NULL), GORO_OK);
			unsigned char *got = malloc(le_size), *want = malloc(le_size);
			for (int s = 0; s < LE_N; s++) {
				memset(got, 0, le_size);
				ck_assert_int_eq(goro_chan_recv(le_c, got), GORO_OK);
				le_fill(want, le_size, s);
				ck_assert_msg(memcmp(got, want, le_size) == 0,
				              "size %zu cap %zu: value %d corrupted", le_size, cap, s);
			}
			ck_assert_int_eq(goro_chan_close(le_c), GORO_OK);
			memset(got, 0xff, le_size);
			ck_assert_int_eq(goro_chan_recv(le_c, got), GORO_CLOSED);
			ck_assert(all_bytes(got, 0, le_size));
			free(got);
			free(want);
			goro_chan_free(le_c);
		}
	return 0;
}

/* ---- TestChanMakeHuge: a buffer that cannot exist gives NULL ---- */

GORO_TEST(TestChanMakeHuge, 0)
{
	ck_assert_ptr_null(goro_chan_make((size_t)1 << 20, (size_t)1 << 20));
	ck_assert_ptr_null(goro_chan_make(SIZE_MAX, 2));
	ck_assert_ptr_null(goro_chan_make(8, SIZE_MAX));
	ck_assert_ptr_null(goro_chan_make(SIZE_MAX / 2 + 1, 2));   /* wraps to 0 */
	/* and a large element with no buffer is fine */
	goro_chan *c = goro_chan_make((size_t)1 << 20, 0);
	ck_assert_ptr_nonnull(c);
	goro_chan_free(c);
	/* zero-size elements never need a buffer */
	c = goro_chan_make(0, 1 << 20);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(goro_chan_cap(c), (size_t)1 << 20);
	goro_chan_free(c);
	return 0;
}

/* ---- TestChanFreeBusy: freeing a channel that still has a goroutine
 * parked on it is reported and leaks it; the channel keeps working ---- */

static goro_chan *fb_c;
static atomic_int fb_parked, fb_got;

static void fb_recv_fn(void *arg)
{
	(void)arg;
	int v = -1;
	atomic_store(&fb_parked, 1);
	if (goro_chan_recv(fb_c, &v) == GORO_OK && v == 31)
		atomic_store_explicit(&fb_got, 1, memory_order_release);
}

GORO_TEST(TestChanFreeBusy, 2)
{
	fb_c = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_spawn(fb_recv_fn, NULL), GORO_OK);
	ck_assert(test_wait_flag(&fb_parked));
	goro_sleep(5 * MS);   /* parked by now */
	goro_chan_free(fb_c);  /* refused: a receiver is waiting */
	ck_assert_uint_eq(goro_chan_cap(fb_c), 0);
	int v = 31;
	ck_assert_int_eq(goro_chan_send(fb_c, &v), GORO_OK);
	ck_assert(test_wait_flag(&fb_got));
	goro_chan_free(fb_c);   /* idle now: really freed */
	return 0;
}

/* ---- TestChanInval: NULL channel, NULL elem to send; the channel is
 * unchanged and usable afterwards ---- */

GORO_TEST(TestChanInval, 0)
{
	int v = 1;
	ck_assert_int_eq(goro_chan_send(NULL, &v), GORO_INVAL);
	ck_assert_int_eq(goro_chan_recv(NULL, &v), GORO_INVAL);
	ck_assert_int_eq(goro_chan_trysend(NULL, &v), GORO_INVAL);
	ck_assert_int_eq(goro_chan_tryrecv(NULL, &v), GORO_INVAL);
	ck_assert_int_eq(goro_chan_close(NULL), GORO_INVAL);
	ck_assert_uint_eq(goro_chan_len(NULL), 0);
	ck_assert_uint_eq(goro_chan_cap(NULL), 0);
	goro_chan_free(NULL);   /* harmless */

	goro_chan *c = goro_chan_make(sizeof(int), 1);
	ck_assert_int_eq(goro_chan_send(c, NULL), GORO_INVAL);
	ck_assert_int_eq(goro_chan_trysend(c, NULL), GORO_INVAL);
	ck_assert_uint_eq(goro_chan_len(c), 0);
	ck_assert_int_eq(goro_chan_send(c, &v), GORO_OK);
	ck_assert_int_eq(goro_chan_recv(c, NULL), GORO_OK);   /* discard is fine */
	goro_chan *u = goro_chan_make(sizeof(int), 0);
	ck_assert_int_eq(goro_chan_send(u, NULL), GORO_INVAL);   /* before blocking */
	ck_assert_int_eq(goro_chan_close(c), GORO_OK);
	ck_assert_int_eq(goro_chan_send(c, NULL), GORO_INVAL);   /* INVAL beats CLOSED */
	goro_chan_free(c);
	goro_chan_free(u);
	return 0;
}

/* ---- TestChanStress: 8 senders and 8 receivers over an unbuffered and a
 * buffered channel, some of each through goro_select (and trysend), then
 * close; every value counted exactly, every receiver exits ---- */

#define ST_SEND 8
#define ST_RECV 8
#define ST_N TEST_SCALE(20000, 2000)
static goro_chan *st_c[2], *st_done;
static atomic_long st_count;
static atomic_ullong st_sum;

static void st_sender(void *arg)
{
	int id = *(int *)arg;
	for (uint64_t i = 0; i < ST_N; i++) {
		uint64_t v = (uint64_t)id * ST_N + i + 1;
		switch (id % 4) {
		case 0: case 1:   /* plain send, on a channel of its own choice */
			ck_assert_int_eq(goro_chan_send(st_c[id % 2], &v), GORO_OK);
			break;
		case 2: {         /* select over both */
			goro_case cs[2] = { { st_c[0], GORO_SEND, &v, -9, { 0 } }, { st_c[1], GORO_SEND, &v, -9, { 0 } } };
			int r = goro_select(cs, 2, -1);
			ck_assert(r == 0 || r == 1);
			ck_assert_int_eq(cs[r].status, GORO_OK);
			break;
		}
		default: {        /* trysend, falling back to send */
			int st = goro_chan_trysend(st_c[1], &v);
			if (st == GORO_AGAIN)
				st = goro_chan_send(st_c[0], &v);
			ck_assert_int_eq(st, GORO_OK);
		}
		}
	}
	test_signal_done(st_done);
}

static void st_receiver(void *arg)
{
	int id = *(int *)arg;
	uint64_t sum = 0, v;
	long n = 0;
	if (id % 2 == 0) {   /* plain receive until closed */
		goro_chan *c = st_c[id / 2 % 2];
		int st;
		while ((st = goro_chan_recv(c, &v)) == GORO_OK) {
			sum += v;
			n++;
		}
		ck_assert_int_eq(st, GORO_CLOSED);
	} else {             /* select over both until both are closed */
		goro_case cs[2] = { { st_c[0], GORO_RECV, &v, 0, { 0 } }, { st_c[1], GORO_RECV, &v, 0, { 0 } } };
		int open = 2;
		while (open > 0) {
			int r = goro_select(cs, 2, -1);
			ck_assert(r == 0 || r == 1);
			if (cs[r].status == GORO_CLOSED) {
				ck_assert_uint_eq(v, 0);
				cs[r].chan = NULL;   /* a nil channel: never again */
				open--;
			} else {
				ck_assert_int_eq(cs[r].status, GORO_OK);
				sum += v;
				n++;
			}
		}
	}
	atomic_fetch_add(&st_sum, sum);
	atomic_fetch_add(&st_count, n);
	test_signal_done(st_done);
}

GORO_TEST(TestChanStress, 1 + _i)
{
	st_c[0] = goro_chan_make(sizeof(uint64_t), 0);
	st_c[1] = goro_chan_make(sizeof(uint64_t), 3);
	st_done = goro_chan_make(sizeof(int), ST_SEND + ST_RECV);
	for (int i = 0; i < ST_RECV; i++)
		ck_assert_int_eq(goro_spawn_copy(st_receiver, &i, sizeof i), GORO_OK);
	for (int i = 0; i < ST_SEND; i++)
		ck_assert_int_eq(goro_spawn_copy(st_sender, &i, sizeof i), GORO_OK);
	test_wait_done(st_done, ST_SEND);
	ck_assert_int_eq(goro_chan_close(st_c[0]), GORO_OK);
	ck_assert_int_eq(goro_chan_close(st_c[1]), GORO_OK);
	test_wait_done(st_done, ST_RECV);
	uint64_t total = (uint64_t)ST_SEND * ST_N;
	ck_assert_int_eq(atomic_load(&st_count), (long)total);
	ck_assert_msg(atomic_load(&st_sum) == total * (total + 1) / 2, "sum %llu, want %llu",
	              (unsigned long long)atomic_load(&st_sum),
	              (unsigned long long)(total * (total + 1) / 2));
	return 0;
}

/* ---- TestChanForeignThread: a plain pthread exchanges values with
 * goroutines, both directions, then ping-pongs with an echo goroutine ---- */

#define FT_N TEST_SCALE(5000, 1000)
static goro_chan *ft_a, *ft_b, *ft_done;
static atomic_int ft_thread_done;
static int ft_err;

static void *ft_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < FT_N; i++)           /* pthread -> goroutine */
		if (goro_chan_send(ft_a, &i) != GORO_OK)
			ft_err = 1;
	for (int i = 0; i < FT_N; i++) {         /* goroutine -> pthread */
		int v = -1;
		if (goro_chan_recv(ft_b, &v) != GORO_OK || v != i * 3)
			ft_err = 2;
	}
	for (int i = 0; i < FT_N; i++) {         /* round trips */
		int v = i + 100, w = -1;
		if (goro_chan_send(ft_a, &v) != GORO_OK || goro_chan_recv(ft_b, &w) != GORO_OK ||
		    w != v * 3)
			ft_err = 3;
	}
	atomic_store_explicit(&ft_thread_done, 1, memory_order_release);
	return NULL;
}

static void ft_reader(void *arg)
{
	(void)arg;
	for (int i = 0; i < FT_N; i++) {
		int v = -1;
		ck_assert_int_eq(goro_chan_recv(ft_a, &v), GORO_OK);
		ck_assert_int_eq(v, i);
	}
	test_signal_done(ft_done);
}

static void ft_writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < FT_N; i++) {
		int v = i * 3;
		ck_assert_int_eq(goro_chan_send(ft_b, &v), GORO_OK);
	}
	test_signal_done(ft_done);
}

static void ft_echo(void *arg)
{
	(void)arg;
	for (int i = 0; i < FT_N; i++) {
		int v;
		ck_assert_int_eq(goro_chan_recv(ft_a, &v), GORO_OK);
		v *= 3;
		ck_assert_int_eq(goro_chan_send(ft_b, &v), GORO_OK);
	}
	test_signal_done(ft_done);
}

GORO_TEST(TestChanForeignThread, 2)
{
	size_t cap = _i * 4;   /* unbuffered, then capacity 4 */
	ft_a = goro_chan_make(sizeof(int), cap);
	ft_b = goro_chan_make(sizeof(int), cap);
	ft_done = goro_chan_make(sizeof(int), 3);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, ft_thread, NULL), 0);
	ck_assert_int_eq(goro_spawn(ft_reader, NULL), GORO_OK);
	ck_assert_int_eq(goro_spawn(ft_writer, NULL), GORO_OK);
	test_wait_done(ft_done, 2);
	ck_assert_int_eq(goro_spawn(ft_echo, NULL), GORO_OK);
	test_wait_done(ft_done, 1);
	ck_assert(test_wait_flag(&ft_thread_done));
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(ft_err, 0);
	return 0;
}

/* ---- TestChanCloseFromForeignThread: goroutines parked in recv, select
 * and send are readied by a pthread's close; and a pthread parked in recv
 * is woken by a goroutine's close ---- */

#define CF_G 4
static goro_chan *cf_c, *cf_d, *cf_e, *cf_done;
static atomic_int cf_parked, cf_good, cf_thread_done, cf_thread_err = -100;

static void cf_recv_fn(void *arg)
{
	(void)arg;
	long v = -1;
	atomic_fetch_add(&cf_parked, 1);
	if (goro_chan_recv(cf_c, &v) == GORO_CLOSED && v == 0)
		atomic_fetch_add(&cf_good, 1);
	test_signal_done(cf_done);
}

static void cf_select_fn(void *arg)
{
	(void)arg;
	long v = -1, w = 5;
	goro_case cs[2] = { { cf_c, GORO_RECV, &v, 99, { 0 } }, { NULL, GORO_SEND, &w, 99, { 0 } } };
	atomic_fetch_add(&cf_parked, 1);
	if (goro_select(cs, 2, -1) == 0 && cs[0].status == GORO_CLOSED && v == 0)
		atomic_fetch_add(&cf_good, 1);
	test_signal_done(cf_done);
}

static void cf_send_fn(void *arg)
{
	(void)arg;
	long v = 3;
	atomic_fetch_add(&cf_parked, 1);
	if (goro_chan_send(cf_d, &v) == GORO_CLOSED)
		atomic_fetch_add(&cf_good, 1);
	test_signal_done(cf_done);
}

static void *cf_closer(void *arg)
{
	(void)arg;
	while (atomic_load(&cf_parked) < 2 * CF_G + 1)
		usleep(1000);
	usleep(5000);   /* let the last of them park */
	int a = goro_chan_close(cf_c), b = goro_chan_close(cf_d);
	/* then be a waiter: park on e until a goroutine closes it */
	long v = -1;
	int st = goro_chan_recv(cf_e, &v);
	cf_thread_err = (a != GORO_OK) + (b != GORO_OK) * 2 + (st != GORO_CLOSED) * 4 + (v != 0) * 8;
	atomic_store_explicit(&cf_thread_done, 1, memory_order_release);
	return NULL;
}

GORO_TEST(TestChanCloseFromForeignThread, 2)
{
	cf_c = goro_chan_make(sizeof(long), 0);
	cf_d = goro_chan_make(sizeof(long), 0);
	cf_e = goro_chan_make(sizeof(long), 0);
	cf_done = goro_chan_make(sizeof(int), 2 * CF_G + 1);
	for (int i = 0; i < CF_G; i++) {
		ck_assert_int_eq(goro_spawn(cf_recv_fn, NULL), GORO_OK);
		ck_assert_int_eq(goro_spawn(cf_select_fn, NULL), GORO_OK);
	}
	ck_assert_int_eq(goro_spawn(cf_send_fn, NULL), GORO_OK);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, cf_closer, NULL), 0);
	test_wait_done(cf_done, 2 * CF_G + 1);
	ck_assert_int_eq(atomic_load(&cf_good), 2 * CF_G + 1);
	goro_sleep(5 * MS);   /* let the pthread park on e */
	ck_assert_int_eq(atomic_load(&cf_thread_done), 0);
	ck_assert_int_eq(goro_chan_close(cf_e), GORO_OK);
	ck_assert(test_wait_flag(&cf_thread_done));
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(cf_thread_err, 0);
	return 0;
}

/* ---- TestMultiConsumer (chan_test.go): 23 workers range over q and
 * forward to r; a feeder closes q, then r once the workers are done ---- */

#define MC_NWORK 23
#define MC_NITER TEST_SCALE(271828, 27183)
static const int mc_pn[] = { 2, 3, 7, 11, 13, 17, 19, 23, 27, 31 };
static goro_chan *mc_q, *mc_r, *mc_wg;
static long mc_expect;

static void mc_worker(void *arg)
{
	int w = *(int *)arg;
	int v;
	while (goro_chan_recv(mc_q, &v) == GORO_OK) {
		if (mc_pn[w % 10] == v)
			goro_yield();   /* mess with the fifo-ish nature of range */
		ck_assert_int_eq(goro_chan_send(mc_r, &v), GORO_OK);
	}
	test_signal_done(mc_wg);
}

static void mc_feeder(void *arg)
{
	(void)arg;
	for (int i = 0; i < MC_NITER; i++) {
		int v = mc_pn[i % 10];
		mc_expect += v;
		ck_assert_int_eq(goro_chan_send(mc_q, &v), GORO_OK);
	}
	ck_assert_int_eq(goro_chan_close(mc_q), GORO_OK);
	test_wait_done(mc_wg, MC_NWORK);
	ck_assert_int_eq(goro_chan_close(mc_r), GORO_OK);
}

GORO_TEST(TestMultiConsumer, 2)
{
	mc_q = goro_chan_make(sizeof(int), MC_NWORK * 3);
	mc_r = goro_chan_make(sizeof(int), MC_NWORK * 3);
	mc_wg = goro_chan_make(sizeof(int), MC_NWORK);
	for (int i = 0; i < MC_NWORK; i++)
		ck_assert_int_eq(goro_spawn_copy(mc_worker, &i, sizeof i), GORO_OK);
	ck_assert_int_eq(goro_spawn(mc_feeder, NULL), GORO_OK);
	long n = 0, s = 0;
	int v;
	while (goro_chan_recv(mc_r, &v) == GORO_OK) {
		n++;
		s += v;
	}
	/* r closes only after the feeder's last add: mc_expect is final */
	ck_assert_msg(n == MC_NITER && s == mc_expect,
	              "expected sum %ld (got %ld) from %d iter (saw %ld)",
	              mc_expect, s, MC_NITER, n);
	return 0;
}

/* ---- TestNonblockRecvRace (chan_test.go): a buffered value stays visible
 * to a non-blocking receive while the channel is being closed ---- */

#define NBR_N TEST_SCALE(10000, 1000)
static atomic_int nbr_bad;

static void nbr_fn(void *arg)
{
	goro_chan *c = arg;
	if (goro_chan_tryrecv(c, NULL) == GORO_AGAIN)
		atomic_store(&nbr_bad, 1);
	test_signal_done(cw_done);
}

GORO_TEST(TestNonblockRecvRace, 2)
{
	cw_done = goro_chan_make(sizeof(int), 1);
	for (int i = 0; i < NBR_N && !atomic_load(&nbr_bad); i++) {
		goro_chan *c = goro_chan_make(sizeof(int), 1);
		int one = 1;
		ck_assert_int_eq(goro_chan_send(c, &one), GORO_OK);
		ck_assert_int_eq(goro_spawn(nbr_fn, c), GORO_OK);
		ck_assert_int_eq(goro_chan_close(c), GORO_OK);
		goro_chan_recv(c, NULL);
		test_wait_done(cw_done, 1);
		goro_chan_free(c);
	}
	ck_assert_msg(!atomic_load(&nbr_bad), "chan is not ready");
	return 0;
}

int main(void)
{
	Suite *s = suite_create("chan");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, TestChanCloseEmpty);
	tcase_add_test(tc, TestChanCloseBuffered);
	tcase_add_loop_test(tc, TestChanCloseWakesSenders, 0, 2);
	tcase_add_loop_test(tc, TestChanCloseWakesReceivers, 0, 2);
	tcase_add_test(tc, TestChanDoubleClose);
	tcase_add_test(tc, TestChanTry);
	tcase_add_test(tc, TestChanSendInterface);
	tcase_add_test(tc, TestChanLenCap);
	tcase_add_test(tc, TestChanZeroSize);
	tcase_add_test(tc, TestChanLargeElem);
	tcase_add_test(tc, TestChanMakeHuge);
	tcase_add_test(tc, TestChanInval);
	tcase_add_test(tc, TestChanFreeBusy);
	tcase_add_loop_test(tc, TestChanForeignThread, 0, 2);
	tcase_add_test(tc, TestChanCloseFromForeignThread);
	suite_add_tcase(s, tc);

	TCase *th = tcase_create("heavy");
	tcase_set_timeout(th, 60);
	tcase_add_test(th, TestChan);
	tcase_add_loop_test(th, TestChanPingPong, 0, 2);
	tcase_add_loop_test(th, TestChanProdCons, 0, 5);
	tcase_add_loop_test(th, TestChanFIFOPerSender, 0, 5);
	tcase_add_loop_test(th, TestChanStress, 0, 2);
	tcase_add_test(th, TestMultiConsumer);
	tcase_add_test(th, TestNonblockRecvRace);
	suite_add_tcase(s, th);
	return test_run_suite(s);
}
