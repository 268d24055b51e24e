/* fanout_fetch: ask several servers at once and take what comes back in
 * time. Five local servers answer one line each, one of them far too
 * slowly; a fetcher goroutine per server dials it and puts a deadline on the
 * connection, and the main goroutine selects over the results channel and
 * an overall timeout. The slow server's fetcher gets TIMEOUT from its
 * deadline, the others their answers. The Go twin:
 *
 *	type result struct {
 *		server int
 *		reply  string
 *		err    error
 *	}
 *
 *	func fetch(i int, addr string, results chan<- result) {
 *		c, err := net.DialTimeout("tcp", addr, time.Second)
 *		if err != nil {
 *			results <- result{i, "", err}
 *			return
 *		}
 *		defer c.Close()
 *		c.SetDeadline(time.Now().Add(time.Second))
 *		fmt.Fprintf(c, "fetch %d\n", i)
 *		reply, err := bufio.NewReader(c).ReadString('\n')
 *		results <- result{i, reply, err}   // err: os.ErrDeadlineExceeded
 *	}
 *
 *	func main() {
 *		results := make(chan result, len(addrs))
 *		for i, a := range addrs {
 *			go fetch(i, a, results)
 *		}
 *		timeout := time.After(4 * time.Second)
 *		for n := 0; n < len(addrs); n++ {
 *			select {
 *			case r := <-results:
 *				fmt.Println(r.server, r.reply, r.err)
 *			case <-timeout:
 *				fmt.Println("timed out")
 *				return
 *			}
 *		}
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/fanout_fetch.c build/amd64/libgoro.a
 * Exits 0 when the four fast servers answered and the slow one timed out. */
#include <stdio.h>
#include <string.h>

#include "goro.h"

#define MS 1000000LL

enum { SERVERS = 5, SLOW = 3 };   /* server SLOW answers after 5 s */
static const int64_t latency[SERVERS] = { 0, 10 * MS, 20 * MS, 5000 * MS, 5 * MS };
static const int64_t deadline = 1000 * MS;  /* per fetch */
static const int64_t overall = 4000 * MS;   /* all fetches */

struct server {
	goro_fd ln;
	int index;
	int port;
};

struct reply_arg {
	goro_fd c;
	int index;
};

/* One request: read a line, wait the server's latency, answer. */
static void answer(void *arg)
{
	struct reply_arg a = *(struct reply_arg *)arg;
	char buf[128], out[160];
	size_t n;

	if (goro_read(a.c, buf, sizeof buf, &n) == GORO_OK) {
		goro_sleep(latency[a.index]);
		int len = snprintf(out, sizeof out, "server %d: %.*s", a.index, (int)n, buf);
		goro_write(a.c, out, (size_t)len, NULL);
	}
	goro_fd_close(a.c);
}

static void serve(void *arg)
{
	struct server *s = arg;
	struct reply_arg a = { .index = s->index };

	while (goro_accept(s->ln, &a.c, NULL, NULL) == GORO_OK)
		if (goro_spawn_copy(answer, &a, sizeof a) != GORO_OK)
			goro_fd_close(a.c);
}

struct result {
	int server;
	int status;        /* OK, TIMEOUT, ... */
	char reply[160];
};

struct fetch_arg {
	int index, port;
	goro_chan *results;   /* struct result, buffered: a late fetcher never blocks */
};

static void fetch(void *arg)
{
	struct fetch_arg *a = arg;
	struct result r = { .server = a->index };
	char addr[32], req[32];
	size_t got = 0, n;
	goro_fd c;

	snprintf(addr, sizeof addr, "127.0.0.1:%d", a->port);
	r.status = goro_dial("tcp", addr, 1000 * MS, &c);
	if (r.status == GORO_OK) {
		/* SetDeadline: both directions, absolute time. */
		goro_fd_set_deadline(c, GORO_FD_READ | GORO_FD_WRITE, goro_now() + deadline);
		int len = snprintf(req, sizeof req, "fetch %d\n", a->index);
		r.status = goro_write(c, req, (size_t)len, NULL);
		while (r.status == GORO_OK && (got == 0 || r.reply[got - 1] != '\n')) {
			r.status = goro_read(c, r.reply + got, sizeof r.reply - 1 - got, &n);
			if (r.status == GORO_OK)
				got += n;
			if (got == sizeof r.reply - 1)
				break;
		}
		r.reply[got] = '\0';
		goro_fd_close(c);
	}
	goro_chan_send(a->results, &r);
}

static int main_goroutine(void *arg)
{
	static struct server srv[SERVERS];
	static struct fetch_arg fa[SERVERS];
	goro_chan *results = goro_chan_make(sizeof(struct result), SERVERS);
	struct result r;
	int ok = 0, timed_out = 0, wrong = 0;

	(void)arg;
	if (results == NULL)
		return 1;
	for (int i = 0; i < SERVERS; i++) {
		srv[i].index = i;
		if (goro_listen("tcp", "127.0.0.1:0", &srv[i].ln) != GORO_OK ||
		    goro_spawn(serve, &srv[i]) != GORO_OK)
			return 1;
		srv[i].port = goro_fd_port(srv[i].ln);
	}

	int64_t t0 = goro_now(), end = t0 + overall;
	for (int i = 0; i < SERVERS; i++) {
		fa[i] = (struct fetch_arg){ i, srv[i].port, results };
		if (goro_spawn(fetch, &fa[i]) != GORO_OK)
			return 1;
	}
	goro_case cs[] = { { .chan = results, .dir = GORO_RECV, .elem = &r } };
	for (int n = 0; n < SERVERS; n++) {
		int64_t left = end - goro_now();
		/* The results or the overall timeout (time.After), whichever first. */
		if (left <= 0 || goro_select(cs, 1, left) == GORO_TIMEOUT) {
			printf("overall timeout: %d of %d results in\n", n, SERVERS);
			break;
		}
		double ms = (double)(goro_now() - t0) / 1e6;
		if (r.status == GORO_OK) {
			printf("%6.1f ms  %s", ms, r.reply);
			ok++;
			wrong += r.server == SLOW;
		} else {
			printf("%6.1f ms  server %d: %s\n", ms, r.server, goro_strerror(r.status));
			timed_out += r.status == GORO_TIMEOUT && r.server == SLOW;
			wrong += r.server != SLOW;
		}
	}
	for (int i = 0; i < SERVERS; i++)
		goro_fd_close(srv[i].ln);
	printf("%d answered, %d timed out\n", ok, timed_out);
	/* The slow server's handler is still asleep; returning ends the program. */
	return ok == SERVERS - 1 && timed_out == 1 && wrong == 0 ? 0 : 1;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "fanout_fetch: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
