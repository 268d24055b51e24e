/* goro_dial and goro_listen, after net/dial.go, net/ipsock.go (SplitHostPort),
 * net/ip.go (parsing IPv4 and IPv6 literals) and net/sock_posix.go: the
 * address is parsed here, a name is resolved by the host in a blocking call,
 * and the socket is made, connected or bound through fd_unix.c. */
#include "fd.h"
#include "platform.h"

enum { NET_TCP, NET_TCP4, NET_TCP6, NET_UNIX, NET_BAD };
enum { MAX_ADDRS = 8, MAX_HOST = 256, LISTEN_BACKLOG = 4096 };

static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

static int parse_network(const char *nw)
{
	if (streq(nw, "tcp"))
		return NET_TCP;
	if (streq(nw, "tcp4"))
		return NET_TCP4;
	if (streq(nw, "tcp6"))
		return NET_TCP6;
	if (streq(nw, "unix"))
		return NET_UNIX;
	return NET_BAD;
}

/* parseIPv4: four decimal bytes, no leading zeros (Go 1.17+). */
static bool parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return false;
		out[k] = (uint8_t)v;
	}
	return i == n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* parseIPv6: groups of up to four hex digits, one "::", and an IPv4 tail. */
static bool parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
	int ellipsis = -1, k = 0;
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		ellipsis = 0;
		i = 2;
		if (i == n)
			goto fill;
	}
	while (i < n && k < 16) {
		size_t start = i;
		unsigned v = 0;
		while (i < n && hexval(s[i]) >= 0 && i - start < 4)
			v = v * 16 + (unsigned)hexval(s[i++]);
		if (i == start)
			return false;
		if (i < n && s[i] == '.') {   /* an IPv4 tail takes the last 4 bytes */
			if (k > 12 || !parse_ipv4(s + start, n - start, out + k))
				return false;
			k += 4;
			i = n;
			break;
		}
		out[k++] = (uint8_t)(v >> 8);
		out[k++] = (uint8_t)v;
		if (i == n)
			break;
		if (s[i] != ':' || i + 1 == n)
			return false;
		i++;
		if (s[i] == ':') {
			if (ellipsis >= 0)
				return false;
			ellipsis = k;
			if (++i == n)
				break;
		}
	}
	if (i != n)
		return false;
fill:
	if (k < 16) {
		if (ellipsis < 0)
			return false;
		int nk = 16 - k;
		for (int j = k - 1; j >= ellipsis; j--)
			out[j + nk] = out[j];
		for (int j = ellipsis; j < ellipsis + nk; j++)
			out[j] = 0;
	} else if (ellipsis >= 0) {
		return false;   /* "::" must stand for at least one group */
	}
	return true;
}

/* SplitHostPort plus the port's value: "host:port", "[v6]:port", ":port". */
static bool split_host_port(const char *a, const char **host, size_t *hostlen, uint16_t *port,
                            bool *bracketed)
{
	size_t n = slen(a), colon = n;
	for (size_t i = n; i > 0; i--) {
		if (a[i - 1] == ':') {
			colon = i - 1;
			break;
		}
	}
	if (colon == n)
		return false;   /* missing port */
	const char *h = a;
	size_t hl = colon;
	*bracketed = hl > 0 && h[0] == '[';
	if (*bracketed) {
		if (h[hl - 1] != ']')
			return false;
		h++;
		hl -= 2;
	} else {
		for (size_t i = 0; i < hl; i++)
			if (h[i] == ':' || h[i] == '[' || h[i] == ']')
				return false;   /* too many colons */
	}
	const char *p = a + colon + 1;
	if (*p == '\0')
		return false;
	uint32_t v = 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;   /* service names are not looked up */
		v = v * 10 + (uint32_t)(*p - '0');
		if (v > 65535)
			return false;
	}
	*host = h;
	*hostlen = hl;
	*port = (uint16_t)v;
	return true;
}

/* The addresses for a tcp network's "host:port": literals parsed here, a
 * name resolved by the host (a blocking call); dialing an empty host means
 * the local system, listening on it means every address. Count or status. */
static int tcp_addrs(int net, const char *address, bool listen, struct plat_addr *out)
{
	const char *host;
	size_t hl;
	uint16_t port;
	bool v6;
	if (!split_host_port(address, &host, &hl, &port, &v6))
		return GORO_INVAL;
	memset(out, 0, sizeof *out);
	out->port = port;
	if (hl == 0) {
		if (net == NET_TCP6) {
			out->family = PLAT_AF_INET6;
			if (!listen)
				out->ip[15] = 1;
		} else {
			out->family = PLAT_AF_INET;
			if (!listen) {
				out->ip[0] = 127;
				out->ip[3] = 1;
			}
		}
		return 1;
	}
	if (!v6 && parse_ipv4(host, hl, out->ip)) {
		if (net == NET_TCP6)
			return GORO_INVAL;
		out->family = PLAT_AF_INET;
		return 1;
	}
	if (parse_ipv6(host, hl, out->ip)) {
		if (net == NET_TCP4)
			return GORO_INVAL;
		out->family = PLAT_AF_INET6;
		return 1;
	}
	if (v6 || hl >= MAX_HOST)
		return GORO_INVAL;   /* in brackets only an IPv6 literal */
	char name[MAX_HOST];
	memcpy(name, host, hl);
	name[hl] = '\0';
	int fam = net == NET_TCP4 ? PLAT_AF_INET : net == NET_TCP6 ? PLAT_AF_INET6 : 0;
	goro_blocking_begin();
	int r = plat_resolve(name, fam, out, MAX_ADDRS);
	goro_blocking_end();
	if (r < 0)
		return GORO_ERRNO(-r);
	for (int i = 0; i < r; i++)
		out[i].port = port;
	return r;
}

static int unix_addr(const char *address, struct plat_addr *out)
{
	size_t n = slen(address);
	memset(out, 0, sizeof *out);
	if (n == 0 || n >= sizeof out->path)
		return GORO_INVAL;
	out->family = PLAT_AF_UNIX;
	memcpy(out->path, address, n);
	if (out->path[0] == '@')
		out->path[0] = '\0';   /* Linux's abstract namespace, as Go */
	out->pathlen = (uint32_t)n;
	return 1;
}

static int addrs_for(int net, const char *address, bool listen, struct plat_addr *out)
{
	if (net == NET_UNIX)
		return unix_addr(address, out);
	return tcp_addrs(net, address, listen, out);
}

/* A new non-blocking socket of family, opened as a goro_fd. */
static int new_socket(int family, goro_fd *out)
{
	int s = plat_socket(family);
	if (s < 0)
		return GORO_ERRNO(-s);
	int st = fd_init(s, PLAT_FD_SOCKET, out);
	if (st != GORO_OK)
		plat_close(s);
	return st;
}

/* newTCPConn's setNoDelay(fd, true), its error ignored as Go's. Set
 * before connect(2): the option carries over to the connection. */
static void nodelay(goro_fd f)
{
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return;
	plat_setnodelay(pd->sysfd);
	fd_release(pd);
}

/* net.Dial / DialTimeout: each address in turn, within one deadline. */
int goro_dial(const char *network, const char *address, int64_t timeout_ns, goro_fd *out)
{
	if (network == NULL || address == NULL || out == NULL)
		return GORO_INVAL;
	int net = parse_network(network);
	if (net == NET_BAD)
		return GORO_INVAL;
	int64_t until = timeout_ns > 0 ? when_after(timeout_ns) : 0;
	struct plat_addr addrs[MAX_ADDRS];
	int n = addrs_for(net, address, false, addrs);
	if (n < 0)
		return n;
	int st = GORO_INVAL;
	for (int i = 0; i < n; i++) {
		unsigned char sa[128];
		int salen = plat_sockaddr(&addrs[i], sa, sizeof sa);
		if (salen < 0) {
			st = GORO_ERRNO(-salen);
			continue;
		}
		int64_t left = -1;
		if (until != 0) {
			left = until - plat_nanotime();
			if (left <= 0)
				return GORO_TIMEOUT;
		}
		goro_fd f;
		st = new_socket(addrs[i].family, &f);
		if (st != GORO_OK)
			continue;
		if (net != NET_UNIX)
			nodelay(f);
		st = goro_connect(f, sa, (uint32_t)salen, left);
		if (st == GORO_OK) {
			*out = f;
			return GORO_OK;
		}
		goro_fd_close(f);
	}
	return st;
}

/* net.Listen */
int goro_listen(const char *network, const char *address, goro_fd *out)
{
	if (network == NULL || address == NULL || out == NULL)
		return GORO_INVAL;
	int net = parse_network(network);
	if (net == NET_BAD)
		return GORO_INVAL;
	struct plat_addr addrs[MAX_ADDRS];
	int n = addrs_for(net, address, true, addrs);
	if (n < 0)
		return n;
	unsigned char sa[128];
	int salen = plat_sockaddr(&addrs[0], sa, sizeof sa);
	if (salen < 0)
		return salen == -plat_errno.inval ? GORO_INVAL : GORO_ERRNO(-salen);
	/* ListenUnix's unlink = true: this listener makes the file, its close
	 * removes it (a name in the abstract namespace has none). */
	char *path = NULL;
	size_t pathsize = addrs[0].pathlen + 1;
	if (net == NET_UNIX && addrs[0].path[0] != '\0') {
		path = rtmalloc(pathsize);   /* zeroed: NUL-terminated */
		if (path == NULL)
			return GORO_NOMEM;
		memcpy(path, addrs[0].path, addrs[0].pathlen);
	}
	goro_fd f;
	int st = new_socket(addrs[0].family, &f);
	if (st == GORO_OK) {
		struct pollDesc *pd = fd_acquire(f);   /* nobody else has f yet */
		if (pd == NULL)
			throw("goro_listen: a new socket closed");
		int r = plat_listen(pd->sysfd, sa, (uint32_t)salen, LISTEN_BACKLOG);
		if (r == 0) {
			pd->unlink_path = path;
			path = NULL;
		} else {
			st = GORO_ERRNO(-r);
		}
		fd_release(pd);
		if (st != GORO_OK)
			goro_fd_close(f);
	}
	if (path != NULL)
		rtfree(path, pathsize);
	if (st == GORO_OK)
		*out = f;
	return st;
}
