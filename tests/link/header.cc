// goro.h compiles as C++ (make check-header: -std=c++11 .. c++20 -Wall
// -Wextra -Wpedantic -Werror under g++ and clang++), and, linked against
// libgoro.a, its extern "C" declarations resolve: this program runs
// goroutines, a channel, select, a WaitGroup and a mutex from C++.
#include <goro.h>

#include <cstdio>

static goro_mutex mu = GORO_MUTEX_INIT;
static goro_rwmutex rw = GORO_RWMUTEX_INIT;
static goro_once once = GORO_ONCE_INIT;
static goro_cond cond = GORO_COND_INIT;
static int total;

struct job {
	goro_chan *out;
	goro_waitgroup *wg;
	int n;
};

static void worker(void *arg)
{
	job *j = static_cast<job *>(arg);
	goro_mutex_lock(&mu);
	total += j->n;
	goro_mutex_unlock(&mu);
	goro_chan_send(j->out, &j->n);
	goro_wg_done(j->wg);
}

static void set_once(void *arg)
{
	*static_cast<int *>(arg) += 1;
}

static int main_goroutine(void *)
{
	goro_waitgroup wg = GORO_WAITGROUP_INIT;
	goro_chan *out = goro_chan_make(sizeof(int), 4);
	if (out == nullptr)
		return 1;
	job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = job{ out, &wg, i + 1 };
		goro_wg_add(&wg, 1);
		if (goro_spawn_copy(worker, &jobs[i], sizeof jobs[i]) != GORO_OK)
			return 1;
	}
	goro_wg_wait(&wg);
	int sum = 0, v;
	goro_case cs[] = { { out, GORO_RECV, &v, GORO_OK, { 0 } } };
	while (goro_select(cs, 1, 0) == 0)
		sum += v;
	int ran = 0;
	goro_once_do(&once, set_once, &ran);
	goro_once_do(&once, set_once, &ran);
	goro_rwmutex_rlock(&rw);
	goro_rwmutex_runlock(&rw);
	goro_cond_broadcast(&cond);
	goro_chan_free(out);
	std::printf("check-header: C++ program ran: sum %d, total %d, once %d\n", sum, total, ran);
	return sum == 10 && total == 10 && ran == 1 ? 0 : 1;
}

int main()
{
	goro_config cfg = { 2, 0 };
	return goro_main(&cfg, main_goroutine, nullptr);
}
