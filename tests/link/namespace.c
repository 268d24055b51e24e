/* One link namespace (make check-namespace): an application whose own
 * globals carry the short names core uses inside (lock, unlock, schedule,
 * throw, runqput, sched, allp) links against libgoro and runs. Each name
 * here must stay the application's: the runtime must neither collide with
 * them at link time nor call them (or be called instead of them) at run
 * time, statically linked or through libgoro.so. */
#include <stdio.h>

#include <goro.h>

int lock_calls, unlock_calls, schedule_calls, throw_calls, runqput_calls;
int sched = 42;               /* core: struct schedt sched */
void *allp[3];                /* core: the array of Ps */

/* Global on purpose, so declared first (-Wmissing-prototypes). */
void lock(void);
void unlock(void);
void schedule(void);
int throw(const char *s);
int runqput(int x);

void lock(void) { lock_calls++; }
void unlock(void) { unlock_calls++; }
void schedule(void) { schedule_calls++; }
int throw(const char *s) { (void)s; return ++throw_calls; }
int runqput(int x) { runqput_calls++; return x + 1; }

static void worker(void *arg)
{
	goro_chan *c = arg;
	for (int i = 0; i < 100; i++) {
		goro_chan_send(c, &i);
		goro_yield();
	}
	goro_chan_close(c);
}

static int main_goroutine(void *arg)
{
	(void)arg;
	goro_chan *c = goro_chan_make(sizeof(int), 0);
	if (c == NULL || goro_spawn(worker, c) != GORO_OK)
		return 1;
	int v, sum = 0;
	while (goro_chan_recv(c, &v) == GORO_OK)
		sum += v;
	goro_chan_free(c);
	goro_sleep(1000000);
	/* The runtime called none of ours; ours are still ours. */
	if (lock_calls || unlock_calls || schedule_calls || throw_calls || runqput_calls)
		return 2;
	lock(); unlock(); schedule();
	if (throw("x") != 1 || runqput(1) != 2 || sched != 42 || allp[0] != NULL)
		return 3;
	return sum == 4950 ? 0 : 4;
}

int main(void)
{
	goro_config cfg = { 2, 0 };
	int rc = goro_main(&cfg, main_goroutine, NULL);
	printf("namespace: application's lock/unlock/schedule/throw/runqput/sched/allp "
	       "coexist with goro: %s (%d)\n", rc == 0 ? "ok" : "FAILED", rc);
	return rc;
}
