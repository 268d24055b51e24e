/* hello: goroutines on every CPU. Spawns 8 goroutines per P; each does a
 * little work, yields, and notes the OS thread it ran on. The Go twin:
 *
 *	func main() {
 *		procs := runtime.GOMAXPROCS(0)
 *		var wg sync.WaitGroup
 *		for i := 0; i < 8*procs; i++ {
 *			wg.Add(1)
 *			go func(n int) {
 *				defer wg.Done()
 *				for j := 0; j < 10; j++ {
 *					work()
 *					runtime.Gosched()
 *				}
 *				if n < 4 {
 *					fmt.Printf("hello from goroutine %d\n", n)
 *				}
 *			}(i)
 *		}
 *		wg.Wait()
 *	}
 *
 * (Go hides the OS thread; goro can show it.)
 * Build: cc -O2 -pthread -Iinclude examples/hello.c build/amd64/libgoro.a
 * GORO_PROCS=n overrides the number of Ps (default: all CPUs). Exits 0 when
 * the goroutines ran on at least min(procs, 2) OS threads. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "goro.h"

#define PER_P 8
#define MAX_G 4096

static long tids[MAX_G];
static atomic_long done;

static void work(void)
{
	volatile unsigned long x = 1;
	for (int i = 0; i < 100000; i++)
		x = x * 6364136223846793005ul + 1;
}

static void hello(void *arg)
{
	long n = (long)(intptr_t)arg;
	for (int j = 0; j < 10; j++) {
		work();
		goro_yield();
	}
	long tid = (long)syscall(SYS_gettid);
	tids[n] = tid;
	if (n < 4)
		printf("hello from goroutine %llu on thread %ld\n",
		       (unsigned long long)goro_id(), tid);
	/* release: publishes tids[n] to main's acquire load */
	atomic_fetch_add_explicit(&done, 1, memory_order_release);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	int procs = goro_procs();
	long n = (long)procs * PER_P;
	if (n > MAX_G)
		n = MAX_G;
	for (long i = 0; i < n; i++) {
		int st = goro_spawn(hello, (void *)(intptr_t)i);
		if (st != GORO_OK) {
			fprintf(stderr, "hello: goro_spawn: %s\n", goro_strerror(st));
			return 1;
		}
	}
	/* no WaitGroup needed for a counter: yield until all have finished */
	while (atomic_load_explicit(&done, memory_order_acquire) < n)
		goro_yield();

	int k = 0;  /* distinct thread ids */
	for (long i = 0; i < n; i++) {
		long j = 0;
		while (j < i && tids[j] != tids[i])
			j++;
		if (j == i)
			k++;
	}
	printf("goroutines ran on %d threads (procs=%d)\n", k, procs);
	int want = procs < 2 ? procs : 2;
	return k >= want ? 0 : 1;
}

int main(void)
{
	goro_config cfg = { .procs = 0 };  /* GORO_PROCS, else all CPUs */
	int r = goro_main(&cfg, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "hello: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
