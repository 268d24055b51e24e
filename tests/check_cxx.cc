// C++ tests: goro.hpp. goro::go with captures of non-trivial objects (each
// copy destroyed exactly once), typed channels, goro's mutexes under
// std::lock_guard / std::scoped_lock / std::shared_lock with exact counters,
// select and sleep with std::chrono durations, wait_group, call_once,
// condition_variable_any, goro::main. Built by every C++ compiler of the
// toolchain table (check_cxx_gcc, check_cxx_clang), natively and for arm64.
#include <goro.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <check.h>

using namespace std::chrono_literals;

#if defined(__aarch64__) || defined(GORO_TSAN)
#define SCALE(native, slow) (slow)
#else
#define SCALE(native, slow) (native)
#endif

// Yield until pred() or 50 s pass; whether pred() became true.
template <class Pred>
static bool wait_until_true(Pred pred)
{
	auto deadline = goro::clock::now() + 50s;
	while (!pred()) {
		if (goro::clock::now() > deadline)
			return false;
		goro::yield();
	}
	return true;
}

static goro_config procs_cfg(int procs)
{
	goro_config cfg{};
	cfg.procs = procs;
	return cfg;
}

// ======================= goro::go =======================

// A value that counts how often each of its lineages is destroyed: copies
// share the id, and only a live (not moved-from) object counts.
static constexpr int TRACK_MAX = 256;
static std::atomic<int> destroyed[TRACK_MAX];
static std::atomic<int> destroyed_total;

struct tracked {
	int id = -1;   // -1: moved from
	explicit tracked(int i) : id(i) {}
	tracked(const tracked &o) : id(o.id) {}
	tracked(tracked &&o) noexcept : id(std::exchange(o.id, -1)) {}
	tracked &operator=(const tracked &) = delete;
	~tracked()
	{
		if (id >= 0) {
			destroyed[id].fetch_add(1, std::memory_order_relaxed);
			// release: the goroutine's writes before it finished are seen by
			// whoever sees the count
			destroyed_total.fetch_add(1, std::memory_order_release);
		}
	}
};

static const std::string long_text(200, 'x');   // no small-string buffer: on the heap

// Lambdas holding a std::string, a std::shared_ptr and a tracked each, by
// value: every goroutine sees its own intact, and once all have returned
// the shared_ptr is back to one owner and each tracked died exactly once
// (no copy destroyed twice, none leaked).
#define CAPTURE_G 64
static int go_captures_main()
{
	auto counter = std::make_shared<std::atomic<int>>(0);
	goro::wait_group wg;
	for (int i = 0; i < CAPTURE_G; i++) {
		std::string s = long_text + std::to_string(i);
		tracked t(i);
		wg.add(1);
		// t moved in, s and counter copied: each tracked lineage has one
		// live object, the goroutine's
		int st = goro::go([s, counter, t = std::move(t), i, &wg] {
			ck_assert(s == long_text + std::to_string(i));
			ck_assert_int_eq(t.id, i);
			goro::yield();   // resume, maybe elsewhere, with the captures intact
			ck_assert_uint_eq(s.size(), long_text.size() + std::to_string(i).size());
			counter->fetch_add(1);
			wg.done();
		});
		ck_assert_int_eq(st, GORO_OK);
	}
	wg.wait();
	ck_assert_int_eq(counter->load(), CAPTURE_G);
	// done() runs before the closure is destroyed: wait for the destructors
	ck_assert(wait_until_true([] { return destroyed_total.load(std::memory_order_acquire) >= CAPTURE_G; }));
	ck_assert(wait_until_true([&] { return counter.use_count() == 1; }));
	goro::sleep_for(20ms);   // a second destruction would have time to show
	ck_assert_int_eq(destroyed_total.load(), CAPTURE_G);
	for (int i = 0; i < CAPTURE_G; i++)
		ck_assert_msg(destroyed[i].load() == 1, "tracked %d destroyed %d times", i, destroyed[i].load());
	ck_assert_int_eq(counter.use_count(), 1);
	return 0;
}

START_TEST(TestGoCaptures)
{
	goro_config cfg = procs_cfg(1 + _i);
	ck_assert_int_eq(goro::main(&cfg, go_captures_main), 0);
}
END_TEST

// Arguments after f are decay-copied like the callable, and moved into the
// call: a std::unique_ptr argument arrives, a std::string is intact, a
// tracked argument and a tracked member of a functor die exactly once.
struct functor {
	tracked t;
	std::atomic<int> *sum;
	void operator()(std::string s, std::unique_ptr<int> p, tracked u)
	{
		ck_assert_str_eq(s.c_str(), long_text.c_str());
		ck_assert_int_eq(u.id, t.id + 1);
		sum->fetch_add(*p);
	}
};

static int go_args_main()
{
	std::atomic<int> sum{ 0 };
	for (int i = 0; i < 8; i++) {
		functor f{ tracked(2 * i), &sum };
		ck_assert_int_eq(goro::go(std::move(f), long_text, std::make_unique<int>(i), tracked(2 * i + 1)),
		                 GORO_OK);
	}
	ck_assert(wait_until_true([] { return destroyed_total.load(std::memory_order_acquire) >= 16; }));
	goro::sleep_for(20ms);
	ck_assert_int_eq(sum.load(), 0 + 1 + 2 + 3 + 4 + 5 + 6 + 7);
	ck_assert_int_eq(destroyed_total.load(), 16);
	for (int i = 0; i < 16; i++)
		ck_assert_msg(destroyed[i].load() == 1, "tracked %d destroyed %d times", i, destroyed[i].load());
	return 0;
}

START_TEST(TestGoArgs)
{
	ck_assert_int_eq(goro::main(go_args_main), 0);
}
END_TEST

// A lambda of plain captures takes goro_spawn_copy's path: its bytes on the
// new goroutine's stack. A 1000-byte capture and a function pointer arrive.
struct big {
	unsigned char b[1000];
};
static std::atomic<long> plain_sum;
static void add_plain(long n) { plain_sum.fetch_add(n); }

static int go_plain_main()
{
	static_assert(goro::detail::spawn_by_copy<void (*)()>, "a function pointer is copied");
	big b;
	for (int i = 0; i < 1000; i++)
		b.b[i] = static_cast<unsigned char>(i * 7);
	std::atomic<int> ok{ 0 };
	auto check_big = [b, &ok] {
		for (int i = 0; i < 1000; i++)
			if (b.b[i] != static_cast<unsigned char>(i * 7))
				return;
		ok.fetch_add(1);
	};
	static_assert(goro::detail::spawn_by_copy<decltype(check_big)>, "plain captures are copied");
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(goro::go(check_big), GORO_OK);
	b.b[0] = 1;   // the goroutines have their own copies
	for (long i = 1; i <= 10; i++) {
		ck_assert_int_eq(goro::go([i] { add_plain(i); }), GORO_OK);
		ck_assert_int_eq(goro::go(add_plain, 100 * i), GORO_OK);
	}
	ck_assert(wait_until_true([&] { return ok.load() == 4 && plain_sum.load() == 55 + 5500; }));
	return 0;
}

START_TEST(TestGoPlain)
{
	ck_assert_int_eq(goro::main(go_plain_main), 0);
}
END_TEST

// go_with passes its options: a goroutine given a 1 MiB stack can use
// 512 KiB of it (the default 64 KiB would overflow: a fatal error), and its
// captures die once as go's do.
static int go_with_main()
{
	goro_spawn_opts opts{};
	opts.stack_size = 1 << 20;
	opts.name = "big-stack";
	std::atomic<long> sum{ 0 };
	tracked t(0);
	ck_assert_int_eq(goro::go_with(&opts, [&sum, t = std::move(t)] {
		volatile unsigned char buf[512 * 1024];
		for (std::size_t i = 0; i < sizeof buf; i += 4096)
			buf[i] = static_cast<unsigned char>(i >> 12);
		long s = 0;
		for (std::size_t i = 0; i < sizeof buf; i += 4096)
			s += buf[i];
		sum.store(s + 1);
	}), GORO_OK);
	ck_assert_int_eq(goro::go_with(nullptr, [](int k) { destroyed_total.fetch_add(k); }, 100), GORO_OK);
	ck_assert(wait_until_true([&] { return sum.load() != 0 && destroyed_total.load() >= 101; }));
	ck_assert_int_eq(sum.load(), 127L * 128 / 2 + 1);
	ck_assert_int_eq(destroyed[0].load(), 1);
	goro_spawn_opts bad{};
	bad.stack_size = SIZE_MAX;
	ck_assert_int_eq(goro::go_with(&bad, [] {}), GORO_INVAL);
	return 0;
}

START_TEST(TestGoWith)
{
	ck_assert_int_eq(goro::main(go_with_main), 0);
}
END_TEST

// Without a running runtime go returns INVAL, never runs f, and destroys
// the copies before it returns, once.
START_TEST(TestGoNotRunning)
{
	bool ran = false;
	{
		tracked t(0);
		ck_assert_int_eq(goro::go([t, &ran] { ran = true; }), GORO_INVAL);
		ck_assert_int_eq(destroyed[0].load(), 1);   // the copy; t itself still lives
	}
	ck_assert_int_eq(destroyed[0].load(), 2);   // t and the goroutine's copy
	ck_assert(!ran);
	ck_assert_int_eq(goro::go([&ran] { ran = true; }), GORO_INVAL);
	ck_assert(!ran);
	// timers live on goro::main's Ps: nil before it, and refused quietly
	goro::timer t(1ms);
	ck_assert(!t);
	ck_assert(!t.stop());
	ck_assert(!t.recv().has_value());
	{
		tracked u(1);
		goro::func_timer f = goro::after_func(1ms, [u] {});
		ck_assert(!f);
		ck_assert(!f.stop());
	}
	ck_assert_int_eq(destroyed[1].load(), 2);   // u, and the copy the nil timer dropped
}
END_TEST

// An exception thrown and caught inside a goroutine unwinds its stack
// (across a park); one that escapes calls std::terminate (SIGABRT), shown
// by a child process that boots its own runtime.
static int go_exception_main()
{
	std::atomic<int> caught{ 0 };
	for (int i = 0; i < 4; i++)
		goro::go([&caught, i] {
			try {
				tracked t(i);
				goro::yield();
				throw std::runtime_error(std::to_string(i));
			} catch (const std::runtime_error &e) {
				if (std::stoi(e.what()) == i && destroyed[i].load() == 1)
					caught.fetch_add(1);
			}
		});
	ck_assert(wait_until_true([&] { return caught.load() == 4; }));
	return 0;
}

static int go_escape_main()
{
	goro::chan<int> never;
	goro::go([] { throw 42; });
	int v;
	never.recv(v);   // terminate comes first
	return 0;
}

START_TEST(TestGoException)
{
	ck_assert_int_eq(goro::main(go_exception_main), 0);
}
END_TEST

START_TEST(TestGoEscape)
{
	std::fflush(nullptr);
	pid_t pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		std::freopen("/dev/null", "w", stderr);
		_exit(goro::main(go_escape_main) == 0 ? 3 : 4);
	}
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	              "an escaping exception: status %#x, want SIGABRT", status);
}
END_TEST

// goro::main returns f's result; a void f is 0; f may be a function.
static int seven() { return 7; }
START_TEST(TestMain)
{
	if (_i == 0) {
		ck_assert_int_eq(goro::main(seven), 7);
	} else {
		bool ran = false;
		ck_assert_int_eq(goro::main(nullptr, [&ran] { ran = goro::id() == 1; }), 0);
		ck_assert(ran);
		ck_assert_int_eq(goro::main([] { return 1; }), GORO_INVAL);   // once per process
	}
}
END_TEST

// ======================= goro::chan =======================

struct point {
	int x;
	double y;
};

static int chan_typed_main()
{
	goro::chan<point> ch(4);
	ck_assert(static_cast<bool>(ch));
	ck_assert_uint_eq(ch.cap(), 4);
	ck_assert_uint_eq(ch.len(), 0);
	point p{};
	ck_assert_int_eq(ch.try_recv(p), GORO_AGAIN);
	ck_assert(!ch.try_recv().has_value());
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ch.send(point{ i, i * 0.5 }), GORO_OK);
	ck_assert_int_eq(ch.try_send(point{ 9, 9 }), GORO_AGAIN);
	ck_assert_uint_eq(ch.len(), 4);
	ck_assert_int_eq(ch.recv(p), GORO_OK);
	ck_assert(p.x == 0 && p.y == 0.0);
	std::optional<point> o = ch.recv();
	ck_assert(o && o->x == 1 && o->y == 0.5);
	o = ch.try_recv();
	ck_assert(o && o->x == 2 && o->y == 1.0);
	ck_assert_int_eq(ch.try_send(point{ 4, 2.0 }), GORO_OK);
	ck_assert_int_eq(ch.close(), GORO_OK);
	ck_assert_int_eq(ch.close(), GORO_CLOSED);
	ck_assert_int_eq(ch.send(point{ 5, 0 }), GORO_CLOSED);
	ck_assert_int_eq(ch.try_send(point{ 5, 0 }), GORO_CLOSED);
	int xs = 0;
	for (point q : ch)   // drains what is buffered, then stops
		xs = xs * 10 + q.x;
	ck_assert_int_eq(xs, 34);
	p = point{ 7, 7 };
	ck_assert_int_eq(ch.recv(p), GORO_CLOSED);
	ck_assert(p.x == 0 && p.y == 0.0);   // zeroed, as Go's zero value
	ck_assert(!ch.recv().has_value());

	// unbuffered, range over a producer's values until it closes
	goro::chan<long> nums;
	ck_assert_uint_eq(nums.cap(), 0);
	goro::go([&nums] {
		for (long i = 1; i <= 1000; i++)
			ck_assert_int_eq(nums.send(i), GORO_OK);
		nums.close();
	});
	long sum = 0, n = 0;
	for (long v : nums) {
		sum += v;
		n++;
	}
	ck_assert_int_eq(n, 1000);
	ck_assert_int_eq(sum, 500500);

	// moved-from and nullptr channels are nil: INVAL, never a crash
	goro::chan<int> a(1);
	goro::chan<int> b(std::move(a));
	ck_assert(!a && b);
	ck_assert_int_eq(a.send(1), GORO_INVAL);
	ck_assert_int_eq(b.send(1), GORO_OK);
	a = std::move(b);
	ck_assert(a && !b);
	ck_assert_int_eq(*a.recv(), 1);
	goro::chan<int> nil(nullptr);
	goro::chan<int> zero(0), zero_l(0L), four_u(4u), neg(-1);   // 0 is a capacity here
	ck_assert(zero && zero_l && four_u && !neg);
	ck_assert(zero.cap() == 0 && zero_l.cap() == 0 && four_u.cap() == 4);
	int v = 0;
	ck_assert_int_eq(nil.recv(v), GORO_INVAL);
	ck_assert_int_eq(nil.try_send(1), GORO_INVAL);
	ck_assert_int_eq(nil.close(), GORO_INVAL);

	// a non-trivially-copyable value travels as a released unique_ptr
	goro::chan<std::string *> strs(2);
	auto owned = std::make_unique<std::string>(long_text);
	ck_assert_int_eq(strs.send(owned.get()), GORO_OK);
	owned.release();
	std::unique_ptr<std::string> got(*strs.recv());
	ck_assert_str_eq(got->c_str(), long_text.c_str());
	return 0;
}

START_TEST(TestChanTyped)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, chan_typed_main), 0);
}
END_TEST

// Goroutines pass values through typed channels, from many senders to many
// receivers, with an exact checksum.
#define PIPE_G 8
#define PIPE_N SCALE(5000, 1000)
static int chan_mpmc_main()
{
	goro::chan<std::uint64_t> ch(16);
	goro::chan<std::uint64_t> sums;
	for (int g = 0; g < PIPE_G; g++) {
		goro::go([&ch, g] {
			for (std::uint64_t i = 0; i < PIPE_N; i++)
				ch.send(static_cast<std::uint64_t>(g) * PIPE_N + i);
		});
		goro::go([&ch, &sums] {
			std::uint64_t s = 0;
			for (int i = 0; i < PIPE_N; i++)
				s += *ch.recv();
			sums.send(s);
		});
	}
	std::uint64_t total = 0;
	for (int g = 0; g < PIPE_G; g++)
		total += *sums.recv();
	const std::uint64_t n = static_cast<std::uint64_t>(PIPE_G) * PIPE_N;
	ck_assert_uint_eq(total, n * (n - 1) / 2);
	return 0;
}

START_TEST(TestChanMPMC)
{
	goro_config cfg = procs_cfg(1 + _i);
	ck_assert_int_eq(goro::main(&cfg, chan_mpmc_main), 0);
}
END_TEST

// ======================= mutexes =======================

#define LOCK_G 16
#define LOCK_N SCALE(5000, 1000)

// A plain counter under std::lock_guard<goro::mutex>, std::unique_lock and
// std::scoped_lock (two mutexes, taken in either order): exact at the end.
// Every 500th critical section yields holding the lock, so others park.
static goro::mutex lock_a, lock_b;
static long counter_a, counter_b;   // plain: lock_a and lock_b protect them

static int lock_guard_main()
{
	goro::wait_group wg;
	for (int g = 0; g < LOCK_G; g++) {
		wg.add(1);
		goro::go([&wg, g] {
			for (int i = 0; i < LOCK_N; i++) {
				switch ((g + i) % 3) {
				case 0: {
					std::lock_guard<goro::mutex> l(lock_a);
					long v = counter_a;
					if (i % 500 == 0)
						goro::yield();
					counter_a = v + 1;
					break;
				}
				case 1: {
					std::unique_lock<goro::mutex> l(lock_b);
					long v = counter_b;
					if (i % 500 == 1)
						goro::yield();
					counter_b = v + 1;
					l.unlock();
					break;
				}
				default: {
					// std::lock's deadlock avoidance needs try_lock (Lockable)
					std::scoped_lock l(g % 2 ? lock_a : lock_b, g % 2 ? lock_b : lock_a);
					long va = counter_a, vb = counter_b;
					if (i % 500 == 2)
						goro::yield();
					counter_a = va + 1;
					counter_b = vb + 1;
					break;
				}
				}
			}
			wg.done();
		});
	}
	wg.wait();
	std::scoped_lock l(lock_a, lock_b);
	long want_a = 0, want_b = 0;
	for (int g = 0; g < LOCK_G; g++)
		for (int i = 0; i < LOCK_N; i++) {
			int k = (g + i) % 3;
			want_a += k == 0 || k == 2;
			want_b += k == 1 || k == 2;
		}
	ck_assert_int_eq(counter_a, want_a);
	ck_assert_int_eq(counter_b, want_b);
	ck_assert(lock_a.try_lock() == false);   // held by l
	return 0;
}

START_TEST(TestLockGuard)
{
	goro_config cfg = procs_cfg(1 + _i);
	ck_assert_int_eq(goro::main(&cfg, lock_guard_main), 0);
}
END_TEST

// goro::shared_mutex: writers under std::lock_guard move a pair (a, b)
// from (k, k) to (k+1, k+1) with a yield in between; readers under
// std::shared_lock must never see a != b. Exact totals at the end.
static goro::shared_mutex rw;
static long pair_a, pair_b;   // rw protects them
static std::atomic<long> reads, torn;

#define RW_WRITERS 4
#define RW_READERS 8
#define RW_N SCALE(2000, 400)

static int shared_lock_main()
{
	goro::wait_group wg;
	wg.add(RW_WRITERS + RW_READERS);
	for (int w = 0; w < RW_WRITERS; w++)
		goro::go([&wg] {
			for (int i = 0; i < RW_N; i++) {
				std::lock_guard<goro::shared_mutex> l(rw);
				pair_a++;
				if (i % 16 == 0)
					goro::yield();
				pair_b++;
			}
			wg.done();
		});
	for (int r = 0; r < RW_READERS; r++)
		goro::go([&wg] {
			for (int i = 0; i < RW_N; i++) {
				std::shared_lock<goro::shared_mutex> l(rw);
				long a = pair_a;
				if (i % 16 == 0)
					goro::yield();   // readers overlap; a writer must wait
				if (pair_b != a || pair_a != a)
					torn.fetch_add(1);
				reads.fetch_add(1);
			}
			wg.done();
		});
	wg.wait();
	ck_assert_int_eq(torn.load(), 0);
	ck_assert_int_eq(reads.load(), (long)RW_READERS * RW_N);
	std::shared_lock<goro::shared_mutex> l(rw);
	ck_assert(l.owns_lock());
	ck_assert_int_eq(pair_a, (long)RW_WRITERS * RW_N);
	ck_assert_int_eq(pair_b, (long)RW_WRITERS * RW_N);
	ck_assert(!rw.try_lock());          // a reader holds it
	ck_assert(rw.try_lock_shared());    // another reader may join
	rw.unlock_shared();
	return 0;
}

START_TEST(TestSharedLock)
{
	goro_config cfg = procs_cfg(1 + _i);
	ck_assert_int_eq(goro::main(&cfg, shared_lock_main), 0);
}
END_TEST

// ======================= select and time =======================

static int64_t elapsed_ns(goro::clock::time_point t0)
{
	return (goro::clock::now() - t0).count();
}

static int select_chrono_main()
{
	constexpr int64_t MS = 1000 * 1000;
	goro::chan<int> a, b(1);
	int v = 42;
	b.send(1);   // b full: a send on it is not ready

	// nothing ready: TIMEOUT after at least the duration, in any unit
	goro::select sel;
	sel.recv(a, v).send(b, v);
	ck_assert_uint_eq(sel.size(), 2);
	auto t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_for(20ms), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 20 * MS);
	ck_assert_int_lt(elapsed_ns(t0), 20 * MS + 5000 * MS);
	t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_for(std::chrono::duration<double>(0.015)), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 15 * MS);
	t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_for(std::chrono::microseconds(5500)), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 5500 * 1000);
	t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_until(std::chrono::steady_clock::now() + 10ms), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 9 * MS);   // steady_clock and goro's clock may differ by rounding
	t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_until(goro::clock::now() + 10ms), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 10 * MS);
	// zero and negative durations, and past deadlines, do not wait
	t0 = goro::clock::now();
	ck_assert_int_eq(sel.wait_for(0s), GORO_TIMEOUT);
	ck_assert_int_eq(sel.wait_for(-5s), GORO_TIMEOUT);
	ck_assert_int_eq(sel.wait_until(goro::clock::now() - 1h), GORO_TIMEOUT);
	ck_assert_int_eq(sel.try_select(), GORO_AGAIN);
	ck_assert_int_lt(elapsed_ns(t0), 5000 * MS);
	ck_assert_int_eq(v, 42);

	// a case ready: its index, its status, its value
	goro::chan<int> nil(nullptr);   // never ready, as a nil channel in Go
	goro::chan<int> c(1);
	c.send(5);
	goro::select s2;
	s2.recv(nil, v).recv(c, v);
	ck_assert_int_eq(s2.wait_for(std::chrono::hours::max()), 1);   // no overflow: waits "forever"
	ck_assert_int_eq(s2.status(1), GORO_OK);
	ck_assert_int_eq(v, 5);
	c.close();
	ck_assert_int_eq(s2.wait(), 1);
	ck_assert_int_eq(s2.status(1), GORO_CLOSED);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(s2.status(7), GORO_INVAL);

	// a value arriving while select waits; a send case; more cases than
	// the builder keeps inline
	std::vector<goro::chan<int>> many(20);
	goro::select s3;
	for (auto &ch : many)
		s3.recv(ch, v);
	int out = 0;
	goro::chan<int> sink;
	s3.send(sink, out);
	ck_assert_uint_eq(s3.size(), 21);
	goro::go([&many] {
		goro::sleep_for(5ms);
		many[13].send(13);
	});
	ck_assert_int_eq(s3.wait_for(30s), 13);
	ck_assert_int_eq(v, 13);
	goro::go([&sink] { sink.recv(); });
	out = 99;
	ck_assert_int_eq(s3.wait(), 20);
	s3.clear();
	ck_assert_uint_eq(s3.size(), 0);
	ck_assert_int_eq(s3.wait_for(1ms), GORO_TIMEOUT);   // no cases: a sleep
	return 0;
}

START_TEST(TestSelectChrono)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, select_chrono_main), 0);
}
END_TEST

// Descriptor cases beside a channel case: a pipe's read end is not ready
// until a byte is written, its write end is; the channel case still wins
// when it alone is ready.
static int select_fd_main()
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	goro_fd r, w;
	ck_assert_int_eq(goro_fd_open(p[0], &r), GORO_OK);
	ck_assert_int_eq(goro_fd_open(p[1], &w), GORO_OK);
	goro::chan<int> c(1);
	int v = 0;
	goro::select rd;
	rd.readable(r).recv(c, v);
	ck_assert_int_eq(rd.wait_for(10ms), GORO_TIMEOUT);
	c.send(3);
	ck_assert_int_eq(rd.wait_for(10s), 1);
	ck_assert_int_eq(v, 3);
	goro::select wr;
	wr.writable(w);
	ck_assert_int_eq(wr.wait_for(10s), 0);
	ck_assert_int_eq(wr.status(0), GORO_OK);
	goro::go([w] {
		goro::sleep_for(5ms);
		size_t n = 0;
		ck_assert_int_eq(goro_write(w, "x", 1, &n), GORO_OK);
	});
	ck_assert_int_eq(rd.wait_for(10s), 0);
	ck_assert_int_eq(rd.status(0), GORO_OK);
	ck_assert_int_eq(rd.wait_for(0s), 0);   // readiness is a state: still unread
	char b;
	size_t n = 0;
	ck_assert_int_eq(goro_read(r, &b, 1, &n), GORO_OK);
	ck_assert(n == 1 && b == 'x');
	ck_assert_int_eq(rd.try_select(), GORO_AGAIN);
	ck_assert_int_eq(goro_fd_close(r), GORO_OK);
	ck_assert_int_eq(rd.wait_for(10s), 0);   // closed: ready, CLOSED
	ck_assert_int_eq(rd.status(0), GORO_CLOSED);
	ck_assert_int_eq(goro_fd_close(w), GORO_OK);
	return 0;
}

START_TEST(TestSelectFd)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, select_fd_main), 0);
}
END_TEST

static int sleep_main()
{
	constexpr int64_t MS = 1000 * 1000;
	auto t0 = goro::clock::now();
	goro::sleep_for(10ms);
	ck_assert_int_ge(elapsed_ns(t0), 10 * MS);
	t0 = goro::clock::now();
	goro::sleep_for(std::chrono::duration<double, std::milli>(2.5));
	ck_assert_int_ge(elapsed_ns(t0), 2500 * 1000);
	t0 = goro::clock::now();
	goro::sleep_until(goro::clock::now() + 5ms);
	ck_assert_int_ge(elapsed_ns(t0), 5 * MS);
	t0 = goro::clock::now();
	goro::sleep_for(-1s);
	goro::sleep_for(std::chrono::nanoseconds::min());
	goro::sleep_until(std::chrono::steady_clock::now() - 1s);
	ck_assert_int_lt(elapsed_ns(t0), 1000 * MS);
	ck_assert_int_eq(goro::detail::to_ns(std::chrono::hours::max()), INT64_MAX);
	ck_assert_int_eq(goro::detail::to_ns(std::chrono::duration<double>(1e300)), INT64_MAX);
	ck_assert_int_eq(goro::detail::to_ns(std::chrono::duration<long long, std::pico>(1)), 1);
	ck_assert_int_eq(goro::detail::to_ns(std::chrono::duration<long long, std::pico>(1001)), 2);
	ck_assert_int_eq(goro::detail::to_ns(std::chrono::seconds(3)), 3 * 1000 * MS);
	return 0;
}

START_TEST(TestSleepChrono)
{
	ck_assert_int_eq(goro::main(sleep_main), 0);
}
END_TEST

// ======================= timers and contexts =======================

static int timer_main()
{
	constexpr int64_t MS = 1000 * 1000;
	// Timer: fires once, at least d later; its value is the firing time
	auto t0 = goro::clock::now();
	goro::timer t(10ms);
	ck_assert(static_cast<bool>(t));
	std::optional<goro::clock::time_point> when = t.recv();
	ck_assert(when.has_value());
	ck_assert_int_ge((*when - t0).count(), 10 * MS);
	ck_assert_int_ge(elapsed_ns(t0), 10 * MS);
	ck_assert(!t.stop());   // fired and received
	// Stop before the fire: true, and nothing arrives
	ck_assert(!t.reset(20ms));
	ck_assert(t.stop());
	goro::sleep_for(30ms);
	ck_assert(!t.try_recv().has_value());
	ck_assert(!t.stop());
	// Reset of a fired, unreceived timer: true (the value is discarded)
	ck_assert(!t.reset(1ms));
	goro::sleep_for(10ms);
	ck_assert(t.reset(5ms));
	t0 = goro::clock::now();
	// in a select beside a channel
	goro::chan<int> never;
	int v = 0;
	goro::clock::time_point at{};
	goro::select sel;
	sel.recv(never, v).recv(t, at);
	ck_assert_int_eq(sel.wait_for(10s), 1);
	ck_assert_int_ge(elapsed_ns(t0), 4 * MS);
	ck_assert_int_gt(at.time_since_epoch().count(), 0);
	// Ticker: ticks in order, the i-th never before i periods; stopped, no more.
	// (Gaps prove nothing: a late tick is followed by one on schedule.)
	auto tk0 = goro::clock::now();
	goro::ticker tk(3ms);
	ck_assert(static_cast<bool>(tk));
	goro::clock::time_point last{};
	for (int i = 0; i < 3; i++) {
		auto w = tk.recv();
		ck_assert(w.has_value() && *w > last);
		ck_assert_int_ge((*w - tk0).count(), (i + 1) * 3 * MS);
		last = *w;
	}
	ck_assert(tk.stop());
	goro::sleep_for(10ms);
	ck_assert(!tk.try_recv().has_value());
	ck_assert(!goro::ticker(0ms));
	ck_assert(!goro::ticker(-1s));
	goro::ticker moved(std::move(tk));
	ck_assert(!tk && moved);
	return 0;
}

START_TEST(TestTimer)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, timer_main), 0);
}
END_TEST

// AfterFunc: f runs once per arm, stop keeps it from starting, and the
// func_timer's destructor waits for a run under way before destroying f.
static int after_func_main()
{
	std::atomic<int> runs{ 0 };
	{
		tracked t(0);
		goro::func_timer f = goro::after_func(5ms, [&runs, t = std::move(t)] { runs.fetch_add(1); });
		ck_assert(static_cast<bool>(f));
		ck_assert(wait_until_true([&] { return runs.load() == 1; }));
		ck_assert(!f.stop());        // it has run
		ck_assert(!f.reset(1ms));    // again, even after running
		ck_assert(wait_until_true([&] { return runs.load() == 2; }));
		ck_assert(!f.reset(1h));
		ck_assert(f.stop());         // kept it from starting
		goro::func_timer g(std::move(f));
		ck_assert(!f && g);
		ck_assert_int_eq(destroyed[0].load(), 0);
	}
	ck_assert_int_eq(runs.load(), 2);
	ck_assert_int_eq(destroyed[0].load(), 1);   // g's copy, once

	std::atomic<int> started{ 0 }, finished{ 0 };
	{
		goro::func_timer f = goro::after_func(0ms, [&] {
			started.store(1);
			goro::sleep_for(30ms);
			finished.store(1);
		});
		ck_assert(wait_until_true([&] { return started.load() == 1; }));
	}   // waits for the run
	ck_assert_int_eq(finished.load(), 1);

	{
		goro::func_timer f = goro::after_func(1h, [&runs] { runs.fetch_add(100); });
	}   // stopped before it ran
	goro::sleep_for(5ms);
	ck_assert_int_eq(runs.load(), 2);
	return 0;
}

START_TEST(TestAfterFunc)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, after_func_main), 0);
}
END_TEST

// A temporary parent is refused at compile time: it would cancel its child
// as soon as the statement ends.
template <class P, class = void>
struct derives_from : std::false_type {};
template <class P>
struct derives_from<P, std::void_t<decltype(goro::with_cancel(std::declval<P>()))>> : std::true_type {};
static_assert(derives_from<const goro::context &>::value, "with_cancel takes a named parent");
static_assert(!derives_from<goro::context &&>::value, "with_cancel refuses a temporary parent");

static int context_main()
{
	constexpr int64_t MS = 1000 * 1000;
	goro::context bg = goro::background();
	ck_assert(!bg.done());
	ck_assert(bg.done_chan() == nullptr);
	ck_assert_int_eq(bg.wait(), GORO_INVAL);   // never done: does not block
	ck_assert(!bg.deadline().has_value());

	// WithTimeout: done with TIMEOUT at its deadline, no earlier
	auto t0 = goro::clock::now();
	goro::context tctx = goro::with_timeout(20ms);
	ck_assert(!tctx.done());
	ck_assert(tctx.deadline().has_value());
	ck_assert_int_ge((*tctx.deadline() - t0).count(), 20 * MS);
	ck_assert_int_eq(tctx.wait(), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 20 * MS);

	// WithCancel tree: a child's cancel leaves the parent; the parent's
	// reaches every descendant
	goro::context root = goro::with_cancel();
	goro::context a = goro::with_cancel(root);
	goro::context b = goro::with_cancel(a);
	goro::context c = goro::with_cancel(root);
	b.cancel();
	ck_assert_int_eq(b.err(), GORO_CANCELED);
	ck_assert_int_eq(a.err(), GORO_OK);
	root.cancel();
	ck_assert_int_eq(a.err(), GORO_CANCELED);
	ck_assert_int_eq(c.err(), GORO_CANCELED);
	ck_assert_int_eq(c.wait(), GORO_CANCELED);

	// Done in a select, beside a channel; a goroutine cancels
	goro::context job = goro::with_cancel();
	goro::chan<int> results;
	goro::go([&job] {
		goro::sleep_for(5ms);
		job.cancel();
	});
	goro::select sel;
	int v;
	sel.recv(results, v).done(job);
	ck_assert_int_eq(sel.wait_for(10s), 1);
	ck_assert_int_eq(job.err(), GORO_CANCELED);
	goro::select never;
	never.done(bg);
	ck_assert_int_eq(never.wait_for(1ms), GORO_TIMEOUT);

	// the destructor is Go's defer cancel(): it cancels what was derived
	goro::context outer = goro::with_timeout(1h);
	goro::context inner = goro::with_cancel(outer);
	{
		goro::context gone = std::move(outer);
	}
	ck_assert(!outer);
	ck_assert_int_eq(inner.err(), GORO_CANCELED);
	ck_assert_int_eq(outer.err(), GORO_INVAL);

	// deadlines on goro::clock and on steady_clock; the nearer one wins
	goro::context d1 = goro::with_deadline(goro::clock::now() + 10ms);
	goro::context d2 = goro::with_deadline(d1, std::chrono::steady_clock::now() + 1h);
	ck_assert(*d2.deadline() == *d1.deadline());
	t0 = goro::clock::now();
	ck_assert_int_eq(d2.wait(), GORO_TIMEOUT);
	ck_assert_int_ge(elapsed_ns(t0), 5 * MS);

	// values: the nearest for the key, else the parent's
	static const char k1 = 0, k2 = 0;
	int x = 1, y = 2;
	goro::context v1 = goro::with_value(&k1, &x);
	goro::context v2 = goro::with_value(v1, &k2, &y);
	goro::context v3 = goro::with_value(v2, &k1, &y);
	ck_assert(v3.value(&k1) == &y && v3.value(&k2) == &y && v2.value(&k1) == &x);
	ck_assert(v1.value(&k2) == nullptr);
	return 0;
}

START_TEST(TestContext)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, context_main), 0);
}
END_TEST

// ======================= wait_group, once, condition variable =======================

static goro::once once_flag;
static std::atomic<int> once_runs;

static int wg_once_main()
{
	goro::wait_group wg;
	std::atomic<int> seen{ 0 };
	for (int i = 0; i < 32; i++) {
		ck_assert_int_eq(wg.add(1), GORO_OK);
		goro::go([&] {
			goro::call_once(once_flag, [](int k) {
				goro::sleep_for(1ms);   // others arrive and wait for it
				once_runs.fetch_add(k);
			}, 1);
			if (once_runs.load() == 1)   // every caller returns after f finished
				seen.fetch_add(1);
			wg.done();
		});
	}
	wg.wait();
	ck_assert_int_eq(once_runs.load(), 1);
	ck_assert_int_eq(seen.load(), 32);
	ck_assert_int_eq(wg.done(), GORO_INVAL);   // would go negative
	ck_assert_int_eq(wg.add(-1), GORO_INVAL);
	wg.wait();                                  // counter 0: returns

	// as std::call_once: a throwing f leaves the flag unset
	goro::once o;
	int tries = 0;
	try {
		goro::call_once(o, [&] {
			tries++;
			throw std::runtime_error("first");
		});
	} catch (const std::runtime_error &) {
	}
	goro::call_once(o, [&] { tries++; });
	goro::call_once(o, [&] { tries++; });
	ck_assert_int_eq(tries, 2);
	return 0;
}

START_TEST(TestWaitGroupOnce)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, wg_once_main), 0);
}
END_TEST

// A bounded queue of ints under one goro::mutex and two condition
// variables, waited on with predicates through std::unique_lock; producers
// and consumers on two Ps; an exact checksum. Then waits under a bare
// goro::mutex and a std::shared_lock.
#define CV_N SCALE(4000, 800)
static int cond_main()
{
	goro::mutex mu;
	goro::condition_variable_any not_full, not_empty;
	std::vector<int> q;
	const std::size_t qcap = 4;
	std::atomic<long> got{ 0 };
	goro::wait_group wg;
	wg.add(4);
	for (int p = 0; p < 2; p++)
		goro::go([&] {
			for (int i = 1; i <= CV_N; i++) {
				std::unique_lock<goro::mutex> l(mu);
				not_full.wait(l, [&] { return q.size() < qcap; });
				q.push_back(i);
				l.unlock();
				not_empty.notify_one();
			}
			wg.done();
		});
	for (int c = 0; c < 2; c++)
		goro::go([&] {
			for (int i = 0; i < CV_N; i++) {
				std::unique_lock<goro::mutex> l(mu);
				not_empty.wait(l, [&] { return !q.empty(); });
				got.fetch_add(q.back());
				q.pop_back();
				not_full.notify_one();
			}
			wg.done();
		});
	wg.wait();
	ck_assert_int_eq(got.load(), 2L * CV_N * (CV_N + 1) / 2);
	ck_assert(q.empty());

	// a bare goro::mutex as the lock; notify_all wakes every waiter, and a
	// waiter woken while its predicate is still false waits again
	int stage = 0;
	std::atomic<int> woke{ 0 };
	goro::wait_group w2;
	w2.add(8);
	for (int i = 0; i < 8; i++)
		goro::go([&] {
			mu.lock();
			not_empty.wait(mu, [&] { return stage == 2; });
			mu.unlock();
			woke.fetch_add(1);
			w2.done();
		});
	goro::sleep_for(5ms);
	{
		std::lock_guard<goro::mutex> l(mu);
		stage = 1;
	}
	not_empty.notify_all();
	goro::sleep_for(20ms);
	ck_assert_int_eq(woke.load(), 0);
	{
		std::lock_guard<goro::mutex> l(mu);
		stage = 2;
	}
	not_empty.notify_all();
	w2.wait();
	ck_assert_int_eq(woke.load(), 8);

	// readers waiting under std::shared_lock<goro::shared_mutex>
	goro::shared_mutex sm;
	stage = 0;
	goro::wait_group w3;
	w3.add(3);
	for (int i = 0; i < 3; i++)
		goro::go([&] {
			std::shared_lock<goro::shared_mutex> l(sm);
			not_full.wait(l, [&] { return stage == 1; });
			ck_assert(l.owns_lock());
			w3.done();
		});
	goro::sleep_for(5ms);
	{
		std::lock_guard<goro::shared_mutex> l(sm);
		stage = 1;
	}
	not_full.notify_all();
	w3.wait();
	return 0;
}

START_TEST(TestCondition)
{
	goro_config cfg = procs_cfg(2);
	ck_assert_int_eq(goro::main(&cfg, cond_main), 0);
}
END_TEST

int main()
{
	Suite *s = suite_create("cxx");
	TCase *tc = tcase_create("basic");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, TestGoCaptures, 0, 2);
	tcase_add_test(tc, TestGoArgs);
	tcase_add_test(tc, TestGoPlain);
	tcase_add_test(tc, TestGoWith);
	tcase_add_test(tc, TestGoNotRunning);
	tcase_add_test(tc, TestGoException);
	tcase_add_test(tc, TestGoEscape);
	tcase_add_loop_test(tc, TestMain, 0, 2);
	tcase_add_test(tc, TestChanTyped);
	tcase_add_loop_test(tc, TestChanMPMC, 0, 2);
	tcase_add_loop_test(tc, TestLockGuard, 0, 2);
	tcase_add_loop_test(tc, TestSharedLock, 0, 2);
	tcase_add_test(tc, TestSelectChrono);
	tcase_add_test(tc, TestSelectFd);
	tcase_add_test(tc, TestSleepChrono);
	tcase_add_test(tc, TestTimer);
	tcase_add_test(tc, TestAfterFunc);
	tcase_add_test(tc, TestContext);
	tcase_add_test(tc, TestWaitGroupOnce);
	tcase_add_test(tc, TestCondition);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
