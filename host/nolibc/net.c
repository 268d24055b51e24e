/* The raw descriptor calls of core/platform/platform.h on raw system calls: each one
 * system call (or two), its result or -errno, never a retry (core retries
 * EINTR) and never a SIGPIPE; the sockaddr layouts, a resolver that knows
 * numbers, localhost and /etc/hosts, and strerror. Ports the syscall halves
 * of internal/poll/fd_unix.go and net/sock_posix.go, as host/posix/net.c. */
#include "nolibc.h"
#include "platform.h"

/* Linux's numbers, the same on amd64 and arm64 (asm-generic/errno*.h). */
const struct plat_errnos plat_errno = {
	.again = NOLIBC_EAGAIN, .wouldblock = NOLIBC_EAGAIN, .intr = NOLIBC_EINTR,
	.inprogress = NOLIBC_EINPROGRESS, .already = NOLIBC_EALREADY,
	.isconn = NOLIBC_EISCONN, .connaborted = NOLIBC_ECONNABORTED,
	.notconn = NOLIBC_ENOTCONN, .inval = NOLIBC_EINVAL, .noent = NOLIBC_ENOENT,
	.afnosupport = NOLIBC_EAFNOSUPPORT,
};

int plat_fd_kind(int fd)
{
	uint64_t st[32];	/* 256 bytes: either arch's struct stat */
	uint32_t mode;
	long r = sys_fstat(fd, st);

	if (r < 0)
		return (int)r;
	memcpy(&mode, (char *)st + NOLIBC_STAT_MODE_OFFSET, sizeof mode);
	if ((mode & NOLIBC_S_IFMT) == NOLIBC_S_IFSOCK)
		return PLAT_FD_SOCKET;
	if ((mode & NOLIBC_S_IFMT) == NOLIBC_S_IFIFO)
		return PLAT_FD_PIPE;
	return PLAT_FD_OTHER;
}

int plat_setnonblock(int fd)
{
	long fl = sys_fcntl(fd, NOLIBC_F_GETFL, 0);

	if (fl < 0)
		return (int)fl;
	if ((fl & NOLIBC_O_NONBLOCK) != 0)
		return 0;
	fl = sys_fcntl(fd, NOLIBC_F_SETFL, fl | NOLIBC_O_NONBLOCK);
	return fl < 0 ? (int)fl : 0;
}

intptr_t plat_read(int fd, void *buf, size_t n)
{
	return sys_read(fd, buf, n);
}

/* A write to a pipe whose reader has gone raises SIGPIPE in the writing
 * thread. Rather than change the process's disposition, block SIGPIPE
 * around this one call and take back the signal it raised (thread-directed,
 * so pending here until sigtimedwait takes it), as host/posix does. A thread
 * that had SIGPIPE blocked already keeps what it had. */
static intptr_t write_pipe(int fd, const void *buf, size_t n)
{
	const uint64_t pipe = 1ull << (NOLIBC_SIGPIPE - 1);
	const struct nolibc_timespec zero = { 0, 0 };
	uint64_t old = 0;
	long r;

	sys_rt_sigprocmask(NOLIBC_SIG_BLOCK, &pipe, &old);
	r = sys_write(fd, buf, n);
	if (r == -NOLIBC_EPIPE && (old & pipe) == 0)
		while (sys_rt_sigtimedwait(&pipe, &zero) == -NOLIBC_EINTR)
			;
	sys_rt_sigprocmask(NOLIBC_SIG_SETMASK, &old, NULL);
	return r;
}

intptr_t plat_write(int fd, const void *buf, size_t n, int kind)
{
	if (kind == PLAT_FD_SOCKET)
		return sys_sendto(fd, buf, n, NOLIBC_MSG_NOSIGNAL);
	if (kind == PLAT_FD_PIPE)
		return write_pipe(fd, buf, n);
	return sys_write(fd, buf, n);
}

/* Linux closes the descriptor even when close returns EINTR: never retry. */
int plat_close(int fd)
{
	long r = sys_close(fd);

	return r == -NOLIBC_EINTR ? 0 : (int)r;
}

int plat_accept(int fd, void *addr, uint32_t *addrlen)
{
	uint32_t len = addrlen != NULL ? *addrlen : 0;
	long r = sys_accept4(fd, addr, addr != NULL ? &len : NULL,
	    NOLIBC_SOCK_NONBLOCK | NOLIBC_SOCK_CLOEXEC);

	if (r >= 0 && addr != NULL && addrlen != NULL)
		*addrlen = len;
	return (int)r;
}

int plat_connect(int fd, const void *addr, uint32_t addrlen)
{
	return (int)sys_connect(fd, addr, addrlen);
}

int plat_unlink(const char *path)
{
	return (int)sys_unlinkat(NOLIBC_AT_FDCWD, path, 0);
}

int plat_setnodelay(int fd)
{
	int one = 1;

	return (int)sys_setsockopt(fd, NOLIBC_IPPROTO_TCP, NOLIBC_TCP_NODELAY, &one, sizeof one);
}

int plat_sockerror(int fd)
{
	int err = 0;
	uint32_t len = sizeof err;
	long r = sys_getsockopt(fd, NOLIBC_SOL_SOCKET, NOLIBC_SO_ERROR, &err, &len);

	return r < 0 ? (int)r : err;
}

int plat_getpeername(int fd)
{
	uint64_t ss[16];	/* sockaddr_storage */
	uint32_t len = sizeof ss;
	long r = sys_getpeername(fd, ss, &len);

	return r < 0 ? (int)r : 0;
}

/* A look, not a wait: ppoll (arm64 has no poll) with a zero timeout. */
int plat_fdpoll(int fd, int modes)
{
	const struct nolibc_timespec zero = { 0, 0 };
	struct nolibc_pollfd p = { .fd = fd };
	long r;
	int m = 0;

	if (modes & PLAT_POLL_READ)
		p.events |= NOLIBC_POLLIN | NOLIBC_POLLRDHUP;
	if (modes & PLAT_POLL_WRITE)
		p.events |= NOLIBC_POLLOUT;
	while ((r = sys_ppoll(&p, 1, &zero)) == -NOLIBC_EINTR)
		;
	if (r < 0)
		return (int)r;
	if (p.revents & NOLIBC_POLLNVAL)
		return -NOLIBC_EBADF;
	if (p.revents & (NOLIBC_POLLIN | NOLIBC_POLLRDHUP))
		m |= PLAT_POLL_READ;
	if (p.revents & NOLIBC_POLLOUT)
		m |= PLAT_POLL_WRITE;
	if (p.revents & (NOLIBC_POLLHUP | NOLIBC_POLLERR))
		m |= PLAT_POLL_READ | PLAT_POLL_WRITE;
	if (p.revents & NOLIBC_POLLERR)
		m |= PLAT_POLL_ERR;
	return m & (modes | PLAT_POLL_ERR);
}

/* The kernel's sockaddr_in and sockaddr_in6; sockaddr_un is a family and
 * 108 bytes of path. Ports are big-endian. */
struct sa_in { uint16_t family, port; uint8_t addr[4]; uint8_t zero[8]; };
struct sa_in6 { uint16_t family, port; uint32_t flowinfo; uint8_t addr[16]; uint32_t scope; };
enum { SUN_PATH = 108 };

static uint16_t swap16(uint16_t v) { return (uint16_t)(v << 8 | v >> 8); }

int plat_sockport(int fd)
{
	uint64_t ss[16];
	uint32_t len = sizeof ss;
	uint16_t family, port;
	long r = sys_getsockname(fd, ss, &len);

	if (r < 0)
		return (int)r;
	memcpy(&family, ss, 2);
	if (family != NOLIBC_AF_INET && family != NOLIBC_AF_INET6)
		return -NOLIBC_EINVAL;
	memcpy(&port, (char *)ss + 2, 2);	/* both layouts put the port at 2 */
	return swap16(port);
}

int plat_sockaddr(const struct plat_addr *a, void *sa, uint32_t cap)
{
	if (a->family == PLAT_AF_INET && cap >= sizeof(struct sa_in)) {
		struct sa_in in = { .family = NOLIBC_AF_INET, .port = swap16(a->port) };

		memcpy(in.addr, a->ip, 4);
		memcpy(sa, &in, sizeof in);
		return sizeof in;
	}
	if (a->family == PLAT_AF_INET6 && cap >= sizeof(struct sa_in6)) {
		struct sa_in6 in6 = { .family = NOLIBC_AF_INET6, .port = swap16(a->port),
		                      .scope = a->scope };

		memcpy(in6.addr, a->ip, 16);
		memcpy(sa, &in6, sizeof in6);
		return sizeof in6;
	}
	if (a->family == PLAT_AF_UNIX && cap >= 2 + SUN_PATH) {
		uint16_t family = NOLIBC_AF_UNIX;
		int abstract = a->pathlen > 0 && a->path[0] == '\0';

		/* a pathname needs room for its NUL; an abstract name does not */
		if (a->pathlen == 0 || a->pathlen + (abstract ? 0 : 1) > SUN_PATH)
			return -NOLIBC_EINVAL;
		memset(sa, 0, 2 + SUN_PATH);
		memcpy(sa, &family, 2);
		memcpy((char *)sa + 2, a->path, a->pathlen);
		return (int)(2 + a->pathlen + (abstract ? 0 : 1));
	}
	return -NOLIBC_EINVAL;
}

static int os_family(int family)
{
	switch (family) {
	case PLAT_AF_INET: return NOLIBC_AF_INET;
	case PLAT_AF_INET6: return NOLIBC_AF_INET6;
	case PLAT_AF_UNIX: return NOLIBC_AF_UNIX;
	}
	return -1;
}

int plat_socket(int family)
{
	int f = os_family(family);

	if (f < 0)
		return -NOLIBC_EAFNOSUPPORT;
	return (int)sys_socket(f, NOLIBC_SOCK_STREAM | NOLIBC_SOCK_NONBLOCK | NOLIBC_SOCK_CLOEXEC, 0);
}

/* setDefaultListenerSockopts (SO_REUSEADDR but for unix sockets), bind, listen. */
int plat_listen(int fd, const void *sa, uint32_t salen, int backlog)
{
	uint16_t family;
	long r;

	memcpy(&family, sa, 2);
	if (family != NOLIBC_AF_UNIX) {
		int one = 1;

		r = sys_setsockopt(fd, NOLIBC_SOL_SOCKET, NOLIBC_SO_REUSEADDR, &one, sizeof one);
		if (r < 0)
			return (int)r;
	}
	r = sys_bind(fd, sa, salen);
	if (r == 0)
		r = sys_listen(fd, backlog);
	return (int)r;
}

/* ---- The resolver: no DNS here, only what needs no network ---- */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* [s, s+n) equals the NUL-terminated name, ignoring case. */
static int name_eq(const char *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (name[i] == '\0' || lower((unsigned char)s[i]) != lower((unsigned char)name[i]))
			return 0;
	return name[i] == '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A dotted quad, all of [s, s+n), into ip[4]. */
static int parse4(const char *s, size_t n, uint8_t ip[4])
{
	size_t i = 0;

	for (int k = 0; k < 4; k++) {
		unsigned v = 0, digits = 0;

		if (k > 0 && (i >= n || s[i++] != '.'))
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return 0;
		ip[k] = (uint8_t)v;
	}
	return i == n;
}

/* An IPv6 address, all of [s, s+n) (no zone), with "::" and a trailing
 * dotted quad, into ip[16]. */
static int parse6(const char *s, size_t n, uint8_t ip[16])
{
	uint8_t out[16] = { 0 };
	int k = 0, gap = -1;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < n && k < 16) {
		size_t j = i;
		unsigned v = 0;

		while (j < n && hexval((unsigned char)s[j]) >= 0 && j - i < 4)
			v = v * 16 + (unsigned)hexval((unsigned char)s[j++]);
		if (j < n && s[j] == '.') {	/* the last 32 bits as a dotted quad */
			if (k > 12 || !parse4(s + i, n - i, out + k))
				return 0;
			k += 4;
			i = n;
			break;
		}
		if (j == i)
			return 0;
		out[k++] = (uint8_t)(v >> 8);
		out[k++] = (uint8_t)v;
		i = j;
		if (i == n)
			break;
		if (s[i] != ':')
			return 0;
		i++;
		if (i < n && s[i] == ':') {
			if (gap >= 0)
				return 0;
			gap = k;
			i++;
		} else if (i == n) {
			return 0;	/* a trailing single colon */
		}
	}
	if (i != n)
		return 0;
	if (gap >= 0) {
		int tail = k - gap;

		if (k == 16)
			return 0;
		memmove(out + 16 - tail, out + gap, (size_t)tail);
		memset(out + gap, 0, (size_t)(16 - tail - gap));
	} else if (k != 16) {
		return 0;
	}
	memcpy(ip, out, 16);
	return 1;
}

/* One address of [s, s+n) into out, if it is numeric and of the family
 * wanted (0: either). */
static int numeric(const char *s, size_t n, int family, struct plat_addr *out)
{
	memset(out, 0, sizeof *out);
	if (family != PLAT_AF_INET6 && parse4(s, n, out->ip)) {
		out->family = PLAT_AF_INET;
		return 1;
	}
	if (family != PLAT_AF_INET && parse6(s, n, out->ip)) {
		out->family = PLAT_AF_INET6;
		return 1;
	}
	return 0;
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r'; }

/* /etc/hosts, read whole into a mapping of its own (up to 1 MiB); NULL and
 * 0 when there is none. */
static char *read_hosts(size_t *len)
{
	const size_t cap = 1 << 20;
	long fd = sys_openat(NOLIBC_AT_FDCWD, "/etc/hosts", NOLIBC_O_RDONLY | NOLIBC_O_CLOEXEC);
	char *buf;
	size_t n = 0;

	*len = 0;
	if (fd < 0)
		return NULL;
	buf = plat_map(cap);
	if (buf == NULL) {
		sys_close((int)fd);
		return NULL;
	}
	while (n < cap) {
		long r = sys_read((int)fd, buf + n, cap - n);

		if (r == -NOLIBC_EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	sys_close((int)fd);
	*len = n;
	return buf;
}

/* lookupStaticHost, then localhost: a number is itself; a name is what
 * /etc/hosts says, in its order; "localhost" without an entry is 127.0.0.1
 * and ::1. There is no DNS: any other name is ENOENT. */
int plat_resolve(const char *host, int family, struct plat_addr *out, int n)
{
	size_t hlen = 0, len, i = 0;
	char *buf;
	int k = 0;

	if (n <= 0)
		return -NOLIBC_EINVAL;
	while (host[hlen] != '\0')
		hlen++;
	if (numeric(host, hlen, family, &out[0]))
		return 1;
	buf = read_hosts(&len);
	while (buf != NULL && i < len && k < n) {
		size_t eol = i, a, alen, p;

		while (eol < len && buf[eol] != '\n' && buf[eol] != '#')
			eol++;
		p = i;
		while (p < eol && is_space(buf[p]))
			p++;
		a = p;
		while (p < eol && !is_space(buf[p]))
			p++;
		alen = p - a;
		while (alen > 0 && p < eol) {
			size_t nm;

			while (p < eol && is_space(buf[p]))
				p++;
			nm = p;
			while (p < eol && !is_space(buf[p]))
				p++;
			if (p > nm && name_eq(buf + nm, p - nm, host)) {
				if (numeric(buf + a, alen, family, &out[k]))
					k++;
				break;
			}
		}
		while (eol < len && buf[eol] != '\n')
			eol++;
		i = eol + 1;
	}
	if (buf != NULL)
		plat_unmap(buf, 1 << 20);
	if (k == 0 && name_eq(host, hlen, "localhost")) {
		if (family != PLAT_AF_INET6 && k < n) {
			memset(&out[k], 0, sizeof out[k]);
			out[k].family = PLAT_AF_INET;
			out[k].ip[0] = 127;
			out[k].ip[3] = 1;
			k++;
		}
		if (family != PLAT_AF_INET && k < n) {
			memset(&out[k], 0, sizeof out[k]);
			out[k].family = PLAT_AF_INET6;
			out[k].ip[15] = 1;
			k++;
		}
	}
	return k > 0 ? k : -NOLIBC_ENOENT;
}

/* strerror: Linux's messages (glibc's wording), by number. */
static const char *const errstr[] = {
	"Success",
	"Operation not permitted",
	"No such file or directory",
	"No such process",
	"Interrupted system call",
	"Input/output error",
	"No such device or address",
	"Argument list too long",
	"Exec format error",
	"Bad file descriptor",
	"No child processes",
	"Resource temporarily unavailable",
	"Cannot allocate memory",
	"Permission denied",
	"Bad address",
	"Block device required",
	"Device or resource busy",
	"File exists",
	"Invalid cross-device link",
	"No such device",
	"Not a directory",
	"Is a directory",
	"Invalid argument",
	"Too many open files in system",
	"Too many open files",
	"Inappropriate ioctl for device",
	"Text file busy",
	"File too large",
	"No space left on device",
	"Illegal seek",
	"Read-only file system",
	"Too many links",
	"Broken pipe",
	"Numerical argument out of domain",
	"Numerical result out of range",
	"Resource deadlock avoided",
	"File name too long",
	"No locks available",
	"Function not implemented",
	"Directory not empty",
	"Too many levels of symbolic links",
	"Unknown error",
	"No message of desired type",
	"Identifier removed",
	"Channel number out of range",
	"Level 2 not synchronized",
	"Level 3 halted",
	"Level 3 reset",
	"Link number out of range",
	"Protocol driver not attached",
	"No CSI structure available",
	"Level 2 halted",
	"Invalid exchange",
	"Invalid request descriptor",
	"Exchange full",
	"No anode",
	"Invalid request code",
	"Invalid slot",
	"Unknown error",
	"Bad font file format",
	"Device not a stream",
	"No data available",
	"Timer expired",
	"Out of streams resources",
	"Machine is not on the network",
	"Package not installed",
	"Object is remote",
	"Link has been severed",
	"Advertise error",
	"Srmount error",
	"Communication error on send",
	"Protocol error",
	"Multihop attempted",
	"RFS specific error",
	"Bad message",
	"Value too large for defined data type",
	"Name not unique on network",
	"File descriptor in bad state",
	"Remote address changed",
	"Can not access a needed shared library",
	"Accessing a corrupted shared library",
	".lib section in a.out corrupted",
	"Attempting to link in too many shared libraries",
	"Cannot exec a shared library directly",
	"Invalid or incomplete multibyte or wide character",
	"Interrupted system call should be restarted",
	"Streams pipe error",
	"Too many users",
	"Socket operation on non-socket",
	"Destination address required",
	"Message too long",
	"Protocol wrong type for socket",
	"Protocol not available",
	"Protocol not supported",
	"Socket type not supported",
	"Operation not supported",
	"Protocol family not supported",
	"Address family not supported by protocol",
	"Address already in use",
	"Cannot assign requested address",
	"Network is down",
	"Network is unreachable",
	"Network dropped connection on reset",
	"Software caused connection abort",
	"Connection reset by peer",
	"No buffer space available",
	"Transport endpoint is already connected",
	"Transport endpoint is not connected",
	"Cannot send after transport endpoint shutdown",
	"Too many references: cannot splice",
	"Connection timed out",
	"Connection refused",
	"Host is down",
	"No route to host",
	"Operation already in progress",
	"Operation now in progress",
	"Stale file handle",
	"Structure needs cleaning",
	"Not a XENIX named type file",
	"No XENIX semaphores available",
	"Is a named type file",
	"Remote I/O error",
	"Disk quota exceeded",
	"No medium found",
	"Wrong medium type",
	"Operation canceled",
	"Required key not available",
	"Key has expired",
	"Key has been revoked",
	"Key was rejected by service",
	"Owner died",
	"State not recoverable",
	"Operation not possible due to RF-kill",
	"Memory page has hardware error",
};

const char *plat_strerror(int e)
{
	if (e >= 0 && e < (int)(sizeof errstr / sizeof errstr[0]))
		return errstr[e];
	return "Unknown error";
}
