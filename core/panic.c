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

/* The digits of v, right-aligned in buf[24]; returns where they start. */
static size_t fmtu64(char buf[24], uint64_t v)
{
	size_t i = 24;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return i;
}

void printu64(uint64_t v)
{
	char buf[24];
	size_t i = fmtu64(buf, v);
	plat_write_err(buf + i, sizeof buf - i);
}

/* A printline is written with one call, so a reader never sees it cut by
 * another thread's output or by the process exiting between two pieces
 * (one write of under PIPE_BUF bytes to a pipe is atomic). A line longer
 * than the buffer goes out in buffer-sized pieces. */
void pl_str(struct printline *l, const char *s)
{
	for (; *s != '\0'; s++) {
		if (l->n == sizeof l->b)
			pl_flush(l);
		l->b[l->n++] = *s;
	}
}

void pl_u64(struct printline *l, uint64_t v)
{
	char buf[24];
	size_t i = fmtu64(buf, v);
	if (l->n + (sizeof buf - i) > sizeof l->b)
		pl_flush(l);
	memcpy(l->b + l->n, buf + i, sizeof buf - i);
	l->n += sizeof buf - i;
}

void pl_flush(struct printline *l)
{
	if (l->n > 0)
		plat_write_err(l->b, l->n);
	l->n = 0;
}

/* startpanic_m's "fatal error already in progress": the first thread to die
 * prints; any other that throws meanwhile (sysmon's checkdead beside an
 * M's) blocks for good, so the fatal line is never interleaved. */
void startpanic(void)
{
	static uint32_t dying;
	if (a_xchg(&dying, 1) != 0)   /* elects the one thread that reports; the rest sleep */
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

/* What a stack overflow's fatal line ends with, after the goroutine id:
 * the knobs that size a stack. */
#define OVERFLOW_HINT " (raise goro_config.stack_size, or goro_spawn_with's stack_size)"

/* The stack overflow's fatal line, spelled once for the canary's throw and
 * the guard's fault. */
static void printoverflow(uint64_t goid)
{
	printstr("goro: fatal error: stack overflow in goroutine ");
	printu64(goid);
	printstr(OVERFLOW_HINT "\n");
}

/* newstack's "stack overflow" throw, for a stack checked by its canary. */
_Noreturn void throw_stackoverflow(uint64_t goid)
{
	startpanic();
	printoverflow(goid);
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

static void printhex(uintptr_t v)
{
	char buf[2 + 2 * sizeof v];
	size_t i = sizeof buf;
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v != 0);
	buf[--i] = 'x';
	buf[--i] = '0';
	plat_write_err(buf + i, sizeof buf - i);
}

/* sighandler's guard case: a fault in a goroutine's stack guard is that
 * goroutine's stack overflow, as sigpanic's. No startpanic: a fault inside
 * another thread's throw must still die, not wait for it. */
void goro_rt_sigoverflow(const void *addr, uintptr_t pc, uintptr_t fp, uintptr_t sp)
{
	uint64_t id = stack_guard_owner(addr);
	if (id == 0)
		return;
	printoverflow(id);
	traceback_fault(pc, fp, sp);
	plat_exit(2);
}

/* sighandler's "unexpected signal": any other fault, with the goroutine
 * that took it when there is one. The host then lets the signal kill. */
void goro_rt_sigpanic(const char *signame, const void *addr, uintptr_t pc, uintptr_t fp, uintptr_t sp)
{
	struct m *mp = getm();
	uint64_t id = mp != NULL && mp->curg != NULL ? mp->curg->goid : 0;

	printstr("goro: fatal error: unexpected signal ");
	printstr(signame);
	printstr(" at address ");
	printhex((uintptr_t)addr);
	if (id != 0) {
		printstr(" in goroutine ");
		printu64(id);
	}
	printstr("\n");
	traceback_fault(pc, fp, sp);
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
