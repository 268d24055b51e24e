/* The netpoller's face to the scheduler (netpoll.go's runtime-internal half).
 * proc.c calls these; netpoll.c implements them over the host's backend. */
#ifndef GORO_NETPOLL_H
#define GORO_NETPOLL_H

#include <stdbool.h>
#include <stdint.h>

struct g;

/* netpollinited: the poller exists (some descriptor was opened). Until then
 * an idle M sleeps on its futex until the next timer, as before netpoll. */
bool netpollinited(void);

/* netpollAnyWaiters: some goroutine is parked on a descriptor. */
bool netpollAnyWaiters(void);

/* netpollGenericInit: create the poller once; safe from any thread. */
void netpollGenericInit(void);

/* netpoll: wait at most delay ns (< 0: without limit, 0: just look) and
 * return the goroutines made ready, Gwaiting, linked through schedlink, for
 * injectglist. A waiter that is a foreign thread's stand-in is woken here
 * and not returned. */
struct g *netpoll(int64_t delay);

/* netpollBreak: make a netpoll blocked in another M return now. */
void netpollBreak(void);

#endif
