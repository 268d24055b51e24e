/* Descriptors, after internal/poll/fd_unix.go and fd_poll_runtime.go:
 * FD.Init, Read, Write, Accept, Close with its protocol (wake every waiter,
 * wait out the operations in flight, unregister, then close(2)), deadlines,
 * and net/fd_unix.go's connect. Each call tries the system call first and
 * parks only on EAGAIN. A descriptor the poller refused (a regular file)
 * runs its calls as blocking calls instead. */
#include "fd.h"
#include "platform.h"

enum { maxRW = 1 << 30 };   /* Go's cap on one read or write of a stream */

static bool is_eagain(intptr_t r)
{
	return r == -plat_errno.again || r == -plat_errno.wouldblock;
}

static int errno_status(intptr_t r)
{
	return GORO_ERRNO((int)-r);
}

/* pollDesc.convertErr */
static int convertErr(int res)
{
	switch (res) {
	case pollNoError: return GORO_OK;
	case pollErrClosing: return GORO_CLOSED;
	case pollErrTimeout: return GORO_TIMEOUT;
	}
	throw("unreachable: poll error");
}

/* ---- references and locks, checked against the handle's generation ---- */

/* After the incref's CAS, which read fd_init's seq_cst store of state 0,
 * itself after pollcache_alloc's fdseq: a stale handle that got a
 * reference sees the new generation here and backs off. */
static bool same_incarnation(struct pollDesc *pd, goro_fd f)
{
	return a_load(&pd->fdseq) == (uint32_t)(f.id_ >> 32);
}

void fd_release(struct pollDesc *pd)
{
	if (fdmu_decref(&pd->fdmu))
		fd_destroy(pd);
}

/* FD.incref. The pollDesc may have been reused for another descriptor
 * since f was handed out: the reference, once taken, pins an incarnation,
 * and the generation then says whether it is f's. */
struct pollDesc *fd_acquire(goro_fd f)
{
	struct pollDesc *pd = pd_lookup(f);
	if (pd == NULL || !fdmu_incref(&pd->fdmu))
		return NULL;
	if (!same_incarnation(pd, f)) {
		fd_release(pd);
		return NULL;
	}
	return pd;
}

static void fd_rwunlock(struct pollDesc *pd, bool read)
{
	if (fdmu_rwunlock(&pd->fdmu, read))
		fd_destroy(pd);
}

/* FD.readLock / writeLock */
static struct pollDesc *fd_rwlock(goro_fd f, bool read)
{
	struct pollDesc *pd = pd_lookup(f);
	if (pd == NULL)
		return NULL;
	int r = fdmu_rwlock(&pd->fdmu, read);
	if (r < 0)
		fd_destroy(pd);
	if (r <= 0)
		return NULL;
	if (!same_incarnation(pd, f)) {
		fd_rwunlock(pd, read);
		return NULL;
	}
	return pd;
}

/* ---- life cycle ---- */

/* FD.destroy: the last reference of a closed descriptor is gone.
 * Unregister before close(2), so the number cannot be reused while still
 * registered. The pollDesc goes back to the cache here only when nobody
 * waits for it (a descriptor in blocking mode being closed); otherwise the
 * closer frees it once it has seen csema. */
void fd_destroy(struct pollDesc *pd)
{
	if (!pd->isBlocking)
		poll_runtime_pollClose(pd);
	if (!pd->detach) {
		plat_close(pd->sysfd);
		pd->sysfd = -1;
	}
	if (pd->isBlocking && !pd->detach) {
		pollcache_free(pd);
		return;
	}
	semrelease(&pd->csema, 1, false);
}

/* FD.Init for a descriptor of known kind. must_poll: a socket goroutines
 * made non-blocking themselves, which cannot fall back on blocking calls. */
static int fd_init1(int sysfd, int kind, bool must_poll, goro_fd *out)
{
	struct pollDesc *pd = pollcache_alloc();
	if (pd == NULL)
		return GORO_NOMEM;
	pd->sysfd = sysfd;
	pd->kind = kind;
	pd->detach = false;
	pd->isBlocking = false;
	int r = poll_runtime_pollOpen(pd);
	if (r == 0 && !must_poll && (r = plat_setnonblock(sysfd)) != 0)
		plat_netpollclose(sysfd);
	if (r != 0) {
		if (must_poll) {
			pd->sysfd = -1;
			pollcache_free(pd);   /* its fdMutex is still closed */
			return errno_status(r);
		}
		pd->isBlocking = true;
	}
	*out = pd_handle(pd);
	/* Open for business: after fdseq (pollcache_alloc), seq_cst. */
	a_store(&pd->fdmu.state, 0);
	return GORO_OK;
}

int fd_init(int sysfd, int kind, goro_fd *out)
{
	return fd_init1(sysfd, kind, true, out);
}

int goro_fd_open(int sysfd, goro_fd *out)
{
	if (out == NULL || sysfd < 0)
		return GORO_INVAL;
	int kind = plat_fd_kind(sysfd);
	if (kind < 0)
		return errno_status(kind);
	return fd_init1(sysfd, kind, false, out);
}

int goro_fd_sysfd(goro_fd f)
{
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return GORO_CLOSED;
	int fd = pd->sysfd;
	fd_release(pd);
	return fd;
}

/* UnixListener.close: the socket file goes first, as Go's, so that a new
 * listener may bind the path at once. Detaching keeps it: the socket lives
 * on in the caller's hands. */
static void unlink_on_close(struct pollDesc *pd, bool do_unlink)
{
	char *p = pd->unlink_path;
	if (p == NULL)
		return;
	pd->unlink_path = NULL;
	size_t n = 0;
	while (p[n] != '\0')
		n++;
	if (do_unlink)
		plat_unlink(p);
	rtfree(p, n + 1);
}

/* FD.Close: increfAndClose turns new operations away and queued ones out;
 * pollUnblock wakes those parked in the poller; the last reference runs
 * destroy. Close waits for it, except for a descriptor in blocking mode,
 * whose operations may be blocked in the kernel for good (as Go). */
static int fd_close(goro_fd f, bool detach, int *sysfd)
{
	struct pollDesc *pd = fd_acquire(f);   /* pins f's incarnation */
	if (pd == NULL)
		return GORO_CLOSED;
	if (!fdmu_increfAndClose(&pd->fdmu)) {
		fd_release(pd);
		return GORO_CLOSED;
	}
	fdmu_decref(&pd->fdmu);   /* the pin; the close reference remains */
	unlink_on_close(pd, !detach);
	pd->detach = detach;
	bool wait = !pd->isBlocking || detach;
	poll_runtime_pollUnblock(pd);
	if (fdmu_decref(&pd->fdmu))
		fd_destroy(pd);
	if (!wait)
		return GORO_OK;   /* pd may be gone already */
	semacquire(&pd->csema, false);
	if (detach) {
		*sysfd = pd->sysfd;
		pd->sysfd = -1;
	}
	pollcache_free(pd);
	return GORO_OK;
}

int goro_fd_close(goro_fd f)
{
	return fd_close(f, false, NULL);
}

int goro_fd_detach(goro_fd f, int *sysfd)
{
	if (sysfd == NULL)
		return GORO_INVAL;
	return fd_close(f, true, sysfd);
}

/* poll.setDeadline: an absolute deadline, 0 for none; the runtime takes
 * -1 for one already past. Descriptors in blocking mode have none (Go's
 * ErrNoDeadline). */
int goro_fd_set_deadline(goro_fd f, int modes, int64_t deadline)
{
	if (modes <= 0 || (modes & ~(GORO_FD_READ | GORO_FD_WRITE)) != 0 || deadline < 0)
		return GORO_INVAL;
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return GORO_CLOSED;
	if (pd->isBlocking) {
		fd_release(pd);
		return GORO_INVAL;
	}
	int64_t d = deadline;
	if (d != 0 && d <= plat_nanotime())
		d = -1;
	poll_runtime_pollSetDeadline(pd, d, modes);
	fd_release(pd);
	return GORO_OK;
}

/* ---- I/O ---- */

/* pollDesc.prepare: the error state now, and rg/wg reset before the call. */
static int prepare(struct pollDesc *pd, int mode)
{
	if (pd->isBlocking)
		return GORO_OK;
	int e = netpollcheckerr(pd, mode);
	if (e != pollNoError)
		return convertErr(e);
	poll_runtime_pollReset(pd, mode);
	return GORO_OK;
}

static intptr_t sys_read(struct pollDesc *pd, void *buf, size_t len)
{
	if (!pd->isBlocking)
		return plat_read(pd->sysfd, buf, len);
	goro_blocking_begin();
	intptr_t r = plat_read(pd->sysfd, buf, len);
	goro_blocking_end();
	return r;
}

static intptr_t sys_write(struct pollDesc *pd, const void *buf, size_t len)
{
	if (!pd->isBlocking)
		return plat_write(pd->sysfd, buf, len, pd->kind);
	goro_blocking_begin();
	intptr_t r = plat_write(pd->sysfd, buf, len, pd->kind);
	goro_blocking_end();
	return r;
}

/* FD.Read */
int goro_read(goro_fd f, void *buf, size_t len, size_t *n)
{
	if (n == NULL || (buf == NULL && len > 0))
		return GORO_INVAL;
	*n = 0;
	struct pollDesc *pd = fd_rwlock(f, true);
	if (pd == NULL)
		return GORO_CLOSED;
	int st = len == 0 ? GORO_OK : prepare(pd, PLAT_POLL_READ);
	if (len > maxRW)
		len = maxRW;
	while (st == GORO_OK && len > 0) {
		intptr_t r = sys_read(pd, buf, len);
		if (r > 0) {
			*n = (size_t)r;
			break;
		}
		if (r == 0) {
			st = GORO_EOF;   /* eofError */
			break;
		}
		if (r == -plat_errno.intr)
			continue;
		if (is_eagain(r) && !pd->isBlocking) {
			st = convertErr(poll_runtime_pollWait(pd, PLAT_POLL_READ));
			continue;
		}
		st = errno_status(r);
	}
	fd_rwunlock(pd, true);
	return st;
}

/* FD.Write */
int goro_write(goro_fd f, const void *buf, size_t len, size_t *n)
{
	size_t nn = 0;
	if (n != NULL)
		*n = 0;
	if (buf == NULL && len > 0)
		return GORO_INVAL;
	struct pollDesc *pd = fd_rwlock(f, false);
	if (pd == NULL)
		return GORO_CLOSED;
	int st = len == 0 ? GORO_OK : prepare(pd, PLAT_POLL_WRITE);
	while (st == GORO_OK && nn < len) {
		size_t max = len - nn > maxRW ? maxRW : len - nn;
		intptr_t r = sys_write(pd, (const char *)buf + nn, max);
		if (r > 0) {
			nn += (size_t)r;
			continue;
		}
		if (r == -plat_errno.intr)
			continue;
		if (is_eagain(r) && !pd->isBlocking) {
			st = convertErr(poll_runtime_pollWait(pd, PLAT_POLL_WRITE));
			continue;
		}
		st = r == 0 ? GORO_ERRNO(plat_errno.inval) : errno_status(r);   /* io.ErrUnexpectedEOF */
	}
	fd_rwunlock(pd, false);
	if (n != NULL)
		*n = nn;
	return st;
}

/* FD.Accept, and the new connection's Init (net.netFD.accept). */
int goro_accept(goro_fd l, goro_fd *conn, void *addr, uint32_t *addrlen)
{
	if (conn == NULL || (addr != NULL && addrlen == NULL))
		return GORO_INVAL;
	struct pollDesc *pd = fd_rwlock(l, true);
	if (pd == NULL)
		return GORO_CLOSED;
	int st = prepare(pd, PLAT_POLL_READ);
	while (st == GORO_OK) {
		uint32_t len = addrlen != NULL ? *addrlen : 0;
		int r;
		if (pd->isBlocking) {
			goro_blocking_begin();
			r = plat_accept(pd->sysfd, addr, addr != NULL ? &len : NULL);
			goro_blocking_end();
		} else {
			r = plat_accept(pd->sysfd, addr, addr != NULL ? &len : NULL);
		}
		if (r >= 0) {
			/* newTCPConn's setNoDelay; its error (a unix socket's
			 * EOPNOTSUPP) ignored, as Go does. */
			plat_setnodelay(r);
			st = fd_init(r, PLAT_FD_SOCKET, conn);
			if (st != GORO_OK)
				plat_close(r);
			else if (addr != NULL)
				*addrlen = len;
			break;
		}
		if (r == -plat_errno.intr || r == -plat_errno.connaborted)
			continue;
		if (is_eagain(r) && !pd->isBlocking) {
			st = convertErr(poll_runtime_pollWait(pd, PLAT_POLL_READ));
			continue;
		}
		st = errno_status(r);
	}
	fd_rwunlock(pd, true);
	return st;
}

/* goro_poll: a select on one or two fd cases, then the whole answer. */
int goro_poll(goro_fd f, int modes, int64_t timeout_ns)
{
	if (modes <= 0 || (modes & ~(GORO_FD_READ | GORO_FD_WRITE)) != 0)
		return GORO_INVAL;
	if (f.id_ == 0)
		return GORO_CLOSED;
	goro_case cs[2];
	size_t n = 0;
	memset(cs, 0, sizeof cs);
	if (modes & GORO_FD_READ)
		cs[n++] = (goro_case){ .dir = GORO_FDREAD, .fd = f };
	if (modes & GORO_FD_WRITE)
		cs[n++] = (goro_case){ .dir = GORO_FDWRITE, .fd = f };
	int r = goro_select(cs, n, timeout_ns);
	if (r < 0)
		return r;
	if (cs[r].status != GORO_OK)
		return cs[r].status;
	int got = cs[r].dir == GORO_FDREAD ? GORO_FD_READ : GORO_FD_WRITE;
	if (n == 1)
		return got;
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return GORO_CLOSED;
	int m = pd->isBlocking ? modes : plat_fdpoll(pd->sysfd, modes);
	fd_release(pd);
	m = m > 0 ? m & modes : 0;
	return m != 0 ? m : got;
}

/* The write deadline now (pd->wd: 0 none, -1 passed). */
static int64_t write_deadline(struct pollDesc *pd)
{
	lock(&pd->lock);
	int64_t wd = pd->wd;
	unlock(&pd->lock);
	return wd;
}

/* netFD.connect: EINPROGRESS, then wait writable in the poller
 * (fd.pd.waitWrite), SO_ERROR, and getpeername because the wait can end
 * without the connection being made (Go issues 14548, 19289). The wait
 * parks even when the socket is writable already, as Go's: on loopback a
 * connection is made at once, and a dialing loop that never parked would
 * keep its P from the goroutine accepting. timeout_ns bounds the wait as a
 * write deadline, set for it and put back after (Go sets the context's
 * deadline and clears it); an earlier deadline of f's own stays. */
int goro_connect(goro_fd f, const void *addr, uint32_t addrlen, int64_t timeout_ns)
{
	if (addr == NULL || addrlen == 0)
		return GORO_INVAL;
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return GORO_CLOSED;
	int64_t until = timeout_ns > 0 ? when_after(timeout_ns) : 0;
	int64_t wd0 = 0;
	bool set_wd = false;
	int st;
	int r = plat_connect(pd->sysfd, addr, addrlen);
	if (r == 0 || r == -plat_errno.isconn) {
		st = GORO_OK;
		goto out;
	}
	if (r != -plat_errno.inprogress && r != -plat_errno.already && r != -plat_errno.intr) {
		st = errno_status(r);
		goto out;
	}
	if (timeout_ns == 0 || pd->isBlocking) {
		st = GORO_AGAIN;
		goto out;
	}
	if (until != 0) {
		wd0 = write_deadline(pd);
		if (wd0 == 0 || wd0 > until) {
			set_wd = true;
			poll_runtime_pollSetDeadline(pd, until, PLAT_POLL_WRITE);
		}
	}
	for (;;) {
		st = convertErr(poll_runtime_pollWait(pd, PLAT_POLL_WRITE));
		if (st != GORO_OK)
			break;
		int e = plat_sockerror(pd->sysfd);
		if (e < 0) {
			st = errno_status(e);
			break;
		}
		if (e == plat_errno.inprogress || e == plat_errno.already || e == plat_errno.intr)
			continue;
		if (e == plat_errno.isconn)
			break;
		if (e != 0) {
			st = GORO_ERRNO(e);
			break;
		}
		if (plat_getpeername(pd->sysfd) == 0)
			break;
		/* Not connected yet: the edge was an older one (the socket
		 * registered before connect(2) reports writable); wait again. */
	}
	if (set_wd)
		poll_runtime_pollSetDeadline(pd, wd0, PLAT_POLL_WRITE);
out:
	fd_release(pd);
	return st;
}

int goro_fd_port(goro_fd f)
{
	struct pollDesc *pd = fd_acquire(f);
	if (pd == NULL)
		return GORO_CLOSED;
	int r = plat_sockport(pd->sysfd);
	fd_release(pd);
	if (r == -plat_errno.inval)
		return GORO_INVAL;
	return r < 0 ? errno_status(r) : r;
}
