/* The netpoller's backend of core/platform/platform.h on raw system calls: one epoll,
 * an eventfd to break it (golang/go#65443). Ports netpoll_epoll.go. Uses
 * only the calls both arches have: epoll_create1, epoll_pwait(2), eventfd2. */
#include <stdatomic.h>

#include "nolibc.h"
#include "platform.h"

/* Written once by plat_netpollinit, before core lets any other thread poll. */
static int epfd = -1, eventfd = -1;

/* epoll_pwait2 answered ENOSYS once (Linux < 5.11, qemu-user): millisecond
 * timeouts from then on. relaxed: every thread would learn the same. */
static _Atomic int no_pwait2;

static void fatal(const char *msg, long err)
{
	char buf[96], *p = buf, num[24];
	int i = 0;
	unsigned long v = (unsigned long)-err;

	while (*msg)
		*p++ = *msg++;
	do
		num[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0)
		*p++ = num[--i];
	*p++ = '\n';
	plat_write_err(buf, (size_t)(p - buf));
	plat_exit(2);
}

/* netpollinit */
int plat_netpollinit(void)
{
	struct nolibc_epoll_event ev = { .events = NOLIBC_EPOLLIN, .data = 0 };
	long ep, efd, r;

	ep = sys_epoll_create1(NOLIBC_EPOLL_CLOEXEC);
	if (ep < 0)
		return (int)ep;
	efd = sys_eventfd2(0, NOLIBC_EFD_CLOEXEC | NOLIBC_EFD_NONBLOCK);
	if (efd < 0) {
		sys_close((int)ep);
		return (int)efd;
	}
	/* Level-triggered, key 0: stays readable until a blocking poll drains it. */
	r = sys_epoll_ctl((int)ep, NOLIBC_EPOLL_CTL_ADD, (int)efd, &ev);
	if (r < 0) {
		sys_close((int)efd);
		sys_close((int)ep);
		return (int)r;
	}
	epfd = (int)ep;
	eventfd = (int)efd;
	return 0;
}

/* netpollopen: once, edge-triggered, never re-armed. */
int plat_netpollopen(int fd, uint64_t key)
{
	struct nolibc_epoll_event ev = {
		.events = NOLIBC_EPOLLIN | NOLIBC_EPOLLOUT | NOLIBC_EPOLLRDHUP | NOLIBC_EPOLLET,
		.data = key,
	};

	return (int)sys_epoll_ctl(epfd, NOLIBC_EPOLL_CTL_ADD, fd, &ev);
}

/* netpollclose; an event is passed for kernels before 2.6.9, which wanted one. */
int plat_netpollclose(int fd)
{
	struct nolibc_epoll_event ev = { 0 };

	return (int)sys_epoll_ctl(epfd, NOLIBC_EPOLL_CTL_DEL, fd, &ev);
}

/* netpollBreak: an eventfd write; EAGAIN means the counter is full, so a
 * wake-up is pending anyway. */
void plat_netpollbreak(void)
{
	uint64_t one = 1;

	for (;;) {
		long r = sys_write(eventfd, &one, sizeof one);

		if (r == sizeof one || r == -NOLIBC_EAGAIN)
			return;
		if (r != -NOLIBC_EINTR)
			fatal("goro: fatal error: netpollBreak write failed: errno ", r);
	}
}

/* One wait: epoll_pwait2 keeps nanoseconds; epoll_pwait rounds a delay up
 * to the next millisecond (Go rounds down to 1 ms, which would make a 100 us
 * sleep return early and spin) and caps it near 11.5 days, as Go does. */
static long wait_once(struct nolibc_epoll_event *ev, int n, int64_t delay)
{
	long r;
	int ms;

	if (delay > 0 && !atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		struct nolibc_timespec ts = {
			.tv_sec = (long)(delay / 1000000000),
			.tv_nsec = (long)(delay % 1000000000),
		};

		r = sys_epoll_pwait2(epfd, ev, n, &ts);
		if (r != -NOLIBC_ENOSYS)
			return r;
		atomic_store_explicit(&no_pwait2, 1, memory_order_relaxed);
	}
	if (delay < 0)
		ms = -1;
	else if (delay == 0)
		ms = 0;
	else if (delay < 1000000000000000)
		ms = (int)((delay + 999999) / 1000000);
	else
		ms = 1000000000;
	return sys_epoll_pwait(epfd, ev, n, ms);
}

/* netpoll: the events of one epoll_pwait, translated as netpoll_epoll.go
 * does: in, read hang-up, hang-up or error make a descriptor readable; out,
 * hang-up or error writable; an error also sets ERR. The eventfd's event
 * is drained and reported (key 0) only by a poll that may block. */
int plat_netpoll(int64_t delay_ns, struct plat_pollev *out, int n)
{
	struct nolibc_epoll_event ev[128];
	long r;
	int k = 0;

	if (n > 128)
		n = 128;
	if (n <= 0)
		return 0;
	r = wait_once(ev, n, delay_ns);
	if (r == -NOLIBC_EINTR)
		return 0;
	if (r < 0)
		fatal("goro: fatal error: netpoll failed: epoll_pwait errno ", r);
	for (long i = 0; i < r; i++) {
		uint32_t e = ev[i].events, mode = 0;

		if (ev[i].data == 0) {
			if (delay_ns != 0) {
				uint64_t v;

				sys_read(eventfd, &v, sizeof v);
				out[k].key = 0;
				out[k].mode = 0;
				k++;
			}
			continue;
		}
		if (e & (NOLIBC_EPOLLIN | NOLIBC_EPOLLRDHUP | NOLIBC_EPOLLHUP | NOLIBC_EPOLLERR))
			mode |= PLAT_POLL_READ;
		if (e & (NOLIBC_EPOLLOUT | NOLIBC_EPOLLHUP | NOLIBC_EPOLLERR))
			mode |= PLAT_POLL_WRITE;
		if (e & NOLIBC_EPOLLERR)
			mode |= PLAT_POLL_ERR;
		if (mode != 0) {
			out[k].key = ev[i].data;
			out[k].mode = mode;
			k++;
		}
	}
	return k;
}
