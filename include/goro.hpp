// goro.hpp: C++17 over goro.h. Header-only: link libgoro as for C.
//
//   goro::main(cfg, f)          goro_main: f() -> int runs as goroutine 1
//   goro::go(f, args...)        go f(args...), for any callable (go_with: options)
//   goro::chan<T>               make(chan T, cap), owning and movable
//   goro::select                select { case ...: } with std::chrono timeouts
//   goro::mutex, shared_mutex   sync.Mutex, sync.RWMutex (Lockable, SharedLockable)
//   goro::wait_group, once, call_once, condition_variable_any
//   goro::sleep_for, sleep_until, yield, clock
//   goro::timer, ticker, after_func   time.NewTimer, NewTicker, AfterFunc
//   goro::context, background, with_cancel, with_timeout...   context.Context
//
// Every call that can fail returns goro.h's int status (GORO_OK, GORO_CLOSED,
// ...), as the C functions do; nothing here throws except what the callables
// and element types you pass throw. Everything here parks the goroutine,
// never its thread, and works from threads the runtime does not own as the
// C calls do.
//
// What must not be held across a park. A goroutine that parks (any call here
// that may wait: send, recv, select, lock, wait, sleep, yield) may resume on
// another OS thread. So across such a call do not keep:
//  - references or pointers to thread_local objects (and do not rely on a
//    thread_local keeping its value: the compiler may also have cached its
//    address before the call), errno, std::this_thread::get_id(), pthread_self;
//  - a locked std::mutex, std::shared_mutex or std::recursive_mutex, or a
//    std::lock_guard/unique_lock of one: it would be unlocked from another
//    thread (undefined behaviour), and a goroutine blocked on it blocks its
//    thread and P; use goro::mutex instead. std::condition_variable and
//    std::this_thread::sleep_for block the thread the same way;
//  - anything else tied to the OS thread: a GL or CUDA context, a thread's
//    signal mask, a thread-affine library handle.
// A call that must block the thread belongs in a goro::blocking_scope.
#ifndef GORO_HPP
#define GORO_HPP

#include <goro.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace goro {

inline const char *strerror(int status) noexcept { return goro_strerror(status); }

// ---- Time ----

// goro_now() as a std::chrono clock (CLOCK_MONOTONIC on the posix host).
struct clock {
	using rep = std::int64_t;
	using period = std::nano;
	using duration = std::chrono::nanoseconds;
	using time_point = std::chrono::time_point<clock>;
	static constexpr bool is_steady = true;
	static time_point now() noexcept { return time_point(duration(goro_now())); }
};

namespace detail {
// A duration as goro's nanoseconds: rounded up (wait at least d), negative
// to 0, too long for int64_t to INT64_MAX (about 292 years).
template <class Rep, class Period>
constexpr std::int64_t to_ns(const std::chrono::duration<Rep, Period> &d) noexcept
{
	using ld = std::chrono::duration<long double, std::nano>;
	const ld x = std::chrono::duration_cast<ld>(d);
	if (!(x.count() > 0))
		return 0;
	if (x.count() >= static_cast<long double>(std::numeric_limits<std::int64_t>::max()))
		return std::numeric_limits<std::int64_t>::max();
	return static_cast<std::int64_t>(std::chrono::ceil<std::chrono::nanoseconds>(d).count());
}

template <class Clock, class Duration>
std::int64_t until_ns(const std::chrono::time_point<Clock, Duration> &t)
{
	return to_ns(t - Clock::now());
}
} // namespace detail

// time.Sleep. A duration <= 0 returns at once.
template <class Rep, class Period>
void sleep_for(const std::chrono::duration<Rep, Period> &d)
{
	std::int64_t ns = detail::to_ns(d);
	if (ns > 0)
		goro_sleep(ns);
}

// Sleep until t on t's clock (goro::clock, std::chrono::steady_clock, ...);
// for a clock other than goro::clock the wait is computed once, as a duration.
template <class Clock, class Duration>
void sleep_until(const std::chrono::time_point<Clock, Duration> &t)
{
	std::int64_t ns = detail::until_ns(t);
	if (ns > 0)
		goro_sleep(ns);
}

inline void yield() noexcept { goro_yield(); }            // runtime.Gosched
inline std::uint64_t id() noexcept { return goro_id(); }   // 0 outside goroutines
inline int procs() noexcept { return goro_procs(); }       // GOMAXPROCS
inline int num_goroutine() noexcept { return goro_num_goroutine(); }

// goro_blocking_begin/end for a scope: wrap a call that may block the thread
// (read(2), another library's lock). Call nothing of goro's inside it.
class blocking_scope {
public:
	blocking_scope() noexcept { goro_blocking_begin(); }
	~blocking_scope() { goro_blocking_end(); }
	blocking_scope(const blocking_scope &) = delete;
	blocking_scope &operator=(const blocking_scope &) = delete;
};

// ---- Goroutines ----

namespace detail {
// What goro::go hands a new goroutine: the callable and its arguments, owned
// by the goroutine, destroyed when the call returns. noexcept: an exception
// escaping a goroutine calls std::terminate, as it does for std::thread.
template <class Fn, class... Args>
struct closure {
	std::tuple<Fn, Args...> t;

	static void run(void *p) noexcept
	{
		std::unique_ptr<closure> c(static_cast<closure *>(p));
		std::apply([](auto &...a) { std::invoke(std::move(a)...); }, c->t);
	}
};

// A callable without arguments that is trivially copyable (a lambda
// capturing only pointers, references and numbers) needs no heap block:
// goro_spawn_copy puts its bytes on the new goroutine's stack. Copied again
// into storage aligned for it, so no alignment is assumed of the copy.
template <class Fn>
inline constexpr bool spawn_by_copy =
	std::is_trivially_copyable_v<Fn> && sizeof(Fn) <= GORO_SPAWN_COPY_MAX;

template <class F, class... Args>
int spawn_closure(const goro_spawn_opts *opts, F &&f, Args &&...args)
{
	using C = closure<std::decay_t<F>, std::decay_t<Args>...>;
	C *c = new (std::nothrow) C{ std::tuple<std::decay_t<F>, std::decay_t<Args>...>(
		std::forward<F>(f), std::forward<Args>(args)...) };
	if (c == nullptr)
		return GORO_NOMEM;
	int st = opts != nullptr ? goro_spawn_with(opts, &C::run, c) : goro_spawn(&C::run, c);
	if (st != GORO_OK)
		delete c;
	return st;
}

template <class Fn>
void run_copy(void *p) noexcept
{
	alignas(Fn) unsigned char buf[sizeof(Fn)];
	std::memcpy(buf, p, sizeof(Fn));
	std::invoke(std::move(*std::launder(reinterpret_cast<Fn *>(buf))));
}
} // namespace detail

// go f(args...): f and args are decay-copied (moved from rvalues) into storage
// the new goroutine owns and destroyed exactly once, when f returns, on that
// goroutine; f is invoked with them as rvalues, as std::thread does. To pass
// a reference, use std::ref. Returns goro_spawn's status: OK, NOMEM (also
// when the storage could not be allocated), INVAL (the runtime is not
// running); unless OK, f never runs and the copies are destroyed before go
// returns. An exception escaping f calls std::terminate. A goroutine still
// parked when goro::main returns is abandoned, as in Go: its copies are
// never destroyed.
template <class F, class... Args>
int go(F &&f, Args &&...args)
{
	using Fn = std::decay_t<F>;
	static_assert(std::is_invocable_v<Fn, std::decay_t<Args>...>,
	              "goro::go: f is not callable with these arguments (as rvalues)");
	if constexpr (sizeof...(Args) == 0 && detail::spawn_by_copy<Fn>) {
		const Fn fn(std::forward<F>(f));
		return goro_spawn_copy(detail::run_copy<Fn>, std::addressof(fn), sizeof fn);
	} else {
		return detail::spawn_closure(nullptr, std::forward<F>(f), std::forward<Args>(args)...);
	}
}

// go f(args...) with goro_spawn_with's options (a name for goroutine
// listings, a stack size); opts may be nullptr. Otherwise as go, always
// through a heap block.
template <class F, class... Args>
int go_with(const goro_spawn_opts *opts, F &&f, Args &&...args)
{
	static_assert(std::is_invocable_v<std::decay_t<F>, std::decay_t<Args>...>,
	              "goro::go_with: f is not callable with these arguments (as rvalues)");
	return detail::spawn_closure(opts, std::forward<F>(f), std::forward<Args>(args)...);
}

// goro_main over a callable: boot the runtime, run f() as goroutine 1 and
// return its result (0 for a void f), or goro_main's negative status. cfg may
// be nullptr. An exception escaping f calls std::terminate.
template <class F>
int main(const goro_config *cfg, F &&f)
{
	using Fn = std::remove_reference_t<F>;
	static_assert(std::is_invocable_v<Fn &>, "goro::main: f must be callable with no arguments");
	Fn *fp = std::addressof(f);   // a function pointer too, when f names a function
	return goro_main(cfg, [](void *p) noexcept -> int {
		Fn &fn = **static_cast<Fn **>(p);
		if constexpr (std::is_void_v<std::invoke_result_t<Fn &>>) {
			std::invoke(fn);
			return 0;
		} else {
			return static_cast<int>(std::invoke(fn));
		}
	}, &fp);
}

template <class F>
int main(F &&f)
{
	return goro::main(nullptr, std::forward<F>(f));
}

// ---- Channels ----

// make(chan T, cap). T is copied bytewise, so it must be trivially copyable.
// For other types send pointers: goro::chan<Job *>, or a std::unique_ptr's
// release() on the sending side and a new unique_ptr around what arrives on
// the receiving one (what is still buffered when the channel goes is then
// yours to drain and delete).
//
// Owning: the destructor frees the channel (goro_chan_free: every operation
// on it must have returned; one with goroutines still parked on it is
// reported and leaked). Movable, not copyable; share it by reference or
// pointer, as a Go channel value is shared. A moved-from chan, a
// chan(nullptr) and a chan whose allocation failed are nil: false in a
// condition; every operation returns GORO_INVAL and select never picks one.
template <class T>
class chan {
	static_assert(std::is_trivially_copyable_v<T>,
	              "goro::chan<T>: T must be trivially copyable (send T* or a released unique_ptr instead)");
	goro_chan *c_ = nullptr;

public:
	using value_type = T;

	chan() noexcept : c_(goro_chan_make(sizeof(T), 0)) {}   // make(chan T)
	// make(chan T, cap); a negative cap gives a nil channel (Go panics). A
	// template so that chan(0) is a capacity, not the null pointer constant.
	template <class I, std::enable_if_t<std::is_integral_v<I>, int> = 0>
	explicit chan(I cap) noexcept
	{
		if constexpr (std::is_signed_v<I>) {
			if (cap < 0)
				return;
		}
		c_ = goro_chan_make(sizeof(T), static_cast<std::size_t>(cap));
	}
	explicit chan(std::nullptr_t) noexcept {}   // nil
	chan(chan &&o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
	chan &operator=(chan &&o) noexcept
	{
		if (this != &o) {
			reset();
			c_ = std::exchange(o.c_, nullptr);
		}
		return *this;
	}
	chan(const chan &) = delete;
	chan &operator=(const chan &) = delete;
	~chan() { reset(); }

	explicit operator bool() const noexcept { return c_ != nullptr; }
	goro_chan *get() const noexcept { return c_; }
	goro_chan *release() noexcept { return std::exchange(c_, nullptr); }
	void reset() noexcept
	{
		if (c_ != nullptr)
			goro_chan_free(std::exchange(c_, nullptr));
	}

	// c <- v. OK, or CLOSED (Go panics).
	int send(const T &v) noexcept { return goro_chan_send(c_, std::addressof(v)); }
	// v = <-c. OK, or CLOSED once closed and drained (v is then zeroed).
	int recv(T &v) noexcept { return goro_chan_recv(c_, std::addressof(v)); }
	// v, ok := <-c: the value, or nullopt once closed and drained (or nil).
	std::optional<T> recv() noexcept
	{
		alignas(T) unsigned char buf[sizeof(T)];
		if (goro_chan_recv(c_, buf) != GORO_OK)
			return std::nullopt;
		return std::optional<T>(*std::launder(reinterpret_cast<T *>(buf)));
	}
	// Never wait: OK, AGAIN (would block) or CLOSED.
	int try_send(const T &v) noexcept { return goro_chan_trysend(c_, std::addressof(v)); }
	int try_recv(T &v) noexcept { return goro_chan_tryrecv(c_, std::addressof(v)); }
	std::optional<T> try_recv() noexcept
	{
		alignas(T) unsigned char buf[sizeof(T)];
		if (goro_chan_tryrecv(c_, buf) != GORO_OK)
			return std::nullopt;
		return std::optional<T>(*std::launder(reinterpret_cast<T *>(buf)));
	}
	// close(c): OK, or CLOSED if it was closed already (Go panics).
	int close() noexcept { return goro_chan_close(c_); }
	std::size_t len() const noexcept { return goro_chan_len(c_); }
	std::size_t cap() const noexcept { return goro_chan_cap(c_); }

	// for (T v : ch): for v := range ch, until ch is closed and drained. Each
	// step is a recv; an input iterator, so walk it once.
	class iterator {
		chan *ch_ = nullptr;   // nullptr: the end
		std::optional<T> v_;

		void next()
		{
			v_ = ch_->recv();
			if (!v_)
				ch_ = nullptr;
		}

	public:
		using iterator_category = std::input_iterator_tag;
		using value_type = T;
		using difference_type = std::ptrdiff_t;
		using pointer = const T *;
		using reference = const T &;

		iterator() = default;
		explicit iterator(chan *ch) : ch_(ch) { next(); }
		reference operator*() const { return *v_; }
		pointer operator->() const { return std::addressof(*v_); }
		iterator &operator++()
		{
			next();
			return *this;
		}
		void operator++(int) { next(); }
		friend bool operator==(const iterator &a, const iterator &b) noexcept { return a.ch_ == b.ch_; }
		friend bool operator!=(const iterator &a, const iterator &b) noexcept { return a.ch_ != b.ch_; }
	};
	iterator begin() { return iterator(this); }
	iterator end() noexcept { return iterator(); }
};

class timer;
class context;

// ---- select ----

// select over cases added in order; wait*() return the index of the case
// that proceeded (0 for the first added), or a negative status. For the
// chosen case, status(i) is OK, or CLOSED (a send on a closed channel, or a
// receive from a closed, drained one, whose target is then zeroed). Reusable:
// wait again with the same cases, or clear() and add others. The variables
// a case names must outlive the wait.
//
//   goro::select sel;
//   int v;
//   sel.recv(in, v);      // case 0: v = <-in
//   sel.send(out, w);     // case 1: out <- w
//   switch (sel.wait_for(10ms)) {
//   case 0: ...; case 1: ...; case GORO_TIMEOUT: ...
//   }
//
// readable(f) and writable(f) wait on a descriptor (GORO_FDREAD/FDWRITE):
// ready when f is readable/writable or hung up (status OK), closed (CLOSED)
// or past its deadline (TIMEOUT); nothing is read or written. add(goro_case)
// is the extension point for any case goro.h gains that has no method here.
class select {
	static constexpr std::size_t inline_cases = 8;
	goro_case inline_[inline_cases] = {};
	std::unique_ptr<goro_case[]> heap_;
	goro_case *cases_ = inline_;
	std::size_t n_ = 0, cap_ = inline_cases;
	bool nomem_ = false;   // an add could not grow the array: wait() says NOMEM

	int run(std::int64_t timeout_ns) noexcept
	{
		return nomem_ ? GORO_NOMEM : goro_select(cases_, n_, timeout_ns);
	}

	static goro_case make_case(goro_chan *c, int dir, void *elem) noexcept
	{
		goro_case k{};   // value-initialised: fields goro.h adds later are zero
		k.chan = c;
		k.dir = dir;
		k.elem = elem;
		return k;
	}

	static goro_case fd_case(goro_fd f, int dir) noexcept
	{
		goro_case k{};
		k.dir = dir;
		k.fd = f;
		return k;
	}

public:
	select() noexcept = default;
	select(const select &) = delete;
	select &operator=(const select &) = delete;

	// The raw case, as goro_select takes it; its status field is ignored.
	select &add(const goro_case &c)
	{
		if (n_ == cap_) {
			std::size_t ncap = cap_ * 2;
			goro_case *p = new (std::nothrow) goro_case[ncap];
			if (p == nullptr) {
				nomem_ = true;
				return *this;
			}
			std::copy(cases_, cases_ + n_, p);
			heap_.reset(p);
			cases_ = p;
			cap_ = ncap;
		}
		cases_[n_] = c;
		cases_[n_].status = GORO_OK;
		n_++;
		return *this;
	}
	// case v = <-c (v is written only if this case is chosen).
	template <class T>
	select &recv(chan<T> &c, T &v)
	{
		return add(make_case(c.get(), GORO_RECV, std::addressof(v)));
	}
	// case <-c: the value is discarded.
	template <class T>
	select &recv(chan<T> &c)
	{
		return add(make_case(c.get(), GORO_RECV, nullptr));
	}
	// case c <- v (v is read only if this case is chosen).
	template <class T>
	select &send(chan<T> &c, const T &v)
	{
		return add(make_case(c.get(), GORO_SEND, const_cast<T *>(std::addressof(v))));
	}

	// case when = <-t.C (the time it fired), or case <-t.C; t a timer or a
	// ticker.
	select &recv(timer &t, clock::time_point &when);
	select &recv(timer &t);
	// case <-ctx.Done(); never ready for a context that cannot be done.
	select &done(const context &c);

	// case f is readable / writable (see above).
	select &readable(goro_fd f) { return add(fd_case(f, GORO_FDREAD)); }
	select &writable(goro_fd f) { return add(fd_case(f, GORO_FDWRITE)); }

	// Wait until a case proceeds: its index, or INVAL / NOMEM (nothing happened).
	int wait() noexcept { return run(-1); }
	// As wait, giving up after d: TIMEOUT (also for d <= 0 with nothing ready).
	template <class Rep, class Period>
	int wait_for(const std::chrono::duration<Rep, Period> &d) noexcept
	{
		std::int64_t ns = detail::to_ns(d);
		int r = run(ns);
		return r == GORO_AGAIN && ns == 0 ? GORO_TIMEOUT : r;
	}
	template <class Clock, class Duration>
	int wait_until(const std::chrono::time_point<Clock, Duration> &t)
	{
		return wait_for(t - Clock::now());
	}
	// select with a default arm: never wait; AGAIN when no case is ready.
	int try_select() noexcept { return run(0); }

	// The chosen case's status: OK, or CLOSED (or TIMEOUT, descriptor cases).
	int status(std::size_t i) const noexcept { return i < n_ ? cases_[i].status : GORO_INVAL; }
	std::size_t size() const noexcept { return n_; }
	void clear() noexcept
	{
		n_ = 0;
		nomem_ = false;
	}
};

// ---- Synchronisation ----
// All are constant-initialised (constexpr constructors), so a static one is
// ready before main; none is copyable or movable, as in Go (go vet's
// copylocks).

// sync.Mutex, Lockable: std::lock_guard, std::unique_lock and std::scoped_lock
// take it. As in Go any goroutine may unlock; unlocking an unlocked mutex is
// undefined for std::mutex and ignored here (goro_mutex_unlock's INVAL).
class mutex {
	goro_mutex m_ = GORO_MUTEX_INIT;

public:
	constexpr mutex() noexcept = default;
	mutex(const mutex &) = delete;
	mutex &operator=(const mutex &) = delete;

	void lock() noexcept { goro_mutex_lock(&m_); }
	bool try_lock() noexcept { return goro_mutex_trylock(&m_); }
	void unlock() noexcept { (void)goro_mutex_unlock(&m_); }
	goro_mutex *native_handle() noexcept { return &m_; }
};

// sync.RWMutex, SharedLockable: std::shared_lock takes it for readers,
// std::lock_guard / std::unique_lock for the writer. A waiting writer holds
// off new readers, so a reader must not take it twice (Go's rule).
class shared_mutex {
	goro_rwmutex m_ = GORO_RWMUTEX_INIT;

public:
	constexpr shared_mutex() noexcept = default;
	shared_mutex(const shared_mutex &) = delete;
	shared_mutex &operator=(const shared_mutex &) = delete;

	void lock() noexcept { goro_rwmutex_lock(&m_); }
	bool try_lock() noexcept { return goro_rwmutex_trylock(&m_); }
	void unlock() noexcept { (void)goro_rwmutex_unlock(&m_); }
	void lock_shared() noexcept { goro_rwmutex_rlock(&m_); }
	bool try_lock_shared() noexcept { return goro_rwmutex_tryrlock(&m_); }
	void unlock_shared() noexcept { (void)goro_rwmutex_runlock(&m_); }
	goro_rwmutex *native_handle() noexcept { return &m_; }
};

// sync.WaitGroup. add and done return OK, or INVAL if the counter would go
// negative (Go panics; the counter is then unchanged).
class wait_group {
	goro_waitgroup wg_ = GORO_WAITGROUP_INIT;

public:
	constexpr wait_group() noexcept = default;
	wait_group(const wait_group &) = delete;
	wait_group &operator=(const wait_group &) = delete;

	int add(std::int64_t n = 1) noexcept { return goro_wg_add(&wg_, n); }
	int done() noexcept { return goro_wg_done(&wg_); }
	void wait() noexcept { goro_wg_wait(&wg_); }
	goro_waitgroup *native_handle() noexcept { return &wg_; }
};

// sync.Once in std::call_once's shape: goro::call_once(flag, f, args...)
// runs f once; every caller returns after it has finished. As with
// std::call_once (and unlike Go), if f throws, the exception reaches its
// caller and the flag stays unset, so a later call runs f again.
class once {
	std::atomic<std::uint32_t> done_{ 0 };
	mutex m_;

	template <class F, class... Args>
	friend void call_once(once &o, F &&f, Args &&...args);

public:
	constexpr once() noexcept = default;
	once(const once &) = delete;
	once &operator=(const once &) = delete;
};

// Go's Once.Do and doSlow: the fast path is one load.
template <class F, class... Args>
void call_once(once &o, F &&f, Args &&...args)
{
	// load-acquire: pairs with the store-release below, so whoever sees done
	// sees everything f did
	if (o.done_.load(std::memory_order_acquire) != 0)
		return;
	std::lock_guard<mutex> g(o.m_);
	if (o.done_.load(std::memory_order_relaxed) == 0) {
		std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
		o.done_.store(1, std::memory_order_release);   // store-release: publishes f's writes
	}
}

// sync.Cond in std::condition_variable_any's shape: wait takes any lock held
// on anything Lockable (std::unique_lock<goro::mutex>, a goro::mutex itself,
// std::shared_lock<goro::shared_mutex>...), unlocks it while waiting and
// locks it again before returning. Wake-ups may be spurious; wait with a
// predicate. There is no timed wait (Go's Cond has none): for a deadline,
// use a channel and goro::select.
class condition_variable_any {
	goro_cond c_ = GORO_COND_INIT;
	// Held from before the caller's lock is released until goro_cond_wait has
	// taken its ticket, and by every notify: a notify that follows a change
	// made under the caller's lock cannot fall between the two.
	mutex m_;

public:
	constexpr condition_variable_any() noexcept = default;
	condition_variable_any(const condition_variable_any &) = delete;
	condition_variable_any &operator=(const condition_variable_any &) = delete;

	void notify_one() noexcept
	{
		std::lock_guard<mutex> g(m_);
		goro_cond_signal(&c_);
	}
	void notify_all() noexcept
	{
		std::lock_guard<mutex> g(m_);
		goro_cond_broadcast(&c_);
	}

	template <class Lock>
	void wait(Lock &lock)
	{
		m_.lock();
		lock.unlock();
		(void)goro_cond_wait(&c_, m_.native_handle());   // m_ is held: OK
		m_.unlock();
		lock.lock();
	}
	template <class Lock, class Pred>
	void wait(Lock &lock, Pred pred)
	{
		while (!pred())
			wait(lock);
	}
};

// ---- Timers: Timer, Ticker, AfterFunc (time/sleep.go, time/tick.go) ----
// goro.h's Go 1.23 semantics: once stop() or reset() has returned, no value
// from before it is received. Owning and movable, not copyable; the
// destructor is goro_timer_free (nothing may be waiting on the channel
// then). A moved-from timer, and one that could not be made (out of
// memory, or before goro::main: timers live on its Ps), are nil: false in a
// condition, stop/reset false, recv nullopt, never ready in a select.

// time.NewTimer(d): fires once, d from now (d <= 0: at once;
// std::chrono::nanoseconds::max() and beyond: never).
class timer {
protected:
	goro_timer *t_ = nullptr;
	explicit timer(goro_timer *t) noexcept : t_(t) {}

public:
	static_assert(sizeof(clock::time_point) == sizeof(std::int64_t) &&
	              std::is_trivially_copyable_v<clock::time_point>,
	              "t.C carries an int64_t, received into a clock::time_point");

	timer() noexcept = default;
	template <class Rep, class Period>
	explicit timer(const std::chrono::duration<Rep, Period> &d) noexcept
		: t_(goro_timer_make(detail::to_ns(d))) {}
	timer(timer &&o) noexcept : t_(std::exchange(o.t_, nullptr)) {}
	timer &operator=(timer &&o) noexcept
	{
		if (this != &o) {
			goro_timer_free(t_);
			t_ = std::exchange(o.t_, nullptr);
		}
		return *this;
	}
	timer(const timer &) = delete;
	timer &operator=(const timer &) = delete;
	~timer() { goro_timer_free(t_); }

	explicit operator bool() const noexcept { return t_ != nullptr; }
	goro_timer *get() const noexcept { return t_; }
	goro_chan *chan() const noexcept { return goro_timer_chan(t_); }   // t.C

	// Stop: true if it stopped a pending fire (an unreceived value included,
	// which is discarded); for a ticker, true if it was running.
	bool stop() noexcept { return goro_timer_stop(t_); }
	// Reset: stop as stop() does (same result), then fire d from now; a
	// ticker's new period (d <= 0 refused: false, unchanged).
	template <class Rep, class Period>
	bool reset(const std::chrono::duration<Rep, Period> &d) noexcept
	{
		return goro_timer_reset(t_, detail::to_ns(d));
	}
	// <-t.C: the time it fired; nullopt for a nil timer.
	std::optional<clock::time_point> recv() noexcept
	{
		std::int64_t when;
		if (goro_chan_recv(chan(), &when) != GORO_OK)
			return std::nullopt;
		return clock::time_point(clock::duration(when));
	}
	std::optional<clock::time_point> try_recv() noexcept
	{
		std::int64_t when;
		if (goro_chan_tryrecv(chan(), &when) != GORO_OK)
			return std::nullopt;
		return clock::time_point(clock::duration(when));
	}
};

// time.NewTicker(period): fires every period, the first time period from
// now; a slow receiver misses ticks rather than queueing them. Nil if
// period <= 0.
class ticker : public timer {
public:
	ticker() noexcept = default;
	template <class Rep, class Period>
	explicit ticker(const std::chrono::duration<Rep, Period> &period) noexcept
		: timer(detail::to_ns(period) > 0 ? goro_ticker_make(detail::to_ns(period)) : nullptr) {}
};

// time.AfterFunc(d, f, args...): f(args...) runs in a goroutine of its own
// once d has passed, and again after each reset(). f and args are
// decay-copied into the func_timer and invoked as lvalues, so each run sees
// what the last left. The destructor stops the timer and waits for every run
// already started to return, then destroys f and args: so never destroy a
// func_timer from inside its own f. An exception escaping f calls
// std::terminate. Nil when out of memory or before goro::main.
class func_timer {
	struct state_base {
		wait_group runs;   // one per arm that has neither been stopped nor run
		virtual ~state_base() = default;
	};
	template <class Fn, class... Args>
	struct state : state_base {
		std::tuple<Fn, Args...> call;
		template <class F, class... A>
		explicit state(F &&f, A &&...a) : call(std::forward<F>(f), std::forward<A>(a)...) {}
	};
	template <class St>
	static void run(void *p) noexcept
	{
		St *s = static_cast<St *>(p);
		std::apply([](auto &...a) { std::invoke(a...); }, s->call);
		s->runs.done();   // last touch: the destructor may free s once it counts
	}

	goro_timer *t_ = nullptr;
	std::unique_ptr<state_base> s_;

	template <class Rep, class Period, class F, class... Args>
	friend func_timer after_func(const std::chrono::duration<Rep, Period> &d, F &&f, Args &&...args);

public:
	func_timer() noexcept = default;
	func_timer(func_timer &&o) noexcept : t_(std::exchange(o.t_, nullptr)), s_(std::move(o.s_)) {}
	func_timer &operator=(func_timer &&o) noexcept
	{
		if (this != &o) {
			release();
			t_ = std::exchange(o.t_, nullptr);
			s_ = std::move(o.s_);
		}
		return *this;
	}
	func_timer(const func_timer &) = delete;
	func_timer &operator=(const func_timer &) = delete;
	~func_timer() { release(); }

	explicit operator bool() const noexcept { return t_ != nullptr; }
	goro_timer *get() const noexcept { return t_; }

	// true if it kept f from starting.
	bool stop() noexcept
	{
		bool kept = goro_timer_stop(t_);
		if (kept)
			s_->runs.done();
		return kept;
	}
	// Arm again, d from now, even after f has run: stop()'s result.
	template <class Rep, class Period>
	bool reset(const std::chrono::duration<Rep, Period> &d) noexcept
	{
		if (t_ == nullptr)
			return false;
		s_->runs.add(1);
		bool kept = goro_timer_reset(t_, detail::to_ns(d));
		if (kept)
			s_->runs.done();
		return kept;
	}

private:
	void release() noexcept
	{
		if (t_ == nullptr)
			return;
		stop();
		s_->runs.wait();   // the runs that had started
		goro_timer_free(std::exchange(t_, nullptr));
		s_.reset();
	}
};

template <class Rep, class Period, class F, class... Args>
func_timer after_func(const std::chrono::duration<Rep, Period> &d, F &&f, Args &&...args)
{
	using St = func_timer::state<std::decay_t<F>, std::decay_t<Args>...>;
	static_assert(std::is_invocable_v<std::decay_t<F> &, std::decay_t<Args> &...>,
	              "goro::after_func: f is not callable with these arguments");
	func_timer ft;
	std::unique_ptr<St> s(new (std::nothrow) St(std::forward<F>(f), std::forward<Args>(args)...));
	if (s == nullptr)
		return ft;
	s->runs.add(1);
	goro_timer *t = goro_after_func(detail::to_ns(d), &func_timer::run<St>, s.get());
	if (t == nullptr)
		return ft;
	ft.t_ = t;
	ft.s_ = std::move(s);
	return ft;
}


// ---- Cancellation: context (context/context.go) ----
// A goro::context owns one handle of goro.h's context tree; its destructor
// is goro_ctx_free, which cancels it and so every context derived from it:
// Go's `defer cancel()`, so keep a parent alive as long as its children are
// in use. That is why the with_ functions refuse a temporary parent; derive
// from the background context with the overloads that take none. Movable,
// not copyable. A nil context (moved from, or not made: out of memory, or a
// deadline before goro::main) says GORO_INVAL from err().
class context {
	goro_ctx *c_ = nullptr;

public:
	explicit context(goro_ctx *c) noexcept : c_(c) {}   // adopts c
	context() noexcept = default;
	context(context &&o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
	context &operator=(context &&o) noexcept
	{
		if (this != &o) {
			goro_ctx_free(c_);
			c_ = std::exchange(o.c_, nullptr);
		}
		return *this;
	}
	context(const context &) = delete;
	context &operator=(const context &) = delete;
	~context() { goro_ctx_free(c_); }

	explicit operator bool() const noexcept { return c_ != nullptr; }
	goro_ctx *get() const noexcept { return c_; }

	// CancelFunc: this context and its descendants become done, CANCELED.
	void cancel() noexcept { goro_ctx_cancel(c_); }
	// Done(): closed once done; nullptr for a context that never is.
	goro_chan *done_chan() const noexcept { return goro_ctx_done(c_); }
	// Err(): OK while live, then CANCELED or TIMEOUT.
	int err() const noexcept { return goro_ctx_err(c_); }
	bool done() const noexcept { return err() != GORO_OK; }
	// Deadline(): the earliest of this context's and its ancestors', if any.
	std::optional<clock::time_point> deadline() const noexcept
	{
		std::int64_t d = goro_ctx_deadline(c_);
		if (d == 0)
			return std::nullopt;
		return clock::time_point(clock::duration(d));
	}
	// Value(key): the nearest value made for key, or nullptr.
	void *value(const void *key) const noexcept { return goro_ctx_value(c_, key); }
	// Wait until done: err(). A context that can never be done (background)
	// gives GORO_INVAL at once instead of blocking forever.
	int wait() const noexcept
	{
		goro_chan *d = done_chan();
		if (d == nullptr)
			return GORO_INVAL;
		(void)goro_chan_recv(d, nullptr);
		return err();
	}
};

// context.Background(): never done; freeing it is a no-op.
inline context background() noexcept { return context(goro_ctx_background()); }

inline context with_cancel(const context &parent) noexcept
{
	return context(goro_ctx_with_cancel(parent.get()));
}
inline context with_cancel() noexcept { return context(goro_ctx_with_cancel(goro_ctx_background())); }
context with_cancel(context &&) = delete;   // the parent would die at once

// WithDeadline: t on goro::clock, or on another clock (converted once, as
// a duration from now).
namespace detail {
template <class Clock, class Duration>
goro_ctx *with_deadline(goro_ctx *parent, const std::chrono::time_point<Clock, Duration> &t) noexcept
{
	if constexpr (std::is_same_v<Clock, clock>)
		return goro_ctx_with_deadline(parent, std::chrono::ceil<clock::duration>(t).time_since_epoch().count());
	else
		return goro_ctx_with_timeout(parent, until_ns(t));
}
} // namespace detail

template <class Clock, class Duration>
context with_deadline(const context &parent, const std::chrono::time_point<Clock, Duration> &t) noexcept
{
	return context(detail::with_deadline(parent.get(), t));
}
template <class Clock, class Duration>
context with_deadline(const std::chrono::time_point<Clock, Duration> &t) noexcept
{
	return context(detail::with_deadline(goro_ctx_background(), t));
}
template <class Clock, class Duration>
context with_deadline(context &&, const std::chrono::time_point<Clock, Duration> &) = delete;

template <class Rep, class Period>
context with_timeout(const context &parent, const std::chrono::duration<Rep, Period> &d) noexcept
{
	return context(goro_ctx_with_timeout(parent.get(), detail::to_ns(d)));
}
template <class Rep, class Period>
context with_timeout(const std::chrono::duration<Rep, Period> &d) noexcept
{
	return context(goro_ctx_with_timeout(goro_ctx_background(), detail::to_ns(d)));
}
template <class Rep, class Period>
context with_timeout(context &&, const std::chrono::duration<Rep, Period> &) = delete;

// WithValue: keys compare as pointers; value is not owned.
inline context with_value(const context &parent, const void *key, void *value) noexcept
{
	return context(goro_ctx_with_value(parent.get(), key, value));
}
inline context with_value(const void *key, void *value) noexcept
{
	return context(goro_ctx_with_value(goro_ctx_background(), key, value));
}
context with_value(context &&, const void *, void *) = delete;

// select's cases on timers and contexts, now that both are complete.
inline select &select::recv(timer &t, clock::time_point &when)
{
	return add(make_case(t.chan(), GORO_RECV, std::addressof(when)));
}
inline select &select::recv(timer &t) { return add(make_case(t.chan(), GORO_RECV, nullptr)); }
inline select &select::done(const context &c) { return add(make_case(c.done_chan(), GORO_RECV, nullptr)); }

} // namespace goro

#endif
