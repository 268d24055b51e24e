/* The raw descriptor calls of core/platform/platform.h on POSIX: each one system call
 * (or two), its result or -errno, never a retry (core retries EINTR) and never
 * a SIGPIPE. The sockaddr layouts live here so core needs none. Ports the
 * syscall halves of internal/poll/fd_unix.go and net/sock_posix.go. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "platform.h"

const struct plat_errnos plat_errno = {
	.again = EAGAIN,
	.wouldblock = EWOULDBLOCK,
	.intr = EINTR,
	.inprogress = EINPROGRESS,
	.already = EALREADY,
	.isconn = EISCONN,
	.connaborted = ECONNABORTED,
	.notconn = ENOTCONN,
	.inval = EINVAL,
	.noent = ENOENT,
	.afnosupport = EAFNOSUPPORT,
};

int plat_fd_kind(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISSOCK(st.st_mode))
		return PLAT_FD_SOCKET;
	if (S_ISFIFO(st.st_mode))
		return PLAT_FD_PIPE;
	return PLAT_FD_OTHER;
}

int plat_setnonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if ((fl & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

intptr_t plat_read(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);
	return r < 0 ? -errno : r;
}

/* A write to a pipe whose reader has gone raises SIGPIPE in the writing
 * thread. Rather than change the process's disposition (the application's
 * own writes would stop dying of it), block SIGPIPE around this one call
 * and swallow the signal it raised, as libcurl does. The signal is
 * thread-directed, so it stays pending here until sigtimedwait takes it. A
 * thread that had SIGPIPE blocked already keeps what it had. */
static intptr_t write_pipe(int fd, const void *buf, size_t n)
{
	sigset_t pipe, old;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	ssize_t r = write(fd, buf, n);
	int e = errno;
	if (r < 0 && e == EPIPE && !sigismember(&old, SIGPIPE)) {
		const struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r < 0 ? -e : r;
}

intptr_t plat_write(int fd, const void *buf, size_t n, int kind)
{
	ssize_t r;
	if (kind == PLAT_FD_SOCKET)
		r = send(fd, buf, n, MSG_NOSIGNAL);
	else if (kind == PLAT_FD_PIPE)
		return write_pipe(fd, buf, n);
	else
		r = write(fd, buf, n);
	return r < 0 ? -errno : r;
}

/* Linux closes the descriptor even when close returns EINTR: never retry. */
int plat_close(int fd)
{
	if (close(fd) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

int plat_accept(int fd, void *addr, uint32_t *addrlen)
{
	socklen_t len = addrlen != NULL ? *addrlen : 0;
	int r = accept4(fd, addr, addr != NULL ? &len : NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (r < 0)
		return -errno;
	if (addr != NULL && addrlen != NULL)
		*addrlen = len;
	return r;
}

int plat_connect(int fd, const void *addr, uint32_t addrlen)
{
	return connect(fd, addr, addrlen) < 0 ? -errno : 0;
}

int plat_sockerror(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return err;
}

int plat_getpeername(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	return getpeername(fd, (struct sockaddr *)&ss, &len) < 0 ? -errno : 0;
}

int plat_sockport(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -EINVAL;
}

int plat_unlink(const char *path)
{
	return unlink(path) < 0 ? -errno : 0;
}

int plat_setnodelay(int fd)
{
	int one = 1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ? -errno : 0;
}

static int os_family(int family)
{
	switch (family) {
	case PLAT_AF_INET: return AF_INET;
	case PLAT_AF_INET6: return AF_INET6;
	case PLAT_AF_UNIX: return AF_UNIX;
	}
	return -1;
}

int plat_sockaddr(const struct plat_addr *a, void *sa, uint32_t cap)
{
	if (a->family == PLAT_AF_INET && cap >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = sa;
		memset(in, 0, sizeof *in);
		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->ip, 4);
		return sizeof *in;
	}
	if (a->family == PLAT_AF_INET6 && cap >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *in6 = sa;
		memset(in6, 0, sizeof *in6);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		memcpy(&in6->sin6_addr, a->ip, 16);
		in6->sin6_scope_id = a->scope;
		return sizeof *in6;
	}
	if (a->family == PLAT_AF_UNIX && cap >= sizeof(struct sockaddr_un)) {
		struct sockaddr_un *un = sa;
		int abstract = a->pathlen > 0 && a->path[0] == '\0';
		/* a pathname needs room for its NUL; an abstract name does not */
		if (a->pathlen == 0 || a->pathlen + (abstract ? 0 : 1) > sizeof un->sun_path)
			return -EINVAL;
		memset(un, 0, sizeof *un);
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, a->path, a->pathlen);
		return (int)(offsetof(struct sockaddr_un, sun_path) + a->pathlen + (abstract ? 0 : 1));
	}
	return -EINVAL;
}

int plat_socket(int family)
{
	int f = os_family(family);
	if (f < 0)
		return -EAFNOSUPPORT;
	int fd = socket(f, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

int plat_listen(int fd, const void *sa, uint32_t salen, int backlog)
{
	const struct sockaddr *s = sa;
	if (s->sa_family != AF_UNIX) {
		int one = 1;
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
			return -errno;
	}
	if (bind(fd, sa, salen) < 0 || listen(fd, backlog) < 0)
		return -errno;
	return 0;
}

int plat_resolve(const char *host, int family, struct plat_addr *out, int n)
{
	struct addrinfo hints, *res, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family == 0 ? AF_UNSPEC : os_family(family);
	hints.ai_socktype = SOCK_STREAM;
	int r = getaddrinfo(host, NULL, &hints, &res);
	if (r != 0) {
		if (r == EAI_SYSTEM)
			return -errno;
		if (r == EAI_MEMORY)
			return -ENOMEM;
		if (r == EAI_AGAIN)
			return -EAGAIN;
		return -ENOENT;
	}
	int k = 0;
	for (ai = res; ai != NULL && k < n; ai = ai->ai_next) {
		memset(&out[k], 0, sizeof out[k]);
		if (ai->ai_family == AF_INET) {
			out[k].family = PLAT_AF_INET;
			memcpy(out[k].ip, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6) {
			out[k].family = PLAT_AF_INET6;
			memcpy(out[k].ip, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			out[k].scope = ((struct sockaddr_in6 *)ai->ai_addr)->sin6_scope_id;
		} else {
			continue;
		}
		k++;
	}
	freeaddrinfo(res);
	return k > 0 ? k : -ENOENT;
}

const char *plat_strerror(int e)
{
	return strerror(e);
}

int plat_fdpoll(int fd, int modes)
{
	struct pollfd p = { .fd = fd };
	if (modes & PLAT_POLL_READ)
		p.events |= POLLIN | POLLRDHUP;
	if (modes & PLAT_POLL_WRITE)
		p.events |= POLLOUT;
	int r;
	while ((r = poll(&p, 1, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -errno;
	if (p.revents & POLLNVAL)
		return -EBADF;
	int m = 0;
	if (p.revents & (POLLIN | POLLRDHUP))
		m |= PLAT_POLL_READ;
	if (p.revents & POLLOUT)
		m |= PLAT_POLL_WRITE;
	if (p.revents & (POLLHUP | POLLERR))
		m |= PLAT_POLL_READ | PLAT_POLL_WRITE;
	if (p.revents & POLLERR)
		m |= PLAT_POLL_ERR;
	return m & (modes | PLAT_POLL_ERR);
}
