/* Descriptors (internal/poll/fd_unix.go): goro_fd_open, goro_read,
 * goro_write, goro_accept, goro_connect, goro_poll and the close protocol.
 * Placeholder while the netpoller lands: every call refuses. */
#include "runtime2.h"
#include "platform.h"
#include "goro.h"

int goro_fd_open(int sysfd, goro_fd *out) { (void)sysfd; (void)out; return GORO_INVAL; }
int goro_fd_sysfd(goro_fd f) { (void)f; return GORO_CLOSED; }
int goro_fd_close(goro_fd f) { (void)f; return GORO_CLOSED; }
int goro_fd_detach(goro_fd f, int *sysfd) { (void)f; (void)sysfd; return GORO_CLOSED; }
int goro_fd_set_deadline(goro_fd f, int modes, int64_t d) { (void)f; (void)modes; (void)d; return GORO_CLOSED; }
int goro_read(goro_fd f, void *b, size_t l, size_t *n) { (void)f; (void)b; (void)l; (void)n; return GORO_CLOSED; }
int goro_write(goro_fd f, const void *b, size_t l, size_t *n) { (void)f; (void)b; (void)l; (void)n; return GORO_CLOSED; }
int goro_accept(goro_fd l, goro_fd *c, void *a, uint32_t *al) { (void)l; (void)c; (void)a; (void)al; return GORO_CLOSED; }
int goro_connect(goro_fd f, const void *a, uint32_t al, int64_t t) { (void)f; (void)a; (void)al; (void)t; return GORO_CLOSED; }
int goro_poll(goro_fd f, int modes, int64_t t) { (void)f; (void)modes; (void)t; return GORO_CLOSED; }
int goro_dial(const char *nw, const char *a, int64_t t, goro_fd *o) { (void)nw; (void)a; (void)t; (void)o; return GORO_INVAL; }
int goro_listen(const char *nw, const char *a, goro_fd *o) { (void)nw; (void)a; (void)o; return GORO_INVAL; }
int goro_fd_port(goro_fd f) { (void)f; return GORO_CLOSED; }
