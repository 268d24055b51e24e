/* goro.h compiles as strict C (make check-header: -std=c11 -Wall -Wextra
 * -Wpedantic -Werror under gcc and clang): every *_INIT macro, every type. */
#include <goro.h>

static goro_mutex m = GORO_MUTEX_INIT;
static goro_rwmutex rw = GORO_RWMUTEX_INIT;
static goro_waitgroup wg = GORO_WAITGROUP_INIT;
static goro_once once = GORO_ONCE_INIT;
static goro_cond cond = GORO_COND_INIT;

int header_c(void);
int header_c(void)
{
	goro_config cfg = { 1, 0 };
	goro_case c = { NULL, GORO_RECV, NULL, GORO_OK, { 0 } };
	(void)m; (void)rw; (void)wg; (void)once; (void)cond;
	return cfg.procs + c.dir + GORO_SPAWN_COPY_MAX;
}
