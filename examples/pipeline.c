/* pipeline: stages connected by channels (generate -> square -> main), and
 * cancellation: main takes only the first few values, then cancels a
 * context; every stage selects on its done channel, so it stops instead of
 * blocking forever on a send nobody will receive. The Go twin (after the Go
 * blog's "Pipelines and cancellation", with a context for the done channel):
 *
 *	func gen(done <-chan struct{}) <-chan int {
 *		out := make(chan int)
 *		go func() {
 *			defer close(out)
 *			for i := 1; ; i++ {
 *				select {
 *				case out <- i:
 *				case <-done:
 *					return
 *				}
 *			}
 *		}()
 *		return out
 *	}
 *
 *	func sq(done <-chan struct{}, in <-chan int) <-chan int {
 *		out := make(chan int)
 *		go func() {
 *			defer close(out)
 *			for n := range in {
 *				select {
 *				case out <- n * n:
 *				case <-done:
 *					return
 *				}
 *			}
 *		}()
 *		return out
 *	}
 *
 *	func main() {
 *		ctx, cancel := context.WithCancel(context.Background())
 *		out := sq(ctx.Done(), gen(ctx.Done()))
 *		for i := 0; i < 10; i++ {
 *			fmt.Println(<-out)
 *		}
 *		cancel()         // stop the stages
 *		for range out {} // wait until they have
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/pipeline.c build/amd64/libgoro.a
 * Exits 0 when the first 10 squares arrived and the stages shut down. */
#include <stdio.h>

#include "goro.h"

static goro_ctx *ctx;     /* cancelled to stop the stages */
static goro_chan *done;   /* goro_ctx_done(ctx): closed once ctx is cancelled */

struct stage {
	goro_chan *in;    /* NULL for the generator */
	goro_chan *out;
};

/* Send v on out unless done is closed first: Go's
 *	select { case out <- v: case <-done: }
 * Returns whether the value went out. */
static int send_or_done(goro_chan *out, int v)
{
	goro_case cases[2] = {
		{ .chan = out, .dir = GORO_SEND, .elem = &v },
		{ .chan = done, .dir = GORO_RECV, .elem = NULL },
	};
	int i = goro_select(cases, 2, -1);
	return i == 0 && cases[0].status == GORO_OK;
}

static void gen(void *arg)
{
	struct stage *s = arg;
	for (int i = 1;; i++)
		if (!send_or_done(s->out, i))
			break;
	goro_chan_close(s->out);   /* defer close(out) */
}

static void sq(void *arg)
{
	struct stage *s = arg;
	int n;
	while (GORO_CHAN_RECV(s->in, n) == GORO_OK)   /* for n := range in */
		if (!send_or_done(s->out, n * n))
			break;
	goro_chan_close(s->out);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	ctx = goro_ctx_with_cancel(goro_ctx_background());
	done = goro_ctx_done(ctx);
	goro_chan *nums = goro_chan_make(sizeof(int), 0);
	goro_chan *squares = goro_chan_make(sizeof(int), 0);
	if (ctx == NULL || nums == NULL || squares == NULL)
		return 1;
	/* the stages outlive this block, so their arguments must too */
	static struct stage g, s;
	g = (struct stage){ .in = NULL, .out = nums };
	s = (struct stage){ .in = nums, .out = squares };
	goro_spawn(gen, &g);
	goro_spawn(sq, &s);

	int bad = 0;
	for (int i = 1; i <= 10; i++) {
		int v;
		if (GORO_CHAN_RECV(squares, v) != GORO_OK || v != i * i)
			bad = 1;
		printf("%d ", v);
	}
	printf("\n");

	goro_ctx_cancel(ctx);   /* cancel(): every select on done is now ready */
	/* Go's "for range out {}": sq closes squares only when it has
	 * stopped, and gen closes nums likewise, so draining both until
	 * CLOSED waits for both stages. Only then may the channels be freed. */
	int extra = 0;
	while (goro_chan_recv(squares, NULL) == GORO_OK)
		extra++;
	while (goro_chan_recv(nums, NULL) == GORO_OK)
		extra++;
	printf("cancelled; %d in-flight values discarded\n", extra);

	goro_chan_free(nums);
	goro_chan_free(squares);
	goro_ctx_free(ctx);   /* the stages are gone: nobody waits on done */
	return bad;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "pipeline: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
