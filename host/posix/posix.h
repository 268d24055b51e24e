/* What host/posix's files share and nothing else: the fault handler's setup.
 * Named plat_posix_* to stay inside libgoro.a's link namespace. */
#ifndef GORO_HOST_POSIX_H
#define GORO_HOST_POSIX_H

/* initsig: install the SIGSEGV/SIGBUS handler, once per process. Any thread. */
void plat_posix_siginit(void);

/* minitSignalStack: give the calling thread a 64 KiB signal stack so the
 * handler can run after a goroutine ran off its own. Calling thread only. */
void plat_posix_sigaltstack(void);

#endif
