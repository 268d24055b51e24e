/* plat_futex_wait/wake on Linux's futex(2), the default park (PARK=futex).
 * Ports os_linux.go's futexsleep and futexwakeup. park_condvar.c is the
 * same contract without futexes. */
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

/* futexsleep: sleep while *addr == val, at most ns (ns < 0: forever).
 * EINTR, EAGAIN and ETIMEDOUT all just return; callers loop. */
void plat_futex_wait(uint32_t *addr, uint32_t val, int64_t ns)
{
	struct timespec ts, *tp = NULL;

	if (ns >= 0) {
		ts.tv_sec = (time_t)(ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		tp = &ts;
	}
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tp, NULL, 0);
}

/* futexwakeup: wake at most n sleepers on addr. */
void plat_futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}
