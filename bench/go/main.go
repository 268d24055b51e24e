// Go twin of bench/goro_bench.c: the same cases, sizes and output.
//
//	bench [-procs N] [-n OPS] [case ...]
//
// -procs N sets GOMAXPROCS (0: all CPUs); -n overrides every selected case's
// size. One line per case:
//
//	BENCH <name> procs=<P> n=<ops> ns_per_op=<x> [key=value ...]
//
// A wrong result prints "BENCH-FAIL <name> ..." on stderr and exits 1.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	nOverride int64
	failures  int
)

func fail(name, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "BENCH-FAIL %s: %s\n", name, fmt.Sprintf(format, args...))
	failures++
}

func sizeOf(dflt int64) int64 {
	if nOverride > 0 {
		return nOverride
	}
	return dflt
}

func report(name string, n int64, d time.Duration, extra string) {
	ns := 0.0
	if n > 0 {
		ns = float64(d.Nanoseconds()) / float64(n)
	}
	if extra != "" {
		extra = " " + extra
	}
	fmt.Printf("BENCH %s procs=%d n=%d ns_per_op=%.2f%s\n", name, runtime.GOMAXPROCS(0), n, ns, extra)
}

// rssNow: resident set size in bytes, from /proc/self/statm.
func rssNow() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, res int64
	fmt.Sscan(string(b), &size, &res)
	return res * int64(os.Getpagesize())
}

func rssPeak() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return int64(ru.Maxrss) * 1024
}

// ---- yield ----

func benchYield(name string) {
	n := sizeOf(2000000)
	var wg sync.WaitGroup
	wg.Add(2)
	t0 := time.Now()
	for k := 0; k < 2; k++ {
		go func() {
			for i := int64(0); i < n/2; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	report(name, n, time.Since(t0), "")
}

// ---- pingpong ----

func benchPingpong(name string) {
	n := sizeOf(500000)
	ping, pong := make(chan int64), make(chan int64)
	t0 := time.Now()
	go func() {
		for i := int64(0); i < n; i++ {
			v := <-ping
			pong <- v + 1
		}
	}()
	v := int64(0)
	for i := int64(0); i < n; i++ {
		ping <- v
		v = <-pong
	}
	d := time.Since(t0)
	if v != n {
		fail(name, "value %d, want %d", v, n)
	}
	report(name, n, d, "")
}

// ---- prodcons0, prodcons ----

func producer(c chan int64, n int64) {
	for i := int64(0); i < n; i++ {
		c <- i
	}
	close(c)
}

func benchProdcons(name string, capacity int, dflt int64) {
	n := sizeOf(dflt)
	c := make(chan int64, capacity)
	var sum, got int64
	t0 := time.Now()
	go producer(c, n)
	for v := range c {
		sum += v
		got++
	}
	d := time.Since(t0)
	if got != n || sum != n*(n-1)/2 {
		fail(name, "got %d items summing %d", got, sum)
	}
	report(name, n, d, "")
}

// ---- spawn ----

func benchSpawn(name string) {
	n := sizeOf(1000000)
	var wg sync.WaitGroup
	wg.Add(int(n))
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		go wg.Done()
	}
	wg.Wait()
	d := time.Since(t0)
	report(name, n, d, fmt.Sprintf("peak_rss=%d", rssPeak()))
}

// ---- ring ----

const ringSize = 503

func benchRing(name string) {
	n := sizeOf(1000000)
	var ch [ringSize]chan int64
	done := make(chan int64)
	for i := range ch {
		ch[i] = make(chan int64)
	}
	var wg sync.WaitGroup
	wg.Add(ringSize)
	for i := 0; i < ringSize; i++ {
		go func(in, out chan int64) {
			for tok := range in {
				if tok == 0 {
					done <- tok
					continue
				}
				out <- tok - 1
			}
			wg.Done()
		}(ch[i], ch[(i+1)%ringSize])
	}
	t0 := time.Now()
	ch[0] <- n
	<-done
	d := time.Since(t0)
	report(name, n, d, "")
	for i := range ch {
		close(ch[i])
	}
	wg.Wait()
}

// ---- select2, selectnb ----

func benchSelect2(name string) {
	n := sizeOf(500000) &^ 1
	a, b := make(chan int64), make(chan int64)
	go producer(a, n/2)
	go producer(b, n/2)
	var sum int64
	t0 := time.Now()
	for i := int64(0); i < n; {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			sum += v
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			sum += v
		}
		i++
	}
	d := time.Since(t0)
	h := n / 2
	if sum != h*(h-1) {
		fail(name, "sum %d, want %d", sum, h*(h-1))
	}
	report(name, n, d, "")
	if a != nil {
		<-a
	}
	if b != nil {
		<-b
	}
}

func benchSelectnb(name string) {
	n := sizeOf(20000000)
	c := make(chan int64)
	var miss int64
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		select {
		case <-c:
		default:
			miss++
		}
	}
	d := time.Since(t0)
	if miss != n {
		fail(name, "%d of %d selects did not take default", n-miss, n)
	}
	report(name, n, d, "")
}

// ---- mpmc ----

func benchMpmc(name string) {
	k := int64(4 * runtime.GOMAXPROCS(0))
	per := sizeOf(4000000) / k
	n := per * k
	c := make(chan int64, 128)
	var pwg, cwg sync.WaitGroup
	var sum int64
	pwg.Add(int(k))
	cwg.Add(int(k))
	t0 := time.Now()
	for i := int64(0); i < k; i++ {
		go func() {
			s := int64(0)
			for v := range c {
				s += v
			}
			atomic.AddInt64(&sum, s)
			cwg.Done()
		}()
	}
	for i := int64(0); i < k; i++ {
		go func() {
			for j := int64(0); j < per; j++ {
				c <- j
			}
			pwg.Done()
		}()
	}
	pwg.Wait()
	close(c)
	cwg.Wait()
	d := time.Since(t0)
	if sum != k*(per*(per-1)/2) {
		fail(name, "sum %d, want %d", sum, k*(per*(per-1)/2))
	}
	report(name, n, d, "")
}

// ---- chancreate ----

var chanSink chan int64

func benchChancreate(name string) {
	n := sizeOf(5000000)
	var sum int64
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		c := make(chan int64, 1)
		c <- i
		sum += <-c
		if i == n {
			chanSink = c // never: keeps c a real heap channel
		}
	}
	d := time.Since(t0)
	if sum != n*(n-1)/2 {
		fail(name, "sum %d", sum)
	}
	report(name, n, d, "")
}

// ---- mutex ----

func benchMutex(name string) {
	k := int64(4 * runtime.GOMAXPROCS(0))
	per := sizeOf(10000000) / k
	n := per * k
	var mu sync.Mutex
	var counter int64
	var wg sync.WaitGroup
	wg.Add(int(k))
	t0 := time.Now()
	for i := int64(0); i < k; i++ {
		go func() {
			for j := int64(0); j < per; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(t0)
	if counter != n {
		fail(name, "counter %d, want %d", counter, n)
	}
	report(name, n, d, "")
}

// ---- skynet ----

func skynet(out chan int64, num, size int64) {
	if size == 1 {
		out <- num
		return
	}
	rc := make(chan int64, 10)
	sub := size / 10
	for i := int64(0); i < 10; i++ {
		go skynet(rc, num+i*sub, sub)
	}
	var sum int64
	for i := 0; i < 10; i++ {
		sum += <-rc
	}
	out <- sum
}

func benchSkynet(name string) {
	n := int64(1000000)
	if nOverride > 0 {
		for n = 1; n*10 <= nOverride; n *= 10 {
		}
	}
	c := make(chan int64, 1)
	t0 := time.Now()
	go skynet(c, 0, n)
	sum := <-c
	d := time.Since(t0)
	total := n
	for x := n; x > 1; {
		x /= 10
		total += x
	}
	if sum != n*(n-1)/2 {
		fail(name, "sum %d, want %d", sum, n*(n-1)/2)
	}
	report(name, total, d, fmt.Sprintf("sum=%d", sum))
}

// ---- dsum ----

const dsumLeaf = 1

var dsumTasks int64

func dsum(lo, hi int64) int64 {
	if hi-lo <= dsumLeaf {
		s := int64(0)
		for i := lo; i < hi; i++ {
			s += i
		}
		return s
	}
	mid := lo + (hi-lo)/2
	var r [2]int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { r[0] = dsum(lo, mid); wg.Done() }()
	go func() { r[1] = dsum(mid, hi); wg.Done() }()
	atomic.AddInt64(&dsumTasks, 2)
	wg.Wait()
	return r[0] + r[1]
}

func benchDsum(name string) {
	n := sizeOf(1000000)
	dsumTasks = 0
	t0 := time.Now()
	sum := dsum(0, n)
	d := time.Since(t0)
	if sum != n*(n-1)/2 {
		fail(name, "sum %d, want %d", sum, n*(n-1)/2)
	}
	report(name, dsumTasks, d, fmt.Sprintf("leaf=%d range=%d", dsumLeaf, n))
}

// ---- tree ----

// A complete binary tree of goroutines: each inner node spawns two children
// and joins them with a WaitGroup; leaves only report done.
func tree(depth int, parent *sync.WaitGroup) {
	if depth > 0 {
		var wg sync.WaitGroup
		wg.Add(2)
		go tree(depth-1, &wg)
		go tree(depth-1, &wg)
		wg.Wait()
	}
	parent.Done()
}

func benchTree(name string) {
	depth := 19 // 2^20 - 1 goroutines
	if nOverride > 0 {
		for depth = 0; (int64(2)<<(depth+1))-1 <= nOverride; depth++ {
		}
	}
	nodes := (int64(2) << depth) - 1
	var wg sync.WaitGroup
	wg.Add(1)
	t0 := time.Now()
	go tree(depth, &wg)
	wg.Wait()
	d := time.Since(t0)
	report(name, nodes, d, fmt.Sprintf("depth=%d", depth))
}

// ---- timers ----

func splitmix(seed uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func benchTimers(name string) {
	n := sizeOf(100000)
	late := make([]int64, n)
	var wg sync.WaitGroup
	wg.Add(int(n))
	gate := make(chan struct{})
	for i := int64(0); i < n; i++ {
		go func(i int64) {
			<-gate // all sleepers exist before any sleeps, as on the C side
			// 1-10 ms, uniform, the same draw as the C side
			d := time.Duration(1000000 + int64(splitmix(uint64(i))%9000001))
			t := time.Now()
			time.Sleep(d)
			late[i] = int64(time.Since(t) - d)
			wg.Done()
		}(i)
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	d := time.Since(t0)
	var sum float64
	neg := 0
	for _, l := range late {
		sum += float64(l)
		if l < 0 {
			neg++
		}
	}
	if neg > 0 {
		fail(name, "%d sleeps returned early", neg)
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	report(name, n, d, fmt.Sprintf("mean_us=%.1f p99_us=%.1f max_us=%.1f",
		sum/float64(n)/1e3, float64(late[n*99/100])/1e3, float64(late[n-1])/1e3))
}

// ---- timer_reset: 1,000 goroutines, each resetting its own timer to
// 50-51 ms (1 us steps) and yielding every 16 resets; ns per reset ----

func benchTimerReset(name string) {
	const g = 1000
	n := sizeOf(2000000)
	per := n / g
	if per == 0 {
		per = 1
	}
	var wg sync.WaitGroup
	wg.Add(g)
	gate := make(chan struct{})
	for i := 0; i < g; i++ {
		go func() {
			<-gate
			t := time.NewTimer(50 * time.Millisecond)
			for k := int64(0); k < per; k++ {
				t.Reset(50*time.Millisecond + time.Duration(k%1000)*time.Microsecond)
				if k%16 == 15 {
					runtime.Gosched()
				}
			}
			t.Stop()
			wg.Done()
		}()
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	report(name, per*g, time.Since(t0), "")
}

// ---- ctx_cancel: a cancellable root with 10,000 children, a goroutine
// blocked on each child's Done; ns per child from cancelling the root to
// every goroutine having seen it ----

func benchCtxCancel(name string) {
	n := sizeOf(10000)
	b0 := time.Now()
	root, cancel := context.WithCancel(context.Background())
	cs := make([]context.Context, n)
	cancels := make([]context.CancelFunc, n)
	for i := range cs {
		cs[i], cancels[i] = context.WithCancel(root)
	}
	build := time.Since(b0)
	var started, woke sync.WaitGroup
	started.Add(int(n))
	woke.Add(int(n))
	for i := range cs {
		go func(c context.Context) {
			started.Done()
			<-c.Done()
			woke.Done()
		}(cs[i])
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let the last ones park on Done
	t0 := time.Now()
	cancel()
	woke.Wait()
	d := time.Since(t0)
	for i, c := range cs {
		if c.Err() != context.Canceled {
			fail(name, "child %d: err %v", i, c.Err())
		}
	}
	report(name, n, d, fmt.Sprintf("build_ns_per_child=%.1f", float64(build.Nanoseconds())/float64(n)))
	for _, f := range cancels {
		f()
	}
}

// ---- afterfunc: 100,000 AfterFunc timers with random 1-10 ms delays (the
// same splitmix64 draw as the C side); lateness = when fn ran minus when it
// was due ----

func benchAfterfunc(name string) {
	n := sizeOf(100000)
	due := make([]time.Time, n)
	late := make([]int64, n)
	ts := make([]*time.Timer, n)
	var wg sync.WaitGroup
	wg.Add(int(n))
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		// splitmix64 with seed 1: state 1 + (i+1) * golden
		d := time.Duration(1000+splitmix(1+uint64(i)*0x9e3779b97f4a7c15)%9001) * time.Microsecond
		i := i
		due[i] = time.Now().Add(d)
		ts[i] = time.AfterFunc(d, func() {
			late[i] = int64(time.Since(due[i]))
			wg.Done()
		})
	}
	create := time.Since(t0)
	wg.Wait()
	d := time.Since(t0)
	var sum float64
	neg := 0
	for _, l := range late {
		sum += float64(l)
		if l < 0 {
			neg++
		}
	}
	if neg > 0 {
		fail(name, "%d functions ran early", neg)
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	report(name, n, d, fmt.Sprintf("late_mean_us=%.1f late_p99_us=%.1f create_ms=%.1f",
		sum/float64(n)/1e3, float64(late[n*99/100])/1e3, float64(create.Nanoseconds())/1e6))
	_ = ts
}

// ---- parked ----

func benchParked(name string) {
	n := sizeOf(100000)
	cs := make([]chan struct{}, n)
	for i := range cs {
		cs[i] = make(chan struct{})
	}
	var started, exited sync.WaitGroup
	started.Add(int(n))
	exited.Add(int(n))
	before := rssNow()
	t0 := time.Now()
	for i := int64(0); i < n; i++ {
		go func(c chan struct{}) {
			started.Done()
			<-c
			exited.Done()
		}(cs[i])
	}
	started.Wait()
	d := time.Since(t0)
	time.Sleep(20 * time.Millisecond) // let the last ones reach their receive
	after := rssNow()
	report(name, n, d, fmt.Sprintf("rss_per_g=%.0f rss_delta=%d",
		float64(after-before)/float64(n), after-before))
	for _, c := range cs {
		close(c)
	}
	exited.Wait()
}

// ---- sieve ----

func generate(ch chan<- int64) {
	for i := int64(2); ; i++ {
		ch <- i
	}
}

func filter(in <-chan int64, out chan<- int64, prime int64) {
	for {
		v := <-in
		if v%prime != 0 {
			out <- v
		}
	}
}

func benchSieve(name string) {
	n := sizeOf(5000)
	var prime int64
	t0 := time.Now()
	ch := make(chan int64)
	go generate(ch)
	for i := int64(0); i < n; i++ {
		prime = <-ch
		if i == n-1 {
			break
		}
		ch1 := make(chan int64)
		go filter(ch, ch1, prime)
		ch = ch1
	}
	d := time.Since(t0)
	if n == 5000 && prime != 48611 {
		fail(name, "5000th prime %d, want 48611", prime)
	}
	// The sieve's goroutines stay blocked, as in the classic program; they
	// cost nothing to the cases after this one.
	report(name, n, d, fmt.Sprintf("last=%d", prime))
}

// ---- echo_pingpong, echo_stream, idle_conns: TCP on 127.0.0.1 ----

// raiseNofile: RLIMIT_NOFILE's soft limit up to the hard one (Go 1.19 does
// it at start already; the C side must), returning the limit now in force.
func raiseNofile() int64 {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) != nil {
		return 1024
	}
	rl.Cur = rl.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	return int64(rl.Cur)
}

// threadsNow: the process's OS threads (Threads: in /proc/self/status).
// Neither runtime ends its threads in these cases, so at the end of a case
// this is also the peak.
func threadsNow() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if t := sc.Text(); strings.HasPrefix(t, "Threads:") {
			v, _ := strconv.ParseInt(strings.TrimSpace(t[8:]), 10, 64)
			return v
		}
	}
	return -1
}

// cpuNow: the process's CPU time, user and system: what a case costs however
// loaded the machine is (a shared box's wall clock also counts others).
func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const echoMsg = 512  // bytes per message, both directions
const echoBuf = 4096 // the server's read buffer

// echoServe: the server's goroutine per connection: write back what it reads.
func echoServe(c net.Conn) {
	buf := make([]byte, echoBuf)
	for {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		if _, err := c.Write(buf[:n]); err != nil {
			break
		}
	}
	c.Close()
}

// echoListen: a listener on 127.0.0.1 (any port) whose accept loop gives
// every connection a goroutine running serve.
func echoListen(name string, serve func(net.Conn)) (net.Listener, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: listen: %v\n", name, err)
		os.Exit(2)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln, ln.Addr().String()
}

func dialOrDie(name, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s: dial %s: %v\n", name, addr, err)
		os.Exit(2)
	}
	return c
}

func benchEchoPingpong(name string) {
	const conns = 1000
	raiseNofile()
	rounds := sizeOf(200000) / conns
	if rounds < 1 {
		rounds = 1
	}
	n := rounds * conns
	ln, addr := echoListen(name, echoServe)
	cs := make([]net.Conn, conns)
	for i := range cs {
		cs[i] = dialOrDie(name, addr)
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	var bad int64
	wg.Add(conns)
	for i := range cs {
		go func(c net.Conn, i int) {
			msg := make([]byte, echoMsg)
			got := make([]byte, echoMsg)
			<-gate
			for r := int64(0); r < rounds; r++ {
				msg[0], msg[echoMsg-1] = byte(r), byte(i)
				if _, err := c.Write(msg); err != nil {
					atomic.AddInt64(&bad, 1)
					break
				}
				if _, err := io.ReadFull(c, got); err != nil ||
					got[0] != msg[0] || got[echoMsg-1] != msg[echoMsg-1] {
					atomic.AddInt64(&bad, 1)
					break
				}
			}
			wg.Done()
		}(cs[i], i)
	}
	c0, t0 := cpuNow(), time.Now()
	close(gate)
	wg.Wait()
	d, cpu := time.Since(t0), cpuNow()-c0
	if bad != 0 {
		fail(name, "%d connections failed", bad)
	}
	report(name, n, d, fmt.Sprintf("conns=%d size=%d threads=%d cpu_ns=%.2f", conns, echoMsg,
		threadsNow(), float64(cpu.Nanoseconds())/float64(n)))
	for _, c := range cs {
		c.Close()
	}
	ln.Close()
}

func benchEchoStream(name string) {
	const conns = 4
	per := sizeOf(1000000) / conns
	if per < 1 {
		per = 1
	}
	n := per * conns
	ln, addr := echoListen(name, echoServe)
	cs := make([]net.Conn, conns)
	for i := range cs {
		cs[i] = dialOrDie(name, addr)
	}
	gate := make(chan struct{})
	var wg sync.WaitGroup
	var bad int64
	wg.Add(2 * conns)
	for i := range cs {
		go func(c net.Conn) { // writer
			msg := make([]byte, echoMsg)
			<-gate
			for k := int64(0); k < per; k++ {
				msg[0] = byte(k)
				if _, err := c.Write(msg); err != nil {
					atomic.AddInt64(&bad, 1)
					break
				}
			}
			wg.Done()
		}(cs[i])
		go func(c net.Conn) { // reader
			got := make([]byte, echoMsg)
			<-gate
			for k := int64(0); k < per; k++ {
				if _, err := io.ReadFull(c, got); err != nil || got[0] != byte(k) {
					atomic.AddInt64(&bad, 1)
					break
				}
			}
			wg.Done()
		}(cs[i])
	}
	c0, t0 := cpuNow(), time.Now()
	close(gate)
	wg.Wait()
	d, cpu := time.Since(t0), cpuNow()-c0
	if bad != 0 {
		fail(name, "%d goroutines failed", bad)
	}
	report(name, n, d, fmt.Sprintf("conns=%d size=%d threads=%d cpu_ns=%.2f", conns, echoMsg,
		threadsNow(), float64(cpu.Nanoseconds())/float64(n)))
	for _, c := range cs {
		c.Close()
	}
	ln.Close()
}

func benchIdleConns(name string) {
	// Two descriptors a connection, and a few for the runtime and the listener.
	n := sizeOf(10000)
	if fit := (raiseNofile() - 64) / 2; n > fit {
		n = fit
	}
	var started, exited sync.WaitGroup
	started.Add(int(n))
	exited.Add(int(n))
	before := rssNow()
	ln, addr := echoListen(name, func(c net.Conn) {
		var b [16]byte
		started.Done()
		c.Read(b[:]) // blocks until the client closes
		c.Close()
		exited.Done()
	})
	cs := make([]net.Conn, n)
	c0, t0 := cpuNow(), time.Now()
	for i := range cs {
		cs[i] = dialOrDie(name, addr)
	}
	started.Wait()
	d, cpu := time.Since(t0), cpuNow()-c0
	time.Sleep(20 * time.Millisecond) // let the last ones reach their read
	after := rssNow()
	report(name, n, d, fmt.Sprintf("rss_per_conn=%.0f rss_delta=%d threads=%d cpu_ns=%.2f",
		float64(after-before)/float64(n), after-before, threadsNow(),
		float64(cpu.Nanoseconds())/float64(n)))
	for _, c := range cs {
		c.Close()
	}
	exited.Wait()
	ln.Close()
}

// ---- driver ----

type bench struct {
	name string
	fn   func(string)
}

var benches = []bench{
	{"yield", benchYield},
	{"pingpong", benchPingpong},
	{"prodcons0", func(s string) { benchProdcons(s, 0, 500000) }},
	{"prodcons", func(s string) { benchProdcons(s, 128, 5000000) }},
	{"spawn", benchSpawn},
	{"ring", benchRing},
	{"select2", benchSelect2},
	{"selectnb", benchSelectnb},
	{"mpmc", benchMpmc},
	{"chancreate", benchChancreate},
	{"mutex", benchMutex},
	{"skynet", benchSkynet},
	{"dsum", benchDsum},
	{"tree", benchTree},
	{"timers", benchTimers},
	{"timer_reset", benchTimerReset},
	{"ctx_cancel", benchCtxCancel},
	{"afterfunc", benchAfterfunc},
	{"parked", benchParked},
	{"sieve", benchSieve},
	{"echo_pingpong", benchEchoPingpong},
	{"echo_stream", benchEchoStream},
	{"idle_conns", benchIdleConns},
}

func main() {
	procs := flag.Int("procs", 0, "GOMAXPROCS (0: all CPUs)")
	flag.Int64Var(&nOverride, "n", 0, "override every selected case's size")
	flag.Usage = func() {
		names := make([]string, len(benches))
		for i, b := range benches {
			names[i] = b.name
		}
		fmt.Fprintf(os.Stderr, "usage: bench [-procs N] [-n OPS] [case ...]\ncases: %s\n", strings.Join(names, " "))
		os.Exit(2)
	}
	flag.Parse()
	if *procs <= 0 {
		*procs = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(*procs)
	var sel []bench
	for _, a := range flag.Args() {
		found := false
		for _, b := range benches {
			if b.name == a {
				sel = append(sel, b)
				found = true
				break
			}
		}
		if !found {
			fmt.Fprintf(os.Stderr, "bench: unknown case %s\n", a)
			flag.Usage()
		}
	}
	if len(sel) == 0 {
		sel = benches
	}
	for _, b := range sel {
		b.fn(b.name)
	}
	if failures > 0 {
		os.Exit(1)
	}
}
