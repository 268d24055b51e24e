/* http_server: a small HTTP/1.1 server, a goroutine per connection with
 * keep-alive, answering a client goroutine's requests over 127.0.0.1. Only
 * what the example needs of HTTP: GET, Content-Length, "Connection: close".
 * The Go twin (net/http does the parsing there):
 *
 *	func main() {
 *		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
 *			fmt.Fprintf(w, "goro says hello\n")
 *		})
 *		http.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
 *			fmt.Fprintf(w, "hello, %s\n", r.URL.Query().Get("name"))
 *		})
 *		ln, _ := net.Listen("tcp", "127.0.0.1:0")
 *		go http.Serve(ln, nil)
 *		for _, path := range []string{"/", "/hello?name=gopher", "/missing"} {
 *			resp, _ := http.Get("http://" + ln.Addr().String() + path)
 *			body, _ := io.ReadAll(resp.Body)
 *			fmt.Println(resp.Status, string(body))
 *		}
 *	}
 *
 * Build: cc -O2 -pthread -Iinclude examples/http_server.c build/amd64/libgoro.a
 * Exits 0 when every response had the status and body expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goro.h"

#define SECOND 1000000000LL

/* One connection's input: bytes read but not yet consumed, always followed
 * by a NUL so that sscanf and strtoul stop inside the buffer. */
struct conn {
	goro_fd fd;
	char buf[8192];
	size_t len;
};
enum { BUF_CAP = sizeof ((struct conn *)0)->buf - 1 };

/* Read until buf holds a line ending at "\r\n\r\n" (a request or response
 * head); its length with the blank line, 0 at EOF before any byte, or a
 * status < 0. */
static int read_head(struct conn *c)
{
	for (;;) {
		for (size_t i = 3; i < c->len; i++)
			if (memcmp(c->buf + i - 3, "\r\n\r\n", 4) == 0)
				return (int)(i + 1);
		if (c->len == BUF_CAP)
			return GORO_INVAL;   /* a head too big for us */
		size_t n;
		int st = goro_read(c->fd, c->buf + c->len, BUF_CAP - c->len, &n);
		if (st == GORO_EOF && c->len == 0)
			return 0;
		if (st != GORO_OK)
			return st;
		c->len += n;
		c->buf[c->len] = '\0';
	}
}

static void consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	c->buf[c->len] = '\0';
}

/* The value of header name in head (case-insensitive name), or NULL; the
 * value runs to the next "\r\n". */
static const char *header(const char *head, size_t len, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = head; p + nl + 1 < head + len; p++)
		if ((p == head || p[-1] == '\n') && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			return p;
		}
	return NULL;
}

static void respond(struct conn *c, int code, const char *reason, const char *body, int close_it)
{
	char out[512];
	int n = snprintf(out, sizeof out,
	                 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n%s\r\n%s",
	                 code, reason, strlen(body), close_it ? "Connection: close\r\n" : "", body);
	goro_write(c->fd, out, (size_t)n, NULL);
}

/* The handler: "/" and "/hello?name=...", 404 for anything else. */
static void handle(struct conn *c, const char *method, const char *path, int close_it)
{
	char body[256];
	if (strcmp(method, "GET") != 0) {
		respond(c, 405, "Method Not Allowed", "GET only\n", close_it);
	} else if (strcmp(path, "/") == 0) {
		respond(c, 200, "OK", "goro says hello\n", close_it);
	} else if (strncmp(path, "/hello?name=", 12) == 0) {
		snprintf(body, sizeof body, "hello, %.100s\n", path + 12);
		respond(c, 200, "OK", body, close_it);
	} else {
		respond(c, 404, "Not Found", "404 page not found\n", close_it);
	}
}

/* One connection: requests one after another (HTTP/1.1 keeps the
 * connection), until the client closes or asks to. */
static void serve(void *arg)
{
	struct conn *c = malloc(sizeof *c);
	if (c == NULL) {
		goro_fd_close(*(goro_fd *)arg);
		return;
	}
	c->fd = *(goro_fd *)arg;
	c->len = 0;
	c->buf[0] = '\0';
	for (;;) {
		int n = read_head(c);
		if (n <= 0)
			break;
		char method[16], path[256];
		if (sscanf(c->buf, "%15s %255s HTTP/1.", method, path) != 2) {
			respond(c, 400, "Bad Request", "bad request\n", 1);
			break;
		}
		const char *conn_hdr = header(c->buf, (size_t)n, "Connection");
		int close_it = conn_hdr != NULL && strncasecmp(conn_hdr, "close", 5) == 0;
		handle(c, method, path, close_it);
		consume(c, (size_t)n);   /* GET requests carry no body here */
		if (close_it)
			break;
	}
	goro_fd_close(c->fd);
	free(c);
}

static void acceptor(void *arg)
{
	goro_fd ln = *(goro_fd *)arg, c;
	while (goro_accept(ln, &c, NULL, NULL) == GORO_OK)
		if (goro_spawn_copy(serve, &c, sizeof c) != GORO_OK)
			goro_fd_close(c);
}

/* ---- the client ---- */

struct want {
	const char *path;
	int code;
	const char *body;
};

static const struct want wants[] = {
	{ "/", 200, "goro says hello\n" },
	{ "/hello?name=gopher", 200, "hello, gopher\n" },
	{ "/missing", 404, "404 page not found\n" },
};
enum { NWANT = sizeof wants / sizeof wants[0] };

struct client_arg {
	int port;
	goro_chan *done;   /* int: failures */
};

/* Every request on one kept-alive connection, the last with
 * "Connection: close", after which the server's close reads as EOF. */
static void client(void *arg)
{
	struct client_arg *a = arg;
	struct conn *c = calloc(1, sizeof *c);
	char addr[32], req[512];
	int failures = 0, st;

	snprintf(addr, sizeof addr, "127.0.0.1:%d", a->port);
	if (c == NULL || (st = goro_dial("tcp", addr, -1, &c->fd)) != GORO_OK) {
		fprintf(stderr, "client: dial %s failed\n", addr);
		failures = NWANT;
		goro_chan_send(a->done, &failures);
		free(c);
		return;
	}
	for (int i = 0; i < NWANT; i++) {
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", wants[i].path,
		                 addr, i == NWANT - 1 ? "Connection: close\r\n" : "");
		int code = 0, hl;
		if (goro_write(c->fd, req, (size_t)n, NULL) != GORO_OK || (hl = read_head(c)) <= 0 ||
		    sscanf(c->buf, "HTTP/1.1 %d", &code) != 1) {
			fprintf(stderr, "client: GET %s: no response\n", wants[i].path);
			failures++;
			break;
		}
		const char *cl = header(c->buf, (size_t)hl, "Content-Length");
		size_t blen = cl != NULL ? strtoul(cl, NULL, 10) : 0;
		consume(c, (size_t)hl);
		while (c->len < blen && blen <= BUF_CAP) {   /* the rest of the body */
			size_t got;
			if (goro_read(c->fd, c->buf + c->len, BUF_CAP - c->len, &got) != GORO_OK)
				break;
			c->len += got;
			c->buf[c->len] = '\0';
		}
		int ok = code == wants[i].code && c->len >= blen && blen == strlen(wants[i].body) &&
		         memcmp(c->buf, wants[i].body, blen) == 0;
		printf("GET %-20s -> %d %.*s", wants[i].path, code, (int)(c->len < blen ? c->len : blen),
		       c->buf);
		failures += !ok;
		if (c->len >= blen)
			consume(c, blen);
	}
	/* The server honoured "Connection: close": nothing more, then EOF. */
	size_t got;
	st = goro_read(c->fd, c->buf, BUF_CAP, &got);
	if (st != GORO_EOF) {
		fprintf(stderr, "client: after Connection: close: %s, not EOF\n", goro_strerror(st));
		failures++;
	}
	goro_fd_close(c->fd);
	free(c);
	goro_chan_send(a->done, &failures);
}

static int main_goroutine(void *arg)
{
	goro_fd ln;
	int failures = 1;
	(void)arg;
	if (goro_listen("tcp", "127.0.0.1:0", &ln) != GORO_OK)
		return 1;
	struct client_arg a = { goro_fd_port(ln), goro_chan_make(sizeof(int), 0) };
	if (a.done == NULL || goro_spawn_copy(acceptor, &ln, sizeof ln) != GORO_OK ||
	    goro_spawn(client, &a) != GORO_OK)
		return 1;
	printf("serving HTTP on 127.0.0.1:%d\n", a.port);
	/* The client's verdict, or give up after 10 s (time.After). */
	goro_case cs[] = { { .chan = a.done, .dir = GORO_RECV, .elem = &failures } };
	if (goro_select(cs, 1, 10 * SECOND) != 0) {
		fprintf(stderr, "http_server: no verdict from the client in 10 s\n");
		return 1;
	}
	goro_fd_close(ln);
	goro_chan_free(a.done);
	printf("%s\n", failures ? "FAILED" : "all responses as expected");
	return failures ? 1 : 0;
}

int main(void)
{
	int r = goro_main(NULL, main_goroutine, NULL);
	if (r < 0) {
		fprintf(stderr, "http_server: goro_main: %s\n", goro_strerror(r));
		return 1;
	}
	return r;
}
