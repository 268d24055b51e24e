/* Fatal errors and the few prints core needs: panic.go's throw and print.go's
 * printstring/printuint, straight to the platform's error stream. Also the
 * status strings of the public API. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

static size_t cstrlen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

void printstr(const char *s)
{
	plat_write_err(s, cstrlen(s));
}

void printu64(uint64_t v)
{
	char buf[24];
	size_t i = sizeof buf;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	plat_write_err(buf + i, sizeof buf - i);
}

/* startpanic_m's "fatal error already in progress": the first thread to die
 * prints; any other that throws meanwhile (sysmon's checkdead beside an
 * M's) blocks for good, so the fatal line is never interleaved. */
void startpanic(void)
{
	static uint32_t dying;
	if (a_xchg(&dying, 1) != 0)
		for (;;)
			plat_futex_wait(&dying, 1, -1);
}

/* throw: a broken invariant. One line, the goroutine listing
 * (GORO_TRACEBACK), exit status 2, like Go. */
_Noreturn void throw(const char *s)
{
	startpanic();
	printstr("goro: fatal error: ");
	printstr(s);
	printstr("\n");
	traceback_fatal((uintptr_t)__builtin_frame_address(0));
	plat_exit(2);
}

/* throw naming a goroutine: "goro: fatal error: <s> <goid><tail>". */
_Noreturn void throw_goid(const char *s, uint64_t goid, const char *tail)
{
	startpanic();
	printstr("goro: fatal error: ");
	printstr(s);
	printstr(" ");
	printu64(goid);
	printstr(tail);
	printstr("\n");
	traceback_fatal((uintptr_t)__builtin_frame_address(0));
	plat_exit(2);
}

/* throw naming the public call that was misused: "goro: fatal error:
 * <call><what>". */
_Noreturn void throw_call(const char *call, const char *what)
{
	startpanic();
	printstr("goro: fatal error: ");
	printstr(call);
	printstr(what);
	printstr("\n");
	traceback_fatal((uintptr_t)__builtin_frame_address(0));
	plat_exit(2);
}

const char *goro_strerror(int status)
{
	switch (status) {
	case GORO_OK: return "ok";
	case GORO_CLOSED: return "channel closed";
	case GORO_AGAIN: return "would block";
	case GORO_TIMEOUT: return "timed out";
	case GORO_NOMEM: return "out of memory";
	case GORO_INVAL: return "invalid argument";
	case GORO_EOF: return "end of file";
	case GORO_CANCELED: return "context canceled";
	}
	if (GORO_IS_ERRNO(status))
		return plat_strerror(GORO_ERRNO_OF(status));
	return "unknown goro status";
}
