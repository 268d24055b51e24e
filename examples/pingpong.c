/* pingpong: two goroutines hit a ball back and forth over two unbuffered
 * channels. An unbuffered send waits for the receiver, so every hit is a
 * direct handoff from one goroutine to the other. The Go twin:
 *
 *	func player(name string, in <-chan int, out chan<- int) {
 *		for ball := range in {   // until in is closed
 *			out <- ball + 1
 *		}
 *		close(out)
 *	}
 *
 *	func main() {
 *		ping, pong := make(chan int), make(chan int)
 *		go player("pong", ping, pong)
 *		for i := 0; i < rounds; i++ {
 *			ping <- 2 * i
 *			if got := <-pong; got != 2*i+1 { os.Exit(1) }
 *		}
 *		close(ping)
 *		<-pong   // pong closed its channel: it has finished
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/pingpong.c build/amd64/libgoro.a
 * Exits 0 when every ball came back as expected. */
#include <stdio.h>

#include "goro.h"

#define ROUNDS 100000

static goro_chan *ping, *pong;

/* The other player: receive the ball, add one, send it back. */
static void player(void *arg)
{
	(void)arg;
	long ball;
	/* GORO_CHAN_RECV returns GORO_CLOSED once ping is closed: Go's range */
	while (GORO_CHAN_RECV(ping, ball) == GORO_OK) {
		ball++;
		GORO_CHAN_SEND(pong, ball);
	}
	goro_chan_close(pong);   /* tell main we are done */
}

static int main_goroutine(void *arg)
{
	(void)arg;
	/* make(chan int): elements of sizeof(long) bytes, capacity 0 */
	ping = goro_chan_make(sizeof(long), 0);
	pong = goro_chan_make(sizeof(long), 0);
	if (ping == NULL || pong == NULL)
		return 1;
	if (goro_spawn(player, NULL) != GORO_OK)
		return 1;

	int64_t t0 = goro_now();
	for (long i = 0; i < ROUNDS; i++) {
		long ball = 2 * i, got = -1;
		GORO_CHAN_SEND(ping, ball);   /* waits until the player takes it */
		GORO_CHAN_RECV(pong, got);    /* waits for the return */
		if (got != ball + 1) {
			fprintf(stderr, "pingpong: sent %ld, got back %ld\n", ball, got);
			return 1;
		}
	}
	int64_t ns = goro_now() - t0;

	goro_chan_close(ping);
	if (goro_chan_recv(pong, NULL) != GORO_CLOSED)   /* the player's close */
		return 1;
	printf("pingpong: %d round trips, %.0f ns each\n", ROUNDS, (double)ns / ROUNDS);
	goro_chan_free(ping);
	goro_chan_free(pong);
	return 0;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);   /* NULL: default config */
	if (r < 0) {
		fprintf(stderr, "pingpong: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
