/* The program tools/check-gdb.sh stops under gdb: goroutines parked in known
 * states (a named one three calls deep in a receive, a named sleeper, an
 * unnamed one in a select), then main calls gdb_stop_here, where gdb's
 * breakpoint catches it, or which aborts for a core file ("target abort").
 * Run alone, it just exits 0. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "goro.h"

#define NOINLINE __attribute__((noinline))
#define NOTAIL() __asm__ volatile("" ::: "memory")

static goro_chan *never;
static atomic_int parked;

NOINLINE static void gdb_recv3(void)
{
	int v;
	atomic_fetch_add(&parked, 1);
	goro_chan_recv(never, &v);
	NOTAIL();
}

NOINLINE static void gdb_recv2(void)
{
	gdb_recv3();
	NOTAIL();
}

NOINLINE static void gdb_recv1(void *arg)
{
	(void)arg;
	gdb_recv2();
	NOTAIL();
}

NOINLINE static void gdb_sleeper(void *arg)
{
	(void)arg;
	atomic_fetch_add(&parked, 1);
	goro_sleep(3600LL * 1000 * 1000 * 1000);
	NOTAIL();
}

NOINLINE static void gdb_selector(void *arg)
{
	int v;
	goro_case c = { .chan = arg, .dir = GORO_RECV, .elem = &v };
	atomic_fetch_add(&parked, 1);
	goro_select(&c, 1, -1);
	NOTAIL();
}

static bool dump_core;

/* gdb's breakpoint; with the argument "abort", the kernel's core dump. */
void gdb_stop_here(void);
NOINLINE void gdb_stop_here(void)
{
	if (dump_core)
		abort();
	NOTAIL();
}

static int main_fn(void *arg)
{
	(void)arg;
	never = goro_chan_make(sizeof(int), 0);
	goro_spawn_opts fetcher = { .name = "fetcher" }, napper = { .name = "napper" };
	if (never == NULL || goro_spawn_with(&fetcher, gdb_recv1, NULL) != GORO_OK ||
	    goro_spawn_with(&napper, gdb_sleeper, NULL) != GORO_OK ||
	    goro_spawn(gdb_selector, never) != GORO_OK)
		return 1;
	while (atomic_load(&parked) < 3)
		goro_yield();
	goro_sleep(50LL * 1000 * 1000);   /* each flagged itself just before parking */
	gdb_stop_here();
	return 0;
}

int main(int argc, char **argv)
{
	dump_core = argc > 1 && strcmp(argv[1], "abort") == 0;
	return goro_main(NULL, main_fn, NULL) == 0 ? 0 : 1;
}
