/* sieve: Go's concurrent prime sieve. A generator sends 2, 3, 4, ... down a
 * channel; each prime found adds a filter goroutine to a daisy chain, which
 * passes on only the numbers its prime does not divide. The head of the
 * chain is always the next prime. The Go twin (from the Go tour/playground):
 *
 *	func generate(ch chan<- int) {
 *		for i := 2; ; i++ { ch <- i }
 *	}
 *
 *	func filter(in <-chan int, out chan<- int, prime int) {
 *		for {
 *			i := <-in
 *			if i%prime != 0 { out <- i }
 *		}
 *	}
 *
 *	func main() {
 *		ch := make(chan int)
 *		go generate(ch)
 *		for i := 0; i < 1000; i++ {
 *			prime := <-ch
 *			ch1 := make(chan int)
 *			go filter(ch, ch1, prime)
 *			ch = ch1
 *		}
 *	}
 *
 * As in Go, the generator and filters are still running when main returns:
 * goro_main abandons them. Build:
 *   cc -O2 -pthread -Iinclude examples/sieve.c build/amd64/libgoro.a
 * Prints the first 100 primes; exits 0 when the 1000th prime is 7919. */
#include <stdio.h>

#include "goro.h"

#define NPRIMES 1000

static void generate(void *arg)
{
	goro_chan *ch = arg;
	for (long i = 2;; i++)
		GORO_CHAN_SEND(ch, i);
}

/* A filter's arguments, copied onto its stack by goro_spawn_copy. */
struct filter_args {
	goro_chan *in, *out;
	long prime;
};

static void filter(void *arg)
{
	struct filter_args a = *(struct filter_args *)arg;
	long i;
	while (GORO_CHAN_RECV(a.in, i) == GORO_OK)
		if (i % a.prime != 0)
			GORO_CHAN_SEND(a.out, i);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	goro_chan *ch = goro_chan_make(sizeof(long), 0);
	if (ch == NULL || goro_spawn(generate, ch) != GORO_OK)
		return 1;
	long prime = 0;
	for (int i = 0; i < NPRIMES; i++) {
		GORO_CHAN_RECV(ch, prime);
		if (i < 100)
			printf("%ld%c", prime, i % 10 == 9 ? '\n' : ' ');
		goro_chan *ch1 = goro_chan_make(sizeof(long), 0);
		struct filter_args a = { ch, ch1, prime };
		if (ch1 == NULL || goro_spawn_copy(filter, &a, sizeof a) != GORO_OK)
			return 1;
		ch = ch1;
	}
	printf("prime number %d is %ld\n", NPRIMES, prime);
	return prime == 7919 ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "sieve: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
