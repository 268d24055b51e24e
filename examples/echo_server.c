/* echo_server: a TCP echo server with a goroutine per connection, and its
 * clients, in one program on 127.0.0.1. Every read and write parks only its
 * goroutine; the netpoller wakes it when the socket is ready, so a thousand
 * connections need a thousand goroutines, not a thousand threads. The Go twin:
 *
 *	func serve(c net.Conn) {
 *		defer c.Close()
 *		io.Copy(c, c)               // echo until the client closes
 *	}
 *
 *	func client(addr string, id int, wg *sync.WaitGroup) {
 *		defer wg.Done()
 *		c, _ := net.Dial("tcp", addr)
 *		defer c.Close()
 *		for i := 0; i < 3; i++ {
 *			msg := fmt.Sprintf("client %d line %d\n", id, i)
 *			c.Write([]byte(msg))
 *			buf := make([]byte, len(msg))
 *			io.ReadFull(c, buf)     // the echo, all of it
 *		}
 *	}
 *
 *	func main() {
 *		ln, _ := net.Listen("tcp", "127.0.0.1:0")
 *		go func() {
 *			for {
 *				c, err := ln.Accept()
 *				if err != nil {
 *					return
 *				}
 *				go serve(c)
 *			}
 *		}()
 *		var wg sync.WaitGroup
 *		for id := 0; id < 8; id++ {
 *			wg.Add(1)
 *			go client(ln.Addr().String(), id, &wg)
 *		}
 *		wg.Wait()
 *		ln.Close()
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/echo_server.c build/amd64/libgoro.a
 * Exits 0 when every client got back exactly what it sent. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "goro.h"

enum { CLIENTS = 8, LINES = 3 };

static char addr[32];          /* "127.0.0.1:port" */
static atomic_int bad;         /* clients that saw a wrong echo */
static goro_waitgroup wg = GORO_WAITGROUP_INIT;

/* One connection: write back whatever arrives, until EOF or an error. */
static void serve(void *arg)
{
	goro_fd c = *(goro_fd *)arg;
	char buf[4096];
	size_t n;
	int st;

	while ((st = goro_read(c, buf, sizeof buf, &n)) == GORO_OK)
		if (goro_write(c, buf, n, NULL) != GORO_OK)
			break;
	if (st != GORO_OK && st != GORO_EOF)
		fprintf(stderr, "server: read: %s\n", goro_strerror(st));
	goro_fd_close(c);
}

/* The accept loop: one goroutine per connection, until the listener closes. */
static void acceptor(void *arg)
{
	goro_fd ln = *(goro_fd *)arg, c;

	while (goro_accept(ln, &c, NULL, NULL) == GORO_OK)
		if (goro_spawn_copy(serve, &c, sizeof c) != GORO_OK)
			goro_fd_close(c);
}

/* io.ReadFull */
static int read_full(goro_fd c, char *buf, size_t len)
{
	size_t got = 0, n;

	while (got < len) {
		int st = goro_read(c, buf + got, len - got, &n);
		if (st != GORO_OK)
			return st;
		got += n;
	}
	return GORO_OK;
}

static void client(void *arg)
{
	int id = (int)(intptr_t)arg;
	char msg[64], echo[64];
	goro_fd c;
	int st = goro_dial("tcp", addr, -1, &c);

	if (st != GORO_OK) {
		fprintf(stderr, "client %d: dial %s: %s\n", id, addr, goro_strerror(st));
		atomic_fetch_add(&bad, 1);
		goro_wg_done(&wg);
		return;
	}
	for (int i = 0; i < LINES; i++) {
		int len = snprintf(msg, sizeof msg, "client %d line %d\n", id, i);
		if ((st = goro_write(c, msg, (size_t)len, NULL)) != GORO_OK ||
		    (st = read_full(c, echo, (size_t)len)) != GORO_OK ||
		    memcmp(msg, echo, (size_t)len) != 0) {
			fprintf(stderr, "client %d: line %d: %s\n", id, i,
			        st != GORO_OK ? goro_strerror(st) : "wrong echo");
			atomic_fetch_add(&bad, 1);
			break;
		}
		printf("echoed: %.*s", len, echo);
	}
	goro_fd_close(c);
	goro_wg_done(&wg);
}

static int main_goroutine(void *arg)
{
	goro_fd ln;
	int st = goro_listen("tcp", "127.0.0.1:0", &ln);

	(void)arg;
	if (st != GORO_OK) {
		fprintf(stderr, "echo_server: listen: %s\n", goro_strerror(st));
		return 1;
	}
	snprintf(addr, sizeof addr, "127.0.0.1:%d", goro_fd_port(ln));
	printf("listening on %s\n", addr);
	if (goro_spawn_copy(acceptor, &ln, sizeof ln) != GORO_OK)
		return 1;
	goro_wg_add(&wg, CLIENTS);
	for (int id = 0; id < CLIENTS; id++)
		if (goro_spawn(client, (void *)(intptr_t)id) != GORO_OK)
			return 1;
	goro_wg_wait(&wg);
	goro_fd_close(ln);   /* the acceptor's goro_accept returns CLOSED */
	printf("%d clients, %d lines each: %s\n", CLIENTS, LINES, bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "echo_server: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
