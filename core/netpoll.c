/* The netpoller (netpoll.go). Until descriptors land this holds only the
 * scheduler's side of the contract in netpoll.h: no poller ever exists. */
#include "netpoll.h"

bool netpollinited(void) { return false; }
bool netpollAnyWaiters(void) { return false; }
void netpollGenericInit(void) { }
struct g *netpoll(int64_t delay) { (void)delay; return 0; }
void netpollBreak(void) { }
