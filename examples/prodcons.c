/* prodcons: producers and consumers sharing one buffered channel. The
 * buffer lets producers run ahead of consumers by up to its capacity. With
 * no WaitGroup yet, a "done" channel counts finished goroutines. The Go twin:
 *
 *	func main() {
 *		jobs := make(chan int, 16)
 *		done := make(chan int64)
 *		for p := 0; p < producers; p++ {
 *			go func(p int) {
 *				for i := 1; i <= perProducer; i++ { jobs <- p*perProducer + i }
 *				done <- 0
 *			}(p)
 *		}
 *		for c := 0; c < consumers; c++ {
 *			go func() {
 *				var sum int64
 *				for v := range jobs { sum += int64(v) }
 *				done <- sum
 *			}()
 *		}
 *		for p := 0; p < producers; p++ { <-done }
 *		close(jobs)   // no more jobs: the consumers' range loops end
 *		var total int64
 *		for c := 0; c < consumers; c++ { total += <-done }
 *		fmt.Println(total)
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/prodcons.c build/amd64/libgoro.a
 * Exits 0 when the consumers' total is the sum of everything produced. */
#include <stdint.h>
#include <stdio.h>

#include "goro.h"

#define PRODUCERS 4
#define CONSUMERS 3
#define PER_PRODUCER 50000

static goro_chan *jobs, *done;

static void producer(void *arg)
{
	int64_t p = *(int *)arg;   /* goro_spawn_copy gave us our own copy */
	for (int64_t i = 1; i <= PER_PRODUCER; i++) {
		int64_t v = p * PER_PRODUCER + i;
		GORO_CHAN_SEND(jobs, v);   /* blocks only while the buffer is full */
	}
	int64_t zero = 0;
	GORO_CHAN_SEND(done, zero);
}

static void consumer(void *arg)
{
	(void)arg;
	int64_t v, sum = 0;
	/* receive until jobs is closed and drained */
	while (GORO_CHAN_RECV(jobs, v) == GORO_OK)
		sum += v;
	GORO_CHAN_SEND(done, sum);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	jobs = goro_chan_make(sizeof(int64_t), 16);   /* buffered: capacity 16 */
	done = goro_chan_make(sizeof(int64_t), 0);
	if (jobs == NULL || done == NULL)
		return 1;
	for (int p = 0; p < PRODUCERS; p++)
		/* copy p into the goroutine: the loop variable changes under it */
		if (goro_spawn_copy(producer, &p, sizeof p) != GORO_OK)
			return 1;
	for (int c = 0; c < CONSUMERS; c++)
		if (goro_spawn(consumer, NULL) != GORO_OK)
			return 1;

	int64_t ignored, total = 0, sum;
	for (int p = 0; p < PRODUCERS; p++)   /* wait for every producer */
		GORO_CHAN_RECV(done, ignored);
	goro_chan_close(jobs);   /* values still buffered are delivered first */
	for (int c = 0; c < CONSUMERS; c++) {
		GORO_CHAN_RECV(done, sum);
		total += sum;
	}

	int64_t n = (int64_t)PRODUCERS * PER_PRODUCER;
	int64_t want = n * (n + 1) / 2;   /* the values are 1..n */
	printf("prodcons: %d producers, %d consumers: total %lld (want %lld)\n",
	       PRODUCERS, CONSUMERS, (long long)total, (long long)want);
	return total == want ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "prodcons: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
