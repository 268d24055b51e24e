/* job_timeout: a job of many small tasks under one deadline, with a
 * progress line every 100 ms. Workers take tasks until the job's context is
 * done; main prints progress off a ticker and, when the deadline passes,
 * everyone stops. The Go twin:
 *
 *	func main() {
 *		ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
 *		defer cancel()
 *		var done atomic.Int64
 *		var wg sync.WaitGroup
 *		for w := 0; w < 4; w++ {
 *			wg.Add(1)
 *			go func() {
 *				defer wg.Done()
 *				for {
 *					select {
 *					case <-ctx.Done():
 *						return
 *					case <-time.After(5 * time.Millisecond): // one task
 *						done.Add(1)
 *					}
 *				}
 *			}()
 *		}
 *		tick := time.NewTicker(100 * time.Millisecond)
 *		defer tick.Stop()
 *		for {
 *			select {
 *			case <-tick.C:
 *				fmt.Println("progress:", done.Load(), "tasks")
 *			case <-ctx.Done():
 *				wg.Wait()
 *				fmt.Println("stopped:", ctx.Err(), "after", done.Load(), "tasks")
 *				return
 *			}
 *		}
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/job_timeout.c build/amd64/libgoro.a
 * Exits 0 when the job stopped with GORO_TIMEOUT after some progress lines. */
#include <stdatomic.h>
#include <stdio.h>

#include "goro.h"

#define WORKERS 4

static goro_ctx *job;
static atomic_long tasks_done;
static goro_waitgroup wg = GORO_WAITGROUP_INIT;

static void worker(void *arg)
{
	(void)arg;
	goro_case cases[] = {
		{ .chan = goro_ctx_done(job), .dir = GORO_RECV },   /* case <-ctx.Done() */
	};
	for (;;) {
		/* One task: 5 ms of waiting, given up as soon as the job is done. */
		int r = goro_select(cases, 1, 5 * GORO_MILLISECOND);
		if (r == 0)
			break;
		atomic_fetch_add(&tasks_done, 1);
	}
	goro_wg_done(&wg);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	job = goro_ctx_with_timeout(goro_ctx_background(), 350 * GORO_MILLISECOND);
	goro_timer *tick = goro_ticker_make(100 * GORO_MILLISECOND);
	if (job == NULL || tick == NULL)
		return 1;
	for (int w = 0; w < WORKERS; w++) {
		goro_wg_add(&wg, 1);
		if (goro_spawn(worker, NULL) != GORO_OK)
			return 1;
	}

	int64_t t0 = goro_now(), fired;
	int lines = 0;
	goro_case cases[] = {
		{ .chan = goro_timer_chan(tick), .dir = GORO_RECV, .elem = &fired },
		{ .chan = goro_ctx_done(job), .dir = GORO_RECV },
	};
	for (;;) {
		int r = goro_select(cases, 2, -1);
		if (r == 0) {
			printf("progress at %3.0f ms: %ld tasks\n", (fired - t0) / 1e6,
			       atomic_load(&tasks_done));
			lines++;
			continue;
		}
		goro_wg_wait(&wg);
		printf("stopped: %s after %.0f ms, %ld tasks\n", goro_strerror(goro_ctx_err(job)),
		       (goro_now() - t0) / 1e6, atomic_load(&tasks_done));
		break;
	}
	int ok = goro_ctx_err(job) == GORO_TIMEOUT && lines >= 1;
	goro_timer_free(tick);   /* tick.Stop(); and its memory, which Go's GC would take */
	goro_ctx_free(job);      /* defer cancel() */
	return ok ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "job_timeout: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
