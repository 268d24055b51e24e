/* Placeholder until host/nolibc has its epoll backend and descriptor calls:
 * every one refuses with ENOSYS, so core's netpoller reports descriptors as
 * unsupported and nothing else changes. To be replaced by netpoll_epoll.c. */
#include "nolibc.h"
#include "platform.h"

enum { E_NOSYS = 38, E_AGAIN = 11, E_INTR = 4, E_INPROGRESS = 115, E_ALREADY = 114,
       E_ISCONN = 106, E_CONNABORTED = 103, E_NOTCONN = 107, E_INVAL = 22, E_NOENT = 2,
       E_AFNOSUPPORT = 97 };

const struct plat_errnos plat_errno = {
	.again = E_AGAIN, .wouldblock = E_AGAIN, .intr = E_INTR, .inprogress = E_INPROGRESS,
	.already = E_ALREADY, .isconn = E_ISCONN, .connaborted = E_CONNABORTED,
	.notconn = E_NOTCONN, .inval = E_INVAL, .noent = E_NOENT, .afnosupport = E_AFNOSUPPORT,
};

int plat_netpollinit(void) { return -E_NOSYS; }
int plat_netpollopen(int fd, uint64_t key) { (void)fd; (void)key; return -E_NOSYS; }
int plat_netpollclose(int fd) { (void)fd; return -E_NOSYS; }
int plat_netpoll(int64_t d, struct plat_pollev *ev, int n) { (void)d; (void)ev; (void)n; return 0; }
void plat_netpollbreak(void) { }
int plat_fd_kind(int fd) { (void)fd; return -E_NOSYS; }
int plat_setnonblock(int fd) { (void)fd; return -E_NOSYS; }
intptr_t plat_read(int fd, void *b, size_t n) { (void)fd; (void)b; (void)n; return -E_NOSYS; }
intptr_t plat_write(int fd, const void *b, size_t n, int k) { (void)fd; (void)b; (void)n; (void)k; return -E_NOSYS; }
int plat_close(int fd) { (void)fd; return -E_NOSYS; }
int plat_accept(int fd, void *a, uint32_t *l) { (void)fd; (void)a; (void)l; return -E_NOSYS; }
int plat_connect(int fd, const void *a, uint32_t l) { (void)fd; (void)a; (void)l; return -E_NOSYS; }
int plat_sockerror(int fd) { (void)fd; return -E_NOSYS; }
int plat_getpeername(int fd) { (void)fd; return -E_NOSYS; }
int plat_sockport(int fd) { (void)fd; return -E_NOSYS; }
int plat_fdpoll(int fd, int m) { (void)fd; (void)m; return -E_NOSYS; }
int plat_sockaddr(const struct plat_addr *a, void *sa, uint32_t c) { (void)a; (void)sa; (void)c; return -E_NOSYS; }
int plat_socket(int f) { (void)f; return -E_NOSYS; }
int plat_listen(int fd, const void *sa, uint32_t l, int b) { (void)fd; (void)sa; (void)l; (void)b; return -E_NOSYS; }
int plat_resolve(const char *h, int f, struct plat_addr *o, int n) { (void)h; (void)f; (void)o; (void)n; return -E_NOSYS; }
const char *plat_strerror(int e) { (void)e; return "system error"; }
