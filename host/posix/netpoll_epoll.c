/* The netpoller's backend on Linux: one epoll instance, each descriptor
 * registered once edge-triggered, and an eventfd to break a wait. Ports
 * netpoll_epoll.go, with Go 1.23's eventfd (golang/go#65443) and an
 * epoll_pwait2 nanosecond timeout that falls back on epoll_pwait (ms). */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441   /* Linux 5.11; the same number on amd64 and arm64 */
#endif

static int epfd = -1;
static int breakfd = -1;
/* epoll_pwait2 answered ENOSYS once (qemu-user, old kernels): use
 * epoll_pwait from then on. Relaxed: every thread reaches the same answer. */
static _Atomic int no_pwait2;

/* The eventfd's key. Core never registers key 0 (its generation is >= 1). */
enum { BREAK_KEY = 0 };

/* netpollinit */
int plat_netpollinit(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	breakfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (breakfd < 0) {
		int e = errno;
		close(epfd);
		epfd = -1;
		return -e;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = BREAK_KEY };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, breakfd, &ev) < 0) {
		int e = errno;
		close(breakfd);
		close(epfd);
		breakfd = epfd = -1;
		return -e;
	}
	return 0;
}

/* netpollopen: registered once for everything, never re-armed. */
int plat_netpollopen(int fd, uint64_t key)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.u64 = key,
	};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* netpollclose */
int plat_netpollclose(int fd)
{
	struct epoll_event ev = { 0 };   /* kernels before 2.6.9 wanted one */
	return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev) < 0 ? -errno : 0;
}

/* netpollBreak: the eventfd counter becomes non-zero; the blocked
 * epoll_wait sees it readable. EAGAIN means it already is. */
void plat_netpollbreak(void)
{
	uint64_t one = 1;
	while (write(breakfd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

static int wait_events(struct epoll_event *evs, int n, int64_t delay)
{
	if (delay < 0)
		return epoll_pwait(epfd, evs, n, -1, NULL);
	if (delay > 0 && !atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		struct timespec ts = {
			.tv_sec = (time_t)(delay / 1000000000),
			.tv_nsec = (long)(delay % 1000000000),
		};
		long r = syscall(SYS_epoll_pwait2, epfd, evs, n, &ts, NULL, 0);
		if (r >= 0 || errno != ENOSYS)
			return (int)r;
		atomic_store_explicit(&no_pwait2, 1, memory_order_relaxed);
	}
	/* Milliseconds, rounded up: a timer must not fire early. */
	int ms;
	if (delay == 0)
		ms = 0;
	else if (delay < 1000000)
		ms = 1;
	else if (delay < 1000000LL * 0x7fffffff)
		ms = (int)((delay + 999999) / 1000000);
	else
		ms = 0x7fffffff;
	return epoll_pwait(epfd, evs, n, ms, NULL);
}

/* netpoll: up to n (<= 128) events. The eventfd is reported as key 0 and
 * drained only by a wait that may block (delay != 0), as Go reads it only
 * then: a delay-0 look must not steal the break meant for the blocked one. */
int plat_netpoll(int64_t delay, struct plat_pollev *ev, int n)
{
	struct epoll_event evs[128];
	if (n > 128)
		n = 128;
	int r = wait_events(evs, n, delay);
	if (r < 0)
		return 0;   /* EINTR: the caller goes round again */
	int k = 0;
	for (int i = 0; i < r; i++) {
		uint32_t e = evs[i].events;
		if (evs[i].data.u64 == BREAK_KEY) {
			if (delay != 0) {
				uint64_t v;
				while (read(breakfd, &v, sizeof v) < 0 && errno == EINTR)
					;
				ev[k].key = BREAK_KEY;
				ev[k].mode = 0;
				k++;
			}
			continue;
		}
		uint32_t mode = 0;
		if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			mode |= PLAT_POLL_READ;
		if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			mode |= PLAT_POLL_WRITE;
		if (mode == 0)
			continue;
		if (e & EPOLLERR)
			mode |= PLAT_POLL_ERR;
		ev[k].key = evs[i].data.u64;
		ev[k].mode = mode;
		k++;
	}
	return k;
}
