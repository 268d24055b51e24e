/* blocking_read: a goroutine blocks in read(2) on a pipe, and the other
 * goroutines keep running, even with a single P (procs = 1). Wrapping the
 * read in goro_blocking_begin/end is what allows it: while the thread is
 * stuck in the kernel, sysmon hands its P to another thread. Go does this
 * for you on every system call; in C you mark the call. The Go twin:
 *
 *	func main() {
 *		runtime.GOMAXPROCS(1)
 *		r, w, _ := os.Pipe()
 *		go func() {                 // the writer
 *			for i := 0; i < 5; i++ {
 *				time.Sleep(10 * time.Millisecond)
 *				w.Write([]byte{byte('a' + i)})
 *			}
 *			w.Close()
 *		}()
 *		ticks := 0
 *		go func() {                 // a busy goroutine
 *			for { ticks++; runtime.Gosched() }
 *		}()
 *		buf := make([]byte, 1)
 *		for {
 *			n, _ := r.Read(buf)    // blocks the thread, not the program
 *			if n == 0 {
 *				break
 *			}
 *			fmt.Printf("read %c, ticks so far %d\n", buf[0], ticks)
 *		}
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/blocking_read.c build/amd64/libgoro.a
 * Exits 0 when all bytes arrived and the busy goroutine ran meanwhile.
 * (Without begin/end the reader would keep the only P while blocked: the
 * writer could never run, and the program would hang.) */
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "goro.h"

static int fds[2];           /* fds[0]: read end, fds[1]: write end */
static atomic_long ticks;    /* counted by the busy goroutine */
static atomic_int stop;

static void writer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		goro_sleep(10 * 1000 * 1000);   /* parks the goroutine, not a thread */
		char c = (char)('a' + i);
		/* a pipe write this small never blocks; else wrap it too */
		if (write(fds[1], &c, 1) != 1)
			break;
	}
	close(fds[1]);   /* end of file for the reader */
}

static void busy(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		atomic_fetch_add(&ticks, 1);
		goro_yield();
	}
}

static int main_goroutine(void *arg)
{
	(void)arg;
	if (pipe(fds) != 0)
		return 1;
	goro_spawn(writer, NULL);
	goro_spawn(busy, NULL);

	int got = 0;
	long last = 0, grew = 0;
	for (;;) {
		char c;
		ssize_t n;
		goro_blocking_begin();   /* entersyscall: our P may go elsewhere */
		n = read(fds[0], &c, 1); /* call no goro function in here */
		goro_blocking_end();     /* exitsyscall: get a P back */
		if (n <= 0)
			break;
		long t = atomic_load(&ticks);
		printf("read %c, ticks so far %ld\n", c, t);
		if (t > last)
			grew++;
		last = t;
		got++;
	}
	atomic_store(&stop, 1);
	close(fds[0]);
	printf("%d bytes; the busy goroutine ran between %ld of them\n", got, grew);
	return got == 5 && grew > 0 ? 0 : 1;
}

int main(void)
{
	goro_config cfg = { .procs = 1 };   /* one P: no parallelism to hide behind */
	int r = goro_main(&cfg, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "blocking_read: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
