/* select_timeout: wait on a channel, but not forever. A goroutine forwards
 * five ticks of a 10 ms ticker, then stops it and goes quiet; main selects
 * on the ticks with a 50 ms timeout and gives up once they stop. The Go
 * twin:
 *
 *	func main() {
 *		ticks := make(chan int)
 *		go func() {
 *			t := time.NewTicker(10 * time.Millisecond)
 *			defer t.Stop()
 *			for i := 1; i <= 5; i++ {
 *				<-t.C
 *				ticks <- i
 *			}
 *		}()
 *		for {
 *			select {
 *			case n := <-ticks:
 *				fmt.Println("tick", n)
 *			case <-time.After(50 * time.Millisecond):
 *				fmt.Println("no tick for 50 ms: done")
 *				return
 *			}
 *		}
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/select_timeout.c build/amd64/libgoro.a
 * Exits 0 when it saw ticks 1 to 5 in order, then the timeout. */
#include <stdio.h>

#include "goro.h"

#define MS (1000LL * 1000)   /* goro's durations are in nanoseconds */
#define TICKS 5

static goro_chan *ticks;

static void ticker(void *arg)
{
	(void)arg;
	goro_timer *t = goro_ticker_make(10 * MS);
	if (t == NULL)
		return;   /* no ticks: main times out and says so */
	for (int i = 1; i <= TICKS; i++) {
		int64_t fired;
		GORO_CHAN_RECV(goro_timer_chan(t), fired);   /* <-t.C: parks this goroutine, not a thread */
		GORO_CHAN_SEND(ticks, i);
	}
	goro_timer_free(t);   /* t.Stop(), and its memory */
}

static int main_goroutine(void *arg)
{
	(void)arg;
	ticks = goro_chan_make(sizeof(int), 0);
	if (ticks == NULL || goro_spawn(ticker, NULL) != GORO_OK)
		return 1;

	int n, seen = 0;
	/* One case: receive from ticks into n. More cases would go in the
	 * array; goro_select returns the index of the one that happened. */
	goro_case cases[] = {
		{ .chan = ticks, .dir = GORO_RECV, .elem = &n },
	};
	for (;;) {
		int64_t t0 = goro_now();
		int r = goro_select(cases, 1, 50 * MS);   /* time.After(50 ms) */
		if (r == GORO_TIMEOUT) {
			printf("no tick for %.0f ms: done\n", (goro_now() - t0) / 1e6);
			break;
		}
		if (r != 0 || cases[0].status != GORO_OK || n != seen + 1) {
			fprintf(stderr, "select_timeout: unexpected %d (tick %d)\n", r, n);
			return 1;
		}
		seen = n;
		printf("tick %d after %.1f ms\n", n, (goro_now() - t0) / 1e6);
	}
	return seen == TICKS ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "select_timeout: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
