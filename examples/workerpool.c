/* workerpool: a fixed pool of worker goroutines takes jobs from one channel
 * and sends results to another; a WaitGroup tells when every worker has
 * finished, so the results channel can be closed. The Go twin:
 *
 *	func worker(jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
 *		defer wg.Done()
 *		for j := range jobs {
 *			results <- j * j
 *		}
 *	}
 *
 *	func main() {
 *		jobs := make(chan int, 16)
 *		results := make(chan int, 16)
 *		var wg sync.WaitGroup
 *		for w := 0; w < 4; w++ {
 *			wg.Add(1)
 *			go worker(jobs, results, &wg)
 *		}
 *		go func() {
 *			for i := 1; i <= 1000; i++ {
 *				jobs <- i
 *			}
 *			close(jobs)
 *		}()
 *		go func() { wg.Wait(); close(results) }()
 *		sum := 0
 *		for r := range results {
 *			sum += r
 *		}
 *		fmt.Println(sum)
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/workerpool.c build/amd64/libgoro.a
 * Exits 0 when the sum of the squares is right. */
#include <stdio.h>

#include "goro.h"

#define WORKERS 4
#define JOBS 1000

static goro_chan *jobs;      /* chan int: work to do */
static goro_chan *results;   /* chan long: work done */
static goro_waitgroup wg = GORO_WAITGROUP_INIT;

/* for j := range jobs: recv returns GORO_CLOSED once jobs is closed and
 * drained, which ends the loop. */
static void worker(void *arg)
{
	(void)arg;
	int j;
	while (GORO_CHAN_RECV(jobs, j) == GORO_OK) {
		long r = (long)j * j;
		GORO_CHAN_SEND(results, r);
	}
	goro_wg_done(&wg);   /* defer wg.Done() */
}

static void producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= JOBS; i++)
		GORO_CHAN_SEND(jobs, i);
	goro_chan_close(jobs);   /* no more jobs: workers' loops end */
}

/* Closes results once all workers are done, so main's loop ends. */
static void closer(void *arg)
{
	(void)arg;
	goro_wg_wait(&wg);
	goro_chan_close(results);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	jobs = goro_chan_make(sizeof(int), 16);
	results = goro_chan_make(sizeof(long), 16);
	if (jobs == NULL || results == NULL)
		return 1;

	for (int w = 0; w < WORKERS; w++) {
		goro_wg_add(&wg, 1);   /* Add before go, as in Go */
		goro_spawn(worker, NULL);
	}
	goro_spawn(producer, NULL);
	goro_spawn(closer, NULL);

	long sum = 0, r;
	int n = 0;
	while (GORO_CHAN_RECV(results, r) == GORO_OK) {   /* for r := range results */
		sum += r;
		n++;
	}
	long want = (long)JOBS * (JOBS + 1) * (2 * JOBS + 1) / 6;
	printf("%d results from %d workers, sum of squares %ld (want %ld)\n",
	       n, WORKERS, sum, want);

	/* every goroutine using them has finished: safe to free */
	goro_chan_free(jobs);
	goro_chan_free(results);
	return sum == want && n == JOBS ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "workerpool: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
